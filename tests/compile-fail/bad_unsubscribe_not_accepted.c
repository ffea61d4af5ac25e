/* expect: poisoned */
/* Unsubscribing B from news, to which it can never subscribe. */
#include "cf.rtp.h"

int use(cf_B_ref b);

int
use(cf_B_ref b)
{
	return cf_B_unsubscribe_news(b);
}
