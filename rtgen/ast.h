/* SPDX-License-Identifier: MIT */
/*
 * The abstract syntax tree of one .rtp file, as the parser builds it and the
 * later stages read it. Every node keeps the location of its name so that
 * diagnostics can point at it. Lists keep declaration order (the generated
 * code follows it). The parser owns nodes until it links them into the unit;
 * ast_unit_free() releases everything.
 *
 * Resolution results (which message an `accepts` names, an actor's clauses)
 * are filled in by sema and only borrow nodes of the same unit.
 */
#ifndef RT_AST_H
#define RT_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A range in the source; lines and columns count from 1, columns in bytes.
 * The field names are the ones bison's YYLLOC_DEFAULT expects. */
typedef struct ast_loc {
	int first_line;
	int first_column;
	int last_line;
	int last_column;
} ast_loc;

enum ast_type_kind {
	AST_T_BOOL,
	AST_T_I8,
	AST_T_I16,
	AST_T_I32,
	AST_T_I64,
	AST_T_U8,
	AST_T_U16,
	AST_T_U32,
	AST_T_U64,
	AST_T_F32,
	AST_T_F64,
	AST_T_STRING,
	AST_T_BYTES,
	AST_T_REF,   /* ref<name> */
	AST_T_CTYPE, /* c"name": a C type, emitted verbatim */
	AST_T_NAMED, /* an enum or a message by value; sema resolves it */
};

/* A field type. `name` (owned) is the actor of a ref, the text of a C type
 * or the enum or message of a named type (name_loc: where it is), NULL
 * otherwise. A named type or the actor of a ref may be qualified,
 * `other.Name`: `qual` (owned) is then the protocol (qual_loc: where). `T[N]` is an array of `len` T
 * (len_loc: where N is), as written: sema checks its range. */
typedef struct ast_type {
	enum ast_type_kind kind;
	char *name;
	ast_loc name_loc;
	char *qual;
	ast_loc qual_loc;
	bool array;
	bool negative; /* the size was written negative */
	uint64_t len;
	ast_loc len_loc;
	struct ast_decl *target; /* sema: the actor of a ref, the enum or
	                            * message of a named type; NULL when it
	                            * did not resolve (reported then: see
	                            * ast_type_failed) */
} ast_type;

/* One field of a message, a state or an init block. */
typedef struct ast_field {
	struct ast_field *next;
	ast_type type;
	char *name;
	ast_loc loc;
} ast_field;

/* A name in a list: the messages of `accepts` and `asks`, the hooks of
 * `on`; also the reply of a request and the message of a topic. A message
 * may be named qualified, `other.Name`: `qual` (owned) is then the
 * protocol (qual_loc: where), NULL otherwise. */
typedef struct ast_name {
	struct ast_name *next;
	char *name;
	ast_loc loc;
	char *qual;
	ast_loc qual_loc;
	struct ast_decl *target; /* sema: the declaration it names, if any */
	/* In ast_unit.deps, the entry of an import that loaded: the unit it
	 * imports (the loader's), whose own deps follow this one. NULL
	 * otherwise. */
	const struct ast_unit *imported;
} ast_name;

enum ast_clause_kind {
	AST_C_ACCEPTS,
	AST_C_ASKS,
	AST_C_STATE,
	AST_C_INIT,
	AST_C_ON,
	AST_C_MAILBOX,
	AST_C_FLAG,   /* a bare word (`thread;`), in names; sema knows
	               which words there are */
	AST_C_STATES, /* `states s1, s2;`: the word in `word` (sema checks
	                 it), the states in names */
	AST_C_ACCEPT, /* `accept M in s1, s2;`: the words in `word` and
	                 `word2`, M in `subject`, the states in names */
	/* The clauses of a supervisor. */
	AST_C_STRATEGY,
	AST_C_INTENSITY,
	AST_C_BACKOFF,
	AST_C_CHILD,
	AST_C_TEMPLATE,
};

