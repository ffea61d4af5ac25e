/* expect: not compatible with any */
/* Passing another imported message where D's send of Note wants a Note. */
#include "cf.rtp.h"

int use(cf_D_ref d);

int
use(cf_D_ref d)
{
	cfb_Other o = { .k = 1 };

	return cf_D_send_Note(d, &o);
}
