/* SPDX-License-Identifier: MIT */
/*
 * rt_metrics_write: a system's counters and gauges in the Prometheus text
 * exposition format 0.0.4. The counters are rt_stats_system's; the gauges
 * per actor kind and per supervisor spec are summed over a walk of the
 * live actors (walk.c), by name, so the number of series grows with the
 * program's kinds, never with its actors.
 *
 * There is no histogram of handler durations: timing even one handler in
 * N costs every handler a countdown and a branch on the worker's hot
 * path; the USDT probes around handlers (DESIGN.md §10.3) measure them
 * at no cost when nobody traces (doc/design-notes.md).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <rt/error.h>
#include <rt/observe.h>

#include "observe_int.h"
#include "rt_atomic.h"

/* Series summed by a label value (a kind's or a spec's name). */
struct series {
	const char *label; /* NULL: an empty slot */
	uint64_t count;    /* actors of the kind; supervisors of the spec */
	uint64_t sum;      /* their mailbox depths; children */
	uint64_t max;      /* the deepest mailbox; the children's
	                      restarts */
	uint64_t stashed;  /* of `sum`, stashed or postponed (kinds) */
	/* Supervisors: their probed children by health (healthy,
	 * degraded, failed), and whether any is probed. */
	uint64_t health[3];
	bool probed;
};

struct table {
	struct series *at;
	size_t n, mask; /* mask + 1 slots, a power of two */
};

/* Deep enough for any tree the walk visits (walk.c bounds it). */
#define STACK 260

struct metrics {
	struct table kinds, sups;
	/* The spec's name of the node at each depth of the tree being
	 * walked (NULL: not a supervisor): a node's parent is one up. */
	const char *stack[STACK];
};

static size_t
hash_str(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * UINT64_C(0x100000001b3);
	return (size_t)h;
}

/* The series for `label`, made if need be; NULL for lack of memory. */
static struct series *
series_of(struct table *t, const char *label)
{
	size_t i;

	if (t->at == NULL || 2 * (t->n + 1) > t->mask + 1) {
		size_t cap = t->at != NULL ? 2 * (t->mask + 1) : 16, j;
		struct series *old = t->at, *at = calloc(cap, sizeof(*at));
		size_t oldcap = old != NULL ? t->mask + 1 : 0;

		if (at == NULL)
			return NULL;
		t->at = at;
		t->mask = cap - 1;
		for (j = 0; j < oldcap; j++) {
			if (old[j].label == NULL)
				continue;
			for (i = hash_str(old[j].label) & t->mask;
			    at[i].label != NULL; i = (i + 1) & t->mask)
				;
			at[i] = old[j];
		}
		free(old);
	}
	for (i = hash_str(label) & t->mask; t->at[i].label != NULL;
	    i = (i + 1) & t->mask)
		if (strcmp(t->at[i].label, label) == 0)
			return &t->at[i];
	t->at[i].label = label;
	t->n++;
	return &t->at[i];
}

/* The health of a probed child is counted in its supervisor's series. */
static const char *const healths[] = { "healthy", "degraded", "failed" };

static void
health_count(struct series *s, const char *health)
{
	size_t i;

	if (health == NULL)
		return;
	s->probed = true;
	for (i = 0; i < sizeof(healths) / sizeof(*healths); i++)
		if (strcmp(health, healths[i]) == 0)
			s->health[i]++;
}

static int
visit(void *arg, const struct rti_obs_node *nd)
{
	struct metrics *m = arg;
	const char *kind = nd->kind->name != NULL ? nd->kind->name : "?";
	struct series *s = series_of(&m->kinds, kind);

	if (s == NULL)
		return RT_ENOMEM;
	s->count++;
	s->sum += nd->stats.depth;
	s->stashed += nd->stashed;
	if (nd->stats.depth > s->max)
		s->max = nd->stats.depth;
	if (!nd->in_tree || nd->depth >= STACK)
		return 0;
	m->stack[nd->depth] = nd->spec != NULL ? nd->spec->name : NULL;
	if (nd->spec != NULL) {
		if ((s = series_of(&m->sups, nd->spec->name)) == NULL)
			return RT_ENOMEM;
		s->count++;
	}
	if (nd->depth > 0 && m->stack[nd->depth - 1] != NULL) {
		if ((s = series_of(&m->sups, m->stack[nd->depth - 1])) == NULL)
			return RT_ENOMEM;
		s->sum++;
		s->max += nd->restarts;
		health_count(s, nd->health);
	}
	return 0;
}

