/* SPDX-License-Identifier: MIT */
/*
 * The start ring: spawns without a ref from threads outside the system, as
 * compact records (class, size, arguments) in one array of words per
 * system. A worker turns each record into a start signal and a cell from
 * its own caches (sched.c, starts_take).
 *
 * Why not the envelope alone: a start signal from outside is a block that
 * the spawning thread fills on its core and a worker reads and frees on
 * another; so every spawn moved that block's line across and back, and a
 * thread that ran ahead of the workers took fresh blocks from malloc, with
 * a page fault every 64 of them. A record of an actor without arguments is
 * two words: four share a line, which crosses once for all of them, and
 * the ring's memory is the same few pages on every pass.
 *
 * Producers take `plock` with a try (a thread that finds it taken, or the
 * ring full, or arguments too big for a record or with strings or bytes,
 * which point into their envelope, sends the envelope through sys->starts
 * instead: a spawn never waits for another thread). Under it
 * a producer writes a record at `head` and then publishes it by storing
 * `head` past it. Consumers hold sys->starts_lock; they read records up
 * to `head` and store `tail` past those they are done with, which gives
 * the words back to producers. Positions count words and wrap at 2^32;
 * the ring holds RTI_SRING_WORDS, a power of two.
 *
 * A record is the class pointer, the payload size in bytes, then the
 * payload rounded up to whole words. A record never wraps: one that would
 * cross the end is preceded by a word 0 (a NULL class), which tells the
 * consumer to go on at the start.
 */
#ifndef RT_RUNTIME_STARTRING_H
#define RT_RUNTIME_STARTRING_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <ck_pr.h>
#include <ck_spinlock.h>
#include <rt/protocol.h>

#include "cell.h"
#include "rt_atomic.h"

#define RTI_SRING_WORDS 4096u  /* 32 KiB */
#define RTI_SRING_ARGS_MAX 64u /* the most payload a record carries */
#define RTI_SRING_AHEAD 32u    /* words: how far ahead lines are fetched */

typedef struct rti_sring {
	/* Producers' line: the lock, the published end, and what they
	 * last saw of the consumers' end. */
	ck_spinlock_fas_t plock __attribute__((aligned(RT_CACHELINE)));
	uint32_t head;      /* atomic: words before it hold whole records */
	uint32_t tail_seen; /* under plock */
	/* Consumers' end, under sys->starts_lock; producers read it only
	 * when the ring looks full. */
	uint32_t tail __attribute__((aligned(RT_CACHELINE))); /* atomic */
	uint64_t words[RTI_SRING_WORDS] __attribute__((aligned(RT_CACHELINE)));
} rti_sring;

static inline void
rti_sring_init(rti_sring *r)
{
	ck_spinlock_fas_init(&r->plock);
	r->head = 0;
	r->tail_seen = 0;
	r->tail = 0;
}

static inline uint32_t
rti_sring_words_of(uint32_t size)
{
	return 2 + (size + 7) / 8;
}

/*
 * Append a record of `size` bytes of `args` for class `cls`, under plock
 * (rti_sring_push). Returns false, having written nothing, if there is no
 * room.
 */
