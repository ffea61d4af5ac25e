/* SPDX-License-Identifier: MIT */
/*
 * USDT probes of provider `rt` (doc/tracing.md lists them and their
 * arguments): send, handle_start, handle_end, spawn, exit, crash, restart
 * and dead_letter. Each has a semaphore that the kernel raises while a
 * tracer is attached to it. A probe site tests it (RTI_PROBE_ON) and only
 * then calls the probe's function (probes.c), which finds the names a
 * tracer wants and fires the probe: while nobody traces, a site costs a
 * load and a branch, and no name is ever looked up.
 *
 * The three probes of every message cost less still: a worker reads their
 * semaphores every few dozen runs (rti_probes_refresh), and its message
 * paths test what it found there in a test they make anyway. send_fast()
 * compares the target's system with the worker's `send_sys`, which is
 * NULL while `send` is traced, so that every send takes send_queue(),
 * which fires it; a run takes the copy of the handle loop that fires
 * handle_start and handle_end only while one of them is traced (the test
 * of `observed` replaces the test for a watchdog). So a probe attached to
 * a running program starts firing within a few dozen runs of each worker.
 *
 * Built without <sys/sdt.h> (configure says so), RTI_PROBE_ON is false
 * and every probe compiles to nothing.
 */
#ifndef RT_RUNTIME_PROBES_H
#define RT_RUNTIME_PROBES_H

#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <rt/protocol.h>

#include "envelope.h"
#include "rt_atomic.h"
#include "sched.h"

#ifdef HAVE_SYS_SDT_H
#define RTI_PROBES 1
#else
#define RTI_PROBES 0
#endif

/* The probes, for the lists of their semaphores. */
#define RTI_PROBE_NAMES(X) \
	X(send)            \
	X(handle_start)    \
	X(handle_end)      \
	X(spawn)           \
	X(exit)            \
	X(crash)           \
	X(restart)         \
	X(dead_letter)

#if RTI_PROBES
/*
 * The semaphores, named as <sys/sdt.h> wants them (provider_probe_
 * semaphore), in its section .probes (probes.c). Hidden: the tracer finds
 * them through the probes' notes, and the library's own sites reach them
 * without the GOT.
 */
#define RTI_PROBE_SEMAPHORE(name)                   \
	extern unsigned short rt_##name##_semaphore \
	    __attribute__((visibility("hidden")));
RTI_PROBE_NAMES(RTI_PROBE_SEMAPHORE)
#undef RTI_PROBE_SEMAPHORE

/*
 * Whether a tracer is attached to probe `name`. Relaxed: the kernel
 * writes the semaphore from another context, and a probe that fires a
 * moment after it was attached, or once more after it was detached, is
 * no harm; the load only must not be hoisted or torn.
 */
#define RTI_PROBE_ON(name) \
	__builtin_expect(ck_pr_load_16(&rt_##name##_semaphore) != 0, 0)
#else
#define RTI_PROBE_ON(name) 0
#endif

/*
 * The probes' functions: each looks up the names and fires its probe.
 * Call them only when RTI_PROBE_ON says the probe is traced (for send,
 * handle_start and handle_end, see the top of this file).
 *
 * rti_probe_send: `env`, a message or something handled like one, is
 * about to be queued for its target; `from` is the sending thread's
 * worker, whose handler context says which actor sends (NULL: a thread
 * outside the workers).
 * rti_probe_handle: the actor in `cell` is about to handle `env` (`end`
 * false) or has handled it with result `rc` (`end` true). Owner only.
 * rti_probe_spawn: incarnation `gen` of `cell`, of kind `cls`, was made.
 * rti_probe_exit: incarnation `gen` exits with `reason`; `restarting`:
 * it waits for its supervisor to restart it. Owner only.
 * rti_probe_crash: the live incarnation crashed (or failed to start) with
 * `reason`, handling message `tag` (NULL: none). Owner only.
 * rti_probe_restart: the supervised child in `cell` restarted, for the
 * `restarts`-th time. Owner only.
 * rti_probe_dead_letter: `env` is a dead letter for `cause`; `cls` is its
 * target's class when known, else NULL.
 */
void rti_probe_send(const rt_env *env, const rti_worker *from);
void rti_probe_handle(const rt_cell *cell, const rt_env *env, bool end, int rc);
void rti_probe_spawn(const rt_cell *cell, uint64_t gen,
    const rt_actor_class *cls);
void rti_probe_exit(const rt_cell *cell, uint64_t gen,
    const rt_actor_class *cls, int reason, bool restarting);
void rti_probe_crash(const rt_cell *cell, int reason, const char *tag);
void rti_probe_restart(const rt_cell *cell, uint32_t restarts);
void rti_probe_dead_letter(const rt_actor_class *cls, const rt_env *env,
    rt_dead_cause cause);

/*
 * rti_probes_refresh: worker `w` reads the semaphores of its message
 * paths again (see the top of this file). Owner only; cheap, but not for
 * every run.
 */
void rti_probes_refresh(rti_worker *w);

#endif
