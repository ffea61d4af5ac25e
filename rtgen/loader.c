/* SPDX-License-Identifier: MIT */
/*
 * rtgen's front end (loader.h): read, parse, load the imports, check.
 */
#include "loader.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rtp_parse.h"
#include "sema.h"
#include "sema_int.h"

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
loader_find(const ast_unit *unit, const char *name)
{
	const char *slash = strrchr(unit->path, '/');
	char *p;
	size_t i;

	if (name[0] == '/')
		return is_file(name) ? ast_xstrdup(name) : NULL;
	p = join_path(unit->path,
	    slash != NULL ? (size_t)(slash - unit->path) : 0, name);
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
loader_read_file(const char *path, size_t *len, FILE *err)
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
				fprintf(err,
				    "%s: error: file too large (the "
				    "limit is %u MiB)\n",
				    path, IMPORT_MAX_INPUT >> 20);
				goto fail;
			}
			cap *= 2;
			buf = ast_xrealloc(buf, cap);
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

/*
 * What the loader knows of one real path, the key of its table: whether it
 * is a file of the command line, whether it was loaded and whether it is
 * being loaded (it is then on the stack). A file of the command line that
 * another file imports is still loaded as one of the command line (under
 * that name, with the warnings of a file of its own), and only once. One
 * table answers all three questions in constant time: a chain of n
 * imports asks them n times, and a scan of every file each time would
 * take n squared.
 */
struct known {
	char *real;       /* the key (owned) */
	const char *root; /* as given on the command line (borrowed),
	                     * or NULL: it is not a file of it */
	bool loaded;      /* load() ran: unit and errors are set */
	ast_unit *unit;   /* NULL when it could not be read */
	unsigned errors;  /* in the file itself or its imports */
	size_t frame;     /* on the stack: 1 + its place there; or 0 */
};

/* A file being loaded, outermost first: the chain of a cycle. */
struct frame {
	struct known *file;
	const char *path; /* as found, for messages */
};

struct loader {
	FILE *err;
	bool werror;
	const char *const *search;
	size_t nsearch;
	struct symtab table; /* real path -> struct known */
	struct known **all;  /* every entry of the table, to free them */
	size_t nall, capall;
	struct frame *stack;
	size_t depth, capstack;
};

loader *
loader_new(FILE *err, bool werror, const char *const *search, size_t nsearch)
{
	loader *l = ast_xmalloc(sizeof(*l));

	l->err = err;
	l->werror = werror;
	l->search = search;
	l->nsearch = nsearch;
	l->table.owns_keys = false;
	return l;
}

void
loader_free(loader *l)
{
	size_t i;

	if (l == NULL)
		return;
	sema_symtab_free(&l->table);
	for (i = 0; i < l->nall; i++) {
		ast_unit_free(l->all[i]->unit);
		free(l->all[i]->real);
		free(l->all[i]);
	}
	free(l->all);
	free(l->stack);
	free(l);
}

/* The entry of the real path `real`, which the loader takes: a new one
 * (nothing known yet) when it has none. */
static struct known *
known(loader *l, char *real)
{
	struct known *k = (struct known *)sema_symtab_get(&l->table, real);

	if (k != NULL) {
		free(real);
		return k;
	}
	k = ast_xmalloc(sizeof(*k));
	k->real = real;
	sema_symtab_put(&l->table, k->real, k);
	if (l->nall == l->capall)
		l->all = ast_xgrow(l->all, &l->capall, sizeof(*l->all));
	l->all[l->nall++] = k;
	return k;
}

/* Put `file` (found at `path`) on the stack. Only its outermost place
 * counts: a cycle is reported from there. */
static void
push(loader *l, struct known *file, const char *path)
{
	if (l->depth == l->capstack)
		l->stack = ast_xgrow(l->stack, &l->capstack, sizeof(*l->stack));
	l->stack[l->depth].file = file;
	l->stack[l->depth].path = path;
	l->depth++;
	if (file->frame == 0)
		file->frame = l->depth;
}

static void
pop(loader *l)
{
	struct known *file = l->stack[--l->depth].file;

	if (file->frame == l->depth + 1)
		file->frame = 0;
}

static unsigned resolve(loader *l, ast_unit *unit, diag *d);

