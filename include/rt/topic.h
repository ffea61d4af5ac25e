/* SPDX-License-Identifier: MIT */
/*
 * Topics: publish one message to every actor subscribed to a topic. A .rtp
 * file declares `topic T : M;`; users call the typed functions rtgen
 * generates (P_T_publish, P_A_subscribe_T, P_A_unsubscribe_T), which wrap
 * the calls of <rt/protocol.h>; this header has the topic handle and what
 * a publish and a subscription do.
 *
 * A publish copies the message once: every subscriber's delivery shares that
 * one immutable copy (reference-counted; a subscriber's mailbox holds a
 * small node pointing at it). A message of at most RT_PUBLISH_COPY_MAX
 * bytes with no strings or bytes is copied into each delivery instead,
 * which costs less than the shared count. Each subscriber gets the
 * messages of one publisher in the order they were published. A
 * subscriber that stops for good is dropped from its topics. A subscriber
 * with a full bounded mailbox gets its overflow policy: drop makes a dead
 * letter, reject refuses that delivery, block makes a plain thread wait
 * and mutes a publishing actor, as a send would. The publisher learns how
 * many deliveries failed.
 */
#ifndef RT_TOPIC_H
#define RT_TOPIC_H

#include <stddef.h>
#include <stdint.h>
#include <rt/version.h>
#include <rt/actor.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One per `topic T : M` (generated, P_T_topic). */
typedef struct rt_topic {
	const char *name; /* "protocol.T" */
} rt_topic;

#ifdef __cplusplus
}
#endif

#endif
