/* SPDX-License-Identifier: MIT */
/*
 * The wire codecs in the generated source (emit_c_wire.c), as the rest of
 * rtgen sees them: which messages get one in the source of a unit, and the
 * C names the codecs declare, which sema (sema_cnames.c) keeps any
 * declaration from taking.
 */
#ifndef RT_RTGEN_EMIT_C_WIRE_H
#define RT_RTGEN_EMIT_C_WIRE_H

#include <stddef.h>

#include "ast.h"

/* The names of the codec of a message M of protocol MP: MP_M<suffix>. */
#define EMIT_WIRE_MSG_NAMES 9
extern const char *const emit_wire_msg_names[EMIT_WIRE_MSG_NAMES];
/* The names a remote actor kind A of protocol P adds: P_A<suffix>. */
#define EMIT_WIRE_ACTOR_NAMES 4
extern const char *const emit_wire_actor_names[EMIT_WIRE_ACTOR_NAMES];
/* The helpers the codecs of the source of protocol P share: P_<name>. */
#define EMIT_WIRE_HELPER_NAMES 21
extern const char *const emit_wire_helper_names[EMIT_WIRE_HELPER_NAMES];

/*
 * emit_wire_codecs: the messages whose codec functions the source of the
 * checked `unit` defines (those its remote kinds accept and their replies,
 * unless another protocol's source has them, and every message nested in
 * them), nested ones first; their number in *n. The caller frees the
 * array; NULL when there are none.
 */
const ast_decl **emit_wire_codecs(const ast_unit *unit, size_t *n);

#endif
