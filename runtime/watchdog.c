/* SPDX-License-Identifier: MIT */
/*
 * The watchdog: one thread per system (rt_config.watchdog > 0) that samples
 * what each worker is doing and reports a handler that has not returned
 * within the limit. Workers pay one relaxed store per message and three
 * per run (actor.c); the thread wakes four times per limit.
 *
 * A worker's sample (cell, run, message in the run, its tag) that stays
 * the same from one look to the next means the same handler is still
 * running: it changes with every message and every run. While it runs, the worker cannot free what
 * the report reads through the cell (its class, its path): those change
 * only in the worker's own drain and exit. The report reads them, then
 * samples again, and says nothing if the worker moved on meanwhile.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bonds.h"
#include "clock.h"
#include "log.h"
#include "system_int.h"
#include "watchdog.h"

/* What a worker was doing at a sample. */
struct sample {
	rt_cell *cell;
	uint32_t run, taken, tag;
	int64_t since; /* when this was first seen */
	bool reported;
};

static void
take(rti_worker *w, struct sample *s)
{
	s->cell = RT_LOAD_RELAXED(&w->wd_cell);
	s->run = RT_LOAD_RELAXED(&w->wd_run);
	s->taken = RT_LOAD_RELAXED(&w->run_taken);
	s->tag = RT_LOAD_RELAXED(&w->wd_tag);
}

static bool
same(const struct sample *a, const struct sample *b)
{
	return a->cell == b->cell && a->run == b->run && a->taken == b->taken &&
	    a->tag == b->tag;
}

struct rti_watchdog {
	rt_system *sys;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;           /* under lock */
	struct sample *seen; /* one per worker; the thread's own */
};

static void
report(struct rti_watchdog *wd, rti_worker *w, struct sample *s, int64_t now)
{
	rt_system *sys = wd->sys;
	const rt_actor_class *cls = ck_pr_load_ptr(&s->cell->kind);
	struct rti_ext *x = rti_ext_peek(s->cell);
	uint32_t tag = s->tag;
	struct sample again;
	char path[256] = "", what[160];
	const char *p;

	if (x != NULL && (p = ck_pr_load_ptr(&x->path)) != NULL) {
		/* Pairs with the release where the path was set. */
		RT_TSAN_ACQUIRE(&x->path);
		snprintf(path, sizeof(path), "%s ", p);
	}
	if (tag == RTI_WD_NO_TAG)
		snprintf(what, sizeof(what),
		    "starting, stopping or taking a "
		    "signal");
	else if (tag == RTI_WD_DOWN)
		snprintf(what, sizeof(what), "handling down");
	else if (tag == RTI_WD_IO)
		snprintf(what, sizeof(what), "handling io");
	else
		snprintf(what, sizeof(what), "handling %s",
		    cls != NULL && cls->tag_names != NULL && tag < cls->ntags ?
			cls->tag_names[tag] :
			"?");
	/* Still the same handler: what was read is its own, and is freed
	 * (rti_sup_forget) only after that handler returns. */
	take(w, &again);
	if (!same(&again, s))
		return;
	if (x != NULL)
		RT_TSAN_RELEASE(&x->path);
	s->reported = true;
	rti_log(sys, RT_LOG_ERROR,
	    "watchdog: %s(%s) has been %s for %lld ms on worker %u%s", path,
	    cls != NULL ? cls->name : "?", what,
	    (long long)((now - s->since) / 1000000), w->index,
	    sys->cfg.watchdog_abort ? "; aborting" : "");
	if (sys->cfg.watchdog_abort)
		abort();
}

static void *
watch(void *arg)
{
	struct rti_watchdog *wd = arg;
	rt_system *sys = wd->sys;
	rt_duration limit = sys->cfg.watchdog;
	int64_t step = limit / 4 > RT_MS(1) ? limit / 4 : RT_MS(1);
	unsigned i;

	pthread_mutex_lock(&wd->lock);
	while (!wd->stop) {
		struct timespec ts = rti_clock_timespec(rti_clock_now() + step);
		int64_t now;

		pthread_cond_timedwait(&wd->cond, &wd->lock, &ts);
		if (wd->stop)
			break;
		now = rti_clock_now();
		for (i = 0; i < sys->nworkers; i++) {
			rti_worker *w = &sys->workers[i];
			struct sample *s = &wd->seen[i], cur;

			take(w, &cur);
			if (!same(&cur, s)) {
				*s = cur;
				s->since = now;
				s->reported = false;
				continue;
			}
			if (s->cell != NULL && !s->reported &&
			    now - s->since >= limit)
				report(wd, w, s, now);
		}
	}
	pthread_mutex_unlock(&wd->lock);
	return NULL;
}

int
rti_watchdog_start(rt_system *sys)
{
	struct rti_watchdog *wd;

	if (sys->manual || sys->cfg.watchdog <= 0)
		return 0;
	wd = calloc(1, sizeof(*wd));
	if (wd == NULL)
		return RT_ENOMEM;
	wd->sys = sys;
	wd->seen = calloc(sys->nworkers, sizeof(*wd->seen));
	if (wd->seen == NULL)
		goto fail;
	if (pthread_mutex_init(&wd->lock, NULL) != 0)
		goto fail;
	if (rti_cond_init(&wd->cond) != 0)
		goto fail_lock;
	if (pthread_create(&wd->thread, NULL, watch, wd) != 0)
		goto fail_cond;
	sys->watchdog = wd;
	return 0;

fail_cond:
	pthread_cond_destroy(&wd->cond);
fail_lock:
	pthread_mutex_destroy(&wd->lock);
fail:
	free(wd->seen);
	free(wd);
	return RT_ENOMEM;
}

void
rti_watchdog_stop(rt_system *sys)
{
	struct rti_watchdog *wd = sys->watchdog;

	if (wd == NULL)
		return;
	sys->watchdog = NULL;
	pthread_mutex_lock(&wd->lock);
	wd->stop = true;
	pthread_cond_signal(&wd->cond);
	pthread_mutex_unlock(&wd->lock);
	pthread_join(wd->thread, NULL);
	pthread_cond_destroy(&wd->cond);
	pthread_mutex_destroy(&wd->lock);
	free(wd->seen);
	free(wd);
}
