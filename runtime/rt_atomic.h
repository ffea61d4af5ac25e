/* SPDX-License-Identifier: MIT */
/*
 * The one place where the runtime meets Concurrency Kit's atomics.
 *
 * ThreadSanitizer does not see the synchronisation done by ck_pr (inline
 * assembly, or volatile accesses with CK_USE_CC_BUILTINS), so a correct
 * publication through a CK structure would be reported as a data race on the
 * data it publishes. Every publish point therefore calls RT_TSAN_RELEASE(key)
 * just before the store or read-modify-write that publishes, and every
 * consume point calls RT_TSAN_ACQUIRE(key) just after the load that observes
 * it, with the same key on both sides. In builds without TSan both are empty.
 * Never silence TSan with suppressions instead: they would hide real races in
 * user payloads.
 */
#ifndef RT_RUNTIME_ATOMIC_H
#define RT_RUNTIME_ATOMIC_H

#include <ck_pr.h>

#if defined(__SANITIZE_THREAD__)
#define RT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RT_TSAN 1
#endif
#endif

#ifdef RT_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define RT_TSAN_ACQUIRE(key) __tsan_acquire((void *)(key))
#define RT_TSAN_RELEASE(key) __tsan_release((void *)(key))
#else
#define RT_TSAN_ACQUIRE(key) ((void)0)
#define RT_TSAN_RELEASE(key) ((void)0)
#endif

#define RT_CACHELINE 64

/*
 * Relaxed stores and loads of words that one thread writes and another only
 * samples (the watchdog's view of a worker), in the handler loop. Unlike
 * ck_pr_store_32 they carry no compiler barrier (its "memory" clobber made
 * the compiler reload the loop's state around every store); TSan sees them
 * as the atomics they are.
 */
#define RT_STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define RT_LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)

#endif
