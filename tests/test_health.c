/* SPDX-License-Identifier: MIT */
/*
 * Health probes through the generated API (`on health`, `health every T
 * timeout U`): on test systems, where rt_test_advance makes the probes'
 * time pass, every probe, answer, restart and report is exact; and on
 * worker threads for the one case a test system cannot show, a child
 * stuck in a handler that does not answer in time.
 */
#define _GNU_SOURCE /* open_memstream */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rt/test.h>

#include "cutest.h"
#include "site.rtp.h"

/* What happened, as one string ("start 0,health 0,..."), and the log. */
static struct {
	char ev[8192];
	char log[8192];
	int stop_reason;
	unsigned starts;
} rec;

/* What each Door (by id) answers its probes; RT_HEALTHY unless set. */
static int answer[2];

/* Set while workers may run Doors at once: ev() records nothing. */
static int quiet;

/* Threaded tests wait on this for the log and the starts. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void
ev(const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (__atomic_load_n(&quiet, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&mu);
	n = strlen(rec.ev);
	if (n > 0 && n + 1 < sizeof(rec.ev))
		rec.ev[n++] = ',';
	va_start(ap, fmt);
	vsnprintf(rec.ev + n, sizeof(rec.ev) - n, fmt, ap);
	va_end(ap);
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void
on_log(void *user, rt_log_level level, const char *line)
{
	size_t n;

	(void)user;
	(void)level;
	pthread_mutex_lock(&mu);
	n = strlen(rec.log);
	snprintf(rec.log + n, sizeof(rec.log) - n, "%s\n", line);
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static rt_system *
new_system(int workers)
{
	rt_config cfg;

	memset(&rec, 0, sizeof(rec));
	answer[0] = answer[1] = RT_HEALTHY;
	rt_config_init(&cfg);
	cfg.log = on_log;
	if (workers == 0)
		return rt_test_system_new(&cfg);
	cfg.workers = (unsigned)workers;
	return rt_system_new(&cfg);
}

/* How many times `what` occurs in `text`. */
static unsigned
count(const char *text, const char *what)
{
	unsigned n = 0;

	for (; (text = strstr(text, what)) != NULL; text += strlen(what))
		n++;
	return n;
}

/* --- the actor ---------------------------------------------------------------- */

int
site_Door_on_start(site_Door *self, rt_ctx *ctx, const site_Door_args *a)
{
	(void)ctx;
	self->id = a->id;
	ev("start %u", a->id);
	pthread_mutex_lock(&mu);
	rec.starts++;
	pthread_mutex_unlock(&mu);
	return 0;
}

void
site_Door_on_stop(site_Door *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	ev("stop %u:%d", self->id, reason);
	pthread_mutex_lock(&mu);
	if (self->id == 0)
		rec.stop_reason = reason;
	pthread_mutex_unlock(&mu);
}

int
site_Door_on_health(site_Door *self, rt_ctx *ctx)
{
	(void)ctx;
	ev("health %u", self->id);
	return __atomic_load_n(&answer[self->id], __ATOMIC_RELAXED);
}

int
site_Door_on_Work(site_Door *self, rt_ctx *ctx, const site_Work *m)
{
	(void)ctx;
	ev("work %u:%u", self->id, m->n);
	return 0;
}

/* Hang: hold the worker until the test lets go (worker threads only). */
static int hang_release; /* under mu */

int
site_Door_on_Hang(site_Door *self, rt_ctx *ctx, const site_Hang *m)
{
	struct timespec limit;

	(void)self;
	(void)ctx;
	(void)m;
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 20;
	pthread_mutex_lock(&mu);
	while (!hang_release && pthread_cond_timedwait(&cv, &mu, &limit) == 0)
		;
	pthread_mutex_unlock(&mu);
	return 0;
}

/* --- what the system shows ---------------------------------------------------- */

/* The dump's "health" of the node at `path`, as JSON ("null",
 * "\"degraded\"", ...), in buf. */
