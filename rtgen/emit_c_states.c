/* SPDX-License-Identifier: MIT */
/*
 * State machines in the C emitter (emit_c_int.h): an actor with `states`.
 * In the header: the enum P_A_state_t, P_A_become and P_A_current, and the
 * macros that give the states the enum's type, so that a state of another
 * kind passed to P_A_become is a hard error (enum constants are ints in C,
 * which _Generic cannot tell apart). In the source: the struct the runtime
 * holds for such an actor (the user's state, then the current state), the
 * two functions, and the test in the dispatch that postpones a message the
 * current state does not accept (rt_stash, in the actor's own stash).
 */
#include "emit_c_int.h"

#include <stdlib.h>

/* Does any `accept ... in` restrict a message of A? */
bool
emit_states_restricted(const ast_decl *a)
{
	size_t i;

	if (a->accept_in == NULL)
		return false;
	for (i = 0; i < a->naccepts; i++)
		if (a->accept_in[i] != NULL)
			return true;
	return false;
}

/* The number of states of A. */
static size_t
nstates(const ast_decl *a)
{
	const ast_name *v;
	size_t n = 0;

	for (v = a->states->names; v != NULL; v = v->next)
		n++;
	return n;
}

void
emit_states_h(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	const ast_name *st;
	char n[EMIT_NUM];
	size_t i = 0;

	if (a->states == NULL)
		return;
	emit_comment(e, &v,
	    "The states of $A$ (`states`), the first its initial one, "
	    "in which it starts and restarts. In a handler or hook of $A$, "
	    "$P$_$A$_become(ctx, s) moves it to state s: when s is not "
	    "the current state, the messages postponed because their "
	    "state had not come (`accept M in ...`) are handled again "
	    "once the handler returns, in their order and before any "
	    "newer message, and each is postponed again if s does not "
	    "accept it either. Becoming the current state does nothing. "
	    "$P$_$A$_current(self) is the state of the actor whose "
	    "handler got self. In C, the states are constants of type "
	    "$P$_$A$_state_t and a macro makes passing another kind's "
	    "state to $P$_$A$_become a hard error.");
	emit_src(e, &a->states->loc);
	emit_print(e, &v, "typedef enum $P$_$A$_state_t {\n");
	for (st = a->states->names; st != NULL; st = st->next) {
		char *u = emit_upper(st->name);

		v.V = u;
		v.N = emit_num(n, i++);
		v.sep = st->next != NULL ? "," : "";
		emit_print(e, &v, "\t$P$_$A$_$V$ = $N$$sep$\n");
		free(u);
	}
	emit_print(e, &v, "} $P$_$A$_state_t;\n");
	emit_gen(e);
	emit_wrapped(e, &v,
	    "void $P$_$A$_become(rt_ctx *ctx, $P$_$A$_state_t s);\n");
	emit_wrapped(e, &v,
	    "$P$_$A$_state_t $P$_$A$_current(const $P$_$A$ *self);\n");
	emit_print(e, NULL, "#ifndef __cplusplus\n");
	i = 0;
	for (st = a->states->names; st != NULL; st = st->next) {
		char *u = emit_upper(st->name);

		v.V = u;
		v.N = emit_num(n, i++);
		emit_print(e, &v,
		    "#define $P$_$A$_$V$ (($P$_$A$_state_t)$N$)\n");
		free(u);
	}
	emit_print(e, &v,
	    "#define $P$_$A$_become(ctx, s) \\\n"
	    "\t($P$_$A$_become)((ctx), _Generic((s), $P$_$A$_state_t: (s)))\n"
	    "#endif\n");
}

void
emit_states_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	char n[EMIT_NUM];

	if (a->states == NULL)
		return;
	v.N = emit_num(n, nstates(a));
	emit_print(e, &v,
	    "/* $A$ as the runtime holds it: the user's state, then its "
	    "current state. */\n"
	    "struct $P$_$A$_fsm_ {\n\t$P$_$A$ self;\n"
	    "\t$P$_$A$_state_t current;\n};\n\n");
	emit_wrapped(e, &v,
	    "void\n($P$_$A$_become)(rt_ctx *ctx, $P$_$A$_state_t s)\n{\n");
	emit_wrapped(e, &v,
	    "\tstruct $P$_$A$_fsm_ *m = rt_ctx_state(ctx, &$P$_$A$_class);\n");
	emit_print(e, &v,
	    "\n\tif (m == NULL || (unsigned)s >= $N$u || m->current == s)\n"
	    "\t\treturn;\n\tm->current = s;\n"
	    "\t/* What waited for a change of state is tried again. */\n"
	    "\t(void)rt_unstash_all(ctx);\n}\n\n");
	emit_wrapped(e, &v,
	    "$P$_$A$_state_t\n$P$_$A$_current(const $P$_$A$ *self)\n{\n"
	    "\treturn ((const struct $P$_$A$_fsm_ *)(const void *)self)"
	    "->current;\n}\n\n");
}

void
emit_states_check_c(struct emit *e, const ast_decl *a, size_t i)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	const ast_clause *c = a->accept_in != NULL ? a->accept_in[i] : NULL;
	const ast_name *st;
	bool first = true;

	if (c == NULL)
		return;
	emit_print(e, NULL, "\t\tif (");
	for (st = c->names; st != NULL; st = st->next) {
		char *u = emit_upper(st->name);

		v.V = u;
		v.sep = first ? "" : " &&\n\t\t    ";
		emit_print(e, &v, "$sep$now != $P$_$A$_$V$");
		free(u);
		first = false;
	}
	emit_print(e, NULL, ")\n\t\t\treturn rt_stash(ctx); /* postponed */\n");
}
