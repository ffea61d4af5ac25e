/* SPDX-License-Identifier: MIT */
/*
 * Actors: running a cell's mailbox (spawning and the calls about an actor
 * are in actor_api.c).
 *
 * Everything inside a cell other than its mailbox head, its generation and
 * the few fields senders read (bound, count, mute list) is touched only by
 * the holder of the cell's run token, so none of it needs atomics. That is
 * why spawning does not initialise the cell directly: it queues a start
 * signal, and the worker that runs the cell creates the state and calls
 * on_start. A cell recycled from an earlier actor may still be receiving
 * late messages for that actor while it is being reused; they carry the old
 * generation and become dead letters, whoever runs them.
 *
 * A run first drains the mailbox into two lanes owned by the cell, acting on
 * signals (start, stop) as it meets them, so that a stop overtakes the
 * messages queued before it; then it handles up to RTI_BATCH messages, high
 * priority first, each lane in arrival order. Messages that arrive during a
 * run wait for the next one, so a busy actor cannot starve the others.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "actor_int.h"
#include "ask_int.h"
#include "bonds.h"
#include "clock.h"
#include "envelope.h"
#include "flow.h"
#include "io.h"
#include "pool.h"
#include "log.h"
#include "park.h"
#include "probes.h"
#include "registry_int.h"
#include "report.h"
#include "send_int.h"
#include "supervisor_int.h"
#include "system_int.h"
#include "testkit.h"
#include "thread.h"
#include "undelivered.h"

/* At most this many envelopes are moved into the lanes per run. */
#define DRAIN_LIMIT 4096

/* --- lanes --------------------------------------------------------------- */

static void
lane_append(rt_env **head, rt_env **tail, rt_env *env)
{
	env->node.next = NULL;
	if (*tail != NULL)
		(*tail)->node.next = &env->node;
	else
		*head = env;
	*tail = env;
}

/* The next message: high priority first. NULL when both lanes are empty. */
static rt_env *
lane_take(rt_cell *cell)
{
	rt_env *env;

	if (cell->urgent_head != NULL) {
		env = cell->urgent_head;
		cell->urgent_head = (rt_env *)env->node.next;
		if (cell->urgent_head == NULL)
			cell->urgent_tail = NULL;
	} else if (cell->normal_head != NULL) {
		env = cell->normal_head;
		cell->normal_head = (rt_env *)env->node.next;
		if (cell->normal_head == NULL)
			cell->normal_tail = NULL;
	} else {
		return NULL;
	}
	return env;
}

/*
 * The lanes' statistics, brought up to date once per run rather than once
 * per message: the messages taken from the lanes leave `queued`, and those
 * handled join the actor's and the worker's `handled`. Before anything
 * that reads them: the end of a run, an exit.
 */
static inline void
settle(rti_worker *w, rt_cell *cell)
{
	uint32_t taken = w->run_taken, handled;

	if (taken == 0)
		return;
	/* What was taken and not handled became a dead letter. */
	handled = taken - w->run_dead;
	RT_STORE_RELAXED(&w->run_taken, 0);
	w->run_dead = 0;
	/* Owner-written; readers load them atomically. */
	ck_pr_store_32(&cell->queued, cell->queued - taken);
	if (handled != 0) {
		ck_pr_store_64(&cell->handled, cell->handled + handled);
		rti_count_w(w->sys, w, handled, handled);
	}
}

/*
 * A message leaves the cell for good: free it, and note that its place in
 * a bounded mailbox is free (given back by release_places()).
 */
static void
retire(rt_cell *cell, rt_env *env)
{
	if (env->flags & RTI_ENV_COUNTED)
		cell->retired++;
	rti_env_free(env);
}

/*
 * Give back the places of the counted messages retired since the last call.
 * Once per run rather than once per message: the count's cache line is
 * shared with every sender, and a locked operation on it per message cost
 * more than the message itself with the sender on another core.
 */
static void
release_places(rt_cell *cell)
{
	uint32_t n = cell->retired, left;

	if (n == 0)
		return;
	cell->retired = 0;
	left = ck_pr_faa_32(&cell->count, (uint32_t)-n) - n;
	if (left < ck_pr_load_32(&cell->bound))
		rti_room_made(cell);
}

/* A message for `cell` that will not be handled. */
static void
dead(rti_worker *w, rt_cell *cell, rt_env *env, rt_dead_cause cause, bool ours)
{
	/* rt_trace's switch, in the lane of an actor that stops: not a
	 * message, so no dead letter. */
	if (env->kind == RTI_ENV_TRACE) {
		retire(cell, env);
		return;
	}
	if (ours)
		ck_pr_store_64(&cell->dead, cell->dead + 1);
	rti_undelivered(w->sys, ours ? cell->cls : NULL, env, cause);
	retire(cell, env);
}

/* --- the stash ----------------------------------------------------------- */

/*
 * The message in hand stays (rt_stash, or a state machine's postpone): it
 * leaves the lanes without being handled, so the run counts it as neither
 * handled nor dead, and it keeps its place in a bounded mailbox. The
 * handler asked for it, so the extension exists (rt_stash made it).
 */
