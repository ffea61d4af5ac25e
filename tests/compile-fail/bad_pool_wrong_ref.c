/* expect: incompatible type */
/* Passing an actor's ref where a pool's is expected. */
#include "cf.rtp.h"

int use(cf_A_ref a);

int
use(cf_A_ref a)
{
	cf_M m = { .n = 1 };

	return cf_Ps_send_M(a, &m);
}
