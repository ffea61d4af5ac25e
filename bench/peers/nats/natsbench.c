/* SPDX-License-Identifier: MIT */
/*
 * natsbench: the floor under rt's nodes. The two workloads that bench/node.sh
 * measures between two processes through one nats-server, written with bare
 * libnats and nothing else, so that what rt adds can be read off.
 *
 *   natsbench serve URL
 *   natsbench rtt URL N [wait|callback|sync|request]
 *   natsbench oneway URL N [asap|buffered]
 *
 * `serve` is the other process: one subscription to natsbench.> (as a node
 * has one), whose callback answers echo requests from within the callback,
 * counts one-way messages (checking their order), and answers the count.
 * It runs until SIGTERM or SIGINT.
 *
 * `rtt` makes N sequential request/replies of a 32-byte payload (the size
 * of a small message with a string and a bytes field), each reply checked
 * byte for byte against its request. How the asker publishes and waits:
 *
 *   wait      PublishRequest and one asynchronous reply subscription whose
 *             callback hands the reply to the asking thread, which sends
 *             the next request: the shape of an actor runtime, where the
 *             reply goes through libnats's delivery thread into a mailbox
 *             and the asker runs on a thread of its own (the default);
 *   callback  the same subscription, but the callback sends the next
 *             request itself: no hand-off, the floor of asynchronous
 *             delivery;
 *   sync      PublishRequest and a synchronous subscription polled with
 *             natsSubscription_NextMsg;
 *   request   the blocking natsConnection_Request (a new-style inbox
 *             shared by all requests).
 *
 * `oneway` publishes N messages, then asks the server for its count; the
 * time runs from the first publish to the count's arrival, and the count
 * must be N. `asap` (the default) flushes each publish at once, as the
 * round trips need; `buffered` lets libnats's flusher batch them.
 *
 * Every connection uses natsOptions_SetSendAsap(true) except `oneway
 * buffered`. Output, one line per run, in rtbench's format:
 *
 *   remote_rtt msgs=N seconds=S ns_per_roundtrip=X side=nats mode=wait
 *   remote_oneway msgs=N seconds=S msgs_per_sec=X side=nats mode=asap
 *
 * Exit status: 0 when the run checked out, 1 when it did not (or could not
 * connect), 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nats/nats.h>

#define PAYLOAD 32
#define SUBJECTS "natsbench.>"
#define ECHO "natsbench.echo"
#define SINK "natsbench.sink"
#define COUNT "natsbench.count"
#define RESET "natsbench.reset"
#define PING "natsbench.ping"
/* How long one reply may take before the run is failed, in ms. */
#define REPLY_MS 5000
/* How long the server may take to show up, in ms. */
#define READY_MS 10000

static const char *prog = "natsbench";

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The payload of message seq: a sequence number, then a string and a bytes
 * field as rt's wire codec lays them out (u32 length, then the data). */
static void
fill(unsigned char *buf, uint64_t seq)
{
	static const unsigned char bytes[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	put_u64(buf, seq);
	buf[8] = 8, buf[9] = buf[10] = buf[11] = 0;
	memcpy(buf + 12, "a string", 8);
	buf[20] = 8, buf[21] = buf[22] = buf[23] = 0;
	memcpy(buf + 24, bytes, 8);
}

static int
fail_status(const char *what, natsStatus s)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, natsStatus_GetText(s));
	return 1;
}

/* bad_reply: 0 if msg is the echo of request seq, else 1 (and why). */
static int
bad_reply(natsMsg *msg, uint64_t seq)
{
	unsigned char want[PAYLOAD];

	fill(want, seq);
	if (natsMsg_GetDataLength(msg) == PAYLOAD &&
	    memcmp(natsMsg_GetData(msg), want, PAYLOAD) == 0)
		return 0;
	if (natsMsg_IsNoResponders(msg))
		fprintf(stderr, "%s: no one answered request %llu\n", prog,
		    (unsigned long long)seq);
	else
		fprintf(stderr, "%s: reply %llu is not its request\n", prog,
		    (unsigned long long)seq);
	return 1;
}

static void
on_error(natsConnection *nc, natsSubscription *sub, natsStatus err,
    void *closure)
{
	(void)nc, (void)sub, (void)closure;
	fprintf(stderr, "%s: asynchronous error: %s\n", prog,
	    natsStatus_GetText(err));
}

static natsStatus
connect_to(natsConnection **nc, const char *url, bool asap)
{
	natsOptions *opts = NULL;
	natsStatus s;

	s = natsOptions_Create(&opts);
	if (s == NATS_OK)
		s = natsOptions_SetURL(opts, url);
	if (s == NATS_OK)
		s = natsOptions_SetSendAsap(opts, asap);
	if (s == NATS_OK)
		s = natsOptions_SetErrorHandler(opts, on_error, NULL);
	if (s == NATS_OK)
		s = natsConnection_Connect(nc, opts);
	natsOptions_Destroy(opts);
	return s;
}

