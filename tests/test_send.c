/* SPDX-License-Identifier: MIT */
/*
 * Sending, through the generated API of tests/rtp/send.rtp: bounded
 * mailboxes and their overflow policies (reject, drop, block for plain
 * threads, muting for actors), priorities, time-to-live, the dead-letter
 * hook, per-actor statistics, and the copying of bytes and C-typed fields. Most tests hold the only worker with a
 * Gate actor so that messages pile up exactly as the test wants.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cutest.h"
#include "send.rtp.h"

#define WAIT_LIMIT_SEC 20
#define MAX_LOG 4096
/* An Item with this n makes its receiver stop. */
#define STOP_N 0xdead

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

#include "record.h"

static struct record {
	unsigned handled;      /* Items handled by any recorder kind */
	uint32_t log[MAX_LOG]; /* their n, in order */
	bool more[MAX_LOG];    /* rt_ctx_more_waiting in each one's handler */
	unsigned sink_handled;
	int sink_held; /* the Sink waits inside its handler */
	unsigned volleys;
	int gate_held, gate_open;
	unsigned dead; /* dead-letter hook calls */
	rt_dead_cause last_cause;
	char last_actor[64], last_message[64];
	uint32_t last_n;
	unsigned blobs; /* Blobs handled */
	char blob[64];  /* the last Blob's data, as received */
	size_t blob_len;
	int blob_data_null; /* was its data NULL? */
	char note[64];
	unsigned ptrs; /* Ptrs handled */
	int *ptr;      /* the last Ptr's p and tag */
	unsigned long ptr_tag;
	int *dead_ptr; /* p of the last Ptr that was a dead letter */
} rec;

static unsigned want;
static int
handled_reached(void)
{
	return rec.handled >= want;
}
static int
sink_reached(void)
{
	return rec.sink_handled >= want;
}
static int
volleys_reached(void)
{
	return rec.volleys >= want;
}
static int
gate_is_held(void)
{
	return rec.gate_held;
}
static int
dead_reached(void)
{
	return rec.dead >= want;
}
static int
blobs_reached(void)
{
	return rec.blobs >= want;
}
static int
ptrs_reached(void)
{
	return rec.ptrs >= want;
}

/* --- handlers ------------------------------------------------------------ */

