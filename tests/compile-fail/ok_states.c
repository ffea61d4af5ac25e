/* expect: success (proves the harness: states, become, current) */
#include "cf.rtp.h"

int
cf_Door_on_N(cf_Door *self, rt_ctx *ctx, const cf_N *msg)
{
	cf_Door_state_t next = msg->k != 0 ? cf_Door_OPEN : cf_Door_SHUT;

	switch (cf_Door_current(self)) {
	case cf_Door_SHUT:
		cf_Door_become(ctx, cf_Door_OPEN);
		break;
	case cf_Door_OPEN:
		cf_Door_become(ctx, next);
		break;
	}
	return 0;
}
