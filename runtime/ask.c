/* SPDX-License-Identifier: MIT */
/*
 * Request/reply (rt/ask.h, ask_int.h): asks from actors, blocking calls
 * from other threads, replies, deferred replies, and the failures that
 * answer a request nobody will handle.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <rt/wire.h>

#include "ask_int.h"
#include "bonds.h"
#include "deadletter.h"
#include "log.h"
#include "park.h"
#include "pool.h"
#include "send_int.h"
#include "system_int.h"
#include "testkit.h"
#include "thread.h"
#include "timer.h"

/* --- envelopes --------------------------------------------------------------- */

static struct rti_req *
req_of(rt_env *env)
{
	return rti_env_trailer(env, sizeof(struct rti_req));
}

/* The envelope whose payload is `msg`. */
static rt_env *
env_of_payload(const void *msg)
{
	return (rt_env *)((char *)msg - RT_ENV_PAYLOAD_OFFSET);
}

/* An answer to an asking actor carries its correlation id last. */
static int64_t *
corr_of(rt_env *env)
{
	return rti_env_trailer(env, sizeof(int64_t));
}

static bool
expects_answer(const struct rti_req *rq)
{
	return rq->cell != NULL || rq->call != NULL;
}

int
rt_request_new(rt_ref to, uint32_t tag, size_t size, rt_env **out)
{
	rt_env *env;
	int rc;

	if (size > SIZE_MAX / 2)
		return RT_ENOMEM;
	rc = rt_env_new(to, tag, rti_trailer_room(size, sizeof(struct rti_req)),
	    &env);
	if (rc != 0)
		return rc;
	env->flags |= RTI_ENV_REQUEST;
	memset(req_of(env), 0, sizeof(struct rti_req));
	*out = env;
	return 0;
}

/* --- blocked callers ------------------------------------------------------------ */

/*
 * A caller spins while CALL_WAITING and says CALL_SLEEPING before its futex
 * wait, so that an answer wakes it with a system call only when it sleeps.
 */
enum { CALL_WAITING = 0, CALL_DONE = 1, CALL_ABANDONED = 2, CALL_SLEEPING = 3 };

struct rti_call {
	uint32_t state; /* atomic futex word: CALL_* */
	uint32_t refs;  /* atomic: the caller and the answer */
	rt_system *sys;
	rt_env *reply; /* the answer, once state is CALL_DONE */
	/* A relayed request (rt_request_relay): the answer goes to fn, and
	 * nobody waits. */
	rt_relay_fn fn;
	void *arg;
};

/* A thread's spare call record: the caller is most often the last to let
 * go of one, and keeps it for its next call. */
static __thread struct rti_call *spare_call
    __attribute__((tls_model("initial-exec")));

static void keep_for_thread_exit(void);

static struct rti_call *
call_new(void)
{
	struct rti_call *c = spare_call;

	if (c != NULL) {
		spare_call = NULL;
		return c;
	}
	return malloc(sizeof(*c));
}

/* `caller`: the calling thread lets go (it may keep the record). */
static void
call_unref(struct rti_call *c, bool caller)
{
	/* Release our accesses before the other side frees (and acquire
	 * theirs when we are last). */
	RT_TSAN_RELEASE(&c->refs);
	ck_pr_fence_release();
	if (ck_pr_faa_32(&c->refs, (uint32_t)-1) == 1) {
		ck_pr_fence_atomic_load();
		RT_TSAN_ACQUIRE(&c->refs);
		if (caller && spare_call == NULL) {
			spare_call = c;
			keep_for_thread_exit();
		} else {
			free(c);
		}
	}
}

