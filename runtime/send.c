/* SPDX-License-Identifier: MIT */
/*
 * Sending: building an envelope for a target, admitting it to a bounded
 * mailbox (or not), and pushing it. What happens at a bounded mailbox's
 * bound (drop, reject, wait, mute) is flow.c's.
 */
#include <stdlib.h>
#include <rt/wire.h>

#include "actor_int.h"
#include "clock.h"
#include "envelope.h"
#include "flow.h"
#include "pool.h"
#include "park.h"
#include "probes.h"
#include "send_int.h"
#include "system_int.h"
#include "thread.h"
#include "undelivered.h"

/* rt_env_new, for every case; rt_env_new itself has the common one. */
static int __attribute__((noinline))
env_new_slow(rt_ref to, uint32_t tag, size_t size, rt_env **out)
{
	rt_system *sys;
	rt_env *env;
	int rc;

	if (to.cell == NULL || out == NULL)
		return RT_EINVAL;
	sys = to.cell->sys;
	/* A late sender that misses the stopping flag is caught by
	 * rt_env_send, which checks again inside the in-flight window. */
	if ((rc = (to.gen & 1) == 0 ? rti_gone(sys) :
				      rti_admit(sys, to.cell, to.gen)) != 0) {
		rti_count(sys, refused, 1);
		return rc;
	}
	env = rti_env_alloc_sys(sys, size);
	if (env == NULL)
		return RT_ENOMEM;
	env->kind = RTI_ENV_MSG;
	env->cell = to.cell;
	env->gen = to.gen;
	env->v.tag = tag;
	*out = env;
	return 0;
}

/* rt_env_new's header, written field by field instead of cleared first. */
static inline int
env_fill(rt_env *env, rt_ref to, uint32_t tag, size_t size, unsigned c,
    rt_env **out)
{
	env->node.next = NULL;
	env->cell = to.cell;
	env->gen = to.gen;
	env->u.deadline = 0;
	env->v.tag = tag;
	env->size = (uint32_t)size;
	env->kind = RTI_ENV_MSG;
	env->prio = RT_PRIO_NORMAL;
	env->flags = 0;
	env->pool = (uint8_t)c;
	*out = env;
	return 0;
}

/*
 * rt_env_new's common case with the worker's cache of the class empty:
 * everything was checked, only the block is missing (its spare batch,
 * the depot or malloc has one).
 */
static int __attribute__((noinline))
env_new_refill(rt_ref to, uint32_t tag, size_t size, rt_env **out)
{
	unsigned c = rti_class_of(RT_ENV_PAYLOAD_OFFSET + size);
	rt_env *env = rti_block_refill(rti_tls_worker, c);

	if (env == NULL)
		return RT_ENOMEM;
	return env_fill(env, to, tag, size, c, out);
}

/*
 * The common case, kept small: a worker of the target's system, a pooled
 * size class with a block in the worker's cache.
 */
int
rt_env_new(rt_ref to, uint32_t tag, size_t size, rt_env **out)
{
	rti_worker *w = rti_tls_worker;
	rt_cell *cell = to.cell;
	rt_env *env;
	unsigned c;

	if (!RTI_POOLS || w == NULL || cell == NULL || out == NULL ||
	    cell->sys != w->sys || size > 2048 - RT_ENV_PAYLOAD_OFFSET ||
	    (to.gen & 1) == 0 || rti_cell_gen(cell) != to.gen ||
	    /* Relaxed, as in env_new_slow. */
	    ck_pr_load_32(&w->sys->stopping))
		return env_new_slow(to, tag, size, out);
	c = rti_class_of(RT_ENV_PAYLOAD_OFFSET + size);
	env = rti_cache_pop(&w->env_cache[c - 1]);
	if (env == NULL)
		return env_new_refill(to, tag, size, out);
	return env_fill(env, to, tag, size, c, out);
}

void
rt_env_discard(rt_env *env)
{
	if (env == NULL)
		return;
	/* A start signal that was never committed still holds its cell. */
	if (env->kind == RTI_ENV_START && env->cell != NULL) {
		rt_system *sys = env->cell->sys;
		rti_worker *w = rti_sched_worker(sys);

		rti_cell_release(&sys->cells, w ? &w->cell_cache : NULL,
		    env->cell);
	}
	rti_env_free(env);
}

/*
 * Everything but the common case: options, a thread outside the system,
 * bad arguments, a traced send probe (which only this path fires).
 */
