/* SPDX-License-Identifier: MIT */
/*
 * The runtime through the API users have: the functions rtgen generates
 * from tests/rtp/rtest.rtp, and the rt_* calls. Handlers record what they
 * see in `rec` under a mutex; tests wait for what they expect (with a
 * generous limit so that a bug fails the test instead of hanging it).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <rt/supervisor.h>

#include "cutest.h"
#include "rtest.rtp.h"

#define WAIT_LIMIT_SEC 20
#define MAX_SENDERS 8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

#include "record.h"

static struct record {
	uint64_t total;
	unsigned adds;
	unsigned seq_count;
	unsigned seq_next[MAX_SENDERS];
	int seq_in_order;
	unsigned notes;
	char note_text[64];
	int note_code;
	unsigned probes;
	int self_matches;
	int system_matches;
	unsigned balls_done;
	unsigned starts;
	unsigned stops;
	int stop_reason;
	char label[32];
	int blocked;
	int release;
	int inner_wait_rc;
	int inner_shutdown_rc;
	unsigned log_lines;
	char log_line[512];
	unsigned spawns;
	rtest_Counter_ref spawned;
} rec;

/* What the Probe handlers compare rt_self and rt_ctx_system with. */
static rt_ref expect_self;
static rt_system *expect_sys;

static void
rec_reset(void)
{
	pthread_mutex_lock(&mu);
	memset(&rec, 0, sizeof(rec));
	rec.seq_in_order = 1;
	pthread_mutex_unlock(&mu);
	memset(&expect_self, 0, sizeof(expect_self));
	expect_sys = NULL;
}

/* --- handlers ------------------------------------------------------------ */

int
rtest_Counter_on_Add(rtest_Counter *self, rt_ctx *ctx, const rtest_Add *msg)
{
	(void)ctx;
	self->total += msg->n;
	RECORD((rec.total += msg->n, rec.adds++));
	return 0;
}

int
rtest_Counter_on_Seq(rtest_Counter *self, rt_ctx *ctx, const rtest_Seq *msg)
{
	(void)ctx;
	self->seen++;
	RECORD({
		if (msg->sender >= MAX_SENDERS ||
		    msg->n != rec.seq_next[msg->sender])
			rec.seq_in_order = 0;
		else
			rec.seq_next[msg->sender]++;
		rec.seq_count++;
	});
	return 0;
}

/* A Note with this code makes the handler try the blocking calls. */
#define NOTE_TRY_BLOCKING 1001

int
rtest_Counter_on_Note(rtest_Counter *self, rt_ctx *ctx, const rtest_Note *msg)
{
	int wait_rc = 0, shutdown_rc = 0;

	(void)self;
	if (msg->code == NOTE_TRY_BLOCKING) {
		wait_rc = rt_system_wait(rt_ctx_system(ctx));
		shutdown_rc = rt_system_shutdown(rt_ctx_system(ctx), 0);
	}
	RECORD({
		rec.inner_wait_rc = wait_rc;
		rec.inner_shutdown_rc = shutdown_rc;
		snprintf(rec.note_text, sizeof(rec.note_text), "%s",
		    msg->text ? msg->text : "(null)");
		rec.note_code = msg->code;
		rec.notes++;
	});
	return 0;
}

int
rtest_Counter_on_Stop(rtest_Counter *self, rt_ctx *ctx, const rtest_Stop *msg)
{
	(void)self;
	rt_stop(ctx, msg->reason);
	return 0;
}

int
rtest_Counter_on_Crash(rtest_Counter *self, rt_ctx *ctx, const rtest_Crash *msg)
{
	(void)self;
	(void)ctx;
	return msg->code;
}

int
rtest_Counter_on_Probe(rtest_Counter *self, rt_ctx *ctx, const rtest_Probe *msg)
{
	rt_ref me = rt_self(ctx);

	(void)self;
	(void)msg;
	RECORD({
		rec.self_matches = rt_ref_equal(me, expect_self);
		rec.system_matches = rt_ctx_system(ctx) == expect_sys;
		rec.probes++;
	});
	return 0;
}

int
rtest_Counter_on_Spawn(rtest_Counter *self, rt_ctx *ctx, const rtest_Spawn *msg)
{
	rtest_Counter_ref r;
	int rc;

	(void)self;
	(void)msg;
	rc = rtest_Counter_spawn(rt_ctx_system(ctx), NULL, &r);
	RECORD({
		rec.spawned = r;
		rec.spawns++;
	});
	return rc;
}

int
rtest_Player_on_Ball(rtest_Player *self, rt_ctx *ctx, const rtest_Ball *msg)
{
	rtest_Ball next;

	self->hits++;
	if (msg->left == 0) {
		RECORD(rec.balls_done++);
		return 0;
	}
	next.left = msg->left - 1;
	next.back = rtest_Player_self(ctx);
	return rtest_Player_send_Ball(msg->back, &next);
}

int
rtest_Starter_on_start(rtest_Starter *self, rt_ctx *ctx,
    const rtest_Starter_args *args)
{
	(void)ctx;
	if (args->fail_with != 0)
		return args->fail_with;
	self->started = 1;
	RECORD({
		snprintf(rec.label, sizeof(rec.label), "%s",
		    args->label ? args->label : "(null)");
		rec.starts++;
	});
	return 0;
}

static unsigned adder_bad; /* under mu */