/* --- serve ---------------------------------------------------------------- */

struct server {
	/* Touched only by the subscription's delivery thread. */
	uint64_t count;
	uint64_t disorder;
	uint64_t bad;
};

static void
answer(natsConnection *nc, natsMsg *msg, const void *data, int len)
{
	const char *reply = natsMsg_GetReply(msg);
	natsStatus s;

	if (reply == NULL)
		return;
	s = natsConnection_Publish(nc, reply, data, len);
	if (s != NATS_OK)
		fail_status("answer", s);
}

static void
on_serve(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct server *sv = closure;
	const char *subj = natsMsg_GetSubject(msg);
	const unsigned char *data = (const void *)natsMsg_GetData(msg);
	int len = natsMsg_GetDataLength(msg);
	unsigned char out[24];
	int64_t dropped = 0;

	if (strcmp(subj, ECHO) == 0) {
		answer(nc, msg, data, len);
	} else if (strcmp(subj, SINK) == 0) {
		if (len != PAYLOAD)
			sv->bad++;
		else if (get_u64(data) != sv->count)
			sv->disorder++;
		sv->count++;
	} else if (strcmp(subj, COUNT) == 0) {
		natsSubscription_GetDropped(sub, &dropped);
		put_u64(out, sv->count);
		put_u64(out + 8, sv->disorder + sv->bad);
		put_u64(out + 16, (uint64_t)dropped);
		answer(nc, msg, out, sizeof(out));
	} else if (strcmp(subj, RESET) == 0) {
		sv->count = sv->disorder = sv->bad = 0;
		answer(nc, msg, NULL, 0);
	} else if (strcmp(subj, PING) == 0) {
		answer(nc, msg, NULL, 0);
	}
	natsMsg_Destroy(msg);
}

static int
serve(const char *url)
{
	struct server sv = { 0 };
	natsConnection *nc = NULL;
	natsSubscription *sub = NULL;
	natsStatus s;
	sigset_t set;
	int sig, rc = 1;

	/* Blocked before libnats starts its threads, so that they inherit the
	 * mask and the signals come to sigwait below. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	s = connect_to(&nc, url, true);
	if (s != NATS_OK)
		return fail_status(url, s);
	s = natsConnection_Subscribe(&sub, nc, SUBJECTS, on_serve, &sv);
	/* A one-way burst must not be dropped by the client library: no
	 * bound on what waits for the callback. */
	if (s == NATS_OK)
		s = natsSubscription_SetPendingLimits(sub, -1, -1);
	if (s == NATS_OK)
		s = natsConnection_FlushTimeout(nc, READY_MS);
	if (s != NATS_OK) {
		fail_status("subscribe", s);
		goto out;
	}
	printf("natsbench: serving on %s\n", url);
	fflush(stdout);
	if (sigwait(&set, &sig) == 0)
		rc = 0;
out:
	natsSubscription_Destroy(sub);
	natsConnection_Destroy(nc);
	nats_CloseAndWait(1000);
	return rc;
}

/* --- the asking side ------------------------------------------------------ */

/* wait_ready: the server has subscribed once a ping is answered; until
 * then the server says no one responds, or nothing comes. */
static int
wait_ready(natsConnection *nc)
{
	int64_t end = now_ns() + (int64_t)READY_MS * 1000000;
	natsMsg *reply = NULL;
	natsStatus s;

	for (;;) {
		s = natsConnection_Request(&reply, nc, PING, NULL, 0, 500);
		if (s == NATS_OK) {
			natsMsg_Destroy(reply);
			return 0;
		}
		if ((s != NATS_NO_RESPONDERS && s != NATS_TIMEOUT) ||
		    now_ns() > end)
			return fail_status("no natsbench server", s);
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	}
}

struct asker {
	natsConnection *nc;
	char reply[64];
	uint64_t n;
	bool chain;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Written under lock by the delivery thread, read under lock by the
	 * asking thread. */
	uint64_t got;
	int error;
	bool done;
};

/* on_reply: a reply to request a->got. In `wait` mode it only hands it to
 * the asking thread; in `callback` mode it also sends the next request. */
