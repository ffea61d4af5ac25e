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
#include "topic_int.h"

/* Size of class c (1-based): 32, 64, ... 2048 bytes. */
static inline uint32_t
rti_class_size(unsigned c)
{
	return 16u << c;
}

/*
 * rti_class_tab[i]: the class of a block of 16 * (i - 1) + 1 to 16 * i
 * bytes (the classes are multiples of 16 bytes). envelope.c.
 */
extern const uint8_t rti_class_tab[2048 / 16 + 1];

/* The class (1-based) of a block of `total` bytes, 0 when too large. */
static inline unsigned
rti_class_of(size_t total)
{
	if (total > 2048)
		return 0;
	/* A size known when compiling (a runtime signal's): ceil(log2(n))
	 * - 4, which folds to a constant. */
	if (__builtin_constant_p(total))
		return total <= 32 ?
		    1 :
		    28u - (unsigned)__builtin_clz((unsigned)total - 1);
	/* Else one load, where that took five instructions on every
	 * send. */
	return rti_class_tab[(total + 15) / 16];
}

/*
 * Threads outside any system (main, say) have a small cache of their own:
 * they take batches from the depot of the system they spawn in or send to,
 * so that the blocks a worker frees come back to them instead of going
 * through malloc. Blocks belong to no system, so the cache needs no
 * system either; a thread's cache is freed when the thread exits.
 */
extern __thread rti_env_cache rti_tls_ext_cache[RTI_ENV_CLASSES]
    __attribute__((tls_model("initial-exec")));

/*
 * Slow paths (envelope.c): refill an empty cache (from its spare, the
 * depot, or malloc) and take a block; put a full list aside as the spare
 * (envelope.h).
 */
void *rti_block_refill(rti_worker *w, unsigned c);
void rti_block_spill(rti_worker *w, unsigned c);
void *rti_block_refill_ext(rt_system *sys, unsigned c);
void rti_block_adopt_ext(void);

static inline rt_env *
rti_cache_pop(rti_env_cache *cache)
{
	rt_env *b = cache->head;

	if (b != NULL) {
		cache->head = (rt_env *)b->node.next;
		cache->count--;
	}
	return b;
}

static inline void
rti_cache_push(rti_env_cache *cache, void *block)
{
	rt_env *b = block;

	b->node.next = &cache->head->node;
	cache->head = b;
	cache->count++;
}

/*
 * rti_block_alloc_class: a block of class c, or of `size` bytes from
 * malloc when c is 0. A worker uses its own cache; another thread uses its
 * own, refilled from `sys`'s depot (sys may be NULL: then malloc).
 */
static inline void *
rti_block_alloc_class(rt_system *sys, unsigned c, size_t size)
{
	rti_worker *w = rti_tls_worker;

	if (RTI_POOLS && c != 0) {
		rt_env *b;

		if (w != NULL) {
			b = rti_cache_pop(&w->env_cache[c - 1]);
			return b != NULL ? b : rti_block_refill(w, c);
		}
		if (sys != NULL) {
			rti_env_cache *x = &rti_tls_ext_cache[c - 1];

			b = rti_cache_pop(x);
			if (b == NULL)
				return rti_block_refill_ext(sys, c);
			/* The next block's line, on its way while this one
			 * is filled: the blocks here were mostly freed by
			 * workers, on other cores (every envelope a thread
			 * outside sends), and each allocation would otherwise
			 * stall on the link of the next. A worker's own
			 * blocks are mostly in its cache already. */
			if (x->head != NULL)
				rti_prefetch_w(x->head);
			return b;
		}
	}
	return malloc(c != 0 ? rti_class_size(c) : size);
}

/* rti_block_alloc_sys: a block of `size` bytes, of its class. */
static inline void *
rti_block_alloc_sys(rt_system *sys, size_t size)
{
	return rti_block_alloc_class(sys, rti_class_of(size), size);
}

static inline void *
rti_block_alloc(size_t size)
{
	return rti_block_alloc_sys(NULL, size);
}

/* rti_block_free_class: rti_block_free for a block of class c (0: none). */
static inline void
rti_block_free_class(void *block, unsigned c)
{
	rti_worker *w = rti_tls_worker;

	if (RTI_POOLS && c != 0) {
		if (w != NULL) {
			rti_env_cache *cache = &w->env_cache[c - 1];

			rti_cache_push(cache, block);
			if (cache->count >= RTI_ENV_BATCH)
				rti_block_spill(w, c);
			return;
		}
		if (rti_tls_ext_cache[c - 1].count < RTI_ENV_BATCH) {
			if (rti_tls_ext_cache[c - 1].count == 0)
				rti_block_adopt_ext();
			rti_cache_push(&rti_tls_ext_cache[c - 1], block);
			return;
		}
	}
	free(block);
}

static inline void
rti_block_free(void *block, size_t size)
{
	if (block != NULL)
		rti_block_free_class(block, rti_class_of(size));
}

static inline rt_env *
rti_env_alloc_sys(rt_system *sys, size_t size)
{
	rt_env *env;
	unsigned c;

	if (size > UINT32_MAX - RT_ENV_PAYLOAD_OFFSET)
		return NULL;
	c = rti_class_of(RT_ENV_PAYLOAD_OFFSET + size);
	env = rti_block_alloc_class(sys, c, RT_ENV_PAYLOAD_OFFSET + size);
	if (env == NULL)
		return NULL;
	memset(env, 0, sizeof(*env));
	env->size = (uint32_t)size;
	/* Freeing it then needs no size arithmetic. */
	env->pool = (uint8_t)c;
	return env;
}

static inline rt_env *
rti_env_alloc(size_t size)
{
	return rti_env_alloc_sys(NULL, size);
}

static inline void
rti_env_free(rt_env *env)
{
	if (env == NULL)
		return;
	if (__builtin_expect(env->flags & RTI_ENV_SHARED, 0))
		rti_env_unshare(env);
	rti_block_free_class(env, env->pool);
}

#endif
