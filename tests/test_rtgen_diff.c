/* SPDX-License-Identifier: MIT */
/*
 * Tests of `rtgen --diff OLD.rtp NEW.rtp`: each pair of
 * tests/rtgen/diff/NAME.old.rtp and NAME.new.rtp must give the lines of
 * NAME.out on stdout, the diagnostics of NAME.err on stderr (nothing when
 * there is no such file) and its exit status (0 nothing breaks, 1 a change
 * breaks the wire, 2 errors); and diff_units() on its own, for what the
 * pairs cannot show.
 *
 * RTGEN_UPDATE_GOLDEN=1 in the environment rewrites NAME.out and NAME.err
 * from the current output instead of comparing (read the diff before
 * keeping it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutest.h"
#include "rtgen_io.h"

#include "ast.h"
#include "canon.h"
#include "diag.h"
#include "diff.h"
#include "emit_c.h"
#include "loader.h"
#include "rtgen.h"

/* ---- helpers ------------------------------------------------------------- */

/* A checked unit of `text`, or NULL when it has errors. */
static ast_unit *
unit_of(const char *path, const char *text)
{
	ast_unit *u = ast_unit_new(path);
	FILE *sink = fopen("/dev/null", "w");
	diag d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sink);
	diag_init(&d, sink, path, text, strlen(text));
	if (loader_check_text(NULL, u, &d, text, strlen(text)) != 0) {
		ast_unit_free(u);
		u = NULL;
	}
	diag_fini(&d);
	fclose(sink);
	return u;
}

/* The lines and status of diff_units on two texts (caller frees). */
static char *
diff_texts(const char *older, const char *newer, int *status)
{
	ast_unit *a = unit_of("old.rtp", older), *b = unit_of("new.rtp", newer);
	emit_buf out = { 0 };
	char *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	*status = diff_units(a, "old.rtp", b, "new.rtp", &out);
	s = strdup(out.data != NULL ? out.data : "");
	emit_buf_free(&out);
	ast_unit_free(a);
	ast_unit_free(b);
	return s;
}

/* Compare `got` with TEST_SRCDIR/`path`, or rewrite it; a missing file
 * stands for no output, and is not written for none. */
static void
golden(const char *path, const char *got)
{
	char full[512], *want;

	snprintf(full, sizeof(full), "%s/%s", TEST_SRCDIR, path);
	if (updating()) {
		remove(full);
		if (*got != '\0')
			spit(full, got, strlen(got));
	}
	want = slurp(full, NULL);
	if (strcmp(want != NULL ? want : "", got) != 0) {
		fprintf(stderr, "\n%s differs; got:\n%s\n", path, got);
		CU_FAIL("output differs from the golden file");
	}
	free(want);
}

/* ---- the pairs ----------------------------------------------------------- */

/* Each pair (tests/rtgen/diff/NAME.{old,new}.rtp) and its exit status. */
static const struct {
	const char *name;
	int status;
} pairs[] = {
	{ "fields", 1 },
	{ "field_renamed", 0 },
	{ "requests", 1 },
	{ "enums", 1 },
	{ "nested", 1 },
	{ "accepts", 1 },
	{ "accepts_added", 0 },
	{ "kinds", 1 },
	{ "protocol_renamed", 1 },
	{ "local", 0 },
	{ "imported", 1 },
	{ "unchanged", 0 },
	{ "syntax_error", 2 },
};

static void
each_pair_gives_its_expected_lines_and_status(void)
{
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(*pairs); i++) {
		char older[256], newer[256], outpath[256], errpath[256];
		const char *args[] = { "--diff", older, newer, NULL };
		char *out, *err;
		int status;

		snprintf(older, sizeof(older), "rtgen/diff/%s.old.rtp",
		    pairs[i].name);
		snprintf(newer, sizeof(newer), "rtgen/diff/%s.new.rtp",
		    pairs[i].name);
		snprintf(outpath, sizeof(outpath), "rtgen/diff/%s.out",
		    pairs[i].name);
		snprintf(errpath, sizeof(errpath), "rtgen/diff/%s.err",
		    pairs[i].name);
		status = run_in(TEST_SRCDIR, args, &out, &err);
		if (status != pairs[i].status) {
			fprintf(stderr, "\n%s: status %d, not %d\n",
			    pairs[i].name, status, pairs[i].status);
			CU_FAIL("wrong exit status");
		}
		golden(outpath, out);
		golden(errpath, err);
		free(out);
		free(err);
	}
}

