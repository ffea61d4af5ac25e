/* SPDX-License-Identifier: MIT */
/*
 * The names the C header poisons (emit_c_poison.c): for an actor A and a
 * message or topic M of the protocol P, the functions P_A_<verb>_M<suffix>
 * that A does not have, so that a call to one is a hard error. sema
 * (sema_cnames.c) reads the same table, to reject a declaration whose C
 * name is one of them.
 */
#ifndef RT_RTGEN_EMIT_C_POISON_H
#define RT_RTGEN_EMIT_C_POISON_H

/* What M is, for a kind of name to go with it. */
enum emit_poison_of {
	EMIT_POISON_OF_MESSAGE, /* any message: A has it if A accepts M */
	EMIT_POISON_OF_REQUEST, /* a request: likewise */
	EMIT_POISON_OF_TOPIC,   /* a topic: A has it if A accepts its message */
};

/*
 * The kinds of poisoned names, in the order the header writes them for one
 * A and M: kind, verb, suffix, what M is. An actor that accepts M has all
 * of its kinds but one: no P_A_send_M_every when M has C-typed fields,
 * whose periodic copies could not all own what the fields point to.
 */
#define EMIT_POISON_MAP(X)                       \
	X(SEND, "send", "", MESSAGE)             \
	X(SEND_OPT, "send", "_opt", MESSAGE)     \
	X(SEND_AFTER, "send", "_after", MESSAGE) \
	X(SEND_EVERY, "send", "_every", MESSAGE) \
	X(EXPECT, "expect", "", MESSAGE)         \
	X(CALL, "call", "", REQUEST)             \
	X(ASK, "ask", "", REQUEST)               \
	X(SUBSCRIBE, "subscribe", "", TOPIC)     \
	X(UNSUBSCRIBE, "unsubscribe", "", TOPIC)

enum emit_poison_kind {
#define EMIT_POISON_ENUM(kind, verb, suffix, of) EMIT_POISON_##kind,
	EMIT_POISON_MAP(EMIT_POISON_ENUM)
#undef EMIT_POISON_ENUM
	    EMIT_POISON_KINDS
};

struct emit_poison {
	const char *verb, *suffix;
	enum emit_poison_of of;
};

/* emit_poisons[k]: the verb, the suffix and the M of kind k. */
extern const struct emit_poison emit_poisons[EMIT_POISON_KINDS];

#endif
