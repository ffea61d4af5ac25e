/* SPDX-License-Identifier: MIT */
/*
 * Links and monitors, as Erlang has them.
 *
 * Both are kept on both sides, each side by the holder of its own cell's
 * run token, and changed through control signals: rt_link records the
 * link in the caller's extension and sends LINK to the other actor, which
 * records it when it drains the signal. When an incarnation exits it sends
 * EXIT to every link and DOWN to every watcher, and takes its own monitors
 * back (DEMONITOR), so that nothing is left pointing at it. A signal that
 * reaches an incarnation that is already gone is answered as Erlang does:
 * a link gets an exit and a monitor a down, with reason RT_ENOACTOR.
 */
#include <stdlib.h>
#include <string.h>

#include "bonds.h"
#include "cell.h"
#include "deadletter.h"
#include "io.h"
#include "log.h"
#include "pool.h"
#include "send_int.h"
#include "supervisor_int.h"
#include "system_int.h"

/* --- extensions ---------------------------------------------------------- */

/* Not inline even here: the callers' common path stays without a frame. */
struct rti_ext *__attribute__((noinline))
rti_ext_make(rt_cell *cell)
{
	rt_system *sys = cell->sys;
	struct rti_ext *x, *head;

	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	/* On the system's list, for rti_ext_free_all. A CAS push: any
	 * worker may be adding one; the list is read only at the end. */
	head = ck_pr_load_ptr(&sys->exts);
	do {
		x->all_next = head;
		ck_pr_fence_store_atomic();
	} while (!ck_pr_cas_ptr_value(&sys->exts, head, x, &head));
	/* Release: a thread that finds the pointer (rti_ext_peek) finds
	 * the extension initialised. */
	RT_TSAN_RELEASE(&cell->ext);
	ck_pr_fence_store();
	ck_pr_store_ptr(&cell->ext, x);
	return x;
}

void
rti_ext_free_all(rt_system *sys)
{
	struct rti_ext *x = sys->exts, *next;

	for (; x != NULL; x = next) {
		next = x->all_next;
		free(x->links.at);
		free(x->watchers.at);
		free(x->watching.at);
		rti_env_free(x->start);
		free(x->spare_state);
		free(x->path);
		rti_sup_kids_free(x);
		rti_io_table_free(x->io);
		free(x);
	}
	sys->exts = NULL;
}

/* --- sets of refs -------------------------------------------------------- */

static bool
refs_has(const rti_refs *s, rt_ref r)
{
	uint32_t i;

	for (i = s->n; i-- > 0;)
		if (rt_ref_equal(s->at[i], r))
			return true;
	return false;
}

/* Make room for one more ref in a full set; 0 or RT_ENOMEM. */
static int __attribute__((noinline))
refs_grow(rti_refs *s)
{
	uint32_t cap = s->cap ? s->cap * 2 : 4;
	rt_ref *at = realloc(s->at, cap * sizeof(*at));

	if (at == NULL)
		return RT_ENOMEM;
	s->at = at;
	s->cap = cap;
	return 0;
}

/* Add r unless it is there; 0 or RT_ENOMEM. Inline: a supervisor and
 * its child each add their link on every restart. */
static inline int
refs_add(rti_refs *s, rt_ref r)
{
	if (refs_has(s, r))
		return 0;
	if (s->n == s->cap && refs_grow(s) != 0)
		return RT_ENOMEM;
	s->at[s->n++] = r;
	return 0;
}

/* Remove r; whether it was there. */
static bool
refs_del(rti_refs *s, rt_ref r)
{
	uint32_t i;

	for (i = s->n; i-- > 0;)
		if (rt_ref_equal(s->at[i], r)) {
			s->at[i] = s->at[--s->n];
			return true;
		}
	return false;
}

int
rti_bond_add_link(rt_cell *cell, rt_ref to)
{
	struct rti_ext *x = rti_ext_get(cell);

	return x != NULL ? refs_add(&x->links, to) : RT_ENOMEM;
}

/* --- signals ------------------------------------------------------------- */

/* The size of a bond envelope's block, and its class (a constant). */
#define BOND_TOTAL (RT_ENV_PAYLOAD_OFFSET + sizeof(struct rti_bond_msg))
#define BOND_CLASS rti_class_of(BOND_TOTAL)

/* Fill in a bond envelope: the header field by field, rather than cleared
 * first, and the payload. */
