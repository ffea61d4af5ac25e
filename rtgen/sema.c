/* SPDX-License-Identifier: MIT */
/*
 * Semantic checks (see sema.h). Names are looked up in hash tables, so a
 * file with many thousands of declarations is checked in linear time; the
 * "did you mean" search is quadratic, but only runs for errors that are
 * printed (at most DIAG_MAX_ERRORS of them).
 *
 * The last check builds every C identifier the emitter will declare for
 * the unit and rejects two declarations that would declare the same one
 * (actor `A` and message `A_ref` both make `P_A_ref`), as well as a
 * declaration whose C name is a send, call, ask or subscription the header
 * poisons. It runs only when everything else is clean, as duplicates would
 * be reported twice.
 */
#include "sema.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* ---- a string-keyed hash table ------------------------------------- */

struct sym {
	const char *key;
	const void *val;
};

struct symtab {
	struct sym *slots;
	size_t cap, count;
	bool owns_keys;
};

static size_t
hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct sym *
slot(const struct symtab *t, const char *key)
{
	size_t i = hash(key) & (t->cap - 1);

	while (t->slots[i].key != NULL && strcmp(t->slots[i].key, key) != 0)
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static const void *
symtab_get(const struct symtab *t, const char *key)
{
	return t->cap == 0 ? NULL : slot(t, key)->val;
}

/* Insert key -> val unless key is there: then return its value and leave
 * the table as it was (an owned key is freed). */
static const void *
symtab_put(struct symtab *t, const char *key, const void *val)
{
	struct sym *s;

	if (2 * (t->count + 1) > t->cap) {
		struct symtab bigger = { NULL, t->cap == 0 ? 16 : 2 * t->cap, 0,
			t->owns_keys };
		size_t i;

		bigger.slots = ast_xmalloc(bigger.cap * sizeof(struct sym));
		for (i = 0; i < t->cap; i++)
			if (t->slots[i].key != NULL)
				*slot(&bigger, t->slots[i].key) = t->slots[i];
		bigger.count = t->count;
		free(t->slots);
		*t = bigger;
	}
	s = slot(t, key);
	if (s->key != NULL) {
		if (t->owns_keys)
			free((char *)key);
		return s->val;
	}
	s->key = key;
	s->val = val;
	t->count++;
	return NULL;
}

static void
symtab_free(struct symtab *t)
{
	size_t i;

	if (t->owns_keys)
		for (i = 0; i < t->cap; i++)
			free((char *)t->slots[i].key);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* A C name, printf-style (caller frees). */
static char *
cname(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
cname(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = ast_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* ---- the checks ------------------------------------------------------ */

struct sema {
	ast_unit *unit;
	diag *d;
	const char *prefix;     /* the protocol name */
	struct symtab decls;    /* name -> ast_decl (messages and actors) */
	/* The imports: bare name -> the message, actor or enum of an
	 * imported protocol that declares it (the first one); `twice`:
	 * bare name -> a second one, which makes the bare name ambiguous;
	 * `qualified`: "other.Name" (owned) -> the declaration; `protos`:
	 * protocol name -> its import declaration. */
	struct symtab imported, twice, qualified, protos;
	/* An import could not be loaded: names that are not found may be
	 * its, so they are not reported. */
	bool import_failed;
};

/* In the order of enum ast_hook's bits. */
static const char *const hook_names[] = { "start", "stop", "down" };

/* The overflow policies, in the order of enum ast_overflow. */
static const char *const policy_names[] = { "block", "drop", "reject" };

/* The most elements of an array field: a message is copied whole into
 * each envelope, so a larger one is almost certainly a mistake (a u64 at
 * the limit is half a megabyte already). */
#define ARRAY_MAX UINT64_C(65536)

/* The largest mailbox bound: what an int counts. */
#define MAILBOX_MAX UINT64_C(2147483647)

/* Identifiers that cannot name a field: C and C++ keywords (the header is
 * meant to be usable from C++ too) and macros of the headers it includes. */
static const char *const reserved_fields[] = {
	"alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand",
	"bitor", "break", "case", "catch", "char", "char16_t", "char32_t",
	"class", "compl", "const", "const_cast", "constexpr", "continue",
	"decltype", "default", "delete", "do", "double", "dynamic_cast",
	"else", "enum", "explicit", "export", "extern", "false", "float",
	"for", "friend", "goto", "if", "inline", "int", "long", "mutable",
	"namespace", "new", "noexcept", "not", "not_eq", "NULL", "nullptr",
	"operator", "or", "or_eq", "private", "protected", "public",
	"register", "reinterpret_cast", "restrict", "return", "short",
	"signed", "sizeof", "static", "static_assert", "static_cast",
	"struct", "switch", "template", "this", "thread_local", "throw",
	"true", "try", "typedef", "typeid", "typename", "union", "unsigned",
	"using", "virtual", "void", "volatile", "wchar_t", "while", "xor",
	"xor_eq",
};

/* The closest of `n` candidates to `name` within edit distance 2, or NULL.
 * A candidate must also be closer than the name is long, so that `x` does
 * not suggest every one-letter name. */
static const char *
closest(const char *const *cands, size_t n, const char *name)
{
	size_t best = 3, len = strlen(name), i;
	const char *found = NULL;

	for (i = 0; i < n; i++) {
		size_t dist = diag_distance(name, cands[i], 2);

		if (dist < best && dist < len) {
			best = dist;
			found = cands[i];
		}
	}
	return found;
}

/* The closest declaration of `kind` to `name` in `unit`, or NULL; *best
 * is the distance to beat, and becomes the distance of what was found. */
static const char *
closest_in(const ast_unit *unit, enum ast_decl_kind kind, const char *name,
    size_t *best)
{
	size_t len = strlen(name);
	const char *found = NULL;
	ast_decl *d;

	for (d = unit->decls; d != NULL; d = d->next) {
		size_t dist;

		if (d->kind != kind)
			continue;
		dist = diag_distance(name, d->name, 2);
		if (dist < *best && dist < len) {
			*best = dist;
			found = d->name;
		}
	}
	return found;
}

/* The closest declaration of `kind` to `name`, here or in an import (which
 * the bare name can reach), or NULL. */
static const char *
closest_decl(struct sema *s, enum ast_decl_kind kind, const char *name)
{
	size_t best = 3, i;
	const char *found, *near;

	if (!diag_printing(s->d))
		return NULL;
	found = closest_in(s->unit, kind, name, &best);
	for (i = 0; i < s->unit->nimports; i++) {
		near = closest_in(s->unit->imports[i], kind, name, &best);
		if (near != NULL)
			found = near;
	}
	return found;
}

static void note_decl(struct sema *s, const ast_decl *d, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* A note at the name of declaration d, which may be in an imported file. */
static void
note_decl(struct sema *s, const ast_decl *d, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (d->home == NULL || d->home == s->unit)
		diag_note(s->d, d->name_loc, "%s", text);
	else
		diag_note_file(s->d, d->home->path, d->name_loc, "%s", text);
}

/* The closest type to `name` (built in, enum or message), or NULL. */
static const char *
closest_type(struct sema *s, const char *name)
{
	static const char *const builtin[] = { "bool", "i8", "i16", "i32",
		"i64", "u8", "u16", "u32", "u64", "f32", "f64", "string",
		"bytes" };
	const char *cands[3], *best = NULL;
	size_t i, dist = 3;

	if (!diag_printing(s->d))
		return NULL;
	cands[0] = closest(builtin, sizeof(builtin) / sizeof(*builtin), name);
	cands[1] = closest_decl(s, AST_D_MESSAGE, name);
	cands[2] = closest_decl(s, AST_D_ENUM, name);
	for (i = 0; i < 3; i++)
		if (cands[i] != NULL && diag_distance(name, cands[i], 2) < dist) {
			dist = diag_distance(name, cands[i], 2);
			best = cands[i];
		}
	return best;
}

/* "; did you mean 'x'?" or "" (the buffer must hold a name and 20 bytes). */
static const char *
did_you_mean(char *buf, size_t size, const char *near)
{
	if (near == NULL)
		return "";
	snprintf(buf, size, "; did you mean '%s'?", near);
	return buf;
}

/* Names that would make reserved C identifiers once prefixed or suffixed
 * ("P__x", "P_x__ref") or that start with '_'. */
static bool
bad_underscores(const char *name, bool is_decl)
{
	size_t len = strlen(name);

	return name[0] == '_' || strstr(name, "__") != NULL ||
	    (is_decl && name[len - 1] == '_');
}

static void
check_decl_name(struct sema *s, const ast_decl *d)
{
	if (bad_underscores(d->name, true))
		diag_error(s->d, d->name_loc,
		    "%s name '%s' would make reserved C identifiers (it must "
		    "not start or end with '_' or contain '__')",
		    ast_decl_keyword(d->kind), d->name);
}

/* "a" or "an", before the keyword of a declaration kind. */
static const char *
article(enum ast_decl_kind kind)
{
	return kind == AST_D_ACTOR || kind == AST_D_ENUM ||
	    kind == AST_D_INCLUDE || kind == AST_D_IMPORT ? "an" : "a";
}

/* A name in capitals: the C spelling of an enumerator (caller frees). */
static char *
upper(const char *name)
{
	char *u = ast_xstrdup(name), *c;

	for (c = u; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	return u;
}

static bool
reserved_field(const char *name)
{
	static const char *const stdint[] = { "INT", "UINT", "SIZE",
		"PTRDIFF", "WCHAR", "WINT", "SIG_ATOMIC" };
	size_t i;

	for (i = 0; i < sizeof(reserved_fields) / sizeof(*reserved_fields);
	    i++)
		if (strcmp(name, reserved_fields[i]) == 0)
			return true;
	if (strncmp(name, "RT_", 3) == 0 || strcmp(name, "bool") == 0)
		return true;
	for (i = 0; i < sizeof(stdint) / sizeof(*stdint); i++)
		if (strncmp(name, stdint[i], strlen(stdint[i])) == 0 &&
		    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
		    strlen(name))
			return true;
	return false;
}

/*
 * The text of a C type, c"T", goes into the generated code as it is, so it
 * must be one type and nothing more: not empty, on one line, printable
 * ASCII, no ';', brackets that balance, and nothing that would start a
 * comment, a string, a character constant or a preprocessor directive.
 */
static void
check_ctype(struct sema *s, const ast_type *t)
{
	const char *open = "([{", *close = ")]}";
	const unsigned char *c = (const unsigned char *)t->name;
	char stack[64];
	size_t depth = 0;
	bool blank = true;

	for (; *c != '\0'; c++) {
		const char *o = strchr(open, *c), *k = strchr(close, *c);

		if (*c == '\n') {
			diag_error(s->d, t->name_loc, "a C type must be on one "
			    "line");
			return;
		}
		if (*c == ';') {
			diag_error(s->d, t->name_loc, "a C type must not "
			    "contain ';'");
			return;
		}
		if (*c < 0x20 || *c >= 0x7f || strchr("\"'\\#", *c) != NULL ||
		    (*c == '/' && (c[1] == '*' || c[1] == '/')) ||
		    (*c == '*' && c[1] == '/')) {
			diag_error(s->d, t->name_loc, "a C type must not "
			    "contain comments, quotes, '\\', '#' or characters "
			    "other than printable ASCII");
			return;
		}
		if (*c != ' ' && *c != '\t')
			blank = false;
		if (o != NULL) {
			if (depth == sizeof(stack)) {
				diag_error(s->d, t->name_loc, "a C type nests "
				    "brackets too deeply");
				return;
			}
			stack[depth++] = close[o - open];
		} else if (k != NULL) {
			if (depth == 0 || stack[--depth] != *c) {
				diag_error(s->d, t->name_loc, "unbalanced "
				    "'%c' in C type", *c);
				return;
			}
		}
	}
	if (blank)
		diag_error(s->d, t->name_loc, "empty C type (write the type "
		    "between the quotes, as in c\"int *\")");
	else if (depth != 0)
		diag_error(s->d, t->name_loc, "unbalanced '%c' in C type "
		    "(it is never closed)", open[strchr(close, stack[depth - 1])
		    - close]);
}

/* The size of an array field: from 1 to ARRAY_MAX. */
static void
check_array(struct sema *s, const ast_type *t)
{
	if (t->negative)
		diag_error(s->d, t->len_loc, "array size must be positive, not "
		    "-%llu", (unsigned long long)t->len);
	else if (t->len == 0)
		diag_error(s->d, t->len_loc, "array size must be at least 1 (C "
		    "has no zero-size arrays)");
	else if (t->len > ARRAY_MAX)
		diag_error(s->d, t->len_loc, "array size %llu is too large (the "
		    "limit is %llu elements)", (unsigned long long)t->len,
		    (unsigned long long)ARRAY_MAX);
}

/* The import declaration of the unit that declares d (imported). */
static void
mark_used(struct sema *s, const ast_decl *d)
{
	ast_decl *i;

	for (i = s->unit->decls; i != NULL; i = i->next)
		if (i->kind == AST_D_IMPORT && i->imported == d->home) {
			i->used = true;
			return;
		}
}

/* The closest of the protocols this unit can name to `name`, or NULL. */
static const char *
closest_protocol(struct sema *s, const char *name)
{
	size_t best = 3, len = strlen(name), i, dist;
	const char *found = NULL;

	if (!diag_printing(s->d))
		return NULL;
	for (i = 0; i <= s->unit->nimports; i++) {
		const char *p = i < s->unit->nimports ?
		    s->unit->imports[i]->protocol->name : s->prefix;

		dist = diag_distance(name, p, 2);
		if (dist < best && dist < len) {
			best = dist;
			found = p;
		}
	}
	return found;
}

/*
 * The declaration that a name, `qual.name` or bare `name`, names: one of
 * this unit's or one of an imported protocol's. NULL when there is none,
 * or after reporting (*reported) what is wrong: an unknown protocol, a
 * name the protocol does not declare, a bare name that two protocols
 * declare. A NULL that is not reported is for the caller to report, as an
 * unknown name of the kind it wants (`kind` is that kind, for the "did
 * you mean" of a qualified name).
 */
static ast_decl *
lookup(struct sema *s, const char *qual, ast_loc qual_loc, const char *name,
    ast_loc loc, enum ast_decl_kind kind, bool *reported)
{
	ast_decl *d, *local, *other;
	char buf[256], *key;

	*reported = false;
	if (qual != NULL && strcmp(qual, s->prefix) != 0) {
		const ast_decl *imp = symtab_get(&s->protos, qual);
		size_t best = 3;

		if (imp == NULL) {
			*reported = true;
			if (!s->import_failed)
				diag_error(s->d, qual_loc, "unknown protocol "
				    "'%s'%s", qual, closest_protocol(s, qual) !=
				    NULL ? did_you_mean(buf, sizeof(buf),
				    closest_protocol(s, qual)) :
				    " (import it first)");
			return NULL;
		}
		((ast_decl *)imp)->used = true;
		key = cname("%s.%s", qual, name);
		d = (ast_decl *)symtab_get(&s->qualified, key);
		free(key);
		*reported = d == NULL;
		if (d == NULL)
			diag_error(s->d, loc, "protocol '%s' declares no %s "
			    "'%s'%s", qual, ast_decl_keyword(kind), name,
			    did_you_mean(buf, sizeof(buf), diag_printing(s->d) ?
			    closest_in(imp->imported, kind, name, &best) :
			    NULL));
		return d;
	}
	local = (ast_decl *)symtab_get(&s->decls, name);
	if (qual != NULL)
		return local;
	d = (ast_decl *)symtab_get(&s->imported, name);
	if (d == NULL)
		return local;
	other = local != NULL ? local :
	    (ast_decl *)symtab_get(&s->twice, name);
	if (other != NULL) {
		/* In the order of the imports, this protocol first. */
		const char *p1 = ast_prefix(d), *p2 = ast_prefix(other);

		if (local != NULL) {
			p1 = s->prefix;
			p2 = ast_prefix(d);
		}
		diag_error(s->d, loc, "'%s' is ambiguous: protocols '%s' and "
		    "'%s' both declare it; write '%s.%s' or '%s.%s'", name,
		    p1, p2, p1, name, p2, name);
		*reported = true;
		return NULL;
	}
	mark_used(s, d);
	return d;
}

/* A type named by an identifier: an enum or a message (by value). */
static void
resolve_type(struct sema *s, ast_type *t)
{
	bool reported;
	ast_decl *d = lookup(s, t->qual, t->qual_loc, t->name, t->name_loc,
	    AST_D_MESSAGE, &reported);
	char buf[256];

	if (reported)
		return;
	if (d == NULL) {
		if (s->import_failed)
			return;
		diag_error(s->d, t->name_loc, "unknown type '%s'%s", t->name,
		    did_you_mean(buf, sizeof(buf), closest_type(s, t->name)));
		return;
	}
	if (d->kind == AST_D_ACTOR) {
		diag_error(s->d, t->name_loc, "'%s' is an actor, not a type "
		    "(a reference to it is ref<%s>)", t->name, t->name);
		note_decl(s, d, "'%s' is declared here", t->name);
		return;
	}
	if (d->kind != AST_D_MESSAGE && d->kind != AST_D_ENUM) {
		diag_error(s->d, t->name_loc, "'%s' is a %s, not a type",
		    t->name, ast_decl_keyword(d->kind));
		note_decl(s, d, "'%s' is declared here", t->name);
		return;
	}
	t->target = d;
}

/* The fields of one struct: unique names, usable in C, refs to actors. */
static void
check_fields(struct sema *s, ast_field *fields, const char *what,
    const char *owner)
{
	struct symtab seen = { 0 };
	char buf[256];
	ast_field *f;

	for (f = fields; f != NULL; f = f->next) {
		const ast_field *prev = symtab_put(&seen, f->name, f);

		if (prev != NULL) {
			diag_error(s->d, f->loc,
			    "duplicate field '%s' in %s '%s'", f->name, what,
			    owner);
			diag_note(s->d, prev->loc, "'%s' was first declared "
			    "here", f->name);
		} else if (bad_underscores(f->name, false)) {
			diag_error(s->d, f->loc, "field name '%s' is reserved "
			    "in C (it must not start with '_' or contain "
			    "'__')", f->name);
		} else if (reserved_field(f->name)) {
			diag_error(s->d, f->loc, "field name '%s' is a C or "
			    "C++ keyword or macro", f->name);
		}
		if (f->type.kind == AST_T_CTYPE)
			check_ctype(s, &f->type);
		if (f->type.array)
			check_array(s, &f->type);
		if (f->type.kind == AST_T_NAMED)
			resolve_type(s, &f->type);
		if (f->type.kind == AST_T_REF) {
			bool reported;
			ast_decl *t = lookup(s, f->type.qual,
			    f->type.qual_loc, f->type.name, f->type.name_loc,
			    AST_D_ACTOR, &reported);

			if (reported || (t == NULL && s->import_failed)) {
				/* Reported, or perhaps the failed import's. */
			} else if (t == NULL) {
				diag_error(s->d, f->type.name_loc,
				    "unknown actor '%s' in ref<>%s",
				    f->type.name, did_you_mean(buf,
				    sizeof(buf), closest_decl(s, AST_D_ACTOR,
				    f->type.name)));
			} else if (t->kind != AST_D_ACTOR) {
				diag_error(s->d, f->type.name_loc,
				    "'%s' is a %s, not an actor; ref<> takes "
				    "an actor", t->name,
				    ast_decl_keyword(t->kind));
				note_decl(s, t, "'%s' is declared here",
				    t->name);
			} else {
				f->type.target = t;
			}
		}
	}
	symtab_free(&seen);
}

/* The values of an enum: at least one, each once, and each its own C name
 * once in capitals (`red` and `Red` would both be P_E_RED). */
static void
check_enum(struct sema *s, const ast_decl *e)
{
	struct symtab seen = { 0 }, mapped = { .owns_keys = true };
	const ast_name *v, *prev;

	if (e->values == NULL)
		diag_error(s->d, e->name_loc, "enum '%s' has no values",
		    e->name);
	for (v = e->values; v != NULL; v = v->next) {
		char *u;

		prev = symtab_put(&seen, v->name, v);
		if (prev != NULL) {
			diag_error(s->d, v->loc, "duplicate value '%s' in enum "
			    "'%s'", v->name, e->name);
			diag_note(s->d, prev->loc, "'%s' was first declared "
			    "here", v->name);
			continue;
		}
		if (bad_underscores(v->name, false)) {
			diag_error(s->d, v->loc, "enum value '%s' would make a "
			    "reserved C identifier (it must not start with "
			    "'_' or contain '__')", v->name);
			continue;
		}
		u = upper(v->name);
		prev = symtab_get(&mapped, u);
		if (prev != NULL) {
			diag_error(s->d, v->loc, "enum values '%s' and '%s' "
			    "would both declare the C name '%s_%s_%s'",
			    prev->name, v->name, s->prefix, e->name, u);
			diag_note(s->d, prev->loc, "'%s' is declared here",
			    prev->name);
			free(u);
			continue;
		}
		symtab_put(&mapped, u, v);
	}
	symtab_free(&seen);
	symtab_free(&mapped);
}

/* A growing stack of messages: the path of the search for cycles. */
struct path {
	ast_decl **at;
	size_t len, cap;
};

/* Search the messages nested in m, depth first, for one that contains
 * itself; report each cycle at the field that closes it, and unresolve
 * that field so that later stages need not fear recursion. On the way
 * back, sum up what each message holds (ast_decl.deep). */
static void
visit(struct sema *s, ast_decl *m, struct path *path)
{
	ast_field *f;

	m->mark = 1;
	if (path->len == path->cap) {
		path->cap = path->cap == 0 ? 16 : 2 * path->cap;
		path->at = realloc(path->at, path->cap * sizeof(*path->at));
		if (path->at == NULL) {
			fputs("rtgen: out of memory\n", stderr);
			abort();
		}
	}
	path->at[path->len++] = m;
	for (f = m->fields; f != NULL; f = f->next) {
		ast_decl *t = (ast_decl *)ast_nested(f);
		char buf[512];
		size_t i, used = 0;

		if (t == NULL || t->mark == 2)
			continue;
		if (t->mark == 0) {
			visit(s, t, path);
			continue;
		}
		for (i = path->len; path->at[i - 1] != t; i--)
			;
		for (i--; i < path->len && used < sizeof(buf) - 64; i++)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used,
			    "%s -> ", path->at[i]->name);
		diag_error(s->d, f->type.name_loc, "message '%s' contains "
		    "itself (%s%s); a message holds the messages of its "
		    "fields by value", t->name, buf, t->name);
		f->type.target = NULL;
	}
	path->len--;
	m->mark = 2;
	/* Its nested messages are done: what they hold is known. */
	for (f = m->fields; f != NULL; f = f->next)
		m->deep |= (1u << f->type.kind) | (ast_nested(f) != NULL ?
		    ast_nested(f)->deep : 0);
}

static void
check_cycles(struct sema *s)
{
	struct path path = { 0 };
	ast_decl *d;

	for (d = s->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE && d->mark == 0)
			visit(s, d, &path);
	free(path.at);
}

/* The file of an include or import: a name that can go between the
 * quotes of a C #include, for a file that exists. */
static bool
check_file_name(struct sema *s, const ast_decl *d)
{
	const unsigned char *c;

	if (d->file[0] == '\0') {
		diag_error(s->d, d->name_loc, "empty file name in '%s'",
		    ast_decl_keyword(d->kind));
		return false;
	}
	for (c = (const unsigned char *)d->file; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '"' || *c == '\\') {
			diag_error(s->d, d->name_loc, "a file name in '%s' "
			    "must not contain '\"', '\\' or control "
			    "characters", ast_decl_keyword(d->kind));
			return false;
		}
	return true;
}

/* `include "h"`: the header must be found beside the .rtp or in a -I
 * directory, so that a typo shows here and not in the C compiler. */
static void
check_include(struct sema *s, const ast_decl *d)
{
	char *path;

	if (!check_file_name(s, d))
		return;
	path = import_find(s->unit, d->file);
	if (path == NULL)
		diag_error(s->d, d->name_loc, "included file '%s' not found "
		    "(looked beside the .rtp file%s)", d->file,
		    s->unit->nsearch > 0 ? " and in the -I directories" : "");
	else
		ast_unit_add_dep(s->unit, path, d->name_loc);
	free(path);
}

/*
 * The imports: each file once, each protocol once and not this one; then
 * the names each declares, bare and qualified. The loader (import.c) has
 * already reported what it could not load.
 */
static void
declare_imports(struct sema *s)
{
	ast_decl *d, *e;

	for (d = s->unit->decls; d != NULL; d = d->next) {
		const ast_decl *prev;
		const char *proto;

		if (d->kind != AST_D_IMPORT || !check_file_name(s, d))
			continue;
		if (d->imported == NULL) {
			/* The loader reported why; without one (a caller that
			 * only parses and checks text), say it here, or the
			 * emitter would meet names that lead nowhere. */
			if (!s->unit->imports_resolved)
				diag_error(s->d, d->name_loc, "'%s' cannot be "
				    "imported here: no imported file is loaded "
				    "when checking text alone", d->file);
			s->import_failed = true;
			continue;
		}
		for (e = s->unit->decls; e != d; e = e->next)
			if (e->kind == AST_D_IMPORT &&
			    e->imported == d->imported)
				break;
		if (e != d) {
			diag_error(s->d, d->name_loc, "'%s' is imported "
			    "twice", d->file);
			diag_note(s->d, e->name_loc, "it was first imported "
			    "here");
			d->imported = NULL;
			continue;
		}
		proto = d->imported->protocol->name;
		if (strcmp(proto, s->prefix) == 0) {
			diag_error(s->d, d->name_loc, "'%s' declares protocol "
			    "'%s', the name of this protocol; the C names of "
			    "the two would collide", d->file, proto);
			d->imported = NULL;
			continue;
		}
		prev = symtab_put(&s->protos, proto, d);
		if (prev != NULL) {
			diag_error(s->d, d->name_loc, "'%s' declares protocol "
			    "'%s', as '%s' does; the C names of the two would "
			    "collide", d->file, proto, prev->file);
			diag_note(s->d, prev->name_loc, "'%s' is imported "
			    "here", prev->file);
			d->imported = NULL;
			continue;
		}
		for (e = d->imported->decls; e != NULL; e = e->next) {
			if (e->kind != AST_D_MESSAGE &&
			    e->kind != AST_D_ACTOR && e->kind != AST_D_ENUM)
				continue;
			symtab_put(&s->qualified, cname("%s.%s", proto,
			    e->name), e);
			if (symtab_put(&s->imported, e->name, e) != NULL)
				symtab_put(&s->twice, e->name, e);
		}
	}
}

/* An import none of whose names are used is likely a leftover. */
static void
check_unused_imports(struct sema *s)
{
	const ast_decl *d;

	for (d = s->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_IMPORT && d->imported != NULL &&
		    !d->used)
			diag_warning(s->d, d->name_loc, "unused import '%s' "
			    "(nothing of protocol '%s' is used)", d->file,
			    d->imported->protocol->name);
}

static void
check_protocol(struct sema *s)
{
	ast_decl *d, *first = NULL;

	for (d = s->unit->decls; d != NULL; d = d->next) {
		if (d->kind != AST_D_PROTOCOL)
			continue;
		if (first != NULL) {
			diag_error(s->d, d->loc, "duplicate 'protocol' "
			    "declaration (a file declares one protocol)");
			diag_note(s->d, first->loc, "the protocol is declared "
			    "here");
			continue;
		}
		first = d;
		if (d != s->unit->decls)
			diag_error(s->d, d->loc, "'protocol' must be the first "
			    "declaration");
		if (bad_underscores(d->name, true)) {
			check_decl_name(s, d);
		} else if (strcmp(d->name, "rt") == 0 ||
		    strcmp(d->name, "rti") == 0 ||
		    strcmp(d->name, "RT") == 0) {
			diag_error(s->d, d->name_loc, "protocol name '%s' is "
			    "reserved for the runtime", d->name);
		}
	}
	if (first == NULL) {
		ast_loc start = { 1, 1, 1, 1 };

		diag_error(s->d, s->unit->decls != NULL ?
		    s->unit->decls->loc : start, "missing 'protocol' "
		    "declaration (the file must begin with 'protocol NAME;')");
	}
	s->unit->protocol = first;
	s->prefix = first != NULL ? first->name : "";
}

static void
declare(struct sema *s)
{
	uint32_t tag = 1;
	ast_decl *d;

	for (d = s->unit->decls; d != NULL; d = d->next) {
		const ast_decl *prev;

		if (d->kind == AST_D_PROTOCOL || d->kind == AST_D_INCLUDE ||
		    d->kind == AST_D_IMPORT)
			continue;
		if (d->kind == AST_D_MESSAGE)
			d->tag = tag++;
		d->home = s->unit;
		check_decl_name(s, d);
		prev = symtab_put(&s->decls, d->name, d);
		if (prev != NULL) {
			diag_error(s->d, d->name_loc, "'%s' is already "
			    "declared (as %s %s)", d->name,
			    article(prev->kind),
			    ast_decl_keyword(prev->kind));
			diag_note(s->d, prev->name_loc, "'%s' was first "
			    "declared here", d->name);
		}
	}
}

/* How one name-list clause of messages reads in its errors. */
struct list_clause {
	const char *keyword;    /* "accepts" */
	const char *noun;       /* what it takes: "message" */
	const char *done;       /* "accepted" */
};

static const struct list_clause accepts_clause = { "accepts", "message",
	"accepted" };
static const struct list_clause asks_clause = { "asks", "request", "asked" };

/* The message `n` names, or NULL after reporting that it names none;
 * `takes` ends the report of an actor's name ("'accepts' takes messages"). */
static ast_decl *
resolve_message(struct sema *s, ast_name *n, const char *takes)
{
	bool reported;
	ast_decl *m = lookup(s, n->qual, n->qual_loc, n->name, n->loc,
	    AST_D_MESSAGE, &reported);
	char buf[256];

	if (reported || (m == NULL && s->import_failed))
		return NULL;
	if (m == NULL) {
		diag_error(s->d, n->loc, "unknown message '%s'%s", n->name,
		    did_you_mean(buf, sizeof(buf), closest_decl(s,
		    AST_D_MESSAGE, n->name)));
		return NULL;
	}
	if (m->kind != AST_D_MESSAGE) {
		diag_error(s->d, n->loc, "'%s' is %s %s, not a message; %s",
		    n->name, article(m->kind),
		    ast_decl_keyword(m->kind), takes);
		note_decl(s, m, "'%s' is declared here", m->name);
		return NULL;
	}
	n->target = m;
	return m;
}

/* Append n to a growing array of names. */
static void
push_name(ast_name ***list, size_t *len, size_t *cap, ast_name *n)
{
	if (*len == *cap) {
		*cap = *cap == 0 ? 8 : 2 * *cap;
		*list = realloc(*list, *cap * sizeof(**list));
		if (*list == NULL) {
			fputs("rtgen: out of memory\n", stderr);
			abort();
		}
	}
	(*list)[(*len)++] = n;
}

/* The messages of an `accepts` or `asks` clause (`k`), resolved and
 * appended to *list unless listed before in the actor (`seen`). */
static void
check_message_list(struct sema *s, ast_decl *actor, ast_clause *c,
    const struct list_clause *k, struct symtab *seen, ast_name ***list,
    size_t *len, size_t *cap)
{
	char takes[64];
	ast_name *n;

	snprintf(takes, sizeof(takes), "'%s' takes %ss", k->keyword, k->noun);
	for (n = c->names; n != NULL; n = n->next) {
		const ast_decl *m = resolve_message(s, n, takes);
		const ast_name *prev;

		if (m == NULL)
			continue;
		if (k == &asks_clause && m->reply == NULL) {
			diag_error(s->d, n->loc, "'%s' is not a request "
			    "(declare it 'message %s -> R')", n->name,
			    n->name);
			note_decl(s, m, "'%s' is declared here", m->name);
			continue;
		}
		prev = symtab_put(seen, n->name, n);
		if (prev != NULL && prev->target != m) {
			/* shop.Order and common.Order: one P_A_send_Order. */
			diag_error(s->d, n->loc, "actor '%s' %s two %ss named "
			    "'%s' (from protocols '%s' and '%s'); their "
			    "functions would have the same C names",
			    actor->name, k->keyword, k->noun, n->name,
			    ast_prefix(prev->target), ast_prefix(m));
			diag_note(s->d, prev->loc, "the first is %s here",
			    k->done);
			continue;
		}
		if (prev != NULL) {
			diag_error(s->d, n->loc, "actor '%s' %s %s '%s' twice",
			    actor->name, k->keyword, k->noun, n->name);
			diag_note(s->d, prev->loc, "'%s' was first %s here",
			    n->name, k->done);
			continue;
		}
		push_name(list, len, cap, n);
	}
}

static void
check_hooks(struct sema *s, ast_decl *actor, ast_clause *c)
{
	const ast_name *seen[sizeof(hook_names) / sizeof(*hook_names)] = {
		NULL };
	const size_t nhooks = sizeof(hook_names) / sizeof(*hook_names);
	char buf[256];
	ast_name *n;
	size_t i;

	for (n = c->names; n != NULL; n = n->next) {
		for (i = 0; i < nhooks; i++)
			if (strcmp(n->name, hook_names[i]) == 0)
				break;
		if (i == nhooks) {
			const char *near = closest(hook_names, nhooks,
			    n->name);

			diag_error(s->d, n->loc, "unknown hook '%s'%s%s",
			    n->name, did_you_mean(buf, sizeof(buf), near),
			    near == NULL ? " (hooks are start, stop and down)" : "");
			continue;
		}
		if (seen[i] != NULL) {
			diag_error(s->d, n->loc, "hook '%s' is listed twice",
			    n->name);
			diag_note(s->d, seen[i]->loc, "'%s' was first listed "
			    "here", n->name);
			continue;
		}
		seen[i] = n;
		actor->hooks |= 1u << i;
	}
}

static void
check_mailbox(struct sema *s, ast_decl *actor, const ast_clause *c)
{
	const size_t npolicies = sizeof(policy_names) / sizeof(*policy_names);
	char buf[256];
	size_t i;

	if (c->unbounded)
		return;
	if (c->bound == 0)
		diag_error(s->d, c->bound_loc, "a bounded mailbox needs room "
		    "for at least one message; write 'mailbox unbounded;' for "
		    "no bound");
	else if (c->bound > MAILBOX_MAX)
		diag_error(s->d, c->bound_loc, "mailbox bound %llu is too "
		    "large (the limit is %llu messages)",
		    (unsigned long long)c->bound,
		    (unsigned long long)MAILBOX_MAX);
	else
		actor->mailbox_bound = (uint32_t)c->bound;
	if (c->policy == NULL)
		return;
	for (i = 0; i < npolicies; i++)
		if (strcmp(c->policy->name, policy_names[i]) == 0)
			break;
	if (i == npolicies) {
		const char *near = closest(policy_names, npolicies,
		    c->policy->name);

		diag_error(s->d, c->policy->loc, "unknown overflow policy "
		    "'%s'%s%s", c->policy->name, did_you_mean(buf,
		    sizeof(buf), near), near == NULL ? " (policies are block, "
		    "drop and reject)" : "");
		return;
	}
	actor->overflow = (enum ast_overflow)i;
}

static void
check_actor(struct sema *s, ast_decl *actor)
{
	struct symtab accepted = { 0 }, asked = { 0 };
	ast_clause *c, *on = NULL;
	size_t cap = 0, askcap = 0;

	for (c = actor->clauses; c != NULL; c = c->next) {
		ast_clause **slotp = NULL;

		switch (c->kind) {
		case AST_C_ACCEPTS:
			check_message_list(s, actor, c, &accepts_clause,
			    &accepted, &actor->accepts, &actor->naccepts,
			    &cap);
			continue;
		case AST_C_ASKS:
			check_message_list(s, actor, c, &asks_clause, &asked,
			    &actor->asks, &actor->nasks, &askcap);
			continue;
		case AST_C_STATE:
			slotp = &actor->state;
			break;
		case AST_C_INIT:
			slotp = &actor->init;
			break;
		case AST_C_ON:
			slotp = &on;
			break;
		case AST_C_MAILBOX:
			slotp = &actor->mailbox;
			break;
		}
		if (*slotp != NULL) {
			diag_error(s->d, c->loc, "duplicate '%s' clause in "
			    "actor '%s'", ast_clause_keyword(c->kind),
			    actor->name);
			diag_note(s->d, (*slotp)->loc, "the first '%s' clause "
			    "is here", ast_clause_keyword(c->kind));
			continue;
		}
		*slotp = c;
		if (c->kind == AST_C_ON)
			check_hooks(s, actor, c);
		else if (c->kind == AST_C_MAILBOX)
			check_mailbox(s, actor, c);
		else
			check_fields(s, c->fields, c->kind == AST_C_STATE ?
			    "the state of actor" : "the init of actor",
			    actor->name);
	}
	ast_index_accepts(actor);
	symtab_free(&accepted);
	symtab_free(&asked);
}

/* Does an actor of this unit, of the unit that declares m or of an
 * import accept m? */
static bool
accepted_anywhere(struct sema *s, const ast_decl *m)
{
	size_t i;

	if (ast_anyone_accepts(s->unit, m) || ast_anyone_accepts(m->home, m))
		return true;
	for (i = 0; i < s->unit->nimports; i++)
		if (ast_anyone_accepts(s->unit->imports[i], m))
			return true;
	return false;
}

/* A request nobody accepts could never be answered: asking it is an error
 * (it needs every actor's accepts resolved). */
static void
check_asked(struct sema *s, const ast_decl *actor)
{
	size_t i;

	for (i = 0; i < actor->nasks; i++) {
		const ast_name *n = actor->asks[i];

		if (!accepted_anywhere(s, n->target))
			diag_error(s->d, n->loc, "actor '%s' asks '%s', but "
			    "no actor accepts '%s'", actor->name, n->name,
			    n->name);
	}
}

/* Does m have a C-typed field, directly or in a nested message? */
static bool
has_ctype(const ast_decl *m)
{
	return ast_fields_have(m->fields, AST_T_CTYPE);
}

/* The message of a topic: a plain message (a published request would
 * have nowhere to send its reply) without C-typed fields (all subscribers
 * share one copy, so none could own what such a field holds). One it
 * cannot carry is left unresolved, so that later checks pass over it. */
static void
check_topic(struct sema *s, ast_decl *t)
{
	const ast_decl *m = resolve_message(s, t->carries, "a topic carries "
	    "messages");

	if (m == NULL)
		return;
	if (m->reply != NULL || has_ctype(m))
		t->carries->target = NULL;
	if (m->reply != NULL) {
		diag_error(s->d, t->carries->loc, "'%s' is a request; a topic "
		    "carries messages, not requests (a published request "
		    "could not be answered)", m->name);
		note_decl(s, m, "'%s' is declared here", m->name);
	} else if (has_ctype(m)) {
		diag_error(s->d, t->carries->loc, "'%s' has C-typed fields; a "
		    "topic cannot carry it (its subscribers share one copy, "
		    "so none of them could own what such a field holds)",
		    m->name);
		note_decl(s, m, "'%s' is declared here", m->name);
	}
}

/* A topic whose message no actor accepts can be published, but nothing
 * can subscribe to it: likely a mistake, but not an unsafe one. */
static void
check_subscribers(struct sema *s, const ast_decl *t)
{
	const ast_name *m = t->carries;

	if (m->target != NULL && !ast_anyone_accepts(s->unit,
	    m->target))
		diag_warning(s->d, t->name_loc, "topic '%s' has no possible "
		    "subscriber: no actor accepts '%s'", t->name, m->name);
}

/* Mark the messages `fields` holds by value as used. */
static void
mark_fields_used(struct symtab *used, const ast_field *f)
{
	for (; f != NULL; f = f->next)
		if (f->type.kind == AST_T_NAMED && f->type.target != NULL &&
		    f->type.target->kind == AST_D_MESSAGE)
			symtab_put(used, f->type.target->name, f->type.target);
}

/*
 * A message of this protocol that no actor accepts, that is no request's
 * reply, no topic's message and no field of anything can never be sent:
 * likely a mistake (a missing `accepts`), but not an unsafe one. A
 * protocol without actors, or one loaded by an import, is a library of
 * messages for others: its messages are for its importers to accept.
 */
static void
check_unused_messages(struct sema *s)
{
	struct symtab used = { .owns_keys = false };
	const ast_decl *d;

	if (s->unit->imported)
		return;
	for (d = s->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_ACTOR)
			break;
	if (d == NULL)
		return;
	for (d = s->unit->decls; d != NULL; d = d->next) {
		if (d->kind == AST_D_MESSAGE) {
			mark_fields_used(&used, d->fields);
			if (d->reply != NULL && d->reply->target != NULL)
				symtab_put(&used, d->reply->target->name,
				    d->reply->target);
		} else if (d->kind == AST_D_ACTOR) {
			if (d->state != NULL)
				mark_fields_used(&used, d->state->fields);
			if (d->init != NULL)
				mark_fields_used(&used, d->init->fields);
		} else if (d->kind == AST_D_TOPIC && d->carries != NULL &&
		    d->carries->target != NULL) {
			symtab_put(&used, d->carries->target->name,
			    d->carries->target);
		}
	}
	for (d = s->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE && !ast_anyone_accepts(s->unit, d) &&
		    symtab_get(&used, d->name) != d)
			diag_warning(s->d, d->name_loc, "message '%s' can never "
			    "be sent: no actor accepts it, and it is no reply, "
			    "topic message or field", d->name);
	symtab_free(&used);
}

/* ---- generated C names ---------------------------------------------- */

static void
claim(struct sema *s, struct symtab *names, char *name, const ast_decl *d)
{
	const ast_decl *prev = symtab_get(names, name);

	if (prev == NULL) {
		symtab_put(names, name, d);
		return;
	}
	if (d->home != s->unit) {
		/* Two imported protocols: report it at the second import. */
		const ast_decl *i;

		for (i = s->unit->decls; i != NULL; i = i->next)
			if (i->kind == AST_D_IMPORT && i->imported == d->home)
				break;
		diag_error(s->d, i->name_loc, "%s '%s.%s' and %s '%s.%s' "
		    "would both declare the C name '%s'",
		    ast_decl_keyword(d->kind), ast_prefix(d), d->name,
		    ast_decl_keyword(prev->kind), ast_prefix(prev), prev->name,
		    name);
		free(name);
		return;
	}
	diag_error(s->d, d->name_loc, "%s '%s' and %s '%s%s%s' would both "
	    "declare the C name '%s'", ast_decl_keyword(d->kind), d->name,
	    ast_decl_keyword(prev->kind), prev->home != s->unit ?
	    ast_prefix(prev) : "", prev->home != s->unit ? "." : "",
	    prev->name, name);
	note_decl(s, prev, "%s '%s' is declared here",
	    ast_decl_keyword(prev->kind), prev->name);
	free(name);
}

/* The functions of an actor A and a message M that the header poisons
 * when they do not exist: P_A<verb>M<suffix>. Calls and asks exist for
 * the requests A accepts; sends for the messages it accepts, but _every
 * not for a message with C-typed fields. For the subscriptions, M is a
 * topic, and they exist when A accepts the topic's message. */
static const struct poison {
	const char *verb, *suffix;
	bool requests, topics;
} poisons[] = {
	{ "_send_", "", false, false }, { "_send_", "_opt", false, false },
	{ "_send_", "_after", false, false },
	{ "_send_", "_every", false, false }, { "_call_", "", true, false },
	{ "_ask_", "", true, false }, { "_subscribe_", "", false, true },
	{ "_unsubscribe_", "", false, true },
};

/* Does actor a accept a message named `name`, of this protocol or of an
 * import? (The header poisons a name only when it accepts none.) */
static bool
accepts_name(struct sema *s, const ast_decl *a, const char *name)
{
	const ast_decl *m = symtab_get(&s->decls, name);

	if (m != NULL && ast_accepts(a, m))
		return true;
	m = symtab_get(&s->imported, name);
	if (m != NULL && ast_accepts(a, m))
		return true;
	m = symtab_get(&s->twice, name);
	return m != NULL && ast_accepts(a, m);
}

/* Is `key` (claimed by `owner`), split at `at` where pn->verb starts, a
 * name the header poisons? Report it and return true if so. */
static bool
poisoned(struct sema *s, const char *key, const ast_decl *owner,
    const char *at, const struct poison *pn)
{
	size_t plen = strlen(s->prefix), vlen = strlen(pn->verb);
	size_t mlen = strlen(at + vlen), slen = strlen(pn->suffix);
	const ast_decl *a, *m, *t = NULL;
	char *aname, *mname;
	const char *why;

	if (mlen <= slen || strcmp(at + vlen + mlen - slen, pn->suffix) != 0)
		return false;
	aname = cname("%.*s", (int)((size_t)(at - key) - plen - 1),
	    key + plen + 1);
	mname = cname("%.*s", (int)(mlen - slen), at + vlen);
	a = symtab_get(&s->decls, aname);
	m = symtab_get(&s->decls, mname);
	if (m == NULL)
		m = symtab_get(&s->imported, mname);
	free(aname);
	free(mname);
	if (m != NULL && pn->topics && m->kind == AST_D_TOPIC) {
		t = m;
		m = t->carries->target;
	}
	if (a == NULL || m == NULL || a->kind != AST_D_ACTOR ||
	    m->kind != AST_D_MESSAGE || pn->topics != (t != NULL) ||
	    (pn->requests && m->reply == NULL))
		return false;
	if (!accepts_name(s, a, m->name))
		why = "does not accept";
	else if (strcmp(pn->suffix, "_every") == 0 && has_ctype(m))
		why = "has no periodic send (C-typed fields) of";
	else
		return false;
	diag_error(s->d, owner->name_loc, "%s '%s' would declare the C name "
	    "'%s', which the header poisons because actor '%s' %s %s '%s'%s%s%s",
	    ast_decl_keyword(owner->kind), owner->name, key, a->name, why,
	    pn->requests ? "request" : "message", m->name,
	    t != NULL ? ", which topic '" : "", t != NULL ? t->name : "",
	    t != NULL ? "' carries" : "");
	return true;
}

/* A declared C name that reads as a send, call, ask or subscription that
 * the header poisons (see poisons[]) would be an error in the generated
 * code. */
static void
check_poisoned(struct sema *s, const struct symtab *names)
{
	size_t plen = strlen(s->prefix), i, j;

	for (i = 0; i < names->cap; i++) {
		const char *key = names->slots[i].key, *p;

		if (key == NULL)
			continue;
		for (j = 0; j < sizeof(poisons) / sizeof(*poisons); j++) {
			for (p = strstr(key + plen, poisons[j].verb);
			    p != NULL; p = strstr(p + 1, poisons[j].verb)) {
				if (p - key <= (ptrdiff_t)plen)
					continue;
				/* One report per name is enough. */
				if (poisoned(s, key, names->slots[i].val, p,
				    &poisons[j]))
					goto next;
			}
		}
next:;
	}
}

/* The names of an actor's functions for one message M: P_A<infix>M<suffix>.
 * Those of a message it accepts (the last three only for a request), and
 * those of a request it asks. */
struct cform {
	const char *infix, *suffix;
};

static const struct cform accepted_forms[] = { { "_send_", "" },
	{ "_send_", "_opt" }, { "_on_", "" }, { "_TAG_", "" },
	{ "_call_", "" }, { "_ask_", "" }, { "_serve_", "" } };
static const struct cform asked_forms[] = { { "_on_", "_reply" },
	{ "_TAG_", "_reply" } };

static void
claim_forms(struct sema *s, struct symtab *names, const ast_decl *d,
    const char *m, const struct cform *forms, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		claim(s, names, cname("%s_%s%s%s%s", s->prefix, d->name,
		    forms[i].infix, m, forms[i].suffix), d);
}

/* A topic T's names: P_T_topic, P_T_publish, and P_A_subscribe_T and
 * P_A_unsubscribe_T of each actor A that accepts its message. */
static void
claim_topic(struct sema *s, struct symtab *names, const ast_decl *t)
{
	const ast_decl *a;

	claim(s, names, cname("%s_%s_topic", s->prefix, t->name), t);
	claim(s, names, cname("%s_%s_publish", s->prefix, t->name), t);
	for (a = s->unit->decls; a != NULL; a = a->next) {
		if (a->kind != AST_D_ACTOR ||
		    !ast_accepts(a, t->carries->target))
			continue;
		claim(s, names, cname("%s_%s_subscribe_%s", s->prefix, a->name,
		    t->name), t);
		claim(s, names, cname("%s_%s_unsubscribe_%s", s->prefix,
		    a->name, t->name), t);
	}
}

static void
check_cnames(struct sema *s)
{
	static const char *const actor_names[] = { "", "_ref", "_args",
		"_tag", "_class", "_spawn", "_dispatch", "_tag_names",
		"_start_thunk", "_stop_thunk", "_down_thunk", "_args_extra",
		"_args_copy", "_args_place", "_on_start", "_on_stop",
		"_on_down", "_asks", "_register", "_whereis" };
	static const char *const message_names[] = { "", "_TAG", "_extra",
		"_copy", "_place", "_clone", "_print" };
	struct symtab names = { .owns_keys = true };
	const char *p = s->prefix;
	ast_decl *d;
	size_t i;

	/* The types of the imports, which this unit's header includes: a
	 * message b_M of protocol a and a message M of protocol a_b are both
	 * a_b_M. */
	for (i = 0; i < s->unit->nimports; i++) {
		const ast_unit *u = s->unit->imports[i];

		for (d = u->decls; d != NULL; d = d->next)
			if (d->kind == AST_D_MESSAGE ||
			    d->kind == AST_D_ACTOR || d->kind == AST_D_ENUM)
				claim(s, &names, cname("%s_%s%s",
				    u->protocol->name, d->name,
				    d->kind == AST_D_ACTOR ? "_ref" : ""), d);
	}
	for (d = s->unit->decls; d != NULL; d = d->next) {
		if (d->kind == AST_D_MESSAGE) {
			for (i = 0; i < sizeof(message_names) /
			    sizeof(*message_names); i++)
				claim(s, &names, cname("%s_%s%s", p, d->name,
				    message_names[i]), d);
			if (d->reply != NULL) {
				claim(s, &names, cname("%s_%s_request_desc", p,
				    d->name), d);
				claim(s, &names, cname("%s_reply_%s", p,
				    d->name), d);
			}
		} else if (d->kind == AST_D_ACTOR) {
			for (i = 0; i < sizeof(actor_names) /
			    sizeof(*actor_names); i++)
				claim(s, &names, cname("%s_%s%s", p, d->name,
				    actor_names[i]), d);
			for (i = 0; i < d->naccepts; i++) {
				const ast_name *m = d->accepts[i];

				claim_forms(s, &names, d, m->name, accepted_forms,
				    m->target->reply != NULL ? 7 : 4);
			}
			for (i = 0; i < d->nasks; i++)
				claim_forms(s, &names, d, d->asks[i]->name,
				    asked_forms, 2);
		} else if (d->kind == AST_D_TOPIC) {
			claim_topic(s, &names, d);
		} else if (d->kind == AST_D_ENUM) {
			const ast_name *v;

			claim(s, &names, cname("%s_%s", p, d->name), d);
			claim(s, &names, cname("%s_%s_name", p, d->name), d);
			for (v = d->values; v != NULL; v = v->next) {
				char *u = upper(v->name);

				claim(s, &names, cname("%s_%s_%s", p, d->name,
				    u), d);
				free(u);
			}
		}
	}
	check_poisoned(s, &names);
	symtab_free(&names);
}

unsigned
sema_check(ast_unit *unit, diag *d)
{
	struct sema s = { .unit = unit, .d = d };
	unsigned before = d->errors;
	ast_decl *decl;

	s.qualified.owns_keys = true;
	check_protocol(&s);
	declare(&s);
	declare_imports(&s);
	for (decl = unit->decls; decl != NULL; decl = decl->next) {
		if (decl->kind == AST_D_MESSAGE) {
			check_fields(&s, decl->fields, "message", decl->name);
			if (decl->reply != NULL)
				resolve_message(&s, decl->reply, "the reply of "
				    "a request must be a message");
		} else if (decl->kind == AST_D_ACTOR) {
			check_actor(&s, decl);
		} else if (decl->kind == AST_D_ENUM) {
			check_enum(&s, decl);
		} else if (decl->kind == AST_D_INCLUDE) {
			check_include(&s, decl);
		}
	}
	/* What follows looks into nested messages: cycles first. */
	check_cycles(&s);
	for (decl = unit->decls; decl != NULL; decl = decl->next)
		if (decl->kind == AST_D_TOPIC)
			check_topic(&s, decl);
	for (decl = unit->decls; decl != NULL; decl = decl->next)
		if (decl->kind == AST_D_ACTOR)
			check_asked(&s, decl);
		else if (decl->kind == AST_D_TOPIC)
			check_subscribers(&s, decl);
	check_unused_imports(&s);
	if (d->errors == before)
		check_unused_messages(&s);
	if (d->errors == before)
		check_cnames(&s);
	symtab_free(&s.decls);
	symtab_free(&s.imported);
	symtab_free(&s.twice);
	symtab_free(&s.qualified);
	symtab_free(&s.protos);
	return d->errors - before;
}
