/* SPDX-License-Identifier: MIT */
/*
 * The C emitter (see emit_c.h). All text goes through one printf-like
 * function that counts lines, so the emitter always knows the line it is
 * on. Code that comes from a declaration is preceded by a #line pointing
 * into the .rtp ("mapped" mode); the first generated line after it gets a
 * #line back to its real place in the output. Compiler messages about
 * generated types and prototypes thus point at the .rtp declaration, and
 * everything else at the generated file.
 *
 * Section order of the header: includes and the ABI check, actor refs
 * (messages and state may hold them), message tags, message structs, the
 * requests' descriptors and deferred replies, then per actor its state,
 * args, local tags (the messages it accepts, then the replies to its
 * asks), class, spawn, sends, calls and asks with their type-checking
 * macros and the handlers the user writes; then per topic its descriptor,
 * publish (with its macro) and the subscriptions of the actors that accept
 * its message; last the poisoned names of the sends, calls, asks and
 * subscriptions that do not exist. The source follows the same order; the
 * handler of a request runs through a static helper that gives it a zeroed
 * reply and sends the reply when one is due.
 */
#include "emit_c_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the source ------------------------------------------------------ */

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

static void nested_helpers(struct emit *e, const ast_field *fields);

/* The helpers of message m as a nested value: P_M_extra, and P_M_place,
 * which moves the strings and bytes of *c (a copy whose pointers are still
 * the original's) to p onward and returns where they end. Once each. */
static void
place_helper(struct emit *e, const ast_decl *m)
{
	char name[512];

	if (!emit_pset_add(&e->done, &m->fields))
		return;
	nested_helpers(e, m->fields);
	snprintf(name, sizeof(name), "%s_%s", ast_prefix(m), m->name);
	emit_src_of(e, m);
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
static void
nested_helpers(struct emit *e, const ast_field *fields)
{
	const ast_field *f;

	for (f = fields; f != NULL; f = f->next)
		if (ast_nested(f) != NULL && emit_field_needs_copy(f))
			place_helper(e, ast_nested(f));
}

/* NAME_extra and NAME_copy: the strings and bytes of a struct, after
 * it, in field order, nested messages included. `key` marks NAME_extra as
 * written (a message's may be written already, for its nesting). */
static void
copy_helpers(struct emit *e, const char *name, const ast_field *fields,
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
	nested_helpers(e, d->fields);
	snprintf(name, sizeof(name), "%s_%s", ast_prefix(d), d->name);
	emit_src_of(e, d);
	copy_helpers(e, name, d->fields, d);
	if (emit_every_allowed(d) && ast_anyone_accepts(e->unit, d))
		emit_out(e, "\n/* For periodic timers: copy a payload. */\n"
		    "static void\n%s_clone(void *dst, const void *src)\n"
		    "{\n\t%s_copy(dst, (const %s *)src);\n}\n", name,
		    name, name);
}

static void
source_messages(struct emit *e)
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
	if (any) {
		emit_gen(e);
		emit_out(e, "\n");
	}
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
static void
source_printers(struct emit *e)
{
	const ast_decl *d;
	const ast_field *f;
	const ast_name *v;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_ENUM)
			continue;
		emit_src(e, &d->name_loc);
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
	if (!any) {
		emit_gen(e);
		return;
	}
	emit_out(e, "};\n");
	for (d = e->unit->decls; d != NULL; d = d->next) {
		bool first = true;

		if (d->kind != AST_D_MESSAGE)
			continue;
		emit_src(e, &d->name_loc);
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
	emit_gen(e);
	emit_out(e, "\n");
}

/* A's helper that runs its handler of request m with a zeroed reply and
 * sends the reply when one is due now (see rt_request_leave). */
static void
source_serve(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;
	const ast_decl *r = emit_reply_of(m);
	const char *rn = r->name, *rp = ast_prefix(r);

	emit_wrapped(e, "static int\n%s_%s_serve_%s(%s_%s *self, rt_ctx *ctx, "
	    "const %s_%s *req)\n{\n", p, n, mn, p, n, ast_prefix(m), mn);
	emit_out(e, "\t%s_%s reply;\n", rp, rn);
	if (emit_has_bytes(r->fields))
		emit_out(e, "\tsize_t size = sizeof(%s_%s), extra;\n", rp, rn);
	else if (emit_needs_copy(r->fields))
		emit_out(e, "\tsize_t size = sizeof(%s_%s);\n", rp, rn);
	emit_out(e, "\trt_env *env;\n\tint r;\n\n"
	    "\tmemset(&reply, 0, sizeof(reply));\n"
	    "\trt_request_enter(ctx, req);\n"
	    "\tr = %s_%s_on_%s(self, ctx, req, &reply);\n", p, n, mn);
	if (emit_has_bytes(r->fields))
		emit_out(e, "\tif (r == 0) {\n"
		    "\t\textra = %s_%s_extra(&reply);\n"
		    "\t\t/* A reply with bad bytes crashes the actor, as a "
		    "failed\n\t\t * handler would; the asker gets RT_ENOACTOR. "
		    "*/\n\t\tif (extra == SIZE_MAX)\n"
		    "\t\t\tr = RT_EINVAL;\n\t\telse\n"
		    "\t\t\tsize += extra;\n\t}\n", rp, rn);
	else if (emit_needs_copy(r->fields))
		emit_out(e, "\tif (r == 0)\n"
		    "\t\tsize += %s_%s_extra(&reply);\n", rp, rn);
	if (emit_needs_copy(r->fields))
		emit_out(e, "\tr = rt_request_leave(ctx, r, size, &env);\n"
		    "\tif (env != NULL) {\n"
		    "\t\t%s_%s_copy(rt_env_payload(env), &reply);\n", rp, rn);
	else
		emit_out(e, "\tr = rt_request_leave(ctx, r, sizeof(%s_%s), "
		    "&env);\n\tif (env != NULL) {\n"
		    "\t\tmemcpy(rt_env_payload(env), &reply, sizeof(reply));\n",
		    rp, rn);
	emit_out(e, "\t\trt_reply_commit(env);\n\t}\n\treturn r;\n}\n\n");
}

static void
source_dispatch(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	size_t i;

	emit_wrapped(e, "static int\n%s_%s_dispatch(void *self, rt_ctx *ctx, "
	    "uint32_t tag, const void *msg)\n{\n", p, n);
	if (a->naccepts + a->nasks == 0) {
		emit_out(e, "\t(void)self;\n\t(void)ctx;\n\t(void)tag;\n"
		    "\t(void)msg;\n\treturn RT_EBADMSG;\n}\n");
		return;
	}
	emit_out(e, "\tswitch ((enum %s_%s_tag)tag) {\n", p, n);
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *t = a->accepts[i]->target;
		const char *m = a->accepts[i]->name;

		emit_out(e, "\tcase %s_%s_TAG_%s:\n\t\treturn "
		    "%s_%s_%s_%s((%s_%s *)self, ctx,\n"
		    "\t\t    (const %s_%s *)msg);\n", p, n, m, p, n,
		    emit_reply_of(t) != NULL ? "serve" : "on", m, p, n,
		    ast_prefix(t), m);
	}
	for (i = 0; i < a->nasks; i++) {
		const char *m = a->asks[i]->name;
		const ast_decl *r;

		emit_out(e, "\tcase %s_%s_TAG_%s_reply: {\n"
		    "\t\trt_corr id;\n\t\tint status = rt_reply_status(msg, "
		    "&id);\n\n", p, n, m);
		r = emit_reply_of(a->asks[i]->target);
		emit_wrapped(e, "\t\treturn %s_%s_on_%s_reply((%s_%s *)self, "
		    "ctx, id, status, status == 0 ? (const %s_%s *)msg : "
		    "NULL);\n", p, n, m, p, n, ast_prefix(r), r->name);
		emit_out(e, "\t}\n");
	}
	emit_out(e, "\t}\n\treturn RT_EBADMSG;\n}\n");
}

static void
source_spawn(struct emit *e, const ast_decl *a, bool strings, bool bytes)
{
	const char *p = e->p, *n = a->name;

	emit_wrapped(e, "int\n%s_%s_spawn(rt_system *sys, const %s_%s_args "
	    "*args, %s_%s_ref *out)\n{\n", p, n, p, n, p, n);
	emit_out(e, "\tsize_t size = sizeof(%s_%s_args)%s;\n\trt_env *env;\n"
	    "\trt_ref ref;\n\tint r;\n\n", p, n, bytes ? ", extra" : "");
	if (bytes)
		emit_out(e, "\tif (args != NULL) {\n"
		    "\t\textra = %s_%s_args_extra(args);\n"
		    "\t\tif (extra == SIZE_MAX)\n\t\t\treturn RT_EINVAL;\n"
		    "\t\tsize += extra;\n\t}\n", p, n);
	else if (strings)
		emit_out(e, "\tif (args != NULL)\n"
		    "\t\tsize += %s_%s_args_extra(args);\n", p, n);
	emit_out(e, "\tr = rt_spawn_prepare(sys, &%s_%s_class, size, &env);\n"
	    "\tif (r != 0)\n\t\treturn r;\n\tif (args != NULL)\n", p, n);
	if (strings)
		emit_out(e, "\t\t%s_%s_args_copy(rt_env_payload(env), args);\n",
		    p, n);
	else
		emit_out(e, "\t\tmemcpy(rt_env_payload(env), args, size);\n");
	emit_out(e, "\telse\n\t\tmemset(rt_env_payload(env), 0, size);\n"
	    "\tr = rt_spawn_commit(env, &ref);\n"
	    "\tif (r == 0 && out != NULL)\n\t\tout->ref = ref;\n"
	    "\treturn r;\n}\n");
}

/* A's typed registry calls. */
static void
source_registry(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;

	emit_wrapped(e, "\nint\n%s_%s_register(%s_%s_ref a, const char "
	    "*name)\n{\n"
	    "\treturn rt_register(a.ref, name);\n}\n", p, n, p, n);
	emit_wrapped(e, "\nint\n%s_%s_whereis(rt_system *sys, const char "
	    "*name, %s_%s_ref *out)\n{\n\tif (out == NULL)\n"
	    "\t\treturn RT_EINVAL;\n\treturn rt_whereis(sys, name, "
	    "&%s_%s_class, &out->ref);\n}\n", p, n, p, n, p, n);
}

/*
 * The statements that check `var`, a pointer to a message m, and build
 * env, an envelope filled with a copy of it; `return r` on error. `open`
 * is the call that makes the envelope up to its size argument:
 * "rt_env_new(to.ref, P_A_TAG_M" for a send.
 */
static void
env_body(struct emit *e, const ast_decl *m, const char *var,
    const char *open)
{
	const char *p = ast_prefix(m), *mn = m->name;
	bool strings = emit_needs_copy(m->fields);
	bool bytes = emit_has_bytes(m->fields);

	if (m->fields != NULL)
		emit_out(e, "\tif (%s == NULL)\n\t\treturn RT_EINVAL;\n", var);
	if (bytes)
		emit_out(e, "\textra = %s_%s_extra(%s);\n\tif (extra == "
		    "SIZE_MAX)\n"
		    "\t\treturn RT_EINVAL;\n", p, mn, var);
	if (bytes)
		emit_wrapped(e, "\tr = %s, sizeof(%s_%s) + extra, &env);\n",
		    open, p, mn);
	else if (strings)
		emit_wrapped(e, "\tr = %s, sizeof(%s_%s) + %s_%s_extra(%s), "
		    "&env);\n",
		    open, p, mn, p, mn, var);
	else
		emit_wrapped(e, "\tr = %s, sizeof(%s_%s), &env);\n", open, p,
		    mn);
	emit_out(e, "\tif (r != 0)\n\t\treturn r;\n");
	if (m->fields == NULL)
		emit_out(e, "\tif (%s != NULL)\n"
		    "\t\tmemcpy(rt_env_payload(env), %s, sizeof(%s_%s));\n"
		    "\telse\n\t\tmemset(rt_env_payload(env), 0, "
		    "sizeof(%s_%s));\n", var, var, p, mn, p, mn);
	else if (strings)
		emit_out(e, "\t%s_%s_copy(rt_env_payload(env), "
		    "%s);\n", p, mn, var);
	else
		emit_out(e, "\tmemcpy(rt_env_payload(env), %s, "
		    "sizeof(%s_%s));\n",
		    var, p, mn);
}

/* env_body() for a message of A sent with `ctor` (rt_env_new, or
 * rt_request_new for a request that is asked or called). */
static void
env_body_to(struct emit *e, const ast_decl *a, const ast_decl *m,
    const char *var, const char *ctor)
{
	char open[512];

	snprintf(open, sizeof(open), "%s(to.ref, %s_%s_TAG_%s", ctor, e->p,
	    a->name, m->name);
	env_body(e, m, var, open);
}

