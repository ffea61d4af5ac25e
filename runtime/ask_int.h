/* SPDX-License-Identifier: MIT */
/*
 * Request/reply inside the runtime (rt/ask.h).
 *
 * A request asked or called carries, after its payload, where its answer
 * goes (struct rti_req): the asking actor (cell, incarnation, correlation
 * id, the tag of its reply handler) or the waiting thread (struct
 * rti_call). An answer to an actor is an envelope of kind RTI_ENV_REPLY
 * with its correlation id after its payload and its status in the header;
 * the asker's drain lets it through only if the id is still pending in the
 * asker's table (struct rti_asks), so an answer that comes after the
 * timeout, or a second one, is a dead letter.
 */
#ifndef RT_RUNTIME_ASK_INT_H
#define RT_RUNTIME_ASK_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <rt/ask.h>

#include "cell.h"
#include "envelope.h"

struct rti_call;

struct rti_req {
	rt_cell *cell; /* the asking actor, or NULL */
	uint64_t gen;
	struct rti_call *call; /* the waiting thread, or NULL */
	int64_t corr;
	uint32_t reply_tag;
	uint32_t pad;
};

/* The deferred-reply tokens of a system. */
struct rti_token;
typedef struct rti_tokens {
	pthread_mutex_t lock;
	struct rti_token *live; /* not yet answered */
	struct rti_token *free;
	struct rti_token_chunk *chunks;
	uint64_t next_id;
	bool closed;
} rti_tokens;

int rti_tokens_init(rti_tokens *t);

/*
 * rti_tokens_close: at shutdown, after the workers are gone: report every
 * token never answered and fail its request with RT_ESHUTDOWN.
 */
void rti_tokens_close(rt_system *sys, rti_tokens *t);
void rti_tokens_destroy(rti_tokens *t);

/*
 * rti_request_failed: `env`, a request, will never be handled (a dead
 * letter for `cause`): answer its asker or caller with the matching error.
 */
void rti_request_failed(rt_env *env, rt_dead_cause cause);

/*
 * rti_reply_arrived: in the asker's drain, an answer for the live actor of
 * `cell`: true if its id was pending (now it is not: the answer is to be
 * handled), false if it is late or a duplicate (a dead letter).
 */
bool rti_reply_arrived(rt_cell *cell, rt_env *env);

/* rti_asks_free: the asker stops for good: forget its pending asks. */
void rti_asks_free(rt_cell *cell);

#endif
