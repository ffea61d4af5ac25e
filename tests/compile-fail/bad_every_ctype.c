/* expect: poisoned */
/* A periodic send of H, whose C-typed field no copy could own. */
#include "cf.rtp.h"

int use(cf_A_ref a);

int
use(cf_A_ref a)
{
	cf_H h = { 0 };

	return cf_A_send_H_every(a, &h, RT_SEC(1), NULL);
}
