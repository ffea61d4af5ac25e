/* SPDX-License-Identifier: MIT */
/*
 * Managing actors and supervisors through the public and generated API, on
 * test systems (rt/test.h), so that every expectation is exact: rt_exit
 * (Erlang's exit/2) trapped and not, RT_NORMAL and RT_KILL, and a
 * supervisor's P_S_terminate_child, P_S_restart_child and
 * P_S_which_children, from the test's thread and from an actor.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rt/test.h>

#include "cutest.h"
#include "manage.rtp.h"

/* What happened, as one string: "start 0,work 0:1,stop 0:-9,...". */
static struct {
	char ev[4096];
	unsigned dead;
	char log[4096];
} rec;

/* Set while workers may stop actors at once (shutdown): ev() records
 * nothing. Atomic. */
static int quiet;

static void
ev(const char *fmt, ...)
{
	size_t n = strlen(rec.ev);
	va_list ap;

	if (__atomic_load_n(&quiet, __ATOMIC_RELAXED))
		return;
	if (n > 0 && n + 1 < sizeof(rec.ev))
		rec.ev[n++] = ',';
	va_start(ap, fmt);
	vsnprintf(rec.ev + n, sizeof(rec.ev) - n, fmt, ap);
	va_end(ap);
}

static void
on_dead(void *user, const rt_dead_letter *dl)
{
	(void)user;
	(void)dl;
	rec.dead++;
}

static void
on_log(void *user, rt_log_level level, const char *line)
{
	size_t n = strlen(rec.log);

	(void)user;
	(void)level;
	snprintf(rec.log + n, sizeof(rec.log) - n, "%s\n", line);
}

static rt_system *
new_system(void)
{
	rt_config cfg;

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	cfg.dead_letter = on_dead;
	cfg.log = on_log;
	return rt_test_system_new(&cfg);
}

/* --- the actors ----------------------------------------------------------- */

static rt_ref boss;          /* the Boss, to name it in a down */
static unsigned fail_starts; /* the next on_starts of Workers fail */

int
manage_Worker_on_start(manage_Worker *self, rt_ctx *ctx,
    const manage_Worker_args *a)
{
	(void)ctx;
	self->id = a->id;
	ev("start %u", a->id);
	if (fail_starts > 0) {
		fail_starts--;
		return 7;
	}
	return 0;
}

void
manage_Worker_on_stop(manage_Worker *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	ev("stop %u:%d", self->id, reason);
}

int
manage_Worker_on_Work(manage_Worker *self, rt_ctx *ctx, const manage_Work *m)
{
	(void)ctx;
	ev("work %u:%u", self->id, m->n);
	return 0;
}

int
manage_Worker_on_Trap(manage_Worker *self, rt_ctx *ctx, const manage_Trap *m)
{
	(void)self;
	return rt_trap_exits(ctx, m->yes);
}

int
manage_Worker_on_down(manage_Worker *self, rt_ctx *ctx, rt_ref who, int reason)
{
	(void)ctx;
	ev("down %u:%s:%d", self->id,
	    rt_ref_is_null(who)         ? "thread" :
		rt_ref_equal(who, boss) ? "boss" :
					  "other",
	    reason);
	return 0;
}

/* The Boss's targets and what its calls returned. */
static rt_ref victim;
static manage_Team_ref boss_team;
static int boss_rc;

int
manage_Boss_on_Kill(manage_Boss *self, rt_ctx *ctx, const manage_Kill *m)
{
	(void)self;
	(void)ctx;
	boss_rc = rt_exit(victim, m->reason);
	return 0;
}

int
manage_Boss_on_Fire(manage_Boss *self, rt_ctx *ctx, const manage_Fire *m)
{
	(void)self;
	(void)ctx;
	boss_rc = m->restart ? manage_Team_restart_child(boss_team, victim) :
			       manage_Team_terminate_child(boss_team, victim);
	return 0;
}

