/* SPDX-License-Identifier: MIT */
/*
 * rtgen --diff, the declarations (diff_int.h): what changed in each
 * message, enum and actor kind, one line per change. A message's fields
 * and an enum's values are matched by name, and a field with a new name
 * where the old one was, of the same type, is a rename; each change is
 * judged by diff_judge(), except those of the kinds themselves (a remote
 * kind removed, renamed or made local breaks every lookup of it).
 */
#include "diff_int.h"

#include <stdlib.h>
#include <string.h>

#include "emit_text.h"

/* ---- messages and enums ---------------------------------------------- */

static size_t
count_fields(const ast_field *f)
{
	size_t n = 0;

	for (; f != NULL; f = f->next)
		n++;
	return n;
}

/* One version of a message's fields, as arrays. */
struct fields {
	const ast_field **f;
	char **key; /* diff_type_text(key) */
	size_t *to; /* the matching field of the other version, or NONE */
	bool *renamed;
	size_t n;
};

static void
fields_init(struct fields *fs, const ast_decl *m, const ast_unit *unit)
{
	const ast_field *f;
	size_t i = 0;

	fs->n = count_fields(m->fields);
	fs->f = ast_xmalloc((fs->n + 1) * sizeof(*fs->f));
	fs->key = ast_xmalloc((fs->n + 1) * sizeof(*fs->key));
	fs->to = ast_xmalloc((fs->n + 1) * sizeof(*fs->to));
	fs->renamed = ast_xmalloc((fs->n + 1) * sizeof(*fs->renamed));
	for (f = m->fields; f != NULL; f = f->next, i++) {
		fs->f[i] = f;
		fs->key[i] = diff_type_text(&f->type, unit, true);
		fs->to[i] = NONE;
	}
}

static void
fields_fini(struct fields *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		free(fs->key[i]);
	free(fs->f);
	free(fs->key);
	free(fs->to);
	free(fs->renamed);
}

/* Match fields by name, then an unmatched pair at one place with one type
 * as a rename. */
static void
match_fields(struct fields *a, struct fields *b)
{
	struct symtab names = { NULL, 0, 0, false };
	size_t i;

	for (i = 0; i < a->n; i++)
		sema_symtab_put(&names, a->f[i]->name, &a->f[i]);
	for (i = 0; i < b->n; i++) {
		const ast_field *const *p = (const ast_field *const *)
		    sema_symtab_get(&names, b->f[i]->name);

		if (p != NULL) {
			b->to[i] = (size_t)(p - a->f);
			a->to[b->to[i]] = i;
		}
	}
	sema_symtab_free(&names);
	for (i = 0; i < b->n && i < a->n; i++)
		if (b->to[i] == NONE && a->to[i] == NONE &&
		    strcmp(a->key[i], b->key[i]) == 0) {
			a->to[i] = b->to[i] = i;
			a->renamed[i] = b->renamed[i] = true;
		}
}

/* Are the fields of b that have a match in the same order as their
 * matches in a? If not, write both orders into `text`, and whether the
 * keys read in either order are the same in *same_keys. */
static bool
in_order(const struct fields *a, const struct fields *b, emit_buf *text,
    bool *same_keys)
{
	size_t i, j, last = 0;
	bool first = true, ordered = true;

	for (i = 0; i < a->n && ordered; i++) {
		if (a->to[i] == NONE)
			continue;
		if (!first && a->to[i] < last)
			ordered = false;
		last = a->to[i];
		first = false;
	}
	if (ordered)
		return true;
	*same_keys = true;
	emit_text_put(text, "(", 1);
	for (i = 0, j = 0, first = true; i < a->n; i++) {
		if (a->to[i] == NONE)
			continue;
		emit_text_printf(text, "%s%s", first ? "" : ", ",
		    a->f[i]->name);
		first = false;
		/* The j-th matched field in old order against the j-th in
		 * new order, both with the new version's types. */
		while (j < b->n && b->to[j] == NONE)
			j++;
		if (strcmp(b->key[a->to[i]], b->key[j]) != 0)
			*same_keys = false;
		j++;
	}
	emit_text_put(text, ") -> (", 6);
	for (j = 0, first = true; j < b->n; j++) {
		if (b->to[j] == NONE)
			continue;
		emit_text_printf(text, "%s%s", first ? "" : ", ",
		    b->f[j]->name);
		first = false;
	}
	emit_text_put(text, ")", 1);
	return false;
}

