/* SPDX-License-Identifier: MIT */
/*
 * The start ring: spawns without a ref from threads outside the system, as
 * compact records (class, size, arguments) in a chain of segments of words
 * per system. A worker turns each record into a start signal and a cell
 * from its own caches (sched.c, starts_take).
 *
 * Why not the envelope alone: a start signal from outside is a block that
 * the spawning thread fills on its core and a worker reads and frees on
 * another; so every spawn moved that block's line across and back, and a
 * thread that ran ahead of the workers took fresh blocks from malloc, with
 * a page fault every 64 of them. A record of an actor without arguments is
 * two words: four share a line, which crosses once for all of them.
 *
 * Why a chain and not one ring: a thread that spawns faster than the
 * workers start runs ahead of them by as much as it likes. With a ring of
 * a fixed size, the spawns past its end took the envelope path again, at
 * about three times the cost for that thread, just when it was ahead, and
 * the backlog was envelopes, four times the memory. Here the producer
 * links a new segment when its own is full, and the consumers give each
 * segment back once they are past it. One is kept as the spare that the
 * producer takes next: while the workers keep up, the chain is a ring of
 * two segments, the same memory on every pass. The first segment is
 * 32 KiB in the system's own memory; the later ones are mappings of one
 * huge page each (rti_sring_seg_map), unmapped when given back beyond the
 * spare.
 *
 * Producers take `plock` with a try (a thread that finds it taken, or no
 * memory for a segment, or arguments too big for a record or with strings
 * or bytes, which point into their envelope, sends the envelope through
 * sys->starts instead: a spawn never waits for another thread). Under it
 * a producer writes a record at `head` and then publishes it by storing
 * `head` past it. Consumers hold sys->starts_lock; they read records up
 * to `head` and store `tail` past those they are done with (a hint for
 * rti_sring_pending). Positions count words and wrap at 2^32 (the chain
 * is never let grow past 2^31 words); a segment's words take the
 * positions after the one before it (`pbase` and `cbase` are where the
 * producers' and the consumers' segments begin).
 *
 * A record is the class pointer, the payload size in bytes, then the
 * payload rounded up to whole words. A record never crosses segments: one
 * that would is preceded by a word 0 (a NULL class), which tells the
 * consumer to go on in the next segment, as does reaching a segment's end.
 */
#ifndef RT_RUNTIME_STARTRING_H
#define RT_RUNTIME_STARTRING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ck_pr.h>
#include <ck_spinlock.h>
#include <rt/protocol.h>

#include "cell.h"
#include "rt_atomic.h"

#define RTI_SRING_FIRST_WORDS 4096u    /* the first segment's: 32 KiB */
#define RTI_SRING_SEG_BYTES (2u << 20) /* each later one's: a huge page */
#define RTI_SRING_ARGS_MAX 64u         /* the most payload a record carries */
#define RTI_SRING_AHEAD 32u /* words: how far ahead lines are fetched */

/* A segment: this header, then its words (in the same mapping for the
 * later ones). */
typedef struct rti_sring_seg {
	/* The segment after this one: written by the producer before it
	 * publishes a `head` past this segment's end. */
	struct rti_sring_seg *next;
	uint64_t *words;
	uint32_t nwords;
} __attribute__((aligned(RT_CACHELINE))) rti_sring_seg;

typedef struct rti_sring {
	/* Producers' line: the lock, the published end, and where they
	 * write. */
	ck_spinlock_fas_t plock __attribute__((aligned(RT_CACHELINE)));
	uint32_t head;       /* atomic: words before it hold whole records */
	uint32_t pbase;      /* under plock: the position of pseg's words[0] */
	rti_sring_seg *pseg; /* under plock: the segment `head` is in */
	/* Consumers' line, under sys->starts_lock. */
	uint32_t tail __attribute__((aligned(RT_CACHELINE))); /* atomic */
	uint32_t cbase;       /* the position of cseg's words[0] */
	rti_sring_seg *cseg;  /* the segment `tail` is in */
	rti_sring_seg *spare; /* atomic: given back, for the next segment */
	/* The first segment, in the system's own memory, never unmapped. */
	rti_sring_seg first;
	uint64_t first_words[RTI_SRING_FIRST_WORDS]
	    __attribute__((aligned(RT_CACHELINE)));
} rti_sring;