static void
stash_keep(rti_worker *w, rt_cell *cell, rt_env *env)
{
	struct rti_ext *x = cell->ext;

	w->run_dead++;
	lane_append(&x->stash_head, &x->stash_tail, env);
	/* Relaxed: a statistic (rt_stats_actor). */
	RT_STORE_RELAXED(&x->stashed, x->stashed + 1);
}

/*
 * rt_unstash_all: the kept messages go back to the front of the normal
 * lane, in their order, before everything still queued (which came later).
 * High-priority messages still go first, as always. Says whether there
 * were any.
 */
static bool
stash_return(rt_cell *cell)
{
	struct rti_ext *x = cell->ext;

	if (x == NULL || x->stash_head == NULL)
		return false;
	x->stash_tail->node.next = cell->normal_head != NULL ?
	    &cell->normal_head->node :
	    NULL;
	if (cell->normal_head == NULL)
		cell->normal_tail = x->stash_tail;
	cell->normal_head = x->stash_head;
	/* Owner-written; readers load them atomically. */
	ck_pr_store_32(&cell->queued, cell->queued + x->stashed);
	if (cell->queued > cell->high_water)
		ck_pr_store_32(&cell->high_water, cell->queued);
	x->stash_head = NULL;
	x->stash_tail = NULL;
	RT_STORE_RELAXED(&x->stashed, 0);
	return true;
}

/*
 * The incarnation ends (a stop, or a crash before a restart): what it kept
 * is dead, as gen_statem's postponed events die with their process. The
 * places they held are given back with the others (release_places).
 */
static void
stash_drop(rti_worker *w, rt_cell *cell, struct rti_ext *x)
{
	rt_env *env = x->stash_head;

	x->stash_head = NULL;
	x->stash_tail = NULL;
	RT_STORE_RELAXED(&x->stashed, 0);
	while (env != NULL) {
		rt_env *next = (rt_env *)env->node.next;

		dead(w, cell, env, RT_DEAD_STASHED, true);
		env = next;
	}
}

/* --- life and death ------------------------------------------------------ */

static const char *
tag_name(const rt_actor_class *cls, uint32_t tag)
{
	if (cls->tag_names != NULL && tag < cls->ntags)
		return cls->tag_names[tag];
	return "?";
}

/* Not crashes: a normal exit, shutdown, and a stand-in for an actor on
 * another node that is gone (rt/node.h). */
static int
is_crash(int reason)
{
	return reason != RT_NORMAL && reason != RT_ESHUTDOWN &&
	    reason != RT_ENODE;
}

/*
 * Actor state: from the pools when its alignment allows (blocks are aligned
 * for any standard type, like malloc's), else aligned_alloc. Either way an
 * ordinary free() can release it.
 */
static bool
state_pooled(const rt_actor_class *cls)
{
	return cls->state_align <= _Alignof(max_align_t);
}

static void *
state_alloc(const rt_actor_class *cls)
{
	size_t align = cls->state_align, size;

	if (state_pooled(cls))
		return rti_block_alloc(cls->state_size ? cls->state_size : 1);
	/* aligned_alloc wants a size that is a multiple of the alignment. */
	size = (cls->state_size + align - 1) & ~(align - 1);
	return aligned_alloc(align, size ? size : align);
}

static void
state_free(const rt_actor_class *cls, void *state)
{
	if (state_pooled(cls))
		rti_block_free(state, cls->state_size ? cls->state_size : 1);
	else
		free(state);
}

/*
 * The incarnation in `cell` exits with `reason`. It stops for good unless
 * it is a supervised child whose supervisor lives and the exit is not
 * `final`: then the cell keeps its ref and its mailbox, and waits for its
 * supervisor to restart it or stop it for good.
 */
