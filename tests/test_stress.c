/* SPDX-License-Identifier: MIT */
/*
 * The runtime under load, through the generated API of tests/rtp/stress.rtp
 * and the public rt_* calls only: cells recycled while stale refs are still
 * in use, a random graph of actors passing tokens, shutdown while other
 * threads keep sending and spawning, and systems created and freed in a
 * loop. Every phase runs for a fixed time (or a fixed amount of work), so
 * the suite takes about the same time with or without sanitizers.
 *
 * Handlers and test threads share only counters updated with __atomic
 * builtins (which ThreadSanitizer understands), and the tables of refs,
 * which are published to handlers through the sends themselves.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cutest.h"
#include "stress.rtp.h"

#define WAIT_LIMIT_SEC 30

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define INC(p) __atomic_add_fetch((p), 1, __ATOMIC_ACQ_REL)

/* --- what handlers see --------------------------------------------------- */

static struct tally {
	uint64_t starts, stops;       /* Target on_start / on_stop */
	uint64_t hits_ok, hits_wrong; /* Hits for this incarnation, or not */
	uint64_t quits, crashes;      /* Quits handled, of which crashes */
	uint64_t passes;              /* Pass handled */
	uint64_t tokens_done;         /* tokens that ran out of hops */
	uint64_t tokens_cut;          /* tokens whose next send was refused */
	uint64_t pass_bad;            /* a send from a handler failed oddly */
	uint64_t log_lines;
} t;

/* Each Target's id: which incarnation a Hit is meant for. */
static uint64_t next_id;

static void
tally_reset(void)
{
	memset(&t, 0, sizeof(t));
}

/* The random graph: written by the test before any token is sent. */
#define MAX_NODES 64
static stress_Node_ref nodes[MAX_NODES];
static unsigned nnodes;

/* The gate: Hold blocks its worker until `gate_open`. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_held, gate_open;

static uint32_t
xorshift(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

int
stress_Target_on_start(stress_Target *self, rt_ctx *ctx,
    const stress_Target_args *args)
{
	(void)ctx;
	self->slot = args->slot;
	self->id = args->id;
	INC(&t.starts);
	return 0;
}

void
stress_Target_on_stop(stress_Target *self, rt_ctx *ctx, int reason)
{
	(void)self;
	(void)ctx;
	(void)reason;
	INC(&t.stops);
}

int
stress_Target_on_Hit(stress_Target *self, rt_ctx *ctx, const stress_Hit *msg)
{
	(void)ctx;
	self->hits++;
	if (msg->id == self->id && msg->slot == self->slot)
		INC(&t.hits_ok);
	else
		INC(&t.hits_wrong);
	return 0;
}

int
stress_Target_on_Quit(stress_Target *self, rt_ctx *ctx, const stress_Quit *msg)
{
	(void)self;
	INC(&t.quits);
	if (msg->reason != 0) {
		INC(&t.crashes);
		return msg->reason;
	}
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
stress_Node_on_start(stress_Node *self, rt_ctx *ctx,
    const stress_Node_args *args)
{
	(void)ctx;
	self->index = args->index;
	return 0;
}

int
stress_Node_on_Pass(stress_Node *self, rt_ctx *ctx, const stress_Pass *msg)
{
	stress_Pass next;
	uint32_t seed = msg->seed;
	int rc;

	(void)ctx;
	self->passes++;
	INC(&t.passes);
	if (msg->hops == 0) {
		INC(&t.tokens_done);
		return 0;
	}
	next.hops = msg->hops - 1;
	next.seed = xorshift(&seed);
	rc = stress_Node_send_Pass(nodes[next.seed % nnodes], &next);
	if (rc == RT_ESHUTDOWN || rc == RT_ENOACTOR)
		INC(&t.tokens_cut);
	else if (rc != 0)
		INC(&t.pass_bad);
	return 0;
}

int
stress_Gate_on_Hold(stress_Gate *self, rt_ctx *ctx, const stress_Hold *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	pthread_mutex_lock(&gate_mu);
	gate_held = 1;
	pthread_cond_broadcast(&gate_cv);
	while (!gate_open)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
	return 0;
}

static void
count_log(void *user, rt_log_level level, const char *line)
{
	(void)user;
	(void)level;
	(void)line;
	INC(&t.log_lines);
}

/* --- helpers ------------------------------------------------------------- */

static void
sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void
sleep_ms(unsigned ms)
{
	sleep_us(ms * 1000);
}

