/* SPDX-License-Identifier: MIT */
/*
 * Monotonic time for the runtime's own waits. Every deadline in rt is read on
 * CLOCK_MONOTONIC, never on the wall clock, so setting the date cannot fire
 * or stall a timeout.
 */
#ifndef RT_RUNTIME_CLOCK_H
#define RT_RUNTIME_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

static inline int64_t
rti_clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * rti_clock_coarse: the same clock at the kernel tick's resolution (1-4
 * ms), read without the time-stamp counter: a few nanoseconds, for checks
 * made on every message that only need to know whether some milliseconds
 * have passed.
 */
static inline int64_t
rti_clock_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline struct timespec
rti_clock_timespec(int64_t ns)
{
	struct timespec ts;

	ts.tv_sec = ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	return ts;
}

/* rti_cond_init: a condition variable whose timed waits take deadlines on
 * rti_clock_now()'s clock. 0, or an errno value. */
static inline int
rti_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t ca;
	int r = pthread_condattr_init(&ca);

	if (r != 0)
		return r;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	r = pthread_cond_init(cond, &ca);
	pthread_condattr_destroy(&ca);
	return r;
}

#endif
