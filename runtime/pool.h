/* SPDX-License-Identifier: MIT */
/*
 * The fast paths of the block pools (envelope.c has the theory and the
 * slow paths): taking a block from the calling worker's cache and giving it
 * back are a few loads and stores, inlined into every send and every
 * handled message.
 */
#ifndef RT_RUNTIME_POOL_H
#define RT_RUNTIME_POOL_H

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "sched.h"

/* Size of class c (1-based): 32, 64, ... 2048 bytes. */
static inline uint32_t
rti_class_size(unsigned c)
{
	return 16u << c;
}

/* The class (1-based) of a block of `total` bytes, 0 when too large. */
static inline unsigned
rti_class_of(size_t total)
{
	/* The class of n > 32 is ceil(log2(n)) - 4: one count of leading
	 * zeros. */
	if (total <= 32)
		return 1;
	if (total > 2048)
		return 0;
	return (unsigned)(32 - __builtin_clz((unsigned)total - 1)) - 4;
}

/* Slow paths (envelope.c): refill an empty cache, spill a full one. */
void *rti_block_refill(rti_worker *w, unsigned c);
void rti_block_spill(rti_worker *w, unsigned c);

static inline void *
rti_block_alloc(size_t size)
{
	rti_worker *w = rti_tls_worker;
	unsigned c = rti_class_of(size);

	if (RTI_POOLS && c != 0 && w != NULL) {
		rti_env_cache *cache = &w->env_cache[c - 1];
		rt_env *b = cache->head;

		if (b == NULL)
			return rti_block_refill(w, c);
		cache->head = (rt_env *)b->node.next;
		cache->count--;
		return b;
	}
	return malloc(c != 0 ? rti_class_size(c) : size);
}

static inline void
rti_block_free(void *block, size_t size)
{
	rti_worker *w = rti_tls_worker;
	unsigned c = rti_class_of(size);

	if (block == NULL)
		return;
	if (RTI_POOLS && c != 0 && w != NULL) {
		rti_env_cache *cache = &w->env_cache[c - 1];
		rt_env *b = block;

		b->node.next = &cache->head->node;
		cache->head = b;
		if (++cache->count >= RTI_ENV_CACHE_MAX)
			rti_block_spill(w, c);
		return;
	}
	free(block);
}

static inline rt_env *
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

static inline void
rti_env_free(rt_env *env)
{
	if (env != NULL)
		rti_block_free(env, RT_ENV_PAYLOAD_OFFSET + env->size);
}

#endif