static int
adder_start(rt_ctx *ctx, uint64_t n, uint64_t check, int fields_ok)
{
	RECORD({
		if (check != ~n || !fields_ok)
			adder_bad++;
		rec.total += n;
		rec.adds++;
	});
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
rtest_Adder_on_start(rtest_Adder *self, rt_ctx *ctx,
    const rtest_Adder_args *args)
{
	(void)self;
	return adder_start(ctx, args->n, args->check, 1);
}

int
rtest_BigAdder_on_start(rtest_BigAdder *self, rt_ctx *ctx,
    const rtest_BigAdder_args *args)
{
	(void)self;
	return adder_start(ctx, args->n, args->check,
	    args->a == args->n && args->g == args->n);
}

int
rtest_Adder_on_Probe(rtest_Adder *self, rt_ctx *ctx, const rtest_Probe *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
rtest_MidAdder_on_start(rtest_MidAdder *self, rt_ctx *ctx,
    const rtest_MidAdder_args *args)
{
	(void)self;
	return adder_start(ctx, args->n, args->check, args->x == 3 * args->n);
}

int
rtest_MidAdder_on_Probe(rtest_MidAdder *self, rt_ctx *ctx,
    const rtest_Probe *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
rtest_BigAdder_on_Probe(rtest_BigAdder *self, rt_ctx *ctx,
    const rtest_Probe *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

void
rtest_Starter_on_stop(rtest_Starter *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	RECORD({
		rec.stops += self->started;
		rec.stop_reason = reason;
	});
}

int
rtest_Starter_on_Probe(rtest_Starter *self, rt_ctx *ctx, const rtest_Probe *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	RECORD(rec.probes++);
	return 0;
}

int
rtest_Starter_on_Stop(rtest_Starter *self, rt_ctx *ctx, const rtest_Stop *msg)
{
	(void)self;
	rt_stop(ctx, msg->reason);
	return 0;
}

int
rtest_Sleeper_on_Block(rtest_Sleeper *self, rt_ctx *ctx, const rtest_Block *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	pthread_mutex_lock(&mu);
	rec.blocked = 1;
	pthread_cond_broadcast(&cv);
	while (!rec.release)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	return 0;
}

static void
capture_log(void *user, rt_log_level level, const char *line)
{
	(void)user;
	(void)level;
	RECORD({
		snprintf(rec.log_line, sizeof(rec.log_line), "%s", line);
		rec.log_lines++;
	});
}

/* --- helpers ------------------------------------------------------------- */

static rt_system *
new_system(unsigned workers)
{
	rt_config cfg;
	rt_system *sys;

	rt_config_init(&cfg);
	cfg.workers = workers;
	cfg.log = capture_log;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	rec_reset();
	return sys;
}

static rtest_Counter_ref
spawn_counter(rt_system *sys)
{
	rtest_Counter_ref c;

	CU_ASSERT_EQUAL_FATAL(rtest_Counter_spawn(sys, NULL, &c), 0);
	return c;
}

static int
stats_balance(rt_system *sys)
{
	rt_stats st;

	if (rt_stats_system(sys, &st) != 0)
		return 0;
	return st.sent == st.handled + st.dead_letters;
}

static unsigned want_u;
static uint64_t want_u64;
static int
adds_reached(void)
{
	return rec.adds >= want_u;
}
static int
total_reached(void)
{
	return rec.total >= want_u64;
}
static int
seqs_reached(void)
{
	return rec.seq_count >= want_u;
}
static int
notes_reached(void)
{
	return rec.notes >= want_u;
}
static int
probes_reached(void)
{
	return rec.probes >= want_u;
}
static int
balls_reached(void)
{
	return rec.balls_done >= want_u;
}
static int
starts_reached(void)
{
	return rec.starts >= want_u;
}
static int
stops_reached(void)
{
	return rec.stops >= want_u;
}
static int
logs_reached(void)
{
	return rec.log_lines >= want_u;
}
static int
is_blocked(void)
{
	return rec.blocked;
}
static int
spawns_reached(void)
{
	return rec.spawns >= want_u;
}

/* --- tests --------------------------------------------------------------- */

static void
a_system_starts_the_workers_it_is_asked_for(void)
{
	rt_system *sys = new_system(3);

	CU_ASSERT_EQUAL(rt_system_workers(sys), 3);
	rt_system_free(sys);
	sys = rt_system_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_TRUE(rt_system_workers(sys) >= 1);
	rt_system_free(sys);
}

static void
a_spawned_actor_handles_a_message_sent_to_it(void)
{
	rt_system *sys = new_system(2);
	rtest_Counter_ref c = spawn_counter(sys);
	rtest_Add add = { .n = 42 };

	CU_ASSERT_TRUE(rt_actor_alive(c.ref));
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(c, &add), 0);
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(adds_reached));
	CU_ASSERT_EQUAL(rec.total, 42);
	rt_system_free(sys);
}

static void
strings_are_copied_when_sent(void)
{
	rt_system *sys = new_system(2);
	rtest_Counter_ref c = spawn_counter(sys);
	char text[32] = "hello, actor";
	rtest_Note note = { .text = text, .code = -7 };

	CU_ASSERT_EQUAL(rtest_Counter_send_Note(c, &note), 0);
	/* The sender's buffer is its own again as soon as send returns. */
	strcpy(text, "overwritten");
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(notes_reached));
	CU_ASSERT_STRING_EQUAL(rec.note_text, "hello, actor");
	CU_ASSERT_EQUAL(rec.note_code, -7);
	note.text = NULL;
	CU_ASSERT_EQUAL(rtest_Counter_send_Note(c, &note), 0);
	want_u = 2;
	CU_ASSERT_TRUE(wait_until(notes_reached));
	CU_ASSERT_STRING_EQUAL(rec.note_text, "(null)");
	rt_system_free(sys);
}

static void
a_message_without_fields_can_be_sent_as_null(void)
{
	rt_system *sys = new_system(1);
	rtest_Counter_ref c = spawn_counter(sys);
	rtest_Probe p;

	expect_self = c.ref;
	expect_sys = sys;
	CU_ASSERT_EQUAL(rtest_Counter_send_Probe(c, NULL), 0);
	CU_ASSERT_EQUAL(rtest_Counter_send_Probe(c, &p), 0);
	want_u = 2;
	CU_ASSERT_TRUE(wait_until(probes_reached));
	CU_ASSERT_TRUE(rec.self_matches);
	CU_ASSERT_TRUE(rec.system_matches);
	rt_system_free(sys);
}

static void
messages_from_one_sender_arrive_in_order(void)
{
	rt_system *sys = new_system(2);
	rtest_Counter_ref c = spawn_counter(sys);
	unsigned i;

	for (i = 0; i < 20000; i++) {
		rtest_Seq s = { .sender = 0, .n = i };

		CU_ASSERT_EQUAL_FATAL(rtest_Counter_send_Seq(c, &s), 0);
	}
	want_u = 20000;
	CU_ASSERT_TRUE(wait_until(seqs_reached));
	CU_ASSERT_TRUE(rec.seq_in_order);
	CU_ASSERT_EQUAL(rec.seq_next[0], 20000);
	rt_system_free(sys);
}

typedef struct sender_arg {
	rtest_Counter_ref to;
	unsigned id;
	unsigned count;
	int failures;
} sender_arg;

static void *
sender_thread(void *p)
{
	sender_arg *a = p;
	unsigned i;

	for (i = 0; i < a->count; i++) {
		rtest_Seq s = { .sender = a->id, .n = i };

		if (rtest_Counter_send_Seq(a->to, &s) != 0)
			a->failures++;
	}
	return NULL;
}

static void
many_senders_each_keep_their_order(void)
{
	enum { SENDERS = 4, EACH = 10000 };
	rt_system *sys = new_system(2);
	rtest_Counter_ref c = spawn_counter(sys);
	sender_arg args[SENDERS];
	pthread_t th[SENDERS];
	unsigned i;

	for (i = 0; i < SENDERS; i++) {
		args[i] = (sender_arg){ .to = c, .id = i, .count = EACH };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL,
					  sender_thread, &args[i]),
		    0);
	}
	for (i = 0; i < SENDERS; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(args[i].failures, 0);
	}
	want_u = SENDERS * EACH;
	CU_ASSERT_TRUE(wait_until(seqs_reached));
	CU_ASSERT_TRUE(rec.seq_in_order);
	for (i = 0; i < SENDERS; i++)
		CU_ASSERT_EQUAL(rec.seq_next[i], EACH);
	rt_system_free(sys);
}

