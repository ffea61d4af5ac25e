/* SPDX-License-Identifier: MIT */
/*
 * Supervisors, as Erlang/OTP's supervisor behaves, plus backoff.
 *
 * A supervisor is an actor of the runtime's own class. It traps exits and
 * links itself to each child, so every exit of a child reaches it as a
 * DOWN message in its mailbox, in order with the rest of what it is told:
 * a child has started (STARTED), rt_sup_start_child wants a child taken in
 * (ADOPT), one of its timers fired (TIMER), a thread or an actor wants a
 * child terminated or restarted (MANAGE), a child answers a health probe
 * (HEALTH). Everything it decides, it decides in a handler, one event at
 * a time; nothing here waits.
 *
 * Health probes (`health every T timeout U`) ride on the timer wheel: every
 * T a PROBE goes to the child, a message in order with its others, whose
 * handling calls its on_health and sends the answer back, and a deadline
 * timer is set U ahead. An answer of RT_FAILED, or the deadline first,
 * stops the child with RT_EUNHEALTHY, and its exit is then a crash like
 * any other (restart policy, intensity). A probe carries a number, so that
 * a late answer, or one for an earlier incarnation, is ignored.
 *
 * Children keep their refs across restarts: a child that exits waits in
 * its cell, mailbox and all, until the supervisor sends it RESTART or stops
 * it for good (actor.c). So a restart costs a signal and the child's
 * on_start, not a spawn.
 *
 * Sequences (start in order, stop in reverse) go one child at a time: the
 * next step is taken when the child's STARTED or exit arrives, or, for a
 * stop, when its shutdown time runs out first (the child is then reported
 * and abandoned: a running handler cannot be interrupted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor_int.h"
#include "bonds.h"
#include "cell.h"
#include "clock.h"
#include "envelope.h"
#include "log.h"
#include "park.h"
#include "pool.h"
#include "report.h"
#include "send_int.h"
#include "supervisor_int.h"
#include "system_int.h"
#include "testkit.h"
#include "timer.h"

enum kid_state {
	K_NONE,     /* not started yet */
	K_STARTING, /* started or restarted, its STARTED awaited */
	K_UP,       /* up, or restarted without awaiting its STARTED */
	K_STOPPING, /* asked to stop, its exit not yet come */
	K_DOWN,     /* exited, waiting in its cell for a restart */
	K_GONE,     /* stopped for good, or never to be restarted */
};

struct kid {
	rt_ref ref;
	uint8_t state;      /* enum kid_state */
	bool late;          /* abandoned while stopping: its exit is due */
	uint32_t fails;     /* failures in a row, for backoff */
	int64_t last_fail;  /* when the last one was */
	uint32_t timer_seq; /* timers carry it; an older one is ignored */
	rt_timer timer;
	uint64_t number; /* simple_one_for_one: N of its name */
	/* A child of rt_sup_start_child before its first start is done:
	 * who to tell how it went (a waiting thread, or an actor told
	 * only of a failure). */
	bool first;
	struct start_wait *wait;
	rt_ref asker;
	/* Terminated by rt_sup_terminate_child: not restarted until
	 * rt_sup_restart_child. */
	bool held;
	/* A thread waiting until a terminate (its exit) or a restart (its
	 * STARTED, or its exit) of this child is done, or NULL. */
	struct start_wait *mwait;
	/* Health probes. */
	uint8_t health;      /* enum rti_health: the last answer */
	bool probing;        /* a probe is out, its answer awaited */
	bool unhealthy;      /* stopped for failing one, its exit due */
	uint32_t probe_seq;  /* the last probe; its answer and deadline
	                        carry it */
	uint32_t health_seq; /* the probe timer carries it */
	rt_timer probe_timer, deadline_timer;
};

enum phase { P_STARTING, P_RUNNING, P_STOPPING };

/* A restart of several children: stop [lo, hi) in reverse, then restart
 * them in order, one at a time. */
struct group {
	bool active;
	bool starting; /* past the stopping half */
	uint32_t lo, hi, cur;
	int64_t delay; /* backoff between the halves */
};

struct rti_sup {
	const rt_sup_spec *spec;
	struct start_wait *wait;
	rt_ref self;
	const char *path;
	enum phase phase;
	struct kid *kids;
	uint32_t nkids, cap;
	uint32_t cursor; /* P_STARTING, P_STOPPING: the child in hand */
	int exit_reason; /* P_STOPPING: what the supervisor exits with */
	struct group group;
	/* When the restarts within the period happened, oldest first (a
	 * ring): more than `intensity` of them and the supervisor gives up.
	 * Constant time per restart: old ones leave from the front. */
	int64_t *times;
	uint32_t ntimes, head, tcap;
	uint64_t seed;  /* backoff jitter */
	uint32_t *free; /* simple_one_for_one: slots of gone children */
	uint32_t nfree, freecap;
};

/* What a timer is for, in the high bits of its slot. */
#define TIMER_RESTART 0u
#define TIMER_PROBE (1u << 28)
#define TIMER_DEADLINE (1u << 29)
#define TIMER_GROUP (1u << 30)
#define TIMER_SHUTDOWN (1u << 31)
#define TIMER_KINDS \
	(TIMER_PROBE | TIMER_DEADLINE | TIMER_GROUP | TIMER_SHUTDOWN)

/* --- helpers ------------------------------------------------------------- */

static int64_t
now(rt_system *sys)
{
	return rti_sys_now(sys);
}