static const char *
dumped_health(rt_system *sys, const char *path, char *buf, size_t len)
{
	char *json = NULL, key[128];
	size_t size = 0;
	const char *p, *end;
	FILE *f = open_memstream(&json, &size);

	buf[0] = '\0';
	if (f == NULL)
		return buf;
	CU_ASSERT_EQUAL(rt_system_dump(sys, f, RT_DUMP_JSON), 0);
	fclose(f);
	snprintf(key, sizeof(key), "\"path\": \"%s\"", path);
	if ((p = strstr(json, key)) != NULL &&
	    (p = strstr(p, "\"health\": ")) != NULL) {
		p += strlen("\"health\": ");
		end = strchr(p, ',');
		if (end != NULL && (size_t)(end - p) < len) {
			memcpy(buf, p, (size_t)(end - p));
			buf[end - p] = '\0';
		}
	}
	free(json);
	return buf;
}

/* Whether the metrics have the line `line`. */
static bool
metrics_have(rt_system *sys, const char *line)
{
	char *text = NULL;
	size_t size = 0;
	bool found;
	FILE *f = open_memstream(&text, &size);

	if (f == NULL)
		return false;
	CU_ASSERT_EQUAL(rt_metrics_write(sys, f), 0);
	fclose(f);
	found = strstr(text, line) != NULL;
	free(text);
	return found;
}

/* The restarts of Site's first child, door. */
static unsigned
door_restarts(rt_ref sup)
{
	rt_child_info kids[2];

	memset(kids, 0, sizeof(kids));
	CU_ASSERT(rt_sup_which_children(sup, kids, 2) >= 1);
	return kids[0].restarts;
}

/* --- the tests ---------------------------------------------------------------- */

static void
test_healthy_probes_do_nothing(void)
{
	rt_system *sys = new_system(0);
	site_Site_ref s;
	char h[32];

	CU_ASSERT_EQUAL_FATAL(site_Site_start(sys, &s), 0);
	/* Not probed before the first period. */
	CU_ASSERT_STRING_EQUAL(dumped_health(sys, "Site/door", h, sizeof(h)),
	    "null");
	rt_test_advance(sys, RT_MS(999));
	CU_ASSERT_STRING_EQUAL(rec.ev, "start 0,start 1");
	rt_test_advance(sys, RT_MS(2001));
	/* One probe a second, of the probed child only. */
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,start 1,health 0,health 0,health 0");
	CU_ASSERT_STRING_EQUAL(rec.log, "");
	CU_ASSERT_EQUAL(door_restarts(s.ref), 0);
	CU_ASSERT_STRING_EQUAL(dumped_health(sys, "Site/door", h, sizeof(h)),
	    "\"healthy\"");
	CU_ASSERT_STRING_EQUAL(dumped_health(sys, "Site/quiet", h, sizeof(h)),
	    "null");
	CU_ASSERT_TRUE(metrics_have(sys,
	    "rt_supervisor_children_health{supervisor=\"Site\","
	    "health=\"healthy\"} 1\n"));
	CU_ASSERT_TRUE(metrics_have(sys,
	    "rt_supervisor_children_health{supervisor=\"Site\","
	    "health=\"failed\"} 0\n"));
	rt_system_free(sys);
}

static void
test_a_failed_probe_restarts_the_child_as_unhealthy(void)
{
	rt_system *sys = new_system(0);
	site_Site_ref s;
	site_Door_ref door;
	char h[32], want[256];

	CU_ASSERT_EQUAL_FATAL(site_Site_start(sys, &s), 0);
	door = site_Site_door(s);
	answer[0] = RT_FAILED;
	rt_test_advance(sys, RT_SEC(1));
	snprintf(want, sizeof(want),
	    "start 0,start 1,health 0,stop 0:%d,start 0", RT_EUNHEALTHY);
	CU_ASSERT_STRING_EQUAL(rec.ev, want);
	CU_ASSERT_STRING_EQUAL(rt_strerror(RT_EUNHEALTHY),
	    "failed its health probe");
	CU_ASSERT_EQUAL(door_restarts(s.ref), 1);
	/* The same ref, restarted. */
	CU_ASSERT_TRUE(rt_ref_equal(site_Site_door(s).ref, door.ref));
	CU_ASSERT_STRING_EQUAL(rec.log,
	    "health: Site/door is failed (it answered RT_FAILED); restarting "
	    "it\n");
	CU_ASSERT_STRING_EQUAL(dumped_health(sys, "Site/door", h, sizeof(h)),
	    "\"failed\"");
	CU_ASSERT_TRUE(metrics_have(sys,
	    "rt_supervisor_children_health{supervisor=\"Site\","
	    "health=\"failed\"} 1\n"));
	/* Healthy again at the next probe: reported once. */
	answer[0] = RT_HEALTHY;
	rt_test_advance(sys, RT_SEC(2));
	CU_ASSERT_EQUAL(count(rec.ev, "health 0"), 3);
	CU_ASSERT_EQUAL(count(rec.log, "health: Site/door is healthy\n"), 1);
	CU_ASSERT_STRING_EQUAL(dumped_health(sys, "Site/door", h, sizeof(h)),
	    "\"healthy\"");
	CU_ASSERT_EQUAL(door_restarts(s.ref), 1);
	rt_system_free(sys);
}

