/* SPDX-License-Identifier: MIT */
/*
 * Links, monitors and supervisors through the public API, on test systems
 * (rt/test.h): everything runs on the test's thread, in a deterministic
 * order, on virtual time, so every expectation is exact: which children
 * started and stopped, in what order, how often, what was reported.
 */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rt/test.h>

#include "cutest.h"
#include "sup.rtp.h"

/* What happened, as one string: "start 0,start 1,stop 1,...". */
static struct {
	char ev[8192];
	char log[8192];
	unsigned nlog;
	unsigned downs;
	rt_ref down_who;
	int down_reason;
	unsigned dead;
} rec;

/* Set while real worker threads run the actors: ev() records nothing. */
static int quiet;
static uint64_t works;          /* atomic: Work messages handled */
static unsigned failing_starts; /* the next on_starts of Workers fail */

static void
ev(const char *fmt, ...)
{
	size_t n = strlen(rec.ev);
	va_list ap;

	if (quiet)
		return;
	if (n > 0 && n + 1 < sizeof(rec.ev))
		rec.ev[n++] = ',';
	va_start(ap, fmt);
	vsnprintf(rec.ev + n, sizeof(rec.ev) - n, fmt, ap);
	va_end(ap);
}

static void
on_log(void *user, rt_log_level level, const char *line)
{
	size_t n = strlen(rec.log);

	(void)user;
	(void)level;
	if (quiet)
		return;
	snprintf(rec.log + n, sizeof(rec.log) - n, "%s\n", line);
	rec.nlog++;
}

static void
on_dead(void *user, const rt_dead_letter *dl)
{
	(void)user;
	(void)dl;
	if (quiet)
		return;
	rec.dead++;
}

static rt_system *
new_system(void)
{
	rt_config cfg;

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	cfg.log = on_log;
	cfg.dead_letter = on_dead;
	return rt_test_system_new(&cfg);
}

/* --- the actors ----------------------------------------------------------- */

int
sup_Worker_on_start(sup_Worker *self, rt_ctx *ctx, const sup_Worker_args *a)
{
	(void)ctx;
	self->id = a->id;
	ev("start %u", a->id);
	if (failing_starts > 0) {
		failing_starts--;
		return 7;
	}
	return a->fail_start ? 7 : 0;
}

void
sup_Worker_on_stop(sup_Worker *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	ev("stop %u:%d", self->id, reason);
}

int
sup_Worker_on_Work(sup_Worker *self, rt_ctx *ctx, const sup_Work *m)
{
	(void)ctx;
	self->handled++;
	__atomic_add_fetch(&works, 1, __ATOMIC_RELAXED);
	ev("work %u:%u#%u", self->id, m->n, self->handled);
	return 0;
}

int
sup_Worker_on_Crash(sup_Worker *self, rt_ctx *ctx, const sup_Crash *m)
{
	(void)self;
	(void)ctx;
	return m->reason;
}

int
sup_Worker_on_Quit(sup_Worker *self, rt_ctx *ctx, const sup_Quit *m)
{
	(void)self;
	rt_stop(ctx, m->reason);
	return 0;
}

int
sup_Worker_on_Note(sup_Worker *self, rt_ctx *ctx, const sup_Note *m)
{
	(void)self;
	(void)ctx;
	(void)m;
	return 2;
}

/* Hang: block the worker until the test lets go (real threads only). */
static pthread_mutex_t hang_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hang_cv = PTHREAD_COND_INITIALIZER;
static int hang_release;
static int hanging; /* atomic: a Hang handler has begun */

int
sup_Worker_on_Hang(sup_Worker *self, rt_ctx *ctx, const sup_Hang *m)
{
	struct timespec limit;

	(void)self;
	(void)ctx;
	(void)m;
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 20;
	__atomic_store_n(&hanging, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&hang_mu);
	while (!hang_release &&
	    pthread_cond_timedwait(&hang_cv, &hang_mu, &limit) == 0)
		;
	pthread_mutex_unlock(&hang_mu);
	return 0;
}

/* Narrow: Jam holds its worker like Hang, then fails. */
int
sup_Narrow_on_Jam(sup_Narrow *self, rt_ctx *ctx, const sup_Jam *m)
{
	(void)m;
	sup_Worker_on_Hang(NULL, ctx, NULL);
	(void)self;
	return RT_EINVAL;
}

int
sup_Narrow_on_Query(sup_Narrow *self, rt_ctx *ctx, const sup_Query *req,
    sup_Answer *reply)
{
	(void)self;
	(void)ctx;
	reply->v = req->n + 1;
	return 0;
}

int
sup_Narrow_on_Work(sup_Narrow *self, rt_ctx *ctx, const sup_Work *m)
{
	(void)self;
	(void)ctx;
	(void)m;
	return 0;
}

int
sup_Watcher_on_Watch(sup_Watcher *self, rt_ctx *ctx, const sup_Watch *m)
{
	(void)self;
	if (m->trap) {
		CU_ASSERT_EQUAL(rt_trap_exits(ctx, true), 0);
	}
	if (m->link) {
		CU_ASSERT_EQUAL(rt_link(ctx, m->who.ref), 0);
	} else {
		CU_ASSERT_EQUAL(rt_monitor(ctx, m->who.ref), 0);
	}
	return 0;
}

int
sup_Watcher_on_Crash(sup_Watcher *self, rt_ctx *ctx, const sup_Crash *m)
{
	(void)self;
	(void)ctx;
	return m->reason;
}

int
sup_Watcher_on_down(sup_Watcher *self, rt_ctx *ctx, rt_ref who, int reason)
{
	(void)self;
	(void)ctx;
	rec.downs++;
	rec.down_who = who;
	rec.down_reason = reason;
	ev("down %d", reason);
	return 0;
}

/*
 * Build: start a Pool from the handler (it returns at once), a child in
 * it, and a linked worker. Poke: crash one of them.
 */
static sup_Pool_ref mgr_pool;

