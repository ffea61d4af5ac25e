/* SPDX-License-Identifier: MIT */
/*
 * Envelopes: the header the runtime puts in front of every message, start
 * signal and stop signal, with the payload inline after it
 * (RT_ENV_PAYLOAD_OFFSET bytes from the start, an ABI constant generated code
 * relies on).
 */
#ifndef RT_RUNTIME_ENVELOPE_H
#define RT_RUNTIME_ENVELOPE_H

#include <pthread.h>
#include <stdint.h>
#include <rt/protocol.h>

#include "mailbox.h"

enum rti_env_kind {
	RTI_ENV_MSG = 0, /* a user message, `tag` local to the class */
	/* Handled like messages, in order with them (rti_env_as_message):
	 * one range, so that telling them apart is one comparison. */
	RTI_ENV_REPLY = 1, /* the answer to a request (ask_int.h): to an actor,
	                      handled like a message; to a waiting thread
	                      (cell NULL), handed to it */
	RTI_ENV_DOWN = 2,  /* a watched (or linked, trapping) actor exited;
	                      handled by on_down (struct rti_bond_msg) */
	RTI_ENV_SUP = 3,   /* to a supervisor from the runtime (struct
	                      rti_bond_msg; `what` says which: a child started,
	                      a child to adopt, one of its timers fired, stop) */
	RTI_ENV_IO = 4,    /* a watched descriptor is ready; handled by
	                      on_io (struct rti_io_msg, io.h) */
	/* Signals, acted on as they are taken from the mailbox. */
	RTI_ENV_START = 5,   /* create the incarnation `gen` of class `cls` */
	RTI_ENV_STOP = 6,    /* stop incarnation `gen` with `reason` */
	RTI_ENV_RESTART = 7, /* a supervised child starts again */
	/* Bonds (bonds.h): signals with a struct rti_bond_msg payload. */
	RTI_ENV_LINK = 8,       /* link the sender and the target */
	RTI_ENV_UNLINK = 9,     /* undo a link */
	RTI_ENV_MONITOR = 10,   /* the sender watches the target */
	RTI_ENV_DEMONITOR = 11, /* ... no longer */
	RTI_ENV_EXIT = 12,      /* a linked actor exited with `reason` */
	RTI_ENV_TRACE = 13,     /* rt_trace: `reason` 1 turns the tracing of
	                           each message on, 0 off (no payload); in
	                           the lanes, in order with the messages,
	                           with RTI_ENV_ODD (actor.c) */
};

enum rti_env_flags {
	RTI_ENV_COUNTED = 1u << 0, /* counted in its cell's bounded `count` */
	RTI_ENV_REQUEST = 1u << 1, /* a request whose answer's address
	                              follows the payload (ask_int.h) */
	RTI_ENV_SHARED = 1u << 2,  /* a subscriber's node: the payload is a
	                              pointer to a published body (topic.c) */
	RTI_ENV_PUBLISH = 1u << 3, /* a published body, shared by nodes */
	RTI_ENV_TTL = 1u << 4,     /* u.deadline is set: it may expire */
	RTI_ENV_ODD = 1u << 5,     /* a message not for the dispatch switch
	                              (a down, a supervisor's event, a
	                              readiness) */
	RTI_ENV_FINAL = 1u << 6,   /* RTI_ENV_STOP: for good, even for a
	                              supervised child */
	RTI_ENV_CHILD = 1u << 7,   /* RTI_ENV_START of a supervised child: a
	                              struct rti_child_start trailer */
};

struct rt_env {
	rti_mpsc_node node; /* mailbox link; must stay first */
	rt_cell *cell;      /* the target */
	uint64_t gen;       /* the target's incarnation; a start signal
	                       with no cell yet carries its rt_system here
	                       (rt_spawn_prepare) */
	union {
		const rt_actor_class *cls; /* RTI_ENV_START: the class */
		int64_t deadline;          /* RTI_ENV_MSG with RTI_ENV_TTL: the
		                              system's time after which it
		                              expires */
		struct rti_call *call;     /* RTI_ENV_REPLY to a thread */
		uint64_t refs;             /* RTI_ENV_PUBLISH: atomic, the nodes
		                              (and publisher) holding it */
	} u;
	union {
		uint32_t tag;   /* RTI_ENV_MSG: the message */
		int32_t reason; /* RTI_ENV_STOP, EXIT, DOWN: the exit
		                   reason */
	} v;
	uint32_t size;  /* payload bytes */
	uint8_t kind;   /* enum rti_env_kind */
	uint8_t prio;   /* enum rt_priority */
	uint8_t flags;  /* enum rti_env_flags */
	uint8_t pool;   /* its block's size class (pool.h), 0 if
	                   none */
	int32_t status; /* RTI_ENV_REPLY: 0, an RT_E* code, or one
	                   a handler chose (rt_reply_error) */
};

