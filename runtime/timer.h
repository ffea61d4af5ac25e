/* SPDX-License-Identifier: MIT */
/*
 * The timing wheel: every timer of a system, in RTI_WHEEL_SLOTS buckets of
 * one tick each (Varghese and Lauck's hashed wheel). A timer due at tick t
 * sits in bucket t mod RTI_WHEEL_SLOTS, with its tick, so a timer more than
 * one turn away just waits in its bucket for the turns to pass. Starting and
 * cancelling is a list insert or unlink under the wheel's lock; processing a
 * tick looks at one bucket.
 *
 * In a normal system one thread turns the wheel: it sleeps until the next
 * tick whose bucket holds a timer (not at every tick), or indefinitely when
 * there is none, and is created with the first timer. In a test system
 * (rt/test.h) nobody turns it but rt_test_advance, on virtual time.
 *
 * Timer records are carved from chunks that live as long as the system and
 * are recycled, never freed: a handle (record, id) can always be checked,
 * and a record's id changes whenever it is released.
 */
#ifndef RT_RUNTIME_TIMER_H
#define RT_RUNTIME_TIMER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <rt/timer.h>

#include "envelope.h"

#define RTI_TICK_NS 1000000  /* 1 ms */
#define RTI_WHEEL_SLOTS 1024 /* power of two */
#define RTI_TIMERS_PER_CHUNK 256

typedef struct rti_timer {
	struct rti_timer *next;  /* bucket list, or the free list */
	struct rti_timer *prev;  /* bucket list */
	struct rti_wheel *wheel; /* immutable once carved */
	uint64_t id;             /* odd while started; changes on release */
	int64_t tick;            /* due tick */
	int64_t period;          /* ns between firings; 0: once */
	rt_env *env;             /* the message, or the template to copy */
	rt_payload_copy_fn copy;
} rti_timer;

struct rti_timer_chunk {
	struct rti_timer_chunk *next;
	rti_timer timers[RTI_TIMERS_PER_CHUNK];
};

typedef struct rti_wheel {
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t cond;  /* the wheel thread sleeps on it */
	rt_system *sys;
	rti_timer *slot[RTI_WHEEL_SLOTS];
	uint64_t busy[RTI_WHEEL_SLOTS / 64]; /* bit set: slot not empty */
	int64_t base;                        /* clock time of tick 0 */
	int64_t done;      /* ticks before this one are processed */
	uint64_t armed;    /* timers in the buckets */
	int64_t wake_tick; /* the thread sleeps until this tick;
	                      INT64_MAX: until signalled */
	rti_timer *free;
	struct rti_timer_chunk *chunks;
	uint64_t next_id;
	bool manual; /* a test system: no thread */
	bool closed; /* shutdown: no new timers */
	bool thread_started;
	bool thread_stop;
	pthread_t thread;
} rti_wheel;

/* rti_wheel_init: an empty wheel whose tick 0 is `base`. */
int rti_wheel_init(rti_wheel *wh, rt_system *sys, int64_t base, bool manual);

/*
 * rti_wheel_close: refuse new timers, stop the thread, and turn every
 * pending timer's message into a dead letter (the system is stopping).
 */
void rti_wheel_close(rti_wheel *wh);

/* rti_wheel_destroy: free the records. After rti_wheel_close. */
void rti_wheel_destroy(rti_wheel *wh);

/*
 * rti_wheel_turn: process every tick up to and including the one that
 * contains `now` and deliver what fired, in tick order, each tick's timers
 * in the order they were started. Returns how many messages it sent.
 * For test systems; the wheel thread does the same on the clock.
 */
uint64_t rti_wheel_turn(rti_wheel *wh, int64_t now);

/*
 * rti_timer_start: rt_env_send_after for the runtime's own envelopes (an
 * ask's timeout, an answer to its asker).
 */
int rti_timer_start(rt_env *env, int64_t delay, rt_timer *out);

/*
 * rti_wheel_next: the clock time of the next tick whose bucket holds a
 * timer (which may be due only some turns later), or -1 when no timer is
 * pending. Test systems skip the empty ticks with it.
 */
int64_t rti_wheel_next(rti_wheel *wh);

#endif
