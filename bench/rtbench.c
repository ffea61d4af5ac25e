/* SPDX-License-Identifier: MIT */
/*
 * rtbench: rt's canonical workloads (doc/benchmarks.md), one line of results
 * per workload on stdout and nothing else:
 *
 *   rtbench [--workers N] [--stats] [--observer ADDR]
 *           [WORKLOAD [key=value...]]...
 *
 * With no workload, all run at their default sizes. Each workload checks its
 * own result and rtbench exits 1 if one is wrong, so a figure never comes
 * from a run that did not do the work. Time is measured with the monotonic
 * clock around the workload, after the system has started. With
 * --observer, each workload's system is observed over HTTP on ADDR while
 * it runs (rt_observer_start), for bench/observer.sh to measure what that
 * costs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bench.rtp.h"

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- pingpong ------------------------------------------------------------ */

/* Hits counted by both players, added up in on_stop (read after wait). */
static uint64_t pingpong_hits;

int
bench_Player_on_Serve(bench_Player *self, rt_ctx *ctx, const bench_Serve *msg)
{
	bench_Ball ball = { .left = msg->rounds * 2 };

	(void)ctx;
	self->peer = msg->peer;
	/* rounds 0: only learn the peer; the other player serves. */
	return ball.left == 0 ? 0 : bench_Player_send_Ball(self->peer, &ball);
}

int
bench_Player_on_Ball(bench_Player *self, rt_ctx *ctx, const bench_Ball *msg)
{
	bench_Ball next = { .left = msg->left - 1 };

	self->hits++;
	if (next.left == 0) {
		rt_stop(ctx, RT_NORMAL);
		return bench_Player_send_Quit(self->peer, NULL);
	}
	return bench_Player_send_Ball(self->peer, &next);
}

