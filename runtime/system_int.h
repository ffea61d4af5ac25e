/* SPDX-License-Identifier: MIT */
/*
 * The system object, shared by the runtime's modules.
 */
#ifndef RT_RUNTIME_SYSTEM_INT_H
#define RT_RUNTIME_SYSTEM_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <rt/system.h>
#include <ck_spinlock.h>

#include "cell.h"
#include "clock.h"
#include "envelope.h"
#include "rt_atomic.h"
#include "sched.h"
#include "startring.h"

/* The subsystems a system owns, each in its own header, for the files
 * that use them (system.c allocates them together). */
struct rti_wheel;
struct rti_tokens;
struct rti_topics;
struct rti_test_log;

struct rt_system {
	/* Read-mostly, shared by every thread. */
	rt_config cfg;
	bool manual; /* a test system (rt/test.h): no worker threads,
	                virtual time */
	unsigned nworkers;
	rti_worker *workers;
	uint32_t stopping;  /* atomic: shutdown has begun, sends refused */
	uint32_t terminate; /* atomic: workers must exit */
	struct rti_registry *registry; /* names (registry.c); immutable */
	struct rti_watchdog *watchdog; /* or NULL (watchdog.c) */
	struct rti_io *io; /* atomic: the epoll set (io.c), made on the
	                      first watch, or NULL */
	uint64_t serial;   /* unique in the process, never reused (a new
	                      system may get a freed one's address) */
	/* The last crash reports (crashlog.c): made on the first, or
	 * NULL. Atomic. */
	struct rti_crashlog *crashlog;
	/* The node started on it (remote.c, under its lock), or NULL. */
	void *remote_node;
	const struct rt_remote_ops *remote_ops;

	/*
	 * Inject queue: cells made runnable by threads outside the system
	 * (or that did not fit a worker's run queue). Any thread pushes; the
	 * worker holding inject_lock pops.
	 */
	rti_mailbox inject __attribute__((aligned(RT_CACHELINE)));
	ck_spinlock_fas_t inject_lock;
	/*
	 * Start signals of actors that threads outside the system spawned
	 * without asking for a ref: the worker that takes one gives it a
	 * cell from its own cache (sched.c). Any thread pushes; the worker
	 * holding starts_lock pops.
	 */
	rti_mailbox starts __attribute__((aligned(RT_CACHELINE)));
	ck_spinlock_fas_t starts_lock;
	/* Most of them, as compact records (startring.h); `starts` takes
	 * those that do not fit. */
	rti_sring sring;

	/* Parking: how many workers are parked or searching for work, and
	 * how many of the parked ones will look again at a head kept for
	 * another worker (sched.c). */
	uint32_t nparked __attribute__((aligned(RT_CACHELINE))); /* atomic */
	uint32_t nsearching;                                     /* atomic */
	uint32_t nwatching;                                      /* atomic */
	uint32_t idle_wakes;   /* atomic: wake-ups in a row that found nothing
	                          (sched.c) */
	int64_t wake_quiet;    /* atomic: till then, a worker's surplus wakes
	                          nobody while a watcher looks */
	int64_t crowded_until; /* atomic: till then, the workers' threads
	                          wait for CPUs: nobody is woken while a
	                          worker is awake (sched.c) */

	/*
	 * Threads outside the system between their check of `stopping` and
	 * the end of their push (rt_env_send and the other sends). Shutdown
	 * waits for zero after setting `stopping`: from then on nothing new
	 * can enter a mailbox. Workers need no count: their sends run inside
	 * a live actor's handler, and shutdown waits for `live` anyway.
	 */
	uint32_t ext_inflight
	    __attribute__((aligned(RT_CACHELINE))); /* atomic */

	/*
	 * Live actors, plus what workers count ahead (rti_worker.live_over:
	 * exits not taken off yet, places taken for spawns to come): so it
	 * is never below the true count, and reaches zero only once every
	 * actor is gone and every worker has given back what it held.
	 * rt_system_wait waits for zero.
	 */
	uint64_t live __attribute__((aligned(RT_CACHELINE))); /* atomic */

	/* Counters of threads that are not workers (atomic); not on the
	 * line of `live`, which workers update. */
	rti_counters ext __attribute__((aligned(RT_CACHELINE)));

	rti_cell_dir cells;
	struct rti_ext *exts; /* atomic: every cell extension (bonds.h) */
	rti_env_depot depot[RTI_ENV_CLASSES];
	struct rti_wheel *wheel;   /* timers (timer.h) */
	struct rti_tokens *tokens; /* deferred replies (ask_int.h) */
	struct rti_topics *topics; /* topics and their subscribers
	                              (topic_int.h) */

