/* SPDX-License-Identifier: MIT */
/*
 * Inside the C emitter: its state; the printer that all its text goes
 * through (emit_c_print.c); what its parts share (emit_c_common.c); and
 * the parts, one per concern, each writing its share of both the header
 * and the source: messages and enums (emit_c_msg.c), actors
 * (emit_c_actor.c), sends and their envelope builders (emit_c_send.c),
 * requests with their calls, asks and replies (emit_c_request.c), topics
 * (emit_c_topic.c), supervisors (emit_c_sup.c), state machines
 * (emit_c_states.c), wire codecs (emit_c_wire.c and emit_c_codec.c),
 * equality and test probes (emit_c_probe.c) and the poisoned names
 * (emit_c_poison.c). emit_c.c decides the order of the sections in each
 * file. A function whose name ends in _h writes into the header, one
 * ending in _c into the source.
 */
#ifndef RT_RTGEN_EMIT_C_INT_H
#define RT_RTGEN_EMIT_C_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "emit_c.h"

#include "rtgen.h"

#define RTGEN_VERSION_TEXT RTGEN_VERSION

/* A set of pointers (open addressing): which structs and helpers the
 * emitter has written already, when nesting decides the order. */
struct emit_pset {
	const void **slots;
	size_t cap, count;
};

/* A growing list of declarations, in the order first met. */
struct emit_dlist {
	const ast_decl **at;
	size_t len, cap;
};

struct emit {
	emit_buf *b;
	const ast_unit *unit;
	const emit_c_opts *o;
	const char *p;         /* the protocol prefix */
	const char *self_name; /* this output's name, for #line back */
	int line;              /* lines completed so far */
	bool mapped;           /* the last #line points into the .rtp */
	/* If mapped: output line src_from + 1 is line src_line of the .rtp. */
	int src_line, src_from;
	struct emit_pset done; /* what has been emitted, where order matters */
	emit_buf text;         /* the printer's scratch: an expanded template */
};

/* ---- the printer (emit_c_print.c) ------------------------------------ */

/*
 * The variables of a template: "$P$_$A$_send_$M$" is P, A and M joined by
 * the text between them; "$$" is a '$'. The capitals are the letters of
 * DESIGN §3's generated names; the lower-case ones are pieces of code or
 * text that a template leaves to its caller. Naming a variable that is
 * not here, or one left NULL, is a bug: the printer aborts.
 */
struct emit_vars {
	const char *P;    /* the protocol's prefix */
	const char *A;    /* an actor */
	const char *M;    /* a message, request or topic's message */
	const char *MP;   /* the prefix of M's protocol */
	const char *R;    /* the reply of request M */
	const char *RP;   /* the prefix of R's protocol */
	const char *S;    /* a supervisor */
	const char *W;    /* a pool */
	const char *T;    /* a topic */
	const char *E;    /* an enum */
	const char *EP;   /* the prefix of E's protocol */
	const char *V;    /* an enum's value, as C spells it */
	const char *C;    /* a supervisor's child */
	const char *K;    /* the actor or supervisor C is one of */
	const char *KP;   /* the prefix of K's protocol */
	const char *F;    /* a field */
	const char *N;    /* a number (emit_num) */
	const char *name; /* a generated name, built whole */
	const char *type; /* a C type */
	/* A type-checking macro (emit_checked_macro): its checked argument,
	 * and that argument as a parameter ("..." when it comes last); the
	 * parameters after it and how they are passed on; those before it. */
	const char *arg, *param, *params, *args, *lead, *lead_args;
	/* A function that builds an envelope (emit_wrapper_head and _body,
	 * emit_env_body): its head; the statements before the build; the
	 * runtime call that takes the envelope; the call that makes it; the
	 * parameter that points to the message; the start of the call that
	 * makes it in place; the size of the message's copy. */
	const char *head, *checks, *tail, *make, *var, *open, *size;
	const char *x, *y; /* an element of a field: "m->f[i]" */
	const char *ind;   /* the indentation of a statement */
	/* The parts of a function's name P_A_<verb>_M<suffix>: "send" and
	 * "_opt", or "on" and "" in a dispatch; suffix is also that of a
	 * number ("u", ".0f"). */
	const char *verb, *suffix;
	/* A supervisor's spec, and a child's. */
	const char *strategy, *intensity, *period, *backoff_min, *backoff_max;
	const char *restart, *shutdown;
	const char *every, *timeout; /* a child's health probes */
	const char *sign;            /* of a number: "-" or "" */
	const char *sep;             /* a separator: ",", "\n", "[" or "" */
	const char *s;               /* a plural's ending: "s" or "" */
	const char *text;            /* any text */
	const char *key;             /* a pool's routing key, as C */
};