/* Locals of a function that runs env_body(). */
static const char *
env_locals(const ast_decl *m)
{
	return emit_has_bytes(m->fields) ? "\tsize_t extra;\n\trt_env *env;\n"
	    "\tint r;\n\n" : "\trt_env *env;\n\tint r;\n\n";
}

/* A's send of m with options, then the plain send, which is the same
 * with opts NULL. */
static void
source_send(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;

	emit_wrapped(e, "int\n(%s_%s_send_%s_opt)(%s_%s_ref to, const %s_%s "
	    "*msg, const rt_send_opts *opts)\n"
	    "{\n%s", p, n, mn, p, n, ast_prefix(m), mn, env_locals(m));
	env_body_to(e, a, m, "msg", "rt_env_new");
	emit_out(e, "\treturn rt_env_send_opts(env, opts);\n}\n\n");
	emit_wrapped(e, "int\n(%s_%s_send_%s)(%s_%s_ref to, const %s_%s "
	    "*msg)\n{\n"
	    "\treturn (%s_%s_send_%s_opt)(to, msg, NULL);\n}\n", p, n, mn, p,
	    n, ast_prefix(m), mn, p, n, mn);
}

/* A's timed sends of m: once after a delay, and every period (not for a
 * message with C-typed fields, whose copies could not all own them). */
static void
source_timers(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;
	const char *mp = ast_prefix(m);

	emit_wrapped(e, "int\n(%s_%s_send_%s_after)(%s_%s_ref to, const %s_%s "
	    "*msg, rt_duration delay, rt_timer *out)\n{\n%s", p, n, mn, p, n,
	    mp, mn, env_locals(m));
	env_body_to(e, a, m, "msg", "rt_env_new");
	emit_out(e, "\treturn rt_env_send_after(env, delay, out);\n}\n");
	if (!emit_every_allowed(m))
		return;
	emit_wrapped(e, "\nint\n(%s_%s_send_%s_every)(%s_%s_ref to, const "
	    "%s_%s *msg, rt_duration period, rt_timer *out)\n"
	    "{\n%s", p, n, mn, p, n, mp, mn, env_locals(m));
	env_body_to(e, a, m, "msg", "rt_env_new");
	if (emit_needs_copy(m->fields))
		emit_out(e, "\treturn rt_env_send_every(env, period, "
		    "%s_%s_clone, out);\n}\n", mp, mn);
	else
		emit_out(e, "\treturn rt_env_send_every(env, period, NULL, "
		    "out);\n}\n");
}

/* A's call and ask of request m: built as its send, with rt_request_new
 * so that the runtime keeps room for where the reply goes. */
static void
source_call_ask(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;
	const ast_decl *r = emit_reply_of(m);
	const char *mp = ast_prefix(m), *rp = ast_prefix(r);

	emit_wrapped(e, "int\n(%s_%s_call_%s)(rt_system *sys, %s_%s_ref to, "
	    "const %s_%s *req, %s_%s *reply, rt_duration timeout)\n{\n", p, n,
	    mn, p, n, mp, mn, rp, r->name);
	if (r->fields == NULL)
		emit_out(e, "\t%s_%s none;\n", rp, r->name);
	emit_out(e, "%s", env_locals(m));
	if (r->fields == NULL)
		emit_out(e, "\tif (reply == NULL)\n\t\treply = &none;\n");
	else
		emit_out(e, "\tif (reply == NULL)\n\t\treturn RT_EINVAL;\n");
	env_body_to(e, a, m, "req", "rt_request_new");
	emit_out(e, "\treturn rt_call(sys, env, reply, sizeof(%s_%s), "
	    "timeout);\n"
	    "}\n\n", rp, r->name);
	emit_wrapped(e, "rt_corr\n(%s_%s_ask_%s)(rt_ctx *ctx, %s_%s_ref to, "
	    "const %s_%s *req, rt_duration timeout)\n{\n%s", p, n, mn, p, n,
	    mp, mn, env_locals(m));
	env_body_to(e, a, m, "req", "rt_request_new");
	emit_out(e, "\treturn rt_ask(ctx, env, &%s_%s_request_desc, timeout);\n"
	    "}\n", mp, mn);
}

