/* expect: poisoned */
/* Calling B with Q, which B does not accept. */
#include "cf.rtp.h"

int use(rt_system *sys, cf_B_ref b);

int
use(rt_system *sys, cf_B_ref b)
{
	cf_Q q = { .id = 1 };
	cf_N reply;

	return cf_B_call_Q(sys, b, &q, &reply, RT_FOREVER);
}
