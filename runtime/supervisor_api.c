/* SPDX-License-Identifier: MIT */
/*
 * What the rest of the world asks of supervisors: starting a tree
 * (rt_sup_start), looking a child up (rt_sup_child), starting a child of a
 * simple_one_for_one supervisor (rt_sup_start_child); and what a
 * supervisor keeps where other threads can read it through any ref: its
 * table of children.
 */
#include <stdlib.h>
#include <string.h>

#include "actor_int.h"
#include "bonds.h"
#include "cell.h"
#include "envelope.h"
#include "park.h"
#include "pool.h"
#include "send_int.h"
#include "supervisor_int.h"
#include "system_int.h"
#include "testkit.h"

/* --- the table of children ----------------------------------------------- */

struct rti_kids *
rti_sup_kids_table(rt_cell *cell, uint32_t need)
{
	struct rti_ext *x = cell->ext;
	struct rti_kids *t = x->kids, *bigger;
	uint32_t cap;

	if (t != NULL && t->cap >= need)
		return t;
	cap = t != NULL ? t->cap : 0;
	while (cap < need)
		cap = cap ? cap * 2 : 8;
	bigger = calloc(1, sizeof(*bigger) + cap * sizeof(bigger->at[0]));
	if (bigger == NULL)
		return NULL;
	bigger->cap = cap;
	bigger->old = t;
	if (t != NULL) {
		memcpy(bigger->at, t->at, t->cap * sizeof(t->at[0]));
		bigger->n = t->n;
	}
	/* Release: readers see the copied entries. */
	RT_TSAN_RELEASE(&x->kids);
	ck_pr_fence_store();
	ck_pr_store_ptr(&x->kids, bigger);
	return bigger;
}

/* A slot that changes hands starts with nothing routed to it by
 * least_loaded (router.c). */
static void
forget_load(struct rti_kids *t, uint32_t i)
{
	struct rti_line_counter *c = ck_pr_load_ptr(&t->counters);

	/* Acquire: pairs with the router's publication of the counters, so
	 * that this store comes after their zeroing. */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&t->counters);
	if (c != NULL)
		ck_pr_store_64(&c[1 + i].v, 0);
}

/* Publish slot i's ref: the gen goes to 0 first, so that a reader never
 * pairs one child's cell with another's gen (rt_sup_child). */
void
rti_sup_kids_set(rt_cell *cell, uint32_t i, rt_ref r, uint64_t number,
    uint32_t state)
{
	struct rti_kids *t = cell->ext->kids;
	struct rti_kid_slot *k = &t->at[i];

	ck_pr_store_64(&k->gen, 0);
	/* The 0 before the new entry (pairs with the fence between the
	 * reader's two loads of the gen). */
	ck_pr_fence_store();
	/* Relaxed: published by the release of the gen below. */
	ck_pr_store_64(&k->cell, (uint64_t)(uintptr_t)r.cell);
	ck_pr_store_64(&k->number, number);
	ck_pr_store_32(&k->state, state);
	forget_load(t, i);
	ck_pr_store_32(&k->health, RTI_HEALTH_NONE);
	/* Release: a reader that finds the gen finds the child's cell as
	 * its spawn left it, and the entry above. */
	RT_TSAN_RELEASE(&k->gen);
	ck_pr_fence_store();
	ck_pr_store_64(&k->gen, r.gen);
	if (i >= ck_pr_load_32(&t->n))
		ck_pr_store_32(&t->n, i + 1);
}

void
rti_sup_kids_state(rt_cell *cell, uint32_t i, uint32_t state)
{
	/* Relaxed: for rt_system_dump, which reads it as a snapshot and
	 * says it may be a step behind. */
	ck_pr_store_32(&cell->ext->kids->at[i].state, state);
}

void
rti_sup_kids_health(rt_cell *cell, uint32_t i, uint32_t health)
{
	/* Relaxed: as the state (rti_sup_kids_state). */
	ck_pr_store_32(&cell->ext->kids->at[i].health, health);
}