char *
rti_sup_path(const char *parent, const char *name, uint64_t number)
{
	size_t len = strlen(parent) + strlen(name) + 24;
	char *p = malloc(len);

	if (p == NULL)
		return NULL;
	if (number != 0)
		snprintf(p, len, "%s/%s.%llu", parent, name,
		    (unsigned long long)number);
	else
		snprintf(p, len, "%s/%s", parent, name);
	return p;
}

static bool
is_abnormal(int reason)
{
	return reason != RT_NORMAL && reason != RT_ESHUTDOWN;
}

static bool
simple(const struct rti_sup *s)
{
	return s->spec->strategy == RT_SIMPLE_ONE_FOR_ONE;
}

static const rt_child_spec *
spec_of(const struct rti_sup *s, uint32_t i)
{
	return &s->spec->children[simple(s) ? 0 : i];
}

/*
 * Tell a thread waiting in rt_sup_start or rt_sup_start_child how the
 * start went, once (*wp is cleared). Only while the supervisor lives: the
 * thread stops waiting once it is gone, and its wait is on its stack.
 */
static void
tell(struct start_wait **wp, int result)
{
	struct start_wait *w = *wp;

	if (w == NULL)
		return;
	*wp = NULL;
	w->result = result;
	/* Release: the result before the word the thread waits on. */
	RT_TSAN_RELEASE(&w->state);
	ck_pr_fence_store();
	ck_pr_store_32(&w->state, 1);
	rti_futex_wake(&w->state, 1);
}

/* Tell a thread in rt_sup_start how the start went (once). */
static void
tell_waiter(struct rti_sup *s, int result)
{
	tell(&s->wait, result);
}

/*
 * The first start of child i (of rt_sup_start_child) is over: 0, or it
 * failed with `reason`. Its waiting thread learns it (RT_ESTART for a
 * failure), or the actor that asked, of a failure only, through a down
 * for the child with the failure's reason (its on_down, if it has one).
 */
static void
first_start_over(struct rti_sup *s, uint32_t i, int reason)
{
	struct kid *k = &s->kids[i];

	if (!k->first)
		return;
	k->first = false;
	tell(&k->wait, reason == 0 ? 0 : RT_ESTART);
	if (reason != 0 && !rt_ref_is_null(k->asker))
		rti_send_down(k->asker, k->ref, reason, 0, RTI_BOND_NOSTART);
	k->asker = (rt_ref){ NULL, 0 };
}

/* Set timer *t of child i: `kind` after `delay`, carrying `seq`. */
static void
arm(struct rti_sup *s, uint32_t i, uint32_t kind, int64_t delay, uint32_t seq,
    rt_timer *t)
{
	rt_env *env = rti_bond_env(s->self, RTI_ENV_SUP, s->kids[i].ref,
	    (int32_t)seq, i | kind, RTI_BOND_TIMER);

	if (env == NULL) {
		rti_log(s->self.cell->sys, RT_LOG_ERROR,
		    "supervisor %s: no memory for a timer", s->path);
		return;
	}
	if (rti_timer_start(env, delay, t) != 0)
		memset(t, 0, sizeof(*t));
}

static void
timer_start(struct rti_sup *s, uint32_t i, uint32_t kind, int64_t delay)
{
	struct kid *k = &s->kids[i];

	arm(s, i, kind, delay, ++k->timer_seq, &k->timer);
}

/* Cancel timer *t; whoever set it has made its sequence number old. */
static void
disarm(rt_timer *t)
{
	if (t->slot != NULL)
		(void)rt_timer_cancel(*t);
	memset(t, 0, sizeof(*t));
}

static void
timer_cancel(struct kid *k)
{
	/* A timer that fired already carries an old sequence number. */
	k->timer_seq++;
	disarm(&k->timer);
}

/*
 * Child i's state, here and in the table other threads read
 * (rt_system_dump).
 */
static void
set_state(struct rti_sup *s, uint32_t i, uint8_t state)
{
	s->kids[i].state = state;
	rti_sup_kids_state(s->self.cell, i, state);
}

bool
rti_sup_kid_running(uint32_t state)
{
	return state == K_STARTING || state == K_UP;
}

const char *
rti_sup_kid_state_name(uint32_t state)
{
	switch (state) {
	case K_NONE:
		return "not started";
	case K_STARTING:
		return "starting";
	case K_UP:
		return "running";
	case K_STOPPING:
		return "stopping";
	case K_DOWN:
		return "waiting for restart";
	default:
		return "stopped";
	}
}

/* --- health probes ---------------------------------------------------------- */

/* The slot of a child's message, or UINT32_MAX when it is none of ours. */
static uint32_t
slot_of(const struct rti_sup *s, const struct rti_bond_msg *m)
{
	uint32_t i = m->slot;

	if (i < s->nkids && rt_ref_equal(s->kids[i].ref, m->from))
		return i;
	return UINT32_MAX;
}

/*
 * Child i's health is `h` now: published for the dump, and reported when
 * `report` says so and it changed, but for a first healthy answer, which
 * is no news.
 */
static void
health_set(struct rti_sup *s, uint32_t i, uint8_t h, bool report)
{
	struct kid *k = &s->kids[i];
	uint8_t was = k->health;

	if (was == h)
		return;
	k->health = h;
	rti_sup_kids_health(s->self.cell, i, h);
	if (report && !(was == RTI_HEALTH_NONE && h == RTI_HEALTH_HEALTHY))
		rti_log(s->self.cell->sys,
		    h == RTI_HEALTH_HEALTHY ? RT_LOG_INFO : RT_LOG_WARN,
		    "health: %s/%s is %s", s->path, spec_of(s, i)->name,
		    rti_sup_health_name(h));
}

