/* SPDX-License-Identifier: MIT */
/*
 * Actors: spawning, sending, and running a cell's mailbox.
 *
 * Everything inside a cell other than its mailbox head and its generation
 * (class, state, flags) is touched only by the holder of the cell's run
 * token, so none of it needs atomics. That is why spawning does not
 * initialise the cell directly: it queues a start signal, and the worker
 * that runs the cell creates the state and calls on_start. A cell recycled
 * from an earlier actor may still be receiving late messages for that actor
 * while it is being reused; they carry the old generation and become dead
 * letters, whoever runs them.
 */
#include <stdlib.h>
#include <string.h>

#include "actor_int.h"
#include "envelope.h"
#include "log.h"
#include "system_int.h"

/* --- sending ------------------------------------------------------------- */

int
rt_env_new(rt_ref to, uint32_t tag, size_t size, rt_env **out)
{
	rt_system *sys;
	rt_env *env;

	if (to.cell == NULL || out == NULL)
		return RT_EINVAL;
	sys = to.cell->sys;
	if ((to.gen & 1) == 0 || rti_cell_gen(to.cell) != to.gen) {
		rti_count(sys, refused, 1);
		return RT_ENOACTOR;
	}
	/* Relaxed: a late sender that misses the flag is caught by the
	 * worker, which turns its message into a dead letter. */
	if (ck_pr_load_32(&sys->stopping)) {
		rti_count(sys, refused, 1);
		return RT_ESHUTDOWN;
	}
	env = rti_env_alloc(size);
	if (env == NULL)
		return RT_ENOMEM;
	env->kind = RTI_ENV_MSG;
	env->cell = to.cell;
	env->gen = to.gen;
	env->tag = tag;
	*out = env;
	return 0;
}

int
rt_env_send(rt_env *env)
{
	rt_cell *cell;
	rt_system *sys;
	bool ext;
	int rc = 0;

	if (env == NULL)
		return RT_EINVAL;
	if (env->kind != RTI_ENV_MSG || env->cell == NULL) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	cell = env->cell;
	sys = cell->sys;
	ext = rti_inflight_enter(sys);
	if (rti_cell_gen(cell) != env->gen)
		rc = RT_ENOACTOR;
	else if (ck_pr_load_32(&sys->stopping))
		rc = RT_ESHUTDOWN;
	if (rc != 0) {
		rti_inflight_leave(sys, ext);
		rti_count(sys, refused, 1);
		rti_env_free(env);
		return rc;
	}
	rti_count(sys, sent, 1);
	if (rti_mailbox_push_mpsc(&cell->mb, &env->node))
		rti_sched_ready(sys, cell);
	rti_inflight_leave(sys, ext);
	return 0;
}

void
rt_env_discard(rt_env *env)
{
	if (env == NULL)
		return;
	/* A start signal that was never committed still holds its cell. */
	if (env->kind == RTI_ENV_START && env->cell != NULL)
		rti_cell_release(&env->cell->sys->cells, env->cell);
	rti_env_free(env);
}

int
rti_actor_signal_stop(rt_cell *cell, uint64_t gen, int reason)
{
	rt_env *env = rti_env_alloc(0);

	if (env == NULL)
		return RT_ENOMEM;
	env->kind = RTI_ENV_STOP;
	env->cell = cell;
	env->gen = gen;
	env->reason = reason;
	if (rti_mailbox_push_mpsc(&cell->mb, &env->node))
		rti_sched_ready(cell->sys, cell);
	return 0;
}

/* --- spawning ------------------------------------------------------------ */

