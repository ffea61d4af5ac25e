/* SPDX-License-Identifier: MIT */
/*
 * The observer through the public API, over real sockets: a system with
 * a supervision tree whose cart crashed twice, and the observer on
 * 127.0.0.1 port 0. /metrics agrees with rt_stats, /api/tree (parsed with
 * jansson) holds the tree, / is the page with its script, /api/crashes
 * has the crash reports, and the observer's own work is not the
 * system's (its counters do not move); garbage, an oversized head, an unknown path and
 * another method get their errors; keep-alive and pipelining answer in
 * order; silent and slow clients are closed after the deadline; a burst
 * of a thousand connections leaves the observer answering and the
 * system's own actors as they were; stop closes everything and frees
 * everything (the ASan build checks the leaks).
 *
 * Without jansson the check of the tree is skipped (exit 77 once the
 * others have passed).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rt/rt.h>

#ifdef HAVE_JANSSON
#include <jansson.h>
#endif

#include "cutest.h"
#include "observe_actors.h"

static bool skipped;

/* --- the system observed ------------------------------------------------ */

/* What the log hook was given (crash reports, the observer's errors). */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[16384];

static void
on_log(void *user, rt_log_level level, const char *line)
{
	size_t n;

	(void)user;
	(void)level;
	pthread_mutex_lock(&log_lock);
	n = strlen(log_text);
	snprintf(log_text + n, sizeof(log_text) - n, "%s\n", line);
	pthread_mutex_unlock(&log_lock);
}

