/* SPDX-License-Identifier: MIT */
/*
 * The walk behind rt_system_dump and rt_metrics_write: every live actor of
 * a system, read while the workers run, without stopping any of them.
 *
 * Why it is safe. Cells are never freed while the system lives (cell.h),
 * so any cell may be read at any time; what is read about an actor is
 * then checked against its generation, and dropped if the actor stopped
 * or its cell changed hands meanwhile. The trees are read from the roots
 * (copied from sys->roots under its lock) down through each supervisor's
 * table of children, which any thread may read (supervisor_api.c): its
 * slots are atomic, a slot's gen is its sequence word, and the table is
 * never freed before the system. A child's path is rebuilt from the specs
 * (static) and its slot's number, never read from the child's extension,
 * whose path the child's final stop frees at any moment. A node's figures
 * come from rt_stats_actor, which reads the generation again after them;
 * its kind, restart count and a supervisor's spec are read before that
 * call, after an acquire of the generation, so the same check covers
 * them. The actors outside the trees are found by visiting every carved
 * cell (rti_cell_dir_view), without the directory's lock.
 *
 * The only locks taken: sys->lock to copy the roots, the directory's for
 * the two words of its view, and the registry's for an actor that has a
 * name; each for an instant, and none while the visitor runs. A set of
 * the cells already visited keeps an actor from being listed twice (a
 * child found again in a recycled cell) and bounds the walk.
 *
 * A capped walk (the observer's page, which draws at most so many
 * children of a supervisor) reads only what it shows: the first children
 * of each supervisor and the first actors outside the trees, and of the
 * others only the supervisors' slots, to count them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bonds.h"
#include "cell.h"
#include "observe_int.h"
#include "registry_int.h"
#include "supervisor_int.h"
#include "system_int.h"

/* Deeper than any tree a spec declares: a bound on the recursion. */
#define MAX_DEPTH 256

struct walk {
	rt_system *sys;
	bool paths;
	rti_obs_visit_fn visit;
	void *arg;
	int err;
	rt_cell **seen; /* open addressing; NULL: empty */
	size_t nseen, mask;
	uint32_t max;   /* children per supervisor, actors outside; 0: all */
	uint32_t loose; /* actors outside the trees visited */
	bool more;      /* some outside the trees were left out */
};

/* --- the cells already visited ------------------------------------------- */

static size_t
slot_of(const struct walk *wk, const rt_cell *cell)
{
	uint64_t h = (uint64_t)(uintptr_t)cell * UINT64_C(0x9e3779b97f4a7c15);

	return (size_t)(h >> 32) & wk->mask;
}

static bool
seen(const struct walk *wk, const rt_cell *cell)
{
	size_t i;

	if (wk->seen == NULL)
		return false;
	for (i = slot_of(wk, cell); wk->seen[i] != NULL; i = (i + 1) & wk->mask)
		if (wk->seen[i] == cell)
			return true;
	return false;
}

static void
seen_put(struct walk *wk, rt_cell *cell)
{
	size_t i;

	for (i = slot_of(wk, cell); wk->seen[i] != NULL; i = (i + 1) & wk->mask)
		;
	wk->seen[i] = cell;
	wk->nseen++;
}

/* Note that `cell` was visited: false for lack of memory. */
static bool
seen_add(struct walk *wk, rt_cell *cell)
{
	if (wk->seen == NULL || 2 * (wk->nseen + 1) > wk->mask + 1) {
		size_t cap = wk->seen != NULL ? 2 * (wk->mask + 1) : 64, i;
		rt_cell **old = wk->seen, **bigger;
		size_t oldcap = old != NULL ? wk->mask + 1 : 0;

		bigger = calloc(cap, sizeof(*bigger));
		if (bigger == NULL)
			return false;
		wk->seen = bigger;
		wk->mask = cap - 1;
		wk->nseen = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i] != NULL)
				seen_put(wk, old[i]);
		free(old);
	}
	seen_put(wk, cell);
	return true;
}

/* --- one actor ------------------------------------------------------------ */

/*
 * Read what can be read about incarnation `ref` (whose generation the
 * caller has acquired) into *nd: false when it has stopped meanwhile.
 * *stopping: a supervisor stopping its children.
 */
