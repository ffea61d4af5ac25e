/* expect: incompatible type */
/* Expecting of a cf_B_ref what a probe of A records. */
#include "cf.rtp.h"

int use(cf_B_ref probe);

int
use(cf_B_ref probe)
{
	cf_M m = { .n = 1 };

	return cf_A_expect_M(probe, &m, 0);
}
