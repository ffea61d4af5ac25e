/* SPDX-License-Identifier: MIT */
/*
 * Sockets as a server needs them: listening, accepting and connecting on
 * TCP and Unix-domain sockets. Every descriptor these return is
 * non-blocking and close-on-exec; a TCP connection, accepted or connected,
 * has TCP_NODELAY (a request/reply protocol should not wait for Nagle's
 * timer), and a TCP listener SO_REUSEADDR (a restarted server binds its
 * port at once). The descriptors are the caller's to close.
 *
 * Errors are rt codes, never -errno and never an abort: RT_EINVAL (a bad
 * argument, a descriptor that is not a socket, a Unix path too long),
 * RT_ENOENT (a host name that does not resolve), RT_EADDRINUSE,
 * RT_EACCES, RT_ECONNREFUSED, RT_EUNREACH, RT_ETIMEDOUT, RT_ECONNRESET,
 * RT_EMFILE (out of descriptors), RT_ENOMEM, RT_EAGAIN (nothing to do yet,
 * try when the descriptor is ready), RT_EIO (anything else).
 */
#ifndef RT_NET_H
#define RT_NET_H

#include <stdint.h>
#include <rt/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * rt_net_listen_tcp: listen on `host` (a numeric address or a name; NULL
 * or "": every address) and `port` (0: one the kernel picks), with a
 * backlog of `backlog` (<= 0: the system's maximum). Stores the listening
 * descriptor in *fd and, when bound_port is not NULL, the port bound in
 * *bound_port. Returns 0 or an error code.
 */
RT_API int rt_net_listen_tcp(const char *host, uint16_t port, int backlog,
    int *fd, uint16_t *bound_port);

/*
 * rt_net_listen_unix: listen on the Unix-domain socket `path` (which must
 * not exist: RT_EADDRINUSE), with a backlog as above. Removing the path
 * once done is the caller's. Returns 0 or an error code.
 */
RT_API int rt_net_listen_unix(const char *path, int backlog, int *fd);

/*
 * rt_net_accept: take one pending connection from listening descriptor
 * `listen_fd` into *fd. RT_EAGAIN when none is pending (or one was
 * aborted before it was taken): watch the listener and try again.
 */
RT_API int rt_net_accept(int listen_fd, int *fd);

/*
 * rt_net_connect_tcp: connect to `host` (a numeric address or a name)
 * and `port`, trying each address the name has. Stores the descriptor in
 * *fd and returns 0 as soon as the connection is made or under way: a
 * non-blocking connect usually finishes later, so watch the descriptor
 * for writing and then ask rt_net_connect_done how it went. Returns an
 * error code when no address could even be tried.
 */
RT_API int rt_net_connect_tcp(const char *host, uint16_t port, int *fd);

/*
 * rt_net_connect_unix: connect to the Unix-domain socket `path`, as
 * rt_net_connect_tcp (RT_EAGAIN: its listener's backlog is full).
 */
RT_API int rt_net_connect_unix(const char *path, int *fd);

/*
 * rt_net_connect_done: how a connect on `fd` went, once the descriptor is
 * writable: 0 connected, RT_EAGAIN still under way, or the error code of
 * the failure (RT_ECONNREFUSED, RT_EUNREACH, RT_ETIMEDOUT, ...).
 */
RT_API int rt_net_connect_done(int fd);

#ifdef __cplusplus
}
#endif

#endif
