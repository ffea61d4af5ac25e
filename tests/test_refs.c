/* SPDX-License-Identifier: MIT */
/*
 * References, through the generated API of tests/rtp/refs.rtp: a ref names
 * one incarnation of a cell, and once that has stopped the ref is refused
 * for good, however many actors come and go; the zero ref names nothing;
 * refs compare equal only for the same incarnation. (That a recycled cell's
 * new actor never gets the old ref's messages is tested in test_runtime and,
 * under churn from many threads, in test_stress.)
 */
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "cutest.h"
#include "refs.rtp.h"

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

static rt_ref seen_self;
static unsigned whoami_count;

int
refs_Cell_on_Quit(refs_Cell *self, rt_ctx *ctx, const refs_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
refs_Cell_on_Whoami(refs_Cell *self, rt_ctx *ctx, const refs_Whoami *msg)
{
	(void)self;
	(void)msg;
	seen_self = rt_self(ctx);
	STORE(&whoami_count, LOAD(&whoami_count) + 1);
	return 0;
}

static rt_system *
one_worker(void)
{
	rt_config cfg;
	rt_system *sys;

	rt_config_init(&cfg);
	cfg.workers = 1;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	return sys;
}

static void
wait_dead(rt_ref r)
{
	while (rt_actor_alive(r))
		sched_yield();
}

static void
the_zero_ref_names_no_actor(void)
{
	refs_Cell_ref zero;

	memset(&zero, 0, sizeof(zero));
	CU_ASSERT_TRUE(rt_ref_is_null(zero.ref));
	CU_ASSERT_FALSE(rt_actor_alive(zero.ref));
	CU_ASSERT_EQUAL(refs_Cell_send_Quit(zero, NULL), RT_EINVAL);
}

static void
an_actor_sees_the_ref_it_was_spawned_with(void)
{
	rt_system *sys = one_worker();
	refs_Cell_ref c;

	whoami_count = 0;
	CU_ASSERT_EQUAL_FATAL(refs_Cell_spawn(sys, NULL, &c), 0);
	CU_ASSERT_FALSE(rt_ref_is_null(c.ref));
	CU_ASSERT_EQUAL(refs_Cell_send_Whoami(c, NULL), 0);
	while (LOAD(&whoami_count) == 0)
		sched_yield();
	CU_ASSERT_TRUE(rt_ref_equal(seen_self, c.ref));
	rt_system_free(sys);
}

static void
two_actors_have_different_refs(void)
{
	rt_system *sys = one_worker();
	refs_Cell_ref a, b;

	CU_ASSERT_EQUAL_FATAL(refs_Cell_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(refs_Cell_spawn(sys, NULL, &b), 0);
	CU_ASSERT_FALSE(rt_ref_equal(a.ref, b.ref));
	CU_ASSERT_TRUE(rt_ref_equal(a.ref, a.ref));
	rt_system_free(sys);
}

static void
a_ref_of_a_stopped_actor_is_refused_for_good(void)
{
	rt_system *sys = one_worker();
	refs_Cell_ref c;
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(refs_Cell_spawn(sys, NULL, &c), 0);
	CU_ASSERT_TRUE(rt_actor_alive(c.ref));
	CU_ASSERT_EQUAL(refs_Cell_send_Quit(c, NULL), 0);
	wait_dead(c.ref);
	/* However many actors come and go since. */
	for (i = 0; i < 2000; i++) {
		refs_Cell_ref other;

		CU_ASSERT_EQUAL_FATAL(refs_Cell_spawn(sys, NULL, &other), 0);
		CU_ASSERT_EQUAL(refs_Cell_send_Quit(other, NULL), 0);
		CU_ASSERT_EQUAL(refs_Cell_send_Whoami(c, NULL), RT_ENOACTOR);
	}
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_EQUAL(refs_Cell_send_Whoami(c, NULL), RT_ENOACTOR);
	CU_ASSERT_FALSE(rt_actor_alive(c.ref));
	rt_system_free(sys);
}

static CU_TestInfo refs_tests[] = {
	{ "the zero ref names no actor", the_zero_ref_names_no_actor },
	{ "an actor sees the ref it was spawned with",
	    an_actor_sees_the_ref_it_was_spawned_with },
	{ "two actors have different refs", two_actors_have_different_refs },
	{ "a ref of a stopped actor is refused for good",
	    a_ref_of_a_stopped_actor_is_refused_for_good },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "refs", NULL, NULL, NULL, NULL, refs_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
