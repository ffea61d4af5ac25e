/* SPDX-License-Identifier: MIT */
/*
 * Test probes (rt/test.h: P_A_probe, P_A_expect_M, rt_expect_nothing) and
 * the generated equality P_M_equal, through the generated API of
 * tests/rtp/probe.rtp. Every test but the last two runs on a test system,
 * whose virtual clock the expectations move; the last two use worker
 * threads and real waits.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rt/test.h>

#include "cutest.h"
#include "probe.rtp.h"

/* ---- the handlers of the real kinds ----------------------------------- */

/* What Relay's Check got from an expectation made inside a handler. */
static int check_rc;

int
pb_Sink_on_Every(pb_Sink *self, rt_ctx *ctx, const pb_Every *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
pb_Sink_on_Ping(pb_Sink *self, rt_ctx *ctx, const pb_Ping *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
pb_Sink_on_Num(pb_Sink *self, rt_ctx *ctx, const pb_Num *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
pb_Sink_on_Get(pb_Sink *self, rt_ctx *ctx, const pb_Get *req, pb_Num *reply)
{
	(void)self;
	(void)ctx;
	reply->n = req->key + 1;
	return 0;
}

int
pb_Relay_on_Go(pb_Relay *self, rt_ctx *ctx, const pb_Go *msg)
{
	uint32_t i;
	int rc;

	(void)self;
	(void)ctx;
	for (i = 0; i < msg->n; i++)
		if ((rc = pb_Sink_send_Num(msg->to, &(pb_Num){ .n = i })) != 0)
			return rc;
	return pb_Sink_send_Ping(msg->to, NULL);
}

int
pb_Relay_on_Later(pb_Relay *self, rt_ctx *ctx, const pb_Later *msg)
{
	(void)self;
	(void)ctx;
	return pb_Sink_send_Num_after(msg->to, &(pb_Num){ .n = msg->n },
	    RT_MS(msg->ms), NULL);
}

int
pb_Relay_on_Check(pb_Relay *self, rt_ctx *ctx, const pb_Check *msg)
{
	(void)self;
	(void)ctx;
	check_rc = pb_Sink_expect_Num(msg->probe, &(pb_Num){ .n = 0 }, 0);
	return 0;
}

/* ---- the log, where failed expectations are reported ----------------- */

#define LOG_LINES 8

static struct {
	unsigned n;
	rt_log_level level[LOG_LINES];
	char line[LOG_LINES][512];
} logged;

static void
on_log(void *user, rt_log_level level, const char *line)
{
	(void)user;
	if (logged.n < LOG_LINES) {
		logged.level[logged.n] = level;
		snprintf(logged.line[logged.n], sizeof(logged.line[0]), "%s",
		    line);
	}
	logged.n++;
}

static rt_system *
system_with_log(bool test)
{
	rt_config cfg;

	memset(&logged, 0, sizeof(logged));
	rt_config_init(&cfg);
	cfg.log = on_log;
	cfg.workers = 2;
	return test ? rt_test_system_new(&cfg) : rt_system_new(&cfg);
}

/* ---- probes on a test system ----------------------------------------- */

/* A probe of Sink's kind, to which a Relay sends Num{n} after ms. */
static pb_Sink_ref
num_later(rt_system *sys, uint64_t ms, uint32_t n)
{
	pb_Sink_ref probe;
	pb_Relay_ref relay;

	CU_ASSERT_EQUAL_FATAL(pb_Sink_probe(sys, &probe), 0);
	CU_ASSERT_EQUAL_FATAL(pb_Relay_spawn(sys, NULL, &relay), 0);
	CU_ASSERT_EQUAL(pb_Relay_send_Later(relay,
			    &(pb_Later){ .to = probe, .ms = ms, .n = n }),
	    0);
	return probe;
}

static void
a_probe_records_what_it_is_sent_in_order(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe;
	pb_Relay_ref relay;

	CU_ASSERT_EQUAL_FATAL(pb_Sink_probe(sys, &probe), 0);
	CU_ASSERT_EQUAL_FATAL(pb_Relay_spawn(sys, NULL, &relay), 0);
	CU_ASSERT_EQUAL(pb_Relay_send_Go(relay,
			    &(pb_Go){ .to = probe, .n = 3 }),
	    0);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 0 }, 0), 0);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 1 }, 0), 0);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 2 }, 0), 0);
	CU_ASSERT_EQUAL(pb_Sink_expect_Ping(probe, NULL, 0), 0);
	CU_ASSERT_EQUAL(rt_expect_nothing(probe.ref, RT_SEC(1)), 0);
	/* Nothing failed, so nothing was logged; the probe ran no handler
	 * of Sink's, but handled (recorded) four messages. */
	CU_ASSERT_EQUAL(logged.n, 0);
	CU_ASSERT_EQUAL(rt_test_handled(sys, probe.ref, "Num"), 3);
	CU_ASSERT_EQUAL(rt_test_handled(sys, probe.ref, NULL), 4);
	rt_system_free(sys);
}

