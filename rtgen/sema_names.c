/* SPDX-License-Identifier: MIT */
/*
 * Names: the symbol tables of the checks, the lookup of a bare or
 * qualified name in this protocol and its imports, and the "did you
 * mean" suggestions. Names are looked up in hash tables, so a file with
 * many thousands of declarations is checked in linear time; the "did
 * you mean" search is quadratic, but only runs for errors that are
 * printed (at most DIAG_MAX_ERRORS of them).
 */
#include "sema_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a string-keyed hash table ------------------------------------- */

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

const void *
sema_symtab_get(const struct symtab *t, const char *key)
{
	return t->cap == 0 ? NULL : slot(t, key)->val;
}

/* Insert key -> val unless key is there: then return its value and leave
 * the table as it was (an owned key is freed). */
const void *
sema_symtab_put(struct symtab *t, const char *key, const void *val)
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

void
sema_symtab_free(struct symtab *t)
{
	size_t i;

	if (t->owns_keys)
		for (i = 0; i < t->cap; i++)
			free((char *)t->slots[i].key);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* A C name, printf-style (caller frees). */
char *sema_cname(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

char *
sema_cname(const char *fmt, ...)
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

/* The closest of `n` candidates to `name` within edit distance 2, or NULL.
 * A candidate must also be closer than the name is long, so that `x` does
 * not suggest every one-letter name. */
const char *
sema_closest(const char *const *cands, size_t n, const char *name)
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
const char *
sema_closest_in(const ast_unit *unit, enum ast_decl_kind kind, const char *name,
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
const char *
sema_closest_decl(struct sema *s, enum ast_decl_kind kind, const char *name)
{
	size_t best = 3, i;
	const char *found, *near;

	if (!diag_printing(s->d))
		return NULL;
	found = sema_closest_in(s->unit, kind, name, &best);
	for (i = 0; i < s->unit->nimports; i++) {
		near = sema_closest_in(s->unit->imports[i], kind, name, &best);
		if (near != NULL)
			found = near;
	}
	return found;
}

/* A note at the name of declaration d, which may be in an imported file. */
void
sema_note_decl(struct sema *s, const ast_decl *d, const char *fmt, ...)
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

/* "; did you mean 'x'?" or "" (the buffer must hold a name and 20 bytes). */
const char *
sema_did_you_mean(char *buf, size_t size, const char *near)
{
	if (near == NULL)
		return "";
	snprintf(buf, size, "; did you mean '%s'?", near);
	return buf;
}

/* Names that would make reserved C identifiers once prefixed or suffixed
 * ("P__x", "P_x__ref") or that start with '_'. */
bool
sema_bad_underscores(const char *name, bool is_decl)
{
	size_t len = strlen(name);

	return name[0] == '_' || strstr(name, "__") != NULL ||
	    (is_decl && name[len - 1] == '_');
}

void
sema_check_decl_name(struct sema *s, const ast_decl *d)
{
	if (sema_bad_underscores(d->name, true))
		diag_error(s->d, d->name_loc,
		    "%s name '%s' would make reserved C identifiers (it must "
		    "not start or end with '_' or contain '__')",
		    ast_decl_keyword(d->kind), d->name);
}

/* "a" or "an", before the keyword of a declaration kind. */
const char *
sema_article(enum ast_decl_kind kind)
{
	return kind == AST_D_ACTOR || kind == AST_D_ENUM ||
		kind == AST_D_INCLUDE || kind == AST_D_IMPORT ?
	    "an" :
	    "a";
}

/* A name in capitals: the C spelling of an enumerator (caller frees). */
char *
sema_upper(const char *name)
{
	char *u = ast_xstrdup(name), *c;

	for (c = u; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	return u;
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
		    s->unit->imports[i]->protocol->name :
		    s->prefix;

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
ast_decl *
sema_lookup(struct sema *s, const char *qual, ast_loc qual_loc,
    const char *name, ast_loc loc, enum ast_decl_kind kind, bool *reported)
{
	ast_decl *d, *local, *other;
	char buf[256], *key;

	*reported = false;
	if (qual != NULL && strcmp(qual, s->prefix) != 0) {
		const ast_decl *imp = sema_symtab_get(&s->protos, qual);
		size_t best = 3;

		if (imp == NULL) {
			*reported = true;
			if (!s->import_failed)
				diag_error(s->d, qual_loc,
				    "unknown protocol "
				    "'%s'%s",
				    qual,
				    closest_protocol(s, qual) != NULL ?
					sema_did_you_mean(buf, sizeof(buf),
					    closest_protocol(s, qual)) :
					" (import it first)");
			return NULL;
		}
		((ast_decl *)imp)->used = true;
		key = sema_cname("%s.%s", qual, name);
		d = (ast_decl *)sema_symtab_get(&s->qualified, key);
		free(key);
		*reported = d == NULL;
		if (d == NULL)
			diag_error(s->d, loc,
			    "protocol '%s' declares no %s "
			    "'%s'%s",
			    qual, ast_decl_keyword(kind), name,
			    sema_did_you_mean(buf, sizeof(buf),
				diag_printing(s->d) ?
				    sema_closest_in(imp->imported, kind, name,
					&best) :
				    NULL));
		return d;
	}
	local = (ast_decl *)sema_symtab_get(&s->decls, name);
	if (qual != NULL)
		return local;
	d = (ast_decl *)sema_symtab_get(&s->imported, name);
	if (d == NULL)
		return local;
	other = local != NULL ? local :
				(ast_decl *)sema_symtab_get(&s->twice, name);
	if (other != NULL) {
		/* In the order of the imports, this protocol first. */
		const char *p1 = ast_prefix(d), *p2 = ast_prefix(other);

		if (local != NULL) {
			p1 = s->prefix;
			p2 = ast_prefix(d);
		}
		diag_error(s->d, loc,
		    "'%s' is ambiguous: protocols '%s' and "
		    "'%s' both declare it; write '%s.%s' or '%s.%s'",
		    name, p1, p2, p1, name, p2, name);
		*reported = true;
		return NULL;
	}
	mark_used(s, d);
	return d;
}

/* The message `n` names, or NULL after reporting that it names none;
 * `takes` ends the report of an actor's name ("'accepts' takes messages"). */
ast_decl *
sema_resolve_message(struct sema *s, ast_name *n, const char *takes)
{
	bool reported;
	ast_decl *m = sema_lookup(s, n->qual, n->qual_loc, n->name, n->loc,
	    AST_D_MESSAGE, &reported);
	char buf[256];

	if (reported || (m == NULL && s->import_failed))
		return NULL;
	if (m == NULL) {
		diag_error(s->d, n->loc, "unknown message '%s'%s", n->name,
		    sema_did_you_mean(buf, sizeof(buf),
			sema_closest_decl(s, AST_D_MESSAGE, n->name)));
		return NULL;
	}
	if (m->kind != AST_D_MESSAGE) {
		diag_error(s->d, n->loc, "'%s' is %s %s, not a message; %s",
		    n->name, sema_article(m->kind), ast_decl_keyword(m->kind),
		    takes);
		sema_note_decl(s, m, "'%s' is declared here", m->name);
		return NULL;
	}
	n->target = m;
	return m;
}

/* ---- paths of the searches for cycles -------------------------------- */

void
sema_path_push(struct sema_path *path, const ast_decl *d)
{
	if (path->len == path->cap) {
		path->cap = path->cap == 0 ? 16 : 2 * path->cap;
		path->at = ast_xrealloc(path->at,
		    path->cap * sizeof(*path->at));
	}
	path->at[path->len++] = d;
}

void
sema_path_cycle(const struct sema_path *path, const ast_decl *t, char *buf,
    size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = path->len; path->at[i - 1] != t; i--)
		;
	for (i--; i < path->len && used + 64 < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s -> ",
		    path->at[i]->name);
}
