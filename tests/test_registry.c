/* SPDX-License-Identifier: MIT */
/*
 * The actor registry, through the generated API of tests/rtp/registry.rtp:
 * registering, finding and unregistering names, the errors of each, names
 * released by the final stop of their actor (normal, crash, shutdown, the
 * end of the system), and lookups from plain threads and from actors racing
 * with registrations and stops.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "cutest.h"
#include "registry.rtp.h"

#define WAIT_LIMIT_SEC 20

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

#include "record.h"

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_ACQ_REL)

/* What handlers saw; under mu. */
static struct record {
	int claims;        /* Claim handlers that ran */
	int claim_rc;      /* what the last one's register returned */
	rt_ref claimer;    /* ... and who it was */
	int holding;       /* Hold handlers blocked now */
	int released;      /* set by the test: Hold handlers return */
	int finds;         /* Find handlers done */
	int keeper_starts; /* Keeper on_start runs ... */
	int keeper_rc;     /* ... and what the last one's register returned */
} rec;

/* Names the race test uses; anomalies its readers saw (atomic). */
#define RACE_NAMES 32
static char race_names[RACE_NAMES][16];
static unsigned race_bad;

int
reg_Named_on_Quit(reg_Named *self, rt_ctx *ctx, const reg_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
reg_Named_on_Crash(reg_Named *self, rt_ctx *ctx, const reg_Crash *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return -1;
}

int
reg_Named_on_Ping(reg_Named *self, rt_ctx *ctx, const reg_Ping *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
reg_Named_on_Hold(reg_Named *self, rt_ctx *ctx, const reg_Hold *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	pthread_mutex_lock(&mu);
	rec.holding++;
	pthread_cond_broadcast(&cv);
	while (!rec.released)
		pthread_cond_wait(&cv, &mu);
	rec.holding--;
	pthread_mutex_unlock(&mu);
	return 0;
}

int
reg_Named_on_Claim(reg_Named *self, rt_ctx *ctx, const reg_Claim *msg)
{
	reg_Named_ref me = reg_Named_self(ctx);
	int rc = reg_Named_register(me, msg->name);

	(void)self;
	RECORD((rec.claims++, rec.claim_rc = rc, rec.claimer = me.ref));
	return 0;
}

int
reg_Other_on_Quit(reg_Other *self, rt_ctx *ctx, const reg_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
reg_Other_on_Ping(reg_Other *self, rt_ctx *ctx, const reg_Ping *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

/*
 * One round of lookups over the race test's names, as a reader sees them:
 * a name is free, or names a Named or an Other (a ref found may have gone
 * stale since). Returns the anomalies seen. Readers send nothing: a send
 * would order them before the actor's stop, and ThreadSanitizer could no
 * longer tell whether the registry itself keeps an entry alive until its
 * readers are done.
 */
static unsigned
look_up_race_names(rt_system *sys)
{
	unsigned i, bad = 0;

	for (i = 0; i < RACE_NAMES; i++) {
		reg_Named_ref n;
		rt_ref any;
		int rc;

		rc = reg_Named_whereis(sys, race_names[i], &n);
		if (rc == 0 ? rt_ref_is_null(n.ref) :
			      rc != RT_ENOENT && rc != RT_ETYPE)
			bad++;
		rc = rt_whereis(sys, race_names[i], &any);
		if (rc == 0 ? rt_ref_is_null(any) : rc != RT_ENOENT)
			bad++;
	}
	return bad;
}

int
reg_Seeker_on_Find(reg_Seeker *self, rt_ctx *ctx, const reg_Find *msg)
{
	unsigned r, bad = 0;

	(void)self;
	for (r = 0; r < msg->rounds; r++)
		bad += look_up_race_names(rt_ctx_system(ctx));
	if (bad != 0)
		ADD(&race_bad, bad);
	RECORD(rec.finds++);
	return 0;
}

int
reg_Seeker_on_Quit(reg_Seeker *self, rt_ctx *ctx, const reg_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
reg_Keeper_on_start(reg_Keeper *self, rt_ctx *ctx, const reg_Keeper_args *args)
{
	int rc = reg_Keeper_register(reg_Keeper_self(ctx), "keeper");

	(void)self;
	(void)args;
	RECORD((rec.keeper_starts++, rec.keeper_rc = rc));
	return rc;
}

int
reg_Keeper_on_Crash(reg_Keeper *self, rt_ctx *ctx, const reg_Crash *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return RT_EINVAL; /* a handler error: the supervisor restarts it */
}

int
reg_Keeper_on_Ping(reg_Keeper *self, rt_ctx *ctx, const reg_Ping *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

/* --- helpers ------------------------------------------------------------- */

static rt_system *
new_system(unsigned workers)
{
	rt_config cfg;
	rt_system *sys;

	rt_config_init(&cfg);
	cfg.workers = workers;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	memset(&rec, 0, sizeof(rec));
	return sys;
}

static void
quiet(void *user, rt_log_level level, const char *line)
{
	(void)user;
	(void)level;
	(void)line;
}

/* For tests that crash actors on purpose: no crash reports. */
static rt_system *
new_quiet_system(unsigned workers)
{
	rt_config cfg;
	rt_system *sys;

	rt_config_init(&cfg);
	cfg.workers = workers;
	cfg.log = quiet;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	memset(&rec, 0, sizeof(rec));
	return sys;
}

static reg_Named_ref
spawn_named(rt_system *sys)
{
	reg_Named_ref n;

	CU_ASSERT_EQUAL_FATAL(reg_Named_spawn(sys, NULL, &n), 0);
	return n;
}

static void
wait_dead(rt_ref r)
{
	while (rt_actor_alive(r))
		sched_yield();
}

static int
claims_one(void)
{
	return rec.claims >= 1;
}

static int
holding_one(void)
{
	return rec.holding >= 1;
}

/* --- tests --------------------------------------------------------------- */

static void
whereis_finds_a_registered_actor(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref n = spawn_named(sys), found;

	CU_ASSERT_EQUAL(reg_Named_register(n, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "server", &found), 0);
	CU_ASSERT_TRUE(rt_ref_equal(found.ref, n.ref));
	CU_ASSERT_EQUAL(reg_Named_send_Ping(found, NULL), 0);
	rt_system_free(sys);
}

static void
a_name_taken_by_a_live_actor_gives_eexist(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref a = spawn_named(sys), b = spawn_named(sys), found;

	CU_ASSERT_EQUAL(reg_Named_register(a, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_register(b, "server"), RT_EEXIST);
	/* Registering an actor under the name it has is a no-op. */
	CU_ASSERT_EQUAL(reg_Named_register(a, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "server", &found), 0);
	CU_ASSERT_TRUE(rt_ref_equal(found.ref, a.ref));
	rt_system_free(sys);
}

static void
an_actor_with_a_name_cannot_take_a_second_one(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref a = spawn_named(sys), found;

	CU_ASSERT_EQUAL(reg_Named_register(a, "first"), 0);
	CU_ASSERT_EQUAL(reg_Named_register(a, "second"), RT_EEXIST);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "second", &found), RT_ENOENT);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "first", &found), 0);
	rt_system_free(sys);
}

static void
whereis_of_another_kind_gives_etype_and_leaves_out_alone(void)
{
	rt_system *sys = new_system(2);
	reg_Other_ref o;
	reg_Named_ref found;
	rt_ref any;

	CU_ASSERT_EQUAL_FATAL(reg_Other_spawn(sys, NULL, &o), 0);
	CU_ASSERT_EQUAL(reg_Other_register(o, "other"), 0);
	memset(&found, 0xa5, sizeof(found));
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "other", &found), RT_ETYPE);
	CU_ASSERT_EQUAL(found.ref.gen, UINT64_C(0xa5a5a5a5a5a5a5a5));
	/* Without a class, any kind will do. */
	CU_ASSERT_EQUAL(rt_whereis(sys, "other", &any), 0);
	CU_ASSERT_TRUE(rt_ref_equal(any, o.ref));
	rt_system_free(sys);
}

static void
an_unknown_name_gives_enoent(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref n = spawn_named(sys), found;

	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "nobody", &found), RT_ENOENT);
	CU_ASSERT_EQUAL(reg_Named_register(n, "somebody"), 0);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "nobody", &found), RT_ENOENT);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "somebod", &found), RT_ENOENT);
	rt_system_free(sys);
}