static inline rt_env *
bond_fill(rt_env *env, rt_ref to, unsigned kind, rt_ref from, int reason,
    uint32_t slot, unsigned what)
{
	env->node.next = NULL;
	env->cell = to.cell;
	env->gen = to.gen;
	env->u.deadline = 0;
	env->v.reason = reason;
	env->size = (uint32_t)sizeof(struct rti_bond_msg);
	env->kind = (uint8_t)kind;
	env->prio = RT_PRIO_NORMAL;
	/* A down or a supervisor's event is a message, not for the
	 * dispatch switch. */
	env->flags = kind == RTI_ENV_DOWN || kind == RTI_ENV_SUP ? RTI_ENV_ODD :
								   0;
	env->pool = (uint8_t)BOND_CLASS;
	env->status = 0;
	*(struct rti_bond_msg *)rt_env_payload(env) = (struct rti_bond_msg){
		.from = from,
		.slot = slot,
		.what = (uint8_t)what,
	};
	return env;
}

/* rti_bond_env when the worker's cache is empty, or off a worker. */
static rt_env *__attribute__((noinline))
bond_env_slow(rt_ref to, unsigned kind, rt_ref from, int reason, uint32_t slot,
    unsigned what)
{
	rt_env *env = rti_block_alloc_class(to.cell->sys, BOND_CLASS,
	    BOND_TOTAL);

	if (env == NULL)
		return NULL;
	return bond_fill(env, to, kind, from, reason, slot, what);
}

rt_env *
rti_bond_env(rt_ref to, unsigned kind, rt_ref from, int reason, uint32_t slot,
    unsigned what)
{
	rti_worker *w = rti_tls_worker;
	rt_env *env;

	/* The common case, a block from the worker's cache, needs no frame:
	 * the others are a tail call. */
	if (!RTI_POOLS || w == NULL ||
	    (env = rti_cache_pop(&w->env_cache[BOND_CLASS - 1])) == NULL)
		return bond_env_slow(to, kind, from, reason, slot, what);
	return bond_fill(env, to, kind, from, reason, slot, what);
}

int
rti_signal(rt_cell *cell, uint64_t gen, unsigned kind, rt_ref from, int reason,
    uint32_t slot)
{
	rt_ref to = { cell, gen };
	rt_env *env = rti_bond_env(to, kind, from, reason, slot, 0);

	if (env == NULL)
		return RT_ENOMEM;
	rti_signal_push(env);
	return 0;
}

static void
lost(rt_system *sys, const char *what)
{
	rti_log(sys, RT_LOG_ERROR, "out of memory: a %s was lost", what);
}

/* Send a DOWN or SUP message, reporting one lost for lack of memory. */
static void
send_bond_msg(rt_ref to, unsigned kind, rt_ref from, int reason, uint32_t slot,
    unsigned what)
{
	rt_env *env = rti_bond_env(to, kind, from, reason, slot, what);

	if (env == NULL) {
		lost(to.cell->sys,
		    kind == RTI_ENV_SUP ? "supervisor event" : "down");
		return;
	}
	rti_send_internal(env, RTI_SEND_REPLY);
}

void
rti_send_down(rt_ref to, rt_ref who, int reason, uint32_t slot, unsigned what)
{
	send_bond_msg(to, RTI_ENV_DOWN, who, reason, slot, what);
}

void
rti_send_sup(rt_ref to, rt_ref from, int reason, uint32_t slot, unsigned what)
{
	send_bond_msg(to, RTI_ENV_SUP, from, reason, slot, what);
}

/* Send a signal, reporting one that cannot be had for lack of memory. */
static void
signal_or_log(rt_ref to, unsigned kind, rt_ref from, int reason, uint32_t slot)
{
	if (rti_signal(to.cell, to.gen, kind, from, reason, slot) != 0)
		lost(to.cell->sys, "signal");
}

static bool
is_abnormal(int reason)
{
	return reason != RT_NORMAL;
}

/*
 * rt_exit's signal, Erlang's exit/2: RT_KILL stops the actor whatever it
 * traps; a trapped one becomes a message, in the place where the signal
 * arrived (its `what` stays RTI_BOND_EXIT2, so that nothing takes it for
 * a link's exit); an untrapped one stops the actor unless it is normal.
 * Without an extension (no memory for one) the actor traps nothing.
 */
static enum rti_bond_step
exit_signal(const struct rti_ext *x, rt_env *env, int *reason)
{
	if (env->v.reason != RT_KILL && x != NULL && x->trap) {
		env->kind = RTI_ENV_DOWN;
		env->flags = RTI_ENV_ODD;
		return RTI_BOND_QUEUE;
	}
	if (env->v.reason == RT_NORMAL)
		return RTI_BOND_FREE;
	*reason = env->v.reason;
	return RTI_BOND_EXIT;
}

