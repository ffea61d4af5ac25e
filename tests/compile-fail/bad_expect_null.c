/* expect: not compatible with any */
/* NULL for the expected M, which has fields. */
#include "cf.rtp.h"

int use(cf_A_ref probe);

int
use(cf_A_ref probe)
{
	return cf_A_expect_M(probe, NULL, 0);
}
