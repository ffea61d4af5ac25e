/* expect: not compatible with any */
/* Passing an N where A's delayed send of M wants an M. */
#include "cf.rtp.h"

int use(cf_A_ref a);

int
use(cf_A_ref a)
{
	cf_N n = { .k = 1 };

	return cf_A_send_M_after(a, &n, RT_MS(1), NULL);
}
