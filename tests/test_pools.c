/* SPDX-License-Identifier: MIT */
/*
 * The envelope pools on their own: size classes, a worker's cache reusing
 * what it freed, surplus travelling through the depot to another worker,
 * the depot's limit, and blocks too large to pool. The tests play two
 * workers of a real system by setting the thread's worker pointer, as the
 * scheduler does for its threads. In AddressSanitizer builds the pools are
 * off (every block goes to malloc, so that ASan sees it) and only the tests
 * that hold either way run.
 */
#include <stdint.h>
#include <string.h>

#include "cutest.h"
#include "envelope.h"
#include "pool.h"
#include "sched.h"
#include "system_int.h"

static rt_system *sys;
static rti_worker wa, wb;

static int
setup(void)
{
	rt_config cfg;

	rt_config_init(&cfg);
	cfg.workers = 1;
	sys = rt_system_new(&cfg);
	if (sys == NULL)
		return 1;
	memset(&wa, 0, sizeof(wa));
	memset(&wb, 0, sizeof(wb));
	wa.sys = wb.sys = sys;
	return 0;
}

static int
teardown(void)
{
	rti_tls_worker = NULL;
	rti_env_caches_drain(wa.env_cache);
	rti_env_caches_drain(wb.env_cache);
	rt_system_free(sys);
	return 0;
}

static void
an_envelope_has_its_payload_size_and_a_clean_header(void)
{
	rt_env *env;

	rti_tls_worker = &wa;
	env = rti_env_alloc(100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(env);
	CU_ASSERT_EQUAL(env->size, 100);
	CU_ASSERT_EQUAL(env->flags, 0);
	CU_ASSERT_EQUAL(env->u.deadline, 0);
	memset(rt_env_payload(env), 0xab, 100);
	rti_env_free(env);
	rti_tls_worker = NULL;
}

static void
blocks_too_large_to_pool_come_and_go_through_malloc(void)
{
	void *big;

	rti_tls_worker = &wa;
	big = rti_block_alloc(100000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 1, 100000);
	rti_block_free(big, 100000);
	rti_tls_worker = NULL;
}

static void
a_thread_without_a_cache_allocates_and_frees_directly(void)
{
	rt_env *env;

	rti_tls_worker = NULL;
	env = rti_env_alloc(8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(env);
	rti_env_free(env);
	CU_ASSERT_EQUAL(wa.env_cache[1].count, 0);
}

static void
a_worker_reuses_the_block_it_freed_last(void)
{
	rt_env *a, *b;

	rti_tls_worker = &wa;
	a = rti_env_alloc(8);
	rti_env_free(a);
	b = rti_env_alloc(8);
	CU_ASSERT_PTR_EQUAL(a, b);
	/* Same class, other size: the same block again. */
	rti_env_free(b);
	b = rti_env_alloc(16);
	CU_ASSERT_PTR_EQUAL(a, b);
	rti_env_free(b);
	rti_tls_worker = NULL;
}

static void
sizes_fall_into_their_classes(void)
{
	void *s32, *e64, *e128;

	rti_tls_worker = &wa;
	rti_env_caches_drain(wa.env_cache);
	s32 = rti_block_alloc(24);
	rti_block_free(s32, 24);
	/* Header and payload: 48 + 16 fit 64; 48 + 17 need 128. */
	e64 = rti_env_alloc(64 - RT_ENV_PAYLOAD_OFFSET);
	e128 = rti_env_alloc(64 - RT_ENV_PAYLOAD_OFFSET + 1);
	rti_env_free(e64);
	rti_env_free(e128);
	CU_ASSERT_EQUAL(wa.env_cache[0].count, 1); /* 32-byte class */
	CU_ASSERT_EQUAL(wa.env_cache[1].count, 1); /* 64-byte class */
	CU_ASSERT_EQUAL(wa.env_cache[2].count, 1); /* 128-byte class */
	rti_tls_worker = NULL;
}

static void
surplus_travels_through_the_depot_to_another_worker(void)
{
	/* A list of RTI_ENV_BATCH and a spare batch. */
	enum { N = 2 * RTI_ENV_BATCH };
	rt_env *env[N];
	uint32_t before;
	unsigned i, found = 0;
	rt_env *got;

	/* Worker a allocates and frees a cache's worth: a batch spills. */
	rti_tls_worker = &wa;
	rti_env_caches_drain(wa.env_cache);
	for (i = 0; i < N; i++)
		env[i] = rti_env_alloc(8);
	before = sys->depot[1].nbatches;
	for (i = 0; i < N; i++)
		rti_env_free(env[i]);
	/* The first full list became the spare; the second took its place
	 * and sent the first to the depot. */
	CU_ASSERT_EQUAL(sys->depot[1].nbatches, before + 1);
	CU_ASSERT_EQUAL(wa.env_cache[1].count, 0);
	CU_ASSERT_PTR_NOT_NULL(wa.env_cache[1].spare);
	/* Worker b, with an empty cache, takes that batch back. */
	rti_tls_worker = &wb;
	got = rti_env_alloc(8);
	CU_ASSERT_EQUAL(sys->depot[1].nbatches, before);
	CU_ASSERT_EQUAL(wb.env_cache[1].count, RTI_ENV_BATCH - 1);
	for (i = 0; i < N; i++)
		found += got == env[i];
	CU_ASSERT_EQUAL(found, 1);
	rti_env_free(got);
	rti_tls_worker = NULL;
}

static void
the_depot_keeps_a_bounded_amount(void)
{
	/* 2 KiB class: RTI_ENV_DEPOT_BYTES / (64 * 2 KiB) batches at most. */
	enum { SIZE = 2048 - RT_ENV_PAYLOAD_OFFSET };
	uint32_t limit = RTI_ENV_DEPOT_BYTES / (RTI_ENV_BATCH * 2048);
	unsigned i, n = (limit + 4) * RTI_ENV_BATCH;
	rt_env **env = calloc(n, sizeof(*env));

	CU_ASSERT_PTR_NOT_NULL_FATAL(env);
	rti_tls_worker = &wa;
	for (i = 0; i < n; i++)
		env[i] = rti_env_alloc(SIZE);
	for (i = 0; i < n; i++)
		rti_env_free(env[i]);
	CU_ASSERT_EQUAL(sys->depot[6].nbatches, limit);
	CU_ASSERT(wa.env_cache[6].count < RTI_ENV_BATCH);
	rti_tls_worker = NULL;
	free(env);
}

static CU_TestInfo always_tests[] = {
	{ "an envelope has its payload size and a clean header",
	    an_envelope_has_its_payload_size_and_a_clean_header },
	{ "blocks too large to pool come and go through malloc",
	    blocks_too_large_to_pool_come_and_go_through_malloc },
	{ "a thread without a cache allocates and frees directly",
	    a_thread_without_a_cache_allocates_and_frees_directly },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo pool_tests[] = {
	{ "a worker reuses the block it freed last",
	    a_worker_reuses_the_block_it_freed_last },
	{ "sizes fall into their classes", sizes_fall_into_their_classes },
	{ "surplus travels through the depot to another worker",
	    surplus_travels_through_the_depot_to_another_worker },
	{ "the depot keeps a bounded amount",
	    the_depot_keeps_a_bounded_amount },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "envelopes", setup, teardown, NULL, NULL, always_tests },
#if RTI_POOLS
	{ "pools", setup, teardown, NULL, NULL, pool_tests },
#endif
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	(void)pool_tests;
	return cutest_run(suites, argc, argv);
}
