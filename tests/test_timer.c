/* SPDX-License-Identifier: MIT */
/*
 * Timers (P_A_send_M_after, P_A_send_M_every, rt_timer_cancel) and the
 * deterministic test kit (rt/test.h), through the generated API of
 * tests/rtp/timer.rtp. Every test but the last two runs on a test system's
 * virtual clock, so none of them sleeps.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rt/test.h>

#include "cutest.h"
#include "timer.rtp.h"

#define WAIT_LIMIT_SEC 20
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
#include "record.h"

#define MAX_LOG 64

/* What the handlers saw. Test systems run on the test's thread; the two
 * real-time tests wait for `ticks` under the record's mutex. */
static struct {
	unsigned n;
	uint32_t log[MAX_LOG];   /* Tick.n in order */
	rt_duration at[MAX_LOG]; /* rt_test_now() when handled */
	char note[MAX_LOG][16];  /* Note.text in order */
	unsigned notes;
	int64_t ask_run; /* what rt_test_run said in a handler */
	unsigned dead;
	rt_dead_cause cause;
	rt_system *sys;
	rt_timer self_timer; /* a timer a handler cancels */
	unsigned cancel_at;  /* ... after this many ticks */
	int cancel_rc;
	unsigned ticks; /* real-time tests (under mu) */
} rec;

static void
reset(void)
{
	memset(&rec, 0, sizeof(rec));
}

static void
on_dead(void *user, const rt_dead_letter *dl)
{
	(void)user;
	rec.dead++;
	rec.cause = dl->cause;
}

static rt_system *
test_system(void)
{
	rt_config cfg;

	reset();
	rt_config_init(&cfg);
	cfg.dead_letter = on_dead;
	rec.sys = rt_test_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec.sys);
	return rec.sys;
}

/* --- handlers ------------------------------------------------------------ */

int
tm_Clock_on_Tick(tm_Clock *self, rt_ctx *ctx, const tm_Tick *msg)
{
	(void)ctx;
	if (rec.n < MAX_LOG) {
		rec.log[rec.n] = msg->n;
		rec.at[rec.n] = rt_test_now(rec.sys);
	}
	rec.n++;
	RECORD(rec.ticks++);
	self->count++;
	if (rec.cancel_at != 0 && self->count == rec.cancel_at)
		rec.cancel_rc = rt_timer_cancel(rec.self_timer);
	return 0;
}

int
tm_Clock_on_Note(tm_Clock *self, rt_ctx *ctx, const tm_Note *msg)
{
	(void)self;
	(void)ctx;
	if (rec.notes < MAX_LOG)
		snprintf(rec.note[rec.notes], sizeof(rec.note[0]), "%s/%u",
		    msg->text != NULL ? msg->text : "(null)", msg->n);
	rec.notes++;
	return 0;
}

int
tm_Clock_on_Arm(tm_Clock *self, rt_ctx *ctx, const tm_Arm *msg)
{
	tm_Clock_ref me = tm_Clock_self(ctx);
	tm_Tick t = { msg->n };

	(void)self;
	return tm_Clock_send_Tick_after(me, &t, RT_MS(msg->delay_ms), NULL);
}

int
tm_Clock_on_Ask(tm_Clock *self, rt_ctx *ctx, const tm_Ask *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	rec.ask_run = rt_test_run(rec.sys);
	return 0;
}

