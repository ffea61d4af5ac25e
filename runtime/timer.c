/* SPDX-License-Identifier: MIT */
/*
 * Timers on a hashed timing wheel (timer.h). A fired timer is taken off
 * the wheel under its lock (a one-shot timer's record is released there and
 * then, a periodic one is copied and put back for its next tick), and its
 * message is sent after the lock is dropped, so that a send that fails or
 * a dead-letter hook never runs under the lock.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "pool.h"
#include "send_int.h"
#include "system_int.h"
#include "timer.h"
#include "undelivered.h"

#define SLOT_MASK (RTI_WHEEL_SLOTS - 1)

int
rti_wheel_init(rti_wheel *wh, rt_system *sys, int64_t base, bool manual)
{

	memset(wh, 0, sizeof(*wh));
	wh->sys = sys;
	wh->base = base;
	wh->manual = manual;
	wh->wake_tick = INT64_MAX;
	wh->next_id = 1;
	if (pthread_mutex_init(&wh->lock, NULL) != 0)
		return RT_ENOMEM;
	if (rti_cond_init(&wh->cond) != 0)
		goto fail;
	return 0;
fail:
	pthread_mutex_destroy(&wh->lock);
	return RT_ENOMEM;
}

/* --- records and buckets (under the lock) --------------------------------- */

static rti_timer *
record_get(rti_wheel *wh)
{
	rti_timer *t = wh->free;

	if (t == NULL) {
		struct rti_timer_chunk *c = calloc(1, sizeof(*c));
		unsigned i;

		if (c == NULL)
			return NULL;
		c->next = wh->chunks;
		wh->chunks = c;
		for (i = 0; i < RTI_TIMERS_PER_CHUNK; i++) {
			c->timers[i].wheel = wh;
			c->timers[i].next = i + 1 < RTI_TIMERS_PER_CHUNK ?
			    &c->timers[i + 1] :
			    NULL;
		}
		t = &c->timers[0];
	}
	wh->free = t->next;
	/* Ids are odd while started: a released record never matches. */
	t->id = wh->next_id;
	wh->next_id += 2;
	return t;
}

static void
record_put(rti_wheel *wh, rti_timer *t)
{
	t->id++;
	t->env = NULL;
	t->next = wh->free;
	wh->free = t;
}

static void
bucket_insert(rti_wheel *wh, rti_timer *t)
{
	unsigned s;

	/* A tick already processed is too late: the next one processes it. */
	if (t->tick < wh->done)
		t->tick = wh->done;
	s = (unsigned)(t->tick & SLOT_MASK);
	t->prev = NULL;
	t->next = wh->slot[s];
	if (t->next != NULL)
		t->next->prev = t;
	wh->slot[s] = t;
	wh->busy[s / 64] |= UINT64_C(1) << (s % 64);
	wh->armed++;
}

static void
bucket_remove(rti_wheel *wh, rti_timer *t)
{
	unsigned s = (unsigned)(t->tick & SLOT_MASK);

	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		wh->slot[s] = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	if (wh->slot[s] == NULL)
		wh->busy[s / 64] &= ~(UINT64_C(1) << (s % 64));
	wh->armed--;
}

/* The first tick at or after `from` whose bucket is not empty, or -1. */
static int64_t
next_busy(const rti_wheel *wh, int64_t from)
{
	unsigned i;

	if (wh->armed == 0)
		return -1;
	for (i = 0; i < RTI_WHEEL_SLOTS;) {
		unsigned s = (unsigned)((from + i) & SLOT_MASK);
		uint64_t word = wh->busy[s / 64] >> (s % 64);

		if (word != 0)
			return from + i + __builtin_ctzll(word);
		i += 64 - s % 64;
	}
	return -1;
}

static int64_t
tick_of(const rti_wheel *wh, int64_t t)
{
	return t <= wh->base ? 0 : (t - wh->base) / RTI_TICK_NS;
}

/* The first tick that starts at or after time `t`: a timer is never early. */
static int64_t
tick_at_or_after(const rti_wheel *wh, int64_t t)
{
	return t <= wh->base ? 0 :
			       (t - wh->base + RTI_TICK_NS - 1) / RTI_TICK_NS;
}

/* A copy of a periodic timer's template, or NULL for lack of memory. */
static rt_env *
env_copy(rt_system *sys, const rt_env *tmpl, rt_payload_copy_fn copy)
{
	rt_env *env = rti_env_alloc_sys(sys, tmpl->size);

	if (env == NULL)
		return NULL;
	env->kind = tmpl->kind;
	env->cell = tmpl->cell;
	env->gen = tmpl->gen;
	env->v.tag = tmpl->v.tag;
	if (copy != NULL)
		copy(rt_env_payload(env), rt_env_payload((rt_env *)tmpl));
	else
		memcpy(rt_env_payload(env), rt_env_payload((rt_env *)tmpl),
		    tmpl->size);
	return env;
}

