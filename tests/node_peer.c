/* SPDX-License-Identifier: MIT */
/*
 * One side of the node tests (tests/node.sh): a process that is a node,
 * in one of these roles, against the NATS server at URL:
 *
 *   node_peer serve URL NODE NAME   export a Store as NAME; on SIGTERM,
 *                                   print what it handled and stop
 *   node_peer client URL NODE NAME N
 *                                   look NAME up; send N Puts, call Echo,
 *                                   ask Echo from an actor, call Total
 *                                   and check every answer; hand the
 *                                   store a ref to a local actor, which
 *                                   it sends to and monitors
 *   node_peer burst URL NODE NAME N send N Puts and stop (for the queue
 *                                   group and the accounting)
 *   node_peer watch URL NODE NAME   monitor NAME and ask it a request it
 *                                   never answers; wait for both to end
 *   node_peer resume URL NODE NAME N
 *                                   send N Puts, print "half", wait for
 *                                   SIGUSR1 (the NATS server restarted
 *                                   meanwhile), send N more; check all
 *   node_peer backlog URL NODE NAME N
 *                                   print "ready"; on SIGUSR1 (the NATS
 *                                   server is gone) send N Puts through a
 *                                   small reconnect buffer and print
 *                                   "sent"; on SIGUSR2 (it is back) check
 *                                   that every Put was handled or is a
 *                                   counted dead letter
 *   node_peer missing URL NODE      lookups that must fail
 *   node_peer garbage URL NAME      publish, with bare libnats, frames
 *                                   for NAME that do not decode (cut
 *                                   short, of another version, batches
 *                                   whose counts or lengths lie) among
 *                                   four good Puts; the serving node
 *                                   must count each and handle the Puts
 *
 * Every role prints its node's counters last, as "stats sent=... ...".
 * Exit status 0 when every check passed.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <nats/nats.h>
#include <rt/node.h>

#include "frame.h"
#include "node.rtp.h"

static int failures;

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr,                                       \
			    "node_peer: %s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                 \
			failures++;                                           \
		}                                                             \
	} while (0)

/* --- the store ------------------------------------------------------------ */

int
nt_Store_on_Put(nt_Store *self, rt_ctx *ctx, const nt_Put *msg)
{
	(void)ctx;
	if (msg->seq != self->last_seq + 1)
		self->out_of_order++;
	self->last_seq = msg->seq;
	self->n++;
	self->sum += msg->seq;
	/* The bytes are seq % 64 bytes of (seq & 0xff). */
	if (msg->data.len != msg->seq % 64)
		self->out_of_order++;
	for (size_t i = 0; i < msg->data.len; i++)
		if (((const unsigned char *)msg->data.data)[i] !=
		    (msg->seq & 0xff))
			self->out_of_order++;
	if (msg->who == NULL || strcmp(msg->who, "client") != 0)
		self->out_of_order++;
	return 0;
}

int
nt_Store_on_Total(nt_Store *self, rt_ctx *ctx, const nt_Total *msg,
    nt_Count *reply)
{
	(void)ctx;
	(void)msg;
	reply->n = self->n;
	reply->sum = self->sum;
	reply->out_of_order = self->out_of_order;
	reply->downs = self->downs;
	return 0;
}

/* A ref from another node: ring it back, and watch it. */
int
nt_Store_on_Call(nt_Store *self, rt_ctx *ctx, const nt_Call *msg)
{
	(void)self;
	CHECK(!rt_ref_is_null(msg->back.ref));
	CHECK(rt_monitor(ctx, msg->back.ref) == 0);
	for (uint32_t i = 1; i <= msg->n; i++)
		CHECK(nt_Phone_send_Ping(msg->back, &(nt_Ping){ i }) == 0);
	return 0;
}

int
nt_Store_on_down(nt_Store *self, rt_ctx *ctx, rt_ref who, int reason)
{
	(void)ctx;
	(void)who;
	CHECK(reason == RT_NORMAL);
	self->downs++;
	return 0;
}

/* --- the phone ------------------------------------------------------------- */

