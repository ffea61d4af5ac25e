/* SPDX-License-Identifier: MIT */
/*
 * rtkv's RESP2 parser and reply writer (examples/kv/resp.c), on their
 * own: requests cut at every byte, pipelines, every protocol error with
 * Redis's text, lengths over the limits refused before memory is taken,
 * inline requests quoted as Redis unquotes them, and integers parsed as
 * strictly as Redis parses them. What Redis itself answers to the same
 * bytes is checked by tests/example_kv.sh, against a real redis-server.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutest.h"
#include "resp.h"

/* --- describing what the parser makes of some bytes ----------------------- */

struct text {
	char s[8192];
	size_t n;
};

static void
put(struct text *t, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && t->n + 5 < sizeof(t->s); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			t->s[t->n++] = (char)c;
		else
			t->n += (size_t)snprintf(t->s + t->n, 5, "\\x%02x", c);
	}
	t->s[t->n] = '\0';
}

static void
puts_(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->n + n < sizeof(t->s)) {
		memcpy(t->s + t->n, s, n + 1);
		t->n += n;
	}
}

/* Take every request the parser has; describe each, and how it ended. */
static enum resp_result
drain(struct resp_parser *p, struct text *t)
{
	struct resp_request req;
	enum resp_result r;
	size_t i;

	while ((r = resp_parser_next(p, &req)) == RESP_REQUEST) {
		for (i = 0; i < req.argc; i++) {
			puts_(t, "<");
			put(t, req.argv[i].p, req.argv[i].len);
			puts_(t, ">");
		}
		puts_(t, ";");
	}
	return r;
}

static void
ending(struct resp_parser *p, struct text *t, enum resp_result r)
{
	if (r == RESP_EPROTO) {
		puts_(t, "EPROTO:");
		put(t, resp_parser_error(p), strlen(resp_parser_error(p)));
	} else if (r == RESP_ETOOBIG) {
		puts_(t, "ETOOBIG");
	} else if (r == RESP_ENOMEM) {
		puts_(t, "ENOMEM");
	} else {
		puts_(t, "MORE");
	}
}

/*
 * What the parser makes of `n` bytes of `in` given in pieces: cut at each
 * offset of `cuts` (ascending, ended by SIZE_MAX), or a byte at a time
 * when `bytewise`.
 */
static void
describe_cut(const char *in, size_t n, const size_t *cuts, bool bytewise,
    struct text *t)
{
	struct resp_parser p;
	enum resp_result r = RESP_MORE;
	size_t at = 0;

	t->n = 0;
	t->s[0] = '\0';
	resp_parser_init(&p);
	while (at < n && (r == RESP_MORE || r == RESP_REQUEST)) {
		size_t end = n;

		if (bytewise)
			end = at + 1;
		else if (*cuts != SIZE_MAX && *cuts < n)
			end = *cuts++;
		CU_ASSERT_FATAL(resp_parser_feed(&p, in + at, end - at) == 0);
		at = end;
		r = drain(&p, t);
	}
	ending(&p, t, r);
	resp_parser_free(&p);
}

static void
describe(const char *in, size_t n, struct text *t)
{
	static const size_t none = SIZE_MAX;

	describe_cut(in, n, &none, false, t);
}

/* The description of `in` must be `want`, however the bytes are cut. */
static void
check_any_cut(const char *in, size_t n, const char *want)
{
	struct text whole, part;
	size_t k, cuts[3];

	describe(in, n, &whole);
	CU_ASSERT_STRING_EQUAL(whole.s, want);
	if (strcmp(whole.s, want) != 0)
		fprintf(stderr, "\n  got  %s\n  want %s\n", whole.s, want);
	describe_cut(in, n, NULL, true, &part);
	CU_ASSERT_STRING_EQUAL(part.s, want);
	for (k = 1; k < n; k++) {
		cuts[0] = k;
		cuts[1] = SIZE_MAX;
		describe_cut(in, n, cuts, false, &part);
		CU_ASSERT_STRING_EQUAL(part.s, want);
		if (strcmp(part.s, want) != 0) {
			fprintf(stderr, "\n  cut at %zu: %s\n", k, part.s);
			break;
		}
	}
	/* And in three pieces, around the middle. */
	for (k = 1; k + 1 < n; k += 3) {
		cuts[0] = k;
		cuts[1] = n / 2 > k ? n / 2 : k + 1;
		cuts[2] = SIZE_MAX;
		describe_cut(in, n, cuts, false, &part);
		CU_ASSERT_STRING_EQUAL(part.s, want);
	}
}

