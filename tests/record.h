/* SPDX-License-Identifier: MIT */
/*
 * Handlers record what they see in a test's `rec` under one mutex, and tests
 * wait for what they expect. A file that includes this defines first:
 *
 *   static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
 *   static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
 *   #define WAIT_LIMIT_SEC 20
 *
 * The limit makes a bug fail its test instead of hanging the suite; it is
 * never what a test measures.
 */
#ifndef RT_TESTS_RECORD_H
#define RT_TESTS_RECORD_H

#include <pthread.h>
#include <time.h>
#include <rt/system.h>

/*
 * A system with its own worker threads (0: one per CPU) that logs nothing:
 * the tests that crash actors on purpose check what they expect instead.
 */
static inline rt_system *
threaded(unsigned workers)
{
	rt_config cfg;

	rt_config_init(&cfg);
	cfg.workers = workers;
	cfg.log_level = RT_LOG_OFF;
	return rt_system_new(&cfg);
}

/* Run `stmt` under the mutex and wake the waiters. */
#define RECORD(stmt)                         \
	do {                                 \
		pthread_mutex_lock(&mu);     \
		stmt;                        \
		pthread_cond_broadcast(&cv); \
		pthread_mutex_unlock(&mu);   \
	} while (0)

/* Wait until check() holds (called with mu held); false on time-out. */
static inline int
wait_until(int (*check)(void))
{
	struct timespec deadline;
	int ok;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_LIMIT_SEC;
	pthread_mutex_lock(&mu);
	while (!(ok = check()))
		if (pthread_cond_timedwait(&cv, &mu, &deadline) != 0) {
			ok = check();
			break;
		}
	pthread_mutex_unlock(&mu);
	return ok;
}

/*
 * Wait until *counter (written under mu) reaches n; false on time-out.
 * One waiting thread at a time, as the tests have.
 */
static const unsigned *wait_counter_;
static unsigned wait_target_;

static inline int
counter_reached_(void)
{
	return *wait_counter_ >= wait_target_;
}

static inline int
wait_count(const unsigned *counter, unsigned n)
{
	wait_counter_ = counter;
	wait_target_ = n;
	return wait_until(counter_reached_);
}

#endif
