/* expect: not compatible with any */
/* Calling A's request Q (whose reply is an N) with room for an M. */
#include "cf.rtp.h"

int use(rt_system *sys, cf_A_ref a);

int
use(rt_system *sys, cf_A_ref a)
{
	cf_Q q = { .id = 1 };
	cf_M reply;

	return cf_A_call_Q(sys, a, &q, &reply, RT_FOREVER);
}
