/* SPDX-License-Identifier: MIT */
/*
 * Equality and test probes in the C emitter (emit_c_int.h). In the
 * header: after the message structs, the prototype of P_M_equal for each
 * message; per actor, after its sends, its P_A_probe and a P_A_expect_M
 * for each message it accepts, with the macros that check the type of
 * `expected` as a send's macro checks its message. In the source: each
 * P_M_equal, which walks the fields as the printers do (emit_element and
 * its loops); and per actor the two switches a probe needs (a copy of a
 * message of a tag, with the copy helpers of the sends; and equality of
 * a tag's messages), its static rt_probe_kind, P_A_probe and the
 * expectations, which only hand the runtime (runtime/testprobe.c) the
 * kind and the tag.
 */
#include "emit_c_int.h"

/* ---- the header ------------------------------------------------------ */

void
emit_equal_h(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *d;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			emit_print(e, NULL,
			    "/*\n * Equality, field by field (rt/test.h "
			    "says how each type compares):\n * P_M_equal is "
			    "true when *a and *b are the same message. A NULL "
			    "one\n * equals only NULL, or any message without "
			    "fields.\n */\n");
		any = true;
		v.M = d->name;
		emit_wrapped(e, &v,
		    "bool $P$_$M$_equal(const $P$_$M$ *a, const "
		    "$P$_$M$ *b);\n");
	}
	if (any)
		emit_print(e, NULL, "\n");
}

void
emit_probe_h(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	char name[512], text[1024];
	size_t i;

	emit_wrapped(e, &v,
	    "int $P$_$A$_probe(rt_system *sys, $P$_$A$_ref *out);\n");
	for (i = 0; i < a->naccepts; i++) {
		v.M = a->accepts[i]->name;
		v.MP = ast_prefix(a->accepts[i]->target);
		emit_wrapped(e, &v,
		    "int $P$_$A$_expect_$M$($P$_$A$_ref probe, const "
		    "$MP$_$M$ *expected, rt_duration within);\n");
	}
	/* The probe's ref goes into a ref of A's kind only (or nowhere). */
	emit_print(e, &v,
	    "#ifndef __cplusplus\n#define $P$_$A$_probe(sys, out) \\\n"
	    "\t($P$_$A$_probe)((sys), _Generic((out), \\\n");
	emit_macro_lines(e,
	    emit_sprint(text, sizeof(text), &v,
		"$P$_$A$_ref *: (out), void *: (out)))"));
	for (i = 0; i < a->naccepts; i++) {
		v.M = a->accepts[i]->name;
		emit_msg_macro(e,
		    emit_sprint(name, sizeof(name), &v, "$P$_$A$_expect_$M$"),
		    "probe, ", "(probe), ", "expected", a->accepts[i]->target,
		    ", within", ", (within)");
	}
	emit_print(e, NULL, "#endif\n");
}

/* ---- the source: equality -------------------------------------------- */

/* The statements that return false when x and y, elements of a field of
 * type t, differ, indented by ind. */
