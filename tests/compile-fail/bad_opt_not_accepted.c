/* expect: poisoned */
/* Sending M with options to B, which does not accept M. */
#include "cf.rtp.h"

int use(cf_B_ref b);

int
use(cf_B_ref b)
{
	cf_M m = { .n = 1 };

	return cf_B_send_M_opt(b, &m,
	    &(rt_send_opts){ .priority = RT_PRIO_HIGH });
}
