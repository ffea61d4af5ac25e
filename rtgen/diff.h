/* SPDX-License-Identifier: MIT */
/*
 * rtgen --diff: the changes between two versions of a protocol, and
 * whether each breaks the wire between nodes built from them (the rules
 * are in doc/wire.md, "Changing a protocol").
 */
#ifndef RT_DIFF_H
#define RT_DIFF_H

#include "ast.h"
#include "emit_c.h"

/*
 * diff_units: append to `out` one line per change from `older` to `newer`
 * (two checked units, read from older_path and newer_path, the names the
 * lines give), in the form
 *
 *	new.rtp:4:5: breaks: message Put: field 2 (data) changed type ...
 *
 * with `breaks`, `compatible` or `local` (a change of what no remote kind
 * sends). Returns 1 when a change breaks the wire, else 0. Borrows both
 * units; the same unit may be given twice (no change).
 */
int diff_units(const ast_unit *older, const char *older_path,
    const ast_unit *newer, const char *newer_path, emit_buf *out);

#endif
