/* SPDX-License-Identifier: MIT */
/*
 * The scheduler, through the generated API of tests/rtp/sched.rtp: a
 * flooded actor does not starve the others, runnable actors spread over the
 * workers, two actors bouncing a message do not monopolise a worker, an
 * actor never runs on two threads at once; what a busy worker keeps for
 * itself (a lone cell, a producer its backpressure released) is taken by
 * another worker once it has waited, a plain thread's call is answered
 * while the awake worker is busy, and rt_stats counts steals.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cutest.h"
#include "sched.rtp.h"

#define WAIT_LIMIT_SEC 20

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_ACQ_REL)

static struct {
	uint32_t busy_done;    /* Work items Busy has handled */
	uint32_t busy_at_poke; /* ... when Witness was poked */
	uint32_t poked;
	uint32_t inside[2]; /* Meeters inside their handler */
	uint32_t met;       /* Meeters that saw the other inside */
	uint32_t bounces;
	uint32_t overlaps; /* Single handlers that overlapped */
	uint32_t single_done;
	uint32_t gate_held, gate_open;
	uint32_t flooded;  /* Flooder's More handlers run */
	uint32_t holding;  /* Holder is in its handler */
	uint32_t held_out; /* ... and saw Flooder run again */
	uint32_t marked;   /* Marks run */
	uint32_t spread;   /* ... of them while Spreader held its worker */
} g;

/* The actors the handlers below send to. */
static sched_Meeter_ref meeter[2];
static sched_Sink_ref sink;
static sched_Holder_ref holder;
/* The Marks Spreader makes runnable: all but the last wait in its
 * worker's run queue. */
#define SPREAD 9
static sched_Mark_ref marks[SPREAD];

/* Items Flooder sends in one handler: past the Sink's bound of 4. */
#define FLOOD_ITEMS 6

/* Spin until *p >= v or the limit passes; true if reached. */
static int
wait_for(uint32_t *p, uint32_t v)
{
	int64_t until = now_ns() + (int64_t)WAIT_LIMIT_SEC * 1000000000;

	while (LOAD(p) < v) {
		if (now_ns() > until)
			return 0;
		sched_yield();
	}
	return 1;
}

/* --- handlers ------------------------------------------------------------ */

int
sched_Busy_on_Work(sched_Busy *self, rt_ctx *ctx, const sched_Work *msg)
{
	(void)ctx;
	(void)msg;
	self->done++;
	STORE(&g.busy_done, self->done);
	return 0;
}

int
sched_Witness_on_Poke(sched_Witness *self, rt_ctx *ctx, const sched_Poke *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	STORE(&g.busy_at_poke, LOAD(&g.busy_done));
	STORE(&g.poked, 1);
	return 0;
}

int
sched_Meeter_on_Meet(sched_Meeter *self, rt_ctx *ctx, const sched_Meet *msg)
{
	uint32_t other = 1 - msg->who;
	int64_t until = now_ns() + (int64_t)WAIT_LIMIT_SEC * 1000000000;

	(void)self;
	(void)ctx;
	STORE(&g.inside[msg->who], 1);
	/* Only another worker can bring the other Meeter in. */
	while (!LOAD(&g.inside[other]) && now_ns() < until)
		;
	if (LOAD(&g.inside[other]))
		ADD(&g.met, 1);
	return 0;
}

int
sched_Bouncer_on_Bounce(sched_Bouncer *self, rt_ctx *ctx,
    const sched_Bounce *msg)
{
	sched_Bounce next = { .peer = { rt_self(ctx) }, .left = msg->left - 1 };

	self->hits++;
	ADD(&g.bounces, 1);
	if (msg->left == 0)
		return 0;
	return sched_Bouncer_send_Bounce(msg->peer, &next);
}

