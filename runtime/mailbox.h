/* SPDX-License-Identifier: MIT */
/*
 * The mailbox: an intrusive, lock-free, multi-producer single-consumer FIFO
 * queue (Vyukov's design with an embedded sentinel node), plus Pony's "idle"
 * bit in the producers' end. One atomic exchange per push; the exchange also
 * tells the pusher whether the actor was idle, which is exactly when the
 * pusher must schedule it. The theory is below, with the implementation.
 *
 * Threading: rti_mailbox_push from any thread; everything else only by the
 * consumer, which is whoever holds the actor's run token (the thread that
 * scheduled it, then the worker that runs it).
 */
#ifndef RT_RUNTIME_MAILBOX_H
#define RT_RUNTIME_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt_atomic.h"

typedef struct rti_mpsc_node {
	struct rti_mpsc_node *next; /* atomic: written by producers */
} rti_mpsc_node;

typedef struct rti_mailbox {
	/* Producers' end; bit 0 set means idle (no run token held). Atomic. */
	rti_mpsc_node *head;
	/* Consumer's end: the oldest node not yet popped, or the sentinel. */
	rti_mpsc_node *tail;
	rti_mpsc_node sentinel;
} rti_mailbox;

/* rti_mailbox_init: an empty, idle mailbox. Not thread-safe. */
static inline void rti_mailbox_init(rti_mailbox *mb);

/*
 * rti_mailbox_push_mpsc: append `node`. Any thread. Returns true when the
 * mailbox was idle: the caller has then taken the run token and must
 * schedule the actor.
 */
static inline bool rti_mailbox_push_mpsc(rti_mailbox *mb, rti_mpsc_node *node);

/*
 * rti_mailbox_pop: the oldest node, or NULL when there is none or when a
 * producer has swapped the head but not linked its node yet (the mailbox is
 * then not empty, and rti_mailbox_try_idle will say so). Consumer only.
 */
static inline rti_mpsc_node *rti_mailbox_pop(rti_mailbox *mb);

/*
 * rti_mailbox_pop_at: rti_mailbox_pop with the consumer's end in `*tail`
 * (start from mb->tail, and store it back with rti_mailbox_set_tail before
 * anything else reads it: rti_mailbox_try_idle, a hint for other threads).
 * The consumer's end shares its cache line with the head that producers
 * swap; kept in a register through a drain, it costs no trip of that line
 * per message while producers are pushing. Consumer only.
 */
static inline rti_mpsc_node *rti_mailbox_pop_at(rti_mailbox *mb,
    rti_mpsc_node **tail);
static inline void rti_mailbox_set_tail(rti_mailbox *mb, rti_mpsc_node *tail);

/*
 * rti_mailbox_try_idle: give the run token back if the mailbox is empty.
 * Returns true if it did (the actor is idle and the next push schedules
 * it), false if messages arrived: the caller keeps the token and must run or
 * reschedule the actor. Consumer only; must be its last access to anything
 * the token protects.
 */
static inline bool rti_mailbox_try_idle(rti_mailbox *mb);

/* rti_mailbox_is_idle: a racy snapshot of the idle bit, for tests and for
 * least_loaded routing (router.c). */
static inline bool rti_mailbox_is_idle(rti_mailbox *mb);

/*
 * rti_mailbox_has_pending: whether nodes have been pushed that the consumer
 * has not taken yet. Any thread; a snapshot, for deciding whether to look.
 */
static inline bool rti_mailbox_has_pending(rti_mailbox *mb);