int
tm_Clock_on_Quit(tm_Clock *self, rt_ctx *ctx, const tm_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
tm_Clock_on_Hand(tm_Clock *self, rt_ctx *ctx, const tm_Hand *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return 0;
}

int
tm_Three_on_Tick(tm_Three *self, rt_ctx *ctx, const tm_Tick *msg)
{
	(void)msg;
	if (++self->count == 3)
		rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
tm_Small_on_Tick(tm_Small *self, rt_ctx *ctx, const tm_Tick *msg)
{
	(void)self;
	(void)ctx;
	rec.log[rec.n++ % MAX_LOG] = msg->n;
	return 0;
}

int
tm_Picky_on_Tick(tm_Picky *self, rt_ctx *ctx, const tm_Tick *msg)
{
	(void)self;
	(void)ctx;
	rec.log[rec.n++ % MAX_LOG] = msg->n;
	return 0;
}

/* Every message accounted for once the system is quiet. */
static void
assert_balanced(rt_system *sys)
{
	rt_stats st;

	CU_ASSERT_EQUAL_FATAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
}

/* --- the test kit -------------------------------------------------------- */

static void
test_kit_runs_only_when_asked(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Tick t = { 7 };

	CU_ASSERT_EQUAL(rt_system_workers(sys), 0);
	CU_ASSERT_EQUAL(rt_test_now(sys), 0);
	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick(c, &t), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick(c, &t), 0);
	/* Nothing runs by itself. */
	CU_ASSERT_EQUAL(rec.n, 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 2);
	CU_ASSERT_EQUAL(rec.n, 2);
	CU_ASSERT_EQUAL(rt_test_run(sys), 0);
	CU_ASSERT_EQUAL(rt_test_handled(sys, c.ref, "Tick"), 2);
	CU_ASSERT_EQUAL(rt_test_handled(sys, c.ref, "Note"), 0);
	CU_ASSERT_EQUAL(rt_test_handled(sys, c.ref, NULL), 2);
	CU_ASSERT_EQUAL(rt_test_handled(sys, c.ref, "Nonesuch"), 0);
	rt_system_free(sys);
}

static void
test_kit_bad_calls(void)
{
	rt_system *sys = test_system(), *real;
	rt_ref zero = { NULL, 0 };
	tm_Clock_ref c;

	CU_ASSERT_EQUAL(rt_test_run(NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_test_advance(NULL, 1), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_test_advance(sys, -1), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_test_now(NULL), -1);
	CU_ASSERT_EQUAL(rt_test_handled(sys, zero, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_test_handled(NULL, zero, NULL), RT_EINVAL);
	real = rt_system_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(real);
	CU_ASSERT_EQUAL(rt_test_run(real), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_test_advance(real, 1), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_test_now(real), -1);
	rt_system_free(real);
	/* From inside a handler: refused, it would run itself. */
	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Ask(c, NULL), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.ask_run, RT_EDEADLK);
	rt_system_free(sys);
}

static void
test_kit_wait_runs_to_the_end(void)
{
	rt_system *sys = test_system();
	tm_Three_ref t;
	tm_Tick tick = { 1 };
	rt_timer tm;

	CU_ASSERT_EQUAL(tm_Three_spawn(sys, NULL, &t), 0);
	CU_ASSERT_EQUAL(tm_Three_send_Tick_every(t, &tick, RT_SEC(1), &tm), 0);
	/* rt_system_wait follows the timers until the actor stops. */
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_SEC(3));
	CU_ASSERT_FALSE(rt_actor_alive(t.ref));
	CU_ASSERT_EQUAL(rt_test_handled(sys, t.ref, "Tick"), 3);
	/* The next firing found it stopped: a dead letter, the last. */
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(10)), 1);
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(rec.cause, RT_DEAD_STOPPED);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rt_timer_cancel(tm), RT_ENOENT);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_kit_wait_reports_a_stall(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	/* Alive, idle, no timer: nothing can ever stop it. */
	CU_ASSERT_EQUAL(rt_system_wait(sys), RT_EDEADLK);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_FALSE(rt_actor_alive(c.ref));
	rt_system_free(sys);
}

/* --- one-shot timers ----------------------------------------------------- */

static void
test_after_fires_on_time(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Tick t = { 42 };
	rt_timer tm;

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, RT_MS(5), &tm), 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_US(4999)), 0);
	CU_ASSERT_EQUAL(rec.n, 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_US(1)), 1);
	CU_ASSERT_EQUAL(rec.n, 1);
	CU_ASSERT_EQUAL(rec.log[0], 42);
	CU_ASSERT_EQUAL(rec.at[0], RT_MS(5));
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_MS(5));
	/* Fired: it cannot be cancelled, and never fires again. */
	CU_ASSERT_EQUAL(rt_timer_cancel(tm), RT_ENOENT);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(5)), 0);
	CU_ASSERT_EQUAL(rec.n, 1);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_after_is_never_early(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Tick t = { 1 };

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	/* Off a tick boundary: fires at the next tick, not before. */
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_US(300)), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, RT_US(1500), NULL), 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_US(1699)), 0);
	CU_ASSERT_EQUAL(rec.n, 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(1)), 1);
	CU_ASSERT_EQUAL(rec.n, 1);
	CU_ASSERT(rec.at[0] >= RT_US(1800));
	CU_ASSERT(rec.at[0] <= RT_US(1800) + RT_MS(1));
	/* A zero delay fires at the next tick. */
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, 0, NULL), 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(1)), 1);
	CU_ASSERT_EQUAL(rec.n, 2);
	rt_system_free(sys);
}

