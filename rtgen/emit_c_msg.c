/* SPDX-License-Identifier: MIT */
/*
 * Messages and enums in the C emitter (emit_c_int.h). In the header: the
 * message ids, then the enums, each with the prototype of its name
 * function, and the message structs (in dependency order, as a struct
 * must be complete before another holds it by value) with the prototypes
 * of their printers. In the source: for each message (and each actor's
 * args) with strings, bytes or nested messages, the helpers that size and
 * copy them into an envelope; then the enums' name functions, the table
 * of message names and one printer per message, which crash reports and
 * the test kit use to show a message.
 */
#include "emit_c_int.h"

#include <stdlib.h>

/* ---- the header ------------------------------------------------------ */

void
emit_msg_ids_h(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *d;
	char n[EMIT_NUM];
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			emit_print(e, NULL,
			    "/*\n * Message ids: the number of "
			    "each message in the protocol, in\n"
			    " * declaration order, for P_message_names. "
			    "Envelopes do not carry\n * them: they carry the "
			    "dispatch tags of the actor kind they are for\n"
			    " * (enum P_A_tag below).\n */\nenum {\n");
		else
			emit_print(e, NULL, ",\n");
		any = true;
		v.M = d->name;
		v.N = emit_num(n, d->tag);
		emit_print(e, &v, "\t$P$_$M$_ID = $N$");
	}
	if (any)
		emit_print(e, NULL, "\n};\n\n");
}

/* The enums, each with the function that names its values. */
static void
enums_h(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *d;
	const ast_name *val;
	char n[EMIT_NUM];
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		unsigned long long i = 0;

		if (d->kind != AST_D_ENUM)
			continue;
		if (!any)
			emit_print(e, NULL,
			    "/* Enums. P_E_name(v) is the .rtp "
			    "name of v, or NULL when v is none of\n"
			    " * E's values. */\n");
		any = true;
		v.E = d->name;
		emit_src(e, &d->name_loc);
		emit_print(e, &v, "typedef enum $P$_$E$ {\n");
		for (val = d->values; val != NULL; val = val->next, i++) {
			char *up = emit_upper(val->name);

			v.V = up;
			v.N = emit_num(n, i);
			v.sep = val->next != NULL ? "," : "";
			emit_src(e, &val->loc);
			emit_print(e, &v, "\t$P$_$E$_$V$ = $N$$sep$\n");
			free(up);
		}
		emit_print(e, &v, "} $P$_$E$;\n");
		emit_gen(e);
		emit_print(e, &v, "const char *$P$_$E$_name($P$_$E$ v);\n");
	}
	if (any)
		emit_print(e, NULL, "\n");
}

/* The struct of message d, after those of the messages it nests (C needs
 * a struct complete before it holds one by value). */
static void
struct_h(struct emit *e, const ast_decl *d)
{
	struct emit_vars v = { .P = e->p, .M = d->name };
	const ast_field *f;
	char name[512];

	/* An imported message's struct is in its own protocol's header. */
	if (d->home != e->unit || !emit_pset_add(&e->done, d))
		return;
	for (f = d->fields; f != NULL; f = f->next)
		if (ast_nested(f) != NULL)
			struct_h(e, ast_nested(f));
	v.name = emit_sprint(name, sizeof(name), &v, "$P$_$M$");
	if (ast_fields_have(d->fields, AST_T_CTYPE)) {
		emit_gen(e);
		emit_print(e, &v,
		    "/*\n * $name$: a send copies its C-typed "
		    "fields by value. A pointer in one\n * moves to the "
		    "receiver when the send returns 0, and stays the "
		    "caller's\n * when it returns an error. A message "
		    "that becomes a dead letter\n * reaches the "
		    "dead-letter hook (rt_config) with its payload\n"
		    " * (rt_dead_letter.msg), where the pointee can be "
		    "freed.\n */\n");
	}
	emit_src(e, &d->name_loc);
	emit_struct_def(e, name, d->fields);
}

