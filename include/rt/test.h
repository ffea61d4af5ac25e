/* SPDX-License-Identifier: MIT */
/*
 * The deterministic test kit: run actors in a unit test, one step at a
 * time, on a clock the test moves by hand.
 *
 * A test system has no worker threads. Its actors run only inside the calls
 * below, on the calling thread, in an order that depends only on what was
 * sent (the same test runs the same way every time). Its clock starts at 0
 * and moves only with rt_test_advance: timers (P_A_send_M_after/_every),
 * time-to-live and ask timeouts all read it, so a test of a five-second
 * timeout takes microseconds and never sleeps:
 *
 *     rt_system *sys = rt_test_system_new(NULL);
 *     shop_Cart_ref cart;
 *     shop_Cart_spawn(sys, NULL, &cart);
 *     shop_Cart_send_Order(cart, &order);
 *     rt_test_run(sys);                             // handle what is queued
 *     rt_test_advance(sys, RT_SEC(5));              // fire the timers due,
 *                                                   // run the actors
 *     CU_ASSERT_EQUAL(rt_test_handled(sys, cart.ref, "Tick"), 5);
 *     rt_system_free(sys);
 *
 * Everything else works as in a normal system: sends, spawns, stops,
 * statistics, the dead-letter hook, shutdown. A plain thread's send to a
 * full mailbox with overflow block runs the actors until there is room (or
 * returns RT_ETIMEDOUT if they make none). rt_system_wait runs the actors,
 * advancing the clock from timer to timer, until none is alive; it returns
 * RT_EDEADLK when some are alive but nothing is left that could ever run
 * them. rt_system_workers() is 0.
 *
 * The calls below take a test system and must not be made from one of its
 * actors (RT_EDEADLK) or from two threads at once.
 */
#ifndef RT_TEST_H
#define RT_TEST_H

#include <stdint.h>
#include <rt/version.h>
#include <rt/time.h>
#include <rt/actor.h>
#include <rt/system.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * rt_test_system_new: a test system (cfg as for rt_system_new; its
 * `workers` is ignored). NULL if cfg is invalid or memory runs out.
 */
RT_API rt_system *rt_test_system_new(const rt_config *cfg);

/*
 * rt_test_run: run the actors until none has anything left to do at the
 * current virtual time. Returns how many messages they handled, or
 * RT_EINVAL (not a test system), RT_EDEADLK (called from an actor).
 */
RT_API int64_t rt_test_run(rt_system *sys);

/*
 * rt_test_advance: move the clock forward by `d` (>= 0). The clock stops
 * at each tick where a timer falls due: those timers fire (in the order
 * they were started), and the actors run until idle at that time, so a
 * timer started by a handler on the way fires too if it falls due before
 * the end. Then the clock stops at now + d and the actors run again.
 * Messages already queued are handled at the first of those stops, so a
 * message whose time-to-live runs out on the way expires, as it would on
 * a machine too busy to handle it (call rt_test_run first to handle them
 * now). Returns how many timer messages were sent, or RT_EINVAL /
 * RT_EDEADLK as rt_test_run.
 */
RT_API int64_t rt_test_advance(rt_system *sys, rt_duration d);

/*
 * The test system's randomness: a supervisor's backoff adds up to a
 * quarter of jitter to each delay (rt/supervisor.h), drawn in a real
 * system from the clock; in a test system from this seed, so that a test
 * with backoff runs the same way every time. rt_test_system_new starts
 * from RT_TEST_SEED; rt_test_seed sets another (for supervisors started
 * after it), to try other draws. Returns 0, or RT_EINVAL / RT_EDEADLK as
 * rt_test_run.
 */
#define RT_TEST_SEED UINT64_C(0x5eed)
RT_API int rt_test_seed(rt_system *sys, uint64_t seed);

/* rt_test_now: the virtual time since the system was created; -1 for a
 * system that is not a test system. */
RT_API rt_duration rt_test_now(rt_system *sys);

/*
 * rt_test_handled: how many messages called `message` (its .rtp name, for
 * example "Tick"; NULL: any message) the actor `actor` has handled since
 * the system was created (also after it stopped). RT_EINVAL for a NULL system, one that is not a test system, or a zero
 * ref.
 */
RT_API int64_t rt_test_handled(rt_system *sys, rt_ref actor,
    const char *message);

#ifdef __cplusplus
}
#endif

#endif
