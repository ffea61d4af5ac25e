/* SPDX-License-Identifier: MIT */
/*
 * Sends the runtime makes on its own behalf: fired timers (and replies).
 */
#ifndef RT_RUNTIME_SEND_INT_H
#define RT_RUNTIME_SEND_INT_H

#include "envelope.h"

enum rti_send_kind {
	/*
	 * A fired timer: past the bound of a mailbox with overflow block
	 * (nothing may wait), a dead letter (dropped) in a full mailbox with
	 * drop or reject.
	 */
	RTI_SEND_TIMER = 0,
	/* A reply: never refused by a bound, the asker asked for it. */
	RTI_SEND_REPLY = 1,
};

/*
 * rti_send_internal: queue `env` (a message for its cell and generation)
 * from any thread. Never waits and never fails: a message that cannot be
 * queued (its target stopped, the system is stopping, a full mailbox as
 * above) is counted as sent and becomes a dead letter.
 */
void rti_send_internal(rt_env *env, enum rti_send_kind kind);

/* rti_send_here: rt_env_send_here (rt/wire.h), for ask.c's relays too. */
int rti_send_here(rt_env *env);

#endif
