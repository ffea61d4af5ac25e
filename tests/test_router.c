/* SPDX-License-Identifier: MIT */
/*
 * Pools and their routers through the generated API (tests/rtp/router.rtp):
 * which member each message reaches, by route. Most run on test systems
 * (rt/test.h), where nothing runs until the test says so, so every count
 * is exact; least_loaded against a member stuck in its handler, and a
 * blocking call, need real workers.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rt/test.h>

#include "cutest.h"
#include "router.rtp.h"

#define MAXM 8

/* What the members saw. Handlers on real workers write under `lock`. */
static struct {
	rt_ref pool;           /* the pool whose members are counted */
	unsigned got[MAXM];    /* messages handled, by member index */
	unsigned starts[MAXM]; /* on_starts, by member index */
	unsigned order[512];   /* the member of the n-th Job (by its n) */
	int key_member[128];   /* the member each key went to, -1: none */
	unsigned tags[MAXM];
	unsigned replies;
	unsigned answered[MAXM]; /* replies, by the member that answered */
	int reply_status;
	/* Block: the member stuck in it, and the test's release. */
	bool blocked, release;
	unsigned blocked_index;
} rec;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

static void
reset(void)
{
	memset(&rec, 0, sizeof(rec));
	memset(rec.key_member, 0xff, sizeof(rec.key_member));
}

/* The index of the member `self` in rec.pool, or MAXM. */
static unsigned
index_of(rt_ref self)
{
	unsigned i;
	rt_ref m;

	for (i = 0; i < MAXM; i++)
		if (rt_pool_member(rec.pool, i, &m) == 0 &&
		    m.cell == self.cell && m.gen == self.gen)
			return i;
	return MAXM;
}

int
rr_Worker_on_start(rr_Worker *self, rt_ctx *ctx, const rr_Worker_args *args)
{
	unsigned i = index_of(rt_self(ctx));

	(void)self;
	(void)args;
	pthread_mutex_lock(&lock);
	if (i < MAXM)
		rec.starts[i]++;
	pthread_mutex_unlock(&lock);
	return 0;
}

int
rr_Worker_on_Job(rr_Worker *self, rt_ctx *ctx, const rr_Job *msg)
{
	unsigned i = index_of(rt_self(ctx));

	(void)self;
	pthread_mutex_lock(&lock);
	if (i < MAXM)
		rec.got[i]++;
	if (msg->n < 512)
		rec.order[msg->n] = i;
	if (msg->key < 128)
		rec.key_member[msg->key] = (int)i;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return 0;
}

int
rr_Worker_on_Crash(rr_Worker *self, rt_ctx *ctx, const rr_Crash *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return RT_EINVAL; /* a crash: the member is restarted */
}

int
rr_Worker_on_Block(rr_Worker *self, rt_ctx *ctx, const rr_Block *msg)
{
	unsigned i = index_of(rt_self(ctx));

	(void)self;
	(void)msg;
	pthread_mutex_lock(&lock);
	if (i < MAXM)
		rec.got[i]++;
	rec.blocked = true;
	rec.blocked_index = i;
	pthread_cond_broadcast(&cond);
	while (!rec.release)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return 0;
}

int
rr_Worker_on_Who(rr_Worker *self, rt_ctx *ctx, const rr_Who *req,
    rr_Member *reply)
{
	(void)self;
	(void)req;
	reply->index = index_of(rt_self(ctx));
	return 0;
}

int
rr_Namer_on_Tag(rr_Namer *self, rt_ctx *ctx, const rr_Tag *msg)
{
	unsigned i = index_of(rt_self(ctx));

	(void)self;
	(void)msg;
	if (i < MAXM)
		rec.tags[i]++;
	return 0;
}

/* The pool the Asker asks through (set by the test). */
static rr_Turns_ref ask_pool;

int
rr_Asker_on_Go(rr_Asker *self, rt_ctx *ctx, const rr_Go *msg)
{
	uint32_t k;

	(void)self;
	for (k = 0; k < msg->times; k++)
		if (rr_Turns_ask_Who(ctx, ask_pool, (&(rr_Who){ .key = k }),
			RT_SEC(5)) < 0)
			return RT_EINVAL;
	return 0;
}

