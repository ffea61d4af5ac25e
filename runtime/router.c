/* SPDX-License-Identifier: MIT */
/*
 * The routers of pools (include/rt/router.h): which member of a pool the
 * next message goes to.
 *
 * A pool is a one_for_one supervisor whose children are its members, in
 * index order, so a member's ref is in its supervisor's table of children
 * (supervisor_int.h), which any thread may read without a lock: each slot
 * is a small seqlock (its gen is the sequence word). A member restarted in
 * place keeps its slot and its ref; only a restart of the whole pool (a
 * pool that is a child of a supervisor that restarts it) puts new refs in
 * the slots. A pick reads the slot of the index it chose, then checks the
 * pool's own generation, so that a table seen through a stale ref (a cell
 * reused by another supervisor) is never used.
 *
 * The counters of round_robin and least_loaded live beside the table, each
 * on a cache line of its own, made on the first pick that needs them (a
 * CAS publishes them; the loser frees its copy) and kept, like the table,
 * until the system ends: [0] the plain threads' round-robin turn, [1 + i]
 * what least_loaded routed to slot i, [1 + cap + w] worker w's own
 * round-robin turn. Nothing on the fast path locks or allocates, and a
 * worker's round-robin pick writes no line that another core writes.
 *
 * least_loaded counts, per member, the messages routed to it, against the
 * messages the member has taken (handled or dead) as its cell counts them,
 * which a worker brings up to date at the end of each run: a member stuck
 * in a handler has all it was routed since its run began, and more with
 * each pick, while the others come back to nothing. Messages a member gets
 * other ways (a reply to its own ask, a direct send) would make it look
 * less loaded than it is; a member seen idle (its mailbox empty and not
 * running) is known to have nothing, so its count is brought back into
 * line with what it has taken then.
 */
#include <rt/router.h>

#include <stdlib.h>
#include <string.h>

#include "bonds.h"
#include "cell.h"
#include "rt_atomic.h"
#include "sched.h"
#include "supervisor_int.h"
#include "system_int.h"

/* Is spec a pool's: one_for_one, `size` children, all actors of one
 * kind? */
static bool
pool_spec_ok(const rt_pool_spec *spec)
{
	const rt_sup_spec *sup = spec->sup;
	uint32_t i;

	if (spec->abi != RT_PROTOCOL_ABI || sup == NULL || spec->size == 0 ||
	    sup->strategy != RT_ONE_FOR_ONE || sup->nchildren != spec->size ||
	    (unsigned)spec->route > RT_ROUTE_HASH)
		return false;
	for (i = 0; i < sup->nchildren; i++)
		if (sup->children[i].cls == NULL ||
		    sup->children[i].cls != sup->children[0].cls)
			return false;
	return true;
}

int
rt_pool_start(rt_system *sys, const rt_pool_spec *spec, rt_ref *out)
{
	if (sys == NULL || spec == NULL || !pool_spec_ok(spec))
		return RT_EINVAL;
	return rt_sup_start(sys, spec->sup, out);
}

/* The table of children of the supervisor in pool.cell, or NULL. */
static struct rti_kids *
table_of(rt_ref pool)
{
	struct rti_ext *x = rti_ext_peek(pool.cell);
	struct rti_kids *t;

	if (x == NULL)
		return NULL;
	t = ck_pr_load_ptr(&x->kids);
	/* Acquire: pairs with the release in rti_sup_kids_table. */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&x->kids);
	return t;
}

/* Slot i's ref, as rti_sup_kid_read reads it, without what only the
 * dump wants: false when the slot is empty or changing hands. */
static inline bool
slot_ref(struct rti_kids *t, uint32_t i, rt_ref *out)
{
	struct rti_kid_slot *k;
	uint64_t gen;

	/* Relaxed: a count of used slots; each slot is checked by its own
	 * gen below. */
	if (i >= ck_pr_load_32(&t->n))
		return false;
	k = &t->at[i];
	gen = ck_pr_load_64(&k->gen);
	/* Acquire: pairs with the release in rti_sup_kids_set. */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&k->gen);
	out->cell = (rt_cell *)(uintptr_t)ck_pr_load_64(&k->cell);
	/* The cell's load before the second look at the gen. */
	ck_pr_fence_load();
	if (gen == 0 || ck_pr_load_64(&k->gen) != gen)
		return false;
	out->gen = gen;
	return true;
}

/* The router's counters of table t, made now: t->cap + 1 + the system's
 * workers lines, each worker's turn starting at its share of the n
 * members, so that workers do not walk the members in step; NULL for
 * lack of memory. Once per table: kept out of the fast path. */
