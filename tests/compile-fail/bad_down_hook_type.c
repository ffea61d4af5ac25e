/* expect: conflicting types */
/* The down hook written without the ref of the actor that went down. */
#include "cf.rtp.h"

int
cf_W_on_down(cf_W *self, rt_ctx *ctx, int reason)
{
	(void)self;
	(void)ctx;
	return reason;
}
