/* SPDX-License-Identifier: MIT */
/*
 * The supervisors of the C emitter (DESIGN.md §3, `supervisor S`): in the
 * header (after their typed refs, which emit_c_header.c writes beside the
 * actors'), one comment on what their functions do, then per supervisor
 * its strategy in a line, its spec, start function, child lookups and, for
 * simple_one_for_one, its typed start_child (with a macro that makes
 * arguments of the wrong type a hard error), or else the poisoned name of
 * the start_child it does not have. In the source, per supervisor the
 * static arguments of its children (their values mapped to the .rtp with
 * #line, as the user wrote them), its table of rt_child_spec, its
 * rt_sup_spec and the functions, which wrap rt_sup_start, rt_sup_child and
 * rt_sup_start_child (include/rt/supervisor.h). A child that is a
 * supervisor points to that supervisor's spec, which the header declares,
 * so specs may come in any order.
 */
#include "emit_c_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool
emit_any_supervisor(const ast_unit *unit)
{
	const ast_decl *d;

	for (d = unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_SUPERVISOR)
			return true;
	return false;
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
header_text(struct emit *e)
{
	bool lookups = false, start_child = false;
	const ast_decl *sup;

	for (sup = e->unit->decls; sup != NULL; sup = sup->next)
		if (sup->kind == AST_D_SUPERVISOR) {
			start_child = start_child || simple(sup);
			lookups = lookups || !simple(sup);
		}
	emit_out(e, "/*\n * Supervisors. P_S_start starts S as a root "
	    "supervisor, and through it\n * its children in order, and "
	    "stores its ref in *out (out may be NULL);\n * it returns 0, "
	    "RT_EINVAL, RT_ESTART (a child failed to start: those\n"
	    " * started are stopped), RT_ESHUTDOWN or RT_ENOMEM. P_S_spec is "
	    "its spec,\n * for rt_sup_start or as the child of another "
	    "supervisor.\n");
	if (lookups)
		emit_out(e, " * P_S_c is the ref of its child c: the same "
		    "across the child's restarts,\n * zeroed while the child "
		    "is not started or when s is no live supervisor.\n");
	if (start_child)
		emit_out(e, " * P_S_start_child, of a simple_one_for_one S, "
		    "starts a child from its\n * template with a copy of "
		    "args (NULL: all zero) and stores its ref in\n * *out "
		    "(out may be NULL); it returns 0, RT_EINVAL, RT_ESTART "
		    "(its first\n * start failed: it is not restarted), "
		    "RT_ENOACTOR, RT_ESHUTDOWN or\n * RT_ENOMEM. A plain "
		    "thread waits until the first start is over; an\n * actor "
		    "does not, and learns of a failed one by a down. Once "
		    "started,\n * the child is restarted on its own by the "
		    "template's policy. A\n * compound literal with commas in "
		    "it needs parentheses as args.\n");
	emit_out(e, " */\n\n");
}

/* The comment on supervisor sup: its strategy, intensity and backoff. */
static void
header_comment(struct emit *e, const ast_decl *sup)
{
	char a[64], b[64], c[64];

	if (sup->backoff_max > 0)
		emit_comment(e, "Supervisor %s (see \"Supervisors\" above): "
		    "%s, at most %" PRIu32 " restarts within %s, restarts "
		    "delayed from %s, doubling, up to %s.", sup->name,
		    ast_strategy_keyword(sup->strategy), sup->intensity,
		    ast_duration_text(a, sizeof(a), sup->period),
		    ast_duration_text(b, sizeof(b), sup->backoff_min),
		    ast_duration_text(c, sizeof(c), sup->backoff_max));
	else
		emit_comment(e, "Supervisor %s (see \"Supervisors\" above): "
		    "%s, at most %" PRIu32 " restarts within %s.", sup->name,
		    ast_strategy_keyword(sup->strategy), sup->intensity,
		    ast_duration_text(a, sizeof(a), sup->period));
}

/* The typed start_child of simple_one_for_one supervisor sup, whose
 * template is of actor w, and its type-checking macro. */
static void
header_start_child(struct emit *e, const ast_decl *sup, const ast_decl *w)
{
	const char *p = e->p, *s = sup->name, *wp = ast_prefix(w);
	char name[512], type[512], args[512];

	emit_wrapped(e, "int %s_%s_start_child(%s_%s_ref s, const %s_%s_args "
	    "*args, %s_%s_ref *out);\n", p, s, p, s, wp, w->name, wp,
	    w->name);
	emit_out(e, "#ifndef __cplusplus\n/* Make args or out of the wrong "
	    "type a hard error. */\n");
	snprintf(name, sizeof(name), "%s_%s_start_child", p, s);
	snprintf(type, sizeof(type), "%s_%s_args", wp, w->name);
	snprintf(args, sizeof(args), ", _Generic((out), %s_%s_ref *: (out), "
	    "void *: (out))", wp, w->name);
	emit_checked_macro(e, name, "s, ", "(s), ", "args", type, true,
	    ", out", args);
	emit_out(e, "#endif\n");
}

void
emit_sup_header(struct emit *e)
{
	const ast_decl *sup;
	bool first = true;
	size_t i;

	for (sup = e->unit->decls; sup != NULL; sup = sup->next) {
		if (sup->kind != AST_D_SUPERVISOR)
			continue;
		if (first)
			header_text(e);
		first = false;
		header_comment(e, sup);
		emit_out(e, "extern const rt_sup_spec %s_%s_spec;\n", e->p,
		    sup->name);
		emit_wrapped(e, "int %s_%s_start(rt_system *sys, %s_%s_ref "
		    "*out);\n", e->p, sup->name, e->p, sup->name);
		if (simple(sup)) {
			header_start_child(e, sup, kind_of(sup->children[0]));
			emit_out(e, "\n");
			continue;
		}
		for (i = 0; i < sup->nchildren; i++) {
			const ast_clause *c = sup->children[i];
			const ast_decl *k = kind_of(c);

			emit_wrapped(e, "%s_%s_ref %s_%s_%s(%s_%s_ref s);\n",
			    ast_prefix(k), k->name, e->p, sup->name,
			    c->names->name, e->p, sup->name);
		}
		emit_out(e, "/* %s is not simple_one_for_one: it starts no "
		    "children at run time. */\n#pragma GCC poison "
		    "%s_%s_start_child\n\n", sup->name, e->p, sup->name);
	}
}

/* The C value of argument a, for its field. */
static void
arg_value(struct emit *e, const ast_arg *a)
{
	const ast_type *t = &a->field->type;
	bool f32 = t->kind == AST_T_F32;
	const char *c;
	char buf[64];

	switch (a->kind) {
	case AST_V_STRING:
		emit_out(e, "\"");
		emit_put_cstring(e, a->text);
		emit_out(e, "\"");
		return;
	case AST_V_FLOAT:
		emit_out(e, "%s%s", a->text, f32 ? "f" : "");
		return;
	case AST_V_DURATION:
		emit_out(e, "%s", dur_c(buf, sizeof(buf), (int64_t)a->num));
		return;
	case AST_V_NAME:
		if (t->kind == AST_T_BOOL) {
			emit_out(e, "%s", a->text);
			return;
		}
		emit_out(e, "%s_%s_", ast_prefix(t->target), t->target->name);
		for (c = a->text; *c != '\0'; c++)
			emit_out(e, "%c", *c >= 'a' && *c <= 'z' ?
			    *c - 'a' + 'A' : *c);
		return;
	case AST_V_INT:
		break;
	}
	if (a->negative && a->num == UINT64_C(9223372036854775808))
		emit_out(e, "(-9223372036854775807 - 1)");
	else
		emit_out(e, "%s%" PRIu64 "%s%s", a->negative ? "-" : "",
		    a->num, t->kind == AST_T_F32 || t->kind == AST_T_F64 ?
		    ".0" : a->num > INT64_MAX ? "u" : "", f32 ? "f" : "");
}

/* The static arguments of sup's children that have some. */
static void
source_args(struct emit *e, const ast_decl *sup)
{
	const ast_arg *a;
	size_t i;

	for (i = 0; i < sup->nchildren; i++) {
		const ast_clause *c = sup->children[i];
		const ast_decl *k = kind_of(c);

		if (c->args == NULL)
			continue;
		emit_src(e, &c->loc);
		emit_out(e, "static const %s_%s_args %s_%s_%s_args = {\n",
		    ast_prefix(k), k->name, e->p, sup->name, c->names->name);
		for (a = c->args; a != NULL; a = a->next) {
			emit_src(e, &a->loc);
			emit_out(e, "\t.%s = ", a->name);
			arg_value(e, a);
			emit_out(e, ",\n");
		}
		emit_out(e, "};\n");
	}
	emit_gen(e);
}

/* The table of sup's children, or of its template. */
static void
source_children(struct emit *e, const ast_decl *sup)
{
	static const char *const restarts[] = { "RT_PERMANENT",
		"RT_TRANSIENT", "RT_TEMPORARY" };
	char buf[64];
	size_t i;

	emit_out(e, "static const rt_child_spec %s_%s_children[] = {\n", e->p,
	    sup->name);
	for (i = 0; i < sup->nchildren; i++) {
		const ast_clause *c = sup->children[i];
		const ast_decl *k = kind_of(c);
		bool actor = k->kind == AST_D_ACTOR;

		emit_out(e, "\t{\n\t\t.name = \"%s\",\n", c->names->name);
		if (actor)
			emit_out(e, "\t\t.cls = &%s_%s_class,\n"
			    "\t\t.sup = NULL,\n", ast_prefix(k), k->name);
		else
			emit_out(e, "\t\t.cls = NULL,\n"
			    "\t\t.sup = &%s_%s_spec,\n", ast_prefix(k),
			    k->name);
		if (c->args != NULL)
			emit_out(e, "\t\t.args = &%s_%s_%s_args,\n", e->p,
			    sup->name, c->names->name);
		else
			emit_out(e, "\t\t.args = NULL,\n");
		emit_out(e, "\t\t.restart = %s,\n\t\t.shutdown = %s,\n\t},\n",
		    restarts[c->restart], dur_c(buf, sizeof(buf),
		    c->shutdown));
	}
	emit_out(e, "};\n");
}

/* sup's rt_sup_spec. */
static void
source_spec(struct emit *e, const ast_decl *sup)
{
	static const char *const strategies[] = { "RT_ONE_FOR_ONE",
		"RT_ONE_FOR_ALL", "RT_REST_FOR_ONE", "RT_SIMPLE_ONE_FOR_ONE" };
	char a[64], b[64], c[64];

	emit_out(e, "const rt_sup_spec %s_%s_spec = {\n"
	    "\t.abi = RT_PROTOCOL_ABI,\n\t.name = \"%s\",\n"
	    "\t.strategy = %s,\n\t.intensity = %" PRIu32 ",\n"
	    "\t.period = %s,\n\t.backoff_min = %s,\n\t.backoff_max = %s,\n"
	    "\t.nchildren = %lu,\n", e->p, sup->name, sup->name,
	    strategies[sup->strategy], sup->intensity,
	    dur_c(a, sizeof(a), (int64_t)sup->period),
	    dur_c(b, sizeof(b), (int64_t)sup->backoff_min),
	    dur_c(c, sizeof(c), (int64_t)sup->backoff_max),
	    (unsigned long)sup->nchildren);
	if (sup->nchildren > 0)
		emit_out(e, "\t.children = %s_%s_children,\n};\n", e->p,
		    sup->name);
	else
		emit_out(e, "\t.children = NULL,\n};\n");
}

/* sup's start, and its child lookups or its start_child. */
static void
source_functions(struct emit *e, const ast_decl *sup)
{
	const char *p = e->p, *s = sup->name;
	size_t i;

	emit_wrapped(e, "\nint\n%s_%s_start(rt_system *sys, %s_%s_ref *out)\n"
	    "{\n\trt_ref ref;\n\tint r = rt_sup_start(sys, &%s_%s_spec, "
	    "&ref);\n\n\tif (r == 0 && out != NULL)\n\t\tout->ref = ref;\n"
	    "\treturn r;\n}\n", p, s, p, s, p, s);
	if (simple(sup)) {
		const ast_decl *w = kind_of(sup->children[0]);
		const char *wp = ast_prefix(w);

		emit_wrapped(e, "\nint\n(%s_%s_start_child)(%s_%s_ref s, const "
		    "%s_%s_args *args, %s_%s_ref *out)\n{\n\trt_ref ref;\n"
		    "\tint r = rt_sup_start_child(s.ref, args, &ref);\n\n"
		    "\tif (r == 0 && out != NULL)\n\t\tout->ref = ref;\n"
		    "\treturn r;\n}\n", p, s, p, s, wp, w->name, wp, w->name);
		return;
	}
	for (i = 0; i < sup->nchildren; i++) {
		const ast_clause *c = sup->children[i];
		const ast_decl *k = kind_of(c);

		emit_wrapped(e, "\n%s_%s_ref\n%s_%s_%s(%s_%s_ref s)\n{\n"
		    "\t%s_%s_ref c;\n\n\tc.ref = rt_sup_child(s.ref, %lu);\n"
		    "\treturn c;\n}\n", ast_prefix(k), k->name, p, s,
		    c->names->name, p, s, ast_prefix(k), k->name,
		    (unsigned long)i);
	}
}

void
emit_sup_source(struct emit *e)
{
	const ast_decl *sup;

	for (sup = e->unit->decls; sup != NULL; sup = sup->next) {
		if (sup->kind != AST_D_SUPERVISOR)
			continue;
		emit_out(e, "\n/* Supervisor %s. */\n", sup->name);
		source_args(e, sup);
		if (sup->nchildren > 0)
			source_children(e, sup);
		source_spec(e, sup);
		source_functions(e, sup);
	}
}