static int
record_item(rt_ctx *ctx, const send_Item *msg)
{
	if (msg->n == STOP_N) {
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	RECORD({
		if (rec.handled < MAX_LOG) {
			rec.log[rec.handled] = msg->n;
			rec.more[rec.handled] = rt_ctx_more_waiting(ctx);
		}
		rec.handled++;
	});
	return 0;
}

int
send_Recorder_on_Item(send_Recorder *self, rt_ctx *ctx, const send_Item *msg)
{
	(void)self;
	return record_item(ctx, msg);
}

int
send_Rejecting_on_Item(send_Rejecting *self, rt_ctx *ctx, const send_Item *msg)
{
	(void)self;
	return record_item(ctx, msg);
}

int
send_Dropping_on_Item(send_Dropping *self, rt_ctx *ctx, const send_Item *msg)
{
	(void)self;
	return record_item(ctx, msg);
}

int
send_Blocking_on_Item(send_Blocking *self, rt_ctx *ctx, const send_Item *msg)
{
	(void)self;
	return record_item(ctx, msg);
}

int
send_Sink_on_Item(send_Sink *self, rt_ctx *ctx, const send_Item *msg)
{
	struct timespec pause = { 0, 20000 };

	int held;

	(void)self;
	(void)ctx;
	(void)msg;
	/* Slower than the flooders, so that its mailbox fills up; held
	 * until the test has seen a flooder muted. */
	do {
		nanosleep(&pause, NULL);
		pthread_mutex_lock(&mu);
		held = rec.sink_held;
		pthread_mutex_unlock(&mu);
	} while (held);
	RECORD(rec.sink_handled++);
	return 0;
}

int
send_Flooder_on_Flood(send_Flooder *self, rt_ctx *ctx, const send_Flood *msg)
{
	send_Item item = { .sender = msg->sender, .n = msg->count };
	send_Flood next = *msg;
	int rc;

	(void)self;
	if (msg->count == 0)
		return 0;
	/* One item per handler run: muting takes effect between runs. */
	rc = send_Sink_send_Item(msg->to, &item);
	if (rc != 0)
		return rc;
	next.count--;
	return send_Flooder_send_Flood(send_Flooder_self(ctx), &next);
}

int
send_Twin_on_Volley(send_Twin *self, rt_ctx *ctx, const send_Volley *msg)
{
	send_Volley next = { .back = { rt_self(ctx) }, .left = msg->left - 1 };
	int i, rc;

	(void)self;
	RECORD(rec.volleys++);
	if (msg->left == 0)
		return 0;
	for (i = 0; i < 3; i++) {
		rc = send_Twin_send_Volley(msg->back, &next);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
send_Gate_on_Hold(send_Gate *self, rt_ctx *ctx, const send_Hold *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	pthread_mutex_lock(&mu);
	rec.gate_held = 1;
	pthread_cond_broadcast(&cv);
	while (!rec.gate_open)
		pthread_cond_wait(&cv, &mu);
	rec.gate_held = 0;
	pthread_mutex_unlock(&mu);
	return 0;
}

int
send_Carrier_on_Blob(send_Carrier *self, rt_ctx *ctx, const send_Blob *msg)
{
	(void)self;
	(void)ctx;
	RECORD({
		rec.blob_len = msg->data.len;
		rec.blob_data_null = msg->data.data == NULL;
		if (msg->data.len != 0 && msg->data.len <= sizeof(rec.blob))
			memcpy(rec.blob, msg->data.data, msg->data.len);
		snprintf(rec.note, sizeof(rec.note), "%s",
		    msg->note != NULL ? msg->note : "(null)");
		rec.blobs++;
	});
	return 0;
}

int
send_Carrier_on_Ptr(send_Carrier *self, rt_ctx *ctx, const send_Ptr *msg)
{
	(void)self;
	(void)ctx;
	RECORD({
		rec.ptr = msg->p;
		rec.ptr_tag = msg->tag;
		rec.ptrs++;
	});
	return 0;
}

static void
on_dead_letter(void *user, const rt_dead_letter *dl)
{
	const send_Item *item = dl->msg;

	(void)user;
	if (dl->message != NULL && strcmp(dl->message, "Ptr") == 0) {
		/* The pointer a dead Ptr carried, to be freed here. */
		const send_Ptr *ptr = dl->msg;

		RECORD({
			rec.dead++;
			rec.last_cause = dl->cause;
			rec.dead_ptr = ptr->p;
		});
		return;
	}
	RECORD({
		rec.dead++;
		rec.last_cause = dl->cause;
		snprintf(rec.last_actor, sizeof(rec.last_actor), "%s",
		    dl->actor ? dl->actor : "(null)");
		snprintf(rec.last_message, sizeof(rec.last_message), "%s",
		    dl->message ? dl->message : "(null)");
		rec.last_n = item->n;
	});
}

static void
quiet_log(void *user, rt_log_level level, const char *line)
{
	(void)user;
	(void)level;
	(void)line;
}

/* --- helpers ------------------------------------------------------------- */

static rt_system *
new_system(unsigned workers)
{
	rt_config cfg;
	rt_system *sys;

	rt_config_init(&cfg);
	cfg.workers = workers;
	cfg.log = quiet_log;
	cfg.dead_letter = on_dead_letter;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	pthread_mutex_lock(&mu);
	memset(&rec, 0, sizeof(rec));
	pthread_mutex_unlock(&mu);
	return sys;
}

/* Occupy the (only) worker until open_gate(). */
static void
hold_gate(rt_system *sys)
{
	send_Gate_ref g;

	CU_ASSERT_EQUAL_FATAL(send_Gate_spawn(sys, NULL, &g), 0);
	CU_ASSERT_EQUAL_FATAL(send_Gate_send_Hold(g, NULL), 0);
	CU_ASSERT_TRUE_FATAL(wait_until(gate_is_held));
}

static void
open_gate(void)
{
	RECORD(rec.gate_open = 1);
}

static send_Item
item(uint32_t n)
{
	send_Item it = { .sender = 0, .n = n };

	return it;
}

/*
 * Handlers record before the runtime counts the message as handled: wait
 * for the actor's own count to catch up, and return its statistics.
 */
static rt_actor_stats
actor_stats_after(rt_ref ref, uint64_t handled)
{
	rt_actor_stats as;
	unsigned i;

	memset(&as, 0, sizeof(as));
	for (i = 0; i < 10000000; i++) {
		if (rt_stats_actor(ref, &as) != 0 || as.handled >= handled)
			break;
		sched_yield();
	}
	return as;
}

/* --- tests --------------------------------------------------------------- */

static void
a_full_rejecting_mailbox_refuses_with_efull(void)
{
	rt_system *sys = new_system(1);
	send_Rejecting_ref r;
	send_Item it;
	rt_stats st;
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(send_Rejecting_spawn(sys, NULL, &r), 0);
	hold_gate(sys);
	for (i = 1; i <= 4; i++) {
		it = item(i);
		CU_ASSERT_EQUAL(send_Rejecting_send_Item(r, &it), 0);
	}
	it = item(5);
	CU_ASSERT_EQUAL(send_Rejecting_send_Item(r, &it), RT_EFULL);
	open_gate();
	want = 4;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	/* Room again once it has drained (places are given back at the end
	 * of the run that handled them). */
	for (i = 0; i < 10000000; i++) {
		rt_actor_stats as;

		CU_ASSERT_EQUAL_FATAL(rt_stats_actor(r.ref, &as), 0);
		if (as.depth == 0)
			break;
		sched_yield();
	}
	CU_ASSERT_EQUAL(send_Rejecting_send_Item(r, &it), 0);
	want = 5;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.refused, 1);
	CU_ASSERT_EQUAL(st.dead_letters, 0);
	CU_ASSERT_EQUAL(rec.dead, 0);
	rt_system_free(sys);
}

static void
a_full_dropping_mailbox_drops_and_reports_dead_letters(void)
{
	rt_system *sys = new_system(1);
	send_Dropping_ref d;
	rt_stats st;
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(send_Dropping_spawn(sys, NULL, &d), 0);
	hold_gate(sys);
	for (i = 1; i <= 10; i++) {
		send_Item it = item(i);

		CU_ASSERT_EQUAL(send_Dropping_send_Item(d, &it), 0);
	}
	CU_ASSERT_EQUAL(rec.dead, 6);
	CU_ASSERT_EQUAL(rec.last_cause, RT_DEAD_DROPPED);
	CU_ASSERT_STRING_EQUAL(rec.last_actor, "send.Dropping");
	CU_ASSERT_STRING_EQUAL(rec.last_message, "Item");
	CU_ASSERT_EQUAL(rec.last_n, 10);
	open_gate();
	want = 4;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	/* The first four were kept, in order. */
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(rec.log[i], i + 1);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	/* Ten sends returned 0 (and the gate's Hold): four handled, six
	 * dead letters. */
	CU_ASSERT_EQUAL(st.sent, 11);
	CU_ASSERT_EQUAL(st.dropped, 6);
	CU_ASSERT_EQUAL(st.dead_letters, 6);
	CU_ASSERT_EQUAL(st.handled, 5); /* the four and the gate's Hold */
	rt_system_free(sys);
}

typedef struct blocked_send {
	send_Blocking_ref to;
	uint32_t n;
	int rc;
} blocked_send;

static void *
blocking_sender(void *p)
{
	blocked_send *b = p;
	send_Item it = item(b->n);

	b->rc = send_Blocking_send_Item(b->to, &it);
	return NULL;
}

static void
a_thread_waits_for_room_in_a_blocking_mailbox(void)
{
	rt_system *sys = new_system(1);
	send_Blocking_ref b;
	blocked_send bs;
	rt_send_opts opts = { .timeout = RT_MS(20) };
	pthread_t th;
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(send_Blocking_spawn(sys, NULL, &b), 0);
	hold_gate(sys);
	for (i = 1; i <= 4; i++) {
		send_Item it = item(i);

		CU_ASSERT_EQUAL(send_Blocking_send_Item(b, &it), 0);
	}
	{
		send_Item it = item(99);

		CU_ASSERT_EQUAL(send_Blocking_send_Item_opt(b, &it, &opts),
		    RT_ETIMEDOUT);
	}
	bs.to = b;
	bs.n = 5;
	bs.rc = -1000;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, blocking_sender, &bs),
	    0);
	open_gate();
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(bs.rc, 0);
	want = 5;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(rec.log[i], i + 1);
	rt_system_free(sys);
}

