/* SPDX-License-Identifier: MIT */
/*
 * Flow control of bounded mailboxes (flow.h): what happens when a send finds
 * a mailbox at its bound, and how the blocked side learns of room again.
 *
 * Bounds. A bounded cell keeps an atomic count of the messages queued for
 * it; a sender adds one before pushing and the consumer takes one off when
 * the message leaves its lanes (handled or dead). A sender that finds the
 * count at the bound applies the overflow policy: drop (a dead letter),
 * reject (RT_EFULL), or block. Blocking never stalls a worker: a sender that
 * is an actor has its message accepted anyway and is *muted* once its
 * handler returns (not run again until the target drains below its bound);
 * a plain thread waits on the cell's futex word until there is room. An
 * actor whose own bounded mailbox is full is not muted, so two actors
 * flooding each other cannot mute each other for good.
 *
 * Lost wake-ups between "no room" and "room made" are ruled out the usual
 * way: the waiter announces itself (waiters, or its place on the mute list)
 * with an atomic read-modify-write and then re-reads the count; the
 * consumer takes its message off the count with an atomic read-modify-write
 * and then reads the waiters and the mute list.
 */
#include <stdint.h>
#include <stdlib.h>

#include "actor_int.h"
#include "clock.h"
#include "flow.h"
#include "park.h"
#include "pool.h"
#include "system_int.h"
#include "thread.h"
#include "undelivered.h"

/* --- muting -------------------------------------------------------------- */

void
rti_unmute_all(rt_cell *cell)
{
	rti_mpsc_node *n;

	/* Relaxed peek: most calls find nobody. */
	if (ck_pr_load_ptr(&cell->muted) == NULL)
		return;
	n = ck_pr_fas_ptr(&cell->muted, NULL);
	/* Acquire the muted actors' run tokens (pairs with rti_flow_mute). */
	ck_pr_fence_atomic_load();
	RT_TSAN_ACQUIRE(&cell->muted);
	while (n != NULL) {
		rti_mpsc_node *next = ck_pr_load_ptr(&n->next);
		rt_cell *sender = (rt_cell *)((char *)n -
		    offsetof(rt_cell, rq_node));

		rti_sched_ready_pinned(cell->sys, sender);
		n = next;
	}
}

void
rti_flow_mute(rti_worker *w, rt_cell *self, rt_cell *target,
    uint64_t target_gen)
{
	rti_mpsc_node *head = ck_pr_load_ptr(&target->muted);

	rti_count_w(w->sys, w, mutes, 1);
	/* Hand our run token over with the cell (pairs with the acquire in
	 * rti_unmute_all). */
	RT_TSAN_RELEASE(&target->muted);
	do {
		ck_pr_store_ptr(&self->rq_node.next, head);
		ck_pr_fence_store_atomic();
	} while (!ck_pr_cas_ptr_value(&target->muted, head, &self->rq_node,
	    &head));
	/*
	 * On the list before we look at the count and the generation (pairs
	 * with rti_room_made and with the target's exit): if room appeared,
	 * or the target stopped, meanwhile, nobody else may unmute us.
	 */
	ck_pr_fence_atomic_load();
	if (ck_pr_load_32(&target->count) < ck_pr_load_32(&target->bound) ||
	    rti_cell_gen(target) != target_gen)
		rti_unmute_all(target);
}

/* --- room ---------------------------------------------------------------- */

/*
 * Wake the plain threads waiting for room in `cell`, if any, and resume
 * the actors muted on it (`all`: even without a look at the list first).
 * The caller ordered its own change (a place given back, a new generation)
 * before these loads.
 */
static void
wake_blocked(rt_cell *cell, bool all)
{
	if (ck_pr_load_32(&cell->waiters) != 0) {
		ck_pr_inc_32(&cell->space_seq);
		rti_futex_wake(&cell->space_seq, INT32_MAX);
	}
	if (all || ck_pr_load_ptr(&cell->muted) != NULL)
		rti_unmute_all(cell);
}

