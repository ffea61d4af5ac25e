/* SPDX-License-Identifier: MIT */
/*
 * Inside the semantic checks (sema.h): their state, the symbol tables and
 * name lookup they share (sema_names.c), and the checks of each concern,
 * which sema_check() in sema.c runs in order: fields and types
 * (sema_types.c), actors and topics (sema_actors.c), warnings
 * (sema_warn.c) and, last, the generated C names (sema_cnames.c).
 */
#ifndef RT_RTGEN_SEMA_INT_H
#define RT_RTGEN_SEMA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "sema.h"

/* A string-keyed hash table (open addressing); `owns_keys`: the table
 * frees its keys. */
struct sym {
	const char *key;
	const void *val;
};

struct symtab {
	struct sym *slots;
	size_t cap, count;
	bool owns_keys;
};

struct sema {
	ast_unit *unit;
	diag *d;
	const char *prefix;  /* the protocol name */
	struct symtab decls; /* name -> ast_decl (messages and actors) */
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

/* ---- sema_names.c ---------------------------------------------------- */

/* sema_symtab_get: the value of key, or NULL. */
const void *sema_symtab_get(const struct symtab *t, const char *key);
/* sema_symtab_put: insert key -> val unless key is there: then return its
 * value and leave the table as it was (an owned key is freed). */
const void *sema_symtab_put(struct symtab *t, const char *key, const void *val);
void sema_symtab_free(struct symtab *t);

/* sema_cname: a C name, printf-style (caller frees). */
char *sema_cname(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* sema_closest: the closest of `n` candidates to `name` within edit
 * distance 2, or NULL. */
const char *sema_closest(const char *const *cands, size_t n, const char *name);
/* sema_closest_in: the closest declaration of `kind` to `name` in `unit`,
 * or NULL; *best is the distance to beat, and becomes the distance of
 * what was found. */
const char *sema_closest_in(const ast_unit *unit, enum ast_decl_kind kind,
    const char *name, size_t *best);
/* sema_closest_decl: the closest declaration of `kind` to `name`, here or
 * in an import, or NULL. */
const char *sema_closest_decl(struct sema *s, enum ast_decl_kind kind,
    const char *name);
/* sema_did_you_mean: "; did you mean 'x'?" or "" (the buffer must hold a
 * name and 20 bytes). */
const char *sema_did_you_mean(char *buf, size_t size, const char *near);
/* sema_note_decl: a note at the name of declaration d, which may be in an
 * imported file. */
void sema_note_decl(struct sema *s, const ast_decl *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* sema_bad_underscores: would `name` make reserved C identifiers once
 * prefixed or suffixed ("P__x", "P_x__ref"), or does it start with '_'? */
bool sema_bad_underscores(const char *name, bool is_decl);
void sema_check_decl_name(struct sema *s, const ast_decl *d);
/* sema_article: "a" or "an", before the keyword of a declaration kind. */
const char *sema_article(enum ast_decl_kind kind);
/* sema_upper: a name in capitals, the C spelling of an enumerator (caller
 * frees). */
char *sema_upper(const char *name);

/* sema_lookup: the declaration that `qual.name` or bare `name` names, in
 * this unit or an import; NULL when there is none, or after reporting
 * (*reported) what is wrong. A NULL that is not reported is for the
 * caller to report, as an unknown name of `kind`. */
ast_decl *sema_lookup(struct sema *s, const char *qual, ast_loc qual_loc,
    const char *name, ast_loc loc, enum ast_decl_kind kind, bool *reported);
/* sema_resolve_message: the message `n` names, or NULL after reporting
 * that it names none; `takes` ends the report of a name of another kind
 * ("'accepts' takes messages"). */
ast_decl *sema_resolve_message(struct sema *s, ast_name *n, const char *takes);

/* A growing stack of declarations: the path of a search for cycles (of
 * messages nested by value, of supervisors under supervisors). */
struct sema_path {
	const ast_decl **at;
	size_t len, cap;
};

/* sema_path_push: push d; pop it with path->len--. */
void sema_path_push(struct sema_path *path, const ast_decl *d);
/* sema_path_cycle: the cycle that `t`, on the path, closes, as "A -> B ->
 * " (the caller adds t's name again), in buf. */
void sema_path_cycle(const struct sema_path *path, const ast_decl *t, char *buf,
    size_t size);

/* ---- the checks ------------------------------------------------------ */

/* sema_types.c: the fields of one struct (`what` and `owner` name it in
 * errors), an enum's values, and messages that contain themselves. */
void sema_check_fields(struct sema *s, ast_field *fields, const char *what,
    const char *owner);
void sema_check_enum(struct sema *s, const ast_decl *e);
/* sema_check_upper_names: names that become C names P_OWNER_NAME in
 * capitals (an enum's values, an actor's states): each once, none that
 * would make a reserved C identifier, no two that are one C name. The
 * words name them in errors: "duplicate `noun` 'x' in `kind` 'owner'",
 * "`one` 'x' would make ...", "`several` 'x' and 'X' would both ...". */
struct sema_upper_words {
	const char *noun, *one, *several, *kind;
};
void sema_check_upper_names(struct sema *s, const ast_name *names,
    const struct sema_upper_words *w, const char *owner);
void sema_check_cycles(struct sema *s);

/* sema_actors.c; sema_unknown_clause reports a clause of `actor` whose
 * first word, `word` at loc, is none of cands[0..n). */
void sema_check_actor(struct sema *s, ast_decl *actor);
void sema_unknown_clause(struct sema *s, const ast_decl *actor,
    const char *word, ast_loc loc, const char *const *cands, size_t n);
void sema_check_asked(struct sema *s, const ast_decl *actor);

/* sema_states.c: sema_states_clause says whether a clause of a word and
 * a list (AST_C_STATES) is `states`, reporting it if not;
 * sema_check_states checks an actor's states and its `accept ... in`
 * clauses once its accepts are resolved, and fills actor->accept_in. */
bool sema_states_clause(struct sema *s, const ast_decl *actor,
    const ast_clause *c);
/* sema_states_word: report `states;` or `accept;` alone (a one-word
 * clause), and say whether it was one. */
bool sema_states_word(struct sema *s, const char *word, ast_loc loc);
void sema_check_states(struct sema *s, ast_decl *actor);

/* sema_check_remote: a remote actor's messages and replies hold no C
 * type and no ref to a kind that is not remote, at any depth, and have a
 * canonical text that fits (canon.h) (after sema_check_cycles). */
void sema_check_remote(struct sema *s, const ast_decl *actor);
void sema_check_topic(struct sema *s, ast_decl *t);
/* sema_has_ctype: does m have a C-typed field, directly or nested? */
bool sema_has_ctype(const ast_decl *m);

/* sema_sup.c: a supervisor's clauses and children, then (once all are
 * checked) supervisors that contain themselves. */
void sema_check_supervisor(struct sema *s, ast_decl *sup);
void sema_check_sup_cycles(struct sema *s);
/* sema_named: the index of `name` among `n` names, or n after reporting
 * it unknown (`what`: "strategy") with a "did you mean" or the list
 * (`all`). sema_check_intensity: `intensity N within D` of a supervisor
 * or a pool, into d->intensity and d->period. */
size_t sema_named(struct sema *s, const ast_name *name,
    const char *const *names, size_t n, const char *what, const char *all);
void sema_check_intensity(struct sema *s, ast_decl *d, const ast_clause *c);

/* sema_pool.c: a pool's member kind, size, route and intensity (after
 * every actor is checked). */
void sema_check_pool(struct sema *s, ast_decl *pool);
/* sema_check_probes: every probed child's kind has `on health` (once all
 * actors' hooks are known); a warning for an actor with `on health` that
 * no child of this protocol probes. */
void sema_check_probes(struct sema *s);

/* sema_warn.c */
void sema_check_unused_imports(struct sema *s);
void sema_check_subscribers(struct sema *s, const ast_decl *t);
void sema_check_unused_messages(struct sema *s);

/* sema_cnames.c */
void sema_check_cnames(struct sema *s);

#endif