static void
an_expectation_moves_the_virtual_clock_only_as_far_as_it_must(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe = num_later(sys, 500, 7);

	/* Not within 100 ms: the clock moves by all of it. */
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 7 },
			    RT_MS(100)),
	    RT_ETIMEDOUT);
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_MS(100));
	CU_ASSERT_EQUAL_FATAL(logged.n, 1);
	CU_ASSERT_EQUAL(logged.level[0], RT_LOG_ERROR);
	CU_ASSERT_STRING_EQUAL(logged.line[0],
	    "probe pb.Sink: expected Num{n=7}, received nothing in 100ms");
	/* Within a minute: the clock stops at the timer, 500 ms in. */
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 7 },
			    RT_SEC(60)),
	    0);
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_MS(500));
	CU_ASSERT_EQUAL(logged.n, 1);
	rt_system_free(sys);
}

static void
without_a_limit_a_test_system_runs_until_nothing_more_can_happen(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe = num_later(sys, 3600000, 8);

	/* An hour of virtual time, in one step to the timer. */
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 8 },
			    RT_FOREVER),
	    0);
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_SEC(3600));
	/* No timer left: nothing can ever come. */
	CU_ASSERT_EQUAL(pb_Sink_expect_Ping(probe, NULL, RT_FOREVER),
	    RT_ETIMEDOUT);
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_SEC(3600));
	CU_ASSERT_EQUAL_FATAL(logged.n, 1);
	CU_ASSERT_STRING_EQUAL(logged.line[0],
	    "probe pb.Sink: expected Ping{}, received nothing");
	rt_system_free(sys);
}

static void
a_different_value_fails_with_both_printed_and_is_consumed(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe;

	pb_Sink_probe(sys, &probe);
	pb_Sink_send_Num(probe, &(pb_Num){ .n = 5 });
	pb_Sink_send_Num(probe, &(pb_Num){ .n = 6 });
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 6 }, 0),
	    RT_EMISMATCH);
	CU_ASSERT_EQUAL_FATAL(logged.n, 1);
	CU_ASSERT_STRING_EQUAL(logged.line[0],
	    "probe pb.Sink: expected Num{n=6}, received Num{n=5}");
	/* The 5 is gone: the next expectation sees the 6. */
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 6 }, 0), 0);
	CU_ASSERT_EQUAL(rt_expect_nothing(probe.ref, 0), 0);
	CU_ASSERT_EQUAL(logged.n, 1);
	rt_system_free(sys);
}

static void
a_message_of_another_type_fails_with_both_printed(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe;
	const char raw[] = { 1, 2, (char)0xff };
	pb_Every got = { .text = "a \"b\"",
		.raw = { raw, sizeof(raw) },
		.lanes = { 1, 2, 3 },
		.color = pb_Color_GREEN,
		.line = { "sku", 2 },
		.x = 0.5f };

	pb_Sink_probe(sys, &probe);
	pb_Sink_send_Ping(probe, NULL);
	pb_Sink_send_Every(probe, &got);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 1 }, 0),
	    RT_EMISMATCH);
	CU_ASSERT_EQUAL(pb_Sink_expect_Ping(probe, NULL, 0), RT_EMISMATCH);
	CU_ASSERT_EQUAL_FATAL(logged.n, 2);
	CU_ASSERT_STRING_EQUAL(logged.line[0],
	    "probe pb.Sink: expected Num{n=1}, received Ping{}");
	CU_ASSERT_STRING_EQUAL(logged.line[1],
	    "probe pb.Sink: expected Ping{}, received Every{flag=false, "
	    "a=0, b=0, c=0, d=0, e=0, f=0, g=0, h=0, x=0.5, y=0, "
	    "text=\"a \\\"b\\\"\", raw=<3 bytes 0102ff>, lanes=[1,2,3], "
	    "color=green, line=Line{sku=\"sku\", qty=2}, "
	    "lines=[Line{sku=NULL, qty=0},Line{sku=NULL, qty=0}], "
	    "who=<null>, ptr=<c>}");
	rt_system_free(sys);
}