#define CHECK(in, want) check_any_cut((in), sizeof(in) - 1, (want))

/* --- multibulk requests --------------------------------------------------- */

static void
a_multibulk_request_is_parsed_whatever_the_cuts(void)
{
	CHECK("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "<GET><k>;MORE");
	CHECK("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
	    "<SET><key><value>;MORE");
}

static void
an_argument_may_hold_any_byte_and_be_empty(void)
{
	CHECK("*3\r\n$4\r\nECHO\r\n$6\r\na\r\n\0\xff\n\r\n$0\r\n\r\n",
	    "<ECHO><a\\x0d\\x0a\\x00\\xff\\x0a><>;MORE");
}

static void
pipelined_requests_come_out_in_order(void)
{
	CHECK("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"
	      "PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nx\r\n",
	    "<PING>;<ECHO><hi>;<PING>;<GET><x>;MORE");
}

static void
a_thousand_pipelined_requests_in_one_read_all_come_out(void)
{
	static const char one[] = "*2\r\n$3\r\nGET\r\n$4\r\nk123\r\n";
	size_t n = 1000 * (sizeof(one) - 1), i;
	char *in = malloc(n);
	struct resp_parser p;
	struct resp_request req;

	CU_ASSERT_FATAL(in != NULL);
	for (i = 0; i < 1000; i++)
		memcpy(in + i * (sizeof(one) - 1), one, sizeof(one) - 1);
	resp_parser_init(&p);
	CU_ASSERT_FATAL(resp_parser_feed(&p, in, n) == 0);
	for (i = 0; resp_parser_next(&p, &req) == RESP_REQUEST; i++)
		CU_ASSERT(req.argc == 2 && req.argv[1].len == 4 &&
		    memcmp(req.argv[1].p, "k123", 4) == 0);
	CU_ASSERT_EQUAL(i, 1000);
	resp_parser_free(&p);
	free(in);
}

static void
empty_requests_are_skipped_as_redis_skips_them(void)
{
	CHECK("*0\r\n*-1\r\n*-7\r\n\r\n   \r\n\n*1\r\n$4\r\nPING\r\n",
	    "<PING>;MORE");
}

static void
a_count_line_ends_at_its_first_cr_and_the_next_byte_is_skipped(void)
{
	/* Redis skips two bytes after each '\r' of a count line and after
	 * each bulk, whatever they are. */
	CHECK("*1\rX$4\rXPING..", "<PING>;MORE");
	CHECK("*2\r\n$3\r\nGETxy$1\r\nkzz*1\r\n$4\r\nPING\r\n",
	    "<GET><k>;<PING>;MORE");
}

static void
a_nul_before_the_end_of_a_count_line_hides_it_as_in_redis(void)
{
	/* strchr() stops at the NUL: Redis waits for more, as we do. */
	CHECK("*1\0\r\n$4\r\nPING\r\n", "MORE");
	CHECK("*1\r\n$4\0\r\nPING\r\n", "MORE");
	CHECK("PI\0NG\r\n", "MORE");
}

/* --- protocol errors ------------------------------------------------------ */

static void
a_bad_multibulk_count_is_an_invalid_multibulk_length(void)
{
	const char *want = "EPROTO:Protocol error: invalid multibulk length";

	CHECK("*abc\r\n", want);
	CHECK("*\r\n", want);
	CHECK("*+1\r\n", want);
	CHECK("*01\r\n", want);
	CHECK("* 1\r\n", want);
	CHECK("*1 \r\n", want);
	CHECK("*-0\r\n", want);
	CHECK("*99999999999999999999\r\n", want);
	CHECK("*1048577\r\n", want); /* over RESP_MAX_ARGS */
}

static void
a_bad_bulk_length_is_an_invalid_bulk_length(void)
{
	const char *want = "EPROTO:Protocol error: invalid bulk length";

	CHECK("*1\r\n$abc\r\n", want);
	CHECK("*1\r\n$-1\r\n", want);
	CHECK("*1\r\n$\r\n", want);
	CHECK("*1\r\n$+3\r\nfoo\r\n", want);
	CHECK("*1\r\n$03\r\nfoo\r\n", want);
	CHECK("*1\r\n$9223372036854775807\r\n", want);
	CHECK("*1\r\n$9223372036854775808\r\n", want);
	CHECK("*1\r\n$16777217\r\n", want); /* over RESP_MAX_BULK */
	/* The requests before the bad one are not lost. */
	CHECK("PING\r\n*2\r\n$4\r\nECHO\r\n$x\r\n",
	    "<PING>;EPROTO:Protocol error: invalid bulk length");
}

static void
a_bulk_without_its_dollar_is_expected_dollar_got_that_byte(void)
{
	CHECK("*1\r\nPING\r\n", "EPROTO:Protocol error: expected '$', got 'P'");
	CHECK("*2\r\n$3\r\nGET\r\n:1\r\n",
	    "EPROTO:Protocol error: expected '$', got ':'");
	/* The byte is given as it is; the reply writer turns a '\r' into a
	 * space, as Redis's does. */
	CHECK("*1\r\n\r\n", "EPROTO:Protocol error: expected '$', got '\\x0d'");
}

static void
unbalanced_quotes_are_refused(void)
{
	const char
	    *want = "EPROTO:Protocol error: unbalanced quotes in request";

	CHECK("SET \"a b\r\n", want);
	CHECK("SET 'a b\r\n", want);
	CHECK("SET \"a\"b\r\n", want);
	CHECK("SET 'a'b\r\n", want);
	CHECK("ECHO \"a\\\"\r\n", want);
	CHECK("PING\r\nECHO \"x\n",
	    "<PING>;EPROTO:Protocol error: "
	    "unbalanced quotes in request");
}

/* A line of n bytes of `fill` after `head`, without an end. */
static char *
long_line(const char *head, int fill, size_t n, size_t *len)
{
	size_t h = strlen(head);
	char *s = malloc(h + n);

	if (s == NULL)
		return NULL;
	memcpy(s, head, h);
	memset(s + h, fill, n);
	*len = h + n;
	return s;
}

static void
lines_longer_than_64k_are_too_big_as_in_redis(void)
{
	/* `line` bytes of the head are part of the long line. */
	static const struct {
		const char *head;
		size_t line;
		const char *error;
	} cases[] = {
		{ "", 0, "Protocol error: too big inline request" },
		{ "*", 1, "Protocol error: too big mbulk count string" },
		{ "*1\r\n", 0, "Protocol error: too big bulk count string" },
	};
	size_t i, len = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = long_line(cases[i].head, '1',
		    RESP_MAX_INLINE + 1 - cases[i].line, &len);
		struct text t, want;

		CU_ASSERT_FATAL(s != NULL);
		/* 64 KB exactly is still waited on; one byte more is not. */
		describe(s, len - 1, &t);
		CU_ASSERT_STRING_EQUAL(t.s, "MORE");
		describe(s, len, &t);
		snprintf(want.s, sizeof(want.s), "EPROTO:%s", cases[i].error);
		CU_ASSERT_STRING_EQUAL(t.s, want.s);
		free(s);
	}
}

