/* SPDX-License-Identifier: MIT */
/*
 * The walk behind rt_system_dump and rt_metrics_write (walk.c): every
 * live actor of a system, with what can be read about it without stopping
 * anyone, handed to a visitor one at a time, the supervision trees first,
 * in pre-order, then the actors outside them. And the escaping both
 * writers need.
 */
#ifndef RT_RUNTIME_OBSERVE_INT_H
#define RT_RUNTIME_OBSERVE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <rt/actor.h>
#include <rt/observe.h>
#include <rt/protocol.h>
#include <rt/supervisor.h>

/* One live actor as the walk found it; valid during the visit only. */
struct rti_obs_node {
	rt_ref ref;
	const rt_actor_class *kind;
	const rt_sup_spec *spec; /* a supervisor's, else NULL */
	const char *path;        /* in a tree (with paths), else NULL */
	const char *name;        /* its registered name (with paths), or
	                            NULL */
	const char *state;       /* static text */
	const char *health;      /* a probed child's last answer
	                            ("healthy", ...: static), else NULL */
	rt_actor_stats stats;
	uint32_t stashed; /* of stats.depth: kept by rt_stash, or postponed
	                     by a state machine */
	uint32_t restarts;
	uint32_t depth;   /* in its tree: 0 for a root (and outside) */
	uint32_t omitted; /* a capped walk: its children left out */
	bool in_tree;
};

/* What the walk calls for each node: 0 to go on, or a code to stop. */
typedef int (*rti_obs_visit_fn)(void *arg, const struct rti_obs_node *node);

/*
 * rti_obs_walk: call `visit` for every live actor of `sys`: the nodes of
 * the supervision trees first, root by root in start order, each tree in
 * pre-order (a node's children follow it, one deeper), then the actors
 * outside the trees. `paths`: also find the paths and registered names
 * (the dump wants them, the metrics do not). Returns 0, RT_ENOMEM, or
 * what `visit` returned to stop. Any thread; holds a lock of the system
 * only for an instant at a time, and none while it calls `visit`.
 */
int rti_obs_walk(rt_system *sys, bool paths, rti_obs_visit_fn visit, void *arg);

/*
 * rti_obs_walk_capped: rti_obs_walk that visits at most `max` children of
 * each supervisor (the first ones; node->omitted counts the others) and
 * at most `max` actors outside the trees (*more: some were left out),
 * and reads nothing of those it leaves out: what it costs is bounded by
 * what it shows, however many actors the system has. max 0: no cap.
 */
int rti_obs_walk_capped(rt_system *sys, bool paths, uint32_t max,
    rti_obs_visit_fn visit, void *arg, bool *more);

/*
 * rti_dump_json_capped: rt_system_dump's JSON, from a walk capped at
 * `max` (rti_obs_walk_capped): a supervisor with children left out has
 * "omitted": N, and the top object "more_actors": true when actors
 * outside the trees were left out. Returns as rt_system_dump.
 */
int rti_dump_json_capped(rt_system *sys, FILE *out, uint32_t max);

/* How rti_obs_put writes a string. */
enum rti_obs_style {
	RTI_OBS_JSON,  /* a JSON string's contents */
	RTI_OBS_LABEL, /* a Prometheus label value: \\, \", \n */
	RTI_OBS_TEXT,  /* for a person: control bytes as \xNN */
};

/*
 * rti_obs_put: write `s` (NUL-terminated) escaped as `style` says; bytes
 * that are not UTF-8 become U+FFFD (JSON, LABEL) or \xNN (TEXT). Write
 * errors are left in the stream (ferror).
 */
void rti_obs_put(FILE *out, const char *s, enum rti_obs_style style);

#endif
