/* expect: poisoned */
/* Starting a child at run time under Tree, which is not
 * simple_one_for_one: it has no start_child. */
#include "cf.rtp.h"

int use(cf_Tree_ref t);

int
use(cf_Tree_ref t)
{
	cf_Wk_args args = { .id = 1 };

	return cf_Tree_start_child(t, &args, NULL);
}