static void
on_reply(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct asker *a = closure;
	unsigned char next[PAYLOAD];
	int error;
	natsStatus s;

	(void)sub;
	/* a->got is written by this thread only. */
	error = bad_reply(msg, a->got);
	natsMsg_Destroy(msg);
	pthread_mutex_lock(&a->lock);
	a->got++;
	a->error |= error;
	if (a->chain && !a->error && a->got < a->n) {
		fill(next, a->got);
		s = natsConnection_PublishRequest(nc, ECHO, a->reply, next,
		    PAYLOAD);
		if (s != NATS_OK)
			a->error = fail_status("publish", s);
	}
	if (!a->chain || a->error || a->got == a->n) {
		a->done = true;
		pthread_cond_signal(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
}

/* await: wait until the delivery thread says done; 0, or 1 on an error or
 * when no reply came for REPLY_MS. */
static int
await(struct asker *a)
{
	struct timespec dl;
	uint64_t got;
	int r = 0;

	pthread_mutex_lock(&a->lock);
	got = a->got;
	while (!a->done && r == 0) {
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += REPLY_MS / 1000;
		dl.tv_nsec += (REPLY_MS % 1000) * 1000000;
		if (dl.tv_nsec >= 1000000000)
			dl.tv_sec++, dl.tv_nsec -= 1000000000;
		r = pthread_cond_timedwait(&a->cond, &a->lock, &dl);
		/* A chain of replies that still moves is not late. */
		if (r == ETIMEDOUT && a->got != got) {
			got = a->got;
			r = 0;
		}
	}
	a->done = false;
	got = a->got;
	if (a->error)
		r = 1;
	pthread_mutex_unlock(&a->lock);
	if (r == ETIMEDOUT)
		fprintf(stderr, "%s: no reply to request %llu in %d ms\n", prog,
		    (unsigned long long)got, REPLY_MS);
	return r != 0;
}

static int
rtt_async(struct asker *a)
{
	unsigned char buf[PAYLOAD];
	natsStatus s;

	if (a->chain) {
		fill(buf, 0);
		s = natsConnection_PublishRequest(a->nc, ECHO, a->reply, buf,
		    PAYLOAD);
		if (s != NATS_OK)
			return fail_status("publish", s);
		return await(a);
	}
	for (uint64_t i = 0; i < a->n; i++) {
		fill(buf, i);
		s = natsConnection_PublishRequest(a->nc, ECHO, a->reply, buf,
		    PAYLOAD);
		if (s != NATS_OK)
			return fail_status("publish", s);
		if (await(a))
			return 1;
	}
	return 0;
}

static int
check_reply(natsMsg *msg, uint64_t i)
{
	int bad = bad_reply(msg, i);

	natsMsg_Destroy(msg);
	return bad;
}

static int
rtt_sync(natsConnection *nc, natsSubscription *sub, const char *reply,
    uint64_t n)
{
	unsigned char buf[PAYLOAD];
	natsMsg *msg = NULL;
	natsStatus s;

	for (uint64_t i = 0; i < n; i++) {
		fill(buf, i);
		s = natsConnection_PublishRequest(nc, ECHO, reply, buf,
		    PAYLOAD);
		if (s == NATS_OK)
			s = natsSubscription_NextMsg(&msg, sub, REPLY_MS);
		if (s != NATS_OK)
			return fail_status("request", s);
		if (check_reply(msg, i))
			return 1;
	}
	return 0;
}

static int
rtt_request(natsConnection *nc, uint64_t n)
{
	unsigned char buf[PAYLOAD];
	natsMsg *msg = NULL;
	natsStatus s;

	for (uint64_t i = 0; i < n; i++) {
		fill(buf, i);
		s = natsConnection_Request(&msg, nc, ECHO, buf, PAYLOAD,
		    REPLY_MS);
		if (s != NATS_OK)
			return fail_status("request", s);
		if (check_reply(msg, i))
			return 1;
	}
	return 0;
}

static int
rtt(natsConnection *nc, uint64_t n, const char *mode)
{
	struct asker a = { .nc = nc, .n = n };
	natsSubscription *sub = NULL;
	natsInbox *inbox = NULL;
	natsStatus s = NATS_OK;
	int64_t t0, t1;
	int rc = 1;

	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.cond, NULL);
	s = natsInbox_Create(&inbox);
	if (s != NATS_OK)
		return fail_status("inbox", s);
	snprintf(a.reply, sizeof(a.reply), "%s", (const char *)inbox);
	natsInbox_Destroy(inbox);
	if (strcmp(mode, "wait") == 0 || strcmp(mode, "callback") == 0) {
		a.chain = mode[0] == 'c';
		s = natsConnection_Subscribe(&sub, nc, a.reply, on_reply, &a);
	} else if (strcmp(mode, "sync") == 0) {
		s = natsConnection_SubscribeSync(&sub, nc, a.reply);
	}
	if (s == NATS_OK)
		s = natsConnection_FlushTimeout(nc, REPLY_MS);
	if (s != NATS_OK) {
		fail_status("subscribe", s);
		goto out;
	}
	t0 = now_ns();
	if (strcmp(mode, "request") == 0)
		rc = rtt_request(nc, n);
	else if (strcmp(mode, "sync") == 0)
		rc = rtt_sync(nc, sub, a.reply, n);
	else
		rc = rtt_async(&a);
	t1 = now_ns();
	if (rc == 0)
		printf(
		    "remote_rtt msgs=%llu seconds=%.3f ns_per_roundtrip=%.1f "
		    "side=nats mode=%s\n",
		    (unsigned long long)n, (double)(t1 - t0) / 1e9,
		    (double)(t1 - t0) / (double)n, mode);
out:
	/* Stop the deliveries before `a` goes out of scope. */
	if (sub != NULL)
		natsSubscription_Unsubscribe(sub);
	natsSubscription_Destroy(sub);
	return rc;
}

static int
oneway(natsConnection *nc, uint64_t n, const char *mode)
{
	unsigned char buf[PAYLOAD];
	natsMsg *reply = NULL;
	natsStatus s;
	uint64_t count, wrong, dropped;
	int64_t t0, t1;

	s = natsConnection_Request(&reply, nc, RESET, NULL, 0, REPLY_MS);
	if (s != NATS_OK)
		return fail_status("reset", s);
	natsMsg_Destroy(reply);
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		fill(buf, i);
		s = natsConnection_Publish(nc, SINK, buf, PAYLOAD);
		if (s != NATS_OK)
			return fail_status("publish", s);
	}
	/* The count request follows the messages through the same server
	 * connection into the same subscription, so it is answered after the
	 * server process has handled them all. Allow a generous time: the
	 * messages may be queued behind a slow callback. */
	s = natsConnection_Request(&reply, nc, COUNT, NULL, 0,
	    REPLY_MS + (int64_t)(n / 1000));
	t1 = now_ns();
	if (s != NATS_OK)
		return fail_status("count", s);
	if (natsMsg_GetDataLength(reply) != 24) {
		natsMsg_Destroy(reply);
		fprintf(stderr, "%s: a bad answer to the count\n", prog);
		return 1;
	}
	count = get_u64((const void *)natsMsg_GetData(reply));
	wrong = get_u64((const unsigned char *)natsMsg_GetData(reply) + 8);
	dropped = get_u64((const unsigned char *)natsMsg_GetData(reply) + 16);
	natsMsg_Destroy(reply);
	if (count != n || wrong != 0 || dropped != 0) {
		fprintf(stderr,
		    "%s: the server counted %llu of %llu messages, %llu out "
		    "of order or malformed, %llu dropped\n",
		    prog, (unsigned long long)count, (unsigned long long)n,
		    (unsigned long long)wrong, (unsigned long long)dropped);
		return 1;
	}
	printf("remote_oneway msgs=%llu seconds=%.3f msgs_per_sec=%.0f "
	       "side=nats mode=%s\n",
	    (unsigned long long)n, (double)(t1 - t0) / 1e9,
	    (double)n * 1e9 / (double)(t1 - t0), mode);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: %s serve URL\n"
	    "       %s rtt URL N [wait|callback|sync|request]\n"
	    "       %s oneway URL N [asap|buffered]\n",
	    prog, prog, prog);
	return 2;
}