static int __attribute__((noinline))
send_queue(rt_env *env, const rt_send_opts *opts, bool nowait)
{
	rt_cell *cell;
	rt_system *sys;
	rti_worker *w;
	/* A deadline already past: a full `block` mailbox refuses at once. */
	int64_t deadline = nowait ? 0 : -1;

	if (env == NULL)
		return RT_EINVAL;
	if (env->kind != RTI_ENV_MSG || env->cell == NULL ||
	    (opts != NULL &&
		((opts->priority != RT_PRIO_NORMAL &&
		     opts->priority != RT_PRIO_HIGH) ||
		    opts->ttl < 0 || opts->timeout < 0))) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	cell = env->cell;
	sys = cell->sys;
	w = rti_sched_worker(sys);
	if (opts != NULL) {
		env->prio = (uint8_t)opts->priority;
		/* A message's time-to-live is on the system's clock (virtual
		 * in a test system); a thread's wait is on the real one. */
		if (opts->ttl > 0) {
			env->u.deadline = rti_sys_now(sys) + opts->ttl;
			env->flags |= RTI_ENV_TTL;
		}
		if (opts->timeout > 0 && !nowait)
			deadline = rti_clock_now() + opts->timeout;
	}
	for (;;) {
		bool ext = rti_inflight_enter(sys, w);
		enum rti_room room;
		int rc;

		/*
		 * rt_env_new checked both a moment ago. A thread outside the
		 * system checks again inside its in-flight window, which is
		 * what makes shutdown safe; for a worker a target that
		 * stopped meanwhile only turns the message into a dead letter.
		 */
		if (w == NULL && (rc = rti_admit(sys, cell, env->gen)) != 0) {
			rti_inflight_leave(sys, ext);
			return rti_refuse(sys, env, rc);
		}
		room = rti_flow_reserve(cell);
		if (room == RTI_ROOM_OVER) {
			switch (rti_flow_over_bound(sys, w, cell, env, ext,
			    deadline, &rc)) {
			case RTI_OVER_PUSH:
				break;
			case RTI_OVER_DONE:
				return rc;
			case RTI_OVER_RETRY:
				continue;
			}
		}
		if (room != RTI_ROOM_FREE)
			env->flags |= RTI_ENV_COUNTED;
		rti_count_w(sys, w, sent, 1);
		/* Before the push: after it, the envelope is the target's. */
		if (RTI_PROBE_ON(send))
			rti_probe_send(env, w);
		rti_sched_push(sys, cell, env);
		rti_inflight_leave(sys, ext);
		return 0;
	}
}

/*
 * send_queue, by a thread outside the system that runs the target itself
 * if the send finds it idle (rti_caller_run: a few runs, until its mailbox
 * is empty), as rt_call without a limit does.
 */
static int
send_taking(rt_env *env, const rt_send_opts *opts, bool nowait)
{
	/* Never changes: the runs stop when the mailbox is empty, or after
	 * rti_caller_run's few runs. */
	static const uint32_t never;
	rt_cell *cell = env->cell;
	rt_system *sys = cell->sys;
	int rc;

	rti_tls_take = cell;
	rc = send_queue(env, opts, nowait);
	rti_tls_take = NULL;
	if (rti_tls_taken) {
		rti_tls_taken = false;
		rti_caller_run(sys, cell, &never, 0);
	}
	return rc;
}

/* Whether this thread may run `cell`'s actor in its send (send_taking):
 * not a worker, not inside such a run or a call's, and not in a system
 * whose handlers must run on its workers. */
static bool
may_take(const rt_cell *cell)
{
	rt_system *sys = cell->sys;

	return rti_tls_worker == NULL && rti_tls_take == NULL && !sys->manual &&
	    sys->watchdog == NULL && !rti_caller_inside(sys);
}

/* A worker's push, once the message is admitted. */
static inline int
push_w(rti_worker *w, rt_cell *cell, rt_env *env)
{
	rti_count_w(w->sys, w, sent, 1);
	rti_sched_push_w(w, cell, env);
	return 0;
}