	/* A test system's clock (atomic; only its driving thread writes),
	 * and its record of handled messages. */
	int64_t vnow;
	struct rti_test_log *test_log; /* (testkit.h) */
	/* A test system's randomness (backoff jitter): the seed
	 * (rt_test_seed) and how many supervisors have drawn from it, so
	 * that each gets a stream of its own, the same on every run.
	 * Only its driving thread touches them. */
	uint64_t test_seed;
	uint64_t test_draws;

	/* lock guards idle_epoch and tprobes, and pairs with cond. */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* signalled when live drops to 0, and when
	                        a root supervisor exits */
	uint64_t idle_epoch; /* times live dropped to 0 */
	rt_ref *roots;       /* root supervisors, in start order */
	uint32_t nroots, roots_cap;
	/* The records of test probes, kept until rt_system_free
	 * (testprobe.c). */
	struct rti_tprobe *tprobes;

	/* The threads of `thread;` actors (thread.c), ended ones included
	 * until they are joined. */
	pthread_mutex_t threads_lock;
	struct rti_thread *threads;
	/* Worker structures of callers that run their target (thread.c):
	 * all of them and the free ones under threads_lock, and one spare
	 * taken and put back with an atomic exchange. */
	struct rti_caller *callers, *callers_free;
	struct rti_caller *caller_spare; /* atomic */

	/* shutdown_lock serialises shutdowns and guards the flags below. */
	pthread_mutex_t shutdown_lock;
	bool shutdown_begun;
	bool joined;
};

/*
 * rti_system_create: rt_system_new, or, with `manual`, a test system
 * (rt_test_system_new).
 */
rt_system *rti_system_create(const rt_config *cfg, bool manual);

/*
 * Root supervisors (rt_sup_start without a parent): rt_system_wait returns
 * once every one started has exited, and shutdown stops them first, in
 * reverse start order. rti_root_add: one more (any thread);
 * rti_roots_changed: a root exited (wakes rt_system_wait); rti_roots_gone:
 * whether some were started and all have exited (sys->lock held).
 */
void rti_root_add(rt_system *sys, rt_ref root);
void rti_roots_changed(rt_system *sys);
bool rti_roots_gone(rt_system *sys);

/* rti_sys_now: the system's time: monotonic, or virtual in a test system. */
static inline int64_t
rti_sys_now(rt_system *sys)
{
	/* Relaxed: a test system's clock moves only in its driving thread,
	 * the thread that reads it. */
	return sys->manual ? (int64_t)ck_pr_load_64((uint64_t *)&sys->vnow) :
			     rti_clock_now();
}

/*
 * rti_inflight_enter: called by a send or spawn before it checks
 * `stopping`, with the calling thread's worker of `sys` (NULL if none);
 * returns whether the caller counted itself (threads outside the system
 * only). rti_inflight_leave: after its push, with that result.
 */
static inline bool
rti_inflight_enter(rt_system *sys, rti_worker *w)
{
	if (w != NULL)
		return false;
	ck_pr_inc_32(&sys->ext_inflight);
	/* Counted before reading `stopping` (pairs with the fence after the
	 * flag in rt_system_shutdown): the increment is an atomic RMW, so
	 * ordering it before later loads is all it takes. */
	ck_pr_fence_atomic_load();
	return true;
}

static inline void
rti_inflight_leave(rt_system *sys, bool counted)
{
	if (!counted)
		return;
	/* Release: the push is complete before shutdown sees zero. */
	RT_TSAN_RELEASE(&sys->ext_inflight);
	ck_pr_fence_atomic();
	ck_pr_fence_release();
	ck_pr_dec_32(&sys->ext_inflight);
}

/*
 * Why a send to a ref whose incarnation is gone is refused: RT_ESHUTDOWN
 * once the whole system is shutting down (the caller should learn that,
 * not that one actor stopped), else RT_ENOACTOR. Only on the failure path.
 * Relaxed: every stop that shutdown causes follows its store of the flag,
 * and a send that misses the flag is refused for its actor all the same.
 */
static inline int
rti_gone(rt_system *sys)
{
	return ck_pr_load_32(&sys->stopping) ? RT_ESHUTDOWN : RT_ENOACTOR;
}

/*
 * rti_admit: whether a message for incarnation `gen` of `cell` may still
 * be queued: 0, or why not (rti_gone's codes). The generation with
 * acquire; the stopping flag relaxed: a sender outside the system calls
 * this inside its in-flight window, which is what makes shutdown safe.
 */
static inline int
rti_admit(rt_system *sys, rt_cell *cell, uint64_t gen)
{
	if (rti_cell_gen(cell) != gen)
		return rti_gone(sys);
	if (ck_pr_load_32(&sys->stopping))
		return RT_ESHUTDOWN;
	return 0;
}

#endif
