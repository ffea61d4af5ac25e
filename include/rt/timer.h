/* SPDX-License-Identifier: MIT */
/*
 * Timers: a message sent later, once or every period. Users call the typed
 * functions rtgen generates (P_A_send_M_after, P_A_send_M_every) and
 * rt_timer_cancel; what the generated functions wrap (rt_env_send_after,
 * rt_env_send_every) is in <rt/protocol.h>.
 *
 * All timers of a system live on one hashed timing wheel with 1 ms ticks:
 * starting and cancelling a timer take constant time whatever the number of
 * timers, and no timer has a thread of its own. A timer fires on the first
 * tick at or after its deadline, so it is never early and, on a machine
 * that is not overloaded, about a millisecond late at most.
 *
 * Delivery. A fired timer's message enters its target's mailbox as if the
 * target's own system had sent it: it is counted in rt_stats.sent when it
 * fires, never blocks anything, and is accepted past the bound of a mailbox
 * with overflow block (a full mailbox with drop or reject makes it a dead
 * letter, RT_DEAD_DROPPED). A timer whose target has stopped for good by the
 * time it fires makes a dead letter (RT_DEAD_STOPPED); so does a timer still
 * pending when its system shuts down. A cancelled timer never fires and its
 * message is not counted at all.
 */
#ifndef RT_TIMER_H
#define RT_TIMER_H

#include <stdint.h>
#include <rt/version.h>
#include <rt/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * rt_timer: a handle to a started timer, for rt_timer_cancel. A handle
 * stays safe to use after its timer fired or was cancelled (the cancel then
 * returns RT_ENOENT), but not after its system was freed. A zeroed handle
 * names no timer.
 */
typedef struct rt_timer {
	void *slot;
	uint64_t id;
} rt_timer;

/*
 * rt_timer_cancel: stop a timer. Returns 0 when it will not fire again;
 * RT_ENOENT when it has already fired (a one-shot timer) or was cancelled
 * before; RT_EINVAL for a zeroed handle. Any thread, in constant time.
 * A one-shot timer that is firing while it is cancelled either was sent
 * (RT_ENOENT) or was not (0), never both.
 */
RT_API int rt_timer_cancel(rt_timer timer);

#ifdef __cplusplus
}
#endif

#endif