/* ----------------------------------------------------------------------- */
/*
 * The implementation, inline because it is on every message's path.
 *
 * Theory of the mailbox.
 *
 * Nodes are linked from the oldest (tail, the consumer's end) to the newest
 * (head, the producers' end). A producer clears its node's link, swaps the
 * node into `head` with one atomic exchange, and then links the previous head
 * to it. Between the exchange and the link the chain is briefly broken; the
 * consumer notices (the node at `tail` has no successor but is not `head`)
 * and reports "nothing yet" rather than "empty". Producers never wait for
 * each other, so the push is wait-free.
 *
 * The consumer never lets the queue become truly empty of nodes: an embedded
 * sentinel node takes the place of the last message. When it reaches the last
 * real node it pushes the sentinel behind it, so that the real node gets a
 * successor and can be detached and returned whole (it may then be freed or
 * relinked, unlike Pony's variant, which keeps the last message as the
 * sentinel).
 *
 * The idle bit (bit 0 of `head`, nodes are at least 8-byte aligned) is the
 * actor's run token. It is set while nobody runs or has scheduled the actor.
 * The producer whose exchange returns a head with the bit set has cleared it
 * (its node replaced that value) and so owns the token: it schedules the
 * actor. The consumer gives the token back only when `tail` is the
 * sentinel, the sentinel has no successor and a compare-and-swap turns
 * `head` from "sentinel" into "sentinel | idle"; the CAS fails exactly when
 * a producer got in first, and the consumer then keeps the token and runs
 * again. So every push that finds the actor idle schedules it exactly once,
 * and no push is ever left unnoticed.
 *
 * Ordering. A producer's payload writes must be visible to the consumer that
 * pops the node: the release fence before the link store pairs with the
 * acquire fence after the consumer loads the link. The consumer's writes to
 * the actor's state must be visible to the next holder of the run token: the
 * release fence before the idle CAS pairs with the acquire fence after the
 * exchange that observes the idle bit, and the scheduler's queues carry the
 * token on from there.
 */
#define RTI_MAILBOX_IDLE ((uintptr_t)1)

static inline rti_mpsc_node *
rti_mailbox_with_idle_(rti_mpsc_node *n)
{
	return (rti_mpsc_node *)((uintptr_t)n | RTI_MAILBOX_IDLE);
}

static inline void
rti_mailbox_init(rti_mailbox *mb)
{
	mb->sentinel.next = NULL;
	mb->tail = &mb->sentinel;
	mb->head = rti_mailbox_with_idle_(&mb->sentinel);
}

static inline bool
rti_mailbox_push_mpsc(rti_mailbox *mb, rti_mpsc_node *node)
{
	rti_mpsc_node *prev;
	bool was_idle;

	/* Relaxed: nobody can see the node before the exchange below. */
	ck_pr_store_ptr(&node->next, NULL);
	/*
	 * Make the payload and the cleared link visible before the node
	 * becomes reachable through `head` (pairs with the consumer's acquire
	 * of the link in rti_mailbox_pop, through the link store below).
	 */
	RT_TSAN_RELEASE(node);
	ck_pr_fence_store_atomic();
	prev = ck_pr_fas_ptr(&mb->head, node);
	was_idle = ((uintptr_t)prev & RTI_MAILBOX_IDLE) != 0;
	if (was_idle) {
		/*
		 * We took the run token from the consumer's idle CAS: see
		 * everything it wrote (pairs with the release fence in
		 * rti_mailbox_try_idle).
		 */
		ck_pr_fence_atomic_load();
		RT_TSAN_ACQUIRE(&mb->head);
		prev = (rti_mpsc_node *)((uintptr_t)prev & ~RTI_MAILBOX_IDLE);
	}
	/*
	 * Link the previous head to us. Release: whoever loads this link must
	 * see the node's contents (pairs with the acquire in rti_mailbox_pop).
	 */
	ck_pr_fence_atomic_store();
	RT_TSAN_RELEASE(&prev->next);
	ck_pr_store_ptr(&prev->next, node);
	return was_idle;
}

/* Load a node's link with acquire semantics (pairs with the push's link). */
static inline rti_mpsc_node *
rti_mailbox_load_next_(rti_mpsc_node *n)
{
	rti_mpsc_node *next = ck_pr_load_ptr(&n->next);

	ck_pr_fence_load();
	if (next != NULL)
		RT_TSAN_ACQUIRE(&n->next);
	return next;
}

