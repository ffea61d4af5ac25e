/* SPDX-License-Identifier: MIT */
/*
 * rtgen --diff (diff.h). A node reads a frame when the fingerprint it
 * carries is that of a message the receiving kind accepts, and an asker
 * takes a reply whose fingerprint is that of the reply it expects; kinds
 * are looked up by qualified name. So what decides whether two versions
 * of a protocol talk is, for each kind that is remote in both (matched by
 * name), each message it accepts in the old version: does the new one
 * still accept a message of that name, with the same canonical text
 * (canon.h)? And for a request, the same for its reply. Those pairs are
 * the "entries" below; one is broken when its texts differ or the new
 * kind no longer accepts it. The exit status is whether a kind-level
 * change breaks (a remote kind removed, renamed or made local, an
 * accepted message dropped, the protocol renamed) or an entry is broken.
 *
 * The lines then say which change did it. A change of a message or enum
 * (a field retyped, an enum value added, ...) breaks when an entry whose
 * definition holds that declaration in both versions is broken: those are
 * listed when they are not the declaration itself, so that a change of a
 * nested message is reported once, with the remote messages it breaks.
 * What no remote kind of either version sends, at any depth, is local. A
 * broken entry that no line accounts for (a message of an imported
 * protocol that changed) gets a line of its own, with both texts.
 *
 * Declarations are matched by name: a renamed message is one removed and
 * one added (its name is part of its definition); a renamed actor is
 * recognised when the removed and the added one accept the same messages.
 * Fields and enum values are matched by name, and a field whose name is
 * new where the old one was, with the same type, is a rename.
 *
 * Every walk over nested messages keeps its own stack and visits each
 * declaration once per entry, so no input can exhaust the C stack or take
 * more than the size of the canonical texts involved.
 */
#include "diff_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "emit_text.h"

static const char *const verdict_name[] = { "local", "compatible", "breaks" };

/* At most this many entries are named on one line. */
#define NAMED_MAX 8
/* A line that quotes canonical texts quotes none longer than this. */
#define QUOTE_MAX 200

/* ---- helpers --------------------------------------------------------- */

static void
ids_add(struct ids *s, size_t id)
{
	if (s->n == s->cap)
		s->v = ast_xgrow(s->v, &s->cap, sizeof(*s->v));
	s->v[s->n++] = id;
}

