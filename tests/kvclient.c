/* SPDX-License-Identifier: MIT */
/*
 * A small client for tests/example_kv.sh, to do to a Redis-protocol
 * server what redis-cli will not: send exactly the bytes given, open and
 * drop thousands of connections, and send without reading.
 *
 *   kvclient PORT raw [IDLE_MS]    send stdin; print what comes back until
 *                                  the server closes ("<closed>" last) or
 *                                  is silent IDLE_MS (300) ("<open>")
 *   kvclient PORT churn N          open N connections and drop each in
 *                                  one of four ways: at once, in the
 *                                  middle of a request, without reading
 *                                  the answer, with a reset
 *   kvclient PORT many N           hold N connections open at once, PING
 *                                  on each, read each PONG, close them
 *   kvclient PORT flood N PID      pipeline up to N GETs of a 64 KB
 *                                  value without reading, until the
 *                                  server stops taking them; print
 *                                  the server's VmRSS then; read every
 *                                  answer and check it
 *
 * Exit status 0 when all went as expected, 1 otherwise, 2 on misuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;

static int
connect_to(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0) {
		perror("kvclient: socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("kvclient: connect");
		close(fd);
		return -1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t k = send(fd, c, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Read exactly n bytes, waiting at most 10 s for each piece. */
static int
read_all(int fd, void *p, size_t n)
{
	char *c = p;

	while (n > 0) {
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t k;

		if (poll(&pf, 1, 10000) != 1)
			return -1;
		k = recv(fd, c, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
raw(int idle_ms)
{
	char buf[65536];
	ssize_t n;
	int fd = connect_to(), closed = 0;

	if (fd < 0)
		return 1;
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write_all(fd, buf, (size_t)n) != 0)
			break; /* the server may have closed already */
	for (;;) {
		struct pollfd pf = { fd, POLLIN, 0 };

		if (poll(&pf, 1, idle_ms) != 1)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			closed = 1; /* a reset is a close too */
			break;
		}
		fwrite(buf, 1, (size_t)n, stdout);
	}
	printf("%s\n", closed ? "<closed>" : "<open>");
	close(fd);
	return 0;
}

static int
churn(long n)
{
	static const char full[] = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
	struct linger rst = { 1, 0 };
	long i;

	for (i = 0; i < n; i++) {
		int fd = connect_to();

		if (fd < 0)
			return 1;
		switch (i % 4) {
		case 0:
			break;
		case 1:
			(void)write_all(fd, full, 10);
			break;
		case 2:
			(void)write_all(fd, full, sizeof(full) - 1);
			break;
		case 3:
			(void)write_all(fd, full, 7);
			(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst,
			    sizeof(rst));
			break;
		}
		close(fd);
	}
	return 0;
}

static int
many(long n)
{
	int *fd = calloc((size_t)n, sizeof(*fd));
	struct rlimit rl;
	char pong[7];
	long i, ok = 0;

	/* Room for n descriptors, as far as the hard limit allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (fd == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if ((fd[i] = connect_to()) < 0 ||
		    write_all(fd[i], "PING\r\n", 6) != 0)
			break;
	n = i;
	for (i = 0; i < n; i++)
		if (read_all(fd[i], pong, 7) == 0 &&
		    memcmp(pong, "+PONG\r\n", 7) == 0)
			ok++;
	for (i = 0; i < n; i++)
		close(fd[i]);
	free(fd);
	printf("many: %ld connections, %ld PONGs\n", n, ok);
	return ok == n ? 0 : 1;
}

/* The server's resident memory, in kB, or -1. */
static long
rss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * GET a 64 KB value under an 8 KB key, over and over, without reading:
 * the kernel's buffers take some megabytes of requests, and then the
 * server must stop reading too, long before n.
 */
static int
flood(long n, long pid)
{
	enum { KEY = 8192, VALUE = 65536 };
	char head[64], *req = malloc(KEY + 64), *value = malloc(VALUE);
	char *got = malloc(VALUE + 2);
	size_t rlen, hlen, at;
	long sent = 0, i;
	int fd = connect_to(), stalls = 0, bad = 0;

	if (fd < 0 || req == NULL || value == NULL || got == NULL)
		return 1;
	memset(value, 'v', VALUE);
	hlen = (size_t)snprintf(req, 64, "*3\r\n$3\r\nSET\r\n$%d\r\n", KEY);
	memset(req + hlen, 'k', KEY);
	rlen = hlen + KEY;
	rlen += (size_t)snprintf(req + rlen, 64, "\r\n$%d\r\n", VALUE);
	if (write_all(fd, req, rlen) != 0 || write_all(fd, value, VALUE) ||
	    write_all(fd, "\r\n", 2) || read_all(fd, got, 5) != 0 ||
	    memcmp(got, "+OK\r\n", 5) != 0) {
		fprintf(stderr, "kvclient: flood: SET failed\n");
		return 1;
	}
	/* The GET: the same key. */
	hlen = (size_t)snprintf(req, 64, "*2\r\n$3\r\nGET\r\n$%d\r\n", KEY);
	memset(req + hlen, 'k', KEY);
	memcpy(req + hlen + KEY, "\r\n", 2);
	rlen = hlen + KEY + 2;
	hlen = (size_t)snprintf(head, sizeof(head), "$%d\r\n", VALUE);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (at = 0; sent < n && stalls < 10;) {
		ssize_t k = send(fd, req + at, rlen - at, MSG_NOSIGNAL);

		if (k > 0) {
			at += (size_t)k;
			if (at == rlen) {
				at = 0;
				sent++;
			}
			stalls = 0;
		} else if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pf = { fd, POLLOUT, 0 };

			if (poll(&pf, 1, 100) == 0)
				stalls++;
		} else {
			perror("kvclient: flood: send");
			return 1;
		}
	}
	printf("flood: %ld requests sent, %s; server VmRSS %ld kB\n", sent,
	    stalls >= 10 ? "then the server stopped reading" :
			   "the server never stopped reading",
	    rss_kb(pid));
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* Every answer; then the rest of a request cut short (which the
	 * server can only read once we have read), and its answer. */
	for (i = 0; i <= sent && !bad; i++) {
		if (i == sent) {
			if (at == 0 || write_all(fd, req + at, rlen - at) != 0)
				break;
			at = 0;
			sent++;
		}
		if (read_all(fd, got, hlen) != 0 ||
		    memcmp(got, head, hlen) != 0 ||
		    read_all(fd, got, VALUE + 2) != 0 ||
		    memcmp(got, value, VALUE) != 0)
			bad = 1;
	}
	printf("flood: %ld answers read, %s\n", i - bad,
	    bad ? "one of them wrong" : "all right");
	close(fd);
	free(req);
	free(value);
	free(got);
	return bad || stalls < 10 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	if (argc < 3 || (port = atoi(argv[1])) <= 0)
		goto usage;
	if (strcmp(argv[2], "raw") == 0)
		return raw(argc > 3 ? atoi(argv[3]) : 300);
	if (strcmp(argv[2], "churn") == 0 && argc == 4)
		return churn(atol(argv[3]));
	if (strcmp(argv[2], "many") == 0 && argc == 4)
		return many(atol(argv[3]));
	if (strcmp(argv[2], "flood") == 0 && argc == 5)
		return flood(atol(argv[3]), atol(argv[4]));
usage:
	fprintf(stderr,
	    "usage: kvclient PORT raw [IDLE_MS] | "
	    "PORT churn N | PORT many N | PORT flood N PID\n");
	return 2;
}
