/* SPDX-License-Identifier: MIT */
/*
 * The observer: rt_system_dump, rt_metrics_write, the last crash reports
 * and a live page, over HTTP/1.1, served by the observed system's own
 * actors (rt/observe.h says what it answers).
 *
 * The server is made of actors, two kinds written by hand as rtgen would
 * write them, with `on io`: a listener ("rt.observer.Listener") that owns
 * the listening socket and starts a connection actor ("rt.observer.Conn")
 * for each connection it accepts, closing at once those beyond the cap.
 * They run in a system of their own, with one worker, not in the system
 * observed: so they are not in its dump, its metrics or its counters (a
 * page that refreshes would otherwise see its own requests), its
 * rt_system_wait does not wait for them, and its workers never run them.
 * What they share with it is its log hook and its level.
 *
 * A connection actor owns its socket (rt_io_own: closed when it stops,
 * however it stops), reads a request head into a buffer of
 * RTI_HTTP_HEAD_MAX bytes in its state, answers it, and goes on with the
 * next one only once the answer is written: pipelined requests are
 * answered in order, and a client that does not read its answers stops
 * being read. Each request has a deadline on the timer wheel, from the
 * end of the answer before it (or from the accept) to the end of its own
 * answer: a client that sends nothing, sends slowly or reads slowly is
 * closed when it passes. The answers are made in the connection's
 * handler by the same walks a plain thread would make of the observed
 * system: they take no lock a message's send or handling takes
 * (walk.c), and its workers never wait for them.
 *
 * The actors find the observer through a pointer in their spawn
 * arguments; it outlives them: rt_observer_stop frees their system
 * first, which stops every one of them (their on_stop hooks run, their
 * sockets are closed). A connection that was spawned but never started
 * (the stop came first) runs no hook: the observer's table, which has
 * its descriptor, closes it.
 */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <rt/error.h>
#include <rt/io.h>
#include <rt/net.h>
#include <rt/observe.h>
#include <rt/protocol.h>
#include <rt/timer.h>

#include "actor_int.h"
#include "crashlog.h"
#include "http.h"
#include "log.h"
#include "observe_int.h"
#include "observer_int.h"
#include "system_int.h"
#include "thread.h"

/* Connections served at once; those beyond are closed as accepted. */
#define MAX_CONNS 64
/* From the end of an answer (or the accept) to the end of the next. */
#define DEADLINE RT_SEC(5)
/* Connections accepted per readiness of the listener. */
#define ACCEPTS 64
/* When descriptors run out, the listener tries again this much later. */
#define RETRY_AFTER RT_MS(100)
/* What a closing connection reads and drops, at most, before it closes. */
#define LINGER_MAX (256 * 1024)

struct slot {
	bool used;
	bool started; /* its actor's on_start ran: its on_stop will free */
	int fd;
};

struct rt_observer {
	rt_system *sys;  /* observed */
	rt_system *home; /* where the observer's actors run */
	uint16_t port;
	int lfd;
	pthread_mutex_t lock; /* everything below */
	bool listener_owns;   /* the runtime closes lfd with the listener */
	uint32_t nconns;
	struct slot conns[MAX_CONNS];
};

/* --- the actors' classes ---------------------------------------------- */

struct listener_args {
	rt_observer *o;
};

struct listener {
	rt_observer *o;
	bool waiting; /* for a Retry, descriptors having run out */
};

struct conn_args {
	rt_observer *o;
	int fd;
	uint32_t slot;
};

/* A connection's deadline, numbered: an earlier one is ignored. */
struct timeout_msg {
	uint64_t seq;
};

struct conn {
	rt_observer *o;
	int fd;
	uint32_t slot;
	bool eof;       /* the client has shut down its side */
	bool closing;   /* close once the answer is written */
	bool lingering; /* answered for the last time: reading to the end */
	size_t drained; /* bytes read and dropped while lingering */
	uint64_t seq;   /* the deadline running */
	rt_timer timer;
	char *out; /* the answer being written, or NULL */
	size_t out_len, out_off;
	size_t in_len;
	char in[RTI_HTTP_HEAD_MAX];
};