static bool
logged(const char *what)
{
	bool hit;

	pthread_mutex_lock(&log_lock);
	hit = strstr(log_text, what) != NULL;
	pthread_mutex_unlock(&log_lock);
	return hit;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

struct fix {
	rt_system *sys;
	rt_observer *obs;
	uint16_t port;
	obs_Shop_ref shop;
	obs_Worker_ref cart, w1;
	obs_Loner_ref loner;
};

static uint64_t
crashes(rt_system *sys)
{
	rt_stats st;

	rt_stats_system(sys, &st);
	return st.crashed;
}

static uint64_t
restarts(rt_system *sys)
{
	rt_stats st;

	rt_stats_system(sys, &st);
	return st.restarts;
}

/* Shop, its cart crashed twice, a pool worker, and an actor outside the
 * trees; the observer on a port of the kernel's choosing. */
static void
setup(struct fix *f)
{
	rt_config cfg;
	int64_t until;

	memset(f, 0, sizeof(*f));
	pthread_mutex_lock(&log_lock);
	log_text[0] = '\0';
	pthread_mutex_unlock(&log_lock);
	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log = on_log;
	f->sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->sys);
	CU_ASSERT_EQUAL_FATAL(obs_Shop_start(f->sys, &f->shop), 0);
	f->cart = obs_Shop_cart(f->shop);
	CU_ASSERT_EQUAL_FATAL(obs_Pool_start_child(obs_Shop_pool(f->shop),
				  &(obs_Worker_args){ .id = 10 }, &f->w1),
	    0);
	CU_ASSERT_EQUAL_FATAL(obs_Loner_spawn(f->sys, NULL, &f->loner), 0);
	CU_ASSERT_EQUAL(obs_Loner_register(f->loner, "loner"), 0);
	CU_ASSERT_EQUAL(obs_Worker_send_Crash(f->cart,
			    &(obs_Crash){ .reason = 5 }),
	    0);
	until = now_ms() + 5000;
	while (crashes(f->sys) < 1 && now_ms() < until)
		sleep_ms(1);
	CU_ASSERT_EQUAL(obs_Worker_send_Crash(f->cart,
			    &(obs_Crash){ .reason = 6 }),
	    0);
	while ((crashes(f->sys) < 2 || restarts(f->sys) < 2) &&
	    now_ms() < until)
		sleep_ms(1);
	CU_ASSERT_EQUAL_FATAL(crashes(f->sys), 2);
	CU_ASSERT_EQUAL_FATAL(restarts(f->sys), 2);
	f->obs = rt_observer_start(f->sys, "127.0.0.1:0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->obs);
	f->port = rt_observer_port(f->obs);
	CU_ASSERT_NOT_EQUAL(f->port, 0);
}

static void
teardown(struct fix *f)
{
	rt_observer_stop(f->obs);
	rt_system_shutdown(f->sys, RT_SEC(5));
	rt_system_free(f->sys);
}

/* --- a client ------------------------------------------------------------ */

static int
dial(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port = htons(port) };
	struct timeval tv = { 10, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
send_str(int fd, const char *s)
{
	size_t n = strlen(s), off = 0;

	while (off < n) {
		ssize_t w = send(fd, s + off, n - off, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* Everything the server sends until it closes (or 10 s pass). */
static char *
read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	ssize_t n;

	while (buf != NULL) {
		if (len == cap) {
			char *b = realloc(buf, 2 * cap + 1);

			if (b == NULL)
				break;
			buf = b;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

/* Send `request` on a new connection, and read until the server closes. */
static char *
exchange(uint16_t port, const char *request)
{
	int fd = dial(port);
	char *r;

	if (fd < 0)
		return NULL;
	send_str(fd, request);
	r = read_all(fd);
	close(fd);
	return r;
}

/* GET `path`, asking to close after. */
static char *
get(uint16_t port, const char *path)
{
	char req[512];

	snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
	    path);
	return exchange(port, req);
}

static int
status_of(const char *resp)
{
	int status = 0;

	if (resp == NULL || sscanf(resp, "HTTP/1.1 %d", &status) != 1)
		return 0;
	return status;
}

static const char *
body_of(const char *resp)
{
	const char *b = resp != NULL ? strstr(resp, "\r\n\r\n") : NULL;

	return b != NULL ? b + 4 : "";
}

/* The value of metric line `name` (exactly, labels included), or -1. */
static long long
metric(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p = text;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return atoll(p + n + 1);
		p += n;
	}
	return -1;
}

/* --- the endpoints ------------------------------------------------------- */

static void
metrics_agree_with_rt_stats(void)
{
	struct fix f;
	rt_stats st;
	char *r;

	setup(&f);
	r = get(f.port, "/metrics");
	CU_ASSERT_EQUAL(status_of(r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r,
	    "Content-Type: text/plain; version=0.0.4"));
	rt_stats_system(f.sys, &st);
	CU_ASSERT_EQUAL(metric(body_of(r), "rt_actor_crashes_total"),
	    (long long)st.crashed);
	CU_ASSERT_EQUAL(metric(body_of(r), "rt_restarts_total"),
	    (long long)st.restarts);
	CU_ASSERT_EQUAL(metric(body_of(r), "rt_restarts_total"), 2);
	CU_ASSERT_EQUAL(metric(body_of(r), "rt_workers"), 2);
	/* The observer's own actors are not the system's. */
	CU_ASSERT_PTR_NULL(strstr(body_of(r), "rt.observer"));
	free(r);
	teardown(&f);
}

static void
the_observer_is_not_counted_in_the_system(void)
{
	struct fix f;
	rt_stats before, after;
	int i;

	setup(&f);
	rt_stats_system(f.sys, &before);
	for (i = 0; i < 5; i++) {
		char *r = get(f.port, i % 2 ? "/metrics" : "/api/tree");

		CU_ASSERT_EQUAL(status_of(r), 200);
		free(r);
	}
	rt_stats_system(f.sys, &after);
	CU_ASSERT_EQUAL(after.sent, before.sent);
	CU_ASSERT_EQUAL(after.handled, before.handled);
	CU_ASSERT_EQUAL(after.spawned, before.spawned);
	CU_ASSERT_EQUAL(after.live, before.live);
	teardown(&f);
}

#ifdef HAVE_JANSSON
static json_t *
find(json_t *nodes, const char *path)
{
	size_t i;
	json_t *n, *hit;

	json_array_foreach(nodes, i, n)
	{
		const char *p = json_string_value(json_object_get(n, "path"));

		if (p != NULL && strcmp(p, path) == 0)
			return n;
		if ((hit = find(json_object_get(n, "children"), path)) != NULL)
			return hit;
	}
	return NULL;
}

static bool
has_kind(json_t *nodes, const char *kind)
{
	size_t i;
	json_t *n;

	json_array_foreach(nodes, i, n)
	{
		const char *k = json_string_value(json_object_get(n, "kind"));

		if (k != NULL && strcmp(k, kind) == 0)
			return true;
	}
	return false;
}
#endif

static void
the_tree_api_holds_the_tree_built(void)
{
#ifdef HAVE_JANSSON
	struct fix f;
	json_error_t err;
	json_t *j, *trees, *n;
	char *r;

	setup(&f);
	r = get(f.port, "/api/tree");
	CU_ASSERT_EQUAL(status_of(r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "Content-Type: application/json"));
	j = json_loads(body_of(r), 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	trees = json_object_get(j, "trees");
	CU_ASSERT_EQUAL(json_array_size(trees), 1);
	n = find(trees, "Shop");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(n, "children")), 3);
	n = find(trees, "Shop/cart");
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(n, "kind")),
	    "obs.Worker");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(n, "restarts")), 2);
	CU_ASSERT_PTR_NOT_NULL(find(trees, "Shop/pool/worker.1"));
	CU_ASSERT_PTR_NOT_NULL(find(trees, "Shop/audit"));
	/* Outside the trees: the loner, and not the observer's actors. */
	CU_ASSERT_PTR_NOT_NULL(find(json_object_get(j, "actors"), "loner"));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "actors")), 1);
	CU_ASSERT_FALSE(has_kind(json_object_get(j, "actors"),
	    "rt.observer.Listener"));
	CU_ASSERT_FALSE(has_kind(json_object_get(j, "actors"),
	    "rt.observer.Conn"));
	json_decref(j);
	free(r);
	teardown(&f);
