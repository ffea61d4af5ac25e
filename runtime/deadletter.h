/* SPDX-License-Identifier: MIT */
/*
 * Dead letters: messages that were accepted by a send but will never be
 * handled. Each is counted and shown to the dead-letter hook, once.
 */
#ifndef RT_RUNTIME_DEADLETTER_H
#define RT_RUNTIME_DEADLETTER_H

#include <rt/system.h>

#include "cell.h"
#include "envelope.h"

/*
 * rti_dead_letter: count `env` as a dead letter for `cause` and show it to
 * the hook. `cls` is the target's class when the caller knows it (the token
 * holder), else NULL. Does not free the envelope.
 */
void rti_dead_letter(rt_system *sys, const rt_actor_class *cls, rt_env *env,
    rt_dead_cause cause);

#endif