/* send_fast's message found the bounded mailbox full. */
static int __attribute__((noinline))
send_over_w(rti_worker *w, rt_cell *cell, rt_env *env)
{
	int rc;

	if (rti_cell_overflow(cell) == RT_OVERFLOW_BLOCK)
		rti_flow_accept_over(w, cell, env);
	else if (rti_flow_over_bound(w->sys, w, cell, env, false, -1, &rc) !=
	    RTI_OVER_PUSH)
		return rc;
	env->flags |= RTI_ENV_COUNTED;
	return push_w(w, cell, env);
}

/* send_fast's message goes to a cell that was idle. */
static int __attribute__((noinline))
send_ready_w(rti_worker *w, rt_cell *cell)
{
	rti_sched_ready_w(w, cell);
	return 0;
}

/*
 * The common case, kept small: a handler sends without options to an
 * actor of its own system. No in-flight count (workers need none, see
 * rti_inflight_enter), and a full bounded mailbox never makes a worker
 * wait. Every call in it is a tail call, so that it needs no frame. The
 * worker's `send_sys` is NULL while the send probe is traced: then every
 * send takes send_queue(), which fires it, at no cost here.
 */
static inline int
send_fast(rt_env *env, const rt_send_opts *opts)
{
	rti_worker *w = rti_tls_worker;
	rt_cell *cell;
	enum rti_room room;

	if (opts != NULL || w == NULL || env == NULL ||
	    env->kind != RTI_ENV_MSG || (cell = env->cell) == NULL ||
	    cell->sys != w->send_sys)
		return send_queue(env, opts, false);
	room = rti_flow_reserve(cell);
	if (room != RTI_ROOM_FREE) {
		if (room == RTI_ROOM_OVER)
			return send_over_w(w, cell, env);
		env->flags |= RTI_ENV_COUNTED;
	}
	rti_count_w(w->sys, w, sent, 1);
	if (!rti_mailbox_push_mpsc(&cell->mb, &env->node))
		return 0;
	return send_ready_w(w, cell);
}

int
rt_env_send_opts(rt_env *env, const rt_send_opts *opts)
{
	return send_fast(env, opts);
}

int
rt_env_send(rt_env *env)
{
	return send_fast(env, NULL);
}

int
rt_env_send_nowait(rt_env *env)
{
	int rc = send_queue(env, NULL, true);

	/* What a plain thread's wait would have ended in: the mailbox was
	 * full (the refusal is counted as such either way). */
	return rc == RT_ETIMEDOUT ? RT_EFULL : rc;
}

int
rti_send_here(rt_env *env)
{
	int rc;

	if (env == NULL || env->kind != RTI_ENV_MSG || env->cell == NULL ||
	    !may_take(env->cell))
		return rt_env_send_nowait(env);
	rc = send_taking(env, NULL, true);
	return rc == RT_ETIMEDOUT ? RT_EFULL : rc;
}

int
rt_env_send_here(rt_env *env)
{
	return rti_send_here(env);
}

void
rti_send_internal(rt_env *env, enum rti_send_kind kind)
{
	rt_cell *cell = env->cell;
	rt_system *sys = cell->sys;
	rti_worker *w = rti_sched_worker(sys);
	bool ext = rti_inflight_enter(sys, w);
	enum rti_room room;

	/* An answer fired by an ask's timeout is still an answer. */
	if (env->kind == RTI_ENV_REPLY)
		kind = RTI_SEND_REPLY;
	rti_count_w(sys, w, sent, 1);
	if (RTI_PROBE_ON(send))
		rti_probe_send(env, w);
	if (rti_admit(sys, cell, env->gen) != 0) {
		rti_inflight_leave(sys, ext);
		rti_undelivered(sys, NULL, env, RT_DEAD_STOPPED);
		rti_env_free(env);
		return;
	}
	room = rti_flow_reserve(cell);
	if (room != RTI_ROOM_FREE) {
		/* Never refused by the bound, but a fired timer in a full
		 * mailbox that drops or rejects. */
		if (room == RTI_ROOM_OVER && kind == RTI_SEND_TIMER &&
		    rti_cell_overflow(cell) != RT_OVERFLOW_BLOCK) {
			ck_pr_dec_32(&cell->count);
			rti_room_made(cell);
			rti_inflight_leave(sys, ext);
			rti_undelivered(sys, ck_pr_load_ptr(&cell->kind), env,
			    RT_DEAD_DROPPED);
			rti_env_free(env);
			return;
		}
		env->flags |= RTI_ENV_COUNTED;
	}
	rti_sched_push(sys, cell, env);
	rti_inflight_leave(sys, ext);
}