static void
an_error_sticks_and_nothing_after_it_is_parsed(void)
{
	struct resp_parser p;
	struct resp_request req;

	resp_parser_init(&p);
	CU_ASSERT(resp_parser_feed(&p, "*x\r\n", 4) == 0);
	CU_ASSERT_EQUAL(resp_parser_next(&p, &req), RESP_EPROTO);
	CU_ASSERT(resp_parser_feed(&p, "PING\r\n", 6) == 0);
	CU_ASSERT_EQUAL(resp_parser_next(&p, &req), RESP_EPROTO);
	CU_ASSERT_STRING_EQUAL(resp_parser_error(&p),
	    "Protocol error: invalid multibulk length");
	resp_parser_free(&p);
}

/* --- limits --------------------------------------------------------------- */

/*
 * Feed `in` to a new parser: its next answer is `want`, and what it holds
 * is no more than a read's room (the lengths in `in` are announced, not
 * sent).
 */
static void
expect_little_held(const char *in, int want)
{
	struct resp_parser p;
	struct resp_request req;

	resp_parser_init(&p);
	CU_ASSERT(resp_parser_feed(&p, in, strlen(in)) == 0);
	CU_ASSERT_EQUAL(resp_parser_next(&p, &req), want);
	CU_ASSERT(resp_parser_held(&p) < 64 * 1024);
	resp_parser_free(&p);
}

