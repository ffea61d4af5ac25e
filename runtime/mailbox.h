/* SPDX-License-Identifier: MIT */
/*
 * The mailbox: an intrusive, lock-free, multi-producer single-consumer FIFO
 * queue (Vyukov's design with an embedded stub node), plus Pony's "idle" bit
 * in the producers' end. One atomic exchange per push; the exchange also
 * tells the pusher whether the actor was idle, which is exactly when the
 * pusher must schedule it. See mailbox.c for the theory.
 *
 * Threading: rti_mailbox_push from any thread; everything else only by the
 * consumer, which is whoever holds the actor's run token (the thread that
 * scheduled it, then the worker that runs it).
 */
#ifndef RT_RUNTIME_MAILBOX_H
#define RT_RUNTIME_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rti_mpsc_node {
	struct rti_mpsc_node *next; /* atomic: written by producers */
} rti_mpsc_node;

typedef struct rti_mailbox {
	/* Producers' end; bit 0 set means idle (no run token held). Atomic. */
	rti_mpsc_node *head;
	/* Consumer's end: the oldest node not yet popped, or the stub. */
	rti_mpsc_node *tail;
	rti_mpsc_node stub;
} rti_mailbox;

/* rti_mailbox_init: an empty, idle mailbox. Not thread-safe. */
void rti_mailbox_init(rti_mailbox *mb);

/*
 * rti_mailbox_push_mpsc: append `node`. Any thread. Returns true when the
 * mailbox was idle: the caller has then taken the run token and must
 * schedule the actor.
 */
bool rti_mailbox_push_mpsc(rti_mailbox *mb, rti_mpsc_node *node);

/*
 * rti_mailbox_pop: the oldest node, or NULL when there is none or when a
 * producer has swapped the head but not linked its node yet (the mailbox is
 * then not empty, and rti_mailbox_try_idle will say so). Consumer only.
 */
rti_mpsc_node *rti_mailbox_pop(rti_mailbox *mb);

/*
 * rti_mailbox_try_idle: give the run token back if the mailbox is empty.
 * Returns true if it did (the actor is idle and the next push schedules
 * it), false if messages arrived: the caller keeps the token and must run or
 * reschedule the actor. Consumer only; must be its last access to anything
 * the token protects.
 */
bool rti_mailbox_try_idle(rti_mailbox *mb);

/* rti_mailbox_is_idle: a racy snapshot of the idle bit, for tests. */
bool rti_mailbox_is_idle(rti_mailbox *mb);

/*
 * rti_mailbox_has_pending: whether nodes have been pushed that the consumer
 * has not taken yet. Any thread; a snapshot, for deciding whether to look.
 */
bool rti_mailbox_has_pending(rti_mailbox *mb);

#endif
