/* SPDX-License-Identifier: MIT */
/*
 * The actor system: a set of worker threads that run actors, and everything
 * the actors share (cell directory, run queues, counters). A program usually
 * has one; tests may create many, one after another or side by side.
 */
#ifndef RT_SYSTEM_H
#define RT_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/version.h>
#include <rt/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rt_system rt_system;

/* Log levels passed to the log hook; rt_config.log_level filters them. */
typedef enum rt_log_level {
	RT_LOG_OFF = -1,  /* as rt_config.log_level only: nothing at all */
	RT_LOG_ERROR = 0, /* crash reports, give-ups, the watchdog's reports */
	RT_LOG_WARN = 1,
	RT_LOG_INFO = 2,
} rt_log_level;

/*
 * rt_log_fn: receives one line of text (no trailing newline) from the
 * runtime, for example a crash report. Called from worker threads, possibly
 * several at once; it must not call back into the system it is logging for.
 */
typedef void (*rt_log_fn)(void *user, rt_log_level level, const char *line);

/* Why a message was never handled. */
typedef enum rt_dead_cause {
	RT_DEAD_STOPPED = 1, /* its actor stopped (or the system shut down)
	                        before handling it */
	RT_DEAD_DROPPED = 2, /* a bounded mailbox with overflow drop was full */
	RT_DEAD_EXPIRED = 3, /* its time-to-live ran out while it was queued */
	/* Between nodes (rt/node.h): */
	RT_DEAD_NONAME = 4,    /* no node exports the name it was sent to */
	RT_DEAD_NODEDOWN = 5,  /* the node it was sent to, or through, is
	                          gone or unreachable */
	RT_DEAD_MALFORMED = 6, /* a frame that does not decode */
	RT_DEAD_SCHEMA = 7,    /* a message the receiving node's protocol
	                          does not have (its fingerprint differs:
	                          rtgen --diff) */
	RT_DEAD_BACKLOG = 8,   /* the connection to NATS could not take it
	                          (its buffer was full while reconnecting,
	                          or a slow receiver's queue overflowed) */
	RT_DEAD_STASHED = 9,   /* kept by rt_stash, or postponed by its
	                          actor's state machine, when the
	                          incarnation ended (it stopped, or it
	                          crashed and was restarted) */
} rt_dead_cause;

/*
 * rt_dead_letter: a message that was accepted by a send but will never be
 * handled. Valid only during the hook call.
 */
typedef struct rt_dead_letter {
	rt_dead_cause cause;
	const char *actor;   /* the target's class ("protocol.Actor"), or NULL
	                        when it is no longer known */
	const char *message; /* the message's name, or NULL likewise */
	uint32_t tag;        /* the dispatch tag it carried: its number in
	                        the target's class (P_A_TAG_M or
	                        P_A_TAG_M_reply of enum P_A_tag, an index
	                        into the class's tag_names), not the
	                        protocol-wide message id P_M_ID. Meaningless
	                        for a "down", a "supervisor event" and a late
	                        reply to rt_call, which has no class */
	const void *msg;     /* the message (strings included) */
} rt_dead_letter;

/*
 * rt_dead_letter_fn: called once for every dead letter, on whichever
 * thread found it (a worker, or the sender for a drop). It must be quick
 * and must not block; it may send messages. Sends that fail with an error
 * code are not dead letters: their caller was told (rt_stats.refused).
 */
typedef void (*rt_dead_letter_fn)(void *user, const rt_dead_letter *dl);

/*
 * rt_config: how to build a system. Always start from rt_config_init() so
 * fields added in later versions get their defaults.
 */
typedef struct rt_config {
	/* Worker threads; 0 means one per online CPU. At most RT_MAX_WORKERS. */
	unsigned workers;
	/* Where runtime messages go; NULL writes them to stderr. */
	rt_log_fn log;
	void *log_user;
	/* The least important level logged (rt_config_init: RT_LOG_INFO,
	 * everything). Lines below it are not even formatted: RT_LOG_OFF
	 * spares a program that counts on rt_stats a crash report's cost
	 * (most of a restart's). */
	rt_log_level log_level;
	/* Told of every dead letter; NULL: they are only counted. */
	rt_dead_letter_fn dead_letter;
	void *dead_letter_user;
	/*
	 * > 0: a watchdog thread reports, through the log hook, every
	 * handler (or on_start, on_stop) that has been running this long,
	 * with the actor's path or class and the message in hand; once per
	 * stuck handler. C cannot interrupt a handler: with watchdog_abort,
	 * the report is followed by abort(), so that a supervisor of the
	 * process (systemd, a container runtime) restarts it, as Erlang's
	 * heart does. 0 (the default): no watchdog. Test systems have none.
	 */
	rt_duration watchdog;
	bool watchdog_abort;
} rt_config;

#define RT_MAX_WORKERS 256

/* rt_config_init: fill cfg with the defaults. */
RT_API void rt_config_init(rt_config *cfg);