static atomic_int rings;

int
nt_Phone_on_Ping(nt_Phone *self, rt_ctx *ctx, const nt_Ping *msg)
{
	if (msg->seq == 0) {
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	CHECK(msg->seq == self->got + 1);
	self->got = msg->seq;
	atomic_fetch_add(&rings, 1);
	return 0;
}

int
nt_Store_on_Echo(nt_Store *self, rt_ctx *ctx, const nt_Echo *msg,
    nt_Echo *reply)
{
	(void)self;
	(void)ctx;
	reply->s = msg->s;
	reply->b = msg->b;
	reply->n = msg->n + 1;
	return 0;
}

int
nt_Store_on_Hang(nt_Store *self, rt_ctx *ctx, const nt_Hang *msg,
    nt_Echo *reply)
{
	(void)self;
	(void)msg;
	(void)reply;
	/* Taken over, and never answered: only the node's loss (or this
	 * system's shutdown) answers it. */
	(void)rt_reply_defer(ctx);
	return RT_DEFER;
}

/* --- the watcher ------------------------------------------------------------ */

static atomic_int watching;  /* the watcher has monitored and asked */
static atomic_int answers;   /* Echo answers it got */
static atomic_int hang_done; /* status of Hang's answer + 1000, or 0 */
static atomic_int down_done; /* reason of the down + 1000, or 0 */

int
nt_Watcher_on_Watch(nt_Watcher *self, rt_ctx *ctx, const nt_Watch *msg)
{
	nt_Echo e = { .s = "ask", .b = { "xyz", 3 } };

	(void)self;
	if (msg->count == 0) {
		nt_Hang h = { 0 };

		CHECK(rt_monitor(ctx, msg->store.ref) == 0);
		CHECK(nt_Store_ask_Hang(ctx, msg->store, &h, RT_FOREVER) > 0);
		atomic_store(&watching, 1);
		return 0;
	}
	for (uint32_t i = 0; i < msg->count; i++) {
		e.n = i;
		CHECK(nt_Store_ask_Echo(ctx, msg->store, &e, RT_FOREVER) > 0);
	}
	return 0;
}

int
nt_Watcher_on_Echo_reply(nt_Watcher *self, rt_ctx *ctx, rt_corr id, int status,
    const nt_Echo *reply)
{
	(void)ctx;
	(void)id;
	CHECK(status == 0);
	if (status == 0) {
		CHECK(strcmp(reply->s, "ask") == 0);
		CHECK(reply->b.len == 3 &&
		    memcmp(reply->b.data, "xyz", 3) == 0);
	}
	self->answers++;
	atomic_fetch_add(&answers, 1);
	return 0;
}

int
nt_Watcher_on_Hang_reply(nt_Watcher *self, rt_ctx *ctx, rt_corr id, int status,
    const nt_Echo *reply)
{
	(void)ctx;
	(void)id;
	(void)reply;
	self->hang_status = status;
	atomic_store(&hang_done, 1000 + status);
	return 0;
}

int
nt_Watcher_on_down(nt_Watcher *self, rt_ctx *ctx, rt_ref who, int reason)
{
	(void)ctx;
	(void)who;
	self->down_reason = reason;
	atomic_store(&down_done, 1000 + reason);
	return 0;
}

/* --- the process ------------------------------------------------------------- */

static rt_system *sys;
static rt_node *node;

static int reconnect_buffer; /* 0: libnats's default */

static void
start(const char *url, const char *name)
{
	rt_node_config cfg = { .url = url, .name = name };

	cfg.reconnect_buffer = reconnect_buffer;
	/* Quick to notice a node that is gone (3 x 200 ms), and to come
	 * back when the server does. */
	cfg.heartbeat = RT_MS(200);
	cfg.reconnect_wait = RT_MS(100);
	sys = rt_system_new(NULL);
	if (sys == NULL) {
		fprintf(stderr, "node_peer: no system\n");
		exit(2);
	}
	node = rt_node_start(sys, &cfg);
	if (node == NULL) {
		fprintf(stderr, "node_peer: no node\n");
		exit(2);
	}
}

static void
print_stats(void)
{
	rt_node_stats st;
	rt_stats ss;

	CHECK(rt_node_stats_get(node, &st) == 0);
	CHECK(rt_stats_system(sys, &ss) == 0);
	printf("stats sent=%llu received=%llu delivered=%llu "
	       "replies_sent=%llu replies_received=%llu dead=%llu "
	       "no_name=%llu node_down=%llu malformed=%llu schema=%llu "
	       "backlog=%llu refused=%llu sys_sent=%llu sys_handled=%llu "
	       "sys_dead=%llu\n",
	    (unsigned long long)st.sent, (unsigned long long)st.received,
	    (unsigned long long)st.delivered,
	    (unsigned long long)st.replies_sent,
	    (unsigned long long)st.replies_received,
	    (unsigned long long)st.dead_letters, (unsigned long long)st.no_name,
	    (unsigned long long)st.node_down, (unsigned long long)st.malformed,
	    (unsigned long long)st.schema, (unsigned long long)st.backlog,
	    (unsigned long long)st.refused, (unsigned long long)ss.sent,
	    (unsigned long long)ss.handled,
	    (unsigned long long)ss.dead_letters);
	fflush(stdout);
}

static void
finish(void)
{
	print_stats();
	CHECK(rt_node_stop(node) == 0);
	CHECK(rt_system_shutdown(sys, RT_SEC(5)) == 0);
	rt_system_free(sys);
}

/* Look `name` up, waiting up to 10 s for a node to export it. */
static nt_Store_ref
lookup(const char *name)
{
	nt_Store_ref ref;
	int rc = RT_ENOENT;

	for (int i = 0; i < 200; i++) {
		rc = nt_Store_lookup(sys, name, &ref);
		if (rc != RT_ENOENT && rc != RT_ETIMEDOUT)
			break;
		usleep(50000);
	}
	if (rc != 0) {
		fprintf(stderr, "node_peer: lookup %s: %s\n", name,
		    rt_strerror(rc));
		exit(1);
	}
	return ref;
}

static int
wait_for(atomic_int *v, int want, int seconds)
{
	for (int i = 0; i < seconds * 100; i++) {
		if (atomic_load(v) >= want)
			return 0;
		usleep(10000);
	}
	return -1;
}

static void
send_puts(nt_Store_ref store, unsigned from, unsigned n)
{
	unsigned char data[64];

	for (unsigned i = from; i < from + n; i++) {
		nt_Put p = { .seq = i, .who = "client" };

		memset(data, (int)(i & 0xff), sizeof(data));
		p.data.data = data;
		p.data.len = i % 64;
		CHECK(nt_Store_send_Put(store, &p) == 0);
	}
}

static int
serve(const char *url, const char *name, const char *export)
{
	nt_Store_ref store;
	nt_Count c;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	start(url, name);
	CHECK(nt_Store_spawn(sys, NULL, &store) == 0);
	CHECK(nt_Store_export(store, export) == 0);
	CHECK(nt_Store_export(store, export) == RT_EEXIST);
	CHECK(nt_Store_export(store, "not a token") == RT_EINVAL);
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	CHECK(nt_Store_call_Total(sys, store, NULL, &c, RT_SEC(5)) == 0);
	printf("handled n=%llu sum=%llu bad=%u\n", (unsigned long long)c.n,
	    (unsigned long long)c.sum, c.out_of_order);
	finish();
	return failures != 0;
}

static int
client(const char *url, const char *name, const char *export, unsigned n)
{
	nt_Store_ref store;
	nt_Watcher_ref w;
	nt_Phone_ref phone;
	nt_Count c;
	nt_Echo e = { .s = "h\xc3\xa9llo\n", .b = { "\0\1\2", 3 }, .n = 7 }, r;
	nt_Watch watch;

	start(url, name);
	store = lookup(export);
	send_puts(store, 1, n);
	CHECK(nt_Store_call_Echo(sys, store, &e, &r, RT_SEC(5)) == 0);
	CHECK(r.s != NULL && strcmp(r.s, e.s) == 0);
	CHECK(r.b.len == 3 && memcmp(r.b.data, "\0\1\2", 3) == 0);
	CHECK(r.n == 8);
	/* A call without a limit, and one whose server is this far away. */
	e.n = 41;
	CHECK(nt_Store_call_Echo(sys, store, &e, &r, RT_FOREVER) == 0);
	CHECK(r.n == 42);
	CHECK(nt_Watcher_spawn(sys, NULL, &w) == 0);
	watch.store = store;
	watch.count = 100;
	CHECK(nt_Watcher_send_Watch(w, &watch) == 0);
	CHECK(wait_for(&answers, 100, 10) == 0);
	/* In order behind the Puts: they have all been handled. */
	CHECK(nt_Store_call_Total(sys, store, NULL, &c, RT_SEC(5)) == 0);
	printf("total n=%llu sum=%llu bad=%u\n", (unsigned long long)c.n,
	    (unsigned long long)c.sum, c.out_of_order);
	CHECK(c.n == n);
	CHECK(c.sum == (uint64_t)n * (n + 1) / 2);
	CHECK(c.out_of_order == 0);
	CHECK(c.downs == 0);
	/* A ref of this node in a message: the store rings it back, and
	 * hears (its monitor) when it hangs up. */
	CHECK(nt_Phone_spawn(sys, NULL, &phone) == 0);
	CHECK(nt_Store_send_Call(store, &(nt_Call){ phone, 50 }) == 0);
	CHECK(wait_for(&rings, 50, 10) == 0);
	CHECK(nt_Phone_send_Ping(phone, &(nt_Ping){ 0 }) == 0);
	for (int i = 0; i < 100 && c.downs == 0; i++) {
		usleep(50000);
		CHECK(nt_Store_call_Total(sys, store, NULL, &c, RT_SEC(5)) ==
		    0);
	}
	printf("rings=%d downs=%u\n", atomic_load(&rings), c.downs);
	CHECK(c.downs == 1);
	finish();
	return failures != 0;
}

static int
burst(const char *url, const char *name, const char *export, unsigned n)
{
	nt_Store_ref store;
	nt_Echo e = { .s = "", .b = { NULL, 0 } }, r;

	start(url, name);
	store = lookup(export);
	send_puts(store, 1, n);
	/* A round trip after the Puts: they have left this node. */
	CHECK(nt_Store_call_Echo(sys, store, &e, &r, RT_SEC(5)) == 0);
	finish();
	return failures != 0;
}

static int
watch(const char *url, const char *name, const char *export)
{
	nt_Store_ref store;
	nt_Watcher_ref w;
	nt_Watch msg;

	start(url, name);
	store = lookup(export);
	CHECK(nt_Watcher_spawn(sys, NULL, &w) == 0);
	msg.store = store;
	msg.count = 0;
	CHECK(nt_Watcher_send_Watch(w, &msg) == 0);
	CHECK(wait_for(&watching, 1, 10) == 0);
	printf("watching\n");
	fflush(stdout);
	CHECK(wait_for(&down_done, 1, 20) == 0);
	CHECK(wait_for(&hang_done, 1, 20) == 0);
	printf("down=%s hang=%s\n", rt_strerror(atomic_load(&down_done) - 1000),
	    rt_strerror(atomic_load(&hang_done) - 1000));
	CHECK(atomic_load(&down_done) - 1000 == RT_ENODE);
	CHECK(atomic_load(&hang_done) - 1000 == RT_ENODE);
	/* The proxy has stopped: sends through the ref are refused. */
	CHECK(nt_Store_send_Put(store, &(nt_Put){ .seq = 1 }) == RT_ENOACTOR);
	finish();
	return failures != 0;
}

static int
resume(const char *url, const char *name, const char *export, unsigned n)
{
	nt_Store_ref store;
	nt_Count c;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	start(url, name);
	store = lookup(export);
	send_puts(store, 1, n);
	CHECK(nt_Store_call_Total(sys, store, NULL, &c, RT_SEC(5)) == 0);
	CHECK(c.n == n);
	printf("half\n");
	fflush(stdout);
	sigwait(&set, &sig);
	/* The same ref, the same proxy, after the server came back. */
	send_puts(store, n + 1, n);
	CHECK(nt_Store_call_Total(sys, store, NULL, &c, RT_SEC(10)) == 0);
	printf("total n=%llu sum=%llu bad=%u\n", (unsigned long long)c.n,
	    (unsigned long long)c.sum, c.out_of_order);
	CHECK(c.n == 2 * n);
	CHECK(c.sum == (uint64_t)n * (2 * n + 1));
	CHECK(c.out_of_order == 0);
	finish();
	return failures != 0;
}

static int
backlog(const char *url, const char *name, const char *export, unsigned n)
{
	nt_Store_ref store;
	rt_node_stats st;
	nt_Count c;
	sigset_t set;
	int sig, rc = RT_ENODE;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	reconnect_buffer = 4096;
	start(url, name);
	store = lookup(export);
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	send_puts(store, 1, n);
	/* The proxy has published them all (or counted them). */
	for (int i = 0; i < 500; i++) {
		CHECK(rt_node_stats_get(node, &st) == 0);
		if (st.sent + st.dead_letters >= n)
			break;
		usleep(10000);
	}
	printf("sent\n");
	fflush(stdout);
	sigwait(&set, &sig);
	for (int i = 0; i < 100 && rc != 0; i++) {
		rc = nt_Store_call_Total(sys, store, NULL, &c, RT_SEC(1));
		if (rc != 0)
			usleep(100000);
	}
	CHECK(rc == 0);
	CHECK(rt_node_stats_get(node, &st) == 0);
	printf("handled=%llu backlog=%llu no_name=%llu\n",
	    (unsigned long long)c.n, (unsigned long long)st.backlog,
	    (unsigned long long)st.no_name);
	/* Some had no room: counted, never lost. */
	CHECK(st.backlog > 0);
	CHECK(c.n + st.backlog + st.no_name == n);
	finish();
	return failures != 0;
}

static int
missing(const char *url, const char *name)
{
	nt_Store_ref store;

	start(url, name);
	CHECK(nt_Store_lookup(sys, "nobody-exports-this", &store) == RT_ENOENT);
	CHECK(nt_Store_lookup(sys, "bad.name", &store) == RT_EINVAL);
	CHECK(nt_Store_lookup(sys, "x", NULL) == RT_EINVAL);
	finish();
	return failures != 0;
}

/* The frame of Put number `seq`, as the Store's client sends it, at p. */
static size_t
put_frame(uint8_t *p, uint32_t seq, uint64_t fingerprint)
{
	unsigned char data[64];
	nt_Put put = { .seq = seq, .who = "client" };
	struct frame f = { .type = FRAME_MSG, .fingerprint = fingerprint };
	size_t head = frame_put_header(p, &f);

	memset(data, (int)(seq & 0xff), sizeof(data));
	put.data.data = data;
	put.data.len = seq % 64;
	return head + nt_Put_wire.encode(p + head, &put, NULL);
}

/* A batch header for `count` parts at p. */
static size_t
batch_header(uint8_t *p, uint32_t count)
{
	return frame_put_header(p,
	    &(struct frame){ .type = FRAME_BATCH, .tag = count });
}

/* A part of a batch: its length, then the frame put_frame makes. */
static size_t
batch_put(uint8_t *p, uint32_t seq, uint64_t fingerprint)
{
	size_t n = put_frame(p + 4, seq, fingerprint);

	frame_put32(p, (uint32_t)n);
	return 4 + n;
}

static int
garbage(const char *url, const char *name)
{
	natsConnection *nc = NULL;
	natsMsg *answer = NULL;
	static uint8_t big[900 << 10];
	uint8_t b[512];
	char subj[256];
	size_t n, k;
	int ok = 1;

#define PUB(len) \
	(ok &= natsConnection_Publish(nc, subj, b, (int)(len)) == NATS_OK)
	snprintf(subj, sizeof(subj), "rt.n.%s", name);
	CHECK(natsConnection_ConnectTo(&nc, url) == NATS_OK);
	if (nc == NULL)
		return 1;
	/* Three bytes; a header of another version. */
	memcpy(b, "xyz", 3);
	PUB(3);
	memset(b, 0, 16);
	b[0] = 99;
	b[1] = FRAME_MSG;
	PUB(16);
	/* Batches that announce no part, or more than their bytes hold. */
	n = batch_header(b, 0);
	memset(b + n, 0, 20);
	PUB(n + 20);
	n = batch_header(b, 1000000);
	memset(b + n, 0, 40);
	PUB(n + 40);
	/* Three parts, the first longer than the frame: all three. */
	n = batch_header(b, 3);
	frame_put32(b + n, 0xfffffff0u);
	memset(b + n + 4, 0, 60);
	PUB(n + 64);
	/* A request inside a batch, then a message of no known kind. */
	n = batch_header(b, 2);
	k = frame_put_header(b + n + 4,
	    &(struct frame){ .type = FRAME_REQ, .corr = 7 });
	frame_put32(b + n, (uint32_t)k);
	n += 4 + k;
	n += batch_put(b + n, 1, 0xdeadbeefull);
	PUB(n);
	/* Two good Puts; a good one and a part cut short. */
	n = batch_header(b, 2);
	n += batch_put(b + n, 1, nt_Put_wire.fingerprint);
	n += batch_put(b + n, 2, nt_Put_wire.fingerprint);
	PUB(n);
	n = batch_header(b, 2);
	n += batch_put(b + n, 3, nt_Put_wire.fingerprint);
	frame_put32(b + n, 50);
	memset(b + n + 4, 0, 10);
	PUB(n + 14);
	/* A good Put alone, then one whose body is one byte short. */
	PUB(put_frame(b, 4, nt_Put_wire.fingerprint));
	PUB(put_frame(b, 5, nt_Put_wire.fingerprint) - 1);
	/* Nine hundred KiB of nothing that decodes. */
	memset(big, 0xff, sizeof(big));
	ok &= natsConnection_Publish(nc, subj, big, (int)sizeof(big)) ==
	    NATS_OK;
#undef PUB
	CHECK(ok);
	/* A lookup's probe, answered by the same subscription after all of
	 * the above (NATS keeps one connection's order): then every frame
	 * has been counted. */
	n = frame_put_header(b, &(struct frame){ .type = FRAME_PROBE });
	CHECK(natsConnection_Request(&answer, nc, subj, b, (int)n, 10000) ==
	    NATS_OK);
	natsMsg_Destroy(answer);
	natsConnection_Destroy(nc);
	printf("published\n");
	return failures != 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argv[3], argv[4]);
	if (argc >= 6 && strcmp(argv[1], "client") == 0)
		return client(argv[2], argv[3], argv[4],
		    (unsigned)strtoul(argv[5], NULL, 10));
	if (argc >= 6 && strcmp(argv[1], "burst") == 0)
		return burst(argv[2], argv[3], argv[4],
		    (unsigned)strtoul(argv[5], NULL, 10));
	if (argc >= 5 && strcmp(argv[1], "watch") == 0)
		return watch(argv[2], argv[3], argv[4]);
	if (argc >= 6 && strcmp(argv[1], "resume") == 0)
		return resume(argv[2], argv[3], argv[4],
		    (unsigned)strtoul(argv[5], NULL, 10));
	if (argc >= 6 && strcmp(argv[1], "backlog") == 0)
		return backlog(argv[2], argv[3], argv[4],
		    (unsigned)strtoul(argv[5], NULL, 10));
	if (argc >= 4 && strcmp(argv[1], "missing") == 0)
		return missing(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "garbage") == 0)
		return garbage(argv[2], argv[3]);
	fprintf(stderr,
	    "usage: node_peer "
	    "serve|client|burst|watch|resume|backlog|missing|garbage "
	    "URL NODE [NAME [N]]\n");
	return 2;
}