static void
actor_exit(rti_worker *w, rt_cell *cell, int reason, bool final)
{
	rt_system *sys = w->sys;
	const rt_actor_class *cls = cell->cls;
	uint64_t gen = cell->live_gen;
	struct rti_ext *x = cell->ext;
	bool wait;
	rt_env *env;

	/* A waiting child has no class in the cell (see below): it is in
	 * its kept start signal. */
	if (cls == NULL && x != NULL && x->start != NULL)
		cls = cell->cls = x->start->u.cls;
	settle(w, cell);
	/* Relaxed: shutdown stops every child for good anyway. */
	wait = !final && x != NULL && !rt_ref_is_null(x->parent) &&
	    !ck_pr_load_32(&sys->stopping) && rti_ref_alive(x->parent);
	if (RTI_PROBE_ON(exit))
		rti_probe_exit(cell, gen, cls, reason, wait);
	/* From here on, sends fail with RT_ENOACTOR. */
	if (!wait)
		rti_cell_set_gen(cell, gen + 1);
	if ((cell->flags & RTI_CELL_STARTED) && cls->on_stop != NULL) {
		w->ctx.cell = cell;
		w->ctx.gen = gen;
		cls->on_stop(cell->state, &w->ctx, reason);
		w->ctx.cell = NULL;
	}
	/* Asks, links, monitors and descriptors live in the extension;
	 * most actors have none (and pay no call for them), and a child
	 * of a supervisor has links only. The descriptors go with the
	 * incarnation, restarted or not. */
	if (x != NULL) {
		if (x->stash_head != NULL)
			stash_drop(w, cell, x);
		if (x->io != NULL)
			rti_io_exit(cell);
		if (x->asks != NULL)
			rti_asks_free(cell);
		if (!(cell->flags & RTI_CELL_WAITING))
			rti_bonds_exit(cell, gen, reason);
	}
	/* A child waiting for its restart keeps its state block for the
	 * next incarnation, which needs one of the same class. */
	if (cell->state != NULL) {
		if (wait)
			x->spare_state = cell->state;
		else
			state_free(cls, cell->state);
	}
	cell->state = NULL;
	if (is_crash(reason))
		rti_count_w(sys, w, crashed, 1);
	if (wait) {
		/* No class in the cell while it waits: a run then skips
		 * handle() with the test it makes anyway, and the messages
		 * stay in the lanes. A traced child stays traced. */
		cell->flags = RTI_CELL_WAITING |
		    (cell->flags & RTI_CELL_TRACED);
		cell->cls = NULL;
		return;
	}
	/* Its name is free again. Relaxed: a hint, exact under the
	 * registry's lock; a registration racing with this stop is dealt
	 * with there (runtime/registry.c). */
	if (ck_pr_load_32(&cell->named) != 0)
		rti_registry_forget(sys->registry, cell);
	if (x != NULL) {
		rti_sup_forget(cell, cls);
		if (x->spare_state != NULL) {
			state_free(cls, x->spare_state);
			x->spare_state = NULL;
		}
	}
	/* What it had not handled yet is dead. */
	while ((env = lane_take(cell)) != NULL)
		dead(w, cell, env, RT_DEAD_STOPPED, true);
	ck_pr_store_32(&cell->queued, 0);
	release_places(cell);
	/*
	 * Plain threads waiting for room and muted actors must learn that
	 * the target is gone (the new generation is published above; they
	 * re-check it after announcing themselves). Only a bounded mailbox
	 * ever has either.
	 */
	if (ck_pr_load_32(&cell->bound) != 0)
		rti_flow_gone(cell);
	cell->cls = NULL;
	cell->live_gen = 0;
	cell->flags = 0;
	/* The next incarnation starts its statistics from zero. */
	ck_pr_store_64(&cell->handled, 0);
	ck_pr_store_64(&cell->dead, 0);
	ck_pr_store_32(&cell->high_water, 0);
	rti_count_w(sys, w, stopped, 1);
	/* An actor thread is done with the cell: what comes to it now is
	 * the workers' (thread.c). Relaxed: the cell's release to the free
	 * list publishes it to the next spawner. */
	if (x != NULL && x->thread != NULL)
		ck_pr_store_ptr(&x->thread, NULL);
	rti_cell_release(&sys->cells, &w->cell_cache, cell);
	/*
	 * Last: taken off `live` later, in a batch (the word is shared with
	 * every thread that spawns, and a locked operation on it per exit
	 * cost more than the rest of a spawn). Past two batches, not one,
	 * so that a worker whose spawns and exits alternate around a batch
	 * does not give back the places its next spawn takes again.
	 */
	if (++w->live_over >= 2 * RTI_LIVE_BATCH)
		rti_live_flush(w);
}

void
rti_live_add(rt_system *sys, int64_t d)
{
	/*
	 * Once a waiter sees zero live actors, every exit that made it so is
	 * complete, cell recycled included: the locked add and the mutex
	 * order it after everything those exits did.
	 */
	if (ck_pr_faa_64(&sys->live, (uint64_t)d) == (uint64_t)-d) {
		pthread_mutex_lock(&sys->lock);
		sys->idle_epoch++;
		pthread_cond_broadcast(&sys->cond);
		pthread_mutex_unlock(&sys->lock);
	}
}

void
rti_live_flush(rti_worker *w)
{
	int64_t d = w->live_over;

	if (d == 0)
		return;
	w->live_over = 0;
	rti_live_add(w->sys, -d);
}

/*
 * Create the state of the incarnation in `cell` (in `state`, a block of
 * its class, or a new one when NULL) and run its on_start with the
 * arguments in `start` (its start signal). A supervised child then tells
 * its supervisor it has started if `report` says the supervisor waits for
 * that (a supervisor child says so itself, once its own children have
 * started). Inline: a spawn's path.
 */