enum rti_bond_step
rti_bond_signal(rt_cell *cell, rt_env *env, int *reason, bool *final)
{
	struct rti_bond_msg *m = rt_env_payload(env);
	struct rti_ext *x = rti_ext_get(cell);
	rt_ref self = { cell, cell->live_gen };

	*final = false;
	switch (env->kind) {
	case RTI_ENV_LINK:
		if (x == NULL || refs_add(&x->links, m->from) != 0)
			/* The link cannot be kept: act as if we had died,
			 * so the other side does not count on it. */
			signal_or_log(m->from, RTI_ENV_EXIT, self, RT_ENOMEM,
			    0);
		return RTI_BOND_FREE;
	case RTI_ENV_UNLINK:
		if (x != NULL)
			refs_del(&x->links, m->from);
		return RTI_BOND_FREE;
	case RTI_ENV_MONITOR:
		if (x == NULL || refs_add(&x->watchers, m->from) != 0)
			rti_send_down(m->from, self, RT_ENOMEM, 0,
			    RTI_BOND_MONITOR);
		return RTI_BOND_FREE;
	case RTI_ENV_DEMONITOR:
		if (x != NULL)
			refs_del(&x->watchers, m->from);
		return RTI_BOND_FREE;
	case RTI_ENV_EXIT:
		if (m->what == RTI_BOND_EXIT2)
			return exit_signal(x, env, reason);
		/* Only from a link still held: an unlink may have crossed
		 * it on the way. */
		if (x == NULL || !refs_del(&x->links, m->from))
			return RTI_BOND_FREE;
		if (x->trap) {
			/* It becomes a message, in the place where the exit
			 * arrived. */
			env->kind = RTI_ENV_DOWN;
			env->flags = RTI_ENV_ODD;
			m->what = RTI_BOND_LINK;
			return RTI_BOND_QUEUE;
		}
		/* The supervisor of a child is gone: the child goes too, for
		 * good, whatever the reason (nobody would restart it). */
		if (rt_ref_equal(m->from, x->parent)) {
			*final = true;
			*reason = is_abnormal(env->v.reason) ? env->v.reason :
							       RT_ESHUTDOWN;
			return RTI_BOND_EXIT;
		}
		if (!is_abnormal(env->v.reason))
			return RTI_BOND_FREE;
		*reason = env->v.reason;
		return RTI_BOND_EXIT;
	default:
		return RTI_BOND_FREE;
	}
}

void
rti_bond_stale(rt_env *env)
{
	const struct rti_bond_msg *m = rt_env_payload(env);
	rt_ref gone = { env->cell, env->gen };

	if (env->size < sizeof(*m))
		return; /* a stop */

	if (env->kind == RTI_ENV_LINK)
		signal_or_log(m->from, RTI_ENV_EXIT, gone, RT_ENOACTOR, 0);
	else if (env->kind == RTI_ENV_MONITOR)
		rti_send_down(m->from, gone, RT_ENOACTOR, 0, RTI_BOND_MONITOR);
	else if (env->kind == RTI_ENV_RESTART)
		free(((struct rti_bond_msg *)rt_env_payload(env))->path);
}

void
rti_bonds_exit(rt_cell *cell, uint64_t gen, int reason)
{
	struct rti_ext *x = cell->ext;
	rt_ref self = { cell, gen };
	uint32_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->links.n; i++) {
		rt_ref to = x->links.at[i];
		bool parent = rt_ref_equal(to, x->parent);

		signal_or_log(to, RTI_ENV_EXIT, self, reason,
		    parent ? x->slot : 0);
	}
	for (i = 0; i < x->watchers.n; i++)
		rti_send_down(x->watchers.at[i], self, reason, 0,
		    RTI_BOND_MONITOR);
	for (i = 0; i < x->watching.n; i++)
		signal_or_log(x->watching.at[i], RTI_ENV_DEMONITOR, self, 0, 0);
	x->links.n = 0;
	x->watchers.n = 0;
	x->watching.n = 0;
	x->trap = false;
}

/*
 * A supervisor's health probe reaches its child: the child's on_health
 * says how it is (a class without one is failed: rt_sup_start refuses
 * such a spec, so only a spec written by hand gets here), and the answer
 * goes back with the probe's number. The child goes on whatever it says:
 * the supervisor decides.
 */
static int
probe_answer(rt_cell *cell, rt_ctx *ctx, const struct rti_bond_msg *m)
{
	const rt_actor_class *cls = cell->cls;
	rt_ref self = { cell, ctx->gen };
	int status = cls->on_health != NULL ? cls->on_health(cell->state, ctx) :
					      RT_FAILED;
	rt_env *env = rti_bond_env(m->from, RTI_ENV_SUP, self, status, m->slot,
	    RTI_BOND_HEALTH);

	if (env == NULL) {
		lost(cell->sys, "health answer");
		return 0;
	}
	((struct rti_bond_msg *)rt_env_payload(env))->seq = m->seq;
	rti_send_internal(env, RTI_SEND_REPLY);
	return 0;
}

