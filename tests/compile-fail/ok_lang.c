/* expect: success (proves the harness: enums, arrays, nested messages) */
#include "cf.rtp.h"

int use_lang(cf_W_ref w);

int
use_lang(cf_W_ref w)
{
	cf_Order o = { .color = cf_Color_GREEN,
		.lanes = { 1, 2, 3, 4 },
		.line = { .sku = "a", .qty = 1 } };

	cf_Order_print(stdout, &o);
	return cf_W_send_Order(w, &o) +
	    cf_W_send_Order(w, &(cf_Order){ .more = { { "b", 2 } } }) +
	    (cf_Color_name(o.color) != NULL);
}

int
cf_W_on_down(cf_W *self, rt_ctx *ctx, rt_ref who, int reason)
{
	(void)self;
	(void)ctx;
	(void)who;
	return reason;
}