/* Hand an answer to its waiting thread; a late one is a dead letter. */
static void
call_answer(struct rti_call *c, rt_env *env)
{
	if (c->fn != NULL) {
		c->fn(c->arg, env->status,
		    env->status == 0 ? rt_env_payload(env) : NULL,
		    env->status == 0 ? env->size : 0);
		rti_env_free(env);
		free(c);
		return;
	}
	c->reply = env;
	/* Release: the answer before the state (pairs with the caller's
	 * acquire once it sees CALL_DONE). */
	RT_TSAN_RELEASE(&c->state);
	ck_pr_fence_store_atomic();
	if (ck_pr_cas_32(&c->state, CALL_WAITING, CALL_DONE)) {
		/* Still spinning: it sees the state. */
	} else if (ck_pr_cas_32(&c->state, CALL_SLEEPING, CALL_DONE)) {
		rti_futex_wake(&c->state, 1);
	} else {
		/* The caller gave up: this answer is late. */
		rti_count(c->sys, sent, 1);
		rti_dead_letter(c->sys, NULL, env, RT_DEAD_EXPIRED);
		rti_env_free(env);
	}
	call_unref(c, false);
}

/* The last answer a thread's call got: its strings live in it. It and the
 * spare record are freed at the thread's exit (exit_key). */
static __thread rt_env *last_reply __attribute__((tls_model("initial-exec")));
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
static __thread bool thread_keyed __attribute__((tls_model("initial-exec")));

static void
thread_exit(void *unused)
{
	(void)unused;
	/* At thread exit: the pools' thread caches may be gone already, and
	 * every pooled block is an ordinary malloc'd one. */
	free(last_reply);
	last_reply = NULL;
	free(spare_call);
	spare_call = NULL;
}

static void
exit_key_init(void)
{
	(void)pthread_key_create(&exit_key, thread_exit);
}

/* Once per thread: any value other than NULL makes thread_exit run at
 * its exit, which frees what the thread keeps then. */
static void
keep_for_thread_exit(void)
{
	if (thread_keyed)
		return;
	pthread_once(&exit_once, exit_key_init);
	if (pthread_setspecific(exit_key, &last_reply) == 0)
		thread_keyed = true;
}

static void
keep_last_reply(rt_env *env)
{
	rti_env_free(last_reply);
	last_reply = env;
	keep_for_thread_exit();
}

/* --- answers ------------------------------------------------------------------ */

/*
 * An envelope for the answer to `rq` with `status` and `size` payload
 * bytes, or NULL for lack of memory.
 */
static rt_env *
answer_env(rt_system *sys, const struct rti_req *rq, int status, size_t size)
{
	rt_env *env;

	if (rq->cell != NULL) {
		env = rti_env_alloc_sys(sys,
		    rti_trailer_room(size, sizeof(int64_t)));
		if (env == NULL)
			return NULL;
		env->cell = rq->cell;
		env->gen = rq->gen;
		env->v.tag = rq->reply_tag;
		*corr_of(env) = rq->corr;
	} else {
		env = rti_env_alloc_sys(sys, size);
		if (env == NULL)
			return NULL;
		env->u.call = rq->call;
	}
	env->kind = RTI_ENV_REPLY;
	env->status = status;
	return env;
}

void
rt_reply_commit(rt_env *env)
{
	if (env == NULL)
		return;
	if (env->cell == NULL)
		call_answer(env->u.call, env);
	else
		rti_send_internal(env, RTI_SEND_REPLY);
}

/* Answer `rq` with an error status and no reply. */
static void
answer_error(rt_system *sys, const struct rti_req *rq, int status)
{
	rt_env *env = answer_env(sys, rq, status, 0);

	if (env == NULL) {
		/* An asker's own timeout still answers it; a caller without
		 * one would wait for ever, so this is worth a line. */
		rti_log(sys, RT_LOG_ERROR,
		    "request/reply: no memory to "
		    "report a failed request (%s)",
		    rt_strerror(status));
		return;
	}
	rt_reply_commit(env);
}

