/* expect: not compatible with any */
/* NULL for a message that has fields (only field-less messages take it). */
#include "cf.rtp.h"

int use(cf_A_ref a);

int
use(cf_A_ref a)
{
	return cf_A_send_M(a, NULL);
}
