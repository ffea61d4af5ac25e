/* SPDX-License-Identifier: MIT */
/*
 * Listening, accepting and connecting (rt/net.h): thin wrappers around the
 * socket calls that set every descriptor up the same way and turn errno
 * into rt codes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <rt/error.h>
#include <rt/net.h>

/* The rt code of a socket call's errno. */
static int
net_error(int e)
{
	switch (e) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EINPROGRESS:
	case EALREADY:
	case ECONNABORTED:
	case EINTR:
		return RT_EAGAIN;
	case EADDRINUSE:
		return RT_EADDRINUSE;
	case EACCES:
	case EPERM:
		return RT_EACCES;
	case ECONNREFUSED:
		return RT_ECONNREFUSED;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EADDRNOTAVAIL:
		return RT_EUNREACH;
	case ETIMEDOUT:
		return RT_ETIMEDOUT;
	case ECONNRESET:
	case EPIPE:
		return RT_ECONNRESET;
	case EMFILE:
	case ENFILE:
		return RT_EMFILE;
	case ENOMEM:
	case ENOBUFS:
		return RT_ENOMEM;
	case EBADF:
	case ENOTSOCK:
	case EINVAL:
	case EAFNOSUPPORT:
	case EOPNOTSUPP:
		return RT_EINVAL;
	default:
		return RT_EIO;
	}
}

/* The rt code of a getaddrinfo failure. */
static int
resolve_error(int e)
{
	switch (e) {
	case EAI_NONAME:
	case EAI_NODATA:
	case EAI_FAIL:
		return RT_ENOENT;
	case EAI_AGAIN:
		return RT_EAGAIN;
	case EAI_MEMORY:
		return RT_ENOMEM;
	case EAI_SYSTEM:
		return net_error(errno);
	default:
		return RT_EINVAL;
	}
}

/* Resolve host and port for a socket of `flags` (AI_PASSIVE or 0). */
static int
resolve(const char *host, uint16_t port, int flags, struct addrinfo **out)
{
	struct addrinfo hints;
	char service[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = flags | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	rc = getaddrinfo(host != NULL && host[0] != '\0' ? host : NULL, service,
	    &hints, out);
	return rc == 0 ? 0 : resolve_error(rc);
}

/* TCP_NODELAY on a TCP connection; false (errno set) if it fails. */
static int
no_delay(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/*
 * Open a TCP socket on the first address of host and port (resolved with
 * `flags`) for which setup(s, address, arg) succeeds (returns 0; else -1
 * with errno set), into *fd. Returns 0, or the error of the last address
 * tried.
 */
static int
tcp_open(const char *host, uint16_t port, int flags,
    int (*setup)(int, const struct addrinfo *, int), int arg, int *fd)
{
	struct addrinfo *list, *a;
	int rc, s;

	if ((rc = resolve(host, port, flags, &list)) != 0)
		return rc;
	rc = RT_EINVAL;
	for (a = list; a != NULL; a = a->ai_next) {
		s = socket(a->ai_family,
		    a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    a->ai_protocol);
		if (s >= 0 && setup(s, a, arg) == 0) {
			freeaddrinfo(list);
			*fd = s;
			return 0;
		}
		rc = net_error(errno);
		if (s >= 0)
			close(s);
	}
	freeaddrinfo(list);
	return rc;
}

/* tcp_open's setup of a listener, with a backlog of `backlog`. */
static int
listen_on(int s, const struct addrinfo *a, int backlog)
{
	int one = 1;

	return setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
		    0 &&
		bind(s, a->ai_addr, a->ai_addrlen) == 0 &&
		listen(s, backlog > 0 ? backlog : SOMAXCONN) == 0 ?
	    0 :
	    -1;
}

/* tcp_open's setup of a connection: started, or made at once. */
static int
connect_to(int s, const struct addrinfo *a, int unused)
{
	(void)unused;
	return no_delay(s) == 0 &&
		(connect(s, a->ai_addr, a->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) ?
	    0 :
	    -1;
}

int
rt_net_listen_tcp(const char *host, uint16_t port, int backlog, int *fd,
    uint16_t *bound_port)
{
	int rc, s;

	if (fd == NULL)
		return RT_EINVAL;
	if ((rc = tcp_open(host, port, AI_PASSIVE, listen_on, backlog, &s)) !=
	    0)
		return rc;
	if (bound_port != NULL) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		if (getsockname(s, (struct sockaddr *)&ss, &len) != 0) {
			rc = net_error(errno);
			close(s);
			return rc;
		}
		*bound_port = ntohs(ss.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&ss)->sin6_port :
			((struct sockaddr_in *)&ss)->sin_port);
	}
	*fd = s;
	return 0;
}

/* A Unix-domain address for `path`; false when it does not fit. */
static int
unix_addr(const char *path, struct sockaddr_un *sun)
{
	size_t len;

	if (path == NULL || (len = strlen(path)) == 0 ||
	    len >= sizeof(sun->sun_path))
		return 0;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len + 1);
	return 1;
}

/*
 * A Unix-domain stream socket at `path`: bound and listening (backlog >= 0),
 * or connecting (backlog < 0).
 */
static int
unix_open(const char *path, int backlog, int *fd)
{
	struct sockaddr_un sun;
	int s, rc, ok;

	if (fd == NULL || !unix_addr(path, &sun))
		return RT_EINVAL;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return net_error(errno);
	if (backlog >= 0)
		ok = bind(s, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
		    listen(s, backlog > 0 ? backlog : SOMAXCONN) == 0;
	else
		ok = connect(s, (struct sockaddr *)&sun, sizeof(sun)) == 0 ||
		    errno == EINPROGRESS;
	if (!ok) {
		/* A Unix socket that does not exist is refused, as a TCP
		 * port nobody listens on. */
		rc = backlog < 0 && errno == ENOENT ? RT_ECONNREFUSED :
						      net_error(errno);
		close(s);
		return rc;
	}
	*fd = s;
	return 0;
}

int
rt_net_listen_unix(const char *path, int backlog, int *fd)
{
	return unix_open(path, backlog > 0 ? backlog : 0, fd);
}

int
rt_net_accept(int listen_fd, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int s;

	if (fd == NULL || listen_fd < 0)
		return RT_EINVAL;
	s = accept4(listen_fd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s < 0)
		return net_error(errno);
	if ((ss.ss_family == AF_INET || ss.ss_family == AF_INET6) &&
	    no_delay(s) != 0) {
		int rc = net_error(errno);

		close(s);
		return rc;
	}
	*fd = s;
	return 0;
}

int
rt_net_connect_tcp(const char *host, uint16_t port, int *fd)
{
	if (fd == NULL || host == NULL || host[0] == '\0' || port == 0)
		return RT_EINVAL;
	return tcp_open(host, port, 0, connect_to, 0, fd);
}

int
rt_net_connect_unix(const char *path, int *fd)
{
	return unix_open(path, -1, fd);
}

int
rt_net_connect_done(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return RT_EINVAL;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return net_error(errno);
	if (err != 0)
		return net_error(err);
	/* No error: connected, or still under way (no peer yet). */
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
			return errno == ENOTCONN ? RT_EAGAIN : net_error(errno);
	}
	return 0;
}