/* Start probing child i, if it is to be probed: its first probe is one
 * period away. */
static void
health_start(struct rti_sup *s, uint32_t i)
{
	struct kid *k = &s->kids[i];
	int64_t every = spec_of(s, i)->health_every;

	if (every > 0)
		arm(s, i, TIMER_PROBE, every, ++k->health_seq, &k->probe_timer);
}

/* Stop probing child i: its timers go, and an answer on its way will be
 * ignored. */
static void
health_stop(struct kid *k)
{
	k->health_seq++;
	k->probe_seq++;
	k->probing = false;
	disarm(&k->probe_timer);
	disarm(&k->deadline_timer);
}

/* Child i failed a probe (`why`): it stops with RT_EUNHEALTHY, and its
 * exit is handled as a crash (kid_exit). */
static void
unhealthy(struct rti_sup *s, uint32_t i, const char *why)
{
	struct kid *k = &s->kids[i];

	health_set(s, i, RTI_HEALTH_FAILED, false);
	rti_log(s->self.cell->sys, RT_LOG_ERROR,
	    "health: %s/%s is failed (%s); restarting it", s->path,
	    spec_of(s, i)->name, why);
	if (rti_actor_signal_stop(k->ref.cell, k->ref.gen, RT_EUNHEALTHY,
		false) == 0)
		k->unhealthy = true;
}

/* Time to probe child i: the next probe is set, and this one goes out if
 * the child runs, has answered the last, and nothing else is under way. */
static void
probe(struct rti_sup *s, uint32_t i)
{
	const rt_child_spec *c = spec_of(s, i);
	struct kid *k = &s->kids[i];
	rt_env *env;

	arm(s, i, TIMER_PROBE, c->health_every, ++k->health_seq,
	    &k->probe_timer);
	if (k->state != K_UP || k->probing || k->unhealthy || k->held ||
	    s->group.active)
		return;
	env = rti_bond_env(k->ref, RTI_ENV_SUP, s->self, 0, i, RTI_BOND_PROBE);
	if (env == NULL) {
		rti_log(s->self.cell->sys, RT_LOG_ERROR,
		    "supervisor %s: no memory for a health probe", s->path);
		return;
	}
	((struct rti_bond_msg *)rt_env_payload(env))->seq = ++k->probe_seq;
	k->probing = true;
	/* A message, in order with the child's others; never refused by a
	 * bound, a dead letter if the child is gone. */
	rti_send_internal(env, RTI_SEND_REPLY);
	arm(s, i, TIMER_DEADLINE, c->health_timeout, k->probe_seq,
	    &k->deadline_timer);
}

/* A timer of child i's probes fired. */
static void
on_health_timer(struct rti_sup *s, uint32_t i, uint32_t slot, uint32_t seq)
{
	struct kid *k = &s->kids[i];
	char why[64];

	if (s->phase != P_RUNNING)
		return;
	if (slot & TIMER_PROBE) {
		if (seq == k->health_seq)
			probe(s, i);
		return;
	}
	if (!k->probing || seq != k->probe_seq)
		return; /* answered in time, or an earlier probe's */
	memset(&k->deadline_timer, 0, sizeof(k->deadline_timer));
	k->probing = false;
	snprintf(why, sizeof(why), "no answer within %lld ms",
	    (long long)(spec_of(s, i)->health_timeout / 1000000));
	unhealthy(s, i, why);
}

/* Child m->from answers probe m->seq with `status`. */
static void
on_health(struct rti_sup *s, const struct rti_bond_msg *m, int status)
{
	uint32_t i = slot_of(s, m);
	char why[64];
	struct kid *k;

	if (i == UINT32_MAX)
		return;
	k = &s->kids[i];
	if (!k->probing || m->seq != k->probe_seq)
		return; /* too late: its deadline has passed */
	k->probing = false;
	disarm(&k->deadline_timer);
	if (status == RT_HEALTHY || status == RT_DEGRADED) {
		health_set(s, i,
		    status == RT_HEALTHY ? RTI_HEALTH_HEALTHY :
					   RTI_HEALTH_DEGRADED,
		    true);
		return;
	}
	if (status == RT_FAILED)
		snprintf(why, sizeof(why), "it answered RT_FAILED");
	else
		snprintf(why, sizeof(why), "it answered %d", status);
	unhealthy(s, i, why);
}

const char *
rti_sup_health_name(uint32_t health)
{
	switch (health) {
	case RTI_HEALTH_HEALTHY:
		return "healthy";
	case RTI_HEALTH_DEGRADED:
		return "degraded";
	case RTI_HEALTH_FAILED:
		return "failed";
	default:
		return NULL;
	}
}

/* --- starting and stopping one child ------------------------------------- */

