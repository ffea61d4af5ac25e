/* SPDX-License-Identifier: MIT */
/*
 * rtgen's parser and checker as units: .rtp text in memory goes through
 * the front end (loader_check_text: parse, then check), and each test
 * looks at the AST it builds and at the diagnostics it writes (to a
 * memory stream), without the command line or any file. The golden tests (test_rtgen) cover the
 * emitter's output and the exact text of every diagnostic.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "cutest.h"
#include "diag.h"
#include "loader.h"
#include "sema.h"

/* One checked unit, with what was reported about it. */
struct checked {
	ast_unit *unit;
	diag d;
	char *out; /* the diagnostics, NUL-terminated */
	size_t outlen;
	unsigned errors, warnings;
};

static void
check_text(struct checked *c, const char *text, bool werror)
{
	FILE *f;

	memset(c, 0, sizeof(*c));
	f = open_memstream(&c->out, &c->outlen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	diag_init(&c->d, f, "t.rtp", text, strlen(text));
	c->d.werror = werror;
	c->unit = ast_unit_new("t.rtp");
	(void)loader_check_text(NULL, c->unit, &c->d, text, strlen(text));
	c->errors = c->d.errors;
	c->warnings = c->d.warnings;
	fclose(f);
}

static void
done(struct checked *c)
{
	ast_unit_free(c->unit);
	diag_fini(&c->d);
	free(c->out);
}

static const ast_decl *
find(const ast_unit *u, enum ast_decl_kind kind, const char *name)
{
	const ast_decl *d;

	for (d = u->decls; d != NULL; d = d->next)
		if (d->kind == kind && d->name != NULL &&
		    strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

static void
a_clean_protocol_resolves_its_names(void)
{
	struct checked c;
	const ast_decl *order, *total, *get, *cart;
	const ast_field *f;

	check_text(&c,
	    "protocol shop;\n"
	    "message Order { u64 id; string who; u32[4] lanes; }\n"
	    "message Total { u64 cents; }\n"
	    "message GetTotal -> Total {}\n"
	    "actor Cart { accepts Order, GetTotal; state { u64 sum; } "
	    "on start; }\n",
	    false);
	CU_ASSERT_EQUAL_FATAL(c.errors, 0);
	CU_ASSERT_EQUAL(c.warnings, 0);
	CU_ASSERT_STRING_EQUAL(c.unit->protocol->name, "shop");
	order = find(c.unit, AST_D_MESSAGE, "Order");
	total = find(c.unit, AST_D_MESSAGE, "Total");
	get = find(c.unit, AST_D_MESSAGE, "GetTotal");
	cart = find(c.unit, AST_D_ACTOR, "Cart");
	CU_ASSERT_PTR_NOT_NULL_FATAL(order);
	CU_ASSERT_PTR_NOT_NULL_FATAL(get);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cart);
	/* Fields in order, with their types. */
	f = order->fields;
	CU_ASSERT_STRING_EQUAL(f->name, "id");
	CU_ASSERT_EQUAL(f->type.kind, AST_T_U64);
	f = f->next;
	CU_ASSERT_STRING_EQUAL(f->name, "who");
	CU_ASSERT_EQUAL(f->type.kind, AST_T_STRING);
	f = f->next;
	CU_ASSERT_STRING_EQUAL(f->name, "lanes");
	CU_ASSERT_TRUE(f->type.array);
	CU_ASSERT_EQUAL(f->type.len, 4);
	CU_ASSERT_PTR_NULL(f->next);
	/* Names resolved to their declarations. */
	CU_ASSERT_PTR_EQUAL(get->reply->target, total);
	CU_ASSERT_EQUAL_FATAL(cart->naccepts, 2);
	CU_ASSERT_PTR_EQUAL(cart->accepts[0]->target, order);
	CU_ASSERT_PTR_EQUAL(cart->accepts[1]->target, get);
	CU_ASSERT_TRUE(order->accepted);
	CU_ASSERT_FALSE(total->accepted);
	CU_ASSERT_EQUAL(cart->hooks, AST_HOOK_START);
	CU_ASSERT_PTR_NOT_NULL(cart->state);
	/* Message tags are protocol-wide, from 1, in declaration order. */
	CU_ASSERT_EQUAL(order->tag, 1);
	CU_ASSERT_EQUAL(total->tag, 2);
	done(&c);
}

static void
enums_keep_their_values_in_order(void)
{
	struct checked c;
	const ast_decl *e;
	const ast_name *v;

	check_text(&c,
	    "protocol p;\nenum Color { red, green, blue }\n"
	    "message Paint { Color color; }\nactor A { accepts Paint; }\n",
	    false);
	CU_ASSERT_EQUAL_FATAL(c.errors, 0);
	e = find(c.unit, AST_D_ENUM, "Color");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	v = e->values;
	CU_ASSERT_STRING_EQUAL(v->name, "red");
	CU_ASSERT_STRING_EQUAL(v->next->name, "green");
	CU_ASSERT_STRING_EQUAL(v->next->next->name, "blue");
	CU_ASSERT_PTR_EQUAL(
	    find(c.unit, AST_D_MESSAGE, "Paint")->fields->type.target, e);
	done(&c);
}

static void
every_syntax_error_is_reported_and_parsing_goes_on(void)
{
	struct checked c;

	check_text(&c,
	    "protocol p;\nmessage A { u32 ; }\n"
	    "message B { u32 x }\nmessage C { u32 y; }\n"
	    "actor D { accepts C; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "t.rtp:2:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "t.rtp:3:"));
	/* What came after the errors was parsed. */
	CU_ASSERT_PTR_NOT_NULL(find(c.unit, AST_D_MESSAGE, "C"));
	CU_ASSERT_PTR_NOT_NULL(find(c.unit, AST_D_ACTOR, "D"));
	done(&c);
}

static void
an_unknown_name_gets_a_suggestion(void)
{
	struct checked c;

	check_text(&c,
	    "protocol p;\nmessage Order {}\n"
	    "actor A { accepts Ordr; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "t.rtp:3:19: error:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "did you mean 'Order'?"));
	done(&c);
}

