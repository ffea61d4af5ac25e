/* SPDX-License-Identifier: MIT */
/*
 * What the parts of the C emitter share (emit_c_int.h): sets and lists of
 * declarations, the questions every part asks of the AST (what a field
 * list holds, which messages are requests, replies or published), and the
 * few pieces of output that several parts write: a struct definition,
 * typed refs, and the macros that make an argument of the wrong type a
 * hard error.
 */
#include "emit_c_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
pset_slot(const struct emit_pset *set, const void *p)
{
	size_t i = ((size_t)(uintptr_t)p >> 4) * 2654435761u & (set->cap - 1);

	while (set->slots[i] != NULL && set->slots[i] != p)
		i = (i + 1) & (set->cap - 1);
	return i;
}

/* Add p; false if it was there already. */
bool
emit_pset_add(struct emit_pset *set, const void *p)
{
	size_t i;

	if (2 * (set->count + 1) > set->cap) {
		size_t cap = set->cap == 0 ? 64 : 2 * set->cap;
		struct emit_pset bigger = { NULL, cap, set->count };

		bigger.slots = ast_xmalloc(bigger.cap * sizeof(*bigger.slots));
		for (i = 0; i < set->cap; i++)
			if (set->slots[i] != NULL)
				bigger.slots[pset_slot(&bigger,
				    set->slots[i])] = set->slots[i];
		free(set->slots);
		*set = bigger;
	}
	i = pset_slot(set, p);
	if (set->slots[i] != NULL)
		return false;
	set->slots[i] = p;
	set->count++;
	return true;
}

bool
emit_pset_has(const struct emit_pset *set, const void *p)
{
	return set->cap != 0 && set->slots[pset_slot(set, p)] != NULL;
}

void
emit_pset_clear(struct emit_pset *set)
{
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

void
emit_dlist_add(struct emit_dlist *l, struct emit_pset *seen, const ast_decl *d)
{
	if (!emit_pset_add(seen, d))
		return;
	if (l->len == l->cap) {
		l->cap = l->cap == 0 ? 8 : 2 * l->cap;
		l->at = ast_xrealloc(l->at, l->cap * sizeof(*l->at));
	}
	l->at[l->len++] = d;
}

void
emit_buf_free(emit_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

const char *
emit_ctype(const ast_type *t, char *buf, size_t size)
{
	switch (t->kind) {
	case AST_T_BOOL:
		return "bool";
	case AST_T_I8:
		return "int8_t";
	case AST_T_I16:
		return "int16_t";
	case AST_T_I32:
		return "int32_t";
	case AST_T_I64:
		return "int64_t";
	case AST_T_U8:
		return "uint8_t";
	case AST_T_U16:
		return "uint16_t";
	case AST_T_U32:
		return "uint32_t";
	case AST_T_U64:
		return "uint64_t";
	case AST_T_F32:
		return "float";
	case AST_T_F64:
		return "double";
	case AST_T_STRING:
		return "const char *";
	case AST_T_BYTES:
		return "rt_bytes";
	case AST_T_REF:
		snprintf(buf, size, "%s_%s_ref ", ast_prefix(t->target),
		    t->name);
		return buf;
	case AST_T_CTYPE:
		return t->name;
	case AST_T_NAMED:
		snprintf(buf, size, "%s_%s", ast_prefix(t->target), t->name);
		return buf;
	}
	return "?";
}

bool
emit_has_kind(const ast_field *f, enum ast_type_kind kind)
{
	for (; f != NULL; f = f->next)
		if (f->type.kind == kind)
			return true;
	return false;
}

/* Strings and bytes, here or in a nested message. */
bool
emit_has_strings(const ast_field *f)
{
	return ast_fields_have(f, AST_T_STRING);
}

bool
emit_has_bytes(const ast_field *f)
{
	return ast_fields_have(f, AST_T_BYTES);
}

/* Does a copy of the struct need more than its own bytes? */
bool
emit_needs_copy(const ast_field *f)
{
	return emit_has_strings(f) || emit_has_bytes(f);
}

/* Does a copy of field f need more than its own bytes? */
bool
emit_field_needs_copy(const ast_field *f)
{
	const ast_decl *m = ast_nested(f);

	return f->type.kind == AST_T_STRING || f->type.kind == AST_T_BYTES ||
	    (m != NULL && emit_needs_copy(m->fields));
}

/* Is there a P_A_send_M_every for m? Not with C-typed fields: the copies
 * sent at each period could not all own what such a field holds. */
bool
emit_every_allowed(const ast_decl *m)
{
	return !ast_fields_have(m->fields, AST_T_CTYPE);
}

/* typedef struct NAME { fields } NAME; -- `char rt_empty_;` if none. Each
 * field is mapped to its line in the .rtp (emit_src); the caller maps the
 * struct's first line, and goes back to the output after it. */
void
emit_struct_def(struct emit *e, const char *name, const ast_field *fields)
{
	struct emit_vars v = { .name = name };
	char buf[512], n[EMIT_NUM];
	const ast_field *f;

	emit_print(e, &v, "typedef struct $name$ {\n");
	if (fields == NULL)
		emit_print(e, NULL,
		    "\tchar rt_empty_; /* C has no empty structs */\n");
	for (f = fields; f != NULL; f = f->next) {
		const char *t = emit_ctype(&f->type, buf, sizeof(buf));
		size_t len = strlen(t);

		v.type = t;
		/* "T *x" and "P_A_ref x", not "T * x" or "P_A_ref  x". */
		v.sep = t[len - 1] == '*' || t[len - 1] == ' ' ? "" : " ";
		v.F = f->name;
		v.N = emit_num(n, f->type.len);
		emit_src(e, &f->loc);
		emit_print(e, &v,
		    f->type.array ? "\t$type$$sep$$F$[$N$];\n" :
				    "\t$type$$sep$$F$;\n");
	}
	emit_print(e, &v, "} $name$;\n");
}

/* The typed refs of the declarations of `kind`, after `comment`. */
void
emit_refs_h(struct emit *e, enum ast_decl_kind kind, const char *comment)
{
	struct emit_vars v = { .P = e->p };
	const ast_decl *d;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != kind)
			continue;
		if (!any)
			emit_print(e, NULL, comment);
		any = true;
		v.name = d->name;
		emit_print(e, &v,
		    "typedef struct $P$_$name$_ref {\n"
		    "\trt_ref ref;\n} $P$_$name$_ref;\n");
	}
	if (any)
		emit_print(e, NULL, "\n");
}

