/* SPDX-License-Identifier: MIT */
/*
 * The fuzz target of rtgen: one input is the text of one .rtp file, run in
 * memory through every stage the command line can run (scan, parse, check,
 * then the C emitter, the DOT emitter and the make dependencies when the
 * check passes, and --diff against a fixed protocol, both ways).
 * libFuzzer links it with its own main() (`make fuzz`);
 * replay.c gives it a plain main() so that `make check` replays the corpus
 * in every build, under the sanitizers of that build.
 *
 * Besides not crashing, hanging or leaking, each input must keep a few
 * promises, checked with abort() so that both drivers catch them: a clean
 * input gives non-empty outputs that hold no NUL byte (they are C and DOT
 * text), and the same outputs when emitted a second time; compared with
 * the fixed protocol, lines of text and a status of 0 or 1, and compared
 * with itself, no line and 0.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "deps.h"
#include "diag.h"
#include "diff.h"
#include "emit_c.h"
#include "emit_dot.h"
#include "loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Diagnostics are formatted (that code is fuzzed too) but not kept. */
static FILE *
sink(void)
{
	static FILE *f;

	if (f == NULL)
		f = fopen("/dev/null", "w");
	if (f == NULL)
		abort();
	return f;
}

/* Abort unless b holds text: at least one byte, and no NUL in it. */
static void
text(const emit_buf *b)
{
	if (b->len == 0 || memchr(b->data, '\0', b->len) != NULL)
		abort();
}

static void
same(const emit_buf *a, const emit_buf *b)
{
	if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0)
		abort();
}

/* Run every emitter on a checked unit, twice, comparing the runs; and
 * the C emitter a third time without #line directives. */
static void
emit_all(const ast_unit *unit)
{
	emit_c_opts o = { "t.rtp", "t.rtp.h", "t.rtp.c", true };
	emit_buf h[3] = { { 0 } }, c[3] = { { 0 } }, dot[2] = { { 0 } };
	emit_buf dep[2] = { { 0 } };
	int i;

	for (i = 0; i < 3; i++) {
		o.lines = i < 2;
		emit_c(unit, &o, &h[i], &c[i]);
		text(&h[i]);
		text(&c[i]);
	}
	for (i = 0; i < 2; i++) {
		emit_dot(unit, "t.rtp", &dot[i]);
		deps_emit(unit, "t.rtp", "out/", &dep[i]);
		text(&dot[i]);
		text(&dep[i]);
	}
	same(&h[0], &h[1]);
	same(&c[0], &c[1]);
	same(&dot[0], &dot[1]);
	same(&dep[0], &dep[1]);
	for (i = 0; i < 3; i++) {
		emit_buf_free(&h[i]);
		emit_buf_free(&c[i]);
	}
	for (i = 0; i < 2; i++) {
		emit_buf_free(&dot[i]);
		emit_buf_free(&dep[i]);
	}
}

/* The fixed protocol each clean input is compared with, checked once and
 * kept for the whole run: names that inputs have too (tests/rtgen/good),
 * remote kinds, nesting, a request. */
static const ast_unit *
base(void)
{
	static const char
	    text[] = "protocol shop;\n"
		     "enum Color { red, green, blue }\n"
		     "message Item { u32 qty; Color color; }\n"
		     "message Order { u64 id; string customer; Item[2] items; "
		     "ref<Cart> reply_to; }\n"
		     "message Ping {}\n"
		     "message Total { u64 cents; }\n"
		     "message GetTotal -> Total { Item item; }\n"
		     "actor Cart { accepts Order, Ping, GetTotal; remote; }\n"
		     "actor Auditor { accepts Order; }\n";
	static ast_unit *unit;
	size_t len = sizeof(text) - 1;
	diag d;

	if (unit != NULL)
		return unit;
	unit = ast_unit_new("base.rtp");
	diag_init(&d, sink(), "base.rtp", text, len);
	if (loader_check_text(NULL, unit, &d, text, len) != 0)
		abort();
	diag_fini(&d);
	return unit;
}

/* Lines of text: none, or each ended by a newline. */
static void
lines(const emit_buf *b)
{
	if (b->len > 0 &&
	    (memchr(b->data, '\0', b->len) != NULL ||
		b->data[b->len - 1] != '\n'))
		abort();
}

/* Compare a checked unit with the fixed protocol, both ways (twice one
 * way, which must agree), and with itself. */
static void
diff_all(const ast_unit *unit)
{
	emit_buf out[4] = { { 0 } };
	int i;

	if (diff_units(base(), "base.rtp", unit, "t.rtp", &out[0]) > 1 ||
	    diff_units(base(), "base.rtp", unit, "t.rtp", &out[1]) > 1 ||
	    diff_units(unit, "t.rtp", base(), "base.rtp", &out[2]) > 1)
		abort();
	if (diff_units(unit, "t.rtp", unit, "t.rtp", &out[3]) != 0 ||
	    out[3].len != 0)
		abort();
	same(&out[0], &out[1]);
	for (i = 0; i < 4; i++) {
		lines(&out[i]);
		emit_buf_free(&out[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text_ = (const char *)data;
	ast_unit *unit = ast_unit_new("t.rtp");
	diag d;

	diag_init(&d, sink(), "t.rtp", text_, size);
	d.werror = size > 0 && data[0] == 'p'; /* both ways, cheaply */
	(void)loader_check_text(NULL, unit, &d, text_, size);
	if (d.errors == 0) {
		emit_all(unit);
		diff_all(unit);
	}
	ast_unit_free(unit);
	diag_fini(&d);
	return 0;
}