static void
a_message_containing_itself_is_an_error(void)
{
	struct checked c;

	check_text(&c,
	    "protocol p;\nmessage A { B b; }\nmessage B { A a; }\n"
	    "actor X { accepts A; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "contains itself"));
	done(&c);
}

static void
asks_and_topics_need_the_right_kind_of_message(void)
{
	struct checked c;

	check_text(&c,
	    "protocol p;\nmessage Plain {}\nmessage R {}\n"
	    "message Q -> R {}\n"
	    "actor S { accepts Plain, Q; }\n"
	    "actor C { asks Plain; }\n"
	    "topic t : Q;\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "'Plain' is not a request"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "'Q' is a request"));
	done(&c);
}

static void
warnings_count_and_werror_makes_them_errors(void)
{
	struct checked c;
	const char *text = "protocol p;\nmessage Used {}\nmessage Lost {}\n"
			   "actor A { accepts Used; }\n";

	check_text(&c, text, false);
	CU_ASSERT_EQUAL(c.errors, 0);
	CU_ASSERT_EQUAL(c.warnings, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:3:9: warning: message "
	    "'Lost' can never be sent"));
	done(&c);
	check_text(&c, text, true);
	CU_ASSERT_EQUAL(c.errors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "error: message 'Lost' can "
	    "never be sent"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "[-Werror]"));
	done(&c);
}

static void
a_protocol_of_messages_alone_is_a_library(void)
{
	struct checked c;

	/* No actor: its messages are for importers, not warned about. */
	check_text(&c, "protocol lib;\nmessage A {}\nmessage B { A a; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 0);
	CU_ASSERT_EQUAL(c.warnings, 0);
	done(&c);
}

static void
imports_without_a_loader_are_reported(void)
{
	struct checked c;

	/* Text checked alone has no file to import from. */
	check_text(&c,
	    "protocol p;\nimport \"other.rtp\";\nmessage A {}\n"
	    "actor X { accepts A; }\n",
	    false);
	CU_ASSERT(c.errors >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "cannot be imported here"));
	done(&c);
}