static void
test_after_order(void)
{
	/* Two timers share each of the first three deadlines. */
	static const uint32_t order[] = { 4, 5, 2, 3, 0, 1 };
	static const rt_duration at[] = { RT_MS(10), RT_MS(10), RT_MS(20),
		RT_MS(20), RT_MS(30), RT_MS(30) };
	rt_system *sys = test_system();
	tm_Clock_ref c;
	uint32_t i;

	/* A probe of Clock's kind records the ticks, in the order they
	 * come; each expectation moves the clock to the timer that sends
	 * the tick, no further. */
	CU_ASSERT_EQUAL(tm_Clock_probe(sys, &c), 0);
	/* Started out of order. */
	for (i = 0; i < 6; i++) {
		tm_Tick t = { i };

		CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t,
				    RT_MS(30 - 10 * (i / 2)), NULL),
		    0);
	}
	/* Past a whole turn of the wheel, too. */
	{
		tm_Tick far = { 99 };

		CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &far, RT_SEC(3),
				    NULL),
		    0);
	}
	for (i = 0; i < 6; i++) {
		tm_Tick t = { order[i] };

		CU_ASSERT_EQUAL(tm_Clock_expect_Tick(c, &t, RT_SEC(2)), 0);
		CU_ASSERT_EQUAL(rt_test_now(sys), at[i]);
	}
	CU_ASSERT_EQUAL(rt_expect_nothing(c.ref, RT_MS(2900)), 0);
	CU_ASSERT_EQUAL(tm_Clock_expect_Tick(c, &(tm_Tick){ 99 }, RT_SEC(1)),
	    0);
	CU_ASSERT_EQUAL(rt_test_now(sys), RT_SEC(3));
	rt_system_free(sys);
}

static void
test_timer_started_by_a_handler(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Arm arm = { 20, 5 };

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Arm(c, &arm), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 1);
	/* The Arm was handled at 0; its timer fires within the advance. */
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(50)), 1);
	CU_ASSERT_EQUAL_FATAL(rec.n, 1);
	CU_ASSERT_EQUAL(rec.log[0], 5);
	CU_ASSERT_EQUAL(rec.at[0], RT_MS(20));
	rt_system_free(sys);
}

static void
test_cancel(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Tick t = { 1 };
	rt_timer tm, zero = { NULL, 0 };

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, RT_MS(10), &tm), 0);
	CU_ASSERT_EQUAL(rt_timer_cancel(tm), 0);
	CU_ASSERT_EQUAL(rt_timer_cancel(tm), RT_ENOENT);
	CU_ASSERT_EQUAL(rt_timer_cancel(zero), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(1)), 0);
	CU_ASSERT_EQUAL(rec.n, 0);
	/* A cancelled timer's message is not counted at all. */
	{
		rt_stats st;

		CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
		CU_ASSERT_EQUAL(st.sent, 0);
		CU_ASSERT_EQUAL(st.dead_letters, 0);
	}
	/* The record is reused: the old handle still names nothing. */
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, RT_MS(10), NULL), 0);
	CU_ASSERT_EQUAL(rt_timer_cancel(tm), RT_ENOENT);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(1)), 1);
	rt_system_free(sys);
}

static void
test_bad_arguments(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c, none = { { NULL, 0 } };
	tm_Tick t = { 1 };
	rt_stats st;

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, -1, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_every(c, &t, 0, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_every(c, &t, -5, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(none, &t, 1, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_env_send_after(NULL, 1, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_env_send_every(NULL, 1, NULL, NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(1)), 0);
	CU_ASSERT_EQUAL(rec.n, 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, 0);
	rt_system_free(sys);
}

static void
test_target_stopped(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Tick t = { 1 };

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, RT_MS(10), NULL), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Quit(c, NULL), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 1);
	CU_ASSERT_FALSE(rt_actor_alive(c.ref));
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(10)), 1);
	CU_ASSERT_EQUAL(rec.n, 0);
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(rec.cause, RT_DEAD_STOPPED);
	assert_balanced(sys);
	/* After a final stop, a new timer is refused at once. */
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, RT_MS(10), NULL),
	    RT_ENOACTOR);
	rt_system_free(sys);
}

