/* expect: _Generic|generic */
/* Storing the ref of a probe of A in a ref of another actor kind. */
#include "cf.rtp.h"

int use(rt_system *sys);

int
use(rt_system *sys)
{
	cf_B_ref b;

	return cf_A_probe(sys, &b);
}
