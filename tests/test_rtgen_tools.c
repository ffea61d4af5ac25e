/* SPDX-License-Identifier: MIT */
/*
 * Tests of rtgen's outputs other than C: the Graphviz picture (`--dot`,
 * golden files tests/rtgen/dot/NAME.dot) and the make dependencies (`-M`,
 * golden files tests/rtgen/deps/NAME.d, and deps_emit() on its own for
 * what the language cannot express yet: imports and includes).
 *
 * RTGEN_UPDATE_GOLDEN=1 in the environment rewrites the golden files from
 * the current output instead of comparing (read the diff before keeping
 * it).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cutest.h"
#include "rtgen_io.h"

#include "ast.h"
#include "deps.h"
#include "emit_c.h"
#include "rtgen.h"

/* ---- helpers ------------------------------------------------------------- */

/* Compare `got` with the golden file TEST_SRCDIR/`golden` (or rewrite it). */
static void
golden(const char *golden, const char *got)
{
	char path[512], *want;

	snprintf(path, sizeof(path), "%s/%s", TEST_SRCDIR, golden);
	if (updating()) {
		FILE *f = fopen(path, "wb");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs(got, f);
		fclose(f);
	}
	want = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "\n%s differs; got:\n%s\n", golden, got);
		CU_FAIL("output differs from the golden file");
	}
	free(want);
}

/* ---- --dot --------------------------------------------------------------- */

/* Each input (relative to tests/) and its golden picture. */
static const struct {
	const char *rtp, *dot;
} dot_files[] = {
	{ "rtgen/dot/flow.rtp", "rtgen/dot/flow.dot" },
	{ "rtgen/good/shop.rtp", "rtgen/dot/shop.dot" },
	{ "rtgen/good/ask.rtp", "rtgen/dot/ask.dot" },
	{ "rtgen/good/minimal.rtp", "rtgen/dot/minimal.dot" },
	{ "rtgen/good/supervisors.rtp", "rtgen/dot/supervisors.dot" },
	{ "rtgen/good/lang.rtp", "rtgen/dot/lang.dot" },
	{ "rtgen/good/pools.rtp", "rtgen/dot/pools.dot" },
};

static void
each_dot_file_gives_its_expected_picture(void)
{
	size_t i;

	for (i = 0; i < sizeof(dot_files) / sizeof(*dot_files); i++) {
		const char *args[] = { "--dot", "-Irtgen/good/inc",
			dot_files[i].rtp, NULL };
		char *out, *err;

		CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, args, &out, &err), 0);
		golden(dot_files[i].dot, out);
		free(out);
		free(err);
	}
}

/* Graphviz, when it is installed, reads every golden picture. */
static void
graphviz_renders_every_picture(void)
{
	char cmd[1024];
	size_t i;

	if (system("command -v dot >/dev/null 2>&1") != 0)
		return;
	for (i = 0; i < sizeof(dot_files) / sizeof(*dot_files); i++) {
		snprintf(cmd, sizeof(cmd), "dot -Tsvg -o /dev/null %s/%s",
		    TEST_SRCDIR, dot_files[i].dot);
		if (system(cmd) != 0) {
			fprintf(stderr, "\nfailed: %s\n", cmd);
			CU_FAIL("graphviz cannot render a picture");
		}
	}
}

static void
dot_writes_no_file(void)
{
	char *dir = tmpdir(), *out, *err;
	const char *args[] = { "--dot", "-o", dir,
		TEST_SRCDIR "/rtgen/good/shop.rtp", NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_EQUAL(run_in(NULL, args, &out, &err), 0);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	CU_ASSERT(strncmp(strstr(out, "*/\n"), "*/\ndigraph \"shop\" {", 19) ==
	    0);
	rmdir(dir);
	free(dir);
	free(out);
	free(err);
}

static void
dot_of_several_files_gives_one_graph_each(void)
{
	const char *args[] = { "--dot", "rtgen/good/shop.rtp",
		"rtgen/good/ask.rtp", NULL };
	char *out, *err, *second;

	CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, args, &out, &err), 0);
	second = strstr(out, "digraph \"ask\"");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "digraph \"shop\""));
	CU_ASSERT_PTR_NOT_NULL(second);
	CU_ASSERT(second > strstr(out, "digraph \"shop\""));
	free(out);
	free(err);
}

static void
dot_of_a_bad_file_prints_errors_and_no_graph(void)
{
	const char *args[] = { "--dot", "rtgen/good/shop.rtp",
		"rtgen/bad/unknown_message.rtp", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, args, &out, &err), 1);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "error: unknown message"));
	free(out);
	free(err);
}

/* ---- -M ------------------------------------------------------------------ */

static void
each_deps_file_gives_its_expected_rule(void)
{
	const char *plain[] = { "-M", "rtgen/good/shop.rtp", NULL };
	const char *with_dir[] = { "-M", "-o", "gen/", "rtgen/good/shop.rtp",
		"rtgen/good/ask.rtp", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, plain, &out, &err), 0);
	golden("rtgen/deps/shop.d", out);
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, with_dir, &out, &err), 0);
	golden("rtgen/deps/two-in-gen.d", out);
	free(out);
	free(err);
}

