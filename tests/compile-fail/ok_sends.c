/* expect: success (proves the harness: the same code done right compiles) */
#include "cf.rtp.h"

int
cf_A_on_M(cf_A *self, rt_ctx *ctx, const cf_M *msg)
{
	(void)self;
	(void)ctx;
	return (int)msg->n;
}

/* A request handler that answers now... */
int
cf_A_on_Q(cf_A *self, rt_ctx *ctx, const cf_Q *req, cf_N *reply)
{
	(void)self;
	(void)ctx;
	reply->k = req->id + 1;
	return 0;
}

/* ...and one that defers its answer. */
static rt_reply_token pending;

int
cf_A_on_Z(cf_A *self, rt_ctx *ctx, const cf_Z *req, cf_E *reply)
{
	(void)self;
	(void)req;
	(void)reply;
	pending = rt_reply_defer(ctx);
	return RT_DEFER;
}

int
cf_C_on_Q_reply(cf_C *self, rt_ctx *ctx, rt_corr id, int status,
    const cf_N *reply)
{
	(void)self;
	(void)ctx;
	(void)id;
	return status == 0 ? (int)reply->k : 0;
}

int answer(void);

int
answer(void)
{
	const cf_N n = { .k = 3 };
	int (*reply)(rt_reply_token, const cf_N *) = cf_reply_Q;

	return cf_reply_Z(pending, NULL) + cf_reply_Z(pending, &(cf_E){ 0 }) +
	    cf_reply_Q(pending, &n) + reply(pending, &n);
}

rt_corr ask(rt_ctx *ctx, cf_A_ref a);

rt_corr
ask(rt_ctx *ctx, cf_A_ref a)
{
	const cf_Q q = { .id = 7 };
	rt_corr (*ask_q)(rt_ctx *, cf_A_ref, const cf_Q *,
	    rt_duration) = cf_A_ask_Q;

	return cf_A_ask_Q(ctx, a, &q, RT_MS(100)) +
	    cf_A_ask_Z(ctx, a, NULL, RT_FOREVER) + ask_q(ctx, a, &q, 0);
}

int call(rt_system *sys, cf_A_ref a);

int
call(rt_system *sys, cf_A_ref a)
{
	cf_Q q = { .id = 7 };
	cf_N n;
	cf_E e;
	int (*call_q)(rt_system *, cf_A_ref, const cf_Q *, cf_N *,
	    rt_duration) = cf_A_call_Q;

	return cf_A_call_Q(sys, a, &q, &n, RT_SEC(1)) +
	    cf_A_call_Z(sys, a, NULL, NULL, RT_FOREVER) +
	    cf_A_call_Z(sys, a, &(const cf_Z){ 0 }, &e, 0) +
	    call_q(sys, a, &q, &n, RT_FOREVER) + cf_A_send_Q(a, &q);
}

int use(cf_A_ref a, cf_B_ref b);

int
use(cf_A_ref a, cf_B_ref b)
{
	cf_M m = { .n = 1, .note = "hi" };
	const cf_N n = { .k = 2 };
	const rt_send_opts high = { .priority = RT_PRIO_HIGH };
	int (*send)(cf_A_ref, const cf_M *) = cf_A_send_M;
	int (*send_opt)(cf_A_ref, const cf_M *,
	    const rt_send_opts *) = cf_A_send_M_opt;

	rt_timer t;
	const cf_H h = { 0 };
	int (*after)(cf_A_ref, const cf_M *, rt_duration,
	    rt_timer *) = cf_A_send_M_after;

	return cf_A_send_M_after(a, &m, RT_MS(5), &t) +
	    cf_A_send_M_every(a, &m, RT_SEC(1), NULL) +
	    cf_A_send_E_after(a, NULL, 0, NULL) +
	    cf_A_send_H_after(a, &h, 1, NULL) + after(a, &m, 1, &t) +
	    cf_A_send_M(a, &m) + cf_A_send_E(a, NULL) + cf_B_send_N(b, &n) +
	    send(a, &m) + cf_A_send_M_opt(a, &m, &high) +
	    cf_A_send_E_opt(a, NULL, NULL) +
	    cf_B_send_N_opt(b, &n, &(rt_send_opts){ .ttl = RT_MS(10) }) +
	    send_opt(a, &m, NULL) +
	    /* A compound literal with commas: as it is when last, else
	     * in parentheses. */
	    cf_A_send_M(a, &(cf_M){ .n = 1, .note = "x" }) +
	    cf_A_send_M_opt(a, (&(cf_M){ .n = 1, .note = "x" }), NULL);
}
