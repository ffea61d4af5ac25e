/* expect: incompatible type */
/* Passing a cf_B_ref where a cf_A_ref is expected. */
#include "cf.rtp.h"

int use(cf_B_ref b);

int
use(cf_B_ref b)
{
	cf_M m = { .n = 1 };

	return cf_A_send_M(b, &m);
}
