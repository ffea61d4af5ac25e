/* SPDX-License-Identifier: MIT */
/*
 * Topics through the generated API of tests/rtp/topic.rtp: fan-out of one
 * shared copy, per-publisher order, subscribing and unsubscribing,
 * stopped subscribers, full bounded mailboxes, and publishers on several
 * threads.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rt/test.h>

#include "cutest.h"
#include "topic.rtp.h"

#define MAX_LOG 256
#define PUBLISHERS 2
#define SUBS 4

static struct {
	unsigned n;
	const void *ptr[MAX_LOG]; /* the message each handler got */
	uint32_t seq[MAX_LOG];
	char sym[MAX_LOG][8];
	unsigned dead;
	rt_dead_cause cause;
	char dead_sym[8];
	/* threads: per subscriber, per publisher, the next seq expected */
	atomic_uint got;
	atomic_uint out_of_order;
} rec;

/* Real-time test: each subscriber's state holds nothing, so the order
 * check keeps its counters here, one row per subscriber. */
static uint32_t next_seq[SUBS][PUBLISHERS];
static tp_Sub_ref subs[SUBS];
/* Set while handlers run on several workers: they log nothing then. */
static int threaded;

static void
on_dead(void *user, const rt_dead_letter *dl)
{
	const tp_Quote *q = dl->msg;

	(void)user;
	rec.dead++;
	rec.cause = dl->cause;
	if (dl->message != NULL && strcmp(dl->message, "Quote") == 0)
		snprintf(rec.dead_sym, sizeof(rec.dead_sym), "%s",
		    q->sym != NULL ? q->sym : "");
}

static rt_system *
test_system(void)
{
	rt_config cfg;
	rt_system *sys;

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	cfg.dead_letter = on_dead;
	sys = rt_test_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	return sys;
}

static void
assert_balanced(rt_system *sys)
{
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
}

static int
record(rt_ctx *ctx, const tp_Quote *q)
{
	unsigned i;

	if (!threaded && rec.n < MAX_LOG) {
		rec.ptr[rec.n] = q;
		rec.seq[rec.n] = q->seq;
		snprintf(rec.sym[rec.n], sizeof(rec.sym[0]), "%s",
		    q->sym != NULL ? q->sym : "");
		rec.n++;
	}
	/* In the threads test: check the order per publisher. */
	for (i = 0; i < SUBS; i++)
		if (rt_ref_equal(rt_self(ctx), subs[i].ref) &&
		    q->from < PUBLISHERS) {
			if (q->seq != next_seq[i][q->from])
				atomic_fetch_add(&rec.out_of_order, 1);
			next_seq[i][q->from] = q->seq + 1;
		}
	atomic_fetch_add(&rec.got, 1);
	return 0;
}

int
tp_Sub_on_Quote(tp_Sub *self, rt_ctx *ctx, const tp_Quote *msg)
{
	(void)self;
	return record(ctx, msg);
}

