/* SPDX-License-Identifier: MIT */
/*
 * rt_trace through the public API: while an actor is traced, each message
 * it handles is one INFO line of the log hook naming the actor, the message
 * with its fields and the handler's result (a failure too); none before
 * the switch is on, none once it is off again; a supervised child stays
 * traced across its restart; the log level filters the lines; bad refs
 * give codes. The deterministic parts run on a test system, one part on
 * worker threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rt/test.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
#define WAIT_LIMIT_SEC 20

#include "cutest.h"
#include "observe_actors.h"
#include "record.h"

/* What the log hook was given: the trace lines, and how many of them. */
static struct {
	char log[16384];
	unsigned traced; /* lines that begin "trace: " */
	unsigned info;   /* of level RT_LOG_INFO */
} rec;

static void
on_log(void *user, rt_log_level level, const char *line)
{
	(void)user;
	RECORD({
		size_t n = strlen(rec.log);

		snprintf(rec.log + n, sizeof(rec.log) - n, "%s\n", line);
		if (strncmp(line, "trace: ", 7) == 0)
			rec.traced++;
		if (level == RT_LOG_INFO)
			rec.info++;
	});
}

static rt_system *
logged_test_system(rt_log_level level)
{
	rt_config cfg;

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	cfg.log = on_log;
	cfg.log_level = level;
	return rt_test_system_new(&cfg);
}

static bool
logged(const char *text)
{
	bool found;

	pthread_mutex_lock(&mu);
	found = strstr(rec.log, text) != NULL;
	pthread_mutex_unlock(&mu);
	return found;
}