static void
a_name_is_released_when_its_actor_stops(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref n = spawn_named(sys), found;

	CU_ASSERT_EQUAL(reg_Named_register(n, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_send_Quit(n, NULL), 0);
	wait_dead(n.ref);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "server", &found), RT_ENOENT);
	CU_ASSERT_EQUAL(rt_unregister(sys, "server"), RT_ENOENT);
	rt_system_free(sys);
}

static void
a_name_is_released_when_its_actor_crashes(void)
{
	rt_system *sys = new_quiet_system(2);
	reg_Named_ref n = spawn_named(sys), found;

	CU_ASSERT_EQUAL(reg_Named_register(n, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_send_Crash(n, NULL), 0);
	wait_dead(n.ref);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "server", &found), RT_ENOENT);
	rt_system_free(sys);
}

static void
another_actor_can_take_the_name_of_one_that_stopped(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref a = spawn_named(sys), b = spawn_named(sys), found;
	reg_Other_ref o;

	CU_ASSERT_EQUAL(reg_Named_register(a, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_send_Quit(a, NULL), 0);
	wait_dead(a.ref);
	CU_ASSERT_EQUAL(reg_Named_register(b, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "server", &found), 0);
	CU_ASSERT_TRUE(rt_ref_equal(found.ref, b.ref));
	/* And after b, an actor of another kind. */
	CU_ASSERT_EQUAL(reg_Named_send_Quit(b, NULL), 0);
	wait_dead(b.ref);
	CU_ASSERT_EQUAL_FATAL(reg_Other_spawn(sys, NULL, &o), 0);
	CU_ASSERT_EQUAL(reg_Other_register(o, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "server", &found), RT_ETYPE);
	rt_system_free(sys);
}

static void
unregister_frees_the_name_and_the_actor_may_take_another(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref a = spawn_named(sys), b = spawn_named(sys), found;

	CU_ASSERT_EQUAL(reg_Named_register(a, "server"), 0);
	CU_ASSERT_EQUAL(rt_unregister(sys, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "server", &found), RT_ENOENT);
	CU_ASSERT_TRUE(rt_actor_alive(a.ref));
	CU_ASSERT_EQUAL(reg_Named_register(b, "server"), 0);
	CU_ASSERT_EQUAL(reg_Named_register(a, "backup"), 0);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "server", &found), 0);
	CU_ASSERT_TRUE(rt_ref_equal(found.ref, b.ref));
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "backup", &found), 0);
	CU_ASSERT_TRUE(rt_ref_equal(found.ref, a.ref));
	rt_system_free(sys);
}