#else
	skipped = true;
#endif
}

static void
a_capped_tree_counts_what_it_leaves_out(void)
{
#ifdef HAVE_JANSSON
	struct fix f;
	json_error_t err;
	json_t *j, *shop;
	obs_Loner_ref loner;
	char *r;

	setup(&f);
	r = get(f.port, "/api/tree?x=1&max=1");
	CU_ASSERT_EQUAL(status_of(r), 200);
	j = json_loads(body_of(r), 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	shop = find(json_object_get(j, "trees"), "Shop");
	CU_ASSERT_PTR_NOT_NULL_FATAL(shop);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(shop, "children")), 1);
	CU_ASSERT_PTR_NOT_NULL(find(json_object_get(j, "trees"), "Shop/cart"));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(shop, "omitted")),
	    2);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "actors")), 1);
	CU_ASSERT_TRUE(json_is_false(json_object_get(j, "more_actors")));
	json_decref(j);
	free(r);
	/* A second actor outside the trees is left out, and said so. With
	 * a ref asked for, its cell is in place when the spawn returns (one
	 * spawned without waits for a worker to give it one). */
	CU_ASSERT_EQUAL(obs_Loner_spawn(f.sys, NULL, &loner), 0);
	r = get(f.port, "/api/tree?max=1");
	j = json_loads(body_of(r), 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "actors")), 1);
	CU_ASSERT_TRUE(json_is_true(json_object_get(j, "more_actors")));
	json_decref(j);
	free(r);
	/* Not a cap: the whole tree. */
	r = get(f.port, "/api/tree?max=x");
	j = json_loads(body_of(r), 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "actors")), 2);
	CU_ASSERT_PTR_NULL(json_object_get(j, "more_actors"));
	json_decref(j);
	free(r);
	teardown(&f);
#else
	skipped = true;
#endif
}

static void
the_page_is_html_with_its_script(void)
{
	struct fix f;
	char *r;

	setup(&f);
	r = get(f.port, "/");
	CU_ASSERT_EQUAL(status_of(r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r,
	    "Content-Type: text/html; charset=utf-8"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "<!DOCTYPE html>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "<script>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "api/tree"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "</html>"));
	/* Nothing from elsewhere. */
	CU_ASSERT_PTR_NULL(strstr(body_of(r), "http://"));
	CU_ASSERT_PTR_NULL(strstr(body_of(r), "https://"));
	free(r);
	teardown(&f);
}

