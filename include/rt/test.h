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

/*
 * Test probes. For each actor kind A of a protocol P, rtgen generates
 *
 *     int P_A_probe(rt_system *sys, P_A_ref *out);
 *     int P_A_expect_M(P_A_ref probe, const P_M *expected,
 *         rt_duration within);                   (each M that A accepts)
 *     bool P_M_equal(const P_M *a, const P_M *b);    (each message M)
 *
 * P_A_probe spawns a probe of A's kind and stores its ref in *out: a
 * P_A_ref like any other, so whatever sends to an A (typed sends,
 * publishes on a topic it subscribes to, an actor told to answer it)
 * sends to it unchanged; registered under a name (P_A_register),
 * P_A_whereis finds it as it would a real A (and the whereis of any other
 * kind returns RT_ETYPE for it). A probe records a copy of each message it
 * receives, in order, and never runs A's handlers or hooks (nor its
 * on_start). Its mailbox is unbounded and it runs on the workers, whatever
 * A declares. A request sent to it is answered with RT_EBADMSG, so that an
 * asker is not left waiting. It stops as any actor does (rt_exit,
 * shutdown); what it recorded stays readable until rt_system_free.
 * Returns 0, RT_EINVAL (NULL sys), RT_ESHUTDOWN or RT_ENOMEM.
 *
 * P_A_expect_M takes the next message the probe recorded, waiting for
 * one at most `within` (RT_FOREVER: no limit), and returns 0 when it is
 * an M equal to *expected (P_M_equal). Otherwise it returns RT_EMISMATCH
 * (another message, or an M that differs: the message is taken all the
 * same, so the next expect looks at the one after it), RT_ETIMEDOUT
 * (nothing came within), RT_ENOACTOR (the probe stopped and nothing is
 * left), RT_EINVAL (probe is not a probe of A; expected NULL while M has
 * fields) or RT_EDEADLK (called from an actor of the probe's system).
 * Each failure but the last two is logged at RT_LOG_ERROR through the log
 * hook of the probe's system (rt_config.log; stderr without one), as one
 * line with both sides written by the message printers (P_M_print):
 *
 *     probe shop.Cart: expected Order{id=7, ...}, received Order{id=8, ...}
 *     probe shop.Cart: expected Ping{}, received nothing in 10ms
 *
 * rt_expect_nothing: 0 when the probe records nothing within `within`
 * (>= 0), or when it stopped with nothing left; else RT_EMISMATCH, the
 * message taken and logged ("probe shop.Cart: expected nothing, received
 * Ping{}"), RT_EINVAL (not a probe, within < 0) or RT_EDEADLK.
 *
 * What `within` means: in a test system, the actors run first; then, if
 * the probe has nothing yet, the virtual clock moves as rt_test_advance
 * moves it, up to `within`, and stops as soon as a message is recorded
 * (at the timer that made it come), so a test of a timeout neither
 * sleeps nor takes longer than its expectations. rt_expect_nothing moves
 * the clock by the whole of `within` when nothing comes. In a system with
 * workers, the calling thread waits up to `within` on the real
 * (monotonic) clock; a message recorded in time ends the wait at once.
 *
 * The generated code for probes sits in the protocol's .rtp.c, beside the
 * sends and printers, so that one build of it serves a program and its
 * tests; a program that never calls a probe only carries a few small
 * functions per kind (the linker drops them with -ffunction-sections
 * -Wl,--gc-sections). P_M_equal compares field by field: numbers and
 * enums by value (floats as ==, except that NaN equals NaN), strings by
 * content (two NULLs are equal, NULL and "" are not), bytes by length and
 * content, arrays element by element, nested messages with their own
 * P_M_equal, refs by the incarnation they name (rt_ref_equal) and C-typed
 * fields by their bytes (a pointer by address). A message without fields
 * equals any other of its type, NULL included.
 *
 * A probe of a kind is checked like the kind at compile time: sends to it
 * are the kind's, and P_A_expect_M exists only for the messages A
 * accepts (any other is a poisoned name), its `expected` checked by a
 * macro as a send's message is (a compound literal with commas in it
 * needs parentheses there: `(&(P_M){ .a = 1, .b = 2 })`).
 */
RT_API int rt_expect_nothing(rt_ref probe, rt_duration within);

#ifdef __cplusplus
}
#endif

#endif