static void
a_waiting_thread_learns_that_the_actor_stopped(void)
{
	rt_system *sys = new_system(1);
	send_Blocking_ref b;
	blocked_send bs;
	pthread_t th;
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(send_Blocking_spawn(sys, NULL, &b), 0);
	hold_gate(sys);
	for (i = 0; i < 4; i++) {
		send_Item it = item(i == 0 ? STOP_N : i);

		CU_ASSERT_EQUAL(send_Blocking_send_Item(b, &it), 0);
	}
	bs.to = b;
	bs.n = 5;
	bs.rc = -1000;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, blocking_sender, &bs),
	    0);
	/* Give the sender time to start waiting (if it is late, the send
	 * may instead be accepted just before the actor stops). */
	nanosleep(&(struct timespec){ 0, 20 * 1000000 }, NULL);
	open_gate();
	pthread_join(th, NULL);
	/* It stopped at the first item; the three behind it are dead, and
	 * the waiting send learns it, or is one more dead letter. */
	CU_ASSERT(bs.rc == RT_ENOACTOR || bs.rc == 0);
	want = bs.rc == 0 ? 4 : 3;
	CU_ASSERT_TRUE(wait_until(dead_reached));
	CU_ASSERT_EQUAL(rec.last_cause, RT_DEAD_STOPPED);
	CU_ASSERT_EQUAL(rec.handled, 0);
	rt_system_free(sys);
}

