/* SPDX-License-Identifier: MIT */
/*
 * The C emitter's source for messages (see emit_c.c): for each message
 * (and each actor's args) with strings, bytes or nested messages, the
 * helpers that size and copy them into an envelope; then one printer per
 * message, which crash reports and the test kit use to show a message.
 */
#include "emit_c_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does a struct have an array field whose copy needs more than its own
 * bytes, or a nested message with bytes (whose size may be refused)? */
static bool
has_kind_array(const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (f->type.array)
			return true;
	return false;
}

static bool
has_copied_array(const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (f->type.array && emit_field_needs_copy(f))
			return true;
	return false;
}

static bool
has_nested_bytes(const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (ast_nested(f) != NULL &&
		    emit_has_bytes(ast_nested(f)->fields))
			return true;
	return false;
}

/* What an element of field f is called: "m->f", or "m->f[i]" in an
 * array's loop. */
static void
element(char *buf, size_t size, const char *obj, const ast_field *f)
{
	snprintf(buf, size, "%s->%s%s", obj, f->name, f->type.array ? "[i]" :
	    "");
}

/* The loop around the statements of an array's elements, and its end;
 * `ind` is the indentation of the statements inside. */
static const char *
loop_open(struct emit *e, const ast_field *f)
{
	if (!f->type.array)
		return "\t";
	emit_out(e, "\tfor (i = 0; i < %llu; i++) {\n",
	    (unsigned long long)f->type.len);
	return "\t\t";
}

static void
loop_close(struct emit *e, const ast_field *f)
{
	if (f->type.array)
		emit_out(e, "\t}\n");
}

/* NAME_extra: the bytes the strings and bytes of *m take after it,
 * nested messages included; SIZE_MAX for bad bytes. */
static void
extra_helper(struct emit *e, const char *name, const ast_field *fields)
{
	const ast_field *f;
	char x[512];

	emit_out(e, "static size_t\n%s_extra(const %s *m)\n{\n\tsize_t n = 0;\n"
	    "%s%s\n", name, name, has_nested_bytes(fields) ?
	    "\tsize_t extra;\n" : "", has_copied_array(fields) ?
	    "\tsize_t i;\n" : "");
	for (f = fields; f != NULL; f = f->next) {
		const ast_decl *m = ast_nested(f);
		const char *ind;

		if (!emit_field_needs_copy(f))
			continue;
		ind = loop_open(e, f);
		element(x, sizeof(x), "m", f);
		if (f->type.kind == AST_T_STRING)
			emit_out(e, "%sif (%s != NULL)\n%s\tn += strlen(%s) + "
			    "1;\n", ind, x, ind, x);
		else if (f->type.kind == AST_T_BYTES)
			emit_out(e, "%sif (%s.len != 0) {\n"
			    "%s\tif (%s.data == NULL ||\n"
			    "%s\t    %s.len > SIZE_MAX / 2 - n)\n"
			    "%s\t\treturn SIZE_MAX;\n"
			    "%s\tn += %s.len;\n%s}\n", ind, x, ind, x, ind, x,
			    ind, ind, x, ind);
		else if (emit_has_bytes(m->fields))
			emit_out(e, "%sextra = %s_%s_extra(&%s);\n"
			    "%sif (extra == SIZE_MAX || extra > SIZE_MAX / 2 - "
			    "n)\n%s\treturn SIZE_MAX;\n%sn += extra;\n", ind,
			    ast_prefix(m), m->name, x, ind, ind, ind);
		else
			emit_out(e, "%sn += %s_%s_extra(&%s);\n", ind,
			    ast_prefix(m), m->name, x);
		loop_close(e, f);
	}
	emit_out(e, "\treturn n;\n}\n");
}

/* The statements that copy the strings and bytes of `src` (an object of
 * the struct with `fields`) to p onward and point c at them. */
static void
place_fields(struct emit *e, const ast_field *fields, const char *emit_src)
{
	const ast_field *f;
	char x[512], y[512];

	for (f = fields; f != NULL; f = f->next) {
		const ast_decl *m = ast_nested(f);
		const char *ind;

		if (!emit_field_needs_copy(f))
			continue;
		ind = loop_open(e, f);
		element(x, sizeof(x), emit_src, f);
		element(y, sizeof(y), "c", f);
		if (f->type.kind == AST_T_STRING)
			emit_out(e, "%sif (%s != NULL) {\n"
			    "%s\tlen = strlen(%s) + 1;\n"
			    "%s\tmemcpy(p, %s, len);\n"
			    "%s\t%s = p;\n"
			    "%s\tp += len;\n%s}\n", ind, x, ind, x, ind, x,
			    ind, y, ind, ind);
		else if (f->type.kind == AST_T_BYTES)
			emit_out(e, "%sif (%s.data != NULL) {\n"
			    "%s\tmemcpy(p, %s.data, %s.len);\n"
			    "%s\t%s.data = p;\n"
			    "%s\tp += %s.len;\n%s}\n", ind, x, ind, x, x,
			    ind, y, ind, x, ind);
		else
			emit_out(e, "%sp = %s_%s_place(&%s, p);\n", ind,
			    ast_prefix(m), m->name, y);
		loop_close(e, f);
	}
}

