/* SPDX-License-Identifier: MIT */
/*
 * The C emitter's printer (emit_c_int.h): every byte of x.rtp.h and
 * x.rtp.c goes through emit_put, which counts lines, so that emit_src and
 * emit_gen can write the #line directives that map what the user wrote to
 * the .rtp and the generated code back to the output.
 *
 * Text is written from templates with named variables, as protobuf-c's
 * printer does: "int $P$_$A$_send_$M$(...)" takes P, A and M from a struct
 * emit_vars, and "$$" is one '$'. A variable the struct does not have, or
 * one the caller left NULL, is a bug in rtgen: the printer says which
 * and aborts, so that the golden tests and the fuzzer catch it. Values are
 * written as they are, never scanned for variables again.
 */
#include "emit_c_int.h"
#include "emit_text.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The variables by name (see struct emit_vars), the most used first. */
#define VAR(name) { #name, sizeof(#name) - 1, offsetof(struct emit_vars, name) }
static const struct var {
	const char *name;
	size_t len, offset;
} vars[] = {
	VAR(P),
	VAR(A),
	VAR(M),
	VAR(MP),
	VAR(R),
	VAR(RP),
	VAR(S),
	VAR(W),
	VAR(T),
	VAR(E),
	VAR(EP),
	VAR(V),
	VAR(C),
	VAR(K),
	VAR(KP),
	VAR(F),
	VAR(N),
	VAR(name),
	VAR(type),
	VAR(arg),
	VAR(param),
	VAR(params),
	VAR(args),
	VAR(lead),
	VAR(lead_args),
	VAR(head),
	VAR(checks),
	VAR(tail),
	VAR(make),
	VAR(var),
	VAR(open),
	VAR(size),
	VAR(x),
	VAR(y),
	VAR(ind),
	VAR(verb),
	VAR(suffix),
	VAR(strategy),
	VAR(intensity),
	VAR(period),
	VAR(backoff_min),
	VAR(backoff_max),
	VAR(restart),
	VAR(shutdown),
	VAR(every),
	VAR(timeout),
	VAR(sign),
	VAR(sep),
	VAR(s),
	VAR(text),
	VAR(key),
};
#undef VAR

/* A template that names a variable wrongly: `what` is wrong with
 * name[0..len) (after its '$'). */
static void __attribute__((noreturn))
bug(const char *what, const char *name, size_t len, const char *tpl)
{
	fprintf(stderr,
	    "rtgen: bug in the C emitter: %s $%.*s%s in the "
	    "template \"%s\"\n",
	    what, (int)len, name, name[len] == '$' ? "$" : "", tpl);
	abort();
}

/* The value of variable name[0..len) in v; a bug if there is none. */
static const char *
lookup(const struct emit_vars *v, const char *name, size_t len, const char *tpl)
{
	const char *value;
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		if (vars[i].len == len && vars[i].name[0] == name[0] &&
		    memcmp(vars[i].name, name, len) == 0)
			break;
	if (i == sizeof(vars) / sizeof(*vars))
		bug("unknown variable", name, len, tpl);
	value = v != NULL ?
	    *(const char *const *)(const void *)((const char *)v +
		vars[i].offset) :
	    NULL;
	if (value == NULL)
		bug("unset variable", name, len, tpl);
	return value;
}

/* Where an expansion goes: out(to, s, n) for each piece. */
typedef void expand_out(void *to, const char *s, size_t n);

/* Expand tpl with v, piece by piece. */
static void
expand(const struct emit_vars *v, const char *tpl, expand_out *out, void *to)
{
	const char *s = tpl, *d, *end, *value;

	while ((d = strchr(s, '$')) != NULL) {
		if (d > s)
			out(to, s, (size_t)(d - s));
		if (d[1] == '$') {
			out(to, "$", 1);
			s = d + 2;
			continue;
		}
		end = strchr(d + 1, '$');
		if (end == NULL)
			bug("unterminated variable", d + 1, strlen(d + 1), tpl);
		value = lookup(v, d + 1, (size_t)(end - d - 1), tpl);
		out(to, value, strlen(value));
		s = end + 1;
	}
	if (*s != '\0')
		out(to, s, strlen(s));
}

static void
to_emit(void *to, const char *s, size_t n)
{
	emit_put(to, s, n);
}