/* Wait until *p >= want; false after WAIT_LIMIT_SEC. */
static int
wait_count(uint64_t *p, uint64_t want)
{
	int64_t until = now_ns() + (int64_t)WAIT_LIMIT_SEC * 1000000000;

	while (LOAD(p) < want) {
		if (now_ns() > until)
			return 0;
		sleep_ms(1);
	}
	return 1;
}

/*
 * Keep the backlog bounded: threads outside the system can queue work far
 * faster than two workers handle it, and a test that piles up millions of
 * messages or pending starts measures the queues, not the protocol. Every
 * 64th call looks at the counters and waits (at most 20 ms) while too much
 * is pending.
 */
#define MAX_PENDING_ACTORS 2000
#define MAX_PENDING_MESSAGES 20000

static void
throttle(rt_system *sys, unsigned *tick)
{
	unsigned tries;

	if ((++*tick & 63) != 0)
		return;
	for (tries = 0; tries < 200; tries++) {
		rt_stats st;

		if (rt_stats_system(sys, &st) != 0)
			return;
		if (st.live < MAX_PENDING_ACTORS &&
		    st.sent - st.handled - st.dead_letters <
			MAX_PENDING_MESSAGES)
			return;
		sleep_us(100);
	}
}

static rt_system *
new_system(unsigned workers)
{
	rt_config cfg;
	rt_system *sys;

	rt_config_init(&cfg);
	cfg.workers = workers;
	cfg.log = count_log;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	tally_reset();
	return sys;
}

static int
spawn_target(rt_system *sys, uint32_t slot, uint64_t id, stress_Target_ref *out)
{
	stress_Target_args args = { .slot = slot, .id = id };

	return stress_Target_spawn(sys, &args, out);
}

static void
spawn_nodes(rt_system *sys, unsigned n)
{
	unsigned i;

	CU_ASSERT_FATAL(n <= MAX_NODES);
	for (i = 0; i < n; i++) {
		stress_Node_args args = { .index = i };

		CU_ASSERT_EQUAL_FATAL(stress_Node_spawn(sys, &args, &nodes[i]),
		    0);
	}
	nnodes = n;
}

/* The counters once the system is quiet: everything accepted is accounted
 * for, and every actor that started has stopped. */
static void
check_balanced(rt_system *sys, rt_stats *st)
{
	CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, st), 0);
	CU_ASSERT_EQUAL(st->sent, st->handled + st->dead_letters);
	CU_ASSERT_EQUAL(st->live, 0);
	CU_ASSERT_EQUAL(st->spawned, st->stopped);
	if (st->sent != st->handled + st->dead_letters ||
	    st->spawned != st->stopped || st->live != 0 ||
	    getenv("STRESS_VERBOSE") != NULL)
		fprintf(stderr,
		    "\n  unbalanced: spawned %lu stopped %lu live %lu sent %lu "
		    "handled %lu dead %lu refused %lu\n",
		    (unsigned long)st->spawned, (unsigned long)st->stopped,
		    (unsigned long)st->live, (unsigned long)st->sent,
		    (unsigned long)st->handled, (unsigned long)st->dead_letters,
		    (unsigned long)st->refused);
}

/* --- (a) cells recycled under stale refs --------------------------------- */

#define SLOTS 8
#define CHURN_MS 400

static struct slot {
	pthread_mutex_t mu;
	stress_Target_ref ref;
	uint64_t id;
} slots[SLOTS];

typedef struct churn_arg {
	rt_system *sys;
	uint32_t seed;
	int64_t until;
	uint64_t sends, accepted, refused, bad; /* what the thread saw */
	uint64_t spawns, quits_sent, crash_sent;
	unsigned tick;
} churn_arg;

/* Replace a slot's actor by a new one, then stop (or crash) the old one. */
static void *
churner(void *p)
{
	churn_arg *a = p;

	while (now_ns() < a->until) {
		uint32_t s = xorshift(&a->seed) % SLOTS;
		stress_Target_ref fresh, old;
		stress_Quit quit = { .reason = 0 };
		uint64_t id = INC(&next_id);
		int rc;

		throttle(a->sys, &a->tick);
		pthread_mutex_lock(&slots[s].mu);
		rc = spawn_target(a->sys, s, id, &fresh);
		if (rc != 0) {
			pthread_mutex_unlock(&slots[s].mu);
			a->bad++;
			continue;
		}
		a->spawns++;
		old = slots[s].ref;
		slots[s].ref = fresh;
		slots[s].id = id;
		pthread_mutex_unlock(&slots[s].mu);
		if (xorshift(&a->seed) % 4 == 0)
			quit.reason = 5; /* a handler error: a crash */
		rc = stress_Target_send_Quit(old, &quit);
		a->sends++;
		if (rc == 0) {
			a->accepted++;
			a->quits_sent++;
			a->crash_sent += quit.reason != 0;
		} else if (rc == RT_ENOACTOR) {
			a->refused++;
		} else {
			a->bad++;
		}
	}
	return NULL;
}

