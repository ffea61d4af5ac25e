/* SPDX-License-Identifier: MIT */
/*
 * Flow control of bounded mailboxes (flow.c): over the bound, waiting for
 * room, muting and unmuting, and telling the blocked that room appeared or
 * that the target is gone.
 */
#ifndef RT_RUNTIME_FLOW_H
#define RT_RUNTIME_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "actor_int.h"
#include "cell.h"
#include "envelope.h"
#include "pool.h"
#include "sched.h"

/* rti_refuse: a send that returns the error `rc`: counted as refused, and
 * the envelope freed. */
static inline int
rti_refuse(rt_system *sys, rt_env *env, int rc)
{
	rti_count(sys, refused, 1);
	rti_env_free(env);
	return rc;
}

/* What rti_flow_reserve found. */
enum rti_room {
	RTI_ROOM_FREE,  /* an unbounded mailbox: nothing to count */
	RTI_ROOM_TAKEN, /* a place taken: the message is counted */
	RTI_ROOM_OVER,  /* the place taken is over the bound */
};

/*
 * rti_flow_reserve: every send's admission to a bounded mailbox: take a
 * place with one atomic add, and tell whether that went over the bound
 * (then the caller applies the overflow policy, rti_flow_over_bound, which
 * gives the place back unless the message is accepted over it). The
 * consumer gives places back once per run (actor.c).
 */
static inline enum rti_room
rti_flow_reserve(rt_cell *cell)
{
	/* Relaxed: set at spawn, before the generation the sender
	 * acquired, and never changed while the actor lives. */
	uint32_t bound = ck_pr_load_32(&cell->bound);

	if (bound == 0)
		return RTI_ROOM_FREE;
	/* Relaxed: the push publishes the message. */
	return ck_pr_faa_32(&cell->count, 1) < bound ? RTI_ROOM_TAKEN :
						       RTI_ROOM_OVER;
}

/* What rti_flow_over_bound tells its caller to do. */
enum rti_over {
	RTI_OVER_PUSH,  /* accepted over the bound: push it */
	RTI_OVER_DONE,  /* dropped or refused: return *rc */
	RTI_OVER_RETRY, /* a plain thread waited for room: try again */
};

/*
 * rti_flow_over_bound: a send reserved a place in `cell`'s bounded mailbox
 * and found it full: apply the overflow policy. `w`: the calling thread's
 * worker, or NULL. `ext`: whether the caller holds an in-flight count (a
 * thread outside the system), given back here unless the message is to be
 * pushed. `deadline` (negative: none) bounds a plain thread's wait.
 */
enum rti_over rti_flow_over_bound(rt_system *sys, rti_worker *w, rt_cell *cell,
    rt_env *env, bool ext, int64_t deadline, int *rc) __attribute__((noinline));

/* Whether the running actor is itself overloaded (then it is not muted). */
static inline bool
rti_flow_under_pressure(rti_worker *w, rt_cell *self)
{
	uint32_t bound = ck_pr_load_32(&self->bound);

	return (bound != 0 && ck_pr_load_32(&self->count) >= bound) ||
	    self->queued - w->run_taken >= RTI_BATCH;
}

/*
 * rti_flow_accept_over: a worker's message to a full mailbox with overflow
 * block is accepted over the bound, and the sending actor is muted after
 * its handler (unless it is overloaded itself). Inline: a flooding
 * publisher meets it for most deliveries.
 */
static inline void
rti_flow_accept_over(rti_worker *w, rt_cell *cell, rt_env *env)
{
	if (w->mute_on == NULL && w->ctx.cell != NULL && w->ctx.cell != cell &&
	    !rti_flow_under_pressure(w, w->ctx.cell)) {
		w->mute_on = cell;
		w->mute_gen = env->gen;
		w->alert = 1; /* the run looks at mute_on after the handler */
	}
}

/*
 * rti_flow_mute: the running actor `self` sent to `target`'s full mailbox:
 * park it (with its run token) on target's mute list until target has room
 * again or stops. Its worker, after its run.
 */
void rti_flow_mute(rti_worker *w, rt_cell *self, rt_cell *target,
    uint64_t target_gen);

/*
 * rti_room_made: a counted message just left `cell`'s mailbox (the caller
 * took it off the count): wake plain threads waiting for room and unmute
 * the actors muted on it, if any. Any thread.
 */
void rti_room_made(rt_cell *cell);

/* rti_unmute_all: reschedule every actor muted on `cell`. Any thread. */
void rti_unmute_all(rt_cell *cell);

/*
 * rti_flow_gone: the actor of bounded `cell` stopped for good (its new
 * generation is published): the threads waiting for room and the actors
 * muted on it learn it.
 */
void rti_flow_gone(rt_cell *cell);

#endif
