/* SPDX-License-Identifier: MIT */
/*
 * The system's life: creation, waiting, shutdown, freeing, and statistics.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actor_int.h"
#include "ask_int.h"
#include "clock.h"
#include "crashlog.h"
#include "envelope.h"
#include "pool.h"
#include "log.h"
#include "registry_int.h"
#include "bonds.h"
#include "system_int.h"
#include "testkit.h"
#include "thread.h"
#include "timer.h"
#include "io.h"
#include "topic_int.h"
#include "undelivered.h"
#include "watchdog.h"

void
rt_config_init(rt_config *cfg)
{
	if (cfg != NULL) {
		memset(cfg, 0, sizeof(*cfg));
		cfg->log_level = RT_LOG_INFO;
	}
}

static unsigned
online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > RT_MAX_WORKERS ? RT_MAX_WORKERS : (unsigned)n;
}

/* Systems ever created (rt_system.serial). */
static uint64_t system_serials;

/* The subsystems a system owns, in one block (system_int.h). */
struct owned {
	rti_wheel wheel;
	rti_tokens tokens;
	rti_topics topics;
	rti_test_log test_log;
};

/* The block, from the pointer to its first member. */
static struct owned *
owned_of(rt_system *sys)
{
	_Static_assert(offsetof(struct owned, wheel) == 0,
	    "the wheel is the block's first member");
	return (struct owned *)(void *)sys->wheel;
}

rt_system *
rti_system_create(const rt_config *cfg, bool manual)
{
	struct owned *owned;
	rt_system *sys;

	if (cfg != NULL &&
	    (cfg->workers > RT_MAX_WORKERS || cfg->watchdog < 0 ||
		cfg->log_level < RT_LOG_OFF || cfg->log_level > RT_LOG_INFO))
		return NULL;
	sys = aligned_alloc(RT_CACHELINE, sizeof(*sys));
	if (sys == NULL)
		return NULL;
	memset(sys, 0, sizeof(*sys));
	owned = calloc(1, sizeof(*owned));
	if (owned == NULL) {
		free(sys);
		return NULL;
	}
	sys->wheel = &owned->wheel;
	sys->tokens = &owned->tokens;
	sys->topics = &owned->topics;
	sys->test_log = &owned->test_log;
	rt_config_init(&sys->cfg);
	if (cfg != NULL)
		sys->cfg = *cfg;
	sys->manual = manual;
	/* Relaxed: only uniqueness matters. */
	sys->serial = ck_pr_faa_64(&system_serials, 1) + 1;
	/* A test system has one worker, run by the thread that drives it. */
	sys->nworkers = manual ? 1 :
	    sys->cfg.workers   ? sys->cfg.workers :
				 online_cpus();
	if (rti_wheel_init(sys->wheel, sys, manual ? 0 : rti_clock_now(),
		manual) != 0)
		goto fail_sys;
	if (rti_tokens_init(sys->tokens) != 0)
		goto fail_wheel;
	if (rti_topics_init(sys->topics) != 0)
		goto fail_tokens;
	if (rti_cell_dir_init(&sys->cells) != 0)
		goto fail_topics;
	if (rti_env_depot_init(sys->depot) != 0)
		goto fail_cells;
	if (pthread_mutex_init(&sys->lock, NULL) != 0)
		goto fail_depot;
	if (pthread_mutex_init(&sys->threads_lock, NULL) != 0)
		goto fail_lock;
	if (pthread_mutex_init(&sys->shutdown_lock, NULL) != 0)
		goto fail_threads_lock;
	if (rti_cond_init(&sys->cond) != 0)
		goto fail_shutdown_lock;
	sys->registry = rti_registry_new(sys->nworkers);
	if (sys->registry == NULL)
		goto fail_cond;
	if (rti_sched_start(sys) != 0)
		goto fail_registry;
	if (rti_watchdog_start(sys) != 0) {
		/* The workers run: shutdown stops them, free the rest. */
		rt_system_free(sys);
		return NULL;
	}
	return sys;

fail_registry:
	rti_registry_free(sys->registry);
fail_cond:
	pthread_cond_destroy(&sys->cond);
fail_shutdown_lock:
	pthread_mutex_destroy(&sys->shutdown_lock);
fail_threads_lock:
	pthread_mutex_destroy(&sys->threads_lock);
fail_lock:
	pthread_mutex_destroy(&sys->lock);
fail_depot:
	rti_env_depot_destroy(sys->depot);
fail_cells:
	rti_ext_free_all(sys);
	rti_cell_dir_destroy(&sys->cells);
fail_topics:
	rti_topics_destroy(sys->topics);
fail_tokens:
	rti_tokens_destroy(sys->tokens);
fail_wheel:
	rti_wheel_destroy(sys->wheel);
fail_sys:
	rti_sched_free(sys);
	free(owned);
	free(sys);
	return NULL;
}