/* An unsupervised worker with id `id`, trapping exits or not. */
static manage_Worker_ref
worker(rt_system *sys, uint32_t id, bool trap)
{
	manage_Worker_args a = { id };
	manage_Worker_ref w;

	CU_ASSERT_EQUAL_FATAL(manage_Worker_spawn(sys, &a, &w), 0);
	if (trap)
		CU_ASSERT_EQUAL(manage_Worker_send_Trap(w,
				    &(manage_Trap){ true }),
		    0);
	rt_test_run(sys);
	return w;
}

static void
work(manage_Worker_ref w, uint32_t n)
{
	CU_ASSERT_EQUAL(manage_Worker_send_Work(w, &(manage_Work){ n }), 0);
}

/* --- rt_exit --------------------------------------------------------------- */

static void
test_exit_trapped_is_a_down_with_the_reason(void)
{
	rt_system *sys = new_system();
	manage_Worker_ref w = worker(sys, 0, true);

	CU_ASSERT_EQUAL(rt_exit(w.ref, 42), 0);
	rt_test_run(sys);
	CU_ASSERT_STRING_EQUAL(rec.ev, "start 0,down 0:thread:42");
	CU_ASSERT_TRUE(rt_actor_alive(w.ref));
	/* A normal exit signal is delivered too when trapped. */
	CU_ASSERT_EQUAL(rt_exit(w.ref, RT_NORMAL), 0);
	rt_test_run(sys);
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,down 0:thread:42,down 0:thread:0");
	CU_ASSERT_TRUE(rt_actor_alive(w.ref));
	rt_system_free(sys);
}

static void
test_exit_trapped_keeps_its_place_among_messages(void)
{
	rt_system *sys = new_system();
	manage_Worker_ref w = worker(sys, 0, true);

	work(w, 1);
	work(w, 2);
	CU_ASSERT_EQUAL(rt_exit(w.ref, 5), 0);
	work(w, 3);
	rt_test_run(sys);
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,work 0:1,work 0:2,down 0:thread:5,work 0:3");
	rt_system_free(sys);
}

static void
test_exit_untrapped_stops_ahead_of_queued_messages(void)
{
	rt_system *sys = new_system();
	manage_Worker_ref w = worker(sys, 0, false);

	work(w, 1);
	work(w, 2);
	CU_ASSERT_EQUAL(rt_exit(w.ref, 42), 0);
	rt_test_run(sys);
	/* Neither message is handled: both are dead letters. */
	CU_ASSERT_STRING_EQUAL(rec.ev, "start 0,stop 0:42");
	CU_ASSERT_EQUAL(rec.dead, 2);
	CU_ASSERT_FALSE(rt_actor_alive(w.ref));
	CU_ASSERT_EQUAL(rt_exit(w.ref, 42), RT_ENOACTOR);
	CU_ASSERT_EQUAL(manage_Worker_send_Work(w, &(manage_Work){ 3 }),
	    RT_ENOACTOR);
	rt_system_free(sys);
}

static void
test_exit_normal_is_ignored_unless_trapped(void)
{
	rt_system *sys = new_system();
	manage_Worker_ref w = worker(sys, 0, false);

	CU_ASSERT_EQUAL(rt_exit(w.ref, RT_NORMAL), 0);
	work(w, 1);
	rt_test_run(sys);
	CU_ASSERT_STRING_EQUAL(rec.ev, "start 0,work 0:1");
	CU_ASSERT_TRUE(rt_actor_alive(w.ref));
	rt_system_free(sys);
}

static void
test_kill_stops_even_a_trapping_actor(void)
{
	rt_system *sys = new_system();
	manage_Worker_ref w = worker(sys, 0, true);
	char want[64];

	work(w, 1);
	CU_ASSERT_EQUAL(rt_exit(w.ref, RT_KILL), 0);
	rt_test_run(sys);
	snprintf(want, sizeof(want), "start 0,stop 0:%d", RT_KILL);
	CU_ASSERT_STRING_EQUAL(rec.ev, want);
	CU_ASSERT_FALSE(rt_actor_alive(w.ref));
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_STRING_EQUAL(rt_strerror(RT_KILL), "killed");
	rt_system_free(sys);
}

