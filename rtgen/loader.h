/* SPDX-License-Identifier: MIT */
/*
 * rtgen's front end: read a .rtp, parse it, load its imports, check it
 * (loader_check_text does the last three for a text in memory: rtgen, the
 * tests and the fuzzer all go through it).
 *
 * Finding the files that a .rtp names: `include "h"` (a C header, which
 * must exist) and `import "other.rtp"` (another protocol). Each is looked
 * for beside the file that names it, then in the -I directories in order,
 * as a C compiler looks for `#include "h"`.
 *
 * The loader reads, parses and checks each imported file once per run,
 * keyed by its real path, however many files import it, and keeps its
 * unit until the end of the run: importing units point into it. A stack
 * of the files being loaded finds cycles (a.rtp imports b.rtp, which
 * imports a.rtp), reported with the whole chain. An imported file's own
 * errors are reported against it, and the import that named it is an
 * error too, so that the importing file produces no output.
 *
 * The files of the command line are loaded by the same loader, so that a
 * file that is both given and imported is parsed and checked once, and
 * its errors are reported once.
 */
#ifndef RT_LOADER_H
#define RT_LOADER_H

#include <stdbool.h>
#include <stdio.h>

#include "ast.h"
#include "diag.h"

/* loader_find: the path of `name` as named by `unit` (caller frees), or
 * NULL when no such file exists. An absolute name is taken as it is. */
char *loader_find(const ast_unit *unit, const char *name);

/* loader_read_file: all of `path` (caller frees) and its length in *len,
 * or NULL after reporting to `err` why it cannot be read. */
char *loader_read_file(const char *path, size_t *len, FILE *err);

typedef struct loader loader;

/* loader_new: a loader for one run of rtgen, reporting to `err`,
 * warnings as errors when `werror`, looking in the `search` directories
 * (borrowed) after each file's own. */
loader *loader_new(FILE *err, bool werror, const char *const *search,
    size_t nsearch);
/* loader_free: free the loader and every unit it loaded. NULL:
 * no-op. */
void loader_free(loader *l);

/*
 * loader_resolve: load the file of each `import` of `unit` (just parsed,
 * not yet checked), reporting to `d` a file that is not found, a cycle, a
 * file imported twice and a file with errors. Fills ast_decl.imported and
 * unit->imports; sema_check does the rest. Returns the number of errors
 * it reported.
 */
unsigned loader_resolve(loader *l, ast_unit *unit, diag *d);

/* loader_add_root: name `path` (borrowed until the loader is freed) as a
 * file of the command line, before any is loaded: a file that imports it
 * then finds it loaded as such (under that name; not as a library of
 * another protocol, whose unused messages are not warned about). */
void loader_add_root(loader *l, const char *path);

/*
 * loader_check_text: parse text[0..len) (the text `d` was set up on) into
 * `unit` and, when it parses, load its imports through `l` (NULL: load
 * none, for a text on its own) and check it. Returns the errors counted.
 */
unsigned loader_check_text(loader *l, ast_unit *unit, diag *d, const char *text,
    size_t len);

/*
 * loader_load: the unit of `path`, a file of the command line, read,
 * parsed, its imports loaded and checked, once per run: a second call, or
 * one after a file imported it, finds it loaded. NULL when it has errors,
 * which were reported when it was loaded (once). The unit stays the
 * loader's.
 */
const ast_unit *loader_load(loader *l, const char *path);

#endif
