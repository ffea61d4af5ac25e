/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics of one input file, in the form compilers use:
 *
 *	x.rtp:3:9: error: unknown message 'Pong'; did you mean 'Ping'?
 *	    accepts Pong;
 *	            ^
 *
 * A diag borrows the file's text to quote the offending line, counts the
 * errors and warnings, and writes to a FILE * chosen by the caller (tests
 * capture it). A warning does not fail the run unless `werror` (rtgen's
 * -Werror) makes it an error.
 * After DIAG_MAX_ERRORS errors it says so once and prints no more, but goes
 * on counting, so a huge broken input cannot flood the terminal.
 */
#ifndef RT_DIAG_H
#define RT_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ast.h"

#define DIAG_MAX_ERRORS 100
/* Likewise for warnings (a generated protocol may have thousands). */
#define DIAG_MAX_WARNINGS 100

typedef struct diag {
	FILE *out;
	const char *path; /* borrowed: the file name as given */
	const char *text; /* borrowed: the file's bytes */
	size_t len;
	size_t *lines; /* offset of the start of each line */
	size_t nlines;
	unsigned errors;
	unsigned warnings; /* not counting those werror made errors */
	bool werror;       /* report warnings as errors */
} diag;

/* diag_init: set up diagnostics of `path` whose contents are text[0..len),
 * written to `out`. Borrows all three until diag_fini(). */
void diag_init(diag *d, FILE *out, const char *path, const char *text,
    size_t len);
/* diag_fini: release what diag_init allocated. */
void diag_fini(diag *d);

/* diag_error: report an error at loc (printf-style message). */
void diag_error(diag *d, ast_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* diag_warning: report a warning at loc: an error when d->werror. */
void diag_warning(diag *d, ast_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* diag_note: attach a note to the previous error (not counted). */
void diag_note(diag *d, ast_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* diag_note_file: a note at loc in another file, `path` (an imported
 * one), which is named but not quoted. */
void diag_note_file(diag *d, const char *path, ast_loc loc, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
/* diag_file_error: an error about the file as a whole ("file: error: ..."). */
void diag_file_error(diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* diag_printing: false once the error limit has silenced output, so
 * callers can skip costly work (suggestions) nobody would see. */
bool diag_printing(const diag *d);

/*
 * diag_skip_bom: step over a UTF-8 byte-order mark at the start of a file's
 * text, which some editors write; it is not part of the text. The scanner
 * and the diagnostics both skip it, so that columns and quotes agree.
 */
static inline void
diag_skip_bom(const char **text, size_t *len)
{
	if (*len >= 3 && (unsigned char)(*text)[0] == 0xef &&
	    (unsigned char)(*text)[1] == 0xbb &&
	    (unsigned char)(*text)[2] == 0xbf) {
		*text += 3;
		*len -= 3;
	}
}

/* diag_distance: edit distance (Damerau-Levenshtein, adjacent transpositions)
 * between a and b, or limit + 1 if it exceeds limit. */
size_t diag_distance(const char *a, const char *b, size_t limit);

#endif
