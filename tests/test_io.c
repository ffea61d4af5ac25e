/* SPDX-License-Identifier: MIT */
/*
 * Actors that own descriptors (rt/io.h), through the generated API of
 * tests/rtp/io.rtp: one-shot readiness in the actor's order, unwatching
 * (a readiness already queued included), ownership and closing when the
 * incarnation ends (by a crash too, and watches that never reach the
 * restarted actor), bad descriptors and calls that are not allowed, end
 * of stream and hang-up, a test system collecting readiness without
 * sleeping, and an echo server over TCP that leaks no descriptor and
 * leaves an idle system idle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <rt/rt.h>
#include <rt/test.h>

#include "cutest.h"
#include "io.rtp.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
#define WAIT_LIMIT_SEC 10
#include "record.h"

/* --- what the actors did, in order --------------------------------------- */

enum { LOG_MAX = 4096 };

struct entry {
	char what; /* 'i' readiness, 'w' watch, 'u' unwatch, 'o' own,
	              'c' close, 'm' mark, 'p' plain's calls, 's' start */
	int fd;
	unsigned events; /* 'i' */
	int rc;          /* the call's result; 'm': the mark */
	uint64_t gen;    /* the incarnation */
};

/* Under mu (record.h): the entries, and how many of each kind. */
static struct {
	struct entry at[LOG_MAX];
	unsigned n;
	unsigned count[128];
} LOG;

static void
log_put(const struct entry *e)
{
	if (LOG.n < LOG_MAX) {
		LOG.at[LOG.n++] = *e;
		LOG.count[(unsigned char)e->what & 127]++;
	}
}

static void
log_add(char what, int fd, unsigned events, int rc, rt_ctx *ctx)
{
	struct entry e = { what, fd, events, rc,
		ctx != NULL ? rt_self(ctx).gen : 0 };

	RECORD(log_put(&e));
}

static void
log_reset(void)
{
	RECORD(memset(&LOG, 0, sizeof(LOG)));
}

static unsigned
log_count(char what)
{
	unsigned n;

	pthread_mutex_lock(&mu);
	n = LOG.count[(unsigned char)what & 127];
	pthread_mutex_unlock(&mu);
	return n;
}

/* The k-th entry (from 0) of kind `what`; a zeroed one if none. */
static struct entry
log_nth(char what, unsigned k)
{
	struct entry e = { 0 };
	unsigned i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < LOG.n; i++)
		if (LOG.at[i].what == what && k-- == 0) {
			e = LOG.at[i];
			break;
		}
	pthread_mutex_unlock(&mu);
	return e;
}

/* Wait until `n` entries of kind `what` are in. */
static int
log_wait(char what, unsigned n)
{
	return wait_count(&LOG.count[(unsigned char)what & 127], n);
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* --- the actors ---------------------------------------------------------- */

int
io_Watcher_on_start(io_Watcher *self, rt_ctx *ctx, const io_Watcher_args *args)
{
	(void)self;
	(void)args;
	log_add('s', -1, 0, 0, ctx);
	return 0;
}

int
io_Watcher_on_Arm(io_Watcher *self, rt_ctx *ctx, const io_Arm *msg)
{
	(void)self;
	log_add('w', msg->fd, msg->events,
	    rt_io_watch(ctx, msg->fd, msg->events), ctx);
	return 0;
}

int
io_Watcher_on_Unwatch(io_Watcher *self, rt_ctx *ctx, const io_Unwatch *msg)
{
	(void)self;
	log_add('u', msg->fd, 0, rt_io_unwatch(ctx, msg->fd), ctx);
	return 0;
}

int
io_Watcher_on_Own(io_Watcher *self, rt_ctx *ctx, const io_Own *msg)
{
	(void)self;
	log_add('o', msg->fd, 0, rt_io_own(ctx, msg->fd), ctx);
	return 0;
}

int
io_Watcher_on_Close(io_Watcher *self, rt_ctx *ctx, const io_Close *msg)
{
	(void)self;
	log_add('c', msg->fd, 0, rt_io_close(ctx, msg->fd), ctx);
	return 0;
}

int
io_Watcher_on_Crash(io_Watcher *self, rt_ctx *ctx, const io_Crash *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return RT_EIO;
}

int
io_Watcher_on_Mark(io_Watcher *self, rt_ctx *ctx, const io_Mark *msg)
{
	(void)self;
	log_add('m', -1, 0, (int)msg->n, ctx);
	return 0;
}

/*
 * The gate a Hold waits at: so that the test can queue messages and
 * readiness behind a busy actor in the order it chooses, without
 * guessing how long anything takes. A Hold blocks its worker, so the
 * systems of the tests that use it have two: readiness is collected by
 * the workers, and one must be free to collect it.
 */
static int gate_open = 1; /* under mu */

static void
gate_set(int open)
{
	RECORD(gate_open = open);
}

static int
gate_is_open(void)
{
	return gate_open;
}

int
io_Watcher_on_Hold(io_Watcher *self, rt_ctx *ctx, const io_Hold *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	(void)wait_until(gate_is_open);
	return 0;
}

int
io_Watcher_on_io(io_Watcher *self, rt_ctx *ctx, int fd, unsigned events)
{
	(void)self;
	log_add('i', fd, events, 0, ctx);
	return 0;
}

int
io_Plain_on_Arm(io_Plain *self, rt_ctx *ctx, const io_Arm *msg)
{
	(void)self;
	log_add('p', msg->fd, 0, rt_io_watch(ctx, msg->fd, msg->events), ctx);
	log_add('p', msg->fd, 0, rt_io_unwatch(ctx, msg->fd), ctx);
	log_add('p', msg->fd, 0, rt_io_close(ctx, msg->fd), ctx);
	return 0;
}

int
io_Plain_on_Own(io_Plain *self, rt_ctx *ctx, const io_Own *msg)
{
	(void)self;
	log_add('p', msg->fd, 0, rt_io_own(ctx, msg->fd), ctx);
	return 0;
}

int
io_Listener_on_start(io_Listener *self, rt_ctx *ctx,
    const io_Listener_args *args)
{
	int rc;

	self->fd = args->fd;
	rc = rt_io_own(ctx, self->fd);
	return rc != 0 ? rc : rt_io_watch(ctx, self->fd, RT_IO_READ);
}

int
io_Listener_on_Mark(io_Listener *self, rt_ctx *ctx, const io_Mark *msg)
{
	(void)self;
	log_add('m', -1, 0, (int)msg->n, ctx);
	return 0;
}

int
io_Listener_on_io(io_Listener *self, rt_ctx *ctx, int fd, unsigned events)
{
	int conn, rc;

	(void)events;
	while ((rc = rt_net_accept(fd, &conn)) == 0) {
		io_Echo_args a = { .fd = conn };

		if (io_Echo_spawn(rt_ctx_system(ctx), &a, NULL) != 0)
			close(conn);
	}
	if (rc != RT_EAGAIN)
		return rc;
	return rt_io_watch(ctx, self->fd, RT_IO_READ);
}

int
io_Echo_on_start(io_Echo *self, rt_ctx *ctx, const io_Echo_args *args)
{
	int rc;

	self->fd = args->fd;
	rc = rt_io_own(ctx, self->fd);
	return rc != 0 ? rc : rt_io_watch(ctx, self->fd, RT_IO_READ);
}

void
io_Echo_on_stop(io_Echo *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	(void)reason;
	log_add('e', self->fd, 0, (int)self->echoed, NULL);
}

int
io_Echo_on_Mark(io_Echo *self, rt_ctx *ctx, const io_Mark *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
io_Echo_on_io(io_Echo *self, rt_ctx *ctx, int fd, unsigned events)
{
	char buf[4096];
	ssize_t n;

	(void)events;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			/* Small answers to a client that reads them: a
			 * loopback socket takes them whole. */
			if (write(fd, buf, (size_t)n) != n)
				return RT_EIO;
			self->echoed += (uint32_t)n;
			continue;
		}
		if (n == 0) {
			/* The peer is done: the runtime closes the
			 * descriptor as the actor stops. */
			rt_stop(ctx, RT_NORMAL);
			return 0;
		}
		/* Read until EAGAIN: an edge-triggered watch will do. */
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return rt_io_watch(ctx, fd, RT_IO_READ | RT_IO_EDGE);
		if (errno != EINTR)
			return RT_EIO;
	}
}

/* --- helpers ------------------------------------------------------------- */

