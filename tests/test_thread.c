/* SPDX-License-Identifier: MIT */
/*
 * Actors on threads of their own (`thread;`), through the generated API
 * of tests/rtp/thread.rtp: each runs on a thread that is not a worker and
 * not another's, hooks included; one that blocks delays no other actor,
 * even with one worker; calls (from its handler too), timers,
 * supervision and restart in place work as for any actor; threads
 * of stopped actors are joined, and a test system runs them on its
 * driving thread.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rt/rt.h>
#include <rt/test.h>

#include "cutest.h"
#include "thread.rtp.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
#define WAIT_LIMIT_SEC 10
#include "record.h"

/* --- what the actors saw ------------------------------------------------- */

/* Under mu (record.h). */
static struct {
	unsigned starts, stops, notes, relays;
	uint64_t start_thread[8]; /* pthread_self of each on_start */
	uint64_t note_thread;     /* ... of the last Note */
	int relay_rc;             /* the last Relay's call */
	uint32_t relay_n;
	int wait_rc;
	int gate_open;
} S = { .gate_open = 1 };

static uint64_t
me(void)
{
	return (uint64_t)pthread_self();
}

static void
reset(void)
{
	pthread_mutex_lock(&mu);
	S.starts = S.stops = S.notes = S.relays = 0;
	S.relay_rc = S.wait_rc = 0;
	S.gate_open = 1;
	pthread_mutex_unlock(&mu);
}