void
rti_request_failed(rt_env *env, rt_dead_cause cause)
{
	struct rti_req *rq = req_of(env);

	if (!expects_answer(rq))
		return;
	answer_error(env->cell->sys, rq,
	    cause == RT_DEAD_DROPPED     ? RT_EFULL :
		cause == RT_DEAD_EXPIRED ? RT_ETIMEDOUT :
					   RT_ENOACTOR);
	/* Answered: a second failure of the same envelope says nothing. */
	memset(rq, 0, sizeof(*rq));
}

int
rt_reply_status(const void *msg, rt_corr *id)
{
	rt_env *env;

	if (msg == NULL)
		return RT_EINVAL;
	env = env_of_payload(msg);
	if (id != NULL)
		*id = *corr_of(env);
	return env->status;
}

/* --- the asker's table of pending asks -------------------------------------- */

#define EMPTY 0
#define GONE (-1)

struct rti_pending {
	int64_t corr;     /* EMPTY, GONE or an id */
	rt_timer timeout; /* zeroed when there is none */
};

struct rti_asks {
	int64_t seq;   /* the last id given */
	uint32_t size; /* slots, a power of two */
	uint32_t used; /* ids plus GONE marks */
	uint32_t live; /* ids */
	struct rti_pending *slot;
};

static struct rti_pending *
pending_find(struct rti_asks *a, int64_t corr)
{
	uint32_t i, mask = a->size - 1;

	for (i = (uint32_t)corr & mask;; i = (i + 1) & mask)
		if (a->slot[i].corr == corr || a->slot[i].corr == EMPTY)
			return &a->slot[i];
}

static int
pending_grow(struct rti_asks *a)
{
	struct rti_asks bigger = *a;
	uint32_t i;

	/* Double only when the ids themselves need it; else just sweep the
	 * GONE marks out. */
	bigger.size = a->live * 2 + 2 > a->size / 2 ? a->size * 2 : a->size;
	if (bigger.size < 16)
		bigger.size = 16;
	bigger.slot = calloc(bigger.size, sizeof(*bigger.slot));
	if (bigger.slot == NULL)
		return RT_ENOMEM;
	bigger.used = a->live;
	for (i = 0; i < a->size; i++)
		if (a->slot[i].corr > 0)
			*pending_find(&bigger, a->slot[i].corr) = a->slot[i];
	free(a->slot);
	*a = bigger;
	return 0;
}

/* A new pending ask, or NULL for lack of memory. */
static struct rti_pending *
pending_add(rt_cell *cell)
{
	struct rti_ext *x = rti_ext_get(cell);
	struct rti_asks *a = x != NULL ? x->asks : NULL;
	struct rti_pending *p;

	if (x == NULL)
		return NULL;
	if (a == NULL) {
		a = calloc(1, sizeof(*a));
		if (a == NULL)
			return NULL;
		x->asks = a;
	}
	if ((a->used + 1) * 4 > a->size * 3 && pending_grow(a) != 0)
		return NULL;
	p = pending_find(a, ++a->seq);
	p->corr = a->seq;
	memset(&p->timeout, 0, sizeof(p->timeout));
	a->used++;
	a->live++;
	return p;
}

static void
pending_remove(struct rti_asks *a, struct rti_pending *p)
{
	if (p->timeout.slot != NULL)
		/* 0, or RT_ENOENT when it already fired: its answer is then
		 * on its way, and will find the id gone. */
		(void)rt_timer_cancel(p->timeout);
	p->corr = GONE;
	a->live--;
}

bool
rti_reply_arrived(rt_cell *cell, rt_env *env)
{
	struct rti_asks *a = cell->ext != NULL ? cell->ext->asks : NULL;
	struct rti_pending *p;

	if (a == NULL || a->size == 0)
		return false;
	p = pending_find(a, *corr_of(env));
	if (p->corr <= 0)
		return false;
	pending_remove(a, p);
	return true;
}

void
rti_asks_free(rt_cell *cell)
{
	struct rti_asks *a = cell->ext != NULL ? cell->ext->asks : NULL;
	uint32_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->size; i++)
		if (a->slot[i].corr > 0)
			pending_remove(a, &a->slot[i]);
	free(a->slot);
	free(a);
	cell->ext->asks = NULL;
}

