/* SPDX-License-Identifier: MIT */
/*
 * State machines (`states`, `accept M in ...`, P_A_become) and the stash
 * (rt_stash, rt_unstash_all), through the generated API of
 * tests/rtp/states.rtp, on the deterministic test kit: the order in which
 * postponed and stashed messages are handled, their places in a bounded
 * mailbox, and what becomes of them when the actor stops or restarts.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rt/test.h>

#include "cutest.h"
#include "states.rtp.h"

#define MAX_LOG 64

/* Entries of the log: what was handled, and its id. */
#define LOG_A(id) (1000u + (id))
#define LOG_B(id) (2000u + (id))
#define LOG_GO(to) (3000u + (to))
#define LOG_REQ(id) (4000u + (id))
#define LOG_REP(id) (5000u + (id))
#define LOG_RELEASE 6000u

static struct {
	unsigned n;
	uint32_t log[MAX_LOG];
	unsigned dead;               /* dead letters ... */
	unsigned dead_stashed;       /* ... of cause RT_DEAD_STASHED */
	char dead_names[MAX_LOG][8]; /* their message names, in order */
	unsigned starts;             /* on_start of Fsm */
	int start_stash,
	    start_unstash; /* what they said in Stasher's on_start */
	int rep_status;
	int release_send; /* what a send from Release's handler said */
	unsigned crashes; /* crash reports logged */
	unsigned as, bs;  /* A and B handled by an Fsm */
	unsigned wrong;   /* Fsm handlers that found the wrong state (the
	                     handlers do not assert: CUnit is not for
	                     worker threads) */
} rec;

static void
logv(uint32_t v)
{
	if (rec.n < MAX_LOG)
		rec.log[rec.n] = v;
	rec.n++;
}

static void
on_dead(void *user, const rt_dead_letter *dl)
{
	(void)user;
	if (rec.dead < MAX_LOG)
		snprintf(rec.dead_names[rec.dead], sizeof(rec.dead_names[0]),
		    "%s", dl->message != NULL ? dl->message : "?");
	rec.dead++;
	if (dl->cause == RT_DEAD_STASHED)
		rec.dead_stashed++;
}

/* Crash reports: counted, not printed. */
static void
on_log(void *user, rt_log_level level, const char *line)
{
	(void)user;
	(void)level;
	if (strstr(line, "crashed") != NULL)
		rec.crashes++;
}

static rt_system *
test_system(void)
{
	rt_config cfg;
	rt_system *sys;

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	cfg.dead_letter = on_dead;
	cfg.log = on_log;
	sys = rt_test_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	return sys;
}

/* The log holds exactly want[0..n). */
static void
check_log(const uint32_t *want, unsigned n)
{
	unsigned i;

	CU_ASSERT_EQUAL(rec.n, n);
	for (i = 0; i < n && i < rec.n; i++) {
		if (rec.log[i] != want[i])
			fprintf(stderr, "log[%u] = %u, want %u\n", i,
			    rec.log[i], want[i]);
		CU_ASSERT_EQUAL(rec.log[i], want[i]);
	}
}

/* Once the system is quiet, every message sent was handled or is dead. */
static void
check_conserved(rt_system *sys)
{
	rt_stats s;

	CU_ASSERT_EQUAL(rec.wrong, 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &s), 0);
	CU_ASSERT_EQUAL(s.sent, s.handled + s.dead_letters);
}

/* --- handlers ------------------------------------------------------------ */

static st_Fsm_state_t
fsm_state(uint32_t n)
{
	switch (n) {
	case 1:
		return st_Fsm_ONE;
	case 2:
		return st_Fsm_TWO;
	case 3:
		return st_Fsm_BOTH;
	default:
		return st_Fsm_IDLE;
	}
}

int
st_Fsm_on_start(st_Fsm *self, rt_ctx *ctx, const st_Fsm_args *args)
{
	(void)args;
	(void)ctx;
	rec.starts++;
	/* Every incarnation starts in the first state. */
	if (st_Fsm_current(self) != st_Fsm_IDLE)
		rec.wrong++;
	return 0;
}