static void
many_actors_each_handle_their_messages(void)
{
	enum { ACTORS = 2000, EACH = 5 };
	rt_system *sys = new_system(2);
	static rtest_Counter_ref cs[ACTORS];
	rt_stats st;
	unsigned i, k;

	for (i = 0; i < ACTORS; i++)
		cs[i] = spawn_counter(sys);
	for (k = 0; k < EACH; k++)
		for (i = 0; i < ACTORS; i++) {
			rtest_Add add = { .n = i };

			CU_ASSERT_EQUAL_FATAL(rtest_Counter_send_Add(cs[i],
						  &add),
			    0);
		}
	want_u64 = (uint64_t)EACH * ACTORS * (ACTORS - 1) / 2;
	CU_ASSERT_TRUE(wait_until(total_reached));
	CU_ASSERT_EQUAL(rec.total, want_u64);
	CU_ASSERT_EQUAL(rec.adds, EACH * ACTORS);
	for (i = 0; i < ACTORS; i++) {
		rtest_Stop stop = { .reason = RT_NORMAL };

		CU_ASSERT_EQUAL(rtest_Counter_send_Stop(cs[i], &stop), 0);
	}
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.spawned, ACTORS);
	CU_ASSERT_EQUAL(st.stopped, ACTORS);
	CU_ASSERT_EQUAL(st.crashed, 0);
	CU_ASSERT_EQUAL(st.live, 0);
	CU_ASSERT_EQUAL(st.handled, ACTORS * (EACH + 1));
	CU_ASSERT_TRUE(stats_balance(sys));
	rt_system_free(sys);
}

static void
actors_send_to_each_other(void)
{
	rt_system *sys = new_system(2);
	rtest_Player_ref a, b;
	rtest_Ball ball;

	CU_ASSERT_EQUAL_FATAL(rtest_Player_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(rtest_Player_spawn(sys, NULL, &b), 0);
	ball.left = 100000;
	ball.back = b;
	CU_ASSERT_EQUAL(rtest_Player_send_Ball(a, &ball), 0);
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(balls_reached));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_TRUE(stats_balance(sys));
	rt_system_free(sys);
}

static void
a_stopped_actor_refuses_messages(void)
{
	rt_system *sys = new_system(2);
	rtest_Counter_ref c = spawn_counter(sys);
	rtest_Stop stop = { .reason = RT_NORMAL };
	rtest_Add add = { .n = 1 };
	rt_stats st;

	CU_ASSERT_EQUAL(rtest_Counter_send_Stop(c, &stop), 0);
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_FALSE(rt_actor_alive(c.ref));
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(c, &add), RT_ENOACTOR);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.stopped, 1);
	CU_ASSERT_EQUAL(st.crashed, 0);
	CU_ASSERT_EQUAL(st.refused, 1);
	rt_system_free(sys);
}

static void
messages_queued_behind_a_stop_become_dead_letters(void)
{
	rt_system *sys = new_system(1);
	rtest_Sleeper_ref s;
	rtest_Counter_ref c = spawn_counter(sys);
	rtest_Stop stop = { .reason = RT_NORMAL };
	rtest_Add add = { .n = 1 };
	rt_stats st;
	unsigned i;

	/* Hold the only worker so that everything below queues up. */
	CU_ASSERT_EQUAL_FATAL(rtest_Sleeper_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(rtest_Sleeper_send_Block(s, NULL), 0);
	CU_ASSERT_TRUE(wait_until(is_blocked));
	CU_ASSERT_EQUAL(rtest_Counter_send_Stop(c, &stop), 0);
	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(rtest_Counter_send_Add(c, &add), 0);
	RECORD(rec.release = 1);
	while (rt_actor_alive(c.ref))
		sched_yield();
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(c, &add), RT_ENOACTOR);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(rec.adds, 0);
	CU_ASSERT_EQUAL(st.dead_letters, 10);
	CU_ASSERT_TRUE(stats_balance(sys));
	rt_system_free(sys);
}