/* --- asking and calling -------------------------------------------------------- */

rt_corr
rt_ask(rt_ctx *ctx, rt_env *env, const rt_request *req, rt_duration timeout)
{
	const rt_actor_class *cls;
	struct rti_pending *p;
	struct rti_req *rq;
	rt_cell *cell;
	int64_t corr;
	uint32_t i;
	int rc;

	if (env == NULL)
		return RT_EINVAL;
	if (ctx == NULL || ctx->cell == NULL || req == NULL ||
	    env->kind != RTI_ENV_MSG || !(env->flags & RTI_ENV_REQUEST)) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	cell = ctx->cell;
	cls = cell->cls;
	for (i = 0; i < cls->nasks; i++)
		if (cls->asks[i].request == req)
			break;
	if (i == cls->nasks) {
		/* Its class has no reply handler for this request. */
		rt_env_discard(env);
		return RT_EINVAL;
	}
	p = pending_add(cell);
	if (p == NULL) {
		rt_env_discard(env);
		return RT_ENOMEM;
	}
	rq = req_of(env);
	rq->cell = cell;
	rq->gen = ctx->gen;
	rq->call = NULL;
	rq->corr = corr = p->corr;
	rq->reply_tag = cls->asks[i].reply_tag;
	if (timeout >= 0) {
		rt_env *t = answer_env(ctx->sys, rq, RT_ETIMEDOUT, 0);

		rc = t != NULL ? rti_timer_start(t, timeout, &p->timeout) :
				 RT_ENOMEM;
		if (rc != 0) {
			memset(&p->timeout, 0, sizeof(p->timeout));
			pending_remove(cell->ext->asks, p);
			rt_env_discard(env);
			return rc;
		}
	}
	/* Nothing below touches the table, so p stays where it is. */
	rc = rt_env_send_opts(env, NULL);
	if (rc != 0) {
		/* Told now, so never answered. */
		pending_remove(cell->ext->asks, p);
		return rc;
	}
	return corr;
}

/*
 * How long a caller watches for its answer before it sleeps. A worker that
 * is awake answers a small request in well under this; sleeping at once
 * would add two futex wake-ups (tens of microseconds on a virtual machine)
 * to every call.
 */
#define CALL_SPIN_NS 20000

static void
spin_for_answer(struct rti_call *c)
{
	int64_t until;

	/* Relaxed, as below; answered already when the caller ran the
	 * actor itself (rti_caller_run), and then the clock is not read. */
	if (ck_pr_load_32(&c->state) != CALL_WAITING)
		return;
	until = rti_clock_now() + CALL_SPIN_NS;
	for (;;) {
		int i;

		for (i = 0; i < 64; i++) {
			/* Relaxed: the acquire comes after the wait. */
			if (ck_pr_load_32(&c->state) != CALL_WAITING)
				return;
			ck_pr_stall();
		}
		if (rti_clock_now() > until)
			return;
	}
}

