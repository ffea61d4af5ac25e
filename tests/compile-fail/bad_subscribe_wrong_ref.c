/* expect: incompatible type */
/* A's subscription given B's ref. */
#include "cf.rtp.h"

int use(cf_B_ref b);

int
use(cf_B_ref b)
{
	return cf_A_subscribe_news(b);
}
