/* SPDX-License-Identifier: MIT */
/*
 * Supervisors in the C emitter (DESIGN.md §3, `supervisor S`;
 * emit_c_int.h). In the header: their typed refs (beside the actors'),
 * one comment on what their functions do, then per supervisor its
 * strategy in a line, its spec, start function, child lookups and, for
 * simple_one_for_one, its typed start_child (with a macro that makes
 * arguments of the wrong type a hard error), or else the poisoned name of
 * the start_child it does not have (emit_c_poison.c), and the management
 * calls every supervisor has. In the source, per
 * supervisor the static arguments of its children (their values mapped to
 * the .rtp with #line, as the user wrote them), its table of
 * rt_child_spec, its rt_sup_spec and the functions, which wrap
 * rt_sup_start, rt_sup_child, rt_sup_start_child, rt_sup_terminate_child,
 * rt_sup_restart_child and rt_sup_which_children
 * (include/rt/supervisor.h). A child that is a supervisor points to that
 * supervisor's spec, which the header declares, so specs may come in any
 * order.
 */
#include "emit_c_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

void
emit_sup_refs_h(struct emit *e)
{
	emit_refs_h(e, AST_D_SUPERVISOR,
	    "/* References to supervisors, one "
	    "type per supervisor. */\n");
}

/* Is sup simple_one_for_one? Its one "child" is then the template. */
static bool
simple(const ast_decl *sup)
{
	return sup->strategy == AST_STRATEGY_SIMPLE_ONE_FOR_ONE;
}

/* The actor or supervisor child c is one of. */
static const ast_decl *
kind_of(const ast_clause *c)
{
	return c->child_of->target;
}

/* A duration as C: RT_SEC(n), RT_MS(n), ... with the largest unit that
 * divides it, or RT_FOREVER. */