int
rt_call(rt_system *sys, rt_env *env, void *reply, size_t reply_size,
    rt_duration timeout)
{
	struct rti_call *c;
	struct rti_req *rq;
	rt_cell *cell;
	rt_send_opts opts = { .priority = RT_PRIO_NORMAL };
	int64_t deadline;
	int rc;

	if (env == NULL)
		return RT_EINVAL;
	if (sys == NULL || env->kind != RTI_ENV_MSG ||
	    !(env->flags & RTI_ENV_REQUEST) || env->cell == NULL ||
	    env->cell->sys != sys || (reply == NULL && reply_size != 0)) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	if (rti_sched_worker(sys) != NULL || rti_caller_inside(sys)) {
		/* An actor would block its worker (or the caller running
		 * it): it asks instead. */
		rt_env_discard(env);
		return RT_EDEADLK;
	}
	c = call_new();
	if (c == NULL) {
		rt_env_discard(env);
		return RT_ENOMEM;
	}
	c->state = CALL_WAITING;
	c->refs = 2;
	c->sys = sys;
	c->reply = NULL;
	c->fn = NULL;
	rq = req_of(env);
	rq->call = c;
	deadline = timeout < 0 ? -1 : rti_clock_now() + timeout;
	if (timeout > 0)
		opts.timeout = timeout;
	cell = env->cell;
	rti_tls_lazy_wake = true;
	/*
	 * A call without a time limit to an idle actor runs it here, on the
	 * caller's thread (rti_caller_run): the caller would wait for the
	 * handler however long it took, and the answer needs no trip to
	 * another core and back. Not with a limit, which must hold whatever
	 * the handler does (only a worker's run can outlast it); nor where a
	 * watchdog times every handler on the workers; nor on a worker of
	 * another system, which has its own actors to run.
	 */
	if (timeout < 0 && !sys->manual && sys->watchdog == NULL &&
	    rti_tls_worker == NULL)
		rti_tls_take = cell;
	rc = rt_env_send_opts(env, &opts);
	rti_tls_lazy_wake = false;
	rti_tls_take = NULL;
	if (rti_tls_taken) {
		rti_tls_taken = false;
		rti_caller_run(sys, cell, &c->state, CALL_WAITING);
	}
	if (rc != 0) {
		free(c);
		return rc;
	}
	if (sys->manual) {
		rc = rti_test_call_wait(sys, &c->state, timeout);
	} else {
		rc = 0;
		spin_for_answer(c);
		/* Late: the send woke nobody (rti_tls_lazy_wake), and the
		 * awake workers may all be busy. */
		if (ck_pr_load_32(&c->state) == CALL_WAITING)
			rti_sched_kick(sys);
		/* Say we sleep; fails only when the answer came. The CAS
		 * orders itself against the answerer's CAS on the same word,
		 * and the answer is acquired after the loop. */
		(void)ck_pr_cas_32(&c->state, CALL_WAITING, CALL_SLEEPING);
		while (ck_pr_load_32(&c->state) == CALL_SLEEPING) {
			int64_t left = deadline < 0 ?
			    -1 :
			    deadline - rti_clock_now();

			if (deadline >= 0 && left <= 0) {
				rc = RT_ETIMEDOUT;
				break;
			}
			rti_futex_wait(&c->state, CALL_SLEEPING, left);
		}
	}
	if (rc != 0 &&
	    (ck_pr_cas_32(&c->state, CALL_WAITING, CALL_ABANDONED) ||
		ck_pr_cas_32(&c->state, CALL_SLEEPING, CALL_ABANDONED))) {
		/* The answer, when it comes, is a dead letter. */
		call_unref(c, true);
		return RT_ETIMEDOUT;
	}
	/* Acquire: the answer is complete (pairs with call_answer). */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&c->state);
	env = c->reply;
	call_unref(c, true);
	rc = env->status;
	if (rc == 0) {
		memcpy(reply, rt_env_payload(env),
		    reply_size < env->size ? reply_size : env->size);
		keep_last_reply(env);
	} else {
		rti_env_free(env);
	}
	return rc;
}

int
rt_request_relay(rt_env *env, rt_relay_fn fn, void *arg, bool here)
{
	struct rti_call *c;
	int rc;

	if (env == NULL)
		return RT_EINVAL;
	if (fn == NULL || env->kind != RTI_ENV_MSG ||
	    !(env->flags & RTI_ENV_REQUEST) || env->cell == NULL) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	c = malloc(sizeof(*c));
	if (c == NULL) {
		rt_env_discard(env);
		return RT_ENOMEM;
	}
	/* Only the answer holds it: call_answer frees it. */
	c->state = CALL_WAITING;
	c->refs = 1;
	c->sys = env->cell->sys;
	c->reply = NULL;
	c->fn = fn;
	c->arg = arg;
	req_of(env)->call = c;
	rc = here ? rti_send_here(env) : rt_env_send_nowait(env);
	/* Run here, the answer may have freed c already: only a refusal
	 * (which answers nothing) leaves it to us. */
	if (rc != 0)
		free(c);
	return rc;
}