static void
a_stale_ref_never_reaches_the_next_actor_in_its_cell(void)
{
	rt_system *sys = new_system(1);
	rtest_Counter_ref old = spawn_counter(sys),
			  spawner = spawn_counter(sys);
	rtest_Counter_ref fresh;
	rtest_Stop stop = { .reason = RT_NORMAL };
	rtest_Add add = { .n = 5 };

	CU_ASSERT_EQUAL(rtest_Counter_send_Stop(old, &stop), 0);
	while (rt_actor_alive(old.ref))
		sched_yield();
	/* Spawned on the worker that freed the old cell, which takes the
	 * cell it freed last. */
	CU_ASSERT_EQUAL(rtest_Counter_send_Spawn(spawner, NULL), 0);
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(spawns_reached));
	fresh = rec.spawned;
	/* Cells are recycled: the new actor lives where the old one did. */
	CU_ASSERT_PTR_EQUAL(fresh.ref.cell, old.ref.cell);
	CU_ASSERT_FALSE(rt_ref_equal(fresh.ref, old.ref));
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(old, &add), RT_ENOACTOR);
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(fresh, &add), 0);
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(adds_reached));
	CU_ASSERT_EQUAL(rec.total, 5);
	rt_system_free(sys);
}

static void
on_start_gets_the_spawn_arguments_and_on_stop_the_reason(void)
{
	rt_system *sys = new_system(2);
	char label[16] = "first";
	rtest_Starter_args args = { .fail_with = 0, .label = label };
	rtest_Starter_ref s;
	rtest_Stop stop = { .reason = 7 };

	CU_ASSERT_EQUAL_FATAL(rtest_Starter_spawn(sys, &args, &s), 0);
	strcpy(label, "changed");
	CU_ASSERT_EQUAL(rtest_Starter_send_Probe(s, NULL), 0);
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(probes_reached));
	CU_ASSERT_EQUAL(rec.starts, 1);
	CU_ASSERT_STRING_EQUAL(rec.label, "first");
	CU_ASSERT_EQUAL(rtest_Starter_send_Stop(s, &stop), 0);
	CU_ASSERT_TRUE(wait_until(stops_reached));
	CU_ASSERT_EQUAL(rec.stop_reason, 7);
	rt_system_free(sys);
}

static void
an_actor_whose_start_fails_never_handles_a_message(void)
{
	rt_system *sys = new_system(2);
	rtest_Starter_args args = { .fail_with = -42, .label = "x" };
	rtest_Starter_ref s;
	rt_stats st;

	int rc;

	CU_ASSERT_EQUAL_FATAL(rtest_Starter_spawn(sys, &args, &s), 0);
	/* Accepted while the start is pending (then a dead letter), or
	 * refused if the start has already failed. */
	rc = rtest_Starter_send_Probe(s, NULL);
	CU_ASSERT_TRUE(rc == 0 || rc == RT_ENOACTOR);
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_EQUAL(rtest_Starter_send_Probe(s, NULL), RT_ENOACTOR);
	/* After shutdown the counters are final. */
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(rec.probes, 0);
	CU_ASSERT_EQUAL(rec.stops, 0);
	CU_ASSERT_EQUAL(st.crashed, 1);
	CU_ASSERT_EQUAL(st.dead_letters, rc == 0 ? 1 : 0);
	CU_ASSERT_EQUAL(st.refused, rc == 0 ? 1 : 2);
	CU_ASSERT_TRUE(stats_balance(sys));
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(logs_reached));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log_line, "rtest.Starter"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log_line, "failed to start"));
	rt_system_free(sys);
}

static void
a_handler_error_crashes_the_actor_and_is_reported(void)
{
	rt_system *sys = new_system(2);
	rtest_Counter_ref c = spawn_counter(sys);
	rtest_Crash crash = { .code = RT_EINVAL };
	rtest_Add add = { .n = 1 };
	rt_stats st;

	CU_ASSERT_EQUAL(rtest_Counter_send_Crash(c, &crash), 0);
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(c, &add), RT_ENOACTOR);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.crashed, 1);
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(logs_reached));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log_line, "rtest.Counter"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log_line, "Crash"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log_line, rt_strerror(RT_EINVAL)));
	rt_system_free(sys);
}

static void
wait_returns_when_every_actor_has_stopped(void)
{
	rt_system *sys = new_system(2);
	rtest_Player_ref a, b;
	rtest_Counter_ref c = spawn_counter(sys);
	rtest_Stop stop = { .reason = RT_NORMAL };

	CU_ASSERT_EQUAL_FATAL(rtest_Player_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(rtest_Player_spawn(sys, NULL, &b), 0);
	/* Players never stop by themselves: shut down to end them. */
	CU_ASSERT_EQUAL(rtest_Counter_send_Stop(c, &stop), 0);
	while (rt_actor_alive(c.ref))
		sched_yield();
	CU_ASSERT_TRUE(rt_actor_alive(a.ref));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_FALSE(rt_actor_alive(a.ref));
	rt_system_free(sys);
}

static void
shutdown_stops_live_actors_and_runs_their_on_stop(void)
{
	rt_system *sys = new_system(2);
	rtest_Starter_args args = { .fail_with = 0, .label = "s" };
	rtest_Starter_ref s[3];
	rtest_Counter_ref c = spawn_counter(sys);
	rtest_Add add = { .n = 1 };
	rt_stats st;
	unsigned i;

	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL_FATAL(rtest_Starter_spawn(sys, &args, &s[i]),
		    0);
	want_u = 3;
	CU_ASSERT_TRUE(wait_until(starts_reached));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rec.stops, 3);
	CU_ASSERT_EQUAL(rec.stop_reason, RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(c, &add), RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rtest_Counter_spawn(sys, NULL, &c), RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.live, 0);
	CU_ASSERT_EQUAL(st.crashed, 0);
	/* A second shutdown is harmless. */
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(1)), 0);
	rt_system_free(sys);
}

