/* SPDX-License-Identifier: MIT */
/*
 * rt_system_dump and rt_metrics_write through the public API: the JSON
 * dump, parsed with a real JSON parser (jansson), holds the trees a test
 * built, with the restarts its injected crashes caused; the text dump is
 * the same tree for a person; the metrics' counters equal rt_stats once
 * the system is quiet; a plain thread dumps again and again while actors
 * are spawned, crash and stop on worker threads; bad arguments and write
 * errors give codes. The deterministic parts run on a test system.
 *
 * Without jansson (Debian: libjansson-dev) the tests that parse JSON say
 * so and the program exits 77 (skipped) once the others have passed.
 */
#define _GNU_SOURCE /* open_memstream */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rt/test.h>

#ifdef HAVE_JANSSON
#include <jansson.h>
#endif

#include "cutest.h"
#include "observe_actors.h"

/* A registered name with everything JSON must escape, and a byte that is
 * not UTF-8 (written as U+FFFD). */
#define NASTY "lo\"ner\\ \n\t\x01 \xc3\xa9 \xff end"
#define NASTY_AS_READ "lo\"ner\\ \n\t\x01 \xc3\xa9 \xef\xbf\xbd end"

static bool skipped;

static rt_system *
quiet_test_system(void)
{
	rt_config cfg;

	rt_config_init(&cfg);
	cfg.log_level = RT_LOG_OFF; /* the crashes are on purpose */
	return rt_test_system_new(&cfg);
}

/* What rt_system_dump or rt_metrics_write wrote, as a string. */
static char *
output(rt_system *sys, int format, bool metrics, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	*rc = metrics ? rt_metrics_write(sys, f) :
			rt_system_dump(sys, f, format);
	fclose(f);
	return buf;
}

/*
 * The tree of the tests: Shop (cart crashed twice, pool with two workers
 * of which the first crashed once, audit with three messages waiting),
 * Slow (its worker crashed, waiting for its restart), and two actors
 * outside the trees, one registered under NASTY.
 */
struct tree {
	obs_Shop_ref shop;
	obs_Slow_ref slow;
	obs_Worker_ref cart, audit, w1, w2;
	obs_Loner_ref named, unnamed;
};

static void
crash(obs_Worker_ref w, rt_system *sys)
{
	CU_ASSERT_EQUAL(obs_Worker_send_Crash(w, &(obs_Crash){ .reason = 5 }),
	    0);
	rt_test_run(sys);
}

static void
build(rt_system *sys, struct tree *t)
{
	obs_Pool_ref pool;
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(obs_Shop_start(sys, &t->shop), 0);
	pool = obs_Shop_pool(t->shop);
	t->cart = obs_Shop_cart(t->shop);
	t->audit = obs_Shop_audit(t->shop);
	CU_ASSERT_EQUAL_FATAL(obs_Pool_start_child(pool,
				  &(obs_Worker_args){ .id = 10 }, &t->w1),
	    0);
	CU_ASSERT_EQUAL_FATAL(obs_Pool_start_child(pool,
				  &(obs_Worker_args){ .id = 11 }, &t->w2),
	    0);
	crash(t->cart, sys);
	crash(t->cart, sys);
	crash(t->w1, sys);
	CU_ASSERT_EQUAL_FATAL(obs_Slow_start(sys, &t->slow), 0);
	crash(obs_Slow_w(t->slow), sys);
	CU_ASSERT_EQUAL_FATAL(obs_Loner_spawn(sys, NULL, &t->named), 0);
	CU_ASSERT_EQUAL_FATAL(obs_Loner_spawn(sys, NULL, &t->unnamed), 0);
	CU_ASSERT_EQUAL(obs_Loner_register(t->named, NASTY), 0);
	rt_test_run(sys);
	/* Left waiting: the audit's depth. */
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(obs_Worker_send_Work(t->audit,
				    &(obs_Work){ .n = i }),
		    0);
}

/* --- JSON ------------------------------------------------------------------ */

#ifdef HAVE_JANSSON
static json_t *
parse(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	if (j == NULL)
		fprintf(stderr, "JSON error at line %d col %d: %s\n%s\n",
		    err.line, err.column, err.text, text);
	return j;
}

