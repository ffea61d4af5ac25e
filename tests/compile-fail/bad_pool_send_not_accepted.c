/* expect: poisoned */
/* Sending N through a pool of A, which does not accept N. */
#include "cf.rtp.h"

int use(cf_Ps_ref p);

int
use(cf_Ps_ref p)
{
	cf_N n = { .k = 1 };

	return cf_Ps_send_N(p, &n);
}
