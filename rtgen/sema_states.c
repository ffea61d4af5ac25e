/* SPDX-License-Identifier: MIT */
/*
 * State machines: an actor's `states` and its `accept M in S, ...`
 * clauses. The states become the values of an enum, P_A_<STATE> in
 * capitals, so they follow the rules of enum values; each `accept` must
 * restrict a message the actor accepts, once, to states it declares; and
 * a state in which the actor accepts nothing is suspicious (whatever is
 * sent to it there waits), so it is warned about.
 */
#include "sema_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The words of the clauses of this file, for "did you mean". */
static const char *const clause_words[] = { "states", "accept", "accepts" };

/* A clause whose first word is no known one: report it, with the closest
 * known clause. */
static void
unknown_clause(struct sema *s, const ast_decl *actor, const ast_clause *c)
{
	sema_unknown_clause(s, actor, c->word->name, c->word->loc, clause_words,
	    sizeof(clause_words) / sizeof(*clause_words));
}

bool
sema_states_word(struct sema *s, const char *word, ast_loc loc)
{
	if (strcmp(word, "states") == 0)
		diag_error(s->d, loc,
		    "'states' needs the actor's states: 'states S1, S2, "
		    "...;' (the first is where it starts)");
	else if (strcmp(word, "accept") == 0)
		diag_error(s->d, loc,
		    "'accept' needs a message and its states: 'accept M in "
		    "S1, S2, ...;'");
	else
		return false;
	return true;
}

/* Is clause c (AST_C_STATES) the actor's `states`? Report it if not. A
 * list after `accept` lacks its `in`. */
bool
sema_states_clause(struct sema *s, const ast_decl *actor, const ast_clause *c)
{
	if (strcmp(c->word->name, "states") == 0)
		return true;
	if (strcmp(c->word->name, "accept") == 0) {
		diag_error(s->d, c->loc,
		    "'accept' restricts a message to states: write 'accept "
		    "%s in STATE, ...;' (or 'accepts %s;' to accept it in "
		    "every state)",
		    c->names->name, c->names->name);
		return false;
	}
	unknown_clause(s, actor, c);
	return false;
}

/* The states of `states`: each once, each a valid enum value distinct
 * from the others in C; `seen` gets them. */
static void
check_state_names(struct sema *s, const ast_decl *actor, struct symtab *seen)
{
	static const struct sema_upper_words words = { "state", "state",
		"states", "actor" };
	const ast_name *v;

	sema_check_upper_names(s, actor->states->names, &words, actor->name);
	for (v = actor->states->names; v != NULL; v = v->next)
		sema_symtab_put(seen, v->name, v);
}

/* The index in actor->accepts of message m, or naccepts. */
static size_t
accepted_at(const ast_decl *actor, const ast_decl *m)
{
	size_t i;

	for (i = 0; i < actor->naccepts; i++)
		if (actor->accepts[i]->target == m)
			break;
	return i;
}

/* The states of one `accept M in ...`: declared, each once. */
static void
check_accept_states(struct sema *s, const ast_decl *actor, const ast_clause *c,
    const struct symtab *states)
{
	struct symtab listed = { 0 };
	const ast_name *v, *prev;
	char buf[256];

	for (v = c->names; v != NULL; v = v->next) {
		const char **cands;
		const ast_name *st;
		const char *near;
		size_t n = 0;

		if (sema_symtab_get(states, v->name) == NULL) {
			for (st = actor->states->names; st != NULL;
			    st = st->next)
				n++;
			cands = ast_xrealloc(NULL, (n + 1) * sizeof(*cands));
			n = 0;
			for (st = actor->states->names; st != NULL;
			    st = st->next)
				cands[n++] = st->name;
			near = sema_closest(cands, n, v->name);
			diag_error(s->d, v->loc,
			    "unknown state '%s' of actor '%s'%s", v->name,
			    actor->name,
			    sema_did_you_mean(buf, sizeof(buf), near));
			diag_note(s->d, actor->states->loc,
			    "the states of '%s' are declared here",
			    actor->name);
			free(cands);
			continue;
		}
		prev = sema_symtab_put(&listed, v->name, v);
		if (prev != NULL) {
			diag_error(s->d, v->loc, "state '%s' is listed twice",
			    v->name);
			diag_note(s->d, prev->loc, "'%s' was first listed here",
			    v->name);
		}
	}
	sema_symtab_free(&listed);
}