static void
test_any_other_answer_counts_as_failed(void)
{
	rt_system *sys = new_system(0);
	site_Site_ref s;

	CU_ASSERT_EQUAL_FATAL(site_Site_start(sys, &s), 0);
	answer[0] = 42;
	rt_test_advance(sys, RT_SEC(1));
	CU_ASSERT_EQUAL(door_restarts(s.ref), 1);
	CU_ASSERT_EQUAL(rec.stop_reason, RT_EUNHEALTHY);
	CU_ASSERT_STRING_EQUAL(rec.log,
	    "health: Site/door is failed (it answered 42); restarting it\n");
	rt_system_free(sys);
}

static void
test_degraded_is_reported_once_per_change(void)
{
	rt_system *sys = new_system(0);
	site_Site_ref s;
	char h[32];

	CU_ASSERT_EQUAL_FATAL(site_Site_start(sys, &s), 0);
	rt_test_advance(sys, RT_SEC(1));
	answer[0] = RT_DEGRADED;
	rt_test_advance(sys, RT_SEC(3));
	CU_ASSERT_EQUAL(count(rec.ev, "health 0"), 4);
	CU_ASSERT_STRING_EQUAL(rec.log, "health: Site/door is degraded\n");
	CU_ASSERT_STRING_EQUAL(dumped_health(sys, "Site/door", h, sizeof(h)),
	    "\"degraded\"");
	CU_ASSERT_TRUE(metrics_have(sys,
	    "rt_supervisor_children_health{supervisor=\"Site\","
	    "health=\"degraded\"} 1\n"));
	CU_ASSERT_TRUE(metrics_have(sys,
	    "rt_supervisor_children_health{supervisor=\"Site\","
	    "health=\"healthy\"} 0\n"));
	/* Degraded is recorded, not acted on. */
	CU_ASSERT_EQUAL(door_restarts(s.ref), 0);
	answer[0] = RT_HEALTHY;
	rt_test_advance(sys, RT_SEC(2));
	CU_ASSERT_STRING_EQUAL(rec.log,
	    "health: Site/door is degraded\nhealth: Site/door is healthy\n");
	rt_system_free(sys);
}

static void
test_a_probe_waits_its_turn_behind_messages(void)
{
	rt_system *sys = new_system(0);
	site_Site_ref s;
	site_Door_ref door;

	CU_ASSERT_EQUAL_FATAL(site_Site_start(sys, &s), 0);
	door = site_Site_door(s);
	rt_test_advance(sys, RT_MS(999));
	CU_ASSERT_EQUAL(site_Door_send_Work(door, &(site_Work){ 1 }), 0);
	CU_ASSERT_EQUAL(site_Door_send_Work(door, &(site_Work){ 2 }), 0);
	rt_test_advance(sys, RT_MS(1));
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,start 1,work 0:1,work 0:2,health 0");
	rt_system_free(sys);
}

