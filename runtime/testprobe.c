/* SPDX-License-Identifier: MIT */
/*
 * Test probes (rt/test.h): an actor that stands in for a kind in a test,
 * records a copy of every message it receives, in order, and never runs
 * the kind's handlers; and the expectations a test makes of what it
 * recorded (P_A_expect_M, rt_expect_nothing).
 *
 * A probe's record outlives the probe: it is kept in its system's list
 * (sys->tprobes, under sys->lock) until rt_system_free, so that a test
 * may still read what a probe recorded after it stopped, and a stale ref
 * finds a stopped probe, not freed memory. The record has a class of its
 * own, built from the kind's: its name, its tags' names and its printer,
 * with the probe's dispatch and nothing else (no hooks, no asks, no
 * mailbox bound, no thread of its own), so that what a probe does never
 * depends on how the kind is declared.
 *
 * The worker that runs the probe appends to the record, and the test's
 * thread takes from it, under the record's mutex; a test waits on its
 * condition variable for a real system's `within`, and drives a test
 * system on virtual time (testkit.c) instead.
 */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rt/test.h>

#include "actor_int.h"
#include "cell.h"
#include "clock.h"
#include "log.h"
#include "sched.h"
#include "system_int.h"
#include "testkit.h"
#include "thread.h"

/* One recorded message: its tag in the kind, and a copy of it. */
struct tprobe_msg {
	struct tprobe_msg *next;
	uint32_t tag;
	max_align_t msg[];
};

struct rti_tprobe {
	struct rti_tprobe *next;   /* in sys->tprobes (sys->lock) */
	rt_ref ref;                /* set under sys->lock once spawned */
	const rt_probe_kind *kind; /* immutable */
	rt_actor_class cls;        /* immutable once spawned */
	pthread_mutex_t lock;      /* guards the fields below */
	pthread_cond_t cond; /* a message recorded, or the probe stopped */
	struct tprobe_msg *head, **tail;
	bool stopped;
};

/* ---- the probe ------------------------------------------------------- */

static int
probe_start(void *self, rt_ctx *ctx, const void *args)
{
	(void)ctx;
	memcpy(self, args, sizeof(struct rti_tprobe *));
	return 0;
}

