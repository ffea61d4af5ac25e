/* SPDX-License-Identifier: MIT */
/* greet: the smallest program built from a .rtp with autotools. */
#include <stdio.h>

#include "greet.rtp.h"

int
greet_Greeter_on_Hello(greet_Greeter *self, rt_ctx *ctx, const greet_Hello *msg)
{
	(void)ctx;
	self->greeted++;
	printf("hello, %s\n", msg->name);
	return 0;
}

int
greet_Greeter_on_Bye(greet_Greeter *self, rt_ctx *ctx, const greet_Bye *msg)
{
	(void)msg;
	printf("greeted %u\n", (unsigned)self->greeted);
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
main(void)
{
	rt_system *sys = rt_system_new(NULL);
	greet_Greeter_ref g;

	if (sys == NULL || greet_Greeter_spawn(sys, NULL, &g) != 0)
		return 1;
	greet_Greeter_send_Hello(g, &(greet_Hello){ .name = "world" });
	greet_Greeter_send_Bye(g, NULL);
	rt_system_wait(sys);
	rt_system_free(sys);
	return 0;
}
