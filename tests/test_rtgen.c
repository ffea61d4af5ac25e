/* SPDX-License-Identifier: MIT */
/*
 * Tests of rtgen: the scanner and parser (AST shape, locations, syntax
 * errors and recovery), the semantic checks (golden stderr of
 * tests/rtgen/bad/NAME.rtp in NAME.err), the C emitter (golden output of
 * tests/rtgen/good/NAME.rtp, which must also compile warning-free with
 * every compiler at hand), the command line, and robustness against any
 * input at all.
 *
 * RTGEN_UPDATE_GOLDEN=1 in the environment rewrites the golden files from
 * the current output instead of comparing (read the diff before keeping
 * it).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h" /* PACKAGE_VERSION */
#include "cutest.h"
#include "rtgen_io.h"

#include "ast.h"
#include "diag.h"
#include "emit_c.h"
#include "loader.h"
#include "rtgen.h"
#include "rtp_parse.h"
#include "sema.h"

/* ---- helpers ------------------------------------------------------------ */

/* The result of compiling a text in-process: its AST and diagnostics. */
struct result {
	ast_unit *unit;
	char *err;
	unsigned errors;
};

/* Parse (and, if parsing succeeds and `check`, check) text[0..len). */
static struct result
compile_text(const char *text, size_t len, bool check)
{
	struct result r = { NULL, NULL, 0 };
	size_t errlen = 0;
	FILE *err = open_memstream(&r.err, &errlen);
	diag d;

	diag_init(&d, err, "t.rtp", text, len);
	r.unit = ast_unit_new("t.rtp");
	/* The front end, or only its parser. */
	if (check)
		(void)loader_check_text(NULL, r.unit, &d, text, len);
	else
		(void)rtp_parse_text(r.unit, &d, text, len);
	r.errors = d.errors;
	diag_fini(&d);
	fclose(err);
	return r;
}

static struct result
parse(const char *text)
{
	return compile_text(text, strlen(text), false);
}

static struct result
check(const char *text)
{
	return compile_text(text, strlen(text), true);
}

static void
result_free(struct result *r)
{
	ast_unit_free(r->unit);
	free(r->err);
}

/* Does the diagnostic text contain `s`? Prints the text when not. */
static bool
said(const struct result *r, const char *s)
{
	if (strstr(r->err, s) != NULL)
		return true;
	fprintf(stderr, "\nexpected \"%s\" in:\n%s\n", s, r->err);
	return false;
}

static ast_decl *
nth_decl(const ast_unit *u, int n)
{
	ast_decl *d = u->decls;

	while (d != NULL && n-- > 0)
		d = d->next;
	return d;
}

/* rtgen_main with argv (NULL-terminated), here. */
static int
run(const char *const *args, char **out, char **err)
{
	return run_in(NULL, args, out, err);
}

/* ---- scanner and parser: good input --------------------------------------- */

static void
a_protocol_declaration_gives_its_name_and_location(void)
{
	struct result r = parse("// c\n  protocol shop;\n");
	ast_decl *d = r.unit->decls;

	CU_ASSERT_EQUAL(r.errors, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->kind, AST_D_PROTOCOL);
	CU_ASSERT_STRING_EQUAL(d->name, "shop");
	CU_ASSERT_EQUAL(d->loc.first_line, 2);
	CU_ASSERT_EQUAL(d->loc.first_column, 3);
	CU_ASSERT_EQUAL(d->name_loc.first_column, 12);
	result_free(&r);
}

static void
a_message_gives_its_fields_and_types_in_order(void)
{
	struct result r = parse(
	    "protocol p;\nmessage M {\n\tu32 n;\n"
	    "\tstring note; bool b; i8 a; i64 c; u8 d; f32 e; f64 f;\n}\n"
	    "message Empty {}\n");
	ast_decl *m = nth_decl(r.unit, 1), *e = nth_decl(r.unit, 2);
	static const enum ast_type_kind kinds[] = { AST_T_U32, AST_T_STRING,
		AST_T_BOOL, AST_T_I8, AST_T_I64, AST_T_U8, AST_T_F32,
		AST_T_F64 };
	static const char *const names[] = { "n", "note", "b", "a", "c", "d",
		"e", "f" };
	ast_field *f;
	int i = 0;

	CU_ASSERT_EQUAL(r.errors, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->kind, AST_D_MESSAGE);
	CU_ASSERT_STRING_EQUAL(m->name, "M");
	for (f = m->fields; f != NULL && i < 8; f = f->next, i++) {
		CU_ASSERT_EQUAL(f->type.kind, kinds[i]);
		CU_ASSERT_STRING_EQUAL(f->name, names[i]);
	}
	CU_ASSERT_EQUAL(i, 8);
	CU_ASSERT_EQUAL(m->fields->loc.first_line, 3);
	CU_ASSERT_EQUAL(m->fields->loc.first_column, 6);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_NULL(e->fields);
	result_free(&r);
}

static void
a_ref_field_names_its_actor(void)
{
	struct result r = parse("protocol p; message M { ref<Cart> to; }");
	ast_field *f = nth_decl(r.unit, 1)->fields;

	CU_ASSERT_EQUAL(r.errors, 0);
	CU_ASSERT_EQUAL(f->type.kind, AST_T_REF);
	CU_ASSERT_STRING_EQUAL(f->type.name, "Cart");
	CU_ASSERT_EQUAL(f->type.name_loc.first_column, 29);
	CU_ASSERT_STRING_EQUAL(f->name, "to");
	result_free(&r);
}

static void
bytes_and_c_types_parse_and_c_can_still_be_a_name(void)
{
	struct result r = check(
	    "protocol p;\nmessage M { bytes b; "
	    "c\"int *\" p; u8 c; u64 bytes; c\"unsigned long\"c2; }\n"
	    "actor A { accepts M; state { bytes s; c\"void *\" v; }\n"
	    " init { c\"int *\" i; bytes b; } }\n");
	ast_field *f = nth_decl(r.unit, 1)->fields;
	ast_decl *a = nth_decl(r.unit, 2);

	CU_ASSERT_EQUAL_FATAL(r.errors, 0);
	CU_ASSERT_EQUAL(f->type.kind, AST_T_BYTES);
	CU_ASSERT_STRING_EQUAL(f->name, "b");
	f = f->next;
	CU_ASSERT_EQUAL(f->type.kind, AST_T_CTYPE);
	CU_ASSERT_STRING_EQUAL(f->type.name, "int *");
	CU_ASSERT_EQUAL(f->type.name_loc.first_line, 2);
	CU_ASSERT_EQUAL(f->type.name_loc.first_column, 22);
	CU_ASSERT_STRING_EQUAL(f->name, "p");
	f = f->next;
	CU_ASSERT_EQUAL(f->type.kind, AST_T_U8);
	CU_ASSERT_STRING_EQUAL(f->name, "c");
	f = f->next;
	CU_ASSERT_EQUAL(f->type.kind, AST_T_U64);
	CU_ASSERT_STRING_EQUAL(f->name, "bytes");
	f = f->next;
	CU_ASSERT_EQUAL(f->type.kind, AST_T_CTYPE);
	CU_ASSERT_STRING_EQUAL(f->type.name, "unsigned long");
	CU_ASSERT_STRING_EQUAL(f->name, "c2");
	CU_ASSERT_EQUAL(a->state->fields->type.kind, AST_T_BYTES);
	CU_ASSERT_EQUAL(a->state->fields->next->type.kind, AST_T_CTYPE);
	CU_ASSERT_EQUAL(a->init->fields->type.kind, AST_T_CTYPE);
	CU_ASSERT_EQUAL(a->init->fields->next->type.kind, AST_T_BYTES);
	result_free(&r);
}

