/* SPDX-License-Identifier: MIT */
/*
 * The scheduler.
 *
 * Each worker owns a bounded run queue (rti_runq) that only it pushes to and
 * that every worker may pop from: the owner takes its own work, idle workers
 * steal. Threads outside the system (main, other libraries' threads) cannot
 * push to a worker's queue; they push onto the system's inject queue, a
 * wait-free FIFO (the mailbox's algorithm) that one worker at a time drains
 * into its own run queue, a batch at a time. A cell made runnable by a
 * handler goes to the running worker's own queue, so a chain of messages
 * tends to stay on one warm core.
 *
 * Idle workers first search (spin over their own queue, the inject queue and
 * the other queues) for a short time, because waking a parked thread costs
 * tens of microseconds on virtual machines against well under one for a
 * hand-off between awake cores; then they park on a futex and use no CPU.
 * At most half the awake workers search at once. A thief takes the head of
 * another worker's queue only once it has waited there (STEAL_PATIENCE_NS,
 * PINNED_PATIENCE_NS): what a worker gets through by itself stays on its
 * core. doc/design-notes.md has the measurements behind these rules.
 *
 * Lost wake-ups are prevented by a Dekker-style handshake: a worker about to
 * park announces itself (parked flag and counter), issues a full fence, and
 * looks at every queue once more; whoever queues work issues a full fence
 * after queueing and then looks at the parked counter. With both fences, at
 * least one side sees the other. Waking is throttled: nobody is woken while
 * some worker is already searching, and a worker queueing onto its own empty
 * queue does not wake anyone, since it will run that cell itself next.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actor_int.h"
#include "clock.h"
#include "io.h"
#include "park.h"
#include "pool.h"
#include "probes.h"
#include "sched.h"
#include "system_int.h"
#include "thread.h"

#define RUNQ_MASK (RTI_RUNQ_SIZE - 1)
/* How long an idle worker searches before it parks. */
#define SEARCH_NS 50000
/* ... and how long it spins before it yields the CPU between looks. */
#define SEARCH_YIELD_NS 5000
/*
 * The head of a busy worker's run queue is left to that worker until it
 * has sat there this long: a worker that gets through its queue keeps its
 * cells, since moving one to another core would make each message between
 * it and the actors its worker runs cross between caches (a producer and
 * its consumer split in two). A queue whose owner is stuck in a long
 * handler, or that holds more than its owner gets through, is taken from.
 */
#define STEAL_PATIENCE_NS 20000
/*
 * A head that has not moved at all is taken after this many times its
 * patience: the owner is in one long run (a publisher's burst, a handler
 * that computes), and what waits behind it is as likely to be cheap work
 * that would cost more to move than to wait for.
 */
#define STUCK_FACTOR 5
/*
 * A worker that parks while such a head waits elsewhere looks again after
 * this long, so that a cell behind a handler that runs for long is not
 * left waiting for it.
 */
#define WATCH_PARK_NS 1000000

/*
 * Surplus wake-ups that find nothing, one after another, quiet the next
 * ones for SEARCH_NS, twice that, ... up to QUIET_MAX_NS (note_wake): a
 * watcher looks every WATCH_PARK_NS meanwhile, so nothing waits for them.
 */
#define QUIET_DOUBLINGS 10
/* While quiet, a pushing worker reads the clock once in this many pushes
 * (a power of 2). */
#define QUIET_LOOK_EVERY 32
#define QUIET_MAX_NS 32000000

/*
 * A producer that its consumer's backpressure released is queued on the
 * consumer's worker with this tag in its slot, and left there until it has
 * waited this long at the head: each of its messages to the consumer would
 * otherwise cross between cores, for no gain, since the consumer sets the
 * pace. A producer with enough work of its own to wait longer is taken.
 */
#define PINNED_PATIENCE_NS 500000
#define PINNED ((uintptr_t)1)

static inline rt_cell *
untag(rt_cell *slot)
{
	return (rt_cell *)((uintptr_t)slot & ~PINNED);
}

/* How long thieves leave the head of a queue whose slot is `slot`. */
static inline int64_t
patience_of(const rt_cell *slot)
{
	return ((uintptr_t)slot & PINNED) ? PINNED_PATIENCE_NS :
					    STEAL_PATIENCE_NS;
}

/*
 * A thief takes a cell from a queue that moves only when its messages take
 * longer than this each: moving a cell to another core moves its messages'
 * lines too, each a cache-line transfer (110-140 ns for a round trip here),
 * and a message handled in less than that is cheaper left where it is.
 */
#define STEAL_MSG_NS 250

/*
 * ... and only when its runs take this long each, whatever their messages:
 * a run of an actor that only starts and stops (a burst of short-lived
 * actors) handles no message, and moving it costs the same lines. 100 ns
 * is below what a run of a tree of actors growing takes (skynet's are 200
 * to 450 ns), which is worth spreading, and above a start and a stop (40
 * to 60 ns), which is not.
 */
#define STEAL_RUN_NS 100

/*
 * A crowded machine: more threads want to run than there are CPUs (a
 * client beside a server, another program, a thread outside the system
 * making work as fast as the workers take it). Each worker reads how long
 * it waited for a CPU (the kernel's run delay) every CROWD_SAMPLE_NS while
 * it works; a quarter of the time or more (CROWD_SHARE) marks the system
 * crowded for CROWD_NS. Meanwhile nobody is woken while a worker is awake,
 * and a worker whose own queue is empty parks instead of taking work from
 * the others, as long as one other worker stays awake: another thread on
 * a busy CPU only takes time from the ones already there.
 */
#define CROWD_SAMPLE_NS 1000000
#define CROWD_SHARE 4
#define CROWD_NS 10000000
#define CROWD_EVERY 16 /* a power of 2 */

/* What a thief knows of the head of another worker's queue. */
struct rti_seen {
	uint32_t head;    /* the queue's head at the start of a window */
	int64_t since;    /* then; 0: no window open */
	uint64_t handled; /* the owner's messages handled then */
	uint32_t ticks;   /* ... and its looks for work (about its runs);
	                     while a window waits to open, those at `asked` */
	int64_t asked;    /* when a window was due (0: none waits): it opens
	                     once the owner has looked for work since */
};

__thread rti_worker *rti_tls_worker;
__thread bool rti_tls_lazy_wake;
__thread rt_cell *rti_tls_take;
__thread bool rti_tls_taken;

/* --- run queues ---------------------------------------------------------- */

static uint32_t
runq_len(rti_runq *q)
{
	/* Relaxed: a hint for wake-ups and parking, never for correctness. */
	return ck_pr_load_32(&q->tail) - ck_pr_load_32(&q->head);
}

/* Owner only. False when full. `cell` may carry the PINNED tag. */
static bool
runq_push(rti_runq *q, rt_cell *cell)
{
	uint32_t t = ck_pr_load_32(&q->tail);
	uint32_t h = ck_pr_load_32(&q->head);

	/*
	 * Acquire: the consumers that moved `head` past a slot read that
	 * slot before their CAS; do not overwrite it earlier.
	 */
	ck_pr_fence_load_store();
	if (t - h >= RTI_RUNQ_SIZE)
		return false;
	ck_pr_store_ptr(&q->slot[t & RUNQ_MASK], cell);
	/* Publish the slot and the run token before the tail (pairs with
	 * the load fences in runq_pop). */
	RT_TSAN_RELEASE(untag(cell));
	ck_pr_fence_store();
	ck_pr_store_32(&q->tail, t + 1);
	return true;
}