static void
deps_writes_no_file(void)
{
	char *dir = tmpdir(), *out, *err;
	const char *args[] = { "-M", "-o", dir,
		TEST_SRCDIR "/rtgen/good/shop.rtp", NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_EQUAL(run_in(NULL, args, &out, &err), 0);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	rmdir(dir);
	free(dir);
	free(out);
	free(err);
}

static void
deps_of_a_bad_file_prints_errors_and_no_rule(void)
{
	const char *args[] = { "-M", "rtgen/bad/syntax_errors.rtp", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(TEST_SRCDIR, args, &out, &err), 1);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "error:"));
	free(out);
	free(err);
}

/* The rule of a unit with the given recorded dependencies. */
static char *
rule(const char *src, const char *dir, const char *const *deps)
{
	ast_unit *u = ast_unit_new(src);
	ast_loc at = { 1, 1, 1, 1 };
	emit_buf b = { 0 };
	char *s;

	for (; *deps != NULL; deps++)
		ast_unit_add_dep(u, *deps, at);
	deps_emit(u, src, dir, &b);
	s = strdup(b.data);
	emit_buf_free(&b);
	ast_unit_free(u);
	return s;
}

static void
deps_list_imports_and_includes_once_in_order(void)
{
	const char *deps[] = { "common.rtp", "inc/shop_types.h", "common.rtp",
		"shop.rtp", "inc/shop_types.h", "z.h", NULL };
	char *r = rule("shop.rtp", "", deps);

	CU_ASSERT_STRING_EQUAL(r,
	    "shop.rtp.c shop.rtp.h: shop.rtp common.rtp "
	    "inc/shop_types.h z.h\n");
	free(r);
}

static void
deps_escape_what_make_would_misread(void)
{
	const char *deps[] = { "my dir/a b.rtp", "cost$.h", "#x.h", NULL };
	char *r = rule("p q/s.rtp", "o/", deps);

	CU_ASSERT_STRING_EQUAL(r,
	    "o/s.rtp.c o/s.rtp.h: p\\ q/s.rtp "
	    "my\\ dir/a\\ b.rtp cost$$.h \\#x.h\n");
	free(r);
}

static void
long_rules_break_like_cc_m(void)
{
	const char *deps[] = { "include/a-rather-long-directory-name/one.rtp",
		"include/a-rather-long-directory-name/two.rtp",
		"include/a-rather-long-directory-name/three.h", NULL };
	char *r = rule("src/protocols/shop.rtp", "build/gen/", deps);

	CU_ASSERT_STRING_EQUAL(r,
	    "build/gen/shop.rtp.c build/gen/shop.rtp.h: "
	    "src/protocols/shop.rtp \\\n"
	    " include/a-rather-long-directory-name/one.rtp \\\n"
	    " include/a-rather-long-directory-name/two.rtp \\\n"
	    " include/a-rather-long-directory-name/three.h\n");
	free(r);
}

static void
deps_scale_to_many_files(void)
{
	ast_unit *u = ast_unit_new("p.rtp");
	ast_loc at = { 1, 1, 1, 1 };
	emit_buf b = { 0 };
	char name[32];
	int i;

	/* 20,000 includes of 100 headers: each listed once. */
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "h%d.h", i % 100);
		ast_unit_add_dep(u, name, at);
	}
	deps_emit(u, "p.rtp", "", &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, " h99.h\n"));
	CU_ASSERT_PTR_NULL(strstr(strstr(b.data, "h0.h") + 1, " h0.h"));
	emit_buf_free(&b);
	ast_unit_free(u);
}

/* ---- the command line ---------------------------------------------------- */

static void
dot_and_deps_together_are_a_usage_error(void)
{
	const char *args[] = { "--dot", "-M", "x.rtp", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(NULL, args, &out, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot be combined"));
	free(out);
	free(err);
}

static void
help_names_dot_and_deps(void)
{
	const char *args[] = { "--help", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run_in(NULL, args, &out, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "--dot"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "-M "));
	free(out);
	free(err);
}

/* ---- suites -------------------------------------------------------------- */

static CU_TestInfo dot_tests[] = {
	{ "each dot file gives its expected picture",
	    each_dot_file_gives_its_expected_picture },
	{ "graphviz renders every picture", graphviz_renders_every_picture },
	{ "--dot writes no file", dot_writes_no_file },
	{ "--dot of several files gives one graph each",
	    dot_of_several_files_gives_one_graph_each },
	{ "--dot of a bad file prints errors and no graph",
	    dot_of_a_bad_file_prints_errors_and_no_graph },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo deps_tests[] = {
	{ "each deps file gives its expected rule",
	    each_deps_file_gives_its_expected_rule },
	{ "-M writes no file", deps_writes_no_file },
	{ "-M of a bad file prints errors and no rule",
	    deps_of_a_bad_file_prints_errors_and_no_rule },
	{ "deps list imports and includes once, in order",
	    deps_list_imports_and_includes_once_in_order },
	{ "deps escape what make would misread",
	    deps_escape_what_make_would_misread },
	{ "long rules break like cc -M", long_rules_break_like_cc_m },
	{ "deps scale to many files", deps_scale_to_many_files },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo cli_tests[] = {
	{ "--dot and -M together are a usage error",
	    dot_and_deps_together_are_a_usage_error },
	{ "--help names --dot and -M", help_names_dot_and_deps },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "rtgen --dot", NULL, NULL, NULL, NULL, dot_tests },
	{ "rtgen -M", NULL, NULL, NULL, NULL, deps_tests },
	{ "rtgen --dot and -M on the command line", NULL, NULL, NULL, NULL,
	    cli_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
