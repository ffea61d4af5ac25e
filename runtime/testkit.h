/* SPDX-License-Identifier: MIT */
/*
 * The test kit (testkit.c, testprobe.c, rt/test.h): its record of handled
 * messages, a count per (cell, incarnation, tag) kept by the one worker
 * of a test system; how the rest of the runtime drives a test system;
 * and the records of its test probes.
 */
#ifndef RT_RUNTIME_TESTKIT_H
#define RT_RUNTIME_TESTKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rt/protocol.h>
#include <rt/system.h>

typedef struct rti_test_count {
	const void *cell; /* NULL: free slot */
	uint64_t gen;
	const rt_actor_class *cls;
	uint32_t tag;
	uint64_t n;
} rti_test_count;

typedef struct rti_test_log {
	rti_test_count *slots; /* open addressing, power-of-two size */
	size_t size;
	size_t used;
} rti_test_log;

/* rti_test_record: count one message handled. Never fails the handler: a
 * count that finds no memory is reported through the log hook. */
void rti_test_record(rt_system *sys, rti_test_log *log, const void *cell,
    uint64_t gen, const rt_actor_class *cls, uint32_t tag);

void rti_test_log_free(rti_test_log *log);

/* rti_test_probes_free: free the records of a system's test probes
 * (testprobe.c), at rt_system_free. */
void rti_test_probes_free(rt_system *sys);

/*
 * rti_test_probe_of: the class of the kind a test probe stands in for,
 * when `cls` is a probe's own class (rt_probe_spawn); NULL for any other
 * class. A probe's class lives as long as its system (see testprobe.c),
 * and the kind it names never changes, so this reads without a lock.
 */
const rt_actor_class *rti_test_probe_of(const rt_actor_class *cls);

/*
 * rti_test_drive_while: run a test system, on virtual time, while
 * alive(arg) is true and something can still happen.
 */
void rti_test_drive_while(rt_system *sys, bool (*alive)(void *), void *arg);

/*
 * rti_test_advance_until: rt_test_advance(sys, d) (d >= 0, checked by the
 * caller) that stops at the first stop of the clock after which
 * done(arg) is true (done NULL: never), and says whether it did. Adds the
 * timer messages sent to *fired.
 */
bool rti_test_advance_until(rt_system *sys, rt_duration d, bool (*done)(void *),
    void *arg, int64_t *fired);

/*
 * rti_test_stream: the seed of a new stream of a test system's randomness
 * (one per supervisor), from rt_test_seed's seed. Its driving thread only.
 */
uint64_t rti_test_stream(rt_system *sys);

/*
 * rti_test_wait: rt_system_wait for a test system: run it, on virtual time,
 * until no actor is alive or the root trees have exited (0), or nothing
 * more can happen (RT_EDEADLK).
 */
int rti_test_wait(rt_system *sys);

/*
 * rti_test_call_wait: a call's wait in a test system: run the actors, and
 * the virtual clock from timer to timer, until *state leaves 0 (returns 0)
 * or `timeout` (negative: none) passes on that clock (RT_ETIMEDOUT).
 */
int rti_test_call_wait(rt_system *sys, uint32_t *state, int64_t timeout);

#endif