/* A request's reply: added, removed or changed. */
static void
compare_reply(struct diff *df, struct type *x0, struct type *x1, emit_buf *why)
{
	const ast_decl *m0 = x0->decl, *m1 = x1->decl;
	const ast_name *r0 = m0->reply, *r1 = m1->reply;
	enum verdict v;

	if (r0 == NULL && r1 == NULL)
		return;
	if (r0 != NULL && r1 != NULL &&
	    strcmp(diff_reply_name(r0), diff_reply_name(r1)) == 0)
		return;
	v = diff_judge(df, x0, x1, true, true, why);
	if (r0 == NULL)
		diff_line(df, 1, r1->loc, v,
		    "message %s: became a request (-> %s)%s", m1->name,
		    diff_reply_name(r1), diff_why(why));
	else if (r1 == NULL)
		diff_line(df, 1, m1->name_loc, v,
		    "message %s: no longer a request (was -> %s)%s", m1->name,
		    diff_reply_name(r0), diff_why(why));
	else
		diff_line(df, 1, r1->loc, v,
		    "message %s: reply changed %s -> %s%s", m1->name,
		    diff_reply_name(r0), diff_reply_name(r1), diff_why(why));
}

/* A note for a change that leaves the wire form as it was. */
static const char *
same_wire(enum verdict v, bool changes)
{
	return v != LOCAL && !changes ? " (the wire form is the same: fields "
					"are read by position)" :
					"";
}

void
diff_message(struct diff *df, struct type *x0, struct type *x1)
{
	const ast_decl *m0 = x0->decl, *m1 = x1->decl;
	struct fields a, b;
	emit_buf why = { 0 }, order = { 0 };
	bool layout = true, changes = false, same_keys = false;
	enum verdict v;
	size_t i;

	compare_reply(df, x0, x1, &why);
	fields_init(&a, m0, df->v[0].unit);
	fields_init(&b, m1, df->v[1].unit);
	match_fields(&a, &b);
	for (i = 0; i < a.n && layout; i++)
		layout = i < b.n && strcmp(a.key[i], b.key[i]) == 0;
	if (a.n != b.n)
		layout = false;
	/* A change breaks only when the field types by place differ and the
	 * texts do (a type moved into an imported file keeps its text). The
	 * texts are only worth making for what crosses the wire. */
	if (!layout && (x0->wire || x1->wire)) {
		char *t0 = diff_held_text(m0), *t1 = diff_held_text(m1);

		changes = !diff_same_text(t0, t1);
		free(t0);
		free(t1);
	}
	for (i = 0; i < b.n; i++) {
		const ast_field *f = b.f[i];
		size_t j = b.to[i];

		if (j == NONE) {
			v = diff_judge(df, x0, x1, changes, false, &why);
			diff_line(df, 1, f->loc, v,
			    "message %s: field %zu (%s) added%s", m1->name,
			    i + 1, f->name, diff_why(&why));
		} else if (b.renamed[i]) {
			v = diff_judge(df, x0, x1, false, false, &why);
			diff_line(df, 1, f->loc, v,
			    "message %s: field %zu renamed %s -> %s", m1->name,
			    i + 1, a.f[j]->name, f->name);
		} else if (strcmp(a.key[j], b.key[i]) != 0) {
			char *t0 = diff_type_text(&a.f[j]->type, NULL, false);
			char *t1 = diff_type_text(&f->type, NULL, false);

			v = diff_judge(df, x0, x1, changes, false, &why);
			diff_line(df, 1, f->loc, v,
			    "message %s: field %zu (%s) changed type %s -> "
			    "%s%s%s",
			    m1->name, i + 1, f->name, t0, t1, diff_why(&why),
			    same_wire(v, changes));
			free(t0);
			free(t1);
		}
	}
	for (i = 0; i < a.n; i++)
		if (a.to[i] == NONE) {
			v = diff_judge(df, x0, x1, changes, false, &why);
			diff_line(df, 0, a.f[i]->loc, v,
			    "message %s: field %zu (%s) removed%s", m0->name,
			    i + 1, a.f[i]->name, diff_why(&why));
		}
	if (!in_order(&a, &b, &order, &same_keys)) {
		bool moved = changes && !same_keys;

		v = diff_judge(df, x0, x1, moved, false, &why);
		diff_line(df, 1, m1->name_loc, v,
		    "message %s: fields reordered %s%s%s", m1->name, order.data,
		    diff_why(&why), same_wire(v, moved));
	}
	emit_buf_free(&order);
	emit_buf_free(&why);
	fields_fini(&a);
	fields_fini(&b);
}

static size_t
count_names(const ast_name *n)
{
	size_t c = 0;

	for (; n != NULL; n = n->next)
		c++;
	return c;
}