int
sup_Manager_on_Build(sup_Manager *self, rt_ctx *ctx, const sup_Build *m)
{
	rt_system *sys = rt_ctx_system(ctx);
	sup_Worker_args a = { 7, false };
	sup_Worker_args b = { 8, false };

	if (m->trap)
		CU_ASSERT_EQUAL(rt_trap_exits(ctx, true), 0);
	CU_ASSERT_EQUAL(sup_Pool_start(sys, &mgr_pool), 0);
	CU_ASSERT_EQUAL(sup_Pool_start_child(mgr_pool, &a, &self->pooled), 0);
	CU_ASSERT_EQUAL(sup_Worker_spawn(sys, &b, &self->linked), 0);
	CU_ASSERT_EQUAL(rt_link(ctx, self->linked.ref), 0);
	return 0;
}

int
sup_Manager_on_Poke(sup_Manager *self, rt_ctx *ctx, const sup_Poke *m)
{
	sup_Crash c = { m->reason };

	(void)ctx;
	CU_ASSERT_EQUAL(sup_Worker_send_Crash(m->which == 0 ? self->pooled :
							      self->linked,
			    &c),
	    0);
	return 0;
}

/* Hire: start a child of Strict (mgr_strict) from a handler. */
static sup_Strict_ref mgr_strict;

int
sup_Manager_on_Hire(sup_Manager *self, rt_ctx *ctx, const sup_Hire *m)
{
	sup_Worker_args a = { 9, m->fail };

	(void)ctx;
	/* An actor is not kept waiting: a failed start comes as a down. */
	CU_ASSERT_EQUAL(sup_Strict_start_child(mgr_strict, &a, &self->hired),
	    0);
	return 0;
}

int
sup_Manager_on_down(sup_Manager *self, rt_ctx *ctx, rt_ref who, int reason)
{
	(void)ctx;
	ev("manager down %s %d",
	    rt_ref_equal(who, self->linked.ref)    ? "linked" :
		rt_ref_equal(who, self->hired.ref) ? "hired" :
						     "?",
	    reason);
	return 0;
}

/* --- helpers -------------------------------------------------------------- */

static void
sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static void
work(rt_ref w, uint32_t n)
{
	sup_Worker_ref r = { w };
	sup_Work m = { n };

	CU_ASSERT_EQUAL(sup_Worker_send_Work(r, &m), 0);
}

static void
crash(rt_ref w, int32_t reason)
{
	sup_Worker_ref r = { w };
	sup_Crash m = { reason };

	CU_ASSERT_EQUAL(sup_Worker_send_Crash(r, &m), 0);
}

static void
quit(rt_ref w, int32_t reason)
{
	sup_Worker_ref r = { w };
	sup_Quit m = { reason };

	CU_ASSERT_EQUAL(sup_Worker_send_Quit(r, &m), 0);
}

#define EV(want)                                                              \
	do {                                                                  \
		CU_ASSERT_STRING_EQUAL(rec.ev, want);                         \
		if (strcmp(rec.ev, want) != 0)                                \
			fprintf(stderr,                                       \
			    "\n%s:%d: events: %s\n   wanted: %s\n", __FILE__, \
			    __LINE__, rec.ev, want);                          \
		rec.ev[0] = 0;                                                \
	} while (0)

static const sup_Worker_args args0 = { 0, false }, args1 = { 1, false },
			     args2 = { 2, false };

/* --- monitors and links --------------------------------------------------- */

static void
test_monitor_gets_one_down(void)
{
	rt_system *sys = new_system();
	sup_Worker_ref w;
	sup_Watcher_ref m;
	sup_Watch watch;
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(sup_Worker_spawn(sys, &args1, &w), 0);
	CU_ASSERT_EQUAL_FATAL(sup_Watcher_spawn(sys, NULL, &m), 0);
	watch.who = w;
	watch.link = false;
	watch.trap = false;
	CU_ASSERT_EQUAL(sup_Watcher_send_Watch(m, &watch), 0);
	rt_test_run(sys);
	crash(w.ref, 5);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.downs, 1);
	CU_ASSERT_TRUE(rt_ref_equal(rec.down_who, w.ref));
	CU_ASSERT_EQUAL(rec.down_reason, 5);
	CU_ASSERT_FALSE(rt_actor_alive(w.ref));
	CU_ASSERT_TRUE(rt_actor_alive(m.ref));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log,
	    "crashed: handler error (5) "
	    "while handling Crash Crash{reason=5}"));
	/* Monitoring a dead actor: a down at once, RT_ENOACTOR. */
	CU_ASSERT_EQUAL(sup_Watcher_send_Watch(m, &watch), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.downs, 2);
	CU_ASSERT_EQUAL(rec.down_reason, RT_ENOACTOR);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	rt_system_free(sys);
}

static void
test_link_kills_unless_trapping(void)
{
	rt_system *sys = new_system();
	sup_Worker_ref w;
	sup_Watcher_ref m;
	sup_Watch watch = { { { NULL, 0 } }, true, false };

	/* Not trapping: the abnormal exit kills the linked watcher. */
	CU_ASSERT_EQUAL_FATAL(sup_Worker_spawn(sys, &args1, &w), 0);
	CU_ASSERT_EQUAL_FATAL(sup_Watcher_spawn(sys, NULL, &m), 0);
	watch.who = w;
	CU_ASSERT_EQUAL(sup_Watcher_send_Watch(m, &watch), 0);
	rt_test_run(sys);
	crash(w.ref, 9);
	rt_test_run(sys);
	CU_ASSERT_FALSE(rt_actor_alive(w.ref));
	CU_ASSERT_FALSE(rt_actor_alive(m.ref));
	CU_ASSERT_EQUAL(rec.downs, 0);

	/* A normal exit does not. */
	CU_ASSERT_EQUAL_FATAL(sup_Worker_spawn(sys, &args1, &w), 0);
	CU_ASSERT_EQUAL_FATAL(sup_Watcher_spawn(sys, NULL, &m), 0);
	watch.who = w;
	CU_ASSERT_EQUAL(sup_Watcher_send_Watch(m, &watch), 0);
	rt_test_run(sys);
	quit(w.ref, RT_NORMAL);
	rt_test_run(sys);
	CU_ASSERT_FALSE(rt_actor_alive(w.ref));
	CU_ASSERT_TRUE(rt_actor_alive(m.ref));

	/* Trapping: the exit is a down, normal ones too. */
	CU_ASSERT_EQUAL_FATAL(sup_Worker_spawn(sys, &args1, &w), 0);
	watch.who = w;
	watch.trap = true;
	CU_ASSERT_EQUAL(sup_Watcher_send_Watch(m, &watch), 0);
	rt_test_run(sys);
	crash(w.ref, 4);
	rt_test_run(sys);
	CU_ASSERT_TRUE(rt_actor_alive(m.ref));
	CU_ASSERT_EQUAL(rec.downs, 1);
	CU_ASSERT_EQUAL(rec.down_reason, 4);

	/* Both ways: the watcher's crash kills a linked worker. */
	CU_ASSERT_EQUAL_FATAL(sup_Worker_spawn(sys, &args2, &w), 0);
	watch.who = w;
	watch.trap = false;
	CU_ASSERT_EQUAL(sup_Watcher_send_Watch(m, &watch), 0);
	rt_test_run(sys);
	{
		sup_Crash c = { 3 };

		CU_ASSERT_EQUAL(sup_Watcher_send_Crash(m, &c), 0);
	}
	rt_test_run(sys);
	CU_ASSERT_FALSE(rt_actor_alive(m.ref));
	CU_ASSERT_FALSE(rt_actor_alive(w.ref));
	rt_system_free(sys);
}

