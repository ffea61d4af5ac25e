/* SPDX-License-Identifier: MIT */
/*
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
#ifndef RT_IMPORT_H
#define RT_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "ast.h"
#include "diag.h"

/* import_find: the path of `name` as named by `unit` (caller frees), or
 * NULL when no such file exists. An absolute name is taken as it is. */
char *import_find(const ast_unit *unit, const char *name);

/* import_read_file: all of `path` (caller frees) and its length in *len,
 * or NULL after reporting to `err` why it cannot be read. */
char *import_read_file(const char *path, size_t *len, FILE *err);

typedef struct import_loader import_loader;

/* import_loader_new: a loader for one run of rtgen, reporting to `err`,
 * warnings as errors when `werror`, looking in the `search` directories
 * (borrowed) after each file's own. */
import_loader *import_loader_new(FILE *err, bool werror,
    const char *const *search, size_t nsearch);
/* import_loader_free: free the loader and every unit it loaded. NULL:
 * no-op. */
void import_loader_free(import_loader *l);

/*
 * import_resolve: load the file of each `import` of `unit` (just parsed,
 * not yet checked), reporting to `d` a file that is not found, a cycle, a
 * file imported twice and a file with errors. Fills ast_decl.imported and
 * unit->imports; sema_check does the rest. Returns the number of errors
 * it reported.
 */
unsigned import_resolve(import_loader *l, ast_unit *unit, diag *d);

/* import_add_root: name `path` (borrowed until the loader is freed) as a
 * file of the command line, before any is loaded: a file that imports it
 * then finds it loaded as such (under that name; not as a library of
 * another protocol, whose unused messages are not warned about). */
void import_add_root(import_loader *l, const char *path);

/*
 * import_load: the unit of `path`, a file of the command line, read,
 * parsed, its imports loaded and checked, once per run: a second call, or
 * one after a file imported it, finds it loaded. NULL when it has errors,
 * which were reported when it was loaded (once). The unit stays the
 * loader's.
 */
const ast_unit *import_load(import_loader *l, const char *path);

#endif
