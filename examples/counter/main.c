/* SPDX-License-Identifier: MIT */
/* The README's first program: one actor, three messages. */
#include <stdio.h>

#include "counter.rtp.h"

int
counter_Counter_on_Add(counter_Counter *self, rt_ctx *ctx,
    const counter_Add *msg)
{
	(void)ctx;
	self->total += msg->by;
	return 0;
}

int
counter_Counter_on_Print(counter_Counter *self, rt_ctx *ctx,
    const counter_Print *msg)
{
	(void)ctx;
	printf("%s: %llu\n", msg->label, (unsigned long long)self->total);
	return 0;
}

int
counter_Counter_on_Done(counter_Counter *self, rt_ctx *ctx,
    const counter_Done *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL); /* stop once this handler returns */
	return 0;
}

int
main(void)
{
	rt_system *sys = rt_system_new(NULL); /* one worker per CPU */
	counter_Counter_ref c;
	unsigned i;

	if (sys == NULL || counter_Counter_spawn(sys, NULL, &c) != 0)
		return 1;
	for (i = 1; i <= 100; i++) {
		counter_Add add = { .by = i };
		counter_Counter_send_Add(c, &add);
	}
	counter_Counter_send_Print(c, &(counter_Print){ .label = "sum" });
	counter_Counter_send_Done(c, NULL);
	rt_system_wait(sys); /* until every actor has stopped */
	rt_system_free(sys);
	return 0;
}