/* Start static child i for the first time. */
static int
start_kid(struct rti_sup *s, uint32_t i)
{
	const rt_child_spec *c = spec_of(s, i);
	struct rti_child_start where;
	struct rti_sup_args sa;
	struct kid *k = &s->kids[i];
	rt_ref ref;
	int r;

	where.parent = s->self;
	where.slot = i;
	where.wait = false;
	where.path = rti_sup_path(s->path, c->name, 0);
	if (where.path == NULL)
		return RT_ENOMEM;
	if (c->sup != NULL) {
		sa.spec = c->sup;
		sa.wait = NULL;
		r = rti_sup_spawn_child(s->self.cell->sys, &rti_sup_class, &sa,
		    sizeof(sa), &where, &ref);
	} else {
		r = rti_sup_spawn_child(s->self.cell->sys, c->cls, c->args,
		    c->cls->args_size, &where, &ref);
	}
	if (r != 0) {
		free(where.path);
		return r;
	}
	k->ref = ref;
	k->state = K_STARTING;
	rti_sup_kids_set(s->self.cell, i, ref, 0, K_STARTING);
	return rti_bond_add_link(s->self.cell, ref);
}

/*
 * Restart child i, waiting in its cell (`path`: its first start). The
 * child says when its on_start is done (STARTED) only when something
 * waits for that: a group restart goes on to its next child, and a first
 * start's starter is told how it went. Any other restart counts as up at
 * once: its exit is handled alike whether it comes before or after its
 * on_start is done (kid_exit), and a STARTED nobody reads would cost the
 * child a message and the supervisor a run.
 */
static void
restart_kid(struct rti_sup *s, uint32_t i, char *path)
{
	struct kid *k = &s->kids[i];
	bool wait = s->group.active || k->first || k->late || k->mwait != NULL;
	rt_env *env;

	timer_cancel(k);
	env = rti_bond_env(k->ref, RTI_ENV_RESTART, s->self, 0, i,
	    wait ? RTI_BOND_STARTED : 0);
	if (env == NULL || rti_bond_add_link(s->self.cell, k->ref) != 0) {
		rti_env_free(env);
		free(path);
		rti_log(s->self.cell->sys, RT_LOG_ERROR,
		    "supervisor %s: no memory to restart a child", s->path);
		return;
	}
	((struct rti_bond_msg *)rt_env_payload(env))->path = path;
	set_state(s, i, wait ? K_STARTING : K_UP);
	rti_signal_push(env);
}

/* Give slot i of a simple_one_for_one supervisor back. */
static void
free_slot(struct rti_sup *s, uint32_t i)
{
	if (!simple(s))
		return;
	rti_sup_kids_set(s->self.cell, i, (rt_ref){ NULL, 0 }, 0, K_GONE);
	if (s->nfree == s->freecap) {
		uint32_t cap = s->freecap ? s->freecap * 2 : 16;
		uint32_t *f = realloc(s->free, cap * sizeof(*f));

		if (f == NULL)
			return; /* the slot stays unused */
		s->free = f;
		s->freecap = cap;
	}
	s->free[s->nfree++] = i;
}

/*
 * Ask child i to stop: for good (final), or to wait for its restart. Its
 * exit arrives as a DOWN; its shutdown time runs meanwhile. Returns false
 * when there is nothing to wait for.
 */
static bool
stop_kid(struct rti_sup *s, uint32_t i, bool final)
{
	struct kid *k = &s->kids[i];
	const rt_child_spec *c = spec_of(s, i);

	if (k->state == K_NONE || k->state == K_GONE)
		return false;
	if (k->state == K_DOWN) {
		if (final) {
			(void)rti_actor_signal_stop(k->ref.cell, k->ref.gen,
			    RT_ESHUTDOWN, true);
			set_state(s, i, K_GONE);
			timer_cancel(k);
			free_slot(s, i);
		}
		return false;
	}
	if (rti_actor_signal_stop(k->ref.cell, k->ref.gen, RT_ESHUTDOWN,
		final) != 0)
		return false;
	set_state(s, i, K_STOPPING);
	if (c->shutdown >= 0)
		timer_start(s, i, TIMER_SHUTDOWN, c->shutdown);
	return true;
}

/* --- sequences ------------------------------------------------------------ */

static void stop_next(struct rti_sup *s, rt_ctx *ctx);
static void group_next(struct rti_sup *s);

/* Start the children in order; the next when this one has started. */
static void
start_next(struct rti_sup *s, rt_ctx *ctx)
{
	uint32_t i;

	if (s->cursor < s->nkids) {
		int r = start_kid(s, s->cursor);

		if (r == 0)
			return;
		rti_log(s->self.cell->sys, RT_LOG_ERROR,
		    "supervisor %s: cannot start child %s: %s", s->path,
		    spec_of(s, s->cursor)->name, rt_strerror(r));
		s->phase = P_STOPPING;
		s->exit_reason = RT_ESTART;
		stop_next(s, ctx);
		return;
	}
	s->phase = P_RUNNING;
	for (i = 0; i < s->nkids; i++)
		health_start(s, i);
	tell_waiter(s, 0);
	if (s->self.cell->ext != NULL &&
	    !rt_ref_is_null(s->self.cell->ext->parent))
		rti_send_sup(s->self.cell->ext->parent, s->self, 0,
		    s->self.cell->ext->slot, RTI_BOND_STARTED);
}

/*
 * Stop every child for good, in reverse order, then exit with
 * s->exit_reason. s->cursor counts the children left to stop.
 */
