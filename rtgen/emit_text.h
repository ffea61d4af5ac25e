/* SPDX-License-Identifier: MIT */
/*
 * Plain text output into an emit_buf, for the emitters that need neither
 * line counting nor #line directives (the DOT picture, make dependencies).
 */
#ifndef RT_EMIT_TEXT_H
#define RT_EMIT_TEXT_H

#include <stdarg.h>
#include <stddef.h>

#include "emit_c.h"

/* emit_text_put: append s[0..n) to b (which stays NUL-terminated). */
void emit_text_put(emit_buf *b, const char *s, size_t n);
/*
 * emit_text_vformat: format into `small` (`size` bytes) when it fits, else
 * into a new block; returns the text, which the caller frees when it is
 * not `small`, and its length in *len; NULL on a formatting error.
 */
char *emit_text_vformat(char *small, size_t size, size_t *len, const char *fmt,
    va_list ap);
/* emit_text_printf: append printf-style text to b. */
void emit_text_printf(emit_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
