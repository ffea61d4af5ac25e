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
#include "emit_c.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RTGEN_VERSION_TEXT "0.1.0"

/* A set of pointers (open addressing): which structs and helpers the
 * emitter has written already, when nesting decides the order. */
struct pset {
	const void **slots;
	size_t cap, count;
};

static size_t
pset_slot(const struct pset *set, const void *p)
{
	size_t i = ((size_t)(uintptr_t)p >> 4) * 2654435761u & (set->cap - 1);

	while (set->slots[i] != NULL && set->slots[i] != p)
		i = (i + 1) & (set->cap - 1);
	return i;
}

/* Add p; false if it was there already. */
static bool
pset_add(struct pset *set, const void *p)
{
	size_t i;

	if (2 * (set->count + 1) > set->cap) {
		struct pset bigger = { NULL, set->cap == 0 ? 64 : 2 * set->cap,
			set->count };

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

static bool
pset_has(const struct pset *set, const void *p)
{
	return set->cap != 0 && set->slots[pset_slot(set, p)] != NULL;
}

static void
pset_clear(struct pset *set)
{
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

/* A growing list of declarations, in the order first met. */
struct dlist {
	const ast_decl **at;
	size_t len, cap;
};

static void
dlist_add(struct dlist *l, struct pset *seen, const ast_decl *d)
{
	if (!pset_add(seen, d))
		return;
	if (l->len == l->cap) {
		l->cap = l->cap == 0 ? 8 : 2 * l->cap;
		l->at = realloc(l->at, l->cap * sizeof(*l->at));
		if (l->at == NULL) {
			fputs("rtgen: out of memory\n", stderr);
			abort();
		}
	}
	l->at[l->len++] = d;
}

struct emit {
	emit_buf *b;
	const ast_unit *unit;
	const emit_c_opts *o;
	const char *p;          /* the protocol prefix */
	const char *self_name;  /* this output's name, for #line back */
	int line;               /* lines completed so far */
	bool mapped;            /* the last #line points into the .rtp */
	struct pset done;       /* what has been emitted, where order matters */
};

void
emit_buf_free(emit_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void
put(struct emit *e, const char *s, size_t n)
{
	emit_buf *b = e->b;
	size_t i;

	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 4096 : b->cap;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (b->data == NULL) {
			fputs("rtgen: out of memory\n", stderr);
			abort();
		}
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	for (i = 0; i < n; i++)
		if (s[i] == '\n')
			e->line++;
}

static void out(struct emit *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The one way text gets out: printf-style, line-counted. */
static void
out(struct emit *e, const char *fmt, ...)
{
	char small[512], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		put(e, small, (size_t)n);
		return;
	}
	big = ast_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	put(e, big, (size_t)n);
	free(big);
}

static void wrapped(struct emit *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like out(), for prototypes, function heads and long statements: a line
 * longer than 79 columns (a tab is 8) is broken after the last ", " that
 * fits, and goes on indented by four spaces more than the line began, as
 * in the rest of rt. */
static void
wrapped(struct emit *e, const char *fmt, ...)
{
	const size_t limit = 79;
	char *text, *line, *nl;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	text = ast_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	for (line = text; *line != '\0'; line = nl) {
		size_t len, tabs = strspn(line, "\t"), indent;

		if (tabs > 8)
			tabs = 8; /* no generated line is indented so deep */
		indent = 7 * tabs;
		nl = strchr(line, '\n');
		nl = nl != NULL ? nl + 1 : line + strlen(line);
		len = (size_t)(nl - line);
		while (indent + len > limit + 1) {
			size_t cut = 0, i;

			for (i = 0; i + 2 <= len && indent + i + 1 <= limit;
			    i++)
				if (line[i] == ',' && line[i + 1] == ' ')
					cut = i + 1;
			if (cut == 0)
				break;
			put(e, line, cut);
			put(e, "\n", 1);
			put(e, "\t\t\t\t\t\t\t\t", tabs);
			put(e, "    ", 4);
			line += cut + 1;
			len -= cut + 1;
			indent = 8 * tabs + 4;
		}
		put(e, line, len);
	}
	free(text);
}

/* Write `name` as the body of a C string literal. */
static void
put_cstring(struct emit *e, const char *name)
{
	const unsigned char *s = (const unsigned char *)name;

	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			out(e, "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			out(e, "\\%03o", *s);
		else
			put(e, (const char *)s, 1);
	}
}

/* Map what follows to line `line` of the .rtp. */
static void
src(struct emit *e, const ast_loc *loc)
{
	if (!e->o->lines)
		return;
	out(e, "#line %d \"", loc->first_line);
	put_cstring(e, e->o->src_path);
	out(e, "\"\n");
	e->mapped = true;
}

/* Map what follows to the declaration d, which may be in an imported
 * .rtp (its path as found: beside this one or in a -I directory). */
static void
src_of(struct emit *e, const ast_decl *d)
{
	if (d->home == e->unit) {
		src(e, &d->name_loc);
		return;
	}
	if (!e->o->lines)
		return;
	out(e, "#line %d \"", d->name_loc.first_line);
	put_cstring(e, d->home->path);
	out(e, "\"\n");
	e->mapped = true;
}

/* Map what follows back to where it really is in the output. */
static void
gen(struct emit *e)
{
	if (!e->mapped)
		return;
	/* This directive is on line e->line + 1; the next is one further. */
	out(e, "#line %d \"", e->line + 2);
	put_cstring(e, e->self_name);
	out(e, "\"\n");
	e->mapped = false;
}

static void
banner(struct emit *e)
{
	const char *s;

	out(e, "/* Generated by rtgen " RTGEN_VERSION_TEXT " from ");
	/* A path is only text here; keep it from ending the comment. */
	for (s = e->o->src_path; *s != '\0'; s++) {
		if (s[0] == '*' && s[1] == '/')
			out(e, "*_");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			out(e, "?");
		else
			put(e, s, 1);
		if (s[0] == '*' && s[1] == '/')
			s++;
	}
	out(e, ". DO NOT EDIT. */\n");
}

static const char *
ctype(const ast_type *t, char *buf, size_t size)
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

static bool
has_kind(const ast_field *f, enum ast_type_kind kind)
{
	for (; f != NULL; f = f->next)
		if (f->type.kind == kind)
			return true;
	return false;
}

/* Strings and bytes, here or in a nested message. */
static bool
has_strings(const ast_field *f)
{
	return ast_fields_have(f, AST_T_STRING);
}

static bool
has_bytes(const ast_field *f)
{
	return ast_fields_have(f, AST_T_BYTES);
}

/* Does a copy of the struct need more than its own bytes? */
static bool
needs_copy(const ast_field *f)
{
	return has_strings(f) || has_bytes(f);
}

/* Does a copy of field f need more than its own bytes? */
static bool
field_needs_copy(const ast_field *f)
{
	const ast_decl *m = ast_nested(f);

	return f->type.kind == AST_T_STRING || f->type.kind == AST_T_BYTES ||
	    (m != NULL && needs_copy(m->fields));
}

/* Is there a P_A_send_M_every for m? Not with C-typed fields: the copies
 * sent at each period could not all own what such a field holds. */
static bool
every_allowed(const ast_decl *m)
{
	return !ast_fields_have(m->fields, AST_T_CTYPE);
}

/* typedef struct NAME { fields } NAME; -- `char rt_empty_;` if none. */
static void
struct_def(struct emit *e, const char *name, const ast_field *fields)
{
	char buf[512];
	const ast_field *f;

	out(e, "typedef struct %s {\n", name);
	if (fields == NULL)
		out(e, "\tchar rt_empty_; /* C has no empty structs */\n");
	for (f = fields; f != NULL; f = f->next) {
		const char *t = ctype(&f->type, buf, sizeof(buf));
		size_t len = strlen(t);

		out(e, "\t%s%s%s", t, t[len - 1] == '*' ||
		    t[len - 1] == ' ' ? "" : " ", f->name);
		if (f->type.array)
			out(e, "[%llu]", (unsigned long long)f->type.len);
		out(e, ";\n");
	}
	out(e, "} %s;\n", name);
}

static const ast_loc *
clause_loc(const ast_decl *a, const ast_clause *c)
{
	return c != NULL ? &c->loc : &a->name_loc;
}

/* Does a topic carry message m? */
static bool
published(const ast_unit *unit, const ast_decl *m)
{
	const ast_decl *t;

	for (t = unit->decls; t != NULL; t = t->next)
		if (t->kind == AST_D_TOPIC && t->carries->target == m)
			return true;
	return false;
}

/* Is there a topic in the unit? */
static bool
any_topic(const ast_unit *unit)
{
	const ast_decl *d;

	for (d = unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_TOPIC)
			return true;
	return false;
}

/* The reply of request m, or NULL when m is not a request. */
static const ast_decl *
reply_of(const ast_decl *m)
{
	return m->reply != NULL ? m->reply->target : NULL;
}

/* The first request at or after d in its list, or NULL. */
static const ast_decl *
next_request(const ast_decl *d)
{
	while (d != NULL && (d->kind != AST_D_MESSAGE || reply_of(d) == NULL))
		d = d->next;
	return d;
}

/* Is message m the reply of a request? */
static bool
is_reply(const ast_unit *unit, const ast_decl *m)
{
	const ast_decl *d;

	for (d = unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE && reply_of(d) == m)
			return true;
	return false;
}

/* ---- the header ------------------------------------------------------ */

static void
guard_name(struct emit *e)
{
	const char *base = strrchr(e->o->src_path, '/'), *s;

	base = base != NULL ? base + 1 : e->o->src_path;
	if (!((*base >= 'A' && *base <= 'Z') || (*base >= 'a' && *base <= 'z')))
		out(e, "RTGEN_");
	for (s = base; *s != '\0'; s++) {
		char c = *s;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		put(e, &c, 1);
	}
	out(e, "_H");
}

static void
header_refs_and_tags(struct emit *e)
{
	const ast_decl *d;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_ACTOR)
			continue;
		if (!any)
			out(e, "/*\n * References to actors, one type per actor "
			    "kind so that they do not convert\n * into each "
			    "other. A zeroed one names no actor.\n */\n");
		any = true;
		out(e, "typedef struct %s_%s_ref {\n\trt_ref ref;\n} %s_%s_ref;"
		    "\n", e->p, d->name, e->p, d->name);
	}
	if (any)
		out(e, "\n");
	any = false;
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			out(e, "/* Message tags of the protocol, in declaration "
			    "order. */\nenum {\n");
		else
			out(e, ",\n");
		any = true;
		out(e, "\t%s_%s_TAG = %lu", e->p, d->name,
		    (unsigned long)d->tag);
	}
	if (any)
		out(e, "\n};\n\n");
}

/* The enums, each with the function that names its values. */
static void
header_enums(struct emit *e)
{
	const ast_decl *d;
	const ast_name *v;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		unsigned long i = 0;

		if (d->kind != AST_D_ENUM)
			continue;
		if (!any)
			out(e, "/* Enums. P_E_name(v) is the .rtp name of v, or "
			    "NULL when v is none of\n * E's values. */\n");
		any = true;
		src(e, &d->name_loc);
		out(e, "typedef enum %s_%s {\n", e->p, d->name);
		for (v = d->values; v != NULL; v = v->next, i++) {
			const char *c;

			out(e, "\t%s_%s_", e->p, d->name);
			for (c = v->name; *c != '\0'; c++)
				out(e, "%c", *c >= 'a' && *c <= 'z' ?
				    *c - 'a' + 'A' : *c);
			out(e, " = %lu%s\n", i, v->next != NULL ? "," : "");
		}
		out(e, "} %s_%s;\n", e->p, d->name);
		out(e, "const char *%s_%s_name(%s_%s v);\n", e->p, d->name,
		    e->p, d->name);
	}
	if (any) {
		gen(e);
		out(e, "\n");
	}
}

/* The struct of message d, after those of the messages it nests (C needs
 * a struct complete before it holds one by value). */
static void
header_message(struct emit *e, const ast_decl *d)
{
	const ast_field *f;
	char name[512];

	/* An imported message's struct is in its own protocol's header. */
	if (d->home != e->unit || !pset_add(&e->done, d))
		return;
	for (f = d->fields; f != NULL; f = f->next)
		if (ast_nested(f) != NULL)
			header_message(e, ast_nested(f));
	snprintf(name, sizeof(name), "%s_%s", e->p, d->name);
	if (ast_fields_have(d->fields, AST_T_CTYPE)) {
		gen(e);
		out(e, "/*\n * %s: a send copies its C-typed fields "
		    "by value. A pointer in one\n * moves to the "
		    "receiver when the send returns 0, and stays the "
		    "caller's\n * when it returns an error. A message "
		    "that becomes a dead letter\n * reaches the "
		    "dead-letter hook (rt_config) with its payload\n"
		    " * (rt_dead_letter.msg), where the pointee can be "
		    "freed.\n */\n", name);
	}
	src(e, &d->name_loc);
	struct_def(e, name, d->fields);
}

static void
header_messages(struct emit *e)
{
	const ast_decl *d;
	bool any = false;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			out(e, "/* Messages. */\n");
		any = true;
		header_message(e, d);
	}
	pset_clear(&e->done);
	if (!any)
		return;
	gen(e);
	out(e, "\n/*\n * Printers, for logs and crash reports: P_M_print "
	    "writes *m to f on one\n * line as M{field=value, ...}: "
	    "strings quoted and escaped, bytes as\n * their length and "
	    "first bytes in hex, enums by name, arrays in [],\n * refs as "
	    "<ref> and C-typed fields as <c>. P_message_names[P_M_TAG]\n"
	    " * is \"M\" (entry 0 is NULL).\n */\n");
	out(e, "extern const char *const %s_message_names[];\n", e->p);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		src(e, &d->name_loc);
		out(e, "void %s_%s_print(FILE *f, const %s_%s *m);\n", e->p,
		    d->name, e->p, d->name);
	}
	gen(e);
	out(e, "\n");
}