/* A duration where one is expected, as written: a number with a unit (in
 * nanoseconds), a bare number (`unitless`, which sema rejects) or a name
 * (`infinity`, owned), at `loc`. */
typedef struct ast_dur {
	uint64_t ns;
	bool unitless;
	char *name;
	ast_loc loc;
} ast_dur;

enum ast_value_kind {
	AST_V_INT,      /* num, negative */
	AST_V_FLOAT,    /* text: the digits as written; negative */
	AST_V_STRING,   /* text: its value */
	AST_V_NAME,     /* text: an identifier (true, false, an enum value) */
	AST_V_DURATION, /* num: nanoseconds */
};

/* One argument of a supervisor's child, `field = value`: `name` (owned)
 * names a field of the child's init block. */
typedef struct ast_arg {
	struct ast_arg *next;
	char *name;
	ast_loc loc;
	enum ast_value_kind kind;
	bool negative;
	uint64_t num;
	char *text;
	ast_loc value_loc;
	const struct ast_field *field; /* sema: the init field it sets */
} ast_arg;

/* A child's restart policy; the order is that of rt_restart
 * (include/rt/supervisor.h). */
enum ast_restart {
	AST_RESTART_PERMANENT,
	AST_RESTART_TRANSIENT,
	AST_RESTART_TEMPORARY,
};

/* A supervisor's strategy; the order is that of rt_strategy. */
enum ast_strategy {
	AST_STRATEGY_ONE_FOR_ONE,
	AST_STRATEGY_ONE_FOR_ALL,
	AST_STRATEGY_REST_FOR_ONE,
	AST_STRATEGY_SIMPLE_ONE_FOR_ONE,
};

/* A clause of an actor: a name list (accepts, asks, on), a field block (state,
 * init) or a mailbox bound. Or a clause of a supervisor: `strategy` (its
 * name in `names`), `intensity N within D` (N in bound and bound_loc, D in
 * dur), `backoff D1 .. D2` (dur and dur2), a `child` or `template`. */
typedef struct ast_clause {
	struct ast_clause *next;
	enum ast_clause_kind kind;
	ast_loc loc; /* of the keyword */
	ast_name *names;
	ast_field *fields;
	/* mailbox: `unbounded`, or the bound N as written (sema checks its
	 * range) and the overflow policy's name (NULL when left out). */
	bool unbounded;
	uint64_t bound;
	ast_loc bound_loc;
	ast_name *policy;
	/* states and accept: their words as written, and accept's message */
	ast_name *word, *word2, *subject;
	ast_dur dur, dur2;
	/* child and template `NAME : Kind(args) policy shutdown D`: the name
	 * in `names`, its kind in `child_of` (its target filled by sema: an
	 * actor or a supervisor), the arguments (has_args: the parentheses
	 * were written, at args_loc), the policy (in `policy`, NULL when
	 * left out) and the shutdown time (has_shutdown; in dur). */
	ast_name *child_of;
	ast_arg *args;
	bool has_args;
	ast_loc args_loc;
	bool has_shutdown;
	/* child `health every T timeout U`: has_probe, at probe_loc (the
	 * word `health`), the two words as written in probe_words (sema
	 * checks them), T and U. */
	bool has_probe;
	ast_loc probe_loc;
	ast_name *probe_words;
	ast_dur probe_every, probe_timeout;
	/* Filled by sema for a child or template. */
	enum ast_restart restart;
	int64_t shutdown; /* nanoseconds, or -1: infinity (RT_FOREVER) */
	int64_t health_every, health_timeout; /* nanoseconds; 0: none */
} ast_clause;

/* What a bounded mailbox does with a message that finds it full; the
 * order is that of rt_overflow (include/rt/protocol.h). */
enum ast_overflow {
	AST_OVERFLOW_BLOCK,
	AST_OVERFLOW_DROP,
	AST_OVERFLOW_REJECT,
};

