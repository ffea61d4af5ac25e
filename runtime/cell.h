/* SPDX-License-Identifier: MIT */
/*
 * Actor cells. A cell is the stable home of an actor: its mailbox, its
 * incarnation number (generation), and, while an actor lives in it, its
 * class and state. An rt_ref is (cell, generation). Cells come from chunks
 * that are never unmapped while the system lives, and are recycled through a
 * free list, so a stale ref always points at valid memory: its generation no
 * longer matches, and the send is refused or becomes a dead letter.
 *
 * Generations: a cell's `gen` is even while no actor lives in it and odd
 * while one does. Spawning stores gen + 1, the final stop stores gen + 1
 * again, so a ref's generation never comes back.
 */
#ifndef RT_RUNTIME_CELL_H
#define RT_RUNTIME_CELL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <rt/error.h>
#include <rt/protocol.h>

#include "mailbox.h"
#include "rt_atomic.h"

enum rti_cell_flags {
	RTI_CELL_STARTED = 1u << 0,  /* on_start succeeded: on_stop is owed */
	RTI_CELL_STOPPING = 1u << 1, /* rt_stop was called in this handler */
	RTI_CELL_WAITING = 1u << 2,  /* a supervised child between its exit
	                                and its restart (or final stop): its
	                                messages wait in the lanes */
	RTI_CELL_TRACED = 1u << 3,   /* rt_trace: each message handled is
	                                logged; kept across restarts */
};

struct rt_cell {
	/* Written by senders (atomically) and by the run-token holder. */
	rti_mailbox mb;
	uint64_t gen;          /* atomic: odd while alive */
	rt_system *sys;        /* immutable */
	rti_mpsc_node rq_node; /* link in the inject queue or a mute list */
	uint32_t bound;        /* atomic: mailbox bound, 0 unbounded; set
	                          at spawn */
	int32_t inject_hint;   /* atomic: while in the inject queue, where
	                          a cell queued after it is (sched.c) */
	uint32_t count;        /* atomic: counted messages not yet taken
	                          out (bounded mailboxes only) */
	uint32_t waiters;      /* atomic: plain threads waiting for room */
	uint32_t space_seq;    /* atomic futex word: bumped when room
	                          appears or the actor stops */
	uint32_t named;        /* atomic: 0, or 1 + the registry slot of
	                          this cell's name; written under the
	                          registry's lock (registry.c) */
	rti_mpsc_node *muted;  /* atomic: stack of actors muted on us,
	                          linked by their rq_node */
	const rt_actor_class *kind; /* atomic: the class, set at spawn, for
	                               threads that do not hold the token */

	/* Run-token holder only (the stats are read by others, ck_pr). */
	const rt_actor_class *cls; /* NULL while no actor lives here */
	union {
		/* Run-token holder, while an actor lives here: its state
		 * (NULL while a supervised child waits for its restart). */
		void *state;
		/* While no actor lives here: the link in the cache of free
		 * cells of the worker that holds it, written by that worker
		 * alone (the directory keeps pointers). A worker may still
		 * run such a cell for late messages; it must not read
		 * `state` then (handle() looks at `cls` first). */
		rt_cell *free_next;
	};
	uint64_t live_gen; /* the live incarnation's generation, 0 if
	                      none: `gen` without its shared line */
	uint16_t flags;    /* enum rti_cell_flags */
	uint16_t worker;   /* the worker of its last run, for the
	                      migration count (sched.c) */
	int32_t stop_reason;
	rt_env *urgent_head; /* lanes: messages taken from the mailbox */
	rt_env *urgent_tail;
	rt_env *normal_head;
	rt_env *normal_tail;
	uint32_t queued;  /* messages in the lanes (read by stats) */
	uint32_t retired; /* counted messages gone, not yet taken
	                     off `count` (done once per run) */
	uint32_t high_water;
	uint32_t stop_sent; /* shutdown only (under its lock): the low
	                       bits of the incarnation it signalled */
	uint64_t handled;
	uint64_t dead;

	/* atomic: links, monitors, asks, place in a supervision tree
	 * (bonds.h); made on first use and kept until the system ends. */
	struct rti_ext *ext;
} __attribute__((aligned(RT_CACHELINE)));

/*
 * A system's first chunk holds RTI_CELLS_PER_CHUNK cells from malloc;
 * the later ones are huge pages (cell.c), as many cells as fit.
 */