/*
 * A type-checking macro of the same name as the function `name`: its
 * parameters are `lead` ("to, "), passed on as `lead_args` ("(to), "),
 * then `arg`, which must point to a message m (P_M * or const P_M *, or
 * a void * such as NULL when m has no fields), then `params` (", opts"),
 * passed on as `args` (", (opts)"). When `arg` comes last it is the
 * macro's `...`, so that a compound literal with commas in it, as in
 * &(P_M){ 1, 2 }, is still one argument.
 */
static void
checked_macro(struct emit *e, const char *name, const char *lead,
    const char *lead_args, const char *arg, const ast_decl *m,
    const char *params, const char *args)
{
	const char *p = ast_prefix(m);

	if (*params == 0)
		arg = "__VA_ARGS__";
	out(e, "#define %s(%s%s%s) \\\n", name, lead, *params == 0 ? "..." :
	    arg, params);
	out(e, "\t(%s)(%s_Generic((%s), \\\n", name, lead_args, arg);
	out(e, "\t    %s_%s *: (%s), const %s_%s *: (%s)", p, m->name, arg, p,
	    m->name, arg);
	if (m->fields == NULL)
		out(e, ", void *: (%s)", arg);
	out(e, ")%s%s)\n", *args != 0 ? ", \\\n\t    " : "",
	    *args != 0 ? args + 2 : "");
}

/* The descriptors of the requests and their deferred replies. */
static void
header_requests(struct emit *e)
{
	const ast_decl *d;
	bool any = false;

	for (d = next_request(e->unit->decls); d != NULL;
	    d = next_request(d->next)) {
		if (!any)
			out(e, "/*\n * Requests: a message M -> R is answered "
			    "with an R. P_M_request_desc\n * describes it to "
			    "the runtime. P_reply_M answers a request whose\n"
			    " * handler deferred its reply (took rt_defer_reply"
			    "(ctx) and returned\n * RT_DEFER): it borrows reply "
			    "(strings and bytes are copied) and uses\n * up the "
			    "token. Returns 0, RT_ENOENT (answered before), "
			    "RT_ENOMEM, or\n * RT_EINVAL (a zeroed token; a NULL "
			    "reply when R has fields, or bad\n * bytes: the "
			    "token is then left unused).\n */\n");
		any = true;
		src(e, &d->name_loc);
		out(e, "extern const rt_request %s_%s_request_desc;\n", e->p,
		    d->name);
		wrapped(e, "int %s_reply_%s(rt_reply_token t, const %s_%s "
		    "*reply);\n", e->p, d->name, ast_prefix(reply_of(d)),
		    reply_of(d)->name);
	}
	if (!any)
		return;
	gen(e);
	out(e, "#ifndef __cplusplus\n/* Make a reply of the wrong type a hard "
	    "error. */\n");
	for (d = next_request(e->unit->decls); d != NULL;
	    d = next_request(d->next)) {
		char name[512];

		src(e, &d->name_loc);
		snprintf(name, sizeof(name), "%s_reply_%s", e->p, d->name);
		checked_macro(e, name, "t, ", "(t), ", "reply", reply_of(d),
		    "", "");
	}
	gen(e);
	out(e, "#endif\n\n");
}

/*
 * The type-checking macro of A's send of m, or of a twin: `suffix` is ""
 * for the send, else "_opt", "_after" or "_every"; `params` and `args` are
 * the twin's parameters after msg (", opts") and how the macro passes them
 * on (", (opts)").
 */
static void
send_macro(struct emit *e, const ast_decl *a, const ast_decl *m,
    const char *suffix, const char *params, const char *args)
{
	char name[512];

	snprintf(name, sizeof(name), "%s_%s_send_%s%s", e->p, a->name,
	    m->name, suffix);
	checked_macro(e, name, "to, ", "(to), ", "msg", m, params, args);
}

/* The type-checking macros of A's call and ask of request m: the reply of
 * a call is checked too (NULL is allowed only for a reply without
 * fields). */
static void
request_macros(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const ast_decl *r = reply_of(m);
	char name[512], args[512];

	snprintf(name, sizeof(name), "%s_%s_call_%s", e->p, a->name, m->name);
	snprintf(args, sizeof(args), ", _Generic((reply), %s_%s *: (reply)%s), "
	    "(timeout)", ast_prefix(r), r->name, r->fields != NULL ? "" :
	    ", void *: (reply)");
	checked_macro(e, name, "sys, to, ", "(sys), (to), ", "req", m,
	    ", reply, timeout", args);
	snprintf(name, sizeof(name), "%s_%s_ask_%s", e->p, a->name, m->name);
	checked_macro(e, name, "ctx, to, ", "(ctx), (to), ", "req", m,
	    ", timeout", ", (timeout)");
}