/* Read, parse, resolve the imports of and check the file at `path`, whose
 * entry is `k`; `imported`: it is loaded for an import, not from the
 * command line. */
static void
load(loader *l, struct known *k, const char *path, bool imported)
{
	size_t len = 0;
	char *text;
	diag d;

	k->loaded = true;
	text = loader_read_file(path, &len, l->err);
	if (text == NULL) {
		k->errors = 1;
		return;
	}
	diag_init(&d, l->err, path, text, len);
	d.werror = l->werror;
	k->unit = ast_unit_new(path);
	k->unit->search = l->search;
	k->unit->nsearch = l->nsearch;
	k->unit->imported = imported;
	k->errors = loader_check_text(l, k->unit, &d, text, len);
	diag_fini(&d);
	free(text);
}

/* The chain of a cycle that closes at stack entry `from`, as
 * "a.rtp -> b.rtp -> a.rtp" (caller frees). */
static char *
chain(const loader *l, size_t from)
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
resolve(loader *l, ast_unit *unit, diag *d)
{
	unsigned before = d->errors;
	char *self = realpath(unit->path, NULL);
	ast_decl *decl;
	size_t n = 0, cap = 0, i;

	push(l, known(l, self != NULL ? self : ast_xstrdup(unit->path)),
	    unit->path);
	for (decl = unit->decls; decl != NULL; decl = decl->next) {
		struct known *f;
		ast_name *dep;
		char *path, *real;

		if (decl->kind != AST_D_IMPORT || decl->file[0] == '\0')
			continue;
		path = loader_find(unit, decl->file);
		if (path == NULL) {
			diag_error(d, decl->name_loc,
			    "imported file '%s' not "
			    "found (looked beside the .rtp file%s)",
			    decl->file,
			    unit->nsearch > 0 ? " and in the -I directories" :
						"");
			continue;
		}
		real = realpath(path, NULL);
		if (real == NULL) {
			diag_error(d, decl->name_loc, "cannot import '%s': %s",
			    path, strerror(errno));
			free(path);
			continue;
		}
		f = known(l, real);
		if (f->frame != 0) {
			char *c = chain(l, f->frame - 1);

			diag_error(d, decl->name_loc, "import cycle: %s", c);
			free(c);
			free(path);
			continue;
		}
		if (!f->loaded)
			load(l, f, f->root != NULL ? f->root : path,
			    f->root == NULL);
		/* Make dependencies: the file, then what it depends on. */
		dep = ast_unit_add_dep(unit, path, decl->name_loc);
		free(path);
		if (f->errors > 0 || f->unit == NULL) {
			diag_error(d, decl->name_loc,
			    "imported file '%s' has "
			    "errors",
			    decl->file);
			continue;
		}
		/* What it depends on stays in its unit (ast_unit.deps). */
		dep->imported = f->unit;
		for (i = 0; i < n; i++)
			if (unit->imports[i] == f->unit)
				break;
		decl->imported = f->unit;
		if (i < n)
			continue; /* sema reports it */
		if (n == cap)
			unit->imports = ast_xgrow(unit->imports, &cap,
			    sizeof(*unit->imports));
		unit->imports[n++] = f->unit;
		unit->nimports = n;
	}
	pop(l);
	return d->errors - before;
}

unsigned
loader_resolve(loader *l, ast_unit *unit, diag *d)
{
	unit->imports_resolved = true;
	return resolve(l, unit, d);
}

unsigned
loader_check_text(loader *l, ast_unit *unit, diag *d, const char *text,
    size_t len)
{
	unsigned before = d->errors;

	if (rtp_parse_text(unit, d, text, len) == 0) {
		if (l != NULL)
			loader_resolve(l, unit, d);
		sema_check(unit, d);
	}
	return d->errors - before;
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
loader_add_root(loader *l, const char *path)
{
	struct known *k = known(l, real_or_same(path));

	if (k->root == NULL)
		k->root = path;
}

const ast_unit *
loader_load(loader *l, const char *path)
{
	struct known *k = known(l, real_or_same(path));

	if (!k->loaded)
		load(l, k, path, false);
	return k->errors == 0 ? k->unit : NULL;
}