static void
test_bad_calls(void)
{
	rt_ref zero = { NULL, 0 };

	CU_ASSERT_EQUAL(rt_monitor(NULL, zero), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_link(NULL, zero), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_unlink(NULL, zero), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_demonitor(NULL, zero), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_trap_exits(NULL, true), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_sup_start(NULL, NULL, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_sup_start_child(zero, NULL, NULL), RT_EINVAL);
	CU_ASSERT_TRUE(rt_ref_is_null(rt_sup_child(zero, 0)));
}

/* --- supervisors (tests/rtp/sup.rtp) --------------------------------------- */

static void
test_start_in_order_and_lookups(void)
{
	rt_system *sys = new_system();
	sup_Three_ref top;
	sup_Worker_ref a, b;

	CU_ASSERT_EQUAL_FATAL(sup_Three_start(sys, &top), 0);
	EV("start 0,start 1,start 2");
	a = sup_Three_a(top);
	b = sup_Three_b(top);
	CU_ASSERT_TRUE(rt_actor_alive(a.ref));
	CU_ASSERT_TRUE(rt_actor_alive(b.ref));
	CU_ASSERT_FALSE(rt_ref_equal(a.ref, b.ref));
	CU_ASSERT_TRUE(rt_ref_equal(b.ref, rt_sup_child(top.ref, 1)));
	CU_ASSERT_TRUE(rt_ref_is_null(rt_sup_child(top.ref, 3)));
	CU_ASSERT_TRUE(rt_ref_is_null(rt_sup_child(a.ref, 0)));
	rt_system_free(sys);
}

static void
test_one_for_one_keeps_ref_and_mailbox(void)
{
	rt_system *sys = new_system();
	sup_Three_ref top;
	rt_ref b;
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(sup_Three_start(sys, &top), 0);
	EV("start 0,start 1,start 2");
	b = sup_Three_b(top).ref;
	work(b, 1);
	rt_test_run(sys);
	EV("work 1:1#1");
	/* The crash loses its message only: the two behind it wait for
	 * the new incarnation, which starts from a fresh state. */
	crash(b, 6);
	work(b, 2);
	work(b, 3);
	rt_test_run(sys);
	EV("stop 1:6,start 1,work 1:2#1,work 1:3#2");
	CU_ASSERT_TRUE(rt_ref_equal(b, sup_Three_b(top).ref));
	CU_ASSERT_TRUE(rt_actor_alive(b));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log,
	    "crash: Three/b (sup.Worker) "
	    "crashed: handler error (6) "
	    "while handling Crash "
	    "Crash{reason=6}; restarts so "
	    "far: 0"));
	crash(b, 6);
	rt_test_run(sys);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log, "restarts so far: 1"));
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.restarts, 2);
	CU_ASSERT_EQUAL(st.crashed, 2);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	rt_system_free(sys);
}

static void
test_one_for_all_and_rest_for_one(void)
{
	rt_system *sys = new_system();
	sup_All_ref all;
	sup_Rest_ref rest;

	CU_ASSERT_EQUAL_FATAL(sup_All_start(sys, &all), 0);
	EV("start 0,start 1,start 2");
	crash(sup_All_b(all).ref, 2);
	rt_test_run(sys);
	/* The others stop in reverse start order, all start in order. */
	EV("stop 1:2,stop 2:-9,stop 0:-9,start 0,start 1,start 2");
	rt_system_free(sys);

	sys = new_system();
	CU_ASSERT_EQUAL_FATAL(sup_Rest_start(sys, &rest), 0);
	EV("start 0,start 1,start 2");
	crash(sup_Rest_b(rest).ref, 2);
	rt_test_run(sys);
	EV("stop 1:2,stop 2:-9,start 1,start 2");
	rt_system_free(sys);
}

/* A report about a large message is cut, visibly, not lost. */
static void
test_a_long_crash_report_is_cut(void)
{
	rt_system *sys = new_system();
	sup_Three_ref top;
	static char text[3000];
	sup_Note note = { text };
	const char *line;

	memset(text, 'w', sizeof(text) - 1);
	CU_ASSERT_EQUAL_FATAL(sup_Three_start(sys, &top), 0);
	rec.log[0] = 0;
	CU_ASSERT_EQUAL(sup_Worker_send_Note(sup_Three_a(top), &note), 0);
	rt_test_run(sys);
	line = strstr(rec.log,
	    "crash: Three/a (sup.Worker) crashed: handler "
	    "error (2) while handling Note Note{text=\"www");
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_EQUAL(strchr(line, '\n') - line, 1023);
	CU_ASSERT_EQUAL(strncmp(strchr(line, '\n') - 3, "...", 3), 0);
	rt_system_free(sys);
}

/* log_level RT_LOG_OFF: no report, the counts all the same. */
static void
test_reports_can_be_turned_off(void)
{
	rt_config cfg;
	rt_system *sys;
	sup_Three_ref top;
	rt_stats st;

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	CU_ASSERT_EQUAL(cfg.log_level, RT_LOG_INFO);
	cfg.log = on_log;
	cfg.log_level = RT_LOG_OFF;
	sys = rt_test_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(sup_Three_start(sys, &top), 0);
	crash(sup_Three_b(top).ref, 5);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.nlog, 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.crashed, 1);
	CU_ASSERT_EQUAL(st.restarts, 1);
	rt_system_free(sys);
	/* Levels outside the range are a bad config. */
	cfg.log_level = (rt_log_level)7;
	CU_ASSERT_PTR_NULL(rt_test_system_new(&cfg));
	cfg.log_level = (rt_log_level)-2;
	CU_ASSERT_PTR_NULL(rt_test_system_new(&cfg));
}