/* What a full mailbox does (include/rt/protocol.h), as the last lines of
 * the comment of a bounded actor. */
static const char *
overflow_text(enum ast_overflow policy)
{
	switch (policy) {
	case AST_OVERFLOW_BLOCK:
		return " * a plain thread's send waits for room (with "
		    "rt_send_opts.timeout > 0,\n * at most that long, then "
		    "RT_ETIMEDOUT); an actor's send is accepted,\n * and the "
		    "sending actor is not run again until the mailbox drains\n"
		    " * below its bound.\n";
	case AST_OVERFLOW_DROP:
		return " * a message sent to it is dropped and counted as a "
		    "dead letter, and\n * the send returns 0.\n";
	case AST_OVERFLOW_REJECT:
		return " * a send returns RT_EFULL.\n";
	}
	return "";
}

/* Do the args or a message A accepts have a bytes field? */
static bool
bytes_fields(const ast_decl *a)
{
	size_t i;

	if (a->init != NULL && has_bytes(a->init->fields))
		return true;
	for (i = 0; i < a->naccepts; i++)
		if (has_bytes(a->accepts[i]->target->fields))
			return true;
	return false;
}

/* Does A accept a request? */
static bool
accepts_requests(const ast_decl *a)
{
	size_t i;

	for (i = 0; i < a->naccepts; i++)
		if (reply_of(a->accepts[i]->target) != NULL)
			return true;
	return false;
}

/* How the calls, asks and handlers of requests work, for the comment of
 * an actor that accepts some. */
static const char requests_text[] =
    " * A request M -> R it accepts can also be called or asked (req as msg\n"
    " * above). P_A_call_M, for a thread that is not an actor, waits at\n"
    " * most timeout (RT_FOREVER: no limit) for the reply, copied to *reply\n"
    " * (its strings and bytes stay valid until the thread's next call),\n"
    " * and returns 0, RT_ETIMEDOUT or the request's error (RT_ENOACTOR:\n"
    " * the actor stopped or crashed first); reply may be NULL only when R\n"
    " * has no fields (else RT_EINVAL). P_A_ask_M, from a handler of an\n"
    " * actor that `asks M`, returns at once a correlation id (> 0) or a\n"
    " * negative RT_E* code; the answer comes to that actor's on_M_reply.\n"
    " * The handler of a request fills *reply (zeroed before it runs) and\n"
    " * returns 0, or takes rt_defer_reply(ctx), returns RT_DEFER and\n"
    " * answers later with P_reply_M. A request that is sent, not called or\n"
    " * asked, runs the same handler and its reply is dropped.\n";

/* How the answers to asks arrive, for the comment of an actor that asks. */
static const char asks_text[] =
    " * The answer to each of its asks comes to on_M_reply, with the id\n"
    " * P_X_ask_M returned and a status: 0 with the reply (valid while the\n"
    " * handler runs), or RT_ETIMEDOUT, RT_ENOACTOR, RT_EFULL, ... with\n"
    " * reply NULL. Each ask that returned an id is answered exactly once.\n";

/* The prototypes of A's call and ask of request m. */
static void
header_call_ask(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mp = ast_prefix(m);

	wrapped(e, "int %s_%s_call_%s(rt_system *sys, %s_%s_ref to, "
	    "const %s_%s *req, %s_%s *reply, rt_duration timeout);\n", p, n,
	    m->name, p, n, mp, m->name, ast_prefix(reply_of(m)),
	    reply_of(m)->name);
	wrapped(e, "rt_corr %s_%s_ask_%s(rt_ctx *ctx, %s_%s_ref to, "
	    "const %s_%s *req, rt_duration timeout);\n", p, n, m->name, p, n,
	    mp, m->name);
}

/* The handler the user writes for message m of A: with a reply for a
 * request. */
static void
header_handler(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name;
	const ast_decl *r = reply_of(m);

	if (r != NULL)
		wrapped(e, "int %s_%s_on_%s(%s_%s *self, rt_ctx *ctx, "
		    "const %s_%s *req, %s_%s *reply);\n", p, n, m->name, p, n,
		    ast_prefix(m), m->name, ast_prefix(r), r->name);
	else
		wrapped(e, "int %s_%s_on_%s(%s_%s *self, rt_ctx *ctx, "
		    "const %s_%s *msg);\n", p, n, m->name, p, n, ast_prefix(m),
		    m->name);
}

/* A's names in the registry (include/rt/registry.h). */
static void
header_registry(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;

	gen(e);
	out(e, "/* Its name in the registry: rt_register and rt_whereis; "
	    "_whereis returns\n * RT_ETYPE when the name is another kind "
	    "of actor's. */\n");
	src(e, &a->name_loc);
	wrapped(e, "int %s_%s_register(%s_%s_ref a, const char *name);\n", p, n,
	    p, n);
	wrapped(e, "int %s_%s_whereis(rt_system *sys, const char *name, "
	    "%s_%s_ref *out);\n", p, n, p, n);
}

static void
header_actor(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	char name[512];
	size_t i;

	out(e, "/*\n * Actor %s: its state, spawn arguments, class and spawn "
	    "function,\n * sends and handlers. The spawn copies args (NULL: "
	    "all zero) and stores\n * the new ref in *out (out may be NULL); "
	    "a send queues a copy of msg\n * (borrowed: strings are copied "
	    "before it returns) and returns RT_EINVAL\n * for a NULL msg "
	    "when the message has fields. Each send has an _opt\n * twin "
	    "that takes rt_send_opts (priority, ttl, timeout; NULL: the\n"
	    " * defaults, the same as the plain send), which also returns "
	    "RT_EINVAL\n * for bad options. All return 0 or a negative RT_E* "
	    "code.\n", n);
	if (bytes_fields(a))
		out(e, " * The data of bytes fields is copied like strings; "
		    "a bytes field with\n * NULL data and a len > 0 makes a "
		    "send or the spawn return RT_EINVAL.\n");
	if (a->init != NULL && has_kind(a->init->fields, AST_T_CTYPE))
		out(e, " * C-typed args are copied by value: a pointer in one "
		    "is the new\n * actor's once the spawn returns 0.\n");
	if (a->mailbox_bound != 0)
		out(e, " * Its mailbox holds at most %lu messages; when it is "
		    "full,\n%s", (unsigned long)a->mailbox_bound,
		    overflow_text(a->overflow));
	if (accepts_requests(a))
		out(e, "%s", requests_text);
	if (a->nasks > 0)
		out(e, "%s", asks_text);
	out(e, " */\n");
	snprintf(name, sizeof(name), "%s_%s", p, n);
	src(e, clause_loc(a, a->state));
	struct_def(e, name, a->state != NULL ? a->state->fields : NULL);
	snprintf(name, sizeof(name), "%s_%s_args", p, n);
	src(e, clause_loc(a, a->init));
	struct_def(e, name, a->init != NULL ? a->init->fields : NULL);
	src(e, &a->name_loc);
	if (a->naccepts + a->nasks > 0) {
		/* The messages it accepts, then the replies to its asks. */
		out(e, "enum %s_%s_tag {\n", p, n);
		for (i = 0; i < a->naccepts + a->nasks; i++)
			out(e, "\t%s_%s_TAG_%s%s = %lu%s\n", p, n,
			    i < a->naccepts ? a->accepts[i]->name :
			    a->asks[i - a->naccepts]->name,
			    i < a->naccepts ? "" : "_reply", (unsigned long)i,
			    i + 1 < a->naccepts + a->nasks ? "," : "");
		out(e, "};\n");
	}
	out(e, "extern const rt_actor_class %s_%s_class;\n", p, n);
	wrapped(e, "int %s_%s_spawn(rt_system *sys, const %s_%s_args *args, "
	    "%s_%s_ref *out);\n", p, n, p, n, p, n);
	header_registry(e, a);
	for (i = 0; i < a->naccepts; i++) {
		const ast_name *m = a->accepts[i];
		const char *mp = ast_prefix(m->target);

		src(e, &m->loc);
		wrapped(e, "int %s_%s_send_%s(%s_%s_ref to, const %s_%s *msg);\n",
		    p, n, m->name, p, n, mp, m->name);
		wrapped(e, "int %s_%s_send_%s_opt(%s_%s_ref to, "
		    "const %s_%s *msg, const rt_send_opts *opts);\n", p, n,
		    m->name, p, n, mp, m->name);
		wrapped(e, "int %s_%s_send_%s_after(%s_%s_ref to, "
		    "const %s_%s *msg, rt_duration delay, rt_timer *out);\n",
		    p, n, m->name, p, n, mp, m->name);
		if (every_allowed(m->target))
			wrapped(e, "int %s_%s_send_%s_every(%s_%s_ref to, "
			    "const %s_%s *msg, rt_duration period, "
			    "rt_timer *out);\n", p, n, m->name, p, n, mp,
			    m->name);
		if (reply_of(m->target) != NULL)
			header_call_ask(e, a, m->target);
	}
	if (a->naccepts > 0) {
		gen(e);
		out(e, "#ifndef __cplusplus\n/* Make a message of the wrong "
		    "type a hard error. A compound literal\n * with commas "
		    "in it needs parentheses unless it is the last argument."
		    " */\n");
		for (i = 0; i < a->naccepts; i++) {
			const ast_decl *m = a->accepts[i]->target;

			src(e, &a->accepts[i]->loc);
			send_macro(e, a, m, "", "", "");
			send_macro(e, a, m, "_opt", ", opts", ", (opts)");
			send_macro(e, a, m, "_after", ", delay, out",
			    ", (delay), (out)");
			if (every_allowed(m))
				send_macro(e, a, m, "_every", ", period, out",
				    ", (period), (out)");
			if (reply_of(m) != NULL)
				request_macros(e, a, m);
		}
		gen(e);
		out(e, "#endif\n");
	}
	gen(e);
	if (a->naccepts > 0 || a->nasks > 0 || a->hooks != 0)
		out(e, "/* Handlers of %s, which the user writes. */\n", n);
	for (i = 0; i < a->naccepts; i++) {
		src(e, &a->accepts[i]->loc);
		header_handler(e, a, a->accepts[i]->target);
	}
	for (i = 0; i < a->nasks; i++) {
		const ast_name *m = a->asks[i];

		src(e, &m->loc);
		wrapped(e, "int %s_%s_on_%s_reply(%s_%s *self, rt_ctx *ctx, "
		    "rt_corr id, int status, const %s_%s *reply);\n", p, n,
		    m->name, p, n, ast_prefix(reply_of(m->target)),
		    reply_of(m->target)->name);
	}
	for (i = 0; a->hooks != 0 && i < 3; i++) {
		static const char *const hooks[] = { "start", "stop", "down" };
		const ast_clause *c;
		const ast_name *h = NULL;

		for (c = a->clauses; c != NULL; c = c->next)
			if (c->kind == AST_C_ON)
				for (h = c->names; h != NULL; h = h->next)
					if (strcmp(h->name, hooks[i]) == 0)
						goto found;
		continue;
found:
		src(e, &h->loc);
		if (i == 0)
			wrapped(e, "int %s_%s_on_start(%s_%s *self, rt_ctx *ctx, "
			    "const %s_%s_args *args);\n", p, n, p, n, p, n);
		else if (i == 1)
			wrapped(e, "void %s_%s_on_stop(%s_%s *self, rt_ctx *ctx, "
			    "int reason);\n", p, n, p, n);
		else
			wrapped(e, "int %s_%s_on_down(%s_%s *self, rt_ctx *ctx, "
			    "rt_ref who, int reason);\n", p, n, p, n);
	}
	gen(e);
	out(e, "\n");
}

