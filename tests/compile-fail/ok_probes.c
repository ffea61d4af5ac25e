/* expect: success (proves the harness: the same code done right compiles) */
#include <rt/test.h>

#include "cf.rtp.h"

int use(rt_system *sys);

int
use(rt_system *sys)
{
	cf_A_ref a;
	cf_B_ref b;
	cf_M m = { .n = 1, .note = "x" };
	const cf_N n = { .k = 2 };
	int rc;

	if ((rc = cf_A_probe(sys, &a)) != 0 ||
	    (rc = cf_B_probe(sys, NULL)) != 0)
		return rc;
	if ((rc = cf_B_probe(sys, &b)) != 0)
		return rc;
	rc = cf_A_expect_M(a, &m, RT_MS(10));
	rc += cf_A_expect_M(a, (&(cf_M){ .n = 2, .note = "y" }), 0);
	rc += cf_A_expect_E(a, NULL, 0);
	rc += cf_B_expect_N(b, &n, RT_FOREVER);
	rc += rt_expect_nothing(a.ref, RT_MS(1));
	return rc + (cf_M_equal(&m, &m) ? 0 : 1);
}