static inline __attribute__((always_inline)) void
incarnate(rti_worker *w, rt_cell *cell, rt_env *start, bool report, void *state)
{
	rt_system *sys = w->sys;
	const rt_actor_class *cls = cell->cls;
	struct rti_ext *x = cell->ext;
	bool child = x != NULL && !rt_ref_is_null(x->parent);
	int rc;

	/* A restart keeps rt_trace's switch; a new actor's cell has none. */
	cell->flags &= RTI_CELL_TRACED;
	cell->state = state != NULL ? state : state_alloc(cls);
	if (cell->state == NULL) {
		rti_crash_report(sys, cell, RT_ENOMEM, NULL, 0, NULL);
		actor_exit(w, cell, RT_ENOMEM, false);
		return;
	}
	memset(cell->state, 0, cls->state_size);
	if (ck_pr_load_32(&sys->stopping)) {
		actor_exit(w, cell, RT_ESHUTDOWN, true);
		return;
	}
	/* A child is linked to its supervisor (which links itself to the
	 * child when it starts or restarts it). */
	if (child && rti_bond_add_link(cell, x->parent) != 0) {
		rti_crash_report(sys, cell, RT_ENOMEM, NULL, 0, NULL);
		actor_exit(w, cell, RT_ENOMEM, false);
		return;
	}
	if (cls->on_start != NULL) {
		w->ctx.cell = cell;
		w->ctx.gen = cell->live_gen;
		rc = cls->on_start(cell->state, &w->ctx, rt_env_payload(start));
		w->ctx.cell = NULL;
		if (rc != 0) {
			rti_crash_report(sys, cell, rc, NULL, 0, NULL);
			actor_exit(w, cell, rc, false);
			return;
		}
	}
	cell->flags |= RTI_CELL_STARTED;
	if (report && child && cls != &rti_sup_class) {
		rt_ref self = { cell, cell->live_gen };

		rti_send_sup(x->parent, self, 0, x->slot, RTI_BOND_STARTED);
	}
	if (cell->flags & RTI_CELL_STOPPING)
		actor_exit(w, cell, cell->stop_reason, false);
}

/*
 * A start signal: a new incarnation in `cell`. Returns true when the cell
 * keeps the envelope (a supervised child's, for its restarts).
 */
static bool
actor_start(rti_worker *w, rt_cell *cell, rt_env *env)
{
	struct rti_child_start *t;
	struct rti_ext *x;

	/* Counted here, not by the spawning thread: a worker's own
	 * counter needs no locked add. */
	rti_count_w(w->sys, w, spawned, 1);
	cell->cls = env->u.cls;
	cell->live_gen = env->gen;
	cell->flags = 0;
	cell->state = NULL;
	if (!(env->flags & RTI_ENV_CHILD)) {
		incarnate(w, cell, env, false, NULL);
		return false;
	}
	t = rti_env_trailer(env, sizeof(*t));
	x = rti_ext_get(cell);
	if (x == NULL) {
		free(t->path);
		rti_crash_report(w->sys, cell, RT_ENOMEM, NULL, 0, NULL);
		actor_exit(w, cell, RT_ENOMEM, true);
		return false;
	}
	x->parent = t->parent;
	x->slot = t->slot;
	/* Relaxed: a statistic that rt_system_dump reads; the dump checks
	 * the generation again after reading it. */
	RT_STORE_RELAXED(&x->restarts, 0);
	x->start = env;
	/* Release: the watchdog reads the path of a running actor. */
	RT_TSAN_RELEASE(&x->path);
	ck_pr_fence_store();
	ck_pr_store_ptr(&x->path, t->path);
	t->path = NULL;
	if (t->wait) {
		/* Until its supervisor has taken it in (on_adopt), as a
		 * child waits for its restart (see actor_exit). */
		cell->flags = RTI_CELL_WAITING;
		cell->cls = NULL;
	} else {
		/* A first start: its supervisor goes on from its STARTED. */
		incarnate(w, cell, env, true, NULL);
	}
	return true;
}

/* A supervised child waiting in `cell` starts again (RESTART signal). */
static void
actor_restart(rti_worker *w, rt_cell *cell, rt_env *env)
{
	struct rti_bond_msg *m = rt_env_payload(env);
	struct rti_ext *x = cell->ext;
	bool first = m->path != NULL;
	void *state;

	if (!(cell->flags & RTI_CELL_WAITING) || x == NULL ||
	    x->start == NULL) {
		free(m->path);
		return;
	}
	if (first) {
		/* The first start of a child of rt_sup_start_child. */
		x->slot = m->slot;
		RT_TSAN_RELEASE(&x->path);
		ck_pr_fence_store();
		ck_pr_store_ptr(&x->path, m->path);
		m->path = NULL;
	} else {
		/* Relaxed: a statistic (see actor_start). */
		RT_STORE_RELAXED(&x->restarts, x->restarts + 1);
		rti_count_w(w->sys, w, restarts, 1);
	}
	cell->cls = x->start->u.cls;
	if (!first && RTI_PROBE_ON(restart))
		rti_probe_restart(cell, x->restarts);
	state = x->spare_state;
	x->spare_state = NULL;
	incarnate(w, cell, x->start, m->what == RTI_BOND_STARTED, state);
}

/* Whether an envelope is a message of normal priority (the common case:
 * kind and priority are both 0, one 16-bit test). */
static inline bool
plain_msg(const rt_env *env)
{
	uint16_t kp;

	_Static_assert(RTI_ENV_MSG == 0 && RT_PRIO_NORMAL == 0,
	    "plain_msg tests kind and priority for zero together");
	_Static_assert(offsetof(rt_env, prio) == offsetof(rt_env, kind) + 1,
	    "kind and priority are adjacent");
	memcpy(&kp, &env->kind, sizeof(kp));
	return kp == 0;
}

/*
 * Act on a control signal. Returns true when the envelope is no longer
 * the caller's to free (kept, or queued as a message).
 */