/* Backwards, each pair is a change too: it must run as cleanly. */
static void
each_pair_backwards_runs_cleanly(void)
{
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(*pairs); i++) {
		char older[256], newer[256];
		const char *args[] = { "--diff", newer, older, NULL };
		char *out, *err;
		int status;

		if (pairs[i].status == 2)
			continue;
		snprintf(older, sizeof(older), "rtgen/diff/%s.old.rtp",
		    pairs[i].name);
		snprintf(newer, sizeof(newer), "rtgen/diff/%s.new.rtp",
		    pairs[i].name);
		status = run_in(TEST_SRCDIR, args, &out, &err);
		CU_ASSERT(status == 0 || status == 1);
		CU_ASSERT_STRING_EQUAL(err, "");
		CU_ASSERT(*out == '\0' || out[strlen(out) - 1] == '\n');
		free(out);
		free(err);
	}
}

static void
a_file_against_itself_has_no_change(void)
{
	const char *args[] = { "--diff", "rtgen/good/shop.rtp",
		"rtgen/good/shop.rtp", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, args, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);
}

/* ---- diff_units ---------------------------------------------------------- */

static const char quote_old[] = "protocol q;\n"
				"message Quote { string sym; u64 px; }\n"
				"actor Board { accepts Quote; remote; }\n";
static const char quote_new[] = "protocol q;\n"
				"message Quote { string sym; u64 price; }\n"
				"actor Board { accepts Quote; remote; }\n";

/* What makes a rename compatible: the texts, and so the fingerprints,
 * are the same. */
static void
a_renamed_field_keeps_the_canonical_text(void)
{
	ast_unit *a = unit_of("old.rtp", quote_old);
	ast_unit *b = unit_of("new.rtp", quote_new);
	char *t0, *t1;
	uint64_t h0 = 0, h1 = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	t0 = canon_message(a->decls->next, &h0);
	t1 = canon_message(b->decls->next, &h1);
	CU_ASSERT_STRING_EQUAL(t0, t1);
	CU_ASSERT_EQUAL(h0, h1);
	free(t0);
	free(t1);
	ast_unit_free(a);
	ast_unit_free(b);
}

static void
a_renamed_field_is_compatible(void)
{
	int status;
	char *s = diff_texts(quote_old, quote_new, &status);

	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT_STRING_EQUAL(s,
	    "new.rtp:2:33: compatible: message Quote: field 2 renamed px -> "
	    "price\n");
	free(s);
}

/* The same change, to what no remote kind sends, is local. */
static void
a_change_no_remote_kind_sends_is_local(void)
{
	int status;
	char *s = diff_texts("protocol q;\nmessage M { u32 a; }\n"
			     "actor A { accepts M; }\n",
	    "protocol q;\nmessage M { u64 a; }\nactor A { accepts M; }\n",
	    &status);

	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT_STRING_EQUAL(s,
	    "new.rtp:2:17: local: message M: field 1 (a) changed type u32 -> "
	    "u64\n");
	free(s);
}

/* A message that is a reply crosses nodes as one: a change in it breaks
 * the request that has it, and is reported at the reply. */
static void
a_change_of_a_reply_breaks_its_request(void)
{
	int status;
	char *s = diff_texts("protocol q;\nmessage R { u32 a; }\n"
			     "message Q -> R {}\n"
			     "actor A { accepts Q; remote; }\n",
	    "protocol q;\nmessage R { i32 a; }\nmessage Q -> R {}\n"
	    "actor A { accepts Q; remote; }\n",
	    &status);

	CU_ASSERT_EQUAL(status, 1);
	CU_ASSERT_STRING_EQUAL(s,
	    "new.rtp:2:17: breaks: message R: field 1 (a) changed type u32 -> "
	    "i32; breaks A.Q\n");
	free(s);
}

/* A remote kind that is not in the old version breaks nothing, however
 * the messages it sends changed. */
static void
a_new_remote_kind_breaks_nothing(void)
{
	int status;
	char *s = diff_texts("protocol q;\nmessage M { u32 a; }\n"
			     "actor A { accepts M; }\n",
	    "protocol q;\nmessage M { u64 a; }\nmessage N { M m; }\n"
	    "actor A { accepts M; }\nactor B { accepts N; remote; }\n",
	    &status);

	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT_STRING_EQUAL(s,
	    "new.rtp:2:17: compatible: message M: field 1 (a) changed type "
	    "u32 -> u64\n"
	    "new.rtp:3:9: compatible: message N added\n"
	    "new.rtp:5:7: compatible: remote actor B added\n");
	free(s);
}