static bool head_waited(rti_worker *w, rti_worker *v, uint32_t h, uint32_t len,
    int64_t now, int64_t patience);

/*
 * The owner's pop: the head of its queue, NULL when empty. Thieves take
 * from the head too (runq_steal): when one took it first, try again.
 */
static rt_cell *
runq_pop(rti_runq *q)
{
	for (;;) {
		uint32_t h = ck_pr_load_32(&q->head);
		uint32_t t;
		rt_cell *slot;

		ck_pr_fence_load();
		t = ck_pr_load_32(&q->tail);
		/* Acquire: see the slot written before this tail. */
		ck_pr_fence_load();
		if ((int32_t)(t - h) <= 0)
			return NULL;
		slot = ck_pr_load_ptr(&q->slot[h & RUNQ_MASK]);
		/* The slot read must happen before the CAS that frees it. */
		ck_pr_fence_load_atomic();
		if (ck_pr_cas_32(&q->head, h, h + 1)) {
			RT_TSAN_ACQUIRE(untag(slot));
			return untag(slot);
		}
		ck_pr_stall();
	}
}

/*
 * Ask for a cell's memory before its run needs it: its three lines and
 * the oldest envelope in its mailbox. A cell that waited in a queue behind
 * thousands of others (a burst of spawns, a tree of actors growing) has
 * long left the caches, and its run would otherwise wait for each of
 * these in turn, the envelope only once the cell's first line has come
 * in. Relaxed loads: a hint. The cell may be taken by a thief or run and
 * recycled meanwhile; cells are never unmapped while the system lives,
 * and prefetching a stale address is harmless.
 */
static inline void
prefetch_cell(rt_cell *cell)
{
	/* The run writes all three (lanes, state, statistics). */
	rti_prefetch_w((char *)cell + RT_CACHELINE);
	rti_prefetch_w((char *)cell + 2 * RT_CACHELINE);
}

static inline void
prefetch_mail(rt_cell *cell)
{
	const void *n = rti_mailbox_oldest_hint(&cell->mb);

	if (n != NULL)
		rti_prefetch_w(n); /* its link is rewritten when freed */
}

/*
 * Before running a cell taken from `q`: the one after it gets its
 * envelope asked for (its first line was asked for a run ago) and the
 * one after that its first line.
 */
static inline void
prefetch_queued(rti_runq *q)
{
	uint32_t h = ck_pr_load_32(&q->head), t = ck_pr_load_32(&q->tail);
	rt_cell *c;

	if ((int32_t)(t - h) <= 0)
		return;
	c = untag(ck_pr_load_ptr(&q->slot[h & RUNQ_MASK]));
	prefetch_mail(c);
	prefetch_cell(c);
	if ((int32_t)(t - h) > 1)
		rti_prefetch_w(
		    untag(ck_pr_load_ptr(&q->slot[(h + 1) & RUNQ_MASK])));
}

/* --- inject queue -------------------------------------------------------- */

/* How many cells a worker moves from the inject queue to its own at once. */
#define INJECT_BATCH 64

static inline rt_cell *
cell_of_rq_node(rti_mpsc_node *n)
{
	return (rt_cell *)((char *)n - offsetof(rt_cell, rq_node));
}

/*
 * Jump pointers. The worker that empties the inject queue follows its
 * links from cell to cell, and after a burst of spawns from main each
 * cell is cold: the walk waited for one miss after another (most of a
 * worker's time in the spawn benchmark). So each thread that pushes
 * leaves in the cell it pushed INJECT_AHEAD pushes earlier a hint of
 * where this one is, and the walk prefetches the cell its hint names,
 * which keeps that many misses in flight. A hint is the distance in
 * cache lines, so that it fits in 32 bits; it is only ever used as a
 * prefetch address, so a stale or wrong one (the cell was run and
 * recycled meanwhile, the pusher spawns in two systems) costs nothing.
 */
#define INJECT_AHEAD 8

/*
 * The calling thread's last pushes, all to the system with `serial` (a
 * push to another system starts afresh: the cells of a system that was
 * freed must not be written).
 */
static __thread struct inject_recent {
	uint64_t serial;
	unsigned pushes;
	rt_cell *cell[INJECT_AHEAD];
} inject_recent __attribute__((tls_model("initial-exec")));

static inline void
inject_hint_set(rt_cell *from, rt_cell *to)
{
	intptr_t d = ((intptr_t)to - (intptr_t)from) / RT_CACHELINE;

	/* Relaxed: a hint, read only to prefetch. */
	ck_pr_store_32((uint32_t *)&from->inject_hint,
	    d == (int32_t)d ? (uint32_t)(int32_t)d : 0);
}

static inline void
inject_hint_follow(rt_cell *cell)
{
	int32_t d = (int32_t)ck_pr_load_32((uint32_t *)&cell->inject_hint);

	if (d != 0)
		__builtin_prefetch((char *)cell + (intptr_t)d * RT_CACHELINE);
}

static void
inject_push(rt_system *sys, rt_cell *cell)
{
	struct inject_recent *r = &inject_recent;
	unsigned i;
	rt_cell *behind;

	if (r->serial != sys->serial) {
		memset(r, 0, sizeof(*r));
		r->serial = sys->serial;
	}
	i = r->pushes++ % INJECT_AHEAD;
	behind = r->cell[i];
	r->cell[i] = cell;
	/* No hint yet: it is set when the cell INJECT_AHEAD after it
	 * comes. */
	ck_pr_store_32((uint32_t *)&cell->inject_hint, 0);
	if (behind != NULL)
		inject_hint_set(behind, cell);
	/*
	 * The queue is a mailbox that never goes idle: its push is wait-free
	 * and FIFO, and it publishes the run token with the cell (pairs with
	 * the pop in inject_take). The "was idle" answer means nothing here.
	 */
	(void)rti_mailbox_push_mpsc(&sys->inject, &cell->rq_node);
}

/*
 * Take the oldest cell and move up to INJECT_BATCH more to our run queue.
 * One worker at a time: the queue has a single consumer end, guarded by a
 * trylock so that nobody ever waits for it.
 */
static rt_cell *
inject_take(rti_worker *w)
{
	rt_system *sys = w->sys;
	rti_mpsc_node *node, *tail, *tail0;
	rt_cell *first = NULL;
	unsigned n;

	if (!rti_mailbox_has_pending(&sys->inject) ||
	    !ck_spinlock_fas_trylock(&sys->inject_lock))
		return NULL;
	/* The lock hands the consumer end over (pairs with the release
	 * before the unlock below). */
	RT_TSAN_ACQUIRE(&sys->inject_lock);
	/* The consumer's end in a register: see rti_mailbox_pop_at. */
	tail = sys->inject.tail;
	tail0 = tail;
	node = rti_mailbox_pop_at(&sys->inject, &tail);
	if (node != NULL) {
		first = cell_of_rq_node(node);
		inject_hint_follow(first);
		prefetch_mail(first);
		prefetch_cell(first);
		for (n = 0;
		    n < INJECT_BATCH && runq_len(&w->rq) < RTI_RUNQ_SIZE; n++) {
			rt_cell *c;

			node = rti_mailbox_pop_at(&sys->inject, &tail);
			if (node == NULL)
				break;
			c = cell_of_rq_node(node);
			/* Its first line is in: ask for the rest at once, so
			 * that the batch's misses overlap, and for the first
			 * line of a cell further down the queue. */
			inject_hint_follow(c);
			prefetch_mail(c);
			prefetch_cell(c);
			runq_push(&w->rq, c);
		}
	}
	if (tail != tail0)
		rti_mailbox_set_tail(&sys->inject, tail);
	RT_TSAN_RELEASE(&sys->inject_lock);
	ck_spinlock_fas_unlock(&sys->inject_lock);
	return first;
}