static void
stop_next(struct rti_sup *s, rt_ctx *ctx)
{
	uint32_t i;

	/* Relaxed: what rt_system_dump shows, a snapshot. */
	ck_pr_store_32(&s->self.cell->ext->sup_stopping, 1);
	while (s->cursor > 0) {
		s->cursor--;
		if (stop_kid(s, s->cursor, true))
			return;
	}
	tell_waiter(s, s->exit_reason == RT_NORMAL ? 0 : s->exit_reason);
	/* Children whose first start was still to come never had it, and
	 * what was asked about a child will not be done. */
	for (i = 0; i < s->nkids; i++) {
		first_start_over(s, i, RT_ENOACTOR);
		tell(&s->kids[i].mwait, RT_ENOACTOR);
	}
	rt_stop(ctx, s->exit_reason);
}

static void
give_up(struct rti_sup *s, rt_ctx *ctx, int reason)
{
	uint32_t i;

	for (i = 0; i < s->nkids; i++)
		health_stop(&s->kids[i]);
	s->group.active = false;
	s->phase = P_STOPPING;
	s->exit_reason = reason;
	s->cursor = s->nkids;
	stop_next(s, ctx);
}

/*
 * One restart more, at time t: false when that makes more than
 * `intensity` within the period (the supervisor must give up).
 */
static bool
count_restart(struct rti_sup *s, int64_t t)
{
	uint32_t limit = s->spec->intensity, mask = s->tcap - 1;

	/* Restarts older than the period no longer count. */
	while (s->ntimes > 0 && t - s->times[s->head] >= s->spec->period) {
		s->head = (s->head + 1) & mask;
		s->ntimes--;
	}
	if (s->ntimes >= limit)
		return false;
	if (s->ntimes == s->tcap) {
		uint32_t cap = s->tcap ? s->tcap * 2 : 8, i;
		int64_t *times = malloc(cap * sizeof(*times));

		if (times == NULL)
			return true; /* not counted: better than giving up */
		for (i = 0; i < s->ntimes; i++)
			times[i] = s->times[(s->head + i) & mask];
		free(s->times);
		s->times = times;
		s->tcap = cap;
		s->head = 0;
		mask = cap - 1;
	}
	s->times[(s->head + s->ntimes) & mask] = t;
	s->ntimes++;
	return true;
}

/*
 * The delay before restarting child i, which has just failed (at time t):
 * 0 without backoff or after a quiet spell (as long as backoff_max
 * without failing); else backoff_min doubled for each failure in a row,
 * capped at backoff_max, plus up to a quarter more of jitter (within the
 * cap), so that children failing together do not come back together.
 */
static int64_t
backoff(struct rti_sup *s, uint32_t i, int64_t t)
{
	const rt_sup_spec *sp = s->spec;
	struct kid *k = &s->kids[i];
	int64_t d;
	uint32_t n;

	if (sp->backoff_max <= 0)
		return 0;
	if (k->fails > 0 && t - k->last_fail >= sp->backoff_max)
		k->fails = 0;
	k->last_fail = t;
	n = k->fails++;
	d = sp->backoff_min;
	while (n-- > 0 && d < sp->backoff_max)
		d *= 2;
	if (d > sp->backoff_max)
		d = sp->backoff_max;
	/* xorshift64 */
	s->seed ^= s->seed << 13;
	s->seed ^= s->seed >> 7;
	s->seed ^= s->seed << 17;
	d += (int64_t)(s->seed % (uint64_t)(d / 4 + 1));
	return d > sp->backoff_max ? sp->backoff_max : d;
}

/* Restart [lo, hi): stop them in reverse (the failed one is down
 * already), wait `delay`, then restart them in order (group_next). */
static void
group_restart(struct rti_sup *s, uint32_t lo, uint32_t hi, int64_t delay)
{
	s->group.active = true;
	s->group.starting = false;
	s->group.lo = lo;
	s->group.hi = hi;
	s->group.cur = hi;
	s->group.delay = delay;
	group_next(s);
}

static void
group_next(struct rti_sup *s)
{
	struct group *g = &s->group;

	if (!g->starting) {
		while (g->cur > g->lo) {
			g->cur--;
			if (stop_kid(s, g->cur, false))
				return;
		}
		g->starting = true;
		g->cur = g->lo;
		if (g->delay > 0) {
			timer_start(s, g->lo, TIMER_GROUP, g->delay);
			g->delay = 0;
			return;
		}
	}
	for (; g->cur < g->hi; g->cur++) {
		struct kid *k = &s->kids[g->cur];

		if (k->state != K_DOWN || k->held)
			continue;
		if (spec_of(s, g->cur)->restart == RT_TEMPORARY) {
			(void)stop_kid(s, g->cur, true);
			continue;
		}
		restart_kid(s, g->cur, NULL);
		return;
	}
	g->active = false;
}

/* Child i exited abnormally or not (`reason`) while it was up. */
static void
child_failed(struct rti_sup *s, rt_ctx *ctx, uint32_t i, int reason)
{
	const rt_child_spec *c = spec_of(s, i);
	int64_t t, delay;

	if (c->restart == RT_TEMPORARY ||
	    (c->restart == RT_TRANSIENT && !is_abnormal(reason))) {
		(void)stop_kid(s, i, true);
		return;
	}
	/* One clock read for the window and the backoff. */
	t = now(s->self.cell->sys);
	if (!count_restart(s, t)) {
		rti_log(s->self.cell->sys, RT_LOG_ERROR,
		    "supervisor %s gives up: more than %u restarts within "
		    "%lld ms; stopping its children",
		    s->path, s->spec->intensity,
		    (long long)(s->spec->period / 1000000));
		give_up(s, ctx, RT_EGAVEUP);
		return;
	}
	delay = backoff(s, i, t);
	switch (s->spec->strategy) {
	case RT_ONE_FOR_ALL:
		group_restart(s, 0, s->nkids, delay);
		return;
	case RT_REST_FOR_ONE:
		group_restart(s, i, s->nkids, delay);
		return;
	default:
		if (delay > 0)
			timer_start(s, i, TIMER_RESTART, delay);
		else
			restart_kid(s, i, NULL);
	}
}

