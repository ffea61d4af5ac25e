/* SPDX-License-Identifier: MIT */
/*
 * Plain text output (see emit_text.h). The buffer doubles as it grows, so
 * appending is amortised constant time per byte however large the output.
 */
#include "emit_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
emit_text_put(emit_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 4096 : b->cap;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->data = ast_xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

char *
emit_text_vformat(char *small, size_t size, size_t *len, const char *fmt,
    va_list ap)
{
	va_list again;
	char *big;
	int n;

	va_copy(again, ap);
	n = vsnprintf(small, size, fmt, ap);
	if (n < 0) {
		va_end(again);
		return NULL;
	}
	*len = (size_t)n;
	if ((size_t)n < size) {
		va_end(again);
		return small;
	}
	big = ast_xmalloc((size_t)n + 1);
	vsnprintf(big, (size_t)n + 1, fmt, again);
	va_end(again);
	return big;
}

void
emit_text_printf(emit_buf *b, const char *fmt, ...)
{
	char small[256], *t;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	t = emit_text_vformat(small, sizeof(small), &n, fmt, ap);
	va_end(ap);
	if (t == NULL)
		return;
	emit_text_put(b, t, n);
	if (t != small)
		free(t);
}