/*
 * A type-checking macro of the same name as the function `name`: its
 * parameters are `lead` ("to, "), passed on as `lead_args` ("(to), "),
 * then `arg`, which must point to a `type` (type * or const type *, or
 * a void * such as NULL when `nullable`), then `params` (", opts"),
 * passed on as `args` (", (opts)"). When `arg` comes last it is the
 * macro's `...`, so that a compound literal with commas in it, as in
 * &(P_M){ 1, 2 }, is still one argument.
 */
void
emit_checked_macro(struct emit *e, const char *name, const char *lead,
    const char *lead_args, const char *arg, const char *type, bool nullable,
    const char *params, const char *args)
{
	struct emit_vars v = { .name = name,
		.lead = lead,
		.lead_args = lead_args,
		.type = type,
		.params = params,
		.args = args };
	char tail[2048];

	v.arg = *params == '\0' ? "__VA_ARGS__" : arg;
	v.param = *params == '\0' ? "..." : arg;
	emit_print(e, &v,
	    "#define $name$($lead$$param$$params$) \\\n"
	    "\t($name$)($lead_args$_Generic(($arg$), \\\n");
	emit_sprint(tail, sizeof(tail), &v,
	    nullable ?
		"$type$ *: ($arg$), const $type$ *: ($arg$), void *: ($arg$))"
		"$args$)" :
		"$type$ *: ($arg$), const $type$ *: ($arg$))$args$)");
	emit_macro_lines(e, tail);
}

/* emit_checked_macro() for an argument that points to message m, which
 * may be NULL when m has no fields. */
void
emit_msg_macro(struct emit *e, const char *name, const char *lead,
    const char *lead_args, const char *arg, const ast_decl *m,
    const char *params, const char *args)
{
	struct emit_vars v = { .MP = ast_prefix(m), .M = m->name };
	char type[512];

	emit_sprint(type, sizeof(type), &v, "$MP$_$M$");
	emit_checked_macro(e, name, lead, lead_args, arg, type,
	    m->fields == NULL, params, args);
}

/* Does a topic of the unit carry m, one of its own messages? (Sema
 * marked it: constant time.) */
bool
emit_published(const ast_unit *unit, const ast_decl *m)
{
	(void)unit;
	return m->published;
}

/* Is there a supervisor in the unit? */
bool
emit_any_supervisor(const ast_unit *unit)
{
	const ast_decl *d;

	for (d = unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_SUPERVISOR)
			return true;
	return false;
}

/* Is there a topic in the unit? */
bool
emit_any_topic(const ast_unit *unit)
{
	const ast_decl *d;

	for (d = unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_TOPIC)
			return true;
	return false;
}

/* The reply of request m, or NULL when m is not a request. */
const ast_decl *
emit_reply_of(const ast_decl *m)
{
	return m->reply != NULL ? m->reply->target : NULL;
}

/* The first request at or after d in its list, or NULL. */
const ast_decl *
emit_next_request(const ast_decl *d)
{
	while (d != NULL &&
	    (d->kind != AST_D_MESSAGE || emit_reply_of(d) == NULL))
		d = d->next;
	return d;
}

/* Is m, one of the unit's own messages, the reply of one of its
 * requests? (Sema marked it: constant time.) */
bool
emit_is_reply(const ast_unit *unit, const ast_decl *m)
{
	(void)unit;
	return m->is_reply;
}