/* --- events --------------------------------------------------------------- */

static void
kid_exit(struct rti_sup *s, rt_ctx *ctx, uint32_t i, int reason)
{
	struct kid *k = &s->kids[i];
	uint8_t was = k->state;

	timer_cancel(k);
	if (k->late && was == K_STARTING) {
		/* The exit of a stop we stopped waiting for: the restart
		 * sent since will follow it. */
		k->late = false;
		return;
	}
	set_state(s, i, rti_ref_alive(k->ref) ? K_DOWN : K_GONE);
	/* A probe out is void: its answer, if any, is the last
	 * incarnation's. */
	k->unhealthy = false;
	k->probing = false;
	k->probe_seq++;
	disarm(&k->deadline_timer);
	/* A terminate is done; a restart's start failed. */
	tell(&k->mwait, k->held ? 0 : RT_ESTART);
	if (k->first && was == K_STARTING && s->phase == P_RUNNING) {
		/* A child of rt_sup_start_child that failed its first
		 * start, as in OTP: not restarted, not counted against the
		 * intensity, and whoever started it is told. */
		rti_log(s->self.cell->sys, RT_LOG_ERROR,
		    "supervisor %s: child %s.%llu failed its first start "
		    "(%s); not restarted",
		    s->path, spec_of(s, i)->name, (unsigned long long)k->number,
		    rti_reason_text(reason));
		first_start_over(s, i, reason != 0 ? reason : RT_ESTART);
		if (k->state == K_DOWN)
			(void)stop_kid(s, i, true);
		else
			free_slot(s, i);
		return;
	}
	if (k->state == K_GONE)
		free_slot(s, i);
	switch (s->phase) {
	case P_STOPPING:
		if (k->state == K_DOWN)
			(void)stop_kid(s, i, true);
		if (was == K_STOPPING && i == s->cursor)
			stop_next(s, ctx);
		return;
	case P_STARTING:
		if (i == s->cursor && was == K_STARTING) {
			/* OTP's rollback: stop those started, in reverse. */
			rti_log(s->self.cell->sys, RT_LOG_ERROR,
			    "supervisor %s: child %s failed to start: %s",
			    s->path, spec_of(s, i)->name,
			    rti_reason_text(reason));
			(void)stop_kid(s, i, true);
			s->phase = P_STOPPING;
			s->exit_reason = RT_ESTART;
			stop_next(s, ctx);
			return;
		}
		/* An earlier child: handled as when running. */
		break;
	case P_RUNNING:
		break;
	}
	if (s->group.active && i >= s->group.lo && i < s->group.hi &&
	    was == K_STOPPING && !s->group.starting && i == s->group.cur) {
		group_next(s);
		return;
	}
	/* Terminated: it waits, spec and ref kept, for a restart_child. */
	if (k->held || (was == K_STOPPING && k->state == K_GONE))
		return;
	if (k->state == K_GONE) {
		/* It could not wait for a restart (no memory, say). */
		return;
	}
	child_failed(s, ctx, i, reason);
}

static void
on_started(struct rti_sup *s, rt_ctx *ctx, uint32_t i)
{
	struct kid *k = &s->kids[i];

	if (k->state != K_STARTING)
		return;
	set_state(s, i, K_UP);
	first_start_over(s, i, 0);
	tell(&k->mwait, 0);
	if (s->phase == P_STARTING && i == s->cursor) {
		s->cursor++;
		start_next(s, ctx);
	} else if (s->group.active && s->group.starting && i == s->group.cur) {
		s->group.cur++;
		group_next(s);
	}
}

static void
on_timer(struct rti_sup *s, rt_ctx *ctx, uint32_t slot, uint32_t seq)
{
	uint32_t i = slot & ~(uint32_t)TIMER_KINDS;
	struct kid *k;

	if (i >= s->nkids)
		return;
	if (slot & (TIMER_PROBE | TIMER_DEADLINE)) {
		on_health_timer(s, i, slot, seq);
		return;
	}
	if (s->kids[i].timer_seq != seq)
		return;
	k = &s->kids[i];
	memset(&k->timer, 0, sizeof(k->timer));
	if (slot & TIMER_GROUP) {
		if (s->group.active && s->group.starting &&
		    s->phase == P_RUNNING)
			group_next(s);
		return;
	}
	if (!(slot & TIMER_SHUTDOWN)) {
		if (k->state == K_DOWN && s->phase == P_RUNNING)
			restart_kid(s, i, NULL);
		return;
	}
	if (k->state != K_STOPPING)
		return;
	rti_log(s->self.cell->sys, RT_LOG_ERROR,
	    "supervisor %s: child %s did not stop within its shutdown time; "
	    "abandoned (a running handler cannot be interrupted)",
	    s->path, spec_of(s, i)->name);
	/* A terminate: its exit, when it comes, leaves it terminated. */
	tell(&k->mwait, RT_ETIMEDOUT);
	/* Go on as if it had stopped. */
	if (s->phase == P_STOPPING && i == s->cursor) {
		set_state(s, i, K_GONE);
		stop_next(s, ctx);
	} else if (s->group.active && i == s->group.cur) {
		set_state(s, i, K_DOWN);
		k->late = true;
		group_next(s);
	}
}