static void
mailbox_clauses_are_checked(void)
{
	struct checked c;
	const ast_decl *a;

	check_text(&c,
	    "protocol p;\nmessage M {}\n"
	    "actor A { accepts M; mailbox 64 overflow reject; }\n"
	    "actor B { accepts M; mailbox 8 overflow sink; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "t.rtp:4:"));
	a = find(c.unit, AST_D_ACTOR, "A");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->mailbox_bound, 64);
	CU_ASSERT_EQUAL(a->overflow, AST_OVERFLOW_REJECT);
	done(&c);
}

static void
states_and_their_accept_clauses_are_resolved(void)
{
	struct checked c;
	const ast_decl *a;

	/* `in` and `states` stay names elsewhere: a field may be called so. */
	check_text(&c,
	    "protocol p;\nmessage M { u32 in; }\nmessage N { u32 states; }\n"
	    "message K {}\n"
	    "actor A {\n  accepts M, N, K;\n  states idle, busy, stop;\n"
	    "  accept N in busy, stop;\n  accept M in idle;\n}\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 0);
	CU_ASSERT_EQUAL(c.warnings, 0);
	a = find(c.unit, AST_D_ACTOR, "A");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->states);
	CU_ASSERT_STRING_EQUAL(a->states->names->name, "idle");
	CU_ASSERT_STRING_EQUAL(a->states->names->next->next->name, "stop");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->accept_in);
	/* Parallel to accepts: M, N, and K in every state. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->accept_in[0]);
	CU_ASSERT_STRING_EQUAL(a->accept_in[0]->names->name, "idle");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->accept_in[1]);
	CU_ASSERT_STRING_EQUAL(a->accept_in[1]->names->name, "busy");
	CU_ASSERT_STRING_EQUAL(a->accept_in[1]->names->next->name, "stop");
	CU_ASSERT_PTR_NULL(a->accept_in[2]);
	done(&c);
	/* Every error of one actor's states in one run, and no warning
	 * about idle states while there are errors. */
	check_text(&c,
	    "protocol p;\nmessage M {}\nmessage K {}\n"
	    "actor A { accepts M; states x, x; accept M in y; "
	    "accept K in x; }\n"
	    "actor B { accepts M; accept M in x; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 4);
	CU_ASSERT_EQUAL(c.warnings, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:4:32: error: duplicate state 'x' in actor 'A'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:4:47: error: unknown state 'y' of actor 'A'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:4:57: error: actor 'A' does not accept 'K'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:5:22: error: 'accept M in ...' restricts a message to "
	    "states, but actor 'B' has no 'states' clause"));
	done(&c);
	/* A state in which nothing is accepted is a warning, an error
	 * with -Werror. */
	check_text(&c,
	    "protocol p;\nmessage M {}\n"
	    "actor A { accepts M; states on_, off; accept M in off; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 0);
	CU_ASSERT_EQUAL(c.warnings, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:3:29: warning: actor 'A' accepts no message in state "
	    "'on_'"));
	done(&c);
	check_text(&c,
	    "protocol p;\nmessage M {}\n"
	    "actor A { accepts M; states on_, off; accept M in off; }\n",
	    true);
	CU_ASSERT_EQUAL(c.errors, 1);
	done(&c);
}

