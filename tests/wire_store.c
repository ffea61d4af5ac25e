/* SPDX-License-Identifier: MIT */
/*
 * The handlers of tests/rtp/wire.rtp's Store, which its generated source
 * needs to link: the programs that test and fuzz its codecs
 * (tests/test_wire.c, tests/fuzz/fuzz_wire.c) never run a Store.
 */
#include "wire.rtp.h"

int
wire_Store_on_Scalars(wire_Store *self, rt_ctx *ctx, const wire_Scalars *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
wire_Store_on_Texts(wire_Store *self, rt_ctx *ctx, const wire_Texts *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
wire_Store_on_Arrays(wire_Store *self, rt_ctx *ctx, const wire_Arrays *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
wire_Store_on_Nested(wire_Store *self, rt_ctx *ctx, const wire_Nested *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
wire_Store_on_Refs(wire_Store *self, rt_ctx *ctx, const wire_Refs *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
wire_Store_on_Get(wire_Store *self, rt_ctx *ctx, const wire_Get *req,
    wire_Got *reply)
{
	(void)self;
	(void)ctx;
	(void)req;
	(void)reply;
	return 0;
}

int
wire_Store_on_Nothing(wire_Store *self, rt_ctx *ctx, const wire_Nothing *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
wire_Store_on_Sample(wire_Store *self, rt_ctx *ctx, const wire_Sample *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}