static void
expect_nothing_passes_when_the_window_stays_empty(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe = num_later(sys, 2000, 1);

	/* The whole second passes, and the Num due at 2 s is not in it. */
	CU_ASSERT_EQUAL(rt_expect_nothing(probe.ref, RT_SEC(1)), 0);
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_SEC(1));
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 1 },
			    RT_SEC(1)),
	    0);
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_SEC(2));
	CU_ASSERT_EQUAL(logged.n, 0);
	rt_system_free(sys);
}

static void
expect_nothing_fails_when_something_arrives(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe = num_later(sys, 200, 3);

	CU_ASSERT_EQUAL(rt_expect_nothing(probe.ref, RT_SEC(1)), RT_EMISMATCH);
	/* It fails as the Num comes, and takes it. */
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_MS(200));
	CU_ASSERT_EQUAL_FATAL(logged.n, 1);
	CU_ASSERT_STRING_EQUAL(logged.line[0],
	    "probe pb.Sink: expected nothing, received Num{n=3}");
	CU_ASSERT_EQUAL(rt_expect_nothing(probe.ref, 0), 0);
	rt_system_free(sys);
}

/* The Every of equality_compares_every_kind_of_field, and of
 * a_probe_keeps_its_own_copies; `buf`: its text's buffer. */
static pb_Every
every(char *buf, size_t size, unsigned char *raw, int *target)
{
	pb_Every m = { .flag = true,
		.a = -1,
		.b = -2,
		.c = -3,
		.d = -4,
		.e = 5,
		.f = 6,
		.g = 7,
		.h = UINT64_MAX,
		.x = 1.5f,
		.y = -2.25,
		.raw = { raw, 4 },
		.lanes = { 10, 20, 30 },
		.color = pb_Color_BLUE,
		.line = { NULL, 1 },
		.lines = { { NULL, 2 }, { NULL, 3 } },
		.ptr = target };

	snprintf(buf, size, "text");
	m.text = buf;
	memcpy(raw, "\x00\x01\x02\x03", 4);
	m.line.sku = "L";
	m.lines[0].sku = "L0";
	m.lines[1].sku = "L1";
	return m;
}

