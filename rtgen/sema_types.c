/* SPDX-License-Identifier: MIT */
/*
 * Fields and types: field names usable in C, C types that are one type,
 * array sizes, named types, enums, and messages that would contain
 * themselves by value.
 */
#include "sema_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most elements of an array field: a message is copied whole into
 * each envelope, so a larger one is almost certainly a mistake (a u64 at
 * the limit is half a megabyte already). */
#define ARRAY_MAX UINT64_C(65536)

/* Identifiers that cannot name a field: C and C++ keywords (the header is
 * meant to be usable from C++ too) and macros of the headers it includes. */
static const char *const reserved_fields[] = {
	"alignas",
	"alignof",
	"and",
	"and_eq",
	"asm",
	"auto",
	"bitand",
	"bitor",
	"break",
	"case",
	"catch",
	"char",
	"char16_t",
	"char32_t",
	"class",
	"compl",
	"const",
	"const_cast",
	"constexpr",
	"continue",
	"decltype",
	"default",
	"delete",
	"do",
	"double",
	"dynamic_cast",
	"else",
	"enum",
	"explicit",
	"export",
	"extern",
	"false",
	"float",
	"for",
	"friend",
	"goto",
	"if",
	"inline",
	"int",
	"long",
	"mutable",
	"namespace",
	"new",
	"noexcept",
	"not",
	"not_eq",
	"NULL",
	"nullptr",
	"operator",
	"or",
	"or_eq",
	"private",
	"protected",
	"public",
	"register",
	"reinterpret_cast",
	"restrict",
	"return",
	"short",
	"signed",
	"sizeof",
	"static",
	"static_assert",
	"static_cast",
	"struct",
	"switch",
	"template",
	"this",
	"thread_local",
	"throw",
	"true",
	"try",
	"typedef",
	"typeid",
	"typename",
	"union",
	"unsigned",
	"using",
	"virtual",
	"void",
	"volatile",
	"wchar_t",
	"while",
	"xor",
	"xor_eq",
};

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
	cands[0] = sema_closest(builtin, sizeof(builtin) / sizeof(*builtin),
	    name);
	cands[1] = sema_closest_decl(s, AST_D_MESSAGE, name);
	cands[2] = sema_closest_decl(s, AST_D_ENUM, name);
	for (i = 0; i < 3; i++)
		if (cands[i] != NULL &&
		    diag_distance(name, cands[i], 2) < dist) {
			dist = diag_distance(name, cands[i], 2);
			best = cands[i];
		}
	return best;
}

static bool
reserved_field(const char *name)
{
	static const char *const stdint[] = { "INT", "UINT", "SIZE", "PTRDIFF",
		"WCHAR", "WINT", "SIG_ATOMIC" };
	size_t i;

	for (i = 0; i < sizeof(reserved_fields) / sizeof(*reserved_fields); i++)
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
			diag_error(s->d, t->name_loc,
			    "a C type must be on one "
			    "line");
			return;
		}
		if (*c == ';') {
			diag_error(s->d, t->name_loc,
			    "a C type must not "
			    "contain ';'");
			return;
		}
		if (*c < 0x20 || *c >= 0x7f || strchr("\"'\\#", *c) != NULL ||
		    (*c == '/' && (c[1] == '*' || c[1] == '/')) ||
		    (*c == '*' && c[1] == '/')) {
			diag_error(s->d, t->name_loc,
			    "a C type must not "
			    "contain comments, quotes, '\\', '#' or characters "
			    "other than printable ASCII");
			return;
		}
		if (*c != ' ' && *c != '\t')
			blank = false;
		if (o != NULL) {
			if (depth == sizeof(stack)) {
				diag_error(s->d, t->name_loc,
				    "a C type nests "
				    "brackets too deeply");
				return;
			}
			stack[depth++] = close[o - open];
		} else if (k != NULL) {
			if (depth == 0 || stack[--depth] != *c) {
				diag_error(s->d, t->name_loc,
				    "unbalanced "
				    "'%c' in C type",
				    *c);
				return;
			}
		}
	}
	if (blank)
		diag_error(s->d, t->name_loc,
		    "empty C type (write the type "
		    "between the quotes, as in c\"int *\")");
	else if (depth != 0)
		diag_error(s->d, t->name_loc,
		    "unbalanced '%c' in C type "
		    "(it is never closed)",
		    open[strchr(close, stack[depth - 1]) - close]);
}