int
sched_Single_on_Work(sched_Single *self, rt_ctx *ctx, const sched_Work *msg)
{
	unsigned spin;

	(void)ctx;
	(void)msg;
	/* A plain flag: if two threads ever ran this actor at once, one
	 * would find the other's mark (and TSan would report the race). */
	if (self->inside)
		ADD(&g.overlaps, 1);
	self->inside = 1;
	for (spin = 0; spin < 200; spin++)
		__asm__ volatile("" ::: "memory");
	self->inside = 0;
	self->seen++;
	ADD(&g.single_done, 1);
	return 0;
}

int
sched_Gate_on_Hold(sched_Gate *self, rt_ctx *ctx, const sched_Hold *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	STORE(&g.gate_held, 1);
	while (!LOAD(&g.gate_open))
		sched_yield();
	return 0;
}

int
sched_Starter_on_Go(sched_Starter *self, rt_ctx *ctx, const sched_Go *msg)
{
	sched_Meet ma = { .who = 0 }, mb = { .who = 1 };

	(void)self;
	(void)ctx;
	(void)msg;
	/* The first goes to this worker's next slot, the second takes the
	 * slot and moves the first to the run queue, alone there. */
	if (sched_Meeter_send_Meet(meeter[0], &ma) != 0)
		return RT_EINVAL;
	return sched_Meeter_send_Meet(meeter[1], &mb);
}

int
sched_Spreader_on_Go(sched_Spreader *self, rt_ctx *ctx, const sched_Go *msg)
{
	int64_t until = now_ns() + (int64_t)WAIT_LIMIT_SEC * 1000000000;
	unsigned i;

	(void)self;
	(void)ctx;
	(void)msg;
	for (i = 0; i < SPREAD; i++)
		if (sched_Mark_send_Poke(marks[i], NULL) != 0)
			return RT_EINVAL;
	/* The last one is in the next slot, which nobody takes. */
	while (LOAD(&g.marked) < SPREAD - 1 && now_ns() < until)
		;
	STORE(&g.spread, LOAD(&g.marked));
	return 0;
}

int
sched_Mark_on_Poke(sched_Mark *self, rt_ctx *ctx, const sched_Poke *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	ADD(&g.marked, 1);
	return 0;
}

int
sched_Flooder_on_Go(sched_Flooder *self, rt_ctx *ctx, const sched_Go *msg)
{
	sched_Flooder_ref me = { rt_self(ctx) };
	unsigned i;

	(void)self;
	(void)msg;
	/* Sink runs next on this worker, after this handler: when it
	 * returns, the Sink holds more than its bound, and Flooder is
	 * muted with More waiting. */
	for (i = 0; i < FLOOD_ITEMS; i++) {
		sched_Work w = { .n = i };

		if (sched_Sink_send_Work(sink, &w) != 0)
			return RT_EINVAL;
	}
	return sched_Flooder_send_More(me, NULL);
}

int
sched_Flooder_on_More(sched_Flooder *self, rt_ctx *ctx, const sched_More *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	ADD(&g.flooded, 1);
	return 0;
}

int
sched_Sink_on_Work(sched_Sink *self, rt_ctx *ctx, const sched_Work *msg)
{
	(void)self;
	(void)ctx;
	/* The last item: Holder takes this worker's next slot. The room
	 * made when this run ends releases Flooder onto this worker. */
	if (msg->n == FLOOD_ITEMS - 1)
		return sched_Holder_send_Hold(holder, NULL);
	return 0;
}

int
sched_Holder_on_Hold(sched_Holder *self, rt_ctx *ctx, const sched_Hold *msg)
{
	int64_t until = now_ns() + (int64_t)WAIT_LIMIT_SEC * 1000000000;

	(void)self;
	(void)ctx;
	(void)msg;
	STORE(&g.holding, 1);
	/* Flooder waits in this worker's queue: only a thief can run it. */
	while (!LOAD(&g.flooded) && now_ns() < until)
		;
	if (LOAD(&g.flooded))
		STORE(&g.held_out, 1);
	return 0;
}

