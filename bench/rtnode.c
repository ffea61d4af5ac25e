/* SPDX-License-Identifier: MIT */
/*
 * rtnode: rt's side of bench/node.sh, two processes through one
 * nats-server, with natsbench's roles and output (bench/peers/nats):
 *
 *   rtnode serve URL            export a Sink as "bench" until SIGTERM
 *   rtnode rtt URL N [ask|call] N sequential round trips of Echo: an
 *                               actor asks and its reply handler asks
 *                               again (ask, the default), or a plain
 *                               thread calls without a time limit (call)
 *   rtnode oneway URL N         N Blips from a plain thread, then a
 *                               call of Count that must say N
 *   rtnode codec [N]            encode and decode an Echo N times in
 *                               this process: the cost of the codec
 *
 * Every answer is checked (the Echo's bytes, the count, the order of the
 * Blips); the exit status is 0 only when the run checked out. One line,
 * in rtbench's format:
 *
 *   remote_rtt msgs=N seconds=S ns_per_roundtrip=X side=rt mode=ask
 *   remote_oneway msgs=N seconds=S msgs_per_sec=X side=rt
 *   codec msgs=N encode_ns=X decode_ns=Y bytes=B
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rt/node.h>

#include "node.rtp.h"

static const char text[] = "rt-node-bench";
static const unsigned char blob[11] = "0123456789";

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the serving side ------------------------------------------------------- */

int
rn_Sink_on_Echo(rn_Sink *self, rt_ctx *ctx, const rn_Echo *req, rn_Echo *reply)
{
	(void)self;
	(void)ctx;
	*reply = *req;
	reply->n = req->n + 1;
	return 0;
}

int
rn_Sink_on_Blip(rn_Sink *self, rt_ctx *ctx, const rn_Blip *msg)
{
	(void)ctx;
	if (msg->seq != self->n + 1 || msg->b.len != sizeof(blob) ||
	    strcmp(msg->s, text) != 0)
		self->bad++;
	self->n = msg->seq;
	return 0;
}

int
rn_Sink_on_Count(rn_Sink *self, rt_ctx *ctx, const rn_Count *req,
    rn_Counted *reply)
{
	(void)ctx;
	(void)req;
	reply->n = self->n;
	reply->bad = self->bad;
	/* The next run starts again from 1. */
	self->n = 0;
	self->bad = 0;
	return 0;
}

/* --- the asking side ---------------------------------------------------------- */

static atomic_int asks_done; /* 1 when the asker is through, 2 if bad */

static void
ask_next(rn_Asker *self, rt_ctx *ctx)
{
	rn_Echo e = { .s = text, .b = { blob, sizeof(blob) }, .n = self->left };

	if (rn_Sink_ask_Echo(ctx, self->sink, &e, RT_FOREVER) < 0)
		atomic_store(&asks_done, 2);
}

int
rn_Asker_on_Go(rn_Asker *self, rt_ctx *ctx, const rn_Go *msg)
{
	self->sink = msg->sink;
	self->left = msg->n;
	ask_next(self, ctx);
	return 0;
}

int
rn_Asker_on_Echo_reply(rn_Asker *self, rt_ctx *ctx, rt_corr id, int status,
    const rn_Echo *reply)
{
	(void)id;
	if (status != 0 || reply->n != self->left + 1 ||
	    reply->b.len != sizeof(blob) ||
	    memcmp(reply->b.data, blob, sizeof(blob)) != 0) {
		atomic_store(&asks_done, 2);
		return 0;
	}
	if (--self->left == 0)
		atomic_store(&asks_done, 1);
	else
		ask_next(self, ctx);
	return 0;
}

/* --- the process ----------------------------------------------------------------- */

static rt_system *sys;
static rt_node *node;

static void
start(const char *url, const char *name)
{
	rt_node_config cfg = { .url = url, .name = name };

	sys = rt_system_new(NULL);
	node = sys != NULL ? rt_node_start(sys, &cfg) : NULL;
	if (node == NULL) {
		fprintf(stderr, "rtnode: no node at %s\n", url);
		exit(1);
	}
}

static void
finish(void)
{
	rt_node_stop(node);
	rt_system_shutdown(sys, RT_SEC(5));
	rt_system_free(sys);
}

static rn_Sink_ref
find_sink(void)
{
	rn_Sink_ref sink;
	int rc = RT_ENOENT;

	for (int i = 0; i < 200; i++) {
		rc = rn_Sink_lookup(sys, "bench", &sink);
		if (rc != RT_ENOENT && rc != RT_ETIMEDOUT)
			break;
		usleep(50000);
	}
	if (rc != 0) {
		fprintf(stderr, "rtnode: lookup: %s\n", rt_strerror(rc));
		exit(1);
	}
	return sink;
}

static int
serve(const char *url)
{
	rn_Sink_ref sink;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	start(url, "rtnode-serve");
	if (rn_Sink_spawn(sys, NULL, &sink) != 0 ||
	    rn_Sink_export(sink, "bench") != 0)
		return 1;
	sigwait(&set, &sig);
	finish();
	return 0;
}

