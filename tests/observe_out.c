/* SPDX-License-Identifier: MIT */
/*
 * Writes what rt_metrics_write (argument "metrics") or rt_system_dump
 * ("json", "text") says of a small system, for tests/observe.sh to hand to
 * promtool: a tree with crashes and restarts, actors outside it, dead
 * letters, a Gate holding back a message, and a root supervisor whose
 * spec's name needs escaping in a label value.
 */
#include <stdio.h>
#include <string.h>

#include <rt/test.h>

#include "observe_actors.h"

static const rt_child_spec odd_children[] = {
	{ .name = "w",
	    .cls = &obs_Worker_class,
	    .restart = RT_PERMANENT,
	    .shutdown = RT_SEC(1) },
};

/* Written by hand: a name rtgen would refuse, as a program may give. */
static const rt_sup_spec odd_spec = {
	.abi = RT_PROTOCOL_ABI,
	.name = "odd \"spec\" \\ with\na newline \xff",
	.strategy = RT_ONE_FOR_ONE,
	.intensity = 10,
	.period = RT_SEC(1),
	.nchildren = 1,
	.children = odd_children,
};

int
main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "metrics";
	rt_config cfg;
	rt_system *sys;
	obs_Shop_ref shop;
	obs_Loner_ref lo;
	obs_Gate_ref gate;
	int rc;

	rt_config_init(&cfg);
	cfg.log_level = RT_LOG_OFF;
	if ((sys = rt_test_system_new(&cfg)) == NULL ||
	    obs_Shop_start(sys, &shop) != 0 ||
	    rt_sup_start(sys, &odd_spec, NULL) != 0 ||
	    obs_Loner_spawn(sys, NULL, &lo) != 0 ||
	    obs_Gate_spawn(sys, NULL, &gate) != 0)
		return 99;
	obs_Gate_send_Work(gate, &(obs_Work){ 7 });
	obs_Worker_send_Crash(obs_Shop_cart(shop), &(obs_Crash){ 3 });
	obs_Loner_send_Quit(lo, NULL);
	obs_Loner_send_Work(lo, &(obs_Work){ 1 });
	rt_test_run(sys);
	if (strcmp(what, "metrics") == 0)
		rc = rt_metrics_write(sys, stdout);
	else
		rc = rt_system_dump(sys, stdout,
		    strcmp(what, "json") == 0 ? RT_DUMP_JSON : RT_DUMP_TEXT);
	rt_system_free(sys);
	return rc == 0 ? 0 : 1;
}