/* The functions of an actor A and a message M, P_A_<verb>_M<suffix>,
 * that the header poisons when they do not exist: the sends, then the
 * call and the ask of a request; last the subscriptions of A to a topic
 * (M is then the topic). */
static const struct twin {
	const char *verb, *suffix;
} twins[] = { { "send", "" }, { "send", "_opt" }, { "send", "_after" },
	{ "send", "_every" }, { "call", "" }, { "ask", "" },
	{ "subscribe", "" }, { "unsubscribe", "" } };

/* Add one name to a #pragma GCC poison line, starting or wrapping it. */
static void
poison_name(struct emit *e, size_t *col, const ast_decl *a,
    const ast_decl *m, const struct twin *t)
{
	size_t len = strlen(e->p) + strlen(a->name) + strlen(t->verb) +
	    strlen(m->name) + strlen(t->suffix) + 4;

	if (*col == 0) {
		out(e, "#pragma GCC poison");
		*col = 18;
	} else if (*col + len > 76) {
		out(e, " \\\n\t");
		*col = 8;
	}
	out(e, " %s_%s_%s_%s%s", e->p, a->name, t->verb, m->name, t->suffix);
	*col += len;
}

/* How topics work, for the comment on them (include/rt/topic.h). */
static const char topics_text[] =
    "/*\n"
    " * Topics. P_T_publish delivers msg to every actor subscribed to T in\n"
    " * sys, through its handler of M. It borrows msg and copies it once\n"
    " * (strings and bytes too): all the subscribers share that one copy.\n"
    " * Each subscriber gets the messages of one publisher in the order\n"
    " * they were published. It returns how many deliveries failed (>= 0: a\n"
    " * subscriber's mailbox refused it or its wait timed out, or the\n"
    " * subscriber had stopped; 0 when nobody is subscribed), or RT_EINVAL\n"
    " * (a NULL msg when M has fields, bad bytes), RT_ESHUTDOWN or RT_ENOMEM,\n"
    " * and then nothing was delivered. A full mailbox that drops makes a\n"
    " * dead letter, as for a send, not a failure.\n"
    " * P_A_subscribe_T subscribes actor a, which accepts M: 0, RT_EEXIST\n"
    " * (already subscribed), RT_ENOACTOR, RT_EINVAL (a zeroed ref),\n"
    " * RT_ESHUTDOWN or RT_ENOMEM. P_A_unsubscribe_T ends it: 0 or RT_ENOENT;\n"
    " * what was delivered stays in the mailbox. An actor that stops for\n"
    " * good is dropped from its topics.\n"
    " */\n";

/* Topic t: its descriptor, its publish with a type-checking macro, and
 * the subscriptions of each actor that accepts its message. */
static void
header_topic(struct emit *e, const ast_decl *t)
{
	const ast_decl *m = t->carries->target, *a;
	const char *p = e->p, *tn = t->name;
	char name[512];

	src(e, &t->name_loc);
	out(e, "extern const rt_topic %s_%s_topic;\n", p, tn);
	wrapped(e, "int %s_%s_publish(rt_system *sys, const %s_%s *msg);\n", p,
	    tn, ast_prefix(m), m->name);
	for (a = e->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR || !ast_accepts(a, m))
			continue;
		out(e, "int %s_%s_subscribe_%s(%s_%s_ref a);\n", p, a->name, tn,
		    p, a->name);
		out(e, "int %s_%s_unsubscribe_%s(%s_%s_ref a);\n", p, a->name,
		    tn, p, a->name);
	}
	gen(e);
	out(e, "#ifndef __cplusplus\n/* Make a message of the wrong type a "
	    "hard error. */\n");
	src(e, &t->name_loc);
	snprintf(name, sizeof(name), "%s_%s_publish", p, tn);
	checked_macro(e, name, "sys, ", "(sys), ", "msg", m, "", "");
	gen(e);
	out(e, "#endif\n\n");
}

static void
header_topics(struct emit *e)
{
	const ast_decl *d;

	if (any_topic(e->unit))
		out(e, "%s", topics_text);
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_TOPIC)
			header_topic(e, d);
}

/* The comment on the poisoned names; `topics`: the unit declares some. */
static void
poison_comment(struct emit *e, bool topics)
{
	out(e, "/*\n * Sends, calls and asks that do not exist: an actor accepts "
	    "only the\n * messages of its 'accepts' clauses (and has no _every "
	    "send of a\n * message with C-typed fields), and only requests "
	    "have calls and\n * asks. Poisoning the names of the other "
	    "combinations makes a call\n * to one a hard error, not just a "
	    "warning about an implicit\n * declaration.%s\n */\n", topics ?
	    " Likewise an actor subscribes only to the topics whose\n * "
	    "message it accepts." : "");
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
 * The messages whose sends the header poisons for the actors that do not
 * accept them: this unit's, then those of its imports. A bare name that
 * two of them share (shop.Order and common.Order) makes one set of
 * function names: it is poisoned once, and not at all for an actor that
 * accepts either. `shared` gets the messages whose name another has,
 * `skip` those whose names an earlier one poisons already.
 */
static void
poison_candidates(const struct emit *e, struct dlist *l, struct pset *shared,
    struct pset *skip)
{
	struct pset seen = { 0 };
	const ast_decl *d;
	size_t i, j;

	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE || d->kind == AST_D_TOPIC)
			dlist_add(l, &seen, d);
	j = l->len;
	for (i = 0; i < e->unit->nimports; i++)
		for (d = e->unit->imports[i]->decls; d != NULL; d = d->next)
			if (d->kind == AST_D_MESSAGE)
				dlist_add(l, &seen, d);
	pset_clear(&seen);
	/* Only imported names can be shared: this unit's are unique. */
	for (i = j; i < l->len; i++)
		for (j = 0; j < i; j++) {
			if (l->at[j]->kind != AST_D_MESSAGE ||
			    strcmp(l->at[i]->name, l->at[j]->name) != 0)
				continue;
			pset_add(shared, l->at[i]);
			pset_add(shared, l->at[j]);
			pset_add(skip, l->at[i]);
		}
}

/*
 * Past this many poisoned names, the header makes calls to undeclared
 * functions errors instead: a protocol of 10,000 messages and 1,000 actors
 * would otherwise get a gigabyte of names, one per combination that does
 * not exist.
 */
#define POISON_MAX 200000

/*
 * Walk the combinations to poison: with `emit`, write them; either way,
 * return how many names there are.
 */