static const char *
str_of(json_t *node, const char *key)
{
	return json_string_value(json_object_get(node, key));
}

static long long
int_of(json_t *node, const char *key)
{
	return json_integer_value(json_object_get(node, key));
}

/* The node with path `path` in the list `nodes` or below. */
static json_t *
find(json_t *nodes, const char *path)
{
	size_t i;
	json_t *n, *hit;

	json_array_foreach(nodes, i, n)
	{
		const char *p = str_of(n, "path");

		if (p != NULL && strcmp(p, path) == 0)
			return n;
		if ((hit = find(json_object_get(n, "children"), path)) != NULL)
			return hit;
	}
	return NULL;
}

static void
check_children(json_t *node, const char **paths, size_t n)
{
	json_t *kids = json_object_get(node, "children");
	size_t i;

	CU_ASSERT_EQUAL_FATAL(json_array_size(kids), n);
	for (i = 0; i < n; i++)
		CU_ASSERT_STRING_EQUAL(str_of(json_array_get(kids, i), "path"),
		    paths[i]);
}

static void
the_json_dump_holds_the_trees_built(void)
{
	rt_system *sys = quiet_test_system();
	const char *shop_kids[] = { "Shop/cart", "Shop/pool", "Shop/audit" };
	const char *pool_kids[] = { "Shop/pool/worker.1",
		"Shop/pool/worker.2" };
	json_t *j, *trees, *actors, *n, *named = NULL, *unnamed = NULL;
	struct tree t;
	char *text;
	size_t i;
	int rc;

	build(sys, &t);
	text = output(sys, RT_DUMP_JSON, false, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	j = parse(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	trees = json_object_get(j, "trees");
	actors = json_object_get(j, "actors");
	CU_ASSERT_EQUAL_FATAL(json_array_size(trees), 2);

	n = json_array_get(trees, 0);
	CU_ASSERT_STRING_EQUAL(str_of(n, "path"), "Shop");
	CU_ASSERT_STRING_EQUAL(str_of(n, "kind"), "rt.supervisor");
	CU_ASSERT_STRING_EQUAL(str_of(n, "state"), "running");
	CU_ASSERT_TRUE(json_is_null(json_object_get(n, "health")));
	CU_ASSERT_STRING_EQUAL(str_of(json_object_get(n, "supervisor"), "spec"),
	    "Shop");
	CU_ASSERT_STRING_EQUAL(str_of(json_object_get(n, "supervisor"),
				   "strategy"),
	    "one_for_one");
	check_children(n, shop_kids, 3);
	check_children(find(trees, "Shop/pool"), pool_kids, 2);
	CU_ASSERT_STRING_EQUAL(str_of(json_object_get(find(trees, "Shop/pool"),
					  "supervisor"),
				   "strategy"),
	    "simple_one_for_one");

	n = find(trees, "Shop/cart");
	CU_ASSERT_STRING_EQUAL(str_of(n, "kind"), "obs.Worker");
	CU_ASSERT_STRING_EQUAL(str_of(n, "state"), "running");
	CU_ASSERT_EQUAL(int_of(n, "restarts"), 2);
	CU_ASSERT_EQUAL(int_of(json_object_get(n, "mailbox"), "bound"), 64);
	CU_ASSERT_TRUE(json_is_null(json_object_get(n, "supervisor")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(n, "children")), 0);
	CU_ASSERT_EQUAL(int_of(find(trees, "Shop/pool/worker.1"), "restarts"),
	    1);
	CU_ASSERT_EQUAL(int_of(find(trees, "Shop/pool/worker.2"), "restarts"),
	    0);
	CU_ASSERT_EQUAL(int_of(find(trees, "Shop/pool"), "restarts"), 0);
	n = find(trees, "Shop/audit");
	CU_ASSERT_EQUAL(int_of(json_object_get(n, "mailbox"), "depth"), 3);
	CU_ASSERT_EQUAL(int_of(json_object_get(n, "mailbox"), "stashed"), 0);
	CU_ASSERT_EQUAL(int_of(n, "handled"), 0);

	n = json_array_get(trees, 1);
	CU_ASSERT_STRING_EQUAL(str_of(n, "path"), "Slow");
	n = find(trees, "Slow/w");
	CU_ASSERT_STRING_EQUAL(str_of(n, "state"), "waiting for restart");
	CU_ASSERT_EQUAL(int_of(n, "restarts"), 0);

	/* The two loners, and nobody else, are outside the trees. */
	CU_ASSERT_EQUAL_FATAL(json_array_size(actors), 2);
	json_array_foreach(actors, i, n)
	{
		CU_ASSERT_STRING_EQUAL(str_of(n, "kind"), "obs.Loner");
		if (json_is_null(json_object_get(n, "path")))
			unnamed = n;
		else
			named = n;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(named);
	CU_ASSERT_PTR_NOT_NULL(unnamed);
	CU_ASSERT_STRING_EQUAL(str_of(named, "path"), NASTY_AS_READ);
	CU_ASSERT_STRING_EQUAL(str_of(named, "name"), NASTY_AS_READ);
	json_decref(j);
	free(text);

	/* Its backoff over, Slow's child is back. */
	rt_test_advance(sys, RT_SEC(3));
	text = output(sys, RT_DUMP_JSON, false, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	j = parse(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	n = find(json_object_get(j, "trees"), "Slow/w");
	CU_ASSERT_STRING_EQUAL(str_of(n, "state"), "running");
	CU_ASSERT_EQUAL(int_of(n, "restarts"), 1);
	json_decref(j);
	free(text);
	rt_system_free(sys);
}

static void
an_empty_system_dumps_empty_lists(void)
{
	rt_system *sys = quiet_test_system();
	char *text;
	json_t *j;
	int rc;

	text = output(sys, RT_DUMP_JSON, false, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	j = parse(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "trees")), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "actors")), 0);
	json_decref(j);
	free(text);
	rt_system_free(sys);
}
#else
static void
the_json_dump_holds_the_trees_built(void)
{
	printf("skipped: parsing the JSON dump needs jansson "
	       "(Debian: apt-get install libjansson-dev)\n");
	skipped = true;
}

static void
an_empty_system_dumps_empty_lists(void)
{
	the_json_dump_holds_the_trees_built();
}
#endif

/* --- text ------------------------------------------------------------------ */

static void
the_text_dump_is_an_indented_tree(void)
{
	rt_system *sys = quiet_test_system();
	struct tree t;
	char *text;
	int rc;

	build(sys, &t);
	text = output(sys, RT_DUMP_TEXT, false, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "supervision trees:\n"
	    "  Shop: supervisor Shop (one_for_one), running, mailbox 0, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\n    Shop/cart: obs.Worker, running, mailbox 0/64, handled 2, "
	    "restarts 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\n      Shop/pool/worker.1: obs.Worker, running, mailbox 0/64, "
	    "handled 1, restarts 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\n    Shop/audit: obs.Worker, running, mailbox 3/64, handled 0, "
	    "restarts 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\n    Slow/w: obs.Worker, waiting for restart, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nactors outside the trees:\n"));
	/* Control bytes and what is not UTF-8 are shown, not sent to the
	 * terminal. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\n  lo\"ner\\\\ \\x0a\\x09\\x01 \xc3\xa9 \\xff end: obs.Loner, "
	    "running, mailbox 0, handled 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  (no name): obs.Loner, "));
	free(text);
	rt_system_free(sys);
}

/* --- metrics ---------------------------------------------------------------- */

/* The value of the sample `series` (name and labels, exactly as written)
 * in `text`, or -1. */
static long long
metric(const char *text, const char *series)
{
	size_t len = strlen(series);
	const char *p = text;

	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 10);
		p += len;
	}
	return -1;
}

