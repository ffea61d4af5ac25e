/* expect: success (proves the harness: the same code done right compiles) */
/* Starting pools, sending, calling and asking through them, and a pool
 * child's typed lookup. */
#include "cf.rtp.h"

int use(rt_system *sys, rt_ctx *ctx);

int
use(rt_system *sys, rt_ctx *ctx)
{
	cf_Site_ref site;
	cf_Ps_ref p;
	cf_Fan_ref fan;
	cf_M m = { .n = 1 };
	cf_N reply;
	int r;

	r = cf_Ps_start(sys, &p);
	if (r == 0)
		r = cf_Fan_start(sys, &fan);
	if (r == 0)
		r = cf_Site_start(sys, &site);
	if (r != 0)
		return r;
	p = cf_Site_ps(site);
	r = cf_Ps_send_M(p, &m);
	if (r == 0)
		r = cf_Ps_send_E(p, NULL);
	if (r == 0)
		r = cf_Fan_send_M(fan, (&(cf_M){ .n = 2, .note = "two" }));
	if (r == 0)
		r = cf_Fan_send_Q(fan, (&(cf_Q){ .id = 3 }));
	if (r == 0)
		r = cf_Ps_call_Q(sys, p, (&(cf_Q){ .id = 4 }), &reply,
		    RT_SEC(1));
	if (r == 0 && cf_Ps_ask_Q(ctx, p, (&(cf_Q){ .id = 5 }), RT_SEC(1)) < 0)
		r = -1;
	return r;
}