static void
a_bulk_at_the_limit_is_waited_for_without_taking_its_memory(void)
{
	expect_little_held("*2\r\n$3\r\nSET\r\n$16777216\r\n", RESP_MORE);
}

static void
a_bulk_over_the_limit_is_refused_before_its_data(void)
{
	char in[64];

	snprintf(in, sizeof(in), "*1\r\n$%u\r\n", RESP_MAX_BULK + 1u);
	expect_little_held(in, RESP_EPROTO);
}

static void
a_huge_multibulk_count_takes_no_memory_until_its_arguments_come(void)
{
	expect_little_held("*1048576\r\n$4\r\nMGET\r\n", RESP_MORE);
}

static void
a_request_over_its_total_limit_is_too_big(void)
{
	static const char in[] = "*3\r\n$3\r\nSET\r\n$4\r\nkkkk\r\n$7\r\n";
	struct resp_parser p;
	struct resp_request req;

	resp_parser_init(&p);
	p.max_request = 13; /* SET + kkkk = 7 bytes; 7 more do not fit */
	CU_ASSERT(resp_parser_feed(&p, in, sizeof(in) - 1) == 0);
	CU_ASSERT_EQUAL(resp_parser_next(&p, &req), RESP_ETOOBIG);
	resp_parser_free(&p);

	resp_parser_init(&p);
	p.max_request = 14; /* exactly */
	CU_ASSERT(resp_parser_feed(&p, in, sizeof(in) - 1) == 0);
	CU_ASSERT(resp_parser_feed(&p, "valueee\r\n", 9) == 0);
	CU_ASSERT_EQUAL(resp_parser_next(&p, &req), RESP_REQUEST);
	resp_parser_free(&p);
}

static void
a_large_argument_in_small_pieces_is_whole_and_its_memory_freed(void)
{
	size_t n = 3u << 20, i;
	char head[64], *chunk = malloc(4096);
	struct resp_parser p;
	struct resp_request req;
	enum resp_result r = RESP_MORE;

	CU_ASSERT_FATAL(chunk != NULL);
	resp_parser_init(&p);
	snprintf(head, sizeof(head), "*2\r\n$4\r\nECHO\r\n$%zu\r\n", n);
	CU_ASSERT(resp_parser_feed(&p, head, strlen(head)) == 0);
	for (i = 0; i < n; i += 4096) {
		memset(chunk, 'a' + (int)(i / 4096 % 26), 4096);
		CU_ASSERT_FATAL(resp_parser_feed(&p, chunk, 4096) == 0);
		r = resp_parser_next(&p, &req);
		CU_ASSERT_EQUAL_FATAL(r, RESP_MORE);
	}
	CU_ASSERT(resp_parser_feed(&p, "\r\nPING\r\n", 8) == 0);
	r = resp_parser_next(&p, &req);
	CU_ASSERT_EQUAL_FATAL(r, RESP_REQUEST);
	CU_ASSERT_EQUAL(req.argv[1].len, n);
	CU_ASSERT(req.argv[1].p[0] == 'a' &&
	    req.argv[1].p[n - 1] == 'a' + (int)((n - 4096) / 4096 % 26));
	CU_ASSERT_EQUAL(resp_parser_next(&p, &req), RESP_REQUEST);
	CU_ASSERT(req.argc == 1 && req.argv[0].len == 4);
	CU_ASSERT_EQUAL(resp_parser_next(&p, &req), RESP_MORE);
	/* Between requests again: the large buffer is given back. */
	{
		char *at;
		size_t room;

		CU_ASSERT(resp_parser_space(&p, &at, &room) == 0);
	}
	CU_ASSERT(resp_parser_held(&p) < 256 * 1024);
	resp_parser_free(&p);
	free(chunk);
}

/* --- inline requests ------------------------------------------------------ */

static void
inline_words_are_split_at_blanks(void)
{
	CHECK("PING\r\n", "<PING>;MORE");
	CHECK("PING\n", "<PING>;MORE");
	CHECK("  SET\tkey  value \r\n", "<SET><key><value>;MORE");
	/* isspace() skips \v and \f between words, but only ' ', \t, \r
	 * and \n end one. */
	CHECK("\v\fECHO a\vb\r\n", "<ECHO><a\\x0bb>;MORE");
	CHECK("ECHO a\r\rb\r\n", "<ECHO><a><b>;MORE");
}