int
sched_Echoer_on_Echo(sched_Echoer *self, rt_ctx *ctx, const sched_Echo *req,
    sched_Echoed *reply)
{
	(void)self;
	(void)ctx;
	reply->n = req->n;
	return 0;
}

/* --- helpers ------------------------------------------------------------- */

static rt_system *
new_system(unsigned workers)
{
	rt_config cfg;
	rt_system *sys;

	rt_config_init(&cfg);
	cfg.workers = workers;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	memset(&g, 0, sizeof(g));
	return sys;
}

/* --- tests --------------------------------------------------------------- */

static void
a_flooded_actor_does_not_starve_the_others(void)
{
	enum { FLOOD = 20000 };
	rt_system *sys = new_system(1);
	sched_Gate_ref gate;
	sched_Busy_ref busy;
	sched_Witness_ref wit;
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(sched_Gate_spawn(sys, NULL, &gate), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Busy_spawn(sys, NULL, &busy), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Witness_spawn(sys, NULL, &wit), 0);
	CU_ASSERT_EQUAL(sched_Gate_send_Hold(gate, NULL), 0);
	CU_ASSERT_TRUE_FATAL(wait_for(&g.gate_held, 1));
	/* Busy's whole flood is queued before Witness's one message. */
	for (i = 0; i < FLOOD; i++) {
		sched_Work w = { .n = i };

		CU_ASSERT_EQUAL_FATAL(sched_Busy_send_Work(busy, &w), 0);
	}
	CU_ASSERT_EQUAL(sched_Witness_send_Poke(wit, NULL), 0);
	STORE(&g.gate_open, 1);
	CU_ASSERT_TRUE(wait_for(&g.poked, 1));
	CU_ASSERT_TRUE(wait_for(&g.busy_done, FLOOD));
	/* Busy yielded after a batch: Witness ran long before the end. */
	CU_ASSERT(LOAD(&g.busy_at_poke) < FLOOD / 2);
	rt_system_free(sys);
}

static void
runnable_actors_spread_over_the_workers(void)
{
	rt_system *sys = new_system(2);
	sched_Meeter_ref a, b;
	sched_Meet ma = { .who = 0 }, mb = { .who = 1 };

	CU_ASSERT_EQUAL_FATAL(sched_Meeter_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Meeter_spawn(sys, NULL, &b), 0);
	CU_ASSERT_EQUAL(sched_Meeter_send_Meet(a, &ma), 0);
	CU_ASSERT_EQUAL(sched_Meeter_send_Meet(b, &mb), 0);
	/* Each waits inside its handler for the other: they meet only if
	 * the second worker was woken and took the second actor. */
	CU_ASSERT_TRUE(wait_for(&g.met, 2));
	rt_system_free(sys);
}

static void
bouncing_actors_do_not_monopolise_a_worker(void)
{
	rt_system *sys = new_system(1);
	sched_Bouncer_ref a, b;
	sched_Witness_ref wit;
	sched_Bounce ball;
	uint32_t at_poke;

	CU_ASSERT_EQUAL_FATAL(sched_Bouncer_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Bouncer_spawn(sys, NULL, &b), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Witness_spawn(sys, NULL, &wit), 0);
	ball.peer = b;
	ball.left = 2000000;
	CU_ASSERT_EQUAL(sched_Bouncer_send_Bounce(a, &ball), 0);
	CU_ASSERT_TRUE(wait_for(&g.bounces, 1000));
	CU_ASSERT_EQUAL(sched_Witness_send_Poke(wit, NULL), 0);
	CU_ASSERT_TRUE(wait_for(&g.poked, 1));
	at_poke = LOAD(&g.bounces);
	/* The poke got its turn while the ball was still in play. */
	CU_ASSERT(at_poke < 2000000);
	rt_system_free(sys);
}

typedef struct single_arg {
	sched_Single_ref to;
	unsigned count;
} single_arg;