static inline bool
rti_sring_put(rti_sring *r, const rt_actor_class *cls, const void *args,
    uint32_t size)
{
	uint32_t need = rti_sring_words_of(size), h = r->head, at, pad;

	at = h & (RTI_SRING_WORDS - 1);
	pad = at + need > RTI_SRING_WORDS ? RTI_SRING_WORDS - at : 0;
	if (h + pad + need - r->tail_seen > RTI_SRING_WORDS) {
		/* Acquire: the consumers have read the records before
		 * `tail` (their release) before these words are written
		 * again. */
		r->tail_seen = ck_pr_load_32(&r->tail);
		ck_pr_fence_acquire();
		RT_TSAN_ACQUIRE(&r->tail);
		if (h + pad + need - r->tail_seen > RTI_SRING_WORDS)
			return false;
	}
	if (pad != 0) {
		r->words[at] = 0;
		h += pad;
		at = 0;
	}
	/* The line some records ahead, owned before it is written: the
	 * consumer read it last, on its core, and the locked operation
	 * below waits for each line this record is in (only lines already
	 * given back: a line still being read would be taken from its
	 * reader). */
	if (h + need + RTI_SRING_AHEAD - r->tail_seen <= RTI_SRING_WORDS)
		rti_prefetch_w(&r->words[(h + need + RTI_SRING_AHEAD) &
		    (RTI_SRING_WORDS - 1)]);
	r->words[at] = (uint64_t)(uintptr_t)cls;
	r->words[at + 1] = size;
	if (size != 0)
		memcpy(&r->words[at + 2], args, size);
	/*
	 * Release: the record is whole before a consumer can see `head` past
	 * it. An exchange, not a store, so that the caller's look for parked
	 * workers comes after it (an atomic operation, as a push to a
	 * mailbox is: sched.c's maybe_wake_after_atomic).
	 */
	RT_TSAN_RELEASE(&r->head);
	ck_pr_fence_store_atomic();
	(void)ck_pr_fas_32(&r->head, h + need);
	return true;
}

/*
 * Append a record of `size` bytes of `args` for class `cls`. Returns false,
 * having written nothing, if another producer holds the ring, `size` is
 * over RTI_SRING_ARGS_MAX, or there is no room: the caller then sends the
 * start another way, and a spawn never waits for another thread.
 */
static inline bool
rti_sring_push(rti_sring *r, const rt_actor_class *cls, const void *args,
    uint32_t size)
{
	bool put;

	if (size > RTI_SRING_ARGS_MAX || !ck_spinlock_fas_trylock(&r->plock))
		return false;
	/* The lock hands over `head` and `tail_seen` (ck's trylock is an
	 * atomic exchange with acquire semantics; TSan cannot see it). */
	RT_TSAN_ACQUIRE(&r->plock);
	put = rti_sring_put(r, cls, args, size);
	RT_TSAN_RELEASE(&r->plock);
	ck_spinlock_fas_unlock(&r->plock);
	return put;
}

/* Whether records wait (a snapshot, any thread). Relaxed: a hint. */
static inline bool
rti_sring_pending(rti_sring *r)
{
	return ck_pr_load_32(&r->head) != ck_pr_load_32(&r->tail);
}

/*
 * Consumers, under sys->starts_lock: rti_sring_begin gives the published
 * end and sets *t to the consumers' end; rti_sring_next reads the record
 * at *t (false once *t reaches `h`) and moves *t past it; rti_sring_end
 * gives the words before `t` back once their records have been read.
 */
static inline uint32_t
rti_sring_begin(rti_sring *r, uint32_t *t)
{
	/* Acquire: the records before `head` are whole (the producer's
	 * release). */
	uint32_t h = ck_pr_load_32(&r->head);

	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&r->head);
	*t = r->tail;
	return h;
}

static inline bool
rti_sring_next(rti_sring *r, uint32_t *t, uint32_t h,
    const rt_actor_class **cls, const void **args, uint32_t *size)
{
	uint32_t at;

	if (*t == h)
		return false;
	at = *t & (RTI_SRING_WORDS - 1);
	if (r->words[at] == 0) {
		/* The rest up to the end is padding. */
		*t += RTI_SRING_WORDS - at;
		at = 0;
	}
	*cls = (const rt_actor_class *)(uintptr_t)r->words[at];
	*size = (uint32_t)r->words[at + 1];
	*args = &r->words[at + 2];
	*t += rti_sring_words_of(*size);
	return true;
}

static inline void
rti_sring_end(rti_sring *r, uint32_t t)
{
	/* Release: the records before `t` are read (copied into start
	 * signals) before a producer may write over them. */
	RT_TSAN_RELEASE(&r->tail);
	ck_pr_fence_release();
	ck_pr_store_32(&r->tail, t);
}

#endif
