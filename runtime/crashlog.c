/* SPDX-License-Identifier: MIT */
/*
 * The last crash reports of a system, for the observer's page: a ring of
 * RTI_CRASHLOG_KEEP lines under a mutex. A crash already formats its line
 * and allocates (report.c), so a copy and a lock per crash cost nothing
 * that matters; the ring is made on the first crash, so a system that
 * never crashes carries one pointer. Only the lines that are logged are
 * kept: with RT_LOG_OFF, none.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rt/error.h>

#include "crashlog.h"
#include "observe_int.h"
#include "rt_atomic.h"
#include "system_int.h"

struct entry {
	uint64_t seq; /* from 1; 0: an empty slot */
	int64_t time_ms;
	char *line;
};

struct rti_crashlog {
	pthread_mutex_t lock; /* everything below */
	uint64_t total;       /* lines ever kept */
	struct entry ring[RTI_CRASHLOG_KEEP];
};

/* The system's ring, made if need be; NULL for lack of memory. */
static struct rti_crashlog *
ring_of(rt_system *sys)
{
	/* Acquire: the ring's mutex as its maker initialised it, before its
	 * publishing CAS below. */
	struct rti_crashlog *r = ck_pr_load_ptr(&sys->crashlog);

	ck_pr_fence_load();
	if (r != NULL) {
		RT_TSAN_ACQUIRE(&sys->crashlog);
		return r;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		return NULL;
	}
	/* Publish the initialised ring: the fence orders the mutex's
	 * initialisation before the CAS, and pairs with the acquire above.
	 * A thread that lost the race frees its own and takes the winner's. */
	RT_TSAN_RELEASE(&sys->crashlog);
	ck_pr_fence_store();
	if (!ck_pr_cas_ptr(&sys->crashlog, NULL, r)) {
		pthread_mutex_destroy(&r->lock);
		free(r);
		r = ck_pr_load_ptr(&sys->crashlog);
		/* Acquire, as above. */
		ck_pr_fence_load();
		RT_TSAN_ACQUIRE(&sys->crashlog);
	}
	return r;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
rti_crashlog_put(rt_system *sys, const char *line)
{
	struct rti_crashlog *r = ring_of(sys);
	char *copy = strdup(line);
	struct entry *e;

	if (r == NULL || copy == NULL) {
		free(copy);
		return;
	}
	pthread_mutex_lock(&r->lock);
	r->total++;
	e = &r->ring[(r->total - 1) % RTI_CRASHLOG_KEEP];
	free(e->line);
	e->seq = r->total;
	e->time_ms = now_ms();
	e->line = copy;
	pthread_mutex_unlock(&r->lock);
}

int
rti_crashlog_write_json(rt_system *sys, FILE *out)
{
	/* Acquire, as in ring_of. */
	struct rti_crashlog *r = ck_pr_load_ptr(&sys->crashlog);
	struct entry snap[RTI_CRASHLOG_KEEP];
	uint64_t total = 0, i, n = 0;
	int rc = 0;

	ck_pr_fence_load();
	if (r != NULL) {
		RT_TSAN_ACQUIRE(&sys->crashlog);
		pthread_mutex_lock(&r->lock);
		total = r->total;
		/* Oldest first: the slot after the newest, round the ring. */
		for (i = 0; i < RTI_CRASHLOG_KEEP; i++) {
			struct entry
			    *e = &r->ring[(total + i) % RTI_CRASHLOG_KEEP];

			if (e->seq == 0)
				continue;
			snap[n] = *e;
			if ((snap[n].line = strdup(e->line)) == NULL) {
				rc = RT_ENOMEM;
				break;
			}
			n++;
		}
		pthread_mutex_unlock(&r->lock);
	}
	if (rc == 0) {
		fprintf(out, "{\"total\": %llu, \"crashes\": [",
		    (unsigned long long)total);
		for (i = 0; i < n; i++) {
			fprintf(out,
			    "%s\n  {\"seq\": %llu, \"time_ms\": %lld, "
			    "\"line\": \"",
			    i > 0 ? "," : "", (unsigned long long)snap[i].seq,
			    (long long)snap[i].time_ms);
			rti_obs_put(out, snap[i].line, RTI_OBS_JSON);
			fputs("\"}", out);
		}
		fputs("\n]}\n", out);
	}
	for (i = 0; i < n; i++)
		free(snap[i].line);
	return rc;
}

void
rti_crashlog_free(rt_system *sys)
{
	struct rti_crashlog *r = sys->crashlog;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < RTI_CRASHLOG_KEEP; i++)
		free(r->ring[i].line);
	pthread_mutex_destroy(&r->lock);
	free(r);
	sys->crashlog = NULL;
}