static void
test_pending_at_shutdown(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Tick t = { 1 };
	rt_timer every;

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, RT_SEC(10), NULL), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_every(c, &t, RT_SEC(1), &every), 0);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	/* One dead letter each: nothing disappears unseen. */
	CU_ASSERT_EQUAL(rec.dead, 2);
	assert_balanced(sys);
	CU_ASSERT_EQUAL(rt_timer_cancel(every), RT_ENOENT);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, 1, NULL), RT_ESHUTDOWN);
	rt_system_free(sys);
}

/* --- periodic timers ----------------------------------------------------- */

static void
test_every(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Tick t = { 3 };
	rt_timer tm;
	unsigned i;

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_every(c, &t, RT_MS(250), &tm), 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(1)), 4);
	CU_ASSERT_EQUAL_FATAL(rec.n, 4);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(rec.log[i], 3);
		CU_ASSERT_EQUAL(rec.at[i], RT_MS(250) * (i + 1));
	}
	CU_ASSERT_EQUAL(rt_timer_cancel(tm), 0);
	CU_ASSERT_EQUAL(rt_timer_cancel(tm), RT_ENOENT);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(10)), 0);
	CU_ASSERT_EQUAL(rec.n, 4);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_every_copies_strings(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	char text[8] = "hello";
	tm_Note n = { text, 9 };

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Note_every(c, &n, RT_MS(1), NULL), 0);
	/* The caller's buffer was only borrowed. */
	memcpy(text, "XXXXX", 6);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(3)), 3);
	CU_ASSERT_EQUAL_FATAL(rec.notes, 3);
	CU_ASSERT_STRING_EQUAL(rec.note[0], "hello/9");
	CU_ASSERT_STRING_EQUAL(rec.note[2], "hello/9");
	rt_system_free(sys);
}

static void
test_every_cancelled_by_its_target(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Tick t = { 1 };

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_every(c, &t, RT_MS(10),
			    &rec.self_timer),
	    0);
	rec.cancel_at = 5;
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_SEC(1)), 5);
	CU_ASSERT_EQUAL(rec.n, 5);
	CU_ASSERT_EQUAL(rec.cancel_rc, 0);
	rt_system_free(sys);
}

/* --- bounded mailboxes ----------------------------------------------------- */

static void
test_bounded_targets(void)
{
	rt_system *sys = test_system();
	tm_Small_ref s;
	tm_Picky_ref p;
	tm_Tick t = { 1 }, timed = { 2 };
	rt_stats st;

	CU_ASSERT_EQUAL(tm_Small_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(tm_Picky_spawn(sys, NULL, &p), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 0);
	/* Fill both mailboxes (nothing runs until the test says so). */
	CU_ASSERT_EQUAL(tm_Small_send_Tick(s, &t), 0);
	CU_ASSERT_EQUAL(tm_Picky_send_Tick(p, &t), 0);
	CU_ASSERT_EQUAL(tm_Picky_send_Tick(p, &t), RT_EFULL);
	CU_ASSERT_EQUAL(tm_Small_send_Tick_after(s, &timed, 0, NULL), 0);
	CU_ASSERT_EQUAL(tm_Picky_send_Tick_after(p, &timed, 0, NULL), 0);
	/* The timers fire before the actors run. */
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(1)), 2);
	/* block: accepted past the bound; reject: a dead letter. */
	CU_ASSERT_EQUAL(rec.n, 3);
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(rec.cause, RT_DEAD_DROPPED);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.dropped, 1);
	assert_balanced(sys);
	rt_system_free(sys);
}

/* --- time-to-live on the virtual clock ------------------------------------ */