/*
 * A thread outside the system that spawns without asking for a ref leaves
 * the actor's cell to the worker that starts it: every such actor starts,
 * runs, and is stopped by shutdown like any other, and once shutdown has
 * begun the spawn is refused.
 */
static void
spawns_without_a_ref_from_outside_start_on_the_workers(void)
{
	rt_system *sys = new_system(2);
	rtest_Starter_args args = { .fail_with = 0, .label = "n" };
	rt_stats st;
	unsigned i;

	for (i = 0; i < 2000; i++)
		CU_ASSERT_EQUAL_FATAL(rtest_Starter_spawn(sys, &args, NULL), 0);
	want_u = 2000;
	CU_ASSERT_TRUE(wait_until(starts_reached));
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_TRUE(st.live >= 2000);
	CU_ASSERT_EQUAL(st.spawned, 2000);
	CU_ASSERT_EQUAL(st.refused, 0);
	/* Spawned with and without a ref, side by side. */
	for (i = 0; i < 100; i++) {
		rtest_Starter_ref s;

		CU_ASSERT_EQUAL_FATAL(rtest_Starter_spawn(sys, &args,
					  i % 2 ? &s : NULL),
		    0);
	}
	want_u = 2100;
	CU_ASSERT_TRUE(wait_until(starts_reached));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rec.stops, 2100);
	CU_ASSERT_EQUAL(rtest_Starter_spawn(sys, &args, NULL), RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.live, 0);
	CU_ASSERT_EQUAL(st.stopped, 2100);
	rt_system_free(sys);
}

/*
 * Spawn Adders 1..n (and a BigAdder every `big`th, 0: none, and of the
 * others a MidAdder every `mid`th, 0: none, for records of two lengths)
 * from this thread, without refs. Returns how many spawns failed.
 */
static unsigned
spawn_adders(rt_system *sys, uint64_t first, uint64_t n, unsigned big,
    unsigned mid)
{
	unsigned failed = 0;
	uint64_t i;

	for (i = first; i < first + n; i++) {
		int rc;

		if (big != 0 && i % big == 0) {
			rtest_BigAdder_args b;

			b.n = b.a = b.b = b.c = b.d = b.e = b.f = b.g = i;
			b.check = ~i;
			rc = rtest_BigAdder_spawn(sys, &b, NULL);
		} else if (mid != 0 && i % mid == 0) {
			rtest_MidAdder_args m = { .n = i,
				.x = 3 * i,
				.check = ~i };

			rc = rtest_MidAdder_spawn(sys, &m, NULL);
		} else {
			rtest_Adder_args a = { .n = i, .check = ~i };

			rc = rtest_Adder_spawn(sys, &a, NULL);
		}
		failed += rc != 0;
	}
	return failed;
}

/* Every Adder from first to first + n - 1 started, once, with its own
 * arguments, since the figures in `before`. */
static void
check_adders(rt_system *sys, uint64_t first, uint64_t n, const rt_stats *before)
{
	rt_stats st;

	want_u = (unsigned)n;
	CU_ASSERT_TRUE(wait_until(adds_reached));
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	pthread_mutex_lock(&mu);
	CU_ASSERT_EQUAL(rec.adds, n);
	CU_ASSERT_EQUAL(rec.total, n * first + n * (n - 1) / 2);
	CU_ASSERT_EQUAL(adder_bad, 0);
	pthread_mutex_unlock(&mu);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.spawned - before->spawned, n);
	CU_ASSERT_EQUAL(st.stopped - before->stopped, n);
	CU_ASSERT_EQUAL(st.refused, 0);
	CU_ASSERT_EQUAL(st.live, 0);
}

/*
 * Spawns without a ref from outside go to the workers as compact records
 * while they fit the start ring, and as envelopes when they do not (the
 * ring full, arguments too big for a record): with one worker the
 * spawning thread outruns it and fills the ring many times over. Every
 * actor starts once, with its own arguments.
 */
static void
spawns_from_outside_carry_their_arguments_through_the_ring(void)
{
	unsigned workers;

	for (workers = 1; workers <= 2; workers++) {
		rt_system *sys = new_system(workers);
		rt_stats before = { 0 };

		adder_bad = 0;
		CU_ASSERT_EQUAL(spawn_adders(sys, 1, 50000, 7, 3), 0);
		check_adders(sys, 1, 50000, &before);
		/* Again, from where the ring was left. */
		rec_reset();
		CU_ASSERT_EQUAL(rt_stats_system(sys, &before), 0);
		CU_ASSERT_EQUAL(spawn_adders(sys, 1000000, 3000, 0, 3), 0);
		check_adders(sys, 1000000, 3000, &before);
		CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
		rt_system_free(sys);
	}
}

/*
 * While the only worker is held, spawns without a ref from outside wait in
 * the start ring, which grows by a segment each time the spawner fills
 * the last (200,000 records of four words: the first segment and three
 * more), and gives each back as the worker, let go, gets past it. Then
 * again with records of five words, through the segment kept as the spare
 * (the first): the last record that fits it ends a word short of its end,
 * where the first round left a word of a record, so the word that says
 * "on in the next segment" must be there. Every actor starts once, with
 * its own arguments, and the figures count each spawn and stop once.
 */
#define HELD_SPAWNS 200000