int
rt_spawn_prepare(rt_system *sys, const rt_actor_class *cls, size_t size,
    rt_env **out)
{
	rt_cell *cell;
	rt_env *env;

	if (sys == NULL || cls == NULL || out == NULL ||
	    cls->abi != RT_PROTOCOL_ABI || cls->dispatch == NULL ||
	    size < cls->args_size || cls->state_align == 0 ||
	    (cls->state_align & (cls->state_align - 1)) != 0)
		return RT_EINVAL;
	if (ck_pr_load_32(&sys->stopping))
		return RT_ESHUTDOWN;
	cell = rti_cell_alloc(sys, &sys->cells);
	if (cell == NULL)
		return RT_ENOMEM;
	env = rti_env_alloc(size);
	if (env == NULL) {
		rti_cell_release(&sys->cells, cell);
		return RT_ENOMEM;
	}
	env->kind = RTI_ENV_START;
	env->cls = cls;
	env->cell = cell;
	*out = env;
	return 0;
}

int
rt_spawn_commit(rt_env *env, rt_ref *out)
{
	rt_cell *cell;
	rt_system *sys;
	uint64_t gen;
	bool ext;

	if (env == NULL)
		return RT_EINVAL;
	if (env->kind != RTI_ENV_START || env->cell == NULL) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	cell = env->cell;
	sys = cell->sys;
	ext = rti_inflight_enter(sys);
	if (ck_pr_load_32(&sys->stopping)) {
		rti_inflight_leave(sys, ext);
		rt_env_discard(env);
		return RT_ESHUTDOWN;
	}
	/* The cell is ours alone until the new generation is published. */
	gen = rti_cell_gen(cell) + 1;
	env->gen = gen;
	ck_pr_inc_64(&sys->live);
	rti_count(sys, spawned, 1);
	rti_cell_set_gen(cell, gen);
	/*
	 * Full fence: either shutdown's scan of the cells sees this
	 * generation and stops the actor, or the worker that starts it sees
	 * the stopping flag (pairs with the fence in rt_system_shutdown).
	 */
	ck_pr_fence_memory();
	if (rti_mailbox_push_mpsc(&cell->mb, &env->node))
		rti_sched_ready(sys, cell);
	rti_inflight_leave(sys, ext);
	if (out != NULL) {
		out->cell = cell;
		out->gen = gen;
	}
	return 0;
}

/* --- running ------------------------------------------------------------- */

static const char *
tag_name(const rt_actor_class *cls, uint32_t tag)
{
	if (cls->tag_names != NULL && tag < cls->ntags)
		return cls->tag_names[tag];
	return "?";
}

static int
is_crash(int reason)
{
	return reason != RT_NORMAL && reason != RT_ESHUTDOWN;
}

static const char *
reason_text(int reason)
{
	return reason < 0 || reason == RT_DEFER ? rt_strerror(reason) :
						  "handler error";
}

/* The actor in `cell` stops for good. */
static void
actor_exit(rti_worker *w, rt_cell *cell, int reason)
{
	rt_system *sys = w->sys;
	const rt_actor_class *cls = cell->cls;
	uint64_t gen = ck_pr_load_64(&cell->gen);

	/* From here on, sends fail with RT_ENOACTOR. */
	rti_cell_set_gen(cell, gen + 1);
	if ((cell->flags & RTI_CELL_STARTED) && cls->on_stop != NULL) {
		w->ctx.cell = cell;
		w->ctx.gen = gen;
		cls->on_stop(cell->state, &w->ctx, reason);
		w->ctx.cell = NULL;
	}
	free(cell->state);
	cell->state = NULL;
	cell->cls = NULL;
	cell->flags = 0;
	rti_count(sys, stopped, 1);
	if (is_crash(reason))
		rti_count(sys, crashed, 1);
	rti_cell_release(&sys->cells, cell);
	/*
	 * Last: once a waiter sees zero live actors, every exit that made it
	 * so is complete, cell recycled included. The locked decrement and
	 * the mutex order it after everything above.
	 */
	if (ck_pr_faa_64(&sys->live, (uint64_t)-1) == 1) {
		pthread_mutex_lock(&sys->lock);
		sys->idle_epoch++;
		pthread_cond_broadcast(&sys->cond);
		pthread_mutex_unlock(&sys->lock);
	}
}

