/* expect: poisoned */
/* Sending M to B, which does not accept M. */
#include "cf.rtp.h"

int use(cf_B_ref b);

int
use(cf_B_ref b)
{
	cf_M m = { .n = 1 };

	return cf_B_send_M(b, &m);
}
