/* SPDX-License-Identifier: MIT */
/*
 * The poisoned names of the C header (emit_c_poison.h), last before its
 * end: for each actor, `#pragma GCC poison` lines with the sends, calls,
 * asks and subscriptions it does not have, so that a call to one is a hard
 * error rather than a warning about an implicit declaration; and, among
 * the supervisors' declarations, the start_child of each supervisor that
 * is not simple_one_for_one. Past POISON_MAX names the header makes
 * implicit declarations errors instead (see "The poisoned names grow with
 * actors × messages" in doc/design-notes.md).
 */
#include "emit_c_int.h"
#include "emit_c_poison.h"

#include <stdlib.h>
#include <string.h>

const struct emit_poison emit_poisons[EMIT_POISON_KINDS] = {
#define EMIT_POISON_ROW(kind, verb, suffix, of) \
	{ verb, suffix, EMIT_POISON_OF_##of },
	EMIT_POISON_MAP(EMIT_POISON_ROW)
#undef EMIT_POISON_ROW
};

/*
 * Past this many poisoned names, the header makes calls to undeclared
 * functions errors instead: a protocol of 10,000 messages and 1,000 actors
 * would otherwise get a gigabyte of names, one per combination that does
 * not exist.
 */
#define POISON_MAX 200000

/* A set of kinds of names, a bit per enum emit_poison_kind. */
typedef unsigned poison_set;

#define POISON_BIT(k) ((poison_set)1 << (k))

/* A message or topic whose names may be poisoned: `all` are the kinds of
 * names that go with it, `lacking` those that an actor that accepts it
 * (or, for a topic, its message) still lacks. */
struct cand {
	const ast_decl *m;
	poison_set all, lacking;
};

static poison_set
kinds_of(const ast_decl *m)
{
	poison_set set = 0;
	size_t k;

	for (k = 0; k < EMIT_POISON_KINDS; k++) {
		bool with = false;

		switch (emit_poisons[k].of) {
		case EMIT_POISON_OF_MESSAGE:
			with = m->kind == AST_D_MESSAGE;
			break;
		case EMIT_POISON_OF_REQUEST:
			with = m->kind == AST_D_MESSAGE &&
			    emit_reply_of(m) != NULL;
			break;
		case EMIT_POISON_OF_TOPIC:
			with = m->kind == AST_D_TOPIC;
			break;
		}
		if (with)
			set |= POISON_BIT(k);
	}
	return set;
}

static size_t
count(poison_set set)
{
	size_t n = 0;

	for (; set != 0; set &= set - 1)
		n++;
	return n;
}

/* Does actor a accept a message named `name` (of any protocol)? */
static bool
accepts_named(const ast_decl *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->naccepts; i++)
		if (strcmp(a->accepts[i]->name, name) == 0)
			return true;
	return false;
}

/*
 * The messages and topics whose names the header poisons for the actors
 * that lack them: this unit's, then the messages of its imports. A bare
 * name that two messages share (shop.Order and common.Order) makes one
 * set of function names: it is poisoned once, and not at all for an actor
 * that accepts either. `shared` gets the messages whose name another has,
 * `skip` those whose names an earlier one poisons already; *n is how many
 * there are.
 */
static struct cand *
candidates(const struct emit *e, size_t *n, struct emit_pset *shared,
    struct emit_pset *skip)
{
	struct emit_dlist l = { 0 };
	struct emit_pset seen = { 0 };
	struct cand *c;
	const ast_decl *d;
	size_t i, j;

	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE || d->kind == AST_D_TOPIC)
			emit_dlist_add(&l, &seen, d);
	j = l.len;
	for (i = 0; i < e->unit->nimports; i++)
		for (d = e->unit->imports[i]->decls; d != NULL; d = d->next)
			if (d->kind == AST_D_MESSAGE)
				emit_dlist_add(&l, &seen, d);
	emit_pset_clear(&seen);
	/* Only imported names can be shared: this unit's are unique. */
	for (i = j; i < l.len; i++)
		for (j = 0; j < i; j++) {
			if (l.at[j]->kind != AST_D_MESSAGE ||
			    strcmp(l.at[i]->name, l.at[j]->name) != 0)
				continue;
			emit_pset_add(shared, l.at[i]);
			emit_pset_add(shared, l.at[j]);
			emit_pset_add(skip, l.at[i]);
		}
	c = ast_xmalloc((l.len + 1) * sizeof(*c));
	for (i = 0; i < l.len; i++) {
		const ast_decl *m = l.at[i];

		c[i].m = m;
		c[i].all = kinds_of(m);
		c[i].lacking = m->kind == AST_D_MESSAGE &&
			!emit_every_allowed(m) ?
		    POISON_BIT(EMIT_POISON_SEND_EVERY) :
		    0;
	}
	*n = l.len;
	free(l.at);
	return c;
}

/* The comment on the poisoned names; `topics`: the unit declares some. */
static void
poison_comment(struct emit *e, bool topics)
{
	emit_print(e, NULL,
	    "/*\n * Sends, calls, asks and expectations that do "
	    "not exist: an actor accepts\n * only the messages of its "
	    "'accepts' clauses (and has no _every send of\n * a message with "
	    "C-typed fields), a probe of it expects only those, and\n * only "
	    "requests have calls and asks. Poisoning the names of the other\n"
	    " * combinations makes a call to one a hard error, not just a "
	    "warning\n * about an implicit declaration.");
	if (topics)
		emit_print(e, NULL,
		    "\n * Likewise an actor subscribes only to the "
		    "topics whose message it\n * accepts.");
	emit_print(e, NULL, "\n */\n");
}