/* --- waking and parking -------------------------------------------------- */

/*
 * Whether the system is crowded (see CROWD_NS) and a worker is awake. No
 * clock: this is on the path of every push while a worker is parked and
 * none searches, and the mark is taken off by the awake workers once it
 * has expired (crowded()). Relaxed loads: hints; a wake-up held back here
 * is one that would have cost a CPU that was not there, and the last awake
 * worker never parks on account of crowding, so work is never left
 * without one.
 */
static bool
crowded_now(rt_system *sys)
{
	return ck_pr_load_64((uint64_t *)&sys->crowded_until) != 0 &&
	    ck_pr_load_32(&sys->nparked) < sys->nworkers;
}

/* A wake-up held back by crowded_now: counted by workers only, whose
 * counters are their own (a thread outside would add to a shared line on
 * every push). */
static void
held_back(rt_system *sys)
{
	rti_worker *w = rti_sched_worker(sys);

	if (w != NULL)
		rti_count_w(sys, w, yields, 1);
}

/*
 * Wake a parked worker. The one parked in epoll_wait, if any, is woken
 * last: while it sleeps there it is the one that notices readiness, and
 * waking another costs nobody that.
 */
static bool
wake_one(rt_system *sys)
{
	unsigned i, pass, n = sys->nworkers;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			rti_worker *w = &sys->workers[i];

			/* Relaxed: hints; the CAS decides. */
			if (ck_pr_load_32(&w->parked) == 0 ||
			    (pass == 0 && ck_pr_load_32(&w->in_epoll)))
				continue;
			/* Claim the sleeper so that two wakers do not pick
			 * it. */
			if (!ck_pr_cas_32(&w->parked, 1, 0))
				continue;
			ck_pr_dec_32(&sys->nparked);
			/* It wakes up searching: count it now, so that
			 * others do not wake a second worker for the same
			 * work. */
			ck_pr_inc_32(&sys->nsearching);
			/* The new sequence is what ends its futex wait;
			 * the eventfd ends an epoll_wait. in_epoll was
			 * stored before parked, which the CAS read. */
			ck_pr_inc_32(&w->wake_seq);
			if (ck_pr_load_32(&w->in_epoll))
				rti_io_wake(sys);
			else
				rti_futex_wake(&w->wake_seq, 1);
			rti_count(sys, wakeups, 1);
			return true;
		}
	return false;
}

/* Wake a parked worker if none is searching. See wake_after_store(). */
static void
wake_check(rt_system *sys)
{
	if (ck_pr_load_32(&sys->nparked) == 0 ||
	    ck_pr_load_32(&sys->nsearching) != 0)
		return;
	if (crowded_now(sys)) {
		/* Another thread on a busy CPU would only take time from
		 * the ones there. */
		held_back(sys);
		return;
	}
	wake_one(sys);
}

/*
 * After queueing with a plain store (the run queue's tail): a full fence,
 * so that the queued cell is visible before we read the parked count
 * (pairs with the fence in park()).
 */
static void
maybe_wake(rt_system *sys)
{
	ck_pr_fence_memory();
	wake_check(sys);
}

/*
 * After a worker queues behind other work: maybe_wake(), unless the last
 * wake-ups found nothing to take (the thieves judged the work cheaper left
 * where it was) and a watcher will look anyway: then nobody is woken
 * until `wake_quiet`, which each such wake-up in a row pushes further,
 * up to QUIET_MAX_NS. A wake-up costs the waker a system call, and the
 * woken worker's search reads the waker's queue lines.
 */
static void
maybe_wake_surplus(rti_worker *w)
{
	rt_system *sys = w->sys;
	int64_t quiet;

	/*
	 * No fence before the loads, where maybe_wake has one: the work
	 * queued here is its owner's, which runs it if nobody takes it, so
	 * a wake-up missed because the loads passed the store that queued
	 * it (a worker parking that moment) costs a moment's parallelism,
	 * not progress; the next push behind other work looks again, and a
	 * watcher every WATCH_PARK_NS. The fence, on every push of a busy
	 * worker, cost more than the wake-ups it could save.
	 */
	if (ck_pr_load_32(&sys->nparked) == 0 ||
	    ck_pr_load_32(&sys->nsearching) != 0)
		return;
	if (crowded_now(sys)) {
		held_back(sys); /* as in wake_check */
		return;
	}
	/*
	 * Relaxed: a hint; the watcher is the guarantee. The clock is read
	 * once in QUIET_LOOK_EVERY pushes: a read on every push of a busy
	 * spawner took a tenth of its time (a clock read costs more on a
	 * virtual machine), and a wake-up some pushes late is one that the
	 * watcher would make anyway.
	 */
	quiet = (int64_t)ck_pr_load_64((uint64_t *)&sys->wake_quiet);
	if (quiet != 0 && ck_pr_load_32(&sys->nwatching) != 0 &&
	    ((++w->quiet_looks & (QUIET_LOOK_EVERY - 1)) != 0 ||
		rti_clock_now() < quiet))
		return;
	wake_one(sys);
}

/* A worker woke to search: say whether it found anything (see above). */
static void
note_wake(rt_system *sys, bool found)
{
	uint32_t n;

	/* Relaxed: hints for maybe_wake_surplus. */
	if (found) {
		if (ck_pr_load_32(&sys->idle_wakes) != 0) {
			ck_pr_store_32(&sys->idle_wakes, 0);
			ck_pr_store_64((uint64_t *)&sys->wake_quiet, 0);
		}
		return;
	}
	n = ck_pr_load_32(&sys->idle_wakes);
	ck_pr_store_32(&sys->idle_wakes, n + 1);
	ck_pr_store_64((uint64_t *)&sys->wake_quiet,
	    (uint64_t)(rti_clock_now() +
		(n < QUIET_DOUBLINGS ? (int64_t)SEARCH_NS << n :
				       QUIET_MAX_NS)));
}

/*
 * After queueing what thieves leave for a while (a lone cell, a pinned
 * one): a full fence, as in maybe_wake(), and then a sleeper is woken only
 * if nobody searches and no parked worker will look again by itself. The
 * one woken sees the kept head and parks for WATCH_PARK_NS, so this wakes
 * at most about once a WATCH_PARK_NS.
 */
static void
maybe_wake_watcher(rt_system *sys)
{
	ck_pr_fence_memory();
	if (ck_pr_load_32(&sys->nwatching) == 0)
		wake_check(sys);
}

/*
 * After queueing with an atomic read-modify-write (the inject queue's
 * exchange): only that operation needs ordering before the loads, which
 * costs nothing on x86, where a locked instruction already is a full
 * barrier.
 */
static void
maybe_wake_after_atomic(rt_system *sys)
{
	ck_pr_fence_atomic_load();
	wake_check(sys);
}

