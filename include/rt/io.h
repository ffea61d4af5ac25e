/* SPDX-License-Identifier: MIT */
/*
 * Actors that own file descriptors.
 *
 * An actor kind declared with `on io` gets the readiness of the
 * descriptors it watches as ordinary messages, in order with the others,
 * handled by the hook the user writes:
 *
 *     int P_A_on_io(P_A *self, rt_ctx *ctx, int fd, unsigned events);
 *
 * A watch is one-shot: one readiness is delivered, then the descriptor is
 * disarmed until the actor watches it again, so an actor that has not
 * caught up is never flooded (it reads, answers, and watches again when it
 * wants more). Readiness is level-triggered: data the handler leaves
 * unread is reported again by the next watch.
 *
 * Descriptors are the actor's business: make them non-blocking (the
 * helpers of <rt/net.h> do), and close a watched one only after
 * rt_io_unwatch, or let the runtime close it (rt_io_own). A descriptor
 * closed while watched may come back under the same number for another
 * file, which the kernel cannot tell from the old one.
 *
 * Every call here is for the handlers (hooks included) of an actor whose
 * kind declares `on io`; from anything else it returns RT_EINVAL.
 */
#ifndef RT_IO_H
#define RT_IO_H

#include <rt/version.h>
#include <rt/actor.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Readiness, as rt_io_watch asks for it and P_A_on_io gets it. */
enum {
	RT_IO_READ = 1u << 0,  /* data to read, a connection to accept, or
	                          the end of the stream (a read returns 0) */
	RT_IO_WRITE = 1u << 1, /* room to write, or a connect has finished */
	RT_IO_HUP = 1u << 2,   /* the peer hung up (or shut down its
	                          writing side); always reported */
	RT_IO_ERR = 1u << 3,   /* an error is pending on the descriptor
	                          (SO_ERROR says which); always reported */
	/* For rt_io_watch only: the actor has read (or written) until the
	 * descriptor would block, or until a read returned less than it
	 * asked for, so only readiness that comes from now on is wanted.
	 * The watch is then edge-triggered: it stays in the kernel's set,
	 * what the kernel reports is kept until the actor watches again,
	 * and arming costs no system call (a request/reply server saves
	 * one per request). A readiness may then be spurious: the read or
	 * write that follows fails with EAGAIN, and the actor watches
	 * again. Watching without it goes back to the level-triggered
	 * one-shot. */
	RT_IO_EDGE = 1u << 4,
};

/*
 * rt_io_watch: deliver the next readiness of `fd` for `events`
 * (RT_IO_READ, RT_IO_WRITE or both; RT_IO_HUP and RT_IO_ERR are reported
 * whether asked for or not) to the calling actor, once. Watching a
 * descriptor that is already watched replaces what is asked for. The
 * watch ends with the incarnation: it never reaches a restarted actor.
 * RT_IO_EDGE makes the watch edge-triggered (see above). Returns 0,
 * RT_EINVAL (not an `on io` actor's handler, fd < 0, no readiness asked
 * for, or a descriptor epoll cannot watch, as a regular file), RT_EBADF
 * (no such open descriptor), RT_EEXIST (another actor watches it),
 * RT_ENOMEM or RT_EMFILE.
 */
RT_API int rt_io_watch(rt_ctx *ctx, int fd, unsigned events);

/*
 * rt_io_unwatch: no more readiness of `fd` for the calling actor, not even
 * one already on its way. The descriptor stays open (and owned, if it
 * was). Returns 0, RT_ENOENT when the actor does not watch it, or
 * RT_EINVAL.
 */
RT_API int rt_io_unwatch(rt_ctx *ctx, int fd);

/*
 * rt_io_own: `fd`'s lifetime becomes the incarnation's: when the actor
 * stops or crashes, the runtime unwatches and closes it (an Erlang port
 * dies with its owner). Owning is for good: to close the descriptor
 * earlier, the actor calls rt_io_close. Returns 0, RT_EBADF, RT_EINVAL
 * or RT_ENOMEM.
 */
RT_API int rt_io_own(rt_ctx *ctx, int fd);

/*
 * rt_io_close: unwatch `fd`, forget that the actor owns it, and close
 * it, in that order. Returns 0, RT_EBADF (not open), RT_EINVAL.
 */
RT_API int rt_io_close(rt_ctx *ctx, int fd);

#ifdef __cplusplus
}
#endif

#endif
