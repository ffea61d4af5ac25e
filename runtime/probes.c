/* SPDX-License-Identifier: MIT */
/*
 * The USDT probes of provider `rt` (probes.h, doc/tracing.md): their
 * semaphores, and the functions that look up what a tracer wants to read
 * (the kind's name, the message's name) and fire a probe. Each probe's
 * arguments begin with what an operator asks about (names, results,
 * reasons) and end with the actor's ref and its system: bpftrace 0.17,
 * Debian 12's, reads only the first six. Probe sites
 * call them only while a tracer is attached; they are out of line so that
 * the sites stay a test and a branch. Without <sys/sdt.h> this file
 * defines rti_probes_refresh only.
 */
#include "probes.h"

#include <rt/system.h>

#include "bonds.h"
#include "cell.h"
#include "report.h"
#include "system_int.h"

#if RTI_PROBES
/* With semaphores: <sys/sdt.h> then names each probe's semaphore in its
 * note, for the tracer to raise. (Its name, not ours.) */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

/* <sys/sdt.h>'s STAP_PROBEn pass a variadic macro no argument, which
 * clang's -Wpedantic reports at every probe. */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wgnu-zero-variadic-macro-arguments"
#endif

#define RTI_PROBE_SEMAPHORE(name)            \
	unsigned short rt_##name##_semaphore \
	    __attribute__((section(".probes"), used, aligned(2)));
RTI_PROBE_NAMES(RTI_PROBE_SEMAPHORE)
#undef RTI_PROBE_SEMAPHORE

/* A name for a probe's string argument: never NULL, which a tracer
 * would read as a fault rather than as nothing. */
static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static const char *
kind_name(const rt_actor_class *cls)
{
	return cls != NULL ? or_empty(cls->name) : "";
}

void
rti_probe_send(const rt_env *env, const rti_worker *from)
{
	rt_cell *cell = env->cell;
	/* Relaxed: set at spawn, before the generation the sender acquired
	 * (as rti_cell_overflow). */
	const rt_actor_class *cls = ck_pr_load_ptr(&cell->kind);
	const rt_cell *src = from != NULL ? from->ctx.cell : NULL;
	uint64_t src_gen = src != NULL ? from->ctx.gen : 0;

	STAP_PROBE8(rt, send, kind_name(cls), or_empty(rti_env_name(cls, env)),
	    env->v.tag, cell, env->gen, src, src_gen, cell->sys);
}

void
rti_probe_handle(const rt_cell *cell, const rt_env *env, bool end, int rc)
{
	const rt_actor_class *cls = cell->cls;
	const char *name = or_empty(rti_env_name(cls, env));

	if (end)
		STAP_PROBE7(rt, handle_end, kind_name(cls), name, env->v.tag,
		    rc, cell, env->gen, cell->sys);
	else
		STAP_PROBE6(rt, handle_start, kind_name(cls), name, env->v.tag,
		    cell, env->gen, cell->sys);
}

void
rti_probe_spawn(const rt_cell *cell, uint64_t gen, const rt_actor_class *cls)
{
	STAP_PROBE4(rt, spawn, kind_name(cls), cell, gen, cell->sys);
}

void
rti_probe_exit(const rt_cell *cell, uint64_t gen, const rt_actor_class *cls,
    int reason, bool restarting)
{
	STAP_PROBE7(rt, exit, kind_name(cls), reason, rti_reason_text(reason),
	    (int)restarting, cell, gen, cell->sys);
}

/* The child's path in its tree, or "". */
static const char *
path_of(const rt_cell *cell)
{
	const struct rti_ext *x = cell->ext;

	return x != NULL ? or_empty(x->path) : "";
}

void
rti_probe_crash(const rt_cell *cell, int reason, const char *tag)
{
	STAP_PROBE8(rt, crash, kind_name(cell->cls), reason,
	    rti_reason_text(reason), or_empty(tag), path_of(cell), cell,
	    cell->live_gen, cell->sys);
}

void
rti_probe_restart(const rt_cell *cell, uint32_t restarts)
{
	STAP_PROBE6(rt, restart, kind_name(cell->cls), restarts, path_of(cell),
	    cell, cell->live_gen, cell->sys);
}

static const char *
cause_name(rt_dead_cause cause)
{
	switch (cause) {
	case RT_DEAD_STOPPED:
		return "stopped";
	case RT_DEAD_DROPPED:
		return "dropped";
	case RT_DEAD_EXPIRED:
		return "expired";
	case RT_DEAD_NONAME:
		return "noname";
	case RT_DEAD_NODEDOWN:
		return "nodedown";
	case RT_DEAD_MALFORMED:
		return "malformed";
	case RT_DEAD_SCHEMA:
		return "schema";
	case RT_DEAD_BACKLOG:
		return "backlog";
	case RT_DEAD_STASHED:
		return "stashed";
	}
	return "?";
}

void
rti_probe_dead_letter(const rt_actor_class *cls, const rt_env *env,
    rt_dead_cause cause)
{
	const rt_cell *cell = env->cell;

	STAP_PROBE8(rt, dead_letter, kind_name(cls),
	    or_empty(rti_env_name(cls, env)), (int)cause, cause_name(cause),
	    env->v.tag, cell, env->gen, cell != NULL ? cell->sys : NULL);
}
#endif

void
rti_probes_refresh(rti_worker *w)
{
	/* A watchdog's copy of the handle loop fires the probes too. */
	w->observed = w->watched || RTI_PROBE_ON(handle_start) ||
	    RTI_PROBE_ON(handle_end);
	w->send_sys = RTI_PROBE_ON(send) ? NULL : w->sys;
}
