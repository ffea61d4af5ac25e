/* expect: success (an imported message sent to the actor that accepts it) */
#include "cf.rtp.h"

int use(cf_D_ref d);

int
use(cf_D_ref d)
{
	cfb_Note n = { .n = 1, .text = "hi" };

	return cf_D_send_Note(d, &n) + cf_D_send_Note(d, &(cfb_Note){ 2, "x" });
}