static const char *const listener_tags[] = { "Retry" };
static const char *const conn_tags[] = { "Timeout" };

static int listener_dispatch(void *self, rt_ctx *ctx, uint32_t tag,
    const void *msg);
static int listener_on_start(void *self, rt_ctx *ctx, const void *args);
static void listener_on_stop(void *self, rt_ctx *ctx, int reason);
static int listener_on_io(void *self, rt_ctx *ctx, int fd, unsigned events);
static int conn_dispatch(void *self, rt_ctx *ctx, uint32_t tag,
    const void *msg);
static int conn_on_start(void *self, rt_ctx *ctx, const void *args);
static void conn_on_stop(void *self, rt_ctx *ctx, int reason);
static int conn_on_io(void *self, rt_ctx *ctx, int fd, unsigned events);

static const rt_actor_class listener_class = {
	.abi = RT_PROTOCOL_ABI,
	.name = "rt.observer.Listener",
	.state_size = sizeof(struct listener),
	.state_align = _Alignof(struct listener),
	.ntags = 1,
	.tag_names = listener_tags,
	.dispatch = listener_dispatch,
	.on_start = listener_on_start,
	.on_stop = listener_on_stop,
	.args_size = sizeof(struct listener_args),
	.on_io = listener_on_io,
};

static const rt_actor_class conn_class = {
	.abi = RT_PROTOCOL_ABI,
	.name = "rt.observer.Conn",
	.state_size = sizeof(struct conn),
	.state_align = _Alignof(struct conn),
	.ntags = 1,
	.tag_names = conn_tags,
	.dispatch = conn_dispatch,
	.on_start = conn_on_start,
	.on_stop = conn_on_stop,
	.args_size = sizeof(struct conn_args),
	.on_io = conn_on_io,
};

/* --- answers ------------------------------------------------------------ */

/* What the page may load: itself, and what it asks of this server. */
#define PAGE_HEADERS                                                       \
	"Content-Security-Policy: default-src 'none'; script-src "         \
	"'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; " \
	"img-src data:\r\n"

enum body { BODY_PAGE, BODY_METRICS, BODY_TREE, BODY_CRASHES, BODY_NONE };

static enum body
route(const struct rti_http_req *req)
{
	static const struct {
		const char *path;
		enum body body;
	} routes[] = {
		{ "/", BODY_PAGE },
		{ "/index.html", BODY_PAGE },
		{ "/metrics", BODY_METRICS },
		{ "/api/tree", BODY_TREE },
		{ "/api/crashes", BODY_CRASHES },
	};
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strlen(routes[i].path) == req->path_len &&
		    memcmp(routes[i].path, req->path, req->path_len) == 0)
			return routes[i].body;
	return BODY_NONE;
}

/* The most children of a supervisor /api/tree?max=N shows. */
#define MAX_SHOWN 100000

/*
 * The N of a query "max=N" (among others, joined by '&'), from 1 to
 * MAX_SHOWN; 0 when there is none or it is not such a number.
 */
static uint32_t
max_of(const struct rti_http_req *req)
{
	const char *q = req->query, *end, *stop;
	uint32_t v = 0;

	if (q == NULL)
		return 0;
	for (end = q + req->query_len; q < end; q = stop + 1) {
		stop = memchr(q, '&', (size_t)(end - q));
		if (stop == NULL)
			stop = end;
		if (stop - q <= 4 || memcmp(q, "max=", 4) != 0)
			continue;
		for (q += 4; q < stop && *q >= '0' && *q <= '9'; q++)
			if ((v = v * 10 + (uint32_t)(*q - '0')) > MAX_SHOWN)
				return 0;
		return q == stop ? v : 0;
	}
	return 0;
}

/*
 * The body for `body` into a new buffer: 0, or the HTTP status of the
 * failure (500: out of memory or a walk that failed). `max`: /api/tree's
 * cap (0: none).
 */