void
rti_room_made(rt_cell *cell)
{
	/*
	 * Callers have just taken a message off the count with an atomic
	 * RMW; order it before these loads (pairs with the RMW + fence of a
	 * waiter in wait_for_room, and of a muted actor in rti_flow_mute).
	 */
	ck_pr_fence_atomic_load();
	wake_blocked(cell, false);
}

void
rti_flow_gone(rt_cell *cell)
{
	/* The new generation was published before, with a plain store:
	 * order it before these loads (pairs with the fences of waiters and
	 * muted actors, which re-check it after announcing themselves). */
	ck_pr_fence_store_load();
	wake_blocked(cell, true);
}

/* --- over the bound ------------------------------------------------------ */

/*
 * A plain thread waits until `cell` (incarnation `gen`) has room, its actor
 * stops, shutdown begins, or `deadline` (negative: none) passes.
 */
static int
wait_for_room(rt_system *sys, rt_cell *cell, uint64_t gen, int64_t deadline)
{
	for (;;) {
		uint32_t seq;
		int rc = 0;

		ck_pr_inc_32(&cell->waiters);
		/* Announced before the look at the count (pairs with the
		 * fence in rti_room_made). */
		ck_pr_fence_atomic_load();
		seq = ck_pr_load_32(&cell->space_seq);
		if (rti_cell_gen(cell) != gen)
			rc = rti_gone(sys);
		else if (ck_pr_load_32(&sys->stopping))
			rc = RT_ESHUTDOWN;
		else if (ck_pr_load_32(&cell->count) <
		    ck_pr_load_32(&cell->bound))
			rc = 1;
		else if (deadline >= 0 && rti_clock_now() >= deadline)
			rc = RT_ETIMEDOUT;
		else if (sys->manual) {
			/* A test system: this thread is the one that runs
			 * the actors; if they make no room, nothing will. */
			if (rti_sched_drive(sys) == 0)
				rc = RT_ETIMEDOUT;
		} else
			rti_futex_wait(&cell->space_seq, seq,
			    deadline < 0 ? -1 : deadline - rti_clock_now());
		ck_pr_dec_32(&cell->waiters);
		if (rc != 0)
			return rc > 0 ? 0 : rc;
	}
}

enum rti_over
rti_flow_over_bound(rt_system *sys, rti_worker *w, rt_cell *cell, rt_env *env,
    bool ext, int64_t deadline, int *rc)
{
	uint32_t policy = rti_cell_overflow(cell);

	if (policy == RT_OVERFLOW_BLOCK && w != NULL) {
		rti_flow_accept_over(w, cell, env);
		return RTI_OVER_PUSH;
	}
	/* An actor thread or a caller (thread.c) sending to the actor it
	 * runs: waiting for room would wait for itself. Accepted over the
	 * bound, as a worker's message to its own actor is. */
	if (policy == RT_OVERFLOW_BLOCK && rti_thread_runs(cell))
		return RTI_OVER_PUSH;
	/* Give the place back (relaxed: rti_room_made orders this RMW
	 * before its loads). */
	ck_pr_dec_32(&cell->count);
	/* Our passing reservation may have hidden room from a waiter: look
	 * again. */
	rti_room_made(cell);
	rti_inflight_leave(sys, ext);
	if (policy == RT_OVERFLOW_DROP) {
		/* Accepted (the send returns 0), and dead at once. */
		rti_count_w(sys, w, sent, 1);
		rti_undelivered(sys, ck_pr_load_ptr(&cell->kind), env,
		    RT_DEAD_DROPPED);
		rti_env_free(env);
		*rc = 0;
		return RTI_OVER_DONE;
	}
	if (policy == RT_OVERFLOW_REJECT) {
		*rc = rti_refuse(sys, env, RT_EFULL);
		return RTI_OVER_DONE;
	}
	*rc = wait_for_room(sys, cell, env->gen, deadline);
	if (*rc != 0) {
		*rc = rti_refuse(sys, env, *rc);
		return RTI_OVER_DONE;
	}
	return RTI_OVER_RETRY;
}