/* One Hit, and what became of it: accepted, or refused for a stopped
 * actor; anything else is wrong here. */
static void
hit_and_count(churn_arg *a, stress_Target_ref to, const stress_Hit *hit)
{
	int rc = stress_Target_send_Hit(to, hit);

	a->sends++;
	if (rc == 0)
		a->accepted++;
	else if (rc == RT_ENOACTOR)
		a->refused++;
	else
		a->bad++;
}

/* Send Hits to whatever lives in random slots, with refs that go stale. */
static void *
hitter(void *p)
{
	churn_arg *a = p;

	while (now_ns() < a->until) {
		uint32_t s = xorshift(&a->seed) % SLOTS;
		stress_Target_ref to;
		stress_Hit hit = { .slot = s };
		unsigned k, burst = 1 + xorshift(&a->seed) % 8;

		throttle(a->sys, &a->tick);
		pthread_mutex_lock(&slots[s].mu);
		to = slots[s].ref;
		hit.id = slots[s].id;
		pthread_mutex_unlock(&slots[s].mu);
		for (k = 0; k < burst; k++)
			hit_and_count(a, to, &hit);
		if (xorshift(&a->seed) % 16 == 0)
			sched_yield();
	}
	return NULL;
}

static void
a_stale_ref_never_reaches_a_later_actor_in_a_reused_cell(void)
{
	enum { CHURNERS = 2, HITTERS = 3 };
	rt_system *sys = new_system(2);
	churn_arg args[CHURNERS + HITTERS];
	pthread_t th[CHURNERS + HITTERS];
	uint64_t accepted = 0, refused = 0, bad = 0, spawns = SLOTS;
	uint64_t quits_sent = 0, crash_sent = 0;
	int64_t until = now_ns() + (int64_t)CHURN_MS * 1000000;
	rt_stats st;
	unsigned i;

	next_id = 0;
	for (i = 0; i < SLOTS; i++) {
		pthread_mutex_init(&slots[i].mu, NULL);
		slots[i].id = INC(&next_id);
		CU_ASSERT_EQUAL_FATAL(spawn_target(sys, i, slots[i].id,
					  &slots[i].ref),
		    0);
	}
	for (i = 0; i < CHURNERS + HITTERS; i++) {
		args[i] = (churn_arg){ .sys = sys,
			.seed = 7919u * (i + 1),
			.until = until };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL,
					  i < CHURNERS ? churner : hitter,
					  &args[i]),
		    0);
	}
	for (i = 0; i < CHURNERS + HITTERS; i++) {
		pthread_join(th[i], NULL);
		accepted += args[i].accepted;
		refused += args[i].refused;
		bad += args[i].bad;
		spawns += args[i].spawns;
		quits_sent += args[i].quits_sent;
		crash_sent += args[i].crash_sent;
	}
	/* Every send returned 0 or RT_ENOACTOR; every spawn succeeded. */
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(spawns > 100);
	/* Stop the actors still in their slots, then wait for them. */
	for (i = 0; i < SLOTS; i++) {
		stress_Quit quit = { .reason = 0 };

		CU_ASSERT_EQUAL(stress_Target_send_Quit(slots[i].ref, &quit),
		    0);
		accepted++;
		quits_sent++;
	}
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(WAIT_LIMIT_SEC)), 0);

	/* No Hit ever reached an incarnation it was not meant for. */
	CU_ASSERT_EQUAL(t.hits_wrong, 0);
	CU_ASSERT_TRUE(t.hits_ok > 0);
	/* Each Quit was sent to a live actor that only it stops. */
	CU_ASSERT_EQUAL(t.quits, quits_sent);
	CU_ASSERT_EQUAL(t.crashes, crash_sent);
	CU_ASSERT_EQUAL(t.starts, spawns);
	CU_ASSERT_EQUAL(t.stops, spawns);
	check_balanced(sys, &st);
	CU_ASSERT_EQUAL(st.spawned, spawns);
	CU_ASSERT_EQUAL(st.crashed, crash_sent);
	CU_ASSERT_EQUAL(st.sent, accepted);
	CU_ASSERT_EQUAL(st.refused, refused);
	CU_ASSERT_EQUAL(st.handled, t.hits_ok + t.quits);
	CU_ASSERT_EQUAL(t.log_lines, crash_sent);
	rt_system_free(sys);
	for (i = 0; i < SLOTS; i++)
		pthread_mutex_destroy(&slots[i].mu);
}

