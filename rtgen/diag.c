/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics: the message line, the quoted source line and a caret under
 * the column. The source may hold any bytes (NUL, control characters,
 * broken UTF-8), so the quote replaces what a terminal cannot show with '?'
 * and the caret line mirrors the quote's tabs, so the caret lands under the
 * right character. Lines are indexed once, so quoting is cheap however many
 * errors a large file has.
 */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

/* Longer lines are not quoted: the caret would be lost in them anyway. */
#define DIAG_MAX_QUOTE 512

void
diag_init(diag *d, FILE *out, const char *path, const char *text, size_t len)
{
	size_t i, cap = 64;

	diag_skip_bom(&text, &len);
	memset(d, 0, sizeof(*d));
	d->out = out;
	d->path = path;
	d->text = text;
	d->len = len;
	d->lines = ast_xmalloc(cap * sizeof(*d->lines));
	d->lines[d->nlines++] = 0;
	for (i = 0; i < len; i++) {
		if (text[i] != '\n')
			continue;
		if (d->nlines == cap) {
			cap *= 2;
			d->lines = ast_xrealloc(d->lines,
			    cap * sizeof(*d->lines));
		}
		d->lines[d->nlines++] = i + 1;
	}
}

void
diag_fini(diag *d)
{
	free(d->lines);
	d->lines = NULL;
}

bool
diag_printing(const diag *d)
{
	return d->errors <= DIAG_MAX_ERRORS;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/* Quote line `line` (from 1) and put a caret under byte column `col`. */
static void
quote(diag *d, int line, int col)
{
	const unsigned char *s;
	size_t start, end, i, n;
	FILE *out = d->out;

	if (line < 1 || d->text == NULL)
		return;
	if ((size_t)line > d->nlines) {
		fputs("\n^\n", out);
		return;
	}
	start = d->lines[line - 1];
	end = (size_t)line < d->nlines ? d->lines[line] - 1 : d->len;
	if (end > start && d->text[end - 1] == '\r')
		end--;
	if (end - start > DIAG_MAX_QUOTE)
		return;
	s = (const unsigned char *)d->text + start;
	n = end - start;
	for (i = 0; i < n;) {
		size_t len = utf8_len(s + i, n - i);

		if (len > 1) {
			fwrite(s + i, 1, len, out);
			i += len;
			continue;
		}
		if (len == 1 && (s[i] == '\t' || (s[i] >= 0x20 && s[i] < 0x7f)))
			fputc(s[i], out);
		else
			fputc('?', out);
		i++;
	}
	fputc('\n', out);
	for (i = 0; i + 1 < (size_t)col && i < n;) {
		size_t len = utf8_len(s + i, n - i);

		fputc(s[i] == '\t' ? '\t' : ' ', out);
		i += len > 1 ? len : 1;
	}
	fputs("^\n", out);
}

/* The message line ("x.rtp:3:9: kind: text tail") and the quote. */
static void
report(diag *d, ast_loc loc, const char *kind, const char *tail,
    const char *fmt, va_list ap)
{
	fprintf(d->out, "%s:%d:%d: %s: ", d->path, loc.first_line,
	    loc.first_column, kind);
	vfprintf(d->out, fmt, ap);
	fprintf(d->out, "%s\n", tail);
	quote(d, loc.first_line, loc.first_column);
}

/* Count an error at `loc` (NULL: the file as a whole); false when it
 * must not be printed. The line that says so is at the first one not
 * shown, like every other line of the output. */
static bool
count_error(diag *d, const ast_loc *loc)
{
	d->errors++;
	if (d->errors == DIAG_MAX_ERRORS + 1) {
		if (loc != NULL)
			fprintf(d->out, "%s:%d:%d: ", d->path, loc->first_line,
			    loc->first_column);
		else
			fprintf(d->out, "%s: ", d->path);
		fputs("error: too many errors; not showing more\n", d->out);
	}
	return d->errors <= DIAG_MAX_ERRORS;
}

void
diag_error(diag *d, ast_loc loc, const char *fmt, ...)
{
	va_list ap;

	if (!count_error(d, &loc))
		return;
	va_start(ap, fmt);
	report(d, loc, "error", "", fmt, ap);
	va_end(ap);
}

void
diag_warning(diag *d, ast_loc loc, const char *fmt, ...)
{
	va_list ap;

	if (d->werror) {
		if (!count_error(d, &loc))
			return;
	} else {
		d->warnings++;
		if (d->warnings == DIAG_MAX_WARNINGS + 1)
			fprintf(d->out,
			    "%s:%d:%d: warning: too many warnings; "
			    "not showing more\n",
			    d->path, loc.first_line, loc.first_column);
		if (!diag_printing(d) || d->warnings > DIAG_MAX_WARNINGS)
			return;
	}
	va_start(ap, fmt);
	/* The tag says which option made it an error, as compilers do. */
	report(d, loc, d->werror ? "error" : "warning",
	    d->werror ? " [-Werror]" : "", fmt, ap);
	va_end(ap);
}

void
diag_note(diag *d, ast_loc loc, const char *fmt, ...)
{
	va_list ap;

	if (!diag_printing(d))
		return;
	va_start(ap, fmt);
	report(d, loc, "note", "", fmt, ap);
	va_end(ap);
}

void
diag_note_file(diag *d, const char *path, ast_loc loc, const char *fmt, ...)
{
	va_list ap;

	if (!diag_printing(d))
		return;
	fprintf(d->out, "%s:%d:%d: note: ", path, loc.first_line,
	    loc.first_column);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}

void
diag_file_error(diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!count_error(d, NULL))
		return;
	fprintf(d->out, "%s: error: ", d->path);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}

size_t
diag_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best, result;
	size_t *base, *prev2, *prev, *cur, *tmp;

	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	base = ast_xmalloc(3 * (lb + 1) * sizeof(size_t));
	prev2 = base;
	prev = prev2 + lb + 1;
	cur = prev + lb + 1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		best = cur[0];
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = prev[j - 1] + cost;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > limit) {
			free(base);
			return limit + 1;
		}
		tmp = prev2;
		prev2 = prev;
		prev = cur;
		cur = tmp;
	}
	result = prev[lb] > limit ? limit + 1 : prev[lb];
	free(base);
	return result;
}
