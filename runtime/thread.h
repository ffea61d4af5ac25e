/* SPDX-License-Identifier: MIT */
/*
 * Actors on threads of their own (`thread;`, RT_CLASS_THREAD): each
 * actor of such a kind has an OS thread that runs its cell, parked on a
 * futex while the mailbox is empty, so its handlers may block.
 *
 * The cell is scheduled as any other: whoever makes it runnable queues it
 * on a worker. The worker that takes it does not run it: it hands the run
 * token to the actor's thread (rti_thread_hand), which runs the cell until
 * its mailbox is empty and gives the token back to the mailbox. A thread
 * is not a worker: its handlers send, spawn and call as a thread outside
 * the system does (a call may block it, as it may any thread).
 */
#ifndef RT_RUNTIME_THREAD_H
#define RT_RUNTIME_THREAD_H

#include <stdbool.h>
#include <rt/system.h>

#include "bonds.h"
#include "cell.h"

struct rti_thread;

/*
 * rti_thread_start: make the thread for a new actor of a thread kind in
 * `cell` and tie it to the cell (its extension's `thread`), before the actor's ref is
 * published. Returns 0 or RT_ENOMEM (no thread could be made).
 */
int rti_thread_start(rt_system *sys, rt_cell *cell);

/* rti_thread_hand: give the run token of its cell to thread `t`. */
void rti_thread_hand(struct rti_thread *t);

/*
 * rti_thread_of: the thread that runs `cell`, or NULL (the caller holds
 * its run token, so the cell has had an actor). One test of the class for
 * the actors of other kinds;
 * a cell with no actor still has its last actor's kind, whose thread
 * is gone then.
 */
static inline struct rti_thread *
rti_thread_of(rt_cell *cell)
{
	/* Relaxed: the kind and the thread are stored before the cell is
	 * first made runnable, which the token's hand-over orders. A cell
	 * that is run has had an actor, so it has a kind. */
	const rt_actor_class *k = ck_pr_load_ptr(&cell->kind);
	struct rti_ext *x;

	if (__builtin_expect(!(k->flags & RT_CLASS_THREAD), 1))
		return NULL;
	x = ck_pr_load_ptr(&cell->ext);
	return x != NULL ? ck_pr_load_ptr(&x->thread) : NULL;
}

/* rti_thread_inside: whether this thread runs handlers of `sys` outside
 * its workers: it is an actor thread of `sys`, or a caller running its
 * target (rti_caller_run). A handler there must not wait for the system
 * to stop, nor call. */
bool rti_thread_inside(rt_system *sys);

/* rti_thread_runs: whether this thread, an actor thread or a caller
 * (rti_caller_run), is running `cell`'s actor now. */
bool rti_thread_runs(const rt_cell *cell);

/* rti_caller_inside: whether this thread is a caller running an actor of
 * `sys` (rti_caller_run): a handler there must not call. */
bool rti_caller_inside(rt_system *sys);

/*
 * rti_caller_run: a thread outside the system, in rt_call, took the run
 * token of `cell` with the send of its request (the actor was idle): it
 * runs the actor itself, on its own thread, until the request is answered
 * (`*state` leaves `waiting`), the mailbox is empty, or a few runs have
 * gone by, and leaves the rest to the workers. Not for a `thread;` kind
 * (rti_sched_ready hands those over).
 */
void rti_caller_run(rt_system *sys, rt_cell *cell, const uint32_t *state,
    uint32_t waiting);

/* rti_callers_sum: add the counters of every caller's worker structure to
 * `sum` (for rt_stats_system). */
void rti_callers_sum(rt_system *sys, rti_counters *sum);

/* rti_callers_free: free the worker structures callers ran actors with
 * (at rt_system_free). */
void rti_callers_free(rt_system *sys);

/*
 * rti_threads_join: wait for every actor thread to end and free it. At
 * shutdown, once no actor lives.
 */
void rti_threads_join(rt_system *sys);

#endif