static __attribute__((noinline)) struct rti_line_counter *
counters_make(struct rti_kids *t, const rt_system *sys, uint32_t n)
{
	struct rti_line_counter *c, *mine;
	size_t lines = (size_t)t->cap + 1 + sys->nworkers;
	unsigned w;

	mine = aligned_alloc(sizeof(*c), lines * sizeof(*c));
	if (mine == NULL)
		return NULL;
	memset(mine, 0, lines * sizeof(*c));
	for (w = 0; w < sys->nworkers; w++)
		mine[1 + t->cap + w].v = (uint64_t)w * n / sys->nworkers;
	/* Release: whoever finds the pointer finds the lines set. */
	RT_TSAN_RELEASE(&t->counters);
	ck_pr_fence_store_atomic();
	if (ck_pr_cas_ptr_value(&t->counters, NULL, mine, &c))
		return mine;
	free(mine);
	/* Acquire: the winner's lines (see above). */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&t->counters);
	return c;
}

/* The router's counters of table t (of a pool of n members in system
 * sys), made on first use; NULL for lack of memory. */
static inline struct rti_line_counter *
counters_of(struct rti_kids *t, const rt_system *sys, uint32_t n)
{
	struct rti_line_counter *c = ck_pr_load_ptr(&t->counters);

	/* Acquire: pairs with the CAS in counters_make, in whichever thread
	 * won it. */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(&t->counters);
	return __builtin_expect(c != NULL, 1) ? c : counters_make(t, sys, n);
}

/* The round-robin turn of this sender: a worker of the pool's system
 * counts on a line of its own, which no other thread writes, so a plain
 * increment does (the locked add it saves is most of a pick's cost); any
 * other thread takes a turn from the shared counter. */
static inline uint64_t
next_turn(struct rti_kids *t, struct rti_line_counter *c, rt_system *sys)
{
	rti_worker *w = rti_sched_worker(sys);
	struct rti_line_counter *mine;
	uint64_t turn;

	if (__builtin_expect(w == NULL, 0))
		/* Relaxed: each plain thread needs a distinct turn, which
		 * the atomic add gives; nothing is published through it. */
		return ck_pr_faa_64(&c[0].v, 1);
	mine = &c[1 + t->cap + w->index];
	/* Relaxed: only this worker's thread writes the line; atomic
	 * accesses only because the counters are freed by another thread
	 * at the system's end, after the workers have stopped. */
	turn = ck_pr_load_64(&mine->v);
	ck_pr_store_64(&mine->v, turn + 1);
	return turn;
}

/* A per-thread generator for random picks (xorshift64*): no shared line,
 * no lock. Seeded from its own address and the clock on first use. */
static __thread uint64_t rand_state __attribute__((tls_model("initial-exec")));

static __attribute__((noinline, cold)) uint64_t
first_random(void)
{
	uint64_t x = (uint64_t)(uintptr_t)&rand_state ^
	    (uint64_t)rti_clock_now() ^ 0x9e3779b97f4a7c15ull;

	return x != 0 ? x : 1;
}

