/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: worker threads, their run queues, the inject queue that
 * threads outside the system use, stealing, and parking.
 *
 * A cell is in at most one run queue at a time: it is put there only by the
 * holder of its run token (the sender that found it idle, or the worker that
 * ran it and found more work), and the token passes to whoever takes it out.
 */
#ifndef RT_RUNTIME_SCHED_H
#define RT_RUNTIME_SCHED_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rt/actor.h>

#include "cell.h"
#include "envelope.h"
#include "rt_atomic.h"

#define RTI_RUNQ_SIZE 1024 /* power of two */

/*
 * A bounded FIFO of cells: only its worker pushes, any worker pops (the
 * owner takes work, the others steal). Slots are read and written with ck_pr
 * so that a thief's speculative read of a slot is not a data race.
 */
typedef struct rti_runq {
	uint32_t head; /* atomic: next slot to pop, CAS by any worker */
	char pad0[RT_CACHELINE - sizeof(uint32_t)];
	uint32_t tail; /* atomic: next slot to fill, owner only */
	char pad1[RT_CACHELINE - sizeof(uint32_t)];
	rt_cell *slot[RTI_RUNQ_SIZE];
} rti_runq;

/* Per-thread counters; the owner writes, rt_stats_system sums. */
typedef struct rti_counters {
	uint64_t sent;
	uint64_t handled;
	uint64_t dead;
	uint64_t spawned;
	uint64_t stopped;
	uint64_t crashed;
	uint64_t refused;
	uint64_t dropped;
	uint64_t expired;
	uint64_t mutes;
	uint64_t restarts;
	uint64_t steals;
	uint64_t migrations;
	uint64_t wakeups;
	uint64_t yields;
} rti_counters;

/* rti_counters_add: add the counters `c` to `sum`. Relaxed loads: counters
 * publish nothing. */
static inline void
rti_counters_add(rti_counters *sum, rti_counters *c)
{
	uint64_t *s = (uint64_t *)(void *)sum, *f = (uint64_t *)(void *)c;
	size_t i;

	_Static_assert(sizeof(rti_counters) % sizeof(uint64_t) == 0,
	    "counters are 64-bit words");
	for (i = 0; i < sizeof(rti_counters) / sizeof(uint64_t); i++)
		s[i] += ck_pr_load_64(&f[i]);
}

/* A worker's handler context; cell is NULL between handlers. */
struct rt_ctx {
	rt_system *sys;
	rt_cell *cell;
	uint64_t gen; /* the incarnation whose handler runs */
	struct rti_worker *worker;
	const void *req; /* the request being handled (rt_request_enter) */
	bool deferred;   /* ... whose answer rt_reply_defer took over */
	int reply_error; /* ... or the status rt_reply_error set (0: none) */
};