/* The size of an array field: from 1 to ARRAY_MAX. */
static void
check_array(struct sema *s, const ast_type *t)
{
	if (t->negative)
		diag_error(s->d, t->len_loc,
		    "array size must be positive, not "
		    "-%llu",
		    (unsigned long long)t->len);
	else if (t->len == 0)
		diag_error(s->d, t->len_loc,
		    "array size must be at least 1 (C "
		    "has no zero-size arrays)");
	else if (t->len > ARRAY_MAX)
		diag_error(s->d, t->len_loc,
		    "array size %llu is too large "
		    "(the limit is %llu elements)",
		    (unsigned long long)t->len, (unsigned long long)ARRAY_MAX);
}

/* A type named by an identifier: an enum or a message (by value). */
static void
resolve_type(struct sema *s, ast_type *t)
{
	bool reported;
	ast_decl *d = sema_lookup(s, t->qual, t->qual_loc, t->name, t->name_loc,
	    AST_D_MESSAGE, &reported);
	char buf[256];

	if (reported)
		return;
	if (d == NULL) {
		if (s->import_failed)
			return;
		diag_error(s->d, t->name_loc, "unknown type '%s'%s", t->name,
		    sema_did_you_mean(buf, sizeof(buf),
			closest_type(s, t->name)));
		return;
	}
	if (d->kind == AST_D_ACTOR) {
		diag_error(s->d, t->name_loc,
		    "'%s' is an actor, not a type "
		    "(a reference to it is ref<%s>)",
		    t->name, t->name);
		sema_note_decl(s, d, "'%s' is declared here", t->name);
		return;
	}
	if (d->kind != AST_D_MESSAGE && d->kind != AST_D_ENUM) {
		diag_error(s->d, t->name_loc, "'%s' is a %s, not a type",
		    t->name, ast_decl_keyword(d->kind));
		sema_note_decl(s, d, "'%s' is declared here", t->name);
		return;
	}
	t->target = d;
}

/* The fields of one struct: unique names, usable in C, refs to actors. */
void
sema_check_fields(struct sema *s, ast_field *fields, const char *what,
    const char *owner)
{
	struct symtab seen = { 0 };
	char buf[256];
	ast_field *f;

	for (f = fields; f != NULL; f = f->next) {
		const ast_field *prev = sema_symtab_put(&seen, f->name, f);

		if (prev != NULL) {
			diag_error(s->d, f->loc,
			    "duplicate field '%s' in %s '%s'", f->name, what,
			    owner);
			diag_note(s->d, prev->loc,
			    "'%s' was first declared "
			    "here",
			    f->name);
		} else if (sema_bad_underscores(f->name, false)) {
			diag_error(s->d, f->loc,
			    "field name '%s' is reserved "
			    "in C (it must not start with '_' or contain "
			    "'__')",
			    f->name);
		} else if (reserved_field(f->name)) {
			diag_error(s->d, f->loc,
			    "field name '%s' is a C or "
			    "C++ keyword or macro",
			    f->name);
		}
		if (f->type.kind == AST_T_CTYPE)
			check_ctype(s, &f->type);
		if (f->type.array)
			check_array(s, &f->type);
		if (f->type.kind == AST_T_NAMED)
			resolve_type(s, &f->type);
		if (f->type.kind == AST_T_REF) {
			bool reported;
			ast_decl *t = sema_lookup(s, f->type.qual,
			    f->type.qual_loc, f->type.name, f->type.name_loc,
			    AST_D_ACTOR, &reported);

			if (reported || (t == NULL && s->import_failed)) {
				/* Reported, or perhaps the failed import's. */
			} else if (t == NULL) {
				diag_error(s->d, f->type.name_loc,
				    "unknown actor '%s' in ref<>%s",
				    f->type.name,
				    sema_did_you_mean(buf, sizeof(buf),
					sema_closest_decl(s, AST_D_ACTOR,
					    f->type.name)));
			} else if (t->kind != AST_D_ACTOR) {
				diag_error(s->d, f->type.name_loc,
				    "'%s' is a %s, not an actor; ref<> takes "
				    "an actor",
				    t->name, ast_decl_keyword(t->kind));
				sema_note_decl(s, t, "'%s' is declared here",
				    t->name);
			} else {
				f->type.target = t;
			}
		}
	}
	sema_symtab_free(&seen);
}

