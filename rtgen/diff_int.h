/* SPDX-License-Identifier: MIT */
/*
 * Inside rtgen --diff (diff.h): the two versions, the entries (what a kind
 * remote in both accepts) and the judging of a change, in diff.c; the
 * comparisons of messages, enums and actor kinds, which write the lines,
 * in diff_decls.c. diff.c explains the method.
 */
#ifndef RT_DIFF_INT_H
#define RT_DIFF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diff.h"
#include "sema_int.h"

/* What a change does to the wire. */
enum verdict { LOCAL, COMPATIBLE, BREAKS };

/* No index. */
#define NONE SIZE_MAX

/* Entry numbers, ascending. */
struct ids {
	size_t *v;
	size_t n, cap;
};

/* A message or enum that a version declares itself. */
struct type {
	const ast_decl *decl;
	struct type *peer; /* the other version's of the same name and kind */
	bool wire;         /* a remote kind of its version sends it */
	struct ids in;     /* entries whose definition holds it */
	struct ids top;    /* entries whose definition is its own */
	size_t stamp;      /* the entry last walked, plus one */
};

/* An actor kind that a version declares. */
struct kind {
	const ast_decl *decl;
	struct kind *peer; /* the other version's of the same name, or the
	                      one it was renamed to or from */
	bool renamed;
	size_t first, last; /* its entries (old version, remote in both) */
};

struct version {
	const ast_unit *unit;
	const char *path;
	struct type *types;
	size_t ntypes;
	struct kind *kinds;
	size_t nkinds;
	struct symtab type_names, kind_names; /* name -> type, kind */
	/* Bare name -> the message or enum of an import that has it. */
	struct symtab imported;
};

/* What a kind remote in both versions accepts in the old one, or the
 * reply to a request it accepts. */
struct entry {
	const struct kind *kind; /* the old version's */
	const ast_decl *top[2];  /* the message in each version; top[1] is
	                            NULL when the new kind does not accept it */
	const ast_name *at;      /* the new `accepts` of it, else the old */
	size_t request;          /* a reply's: the entry of its request */
	bool reply;
	bool broken;
	bool explained; /* a line named it */
};

struct diff {
	struct version v[2]; /* old, new */
	struct entry *entries;
	size_t nentries, capentries;
	emit_buf *out;
	bool breaks;
};

/* ---- diff.c ---------------------------------------------------------- */

/* diff_same_text: are a and b texts, and the same? */
bool diff_same_text(const char *a, const char *b);
/* diff_held_text: the canonical text of a message or enum as a field that
 * holds it writes it ("{Item{u32;};}": a message without its reply), or
 * NULL when too long (caller frees). */
char *diff_held_text(const ast_decl *d);
/*
 * diff_type_text: a field's type as written (`key` false), or as its
 * holder's definition sees it (`key` true): a nested message or enum by
 * its bare name (the canonical text writes it so, and its contents are
 * compared on their own), a ref by its kind, qualified unless `unit`
 * declares it. Caller frees.
 */
char *diff_type_text(const ast_type *t, const ast_unit *unit, bool key);
/* diff_reply_name: the bare name of a message named in a list (a reply,
 * an accepted message), as definitions write it. */
const char *diff_reply_name(const ast_name *r);
/* diff_line: append "path:line:col: verdict: text" for `loc` in version
 * `side` (0 old, 1 new); a line that breaks sets df->breaks. */
void diff_line(struct diff *df, int side, ast_loc loc, enum verdict v,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/*
 * diff_judge: the verdict of a change of declaration x (x0 old, x1 new;
 * one may be NULL) that alters its definition when `changes`: it breaks
 * the broken entries that hold it (`top`: whose definition is its own).
 * Those are marked explained and, unless each is x itself, named in `why`
 * as "; breaks Store.Put, ...". Otherwise compatible when a remote kind
 * of either version sends x, else local.
 */
enum verdict diff_judge(struct diff *df, const struct type *x0,
    const struct type *x1, bool changes, bool top, emit_buf *why);
/* diff_why: the text diff_judge put in `why`, which is emptied for the
 * next line (the text stays readable until then). */
const char *diff_why(emit_buf *why);
/* diff_match_accepts: for each message old kind k0 accepts, the index of
 * the one of the same name that new kind k1 accepts, or NONE (caller
 * frees); and when `added` is not NULL, for each of k1's, whether k0
 * accepts none of its name (caller frees). */
size_t *diff_match_accepts(const ast_decl *k0, const ast_decl *k1,
    bool **added);

/* ---- diff_decls.c ---------------------------------------------------- */

/* diff_message, diff_enum: the changes of a message or enum of both
 * versions (x0 old, x1 new). */
void diff_message(struct diff *df, struct type *x0, struct type *x1);
void diff_enum(struct diff *df, struct type *x0, struct type *x1);
/* diff_type_alone: a message or enum of one version only: removed (side
 * 0) or added (side 1). */
void diff_type_alone(struct diff *df, int side, struct type *x);
/* diff_kind: the changes of an actor kind of both versions, or renamed. */
void diff_kind(struct diff *df, struct kind *k0, struct kind *k1);
/* diff_kind_alone: an actor kind of one version only. */
void diff_kind_alone(struct diff *df, int side, const struct kind *k);

#endif