_Static_assert(sizeof(struct rt_env) <= RT_ENV_PAYLOAD_OFFSET,
    "the envelope header must fit before the payload");
_Static_assert(RT_ENV_PAYLOAD_OFFSET % 16 == 0,
    "payloads must be aligned for any type");

/*
 * Envelope pools. Envelopes come in size classes of 64 to 2048 bytes
 * (header included), small actor states also in 32; each worker keeps a cache of free blocks per class, and
 * hands surplus to its system's depot in batches, where other workers take
 * them back. Every block is an ordinary malloc'd block of its class size, so
 * any thread may free any envelope with free() when no cache is at hand
 * (threads outside a system, shutdown). Larger envelopes are malloc'd
 * exactly and freed at once. AddressSanitizer builds do not pool, so that
 * every envelope's lifetime stays visible to it.
 */
#define RTI_ENV_CLASSES 7
#define RTI_ENV_BATCH 64
/*
 * A worker's cache of one class is a list of up to RTI_ENV_BATCH blocks
 * and a spare batch (Bonwick's magazines): a full list becomes the spare,
 * and the old spare goes to the depot, without walking either list; an
 * empty list takes the spare back. So the depot sees a worker at most
 * once per RTI_ENV_BATCH blocks, and one that allocates and frees around
 * a batch boundary does not see it at all.
 */
/*
 * The depot keeps at most this many bytes of free blocks per class; more are
 * freed. Enough for the tens of thousands of small messages in flight that
 * a flood brings, so that they come back to the senders instead of going
 * through malloc.
 */
#define RTI_ENV_DEPOT_BYTES (8u << 20)

/* AddressSanitizer builds do not pool (see above). */
#if defined(__SANITIZE_ADDRESS__)
#define RTI_POOLS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTI_POOLS 0
#endif
#endif
#ifndef RTI_POOLS
#define RTI_POOLS 1
#endif

typedef struct rti_env_cache {
	rt_env *head;   /* free blocks, linked by node.next */
	uint32_t count; /* ... how many */
	rt_env *spare;  /* a full batch of RTI_ENV_BATCH more, or NULL
	                   (workers only) */
} rti_env_cache;

typedef struct rti_env_depot {
	pthread_mutex_t lock;
	rt_env *batches; /* batches of RTI_ENV_BATCH blocks, linked through
	                    the first block's `cell` field */
	uint32_t nbatches;
} rti_env_depot;

/*
 * The allocation functions are inline, in pool.h:
 *
 * rti_env_alloc(size): a zeroed header with `size` bytes of payload, or
 * NULL; from the calling worker's cache when there is one.
 * rti_env_free(env): release an envelope; NULL is a no-op. Any thread.
 * rti_block_alloc(size), rti_block_free(block, size): the same pools for
 * other small blocks (actor state): aligned for any type; free with the
 * same size, or with free().
 */

int rti_env_depot_init(rti_env_depot *depots);

/* rti_env_caches_drain: free a worker's caches into nothing (teardown). */
void rti_env_caches_drain(rti_env_cache *caches);

/* rti_env_depot_destroy: free every block the depots hold. */
void rti_env_depot_destroy(rti_env_depot *depots);

static inline rt_env *
rti_env_of(rti_mpsc_node *n)
{
	return (rt_env *)n;
}

/*
 * Trailers: requests, answers and published bodies carry runtime data
 * after the message, in the last `size` bytes of the payload, so that
 * ordinary messages pay nothing for them. rti_trailer_room: the payload
 * size for a message of `msg` bytes and a trailer of `size`;
 * rti_env_trailer: where an envelope's trailer of `size` bytes is.
 */
static inline size_t
rti_trailer_room(size_t msg, size_t size)
{
	return ((msg + 7) & ~(size_t)7) + size;
}

static inline void *
rti_env_trailer(rt_env *env, size_t size)
{
	return (char *)rt_env_payload(env) + env->size - size;
}

/* The message an envelope carries: its own payload, or a node's body's. */
static inline void *
rti_env_msg(rt_env *env)
{
	if (__builtin_expect(env->flags & RTI_ENV_SHARED, 0))
		return rt_env_payload(*(rt_env **)rt_env_payload(env));
	return rt_env_payload(env);
}

/*
 * rti_env_name: what `env` is called in reports and probes: the name of
 * its message in `cls`, its target's class (NULL: not known), or what the
 * runtime sent ("down", "supervisor event", "io"); NULL when neither
 * says.
 */
static inline const char *
rti_env_name(const rt_actor_class *cls, const rt_env *env)
{
	switch (env->kind) {
	case RTI_ENV_DOWN:
		return "down";
	case RTI_ENV_SUP:
		return "supervisor event";
	case RTI_ENV_IO:
		return "io";
	default:
		break;
	}
	if (cls != NULL && cls->tag_names != NULL && env->v.tag < cls->ntags)
		return cls->tag_names[env->v.tag];
	return NULL;
}

#endif
