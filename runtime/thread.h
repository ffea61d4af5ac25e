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

/* rti_thread_inside: whether this thread is an actor thread of `sys` (a
 * handler there must not wait for the system to stop). */
bool rti_thread_inside(rt_system *sys);

/*
 * rti_threads_join: wait for every actor thread to end and free it. At
 * shutdown, once no actor lives.
 */
void rti_threads_join(rt_system *sys);

#endif
