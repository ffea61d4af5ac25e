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
	int (*send)(cf_A_ref, const cf_M *) = cf_A_send_M;

	return cf_A_send_M(a, &m) + cf_A_send_E(a, NULL) +
	    cf_B_send_N(b, &n) + send(a, &m);
}
