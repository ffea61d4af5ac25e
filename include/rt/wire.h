/* SPDX-License-Identifier: MIT */
/*
 * The wire form of messages that cross nodes (protocol ABI RT_PROTOCOL_ABI).
 * rtgen emits one codec per message that a `remote` actor kind accepts or
 * answers with, and one rt_wire_kind per remote kind; the node library
 * (<rt/node.h>) frames what they encode and calls them on what arrives.
 * Users do not call these directly.
 *
 * The encoding is compact and little-endian, with no padding and no
 * alignment, field after field in declaration order:
 *   bool                   1 byte, 0 or 1
 *   i8 u8 / i16 u16        1 / 2 bytes
 *   i32 u32 f32            4 bytes (floats as their IEEE-754 bits)
 *   i64 u64 f64            8 bytes
 *   enum                   u32, one of the enum's values
 *   string                 u32 length, then that many bytes, none of them
 *                          NUL; length 0xffffffff is a NULL string
 *   bytes                  u32 length, then that many bytes (empty
 *                          bytes decode with NULL data)
 *   ref<A>                 RT_WIRE_REF_SIZE bytes, written and read by the
 *                          node (rt_wire_refs); all zero for the zero ref
 *   T[N]                   N elements of T
 *   a message              its fields, inline
 *
 * Decoding is in two steps, so that a frame from another process (untrusted
 * bytes) is checked whole before anything is written: check() walks the
 * bytes and either refuses them or says how much room the decoded payload
 * needs beyond the struct; decode() then fills a payload of that size,
 * struct first and the strings and bytes after it (the layout of a payload
 * a generated send makes). Neither reads outside [src, src + len).
 */
#ifndef RT_WIRE_H
#define RT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rt/version.h>
#include <rt/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes a ref takes on the wire: the node it lives on, an id that node
 * gave it, and its incarnation (three u64, little-endian). */
#define RT_WIRE_REF_SIZE 24

/* A string length on the wire that stands for a NULL string. */
#define RT_WIRE_NULL_STRING 0xffffffffu

struct rt_wire_kind;

/*
 * rt_wire_refs: how refs cross the wire, given by the node that encodes or
 * decodes. put writes the RT_WIRE_REF_SIZE bytes of `ref`, a ref of kind
 * `kind` (never the zero ref, which the codec writes itself as zeros); get
 * makes a ref of kind `kind` from such bytes (not all zero), or returns
 * the zero ref when they name nothing it can reach. A NULL rt_wire_refs
 * writes every ref as the zero ref and reads every ref as the zero ref
 * (for tests and fuzzing).
 */
typedef struct rt_wire_refs rt_wire_refs;
struct rt_wire_refs {
	void (*put)(rt_wire_refs *self, uint8_t *dst, rt_ref ref,
	    const struct rt_wire_kind *kind);
	rt_ref (*get)(rt_wire_refs *self, const uint8_t *src,
	    const struct rt_wire_kind *kind);
};

/* rt_wire_msg: the codec of one message. */
typedef struct rt_wire_msg {
	const char *name;     /* "protocol.M" */
	uint64_t fingerprint; /* of M's canonical definition (doc/wire.md) */
	size_t size;          /* sizeof the C struct P_M */
	/* The bytes the wire form of *msg takes, or SIZE_MAX when it has
	 * none (a string or bytes longer than a u32 length says, or bytes
	 * with NULL data and a length): such a message cannot be sent. */
	size_t (*wire_size)(const void *msg);
	/* Writes the wire form of *msg at dst; returns wire_size(msg). */
	size_t (*encode)(uint8_t *dst, const void *msg, rt_wire_refs *refs);
	/* Checks that src[0..len) is exactly one wire form of M. Returns the
	 * bytes a decoded payload needs after the struct (>= 0), or -1. */
	ptrdiff_t (*check)(const uint8_t *src, size_t len);
	/* Decodes bytes check() accepted into dst, which has size + the
	 * bytes check() returned; strings and bytes point into dst. */
	void (*decode)(void *dst, const uint8_t *src, size_t len,
	    rt_wire_refs *refs);
	/* A request's reply (M -> R), NULL for other messages. */
	const struct rt_wire_msg *reply;
} rt_wire_msg;