/*
 * Cells freed and handed on while other workers still run them: a crowd of
 * Targets is stopped at once while threads keep hitting every one of them.
 * A Hit that passes its generation check just before its Target exits lands
 * in a cell that no actor lives in any more; a worker runs that cell for it
 * (a dead letter) while the worker that freed the cell passes it on, to the
 * shared free list or to a new spawn. Round after round, until time is up.
 */
#define CROWD 512

static struct {
	pthread_mutex_t mu;
	stress_Target_ref ref[CROWD];
	uint64_t id[CROWD];
	int over;
} crowd = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void *
crowd_hitter(void *p)
{
	churn_arg *a = p;
	static __thread stress_Target_ref ref[CROWD];
	static __thread uint64_t id[CROWD];

	for (;;) {
		uint32_t i;

		pthread_mutex_lock(&crowd.mu);
		if (crowd.over) {
			pthread_mutex_unlock(&crowd.mu);
			return NULL;
		}
		memcpy(ref, crowd.ref, sizeof(ref));
		memcpy(id, crowd.id, sizeof(id));
		pthread_mutex_unlock(&crowd.mu);
		for (i = 0; i < CROWD; i++) {
			stress_Hit hit = { .slot = i, .id = id[i] };

			if (ref[i].ref.cell == NULL)
				break; /* before the first round */
			hit_and_count(a, ref[i], &hit);
		}
	}
}

static void
cells_are_recycled_while_late_messages_reach_them(void)
{
	enum { HITTERS = 2 };
	rt_system *sys = new_system(2);
	int64_t until = now_ns() + (int64_t)CHURN_MS * 1000000;
	churn_arg args[HITTERS];
	pthread_t th[HITTERS];
	uint64_t accepted = 0, refused = 0, bad = 0, spawns = 0;
	unsigned i, rounds = 0;
	rt_stats st;

	next_id = 0;
	crowd.over = 0;
	memset(crowd.ref, 0, sizeof(crowd.ref));
	for (i = 0; i < HITTERS; i++) {
		args[i] = (churn_arg){ .sys = sys };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, crowd_hitter,
					  &args[i]),
		    0);
	}
	while (rounds == 0 || now_ns() < until) {
		pthread_mutex_lock(&crowd.mu);
		for (i = 0; i < CROWD; i++) {
			crowd.id[i] = INC(&next_id);
			CU_ASSERT_EQUAL_FATAL(spawn_target(sys, i, crowd.id[i],
						  &crowd.ref[i]),
			    0);
		}
		pthread_mutex_unlock(&crowd.mu);
		spawns += CROWD;
		/* Hits for the live crowd first, then for a crowd that stops. */
		sleep_us(200);
		for (i = 0; i < CROWD; i++) {
			stress_Quit quit = { .reason = 0 };

			CU_ASSERT_EQUAL(stress_Target_send_Quit(crowd.ref[i],
					    &quit),
			    0);
		}
		CU_ASSERT_FATAL(wait_count(&t.stops, spawns));
		rounds++;
	}
	pthread_mutex_lock(&crowd.mu);
	crowd.over = 1;
	pthread_mutex_unlock(&crowd.mu);
	for (i = 0; i < HITTERS; i++) {
		pthread_join(th[i], NULL);
		accepted += args[i].accepted;
		refused += args[i].refused;
		bad += args[i].bad;
	}
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(WAIT_LIMIT_SEC)), 0);
	/* Every send returned 0 or RT_ENOACTOR; no Hit reached another
	 * incarnation than its own. */
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(t.hits_wrong, 0);
	CU_ASSERT_EQUAL(t.starts, spawns);
	CU_ASSERT_EQUAL(t.stops, spawns);
	CU_ASSERT_EQUAL(t.quits, spawns);
	check_balanced(sys, &st);
	CU_ASSERT_EQUAL(st.refused, refused);
	CU_ASSERT_EQUAL(st.sent, accepted + spawns);
	/* Every accepted Hit reached its own incarnation or is a dead
	 * letter: nothing else here can be one. */
	CU_ASSERT_EQUAL(st.dead_letters, accepted - t.hits_ok);
	if (getenv("STRESS_VERBOSE") != NULL)
		fprintf(stderr,
		    "\n  %u rounds of %d, hits accepted %lu, "
		    "refused %lu\n",
		    rounds, CROWD, (unsigned long)accepted,
		    (unsigned long)refused);
	rt_system_free(sys);
}

