/* SPDX-License-Identifier: MIT */
/*
 * Readiness of file descriptors (rt/io.h): a system's epoll set, which
 * the workers poll, and each incarnation's table of the descriptors it
 * watches and owns.
 */
#ifndef RT_RUNTIME_IO_H
#define RT_RUNTIME_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/actor.h>

#include "cell.h"
#include "envelope.h"

/* The payload of an RTI_ENV_IO envelope. */
struct rti_io_msg {
	int32_t fd;
	uint32_t events; /* RT_IO_* */
	uint32_t seq;    /* the arming it answers (stale when it is not the
	                    watch's latest) */
};

/*
 * rti_io_deliver: hand the readiness in `env` to the on_io hook of the
 * actor in `cell` (the run-token holder's call), unless the watch it
 * answers has been unwatched or armed again since, or ended with an
 * earlier incarnation: then it is dropped, as a down whose monitor was
 * taken back. Returns the hook's result, or 0.
 */
int rti_io_deliver(rt_cell *cell, rt_ctx *ctx, rt_env *env);

/*
 * rti_io_exit: the incarnation in `cell` ends: its watches are removed
 * and its owned descriptors closed. Run-token holder, after on_stop.
 */
void rti_io_exit(rt_cell *cell);

/* rti_io_table_free: free a table left at the system's end (bonds.c). */
struct rti_io_table;
void rti_io_table_free(struct rti_io_table *t);

/*
 * rti_io_poll: wait up to `timeout_ms` (0: not at all, -1: for ever) for
 * readiness and queue what there is to the actors. Any thread of the
 * system (a worker, or a test system's driving thread), several at once.
 * `woken` is for the worker parked in epoll_wait, which alone takes the
 * wake-up of rti_io_wake (and is told so); others pass NULL. Returns how
 * many readiness reports were queued.
 */
unsigned rti_io_poll(rt_system *sys, int timeout_ms, bool *woken);

/*
 * Parking in epoll_wait (sched.c): rti_io_park_begin claims the place of
 * the one worker parked there, if the system has an epoll set and nobody
 * holds it; rti_io_park_end gives it back; rti_io_wake wakes whoever is
 * there.
 */
bool rti_io_park_begin(rt_system *sys);
void rti_io_park_end(rt_system *sys);
void rti_io_wake(rt_system *sys);

/*
 * rti_io_stop: free the system's epoll set and what it holds. Once every
 * actor has exited and the workers are joined.
 */
void rti_io_stop(rt_system *sys);

#endif