int
st_Fsm_on_A(st_Fsm *self, rt_ctx *ctx, const st_A *msg)
{
	(void)ctx;
	if (st_Fsm_current(self) != st_Fsm_ONE &&
	    st_Fsm_current(self) != st_Fsm_BOTH)
		rec.wrong++;
	logv(LOG_A(msg->id));
	rec.as++;
	return 0;
}

int
st_Fsm_on_B(st_Fsm *self, rt_ctx *ctx, const st_B *msg)
{
	(void)ctx;
	if (st_Fsm_current(self) != st_Fsm_TWO &&
	    st_Fsm_current(self) != st_Fsm_BOTH)
		rec.wrong++;
	logv(LOG_B(msg->id));
	rec.bs++;
	return 0;
}

int
st_Fsm_on_Go(st_Fsm *self, rt_ctx *ctx, const st_Go *msg)
{
	logv(LOG_GO(msg->to));
	st_Fsm_become(ctx, fsm_state(msg->to));
	if (st_Fsm_current(self) != fsm_state(msg->to))
		rec.wrong++;
	return 0;
}

int
st_Fsm_on_Quit(st_Fsm *self, rt_ctx *ctx, const st_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
st_Fsm_on_Crash(st_Fsm *self, rt_ctx *ctx, const st_Crash *msg)
{
	(void)self;
	(void)ctx;
	(void)msg;
	return -1000;
}

int
st_Fsm_on_Req(st_Fsm *self, rt_ctx *ctx, const st_Req *req, st_Rep *reply)
{
	(void)self;
	(void)ctx;
	logv(LOG_REQ(req->id));
	reply->id = req->id * 10;
	return 0;
}

int
st_Small_on_A(st_Small *self, rt_ctx *ctx, const st_A *msg)
{
	(void)self;
	(void)ctx;
	logv(LOG_A(msg->id));
	return 0;
}

int
st_Small_on_Go(st_Small *self, rt_ctx *ctx, const st_Go *msg)
{
	(void)self;
	logv(LOG_GO(msg->to));
	st_Small_become(ctx, msg->to ? st_Small_OPEN : st_Small_CLOSED);
	return 0;
}

int
st_Small_on_Quit(st_Small *self, rt_ctx *ctx, const st_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
st_Stasher_on_start(st_Stasher *self, rt_ctx *ctx, const st_Stasher_args *a)
{
	(void)self;
	(void)a;
	/* No message in hand. */
	rec.start_stash = rt_stash(ctx);
	rec.start_unstash = rt_unstash_all(ctx);
	return 0;
}

int
st_Stasher_on_A(st_Stasher *self, rt_ctx *ctx, const st_A *msg)
{
	if (self->holding) {
		CU_ASSERT_EQUAL(rt_stash(ctx), 0);
		/* Twice is the same as once. */
		CU_ASSERT_EQUAL(rt_stash(ctx), 0);
		return 0;
	}
	logv(LOG_A(msg->id));
	return 0;
}

int
st_Stasher_on_Hold(st_Stasher *self, rt_ctx *ctx, const st_Hold *msg)
{
	(void)ctx;
	(void)msg;
	self->holding = true;
	return 0;
}

int
st_Stasher_on_Release(st_Stasher *self, rt_ctx *ctx, const st_Release *msg)
{
	(void)msg;
	self->holding = false;
	logv(LOG_RELEASE);
	CU_ASSERT_EQUAL(rt_unstash_all(ctx), 0);
	/* Sent now: after the stashed ones, and after what was queued. */
	rec.release_send = st_Stasher_send_A(st_Stasher_self(ctx),
	    &(st_A){ .id = 99 });
	return 0;
}

int
st_Stasher_on_Req(st_Stasher *self, rt_ctx *ctx, const st_Req *req,
    st_Rep *reply)
{
	if (self->holding) {
		/* Its reply is not sent now: it is answered later. */
		reply->id = 666;
		CU_ASSERT_EQUAL(rt_stash(ctx), 0);
		return 0;
	}
	logv(LOG_REQ(req->id));
	reply->id = req->id * 10;
	return 0;
}

int
st_Asker_on_Start(st_Asker *self, rt_ctx *ctx, const st_Start *msg)
{
	(void)self;
	CU_ASSERT(st_Fsm_ask_Req(ctx, msg->server, &(st_Req){ .id = msg->id },
		      RT_SEC(1)) > 0);
	return 0;
}

int
st_Asker_on_StartS(st_Asker *self, rt_ctx *ctx, const st_StartS *msg)
{
	(void)self;
	CU_ASSERT(st_Stasher_ask_Req(ctx, msg->server,
		      &(st_Req){ .id = msg->id }, RT_SEC(1)) > 0);
	return 0;
}

int
st_Asker_on_Req_reply(st_Asker *self, rt_ctx *ctx, rt_corr id, int status,
    const st_Rep *reply)
{
	(void)self;
	(void)ctx;
	(void)id;
	rec.rep_status = status;
	if (status == 0)
		logv(LOG_REP(reply->id));
	return 0;
}

/* --- postpone ------------------------------------------------------------ */

static void
send_a(st_Fsm_ref f, uint32_t id)
{
	CU_ASSERT_EQUAL(st_Fsm_send_A(f, &(st_A){ .id = id }), 0);
}

static void
send_b(st_Fsm_ref f, uint32_t id)
{
	CU_ASSERT_EQUAL(st_Fsm_send_B(f, &(st_B){ .id = id }), 0);
}

static void
send_go(st_Fsm_ref f, uint32_t to)
{
	CU_ASSERT_EQUAL(st_Fsm_send_Go(f, &(st_Go){ .to = to }), 0);
}

static void
postponed_messages_wait_for_their_state_in_order(void)
{
	rt_system *sys = test_system();
	st_Fsm_ref f;
	/* idle postpones A1, B2, A3; one takes A1, A3, A4 and postpones B2
	 * again, then B5, behind it; two takes B2 and B5, postpones A6;
	 * both takes A6. */
	static const uint32_t want[] = { LOG_GO(1), LOG_A(1), LOG_A(3),
		LOG_A(4), LOG_GO(2), LOG_B(2), LOG_B(5), LOG_GO(3), LOG_A(6) };

	CU_ASSERT_EQUAL_FATAL(st_Fsm_spawn(sys, NULL, &f), 0);
	send_a(f, 1);
	send_b(f, 2);
	send_a(f, 3);
	send_go(f, 1);
	send_a(f, 4);
	send_b(f, 5);
	send_go(f, 2);
	send_a(f, 6);
	send_go(f, 3);
	rt_test_run(sys);
	check_log(want, sizeof(want) / sizeof(*want));
	/* Each handled once, postponed or not. */
	CU_ASSERT_EQUAL(rt_test_handled(sys, f.ref, "A"), 4);
	CU_ASSERT_EQUAL(rt_test_handled(sys, f.ref, "B"), 2);
	CU_ASSERT_EQUAL(rt_test_handled(sys, f.ref, "Go"), 3);
	CU_ASSERT_EQUAL(rec.dead, 0);
	check_conserved(sys);
	rt_system_free(sys);
}

static void
postponed_messages_are_retried_at_each_change_of_state(void)
{
	rt_system *sys = test_system();
	rt_actor_stats s;
	st_Fsm_ref f;
	/* A1 and B2 wait through idle; one lets A1 through and B2 waits
	 * again; back to idle, then two lets B2 through, and A7 (sent
	 * meanwhile) waits; both lets it through. */
	static const uint32_t want1[] = { LOG_GO(0) };
	static const uint32_t want2[] = { LOG_GO(0), LOG_GO(1), LOG_A(1),
		LOG_GO(0), LOG_GO(2), LOG_B(2), LOG_GO(3), LOG_A(7) };

	CU_ASSERT_EQUAL_FATAL(st_Fsm_spawn(sys, NULL, &f), 0);
	send_a(f, 1);
	send_b(f, 2);
	/* Becoming the state it is in retries nothing. */
	send_go(f, 0);
	rt_test_run(sys);
	check_log(want1, 1);
	CU_ASSERT_EQUAL(rt_stats_actor(f.ref, &s), 0);
	CU_ASSERT_EQUAL(s.depth, 2);
	CU_ASSERT_EQUAL(s.received, 3);
	CU_ASSERT_EQUAL(s.handled, 1);
	send_go(f, 1);
	send_go(f, 0);
	send_go(f, 2);
	send_a(f, 7);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rt_stats_actor(f.ref, &s), 0);
	CU_ASSERT_EQUAL(s.depth, 1);
	send_go(f, 3);
	rt_test_run(sys);
	check_log(want2, sizeof(want2) / sizeof(*want2));
	CU_ASSERT_EQUAL(rt_stats_actor(f.ref, &s), 0);
	CU_ASSERT_EQUAL(s.depth, 0);
	CU_ASSERT_EQUAL(s.handled, 8);
	CU_ASSERT_EQUAL(s.received, 8);
	check_conserved(sys);
	rt_system_free(sys);
}

static void
postponed_messages_hold_their_places_in_a_bounded_mailbox(void)
{
	rt_system *sys = test_system();
	st_Small_ref sm;
	rt_actor_stats s;
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(st_Small_spawn(sys, NULL, &sm), 0);
	for (i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(st_Small_send_A(sm, &(st_A){ .id = i }), 0);
	rt_test_run(sys);
	/* Postponed (closed): none handled, all three places taken. */
	CU_ASSERT_EQUAL(rec.n, 0);
	CU_ASSERT_EQUAL(rt_stats_actor(sm.ref, &s), 0);
	CU_ASSERT_EQUAL(s.depth, 3);
	CU_ASSERT_EQUAL(st_Small_send_Go(sm, &(st_Go){ .to = 0 }), 0);
	/* The fourth place is the Go's: the mailbox refuses the next. */
	CU_ASSERT_EQUAL(st_Small_send_A(sm, &(st_A){ .id = 4 }), RT_EFULL);
	rt_test_run(sys);
	/* Go closed is no change: the three wait on, with their places. */
	CU_ASSERT_EQUAL(rt_stats_actor(sm.ref, &s), 0);
	CU_ASSERT_EQUAL(s.depth, 3);
	CU_ASSERT_EQUAL(st_Small_send_Go(sm, &(st_Go){ .to = 1 }), 0);
	CU_ASSERT_EQUAL(st_Small_send_A(sm, &(st_A){ .id = 5 }), RT_EFULL);
	rt_test_run(sys);
	/* Open: the three are handled and their places are free again. */
	{
		static const uint32_t want[] = { LOG_GO(0), LOG_GO(1), LOG_A(1),
			LOG_A(2), LOG_A(3) };

		check_log(want, sizeof(want) / sizeof(*want));
	}
	CU_ASSERT_EQUAL(rt_stats_actor(sm.ref, &s), 0);
	CU_ASSERT_EQUAL(s.depth, 0);
	for (i = 6; i <= 9; i++)
		CU_ASSERT_EQUAL(st_Small_send_A(sm, &(st_A){ .id = i }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.n, 9);
	CU_ASSERT_EQUAL(rec.dead, 0);
	check_conserved(sys);
	rt_system_free(sys);
}

static void
postponed_messages_are_dead_letters_when_the_actor_stops(void)
{
	rt_system *sys = test_system();
	st_Small_ref sm;
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(st_Small_spawn(sys, NULL, &sm), 0);
	for (i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(st_Small_send_A(sm, &(st_A){ .id = i }), 0);
	CU_ASSERT_EQUAL(st_Small_send_Quit(sm, NULL), 0);
	rt_test_run(sys);
	CU_ASSERT_FALSE(rt_actor_alive(sm.ref));
	CU_ASSERT_EQUAL(rec.n, 0);
	CU_ASSERT_EQUAL(rec.dead, 3);
	CU_ASSERT_EQUAL(rec.dead_stashed, 3);
	CU_ASSERT_STRING_EQUAL(rec.dead_names[0], "A");
	CU_ASSERT_STRING_EQUAL(rec.dead_names[2], "A");
	check_conserved(sys);
	rt_system_free(sys);
}

static void
postponed_messages_are_dead_letters_at_shutdown(void)
{
	rt_system *sys = test_system();
	st_Fsm_ref f;

	CU_ASSERT_EQUAL_FATAL(st_Fsm_spawn(sys, NULL, &f), 0);
	send_a(f, 1);
	send_b(f, 2);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rt_system_shutdown(sys, RT_SEC(1)), 0);
	CU_ASSERT_EQUAL(rec.dead_stashed, 2);
	CU_ASSERT_EQUAL(rec.dead, 2);
	check_conserved(sys);
	rt_system_free(sys);
}

static void
a_restart_drops_the_postponed_messages(void)
{
	rt_system *sys = test_system();
	st_Sup_ref sup;
	st_Fsm_ref f;
	static const uint32_t want[] = { LOG_GO(1), LOG_A(3) };

	CU_ASSERT_EQUAL_FATAL(st_Sup_start(sys, &sup), 0);
	rt_test_run(sys);
	f = st_Sup_f(sup);
	CU_ASSERT_EQUAL(rec.starts, 1);
	send_a(f, 1);
	send_a(f, 2);
	CU_ASSERT_EQUAL(st_Fsm_send_Crash(f, NULL), 0);
	rt_test_run(sys);
	/* Restarted in place, in its first state, with nothing kept. */
	CU_ASSERT_EQUAL(rec.crashes, 1);
	CU_ASSERT_EQUAL(rec.starts, 2);
	CU_ASSERT_EQUAL(rec.dead_stashed, 2);
	CU_ASSERT_STRING_EQUAL(rec.dead_names[0], "A");
	CU_ASSERT_TRUE(rt_actor_alive(f.ref));
	send_go(f, 1);
	send_a(f, 3);
	rt_test_run(sys);
	check_log(want, sizeof(want) / sizeof(*want));
	check_conserved(sys);
	rt_system_free(sys);
}

static void
a_postponed_request_is_answered_in_its_state(void)
{
	rt_system *sys = test_system();
	st_Asker_ref a;
	st_Fsm_ref f;
	static const uint32_t want[] = { LOG_GO(2), LOG_REQ(7), LOG_REP(70) };

	CU_ASSERT_EQUAL_FATAL(st_Fsm_spawn(sys, NULL, &f), 0);
	CU_ASSERT_EQUAL_FATAL(st_Asker_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL(st_Asker_send_Start(a,
			    &(st_Start){ .server = f, .id = 7 }),
	    0);
	rt_test_run(sys);
	/* Postponed: no answer yet. */
	CU_ASSERT_EQUAL(rec.n, 0);
	send_go(f, 2);
	rt_test_run(sys);
	check_log(want, sizeof(want) / sizeof(*want));
	CU_ASSERT_EQUAL(rec.rep_status, 0);
	check_conserved(sys);
	rt_system_free(sys);
}

/* --- stash ---------------------------------------------------------------- */

static void
unstashed_messages_come_before_those_that_arrived_meanwhile(void)
{
	rt_system *sys = test_system();
	st_Stasher_ref s;
	/* A1 and A2 stashed; A3 arrived before the Release was handled,
	 * A99 while it ran. */
	static const uint32_t want[] = { LOG_RELEASE, LOG_A(1), LOG_A(2),
		LOG_A(3), LOG_A(99) };
	rt_actor_stats as;

	CU_ASSERT_EQUAL_FATAL(st_Stasher_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL(st_Stasher_send_Hold(s, NULL), 0);
	CU_ASSERT_EQUAL(st_Stasher_send_A(s, &(st_A){ .id = 1 }), 0);
	CU_ASSERT_EQUAL(st_Stasher_send_A(s, &(st_A){ .id = 2 }), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.n, 0);
	CU_ASSERT_EQUAL(rt_stats_actor(s.ref, &as), 0);
	CU_ASSERT_EQUAL(as.depth, 2);
	CU_ASSERT_EQUAL(as.handled, 1);
	CU_ASSERT_EQUAL(st_Stasher_send_Release(s, NULL), 0);
	CU_ASSERT_EQUAL(st_Stasher_send_A(s, &(st_A){ .id = 3 }), 0);
	rt_test_run(sys);
	check_log(want, sizeof(want) / sizeof(*want));
	CU_ASSERT_EQUAL(rec.release_send, 0);
	CU_ASSERT_EQUAL(rt_test_handled(sys, s.ref, "A"), 4);
	CU_ASSERT_EQUAL(rt_stats_actor(s.ref, &as), 0);
	CU_ASSERT_EQUAL(as.depth, 0);
	CU_ASSERT_EQUAL(as.handled, 6);
	check_conserved(sys);
	rt_system_free(sys);
}

static void
stash_outside_a_message_handler_is_refused(void)
{
	rt_system *sys = test_system();
	st_Stasher_ref s;

	CU_ASSERT_EQUAL(rt_stash(NULL), RT_EINVAL);
	CU_ASSERT_EQUAL(rt_unstash_all(NULL), RT_EINVAL);
	CU_ASSERT_EQUAL_FATAL(st_Stasher_spawn(sys, NULL, &s), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.start_stash, RT_EINVAL);
	CU_ASSERT_EQUAL(rec.start_unstash, RT_EINVAL);
	rt_system_free(sys);
}

static void
a_stashed_request_is_answered_when_handled_again(void)
{
	rt_system *sys = test_system();
	st_Stasher_ref s;
	st_Asker_ref a;
	/* The reply its handler filled while it stashed (666) was never
	 * sent; Release's own A99 comes after the request. */
	static const uint32_t want[] = { LOG_RELEASE, LOG_REQ(4) };

	CU_ASSERT_EQUAL_FATAL(st_Stasher_spawn(sys, NULL, &s), 0);
	CU_ASSERT_EQUAL_FATAL(st_Asker_spawn(sys, NULL, &a), 0);
	CU_ASSERT_EQUAL(st_Stasher_send_Hold(s, NULL), 0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(st_Asker_send_StartS(a,
			    &(st_StartS){ .server = s, .id = 4 }),
	    0);
	rt_test_run(sys);
	CU_ASSERT_EQUAL(rec.n, 0);
	CU_ASSERT_EQUAL(st_Stasher_send_Release(s, NULL), 0);
	rt_test_run(sys);
	/* The answer and A99 are two actors' doings: either may come
	 * first. */
	CU_ASSERT_EQUAL(rec.n, 4);
	CU_ASSERT_EQUAL(rec.log[0], want[0]);
	CU_ASSERT_EQUAL(rec.log[1], want[1]);
	CU_ASSERT((rec.log[2] == LOG_REP(40) && rec.log[3] == LOG_A(99)) ||
	    (rec.log[2] == LOG_A(99) && rec.log[3] == LOG_REP(40)));
	CU_ASSERT_EQUAL(rec.rep_status, 0);
	check_conserved(sys);
	rt_system_free(sys);
}

/* --- with worker threads --------------------------------------------------- */

#define PER_SENDER 2000

struct sender {
	st_Fsm_ref f;
	unsigned which; /* 0, 1: A and B; 2: changes of state */
};

static void *
send_all(void *arg)
{
	const struct sender *sd = arg;
	uint32_t i;

	for (i = 0; i < PER_SENDER; i++) {
		if (sd->which == 2)
			st_Fsm_send_Go(sd->f, &(st_Go){ .to = i % 3 });
		else if (sd->which == 0)
			st_Fsm_send_A(sd->f, &(st_A){ .id = i });
		else
			st_Fsm_send_B(sd->f, &(st_B){ .id = i });
	}
	return NULL;
}

static void
postponing_on_worker_threads_loses_nothing(void)
{
	struct sender sd[3];
	pthread_t t[3];
	rt_config cfg;
	rt_system *sys;
	rt_stats st;
	st_Fsm_ref f;
	unsigned i;

	memset(&rec, 0, sizeof(rec));
	rt_config_init(&cfg);
	cfg.workers = 2;
	cfg.dead_letter = on_dead;
	sys = rt_system_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sys);
	CU_ASSERT_EQUAL_FATAL(st_Fsm_spawn(sys, NULL, &f), 0);
	/* A and B arrive while the state changes under them: each waits
	 * for one of its states, on a worker, while the senders push. */
	for (i = 0; i < 3; i++) {
		sd[i].f = f;
		sd[i].which = i;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, send_all,
					  &sd[i]),
		    0);
	}
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	/* Everything is in before this: `both` lets every one through
	 * before the Quit behind it. */
	CU_ASSERT_EQUAL(st_Fsm_send_Go(f, &(st_Go){ .to = 3 }), 0);
	CU_ASSERT_EQUAL(st_Fsm_send_Quit(f, NULL), 0);
	CU_ASSERT_EQUAL(rt_system_wait(sys), 0);
	CU_ASSERT_EQUAL(rec.wrong, 0);
	CU_ASSERT_EQUAL(rec.as, PER_SENDER);
	CU_ASSERT_EQUAL(rec.bs, PER_SENDER);
	CU_ASSERT_EQUAL(rec.dead, 0);
	CU_ASSERT_EQUAL(rt_stats_system(sys, &st), 0);
	CU_ASSERT_EQUAL(st.sent, st.handled + st.dead_letters);
	CU_ASSERT_EQUAL(st.handled, 3 * PER_SENDER + 2);
	rt_system_free(sys);
}

int
main(int argc, char **argv)
{
	CU_TestInfo postpone[] = {
		{ "postponed messages wait for their state in order",
		    postponed_messages_wait_for_their_state_in_order },
		{ "postponed messages are retried at each change of state",
		    postponed_messages_are_retried_at_each_change_of_state },
		{ "postponed messages hold their places in a bounded mailbox",
		    postponed_messages_hold_their_places_in_a_bounded_mailbox },
		{ "postponed messages are dead letters when the actor stops",
		    postponed_messages_are_dead_letters_when_the_actor_stops },
		{ "postponed messages are dead letters at shutdown",
		    postponed_messages_are_dead_letters_at_shutdown },
		{ "a restart drops the postponed messages",
		    a_restart_drops_the_postponed_messages },
		{ "a postponed request is answered in its state",
		    a_postponed_request_is_answered_in_its_state },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo stash[] = {
		{ "unstashed messages come before those that arrived meanwhile",
		    unstashed_messages_come_before_those_that_arrived_meanwhile },
		{ "stash outside a message handler is refused",
		    stash_outside_a_message_handler_is_refused },
		{ "a stashed request is answered when handled again",
		    a_stashed_request_is_answered_when_handled_again },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo threads[] = {
		{ "postponing on worker threads loses nothing",
		    postponing_on_worker_threads_loses_nothing },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "postpone", NULL, NULL, NULL, NULL, postpone },
		{ "stash", NULL, NULL, NULL, NULL, stash },
		{ "threads", NULL, NULL, NULL, NULL, threads },
		CU_SUITE_INFO_NULL,
	};

	return cutest_run(suites, argc, argv);
}