static int
make_body(rt_system *sys, enum body body, uint32_t max, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	size_t i;
	int rc = 0;

	if (f == NULL)
		return 500;
	switch (body) {
	case BODY_METRICS:
		rc = rt_metrics_write(sys, f);
		break;
	case BODY_TREE:
		rc = max != 0 ? rti_dump_json_capped(sys, f, max) :
				rt_system_dump(sys, f, RT_DUMP_JSON);
		break;
	case BODY_CRASHES:
		rc = rti_crashlog_write_json(sys, f);
		break;
	case BODY_PAGE:
		for (i = 0; rti_observer_page[i] != NULL; i++)
			fputs(rti_observer_page[i], f);
		break;
	case BODY_NONE:
		fputs("not found: try /, /metrics, /api/tree or "
		      "/api/crashes\n",
		    f);
		break;
	}
	if (ferror(f) && rc == 0)
		rc = RT_ENOMEM;
	if (fclose(f) != 0 && rc == 0)
		rc = RT_ENOMEM;
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
		return 500;
	}
	return 0;
}

static const char *
type_of(enum body body)
{
	switch (body) {
	case BODY_PAGE:
		return "text/html; charset=utf-8";
	case BODY_METRICS:
		return "text/plain; version=0.0.4; charset=utf-8";
	case BODY_TREE:
	case BODY_CRASHES:
		return "application/json";
	case BODY_NONE:
		break;
	}
	return "text/plain; charset=utf-8";
}

/*
 * Make the answer to `req` (status 0), or to the error `status`, into
 * c->out. Returns 0 or RT_ENOMEM.
 */
static int
answer(struct conn *c, const struct rti_http_req *req, int status)
{
	enum body body = status == 0 ? route(req) : BODY_NONE;
	const char *extra = NULL;
	char *buf = NULL, *text;
	size_t len = 0, tlen = 0;
	FILE *f;
	bool head = status == 0 && req->head;

	if (status == 0) {
		status = body == BODY_NONE ? 404 : 200;
		if (make_body(c->o->sys, body, max_of(req), &buf, &len) != 0) {
			status = 500;
			c->closing = true;
		}
	}
	if (status != 200 && buf == NULL) {
		/* Errors say what they are, in a line. */
		if ((buf = strdup(rti_http_reason(status))) == NULL)
			return RT_ENOMEM;
		len = strlen(buf);
	}
	if ((f = open_memstream(&text, &tlen)) == NULL) {
		free(buf);
		return RT_ENOMEM;
	}
	if (status == 405)
		extra = "Allow: GET, HEAD\r\n";
	else if (status == 200 && body == BODY_PAGE)
		extra = PAGE_HEADERS;
	rti_http_head(f, status, type_of(status == 200 ? body : BODY_NONE), len,
	    c->closing, extra);
	if (!head)
		fwrite(buf, 1, len, f);
	free(buf);
	if (fclose(f) != 0) {
		free(text);
		return RT_ENOMEM;
	}
	c->out = text;
	c->out_len = tlen;
	c->out_off = 0;
	return 0;
}

/* --- a connection --------------------------------------------------------- */

/* A new deadline for the next request, replacing the one running. */
static int
arm_deadline(struct conn *c, rt_ctx *ctx)
{
	rt_env *env;
	int rc;

	if (c->timer.slot != NULL)
		(void)rt_timer_cancel(c->timer);
	c->timer = (rt_timer){ 0 };
	c->seq++;
	if ((rc = rt_env_new(rt_self(ctx), 0, sizeof(struct timeout_msg),
		 &env)) != 0)
		return rc;
	((struct timeout_msg *)rt_env_payload(env))->seq = c->seq;
	return rt_env_send_after(env, DEADLINE, &c->timer);
}

/* Write what can be written of the answer: 0, or RT_ECONNRESET. */
static int
flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
		    c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return RT_ECONNRESET;
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	return 0;
}

/*
 * The last answer is written: close, but not at once. A socket closed with
 * bytes unread is reset, and the reset may reach the client before it
 * has read the answer (an error's, for a request it has not finished
 * sending): shut down the writing side, so that the client sees the end,
 * and read and drop what it still sends until it closes too, the
 * deadline passes or LINGER_MAX bytes have come.
 */
