/* SPDX-License-Identifier: MIT */
/*
 * A system to look at, for tests/observer_page.sh: the Shop tree of
 * tests/rtp/observe.rtp (its cart crashed once, two pool workers, work
 * coming in every 10 ms), an actor outside the trees, and the observer on
 * the address given (default 127.0.0.1:0). Prints "port N" once it
 * listens, and runs until SIGTERM or SIGINT, then stops the observer and
 * the system and exits 0.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <rt/rt.h>

#include "observe_actors.h"

static void
quiet(void *user, rt_log_level level, const char *line)
{
	(void)user;
	(void)level;
	(void)line;
}

int
main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "127.0.0.1:0";
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	obs_Worker_ref w;
	obs_Shop_ref shop;
	obs_Loner_ref loner;
	obs_Gate_ref gate;
	rt_observer *obs;
	rt_config cfg;
	rt_system *sys;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log = quiet; /* the crash is on purpose; the page shows it */
	if ((sys = rt_system_new(&cfg)) == NULL ||
	    obs_Shop_start(sys, &shop) != 0)
		return 1;
	obs_Pool_start_child(obs_Shop_pool(shop), &(obs_Worker_args){ .id = 1 },
	    &w);
	obs_Pool_start_child(obs_Shop_pool(shop), &(obs_Worker_args){ .id = 2 },
	    NULL);
	obs_Worker_send_Crash(obs_Shop_cart(shop), &(obs_Crash){ .reason = 7 });
	obs_Loner_spawn(sys, NULL, &loner);
	obs_Loner_register(loner, "loner");
	/* Shut: two Works postponed and a Keep stashed, shown as such. */
	obs_Gate_spawn(sys, NULL, &gate);
	obs_Gate_register(gate, "gate");
	obs_Gate_send_Work(gate, &(obs_Work){ .n = 1 });
	obs_Gate_send_Work(gate, &(obs_Work){ .n = 2 });
	obs_Gate_send_Keep(gate, NULL);
	obs_Worker_send_Work_every(obs_Shop_cart(shop), &(obs_Work){ .n = 1 },
	    RT_MS(10), NULL);
	obs_Worker_send_Work_every(w, &(obs_Work){ .n = 2 }, RT_MS(4), NULL);
	nanosleep(&pause, NULL);
	if ((obs = rt_observer_start(sys, addr)) == NULL) {
		fprintf(stderr, "observer_serve: cannot start the observer\n");
		rt_system_free(sys);
		return 1;
	}
	printf("port %u\n", (unsigned)rt_observer_port(obs));
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		continue;
	rt_observer_stop(obs);
	rt_system_free(sys);
	return 0;
}
