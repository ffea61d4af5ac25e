/* SPDX-License-Identifier: MIT */
/*
 * Readiness of file descriptors (rt/io.h): a system's epoll set and the
 * thread that waits on it, and each incarnation's table of the
 * descriptors it watches and owns.
 */
#ifndef RT_RUNTIME_IO_H
#define RT_RUNTIME_IO_H

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
 * rti_io_poll: a test system's turn of the poller, on its driving thread:
 * queue the readiness the kernel has now, without waiting. Returns how
 * many were queued.
 */
unsigned rti_io_poll(rt_system *sys);

/*
 * rti_io_stop: stop the system's poller and free what it holds. Once
 * every actor has exited and the workers are joined.
 */
void rti_io_stop(rt_system *sys);

#endif