/* --- (b) a random graph with known totals -------------------------------- */

typedef struct inject_arg {
	unsigned first, count, hops;
	int failures;
} inject_arg;

static void *
injector(void *p)
{
	inject_arg *a = p;
	unsigned i;

	for (i = a->first; i < a->first + a->count; i++) {
		stress_Pass pass = { .hops = a->hops, .seed = i * 2654435761u };

		if (stress_Node_send_Pass(nodes[i % nnodes], &pass) != 0)
			a->failures++;
	}
	return NULL;
}

static void
tokens_in_a_random_graph_make_exactly_the_hops_they_were_given(void)
{
	enum { NODES = 48, INJECTORS = 3, TOKENS = 60, HOPS = 1000 };
	rt_system *sys = new_system(2);
	inject_arg args[INJECTORS];
	pthread_t th[INJECTORS];
	rt_stats st;
	unsigned i;

	spawn_nodes(sys, NODES);
	for (i = 0; i < INJECTORS; i++) {
		args[i] = (inject_arg){ .first = i * (TOKENS / INJECTORS),
			.count = TOKENS / INJECTORS,
			.hops = HOPS };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, injector,
					  &args[i]),
		    0);
	}
	for (i = 0; i < INJECTORS; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(args[i].failures, 0);
	}
	CU_ASSERT_TRUE(wait_count(&t.tokens_done, TOKENS));
	/* Nothing else is in flight: each token made HOPS sends and then
	 * stopped. Check the counters before and after shutdown. */
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.handled, (uint64_t)TOKENS * (HOPS + 1));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(WAIT_LIMIT_SEC)), 0);
	CU_ASSERT_EQUAL(t.tokens_done, TOKENS);
	CU_ASSERT_EQUAL(t.tokens_cut, 0);
	CU_ASSERT_EQUAL(t.pass_bad, 0);
	CU_ASSERT_EQUAL(t.passes, (uint64_t)TOKENS * (HOPS + 1));
	check_balanced(sys, &st);
	CU_ASSERT_EQUAL(st.sent, (uint64_t)TOKENS * (HOPS + 1));
	CU_ASSERT_EQUAL(st.handled, (uint64_t)TOKENS * (HOPS + 1));
	CU_ASSERT_EQUAL(st.dead_letters, 0);
	CU_ASSERT_EQUAL(st.refused, 0);
	CU_ASSERT_EQUAL(st.crashed, 0);
	CU_ASSERT_EQUAL(st.spawned, NODES);
	rt_system_free(sys);
}

/* --- (c) shutdown while other threads send and spawn --------------------- */

#define SINKS 16

static stress_Target_ref sinks[SINKS];
static int shutdown_done;
/* Sends accepted before shutdown began, by any of the threads below. */
static uint64_t early_accepted;

typedef struct late_arg {
	rt_system *sys;
	uint32_t seed;
	uint64_t accepted, refused, after, after_ok, bad, spawns;
	unsigned tick;
} late_arg;

static void
late_rc(late_arg *a, int rc, int after)
{
	if (rc == 0) {
		a->accepted++;
		if (!after)
			INC(&early_accepted);
	} else if (rc == RT_ENOACTOR || rc == RT_ESHUTDOWN)
		a->refused++;
	else
		a->bad++;
	if (after) {
		a->after++;
		a->after_ok += rc == 0;
	}
}

/* Send Hits until some time after shutdown has returned. */
static void *
late_sender(void *p)
{
	late_arg *a = p;

	while (a->after < 200) {
		int after = LOAD(&shutdown_done);
		uint32_t s = xorshift(&a->seed) % SINKS;
		stress_Hit hit = { .slot = s, .id = s + 1 };

		if (!after)
			throttle(a->sys, &a->tick);
		late_rc(a, stress_Target_send_Hit(sinks[s], &hit), after);
	}
	return NULL;
}

