/* SPDX-License-Identifier: MIT */
/*
 * References to actors and what a handler can do with its context.
 *
 * An rt_ref names an actor cell and the incarnation that lives in it. Cells
 * are recycled but never unmapped while their system lives, so a stale ref
 * is always safe to use: sends through it return RT_ENOACTOR and nothing ever
 * reaches a later actor that reuses the cell. Generated code wraps rt_ref in
 * one struct per actor kind (P_A_ref), so refs of different kinds do not
 * convert into each other.
 */
#ifndef RT_ACTOR_H
#define RT_ACTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/version.h>
#include <rt/system.h>
#include <rt/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rt_cell rt_cell;

typedef struct rt_ref {
	rt_cell *cell; /* never NULL in a ref obtained from the runtime */
	uint64_t gen;  /* the incarnation; odd for every live actor */
} rt_ref;

/* The context a handler runs in; valid only during that handler call. */
typedef struct rt_ctx rt_ctx;

/* rt_ref_is_null: true for the zero ref (a ref that names no actor). */
static inline bool
rt_ref_is_null(rt_ref r)
{
	return r.cell == 0;
}

/* rt_ref_equal: true when a and b name the same incarnation. */
static inline bool
rt_ref_equal(rt_ref a, rt_ref b)
{
	return a.cell == b.cell && a.gen == b.gen;
}

/* Priorities of a send. */
typedef enum rt_priority {
	RT_PRIO_NORMAL = 0,
	/* Handled before the normal messages already queued; among
	 * themselves, high-priority messages keep their order. */
	RT_PRIO_HIGH = 1,
} rt_priority;

/*
 * rt_send_opts: how to send one message (P_A_send_M_opt). A zeroed struct
 * means the defaults, the same as P_A_send_M.
 */
typedef struct rt_send_opts {
	rt_priority priority;
	/* > 0: a message still queued this long after the send is not
	 * handled; it becomes a dead letter (expired). 0: no limit. */
	rt_duration ttl;
	/* Bounded mailbox with overflow block, sender not an actor: 0 waits
	 * as long as it takes; > 0 gives up after this long (RT_ETIMEDOUT). */
	rt_duration timeout;
} rt_send_opts;

/* Exit reason of an actor that stopped normally. */
#define RT_NORMAL 0

/* rt_self: the ref of the actor whose handler is running. */
RT_API rt_ref rt_self(rt_ctx *ctx);

/* rt_ctx_system: the system the running actor belongs to. */
RT_API rt_system *rt_ctx_system(rt_ctx *ctx);

/*
 * rt_stop: stop the running actor once the current handler returns. Reason
 * RT_NORMAL (0) is a normal exit; anything else is an abnormal one (as if the
 * handler had returned it). Messages still queued become dead letters, and
 * sends to the actor return RT_ENOACTOR from then on. NULL ctx: no effect.
 */
RT_API void rt_stop(rt_ctx *ctx, int reason);

/*
 * rt_ctx_more_waiting: whether more messages wait for the running actor behind
 * the one in hand (it will be run again for them if this run ends first).
 * An actor that writes what it handles to a socket or a connection can
 * gather its writes and make one when nothing waits: a batch is then what
 * came in while it worked, and a lone message is written at once. A
 * snapshot: a message that comes just after a false answer gets a run of
 * its own. False for a NULL ctx or outside a handler.
 */
RT_API bool rt_ctx_more_waiting(rt_ctx *ctx);

/*
 * rt_stash: keep the message in hand for later instead of letting it go
 * when the handler returns (Akka's stash). It is not counted as handled;
 * rt_unstash_all brings it back. A stashed message keeps its place in a
 * bounded mailbox, so a mailbox full of stashed messages refuses, drops or
 * blocks new ones by its overflow policy. A stashed request is answered
 * when it is handled again (its handler's reply now is not sent). If the
 * handler then crashes (returns non-zero), the message is lost with the
 * crash as any message in hand; if it stops the actor, or the actor stops
 * or crashes later, every stashed message becomes a dead letter of cause
 * RT_DEAD_STASHED, also when a supervisor restarts the actor (the new
 * incarnation starts with an empty stash, as a restarted gen_statem loses
 * its postponed events). Actors of kinds with `states` share the stash
 * with their postponed messages (doc/rtp-language.md, "states").
 * Returns 0, RT_EINVAL (NULL ctx, not in the handler of a message, or a
 * request whose answer rt_reply_defer took over) or RT_ENOMEM.
 */
RT_API int rt_stash(rt_ctx *ctx);

/*
 * rt_unstash_all: once the running handler returns, the stashed messages
 * (and the one in hand, if it called rt_stash too) are handled next, in
 * the order they were stashed, before any message that arrived meanwhile
 * (Akka's unstashAll); only RT_PRIO_HIGH messages still overtake them.
 * Each may be stashed again. Returns 0, or RT_EINVAL (NULL ctx, or not in
 * the handler of a message).
 */
RT_API int rt_unstash_all(rt_ctx *ctx);

/*
 * rt_actor_alive: true while the actor named by `ref` has not stopped for
 * good. A snapshot: the answer may be stale by the time the caller uses it.
 */
RT_API bool rt_actor_alive(rt_ref ref);

/* rt_actor_stats: counters of one actor since it was spawned. */
typedef struct rt_actor_stats {
	uint64_t received;     /* messages taken from its mailbox */
	uint64_t handled;      /* messages passed to a handler (a stashed
	                          one counts when it is handled at last) */
	uint64_t dead_letters; /* received but not handled (expired) */
	uint32_t depth;        /* messages waiting, stashed ones included:
	                          for a bounded mailbox, the places taken
	                          (a place comes free when the run that
	                          handled its message ends); otherwise, as
	                          of the actor's last run */
	uint32_t high_water;   /* the most messages ever seen waiting */
	uint32_t bound;        /* its mailbox bound, 0 when unbounded */
} rt_actor_stats;

/*
 * rt_stats_actor: fill *out for the actor named by `ref`. Any thread; the
 * figures are a snapshot. Returns 0, RT_EINVAL (zero ref or NULL out), or
 * RT_ENOACTOR (it has stopped for good).
 */
RT_API int rt_stats_actor(rt_ref ref, rt_actor_stats *out);

#ifdef __cplusplus
}
#endif

#endif
