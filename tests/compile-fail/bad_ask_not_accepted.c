/* expect: poisoned */
/* Asking B for Q, which B does not accept. */
#include "cf.rtp.h"

rt_corr use(rt_ctx *ctx, cf_B_ref b);

rt_corr
use(rt_ctx *ctx, cf_B_ref b)
{
	cf_Q q = { .id = 1 };

	return cf_B_ask_Q(ctx, b, &q, RT_SEC(1));
}
