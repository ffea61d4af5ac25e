/* expect: conflicting types */
/* A handler of M written for the wrong message type. */
#include "cf.rtp.h"

int
cf_A_on_M(cf_A *self, rt_ctx *ctx, const cf_N *msg)
{
	(void)self;
	(void)ctx;
	return (int)msg->k;
}