typedef struct rti_worker {
	rti_runq rq;
	rt_system *sys;
	rt_system *send_sys; /* owner only: `sys`, or NULL while the send
	                        probe is traced, so that the send fast
	                        path's test of the target's system fails
	                        and the probe's path is taken (probes.h) */
	unsigned index;
	pthread_t thread;
	bool running;       /* thread created */
	uint32_t parked;    /* atomic: 1 while parked, cleared by the waker */
	uint32_t wake_seq;  /* atomic futex word, bumped by every wake */
	uint32_t in_epoll;  /* atomic: parked in epoll_wait, not on the
	                       futex (io.c); stored before `parked` */
	uint32_t rng;       /* owner only: victim choice */
	rti_counters cnt;   /* owner writes, others read (ck_pr) */
	rt_ctx ctx;         /* owner only: context of the running handler */
	rt_cell *mute_on;   /* owner only: the running handler sent to this
	                       full mailbox (overflow block) */
	uint64_t mute_gen;  /* ... whose incarnation was this */
	uint32_t alert;     /* owner only: nonzero when the handler that
	                       just returned may have asked for more than a
	                       retire (test kit, rt_trace, rt_stop, muting):
	                       one test per message instead of three */
	uint32_t alert0;    /* owner only: what `alert` starts each run
	                       with besides rt_trace's switch: nonzero
	                       when `test` is set */
	bool stash;         /* owner only: the handler that runs called
	                       rt_stash (raises `alert`) */
	bool unstash;       /* owner only: ... rt_unstash_all (likewise) */
	int64_t now;        /* owner only: clock read for this run, or 0 */
	uint32_t run_taken; /* owner writes (atomic: the watchdog samples
	                       it), messages this run took from the
	                       lanes, not yet off the cell's `queued` */
	uint32_t run_dead;  /* owner only: ... of which dead letters; the
	                       others were handled, not yet counted */
	rti_env_cache env_cache[RTI_ENV_CLASSES]; /* owner only */
	rti_cell_cache cell_cache;                /* owner only */
	rt_cell *next; /* owner only: runs next, cannot be stolen */
	struct rti_test_log
	    *test;             /* owner only: a test system's record of handled
	                       messages, else NULL */
	unsigned streak;       /* owner only: runs taken from `next` in a row */
	unsigned quiet_looks;  /* owner only: pushes while wake-ups are quiet
	                          (sched.c, maybe_wake_surplus) */
	uint32_t tick;         /* owner writes (atomic: thieves read it):
	                       looks for work, about one per run; for the
	                       inject queue's turn, and for thieves
	                       (head_waited in sched.c) */
	int64_t search_now;    /* owner only: clock while searching, else 0 */
	struct rti_seen *seen; /* owner only: per other worker, the head of
	                          its run queue that this one waits for
	                          (sched.c) */
	int64_t live_over;     /* owner only, >= 0: what sys->live counts
	                          above the true count for this worker:
	                          exits not yet taken off, and places taken
	                          ahead for its next spawns (rti_live_flush
	                          gives both back) */
	/* For the watchdog (watchdog.c), written by the owner, sampled by
	 * the watchdog's thread with run_taken: the cell being run (NULL
	 * between runs), the run, and the tag of the message in hand. */
	rt_cell *wd_cell; /* atomic */
	uint32_t wd_run;  /* atomic: runs so far */
	uint32_t wd_tag;  /* atomic: local tag, or RTI_WD_* */
	bool watched;     /* immutable: the system has a watchdog */
	bool observed;    /* owner only: runs take the loop for a watchdog
	                     and the handle probes: `watched`, or one of
	                     those probes is traced (rti_probes_refresh) */
	/* Owner only: how long this thread waited for a CPU (the kernel's
	 * run delay, /proc/thread-self/schedstat; -1: not read, as by a
	 * lone worker, or not readable), as of
	 * `stat_at` (0: start a new window), for crowded() in sched.c. */
	int stat_fd;
	uint32_t opened; /* atomic futex word: 1 once its thread has opened
	                    stat_fd (rti_sched_start waits for it) */
	int64_t stat_at, stat_coarse; /* ... on the precise and coarse clocks */
	uint64_t stat_delay;
	unsigned stat_tick; /* its queue ran dry: times, for crowded() */
	bool stat_crowded;  /* what crowded() found last */
	bool yield; /* owner only: find_work left the rest to the others */
} __attribute__((aligned(RT_CACHELINE))) rti_worker;

#define RTI_WD_NO_TAG UINT32_MAX     /* draining: start, stop, signals */
#define RTI_WD_DOWN (UINT32_MAX - 1) /* on_down */
#define RTI_WD_IO (UINT32_MAX - 2)   /* on_io */

/*
 * The worker running on this thread, if any. Initial-exec TLS: one load off
 * the thread pointer, where the default model for a shared library calls
 * __tls_get_addr on every access (8% of a message's instructions).
 */
extern __thread rti_worker *rti_tls_worker
    __attribute__((tls_model("initial-exec")));

/*
 * Set by a thread outside the system around the send of a request it is
 * about to wait for (rt_call): that send wakes no parked worker while
 * another is awake, since an awake worker comes to the inject queue when it
 * runs out of work, and a wake-up would cost the caller a system call
 * before its wait. The caller calls rti_sched_kick if the answer is late.
 */
extern __thread bool rti_tls_lazy_wake
    __attribute__((tls_model("initial-exec")));

/*
 * Set by rt_call around the same send to the cell it calls: when the send
 * takes the run token (the actor was idle), rti_sched_ready queues
 * nothing, clears this and sets rti_tls_taken, and the caller runs the
 * actor itself (rti_caller_run).
 */
extern __thread rt_cell *rti_tls_take
    __attribute__((tls_model("initial-exec")));
extern __thread bool rti_tls_taken __attribute__((tls_model("initial-exec")));

/* rti_sched_worker: the worker of `sys` running on this thread, or NULL. */
static inline rti_worker *
rti_sched_worker(rt_system *sys)
{
	rti_worker *w = rti_tls_worker;

	return w != NULL && w->sys == sys ? w : NULL;
}

/*
 * rti_sched_ready: make a cell runnable. The caller holds its run token and
 * hands it over. Any thread. On a worker, the cell takes the worker's
 * "next" slot and runs as soon as the current actor is done (a message to
 * an idle actor is handled on the warm core that sent it); what was in the
 * slot moves to the run queue, where idle workers can steal it.
 */
void rti_sched_ready(rt_system *sys, rt_cell *cell);

/*
 * rti_sched_ready_pinned: rti_sched_ready for a producer that backpressure
 * has released (flow.c): on a worker, it is queued there and other workers
 * leave it for a while, since its messages go to an actor of this worker.
 */