rt_system *
rt_system_new(const rt_config *cfg)
{
	return rti_system_create(cfg, false);
}

rti_counters *
rti_ext_counters(rt_system *sys)
{
	return &sys->ext;
}

unsigned
rt_system_workers(const rt_system *sys)
{
	return sys != NULL && !sys->manual ? sys->nworkers : 0;
}

/*
 * Wait until no actor is alive, or until `deadline` (negative: none).
 * Returns true when none is. Called with sys->lock held.
 */
static bool
wait_idle_locked(rt_system *sys, int64_t deadline)
{
	uint64_t epoch = sys->idle_epoch;

	/* Acquire (through the mutex the exiting worker also takes): once
	 * live is zero, every exit that made it so is complete. */
	while (ck_pr_load_64(&sys->live) != 0 && sys->idle_epoch == epoch) {
		if (deadline < 0) {
			pthread_cond_wait(&sys->cond, &sys->lock);
		} else {
			struct timespec ts = rti_clock_timespec(deadline);

			if (rti_clock_now() >= deadline)
				return false;
			pthread_cond_timedwait(&sys->cond, &sys->lock, &ts);
		}
	}
	return true;
}

/* --- root supervisors ----------------------------------------------------- */

void
rti_root_add(rt_system *sys, rt_ref root)
{
	uint32_t i, n = 0;

	pthread_mutex_lock(&sys->lock);
	/* Forget the roots that have exited: the list stays as long as the
	 * live ones. */
	for (i = 0; i < sys->nroots; i++)
		if (rt_actor_alive(sys->roots[i]))
			sys->roots[n++] = sys->roots[i];
	sys->nroots = n;
	if (n == sys->roots_cap) {
		uint32_t cap = n ? n * 2 : 4;
		rt_ref *r = realloc(sys->roots, cap * sizeof(*r));

		if (r == NULL) {
			pthread_mutex_unlock(&sys->lock);
			rti_log(sys, RT_LOG_ERROR,
			    "no memory to note a root "
			    "supervisor: rt_system_wait waits for every "
			    "actor instead");
			return;
		}
		sys->roots = r;
		sys->roots_cap = cap;
	}
	sys->roots[sys->nroots++] = root;
	pthread_mutex_unlock(&sys->lock);
}

void
rti_roots_changed(rt_system *sys)
{
	/* Wakes rt_system_wait and stop_roots, which look again; not an
	 * idle epoch (no actor count went to zero). */
	pthread_mutex_lock(&sys->lock);
	pthread_cond_broadcast(&sys->cond);
	pthread_mutex_unlock(&sys->lock);
}

bool
rti_roots_gone(rt_system *sys)
{
	uint32_t i;

	if (sys->nroots == 0)
		return false;
	for (i = 0; i < sys->nroots; i++)
		if (rt_actor_alive(sys->roots[i]))
			return false;
	return true;
}

int
rt_system_wait(rt_system *sys)
{
	uint64_t epoch;

	if (sys == NULL)
		return RT_EINVAL;
	if (rti_sched_worker(sys) != NULL || rti_thread_inside(sys))
		return RT_EDEADLK;
	if (sys->manual)
		return rti_test_wait(sys);
	rti_sched_lend(sys);
	pthread_mutex_lock(&sys->lock);
	epoch = sys->idle_epoch;
	/* Until no actor is alive (the epoch says it was so at some point,
	 * even if a spawn came since) or the root trees have exited. */
	while (ck_pr_load_64(&sys->live) != 0 && sys->idle_epoch == epoch &&
	    !rti_roots_gone(sys))
		pthread_cond_wait(&sys->cond, &sys->lock);
	pthread_mutex_unlock(&sys->lock);
	return 0;
}

static bool
root_alive(void *arg)
{
	return rt_actor_alive(*(rt_ref *)arg);
}

/*
 * Stop the root supervisors, last started first, each tree in order
 * (children in reverse, within their shutdown times), before the rest of
 * shutdown stops whatever is left all at once. Until `deadline`.
 */