/* An enum's values: each change alters its text, which lists them. */
void
diff_enum(struct diff *df, struct type *x0, struct type *x1)
{
	const ast_decl *e0 = x0->decl, *e1 = x1->decl;
	size_t n0 = count_names(e0->values), n1 = count_names(e1->values);
	const ast_name **a = ast_xmalloc((n0 + 1) * sizeof(*a));
	const ast_name **b = ast_xmalloc((n1 + 1) * sizeof(*b));
	size_t *to0 = ast_xmalloc((n0 + 1) * sizeof(*to0));
	size_t *to1 = ast_xmalloc((n1 + 1) * sizeof(*to1));
	struct symtab names = { NULL, 0, 0, false };
	emit_buf why = { 0 }, order = { 0 };
	const ast_name *n;
	size_t i, last = 0;
	bool ordered = true, first = true;
	enum verdict v;

	for (i = 0, n = e0->values; n != NULL; n = n->next, i++) {
		a[i] = n;
		to0[i] = NONE;
		sema_symtab_put(&names, n->name, &a[i]);
	}
	for (i = 0, n = e1->values; n != NULL; n = n->next, i++) {
		const ast_name *const *p = (const ast_name *const *)
		    sema_symtab_get(&names, n->name);

		b[i] = n;
		to1[i] = NONE;
		if (p != NULL) {
			to1[i] = (size_t)(p - a);
			to0[to1[i]] = i;
		}
	}
	sema_symtab_free(&names);
	for (i = 0; i < n1; i++) {
		if (to1[i] == NONE && i < n0 && to0[i] == NONE) {
			to0[i] = to1[i] = i;
			v = diff_judge(df, x0, x1, true, false, &why);
			diff_line(df, 1, b[i]->loc, v,
			    "enum %s: value %zu renamed %s -> %s%s", e1->name,
			    i + 1, a[i]->name, b[i]->name, diff_why(&why));
		}
	}
	for (i = 0; i < n1; i++)
		if (to1[i] == NONE) {
			v = diff_judge(df, x0, x1, true, false, &why);
			diff_line(df, 1, b[i]->loc, v,
			    "enum %s: value %s added%s", e1->name, b[i]->name,
			    diff_why(&why));
		}
	for (i = 0; i < n0; i++) {
		if (to0[i] == NONE) {
			v = diff_judge(df, x0, x1, true, false, &why);
			diff_line(df, 0, a[i]->loc, v,
			    "enum %s: value %s removed%s", e0->name, a[i]->name,
			    diff_why(&why));
		} else {
			if (!first && to0[i] < last)
				ordered = false;
			last = to0[i];
			first = false;
		}
	}
	if (!ordered) {
		emit_text_put(&order, "(", 1);
		for (i = 0, first = true; i < n0; i++)
			if (to0[i] != NONE) {
				emit_text_printf(&order, "%s%s",
				    first ? "" : ", ", a[i]->name);
				first = false;
			}
		emit_text_put(&order, ") -> (", 6);
		for (i = 0, first = true; i < n1; i++)
			if (to1[i] != NONE) {
				emit_text_printf(&order, "%s%s",
				    first ? "" : ", ", b[i]->name);
				first = false;
			}
		emit_text_put(&order, ")", 1);
		v = diff_judge(df, x0, x1, true, false, &why);
		diff_line(df, 1, e1->name_loc, v,
		    "enum %s: values reordered %s%s", e1->name, order.data,
		    diff_why(&why));
	}
	emit_buf_free(&order);
	emit_buf_free(&why);
	free(a);
	free(b);
	free(to0);
	free(to1);
}

/* A type of one version only: removed (side 0) or added (side 1). */
void
diff_type_alone(struct diff *df, int side, struct type *x)
{
	const ast_decl *d = x->decl, *moved;
	emit_buf why = { 0 };
	enum verdict v;

	if (side == 1) {
		diff_line(df, 1, d->name_loc, x->wire ? COMPATIBLE : LOCAL,
		    "%s %s added", ast_decl_keyword(d->kind), d->name);
		return;
	}
	/* Moved into an imported protocol, unchanged: whatever held it holds
	 * the same text. (Only what crosses the wire has a text worth making:
	 * sema bounded its size.) */
	moved = NULL;
	if (x->wire)
		moved = (const ast_decl *)sema_symtab_get(&df->v[1].imported,
		    d->name);
	if (moved != NULL && moved->kind == d->kind) {
		char *t0 = diff_held_text(d), *t1 = diff_held_text(moved);

		if (!diff_same_text(t0, t1))
			moved = NULL;
		free(t0);
		free(t1);
	} else {
		moved = NULL;
	}
	if (moved != NULL) {
		diff_line(df, 0, d->name_loc, x->wire ? COMPATIBLE : LOCAL,
		    "%s %s removed: the one protocol %s declares is the same "
		    "on the wire",
		    ast_decl_keyword(d->kind), d->name, ast_prefix(moved));
		return;
	}
	v = diff_judge(df, x, NULL, true, false, &why);
	diff_line(df, 0, d->name_loc, v, "%s %s removed%s",
	    ast_decl_keyword(d->kind), d->name, diff_why(&why));
	emit_buf_free(&why);
}