static void
test_policies(void)
{
	rt_system *sys = new_system();
	sup_Policies_ref top;
	rt_ref p, t, x;

	CU_ASSERT_EQUAL_FATAL(sup_Policies_start(sys, &top), 0);
	p = sup_Policies_p(top).ref;
	t = sup_Policies_t(top).ref;
	x = sup_Policies_x(top).ref;
	rec.ev[0] = 0;
	quit(p, RT_NORMAL); /* permanent: even a normal exit restarts */
	rt_test_run(sys);
	EV("stop 0:0,start 0");
	quit(t, RT_NORMAL); /* transient: a normal exit is the end */
	rt_test_run(sys);
	EV("stop 1:0");
	CU_ASSERT_TRUE(rt_actor_alive(p));
	CU_ASSERT_FALSE(rt_actor_alive(t));
	crash(x, 1); /* temporary: never restarted */
	rt_test_run(sys);
	EV("stop 2:1");
	CU_ASSERT_FALSE(rt_actor_alive(x));
	rt_system_free(sys);

	sys = new_system();
	CU_ASSERT_EQUAL_FATAL(sup_Policies_start(sys, &top), 0);
	t = sup_Policies_t(top).ref;
	rec.ev[0] = 0;
	crash(t, 3); /* transient: an abnormal exit restarts */
	rt_test_run(sys);
	EV("stop 1:3,start 1");
	CU_ASSERT_TRUE(rt_actor_alive(t));
	rt_system_free(sys);
}

static void
test_intensity_gives_up(void)
{
	rt_system *sys = new_system();
	sup_Tight_ref top;
	rt_ref b;
	int i;

	CU_ASSERT_EQUAL_FATAL(sup_Tight_start(sys, &top), 0);
	b = sup_Tight_b(top).ref;
	rec.ev[0] = 0;
	/* Two restarts within the period are allowed... */
	for (i = 0; i < 2; i++) {
		crash(b, 1);
		rt_test_run(sys);
		rt_test_advance(sys, RT_MS(100));
	}
	EV("stop 1:1,start 1,stop 1:1,start 1");
	/* ... and the old ones leave the window. */
	rt_test_advance(sys, RT_SEC(1));
	crash(b, 1);
	rt_test_run(sys);
	crash(b, 1);
	rt_test_run(sys);
	EV("stop 1:1,start 1,stop 1:1,start 1");
	CU_ASSERT_TRUE(rt_actor_alive(top.ref));
	/* A third within the period: the supervisor stops the others in
	 * reverse order and exits. */
	crash(b, 1);
	rt_test_run(sys);
	EV("stop 1:1,stop 2:-9,stop 0:-9");
	CU_ASSERT_FALSE(rt_actor_alive(top.ref));
	CU_ASSERT_FALSE(rt_actor_alive(b));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log, "supervisor Tight gives up"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log, "too many restarts"));
	CU_ASSERT_EQUAL(rt_test_run(sys), 0);
	rt_system_free(sys);
}

/*
 * A restarted child counts as up as soon as its restart is sent (nothing
 * waits for its on_start): one whose on_start then fails is restarted
 * again all the same, and that restart counts against the intensity.
 */
static void
test_a_restart_whose_start_fails_is_restarted_again(void)
{
	rt_system *sys = new_system();
	sup_Tight_ref top;
	rt_ref b;

	CU_ASSERT_EQUAL_FATAL(sup_Tight_start(sys, &top), 0);
	b = sup_Tight_b(top).ref;
	rec.ev[0] = 0;
	failing_starts = 1;
	crash(b, 1);
	rt_test_run(sys);
	/* No on_stop for the start that failed. */
	EV("stop 1:1,start 1,start 1");
	CU_ASSERT_EQUAL(failing_starts, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log,
	    "crash: Tight/b (sup.Worker) failed to start: handler error (7)"));
	CU_ASSERT_TRUE(rt_actor_alive(b));
	CU_ASSERT_TRUE(rt_ref_equal(b, sup_Tight_b(top).ref));
	work(b, 1);
	rt_test_run(sys);
	EV("work 1:1#1");
	/* Two restarts so far: a third within the period is one too many. */
	crash(b, 1);
	rt_test_run(sys);
	EV("stop 1:1,stop 2:-9,stop 0:-9");
	CU_ASSERT_FALSE(rt_actor_alive(top.ref));
	CU_ASSERT_FALSE(rt_actor_alive(b));
	rt_system_free(sys);
}

static void
test_backoff_delays_restarts(void)
{
	rt_system *sys = new_system();
	sup_Slow_ref top;
	rt_ref b, c;

	CU_ASSERT_EQUAL_FATAL(sup_Slow_start(sys, &top), 0);
	b = sup_Slow_b(top).ref;
	c = sup_Slow_c(top).ref;
	rec.ev[0] = 0;
	crash(b, 1);
	rt_test_run(sys);
	EV("stop 1:1");
	/* Meanwhile the supervisor serves the others. */
	crash(c, 1);
	rt_test_run(sys);
	EV("stop 2:1");
	/* The first delay is 10 ms plus up to a quarter of jitter. */
	rt_test_advance(sys, RT_MS(9));
	EV("");
	rt_test_advance(sys, RT_MS(4));
	/* In the order of their jittered delays. */
	CU_ASSERT_TRUE(strcmp(rec.ev, "start 1,start 2") == 0 ||
	    strcmp(rec.ev, "start 2,start 1") == 0);
	rec.ev[0] = 0;
	/* Again: twice as long. */
	crash(b, 1);
	rt_test_run(sys);
	rt_test_advance(sys, RT_MS(19));
	EV("stop 1:1");
	rt_test_advance(sys, RT_MS(6));
	EV("start 1");
	/* After a quiet spell as long as the cap, back to the minimum. */
	rt_test_advance(sys, RT_MS(100));
	crash(b, 1);
	rt_test_run(sys);
	rt_test_advance(sys, RT_MS(13));
	EV("stop 1:1,start 1");
	rt_system_free(sys);
}