static int
rtt(const char *url, unsigned n, const char *mode)
{
	rn_Sink_ref sink;
	rn_Echo e = { .s = text, .b = { blob, sizeof(blob) } }, r;
	double t0, t1;
	bool ok = true;

	start(url, "rtnode-rtt");
	sink = find_sink();
	/* Warm: the proxy, the pools, the connection. */
	for (unsigned i = 0; i < 100 && ok; i++)
		ok = rn_Sink_call_Echo(sys, sink, &e, &r, RT_SEC(5)) == 0;
	t0 = now();
	if (strcmp(mode, "call") == 0) {
		for (unsigned i = 0; i < n && ok; i++) {
			e.n = i;
			ok = rn_Sink_call_Echo(sys, sink, &e, &r, RT_FOREVER) ==
				0 &&
			    r.n == i + 1 && r.b.len == sizeof(blob) &&
			    memcmp(r.b.data, blob, sizeof(blob)) == 0;
		}
	} else {
		rn_Asker_ref a;

		ok = rn_Asker_spawn(sys, NULL, &a) == 0 &&
		    rn_Asker_send_Go(a, &(rn_Go){ sink, n }) == 0;
		while (ok && atomic_load(&asks_done) == 0)
			usleep(100);
		ok = ok && atomic_load(&asks_done) == 1;
	}
	t1 = now();
	if (ok)
		printf("remote_rtt msgs=%u seconds=%.3f ns_per_roundtrip=%.1f "
		       "side=rt mode=%s\n",
		    n, t1 - t0, (t1 - t0) * 1e9 / n, mode);
	else
		fprintf(stderr, "rtnode: a round trip went wrong\n");
	finish();
	return ok ? 0 : 1;
}

static int
oneway(const char *url, unsigned n)
{
	rn_Sink_ref sink;
	rn_Counted c;
	double t0, t1;
	bool ok = true;

	start(url, "rtnode-oneway");
	sink = find_sink();
	ok = rn_Sink_call_Count(sys, sink, NULL, &c, RT_SEC(5)) == 0;
	t0 = now();
	for (unsigned i = 1; i <= n && ok; i++) {
		rn_Blip b = { i, text, { blob, sizeof(blob) } };

		ok = rn_Sink_send_Blip(sink, &b) == 0;
	}
	/* In order behind the Blips: it counts them all. */
	ok = ok && rn_Sink_call_Count(sys, sink, NULL, &c, RT_SEC(60)) == 0;
	t1 = now();
	ok = ok && c.n == n && c.bad == 0;
	if (ok)
		printf("remote_oneway msgs=%u seconds=%.3f msgs_per_sec=%.0f "
		       "side=rt\n",
		    n, t1 - t0, n / (t1 - t0));
	else
		fprintf(stderr,
		    "rtnode: the sink counted %llu of %u (%llu "
		    "bad)\n",
		    (unsigned long long)c.n, n, (unsigned long long)c.bad);
	finish();
	return ok ? 0 : 1;
}

/* The codec alone: encode and decode an Echo, no node. */
static int
codec(unsigned n)
{
	rn_Echo e = { .s = text, .b = { blob, sizeof(blob) }, .n = 7 };
	const rt_wire_msg *wm = &rn_Echo_wire;
	size_t len = wm->wire_size(&e);
	unsigned char buf[256], out[256];
	volatile size_t sink = 0;
	double t0, t1, t2;
	ptrdiff_t extra = 0;

	t0 = now();
	for (unsigned i = 0; i < n; i++) {
		e.n = i;
		if (wm->wire_size(&e) > sizeof(buf))
			return 1;
		sink += wm->encode(buf, &e, NULL);
	}
	t1 = now();
	for (unsigned i = 0; i < n; i++) {
		extra = wm->check(buf, len);
		if (extra < 0 || wm->size + (size_t)extra > sizeof(out))
			return 1;
		wm->decode(out, buf, len, NULL);
		sink += ((rn_Echo *)out)->n;
	}
	t2 = now();
	printf("codec msgs=%u encode_ns=%.1f decode_ns=%.1f bytes=%zu\n", n,
	    (t1 - t0) * 1e9 / n, (t2 - t1) * 1e9 / n, len);
	/* sink keeps the loops from being optimised away, and is read. */
	return ((rn_Echo *)out)->n == n - 1 && sink != 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "rtt") == 0)
		return rtt(argv[2], (unsigned)strtoul(argv[3], NULL, 10),
		    argc >= 5 ? argv[4] : "ask");
	if (argc >= 4 && strcmp(argv[1], "oneway") == 0)
		return oneway(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
	if (argc >= 2 && strcmp(argv[1], "codec") == 0)
		return codec(argc >= 3 ? (unsigned)strtoul(argv[2], NULL, 10) :
					 10000000);
	fprintf(stderr,
	    "usage: rtnode serve URL | rtt URL N [ask|call] | "
	    "oneway URL N | codec [N]\n");
	return 2;
}
