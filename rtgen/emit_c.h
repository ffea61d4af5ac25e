/* SPDX-License-Identifier: MIT */
/*
 * The C emitter: from a checked unit, the text of x.rtp.h (types, typed
 * sends and publishes, handler prototypes, poisoned non-sends) and x.rtp.c
 * (copies of messages into envelopes, dispatch switches, actor classes,
 * spawns, topics), in the shape DESIGN.md §3 fixes. Output is
 * deterministic: declaration order, no timestamps, only the paths it is
 * given.
 */
#ifndef RT_EMIT_C_H
#define RT_EMIT_C_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"

/* A growing text buffer. */
typedef struct emit_buf {
	char *data;
	size_t len, cap;
} emit_buf;

typedef struct emit_c_opts {
	const char *src_path; /* the .rtp as given: banner and #line */
	const char *h_name;   /* header's name as included ("x.rtp.h") */
	const char *c_name;   /* source's name for its #line ("x.rtp.c") */
	bool lines;           /* emit #line directives */
} emit_c_opts;

/* emit_c: write the header into *h and the source into *c (both empty on
 * entry; the caller frees them with emit_buf_free). `unit` must have passed
 * sema_check() without errors. */
void emit_c(const ast_unit *unit, const emit_c_opts *opts, emit_buf *h,
    emit_buf *c);

/* emit_buf_free: release a buffer's text; it is empty afterwards. */
void emit_buf_free(emit_buf *b);

#endif