/* rt_wire_kind: a remote actor kind, as the nodes see it. */
typedef struct rt_wire_kind {
	const char *name;               /* "protocol.Actor" */
	const rt_actor_class *cls;      /* its class */
	uint32_t ntags;                 /* the messages it accepts */
	const rt_wire_msg *const *msgs; /* by tag, 0..ntags-1 */
} rt_wire_kind;

/*
 * --- for the node library ---------------------------------------------------
 *
 * What the node library (librtnode) needs of librtactor beyond the public
 * API. Users do not call these either.
 */

/* rt_remote_ops: the node a system has started, as P_A_export and
 * P_A_lookup reach it. */
typedef struct rt_remote_ops {
	int (*export_name)(void *node, rt_ref ref, const char *name,
	    const rt_wire_kind *kind);
	int (*lookup)(void *node, const char *name, const rt_wire_kind *kind,
	    rt_ref *out);
} rt_remote_ops;

/*
 * rt_remote_attach: make `node` the one P_A_export and P_A_lookup of `sys`
 * reach. Returns 0, RT_EINVAL, or RT_EEXIST (another node is attached).
 * rt_remote_detach: undo it; returns once no call into `node` through
 * them is running. A node must be detached before its system is freed.
 */
RT_API int rt_remote_attach(rt_system *sys, void *node,
    const rt_remote_ops *ops);
RT_API void rt_remote_detach(rt_system *sys, void *node);

/*
 * rt_env_send_nowait: rt_env_send for a thread that must not wait (a
 * network callback): a full bounded mailbox refuses the message with
 * RT_EFULL whatever its overflow policy, never blocks (drop still drops).
 * Takes env in every case.
 */
RT_API int rt_env_send_nowait(rt_env *env);

/*
 * rt_env_send_here: rt_env_send_nowait, and when the target was idle, run
 * it on this thread (a few runs, until its mailbox is empty) instead of
 * waking a worker for it, as rt_call without a limit does; not for a
 * `thread;` kind, in a test system or one with a watchdog, nor on a
 * worker, where it is rt_env_send_nowait. For a network thread, whose
 * every message would otherwise cost a worker's wake-up: the handlers
 * then run on it, and must not wait for what it would do next.
 */
RT_API int rt_env_send_here(rt_env *env);

/*
 * rt_request_relay: send the request `env` (from rt_request_new, filled
 * in) as a thread outside the system that does not wait for the answer
 * (rt_env_send_nowait, or rt_env_send_here when `here`): the answer is
 * handed to fn(arg, status, reply, size) once, on whichever thread gives
 * it (the server's worker or this thread as its handler returns, or the
 * thread that fails the request), with reply NULL unless status is 0. fn
 * must not block; the reply is valid during the call only. Takes env in
 * every case. Returns 0 (fn has been or will be called), or an error as
 * rt_env_send_nowait (fn will not be called).
 */
typedef void (*rt_relay_fn)(void *arg, int status, const void *reply,
    size_t size);
RT_API int rt_request_relay(rt_env *env, rt_relay_fn fn, void *arg, bool here);

/*
 * rt_remote_dead_letter: a message from or for another node that will
 * never be handled, and never was a message of `sys` (a frame that does
 * not decode, a name nobody exports, ...): told to the dead-letter hook of
 * `sys`, if it has one. The node counts it (rt_node_stats); rt_stats of
 * `sys` do not, since it never entered the system. msg may be NULL.
 */
RT_API void rt_remote_dead_letter(rt_system *sys, rt_dead_cause cause,
    const char *actor, const char *message, const void *msg);

/* rt_remote_log: one line through the log hook of `sys` (or stderr), as
 * the runtime logs its own. */
RT_API void rt_remote_log(rt_system *sys, rt_log_level level, const char *line);

/*
 * P_A_export and P_A_lookup (rt/node.h) of a remote kind. They are in
 * librtactor, so that a protocol with a remote kind links without the node
 * library; they reach the node the system has started (rt_node_start), and
 * return RT_ENODE when it has none.
 */
RT_API int rt_remote_export(rt_ref ref, const char *name,
    const rt_wire_kind *kind);
RT_API int rt_remote_lookup(rt_system *sys, const char *name,
    const rt_wire_kind *kind, rt_ref *out);

#ifdef __cplusplus
}
#endif

#endif