static void
bad_c_types_are_errors_at_the_type(void)
{
	static const struct {
		const char *type, *want;
	} cases[] = {
		{ "c\"\"", "empty C type" },
		{ "c\" \"", "empty C type" },
		{ "c\"int\\n*\"", "a C type must be on one line" },
		{ "c\"int; int\"", "a C type must not contain ';'" },
		{ "c\"struct { int x\"", "unbalanced '{' in C type" },
		{ "c\"int)\"", "unbalanced ')' in C type" },
		{ "c\"int (]\"", "unbalanced ']' in C type" },
		{ "c\"int /*\"", "a C type must not contain comments" },
		{ "c\"int //\"", "a C type must not contain comments" },
		{ "c\"#define\"", "a C type must not contain comments" },
		{ "c\"char \\\"\"", "a C type must not contain comments" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char text[128], want[128];
		struct result r;

		snprintf(text, sizeof(text), "protocol p; message M { %s x; }",
		    cases[i].type);
		snprintf(want, sizeof(want), "t.rtp:1:25: error: %s",
		    cases[i].want);
		r = check(text);
		CU_ASSERT_EQUAL(r.errors, 1);
		CU_ASSERT(said(&r, want));
		result_free(&r);
	}
}

static void
an_unknown_type_is_an_error(void)
{
	struct result r = check("protocol p; message M { byte b; }");
	struct result u = parse("protocol p; message M { c\"int *; }");

	CU_ASSERT_EQUAL(r.errors, 1);
	CU_ASSERT(said(&r,
	    "t.rtp:1:25: error: unknown type 'byte'; did "
	    "you mean 'bytes'?"));
	CU_ASSERT(r.errors >= 1);
	CU_ASSERT(said(&u, "t.rtp:1:25: error: missing terminating '\"'"));
	result_free(&r);
	result_free(&u);
}

static void
an_actor_gives_its_clauses_in_order(void)
{
	struct result r = parse(
	    "protocol p;\nactor A {\n accepts M, N;\n"
	    " state { u64 total; }\n init { i32 shelf; }\n on start, stop;\n"
	    " accepts O;\n}\n");
	ast_decl *a = nth_decl(r.unit, 1);
	ast_clause *c;

	CU_ASSERT_EQUAL(r.errors, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->kind, AST_D_ACTOR);
	CU_ASSERT_STRING_EQUAL(a->name, "A");
	c = a->clauses;
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_ACCEPTS);
	CU_ASSERT_STRING_EQUAL(c->names->name, "M");
	CU_ASSERT_STRING_EQUAL(c->names->next->name, "N");
	CU_ASSERT_EQUAL(c->names->next->loc.first_line, 3);
	CU_ASSERT_EQUAL(c->names->next->loc.first_column, 13);
	c = c->next;
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_STATE);
	CU_ASSERT_STRING_EQUAL(c->fields->name, "total");
	c = c->next;
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_INIT);
	CU_ASSERT_STRING_EQUAL(c->fields->name, "shelf");
	c = c->next;
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_ON);
	CU_ASSERT_STRING_EQUAL(c->names->name, "start");
	CU_ASSERT_STRING_EQUAL(c->names->next->name, "stop");
	c = c->next;
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_ACCEPTS);
	CU_ASSERT_PTR_NULL(c->next);
	result_free(&r);
}

static void
sema_resolves_accepts_hooks_and_tags(void)
{
	struct result r = check(
	    "protocol p; message M {} message N {}\n"
	    "actor A { accepts N; accepts M; state { ref<A> me; } on stop; }");
	ast_decl *a = nth_decl(r.unit, 3);

	CU_ASSERT_EQUAL_FATAL(r.errors, 0);
	CU_ASSERT_EQUAL(nth_decl(r.unit, 1)->tag, 1);
	CU_ASSERT_EQUAL(nth_decl(r.unit, 2)->tag, 2);
	CU_ASSERT_EQUAL_FATAL(a->naccepts, 2);
	CU_ASSERT_PTR_EQUAL(a->accepts[0]->target, nth_decl(r.unit, 2));
	CU_ASSERT_PTR_EQUAL(a->accepts[1]->target, nth_decl(r.unit, 1));
	CU_ASSERT_EQUAL(a->hooks, AST_HOOK_STOP);
	CU_ASSERT_PTR_EQUAL(a->state->fields->type.target, a);
	CU_ASSERT_PTR_NULL(a->init);
	result_free(&r);
}

static void
sema_resolves_requests_and_asks(void)
{
	struct result r = check(
	    "protocol p; message R {}\n"
	    "message Q -> R { u32 n; } message E -> E {}\n"
	    "actor A { accepts Q, E; }\nactor B { asks Q; asks E; }");
	ast_decl *q = nth_decl(r.unit, 2), *e = nth_decl(r.unit, 3);
	ast_decl *b = nth_decl(r.unit, 5);

	CU_ASSERT_EQUAL_FATAL(r.errors, 0);
	CU_ASSERT_PTR_NULL(nth_decl(r.unit, 1)->reply);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q->reply);
	CU_ASSERT_STRING_EQUAL(q->reply->name, "R");
	CU_ASSERT_EQUAL(q->reply->loc.first_line, 2);
	CU_ASSERT_EQUAL(q->reply->loc.first_column, 14);
	CU_ASSERT_PTR_EQUAL(q->reply->target, nth_decl(r.unit, 1));
	CU_ASSERT_STRING_EQUAL(q->fields->name, "n");
	/* A request may be its own reply. */
	CU_ASSERT_PTR_EQUAL(e->reply->target, e);
	CU_ASSERT_EQUAL_FATAL(b->nasks, 2);
	CU_ASSERT_PTR_EQUAL(b->asks[0]->target, q);
	CU_ASSERT_PTR_EQUAL(b->asks[1]->target, e);
	CU_ASSERT_EQUAL(b->naccepts, 0);
	result_free(&r);
}

static void
sema_resolves_a_topic_to_its_message(void)
{
	struct result r = check("protocol p; message M { u32 n; }\n"
				"actor A { accepts M; }\n  topic news : M;");
	ast_decl *t = nth_decl(r.unit, 3);

	CU_ASSERT_EQUAL_FATAL(r.errors, 0);
	CU_ASSERT_EQUAL_FATAL(t->kind, AST_D_TOPIC);
	CU_ASSERT_STRING_EQUAL(t->name, "news");
	CU_ASSERT_EQUAL(t->loc.first_line, 3);
	CU_ASSERT_EQUAL(t->loc.first_column, 3);
	CU_ASSERT_EQUAL(t->name_loc.first_column, 9);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->carries);
	CU_ASSERT_STRING_EQUAL(t->carries->name, "M");
	CU_ASSERT_EQUAL(t->carries->loc.first_column, 16);
	CU_ASSERT_PTR_EQUAL(t->carries->target, nth_decl(r.unit, 1));
	/* A topic is not a message: it takes no tag. */
	CU_ASSERT_EQUAL(t->tag, 0);
	result_free(&r);
}