/*
 * A's message printer for crash reports: the message of a local tag, with
 * the printer of its type; a reply that is no answer shows its status.
 */
static void
source_print(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	size_t i;

	emit_wrapped(e, "\nstatic void\n%s_%s_print_thunk(FILE *f, uint32_t "
	    "tag, const void *msg)\n{\n", p, n);
	if (a->naccepts + a->nasks == 0) {
		emit_out(e, "\t(void)f;\n\t(void)tag;\n\t(void)msg;\n}\n");
		return;
	}
	emit_out(e, "\tswitch ((enum %s_%s_tag)tag) {\n", p, n);
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *t = a->accepts[i]->target;

		emit_out(e, "\tcase %s_%s_TAG_%s:\n", p, n,
		    a->accepts[i]->name);
		emit_wrapped(e, "\t\t%s_%s_print(f, (const %s_%s *)msg);\n"
		    "\t\tbreak;\n", ast_prefix(t), t->name, ast_prefix(t),
		    t->name);
	}
	for (i = 0; i < a->nasks; i++) {
		const ast_decl *r = emit_reply_of(a->asks[i]->target);

		emit_out(e, "\tcase %s_%s_TAG_%s_reply: {\n\t\trt_corr id;\n"
		    "\t\tint status = rt_reply_status(msg, &id);\n\n"
		    "\t\tif (status == 0)\n", p, n, a->asks[i]->name);
		emit_wrapped(e, "\t\t\t%s_%s_print(f, (const %s_%s *)msg);\n",
		    ast_prefix(r), r->name, ast_prefix(r), r->name);
		emit_out(e, "\t\telse\n\t\t\tfprintf(f, \"(%%s)\", "
		    "rt_strerror(status));\n\t\tbreak;\n\t}\n");
	}
	emit_out(e, "\t}\n}\n");
}

/* A's class, and the table of where the replies to its asks go. */
static void
source_class(struct emit *e, const ast_decl *a, bool strings)
{
	const char *p = e->p, *n = a->name;
	size_t i;

	if (a->nasks > 0) {
		emit_out(e, "\nstatic const rt_ask_route %s_%s_asks[] = "
		    "{\n", p, n);
		for (i = 0; i < a->nasks; i++)
			emit_out(e, "\t{ &%s_%s_request_desc, "
			    "%s_%s_TAG_%s_reply },\n",
			    ast_prefix(a->asks[i]->target), a->asks[i]->name, p,
			    n, a->asks[i]->name);
		emit_out(e, "};\n");
	}
	emit_out(e, "\nconst rt_actor_class %s_%s_class = {\n"
	    "\t.abi = RT_PROTOCOL_ABI,\n\t.name = \"%s.%s\",\n"
	    "\t.state_size = sizeof(%s_%s),\n"
	    "\t.state_align = _Alignof(%s_%s),\n"
	    "\t.ntags = %lu,\n", p, n, p, n, p, n, p, n,
	    (unsigned long)(a->naccepts + a->nasks));
	if (a->naccepts + a->nasks > 0)
		emit_out(e, "\t.tag_names = %s_%s_tag_names,\n", p, n);
	else
		emit_out(e, "\t.tag_names = NULL,\n");
	emit_out(e, "\t.dispatch = %s_%s_dispatch,\n", p, n);
	if (a->hooks & AST_HOOK_START)
		emit_out(e, "\t.on_start = %s_%s_start_thunk,\n", p, n);
	else
		emit_out(e, "\t.on_start = NULL,\n");
	if (a->hooks & AST_HOOK_STOP)
		emit_out(e, "\t.on_stop = %s_%s_stop_thunk,\n", p, n);
	else
		emit_out(e, "\t.on_stop = NULL,\n");
	emit_out(e, "\t.args_size = sizeof(%s_%s_args),\n", p, n);
	if (a->mailbox_bound != 0)
		emit_out(e, "\t.mailbox_bound = %lu,\n"
		    "\t.overflow = RT_OVERFLOW_%s,\n",
		    (unsigned long)a->mailbox_bound,
		    a->overflow == AST_OVERFLOW_DROP ? "DROP" :
		    a->overflow == AST_OVERFLOW_REJECT ? "REJECT" : "BLOCK");
	else
		emit_out(e, "\t.mailbox_bound = 0, /* unbounded */\n"
		    "\t.overflow = RT_OVERFLOW_BLOCK,\n");
	if (a->nasks > 0)
		emit_out(e, "\t.asks = %s_%s_asks,\n\t.nasks = %lu,\n", p, n,
		    (unsigned long)a->nasks);
	else
		emit_out(e, "\t.asks = NULL,\n\t.nasks = 0,\n");
	if (a->hooks & AST_HOOK_DOWN)
		emit_out(e, "\t.on_down = %s_%s_down_thunk,\n", p, n);
	if (strings)
		emit_out(e, "\t.args_extra = %s_%s_args_extra_thunk,\n"
		    "\t.args_copy = %s_%s_args_copy_thunk,\n", p, n, p, n);
	emit_out(e, "\t.print = %s_%s_print_thunk,\n};\n\n", p, n);
}