/* --- writing ------------------------------------------------------------------ */

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(FILE *f, const char *name, uint64_t v)
{
	fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

static void
labelled(FILE *f, const char *name, const char *label, const char *value,
    uint64_t v)
{
	fprintf(f, "%s{%s=\"", name, label);
	rti_obs_put(f, value, RTI_OBS_LABEL);
	fprintf(f, "\"} %llu\n", (unsigned long long)v);
}

/* A supervisor spec's children by health, if it probes any. */
static void
health_samples(FILE *f, const struct series *s)
{
	size_t i;

	if (!s->probed)
		return;
	for (i = 0; i < sizeof(healths) / sizeof(*healths); i++) {
		fputs("rt_supervisor_children_health{supervisor=\"", f);
		rti_obs_put(f, s->label, RTI_OBS_LABEL);
		fprintf(f, "\",health=\"%s\"} %llu\n", healths[i],
		    (unsigned long long)s->health[i]);
	}
}

/* Which of a series' figures a family shows. */
enum figure { COUNT, SUM, MAX, STASHED };

static int
by_label(const void *a, const void *b)
{
	const struct series *x = a, *y = b;

	/* The empty slots last. */
	if (x->label == NULL || y->label == NULL)
		return (x->label == NULL) - (y->label == NULL);
	return strcmp(x->label, y->label);
}

/* Sort a table's series by label, for output that reads and diffs
 * well. The table cannot be searched any more. */
static void
sort_table(struct table *t)
{
	if (t->at != NULL)
		qsort(t->at, t->mask + 1, sizeof(t->at[0]), by_label);
}

static uint64_t
figure_of(const struct series *s, enum figure which)
{
	switch (which) {
	case COUNT:
		return s->count;
	case SUM:
		return s->sum;
	case MAX:
		return s->max;
	case STASHED:
		return s->stashed;
	}
	return 0;
}

static void
per_label(FILE *f, const struct table *t, const char *name, const char *label,
    enum figure which)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		labelled(f, name, label, t->at[i].label,
		    figure_of(&t->at[i], which));
}

/* The counters of rt_stats that are written as they are. */
static const struct {
	const char *name;
	const char *help;
	size_t offset;
} counters[] = {
	{ "rt_messages_sent_total",
	    "Messages accepted by a send, and those the runtime sent itself "
	    "(fired timers, replies, downs, supervisors' own).",
	    offsetof(rt_stats, sent) },
	{ "rt_messages_handled_total",
	    "Messages passed to a handler (on_down and supervisors' "
	    "included).",
	    offsetof(rt_stats, handled) },
	{ "rt_sends_refused_total",
	    "Sends that returned an error (the actor had stopped, the "
	    "system was stopping, a full mailbox, a timeout).",
	    offsetof(rt_stats, refused) },
	{ "rt_mutes_total",
	    "Times an actor was muted for sending to a full mailbox with "
	    "overflow block.",
	    offsetof(rt_stats, mutes) },
	{ "rt_actors_spawned_total", "Actors spawned.",
	    offsetof(rt_stats, spawned) },
	{ "rt_actors_stopped_total", "Actors that stopped for good.",
	    offsetof(rt_stats, stopped) },
	{ "rt_actor_crashes_total",
	    "Exits that were crashes, those of children then restarted "
	    "included.",
	    offsetof(rt_stats, crashed) },
	{ "rt_restarts_total", "Supervised children restarted.",
	    offsetof(rt_stats, restarts) },
	{ "rt_scheduler_steals_total",
	    "Actors an idle worker took from another worker's run queue.",
	    offsetof(rt_stats, steals) },
	{ "rt_scheduler_migrations_total",
	    "Runs of an actor on another worker than its previous run.",
	    offsetof(rt_stats, migrations) },
	{ "rt_scheduler_wakeups_total", "Parked workers woken to share work.",
	    offsetof(rt_stats, wakeups) },
	{ "rt_scheduler_yields_total",
	    "Wake-ups held back and parks of a worker, because the machine's "
	    "CPUs were taken.",
	    offsetof(rt_stats, yields) },
};

