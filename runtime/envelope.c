/* SPDX-License-Identifier: MIT */
/*
 * Envelope memory. One block per envelope, header and payload together, so a
 * message costs one allocation and one free whatever its strings. The block
 * is owned by whoever holds the envelope: the sender until the push, then
 * the target's mailbox, then the worker that handles it, which frees it.
 *
 * In the steady state no envelope touches malloc: a worker allocates from
 * its own cache of free blocks of the right size class and frees into it.
 * A worker that only frees (a receiver) spills batches to the depot, and a
 * worker that only allocates (a sender) takes batches from it, one lock per
 * RTI_ENV_BATCH messages. Blocks are plain malloc'd blocks of their class
 * size, so the pools are only a cache in front of malloc: whoever has no
 * cache at hand simply calls malloc or free.
 */
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "pool.h"
#include "sched.h"
#include "system_int.h"

/* Classes by 16 bytes (pool.h): 32, then a power of two. */
#define C2(c) c, c
#define C4(c) C2(c), C2(c)
#define C8(c) C4(c), C4(c)
#define C16(c) C8(c), C8(c)
#define C32(c) C16(c), C16(c)
#define C64(c) C32(c), C32(c)
const uint8_t rti_class_tab[2048 / 16 + 1] = {
	1,
	C2(1),
	C2(2),
	C4(3),
	C8(4),
	C16(5),
	C32(6),
	C64(7),
};
#undef C2
#undef C4
#undef C8
#undef C16
#undef C32
#undef C64

/* Take a batch from the depot into an empty cache. */
static void
refill(rt_system *sys, rti_env_cache *cache, unsigned c)
{
	rti_env_depot *d = &sys->depot[c];
	rt_env *batch;

	/* Relaxed peek: a sender that outruns every receiver finds the depot
	 * empty on each allocation, and must not pay for the lock. */
	if (ck_pr_load_32(&d->nbatches) == 0)
		return;
	pthread_mutex_lock(&d->lock);
	batch = d->batches;
	if (batch != NULL) {
		d->batches = (rt_env *)batch->cell;
		ck_pr_store_32(&d->nbatches, d->nbatches - 1);
	}
	pthread_mutex_unlock(&d->lock);
	if (batch != NULL) {
		cache->head = batch;
		cache->count = RTI_ENV_BATCH;
	}
}

/*
 * Give a batch of RTI_ENV_BATCH blocks, linked by node.next and ending in
 * NULL, to the depot (or back to malloc when it holds enough).
 */
static void
depot_put(rt_system *sys, rt_env *batch, unsigned c)
{
	rti_env_depot *d = &sys->depot[c];

	pthread_mutex_lock(&d->lock);
	if (d->nbatches <
	    RTI_ENV_DEPOT_BYTES / (RTI_ENV_BATCH * rti_class_size(c + 1))) {
		batch->cell = (rt_cell *)d->batches;
		d->batches = batch;
		ck_pr_store_32(&d->nbatches, d->nbatches + 1);
		batch = NULL;
	}
	pthread_mutex_unlock(&d->lock);
	while (batch != NULL) {
		rt_env *next = (rt_env *)batch->node.next;

		free(batch);
		batch = next;
	}
}

/* Refill an empty cache from the depot and take a block, else malloc. */
static void *
refill_take(rt_system *sys, rti_env_cache *cache, unsigned c)
{
	rt_env *b;

	refill(sys, cache, c - 1);
	b = rti_cache_pop(cache);
	return b != NULL ? b : malloc(rti_class_size(c));
}

void *
rti_block_refill(rti_worker *w, unsigned c)
{
	rti_env_cache *cache = &w->env_cache[c - 1];

	if (cache->spare != NULL) {
		cache->head = cache->spare;
		cache->count = RTI_ENV_BATCH;
		cache->spare = NULL;
		return rti_cache_pop(cache);
	}
	return refill_take(w->sys, cache, c);
}

void
rti_block_spill(rti_worker *w, unsigned c)
{
	rti_env_cache *cache = &w->env_cache[c - 1];

	/* The list is a whole batch: it becomes the spare, and the old
	 * spare, if any, goes to the depot. No walk either way. */
	if (cache->spare != NULL)
		depot_put(w->sys, cache->spare, c - 1);
	cache->spare = cache->head;
	cache->head = NULL;
	cache->count = 0;
}

__thread rti_env_cache rti_tls_ext_cache[RTI_ENV_CLASSES];

static pthread_key_t ext_key;
static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

/* A thread that used its own cache exits: give the blocks back. */
static void
ext_cache_release(void *unused)
{
	(void)unused;
	rti_env_caches_drain(rti_tls_ext_cache);
}

static void
ext_key_create(void)
{
	pthread_key_create(&ext_key, ext_cache_release);
}

/* Whether this thread has set ext_key (tested on every refill). */
static __thread bool ext_keyed __attribute__((tls_model("initial-exec")));

void
rti_block_adopt_ext(void)
{
	if (ext_keyed)
		return;
	/* A non-NULL value makes the key's destructor run at thread exit. */
	pthread_once(&ext_once, ext_key_create);
	if (pthread_setspecific(ext_key, rti_tls_ext_cache) == 0)
		ext_keyed = true;
}

void *
rti_block_refill_ext(rt_system *sys, unsigned c)
{
	rti_block_adopt_ext();
	return refill_take(sys, &rti_tls_ext_cache[c - 1], c);
}

int
rti_env_depot_init(rti_env_depot *depots)
{
	unsigned c;

	for (c = 0; c < RTI_ENV_CLASSES; c++) {
		depots[c].batches = NULL;
		depots[c].nbatches = 0;
		if (pthread_mutex_init(&depots[c].lock, NULL) != 0) {
			while (c-- > 0)
				pthread_mutex_destroy(&depots[c].lock);
			return RT_ENOMEM;
		}
	}
	return 0;
}

static void
free_list(rt_env *env)
{
	while (env != NULL) {
		rt_env *next = (rt_env *)env->node.next;

		free(env);
		env = next;
	}
}

void
rti_env_caches_drain(rti_env_cache *caches)
{
	unsigned c;

	for (c = 0; c < RTI_ENV_CLASSES; c++) {
		free_list(caches[c].head);
		free_list(caches[c].spare);
		caches[c].head = NULL;
		caches[c].count = 0;
		caches[c].spare = NULL;
	}
}

void
rti_env_depot_destroy(rti_env_depot *depots)
{
	unsigned c;

	for (c = 0; c < RTI_ENV_CLASSES; c++) {
		rt_env *batch = depots[c].batches;

		while (batch != NULL) {
			rt_env *next = (rt_env *)batch->cell;

			free_list(batch);
			batch = next;
		}
		depots[c].batches = NULL;
		pthread_mutex_destroy(&depots[c].lock);
	}
}
