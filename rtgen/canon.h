/* SPDX-License-Identifier: MIT */
/*
 * The canonical definition of a message that crosses nodes, and its
 * fingerprint (doc/wire.md): a text that holds what the wire form depends
 * on and nothing else (field types in order, nested messages written out,
 * enums with their values, the reply of a request), hashed with 64-bit
 * FNV-1a. Two builds of a protocol whose canonical texts of M are equal
 * read each other's M; field names are left out, so renaming a field does
 * not break the wire. Every frame carries the fingerprint, sema refuses a
 * remote kind's message whose text would be too long, the C emitter writes
 * the fingerprint into the message's codec, and a comparison of two
 * versions of a protocol can compare the texts.
 */
#ifndef RT_CANON_H
#define RT_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"

/* The longest canonical text of one message, in bytes: a message nested
 * by value in two fields doubles the text of what holds it, so a chain of
 * such messages could make a text no memory holds. No message that a
 * person wrote comes near it. */
#define CANON_MAX 65536

/*
 * canon_message: the canonical text of message m of a checked unit
 * (NUL-terminated; caller frees) and, when hash is not NULL, its
 * fingerprint in *hash. NULL when the text would be longer than CANON_MAX
 * bytes (*hash is then left alone). A name that did not resolve is
 * written as it was spelt, so that a unit with errors does not crash it.
 */
char *canon_message(const ast_decl *m, uint64_t *hash);

/* canon_fnv1a: the 64-bit FNV-1a hash of s[0..len). */
uint64_t canon_fnv1a(const void *s, size_t len);

#endif