/* Write everything; the tables are sorted. */
static void
write_all(FILE *f, rt_system *sys, const rt_stats *early, const rt_stats *st,
    const struct metrics *m)
{
	uint64_t dropped = early->dropped, expired = early->expired;
	size_t i;

	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		family(f, counters[i].name, "counter", counters[i].help);
		sample(f, counters[i].name,
		    *(const uint64_t *)(const void *)((const char *)st +
			counters[i].offset));
	}
	/*
	 * Every dead letter of the system is one of the three causes; those
	 * of the stopped are the rest. The two by cause were read before the
	 * total (rt_metrics_write).
	 */
	family(f, "rt_dead_letters_total", "counter",
	    "Accepted messages that were never handled, by cause.");
	labelled(f, "rt_dead_letters_total", "cause", "stopped",
	    st->dead_letters >= dropped + expired ?
		st->dead_letters - dropped - expired :
		0);
	labelled(f, "rt_dead_letters_total", "cause", "dropped", dropped);
	labelled(f, "rt_dead_letters_total", "cause", "expired", expired);
	family(f, "rt_workers", "gauge", "Worker threads.");
	sample(f, "rt_workers", rt_system_workers(sys));
	family(f, "rt_actors_live", "gauge",
	    "Actors alive (exits are counted in batches: never fewer than "
	    "are alive).");
	sample(f, "rt_actors_live", st->live);
	family(f, "rt_actors", "gauge", "Live actors, by kind.");
	per_label(f, &m->kinds, "rt_actors", "kind", COUNT);
	family(f, "rt_mailbox_depth", "gauge",
	    "Messages waiting in the mailboxes of the actors of a kind, "
	    "summed.");
	per_label(f, &m->kinds, "rt_mailbox_depth", "kind", SUM);
	family(f, "rt_mailbox_depth_max", "gauge",
	    "The most messages waiting in one mailbox of an actor of a "
	    "kind.");
	per_label(f, &m->kinds, "rt_mailbox_depth_max", "kind", MAX);
	family(f, "rt_mailbox_stashed", "gauge",
	    "Messages stashed (rt_stash) or postponed (states) by the actors "
	    "of a kind, summed; rt_mailbox_depth counts them too.");
	per_label(f, &m->kinds, "rt_mailbox_stashed", "kind", STASHED);
	family(f, "rt_supervisors", "gauge",
	    "Live supervisors, by supervisor spec.");
	per_label(f, &m->sups, "rt_supervisors", "supervisor", COUNT);
	family(f, "rt_supervisor_children", "gauge",
	    "Live children of the supervisors of a spec.");
	per_label(f, &m->sups, "rt_supervisor_children", "supervisor", SUM);
	family(f, "rt_supervisor_child_restarts", "gauge",
	    "Restarts of the live children of the supervisors of a spec.");
	per_label(f, &m->sups, "rt_supervisor_child_restarts", "supervisor",
	    MAX);
	family(f, "rt_supervisor_children_health", "gauge",
	    "Probed children of the supervisors of a spec, by the answer "
	    "to their last health probe.");
	for (i = 0; i < m->sups.n; i++)
		health_samples(f, &m->sups.at[i]);
}

int
rt_metrics_write(rt_system *sys, FILE *out)
{
	struct metrics *m;
	rt_stats early, st;
	int rc;

	if (sys == NULL || out == NULL)
		return RT_EINVAL;
	/*
	 * The dead letters by cause before their total: a dropped or
	 * expired one is counted after the total (deadletter.c), so the
	 * total read after them is not behind them where stores are seen in
	 * order (x86); elsewhere write_all's clamp keeps the rest from going
	 * below zero. The fence orders the two reads of the counters
	 * (relaxed loads in rt_stats_system).
	 */
	rt_stats_system(sys, &early);
	ck_pr_fence_load();
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return RT_ENOMEM;
	rc = rti_obs_walk(sys, false, visit, m);
	if (rc == 0) {
		sort_table(&m->kinds);
		sort_table(&m->sups);
		rt_stats_system(sys, &st);
		write_all(out, sys, &early, &st, m);
		if (fflush(out) != 0 || ferror(out))
			rc = RT_EIO;
	}
	free(m->kinds.at);
	free(m->sups.at);
	free(m);
	return rc;
}