/* Queue on `w`'s run queue; wake a helper when work piles up. */
void
rti_sched_enqueue(rti_worker *w, rt_cell *cell)
{
	rt_system *sys = w->sys;
	uint32_t before = runq_len(&w->rq);

	if (!runq_push(&w->rq, cell)) {
		inject_push(sys, cell);
		maybe_wake_after_atomic(sys);
		return;
	}
	/* Alone in the queue, or behind a pinned head: no thief takes
	 * anything from it for a while (runq_steal), so one watcher is
	 * enough. */
	if (before == 0 ||
	    ((uintptr_t)ck_pr_load_ptr(
		 &w->rq.slot[ck_pr_load_32(&w->rq.head) & RUNQ_MASK]) &
		PINNED)) {
		maybe_wake_watcher(sys);
		return;
	}
	maybe_wake_surplus(w);
}

void
rti_sched_ready(rt_system *sys, rt_cell *cell)
{
	rti_worker *w = rti_sched_worker(sys);

	if (w == NULL) {
		if (__builtin_expect(cell == rti_tls_take, 0) &&
		    rti_thread_of(cell) == NULL) {
			/* rt_call runs it (rti_caller_run). */
			rti_tls_take = NULL;
			rti_tls_taken = true;
			return;
		}
		inject_push(sys, cell);
		if (rti_tls_lazy_wake) {
			/* The push before the look, as in
			 * maybe_wake_after_atomic: a worker that parks after
			 * this load sees the cell in its last look. */
			ck_pr_fence_atomic_load();
			if (ck_pr_load_32(&sys->nparked) < sys->nworkers)
				return;
		}
		maybe_wake_after_atomic(sys);
		return;
	}
	rti_sched_ready_w(w, cell);
}

void
rti_sched_ready_pinned(rt_system *sys, rt_cell *cell)
{
	rti_worker *w = rti_sched_worker(sys);

	if (w == NULL) {
		rti_sched_ready(sys, cell);
		return;
	}
	/* Thieves leave it for PINNED_PATIENCE_NS: one watcher is
	 * enough. */
	if (!runq_push(&w->rq, (rt_cell *)((uintptr_t)cell | PINNED))) {
		inject_push(sys, cell);
		maybe_wake_after_atomic(sys);
		return;
	}
	maybe_wake_watcher(sys);
}

void
rti_sched_requeue(rti_worker *w, rt_cell *cell)
{
	rti_sched_enqueue(w, cell);
}

/*
 * Whether a thief should take from `v`'s run queue, whose head is `h` and
 * which holds `len` cells. `w` measures `v` over a window of `patience`
 * from the head it saw at the window's start: a head that has not moved
 * has waited `patience` by the window's end, and is taken. Else the thief
 * takes the head when the last cell queued would wait `patience` or more
 * for `v` to get to it, and `v`'s messages take STEAL_MSG_NS or more each
 * (its handled count tells how many it got through) and its runs
 * STEAL_RUN_NS or more (its looks for work tell). `now` is `w`'s
 * clock; 0 when it is not searching, and nothing is noted then.
 */
static bool
head_waited(rti_worker *w, rti_worker *v, uint32_t h, uint32_t len, int64_t now,
    int64_t patience)
{
	struct rti_seen *l = &w->seen[v->index];
	uint32_t moved = h - l->head;
	int64_t spent = now - l->since;
	uint32_t tick;

	if (now == 0)
		return false;
	if (l->since == 0 || moved > RTI_RUNQ_SIZE ||
	    (moved != 0 && spent >= patience)) {
		/*
		 * A new window, opened between two of the owner's runs: one
		 * that opened inside a long run (a spawner's handler) would
		 * count that run as the queue's, and the short runs queued
		 * behind it (what it spawned) would look slow enough to
		 * take. So it opens at the first look after the owner has
		 * looked for work; meanwhile a head that does not move is
		 * taken after as long as in a window. Relaxed: a statistic,
		 * a hint here; read only when needed, since the owner writes
		 * its line every run.
		 */
		tick = ck_pr_load_32(&v->tick);
		if (l->asked == 0 || (tick == l->ticks && h != l->head)) {
			l->since = 0;
			l->head = h;
			l->ticks = tick;
			l->asked = now;
			return false;
		}
		if (tick == l->ticks)
			return now - l->asked >= STUCK_FACTOR * patience;
		l->head = h;
		l->since = now;
		l->handled = ck_pr_load_64(&v->cnt.handled);
		l->ticks = tick;
		l->asked = 0;
		return false;
	}
	if (moved == 0)
		return spent >= STUCK_FACTOR * patience;
	/* The owner runs a cell in spent / moved: the last one here waits
	 * len times that. */
	return (int64_t)len * spent >= patience * (int64_t)moved &&
	    (uint64_t)spent >=
	    STEAL_MSG_NS * (ck_pr_load_64(&v->cnt.handled) - l->handled) &&
	    (uint64_t)spent >= STEAL_RUN_NS *
		(uint64_t)(uint32_t)(ck_pr_load_32(&v->tick) - l->ticks);
}

/*
 * Note the head of `v`'s run queue at `now`, as a thief's look would, so
 * that a later look can tell whether it has moved. Relaxed loads: hints.
 */
static void
head_note(rti_worker *w, rti_worker *v, int64_t now)
{
	rti_runq *q = &v->rq;
	uint32_t h = ck_pr_load_32(&q->head), t = ck_pr_load_32(&q->tail);

	if ((int32_t)(t - h) > 0)
		(void)head_waited(w, v, h, t - h, now,
		    patience_of(ck_pr_load_ptr(&q->slot[h & RUNQ_MASK])));
}

static bool starts_pending(rt_system *sys);

/*
 * Work that `self` must not park on: the inject queue, or its own queue.
 * `*others` is set when another worker's queue holds cells: that worker
 * keeps them for a while (runq_steal), and whoever queued them woke a
 * sleeper if they are worth taking at once (maybe_wake_surplus).
 */
static bool
work_visible(rti_worker *self, bool *others)
{
	rt_system *sys = self->sys;
	unsigned i;

	if (rti_mailbox_has_pending(&sys->inject) || starts_pending(sys) ||
	    runq_len(&self->rq) != 0)
		return true;
	for (i = 0; i < sys->nworkers && !*others; i++)
		*others = &sys->workers[i] != self &&
		    runq_len(&sys->workers[i].rq) != 0;
	return false;
}

/* How a park ended. */
enum park_end {
	PARK_WOKEN,  /* another thread woke us and counted us searching */
	PARK_SELF,   /* we saw work ourselves */
	PARK_TIMEOUT /* WATCH_PARK_NS passed: look at the kept heads */
};

/* Stop being parked on our own; a waker may have claimed us first. */
static enum park_end
unpark_self(rti_worker *w, enum park_end why)
{
	if (!ck_pr_cas_32(&w->parked, 1, 0))
		return PARK_WOKEN;
	ck_pr_dec_32(&w->sys->nparked);
	return why;
}

/*
 * Parked in epoll_wait: until readiness comes, which this worker queues
 * to itself and then runs, another thread wakes it, or `timeout_ms` (-1:
 * none) has passed.
 */