static void
equality_compares_every_kind_of_field(void)
{
	rt_system *sys = rt_test_system_new(NULL);
	char ta[8], tb[8];
	unsigned char ra[4], rb[4];
	int target, other;
	pb_Sink_ref s1, s2;
	pb_Every a = every(ta, sizeof(ta), ra, &target);
	pb_Every b = every(tb, sizeof(tb), rb, &target), c;

	pb_Sink_probe(sys, &s1);
	pb_Sink_probe(sys, &s2);
	a.who = b.who = s1;
	/* Strings and bytes by content, not by address. */
	CU_ASSERT_PTR_NOT_EQUAL(a.text, b.text);
	CU_ASSERT_TRUE(pb_Every_equal(&a, &b));
	CU_ASSERT_TRUE(pb_Every_equal(&a, &a));
	CU_ASSERT_FALSE(pb_Every_equal(&a, NULL));
	CU_ASSERT_FALSE(pb_Every_equal(NULL, &a));
	CU_ASSERT_TRUE(pb_Every_equal(NULL, NULL));
#define DIFFERS(stmt)                                    \
	do {                                             \
		c = b;                                   \
		stmt;                                    \
		CU_ASSERT_FALSE(pb_Every_equal(&a, &c)); \
	} while (0)
	DIFFERS(c.flag = false);
	DIFFERS(c.a = 1);
	DIFFERS(c.b = 2);
	DIFFERS(c.c = 3);
	DIFFERS(c.d = 4);
	DIFFERS(c.e = 50);
	DIFFERS(c.f = 60);
	DIFFERS(c.g = 70);
	DIFFERS(c.h = 0);
	DIFFERS(c.x = 1.25f);
	DIFFERS(c.y = NAN);
	DIFFERS(c.text = "texT");
	DIFFERS(c.text = NULL);
	DIFFERS(c.raw.len = 3);
	DIFFERS(c.raw.data = "\x00\x01\x02\x04");
	DIFFERS(c.lanes[2] = 31);
	DIFFERS(c.color = pb_Color_RED);
	DIFFERS(c.line.sku = "M");
	DIFFERS(c.line.qty = 9);
	DIFFERS(c.lines[1].sku = NULL);
	DIFFERS(c.lines[1].qty = 4);
	DIFFERS(c.who = s2);
	DIFFERS(c.ptr = &other);
#undef DIFFERS
	/* NaN equals NaN (a message equals itself); 0 equals -0. */
	a.y = b.y = NAN;
	a.x = 0.0f;
	b.x = -0.0f;
	CU_ASSERT_TRUE(pb_Every_equal(&a, &b));
	/* Empty bytes are equal wherever they point; NULL and "" differ. */
	a.raw = (rt_bytes){ NULL, 0 };
	b.raw = (rt_bytes){ rb, 0 };
	CU_ASSERT_TRUE(pb_Every_equal(&a, &b));
	a.text = NULL;
	b.text = "";
	CU_ASSERT_FALSE(pb_Every_equal(&a, &b));
	b.text = NULL;
	CU_ASSERT_TRUE(pb_Every_equal(&a, &b));
	/* A message without fields equals any other, NULL included. */
	CU_ASSERT_TRUE(pb_Ping_equal(NULL, &(pb_Ping){ 0 }));
	CU_ASSERT_TRUE(pb_Num_equal(&(pb_Num){ 4 }, &(pb_Num){ 4 }));
	CU_ASSERT_FALSE(pb_Num_equal(&(pb_Num){ 4 }, &(pb_Num){ 5 }));
	rt_system_free(sys);
}

static void
a_probe_keeps_its_own_copies_of_strings_bytes_and_nested_messages(void)
{
	rt_system *sys = system_with_log(true);
	char ta[8], tb[8];
	unsigned char ra[4], rb[4];
	int target;
	pb_Sink_ref probe;
	pb_Every sent = every(ta, sizeof(ta), ra, &target);
	pb_Every want = every(tb, sizeof(tb), rb, &target);

	pb_Sink_probe(sys, &probe);
	sent.who = want.who = probe;
	CU_ASSERT_EQUAL(pb_Sink_send_Every(probe, &sent), 0);
	rt_test_run(sys);
	/* The sender's buffers change after the probe recorded them. */
	memset(ta, 'x', sizeof(ta) - 1);
	memset(ra, 0xee, sizeof(ra));
	CU_ASSERT_EQUAL(pb_Sink_expect_Every(probe, &want, 0), 0);
	CU_ASSERT_EQUAL(logged.n, 0);
	rt_system_free(sys);
}

static void
a_probe_gets_what_a_topic_publishes(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe;

	pb_Sink_probe(sys, &probe);
	CU_ASSERT_EQUAL(pb_Sink_subscribe_nums(probe), 0);
	CU_ASSERT_EQUAL(pb_nums_publish(sys, &(pb_Num){ .n = 9 }), 0);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 9 }, 0), 0);
	rt_system_free(sys);
}

static void
a_probe_answers_a_request_with_ebadmsg_and_records_it(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe;
	pb_Num reply = { 77 };

	pb_Sink_probe(sys, &probe);
	CU_ASSERT_EQUAL(pb_Sink_call_Get(sys, probe, &(pb_Get){ .key = 4 },
			    &reply, RT_SEC(1)),
	    RT_EBADMSG);
	CU_ASSERT_EQUAL(pb_Sink_expect_Get(probe, &(pb_Get){ .key = 4 }, 0), 0);
	rt_system_free(sys);
}

