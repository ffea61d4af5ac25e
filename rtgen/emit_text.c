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
		b->data = realloc(b->data, cap);
		if (b->data == NULL) {
			fputs("rtgen: out of memory\n", stderr);
			abort();
		}
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
emit_text_printf(emit_buf *b, const char *fmt, ...)
{
	char small[256], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		emit_text_put(b, small, (size_t)n);
		return;
	}
	big = ast_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	emit_text_put(b, big, (size_t)n);
	free(big);
}