/* ---- actor kinds ----------------------------------------------------- */

static const char *
protocol_of(const struct diff *df, int side)
{
	return df->v[side].unit->protocol->name;
}

/* The messages a kind accepts in one version and not in the other. A
 * kind remote in both has entries: a message it no longer accepts breaks
 * (old senders' become dead letters); one it now accepts does not. */
static void
compare_accepts(struct diff *df, struct kind *k0, struct kind *k1)
{
	const ast_decl *a0 = k0->decl, *a1 = k1->decl;
	bool remote = a0->remote != NULL && a1->remote != NULL;
	bool *added;
	size_t *to = diff_match_accepts(a0, a1, &added), i, e;

	for (i = 0; i < a0->naccepts; i++) {
		if (to[i] != NONE)
			continue;
		if (!remote) {
			diff_line(df, 0, a0->accepts[i]->loc, LOCAL,
			    "actor %s: no longer accepts %s", a0->name,
			    diff_reply_name(a0->accepts[i]));
			continue;
		}
		for (e = k0->first; e < k0->last; e++)
			if (df->entries[e].at == a0->accepts[i])
				df->entries[e].explained = true;
		diff_line(df, 0, a0->accepts[i]->loc, BREAKS,
		    "actor %s: no longer accepts %s: old senders' %s become "
		    "dead letters at upgraded receivers",
		    a0->name, diff_reply_name(a0->accepts[i]),
		    diff_reply_name(a0->accepts[i]));
	}
	for (i = 0; i < a1->naccepts; i++) {
		if (!added[i])
			continue;
		if (remote)
			diff_line(df, 1, a1->accepts[i]->loc, COMPATIBLE,
			    "actor %s: now accepts %s: compatible for old "
			    "senders; new senders must not send it until every "
			    "receiver is upgraded",
			    a1->name, diff_reply_name(a1->accepts[i]));
		else
			diff_line(df, 1, a1->accepts[i]->loc, LOCAL,
			    "actor %s: now accepts %s", a1->name,
			    diff_reply_name(a1->accepts[i]));
	}
	free(to);
	free(added);
}

void
diff_kind(struct diff *df, struct kind *k0, struct kind *k1)
{
	const ast_decl *a0 = k0->decl, *a1 = k1->decl;

	if (k0->renamed) {
		if (a0->remote != NULL)
			diff_line(df, 1, a1->name_loc, BREAKS,
			    "actor renamed %s -> %s: other nodes look it up as "
			    "\"%s.%s\"",
			    a0->name, a1->name, protocol_of(df, 0), a0->name);
		else
			diff_line(df, 1, a1->name_loc,
			    a1->remote != NULL ? COMPATIBLE : LOCAL,
			    "actor renamed %s -> %s", a0->name, a1->name);
		return;
	}
	if (a0->remote != NULL && a1->remote == NULL)
		diff_line(df, 0, a0->remote->loc, BREAKS,
		    "actor %s is no longer remote: other nodes cannot look "
		    "up \"%s.%s\"",
		    a0->name, protocol_of(df, 0), a0->name);
	else if (a0->remote == NULL && a1->remote != NULL)
		diff_line(df, 1, a1->remote->loc, COMPATIBLE,
		    "actor %s is now remote", a1->name);
	compare_accepts(df, k0, k1);
}

void
diff_kind_alone(struct diff *df, int side, const struct kind *k)
{
	const ast_decl *a = k->decl;

	if (side == 1)
		diff_line(df, 1, a->name_loc,
		    a->remote != NULL ? COMPATIBLE : LOCAL, "%sactor %s added",
		    a->remote != NULL ? "remote " : "", a->name);
	else if (a->remote != NULL)
		diff_line(df, 0, a->name_loc, BREAKS,
		    "remote actor %s removed: other nodes cannot look up "
		    "\"%s.%s\"",
		    a->name, protocol_of(df, 0), a->name);
	else
		diff_line(df, 0, a->name_loc, LOCAL, "actor %s removed",
		    a->name);
}
