/* expect: not compatible with any */
/* NULL on a topic whose message has fields. */
#include "cf.rtp.h"

int use(rt_system *sys);

int
use(rt_system *sys)
{
	return cf_news_publish(sys, NULL);
}