static void
unregister_of_an_unknown_name_gives_enoent(void)
{
	rt_system *sys = new_system(2);

	CU_ASSERT_EQUAL(rt_unregister(sys, "nobody"), RT_ENOENT);
	rt_system_free(sys);
}

static void
a_stopped_actor_cannot_be_registered(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref n = spawn_named(sys), found;

	CU_ASSERT_EQUAL(reg_Named_send_Quit(n, NULL), 0);
	wait_dead(n.ref);
	CU_ASSERT_EQUAL(reg_Named_register(n, "late"), RT_ENOACTOR);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "late", &found), RT_ENOENT);
	rt_system_free(sys);
}

static void
bad_arguments_give_einval(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref n = spawn_named(sys), zero, found;
	char long_name[RT_NAME_MAX + 2];
	rt_ref any;

	memset(&zero, 0, sizeof(zero));
	memset(long_name, 'x', RT_NAME_MAX + 1);
	long_name[RT_NAME_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(reg_Named_register(zero, "name"), RT_EINVAL);
	CU_ASSERT_EQUAL(reg_Named_register(n, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(reg_Named_register(n, ""), RT_EINVAL);
	CU_ASSERT_EQUAL(reg_Named_register(n, long_name), RT_EINVAL);
	CU_ASSERT_EQUAL(reg_Named_whereis(NULL, "name", &found), RT_EINVAL);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, NULL, &found), RT_EINVAL);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "name", NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, long_name, &found), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_whereis(sys, "", &any), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_unregister(NULL, "name"), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_unregister(sys, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_unregister(sys, ""), RT_EINVAL);
	/* The actor still has no name. */
	CU_ASSERT_EQUAL(reg_Named_register(n, "name"), 0);
	rt_system_free(sys);
}

static void
a_name_of_the_longest_length_is_accepted(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref n = spawn_named(sys), found;
	char name[RT_NAME_MAX + 1];

	memset(name, 'y', RT_NAME_MAX);
	name[RT_NAME_MAX] = '\0';
	CU_ASSERT_EQUAL(reg_Named_register(n, name), 0);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, name, &found), 0);
	CU_ASSERT_TRUE(rt_ref_equal(found.ref, n.ref));
	rt_system_free(sys);
}