static inline uint64_t
next_random(void)
{
	uint64_t x = rand_state;

	if (__builtin_expect(x == 0, 0))
		x = first_random();
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rand_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* A well-mixed 64-bit value (splitmix64's finaliser), so that keys that
 * differ in their low bits only spread over the members. */
static inline uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* h scaled to [0, n) without a division (Lemire's multiply-shift). */
static inline uint32_t
scale(uint64_t h, uint32_t n)
{
	return (uint32_t)(((h >> 32) * (uint64_t)n) >> 32);
}

/* What member `m` (in slot i) has been routed and not taken yet, by the
 * counters c; an idle member has nothing, and its count is brought back
 * to what it has taken. */
static inline int64_t
load_of(struct rti_line_counter *c, uint32_t i, rt_ref m)
{
	rt_cell *cell = m.cell;
	/* Relaxed: a snapshot; a pick on a stale one is still a pick. */
	uint64_t taken = ck_pr_load_64(&cell->handled) +
	    ck_pr_load_64(&cell->dead);
	uint64_t sent = ck_pr_load_64(&c[1 + i].v);

	if (rti_mailbox_is_idle(&cell->mb)) {
		/* Relaxed: a correction of a count that only steers picks;
		 * an add of another sender that it overwrites costs a pick
		 * on a member one message fuller than it looks. */
		if (sent != taken)
			ck_pr_store_64(&c[1 + i].v, taken);
		return 0;
	}
	return (int64_t)(sent - taken);
}

/* least_loaded: the member with the least routed and not taken, the
 * lowest index on a tie; an idle one at once. Counts the pick. Not
 * inlined: its loop would widen the frame of the other routes' path. */
static __attribute__((noinline)) int
pick_least(struct rti_kids *t, const rt_system *sys, uint32_t n, rt_ref *out)
{
	struct rti_line_counter *c = counters_of(t, sys, n);
	int64_t best_load = INT64_MAX;
	uint32_t i, best = n;
	rt_ref m, best_ref = { NULL, 0 };

	if (c == NULL)
		return RT_ENOMEM;
	for (i = 0; i < n; i++) {
		int64_t load;

		if (!slot_ref(t, i, &m))
			continue;
		load = load_of(c, i, m);
		if (load < best_load) {
			best_load = load;
			best = i;
			best_ref = m;
			if (load <= 0)
				break;
		}
	}
	if (best == n)
		return RT_ENOACTOR;
	/* Relaxed: a count, read as a snapshot by the next picks. */
	ck_pr_faa_64(&c[1 + best].v, 1);
	*out = best_ref;
	return 0;
}

/* The first filled slot from i on, wrapping (round_robin, random). */
static inline bool
slot_from(struct rti_kids *t, uint32_t i, uint32_t n, rt_ref *out)
{
	uint32_t k;

	for (k = 0; k < n; k++, i = i + 1 == n ? 0 : i + 1)
		if (slot_ref(t, i, out))
			return true;
	return false;
}

static int
pick(rt_ref pool, const rt_pool_spec *spec, uint64_t key, rt_ref *out)
{
	rt_system *sys = pool.cell->sys;
	struct rti_line_counter *c;
	struct rti_kids *t;
	uint32_t n = spec->size, i;
	uint64_t turn;
	int r = 0;

	if ((t = table_of(pool)) == NULL)
		return RT_ENOACTOR;
	if (n > t->cap)
		n = t->cap;
	if (n == 0)
		return RT_ENOACTOR;
	switch (spec->route) {
	case RT_ROUTE_ROUND_ROBIN:
		if ((c = counters_of(t, sys, n)) == NULL)
			return RT_ENOMEM;
		turn = next_turn(t, c, sys);
		/* A power of two (the usual size) takes a mask. */
		i = (n & (n - 1)) == 0 ? (uint32_t)(turn & (n - 1)) :
					 (uint32_t)(turn % n);
		if (!slot_from(t, i, n, out))
			return RT_ENOACTOR;
		break;
	case RT_ROUTE_RANDOM:
		if (!slot_from(t, scale(next_random(), n), n, out))
			return RT_ENOACTOR;
		break;
	case RT_ROUTE_HASH:
		/* Always the same index for the same key: an empty place is
		 * not skipped. */
		if (!slot_ref(t, scale(mix(key), n), out))
			return RT_ENOACTOR;
		break;
	case RT_ROUTE_LEAST_LOADED:
		r = pick_least(t, sys, n, out);
		break;
	case RT_ROUTE_BROADCAST:
	default:
		return RT_EINVAL;
	}
	if (r != 0)
		return r;
	/* The table was the pool's own only if the pool is still the
	 * incarnation the ref names (rt_actor_alive, without its call). */
	return rti_cell_gen(pool.cell) == pool.gen ? 0 : RT_ENOACTOR;
}

/* A pick that found no member: counted as a refused send. Out of the
 * fast path. */
static __attribute__((noinline, cold)) int
refused(rt_ref pool, int r)
{
	rt_system *sys = pool.cell->sys;

	rti_count(sys, refused, 1);
	return r;
}

int
rt_pool_pick(rt_ref pool, const rt_pool_spec *spec, uint64_t key, rt_ref *out)
{
	int r;

	/* The ABI first: a spec laid out by another generator cannot be
	 * read any further. */
	if (spec == NULL || out == NULL || pool.cell == NULL ||
	    spec->abi != RT_PROTOCOL_ABI || spec->route == RT_ROUTE_BROADCAST)
		return RT_EINVAL;
	r = pick(pool, spec, key, out);
	return __builtin_expect(r == 0, 1) ? 0 : refused(pool, r);
}

int
rt_pool_member(rt_ref pool, uint32_t index, rt_ref *out)
{
	struct rti_kids *t;

	if (out == NULL || pool.cell == NULL)
		return RT_EINVAL;
	if ((t = table_of(pool)) == NULL || !slot_ref(t, index, out) ||
	    !rt_actor_alive(pool))
		return RT_ENOACTOR;
	return 0;
}

/* --- keys ------------------------------------------------------------------ */

uint64_t
rt_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t
rt_hash_str(const char *s)
{
	return rt_hash_bytes(s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

uint64_t
rt_hash_ref(rt_ref r)
{
	return mix((uint64_t)(uintptr_t)r.cell) ^ r.gen;
}