static void
the_crashes_api_has_the_reports(void)
{
	struct fix f;
	char *r;

	setup(&f);
	r = get(f.port, "/api/crashes");
	CU_ASSERT_EQUAL(status_of(r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "\"total\": 2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "crash: Shop/cart"));
	CU_ASSERT_TRUE(logged("crash: Shop/cart"));
	free(r);
	teardown(&f);
}

static void
the_crashes_api_keeps_the_last_32(void)
{
	struct fix f;
	int64_t until;
	char *r;
	int i;

	setup(&f);
	for (i = 0; i < 40; i++)
		CU_ASSERT_EQUAL(obs_Worker_send_Crash(f.cart,
				    &(obs_Crash){ .reason = 100 + i }),
		    0);
	until = now_ms() + 5000;
	while (restarts(f.sys) < 42 && now_ms() < until)
		sleep_ms(1);
	CU_ASSERT_EQUAL(restarts(f.sys), 42);
	r = get(f.port, "/api/crashes");
	CU_ASSERT_EQUAL(status_of(r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "\"total\": 42"));
	/* The oldest kept is the 11th, the newest the 42nd, in order. */
	CU_ASSERT_PTR_NULL(strstr(body_of(r), "\"seq\": 10,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "[\n  {\"seq\": 11,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "{\"seq\": 42,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body_of(r), "handler error (139)"));
	CU_ASSERT_PTR_NULL(strstr(body_of(r), "handler error (107)"));
	free(r);
	teardown(&f);
}

static void
head_has_the_headers_of_get_and_no_body(void)
{
	struct fix f;
	char *r;

	setup(&f);
	r = exchange(f.port,
	    "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CU_ASSERT_EQUAL(status_of(r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "Content-Length: "));
	CU_ASSERT_STRING_EQUAL(body_of(r), "");
	free(r);
	teardown(&f);
}

/* --- what is refused --------------------------------------------------------- */

static void
refusals_get_their_status(void)
{
	struct fix f;
	char big[10000], *r;

	setup(&f);
	r = exchange(f.port, "\x16\x03\x01\x02\x00garbage\r\n\r\n");
	CU_ASSERT_EQUAL(status_of(r), 400);
	free(r);
	r = exchange(f.port, "GET /metrics HTTP/1.1\r\n\r\n"); /* no Host */
	CU_ASSERT_EQUAL(status_of(r), 400);
	free(r);
	r = exchange(f.port, "GET / HTTP/2.0\r\nHost: x\r\n\r\n");
	CU_ASSERT_EQUAL(status_of(r), 505);
	free(r);
	r = exchange(f.port,
	    "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
	CU_ASSERT_EQUAL(status_of(r), 405);
	CU_ASSERT_PTR_NOT_NULL(r != NULL ? strstr(r, "Allow: GET, HEAD") :
					   NULL);
	free(r);
	r = get(f.port, "/nowhere");
	CU_ASSERT_EQUAL(status_of(r), 404);
	free(r);
	snprintf(big, sizeof(big),
	    "GET / HTTP/1.1\r\nHost: x\r\nX-Big: %09000d", 0);
	r = exchange(f.port, big);
	CU_ASSERT_EQUAL(status_of(r), 431);
	free(r);
	/* The observer and the system carry on. */
	r = get(f.port, "/metrics");
	CU_ASSERT_EQUAL(status_of(r), 200);
	free(r);
	CU_ASSERT_EQUAL(crashes(f.sys), 2);
	teardown(&f);
}

/* --- connections ---------------------------------------------------------------- */

static void
pipelined_requests_are_answered_in_order(void)
{
	struct fix f;
	const char *second;
	char *r;

	setup(&f);
	r = exchange(f.port,
	    "GET /api/crashes HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
	    "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CU_ASSERT_EQUAL(status_of(r), 200);
	second = r != NULL ? strstr(r + 1, "HTTP/1.1 ") : NULL;
	CU_ASSERT_EQUAL(status_of(second), 404);
	CU_ASSERT_EQUAL(status_of(second != NULL ?
				strstr(second + 1, "HTTP/1.1 ") :
				NULL),
	    200);
	free(r);
	teardown(&f);
}

static void
keep_alive_serves_several_requests(void)
{
	struct fix f;
	char buf[65536];
	int fd, i;

	setup(&f);
	fd = dial(f.port);
	CU_ASSERT_FATAL(fd >= 0);
	for (i = 0; i < 3; i++) {
		size_t len = 0;
		ssize_t n;

		send_str(fd, "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
		/* The 404's body is short: its whole answer comes at once
		 * or in a few pieces, until the body's end. */
		do {
			n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
			if (n > 0)
				len += (size_t)n;
			buf[len] = '\0';
		} while (n > 0 && strstr(buf, "/api/crashes\n") == NULL);
		CU_ASSERT_EQUAL(status_of(buf), 404);
	}
	close(fd);
	teardown(&f);
}

/* Whether the server has closed `fd` (a read finds the end). */
static bool
closed(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void
silent_and_slow_clients_are_closed(void)
{
	static const char
	    req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n"
		    "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
	struct fix f;
	int64_t start, silent_at = 0, slow_at = 0;
	size_t i = 0;
	int silent, slow, served = 0;
	char *r;

	setup(&f);
	silent = dial(f.port);
	slow = dial(f.port);
	CU_ASSERT_FATAL(silent >= 0 && slow >= 0);
	start = now_ms();
	while (now_ms() - start < 9000 && (silent_at == 0 || slow_at == 0)) {
		if (slow_at == 0 && i < sizeof(req) - 1)
			(void)send(slow, &req[i++], 1, MSG_NOSIGNAL);
		sleep_ms(200);
		if (silent_at == 0 && closed(silent))
			silent_at = now_ms() - start;
		if (slow_at == 0 && closed(slow))
			slow_at = now_ms() - start;
		/* Meanwhile, others are served. */
		if (served == 0 && now_ms() - start > 1000) {
			r = get(f.port, "/metrics");
			served = status_of(r);
			free(r);
		}
	}
	CU_ASSERT_EQUAL(served, 200);
	/* The deadline is 5 s, on a wheel of 1 ms ticks. */
	CU_ASSERT(silent_at >= 4500 && silent_at < 9000);
	CU_ASSERT(slow_at >= 4500 && slow_at < 9000);
	close(silent);
	close(slow);
	teardown(&f);
}

/* Let the test have the descriptors a burst needs. */
static void
more_descriptors(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

#define BURST 1000

static void
a_burst_of_connections_disturbs_nothing(void)
{
	static int fds[BURST];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger hard = { 1, 0 };
	rt_actor_stats before, after;
	int64_t until;
	int i, status = 0;
	struct fix f;
	char *r;

	more_descriptors(4096);
	setup(&f);
	sa.sin_port = htons(f.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL_FATAL(rt_stats_actor(f.loner.ref, &before), 0);
	for (i = 0; i < BURST; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0)
			continue;
		(void)connect(fds[i], (struct sockaddr *)&sa, sizeof(sa));
		/* While the system works. */
		(void)obs_Loner_send_Work(f.loner, &(obs_Work){ .n = 1 });
	}
	/* A third half-sent, a third whole, a third nothing; half of them
	 * reset rather than closed. */
	sleep_ms(50);
	for (i = 0; i < BURST; i++) {
		if (fds[i] < 0)
			continue;
		if (i % 3 == 0)
			send_str(fds[i], "GET /metr");
		else if (i % 3 == 1)
			send_str(fds[i],
			    "GET /api/tree HTTP/1.1\r\nHost: x\r\n\r\n");
	}
	for (i = 0; i < BURST; i++) {
		if (fds[i] < 0)
			continue;
		if (i % 2 == 0)
			setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &hard,
			    sizeof(hard));
		close(fds[i]);
	}
	/* The system's actors handled everything, and nothing crashed. */
	until = now_ms() + 10000;
	do {
		CU_ASSERT_EQUAL_FATAL(rt_stats_actor(f.loner.ref, &after), 0);
		if (after.handled == before.handled + BURST)
			break;
		sleep_ms(5);
	} while (now_ms() < until);
	CU_ASSERT_EQUAL(after.handled, before.handled + BURST);
	CU_ASSERT_EQUAL(crashes(f.sys), 2);
	CU_ASSERT_TRUE(rt_actor_alive(f.cart.ref));
	/* The observer answers (once the connections it had have seen
	 * their clients go). */
	until = now_ms() + 10000;
	while (status != 200 && now_ms() < until) {
		r = get(f.port, "/metrics");
		status = status_of(r);
		free(r);
		if (status != 200)
			sleep_ms(50);
	}
	CU_ASSERT_EQUAL(status, 200);
	teardown(&f);
}

static void
stop_closes_every_connection(void)
{
	struct fix f;
	char *r;
	int fd;

	setup(&f);
	fd = dial(f.port);
	CU_ASSERT_FATAL(fd >= 0);
	send_str(fd, "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
	send_str(fd, "GET /nowh"); /* half a request left in hand */
	sleep_ms(100);
	rt_observer_stop(f.obs);
	f.obs = NULL;
	/* The answer to the first, then the end. */
	r = read_all(fd);
	CU_ASSERT_EQUAL(status_of(r), 404);
	free(r);
	close(fd);
	CU_ASSERT_EQUAL(dial(f.port), -1);
	/* A second observer takes its place. */
	f.obs = rt_observer_start(f.sys, "127.0.0.1:0");
	CU_ASSERT_PTR_NOT_NULL(f.obs);
	teardown(&f);
}

static void
stop_after_shutdown_frees_everything(void)
{
	struct fix f;
	int fd;

	setup(&f);
	fd = dial(f.port);
	CU_ASSERT_FATAL(fd >= 0);
	rt_system_shutdown(f.sys, RT_SEC(5));
	rt_observer_stop(f.obs);
	rt_system_free(f.sys);
	close(fd);
}

static void
bad_addresses_are_refused_and_said_so(void)
{
	static const char *bad[] = { "nonsense", "127.0.0.1",
		"127.0.0.1:", ":80", "127.0.0.1:99999", "127.0.0.1:8x", "[::1",
		"[::1]80", "1:2:3" };
	rt_config cfg;
	rt_system *sys;
	size_t i;

	CU_ASSERT_PTR_NULL(rt_observer_start(NULL, NULL));
	CU_ASSERT_EQUAL(rt_observer_port(NULL), 0);
	rt_observer_stop(NULL);
	rt_config_init(&cfg);
	cfg.workers = 1;
	cfg.log = on_log;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pthread_mutex_lock(&log_lock);
		log_text[0] = '\0';
		pthread_mutex_unlock(&log_lock);
		CU_ASSERT_PTR_NULL(rt_observer_start(sys, bad[i]));
		CU_ASSERT_TRUE(logged("observer: not an address"));
	}
	/* A name that does not resolve: said so too. */
	CU_ASSERT_PTR_NULL(rt_observer_start(sys, "no.such.host.invalid:0"));
	CU_ASSERT_TRUE(logged("observer: cannot listen"));
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo endpoints[] = {
		{ "metrics agree with rt_stats", metrics_agree_with_rt_stats },
		{ "the observer is not counted in the system",
		    the_observer_is_not_counted_in_the_system },
		{ "the tree API holds the tree built",
		    the_tree_api_holds_the_tree_built },
		{ "a capped tree counts what it leaves out",
		    a_capped_tree_counts_what_it_leaves_out },
		{ "the page is HTML with its script",
		    the_page_is_html_with_its_script },
		{ "the crashes API has the reports",
		    the_crashes_api_has_the_reports },
		{ "the crashes API keeps the last 32",
		    the_crashes_api_keeps_the_last_32 },
		{ "HEAD has the headers of GET and no body",
		    head_has_the_headers_of_get_and_no_body },
		{ "refusals get their status", refusals_get_their_status },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo conns[] = {
		{ "pipelined requests are answered in order",
		    pipelined_requests_are_answered_in_order },
		{ "keep-alive serves several requests",
		    keep_alive_serves_several_requests },
		{ "silent and slow clients are closed",
		    silent_and_slow_clients_are_closed },
		{ "a burst of connections disturbs nothing",
		    a_burst_of_connections_disturbs_nothing },
		{ "stop closes every connection",
		    stop_closes_every_connection },
		{ "stop after shutdown frees everything",
		    stop_after_shutdown_frees_everything },
		{ "bad addresses are refused and said so",
		    bad_addresses_are_refused_and_said_so },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "observer endpoints", NULL, NULL, NULL, NULL, endpoints },
		{ "observer connections", NULL, NULL, NULL, NULL, conns },
		CU_SUITE_INFO_NULL,
	};
	int rc = cutest_run(suites, argc, argv);

	if (rc == 0 && skipped) {
		printf("skipped: the check of the tree needs jansson\n");
		return 77;
	}
	return rc;
}
