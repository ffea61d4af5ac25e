/* expect: not compatible with any */
/* P_A_become with a state of another kind (cf_Gate_UP for a Door). */
#include "cf.rtp.h"

int
cf_Door_on_N(cf_Door *self, rt_ctx *ctx, const cf_N *msg)
{
	(void)self;
	(void)msg;
	cf_Door_become(ctx, cf_Gate_UP);
	return 0;
}
