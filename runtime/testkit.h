/* SPDX-License-Identifier: MIT */
/*
 * The test kit's record of handled messages (rt/test.h): a count per
 * (cell, incarnation, tag), kept by the one worker of a test system.
 */
#ifndef RT_RUNTIME_TESTKIT_H
#define RT_RUNTIME_TESTKIT_H

#include <stddef.h>
#include <stdint.h>
#include <rt/protocol.h>

typedef struct rti_test_count {
	const void *cell;          /* NULL: free slot */
	uint64_t gen;
	const rt_actor_class *cls;
	uint32_t tag;
	uint64_t n;
} rti_test_count;

typedef struct rti_test_log {
	rti_test_count *slots;     /* open addressing, power-of-two size */
	size_t size;
	size_t used;
} rti_test_log;

/* rti_test_record: count one message handled. Never fails the handler: a
 * count that finds no memory is reported through the log hook. */
void rti_test_record(rt_system *sys, rti_test_log *log, const void *cell,
    uint64_t gen, const rt_actor_class *cls, uint32_t tag);

void rti_test_log_free(rti_test_log *log);

#endif