static enum park_end
park_in_epoll(rti_worker *w, int timeout_ms)
{
	rt_system *sys = w->sys;
	enum park_end end;

	for (;;) {
		bool woken = false;
		unsigned queued = rti_io_poll(sys, timeout_ms, &woken);

		if (ck_pr_load_32(&w->parked) == 0) {
			/* Claimed by a waker, who counted us searching. */
			end = PARK_WOKEN;
			break;
		}
		if (queued != 0) {
			end = unpark_self(w, PARK_SELF);
			break;
		}
		if (timeout_ms >= 0 && !woken) {
			end = unpark_self(w, PARK_TIMEOUT);
			break;
		}
	}
	/* Relaxed: a waker reads it only after claiming us, and we are
	 * awake whichever way it wakes us now. */
	ck_pr_store_32(&w->in_epoll, 0);
	rti_io_park_end(sys);
	return end;
}

/* Sleep on our futex word until claimed, or until `deadline` (-1: none). */
static enum park_end
park_on_futex(rti_worker *w, uint32_t seq, int64_t deadline)
{
	while (ck_pr_load_32(&w->parked) != 0) {
		int64_t left = -1;

		if (deadline >= 0) {
			left = deadline - rti_clock_now();
			if (left <= 0)
				return unpark_self(w, PARK_TIMEOUT);
		}
		rti_futex_wait(&w->wake_seq, seq, left);
		seq = ck_pr_load_32(&w->wake_seq);
	}
	return PARK_WOKEN;
}

/*
 * Park until woken, or for WATCH_PARK_NS as a watcher: when another
 * worker's queue holds a head kept for it (runq_steal), or when no other
 * parked worker watches while some worker is awake. Watchers, counted in
 * `nwatching`, look again by themselves, so that whoever queues a kept
 * head need wake a sleeper only when none watches (maybe_wake_watcher).
 */
static enum park_end
park(rti_worker *w)
{
	rt_system *sys = w->sys;
	uint32_t seq = ck_pr_load_32(&w->wake_seq);
	bool epoll = rti_io_park_begin(sys), others = false, watch;
	int64_t deadline = -1;
	enum park_end end;
	unsigned i;

	/* Where we sleep, before we say we sleep: a waker that claims us
	 * reads it after its CAS on `parked`. */
	if (epoll) {
		ck_pr_store_32(&w->in_epoll, 1);
		ck_pr_fence_store();
	}
	ck_pr_store_32(&w->parked, 1);
	ck_pr_inc_32(&sys->nparked);
	/*
	 * Full fence: announce that we are parked before the last look at
	 * the queues (pairs with the fence in maybe_wake()).
	 */
	ck_pr_fence_memory();
	if (ck_pr_load_32(&sys->terminate) || work_visible(w, &others)) {
		/* Unless a waker claimed us meanwhile and counted us
		 * searching. */
		end = unpark_self(w, PARK_SELF);
		if (epoll) {
			/* Relaxed, as in park_in_epoll. */
			ck_pr_store_32(&w->in_epoll, 0);
			rti_io_park_end(sys);
		}
		return end;
	}
	/*
	 * While another worker is awake it may queue heads that it keeps
	 * for itself, and one parked worker watches for them, so that it
	 * need not wake anyone for each (maybe_wake_watcher). Once every
	 * worker is parked, none watches: an idle system uses no CPU.
	 */
	watch = others ||
	    (ck_pr_load_32(&sys->nparked) < sys->nworkers &&
		ck_pr_load_32(&sys->nwatching) == 0);
	if (watch) {
		/* Note when each head was seen, so that the look after the
		 * timeout can take one that has not moved. */
		int64_t now = rti_clock_now();

		for (i = 0; i < sys->nworkers; i++)
			if (&sys->workers[i] != w)
				head_note(w, &sys->workers[i], now);
		deadline = now + WATCH_PARK_NS;
		/* Relaxed: a pusher that misses it wakes a sleeper for
		 * nothing, which costs only the wake-up. */
		ck_pr_inc_32(&sys->nwatching);
	}
	if (epoll)
		end = park_in_epoll(w, watch ? WATCH_PARK_NS / 1000000 : -1);
	else
		end = park_on_futex(w, seq, deadline);
	if (watch)
		ck_pr_dec_32(&sys->nwatching);
	return end;
}

void
rti_sched_kick(rt_system *sys)
{
	maybe_wake(sys);
}

void
rti_sched_lend(rt_system *sys)
{
	/* Relaxed: a hint, as crowded_now reads it; a CAS, so that a
	 * newer mark stays. A worker that finds the machine still crowded
	 * marks it again at its next sample. */
	uint64_t until = ck_pr_load_64((uint64_t *)&sys->crowded_until);

	if (until == 0 ||
	    !ck_pr_cas_64((uint64_t *)&sys->crowded_until, until, 0))
		return;
	maybe_wake(sys);
}

/* --- the worker loop ----------------------------------------------------- */

/*
 * Read how long this worker's thread has waited for a CPU (run delay, the
 * second figure of /proc/thread-self/schedstat) every CROWD_SAMPLE_NS, and
 * mark the system crowded when it waited CROWD_SHARE of the time or more.
 * Returns whether the system is crowded now. About 0.4 us a read.
 */
static bool
crowded(rti_worker *w)
{
	rt_system *sys = w->sys;
	int64_t coarse, until;

	/* Its queue runs dry often: look at the clocks one time in
	 * CROWD_EVERY. */
	if ((++w->stat_tick & (CROWD_EVERY - 1)) != 0)
		return w->stat_crowded;
	coarse = rti_clock_coarse();
	if (coarse - w->stat_coarse >= CROWD_SAMPLE_NS) {
		int64_t now = rti_clock_now();
		char buf[96], *end;
		ssize_t n = pread(w->stat_fd, buf, sizeof(buf) - 1, 0);
		uint64_t delay;

		if (n <= 0) {
			close(w->stat_fd);
			w->stat_fd = -1;
			return w->stat_crowded = false;
		}
		buf[n] = '\0';
		(void)strtoull(buf, &end, 10); /* time on a CPU */
		delay = strtoull(end, NULL, 10);
		if (w->stat_at != 0 &&
		    (delay - w->stat_delay) * CROWD_SHARE >=
			(uint64_t)(now - w->stat_at))
			/* Relaxed: a hint (crowded_now). */
			ck_pr_store_64((uint64_t *)&sys->crowded_until,
			    (uint64_t)(now + CROWD_NS));
		w->stat_at = now;
		w->stat_coarse = coarse;
		w->stat_delay = delay;
	}
	until = (int64_t)ck_pr_load_64((uint64_t *)&sys->crowded_until);
	if (until != 0 && coarse >= until) {
		/* Over: take the mark off (a CAS, so that a newer one
		 * stays). */
		(void)ck_pr_cas_64((uint64_t *)&sys->crowded_until,
		    (uint64_t)until, 0);
		until = 0;
	}
	return w->stat_crowded = until != 0;
}

/*
 * On a crowded machine, with its own queue empty: leave the rest to the
 * others and park, unless it is the last worker awake. The claim on
 * `nparked` is a CAS, so that two workers cannot both leave the last one:
 * it is what keeps one worker awake. Returns whether this worker claimed
 * its place among the parked; it then parks with yield_cpu. Only for a
 * worker that reads its run delay (stat_fd), which a lone worker does not.
 */