/* --- the server's side ----------------------------------------------------------- */

void
rt_request_enter(rt_ctx *ctx, const void *msg)
{
	if (ctx == NULL)
		return;
	ctx->req = msg;
	ctx->deferred = false;
	ctx->reply_error = 0;
}

int
rt_request_leave(rt_ctx *ctx, int result, size_t size, rt_env **out)
{
	struct rti_req *rq;
	rt_env *req;
	bool deferred;
	int status;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || ctx->req == NULL)
		return result;
	req = env_of_payload(ctx->req);
	deferred = ctx->deferred;
	status = ctx->reply_error;
	ctx->req = NULL;
	ctx->deferred = false;
	ctx->reply_error = 0;
	if (result == 0 && ctx->worker->stash)
		/* Kept (rt_stash, or postponed): it is answered when it is
		 * handled again. */
		return 0;
	rq = (req->flags & RTI_ENV_REQUEST) ? req_of(req) : NULL;
	if (deferred)
		/* The token answers it, whatever the handler does now. */
		return result == RT_DEFER ? 0 : result;
	if (rq == NULL || !expects_answer(rq))
		return result == RT_DEFER ? 0 : result;
	if (result == RT_DEFER) {
		rti_log(ctx->sys, RT_LOG_ERROR,
		    "actor %s returned RT_DEFER "
		    "from a request handler without rt_reply_defer",
		    ctx->cell->cls->name);
		answer_error(ctx->sys, rq, RT_EINVAL);
		return 0;
	}
	if (result != 0) {
		/* The server crashes: it will never answer. */
		answer_error(ctx->sys, rq, RT_ENOACTOR);
		return result;
	}
	if (status != 0) {
		/* It answers with an error, and goes on. */
		answer_error(ctx->sys, rq, status);
		return 0;
	}
	if (out == NULL)
		return RT_EINVAL;
	*out = answer_env(ctx->sys, rq, 0, size);
	if (*out == NULL)
		answer_error(ctx->sys, rq, RT_ENOMEM);
	return 0;
}

int
rt_reply_error(rt_ctx *ctx, int status)
{
	if (ctx == NULL || ctx->req == NULL || ctx->deferred || status == 0)
		return RT_EINVAL;
	ctx->reply_error = status;
	return 0;
}

/* --- deferred replies ---------------------------------------------------------- */

struct rti_token {
	struct rti_token *next, *prev; /* live list, or free list (next) */
	rt_system *sys;                /* immutable once carved */
	uint64_t id;                   /* odd while live */
	struct rti_req rq;
	const char *what; /* "actor/message", for reports */
};

#define TOKENS_PER_CHUNK 64

struct rti_token_chunk {
	struct rti_token_chunk *next;
	struct rti_token tokens[TOKENS_PER_CHUNK];
};

int
rti_tokens_init(rti_tokens *t)
{
	memset(t, 0, sizeof(*t));
	t->next_id = 1;
	return pthread_mutex_init(&t->lock, NULL) == 0 ? 0 : RT_ENOMEM;
}