void
emit_msg_types_h(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *d;
	bool any = false;

	enums_h(e);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			emit_print(e, NULL, "/* Messages. */\n");
		any = true;
		struct_h(e, d);
	}
	emit_pset_clear(&e->done);
	if (!any)
		return;
	emit_gen(e);
	emit_print(e, &v,
	    "\n/*\n * Printers, for logs and crash reports: "
	    "P_M_print writes *m to f on one\n * line as M{field=value, "
	    "...}: strings quoted and escaped, bytes as\n * their length and "
	    "first bytes in hex, enums by name, arrays in [],\n * refs as "
	    "<ref> and C-typed fields as <c>. P_message_names[P_M_ID]\n"
	    " * is \"M\" (entry 0 is NULL).\n */\n"
	    "extern const char *const $P$_message_names[];\n");
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		v.M = d->name;
		emit_print(e, &v,
		    "void $P$_$M$_print(FILE *f, const $P$_$M$ "
		    "*m);\n");
	}
	emit_print(e, NULL, "\n");
}

/* ---- the source: copies into envelopes ------------------------------- */

/* Does a struct have an array field? */
bool
emit_has_array(const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (f->type.array)
			return true;
	return false;
}

/* Does a struct have an array field whose copy needs more than its own
 * bytes? */
static bool
has_copied_array(const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (f->type.array && emit_field_needs_copy(f))
			return true;
	return false;
}

/* Does a struct nest a message with bytes (whose size may be refused)? */
static bool
has_nested_bytes(const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (ast_nested(f) != NULL &&
		    emit_has_bytes(ast_nested(f)->fields))
			return true;
	return false;
}

/* What an element of field f of `obj` is called: "m->f", or "m->f[i]" in
 * an array's loop. */
const char *
emit_element(char *buf, size_t size, const char *obj, const ast_field *f)
{
	struct emit_vars v = { .var = obj, .F = f->name };

	return emit_sprint(buf, size, &v,
	    f->type.array ? "$var$->$F$[i]" : "$var$->$F$");
}

/* The loop around the statements of an array's elements, and its end;
 * loop_open returns the indentation of the statements inside. */
const char *
emit_loop_open(struct emit *e, const ast_field *f)
{
	char n[EMIT_NUM];
	struct emit_vars v = { .N = emit_num(n, f->type.len) };

	if (!f->type.array)
		return "\t";
	emit_print(e, &v, "\tfor (i = 0; i < $N$; i++) {\n");
	return "\t\t";
}

void
emit_loop_close(struct emit *e, const ast_field *f)
{
	if (f->type.array)
		emit_print(e, NULL, "\t}\n");
}

/* NAME_extra: the bytes the strings and bytes of *m take after it,
 * nested messages included; SIZE_MAX for bad bytes. */
static void
extra_helper(struct emit *e, const char *name, const ast_field *fields)
{
	struct emit_vars v = { .name = name };
	const ast_field *f;
	char x[512];

	emit_print(e, &v,
	    "static size_t\n$name$_extra(const $name$ *m)\n"
	    "{\n\tsize_t n = 0;\n");
	if (has_nested_bytes(fields))
		emit_print(e, NULL, "\tsize_t extra;\n");
	if (has_copied_array(fields))
		emit_print(e, NULL, "\tsize_t i;\n");
	emit_print(e, NULL, "\n");
	for (f = fields; f != NULL; f = f->next) {
		const ast_decl *m = ast_nested(f);

		if (!emit_field_needs_copy(f))
			continue;
		v.ind = emit_loop_open(e, f);
		v.x = emit_element(x, sizeof(x), "m", f);
		if (f->type.kind == AST_T_STRING) {
			emit_print(e, &v,
			    "$ind$if ($x$ != NULL)\n"
			    "$ind$\tn += strlen($x$) + 1;\n");
		} else if (f->type.kind == AST_T_BYTES) {
			emit_print(e, &v,
			    "$ind$if ($x$.len != 0) {\n"
			    "$ind$\tif ($x$.data == NULL ||\n"
			    "$ind$\t    $x$.len > SIZE_MAX / 2 - n)\n"
			    "$ind$\t\treturn SIZE_MAX;\n"
			    "$ind$\tn += $x$.len;\n$ind$}\n");
		} else {
			v.MP = ast_prefix(m);
			v.M = m->name;
			emit_print(e, &v,
			    emit_has_bytes(m->fields) ?
				"$ind$extra = $MP$_$M$_extra(&$x$);\n"
				"$ind$if (extra == SIZE_MAX || "
				"extra > SIZE_MAX / 2 - n)\n"
				"$ind$\treturn SIZE_MAX;\n$ind$n += extra;\n" :
				"$ind$n += $MP$_$M$_extra(&$x$);\n");
		}
		emit_loop_close(e, f);
	}
	emit_print(e, NULL, "\treturn n;\n}\n");
}