static void
pair(int sv[2])
{
	CU_ASSERT_FATAL(socketpair(AF_UNIX,
			    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
			    sv) == 0);
}

static void
send_arm(io_Watcher_ref w, int fd, unsigned events)
{
	io_Arm m = { .fd = fd, .events = events };

	CU_ASSERT_EQUAL_FATAL(io_Watcher_send_Arm(w, &m), 0);
}

static void
send_mark(io_Watcher_ref w, uint32_t n)
{
	io_Mark m = { .n = n };

	CU_ASSERT_EQUAL_FATAL(io_Watcher_send_Mark(w, &m), 0);
}

/* Hold `w` at the gate, closed. */
static void
send_hold(io_Watcher_ref w)
{
	io_Hold m = { 0 };

	gate_set(0);
	CU_ASSERT_EQUAL_FATAL(io_Watcher_send_Hold(w, &m), 0);
}

static uint64_t
stat_sent(rt_system *sys)
{
	rt_stats st;

	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	return st.sent;
}

/* Wait (at most 10 s) until the system has counted `n` sends. */
static int
wait_sent(rt_system *sys, uint64_t n)
{
	int i;

	for (i = 0; i < 10000 && stat_sent(sys) < n; i++)
		sleep_ms(1);
	return stat_sent(sys) >= n;
}

/* After shutdown: nothing lost. */
static void
balanced(rt_system *sys)
{
	rt_stats st;

	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
}

static int
is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Whether the peer of `fd` has gone: a read sees the end or a reset. */
static int
peer_closed(int fd)
{
	char c;
	int i;

	for (i = 0; i < 1000; i++) {
		ssize_t n = read(fd, &c, 1);

		/* A socket closed with data unread resets the peer. */
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 1;
		if (n < 0 && errno != EAGAIN)
			return 0;
		sleep_ms(5);
	}
	return 0;
}

static unsigned
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* --- the tests ----------------------------------------------------------- */

static void
readiness_is_one_shot_and_level_triggered(void)
{
	rt_system *sys = threaded(1);
	io_Watcher_ref w;
	int sv[2];
	struct entry e;

	log_reset();
	pair(sv);
	CU_ASSERT_EQUAL_FATAL(io_Watcher_spawn(sys, NULL, &w), 0);
	send_arm(w, sv[0], RT_IO_READ);
	CU_ASSERT_FATAL(log_wait('w', 1));
	CU_ASSERT_EQUAL(log_nth('w', 0).rc, 0);
	/* Not ready yet: nothing comes. */
	sleep_ms(30);
	CU_ASSERT_EQUAL(log_count('i'), 0);
	CU_ASSERT_EQUAL(write(sv[1], "ab", 2), 2);
	CU_ASSERT_FATAL(log_wait('i', 1));
	e = log_nth('i', 0);
	CU_ASSERT_EQUAL(e.fd, sv[0]);
	CU_ASSERT_EQUAL(e.events, RT_IO_READ);
	/* More data, nobody armed it again: still one. */
	CU_ASSERT_EQUAL(write(sv[1], "c", 1), 1);
	sleep_ms(50);
	CU_ASSERT_EQUAL(log_count('i'), 1);
	/* Armed again with the data unread: reported again at once. */
	send_arm(w, sv[0], RT_IO_READ);
	CU_ASSERT_FATAL(log_wait('i', 2));
	/* Asking for writing too: a socket with room is writable, and
	 * the report says both. */
	send_arm(w, sv[0], RT_IO_READ | RT_IO_WRITE);
	CU_ASSERT_FATAL(log_wait('i', 3));
	CU_ASSERT_EQUAL(log_nth('i', 2).events, RT_IO_READ | RT_IO_WRITE);
	balanced(sys);
	rt_system_free(sys);
	close(sv[0]);
	close(sv[1]);
}