static size_t
poison_walk(struct emit *e, const struct dlist *cands,
    const struct pset *shared, const struct pset *skip, bool emit)
{
	const ast_decl *a, *m;
	size_t k, total = 0;
	bool any = false;

	for (a = e->unit->decls; a != NULL; a = a->next) {
		size_t col = 0;

		if (a->kind != AST_D_ACTOR)
			continue;
		for (k = 0; k < cands->len; k++) {
			size_t i, t, end;

			m = cands->at[k];
			if (pset_has(skip, m))
				continue;
			if (m->kind == AST_D_TOPIC) {
				/* The subscriptions: twins 6 and 7. */
				i = ast_accepts(a, m->carries->target) ? 8 :
				    6;
				end = 8;
			} else if (ast_accepts(a, m)) {
				i = 3;
				/* Accepted: only the _every send, if any. */
				end = every_allowed(m) ? 3 : 4;
			} else if (pset_has(shared, m) &&
			    accepts_named(a, m->name)) {
				continue; /* it accepts the other one */
			} else {
				i = 0;
				end = reply_of(m) != NULL ? 6 : 4;
			}
			total += end - i;
			if (!emit || i == end)
				continue;
			if (!any)
				poison_comment(e, any_topic(e->unit));
			any = true;
			for (t = i; t < end; t++)
				poison_name(e, &col, a, m, &twins[t]);
		}
		if (col != 0)
			out(e, "\n");
	}
	if (any)
		out(e, "\n");
	return total;
}

static void
header_poison(struct emit *e)
{
	struct pset shared = { 0 }, skip = { 0 };
	struct dlist cands = { 0 };

	poison_candidates(e, &cands, &shared, &skip);
	if (poison_walk(e, &cands, &shared, &skip, false) <= POISON_MAX)
		poison_walk(e, &cands, &shared, &skip, true);
	else
		out(e, "/*\n * Sends, calls and asks that do not exist are not "
		    "declared: this\n * protocol has too many combinations of "
		    "actors and messages to name\n * each one, so a call to "
		    "one is made an error here instead (C99\n * removed "
		    "implicit declarations; compilers only warn by default).\n"
		    " * It stays in force for the rest of the file that includes "
		    "this\n * header; with warnings off (-w), such a call fails "
		    "when linking.\n */\n#pragma GCC diagnostic error "
		    "\"-Wimplicit-function-declaration\"\n\n");
	free(cands.at);
	pset_clear(&shared);
	pset_clear(&skip);
}

static void
emit_header(struct emit *e)
{
	const ast_decl *d;

	banner(e);
	out(e, "#ifndef ");
	guard_name(e);
	out(e, "\n#define ");
	guard_name(e);
	out(e, "\n\n#include <stdbool.h>\n#include <stddef.h>\n"
	    "#include <stdint.h>\n#include <stdio.h>\n#include <rt/rt.h>\n");
	/* Imports first: an included C type may use their types. */
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_IMPORT) {
			out(e, "#include \"");
			put_cstring(e, d->file);
			out(e, ".h\"\n");
		}
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_INCLUDE) {
			out(e, "#include \"");
			put_cstring(e, d->file);
			out(e, "\"\n");
		}
	out(e, "\n");
	out(e, "#if RT_PROTOCOL_ABI != 1\n#error \"");
	put_cstring(e, e->o->h_name);
	out(e, " was generated for rt protocol ABI 1; rerun rtgen\"\n"
	    "#endif\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
	header_refs_and_tags(e);
	header_enums(e);
	header_messages(e);
	header_requests(e);
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_ACTOR)
			header_actor(e, d);
	header_topics(e);
	header_poison(e);
	out(e, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

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
		if (f->type.array && field_needs_copy(f))
			return true;
	return false;
}

static bool
has_nested_bytes(const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (ast_nested(f) != NULL && has_bytes(ast_nested(f)->fields))
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
	out(e, "\tfor (i = 0; i < %llu; i++) {\n",
	    (unsigned long long)f->type.len);
	return "\t\t";
}

static void
loop_close(struct emit *e, const ast_field *f)
{
	if (f->type.array)
		out(e, "\t}\n");
}

/* NAME_extra: the bytes the strings and bytes of *m take after it,
 * nested messages included; SIZE_MAX for bad bytes. */
static void
extra_helper(struct emit *e, const char *name, const ast_field *fields)
{
	const ast_field *f;
	char x[512];

	out(e, "static size_t\n%s_extra(const %s *m)\n{\n\tsize_t n = 0;\n"
	    "%s%s\n", name, name, has_nested_bytes(fields) ?
	    "\tsize_t extra;\n" : "", has_copied_array(fields) ?
	    "\tsize_t i;\n" : "");
	for (f = fields; f != NULL; f = f->next) {
		const ast_decl *m = ast_nested(f);
		const char *ind;

		if (!field_needs_copy(f))
			continue;
		ind = loop_open(e, f);
		element(x, sizeof(x), "m", f);
		if (f->type.kind == AST_T_STRING)
			out(e, "%sif (%s != NULL)\n%s\tn += strlen(%s) + "
			    "1;\n", ind, x, ind, x);
		else if (f->type.kind == AST_T_BYTES)
			out(e, "%sif (%s.len != 0) {\n"
			    "%s\tif (%s.data == NULL ||\n"
			    "%s\t    %s.len > SIZE_MAX / 2 - n)\n"
			    "%s\t\treturn SIZE_MAX;\n"
			    "%s\tn += %s.len;\n%s}\n", ind, x, ind, x, ind, x,
			    ind, ind, x, ind);
		else if (has_bytes(m->fields))
			out(e, "%sextra = %s_%s_extra(&%s);\n"
			    "%sif (extra == SIZE_MAX || extra > SIZE_MAX / 2 - "
			    "n)\n%s\treturn SIZE_MAX;\n%sn += extra;\n", ind,
			    ast_prefix(m), m->name, x, ind, ind, ind);
		else
			out(e, "%sn += %s_%s_extra(&%s);\n", ind, ast_prefix(m),
			    m->name, x);
		loop_close(e, f);
	}
	out(e, "\treturn n;\n}\n");
}

/* The statements that copy the strings and bytes of `src` (an object of
 * the struct with `fields`) to p onward and point c at them. */
static void
place_fields(struct emit *e, const ast_field *fields, const char *src)
{
	const ast_field *f;
	char x[512], y[512];

	for (f = fields; f != NULL; f = f->next) {
		const ast_decl *m = ast_nested(f);
		const char *ind;

		if (!field_needs_copy(f))
			continue;
		ind = loop_open(e, f);
		element(x, sizeof(x), src, f);
		element(y, sizeof(y), "c", f);
		if (f->type.kind == AST_T_STRING)
			out(e, "%sif (%s != NULL) {\n"
			    "%s\tlen = strlen(%s) + 1;\n"
			    "%s\tmemcpy(p, %s, len);\n"
			    "%s\t%s = p;\n"
			    "%s\tp += len;\n%s}\n", ind, x, ind, x, ind, x,
			    ind, y, ind, ind);
		else if (f->type.kind == AST_T_BYTES)
			out(e, "%sif (%s.data != NULL) {\n"
			    "%s\tmemcpy(p, %s.data, %s.len);\n"
			    "%s\t%s.data = p;\n"
			    "%s\tp += %s.len;\n%s}\n", ind, x, ind, x, x,
			    ind, y, ind, x, ind);
		else
			out(e, "%sp = %s_%s_place(&%s, p);\n", ind,
			    ast_prefix(m), m->name, y);
		loop_close(e, f);
	}
}

/* The locals of place_fields(). */
static const char *
place_locals(const ast_field *fields)
{
	bool len = has_kind(fields, AST_T_STRING);
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

	if (!pset_add(&e->done, &m->fields))
		return;
	nested_helpers(e, m->fields);
	snprintf(name, sizeof(name), "%s_%s", ast_prefix(m), m->name);
	src_of(e, m);
	if (pset_add(&e->done, m)) {
		extra_helper(e, name, m->fields);
		out(e, "\n");
	}
	out(e, "static char *\n%s_place(%s *c, char *p)\n{\n%s%s", name, name,
	    place_locals(m->fields), *place_locals(m->fields) != '\0' ?
	    "\n" : "");
	place_fields(e, m->fields, "c");
	out(e, "\treturn p;\n}\n\n");
}

/* The helpers of the messages nested in `fields` that need copying. */
static void
nested_helpers(struct emit *e, const ast_field *fields)
{
	const ast_field *f;

	for (f = fields; f != NULL; f = f->next)
		if (ast_nested(f) != NULL && field_needs_copy(f))
			place_helper(e, ast_nested(f));
}

/* NAME_extra and NAME_copy: the strings and bytes of a struct, after
 * it, in field order, nested messages included. `key` marks NAME_extra as
 * written (a message's may be written already, for its nesting). */
static void
copy_helpers(struct emit *e, const char *name, const ast_field *fields,
    const void *key)
{
	if (pset_add(&e->done, key)) {
		extra_helper(e, name, fields);
		out(e, "\n");
	}
	out(e, "static void\n%s_copy(void *dst, const %s *m)\n{\n"
	    "\t%s *c = dst;\n\tchar *p = (char *)(c + 1);\n%s\n"
	    "\t*c = *m;\n", name, name, name, place_locals(fields));
	place_fields(e, fields, "m");
	out(e, "}\n");
}

/* Does a message or the args of an actor have a bytes field? */
static bool
any_bytes(const ast_unit *unit)
{
	const ast_decl *d;

	for (d = unit->decls; d != NULL; d = d->next)
		if ((d->kind == AST_D_MESSAGE && has_bytes(d->fields)) ||
		    (d->kind == AST_D_ACTOR && d->init != NULL &&
		    has_bytes(d->init->fields)))
			return true;
	return false;
}

