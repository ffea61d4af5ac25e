/* expect: not compatible with any */
/* Passing an N where the expectation of an M wants an M. */
#include "cf.rtp.h"

int use(cf_A_ref probe);

int
use(cf_A_ref probe)
{
	cf_N n = { .k = 1 };

	return cf_A_expect_M(probe, &n, RT_MS(10));
}