/* rt_sup_start_child's request: take child m->from in. */
static void
on_adopt(struct rti_sup *s, const struct rti_bond_msg *m)
{
	rt_ref ref = m->from;
	struct start_wait *wait = m->wait;
	uint32_t i;
	struct kid *k;
	char *path;

	if (!simple(s) || s->phase == P_STOPPING) {
		(void)rti_actor_signal_stop(ref.cell, ref.gen, RT_ESHUTDOWN,
		    true);
		tell(&wait, RT_ENOACTOR);
		return;
	}
	if (s->nfree > 0) {
		i = s->free[--s->nfree];
	} else {
		if (s->nkids == s->cap) {
			uint32_t cap = s->cap ? s->cap * 2 : 16;
			struct kid *kids = realloc(s->kids,
			    cap * sizeof(*kids));

			if (kids == NULL)
				goto nomem;
			s->kids = kids;
			s->cap = cap;
		}
		i = s->nkids;
		if (rti_sup_kids_table(s->self.cell, i + 1) == NULL)
			goto nomem;
		s->nkids++;
	}
	k = &s->kids[i];
	memset(k, 0, sizeof(*k));
	k->ref = ref;
	k->number = ck_pr_faa_32(&s->self.cell->ext->seq, 1) + 1;
	path = rti_sup_path(s->path, spec_of(s, 0)->name, k->number);
	if (path == NULL) {
		set_state(s, i, K_GONE);
		free_slot(s, i);
		goto nomem;
	}
	rti_sup_kids_set(s->self.cell, i, ref, k->number, K_NONE);
	k->first = true;
	k->wait = wait;
	k->asker = m->asker;
	restart_kid(s, i, path);
	if (k->state != K_STARTING)
		/* The restart could not be sent: the child stays away. */
		first_start_over(s, i, RT_ENOMEM);
	return;
nomem:
	rti_log(s->self.cell->sys, RT_LOG_ERROR,
	    "supervisor %s: no memory to take a child in", s->path);
	(void)rti_actor_signal_stop(ref.cell, ref.gen, RT_ENOMEM, true);
	tell(&wait, RT_ENOMEM);
}

/* The slot of child `ref`, or UINT32_MAX when it is none of ours. */
static uint32_t
kid_of(const struct rti_sup *s, rt_ref ref)
{
	uint32_t i;

	for (i = 0; i < s->nkids; i++)
		if (s->kids[i].state != K_GONE &&
		    rt_ref_equal(s->kids[i].ref, ref))
			return i;
	return UINT32_MAX;
}

/*
 * rt_sup_terminate_child: child i stops and is not restarted (`held`) until
 * rt_sup_restart_child; a simple_one_for_one child goes for good. The
 * waiting thread, if any, is told when its exit comes (kid_exit).
 */
static int
terminate(struct rti_sup *s, uint32_t i, struct start_wait *wait)
{
	struct kid *k = &s->kids[i];

	if (k->first)
		return RT_EAGAIN; /* its first start is under way */
	k->held = true;
	if (k->state == K_STOPPING || stop_kid(s, i, simple(s))) {
		k->mwait = wait;
		return wait != NULL ? RT_DEFER : 0;
	}
	/* Down already, waiting for a delayed restart: it waits for
	 * restart_child instead. */
	timer_cancel(k);
	return 0;
}

/* rt_sup_restart_child: child i, terminated or waiting for a delayed
 * restart, starts again; the waiting thread is told when its on_start is
 * done (on_started, kid_exit). */
static int
restart(struct rti_sup *s, uint32_t i, struct start_wait *wait)
{
	struct kid *k = &s->kids[i];

	if (simple(s))
		return RT_EINVAL;
	if (k->state == K_STOPPING)
		return RT_EAGAIN; /* a terminate under way */
	if (k->state != K_DOWN)
		return RT_EBUSY;
	k->held = false;
	k->mwait = wait;
	restart_kid(s, i, NULL);
	if (k->state != K_DOWN)
		return wait != NULL ? RT_DEFER : 0;
	/* The restart could not be sent (no memory): still terminated. */
	k->held = true;
	k->mwait = NULL;
	return RT_ENOMEM;
}

/* A MANAGE request: terminate or restart child m->from. */
static void
on_manage(struct rti_sup *s, const struct rti_bond_msg *m)
{
	struct start_wait *wait = m->wait;
	uint32_t i = kid_of(s, m->from);
	int r;

	if (s->phase == P_STOPPING)
		r = RT_ENOACTOR;
	else if (s->phase == P_STARTING || s->group.active)
		r = RT_EAGAIN; /* children on their way up or down */
	else if (i == UINT32_MAX)
		r = RT_ENOENT;
	else if (s->kids[i].mwait != NULL)
		r = RT_EAGAIN; /* another thread's request under way */
	else if (m->slot == RTI_MANAGE_TERMINATE)
		r = terminate(s, i, wait);
	else
		r = restart(s, i, wait);
	if (r != RT_DEFER)
		tell(&wait, r);
}