static void
probe_stop(void *self, rt_ctx *ctx, int reason)
{
	struct rti_tprobe *p = *(struct rti_tprobe **)self;

	(void)ctx;
	(void)reason;
	pthread_mutex_lock(&p->lock);
	p->stopped = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/*
 * The probe's dispatch: record a copy of the message. A request is
 * answered with RT_EBADMSG, so that whoever asked or called is not left
 * waiting for a reply a probe will never make. A copy that finds no
 * memory crashes the probe (with a crash report): nothing is lost
 * without a word.
 */
static int
probe_dispatch(void *self, rt_ctx *ctx, uint32_t tag, const void *msg)
{
	struct rti_tprobe *p = *(struct rti_tprobe **)self;
	struct tprobe_msg *m;
	size_t size = p->kind->copy(NULL, tag, msg);

	rt_request_enter(ctx, msg);
	rt_reply_error(ctx, RT_EBADMSG);
	rt_request_leave(ctx, 0, 0, NULL);
	m = malloc(sizeof(*m) + size);
	if (m == NULL)
		return RT_ENOMEM;
	m->next = NULL;
	m->tag = tag;
	p->kind->copy(m->msg, tag, msg);
	pthread_mutex_lock(&p->lock);
	*p->tail = m;
	p->tail = &m->next;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void
tprobe_free(struct rti_tprobe *p)
{
	struct tprobe_msg *m, *next;

	for (m = p->head; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void
rti_test_probes_free(rt_system *sys)
{
	struct rti_tprobe *p, *next;

	for (p = sys->tprobes; p != NULL; p = next) {
		next = p->next;
		tprobe_free(p);
	}
	sys->tprobes = NULL;
}

const rt_actor_class *
rti_test_probe_of(const rt_actor_class *cls)
{
	const struct rti_tprobe *p;

	/* Only a probe's class has the probe's dispatch, and each is the
	 * `cls` of its record. */
	if (cls == NULL || cls->dispatch != probe_dispatch)
		return NULL;
	p = (const void *)((const char *)cls -
	    offsetof(struct rti_tprobe, cls));
	return p->kind->cls;
}

int
rt_probe_spawn(rt_system *sys, const rt_probe_kind *kind, rt_ref *out)
{
	struct rti_tprobe *p;
	rt_env *env;
	rt_ref ref;
	int rc;

	if (sys == NULL || kind == NULL || kind->cls == NULL ||
	    kind->cls->abi != RT_PROTOCOL_ABI || kind->copy == NULL ||
	    kind->equal == NULL)
		return RT_EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return RT_ENOMEM;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return RT_ENOMEM;
	}
	if (rti_cond_init(&p->cond) != 0) {
		pthread_mutex_destroy(&p->lock);
		free(p);
		return RT_ENOMEM;
	}
	p->kind = kind;
	p->tail = &p->head;
	p->cls.abi = RT_PROTOCOL_ABI;
	p->cls.name = kind->cls->name;
	p->cls.state_size = sizeof(struct rti_tprobe *);
	p->cls.state_align = alignof(struct rti_tprobe *);
	p->cls.ntags = kind->cls->ntags;
	p->cls.tag_names = kind->cls->tag_names;
	p->cls.dispatch = probe_dispatch;
	p->cls.on_start = probe_start;
	p->cls.on_stop = probe_stop;
	p->cls.args_size = sizeof(struct rti_tprobe *);
	p->cls.print = kind->cls->print;
	rc = rti_spawn_prepare_cell(sys, &p->cls, sizeof(p), &env);
	if (rc != 0) {
		tprobe_free(p);
		return rc;
	}
	memcpy(rt_env_payload(env), &p, sizeof(p));
	/* From here the class may be in use (a failed commit's signal is a
	 * dead letter that names it), so the record stays until
	 * rt_system_free whatever happens. */
	rc = rt_spawn_commit(env, &ref);
	pthread_mutex_lock(&sys->lock);
	p->next = sys->tprobes;
	sys->tprobes = p;
	if (rc == 0)
		p->ref = ref;
	else
		p->stopped = true;
	pthread_mutex_unlock(&sys->lock);
	if (rc == 0 && out != NULL)
		*out = ref;
	return rc;
}

/* ---- expectations ---------------------------------------------------- */

/* The probe named by `ref` (of `kind`, unless NULL), or NULL. */
static struct rti_tprobe *
find(rt_ref ref, const rt_probe_kind *kind)
{
	rt_system *sys = ref.cell->sys;
	struct rti_tprobe *p;

	pthread_mutex_lock(&sys->lock);
	for (p = sys->tprobes; p != NULL; p = p->next)
		if (rt_ref_equal(p->ref, ref))
			break;
	pthread_mutex_unlock(&sys->lock);
	return p != NULL && (kind == NULL || p->kind == kind) ? p : NULL;
}

/* Something to take: a message, or the news that the probe stopped. */
static bool
ready(void *arg)
{
	struct rti_tprobe *p = arg;
	bool r;

	pthread_mutex_lock(&p->lock);
	r = p->head != NULL || p->stopped;
	pthread_mutex_unlock(&p->lock);
	return r;
}

static bool
waiting(void *arg)
{
	return !ready(arg);
}

/*
 * Wait up to `within` (RT_FOREVER: no limit; expect_nothing never passes
 * it) for the probe to record a message, and take it: NULL when none came,
 * the probe stopped with none left, or the call comes from inside the
 * system (*rc says which: RT_ETIMEDOUT, RT_ENOACTOR, RT_EDEADLK). In a
 * test system, the actors run and the virtual clock moves from timer to
 * timer up to `within`, stopping as soon as the probe has something; in a
 * real one, this thread waits as long on the real clock.
 */
static struct tprobe_msg *
take(struct rti_tprobe *p, rt_duration within, int *rc)
{
	rt_system *sys = p->ref.cell->sys;
	struct tprobe_msg *m;

	if (rti_sched_worker(sys) != NULL || rti_thread_inside(sys)) {
		*rc = RT_EDEADLK;
		return NULL;
	}
	if (sys->manual) {
		int64_t fired = 0;

		rti_sched_drive(sys);
		if (!ready(p)) {
			if (within < 0)
				rti_test_drive_while(sys, waiting, p);
			else
				rti_test_advance_until(sys, within, ready, p,
				    &fired);
		}
		pthread_mutex_lock(&p->lock);
	} else {
		int64_t now = rti_clock_now();
		int64_t deadline = within < 0 ? -1 :
		    within > INT64_MAX - now  ? INT64_MAX :
						now + within;

		pthread_mutex_lock(&p->lock);
		while (p->head == NULL && !p->stopped) {
			struct timespec ts;

			if (deadline < 0) {
				pthread_cond_wait(&p->cond, &p->lock);
				continue;
			}
			ts = rti_clock_timespec(deadline);
			if (pthread_cond_timedwait(&p->cond, &p->lock, &ts) ==
			    ETIMEDOUT)
				break;
		}
	}
	m = p->head;
	if (m != NULL) {
		p->head = m->next;
		if (p->head == NULL)
			p->tail = &p->head;
		*rc = 0;
	} else {
		*rc = p->stopped ? RT_ENOACTOR : RT_ETIMEDOUT;
	}
	pthread_mutex_unlock(&p->lock);
	return m;
}

/* `d` as the .rtp writes durations: 10ms, 5s, 250us, 7ns. */
static void
print_duration(FILE *f, rt_duration d)
{
	if (d % 1000000000 == 0)
		fprintf(f, "%llds", (long long)(d / 1000000000));
	else if (d % 1000000 == 0)
		fprintf(f, "%lldms", (long long)(d / 1000000));
	else if (d % 1000 == 0)
		fprintf(f, "%lldus", (long long)(d / 1000));
	else
		fprintf(f, "%lldns", (long long)d);
}

/*
 * A failed expectation, through the log hook (or stderr) at
 * RT_LOG_ERROR, on one line: "probe P.A: expected WANT, received GOT",
 * each side as the kind's printer writes it; WANT is "nothing" for
 * rt_expect_nothing (tag UINT32_MAX), GOT "nothing in 10ms" when nothing
 * came or "nothing: the probe has stopped".
 */
static void
report(struct rti_tprobe *p, uint32_t tag, const void *expected,
    const struct tprobe_msg *got, rt_duration within, int rc)
{
	rt_system *sys = p->ref.cell->sys;
	char *line = NULL;
	size_t len = 0;
	FILE *f;

	if (!rti_logs(sys, RT_LOG_ERROR))
		return;
	f = open_memstream(&line, &len);
	if (f == NULL) {
		rti_log(sys, RT_LOG_ERROR, "probe %s: %s", p->cls.name,
		    rt_strerror(rc));
		return;
	}
	fprintf(f, "probe %s: expected ", p->cls.name);
	if (tag == UINT32_MAX)
		fputs("nothing", f);
	else
		p->cls.print(f, tag, expected);
	fputs(", received ", f);
	if (got != NULL) {
		p->cls.print(f, got->tag, got->msg);
	} else if (rc == RT_ENOACTOR) {
		fputs("nothing: the probe has stopped", f);
	} else {
		fputs("nothing", f);
		if (within >= 0) {
			fputs(" in ", f);
			print_duration(f, within);
		}
	}
	if (fclose(f) == 0)
		rti_log_line(sys, RT_LOG_ERROR, line);
	free(line);
}

int
rt_probe_expect(rt_ref probe, const rt_probe_kind *kind, uint32_t tag,
    const void *expected, rt_duration within)
{
	struct rti_tprobe *p;
	struct tprobe_msg *m;
	int rc;

	if (probe.cell == NULL || kind == NULL || tag >= kind->cls->ntags)
		return RT_EINVAL;
	p = find(probe, kind);
	if (p == NULL)
		return RT_EINVAL;
	m = take(p, within, &rc);
	if (rc == RT_EDEADLK)
		return rc;
	if (m != NULL && m->tag == tag && kind->equal(tag, expected, m->msg)) {
		free(m);
		return 0;
	}
	report(p, tag, expected, m, within, rc);
	if (m != NULL) {
		free(m);
		rc = RT_EMISMATCH;
	}
	return rc;
}

int
rt_expect_nothing(rt_ref probe, rt_duration within)
{
	struct rti_tprobe *p;
	struct tprobe_msg *m;
	int rc;

	if (probe.cell == NULL || within < 0)
		return RT_EINVAL;
	p = find(probe, NULL);
	if (p == NULL)
		return RT_EINVAL;
	m = take(p, within, &rc);
	if (m == NULL)
		return rc == RT_EDEADLK ? rc : 0;
	report(p, UINT32_MAX, NULL, m, within, rc);
	free(m);
	return RT_EMISMATCH;
}
