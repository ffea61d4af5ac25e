/* expect: poisoned */
/* Asking through a broadcast pool: one request cannot have every member's
 * reply. */
#include "cf.rtp.h"

rt_corr use(rt_ctx *ctx, cf_Fan_ref p);

rt_corr
use(rt_ctx *ctx, cf_Fan_ref p)
{
	cf_Q q = { .id = 1 };

	return cf_Fan_ask_Q(ctx, p, &q, RT_SEC(1));
}