static void
what_a_stopped_probe_recorded_stays_readable(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe;

	pb_Sink_probe(sys, &probe);
	pb_Sink_send_Num(probe, &(pb_Num){ .n = 1 });
	pb_Sink_send_Num(probe, &(pb_Num){ .n = 2 });
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(1)), 0);
	CU_ASSERT_EQUAL(pb_Sink_send_Num(probe, &(pb_Num){ .n = 3 }),
	    RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 1 }, 0), 0);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 2 }, 0), 0);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = 3 },
			    RT_SEC(1)),
	    RT_ENOACTOR);
	CU_ASSERT_EQUAL_FATAL(logged.n, 1);
	CU_ASSERT_STRING_EQUAL(logged.line[0],
	    "probe pb.Sink: expected Num{n=3}, received nothing: the probe "
	    "has stopped");
	CU_ASSERT_EQUAL(rt_expect_nothing(probe.ref, RT_SEC(1)), 0);
	rt_system_free(sys);
}

static void
a_registered_probe_passes_as_its_kind_and_only_as_it(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref sink, found;
	pb_Relay_ref relay, other;
	rt_ref any;

	CU_ASSERT_EQUAL_FATAL(pb_Sink_probe(sys, &sink), 0);
	CU_ASSERT_EQUAL_FATAL(pb_Relay_probe(sys, &relay), 0);
	CU_ASSERT_EQUAL(pb_Sink_register(sink, "sink"), 0);
	CU_ASSERT_EQUAL(pb_Relay_register(relay, "relay"), 0);
	/* A probe of Sink is found as a Sink, and what is sent through the
	 * ref found reaches it. */
	CU_ASSERT_EQUAL(pb_Sink_whereis(sys, "sink", &found), 0);
	CU_ASSERT_TRUE(rt_ref_equal(found.ref, sink.ref));
	CU_ASSERT_EQUAL(pb_Sink_send_Num(found, &(pb_Num){ .n = 4 }), 0);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(sink, &(pb_Num){ .n = 4 }, 0), 0);
	CU_ASSERT_EQUAL(pb_Relay_whereis(sys, "relay", &other), 0);
	CU_ASSERT_TRUE(rt_ref_equal(other.ref, relay.ref));
	/* But as no other kind: a probe of Relay is no Sink, nor one of
	 * Sink a Relay or a Quiet. */
	found.ref = (rt_ref){ NULL, 0 };
	CU_ASSERT_EQUAL(pb_Sink_whereis(sys, "relay", &found), RT_ETYPE);
	CU_ASSERT_PTR_NULL(found.ref.cell);
	CU_ASSERT_EQUAL(pb_Relay_whereis(sys, "sink", &other), RT_ETYPE);
	CU_ASSERT_EQUAL(pb_Quiet_whereis(sys, "sink", &(pb_Quiet_ref){ 0 }),
	    RT_ETYPE);
	/* The untyped lookup finds either. */
	CU_ASSERT_EQUAL(rt_whereis(sys, "relay", &any), 0);
	CU_ASSERT_TRUE(rt_ref_equal(any, relay.ref));
	CU_ASSERT_EQUAL(logged.n, 0);
	rt_system_free(sys);
}

static void
bad_calls_return_einval_or_edeadlk(void)
{
	rt_system *sys = system_with_log(true);
	pb_Sink_ref probe, sink, none = { { NULL, 0 } };
	pb_Relay_ref relay;
	pb_Quiet_ref quiet;

	CU_ASSERT_EQUAL(pb_Sink_probe(NULL, &probe), RT_EINVAL);
	CU_ASSERT_EQUAL(pb_Sink_probe(sys, NULL), 0);
	CU_ASSERT_EQUAL(pb_Quiet_probe(sys, &quiet), 0);
	CU_ASSERT_EQUAL(rt_expect_nothing(quiet.ref, RT_MS(5)), 0);
	pb_Sink_probe(sys, &probe);
	pb_Sink_spawn(sys, NULL, &sink);
	pb_Relay_spawn(sys, NULL, &relay);
	/* A ref that is no probe, or none at all. */
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(sink, &(pb_Num){ .n = 1 }, 0),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_expect_nothing(sink.ref, 0), RT_EINVAL);
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(none, &(pb_Num){ .n = 1 }, 0),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_expect_nothing(none.ref, 0), RT_EINVAL);
	/* A NULL for a message with fields; a negative window. */
	CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, (const pb_Num *)NULL, 0),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_expect_nothing(probe.ref, -1), RT_EINVAL);
	/* From a handler of the probe's system. */
	check_rc = 0;
	pb_Relay_send_Check(relay, &(pb_Check){ .probe = probe });
	rt_test_run(sys);
	CU_ASSERT_EQUAL(check_rc, RT_EDEADLK);
	CU_ASSERT_EQUAL(logged.n, 0);
	rt_system_free(sys);
}

