/* SPDX-License-Identifier: MIT */
/*
 * The actor registry inside the runtime: what the system and the final stop
 * of an actor need of it (runtime/registry.c has the design).
 */
#ifndef RT_RUNTIME_REGISTRY_INT_H
#define RT_RUNTIME_REGISTRY_INT_H

#include <rt/actor.h>
#include <rt/system.h>

#include "rt_atomic.h"

typedef struct rti_registry rti_registry;

/*
 * rti_registry_new: an empty registry for a system of `nworkers` workers.
 * Called before the workers start. NULL when out of memory.
 */
rti_registry *rti_registry_new(unsigned nworkers);

/*
 * rti_registry_free: free the registry and every name still in it. No
 * thread may use it any more (the workers have been joined). NULL: no-op.
 */
void rti_registry_free(rti_registry *reg);

/*
 * rti_registry_forget: the actor in `cell` has stopped for good (its new
 * generation is published): drop its name, if the registry still holds
 * one for it. Called by the final stop when cell->named is not 0.
 */
void rti_registry_forget(rti_registry *reg, rt_cell *cell);

/*
 * rti_registry_name: the name `ref`'s actor is registered under, copied
 * into *out (the caller frees it), or NULL when it has none. 0 or
 * RT_ENOMEM. Any thread; takes the registry's lock only for a cell that
 * has a name.
 */
int rti_registry_name(rti_registry *reg, rt_ref ref, char **out);

#endif