static inline rti_mpsc_node *
rti_mailbox_pop_at(rti_mailbox *mb, rti_mpsc_node **tailp)
{
	rti_mpsc_node *tail = *tailp;
	rti_mpsc_node *next = rti_mailbox_load_next_(tail);
	rti_mpsc_node *head;

	if (tail == &mb->sentinel) {
		if (next == NULL)
			return NULL;
		/* Skip the sentinel: it carries no message. */
		*tailp = tail = next;
		next = rti_mailbox_load_next_(tail);
	}
	if (next != NULL) {
		*tailp = next;
		RT_TSAN_ACQUIRE(tail);
		return tail;
	}
	/*
	 * `tail` is the newest linked node. If it is not the head, a producer
	 * is between its exchange and its link: not empty, but nothing to
	 * take yet. The consumer holds the run token, so `head` has no idle
	 * bit here.
	 */
	head = ck_pr_load_ptr(&mb->head);
	if (tail != head)
		return NULL;
	/* Put the sentinel behind the last node so that it can be detached. */
	rti_mailbox_push_mpsc(mb, &mb->sentinel);
	next = rti_mailbox_load_next_(tail);
	if (next == NULL)
		return NULL;
	*tailp = next;
	RT_TSAN_ACQUIRE(tail);
	return tail;
}

static inline void
rti_mailbox_set_tail(rti_mailbox *mb, rti_mpsc_node *tail)
{
	/* Atomic: other threads read it for hints (relaxed, no promise). */
	ck_pr_store_ptr(&mb->tail, tail);
}

static inline rti_mpsc_node *
rti_mailbox_pop(rti_mailbox *mb)
{
	rti_mpsc_node *was = mb->tail, *tail = was;
	rti_mpsc_node *node = rti_mailbox_pop_at(mb, &tail);

	if (tail != was)
		rti_mailbox_set_tail(mb, tail);
	return node;
}

static inline bool
rti_mailbox_try_idle(rti_mailbox *mb)
{
	if (mb->tail != &mb->sentinel ||
	    rti_mailbox_load_next_(&mb->sentinel) != NULL)
		return false;
	/*
	 * Release the run token: everything written while holding it must be
	 * visible to the producer that next finds the idle bit (pairs with
	 * the acquire fence after the exchange in rti_mailbox_push_mpsc). A
	 * failed CAS means a producer swapped the head first: work arrived.
	 */
	RT_TSAN_RELEASE(&mb->head);
	ck_pr_fence_release();
	return ck_pr_cas_ptr(&mb->head, &mb->sentinel,
	    rti_mailbox_with_idle_(&mb->sentinel));
}

static inline bool
rti_mailbox_is_idle(rti_mailbox *mb)
{
	/* Relaxed: a diagnostic snapshot, nothing is published through it. */
	return ((uintptr_t)ck_pr_load_ptr(&mb->head) & RTI_MAILBOX_IDLE) != 0;
}

/*
 * rti_mailbox_oldest_hint: the oldest message node, or NULL, for a
 * prefetch by a thread that is not the consumer. Relaxed loads, no
 * promise: the node may be taken and freed meanwhile (prefetching a stale
 * address is harmless; never dereference the result).
 */
static inline const void *
rti_mailbox_oldest_hint(rti_mailbox *mb)
{
	rti_mpsc_node *n = ck_pr_load_ptr(&mb->tail);

	if (n == &mb->sentinel)
		n = ck_pr_load_ptr(&mb->sentinel.next);
	return n;
}

static inline bool
rti_mailbox_has_pending(rti_mailbox *mb)
{
	/*
	 * Relaxed loads: a hint for whether to look, taken without the
	 * consumer's end. Nodes are pending when the consumer's tail is on a
	 * message node (not the sentinel), when the sentinel has a successor,
	 * or when a producer has swapped the head. The head alone is not
	 * enough: the consumer puts the sentinel back behind the
	 * last node before taking that node, and if a producer slipped in
	 * between, the head is the sentinel again while two nodes wait in
	 * front of it.
	 */
	uintptr_t head = (uintptr_t)ck_pr_load_ptr(&mb->head) &
	    ~RTI_MAILBOX_IDLE;

	return ck_pr_load_ptr(&mb->tail) != &mb->sentinel ||
	    ck_pr_load_ptr(&mb->sentinel.next) != NULL ||
	    (rti_mpsc_node *)head != &mb->sentinel;
}

#endif