static void
the_registry_keeps_its_own_copy_of_a_name(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref n = spawn_named(sys), found;
	char name[16];

	strcpy(name, "copied");
	CU_ASSERT_EQUAL(reg_Named_register(n, name), 0);
	strcpy(name, "changed");
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "copied", &found), 0);
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "changed", &found), RT_ENOENT);
	rt_system_free(sys);
}

static int want_starts;
static int
keeper_started(void)
{
	return rec.keeper_starts >= want_starts;
}

/*
 * A supervised child restarts in place: same ref, and so the same name. Its
 * new incarnation's on_start registers the name again, which must succeed,
 * restart after restart (past the tree's intensity of 3 in 10 s if any
 * start failed, since a failed start counts as a crash).
 */
static void
a_restarted_child_registers_its_name_again(void)
{
	rt_system *sys = new_quiet_system(2);
	reg_Keep_ref top;
	reg_Keeper_ref k, found;
	rt_stats st;
	int i;

	CU_ASSERT_EQUAL_FATAL(reg_Keep_start(sys, &top), 0);
	k = reg_Keep_keeper(top);
	want_starts = 1;
	CU_ASSERT_TRUE_FATAL(wait_until(keeper_started));
	CU_ASSERT_EQUAL(rec.keeper_rc, 0);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(reg_Keeper_send_Crash(k, NULL), 0);
		want_starts = i + 2;
		CU_ASSERT_TRUE_FATAL(wait_until(keeper_started));
		CU_ASSERT_EQUAL(rec.keeper_rc, 0);
		CU_ASSERT_EQUAL(reg_Keeper_whereis(sys, "keeper", &found), 0);
		CU_ASSERT_TRUE(rt_ref_equal(found.ref, k.ref));
	}
	CU_ASSERT_TRUE(rt_actor_alive(k.ref));
	CU_ASSERT_TRUE(rt_actor_alive(top.ref));
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.restarts, 3);
	/* Another actor still cannot take it, and the child cannot take a
	 * second name. */
	CU_ASSERT_EQUAL(rt_register(spawn_named(sys).ref, "keeper"), RT_EEXIST);
	CU_ASSERT_EQUAL(reg_Keeper_register(k, "other"), RT_EEXIST);
	/* Stopped for good, it gives the name back. */
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(reg_Keeper_whereis(sys, "keeper", &found), RT_ENOENT);
	rt_system_free(sys);
}

static void
an_actor_can_register_itself_from_a_handler(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref n = spawn_named(sys), found;

	CU_ASSERT_EQUAL(reg_Named_send_Claim(n, &(reg_Claim){ .name = "me" }),
	    0);
	CU_ASSERT_TRUE_FATAL(wait_until(claims_one));
	CU_ASSERT_EQUAL(rec.claim_rc, 0);
	CU_ASSERT_TRUE(rt_ref_equal(rec.claimer, n.ref));
	CU_ASSERT_EQUAL(reg_Named_whereis(sys, "me", &found), 0);
	CU_ASSERT_TRUE(rt_ref_equal(found.ref, n.ref));
	rt_system_free(sys);
}

static void
registering_while_the_system_shuts_down_gives_eshutdown(void)
{
	rt_system *sys = new_system(2);
	reg_Named_ref n = spawn_named(sys);

	/* Hold its handler, so the actor outlives the start of shutdown. */
	CU_ASSERT_EQUAL(reg_Named_send_Hold(n, NULL), 0);
	CU_ASSERT_TRUE_FATAL(wait_until(holding_one));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_MS(10)), RT_ETIMEDOUT);
	CU_ASSERT_TRUE(rt_actor_alive(n.ref));
	CU_ASSERT_EQUAL(reg_Named_register(n, "late"), RT_ESHUTDOWN);
	RECORD(rec.released = 1);
	rt_system_free(sys);
}

static void
names_still_held_are_freed_with_the_system(void)
{
	rt_system *sys = new_system(2);
	char name[32];
	unsigned i;

	/* Run under ASan or valgrind, this test fails on a leak. */
	for (i = 0; i < 100; i++) {
		reg_Named_ref n = spawn_named(sys);

		snprintf(name, sizeof(name), "held-%u", i);
		CU_ASSERT_EQUAL(reg_Named_register(n, name), 0);
	}
	rt_system_free(sys);
}