int
rti_down_deliver(rt_cell *cell, rt_ctx *ctx, rt_env *env)
{
	const struct rti_bond_msg *m = rt_env_payload(env);
	const rt_actor_class *cls = cell->cls;
	struct rti_ext *x = cell->ext;

	if (env->kind == RTI_ENV_SUP) {
		if (cls == &rti_sup_class)
			return rti_sup_event(cell->state, ctx, m,
			    env->v.reason);
		return m->what == RTI_BOND_PROBE ? probe_answer(cell, ctx, m) :
						   0;
	}
	/* A monitor's down whose monitor was taken back after it was
	 * queued is dropped, as Erlang's demonitor flushes it. */
	if (m->what == RTI_BOND_MONITOR &&
	    (x == NULL || !refs_del(&x->watching, m->from)))
		return 0;
	if (cls == &rti_sup_class)
		/* A child's exit (it links them, trapping). */
		return rti_sup_event(cell->state, ctx, m, env->v.reason);
	if (cls->on_down == NULL)
		return 0;
	return cls->on_down(cell->state, ctx, m->from, env->v.reason);
}

/* --- the handler's calls ------------------------------------------------- */

/* The running actor, or NULL when ctx is not a handler's. */
static rt_cell *
running(rt_ctx *ctx)
{
	return ctx != NULL ? ctx->cell : NULL;
}

static int
check_peer(rt_cell *self, rt_ref ref)
{
	if (ref.cell == NULL || (ref.gen & 1) == 0 ||
	    ref.cell->sys != self->sys || ref.cell == self)
		return RT_EINVAL;
	return 0;
}

int
rt_monitor(rt_ctx *ctx, rt_ref ref)
{
	rt_cell *self = running(ctx);
	struct rti_ext *x;
	rt_ref me;
	int r;

	if (self == NULL || self->cls->on_down == NULL)
		return RT_EINVAL;
	if ((r = check_peer(self, ref)) != 0)
		return r;
	me.cell = self;
	me.gen = ctx->gen;
	if ((x = rti_ext_get(self)) == NULL)
		return RT_ENOMEM;
	if (refs_has(&x->watching, ref))
		return 0;
	if ((r = refs_add(&x->watching, ref)) != 0)
		return r;
	/* A dead target answers with a down when it drains the signal
	 * (rti_bond_stale), so the down keeps its place after whatever the
	 * target sent before dying. */
	if ((r = rti_signal(ref.cell, ref.gen, RTI_ENV_MONITOR, me, 0, 0)) != 0)
		refs_del(&x->watching, ref);
	return r;
}

int
rt_demonitor(rt_ctx *ctx, rt_ref ref)
{
	rt_cell *self = running(ctx);
	rt_ref me;

	if (self == NULL || ref.cell == NULL)
		return RT_EINVAL;
	if (self->ext == NULL || !refs_del(&self->ext->watching, ref))
		return 0;
	me.cell = self;
	me.gen = ctx->gen;
	return rti_signal(ref.cell, ref.gen, RTI_ENV_DEMONITOR, me, 0, 0);
}

int
rt_link(rt_ctx *ctx, rt_ref ref)
{
	rt_cell *self = running(ctx);
	struct rti_ext *x;
	rt_ref me;
	int r;

	if (self == NULL)
		return RT_EINVAL;
	if ((r = check_peer(self, ref)) != 0)
		return r;
	if ((x = rti_ext_get(self)) == NULL)
		return RT_ENOMEM;
	if (refs_has(&x->links, ref))
		return 0;
	if ((r = refs_add(&x->links, ref)) != 0)
		return r;
	me.cell = self;
	me.gen = ctx->gen;
	if ((r = rti_signal(ref.cell, ref.gen, RTI_ENV_LINK, me, 0, 0)) != 0)
		refs_del(&x->links, ref);
	return r;
}

int
rt_unlink(rt_ctx *ctx, rt_ref ref)
{
	rt_cell *self = running(ctx);
	rt_ref me;

	if (self == NULL || ref.cell == NULL)
		return RT_EINVAL;
	if (self->ext == NULL || !refs_del(&self->ext->links, ref))
		return 0;
	me.cell = self;
	me.gen = ctx->gen;
	return rti_signal(ref.cell, ref.gen, RTI_ENV_UNLINK, me, 0, 0);
}

int
rt_trap_exits(rt_ctx *ctx, bool on)
{
	rt_cell *self = running(ctx);
	struct rti_ext *x;

	if (self == NULL ||
	    (on && self->cls->on_down == NULL && self->cls != &rti_sup_class))
		return RT_EINVAL;
	if ((x = rti_ext_get(self)) == NULL)
		return RT_ENOMEM;
	x->trap = on;
	return 0;
}