int
bench_Player_on_Quit(bench_Player *self, rt_ctx *ctx, const bench_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

void
bench_Player_on_stop(bench_Player *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	(void)reason;
	pingpong_hits += self->hits;
}

typedef struct param {
	const char *key;
	uint64_t value;
} param;

static int
run_pingpong(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value;
	bench_Player_ref a, b;
	bench_Serve serve;
	double t0, t1;

	pingpong_hits = 0;
	if (bench_Player_spawn(sys, NULL, &a) != 0 ||
	    bench_Player_spawn(sys, NULL, &b) != 0)
		return 1;
	/* b learns its peer first; a's ball reaches b after that, since main
	 * sent b's Serve before a's. */
	t0 = now_sec();
	serve.peer = a;
	serve.rounds = 0;
	if (bench_Player_send_Serve(b, &serve) != 0)
		return 1;
	serve.peer = b;
	serve.rounds = n;
	if (bench_Player_send_Serve(a, &serve) != 0)
		return 1;
	rt_system_wait(sys);
	t1 = now_sec();
	if (pingpong_hits != 2 * n) {
		fprintf(stderr, "pingpong: %llu hits, want %llu\n",
		    (unsigned long long)pingpong_hits,
		    (unsigned long long)(2 * n));
		return 1;
	}
	printf("pingpong msgs=%llu seconds=%.3f ns_per_msg=%.1f workers=%u\n",
	    (unsigned long long)(2 * n), t1 - t0, (t1 - t0) * 1e9 / (2.0 * n),
	    workers);
	return 0;
}

/* Counters bumped from handlers on several workers at once. */
static void
add_u64(uint64_t *p, uint64_t v)
{
	__atomic_add_fetch(p, v, __ATOMIC_RELAXED);
}

static uint64_t
load_u64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* --- ring ---------------------------------------------------------------- */

/*
 * R nodes, each linked to the next, the last to the first. Main injects a
 * token carrying H; each node that receives it with left > 0 counts a hop and
 * passes left - 1 on. The node that receives left == 0 sends Halt round the
 * ring, and each node passes it on and stops (the last Halt finds its target
 * gone, which is fine). Hops are counted per node and added up in on_stop.
 * Timed: from the injection to the last node gone.
 */
static uint64_t ring_hops;

int
bench_RingNode_on_Link(bench_RingNode *self, rt_ctx *ctx, const bench_Link *msg)
{
	(void)ctx;
	self->next = msg->next;
	return 0;
}

int
bench_RingNode_on_Token(bench_RingNode *self, rt_ctx *ctx,
    const bench_Token *msg)
{
	if (msg->left == 0) {
		rt_stop(ctx, RT_NORMAL);
		return bench_RingNode_send_Halt(self->next, NULL);
	}
	self->hops++;
	return bench_RingNode_send_Token(self->next,
	    &(bench_Token){ .left = msg->left - 1 });
}

int
bench_RingNode_on_Halt(bench_RingNode *self, rt_ctx *ctx, const bench_Halt *msg)
{
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	(void)bench_RingNode_send_Halt(self->next, NULL); /* may be gone */
	return 0;
}

void
bench_RingNode_on_stop(bench_RingNode *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	(void)reason;
	add_u64(&ring_hops, self->hops);
}

static int
run_ring(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t r = p[0].value, h = p[1].value, i;
	bench_RingNode_ref *nodes;
	double t0, t1;

	ring_hops = 0;
	nodes = calloc(r, sizeof(*nodes));
	if (nodes == NULL)
		return 1;
	for (i = 0; i < r; i++)
		if (bench_RingNode_spawn(sys, NULL, &nodes[i]) != 0)
			return 1;
	for (i = 0; i < r; i++)
		if (bench_RingNode_send_Link(nodes[i],
			&(bench_Link){ .next = nodes[(i + 1) % r] }) != 0)
			return 1;
	t0 = now_sec();
	if (bench_RingNode_send_Token(nodes[0], &(bench_Token){ .left = h }) !=
	    0)
		return 1;
	rt_system_wait(sys);
	t1 = now_sec();
	free(nodes);
	if (load_u64(&ring_hops) != h) {
		fprintf(stderr, "ring: %llu hops, want %llu\n",
		    (unsigned long long)load_u64(&ring_hops),
		    (unsigned long long)h);
		return 1;
	}
	printf("ring actors=%llu hops=%llu seconds=%.3f ns_per_hop=%.1f "
	       "workers=%u\n",
	    (unsigned long long)r, (unsigned long long)h, t1 - t0,
	    (t1 - t0) * 1e9 / (double)h, workers);
	return 0;
}

/* --- counting ------------------------------------------------------------ */

/*
 * On Go the producer sends N Incs to the counter, CHUNK per handler run
 * (Savina's counting actor, under backpressure), then a GetCount carrying
 * its own ref; the counter replies
 * with Count and stops, and the producer records the count and stops.
 * Messages from one sender arrive in order, so the count must be exactly N.
 * Timed: from Go to both actors gone.
 */
static uint64_t counting_result;

int
bench_Producer_on_start(bench_Producer *self, rt_ctx *ctx,
    const bench_Producer_args *args)
{
	(void)ctx;
	self->counter = args->counter;
	self->n = args->n;
	return 0;
}

/*
 * Messages a producer sends per handler run. Between runs a muted producer
 * waits for the bounded mailbox it floods to drain (muting acts when a
 * handler returns), so this bounds how far past the bound it can go.
 */
#define CHUNK 256

int
bench_Producer_on_Go(bench_Producer *self, rt_ctx *ctx, const bench_Go *msg)
{
	(void)msg;
	self->left = self->n;
	return bench_Producer_on_More(self, ctx, NULL);
}

int
bench_Producer_on_More(bench_Producer *self, rt_ctx *ctx, const bench_More *msg)
{
	bench_Producer_ref me = { rt_self(ctx) };
	uint64_t i, chunk = self->left < CHUNK ? self->left : CHUNK;
	int rc;

	(void)msg;
	for (i = 0; i < chunk; i++)
		if ((rc = bench_Counter_send_Inc(self->counter, NULL)) != 0)
			return rc;
	self->left -= chunk;
	if (self->left > 0)
		return bench_Producer_send_More(me, NULL);
	return bench_Counter_send_GetCount(self->counter,
	    &(bench_GetCount){ .reply = me });
}

int
bench_Producer_on_Count(bench_Producer *self, rt_ctx *ctx,
    const bench_Count *msg)
{
	(void)self;
	__atomic_store_n(&counting_result, msg->value, __ATOMIC_RELEASE);
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
bench_Counter_on_Inc(bench_Counter *self, rt_ctx *ctx, const bench_Inc *msg)
{
	(void)ctx;
	(void)msg;
	self->count++;
	return 0;
}

int
bench_Counter_on_GetCount(bench_Counter *self, rt_ctx *ctx,
    const bench_GetCount *msg)
{
	rt_stop(ctx, RT_NORMAL);
	return bench_Producer_send_Count(msg->reply,
	    &(bench_Count){ .value = self->count });
}

static int
run_counting(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value;
	bench_Counter_ref counter;
	bench_Producer_ref producer;
	double t0, t1;

	counting_result = 0;
	if (bench_Counter_spawn(sys, NULL, &counter) != 0 ||
	    bench_Producer_spawn(sys,
		&(bench_Producer_args){ .counter = counter, .n = n },
		&producer) != 0)
		return 1;
	t0 = now_sec();
	if (bench_Producer_send_Go(producer, NULL) != 0)
		return 1;
	rt_system_wait(sys);
	t1 = now_sec();
	if (load_u64(&counting_result) != n) {
		fprintf(stderr, "counting: count %llu, want %llu\n",
		    (unsigned long long)load_u64(&counting_result),
		    (unsigned long long)n);
		return 1;
	}
	printf("counting msgs=%llu seconds=%.3f msgs_per_sec=%.0f workers=%u\n",
	    (unsigned long long)n, t1 - t0, (double)n / (t1 - t0), workers);
	return 0;
}

/* --- fanin --------------------------------------------------------------- */

/*
 * S senders, on Go, each send M Items (CHUNK per handler run) and then a
 * Done saying how many they sent, and stop. The receiver counts Items; after S Dones it checks that it
 * counted every Item claimed (in-order delivery per sender makes that exact)
 * and stops. Timed: from the first Go to the receiver gone.
 */
static uint64_t fanin_items, fanin_claimed;

int
bench_Sender_on_start(bench_Sender *self, rt_ctx *ctx,
    const bench_Sender_args *args)
{
	(void)ctx;
	self->receiver = args->receiver;
	self->m = args->m;
	return 0;
}

int
bench_Sender_on_Go(bench_Sender *self, rt_ctx *ctx, const bench_Go *msg)
{
	(void)msg;
	self->left = self->m;
	return bench_Sender_on_More(self, ctx, NULL);
}

int
bench_Sender_on_More(bench_Sender *self, rt_ctx *ctx, const bench_More *msg)
{
	uint64_t i, chunk = self->left < CHUNK ? self->left : CHUNK;
	int rc;

	(void)msg;
	for (i = 0; i < chunk; i++)
		if ((rc = bench_Receiver_send_Item(self->receiver, NULL)) != 0)
			return rc;
	self->left -= chunk;
	if (self->left > 0)
		return bench_Sender_send_More(
		    (bench_Sender_ref){ rt_self(ctx) }, NULL);
	rt_stop(ctx, RT_NORMAL);
	return bench_Receiver_send_Done(self->receiver,
	    &(bench_Done){ .sent = self->m });
}

int
bench_Receiver_on_start(bench_Receiver *self, rt_ctx *ctx,
    const bench_Receiver_args *args)
{
	(void)ctx;
	self->senders = args->senders;
	return 0;
}

int
bench_Receiver_on_Item(bench_Receiver *self, rt_ctx *ctx, const bench_Item *msg)
{
	(void)ctx;
	(void)msg;
	self->items++;
	return 0;
}

int
bench_Receiver_on_Done(bench_Receiver *self, rt_ctx *ctx, const bench_Done *msg)
{
	self->claimed += msg->sent;
	if (++self->done == self->senders) {
		__atomic_store_n(&fanin_items, self->items, __ATOMIC_RELAXED);
		__atomic_store_n(&fanin_claimed, self->claimed,
		    __ATOMIC_RELEASE);
		rt_stop(ctx, RT_NORMAL);
	}
	return 0;
}

static int
run_fanin(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t s = p[0].value, m = p[1].value, i;
	bench_Receiver_ref receiver;
	bench_Sender_ref *senders;
	double t0, t1;

	fanin_items = fanin_claimed = 0;
	senders = calloc(s, sizeof(*senders));
	if (senders == NULL)
		return 1;
	if (bench_Receiver_spawn(sys, &(bench_Receiver_args){ .senders = s },
		&receiver) != 0)
		return 1;
	for (i = 0; i < s; i++)
		if (bench_Sender_spawn(sys,
			&(bench_Sender_args){ .receiver = receiver, .m = m },
			&senders[i]) != 0)
			return 1;
	t0 = now_sec();
	for (i = 0; i < s; i++)
		if (bench_Sender_send_Go(senders[i], NULL) != 0)
			return 1;
	rt_system_wait(sys);
	t1 = now_sec();
	free(senders);
	if (load_u64(&fanin_claimed) != s * m ||
	    load_u64(&fanin_items) != s * m) {
		fprintf(stderr, "fanin: %llu items (%llu claimed), want %llu\n",
		    (unsigned long long)load_u64(&fanin_items),
		    (unsigned long long)load_u64(&fanin_claimed),
		    (unsigned long long)(s * m));
		return 1;
	}
	printf("fanin senders=%llu msgs=%llu seconds=%.3f msgs_per_sec=%.0f "
	       "workers=%u\n",
	    (unsigned long long)s, (unsigned long long)(s * m), t1 - t0,
	    (double)(s * m) / (t1 - t0), workers);
	return 0;
}

/* --- skynet -------------------------------------------------------------- */

/*
 * A node of size > 1 spawns 10 children of size/10 from on_start (child i
 * gets ordinal + i * size/10); a leaf sends its ordinal to its parent and
 * stops. A node adds up the 10 sums it gets, passes the total up and stops;
 * the root (no parent) records it. Timed: from spawning the root to the
 * last actor gone.
 */
static uint64_t skynet_result;

int
bench_Node_on_start(bench_Node *self, rt_ctx *ctx, const bench_Node_args *args)
{
	bench_Node_args child;
	int i, rc;

	self->parent = args->parent;
	if (args->size <= 1) {
		rt_stop(ctx, RT_NORMAL);
		return bench_Node_send_Sum(self->parent,
		    &(bench_Sum){ .value = args->ordinal });
	}
	child.parent = (bench_Node_ref){ rt_self(ctx) };
	child.size = args->size / 10;
	for (i = 0; i < 10; i++) {
		child.ordinal = args->ordinal + (uint64_t)i * child.size;
		if ((rc = bench_Node_spawn(rt_ctx_system(ctx), &child, NULL)) !=
		    0)
			return rc;
	}
	self->pending = 10;
	return 0;
}

int
bench_Node_on_Sum(bench_Node *self, rt_ctx *ctx, const bench_Sum *msg)
{
	self->sum += msg->value;
	if (--self->pending > 0)
		return 0;
	rt_stop(ctx, RT_NORMAL);
	if (rt_ref_is_null(self->parent.ref)) {
		__atomic_store_n(&skynet_result, self->sum, __ATOMIC_RELEASE);
		return 0;
	}
	return bench_Node_send_Sum(self->parent,
	    &(bench_Sum){ .value = self->sum });
}

static int
run_skynet(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t leaves = p[0].value, actors = 0, want, l;
	rt_stats before, after;
	double t0, t1;

	for (l = 1; l < leaves; l *= 10)
		actors += l;
	if (l != leaves) {
		fprintf(stderr, "skynet: n=%llu leaves is not a power of 10\n",
		    (unsigned long long)leaves);
		return 1;
	}
	actors += leaves;
	want = leaves * (leaves - 1) / 2;
	skynet_result = 0;
	/* The actors are counted by the system, not by a counter that
	 * every one of them would add to: the workers would fight over
	 * its line. */
	rt_stats_system(sys, &before);
	t0 = now_sec();
	if (bench_Node_spawn(sys,
		&(bench_Node_args){ .ordinal = 0, .size = leaves }, NULL) != 0)
		return 1;
	rt_system_wait(sys);
	t1 = now_sec();
	rt_stats_system(sys, &after);
	if (load_u64(&skynet_result) != want ||
	    after.spawned - before.spawned != actors) {
		fprintf(stderr,
		    "skynet: sum %llu from %llu actors, want %llu "
		    "from %llu\n",
		    (unsigned long long)load_u64(&skynet_result),
		    (unsigned long long)(after.spawned - before.spawned),
		    (unsigned long long)want, (unsigned long long)actors);
		return 1;
	}
	printf("skynet actors=%llu sum=%llu seconds=%.3f ms=%.1f "
	       "ns_per_actor=%.1f workers=%u\n",
	    (unsigned long long)actors, (unsigned long long)want, t1 - t0,
	    (t1 - t0) * 1e3, (t1 - t0) * 1e9 / (double)actors, workers);
	return 0;
}

/* --- spawn --------------------------------------------------------------- */

/*
 * N actors whose on_start stops them at once; timed from the first spawn
 * until none is alive. Main spawns them, from outside the system, without
 * refs. actor=1: a Spawner actor spawns them instead (as Go's and Erlang's
 * peers spawn from a goroutine and a process of their own scheduler),
 * `chunk` at a time, sending itself More after each chunk so that what it
 * spawned can run between chunks.
 *
 * The runtime's count of stopped actors is the check: an Ephemeral stops
 * only from its on_start, so N stopped means N started. A counter bumped
 * by each on_start would move its line between the workers' cores at every
 * start, a cost of the harness, not of spawning.
 */
static unsigned spawn_failed;

int
bench_Ephemeral_on_start(bench_Ephemeral *self, rt_ctx *ctx,
    const bench_Ephemeral_args *args)
{
	(void)self;
	(void)args;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
bench_Ephemeral_on_Halt(bench_Ephemeral *self, rt_ctx *ctx,
    const bench_Halt *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

static int
spawn_chunk(bench_Spawner *self, rt_ctx *ctx)
{
	uint64_t end = self->next + self->chunk;

	if (end > self->n)
		end = self->n;
	for (; self->next < end; self->next++) {
		int r = bench_Ephemeral_spawn(rt_ctx_system(ctx), NULL, NULL);

		if (r != 0) {
			spawn_failed++;
			return r;
		}
	}
	if (self->next == self->n) {
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	return bench_Spawner_send_More((bench_Spawner_ref){ rt_self(ctx) },
	    NULL);
}

int
bench_Spawner_on_start(bench_Spawner *self, rt_ctx *ctx,
    const bench_Spawner_args *args)
{
	(void)ctx;
	self->n = args->n;
	self->chunk = args->chunk;
	return 0;
}

int
bench_Spawner_on_Go(bench_Spawner *self, rt_ctx *ctx, const bench_Go *msg)
{
	(void)msg;
	return spawn_chunk(self, ctx);
}

int
bench_Spawner_on_More(bench_Spawner *self, rt_ctx *ctx, const bench_More *msg)
{
	(void)msg;
	return spawn_chunk(self, ctx);
}

static int
run_spawn(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value, chunk = p[2].value ? p[1].value : 0, i;
	uint64_t want = n;
	bench_Spawner_ref spawner;
	rt_stats st;
	double t0, t1;

	spawn_failed = 0;
	if (chunk != 0) {
		if (bench_Spawner_spawn(sys,
			&(bench_Spawner_args){ .n = n, .chunk = chunk },
			&spawner) != 0)
			return 1;
		want = n + 1;
	}
	t0 = now_sec();
	if (chunk != 0) {
		if (bench_Spawner_send_Go(spawner, NULL) != 0)
			return 1;
	} else {
		for (i = 0; i < n; i++)
			if (bench_Ephemeral_spawn(sys, NULL, NULL) != 0) {
				fprintf(stderr, "spawn: spawn %llu failed\n",
				    (unsigned long long)i);
				return 1;
			}
	}
	rt_system_wait(sys);
	t1 = now_sec();
	rt_stats_system(sys, &st);
	if (spawn_failed != 0 || st.stopped != want || st.refused != 0) {
		fprintf(stderr,
		    "spawn: %llu stopped, %llu refused, want %llu stopped\n",
		    (unsigned long long)st.stopped,
		    (unsigned long long)st.refused, (unsigned long long)want);
		return 1;
	}
	printf("spawn actors=%llu seconds=%.3f ns_per_actor=%.1f workers=%u\n",
	    (unsigned long long)n, t1 - t0, (t1 - t0) * 1e9 / (double)n,
	    workers);
	return 0;
}

/* --- idle_memory --------------------------------------------------------- */

/*
 * VmRSS is read from /proc/self/status before spawning N idle actors and
 * again once every one of them has run its on_start (so its state exists);
 * the difference over N is the figure. The array of refs is allocated and
 * touched before the first reading so it is not counted. Then every actor is
 * sent Halt and main waits until all are gone.
 */
static uint64_t idle_started;

int
bench_Idle_on_start(bench_Idle *self, rt_ctx *ctx, const bench_Idle_args *args)
{
	(void)self;
	(void)ctx;
	(void)args;
	add_u64(&idle_started, 1);
	return 0;
}

int
bench_Idle_on_Halt(bench_Idle *self, rt_ctx *ctx, const bench_Halt *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

static long
rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static int
run_idle_memory(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value, i;
	bench_Idle_ref *refs;
	struct timespec pause = { 0, 1000000 };
	long before, after;
	rt_stats st;

	idle_started = 0;
	refs = calloc(n, sizeof(*refs));
	if (refs == NULL)
		return 1;
	memset(refs, 0xff, n * sizeof(*refs));
	before = rss_kb();
	for (i = 0; i < n; i++)
		if (bench_Idle_spawn(sys, NULL, &refs[i]) != 0)
			return 1;
	while (load_u64(&idle_started) < n)
		nanosleep(&pause, NULL);
	after = rss_kb();
	for (i = 0; i < n; i++)
		if (bench_Idle_send_Halt(refs[i], NULL) != 0)
			return 1;
	rt_system_wait(sys);
	free(refs);
	rt_stats_system(sys, &st);
	if (before < 0 || after < 0 || st.stopped != n) {
		fprintf(stderr,
		    "idle_memory: rss %ld -> %ld kB, %llu of %llu "
		    "stopped\n",
		    before, after, (unsigned long long)st.stopped,
		    (unsigned long long)n);
		return 1;
	}
	printf("idle_memory actors=%llu rss_kb=%ld bytes_per_actor=%.1f "
	       "workers=%u\n",
	    (unsigned long long)n, after - before,
	    (double)(after - before) * 1024.0 / (double)n, workers);
	return 0;
}

/* --- dispatch ------------------------------------------------------------ */

/*
 * The single-thread floor: always a system of one worker, one actor. Main
 * sends it Batch{N}; on Batch{left} it sends itself min(left, B) Ticks and
 * then Batch{left - that} (Batch{0} stops it), so its mailbox never holds
 * more than B + 1 messages and every message is allocated, pushed, popped,
 * dispatched through the generated switch and freed on that one thread.
 * Ticks are counted; the figure is the time over N (the N/B Batch messages
 * ride along). Timed: from main's Batch to the actor gone.
 */
#define DISPATCH_BATCH 1000
static uint64_t dispatch_ticks;

int
bench_Looper_on_Batch(bench_Looper *self, rt_ctx *ctx, const bench_Batch *msg)
{
	bench_Looper_ref me = { rt_self(ctx) };
	uint64_t k = msg->left < DISPATCH_BATCH ? msg->left : DISPATCH_BATCH, i;
	int rc;

	(void)self;
	if (msg->left == 0) { /* behind the last Ticks: all handled */
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	for (i = 0; i < k; i++)
		if ((rc = bench_Looper_send_Tick(me, NULL)) != 0)
			return rc;
	return bench_Looper_send_Batch(me,
	    &(bench_Batch){ .left = msg->left - k });
}

int
bench_Looper_on_Tick(bench_Looper *self, rt_ctx *ctx, const bench_Tick *msg)
{
	(void)ctx;
	(void)msg;
	self->ticks++;
	return 0;
}

void
bench_Looper_on_stop(bench_Looper *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	(void)reason;
	add_u64(&dispatch_ticks, self->ticks);
}

static int
run_dispatch(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value;
	bench_Looper_ref looper;
	double t0, t1;

	dispatch_ticks = 0;
	if (bench_Looper_spawn(sys, NULL, &looper) != 0)
		return 1;
	t0 = now_sec();
	if (bench_Looper_send_Batch(looper, &(bench_Batch){ .left = n }) != 0)
		return 1;
	rt_system_wait(sys);
	t1 = now_sec();
	if (load_u64(&dispatch_ticks) != n) {
		fprintf(stderr, "dispatch: %llu ticks, want %llu\n",
		    (unsigned long long)load_u64(&dispatch_ticks),
		    (unsigned long long)n);
		return 1;
	}
	printf("dispatch msgs=%llu seconds=%.3f ns_per_msg=%.1f workers=%u\n",
	    (unsigned long long)n, t1 - t0, (t1 - t0) * 1e9 / (double)n,
	    workers);
	return 0;
}

/* --- echo ---------------------------------------------------------------- */

int
bench_EchoConn_on_start(bench_EchoConn *self, rt_ctx *ctx,
    const bench_EchoConn_args *args)
{
	int rc;

	self->fd = args->fd;
	rc = rt_io_own(ctx, self->fd);
	return rc != 0 ? rc : rt_io_watch(ctx, self->fd, RT_IO_READ);
}

int
bench_EchoConn_on_io(bench_EchoConn *self, rt_ctx *ctx, int fd, unsigned events)
{
	char buf[64];
	ssize_t n;

	(void)events;
	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		/* A byte or so on an idle socket: it always has room. */
		if (write(fd, buf, (size_t)n) != n)
			return RT_EIO;
		self->echoed += (uint64_t)n;
	} else if (n == 0) {
		rt_stop(ctx, RT_NORMAL);
		return 0;
	} else if (errno != EAGAIN && errno != EINTR) {
		return RT_EIO;
	}
	/* A short read emptied the socket: only what comes next matters. */
	return rt_io_watch(ctx, fd,
	    n < (ssize_t)sizeof(buf) ? RT_IO_READ | RT_IO_EDGE : RT_IO_READ);
}

int
bench_EchoConn_on_Halt(bench_EchoConn *self, rt_ctx *ctx, const bench_Halt *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

/* A connected pair over loopback TCP: *client blocking, *server not. */
static int
tcp_pair(int *client, int *server)
{
	uint16_t port;
	int lfd, rc = RT_EAGAIN, tries;

	if (rt_net_listen_tcp("127.0.0.1", 0, 1, &lfd, &port) != 0)
		return -1;
	if (rt_net_connect_tcp("127.0.0.1", port, client) != 0) {
		close(lfd);
		return -1;
	}
	for (tries = 0; tries < 100 && rc == RT_EAGAIN; tries++) {
		struct pollfd pfd = { lfd, POLLIN, 0 };

		(void)poll(&pfd, 1, 100);
		rc = rt_net_accept(lfd, server);
	}
	close(lfd);
	if (rc != 0) {
		close(*client);
		return -1;
	}
	(void)fcntl(*client, F_SETFL, fcntl(*client, F_GETFL) & ~O_NONBLOCK);
	return 0;
}

/* N one-byte round trips from the calling thread; 0 when all came back. */
static int
echo_rounds(int fd, uint64_t n, double *seconds)
{
	double t0 = now_sec();
	uint64_t i;

	for (i = 0; i < n; i++) {
		char c = (char)i, back;

		if (write(fd, &c, 1) != 1 || read(fd, &back, 1) != 1 ||
		    back != c) {
			fprintf(stderr, "echo: round %llu failed\n",
			    (unsigned long long)i);
			return 1;
		}
	}
	*seconds = now_sec() - t0;
	return 0;
}

static int
run_echo(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value;
	bench_EchoConn_ref conn;
	double seconds;
	int client, server, rc;

	if (tcp_pair(&client, &server) != 0)
		return 1;
	if (bench_EchoConn_spawn(sys, &(bench_EchoConn_args){ .fd = server },
		&conn) != 0) {
		close(client);
		close(server);
		return 1;
	}
	rc = echo_rounds(client, n, &seconds);
	close(client);
	rt_system_wait(sys);
	if (rc == 0)
		printf("echo n=%llu seconds=%.3f ns_per_roundtrip=%.1f "
		       "workers=%u\n",
		    (unsigned long long)n, seconds, seconds * 1e9 / (double)n,
		    workers);
	return rc;
}

/* The other end of echo_plain: a thread blocking in read and write. */
static void *
plain_server(void *arg)
{
	int fd = *(int *)arg;
	char buf[64];
	ssize_t n;

	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			break;
	close(fd);
	return NULL;
}

static int
run_echo_plain(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value;
	double seconds;
	pthread_t tid;
	int client, server, rc;

	(void)sys;
	if (tcp_pair(&client, &server) != 0)
		return 1;
	if (pthread_create(&tid, NULL, plain_server, &server) != 0) {
		close(client);
		close(server);
		return 1;
	}
	rc = echo_rounds(client, n, &seconds);
	close(client);
	pthread_join(tid, NULL);
	if (rc == 0)
		printf("echo_plain n=%llu seconds=%.3f ns_per_roundtrip=%.1f "
		       "workers=%u\n",
		    (unsigned long long)n, seconds, seconds * 1e9 / (double)n,
		    workers);
	return rc;
}

/* --- ask and call -------------------------------------------------------- */

/* Every ask carries a timeout, as a careful user's would: it is part of
 * the cost (a timer started and cancelled per request). */
#define REQUEST_TIMEOUT RT_SEC(10)

/* A call's limit: none (limit=0), as the peers' calls have none; or
 * limit=S seconds, which has the call answered by a worker. */
static rt_duration
call_limit(const param *p)
{
	return p->value == 0 ? RT_FOREVER : RT_SEC(p->value);
}

static uint64_t ask_sum, ask_errors;

int
bench_Server_on_Next(bench_Server *self, rt_ctx *ctx, const bench_Next *req,
    bench_Answer *reply)
{
	(void)self;
	(void)ctx;
	reply->n = req->n + 1;
	return 0;
}

static int
ask_next(bench_Asker *self, rt_ctx *ctx)
{
	rt_corr id = bench_Server_ask_Next(ctx, self->server,
	    &(bench_Next){ .n = self->i }, REQUEST_TIMEOUT);

	return id > 0 ? 0 : (int)id;
}

int
bench_Asker_on_Begin(bench_Asker *self, rt_ctx *ctx, const bench_Begin *msg)
{
	self->server = msg->server;
	self->n = msg->n;
	return ask_next(self, ctx);
}

int
bench_Asker_on_Next_reply(bench_Asker *self, rt_ctx *ctx, rt_corr id,
    int status, const bench_Answer *reply)
{
	(void)id;
	if (status != 0) {
		self->i = self->n;
		ask_errors++;
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	self->sum += reply->n;
	if (++self->i == self->n) {
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	return ask_next(self, ctx);
}

void
bench_Asker_on_stop(bench_Asker *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	(void)reason;
	ask_sum = self->sum;
}

static int
check_sum(const char *name, uint64_t n, uint64_t sum)
{
	/* Each answer is its request's n + 1, for n = 0 .. N-1. */
	uint64_t want = n * (n + 1) / 2;

	if (sum == want && ask_errors == 0)
		return 0;
	fprintf(stderr, "%s: sum %llu, want %llu (%llu errors)\n", name,
	    (unsigned long long)sum, (unsigned long long)want,
	    (unsigned long long)ask_errors);
	return 1;
}

static int
run_ask(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value;
	bench_Server_ref server;
	bench_Asker_ref asker;
	double t0, t1;

	ask_sum = ask_errors = 0;
	if (bench_Server_spawn(sys, NULL, &server) != 0 ||
	    bench_Asker_spawn(sys, NULL, &asker) != 0)
		return 1;
	t0 = now_sec();
	if (bench_Asker_send_Begin(asker, &(bench_Begin){ server, n }) != 0)
		return 1;
	/* The server lives on: wait for the asker's stop alone. */
	while (rt_actor_alive(asker.ref)) {
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);
	}
	t1 = now_sec();
	rt_system_shutdown(sys, RT_FOREVER);
	if (check_sum("ask", n, load_u64(&ask_sum)) != 0)
		return 1;
	printf("ask n=%llu seconds=%.3f ns_per_roundtrip=%.1f workers=%u\n",
	    (unsigned long long)n, t1 - t0, (t1 - t0) * 1e9 / (double)n,
	    workers);
	return 0;
}

static int
run_call(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value, i, sum = 0;
	rt_duration limit = call_limit(&p[1]);
	bench_Server_ref server;
	double t0, t1;

	ask_errors = 0;
	if (bench_Server_spawn(sys, NULL, &server) != 0)
		return 1;
	t0 = now_sec();
	for (i = 0; i < n; i++) {
		bench_Answer a;

		if (bench_Server_call_Next(sys, server, &(bench_Next){ .n = i },
			&a, limit) != 0) {
			ask_errors++;
			break;
		}
		sum += a.n;
	}
	t1 = now_sec();
	if (check_sum("call", n, sum) != 0)
		return 1;
	printf("call n=%llu seconds=%.3f ns_per_roundtrip=%.1f workers=%u\n",
	    (unsigned long long)n, t1 - t0, (t1 - t0) * 1e9 / (double)n,
	    workers);
	return 0;
}

/*
 * call_cold: the same calls, each after the worker has gone to sleep (a
 * pause of 2 ms, past its search): what a call costs when the thread that
 * answers must be woken first. Only the calls are timed. Its calls have a
 * limit (10 s) by default, so that a worker answers them: without one,
 * the caller runs the idle server itself and wakes nobody.
 */
static int
run_call_cold(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value, i, sum = 0;
	rt_duration limit = call_limit(&p[1]);
	bench_Server_ref server;
	double total = 0;

	ask_errors = 0;
	if (bench_Server_spawn(sys, NULL, &server) != 0)
		return 1;
	for (i = 0; i < n; i++) {
		struct timespec pause = { 0, 2000000 };
		bench_Answer a;
		double t0;

		nanosleep(&pause, NULL);
		t0 = now_sec();
		if (bench_Server_call_Next(sys, server, &(bench_Next){ .n = i },
			&a, limit) != 0) {
			ask_errors++;
			break;
		}
		total += now_sec() - t0;
		sum += a.n;
	}
	if (check_sum("call_cold", n, sum) != 0)
		return 1;
	printf("call_cold n=%llu seconds=%.3f ns_per_roundtrip=%.1f "
	       "workers=%u\n",
	    (unsigned long long)n, total, total * 1e9 / (double)n, workers);
	return 0;
}

/* --- broker -------------------------------------------------------------- */

#define BROKER_CHUNK 256

static uint64_t broker_n, broker_count, broker_sum;
static unsigned broker_failed;

static int
publish_chunk(bench_Publisher *self, rt_ctx *ctx)
{
	uint64_t end = self->next + BROKER_CHUNK;

	if (end > self->n)
		end = self->n;
	for (; self->next < end; self->next++) {
		int r = bench_quotes_publish(rt_ctx_system(ctx),
		    &(bench_Quote){ .n = self->next });

		if (r != 0) {
			broker_failed++;
			return r < 0 ? r : 0;
		}
	}
	if (self->next == self->n) {
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	return bench_Publisher_send_More((bench_Publisher_ref){ rt_self(ctx) },
	    NULL);
}

int
bench_Publisher_on_start(bench_Publisher *self, rt_ctx *ctx,
    const bench_Publisher_args *args)
{
	(void)ctx;
	self->n = args->n;
	return 0;
}

int
bench_Publisher_on_Go(bench_Publisher *self, rt_ctx *ctx, const bench_Go *msg)
{
	(void)msg;
	return publish_chunk(self, ctx);
}

int
bench_Publisher_on_More(bench_Publisher *self, rt_ctx *ctx,
    const bench_More *msg)
{
	(void)msg;
	return publish_chunk(self, ctx);
}

int
bench_Subscriber_on_Quote(bench_Subscriber *self, rt_ctx *ctx,
    const bench_Quote *msg)
{
	self->sum += msg->n;
	if (++self->count == broker_n)
		rt_stop(ctx, RT_NORMAL);
	return 0;
}

void
bench_Subscriber_on_stop(bench_Subscriber *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	(void)reason;
	add_u64(&broker_count, self->count);
	add_u64(&broker_sum, self->sum);
}

static int
run_broker(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value, k = p[1].value, i;
	bench_Publisher_ref pub;
	double t0, t1;

	broker_n = n;
	broker_count = broker_sum = 0;
	broker_failed = 0;
	for (i = 0; i < k; i++) {
		bench_Subscriber_ref s;

		if (bench_Subscriber_spawn(sys, NULL, &s) != 0 ||
		    bench_Subscriber_subscribe_quotes(s) != 0)
			return 1;
	}
	if (bench_Publisher_spawn(sys, &(bench_Publisher_args){ .n = n },
		&pub) != 0)
		return 1;
	t0 = now_sec();
	if (bench_Publisher_send_Go(pub, NULL) != 0)
		return 1;
	rt_system_wait(sys);
	t1 = now_sec();
	/* Every subscriber got every quote: k * (0 + 1 + ... + n-1). */
	if (broker_failed != 0 || load_u64(&broker_count) != n * k ||
	    load_u64(&broker_sum) != k * (n * (n - 1) / 2)) {
		fprintf(stderr,
		    "broker: %llu deliveries, sum %llu, %u failed\n",
		    (unsigned long long)load_u64(&broker_count),
		    (unsigned long long)load_u64(&broker_sum), broker_failed);
		return 1;
	}
	printf("broker n=%llu k=%llu seconds=%.3f ns_per_delivery=%.1f "
	       "workers=%u\n",
	    (unsigned long long)n, (unsigned long long)k, t1 - t0,
	    (t1 - t0) * 1e9 / (double)(n * k), workers);
	return 0;
}

/* --- restart ------------------------------------------------------------ */

/*
 * A supervisor (bench.Crashes: one_for_one, one permanent Crasher, a
 * restart limit it never reaches) whose worker crashes on every message:
 * its handler returns non-zero. A restarted child keeps its ref and its
 * mailbox, so the client is main, a plain thread, which sends its N
 * messages at once to the ref it looked up, without waiting for each
 * restart: every message is taken by a fresh incarnation, which crashes on
 * it. Each incarnation counts its on_start; main waits for N + 1 of them
 * (the first start and N restarts) and then checks the system's counts.
 * Timed: from the first send to the last restart's on_start.
 *
 * Every crash is reported through the log hook. The peers turn their crash
 * logging off, so by default (reports=0) rt's is off too: the system's
 * log_level is RT_LOG_OFF, and reports are not even formatted. With
 * reports=1 they are formatted and go to a hook that only counts them
 * (stderr would be most of the cost, and stdout is for the result line):
 * about 0.35 us more per restart on the reference machine.
 */
static uint64_t restart_starts, restart_reports;

int
bench_Crasher_on_start(bench_Crasher *self, rt_ctx *ctx,
    const bench_Crasher_args *args)
{
	(void)self;
	(void)ctx;
	(void)args;
	add_u64(&restart_starts, 1);
	return 0;
}

int
bench_Crasher_on_Boom(bench_Crasher *self, rt_ctx *ctx, const bench_Boom *msg)
{
	(void)ctx;
	(void)msg;
	self->handled++;
	return 1; /* a crash: any non-zero result */
}

static void
quiet_log(void *user, rt_log_level level, const char *line)
{
	(void)user;
	if (level == RT_LOG_ERROR && strncmp(line, "crash: ", 7) == 0)
		add_u64(&restart_reports, 1);
}

static int
run_restart(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value, i;
	struct timespec pause = { 0, 100000 };
	bench_Crashes_ref sup;
	bench_Crasher_ref worker;
	double t0, t1;
	rt_stats st;

	restart_starts = restart_reports = 0;
	if (bench_Crashes_start(sys, &sup) != 0)
		return 1;
	worker = bench_Crashes_worker(sup);
	while (load_u64(&restart_starts) < 1)
		nanosleep(&pause, NULL);
	t0 = now_sec();
	for (i = 0; i < n; i++)
		if (bench_Crasher_send_Boom(worker,
			&(bench_Boom){ .seq = i }) != 0) {
			fprintf(stderr, "restart: send %llu failed\n",
			    (unsigned long long)i);
			return 1;
		}
	while (load_u64(&restart_starts) < n + 1)
		nanosleep(&pause, NULL);
	t1 = now_sec();
	rt_stats_system(sys, &st);
	/* Still the same worker, by the same ref. */
	if (!rt_ref_equal(bench_Crashes_worker(sup).ref, worker.ref))
		st.restarts = 0;
	rt_system_shutdown(sys, RT_FOREVER);
	if (st.restarts != n || st.crashed != n || st.dead_letters != 0 ||
	    load_u64(&restart_starts) != n + 1 ||
	    load_u64(&restart_reports) != (p[1].value ? n : 0)) {
		fprintf(stderr,
		    "restart: %llu restarts, %llu crashes, %llu "
		    "dead letters, %llu starts, %llu reports; want %llu, 0 "
		    "dead letters and %llu starts\n",
		    (unsigned long long)st.restarts,
		    (unsigned long long)st.crashed,
		    (unsigned long long)st.dead_letters,
		    (unsigned long long)load_u64(&restart_starts),
		    (unsigned long long)load_u64(&restart_reports),
		    (unsigned long long)n, (unsigned long long)(n + 1));
		return 1;
	}
	printf("restart restarts=%llu seconds=%.3f us_per_restart=%.2f "
	       "workers=%u\n",
	    (unsigned long long)n, t1 - t0, (t1 - t0) * 1e6 / (double)n,
	    workers);
	return 0;
}

/* --- pool ---------------------------------------------------------------- */

/*
 * P feeders, on Go, each send M Tasks (CHUNK per handler run) and stop:
 * through the round-robin pool of 8 members, through the least-loaded one,
 * or straight to the 8 members in turn (the baseline: the same spread
 * without a router). Then the driver asks each member how many Tasks it
 * handled, which it answers after those queued before the question. Timed:
 * from the first Go to the last answer; the three runs follow each other
 * on one system, and the line gives each one's ns per message and what
 * the routers add to the baseline.
 */
enum { ROUTE_PLAIN, ROUTE_ROUND_ROBIN, ROUTE_LEAST_LOADED, NROUTES };

static bench_Members_ref pool_rr;
static bench_LeastMembers_ref pool_least;
static bench_Member_ref pool_members[8];
static uint64_t feeders_done, feeders_want;
/* Posted by the last feeder to stop: the driver sleeps on it, so that
 * it takes no CPU from the workers while it waits. */
static sem_t feeders_sem;

int
bench_Feeder_on_start(bench_Feeder *self, rt_ctx *ctx,
    const bench_Feeder_args *args)
{
	(void)ctx;
	self->m = args->m;
	self->route = args->route;
	return 0;
}

void
bench_Feeder_on_stop(bench_Feeder *self, rt_ctx *ctx, int reason)
{
	(void)self;
	(void)ctx;
	(void)reason;
	if (__atomic_add_fetch(&feeders_done, 1, __ATOMIC_ACQ_REL) ==
	    __atomic_load_n(&feeders_want, __ATOMIC_RELAXED))
		sem_post(&feeders_sem);
}

int
bench_Feeder_on_Go(bench_Feeder *self, rt_ctx *ctx, const bench_Go *msg)
{
	(void)msg;
	self->left = self->m;
	return bench_Feeder_on_More(self, ctx, NULL);
}

int
bench_Feeder_on_More(bench_Feeder *self, rt_ctx *ctx, const bench_More *msg)
{
	uint64_t i, chunk = self->left < CHUNK ? self->left : CHUNK;
	int rc = 0;

	(void)msg;
	for (i = 0; i < chunk && rc == 0; i++)
		switch (self->route) {
		case ROUTE_ROUND_ROBIN:
			rc = bench_Members_send_Task(pool_rr, NULL);
			break;
		case ROUTE_LEAST_LOADED:
			rc = bench_LeastMembers_send_Task(pool_least, NULL);
			break;
		default:
			rc = bench_Member_send_Task(
			    pool_members[self->turn++ & 7], NULL);
			break;
		}
	if (rc != 0)
		return rc;
	self->left -= chunk;
	if (self->left > 0)
		return bench_Feeder_send_More(
		    (bench_Feeder_ref){ rt_self(ctx) }, NULL);
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
bench_Member_on_Task(bench_Member *self, rt_ctx *ctx, const bench_Task *msg)
{
	(void)ctx;
	(void)msg;
	self->tasks++;
	return 0;
}

int
bench_Member_on_Tally(bench_Member *self, rt_ctx *ctx, const bench_Tally *req,
    bench_Tallied *reply)
{
	(void)ctx;
	(void)req;
	reply->tasks = self->tasks;
	self->tasks = 0;
	return 0;
}

/* One run of P feeders by `route`; the seconds it took, or < 0. */
static double
pool_run(rt_system *sys, uint64_t feeders, uint64_t m, unsigned route,
    const bench_Member_ref *members)
{
	bench_Feeder_ref f;
	uint64_t i, total = 0;
	double t0;

	__atomic_store_n(&feeders_done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&feeders_want, feeders, __ATOMIC_RELAXED);
	t0 = now_sec();
	for (i = 0; i < feeders; i++)
		if (bench_Feeder_spawn(sys,
			&(bench_Feeder_args){ .m = m, .route = route },
			&f) != 0 ||
		    bench_Feeder_send_Go(f, NULL) != 0)
			return -1;
	while (sem_wait(&feeders_sem) != 0)
		if (errno != EINTR)
			return -1;
	for (i = 0; i < 8; i++) {
		bench_Tallied t;

		if (bench_Member_call_Tally(sys, members[i], NULL, &t,
			RT_SEC(60)) != 0)
			return -1;
		total += t.tasks;
	}
	if (total != feeders * m) {
		fprintf(stderr, "pool: %llu tasks handled, want %llu\n",
		    (unsigned long long)total,
		    (unsigned long long)(feeders * m));
		return -1;
	}
	return now_sec() - t0;
}

static int
run_pool(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t feeders = p[0].value, m = p[1].value, n = feeders * m;
	bench_Member_ref least[8];
	double sec[NROUTES], ns[NROUTES];
	unsigned r, i;

	if (sem_init(&feeders_sem, 0, 0) != 0)
		return 1;
	if (bench_Members_start(sys, &pool_rr) != 0 ||
	    bench_LeastMembers_start(sys, &pool_least) != 0)
		return 1;
	for (i = 0; i < 8; i++)
		if (bench_Members_member(pool_rr, i, &pool_members[i]) != 0 ||
		    bench_LeastMembers_member(pool_least, i, &least[i]) != 0)
			return 1;
	for (r = 0; r < NROUTES; r++) {
		sec[r] = pool_run(sys, feeders, m, r,
		    r == ROUTE_LEAST_LOADED ? least : pool_members);
		if (sec[r] < 0)
			return 1;
		ns[r] = sec[r] * 1e9 / (double)n;
	}
	sem_destroy(&feeders_sem);
	printf("pool producers=%llu members=8 msgs=%llu seconds=%.3f "
	       "plain_ns_per_msg=%.1f round_robin_ns_per_msg=%.1f "
	       "least_loaded_ns_per_msg=%.1f round_robin_adds_ns=%.1f "
	       "least_loaded_adds_ns=%.1f workers=%u\n",
	    (unsigned long long)feeders, (unsigned long long)n,
	    sec[ROUTE_PLAIN] + sec[ROUTE_ROUND_ROBIN] + sec[ROUTE_LEAST_LOADED],
	    ns[ROUTE_PLAIN], ns[ROUTE_ROUND_ROBIN], ns[ROUTE_LEAST_LOADED],
	    ns[ROUTE_ROUND_ROBIN] - ns[ROUTE_PLAIN],
	    ns[ROUTE_LEAST_LOADED] - ns[ROUTE_PLAIN], workers);
	return 0;
}

/* --- driver -------------------------------------------------------------- */

#define MAX_PARAMS 4

typedef struct workload {
	const char *name;
	int (*run)(rt_system *sys, const param *p, unsigned workers);
	param defaults[MAX_PARAMS];
	unsigned workers; /* 0: as asked with --workers; else always this */
	rt_log_fn log;    /* the system's log hook; NULL: stderr */
} workload;

/* Keys are the sizes of doc/benchmarks.md, matched without regard to case. */
static const workload workloads[] = {
	{ "pingpong", run_pingpong, { { "n", 1000000 } }, 0, NULL },
	{ "ring", run_ring, { { "r", 1000 }, { "h", 10000000 } }, 0, NULL },
	{ "counting", run_counting, { { "n", 10000000 } }, 0, NULL },
	{ "fanin", run_fanin, { { "s", 64 }, { "m", 100000 } }, 0, NULL },
	{ "skynet", run_skynet, { { "n", 1000000 } }, 0, NULL }, /* n leaves */
	{ "spawn", run_spawn,
	    { { "n", 1000000 }, { "chunk", 1024 }, { "actor", 0 } }, 0, NULL },
	{ "idle_memory", run_idle_memory, { { "n", 1000000 } }, 0, NULL },
	{ "dispatch", run_dispatch, { { "n", 10000000 } }, 1, NULL },
	{ "ask", run_ask, { { "n", 1000000 } }, 0, NULL },
	{ "call", run_call, { { "n", 200000 }, { "limit", 0 } }, 0, NULL },
	{ "call_cold", run_call_cold, { { "n", 1000 }, { "limit", 10 } }, 0,
	    NULL },
	{ "restart", run_restart, { { "n", 100000 }, { "reports", 0 } }, 0,
	    quiet_log },
	{ "broker", run_broker, { { "n", 1000000 }, { "k", 8 } }, 0, NULL },
	{ "pool", run_pool, { { "p", 4 }, { "m", 1000000 } }, 0, NULL },
	{ "echo", run_echo, { { "n", 100000 } }, 0, NULL },
	{ "echo_plain", run_echo_plain, { { "n", 100000 } }, 0, NULL },
};
#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

static const workload *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NWORKLOADS; i++)
		if (strcmp(workloads[i].name, name) == 0)
			return &workloads[i];
	return NULL;
}

static int
usage(void)
{
	size_t i;

	fprintf(stderr,
	    "usage: rtbench [--workers N] [--stats] [--observer ADDR] "
	    "[WORKLOAD [key=value...]]...\n"
	    "workloads:");
	for (i = 0; i < NWORKLOADS; i++)
		fprintf(stderr, " %s", workloads[i].name);
	fprintf(stderr, "\n");
	return 2;
}

/* --stats: after each workload, how the scheduler spread it (stderr). */
static bool print_stats;
/* --observer ADDR: where each workload's system is observed, or NULL. */
static const char *observe_at;

static int
run_one(const workload *w, const param *p, unsigned workers)
{
	rt_observer *obs = NULL;
	rt_config cfg;
	rt_system *sys;
	unsigned i;
	int rc;

	rt_config_init(&cfg);
	cfg.workers = w->workers != 0 ? w->workers : workers;
	cfg.log = w->log;
	/* A workload's reports=0: the runtime logs nothing, and formats
	 * nothing it would log. */
	for (i = 0; i < MAX_PARAMS && p[i].key != NULL; i++)
		if (strcmp(p[i].key, "reports") == 0 && p[i].value == 0)
			cfg.log_level = RT_LOG_OFF;
	sys = rt_system_new(&cfg);
	if (sys == NULL) {
		fprintf(stderr, "rtbench: cannot start a system\n");
		return 1;
	}
	if (observe_at != NULL &&
	    (obs = rt_observer_start(sys, observe_at)) == NULL) {
		fprintf(stderr, "rtbench: cannot observe on %s\n", observe_at);
		rt_system_free(sys);
		return 1;
	}
	rc = w->run(sys, p, rt_system_workers(sys));
	if (print_stats) {
		rt_stats st;

		rt_stats_system(sys, &st);
		fprintf(stderr,
		    "%s stats: handled=%llu steals=%llu "
		    "migrations=%llu wakeups=%llu yields=%llu\n",
		    w->name, (unsigned long long)st.handled,
		    (unsigned long long)st.steals,
		    (unsigned long long)st.migrations,
		    (unsigned long long)st.wakeups,
		    (unsigned long long)st.yields);
	}
	rt_observer_stop(obs);
	rt_system_free(sys);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned workers = 0;
	int i = 1, failed = 0, ran = 0;

	while (i < argc && strncmp(argv[i], "--", 2) == 0) {
		if (strcmp(argv[i], "--stats") == 0) {
			print_stats = true;
			i++;
		} else if (i + 1 < argc && strcmp(argv[i], "--observer") == 0) {
			observe_at = argv[i + 1];
			i += 2;
		} else if (i + 1 < argc && strcmp(argv[i], "--workers") == 0) {
			workers = (unsigned)strtoul(argv[i + 1], NULL, 10);
			if (workers == 0 || workers > RT_MAX_WORKERS)
				return usage();
			i += 2;
		} else {
			return usage();
		}
	}
	while (i < argc) {
		const workload *w = find(argv[i]);
		param p[MAX_PARAMS];

		if (w == NULL)
			return usage();
		memcpy(p, w->defaults, sizeof(p));
		for (i++; i < argc && strchr(argv[i], '=') != NULL; i++) {
			size_t k, len = strcspn(argv[i], "=");

			for (k = 0; k < MAX_PARAMS && p[k].key != NULL; k++)
				if (strlen(p[k].key) == len &&
				    strncasecmp(p[k].key, argv[i], len) == 0)
					break;
			if (k == MAX_PARAMS || p[k].key == NULL)
				return usage();
			p[k].value = strtoull(argv[i] + len + 1, NULL, 10);
			if (p[k].value == 0)
				return usage();
		}
		failed |= run_one(w, p, workers);
		ran = 1;
	}
	if (!ran) {
		size_t k;

		for (k = 0; k < NWORKLOADS; k++)
			failed |= run_one(&workloads[k], workloads[k].defaults,
			    workers);
	}
	return failed ? 1 : 0;
}