static void
readiness_keeps_its_place_among_messages(void)
{
	rt_system *sys = threaded(2);
	io_Watcher_ref w;
	int sv[2];
	uint64_t before;

	log_reset();
	pair(sv);
	CU_ASSERT_EQUAL_FATAL(io_Watcher_spawn(sys, NULL, &w), 0);
	send_arm(w, sv[0], RT_IO_READ);
	CU_ASSERT_FATAL(log_wait('w', 1));
	/* The actor is busy while a mark, the readiness and another mark
	 * queue up behind it, in that order. */
	send_hold(w);
	send_mark(w, 1);
	before = stat_sent(sys);
	CU_ASSERT_EQUAL(write(sv[1], "x", 1), 1);
	/* The readiness is counted once it is queued. */
	CU_ASSERT_FATAL(wait_sent(sys, before + 1));
	send_mark(w, 2);
	gate_set(1);
	CU_ASSERT_FATAL(log_wait('m', 2));
	pthread_mutex_lock(&mu);
	CU_ASSERT_EQUAL(LOG.n, 5); /* start, watch, mark, io, mark */
	CU_ASSERT_EQUAL(LOG.at[2].what, 'm');
	CU_ASSERT_EQUAL(LOG.at[3].what, 'i');
	CU_ASSERT_EQUAL(LOG.at[4].what, 'm');
	pthread_mutex_unlock(&mu);
	balanced(sys);
	rt_system_free(sys);
	close(sv[0]);
	close(sv[1]);
}

static void
unwatch_stops_readiness_even_one_queued(void)
{
	rt_system *sys = threaded(2);
	io_Watcher_ref w;
	io_Unwatch u;
	int sv[2];
	uint64_t before;
	rt_stats st;

	log_reset();
	pair(sv);
	CU_ASSERT_EQUAL_FATAL(io_Watcher_spawn(sys, NULL, &w), 0);
	/* Plain unwatching: nothing comes. */
	send_arm(w, sv[0], RT_IO_READ);
	u.fd = sv[0];
	CU_ASSERT_EQUAL(io_Watcher_send_Unwatch(w, &u), 0);
	CU_ASSERT_FATAL(log_wait('u', 1));
	CU_ASSERT_EQUAL(log_nth('u', 0).rc, 0);
	CU_ASSERT_EQUAL(write(sv[1], "x", 1), 1);
	sleep_ms(50);
	CU_ASSERT_EQUAL(log_count('i'), 0);
	/* Not watched any more. */
	CU_ASSERT_EQUAL(io_Watcher_send_Unwatch(w, &u), 0);
	CU_ASSERT_FATAL(log_wait('u', 2));
	CU_ASSERT_EQUAL(log_nth('u', 1).rc, RT_ENOENT);
	/* Armed, then held with the unwatch queued behind; the data comes
	 * now, so its readiness is queued after the unwatch and must not
	 * be handled. */
	{
		char c;

		CU_ASSERT_EQUAL(read(sv[0], &c, 1), 1);
	}
	send_arm(w, sv[0], RT_IO_READ);
	CU_ASSERT_FATAL(log_wait('w', 2));
	before = stat_sent(sys);
	send_hold(w);
	CU_ASSERT_EQUAL(io_Watcher_send_Unwatch(w, &u), 0);
	CU_ASSERT_EQUAL(write(sv[1], "y", 1), 1);
	CU_ASSERT_FATAL(wait_sent(sys, before + 3));
	gate_set(1);
	CU_ASSERT_FATAL(log_wait('u', 3));
	CU_ASSERT_EQUAL(log_nth('u', 2).rc, 0);
	send_mark(w, 1);
	CU_ASSERT_FATAL(log_wait('m', 1));
	CU_ASSERT_EQUAL(log_count('i'), 0);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	/* Start signals are not messages; every one of these is, the
	 * readiness included, and it was dropped as handled. */
	CU_ASSERT_EQUAL(st.sent, before + 4);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	CU_ASSERT_EQUAL(st.dead_letters, 0);
	rt_system_free(sys);
	close(sv[0]);
	close(sv[1]);
}