static void
stop_roots(rt_system *sys, int64_t deadline)
{
	rt_ref *roots;
	uint32_t n, i;

	pthread_mutex_lock(&sys->lock);
	n = sys->nroots;
	roots = n != 0 ? malloc(n * sizeof(*roots)) : NULL;
	if (roots != NULL)
		memcpy(roots, sys->roots, n * sizeof(*roots));
	pthread_mutex_unlock(&sys->lock);
	if (roots == NULL)
		return;
	for (i = n; i-- > 0;) {
		rt_ref r = roots[i];

		if (!rt_actor_alive(r) ||
		    rti_actor_signal_stop(r.cell, r.gen, RT_ESHUTDOWN, true) !=
			0)
			continue;
		if (sys->manual) {
			rti_test_drive_while(sys, root_alive, &r);
			continue;
		}
		/* A root's exit broadcasts (rti_roots_changed). */
		pthread_mutex_lock(&sys->lock);
		while (rt_actor_alive(r) &&
		    (deadline < 0 || rti_clock_now() < deadline)) {
			struct timespec ts = rti_clock_timespec(deadline < 0 ?
				rti_clock_now() + RT_SEC(1) :
				deadline);

			pthread_cond_timedwait(&sys->cond, &sys->lock, &ts);
		}
		pthread_mutex_unlock(&sys->lock);
	}
	free(roots);
}

static void
stop_cell(rt_cell *cell, void *arg)
{
	uint64_t gen = rti_cell_gen(cell);

	/* Once per incarnation: rescans must not pile up signals behind a
	 * handler that takes its time. */
	if (!(gen & 1) || cell->stop_sent == (uint32_t)gen)
		return;
	cell->stop_sent = (uint32_t)gen;
	if (rti_actor_signal_stop(cell, gen, RT_ESHUTDOWN, false) != 0)
		/* It still stops at its next message; if none comes, the
		 * shutdown times out rather than losing track of it. */
		rti_log(arg, RT_LOG_ERROR,
		    "shutdown: no memory to signal an actor to stop");
}

/*
 * After the workers are gone: free whatever is still queued, counting the
 * messages as dead letters (arg: the system, or NULL not to count).
 */
static void
drain_cell(rt_cell *cell, void *arg)
{
	rti_mpsc_node *node;

	while ((node = rti_mailbox_pop(&cell->mb)) != NULL) {
		rt_env *env = rti_env_of(node);

		if (arg != NULL &&
		    (env->kind == RTI_ENV_MSG || env->kind == RTI_ENV_DOWN ||
			env->kind == RTI_ENV_SUP || env->kind == RTI_ENV_IO))
			rti_undelivered(arg, NULL, env, RT_DEAD_STOPPED);
		else if (env->kind == RTI_ENV_RESTART)
			rti_bond_stale(env);
		rti_env_free(env);
	}
	/* A free cell's `state` is its free-list link. */
	if (cell->cls != NULL)
		free(cell->state);
	cell->state = NULL;
}

/*
 * How long shutdown waits before it looks for actors it has missed; the
 * wait doubles after each look (a scan of a million cells is not free), up
 * to RESCAN_MAX_NS.
 */
#define RESCAN_NS 10000000
#define RESCAN_MAX_NS 1000000000