/* The values of an enum: at least one, and each a good C name. */
void
sema_check_enum(struct sema *s, const ast_decl *e)
{
	static const struct sema_upper_words words = { "value", "enum value",
		"enum values", "enum" };

	if (e->values == NULL)
		diag_error(s->d, e->name_loc, "enum '%s' has no values",
		    e->name);
	sema_check_upper_names(s, e->values, &words, e->name);
}

void
sema_check_upper_names(struct sema *s, const ast_name *names,
    const struct sema_upper_words *w, const char *owner)
{
	struct symtab seen = { 0 }, mapped = { .owns_keys = true };
	const ast_name *v, *prev;

	for (v = names; v != NULL; v = v->next) {
		char *u;

		prev = sema_symtab_put(&seen, v->name, v);
		if (prev != NULL) {
			diag_error(s->d, v->loc, "duplicate %s '%s' in %s '%s'",
			    w->noun, v->name, w->kind, owner);
			diag_note(s->d, prev->loc,
			    "'%s' was first declared "
			    "here",
			    v->name);
			continue;
		}
		if (sema_bad_underscores(v->name, false)) {
			diag_error(s->d, v->loc,
			    "%s '%s' would make a "
			    "reserved C identifier (it must not start with "
			    "'_' or contain '__')",
			    w->one, v->name);
			continue;
		}
		u = sema_upper(v->name);
		prev = sema_symtab_get(&mapped, u);
		if (prev != NULL) {
			diag_error(s->d, v->loc,
			    "%s '%s' and '%s' "
			    "would both declare the C name '%s_%s_%s'",
			    w->several, prev->name, v->name, s->prefix, owner,
			    u);
			diag_note(s->d, prev->loc, "'%s' is declared here",
			    prev->name);
			free(u);
			continue;
		}
		sema_symtab_put(&mapped, u, v);
	}
	sema_symtab_free(&seen);
	sema_symtab_free(&mapped);
}

/* Search the messages nested in m, depth first, for one that contains
 * itself; report each cycle at the field that closes it, and unresolve
 * that field so that later stages need not fear recursion. On the way
 * back, sum up what each message holds (ast_decl.deep). */
static void
visit(struct sema *s, ast_decl *m, struct sema_path *path)
{
	ast_field *f;

	m->mark = 1;
	sema_path_push(path, m);
	for (f = m->fields; f != NULL; f = f->next) {
		ast_decl *t = (ast_decl *)ast_nested(f);
		char buf[512];

		if (t == NULL || t->mark == 2)
			continue;
		if (t->mark == 0) {
			visit(s, t, path);
			continue;
		}
		sema_path_cycle(path, t, buf, sizeof(buf));
		diag_error(s->d, f->type.name_loc,
		    "message '%s' contains "
		    "itself (%s%s); a message holds the messages of its "
		    "fields by value",
		    t->name, buf, t->name);
		f->type.target = NULL;
	}
	path->len--;
	m->mark = 2;
	/* Its nested messages are done: what they hold is known. */
	for (f = m->fields; f != NULL; f = f->next)
		m->deep |= (1u << f->type.kind) |
		    (ast_nested(f) != NULL ? ast_nested(f)->deep : 0);
}

void
sema_check_cycles(struct sema *s)
{
	struct sema_path path = { 0 };
	ast_decl *d;

	for (d = s->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_MESSAGE && d->mark == 0)
			visit(s, d, &path);
	free(path.at);
}