void rti_sched_ready_pinned(rt_system *sys, rt_cell *cell);

/*
 * rti_sched_push: queue `env` in `cell`'s mailbox, and make the cell
 * runnable when the push found it idle (which hands the pusher its run
 * token). Any thread. A worker's sends use rti_sched_ready_w instead.
 */
static inline void
rti_sched_push(rt_system *sys, rt_cell *cell, rt_env *env)
{
	if (rti_mailbox_push_mpsc(&cell->mb, &env->node))
		rti_sched_ready(sys, cell);
}

/*
 * rti_sched_enqueue: put a cell on worker `w`'s run queue (the calling
 * thread's), or on the inject queue when that is full, and wake a helper
 * when work piles up.
 */
void rti_sched_enqueue(rti_worker *w, rt_cell *cell);

/*
 * rti_sched_start_later: queue the start signal `env` of an actor that has
 * no cell yet, counted in sys->live already; a worker gives it a cell of
 * its own and runs it (a spawn from outside the system without a ref).
 * Takes `env`: its class and arguments go to the start ring when they fit
 * (startring.h), and the envelope back to this thread's cache.
 */
void rti_sched_start_later(rt_system *sys, rt_env *env);

/*
 * rti_sched_ready_w: rti_sched_ready on worker `w`, the calling thread's
 * worker of the cell's system.
 */
static inline void
rti_sched_ready_w(rti_worker *w, rt_cell *cell)
{
	rt_cell *old = w->next;

	w->next = cell;
	if (old != NULL)
		rti_sched_enqueue(w, old);
}

/* rti_sched_push for worker `w`, the calling thread's: rti_sched_ready_w. */
static inline void
rti_sched_push_w(rti_worker *w, rt_cell *cell, rt_env *env)
{
	if (rti_mailbox_push_mpsc(&cell->mb, &env->node))
		rti_sched_ready_w(w, cell);
}

/*
 * rti_sched_requeue: put the cell that worker `w` has just run at the back
 * of its run queue (its batch ran out, or messages came in meanwhile).
 */
void rti_sched_requeue(rti_worker *w, rt_cell *cell);

/* rti_sched_start: create the worker threads (none for a test system). */
int rti_sched_start(rt_system *sys);

/*
 * rti_sched_drive: run a test system's actors on the calling thread (which
 * is not one of its actors) until none is runnable. Returns how many
 * messages were handled.
 */
uint64_t rti_sched_drive(rt_system *sys);

/*
 * rti_sched_kick: wake a parked worker unless one is searching already (a
 * system that has just made its epoll set, see io.c; a call whose answer
 * is late, see rti_tls_lazy_wake).
 */
void rti_sched_kick(rt_system *sys);

/*
 * rti_sched_lend: a thread outside the system is about to block until the
 * workers are done (rt_system_wait). If the system is marked crowded, the
 * mark goes and a parked worker is woken: the CPU that thread leaves is
 * one the workers waited for, and a worker that parked to leave it to
 * that thread would otherwise sleep out the rest of CROWD_NS.
 */
void rti_sched_lend(rt_system *sys);

/*
 * rti_sched_free: free the workers (once joined, or never started). Safe
 * on a system whose rti_sched_start failed or never ran.
 */
void rti_sched_free(rt_system *sys);

/* rti_sched_stop: tell the workers to exit and wake them all. */
void rti_sched_stop(rt_system *sys);

/* rti_sched_join: wait for the worker threads to exit. */
void rti_sched_join(rt_system *sys);

/* The counters of threads outside the system (system.c). */
rti_counters *rti_ext_counters(rt_system *sys);

/*
 * rti_count: add to one of the calling thread's counters (a worker's own,
 * or the system's shared ones for other threads). rti_count_w: the same
 * when the caller already knows its worker (NULL: not a worker).
 */
#define rti_count(sys, field, n)                   \
	rti_count_at((sys), rti_sched_worker(sys), \
	    offsetof(rti_counters, field), (n))
#define rti_count_w(sys, w, field, n) \
	rti_count_at((sys), (w), offsetof(rti_counters, field), (n))
static inline void
rti_count_at(rt_system *sys, rti_worker *w, size_t offset, uint64_t n)
{
	if (w != NULL) {
		uint64_t *c = (uint64_t *)((char *)&w->cnt + offset);

		/* Only the owner writes its counters; readers load them
		 * atomically, so a plain read-modify-write is enough. */
		ck_pr_store_64(c, *c + n);
	} else {
		/* Relaxed: a statistic, it publishes nothing. */
		ck_pr_add_64((uint64_t *)((char *)rti_ext_counters(sys) +
				 offset),
		    n);
	}
}

#endif