/* The statements that copy the strings and bytes of `src` (an object of
 * the struct with `fields`) to p onward and point c at them. */
static void
place_fields(struct emit *e, const ast_field *fields, const char *src)
{
	struct emit_vars v = { 0 };
	const ast_field *f;
	char x[512], y[512];

	for (f = fields; f != NULL; f = f->next) {
		const ast_decl *m = ast_nested(f);

		if (!emit_field_needs_copy(f))
			continue;
		v.ind = emit_loop_open(e, f);
		v.x = emit_element(x, sizeof(x), src, f);
		v.y = emit_element(y, sizeof(y), "c", f);
		if (f->type.kind == AST_T_STRING) {
			emit_print(e, &v,
			    "$ind$if ($x$ != NULL) {\n"
			    "$ind$\tlen = strlen($x$) + 1;\n"
			    "$ind$\tmemcpy(p, $x$, len);\n"
			    "$ind$\t$y$ = p;\n"
			    "$ind$\tp += len;\n$ind$}\n");
		} else if (f->type.kind == AST_T_BYTES) {
			emit_print(e, &v,
			    "$ind$if ($x$.data != NULL) {\n"
			    "$ind$\tmemcpy(p, $x$.data, $x$.len);\n"
			    "$ind$\t$y$.data = p;\n"
			    "$ind$\tp += $x$.len;\n$ind$}\n");
		} else {
			v.MP = ast_prefix(m);
			v.M = m->name;
			emit_print(e, &v,
			    "$ind$p = $MP$_$M$_place(&$y$, p);\n");
		}
		emit_loop_close(e, f);
	}
}

/* The locals of place_fields(). */
static const char *
place_locals(const ast_field *fields)
{
	bool len = emit_has_kind(fields, AST_T_STRING);
	bool i = has_copied_array(fields);

	return len && i ? "\tsize_t len;\n\tsize_t i;\n" :
	    len         ? "\tsize_t len;\n" :
	    i           ? "\tsize_t i;\n" :
			  "";
}

/* The helpers of message m as a nested value: P_M_extra, and P_M_place,
 * which moves the strings and bytes of *c (a copy whose pointers are still
 * the original's) to p onward and returns where they end. Once each. */
static void
place_helper(struct emit *e, const ast_decl *m)
{
	struct emit_vars v = { .MP = ast_prefix(m), .M = m->name };
	const char *locals = place_locals(m->fields);
	char name[512];

	if (!emit_pset_add(&e->done, &m->fields))
		return;
	emit_nested_helpers(e, m->fields);
	v.name = emit_sprint(name, sizeof(name), &v, "$MP$_$M$");
	if (emit_pset_add(&e->done, m)) {
		extra_helper(e, name, m->fields);
		emit_print(e, NULL, "\n");
	}
	emit_print(e, &v,
	    "static char *\n$name$_place($name$ *c, char *p)\n"
	    "{\n");
	if (*locals != '\0') {
		emit_print(e, NULL, locals);
		emit_print(e, NULL, "\n");
	}
	place_fields(e, m->fields, "c");
	emit_print(e, NULL, "\treturn p;\n}\n\n");
}

