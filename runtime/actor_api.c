/* SPDX-License-Identifier: MIT */
/*
 * Spawning, stop, trace and exit signals, and what a handler or any thread can
 * ask about an actor. Spawning queues a start signal that the worker
 * running the cell acts on (actor.c): the cell is published here, its
 * state made there.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <rt/observe.h>

#include "actor_int.h"
#include "bonds.h"
#include "envelope.h"
#include "pool.h"
#include "probes.h"
#include "system_int.h"
#include "thread.h"

int
rti_actor_signal_stop(rt_cell *cell, uint64_t gen, int reason, bool final)
{
	rt_env *env = rti_env_alloc_sys(cell->sys, 0);

	if (env == NULL)
		return RT_ENOMEM;
	env->kind = RTI_ENV_STOP;
	env->flags = final ? RTI_ENV_FINAL : 0;
	env->cell = cell;
	env->gen = gen;
	env->v.reason = reason;
	rti_sched_push(cell->sys, cell, env);
	return 0;
}

/*
 * Queue signal `env` for its actor, from any thread: as a send
 * (send_queue), a thread outside the system checks the actor again inside
 * its in-flight window, which shutdown waits for; a signal that finds the
 * actor gone later is dropped (actor.c). 0, or RT_ENOACTOR / RT_ESHUTDOWN
 * (env is freed).
 */
static int
signal_checked(rt_env *env)
{
	rt_cell *cell = env->cell;
	rt_system *sys = cell->sys;
	bool ext = rti_inflight_enter(sys, rti_sched_worker(sys));
	int rc;

	if ((rc = rti_admit(sys, cell, env->gen)) != 0) {
		rti_inflight_leave(sys, ext);
		rti_env_free(env);
		return rc == RT_ESHUTDOWN ? rc : RT_ENOACTOR;
	}
	rti_sched_push(sys, cell, env);
	rti_inflight_leave(sys, ext);
	return 0;
}

int
rt_trace(rt_ref ref, bool on)
{
	rt_env *env;

	if (rt_ref_is_null(ref))
		return RT_EINVAL;
	if (!rt_actor_alive(ref))
		return RT_ENOACTOR;
	env = rti_env_alloc_sys(ref.cell->sys, 0);
	if (env == NULL)
		return RT_ENOMEM;
	env->kind = RTI_ENV_TRACE;
	env->cell = ref.cell;
	env->gen = ref.gen;
	env->v.reason = on ? 1 : 0;
	return signal_checked(env);
}

int
rt_exit(rt_ref to, int reason)
{
	rt_ref from = { NULL, 0 };
	rti_worker *w;
	rt_env *env;

	if (rt_ref_is_null(to))
		return RT_EINVAL;
	if (!rt_actor_alive(to))
		return rti_gone(to.cell->sys);
	/* From the running actor, if any: a trapping target learns who. */
	w = rti_sched_worker(to.cell->sys);
	if (w != NULL && w->ctx.cell != NULL) {
		from.cell = w->ctx.cell;
		from.gen = w->ctx.gen;
	}
	env = rti_bond_env(to, RTI_ENV_EXIT, from, reason, 0, RTI_BOND_EXIT2);
	if (env == NULL)
		return RT_ENOMEM;
	return signal_checked(env);
}

/* --- spawning ------------------------------------------------------------ */

/* rt_spawn_prepare; `later`: a thread outside the system may leave the
 * cell to rt_spawn_commit. */
static int
spawn_prepare(rt_system *sys, const rt_actor_class *cls, size_t size,
    rt_env **out, bool later)
{
	rti_worker *w;
	rt_cell *cell;
	rt_env *env;

	if (sys == NULL || cls == NULL || out == NULL ||
	    cls->abi != RT_PROTOCOL_ABI || cls->dispatch == NULL ||
	    size < cls->args_size || cls->state_align == 0 ||
	    (cls->state_align & (cls->state_align - 1)) != 0 ||
	    cls->mailbox_bound > INT32_MAX ||
	    (cls->overflow != RT_OVERFLOW_BLOCK &&
		cls->overflow != RT_OVERFLOW_DROP &&
		cls->overflow != RT_OVERFLOW_REJECT) ||
	    (cls->flags & ~(uint32_t)RT_CLASS_THREAD) != 0)
		return RT_EINVAL;
	if (ck_pr_load_32(&sys->stopping))
		return RT_ESHUTDOWN;
	w = rti_sched_worker(sys);
	/*
	 * A thread outside the system leaves the cell to rt_spawn_commit,
	 * which leaves it to a worker when the caller wants no ref (see
	 * there); until then the start signal carries its system in `gen`.
	 * Not for a `thread;` kind, whose thread is made at the spawn, nor
	 * in a test system, whose actors run on the thread that drives it.
	 */
	if (later && w == NULL && !sys->manual &&
	    !(cls->flags & RT_CLASS_THREAD)) {
		cell = NULL;
	} else {
		cell = rti_cell_alloc(sys, &sys->cells,
		    w ? &w->cell_cache : NULL);
		if (cell == NULL)
			return RT_ENOMEM;
	}
	env = rti_env_alloc_sys(sys, size);
	if (env == NULL) {
		if (cell != NULL)
			rti_cell_release(&sys->cells, w ? &w->cell_cache : NULL,
			    cell);
		return RT_ENOMEM;
	}
	env->kind = RTI_ENV_START;
	env->u.cls = cls;
	env->cell = cell;
	if (cell == NULL)
		env->gen = (uint64_t)(uintptr_t)sys;
	*out = env;
	return 0;
}