static bool
signal(rti_worker *w, rt_cell *cell, rt_env *env)
{
	bool waiting = (cell->flags & RTI_CELL_WAITING) != 0, final;
	int reason;

	if (env->kind == RTI_ENV_START)
		return actor_start(w, cell, env);
	/* live_gen is 0 in a cell without an actor. */
	if (env->gen != cell->live_gen) {
		/* For an incarnation that is gone. */
		rti_bond_stale(env);
		return false;
	}
	switch (env->kind) {
	case RTI_ENV_STOP:
		/* Relaxed: shutdown's stops are for good. */
		final = (env->flags & RTI_ENV_FINAL) != 0 ||
		    ck_pr_load_32(&w->sys->stopping) != 0;
		/* A supervisor stops its children first, in reverse order
		 * and within their shutdown times: a message to itself.
		 * Shutdown does not wait for that. */
		if (cell->cls == &rti_sup_class && !waiting &&
		    !ck_pr_load_32(&w->sys->stopping)) {
			rt_ref self = { cell, cell->live_gen };

			rti_send_sup(self, self, env->v.reason,
			    (env->flags & RTI_ENV_FINAL) != 0, RTI_BOND_STOP);
			return false;
		}
		/* A waiting child has exited already. */
		if (!waiting || final)
			actor_exit(w, cell, env->v.reason, final);
		return false;
	case RTI_ENV_RESTART:
		actor_restart(w, cell, env);
		return false;
	case RTI_ENV_TRACE:
		/* In order with the messages: it waits in the lane as one
		 * does, and handle() turns the switch when it comes to it
		 * (trace_switch). Not a message sent: never counted as one. */
		env->flags = RTI_ENV_ODD;
		lane_append(&cell->normal_head, &cell->normal_tail, env);
		ck_pr_store_32(&cell->queued, cell->queued + 1);
		return true;
	default:
		break;
	}
	switch (rti_bond_signal(cell, env, &reason, &final)) {
	case RTI_BOND_QUEUE:
		rti_count_w(w->sys, w, sent, 1);
		lane_append(&cell->normal_head, &cell->normal_tail, env);
		ck_pr_store_32(&cell->queued, cell->queued + 1);
		return true;
	case RTI_BOND_EXIT:
		if (!waiting || final)
			actor_exit(w, cell, reason, final);
		return false;
	case RTI_BOND_FREE:
		break;
	}
	return false;
}

/*
 * Move what has arrived into the lanes, acting on signals on the way.
 * Messages for an earlier incarnation are dead letters. The normal lane's
 * tail and the live generation stay in registers while only messages of
 * normal priority come; anything else goes through the cell.
 */
static inline __attribute__((always_inline)) void
drain(rti_worker *w, rt_cell *cell)
{
	rt_env *ntail = cell->normal_tail;
	uint64_t live = cell->live_gen;
	/* The mailbox's end too: see rti_mailbox_pop_at. */
	rti_mpsc_node *mtail = cell->mb.tail, *mtail0 = mtail;
	uint32_t added = 0;
	unsigned n;

	for (n = 0; n < DRAIN_LIMIT; n++) {
		rti_mpsc_node *node = rti_mailbox_pop_at(&cell->mb, &mtail);
		rt_env *env;

		if (node == NULL)
			break;
		env = rti_env_of(node);
		/* live_gen, not gen: gen shares its cache line with the head
		 * every sender swaps. */
		if (__builtin_expect(plain_msg(env) && env->gen == live, 1)) {
			env->node.next = NULL;
			if (ntail != NULL)
				ntail->node.next = &env->node;
			else
				cell->normal_head = env;
			ntail = env;
			added++;
			continue;
		}
		cell->normal_tail = ntail;
		rti_mailbox_set_tail(&cell->mb, mtail);
		mtail0 = mtail;
		if (env->kind == RTI_ENV_MSG) {
			if (env->gen != live)
				dead(w, cell, env, RT_DEAD_STOPPED, false);
			else {
				/* RT_PRIO_HIGH */
				lane_append(&cell->urgent_head,
				    &cell->urgent_tail, env);
				added++;
			}
			continue;
		}
		/* REPLY, DOWN, SUP or IO (envelope.h): one comparison. */
		if ((unsigned)env->kind - RTI_ENV_REPLY <=
		    RTI_ENV_IO - RTI_ENV_REPLY) {
			/* An answer, a down, a supervisor's event or a
			 * readiness is handled like a message, unless the
			 * answer's ask is no longer pending: late, or a
			 * second one. */
			if (env->gen != live)
				dead(w, cell, env, RT_DEAD_STOPPED, false);
			else if (env->kind == RTI_ENV_REPLY &&
			    !rti_reply_arrived(cell, env))
				dead(w, cell, env, RT_DEAD_EXPIRED, true);
			else {
				lane_append(&cell->normal_head,
				    &cell->normal_tail, env);
				ntail = env;
				added++;
			}
			continue;
		}
		/* A signal may stop the actor: the lanes' count first
		 * (owner-written; readers load it atomically). */
		if (added != 0) {
			ck_pr_store_32(&cell->queued, cell->queued + added);
			added = 0;
		}
		if (!signal(w, cell, env))
			rti_env_free(env);
		/* Either may have changed both. */
		ntail = cell->normal_tail;
		live = cell->live_gen;
	}
	/* What the cell holds is mtail0 (the sentinel comes round again,
	 * so compare with what was stored, not with where it started). */
	if (mtail != mtail0)
		rti_mailbox_set_tail(&cell->mb, mtail);
	cell->normal_tail = ntail;
	if (added != 0)
		ck_pr_store_32(&cell->queued, cell->queued + added);
	if (cell->queued > cell->high_water)
		ck_pr_store_32(&cell->high_water, cell->queued);
}