static void
a_mailbox_clause_gives_its_bound_and_policy(void)
{
	struct result r = parse("protocol p;\n"
				"actor A { mailbox 0x400 overflow drop; }\n"
				"actor B { mailbox unbounded; }\n"
				"actor C {\n mailbox 8;\n}\n"
				"actor D { mailbox 1 overflow dorp; }\n");
	ast_clause *a = nth_decl(r.unit, 1)->clauses;
	ast_clause *b = nth_decl(r.unit, 2)->clauses;
	ast_clause *c = nth_decl(r.unit, 3)->clauses;
	ast_clause *d = nth_decl(r.unit, 4)->clauses;

	CU_ASSERT_EQUAL_FATAL(r.errors, 0);
	CU_ASSERT_EQUAL_FATAL(a->kind, AST_C_MAILBOX);
	CU_ASSERT_FALSE(a->unbounded);
	CU_ASSERT_EQUAL(a->bound, 1024);
	CU_ASSERT_EQUAL(a->loc.first_column, 11);
	CU_ASSERT_EQUAL(a->bound_loc.first_column, 19);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->policy);
	CU_ASSERT_STRING_EQUAL(a->policy->name, "drop");
	CU_ASSERT_EQUAL(a->policy->loc.first_column, 34);
	CU_ASSERT_EQUAL_FATAL(b->kind, AST_C_MAILBOX);
	CU_ASSERT_TRUE(b->unbounded);
	CU_ASSERT_PTR_NULL(b->policy);
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_MAILBOX);
	CU_ASSERT_EQUAL(c->bound, 8);
	CU_ASSERT_EQUAL(c->loc.first_line, 5);
	CU_ASSERT_PTR_NULL(c->policy);
	/* A misspelt policy parses; sema reports it. */
	CU_ASSERT_STRING_EQUAL(d->policy->name, "dorp");
	result_free(&r);
}

static void
a_supervisor_gives_its_clauses_in_order(void)
{
	struct result r = parse(
	    "protocol p;\n"
	    "supervisor S {\n"
	    " strategy one_for_all;\n"
	    " intensity 2 within 3s;\n"
	    " backoff 1ms .. 4ms;\n"
	    " child c : q.K(a = -1.5e3, b = \"x\", c = on_, d = 2m, e = -7) "
	    "transient shutdown infinity;\n"
	    " template t : K;\n}\n");
	ast_clause *c = nth_decl(r.unit, 1)->clauses;
	const ast_arg *a;

	CU_ASSERT_EQUAL_FATAL(r.errors, 0);
	CU_ASSERT_EQUAL(nth_decl(r.unit, 1)->kind, AST_D_SUPERVISOR);
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_STRATEGY);
	CU_ASSERT_STRING_EQUAL(c->names->name, "one_for_all");
	c = c->next;
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_INTENSITY);
	CU_ASSERT_EQUAL(c->bound, 2);
	CU_ASSERT_EQUAL(c->dur.ns, UINT64_C(3000000000));
	c = c->next;
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_BACKOFF);
	CU_ASSERT_EQUAL(c->dur.ns, 1000000);
	CU_ASSERT_EQUAL(c->dur2.ns, 4000000);
	c = c->next;
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_CHILD);
	CU_ASSERT_STRING_EQUAL(c->names->name, "c");
	CU_ASSERT_STRING_EQUAL(c->child_of->qual, "q");
	CU_ASSERT_STRING_EQUAL(c->child_of->name, "K");
	CU_ASSERT_TRUE(c->has_args);
	CU_ASSERT_STRING_EQUAL(c->policy->name, "transient");
	CU_ASSERT_TRUE(c->has_shutdown);
	CU_ASSERT_STRING_EQUAL(c->dur.name, "infinity");
	a = c->args;
	CU_ASSERT_EQUAL_FATAL(a->kind, AST_V_FLOAT);
	CU_ASSERT_STRING_EQUAL(a->text, "-1.5e3");
	CU_ASSERT_TRUE(a->negative);
	a = a->next;
	CU_ASSERT_EQUAL_FATAL(a->kind, AST_V_STRING);
	CU_ASSERT_STRING_EQUAL(a->text, "x");
	a = a->next;
	CU_ASSERT_EQUAL_FATAL(a->kind, AST_V_NAME);
	CU_ASSERT_STRING_EQUAL(a->text, "on_");
	a = a->next;
	CU_ASSERT_EQUAL_FATAL(a->kind, AST_V_DURATION);
	CU_ASSERT_EQUAL(a->num, UINT64_C(120000000000));
	a = a->next;
	CU_ASSERT_EQUAL_FATAL(a->kind, AST_V_INT);
	CU_ASSERT_TRUE(a->negative);
	CU_ASSERT_EQUAL(a->num, 7);
	CU_ASSERT_PTR_NULL(a->next);
	c = c->next;
	CU_ASSERT_EQUAL_FATAL(c->kind, AST_C_TEMPLATE);
	CU_ASSERT_FALSE(c->has_args);
	CU_ASSERT_FALSE(c->has_shutdown);
	CU_ASSERT_PTR_NULL(c->policy);
	CU_ASSERT_PTR_NULL(c->next);
	result_free(&r);
}

static void
sema_resolves_mailbox_bounds_and_policies(void)
{
	struct result r = check(
	    "protocol p;\nactor Plain {}\n"
	    "actor Open { mailbox unbounded; }\nactor Wait { mailbox 8; }\n"
	    "actor Drop { mailbox 0x10 overflow drop; }\n"
	    "actor Full { mailbox 2147483647 overflow reject; }\n"
	    "actor Blk { mailbox 1 overflow block; }\n");
	static const uint32_t bounds[] = { 0, 0, 8, 16, 2147483647, 1 };
	static const enum ast_overflow policies[] = { AST_OVERFLOW_BLOCK,
		AST_OVERFLOW_BLOCK, AST_OVERFLOW_BLOCK, AST_OVERFLOW_DROP,
		AST_OVERFLOW_REJECT, AST_OVERFLOW_BLOCK };
	int i;

	CU_ASSERT_EQUAL_FATAL(r.errors, 0);
	CU_ASSERT_PTR_NULL(nth_decl(r.unit, 1)->mailbox);
	CU_ASSERT_PTR_NOT_NULL(nth_decl(r.unit, 2)->mailbox);
	for (i = 0; i < 6; i++) {
		const ast_decl *a = nth_decl(r.unit, i + 1);

		CU_ASSERT_EQUAL(a->mailbox_bound, bounds[i]);
		CU_ASSERT_EQUAL(a->overflow, policies[i]);
	}
	result_free(&r);
}

static void
comments_hex_and_durations_scan_as_tokens(void)
{
	struct result r = parse("/* a\n * block */ protocol p; // line\n"
				"message M { u8 x; } 0x1F");
	struct result d = parse("protocol p; 250us");

	CU_ASSERT_EQUAL(r.errors, 1);
	CU_ASSERT(said(&r,
	    "t.rtp:3:21: error: syntax error, unexpected "
	    "integer"));
	CU_ASSERT(said(&d, "unexpected duration"));
	result_free(&r);
	result_free(&d);
}

static void
the_largest_integers_and_durations_still_fit(void)
{
	struct result r = parse("18446744073709551615 0xffffffffffffffff "
				"9223372036us");

	CU_ASSERT(strstr(r.err, "does not fit") == NULL);
	CU_ASSERT(strstr(r.err, "too long") == NULL);
	result_free(&r);
}

/* ---- scanner and parser: bad input ---------------------------------------- */

static void
a_name_longer_than_100_characters_is_an_error(void)
{
	char text[512];
	struct result r;
	int n;

	/* 100 characters: fine; 101: an error at the name, not a C name cut
	 * short somewhere in the generated code. */
	n = snprintf(text, sizeof(text), "protocol p;\nmessage M%0*d {}\n", 99,
	    0);
	CU_ASSERT(n > 0);
	r = check(text);
	CU_ASSERT_EQUAL(r.errors, 0);
	result_free(&r);
	snprintf(text, sizeof(text), "protocol p;\nmessage M%0*d {}\n", 100, 0);
	r = check(text);
	CU_ASSERT_EQUAL(r.errors, 1);
	CU_ASSERT(said(&r,
	    "t.rtp:2:9: error: name too long (101 characters; "
	    "at most 100)"));
	result_free(&r);
}

