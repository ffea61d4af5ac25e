/* SPDX-License-Identifier: MIT */
/*
 * Canonical definitions and fingerprints (canon.h). The grammar, as
 * doc/wire.md gives it:
 *
 *   canon   = body [ "->" body ]        the reply's body, for a request
 *   body    = NAME "{" { type ";" } "}"
 *   type    = elem [ "[" N "]" ]
 *   elem    = bool | i8 | ... | f64 | string | bytes
 *           | "ref<" PROTOCOL "." ACTOR ">"
 *           | ENUM "(" VALUE { "," VALUE } ")"
 *           | body                      a nested message, written out
 *
 * The text is built in one buffer that refuses to grow past CANON_MAX,
 * which also bounds the time spent on a message that nests another many
 * times over.
 */
#include "canon.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text being built; `full`: it would have been too long. */
struct canon {
	char *data;
	size_t len, cap;
	bool full;
};

static void
put(struct canon *c, const char *s, size_t n)
{
	if (c->full || n > CANON_MAX - c->len) {
		c->full = true;
		return;
	}
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap == 0 ? 256 : c->cap;

		while (c->len + n + 1 > cap)
			cap *= 2;
		c->data = ast_xrealloc(c->data, cap);
		c->cap = cap;
	}
	memcpy(c->data + c->len, s, n);
	c->len += n;
	c->data[c->len] = '\0';
}

static void
put_str(struct canon *c, const char *s)
{
	put(c, s, strlen(s));
}

static void body(struct canon *c, const ast_decl *m);

/* The element type of t, without its array size. */
static void
elem(struct canon *c, const ast_type *t)
{
	const ast_decl *d = t->target;
	const ast_name *v;

	switch (t->kind) {
	case AST_T_REF:
		put_str(c, "ref<");
		/* A unit with errors may have no protocol declaration. */
		if (d != NULL && d->home != NULL && d->home->protocol != NULL) {
			put_str(c, ast_prefix(d));
			put_str(c, ".");
		} else if (t->qual != NULL) {
			put_str(c, t->qual);
			put_str(c, ".");
		}
		put_str(c, t->name);
		put_str(c, ">");
		return;
	case AST_T_CTYPE:
		/* Never on the wire (sema refuses it there); written so that
		 * the text of any message is defined. */
		put_str(c, "c\"");
		put_str(c, t->name);
		put_str(c, "\"");
		return;
	case AST_T_NAMED:
		if (d == NULL) {
			put_str(c, t->name);
		} else if (d->kind == AST_D_ENUM) {
			put_str(c, d->name);
			put_str(c, "(");
			for (v = d->values; v != NULL; v = v->next) {
				put_str(c, v->name);
				if (v->next != NULL)
					put_str(c, ",");
			}
			put_str(c, ")");
		} else {
			body(c, d);
		}
		return;
	default:
		put_str(c, ast_type_keyword(t->kind));
		return;
	}
}

/* NAME{type;type;...}: a message's own part, without its reply. Nested
 * messages cannot contain themselves (sema cut such cycles), and the
 * buffer's bound stops the recursion when it would not end in time. */
static void
body(struct canon *c, const ast_decl *m)
{
	const ast_field *f;
	char n[32];

	put_str(c, m->name);
	put_str(c, "{");
	for (f = m->fields; f != NULL && !c->full; f = f->next) {
		elem(c, &f->type);
		if (f->type.array) {
			snprintf(n, sizeof(n), "[%llu]",
			    (unsigned long long)f->type.len);
			put_str(c, n);
		}
		put_str(c, ";");
	}
	put_str(c, "}");
}

char *
canon_message(const ast_decl *m, uint64_t *hash)
{
	struct canon c = { NULL, 0, 0, false };

	body(&c, m);
	if (m->reply != NULL) {
		put_str(&c, "->");
		if (m->reply->target != NULL)
			body(&c, m->reply->target);
		else
			put_str(&c, m->reply->name);
	}
	if (c.full) {
		free(c.data);
		return NULL;
	}
	if (hash != NULL)
		*hash = canon_fnv1a(c.data, c.len);
	return c.data;
}

uint64_t
canon_fnv1a(const void *s, size_t len)
{
	const unsigned char *p = s;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}