static void
spawns_wait_in_a_growing_ring_while_the_worker_is_held(void)
{
	rt_system *sys = new_system(1);
	rtest_Sleeper_ref s;
	unsigned round;

	CU_ASSERT_EQUAL_FATAL(rtest_Sleeper_spawn(sys, NULL, &s), 0);
	for (round = 0; round < 2; round++) {
		uint64_t first = 1 + round * 10000000ull;
		rt_stats before, st;
		int64_t deadline;

		rec_reset();
		adder_bad = 0;
		CU_ASSERT_EQUAL(rtest_Sleeper_send_Block(s, NULL), 0);
		CU_ASSERT_TRUE_FATAL(wait_until(is_blocked));
		CU_ASSERT_EQUAL(rt_stats_system(sys, &before), 0);
		CU_ASSERT_EQUAL(spawn_adders(sys, first, HELD_SPAWNS, 0,
				    round == 0 ? 0 : 1),
		    0);
		/* Nothing has started: the worker is in the Sleeper. */
		pthread_mutex_lock(&mu);
		CU_ASSERT_EQUAL(rec.adds, 0);
		pthread_mutex_unlock(&mu);
		RECORD(rec.release = 1);
		want_u = HELD_SPAWNS;
		CU_ASSERT_TRUE(wait_until(adds_reached));
		deadline = now_ns() + (int64_t)WAIT_LIMIT_SEC * 1000000000;
		do {
			CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
		} while (st.stopped - before.stopped < HELD_SPAWNS &&
		    now_ns() < deadline && sched_yield() == 0);
		pthread_mutex_lock(&mu);
		CU_ASSERT_EQUAL(rec.adds, HELD_SPAWNS);
		CU_ASSERT_EQUAL(rec.total,
		    HELD_SPAWNS * first +
			(uint64_t)HELD_SPAWNS * (HELD_SPAWNS - 1) / 2);
		CU_ASSERT_EQUAL(adder_bad, 0);
		pthread_mutex_unlock(&mu);
		CU_ASSERT_EQUAL(st.spawned - before.spawned, HELD_SPAWNS);
		CU_ASSERT_EQUAL(st.stopped - before.stopped, HELD_SPAWNS);
		CU_ASSERT_EQUAL(st.refused, 0);
	}
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
}

struct adder_thread {
	rt_system *sys;
	uint64_t first, n;
	unsigned failed;
};

static void *
adder_thread(void *arg)
{
	struct adder_thread *t = arg;

	t->failed = spawn_adders(t->sys, t->first, t->n, 5, 3);
	return NULL;
}

/*
 * Threads that spawn at once share the ring: a thread that finds another
 * writing a record sends its start as an envelope instead, and none is
 * lost or started twice.
 */
static void
threads_spawning_at_once_start_every_actor(void)
{
	rt_system *sys = new_system(2);
	struct adder_thread t[4];
	pthread_t tid[4];
	unsigned i;

	adder_bad = 0;
	for (i = 0; i < 4; i++) {
		t[i] = (struct adder_thread){ sys, 1 + i * 20000, 20000, 0 };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&tid[i], NULL,
					  adder_thread, &t[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		CU_ASSERT_EQUAL(t[i].failed, 0);
	}
	check_adders(sys, 1, 80000, &(rt_stats){ 0 });
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
}

/*
 * A worker kept busy by two actors bouncing a ball still gives cells to
 * the spawns without a ref that wait for one, as it takes its turn at
 * the inject queue: the actor starts while the ball is in the air.
 */
static void
spawns_without_a_ref_start_beside_a_busy_worker(void)
{
	rt_system *sys = new_system(1);
	rtest_Starter_args args = { .fail_with = 0, .label = "n" };
	rtest_Player_ref a, b;
	rtest_Ball ball = { .left = UINT32_MAX };

	CU_ASSERT_EQUAL_FATAL(rtest_Player_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(rtest_Player_spawn(sys, NULL, &b), 0);
	ball.back = b;
	CU_ASSERT_EQUAL(rtest_Player_send_Ball(a, &ball), 0);
	/* The ball in the air: the worker goes from one player to the
	 * other and never runs out of work. */
	nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	CU_ASSERT_EQUAL_FATAL(rtest_Starter_spawn(sys, &args, NULL), 0);
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(starts_reached));
	CU_ASSERT_EQUAL(rec.balls_done, 0);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
}

/*
 * A shutdown that begins while spawns without a ref wait for their cells:
 * each one either starts and is stopped, or is refused and counted; none
 * is left alive or lost.
 */
static void
shutdown_takes_the_spawns_that_wait_for_a_cell(void)
{
	rt_system *sys = new_system(2);
	rtest_Starter_args args = { .fail_with = 0, .label = "n" };
	rt_stats st;
	unsigned i;

	for (i = 0; i < 20000; i++)
		CU_ASSERT_EQUAL_FATAL(rtest_Starter_spawn(sys, &args, NULL), 0);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.live, 0);
	CU_ASSERT_EQUAL(st.spawned + st.refused, 20000);
	CU_ASSERT_EQUAL(st.stopped, st.spawned);
	CU_ASSERT_EQUAL(rec.starts, rec.stops);
	CU_ASSERT_TRUE(rec.starts <= st.spawned);
	rt_system_free(sys);
}

/*
 * The same for spawns that wait as records in the start ring (arguments
 * without strings): each one either starts, or is refused and counted.
 */
static void
shutdown_takes_the_spawns_that_wait_in_the_ring(void)
{
	rt_system *sys = new_system(2);
	rt_stats st;

	adder_bad = 0;
	CU_ASSERT_EQUAL_FATAL(spawn_adders(sys, 1, 20000, 0, 3), 0);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.live, 0);
	CU_ASSERT_EQUAL(st.spawned + st.refused, 20000);
	CU_ASSERT_EQUAL(st.stopped, st.spawned);
	pthread_mutex_lock(&mu);
	CU_ASSERT_TRUE(rec.adds <= st.spawned);
	CU_ASSERT_EQUAL(adder_bad, 0);
	pthread_mutex_unlock(&mu);
	/* Once shut down, a spawn is refused at once. */
	CU_ASSERT_EQUAL(spawn_adders(sys, 1, 1, 0, 3), 1);
	rt_system_free(sys);
}

