/* SPDX-License-Identifier: MIT */
/*
 * The Graphviz emitter (`rtgen --dot`): a picture of a checked unit for
 * people, not for the compiler. It draws what the protocol says about who
 * talks to whom:
 *
 *  - each actor as a box listing the messages it accepts (and its asks,
 *    hooks and mailbox);
 *  - for each `asks M`, a solid edge from the asker to every actor that
 *    accepts M, labelled "M -> R";
 *  - each topic as a node, with dotted edges to the actors that accept its
 *    message (its possible subscribers);
 *  - each ref<X> an actor holds or receives (in its state, its init, a
 *    message it accepts or a reply it asks for) as a dashed edge to X,
 *    labelled with where the ref comes from ("state.audit", "Order.from").
 *
 * Which actor sends a plain message to which is not in the protocol (any
 * holder of a ref may send), so those edges are not drawn; the refs are
 * the closest the protocol comes to them.
 *
 * Supervision trees are drawn first once the language has supervisors:
 * see the comment at supervision() in emit_dot.c.
 */
#ifndef RT_EMIT_DOT_H
#define RT_EMIT_DOT_H

#include "ast.h"
#include "emit_c.h"

/* emit_dot: append the DOT text of `unit` (which passed sema_check without
 * errors), read from `src_path`, to *out. Deterministic: declaration
 * order, no timestamps. */
void emit_dot(const ast_unit *unit, const char *src_path, emit_buf *out);

#endif