/* The size of emit_num's buffer. */
#define EMIT_NUM 24

/* emit_print: write template tpl with the variables of v (v may be NULL
 * for text without variables). */
void emit_print(struct emit *e, const struct emit_vars *v, const char *tpl);
/* emit_wrapped: emit_print, breaking lines wider than 79 columns after a
 * ", " (prototypes, function heads, long statements). */
void emit_wrapped(struct emit *e, const struct emit_vars *v, const char *tpl);
/* emit_comment: the expanded template as a comment, its words filled into
 * lines of at most 79 columns. */
void emit_comment(struct emit *e, const struct emit_vars *v, const char *tpl);
/*
 * emit_sprint: the expanded template in buf, cut at size - 1 bytes as
 * snprintf cuts; returns buf. For names and pieces of code that are built
 * before they are written, such as a struct's name for emit_struct_def.
 * The sizes of the buffers are part of the output: a name too long for
 * one (hundreds of bytes) is cut there, as it was before the printer had
 * named variables (doc/design-notes.md).
 */
const char *emit_sprint(char *buf, size_t size, const struct emit_vars *v,
    const char *tpl);
/* emit_num: n in decimal, in buf (EMIT_NUM bytes); returns buf. */
const char *emit_num(char *buf, unsigned long long n);
/* emit_upper: s in capitals, as an enum value is spelled in C (caller
 * frees). */
char *emit_upper(const char *s);
/* emit_put: write s[0..n) as it is, counting lines. */
void emit_put(struct emit *e, const char *s, size_t n);
/* emit_macro_lines: the last lines of a macro's body, text broken after
 * a ", " into lines of at most 80 columns that end with a backslash. */
void emit_macro_lines(struct emit *e, const char *text);
/* emit_put_cstring: `name` as the body of a C string literal. */
void emit_put_cstring(struct emit *e, const char *name);
/* emit_src: a #line into the .rtp, at loc, for what the user wrote;
 * emit_gen: the #line back to the output. */
void emit_src(struct emit *e, const ast_loc *loc);
void emit_gen(struct emit *e);
/* emit_banner: the first line of either file. */
void emit_banner(struct emit *e);

/* ---- what the parts share (emit_c_common.c) -------------------------- */

bool emit_pset_add(struct emit_pset *set, const void *p);
bool emit_pset_has(const struct emit_pset *set, const void *p);
void emit_pset_clear(struct emit_pset *set);
void emit_dlist_add(struct emit_dlist *l, struct emit_pset *seen,
    const ast_decl *d);
bool emit_has_kind(const ast_field *f, enum ast_type_kind kind);
bool emit_has_bytes(const ast_field *f);
bool emit_has_strings(const ast_field *f);
bool emit_needs_copy(const ast_field *f);
bool emit_field_needs_copy(const ast_field *f);
bool emit_every_allowed(const ast_decl *m);
bool emit_published(const ast_unit *unit, const ast_decl *m);
bool emit_any_topic(const ast_unit *unit);
bool emit_any_supervisor(const ast_unit *unit);
const ast_decl *emit_reply_of(const ast_decl *m);
const ast_decl *emit_next_request(const ast_decl *d);
bool emit_is_reply(const ast_unit *unit, const ast_decl *m);
const char *emit_ctype(const ast_type *t, char *buf, size_t size);
/* emit_struct_def: typedef struct NAME { fields } NAME;, each field
 * mapped to its line in the .rtp. */