int
tp_Sub_on_Halt(tp_Sub *self, rt_ctx *ctx, const tp_Halt *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
tp_Other_on_Quote(tp_Other *self, rt_ctx *ctx, const tp_Quote *msg)
{
	(void)self;
	return record(ctx, msg);
}

int
tp_Picky_on_Quote(tp_Picky *self, rt_ctx *ctx, const tp_Quote *msg)
{
	(void)self;
	return record(ctx, msg);
}

int
tp_Lossy_on_Quote(tp_Lossy *self, rt_ctx *ctx, const tp_Quote *msg)
{
	(void)self;
	return record(ctx, msg);
}

/* What the Flat and Tight subscribers got: where each message was, and
 * its seq (Frame: plus the sum of its data). */
static struct {
	unsigned n;
	const void *ptr[MAX_LOG];
	uint32_t seq[MAX_LOG];
	unsigned sum[MAX_LOG];
} flat;

static void
flat_record(const void *msg, uint32_t seq, unsigned sum)
{
	if (flat.n < MAX_LOG) {
		flat.ptr[flat.n] = msg;
		flat.seq[flat.n] = seq;
		flat.sum[flat.n] = sum;
		flat.n++;
	}
}

int
tp_Flat_on_Tick(tp_Flat *self, rt_ctx *ctx, const tp_Tick *msg)
{
	(void)self;
	(void)ctx;
	flat_record(msg, msg->seq, 0);
	return 0;
}

int
tp_Flat_on_Frame(tp_Flat *self, rt_ctx *ctx, const tp_Frame *msg)
{
	unsigned i, sum = 0;

	(void)self;
	(void)ctx;
	for (i = 0; i < sizeof(msg->data); i++)
		sum += msg->data[i];
	flat_record(msg, msg->seq, sum);
	return 0;
}

int
tp_Flat_on_Empty(tp_Flat *self, rt_ctx *ctx, const tp_Empty *msg)
{
	(void)self;
	(void)ctx;
	flat_record(msg, UINT32_MAX, 0);
	return 0;
}

int
tp_Tight_on_Tick(tp_Tight *self, rt_ctx *ctx, const tp_Tick *msg)
{
	(void)self;
	(void)ctx;
	flat_record(msg, msg->seq, 0);
	return 0;
}

static int
publish(rt_system *sys, uint32_t seq, const char *sym)
{
	tp_Quote q = { PUBLISHERS, seq, sym };

	return tp_quotes_publish(sys, &q);
}

/* --- on a test system ------------------------------------------------------ */

static void
test_no_subscribers(void)
{
	rt_system *sys = test_system();
	rt_stats st;

	CU_ASSERT_EQUAL(publish(sys, 1, "X"), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, 0);
	rt_system_free(sys);
}

static void
test_fan_out_shares_one_copy(void)
{
	rt_system *sys = test_system();
	tp_Sub_ref a, b;
	tp_Other_ref o;
	char sym[4] = "ABC";
	unsigned i;

	CU_ASSERT_EQUAL(tp_Sub_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL(tp_Sub_spawn(sys, NULL, &b), 0);
	CU_ASSERT_EQUAL(tp_Other_spawn(sys, NULL, &o), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(a), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(b), 0);
	CU_ASSERT_EQUAL(tp_Other_subscribe_quotes(o), 0);
	CU_ASSERT_EQUAL(publish(sys, 7, sym), 0);
	/* The publisher's buffer was only borrowed. */
	memcpy(sym, "ZZZ", 4);
	CU_ASSERT_EQUAL(rt_test_run(sys), 3);
	CU_ASSERT_EQUAL_FATAL(rec.n, 3);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(rec.seq[i], 7);
		CU_ASSERT_STRING_EQUAL(rec.sym[i], "ABC");
		/* One copy, seen by all three. */
		CU_ASSERT_PTR_EQUAL(rec.ptr[i], rec.ptr[0]);
	}
	CU_ASSERT_EQUAL(rt_test_handled(sys, o.ref, "Quote"), 1);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_order_per_subscriber(void)
{
	rt_system *sys = test_system();
	tp_Sub_ref a;
	uint32_t i;

	/* A probe of Sub's kind subscribes as a Sub would, and records. */
	CU_ASSERT_EQUAL(tp_Sub_probe(sys, &a), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(a), 0);
	for (i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(publish(sys, i, "S"), 0);
	for (i = 0; i < 100; i++) {
		tp_Quote q = { PUBLISHERS, i, "S" };

		CU_ASSERT_EQUAL(tp_Sub_expect_Quote(a, &q, 0), 0);
	}
	CU_ASSERT_EQUAL(rt_expect_nothing(a.ref, 0), 0);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_subscribe_and_unsubscribe(void)
{
	rt_system *sys = test_system();
	tp_Sub_ref a, none = { { NULL, 0 } };

	CU_ASSERT_EQUAL(tp_Sub_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(a), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(a), RT_EEXIST);
	CU_ASSERT_EQUAL(publish(sys, 1, "A"), 0);
	CU_ASSERT_EQUAL(tp_Sub_unsubscribe_quotes(a), 0);
	CU_ASSERT_EQUAL(tp_Sub_unsubscribe_quotes(a), RT_ENOENT);
	/* What was published before stays in the mailbox. */
	CU_ASSERT_EQUAL(publish(sys, 2, "B"), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 1);
	CU_ASSERT_EQUAL_FATAL(rec.n, 1);
	CU_ASSERT_EQUAL(rec.seq[0], 1);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(none), RT_EINVAL);
	CU_ASSERT_EQUAL(tp_Sub_unsubscribe_quotes(none), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_publish(NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(tp_quotes_publish(NULL, &(tp_Quote){ 0, 0, "x" }),
	    RT_EINVAL);
	rt_system_free(sys);
}

static void
test_stopped_subscriber_leaves(void)
{
	rt_system *sys = test_system();
	tp_Sub_ref a, b;

	CU_ASSERT_EQUAL(tp_Sub_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL(tp_Sub_spawn(sys, NULL, &b), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(a), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(b), 0);
	CU_ASSERT_EQUAL(tp_Sub_send_Halt(a, NULL), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 1);
	CU_ASSERT_FALSE(rt_actor_alive(a.ref));
	/* Not a failed delivery: it is no longer a subscriber. */
	CU_ASSERT_EQUAL(publish(sys, 1, "A"), 0);
	CU_ASSERT_EQUAL(publish(sys, 2, "B"), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 2);
	CU_ASSERT_EQUAL(rt_test_handled(sys, b.ref, "Quote"), 2);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(a), RT_ENOACTOR);
	CU_ASSERT_EQUAL(tp_Sub_unsubscribe_quotes(a), RT_ENOENT);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_full_mailboxes(void)
{
	rt_system *sys = test_system();
	tp_Picky_ref p;
	tp_Lossy_ref l;
	tp_Sub_ref s;
	rt_stats st;

	CU_ASSERT_EQUAL(tp_Picky_spawn(sys, NULL, &p), 0);
	CU_ASSERT_EQUAL(tp_Lossy_spawn(sys, NULL, &l), 0);
	CU_ASSERT_EQUAL(tp_Sub_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 0);
	CU_ASSERT_EQUAL(tp_Picky_subscribe_quotes(p), 0);
	CU_ASSERT_EQUAL(tp_Lossy_subscribe_quotes(l), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(s), 0);
	CU_ASSERT_EQUAL(publish(sys, 1, "one"), 0);
	/* Both bounded mailboxes are full now: reject refuses (a failed
	 * delivery), drop drops (a dead letter, not a failure). */
	CU_ASSERT_EQUAL(publish(sys, 2, "two"), 1);
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(rec.cause, RT_DEAD_DROPPED);
	CU_ASSERT_STRING_EQUAL(rec.dead_sym, "two");
	CU_ASSERT_EQUAL(rt_test_run(sys), 4);
	CU_ASSERT_EQUAL(rt_test_handled(sys, s.ref, "Quote"), 2);
	CU_ASSERT_EQUAL(rt_test_handled(sys, p.ref, "Quote"), 1);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.refused, 1);
	CU_ASSERT_EQUAL(st.dropped, 1);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_queued_at_shutdown(void)
{
	rt_system *sys = test_system();
	tp_Sub_ref a, b;

	CU_ASSERT_EQUAL(tp_Sub_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL(tp_Sub_spawn(sys, NULL, &b), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(a), 0);
	CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(b), 0);
	CU_ASSERT_EQUAL(publish(sys, 1, "late"), 0);
	/* Never handled: two dead letters, and the shared copy is freed
	 * with the last (ASan and valgrind would see a leak). */
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL(rec.dead, 2);
	assert_balanced(sys);
	rt_system_free(sys);
}

/* A small message with nothing outside its struct is copied into each
 * delivery: every subscriber has its own, with the publisher's values,
 * and a full mailbox still drops its copy as a counted dead letter. */
static void
test_small_flat_messages_are_copied(void)
{
	rt_system *sys = test_system();
	tp_Flat_ref a, b;
	tp_Tight_ref t;
	tp_Tick tick = { 41 };

	memset(&flat, 0, sizeof(flat));
	CU_ASSERT_EQUAL(tp_Flat_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL(tp_Flat_spawn(sys, NULL, &b), 0);
	CU_ASSERT_EQUAL(tp_Tight_spawn(sys, NULL, &t), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 0);
	CU_ASSERT_EQUAL(tp_Flat_subscribe_ticks(a), 0);
	CU_ASSERT_EQUAL(tp_Flat_subscribe_ticks(b), 0);
	CU_ASSERT_EQUAL(tp_Tight_subscribe_ticks(t), 0);
	CU_ASSERT_EQUAL(tp_ticks_publish(sys, &tick), 0);
	/* Borrowed: a change after the publish is not seen. */
	tick.seq = 42;
	CU_ASSERT_EQUAL(tp_ticks_publish(sys, &tick), 0);
	CU_ASSERT_EQUAL(rt_publish_copy(NULL, &tp_ticks_topic, &tick,
			    sizeof(tick)),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_publish_copy(sys, NULL, &tick, sizeof(tick)),
	    RT_EINVAL);
	/* Tight's mailbox held the first: its copy of the second is a dead
	 * letter. */
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(rec.cause, RT_DEAD_DROPPED);
	CU_ASSERT_EQUAL(rt_test_run(sys), 5);
	CU_ASSERT_EQUAL_FATAL(flat.n, 5);
	CU_ASSERT_EQUAL(rt_test_handled(sys, a.ref, "Tick"), 2);
	CU_ASSERT_EQUAL(rt_test_handled(sys, b.ref, "Tick"), 2);
	CU_ASSERT_EQUAL(rt_test_handled(sys, t.ref, "Tick"), 1);
	CU_ASSERT_EQUAL(flat.seq[0] + flat.seq[1] + flat.seq[2] + flat.seq[3] +
		flat.seq[4],
	    41 + 41 + 41 + 42 + 42);
	/* Copies, not one shared message: no two deliveries of the first
	 * publish are at one address. */
	CU_ASSERT_PTR_NOT_EQUAL(flat.ptr[0], flat.ptr[1]);
	CU_ASSERT_PTR_NOT_EQUAL(flat.ptr[1], flat.ptr[2]);
	CU_ASSERT_PTR_NOT_EQUAL(flat.ptr[0], flat.ptr[2]);
	assert_balanced(sys);
	rt_system_free(sys);
}

/* A flat message past RT_PUBLISH_COPY_MAX is shared, as one with strings
 * is; one with no fields may be published from NULL. */
static void
test_big_flat_messages_are_shared(void)
{
	rt_system *sys = test_system();
	tp_Flat_ref a, b;
	tp_Frame frame;
	unsigned i;

	CU_ASSERT(sizeof(tp_Frame) > RT_PUBLISH_COPY_MAX);
	memset(&flat, 0, sizeof(flat));
	frame.seq = 9;
	for (i = 0; i < sizeof(frame.data); i++)
		frame.data[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(tp_Flat_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL(tp_Flat_spawn(sys, NULL, &b), 0);
	CU_ASSERT_EQUAL(tp_Flat_subscribe_frames(a), 0);
	CU_ASSERT_EQUAL(tp_Flat_subscribe_frames(b), 0);
	CU_ASSERT_EQUAL(tp_Flat_subscribe_empties(a), 0);
	CU_ASSERT_EQUAL(tp_frames_publish(sys, &frame), 0);
	memset(frame.data, 0, sizeof(frame.data));
	CU_ASSERT_EQUAL(tp_empties_publish(sys, NULL), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 3);
	/* a runs first, both of its messages: Frame, Empty; then b. */
	CU_ASSERT_EQUAL_FATAL(flat.n, 3);
	CU_ASSERT_EQUAL(flat.seq[0], 9);
	CU_ASSERT_EQUAL(flat.seq[1], UINT32_MAX);
	CU_ASSERT_EQUAL(flat.seq[2], 9);
	CU_ASSERT_EQUAL(flat.sum[0], 95 * 96 / 2);
	CU_ASSERT_EQUAL(flat.sum[2], 95 * 96 / 2);
	CU_ASSERT_PTR_EQUAL(flat.ptr[0], flat.ptr[2]);
	assert_balanced(sys);
	rt_system_free(sys);
}

/* --- publishers on several threads ---------------------------------------- */

struct publisher {
	rt_system *sys;
	uint32_t id, n;
	unsigned failed;
};

static void *
publisher_main(void *arg)
{
	struct publisher *p = arg;
	uint32_t i;

	for (i = 0; i < p->n; i++) {
		tp_Quote q = { p->id, i, "T" };
		int r = tp_quotes_publish(p->sys, &q);

		if (r != 0)
			p->failed++;
	}
	return NULL;
}

static void
test_threads(void)
{
	rt_system *sys;
	struct publisher pubs[PUBLISHERS];
	pthread_t th[PUBLISHERS];
	unsigned i;
	const uint32_t n = 5000;

	memset(&rec, 0, sizeof(rec));
	memset(next_seq, 0, sizeof(next_seq));
	threaded = 1;
	sys = rt_system_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	for (i = 0; i < SUBS; i++) {
		CU_ASSERT_EQUAL(tp_Sub_spawn(sys, NULL, &subs[i]), 0);
		CU_ASSERT_EQUAL(tp_Sub_subscribe_quotes(subs[i]), 0);
	}
	for (i = 0; i < PUBLISHERS; i++) {
		pubs[i] = (struct publisher){ sys, i, n, 0 };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL,
					  publisher_main, &pubs[i]),
		    0);
	}
	for (i = 0; i < PUBLISHERS; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(pubs[i].failed, 0);
	}
	for (i = 0; i < SUBS; i++)
		CU_ASSERT_EQUAL(tp_Sub_send_Halt(subs[i], NULL), 0);
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_EQUAL(atomic_load(&rec.got), SUBS * PUBLISHERS * n);
	CU_ASSERT_EQUAL(atomic_load(&rec.out_of_order), 0);
	assert_balanced(sys);
	rt_system_free(sys);
	memset(subs, 0, sizeof(subs));
	threaded = 0;
}

int
main(int argc, char **argv)
{
	CU_TestInfo kit[] = {
		{ "no subscribers", test_no_subscribers },
		{ "fan-out shares one copy", test_fan_out_shares_one_copy },
		{ "order per subscriber", test_order_per_subscriber },
		{ "subscribe and unsubscribe", test_subscribe_and_unsubscribe },
		{ "stopped subscriber leaves", test_stopped_subscriber_leaves },
		{ "full mailboxes", test_full_mailboxes },
		{ "queued at shutdown", test_queued_at_shutdown },
		{ "small flat messages are copied",
		    test_small_flat_messages_are_copied },
		{ "big flat messages are shared",
		    test_big_flat_messages_are_shared },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo threads[] = {
		{ "publishers on threads", test_threads },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "topics", NULL, NULL, NULL, NULL, kit },
		{ "threads", NULL, NULL, NULL, NULL, threads },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
