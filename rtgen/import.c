/* SPDX-License-Identifier: MIT */
/*
 * Finding included and imported files, and loading imported ones (see
 * import.h).
 */
#include "import.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rtp_parse.h"
#include "sema.h"

/* Inputs larger than this are refused (the scanner takes an int length). */
#define IMPORT_MAX_INPUT (64u << 20)

/* dir + "/" + name, or name alone when dir is empty (caller frees). */
static char *
join_path(const char *dir, size_t dirlen, const char *name)
{
	size_t nlen = strlen(name);
	char *p = ast_xmalloc(dirlen + nlen + 2);

	memcpy(p, dir, dirlen);
	if (dirlen > 0 && dir[dirlen - 1] != '/')
		p[dirlen++] = '/';
	memcpy(p + dirlen, name, nlen + 1);
	return p;
}

static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *
import_find(const ast_unit *unit, const char *name)
{
	const char *slash = strrchr(unit->path, '/');
	char *p;
	size_t i;

	if (name[0] == '/')
		return is_file(name) ? ast_xstrdup(name) : NULL;
	p = join_path(unit->path, slash != NULL ?
	    (size_t)(slash - unit->path) : 0, name);
	if (is_file(p))
		return p;
	free(p);
	for (i = 0; i < unit->nsearch; i++) {
		p = join_path(unit->search[i], strlen(unit->search[i]), name);
		if (is_file(p))
			return p;
		free(p);
	}
	return NULL;
}

char *
import_read_file(const char *path, size_t *len, FILE *err)
{
	size_t cap = 4096, n = 0, got;
	FILE *f = fopen(path, "rb");
	char *buf;

	if (f == NULL) {
		fprintf(err, "%s: error: cannot open: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	buf = ast_xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= IMPORT_MAX_INPUT) {
				fprintf(err, "%s: error: file too large (the "
				    "limit is %u MiB)\n", path,
				    IMPORT_MAX_INPUT >> 20);
				goto fail;
			}
			cap *= 2;
			buf = realloc(buf, cap);
			if (buf == NULL) {
				fputs("rtgen: out of memory\n", err);
				abort();
			}
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(err, "%s: error: cannot read: %s\n", path,
		    strerror(errno));
		goto fail;
	}
	fclose(f);
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* ---- the loader ------------------------------------------------------ */

/* A file that was loaded (or is being loaded: it is then on the stack). */
struct loaded {
	char *real;             /* its real path: the key */
	ast_unit *unit;         /* NULL when it could not be read */
	unsigned errors;        /* in the file itself or its imports */
};

/* A file of the command line: when another file imports it, it is still
 * loaded as one of the command line (under that name, with the warnings
 * of a file of its own), and only once. */
struct root {
	char *real;
	const char *path;       /* as given (borrowed) */
};

/* A file being loaded, outermost first: the chain of a cycle. */
struct frame {
	const char *real;
	const char *path;       /* as found, for messages */
};

struct import_loader {
	FILE *err;
	bool werror;
	const char *const *search;
	size_t nsearch;
	struct loaded **files;
	size_t nfiles, capfiles;
	struct frame *stack;
	size_t depth, capstack;
	struct root *roots;
	size_t nroots, caproots;
};

static void *
grow(void *p, size_t *cap, size_t size)
{
	*cap = *cap == 0 ? 8 : 2 * *cap;
	p = realloc(p, *cap * size);
	if (p == NULL) {
		fputs("rtgen: out of memory\n", stderr);
		abort();
	}
	return p;
}

import_loader *
import_loader_new(FILE *err, bool werror, const char *const *search,
    size_t nsearch)
{
	import_loader *l = ast_xmalloc(sizeof(*l));

	l->err = err;
	l->werror = werror;
	l->search = search;
	l->nsearch = nsearch;
	return l;
}

void
import_loader_free(import_loader *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nfiles; i++) {
		ast_unit_free(l->files[i]->unit);
		free(l->files[i]->real);
		free(l->files[i]);
	}
	free(l->files);
	free(l->stack);
	for (i = 0; i < l->nroots; i++)
		free(l->roots[i].real);
	free(l->roots);
	free(l);
}

static struct loaded *
find_loaded(const import_loader *l, const char *real)
{
	size_t i;

	for (i = 0; i < l->nfiles; i++)
		if (strcmp(l->files[i]->real, real) == 0)
			return l->files[i];
	return NULL;
}

static void
push(import_loader *l, const char *real, const char *path)
{
	if (l->depth == l->capstack)
		l->stack = grow(l->stack, &l->capstack, sizeof(*l->stack));
	l->stack[l->depth].real = real;
	l->stack[l->depth].path = path;
	l->depth++;
}

/* Where `real` is on the stack, or l->depth when it is not. */
static size_t
on_stack(const import_loader *l, const char *real)
{
	size_t i;

	for (i = 0; i < l->depth; i++)
		if (strcmp(l->stack[i].real, real) == 0)
			return i;
	return l->depth;
}

static unsigned resolve(import_loader *l, ast_unit *unit, diag *d);

/* The file of the command line whose real path is `real`, or NULL. */
static const struct root *
find_root(const import_loader *l, const char *real)
{
	size_t i;

	for (i = 0; i < l->nroots; i++)
		if (strcmp(l->roots[i].real, real) == 0)
			return &l->roots[i];
	return NULL;
}

