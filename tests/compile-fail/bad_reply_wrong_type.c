/* expect: not compatible with any */
/* Answering a deferred Q (whose reply is an N) with an M. */
#include "cf.rtp.h"

int use(rt_reply_token t);

int
use(rt_reply_token t)
{
	const cf_M m = { .n = 1 };

	return cf_reply_Q(t, &m);
}