/* The locals of place_fields(). */
static const char *
place_locals(const ast_field *fields)
{
	bool len = emit_has_kind(fields, AST_T_STRING);
	bool i = has_copied_array(fields);

	return len && i ? "\tsize_t len;\n\tsize_t i;\n" : len ?
	    "\tsize_t len;\n" : i ? "\tsize_t i;\n" : "";
}


/* The helpers of message m as a nested value: P_M_extra, and P_M_place,
 * which moves the strings and bytes of *c (a copy whose pointers are still
 * the original's) to p onward and returns where they end. Once each. */
static void
place_helper(struct emit *e, const ast_decl *m)
{
	char name[512];

	if (!emit_pset_add(&e->done, &m->fields))
		return;
	emit_nested_helpers(e, m->fields);
	snprintf(name, sizeof(name), "%s_%s", ast_prefix(m), m->name);
	if (emit_pset_add(&e->done, m)) {
		extra_helper(e, name, m->fields);
		emit_out(e, "\n");
	}
	emit_out(e, "static char *\n%s_place(%s *c, char *p)\n"
	    "{\n%s%s", name, name, place_locals(m->fields),
	    *place_locals(m->fields) != '\0' ? "\n" : "");
	place_fields(e, m->fields, "c");
	emit_out(e, "\treturn p;\n}\n\n");
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
	if (emit_pset_add(&e->done, key)) {
		extra_helper(e, name, fields);
		emit_out(e, "\n");
	}
	emit_out(e, "static void\n%s_copy(void *dst, const %s *m)\n{\n"
	    "\t%s *c = dst;\n\tchar *p = (char *)(c + 1);\n%s\n"
	    "\t*c = *m;\n", name, name, name, place_locals(fields));
	place_fields(e, fields, "m");
	emit_out(e, "}\n");
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
	const ast_field *f;

	for (d = unit->decls; d != NULL; d = d->next) {
		f = d->kind == AST_D_MESSAGE ? d->fields :
		    d->kind == AST_D_ACTOR && d->init != NULL ?
		    d->init->fields : NULL;
		for (; f != NULL; f = f->next)
			if (ast_nested(f) != NULL && emit_field_needs_copy(f))
				return true;
	}
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

/* NAME_extra, NAME_copy and NAME_clone of message d; `any`: one was
 * written before. */
static void
source_message(struct emit *e, const ast_decl *d, bool *any,
    bool bytes, bool nested)
{
	char name[512];

	if (!*any)
		emit_out(e, "/*\n * NAME_extra: the bytes the strings of *m "
		    "take; NAME_copy: copy *m to\n * dst, which has room "
		    "for the struct and those bytes, strings after the"
		    "\n * struct, and point the copy at them. A NULL "
		    "string stays NULL.\n%s%s */\n", bytes ?
		    " * The data of bytes fields is copied likewise (NULL "
		    "data stays NULL);\n * NAME_extra returns SIZE_MAX "
		    "for NULL data with a len > 0, or a total\n * no "
		    "envelope could hold.\n" : "", nested ?
		    " * NAME_place does the same for a message nested "
		    "in another (c: its\n * place in the copy), "
		    "writing from p on; it returns where it ends.\n" :
		    "");
	else
		emit_out(e, "\n");
	*any = true;
	emit_nested_helpers(e, d->fields);
	snprintf(name, sizeof(name), "%s_%s", ast_prefix(d), d->name);
	emit_copy_helpers(e, name, d->fields, d);
	if (emit_every_allowed(d) && ast_anyone_accepts(e->unit, d))
		emit_out(e, "\n/* For periodic timers: copy a payload. */\n"
		    "static void\n%s_clone(void *dst, const void *src)\n"
		    "{\n\t%s_copy(dst, (const %s *)src);\n}\n", name,
		    name, name);
}

void
emit_source_messages(struct emit *e)
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
			source_message(e, imported.at[i], &any, bytes, nested);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		/* Sends and calls copy the messages actors accept; replies
		 * and the messages of topics are copied too. */
		if (d->kind != AST_D_MESSAGE || !emit_needs_copy(d->fields) ||
		    (!ast_anyone_accepts(e->unit, d) &&
		    !emit_is_reply(e->unit, d) && !emit_published(e->unit, d)))
			continue;
		source_message(e, d, &any, bytes, nested);
	}
	free(imported.at);
	if (any)
		emit_out(e, "\n");
}

