/* expect: not compatible with any */
/* Sending the nested message where its container is expected. */
#include "cf.rtp.h"

int use(cf_W_ref w);

int
use(cf_W_ref w)
{
	cf_Line line = { .sku = "a" };

	return cf_W_send_Order(w, &line);
}