static void *
single_sender(void *p)
{
	single_arg *a = p;
	unsigned i;

	for (i = 0; i < a->count; i++) {
		sched_Work w = { .n = i };

		sched_Single_send_Work(a->to, &w);
	}
	return NULL;
}

static void
an_actor_never_runs_on_two_threads_at_once(void)
{
	enum { SENDERS = 3, EACH = 5000 };
	rt_system *sys = new_system(2);
	sched_Single_ref s;
	single_arg arg;
	pthread_t th[SENDERS];
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(sched_Single_spawn(sys, NULL, &s), 0);
	arg.to = s;
	arg.count = EACH;
	for (i = 0; i < SENDERS; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL,
					  single_sender, &arg),
		    0);
	for (i = 0; i < SENDERS; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_TRUE(wait_for(&g.single_done, SENDERS * EACH));
	CU_ASSERT_EQUAL(LOAD(&g.overlaps), 0);
	rt_system_free(sys);
}

static uint64_t
steals_of(rt_system *sys)
{
	rt_stats st;

	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT(st.migrations <= st.handled);
	return st.steals;
}

static void
a_cell_left_behind_a_long_handler_is_stolen(void)
{
	rt_system *sys = new_system(2);
	sched_Starter_ref s;

	CU_ASSERT_EQUAL_FATAL(sched_Meeter_spawn(sys, NULL, &meeter[0]), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Meeter_spawn(sys, NULL, &meeter[1]), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Starter_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(sched_Starter_send_Go(s, NULL), 0);
	/* The Meeter in the next slot waits in its handler for the one in
	 * the queue, which nobody woke a worker for. */
	CU_ASSERT_TRUE(wait_for(&g.met, 2));
	CU_ASSERT(steals_of(sys) >= 1);
	rt_system_free(sys);
}

static void
a_released_producer_is_stolen_once_it_has_waited(void)
{
	rt_system *sys = new_system(2);
	sched_Flooder_ref f;

	CU_ASSERT_EQUAL_FATAL(sched_Sink_spawn(sys, NULL, &sink), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Holder_spawn(sys, NULL, &holder), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Flooder_spawn(sys, NULL, &f), 0);
	CU_ASSERT_EQUAL(sched_Flooder_send_Go(f, NULL), 0);
	/* Flooder is pinned behind Holder, which holds their worker until
	 * Flooder has run: the other worker must take it. */
	CU_ASSERT_TRUE(wait_for(&g.holding, 1));
	CU_ASSERT_TRUE(wait_for(&g.held_out, 1));
	CU_ASSERT_EQUAL(LOAD(&g.flooded), 1);
	CU_ASSERT(steals_of(sys) >= 1);
	rt_system_free(sys);
}

/* An Echoer, and a Gate holding one worker until g.gate_open. */
static sched_Echoer_ref
echoer_beside_a_held_gate(rt_system *sys)
{
	sched_Gate_ref gate;
	sched_Echoer_ref e = { { 0 } };

	CU_ASSERT_EQUAL(sched_Gate_spawn(sys, NULL, &gate), 0);
	CU_ASSERT_EQUAL(sched_Echoer_spawn(sys, NULL, &e), 0);
	CU_ASSERT_EQUAL(sched_Gate_send_Hold(gate, NULL), 0);
	CU_ASSERT_TRUE(wait_for(&g.gate_held, 1));
	return e;
}

static void
a_call_is_answered_while_the_awake_worker_is_busy(void)
{
	rt_system *sys = new_system(2);
	sched_Echoer_ref e = echoer_beside_a_held_gate(sys);
	sched_Echoed out = { 0 };
	unsigned i;

	/* One worker is awake and held: a call's send wakes nobody then,
	 * and the caller must wake the other when the answer is late. */
	for (i = 1; i <= 20; i++) {
		int rc = sched_Echoer_call_Echo(sys, e, &(sched_Echo){ .n = i },
		    &out, RT_SEC(10));

		CU_ASSERT_EQUAL(rc, 0);
		if (rc != 0)
			break;
		CU_ASSERT_EQUAL(out.n, i);
		/* Let the other worker go back to sleep now and then. */
		if (i % 5 == 0) {
			struct timespec pause = { 0, 5000000 };

			nanosleep(&pause, NULL);
		}
	}
	CU_ASSERT_EQUAL(LOAD(&g.gate_open), 0);
	STORE(&g.gate_open, 1);
	rt_system_free(sys);
}

static void
a_call_that_times_out_gets_its_answer_as_a_dead_letter(void)
{
	rt_system *sys = new_system(1);
	sched_Echoer_ref e = echoer_beside_a_held_gate(sys);
	sched_Echoed out = { 0 };
	rt_stats st;
	time_t deadline;

	/* The only worker is held: the caller spins, sleeps, and gives up. */
	CU_ASSERT_EQUAL(sched_Echoer_call_Echo(sys, e, &(sched_Echo){ .n = 7 },
			    &out, RT_MS(50)),
	    RT_ETIMEDOUT);
	STORE(&g.gate_open, 1);
	/* The answer comes after all, and is counted, not lost. */
	deadline = time(NULL) + WAIT_LIMIT_SEC;
	do {
		CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	} while (st.dead_letters == 0 && time(NULL) < deadline &&
	    sched_yield() == 0);
	CU_ASSERT_EQUAL(st.dead_letters, 1);
	CU_ASSERT_EQUAL(out.n, 0);
	rt_system_free(sys);
}

static void
the_cells_queued_behind_a_long_handler_are_all_taken(void)
{
	rt_system *sys = new_system(2);
	sched_Spreader_ref s;
	unsigned i;

	for (i = 0; i < SPREAD; i++)
		CU_ASSERT_EQUAL_FATAL(sched_Mark_spawn(sys, NULL, &marks[i]),
		    0);
	CU_ASSERT_EQUAL_FATAL(sched_Spreader_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(sched_Spreader_send_Go(s, NULL), 0);
	/* The thief takes them in batches of up to half the queue; the
	 * ones beyond the first wait in its own queue, from where it (or
	 * another thief) runs them. */
	CU_ASSERT_TRUE(wait_for(&g.marked, SPREAD));
	CU_ASSERT_EQUAL(LOAD(&g.spread), SPREAD - 1);
	CU_ASSERT(steals_of(sys) >= SPREAD - 1);
	rt_system_free(sys);
}

static void
one_worker_steals_nothing(void)
{
	rt_system *sys = new_system(1);
	sched_Bouncer_ref a, b;
	sched_Bounce ball;
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(sched_Bouncer_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(sched_Bouncer_spawn(sys, NULL, &b), 0);
	ball.peer = b;
	ball.left = 1000;
	CU_ASSERT_EQUAL(sched_Bouncer_send_Bounce(a, &ball), 0);
	CU_ASSERT_TRUE(wait_for(&g.bounces, 1001));
	/* The counters are exact once the system is quiet. */
	do {
		CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	} while (st.handled < 1001 && sched_yield() == 0);
	CU_ASSERT_EQUAL(st.handled, 1001);
	CU_ASSERT_EQUAL(st.steals, 0);
	CU_ASSERT_EQUAL(st.migrations, 0);
	rt_system_free(sys);
}

/* --- a crowded machine ----------------------------------------------------- */

/* Threads that keep every CPU busy until told to stop. */
static uint32_t spin_stop;

static void *
spinner(void *arg)
{
	(void)arg;
	while (!LOAD(&spin_stop))
		;
	return NULL;
}

/*
 * With every CPU taken by spinning threads, main sends rounds of work to
 * 64 actors for CROWD_RUN_NS; returns what the system counted. `workers`
 * workers; every message must be handled.
 */
#define CROWD_RUN_NS 400000000

static void
crowded_run(unsigned workers, rt_stats *st)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t spin[64];
	sched_Busy_ref busy[64];
	rt_system *sys = new_system(workers);
	uint64_t sent = 0, failed = 0;
	int64_t until;
	long i, nspin = ncpu < 1 ? 1 : ncpu > 64 ? 64 : ncpu;

	for (i = 0; i < 64; i++)
		CU_ASSERT_EQUAL_FATAL(sched_Busy_spawn(sys, NULL, &busy[i]), 0);
	STORE(&spin_stop, 0);
	for (i = 0; i < nspin; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&spin[i], NULL, spinner,
					  NULL),
		    0);
	until = now_ns() + CROWD_RUN_NS;
	while (now_ns() < until) {
		rt_stats now;

		for (i = 0; i < 64; i++) {
			sched_Work w = { .n = (uint32_t)i };

			failed += sched_Busy_send_Work(busy[i], &w) != 0;
			sent++;
		}
		/* At most about 20,000 messages waiting, so that memory
		 * stays small whatever the workers get of the CPUs. */
		CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &now), 0);
		if (now.sent - now.handled > 20000) {
			struct timespec pause = { 0, 100000 };

			nanosleep(&pause, NULL);
		}
	}
	STORE(&spin_stop, 1);
	for (i = 0; i < nspin; i++)
		pthread_join(spin[i], NULL);
	CU_ASSERT_EQUAL(failed, 0);
	/* Everything is handled, the crowding over or not. */
	until = now_ns() + (int64_t)WAIT_LIMIT_SEC * 1000000000;
	do {
		CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, st), 0);
	} while (st->handled < sent && now_ns() < until && sched_yield() == 0);
	CU_ASSERT_EQUAL(st->handled, sent);
	CU_ASSERT_EQUAL(st->dead_letters, 0);
	rt_system_free(sys);
}

