/* SPDX-License-Identifier: MIT */
/*
 * A view inside a running system: the live supervision trees and the
 * actors outside them (rt_system_dump), and the system's counters in the
 * Prometheus text format (rt_metrics_write).
 *
 * Both read the system as it runs, from any thread, and never stop or
 * slow its workers: they take no lock a message's send or handling takes.
 * What they print is therefore a snapshot taken over the time of the
 * walk, not at one instant:
 *
 * - each actor's figures are read one after another while it runs: its
 *   mailbox depth and its handled count may be a message apart, and its
 *   state (the supervisor's view of it) a step behind its exit or restart;
 * - different actors are read at different moments: an actor spawned
 *   during the walk may be missing, one that stopped during it may still
 *   be shown (with figures that were true just before it stopped), and a
 *   child restarted meanwhile may show the restarts of after the walk
 *   began;
 * - the system counters are summed over the workers one by one, and are
 *   exact only once the system is quiet (as rt_stats_system's).
 *
 * Nothing read about an actor is ever taken from a later incarnation in
 * its cell: every actor's figures are checked against its generation
 * after they are read, and dropped if it changed.
 */
#ifndef RT_OBSERVE_H
#define RT_OBSERVE_H

#include <stdio.h>
#include <rt/version.h>
#include <rt/system.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Formats of rt_system_dump. */
typedef enum rt_dump_format {
	RT_DUMP_TEXT = 0, /* an indented tree, for a person */
	RT_DUMP_JSON = 1, /* for tools */
} rt_dump_format;

/*
 * rt_system_dump: write the live supervision trees of `sys` and the
 * actors outside them to `out`, as `format` says.
 *
 * Each actor (a node) has its path in its tree ("Shop/pool/worker.3"; an
 * actor outside the trees has its registered name, if any, instead), its
 * kind (its class, "protocol.Actor"; "rt.supervisor" for supervisors),
 * its state ("running"; and, as its supervisor sees it: "starting",
 * "waiting for restart" between an exit and its restart, during the
 * backoff; "stopping", asked to stop, or a supervisor stopping its
 * children), its mailbox depth and bound (0: unbounded), the messages it
 * has handled, how many times it was restarted, and its health (not yet
 * probed: always null). JSON, one object:
 *
 *   {"trees": [node...], "actors": [node...]}
 *
 * where a node is {"path", "kind", "state", "mailbox": {"depth",
 * "bound", "high_water"}, "handled", "restarts", "health", "name",
 * "supervisor", "children": [node...]}; "name" is the registered name
 * or null, "supervisor" is null or, for a supervisor, {"spec",
 * "strategy"}. "path" is null for an actor outside the trees without a
 * name. The keys of DESIGN.md §10.3 never change; keys may be added.
 * Strings are escaped as JSON requires; bytes that are not UTF-8 are
 * written as U+FFFD.
 *
 * See the top of this file for what may be torn. Any thread, an actor's
 * handler included; it allocates while it walks and writes to `out` only
 * once the walk is over, holding no lock of the system.
 *
 * Returns 0; RT_EINVAL for a NULL sys or out or an unknown format;
 * RT_ENOMEM; RT_EIO when writing to `out` failed (what was written may
 * be incomplete).
 */
RT_API int rt_system_dump(rt_system *sys, FILE *out, int format);

/*
 * rt_metrics_write: write the metrics of `sys` to `out` in the Prometheus
 * text exposition format 0.0.4 (what a /metrics endpoint serves): the
 * counters of rt_stats_system as counters (rt_messages_sent_total,
 * rt_dead_letters_total{cause="stopped|dropped|expired"}, ...), the live
 * actors, and per actor kind the actors and their mailbox depths (summed,
 * and the deepest), per supervisor spec its live children; a HELP and a
 * TYPE line for every family. No series per actor: the number of series
 * grows with the kinds in the program, not with its actors.
 *
 * Once the system is quiet, every counter equals its rt_stats_system
 * field. Any thread; never stops the workers (see the top of this file).
 * Returns 0, RT_EINVAL (NULL sys or out), RT_ENOMEM or RT_EIO.
 */
RT_API int rt_metrics_write(rt_system *sys, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
