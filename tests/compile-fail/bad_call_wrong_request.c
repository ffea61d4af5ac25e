/* expect: not compatible with any */
/* Calling A's request Q with an M. */
#include "cf.rtp.h"

int use(rt_system *sys, cf_A_ref a);

int
use(rt_system *sys, cf_A_ref a)
{
	cf_M m = { .n = 1 };
	cf_N reply;

	return cf_A_call_Q(sys, a, &m, &reply, RT_FOREVER);
}