/*
 * When b and c of Slow restart after both crashed at 0, with the test
 * system's randomness seeded with `seed`: the virtual times, in 100 us
 * steps, at which each starts again.
 */
static void
jittered_restarts(uint64_t seed, int64_t when[2])
{
	rt_system *sys = new_system();
	sup_Slow_ref top;
	int64_t t;

	CU_ASSERT_EQUAL_FATAL(rt_test_seed(sys, seed), 0);
	CU_ASSERT_EQUAL_FATAL(sup_Slow_start(sys, &top), 0);
	crash(sup_Slow_b(top).ref, 1);
	crash(sup_Slow_c(top).ref, 1);
	rt_test_run(sys);
	rec.ev[0] = 0;
	when[0] = when[1] = -1;
	for (t = 0; t < RT_MS(20); t += RT_US(100)) {
		rt_test_advance(sys, RT_US(100));
		if (when[0] < 0 && strstr(rec.ev, "start 1") != NULL)
			when[0] = rt_test_now(sys);
		if (when[1] < 0 && strstr(rec.ev, "start 2") != NULL)
			when[1] = rt_test_now(sys);
	}
	rt_system_free(sys);
}

static void
test_backoff_jitter_follows_the_test_seed(void)
{
	int64_t a[2], b[2], c[2];
	uint64_t seed;
	bool differs = false;

	/* The same seed, the same times: a test with backoff repeats. */
	jittered_restarts(RT_TEST_SEED, a);
	jittered_restarts(RT_TEST_SEED, b);
	CU_ASSERT_EQUAL(a[0], b[0]);
	CU_ASSERT_EQUAL(a[1], b[1]);
	/* Each within 10 ms plus a quarter, rounded up to the timer
	 * wheel's 1 ms tick; other seeds, other draws. */
	for (seed = 1; seed <= 8; seed++) {
		jittered_restarts(seed, c);
		CU_ASSERT(c[0] >= RT_MS(10) && c[0] <= RT_MS(14));
		CU_ASSERT(c[1] >= RT_MS(10) && c[1] <= RT_MS(14));
		differs |= c[0] != a[0] || c[1] != a[1];
	}
	CU_ASSERT_TRUE(differs);
	/* Only a test system has a seed to set. */
	CU_ASSERT_EQUAL(rt_test_seed(NULL, 1), RT_EINVAL);
}

/*
 * A child of start_child that fails its first start, as in OTP: not
 * restarted, not counted against the intensity (Strict would give up on
 * its second restart), the pool and its other children untouched, and the
 * caller told: a thread by the result, an actor by a down.
 */
static void
test_a_child_that_fails_its_first_start_is_not_restarted(void)
{
	rt_system *sys = new_system();
	sup_Worker_args ok = { 1, false }, bad = { 2, true };
	sup_Worker_ref w1, w2, w3;
	sup_Manager_ref m;
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(sup_Strict_start(sys, &mgr_strict), 0);
	CU_ASSERT_EQUAL(sup_Strict_start_child(mgr_strict, &ok, &w1), 0);
	EV("start 1");
	CU_ASSERT_EQUAL(sup_Strict_start_child(mgr_strict, &bad, &w2),
	    RT_ESTART);
	CU_ASSERT_EQUAL(sup_Strict_start_child(mgr_strict, &bad, &w2),
	    RT_ESTART);
	EV("start 2,start 2");
	CU_ASSERT_FALSE(rt_actor_alive(w2.ref));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log,
	    "supervisor Strict: child "
	    "worker.3 failed its first "
	    "start (handler error); not "
	    "restarted"));
	CU_ASSERT_TRUE(rt_actor_alive(mgr_strict.ref));
	CU_ASSERT_TRUE(rt_actor_alive(w1.ref));
	/* Its intensity is all there for the children that started. */
	crash(w1.ref, 5);
	rt_test_run(sys);
	EV("stop 1:5,start 1");
	CU_ASSERT_TRUE(rt_actor_alive(mgr_strict.ref));
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.restarts, 1);
	/* From an actor: 0 at once, then a down with the start's result. */
	CU_ASSERT_EQUAL_FATAL(sup_Manager_spawn(sys, NULL, &m), 0);
	CU_ASSERT_EQUAL(sup_Manager_send_Hire(m, &(sup_Hire){ true }), 0);
	rt_test_run(sys);
	EV("start 9,manager down hired 7");
	CU_ASSERT_EQUAL(sup_Manager_send_Hire(m, &(sup_Hire){ false }), 0);
	rt_test_run(sys);
	EV("start 9");
	CU_ASSERT_TRUE(rt_actor_alive(mgr_strict.ref));
	CU_ASSERT_EQUAL(sup_Strict_start_child(mgr_strict, &ok, &w3), 0);
	EV("start 1");
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.restarts, 1);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	rt_system_free(sys);
}

static void
test_start_failure_rolls_back(void)
{
	rt_system *sys = new_system();
	sup_Rollback_ref top;

	CU_ASSERT_EQUAL(sup_Rollback_start(sys, &top), RT_ESTART);
	EV("start 0,start 1,stop 0:-9");
	CU_ASSERT_FALSE(rt_actor_alive(top.ref));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log,
	    "Rollback/b (sup.Worker) "
	    "failed to start: handler "
	    "error (7)"));
	CU_ASSERT_EQUAL(rt_test_run(sys), 0);
	rt_system_free(sys);
}

static void
test_simple_one_for_one(void)
{
	rt_system *sys = new_system();
	sup_Pool_ref pool;
	sup_Worker_ref w1, w2, w3;
	sup_Three_ref three;

	CU_ASSERT_EQUAL_FATAL(sup_Pool_start(sys, &pool), 0);
	EV("");
	CU_ASSERT_EQUAL(sup_Pool_start_child(pool, &args1, &w1), 0);
	CU_ASSERT_EQUAL(sup_Pool_start_child(pool, &args2, &w2), 0);
	/* From a plain thread, start_child returns once the child has
	 * started. */
	work(w1.ref, 5);
	rt_test_run(sys);
	EV("start 1,start 2,work 1:5#1");
	crash(w2.ref, 8);
	rt_test_run(sys);
	EV("stop 2:8");
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log, "crash: Pool/worker.2 "));
	CU_ASSERT_FALSE(rt_actor_alive(w2.ref));
	/* A freed slot is reused; the numbering goes on. */
	CU_ASSERT_EQUAL(sup_Pool_start_child(pool, &args0, &w3), 0);
	rt_test_run(sys);
	crash(w3.ref, 8);
	rt_test_run(sys);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log, "crash: Pool/worker.3 "));
	/* NULL args: all zero. */
	CU_ASSERT_EQUAL(sup_Pool_start_child(pool, NULL, NULL), 0);
	rt_test_run(sys);
	EV("start 0,stop 0:8,start 0");
	/* Not a simple_one_for_one supervisor, or not one at all. */
	CU_ASSERT_EQUAL_FATAL(sup_Three_start(sys, &three), 0);
	CU_ASSERT_EQUAL(rt_sup_start_child(three.ref, &args0, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_sup_start_child(w1.ref, &args0, NULL), RT_EINVAL);
	rt_system_free(sys);
}