/* The lane being handled now starts at `env` (NULL: it is empty). */
static inline void
lane_rest(rt_cell *cell, bool urgent, rt_env *env)
{
	if (urgent) {
		cell->urgent_head = env;
		if (env == NULL)
			cell->urgent_tail = NULL;
	} else {
		cell->normal_head = env;
		if (env == NULL)
			cell->normal_tail = NULL;
	}
}

/*
 * A handled message leaves: into the worker's cache directly when it is
 * an ordinary pooled block (`w` is at hand, the flags were loaded anyway),
 * else through retire().
 */
static inline void
retire_w(rti_worker *w, rt_cell *cell, rt_env *env)
{
	unsigned c = env->pool;

	if (RTI_POOLS && !(env->flags & (RTI_ENV_COUNTED | RTI_ENV_SHARED)) &&
	    c != 0) {
		rti_env_cache *cache = &w->env_cache[c - 1];

		rti_cache_push(cache, env);
		if (cache->count >= RTI_ENV_BATCH)
			rti_block_spill(w, c);
		return;
	}
	retire(cell, env);
}

/* What the checks around a handler tell handle() to do. */
enum next_step {
	STEP_ON,   /* go on (before the handler: call it) */
	STEP_SKIP, /* the message was dead: take the next one */
	STEP_END,  /* the run ends here */
	STEP_DOWN, /* before the handler: a down, for on_down */
};

/*
 * Before the handler, for a message with a time-to-live, or when shutdown
 * has begun. The lane already starts after `env`.
 */
static enum next_step __attribute__((noinline))
before_odd(rti_worker *w, rt_cell *cell, rt_env *env, const void **msg)
{
	rt_system *sys = w->sys;

	if (env->flags & RTI_ENV_TTL) {
		/* One clock read per run is enough: a message is at most
		 * one batch late in expiring. */
		if (w->now == 0)
			w->now = rti_sys_now(sys);
		if (w->now > env->u.deadline) {
			w->ctx.cell = NULL;
			w->run_dead++;
			dead(w, cell, env, RT_DEAD_EXPIRED, true);
			w->ctx.cell = cell;
			return STEP_SKIP;
		}
	}
	/* Relaxed, as in handle(). */
	if (ck_pr_load_32(&sys->stopping)) {
		w->ctx.cell = NULL;
		w->run_dead++;
		dead(w, cell, env, RT_DEAD_STOPPED, true);
		actor_exit(w, cell, RT_ESHUTDOWN, true);
		return STEP_END;
	}
	if (env->flags & RTI_ENV_ODD)
		return STEP_DOWN;
	*msg = rti_env_msg(env);
	return STEP_ON;
}

/*
 * What the worker's alert is for a run of `cell`, and after each message
 * after_odd() let through: set when every handler's return needs
 * after_odd(), even a success: a test system records each message, and
 * a traced actor's are logged (rt_trace). Read once per run, so that the
 * switch costs the loop nothing (and the run no more than the test of
 * `test` it replaces: a load, an and, an or).
 */
static inline uint32_t
alert_of(const rti_worker *w, const rt_cell *cell)
{
	return (cell->flags & RTI_CELL_TRACED) | w->alert0;
}

/*
 * After a handler that failed or raised the worker's alert: the test
 * kit's record, the trace, a crash, rt_stop, muting. The lane already
 * starts after `env`, and the handler context is cleared.
 */
static enum next_step __attribute__((noinline))
after_odd(rti_worker *w, rt_cell *cell, rt_env *env, int rc)
{
	rt_system *sys = w->sys;
	const rt_actor_class *cls = cell->cls;

	bool down = (env->flags & RTI_ENV_ODD) != 0;
	/* rt_stash: kept, unless the handler crashed (then it is the
	 * message in hand of the crash, lost as such). Not handled yet:
	 * neither recorded nor traced. */
	bool keep = w->stash && rc == 0, again = w->unstash;

	w->stash = false;
	w->unstash = false;
	w->ctx.cell = NULL;
	if (keep)
		stash_keep(w, cell, env);
	else if (w->test != NULL && !down)
		rti_test_record(sys, w->test, cell, env->gen, cls, env->v.tag);
	if ((cell->flags & RTI_CELL_TRACED) && !keep) {
		if (down)
			rti_trace_report(sys, cell, rc, rti_env_name(cls, env),
			    0, NULL);
		else
			rti_trace_report(sys, cell, rc,
			    tag_name(cls, env->v.tag), env->v.tag,
			    rti_env_msg(env));
	}
	if (rc != 0) {
		if (down)
			rti_crash_report(sys, cell, rc,
			    env->kind == RTI_ENV_IO ? "io" : "down", 0, NULL);
		else
			rti_crash_report(sys, cell, rc,
			    tag_name(cls, env->v.tag), env->v.tag,
			    rti_env_msg(env));
		retire(cell, env);
		actor_exit(w, cell, rc, false);
		return STEP_END;
	}
	if (!keep)
		retire(cell, env);
	if (cell->flags & RTI_CELL_STOPPING) {
		if (is_crash(cell->stop_reason))
			rti_crash_report(sys, cell, cell->stop_reason, NULL, 0,
			    NULL);
		actor_exit(w, cell, cell->stop_reason, false);
		return STEP_END;
	}
	/* rt_unstash_all: the run ends, as the lane in hand is in handle()'s
	 * registers; the next run starts with the messages put back (the
	 * cell has them in its lanes, so it is run again). */
	if (again && stash_return(cell))
		return STEP_END;
	if (w->mute_on != NULL)
		return STEP_END;
	w->alert = alert_of(w, cell);
	w->ctx.cell = cell;
	return STEP_ON;
}