int
rr_Asker_on_Who_reply(rr_Asker *self, rt_ctx *ctx, rt_corr id, int status,
    const rr_Member *reply)
{
	(void)self;
	(void)ctx;
	(void)id;
	if (status != 0)
		rec.reply_status = status;
	else if (reply->index < MAXM)
		rec.answered[reply->index]++;
	rec.replies++;
	return 0;
}

/* The pool the Spreaders send through (set by the test). */
static rr_Turns_ref spread_pool;

int
rr_Spreader_on_Go(rr_Spreader *self, rt_ctx *ctx, const rr_Go *msg)
{
	uint32_t k;

	(void)self;
	(void)ctx;
	for (k = 0; k < msg->times; k++)
		if (rr_Turns_send_Job(spread_pool,
			(&(rr_Job){ .key = 1000, .n = msg->first + k })) != 0)
			return RT_EINVAL;
	return 0;
}

static rt_system *
test_system(void)
{
	rt_config cfg;

	rt_config_init(&cfg);
	cfg.log_level = RT_LOG_OFF;
	return rt_test_system_new(&cfg);
}

/* A pool just started on test system sys (r: its start's result, *pool:
 * its ref): its members count from now on, and their starts run. */
static void
started(rt_system *sys, int r, const rt_ref *pool)
{
	CU_ASSERT_EQUAL_FATAL(r, 0);
	rec.pool = *pool;
	rt_test_run(sys);
}

/* --- round_robin, random ---------------------------------------------------- */

static void
test_round_robin_is_exactly_even(void)
{
	rt_system *sys = test_system();
	rr_Turns_ref p;
	uint32_t n;

	reset();
	started(sys, rr_Turns_start(sys, &p), &p.ref);
	for (n = 0; n < 400; n++)
		CU_ASSERT_EQUAL(rr_Turns_send_Job(p,
				    (&(rr_Job){ .key = 1000, .n = n })),
		    0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 400);
	for (n = 0; n < 4; n++)
		CU_ASSERT_EQUAL(rec.got[n], 100);
	/* In turn: the n-th message went to member n mod 4. */
	for (n = 0; n < 400; n++)
		CU_ASSERT_EQUAL(rec.order[n], n % 4);
	rt_system_free(sys);
}

/* Each sender goes in turn on its own: a worker from its own counter, a
 * plain thread from the shared one, so sends of the one do not break the
 * turns of the other. */
