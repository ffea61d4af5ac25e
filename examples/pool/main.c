/* SPDX-License-Identifier: MIT */
/*
 * pool: a supervised worker pool that keeps going through bad input (see
 * pool.rtp). main starts the service, whose pool starts its WORKERS
 * workers, and sends JOBS jobs through the pool, which hands them out in
 * turn; every POISON-th job is malformed and crashes the worker that takes
 * it. The crash reports go to stderr (the
 * default log hook), one line per crash, with the job that caused it; the
 * summary goes to stdout:
 *
 *   pool: 4 workers, 40 jobs, 5 of them malformed
 *   worker 1: 10 jobs, 1 malformed, 4 done since its last start
 *   ...
 *   done: 35 of 35 good jobs, sum of squares 19445 (expected 19445)
 *   crashes: 5, restarts: 5, dead letters: 0
 *
 * and the exit status is 0 when every good job was done and every
 * malformed one cost exactly one crash and one restart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "pool.rtp.h"

enum {
	WORKERS = 4,
	JOBS = 40,
	POISON = 7,    /* jobs 7, 14, 21, ...: within the pool's intensity */
	MALFORMED = 1, /* a worker's crash reason: its job was not a number */
};

/* --- Worker --------------------------------------------------------------- */

int
pool_Worker_on_Job(pool_Worker *self, rt_ctx *ctx, const pool_Job *msg)
{
	unsigned long n;
	char *end;

	(void)ctx;
	errno = 0;
	n = strtoul(msg->text, &end, 10);
	if (end == msg->text || *end != '\0' || errno != 0 || n > UINT32_MAX)
		return MALFORMED; /* a crash: the supervisor restarts us */
	/* Each incarnation starts from a zeroed state, so `jobs` counts
	 * since the last (re)start. */
	self->jobs++;
	return pool_Collector_send_Result(msg->report_to,
	    &(pool_Result){ .id = msg->id, .square = (uint64_t)n * n });
}

int
pool_Worker_on_Drain(pool_Worker *self, rt_ctx *ctx, const pool_Drain *req,
    pool_Drained *reply)
{
	(void)ctx;
	(void)req;
	reply->jobs = self->jobs;
	return 0;
}

/* --- Collector ------------------------------------------------------------ */

static void
answer(pool_Collector *self)
{
	pool_reply_Wait(self->waiter,
	    &(pool_Totals){ .results = self->results, .sum = self->sum });
	self->waiter = (rt_reply_token){ 0 };
}

int
pool_Collector_on_Result(pool_Collector *self, rt_ctx *ctx,
    const pool_Result *msg)
{
	(void)ctx;
	self->results++;
	self->sum += msg->square;
	if (self->waiter.rec != NULL && self->results == self->want)
		answer(self);
	return 0;
}

int
pool_Collector_on_Wait(pool_Collector *self, rt_ctx *ctx, const pool_Wait *req,
    pool_Totals *reply)
{
	if (self->results < req->good) {
		/* Results still on their way: answer when the last comes
		 * (one waiter at a time is all this example needs). */
		self->want = req->good;
		self->waiter = rt_reply_defer(ctx);
		return RT_DEFER;
	}
	reply->results = self->results;
	reply->sum = self->sum;
	return 0;
}

/* --- main ----------------------------------------------------------------- */

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "pool: %s: %s\n", what, rt_strerror(rc));
	return 1;
}

int
main(void)
{
	rt_system *sys = rt_system_new(NULL);
	unsigned sent[WORKERS] = { 0 }, bad[WORKERS] = { 0 };
	unsigned i, id, good = 0, malformed = 0;
	uint64_t expected = 0;
	pool_Service_ref service;
	pool_Collector_ref results;
	pool_Workers_ref pool;
	pool_Totals totals;
	rt_stats st;
	int rc, ok;

	if (sys == NULL)
		return fail("rt_system_new", RT_ENOMEM);
	if ((rc = pool_Service_start(sys, &service)) != 0)
		return fail("starting the service", rc);
	results = pool_Service_results(service);
	pool = pool_Service_pool(service);

	/* The pool hands the jobs out in turn: job n to member (n - 1) mod
	 * WORKERS. A worker that crashes keeps its ref and its mailbox: the
	 * jobs queued behind a bad one wait for its next incarnation, and
	 * main never needs to know. */
	for (id = 1; id <= JOBS; id++) {
		char text[16];

		i = (id - 1) % WORKERS;
		sent[i]++;
		if (id % POISON == 0) {
			snprintf(text, sizeof(text), "%u?", id);
			bad[i]++;
			malformed++;
		} else {
			snprintf(text, sizeof(text), "%u", id);
			expected += (uint64_t)id * id;
			good++;
		}
		if ((rc = pool_Workers_send_Job(pool,
			 &(pool_Job){ .id = id,
			     .text = text,
			     .report_to = results })) != 0)
			return fail("sending a job", rc);
	}
	printf("pool: %u workers, %u jobs, %u of them malformed\n", WORKERS,
	    JOBS, malformed);

	/* Every worker answers once it is through the jobs queued before
	 * the question, bad ones included: so every crash, and the restart
	 * after it, has happened by then. */
	for (i = 0; i < WORKERS; i++) {
		pool_Worker_ref w;
		pool_Drained d;

		if ((rc = pool_Workers_member(pool, i, &w)) != 0 ||
		    (rc = pool_Worker_call_Drain(sys, w, NULL, &d,
			 RT_SEC(10))) != 0)
			return fail("draining a worker", rc);
		printf("worker %u: %u jobs, %u malformed, %u done since its "
		       "last start\n",
		    i + 1, sent[i], bad[i], d.jobs);
	}

	/* The results come to the Collector from all the workers: ask it to
	 * answer once it has every good one. */
	if ((rc = pool_Collector_call_Wait(sys, results,
		 &(pool_Wait){ .good = good }, &totals, RT_SEC(10))) != 0)
		return fail("waiting for the results", rc);
	rt_stats_system(sys, &st);
	printf("done: %u of %u good jobs, sum of squares %llu (expected "
	       "%llu)\n",
	    totals.results, good, (unsigned long long)totals.sum,
	    (unsigned long long)expected);
	printf("crashes: %llu, restarts: %llu, dead letters: %llu\n",
	    (unsigned long long)st.crashed, (unsigned long long)st.restarts,
	    (unsigned long long)st.dead_letters);
	ok = totals.results == good && totals.sum == expected &&
	    st.crashed == malformed && st.restarts == malformed &&
	    st.dead_letters == 0;
	rt_system_free(sys); /* stops the service, workers and all */
	return ok ? 0 : 1;
}