#define RTI_CELLS_PER_CHUNK 1024

struct rti_cell_chunk {
	struct rti_cell_chunk *next;
	unsigned ncells;
	bool mapped; /* from mmap, not malloc */
	rt_cell cells[] __attribute__((aligned(RT_CACHELINE)));
};

typedef struct rti_cell_dir {
	pthread_mutex_t lock;
	struct rti_cell_chunk *chunks; /* newest first */
	unsigned carved;               /* cells used in chunks->cells */
	/*
	 * Recycled cells, a stack of pointers rather than a list through the
	 * cells: taking one reads no cell, and the next few to go are known,
	 * so a spawning thread can ask for their lines well ahead. Room for
	 * every cell of every chunk, made before a chunk is added, so that
	 * giving a cell back never fails.
	 */
	rt_cell **free;
	size_t nfree;
	size_t room;
} rti_cell_dir;

/*
 * A worker's own free cells: spawning and final stops on a worker take no
 * lock; a cache that grows too big gives a batch back to the directory.
 */
typedef struct rti_cell_cache {
	rt_cell *head; /* linked by free_next */
	uint32_t count;
} rti_cell_cache;

int rti_cell_dir_init(rti_cell_dir *dir);

/* rti_cell_dir_destroy: free the chunks. Nothing may run any more. */
void rti_cell_dir_destroy(rti_cell_dir *dir);

/*
 * rti_cell_alloc: a cell with no actor in it (even generation), or NULL.
 * Its mailbox may still hold, or be about to receive, stale messages from
 * late senders: whoever runs it turns those into dead letters.
 */
rt_cell *rti_cell_alloc(rt_system *sys, rti_cell_dir *dir,
    rti_cell_cache *cache);

/*
 * rti_cell_release: put a cell whose actor has stopped on a free list: the
 * calling worker's cache, or the directory's when cache is NULL.
 */
void rti_cell_release(rti_cell_dir *dir, rti_cell_cache *cache, rt_cell *cell);

/* rti_cell_cache_flush: give a whole cache back to the directory. */
void rti_cell_cache_flush(rti_cell_dir *dir, rti_cell_cache *cache);

/*
 * rti_cell_foreach: call fn on every cell ever carved, with the directory
 * locked (so no cell is carved meanwhile). fn must not spawn.
 */
void rti_cell_foreach(rti_cell_dir *dir, void (*fn)(rt_cell *, void *),
    void *arg);

/*
 * rti_cell_dir_view: the chunks, and how many cells of the newest are
 * carved, read under the lock for an instant. A reader may then visit
 * every cell of that view without the lock, as rti_cell_foreach does with
 * it: chunks are only added at the head and never freed while the system
 * lives. Cells carved later are not in the view.
 */
void rti_cell_dir_view(rti_cell_dir *dir, struct rti_cell_chunk **chunks,
    unsigned *carved);

/*
 * The overflow policy of a bounded cell's actor. Relaxed: the class is
 * stored at spawn before the generation is published, and callers have
 * acquired that generation since.
 */
static inline uint32_t
rti_cell_overflow(rt_cell *cell)
{
	const rt_actor_class *cls = ck_pr_load_ptr(&cell->kind);

	return (uint32_t)cls->overflow;
}

/* Acquire load of the generation (pairs with rti_cell_set_gen). */
static inline uint64_t
rti_cell_gen(rt_cell *cell)
{
	uint64_t g = ck_pr_load_64(&cell->gen);

	ck_pr_fence_load();
	return g;
}

/*
 * Publish a new generation. Release: a sender that sees the new value must
 * also see what the writer did before (the state of a stopped actor is gone;
 * a new incarnation's start signal is queued).
 */
static inline void
rti_cell_set_gen(rt_cell *cell, uint64_t gen)
{
	ck_pr_fence_store();
	ck_pr_store_64(&cell->gen, gen);
}

/*
 * Ask for the line at `p` with the intent to write it, so that the store
 * that follows finds it owned instead of waiting (and making the next
 * locked instruction wait) for it. A hint: any address will do.
 * __builtin_prefetch(p, 1) only becomes PREFETCHW with -mprfchw.
 */
static inline void
rti_prefetch_w(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
#else
	__builtin_prefetch(p, 1);
#endif
}

static inline bool
rti_ref_alive(rt_ref ref)
{
	return ref.cell != NULL && rti_cell_gen(ref.cell) == ref.gen;
}

#endif
