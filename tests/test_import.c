/* SPDX-License-Identifier: MIT */
/*
 * import through the generated API of tests/rtp/imp_user.rtp, which
 * imports tests/rtp/imp_base.rtp: an actor of the importing protocol sends
 * an imported message (nested in its own, strings and bytes inside) to an
 * actor of the imported one and asks it an imported request; an actor of
 * the importing protocol accepts an imported message. Both protocols'
 * generated sources are linked into one program.
 */
#include <stdio.h>
#include <string.h>

#include <rt/test.h>

#include "cutest.h"
#include "imp_user.rtp.h"

/* What the actors saw. */
static struct {
	unsigned notes, sink_notes, answers;
	char text[16], sink_text[16], word[16];
	unsigned char data[4];
	size_t data_len;
	ib_Kind kind;
	int status;
} rec;

int
ib_Keeper_on_Note(ib_Keeper *self, rt_ctx *ctx, const ib_Note *msg)
{
	(void)ctx;
	self->notes++;
	rec.notes++;
	snprintf(rec.text, sizeof(rec.text), "%s", msg->text);
	rec.data_len = msg->data.len;
	if (msg->data.len <= sizeof(rec.data))
		memcpy(rec.data, msg->data.data, msg->data.len);
	rec.kind = msg->kind;
	return 0;
}

int
ib_Keeper_on_Ask(ib_Keeper *self, rt_ctx *ctx, const ib_Ask *req,
    ib_Answer *reply)
{
	static char word[16];

	(void)ctx;
	/* The reply's string must outlive the handler: it is copied
	 * after it returns. */
	snprintf(word, sizeof(word), "%s:%u", req->n == 3 ? "three" : "other",
	    self->notes);
	reply->word = word;
	return 0;
}

int
iu_Relay_on_Wrapped(iu_Relay *self, rt_ctx *ctx, const iu_Wrapped *msg)
{
	rt_corr id;
	int r;

	(void)self;
	/* The nested note's strings point into this handler's message: the
	 * send copies them into the new one. */
	r = ib_Keeper_send_Note(msg->keeper, &msg->note);
	if (r != 0)
		return r;
	id = ib_Keeper_ask_Ask(ctx, msg->keeper, &(ib_Ask){ .n = 3 },
	    RT_SEC(10));
	return id > 0 ? 0 : (int)id;
}

int
iu_Relay_on_Ask_reply(iu_Relay *self, rt_ctx *ctx, rt_corr id, int status,
    const ib_Answer *reply)
{
	(void)self;
	(void)ctx;
	(void)id;
	rec.answers++;
	rec.status = status;
	if (reply != NULL)
		snprintf(rec.word, sizeof(rec.word), "%s", reply->word);
	return 0;
}

int
iu_Sink_on_Note(iu_Sink *self, rt_ctx *ctx, const ib_Note *msg)
{
	(void)self;
	(void)ctx;
	rec.sink_notes++;
	snprintf(rec.sink_text, sizeof(rec.sink_text), "%s", msg->text);
	return 0;
}

static void
an_imported_message_crosses_from_one_protocol_to_the_other(void)
{
	rt_system *sys = rt_test_system_new(NULL);
	char text[16] = "hello";
	unsigned char data[3] = { 1, 2, 0xab };
	ib_Keeper_ref keeper;
	iu_Relay_ref relay;
	iu_Wrapped w = { .note = { .text = text,
			     .data = { data, sizeof(data) },
			     .kind = ib_Kind_BIG } };

	memset(&rec, 0, sizeof(rec));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(ib_Keeper_spawn(sys, NULL, &keeper), 0);
	CU_ASSERT_EQUAL_FATAL(iu_Relay_spawn(sys, NULL, &relay), 0);
	w.keeper = keeper;
	CU_ASSERT_EQUAL(iu_Relay_send_Wrapped(relay, &w), 0);
	/* The send copied everything: change the sender's buffers. */
	strcpy(text, "bye");
	data[0] = 9;
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.notes, 1);
	CU_ASSERT_STRING_EQUAL(rec.text, "hello");
	CU_ASSERT_EQUAL(rec.data_len, 3);
	CU_ASSERT_EQUAL(rec.data[0], 1);
	CU_ASSERT_EQUAL(rec.data[2], 0xab);
	CU_ASSERT_EQUAL(rec.kind, ib_Kind_BIG);
	CU_ASSERT_EQUAL(rec.answers, 1);
	CU_ASSERT_EQUAL(rec.status, 0);
	CU_ASSERT_STRING_EQUAL(rec.word, "three:1");
	rt_system_free(sys);
}

static void
an_actor_accepts_an_imported_message(void)
{
	rt_system *sys = rt_test_system_new(NULL);
	char text[16] = "note";
	iu_Sink_ref sink;

	memset(&rec, 0, sizeof(rec));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(iu_Sink_spawn(sys, NULL, &sink), 0);
	CU_ASSERT_EQUAL(iu_Sink_send_Note(sink, &(ib_Note){ .text = text }), 0);
	strcpy(text, "gone");
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.sink_notes, 1);
	CU_ASSERT_STRING_EQUAL(rec.sink_text, "note");
	rt_system_free(sys);
}

static void
imported_types_keep_their_own_prefix(void)
{
	CU_ASSERT_STRING_EQUAL(ib_Kind_name(ib_Kind_SMALL), "small");
	CU_ASSERT_STRING_EQUAL(ib_message_names[ib_Note_ID], "Note");
	CU_ASSERT_STRING_EQUAL(iu_message_names[iu_Wrapped_ID], "Wrapped");
	CU_ASSERT_EQUAL(sizeof(((iu_Wrapped *)NULL)->note), sizeof(ib_Note));
}

static CU_TestInfo import_tests[] = {
	{ "an imported message crosses from one protocol to the other",
	    an_imported_message_crosses_from_one_protocol_to_the_other },
	{ "an actor accepts an imported message",
	    an_actor_accepts_an_imported_message },
	{ "imported types keep their own prefix",
	    imported_types_keep_their_own_prefix },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "import", NULL, NULL, NULL, NULL, import_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