int
rt_system_shutdown(rt_system *sys, rt_duration timeout)
{
	int64_t deadline, rescan;
	bool idle;

	if (sys == NULL)
		return RT_EINVAL;
	if (rti_sched_worker(sys) != NULL || rti_thread_inside(sys))
		return RT_EDEADLK;
	deadline = timeout < 0 ? -1 : rti_clock_now() + timeout;
	pthread_mutex_lock(&sys->shutdown_lock);
	if (sys->joined) {
		pthread_mutex_unlock(&sys->shutdown_lock);
		return 0;
	}
	if (!sys->shutdown_begun) {
		sys->shutdown_begun = true;
		stop_roots(sys, deadline);
		ck_pr_store_32(&sys->stopping, 1);
		/* Full fence: the flag before reading the generations. */
		ck_pr_fence_memory();
		/*
		 * Let sends that passed their check of the flag finish their
		 * push: from then on nothing new enters a mailbox. (A spawn
		 * counts its actor in `live` before its check: one that
		 * passed it is waited for below, and rescanned for.)
		 */
		while (ck_pr_load_32(&sys->ext_inflight) != 0)
			ck_pr_stall();
		ck_pr_fence_acquire();
		RT_TSAN_ACQUIRE(&sys->ext_inflight);
		rti_cell_foreach(&sys->cells, stop_cell, sys);
	}
	/*
	 * An actor spawned just as shutdown began may have been missed by
	 * the scan (its cell published after it), and a worker's spawn may
	 * also have missed the flag (nothing orders the two: a fence on
	 * every spawn would cost more than the rare rescan). So wait in
	 * growing slices, and scan again after each one that did not end
	 * with every actor stopped.
	 */
	for (rescan = RESCAN_NS;;
	    rescan = rescan < RESCAN_MAX_NS / 2 ? rescan * 2 : RESCAN_MAX_NS) {
		int64_t slice = rti_clock_now() + rescan;

		if (deadline >= 0 && deadline < slice)
			slice = deadline;
		if (sys->manual) {
			/* Nobody else runs a test system's actors. */
			rti_sched_drive(sys);
			idle = ck_pr_load_64(&sys->live) == 0;
		} else {
			pthread_mutex_lock(&sys->lock);
			idle = wait_idle_locked(sys, slice);
			pthread_mutex_unlock(&sys->lock);
		}
		if (idle || (deadline >= 0 && rti_clock_now() >= deadline))
			break;
		/* A test system that did not stop after a rescan never will:
		 * nothing but this thread runs it. */
		if (sys->manual && rescan > RESCAN_NS)
			break;
		rti_cell_foreach(&sys->cells, stop_cell, sys);
	}
	if (!idle) {
		pthread_mutex_unlock(&sys->shutdown_lock);
		return RT_ETIMEDOUT;
	}
	rti_sched_stop(sys);
	rti_sched_join(sys);
	/* Every actor has exited: their threads end, and their watches are
	 * gone. */
	rti_threads_join(sys);
	rti_io_stop(sys);
	rti_watchdog_stop(sys);
	/* Timers still pending become dead letters; deferred replies never
	 * sent are reported, and their requests failed. */
	rti_wheel_close(sys->wheel);
	rti_tokens_close(sys, sys->tokens);
	/*
	 * The workers left cells in their queues whose mailboxes still hold
	 * messages for actors that have stopped: count them as dead letters
	 * now, so that the counters balance once shutdown returns.
	 */
	rti_cell_foreach(&sys->cells, drain_cell, sys);
	sys->joined = true;
	pthread_mutex_unlock(&sys->shutdown_lock);
	return 0;
}

void
rt_system_free(rt_system *sys)
{
	unsigned i;

	if (sys == NULL || rti_sched_worker(sys) != NULL ||
	    rti_thread_inside(sys))
		return;
	rt_system_shutdown(sys, RT_FOREVER);
	rti_registry_free(sys->registry);
	rti_cell_foreach(&sys->cells, drain_cell, NULL);
	rti_ext_free_all(sys);
	/* Before the cells and the depot, which their caches go back to. */
	rti_callers_free(sys);
	rti_cell_dir_destroy(&sys->cells);
	for (i = 0; i < sys->nworkers; i++)
		rti_env_caches_drain(sys->workers[i].env_cache);
	rti_env_depot_destroy(sys->depot);
	rti_wheel_destroy(sys->wheel);
	rti_tokens_destroy(sys->tokens);
	rti_topics_destroy(sys->topics);
	rti_test_log_free(sys->test_log);
	rti_test_probes_free(sys);
	rti_crashlog_free(sys);
	free(owned_of(sys));
	pthread_cond_destroy(&sys->cond);
	pthread_mutex_destroy(&sys->shutdown_lock);
	pthread_mutex_destroy(&sys->threads_lock);
	pthread_mutex_destroy(&sys->lock);
	free(sys->roots);
	rti_sched_free(sys);
	free(sys);
}

int
rt_stats_system(rt_system *sys, rt_stats *out)
{
	rti_counters sum;
	unsigned i;

	if (sys == NULL || out == NULL)
		return RT_EINVAL;
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < sys->nworkers; i++)
		rti_counters_add(&sum, &sys->workers[i].cnt);
	rti_counters_add(&sum, &sys->ext);
	/* Callers that ran actors count in worker structures of their own
	 * (thread.c). */
	rti_callers_sum(sys, &sum);
	out->spawned = sum.spawned;
	out->stopped = sum.stopped;
	out->crashed = sum.crashed;
	out->live = ck_pr_load_64(&sys->live);
	out->sent = sum.sent;
	out->handled = sum.handled;
	out->dead_letters = sum.dead;
	out->dropped = sum.dropped;
	out->expired = sum.expired;
	out->refused = sum.refused;
	out->mutes = sum.mutes;
	out->restarts = sum.restarts;
	out->steals = sum.steals;
	out->migrations = sum.migrations;
	out->wakeups = sum.wakeups;
	out->yields = sum.yields;
	return 0;
}