static void
a_syntax_error_is_reported_at_its_line_and_column(void)
{
	struct result r = parse("protocol p;\nmessage M {\n  u32 ;\n}\n");

	CU_ASSERT_EQUAL(r.errors, 1);
	CU_ASSERT(said(&r,
	    "t.rtp:3:7: error: syntax error, unexpected ';', "
	    "expecting identifier or '['\n  u32 ;\n      ^\n"));
	result_free(&r);
}

static void
recovery_reports_several_syntax_errors_in_one_run(void)
{
	struct result r = parse(
	    "protocol p;\nmessage M { u32 ; }\n"
	    "message N { x y z; }\nactor A { accepts ; }\n"
	    "actor B { accepts M }\nmessage O { u8 ok; }\n");

	CU_ASSERT_EQUAL(r.errors, 4);
	CU_ASSERT(said(&r, "t.rtp:2:17: error"));
	CU_ASSERT(said(&r, "t.rtp:3:17: error"));
	CU_ASSERT(said(&r, "t.rtp:4:19: error"));
	CU_ASSERT(said(&r, "t.rtp:5:21: error"));
	/* Declarations after the errors still parse. */
	CU_ASSERT_STRING_EQUAL(nth_decl(r.unit, 5)->name, "O");
	result_free(&r);
}

static void
an_unterminated_comment_is_an_error(void)
{
	struct result r = parse("protocol p;\n  /* no end\nmessage M {}\n");

	CU_ASSERT_EQUAL(r.errors, 1);
	CU_ASSERT(said(&r, "t.rtp:2:3: error: unterminated comment"));
	result_free(&r);
}

static void
an_unterminated_string_is_an_error(void)
{
	struct result r = parse("protocol p; \"abc\nmessage M {}\n");

	CU_ASSERT(r.errors >= 1);
	CU_ASSERT(said(&r, "t.rtp:1:13: error: missing terminating '\"'"));
	result_free(&r);
}

static void
a_stray_character_is_an_error(void)
{
	struct result r = parse("protocol p; @ message M {}\n");

	CU_ASSERT_EQUAL(r.errors, 1);
	CU_ASSERT(said(&r, "t.rtp:1:13: error: stray '@' in input"));
	result_free(&r);
}

static void
a_nul_byte_is_an_error_not_the_end_of_input(void)
{
	static const char text[] = "protocol p;\nmessage M {\0}\nmessage N {";
	struct result r = compile_text(text, sizeof(text) - 1, false);

	CU_ASSERT(said(&r,
	    "t.rtp:2:12: error: stray byte 0x00 in input\n"
	    "message M {?}\n           ^\n"));
	/* Scanning went on past the NUL to the unclosed N at the end. */
	CU_ASSERT(said(&r,
	    "t.rtp:3:12: error: syntax error, unexpected end "
	    "of file"));
	result_free(&r);
}

static void
invalid_utf8_is_an_error(void)
{
	struct result r = parse("protocol p; \xc3\x28 message M {}\n");
	struct result s = parse("protocol p; \"\xff\" message M {}\n");

	CU_ASSERT(said(&r, "t.rtp:1:13: error: stray byte 0xc3 in input"));
	CU_ASSERT(said(&s, "invalid UTF-8 in string"));
	result_free(&r);
	result_free(&s);
}

static void
an_integer_past_64_bits_is_an_error(void)
{
	struct result r = parse("protocol p; 18446744073709551616");
	struct result h = parse("protocol p; 0x10000000000000000");

	CU_ASSERT(said(&r,
	    "t.rtp:1:13: error: integer '18446744073709551616' "
	    "does not fit in 64 bits"));
	CU_ASSERT(said(&h, "does not fit in 64 bits"));
	result_free(&r);
	result_free(&h);
}

static void
a_duration_past_the_range_is_an_error(void)
{
	struct result r = parse("protocol p; 9223372037s");
	struct result b = parse("protocol p; 10xs");

	CU_ASSERT(said(&r, "error: duration '9223372037s' is too long"));
	CU_ASSERT(said(&b, "error: invalid number '10xs'"));
	result_free(&r);
	result_free(&b);
}

/* Every keyword of the language (DESIGN.md §2: keywords are reserved). */
static const char *const keywords[] = {
	"protocol",
	"message",
	"actor",
	"topic",
	"enum",
	"include",
	"import",
	"accepts",
	"asks",
	"state",
	"init",
	"on",
	"start",
	"stop",
	"ref",
	"mailbox",
	"unbounded",
	"overflow",
	"block",
	"drop",
	"reject",
	"bool",
	"i8",
	"i16",
	"i32",
	"i64",
	"u8",
	"u16",
	"u32",
	"u64",
	"f32",
	"f64",
	"string",
	"supervisor",
	"strategy",
	"intensity",
	"within",
	"backoff",
	"child",
	"template",
	"shutdown",
};

static void
a_keyword_cannot_be_a_name(void)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(*keywords); i++) {
		char text[64], want[64];
		struct result r;

		snprintf(text, sizeof(text), "protocol p; message %s {}",
		    keywords[i]);
		snprintf(want, sizeof(want),
		    "unexpected '%s', expecting "
		    "identifier",
		    keywords[i]);
		r = parse(text);
		CU_ASSERT_EQUAL(r.errors, 1);
		CU_ASSERT(said(&r, want));
		result_free(&r);
	}
}

static void
a_word_that_only_starts_like_a_keyword_is_a_name(void)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(*keywords); i++) {
		char text[64];
		struct result r;

		snprintf(text, sizeof(text), "protocol p; message %sx {}",
		    keywords[i]);
		r = parse(text);
		CU_ASSERT_EQUAL(r.errors, 0);
		CU_ASSERT_PTR_NOT_NULL(nth_decl(r.unit, 1));
		result_free(&r);
	}
}

/* ---- semantic errors: golden stderr ----------------------------------------- */

static const char *const bad_files[] = {
	"missing_protocol",
	"duplicate_protocol",
	"protocol_not_first",
	"duplicate_name",
	"duplicate_field",
	"duplicate_state_init_field",
	"unknown_message",
	"accepted_twice",
	"accepts_actor",
	"child_args_of_unknown_types",
	"ref_not_actor",
	"duplicate_clause",
	"unknown_hook",
	"hook_twice",
	"thread_clause",
	"remote_clause",
	"remote_ref",
	"remote_too_large",
	"remote_cname",
	"cname_collision",
	"cname_poisoned",
	"reserved_names",
	"several_errors",
	"syntax_errors",
	"bad_bytes",
	"unterminated_comment",
	"unterminated_string",
	"mailbox_zero",
	"mailbox_too_large",
	"mailbox_unknown_policy",
	"mailbox_twice",
	"mailbox_syntax",
	"cname_poisoned_opt",
	"ctype",
	"ctype_unterminated",
	"reply_not_message",
	"asks_errors",
	"asks_unaccepted",
	"cname_poisoned_ask",
	"cname_request",
	"pool_errors",
	"pool_syntax",
	"cname_registry",
	"topic_errors",
	"topic_syntax",
	"cname_topic",
	"cname_poisoned_topic",
	"enum_errors",
	"array_errors",
	"array_syntax",
	"nested_cycle",
	"type_errors",
	"cname_enum",
	"cname_probe",
	"field_keywords",
	"include_errors",
	"import_not_found",
	"import_cycle",
	"import_ambiguous",
	"import_unknown",
	"import_errors",
	"sup_unknown_kind",
	"sup_duplicate_child",
	"sup_duplicate_clause",
	"sup_bad_args",
	"sup_args_to_supervisor",
	"sup_cycle",
	"sup_template",
	"sup_intensity",
	"sup_backoff",
	"sup_durations",
	"sup_names",
	"sup_cname",
	"sup_syntax",
	"states_errors",
	"states_cname",
	"sup_health",
};

