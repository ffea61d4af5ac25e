/* expect: poisoned */
/* Expecting an M of a probe of B, which does not accept M. */
#include "cf.rtp.h"

int use(cf_B_ref probe);

int
use(cf_B_ref probe)
{
	cf_M m = { .n = 1 };

	return cf_B_expect_M(probe, &m, 0);
}