static void
test_round_robin_keeps_each_senders_turns(void)
{
	rt_system *sys = test_system();
	rr_Spreader_ref s;
	rr_Turns_ref p;
	static const unsigned want[] = { 0, 0, 1, 2, 3, 1, 0, 1, 2 };
	uint32_t n;

	reset();
	started(sys, rr_Turns_start(sys, &p), &p.ref);
	spread_pool = p;
	CU_ASSERT_EQUAL_FATAL(rr_Spreader_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(rr_Turns_send_Job(p,
			    (&(rr_Job){ .key = 1000, .n = 0 })),
	    0);
	CU_ASSERT_EQUAL(rr_Spreader_send_Go(s,
			    (&(rr_Go){ .times = 4, .first = 1 })),
	    0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rr_Turns_send_Job(p,
			    (&(rr_Job){ .key = 1000, .n = 5 })),
	    0);
	CU_ASSERT_EQUAL(rr_Spreader_send_Go(s,
			    (&(rr_Go){ .times = 3, .first = 6 })),
	    0);
	rt_test_run(sys);
	for (n = 0; n < 9; n++)
		CU_ASSERT_EQUAL(rec.order[n], want[n]);
	rt_system_free(sys);
}

/* Senders on two workers at once: each worker's sends go in turn, so each
 * member's count is within one per worker of an even share. */
static void
test_round_robin_is_even_across_workers(void)
{
	rt_config cfg;
	rt_system *sys;
	rr_Spreader_ref s[2];
	rr_Turns_ref p;
	unsigned i, total;

	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log_level = RT_LOG_OFF;
	sys = rt_system_new(&cfg);
	CU_ASSERT_FATAL(sys != NULL);
	reset();
	CU_ASSERT_EQUAL_FATAL(rr_Turns_start(sys, &p), 0);
	rec.pool = p.ref;
	spread_pool = p;
	for (i = 0; i < 2; i++)
		CU_ASSERT_EQUAL_FATAL(rr_Spreader_spawn(sys, NULL, &s[i]), 0);
	/* Several Gos each, so that the Spreaders move between workers. */
	for (i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(rr_Spreader_send_Go(s[i % 2],
				    (&(rr_Go){ .times = 40, .first = 1000 })),
		    0);
	pthread_mutex_lock(&lock);
	for (;;) {
		total = rec.got[0] + rec.got[1] + rec.got[2] + rec.got[3];
		if (total >= 800)
			break;
		pthread_cond_wait(&cond, &lock);
	}
	pthread_mutex_unlock(&lock);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(total, 800);
	for (i = 0; i < 4; i++)
		CU_ASSERT(rec.got[i] >= 198 && rec.got[i] <= 202);
	rt_system_free(sys);
}

static void
test_random_reaches_every_member(void)
{
	rt_system *sys = test_system();
	rr_Dice_ref p;
	uint32_t n;

	reset();
	started(sys, rr_Dice_start(sys, &p), &p.ref);
	for (n = 0; n < 4000; n++)
		CU_ASSERT_EQUAL(rr_Dice_send_Job(p, (&(rr_Job){ .n = n })), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 4000);
	/* Each of the 4 gets about 1000; none gets nothing (the odds of
	 * missing one in 4000 fair draws are below 1 in 10^400). */
	for (n = 0; n < 4; n++)
		CU_ASSERT(rec.got[n] > 0);
	CU_ASSERT_EQUAL(rec.got[0] + rec.got[1] + rec.got[2] + rec.got[3],
	    4000);
	rt_system_free(sys);
}

/* --- hash -------------------------------------------------------------------- */

static void
test_hash_keeps_a_key_on_its_member_across_restarts(void)
{
	rt_system *sys = test_system();
	int first[100];
	unsigned used[MAXM] = { 0 }, i, victim;
	rr_ByKey_ref p;
	rt_ref before, after;
	uint64_t k;

	reset();
	started(sys, rr_ByKey_start(sys, &p), &p.ref);
	for (k = 0; k < 100; k++)
		CU_ASSERT_EQUAL(rr_ByKey_send_Job(p, (&(rr_Job){ .key = k })),
		    0);
	rt_test_run(sys);
	for (k = 0; k < 100; k++) {
		first[k] = rec.key_member[k];
		CU_ASSERT(first[k] >= 0 && first[k] < 5);
		if (first[k] >= 0 && first[k] < 5)
			used[first[k]]++;
	}
	/* 100 keys spread over the 5 members. */
	for (i = 0; i < 5; i++)
		CU_ASSERT(used[i] > 0);
	/* Crash the member of key 7 through the pool: it is restarted in
	 * place, with its ref. */
	victim = (unsigned)first[7];
	CU_ASSERT_EQUAL(rt_pool_member(p.ref, victim, &before), 0);
	CU_ASSERT_EQUAL(rr_ByKey_send_Crash(p, (&(rr_Crash){ .key = 7 })), 0);
	rt_test_run(sys);
	/* (Its first start came before rec.pool was set.) */
	CU_ASSERT_EQUAL(rec.starts[victim], 1);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(rec.starts[i], i == victim ? 1u : 0u);
	CU_ASSERT_EQUAL(rt_pool_member(p.ref, victim, &after), 0);
	CU_ASSERT(before.cell == after.cell && before.gen == after.gen);
	/* Every key still goes where it went, the victim's too. */
	memset(rec.key_member, 0xff, sizeof(rec.key_member));
	for (k = 0; k < 100; k++)
		CU_ASSERT_EQUAL(rr_ByKey_send_Job(p, (&(rr_Job){ .key = k })),
		    0);
	rt_test_run(sys);
	for (k = 0; k < 100; k++)
		CU_ASSERT_EQUAL(rec.key_member[k], first[k]);
	rt_system_free(sys);
}

static void
test_hash_of_a_string_is_its_bytes(void)
{
	rt_system *sys = test_system();
	rr_ByName_ref p;
	unsigned i, total = 0, holders = 0;

	reset();
	started(sys, rr_ByName_start(sys, &p), &p.ref);
	/* Equal strings in different buffers: one member gets all. */
	for (i = 0; i < 20; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%s", "customer-17");
		CU_ASSERT_EQUAL(rr_ByName_send_Tag(p,
				    (&(rr_Tag){ .name = name, .n = i })),
		    0);
	}
	rt_test_run(sys);
	for (i = 0; i < 4; i++) {
		total += rec.tags[i];
		holders += rec.tags[i] != 0;
	}
	CU_ASSERT_EQUAL(total, 20);
	CU_ASSERT_EQUAL(holders, 1);
	/* The key is the string's bytes, as the runtime hashes them. */
	CU_ASSERT_EQUAL(rt_hash_str("customer-17"),
	    rt_hash_bytes("customer-17", 11));
	CU_ASSERT_EQUAL(rt_hash_str(NULL), rt_hash_bytes("", 0));
	rt_system_free(sys);
}

/* --- broadcast, least_loaded in a burst -------------------------------------- */

static void
test_broadcast_reaches_every_member(void)
{
	rt_system *sys = test_system();
	rr_All_ref p;
	unsigned i;

	reset();
	started(sys, rr_All_start(sys, &p), &p.ref);
	CU_ASSERT_EQUAL(rr_All_send_Job(p, (&(rr_Job){ .n = 1 })), 0);
	CU_ASSERT_EQUAL(rr_All_send_Job(p, (&(rr_Job){ .n = 2 })), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 6);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(rec.got[i], 2);
	rt_system_free(sys);
}

static void
test_least_loaded_spreads_a_burst(void)
{
	rt_system *sys = test_system();
	rr_Least_ref p;
	uint32_t n;

	reset();
	started(sys, rr_Least_start(sys, &p), &p.ref);
	/* Nothing runs meanwhile: each pick goes to the member with the
	 * fewest waiting, the lowest index on a tie. */
	for (n = 0; n < 9; n++)
		CU_ASSERT_EQUAL(rr_Least_send_Job(p, (&(rr_Job){ .n = n })), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 9);
	for (n = 0; n < 9; n++)
		CU_ASSERT_EQUAL(rec.order[n], n % 3);
	/* All idle again: the next goes to the first. */
	CU_ASSERT_EQUAL(rr_Least_send_Job(p, (&(rr_Job){ .n = 9 })), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.order[9], 0);
	rt_system_free(sys);
}

/* --- a pool as a supervisor's child, asks, errors ----------------------------- */

static void
test_a_pool_child_is_restarted_whole(void)
{
	rt_system *sys = test_system();
	rr_Fragile_ref p, again;
	rr_Site_ref site;
	rt_ref m0, m1;
	rt_stats st;

	reset();
	CU_ASSERT_EQUAL_FATAL(rr_Site_start(sys, &site), 0);
	rt_test_run(sys);
	p = rr_Site_front(site);
	CU_ASSERT_FALSE(rt_ref_is_null(p.ref));
	rec.pool = p.ref;
	CU_ASSERT_EQUAL(rt_pool_member(p.ref, 0, &m0), 0);
	/* Members start as the pool starts (before rec.pool was set, so
	 * not counted by index): two Jobs, one each. */
	CU_ASSERT_EQUAL(rr_Fragile_send_Job(p, (&(rr_Job){ .n = 0 })), 0);
	CU_ASSERT_EQUAL(rr_Fragile_send_Job(p, (&(rr_Job){ .n = 1 })), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.got[0], 1);
	CU_ASSERT_EQUAL(rec.got[1], 1);
	/* One crash is more than intensity 0: the pool gives up, and Site
	 * restarts it with new members, under the same pool ref. */
	/* A NULL message does not compile; past the macro it is refused. */
	CU_ASSERT_EQUAL((rr_Fragile_send_Crash)(p, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rr_Fragile_send_Crash(p, (&(rr_Crash){ .key = 0 })), 0);
	rt_test_run(sys);
	again = rr_Site_front(site);
	CU_ASSERT(again.ref.cell == p.ref.cell && again.ref.gen == p.ref.gen);
	CU_ASSERT_EQUAL(rt_pool_member(p.ref, 0, &m1), 0);
	CU_ASSERT(m1.cell != m0.cell || m1.gen != m0.gen);
	CU_ASSERT_EQUAL(rec.starts[0], 1);
	CU_ASSERT_EQUAL(rec.starts[1], 1);
	/* Sends through it reach the new members, in turn again. */
	memset(rec.got, 0, sizeof(rec.got));
	CU_ASSERT_EQUAL(rr_Fragile_send_Job(p, (&(rr_Job){ .n = 2 })), 0);
	CU_ASSERT_EQUAL(rr_Fragile_send_Job(p, (&(rr_Job){ .n = 3 })), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.got[0] + rec.got[1], 2);
	CU_ASSERT_EQUAL(rec.got[0], 1);
	/* Once the whole tree is gone, a send is refused and counted. */
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(5)), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	{
		uint64_t refused = st.refused;

		CU_ASSERT_NOT_EQUAL(rr_Fragile_send_Job(p, (&(rr_Job){ 0 })),
		    0);
		CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
		CU_ASSERT_EQUAL(st.refused, refused + 1);
	}
	rt_system_free(sys);
}

static void
test_asks_go_through_the_pool(void)
{
	rt_system *sys = test_system();
	rr_Asker_ref a;
	unsigned i;

	reset();
	CU_ASSERT_EQUAL_FATAL(rr_Turns_start(sys, &ask_pool), 0);
	rec.pool = ask_pool.ref;
	CU_ASSERT_EQUAL_FATAL(rr_Asker_spawn(sys, NULL, &a), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rr_Asker_send_Go(a, (&(rr_Go){ .times = 8 })), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.replies, 8);
	CU_ASSERT_EQUAL(rec.reply_status, 0);
	/* Round-robin: two asks for each member. */
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(rec.answered[i], 2);
	rt_system_free(sys);
}

static void
test_bad_calls(void)
{
	rt_system *sys = test_system();
	rr_Turns_ref p, zero = { { NULL, 0 } };
	rt_pool_spec other;
	rt_ref m;

	reset();
	CU_ASSERT_EQUAL_FATAL(rr_Turns_start(sys, &p), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rr_Turns_send_Job(zero, (&(rr_Job){ 0 })), RT_EINVAL);
	CU_ASSERT_EQUAL((rr_Turns_send_Job)(p, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_pool_pick(p.ref, NULL, 0, &m), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_pool_pick(p.ref, &rr_Turns_pool, 0, NULL),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_pool_pick(p.ref, &rr_All_pool, 0, &m), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_pool_member(p.ref, 4, &m), RT_ENOACTOR);
	CU_ASSERT_EQUAL(rt_pool_member(p.ref, 0, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_pool_start(NULL, &rr_Turns_pool, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_pool_start(sys, NULL, NULL), RT_EINVAL);
	/* A supervisor that is no pool's. */
	CU_ASSERT_EQUAL(rt_pool_start(sys,
			    &(rt_pool_spec){ .abi = RT_PROTOCOL_ABI,
				.sup = &rr_Site_spec,
				.size = 2,
				.route = RT_ROUTE_RANDOM },
			    NULL),
	    RT_EINVAL);
	/* A pool's spec from another protocol ABI, or with no such route:
	 * refused to start and to pick with. */
	other = rr_Turns_pool;
	other.abi = RT_PROTOCOL_ABI + 1;
	CU_ASSERT_EQUAL(rt_pool_start(sys, &other, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_pool_pick(p.ref, &other, 0, &m), RT_EINVAL);
	other = rr_Turns_pool;
	other.route = (rt_route)(RT_ROUTE_HASH + 1);
	CU_ASSERT_EQUAL(rt_pool_start(sys, &other, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_pool_pick(p.ref, &other, 0, &m), RT_EINVAL);
	/* The pool's own spec still picks. */
	CU_ASSERT_EQUAL(rt_pool_pick(p.ref, &rr_Turns_pool, 0, &m), 0);
	rt_system_free(sys);
}

/* --- real workers ------------------------------------------------------------ */

/* What the members but the blocked one have handled, as their workers
 * count it at the end of each run. */
static uint64_t
handled_but(rt_ref pool, unsigned blocked, unsigned n)
{
	uint64_t handled = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		rt_actor_stats st;
		rt_ref m;

		if (i == blocked || rt_pool_member(pool, i, &m) != 0 ||
		    rt_stats_actor(m, &st) != 0)
			continue;
		handled += st.handled;
	}
	return handled;
}

/* Until the members but the blocked one have handled, and their workers
 * counted, `want` messages; false if that does not come (a message went
 * to the blocked member) within a great many looks. */
static bool
wait_settled(rt_ref pool, unsigned blocked, unsigned n, uint64_t want)
{
	unsigned long looks;

	for (looks = 0; looks < 200000000ul; looks++) {
		if (handled_but(pool, blocked, n) >= want)
			return true;
		sched_yield();
	}
	return false;
}

static void
test_least_loaded_avoids_a_member_stuck_in_its_handler(void)
{
	rt_config cfg;
	rt_system *sys;
	rr_Least_ref p;
	uint64_t base;
	uint32_t n;

	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log_level = RT_LOG_OFF;
	sys = rt_system_new(&cfg);
	CU_ASSERT_FATAL(sys != NULL);
	reset();
	CU_ASSERT_EQUAL_FATAL(rr_Least_start(sys, &p), 0);
	rec.pool = p.ref;
	/* All idle: the first message goes to member 0, which is stuck in
	 * its handler until released. */
	CU_ASSERT_EQUAL(rr_Least_send_Block(p, (&(rr_Block){ 0 })), 0);
	pthread_mutex_lock(&lock);
	while (!rec.blocked)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	CU_ASSERT_EQUAL(rec.blocked_index, 0);
	base = handled_but(p.ref, 0, 3);
	/* One at a time, each handled before the next: member 0 has one
	 * message in hand, the others none, so the others take them all. */
	for (n = 0; n < 30; n++) {
		CU_ASSERT_EQUAL(rr_Least_send_Job(p, (&(rr_Job){ .n = n })), 0);
		if (!wait_settled(p.ref, 0, 3, base + n + 1)) {
			CU_FAIL("a message went to the stuck member");
			break;
		}
	}
	pthread_mutex_lock(&lock);
	CU_ASSERT_EQUAL(rec.got[0], 1);
	CU_ASSERT_EQUAL(rec.got[1] + rec.got[2], 30);
	rec.release = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rec.got[0], 1);
	rt_system_free(sys);
}

static void
test_a_call_through_a_hash_pool_answers_from_the_keys_member(void)
{
	rt_config cfg;
	rt_system *sys;
	rr_ByKey_ref p;
	rr_Member reply;
	uint64_t k;

	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log_level = RT_LOG_OFF;
	sys = rt_system_new(&cfg);
	CU_ASSERT_FATAL(sys != NULL);
	reset();
	CU_ASSERT_EQUAL_FATAL(rr_ByKey_start(sys, &p), 0);
	rec.pool = p.ref;
	for (k = 0; k < 20; k++) {
		unsigned first;

		CU_ASSERT_EQUAL(rr_ByKey_call_Who(sys, p,
				    (&(rr_Who){ .key = k }), &reply,
				    RT_SEC(10)),
		    0);
		first = reply.index;
		CU_ASSERT(first < 5);
		CU_ASSERT_EQUAL(rr_ByKey_call_Who(sys, p,
				    (&(rr_Who){ .key = k }), &reply,
				    RT_SEC(10)),
		    0);
		CU_ASSERT_EQUAL(reply.index, first);
	}
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo routes[] = {
		{ "round_robin is exactly even",
		    test_round_robin_is_exactly_even },
		{ "round_robin keeps each sender's turns",
		    test_round_robin_keeps_each_senders_turns },
		{ "round_robin is even across workers",
		    test_round_robin_is_even_across_workers },
		{ "random reaches every member",
		    test_random_reaches_every_member },
		{ "hash keeps a key on its member across restarts",
		    test_hash_keeps_a_key_on_its_member_across_restarts },
		{ "hash of a string is its bytes",
		    test_hash_of_a_string_is_its_bytes },
		{ "broadcast reaches every member",
		    test_broadcast_reaches_every_member },
		{ "least_loaded spreads a burst",
		    test_least_loaded_spreads_a_burst },
		{ "least_loaded avoids a member stuck in its handler",
		    test_least_loaded_avoids_a_member_stuck_in_its_handler },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo pools[] = {
		{ "a pool child is restarted whole",
		    test_a_pool_child_is_restarted_whole },
		{ "asks go through the pool", test_asks_go_through_the_pool },
		{ "a call through a hash pool answers from the key's member",
		    test_a_call_through_a_hash_pool_answers_from_the_keys_member },
		{ "bad calls", test_bad_calls },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "routes", NULL, NULL, NULL, NULL, routes },
		{ "pools", NULL, NULL, NULL, NULL, pools },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
