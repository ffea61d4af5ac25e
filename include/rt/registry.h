/* SPDX-License-Identifier: MIT */
/*
 * The actor registry: names for actors, as Erlang's register/whereis.
 *
 * A system keeps one table from names to live actors. An actor has at most
 * one name and a name names at most one actor. Names are released when
 * their actor stops for good, whatever the reason (a normal stop, a crash,
 * shutdown), and when the system is freed. Lookups never block and scale
 * with the number of threads looking up: they take no lock and write no
 * shared cache line. Registering and unregistering take a lock; they are
 * meant to be rare next to lookups.
 *
 * Generated code wraps these in typed functions (P_A_register, P_A_whereis),
 * so most programs never call them directly.
 */
#ifndef RT_REGISTRY_H
#define RT_REGISTRY_H

#include <rt/version.h>
#include <rt/actor.h>
#include <rt/protocol.h>
#include <rt/system.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest name, in bytes, without its terminating NUL. */
#define RT_NAME_MAX 255

/*
 * rt_register: register the live actor named by `ref` under `name` in the
 * actor's system. Borrows `name` (the registry keeps a copy). Any thread,
 * handlers included (rt_self gives a handler its own ref).
 * Returns 0, or
 *   RT_EINVAL    zero ref, NULL or empty name, or a name longer than
 *                RT_NAME_MAX bytes;
 *   RT_ENOACTOR  the actor has stopped for good;
 *   RT_EEXIST    the name is taken by another live actor, or this actor
 *                already has another name (one name per actor:
 *                rt_unregister it first);
 *   RT_ESHUTDOWN the system is shutting down;
 *   RT_ENOMEM.
 * Registering an actor under the name it has already returns 0. A name
 * belongs to the ref: a supervised child restarted in place keeps its ref
 * and so keeps its name through the restart (its new incarnation may
 * register it again, as its on_start did the first time); the name is
 * freed when the actor stops for good. A name whose actor has stopped is
 * free: registering it succeeds.
 */
RT_API int rt_register(rt_ref ref, const char *name);

/*
 * rt_unregister: remove `name` from the registry of `sys`; the actor it
 * named lives on, and may be registered again. Any thread. Returns 0,
 * RT_EINVAL (NULL sys, NULL, empty or too long name) or RT_ENOENT (no live
 * actor has that name).
 */
RT_API int rt_unregister(rt_system *sys, const char *name);

/*
 * rt_whereis: store in *out the ref of the actor registered under `name` in
 * `sys`, of whatever kind (P_A_whereis is the typed lookup: it also checks
 * the kind). Any thread; never blocks. Returns 0, RT_EINVAL (NULL sys,
 * name or out, empty or too long name) or RT_ENOENT (no live actor has
 * that name); *out is untouched on error.
 *
 * The answer is a snapshot: an actor whose final stop races with the
 * lookup is either found (its ref may already be stale, and sends through
 * it return RT_ENOACTOR) or not (RT_ENOENT), but an actor that had stopped
 * before the lookup began is never returned.
 */
RT_API int rt_whereis(rt_system *sys, const char *name, rt_ref *out);

#ifdef __cplusplus
}
#endif

#endif