/* Spawn Targets and hit them until some time after shutdown. */
static void *
late_spawner(void *p)
{
	late_arg *a = p;

	while (a->after < 200) {
		int after = LOAD(&shutdown_done);
		stress_Target_ref r;
		stress_Hit hit = { .slot = 1000, .id = 0 };
		int rc;

		if (!after)
			throttle(a->sys, &a->tick);
		hit.id = INC(&next_id);
		rc = spawn_target(a->sys, hit.slot, hit.id, &r);
		if (rc == 0) {
			a->spawns++;
			late_rc(a, stress_Target_send_Hit(r, &hit), 0);
		} else if (rc != RT_ESHUTDOWN) {
			a->bad++;
		}
		if (after) {
			a->after++;
			a->after_ok += rc == 0;
		}
	}
	return NULL;
}

static void
shutdown_while_others_send_and_spawn_loses_nothing(void)
{
	enum { SENDERS = 3, SPAWNERS = 1, TOKENS = 8, ROUNDS = 3 };
	unsigned round;

	for (round = 0; round < ROUNDS; round++) {
		rt_system *sys = new_system(2);
		late_arg args[SENDERS + SPAWNERS];
		pthread_t th[SENDERS + SPAWNERS];
		uint64_t accepted = 0, bad = 0, after_ok = 0, spawns = SINKS;
		rt_stats st;
		unsigned i;

		next_id = 1000;
		STORE(&shutdown_done, 0);
		STORE(&early_accepted, 0);
		for (i = 0; i < SINKS; i++)
			CU_ASSERT_EQUAL_FATAL(spawn_target(sys, i, i + 1,
						  &sinks[i]),
			    0);
		/* Tokens that would circulate for ever: handlers are sending
		 * too when shutdown comes. */
		spawn_nodes(sys, 16);
		for (i = 0; i < TOKENS; i++) {
			stress_Pass pass = { .hops = 1u << 30, .seed = i + 1 };

			CU_ASSERT_EQUAL(stress_Node_send_Pass(nodes[i], &pass),
			    0);
		}
		for (i = 0; i < SENDERS + SPAWNERS; i++) {
			args[i] = (late_arg){ .sys = sys,
				.seed = 31u * (i + 1) };
			CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL,
						  i < SENDERS ? late_sender :
								late_spawner,
						  &args[i]),
			    0);
		}
		/* Let them get going, however busy the machine: shutdown
		 * must find sends in flight, not threads yet to start. */
		sleep_ms(20 + 20 * round);
		for (i = 0;
		    LOAD(&early_accepted) < 100 && i < 1000 * WAIT_LIMIT_SEC;
		    i++)
			sleep_ms(1);
		CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(WAIT_LIMIT_SEC)),
		    0);
		STORE(&shutdown_done, 1);
		for (i = 0; i < SENDERS + SPAWNERS; i++) {
			pthread_join(th[i], NULL);
			accepted += args[i].accepted;
			bad += args[i].bad;
			after_ok += args[i].after_ok;
			spawns += args[i].spawns;
		}
		/* Every send returned 0, RT_ENOACTOR or RT_ESHUTDOWN, and
		 * nothing begun after shutdown returned was accepted. */
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(after_ok, 0);
		CU_ASSERT_TRUE(accepted > 0);
		CU_ASSERT_EQUAL(t.hits_wrong, 0);
		CU_ASSERT_EQUAL(t.pass_bad, 0);
		CU_ASSERT_TRUE(t.tokens_cut <= TOKENS);
		CU_ASSERT_EQUAL(t.starts, t.stops);
		check_balanced(sys, &st);
		CU_ASSERT_EQUAL(st.spawned, spawns + 16);
		CU_ASSERT_EQUAL(st.crashed, 0);
		rt_system_free(sys);
	}
}

typedef struct shut_arg {
	rt_system *sys;
	int rc;
} shut_arg;

static void *
shutter(void *p)
{
	shut_arg *a = p;

	a->rc = rt_system_shutdown(a->sys, RT_SEC(WAIT_LIMIT_SEC));
	return NULL;
}

