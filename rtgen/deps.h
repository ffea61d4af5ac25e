/* SPDX-License-Identifier: MIT */
/*
 * Make dependencies of a protocol file (`rtgen -M`), in the form of
 * `cc -M`:
 *
 *	out/shop.rtp.c out/shop.rtp.h: shop.rtp common.rtp shop_types.h
 *
 * The outputs depend on the .rtp itself and on every file recorded in
 * ast_unit.deps: the imported protocols and the included headers, as the
 * search path (-I) found them.
 */
#ifndef RT_DEPS_H
#define RT_DEPS_H

#include "ast.h"
#include "emit_c.h"

/*
 * deps_emit: append to *out the make rule of `unit`, read from `src_path`
 * (as given on the command line), whose outputs go to `dir` ("" or a
 * directory name ending in '/'). A file listed twice is listed once;
 * long rules are broken with backslash-newlines as cc -M breaks them, and
 * characters special to make (spaces, '#', '$') are escaped.
 */
void deps_emit(const ast_unit *unit, const char *src_path, const char *dir,
    emit_buf *out);

#endif
