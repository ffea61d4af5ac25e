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
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "actor_int.h"
#include "bonds.h"
#include "envelope.h"
#include "park.h"
#include "pool.h"
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

bool
rti_thread_inside(rt_system *sys)
{
	struct rti_thread *t = tls_thread;

	return t != NULL && t->w.sys == sys;
}

/* Add what `from` counted to the system's shared counters. */
static void
counters_flush(rt_system *sys, rti_counters *from)
{
	uint64_t *f = (uint64_t *)(void *)from;
	uint64_t *to = (uint64_t *)(void *)&sys->ext;
	size_t i;

	_Static_assert(sizeof(rti_counters) % sizeof(uint64_t) == 0,
	    "counters are 64-bit words");
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
	t->w.sys = sys;
	t->w.index = sys->nworkers; /* none of the workers' */
	t->w.ctx.sys = sys;
	t->w.ctx.worker = &t->w;
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
