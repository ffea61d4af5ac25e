/* SPDX-License-Identifier: MIT */
/*
 * An envelope that will never be handled settles what it owes, through the
 * module that made the debt, before it is counted as a dead letter: so the
 * dead-letter count (deadletter.c) needs to know nothing of requests or
 * supervisors, and neither needs to know who found the envelope dead.
 */
#include "ask_int.h"
#include "bonds.h"
#include "deadletter.h"
#include "supervisor_int.h"
#include "undelivered.h"

void
rti_undelivered(rt_system *sys, const rt_actor_class *cls, rt_env *env,
    rt_dead_cause cause)
{
	/* A request nobody will handle still gets its answer. */
	if (env->flags & RTI_ENV_REQUEST)
		rti_request_failed(env, cause);
	/* A child nobody will supervise stops. */
	if (env->kind == RTI_ENV_SUP &&
	    ((const struct rti_bond_msg *)rt_env_payload(env))->what ==
		RTI_BOND_ADOPT)
		rti_sup_adopt_lost(env);
	rti_dead_letter(sys, cls, env, cause);
}
