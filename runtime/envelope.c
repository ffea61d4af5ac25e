/* SPDX-License-Identifier: MIT */
/*
 * Envelope memory. One block per envelope, header and payload together, so a
 * message costs one allocation and one free whatever its strings. The block
 * is owned by whoever holds the envelope: the sender until the push, then
 * the target's mailbox, then the worker that handles it, which frees it.
 */
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

rt_env *
rti_env_alloc(size_t size)
{
	rt_env *env;

	if (size > UINT32_MAX - RT_ENV_PAYLOAD_OFFSET)
		return NULL;
	env = malloc(RT_ENV_PAYLOAD_OFFSET + size);
	if (env == NULL)
		return NULL;
	memset(env, 0, sizeof(*env));
	env->size = (uint32_t)size;
	return env;
}

void
rti_env_free(rt_env *env)
{
	free(env);
}
