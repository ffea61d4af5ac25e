/* SPDX-License-Identifier: MIT */
/*
 * A view inside a running system: the live supervision trees and the
 * actors outside them (rt_system_dump), the system's counters in the
 * Prometheus text format (rt_metrics_write), and both, with a live page
 * for a person, over HTTP (rt_observer_start).
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

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <rt/version.h>
#include <rt/actor.h>
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
 * children), its mailbox depth and bound (0: unbounded), how many of the
 * messages waiting it has stashed (rt_stash) or postponed (a state
 * machine's `accept M in ...`), the messages it has handled, how many times it was restarted, and its health (not yet
 * probed: always null). JSON, one object:
 *
 *   {"trees": [node...], "actors": [node...]}
 *
 * where a node is {"path", "kind", "state", "mailbox": {"depth",
 * "bound", "high_water", "stashed"}, "handled", "restarts", "health", "name",
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
 * and the deepest) and the messages they stashed or postponed (summed,
 * rt_mailbox_stashed), per supervisor spec its live children; a HELP and a
 * TYPE line for every family. No series per actor: the number of series
 * grows with the kinds in the program, not with its actors.
 *
 * Once the system is quiet, every counter equals its rt_stats_system
 * field. Any thread; never stops the workers (see the top of this file).
 * Returns 0, RT_EINVAL (NULL sys or out), RT_ENOMEM or RT_EIO.
 */
RT_API int rt_metrics_write(rt_system *sys, FILE *out);

/*
 * rt_trace: turn the tracing of actor `ref` on or off (off when it is
 * spawned), as Erlang's sys:trace. While on, each message it handles is
 * logged through the system's log hook (rt_config.log) at RT_LOG_INFO,
 * after its handler returned, as one line naming the actor (its path in
 * its tree, or its kind and ref), the message as its kind's generated
 * printer shows it (the one crash reports use: "Work{n=3}"), and the
 * handler's result:
 *
 *   trace: Shop/cart (shop.Cart) handled AddItem{sku="b-12", qty=2} -> 0
 *   trace: Shop/cart (shop.Cart) handled Pay{cents=0} -> 7 (handler error)
 *
 * A down, a supervisor's event or a readiness shows as its name only
 * ("down", "io"). The switch travels in the actor's mailbox, in order
 * with its messages: those a thread sends after its rt_trace are traced,
 * or no longer, and those sent before are not, or still are. It stays on
 * across the restarts of a supervised child (the ref is the same), and
 * ends with the actor. While off it costs the actor's runs nothing; while
 * on, a line formatted per message (on the worker, before the next).
 *
 * Any thread, an actor's handler included. Returns 0; RT_EINVAL for the
 * zero ref; RT_ENOACTOR when the actor has stopped for good; RT_ESHUTDOWN
 * once the system is shutting down; RT_ENOMEM.
 */
RT_API int rt_trace(rt_ref ref, bool on);

/* --- the observer: the same, and a live page, over HTTP ------------------ */

typedef struct rt_observer rt_observer;

/* The port rt_observer_start listens on when given no address. */
#define RT_OBSERVER_PORT 9373

/*
 * rt_observer_start: serve a view of `sys` over HTTP/1.1 on `addr`,
 * "HOST:PORT" ("127.0.0.1:9373", "[::1]:0", "localhost:8080"; port 0:
 * one the kernel picks, rt_observer_port says which), or NULL for
 * "127.0.0.1:RT_OBSERVER_PORT": loopback unless told otherwise, for what
 * it shows is for the machine's operators. It answers GET and HEAD of:
 *
 *   /             a live page for a person: the supervision trees, each
 *                 actor's state, mailbox, handled messages and restarts,
 *                 message rates, the recent crash reports; it asks for
 *                 the three below every second (plain HTML, CSS and
 *                 JavaScript served from the library: nothing is fetched
 *                 from anywhere else)
 *   /metrics      rt_metrics_write (text/plain; version=0.0.4)
 *   /api/tree     rt_system_dump's JSON; with ?max=N (1 to 100000),
 *                 only the first N children of each supervisor (the
 *                 others counted in its "omitted") and the first N actors
 *                 outside the trees ("more_actors": true when there were
 *                 more), read and written at a cost bounded by N however
 *                 many actors there are: what the page asks for
 *   /api/crashes  the last crash reports kept by the system (at most
 *                 32): {"total": N, "crashes": [{"seq", "time_ms",
 *                 "line"}...]}, oldest first; only those the log level
 *                 lets through are kept
 *
 * and refuses anything else with an HTTP error: 400 for a request it
 * cannot parse (or one with a body), 404 for another path, 405 for
 * another method, 431 for a request line and headers over 8 KiB. A
 * connection is closed when a request has not come in whole, or its
 * answer has not been taken, within 5 seconds, or when it has been idle
 * that long; at most 64 connections are served at once (the others are
 * closed as they are accepted). Keep-alive and pipelining work:
 * pipelined requests are answered in order.
 *
 * The server is made of rt's own actors, which watch their descriptors
 * (rt/io.h): one listener and one actor per connection, of the kinds
 * "rt.observer.Listener" and "rt.observer.Conn". They run in a small
 * system of the observer's own (one worker thread, the observed system's
 * log hook), not in `sys`: they are not in its dump, its metrics or its
 * counters, its rt_system_wait does not wait for them, and its workers
 * never run them. An answer is made by that worker, walking `sys` as
 * rt_system_dump does from any thread, without stopping its workers.
 *
 * Returns the observer, or NULL (the reason goes to the system's log
 * hook) for a NULL sys, an address that does not parse or cannot be
 * listened on, or lack of memory. Any thread.
 */
RT_API rt_observer *rt_observer_start(rt_system *sys, const char *addr);

/* rt_observer_port: the TCP port `o` listens on; 0 for NULL. */
RT_API uint16_t rt_observer_port(const rt_observer *o);

/*
 * rt_observer_stop: close the observer's socket and its connections,
 * stop its actors, and free it (answers being made are finished first).
 * NULL does nothing. Call it before rt_system_free of the system
 * observed, which the observer reads until it stops (after
 * rt_system_shutdown is fine). Any thread, an actor's handler included,
 * but not the observer's own (nothing outside the library runs there).
 */
RT_API void rt_observer_stop(rt_observer *o);

#ifdef __cplusplus
}
#endif

#endif