static void
test_nested_escalation(void)
{
	rt_system *sys = new_system();
	sup_Nested_ref top;
	sup_Inner_ref in;
	rt_ref a;

	CU_ASSERT_EQUAL_FATAL(sup_Nested_start(sys, &top), 0);
	EV("start 2,start 0");
	in = sup_Nested_in(top);
	a = sup_Inner_a(in).ref;
	CU_ASSERT_TRUE(rt_actor_alive(a));
	/* Inner allows no restart: it gives up, and Nested restarts it in
	 * place, which starts a fresh child. */
	crash(a, 1);
	rt_test_run(sys);
	EV("stop 0:1,start 0");
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log,
	    "supervisor Nested/in gives up"));
	CU_ASSERT_TRUE(rt_ref_equal(in.ref, sup_Nested_in(top).ref));
	CU_ASSERT_TRUE(rt_actor_alive(in.ref));
	CU_ASSERT_FALSE(rt_actor_alive(a));
	CU_ASSERT_TRUE(rt_actor_alive(sup_Inner_a(in).ref));
	rt_system_free(sys);
}

static void
test_shutdown_stops_trees_in_order(void)
{
	rt_system *sys = new_system();
	sup_Three_ref three;
	sup_Nested_ref nested;

	CU_ASSERT_EQUAL_FATAL(sup_Three_start(sys, &three), 0);
	CU_ASSERT_EQUAL_FATAL(sup_Nested_start(sys, &nested), 0);
	EV("start 0,start 1,start 2,start 2,start 0");
	/* The last root first; in each tree the last child first, a
	 * supervisor's own children before it. */
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	EV("stop 0:-9,stop 2:-9,stop 2:-9,stop 1:-9,stop 0:-9");
	CU_ASSERT_FALSE(rt_actor_alive(three.ref));
	CU_ASSERT_FALSE(rt_actor_alive(nested.ref));
	rt_system_free(sys);
}

/*
 * On `sys`: an actor outside the tree lives on; rt_system_wait ends anyway
 * once the root has given up. Frees the system.
 */
static void
wait_ends_when_the_root_gives_up(rt_system *sys)
{
	sup_Tight_ref top;
	sup_Watcher_ref idle;
	rt_ref b;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(sup_Watcher_spawn(sys, NULL, &idle), 0);
	CU_ASSERT_EQUAL_FATAL(sup_Tight_start(sys, &top), 0);
	b = sup_Tight_b(top).ref;
	for (i = 0; i < 3; i++)
		crash(b, 1);
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_FALSE(rt_actor_alive(top.ref));
	CU_ASSERT_TRUE(rt_actor_alive(idle.ref));
	rt_system_free(sys);
}

static void
test_wait_ends_with_the_root_trees(void)
{
	rt_config cfg;

	wait_ends_when_the_root_gives_up(new_system());
	/* The same on worker threads. */
	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log_level = RT_LOG_OFF;
	quiet = 1;
	wait_ends_when_the_root_gives_up(rt_system_new(&cfg));
	quiet = 0;
}

static void
test_supervision_built_from_handlers(void)
{
	rt_system *sys = new_system();
	sup_Manager_ref m;
	sup_Build build = { false };
	sup_Poke poke = { 0, 4 };

	CU_ASSERT_EQUAL_FATAL(sup_Manager_spawn(sys, NULL, &m), 0);
	CU_ASSERT_EQUAL(sup_Manager_send_Build(m, &build), 0);
	rt_test_run(sys);
	/* The pool child waits until its new supervisor takes it in. */
	EV("start 8,start 7");
	CU_ASSERT_TRUE(rt_actor_alive(mgr_pool.ref));
	/* The pooled child is supervised (temporary: not restarted). */
	CU_ASSERT_EQUAL(sup_Manager_send_Poke(m, &poke), 0);
	rt_test_run(sys);
	EV("stop 7:4");
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log, "crash: Pool/worker.1 "));
	CU_ASSERT_TRUE(rt_actor_alive(m.ref));
	/* The linked one takes the manager down with it. */
	poke.which = 1;
	CU_ASSERT_EQUAL(sup_Manager_send_Poke(m, &poke), 0);
	rt_test_run(sys);
	EV("stop 8:4");
	CU_ASSERT_FALSE(rt_actor_alive(m.ref));
	rt_system_free(sys);

	/* Trapping, the manager hears of it instead. */
	sys = new_system();
	build.trap = true;
	CU_ASSERT_EQUAL_FATAL(sup_Manager_spawn(sys, NULL, &m), 0);
	CU_ASSERT_EQUAL(sup_Manager_send_Build(m, &build), 0);
	CU_ASSERT_EQUAL(sup_Manager_send_Poke(m, &poke), 0);
	rt_test_run(sys);
	EV("start 8,stop 8:4,manager down linked 4,start 7");
	CU_ASSERT_TRUE(rt_actor_alive(m.ref));
	rt_system_free(sys);
}

/*
 * Send w a Hang and wait until its handler runs: a stop sent before that
 * would overtake the Hang (signals are acted on ahead of messages).
 */
static void
hang(sup_Worker_ref w)
{
	sup_Hang h;
	int i;

	__atomic_store_n(&hanging, 0, __ATOMIC_RELAXED);
	CU_ASSERT_EQUAL(sup_Worker_send_Hang(w, &h), 0);
	for (i = 0; i < 20000 && !__atomic_load_n(&hanging, __ATOMIC_ACQUIRE);
	    i++)
		sleep_ms(1);
}

