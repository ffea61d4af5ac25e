/* expect: conflicting types */
/* A handler of request Q that fills the wrong reply type. */
#include "cf.rtp.h"

int
cf_A_on_Q(cf_A *self, rt_ctx *ctx, const cf_Q *req, cf_M *reply)
{
	(void)self;
	(void)ctx;
	reply->n = req->id;
	return 0;
}