/*
 * Take what is due at tick `tick` off its bucket and append the messages
 * to send to *tail (linked by node.next), in the order they were started.
 * `upto` is the last tick this pass processes: a periodic timer's next
 * firing goes after it, so that a late pass never sends a burst.
 */
static void
collect_tick(rti_wheel *wh, int64_t tick, int64_t upto, rt_env ***tail)
{
	unsigned s = (unsigned)(tick & SLOT_MASK);
	rti_timer *t, *next, *due = NULL;

	/* Buckets are newest first: reverse the due ones into start order. */
	for (t = wh->slot[s]; t != NULL; t = next) {
		next = t->next;
		if (t->tick > tick)
			continue;
		bucket_remove(wh, t);
		t->next = due;
		due = t;
	}
	for (t = due; t != NULL; t = next) {
		rt_env *env;

		next = t->next;
		/* A one-shot timer, or a periodic one whose target has
		 * stopped for good: this message is its last (a dead
		 * letter in the second case). Acquire: pairs with the
		 * release of the final stop. */
		if (t->period == 0 ||
		    rti_cell_gen(t->env->cell) != t->env->gen) {
			env = t->env;
			record_put(wh, t);
		} else {
			int64_t every = (t->period + RTI_TICK_NS - 1) /
			    RTI_TICK_NS;

			env = env_copy(wh->sys, t->env, t->copy);
			/* Keep the schedule; skip what was missed. */
			t->tick += every;
			if (t->tick <= upto)
				t->tick += ((upto - t->tick) / every + 1) *
				    every;
			bucket_insert(wh, t);
			if (env == NULL) {
				rti_log(wh->sys, RT_LOG_ERROR,
				    "timer: no memory"
				    " for a periodic message; this firing is "
				    "skipped");
				continue;
			}
		}
		env->node.next = NULL;
		**tail = env;
		*tail = (rt_env **)&env->node.next;
	}
}

/* Process the ticks up to `upto`; the messages are appended to *tail. */
static void
collect(rti_wheel *wh, int64_t upto, rt_env ***tail)
{
	while (wh->done <= upto) {
		int64_t tick = next_busy(wh, wh->done);

		if (tick < 0 || tick > upto) {
			wh->done = upto + 1;
			break;
		}
		/* Bucket `tick` is the next busy one: everything in it that
		 * is due by now fires, in tick order within a turn. */
		wh->done = tick;
		collect_tick(wh, tick, upto, tail);
		wh->done = tick + 1;
	}
}

static uint64_t
deliver(rt_env *list)
{
	uint64_t n = 0;

	while (list != NULL) {
		rt_env *next = (rt_env *)list->node.next;

		rti_send_internal(list, RTI_SEND_TIMER);
		list = next;
		n++;
	}
	return n;
}

uint64_t
rti_wheel_turn(rti_wheel *wh, int64_t now)
{
	rt_env *list = NULL, **tail = &list;

	pthread_mutex_lock(&wh->lock);
	collect(wh, tick_of(wh, now), &tail);
	pthread_mutex_unlock(&wh->lock);
	return deliver(list);
}

int64_t
rti_wheel_next(rti_wheel *wh)
{
	int64_t tick;

	pthread_mutex_lock(&wh->lock);
	tick = next_busy(wh, wh->done);
	pthread_mutex_unlock(&wh->lock);
	return tick < 0 ? -1 : wh->base + tick * RTI_TICK_NS;
}

/* --- the wheel thread ----------------------------------------------------- */

static void *
wheel_main(void *arg)
{
	rti_wheel *wh = arg;

	pthread_mutex_lock(&wh->lock);
	while (!wh->thread_stop) {
		rt_env *list = NULL, **tail = &list;
		int64_t next;

		collect(wh, tick_of(wh, rti_clock_now()), &tail);
		if (list != NULL) {
			pthread_mutex_unlock(&wh->lock);
			deliver(list);
			pthread_mutex_lock(&wh->lock);
			continue;
		}
		next = next_busy(wh, wh->done);
		wh->wake_tick = next < 0 ? INT64_MAX : next;
		if (next < 0) {
			pthread_cond_wait(&wh->cond, &wh->lock);
		} else {
			struct timespec ts = rti_clock_timespec(wh->base +
			    next * RTI_TICK_NS);

			pthread_cond_timedwait(&wh->cond, &wh->lock, &ts);
		}
		wh->wake_tick = INT64_MAX;
	}
	pthread_mutex_unlock(&wh->lock);
	return NULL;
}

/* --- starting and cancelling ----------------------------------------------- */