static void
test_ttl_on_virtual_time(void)
{
	rt_system *sys = test_system();
	tm_Clock_ref c;
	tm_Tick t = { 1 };
	rt_send_opts o = { .priority = RT_PRIO_NORMAL, .ttl = RT_MS(5) };
	rt_stats st;

	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(rt_test_run(sys), 0);
	/* Handled in time. */
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_opt(c, &t, &o), 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(5)), 0);
	CU_ASSERT_EQUAL(rec.n, 1);
	/* Still queued when its time is up: expired, never handled. */
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_opt(c, &t, &o), 0);
	CU_ASSERT_EQUAL(rt_test_advance(sys, RT_MS(6)), 0);
	CU_ASSERT_EQUAL(rec.n, 1);
	CU_ASSERT_EQUAL(rec.dead, 1);
	CU_ASSERT_EQUAL(rec.cause, RT_DEAD_EXPIRED);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.expired, 1);
	assert_balanced(sys);
	rt_system_free(sys);
}

/* --- the real clock --------------------------------------------------------- */

static unsigned ticks_wanted;

static int
ticks_reached(void)
{
	return rec.ticks >= ticks_wanted;
}

/* Wait (no sleeping: on the handlers' signal) for n ticks in all. */
static int
wait_ticks(unsigned n)
{
	ticks_wanted = n;
	return wait_until(ticks_reached);
}

static void
test_real_time_after_and_every(void)
{
	rt_system *sys;
	tm_Clock_ref c;
	tm_Tick t = { 1 };
	rt_timer tm;
	unsigned seen;

	reset();
	sys = rt_system_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t, RT_MS(20), NULL), 0);
	CU_ASSERT_FATAL(wait_ticks(1));
	CU_ASSERT_EQUAL(tm_Clock_send_Tick_every(c, &t, RT_MS(2), &tm), 0);
	CU_ASSERT_FATAL(wait_ticks(6));
	CU_ASSERT_EQUAL(rt_timer_cancel(tm), 0);
	/* A copy that fired just before the cancel may still be queued;
	 * after the system is quiet, no more come. */
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	seen = rec.ticks;
	CU_ASSERT(seen >= 6);
	assert_balanced(sys);
	rt_system_free(sys);
}

static void
test_real_time_many_timers(void)
{
	rt_system *sys;
	tm_Clock_ref c;
	rt_timer tm[2000];
	unsigned i, cancelled = 0;

	reset();
	sys = rt_system_new(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL(tm_Clock_spawn(sys, NULL, &c), 0);
	for (i = 0; i < 2000; i++) {
		tm_Tick t = { i };

		CU_ASSERT_EQUAL(tm_Clock_send_Tick_after(c, &t,
				    RT_MS(1 + i % 50), &tm[i]),
		    0);
	}
	for (i = 0; i < 2000; i += 3)
		if (rt_timer_cancel(tm[i]) == 0)
			cancelled++;
	CU_ASSERT_FATAL(wait_ticks(2000 - cancelled));
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_FOREVER), 0);
	CU_ASSERT_EQUAL(rec.ticks, 2000 - cancelled);
	assert_balanced(sys);
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo kit[] = {
		{ "runs only when asked", test_kit_runs_only_when_asked },
		{ "bad calls", test_kit_bad_calls },
		{ "wait runs to the end", test_kit_wait_runs_to_the_end },
		{ "wait reports a stall", test_kit_wait_reports_a_stall },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo timers[] = {
		{ "after fires on time", test_after_fires_on_time },
		{ "after is never early", test_after_is_never_early },
		{ "after order", test_after_order },
		{ "started by a handler", test_timer_started_by_a_handler },
		{ "cancel", test_cancel },
		{ "bad arguments", test_bad_arguments },
		{ "target stopped", test_target_stopped },
		{ "pending at shutdown", test_pending_at_shutdown },
		{ "every", test_every },
		{ "every copies strings", test_every_copies_strings },
		{ "every cancelled by its target",
		    test_every_cancelled_by_its_target },
		{ "bounded targets", test_bounded_targets },
		{ "ttl on virtual time", test_ttl_on_virtual_time },
		{ "real time after and every", test_real_time_after_and_every },
		{ "real time many timers", test_real_time_many_timers },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "test kit", NULL, NULL, NULL, NULL, kit },
		{ "timers", NULL, NULL, NULL, NULL, timers },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
