/* SPDX-License-Identifier: MIT */
/*
 * Topics: publish one message to every actor subscribed to a topic. A .rtp
 * file declares `topic T : M;`; users call the typed functions rtgen
 * generates (P_T_publish, P_A_subscribe_T, P_A_unsubscribe_T), which wrap
 * the calls below.
 *
 * A publish copies the message once: every subscriber's delivery shares that
 * one immutable copy (reference-counted; a subscriber's mailbox holds a
 * small node pointing at it). Each subscriber gets the messages of one
 * publisher in the order they were published. A subscriber that stops for
 * good is dropped from its topics. A subscriber with a full bounded mailbox
 * gets its overflow policy: drop makes a dead letter, reject refuses that
 * delivery, block makes a plain thread wait and mutes a publishing actor,
 * as a send would. The publisher learns how many deliveries failed.
 */
#ifndef RT_TOPIC_H
#define RT_TOPIC_H

#include <stddef.h>
#include <stdint.h>
#include <rt/version.h>
#include <rt/actor.h>
#include <rt/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One per `topic T : M` (generated, P_T_topic). */
typedef struct rt_topic {
	const char *name; /* "protocol.T" */
} rt_topic;

/*
 * rt_subscribe: subscribe the live actor `ref` to `topic` in its system;
 * its deliveries carry `tag`, the tag of the topic's message in the
 * actor's class. Returns 0, RT_EINVAL (NULL topic, zero ref), RT_ENOACTOR,
 * RT_EEXIST (already subscribed), RT_ESHUTDOWN or RT_ENOMEM.
 */
RT_API int rt_subscribe(const rt_topic *topic, rt_ref ref, uint32_t tag);

/*
 * rt_unsubscribe: end a subscription. Messages already delivered stay in
 * the mailbox. Returns 0, RT_EINVAL, or RT_ENOENT (not subscribed).
 */
RT_API int rt_unsubscribe(const rt_topic *topic, rt_ref ref);

/*
 * rt_publish_new: an envelope for one message of `size` payload bytes to
 * publish on `topic` in `sys`; fill it, then pass it to rt_publish (or
 * rt_env_discard). Returns 0, RT_EINVAL, RT_ESHUTDOWN or RT_ENOMEM.
 */
RT_API int rt_publish_new(rt_system *sys, const rt_topic *topic,
    size_t size, rt_env **out);

/*
 * rt_publish: deliver `env` to every subscriber of its topic. Takes env in
 * every case. Returns how many deliveries failed (>= 0): subscribers whose
 * full `overflow reject` mailbox refused it, or for which no memory could
 * be had; 0 when there is no subscriber. A full `overflow drop` mailbox
 * drops its copy (a dead letter, as for a send, not a failure); a full
 * `overflow block` mailbox makes a plain thread wait for room, without a
 * time limit, and mutes a publishing actor. A subscriber that has stopped
 * for good is no subscriber: it is left out, not counted. Or returns
 * RT_EINVAL, RT_ESHUTDOWN, RT_ENOMEM: nothing was delivered.
 *
 * A supervised actor that restarts keeps its ref, and so its
 * subscriptions.
 */
RT_API int rt_publish(rt_env *env);

#ifdef __cplusplus
}
#endif

#endif