/*
 * Once the system is shut down, whatever is sent to an actor that lived in
 * it tells the caller that the system is gone, not only that actor.
 */
static void
after_shutdown_every_send_says_the_system_is_shut_down(void)
{
	rt_system *sys = new_system(1);
	rtest_Counter_ref c = spawn_counter(sys), gone;
	rtest_Add add = { .n = 1 };
	rt_send_opts opts = { .ttl = RT_SEC(1) };
	rt_timer tm;
	rt_stats st;
	uint64_t refused;

	/* One that stopped before the shutdown began, one that it stops. */
	gone = spawn_counter(sys);
	CU_ASSERT_EQUAL(rtest_Counter_send_Stop(gone, &(rtest_Stop){ 0 }), 0);
	while (rt_actor_alive(gone.ref))
		sched_yield();
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(gone, &add), RT_ENOACTOR);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	refused = st.refused;
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(c, &add), RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(gone, &add), RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rtest_Counter_send_Add_opt(c, &add, &opts),
	    RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rtest_Counter_send_Add_after(c, &add, RT_MS(1), &tm),
	    RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rtest_Counter_send_Add_every(c, &add, RT_MS(1), &tm),
	    RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rtest_Counter_register(c, "late"), RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(rt_register(c.ref, "late"), RT_ESHUTDOWN);
	/* Each refusal is counted. */
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.refused, refused + 5);
	rt_system_free(sys);
}

static void
shutdown_reports_a_handler_that_does_not_finish_in_time(void)
{
	rt_system *sys = new_system(1);
	rtest_Sleeper_ref s;

	CU_ASSERT_EQUAL_FATAL(rtest_Sleeper_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(rtest_Sleeper_send_Block(s, NULL), 0);
	CU_ASSERT_TRUE(wait_until(is_blocked));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_MS(20)), RT_ETIMEDOUT);
	RECORD(rec.release = 1);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
}

