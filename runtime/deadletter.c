/* SPDX-License-Identifier: MIT */
/*
 * Dead letters. Whoever finds one (the worker running its target, or the
 * sender when a full mailbox drops it) counts it by cause and hands it to
 * the hook of rt_config, so that nothing accepted ever disappears unseen.
 * A leaf: what a lost envelope owes is settled before (undelivered.c).
 */
#include "deadletter.h"
#include "probes.h"
#include "sched.h"
#include "system_int.h"

void
rti_dead_letter(rt_system *sys, const rt_actor_class *cls, rt_env *env,
    rt_dead_cause cause)
{
	rt_dead_letter dl;

	rti_count(sys, dead, 1);
	if (cause == RT_DEAD_DROPPED)
		rti_count(sys, dropped, 1);
	else if (cause == RT_DEAD_EXPIRED)
		rti_count(sys, expired, 1);
	if (RTI_PROBE_ON(dead_letter))
		rti_probe_dead_letter(cls, env, cause);
	if (sys->cfg.dead_letter == NULL)
		return;
	dl.cause = cause;
	dl.actor = cls != NULL ? cls->name : NULL;
	dl.message = rti_env_name(cls, env);
	dl.tag = env->v.tag;
	dl.msg = rti_env_msg(env);
	sys->cfg.dead_letter(sys->cfg.dead_letter_user, &dl);
}
