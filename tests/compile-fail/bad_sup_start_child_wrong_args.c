/* expect: _Generic|generic */
/* Starting a child of Pool with the args of another actor kind: Pool's
 * template is a Wk, which takes cf_Wk_args. */
#include "cf.rtp.h"

int use(cf_Pool_ref p);

int
use(cf_Pool_ref p)
{
	cf_A_args args = { 0 };

	return cf_Pool_start_child(p, &args, NULL);
}