enum ast_decl_kind {
	AST_D_PROTOCOL,
	AST_D_MESSAGE,
	AST_D_ACTOR,
	AST_D_TOPIC,
	AST_D_ENUM,
	AST_D_INCLUDE,
	AST_D_IMPORT,
	AST_D_SUPERVISOR,
	AST_D_POOL,
};

/* How a pool routes (`route R`); the order is that of rt_route
 * (include/rt/router.h). */
enum ast_route {
	AST_ROUTE_ROUND_ROBIN,
	AST_ROUTE_RANDOM,
	AST_ROUTE_LEAST_LOADED,
	AST_ROUTE_BROADCAST,
	AST_ROUTE_HASH,
};

/* Hooks an actor can declare in `on`, as bits of ast_decl.hooks. */
enum ast_hook {
	AST_HOOK_START = 1u << 0,
	AST_HOOK_STOP = 1u << 1,
	AST_HOOK_DOWN = 1u << 2,
	AST_HOOK_IO = 1u << 3,
	AST_HOOK_HEALTH = 1u << 4,
};

/* A top-level declaration. */
typedef struct ast_decl {
	struct ast_decl *next;
	enum ast_decl_kind kind;
	char *name;
	ast_loc loc;         /* of the keyword */
	ast_loc name_loc;    /* of the name */
	ast_field *fields;   /* message */
	ast_name *reply;     /* message: R of a request `M -> R`, or NULL */
	ast_clause *clauses; /* actor */
	ast_name *carries;   /* topic: the message M of `topic T : M` */
	ast_name *values;    /* enum: its enumerators, in order */
	/* include and import: the file as written (`name` is NULL). */
	char *file;
	/* import: the imported file's unit, parsed and checked, or NULL when
	 * it could not be loaded (loader_resolve; owned by the loader). */
	struct ast_unit *imported;
	bool used; /* import: sema saw a name of it used */

	/* Filled by sema for a message, actor, enum or topic: the unit that
	 * declares it. Its protocol's name is the prefix of its C names,
	 * which an importing unit keeps (common_Order). */
	const struct ast_unit *home;

	/* Filled by sema for an actor. */
	ast_name **accepts; /* accepted messages in order (names resolved) */
	size_t naccepts;
	ast_name **asks; /* requests it asks, in order (names resolved) */
	size_t nasks;
	ast_clause *state;   /* NULL when absent */
	ast_clause *init;    /* NULL when absent */
	ast_clause *mailbox; /* NULL when absent */
	ast_clause *thread;  /* `thread;`, or NULL */
	ast_clause *remote;  /* `remote;`, or NULL */
	/* `states`, or NULL; for each message of `accepts` (in the same
	 * order), the `accept ... in` clause that restricts it, or NULL
	 * (an array of naccepts, owned; NULL when there are no states). */
	ast_clause *states;
	ast_clause **accept_in;
	uint32_t mailbox_bound;     /* 0: unbounded */
	enum ast_overflow overflow; /* when bounded */
	unsigned hooks;             /* enum ast_hook bits */
	/* Filled by sema for a message: its protocol-wide tag, from 1. */
	uint32_t tag;
	unsigned mark; /* sema's scratch: the search for cycles */
	/* sema, for a message: bit 1 << k for each type kind k among its
	 * fields and those of the messages nested in it, at any depth. */
	unsigned deep;
	/* Filled by sema, so that the questions below take no linear scan
	 * (a protocol may have thousands of actors and messages): for an
	 * actor, the messages it accepts sorted by address (NULL when it
	 * accepts none); for a message, whether some actor accepts it. */
	const struct ast_decl **accepts_sorted;
	bool accepted;
	/* For a message, whether a request of its own protocol has it as
	 * its reply, and whether a topic of its own protocol carries it
	 * (an importer's requests and topics do not count). */
	bool is_reply;
	bool published;

	/* Filled by sema for a supervisor (its clauses are in `clauses`):
	 * the strategy, intensity and backoff (defaults where left out), and
	 * its children, or its one template, in order. */
	enum ast_strategy strategy;
	uint32_t intensity;
	uint64_t period; /* nanoseconds */
	uint64_t backoff_min, backoff_max;
	ast_clause **children;
	size_t nchildren;

	/* A pool, `pool W : K size N route R intensity I within D;`: its
	 * member kind (target filled by sema: an actor), its size as
	 * written (at size_loc; sema checks its range), the route's name,
	 * and the field of `hash(field)` (NULL otherwise); an `intensity`
	 * clause is in `clauses`. Filled by sema: the route, and intensity
	 * and period above (defaults where left out). */
	ast_name *member;
	uint64_t size;
	ast_loc size_loc;
	ast_name *route;
	ast_name *route_field;
	enum ast_route route_kind;
} ast_decl;