static void
owned_descriptors_close_when_the_actor_crashes(void)
{
	rt_system *sys = threaded(2);
	io_Keep_ref keep;
	io_Watcher_ref w;
	io_Own own;
	io_Crash crash = { 0 };
	int a[2], b[2];
	uint64_t before;

	log_reset();
	pair(a);
	pair(b);
	CU_ASSERT_EQUAL_FATAL(io_Keep_start(sys, &keep), 0);
	CU_ASSERT_FATAL(log_wait('s', 1));
	w.ref = rt_sup_child(keep.ref, 0);
	CU_ASSERT_FATAL(!rt_ref_is_null(w.ref));
	/* a[0] watched and owned, b[0] only watched. */
	own.fd = a[0];
	CU_ASSERT_EQUAL(io_Watcher_send_Own(w, &own), 0);
	send_arm(w, a[0], RT_IO_READ);
	send_arm(w, b[0], RT_IO_READ);
	CU_ASSERT_FATAL(log_wait('w', 2));
	CU_ASSERT_EQUAL(log_nth('o', 0).rc, 0);
	CU_ASSERT_EQUAL(log_nth('w', 0).rc, 0);
	CU_ASSERT_EQUAL(log_nth('w', 1).rc, 0);
	/* Held, with the crash queued; b's readiness comes after it. */
	before = stat_sent(sys);
	send_hold(w);
	CU_ASSERT_EQUAL(io_Watcher_send_Crash(w, &crash), 0);
	CU_ASSERT_EQUAL(write(b[1], "x", 1), 1);
	CU_ASSERT_FATAL(wait_sent(sys, before + 3));
	gate_set(1);
	/* Restarted in place, under the same ref. */
	CU_ASSERT_FATAL(log_wait('s', 2));
	CU_ASSERT_EQUAL(log_nth('s', 1).gen, log_nth('s', 0).gen);
	/* The owned one was closed: its peer sees the end. */
	CU_ASSERT_TRUE(peer_closed(a[1]));
	/* The other is the program's: still open, but no longer watched,
	 * and its readiness never reached the new incarnation. */
	CU_ASSERT_TRUE(is_open(b[0]));
	CU_ASSERT_EQUAL(write(b[1], "y", 1), 1);
	send_mark(w, 1);
	CU_ASSERT_FATAL(log_wait('m', 1));
	sleep_ms(30);
	CU_ASSERT_EQUAL(log_count('i'), 0);
	/* The new incarnation can watch it again. */
	send_arm(w, b[0], RT_IO_READ);
	CU_ASSERT_FATAL(log_wait('i', 1));
	CU_ASSERT_EQUAL(log_nth('i', 0).fd, b[0]);
	balanced(sys);
	rt_system_free(sys);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

static void
bad_descriptors_and_calls_are_codes(void)
{
	rt_system *sys = rt_test_system_new(NULL);
	io_Watcher_ref w, w2;
	io_Plain_ref p;
	io_Own own;
	io_Unwatch u;
	io_Close c;
	int sv[2], closed, file;
	char path[] = "/tmp/rt-io-XXXXXX";

	log_reset();
	pair(sv);
	file = mkstemp(path);
	CU_ASSERT_FATAL(file >= 0);
	unlink(path);
	/* A number nothing here has open (nor will: descriptors are
	 * given out lowest first). */
	closed = 900;
	CU_ASSERT_FATAL(!is_open(closed));
	CU_ASSERT_EQUAL_FATAL(io_Watcher_spawn(sys, NULL, &w), 0);
	CU_ASSERT_EQUAL_FATAL(io_Watcher_spawn(sys, NULL, &w2), 0);
	CU_ASSERT_EQUAL_FATAL(io_Plain_spawn(sys, NULL, &p), 0);
	send_arm(w, -1, RT_IO_READ);     /* w 0 */
	send_arm(w, closed, RT_IO_READ); /* w 1 */
	send_arm(w, file, RT_IO_READ);   /* w 2 */
	send_arm(w, sv[0], 0);           /* w 3 */
	send_arm(w, sv[0], 1u << 7);     /* w 4 */
	send_arm(w, sv[0], RT_IO_HUP);   /* w 5 */
	send_arm(w, sv[0], RT_IO_READ);  /* w 6 */
	own.fd = -1;
	CU_ASSERT_EQUAL(io_Watcher_send_Own(w, &own), 0);
	own.fd = closed;
	CU_ASSERT_EQUAL(io_Watcher_send_Own(w, &own), 0);
	u.fd = file;
	CU_ASSERT_EQUAL(io_Watcher_send_Unwatch(w, &u), 0);
	c.fd = closed;
	CU_ASSERT_EQUAL(io_Watcher_send_Close(w, &c), 0);
	rt_test_run(sys);
	/* Another actor watching the same descriptor. */
	send_arm(w2, sv[0], RT_IO_READ); /* w 7 */
	{
		io_Arm a = { .fd = sv[0], .events = RT_IO_READ };

		CU_ASSERT_EQUAL(io_Plain_send_Arm(p, &a), 0);
		own.fd = sv[0];
		CU_ASSERT_EQUAL(io_Plain_send_Own(p, &own), 0);
	}
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('w'), 8);
	CU_ASSERT_EQUAL(log_nth('w', 0).rc, RT_EINVAL);
	CU_ASSERT_EQUAL(log_nth('w', 1).rc, RT_EBADF);
	CU_ASSERT_EQUAL(log_nth('w', 2).rc, RT_EINVAL);
	CU_ASSERT_EQUAL(log_nth('w', 3).rc, RT_EINVAL);
	CU_ASSERT_EQUAL(log_nth('w', 4).rc, RT_EINVAL);
	CU_ASSERT_EQUAL(log_nth('w', 5).rc, RT_EINVAL);
	CU_ASSERT_EQUAL(log_nth('w', 6).rc, 0);
	CU_ASSERT_EQUAL(log_nth('w', 7).rc, RT_EEXIST);
	CU_ASSERT_EQUAL(log_nth('o', 0).rc, RT_EINVAL);
	CU_ASSERT_EQUAL(log_nth('o', 1).rc, RT_EBADF);
	CU_ASSERT_EQUAL(log_nth('u', 0).rc, RT_ENOENT);
	CU_ASSERT_EQUAL(log_nth('c', 0).rc, RT_EBADF);
	/* Not an `on io` actor: every call refused, nothing closed. */
	CU_ASSERT_EQUAL(log_count('p'), 4);
	CU_ASSERT_EQUAL(log_nth('p', 0).rc, RT_EINVAL);
	CU_ASSERT_EQUAL(log_nth('p', 1).rc, RT_EINVAL);
	CU_ASSERT_EQUAL(log_nth('p', 2).rc, RT_EINVAL);
	CU_ASSERT_EQUAL(log_nth('p', 3).rc, RT_EINVAL);
	CU_ASSERT_TRUE(is_open(sv[0]));
	/* Outside any handler. */
	CU_ASSERT_EQUAL(rt_io_watch(NULL, sv[0], RT_IO_READ), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_io_unwatch(NULL, sv[0]), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_io_own(NULL, sv[0]), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_io_close(NULL, sv[0]), RT_EINVAL);
	CU_ASSERT_STRING_EQUAL(rt_strerror(RT_EBADF), "bad file descriptor");
	/* The watch that worked still works. */
	CU_ASSERT_EQUAL(write(sv[1], "x", 1), 1);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 1);
	rt_system_free(sys);
	close(sv[0]);
	close(sv[1]);
	close(file);
}