/*
 * rt_trace's switch, come to in the lane (signal()): it applies to the
 * messages after it. Taken from the lane but not handled: counted as
 * neither.
 */
static void __attribute__((noinline))
trace_switch(rti_worker *w, rt_cell *cell, rt_env *env)
{
	if (env->v.reason != 0)
		cell->flags |= RTI_CELL_TRACED;
	else
		cell->flags &= (uint16_t)~RTI_CELL_TRACED;
	w->alert = alert_of(w, cell);
	w->run_dead++;
	retire(cell, env);
}

/* A message not for the dispatch switch: a down, a supervisor's event,
 * a readiness. */
static int __attribute__((noinline))
odd_deliver(rti_worker *w, rt_cell *cell, rt_env *env, bool watched,
    bool probed)
{
	bool io = env->kind == RTI_ENV_IO;

	if (watched)
		RT_STORE_RELAXED(&w->wd_tag, io ? RTI_WD_IO : RTI_WD_DOWN);
	if (probed && RTI_PROBE_ON(handle_start))
		rti_probe_handle(cell, env, false, 0);
	return io ? rti_io_deliver(cell, &w->ctx, env) :
		    rti_down_deliver(cell, &w->ctx, env);
}

/*
 * Handle up to RTI_BATCH messages of the live actor in `cell`, high
 * priority first. Stops early when the actor stops or is to be muted.
 *
 * The common message costs one test before its handler (flags for a
 * time-to-live or a shared body, and the stopping flag) and one after
 * (the result and the worker's alert); the lane being handled is kept in
 * a register and written back before anything else looks at it. Nothing
 * adds to the lanes during a run, and the handler context is the run's:
 * every message in the lanes is for the live incarnation (drain).
 *
 * `watched` (a constant, see run()) says the system has a watchdog, which
 * samples the message count and tag of each message; `probed` (likewise)
 * that the handle probes may be traced (probes.h).
 */
static inline __attribute__((always_inline)) void
handle(rti_worker *w, rt_cell *cell, const bool watched, const bool probed)
{
	rt_system *sys = w->sys;
	const rt_actor_class *cls = cell->cls;
	void *state;
	rt_env *env;
	bool urgent;
	unsigned n;

	/* The live actor's class and state do not change until it exits,
	 * and every exit ends the loop. A child waiting for its restart
	 * has no class here, and keeps its messages. So has a cell with no
	 * actor at all, run for late messages (drain made them dead): its
	 * `state` is the free list's link then, which the worker that freed
	 * it may be writing, so it is read only once the class says an
	 * actor lives here. */
	if (cls == NULL)
		return;
	state = cell->state;
	urgent = cell->urgent_head != NULL;
	env = urgent ? cell->urgent_head : cell->normal_head;
	w->alert = alert_of(w, cell);
	w->ctx.cell = cell;
	w->ctx.gen = cell->live_gen;
	for (n = 0; n < RTI_BATCH; n++) {
		const void *msg;
		rt_env *next;
		uint32_t tag;
		int rc;

		if (env == NULL) {
			if (!urgent)
				break;
			/* The urgent lane is done: on to the normal one. */
			cell->urgent_head = NULL;
			cell->urgent_tail = NULL;
			urgent = false;
			env = cell->normal_head;
			if (env == NULL)
				break;
		}
		msg = rt_env_payload(env);
		next = (rt_env *)env->node.next;
		tag = env->v.tag;
		if (watched) {
			/* Relaxed: the watchdog samples them. */
			RT_STORE_RELAXED(&w->run_taken, n + 1);
			RT_STORE_RELAXED(&w->wd_tag, tag);
		} else {
			w->run_taken = n + 1;
		}
		/* Relaxed: checked before each message, so an actor stops
		 * after the message in hand once shutdown begins. */
		if (__builtin_expect((env->flags &
					 (RTI_ENV_TTL | RTI_ENV_SHARED |
					     RTI_ENV_ODD)) != 0 ||
			    ck_pr_load_32(&sys->stopping) != 0,
			0)) {
			if ((env->flags & RTI_ENV_TTL) ||
			    ck_pr_load_32(&sys->stopping)) {
				lane_rest(cell, urgent, next);
				switch (before_odd(w, cell, env, &msg)) {
				case STEP_ON:
					break;
				case STEP_SKIP:
					env = next;
					continue;
				case STEP_END:
					return;
				case STEP_DOWN:
					rc = odd_deliver(w, cell, env, watched,
					    probed);
					goto handled;
				}
			} else if (env->flags & RTI_ENV_ODD) {
				/* A down, a supervisor's event, a readiness
				 * (a supervisor's every message): nothing
				 * for before_odd to check. Or rt_trace's
				 * switch. */
				lane_rest(cell, urgent, next);
				if (env->kind == RTI_ENV_TRACE) {
					trace_switch(w, cell, env);
					env = next;
					continue;
				}
				rc = odd_deliver(w, cell, env, watched, probed);
				goto handled;
			} else {
				/* Only a topic's shared body (broker's every
				 * message): no call for it. */
				msg = rti_env_msg(env);
			}
		}
		if (probed && RTI_PROBE_ON(handle_start))
			rti_probe_handle(cell, env, false, 0);
		rc = cls->dispatch(state, &w->ctx, tag, msg);
handled:
		if (probed && RTI_PROBE_ON(handle_end))
			rti_probe_handle(cell, env, true, rc);
		if (__builtin_expect(rc != 0 || w->alert != 0, 0)) {
			lane_rest(cell, urgent, next);
			if (after_odd(w, cell, env, rc) == STEP_END)
				return;
		} else
			retire_w(w, cell, env);
		env = next;
	}
	lane_rest(cell, urgent, env);
	w->ctx.cell = NULL;
}

