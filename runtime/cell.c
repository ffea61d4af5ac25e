/* SPDX-License-Identifier: MIT */
/*
 * The cell directory: chunks of cells carved in order, and a stack of
 * recycled cells. Spawning and final stops take the directory lock; sends
 * never do, they only read the cell the ref points at.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cell.h"

int
rti_cell_dir_init(rti_cell_dir *dir)
{
	pthread_mutexattr_t ma;
	int rc;

	memset(dir, 0, sizeof(*dir));
	/*
	 * Adaptive: the critical sections are a few pointer moves, so a
	 * thread that finds the lock taken spins briefly instead of going to
	 * sleep in the kernel at once (which a spawning main thread and a
	 * worker recycling cells did thousands of times a second).
	 */
	if (pthread_mutexattr_init(&ma) != 0)
		return RT_ENOMEM;
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
	rc = pthread_mutex_init(&dir->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	if (rc != 0)
		return RT_ENOMEM;
	dir->carved = 0; /* no chunk yet: the first spawn makes one */
	return 0;
}

/*
 * Chunks after the first are 2 MiB, aligned, and asked to be one huge
 * page. A burst of spawns (a million actors from main, a tree of actors
 * growing) carves hundreds of megabytes of cells that nobody touched
 * before: with 4 KiB pages, a page fault every 21 cells for the thread
 * that carves, and a TLB miss on almost every cell for the worker that
 * starts them, since they are started long after they were carved. A
 * system that never needs more than one chunk stays small.
 */
#define HUGE_CHUNK (2u << 20)

static struct rti_cell_chunk *
chunk_new(bool first)
{
	struct rti_cell_chunk *chunk;
	size_t head = offsetof(struct rti_cell_chunk, cells);

	if (!first) {
		char *p = mmap(NULL, 2 * HUGE_CHUNK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED) {
			uintptr_t a = ((uintptr_t)p + HUGE_CHUNK - 1) &
			    ~(uintptr_t)(HUGE_CHUNK - 1);
			char *start = (char *)a;

			/* Keep the aligned 2 MiB, give back the rest. */
			if (start != p)
				munmap(p, (size_t)(start - p));
			munmap(start + HUGE_CHUNK,
			    (size_t)(p + 2 * HUGE_CHUNK -
				(start + HUGE_CHUNK)));
			/* A hint: without huge pages it is plain memory. */
			(void)madvise(start, HUGE_CHUNK, MADV_HUGEPAGE);
			chunk = (struct rti_cell_chunk *)start;
			chunk->ncells = (unsigned)((HUGE_CHUNK - head) /
			    sizeof(rt_cell));
			chunk->mapped = true;
			return chunk;
		}
	}
	chunk = aligned_alloc(RT_CACHELINE,
	    head + RTI_CELLS_PER_CHUNK * sizeof(rt_cell));
	if (chunk == NULL)
		return NULL;
	/* Zeroed now, as mapped memory comes: carving writes only what
	 * is not zero. */
	memset(chunk->cells, 0, RTI_CELLS_PER_CHUNK * sizeof(rt_cell));
	chunk->ncells = RTI_CELLS_PER_CHUNK;
	chunk->mapped = false;
	return chunk;
}

static void
chunk_free(struct rti_cell_chunk *chunk)
{
	if (chunk->mapped)
		munmap(chunk, HUGE_CHUNK);
	else
		free(chunk);
}

void
rti_cell_dir_destroy(rti_cell_dir *dir)
{
	struct rti_cell_chunk *c, *next;

	for (c = dir->chunks; c != NULL; c = next) {
		next = c->next;
		chunk_free(c);
	}
	dir->chunks = NULL;
	free(dir->free);
	dir->free = NULL;
	dir->nfree = dir->room = 0;
	pthread_mutex_destroy(&dir->lock);
}

/*
 * The next spawn will write the next free cell's first two lines (its
 * mailbox, generation and bound; its class, and its link is read to
 * unlink it): ask for them now, so that they are on their way while the
 * caller fills in this one. A spawning thread otherwise waits for each
 * cold line of each cell in turn, at its next locked instruction. The
 * third line (lanes and statistics) is the running worker's alone: taking
 * it here would only make that worker fetch it back.
 */
static inline void
prefetch_next(rt_cell *cell)
{
	rti_prefetch_w(cell);
	rti_prefetch_w((char *)cell + RT_CACHELINE);
}

/*
 * How many cells ahead of the one it takes a thread without a cache asks
 * for: a cell last run on another core takes a few hundred ns to come
 * over, longer than a spawn from outside takes, so the one after next
 * would still be on its way.
 */
#define FREE_AHEAD 4

/* Push a free cell on the directory's stack, with its lock held. */
static inline void
free_push(rti_cell_dir *dir, rt_cell *cell)
{
	dir->free[dir->nfree++] = cell;
}

/* How many free cells a worker keeps; past that, half go back. */
#define CACHE_MAX 256
/* How many free cells a worker takes from the directory at once. */
#define REFILL 32