static bool
yield_claim(rti_worker *w)
{
	rt_system *sys = w->sys;
	uint32_t p;

	if (!crowded(w))
		return false;
	p = ck_pr_load_32(&sys->nparked);
	if (p + 1 >= sys->nworkers || !ck_pr_cas_32(&sys->nparked, p, p + 1))
		return false;
	w->yield = true;
	return true;
}

/*
 * Park after yield_claim, until the crowding ends or a waker needs us.
 * Returns PARK_WOKEN (a waker counted us searching) or PARK_TIMEOUT.
 */
static enum park_end
yield_cpu(rti_worker *w)
{
	rt_system *sys = w->sys;
	uint32_t seq = ck_pr_load_32(&w->wake_seq);
	/* Relaxed: a hint, as everywhere it is read. */
	uint64_t until = ck_pr_load_64((uint64_t *)&sys->crowded_until);
	enum park_end end;

	w->yield = false;
	/* `seq` before we say we are parked, as in park(). A waker that
	 * sees the flag claims us (CAS) and takes us off nparked. */
	ck_pr_store_32(&w->parked, 1);
	rti_count_w(sys, w, yields, 1);
	end = park_on_futex(w, seq, (int64_t)until);
	/*
	 * Parked until the mark's end: take it off now (a CAS, so that a
	 * newer one stays). crowded() would only at the coarse clock's next
	 * tick, up to 4 ms later, and until then every look found the
	 * machine crowded and parked again at once, past the deadline: a
	 * loop of reads of the run delay on a CPU that was wanted.
	 */
	if (end == PARK_TIMEOUT && until != 0)
		(void)ck_pr_cas_64((uint64_t *)&sys->crowded_until, until, 0);
	/* A new window: the time parked says nothing of the CPUs. And a
	 * look at the mark at the next chance, not the answer from before
	 * the park. */
	w->stat_at = 0;
	w->stat_coarse = 0;
	w->stat_tick = CROWD_EVERY - 1;
	return end;
}

/*
 * Readiness, without waiting, when the system watches descriptors: what
 * it makes runnable is queued here (next slot first), and the first of it
 * is returned.
 */
static rt_cell *
poll_io(rti_worker *w)
{
	rt_system *sys = w->sys;
	rt_cell *cell;

	/* Relaxed: a set made a moment ago is polled next time. */
	if (ck_pr_load_ptr(&sys->io) == NULL || rti_io_poll(sys, 0, NULL) == 0)
		return NULL;
	cell = w->next;
	if (cell != NULL) {
		w->next = NULL;
		return cell;
	}
	return runq_pop(&w->rq);
}

/* Runs in a row from the next slot before the run queue gets a turn. */
#define NEXT_STREAK_MAX 16
/* Every this many runs, a worker looks at the inject queue first. */
#define INJECT_EVERY 61

/*
 * Take a cell from another worker's queue, starting from a different victim
 * each time; a kept head only once it has waited (runq_steal). Out of line:
 * the thief's judgment would otherwise weigh on find_work's common path.
 */
/*
 * Take the head of `v`'s queue and, behind it, up to half of what it
 * holds (at most STEAL_BATCH), once the head has waited (head_waited): the
 * owner is not getting through its queue, and what queued behind the head
 * would wait as long. One look and one CAS move the lot, where taking them
 * one by one would mean a look, a wait and a CAS on the owner's line each
 * (Go's runqsteal takes half, Tokio's steal_into half as well). The batch
 * stops short of a pinned cell: its producer is left where its consumer
 * is, as a thief leaves the head. The first cell is returned; the others go to
 * the thief's own queue (only the thief pushes there).
 */
#define STEAL_BATCH 32

static rt_cell *
runq_steal(rti_worker *w, rti_worker *v)
{
	rti_runq *q = &v->rq;
	rt_cell *got[STEAL_BATCH];
	uint32_t h, t, n, i;

	h = ck_pr_load_32(&q->head);
	/* Acquire, as in runq_pop: the tail after the head, the slots after
	 * the tail. */
	ck_pr_fence_load();
	t = ck_pr_load_32(&q->tail);
	ck_pr_fence_load();
	if ((int32_t)(t - h) <= 0)
		return NULL;
	got[0] = ck_pr_load_ptr(&q->slot[h & RUNQ_MASK]);
	if (!head_waited(w, v, h, t - h, w->search_now, patience_of(got[0])))
		return NULL;
	n = (t - h + 1) / 2;
	if (n > STEAL_BATCH)
		n = STEAL_BATCH;
	for (i = 1; i < n; i++) {
		got[i] = ck_pr_load_ptr(&q->slot[(h + i) & RUNQ_MASK]);
		if ((uintptr_t)got[i] & PINNED)
			break;
	}
	n = i;
	/* The slot reads must happen before the CAS that frees them for the
	 * owner to write again. */
	ck_pr_fence_load_atomic();
	if (!ck_pr_cas_32(&q->head, h, h + n))
		return NULL;
	for (i = 0; i < n; i++) {
		got[i] = untag(got[i]);
		RT_TSAN_ACQUIRE(got[i]);
	}
	for (i = 1; i < n; i++)
		if (!runq_push(&w->rq, got[i]))
			inject_push(w->sys, got[i]);
	rti_count_w(w->sys, w, steals, n);
	return got[0];
}

static rt_cell *__attribute__((noinline))
steal(rti_worker *w)
{
	rt_system *sys = w->sys;
	unsigned i, n = sys->nworkers;

	w->rng = w->rng * 1103515245u + 12345u;
	for (i = 0; i < n; i++) {
		rti_worker *v = &sys->workers[(w->rng / 65536 + i) % n];
		rt_cell *cell;

		if (v == w)
			continue;
		cell = runq_steal(w, v);
		if (cell != NULL)
			return cell;
	}
	return NULL;
}

/* --- starts without a cell ---------------------------------------------- */

/* How many starts a worker gives cells at once. */
#define STARTS_BATCH 64

void
rti_sched_start_later(rt_system *sys, rt_env *env)
{
	const rt_actor_class *cls = env->u.cls;

	/*
	 * Either publishes the start (a release, then an atomic operation
	 * for maybe_wake_after_atomic). A record in the ring leaves the
	 * envelope to this thread's cache, where the next spawn takes it
	 * again. Not for arguments with strings or bytes (args_copy), which
	 * point into the envelope's own payload.
	 */
	if (cls->args_copy == NULL &&
	    rti_sring_push(&sys->sring, cls, rt_env_payload(env), env->size))
		rti_env_free(env);
	else
		(void)rti_mailbox_push_mpsc(&sys->starts, &env->node);
	maybe_wake_after_atomic(sys);
}

/* Whether starts wait for a cell (a snapshot, any thread). */
static bool
starts_pending(rt_system *sys)
{
	return rti_sring_pending(&sys->sring) ||
	    rti_mailbox_has_pending(&sys->starts);
}

/*
 * A start without a cell cannot be had: shutdown has begun, or there is no
 * memory for a cell (or, for a record of the start ring, for its start
 * signal: `env` NULL). Its place in `live` goes, and the spawn is counted
 * as refused (its caller was told 0, so this is where it shows).
 */
static void
start_refused(rti_worker *w, rt_env *env)
{
	rti_live_add(w->sys, -1);
	rti_count_w(w->sys, w, refused, 1);
	rt_env_discard(env);
}

/*
 * Give the start signal `env` (no cell yet) a cell from this worker's cache
 * and queue it here, as rt_spawn_commit does for a cell chosen by its
 * caller: the cells were last written on this core and stay on it, where a
 * thread outside would have written each one's lines from the other core.
 */
