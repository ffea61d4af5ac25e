/* SPDX-License-Identifier: MIT */
/*
 * The language through the generated API of tests/rtp/lang.rtp: a message
 * with an enum, arrays, nested messages with strings inside and bytes
 * crosses two actors (a relay nests it in another message), arrives intact
 * although the sender's buffers changed after the send, and prints as the
 * printers promise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rt/test.h>

#include "cutest.h"
#include "lang.rtp.h"

/* What the sink saw: the message as printed, and some fields as values. */
static struct {
	unsigned got;
	char printed[1024];
	lt_Color color, seen0;
	uint32_t lanes[4];
	char sku[2][16];
	char tag1[16];
	unsigned char blob[4];
	size_t blob_len;
	int relay_is_reply_to;
} rec;

int
lt_Relay_on_start(lt_Relay *self, rt_ctx *ctx, const lt_Relay_args *args)
{
	(void)ctx;
	self->sink = args->sink;
	return 0;
}

int
lt_Relay_on_Order(lt_Relay *self, rt_ctx *ctx, const lt_Order *msg)
{
	lt_Got got = { .order = *msg, .seen = { msg->color, lt_Color_RED } };

	(void)ctx;
	/* The nested order's strings point into this handler's message:
	 * the send copies them into the new one. */
	return lt_Sink_send_Got(self->sink, &got);
}

int
lt_Sink_on_Got(lt_Sink *self, rt_ctx *ctx, const lt_Got *msg)
{
	const lt_Order *o = &msg->order;
	FILE *f = fmemopen(rec.printed, sizeof(rec.printed) - 1, "w");
	int i;

	(void)self;
	(void)ctx;
	if (f != NULL) {
		lt_Order_print(f, o);
		fclose(f);
	}
	rec.got++;
	rec.color = o->color;
	rec.seen0 = msg->seen[0];
	memcpy(rec.lanes, o->lanes, sizeof(rec.lanes));
	for (i = 0; i < 2; i++)
		snprintf(rec.sku[i], sizeof(rec.sku[i]), "%s",
		    o->lines[i].sku != NULL ? o->lines[i].sku : "(null)");
	snprintf(rec.tag1, sizeof(rec.tag1), "%s", o->tags[1]);
	rec.blob_len = o->blob.len;
	if (o->blob.len <= sizeof(rec.blob))
		memcpy(rec.blob, o->blob.data, o->blob.len);
	rec.relay_is_reply_to = !rt_ref_is_null(o->reply_to.ref);
	return 0;
}

static void
a_nested_message_with_strings_crosses_two_actors_intact(void)
{
	rt_system *sys = rt_test_system_new(NULL);
	char customer[16] = "bob", sku0[8] = "a\"b", tag[8] = "y";
	unsigned char blob[3] = { 1, 2, 0xab };
	lt_Sink_ref sink;
	lt_Relay_ref relay;
	lt_Order order = {
		.id = 7,
		.customer = customer,
		.lanes = { 1, 2, 3, 4 },
		.color = lt_Color_BLUE,
		.lines = { { .sku = sku0, .qty = 2 }, { .sku = NULL } },
		.tags = { "x", tag },
		.blob = { blob, sizeof(blob) },
	};

	memset(&rec, 0, sizeof(rec));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(lt_Sink_spawn(sys, NULL, &sink), 0);
	CU_ASSERT_EQUAL_FATAL(lt_Relay_spawn(sys,
				  &(lt_Relay_args){ .sink = sink }, &relay),
	    0);
	order.reply_to = sink;
	CU_ASSERT_EQUAL(lt_Relay_send_Order(relay, &order), 0);
	/* The send copied everything: change the sender's buffers. */
	strcpy(customer, "eve");
	strcpy(sku0, "zz");
	strcpy(tag, "q");
	blob[0] = 9;
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.got, 1);
	CU_ASSERT_EQUAL(rec.color, lt_Color_BLUE);
	CU_ASSERT_EQUAL(rec.seen0, lt_Color_BLUE);
	CU_ASSERT_EQUAL(rec.lanes[3], 4);
	CU_ASSERT_STRING_EQUAL(rec.sku[0], "a\"b");
	CU_ASSERT_STRING_EQUAL(rec.sku[1], "(null)");
	CU_ASSERT_STRING_EQUAL(rec.tag1, "y");
	CU_ASSERT_EQUAL(rec.blob_len, 3);
	CU_ASSERT_EQUAL(rec.blob[0], 1);
	CU_ASSERT_EQUAL(rec.blob[2], 0xab);
	CU_ASSERT_TRUE(rec.relay_is_reply_to);
	CU_ASSERT_STRING_EQUAL(rec.printed,
	    "Order{id=7, customer=\"bob\", "
	    "lanes=[1,2,3,4], color=blue, reply_to=<ref>, "
	    "lines=[Line{sku=\"a\\\"b\", qty=2},Line{sku=NULL, qty=0}], "
	    "tags=[\"x\",\"y\"], blob=<3 bytes 0102ab>}");
	rt_system_free(sys);
}

/* Print *m with print() into a string (caller frees). */
static char *
printed(void (*print)(FILE *, const void *), const void *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	print(f, m);
	fclose(f);
	return text;
}

static void
print_got(FILE *f, const void *m)
{
	lt_Got_print(f, m);
}

static void
print_line(FILE *f, const void *m)
{
	lt_Line_print(f, m);
}

static void
the_printer_escapes_strings_and_shortens_bytes(void)
{
	static const unsigned char data[20] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
		10, 11, 12, 13, 14, 15, 16, 17, 18, 19 };
	lt_Got got = { .order = { .customer = "a\n\tb\\\x01",
			   .color = 42,
			   .blob = { data, sizeof(data) } },
		.seen = { lt_Color_GREEN } };
	char *text = printed(print_got, &got);

	CU_ASSERT_STRING_EQUAL(text,
	    "Got{order=Order{id=0, "
	    "customer=\"a\\n\\tb\\\\\\x01\", lanes=[0,0,0,0], color=42, "
	    "reply_to=<null>, lines=[Line{sku=NULL, qty=0},Line{sku=NULL, "
	    "qty=0}], tags=[NULL,NULL], blob=<20 bytes "
	    "000102030405060708090a0b0c0d0e0f...>}, seen=[green,red]}");
	free(text);
	text = printed(print_line, NULL);
	CU_ASSERT_STRING_EQUAL(text, "Line(NULL)");
	free(text);
}

static void
enums_and_messages_have_name_tables(void)
{
	CU_ASSERT_STRING_EQUAL(lt_Color_name(lt_Color_GREEN), "green");
	CU_ASSERT_PTR_NULL(lt_Color_name((lt_Color)7));
	CU_ASSERT_EQUAL(lt_Color_RED, 0);
	CU_ASSERT_EQUAL(lt_Color_BLUE, 2);
	CU_ASSERT_PTR_NULL(lt_message_names[0]);
	CU_ASSERT_STRING_EQUAL(lt_message_names[lt_Line_ID], "Line");
	CU_ASSERT_STRING_EQUAL(lt_message_names[lt_Got_ID], "Got");
}

static CU_TestInfo lang_tests[] = {
	{ "a nested message with strings crosses two actors intact",
	    a_nested_message_with_strings_crosses_two_actors_intact },
	{ "the printer escapes strings and shortens bytes",
	    the_printer_escapes_strings_and_shortens_bytes },
	{ "enums and messages have name tables",
	    enums_and_messages_have_name_tables },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "language", NULL, NULL, NULL, NULL, lang_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