/* One parsed file. */
typedef struct ast_unit {
	char *path; /* as given on the command line */
	ast_decl *decls;
	ast_decl **tail;          /* where the next declaration is linked */
	const ast_decl *protocol; /* sema: the protocol declaration */
	/* Where includes and imports are looked for after the file's own
	 * directory: rtgen's -I directories, in order (borrowed). */
	const char *const *search;
	size_t nsearch;
	/* The units of its imports, in order, each once (loader_resolve;
	 * owned by the loader, the array by the unit). The files of a
	 * protocol's make dependencies are their paths, and those of their
	 * own imports, transitively. */
	struct ast_unit **imports;
	size_t nimports;
	bool imports_resolved; /* loader_resolve ran on it */
	bool imported;         /* loaded because another file imports it */
	/* Files its outputs depend on besides itself (imported .rtp files,
	 * included headers), as found on the search path, in the order they
	 * were found; the name of each is its path, the location that of the
	 * import or include. The files an imported unit depends on are not
	 * copied here (in a chain of n imports, each file would hold all
	 * those after it: n squared in all): the entry of the import links
	 * that unit, whose deps follow it, transitively. `rtgen -M` lists
	 * them (deps_emit). */
	ast_name *deps;
	ast_name **deps_tail;
} ast_unit;

/* ast_oom: say rtgen is out of memory, and abort (it cannot go on). */
void ast_oom(void) __attribute__((noreturn));
/* ast_xmalloc: zeroed memory, or ast_oom. */
void *ast_xmalloc(size_t size);
/* ast_xrealloc: realloc, or ast_oom. */
void *ast_xrealloc(void *p, size_t size);
/* ast_xgrow: p, an array of *cap elements of `size` bytes, reallocated
 * with twice the room (8 the first time), *cap updated; exits on failure. */
void *ast_xgrow(void *p, size_t *cap, size_t size);
/* ast_xstrdup: a copy of s (caller frees), aborting on exhaustion. */
char *ast_xstrdup(const char *s);

/* ast_unit_new: an empty unit for `path` (copied). */
ast_unit *ast_unit_new(const char *path);
/* ast_unit_free: free the unit and every node linked to it (not the
 * units it imports, which belong to their loader). NULL: no-op. */
void ast_unit_free(ast_unit *unit);
/* ast_unit_append: link `decl` at the end of the unit, which takes it. */
void ast_unit_append(ast_unit *unit, ast_decl *decl);
/* ast_unit_add_dep: record that the unit depends on the file `path`
 * (copied), found for the import or include at `loc`. Returns the entry,
 * which the unit owns (an import links its unit there). */
ast_name *ast_unit_add_dep(ast_unit *unit, const char *path, ast_loc loc);

/* Constructors; each takes the strings and lists passed to it. */
ast_decl *ast_decl_new(enum ast_decl_kind kind, char *name, ast_loc loc,
    ast_loc name_loc);
