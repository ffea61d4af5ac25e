/* SPDX-License-Identifier: MIT */
/*
 * What ties actors together: links, monitors, and a supervised child's
 * place in its tree. Kept in a cell's extension (struct rti_ext), which a
 * cell gets the first time it needs one and keeps, like the cell itself,
 * until its system is freed: other threads may read the few fields marked
 * atomic through any ref to the cell, stale or not, without a lock.
 *
 * Control signals (envelope kinds LINK, UNLINK, MONITOR, DEMONITOR, EXIT,
 * RESTART) are acted on when the receiving cell drains them, ahead of the
 * messages queued before them; a `down` is a message and keeps its place.
 */
#ifndef RT_RUNTIME_BONDS_H
#define RT_RUNTIME_BONDS_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/actor.h>
#include <rt/supervisor.h>

#include "envelope.h"
#include "rt_atomic.h"
#include "sched.h"

/* A set of refs; small, so a vector searched from the end. */
typedef struct rti_refs {
	rt_ref *at;
	uint32_t n, cap;
} rti_refs;

struct rti_ext {
	struct rti_ext *all_next; /* the system's list of extensions */

	/* Run-token holder only. */
	struct rti_asks *asks; /* pending asks (ask.c), or NULL */
	rti_refs links;        /* linked actors */
	rti_refs watchers;     /* actors monitoring this one */
	rti_refs watching;     /* actors this one monitors */
	bool trap;             /* exit signals become downs */
	/* atomic: the thread of an actor of a `thread;` kind (thread.h),
	 * from its spawn until it stops for good, else NULL. Set by the
	 * spawner before the ref is published, cleared by the token
	 * holder. */
	struct rti_thread *thread;
	struct rti_io_table *io; /* descriptors of the incarnation
	                            (io.c), or NULL */
	uint32_t io_seq;         /* the last arming number given out;
	                            never reset, so that a readiness for
	                            an earlier incarnation never matches */

	/* A supervised child's place, kept across its restarts. */
	rt_ref parent;     /* its supervisor, or the zero ref */
	uint32_t slot;     /* its index in the supervisor */
	uint32_t restarts; /* times restarted so far; written by the owner
	                      (relaxed atomic stores), read by
	                      rt_system_dump */
	rt_env *start;     /* its start signal, kept for restarts */
	void *spare_state; /* while it waits for its restart: the state
	                      block of its last incarnation, for the next
	                      one (actor.c), else NULL */
	/* atomic: its path in the tree ("Shop/pool/worker.3"), or NULL; a
	 * supervisor's is kept until the system is freed, a child's until
	 * it stops for good. Read by the watchdog. */
	char *path;

	/* Messages kept by rt_stash, or postponed by a state machine (the
	 * generated dispatch stashes them), in arrival order, linked by
	 * their node. Owner only; `stashed` counts them, written by the
	 * owner (relaxed atomic stores) and read by rt_stats_actor and the
	 * walk of the dump and the metrics (walk.c). They
	 * keep their places in a bounded mailbox until they leave for
	 * good (actor.c). */
	rt_env *stash_head, *stash_tail;
	uint32_t stashed;

	/* A supervisor's spec and children, for rt_sup_start_child and
	 * rt_sup_child (supervisor.c); atomic, set before the supervisor's
	 * ref is published, type-stable like the extension. */
	const rt_sup_spec *spec;
	struct rti_kids *kids;
	uint32_t seq; /* atomic: simple_one_for_one numbering */
	/* atomic: a supervisor stopping its children before it exits;
	 * written by the supervisor, read by rt_system_dump. */
	uint32_t sup_stopping;
};

/* What a DOWN message (or a supervisor's SUP message) says. */
enum rti_bond_what {
	/* DOWN */
	RTI_BOND_MONITOR = 0, /* a watched actor exited */
	RTI_BOND_LINK = 1,    /* a linked actor exited (trapped) */
	RTI_BOND_NOSTART = 6, /* to an actor that called rt_sup_start_child:
	                         that child failed its first start */
	RTI_BOND_EXIT2 = 7,   /* an exit signal of rt_exit, trapped (also on
	                         the EXIT signal itself: not from a link) */
	/* SUP, to a supervisor */
	RTI_BOND_STARTED = 2, /* a child's on_start is done */
	RTI_BOND_ADOPT = 3,   /* rt_sup_start_child: take this child in */
	RTI_BOND_TIMER = 4,   /* one of its timers fired */
	RTI_BOND_STOP = 5,    /* stop, children first (slot: 1 for good) */
	RTI_BOND_MANAGE = 8,  /* terminate (slot RTI_MANAGE_TERMINATE) or
	                         restart (RTI_MANAGE_RESTART) child `from`;
	                         `wait`: a thread waiting for the answer */
	RTI_BOND_HEALTH = 10, /* child `from` (slot) answers probe `seq`:
	                         the reason is its on_health's result */
	/* SUP, to a supervised child from its supervisor */
	RTI_BOND_PROBE = 9, /* how are you? (slot: the child's, `seq`:
	                       the probe's); answered with HEALTH */
};