static void
source_actor(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	const ast_field *args = a->init != NULL ? a->init->fields : NULL;
	bool strings = emit_needs_copy(args), bytes = emit_has_bytes(args);
	bool serves = false;
	char name[512];
	size_t i;

	emit_out(e, "/* Actor %s. */\n", n);
	emit_src(e, &a->name_loc);
	if (a->naccepts + a->nasks > 0) {
		emit_out(e, "static const char *const %s_%s_tag_names[] = {\n",
		    p, n);
		for (i = 0; i < a->naccepts; i++)
			emit_out(e, "\t\"%s\",\n", a->accepts[i]->name);
		for (i = 0; i < a->nasks; i++)
			emit_out(e, "\t\"%s_reply\",\n", a->asks[i]->name);
		emit_out(e, "};\n\n");
	}
	for (i = 0; i < a->naccepts; i++) {
		if (emit_reply_of(a->accepts[i]->target) == NULL)
			continue;
		emit_src(e, &a->accepts[i]->loc);
		source_serve(e, a, a->accepts[i]->target);
		serves = true;
	}
	if (serves)
		emit_src(e, &a->name_loc);
	source_dispatch(e, a);
	if (a->hooks & AST_HOOK_START)
		emit_wrapped(e, "\nstatic int\n"
		    "%s_%s_start_thunk(void *self, rt_ctx *ctx, const void "
		    "*args)\n{\n\treturn %s_%s_on_start((%s_%s *)self, ctx,\n"
		    "\t    (const %s_%s_args *)args);\n"
		    "}\n", p, n, p, n, p, n, p, n);
	if (a->hooks & AST_HOOK_STOP)
		emit_wrapped(e, "\nstatic void\n"
		    "%s_%s_stop_thunk(void *self, rt_ctx *ctx, int reason)\n"
		    "{\n\t%s_%s_on_stop((%s_%s *)self, ctx, reason);\n"
		    "}\n", p, n, p, n, p, n);
	if (a->hooks & AST_HOOK_DOWN)
		emit_wrapped(e, "\nstatic int\n"
		    "%s_%s_down_thunk(void *self, rt_ctx *ctx, rt_ref who, int "
		    "reason)\n{\n\treturn %s_%s_on_down((%s_%s *)self, ctx, "
		    "who, reason);\n}\n", p, n, p, n, p, n);
	if (strings) {
		nested_helpers(e, args);
		snprintf(name, sizeof(name), "%s_%s_args", p, n);
		emit_src(e, emit_clause_loc(a, a->init));
		copy_helpers(e, name, args, a->init);
		emit_out(e, "\n");
		emit_src(e, &a->name_loc);
		emit_wrapped(e, "\nstatic size_t\n%s_%s_args_extra_thunk("
		    "const void *args)\n{\n\treturn %s_%s_args_extra("
		    "(const %s_%s_args *)args);\n}\n", p, n, p, n, p, n);
		emit_wrapped(e, "\nstatic void\n%s_%s_args_copy_thunk(void "
		    "*dst, const void *args)\n{\n\t%s_%s_args_copy(dst, "
		    "(const %s_%s_args *)args);\n}\n", p, n, p, n, p, n);
	}
	source_print(e, a);
	source_class(e, a, strings);
	source_spawn(e, a, strings, bytes);
	source_registry(e, a);
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *m = a->accepts[i]->target;

		emit_out(e, "\n");
		emit_src(e, &a->accepts[i]->loc);
		source_send(e, a, m);
		emit_out(e, "\n");
		source_timers(e, a, m);
		if (emit_reply_of(m) != NULL) {
			emit_out(e, "\n");
			source_call_ask(e, a, m);
		}
	}
	emit_gen(e);
}