static void
bad_arguments_return_error_codes(void)
{
	rt_config cfg;
	rtest_Counter_ref zero;
	rtest_Add add = { .n = 1 };
	rt_env *env;
	rt_stats st;

	memset(&zero, 0, sizeof(zero));
	rt_config_init(&cfg);
	cfg.workers = RT_MAX_WORKERS + 1;
	CU_ASSERT_PTR_NULL(rt_system_new(&cfg));
	CU_ASSERT_EQUAL(rtest_Counter_spawn(NULL, NULL, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(zero, &add), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_env_new(zero.ref, 0, 0, &env), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_env_send(NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_spawn_commit(NULL, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_spawn_prepare(NULL, &rtest_Counter_class, 0, &env),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_stats_system(NULL, &st), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_system_wait(NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_system_shutdown(NULL, 0), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_system_workers(NULL), 0);
	CU_ASSERT_FALSE(rt_actor_alive(zero.ref));
	CU_ASSERT_TRUE(rt_ref_is_null(rt_self(NULL)));
	CU_ASSERT_PTR_NULL(rt_ctx_system(NULL));
	rt_stop(NULL, 0);
	rt_system_free(NULL);
	rt_env_discard(NULL);
}

static void
blocking_calls_from_inside_an_actor_are_refused(void)
{
	rt_system *sys = new_system(1);
	rtest_Counter_ref c = spawn_counter(sys);
	rtest_Note note = { .text = "blocking calls",
		.code = NOTE_TRY_BLOCKING };

	CU_ASSERT_EQUAL(rtest_Counter_send_Note(c, &note), 0);
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(notes_reached));
	CU_ASSERT_EQUAL(rec.inner_wait_rc, RT_EDEADLK);
	CU_ASSERT_EQUAL(rec.inner_shutdown_rc, RT_EDEADLK);
	rt_system_free(sys);
}

static size_t
no_copy(void *dst, uint32_t tag, const void *msg)
{
	(void)dst;
	(void)tag;
	(void)msg;
	return 0;
}

static bool
no_equal(uint32_t tag, const void *a, const void *b)
{
	(void)tag;
	(void)a;
	(void)b;
	return true;
}

static void
a_class_from_another_abi_is_refused(void)
{
	rt_system *sys = new_system(1);
	rt_actor_class other = rtest_Counter_class;
	rt_child_spec child = { .name = "c",
		.cls = &rtest_Counter_class,
		.restart = RT_PERMANENT,
		.shutdown = RT_SEC(1) };
	rt_sup_spec spec = { .abi = RT_PROTOCOL_ABI,
		.name = "S",
		.strategy = RT_ONE_FOR_ONE,
		.intensity = 1,
		.period = RT_SEC(1),
		.nchildren = 1,
		.children = &child };
	rt_probe_kind kind = { &rtest_Counter_class, no_copy, no_equal };
	rt_env *env;
	rt_ref ref;

	/* What code generated for another ABI passes the runtime is
	 * refused, be it a class, a supervisor's spec, a child's class or a
	 * probe's kind: each is stamped with its generator's ABI. The same
	 * spec and kind of this ABI are taken. */
	other.abi = RT_PROTOCOL_ABI + 1;
	CU_ASSERT_EQUAL(rt_spawn_prepare(sys, &other, other.args_size, &env),
	    RT_EINVAL);
	other.abi = RT_PROTOCOL_ABI - 1;
	CU_ASSERT_EQUAL(rt_spawn_prepare(sys, &other, other.args_size, &env),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_sup_start(sys, &spec, &ref), 0);
	spec.name = "T";
	spec.abi = RT_PROTOCOL_ABI - 1;
	CU_ASSERT_EQUAL(rt_sup_start(sys, &spec, &ref), RT_EINVAL);
	spec.abi = RT_PROTOCOL_ABI;
	child.cls = &other;
	CU_ASSERT_EQUAL(rt_sup_start(sys, &spec, &ref), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_probe_spawn(sys, &kind, &ref), 0);
	kind.cls = &other;
	CU_ASSERT_EQUAL(rt_probe_spawn(sys, &kind, &ref), RT_EINVAL);
	/* Arguments smaller than the class's are refused too. */
	CU_ASSERT_EQUAL(rt_spawn_prepare(sys, &rtest_Starter_class,
			    rtest_Starter_class.args_size - 1, &env),
	    RT_EINVAL);
	rt_system_free(sys);
}

static int64_t
cpu_time_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	    ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static void
idle_workers_sleep_instead_of_spinning(void)
{
	rt_system *sys = new_system(2);
	rtest_Counter_ref c = spawn_counter(sys);
	rtest_Add add = { .n = 1 };
	struct timespec idle = { 0, 300 * 1000000 };
	int64_t before, used;

	/* Wake the workers up, then leave them with nothing to do. */
	CU_ASSERT_EQUAL(rtest_Counter_send_Add(c, &add), 0);
	want_u = 1;
	CU_ASSERT_TRUE(wait_until(adds_reached));
	before = cpu_time_ns();
	nanosleep(&idle, NULL);
	used = cpu_time_ns() - before;
	/* Two spinning workers would burn about 600 ms of CPU here; parked
	 * ones burn next to nothing (a short search before parking). */
	CU_ASSERT(used < RT_MS(60));
	if (used >= RT_MS(60))
		fprintf(stderr, "idle workers used %lld ms of CPU in 300 ms\n",
		    (long long)(used / 1000000));
	rt_system_free(sys);
}

static void
every_error_code_has_a_name(void)
{
	static const int codes[] = { RT_ENOMEM, RT_EINVAL, RT_EFULL,
		RT_ENOACTOR, RT_ETIMEDOUT, RT_ETYPE, RT_EEXIST, RT_ENOENT,
		RT_ESHUTDOWN, RT_EDEADLK, RT_EAGAIN, RT_EBADMSG, RT_ESTART,
		RT_EGAVEUP, RT_EADDRINUSE, RT_ECONNREFUSED, RT_EUNREACH,
		RT_EMFILE, RT_ECONNRESET, RT_EACCES, RT_EIO, RT_EBADF };
	unsigned i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(rt_strerror(codes[i]));
		CU_ASSERT_STRING_NOT_EQUAL(rt_strerror(codes[i]),
		    "unknown error");
	}
	CU_ASSERT_STRING_EQUAL(rt_strerror(-9999), "unknown error");
	CU_ASSERT_STRING_EQUAL(rt_strerror(0), "success");
}

static CU_TestInfo runtime_tests[] = {
	{ "a system starts the workers it is asked for",
	    a_system_starts_the_workers_it_is_asked_for },
	{ "a spawned actor handles a message sent to it",
	    a_spawned_actor_handles_a_message_sent_to_it },
	{ "strings are copied when sent", strings_are_copied_when_sent },
	{ "a message without fields can be sent as NULL",
	    a_message_without_fields_can_be_sent_as_null },
	{ "messages from one sender arrive in order",
	    messages_from_one_sender_arrive_in_order },
	{ "many senders each keep their order",
	    many_senders_each_keep_their_order },
	{ "many actors each handle their messages",
	    many_actors_each_handle_their_messages },
	{ "actors send to each other", actors_send_to_each_other },
	{ "a stopped actor refuses messages",
	    a_stopped_actor_refuses_messages },
	{ "messages queued behind a stop become dead letters",
	    messages_queued_behind_a_stop_become_dead_letters },
	{ "a stale ref never reaches the next actor in its cell",
	    a_stale_ref_never_reaches_the_next_actor_in_its_cell },
	{ "on_start gets the spawn arguments and on_stop the reason",
	    on_start_gets_the_spawn_arguments_and_on_stop_the_reason },
	{ "an actor whose start fails never handles a message",
	    an_actor_whose_start_fails_never_handles_a_message },
	{ "a handler error crashes the actor and is reported",
	    a_handler_error_crashes_the_actor_and_is_reported },
	{ "wait returns when every actor has stopped",
	    wait_returns_when_every_actor_has_stopped },
	{ "shutdown stops live actors and runs their on_stop",
	    shutdown_stops_live_actors_and_runs_their_on_stop },
	{ "after shutdown every send says the system is shut down",
	    after_shutdown_every_send_says_the_system_is_shut_down },
	{ "shutdown reports a handler that does not finish in time",
	    shutdown_reports_a_handler_that_does_not_finish_in_time },
	{ "bad arguments return error codes",
	    bad_arguments_return_error_codes },
	{ "blocking calls from inside an actor are refused",
	    blocking_calls_from_inside_an_actor_are_refused },
	{ "spawns without a ref from outside start on the workers",
	    spawns_without_a_ref_from_outside_start_on_the_workers },
	{ "spawns from outside carry their arguments through the ring",
	    spawns_from_outside_carry_their_arguments_through_the_ring },
	{ "spawns wait in a growing ring while the worker is held",
	    spawns_wait_in_a_growing_ring_while_the_worker_is_held },
	{ "threads spawning at once start every actor",
	    threads_spawning_at_once_start_every_actor },
	{ "spawns without a ref start beside a busy worker",
	    spawns_without_a_ref_start_beside_a_busy_worker },
	{ "shutdown takes the spawns that wait for a cell",
	    shutdown_takes_the_spawns_that_wait_for_a_cell },
	{ "shutdown takes the spawns that wait in the ring",
	    shutdown_takes_the_spawns_that_wait_in_the_ring },
	{ "a class from another ABI is refused",
	    a_class_from_another_abi_is_refused },
	{ "idle workers sleep instead of spinning",
	    idle_workers_sleep_instead_of_spinning },
	{ "every error code has a name", every_error_code_has_a_name },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "runtime", NULL, NULL, NULL, NULL, runtime_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