/*
 * rt_system_new: start a system and its worker threads. cfg NULL means the
 * defaults. Returns NULL if cfg is invalid (workers > RT_MAX_WORKERS, a
 * negative watchdog) or if
 * memory or threads cannot be had; nothing is left behind in that case.
 */
RT_API rt_system *rt_system_new(const rt_config *cfg);

/*
 * rt_system_wait: block the calling thread until no actor of the system is
 * alive or, when root supervisors were started (rt/supervisor.h), until
 * every one of them has exited (a root that gives up ends the wait, even
 * if actors outside the trees live on). Returns 0, RT_EINVAL for a NULL
 * system, or RT_EDEADLK when called from one of the system's own actors
 * (it would wait for itself).
 */
RT_API int rt_system_wait(rt_system *sys);

/*
 * rt_system_shutdown: stop every live actor and the worker threads. First
 * the root supervisors, the last started first, each stopping its children
 * in reverse start order within their shutdown times (the message in hand
 * completes, on_stop runs; sends still work meanwhile). Then every actor
 * left is sent a stop signal at once; the message it is handling
 * completes, the messages still queued become dead letters (counted), and
 * it exits with reason RT_ESHUTDOWN. From then on, sends return
 * RT_ESHUTDOWN. Waits at most `timeout` (RT_FOREVER: no limit) for the
 * actors to stop, then joins the workers. Returns 0; RT_ETIMEDOUT if some
 * handler was still running when the time was up (the workers are then
 * joined by rt_system_free, which waits for it); RT_EDEADLK from inside an
 * actor; RT_EINVAL for NULL. Calling it twice is harmless.
 */
RT_API int rt_system_shutdown(rt_system *sys, rt_duration timeout);

/*
 * rt_system_free: release everything the system owns. Shuts the system down
 * first if that has not been done. Refs into the system must not be used
 * afterwards. rt_system_free(NULL) does nothing. Must not be called from one
 * of the system's own actors.
 */
RT_API void rt_system_free(rt_system *sys);

/* rt_system_workers: the number of worker threads, or 0 for NULL. */
RT_API unsigned rt_system_workers(const rt_system *sys);

/*
 * rt_stats: counters of a whole system since it started. Each is exact once
 * the system is quiet; while actors run, a snapshot may be a little behind.
 * No message is lost silently: once the system is quiet,
 * sent == handled + dead_letters, and every send that returned an error
 * because its target had stopped or the system was shutting down is
 * counted in `refused`.
 */
typedef struct rt_stats {
	uint64_t spawned;      /* actors spawned (counted when a worker
	                          takes the new actor's start) */
	uint64_t stopped;      /* actors that stopped for good, any reason */
	uint64_t crashed;      /* exits that were crashes (any reason but
	                          RT_NORMAL and RT_ESHUTDOWN), those of
	                          supervised children that were then
	                          restarted included */
	uint64_t live;         /* actors alive now; counted in batches, so
	                          it may count a few more: actors that
	                          stopped a moment ago, and places a busy
	                          worker took ahead for the actors it
	                          spawns (never fewer than are alive; 0
	                          once all have stopped) */
	uint64_t sent;         /* messages accepted by a send (returned 0),
	                          and those the runtime sends itself: fired
	                          timers, replies, downs, and supervisors'
	                          own (a child started, a backoff ended) */
	uint64_t handled;      /* messages passed to a handler (on_down and
	                          supervisors' included) */
	uint64_t dead_letters; /* accepted messages that were never handled,
	                          for any rt_dead_cause; of which: */
	uint64_t dropped;      /*   ... dropped by a full mailbox */
	uint64_t expired;      /*   ... whose time-to-live ran out */
	uint64_t refused;      /* sends that returned an error: RT_ENOACTOR,
	                          RT_ESHUTDOWN, RT_EFULL, RT_ETIMEDOUT; and
	                          spawns without a ref from outside the
	                          system that found no cell or shutdown
	                          begun (rt_spawn_commit) */
	uint64_t mutes;        /* times an actor was muted for sending to a
	                          full mailbox with overflow block */
	uint64_t restarts;     /* supervised children restarted */
	/* How the scheduler spread the work over the workers: */
	uint64_t steals;     /* actors an idle worker took from another
	                        worker's run queue */
	uint64_t migrations; /* runs of an actor on another worker than
	                        its previous run (steals, and sends from
	                        another worker to an idle actor) */
	uint64_t wakeups;    /* parked workers woken to share work */
	uint64_t yields;     /* wake-ups a worker held back, and parks of a
	                        worker that left the work to the others,
	                        because the machine's CPUs were taken (the
	                        workers waited for one) while a worker was
	                        awake; wake-ups held back by threads outside
	                        the system are not counted */
} rt_stats;

/* rt_stats_system: fill *out with the system's counters. RT_EINVAL on NULL. */
RT_API int rt_stats_system(rt_system *sys, rt_stats *out);

#ifdef __cplusplus
}
#endif

#endif