rt_reply_token
rt_reply_defer(rt_ctx *ctx)
{
	rt_reply_token none = { NULL, 0 }, tok;
	struct rti_token *k;
	rti_tokens *t;
	rt_env *req;

	/* A kept request is answered when it is handled again. */
	if (ctx == NULL || ctx->req == NULL || ctx->deferred ||
	    ctx->worker->stash)
		return none;
	req = env_of_payload(ctx->req);
	if (!(req->flags & RTI_ENV_REQUEST) || !expects_answer(req_of(req)))
		return none;
	t = ctx->sys->tokens;
	pthread_mutex_lock(&t->lock);
	if (t->closed) {
		pthread_mutex_unlock(&t->lock);
		return none;
	}
	if (t->free == NULL) {
		struct rti_token_chunk *c = calloc(1, sizeof(*c));
		unsigned i;

		if (c == NULL) {
			pthread_mutex_unlock(&t->lock);
			return none;
		}
		c->next = t->chunks;
		t->chunks = c;
		for (i = 0; i < TOKENS_PER_CHUNK; i++) {
			c->tokens[i].sys = ctx->sys;
			c->tokens[i].next = t->free;
			t->free = &c->tokens[i];
		}
	}
	k = t->free;
	t->free = k->next;
	k->id = t->next_id;
	t->next_id += 2;
	k->rq = *req_of(req);
	k->what = ctx->cell->cls->name;
	k->prev = NULL;
	k->next = t->live;
	if (t->live != NULL)
		t->live->prev = k;
	t->live = k;
	tok.rec = k;
	tok.id = k->id;
	pthread_mutex_unlock(&t->lock);
	ctx->deferred = true;
	return tok;
}

/* Take a live token off the list (under the lock). */
static void
token_release(rti_tokens *t, struct rti_token *k)
{
	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		t->live = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	k->id++;
	k->next = t->free;
	t->free = k;
}

/*
 * Consume `token`: the request it answers in *rq, its system in *sys.
 * Returns 0, RT_EINVAL (zeroed token) or RT_ENOENT (answered before).
 */
static int
token_take(rt_reply_token token, struct rti_req *rq, rt_system **sys)
{
	struct rti_token *k = token.rec;
	rti_tokens *t;

	if (k == NULL || (token.id & 1) == 0)
		return RT_EINVAL;
	/* Records never move or change systems while the system lives. */
	*sys = k->sys;
	t = k->sys->tokens;
	pthread_mutex_lock(&t->lock);
	if (k->id != token.id) {
		pthread_mutex_unlock(&t->lock);
		rti_log(*sys, RT_LOG_ERROR,
		    "request/reply: a deferred reply "
		    "answered twice (or an unknown token)");
		return RT_ENOENT;
	}
	*rq = k->rq;
	token_release(t, k);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

int
rt_reply_token_env(rt_reply_token token, size_t size, rt_env **out)
{
	struct rti_req rq;
	rt_system *sys;
	int rc;

	if (out == NULL)
		return RT_EINVAL;
	*out = NULL;
	if ((rc = token_take(token, &rq, &sys)) != 0)
		return rc;
	*out = answer_env(sys, &rq, 0, size);
	if (*out == NULL) {
		answer_error(sys, &rq, RT_ENOMEM);
		return RT_ENOMEM;
	}
	return 0;
}

int
rt_reply_token_error(rt_reply_token token, int status)
{
	struct rti_req rq;
	rt_system *sys;
	int rc;

	if (status == 0)
		return RT_EINVAL;
	if ((rc = token_take(token, &rq, &sys)) != 0)
		return rc;
	answer_error(sys, &rq, status);
	return 0;
}

void
rti_tokens_close(rt_system *sys, rti_tokens *t)
{
	for (;;) {
		struct rti_token *k;
		struct rti_req rq;
		const char *what;

		pthread_mutex_lock(&t->lock);
		t->closed = true;
		k = t->live;
		if (k == NULL) {
			pthread_mutex_unlock(&t->lock);
			return;
		}
		rq = k->rq;
		what = k->what;
		token_release(t, k);
		pthread_mutex_unlock(&t->lock);
		rti_log(sys, RT_LOG_ERROR,
		    "request/reply: a deferred reply of "
		    "%s was never sent",
		    what);
		answer_error(sys, &rq, RT_ESHUTDOWN);
	}
}

void
rti_tokens_destroy(rti_tokens *t)
{
	while (t->chunks != NULL) {
		struct rti_token_chunk *c = t->chunks;

		t->chunks = c->next;
		free(c);
	}
	pthread_mutex_destroy(&t->lock);
}