static const char *
dur_c(char *buf, size_t size, int64_t ns)
{
	static const struct {
		int64_t scale;
		const char *macro;
	} units[] = { { INT64_C(1000000000), "RT_SEC" },
		{ INT64_C(1000000), "RT_MS" }, { INT64_C(1000), "RT_US" } };
	size_t i;

	if (ns < 0)
		return "RT_FOREVER";
	if (ns == 0)
		return "0";
	for (i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (ns % units[i].scale == 0) {
			snprintf(buf, size, "%s(%" PRId64 ")", units[i].macro,
			    ns / units[i].scale);
			return buf;
		}
	snprintf(buf, size, "RT_NS(%" PRId64 ")", ns);
	return buf;
}

/* What the functions of the unit's supervisors do, once before the
 * first: start and spec, then the child lookups when a supervisor has
 * them, and start_child when one is simple_one_for_one. */
static void
sups_text_h(struct emit *e)
{
	bool lookups = false, start_child = false;
	const ast_decl *sup;

	for (sup = e->unit->decls; sup != NULL; sup = sup->next)
		if (sup->kind == AST_D_SUPERVISOR) {
			start_child = start_child || simple(sup);
			lookups = lookups || !simple(sup);
		}
	emit_print(e, NULL,
	    "/*\n * Supervisors. P_S_start starts S as a root "
	    "supervisor, and through it\n * its children in order, and "
	    "stores its ref in *out (out may be NULL);\n * it returns 0, "
	    "RT_EINVAL, RT_ESTART (a child failed to start: those\n"
	    " * started are stopped), RT_ESHUTDOWN or RT_ENOMEM. P_S_spec is "
	    "its spec,\n * for rt_sup_start or as the child of another "
	    "supervisor.\n");
	if (lookups)
		emit_print(e, NULL,
		    " * P_S_c is the ref of its child c: the "
		    "same across the child's restarts,\n * zeroed while the "
		    "child is not started or when s is no live supervisor.\n");
	if (start_child)
		emit_print(e, NULL,
		    " * P_S_start_child, of a simple_one_for_one "
		    "S, starts a child from its\n * template with a copy of "
		    "args (NULL: all zero) and stores its ref in\n * *out "
		    "(out may be NULL); it returns 0, RT_EINVAL, RT_ESTART "
		    "(its first\n * start failed: it is not restarted), "
		    "RT_ENOACTOR, RT_ESHUTDOWN or\n * RT_ENOMEM. A plain "
		    "thread waits until the first start is over; an\n * actor "
		    "does not, and learns of a failed one by a down. Once "
		    "started,\n * the child is restarted on its own by the "
		    "template's policy. A\n * compound literal with commas in "
		    "it needs parentheses as args.\n");
	emit_print(e, NULL,
	    " * P_S_terminate_child, P_S_restart_child and "
	    "P_S_which_children are\n * rt_sup_terminate_child, "
	    "rt_sup_restart_child and rt_sup_which_children\n * "
	    "(rt/supervisor.h) for S: stop a child and keep it stopped, "
	    "start it\n * again, list the children with their restart "
	    "counts.\n */\n\n");
}

/* The comment on supervisor sup: its strategy, intensity and backoff. */
static void
comment_h(struct emit *e, const ast_decl *sup)
{
	struct emit_vars v = { .S = sup->name,
		.strategy = ast_strategy_keyword(sup->strategy) };
	char a[64], b[64], c[64], n[EMIT_NUM];

	v.intensity = emit_num(n, sup->intensity);
	v.period = ast_duration_text(a, sizeof(a), sup->period);
	if (sup->backoff_max > 0) {
		v.backoff_min = ast_duration_text(b, sizeof(b),
		    sup->backoff_min);
		v.backoff_max = ast_duration_text(c, sizeof(c),
		    sup->backoff_max);
		emit_comment(e, &v,
		    "Supervisor $S$ (see \"Supervisors\" "
		    "above): $strategy$, at most $intensity$ restarts within "
		    "$period$, restarts delayed from $backoff_min$, doubling, "
		    "up to $backoff_max$.");
	} else {
		emit_comment(e, &v,
		    "Supervisor $S$ (see \"Supervisors\" "
		    "above): $strategy$, at most $intensity$ restarts within "
		    "$period$.");
	}
}

/* The typed start_child of simple_one_for_one supervisor sup, whose
 * template is of actor w, and its type-checking macro. */
static void
start_child_h(struct emit *e, const ast_decl *sup, const ast_decl *w)
{
	struct emit_vars v = { .P = e->p,
		.S = sup->name,
		.K = w->name,
		.KP = ast_prefix(w) };
	char name[512], type[512], args[512];

	emit_wrapped(e, &v,
	    "int $P$_$S$_start_child($P$_$S$_ref s, const "
	    "$KP$_$K$_args *args, $KP$_$K$_ref *out);\n");
	emit_print(e, NULL,
	    "#ifndef __cplusplus\n/* Make args or out of the "
	    "wrong type a hard error. */\n");
	emit_sprint(name, sizeof(name), &v, "$P$_$S$_start_child");
	emit_sprint(type, sizeof(type), &v, "$KP$_$K$_args");
	emit_sprint(args, sizeof(args), &v,
	    ", _Generic((out), $KP$_$K$_ref *: "
	    "(out), void *: (out))");
	emit_checked_macro(e, name, "s, ", "(s), ", "args", type, true, ", out",
	    args);
	emit_print(e, NULL, "#endif\n");
}

/* The management calls of supervisor sup. */
static void
manage_h(struct emit *e, const ast_decl *sup)
{
	struct emit_vars v = { .P = e->p, .S = sup->name };

	emit_wrapped(e, &v,
	    "int $P$_$S$_terminate_child($P$_$S$_ref s, rt_ref child);\n");
	emit_wrapped(e, &v,
	    "int $P$_$S$_restart_child($P$_$S$_ref s, rt_ref child);\n");
	emit_wrapped(e, &v,
	    "int $P$_$S$_which_children($P$_$S$_ref s, rt_child_info *out, "
	    "size_t n);\n");
}

void
emit_sups_h(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *sup;
	bool first = true;
	size_t i;

	for (sup = e->unit->decls; sup != NULL; sup = sup->next) {
		if (sup->kind != AST_D_SUPERVISOR)
			continue;
		if (first)
			sups_text_h(e);
		first = false;
		comment_h(e, sup);
		v.S = sup->name;
		emit_print(e, &v, "extern const rt_sup_spec $P$_$S$_spec;\n");
		emit_wrapped(e, &v,
		    "int $P$_$S$_start(rt_system *sys, "
		    "$P$_$S$_ref *out);\n");
		manage_h(e, sup);
		if (simple(sup)) {
			start_child_h(e, sup, kind_of(sup->children[0]));
			emit_print(e, NULL, "\n");
			continue;
		}
		for (i = 0; i < sup->nchildren; i++) {
			const ast_clause *c = sup->children[i];
			const ast_decl *k = kind_of(c);

			v.C = c->names->name;
			v.KP = ast_prefix(k);
			v.K = k->name;
			emit_wrapped(e, &v,
			    "$KP$_$K$_ref $P$_$S$_$C$($P$_$S$_ref "
			    "s);\n");
		}
		emit_poison_start_child_h(e, sup);
	}
}

/* The C value of argument a, for its field. */
static void
arg_value(struct emit *e, const ast_arg *a)
{
	const ast_type *t = &a->field->type;
	bool f32 = t->kind == AST_T_F32;
	struct emit_vars v = { .text = a->text };
	char buf[64], n[EMIT_NUM], *up;

	switch (a->kind) {
	case AST_V_STRING:
		emit_print(e, NULL, "\"");
		emit_put_cstring(e, a->text);
		emit_print(e, NULL, "\"");
		return;
	case AST_V_FLOAT:
		v.suffix = f32 ? "f" : "";
		emit_print(e, &v, "$text$$suffix$");
		return;
	case AST_V_DURATION:
		emit_print(e, NULL, dur_c(buf, sizeof(buf), (int64_t)a->num));
		return;
	case AST_V_NAME:
		if (t->kind == AST_T_BOOL) {
			emit_print(e, &v, "$text$");
			return;
		}
		up = emit_upper(a->text);
		v.EP = ast_prefix(t->target);
		v.E = t->target->name;
		v.V = up;
		emit_print(e, &v, "$EP$_$E$_$V$");
		free(up);
		return;
	case AST_V_INT:
		break;
	}
	if (a->negative && a->num == UINT64_C(9223372036854775808)) {
		/* -9223372036854775808 would be a negated unsigned. */
		emit_print(e, NULL, "(-9223372036854775807 - 1)");
		return;
	}
	v.sign = a->negative ? "-" : "";
	v.N = emit_num(n, a->num);
	v.suffix = t->kind == AST_T_F32 ? ".0f" :
	    t->kind == AST_T_F64        ? ".0" :
	    a->num > INT64_MAX          ? "u" :
					  "";
	emit_print(e, &v, "$sign$$N$$suffix$");
}

/* The static arguments of sup's children that have some. */
static void
args_c(struct emit *e, const ast_decl *sup)
{
	struct emit_vars v = { .P = e->p, .S = sup->name };
	const ast_arg *a;
	size_t i;

	for (i = 0; i < sup->nchildren; i++) {
		const ast_clause *c = sup->children[i];
		const ast_decl *k = kind_of(c);

		if (c->args == NULL)
			continue;
		v.C = c->names->name;
		v.KP = ast_prefix(k);
		v.K = k->name;
		emit_src(e, &c->loc);
		emit_print(e, &v,
		    "static const $KP$_$K$_args $P$_$S$_$C$_args "
		    "= {\n");
		for (a = c->args; a != NULL; a = a->next) {
			v.F = a->name;
			emit_src(e, &a->loc);
			emit_print(e, &v, "\t.$F$ = ");
			arg_value(e, a);
			emit_print(e, NULL, ",\n");
		}
		emit_print(e, NULL, "};\n");
	}
	emit_gen(e);
}

/* The table of sup's children, or of its template. */
static void
children_c(struct emit *e, const ast_decl *sup)
{
	static const char *const restarts[] = { "RT_PERMANENT", "RT_TRANSIENT",
		"RT_TEMPORARY" };
	struct emit_vars v = { .P = e->p, .S = sup->name };
	char buf[64];
	size_t i;

	emit_print(e, &v,
	    "static const rt_child_spec $P$_$S$_children[] = {\n");
	for (i = 0; i < sup->nchildren; i++) {
		const ast_clause *c = sup->children[i];
		const ast_decl *k = kind_of(c);

		v.C = c->names->name;
		v.KP = ast_prefix(k);
		v.K = k->name;
		v.restart = restarts[c->restart];
		v.shutdown = dur_c(buf, sizeof(buf), c->shutdown);
		emit_print(e, &v, "\t{\n\t\t.name = \"$C$\",\n");
		emit_print(e, &v,
		    k->kind == AST_D_ACTOR ?
			"\t\t.cls = &$KP$_$K$_class,\n\t\t.sup = NULL,\n" :
			"\t\t.cls = NULL,\n\t\t.sup = &$KP$_$K$_spec,\n");
		emit_print(e, &v,
		    c->args != NULL ? "\t\t.args = &$P$_$S$_$C$_args,\n" :
				      "\t\t.args = NULL,\n");
		emit_print(e, &v,
		    "\t\t.restart = $restart$,\n"
		    "\t\t.shutdown = $shutdown$,\n");
		if (c->health_every > 0) {
			char every[64], timeout[64];

			v.every = dur_c(every, sizeof(every), c->health_every);
			v.timeout = dur_c(timeout, sizeof(timeout),
			    c->health_timeout);
			emit_print(e, &v,
			    "\t\t.health_every = $every$,\n"
			    "\t\t.health_timeout = $timeout$,\n");
		}
		emit_print(e, NULL, "\t},\n");
	}
	emit_print(e, NULL, "};\n");
}

/* sup's rt_sup_spec. */
static void
spec_c(struct emit *e, const ast_decl *sup)
{
	static const char *const strategies[] = { "RT_ONE_FOR_ONE",
		"RT_ONE_FOR_ALL", "RT_REST_FOR_ONE", "RT_SIMPLE_ONE_FOR_ONE" };
	struct emit_vars v = { .P = e->p,
		.S = sup->name,
		.strategy = strategies[sup->strategy] };
	char a[64], b[64], c[64], n[EMIT_NUM], in[EMIT_NUM];

	v.intensity = emit_num(in, sup->intensity);
	v.period = dur_c(a, sizeof(a), (int64_t)sup->period);
	v.backoff_min = dur_c(b, sizeof(b), (int64_t)sup->backoff_min);
	v.backoff_max = dur_c(c, sizeof(c), (int64_t)sup->backoff_max);
	v.N = emit_num(n, sup->nchildren);
	emit_print(e, &v,
	    "const rt_sup_spec $P$_$S$_spec = {\n"
	    "\t.abi = RT_PROTOCOL_ABI,\n\t.name = \"$S$\",\n"
	    "\t.strategy = $strategy$,\n\t.intensity = $intensity$,\n"
	    "\t.period = $period$,\n\t.backoff_min = $backoff_min$,\n"
	    "\t.backoff_max = $backoff_max$,\n\t.nchildren = $N$,\n");
	emit_print(e, &v,
	    sup->nchildren > 0 ? "\t.children = $P$_$S$_children,\n};\n" :
				 "\t.children = NULL,\n};\n");
}

/* sup's start, and its child lookups or its start_child. */
static void
functions_c(struct emit *e, const ast_decl *sup)
{
	struct emit_vars v = { .P = e->p, .S = sup->name };
	char n[EMIT_NUM];
	size_t i;

	emit_wrapped(e, &v,
	    "\nint\n$P$_$S$_start(rt_system *sys, $P$_$S$_ref "
	    "*out)\n{\n\trt_ref ref;\n\tint r = rt_sup_start(sys, "
	    "&$P$_$S$_spec, &ref);\n\n\tif (r == 0 && out != NULL)\n"
	    "\t\tout->ref = ref;\n\treturn r;\n}\n");
	emit_wrapped(e, &v,
	    "\nint\n$P$_$S$_terminate_child($P$_$S$_ref s, rt_ref child)"
	    "\n{\n\treturn rt_sup_terminate_child(s.ref, child);\n}\n");
	emit_wrapped(e, &v,
	    "\nint\n$P$_$S$_restart_child($P$_$S$_ref s, rt_ref child)"
	    "\n{\n\treturn rt_sup_restart_child(s.ref, child);\n}\n");
	emit_wrapped(e, &v,
	    "\nint\n$P$_$S$_which_children($P$_$S$_ref s, rt_child_info "
	    "*out, size_t n)\n{\n\treturn rt_sup_which_children(s.ref, "
	    "out, n);\n}\n");
	if (simple(sup)) {
		const ast_decl *w = kind_of(sup->children[0]);

		v.KP = ast_prefix(w);
		v.K = w->name;
		emit_wrapped(e, &v,
		    "\nint\n($P$_$S$_start_child)($P$_$S$_ref "
		    "s, const $KP$_$K$_args *args, $KP$_$K$_ref *out)\n{\n"
		    "\trt_ref ref;\n"
		    "\tint r = rt_sup_start_child(s.ref, args, &ref);\n\n"
		    "\tif (r == 0 && out != NULL)\n\t\tout->ref = ref;\n"
		    "\treturn r;\n}\n");
		return;
	}
	for (i = 0; i < sup->nchildren; i++) {
		const ast_clause *c = sup->children[i];
		const ast_decl *k = kind_of(c);

		v.C = c->names->name;
		v.KP = ast_prefix(k);
		v.K = k->name;
		v.N = emit_num(n, i);
		emit_wrapped(e, &v,
		    "\n$KP$_$K$_ref\n$P$_$S$_$C$($P$_$S$_ref s)"
		    "\n{\n\t$KP$_$K$_ref c;\n\n"
		    "\tc.ref = rt_sup_child(s.ref, $N$);\n\treturn c;\n}\n");
	}
}

void
emit_sups_c(struct emit *e)
{
	struct emit_vars v = { 0 };
	const ast_decl *sup;

	for (sup = e->unit->decls; sup != NULL; sup = sup->next) {
		if (sup->kind != AST_D_SUPERVISOR)
			continue;
		v.S = sup->name;
		emit_print(e, &v, "\n/* Supervisor $S$. */\n");
		args_c(e, sup);
		if (sup->nchildren > 0)
			children_c(e, sup);
		spec_c(e, sup);
		functions_c(e, sup);
	}
}