/* Do `fields` nest a message that needs copying? */
static bool
any_nested_in(const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (ast_nested(f) != NULL && field_needs_copy(f))
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
			if (ast_nested(f) != NULL && field_needs_copy(f))
				return true;
	}
	return false;
}

/* Imported messages this unit's code copies into envelopes: those its
 * actors accept, the replies of the requests they accept, the replies of
 * its own requests and the messages of its topics. Their helpers are
 * static in each importing source, as in the source of their protocol. */
static void
imported_copied(const struct emit *e, struct dlist *l)
{
	struct pset seen = { 0 };
	const ast_decl *d, *m;
	size_t i;

	for (d = e->unit->decls; d != NULL; d = d->next) {
		m = NULL;
		if (d->kind == AST_D_ACTOR) {
			for (i = 0; i < d->naccepts; i++) {
				m = d->accepts[i]->target;
				if (m->home != e->unit)
					dlist_add(l, &seen, m);
				if (reply_of(m) != NULL &&
				    reply_of(m)->home != e->unit)
					dlist_add(l, &seen, reply_of(m));
			}
			continue;
		}
		if (d->kind == AST_D_MESSAGE)
			m = reply_of(d);
		else if (d->kind == AST_D_TOPIC)
			m = d->carries->target;
		if (m != NULL && m->home != e->unit)
			dlist_add(l, &seen, m);
	}
	pset_clear(&seen);
}

/* NAME_extra, NAME_copy and NAME_clone of message d; `any`: one was
 * written before. */
static void
source_message(struct emit *e, const ast_decl *d, bool *any,
    bool bytes, bool nested)
{
	char name[512];

	if (!*any)
		out(e, "/*\n * NAME_extra: the bytes the strings of *m "
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
		out(e, "\n");
	*any = true;
	nested_helpers(e, d->fields);
	snprintf(name, sizeof(name), "%s_%s", ast_prefix(d), d->name);
	src_of(e, d);
	copy_helpers(e, name, d->fields, d);
	if (every_allowed(d) && ast_anyone_accepts(e->unit, d))
		out(e, "\n/* For periodic timers: copy a payload. */\n"
		    "static void\n%s_clone(void *dst, const void *src)\n"
		    "{\n\t%s_copy(dst, (const %s *)src);\n}\n", name,
		    name, name);
}

static void
source_messages(struct emit *e)
{
	struct dlist imported = { 0 };
	bool any = false, bytes, nested;
	const ast_decl *d;
	size_t i;

	imported_copied(e, &imported);
	bytes = any_bytes(e->unit);
	nested = any_nested(e->unit);
	for (i = 0; i < imported.len; i++) {
		bytes = bytes || has_bytes(imported.at[i]->fields);
		nested = nested || any_nested_in(imported.at[i]->fields);
	}
	for (i = 0; i < imported.len; i++)
		if (needs_copy(imported.at[i]->fields))
			source_message(e, imported.at[i], &any, bytes, nested);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		/* Sends and calls copy the messages actors accept; replies
		 * and the messages of topics are copied too. */
		if (d->kind != AST_D_MESSAGE || !needs_copy(d->fields) ||
		    (!ast_anyone_accepts(e->unit, d) &&
		    !is_reply(e->unit, d) && !published(e->unit, d)))
			continue;
		source_message(e, d, &any, bytes, nested);
	}
	free(imported.at);
	if (any) {
		gen(e);
		out(e, "\n");
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
		out(e, "%sfputs(%s ? \"true\" : \"false\", f);\n", ind, x);
		return;
	case AST_T_I8:
	case AST_T_I16:
	case AST_T_I32:
	case AST_T_I64:
		out(e, "%sfprintf(f, \"%%lld\", (long long)%s);\n", ind, x);
		return;
	case AST_T_U8:
	case AST_T_U16:
	case AST_T_U32:
	case AST_T_U64:
		out(e, "%sfprintf(f, \"%%llu\", (unsigned long long)%s);\n",
		    ind, x);
		return;
	case AST_T_F32:
	case AST_T_F64:
		out(e, "%sfprintf(f, \"%%g\", (double)%s);\n", ind, x);
		return;
	case AST_T_STRING:
		out(e, "%srt_print_string(f, %s);\n", ind, x);
		return;
	case AST_T_BYTES:
		out(e, "%srt_print_bytes(f, %s);\n", ind, x);
		return;
	case AST_T_REF:
		out(e, "%srt_print_ref(f, %s.ref);\n", ind, x);
		return;
	case AST_T_CTYPE:
		out(e, "%sfputs(\"<c>\", f);\n", ind);
		return;
	case AST_T_NAMED:
		if (d->kind == AST_D_ENUM)
			wrapped(e, "%srt_print_enum(f, %s_%s_name(%s), "
			    "(long long)%s);\n", ind, ast_prefix(d), d->name, x,
			    x);
		else
			out(e, "%s%s_%s_print(f, &%s);\n", ind, ast_prefix(d),
			    d->name, x);
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
		src(e, &d->name_loc);
		out(e, "const char *\n%s_%s_name(%s_%s v)\n{\n\tswitch (v) {\n",
		    e->p, d->name, e->p, d->name);
		for (v = d->values; v != NULL; v = v->next) {
			const char *c;

			out(e, "\tcase %s_%s_", e->p, d->name);
			for (c = v->name; *c != '\0'; c++)
				out(e, "%c", *c >= 'a' && *c <= 'z' ?
				    *c - 'a' + 'A' : *c);
			out(e, ":\n\t\treturn \"%s\";\n", v->name);
		}
		out(e, "\t}\n\treturn NULL;\n}\n\n");
	}
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_MESSAGE)
			continue;
		if (!any)
			out(e, "const char *const %s_message_names[] = {\n"
			    "\tNULL,\n", e->p);
		any = true;
		out(e, "\t\"%s\",\n", d->name);
	}
	if (!any) {
		gen(e);
		return;
	}
	out(e, "};\n");
	for (d = e->unit->decls; d != NULL; d = d->next) {
		bool first = true;

		if (d->kind != AST_D_MESSAGE)
			continue;
		src(e, &d->name_loc);
		out(e, "\nvoid\n%s_%s_print(FILE *f, const %s_%s *m)\n{\n", e->p,
		    d->name, e->p, d->name);
		if (d->fields == NULL) {
			out(e, "\t(void)m;\n\tfputs(\"%s{}\", f);\n}\n",
			    d->name);
			continue;
		}
		out(e, "%s\tif (m == NULL) {\n\t\tfputs(\"%s(NULL)\", f);\n"
		    "\t\treturn;\n\t}\n", has_kind_array(d->fields) ?
		    "\tsize_t i;\n\n" : "", d->name);
		for (f = d->fields; f != NULL; f = f->next) {
			char x[512];

			out(e, "\tfputs(\"%s%s%s=%s\", f);\n", first ?
			    d->name : ", ", first ? "{" : "", f->name,
			    f->type.array ? "[" : "");
			first = false;
			element(x, sizeof(x), "m", f);
			if (f->type.array) {
				out(e, "\tfor (i = 0; i < %llu; i++) {\n"
				    "\t\tif (i > 0)\n\t\t\tfputc(',', f);\n",
				    (unsigned long long)f->type.len);
				print_element(e, &f->type, x, "\t\t");
				out(e, "\t}\n\tfputc(']', f);\n");
			} else {
				print_element(e, &f->type, x, "\t");
			}
		}
		out(e, "\tfputc('}', f);\n}\n");
	}
	gen(e);
	out(e, "\n");
}

/* A's helper that runs its handler of request m with a zeroed reply and
 * sends the reply when one is due now (see rt_request_leave). */
static void
source_serve(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;
	const ast_decl *r = reply_of(m);
	const char *rn = r->name, *rp = ast_prefix(r);

	wrapped(e, "static int\n%s_%s_serve_%s(%s_%s *self, rt_ctx *ctx, "
	    "const %s_%s *req)\n{\n", p, n, mn, p, n, ast_prefix(m), mn);
	out(e, "\t%s_%s reply;\n", rp, rn);
	if (has_bytes(r->fields))
		out(e, "\tsize_t size = sizeof(%s_%s), extra;\n", rp, rn);
	else if (needs_copy(r->fields))
		out(e, "\tsize_t size = sizeof(%s_%s);\n", rp, rn);
	out(e, "\trt_env *env;\n\tint r;\n\n"
	    "\tmemset(&reply, 0, sizeof(reply));\n"
	    "\trt_request_enter(ctx, req);\n"
	    "\tr = %s_%s_on_%s(self, ctx, req, &reply);\n", p, n, mn);
	if (has_bytes(r->fields))
		out(e, "\tif (r == 0) {\n\t\textra = %s_%s_extra(&reply);\n"
		    "\t\t/* A reply with bad bytes crashes the actor, as a "
		    "failed\n\t\t * handler would; the asker gets "
		    "RT_ENOACTOR. */\n"
		    "\t\tif (extra == SIZE_MAX)\n\t\t\tr = RT_EINVAL;\n"
		    "\t\telse\n\t\t\tsize += extra;\n\t}\n", rp, rn);
	else if (needs_copy(r->fields))
		out(e, "\tif (r == 0)\n\t\tsize += %s_%s_extra(&reply);\n", rp,
		    rn);
	if (needs_copy(r->fields))
		out(e, "\tr = rt_request_leave(ctx, r, size, &env);\n"
		    "\tif (env != NULL) {\n"
		    "\t\t%s_%s_copy(rt_env_payload(env), &reply);\n", rp, rn);
	else
		out(e, "\tr = rt_request_leave(ctx, r, sizeof(%s_%s), &env);\n"
		    "\tif (env != NULL) {\n"
		    "\t\tmemcpy(rt_env_payload(env), &reply, sizeof(reply));\n",
		    rp, rn);
	out(e, "\t\trt_reply_commit(env);\n\t}\n\treturn r;\n}\n\n");
}