static void
an_actor_sending_to_a_full_mailbox_is_muted_not_blocked(void)
{
	enum { FLOODERS = 2, EACH = 300 };
	rt_system *sys = new_system(2);
	send_Sink_ref sink;
	send_Flooder_ref f[FLOODERS];
	rt_actor_stats as;
	rt_stats st;
	time_t deadline;
	unsigned i;

	RECORD(rec.sink_held = 1);
	CU_ASSERT_EQUAL_FATAL(send_Sink_spawn(sys, NULL, &sink), 0);
	for (i = 0; i < FLOODERS; i++) {
		send_Flood fl = { .to = sink, .count = EACH, .sender = i };

		CU_ASSERT_EQUAL_FATAL(send_Flooder_spawn(sys, NULL, &f[i]), 0);
		CU_ASSERT_EQUAL(send_Flooder_send_Flood(f[i], &fl), 0);
	}
	/* The Sink holds its worker; the flooders fill its mailbox from
	 * the other one, and are muted. */
	deadline = time(NULL) + WAIT_LIMIT_SEC;
	do {
		CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	} while (st.mutes == 0 && time(NULL) < deadline && sched_yield() == 0);
	CU_ASSERT(st.mutes > 0);
	RECORD(rec.sink_held = 0);
	want = FLOODERS * EACH;
	CU_ASSERT_TRUE(wait_until(sink_reached));
	as = actor_stats_after(sink.ref, FLOODERS * EACH);
	CU_ASSERT_EQUAL(as.bound, 8);
	CU_ASSERT_EQUAL(as.handled, FLOODERS * EACH);
	/* Each muted flooder may overshoot the bound by its last message. */
	CU_ASSERT(as.high_water <= 8 + FLOODERS);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT(st.mutes > 0);
	CU_ASSERT_EQUAL(st.refused, 0);
	CU_ASSERT_EQUAL(st.dead_letters, 0);
	rt_system_free(sys);
}

static void
actors_flooding_each_other_through_full_mailboxes_do_not_deadlock(void)
{
	rt_system *sys = new_system(2);
	send_Twin_ref a, b;
	send_Volley v;
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(send_Twin_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(send_Twin_spawn(sys, NULL, &b), 0);
	v.back = b;
	v.left = 7;
	CU_ASSERT_EQUAL(send_Twin_send_Volley(a, &v), 0);
	/* 1 + 3 + 9 + ... + 3^7 volleys in all. */
	want = 3280;
	CU_ASSERT_TRUE(wait_until(volleys_reached));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.handled, 3280);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	rt_system_free(sys);
}