static void
test_repeated_failures_make_the_supervisor_escalate(void)
{
	rt_system *sys = new_system(0);
	site_Outer_ref o;
	char want[512];

	CU_ASSERT_EQUAL_FATAL(site_Outer_start(sys, &o), 0);
	answer[0] = RT_FAILED;
	/* First failure: restarted (intensity 1). */
	rt_test_advance(sys, RT_SEC(1));
	/* Second: Fragile gives up, and Outer restarts it, its door
	 * with it. */
	rt_test_advance(sys, RT_SEC(1));
	snprintf(want, sizeof(want),
	    "start 0,health 0,stop 0:%d,start 0,health 0,stop 0:%d,start 0",
	    RT_EUNHEALTHY, RT_EUNHEALTHY);
	CU_ASSERT_STRING_EQUAL(rec.ev, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log,
	    "supervisor Outer/inner gives up: more than 1 restarts within"));
	CU_ASSERT_EQUAL(door_restarts(o.ref), 1); /* Outer's: inner */
	CU_ASSERT_TRUE(rt_actor_alive(o.ref));
	rt_system_free(sys);
}

/* A child stuck in a handler does not answer: restarted once the
 * handler returns. On worker threads: a test system cannot hold a
 * handler. The waits are for events, with a generous limit. */
static void
test_no_answer_within_the_timeout_restarts_the_child(void)
{
	rt_system *sys = new_system(2);
	struct timespec limit;
	site_Fast_ref f;
	int rc = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	hang_release = 0;
	CU_ASSERT_EQUAL_FATAL(site_Fast_start(sys, &f), 0);
	CU_ASSERT_EQUAL(site_Door_send_Hang(site_Fast_door(f), NULL), 0);
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 10;
	pthread_mutex_lock(&mu);
	while (rc == 0 && strstr(rec.log, "no answer within 10 ms") == NULL)
		rc = pthread_cond_timedwait(&cv, &mu, &limit);
	CU_ASSERT_EQUAL(rec.starts, 1);
	hang_release = 1;
	pthread_cond_broadcast(&cv);
	while (rc == 0 && rec.starts < 2)
		rc = pthread_cond_timedwait(&cv, &mu, &limit);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(rec.starts, 2);
	CU_ASSERT_EQUAL(rec.stop_reason, RT_EUNHEALTHY);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log,
	    "health: Fast/door is failed (no answer within 10 ms); "
	    "restarting it\n"));
	pthread_mutex_unlock(&mu);
	__atomic_store_n(&quiet, 1, __ATOMIC_RELAXED);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
	__atomic_store_n(&quiet, 0, __ATOMIC_RELAXED);
}

static void
test_a_spec_that_probes_without_on_health_is_refused(void)
{
	rt_system *sys = new_system(0);
	rt_child_spec kids[1];
	rt_sup_spec spec;
	rt_actor_class cls = site_Door_class;

	memcpy(kids, site_Site_spec.children, sizeof(kids));
	spec = site_Site_spec;
	spec.nchildren = 1;
	spec.children = kids;
	CU_ASSERT_EQUAL(rt_sup_start(sys, &spec, NULL), 0);
	/* A timeout not shorter than the period. */
	kids[0].health_timeout = kids[0].health_every;
	CU_ASSERT_EQUAL(rt_sup_start(sys, &spec, NULL), RT_EINVAL);
	/* A class without on_health. */
	kids[0].health_timeout = RT_MS(100);
	cls.on_health = NULL;
	kids[0].cls = &cls;
	CU_ASSERT_EQUAL(rt_sup_start(sys, &spec, NULL), RT_EINVAL);
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "healthy probes do nothing", test_healthy_probes_do_nothing },
		{ "a failed probe restarts the child as unhealthy",
		    test_a_failed_probe_restarts_the_child_as_unhealthy },
		{ "any other answer counts as failed",
		    test_any_other_answer_counts_as_failed },
		{ "degraded is reported once per change",
		    test_degraded_is_reported_once_per_change },
		{ "a probe waits its turn behind messages",
		    test_a_probe_waits_its_turn_behind_messages },
		{ "repeated failures make the supervisor escalate",
		    test_repeated_failures_make_the_supervisor_escalate },
		{ "no answer within the timeout restarts the child",
		    test_no_answer_within_the_timeout_restarts_the_child },
		{ "a spec that probes without on_health is refused",
		    test_a_spec_that_probes_without_on_health_is_refused },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "health probes", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
