/* SPDX-License-Identifier: MIT */
/*
 * Result codes of librtactor. Every fallible call returns 0 or one of the
 * negative codes below; rt_strerror() names them. The values are rt's own,
 * not -errno, so they are the same on every platform. They are ABI: new codes
 * are added at the end of the table and nothing is ever renumbered.
 */
#ifndef RT_ERROR_H
#define RT_ERROR_H

#include <rt/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RT_ERRNO_MAP(X)                                              \
	X(ENOMEM, -1, "out of memory")                               \
	X(EINVAL, -2, "invalid argument")                            \
	X(EFULL, -3, "mailbox full")                                 \
	X(ENOACTOR, -4, "actor has stopped for good")                \
	X(ETIMEDOUT, -5, "timed out")                                \
	X(ETYPE, -6, "name is registered to another kind of actor")  \
	X(EEXIST, -7, "name already taken")                          \
	X(ENOENT, -8, "no such name")                                \
	X(ESHUTDOWN, -9, "the system is shutting down")              \
	X(EDEADLK, -10, "blocking call from inside an actor")        \
	X(EAGAIN, -11, "resource temporarily unavailable")           \
	X(EBADMSG, -12, "message not understood by this actor")      \
	X(ESTART, -13, "a child failed to start")                    \
	X(EGAVEUP, -14, "too many restarts: the supervisor gave up") \
	X(EADDRINUSE, -15, "address already in use")                 \
	X(ECONNREFUSED, -16, "connection refused")                   \
	X(EUNREACH, -17, "network or host unreachable")              \
	X(EMFILE, -18, "too many open files")                        \
	X(ECONNRESET, -19, "connection reset by peer")               \
	X(EACCES, -20, "permission denied")                          \
	X(EIO, -21, "input/output error")                            \
	X(EBADF, -22, "bad file descriptor")                         \
	X(ENODE, -23, "no node, or the node is gone")                \
	X(EBUSY, -24, "already running")                             \
	X(EMISMATCH, -25, "not the message expected")                \
	X(EUNHEALTHY, -26, "failed its health probe")

enum rt_errno {
#define RT_ERRNO_ENUM(name, value, text) RT_##name = value,
	RT_ERRNO_MAP(RT_ERRNO_ENUM)
#undef RT_ERRNO_ENUM
};

/* RT_DEFER: a request handler's result meaning "the reply comes later". It is
 * a handler result, not an error, and lies outside the error range. */
#define RT_DEFER 1

/*
 * RT_KILL: an exit reason, not an error code (rt_exit, rt/supervisor.h).
 * An exit signal with this reason cannot be trapped: the actor stops at
 * once, with RT_KILL as its reason, which is what its links and monitors
 * then see (as an ordinary abnormal reason, which they may trap). It lies
 * far below the error range, so that no code, present or future, and no
 * reason a handler returns in practice, is ever taken for it.
 */
#define RT_KILL (-2147483647 - 1)

/*
 * rt_strerror: a short English description of an rt result code. Never
 * returns NULL: an unknown code yields "unknown error". Thread-safe; the
 * returned string is static.
 */
RT_API const char *rt_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif
