/* SPDX-License-Identifier: MIT */
/*
 * Request/reply through the generated API of tests/rtp/ask.rtp: calls from
 * plain threads, asks from actors, deferred replies, timeouts, and every
 * way a request can fail. Most tests run on a test system (rt/test.h), so
 * timeouts take no time; the last ones use real threads.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rt/test.h>
#include <rt/wire.h>

#include "cutest.h"
#include "ask.rtp.h"

#define WAIT_LIMIT_SEC 20
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
#include "record.h"

#define MAX_ANSWERS 64

enum what { GET = 0, SLOW = 1, CRASH = 2 };

/* Get's numbers that its server answers with an error status. */
enum { NOT_HERE = 1000404, APP_ERROR = 4242 };

/* What the handlers saw (test systems run on the test's own thread). */
static struct {
	struct answer {
		enum what what;
		rt_corr id;
		int status;
		uint32_t v;
		char text[16];
		int had_reply;
	} answers[MAX_ANSWERS];
	unsigned nanswers;          /* under mu */
	rt_corr asked[MAX_ANSWERS]; /* ids rt_ask returned, in order */
	unsigned nasked;
	rt_reply_token token; /* the last Slow deferred to the test */
	int defer_to_helper;  /* Slow: hand the token to the helper */
	ask_Helper_ref helper;
	int call_rc; /* a call made from a handler */
	unsigned dead;
	rt_dead_cause cause;
	char log[256];
	unsigned logs;
} rec;

static void
on_dead(void *user, const rt_dead_letter *dl)
{
	(void)user;
	rec.dead++;
	rec.cause = dl->cause;
}

static void
on_log(void *user, rt_log_level level, const char *line)
{
	(void)user;
	(void)level;
	snprintf(rec.log, sizeof(rec.log), "%s", line);
	rec.logs++;
}

static rt_system *
test_system(void)
{
	rt_config cfg;
	rt_system *sys;

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	cfg.dead_letter = on_dead;
	cfg.log = on_log;
	sys = rt_test_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	return sys;
}

static void
assert_balanced(rt_system *sys)
{
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
}

/* --- the server and its helper ----------------------------------------- */

int
ask_Server_on_Get(ask_Server *self, rt_ctx *ctx, const ask_Get *req,
    ask_Value *reply)
{
	self->served++;
	/* Two numbers it has no answer for: an error status for the asker,
	 * and the server goes on (rt's code, or the application's own). */
	if (req->n == NOT_HERE)
		return rt_reply_error(ctx, RT_ENOENT);
	if (req->n == APP_ERROR)
		return rt_reply_error(ctx, APP_ERROR);
	reply->v = req->n + 1;
	reply->text = "got";
	return 0;
}

int
ask_Server_on_Slow(ask_Server *self, rt_ctx *ctx, const ask_Slow *req,
    ask_Value *reply)
{
	rt_reply_token t = rt_reply_defer(ctx);

	(void)reply;
	self->served++;
	if (rec.defer_to_helper) {
		ask_Hand h = { t, req->n * 10 };

		return ask_Helper_send_Hand(rec.helper, &h) == 0 ? RT_DEFER :
								   -1;
	}
	rec.token = t;
	return RT_DEFER;
}

int
ask_Server_on_Crash(ask_Server *self, rt_ctx *ctx, const ask_Crash *req,
    ask_Value *reply)
{
	(void)self;
	(void)ctx;
	(void)req;
	(void)reply;
	return -77;
}

int
ask_Helper_on_Hand(ask_Helper *self, rt_ctx *ctx, const ask_Hand *msg)
{
	ask_Value v = { msg->v, "helped" };

	(void)self;
	(void)ctx;
	return ask_reply_Slow(msg->token, &v);
}

/* --- the clients ---------------------------------------------------------- */

static int
ask_for(rt_ctx *ctx, const ask_Go *go)
{
	rt_corr id;
	rt_duration t = go->timeout_ms < 0 ? RT_FOREVER : RT_MS(go->timeout_ms);

	switch (go->what) {
	case GET:
		id = ask_Server_ask_Get(ctx, go->server, &(ask_Get){ go->n },
		    t);
		break;
	case SLOW:
		id = ask_Server_ask_Slow(ctx, go->server, &(ask_Slow){ go->n },
		    t);
		break;
	default:
		id = ask_Server_ask_Crash(ctx, go->server, NULL, t);
		break;
	}
	if (rec.nasked < MAX_ANSWERS)
		rec.asked[rec.nasked++] = id;
	return 0;
}

int
ask_Client_on_Go(ask_Client *self, rt_ctx *ctx, const ask_Go *msg)
{
	(void)self;
	return ask_for(ctx, msg);
}

int
ask_Client_on_Call(ask_Client *self, rt_ctx *ctx, const ask_Call *msg)
{
	ask_Value v;

	(void)self;
	rec.call_rc = ask_Server_call_Get(rt_ctx_system(ctx), msg->server,
	    &(ask_Get){ 1 }, &v, RT_SEC(1));
	return 0;
}

static int
record(enum what what, rt_corr id, int status, const ask_Value *reply)
{
	struct answer *a;

	if (rec.nanswers >= MAX_ANSWERS)
		return 0;
	a = &rec.answers[rec.nanswers];
	a->what = what;
	a->id = id;
	a->status = status;
	a->had_reply = reply != NULL;
	if (reply != NULL) {
		a->v = reply->v;
		snprintf(a->text, sizeof(a->text), "%s",
		    reply->text != NULL ? reply->text : "(null)");
	}
	RECORD(rec.nanswers++);
	return 0;
}

static int
forty_answers(void)
{
	return rec.nanswers >= 40;
}

int
ask_Client_on_Get_reply(ask_Client *self, rt_ctx *ctx, rt_corr id, int status,
    const ask_Value *reply)
{
	(void)self;
	(void)ctx;
	return record(GET, id, status, reply);
}

int
ask_Client_on_Slow_reply(ask_Client *self, rt_ctx *ctx, rt_corr id, int status,
    const ask_Value *reply)
{
	(void)self;
	(void)ctx;
	return record(SLOW, id, status, reply);
}

int
ask_Client_on_Crash_reply(ask_Client *self, rt_ctx *ctx, rt_corr id, int status,
    const ask_Value *reply)
{
	(void)self;
	(void)ctx;
	return record(CRASH, id, status, reply);
}

int
ask_Rude_on_Go(ask_Rude *self, rt_ctx *ctx, const ask_Go *msg)
{
	(void)self;
	return ask_for(ctx, msg);
}

int
ask_Tight_on_Go(ask_Tight *self, rt_ctx *ctx, const ask_Go *msg)
{
	(void)self;
	return ask_for(ctx, msg);
}

int
ask_Tight_on_Get_reply(ask_Tight *self, rt_ctx *ctx, rt_corr id, int status,
    const ask_Value *reply)
{
	(void)self;
	(void)ctx;
	return record(GET, id, status, reply);
}

int
ask_Tight_on_Slow_reply(ask_Tight *self, rt_ctx *ctx, rt_corr id, int status,
    const ask_Value *reply)
{
	(void)self;
	(void)ctx;
	return record(SLOW, id, status, reply);
}

/* Answer a deferred Slow. */
static int
reply_slow(rt_reply_token t, uint32_t v, const char *text)
{
	ask_Value value = { v, text };

	return ask_reply_Slow(t, &value);
}

/* A test system with a server and a client, both started. */
static rt_system *
setup(ask_Server_ref *s, ask_Client_ref *c)
{
	rt_system *sys = test_system();

	CU_ASSERT_EQUAL_FATAL(ask_Server_spawn(sys, NULL, s), 0);
	CU_ASSERT_EQUAL_FATAL(ask_Client_spawn(sys, NULL, c), 0);
	rt_test_run(sys);
	return sys;
}

static void
go(ask_Client_ref c, ask_Server_ref s, enum what what, uint32_t n,
    int64_t timeout_ms)
{
	ask_Go g = { s, what, n, timeout_ms };

	CU_ASSERT_EQUAL(ask_Client_send_Go(c, &g), 0);
}

/* --- calls ------------------------------------------------------------------ */

static void
test_call(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);
	ask_Value v = { 0, NULL };

	CU_ASSERT_EQUAL(ask_Server_call_Get(sys, s, &(ask_Get){ 41 }, &v,
			    RT_SEC(1)),
	    0);
	CU_ASSERT_EQUAL(v.v, 42);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v.text);
	CU_ASSERT_STRING_EQUAL(v.text, "got");
	/* The reply's strings stay valid until this thread's next call. */
	CU_ASSERT_EQUAL(ask_Server_call_Get(sys, s, &(ask_Get){ 1 }, &v,
			    RT_FOREVER),
	    0);
	CU_ASSERT_EQUAL(v.v, 2);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_call_errors(void)
{
	ask_Server_ref s, none = { { NULL, 0 } };
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c), *other;
	ask_Value v;

	/* A crash while handling: the server is gone, the caller told. */
	CU_ASSERT_EQUAL(ask_Server_call_Crash(sys, s, NULL, &v, RT_SEC(1)),
	    RT_ENOACTOR);
	CU_ASSERT_FALSE(rt_actor_alive(s.ref));
	CU_ASSERT_EQUAL(ask_Server_call_Get(sys, s, &(ask_Get){ 1 }, &v,
			    RT_SEC(1)),
	    RT_ENOACTOR);
	CU_ASSERT_EQUAL(ask_Server_call_Get(sys, none, &(ask_Get){ 1 }, &v,
			    RT_SEC(1)),
	    RT_EINVAL);
	/* A server of another system. */
	other = rt_test_system_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	CU_ASSERT_EQUAL(ask_Server_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(ask_Server_call_Get(other, s, &(ask_Get){ 1 }, &v,
			    RT_SEC(1)),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(ask_Server_call_Get(NULL, s, &(ask_Get){ 1 }, &v,
			    RT_SEC(1)),
	    RT_EINVAL);
	rt_system_free(other);
	/* From inside an actor it would block a worker. */
	CU_ASSERT_EQUAL(ask_Client_send_Call(c, &(ask_Call){ s }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.call_rc, RT_EDEADLK);
	assert_balanced(sys);
	rt_system_free(sys);
}

/* After a shutdown, a call or an ask to a server that lived in the system
 * says the system is gone. */
static void
test_call_after_shutdown(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);
	ask_Value v;

	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(1)), 0);
	CU_ASSERT_EQUAL(ask_Server_call_Get(sys, s, &(ask_Get){ 1 }, &v,
			    RT_SEC(1)),
	    RT_ESHUTDOWN);
	CU_ASSERT_EQUAL(ask_Server_send_Get(s, &(ask_Get){ 1 }), RT_ESHUTDOWN);
	rt_system_free(sys);
}

/* A request handler answers with an error status and lives on: calls,
 * asks and deferred replies all carry it to the asker. */
static void
test_a_handler_answers_an_error_without_crashing(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);
	ask_Value v = { 0, NULL };
	rt_stats st;

	CU_ASSERT_EQUAL(ask_Server_call_Get(sys, s, &(ask_Get){ NOT_HERE }, &v,
			    RT_SEC(1)),
	    RT_ENOENT);
	CU_ASSERT_EQUAL(ask_Server_call_Get(sys, s, &(ask_Get){ APP_ERROR }, &v,
			    RT_SEC(1)),
	    APP_ERROR);
	CU_ASSERT_TRUE(rt_actor_alive(s.ref));
	CU_ASSERT_EQUAL(ask_Server_call_Get(sys, s, &(ask_Get){ 1 }, &v,
			    RT_SEC(1)),
	    0);
	CU_ASSERT_EQUAL(v.v, 2);
	/* An asking actor gets it as the status of its reply handler. */
	go(c, s, GET, NOT_HERE, -1);
	rt_test_run(sys);
	CU_ASSERT_EQUAL_FATAL(rec.nanswers, 1);
	CU_ASSERT_EQUAL(rec.answers[0].status, RT_ENOENT);
	CU_ASSERT_FALSE(rec.answers[0].had_reply);
	/* A deferred request, answered with an error through its token. */
	go(c, s, SLOW, 1, -1);
	rt_test_run(sys);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec.token.rec);
	CU_ASSERT_EQUAL(rt_reply_token_error(rec.token, RT_EAGAIN), 0);
	CU_ASSERT_EQUAL(rt_reply_token_error(rec.token, RT_EAGAIN), RT_ENOENT);
	rt_test_run(sys);
	CU_ASSERT_EQUAL_FATAL(rec.nanswers, 2);
	CU_ASSERT_EQUAL(rec.answers[1].status, RT_EAGAIN);
	CU_ASSERT_FALSE(rec.answers[1].had_reply);
	/* Nothing crashed; bad uses are refused. */
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.crashed, 0);
	CU_ASSERT_EQUAL(rt_reply_error(NULL, RT_ENOENT), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_reply_token_error((rt_reply_token){ NULL, 0 },
			    RT_ENOENT),
	    RT_EINVAL);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_call_timeout_and_late_reply(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);
	ask_Value v;
	rt_dead_cause cause;

	/* Deferred and never answered in time: times out on the virtual
	 * clock, which the call moved. */
	CU_ASSERT_EQUAL(ask_Server_call_Slow(sys, s, &(ask_Slow){ 1 }, &v,
			    RT_SEC(5)),
	    RT_ETIMEDOUT);
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_SEC(5));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec.token.rec);
	/* The late answer is a dead letter, never a second answer. */
	CU_ASSERT_EQUAL(reply_slow(rec.token, 9, "late"), 0);
	cause = rec.cause;
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(cause, RT_DEAD_EXPIRED);
	/* Answered: a second answer is refused and reported. */
	CU_ASSERT_EQUAL(reply_slow(rec.token, 9, "twice"), RT_ENOENT);
	CU_ASSERT(rec.logs >= 1);
	assert_balanced(sys);
	rt_system_free(sys);
}

/* --- asks -------------------------------------------------------------------- */

static void
test_ask(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);

	go(c, s, GET, 5, 1000);
	go(c, s, GET, 6, -1);
	CU_ASSERT(rt_test_run(sys) >= 4);
	CU_ASSERT_EQUAL_FATAL(rec.nanswers, 2);
	CU_ASSERT_EQUAL_FATAL(rec.nasked, 2);
	CU_ASSERT(rec.asked[0] > 0);
	CU_ASSERT(rec.asked[1] > rec.asked[0]);
	CU_ASSERT_EQUAL(rec.answers[0].id, rec.asked[0]);
	CU_ASSERT_EQUAL(rec.answers[0].status, 0);
	CU_ASSERT_EQUAL(rec.answers[0].v, 6);
	CU_ASSERT_STRING_EQUAL(rec.answers[0].text, "got");
	CU_ASSERT_EQUAL(rec.answers[1].id, rec.asked[1]);
	CU_ASSERT_EQUAL(rec.answers[1].v, 7);
	CU_ASSERT_EQUAL(rt_test_handled(sys, c.ref, "Get_reply"), 2);
	/* The answered ask's timeout never fires. */
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(2)), 0);
	CU_ASSERT_EQUAL(rec.nanswers, 2);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_ask_timeout(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);

	go(c, s, SLOW, 1, 100);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.nanswers, 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(99)), 0);
	CU_ASSERT_EQUAL(rec.nanswers, 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(1)), 1);
	CU_ASSERT_EQUAL_FATAL(rec.nanswers, 1);
	CU_ASSERT_EQUAL(rec.answers[0].status, RT_ETIMEDOUT);
	CU_ASSERT_EQUAL(rec.answers[0].id, rec.asked[0]);
	CU_ASSERT_FALSE(rec.answers[0].had_reply);
	/* The server answers after all: too late, a dead letter. */
	CU_ASSERT_EQUAL(reply_slow(rec.token, 1, "x"), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.nanswers, 1);
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(rec.cause, RT_DEAD_EXPIRED);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_ask_deferred_to_another_actor(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);

	CU_ASSERT_EQUAL(ask_Helper_spawn(sys, NULL, &rec.helper), 0);
	rec.defer_to_helper = 1;
	go(c, s, SLOW, 4, 1000);
	rt_test_run(sys);
	CU_ASSERT_EQUAL_FATAL(rec.nanswers, 1);
	CU_ASSERT_EQUAL(rec.answers[0].status, 0);
	CU_ASSERT_EQUAL(rec.answers[0].v, 40);
	CU_ASSERT_STRING_EQUAL(rec.answers[0].text, "helped");
	CU_ASSERT_EQUAL(rec.dead, 0);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_ask_server_gone(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);

	/* Crashes while handling it: RT_ENOACTOR. */
	go(c, s, CRASH, 0, 1000);
	/* Queued behind the crash: the server stops first, RT_ENOACTOR. */
	go(c, s, GET, 1, 1000);
	rt_test_run(sys);
	CU_ASSERT_EQUAL_FATAL(rec.nanswers, 2);
	CU_ASSERT_EQUAL(rec.answers[0].what, CRASH);
	CU_ASSERT_EQUAL(rec.answers[0].status, RT_ENOACTOR);
	CU_ASSERT_EQUAL(rec.answers[1].what, GET);
	CU_ASSERT_EQUAL(rec.answers[1].status, RT_ENOACTOR);
	CU_ASSERT_FALSE(rec.answers[1].had_reply);
	/* Asking a server already gone fails at once. */
	go(c, s, GET, 1, 1000);
	rt_test_run(sys);
	CU_ASSERT_EQUAL_FATAL(rec.nasked, 3);
	CU_ASSERT_EQUAL(rec.asked[2], RT_ENOACTOR);
	CU_ASSERT_EQUAL(rec.nanswers, 2);
	/* Nothing is left to fire. */
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(5)), 0);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_ask_without_asks(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	ask_Rude_ref r;
	rt_system *sys = setup(&s, &c);
	ask_Go g;

	CU_ASSERT_EQUAL(ask_Rude_spawn(sys, NULL, &r), 0);
	g = (ask_Go){ s, GET, 1, 1000 };
	CU_ASSERT_EQUAL(ask_Rude_send_Go(r, &g), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL_FATAL(rec.nasked, 1);
	/* Its class has nowhere to put the answer. */
	CU_ASSERT_EQUAL(rec.asked[0], RT_EINVAL);
	CU_ASSERT_EQUAL(rt_test_handled(sys, s.ref, NULL), 0);
	/* Outside any handler. */
	CU_ASSERT_EQUAL(ask_Server_ask_Get(NULL, s, &(ask_Get){ 1 }, 1),
	    RT_EINVAL);
	rt_system_free(sys);
}

static void
test_answers_pass_a_full_mailbox(void)
{
	ask_Server_ref s;
	ask_Tight_ref t;
	rt_system *sys = test_system();
	ask_Go g;

	CU_ASSERT_EQUAL(ask_Server_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(ask_Tight_spawn(sys, NULL, &t), 0);
	rt_test_run(sys);
	g = (ask_Go){ s, SLOW, 1, -1 };
	CU_ASSERT_EQUAL(ask_Tight_send_Go(t, &g), 0);
	rt_test_run(sys);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec.token.rec);
	/* Its one place taken: a send is refused, the answer gets in. */
	g = (ask_Go){ s, GET, 2, -1 };
	CU_ASSERT_EQUAL(ask_Tight_send_Go(t, &g), 0);
	CU_ASSERT_EQUAL(ask_Tight_send_Go(t, &g), RT_EFULL);
	CU_ASSERT_EQUAL(reply_slow(rec.token, 5, "in"), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL_FATAL(rec.nanswers, 2);
	CU_ASSERT_EQUAL(rec.answers[0].what, SLOW);
	CU_ASSERT_EQUAL(rec.answers[0].v, 5);
	CU_ASSERT_EQUAL(rec.answers[1].what, GET);
	CU_ASSERT_EQUAL(rec.dead, 0);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_deferred_never_answered(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);

	go(c, s, SLOW, 1, -1);
	rt_test_run(sys);
	CU_ASSERT_PTR_NOT_NULL(rec.token.rec);
	CU_ASSERT_EQUAL(rec.nanswers, 0);
	rec.logs = 0;
	/* Shutdown reports the token and fails its request. */
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT(rec.logs >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log, "never sent"));
	CU_ASSERT_EQUAL(reply_slow(rec.token, 1, "x"), RT_ENOENT);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_token_outside_a_request(void)
{
	rt_reply_token zero = { NULL, 0 };

	CU_ASSERT_PTR_NULL(rt_reply_defer(NULL).rec);
	CU_ASSERT_EQUAL(reply_slow(zero, 1, "x"), RT_EINVAL);
}

/* --- real threads ---------------------------------------------------------- */

struct caller {
	rt_system *sys;
	ask_Server_ref s;
	rt_duration limit;
	unsigned n, ok;
};

static void *
caller_main(void *arg)
{
	struct caller *c = arg;
	unsigned i;

	for (i = 0; i < c->n; i++) {
		ask_Value v;

		if (ask_Server_call_Get(c->sys, c->s, &(ask_Get){ i }, &v,
			c->limit) == 0 &&
		    v.v == i + 1 && strcmp(v.text, "got") == 0)
			c->ok++;
	}
	return NULL;
}

/* Four threads make n calls each, with `limit`, to one server. */
static void
calls_from_threads(rt_duration limit, unsigned n)
{
	rt_system *sys;
	ask_Server_ref s;
	struct caller cs[4];
	pthread_t th[4];
	unsigned i;
	rt_stats st;

	memset(&rec, 0, sizeof(rec));
	sys = rt_system_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL(ask_Server_spawn(sys, NULL, &s), 0);
	for (i = 0; i < 4; i++) {
		cs[i] = (struct caller){ sys, s, limit, n, 0 };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, caller_main,
					  &cs[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(cs[i].ok, n);
	}
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.handled, 4 * n);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_real_calls_from_threads(void)
{
	calls_from_threads(RT_SEC(10), 2000);
}

/* Without a limit, some callers run the server themselves while the
 * others' requests wait in its mailbox or on a worker. Fewer than
 * APP_ERROR calls each, which the server answers with an error. */
static void
test_real_calls_without_a_limit_from_threads(void)
{
	calls_from_threads(RT_FOREVER, 4000);
}

static void
test_real_ask_timeout_races(void)
{
	rt_system *sys;
	ask_Server_ref s;
	ask_Client_ref c;
	unsigned i;
	rt_stats st;

	memset(&rec, 0, sizeof(rec));
	sys = rt_system_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL(ask_Server_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(ask_Client_spawn(sys, NULL, &c), 0);
	/* Timeouts of 0 ms race their answers: each ask is answered once,
	 * by the reply or by the timeout; the loser is a dead letter. */
	for (i = 0; i < 40; i++)
		go(c, s, GET, i, i % 2);
	CU_ASSERT(wait_until(forty_answers));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL(rec.nanswers, 40);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	rt_system_free(sys);
}

/* --- calls without a limit run an idle actor on the caller's thread ------ */

static uint64_t
this_thread(void)
{
	return (uint64_t)(uintptr_t)pthread_self();
}

int
ask_Spot_on_Where(ask_Spot *self, rt_ctx *ctx, const ask_Where *req,
    ask_Place *reply)
{
	ask_Value v;

	(void)self;
	reply->thread = this_thread();
	/* Where the handler runs, a blocking call or wait would block the
	 * actor: refused, as on a worker. */
	reply->call = ask_Server_call_Get(rt_ctx_system(ctx), req->server,
	    &(ask_Get){ 1 }, &v, RT_FOREVER);
	reply->wait = rt_system_wait(rt_ctx_system(ctx));
	return 0;
}

int
ask_Loner_on_Where(ask_Loner *self, rt_ctx *ctx, const ask_Where *req,
    ask_Place *reply)
{
	(void)self;
	(void)ctx;
	(void)req;
	reply->thread = this_thread();
	return 0;
}

/*
 * Calls to `actor` until one is run on this thread, at most `tries`
 * (the actor is idle only once a worker has given it back after its
 * start or an earlier call); the place the last one reports is in `*p`.
 * Returns how many calls ran here.
 */
static unsigned
calls_run_here(rt_system *sys, ask_Spot_ref spot, ask_Server_ref s,
    rt_duration limit, unsigned tries, ask_Place *p)
{
	unsigned i, here = 0;

	for (i = 0; i < tries; i++) {
		memset(p, 0, sizeof(*p));
		CU_ASSERT_EQUAL_FATAL(ask_Spot_call_Where(sys, spot,
					  &(ask_Where){ s }, p, limit),
		    0);
		CU_ASSERT_NOT_EQUAL(p->thread, 0);
		CU_ASSERT_EQUAL(p->call, RT_EDEADLK);
		CU_ASSERT_EQUAL(p->wait, RT_EDEADLK);
		if (p->thread == this_thread()) {
			here++;
			if (limit < 0)
				break;
		}
	}
	return here;
}

static void
test_real_call_runs_an_idle_actor(void)
{
	rt_system *sys = threaded(0);
	ask_Server_ref s;
	ask_Spot_ref spot;
	ask_Loner_ref loner;
	ask_Place p;
	ask_Value v;
	rt_stats st;
	unsigned i, handled = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(ask_Server_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL_FATAL(ask_Spot_spawn(sys, NULL, &spot), 0);
	CU_ASSERT_EQUAL_FATAL(ask_Loner_spawn(sys, NULL, &loner), 0);
	/* Without a limit, an idle actor runs on the caller's thread, where
	 * a call and a wait are refused as on a worker. */
	for (i = 0; i < 1000; i++) {
		handled++;
		if (calls_run_here(sys, spot, s, RT_FOREVER, 1, &p) == 1)
			break;
	}
	CU_ASSERT_EQUAL(p.thread, this_thread());
	/* With a limit, a worker answers, so that the limit holds. */
	CU_ASSERT_EQUAL(calls_run_here(sys, spot, s, RT_SEC(10), 100, &p), 0);
	handled += 100;
	/* A `thread;` actor runs on its own thread only. */
	for (i = 0; i < 100; i++) {
		memset(&p, 0, sizeof(p));
		CU_ASSERT_EQUAL(ask_Loner_call_Where(sys, loner,
				    &(ask_Where){ s }, &p, RT_FOREVER),
		    0);
		CU_ASSERT_NOT_EQUAL(p.thread, 0);
		CU_ASSERT_NOT_EQUAL(p.thread, this_thread());
	}
	handled += 100;
	/* A crash there ends the actor as anywhere, and the caller is told. */
	CU_ASSERT_EQUAL(ask_Server_call_Crash(sys, s, NULL, &v, RT_FOREVER),
	    RT_ENOACTOR);
	handled++;
	CU_ASSERT_FALSE(rt_actor_alive(s.ref));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	/* What the callers' runs counted is in the system's counters. */
	CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.handled, handled);
	CU_ASSERT_EQUAL(st.crashed, 1);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	rt_system_free(sys);
}

static uint64_t filler_thread; /* under mu */
static unsigned filler_ticks;  /* under mu: ticks handled */

int
ask_Filler_on_Fill(ask_Filler *self, rt_ctx *ctx, const ask_Fill *req,
    ask_Value *reply)
{
	ask_Filler_ref me = { rt_self(ctx) };
	uint32_t i;

	RECORD(filler_thread = this_thread());
	for (i = 0; i < req->n; i++)
		if (ask_Filler_send_Tick(me, NULL) != 0)
			return -1;
	reply->v = self->ticks;
	reply->text = "filled";
	return 0;
}

int
ask_Filler_on_Tick(ask_Filler *self, rt_ctx *ctx, const ask_Tick *msg)
{
	(void)ctx;
	(void)msg;
	self->ticks++;
	RECORD(filler_ticks++);
	return 0;
}

/* A handler its caller runs sends to its own full mailbox: accepted over
 * the bound, as on a worker, where waiting for room would wait for
 * itself. */
static void
test_real_caller_run_sends_to_itself(void)
{
	rt_system *sys = threaded(0);
	ask_Filler_ref f;
	ask_Value v;
	unsigned i, want = 0, here = 0;
	rt_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	RECORD(filler_ticks = 0);
	CU_ASSERT_EQUAL_FATAL(ask_Filler_spawn(sys, NULL, &f), 0);
	for (i = 0; i < 2000 && here < 10; i++) {
		bool ran_here;

		CU_ASSERT_EQUAL_FATAL(ask_Filler_call_Fill(sys, f,
					  &(ask_Fill){ 5 }, &v, RT_FOREVER),
		    0);
		CU_ASSERT_STRING_EQUAL(v.text, "filled");
		want += 5;
		RECORD(ran_here = filler_thread == this_thread());
		here += ran_here;
	}
	CU_ASSERT(here > 0);
	CU_ASSERT(wait_count(&filler_ticks, want));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	CU_ASSERT_EQUAL(st.dead_letters, 0);
	rt_system_free(sys);
}

/* --- what the node library uses (rt/wire.h) -------------------------------- */

/* What a relayed request's answer brought. */
static struct relayed {
	unsigned calls;
	int status;
	uint32_t v;
	char text[16];
} relayed;

static void
on_relayed(void *arg, int status, const void *reply, size_t size)
{
	struct relayed *r = arg;

	r->calls++;
	r->status = status;
	if (reply != NULL) {
		const ask_Value *v = reply;

		CU_ASSERT(size >= sizeof(*v));
		r->v = v->v;
		snprintf(r->text, sizeof(r->text), "%s", v->text);
	}
}

static rt_env *
get_request(ask_Server_ref s, uint32_t tag, uint32_t n)
{
	rt_env *env = NULL;

	CU_ASSERT_EQUAL(rt_request_new(s.ref, tag, sizeof(ask_Get), &env), 0);
	if (env != NULL)
		memcpy(rt_env_payload(env), &(ask_Get){ n }, sizeof(ask_Get));
	return env;
}

/* A request relayed from outside: the answer, an error, a deferred answer
 * and a crash each reach the function once, with what the handler gave. */
static void
test_relay(void)
{
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);
	rt_env *env;

	memset(&relayed, 0, sizeof(relayed));
	CU_ASSERT_EQUAL(rt_request_relay(get_request(s, ask_Server_TAG_Get, 9),
			    on_relayed, &relayed, false),
	    0);
	CU_ASSERT_EQUAL(relayed.calls, 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(relayed.calls, 1);
	CU_ASSERT_EQUAL(relayed.status, 0);
	CU_ASSERT_EQUAL(relayed.v, 10);
	CU_ASSERT_STRING_EQUAL(relayed.text, "got");
	CU_ASSERT_EQUAL(rt_request_relay(get_request(s, ask_Server_TAG_Get,
					     NOT_HERE),
			    on_relayed, &relayed, false),
	    0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(relayed.calls, 2);
	CU_ASSERT_EQUAL(relayed.status, RT_ENOENT);
	/* Deferred: answered when the token is. */
	CU_ASSERT_EQUAL(rt_request_relay(get_request(s, ask_Server_TAG_Slow, 3),
			    on_relayed, &relayed, false),
	    0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(relayed.calls, 2);
	CU_ASSERT_EQUAL(ask_reply_Slow(rec.token, &(ask_Value){ 33, "late" }),
	    0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(relayed.calls, 3);
	CU_ASSERT_EQUAL(relayed.v, 33);
	CU_ASSERT_STRING_EQUAL(relayed.text, "late");
	/* Bad arguments take the envelope and call nothing. */
	CU_ASSERT_EQUAL(rt_request_relay(NULL, on_relayed, &relayed, false),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_request_relay(get_request(s, ask_Server_TAG_Get, 1),
			    NULL, NULL, false),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_env_new(s.ref, ask_Server_TAG_Get, sizeof(ask_Get),
			    &env),
	    0);
	CU_ASSERT_EQUAL(rt_request_relay(env, on_relayed, &relayed, false),
	    RT_EINVAL);
	/* The server crashes on it: answered RT_ENOACTOR; then it is gone,
	 * and the relay itself is refused. */
	CU_ASSERT_EQUAL(rt_request_new(s.ref, 2, 0, &env), 0);
	CU_ASSERT_EQUAL(rt_request_relay(env, on_relayed, &relayed, false), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(relayed.calls, 4);
	CU_ASSERT_EQUAL(relayed.status, RT_ENOACTOR);
	env = NULL;
	CU_ASSERT_EQUAL(rt_request_new(s.ref, ask_Server_TAG_Get,
			    sizeof(ask_Get), &env),
	    RT_ENOACTOR);
	CU_ASSERT_EQUAL(relayed.calls, 4);
	assert_balanced(sys);
	rt_system_free(sys);
}

/* A thread that must not wait: a full `block` mailbox refuses at once. */
static void
test_send_nowait(void)
{
	rt_system *sys = test_system();
	ask_Filler_ref f;
	rt_env *env;
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(ask_Filler_spawn(sys, NULL, &f), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rt_env_new(f.ref, ask_Filler_TAG_Tick, 0, &env), 0);
	CU_ASSERT_EQUAL(rt_env_send_nowait(env), 0);
	CU_ASSERT_EQUAL(rt_env_new(f.ref, ask_Filler_TAG_Tick, 0, &env), 0);
	CU_ASSERT_EQUAL(rt_env_send_nowait(env), RT_EFULL);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.refused, 1);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rt_env_new(f.ref, ask_Filler_TAG_Tick, 0, &env), 0);
	CU_ASSERT_EQUAL(rt_env_send_nowait(env), 0);
	CU_ASSERT_EQUAL(rt_env_send_nowait(NULL), RT_EINVAL);
	rt_test_run(sys);
	assert_balanced(sys);
	rt_system_free(sys);
}

/* What a relay run here saw: the thread its answer came on. */
static struct {
	unsigned calls;
	int status;
	uint64_t handler, answer;
} here_rec;

static void
on_here(void *arg, int status, const void *reply, size_t size)
{
	(void)arg;
	(void)size;
	RECORD(here_rec.calls++; here_rec.status = status;
	    here_rec.answer = this_thread(); here_rec.handler = reply != NULL ?
		((const ask_Place *)reply)->thread :
		0);
}

/*
 * Relayed, or sent, "here": an idle actor runs on the sending thread, and
 * its answer comes on it before the relay returns; a busy or `thread;`
 * one is left to its workers or thread.
 */
static void
test_real_relay_runs_here(void)
{
	rt_system *sys = threaded(0);
	ask_Server_ref s;
	ask_Spot_ref spot;
	ask_Loner_ref loner;
	unsigned i, here = 0, calls = 0;
	rt_env *env;
	rt_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(ask_Server_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL_FATAL(ask_Spot_spawn(sys, NULL, &spot), 0);
	CU_ASSERT_EQUAL_FATAL(ask_Loner_spawn(sys, NULL, &loner), 0);
	for (i = 0; i < 1000 && here == 0; i++) {
		unsigned n;

		CU_ASSERT_EQUAL_FATAL(rt_request_new(spot.ref,
					  ask_Spot_TAG_Where, sizeof(ask_Where),
					  &env),
		    0);
		memcpy(rt_env_payload(env), &(ask_Where){ s },
		    sizeof(ask_Where));
		CU_ASSERT_EQUAL(rt_request_relay(env, on_here, NULL, true), 0);
		calls++;
		CU_ASSERT(wait_count(&here_rec.calls, calls));
		RECORD(n = here_rec.handler == this_thread() &&
			here_rec.answer == this_thread());
		here += n;
	}
	CU_ASSERT(here > 0);
	CU_ASSERT_EQUAL(here_rec.status, 0);
	/* A thread; actor: its own thread answers. */
	CU_ASSERT_EQUAL_FATAL(rt_request_new(loner.ref, ask_Loner_TAG_Where,
				  sizeof(ask_Where), &env),
	    0);
	memcpy(rt_env_payload(env), &(ask_Where){ s }, sizeof(ask_Where));
	CU_ASSERT_EQUAL(rt_request_relay(env, on_here, NULL, true), 0);
	calls++;
	CU_ASSERT(wait_count(&here_rec.calls, calls));
	CU_ASSERT_NOT_EQUAL(here_rec.handler, this_thread());
	/* A plain message sent here. */
	CU_ASSERT_EQUAL(rt_env_new(s.ref, ask_Server_TAG_Get, sizeof(ask_Get),
			    &env),
	    0);
	memcpy(rt_env_payload(env), &(ask_Get){ 5 }, sizeof(ask_Get));
	CU_ASSERT_EQUAL(rt_env_send_here(env), 0);
	CU_ASSERT_EQUAL(rt_env_send_here(NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	rt_system_free(sys);
}

/* A node as P_A_export and P_A_lookup reach it (a stand-in here). */
static struct {
	unsigned exports, lookups;
	const char *name;
} fake;

static int
fake_export(void *node, rt_ref ref, const char *name, const rt_wire_kind *kind)
{
	(void)node;
	(void)ref;
	(void)kind;
	fake.exports++;
	fake.name = name;
	return 0;
}

static int
fake_lookup(void *node, const char *name, const rt_wire_kind *kind, rt_ref *out)
{
	(void)kind;
	fake.lookups++;
	fake.name = name;
	*out = *(rt_ref *)node;
	return 0;
}

static void
test_remote_hooks(void)
{
	static const rt_remote_ops ops = { fake_export, fake_lookup };
	static const rt_wire_kind kind = { .name = "ask.Server", .ntags = 0 };
	ask_Server_ref s;
	ask_Client_ref c;
	rt_system *sys = setup(&s, &c);
	rt_ref out;

	memset(&fake, 0, sizeof(fake));
	/* No node started: every call says so. */
	CU_ASSERT_EQUAL(rt_remote_export(s.ref, "x", &kind), RT_ENODE);
	CU_ASSERT_EQUAL(rt_remote_lookup(sys, "x", &kind, &out), RT_ENODE);
	CU_ASSERT_EQUAL(rt_remote_export(s.ref, NULL, &kind), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_remote_lookup(sys, "x", &kind, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_remote_attach(sys, &s.ref, &ops), 0);
	CU_ASSERT_EQUAL(rt_remote_attach(sys, &c.ref, &ops), RT_EEXIST);
	CU_ASSERT_EQUAL(rt_remote_export(s.ref, "svc", &kind), 0);
	CU_ASSERT_EQUAL(fake.exports, 1);
	CU_ASSERT_STRING_EQUAL(fake.name, "svc");
	CU_ASSERT_EQUAL(rt_remote_lookup(sys, "svc", &kind, &out), 0);
	CU_ASSERT_EQUAL(fake.lookups, 1);
	CU_ASSERT(rt_ref_equal(out, s.ref));
	/* Another node's detach does not detach this one. */
	rt_remote_detach(sys, &c.ref);
	CU_ASSERT_EQUAL(rt_remote_lookup(sys, "svc", &kind, &out), 0);
	rt_remote_detach(sys, &s.ref);
	CU_ASSERT_EQUAL(rt_remote_lookup(sys, "svc", &kind, &out), RT_ENODE);
	CU_ASSERT_EQUAL(fake.lookups, 2);
	/* A dead letter that never entered the system: told, not counted. */
	rt_remote_dead_letter(sys, RT_DEAD_SCHEMA, "ask.Server", "Get", NULL);
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(rec.cause, RT_DEAD_SCHEMA);
	rt_remote_log(sys, RT_LOG_ERROR, "a line");
	CU_ASSERT_STRING_EQUAL(rec.log, "a line");
	assert_balanced(sys);
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo calls[] = {
		{ "call", test_call },
		{ "call errors", test_call_errors },
		{ "a call after shutdown", test_call_after_shutdown },
		{ "a handler answers an error without crashing",
		    test_a_handler_answers_an_error_without_crashing },
		{ "call timeout and late reply",
		    test_call_timeout_and_late_reply },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo asks[] = {
		{ "ask", test_ask },
		{ "ask timeout", test_ask_timeout },
		{ "deferred to another actor",
		    test_ask_deferred_to_another_actor },
		{ "server gone", test_ask_server_gone },
		{ "ask without asks", test_ask_without_asks },
		{ "answers pass a full mailbox",
		    test_answers_pass_a_full_mailbox },
		{ "deferred never answered", test_deferred_never_answered },
		{ "token outside a request", test_token_outside_a_request },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo threads[] = {
		{ "calls from threads", test_real_calls_from_threads },
		{ "ask timeout races", test_real_ask_timeout_races },
		{ "a call runs an idle actor on its caller's thread",
		    test_real_call_runs_an_idle_actor },
		{ "calls without a limit from threads",
		    test_real_calls_without_a_limit_from_threads },
		{ "a handler its caller runs sends to itself",
		    test_real_caller_run_sends_to_itself },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo nodes[] = {
		{ "a relayed request", test_relay },
		{ "a send that must not wait", test_send_nowait },
		{ "the node a system started", test_remote_hooks },
		{ "a relay runs an idle actor here",
		    test_real_relay_runs_here },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "calls", NULL, NULL, NULL, NULL, calls },
		{ "for nodes", NULL, NULL, NULL, NULL, nodes },
		{ "asks", NULL, NULL, NULL, NULL, asks },
		{ "threads", NULL, NULL, NULL, NULL, threads },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