bool
diff_same_text(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Do m0 and m1 have the same canonical text, reply included? */
static bool
same_definition(const ast_decl *m0, const ast_decl *m1)
{
	char *a = canon_message(m0, NULL), *b = canon_message(m1, NULL);
	bool same = diff_same_text(a, b);

	free(a);
	free(b);
	return same;
}

char *
diff_held_text(const ast_decl *d)
{
	ast_field f;
	ast_decl m;

	memset(&f, 0, sizeof(f));
	memset(&m, 0, sizeof(m));
	f.type.kind = AST_T_NAMED;
	f.type.name = d->name;
	f.type.target = (ast_decl *)d;
	m.kind = AST_D_MESSAGE;
	m.name = (char *)"";
	m.fields = &f;
	return canon_message(&m, NULL);
}

static char *
buf_text(emit_buf *b)
{
	return b->data != NULL ? b->data : ast_xstrdup("");
}

char *
diff_type_text(const ast_type *t, const ast_unit *unit, bool key)
{
	const ast_decl *d = t->target;
	emit_buf b = { 0 };

	switch (t->kind) {
	case AST_T_REF:
		emit_text_put(&b, "ref<", 4);
		if (key && d != NULL && d->home != unit)
			emit_text_printf(&b, "%s.", ast_prefix(d));
		else if ((!key || d == NULL) && t->qual != NULL)
			emit_text_printf(&b, "%s.", t->qual);
		emit_text_printf(&b, "%s>", t->name);
		break;
	case AST_T_NAMED:
		if (!key && t->qual != NULL)
			emit_text_printf(&b, "%s.", t->qual);
		emit_text_printf(&b, "%s", t->name);
		break;
	case AST_T_CTYPE:
		emit_text_printf(&b, "c\"%s\"", t->name);
		break;
	default:
		emit_text_printf(&b, "%s", ast_type_keyword(t->kind));
		break;
	}
	if (t->array)
		emit_text_printf(&b, "[%llu]", (unsigned long long)t->len);
	return buf_text(&b);
}

const char *
diff_reply_name(const ast_name *r)
{
	return r->target != NULL ? r->target->name : r->name;
}

void
diff_line(struct diff *df, int side, ast_loc loc, enum verdict v,
    const char *fmt, ...)
{
	char small[256], *t;
	va_list ap;
	size_t n;

	emit_text_printf(df->out, "%s:%d:%d: %s: ", df->v[side].path,
	    loc.first_line, loc.first_column, verdict_name[v]);
	va_start(ap, fmt);
	t = emit_text_vformat(small, sizeof(small), &n, fmt, ap);
	va_end(ap);
	if (t != NULL) {
		emit_text_put(df->out, t, n);
		if (t != small)
			free(t);
	}
	emit_text_put(df->out, "\n", 1);
	if (v == BREAKS)
		df->breaks = true;
}

/* ---- the two versions ------------------------------------------------ */

static void
version_init(struct version *v, const ast_unit *unit, const char *path)
{
	const ast_decl *d;
	size_t nt = 0, nk = 0, i;

	v->unit = unit;
	v->path = path;
	for (d = unit->decls; d != NULL; d = d->next) {
		if (d->kind == AST_D_MESSAGE || d->kind == AST_D_ENUM)
			nt++;
		else if (d->kind == AST_D_ACTOR)
			nk++;
	}
	v->types = ast_xmalloc((nt + 1) * sizeof(*v->types));
	v->kinds = ast_xmalloc((nk + 1) * sizeof(*v->kinds));
	for (i = 0; i < unit->nimports; i++)
		for (d = unit->imports[i]->decls; d != NULL; d = d->next)
			if (d->kind == AST_D_MESSAGE || d->kind == AST_D_ENUM)
				sema_symtab_put(&v->imported, d->name, d);
	for (d = unit->decls; d != NULL; d = d->next) {
		if (d->kind == AST_D_MESSAGE || d->kind == AST_D_ENUM) {
			v->types[v->ntypes].decl = d;
			sema_symtab_put(&v->type_names, d->name,
			    &v->types[v->ntypes]);
			v->ntypes++;
		} else if (d->kind == AST_D_ACTOR) {
			v->kinds[v->nkinds].decl = d;
			sema_symtab_put(&v->kind_names, d->name,
			    &v->kinds[v->nkinds]);
			v->nkinds++;
		}
	}
}

static void
version_fini(struct version *v)
{
	size_t i;

	for (i = 0; i < v->ntypes; i++) {
		free(v->types[i].in.v);
		free(v->types[i].top.v);
	}
	free(v->types);
	free(v->kinds);
	sema_symtab_free(&v->type_names);
	sema_symtab_free(&v->kind_names);
	sema_symtab_free(&v->imported);
}

/* The type of v that is d, or NULL (d is imported, or not a type). */
static struct type *
own_type(const struct version *v, const ast_decl *d)
{
	struct type *t;

	if (d == NULL || d->home != v->unit)
		return NULL;
	t = (struct type *)sema_symtab_get(&v->type_names, d->name);
	return t != NULL && t->decl == d ? t : NULL;
}

static struct type *
type_named(const struct version *v, const char *name)
{
	return (struct type *)sema_symtab_get(&v->type_names, name);
}

static struct kind *
kind_named(const struct version *v, const char *name)
{
	return (struct kind *)sema_symtab_get(&v->kind_names, name);
}

/* A stack of declarations to visit. */
struct walk {
	const ast_decl **v;
	size_t n, cap;
};

static void
walk_push(struct walk *w, const ast_decl *d)
{
	if (d == NULL)
		return;
	if (w->n == w->cap)
		w->v = ast_xgrow(w->v, &w->cap, sizeof(*w->v));
	w->v[w->n++] = d;
}

/*
 * Visit d and the types nested in it at any depth, each of v's own once:
 * with entry e < NONE, record e in each (ast_decl fields of imported
 * messages cannot hold this protocol's, so the walk stops at them); with
 * e == NONE, mark each as on the wire.
 */
static void
hold(struct version *v, const ast_decl *d, size_t e)
{
	struct walk w = { NULL, 0, 0 };
	const ast_field *f;

	walk_push(&w, d);
	while (w.n > 0) {
		struct type *t = own_type(v, w.v[--w.n]);

		if (t == NULL)
			continue;
		if (e == NONE) {
			if (t->wire)
				continue;
			t->wire = true;
		} else {
			if (t->stamp == e + 1)
				continue;
			t->stamp = e + 1;
			ids_add(&t->in, e);
		}
		if (t->decl->kind != AST_D_MESSAGE)
			continue;
		for (f = t->decl->fields; f != NULL; f = f->next)
			if (f->type.kind == AST_T_NAMED)
				walk_push(&w, f->type.target);
	}
	free(w.v);
}

/* What the definition of message d holds: itself, its fields and, for a
 * request, its reply's (canon_message). */
static void
hold_definition(struct version *v, const ast_decl *d, size_t e)
{
	hold(v, d, e);
	if (d->reply != NULL)
		hold(v, d->reply->target, e);
}

/* Mark what v's remote kinds send: what they accept and the replies, at
 * any depth. */
static void
mark_wire(struct version *v)
{
	size_t i, j;

	for (i = 0; i < v->nkinds; i++) {
		const ast_decl *k = v->kinds[i].decl;

		if (k->remote == NULL)
			continue;
		for (j = 0; j < k->naccepts; j++) {
			const ast_decl *m = k->accepts[j]->target;

			if (m == NULL)
				continue;
			hold_definition(v, m, NONE);
			if (m->reply != NULL && m->reply->target != NULL)
				hold_definition(v, m->reply->target, NONE);
		}
	}
}

/* Pair each type and kind of the new version with the old one of the same
 * name (and, for a type, kind of declaration). */
static void
pair_by_name(struct diff *df)
{
	size_t i;

	for (i = 0; i < df->v[1].ntypes; i++) {
		struct type *t = &df->v[1].types[i];
		struct type *o = type_named(&df->v[0], t->decl->name);

		if (o != NULL && o->decl->kind == t->decl->kind) {
			o->peer = t;
			t->peer = o;
		}
	}
	for (i = 0; i < df->v[1].nkinds; i++) {
		struct kind *k = &df->v[1].kinds[i];
		struct kind *o = kind_named(&df->v[0], k->decl->name);

		if (o != NULL) {
			o->peer = k;
			k->peer = o;
		}
	}
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the messages kind k accepts, sorted, joined by commas
 * (caller frees); NULL when it accepts none. */
static char *
accepts_signature(const ast_decl *k)
{
	const char **names;
	emit_buf b = { 0 };
	size_t i;

	if (k->naccepts == 0)
		return NULL;
	names = ast_xmalloc(k->naccepts * sizeof(*names));
	for (i = 0; i < k->naccepts; i++)
		names[i] = diff_reply_name(k->accepts[i]);
	qsort(names, k->naccepts, sizeof(*names), compare_names);
	for (i = 0; i < k->naccepts; i++)
		emit_text_printf(&b, "%s%s", i > 0 ? "," : "", names[i]);
	free(names);
	return buf_text(&b);
}

/* Pair a kind of the old version only with one of the new version only
 * that accepts the same messages: it was renamed. */
static void
pair_renamed_kinds(struct diff *df)
{
	struct symtab added = { NULL, 0, 0, true };
	size_t i;

	for (i = 0; i < df->v[1].nkinds; i++) {
		struct kind *k = &df->v[1].kinds[i];
		char *sig;

		if (k->peer != NULL ||
		    (sig = accepts_signature(k->decl)) == NULL)
			continue;
		sema_symtab_put(&added, sig, k);
	}
	for (i = 0; i < df->v[0].nkinds; i++) {
		struct kind *o = &df->v[0].kinds[i], *k;
		char *sig;

		if (o->peer != NULL ||
		    (sig = accepts_signature(o->decl)) == NULL)
			continue;
		k = (struct kind *)sema_symtab_get(&added, sig);
		free(sig);
		if (k == NULL || k->peer != NULL)
			continue;
		o->peer = k;
		k->peer = o;
		o->renamed = k->renamed = true;
	}
	sema_symtab_free(&added);
}

size_t *
diff_match_accepts(const ast_decl *k0, const ast_decl *k1, bool **added)
{
	struct symtab names = { NULL, 0, 0, false };
	size_t *to = ast_xmalloc((k0->naccepts + 1) * sizeof(*to));
	bool *taken = ast_xmalloc((k1->naccepts + 1) * sizeof(*taken));
	size_t i;

	for (i = 0; i < k1->naccepts; i++)
		sema_symtab_put(&names, diff_reply_name(k1->accepts[i]),
		    &k1->accepts[i]);
	for (i = 0; i < k0->naccepts; i++) {
		ast_name *const *n = (ast_name *const *)sema_symtab_get(&names,
		    diff_reply_name(k0->accepts[i]));

		to[i] = NONE;
		if (n != NULL && !taken[n - k1->accepts]) {
			to[i] = (size_t)(n - k1->accepts);
			taken[to[i]] = true;
		}
	}
	sema_symtab_free(&names);
	if (added != NULL) {
		for (i = 0; i < k1->naccepts; i++)
			taken[i] = !taken[i];
		*added = taken;
	} else {
		free(taken);
	}
	return to;
}

static size_t
new_entry(struct diff *df)
{
	if (df->nentries == df->capentries)
		df->entries = ast_xgrow(df->entries, &df->capentries,
		    sizeof(*df->entries));
	memset(&df->entries[df->nentries], 0, sizeof(*df->entries));
	return df->nentries++;
}

/* The entries of old kind k, remote in both versions. */
static void
add_entries(struct diff *df, struct kind *k)
{
	const ast_decl *k0 = k->decl, *k1 = k->peer->decl;
	size_t *to = diff_match_accepts(k0, k1, NULL), i;

	k->first = df->nentries;
	for (i = 0; i < k0->naccepts; i++) {
		const ast_decl *m0 = k0->accepts[i]->target, *m1 = NULL;
		struct entry *e;
		size_t ei, ri;

		if (m0 == NULL)
			continue;
		if (to[i] != NONE)
			m1 = k1->accepts[to[i]]->target;
		ei = new_entry(df);
		e = &df->entries[ei];
		e->kind = k;
		e->top[0] = m0;
		e->top[1] = m1;
		e->at = m1 != NULL ? k1->accepts[to[i]] : k0->accepts[i];
		e->request = ei;
		e->broken = m1 == NULL || !same_definition(m0, m1);
		if (m1 == NULL || m0->reply == NULL || m1->reply == NULL ||
		    m0->reply->target == NULL || m1->reply->target == NULL)
			continue;
		ri = new_entry(df);
		e = &df->entries[ri];
		e->kind = k;
		e->top[0] = m0->reply->target;
		e->top[1] = m1->reply->target;
		e->at = df->entries[ei].at;
		e->request = ei;
		e->reply = true;
		e->broken = !same_definition(e->top[0], e->top[1]);
	}
	k->last = df->nentries;
	free(to);
}

/* Find the entries and what each holds, in both versions. */
static void
build_entries(struct diff *df)
{
	size_t i, e;
	int s;

	for (i = 0; i < df->v[0].nkinds; i++) {
		struct kind *k = &df->v[0].kinds[i];

		if (k->peer != NULL && !k->renamed && k->decl->remote != NULL &&
		    k->peer->decl->remote != NULL)
			add_entries(df, k);
	}
	for (e = 0; e < df->nentries; e++)
		for (s = 0; s < 2; s++) {
			const ast_decl *d = df->entries[e].top[s];
			struct type *t = own_type(&df->v[s], d);

			if (d == NULL)
				continue;
			if (t != NULL)
				ids_add(&t->top, e);
			hold_definition(&df->v[s], d, e);
		}
	for (s = 0; s < 2; s++)
		mark_wire(&df->v[s]);
}

/* ---- judging a change ------------------------------------------------ */

/* The broken entries whose definitions hold x0 (old) and x1 (new): those
 * of both when both are given, deep or (`top`) as their own, in *out. */
static void
affected(const struct diff *df, const struct type *x0, const struct type *x1,
    bool top, struct ids *out)
{
	const struct ids *a = x0 == NULL ? NULL : top ? &x0->top : &x0->in;
	const struct ids *b = x1 == NULL ? NULL : top ? &x1->top : &x1->in;
	size_t i = 0, j = 0;

	if (a == NULL || b == NULL) {
		const struct ids *only = a != NULL ? a : b;

		for (i = 0; only != NULL && i < only->n; i++)
			if (df->entries[only->v[i]].broken)
				ids_add(out, only->v[i]);
		return;
	}
	while (i < a->n && j < b->n) {
		if (a->v[i] < b->v[j]) {
			i++;
		} else if (a->v[i] > b->v[j]) {
			j++;
		} else {
			if (df->entries[a->v[i]].broken)
				ids_add(out, a->v[i]);
			i++;
			j++;
		}
	}
}

/* "Store.Put", or "the reply to Store.Get". */
static void
name_entry(emit_buf *b, const struct diff *df, size_t e)
{
	const struct entry *x = &df->entries[e];
	const struct entry *r = &df->entries[x->request];

	emit_text_printf(b, "%s%s.%s", x->reply ? "the reply to " : "",
	    x->kind->decl->name, r->top[0]->name);
}

enum verdict
diff_judge(struct diff *df, const struct type *x0, const struct type *x1,
    bool changes, bool top, emit_buf *why)
{
	const ast_decl *self = x0 != NULL ? x0->decl : NULL;
	struct ids hit = { NULL, 0, 0 };
	bool others = false;
	size_t i, named = 0;

	if (changes)
		affected(df, x0, x1, top, &hit);
	if (hit.n == 0) {
		free(hit.v);
		return (x0 != NULL && x0->wire) || (x1 != NULL && x1->wire) ?
		    COMPATIBLE :
		    LOCAL;
	}
	for (i = 0; i < hit.n; i++) {
		const struct entry *e = &df->entries[hit.v[i]];

		df->entries[hit.v[i]].explained = true;
		if (e->top[0] != self)
			others = true;
	}
	for (i = 0; others && i < hit.n; i++) {
		const struct entry *e = &df->entries[hit.v[i]];

		/* A reply is named through its request when both broke. */
		if (e->reply && i > 0 && hit.v[i - 1] == e->request)
			continue;
		if (named == NAMED_MAX) {
			emit_text_printf(why, " and more");
			break;
		}
		emit_text_printf(why, named == 0 ? "; breaks " : ", ");
		name_entry(why, df, hit.v[i]);
		named++;
	}
	free(hit.v);
	return BREAKS;
}

/* The text diff_judge() put in `why`, and empty it for the next line. */
const char *
diff_why(emit_buf *why)
{
	const char *s = why->len > 0 ? why->data : "";

	why->len = 0;
	return s;
}

/* ---- the whole protocol ---------------------------------------------- */

static void
compare_protocol(struct diff *df)
{
	const ast_decl *p0 = df->v[0].unit->protocol;
	const ast_decl *p1 = df->v[1].unit->protocol;
	const ast_decl *remote = NULL;
	size_t i;

	if (strcmp(p0->name, p1->name) == 0)
		return;
	for (i = 0; i < df->v[0].nkinds && remote == NULL; i++)
		if (df->v[0].kinds[i].decl->remote != NULL)
			remote = df->v[0].kinds[i].decl;
	if (remote == NULL) {
		diff_line(df, 1, p1->name_loc, LOCAL,
		    "protocol renamed %s -> %s", p0->name, p1->name);
		return;
	}
	/* Every lookup breaks: no entry needs a line of its own. */
	for (i = 0; i < df->nentries; i++)
		df->entries[i].explained = true;
	diff_line(df, 1, p1->name_loc, BREAKS,
	    "protocol renamed %s -> %s: remote kinds are looked up by "
	    "qualified name (\"%s.%s\" becomes \"%s.%s\")",
	    p0->name, p1->name, p0->name, remote->name, p1->name, remote->name);
}

/* A broken entry that no line named (what changed is declared in another
 * file): give its canonical texts, when they are short enough to read. */
static void
unexplained(struct diff *df, size_t i)
{
	const struct entry *e = &df->entries[i];
	const char *name = df->entries[e->request].top[0]->name;
	const char *what = e->reply ? "the reply to " : "";
	char *t0 = canon_message(e->top[0], NULL);
	char *t1 = e->top[1] != NULL ? canon_message(e->top[1], NULL) : NULL;

	if (e->top[1] == NULL)
		diff_line(df, 0, e->at->loc, BREAKS,
		    "actor %s: no longer accepts %s", e->kind->decl->name,
		    name);
	else if (t0 != NULL && t1 != NULL && strlen(t0) <= QUOTE_MAX &&
	    strlen(t1) <= QUOTE_MAX)
		diff_line(df, 1, e->at->loc, BREAKS,
		    "actor %s: %s%s has another fingerprint: %s -> %s",
		    e->kind->decl->name, what, name, t0, t1);
	else
		diff_line(df, 1, e->at->loc, BREAKS,
		    "actor %s: %s%s has another fingerprint",
		    e->kind->decl->name, what, name);
	free(t0);
	free(t1);
}

int
diff_units(const ast_unit *older, const char *older_path, const ast_unit *newer,
    const char *newer_path, emit_buf *out)
{
	struct diff df;
	const ast_decl *d;
	size_t i;

	memset(&df, 0, sizeof(df));
	df.out = out;
	version_init(&df.v[0], older, older_path);
	version_init(&df.v[1], newer, newer_path);
	pair_by_name(&df);
	pair_renamed_kinds(&df);
	build_entries(&df);

	compare_protocol(&df);
	for (d = newer->decls; d != NULL; d = d->next) {
		if (d->kind == AST_D_MESSAGE || d->kind == AST_D_ENUM) {
			struct type *x1 = own_type(&df.v[1], d);

			if (x1 == NULL)
				continue;
			if (x1->peer == NULL)
				diff_type_alone(&df, 1, x1);
			else if (d->kind == AST_D_MESSAGE)
				diff_message(&df, x1->peer, x1);
			else
				diff_enum(&df, x1->peer, x1);
		} else if (d->kind == AST_D_ACTOR) {
			struct kind *k1 = kind_named(&df.v[1], d->name);

			if (k1 == NULL || k1->decl != d)
				continue;
			if (k1->peer == NULL)
				diff_kind_alone(&df, 1, k1);
			else
				diff_kind(&df, k1->peer, k1);
		}
	}
	for (d = older->decls; d != NULL; d = d->next) {
		if (d->kind == AST_D_MESSAGE || d->kind == AST_D_ENUM) {
			struct type *x0 = own_type(&df.v[0], d);

			if (x0 != NULL && x0->peer == NULL)
				diff_type_alone(&df, 0, x0);
		} else if (d->kind == AST_D_ACTOR) {
			struct kind *k0 = kind_named(&df.v[0], d->name);

			if (k0 != NULL && k0->decl == d && k0->peer == NULL)
				diff_kind_alone(&df, 0, k0);
		}
	}
	/* A reply whose request broke is accounted for with the request,
	 * whose definition holds the reply's. */
	for (i = 0; i < df.nentries; i++)
		if (df.entries[i].broken && !df.entries[i].explained &&
		    !(df.entries[i].reply &&
			df.entries[df.entries[i].request].broken))
			unexplained(&df, i);

	free(df.entries);
	version_fini(&df.v[0]);
	version_fini(&df.v[1]);
	return df.breaks ? 1 : 0;
}
