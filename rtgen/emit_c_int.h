/* SPDX-License-Identifier: MIT */
/*
 * Inside the C emitter: its state, and the helpers its header half
 * (emit_c_header.c) and source half (emit_c.c) share (emit_c_common.c).
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
	const char *p;          /* the protocol prefix */
	const char *self_name;  /* this output's name, for #line back */
	int line;               /* lines completed so far */
	bool mapped;            /* the last #line points into the .rtp */
	/* If mapped: output line src_from + 1 is line src_line of the .rtp. */
	int src_line, src_from;
	struct emit_pset done;  /* what has been emitted, where order matters */
};

/* The output (emit_c_common.c): text, #line mapping, wrapping. */
bool emit_pset_add(struct emit_pset *set, const void *p);
bool emit_pset_has(const struct emit_pset *set, const void *p);
void emit_pset_clear(struct emit_pset *set);
void emit_dlist_add(struct emit_dlist *l, struct emit_pset *seen,
    const ast_decl *d);
void emit_put(struct emit *e, const char *s, size_t n);
void emit_out(struct emit *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void emit_wrapped(struct emit *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void emit_macro_lines(struct emit *e, const char *text);
void emit_comment(struct emit *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void emit_put_cstring(struct emit *e, const char *name);
void emit_src(struct emit *e, const ast_loc *loc);
void emit_gen(struct emit *e);
void emit_banner(struct emit *e);
bool emit_has_kind(const ast_field *f, enum ast_type_kind kind);
bool emit_has_bytes(const ast_field *f);
bool emit_needs_copy(const ast_field *f);
bool emit_field_needs_copy(const ast_field *f);
bool emit_every_allowed(const ast_decl *m);
void emit_struct_def(struct emit *e, const char *name,
    const ast_field *fields);
bool emit_published(const ast_unit *unit, const ast_decl *m);
bool emit_any_topic(const ast_unit *unit);
const ast_decl *emit_reply_of(const ast_decl *m);
const ast_decl *emit_next_request(const ast_decl *d);
bool emit_is_reply(const ast_unit *unit, const ast_decl *m);
bool emit_has_strings(const ast_field *f);
const char *emit_ctype(const ast_type *t, char *buf, size_t size);

void emit_checked_macro(struct emit *e, const char *name, const char *lead,
    const char *lead_args, const char *arg, const char *type,
    bool nullable, const char *params, const char *args);

/* emit_header: the whole header (emit_c_header.c). */
void emit_header(struct emit *e);

/*
 * Messages in the source (emit_c_msg.c): the copy helpers of every message
 * that needs them, and the printers. emit_nested_helpers writes those of
 * the messages nested in `fields`; emit_copy_helpers NAME_extra (once per
 * `key`) and NAME_copy for a struct with `fields`.
 */
void emit_source_messages(struct emit *e);
void emit_source_printers(struct emit *e);
void emit_nested_helpers(struct emit *e, const ast_field *fields);
void emit_copy_helpers(struct emit *e, const char *name,
    const ast_field *fields, const void *key);

/* Supervisors (emit_c_sup.c): whether the unit declares one, their
 * declarations in the header, their specs and functions in the source. */
bool emit_any_supervisor(const ast_unit *unit);
void emit_sup_header(struct emit *e);
void emit_sup_source(struct emit *e);

#endif
