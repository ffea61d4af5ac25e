/* expect: not compatible with any */
/* Publishing an N on news, a topic of M. */
#include "cf.rtp.h"

int use(rt_system *sys);

int
use(rt_system *sys)
{
	cf_N n = { .k = 1 };

	return cf_news_publish(sys, &n);
}