/* The payload of LINK, UNLINK, MONITOR, DEMONITOR, EXIT, DOWN, RESTART. */
struct rti_bond_msg {
	rt_ref from;   /* who sends it (who exited, for EXIT and DOWN) */
	char *path;    /* RESTART: the child's path, if it has none yet
	                  (taken over by the child) */
	uint32_t slot; /* EXIT and DOWN from a supervised child to its
	                  supervisor, RESTART to it: its slot there;
	                  RTI_BOND_TIMER: which timer */
	uint8_t what;  /* DOWN, SUP: enum rti_bond_what; RESTART:
	                  RTI_BOND_STARTED when the supervisor waits for
	                  the child's STARTED, else 0 */
	uint32_t seq;  /* PROBE, HEALTH: which probe */
	/* ADOPT: who is told if the child's first start fails: a thread
	 * waiting in rt_sup_start_child, or else an actor (or neither).
	 * MANAGE: a thread waiting for the answer, or NULL. */
	struct start_wait *wait;
	rt_ref asker;
};

/* rti_ext_make: rti_ext_get's first use. */
struct rti_ext *rti_ext_make(rt_cell *cell);

/* rti_ext_get: the cell's extension, made on first use (owner only).
 * NULL for lack of memory. */
static inline struct rti_ext *
rti_ext_get(rt_cell *cell)
{
	/* The owner wrote it, if anyone did: a plain read. */
	struct rti_ext *x = cell->ext;

	return x != NULL ? x : rti_ext_make(cell);
}

/* rti_ext_peek: the extension or NULL (owner, or an acquire for others). */
static inline struct rti_ext *
rti_ext_peek(rt_cell *cell)
{
	struct rti_ext *x = ck_pr_load_ptr(&cell->ext);

	/* Pairs with the release in rti_ext_get: the extension's fields
	 * are initialised before it is seen. */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&cell->ext);
	return x;
}

/* rti_ext_free_all: free every extension of the system (at its end). */
void rti_ext_free_all(rt_system *sys);

/*
 * rti_signal: queue control signal `kind` for incarnation `gen` of `cell`,
 * from `from` (payload) with `reason`. Any thread. Returns 0 or RT_ENOMEM.
 */
int rti_signal(rt_cell *cell, uint64_t gen, unsigned kind, rt_ref from,
    int reason, uint32_t slot);

/*
 * rti_bond_env: the envelope of such a signal, or of a DOWN message saying
 * `what`, for `to`, not sent yet (NULL for lack of memory);
 * rti_signal_push: queue a signal made so. Any thread.
 */
rt_env *rti_bond_env(rt_ref to, unsigned kind, rt_ref from, int reason,
    uint32_t slot, unsigned what);
static inline void
rti_signal_push(rt_env *env)
{
	rt_cell *cell = env->cell;
	rti_worker *w = rti_sched_worker(cell->sys);

	/* A supervisor's restart, a child's exit: on a worker, mostly. */
	if (w != NULL)
		rti_sched_push_w(w, cell, env);
	else
		rti_sched_push(cell->sys, cell, env);
}

/*
 * rti_send_down: a DOWN message saying `what` about `who` to `to`: it
 * keeps its place among the messages, is never refused by a bound, and is
 * a dead letter if `to` is gone. Any thread.
 */
void rti_send_down(rt_ref to, rt_ref who, int reason, uint32_t slot,
    unsigned what);

/* rti_send_sup: the same, a SUP message to supervisor `to` from `from`. */
void rti_send_sup(rt_ref to, rt_ref from, int reason, uint32_t slot,
    unsigned what);

/* What drain() does after rti_bond_signal. */
enum rti_bond_step {
	RTI_BOND_FREE,  /* done: free the envelope */
	RTI_BOND_QUEUE, /* it is now a DOWN message: queue it */
	RTI_BOND_EXIT,  /* the actor exits (*reason, *final); free it */
};

/*
 * rti_bond_signal: act on LINK, UNLINK, MONITOR, DEMONITOR or EXIT for the
 * live incarnation of `cell` (its run-token holder).
 */
enum rti_bond_step rti_bond_signal(rt_cell *cell, rt_env *env, int *reason,
    bool *final);

/* rti_bond_stale: a bond signal for an incarnation that is gone: answer a
 * link with an exit and a monitor with a down, as if it had just died. */
void rti_bond_stale(rt_env *env);

/*
 * rti_bonds_exit: the incarnation in `cell` exits with `reason`: exit
 * signals to its links, downs to its watchers, its own monitors taken
 * back. Owner only.
 */
void rti_bonds_exit(rt_cell *cell, uint64_t gen, int reason);

/* rti_bond_add_link: record a link on the owner's side only (a supervisor
 * and its child each record their own). 0 or RT_ENOMEM. */
int rti_bond_add_link(rt_cell *cell, rt_ref to);

/* rti_down_deliver: call the on_down hook for a down message (handle). */
int rti_down_deliver(rt_cell *cell, rt_ctx *ctx, rt_env *env);

#endif