uint32_t
rti_sup_kids_count(rt_cell *sup)
{
	struct rti_ext *x = rti_ext_peek(sup);
	struct rti_kids *t;

	if (x == NULL)
		return 0;
	t = ck_pr_load_ptr(&x->kids);
	/* Acquire: pairs with kids_table. */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&x->kids);
	/* Relaxed: a count; each slot is checked by its own gen. */
	return t != NULL ? ck_pr_load_32(&t->n) : 0;
}

bool
rti_sup_kid_read(rt_ref sup, uint32_t index, struct rti_kid_view *out)
{
	struct rti_kid_slot *k;
	struct rti_kids *t;
	struct rti_ext *x;
	uint64_t gen;

	if ((x = rti_ext_peek(sup.cell)) == NULL)
		return false;
	t = ck_pr_load_ptr(&x->kids);
	/* Acquire: pairs with kids_table. */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&x->kids);
	if (t == NULL || index >= ck_pr_load_32(&t->n))
		return false;
	k = &t->at[index];
	/* The gen first, the entry after it, the gen again: a seqlock's
	 * read, with the gen as its sequence word (kids_set). */
	gen = ck_pr_load_64(&k->gen);
	/* Acquire: pairs with kids_set. */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&k->gen);
	out->ref.cell = (rt_cell *)(uintptr_t)ck_pr_load_64(&k->cell);
	out->number = ck_pr_load_64(&k->number);
	out->state = ck_pr_load_32(&k->state);
	out->health = ck_pr_load_32(&k->health);
	/* The entry's loads before the second look at its gen. */
	ck_pr_fence_load();
	if (gen == 0 || ck_pr_load_64(&k->gen) != gen)
		return false;
	out->ref.gen = gen;
	/* Still the same supervisor: the table was its own. */
	return rt_actor_alive(sup);
}

void
rti_sup_kids_free(struct rti_ext *x)
{
	struct rti_kids *t = x->kids, *old;

	for (; t != NULL; t = old) {
		old = t->old;
		free(t->counters);
		free(t);
	}
	x->kids = NULL;
}

void
rti_sup_forget(rt_cell *cell, const rt_actor_class *cls)
{
	struct rti_ext *x = cell->ext;
	char *path = x->path;
	struct rti_kids *t = x->kids;
	bool root = cls == &rti_sup_class && rt_ref_is_null(x->parent);
	uint32_t i;

	/* After any report of the watchdog that read it (watchdog.c). */
	RT_TSAN_ACQUIRE(&x->path);
	ck_pr_store_ptr(&x->path, NULL);
	free(path);
	rti_env_free(x->start);
	x->start = NULL;
	x->parent.cell = NULL;
	x->parent.gen = 0;
	RT_STORE_RELAXED(&x->restarts, 0);
	if (t != NULL) {
		for (i = 0; i < t->cap; i++)
			ck_pr_store_64(&t->at[i].gen, 0);
		ck_pr_store_32(&t->n, 0);
	}
	/* Relaxed: statistics for rt_system_dump (see actor_start). */
	ck_pr_store_32(&x->sup_stopping, 0);
	/* Its generation is already the next one (actor_exit): a waiter
	 * that wakes sees the root gone. */
	if (root)
		rti_roots_changed(cell->sys);
}

rt_ref
rt_sup_child(rt_ref sup, uint32_t index)
{
	rt_ref r = { NULL, 0 };
	struct rti_kid_view v;

	if (!rt_actor_alive(sup) ||
	    ck_pr_load_ptr(&sup.cell->kind) != &rti_sup_class)
		return r;
	return rti_sup_kid_read(sup, index, &v) ? v.ref : r;
}

/* --- spawning a child ---------------------------------------------------- */

/*
 * Spawn a supervised child of class `cls` whose start arguments `args`
 * (NULL: zero) are copied; the trailer says where it belongs. *out gets
 * its ref.
 */
