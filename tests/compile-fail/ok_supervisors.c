/* expect: success (proves the harness: the same code done right compiles) */
/* Starting the trees and using their typed lookups and start_child. */
#include "cf.rtp.h"

int use(rt_system *sys);

int
use(rt_system *sys)
{
	cf_Tree_ref tree;
	cf_Pool_ref pool;
	cf_Wk_ref w;
	cf_Wk_args args = { .id = 7, .tag = "seven" };
	cf_A_ref a;
	int r;

	r = cf_Tree_start(sys, &tree);
	if (r != 0)
		return r;
	a = cf_Tree_a(tree);
	(void)a;
	pool = cf_Tree_pool(tree);
	r = cf_Pool_start_child(pool, &args, &w);
	if (r == 0)
		r = cf_Pool_start_child(pool, NULL, NULL);
	if (r == 0)
		r = cf_Pool_start_child(pool,
		    (&(cf_Wk_args){ .id = 8, .tag = "eight" }), &w);
	if (r == 0)
		r = rt_sup_start(sys, &cf_Pool_spec, NULL);
	return r;
}