/* One `accept M in ...` clause: its words, its message, its states. */
static void
check_accept(struct sema *s, ast_decl *actor, ast_clause *c,
    const struct symtab *states)
{
	const ast_decl *m;
	size_t i;

	if (strcmp(c->word->name, "accept") != 0) {
		unknown_clause(s, actor, c);
		return;
	}
	if (strcmp(c->word2->name, "in") != 0) {
		diag_error(s->d, c->word2->loc,
		    "expected 'in' after 'accept %s', not '%s'",
		    c->subject->name, c->word2->name);
		return;
	}
	if (actor->states == NULL) {
		diag_error(s->d, c->loc,
		    "'accept %s in ...' restricts a message to states, but "
		    "actor '%s' has no 'states' clause",
		    c->subject->name, actor->name);
		return;
	}
	m = sema_resolve_message(s, c->subject, "'accept' takes messages");
	if (m == NULL)
		return;
	i = accepted_at(actor, m);
	if (i == actor->naccepts) {
		diag_error(s->d, c->subject->loc,
		    "actor '%s' does not accept '%s'; 'accept ... in' only "
		    "restricts a message of its 'accepts' to states",
		    actor->name, c->subject->name);
		return;
	}
	if (actor->accept_in[i] != NULL) {
		diag_error(s->d, c->subject->loc,
		    "'%s' is restricted to states twice in actor '%s'",
		    c->subject->name, actor->name);
		diag_note(s->d, actor->accept_in[i]->loc,
		    "the first 'accept %s' is here", c->subject->name);
		return;
	}
	check_accept_states(s, actor, c, states);
	actor->accept_in[i] = c;
}

/* Does `accept` (a clause, or NULL: every state) let state `st` in? */
static bool
lets_in(const ast_clause *accept, const char *st)
{
	const ast_name *v;

	if (accept == NULL)
		return true;
	for (v = accept->names; v != NULL; v = v->next)
		if (strcmp(v->name, st) == 0)
			return true;
	return false;
}

/* A state in which the actor accepts no message: what is sent to it then
 * waits until it leaves, and it can only leave in a hook or a reply. */
static void
check_idle_states(struct sema *s, const ast_decl *actor)
{
	const ast_name *st;
	size_t i;

	for (st = actor->states->names; st != NULL; st = st->next) {
		for (i = 0; i < actor->naccepts; i++)
			if (lets_in(actor->accept_in[i], st->name))
				break;
		if (i == actor->naccepts)
			diag_warning(s->d, st->loc,
			    "actor '%s' accepts no message in state '%s' "
			    "(what is sent to it there is postponed until it "
			    "leaves '%s')",
			    actor->name, st->name, st->name);
	}
}

void
sema_check_states(struct sema *s, ast_decl *actor)
{
	struct symtab states = { 0 };
	ast_clause *c;
	unsigned before = s->d->errors;

	if (actor->states != NULL) {
		actor->accept_in = ast_xrealloc(NULL,
		    (actor->naccepts + 1) * sizeof(*actor->accept_in));
		memset(actor->accept_in, 0,
		    (actor->naccepts + 1) * sizeof(*actor->accept_in));
		check_state_names(s, actor, &states);
	}
	for (c = actor->clauses; c != NULL; c = c->next)
		if (c->kind == AST_C_ACCEPT)
			check_accept(s, actor, c, &states);
	if (actor->states != NULL && s->d->errors == before)
		check_idle_states(s, actor);
	sema_symtab_free(&states);
}