static void
test_exit_from_an_actor_names_it(void)
{
	rt_system *sys = new_system();
	manage_Worker_ref watcher = worker(sys, 1, true);
	manage_Boss_ref b;
	char want[128];

	/* The trapped signal names the Boss; its kill is not trapped. */
	CU_ASSERT_EQUAL_FATAL(manage_Boss_spawn(sys, NULL, &b), 0);
	boss = b.ref;
	victim = watcher.ref;
	CU_ASSERT_EQUAL(manage_Boss_send_Kill(b, &(manage_Kill){ 3 }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(boss_rc, 0);
	CU_ASSERT_STRING_EQUAL(rec.ev, "start 1,down 1:boss:3");
	CU_ASSERT_EQUAL(manage_Boss_send_Kill(b, &(manage_Kill){ RT_KILL }), 0);
	rt_test_run(sys);
	snprintf(want, sizeof(want), "start 1,down 1:boss:3,stop 1:%d",
	    RT_KILL);
	CU_ASSERT_STRING_EQUAL(rec.ev, want);
	/* The Boss's next signal finds it gone. */
	CU_ASSERT_EQUAL(manage_Boss_send_Kill(b, &(manage_Kill){ 3 }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(boss_rc, RT_ENOACTOR);
	rt_system_free(sys);
}

static void
test_exit_bad_refs(void)
{
	rt_system *sys = new_system();
	rt_ref zero = { NULL, 0 };

	CU_ASSERT_EQUAL(rt_exit(zero, 1), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_exit(zero, RT_KILL), RT_EINVAL);
	rt_system_free(sys);
}

/* --- supervised children --------------------------------------------------- */

/* which_children of Team, as "name kind running restarts;..." */
static const char *
team_children(manage_Team_ref t)
{
	static char buf[256];
	rt_child_info kids[4];
	size_t len = 0;
	int i, n;

	memset(kids, 0, sizeof(kids));
	n = manage_Team_which_children(t, kids, 4);
	buf[0] = '\0';
	for (i = 0; i < n && i < 4; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "%s%s %s %d %u", i > 0 ? ";" : "", kids[i].name,
		    kids[i].kind, kids[i].running, kids[i].restarts);
	return buf;
}

static void
test_a_child_stopped_by_exit_is_restarted_and_counted(void)
{
	rt_system *sys = new_system();
	manage_Team_ref t;
	manage_Worker_ref a, b;
	char want[256];

	CU_ASSERT_EQUAL_FATAL(manage_Team_start(sys, &t), 0);
	a = manage_Team_a(t);
	b = manage_Team_b(t);
	CU_ASSERT_STRING_EQUAL(rec.ev, "start 0,start 1,start 2");
	CU_ASSERT_EQUAL(rt_exit(a.ref, 9), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rt_exit(a.ref, RT_KILL), 0);
	rt_test_run(sys);
	/* A normal exit signal is ignored: b is not stopped, nor
	 * restarted. */
	CU_ASSERT_EQUAL(rt_exit(b.ref, RT_NORMAL), 0);
	rt_test_run(sys);
	snprintf(want, sizeof(want),
	    "start 0,start 1,start 2,stop 0:9,start 0,stop 0:%d,start 0",
	    RT_KILL);
	CU_ASSERT_STRING_EQUAL(rec.ev, want);
	/* The same ref, restarted twice. */
	CU_ASSERT_TRUE(rt_ref_equal(manage_Team_a(t).ref, a.ref));
	CU_ASSERT_STRING_EQUAL(team_children(t),
	    "a manage.Worker 1 2;b manage.Worker 1 0;c manage.Worker 1 0");
	rt_system_free(sys);
}

static void
test_exits_beyond_intensity_make_the_supervisor_give_up(void)
{
	rt_system *sys = new_system();
	manage_Fragile_ref f;
	manage_Worker_ref a;

	CU_ASSERT_EQUAL_FATAL(manage_Fragile_start(sys, &f), 0);
	a = manage_Fragile_a(f);
	CU_ASSERT_EQUAL(rt_exit(a.ref, 9), 0);
	rt_test_run(sys);
	CU_ASSERT_TRUE(rt_actor_alive(f.ref));
	CU_ASSERT_EQUAL(rt_exit(a.ref, 9), 0);
	rt_test_run(sys);
	CU_ASSERT_STRING_EQUAL(rec.ev, "start 0,stop 0:9,start 0,stop 0:9");
	CU_ASSERT_FALSE(rt_actor_alive(f.ref));
	CU_ASSERT_FALSE(rt_actor_alive(a.ref));
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.log, "gives up"));
	rt_system_free(sys);
}

static void
test_exit_to_a_supervisor_stops_its_tree(void)
{
	rt_system *sys = new_system();
	manage_Team_ref t;

	CU_ASSERT_EQUAL_FATAL(manage_Team_start(sys, &t), 0);
	CU_ASSERT_EQUAL(rt_exit(t.ref, RT_NORMAL), 0);
	rt_test_run(sys);
	CU_ASSERT_TRUE(rt_actor_alive(t.ref));
	CU_ASSERT_EQUAL(rt_exit(t.ref, 11), 0);
	rt_test_run(sys);
	/* Children in reverse order, as a stop does. */
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,start 1,start 2,stop 2:-9,stop 1:-9,stop 0:-9");
	CU_ASSERT_EQUAL(RT_ESHUTDOWN, -9);
	CU_ASSERT_FALSE(rt_actor_alive(t.ref));
	rt_system_free(sys);
}

/* --- which_children, terminate_child, restart_child ------------------------ */

static void
test_which_children_counts_and_fills_at_most_n(void)
{
	rt_system *sys = new_system();
	manage_Outer_ref o;
	rt_child_info kids[2];
	manage_Worker_ref lone;
	manage_Team_ref team;

	CU_ASSERT_EQUAL_FATAL(manage_Outer_start(sys, &o), 0);
	lone = manage_Outer_lone(o);
	team = manage_Outer_team(o);
	memset(kids, 0, sizeof(kids));
	/* Two children; room for one: it says two and fills one. */
	CU_ASSERT_EQUAL(manage_Outer_which_children(o, kids, 1), 2);
	CU_ASSERT_TRUE(rt_ref_equal(kids[0].ref, lone.ref));
	CU_ASSERT_PTR_NULL(kids[1].name);
	CU_ASSERT_EQUAL(manage_Outer_which_children(o, NULL, 0), 2);
	CU_ASSERT_EQUAL(manage_Outer_which_children(o, kids, 2), 2);
	CU_ASSERT_STRING_EQUAL(kids[0].name, "lone");
	CU_ASSERT_STRING_EQUAL(kids[0].kind, "manage.Worker");
	CU_ASSERT_TRUE(rt_ref_equal(kids[1].ref, team.ref));
	CU_ASSERT_STRING_EQUAL(kids[1].name, "team");
	CU_ASSERT_STRING_EQUAL(kids[1].kind, "rt.supervisor");
	CU_ASSERT_EQUAL(kids[1].running, 1);
	CU_ASSERT_EQUAL(kids[1].restarts, 0);
	/* A child supervisor that gives up is restarted, and counted. */
	CU_ASSERT_EQUAL(rt_exit(team.ref, 11), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(manage_Outer_which_children(o, kids, 2), 2);
	CU_ASSERT_EQUAL(kids[1].running, 1);
	CU_ASSERT_EQUAL(kids[1].restarts, 1);
	CU_ASSERT_EQUAL(kids[0].restarts, 0);
	rt_system_free(sys);
}

static void
test_terminate_keeps_a_child_down_until_restart(void)
{
	rt_system *sys = new_system();
	manage_Team_ref t;
	manage_Worker_ref a;

	CU_ASSERT_EQUAL_FATAL(manage_Team_start(sys, &t), 0);
	a = manage_Team_a(t);
	work(a, 1);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(manage_Team_terminate_child(t, a.ref), 0);
	/* The call returns once the child has stopped. */
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,start 1,start 2,work 0:1,stop 0:-9");
	CU_ASSERT_STRING_EQUAL(team_children(t),
	    "a manage.Worker 0 0;b manage.Worker 1 0;c manage.Worker 1 0");
	/* Terminated, a permanent child stays down: time passes, its
	 * mailbox keeps what comes for its next incarnation. */
	work(a, 2);
	rt_test_advance(sys, RT_SEC(10));
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,start 1,start 2,work 0:1,stop 0:-9");
	CU_ASSERT_TRUE(rt_actor_alive(a.ref));
	/* Terminating it again does nothing. */
	CU_ASSERT_EQUAL(manage_Team_terminate_child(t, a.ref), 0);
	CU_ASSERT_EQUAL(manage_Team_restart_child(t, a.ref), 0);
	rt_test_run(sys);
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,start 1,start 2,work 0:1,stop 0:-9,start 0,work 0:2");
	CU_ASSERT_TRUE(rt_ref_equal(manage_Team_a(t).ref, a.ref));
	CU_ASSERT_STRING_EQUAL(team_children(t),
	    "a manage.Worker 1 1;b manage.Worker 1 0;c manage.Worker 1 0");
	CU_ASSERT_EQUAL(manage_Team_restart_child(t, a.ref), RT_EBUSY);
	/* Restarted, it is supervised again. */
	CU_ASSERT_EQUAL(rt_exit(a.ref, 9), 0);
	rt_test_run(sys);
	CU_ASSERT_STRING_EQUAL(team_children(t),
	    "a manage.Worker 1 2;b manage.Worker 1 0;c manage.Worker 1 0");
	CU_ASSERT_EQUAL(rec.dead, 0);
	rt_system_free(sys);
}

static void
test_restart_whose_start_fails_is_a_crash(void)
{
	rt_system *sys = new_system();
	manage_Team_ref t;
	manage_Worker_ref b;

	CU_ASSERT_EQUAL_FATAL(manage_Team_start(sys, &t), 0);
	b = manage_Team_b(t);
	CU_ASSERT_EQUAL(manage_Team_terminate_child(t, b.ref), 0);
	fail_starts = 1;
	CU_ASSERT_EQUAL(manage_Team_restart_child(t, b.ref), RT_ESTART);
	rt_test_run(sys);
	/* Restarted again by its policy (transient, abnormal exit). */
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,start 1,start 2,stop 1:-9,start 1,start 1");
	CU_ASSERT_STRING_EQUAL(team_children(t),
	    "a manage.Worker 1 0;b manage.Worker 1 2;c manage.Worker 1 0");
	rt_system_free(sys);
}

static void
test_terminate_removes_a_simple_one_for_one_child(void)
{
	rt_system *sys = new_system();
	manage_Gang_ref g;
	manage_Worker_ref w1, w2;
	rt_child_info kids[3];

	CU_ASSERT_EQUAL_FATAL(manage_Gang_start(sys, &g), 0);
	CU_ASSERT_EQUAL(manage_Gang_start_child(g, &(manage_Worker_args){ 1 },
			    &w1),
	    0);
	CU_ASSERT_EQUAL(manage_Gang_start_child(g, &(manage_Worker_args){ 2 },
			    &w2),
	    0);
	CU_ASSERT_EQUAL(manage_Gang_which_children(g, kids, 3), 2);
	CU_ASSERT_EQUAL(manage_Gang_terminate_child(g, w1.ref), 0);
	CU_ASSERT_STRING_EQUAL(rec.ev, "start 1,start 2,stop 1:-9");
	CU_ASSERT_FALSE(rt_actor_alive(w1.ref));
	memset(kids, 0, sizeof(kids));
	CU_ASSERT_EQUAL(manage_Gang_which_children(g, kids, 3), 1);
	CU_ASSERT_TRUE(rt_ref_equal(kids[0].ref, w2.ref));
	CU_ASSERT_STRING_EQUAL(kids[0].name, "w");
	CU_ASSERT_EQUAL(kids[0].running, 1);
	/* Gone: neither a child nor restartable. */
	CU_ASSERT_EQUAL(manage_Gang_terminate_child(g, w1.ref), RT_ENOENT);
	CU_ASSERT_EQUAL(manage_Gang_restart_child(g, w2.ref), RT_EINVAL);
	rt_system_free(sys);
}

static void
test_terminate_and_restart_from_an_actor(void)
{
	rt_system *sys = new_system();
	manage_Boss_ref b;
	manage_Team_ref t;

	CU_ASSERT_EQUAL_FATAL(manage_Team_start(sys, &t), 0);
	CU_ASSERT_EQUAL_FATAL(manage_Boss_spawn(sys, NULL, &b), 0);
	boss_team = t;
	victim = manage_Team_c(t).ref;
	CU_ASSERT_EQUAL(manage_Boss_send_Fire(b, &(manage_Fire){ false }), 0);
	rt_test_run(sys);
	/* It returned at once; the supervisor did it in its turn. */
	CU_ASSERT_EQUAL(boss_rc, 0);
	CU_ASSERT_STRING_EQUAL(rec.ev, "start 0,start 1,start 2,stop 2:-9");
	CU_ASSERT_STRING_EQUAL(team_children(t),
	    "a manage.Worker 1 0;b manage.Worker 1 0;c manage.Worker 0 0");
	CU_ASSERT_EQUAL(manage_Boss_send_Fire(b, &(manage_Fire){ true }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(boss_rc, 0);
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,start 1,start 2,stop 2:-9,start 2");
	/* What the table shows is answered to an actor at once. */
	CU_ASSERT_EQUAL(manage_Boss_send_Fire(b, &(manage_Fire){ true }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(boss_rc, RT_EBUSY);
	victim = b.ref;
	CU_ASSERT_EQUAL(manage_Boss_send_Fire(b, &(manage_Fire){ false }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(boss_rc, RT_ENOENT);
	rt_system_free(sys);
}

/* On worker threads: the calls of a plain thread wait for the answers. */
static void
test_terminate_and_restart_from_a_plain_thread(void)
{
	rt_system *sys;
	manage_Team_ref t;
	manage_Worker_ref a;
	rt_config cfg;

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.dead_letter = on_dead;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(manage_Team_start(sys, &t), 0);
	a = manage_Team_a(t);
	CU_ASSERT_EQUAL(manage_Team_terminate_child(t, a.ref), 0);
	CU_ASSERT_STRING_EQUAL(team_children(t),
	    "a manage.Worker 0 0;b manage.Worker 1 0;c manage.Worker 1 0");
	CU_ASSERT_EQUAL(manage_Team_restart_child(t, a.ref), 0);
	CU_ASSERT_STRING_EQUAL(team_children(t),
	    "a manage.Worker 1 1;b manage.Worker 1 0;c manage.Worker 1 0");
	CU_ASSERT_EQUAL(manage_Team_restart_child(t, a.ref), RT_EBUSY);
	/* One thing at a time so far, each call waiting for the last. */
	CU_ASSERT_STRING_EQUAL(rec.ev,
	    "start 0,start 1,start 2,stop 0:-9,start 0");
	__atomic_store_n(&quiet, 1, __ATOMIC_RELAXED);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(10)), 0);
	rt_system_free(sys);
	__atomic_store_n(&quiet, 0, __ATOMIC_RELAXED);
}

static void
test_management_bad_inputs(void)
{
	rt_system *sys = new_system();
	manage_Team_ref t, dead;
	manage_Worker_ref stranger = worker(sys, 5, false);
	manage_Fragile_ref f;
	rt_ref zero = { NULL, 0 };
	rt_child_info info;

	CU_ASSERT_EQUAL_FATAL(manage_Team_start(sys, &t), 0);
	CU_ASSERT_EQUAL(manage_Team_terminate_child(t, stranger.ref),
	    RT_ENOENT);
	CU_ASSERT_EQUAL(manage_Team_restart_child(t, stranger.ref), RT_ENOENT);
	CU_ASSERT_EQUAL(manage_Team_terminate_child(t, zero), RT_EINVAL);
	CU_ASSERT_EQUAL(manage_Team_terminate_child(t, t.ref), RT_ENOENT);
	CU_ASSERT_EQUAL(manage_Team_which_children(t, NULL, 1), RT_EINVAL);
	/* Not a supervisor. */
	CU_ASSERT_EQUAL(rt_sup_terminate_child(stranger.ref,
			    manage_Team_a(t).ref),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_sup_which_children(stranger.ref, &info, 1),
	    RT_EINVAL);
	CU_ASSERT_EQUAL(rt_sup_which_children(zero, &info, 1), RT_EINVAL);
	/* A supervisor that is gone. */
	CU_ASSERT_EQUAL_FATAL(manage_Fragile_start(sys, &f), 0);
	dead.ref = f.ref;
	CU_ASSERT_EQUAL(rt_exit(f.ref, RT_KILL), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(manage_Team_which_children(dead, &info, 1),
	    RT_ENOACTOR);
	CU_ASSERT_EQUAL(manage_Team_terminate_child(dead, stranger.ref),
	    RT_ENOACTOR);
	CU_ASSERT_EQUAL(manage_Team_restart_child(dead, stranger.ref),
	    RT_ENOACTOR);
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo exits[] = {
		{ "exit trapped is a down with the reason",
		    test_exit_trapped_is_a_down_with_the_reason },
		{ "exit trapped keeps its place among messages",
		    test_exit_trapped_keeps_its_place_among_messages },
		{ "exit untrapped stops ahead of queued messages",
		    test_exit_untrapped_stops_ahead_of_queued_messages },
		{ "exit normal is ignored unless trapped",
		    test_exit_normal_is_ignored_unless_trapped },
		{ "kill stops even a trapping actor",
		    test_kill_stops_even_a_trapping_actor },
		{ "exit from an actor names it, kill cannot be trapped",
		    test_exit_from_an_actor_names_it },
		{ "exit bad refs", test_exit_bad_refs },
		{ "a child stopped by exit is restarted and counted",
		    test_a_child_stopped_by_exit_is_restarted_and_counted },
		{ "exits beyond intensity make the supervisor give up",
		    test_exits_beyond_intensity_make_the_supervisor_give_up },
		{ "exit to a supervisor stops its tree",
		    test_exit_to_a_supervisor_stops_its_tree },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo children[] = {
		{ "which_children counts and fills at most n",
		    test_which_children_counts_and_fills_at_most_n },
		{ "terminate keeps a child down until restart",
		    test_terminate_keeps_a_child_down_until_restart },
		{ "restart whose start fails is a crash",
		    test_restart_whose_start_fails_is_a_crash },
		{ "terminate removes a simple_one_for_one child",
		    test_terminate_removes_a_simple_one_for_one_child },
		{ "terminate and restart from an actor",
		    test_terminate_and_restart_from_an_actor },
		{ "terminate and restart from a plain thread",
		    test_terminate_and_restart_from_a_plain_thread },
		{ "management bad inputs", test_management_bad_inputs },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "exit signals", NULL, NULL, NULL, NULL, exits },
		{ "managing children", NULL, NULL, NULL, NULL, children },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