static void
a_supervisor_gets_its_clauses_children_and_defaults(void)
{
	struct checked c;
	const ast_decl *shop, *pool, *idle;
	const ast_clause *cart;

	check_text(&c,
	    "protocol p;\nmessage M {}\n"
	    "actor A { accepts M; init { i32 n; string s; f32 r; } }\n"
	    "supervisor Shop {\n"
	    "  strategy rest_for_one;\n  intensity 7 within 2m;\n"
	    "  backoff 5ms .. 1s;\n"
	    "  child cart : A(n = -4, s = \"x\", r = 2) transient "
	    "shutdown 250us;\n"
	    "  child pool : Pool shutdown infinity;\n}\n"
	    "supervisor Pool { strategy simple_one_for_one; "
	    "template w : A temporary; }\n"
	    "supervisor Idle { child a : A; }\n",
	    false);
	CU_ASSERT_EQUAL_FATAL(c.errors, 0);
	shop = find(c.unit, AST_D_SUPERVISOR, "Shop");
	pool = find(c.unit, AST_D_SUPERVISOR, "Pool");
	idle = find(c.unit, AST_D_SUPERVISOR, "Idle");
	CU_ASSERT_PTR_NOT_NULL_FATAL(shop);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(idle);
	CU_ASSERT_EQUAL(shop->strategy, AST_STRATEGY_REST_FOR_ONE);
	CU_ASSERT_EQUAL(shop->intensity, 7);
	CU_ASSERT_EQUAL(shop->period, UINT64_C(120000000000));
	CU_ASSERT_EQUAL(shop->backoff_min, UINT64_C(5000000));
	CU_ASSERT_EQUAL(shop->backoff_max, UINT64_C(1000000000));
	CU_ASSERT_EQUAL_FATAL(shop->nchildren, 2);
	cart = shop->children[0];
	CU_ASSERT_STRING_EQUAL(cart->names->name, "cart");
	CU_ASSERT_PTR_EQUAL(cart->child_of->target,
	    find(c.unit, AST_D_ACTOR, "A"));
	CU_ASSERT_EQUAL(cart->restart, AST_RESTART_TRANSIENT);
	CU_ASSERT_EQUAL(cart->shutdown, 250000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cart->args);
	CU_ASSERT(cart->args->negative);
	CU_ASSERT_EQUAL(cart->args->num, 4);
	CU_ASSERT_PTR_NOT_NULL(cart->args->field);
	CU_ASSERT_PTR_EQUAL(shop->children[1]->child_of->target, pool);
	CU_ASSERT_EQUAL(shop->children[1]->shutdown, -1);
	/* A simple_one_for_one supervisor's one "child" is its template. */
	CU_ASSERT_EQUAL(pool->strategy, AST_STRATEGY_SIMPLE_ONE_FOR_ONE);
	CU_ASSERT_EQUAL_FATAL(pool->nchildren, 1);
	CU_ASSERT_EQUAL(pool->children[0]->kind, AST_C_TEMPLATE);
	CU_ASSERT_EQUAL(pool->children[0]->restart, AST_RESTART_TEMPORARY);
	/* The defaults: one_for_one, 3 within 5s, no backoff, permanent,
	 * 5s to shut down. */
	CU_ASSERT_EQUAL(idle->strategy, AST_STRATEGY_ONE_FOR_ONE);
	CU_ASSERT_EQUAL(idle->intensity, 3);
	CU_ASSERT_EQUAL(idle->period, UINT64_C(5000000000));
	CU_ASSERT_EQUAL(idle->backoff_max, 0);
	CU_ASSERT_EQUAL(idle->children[0]->restart, AST_RESTART_PERMANENT);
	CU_ASSERT_EQUAL(idle->children[0]->shutdown, INT64_C(5000000000));
	done(&c);
}

static void
every_supervisor_error_is_reported_in_one_run(void)
{
	struct checked c;

	check_text(&c,
	    "protocol p;\nmessage M {}\n"
	    "actor A { accepts M; init { u8 n; } }\n"
	    "supervisor S {\n"
	    "  strategy one_for_al;\n"
	    "  child a : A(n = 300);\n"
	    "  child a : Aa;\n"
	    "  child s : S;\n"
	    "  template t : A;\n}\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 6);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:5:12: error: unknown "
	    "strategy 'one_for_al'; did you mean 'one_for_all'?"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "t.rtp:6:19: error: bad value"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:7:9: error: duplicate "
	    "child name 'a'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "did you mean 'A'?"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:9:3: error: 'template' "
	    "outside"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "contains itself (S -> S)"));
	done(&c);
}

