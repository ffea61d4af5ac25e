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
#include "sched.h"
#include "system_int.h"

/* 32 bytes only ever holds small actor states; envelopes start at 64. */
static const uint32_t class_size[RTI_ENV_CLASSES] = { 32, 64, 128, 256, 512,
	1024, 2048 };

/* The class index + 1 for a block of `total` bytes, 0 when too large. */
static unsigned
class_of(size_t total)
{
	unsigned c;

	for (c = 0; c < RTI_ENV_CLASSES; c++)
		if (total <= class_size[c])
			return c + 1;
	return 0;
}

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

/* Move a batch from a full cache to the depot (or back to malloc). */
static void
spill(rt_system *sys, rti_env_cache *cache, unsigned c)
{
	rti_env_depot *d = &sys->depot[c];
	rt_env *batch = cache->head, *last = batch;
	unsigned i;

	for (i = 1; i < RTI_ENV_BATCH; i++)
		last = (rt_env *)last->node.next;
	cache->head = (rt_env *)last->node.next;
	cache->count -= RTI_ENV_BATCH;
	last->node.next = NULL;
	pthread_mutex_lock(&d->lock);
	if (d->nbatches < RTI_ENV_DEPOT_BYTES / (RTI_ENV_BATCH * class_size[c])) {
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

/* A block of class c (1-based) from the calling worker's cache, or NULL. */
static void *
cache_take(rti_worker *w, unsigned c)
{
	rti_env_cache *cache = &w->env_cache[c - 1];
	rt_env *b;

	if (cache->head == NULL)
		refill(w->sys, cache, c - 1);
	b = cache->head;
	if (b != NULL) {
		cache->head = (rt_env *)b->node.next;
		cache->count--;
	}
	return b;
}

static void
cache_put(rti_worker *w, unsigned c, void *block)
{
	rti_env_cache *cache = &w->env_cache[c - 1];
	rt_env *b = block;

	b->node.next = &cache->head->node;
	cache->head = b;
	if (++cache->count >= RTI_ENV_CACHE_MAX)
		spill(w->sys, cache, c - 1);
}

void *
rti_block_alloc(size_t size)
{
	rti_worker *w = rti_tls_worker;
	unsigned c = class_of(size);
	void *b = NULL;

	if (RTI_POOLS && c != 0 && w != NULL)
		b = cache_take(w, c);
	if (b == NULL)
		b = malloc(c != 0 ? class_size[c - 1] : size);
	return b;
}

void
rti_block_free(void *block, size_t size)
{
	rti_worker *w = rti_tls_worker;
	unsigned c = class_of(size);

	if (block == NULL)
		return;
	if (RTI_POOLS && c != 0 && w != NULL)
		cache_put(w, c, block);
	else
		free(block);
}

rt_env *
rti_env_alloc(size_t size)
{
	rt_env *env;

	if (size > UINT32_MAX - RT_ENV_PAYLOAD_OFFSET)
		return NULL;
	env = rti_block_alloc(RT_ENV_PAYLOAD_OFFSET + size);
	if (env == NULL)
		return NULL;
	memset(env, 0, sizeof(*env));
	env->size = (uint32_t)size;
	return env;
}

void
rti_env_free(rt_env *env)
{
	if (env != NULL)
		rti_block_free(env, RT_ENV_PAYLOAD_OFFSET + env->size);
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
		caches[c].head = NULL;
		caches[c].count = 0;
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