static void
the_counters_equal_rt_stats_once_quiet(void)
{
	rt_system *sys = quiet_test_system();
	struct tree t;
	rt_stats st;
	char *text;
	int rc;

	build(sys, &t);
	rt_test_run(sys);
	/* Dead letters: two left behind by a stop, one expired. */
	CU_ASSERT_EQUAL(obs_Loner_send_Quit(t.unnamed, NULL), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work(t.unnamed, &(obs_Work){ 1 }), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work(t.unnamed, &(obs_Work){ 2 }), 0);
	CU_ASSERT_EQUAL(obs_Loner_send_Work_opt(t.named, &(obs_Work){ 3 },
			    &(rt_send_opts){ .ttl = RT_MS(1) }),
	    0);
	rt_test_advance(sys, RT_MS(5));
	rt_test_run(sys);
	/* Two left waiting (the audit's three were handled). */
	CU_ASSERT_EQUAL(obs_Worker_send_Work(t.audit, &(obs_Work){ 4 }), 0);
	CU_ASSERT_EQUAL(obs_Worker_send_Work(t.audit, &(obs_Work){ 5 }), 0);
	text = output(sys, 0, true, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(metric(text, "rt_messages_sent_total"),
	    (long long)st.sent);
	CU_ASSERT_EQUAL(metric(text, "rt_messages_handled_total"),
	    (long long)st.handled);
	CU_ASSERT_EQUAL(metric(text, "rt_actor_crashes_total"),
	    (long long)st.crashed);
	CU_ASSERT_EQUAL(metric(text, "rt_restarts_total"),
	    (long long)st.restarts);
	CU_ASSERT_EQUAL(metric(text, "rt_actors_spawned_total"),
	    (long long)st.spawned);
	CU_ASSERT_EQUAL(metric(text, "rt_actors_stopped_total"),
	    (long long)st.stopped);
	CU_ASSERT_EQUAL(metric(text, "rt_sends_refused_total"),
	    (long long)st.refused);
	CU_ASSERT_EQUAL(metric(text, "rt_actors_live"), (long long)st.live);
	CU_ASSERT_EQUAL(metric(text,
			    "rt_dead_letters_total{cause=\"stopped\"}"),
	    (long long)(st.dead_letters - st.dropped - st.expired));
	CU_ASSERT_EQUAL(metric(text,
			    "rt_dead_letters_total{cause=\"expired\"}"),
	    (long long)st.expired);
	CU_ASSERT_EQUAL(metric(text,
			    "rt_dead_letters_total{cause=\"dropped\"}"),
	    (long long)st.dropped);
	CU_ASSERT_EQUAL(st.expired, 1);
	CU_ASSERT_EQUAL(st.dead_letters - st.dropped - st.expired, 2);
	CU_ASSERT_EQUAL(st.restarts, 3);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters + 2);
	/* The gauges: five workers (cart, audit, two in the pool, Slow's),
	 * two messages waiting at the audit. */
	CU_ASSERT_EQUAL(metric(text, "rt_actors{kind=\"obs.Worker\"}"), 5);
	CU_ASSERT_EQUAL(metric(text, "rt_actors{kind=\"obs.Loner\"}"), 1);
	CU_ASSERT_EQUAL(metric(text, "rt_actors{kind=\"rt.supervisor\"}"), 3);
	CU_ASSERT_EQUAL(metric(text, "rt_mailbox_depth{kind=\"obs.Worker\"}"),
	    2);
	CU_ASSERT_EQUAL(metric(text,
			    "rt_mailbox_depth_max{kind=\"obs.Worker\"}"),
	    2);
	CU_ASSERT_EQUAL(metric(text,
			    "rt_supervisor_children{supervisor=\"Shop\"}"),
	    3);
	CU_ASSERT_EQUAL(metric(text,
			    "rt_supervisor_children{supervisor=\"Pool\"}"),
	    2);
	CU_ASSERT_EQUAL(
	    metric(text, "rt_supervisor_child_restarts{supervisor=\"Shop\"}"),
	    2);
	/* Slow's child still waits for its restart. */
	CU_ASSERT_EQUAL(
	    metric(text, "rt_supervisor_child_restarts{supervisor=\"Slow\"}"),
	    0);
	CU_ASSERT_EQUAL(
	    metric(text, "rt_supervisor_child_restarts{supervisor=\"Pool\"}"),
	    1);
	/* Every family says what it is. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "# HELP rt_messages_sent_total "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "# TYPE rt_messages_sent_total counter\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "# TYPE rt_mailbox_depth_max gauge\n"));
	free(text);
	rt_system_free(sys);
}

/* --- stashed and postponed --------------------------------------------------- */

/* What the metrics and the dumps say of the Gate registered as "gate":
 * its text line from its mailbox on, its messages stashed or postponed,
 * and its messages waiting, those included. */
static void
check_gate(rt_system *sys, const char *text_line, unsigned stashed,
    unsigned depth)
{
	char *text, want[160];
	int rc;

	text = output(sys, 0, true, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(metric(text, "rt_mailbox_stashed{kind=\"obs.Gate\"}"),
	    stashed);
	CU_ASSERT_EQUAL(metric(text, "rt_mailbox_depth{kind=\"obs.Gate\"}"),
	    depth);
	CU_ASSERT_EQUAL(metric(text, "rt_mailbox_stashed{kind=\"obs.Worker\"}"),
	    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "# TYPE rt_mailbox_stashed gauge\n"));
	free(text);
	text = output(sys, RT_DUMP_TEXT, false, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	snprintf(want, sizeof(want), "\n  gate: obs.Gate, running, %s\n",
	    text_line);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
	free(text);
#ifdef HAVE_JANSSON
	{
		json_t *j, *n;

		text = output(sys, RT_DUMP_JSON, false, &rc);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		j = parse(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		n = find(json_object_get(j, "actors"), "gate");
		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		n = json_object_get(n, "mailbox");
		CU_ASSERT_EQUAL(int_of(n, "stashed"), stashed);
		CU_ASSERT_EQUAL(int_of(n, "depth"), depth);
		json_decref(j);
		free(text);
	}
#endif
}

static void
stashed_and_postponed_messages_are_shown(void)
{
	rt_system *sys = quiet_test_system();
	obs_Gate_ref g;
	obs_Worker_ref w;
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(obs_Gate_spawn(sys, NULL, &g), 0);
	CU_ASSERT_EQUAL_FATAL(obs_Gate_register(g, "gate"), 0);
	CU_ASSERT_EQUAL_FATAL(obs_Worker_spawn(sys, NULL, &w), 0);
	/* Shut: 500 Works postponed, and 3 Keeps stashed among them. */
	for (i = 0; i < 500; i++) {
		CU_ASSERT_EQUAL(obs_Gate_send_Work(g, &(obs_Work){ .n = i }),
		    0);
		if (i % 200 == 0)
			CU_ASSERT_EQUAL(obs_Gate_send_Keep(g, NULL), 0);
	}
	rt_test_run(sys);
	check_gate(sys, "mailbox 503/1024 (503 stashed), handled 0", 503, 503);
	/* Two more, not yet seen by the Gate: waiting, not stashed. */
	CU_ASSERT_EQUAL(obs_Gate_send_Work(g, &(obs_Work){ .n = 500 }), 0);
	CU_ASSERT_EQUAL(obs_Gate_send_Work(g, &(obs_Work){ .n = 501 }), 0);
	check_gate(sys, "mailbox 505/1024 (503 stashed), handled 0", 503, 505);
	/* Open: the Works are handled, the Keeps stashed again. */
	CU_ASSERT_EQUAL(obs_Gate_send_Open(g, NULL), 0);
	rt_test_run(sys);
	check_gate(sys, "mailbox 3/1024 (3 stashed), handled 503", 3, 3);
	rt_system_free(sys);
}

/* --- under load ------------------------------------------------------------- */

struct dumper {
	rt_system *sys;
	int stop; /* atomic */
	unsigned dumps, bad;
};

static void *
dump_loop(void *arg)
{
	struct dumper *d = arg;
	FILE *null = fopen("/dev/null", "w");

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		int rc = 0;
		char *text = output(d->sys, RT_DUMP_JSON, false, &rc);

		if (rc != 0 || text == NULL)
			d->bad++;
#ifdef HAVE_JANSSON
		else {
			json_t *j = json_loads(text, 0, NULL);

			if (j == NULL)
				d->bad++;
			json_decref(j);
		}
#endif
		free(text);
		if (rt_system_dump(d->sys, null, RT_DUMP_TEXT) != 0 ||
		    rt_metrics_write(d->sys, null) != 0)
			d->bad++;
		d->dumps++;
	}
	fclose(null);
	return NULL;
}

static void
dumps_stay_whole_while_actors_come_and_go(void)
{
	rt_config cfg;
	rt_system *sys;
	struct dumper d = { NULL, 0, 0, 0 };
	obs_Worker_ref kids[64];
	obs_Pool_ref pool;
	struct timespec t0, t;
	pthread_t th;
	unsigned i = 0, k;

	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.log_level = RT_LOG_OFF;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(obs_Pool_start(sys, &pool), 0);
	for (k = 0; k < 64; k++)
		CU_ASSERT_EQUAL_FATAL(obs_Pool_start_child(pool,
					  &(obs_Worker_args){ .id = k },
					  &kids[k]),
		    0);
	d.sys = sys;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, dump_loop, &d), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		obs_Loner_ref lo;
		obs_Worker_ref w = kids[i % 64];

		/* Work, crashes (restarts), stops and new children in the
		 * pool, and actors outside it spawned and stopped. */
		(void)obs_Worker_send_Work(w, &(obs_Work){ i });
		if (i % 3 == 0)
			(void)obs_Worker_send_Crash(w, &(obs_Crash){ 9 });
		if (i % 17 == 0) {
			(void)obs_Worker_send_Quit(w, NULL);
			(void)obs_Pool_start_child(pool,
			    &(obs_Worker_args){ .id = i }, &kids[i % 64]);
		}
		if (obs_Loner_spawn(sys, NULL, &lo) == 0) {
			(void)obs_Loner_send_Work(lo, &(obs_Work){ i });
			(void)obs_Loner_send_Quit(lo, NULL);
		}
		i++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L +
		(t.tv_nsec - t0.tv_nsec) <
	    1500000000L);
	__atomic_store_n(&d.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
	CU_ASSERT_EQUAL(d.bad, 0);
	CU_ASSERT_TRUE(d.dumps > 0);
	printf("(%u dumps of each kind while %u rounds ran) ", d.dumps, i);
}

/* --- bad arguments and write errors ------------------------------------------ */

static void
bad_arguments_and_write_errors_give_codes(void)
{
	rt_system *sys = quiet_test_system();
	FILE *full = fopen("/dev/full", "w");
	struct tree t;

	CU_ASSERT_EQUAL(rt_system_dump(NULL, stdout, RT_DUMP_TEXT), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_system_dump(sys, NULL, RT_DUMP_JSON), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_system_dump(sys, stdout, 7), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_system_dump(sys, stdout, -1), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_metrics_write(NULL, stdout), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_metrics_write(sys, NULL), RT_EINVAL);
	build(sys, &t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(full);
	CU_ASSERT_EQUAL(rt_system_dump(sys, full, RT_DUMP_JSON), RT_EIO);
	clearerr(full);
	CU_ASSERT_EQUAL(rt_system_dump(sys, full, RT_DUMP_TEXT), RT_EIO);
	clearerr(full);
	CU_ASSERT_EQUAL(rt_metrics_write(sys, full), RT_EIO);
	fclose(full);
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo dump[] = {
		{ "the JSON dump holds the trees built",
		    the_json_dump_holds_the_trees_built },
		{ "an empty system dumps empty lists",
		    an_empty_system_dumps_empty_lists },
		{ "the text dump is an indented tree",
		    the_text_dump_is_an_indented_tree },
		{ "the counters equal rt_stats once quiet",
		    the_counters_equal_rt_stats_once_quiet },
		{ "stashed and postponed messages are shown",
		    stashed_and_postponed_messages_are_shown },
		{ "dumps stay whole while actors come and go",
		    dumps_stay_whole_while_actors_come_and_go },
		{ "bad arguments and write errors give codes",
		    bad_arguments_and_write_errors_give_codes },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "observe", NULL, NULL, NULL, NULL, dump },
		CU_SUITE_INFO_NULL,
	};
	int rc = cutest_run(suites, argc, argv);

	if (rc == 0 && skipped) {
		printf("skipped: the JSON checks need jansson\n");
		return 77;
	}
	return rc;
}