int
rti_sup_event(void *state, rt_ctx *ctx, const struct rti_bond_msg *m,
    int reason)
{
	struct rti_sup *s = state;
	uint32_t i;

	switch (m->what) {
	case RTI_BOND_LINK:
		if ((i = slot_of(s, m)) != UINT32_MAX)
			kid_exit(s, ctx, i, reason);
		else if (rt_ref_equal(m->from, s->self.cell->ext->parent) ||
		    is_abnormal(reason))
			/* Its own supervisor, or another link, went: it
			 * goes too (trapping does not shield it). */
			give_up(s, ctx,
			    reason == RT_NORMAL ? RT_ESHUTDOWN : reason);
		return 0;
	case RTI_BOND_STARTED:
		if ((i = slot_of(s, m)) != UINT32_MAX)
			on_started(s, ctx, i);
		return 0;
	case RTI_BOND_TIMER:
		on_timer(s, ctx, m->slot, (uint32_t)reason);
		return 0;
	case RTI_BOND_ADOPT:
		on_adopt(s, m);
		return 0;
	case RTI_BOND_MANAGE:
		on_manage(s, m);
		return 0;
	case RTI_BOND_HEALTH:
		on_health(s, m, reason);
		return 0;
	case RTI_BOND_EXIT2:
		/* rt_exit, trapped: an abnormal reason stops it as a stop
		 * does, children first; a normal one is ignored. */
		if (reason != RT_NORMAL && s->phase != P_STOPPING)
			give_up(s, ctx, reason);
		return 0;
	case RTI_BOND_STOP:
		/* Asked to stop: children in reverse, then itself. */
		if (s->phase != P_STOPPING)
			give_up(s, ctx, reason);
		return 0;
	default:
		return 0;
	}
}

/* --- the class ------------------------------------------------------------- */

static int
sup_on_start(void *state, rt_ctx *ctx, const void *args)
{
	const struct rti_sup_args *a = args;
	struct rti_sup *s = state;
	rt_cell *cell = ctx->cell;
	struct rti_ext *x = rti_ext_get(cell);
	uint32_t n;

	memset(s, 0, sizeof(*s));
	s->spec = a->spec;
	s->wait = a->wait;
	s->self = rt_self(ctx);
	/* A test system's runs repeat: its jitter comes from its seed. */
	if (cell->sys->manual)
		s->seed = rti_test_stream(cell->sys);
	else
		s->seed = (uint64_t)(uintptr_t)cell ^
		    (uint64_t)rti_clock_now() ^ 0x9e3779b97f4a7c15ull;
	if (s->seed == 0)
		s->seed = 1;
	if (x == NULL || rt_trap_exits(ctx, true) != 0)
		goto nomem;
	/* A restarted supervisor is not stopping any more (relaxed: see
	 * stop_next). */
	ck_pr_store_32(&x->sup_stopping, 0);
	if (x->path == NULL) {
		/* A root: its path is its name. */
		char *p = strdup(s->spec->name);

		if (p == NULL)
			goto nomem;
		RT_TSAN_RELEASE(&x->path);
		ck_pr_fence_store();
		ck_pr_store_ptr(&x->path, p);
	}
	s->path = x->path;
	n = simple(s) ? 0 : s->spec->nchildren;
	if (n > 0) {
		s->kids = calloc(n, sizeof(*s->kids));
		if (s->kids == NULL || rti_sup_kids_table(cell, n) == NULL)
			goto nomem;
		s->nkids = s->cap = n;
	}
	s->phase = P_STARTING;
	s->cursor = 0;
	start_next(s, ctx);
	return 0;
nomem:
	free(s->kids);
	s->kids = NULL;
	tell_waiter(s, RT_ENOMEM);
	return RT_ENOMEM;
}

static void
sup_on_stop(void *state, rt_ctx *ctx, int reason)
{
	struct rti_sup *s = state;
	uint32_t i;

	(void)ctx;
	(void)reason;
	/* Whatever is left (an exit without the orderly stop: shutdown, a
	 * kill): every child goes for good. A thread waiting for a request
	 * is told while this incarnation still has its generation (a
	 * supervised supervisor waiting for its restart); otherwise it has
	 * seen the supervisor gone and may have left. */
	for (i = 0; i < s->nkids; i++) {
		struct kid *k = &s->kids[i];

		if (rti_ref_alive(s->self))
			tell(&k->mwait, RT_ENOACTOR);
		timer_cancel(k);
		health_stop(k);
		if (k->state != K_NONE && k->state != K_GONE)
			(void)rti_actor_signal_stop(k->ref.cell, k->ref.gen,
			    RT_ESHUTDOWN, true);
	}
	tell_waiter(s, RT_ESHUTDOWN);
	free(s->kids);
	free(s->times);
	free(s->free);
}

static int
sup_dispatch(void *self, rt_ctx *ctx, uint32_t tag, const void *msg)
{
	(void)self;
	(void)ctx;
	(void)tag;
	(void)msg;
	return RT_EBADMSG;
}

const rt_actor_class rti_sup_class = {
	.abi = RT_PROTOCOL_ABI,
	.name = "rt.supervisor",
	.state_size = sizeof(struct rti_sup),
	.state_align = _Alignof(struct rti_sup),
	.ntags = 0,
	.dispatch = sup_dispatch,
	.on_start = sup_on_start,
	.on_stop = sup_on_stop,
	.args_size = sizeof(struct rti_sup_args),
};

void
rti_sup_adopt_lost(rt_env *env)
{
	const struct rti_bond_msg *m = rt_env_payload(env);

	(void)rti_actor_signal_stop(m->from.cell, m->from.gen, RT_ENOACTOR,
	    true);
}