static void
equal_element(struct emit *e, const ast_type *t, const char *x, const char *y,
    const char *ind)
{
	struct emit_vars v = { .x = x, .y = y, .ind = ind };
	const ast_decl *d = t->target;

	switch (t->kind) {
	case AST_T_BOOL:
	case AST_T_I8:
	case AST_T_I16:
	case AST_T_I32:
	case AST_T_I64:
	case AST_T_U8:
	case AST_T_U16:
	case AST_T_U32:
	case AST_T_U64:
		emit_wrapped(e, &v,
		    "$ind$if ($x$ != $y$)\n$ind$\treturn false;\n");
		return;
	case AST_T_F32:
	case AST_T_F64:
		/* Unequal, unless both are NaN. */
		emit_wrapped(e, &v,
		    "$ind$if ($x$ != $y$ &&\n"
		    "$ind$    ($x$ == $x$ || $y$ == $y$))\n"
		    "$ind$\treturn false;\n");
		return;
	case AST_T_STRING:
		emit_wrapped(e, &v,
		    "$ind$if ($x$ == NULL || $y$ == NULL ?\n"
		    "$ind$    $x$ != $y$ :\n"
		    "$ind$    strcmp($x$, $y$) != 0)\n"
		    "$ind$\treturn false;\n");
		return;
	case AST_T_BYTES:
		emit_wrapped(e, &v,
		    "$ind$if ($x$.len != $y$.len)\n$ind$\treturn false;\n"
		    "$ind$if ($x$.len != 0 &&\n"
		    "$ind$    ($x$.data == NULL || $y$.data == NULL ?\n"
		    "$ind$\t    $x$.data != $y$.data :\n"
		    "$ind$\t    memcmp($x$.data, $y$.data, $x$.len) != 0))\n"
		    "$ind$\treturn false;\n");
		return;
	case AST_T_REF:
		emit_wrapped(e, &v,
		    "$ind$if (!rt_ref_equal($x$.ref, $y$.ref))\n"
		    "$ind$\treturn false;\n");
		return;
	case AST_T_CTYPE:
		emit_wrapped(e, &v,
		    "$ind$if (memcmp(&$x$, &$y$, sizeof($x$)) != 0)\n"
		    "$ind$\treturn false;\n");
		return;
	case AST_T_NAMED:
		if (d->kind == AST_D_ENUM) {
			emit_wrapped(e, &v,
			    "$ind$if ($x$ != $y$)\n$ind$\treturn false;\n");
		} else {
			v.MP = ast_prefix(d);
			v.M = d->name;
			emit_wrapped(e, &v,
			    "$ind$if (!$MP$_$M$_equal(&$x$, &$y$))\n"
			    "$ind$\treturn false;\n");
		}
		return;
	}
}

/* P_M_equal of message d. */
static void
equal_c(struct emit *e, const ast_decl *d)
{
	struct emit_vars v = { .P = e->p, .M = d->name };
	const ast_field *f;
	char x[512], y[512];

	emit_wrapped(e, &v,
	    "bool\n$P$_$M$_equal(const $P$_$M$ *a, const $P$_$M$ *b)\n"
	    "{\n");
	if (d->fields == NULL) {
		emit_print(e, NULL,
		    "\t(void)a;\n\t(void)b;\n\treturn true;\n}\n");
		return;
	}
	if (emit_has_array(d->fields))
		emit_print(e, NULL, "\tsize_t i;\n\n");
	emit_print(e, NULL,
	    "\tif (a == b)\n\t\treturn true;\n"
	    "\tif (a == NULL || b == NULL)\n\t\treturn false;\n");
	for (f = d->fields; f != NULL; f = f->next) {
		const char *ind = emit_loop_open(e, f);

		equal_element(e, &f->type, emit_element(x, sizeof(x), "a", f),
		    emit_element(y, sizeof(y), "b", f), ind);
		emit_loop_close(e, f);
	}
	emit_print(e, NULL, "\treturn true;\n}\n");
}

void
emit_equal_c(struct emit *e)
{
	const ast_decl *d;

	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE) {
			equal_c(e, d);
			emit_print(e, NULL, "\n");
		}
}

/* ---- the source: probes ---------------------------------------------- */

/* P_A_probe_copy and P_A_probe_equal, for an actor that accepts nothing:
 * no message ever comes to its probe. */
static void
probe_tables_none_c(struct emit *e, const struct emit_vars *v)
{
	emit_wrapped(e, v,
	    "static size_t\n$P$_$A$_probe_copy(void *dst, uint32_t tag, "
	    "const void *msg)\n{\n\t(void)dst;\n\t(void)tag;\n\t(void)msg;\n"
	    "\treturn 0;\n}\n\n");
	emit_wrapped(e, v,
	    "static bool\n$P$_$A$_probe_equal(uint32_t tag, const void *a, "
	    "const void *b)\n{\n\t(void)tag;\n\t(void)a;\n\t(void)b;\n"
	    "\treturn false;\n}\n\n");
}