static bool
read_node(rt_ref ref, struct rti_obs_node *nd, bool *stopping)
{
	struct rti_ext *x;

	memset(nd, 0, sizeof(*nd));
	nd->ref = ref;
	/* Relaxed: stored at spawn, before the generation the caller
	 * acquired was published (cell.h). */
	nd->kind = ck_pr_load_ptr(&ref.cell->kind);
	/* Acquire (rti_ext_peek): the extension's fields as made. */
	x = rti_ext_peek(ref.cell);
	*stopping = false;
	if (x != NULL) {
		/* Relaxed: statistics, checked by the generation below;
		 * `stashed` is the owner's relaxed store (actor.c). */
		nd->restarts = RT_LOAD_RELAXED(&x->restarts);
		nd->stashed = RT_LOAD_RELAXED(&x->stashed);
		if (nd->kind == &rti_sup_class) {
			/* Relaxed: set before the supervisor's ref was
			 * published (supervisor_api.c). */
			nd->spec = ck_pr_load_ptr(&x->spec);
			*stopping = ck_pr_load_32(&x->sup_stopping) != 0;
		}
	}
	/* Its figures, and a second look at the generation after all the
	 * loads above (rt_stats_actor fences before it). */
	if (nd->kind == NULL || rt_stats_actor(ref, &nd->stats) != 0)
		return false;
	/* The stash was read a moment before the depth: never show more
	 * stashed than waiting. */
	if (nd->stashed > nd->stats.depth)
		nd->stashed = nd->stats.depth;
	return true;
}

/* The node's registered name (with paths); false for lack of memory. */
static bool
find_name(struct walk *wk, rt_ref ref, char **name)
{
	*name = NULL;
	if (!wk->paths)
		return true;
	if (rti_registry_name(wk->sys->registry, ref, name) != 0) {
		wk->err = RT_ENOMEM;
		return false;
	}
	return true;
}

/* --- the trees -------------------------------------------------------------- */

/*
 * How many children of supervisor `sup` (spec `spec`, `n` slots) a walk
 * capped at `max` leaves out: the slots are read (atomic words, no
 * actor's figures), the children are not.
 */
static uint32_t
kids_beyond(rt_ref sup, const rt_sup_spec *spec, uint32_t n, uint32_t max)
{
	bool simple = spec->strategy == RT_SIMPLE_ONE_FOR_ONE;
	struct rti_kid_view v;
	uint32_t i, live = 0;

	for (i = 0; i < n; i++)
		if ((simple || i < spec->nchildren) &&
		    rti_sup_kid_read(sup, i, &v))
			live++;
	return live > max ? live - max : 0;
}

/*
 * Visit the actor `ref`, child `name` (number: of a simple_one_for_one
 * supervisor) of the node whose path is `parent` (NULL: a root), then its
 * children if it is a supervisor. `state` and `health`: what its
 * supervisor says.
 */
static void
tree(struct walk *wk, rt_ref ref, const char *parent, const char *name,
    uint64_t number, uint32_t depth, const char *state, const char *health)
{
	const rt_sup_spec *spec;
	struct rti_obs_node nd;
	char *path = NULL, *reg = NULL;
	bool stopping;
	uint32_t i, n, shown;

	if (wk->err != 0 || depth > MAX_DEPTH || seen(wk, ref.cell) ||
	    !read_node(ref, &nd, &stopping))
		return;
	if (!seen_add(wk, ref.cell)) {
		wk->err = RT_ENOMEM;
		return;
	}
	spec = nd.spec;
	if (wk->paths) {
		if (parent == NULL)
			path = strdup(spec != NULL ? spec->name : "?");
		else
			path = rti_sup_path(parent, name, number);
		if (path == NULL) {
			wk->err = RT_ENOMEM;
			return;
		}
	}
	if (!find_name(wk, ref, &reg)) {
		free(path);
		return;
	}
	nd.path = path;
	nd.name = reg;
	nd.state = stopping ? "stopping" : state;
	nd.health = health;
	nd.depth = depth;
	nd.in_tree = true;
	n = spec != NULL ? rti_sup_kids_count(ref.cell) : 0;
	if (wk->max != 0 && spec != NULL)
		nd.omitted = kids_beyond(ref, spec, n, wk->max);
	wk->err = wk->visit(wk->arg, &nd);
	free(reg);
	for (i = 0, shown = 0; i < n && wk->err == 0; i++) {
		bool simple = spec->strategy == RT_SIMPLE_ONE_FOR_ONE;
		struct rti_kid_view v;

		if ((!simple && i >= spec->nchildren) ||
		    !rti_sup_kid_read(ref, i, &v))
			continue;
		if (wk->max != 0 && shown++ >= wk->max)
			break;
		tree(wk, v.ref, path, spec->children[simple ? 0 : i].name,
		    v.number, depth + 1, rti_sup_kid_state_name(v.state),
		    rti_sup_health_name(v.health));
	}
	free(path);
}