static bool
run_delay_readable(void)
{
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	unsigned long long cpu, delay;
	bool ok = f != NULL && fscanf(f, "%llu %llu", &cpu, &delay) == 2;

	if (f != NULL)
		fclose(f);
	return ok;
}

static void
a_crowded_machine_has_workers_yield(void)
{
	rt_stats st;

	if (!run_delay_readable()) {
		fprintf(stderr, "(no /proc/thread-self/schedstat: skipped) ");
		return;
	}
	crowded_run(2, &st);
	/* A worker waited for a CPU most of the time: one of the two left
	 * the work to the other now and then. */
	CU_ASSERT(st.yields > 0);
}

static void
the_last_worker_awake_never_yields(void)
{
	rt_stats st;

	crowded_run(1, &st);
	CU_ASSERT_EQUAL(st.yields, 0);
}

static CU_TestInfo sched_tests[] = {
	{ "a flooded actor does not starve the others",
	    a_flooded_actor_does_not_starve_the_others },
	{ "runnable actors spread over the workers",
	    runnable_actors_spread_over_the_workers },
	{ "bouncing actors do not monopolise a worker",
	    bouncing_actors_do_not_monopolise_a_worker },
	{ "an actor never runs on two threads at once",
	    an_actor_never_runs_on_two_threads_at_once },
	{ "a cell left behind a long handler is stolen",
	    a_cell_left_behind_a_long_handler_is_stolen },
	{ "a released producer is stolen once it has waited",
	    a_released_producer_is_stolen_once_it_has_waited },
	{ "a call is answered while the awake worker is busy",
	    a_call_is_answered_while_the_awake_worker_is_busy },
	{ "a call that times out gets its answer as a dead letter",
	    a_call_that_times_out_gets_its_answer_as_a_dead_letter },
	{ "the cells queued behind a long handler are all taken",
	    the_cells_queued_behind_a_long_handler_are_all_taken },
	{ "one worker steals nothing", one_worker_steals_nothing },
	{ "a crowded machine has workers yield",
	    a_crowded_machine_has_workers_yield },
	{ "the last worker awake never yields",
	    the_last_worker_awake_never_yields },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "sched", NULL, NULL, NULL, NULL, sched_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