static void
start_one(rti_worker *w, rt_env *env)
{
	rt_system *sys = w->sys;
	rt_cell *cell;

	/* Relaxed, as rt_spawn_commit's look: shutdown rescans. */
	if (ck_pr_load_32(&sys->stopping) ||
	    (cell = rti_cell_alloc(sys, &sys->cells, &w->cell_cache)) == NULL) {
		start_refused(w, env);
		return;
	}
	env->cell = cell;
	(void)rti_spawn_publish(cell, env, env->u.cls);
	if (rti_mailbox_push_mpsc(&cell->mb, &env->node))
		rti_sched_enqueue(w, cell);
}

/*
 * Start up to STARTS_BATCH of the actors that wait for a cell: records in
 * the ring first, then envelopes from the queue. Under starts_lock only
 * what is taken is copied out (the records' words, the envelopes'
 * addresses); each is made a start signal from this worker's cache and
 * given a cell after the unlock. With the starts made under the lock, a
 * batch held it for microseconds, and another worker that came for starts
 * found it taken and went without: two workers started actors no faster
 * than one.
 */
static bool
starts_take(rti_worker *w)
{
	rt_system *sys = w->sys;
	uint64_t recs[STARTS_BATCH * rti_sring_words_of(RTI_SRING_ARGS_MAX)];
	rt_env *envs[STARTS_BATCH];
	rti_mpsc_node *node, *tail, *tail0;
	const rt_actor_class *cls;
	const void *args;
	uint32_t h, t, t0, size, nw = 0, i;
	unsigned n = 0, ne = 0;

	if (!starts_pending(sys) || !ck_spinlock_fas_trylock(&sys->starts_lock))
		return false;
	/* The lock hands the consumer ends over (pairs with the release
	 * before the unlock below). */
	RT_TSAN_ACQUIRE(&sys->starts_lock);
	h = rti_sring_begin(&sys->sring, &t);
	t0 = t;
	for (; n < STARTS_BATCH &&
	    rti_sring_next(&sys->sring, &t, h, &cls, &args, &size);
	    n++) {
		recs[nw] = (uint64_t)(uintptr_t)cls;
		recs[nw + 1] = size;
		memcpy(&recs[nw + 2], args, size);
		nw += rti_sring_words_of(size);
	}
	if (t != t0)
		rti_sring_end(&sys->sring, t);
	tail = sys->starts.tail;
	tail0 = tail;
	for (; n + ne < STARTS_BATCH &&
	    (node = rti_mailbox_pop_at(&sys->starts, &tail)) != NULL;
	    ne++)
		envs[ne] = rti_env_of(node);
	if (tail != tail0)
		rti_mailbox_set_tail(&sys->starts, tail);
	RT_TSAN_RELEASE(&sys->starts_lock);
	ck_spinlock_fas_unlock(&sys->starts_lock);
	for (i = 0; i < nw; i += rti_sring_words_of(size)) {
		rt_env *env;

		size = (uint32_t)recs[i + 1];
		env = rti_env_alloc_sys(sys, size);
		if (env == NULL) {
			/* No memory for its start signal: refused, as for
			 * want of a cell. */
			start_refused(w, NULL);
			continue;
		}
		env->kind = RTI_ENV_START;
		env->u.cls = (const rt_actor_class *)(uintptr_t)recs[i];
		memcpy(rt_env_payload(env), &recs[i + 2], size);
		start_one(w, env);
	}
	for (i = 0; i < ne; i++)
		start_one(w, envs[i]);
	return n + ne != 0;
}

/* Free the starts left when the system is freed (none after a
 * shutdown, which waits for them). Nothing runs any more. */
static void
starts_drain(rt_system *sys)
{
	rti_mpsc_node *node;

	while ((node = rti_mailbox_pop(&sys->starts)) != NULL)
		rt_env_discard(rti_env_of(node));
	rti_sring_free(&sys->sring);
}

static rt_cell *
find_work(rti_worker *w)
{
	rt_system *sys = w->sys;
	rt_cell *cell;
	uint32_t tick;

	/*
	 * Now and then the inject queue goes first, or a worker kept busy by
	 * its own queue and next slot would never look at what threads
	 * outside the system sent (Go's scheduler does the same every 61st
	 * tick).
	 */
	/* Relaxed: thieves read it as a hint (head_waited). */
	tick = w->tick + 1;
	ck_pr_store_32(&w->tick, tick);
	if (tick % INJECT_EVERY == 0) {
		/* And whether a tracer came or went (probes.h). */
		rti_probes_refresh(w);
		cell = inject_take(w);
		if (cell != NULL)
			return cell;
		/* And the spawns from outside that wait for a cell. */
		if (starts_take(w) && (cell = runq_pop(&w->rq)) != NULL)
			return cell;
		/* Readiness too, which would otherwise wait until some
		 * worker runs out of work. */
		cell = poll_io(w);
		if (cell != NULL)
			return cell;
	}
	cell = w->next;
	if (cell != NULL) {
		w->next = NULL;
		/* Two actors bouncing messages would keep the slot forever:
		 * now and then, let the queue go first. */
		if (++w->streak < NEXT_STREAK_MAX || runq_len(&w->rq) == 0)
			return cell;
		rti_sched_enqueue(w, cell);
	}
	w->streak = 0;
	cell = runq_pop(&w->rq);
	if (cell != NULL) {
		prefetch_queued(&w->rq);
		return cell;
	}
	/* Starts without a cell go to the run queue. */
	if (starts_take(w) && (cell = runq_pop(&w->rq)) != NULL)
		return cell;
	/* Its own work done on a crowded machine: the rest is for the
	 * others, unless nobody else is awake (yield_claim). */
	if (w->stat_fd >= 0 && yield_claim(w))
		return NULL;
	cell = inject_take(w);
	if (cell != NULL) {
		/* More than we can run at once: share it. */
		if (runq_len(&w->rq) != 0)
			maybe_wake(sys);
		return cell;
	}
	/* Readiness: whoever finds it runs it. */
	cell = poll_io(w);
	if (cell != NULL)
		return cell;
	return steal(w);
}

/*
 * Whether a worker that has run out of work may search: at most half of
 * the workers that are awake search at once (Go's and Tokio's rule), so
 * that idle workers spinning do not take the cores of the busy ones and of
 * the threads outside the system that wait for answers.
 */
static bool
search_allowed(rt_system *sys)
{
	/* Relaxed: a heuristic; a wrong answer costs a search or a park. */
	uint32_t awake = sys->nworkers - ck_pr_load_32(&sys->nparked);

	return 2 * ck_pr_load_32(&sys->nsearching) < awake;
}

/* One look everywhere, kept heads included, after a PARK_TIMEOUT. */
static rt_cell *
look_once(rti_worker *w)
{
	rt_cell *cell;

	w->search_now = rti_clock_now();
	cell = find_work(w);
	w->search_now = 0;
	return cell;
}

/*
 * Search for a while; `counted` says whether we are in nsearching already
 * (a woken worker is). Returns NULL at once when too many search already.
 */
