/* expect: _Generic|generic */
/* Storing the ref of Pool's new child in a ref of another actor kind. */
#include "cf.rtp.h"

int use(cf_Pool_ref p);

int
use(cf_Pool_ref p)
{
	cf_A_ref out;

	return cf_Pool_start_child(p, NULL, &out);
}
