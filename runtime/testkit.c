/* SPDX-License-Identifier: MIT */
/*
 * The deterministic test kit (rt/test.h): a system whose single worker is
 * run by the test's own thread, on virtual time.
 */
#include <stdlib.h>
#include <string.h>

#include <rt/test.h>

#include "log.h"
#include "sched.h"
#include "system_int.h"
#include "testkit.h"
#include "timer.h"

rt_system *
rt_test_system_new(const rt_config *cfg)
{
	rt_system *sys = rti_system_create(cfg, true);

	if (sys != NULL) {
		sys->workers[0].test = sys->test_log;
		sys->workers[0].alert0 = sys->test_log != NULL;
		sys->test_seed = RT_TEST_SEED;
	}
	return sys;
}

/* The checks every call makes: a test system, not from one of its actors. */
static int
check(rt_system *sys)
{
	if (sys == NULL || !sys->manual)
		return RT_EINVAL;
	if (rti_sched_worker(sys) != NULL)
		return RT_EDEADLK;
	return 0;
}

int
rt_test_seed(rt_system *sys, uint64_t seed)
{
	int rc = check(sys);

	if (rc != 0)
		return rc;
	sys->test_seed = seed;
	sys->test_draws = 0;
	return 0;
}

uint64_t
rti_test_stream(rt_system *sys)
{
	/* splitmix64 of the seed and the draw: streams that differ in
	 * every bit for consecutive draws. */
	uint64_t z = sys->test_seed + ++sys->test_draws * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int64_t
rt_test_run(rt_system *sys)
{
	int rc = check(sys);

	if (rc != 0)
		return rc;
	return (int64_t)rti_sched_drive(sys);
}

static void
set_now(rt_system *sys, int64_t t)
{
	/* Only this thread writes the clock; handlers read it on it too. */
	if (t > sys->vnow)
		ck_pr_store_64((uint64_t *)&sys->vnow, (uint64_t)t);
}

int64_t
rt_test_advance(rt_system *sys, rt_duration d)
{
	int rc = check(sys);
	int64_t fired = 0;

	if (rc != 0)
		return rc;
	if (d < 0)
		return RT_EINVAL;
	rti_test_advance_until(sys, d, NULL, NULL, &fired);
	return fired;
}

bool
rti_test_advance_until(rt_system *sys, rt_duration d, bool (*done)(void *),
    void *arg, int64_t *fired)
{
	int64_t target = d > INT64_MAX - sys->vnow ? INT64_MAX : sys->vnow + d;

	for (;;) {
		int64_t next = rti_wheel_next(sys->wheel);

		if (next < 0 || next > target)
			break;
		set_now(sys, next);
		*fired += (int64_t)rti_wheel_turn(sys->wheel, next);
		rti_sched_drive(sys);
		if (done != NULL && done(arg))
			return true;
	}
	set_now(sys, target);
	*fired += (int64_t)rti_wheel_turn(sys->wheel, target);
	rti_sched_drive(sys);
	return done != NULL && done(arg);
}

rt_duration
rt_test_now(rt_system *sys)
{
	return sys != NULL && sys->manual ? sys->vnow : -1;
}

int
rti_test_call_wait(rt_system *sys, uint32_t *state, int64_t timeout)
{
	int64_t deadline = timeout < 0      ? -1 :
	    timeout > INT64_MAX - sys->vnow ? INT64_MAX :
					      sys->vnow + timeout;

	for (;;) {
		int64_t next;

		rti_sched_drive(sys);
		/* Relaxed: this thread wrote it, running the actors. */
		if (ck_pr_load_32(state) != 0)
			return 0;
		next = rti_wheel_next(sys->wheel);
		if (next < 0 || (deadline >= 0 && next > deadline)) {
			if (deadline >= 0)
				set_now(sys, deadline);
			return RT_ETIMEDOUT;
		}
		set_now(sys, next);
		rti_wheel_turn(sys->wheel, next);
	}
}

void
rti_test_drive_while(rt_system *sys, bool (*alive)(void *), void *arg)
{
	for (;;) {
		int64_t next;

		rti_sched_drive(sys);
		if (!alive(arg))
			return;
		next = rti_wheel_next(sys->wheel);
		if (next < 0)
			return;
		set_now(sys, next);
		rti_wheel_turn(sys->wheel, next);
	}
}

/* rt_system_wait's condition: some actor lives and a root tree too. */
static bool
still_running(void *arg)
{
	rt_system *sys = arg;
	bool gone;

	pthread_mutex_lock(&sys->lock);
	gone = rti_roots_gone(sys);
	pthread_mutex_unlock(&sys->lock);
	return ck_pr_load_64(&sys->live) != 0 && !gone;
}

int
rti_test_wait(rt_system *sys)
{
	rti_test_drive_while(sys, still_running, sys);
	return still_running(sys) ? RT_EDEADLK : 0;
}

/* --- the record of handled messages --------------------------------------- */

static size_t
hash(const void *cell, uint64_t gen, uint32_t tag)
{
	uint64_t h = (uint64_t)(uintptr_t)cell ^ (gen * 0x9e3779b97f4a7c15u) ^
	    ((uint64_t)tag << 32);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 32;
	return (size_t)h;
}

static rti_test_count *
find(rti_test_log *log, const void *cell, uint64_t gen, uint32_t tag)
{
	size_t i = hash(cell, gen, tag) & (log->size - 1);

	for (;; i = (i + 1) & (log->size - 1)) {
		rti_test_count *c = &log->slots[i];

		if (c->cell == NULL ||
		    (c->cell == cell && c->gen == gen && c->tag == tag))
			return c;
	}
}

static int
grow(rti_test_log *log)
{
	rti_test_log bigger = { NULL, log->size ? log->size * 2 : 64, 0 };
	size_t i;

	bigger.slots = calloc(bigger.size, sizeof(*bigger.slots));
	if (bigger.slots == NULL)
		return RT_ENOMEM;
	for (i = 0; i < log->size; i++) {
		rti_test_count *c = &log->slots[i];

		if (c->cell != NULL)
			*find(&bigger, c->cell, c->gen, c->tag) = *c;
	}
	bigger.used = log->used;
	free(log->slots);
	*log = bigger;
	return 0;
}

void
rti_test_record(rt_system *sys, rti_test_log *log, const void *cell,
    uint64_t gen, const rt_actor_class *cls, uint32_t tag)
{
	rti_test_count *c;

	if ((log->used + 1) * 4 > log->size * 3 && grow(log) != 0) {
		rti_log(sys, RT_LOG_ERROR,
		    "test kit: no memory to count a "
		    "handled message");
		return;
	}
	c = find(log, cell, gen, tag);
	if (c->cell == NULL) {
		c->cell = cell;
		c->gen = gen;
		c->tag = tag;
		c->cls = cls;
		log->used++;
	}
	c->n++;
}

void
rti_test_log_free(rti_test_log *log)
{
	free(log->slots);
	memset(log, 0, sizeof(*log));
}

int64_t
rt_test_handled(rt_system *sys, rt_ref actor, const char *message)
{
	rti_test_log *log;
	int64_t n = 0;
	size_t i;

	if (sys == NULL || !sys->manual || actor.cell == NULL)
		return RT_EINVAL;
	log = sys->test_log;
	for (i = 0; i < log->size; i++) {
		const rti_test_count *c = &log->slots[i];

		if (c->cell != actor.cell || c->gen != actor.gen)
			continue;
		if (message == NULL ||
		    (c->cls->tag_names != NULL && c->tag < c->cls->ntags &&
			strcmp(c->cls->tag_names[c->tag], message) == 0))
			n += (int64_t)c->n;
	}
	return n;
}