static void
high_priority_messages_overtake_normal_ones(void)
{
	rt_system *sys = new_system(1);
	send_Recorder_ref r;
	rt_send_opts high = { .priority = RT_PRIO_HIGH };
	static const uint32_t expect[] = { 6, 7, 1, 2, 3, 4, 5 };
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(send_Recorder_spawn(sys, NULL, &r), 0);
	hold_gate(sys);
	for (i = 1; i <= 5; i++) {
		send_Item it = item(i);

		CU_ASSERT_EQUAL(send_Recorder_send_Item(r, &it), 0);
	}
	for (i = 6; i <= 7; i++) {
		send_Item it = item(i);

		CU_ASSERT_EQUAL(send_Recorder_send_Item_opt(r, &it, &high), 0);
	}
	open_gate();
	want = 7;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	for (i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(rec.log[i], expect[i]);
	rt_system_free(sys);
}

static void
an_expired_message_is_never_handled_and_is_counted(void)
{
	rt_system *sys = new_system(1);
	send_Recorder_ref r;
	rt_send_opts brief = { .ttl = RT_MS(1) };
	rt_send_opts ample = { .ttl = RT_SEC(60) };
	struct timespec pause = { 0, 30 * 1000000 };
	send_Item a = item(1), b = item(2), c = item(3);
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(send_Recorder_spawn(sys, NULL, &r), 0);
	hold_gate(sys);
	CU_ASSERT_EQUAL(send_Recorder_send_Item_opt(r, &a, &brief), 0);
	CU_ASSERT_EQUAL(send_Recorder_send_Item_opt(r, &b, &ample), 0);
	CU_ASSERT_EQUAL(send_Recorder_send_Item(r, &c), 0);
	nanosleep(&pause, NULL);
	open_gate();
	want = 2;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rec.handled, 2);
	CU_ASSERT_EQUAL(rec.log[0], 2);
	CU_ASSERT_EQUAL(rec.log[1], 3);
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(rec.last_cause, RT_DEAD_EXPIRED);
	CU_ASSERT_STRING_EQUAL(rec.last_actor, "send.Recorder");
	CU_ASSERT_EQUAL(rec.last_n, 1);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.expired, 1);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	rt_system_free(sys);
}

static void
messages_left_when_an_actor_stops_reach_the_dead_letter_hook(void)
{
	rt_system *sys = new_system(1);
	send_Recorder_ref r;
	send_Item stop = item(STOP_N);
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(send_Recorder_spawn(sys, NULL, &r), 0);
	hold_gate(sys);
	CU_ASSERT_EQUAL(send_Recorder_send_Item(r, &stop), 0);
	for (i = 1; i <= 3; i++) {
		send_Item it = item(i);

		CU_ASSERT_EQUAL(send_Recorder_send_Item(r, &it), 0);
	}
	open_gate();
	want = 3;
	CU_ASSERT_TRUE(wait_until(dead_reached));
	CU_ASSERT_EQUAL(rec.last_cause, RT_DEAD_STOPPED);
	CU_ASSERT_STRING_EQUAL(rec.last_actor, "send.Recorder");
	CU_ASSERT_STRING_EQUAL(rec.last_message, "Item");
	CU_ASSERT_EQUAL(rec.last_n, 3);
	CU_ASSERT_EQUAL(rec.handled, 0);
	rt_system_free(sys);
}

static void
actor_statistics_count_what_it_received_and_handled(void)
{
	rt_system *sys = new_system(1);
	send_Recorder_ref r;
	send_Blocking_ref b;
	rt_actor_stats as;
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(send_Recorder_spawn(sys, NULL, &r), 0);
	CU_ASSERT_EQUAL_FATAL(send_Blocking_spawn(sys, NULL, &b), 0);
	hold_gate(sys);
	for (i = 1; i <= 3; i++) {
		send_Item it = item(i);

		CU_ASSERT_EQUAL(send_Recorder_send_Item(r, &it), 0);
		CU_ASSERT_EQUAL(send_Blocking_send_Item(b, &it), 0);
	}
	CU_ASSERT_EQUAL(rt_stats_actor(b.ref, &as), 0);
	CU_ASSERT_EQUAL(as.bound, 4);
	CU_ASSERT_EQUAL(as.depth, 3);
	open_gate();
	want = 6;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	as = actor_stats_after(r.ref, 3);
	CU_ASSERT_EQUAL(as.received, 3);
	CU_ASSERT_EQUAL(as.handled, 3);
	CU_ASSERT_EQUAL(as.dead_letters, 0);
	CU_ASSERT_EQUAL(as.depth, 0);
	CU_ASSERT_EQUAL(as.high_water, 3);
	CU_ASSERT_EQUAL(as.bound, 0);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_actor(r.ref, &as), RT_ENOACTOR);
	CU_ASSERT_EQUAL(rt_stats_actor(r.ref, NULL), RT_EINVAL);
	rt_system_free(sys);
}