/* Add name P_A_<verb>_M<suffix> to a #pragma GCC poison line, starting
 * or wrapping it; *col is the line's width so far (0: none started). */
static void
poison_name(struct emit *e, size_t *col, const ast_decl *a, const ast_decl *m,
    enum emit_poison_kind k)
{
	const struct emit_poison *pn = &emit_poisons[k];
	struct emit_vars v = { .P = e->p,
		.A = a->name,
		.M = m->name,
		.verb = pn->verb,
		.suffix = pn->suffix };
	size_t len = strlen(e->p) + strlen(a->name) + strlen(pn->verb) +
	    strlen(m->name) + strlen(pn->suffix) + 4;

	if (*col == 0) {
		emit_print(e, NULL, "#pragma GCC poison");
		*col = 18;
	} else if (*col + len > 76) {
		emit_print(e, NULL, " \\\n\t");
		*col = 8;
	}
	emit_print(e, &v, " $P$_$A$_$verb$_$M$$suffix$");
	*col += len;
}

/*
 * Walk the names to poison, actor by actor: with `emit`, write them, a
 * #pragma line per actor; either way, return how many names there are.
 */
/* The set of names that pool w lacks for candidate c: a pool has a send
 * of each message its member kind accepts, and a call and an ask of each
 * such request unless it broadcasts; no twins, no subscriptions. */
static poison_set
pool_lacks(const ast_decl *w, const struct cand *c,
    const struct emit_pset *shared)
{
	const poison_set has = POISON_BIT(EMIT_POISON_SEND) |
	    POISON_BIT(EMIT_POISON_CALL) | POISON_BIT(EMIT_POISON_ASK);
	const poison_set asks = POISON_BIT(EMIT_POISON_CALL) |
	    POISON_BIT(EMIT_POISON_ASK);
	const ast_decl *k = w->member->target;

	if (c->m->kind == AST_D_TOPIC)
		return 0;
	if (ast_accepts(k, c->m) ||
	    (emit_pset_has(shared, c->m) && accepts_named(k, c->m->name)))
		return w->route_kind == AST_ROUTE_BROADCAST ? c->all & asks : 0;
	return c->all & has;
}

/*
 * Walk the names to poison, actor by actor, then pool by pool: with
 * `emit`, write them, a #pragma line per actor or pool; either way,
 * return how many names there are.
 */
static size_t
poison_walk(struct emit *e, const struct cand *cands, size_t ncands,
    const struct emit_pset *shared, const struct emit_pset *skip, bool emit)
{
	const ast_decl *a;
	size_t i, total = 0;
	bool any = false;

	for (a = e->unit->decls; a != NULL; a = a->next) {
		size_t col = 0;

		if (a->kind != AST_D_ACTOR && a->kind != AST_D_POOL)
			continue;
		for (i = 0; i < ncands; i++) {
			const ast_decl *m = cands[i].m;
			poison_set set;
			size_t k;
			bool accepted;

			if (emit_pset_has(skip, m))
				continue;
			if (a->kind == AST_D_POOL) {
				set = pool_lacks(a, &cands[i], shared);
			} else {
				accepted = ast_accepts(a,
				    m->kind == AST_D_TOPIC ?
					m->carries->target :
					m);
				if (!accepted && emit_pset_has(shared, m) &&
				    accepts_named(a, m->name))
					continue; /* it accepts the other one */
				set = accepted ? cands[i].lacking :
						 cands[i].all;
			}
			total += count(set);
			if (!emit || set == 0)
				continue;
			if (!any)
				poison_comment(e, emit_any_topic(e->unit));
			any = true;
			for (k = 0; k < EMIT_POISON_KINDS; k++)
				if (set & POISON_BIT(k))
					poison_name(e, &col, a, m,
					    (enum emit_poison_kind)k);
		}
		if (col != 0)
			emit_print(e, NULL, "\n");
	}
	if (any)
		emit_print(e, NULL, "\n");
	return total;
}

void
emit_poison_h(struct emit *e)
{
	struct emit_pset shared = { 0 }, skip = { 0 };
	struct cand *cands;
	size_t n;

	cands = candidates(e, &n, &shared, &skip);
	if (poison_walk(e, cands, n, &shared, &skip, false) <= POISON_MAX)
		poison_walk(e, cands, n, &shared, &skip, true);
	else
		emit_print(e, NULL,
		    "/*\n * Sends, calls and asks that do not "
		    "exist are not declared: this\n * protocol has too many "
		    "combinations of actors and messages to name\n * each one, "
		    "so a call to one is made an error here instead (C99\n * "
		    "removed implicit declarations; compilers only warn by "
		    "default).\n * It stays in force for the rest of the file "
		    "that includes this\n * header; with warnings off (-w), "
		    "such a call fails when linking.\n */\n"
		    "#pragma GCC diagnostic error "
		    "\"-Wimplicit-function-declaration\"\n\n");
	free(cands);
	emit_pset_clear(&shared);
	emit_pset_clear(&skip);
}

void
emit_poison_start_child_h(struct emit *e, const ast_decl *sup)
{
	struct emit_vars v = { .P = e->p, .S = sup->name };

	emit_print(e, &v,
	    "/* $S$ is not simple_one_for_one: it starts no "
	    "children at run time. */\n"
	    "#pragma GCC poison $P$_$S$_start_child\n\n");
}