/* ---- probes on a system with workers --------------------------------- */

static void
a_probe_on_workers_waits_for_each_message(void)
{
	rt_system *sys = system_with_log(false);
	pb_Sink_ref probe;
	pb_Relay_ref relay;
	uint32_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	pb_Sink_probe(sys, &probe);
	pb_Relay_spawn(sys, NULL, &relay);
	pb_Relay_send_Go(relay, &(pb_Go){ .to = probe, .n = 200 });
	/* The limit only keeps a bug from hanging the suite. */
	for (i = 0; i < 200; i++)
		CU_ASSERT_EQUAL(pb_Sink_expect_Num(probe, &(pb_Num){ .n = i },
				    RT_SEC(20)),
		    0);
	CU_ASSERT_EQUAL(pb_Sink_expect_Ping(probe, NULL, RT_SEC(20)), 0);
	CU_ASSERT_EQUAL(rt_expect_nothing(probe.ref, RT_MS(1)), 0);
	CU_ASSERT_EQUAL(logged.n, 0);
	rt_system_free(sys);
}

static void
a_probe_on_workers_times_out_on_the_real_clock(void)
{
	rt_system *sys = system_with_log(false);
	pb_Sink_ref probe;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	pb_Sink_probe(sys, &probe);
	CU_ASSERT_EQUAL(pb_Sink_expect_Ping(probe, NULL, RT_MS(20)),
	    RT_ETIMEDOUT);
	CU_ASSERT_EQUAL_FATAL(logged.n, 1);
	CU_ASSERT_STRING_EQUAL(logged.line[0],
	    "probe pb.Sink: expected Ping{}, received nothing in 20ms");
	rt_system_free(sys);
}

static CU_TestInfo probe_tests[] = {
	{ "a probe records what it is sent, in order",
	    a_probe_records_what_it_is_sent_in_order },
	{ "an expectation moves the virtual clock only as far as it must",
	    an_expectation_moves_the_virtual_clock_only_as_far_as_it_must },
	{ "without a limit, a test system runs until nothing more can happen",
	    without_a_limit_a_test_system_runs_until_nothing_more_can_happen },
	{ "a different value fails with both printed, and is consumed",
	    a_different_value_fails_with_both_printed_and_is_consumed },
	{ "a message of another type fails with both printed",
	    a_message_of_another_type_fails_with_both_printed },
	{ "expect_nothing passes when the window stays empty",
	    expect_nothing_passes_when_the_window_stays_empty },
	{ "expect_nothing fails when something arrives",
	    expect_nothing_fails_when_something_arrives },
	{ "equality compares every kind of field",
	    equality_compares_every_kind_of_field },
	{ "a probe keeps its own copies of strings, bytes and nested messages",
	    a_probe_keeps_its_own_copies_of_strings_bytes_and_nested_messages },
	{ "a probe gets what a topic publishes",
	    a_probe_gets_what_a_topic_publishes },
	{ "a probe answers a request with RT_EBADMSG and records it",
	    a_probe_answers_a_request_with_ebadmsg_and_records_it },
	{ "what a stopped probe recorded stays readable",
	    what_a_stopped_probe_recorded_stays_readable },
	{ "a registered probe passes as its kind, and only as it",
	    a_registered_probe_passes_as_its_kind_and_only_as_it },
	{ "bad calls return RT_EINVAL or RT_EDEADLK",
	    bad_calls_return_einval_or_edeadlk },
	{ "a probe on workers waits for each message",
	    a_probe_on_workers_waits_for_each_message },
	{ "a probe on workers times out on the real clock",
	    a_probe_on_workers_times_out_on_the_real_clock },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "probes", NULL, NULL, NULL, NULL, probe_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