static void
a_supervisor_without_children_is_a_warning(void)
{
	struct checked c;

	check_text(&c, "protocol p;\nsupervisor S { strategy one_for_all; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 0);
	CU_ASSERT_EQUAL(c.warnings, 1);
	done(&c);
	check_text(&c, "protocol p;\nsupervisor S { strategy one_for_all; }\n",
	    true);
	CU_ASSERT_EQUAL(c.errors, 1);
	done(&c);
}

static void
a_remote_actor_takes_wire_types_only(void)
{
	struct checked c;
	const ast_decl *a, *b;

	/* Strings, bytes, refs to remote kinds, enums, arrays and nested
	 * messages cross nodes; an actor may be remote and `thread;` at
	 * once. */
	check_text(&c,
	    "protocol p;\nenum E { x, y }\n"
	    "message In { string s; bytes b; E e; u32[4] v; }\n"
	    "message Q -> R { In in; ref<B> back; }\nmessage R { In[2] two; }\n"
	    "actor A { accepts Q; remote; thread; }\n"
	    "actor B { accepts Q; remote; }\nactor C { accepts Q; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 0);
	a = find(c.unit, AST_D_ACTOR, "A");
	b = find(c.unit, AST_D_ACTOR, "C");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL(a->remote);
	CU_ASSERT_PTR_NOT_NULL(a->thread);
	CU_ASSERT_PTR_NULL(b->remote);
	done(&c);
	/* A ref to a kind that is not remote, nested in a reply: another
	 * node could not send to it. A local kind's messages may hold one. */
	check_text(&c,
	    "protocol p;\nmessage In { ref<L> back; }\n"
	    "message Q -> R {}\nmessage R { In[2] two; }\n"
	    "actor A { accepts Q; remote; }\nactor L { accepts R; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:2:18: error: field 'back' of 'In' is a ref to actor 'L', "
	    "which is not remote"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "'R' holds 'In', and 'R' answers 'Q'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "note: 'A' is made remote here"));
	done(&c);
	/* A C type two levels down in a reply is found, at its field. */
	check_text(&c,
	    "protocol p;\nmessage H { c\"FILE *\" f; }\n"
	    "message In { H h; }\nmessage Q -> R {}\nmessage R { In in; }\n"
	    "actor A { accepts Q; remote; }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:2:13: error: field 'f' of 'H' has the C type 'FILE *'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "'R' holds 'H'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "note: 'A' is made remote here"));
	done(&c);
}

static void
a_pool_gets_its_kind_route_and_defaults(void)
{
	struct checked c;
	const ast_decl *w, *h, *k;

	check_text(&c,
	    "protocol p;\nenum E { x }\n"
	    "message M { u64 key; string s; E e; ref<A> r; }\n"
	    "message N -> M { i8 key; bytes s; bool e; ref<A> r; }\n"
	    "actor A { accepts M, N; }\n"
	    "pool W : A size 8 route least_loaded;\n"
	    "pool H : A size 3 route hash(s) intensity 1 within 2s;\n"
	    "pool K : A size 1 route hash(key);\n"
	    "pool L : A size 2 route hash(e);\n"
	    "pool R : A size 2 route hash(r);\n"
	    "supervisor S { child w : W; child pool : R; }\n"
	    "actor Z { state { u32 pool; u32 size; u32 route; } }\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 0);
	CU_ASSERT_EQUAL(c.warnings, 0);
	w = find(c.unit, AST_D_POOL, "W");
	h = find(c.unit, AST_D_POOL, "H");
	k = find(c.unit, AST_D_ACTOR, "A");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_EQUAL(w->member->target, k);
	CU_ASSERT_EQUAL(w->size, 8);
	CU_ASSERT_EQUAL(w->route_kind, AST_ROUTE_LEAST_LOADED);
	/* 3 restarts per member within 5 s, unless given. */
	CU_ASSERT_EQUAL(w->intensity, 24);
	CU_ASSERT_EQUAL(w->period, 5000000000u);
	CU_ASSERT_EQUAL(h->route_kind, AST_ROUTE_HASH);
	CU_ASSERT_STRING_EQUAL(h->route_field->name, "s");
	CU_ASSERT_EQUAL(h->intensity, 1);
	CU_ASSERT_EQUAL(h->period, 2000000000u);
	done(&c);
}

static void
every_pool_error_is_reported_in_one_run(void)
{
	struct checked c;

	check_text(&c,
	    "protocol p;\n"
	    "message M { u64 key; f64 x; }\nmessage N { u64 other; f64 x; }\n"
	    "actor A { accepts M; }\nactor B { accepts M, N; }\n"
	    "actor I { accepts M; init { u8 n; } }\n"
	    "pool P1 : Aa size 2 route random;\n"
	    "pool P2 : A size 0 route random;\n"
	    "pool P3 : A size 2 route round_robn;\n"
	    "pool P4 : B size 2 route hash(key);\n"
	    "pool P5 : A size 2 route hash(x);\n"
	    "pool P6 : A size 2 route hash;\n"
	    "pool P7 : A size 2 route random(key);\n"
	    "pool P8 : I size 2 route random;\n"
	    "pool P9 : M size 2 route random;\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 9);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:7:11: error: unknown actor 'Aa' (the members of a pool are "
	    "actors); did you mean 'A'?"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:8:18: error: a pool's size must be 1 to 65536 members, "
	    "not 0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:9:26: error: unknown route 'round_robn'; did you mean "
	    "'round_robin'?"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:10:31: error: message 'N', which 'B' accepts, has no field "
	    "'key' to hash"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:11:31: error: field 'x' of message 'M' cannot be hashed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:12:26: error: route 'hash' needs the field to hash"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:13:33: error: route 'random' takes no field"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:14:11: error: actor 'I' has an 'init' block; the members "
	    "of a pool are started without arguments"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:15:11: error: 'M' is a message; the members of a pool are "
	    "actors"));
	done(&c);
	/* The words of a pool that are not keywords, misspelt. */
	check_text(&c,
	    "protocol p;\nmessage M {}\nactor A { accepts M; }\n"
	    "pol P : A size 2 route random;\n"
	    "pool Q : A sise 2 rout random;\n",
	    false);
	CU_ASSERT_EQUAL(c.errors, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:4:1: error: syntax error, unexpected identifier"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:5:12: error: expected 'size', found 'sise'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out,
	    "t.rtp:5:19: error: expected 'route', found 'rout'"));
	done(&c);
}

int
main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "a clean protocol resolves its names",
		    a_clean_protocol_resolves_its_names },
		{ "enums keep their values in order",
		    enums_keep_their_values_in_order },
		{ "every syntax error is reported and parsing goes on",
		    every_syntax_error_is_reported_and_parsing_goes_on },
		{ "an unknown name gets a suggestion",
		    an_unknown_name_gets_a_suggestion },
		{ "a message containing itself is an error",
		    a_message_containing_itself_is_an_error },
		{ "asks and topics need the right kind of message",
		    asks_and_topics_need_the_right_kind_of_message },
		{ "warnings count and -Werror makes them errors",
		    warnings_count_and_werror_makes_them_errors },
		{ "a protocol of messages alone is a library",
		    a_protocol_of_messages_alone_is_a_library },
		{ "imports without a loader are reported",
		    imports_without_a_loader_are_reported },
		{ "mailbox clauses are checked", mailbox_clauses_are_checked },
		{ "states and their accept clauses are resolved",
		    states_and_their_accept_clauses_are_resolved },
		{ "a supervisor gets its clauses, children and defaults",
		    a_supervisor_gets_its_clauses_children_and_defaults },
		{ "every supervisor error is reported in one run",
		    every_supervisor_error_is_reported_in_one_run },
		{ "a remote actor takes wire types only",
		    a_remote_actor_takes_wire_types_only },
		{ "a supervisor without children is a warning",
		    a_supervisor_without_children_is_a_warning },
		{ "a pool gets its kind, route and defaults",
		    a_pool_gets_its_kind_route_and_defaults },
		{ "every pool error is reported in one run",
		    every_pool_error_is_reported_in_one_run },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "parser and checker", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