static void
actor_start(rti_worker *w, rt_cell *cell, rt_env *env)
{
	rt_system *sys = w->sys;
	const rt_actor_class *cls = env->cls;
	size_t align = cls->state_align > sizeof(void *) ? cls->state_align :
							   sizeof(void *);
	/* aligned_alloc wants a size that is a multiple of the alignment. */
	size_t size = (cls->state_size + align - 1) & ~(align - 1);
	int rc;

	cell->cls = cls;
	cell->flags = 0;
	if (size == 0)
		size = align;
	cell->state = aligned_alloc(align, size);
	if (cell->state == NULL) {
		rti_log(sys, RT_LOG_ERROR, "actor %s failed to start: %s",
		    cls->name, rt_strerror(RT_ENOMEM));
		actor_exit(w, cell, RT_ENOMEM);
		return;
	}
	memset(cell->state, 0, size);
	if (ck_pr_load_32(&sys->stopping)) {
		actor_exit(w, cell, RT_ESHUTDOWN);
		return;
	}
	if (cls->on_start != NULL) {
		w->ctx.cell = cell;
		w->ctx.gen = env->gen;
		rc = cls->on_start(cell->state, &w->ctx, rt_env_payload(env));
		w->ctx.cell = NULL;
		if (rc != 0) {
			rti_log(sys, RT_LOG_ERROR,
			    "actor %s failed to start: %s (%d)", cls->name,
			    reason_text(rc), rc);
			actor_exit(w, cell, rc);
			return;
		}
	}
	cell->flags |= RTI_CELL_STARTED;
	if (cell->flags & RTI_CELL_STOPPING)
		actor_exit(w, cell, cell->stop_reason);
}

static void
actor_deliver(rti_worker *w, rt_cell *cell, rt_env *env)
{
	rt_system *sys = w->sys;
	const rt_actor_class *cls = cell->cls;
	int rc;

	if (cls == NULL || env->gen != ck_pr_load_64(&cell->gen)) {
		/* Sent to an earlier incarnation that has stopped. */
		rti_count(sys, dead, 1);
		return;
	}
	if (ck_pr_load_32(&sys->stopping)) {
		rti_count(sys, dead, 1);
		actor_exit(w, cell, RT_ESHUTDOWN);
		return;
	}
	w->ctx.cell = cell;
	w->ctx.gen = env->gen;
	rc = cls->dispatch(cell->state, &w->ctx, env->tag, rt_env_payload(env));
	w->ctx.cell = NULL;
	rti_count(sys, handled, 1);
	if (rc != 0) {
		rti_log(sys, RT_LOG_ERROR,
		    "actor %s crashed: %s (%d) while handling %s", cls->name,
		    reason_text(rc), rc, tag_name(cls, env->tag));
		actor_exit(w, cell, rc);
	} else if (cell->flags & RTI_CELL_STOPPING) {
		actor_exit(w, cell, cell->stop_reason);
	}
}

void
rti_actor_run(rti_worker *w, rt_cell *cell)
{
	unsigned n;

	for (n = 0; n < RTI_BATCH; n++) {
		rti_mpsc_node *node = rti_mailbox_pop(&cell->mb);
		rt_env *env;

		if (node == NULL)
			break;
		env = rti_env_of(node);
		switch ((enum rti_env_kind)env->kind) {
		case RTI_ENV_MSG:
			actor_deliver(w, cell, env);
			break;
		case RTI_ENV_START:
			actor_start(w, cell, env);
			break;
		case RTI_ENV_STOP:
			if (cell->cls != NULL &&
			    env->gen == ck_pr_load_64(&cell->gen))
				actor_exit(w, cell, env->reason);
			break;
		}
		rti_env_free(env);
	}
	if (n < RTI_BATCH && rti_mailbox_try_idle(&cell->mb))
		return;
	rti_sched_ready(w->sys, cell);
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
}

bool
rt_actor_alive(rt_ref ref)
{
	return ref.cell != NULL && (ref.gen & 1) != 0 &&
	    rti_cell_gen(ref.cell) == ref.gen;
}