/* The statement that prints x, an element of field f (of type t). */
static void
print_element(struct emit *e, const ast_type *t, const char *x,
    const char *ind)
{
	const ast_decl *d = t->target;

	switch (t->kind) {
	case AST_T_BOOL:
		emit_out(e, "%sfputs(%s ? \"true\" : \"false\", f);\n", ind, x);
		return;
	case AST_T_I8:
	case AST_T_I16:
	case AST_T_I32:
	case AST_T_I64:
		emit_out(e, "%sfprintf(f, \"%%lld\", (long long)%s);\n", ind,
		    x);
		return;
	case AST_T_U8:
	case AST_T_U16:
	case AST_T_U32:
	case AST_T_U64:
		emit_out(e, "%sfprintf(f, \"%%llu\", "
		    "(unsigned long long)%s);\n", ind, x);
		return;
	case AST_T_F32:
	case AST_T_F64:
		emit_out(e, "%sfprintf(f, \"%%g\", (double)%s);\n", ind, x);
		return;
	case AST_T_STRING:
		emit_out(e, "%srt_print_string(f, %s);\n", ind, x);
		return;
	case AST_T_BYTES:
		emit_out(e, "%srt_print_bytes(f, %s);\n", ind, x);
		return;
	case AST_T_REF:
		emit_out(e, "%srt_print_ref(f, %s.ref);\n", ind, x);
		return;
	case AST_T_CTYPE:
		emit_out(e, "%sfputs(\"<c>\", f);\n", ind);
		return;
	case AST_T_NAMED:
		if (d->kind == AST_D_ENUM)
			emit_wrapped(e, "%srt_print_enum(f, %s_%s_name(%s), "
			    "(long long)%s);\n", ind, ast_prefix(d), d->name, x,
			    x);
		else
			emit_out(e, "%s%s_%s_print(f, &%s);\n", ind,
			    ast_prefix(d), d->name, x);
		return;
	}
}

/* P_M_print for every message, P_E_name for every enum, and the table of
 * message names. */
void
emit_source_printers(struct emit *e)
{
	const ast_decl *d;
	const ast_field *f;
	const ast_name *v;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_ENUM)
			continue;
		emit_out(e, "const char *\n%s_%s_name(%s_%s v)\n{\n\tswitch "
		    "(v) {\n",
		    e->p, d->name, e->p, d->name);
		for (v = d->values; v != NULL; v = v->next) {
			const char *c;

			emit_out(e, "\tcase %s_%s_", e->p, d->name);
			for (c = v->name; *c != '\0'; c++)
				emit_out(e, "%c", *c >= 'a' && *c <= 'z' ?
				    *c - 'a' + 'A' : *c);
			emit_out(e, ":\n\t\treturn \"%s\";\n", v->name);
		}
		emit_out(e, "\t}\n\treturn NULL;\n}\n\n");
	}
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			emit_out(e, "const char *const %s_message_names[] = {\n"
			    "\tNULL,\n", e->p);
		any = true;
		emit_out(e, "\t\"%s\",\n", d->name);
	}
	if (!any)
		return;
	emit_out(e, "};\n");
	for (d = e->unit->decls; d != NULL; d = d->next) {
		bool first = true;

		if (d->kind != AST_D_MESSAGE)
			continue;
		emit_out(e, "\nvoid\n%s_%s_print(FILE *f, const %s_%s "
		    "*m)\n{\n", e->p,
		    d->name, e->p, d->name);
		if (d->fields == NULL) {
			emit_out(e, "\t(void)m;\n"
			    "\tfputs(\"%s{}\", f);\n"
			    "}\n", d->name);
			continue;
		}
		emit_out(e, "%s\tif (m == NULL) {\n\t\tfputs(\"%s(NULL)\", "
		    "f);\n"
		    "\t\treturn;\n\t}\n", has_kind_array(d->fields) ?
		    "\tsize_t i;\n\n" : "", d->name);
		for (f = d->fields; f != NULL; f = f->next) {
			char x[512];

			emit_out(e, "\tfputs(\"%s%s%s=%s\", f);\n", first ?
			    d->name : ", ", first ? "{" : "", f->name,
			    f->type.array ? "[" : "");
			first = false;
			element(x, sizeof(x), "m", f);
			if (f->type.array) {
				emit_out(e, "\tfor (i = 0; i < %llu; i++) {\n"
				    "\t\tif (i > 0)\n\t\t\tfputc(',', f);\n",
				    (unsigned long long)f->type.len);
				print_element(e, &f->type, x, "\t\t");
				emit_out(e, "\t}\n\tfputc(']', f);\n");
			} else {
				print_element(e, &f->type, x, "\t");
			}
		}
		emit_out(e, "\tfputc('}', f);\n}\n");
	}
	emit_out(e, "\n");
}
