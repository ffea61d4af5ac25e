/* expect: poisoned */
/* Subscribing B to news: B does not accept M, the topic's message. */
#include "cf.rtp.h"

int use(cf_B_ref b);

int
use(cf_B_ref b)
{
	return cf_B_subscribe_news(b);
}