/* Many changes of a large protocol: every one is listed, and fast. */
static void
a_large_protocol_is_compared_in_linear_time(void)
{
	size_t cap = 1 << 22, n = 5000, i;
	char *older = malloc(cap), *newer = malloc(cap);
	size_t lo, ln, lines = 0;
	int status;
	char *s, *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(older);
	CU_ASSERT_PTR_NOT_NULL_FATAL(newer);
	/* Every message holds Item, whose change breaks every kind. */
	lo = (size_t)snprintf(older, cap,
	    "protocol big;\nmessage Item { u32 a; }\n");
	ln = (size_t)snprintf(newer, cap,
	    "protocol big;\nmessage Item { u16 a; }\n");
	for (i = 0; i < n; i++) {
		lo += (size_t)snprintf(older + lo, cap - lo,
		    "message M%zu { Item x; u32 a; }\n"
		    "actor A%zu { accepts M%zu; remote; }\n",
		    i, i, i);
		ln += (size_t)snprintf(newer + ln, cap - ln,
		    "message M%zu { Item x; %s a; }\n"
		    "actor A%zu { accepts M%zu; remote; }\n",
		    i, i % 2 == 0 ? "u64" : "u32", i, i);
	}
	s = diff_texts(older, newer, &status);
	CU_ASSERT_EQUAL(status, 1);
	for (p = s; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	CU_ASSERT_EQUAL(lines, 1 + n / 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
	    "message Item: field 1 (a) changed type u32 -> u16; breaks A0.M0, "
	    "A1.M1, A2.M2, A3.M3, A4.M4, A5.M5, A6.M6, A7.M7 and more\n"));
	free(s);
	free(older);
	free(newer);
}

/* ---- the command line ---------------------------------------------------- */

static void
diff_needs_two_files(void)
{
	const char *one[] = { "--diff", "rtgen/good/shop.rtp", NULL };
	const char *three[] = { "--diff", "rtgen/good/shop.rtp",
		"rtgen/good/shop.rtp", "rtgen/good/shop.rtp", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, one, &out, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--diff compares two files"));
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, three, &out, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--diff compares two files"));
	free(out);
	free(err);
}

static void
diff_with_dot_or_deps_is_a_usage_error(void)
{
	const char *dot[] = { "--dot", "--diff", "a.rtp", "b.rtp", NULL };
	const char *deps[] = { "--diff", "-M", "a.rtp", "b.rtp", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(NULL, dot, &out, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err,
	    "options '--dot' and '--diff' cannot be combined"));
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run_in(NULL, deps, &out, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err,
	    "options '--diff' and '-M' cannot be combined"));
	free(out);
	free(err);
}

static void
a_file_that_cannot_be_read_is_status_2(void)
{
	const char *args[] = { "--diff", "rtgen/diff/no-such-file.rtp",
		"rtgen/good/shop.rtp", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, args, &out, &err), 2);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such-file.rtp: error:"));
	free(out);
	free(err);
}

static void
help_names_diff(void)
{
	const char *args[] = { "--help", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(NULL, args, &out, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "--diff [-I DIR]..."));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "1 a change breaks it"));
	free(out);
	free(err);
}

/* ---- suites -------------------------------------------------------------- */

static CU_TestInfo pair_tests[] = {
	{ "each pair gives its expected lines and status",
	    each_pair_gives_its_expected_lines_and_status },
	{ "each pair backwards runs cleanly",
	    each_pair_backwards_runs_cleanly },
	{ "a file against itself has no change",
	    a_file_against_itself_has_no_change },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo unit_tests[] = {
	{ "a renamed field keeps the canonical text",
	    a_renamed_field_keeps_the_canonical_text },
	{ "a renamed field is compatible", a_renamed_field_is_compatible },
	{ "a change no remote kind sends is local",
	    a_change_no_remote_kind_sends_is_local },
	{ "a change of a reply breaks its request",
	    a_change_of_a_reply_breaks_its_request },
	{ "a new remote kind breaks nothing",
	    a_new_remote_kind_breaks_nothing },
	{ "a large protocol is compared in linear time",
	    a_large_protocol_is_compared_in_linear_time },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo cli_tests[] = {
	{ "--diff needs two files", diff_needs_two_files },
	{ "--diff with --dot or -M is a usage error",
	    diff_with_dot_or_deps_is_a_usage_error },
	{ "a file that cannot be read is status 2",
	    a_file_that_cannot_be_read_is_status_2 },
	{ "--help names --diff", help_names_diff },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "rtgen --diff pairs", NULL, NULL, NULL, NULL, pair_tests },
	{ "diff_units", NULL, NULL, NULL, NULL, unit_tests },
	{ "rtgen --diff on the command line", NULL, NULL, NULL, NULL,
	    cli_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