static inline void
rti_sring_init(rti_sring *r)
{
	ck_spinlock_fas_init(&r->plock);
	r->head = 0;
	r->pbase = 0;
	r->pseg = &r->first;
	r->tail = 0;
	r->cbase = 0;
	r->cseg = &r->first;
	r->spare = NULL;
	r->first.next = NULL;
	r->first.words = r->first_words;
	r->first.nwords = RTI_SRING_FIRST_WORDS;
}

/*
 * A new segment: RTI_SRING_SEG_BYTES mapped at a multiple of that size,
 * with the advice to back it with one huge page where the kernel does so
 * on request (transparent_hugepage "madvise"). The memory is touched only
 * when a spawner runs that far ahead; its first touch costs one fault,
 * where 4 KiB pages cost 512, which was a third of a spawner's time on a
 * virtual machine. NULL if there is no memory.
 */
static inline rti_sring_seg *
rti_sring_seg_map(void)
{
	size_t len = RTI_SRING_SEG_BYTES;
	char *m, *a;
	rti_sring_seg *s;

	m = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/* Keep the aligned part of twice the size. */
	a = (char *)(((uintptr_t)m + len - 1) & ~(uintptr_t)(len - 1));
	if (a != m)
		(void)munmap(m, (size_t)(a - m));
	if (a + len != m + 2 * len)
		(void)munmap(a + len, (size_t)(m + 2 * len - (a + len)));
#ifdef MADV_HUGEPAGE
	(void)madvise(a, len, MADV_HUGEPAGE); /* advice: may be refused */
#endif
	s = (rti_sring_seg *)(void *)a;
	s->words = (uint64_t *)(void *)(a + sizeof(*s));
	s->nwords = (uint32_t)((len - sizeof(*s)) / sizeof(uint64_t));
	return s;
}

static inline void
rti_sring_seg_unmap(rti_sring *r, rti_sring_seg *s)
{
	if (s != NULL && s != &r->first)
		(void)munmap(s, RTI_SRING_SEG_BYTES);
}

/* Unmap the segments, once nothing pushes or takes any more. */
static inline void
rti_sring_free(rti_sring *r)
{
	rti_sring_seg *s = r->cseg, *n;

	for (; s != NULL; s = n) {
		n = s->next;
		rti_sring_seg_unmap(r, s);
	}
	rti_sring_seg_unmap(r, r->spare);
	rti_sring_init(r);
}

static inline uint32_t
rti_sring_words_of(uint32_t size)
{
	return 2 + (size + 7) / 8;
}

/* A segment for the producer: the spare, or a new one. */
static inline rti_sring_seg *
rti_sring_seg_take(rti_sring *r)
{
	/* Acquire: the consumers' reads of the spare's records are done
	 * before its words are written again (pairs with the release in
	 * rti_sring_seg_give). */
	rti_sring_seg *s = ck_pr_fas_ptr(&r->spare, NULL);

	if (s != NULL) {
		ck_pr_fence_acquire();
		RT_TSAN_ACQUIRE(&r->spare);
		return s;
	}
	return rti_sring_seg_map();
}

/* A segment the consumers are past: kept as the spare, or unmapped. */
static inline void
rti_sring_seg_give(rti_sring *r, rti_sring_seg *s)
{
	/* Release: pairs with the acquire in rti_sring_seg_take. */
	RT_TSAN_RELEASE(&r->spare);
	ck_pr_fence_release();
	if (!ck_pr_cas_ptr(&r->spare, NULL, s))
		rti_sring_seg_unmap(r, s);
}

/*
 * Append a record of `size` bytes of `args` for class `cls`, under plock
 * (rti_sring_push). Returns false, having written nothing, if it needs a
 * segment and there is no memory for one (or the chain holds 2^31 words).
 */
