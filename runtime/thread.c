/* SPDX-License-Identifier: MIT */
/*
 * Actors on threads of their own (thread.h).
 *
 * The thread runs its cell with a worker structure of its own, which is
 * not one of the system's workers: nobody steals from it and it is not
 * the thread's scheduling identity (rti_tls_worker stays NULL, so what its
 * handlers send goes through the paths of threads outside the system).
 * It only gives the run loop (actor.c) what it needs: a handler context,
 * counters, caches. The counters are added to the system's shared ones
 * after every stretch of work, so rt_stats_system sees them.
 *
 * A thread ends when its actor stops for good: the run that stops it
 * clears the cell's thread (in its extension) while it still holds the
 * run token, and whatever
 * comes to the cell afterwards (late messages, a new actor) is scheduled
 * on the workers as usual. Ended threads are joined when the next actor
 * thread is made, or at shutdown, so they do not pile up.
 *
 * A caller runs its target the same way (rti_caller_run): a thread in
 * rt_call whose request found the actor idle holds its run token, and
 * rather than queue the actor for a worker and wait for a worker to wake,
 * take it, answer and hand the answer back across cores, it runs the
 * handler itself with a borrowed worker structure (struct rti_caller).
 * The system keeps one spare for the next call and a list of the others
 * for threads that call at the same time; they are freed with it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "actor_int.h"
#include "bonds.h"
#include "envelope.h"
#include "park.h"
#include "pool.h"
#include "probes.h"
#include "sched.h"
#include "system_int.h"
#include "thread.h"

struct rti_thread {
	rti_worker w;  /* its own, not one of sys->workers */
	rt_cell *cell; /* immutable */
	pthread_t tid;
	uint32_t handed;         /* atomic futex word: 1 when the run
	                            token was handed over, cleared by the
	                            thread as it takes it */
	uint32_t done;           /* atomic: the thread has ended (its last
	                            write; joining is then immediate) */
	struct rti_thread *next; /* sys->threads, under threads_lock */
};

/* The actor thread running on this thread, if any (for
 * rti_thread_inside). */
static __thread struct rti_thread *tls_thread
    __attribute__((tls_model("initial-exec")));

/* The system and cell whose actor a caller is running on this thread, if
 * any. */
static __thread rt_system *tls_caller_sys
    __attribute__((tls_model("initial-exec")));
static __thread const rt_cell *tls_caller_cell
    __attribute__((tls_model("initial-exec")));

bool
rti_thread_inside(rt_system *sys)
{
	struct rti_thread *t = tls_thread;

	return (t != NULL && t->w.sys == sys) || tls_caller_sys == sys;
}

bool
rti_thread_runs(const rt_cell *cell)
{
	struct rti_thread *t = tls_thread;

	return (t != NULL && t->cell == cell) || tls_caller_cell == cell;
}

bool
rti_caller_inside(rt_system *sys)
{
	return tls_caller_sys == sys;
}

/*
 * A worker structure that is not one of the system's workers: nobody
 * steals from it, it never yields, and its index is none of theirs. `w`
 * is zero-filled.
 */
static void
borrowed_init(rti_worker *w, rt_system *sys)
{
	w->sys = sys;
	w->index = sys->nworkers;
	w->ctx.sys = sys;
	w->ctx.worker = w;
	w->stat_fd = -1;
	/* Its sends take the fast path, as a worker's do, unless the send
	 * probe is traced now (a tracer that comes later sees the sends of
	 * the system's workers, not of this thread's actor). */
	rti_probes_refresh(w);
}

/* Add what `from` counted to the system's shared counters. */
static void
counters_flush(rt_system *sys, rti_counters *from)
{
	uint64_t *f = (uint64_t *)(void *)from;
	uint64_t *to = (uint64_t *)(void *)&sys->ext;
	size_t i;

	/* Words, as in rti_counters_add. */
	for (i = 0; i < sizeof(rti_counters) / sizeof(uint64_t); i++)
		if (f[i] != 0) {
			/* Relaxed: statistics publish nothing. */
			ck_pr_add_64(&to[i], f[i]);
			f[i] = 0;
		}
}

