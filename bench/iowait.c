/* SPDX-License-Identifier: MIT */
/*
 * iowait: where should an actor runtime wait for socket readiness? The
 * round trip of a one-byte echo over loopback TCP, served three ways:
 *
 *   direct   the serving thread blocks in epoll_wait itself and answers
 *            (what idle workers waiting in epoll_wait would do);
 *   poller   a poller thread blocks in epoll_wait and hands each readiness
 *            to a worker thread parked on a futex, which answers (what a
 *            poller thread feeding the scheduler would do);
 *   spin     as poller, but the worker polls the hand-over word instead of
 *            sleeping (the floor of a hand-over between two busy cores).
 *
 * Every watch is one-shot (EPOLLONESHOT) and re-armed after the answer, as
 * rt_io_watch will be. A client thread writes a byte and reads the echo,
 * n times; the median and the 99th percentile of the round trips are
 * printed, one line per mode:
 *
 *   iowait mode=poller n=100000 median_ns=... p99_ns=...
 *
 * Usage: bench/iowait [direct|poller|spin]... [n=N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <rt/error.h>
#include <rt/net.h>

enum mode { DIRECT, POLLER, SPIN };

struct server {
	enum mode mode;
	int ep, fd;
	unsigned n;
	/* The hand-over from the poller to the worker: 0 idle, 1 ready. */
	uint32_t ready;
	uint32_t done;
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
futex_wait(uint32_t *w, uint32_t v)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void
futex_wake(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void
arm(struct server *s, int op)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT,
		.data.fd = s->fd };

	if (epoll_ctl(s->ep, op, s->fd, &ev) != 0) {
		perror("epoll_ctl");
		exit(1);
	}
}

/* Read the byte, write it back, watch again. */
static void
answer(struct server *s)
{
	char c;

	while (read(s->fd, &c, 1) != 1)
		;
	while (write(s->fd, &c, 1) != 1)
		;
	arm(s, EPOLL_CTL_MOD);
}

static void
wait_ready(struct server *s)
{
	struct epoll_event ev;

	while (epoll_wait(s->ep, &ev, 1, -1) != 1)
		;
}

/* The worker of poller and spin: answers each readiness handed to it. */
static void *
worker(void *p)
{
	struct server *s = p;
	unsigned i;

	for (i = 0; i < s->n; i++) {
		/* Acquire: the poller's hand-over. */
		while (__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE) == 0) {
			if (s->mode == POLLER)
				futex_wait(&s->ready, 0);
		}
		__atomic_store_n(&s->ready, 0, __ATOMIC_RELAXED);
		answer(s);
	}
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *
serve(void *p)
{
	struct server *s = p;
	pthread_t w;
	unsigned i;

	if (s->mode == DIRECT) {
		for (i = 0; i < s->n; i++) {
			wait_ready(s);
			answer(s);
		}
		return NULL;
	}
	pthread_create(&w, NULL, worker, s);
	for (i = 0; i < s->n; i++) {
		wait_ready(s);
		/* Release: the readiness, to the worker. */
		__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
		if (s->mode == POLLER)
			futex_wake(&s->ready);
	}
	pthread_join(w, NULL);
	return NULL;
}

/* Wait until a connect under way is done. */
static int
ready_to_write(int fd)
{
	struct pollfd p = { fd, POLLOUT, 0 };

	return poll(&p, 1, 5000) == 1 && rt_net_connect_done(fd) == 0;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
run(enum mode mode, unsigned n)
{
	static const char *names[] = { "direct", "poller", "spin" };
	struct server s = { .mode = mode, .n = n };
	int lfd, cfd, rc, flags;
	uint16_t port;
	pthread_t th;
	int64_t *rtt = malloc(n * sizeof(*rtt));
	unsigned i;

	if (rtt == NULL ||
	    rt_net_listen_tcp("127.0.0.1", 0, 1, &lfd, &port) != 0 ||
	    rt_net_connect_tcp("127.0.0.1", port, &cfd) != 0)
		return 1;
	do {
		rc = rt_net_accept(lfd, &s.fd);
	} while (rc == RT_EAGAIN);
	if (rc != 0 || (s.ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return 1;
	/* The client blocks (it must not take a core from the server); the
	 * server's side stays non-blocking. */
	flags = fcntl(cfd, F_GETFL);
	if (flags < 0 || fcntl(cfd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
	    !ready_to_write(cfd))
		return 1;
	arm(&s, EPOLL_CTL_ADD);
	pthread_create(&th, NULL, serve, &s);
	for (i = 0; i < n; i++) {
		char c = (char)i, back;
		int64_t t0 = now_ns();

		while (write(cfd, &c, 1) != 1)
			;
		while (read(cfd, &back, 1) != 1)
			;
		rtt[i] = now_ns() - t0;
	}
	pthread_join(th, NULL);
	qsort(rtt, n, sizeof(*rtt), cmp64);
	printf("iowait mode=%s n=%u median_ns=%lld p99_ns=%lld\n", names[mode],
	    n, (long long)rtt[n / 2], (long long)rtt[n - n / 100 - 1]);
	close(s.ep);
	close(s.fd);
	close(cfd);
	close(lfd);
	free(rtt);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned n = 100000;
	int i, modes = 0, rc = 0;
	enum mode list[8];

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "n=", 2) == 0)
			n = (unsigned)strtoul(argv[i] + 2, NULL, 10);
		else if (modes < 8 && strcmp(argv[i], "direct") == 0)
			list[modes++] = DIRECT;
		else if (modes < 8 && strcmp(argv[i], "poller") == 0)
			list[modes++] = POLLER;
		else if (modes < 8 && strcmp(argv[i], "spin") == 0)
			list[modes++] = SPIN;
		else {
			fprintf(stderr,
			    "usage: iowait [direct|poller|spin]... "
			    "[n=N]\n");
			return 2;
		}
	}
	if (n == 0)
		n = 1;
	if (modes == 0) {
		list[modes++] = DIRECT;
		list[modes++] = POLLER;
		list[modes++] = SPIN;
	}
	for (i = 0; i < modes; i++)
		rc |= run(list[i], n);
	return rc;
}