static void
many_names_can_be_registered_and_found(void)
{
	enum { N = 3000 };
	rt_system *sys = new_system(2);
	static reg_Named_ref refs[N];
	char name[32];
	unsigned i;

	/* Enough to grow the table several times. */
	for (i = 0; i < N; i++) {
		refs[i] = spawn_named(sys);
		snprintf(name, sizeof(name), "actor-%u", i);
		CU_ASSERT_EQUAL(reg_Named_register(refs[i], name), 0);
	}
	for (i = 0; i < N; i++) {
		reg_Named_ref found;

		snprintf(name, sizeof(name), "actor-%u", i);
		CU_ASSERT_EQUAL(reg_Named_whereis(sys, name, &found), 0);
		CU_ASSERT_TRUE(rt_ref_equal(found.ref, refs[i].ref));
	}
	/* Unregister every other one; the rest stop. */
	for (i = 0; i < N; i += 2) {
		snprintf(name, sizeof(name), "actor-%u", i);
		CU_ASSERT_EQUAL(rt_unregister(sys, name), 0);
	}
	for (i = 1; i < N; i += 2)
		CU_ASSERT_EQUAL(reg_Named_send_Quit(refs[i], NULL), 0);
	for (i = 1; i < N; i += 2)
		wait_dead(refs[i].ref);
	for (i = 0; i < N; i++) {
		reg_Named_ref found;

		snprintf(name, sizeof(name), "actor-%u", i);
		CU_ASSERT_EQUAL(reg_Named_whereis(sys, name, &found),
		    RT_ENOENT);
	}
	rt_system_free(sys);
}

/* --- lookups racing with registrations and stops ------------------------- */

#define RACE_WRITERS 2
#define RACE_READERS 2
#define RACE_SEEKERS 2
#define RACE_ROUNDS 4000

struct race {
	rt_system *sys;
	unsigned done; /* atomic: writers finished */
};

struct racer {
	struct race *race;
	unsigned id;
};

/*
 * A writer: over and over, spawn an actor of either kind, try to give it
 * one of the shared names, then unregister it, stop it, or crash it.
 */
static void *
race_writer(void *arg)
{
	struct racer *me = arg;
	struct race *r = me->race;
	unsigned i, seed = me->id * 7919u + 1;

	for (i = 0; i < RACE_ROUNDS; i++) {
		const char *name;
		rt_ref ref;
		int rc;

		seed = seed * 1103515245u + 12345u;
		name = race_names[(seed >> 16) % RACE_NAMES];
		if ((seed >> 8) & 1) {
			reg_Named_ref n;

			if (reg_Named_spawn(r->sys, NULL, &n) != 0)
				continue;
			ref = n.ref;
			rc = reg_Named_register(n, name);
		} else {
			reg_Other_ref o;

			if (reg_Other_spawn(r->sys, NULL, &o) != 0)
				continue;
			ref = o.ref;
			rc = reg_Other_register(o, name);
		}
		if (rc != 0 && rc != RT_EEXIST)
			ADD(&race_bad, 1);
		if (rc == 0 && ((seed >> 10) & 3) == 0) {
			rc = rt_unregister(r->sys, name);
			/* Another writer cannot have taken it: ours lives. */
			if (rc != 0)
				ADD(&race_bad, 1);
		}
		/* Quit and Ping are the same message to both kinds. */
		if (((seed >> 12) & 3) == 0 && (seed >> 8) & 1)
			rc = reg_Named_send_Crash((reg_Named_ref){ ref }, NULL);
		else if ((seed >> 8) & 1)
			rc = reg_Named_send_Quit((reg_Named_ref){ ref }, NULL);
		else
			rc = reg_Other_send_Quit((reg_Other_ref){ ref }, NULL);
		if (rc != 0)
			ADD(&race_bad, 1);
		/* Now and then, let the stop happen before going on. */
		if (((seed >> 14) & 7) == 0)
			wait_dead(ref);
	}
	ADD(&r->done, 1);
	return NULL;
}

static void *
race_reader(void *arg)
{
	struct racer *me = arg;
	struct race *r = me->race;

	while (LOAD(&r->done) < RACE_WRITERS) {
		unsigned bad = look_up_race_names(r->sys);

		if (bad != 0)
			ADD(&race_bad, bad);
	}
	return NULL;
}

static int
finds_all(void)
{
	return rec.finds >= RACE_SEEKERS * 20;
}