int
rti_sup_spawn_child(rt_system *sys, const rt_actor_class *cls, const void *args,
    size_t args_len, const struct rti_child_start *where, rt_ref *out)
{
	size_t extra = 0, size;
	struct rti_child_start *t;
	rt_env *env;
	int r;

	if (args != NULL && cls->args_extra != NULL) {
		extra = cls->args_extra(args);
		if (extra == SIZE_MAX)
			return RT_EINVAL;
	}
	size = rti_trailer_room(args_len + extra, sizeof(*t));
	if ((r = rti_spawn_prepare_cell(sys, cls, size, &env)) != 0)
		return r;
	memset(rt_env_payload(env), 0, size);
	if (args != NULL) {
		if (cls->args_copy != NULL)
			cls->args_copy(rt_env_payload(env), args);
		else
			memcpy(rt_env_payload(env), args, args_len);
	}
	t = rti_env_trailer(env, sizeof(*t));
	*t = *where;
	env->flags |= RTI_ENV_CHILD;
	if (cls == &rti_sup_class) {
		/* Its spec, for rt_sup_start_child (the cell is ours until
		 * the commit publishes it). */
		struct rti_ext *x = rti_ext_get(env->cell);

		if (x == NULL) {
			rt_env_discard(env);
			return RT_ENOMEM;
		}
		ck_pr_store_ptr(&x->spec,
		    (void *)((const struct rti_sup_args *)args)->spec);
	}
	return rt_spawn_commit(env, out);
}

/* --- the public calls ------------------------------------------------------ */

static bool
spec_ok(const rt_sup_spec *spec)
{
	uint32_t i;

	if (spec == NULL || spec->abi != RT_PROTOCOL_ABI ||
	    spec->name == NULL || spec->strategy > RT_SIMPLE_ONE_FOR_ONE ||
	    spec->period < 0 || spec->backoff_min < 0 ||
	    spec->backoff_max < spec->backoff_min ||
	    (spec->backoff_max > 0 && spec->backoff_min == 0) ||
	    (spec->nchildren > 0 && spec->children == NULL) ||
	    (spec->strategy == RT_SIMPLE_ONE_FOR_ONE && spec->nchildren != 1))
		return false;
	for (i = 0; i < spec->nchildren; i++) {
		const rt_child_spec *c = &spec->children[i];

		if (c->name == NULL || (c->cls == NULL) == (c->sup == NULL) ||
		    c->restart > RT_TEMPORARY ||
		    (c->shutdown < 0 && c->shutdown != RT_FOREVER))
			return false;
		if (c->cls != NULL && c->cls->abi != RT_PROTOCOL_ABI)
			return false;
		/* Probes: of an actor with on_health, in a static tree,
		 * answered within less than their period. */
		if ((c->health_every != 0 || c->health_timeout != 0) &&
		    (c->cls == NULL || c->cls->on_health == NULL ||
			spec->strategy == RT_SIMPLE_ONE_FOR_ONE ||
			c->health_timeout <= 0 ||
			c->health_timeout >= c->health_every))
			return false;
	}
	return true;
}

/*
 * A plain thread waits until supervisor `sup` tells it how a start went
 * (the tree's, or a child's first), or until the supervisor is gone without
 * a word: RT_ESHUTDOWN if the system is shutting down, else RT_ENOACTOR.
 * A test system is driven meanwhile.
 */
static int
wait_started(rt_system *sys, rt_ref sup, struct start_wait *wait)
{
	if (sys->manual) {
		(void)rti_test_call_wait(sys, &wait->state, -1);
	} else {
		while (ck_pr_load_32(&wait->state) == 0 && rt_actor_alive(sup))
			rti_futex_wait(&wait->state, 0, RT_MS(10));
	}
	if (ck_pr_load_32(&wait->state) == 0)
		return rti_gone(sys);
	/* Acquire: the result (pairs with tell() in supervisor.c). */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&wait->state);
	return wait->result;
}

int
rt_sup_start(rt_system *sys, const rt_sup_spec *spec, rt_ref *out)
{
	struct start_wait wait = { 0, 0 };
	struct rti_sup_args args;
	struct rti_ext *x;
	bool inside;
	rt_env *env;
	rt_ref ref;
	int r;

	if (sys == NULL || !spec_ok(spec))
		return RT_EINVAL;
	inside = rti_sched_worker(sys) != NULL;
	args.spec = spec;
	args.wait = inside ? NULL : &wait;
	if ((r = rti_spawn_prepare_cell(sys, &rti_sup_class, sizeof(args),
		 &env)) != 0)
		return r;
	memcpy(rt_env_payload(env), &args, sizeof(args));
	/* The cell is ours until the commit publishes it. */
	if ((x = rti_ext_get(env->cell)) == NULL) {
		rt_env_discard(env);
		return RT_ENOMEM;
	}
	ck_pr_store_ptr(&x->spec, (void *)spec);
	if ((r = rt_spawn_commit(env, &ref)) != 0)
		return r;
	if (out != NULL)
		*out = ref;
	rti_root_add(sys, ref);
	if (inside)
		return 0;
	r = wait_started(sys, ref, &wait);
	return r == RT_ENOACTOR ? RT_ESTART : r;
}