static void
end_of_stream_and_hang_up(void)
{
	rt_system *sys = rt_test_system_new(NULL);
	io_Watcher_ref w;
	int sv[2];
	char c;

	log_reset();
	pair(sv);
	CU_ASSERT_EQUAL_FATAL(io_Watcher_spawn(sys, NULL, &w), 0);
	send_arm(w, sv[0], RT_IO_READ);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 0);
	/* The peer shuts down its writing side: readable (a read returns
	 * 0) and a hang-up. */
	CU_ASSERT_EQUAL(shutdown(sv[1], SHUT_WR), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL_FATAL(log_count('i'), 1);
	CU_ASSERT_EQUAL(log_nth('i', 0).events, RT_IO_READ | RT_IO_HUP);
	CU_ASSERT_EQUAL(read(sv[0], &c, 1), 0);
	/* Watching for writing only: the peer goes entirely, and the
	 * hang-up is reported although it was not asked for. */
	close(sv[1]);
	send_arm(w, sv[0], RT_IO_WRITE);
	rt_test_run(sys);
	CU_ASSERT_EQUAL_FATAL(log_count('i'), 2);
	CU_ASSERT_TRUE((log_nth('i', 1).events & RT_IO_HUP) != 0);
	rt_system_free(sys);
	close(sv[0]);
}

