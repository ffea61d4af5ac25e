/* SPDX-License-Identifier: MIT */
/*
 * A door lock, the state machine of doc/rtp-language.md: an Open sent while
 * the door is locked waits until it is unlocked, and one that never gets
 * its state is a dead letter when the door goes.
 */
#include <stdio.h>

#include "door.rtp.h"

static const char *const state_names[] = { "locked", "closed", "open" };

int
door_Door_on_start(door_Door *self, rt_ctx *ctx, const door_Door_args *args)
{
	(void)ctx;
	self->code = args->code;
	return 0;
}

int
door_Door_on_Knock(door_Door *self, rt_ctx *ctx, const door_Knock *msg)
{
	(void)ctx;
	/* Knock is accepted in every state. */
	printf("%s knocks: the door is %s\n", msg->who,
	    state_names[door_Door_current(self)]);
	return 0;
}

int
door_Door_on_Unlock(door_Door *self, rt_ctx *ctx, const door_Unlock *msg)
{
	if (msg->code != self->code) {
		printf("unlock with %u: wrong code\n", (unsigned)msg->code);
		return 0;
	}
	printf("unlocked\n");
	/* The Open that waited is handled next. */
	door_Door_become(ctx, door_Door_CLOSED);
	return 0;
}

int
door_Door_on_Open(door_Door *self, rt_ctx *ctx, const door_Open *msg)
{
	(void)self;
	(void)msg;
	printf("opened\n");
	door_Door_become(ctx, door_Door_OPEN);
	return 0;
}

int
door_Door_on_Close(door_Door *self, rt_ctx *ctx, const door_Close *msg)
{
	(void)self;
	(void)msg;
	printf("closed\n");
	door_Door_become(ctx, door_Door_CLOSED);
	return 0;
}

int
door_Door_on_Lock(door_Door *self, rt_ctx *ctx, const door_Lock *msg)
{
	self->code = msg->code;
	printf("locked with %u\n", (unsigned)msg->code);
	door_Door_become(ctx, door_Door_LOCKED);
	return 0;
}

int
door_Door_on_Done(door_Door *self, rt_ctx *ctx, const door_Done *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

/* What the door never handled. */
static void
on_dead(void *user, const rt_dead_letter *dl)
{
	(void)user;
	printf("dead letter: %s (%s)\n", dl->message,
	    dl->cause == RT_DEAD_STASHED ? "still postponed" : "other");
}

int
main(void)
{
	rt_config cfg;
	rt_system *sys;
	door_Door_ref d;

	rt_config_init(&cfg);
	cfg.dead_letter = on_dead;
	sys = rt_system_new(&cfg);
	if (sys == NULL ||
	    door_Door_spawn(sys, &(door_Door_args){ .code = 1234 }, &d) != 0)
		return 1;
	/* Sent while the door is locked: postponed. */
	door_Door_send_Open(d, NULL);
	door_Door_send_Knock(d, &(door_Knock){ .who = "ana" });
	door_Door_send_Unlock(d, &(door_Unlock){ .code = 1111 });
	door_Door_send_Unlock(d, &(door_Unlock){ .code = 1234 });
	door_Door_send_Knock(d, &(door_Knock){ .who = "bo" });
	door_Door_send_Close(d, NULL);
	door_Door_send_Lock(d, &(door_Lock){ .code = 42 });
	/* Locked again, and nobody unlocks it: this one never opens. */
	door_Door_send_Open(d, NULL);
	door_Door_send_Done(d, NULL);
	rt_system_wait(sys);
	rt_system_free(sys);
	return 0;
}
