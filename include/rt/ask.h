/* SPDX-License-Identifier: MIT */
/*
 * Request/reply. A request is a message declared `message M -> R` in a .rtp
 * file: the actor that accepts it fills a reply R. Users call the typed
 * functions rtgen generates: P_A_call_M (a thread that is not a worker,
 * such as a plain thread or a `thread;` actor's handler, blocks for the
 * reply), P_A_ask_M (an actor gets the reply later, in
 * P_B_on_M_reply), P_reply_M (a deferred reply). This header has what
 * handlers call directly; what the generated functions wrap is in
 * <rt/protocol.h>.
 *
 * Every request is answered exactly once: by its handler's reply, by an
 * error status the handler chose (rt_reply_error), or with an error status
 * when it cannot be answered (its server stopped first or crashed
 * while handling it: RT_ENOACTOR; a full `overflow drop` mailbox dropped
 * it: RT_EFULL; its time-to-live ran out: RT_ETIMEDOUT), or by the asker's
 * own timeout (RT_ETIMEDOUT). A reply that comes after the timeout is a
 * dead letter, never a second answer. Replies travel as ordinary messages
 * (in order with the other messages from the same sender) but a bounded
 * mailbox never rejects or drops one: the asker asked for it.
 */
#ifndef RT_ASK_H
#define RT_ASK_H

#include <stddef.h>
#include <stdint.h>
#include <rt/version.h>
#include <rt/time.h>
#include <rt/actor.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A correlation id: > 0, or a negative RT_E* code from a failed ask. */
typedef int64_t rt_corr;

/*
 * rt_reply_token: the right to answer one request later (rt_reply_defer).
 * A zeroed token answers nothing.
 */
typedef struct rt_reply_token {
	void *rec;
	uint64_t id;
} rt_reply_token;

/*
 * rt_reply_defer: from the handler of a request, take over its reply: the
 * handler then returns RT_DEFER, and the token is answered later, by this
 * actor or any other, with P_reply_M(token, &reply). A token must be
 * answered exactly once; one answered twice (the second answer returns
 * RT_ENOENT) or never (when the system shuts down) is reported through
 * the log hook, and a token never answered fails its request with
 * RT_ESHUTDOWN at shutdown. Outside the handler of a request that expects
 * a reply (it was sent, not asked or called), the token is zeroed.
 */
RT_API rt_reply_token rt_reply_defer(rt_ctx *ctx);

/*
 * rt_reply_error: from the handler of a request, answer it with the error
 * `status` instead of a reply, without failing: the actor goes on, and the
 * asker receives `status` (as P_A_call_M's result, or as the status of
 * P_B_on_M_reply, whose reply is then NULL). `status` is any non-zero
 * int: an RT_E* code, or one of the application's own (rt's codes are all
 * negative, so positive ones never collide with them). The handler then
 * returns 0, which this returns, so `return rt_reply_error(ctx, RT_ENOENT);`
 * is the whole answer. A request that was sent, not asked or called, has
 * no one to answer: nothing is sent. Returns 0, or RT_EINVAL outside the
 * handler of a request, after rt_reply_defer, or for status 0.
 */
RT_API int rt_reply_error(rt_ctx *ctx, int status);

/*
 * rt_reply_token_error: answer the deferred request of `token` with the
 * error `status` (as rt_reply_error), consuming the token. Returns 0,
 * RT_EINVAL (zeroed token, status 0) or RT_ENOENT (answered before).
 */
RT_API int rt_reply_token_error(rt_reply_token token, int status);

#ifdef __cplusplus
}
#endif

#endif
