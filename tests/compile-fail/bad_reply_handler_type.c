/* expect: conflicting types */
/* C's handler of the replies to Q, written for the wrong reply type. */
#include "cf.rtp.h"

int
cf_C_on_Q_reply(cf_C *self, rt_ctx *ctx, rt_corr id, int status,
    const cf_M *reply)
{
	(void)self;
	(void)ctx;
	(void)id;
	return status == 0 ? (int)reply->n : 0;
}