void emit_struct_def(struct emit *e, const char *name, const ast_field *fields);
/* emit_refs_h: the typed refs of the declarations of `kind`, after
 * `comment`. */
void emit_refs_h(struct emit *e, enum ast_decl_kind kind, const char *comment);
/* emit_checked_macro: a macro of the same name as the function `name`
 * that makes an argument of the wrong type a hard error; emit_msg_macro
 * for an argument that points to message m. */
void emit_checked_macro(struct emit *e, const char *name, const char *lead,
    const char *lead_args, const char *arg, const char *type, bool nullable,
    const char *params, const char *args);
void emit_msg_macro(struct emit *e, const char *name, const char *lead,
    const char *lead_args, const char *arg, const ast_decl *m,
    const char *params, const char *args);

/* ---- messages and enums (emit_c_msg.c) ------------------------------- */

/* The message ids; the enums with their name functions, then the message
 * structs with the printers' prototypes. */
void emit_msg_ids_h(struct emit *e);
void emit_msg_types_h(struct emit *e);
/* The copy helpers of every message that is copied into envelopes; the
 * enums' name functions, the table of message names and the printers. */
void emit_msg_copies_c(struct emit *e);
void emit_msg_printers_c(struct emit *e);
/* emit_nested_helpers writes the helpers of the messages nested in
 * `fields`; emit_copy_helpers NAME_extra (once per `key`) and NAME_copy
 * for a struct with `fields`. */
void emit_nested_helpers(struct emit *e, const ast_field *fields);
void emit_copy_helpers(struct emit *e, const char *name,
    const ast_field *fields, const void *key);
/* The walk over a struct's fields that the copies, printers and equality
 * share: emit_has_array says whether a loop needs its `i`;
 * emit_element names an element of field f of `obj` ("m->f", or
 * "m->f[i]" in an array's loop); emit_loop_open opens that loop around
 * the statements of f's elements (nothing for a field that is no array)
 * and returns their indentation; emit_loop_close ends it. */
bool emit_has_array(const ast_field *f);
const char *emit_element(char *buf, size_t size, const char *obj,
    const ast_field *f);
const char *emit_loop_open(struct emit *e, const ast_field *f);
void emit_loop_close(struct emit *e, const ast_field *f);

/* ---- equality and test probes (emit_c_probe.c) ----------------------- */

/* The prototypes of P_M_equal, and their definitions. */
void emit_equal_h(struct emit *e);
void emit_equal_c(struct emit *e);
/* A's test probe and expectations (rt/test.h): prototypes and macros,
 * and their definitions with the tables of its probe kind. */
void emit_probe_h(struct emit *e, const ast_decl *a);
void emit_probe_c(struct emit *e, const ast_decl *a);

/* ---- actors (emit_c_actor.c) ----------------------------------------- */

void emit_actor_refs_h(struct emit *e);
/* Each actor: the comment on all of them, then its types, functions and
 * handlers (header); its tables, dispatch, class, spawn and functions
 * (source). */
void emit_actors_h(struct emit *e);
void emit_actors_c(struct emit *e);

/* ---- sends (emit_c_send.c) ------------------------------------------- */

/* The prototypes of A's sends, calls and asks, then their macros. */
void emit_sends_h(struct emit *e, const ast_decl *a);
/* The envelope builders, before the first actor. */
void emit_builders_c(struct emit *e);
/* A's sends, calls and asks. */
void emit_sends_c(struct emit *e, const ast_decl *a);
/*
 * A function of A for message m (a send, timed send, call or ask) that
 * builds its envelope with P_M_env: emit_wrapper_head writes its head,
 * the template `head` expanded with v; emit_wrapper_body its body, which
 * runs v->checks, builds the envelope from v->var with v->make (for a
 * request) and returns `tail`, the runtime call that takes it, expanded
 * with v.
 */