int
main(int argc, char **argv)
{
	natsConnection *nc = NULL;
	const char *mode;
	unsigned long long n;
	char *end;
	natsStatus s;
	int rc;

	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2]);
	if (argc < 4 || argc > 5)
		return usage();
	errno = 0;
	n = strtoull(argv[3], &end, 10);
	if (errno != 0 || *end != '\0' || n == 0 || argv[3][0] == '-')
		return usage();
	if (strcmp(argv[1], "rtt") == 0) {
		mode = argc == 5 ? argv[4] : "wait";
		if (strcmp(mode, "wait") != 0 &&
		    strcmp(mode, "callback") != 0 &&
		    strcmp(mode, "sync") != 0 && strcmp(mode, "request") != 0)
			return usage();
	} else if (strcmp(argv[1], "oneway") == 0) {
		mode = argc == 5 ? argv[4] : "asap";
		if (strcmp(mode, "asap") != 0 && strcmp(mode, "buffered") != 0)
			return usage();
	} else {
		return usage();
	}

	s = connect_to(&nc, argv[2], strcmp(mode, "buffered") != 0);
	if (s != NATS_OK)
		return fail_status(argv[2], s);
	rc = wait_ready(nc);
	if (rc == 0 && argv[1][0] == 'r')
		rc = rtt(nc, n, mode);
	else if (rc == 0)
		rc = oneway(nc, n, mode);
	natsConnection_Destroy(nc);
	nats_CloseAndWait(1000);
	return rc;
}