/*
 * The next cell of the newest chunk, with the directory lock held. The
 * chunk is zeroed memory (chunk_new): a fresh cell's other fields are
 * already right, and its lines past the first are left for the worker that
 * starts it to bring in, not this thread.
 */
static rt_cell *
carve(rt_system *sys, rti_cell_dir *dir)
{
	rt_cell *cell = &dir->chunks->cells[dir->carved];

	rti_mailbox_init(&cell->mb);
	cell->sys = sys;
	/* rti_cell_foreach reads the count under the same lock, so a plain
	 * store is enough. */
	dir->carved++;
	return cell;
}

rt_cell *
rti_cell_alloc(rt_system *sys, rti_cell_dir *dir, rti_cell_cache *cache)
{
	rt_cell *cell;

	if (cache != NULL && cache->head != NULL) {
		cell = cache->head;
		cache->head = cell->free_next;
		cache->count--;
		if (cache->head != NULL)
			prefetch_next(cache->head);
		return cell;
	}
	pthread_mutex_lock(&dir->lock);
	if (dir->nfree != 0) {
		cell = dir->free[--dir->nfree];
		if (cache == NULL) {
			if (dir->nfree >= FREE_AHEAD)
				prefetch_next(
				    dir->free[dir->nfree - FREE_AHEAD]);
		} else {
			/* A worker takes a few more while it holds the lock. */
			while (dir->nfree != 0 && cache->count < REFILL) {
				rt_cell *c = dir->free[--dir->nfree];

				c->free_next = cache->head;
				cache->head = c;
				cache->count++;
			}
		}
		pthread_mutex_unlock(&dir->lock);
		return cell;
	}
	if (dir->chunks == NULL || dir->carved == dir->chunks->ncells) {
		struct rti_cell_chunk *chunk;
		rt_cell **grown = NULL;

		chunk = chunk_new(dir->chunks == NULL);
		/* Room on the stack for every cell there will be. */
		if (chunk != NULL)
			grown = realloc(dir->free,
			    (dir->room + chunk->ncells) * sizeof(*grown));
		if (grown == NULL) {
			if (chunk != NULL)
				chunk_free(chunk);
			pthread_mutex_unlock(&dir->lock);
			return NULL;
		}
		dir->free = grown;
		dir->room += chunk->ncells;
		chunk->next = dir->chunks;
		dir->chunks = chunk;
		dir->carved = 0;
	}
	cell = carve(sys, dir);
	/*
	 * A worker carves a batch for its cache while it holds the lock: a
	 * tree of actors growing on every worker at once carves a cell per
	 * spawn, and taking the lock for each made the workers queue on it
	 * (a tenth of skynet's time with two).
	 */
	if (cache != NULL) {
		/* The cache is empty (or the first test would have taken
		 * from it): fill it in address order. */
		rt_cell **tail = &cache->head;

		while (cache->count < REFILL &&
		    dir->carved < dir->chunks->ncells) {
			*tail = carve(sys, dir);
			tail = &(*tail)->free_next;
			cache->count++;
		}
		*tail = NULL;
	}
	if (dir->carved < dir->chunks->ncells)
		prefetch_next(&dir->chunks->cells[dir->carved]);
	pthread_mutex_unlock(&dir->lock);
	return cell;
}

void
rti_cell_release(rti_cell_dir *dir, rti_cell_cache *cache, rt_cell *cell)
{
	if (cache != NULL) {
		cell->free_next = cache->head;
		cache->head = cell;
		if (++cache->count < CACHE_MAX)
			return;
		/* Too many: give back all but REFILL. */
		pthread_mutex_lock(&dir->lock);
		while (cache->count > REFILL) {
			rt_cell *c = cache->head;

			cache->head = c->free_next;
			cache->count--;
			free_push(dir, c);
		}
		pthread_mutex_unlock(&dir->lock);
		return;
	}
	pthread_mutex_lock(&dir->lock);
	free_push(dir, cell);
	pthread_mutex_unlock(&dir->lock);
}

void
rti_cell_cache_flush(rti_cell_dir *dir, rti_cell_cache *cache)
{
	pthread_mutex_lock(&dir->lock);
	while (cache->head != NULL) {
		rt_cell *c = cache->head;

		cache->head = c->free_next;
		free_push(dir, c);
	}
	cache->count = 0;
	pthread_mutex_unlock(&dir->lock);
}

void
rti_cell_foreach(rti_cell_dir *dir, void (*fn)(rt_cell *, void *), void *arg)
{
	struct rti_cell_chunk *c;
	unsigned n;

	pthread_mutex_lock(&dir->lock);
	n = dir->carved;
	for (c = dir->chunks; c != NULL; c = c->next) {
		unsigned i;

		for (i = 0; i < n; i++)
			fn(&c->cells[i], arg);
		if (c->next != NULL)
			n = c->next->ncells;
	}
	pthread_mutex_unlock(&dir->lock);
}

void
rti_cell_dir_view(rti_cell_dir *dir, struct rti_cell_chunk **chunks,
    unsigned *carved)
{
	pthread_mutex_lock(&dir->lock);
	*chunks = dir->chunks;
	*carved = dir->carved;
	pthread_mutex_unlock(&dir->lock);
}