static void
each_bad_file_gives_its_expected_errors_and_no_output(void)
{
	char *dir = tmpdir(), cwd[4096];
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	CU_ASSERT_EQUAL_FATAL(chdir(TEST_SRCDIR), 0);
	for (i = 0; i < sizeof(bad_files) / sizeof(*bad_files); i++) {
		char rtp[256], errpath[256], *out, *err, *want;
		const char *args[] = { "-o", dir, rtp, NULL };
		int status;

		snprintf(rtp, sizeof(rtp), "rtgen/bad/%s.rtp", bad_files[i]);
		snprintf(errpath, sizeof(errpath), "rtgen/bad/%s.err",
		    bad_files[i]);
		status = run(args, &out, &err);
		CU_ASSERT_EQUAL(status, 1);
		CU_ASSERT_EQUAL(count_entries(dir), 0);
		CU_ASSERT_STRING_EQUAL(out, "");
		if (updating())
			spit(errpath, err, strlen(err));
		want = slurp(errpath, NULL);
		CU_ASSERT_PTR_NOT_NULL(want);
		if (want != NULL && strcmp(want, err) != 0) {
			fprintf(stderr, "\n%s: stderr differs; got:\n%s\n", rtp,
			    err);
			CU_FAIL("stderr differs from the .err file");
		}
		free(want);
		free(out);
		free(err);
	}
	CU_ASSERT_EQUAL(chdir(cwd), 0);
	rmtree(dir);
	free(dir);
}

/* ---- warnings: golden stderr, plain and with -Werror ----------------------- */

static const char *const warn_files[] = { "topic_no_subscriber",
	"import_unused", "sup_no_children", "state_accepts_nothing",
	"health_unprobed" };

/* Run rtgen [-Werror] on warn/NAME.rtp: the status and the number of files
 * written must be as given, stderr as in warn/NAME`suffix`. What it
 * writes must compile as strictly as a good file's output. */
static void
check_warn_file(const char *name, const char *werror, int want_status,
    int want_files, const char *suffix)
{
	char *dir = tmpdir(), rtp[256], errpath[256], *out, *err, *want;
	const char *args[] = { "-o", dir, rtp, werror, NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(rtp, sizeof(rtp), "rtgen/warn/%s.rtp", name);
	snprintf(errpath, sizeof(errpath), "rtgen/warn/%s%s", name, suffix);
	CU_ASSERT_EQUAL(run(args, &out, &err), want_status);
	CU_ASSERT_EQUAL(count_entries(dir), want_files);
	if (updating())
		spit(errpath, err, strlen(err));
	want = slurp(errpath, NULL);
	CU_ASSERT_PTR_NOT_NULL(want);
	if (want != NULL && strcmp(want, err) != 0) {
		fprintf(stderr, "\n%s%s: stderr differs; got:\n%s\n", rtp,
		    werror != NULL ? " -Werror" : "", err);
		CU_FAIL("stderr differs from the golden file");
	}
	if (want_files > 0 && system("command -v cc >/dev/null 2>&1") == 0) {
		char cmd[2048];

		snprintf(cmd, sizeof(cmd),
		    "cc -std=c11 -Wall -Wextra "
		    "-Wpedantic -Wmissing-prototypes -Werror -I%s/include "
		    "-I%s/rtgen/good/inc -I%s/rtgen/good -c %s/%s.rtp.c "
		    "-o /dev/null",
		    TOP_SRCDIR, TEST_SRCDIR, TEST_SRCDIR, dir, name);
		if (system(cmd) != 0) {
			fprintf(stderr, "\nfailed: %s\n", cmd);
			CU_FAIL("generated code does not compile");
		}
	}
	free(want);
	free(out);
	free(err);
	rmtree(dir);
	free(dir);
}

static void
a_warning_does_not_fail_the_run_unless_werror(void)
{
	char cwd[4096];
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	CU_ASSERT_EQUAL_FATAL(chdir(TEST_SRCDIR), 0);
	for (i = 0; i < sizeof(warn_files) / sizeof(*warn_files); i++) {
		check_warn_file(warn_files[i], NULL, 0, 2, ".err");
		check_warn_file(warn_files[i], "-Werror", 1, 0, ".werror.err");
	}
	CU_ASSERT_EQUAL(chdir(cwd), 0);
}

/* ---- the emitter: golden output that compiles ------------------------------- */

/* imports.rtp and remote.rtp import inc/common.rtp, and supervisors.rtp
 * inc/staff.rtp, which they find through -I. */
static const char *const good_files[] = { "shop", "minimal", "messages",
	"mailbox", "types", "ask", "lang", "inc/common", "imports", "inc/staff",
	"supervisors", "remote", "states", "pools" };

/* The directory imports.rtp's imports are found in. */
#define GOOD_INC "-Irtgen/good/inc"

/* What good/NAME.rtp is generated as: NAME without its directory. */
static const char *
good_base(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash != NULL ? slash + 1 : name;
}

/* Generate good/NAME.rtp into dir (from TEST_SRCDIR, so the path in the
 * output is rtgen/good/NAME.rtp); return rtgen's status. */
static int
generate(const char *name, const char *dir, const char *extra)
{
	char rtp[256], cwd[4096], *out, *err;
	const char *args[] = { "-o", dir, GOOD_INC, rtp, extra, NULL };
	int status;

	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(TEST_SRCDIR) != 0)
		return -1;
	snprintf(rtp, sizeof(rtp), "rtgen/good/%s.rtp", name);
	status = run(args, &out, &err);
	if (*err != '\0')
		fprintf(stderr, "\n%s", err);
	free(out);
	free(err);
	if (chdir(cwd) != 0)
		return -1;
	return status;
}

static void
each_good_file_gives_its_expected_header_and_source(void)
{
	char *dir = tmpdir();
	size_t i;
	int j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	for (i = 0; i < sizeof(good_files) / sizeof(*good_files); i++) {
		CU_ASSERT_EQUAL(generate(good_files[i], dir, NULL), 0);
		for (j = 0; j < 2; j++) {
			char got_path[512], want_path[512], *got, *want;
			size_t got_len = 0, want_len = 0;

			snprintf(got_path, sizeof(got_path), "%s/%s.rtp.%s",
			    dir, good_base(good_files[i]), j == 0 ? "h" : "c");
			snprintf(want_path, sizeof(want_path),
			    "%s/rtgen/good/%s.rtp.%s", TEST_SRCDIR,
			    good_files[i], j == 0 ? "h" : "c");
			got = slurp(got_path, &got_len);
			CU_ASSERT_PTR_NOT_NULL_FATAL(got);
			if (updating())
				spit(want_path, got, got_len);
			want = slurp(want_path, &want_len);
			CU_ASSERT_PTR_NOT_NULL(want);
			if (want == NULL || got_len != want_len ||
			    memcmp(got, want, got_len) != 0) {
				fprintf(stderr, "\n%s differs from %s\n",
				    got_path, want_path);
				CU_FAIL("generated file differs from golden");
			}
			free(got);
			free(want);
		}
	}
	rmtree(dir);
	free(dir);
}

/* The columns `line` (of `len` bytes) takes, a tab moving to the next
 * multiple of 8. */
