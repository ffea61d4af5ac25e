/* SPDX-License-Identifier: MIT */
/*
 * Nodes: actors in other processes and on other machines, reached through
 * NATS with the same typed sends, asks and calls as local ones (librtnode,
 * pkg-config rtnode; it links libnats, and only programs that start a node
 * need it).
 *
 * A node is a system connected to a NATS server under a name unique in the
 * cluster. An actor of a `remote` kind (.rtp) is made reachable with
 * P_A_export(ref, "name"); any node gets a ref to it with
 * P_A_lookup(sys, "name", &ref), and that ref works with every generated
 * function that takes a P_A_ref: sends, _opt, asks, calls, timers. Several
 * nodes exporting one name form a NATS queue group: each message goes to
 * one of them.
 *
 * The ref a lookup returns names a local stand-in for the name (a proxy
 * actor): it encodes what it is sent (rt/wire.h) and publishes it, in the
 * order it was sent. Per sender, messages arrive in order; a remote ask is
 * answered exactly once, as a local one is. Failures surface as they do
 * locally:
 * - rt_monitor on the ref delivers `down` when no node exports the name
 *   any more: reason RT_ENODE when the last node serving it is gone (its
 *   heartbeats stopped, it said goodbye, or this node lost NATS for good),
 *   or the actor's exit reason when it stopped. The proxy then stops, and
 *   sends through the ref return RT_ENOACTOR; look the name up again.
 * - An ask in flight to a node that is gone is answered RT_ENODE (in a
 *   queue group, every ask in flight to that name is, since it may have
 *   gone to that node; a reply that comes after all is a late reply, a
 *   counted dead letter), or RT_ETIMEDOUT by its own timeout.
 * - A message that cannot be delivered is a dead letter with its cause
 *   (rt_dead_cause: RT_DEAD_NONAME, RT_DEAD_NODEDOWN, RT_DEAD_MALFORMED,
 *   RT_DEAD_SCHEMA, RT_DEAD_BACKLOG), counted in rt_node_stats, told to
 *   the system's dead-letter hook and logged; nothing is misread.
 *
 * P_A_export returns 0, RT_EINVAL (a name that is not one subject token:
 * letters, digits, '-' and '_'), RT_EEXIST (this node exports the name
 * already), RT_ENOACTOR or RT_ENODE (no node started on the actor's
 * system). P_A_lookup asks the nodes over NATS and waits for the first
 * answer, at most cfg->lookup_timeout: look names up when setting up,
 * not in a handler that must be quick. It returns 0, RT_ENOENT (no node
 * exports the name), RT_ETYPE (one does, for another kind), RT_ETIMEDOUT,
 * RT_EBADMSG (an answer that does not decode), RT_EINVAL or RT_ENODE.
 * Several lookups of one name return the same ref while its proxy runs.
 *
 * Messages that come in run an idle target actor on libnats's delivery
 * thread (rt_env_send_here), and a plain thread that sends to an idle
 * proxy runs it itself; handlers must not block, as everywhere in rt.
 */
#ifndef RT_NODE_H
#define RT_NODE_H

#include <stdint.h>
#include <rt/version.h>
#include <rt/system.h>
#include <rt/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rt_node rt_node;

/*
 * rt_node_config: zero-filled with url and name set is valid; every other
 * field has a default.
 */
typedef struct rt_node_config {
	const char *url;  /* "nats://127.0.0.1:4222"; several, comma-separated,
	                     are tried in turn */
	const char *name; /* this node's name, unique in the cluster: letters,
	                     digits, '-' and '_' (a NATS subject token) */
	/* The period of this node's heartbeat; another node is gone after
	 * `missed_beats` of its periods without one. 0: 1 s and 3. */
	rt_duration heartbeat;
	unsigned missed_beats;
	/* Subject prefix, so that clusters can share a NATS server
	 * (a token as for name). NULL: "rt". */
	const char *prefix;
	/* How long P_A_lookup waits for a node that exports the name to
	 * answer. 0: 1 s. */
	rt_duration lookup_timeout;
	/* Reconnection, libnats's: attempts after a lost connection
	 * (0: libnats's default, 60; negative: for ever), the wait between
	 * them (0: 2 s), and the bytes buffered while reconnecting (0: 8 MB;
	 * beyond them a send is a dead letter, RT_DEAD_BACKLOG). */
	int max_reconnect;
	rt_duration reconnect_wait;
	int reconnect_buffer;
} rt_node_config;

/*
 * rt_node_start: connect `sys` to NATS as node cfg->name. Returns the node,
 * or NULL (the reason is logged through the system's log hook): bad
 * arguments, a name or prefix that is not one subject token, no NATS
 * server at cfg->url, a node already started on `sys`, no memory.
 */
RT_API rt_node *rt_node_start(rt_system *sys, const rt_node_config *cfg);

/*
 * rt_node_stop: say goodbye to the other nodes (their refs to this node's
 * exports go down with RT_ENODE at once rather than after the heartbeats),
 * drain what is queued for NATS, and disconnect. Proxies of this node stop
 * (RT_ENODE) and asks in flight are answered RT_ENODE. Call it before
 * rt_system_shutdown of its system. NULL: no effect. Returns 0.
 */
RT_API int rt_node_stop(rt_node *node);

/* rt_node_stats: what a node has carried since it started. */
typedef struct rt_node_stats {
	uint64_t sent;             /* messages and requests put on the wire */
	uint64_t received;         /* messages and requests that came in */
	uint64_t delivered;        /* of them, handed to a local actor */
	uint64_t replies_sent;     /* answers to remote asks */
	uint64_t replies_received; /* answers to this node's asks */
	uint64_t dead_letters;     /* never delivered, any cause; of which: */
	uint64_t no_name;          /*   ... RT_DEAD_NONAME */
	uint64_t node_down;        /*   ... RT_DEAD_NODEDOWN */
	uint64_t malformed;        /*   ... RT_DEAD_MALFORMED */
	uint64_t schema;           /*   ... RT_DEAD_SCHEMA */
	uint64_t backlog;          /*   ... RT_DEAD_BACKLOG */
	uint64_t refused;    /* came in but the local actor's mailbox refused
	                       them, or it had stopped (also dead letters) */
	uint64_t nodes_seen; /* other nodes heard from */
	uint64_t nodes_lost; /* other nodes found gone */
} rt_node_stats;

/* rt_node_stats_get: a snapshot. Returns 0 or RT_EINVAL. */
RT_API int rt_node_stats_get(rt_node *node, rt_node_stats *out);

/* rt_node_name: the node's name (cfg->name), or NULL for a NULL node. */
RT_API const char *rt_node_name(const rt_node *node);

#ifdef __cplusplus
}
#endif

#endif
