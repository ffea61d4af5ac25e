/* SPDX-License-Identifier: MIT */
/*
 * Running an actor: what a worker does with a runnable cell.
 */
#ifndef RT_RUNTIME_ACTOR_INT_H
#define RT_RUNTIME_ACTOR_INT_H

#include "cell.h"
#include "probes.h"
#include "sched.h"

/* Messages (and signals) handled per run before the actor yields. */
#define RTI_BATCH 64

/* Places on the live count a worker takes at once for the actors it
 * spawns; exits it counts, up to twice this, before it takes them off. */
#define RTI_LIVE_BATCH 64

/*
 * rti_actor_run: run `cell` on worker `w`, which holds its run token:
 * handle up to RTI_BATCH envelopes, then either give the token back (the
 * mailbox is empty) or reschedule the cell.
 */
void rti_actor_run(rti_worker *w, rt_cell *cell);

/*
 * rti_actor_run_thread: one run of `cell` on its own thread `me`, whose
 * worker structure is `w` (thread.c), or with `me` NULL on the thread of
 * a caller running its target (rti_caller_run): IDLE, the mailbox was
 * empty and the run token went back to it; AGAIN, there is more and the
 * caller still holds the token; GONE, the actor has stopped for good and
 * the token has been given back or passed to the workers: the thread is
 * done.
 */
enum rti_thread_run {
	RTI_THREAD_IDLE,
	RTI_THREAD_AGAIN,
	RTI_THREAD_GONE,
};
struct rti_thread;
enum rti_thread_run rti_actor_run_thread(rti_worker *w, rt_cell *cell,
    const struct rti_thread *me);

/*
 * rti_actor_signal_stop: queue a stop signal for incarnation `gen` of
 * `cell`; `final`: for good, even for a supervised child (which would
 * otherwise wait for its restart). Returns 0 or RT_ENOMEM.
 */
int rti_actor_signal_stop(rt_cell *cell, uint64_t gen, int reason, bool final);

/*
 * rti_live_flush: take off sys->live what it counts above the true count
 * for `w` (exits it has counted, places it took ahead for spawns), and
 * wake rt_system_wait if that makes it zero. Called when the worker runs
 * out of work and when that reaches two RTI_LIVE_BATCHes.
 */
void rti_live_flush(rti_worker *w);

/*
 * rti_live_add: add `d` (negative: take off) to sys->live, and wake
 * rt_system_wait if that makes it zero.
 */
void rti_live_add(rt_system *sys, int64_t d);

/*
 * rti_spawn_publish: make `cell`, held by the spawn alone, the home of a
 * new actor of class `cls` whose start signal is `env`: what senders read
 * first (bound, class), then the new generation, released (also into
 * env->gen, and returned). The caller then pushes `env` to the cell. No
 * fence against shutdown for a worker's spawn: racing with its start, the
 * actor may be missed by its scan and may miss the flag; shutdown rescans
 * until every actor has stopped, which is cheaper than a full fence on
 * every spawn (it was 6% of skynet).
 */
static inline uint64_t
rti_spawn_publish(rt_cell *cell, rt_env *env, const rt_actor_class *cls)
{
	uint64_t gen;

	ck_pr_store_32(&cell->bound, cls->mailbox_bound);
	ck_pr_store_ptr(&cell->kind, (void *)cls);
	gen = rti_cell_gen(cell) + 1;
	env->gen = gen;
	rti_cell_set_gen(cell, gen);
	if (RTI_PROBE_ON(spawn))
		rti_probe_spawn(cell, gen, cls);
	return gen;
}

/*
 * rti_spawn_prepare_cell: rt_spawn_prepare with the cell taken at once, in
 * env->cell, whoever calls (the runtime's own spawns that use the cell
 * before the commit, or must know at the commit that the actor has one).
 */
int rti_spawn_prepare_cell(rt_system *sys, const rt_actor_class *cls,
    size_t size, rt_env **out);

#endif
