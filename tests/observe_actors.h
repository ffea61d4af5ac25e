/* SPDX-License-Identifier: MIT */
/*
 * The handlers of tests/rtp/observe.rtp, shared by the programs that use
 * it (test_observe.c, observe_out.c): Work counts, Crash crashes with the
 * reason given, Quit stops; a Gate opens on Open and stashes each Keep.
 */
#ifndef RT_TESTS_OBSERVE_ACTORS_H
#define RT_TESTS_OBSERVE_ACTORS_H

#include "observe.rtp.h"

int
obs_Worker_on_Work(obs_Worker *self, rt_ctx *ctx, const obs_Work *m)
{
	(void)self;
	(void)ctx;
	(void)m;
	return 0;
}

int
obs_Worker_on_Crash(obs_Worker *self, rt_ctx *ctx, const obs_Crash *m)
{
	(void)self;
	(void)ctx;
	return m->reason;
}

int
obs_Worker_on_Quit(obs_Worker *self, rt_ctx *ctx, const obs_Quit *m)
{
	(void)self;
	(void)m;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
obs_Loner_on_Work(obs_Loner *self, rt_ctx *ctx, const obs_Work *m)
{
	(void)self;
	(void)ctx;
	(void)m;
	return 0;
}

int
obs_Loner_on_Crash(obs_Loner *self, rt_ctx *ctx, const obs_Crash *m)
{
	(void)self;
	(void)ctx;
	return m->reason;
}

int
obs_Loner_on_Quit(obs_Loner *self, rt_ctx *ctx, const obs_Quit *m)
{
	(void)self;
	(void)m;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
obs_Gate_on_Work(obs_Gate *self, rt_ctx *ctx, const obs_Work *m)
{
	(void)self;
	(void)ctx;
	(void)m;
	return 0;
}

int
obs_Gate_on_Open(obs_Gate *self, rt_ctx *ctx, const obs_Open *m)
{
	(void)self;
	(void)m;
	obs_Gate_become(ctx, obs_Gate_OPEN);
	return 0;
}

int
obs_Gate_on_Keep(obs_Gate *self, rt_ctx *ctx, const obs_Keep *m)
{
	(void)self;
	(void)m;
	return rt_stash(ctx);
}

#endif