static void
a_traced_actor_logs_each_message_with_its_fields_and_result(void)
{
	rt_system *sys = logged_test_system(RT_LOG_INFO);
	obs_Loner_ref lo;

	CU_ASSERT_EQUAL_FATAL(obs_Loner_spawn(sys, NULL, &lo), 0);
	CU_ASSERT_EQUAL(rt_trace(lo.ref, true), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work(lo, &(obs_Work){ .n = 7 }), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work(lo, &(obs_Work){ .n = 8 }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.traced, 2);
	CU_ASSERT_EQUAL(rec.info, 2);
	CU_ASSERT_TRUE(logged("(obs.Loner) handled Work{n=7} -> 0\n"));
	CU_ASSERT_TRUE(logged("(obs.Loner) handled Work{n=8} -> 0\n"));
	/* Named by its kind and ref, outside the trees. */
	CU_ASSERT_TRUE(logged("trace: obs.Loner <"));
	rt_system_free(sys);
}

static void
a_handler_error_is_traced_before_the_crash_report(void)
{
	rt_system *sys = logged_test_system(RT_LOG_INFO);
	obs_Loner_ref lo;
	const char *trace, *crash;

	CU_ASSERT_EQUAL_FATAL(obs_Loner_spawn(sys, NULL, &lo), 0);
	CU_ASSERT_EQUAL(rt_trace(lo.ref, true), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Crash(lo, &(obs_Crash){ .reason = 5 }),
	    0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.traced, 1);
	trace = strstr(rec.log,
	    "(obs.Loner) handled Crash{reason=5} -> 5 (handler error)\n");
	crash = strstr(rec.log, "crash: ");
	CU_ASSERT_PTR_NOT_NULL(trace);
	CU_ASSERT_PTR_NOT_NULL(crash);
	CU_ASSERT_TRUE(trace != NULL && crash != NULL && trace < crash);
	/* It has stopped for good. */
	CU_ASSERT_EQUAL(rt_trace(lo.ref, false), RT_ENOACTOR);
	CU_ASSERT_EQUAL(rt_trace(lo.ref, true), RT_ENOACTOR);
	rt_system_free(sys);
}

static void
an_actor_is_not_traced_before_on_nor_after_off(void)
{
	rt_system *sys = logged_test_system(RT_LOG_INFO);
	obs_Loner_ref lo;

	CU_ASSERT_EQUAL_FATAL(obs_Loner_spawn(sys, NULL, &lo), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work(lo, &(obs_Work){ .n = 1 }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.traced, 0);
	CU_ASSERT_EQUAL(rt_trace(lo.ref, true), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work(lo, &(obs_Work){ .n = 2 }), 0);
	CU_ASSERT_EQUAL(rt_trace(lo.ref, false), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work(lo, &(obs_Work){ .n = 3 }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.traced, 1);
	CU_ASSERT_TRUE(logged("handled Work{n=2} -> 0\n"));
	CU_ASSERT_FALSE(logged("Work{n=1}"));
	CU_ASSERT_FALSE(logged("Work{n=3}"));
	/* Off twice is still off. */
	CU_ASSERT_EQUAL(rt_trace(lo.ref, false), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work(lo, &(obs_Work){ .n = 4 }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.traced, 1);
	rt_system_free(sys);
}

static void
a_supervised_child_stays_traced_across_its_restart(void)
{
	rt_system *sys = logged_test_system(RT_LOG_INFO);
	obs_Shop_ref shop;
	obs_Worker_ref cart;

	CU_ASSERT_EQUAL_FATAL(obs_Shop_start(sys, &shop), 0);
	rt_test_run(sys);
	cart = obs_Shop_cart(shop);
	CU_ASSERT_EQUAL(rt_trace(cart.ref, true), 0);
	CU_ASSERT_EQUAL(obs_Worker_send_Crash(cart,
			    &(obs_Crash){ .reason = 3 }),
	    0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(obs_Worker_send_Work(cart, &(obs_Work){ .n = 9 }), 0);
	rt_test_run(sys);
	CU_ASSERT_TRUE(logged("trace: Shop/cart (obs.Worker) handled "
			      "Crash{reason=3} -> 3 (handler error)\n"));
	CU_ASSERT_TRUE(
	    logged("trace: Shop/cart (obs.Worker) handled Work{n=9} -> 0\n"));
	/* Its siblings are not traced. */
	CU_ASSERT_EQUAL(obs_Worker_send_Work(obs_Shop_audit(shop),
			    &(obs_Work){ .n = 10 }),
	    0);
	rt_test_run(sys);
	CU_ASSERT_FALSE(logged("Work{n=10}"));
	CU_ASSERT_EQUAL(rec.traced, 2);
	rt_system_free(sys);
}

static void
the_log_level_filters_the_trace(void)
{
	rt_system *sys = logged_test_system(RT_LOG_WARN);
	obs_Loner_ref lo;

	CU_ASSERT_EQUAL_FATAL(obs_Loner_spawn(sys, NULL, &lo), 0);
	CU_ASSERT_EQUAL(rt_trace(lo.ref, true), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work(lo, &(obs_Work){ .n = 1 }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.traced, 0);
	rt_system_free(sys);
}

static void
bad_refs_give_codes(void)
{
	rt_system *sys = logged_test_system(RT_LOG_INFO);
	obs_Loner_ref lo;
	rt_ref zero = { 0 };

	CU_ASSERT_EQUAL(rt_trace(zero, true), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_trace(zero, false), RT_EINVAL);
	CU_ASSERT_EQUAL_FATAL(obs_Loner_spawn(sys, NULL, &lo), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Quit(lo, NULL), 0);
	rt_test_run(sys);
	CU_ASSERT_FALSE(rt_actor_alive(lo.ref));
	CU_ASSERT_EQUAL(rt_trace(lo.ref, true), RT_ENOACTOR);
	rt_system_free(sys);
}

/* On worker threads: the lines come from a worker, in order. */
static unsigned want_lines;

static int
lines_arrived(void)
{
	return rec.traced >= want_lines;
}

static void
workers_trace_what_a_plain_thread_sends(void)
{
	rt_config cfg;
	rt_system *sys;
	obs_Loner_ref lo;
	unsigned i;
	const char *at;
	char want[64];

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log = on_log;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(obs_Loner_spawn(sys, NULL, &lo), 0);
	CU_ASSERT_EQUAL(rt_trace(lo.ref, true), 0);
	for (i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(obs_Loner_send_Work(lo, &(obs_Work){ .n = i }),
		    0);
	CU_ASSERT_EQUAL(obs_Loner_send_Quit(lo, NULL), 0);
	want_lines = 21;
	CU_ASSERT_TRUE(wait_until(lines_arrived));
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	rt_system_free(sys);
	CU_ASSERT_EQUAL(rec.traced, 21);
	at = rec.log;
	for (i = 0; i < 20 && at != NULL; i++) {
		snprintf(want, sizeof(want), "handled Work{n=%u} -> 0\n", i);
		at = strstr(at, want);
		CU_ASSERT_PTR_NOT_NULL(at);
	}
	CU_ASSERT_TRUE(at != NULL && strstr(at, "handled Quit{} -> 0\n"));
}

int
main(int argc, char **argv)
{
	CU_TestInfo trace[] = {
		{ "a traced actor logs each message with its fields and result",
		    a_traced_actor_logs_each_message_with_its_fields_and_result },
		{ "a handler error is traced before the crash report",
		    a_handler_error_is_traced_before_the_crash_report },
		{ "an actor is not traced before on nor after off",
		    an_actor_is_not_traced_before_on_nor_after_off },
		{ "a supervised child stays traced across its restart",
		    a_supervised_child_stays_traced_across_its_restart },
		{ "the log level filters the trace",
		    the_log_level_filters_the_trace },
		{ "bad refs give codes", bad_refs_give_codes },
		{ "workers trace what a plain thread sends",
		    workers_trace_what_a_plain_thread_sends },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "trace", NULL, NULL, NULL, NULL, trace },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