static int
start(rt_env *env, rt_duration delay, rt_duration period,
    rt_payload_copy_fn copy, rt_timer *out)
{
	rt_system *sys;
	rti_wheel *wh;
	rti_timer *t;
	int rc = 0;

	if (env == NULL)
		return RT_EINVAL;
	if ((env->kind != RTI_ENV_MSG && env->kind != RTI_ENV_REPLY &&
		env->kind != RTI_ENV_DOWN && env->kind != RTI_ENV_SUP) ||
	    env->cell == NULL || delay < 0 || period < 0) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	sys = env->cell->sys;
	wh = sys->wheel;
	pthread_mutex_lock(&wh->lock);
	if (wh->closed) {
		rc = RT_ESHUTDOWN;
		goto out;
	}
	if (!wh->manual && !wh->thread_started) {
		if (pthread_create(&wh->thread, NULL, wheel_main, wh) != 0) {
			rc = RT_ENOMEM;
			goto out;
		}
		wh->thread_started = true;
	}
	t = record_get(wh);
	if (t == NULL) {
		rc = RT_ENOMEM;
		goto out;
	}
	t->env = env;
	t->copy = copy;
	t->period = period;
	t->tick = tick_at_or_after(wh, rti_sys_now(sys) + delay);
	bucket_insert(wh, t);
	if (out != NULL) {
		out->slot = t;
		out->id = t->id;
	}
	/* Sooner than the thread means to wake: wake it to sleep less. */
	if (t->tick < wh->wake_tick && wh->thread_started)
		pthread_cond_signal(&wh->cond);
out:
	pthread_mutex_unlock(&wh->lock);
	if (rc != 0) {
		rti_count(sys, refused, 1);
		rti_env_free(env);
	}
	return rc;
}

int
rt_env_send_after(rt_env *env, rt_duration delay, rt_timer *out)
{
	if (env != NULL && env->kind != RTI_ENV_MSG) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	return start(env, delay, 0, NULL, out);
}

int
rti_timer_start(rt_env *env, int64_t delay, rt_timer *out)
{
	return start(env, delay, 0, NULL, out);
}

int
rt_env_send_every(rt_env *env, rt_duration period, rt_payload_copy_fn copy,
    rt_timer *out)
{
	if (env != NULL && (period <= 0 || env->kind != RTI_ENV_MSG)) {
		rt_env_discard(env);
		return RT_EINVAL;
	}
	return start(env, period, period, copy, out);
}

int
rt_timer_cancel(rt_timer timer)
{
	rti_timer *t = timer.slot;
	rti_wheel *wh;
	rt_env *env = NULL;

	if (t == NULL || (timer.id & 1) == 0)
		return RT_EINVAL;
	/* `wheel` never changes once the record is carved. */
	wh = t->wheel;
	pthread_mutex_lock(&wh->lock);
	if (t->id == timer.id) {
		bucket_remove(wh, t);
		env = t->env;
		record_put(wh, t);
	}
	pthread_mutex_unlock(&wh->lock);
	if (env == NULL)
		return RT_ENOENT;
	rti_env_free(env);
	return 0;
}

/* --- the end ---------------------------------------------------------------- */

void
rti_wheel_close(rti_wheel *wh)
{
	rt_env *list = NULL;
	unsigned s;

	pthread_mutex_lock(&wh->lock);
	wh->closed = true;
	wh->thread_stop = true;
	pthread_cond_signal(&wh->cond);
	pthread_mutex_unlock(&wh->lock);
	if (wh->thread_started) {
		pthread_join(wh->thread, NULL);
		wh->thread_started = false;
	}
	/* Nobody else touches the wheel now. */
	for (s = 0; s < RTI_WHEEL_SLOTS; s++) {
		rti_timer *t, *next;

		for (t = wh->slot[s]; t != NULL; t = next) {
			next = t->next;
			bucket_remove(wh, t);
			t->env->node.next = (rti_mpsc_node *)list;
			list = t->env;
			if (t->period != 0)
				/* The template was never sent: one dead
				 * letter stands for the firings to come. */
				t->env = NULL;
			record_put(wh, t);
		}
	}
	while (list != NULL) {
		rt_env *next = (rt_env *)list->node.next;

		rti_count(wh->sys, sent, 1);
		rti_undelivered(wh->sys, NULL, list, RT_DEAD_STOPPED);
		rti_env_free(list);
		list = next;
	}
}

void
rti_wheel_destroy(rti_wheel *wh)
{
	while (wh->chunks != NULL) {
		struct rti_timer_chunk *c = wh->chunks;

		wh->chunks = c->next;
		free(c);
	}
	pthread_cond_destroy(&wh->cond);
	pthread_mutex_destroy(&wh->lock);
}
