/* SPDX-License-Identifier: MIT */
/*
 * Finding the files that a .rtp names: `include "h"` (a C header, which
 * must exist) and `import "other.rtp"` (another protocol). Each is looked
 * for beside the file that names it, then in the -I directories in order,
 * as a C compiler looks for `#include "h"`.
 */
#ifndef RT_IMPORT_H
#define RT_IMPORT_H

#include "ast.h"

/* import_find: the path of `name` as named by `unit` (caller frees), or
 * NULL when no such file exists. An absolute name is taken as it is. */
char *import_find(const ast_unit *unit, const char *name);

#endif
