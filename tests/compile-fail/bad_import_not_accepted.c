/* expect: poisoned */
/* Sending an imported message to B, which does not accept it. */
#include "cf.rtp.h"

int use(cf_B_ref b);

int
use(cf_B_ref b)
{
	cfb_Note n = { .n = 1 };

	return cf_B_send_Note(b, &n);
}
