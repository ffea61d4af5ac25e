/* SPDX-License-Identifier: MIT */
/*
 * Request/reply. A request is a message declared `message M -> R` in a .rtp
 * file: the actor that accepts it fills a reply R. Users call the typed
 * functions rtgen generates: P_A_call_M (a thread that is not an actor
 * blocks for the reply), P_A_ask_M (an actor gets the reply later, in
 * P_B_on_M_reply), P_reply_M (a deferred reply); the rt_* calls below are
 * what those wrap, plus rt_defer_reply, which handlers call directly.
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
#include <rt/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A correlation id: > 0, or a negative RT_E* code from a failed ask. */
typedef int64_t rt_corr;

/*
 * rt_reply_token: the right to answer one request later (rt_defer_reply).
 * A zeroed token answers nothing.
 */
typedef struct rt_reply_token {
	void *rec;
	uint64_t id;
} rt_reply_token;

/*
 * rt_defer_reply: from the handler of a request, take over its reply: the
 * handler then returns RT_DEFER, and the token is answered later, by this
 * actor or any other, with P_reply_M(token, &reply). A token must be
 * answered exactly once; one answered twice (the second answer returns
 * RT_ENOENT) or never (when the system shuts down) is reported through
 * the log hook, and a token never answered fails its request with
 * RT_ESHUTDOWN at shutdown. Outside the handler of a request that expects
 * a reply (it was sent, not asked or called), the token is zeroed.
 */
RT_API rt_reply_token rt_defer_reply(rt_ctx *ctx);

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
 * handler of a request, after rt_defer_reply, or for status 0.
 */
RT_API int rt_reply_error(rt_ctx *ctx, int status);

/*
 * rt_reply_token_error: answer the deferred request of `token` with the
 * error `status` (as rt_reply_error), consuming the token. Returns 0,
 * RT_EINVAL (zeroed token, status 0) or RT_ENOENT (answered before).
 */
RT_API int rt_reply_token_error(rt_reply_token token, int status);

/* --- for generated code ---------------------------------------------------- */

/* One per request message M -> R: what the runtime must know of it. */
typedef struct rt_request {
	const char *name;   /* "protocol.M" */
	size_t reply_size;  /* sizeof the reply struct */
} rt_request;

/* In an asking actor's class: where the replies to one request go. */
typedef struct rt_ask_route {
	const rt_request *request;
	uint32_t reply_tag; /* the tag of P_B_on_M_reply in the class */
} rt_ask_route;

/*
 * rt_request_new: rt_env_new for a request that will be asked or called
 * (room for where the reply goes is added after the payload).
 */
RT_API int rt_request_new(rt_ref to, uint32_t tag, size_t size,
    rt_env **out);

/*
 * rt_ask: send the request `env` (from rt_request_new, filled in) from the
 * actor whose handler runs in `ctx`, whose class routes replies to `req`.
 * Takes env in every case. Returns the correlation id (> 0), or
 * RT_EINVAL (not in a handler, or the actor does not ask `req`),
 * RT_ENOACTOR, RT_ESHUTDOWN, RT_EFULL (overflow reject), RT_ENOMEM. With
 * timeout >= 0, an answer not in by then is RT_ETIMEDOUT.
 */
RT_API rt_corr rt_ask(rt_ctx *ctx, rt_env *env, const rt_request *req,
    rt_duration timeout);

/*
 * rt_call: send the request `env` from a thread that is not one of the
 * system's actors and wait at most `timeout` (RT_FOREVER: no limit) for
 * the reply, which is copied to `reply` (`reply_size` bytes). Its strings
 * and bytes stay valid until the calling thread's next call (or its exit).
 * Takes env in every case. Returns 0, the request's error status
 * (RT_ENOACTOR, RT_EFULL, ...), RT_ETIMEDOUT, RT_EDEADLK from inside an
 * actor, RT_EINVAL (also when env's target is not in `sys`), RT_ESHUTDOWN
 * or RT_ENOMEM. In a test system
 * (rt/test.h), the call runs the actors, and the virtual clock from timer
 * to timer, until the reply comes or the timeout passes on that clock.
 */
RT_API int rt_call(rt_system *sys, rt_env *env, void *reply,
    size_t reply_size, rt_duration timeout);

/*
 * The handler side. Generated code calls rt_request_enter(ctx, msg)
 * before the user's handler of a request, then rt_request_leave with its
 * result: that returns the result for the runtime (0 after RT_DEFER) and
 * stores in *env an envelope for a reply of `size` payload bytes to fill
 * and pass to rt_reply_commit, or NULL when no reply is due now (deferred,
 * not asked, or the handler failed: the asker then gets RT_ENOACTOR).
 */
RT_API void rt_request_enter(rt_ctx *ctx, const void *msg);
RT_API int rt_request_leave(rt_ctx *ctx, int result, size_t size,
    rt_env **env);

/*
 * rt_reply_token_env: for P_reply_M: an envelope for the reply to the
 * request of `token`, which this consumes. Returns 0, RT_EINVAL (zeroed
 * token), RT_ENOENT (answered before) or RT_ENOMEM (the request is then
 * failed with RT_ENOMEM).
 */
RT_API int rt_reply_token_env(rt_reply_token token, size_t size,
    rt_env **env);

/* rt_reply_commit: send a reply envelope filled in. Never fails: what
 * cannot be delivered is a dead letter. */
RT_API void rt_reply_commit(rt_env *env);

/*
 * rt_reply_status: in P_B_on_M_reply's dispatch, the status and
 * correlation id of the reply whose payload is `msg`.
 */
RT_API int rt_reply_status(const void *msg, rt_corr *id);

#ifdef __cplusplus
}
#endif

#endif