static void *
thread_main(void *arg)
{
	struct rti_thread *t = arg;
	rti_worker *w = &t->w;
	rt_system *sys = w->sys;
	enum rti_thread_run r;

	tls_thread = t;
	do {
		while (ck_pr_load_32(&t->handed) == 0)
			rti_futex_wait(&t->handed, 0, -1);
		/* Relaxed: only the token's next holder sets it again,
		 * after this thread gives the token back. */
		ck_pr_store_32(&t->handed, 0);
		/* Acquire: the run token, and the cell with it (pairs with
		 * the release in rti_thread_hand). */
		ck_pr_fence_load();
		RT_TSAN_ACQUIRE(t->cell);
		do
			r = rti_actor_run_thread(w, t->cell, t);
		while (r == RTI_THREAD_AGAIN);
		counters_flush(sys, &w->cnt);
		rti_live_flush(w);
	} while (r != RTI_THREAD_GONE);
	rti_cell_cache_flush(&sys->cells, &w->cell_cache);
	rti_env_caches_drain(w->env_cache);
	tls_thread = NULL;
	/* Release: everything above before a joiner frees the struct. */
	ck_pr_fence_store();
	ck_pr_store_32(&t->done, 1);
	return NULL;
}

void
rti_thread_hand(struct rti_thread *t)
{
	/* Release: the cell's state as the last holder left it, before the
	 * thread sees the token. */
	RT_TSAN_RELEASE(t->cell);
	ck_pr_fence_store();
	ck_pr_store_32(&t->handed, 1);
	/* The store is ordered before the wake by the syscall; a thread
	 * about to wait sees 1 and does not sleep. */
	rti_futex_wake(&t->handed, 1);
}

/* Join and free the threads that have ended (threads_lock held). */
static void
reap(rt_system *sys, bool all)
{
	struct rti_thread **pp = &sys->threads, *t;

	while ((t = *pp) != NULL) {
		/* Relaxed: pthread_join orders the rest. */
		if (!all && !ck_pr_load_32(&t->done)) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		pthread_join(t->tid, NULL);
		free(t);
	}
}

int
rti_thread_start(rt_system *sys, rt_cell *cell)
{
	/* The cell is the spawner's until its ref is published, except
	 * for runs of late messages, which make no extension. */
	struct rti_ext *x = rti_ext_get(cell);
	struct rti_thread *t;
	int rc = 0;

	if (x == NULL)
		return RT_ENOMEM;
	t = aligned_alloc(RT_CACHELINE, sizeof(*t));
	if (t == NULL)
		return RT_ENOMEM;
	memset(t, 0, sizeof(*t));
	borrowed_init(&t->w, sys);
	t->cell = cell;
	pthread_mutex_lock(&sys->threads_lock);
	reap(sys, false);
	if (pthread_create(&t->tid, NULL, thread_main, t) != 0) {
		free(t);
		rc = RT_ENOMEM;
	} else {
		t->next = sys->threads;
		sys->threads = t;
		/* Release: the thread is made before anyone who finds the
		 * cell's ref (published later, with release) hands it the
		 * token. */
		RT_TSAN_RELEASE(&x->thread);
		ck_pr_store_ptr(&x->thread, t);
	}
	pthread_mutex_unlock(&sys->threads_lock);
	return rc;
}

void
rti_threads_join(rt_system *sys)
{
	pthread_mutex_lock(&sys->threads_lock);
	reap(sys, true);
	pthread_mutex_unlock(&sys->threads_lock);
}

/* --- callers running their target ------------------------------------------- */

struct rti_caller {
	rti_worker w;             /* not one of sys->workers */
	struct rti_caller *next;  /* sys->callers: all of them */
	struct rti_caller *spare; /* sys->callers_free, under threads_lock */
};