static void
source_dispatch(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	size_t i;

	wrapped(e, "static int\n%s_%s_dispatch(void *self, rt_ctx *ctx, "
	    "uint32_t tag, const void *msg)\n{\n", p, n);
	if (a->naccepts + a->nasks == 0) {
		out(e, "\t(void)self;\n\t(void)ctx;\n\t(void)tag;\n"
		    "\t(void)msg;\n\treturn RT_EBADMSG;\n}\n");
		return;
	}
	out(e, "\tswitch ((enum %s_%s_tag)tag) {\n", p, n);
	for (i = 0; i < a->naccepts; i++) {
		const char *m = a->accepts[i]->name;

		out(e, "\tcase %s_%s_TAG_%s:\n\t\treturn %s_%s_%s_%s((%s_%s *)"
		    "self, ctx,\n\t\t    (const %s_%s *)msg);\n", p, n, m,
		    p, n, reply_of(a->accepts[i]->target) != NULL ? "serve" :
		    "on", m, p, n, ast_prefix(a->accepts[i]->target), m);
	}
	for (i = 0; i < a->nasks; i++) {
		const char *m = a->asks[i]->name;

		out(e, "\tcase %s_%s_TAG_%s_reply: {\n\t\trt_corr id;\n"
		    "\t\tint status = rt_reply_status(msg, &id);\n\n", p, n,
		    m);
		wrapped(e, "\t\treturn %s_%s_on_%s_reply((%s_%s *)self, ctx, "
		    "id, status, status == 0 ? (const %s_%s *)msg : NULL);\n",
		    p, n, m, p, n, ast_prefix(reply_of(a->asks[i]->target)),
		    reply_of(a->asks[i]->target)->name);
		out(e, "\t}\n");
	}
	out(e, "\t}\n\treturn RT_EBADMSG;\n}\n");
}

static void
source_spawn(struct emit *e, const ast_decl *a, bool strings, bool bytes)
{
	const char *p = e->p, *n = a->name;

	wrapped(e, "int\n%s_%s_spawn(rt_system *sys, const %s_%s_args *args, "
	    "%s_%s_ref *out)\n{\n", p, n, p, n, p, n);
	out(e, "\tsize_t size = sizeof(%s_%s_args)%s;\n\trt_env *env;\n"
	    "\trt_ref ref;\n\tint r;\n\n", p, n, bytes ? ", extra" : "");
	if (bytes)
		out(e, "\tif (args != NULL) {\n"
		    "\t\textra = %s_%s_args_extra(args);\n"
		    "\t\tif (extra == SIZE_MAX)\n\t\t\treturn RT_EINVAL;\n"
		    "\t\tsize += extra;\n\t}\n", p, n);
	else if (strings)
		out(e, "\tif (args != NULL)\n\t\tsize += %s_%s_args_extra(args);"
		    "\n", p, n);
	out(e, "\tr = rt_spawn_prepare(sys, &%s_%s_class, size, &env);\n"
	    "\tif (r != 0)\n\t\treturn r;\n\tif (args != NULL)\n", p, n);
	if (strings)
		out(e, "\t\t%s_%s_args_copy(rt_env_payload(env), args);\n", p,
		    n);
	else
		out(e, "\t\tmemcpy(rt_env_payload(env), args, size);\n");
	out(e, "\telse\n\t\tmemset(rt_env_payload(env), 0, size);\n"
	    "\tr = rt_spawn_commit(env, &ref);\n"
	    "\tif (r == 0 && out != NULL)\n\t\tout->ref = ref;\n"
	    "\treturn r;\n}\n");
}