static size_t
columns(const char *line, size_t len)
{
	size_t col = 0, i;

	for (i = 0; i < len; i++)
		col = line[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
	return col;
}

/* Generated code is read and stepped through: no line of a golden file is
 * wider than 80 columns (tabs of 8), as in the rest of rt. */
static void
no_golden_line_is_wider_than_80_columns(void)
{
	size_t i;
	int j;

	for (i = 0; i < sizeof(good_files) / sizeof(*good_files); i++)
		for (j = 0; j < 2; j++) {
			char path[512], *text, *p, *nl;
			int line = 1;

			snprintf(path, sizeof(path), "%s/rtgen/good/%s.rtp.%s",
			    TEST_SRCDIR, good_files[i], j == 0 ? "h" : "c");
			text = slurp(path, NULL);
			CU_ASSERT_PTR_NOT_NULL_FATAL(text);
			for (p = text; (nl = strchr(p, '\n')) != NULL;
			    p = nl + 1, line++) {
				size_t cols = columns(p, (size_t)(nl - p));

				if (cols <= 80)
					continue;
				fprintf(stderr, "\n%s:%d: %lu columns: %.*s\n",
				    path, line, (unsigned long)cols,
				    (int)(nl - p), p);
				CU_FAIL("a generated line is over 80 columns");
			}
			free(text);
		}
}

/* Every "#line N "x.rtp.h"" back into the output names its next line. */
static void
line_directives_back_into_the_output_name_the_next_line(void)
{
	char *dir = tmpdir(), path[512], *text, *p, *nl;
	int line = 1, backs = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_EQUAL_FATAL(generate("shop", dir, NULL), 0);
	snprintf(path, sizeof(path), "%s/shop.rtp.h", dir);
	text = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (p = text; *p != '\0'; p = nl + 1, line++) {
		char quote;
		int n;

		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		if (sscanf(p, "#line %d \"shop.rtp.h%c", &n, &quote) == 2 &&
		    quote == '"') {
			CU_ASSERT_EQUAL(n, line + 1);
			backs++;
		}
	}
	CU_ASSERT(backs > 3);
	free(text);
	rmtree(dir);
	free(dir);
}

/* Is `line`, under a #line into the .rtp, something the user wrote: a
 * struct's or enum's head, a field, an enum value, a closing brace, a
 * handler's prototype (and its continuation), or a child's static args? */
static bool
written_by_the_user(const char *line, size_t len)
{
	static const char *const heads[] = { "typedef struct ", "typedef enum ",
		"\t", "}", "    " };
	size_t i;

	for (i = 0; i < sizeof(heads) / sizeof(*heads); i++)
		if (strncmp(line, heads[i], strlen(heads[i])) == 0)
			return true;
	if (strncmp(line, "int ", 4) == 0 || strncmp(line, "void ", 5) == 0)
		for (i = 0; i + 4 <= len; i++)
			if (memcmp(line + i, "_on_", 4) == 0)
				return true;
	return strncmp(line, "static const ", 13) == 0 && len > 9 &&
	    memcmp(line + len - 9, "_args = {", 9) == 0;
}

/* Only what the user wrote maps to the .rtp; sends, the dispatch, the
 * spawn, copies and printers stay in the output, so that a debugger
 * stepping into them shows their C (tests/gdb_step.sh). */
static void
only_what_the_user_wrote_maps_to_the_rtp(void)
{
	char *dir = tmpdir();
	size_t i;
	int j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	for (i = 0; i < sizeof(good_files) / sizeof(*good_files); i++) {
		CU_ASSERT_EQUAL(generate(good_files[i], dir, NULL), 0);
		for (j = 0; j < 2; j++) {
			char path[512], *text, *p, *nl;
			bool mapped = false;
			int line = 1;

			snprintf(path, sizeof(path), "%s/%s.rtp.%s", dir,
			    good_base(good_files[i]), j == 0 ? "h" : "c");
			text = slurp(path, NULL);
			CU_ASSERT_PTR_NOT_NULL_FATAL(text);
			for (p = text; (nl = strchr(p, '\n')) != NULL;
			    p = nl + 1, line++) {
				size_t len = (size_t)(nl - p);

				if (strncmp(p, "#line ", 6) == 0) {
					mapped = len > 5 &&
					    memcmp(nl - 5, ".rtp\"", 5) == 0;
					continue;
				}
				if (!mapped || written_by_the_user(p, len))
					continue;
				fprintf(stderr,
				    "\n%s:%d is mapped to the .rtp: "
				    "%.*s\n",
				    path, line, (int)len, p);
				CU_FAIL("generated code mapped to the .rtp");
			}
			free(text);
		}
	}
	rmtree(dir);
	free(dir);
}

static void
no_lines_leaves_out_every_line_directive(void)
{
	char *dir = tmpdir(), path[512], *h, *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_EQUAL_FATAL(generate("shop", dir, "--no-lines"), 0);
	snprintf(path, sizeof(path), "%s/shop.rtp.h", dir);
	h = slurp(path, NULL);
	snprintf(path, sizeof(path), "%s/shop.rtp.c", dir);
	c = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NULL(strstr(h, "#line"));
	CU_ASSERT_PTR_NULL(strstr(c, "#line"));
	free(h);
	free(c);
	rmtree(dir);
	free(dir);
}

static void
output_is_the_same_on_every_run(void)
{
	char *a = tmpdir(), *b = tmpdir(), cmd[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(generate("shop", a, NULL), 0);
	CU_ASSERT_EQUAL(generate("shop", b, NULL), 0);
	snprintf(cmd, sizeof(cmd),
	    "cmp -s %s/shop.rtp.h %s/shop.rtp.h && "
	    "cmp -s %s/shop.rtp.c %s/shop.rtp.c",
	    a, b, a, b);
	CU_ASSERT_EQUAL(system(cmd), 0);
	rmtree(a);
	rmtree(b);
	free(a);
	free(b);
}

/* Compile every golden source with every compiler, as strictly as rt's own
 * build, and a user file that calls each kind of send. */
static void
generated_code_compiles_warning_free_with_every_compiler(void)
{
	static const char *const compilers[] = { "gcc", "clang" };
	char cmd[2048];
	size_t i, j;
	int found = 0;

	for (i = 0; i < sizeof(compilers) / sizeof(*compilers); i++) {
		snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1",
		    compilers[i]);
		if (system(cmd) != 0)
			continue;
		found++;
		for (j = 0; j < sizeof(good_files) / sizeof(*good_files); j++) {
			snprintf(cmd, sizeof(cmd),
			    "%s -std=c11 -Wall -Wextra "
			    "-Wpedantic -Wmissing-prototypes -Wshadow "
			    "-Wstrict-prototypes -Wconversion -Werror "
			    "-I%s/include -I%s/rtgen/good/inc "
			    "-c %s/rtgen/good/%s.rtp.c -o /dev/null",
			    compilers[i], TOP_SRCDIR, TEST_SRCDIR, TEST_SRCDIR,
			    good_files[j]);
			if (system(cmd) != 0) {
				fprintf(stderr, "\nfailed: %s\n", cmd);
				CU_FAIL("generated code does not compile");
			}
		}
	}
	CU_ASSERT(found > 0);
}

/* ---- the command line --------------------------------------------------------- */

static void
version_prints_the_version_and_exits_0(void)
{
	const char *args[] = { "--version", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run(args, &out, &err), 0);
	/* One version: configure's is read from <rt/version.h>, and so
	 * is rtgen's. */
	CU_ASSERT_STRING_EQUAL(out, "rtgen " PACKAGE_VERSION "\n");
	CU_ASSERT_STRING_EQUAL(PACKAGE_VERSION, RT_VERSION_STRING);
	free(out);
	free(err);
}

static void
help_prints_usage_and_exits_0(void)
{
	const char *args[] = { "--help", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run(args, &out, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Usage: rtgen"));
	free(out);
	free(err);
}

static void
usage_errors_exit_2(void)
{
	const char *unknown[] = { "--frobnicate", "x.rtp", NULL };
	const char *none[] = { NULL };
	const char *no_dir[] = { "x.rtp", "-o", NULL };
	const char *no_inc[] = { "x.rtp", "-I", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run(unknown, &out, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown option '--frobnicate'"));
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run(none, &out, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no input files"));
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run(no_dir, &out, &err), 2);
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run(no_inc, &out, &err), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "option '-I' needs a directory"));
	free(out);
	free(err);
}

static void
an_unreadable_file_exits_1_with_a_message(void)
{
	const char *args[] = { "/nonexistent/x.rtp", NULL };
	char *out, *err;

	CU_ASSERT_EQUAL(run(args, &out, &err), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err,
	    "/nonexistent/x.rtp: error: "
	    "cannot open"));
	free(out);
	free(err);
}

static void
one_bad_input_among_good_ones_writes_nothing(void)
{
	char *dir = tmpdir(), good[512], bad[512], *out, *err;
	const char *args[] = { "-o", NULL, good, bad, NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	args[1] = dir;
	snprintf(good, sizeof(good), "%s/rtgen/good/shop.rtp", TEST_SRCDIR);
	snprintf(bad, sizeof(bad), "%s/rtgen/bad/hook_twice.rtp", TEST_SRCDIR);
	CU_ASSERT_EQUAL(run(args, &out, &err), 1);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	free(out);
	free(err);
	args[3] = NULL;
	CU_ASSERT_EQUAL(run(args, &out, &err), 0);
	CU_ASSERT_EQUAL(count_entries(dir), 2);
	free(out);
	free(err);
	rmtree(dir);
	free(dir);
}

/* How many times `needle` occurs in `s`. */
static int
occurrences(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

/* A file given on the command line that another file given imports is
 * parsed and checked once, in either order: its errors show once (the
 * golden file has the importer first), and a good one is generated once. */
static void
a_file_given_and_imported_is_checked_once(void)
{
	const char *importer_first[] = { "-o", NULL,
		"rtgen/bad/import_errors.rtp", "rtgen/bad/inc/broken.rtp",
		NULL };
	const char *imported_first[] = { "-o", NULL, "rtgen/bad/inc/broken.rtp",
		"rtgen/bad/import_errors.rtp", NULL };
	const char *good[] = { "-o", NULL, GOOD_INC, "rtgen/good/imports.rtp",
		"rtgen/good/inc/common.rtp", NULL };
	char *dir = tmpdir(), cwd[4096], *out, *err, *want;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	CU_ASSERT_EQUAL_FATAL(chdir(TEST_SRCDIR), 0);
	importer_first[1] = imported_first[1] = good[1] = dir;
	CU_ASSERT_EQUAL(run(importer_first, &out, &err), 1);
	CU_ASSERT_EQUAL(occurrences(err, "unknown type 'Y'"), 1);
	if (updating())
		spit("rtgen/bad/given_and_imported.err", err, strlen(err));
	want = slurp("rtgen/bad/given_and_imported.err", NULL);
	CU_ASSERT_PTR_NOT_NULL(want);
	if (want != NULL && strcmp(want, err) != 0) {
		fprintf(stderr,
		    "\ngiven and imported: stderr differs; "
		    "got:\n%s\n",
		    err);
		CU_FAIL("stderr differs from the .err file");
	}
	free(want);
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run(imported_first, &out, &err), 1);
	CU_ASSERT_EQUAL(occurrences(err, "unknown type 'Y'"), 1);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	free(out);
	free(err);
	CU_ASSERT_EQUAL(run(good, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(count_entries(dir), 4);
	free(out);
	free(err);
	CU_ASSERT_EQUAL(chdir(cwd), 0);
	rmtree(dir);
	free(dir);
}

/* An include is looked for beside the .rtp, then in each -I directory. */
static void
an_include_is_found_through_an_I_directory(void)
{
	char *src = tmpdir(), *inc = tmpdir(), *out = tmpdir();
	char rtp[512], hdr[512], *o, *e;
	const char *plain[] = { "-o", out, rtp, NULL };
	const char *with[] = { "-o", out, "-I", "/nonexistent", "-I", inc, rtp,
		NULL };
	static const char text[] = "protocol p;\ninclude \"mine.h\";\n";

	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	snprintf(rtp, sizeof(rtp), "%s/p.rtp", src);
	snprintf(hdr, sizeof(hdr), "%s/mine.h", inc);
	spit(rtp, text, sizeof(text) - 1);
	spit(hdr, "", 0);
	CU_ASSERT_EQUAL(run(plain, &o, &e), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e,
	    "p.rtp:2:9: error: included file "
	    "'mine.h' not found (looked beside the .rtp file)"));
	CU_ASSERT_EQUAL(count_entries(out), 0);
	free(o);
	free(e);
	CU_ASSERT_EQUAL(run(with, &o, &e), 0);
	CU_ASSERT_STRING_EQUAL(e, "");
	CU_ASSERT_EQUAL(count_entries(out), 2);
	free(o);
	free(e);
	rmtree(src);
	rmtree(inc);
	rmtree(out);
	free(src);
	free(inc);
	free(out);
}

/* ---- never crashes ------------------------------------------------------------ */

/* Run the whole pipeline, emitter included, on text[0..len). */
static void
pipeline(const char *text, size_t len)
{
	struct result r = compile_text(text, len, true);

	if (r.errors == 0) {
		emit_c_opts o = { "t.rtp", "t.rtp.h", "t.rtp.c", true };
		emit_buf h = { 0 }, c = { 0 };

		emit_c(r.unit, &o, &h, &c);
		CU_ASSERT(h.len > 0);
		emit_buf_free(&h);
		emit_buf_free(&c);
	}
	result_free(&r);
}

static void
random_bytes_never_crash(void)
{
	static char buf[4096];
	unsigned seed = 12345;
	int i;
	size_t j, len;

	for (i = 0; i < 500; i++) {
		len = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		for (j = 0; j < len; j++)
			buf[j] = (char)rand_r(&seed);
		pipeline(buf, len);
	}
	CU_PASS("no crash");
}

static void
mutated_good_files_never_crash(void)
{
	static const char *const files[] = { "shop", "mailbox", "ask", "lang" };
	char path[512], *base, *buf;
	unsigned seed = 777;
	size_t len = 0, j, f;
	int i;

	for (f = 0; f < sizeof(files) / sizeof(*files); f++) {
		snprintf(path, sizeof(path), "%s/rtgen/good/%s.rtp",
		    TEST_SRCDIR, files[f]);
		base = slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(base);
		buf = malloc(len + 1);
		for (i = 0; i < 2000; i++) {
			static const char alphabet[] = "{};,<>/*\"@ \nAMx_0";
			int k, edits = 1 + rand_r(&seed) % 4;

			memcpy(buf, base, len);
			for (k = 0; k < edits; k++) {
				j = (size_t)rand_r(&seed) % len;
				buf[j] = rand_r(&seed) % 2 ?
				    (char)rand_r(&seed) :
				    alphabet[rand_r(&seed) %
					(int)(sizeof(alphabet) - 1)];
			}
			pipeline(buf, len - (size_t)(rand_r(&seed) % 8));
		}
		free(buf);
		free(base);
	}
	CU_PASS("no crash");
}

static void
a_one_megabyte_file_compiles(void)
{
	size_t cap = 1200000, len = 0;
	char *buf = malloc(cap);
	int i;

	len += (size_t)sprintf(buf, "protocol big;\n");
	for (i = 0; len < 1000000; i++)
		len += (size_t)sprintf(buf + len,
		    "message M%d { u32 a; "
		    "string b; ref<A> c; }\n",
		    i);
	len += (size_t)sprintf(buf + len, "actor A { accepts M0, M%d; }\n",
	    i - 1);
	pipeline(buf, len);
	{
		struct result r = compile_text(buf, len, true);

		CU_ASSERT_EQUAL(r.errors, 0);
		result_free(&r);
	}
	free(buf);
}

static void
many_repeated_declarations_are_reported_without_flooding(void)
{
	size_t len = 0;
	char *buf = malloc(30 * 20000 + 64);
	struct result r;
	int i;

	len += (size_t)sprintf(buf, "protocol p;\n");
	for (i = 0; i < 20000; i++)
		len += (size_t)sprintf(buf + len, "message M { u32 x; }\n");
	r = compile_text(buf, len, true);
	CU_ASSERT_EQUAL(r.errors, 19999);
	/* Placed at the first error not shown, like every other line. */
	CU_ASSERT(said(&r,
	    "\nt.rtp:103:9: error: too many errors; not "
	    "showing more\n"));
	CU_ASSERT(strlen(r.err) < 100000);
	result_free(&r);
	free(buf);
}

static void
a_byte_order_mark_at_the_start_is_skipped(void)
{
	static const char
	    ok[] = "\xef\xbb\xbfprotocol p;\nmessage M { u32 x; }\n";
	static const char bad[] = "\xef\xbb\xbfprotocol p; nope";
	struct result r = compile_text(ok, sizeof(ok) - 1, true);

	CU_ASSERT_EQUAL(r.errors, 0);
	result_free(&r);
	/* Columns count from after the mark, and the quote leaves it out. */
	r = compile_text(bad, sizeof(bad) - 1, true);
	CU_ASSERT_EQUAL(r.errors, 1);
	CU_ASSERT(said(&r, "t.rtp:1:13: error:"));
	CU_ASSERT(said(&r, "\nprotocol p; nope\n            ^\n"));
	result_free(&r);
	/* Anywhere else it is a stray byte. */
	r = check("protocol p;\n\xef\xbb\xbfmessage M {}\n");
	CU_ASSERT(said(&r, "t.rtp:2:1: error: stray byte 0xef in input"));
	result_free(&r);
}

static void
deep_nesting_is_an_error_not_a_crash(void)
{
	size_t n = 200000;
	char *buf = malloc(n);

	memset(buf, '{', n);
	pipeline(buf, n);
	memcpy(buf, "protocol p; message M ", 22);
	pipeline(buf, n);
	free(buf);
	CU_PASS("no crash");
}

/* ---- suites ------------------------------------------------------------------- */

static CU_TestInfo parse_good_tests[] = {
	{ "a protocol declaration gives its name and location",
	    a_protocol_declaration_gives_its_name_and_location },
	{ "a message gives its fields and types in order",
	    a_message_gives_its_fields_and_types_in_order },
	{ "a ref field names its actor", a_ref_field_names_its_actor },
	{ "bytes and C types parse, and c can still be a name",
	    bytes_and_c_types_parse_and_c_can_still_be_a_name },
	{ "an actor gives its clauses in order",
	    an_actor_gives_its_clauses_in_order },
	{ "sema resolves accepts, hooks and tags",
	    sema_resolves_accepts_hooks_and_tags },
	{ "sema resolves requests and asks", sema_resolves_requests_and_asks },
	{ "sema resolves a topic to its message",
	    sema_resolves_a_topic_to_its_message },
	{ "a supervisor gives its clauses in order",
	    a_supervisor_gives_its_clauses_in_order },
	{ "a mailbox clause gives its bound and policy",
	    a_mailbox_clause_gives_its_bound_and_policy },
	{ "sema resolves mailbox bounds and policies",
	    sema_resolves_mailbox_bounds_and_policies },
	{ "comments, hex and durations scan as tokens",
	    comments_hex_and_durations_scan_as_tokens },
	{ "the largest integers and durations still fit",
	    the_largest_integers_and_durations_still_fit },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo parse_bad_tests[] = {
	{ "a syntax error is reported at its line and column",
	    a_syntax_error_is_reported_at_its_line_and_column },
	{ "recovery reports several syntax errors in one run",
	    recovery_reports_several_syntax_errors_in_one_run },
	{ "an unterminated comment is an error",
	    an_unterminated_comment_is_an_error },
	{ "an unterminated string is an error",
	    an_unterminated_string_is_an_error },
	{ "a stray character is an error", a_stray_character_is_an_error },
	{ "a NUL byte is an error, not the end of input",
	    a_nul_byte_is_an_error_not_the_end_of_input },
	{ "invalid UTF-8 is an error", invalid_utf8_is_an_error },
	{ "an integer past 64 bits is an error",
	    an_integer_past_64_bits_is_an_error },
	{ "a duration past the range is an error",
	    a_duration_past_the_range_is_an_error },
	{ "a keyword cannot be a name", a_keyword_cannot_be_a_name },
	{ "bad C types are errors at the type",
	    bad_c_types_are_errors_at_the_type },
	{ "an unknown type is an error", an_unknown_type_is_an_error },
	{ "a word that only starts like a keyword is a name",
	    a_word_that_only_starts_like_a_keyword_is_a_name },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo sema_tests[] = {
	{ "each bad file gives its expected errors and no output",
	    each_bad_file_gives_its_expected_errors_and_no_output },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo warn_tests[] = {
	{ "a warning does not fail the run unless -Werror",
	    a_warning_does_not_fail_the_run_unless_werror },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo emit_tests[] = {
	{ "each good file gives its expected header and source",
	    each_good_file_gives_its_expected_header_and_source },
	{ "line directives back into the output name the next line",
	    line_directives_back_into_the_output_name_the_next_line },
	{ "only what the user wrote maps to the .rtp",
	    only_what_the_user_wrote_maps_to_the_rtp },
	{ "--no-lines leaves out every line directive",
	    no_lines_leaves_out_every_line_directive },
	{ "no golden line is wider than 80 columns",
	    no_golden_line_is_wider_than_80_columns },
	{ "output is the same on every run", output_is_the_same_on_every_run },
	{ "generated code compiles warning-free with every compiler",
	    generated_code_compiles_warning_free_with_every_compiler },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo cli_tests[] = {
	{ "--version prints the version and exits 0",
	    version_prints_the_version_and_exits_0 },
	{ "--help prints usage and exits 0", help_prints_usage_and_exits_0 },
	{ "usage errors exit 2", usage_errors_exit_2 },
	{ "an unreadable file exits 1 with a message",
	    an_unreadable_file_exits_1_with_a_message },
	{ "one bad input among good ones writes nothing",
	    one_bad_input_among_good_ones_writes_nothing },
	{ "a file given and imported is checked once",
	    a_file_given_and_imported_is_checked_once },
	{ "an include is found through an -I directory",
	    an_include_is_found_through_an_I_directory },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo robust_tests[] = {
	{ "random bytes never crash", random_bytes_never_crash },
	{ "mutated good files never crash", mutated_good_files_never_crash },
	{ "a one-megabyte file compiles", a_one_megabyte_file_compiles },
	{ "many repeated declarations are reported without flooding",
	    many_repeated_declarations_are_reported_without_flooding },
	{ "a name longer than 100 characters is an error",
	    a_name_longer_than_100_characters_is_an_error },
	{ "a byte-order mark at the start is skipped",
	    a_byte_order_mark_at_the_start_is_skipped },
	{ "deep nesting is an error, not a crash",
	    deep_nesting_is_an_error_not_a_crash },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "rtgen parser, good input", NULL, NULL, NULL, NULL,
	    parse_good_tests },
	{ "rtgen parser, bad input", NULL, NULL, NULL, NULL, parse_bad_tests },
	{ "rtgen semantic errors", NULL, NULL, NULL, NULL, sema_tests },
	{ "rtgen warnings", NULL, NULL, NULL, NULL, warn_tests },
	{ "rtgen C emitter", NULL, NULL, NULL, NULL, emit_tests },
	{ "rtgen command line", NULL, NULL, NULL, NULL, cli_tests },
	{ "rtgen robustness", NULL, NULL, NULL, NULL, robust_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