/*
 * At the end of a run: give the run token back to the mailbox if nothing
 * is left to handle (a waiting child's messages wait), and say whether
 * it went back; else the caller still holds it.
 */
static inline bool
give_back(rt_cell *cell)
{
	return (cell->queued == 0 || (cell->flags & RTI_CELL_WAITING)) &&
	    rti_mailbox_try_idle(&cell->mb);
}

/*
 * One run of `cell`. `watched` and `probed` are constants in the common
 * copy: a system with a watchdog publishes what each run and message is,
 * for it to sample (watchdog.c), and a traced handle probe fires (probes.h),
 * in a copy of their own, so that the loop without either pays nothing (a
 * flag kept in a register across the loop cost a message 30 instructions
 * of spills).
 */
static inline __attribute__((always_inline)) void
run(rti_worker *w, rt_cell *cell, const bool watched, const bool probed)
{
	w->now = 0;
	if (__builtin_expect(cell->worker != w->index, 0)) {
		/* Its lines and its mail come from another core. Not counted
		 * before the actor has handled anything: a new actor's cell
		 * last ran some earlier actor. */
		if (cell->handled != 0)
			rti_count_w(w->sys, w, migrations, 1);
		cell->worker = (uint16_t)w->index;
	}
	if (watched) {
		/* Relaxed: the watchdog only samples these; what it reads
		 * through the cell is published otherwise. */
		RT_STORE_RELAXED(&w->wd_cell, cell);
		RT_STORE_RELAXED(&w->wd_run, w->wd_run + 1);
		RT_STORE_RELAXED(&w->wd_tag, RTI_WD_NO_TAG);
	}
	drain(w, cell);
	handle(w, cell, watched, probed);
	if (watched)
		RT_STORE_RELAXED(&w->wd_cell, NULL);
	settle(w, cell);
	release_places(cell);
	if (w->mute_on != NULL) {
		rt_cell *target = w->mute_on;

		w->mute_on = NULL;
		/* A stopped actor is not muted: it has nothing left to do. */
		if (cell->cls != NULL) {
			rti_flow_mute(w, cell, target, w->mute_gen);
			return;
		}
	}
	if (!give_back(cell))
		rti_sched_requeue(w, cell);
}

/* The copy for a worker whose system has a watchdog, or while a handle
 * probe is traced (rti_worker.observed). */
static void __attribute__((noinline))
run_observed(rti_worker *w, rt_cell *cell)
{
	run(w, cell, w->watched, true);
}

enum rti_thread_run
rti_actor_run_thread(rti_worker *w, rt_cell *cell, const struct rti_thread *me)
{
	bool gone;

	w->now = 0;
	drain(w, cell);
	/* Not a worker: no refresh of `observed`, the semaphores are read
	 * here (a thread's or a caller's run is no worker's hot path). */
	if (RTI_PROBE_ON(handle_start) || RTI_PROBE_ON(handle_end))
		handle(w, cell, false, true);
	else
		handle(w, cell, false, false);
	settle(w, cell);
	release_places(cell);
	/* Read while the token is still held: a new actor may take the
	 * cell as soon as it is given back. */
	gone = rti_thread_of(cell) != me;
	if (give_back(cell))
		return gone ? RTI_THREAD_GONE : RTI_THREAD_IDLE;
	if (gone) {
		/* Late messages, or a new actor's start: the workers'. */
		rti_sched_ready(w->sys, cell);
		return RTI_THREAD_GONE;
	}
	return RTI_THREAD_AGAIN;
}

void
rti_actor_run(rti_worker *w, rt_cell *cell)
{
	/* An actor of a `thread;` kind runs on its own thread: the token
	 * goes there. */
	struct rti_thread *t = rti_thread_of(cell);

	if (__builtin_expect(t != NULL, 0)) {
		rti_thread_hand(t);
		return;
	}
	if (__builtin_expect(w->observed, 0)) {
		run_observed(w, cell);
		return;
	}
	run(w, cell, false, false);
}