int
rt_spawn_prepare(rt_system *sys, const rt_actor_class *cls, size_t size,
    rt_env **out)
{
	return spawn_prepare(sys, cls, size, out, true);
}

int
rti_spawn_prepare_cell(rt_system *sys, const rt_actor_class *cls, size_t size,
    rt_env **out)
{
	return spawn_prepare(sys, cls, size, out, false);
}

/*
 * A spawn by a thread outside the system counts its actor in `live` before
 * it looks at `stopping`, with a full barrier between (the locked add, and
 * the fence for models where it is not one): with shutdown's store of the
 * flag and fence before it reads `live`, either it sees the flag, or
 * shutdown sees this actor counted and waits for it to stop, scanning the
 * cells (and taking the starts without one) until it has
 * (rt_system_shutdown). RT_ESHUTDOWN, with `env` discarded, or 0.
 */
static int
count_outside(rt_system *sys, rt_env *env)
{
	ck_pr_inc_64(&sys->live);
	ck_pr_fence_atomic_load();
	if (ck_pr_load_32(&sys->stopping)) {
		rti_live_add(sys, -1);
		rt_env_discard(env);
		return RT_ESHUTDOWN;
	}
	return 0;
}

/*
 * rt_spawn_commit for a start signal with no cell yet (a thread outside the
 * system). With a ref asked for, the cell is taken now. Without, the actor
 * is counted in `live` (as below, before the look at `stopping`) and its
 * start queued for a worker, which gives it a cell from its own cache:
 * those cells were last written on that worker's core, where a cell taken
 * here would have had its lines written from this one, and then read and
 * freed on the worker's again. A spawn from `main` takes 40% less time.
 */
static int
commit_cellless(rt_env *env, rt_ref *out)
{
	rt_system *sys = (rt_system *)(uintptr_t)env->gen;

	if (out != NULL) {
		env->cell = rti_cell_alloc(sys, &sys->cells, NULL);
		if (env->cell == NULL) {
			rt_env_discard(env);
			return RT_ENOMEM;
		}
		return rt_spawn_commit(env, out);
	}
	if (count_outside(sys, env) != 0)
		return RT_ESHUTDOWN;
	rti_sched_start_later(sys, env);
	return 0;
}

int
rt_spawn_commit(rt_env *env, rt_ref *out)
{
	const rt_actor_class *cls;
	rt_cell *cell;
	rt_system *sys;
	rti_worker *w;
	uint64_t gen;

	if (env == NULL)
		return RT_EINVAL;
	if (env->kind != RTI_ENV_START) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	if (env->cell == NULL)
		return commit_cellless(env, out);
	cell = env->cell;
	sys = cell->sys;
	cls = env->u.cls;
	w = rti_sched_worker(sys);
	if (w == NULL) {
		if (count_outside(sys, env) != 0)
			return RT_ESHUTDOWN;
	} else {
		/*
		 * A worker runs inside a live actor, which shutdown waits
		 * for. What `live` counts above the true count for this
		 * worker (exits not taken off yet, places taken ahead) pays
		 * for this spawn: `live` stays at or above the true count.
		 * With nothing there, take RTI_LIVE_BATCH places at once,
		 * now, before anyone can see the actor (and so before its
		 * exit; relaxed: the exit's decrement is an RMW on the same
		 * word): a locked add per spawn on the word that every
		 * worker's exits update cost a third of a spawn's time when
		 * the actors exit on another worker.
		 */
		if (ck_pr_load_32(&sys->stopping)) {
			rt_env_discard(env);
			return RT_ESHUTDOWN;
		}
		if (w->live_over > 0) {
			w->live_over--;
		} else {
			ck_pr_faa_64(&sys->live, RTI_LIVE_BATCH);
			w->live_over = RTI_LIVE_BATCH - 1;
		}
	}
	/* An actor of a `thread;` kind gets its thread now, so that a
	 * spawn that cannot have one fails. A test system runs every actor
	 * on the thread that drives it. */
	if ((cls->flags & RT_CLASS_THREAD) && !sys->manual &&
	    rti_thread_start(sys, cell) != 0) {
		if (w == NULL)
			rti_live_add(sys, -1);
		else
			w->live_over++;
		rt_env_discard(env);
		return RT_ENOMEM;
	}
	/* The cell is ours alone until the new generation is published. */
	gen = rti_spawn_publish(cell, env, cls);
	rti_sched_push(sys, cell, env);
	if (out != NULL) {
		out->cell = cell;
		out->gen = gen;
	}
	return 0;
}

