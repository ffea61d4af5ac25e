/* SPDX-License-Identifier: MIT */
/*
 * The socket helpers (rt/net.h) on loopback and in a temporary directory:
 * what a server sets up (listen, accept, connect over TCP and Unix
 * sockets, each descriptor non-blocking and close-on-exec, TCP without
 * Nagle), and the answers to what goes wrong (a port in use, a refused
 * connection, nothing to accept, a bad name or path, no descriptors left)
 * as rt codes.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <rt/rt.h>

#include "cutest.h"

/* Wait until fd is ready for `events` (at most 5 s); whether it was. */
static int
ready(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };

	return poll(&p, 1, 5000) == 1;
}

static int
nonblocking_cloexec(int fd)
{
	return (fcntl(fd, F_GETFL) & O_NONBLOCK) &&
	    (fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static int
nodelay(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 &&
	    v != 0;
}

/* Accept on `lfd`, waiting for a connection (at most 5 s). */
static int
accept_one(int lfd, int *fd)
{
	int rc = RT_EAGAIN, tries;

	for (tries = 0; tries < 50 && rc == RT_EAGAIN; tries++) {
		(void)ready(lfd, POLLIN);
		rc = rt_net_accept(lfd, fd);
	}
	return rc;
}

/* Bytes written on one end come out of the other. */
static void
assert_talk(int a, int b)
{
	char buf[8] = { 0 };

	CU_ASSERT_EQUAL(write(a, "ping", 4), 4);
	CU_ASSERT_TRUE(ready(b, POLLIN));
	CU_ASSERT_EQUAL(read(b, buf, sizeof(buf)), 4);
	CU_ASSERT_EQUAL(memcmp(buf, "ping", 4), 0);
}

static void
a_tcp_listener_accepts_a_connection_set_up_for_actors(void)
{
	int lfd, cfd, sfd;
	uint16_t port = 0;

	CU_ASSERT_EQUAL_FATAL(rt_net_listen_tcp("127.0.0.1", 0, 0, &lfd, &port),
	    0);
	CU_ASSERT_TRUE(port != 0);
	CU_ASSERT_TRUE(nonblocking_cloexec(lfd));
	/* Nothing pending yet. */
	CU_ASSERT_EQUAL(rt_net_accept(lfd, &sfd), RT_EAGAIN);
	CU_ASSERT_EQUAL_FATAL(rt_net_connect_tcp("127.0.0.1", port, &cfd), 0);
	CU_ASSERT_TRUE(ready(cfd, POLLOUT));
	CU_ASSERT_EQUAL(rt_net_connect_done(cfd), 0);
	CU_ASSERT_EQUAL_FATAL(accept_one(lfd, &sfd), 0);
	CU_ASSERT_TRUE(nonblocking_cloexec(cfd));
	CU_ASSERT_TRUE(nonblocking_cloexec(sfd));
	CU_ASSERT_TRUE(nodelay(cfd));
	CU_ASSERT_TRUE(nodelay(sfd));
	assert_talk(cfd, sfd);
	assert_talk(sfd, cfd);
	/* A name resolves too. */
	close(cfd);
	CU_ASSERT_EQUAL(rt_net_connect_tcp("localhost", port, &cfd), 0);
	close(cfd);
	close(sfd);
	close(lfd);
}

static void
tcp_failures_are_codes(void)
{
	int lfd, fd, other, rc;
	uint16_t port = 0;

	CU_ASSERT_EQUAL_FATAL(rt_net_listen_tcp("127.0.0.1", 0, 16, &lfd,
				  &port),
	    0);
	/* The port is taken. */
	CU_ASSERT_EQUAL(rt_net_listen_tcp("127.0.0.1", port, 16, &other, NULL),
	    RT_EADDRINUSE);
	close(lfd);
	/* Nobody listens there now: refused, at once or once it is done. */
	rc = rt_net_connect_tcp("127.0.0.1", port, &fd);
	if (rc == 0) {
		CU_ASSERT_TRUE(ready(fd, POLLOUT));
		CU_ASSERT_EQUAL(rt_net_connect_done(fd), RT_ECONNREFUSED);
		close(fd);
	} else {
		CU_ASSERT_EQUAL(rc, RT_ECONNREFUSED);
	}
	/* Names, addresses and arguments that are wrong (a resolver that
	 * cannot reach its servers says "try again"). */
	rc = rt_net_connect_tcp("no-such-host.invalid", 80, &fd);
	CU_ASSERT(rc == RT_ENOENT || rc == RT_EAGAIN);
	rc = rt_net_listen_tcp("256.1.2.3", 0, 0, &fd, NULL);
	CU_ASSERT(rc == RT_ENOENT || rc == RT_EAGAIN);
	CU_ASSERT_EQUAL(rt_net_connect_tcp("127.0.0.1", 0, &fd), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_net_connect_tcp(NULL, 80, &fd), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_net_listen_tcp("127.0.0.1", 0, 0, NULL, NULL),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_net_accept(-1, &fd), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_net_accept(0, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_net_connect_done(-1), RT_EINVAL);
	/* A descriptor that is not a socket. */
	CU_ASSERT_EQUAL(rt_net_accept(STDIN_FILENO, &fd), RT_EINVAL);
}

static void
a_unix_listener_accepts_and_refuses_what_it_should(void)
{
	char dir[] = "/tmp/rt-net.XXXXXX", path[256], longpath[200];
	int lfd, cfd, sfd, other;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	CU_ASSERT_EQUAL(rt_net_connect_unix(path, &cfd), RT_ECONNREFUSED);
	CU_ASSERT_EQUAL_FATAL(rt_net_listen_unix(path, 0, &lfd), 0);
	CU_ASSERT_TRUE(nonblocking_cloexec(lfd));
	CU_ASSERT_EQUAL(rt_net_listen_unix(path, 0, &other), RT_EADDRINUSE);
	CU_ASSERT_EQUAL_FATAL(rt_net_connect_unix(path, &cfd), 0);
	CU_ASSERT_EQUAL_FATAL(accept_one(lfd, &sfd), 0);
	CU_ASSERT_TRUE(nonblocking_cloexec(cfd));
	CU_ASSERT_TRUE(nonblocking_cloexec(sfd));
	CU_ASSERT_EQUAL(rt_net_connect_done(cfd), 0);
	assert_talk(cfd, sfd);
	close(cfd);
	close(sfd);
	close(lfd);
	unlink(path);
	rmdir(dir);
	/* A path longer than a Unix address holds, an empty one. */
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CU_ASSERT_EQUAL(rt_net_listen_unix(longpath, 0, &lfd), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_net_connect_unix("", &cfd), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_net_listen_unix(NULL, 0, &lfd), RT_EINVAL);
}

/*
 * Out of descriptors: in a child with a low limit, a server keeps
 * accepting until there is none left, gets RT_EMFILE, not a crash, and
 * accepts again once it closes one.
 */
static void
running_out_of_descriptors_is_rt_emfile(void)
{
	int status = -1;
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 32, 32 };
		int lfd, fds[64], n = 0, rc = 0, i, fd;
		uint16_t port = 0;

		if (rt_net_listen_tcp("127.0.0.1", 0, 128, &lfd, &port) != 0 ||
		    setrlimit(RLIMIT_NOFILE, &rl) != 0)
			_exit(2);
		/* Connect and accept in turn until a call fails. */
		while (n < 62) {
			rc = rt_net_connect_tcp("127.0.0.1", port, &fds[n]);
			if (rc != 0)
				break;
			n++;
			rc = accept_one(lfd, &fds[n]);
			if (rc != 0)
				break;
			n++;
		}
		if (rc != RT_EMFILE)
			_exit(3);
		for (i = 0; i < n; i++)
			close(fds[i]);
		if (rt_net_connect_tcp("127.0.0.1", port, &fd) != 0)
			_exit(4);
		_exit(accept_one(lfd, &fds[0]) == 0 ? 0 : 5);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

int
main(int argc, char **argv)
{
	CU_TestInfo net[] = {
		{ "a tcp listener accepts a connection set up for actors",
		    a_tcp_listener_accepts_a_connection_set_up_for_actors },
		{ "tcp failures are codes", tcp_failures_are_codes },
		{ "a unix listener accepts and refuses what it should",
		    a_unix_listener_accepts_and_refuses_what_it_should },
		{ "running out of descriptors is RT_EMFILE",
		    running_out_of_descriptors_is_rt_emfile },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "net", NULL, NULL, NULL, NULL, net },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