/* Read, parse, resolve the imports of and check the file at `path`
 * (`real`, which the loader takes, is its real path); `imported`: it is
 * loaded for an import, not from the command line. */
static struct loaded *
load(import_loader *l, const char *path, char *real, bool imported)
{
	struct loaded *f = ast_xmalloc(sizeof(*f));
	size_t len = 0;
	char *text;
	diag d;

	f->real = real;
	if (l->nfiles == l->capfiles)
		l->files = grow(l->files, &l->capfiles, sizeof(*l->files));
	l->files[l->nfiles++] = f;
	text = import_read_file(path, &len, l->err);
	if (text == NULL) {
		f->errors = 1;
		return f;
	}
	diag_init(&d, l->err, path, text, len);
	d.werror = l->werror;
	f->unit = ast_unit_new(path);
	f->unit->search = l->search;
	f->unit->nsearch = l->nsearch;
	if (rtp_parse_text(f->unit, &d, text, len) == 0) {
		f->unit->imports_resolved = true;
		f->unit->imported = imported;
		resolve(l, f->unit, &d);
		sema_check(f->unit, &d);
	}
	f->errors = d.errors;
	diag_fini(&d);
	free(text);
	return f;
}

/* The chain of a cycle that closes at stack entry `from`, as
 * "a.rtp -> b.rtp -> a.rtp" (caller frees). */
static char *
chain(const import_loader *l, size_t from)
{
	size_t len = 1, i;
	char *s;

	for (i = from; i < l->depth; i++)
		len += strlen(l->stack[i].path) + 4;
	len += strlen(l->stack[from].path);
	s = ast_xmalloc(len);
	for (i = from; i < l->depth; i++) {
		strcat(s, l->stack[i].path);
		strcat(s, " -> ");
	}
	strcat(s, l->stack[from].path);
	return s;
}

static unsigned
resolve(import_loader *l, ast_unit *unit, diag *d)
{
	unsigned before = d->errors;
	char *self = realpath(unit->path, NULL);
	ast_decl *decl;
	size_t n = 0, cap = 0, i;

	push(l, self != NULL ? self : unit->path, unit->path);
	for (decl = unit->decls; decl != NULL; decl = decl->next) {
		struct loaded *f;
		char *path, *real;
		size_t at;

		if (decl->kind != AST_D_IMPORT || decl->file[0] == '\0')
			continue;
		path = import_find(unit, decl->file);
		if (path == NULL) {
			diag_error(d, decl->name_loc, "imported file '%s' not "
			    "found (looked beside the .rtp file%s)",
			    decl->file, unit->nsearch > 0 ?
			    " and in the -I directories" : "");
			continue;
		}
		real = realpath(path, NULL);
		if (real == NULL) {
			diag_error(d, decl->name_loc, "cannot import '%s': %s",
			    path, strerror(errno));
			free(path);
			continue;
		}
		at = on_stack(l, real);
		if (at < l->depth) {
			char *c = chain(l, at);

			diag_error(d, decl->name_loc, "import cycle: %s",
			    c);
			free(c);
			free(real);
			free(path);
			continue;
		}
		f = find_loaded(l, real);
		if (f != NULL) {
			free(real);
		} else {
			const struct root *r = find_root(l, real);

			f = r != NULL ? load(l, r->path, real, false) :
			    load(l, path, real, true);
		}
		/* Make dependencies: the file, then what it depends on. */
		ast_unit_add_dep(unit, path, decl->name_loc);
		free(path);
		if (f->errors > 0 || f->unit == NULL) {
			diag_error(d, decl->name_loc, "imported file '%s' has "
			    "errors", decl->file);
			continue;
		}
		{
			const ast_name *dep;

			for (dep = f->unit->deps; dep != NULL; dep = dep->next)
				ast_unit_add_dep(unit, dep->name, decl->name_loc);
		}
		for (i = 0; i < n; i++)
			if (unit->imports[i] == f->unit)
				break;
		decl->imported = f->unit;
		if (i < n)
			continue; /* sema reports it */
		if (n == cap)
			unit->imports = grow(unit->imports, &cap,
			    sizeof(*unit->imports));
		unit->imports[n++] = f->unit;
		unit->nimports = n;
	}
	l->depth--;
	free(self);
	return d->errors - before;
}

unsigned
import_resolve(import_loader *l, ast_unit *unit, diag *d)
{
	unit->imports_resolved = true;
	return resolve(l, unit, d);
}

/* The real path of `path`, or a copy of it when it has none (it does not
 * exist: reading it will say so). */
static char *
real_or_same(const char *path)
{
	char *real = realpath(path, NULL);

	return real != NULL ? real : ast_xstrdup(path);
}

void
import_add_root(import_loader *l, const char *path)
{
	if (l->nroots == l->caproots)
		l->roots = grow(l->roots, &l->caproots, sizeof(*l->roots));
	l->roots[l->nroots].real = real_or_same(path);
	l->roots[l->nroots].path = path;
	l->nroots++;
}

const ast_unit *
import_load(import_loader *l, const char *path)
{
	char *real = real_or_same(path);
	struct loaded *f = find_loaded(l, real);

	if (f != NULL)
		free(real);
	else
		f = load(l, path, real, false);
	return f->errors == 0 ? f->unit : NULL;
}