/* --- the handler's view -------------------------------------------------- */

rt_ref
rt_self(rt_ctx *ctx)
{
	rt_ref r = { NULL, 0 };

	if (ctx != NULL && ctx->cell != NULL) {
		r.cell = ctx->cell;
		r.gen = ctx->gen;
	}
	return r;
}

rt_system *
rt_ctx_system(rt_ctx *ctx)
{
	return ctx != NULL ? ctx->sys : NULL;
}

void
rt_stop(rt_ctx *ctx, int reason)
{
	rt_cell *cell;

	if (ctx == NULL || ctx->cell == NULL)
		return;
	cell = ctx->cell;
	if (cell->flags & RTI_CELL_STOPPING)
		return;
	cell->flags |= RTI_CELL_STOPPING;
	cell->stop_reason = reason;
	/* The run looks at the flag after the handler. */
	ctx->worker->alert = 1;
}

/*
 * Whether a handler of a message runs with `ctx`: run_taken counts the
 * message in hand during handle(), and is 0 in on_start (run while the
 * mailbox is drained) and in on_stop (an exit settles the run first).
 */
static bool
in_handler(const rt_ctx *ctx)
{
	return ctx != NULL && ctx->cell != NULL && ctx->worker != NULL &&
	    ctx->worker->run_taken != 0;
}

int
rt_stash(rt_ctx *ctx)
{
	if (!in_handler(ctx) || ctx->deferred)
		return RT_EINVAL;
	/* The stash lives in the extension: most actors never stash. */
	if (rti_ext_get(ctx->cell) == NULL)
		return RT_ENOMEM;
	ctx->worker->stash = true;
	/* The run looks at it after the handler. */
	ctx->worker->alert = 1;
	return 0;
}

int
rt_unstash_all(rt_ctx *ctx)
{
	if (!in_handler(ctx))
		return RT_EINVAL;
	ctx->worker->unstash = true;
	ctx->worker->alert = 1;
	return 0;
}

void *
rt_ctx_state(rt_ctx *ctx, const rt_actor_class *cls)
{
	if (ctx == NULL || ctx->cell == NULL || cls == NULL ||
	    ctx->cell->cls != cls)
		return NULL;
	return ctx->cell->state;
}

bool
rt_ctx_more_waiting(rt_ctx *ctx)
{
	rt_cell *cell;

	if (ctx == NULL || (cell = ctx->cell) == NULL)
		return false;
	/* The lanes hold `queued` messages as of the run's start, of which
	 * the run has taken run_taken, the one in hand included; then what
	 * the mailbox has that the run has not drained. Only the run-token
	 * holder writes either count. */
	return cell->queued > ctx->worker->run_taken ||
	    rti_mailbox_has_pending(&cell->mb);
}

bool
rt_actor_alive(rt_ref ref)
{
	return ref.cell != NULL && (ref.gen & 1) != 0 &&
	    rti_cell_gen(ref.cell) == ref.gen;
}

int
rt_stats_actor(rt_ref ref, rt_actor_stats *out)
{
	rt_cell *cell = ref.cell;
	struct rti_ext *x;
	uint32_t bound;

	if (cell == NULL || out == NULL)
		return RT_EINVAL;
	if (!rt_actor_alive(ref))
		return RT_ENOACTOR;
	/* Relaxed loads: a snapshot. The second look at the generation
	 * tells whether the cell changed hands meanwhile. The extension is
	 * type-stable once made; `stashed` is the
	 * owner's relaxed store (bonds.h). */
	out->handled = ck_pr_load_64(&cell->handled);
	out->dead_letters = ck_pr_load_64(&cell->dead);
	x = rti_ext_peek(cell);
	/* Not counted on the way in (a store per message saved): what came
	 * in was handled, is dead, waits in the lanes or was stashed. */
	out->received = out->handled + out->dead_letters +
	    ck_pr_load_32(&cell->queued) +
	    (x != NULL ? ck_pr_load_32(&x->stashed) : 0);
	out->high_water = ck_pr_load_32(&cell->high_water);
	bound = ck_pr_load_32(&cell->bound);
	out->bound = bound;
	out->depth = bound != 0 ?
	    ck_pr_load_32(&cell->count) :
	    (uint32_t)(out->received - out->handled - out->dead_letters);
	if (out->depth > out->high_water)
		out->high_water = out->depth;
	ck_pr_fence_load();
	return rti_cell_gen(cell) == ref.gen ? 0 : RT_ENOACTOR;
}