static void
a_handler_sees_the_messages_waiting_behind_it(void)
{
	rt_system *sys = new_system(1);
	send_Recorder_ref r;
	send_Item it;
	uint32_t i;

	CU_ASSERT_FALSE(rt_ctx_more_waiting(NULL));
	CU_ASSERT_EQUAL_FATAL(send_Recorder_spawn(sys, NULL, &r), 0);
	/* Three queued while the only worker is held: one run takes them,
	 * and only the last handler finds nothing behind it. */
	hold_gate(sys);
	for (i = 1; i <= 3; i++) {
		it = item(i);
		CU_ASSERT_EQUAL(send_Recorder_send_Item(r, &it), 0);
	}
	open_gate();
	want = 3;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	/* A lone message. */
	it = item(4);
	CU_ASSERT_EQUAL(send_Recorder_send_Item(r, &it), 0);
	want = 4;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	RECORD({
		CU_ASSERT_TRUE(rec.more[0]);
		CU_ASSERT_TRUE(rec.more[1]);
		CU_ASSERT_FALSE(rec.more[2]);
		CU_ASSERT_FALSE(rec.more[3]);
	});
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
}

static void
bad_send_options_are_refused(void)
{
	rt_system *sys = new_system(1);
	send_Recorder_ref r;
	send_Item it = item(1);
	rt_send_opts bad_prio = { .priority = (rt_priority)7 };
	rt_send_opts bad_ttl = { .ttl = -1 };
	rt_send_opts bad_timeout = { .timeout = -5 };

	CU_ASSERT_EQUAL_FATAL(send_Recorder_spawn(sys, NULL, &r), 0);
	CU_ASSERT_EQUAL(send_Recorder_send_Item_opt(r, &it, &bad_prio),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(send_Recorder_send_Item_opt(r, &it, &bad_ttl),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(send_Recorder_send_Item_opt(r, &it, &bad_timeout),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(send_Recorder_send_Item_opt(r, &it, NULL), 0);
	want = 1;
	CU_ASSERT_TRUE(wait_until(handled_reached));
	rt_system_free(sys);
}

typedef struct overload_arg {
	send_Rejecting_ref r;
	send_Dropping_ref d;
	send_Blocking_ref b;
	unsigned count;
	unsigned efull;
	unsigned other; /* any other failure */
} overload_arg;

static void *
overload_sender(void *p)
{
	overload_arg *a = p;
	unsigned i;

	for (i = 0; i < a->count; i++) {
		send_Item it = item(i + 1);
		int rc;

		rc = send_Rejecting_send_Item(a->r, &it);
		if (rc == RT_EFULL)
			a->efull++;
		else if (rc != 0)
			a->other++;
		if (send_Dropping_send_Item(a->d, &it) != 0)
			a->other++;
		if (send_Blocking_send_Item(a->b, &it) != 0)
			a->other++;
	}
	return NULL;
}

static void
bounded_mailboxes_under_overload_stay_bounded_and_count_everything(void)
{
	enum { THREADS = 4, EACH = 20000 };
	rt_system *sys = new_system(2);
	overload_arg args[THREADS];
	pthread_t th[THREADS];
	rt_actor_stats rs, ds, bs;
	rt_stats st;
	unsigned i, efull = 0;

	memset(args, 0, sizeof(args));
	CU_ASSERT_EQUAL_FATAL(send_Rejecting_spawn(sys, NULL, &args[0].r), 0);
	CU_ASSERT_EQUAL_FATAL(send_Dropping_spawn(sys, NULL, &args[0].d), 0);
	CU_ASSERT_EQUAL_FATAL(send_Blocking_spawn(sys, NULL, &args[0].b), 0);
	for (i = 0; i < THREADS; i++) {
		args[i].r = args[0].r;
		args[i].d = args[0].d;
		args[i].b = args[0].b;
		args[i].count = EACH;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL,
					  overload_sender, &args[i]),
		    0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(args[i].other, 0);
		efull += args[i].efull;
	}
	/* Plain threads only: no bound is ever passed. */
	CU_ASSERT_EQUAL(rt_stats_actor(args[0].r.ref, &rs), 0);
	CU_ASSERT_EQUAL(rt_stats_actor(args[0].d.ref, &ds), 0);
	CU_ASSERT_EQUAL(rt_stats_actor(args[0].b.ref, &bs), 0);
	CU_ASSERT(rs.high_water <= 4);
	CU_ASSERT(ds.high_water <= 4);
	CU_ASSERT(bs.high_water <= 4);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	/* Every blocking send got in; each refused one was counted; the
	 * others were handled or are dead letters the hook saw. */
	CU_ASSERT_EQUAL(st.refused, efull);
	CU_ASSERT_EQUAL(st.sent + st.refused, 3u * THREADS * EACH);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	CU_ASSERT_EQUAL(rec.dead, st.dead_letters);
	CU_ASSERT(st.dropped > 0 || efull == 0);
	rt_system_free(sys);
}

static void
bytes_are_copied_on_send(void)
{
	rt_system *sys = new_system(1);
	send_Carrier_ref c;
	char buf[16] = "hello, bytes";
	send_Blob b = { .n = 1, .data = { buf, 12 }, .note = "first" };

	CU_ASSERT_EQUAL_FATAL(send_Carrier_spawn(sys, NULL, &c), 0);
	hold_gate(sys);
	CU_ASSERT_EQUAL(send_Carrier_send_Blob(c, &b), 0);
	/* The sender's buffer is its own again once the send returns. */
	memcpy(buf, "XXXXXXXXXXXX", 12);
	open_gate();
	want = 1;
	CU_ASSERT_TRUE(wait_until(blobs_reached));
	CU_ASSERT_EQUAL(rec.blob_len, 12);
	CU_ASSERT_FALSE(rec.blob_data_null);
	CU_ASSERT(memcmp(rec.blob, "hello, bytes", 12) == 0);
	CU_ASSERT_STRING_EQUAL(rec.note, "first");
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
}

static void
zero_length_bytes_arrive_empty(void)
{
	rt_system *sys = new_system(1);
	send_Carrier_ref c;
	char buf[4] = "abc";
	send_Blob none = { .n = 1 }, empty = { .n = 2, .data = { buf, 0 } };

	CU_ASSERT_EQUAL_FATAL(send_Carrier_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(send_Carrier_send_Blob(c, &none), 0);
	want = 1;
	CU_ASSERT_TRUE(wait_until(blobs_reached));
	CU_ASSERT_EQUAL(rec.blob_len, 0);
	CU_ASSERT_TRUE(rec.blob_data_null);
	CU_ASSERT_STRING_EQUAL(rec.note, "(null)");
	/* Non-NULL data of length 0 does not point into the sender. */
	CU_ASSERT_EQUAL(send_Carrier_send_Blob(c, &empty), 0);
	want = 2;
	CU_ASSERT_TRUE(wait_until(blobs_reached));
	CU_ASSERT_EQUAL(rec.blob_len, 0);
	CU_ASSERT_FALSE(rec.blob_data_null);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
}

static void
bytes_with_null_data_and_a_length_are_refused(void)
{
	rt_system *sys = new_system(1);
	send_Carrier_ref c;
	send_Blob bad = { .n = 1, .data = { NULL, 5 } };
	send_Blob huge = { .n = 2, .data = { "x", SIZE_MAX } };
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(send_Carrier_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(send_Carrier_send_Blob(c, &bad), RT_EINVAL);
	CU_ASSERT_EQUAL(send_Carrier_send_Blob_opt(c, &bad, NULL), RT_EINVAL);
	/* A length no buffer can have is refused, not wrapped around. */
	CU_ASSERT_EQUAL(send_Carrier_send_Blob(c, &huge), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, 0);
	CU_ASSERT_EQUAL(rec.blobs, 0);
	rt_system_free(sys);
}

static void
a_c_typed_pointer_arrives_unchanged(void)
{
	rt_system *sys = new_system(1);
	send_Carrier_ref c;
	int *owned = malloc(sizeof(*owned));
	send_Ptr m = { .p = owned, .tag = 0xfeedUL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(owned);
	*owned = 42;
	CU_ASSERT_EQUAL_FATAL(send_Carrier_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(send_Carrier_send_Ptr(c, &m), 0);
	want = 1;
	CU_ASSERT_TRUE(wait_until(ptrs_reached));
	CU_ASSERT_PTR_EQUAL(rec.ptr, owned);
	CU_ASSERT_EQUAL(rec.ptr_tag, 0xfeedUL);
	CU_ASSERT_EQUAL(*rec.ptr, 42);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
	free(owned);
}

static void
a_c_typed_pointer_in_a_dead_letter_reaches_the_hook(void)
{
	rt_system *sys = new_system(1);
	send_Carrier_ref c;
	int *owned = malloc(sizeof(*owned));
	send_Ptr m = { .p = owned };
	rt_send_opts brief = { .ttl = RT_MS(1) };
	struct timespec pause = { 0, 30 * 1000000 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(owned);
	CU_ASSERT_EQUAL_FATAL(send_Carrier_spawn(sys, NULL, &c), 0);
	hold_gate(sys);
	CU_ASSERT_EQUAL(send_Carrier_send_Ptr_opt(c, &m, &brief), 0);
	nanosleep(&pause, NULL);
	open_gate();
	want = 1;
	CU_ASSERT_TRUE(wait_until(dead_reached));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rec.ptrs, 0);
	CU_ASSERT_EQUAL(rec.last_cause, RT_DEAD_EXPIRED);
	CU_ASSERT_PTR_EQUAL(rec.dead_ptr, owned);
	rt_system_free(sys);
	free(owned);
}

static CU_TestInfo send_tests[] = {
	{ "bounded mailboxes under overload stay bounded and count everything",
	    bounded_mailboxes_under_overload_stay_bounded_and_count_everything },
	{ "a full rejecting mailbox refuses with RT_EFULL",
	    a_full_rejecting_mailbox_refuses_with_efull },
	{ "a full dropping mailbox drops and reports dead letters",
	    a_full_dropping_mailbox_drops_and_reports_dead_letters },
	{ "a thread waits for room in a blocking mailbox",
	    a_thread_waits_for_room_in_a_blocking_mailbox },
	{ "a waiting thread learns that the actor stopped",
	    a_waiting_thread_learns_that_the_actor_stopped },
	{ "an actor sending to a full mailbox is muted, not blocked",
	    an_actor_sending_to_a_full_mailbox_is_muted_not_blocked },
	{ "actors flooding each other through full mailboxes do not deadlock",
	    actors_flooding_each_other_through_full_mailboxes_do_not_deadlock },
	{ "high-priority messages overtake normal ones",
	    high_priority_messages_overtake_normal_ones },
	{ "an expired message is never handled and is counted",
	    an_expired_message_is_never_handled_and_is_counted },
	{ "messages left when an actor stops reach the dead-letter hook",
	    messages_left_when_an_actor_stops_reach_the_dead_letter_hook },
	{ "actor statistics count what it received and handled",
	    actor_statistics_count_what_it_received_and_handled },
	{ "a handler sees the messages waiting behind it",
	    a_handler_sees_the_messages_waiting_behind_it },
	{ "bad send options are refused", bad_send_options_are_refused },
	{ "bytes are copied on send", bytes_are_copied_on_send },
	{ "zero-length bytes arrive empty", zero_length_bytes_arrive_empty },
	{ "bytes with NULL data and a length are refused",
	    bytes_with_null_data_and_a_length_are_refused },
	{ "a C-typed pointer arrives unchanged",
	    a_c_typed_pointer_arrives_unchanged },
	{ "a C-typed pointer in a dead letter reaches the hook",
	    a_c_typed_pointer_in_a_dead_letter_reaches_the_hook },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "send", NULL, NULL, NULL, NULL, send_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