/* The helpers of the messages nested in `fields` that need copying. */
void
emit_nested_helpers(struct emit *e, const ast_field *fields)
{
	const ast_field *f;

	for (f = fields; f != NULL; f = f->next)
		if (ast_nested(f) != NULL && emit_field_needs_copy(f))
			place_helper(e, ast_nested(f));
}

/* NAME_extra and NAME_copy: the strings and bytes of a struct, after
 * it, in field order, nested messages included. `key` marks NAME_extra as
 * written (a message's may be written already, for its nesting). */
void
emit_copy_helpers(struct emit *e, const char *name, const ast_field *fields,
    const void *key)
{
	struct emit_vars v = { .name = name, .text = place_locals(fields) };

	if (emit_pset_add(&e->done, key)) {
		extra_helper(e, name, fields);
		emit_print(e, NULL, "\n");
	}
	emit_print(e, &v,
	    "static void\n$name$_copy(void *dst, const $name$ *m)"
	    "\n{\n\t$name$ *c = dst;\n\tchar *p = (char *)(c + 1);\n$text$\n"
	    "\t*c = *m;\n");
	place_fields(e, fields, "m");
	emit_print(e, NULL, "}\n");
}

/* Does a message or the args of an actor have a bytes field? */
static bool
any_bytes(const ast_unit *unit)
{
	const ast_decl *d;

	for (d = unit->decls; d != NULL; d = d->next)
		if ((d->kind == AST_D_MESSAGE && emit_has_bytes(d->fields)) ||
		    (d->kind == AST_D_ACTOR && d->init != NULL &&
			emit_has_bytes(d->init->fields)))
			return true;
	return false;
}

/* Do `fields` nest a message that needs copying? */
static bool
any_nested_in(const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (ast_nested(f) != NULL && emit_field_needs_copy(f))
			return true;
	return false;
}

/* Does a message or the args of an actor nest a message that needs
 * copying? */
static bool
any_nested(const ast_unit *unit)
{
	const ast_decl *d;

	for (d = unit->decls; d != NULL; d = d->next)
		if (any_nested_in(d->kind == AST_D_MESSAGE ? d->fields :
			    d->kind == AST_D_ACTOR && d->init != NULL ?
							     d->init->fields :
							     NULL))
			return true;
	return false;
}

/* Imported messages this unit's code copies into envelopes: those its
 * actors accept, the replies of the requests they accept, the replies of
 * its own requests and the messages of its topics. Their helpers are
 * static in each importing source, as in the source of their protocol. */
static void
imported_copied(const struct emit *e, struct emit_dlist *l)
{
	struct emit_pset seen = { 0 };
	const ast_decl *d, *m, *r;
	size_t i;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		m = NULL;
		if (d->kind == AST_D_ACTOR) {
			for (i = 0; i < d->naccepts; i++) {
				m = d->accepts[i]->target;
				if (m->home != e->unit)
					emit_dlist_add(l, &seen, m);
				r = emit_reply_of(m);
				if (r != NULL && r->home != e->unit)
					emit_dlist_add(l, &seen, r);
			}
			continue;
		}
		if (d->kind == AST_D_MESSAGE)
			m = emit_reply_of(d);
		else if (d->kind == AST_D_TOPIC)
			m = d->carries->target;
		if (m != NULL && m->home != e->unit)
			emit_dlist_add(l, &seen, m);
	}
	emit_pset_clear(&seen);
}

/* NAME_extra, NAME_copy and NAME_clone of message d, after the comment on
 * them all before the first (`any`: one was written before). */