/* The root supervisors, in start order. */
static void
trees(struct walk *wk)
{
	rt_system *sys = wk->sys;
	rt_ref *roots = NULL;
	uint32_t i, n;

	pthread_mutex_lock(&sys->lock);
	n = sys->nroots;
	if (n > 0 && (roots = malloc(n * sizeof(*roots))) != NULL)
		memcpy(roots, sys->roots, n * sizeof(*roots));
	pthread_mutex_unlock(&sys->lock);
	if (n > 0 && roots == NULL) {
		wk->err = RT_ENOMEM;
		return;
	}
	for (i = 0; i < n && wk->err == 0; i++)
		if (rt_actor_alive(roots[i]))
			tree(wk, roots[i], NULL, NULL, 0, 0, "running", NULL);
	free(roots);
}

/* --- the others -------------------------------------------------------------- */

static void
loose(struct walk *wk, rt_cell *cell)
{
	/* Acquire: what the spawn stored before it (read_node). */
	uint64_t gen = rti_cell_gen(cell);
	rt_ref ref = { cell, gen };
	struct rti_obs_node nd;
	struct rti_ext *x;
	char *reg;
	bool stopping;

	if ((gen & 1) == 0 || seen(wk, cell))
		return;
	/* A member of a tree that the walk did not reach (it joined the
	 * tree during the walk): not an actor outside the trees. The
	 * pointer is only compared, never followed (its owner frees it). */
	x = rti_ext_peek(cell);
	if (x != NULL && ck_pr_load_ptr(&x->path) != NULL)
		return;
	if (wk->max != 0 && wk->loose >= wk->max) {
		wk->more = true;
		return;
	}
	if (!read_node(ref, &nd, &stopping) || !find_name(wk, ref, &reg))
		return;
	wk->loose++;
	nd.name = reg;
	nd.state = stopping ? "stopping" : "running";
	wk->err = wk->visit(wk->arg, &nd);
	free(reg);
}

/* Every cell carved when the walk began. */
static void
others(struct walk *wk)
{
	struct rti_cell_chunk *c;
	unsigned i, n;

	rti_cell_dir_view(&wk->sys->cells, &c, &n);
	for (; c != NULL && wk->err == 0 && !wk->more; c = c->next) {
		for (i = 0; i < n && wk->err == 0 && !wk->more; i++)
			loose(wk, &c->cells[i]);
		/* The older chunks are full. */
		if (c->next != NULL)
			n = c->next->ncells;
	}
}

int
rti_obs_walk_capped(rt_system *sys, bool paths, uint32_t max,
    rti_obs_visit_fn visit, void *arg, bool *more)
{
	struct walk wk;

	memset(&wk, 0, sizeof(wk));
	wk.sys = sys;
	wk.paths = paths;
	wk.visit = visit;
	wk.arg = arg;
	wk.max = max;
	trees(&wk);
	if (wk.err == 0)
		others(&wk);
	free(wk.seen);
	if (more != NULL)
		*more = wk.more;
	return wk.err;
}

int
rti_obs_walk(rt_system *sys, bool paths, rti_obs_visit_fn visit, void *arg)
{
	return rti_obs_walk_capped(sys, paths, 0, visit, arg, NULL);
}

/* --- escaping ------------------------------------------------------------------ */

/*
 * The length of the well-formed UTF-8 sequence at `s` (1 to 4), with its
 * code point in *cp; 0 when the byte at `s` does not begin one (a stray
 * continuation byte, an overlong form, a surrogate, past U+10FFFF, cut
 * short).
 */
static size_t
utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t len, i;
	uint32_t c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		/* The NUL at the end is not a continuation byte either. */
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

void
rti_obs_put(FILE *out, const char *s, enum rti_obs_style style)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		uint32_t cp;
		size_t len = utf8_seq(p, &cp);

		if (len == 0) {
			if (style == RTI_OBS_TEXT)
				fprintf(out, "\\x%02x", *p);
			else if (style == RTI_OBS_JSON)
				fputs("\\ufffd", out);
			else
				fputs("\xef\xbf\xbd", out);
			p++;
			continue;
		}
		if (cp == '\\' || (cp == '"' && style != RTI_OBS_TEXT)) {
			fputc('\\', out);
			fputc((int)cp, out);
		} else if (cp == '\n' && style != RTI_OBS_TEXT) {
			fputs("\\n", out);
		} else if (cp < 0x20 || cp == 0x7f) {
			/* A label value may hold them as they are; JSON and
			 * a person's terminal may not. */
			if (style == RTI_OBS_JSON)
				fprintf(out, "\\u%04x", (unsigned)cp);
			else if (style == RTI_OBS_TEXT)
				fprintf(out, "\\x%02x", (unsigned)cp);
			else
				fputc((int)cp, out);
		} else {
			fwrite(p, 1, len, out);
		}
		p += len;
	}
}