void emit_wrapper_head(struct emit *e, const struct emit_vars *v,
    const char *head);
void emit_wrapper_body(struct emit *e, const ast_decl *a, const ast_decl *m,
    const struct emit_vars *v, const char *tail);
/* emit_env_locals and emit_env_body: the locals and statements of a
 * function that checks v->var, a pointer to message m, and builds env, an
 * envelope filled with a copy of it, with the call that v->open starts. */
const char *emit_env_locals(const ast_decl *m);
void emit_env_body(struct emit *e, const ast_decl *m,
    const struct emit_vars *v);

/* ---- requests (emit_c_request.c) ------------------------------------- */

/* The descriptors of the requests and their deferred replies. */
void emit_requests_h(struct emit *e);
void emit_requests_c(struct emit *e);
/* A's call and ask of request m: prototypes, macros, functions. */
void emit_call_ask_h(struct emit *e, const ast_decl *a, const ast_decl *m);
void emit_call_ask_macros_h(struct emit *e, const ast_decl *a,
    const ast_decl *m);
void emit_call_ask_c(struct emit *e, const ast_decl *a, const ast_decl *m);
/* The helper through which A's handler of request m runs. */
void emit_serve_c(struct emit *e, const ast_decl *a, const ast_decl *m);

/* ---- topics (emit_c_topic.c) ----------------------------------------- */

void emit_topics_h(struct emit *e);
void emit_topics_c(struct emit *e);

/* ---- supervisors (emit_c_sup.c) -------------------------------------- */

void emit_sup_refs_h(struct emit *e);
void emit_sups_h(struct emit *e);
void emit_sups_c(struct emit *e);

/* ---- state machines (emit_c_states.c) -------------------------------- */

/* Does an `accept ... in` restrict a message of A? */
bool emit_states_restricted(const ast_decl *a);
/* A's states, P_A_become and P_A_current (nothing without `states`). */
void emit_states_h(struct emit *e, const ast_decl *a);
/* The struct the runtime holds for A, P_A_become and P_A_current. */
void emit_states_c(struct emit *e, const ast_decl *a);
/* In A's dispatch, before the handler of accepts[i]: postpone it in the
 * states that do not accept it. */
void emit_states_check_c(struct emit *e, const ast_decl *a, size_t i);

/* ---- pools (emit_c_pool.c) ------------------------------------------- */

/* The pools' refs (beside the supervisors'); per pool its spec, start,
 * sends, calls and asks with their macros; in the source its members'
 * table, its specs and those functions, each a pick and the member
 * kind's own send, call or ask. */
void emit_pool_refs_h(struct emit *e);
void emit_pools_h(struct emit *e);
void emit_pools_c(struct emit *e);

/* ---- wire codecs (emit_c_wire.c) ------------------------------------- */

/* The rt_wire_msg of each message of the protocol that crosses nodes. */
void emit_wire_h(struct emit *e);
/* The codecs: shared helpers, then each message's functions and the
 * rt_wire_msg of each that crosses nodes. */
void emit_wire_c(struct emit *e);
/* A remote kind's rt_wire_kind, export and lookup: prototypes, and their
 * definitions (after its class). */
void emit_wire_actor_h(struct emit *e, const ast_decl *a);
void emit_wire_actor_c(struct emit *e, const ast_decl *a);

/* ---- the code of the wire codecs (emit_c_codec.c) -------------------- */

/* The helpers that the codecs of the messages at[0..n) use. */
void emit_codec_helpers_c(struct emit *e, const ast_decl *const *at, size_t n);
/* The typed functions of message m's codec: NAME_wire_len, _put, _scan
 * and _get. */
void emit_codec_c(struct emit *e, const ast_decl *m);

/* ---- poisoned names (emit_c_poison.c) -------------------------------- */

/* The sends, calls, asks and subscriptions that do not exist. */
void emit_poison_h(struct emit *e);
/* The start_child that supervisor sup, not simple_one_for_one, lacks. */
void emit_poison_start_child_h(struct emit *e, const ast_decl *sup);

#endif
