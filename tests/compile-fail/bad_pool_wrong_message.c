/* expect: not compatible with any */
/* Passing an N where the pool's send of M wants an M. */
#include "cf.rtp.h"

int use(cf_Ps_ref p);

int
use(cf_Ps_ref p)
{
	cf_N n = { .k = 1 };

	return cf_Ps_send_M(p, &n);
}
