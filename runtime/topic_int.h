/* SPDX-License-Identifier: MIT */
/*
 * A system's topics (topic.c): for each topic used, its current set of
 * subscribers; and the shared bodies of published messages.
 */
#ifndef RT_RUNTIME_TOPIC_INT_H
#define RT_RUNTIME_TOPIC_INT_H

#include <pthread.h>
#include <stddef.h>
#include <rt/topic.h>

struct rti_topic_entry;

typedef struct rti_topics {
	pthread_mutex_t lock;         /* guards the table and its entries */
	struct rti_topic_entry *slot; /* open addressing by topic pointer */
	size_t size;                  /* a power of two, or 0 */
	size_t used;
} rti_topics;

int rti_topics_init(rti_topics *t);
void rti_topics_destroy(rti_topics *t);

/* rti_env_unshare: a topic's node lets go of its body, freed with its
 * last node (rti_env_free calls it for a shared node). */
void rti_env_unshare(struct rt_env *node);

#endif