static void
lookups_race_with_registrations_and_stops(void)
{
	rt_system *sys = new_quiet_system(2);
	struct race race = { .sys = sys };
	struct racer r[RACE_WRITERS + RACE_READERS];
	pthread_t t[RACE_WRITERS + RACE_READERS];
	reg_Seeker_ref seekers[RACE_SEEKERS];
	unsigned i, j;

	STORE(&race_bad, 0);
	for (i = 0; i < RACE_NAMES; i++)
		snprintf(race_names[i], sizeof(race_names[i]), "race-%u", i);
	for (i = 0; i < RACE_SEEKERS; i++)
		CU_ASSERT_EQUAL_FATAL(reg_Seeker_spawn(sys, NULL, &seekers[i]),
		    0);
	for (i = 0; i < RACE_WRITERS + RACE_READERS; i++) {
		r[i].race = &race;
		r[i].id = i;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL,
					  i < RACE_WRITERS ? race_writer :
							     race_reader,
					  &r[i]),
		    0);
	}
	/* Lookups from the workers too, while the threads run. */
	for (j = 0; j < 20; j++)
		for (i = 0; i < RACE_SEEKERS; i++)
			CU_ASSERT_EQUAL(reg_Seeker_send_Find(seekers[i],
					    &(reg_Find){ .rounds = 50 }),
			    0);
	for (i = 0; i < RACE_WRITERS + RACE_READERS; i++)
		pthread_join(t[i], NULL);
	CU_ASSERT_TRUE(wait_until(finds_all));
	for (i = 0; i < RACE_SEEKERS; i++)
		CU_ASSERT_EQUAL(reg_Seeker_send_Quit(seekers[i], NULL), 0);
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_EQUAL(LOAD(&race_bad), 0);
	/* Every actor has stopped: no name is left. */
	for (i = 0; i < RACE_NAMES; i++) {
		rt_ref any;

		CU_ASSERT_EQUAL(rt_whereis(sys, race_names[i], &any),
		    RT_ENOENT);
		CU_ASSERT_EQUAL(rt_unregister(sys, race_names[i]), RT_ENOENT);
	}
	rt_system_free(sys);
}

static CU_TestInfo registry_tests[] = {
	{ "whereis finds a registered actor",
	    whereis_finds_a_registered_actor },
	{ "a name taken by a live actor gives RT_EEXIST",
	    a_name_taken_by_a_live_actor_gives_eexist },
	{ "an actor with a name cannot take a second one",
	    an_actor_with_a_name_cannot_take_a_second_one },
	{ "whereis of another kind gives RT_ETYPE and leaves out alone",
	    whereis_of_another_kind_gives_etype_and_leaves_out_alone },
	{ "an unknown name gives RT_ENOENT", an_unknown_name_gives_enoent },
	{ "a name is released when its actor stops",
	    a_name_is_released_when_its_actor_stops },
	{ "a name is released when its actor crashes",
	    a_name_is_released_when_its_actor_crashes },
	{ "another actor can take the name of one that stopped",
	    another_actor_can_take_the_name_of_one_that_stopped },
	{ "unregister frees the name and the actor may take another",
	    unregister_frees_the_name_and_the_actor_may_take_another },
	{ "unregister of an unknown name gives RT_ENOENT",
	    unregister_of_an_unknown_name_gives_enoent },
	{ "a stopped actor cannot be registered",
	    a_stopped_actor_cannot_be_registered },
	{ "bad arguments give RT_EINVAL", bad_arguments_give_einval },
	{ "a name of the longest length is accepted",
	    a_name_of_the_longest_length_is_accepted },
	{ "the registry keeps its own copy of a name",
	    the_registry_keeps_its_own_copy_of_a_name },
	{ "an actor can register itself from a handler",
	    an_actor_can_register_itself_from_a_handler },
	{ "a restarted child registers its name again",
	    a_restarted_child_registers_its_name_again },
	{ "registering while the system shuts down gives RT_ESHUTDOWN",
	    registering_while_the_system_shuts_down_gives_eshutdown },
	{ "names still held are freed with the system",
	    names_still_held_are_freed_with_the_system },
	{ "many names can be registered and found",
	    many_names_can_be_registered_and_found },
	{ "lookups race with registrations and stops",
	    lookups_race_with_registrations_and_stops },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "registry", NULL, NULL, NULL, NULL, registry_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