/* A's typed registry calls. */
static void
source_registry(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;

	wrapped(e, "\nint\n%s_%s_register(%s_%s_ref a, const char *name)\n{\n"
	    "\treturn rt_register(a.ref, name);\n}\n", p, n, p, n);
	wrapped(e, "\nint\n%s_%s_whereis(rt_system *sys, const char *name, "
	    "%s_%s_ref *out)\n{\n\tif (out == NULL)\n\t\treturn RT_EINVAL;\n"
	    "\treturn rt_whereis(sys, name, &%s_%s_class, &out->ref);\n}\n", p,
	    n, p, n, p, n);
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
	bool strings = needs_copy(m->fields), bytes = has_bytes(m->fields);

	if (m->fields != NULL)
		out(e, "\tif (%s == NULL)\n\t\treturn RT_EINVAL;\n", var);
	if (bytes)
		out(e, "\textra = %s_%s_extra(%s);\n\tif (extra == SIZE_MAX)\n"
		    "\t\treturn RT_EINVAL;\n", p, mn, var);
	if (bytes)
		wrapped(e, "\tr = %s, sizeof(%s_%s) + extra, &env);\n", open, p,
		    mn);
	else if (strings)
		wrapped(e, "\tr = %s, sizeof(%s_%s) + %s_%s_extra(%s), &env);\n",
		    open, p, mn, p, mn, var);
	else
		wrapped(e, "\tr = %s, sizeof(%s_%s), &env);\n", open, p, mn);
	out(e, "\tif (r != 0)\n\t\treturn r;\n");
	if (m->fields == NULL)
		out(e, "\tif (%s != NULL)\n\t\tmemcpy(rt_env_payload(env), %s,"
		    " sizeof(%s_%s));\n\telse\n\t\tmemset(rt_env_payload(env),"
		    " 0, sizeof(%s_%s));\n", var, var, p, mn, p, mn);
	else if (strings)
		out(e, "\t%s_%s_copy(rt_env_payload(env), %s);\n", p, mn, var);
	else
		out(e, "\tmemcpy(rt_env_payload(env), %s, sizeof(%s_%s));\n",
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
	return has_bytes(m->fields) ? "\tsize_t extra;\n\trt_env *env;\n"
	    "\tint r;\n\n" : "\trt_env *env;\n\tint r;\n\n";
}

/* A's send of m with options, then the plain send, which is the same
 * with opts NULL. */
static void
source_send(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;

	wrapped(e, "int\n(%s_%s_send_%s_opt)(%s_%s_ref to, const %s_%s *msg, "
	    "const rt_send_opts *opts)\n{\n%s", p, n, mn, p, n, ast_prefix(m),
	    mn, env_locals(m));
	env_body_to(e, a, m, "msg", "rt_env_new");
	out(e, "\treturn rt_env_send_opts(env, opts);\n}\n\n");
	wrapped(e, "int\n(%s_%s_send_%s)(%s_%s_ref to, const %s_%s *msg)\n{\n"
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

	wrapped(e, "int\n(%s_%s_send_%s_after)(%s_%s_ref to, const %s_%s "
	    "*msg, rt_duration delay, rt_timer *out)\n{\n%s", p, n, mn, p, n,
	    mp, mn, env_locals(m));
	env_body_to(e, a, m, "msg", "rt_env_new");
	out(e, "\treturn rt_env_send_after(env, delay, out);\n}\n");
	if (!every_allowed(m))
		return;
	wrapped(e, "\nint\n(%s_%s_send_%s_every)(%s_%s_ref to, const %s_%s "
	    "*msg, rt_duration period, rt_timer *out)\n{\n%s", p, n, mn, p,
	    n, mp, mn, env_locals(m));
	env_body_to(e, a, m, "msg", "rt_env_new");
	if (needs_copy(m->fields))
		out(e, "\treturn rt_env_send_every(env, period, %s_%s_clone, "
		    "out);\n}\n", mp, mn);
	else
		out(e, "\treturn rt_env_send_every(env, period, NULL, out);"
		    "\n}\n");
}

/* A's call and ask of request m: built as its send, with rt_request_new
 * so that the runtime keeps room for where the reply goes. */
static void
source_call_ask(struct emit *e, const ast_decl *a, const ast_decl *m)
{
	const char *p = e->p, *n = a->name, *mn = m->name;
	const ast_decl *r = reply_of(m);
	const char *mp = ast_prefix(m), *rp = ast_prefix(r);

	wrapped(e, "int\n(%s_%s_call_%s)(rt_system *sys, %s_%s_ref to, "
	    "const %s_%s *req, %s_%s *reply, rt_duration timeout)\n{\n", p, n,
	    mn, p, n, mp, mn, rp, r->name);
	if (r->fields == NULL)
		out(e, "\t%s_%s none;\n", rp, r->name);
	out(e, "%s", env_locals(m));
	if (r->fields == NULL)
		out(e, "\tif (reply == NULL)\n\t\treply = &none;\n");
	else
		out(e, "\tif (reply == NULL)\n\t\treturn RT_EINVAL;\n");
	env_body_to(e, a, m, "req", "rt_request_new");
	out(e, "\treturn rt_call(sys, env, reply, sizeof(%s_%s), timeout);\n"
	    "}\n\n", rp, r->name);
	wrapped(e, "rt_corr\n(%s_%s_ask_%s)(rt_ctx *ctx, %s_%s_ref to, "
	    "const %s_%s *req, rt_duration timeout)\n{\n%s", p, n, mn, p, n,
	    mp, mn, env_locals(m));
	env_body_to(e, a, m, "req", "rt_request_new");
	out(e, "\treturn rt_ask(ctx, env, &%s_%s_request_desc, timeout);\n}\n",
	    mp, mn);
}

/* A's class, and the table of where the replies to its asks go. */
static void
source_class(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	size_t i;

	if (a->nasks > 0) {
		out(e, "\nstatic const rt_ask_route %s_%s_asks[] = {\n", p, n);
		for (i = 0; i < a->nasks; i++)
			out(e, "\t{ &%s_%s_request_desc, %s_%s_TAG_%s_reply },\n",
			    ast_prefix(a->asks[i]->target), a->asks[i]->name, p,
			    n, a->asks[i]->name);
		out(e, "};\n");
	}
	out(e, "\nconst rt_actor_class %s_%s_class = {\n"
	    "\t.abi = RT_PROTOCOL_ABI,\n\t.name = \"%s.%s\",\n"
	    "\t.state_size = sizeof(%s_%s),\n"
	    "\t.state_align = _Alignof(%s_%s),\n"
	    "\t.ntags = %lu,\n", p, n, p, n, p, n, p, n,
	    (unsigned long)(a->naccepts + a->nasks));
	if (a->naccepts + a->nasks > 0)
		out(e, "\t.tag_names = %s_%s_tag_names,\n", p, n);
	else
		out(e, "\t.tag_names = NULL,\n");
	out(e, "\t.dispatch = %s_%s_dispatch,\n", p, n);
	if (a->hooks & AST_HOOK_START)
		out(e, "\t.on_start = %s_%s_start_thunk,\n", p, n);
	else
		out(e, "\t.on_start = NULL,\n");
	if (a->hooks & AST_HOOK_STOP)
		out(e, "\t.on_stop = %s_%s_stop_thunk,\n", p, n);
	else
		out(e, "\t.on_stop = NULL,\n");
	out(e, "\t.args_size = sizeof(%s_%s_args),\n", p, n);
	if (a->mailbox_bound != 0)
		out(e, "\t.mailbox_bound = %lu,\n"
		    "\t.overflow = RT_OVERFLOW_%s,\n",
		    (unsigned long)a->mailbox_bound,
		    a->overflow == AST_OVERFLOW_DROP ? "DROP" :
		    a->overflow == AST_OVERFLOW_REJECT ? "REJECT" : "BLOCK");
	else
		out(e, "\t.mailbox_bound = 0, /* unbounded */\n"
		    "\t.overflow = RT_OVERFLOW_BLOCK,\n");
	if (a->nasks > 0)
		out(e, "\t.asks = %s_%s_asks,\n\t.nasks = %lu,\n", p, n,
		    (unsigned long)a->nasks);
	else
		out(e, "\t.asks = NULL,\n\t.nasks = 0,\n");
	if (a->hooks & AST_HOOK_DOWN)
		out(e, "\t.on_down = %s_%s_down_thunk,\n", p, n);
	out(e, "};\n\n");
}

static void
source_actor(struct emit *e, const ast_decl *a)
{
	const char *p = e->p, *n = a->name;
	const ast_field *args = a->init != NULL ? a->init->fields : NULL;
	bool strings = needs_copy(args), bytes = has_bytes(args);
	bool serves = false;
	char name[512];
	size_t i;

	out(e, "/* Actor %s. */\n", n);
	src(e, &a->name_loc);
	if (a->naccepts + a->nasks > 0) {
		out(e, "static const char *const %s_%s_tag_names[] = {\n", p,
		    n);
		for (i = 0; i < a->naccepts; i++)
			out(e, "\t\"%s\",\n", a->accepts[i]->name);
		for (i = 0; i < a->nasks; i++)
			out(e, "\t\"%s_reply\",\n", a->asks[i]->name);
		out(e, "};\n\n");
	}
	for (i = 0; i < a->naccepts; i++) {
		if (reply_of(a->accepts[i]->target) == NULL)
			continue;
		src(e, &a->accepts[i]->loc);
		source_serve(e, a, a->accepts[i]->target);
		serves = true;
	}
	if (serves)
		src(e, &a->name_loc);
	source_dispatch(e, a);
	if (a->hooks & AST_HOOK_START)
		wrapped(e, "\nstatic int\n%s_%s_start_thunk(void *self, rt_ctx "
		    "*ctx, const void *args)\n{\n\treturn %s_%s_on_start((%s_%s "
		    "*)self, ctx,\n\t    (const %s_%s_args *)args);\n}\n", p, n,
		    p, n, p, n, p, n);
	if (a->hooks & AST_HOOK_STOP)
		wrapped(e, "\nstatic void\n%s_%s_stop_thunk(void *self, rt_ctx "
		    "*ctx, int reason)\n{\n\t%s_%s_on_stop((%s_%s *)self, ctx, "
		    "reason);\n}\n", p, n, p, n, p, n);
	if (a->hooks & AST_HOOK_DOWN)
		wrapped(e, "\nstatic int\n%s_%s_down_thunk(void *self, rt_ctx "
		    "*ctx, rt_ref who, int reason)\n{\n\treturn %s_%s_on_down("
		    "(%s_%s *)self, ctx, who, reason);\n}\n", p, n, p, n, p, n);
	source_class(e, a);
	if (strings) {
		nested_helpers(e, args);
		snprintf(name, sizeof(name), "%s_%s_args", p, n);
		src(e, clause_loc(a, a->init));
		copy_helpers(e, name, args, a->init);
		out(e, "\n");
		src(e, &a->name_loc);
	}
	source_spawn(e, a, strings, bytes);
	source_registry(e, a);
	for (i = 0; i < a->naccepts; i++) {
		const ast_decl *m = a->accepts[i]->target;

		out(e, "\n");
		src(e, &a->accepts[i]->loc);
		source_send(e, a, m);
		out(e, "\n");
		source_timers(e, a, m);
		if (reply_of(m) != NULL) {
			out(e, "\n");
			source_call_ask(e, a, m);
		}
	}
	gen(e);
}

/* The descriptor of each request, and the function that answers it after
 * its handler deferred the reply. */
static void
source_requests(struct emit *e)
{
	const ast_decl *d;
	bool any = false;

	for (d = next_request(e->unit->decls); d != NULL;
	    d = next_request(d->next)) {
		const ast_decl *r = reply_of(d);

		if (!any)
			out(e, "/* Requests, and their deferred replies. */\n");
		else
			out(e, "\n");
		any = true;
		src(e, &d->name_loc);
		wrapped(e, "const rt_request %s_%s_request_desc = { \"%s.%s\", "
		    "sizeof(%s_%s) };\n\n", e->p, d->name, e->p, d->name,
		    ast_prefix(r), r->name);
		wrapped(e, "int\n(%s_reply_%s)(rt_reply_token t, const %s_%s "
		    "*reply)\n{\n%s", e->p, d->name, ast_prefix(r), r->name,
		    env_locals(r));
		env_body(e, r, "reply", "rt_reply_token_env(t");
		out(e, "\trt_reply_commit(env);\n\treturn 0;\n}\n");
	}
	if (any) {
		gen(e);
		out(e, "\n");
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

	out(e, "\n/* Topic %s. */\n", tn);
	src(e, &t->name_loc);
	out(e, "const rt_topic %s_%s_topic = { \"%s.%s\" };\n\n", p, tn, p,
	    tn);
	wrapped(e, "int\n(%s_%s_publish)(rt_system *sys, const %s_%s *msg)\n"
	    "{\n%s", p, tn, ast_prefix(m), m->name, env_locals(m));
	snprintf(open, sizeof(open), "rt_publish_new(sys, &%s_%s_topic", p,
	    tn);
	env_body(e, m, "msg", open);
	out(e, "\treturn rt_publish(env);\n}\n");
	for (a = e->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR || !ast_accepts(a, m))
			continue;
		wrapped(e, "\nint\n%s_%s_subscribe_%s(%s_%s_ref a)\n{\n"
		    "\treturn rt_subscribe(&%s_%s_topic, a.ref, %s_%s_TAG_%s);"
		    "\n}\n", p, a->name, tn, p, a->name, p, tn, p, a->name,
		    m->name);
		wrapped(e, "\nint\n%s_%s_unsubscribe_%s(%s_%s_ref a)\n{\n"
		    "\treturn rt_unsubscribe(&%s_%s_topic, a.ref);\n}\n", p,
		    a->name, tn, p, a->name, p, tn);
	}
	gen(e);
}

static void
emit_source(struct emit *e)
{
	const ast_decl *d;
	bool first = true;

	banner(e);
	out(e, "#include \"");
	put_cstring(e, e->o->h_name);
	out(e, "\"\n\n#include <string.h>\n\n");
	source_messages(e);
	source_printers(e);
	source_requests(e);
	for (d = e->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_ACTOR)
			continue;
		if (!first)
			out(e, "\n");
		first = false;
		source_actor(e, d);
	}
	for (d = e->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_TOPIC)
			source_topic(e, d);
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
	pset_clear(&e.done);
}
