/* SPDX-License-Identifier: MIT */
/*
 * rt_system_dump: the live trees and the other actors, as text for a
 * person or as JSON for tools (keys fixed by DESIGN.md §10.3). The walk
 * (walk.c) visits the trees in pre-order with each node's depth, so the
 * JSON nesting is opened and closed as the depth goes up and down, and
 * nothing is kept but the text. That is written to a memory stream while
 * the system is walked, and to the caller's stream only after: a slow
 * reader of `out` (a pipe, a socket) never holds the walk, or anything
 * the walk touches, in the middle. The observer's page asks for a capped
 * JSON dump (rti_dump_json_capped): a supervisor's first children only,
 * with the count of the others ("omitted"), and whether actors outside
 * the trees were left out ("more_actors").
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <rt/error.h>
#include <rt/observe.h>

#include "observe_int.h"

struct dump {
	FILE *ms;
	int format;
	bool actors; /* past the trees */
	bool any;    /* a node written in the current list */
	int open;    /* JSON: the depth of the tree node left open, or -1 */
};

static const char *
strategy_name(rt_strategy s)
{
	switch (s) {
	case RT_ONE_FOR_ONE:
		return "one_for_one";
	case RT_ONE_FOR_ALL:
		return "one_for_all";
	case RT_REST_FOR_ONE:
		return "rest_for_one";
	case RT_SIMPLE_ONE_FOR_ONE:
		return "simple_one_for_one";
	}
	return "?";
}

static const char *
kind_name(const struct rti_obs_node *nd)
{
	return nd->kind->name != NULL ? nd->kind->name : "?";
}

/* --- JSON ------------------------------------------------------------------ */

static void
json_str(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	rti_obs_put(f, s, RTI_OBS_JSON);
	fputc('"', f);
}

/* Close `n` open nodes: their children's list, then the node. */
static void
json_close(FILE *f, int n)
{
	while (n-- > 0)
		fputs("]}", f);
}

/* The end of the trees' list, and the start of the others'. */
static void
json_trees_end(struct dump *d)
{
	json_close(d->ms, d->open + 1);
	d->open = -1;
	fputs("],\n \"actors\": [", d->ms);
	d->actors = true;
	d->any = false;
}