static void
edge_watches_keep_what_comes_until_watched(void)
{
	rt_system *sys = rt_test_system_new(NULL);
	io_Watcher_ref w;
	int sv[2];
	char c;

	log_reset();
	pair(sv);
	CU_ASSERT_EQUAL_FATAL(io_Watcher_spawn(sys, NULL, &w), 0);
	/* Data there before the first watch: the kernel looks as the
	 * descriptor goes in, and reports it. */
	CU_ASSERT_EQUAL(write(sv[1], "a", 1), 1);
	send_arm(w, sv[0], RT_IO_READ | RT_IO_EDGE);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_nth('w', 0).rc, 0);
	CU_ASSERT_EQUAL_FATAL(log_count('i'), 1);
	CU_ASSERT_EQUAL(log_nth('i', 0).events & RT_IO_READ, RT_IO_READ);
	/* More comes while nobody waits: kept, not delivered. */
	CU_ASSERT_EQUAL(write(sv[1], "b", 1), 1);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 1);
	/* Watched again: delivered at once, from what was kept. */
	send_arm(w, sv[0], RT_IO_READ | RT_IO_EDGE);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 2);
	/* Nothing new since: an edge watch waits, data unread or not
	 * (the actor promised it had read all). */
	send_arm(w, sv[0], RT_IO_READ | RT_IO_EDGE);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 2);
	CU_ASSERT_EQUAL(write(sv[1], "c", 1), 1);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 3);
	/* Back to one-shot: the level is looked at, the unread data
	 * reported. */
	send_arm(w, sv[0], RT_IO_READ);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 4);
	/* Drained, then edge again; an unwatch takes it back. */
	while (read(sv[0], &c, 1) == 1)
		;
	send_arm(w, sv[0], RT_IO_READ | RT_IO_EDGE);
	{
		io_Unwatch u = { .fd = sv[0] };

		CU_ASSERT_EQUAL(io_Watcher_send_Unwatch(w, &u), 0);
	}
	rt_test_run(sys);
	CU_ASSERT_EQUAL(write(sv[1], "d", 1), 1);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 4);
	CU_ASSERT_EQUAL(log_nth('u', 0).rc, 0);
	/* Without RT_IO_READ or RT_IO_WRITE, still nothing asked for. */
	send_arm(w, sv[0], RT_IO_EDGE);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_nth('w', 5).rc, RT_EINVAL);
	rt_system_free(sys);
	close(sv[0]);
	close(sv[1]);
}

static void
a_test_system_collects_readiness_when_it_runs(void)
{
	rt_system *sys = rt_test_system_new(NULL);
	io_Watcher_ref w;
	io_Own own;
	int sv[2];

	log_reset();
	pair(sv);
	CU_ASSERT_EQUAL_FATAL(io_Watcher_spawn(sys, NULL, &w), 0);
	send_arm(w, sv[0], RT_IO_READ);
	own.fd = sv[0];
	CU_ASSERT_EQUAL(io_Watcher_send_Own(w, &own), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 0);
	CU_ASSERT_EQUAL(write(sv[1], "x", 1), 1);
	send_mark(w, 1);
	/* The mark first (it was queued), then the readiness, in one
	 * call, with no time passing. */
	rt_test_run(sys);
	CU_ASSERT_EQUAL(log_count('i'), 1);
	pthread_mutex_lock(&mu);
	CU_ASSERT_EQUAL(LOG.at[LOG.n - 2].what, 'm');
	CU_ASSERT_EQUAL(LOG.at[LOG.n - 1].what, 'i');
	pthread_mutex_unlock(&mu);
	/* Freeing the system stops the actor, which closes what it
	 * owns. */
	rt_system_free(sys);
	CU_ASSERT_TRUE(peer_closed(sv[1]));
	close(sv[1]);
}

static int
dial(uint16_t port)
{
	int fd, fl;

	if (rt_net_connect_tcp("127.0.0.1", port, &fd) != 0)
		return -1;
	/* The test talks to it the blocking way. */
	fl = fcntl(fd, F_GETFL);
	(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
an_echo_server_leaks_nothing_and_idles(void)
{
	enum { ROUNDS = 3, CONNS = 64 };
	rt_system *sys = threaded(0);
	io_Listener_args la;
	io_Listener_ref l;
	io_Mark mark = { 1 };
	uint16_t port = 0;
	int lfd, round, i, fds[CONNS];
	unsigned baseline;
	double cpu;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(rt_net_listen_tcp("127.0.0.1", 0, 0, &lfd, &port),
	    0);
	la.fd = lfd;
	CU_ASSERT_EQUAL_FATAL(io_Listener_spawn(sys, &la, &l), 0);
	/* Started, and watching (the system's epoll set is made). */
	CU_ASSERT_EQUAL(io_Listener_send_Mark(l, &mark), 0);
	CU_ASSERT_FATAL(log_wait('m', 1));
	baseline = open_fds();
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < CONNS; i++) {
			fds[i] = dial(port);
			CU_ASSERT_FATAL(fds[i] >= 0);
		}
		for (i = 0; i < CONNS; i++) {
			char out[64], in[64];
			int len = snprintf(out, sizeof(out), "hello %d.%d",
			    round, i);

			CU_ASSERT_EQUAL(write(fds[i], out, (size_t)len), len);
			CU_ASSERT_EQUAL(recv(fds[i], in, (size_t)len,
					    MSG_WAITALL),
			    len);
			CU_ASSERT_EQUAL(memcmp(in, out, (size_t)len), 0);
		}
		for (i = 0; i < CONNS; i++)
			close(fds[i]);
		/* Every connection's actor stops and the runtime closes
		 * its end. */
		CU_ASSERT_FATAL(log_wait('e', (unsigned)(round + 1) * CONNS));
		for (i = 0; i < 10000 && open_fds() != baseline; i++)
			sleep_ms(1);
		CU_ASSERT_EQUAL(open_fds(), baseline);
	}
	/* Idle, with the listener watching: no CPU to speak of (the
	 * workers and the poller sleep). */
	sleep_ms(50);
	cpu = cpu_seconds();
	sleep_ms(300);
	CU_ASSERT(cpu_seconds() - cpu < 0.03);
	balanced(sys);
	rt_system_free(sys);
	/* The listener owned its socket. */
	CU_ASSERT_FALSE(is_open(lfd));
}

/*
 * Many round trips through edge-triggered watches on two workers: a
 * readiness lost between a poller and an arming owner would leave the
 * client waiting, which the poll's timeout turns into a failure.
 */
static void
edge_watches_lose_no_readiness(void)
{
	enum { CONNS = 4, ROUNDS = 5000 };
	rt_system *sys = threaded(2);
	io_Listener_args la;
	uint16_t port = 0;
	int lfd, i, r, fds[CONNS], lost = 0;

	log_reset();
	CU_ASSERT_EQUAL_FATAL(rt_net_listen_tcp("127.0.0.1", 0, 0, &lfd, &port),
	    0);
	la.fd = lfd;
	CU_ASSERT_EQUAL_FATAL(io_Listener_spawn(sys, &la, NULL), 0);
	for (i = 0; i < CONNS; i++) {
		fds[i] = dial(port);
		CU_ASSERT_FATAL(fds[i] >= 0);
	}
	for (r = 0; r < ROUNDS && !lost; r++)
		for (i = 0; i < CONNS && !lost; i++) {
			char c = (char)r, back = 0;
			struct pollfd p = { fds[i], POLLIN, 0 };

			if (write(fds[i], &c, 1) != 1 ||
			    poll(&p, 1, 10000) != 1 ||
			    read(fds[i], &back, 1) != 1 || back != c)
				lost = 1;
		}
	CU_ASSERT_EQUAL(lost, 0);
	for (i = 0; i < CONNS; i++)
		close(fds[i]);
	CU_ASSERT(log_wait('e', CONNS));
	balanced(sys);
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo io[] = {
		{ "readiness is one-shot and level-triggered",
		    readiness_is_one_shot_and_level_triggered },
		{ "readiness keeps its place among messages",
		    readiness_keeps_its_place_among_messages },
		{ "unwatch stops readiness, even one queued",
		    unwatch_stops_readiness_even_one_queued },
		{ "owned descriptors close when the actor crashes",
		    owned_descriptors_close_when_the_actor_crashes },
		{ "bad descriptors and calls are codes",
		    bad_descriptors_and_calls_are_codes },
		{ "end of stream and hang-up", end_of_stream_and_hang_up },
		{ "edge watches keep what comes until watched",
		    edge_watches_keep_what_comes_until_watched },
		{ "a test system collects readiness when it runs",
		    a_test_system_collects_readiness_when_it_runs },
		{ "an echo server leaks nothing and idles",
		    an_echo_server_leaks_nothing_and_idles },
		{ "edge watches lose no readiness",
		    edge_watches_lose_no_readiness },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "io", NULL, NULL, NULL, NULL, io },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