/*
 * The probe's tables: P_A_probe_copy, the size of a copy of the message
 * of a tag and, given dst, that copy (through the message's copy helpers
 * when it has strings, bytes or nested messages that have them), and
 * P_A_probe_equal, P_M_equal of a tag. The tags of the replies to A's
 * asks never come to a probe, which asks nothing.
 */
static void
probe_tables_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	const char *end = a->nasks > 0 ? "\tdefault:\n\t\tbreak;\n\t}\n" :
					 "\t}\n";
	size_t i;

	if (a->naccepts == 0) {
		probe_tables_none_c(e, &v);
		return;
	}
	emit_wrapped(e, &v,
	    "static size_t\n$P$_$A$_probe_copy(void *dst, uint32_t tag, "
	    "const void *msg)\n{\n\tswitch ((enum $P$_$A$_tag)tag) {\n");
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *m = a->accepts[i]->target;

		v.M = m->name;
		v.MP = ast_prefix(m);
		emit_print(e, &v,
		    "\tcase $P$_$A$_TAG_$M$:\n\t\tif (dst != NULL)\n");
		if (emit_needs_copy(m->fields))
			emit_print(e, &v,
			    "\t\t\t$MP$_$M$_copy(dst, (const $MP$_$M$ *)msg);"
			    "\n\t\treturn sizeof($MP$_$M$) +\n"
			    "\t\t    $MP$_$M$_extra((const $MP$_$M$ *)msg);\n");
		else
			emit_print(e, &v,
			    "\t\t\tmemcpy(dst, msg, sizeof($MP$_$M$));\n"
			    "\t\treturn sizeof($MP$_$M$);\n");
	}
	emit_print(e, NULL, end);
	emit_print(e, NULL, "\treturn 0;\n}\n\n");
	emit_wrapped(e, &v,
	    "static bool\n$P$_$A$_probe_equal(uint32_t tag, const void *a, "
	    "const void *b)\n{\n\tswitch ((enum $P$_$A$_tag)tag) {\n");
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *m = a->accepts[i]->target;

		v.M = m->name;
		v.MP = ast_prefix(m);
		emit_print(e, &v,
		    "\tcase $P$_$A$_TAG_$M$:\n\t\treturn $MP$_$M$_equal("
		    "(const $MP$_$M$ *)a,\n\t\t    (const $MP$_$M$ *)b);\n");
	}
	emit_print(e, NULL, end);
	emit_print(e, NULL, "\treturn false;\n}\n\n");
}

void
emit_probe_c(struct emit *e, const ast_decl *a)
{
	struct emit_vars v = { .P = e->p, .A = a->name };
	size_t i;

	emit_print(e, &v, "\n/* The test probe of $A$ (rt/test.h). */\n");
	probe_tables_c(e, a);
	emit_print(e, &v,
	    "static const rt_probe_kind $P$_$A$_probe_kind = {\n"
	    "\t&$P$_$A$_class,\n\t$P$_$A$_probe_copy,\n"
	    "\t$P$_$A$_probe_equal,\n};\n\n");
	emit_wrapped(e, &v,
	    "int\n($P$_$A$_probe)(rt_system *sys, $P$_$A$_ref *out)\n{\n"
	    "\treturn rt_probe_spawn(sys, &$P$_$A$_probe_kind, "
	    "out != NULL ? &out->ref : NULL);\n}\n");
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *m = a->accepts[i]->target;

		v.M = a->accepts[i]->name;
		v.MP = ast_prefix(m);
		emit_wrapped(e, &v,
		    "\nint\n($P$_$A$_expect_$M$)($P$_$A$_ref probe, const "
		    "$MP$_$M$ *expected, rt_duration within)\n{\n");
		if (m->fields != NULL)
			emit_print(e, NULL,
			    "\tif (expected == NULL)\n"
			    "\t\treturn RT_EINVAL;\n");
		emit_wrapped(e, &v,
		    "\treturn rt_probe_expect(probe.ref, &$P$_$A$_probe_kind, "
		    "$P$_$A$_TAG_$M$, expected, within);\n}\n");
	}
}