static void
messages_still_queued_when_the_last_actor_stops_become_dead_letters(void)
{
	enum { QUEUED = 100000 };
	rt_system *sys = new_system(1);
	stress_Gate_ref g;
	stress_Target_ref tg;
	stress_Hit hit = { .slot = 0, .id = 1 };
	shut_arg sh = { sys, -1 };
	pthread_t th;
	rt_stats st;
	unsigned i;

	gate_held = gate_open = 0;
	CU_ASSERT_EQUAL_FATAL(stress_Gate_spawn(sys, NULL, &g), 0);
	CU_ASSERT_EQUAL_FATAL(spawn_target(sys, 0, 1, &tg), 0);
	/* Hold the only worker; queue far more than one run's batch. */
	CU_ASSERT_EQUAL(stress_Gate_send_Hold(g, NULL), 0);
	pthread_mutex_lock(&gate_mu);
	while (!gate_held)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
	for (i = 0; i < QUEUED; i++)
		CU_ASSERT_EQUAL_FATAL(stress_Target_send_Hit(tg, &hit), 0);
	/* Shut down from another thread while the worker is held, then let
	 * it go: both actors stop, and the Hits must all be dead letters. */
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, shutter, &sh), 0);
	sleep_ms(20);
	pthread_mutex_lock(&gate_mu);
	gate_open = 1;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(sh.rc, 0);
	CU_ASSERT_EQUAL(t.hits_ok + t.hits_wrong, 0);
	check_balanced(sys, &st);
	if (getenv("STRESS_VERBOSE"))
		fprintf(stderr, "\n  sent %lu handled %lu dead %lu\n",
		    (unsigned long)st.sent, (unsigned long)st.handled,
		    (unsigned long)st.dead_letters);
	CU_ASSERT_EQUAL(st.handled, 1);
	CU_ASSERT_EQUAL(st.dead_letters, QUEUED);
	rt_system_free(sys);
}

/* --- (d) systems created and freed in a loop ----------------------------- */

static void
systems_come_and_go_with_traffic_in_flight(void)
{
	enum { ROUNDS = 30 };
	unsigned round;

	for (round = 0; round < ROUNDS; round++) {
		rt_system *sys = new_system(1 + round % 3);
		stress_Target_ref tg[4];
		unsigned i;

		spawn_nodes(sys, 8);
		for (i = 0; i < 4; i++) {
			stress_Pass pass = { .hops = 200,
				.seed = round * 4 + i };

			CU_ASSERT_EQUAL(stress_Node_send_Pass(nodes[i], &pass),
			    0);
			CU_ASSERT_EQUAL(spawn_target(sys, i, i + 1, &tg[i]), 0);
		}
		for (i = 0; i < 64; i++) {
			stress_Hit hit = { .slot = i % 4, .id = i % 4 + 1 };

			CU_ASSERT_EQUAL(stress_Target_send_Hit(tg[i % 4], &hit),
			    0);
		}
		if (round % 3 == 0) {
			rt_stats st;

			/* Let the tokens and Hits finish, then shut down
			 * cleanly: nothing is left to become a dead letter. */
			CU_ASSERT_TRUE(wait_count(&t.tokens_done, 4));
			CU_ASSERT_TRUE(wait_count(&t.hits_ok, 64));
			CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
			check_balanced(sys, &st);
			CU_ASSERT_EQUAL(st.dead_letters, 0);
		} else if (round % 3 == 1) {
			rt_stats st;

			/* Shut down with the tokens still moving. */
			CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
			check_balanced(sys, &st);
		}
		/* Otherwise rt_system_free does the shutdown itself. */
		rt_system_free(sys);
		CU_ASSERT_EQUAL(t.hits_wrong, 0);
		CU_ASSERT_EQUAL(t.pass_bad, 0);
	}
}

static CU_TestInfo stress_tests[] = {
	{ "a stale ref never reaches a later actor in a reused cell",
	    a_stale_ref_never_reaches_a_later_actor_in_a_reused_cell },
	{ "cells are recycled while late messages reach them",
	    cells_are_recycled_while_late_messages_reach_them },
	{ "tokens in a random graph make exactly the hops they were given",
	    tokens_in_a_random_graph_make_exactly_the_hops_they_were_given },
	{ "shutdown while others send and spawn loses nothing",
	    shutdown_while_others_send_and_spawn_loses_nothing },
	{ "messages still queued when the last actor stops become dead letters",
	    messages_still_queued_when_the_last_actor_stops_become_dead_letters },
	{ "systems come and go with traffic in flight",
	    systems_come_and_go_with_traffic_in_flight },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "stress", NULL, NULL, NULL, NULL, stress_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
