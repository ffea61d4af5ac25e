/* SPDX-License-Identifier: MIT */
/*
 * A small runner shared by the CUnit suites: registers the suites given,
 * runs them with the basic interface, and turns the outcome into an exit
 * status automake understands (0 pass, 1 fail, 99 hard error). A test name
 * given on the command line (or in CU_FILTER) runs only the tests whose
 * names contain it.
 */
#ifndef RT_TESTS_CUTEST_H
#define RT_TESTS_CUTEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <CUnit/Basic.h>

/* The monotonic clock in nanoseconds, for the tests' time limits. */
static inline int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cutest_run(CU_SuiteInfo *suites, int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : getenv("CU_FILTER");
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "cannot register suites: %s\n",
		    CU_get_error_msg());
		CU_cleanup_registry();
		return 99;
	}
	if (filter != NULL && *filter != '\0') {
		CU_pSuite s;
		for (s = CU_get_registry()->pSuite; s != NULL; s = s->pNext) {
			CU_pTest t;
			for (t = s->pTest; t != NULL; t = t->pNext)
				if (strstr(t->pName, filter) == NULL)
					CU_set_test_active(t, CU_FALSE);
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
	    CU_get_run_summary()->nSuitesFailed;
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}

#endif
