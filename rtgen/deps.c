/* SPDX-License-Identifier: MIT */
/*
 * Make dependencies (see deps.h). Files are listed in the order they were
 * recorded, each once: duplicates are found by sorting a copy of the list,
 * so a unit that includes the same header ten thousand times costs
 * n log n, not n squared.
 *
 * A unit records only its own imports and includes; the entry of an
 * import links the imported unit, whose files come right after it. The
 * list is read by walking those links, each unit once: a unit met again
 * (two imports of one file, a diamond of imports) would give the same
 * files again, all of them listed already, so skipping it changes nothing
 * and keeps the walk linear in the number of units and entries.
 */
#include "deps.h"

#include <stdlib.h>
#include <string.h>

#include "emit_c_int.h"
#include "emit_text.h"

/* cc -M breaks its lines before this column. */
#define DEPS_WIDTH 75

struct word {
	const char *path;
	size_t order;
};

struct rule {
	emit_buf *b;
	size_t col;
};

static int
by_path(const void *a, const void *b)
{
	const struct word *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
by_order(const void *a, const void *b)
{
	const struct word *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* The files of the rule: src_path, then those `unit` records and, after
 * the entry of each import, those of the imported unit (the first time
 * it is met), in that order; their number in *count (caller frees). */
static struct word *
collect(const ast_unit *unit, const char *src_path, size_t *count)
{
	struct emit_pset walked = { 0 };
	const ast_name **resume = NULL, *n = unit->deps;
	size_t depth = 0, capresume = 0, len = 1, cap = 16;
	struct word *w = ast_xmalloc(cap * sizeof(*w));

	w[0].path = src_path;
	w[0].order = 0;
	for (;;) {
		if (n == NULL) {
			if (depth == 0)
				break;
			n = resume[--depth];
			continue;
		}
		if (len == cap)
			w = ast_xgrow(w, &cap, sizeof(*w));
		w[len].path = n->name;
		w[len].order = len;
		len++;
		if (n->imported != NULL &&
		    emit_pset_add(&walked, n->imported)) {
			/* The imported unit's files, then this unit's next. */
			if (depth == capresume)
				resume = ast_xgrow(resume, &capresume,
				    sizeof(*resume));
			resume[depth++] = n->next;
			n = n->imported->deps;
		} else {
			n = n->next;
		}
	}
	free(resume);
	emit_pset_clear(&walked);
	*count = len;
	return w;
}

/* The length of `path` once escaped for make. */
static size_t
escaped_len(const char *path)
{
	size_t n = 0;

	for (; *path != '\0'; path++)
		n += *path == ' ' || *path == '\t' || *path == '#' ||
			*path == '$' ?
		    2 :
		    1;
	return n;
}

/* One file name of the rule, after a space or at the start of a new line
 * when it would not fit. Blanks and '#' take a backslash and '$' doubles,
 * as in cc -M; a control character, which make cannot read in a name,
 * becomes '?'. */
static void
word(struct rule *r, const char *path, const char *sep)
{
	size_t len = escaped_len(path), seplen = strlen(sep);

	if (r->col > 0 && r->col + seplen + len > DEPS_WIDTH) {
		/* The continuation line's leading blank separates. */
		emit_text_put(r->b, " \\\n ", 4);
		r->col = 1;
	} else {
		emit_text_put(r->b, sep, seplen);
		r->col += seplen;
	}
	r->col += len;
	for (; *path != '\0'; path++) {
		unsigned char c = (unsigned char)*path;

		if (c == ' ' || c == '\t' || c == '#')
			emit_text_put(r->b, "\\", 1);
		else if (c == '$')
			emit_text_put(r->b, "$", 1);
		if (c < 0x20 || c == 0x7f)
			emit_text_put(r->b, "?", 1);
		else
			emit_text_put(r->b, path, 1);
	}
}

void
deps_emit(const ast_unit *unit, const char *src_path, const char *dir,
    emit_buf *out)
{
	const char *slash = strrchr(src_path, '/');
	const char *base = slash != NULL ? slash + 1 : src_path;
	struct rule r = { out, 0 };
	struct word *w;
	size_t count, i, kept;
	char *target;

	w = collect(unit, src_path, &count);
	qsort(w, count, sizeof(*w), by_path);
	for (i = kept = 0; i < count; i++)
		if (i == 0 || strcmp(w[i].path, w[kept - 1].path) != 0)
			w[kept++] = w[i];
	qsort(w, kept, sizeof(*w), by_order);

	target = ast_xmalloc(strlen(dir) + strlen(base) + 8);
	strcpy(target, dir);
	strcat(target, base);
	strcat(target, ".c");
	word(&r, target, "");
	target[strlen(target) - 1] = 'h';
	word(&r, target, " ");
	free(target);
	emit_text_put(out, ":", 1);
	r.col++;
	for (i = 0; i < kept; i++)
		word(&r, w[i].path, " ");
	emit_text_put(out, "\n", 1);
	free(w);
}