int
rt_sup_start_child(rt_ref sup, const void *args, rt_ref *out)
{
	struct start_wait wait = { 0, 0 };
	const rt_sup_spec *spec;
	const rt_child_spec *c;
	struct rti_child_start where;
	struct rti_bond_msg *m;
	struct rti_ext *x;
	rti_worker *w;
	rt_system *sys;
	rt_env *env;
	rt_ref ref;
	int r;

	if (sup.cell == NULL)
		return RT_EINVAL;
	if (!rt_actor_alive(sup))
		return RT_ENOACTOR;
	if (ck_pr_load_ptr(&sup.cell->kind) != &rti_sup_class ||
	    (x = rti_ext_peek(sup.cell)) == NULL ||
	    (spec = ck_pr_load_ptr(&x->spec)) == NULL ||
	    spec->strategy != RT_SIMPLE_ONE_FOR_ONE)
		return RT_EINVAL;
	c = &spec->children[0];
	if (c->cls == NULL)
		return RT_EINVAL;
	where.parent = sup;
	where.path = NULL;
	where.slot = 0;
	where.wait = true;
	/* The child waits in its cell until the supervisor has taken it in
	 * (on_adopt sends its first RESTART): no exit of it can reach the
	 * supervisor first. */
	sys = sup.cell->sys;
	r = rti_sup_spawn_child(sys, c->cls, args, c->cls->args_size, &where,
	    &ref);
	if (r != 0)
		return r;
	if (out != NULL)
		*out = ref;
	env = rti_bond_env(sup, RTI_ENV_SUP, ref, 0, 0, RTI_BOND_ADOPT);
	if (env == NULL) {
		(void)rti_actor_signal_stop(ref.cell, ref.gen, RT_ENOMEM, true);
		return RT_ENOMEM;
	}
	/* A plain thread waits until the first start is over; an actor is
	 * told of a failed one by a down. */
	m = rt_env_payload(env);
	w = rti_sched_worker(sys);
	if (w == NULL)
		m->wait = &wait;
	else if (w->ctx.cell != NULL)
		m->asker = (rt_ref){ w->ctx.cell, w->ctx.gen };
	rti_send_internal(env, RTI_SEND_REPLY);
	return w == NULL ? wait_started(sys, sup, &wait) : 0;
}

/* --- managing children ------------------------------------------------------ */

/* The spec of supervisor `sup` (whose generation the caller has checked),
 * or NULL when it is not a supervisor. */
static const rt_sup_spec *
sup_spec(rt_ref sup)
{
	struct rti_ext *x;

	/* Relaxed: set before the supervisor's ref was published. */
	if (ck_pr_load_ptr(&sup.cell->kind) != &rti_sup_class ||
	    (x = rti_ext_peek(sup.cell)) == NULL)
		return NULL;
	return ck_pr_load_ptr(&x->spec);
}

/* Whether `child` is in the table of supervisor `sup`; its slot's state in
 * *state. A snapshot. */
static bool
kid_listed(rt_ref sup, rt_ref child, uint32_t *state)
{
	uint32_t i, n = rti_sup_kids_count(sup.cell);
	struct rti_kid_view v;

	for (i = 0; i < n; i++)
		if (rti_sup_kid_read(sup, i, &v) &&
		    rt_ref_equal(v.ref, child)) {
			*state = v.state;
			return true;
		}
	return false;
}

/*
 * Ask supervisor `sup` to terminate or restart (op, RTI_MANAGE_*) its child
 * `child`. The supervisor does it in a handler, so that nothing else
 * changes its table; a plain thread waits for its answer, an actor does not
 * (the supervisor may be waiting for its worker).
 */