/* The first log line of a real system that has `wd_needle` in it. */
static char wd_line[512];
static const char *wd_needle = "watchdog: ";

static void
wd_log(void *user, rt_log_level level, const char *line)
{
	(void)user;
	(void)level;
	pthread_mutex_lock(&hang_mu);
	if (strstr(line, wd_needle) != NULL && wd_line[0] == 0) {
		snprintf(wd_line, sizeof(wd_line), "%s", line);
		/* Let the handler go. */
		hang_release = 1;
		pthread_cond_broadcast(&hang_cv);
	}
	pthread_mutex_unlock(&hang_mu);
}

/*
 * Start a Three tree on a system made with `cfg`, hang its child b (its
 * handler blocks until the awaited log line has been made, or 20 s), then
 * shut the system down and free it.
 */
static void
run_three_with_b_hung(const rt_config *cfg)
{
	rt_system *sys;
	sup_Three_ref top;

	wd_line[0] = 0;
	hang_release = 0;
	sys = rt_system_new(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(sup_Three_start(sys, &top), 0);
	hang(sup_Three_b(top));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	rt_system_free(sys);
}

static void
test_watchdog_reports_a_stuck_handler(void)
{
	rt_config cfg;

	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log = wd_log;
	cfg.watchdog = RT_MS(40);
	run_three_with_b_hung(&cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(wd_line,
	    "watchdog: Three/b "
	    "(sup.Worker) has been "
	    "handling Hang for "));
	if (wd_line[0] == 0)
		fprintf(stderr, "\nno watchdog report\n");
	/* A negative limit is a bad config. */
	cfg.watchdog = -1;
	CU_ASSERT_PTR_NULL(rt_system_new(&cfg));
}

/*
 * Shutdown gives each child its shutdown time; one still in its handler
 * when the time is up is reported and left, and the others still stop.
 */
static void
test_a_child_past_its_shutdown_time_is_abandoned(void)
{
	rt_config cfg;

	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log = wd_log;
	wd_needle = "abandoned";
	quiet = 1;
	run_three_with_b_hung(&cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(wd_line,
	    "supervisor Three: child b "
	    "did not stop within its "
	    "shutdown time; abandoned"));
	wd_needle = "watchdog: ";
	quiet = 0;
}

/* With watchdog_abort, the report is followed by abort(). */
static void
test_watchdog_can_abort(void)
{
	pid_t pid = fork();
	int status = 0;

	CU_ASSERT_NOT_EQUAL_FATAL(pid, -1);
	if (pid == 0) {
		rt_config cfg;
		rt_system *sys;
		sup_Worker_ref w;
		sup_Hang h;

		rt_config_init(&cfg);
		cfg.workers = 1;
		cfg.log = wd_log;
		cfg.watchdog = RT_MS(20);
		cfg.watchdog_abort = true;
		hang_release = 0;
		sys = rt_system_new(&cfg);
		if (sys == NULL || sup_Worker_spawn(sys, &args0, &w) != 0 ||
		    sup_Worker_send_Hang(w, &h) != 0)
			_exit(2);
		sleep(20);
		_exit(3);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

/*
 * Fault injection on real threads: 64 supervised workers under load from
 * two threads, about one message in twenty crashing its handler, at
 * random. At the end every message is accounted for: handled by a live
 * incarnation, or lost in a crash (and counted), and every crash was
 * followed by exactly one restart of the same ref.
 */
enum { LOAD_KIDS = 64, LOAD_PER_THREAD = 20000 };

struct load {
	sup_Worker_ref kids[LOAD_KIDS];
	unsigned seed;
	uint64_t crashes;
	unsigned failed; /* sends that did not return 0 (CUnit's asserts
	                    are not for threads) */
};

static void *
load_thread(void *arg)
{
	struct load *l = arg;
	int i;

	for (i = 0; i < LOAD_PER_THREAD; i++) {
		sup_Worker_ref to = l->kids[rand_r(&l->seed) % LOAD_KIDS];

		if (rand_r(&l->seed) % 20 == 0) {
			sup_Crash c = { 1 };

			l->failed += sup_Worker_send_Crash(to, &c) != 0;
			l->crashes++;
		} else {
			sup_Work m = { (uint32_t)i };

			l->failed += sup_Worker_send_Work(to, &m) != 0;
		}
	}
	return NULL;
}

/* A plain thread that sends Work to a Narrow until a send fails, or calls
 * it once; what the last send or the call returned. */
struct blocked {
	rt_system *sys;
	sup_Narrow_ref n;
	bool call;
	int rc;
	unsigned accepted;
};

static void *
blocked_main(void *p)
{
	struct blocked *b = p;

	if (b->call) {
		sup_Answer a;

		b->rc = sup_Narrow_call_Query(b->sys, b->n, &(sup_Query){ 1 },
		    &a, RT_FOREVER);
		return NULL;
	}
	while ((b->rc = sup_Narrow_send_Work(b->n, &(sup_Work){ 1 })) == 0)
		b->accepted++;
	return NULL;
}

/* Join a thread, failing the test (not hanging it) after 20 s. */
static bool
join_within(pthread_t th)
{
	struct timespec limit;

	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 20;
	return pthread_timedjoin_np(th, NULL, &limit) == 0;
}

static void
test_threads_blocked_on_a_child_are_let_go_when_its_tree_gives_up(void)
{
	rt_config cfg;
	rt_system *sys;
	sup_Brittle_ref top;
	struct blocked sender, caller;
	pthread_t ts, tc;
	rt_actor_stats as;
	int spins;

	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log = on_log;
	memset(&rec, 0, sizeof(rec));
	quiet = 1;
	hang_release = 0;
	__atomic_store_n(&hanging, 0, __ATOMIC_RELAXED);
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(sup_Brittle_start(sys, &top), 0);
	sender = (struct blocked){ .sys = sys, .n = sup_Brittle_n(top) };
	caller = (struct blocked){ .sys = sys, .n = sender.n, .call = true };
	/* Its handler holds a worker, and its mailbox fills up behind it:
	 * both threads block. */
	CU_ASSERT_EQUAL(sup_Narrow_send_Jam(sender.n, NULL), 0);
	for (spins = 0;
	    !__atomic_load_n(&hanging, __ATOMIC_ACQUIRE) && spins < 20000;
	    spins++)
		sleep_ms(1);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&ts, NULL, blocked_main, &sender),
	    0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&tc, NULL, blocked_main, &caller),
	    0);
	for (spins = 0; spins < 20000; spins++) {
		CU_ASSERT_EQUAL_FATAL(rt_stats_actor(sender.n.ref, &as), 0);
		if (as.depth >= as.bound)
			break;
		sleep_ms(1);
	}
	sleep_ms(50); /* both are waiting now, or about to */
	/* The handler fails; a tree that allows no restart gives up and
	 * stops its child for good: both threads learn it is gone. */
	pthread_mutex_lock(&hang_mu);
	hang_release = 1;
	pthread_cond_broadcast(&hang_cv);
	pthread_mutex_unlock(&hang_mu);
	CU_ASSERT_TRUE_FATAL(join_within(ts));
	CU_ASSERT_TRUE_FATAL(join_within(tc));
	CU_ASSERT_EQUAL(sender.rc, RT_ENOACTOR);
	CU_ASSERT_EQUAL(caller.rc, RT_ENOACTOR);
	if (getenv("SUP_VERBOSE") != NULL)
		fprintf(stderr, "\n  sends accepted before the block: %u\n",
		    sender.accepted);
	CU_ASSERT_FALSE(rt_actor_alive(sender.n.ref));
	/* The tree gives up after its child is gone, on a worker of its
	 * own time: wait for it (bounded), do not race it. */
	for (spins = 0; rt_actor_alive(top.ref) && spins < 20000; spins++)
		sleep_ms(1);
	CU_ASSERT_FALSE(rt_actor_alive(top.ref));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	rt_system_free(sys);
	quiet = 0;
}