static inline bool
rti_sring_put(rti_sring *r, const rt_actor_class *cls, const void *args,
    uint32_t size)
{
	uint32_t need = rti_sring_words_of(size), h = r->head;
	uint32_t at = h - r->pbase;
	uint64_t *words;

	if (at + need > r->pseg->nwords) {
		rti_sring_seg *s;

		/* Relaxed: the distance only bounds the chain (positions
		 * must not wrap past the consumers' end). */
		if (h - ck_pr_load_32(&r->tail) >= (1u << 31) ||
		    (s = rti_sring_seg_take(r)) == NULL)
			return false;
		s->next = NULL;
		if (at < r->pseg->nwords)
			r->pseg->words[at] = 0;
		/* Plain: the consumers read it only once `head` is past
		 * this segment (the release below). */
		r->pseg->next = s;
		r->pbase += r->pseg->nwords;
		r->pseg = s;
		h = r->pbase;
		at = 0;
	}
	words = r->pseg->words;
	/* The line some records ahead, owned before it is written: the
	 * consumers last read it, on their core, before the segment was
	 * given back; and the locked operation below waits for each line
	 * this record is in. */
	if (at + need + RTI_SRING_AHEAD < r->pseg->nwords)
		rti_prefetch_w(&words[at + need + RTI_SRING_AHEAD]);
	words[at] = (uint64_t)(uintptr_t)cls;
	words[at + 1] = size;
	if (size != 0)
		memcpy(&words[at + 2], args, size);
	/*
	 * Release: the record (and a new segment's link) is whole before a
	 * consumer can see `head` past it. An exchange, not a store, so
	 * that the caller's look for parked workers comes after it (an
	 * atomic operation, as a push to a mailbox is: sched.c's
	 * maybe_wake_after_atomic).
	 */
	RT_TSAN_RELEASE(&r->head);
	ck_pr_fence_store_atomic();
	(void)ck_pr_fas_32(&r->head, h + need);
	return true;
}

/*
 * Append a record of `size` bytes of `args` for class `cls`. Returns false,
 * having written nothing, if another producer holds the ring, `size` is
 * over RTI_SRING_ARGS_MAX, or there is no memory for a segment: the caller
 * then sends the start another way, and a spawn never waits for another
 * thread.
 */
static inline bool
rti_sring_push(rti_sring *r, const rt_actor_class *cls, const void *args,
    uint32_t size)
{
	bool put;

	if (size > RTI_SRING_ARGS_MAX || !ck_spinlock_fas_trylock(&r->plock))
		return false;
	/* The lock hands over `pbase` and `pseg` (ck's trylock is an
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
 * at *t (false once *t reaches `h`) and moves *t past it, and the record's
 * `args` stay readable until the next call; rti_sring_end stores the
 * consumers' end.
 */
static inline uint32_t
rti_sring_begin(rti_sring *r, uint32_t *t)
{
	/* Acquire: the records before `head` are whole, and the links of
	 * the segments they are in written (the producer's release). */
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
	const uint64_t *words;

	if (*t == h)
		return false;
	at = *t - r->cbase;
	if (at == r->cseg->nwords || r->cseg->words[at] == 0) {
		/* The rest of the segment is padding: on in the next, and
		 * this one, whose last record has been read, goes back. */
		rti_sring_seg *done = r->cseg;

		r->cseg = done->next;
		r->cbase += done->nwords;
		*t = r->cbase;
		at = 0;
		rti_sring_seg_give(r, done);
	}
	words = r->cseg->words;
	*cls = (const rt_actor_class *)(uintptr_t)words[at];
	*size = (uint32_t)words[at + 1];
	*args = &words[at + 2];
	*t += rti_sring_words_of(*size);
	return true;
}

static inline void
rti_sring_end(rti_sring *r, uint32_t t)
{
	/* Relaxed: only rti_sring_pending reads it outside starts_lock,
	 * and the lock hands it to the next consumer. */
	ck_pr_store_32(&r->tail, t);
}

#endif