/* After a change made under mu: wake the waiters, let go. */
static void
changed(void)
{
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static int
gate_is_open(void)
{
	return S.gate_open;
}

static void
gate_set(int open)
{
	pthread_mutex_lock(&mu);
	S.gate_open = open;
	changed();
}

/* --- the actors ---------------------------------------------------------- */

int
thr_Sleeper_on_start(thr_Sleeper *self, rt_ctx *ctx,
    const thr_Sleeper_args *args)
{
	(void)ctx;
	self->quick = args->quick;
	pthread_mutex_lock(&mu);
	if (S.starts < 8)
		S.start_thread[S.starts] = me();
	S.starts++;
	changed();
	return 0;
}

void
thr_Sleeper_on_stop(thr_Sleeper *self, rt_ctx *ctx, int reason)
{
	(void)self;
	(void)ctx;
	(void)reason;
	pthread_mutex_lock(&mu);
	S.stops++;
	changed();
}

int
thr_Sleeper_on_Where(thr_Sleeper *self, rt_ctx *ctx, const thr_Where *req,
    thr_Here *reply)
{
	(void)self;
	(void)ctx;
	(void)req;
	reply->thread = me();
	return 0;
}

int
thr_Sleeper_on_Hold(thr_Sleeper *self, rt_ctx *ctx, const thr_Hold *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	(void)wait_until(gate_is_open);
	return 0;
}

int
thr_Sleeper_on_Relay(thr_Sleeper *self, rt_ctx *ctx, const thr_Relay *msg)
{
	thr_Where q = { 0 };
	thr_Here h = { 0 };
	int rc;

	(void)msg;
	/* A blocking call from a handler: allowed on a thread of its own. */
	rc = thr_Quick_call_Where(rt_ctx_system(ctx), self->quick, &q, &h,
	    RT_SEC(10));
	pthread_mutex_lock(&mu);
	S.relay_rc = rc;
	S.relay_n = msg->n;
	S.relays++;
	changed();
	return 0;
}

int
thr_Sleeper_on_Note(thr_Sleeper *self, rt_ctx *ctx, const thr_Note *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	pthread_mutex_lock(&mu);
	S.note_thread = me();
	S.notes++;
	changed();
	return 0;
}

int
thr_Sleeper_on_Crash(thr_Sleeper *self, rt_ctx *ctx, const thr_Crash *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return RT_EIO;
}

int
thr_Sleeper_on_Wait(thr_Sleeper *self, rt_ctx *ctx, const thr_Wait *msg)
{
	int rc = rt_system_wait(rt_ctx_system(ctx));

	(void)self;
	(void)msg;
	pthread_mutex_lock(&mu);
	S.wait_rc = rc;
	S.relays++;
	changed();
	return 0;
}

int
thr_Quick_on_Where(thr_Quick *self, rt_ctx *ctx, const thr_Where *req,
    thr_Here *reply)
{
	(void)self;
	(void)ctx;
	(void)req;
	reply->thread = me();
	return 0;
}

int
thr_Quick_on_Note(thr_Quick *self, rt_ctx *ctx, const thr_Note *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

/* What Watch saw: the downs, by reason. */
static struct {
	unsigned downs;
	int reason[4];
	rt_ref who[4];
} W;

int
thr_Watch_on_start(thr_Watch *self, rt_ctx *ctx, const thr_Watch_args *args)
{
	int rc;

	(void)self;
	rc = rt_monitor(ctx, args->watched.ref);
	if (rc == 0)
		rc = rt_trap_exits(ctx, true);
	if (rc == 0)
		rc = rt_link(ctx, args->linked.ref);
	return rc;
}

int
thr_Watch_on_down(thr_Watch *self, rt_ctx *ctx, rt_ref who, int reason)
{
	(void)self;
	(void)ctx;
	pthread_mutex_lock(&mu);
	if (W.downs < 4) {
		W.reason[W.downs] = reason;
		W.who[W.downs] = who;
	}
	W.downs++;
	changed();
	return 0;
}

int
thr_Watch_on_Note(thr_Watch *self, rt_ctx *ctx, const thr_Note *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

/* --- helpers ------------------------------------------------------------- */

static uint64_t
where_sleeper(rt_system *sys, thr_Sleeper_ref s)
{
	thr_Where q = { 0 };
	thr_Here h = { 0 };

	CU_ASSERT_EQUAL(thr_Sleeper_call_Where(sys, s, &q, &h, RT_SEC(10)), 0);
	return h.thread;
}

static uint64_t
where_quick(rt_system *sys, thr_Quick_ref s)
{
	thr_Where q = { 0 };
	thr_Here h = { 0 };

	CU_ASSERT_EQUAL(thr_Quick_call_Where(sys, s, &q, &h, RT_SEC(10)), 0);
	return h.thread;
}

static void
balanced(rt_system *sys)
{
	rt_stats st;

	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
}

static unsigned
threads_now(void)
{
	DIR *d = opendir("/proc/self/task");
	unsigned n = 0;
	struct dirent *e;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* --- the tests ----------------------------------------------------------- */

static void
each_runs_on_a_thread_of_its_own(void)
{
	rt_system *sys = threaded(2);
	thr_Sleeper_ref a, b;
	thr_Quick_ref q;
	thr_Note n = { 1 };
	uint64_t ta, tb, tq;

	reset();
	CU_ASSERT_EQUAL_FATAL(thr_Quick_spawn(sys, NULL, &q), 0);
	CU_ASSERT_EQUAL_FATAL(thr_Sleeper_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(thr_Sleeper_spawn(sys, NULL, &b), 0);
	ta = where_sleeper(sys, a);
	tb = where_sleeper(sys, b);
	tq = where_quick(sys, q);
	CU_ASSERT_NOT_EQUAL(ta, tb);
	CU_ASSERT_NOT_EQUAL(ta, tq);
	CU_ASSERT_NOT_EQUAL(tb, tq);
	CU_ASSERT_NOT_EQUAL(ta, me());
	/* Always the same one, hooks included. */
	CU_ASSERT_EQUAL(where_sleeper(sys, a), ta);
	CU_ASSERT_FATAL(wait_count(&S.starts, 2));
	CU_ASSERT_TRUE((S.start_thread[0] == ta && S.start_thread[1] == tb) ||
	    (S.start_thread[0] == tb && S.start_thread[1] == ta));
	CU_ASSERT_EQUAL(thr_Sleeper_send_Note(a, &n), 0);
	CU_ASSERT_FATAL(wait_count(&S.notes, 1));
	CU_ASSERT_EQUAL(S.note_thread, ta);
	balanced(sys);
	CU_ASSERT_EQUAL(S.stops, 2);
	rt_system_free(sys);
}

static void
one_that_blocks_delays_no_other_even_with_one_worker(void)
{
	rt_system *sys = threaded(1);
	thr_Sleeper_ref s;
	thr_Quick_ref q;
	thr_Hold h = { 0 };
	thr_Note n = { 7 };
	int i;

	reset();
	CU_ASSERT_EQUAL_FATAL(thr_Quick_spawn(sys, NULL, &q), 0);
	CU_ASSERT_EQUAL_FATAL(thr_Sleeper_spawn(sys, NULL, &s), 0);
	gate_set(0);
	CU_ASSERT_EQUAL(thr_Sleeper_send_Hold(s, &h), 0);
	CU_ASSERT_EQUAL(thr_Sleeper_send_Note(s, &n), 0);
	/* The sleeper is blocked; the one worker still answers, a
	 * hundred times. */
	for (i = 0; i < 100; i++)
		(void)where_quick(sys, q);
	/* Its own messages wait for it. */
	CU_ASSERT_EQUAL(S.notes, 0);
	gate_set(1);
	CU_ASSERT_FATAL(wait_count(&S.notes, 1));
	balanced(sys);
	rt_system_free(sys);
}

static void
calls_and_timers_work_as_for_any_actor(void)
{
	rt_system *sys = threaded(1);
	thr_Sleeper_args a;
	thr_Sleeper_ref s;
	thr_Quick_ref q;
	thr_Relay r = { 3 };
	thr_Note n = { 1 };
	thr_Wait w = { 0 };

	reset();
	CU_ASSERT_EQUAL_FATAL(thr_Quick_spawn(sys, NULL, &q), 0);
	a.quick = q;
	CU_ASSERT_EQUAL_FATAL(thr_Sleeper_spawn(sys, &a, &s), 0);
	/* A call from its handler to an actor on the workers. */
	CU_ASSERT_EQUAL(thr_Sleeper_send_Relay(s, &r), 0);
	CU_ASSERT_FATAL(wait_count(&S.relays, 1));
	CU_ASSERT_EQUAL(S.relay_rc, 0);
	CU_ASSERT_EQUAL(S.relay_n, 3);
	/* A timer. */
	CU_ASSERT_EQUAL(thr_Sleeper_send_Note_after(s, &n, RT_MS(20), NULL), 0);
	CU_ASSERT_FATAL(wait_count(&S.notes, 1));
	/* Waiting for the system from inside it could never end. */
	CU_ASSERT_EQUAL(thr_Sleeper_send_Wait(s, &w), 0);
	CU_ASSERT_FATAL(wait_count(&S.relays, 2));
	CU_ASSERT_EQUAL(S.wait_rc, RT_EDEADLK);
	balanced(sys);
	rt_system_free(sys);
}

static void
a_supervisor_restarts_one_in_place(void)
{
	rt_system *sys = threaded(1);
	thr_Tree_ref tree;
	thr_Sleeper_ref s;
	thr_Crash c = { 0 };
	thr_Note n = { 1 };
	rt_actor_stats st;
	uint64_t t0;

	reset();
	CU_ASSERT_EQUAL_FATAL(thr_Tree_start(sys, &tree), 0);
	CU_ASSERT_FATAL(wait_count(&S.starts, 1));
	s.ref = rt_sup_child(tree.ref, 0);
	t0 = where_sleeper(sys, s);
	CU_ASSERT_EQUAL(thr_Sleeper_send_Crash(s, &c), 0);
	CU_ASSERT_FATAL(wait_count(&S.starts, 2));
	/* The same ref, and still on its own thread. */
	CU_ASSERT_TRUE(rt_actor_alive(s.ref));
	CU_ASSERT_EQUAL(where_sleeper(sys, s), t0);
	CU_ASSERT_EQUAL(S.start_thread[1], t0);
	CU_ASSERT_EQUAL(thr_Sleeper_send_Note(s, &n), 0);
	CU_ASSERT_FATAL(wait_count(&S.notes, 1));
	CU_ASSERT_EQUAL(S.note_thread, t0);
	CU_ASSERT_EQUAL(rt_stats_actor(s.ref, &st), 0);
	balanced(sys);
	rt_system_free(sys);
}

static void
monitors_and_links_see_them_exit(void)
{
	rt_system *sys = threaded(1);
	thr_Sleeper_ref a, b;
	thr_Watch_args wa;
	thr_Note n = { 1 };
	thr_Crash c = { 0 };

	reset();
	memset(&W, 0, sizeof(W));
	CU_ASSERT_EQUAL_FATAL(thr_Sleeper_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(thr_Sleeper_spawn(sys, NULL, &b), 0);
	wa.watched = a;
	wa.linked = b;
	CU_ASSERT_EQUAL_FATAL(thr_Watch_spawn(sys, &wa, NULL), 0);
	/* Both started, and the Watch with them (its monitor and link
	 * are in place once a Note to each has gone round). */
	CU_ASSERT_FATAL(wait_count(&S.starts, 2));
	CU_ASSERT_EQUAL(thr_Sleeper_send_Note(a, &n), 0);
	CU_ASSERT_EQUAL(thr_Sleeper_send_Note(b, &n), 0);
	CU_ASSERT_FATAL(wait_count(&S.notes, 2));
	(void)where_sleeper(sys, a);
	(void)where_sleeper(sys, b);
	/* The monitored one crashes, the linked one too. */
	CU_ASSERT_EQUAL(thr_Sleeper_send_Crash(a, &c), 0);
	CU_ASSERT_FATAL(wait_count(&W.downs, 1));
	CU_ASSERT_EQUAL(thr_Sleeper_send_Crash(b, &c), 0);
	CU_ASSERT_FATAL(wait_count(&W.downs, 2));
	CU_ASSERT_TRUE(rt_ref_equal(W.who[0], a.ref));
	CU_ASSERT_EQUAL(W.reason[0], RT_EIO);
	CU_ASSERT_TRUE(rt_ref_equal(W.who[1], b.ref));
	CU_ASSERT_EQUAL(W.reason[1], RT_EIO);
	balanced(sys);
	rt_system_free(sys);
}

static void
threads_of_stopped_actors_are_joined(void)
{
	unsigned base = threads_now(), before, i;
	rt_system *sys = threaded(1);

	reset();
	before = threads_now();
	/* One at a time: each crashes, and so stops for good (nobody
	 * supervises it), before the next is made. */
	for (i = 0; i < 50; i++) {
		thr_Sleeper_ref s;
		thr_Crash c = { 0 };

		CU_ASSERT_EQUAL_FATAL(thr_Sleeper_spawn(sys, NULL, &s), 0);
		/* An unsupervised actor that crashes stops for good. */
		CU_ASSERT_EQUAL(thr_Sleeper_send_Crash(s, &c), 0);
		CU_ASSERT_FATAL(wait_count(&S.stops, i + 1));
	}
	/* The ended ones are joined as new ones are made: a handful may
	 * be ending now, never fifty. */
	CU_ASSERT(threads_now() <= before + 3);
	balanced(sys);
	rt_system_free(sys);
	/* Workers and actor threads all joined. */
	CU_ASSERT_EQUAL(threads_now(), base);
}

static void
a_test_system_runs_them_on_its_thread(void)
{
	rt_system *sys = rt_test_system_new(NULL);
	thr_Sleeper_ref s;
	thr_Note n = { 1 };

	reset();
	CU_ASSERT_EQUAL_FATAL(thr_Sleeper_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(thr_Sleeper_send_Note(s, &n), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(S.notes, 1);
	CU_ASSERT_EQUAL(S.note_thread, me());
	CU_ASSERT_EQUAL(S.start_thread[0], me());
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo thread[] = {
		{ "each runs on a thread of its own",
		    each_runs_on_a_thread_of_its_own },
		{ "one that blocks delays no other, even with one worker",
		    one_that_blocks_delays_no_other_even_with_one_worker },
		{ "calls and timers work as for any actor",
		    calls_and_timers_work_as_for_any_actor },
		{ "a supervisor restarts one in place",
		    a_supervisor_restarts_one_in_place },
		{ "monitors and links see them exit",
		    monitors_and_links_see_them_exit },
		{ "threads of stopped actors are joined",
		    threads_of_stopped_actors_are_joined },
		{ "a test system runs them on its thread",
		    a_test_system_runs_them_on_its_thread },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "thread", NULL, NULL, NULL, NULL, thread },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