static void
test_crashes_under_load(void)
{
	rt_config cfg;
	rt_system *sys;
	sup_Many_ref many;
	struct load loads[2];
	pthread_t th[2];
	uint64_t crashes;
	rt_stats st;
	int i, spins;

	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log = on_log;
	memset(&rec, 0, sizeof(rec));
	quiet = 1;
	__atomic_store_n(&works, 0, __ATOMIC_RELAXED);
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(sup_Many_start(sys, &many), 0);
	for (i = 0; i < LOAD_KIDS; i++) {
		sup_Worker_args a = { (uint32_t)i, false };
		sup_Worker_ref w;

		CU_ASSERT_EQUAL_FATAL(sup_Many_start_child(many, &a, &w), 0);
		loads[0].kids[i] = loads[1].kids[i] = w;
	}
	for (i = 0; i < 2; i++) {
		loads[i].seed = 12345u + (unsigned)i;
		loads[i].crashes = 0;
		loads[i].failed = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, load_thread,
					  &loads[i]),
		    0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	crashes = loads[0].crashes + loads[1].crashes;
	CU_ASSERT_EQUAL(loads[0].failed + loads[1].failed, 0);
	for (spins = 0; spins < 20000; spins++) {
		CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
		if (st.restarts == crashes &&
		    __atomic_load_n(&works, __ATOMIC_RELAXED) ==
			2 * LOAD_PER_THREAD - crashes)
			break;
		sleep_ms(1);
	}
	CU_ASSERT_TRUE(crashes > 0);
	CU_ASSERT_EQUAL(__atomic_load_n(&works, __ATOMIC_RELAXED),
	    2 * LOAD_PER_THREAD - crashes);
	CU_ASSERT_EQUAL(st.crashed, crashes);
	CU_ASSERT_EQUAL(st.restarts, crashes);
	CU_ASSERT_EQUAL(st.dead_letters, 0);
	for (i = 0; i < LOAD_KIDS; i++)
		CU_ASSERT_TRUE(rt_actor_alive(loads[0].kids[i].ref));
	/*
	 * The counters are exact once the system is quiet; while workers
	 * run, `handled` is added at the end of each run. A shut-down
	 * system is quiet: only then may the balance be checked, and then
	 * it fails only if a message was lost.
	 */
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	rt_system_free(sys);
	quiet = 0;
}

int
main(int argc, char **argv)
{
	CU_TestInfo bonds[] = {
		{ "a monitor gets one down", test_monitor_gets_one_down },
		{ "a link kills unless trapping",
		    test_link_kills_unless_trapping },
		{ "bad calls", test_bad_calls },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo sups[] = {
		{ "start in order, lookups", test_start_in_order_and_lookups },
		{ "one_for_one keeps ref and mailbox",
		    test_one_for_one_keeps_ref_and_mailbox },
		{ "one_for_all and rest_for_one",
		    test_one_for_all_and_rest_for_one },
		{ "policies", test_policies },
		{ "a long crash report is cut",
		    test_a_long_crash_report_is_cut },
		{ "reports can be turned off", test_reports_can_be_turned_off },
		{ "intensity gives up", test_intensity_gives_up },
		{ "a restart whose start fails is restarted again",
		    test_a_restart_whose_start_fails_is_restarted_again },
		{ "backoff delays restarts", test_backoff_delays_restarts },
		{ "a child that fails its first start is not restarted",
		    test_a_child_that_fails_its_first_start_is_not_restarted },
		{ "backoff jitter follows the test seed",
		    test_backoff_jitter_follows_the_test_seed },
		{ "a start failure rolls back", test_start_failure_rolls_back },
		{ "simple_one_for_one", test_simple_one_for_one },
		{ "nested escalation", test_nested_escalation },
		{ "supervision built from handlers",
		    test_supervision_built_from_handlers },
		{ "shutdown stops trees in order",
		    test_shutdown_stops_trees_in_order },
		{ "wait ends with the root trees",
		    test_wait_ends_with_the_root_trees },
		{ "crashes under load", test_crashes_under_load },
		{ "threads blocked on a child are let go when its tree "
		  "gives up",
		    test_threads_blocked_on_a_child_are_let_go_when_its_tree_gives_up },
		{ "the watchdog reports a stuck handler",
		    test_watchdog_reports_a_stuck_handler },
		{ "the watchdog can abort", test_watchdog_can_abort },
		{ "a child past its shutdown time is abandoned",
		    test_a_child_past_its_shutdown_time_is_abandoned },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "links and monitors", NULL, NULL, NULL, NULL, bonds },
		{ "supervisors", NULL, NULL, NULL, NULL, sups },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