/* The descriptor of each request, and the function that answers it after
 * its handler deferred the reply. */
static void
source_requests(struct emit *e)
{
	const ast_decl *d;
	bool any = false;

	for (d = emit_next_request(e->unit->decls); d != NULL;
	    d = emit_next_request(d->next)) {
		const ast_decl *r = emit_reply_of(d);

		if (!any)
			emit_out(e, "/* Requests, and their deferred replies. "
			    "*/\n");
		else
			emit_out(e, "\n");
		any = true;
		emit_src(e, &d->name_loc);
		emit_wrapped(e, "const rt_request %s_%s_request_desc = { "
		    "\"%s.%s\", sizeof(%s_%s) };\n\n", e->p, d->name, e->p,
		    d->name, ast_prefix(r), r->name);
		emit_wrapped(e, "int\n(%s_reply_%s)(rt_reply_token t, const "
		    "%s_%s *reply)\n{\n%s", e->p, d->name, ast_prefix(r),
		    r->name, env_locals(r));
		env_body(e, r, "reply", "rt_reply_token_env(t");
		emit_out(e, "\trt_reply_commit(env);\n\treturn 0;\n}\n");
	}
	if (any) {
		emit_gen(e);
		emit_out(e, "\n");
	}
}

/* Topic t: its descriptor, its publish, built as a send with
 * rt_publish_new, and the subscriptions of the actors that accept its
 * message, each with the actor's own tag of it. */
static void
source_topic(struct emit *e, const ast_decl *t)
{
	const ast_decl *m = t->carries->target, *a;
	const char *p = e->p, *tn = t->name;
	char open[512];

	emit_out(e, "\n/* Topic %s. */\n", tn);
	emit_src(e, &t->name_loc);
	emit_out(e, "const rt_topic %s_%s_topic = { \"%s.%s\" };\n\n", p, tn, p,
	    tn);
	emit_wrapped(e, "int\n(%s_%s_publish)(rt_system *sys, const %s_%s "
	    "*msg)\n"
	    "{\n%s", p, tn, ast_prefix(m), m->name, env_locals(m));
	snprintf(open, sizeof(open), "rt_publish_new(sys, &%s_%s_topic", p,
	    tn);
	env_body(e, m, "msg", open);
	emit_out(e, "\treturn rt_publish(env);\n}\n");
	for (a = e->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR || !ast_accepts(a, m))
			continue;
		emit_wrapped(e, "\nint\n%s_%s_subscribe_%s(%s_%s_ref a)\n"
		    "{\n\treturn rt_subscribe(&%s_%s_topic, a.ref, "
		    "%s_%s_TAG_%s);\n}\n", p, a->name, tn, p, a->name, p, tn, p,
		    a->name, m->name);
		emit_wrapped(e, "\nint\n%s_%s_unsubscribe_%s(%s_%s_ref a)\n{\n"
		    "\treturn rt_unsubscribe(&%s_%s_topic, a.ref);\n}\n", p,
		    a->name, tn, p, a->name, p, tn);
	}
	emit_gen(e);
}

static void
emit_source(struct emit *e)
{
	const ast_decl *d;
	bool first = true;

	emit_banner(e);
	emit_out(e, "#include \"");
	emit_put_cstring(e, e->o->h_name);
	emit_out(e, "\"\n\n#include <string.h>\n\n");
	source_messages(e);
	source_printers(e);
	source_requests(e);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_ACTOR)
			continue;
		if (!first)
			emit_out(e, "\n");
		first = false;
		source_actor(e, d);
	}
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_TOPIC)
			source_topic(e, d);
	emit_sup_source(e);
}

void
emit_c(const ast_unit *unit, const emit_c_opts *opts, emit_buf *h,
    emit_buf *c)
{
	struct emit e = { .unit = unit, .o = opts,
		.p = unit->protocol->name };

	e.b = h;
	e.self_name = opts->h_name;
	emit_header(&e);
	e.b = c;
	e.self_name = opts->c_name;
	e.line = 0;
	e.mapped = false;
	emit_source(&e);
	emit_pset_clear(&e.done);
}