static void
inline_quotes_are_unquoted_as_redis_does(void)
{
	CHECK("SET \"a b\" 'c d'\r\n", "<SET><a b><c d>;MORE");
	CHECK("ECHO \"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\\q\"\r\n",
	    "<ECHO><AJ\\x0a\\x0d\\x09\\x08\\x07\\x5c\"q>;MORE");
	/* \x needs two hex digits, else it is a plain escaped 'x'. */
	CHECK("ECHO \"\\x4g\"\r\n", "<ECHO><x4g>;MORE");
	CHECK("ECHO 'it\\'s' 'a\\nb'\r\n", "<ECHO><it's><a\\x5cnb>;MORE");
	/* A quote may open inside a word; an empty pair is an empty word. */
	CHECK("ECHO ab\"cd ef\" \"\" ''\r\n", "<ECHO><abcd ef><><>;MORE");
	CHECK("ECHO \"a\"\r\n", "<ECHO><a>;MORE");
	CHECK("ECHO \"a\"\tb\r\n", "<ECHO><a><b>;MORE");
	/* Outside quotes a backslash is a byte like another. */
	CHECK("ECHO a\\nb\r\n", "<ECHO><a\\x5cnb>;MORE");
}

/* --- integers ------------------------------------------------------------- */

static void
integers_are_as_strict_as_redis_string2ll(void)
{
	static const struct {
		const char *s;
		bool ok;
		long long v;
	} cases[] = {
		{ "0", true, 0 },
		{ "1", true, 1 },
		{ "-1", true, -1 },
		{ "1234567890", true, 1234567890 },
		{ "9223372036854775807", true, LLONG_MAX },
		{ "-9223372036854775808", true, LLONG_MIN },
		{ "9223372036854775808", false, 0 },
		{ "-9223372036854775809", false, 0 },
		{ "18446744073709551616", false, 0 },
		{ "00000000000000000001", false, 0 },
		{ "", false, 0 },
		{ " 1", false, 0 },
		{ "1 ", false, 0 },
		{ "+1", false, 0 },
		{ "007", false, 0 },
		{ "00", false, 0 },
		{ "-0", false, 0 },
		{ "-", false, 0 },
		{ "1.0", false, 0 },
		{ "1e3", false, 0 },
		{ "0x10", false, 0 },
		{ "12a", false, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long v = 42;
		bool ok = resp_string2ll(cases[i].s, strlen(cases[i].s), &v);

		CU_ASSERT_EQUAL(ok, cases[i].ok);
		if (ok != cases[i].ok)
			fprintf(stderr, "\n  \"%s\"\n", cases[i].s);
		if (ok)
			CU_ASSERT_EQUAL(v, cases[i].v);
	}
	/* Lengths count, not NULs. */
	CU_ASSERT(!resp_string2ll("1\0", 2, NULL));
	CU_ASSERT(resp_string2ll("12", 1, NULL));
}

static void
integers_are_written_back_in_decimal(void)
{
	char buf[32];

	CU_ASSERT_EQUAL(resp_ll2string(buf, 0), 1);
	CU_ASSERT(memcmp(buf, "0", 1) == 0);
	CU_ASSERT_EQUAL(resp_ll2string(buf, LLONG_MIN), 20);
	CU_ASSERT(memcmp(buf, "-9223372036854775808", 20) == 0);
	CU_ASSERT_EQUAL(resp_ll2string(buf, LLONG_MAX), 19);
	CU_ASSERT(memcmp(buf, "9223372036854775807", 19) == 0);
}

/* --- replies -------------------------------------------------------------- */

static void
every_kind_of_reply_is_written_as_redis_writes_it(void)
{
	struct resp_buf b = { 0 };
	static const char
	    want[] = "+OK\r\n"
		     "-ERR unknown command 'x y'\r\n"
		     "-WRONGTYPE Operation\r\n"
		     "-ERR Protocol error: expected '$', got ' '\r\n"
		     ":0\r\n:-42\r\n"
		     "$5\r\nhe\0lo\r\n$0\r\n\r\n"
		     "$-1\r\n"
		     "*2\r\n*0\r\n";

	CU_ASSERT(resp_add_simple(&b, "OK") == 0);
	CU_ASSERT(resp_add_errorf(&b, "unknown command '%s'", "x\ny") == 0);
	CU_ASSERT(resp_add_error(&b, "-WRONGTYPE Operation", 20) == 0);
	CU_ASSERT(resp_add_error(&b, "Protocol error: expected '$', got '\r'",
		      strlen("Protocol error: expected '$', got '\r'")) == 0);
	CU_ASSERT(resp_add_int(&b, 0) == 0);
	CU_ASSERT(resp_add_int(&b, -42) == 0);
	CU_ASSERT(resp_add_bulk(&b, "he\0lo", 5) == 0);
	CU_ASSERT(resp_add_bulk(&b, "", 0) == 0);
	CU_ASSERT(resp_add_nil(&b) == 0);
	CU_ASSERT(resp_add_array(&b, 2) == 0);
	CU_ASSERT(resp_add_array(&b, 0) == 0);
	CU_ASSERT_EQUAL(b.len, sizeof(want) - 1);
	CU_ASSERT(b.len == sizeof(want) - 1 &&
	    memcmp(b.data, want, b.len) == 0);
	resp_buf_free(&b);
	CU_ASSERT(b.data == NULL && b.len == 0);
}

static CU_TestInfo parser_tests[] = {
	{ "a multibulk request is parsed whatever the cuts",
	    a_multibulk_request_is_parsed_whatever_the_cuts },
	{ "an argument may hold any byte and be empty",
	    an_argument_may_hold_any_byte_and_be_empty },
	{ "pipelined requests come out in order",
	    pipelined_requests_come_out_in_order },
	{ "a thousand pipelined requests in one read all come out",
	    a_thousand_pipelined_requests_in_one_read_all_come_out },
	{ "empty requests are skipped as redis skips them",
	    empty_requests_are_skipped_as_redis_skips_them },
	{ "a count line ends at its first cr and the next byte is skipped",
	    a_count_line_ends_at_its_first_cr_and_the_next_byte_is_skipped },
	{ "a nul before the end of a count line hides it as in redis",
	    a_nul_before_the_end_of_a_count_line_hides_it_as_in_redis },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo error_tests[] = {
	{ "a bad multibulk count is an invalid multibulk length",
	    a_bad_multibulk_count_is_an_invalid_multibulk_length },
	{ "a bad bulk length is an invalid bulk length",
	    a_bad_bulk_length_is_an_invalid_bulk_length },
	{ "a bulk without its dollar is expected dollar got that byte",
	    a_bulk_without_its_dollar_is_expected_dollar_got_that_byte },
	{ "unbalanced quotes are refused", unbalanced_quotes_are_refused },
	{ "lines longer than 64k are too big as in redis",
	    lines_longer_than_64k_are_too_big_as_in_redis },
	{ "an error sticks and nothing after it is parsed",
	    an_error_sticks_and_nothing_after_it_is_parsed },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo limit_tests[] = {
	{ "a bulk at the limit is waited for without taking its memory",
	    a_bulk_at_the_limit_is_waited_for_without_taking_its_memory },
	{ "a bulk over the limit is refused before its data",
	    a_bulk_over_the_limit_is_refused_before_its_data },
	{ "a huge multibulk count takes no memory until its arguments come",
	    a_huge_multibulk_count_takes_no_memory_until_its_arguments_come },
	{ "a request over its total limit is too big",
	    a_request_over_its_total_limit_is_too_big },
	{ "a large argument in small pieces is whole and its memory freed",
	    a_large_argument_in_small_pieces_is_whole_and_its_memory_freed },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo inline_tests[] = {
	{ "inline words are split at blanks",
	    inline_words_are_split_at_blanks },
	{ "inline quotes are unquoted as redis does",
	    inline_quotes_are_unquoted_as_redis_does },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo integer_tests[] = {
	{ "integers are as strict as redis string2ll",
	    integers_are_as_strict_as_redis_string2ll },
	{ "integers are written back in decimal",
	    integers_are_written_back_in_decimal },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo reply_tests[] = {
	{ "every kind of reply is written as redis writes it",
	    every_kind_of_reply_is_written_as_redis_writes_it },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "resp: requests", NULL, NULL, NULL, NULL, parser_tests },
	{ "resp: protocol errors", NULL, NULL, NULL, NULL, error_tests },
	{ "resp: limits", NULL, NULL, NULL, NULL, limit_tests },
	{ "resp: inline requests", NULL, NULL, NULL, NULL, inline_tests },
	{ "resp: integers", NULL, NULL, NULL, NULL, integer_tests },
	{ "resp: replies", NULL, NULL, NULL, NULL, reply_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
