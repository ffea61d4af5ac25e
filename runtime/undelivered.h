/* SPDX-License-Identifier: MIT */
/*
 * What becomes of an envelope that will never be handled (undelivered.c).
 */
#ifndef RT_RUNTIME_UNDELIVERED_H
#define RT_RUNTIME_UNDELIVERED_H

#include <rt/system.h>

#include "envelope.h"

/*
 * rti_undelivered: `env` will never be handled. What it owes is settled
 * first: a request is answered with an error status, a child that its
 * supervisor will never take in is stopped. Then it is a dead letter for
 * `cause` (deadletter.c), shown with `cls`, the target's class when the
 * caller knows it, else NULL. Does not free the envelope.
 */
void rti_undelivered(rt_system *sys, const rt_actor_class *cls, rt_env *env,
    rt_dead_cause cause);

#endif