static int
linger(struct conn *c, rt_ctx *ctx)
{
	int rc;

	if (c->eof) {
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	if (!c->lingering) {
		c->lingering = true;
		(void)shutdown(c->fd, SHUT_WR);
		if ((rc = arm_deadline(c, ctx)) != 0)
			return rc;
	}
	while (c->drained < LINGER_MAX) {
		ssize_t n = recv(c->fd, c->in, sizeof(c->in), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return rt_io_watch(ctx, c->fd, RT_IO_READ);
		if (n <= 0)
			break;
		c->drained += (size_t)n;
	}
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

/*
 * Answer the requests whole in the buffer, one at a time, until one's
 * answer cannot be written at once, the buffer holds no whole request
 * (then read more), or the connection is to close.
 */
static int
serve(struct conn *c, rt_ctx *ctx)
{
	for (;;) {
		struct rti_http_req req;
		long used;
		int rc;

		if (c->out != NULL) {
			if (flush(c) != 0) {
				rt_stop(ctx, RT_NORMAL);
				return 0;
			}
			if (c->out != NULL)
				return rt_io_watch(ctx, c->fd, RT_IO_WRITE);
			if (c->closing)
				return linger(c, ctx);
			if ((rc = arm_deadline(c, ctx)) != 0)
				return rc;
		}
		used = rti_http_parse(c->in, c->in_len, &req);
		if (used == 0) {
			if (c->eof) {
				rt_stop(ctx, RT_NORMAL);
				return 0;
			}
			return rt_io_watch(ctx, c->fd, RT_IO_READ);
		}
		if (used < 0) {
			/* Whatever follows cannot be trusted to be where
			 * the next request begins. */
			c->closing = true;
			c->in_len = 0;
			rc = answer(c, NULL, (int)-used);
		} else {
			c->closing = !req.keep_alive;
			rc = answer(c, &req, 0);
			memmove(c->in, c->in + used, c->in_len - (size_t)used);
			c->in_len -= (size_t)used;
		}
		if (rc != 0)
			return rc;
	}
}

/* Read what the client sent, as far as the buffer goes. */
static void
fill(struct conn *c)
{
	while (!c->eof && c->in_len < sizeof(c->in)) {
		ssize_t n = recv(c->fd, c->in + c->in_len,
		    sizeof(c->in) - c->in_len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			/* The end, or a reset: answer what came whole. */
			c->eof = true;
			return;
		}
		c->in_len += (size_t)n;
	}
}

static int
conn_on_start(void *self, rt_ctx *ctx, const void *args)
{
	const struct conn_args *a = args;
	struct conn *c = self;
	rt_observer *o = a->o;
	int rc;

	c->o = o;
	c->fd = a->fd;
	c->slot = a->slot;
	rc = rt_io_own(ctx, c->fd);
	pthread_mutex_lock(&o->lock);
	/* From here on, on_stop frees the slot (and, owning it, the
	 * runtime closes the descriptor); before, rt_observer_stop would. */
	o->conns[c->slot].started = true;
	pthread_mutex_unlock(&o->lock);
	if (rc != 0) {
		close(c->fd);
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	/* Never a failed start: on_stop must run to free the slot. */
	if (arm_deadline(c, ctx) != 0 ||
	    rt_io_watch(ctx, c->fd, RT_IO_READ) != 0)
		rt_stop(ctx, RT_NORMAL);
	return 0;
}

static int
conn_on_io(void *self, rt_ctx *ctx, int fd, unsigned events)
{
	struct conn *c = self;

	(void)fd;
	(void)events;
	if (c->lingering)
		return linger(c, ctx);
	if (c->out == NULL)
		fill(c);
	return serve(c, ctx);
}

static int
conn_dispatch(void *self, rt_ctx *ctx, uint32_t tag, const void *msg)
{
	const struct timeout_msg *m = msg;
	struct conn *c = self;

	(void)tag;
	if (m->seq == c->seq)
		rt_stop(ctx, RT_NORMAL);
	return 0;
}

static void
conn_on_stop(void *self, rt_ctx *ctx, int reason)
{
	struct conn *c = self;
	rt_observer *o = c->o;
	struct slot *s = &o->conns[c->slot];

	(void)ctx;
	(void)reason;
	if (c->timer.slot != NULL)
		(void)rt_timer_cancel(c->timer);
	free(c->out);
	pthread_mutex_lock(&o->lock);
	memset(s, 0, sizeof(*s));
	o->nconns--;
	pthread_mutex_unlock(&o->lock);
}

/* --- the listener ----------------------------------------------------------- */

/* A free slot for connection `fd`, or false when the cap is reached. */
static bool
take_slot(rt_observer *o, int fd, uint32_t *slot)
{
	bool ok = false;
	uint32_t i;

	pthread_mutex_lock(&o->lock);
	if (o->nconns < MAX_CONNS) {
		for (i = 0; i < MAX_CONNS && o->conns[i].used; i++)
			;
		o->conns[i] = (struct slot){ .used = true, .fd = fd };
		o->nconns++;
		*slot = i;
		ok = true;
	}
	pthread_mutex_unlock(&o->lock);
	return ok;
}

/* Start an actor for connection `fd`; close it when none can be had. */
static void
start_conn(rt_observer *o, int fd)
{
	struct conn_args *a;
	uint32_t slot;
	rt_env *env;

	if (!take_slot(o, fd, &slot)) {
		close(fd);
		return;
	}
	if (rti_spawn_prepare_cell(o->home, &conn_class, sizeof(*a), &env) ==
	    0) {
		a = rt_env_payload(env);
		*a = (struct conn_args){ .o = o, .fd = fd, .slot = slot };
		if (rt_spawn_commit(env, NULL) == 0)
			return;
	}
	pthread_mutex_lock(&o->lock);
	memset(&o->conns[slot], 0, sizeof(o->conns[slot]));
	o->nconns--;
	pthread_mutex_unlock(&o->lock);
	close(fd);
}

static int
accept_some(struct listener *l, rt_ctx *ctx)
{
	rt_observer *o = l->o;
	int i, fd, rc;

	for (i = 0; i < ACCEPTS; i++) {
		rc = rt_net_accept(o->lfd, &fd);
		if (rc == RT_EAGAIN)
			break;
		if (rc == RT_EMFILE || rc == RT_ENOMEM) {
			rt_env *env;

			/* Watching again would wake the listener for the
			 * same connection, in a loop: try again later. */
			if (!l->waiting)
				rti_log(o->sys, RT_LOG_WARN,
				    "observer: cannot accept a connection "
				    "(%s); trying again every %d ms",
				    rt_strerror(rc),
				    (int)(RETRY_AFTER / RT_MS(1)));
			l->waiting = true;
			if ((rc = rt_env_new(rt_self(ctx), 0, 0, &env)) != 0)
				return rc;
			return rt_env_send_after(env, RETRY_AFTER, NULL);
		}
		if (rc != 0)
			continue; /* that connection failed; the next */
		start_conn(o, fd);
	}
	l->waiting = false;
	return rt_io_watch(ctx, o->lfd, RT_IO_READ);
}

static int
listener_on_start(void *self, rt_ctx *ctx, const void *args)
{
	const struct listener_args *a = args;
	struct listener *l = self;
	rt_observer *o = a->o;
	int rc;

	l->o = o;
	rc = rt_io_own(ctx, o->lfd);
	pthread_mutex_lock(&o->lock);
	o->listener_owns = rc == 0;
	pthread_mutex_unlock(&o->lock);
	if (rc != 0)
		return rc;
	return rt_io_watch(ctx, o->lfd, RT_IO_READ);
}

static int
listener_on_io(void *self, rt_ctx *ctx, int fd, unsigned events)
{
	(void)fd;
	(void)events;
	return accept_some(self, ctx);
}

static int
listener_dispatch(void *self, rt_ctx *ctx, uint32_t tag, const void *msg)
{
	(void)tag;
	(void)msg;
	return accept_some(self, ctx);
}

static void
listener_on_stop(void *self, rt_ctx *ctx, int reason)
{
	struct listener *l = self;
	rt_observer *o = l->o;

	(void)ctx;
	if (reason != RT_NORMAL && reason != RT_ESHUTDOWN)
		rti_log(o->sys, RT_LOG_ERROR,
		    "observer: the listener stopped (%s): no more "
		    "connections",
		    rt_strerror(reason));
}

/* --- starting and stopping ----------------------------------------------- */

/* Split "HOST:PORT" or "[HOST]:PORT": false when it does not parse. */
static bool
parse_addr(const char *addr, char *host, size_t hcap, uint16_t *port)
{
	const char *colon, *h = addr;
	size_t hlen;
	char *end;
	long p;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (close == NULL || close[1] != ':')
			return false;
		h = addr + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		if ((colon = strrchr(addr, ':')) == NULL ||
		    memchr(addr, ':', (size_t)(colon - addr)) != NULL)
			return false;
		hlen = (size_t)(colon - addr);
	}
	if (hlen == 0 || hlen >= hcap || colon[1] < '0' || colon[1] > '9')
		return false;
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || errno != 0 || p < 0 || p > 65535)
		return false;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (uint16_t)p;
	return true;
}

/* The observer's own system: one worker, the observed system's log. */
static rt_system *
home_new(rt_system *sys)
{
	rt_config cfg;

	rt_config_init(&cfg);
	cfg.workers = 1;
	cfg.log = sys->cfg.log;
	cfg.log_user = sys->cfg.log_user;
	cfg.log_level = sys->cfg.log_level;
	return rt_system_new(&cfg);
}

rt_observer *
rt_observer_start(rt_system *sys, const char *addr)
{
	char host[256];
	uint16_t port = RT_OBSERVER_PORT;
	struct listener_args *a;
	rt_observer *o;
	rt_env *env;
	int rc;

	if (sys == NULL)
		return NULL;
	if (addr == NULL)
		strcpy(host, "127.0.0.1");
	else if (!parse_addr(addr, host, sizeof(host), &port)) {
		rti_log(sys, RT_LOG_ERROR,
		    "observer: not an address: \"%s\" (HOST:PORT, as "
		    "127.0.0.1:%d)",
		    addr, RT_OBSERVER_PORT);
		return NULL;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		rti_log(sys, RT_LOG_ERROR, "observer: out of memory");
		return NULL;
	}
	o->sys = sys;
	if ((rc = rt_net_listen_tcp(host, port, 128, &o->lfd, &o->port)) != 0) {
		rti_log(sys, RT_LOG_ERROR,
		    "observer: cannot listen on %s port %u: %s", host,
		    (unsigned)port, rt_strerror(rc));
		free(o);
		return NULL;
	}
	rc = RT_ENOMEM;
	if (pthread_mutex_init(&o->lock, NULL) != 0)
		goto fail_lock;
	if ((o->home = home_new(sys)) == NULL)
		goto fail_home;
	if ((rc = rti_spawn_prepare_cell(o->home, &listener_class, sizeof(*a),
		 &env)) != 0)
		goto fail_spawn;
	a = rt_env_payload(env);
	a->o = o;
	if ((rc = rt_spawn_commit(env, NULL)) != 0)
		goto fail_spawn;
	return o;

fail_spawn:
	rt_system_free(o->home);
fail_home:
	pthread_mutex_destroy(&o->lock);
fail_lock:
	rti_log(sys, RT_LOG_ERROR, "observer: cannot start: %s",
	    rt_strerror(rc));
	close(o->lfd);
	free(o);
	return NULL;
}

uint16_t
rt_observer_port(const rt_observer *o)
{
	return o != NULL ? o->port : 0;
}

void
rt_observer_stop(rt_observer *o)
{
	uint32_t i;

	if (o == NULL)
		return;
	if (rti_sched_worker(o->home) != NULL || rti_thread_inside(o->home)) {
		rti_log(o->sys, RT_LOG_ERROR,
		    "observer: rt_observer_stop from the observer's own "
		    "actors would wait for itself; the observer goes on");
		return;
	}
	/* Every actor stops, on_stop run, sockets closed; no lock needed
	 * after: nothing runs any more. */
	rt_system_free(o->home);
	if (!o->listener_owns)
		close(o->lfd);
	for (i = 0; i < MAX_CONNS; i++)
		if (o->conns[i].used)
			close(o->conns[i].fd);
	pthread_mutex_destroy(&o->lock);
	free(o);
}
