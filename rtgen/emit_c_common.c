/* SPDX-License-Identifier: MIT */
/*
 * What the C emitter's two halves share (emit_c_int.h): the output, which
 * counts lines and maps them into the .rtp with #line, and the questions
 * both halves ask of the AST (what a field list holds, which messages are
 * requests, replies or published).
 */
#include "emit_c_int.h"
#include "emit_text.h"

#include <stdarg.h>
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

void
emit_put(struct emit *e, const char *s, size_t n)
{
	emit_buf *b = e->b;
	size_t i;

	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 4096 : b->cap;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->data = ast_xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	for (i = 0; i < n; i++)
		if (s[i] == '\n')
			e->line++;
}

/* The one way text gets out: printf-style, line-counted. */
void
emit_out(struct emit *e, const char *fmt, ...)
{
	char small[512], *t;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	t = emit_text_vformat(small, sizeof(small), &n, fmt, ap);
	va_end(ap);
	if (t == NULL)
		return;
	emit_put(e, t, n);
	if (t != small)
		free(t);
}

/* Like out(), for prototypes, function heads and long statements: a line
 * longer than 79 columns (a tab is 8) is broken after the last ", " that
 * fits among those least deep in parentheses (so that a function
 * pointer's parameters stay together), and goes on indented by four
 * spaces more than the line began, as in the rest of rt. */
void
emit_wrapped(struct emit *e, const char *fmt, ...)
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
			size_t cut = 0, i, depth = 0, cut_depth = 0;

			for (i = 0; i + 2 <= len && indent + i + 1 <= limit;
			    i++) {
				if (line[i] == '(')
					depth++;
				else if (line[i] == ')' && depth > 0)
					depth--;
				else if (line[i] == ',' && line[i + 1] == ' ' &&
				    (cut == 0 || depth <= cut_depth)) {
					cut = i + 1;
					cut_depth = depth;
				}
			}
			if (cut == 0)
				break;
			emit_put(e, line, cut);
			emit_put(e, "\n", 1);
			emit_put(e, "\t\t\t\t\t\t\t\t", tabs);
			emit_put(e, "    ", 4);
			line += cut + 1;
			len -= cut + 1;
			indent = 8 * tabs + 4;
		}
		emit_put(e, line, len);
	}
	free(text);
}

/* The last lines of a macro's body: `text`, broken after the ", " that
 * fill lines of at most 80 columns, each indented by a tab and four
 * spaces; all but the last end with a backslash (at most column 80). */
void
emit_macro_lines(struct emit *e, const char *text)
{
	const size_t room = 80 - 12;
	size_t len = strlen(text), cut, i;

	while (len > room) {
		cut = 0;
		for (i = 0; i + 2 <= len && i + 1 + 2 <= room; i++)
			if (text[i] == ',' && text[i + 1] == ' ')
				cut = i + 1;
		if (cut == 0)
			break;
		emit_put(e, "\t    ", 5);
		emit_put(e, text, cut);
		emit_put(e, " \\\n", 3);
		text += cut + 1;
		len -= cut + 1;
	}
	emit_put(e, "\t    ", 5);
	emit_put(e, text, len);
	emit_put(e, "\n", 1);
}

/* A comment at the start of a line, its words filled into lines of at
 * most 79 columns: one line if it fits, else "/" "* ..." lines that end
 * with " *" "/" on the last. */
void
emit_comment(struct emit *e, const char *fmt, ...)
{
	const size_t limit = 79;
	size_t col = 2, len;
	char *text, *w, *next;
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
	emit_put(e, "/*", 2);
	for (w = text; *w != '\0'; w = next) {
		next = strchr(w, ' ');
		len = next != NULL ? (size_t)(next - w) : strlen(w);
		next = next != NULL ? next + 1 : w + len;
		/* The last word needs room for the closing " *" "/". */
		if (col > 2 &&
		    col + 1 + len + (*next == '\0' ? 3 : 0) > limit) {
			emit_put(e, "\n *", 3);
			col = 2;
		}
		emit_put(e, " ", 1);
		emit_put(e, w, len);
		col += 1 + len;
	}
	emit_put(e, " */\n", 4);
	free(text);
}

/* Write `name` as the body of a C string literal. */
void
emit_put_cstring(struct emit *e, const char *name)
{
	const unsigned char *s = (const unsigned char *)name;

	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			emit_out(e, "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			emit_out(e, "\\%03o", *s);
		else
			emit_put(e, (const char *)s, 1);
	}
}

/*
 * Map what follows to the line of loc in the .rtp. Only what the user
 * wrote goes there (a struct field, an enum value, the prototype of a
 * handler), so that a compiler's message about it names the .rtp line;
 * generated code stays in the output, where a debugger can show it. No
 * directive when the next line maps to that line already.
 */
void
emit_src(struct emit *e, const ast_loc *loc)
{
	if (!e->o->lines)
		return;
	if (e->mapped && e->src_line + (e->line - e->src_from) ==
	    loc->first_line)
		return;
	emit_out(e, "#line %d \"", loc->first_line);
	emit_put_cstring(e, e->o->src_path);
	emit_out(e, "\"\n");
	e->mapped = true;
	e->src_line = loc->first_line;
	e->src_from = e->line;
}

/* Map what follows back to where it really is in the output. */
void
emit_gen(struct emit *e)
{
	if (!e->mapped)
		return;
	/* This directive is on line e->line + 1; the next is one further. */
	emit_out(e, "#line %d \"", e->line + 2);
	emit_put_cstring(e, e->self_name);
	emit_out(e, "\"\n");
	e->mapped = false;
}

void
emit_banner(struct emit *e)
{
	const char *s;

	emit_out(e, "/* Generated by rtgen " RTGEN_VERSION_TEXT " from ");
	/* A path is only text here; keep it from ending the comment. */
	for (s = e->o->src_path; *s != '\0'; s++) {
		if (s[0] == '*' && s[1] == '/')
			emit_out(e, "*_");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			emit_out(e, "?");
		else
			emit_put(e, s, 1);
		if (s[0] == '*' && s[1] == '/')
			s++;
	}
	emit_out(e, ". DO NOT EDIT. */\n");
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
	char buf[512];
	const ast_field *f;

	emit_out(e, "typedef struct %s {\n", name);
	if (fields == NULL)
		emit_out(e, "\tchar rt_empty_; /* C has no empty structs */\n");
	for (f = fields; f != NULL; f = f->next) {
		const char *t = emit_ctype(&f->type, buf, sizeof(buf));
		size_t len = strlen(t);

		emit_src(e, &f->loc);
		emit_out(e, "\t%s%s%s", t, t[len - 1] == '*' ||
		    t[len - 1] == ' ' ? "" : " ", f->name);
		if (f->type.array)
			emit_out(e, "[%llu]", (unsigned long long)f->type.len);
		emit_out(e, ";\n");
	}
	emit_out(e, "} %s;\n", name);
}

/* Does a topic of the unit carry m, one of its own messages? (Sema
 * marked it: constant time.) */
bool
emit_published(const ast_unit *unit, const ast_decl *m)
{
	(void)unit;
	return m->published;
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