static void
json_node(struct dump *d, const struct rti_obs_node *nd)
{
	FILE *f = d->ms;
	int depth = (int)nd->depth;

	if (!nd->in_tree && !d->actors)
		json_trees_end(d);
	if (nd->in_tree && d->open >= 0 && depth <= d->open) {
		/* Not a child of the last node: close up to its sibling. */
		json_close(f, d->open - depth + 1);
		fputc(',', f);
	} else if (!nd->in_tree && d->any) {
		fputc(',', f);
	}
	fputs(depth == 0 ? "\n  {" : "{", f);
	fputs("\"path\": ", f);
	json_str(f, nd->path != NULL ? nd->path : nd->name);
	fputs(", \"kind\": ", f);
	json_str(f, kind_name(nd));
	fputs(", \"state\": ", f);
	json_str(f, nd->state);
	fprintf(f,
	    ", \"mailbox\": {\"depth\": %u, \"bound\": %u, "
	    "\"high_water\": %u, \"stashed\": %u}, \"handled\": %llu, "
	    "\"restarts\": %u, \"health\": ",
	    nd->stats.depth, nd->stats.bound, nd->stats.high_water, nd->stashed,
	    (unsigned long long)nd->stats.handled, nd->restarts);
	json_str(f, nd->health);
	fputs(", \"name\": ", f);
	json_str(f, nd->name);
	fputs(", \"supervisor\": ", f);
	if (nd->spec != NULL) {
		fputs("{\"spec\": ", f);
		json_str(f, nd->spec->name);
		fputs(", \"strategy\": ", f);
		json_str(f, strategy_name(nd->spec->strategy));
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	if (nd->omitted != 0)
		fprintf(f, ", \"omitted\": %u", nd->omitted);
	fputs(", \"children\": [", f);
	if (nd->in_tree)
		d->open = depth;
	else
		fputs("]}", f);
	d->any = true;
}

/* --- text ------------------------------------------------------------------- */

static void
text_node(struct dump *d, const struct rti_obs_node *nd)
{
	FILE *f = d->ms;
	uint32_t i;

	if (!nd->in_tree && !d->actors) {
		fputs("actors outside the trees:\n", f);
		d->actors = true;
	}
	for (i = 0; i <= nd->depth; i++)
		fputs("  ", f);
	if (nd->path != NULL || nd->name != NULL)
		rti_obs_put(f, nd->path != NULL ? nd->path : nd->name,
		    RTI_OBS_TEXT);
	else
		fputs("(no name)", f);
	fputs(": ", f);
	if (nd->spec != NULL) {
		fputs("supervisor ", f);
		rti_obs_put(f, nd->spec->name, RTI_OBS_TEXT);
		fprintf(f, " (%s)", strategy_name(nd->spec->strategy));
	} else {
		rti_obs_put(f, kind_name(nd), RTI_OBS_TEXT);
	}
	fprintf(f, ", %s, mailbox %u", nd->state, nd->stats.depth);
	if (nd->stats.bound != 0)
		fprintf(f, "/%u", nd->stats.bound);
	if (nd->stashed != 0)
		fprintf(f, " (%u stashed)", nd->stashed);
	fprintf(f, ", handled %llu", (unsigned long long)nd->stats.handled);
	if (nd->in_tree)
		fprintf(f, ", restarts %u", nd->restarts);
	if (nd->health != NULL)
		fprintf(f, ", %s", nd->health);
	if (nd->in_tree && nd->name != NULL) {
		fputs(", registered as ", f);
		rti_obs_put(f, nd->name, RTI_OBS_TEXT);
	}
	fputc('\n', f);
	d->any = true;
}

static int
visit(void *arg, const struct rti_obs_node *nd)
{
	struct dump *d = arg;

	if (d->format == RT_DUMP_JSON)
		json_node(d, nd);
	else
		text_node(d, nd);
	/* A memory stream fails only for lack of memory. */
	return ferror(d->ms) ? RT_ENOMEM : 0;
}

/* rt_system_dump, and the observer's capped JSON (max > 0). */
static int
dump(rt_system *sys, FILE *out, int format, uint32_t max)
{
	struct dump d = { NULL, format, false, false, -1 };
	char *buf = NULL;
	size_t len = 0;
	bool more = false;
	int rc;

	if (sys == NULL || out == NULL ||
	    (format != RT_DUMP_TEXT && format != RT_DUMP_JSON))
		return RT_EINVAL;
	if ((d.ms = open_memstream(&buf, &len)) == NULL)
		return RT_ENOMEM;
	fputs(format == RT_DUMP_JSON ? "{\"trees\": [" : "supervision trees:\n",
	    d.ms);
	rc = rti_obs_walk_capped(sys, true, max, visit, &d, &more);
	if (format == RT_DUMP_JSON) {
		if (!d.actors)
			json_trees_end(&d);
		fputs("\n]", d.ms);
		if (max != 0)
			fprintf(d.ms, ", \"more_actors\": %s",
			    more ? "true" : "false");
		fputs("}\n", d.ms);
	} else if (!d.actors) {
		fputs("actors outside the trees:\n", d.ms);
	}
	if (ferror(d.ms) && rc == 0)
		rc = RT_ENOMEM;
	if (fclose(d.ms) != 0 && rc == 0)
		rc = RT_ENOMEM;
	if (rc == 0 && (fwrite(buf, 1, len, out) != len || fflush(out) != 0))
		rc = RT_EIO;
	free(buf);
	return rc;
}

int
rt_system_dump(rt_system *sys, FILE *out, int format)
{
	return dump(sys, out, format, 0);
}

int
rti_dump_json_capped(rt_system *sys, FILE *out, uint32_t max)
{
	return dump(sys, out, RT_DUMP_JSON, max);
}
