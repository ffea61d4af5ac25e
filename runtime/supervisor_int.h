/* SPDX-License-Identifier: MIT */
/*
 * Supervisors (supervisor.c) as the rest of the runtime sees them.
 */
#ifndef RT_RUNTIME_SUPERVISOR_INT_H
#define RT_RUNTIME_SUPERVISOR_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/supervisor.h>

#include "bonds.h"

/* The class of every supervisor; its args are a struct rti_sup_args. */
extern const rt_actor_class rti_sup_class;

/*
 * The trailer of a supervised child's start signal (envelope flag
 * RTI_ENV_CHILD): where it belongs. The cell takes over `path`.
 */
struct rti_child_start {
	rt_ref parent;
	char *path;
	uint32_t slot;
	bool wait; /* wait in the cell for the supervisor's first RESTART
	              (a child of rt_sup_start_child) */
};

/* The spawn arguments of a supervisor. */
struct rti_sup_args {
	const rt_sup_spec *spec;
	struct start_wait *wait; /* a thread in rt_sup_start, or NULL */
};

/* A thread waiting in rt_sup_start (on its stack). */
struct start_wait {
	uint32_t state; /* atomic futex word: 0 waiting, 1 told */
	int result;
};

/* What a child's last health probe said (RTI_HEALTH_NONE: not probed,
 * or no answer yet). */
enum rti_health {
	RTI_HEALTH_NONE,
	RTI_HEALTH_HEALTHY,
	RTI_HEALTH_DEGRADED,
	RTI_HEALTH_FAILED,
};

/*
 * A supervisor's table of children (supervisor_api.c), for rt_sup_child,
 * rt_system_dump and the routers of pools (router.c): read by any thread,
 * so every access is atomic; never freed before the system, like the
 * extension that points at it. A slot's gen is the sequence word of its
 * entry: 0 while the entry changes hands, so that a reader never pairs
 * one child's cell (or number) with another's gen.
 *
 * rti_sup_kids_table: the supervisor's table, grown to `need` slots if
 * need be (owner; NULL for lack of memory); rti_sup_kids_set: publish slot
 * i's ref, the N of its name (simple_one_for_one, else 0) and its state,
 * with no health (owner); rti_sup_kids_state: publish a new state for
 * slot i (owner); rti_sup_kids_health: publish its health (enum
 * rti_health; owner).
 */
struct rti_kid_slot {
	uint64_t cell;   /* atomic */
	uint64_t gen;    /* atomic: 0, none */
	uint64_t number; /* atomic: simple_one_for_one, N of its name */
	uint32_t state;  /* atomic: the supervisor's view of it (enum
	                    kid_state, supervisor.c) */
	uint32_t health; /* atomic: its last probe's answer (enum
	                    rti_health), for rt_system_dump */
};

/* A word that senders of many threads add to, alone on its cache line so
 * that it does not drag its neighbours' lines along. */
struct rti_line_counter {
	uint64_t v; /* atomic */
	char pad[64 - sizeof(uint64_t)];
};

struct rti_kids {
	struct rti_kids *old; /* a smaller table it replaced */
	uint32_t cap;
	uint32_t n; /* atomic */
	/* atomic: what a pool's router counts (router.c), made on its
	 * first pick, cap + 1 + the workers counters: [0] the plain
	 * threads' round-robin turn, [1 + i] the messages routed to slot i
	 * by least_loaded, [1 + cap + w] worker w's round-robin turn. NULL
	 * until then. */
	struct rti_line_counter *counters;
	struct rti_kid_slot at[];
};

struct rti_kids *rti_sup_kids_table(rt_cell *cell, uint32_t need);
void rti_sup_kids_set(rt_cell *cell, uint32_t i, rt_ref r, uint64_t number,
    uint32_t state);
void rti_sup_kids_state(rt_cell *cell, uint32_t i, uint32_t state);
void rti_sup_kids_health(rt_cell *cell, uint32_t i, uint32_t health);

/* One slot of a supervisor's table as another thread sees it. */
struct rti_kid_view {
	rt_ref ref;
	uint64_t number; /* simple_one_for_one: N of its name, else 0 */
	uint32_t state;  /* for rti_sup_kid_state_name */
	uint32_t health; /* enum rti_health */
};

/* rti_sup_health_name: "healthy", "degraded", "failed", or NULL for
 * RTI_HEALTH_NONE. */
const char *rti_sup_health_name(uint32_t health);

/*
 * rti_sup_kids_count: how many slots the table of the supervisor in `sup`
 * has used (any thread; a snapshot). rti_sup_kid_read: slot `index` of
 * supervisor `sup`'s table: false when the slot is empty, changing hands,
 * or `sup` is no longer alive (any thread).
 */
uint32_t rti_sup_kids_count(rt_cell *sup);
bool rti_sup_kid_read(rt_ref sup, uint32_t index, struct rti_kid_view *out);

/* rti_sup_path: a child's path, "<parent>/<name>", or with a number (of
 * a simple_one_for_one supervisor) "<parent>/<name>.<number>"; NULL for
 * lack of memory. The caller frees it. */
char *rti_sup_path(const char *parent, const char *name, uint64_t number);

/* rti_sup_kid_state_name: what a slot's state says, in words ("running",
 * "waiting for restart", ...). rti_sup_kid_running: whether it says the
 * child runs (or is starting). */
const char *rti_sup_kid_state_name(uint32_t state);
bool rti_sup_kid_running(uint32_t state);

/* What a MANAGE request (bonds.h) asks, in its slot. */
#define RTI_MANAGE_TERMINATE 0u
#define RTI_MANAGE_RESTART 1u

/*
 * rti_sup_spawn_child: spawn a supervised child of class `cls`, its start
 * arguments `args` (NULL: zero; args_len bytes plus what the class's
 * args_extra says) copied, and `where` in its start signal. 0 or an RT_E*
 * code; *out gets its ref.
 */
int rti_sup_spawn_child(rt_system *sys, const rt_actor_class *cls,
    const void *args, size_t args_len, const struct rti_child_start *where,
    rt_ref *out);

/* rti_sup_event: a DOWN message for a supervisor (bonds.c). */
int rti_sup_event(void *state, rt_ctx *ctx, const struct rti_bond_msg *m,
    int reason);

/*
 * rti_sup_forget: the actor of class `cls` in `cell` stops for good: its
 * place in a tree (path, kept start signal) goes, and if it is a root
 * supervisor, rt_system_wait looks at the roots again (whether or not its
 * on_start ran: one that failed has no on_stop). Owner only.
 */
void rti_sup_forget(rt_cell *cell, const rt_actor_class *cls);

/* rti_sup_kids_free: free a supervisor's table of children (at the end). */
void rti_sup_kids_free(struct rti_ext *x);

/* rti_sup_adopt_lost: a rt_sup_start_child request that its supervisor
 * will never handle: its child stops for good. */
void rti_sup_adopt_lost(rt_env *env);

#endif