static rt_cell *
search(rti_worker *w, bool counted)
{
	rt_system *sys = w->sys;
	int64_t until;
	rt_cell *cell = NULL;

	if (!counted) {
		if (!search_allowed(sys))
			return NULL;
		ck_pr_inc_32(&sys->nsearching);
	}
	w->search_now = rti_clock_now();
	until = w->search_now + SEARCH_NS;
	while (!ck_pr_load_32(&sys->terminate)) {
		int i;

		cell = find_work(w);
		if (cell != NULL || w->yield)
			break;
		for (i = 0; i < 64; i++)
			ck_pr_stall();
		w->search_now = rti_clock_now();
		if (w->search_now > until)
			break;
		/* Past the first SEARCH_YIELD_NS, give the CPU up between
		 * looks: the kernel may have put on this CPU the very thread
		 * we wait for (a plain thread waiting for a call's answer, a
		 * worker), and a spinning thread keeps it until its time
		 * slice ends. */
		if (w->search_now > until - SEARCH_NS + SEARCH_YIELD_NS)
			sched_yield();
	}
	w->search_now = 0;
	if (counted)
		note_wake(sys, cell != NULL);
	/*
	 * The last searcher to find work hands the search on. The fence
	 * orders our leaving the searchers before the look at the queues, as
	 * maybe_wake() expects of anyone who queues work.
	 */
	if (ck_pr_faa_32(&sys->nsearching, (uint32_t)-1) == 1 && cell != NULL) {
		bool others = false;

		ck_pr_fence_atomic_load();
		if (work_visible(w, &others))
			maybe_wake(sys);
		else if (others)
			maybe_wake_surplus(w);
	}
	return cell;
}

static void *
worker_main(void *arg)
{
	rti_worker *w = arg;
	rt_system *sys = w->sys;
	bool woken = false;

	rti_tls_worker = w;
	/* Its own thread's figures: opened here, where "thread-self" is
	 * this thread. A lone worker never yields, and needs none. */
	if (sys->nworkers > 1)
		w->stat_fd = open("/proc/thread-self/schedstat",
		    O_RDONLY | O_CLOEXEC);
	/* Release: the descriptor before the word that says it is open
	 * (rti_sched_start's acquiring load reads them in that order). */
	ck_pr_fence_store();
	ck_pr_store_32(&w->opened, 1);
	rti_futex_wake(&w->opened, 1);
	while (!ck_pr_load_32(&sys->terminate)) {
		rt_cell *cell;

		if (w->yield) {
			/* find_work claimed a place among the parked
			 * (yield_claim). */
			woken = yield_cpu(w) == PARK_WOKEN;
			continue;
		}
		cell = woken ? NULL : find_work(w);
		if (cell == NULL && !w->yield)
			cell = search(w, woken);
		if (cell == NULL) {
			/*
			 * Out of work: the exits it counted go out now, so
			 * that rt_system_wait sees the system idle. Not
			 * before the search: a worker that keeps up with a
			 * thread spawning from outside runs dry after each
			 * actor, and a flush each time would take the line
			 * of `live` from that thread once per spawn.
			 */
			rti_live_flush(w);
		}
		woken = false;
		while (cell == NULL && !w->yield &&
		    !ck_pr_load_32(&sys->terminate)) {
			enum park_end end = park(w);

			if (end == PARK_WOKEN) {
				woken = true;
				break;
			}
			/* After a timeout (PARK_TIMEOUT), one look rather
			 * than a search: the kept heads' workers were busy,
			 * and likely still are. */
			if (end == PARK_SELF)
				break;
			cell = look_once(w);
		}
		if (cell == NULL)
			continue;
		rti_actor_run(w, cell);
	}
	if (woken)
		ck_pr_dec_32(&sys->nsearching);
	if (w->stat_fd >= 0)
		close(w->stat_fd);
	w->stat_fd = -1;
	rti_tls_worker = NULL;
	return NULL;
}

int
rti_sched_start(rt_system *sys)
{
	unsigned i;

	rti_mailbox_init(&sys->inject);
	rti_mailbox_init(&sys->starts);
	ck_spinlock_fas_init(&sys->starts_lock);
	rti_sring_init(&sys->sring);
	ck_spinlock_fas_init(&sys->inject_lock);
	sys->workers = aligned_alloc(RT_CACHELINE,
	    sizeof(rti_worker) * sys->nworkers);
	if (sys->workers == NULL)
		return RT_ENOMEM;
	memset(sys->workers, 0, sizeof(rti_worker) * sys->nworkers);
	for (i = 0; i < sys->nworkers; i++) {
		rti_worker *w = &sys->workers[i];

		w->seen = calloc(sys->nworkers, sizeof(*w->seen));
		if (w->seen == NULL) {
			rti_sched_free(sys);
			return RT_ENOMEM;
		}
		w->sys = sys;
		w->index = i;
		w->watched = !sys->manual && sys->cfg.watchdog > 0;
		rti_probes_refresh(w);
		w->rng = i * 2654435761u + 1;
		w->ctx.sys = sys;
		w->ctx.worker = w;
		w->stat_fd = -1; /* the worker's thread opens its own */
	}
	for (i = 0; i < sys->nworkers && !sys->manual; i++) {
		rti_worker *w = &sys->workers[i];

		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			rti_sched_stop(sys);
			rti_sched_join(sys);
			return RT_ENOMEM;
		}
		w->running = true;
	}
	/*
	 * The system is made once every worker has opened what it reads:
	 * its descriptor is then the system's from the start, not one that
	 * appears later, while the program counts its own.
	 */
	for (i = 0; i < sys->nworkers && !sys->manual; i++) {
		rti_worker *w = &sys->workers[i];

		while (ck_pr_load_32(&w->opened) == 0)
			rti_futex_wait(&w->opened, 0, -1);
		/* Acquire: pairs with the worker's fence before its store. */
		ck_pr_fence_load();
	}
	return 0;
}

uint64_t
rti_sched_drive(rt_system *sys)
{
	rti_worker *w = &sys->workers[0], *saved = rti_tls_worker;
	uint64_t before = w->cnt.handled;
	rt_cell *cell;

	rti_tls_worker = w;
	/* Readiness is collected once the actors have nothing left, and
	 * what it makes runnable runs in the same call. */
	do {
		while ((cell = find_work(w)) != NULL)
			rti_actor_run(w, cell);
	} while (rti_io_poll(sys, 0, NULL) != 0);
	/* Idle: its exits go out, so that the live count is exact. */
	rti_live_flush(w);
	rti_tls_worker = saved;
	return w->cnt.handled - before;
}

void
rti_sched_stop(rt_system *sys)
{
	unsigned i;

	ck_pr_store_32(&sys->terminate, 1);
	/* Full fence: the flag before looking for sleepers (pairs with the
	 * fence in park(), which re-checks the flag). */
	ck_pr_fence_memory();
	for (i = 0; i < sys->nworkers; i++)
		while (wake_one(sys))
			;
}

void
rti_sched_free(rt_system *sys)
{
	unsigned i;

	if (sys->workers == NULL)
		return;
	starts_drain(sys);
	for (i = 0; i < sys->nworkers; i++)
		free(sys->workers[i].seen);
	free(sys->workers);
	sys->workers = NULL;
}

void
rti_sched_join(rt_system *sys)
{
	unsigned i;

	for (i = 0; i < sys->nworkers; i++) {
		rti_worker *w = &sys->workers[i];

		if (w->running) {
			pthread_join(w->thread, NULL);
			w->running = false;
		}
	}
}