static void
to_buf(void *to, const char *s, size_t n)
{
	emit_text_put(to, s, n);
}

/* A fixed-size buffer that keeps what fits, as snprintf does. */
struct fixed {
	char *at;
	size_t len, size;
};

static void
to_fixed(void *to, const char *s, size_t n)
{
	struct fixed *f = to;

	if (f->len + n + 1 > f->size)
		n = f->size - 1 - f->len;
	memcpy(f->at + f->len, s, n);
	f->len += n;
	f->at[f->len] = '\0';
}

/* The expansion of tpl in e->text, which is reused. */
static const char *
expand_text(struct emit *e, const struct emit_vars *v, const char *tpl)
{
	e->text.len = 0;
	emit_text_put(&e->text, "", 0);
	expand(v, tpl, to_buf, &e->text);
	return e->text.data;
}

const char *
emit_sprint(char *buf, size_t size, const struct emit_vars *v, const char *tpl)
{
	struct fixed f = { buf, 0, size };

	buf[0] = '\0';
	expand(v, tpl, to_fixed, &f);
	return buf;
}

const char *
emit_num(char *buf, unsigned long long n)
{
	snprintf(buf, EMIT_NUM, "%llu", n);
	return buf;
}

char *
emit_upper(const char *s)
{
	size_t i, len = strlen(s);
	char *up = ast_xmalloc(len + 1);

	for (i = 0; i < len; i++)
		up[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') :
						     s[i];
	up[len] = '\0';
	return up;
}

void
emit_put(struct emit *e, const char *s, size_t n)
{
	const char *nl = s, *end = s + n;

	emit_text_put(e->b, s, n);
	while ((nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL) {
		e->line++;
		nl++;
	}
}

void
emit_print(struct emit *e, const struct emit_vars *v, const char *tpl)
{
	expand(v, tpl, to_emit, e);
}

/* Like emit_print, for prototypes, function heads and long statements: a
 * line longer than 79 columns (a tab is 8) is broken after the last ", "
 * that fits among those least deep in parentheses (so that a function
 * pointer's parameters stay together), and goes on indented by four
 * spaces more than the line began, as in the rest of rt. */
void
emit_wrapped(struct emit *e, const struct emit_vars *v, const char *tpl)
{
	const size_t limit = 79;
	const char *line, *nl;

	for (line = expand_text(e, v, tpl); *line != '\0'; line = nl) {
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
emit_comment(struct emit *e, const struct emit_vars *v, const char *tpl)
{
	const size_t limit = 79;
	size_t col = 2, len;
	const char *w, *next;

	emit_put(e, "/*", 2);
	for (w = expand_text(e, v, tpl); *w != '\0'; w = next) {
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
}

/* Write `name` as the body of a C string literal. */
void
emit_put_cstring(struct emit *e, const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	char esc[8];

	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			snprintf(esc, sizeof(esc), "\\%03o", *s);
		else {
			emit_put(e, (const char *)s, 1);
			continue;
		}
		emit_put(e, esc, strlen(esc));
	}
}

/* #line N "path" */
static void
line_directive(struct emit *e, int line, const char *path)
{
	char n[EMIT_NUM];
	struct emit_vars v = { .N = emit_num(n, (unsigned long long)line) };

	emit_print(e, &v, "#line $N$ \"");
	emit_put_cstring(e, path);
	emit_print(e, NULL, "\"\n");
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
	if (e->mapped &&
	    e->src_line + (e->line - e->src_from) == loc->first_line)
		return;
	line_directive(e, loc->first_line, e->o->src_path);
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
	line_directive(e, e->line + 2, e->self_name);
	e->mapped = false;
}

void
emit_banner(struct emit *e)
{
	const char *s;

	emit_print(e, NULL,
	    "/* Generated by rtgen " RTGEN_VERSION_TEXT " from ");
	/* A path is only text here; keep it from ending the comment. */
	for (s = e->o->src_path; *s != '\0'; s++) {
		if (s[0] == '*' && s[1] == '/')
			emit_put(e, "*_", 2);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			emit_put(e, "?", 1);
		else
			emit_put(e, s, 1);
		if (s[0] == '*' && s[1] == '/')
			s++;
	}
	emit_print(e, NULL, ". DO NOT EDIT. */\n");
}