static void
copies_c(struct emit *e, const ast_decl *d, bool *any, bool bytes, bool nested)
{
	struct emit_vars v = { .MP = ast_prefix(d), .M = d->name };
	char name[512];

	if (!*any) {
		emit_print(e, NULL,
		    "/*\n * NAME_extra: the bytes the strings "
		    "of *m take; NAME_copy: copy *m to\n * dst, which has room "
		    "for the struct and those bytes, strings after the"
		    "\n * struct, and point the copy at them. A NULL "
		    "string stays NULL.\n");
		if (bytes)
			emit_print(e, NULL,
			    " * The data of bytes fields is "
			    "copied likewise (NULL data stays NULL);\n"
			    " * NAME_extra returns SIZE_MAX for NULL data "
			    "with a len > 0, or a total\n * no envelope could "
			    "hold.\n");
		if (nested)
			emit_print(e, NULL,
			    " * NAME_place does the same for a "
			    "message nested in another (c: its\n * place in "
			    "the copy), writing from p on; it returns where it "
			    "ends.\n");
		emit_print(e, NULL, " */\n");
	} else {
		emit_print(e, NULL, "\n");
	}
	*any = true;
	emit_nested_helpers(e, d->fields);
	v.name = emit_sprint(name, sizeof(name), &v, "$MP$_$M$");
	emit_copy_helpers(e, name, d->fields, d);
	if (emit_every_allowed(d) && ast_anyone_accepts(e->unit, d))
		emit_print(e, &v,
		    "\n/* For periodic timers: copy a payload. */"
		    "\nstatic void\n$name$_clone(void *dst, const void *src)\n"
		    "{\n\t$name$_copy(dst, (const $name$ *)src);\n}\n");
}

void
emit_msg_copies_c(struct emit *e)
{
	struct emit_dlist imported = { 0 };
	bool any = false, bytes, nested;
	const ast_decl *d;
	size_t i;

	imported_copied(e, &imported);
	bytes = any_bytes(e->unit);
	nested = any_nested(e->unit);
	for (i = 0; i < imported.len; i++) {
		bytes = bytes || emit_has_bytes(imported.at[i]->fields);
		nested = nested || any_nested_in(imported.at[i]->fields);
	}
	for (i = 0; i < imported.len; i++)
		if (emit_needs_copy(imported.at[i]->fields))
			copies_c(e, imported.at[i], &any, bytes, nested);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		/* Sends and calls copy the messages actors accept; replies
		 * and the messages of topics are copied too. */
		if (d->kind != AST_D_MESSAGE || !emit_needs_copy(d->fields) ||
		    (!ast_anyone_accepts(e->unit, d) &&
			!emit_is_reply(e->unit, d) &&
			!emit_published(e->unit, d)))
			continue;
		copies_c(e, d, &any, bytes, nested);
	}
	free(imported.at);
	if (any)
		emit_print(e, NULL, "\n");
}

/* ---- the source: printers -------------------------------------------- */

/* The statement that prints x, an element of a field of type t, indented
 * by ind. */
static void
print_element(struct emit *e, const ast_type *t, const char *x, const char *ind)
{
	struct emit_vars v = { .x = x, .ind = ind };
	const ast_decl *d = t->target;

	switch (t->kind) {
	case AST_T_BOOL:
		emit_print(e, &v,
		    "$ind$fputs($x$ ? \"true\" : \"false\", "
		    "f);\n");
		return;
	case AST_T_I8:
	case AST_T_I16:
	case AST_T_I32:
	case AST_T_I64:
		emit_print(e, &v,
		    "$ind$fprintf(f, \"%lld\", (long long)$x$);\n");
		return;
	case AST_T_U8:
	case AST_T_U16:
	case AST_T_U32:
	case AST_T_U64:
		emit_print(e, &v,
		    "$ind$fprintf(f, \"%llu\", "
		    "(unsigned long long)$x$);\n");
		return;
	case AST_T_F32:
	case AST_T_F64:
		emit_print(e, &v, "$ind$fprintf(f, \"%g\", (double)$x$);\n");
		return;
	case AST_T_STRING:
		emit_print(e, &v, "$ind$rt_print_string(f, $x$);\n");
		return;
	case AST_T_BYTES:
		emit_print(e, &v, "$ind$rt_print_bytes(f, $x$);\n");
		return;
	case AST_T_REF:
		emit_print(e, &v, "$ind$rt_print_ref(f, $x$.ref);\n");
		return;
	case AST_T_CTYPE:
		emit_print(e, &v, "$ind$fputs(\"<c>\", f);\n");
		return;
	case AST_T_NAMED:
		if (d->kind == AST_D_ENUM) {
			v.EP = ast_prefix(d);
			v.E = d->name;
			emit_wrapped(e, &v,
			    "$ind$rt_print_enum(f, "
			    "$EP$_$E$_name($x$), (long long)$x$);\n");
		} else {
			v.MP = ast_prefix(d);
			v.M = d->name;
			emit_print(e, &v, "$ind$$MP$_$M$_print(f, &$x$);\n");
		}
		return;
	}
}