ast_field *ast_field_new(ast_type type, char *name, ast_loc loc);
ast_name *ast_name_new(char *name, ast_loc loc);
ast_clause *ast_clause_new(enum ast_clause_kind kind, ast_loc loc);
/* ast_child_probe: give child c the `health every T timeout U` parsed into
 * probe (words in names, T in dur, U in dur2, at loc), which it frees;
 * probe NULL: none. */
void ast_child_probe(ast_clause *c, ast_clause *probe);
ast_arg *ast_arg_new(char *name, ast_loc loc);

/* Destructors of whole lists (the parser's %destructor uses them). */
void ast_decl_free(ast_decl *decl);
void ast_field_free_list(ast_field *list);
void ast_name_free_list(ast_name *list);
void ast_clause_free_list(ast_clause *list);
void ast_arg_free_list(ast_arg *list);

/* List reversal: the parser builds lists backwards, then turns them. */
ast_field *ast_field_reverse(ast_field *list);
ast_name *ast_name_reverse(ast_name *list);
ast_clause *ast_clause_reverse(ast_clause *list);
ast_arg *ast_arg_reverse(ast_arg *list);

/* ast_index_accepts: fill actor->accepts_sorted from actor->accepts and
 * mark each accepted message (sema calls it once per actor). */
void ast_index_accepts(ast_decl *actor);
/* ast_accepts: does `actor` accept message `msg`? (Once sema resolved it;
 * a binary search once it is indexed.) */
bool ast_accepts(const ast_decl *actor, const ast_decl *msg);
/* ast_anyone_accepts: does any actor of `unit` accept message `msg`?
 * (Constant time once sema has indexed every actor.) */
bool ast_anyone_accepts(const ast_unit *unit, const ast_decl *msg);

/* ast_fields_have: does a field of `f`, or of a message nested in one (at
 * any depth), have a type of `kind`? (Once sema resolved it: it reads
 * ast_decl.deep.) */
bool ast_fields_have(const ast_field *f, enum ast_type_kind kind);
/* ast_nested: the message a field holds by value, or NULL. */
const ast_decl *ast_nested(const ast_field *f);

/*
 * ast_type_failed: a type whose name did not resolve to what it must name
 * (an error said so already). Every check after name resolution skips such
 * a type, silently: it has nothing to look at, and a second error about it
 * would only repeat the first.
 */
static inline bool
ast_type_failed(const ast_type *t)
{
	return (t->kind == AST_T_NAMED || t->kind == AST_T_REF) &&
	    t->target == NULL;
}

/* ast_type_keyword: the .rtp spelling of a type kind ("u32", "ref"). */
const char *ast_type_keyword(enum ast_type_kind kind);
/* ast_clause_keyword: the .rtp spelling of a clause ("state", "thread"). */
const char *ast_clause_keyword(const ast_clause *c);
/* ast_prefix: the prefix of a checked declaration's C names, which is its
 * own protocol's name (also for one an importing unit uses). */
const char *ast_prefix(const ast_decl *d);

/* ast_decl_keyword: the .rtp spelling of a declaration kind ("actor"). */
const char *ast_decl_keyword(enum ast_decl_kind kind);
/* ast_overflow_keyword: the .rtp spelling of a policy ("drop"). */
const char *ast_overflow_keyword(enum ast_overflow policy);
/* ast_restart_keyword, ast_strategy_keyword: the .rtp spelling of a
 * restart policy ("transient") and of a strategy ("one_for_all"). */
const char *ast_restart_keyword(enum ast_restart restart);
const char *ast_strategy_keyword(enum ast_strategy strategy);
/* ast_route_keyword: the .rtp spelling of a route ("least_loaded"). */
const char *ast_route_keyword(enum ast_route route);
/* ast_duration_text: a duration of `ns` nanoseconds as the .rtp would
 * write it ("10ms"), with the largest unit that divides it, in buf. */
const char *ast_duration_text(char *buf, size_t size, uint64_t ns);

#endif
