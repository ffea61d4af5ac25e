/* expect: success (proves the harness: the same code done right compiles) */
#include "cf.rtp.h"

int
cf_A_on_M(cf_A *self, rt_ctx *ctx, const cf_M *msg)
{
	(void)self;
	(void)ctx;
	return (int)msg->n;
}

int
use(cf_A_ref a, cf_B_ref b);

int
use(cf_A_ref a, cf_B_ref b)
{
	cf_M m = { .n = 1, .note = "hi" };
	const cf_N n = { .k = 2 };
	const rt_send_opts high = { .priority = RT_PRIO_HIGH };
	int (*send)(cf_A_ref, const cf_M *) = cf_A_send_M;
	int (*send_opt)(cf_A_ref, const cf_M *, const rt_send_opts *) =
	    cf_A_send_M_opt;

	rt_timer t;
	const cf_H h = { 0 };
	int (*after)(cf_A_ref, const cf_M *, rt_duration, rt_timer *) =
	    cf_A_send_M_after;

	return cf_A_send_M_after(a, &m, RT_MS(5), &t) +
	    cf_A_send_M_every(a, &m, RT_SEC(1), NULL) +
	    cf_A_send_E_after(a, NULL, 0, NULL) +
	    cf_A_send_H_after(a, &h, 1, NULL) + after(a, &m, 1, &t) +
	    cf_A_send_M(a, &m) + cf_A_send_E(a, NULL) +
	    cf_B_send_N(b, &n) + send(a, &m) +
	    cf_A_send_M_opt(a, &m, &high) + cf_A_send_E_opt(a, NULL, NULL) +
	    cf_B_send_N_opt(b, &n, &(rt_send_opts){ .ttl = RT_MS(10) }) +
	    send_opt(a, &m, NULL);
}