/* P_E_name for every enum. */
static void
enum_names_c(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *d;
	const ast_name *val;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_ENUM)
			continue;
		v.E = d->name;
		emit_print(e, &v,
		    "const char *\n$P$_$E$_name($P$_$E$ v)\n{\n"
		    "\tswitch (v) {\n");
		for (val = d->values; val != NULL; val = val->next) {
			char *up = emit_upper(val->name);

			v.V = up;
			v.name = val->name;
			emit_print(e, &v,
			    "\tcase $P$_$E$_$V$:\n"
			    "\t\treturn \"$name$\";\n");
			free(up);
		}
		emit_print(e, NULL, "\t}\n\treturn NULL;\n}\n\n");
	}
}

/* P_M_print of message d. */
static void
printer_c(struct emit *e, const ast_decl *d)
{
	struct emit_vars v = { .P = e->p, .M = d->name };
	const ast_field *f;
	char x[512], n[EMIT_NUM];

	emit_print(e, &v,
	    "\nvoid\n$P$_$M$_print(FILE *f, const $P$_$M$ *m)\n"
	    "{\n");
	if (d->fields == NULL) {
		emit_print(e, &v, "\t(void)m;\n\tfputs(\"$M${}\", f);\n}\n");
		return;
	}
	if (emit_has_array(d->fields))
		emit_print(e, NULL, "\tsize_t i;\n\n");
	emit_print(e, &v,
	    "\tif (m == NULL) {\n\t\tfputs(\"$M$(NULL)\", f);\n"
	    "\t\treturn;\n\t}\n");
	for (f = d->fields; f != NULL; f = f->next) {
		/* M{a=1, b=[1,2]} */
		v.F = f->name;
		v.sep = f->type.array ? "[" : "";
		emit_print(e, &v,
		    f == d->fields ? "\tfputs(\"$M${$F$=$sep$\", f);\n" :
				     "\tfputs(\", $F$=$sep$\", f);\n");
		emit_element(x, sizeof(x), "m", f);
		if (f->type.array) {
			v.N = emit_num(n, f->type.len);
			emit_print(e, &v,
			    "\tfor (i = 0; i < $N$; i++) {\n"
			    "\t\tif (i > 0)\n\t\t\tfputc(',', f);\n");
			print_element(e, &f->type, x, "\t\t");
			emit_print(e, NULL, "\t}\n\tfputc(']', f);\n");
		} else {
			print_element(e, &f->type, x, "\t");
		}
	}
	emit_print(e, NULL, "\tfputc('}', f);\n}\n");
}

/* P_E_name for every enum, the table of message names and P_M_print for
 * every message. */
void
emit_msg_printers_c(struct emit *e)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *d;
	bool any = false;

	enum_names_c(e);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			emit_print(e, &v,
			    "const char *const "
			    "$P$_message_names[] = {\n\tNULL,\n");
		any = true;
		v.M = d->name;
		emit_print(e, &v, "\t\"$M$\",\n");
	}
	if (!any)
		return;
	emit_print(e, NULL, "};\n");
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE)
			printer_c(e, d);
	emit_print(e, NULL, "\n");
}