static int
manage(rt_ref sup, rt_ref child, uint32_t op)
{
	struct start_wait wait = { 0, 0 };
	const rt_sup_spec *spec;
	rt_system *sys;
	rti_worker *w;
	uint32_t state;
	rt_env *env;

	if (rt_ref_is_null(sup) || rt_ref_is_null(child))
		return RT_EINVAL;
	sys = sup.cell->sys;
	if (!rt_actor_alive(sup))
		return rti_gone(sys);
	if ((spec = sup_spec(sup)) == NULL ||
	    (op == RTI_MANAGE_RESTART &&
		spec->strategy == RT_SIMPLE_ONE_FOR_ONE))
		return RT_EINVAL;
	/* What the table shows is answered at once, to an actor too. */
	if (!kid_listed(sup, child, &state))
		return rt_actor_alive(sup) ? RT_ENOENT : rti_gone(sys);
	if (op == RTI_MANAGE_RESTART && rti_sup_kid_running(state))
		return RT_EBUSY;
	env = rti_bond_env(sup, RTI_ENV_SUP, child, 0, op, RTI_BOND_MANAGE);
	if (env == NULL)
		return RT_ENOMEM;
	w = rti_sched_worker(sys);
	if (w == NULL)
		((struct rti_bond_msg *)rt_env_payload(env))->wait = &wait;
	/* Never refused by a bound; a dead letter if the supervisor has
	 * gone meanwhile, which wait_started then sees. */
	rti_send_internal(env, RTI_SEND_REPLY);
	return w == NULL ? wait_started(sys, sup, &wait) : 0;
}

int
rt_sup_terminate_child(rt_ref sup, rt_ref child)
{
	return manage(sup, child, RTI_MANAGE_TERMINATE);
}

int
rt_sup_restart_child(rt_ref sup, rt_ref child)
{
	return manage(sup, child, RTI_MANAGE_RESTART);
}

/* How often child `ref` has been restarted; 0 once it is gone. */
static unsigned
kid_restarts(rt_ref ref)
{
	struct rti_ext *x = rti_ext_peek(ref.cell);
	unsigned n;

	if (x == NULL)
		return 0;
	/* Relaxed: a statistic (actor.c), checked by the generation. */
	n = RT_LOAD_RELAXED(&x->restarts);
	/* The load above before the second look at the generation. */
	ck_pr_fence_load();
	return rti_ref_alive(ref) ? n : 0;
}

int
rt_sup_which_children(rt_ref sup, rt_child_info *out, size_t n)
{
	const rt_sup_spec *spec;
	struct rti_kid_view v;
	uint32_t i, slots;
	bool simple;
	size_t got = 0;

	if (rt_ref_is_null(sup) || (out == NULL && n > 0))
		return RT_EINVAL;
	if (!rt_actor_alive(sup))
		return rti_gone(sup.cell->sys);
	if ((spec = sup_spec(sup)) == NULL)
		return RT_EINVAL;
	simple = spec->strategy == RT_SIMPLE_ONE_FOR_ONE;
	slots = simple ? rti_sup_kids_count(sup.cell) : spec->nchildren;
	for (i = 0; i < slots; i++) {
		const rt_child_spec *c = &spec->children[simple ? 0 : i];
		bool known = rti_sup_kid_read(sup, i, &v);
		rt_child_info *o;

		/* A free slot of a simple_one_for_one supervisor is none;
		 * a child of a spec not started yet is one, without a
		 * ref. */
		if (!known && simple)
			continue;
		if (got++ >= n)
			continue;
		o = &out[got - 1];
		o->ref = known ? v.ref : (rt_ref){ NULL, 0 };
		o->name = c->name;
		o->kind = c->cls != NULL ? c->cls->name : rti_sup_class.name;
		o->running = known && rti_sup_kid_running(v.state);
		o->restarts = known ? kid_restarts(v.ref) : 0;
	}
	if (!rt_actor_alive(sup))
		return rti_gone(sup.cell->sys);
	return got > INT32_MAX ? INT32_MAX : (int)got;
}