/*
 * Runs a caller makes of its target before it leaves the rest to the
 * workers: enough for the answer behind a few earlier messages; a caller
 * is not a worker, and an actor with a steady stream of mail belongs on
 * one.
 */
#define CALLER_RUNS 4

static struct rti_caller *
caller_take(rt_system *sys)
{
	/* Acquire: the structure as the last caller left it (pairs with the
	 * release in caller_put). */
	struct rti_caller *c = ck_pr_fas_ptr(&sys->caller_spare, NULL);

	if (c != NULL) {
		ck_pr_fence_acquire();
		RT_TSAN_ACQUIRE(c);
		return c;
	}
	pthread_mutex_lock(&sys->threads_lock);
	if ((c = sys->callers_free) != NULL) {
		sys->callers_free = c->spare;
	} else if ((c = aligned_alloc(RT_CACHELINE, sizeof(*c))) != NULL) {
		memset(c, 0, sizeof(*c));
		borrowed_init(&c->w, sys);
		c->next = sys->callers;
		sys->callers = c;
	}
	pthread_mutex_unlock(&sys->threads_lock);
	return c;
}

static void
caller_put(rt_system *sys, struct rti_caller *c)
{
	/* Release: the structure's caches and counters before the next
	 * caller takes it (pairs with the acquire in caller_take). */
	RT_TSAN_RELEASE(c);
	ck_pr_fence_release();
	if (ck_pr_cas_ptr(&sys->caller_spare, NULL, c))
		return;
	pthread_mutex_lock(&sys->threads_lock);
	c->spare = sys->callers_free;
	sys->callers_free = c;
	pthread_mutex_unlock(&sys->threads_lock);
}

void
rti_caller_run(rt_system *sys, rt_cell *cell, const uint32_t *state,
    uint32_t waiting)
{
	struct rti_caller *c = caller_take(sys);
	rt_system *outer = tls_caller_sys;
	const rt_cell *outer_cell = tls_caller_cell;
	enum rti_thread_run r;
	int runs = 0;

	if (c == NULL) {
		/* No memory for a structure: the workers run it. */
		rti_sched_ready(sys, cell);
		return;
	}
	/* Acquire: the cell as its last holder left it, for the stores of
	 * this run as well as its loads (the push that took the token
	 * ordered only loads after it). */
	ck_pr_fence_acquire();
	tls_caller_sys = sys;
	tls_caller_cell = cell;
	do
		r = rti_actor_run_thread(&c->w, cell, NULL);
	while (r == RTI_THREAD_AGAIN &&
	    /* Relaxed: a hint; rt_call acquires the answer itself. */
	    ck_pr_load_32(state) == waiting && ++runs < CALLER_RUNS);
	if (r == RTI_THREAD_AGAIN)
		rti_sched_ready(sys, cell);
	/* A handler of another system's actor run here may have called. */
	tls_caller_sys = outer;
	tls_caller_cell = outer_cell;
	/* Its counters stay in it, summed by rti_callers_sum. */
	rti_live_flush(&c->w);
	caller_put(sys, c);
}

void
rti_callers_sum(rt_system *sys, rti_counters *sum)
{
	struct rti_caller *c;

	pthread_mutex_lock(&sys->threads_lock);
	for (c = sys->callers; c != NULL; c = c->next)
		rti_counters_add(sum, &c->w.cnt);
	pthread_mutex_unlock(&sys->threads_lock);
}

void
rti_callers_free(rt_system *sys)
{
	struct rti_caller *c, *next;

	for (c = sys->callers; c != NULL; c = next) {
		next = c->next;
		rti_cell_cache_flush(&sys->cells, &c->w.cell_cache);
		rti_env_caches_drain(c->w.env_cache);
		free(c);
	}
	sys->callers = NULL;
	sys->callers_free = NULL;
	sys->caller_spare = NULL;
}
