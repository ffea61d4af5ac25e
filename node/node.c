/* SPDX-License-Identifier: MIT */
/*
 * librtnode: nodes over NATS (rt/node.h).
 *
 * Subjects, under the prefix P (default "rt"):
 *   P.n.NAME         an exported name; every node exporting it subscribes
 *                    in one queue group, so each message reaches one
 *   P.d.NODE.r.ID    the answer to this node's request ID
 *   P.d.NODE.nr.NAME where NATS says "no responders" for a message this
 *                    node sent to NAME (nobody exports it)
 *   P.hb             heartbeats, goodbyes, and exports that stopped
 *
 * A ref from P_A_lookup names a proxy: a local actor of a class made here
 * for the kind, whose dispatch encodes what it is sent (the generated
 * codecs, rt/wire.h) and publishes it. A message that comes in is decoded
 * into an envelope on the NATS delivery thread and sent to the exported
 * actor without waiting (rt_env_send_nowait); a request is sent so that its
 * answer is published back (rt_request_relay).
 *
 * Lifetimes. A node is freed when its last reference goes: the owner's
 * (rt_node_stop), each NATS subscription's (until libnats says it will call
 * it no more), each relayed request's (until it is answered) and each
 * started proxy's and the agent's (until they stop). Proxies and the agent
 * find their node at start through a table of live nodes, by serial, so
 * that one that starts after its node stopped finds nothing and stops.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>
#include <rt/rt.h>
#include <rt/node.h>

#include "frame.h"

#define NAME_CAP 128 /* names and node names, NUL included */
#define PENDING_BUCKETS 256
#define SMALL_FRAME 512

/* Counters: relaxed, each is a tally read as a snapshot. */
#define STAT_ADD(n, field) STAT_ADD_N(n, field, 1)
#define STAT_ADD_N(n, field, k) \
	((void)__atomic_fetch_add(&(n)->stats.field, (k), __ATOMIC_RELAXED))

/*
 * An exported name, or a local ref this node handed out in a message (a
 * ref<A> field), which other nodes send to by its id. A name is kept until
 * the node is freed (a delivery may still be running on it when its actor
 * stops); a handed-out ref goes when its actor stops.
 */
struct export
{
	struct export *next;
	struct export *by_ref; /* handed out: the chain by ref */
	struct rt_node *node;
	char *name;  /* NULL for a ref handed out */
	uint64_t id; /* a ref handed out: its id; 0 for a name */
	rt_ref ref;
	const rt_wire_kind *kind;
	natsSubscription *sub;
	bool gone; /* its actor stopped: written under the node's lock, read
		      anywhere (atomic) */
};

/* Another node, as its heartbeats describe it. */
struct peer {
	struct peer *next;
	char *name;
	uint64_t id; /* node_id(name): how refs name the node */
	int64_t last_seen;
	char *exports; /* its exported names, each NUL-terminated */
	size_t exports_len;
};

/* A proxy: the stand-in for a looked-up name, or for a ref of another
 * node that came in a message (a direct proxy). */
struct proxy_entry {
	struct proxy_entry *next;
	rt_ref ref;
	const rt_wire_kind *kind;
	char *name;    /* the name, or "NODE/ID" for a direct proxy */
	char *subject; /* P.n.NAME, or P.d.NODE.a.ID */
	char *nr;      /* P.d.THIS.nr.NAME (or .NODE.ID) */
	char *peer;    /* a direct proxy: the node of the ref, else NULL */
	uint64_t peer_id, id, gen; /* ... and the ref's wire form */
	bool down;                 /* told to stop */
};

/* An ask in flight through a proxy. */
struct pending {
	struct pending *next;
	uint64_t corr;
	rt_reply_token token;
	struct proxy_entry *pe;
	const rt_wire_msg *reply;
};

struct rt_node {
	rt_system *sys;
	uint64_t serial;
	char *name;
	char *prefix;
	int64_t beat_ns;
	unsigned missed;
	int64_t lookup_ms;
	char *s_names;       /* "P.n." */
	char *s_reply;       /* "P.d.NODE.r" */
	char *s_nr;          /* "P.d.NODE.nr" */
	char *s_hb;          /* "P.hb" */
	size_t s_direct_len; /* strlen("P.d.NODE.") */

	/* nc is valid while conn_lock is held and nc != NULL. */
	pthread_rwlock_t conn_lock;
	natsConnection *nc;
	natsSubscription *sub_direct;
	natsSubscription *sub_hb;

	/* lock: everything below, and the lists. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t beat_thread;
	bool beating;
	bool stopping;
	bool disconnected;
	bool closed; /* the connection is closed for good */
	uint64_t next_corr;
	struct export *exports;
	struct peer *peers;
	struct proxy_entry *proxies;
	struct pending *pending[PENDING_BUCKETS];
	struct export *handed[PENDING_BUCKETS];     /* by id */
	struct export *handed_ref[PENDING_BUCKETS]; /* by ref */
	uint64_t next_handed;
	uint32_t peers_gen; /* atomic: changes when a peer is lost */
	rt_ref agent;

	uint64_t id;        /* node_id(name) */
	rt_wire_refs wrefs; /* how this node's frames carry refs */

	uint32_t refs; /* atomic */
	rt_node_stats stats;
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void __attribute__((format(printf, 3, 4)))
node_log(struct rt_node *n, rt_log_level level, const char *fmt, ...)
{
	char line[512];
	int k = snprintf(line, sizeof(line), "node %s: ", n->name);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + k, sizeof(line) - (size_t)k, fmt, ap);
	va_end(ap);
	rt_remote_log(n->sys, level, line);
}

/* A NATS subject token: letters, digits, '-' and '_'. */
static bool
is_token(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		if (i + 1 >= NAME_CAP)
			return false;
	}
	return true;
}

static char *str_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *
str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (k < 0 || (s = malloc((size_t)k + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)k + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* --- the live nodes, by serial ------------------------------------------ */

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct live {
	struct live *next;
	struct rt_node *node;
} *live_nodes;
static uint64_t live_serial;

static void
node_ref(struct rt_node *n)
{
	/* Relaxed: whoever takes a reference already holds one (or the live
	 * table's lock), which keeps the node from being freed meanwhile. */
	__atomic_fetch_add(&n->refs, 1, __ATOMIC_RELAXED);
}

static void node_free(struct rt_node *n);

static void
node_unref(struct rt_node *n)
{
	/* Acq-rel: the last holder must see every other holder's writes
	 * before it frees, and each holder's writes must come before its
	 * release. */
	if (__atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) == 0)
		node_free(n);
}

/* The live node of `serial` with a reference taken, or NULL. */
static struct rt_node *
live_find(uint64_t serial)
{
	struct rt_node *n = NULL;
	struct live *l;

	pthread_mutex_lock(&live_lock);
	for (l = live_nodes; l != NULL; l = l->next)
		if (l->node->serial == serial) {
			n = l->node;
			node_ref(n);
			break;
		}
	pthread_mutex_unlock(&live_lock);
	return n;
}

static void
live_remove(struct rt_node *n)
{
	struct live **pl, *l;

	pthread_mutex_lock(&live_lock);
	for (pl = &live_nodes; (l = *pl) != NULL; pl = &l->next)
		if (l->node == n) {
			*pl = l->next;
			free(l);
			break;
		}
	pthread_mutex_unlock(&live_lock);
}

/* --- dead letters --------------------------------------------------------- */

static void
dead(struct rt_node *n, rt_dead_cause cause, const char *actor,
    const char *what, const void *msg)
{
	uint64_t k;

	STAT_ADD(n, dead_letters);
	switch (cause) {
	case RT_DEAD_NONAME:
		STAT_ADD(n, no_name);
		break;
	case RT_DEAD_NODEDOWN:
		STAT_ADD(n, node_down);
		break;
	case RT_DEAD_MALFORMED:
		STAT_ADD(n, malformed);
		break;
	case RT_DEAD_SCHEMA:
		STAT_ADD(n, schema);
		break;
	case RT_DEAD_BACKLOG:
		STAT_ADD(n, backlog);
		break;
	default:
		STAT_ADD(n, refused);
		break;
	}
	rt_remote_dead_letter(n->sys, cause, actor, what, msg);
	/* A line for the first dead letters, then for every power of two:
	 * enough to see, never a flood. */
	k = __atomic_load_n(&n->stats.dead_letters, __ATOMIC_RELAXED);
	if ((k & (k - 1)) == 0)
		node_log(n, RT_LOG_WARN,
		    "dead letter (%" PRIu64 " so far): %s%s%s (%s)", k,
		    actor != NULL ? actor : "", actor != NULL ? " " : "",
		    what != NULL ? what : "a message",
		    cause == RT_DEAD_NONAME       ? "no node exports the name" :
			cause == RT_DEAD_NODEDOWN ? "node gone" :
			cause == RT_DEAD_MALFORMED ? "frame does not decode" :
			cause == RT_DEAD_SCHEMA    ? "fingerprint mismatch" :
			cause == RT_DEAD_BACKLOG   ? "NATS could not take it" :
			cause == RT_DEAD_DROPPED   ? "mailbox full" :
						     "actor stopped");
}

/* --- publishing ------------------------------------------------------------ */

static int
status_rc(natsStatus s)
{
	switch (s) {
	case NATS_OK:
		return 0;
	case NATS_NO_MEMORY:
		return RT_ENOMEM;
	case NATS_INSUFFICIENT_BUFFER:
	case NATS_MAX_PAYLOAD:
	case NATS_SLOW_CONSUMER:
		return RT_EFULL;
	default:
		return RT_ENODE;
	}
}

static int
publish(struct rt_node *n, const char *subj, const char *reply,
    const uint8_t *buf, size_t len)
{
	natsStatus s = NATS_CONNECTION_CLOSED;

	if (len > INT32_MAX)
		return RT_EFULL;
	pthread_rwlock_rdlock(&n->conn_lock);
	if (n->nc != NULL)
		s = reply != NULL ?
		    natsConnection_PublishRequest(n->nc, subj, reply, buf,
			(int)len) :
		    natsConnection_Publish(n->nc, subj, buf, (int)len);
	pthread_rwlock_unlock(&n->conn_lock);
	return status_rc(s);
}

/*
 * A frame of `f` whose body is the wire form of *msg (wm), or just the
 * header when wm is NULL; in `small` when it fits. NULL: no memory. A
 * reply names this node first (FRAME_F_SENDER), so that the refs in it
 * can be read before its heartbeats are heard; a message or a request
 * need not, as its reply subject names the node.
 */
static uint8_t *
frame_build(struct rt_node *n, const struct frame *f, const rt_wire_msg *wm,
    const void *msg, uint8_t *small, size_t *len)
{
	size_t head = frame_header_len(f->type);
	size_t body = wm != NULL ? wm->wire_size(msg) : 0;
	bool named = wm != NULL && f->type == FRAME_REPLY;
	size_t sender = named ? 2 + strlen(n->name) : 0;
	struct frame g = *f;
	uint8_t *buf = small;

	*len = 0;
	if (body > SIZE_MAX - FRAME_HEADER_MAX - sender)
		return NULL; /* it has no wire form (*len stays 0) */
	*len = head + sender + body;
	if (*len > SMALL_FRAME && (buf = malloc(*len)) == NULL)
		return NULL;
	if (named)
		g.flags |= FRAME_F_SENDER;
	frame_put_header(buf, &g);
	if (named)
		frame_put_name(buf + head, n->name);
	if (wm != NULL)
		wm->encode(buf + head + sender, msg, &n->wrefs);
	return buf;
}

static int
publish_frame(struct rt_node *n, const char *subj, const char *reply,
    const struct frame *f, const rt_wire_msg *wm, const void *msg)
{
	uint8_t small[SMALL_FRAME], *buf;
	size_t len;
	int rc;

	buf = frame_build(n, f, wm, msg, small, &len);
	if (buf == NULL)
		return len == 0 ? RT_EINVAL : RT_ENOMEM;
	rc = publish(n, subj, reply, buf, len);
	if (buf != small)
		free(buf);
	return rc;
}

static rt_dead_cause
publish_cause(int rc)
{
	if (rc == RT_EINVAL)
		return RT_DEAD_MALFORMED; /* no wire form */
	return rc == RT_EFULL || rc == RT_ENOMEM ? RT_DEAD_BACKLOG :
						   RT_DEAD_NODEDOWN;
}

/* --- asks in flight ---------------------------------------------------------- */

static struct pending **
pending_slot(struct rt_node *n, uint64_t corr)
{
	return &n->pending[corr % PENDING_BUCKETS];
}

/* Under the lock: take the ask `corr` off the table. */
static bool
pending_take(struct rt_node *n, uint64_t corr, struct pending *out)
{
	struct pending **pp, *p;

	for (pp = pending_slot(n, corr); (p = *pp) != NULL; pp = &p->next)
		if (p->corr == corr) {
			*pp = p->next;
			*out = *p;
			free(p);
			return true;
		}
	return false;
}

/* Under the lock: answer `status` to every ask in flight through `pe`
 * (NULL: every ask). */
static void
pending_fail(struct rt_node *n, const struct proxy_entry *pe, int status)
{
	for (unsigned b = 0; b < PENDING_BUCKETS; b++) {
		struct pending **pp = &n->pending[b], *p;

		while ((p = *pp) != NULL) {
			if (pe != NULL && p->pe != pe) {
				pp = &p->next;
				continue;
			}
			*pp = p->next;
			(void)rt_reply_token_error(p->token, status);
			free(p);
		}
	}
}

/* --- peers ----------------------------------------------------------------- */

/* How refs name a node: the 64-bit FNV-1a hash of its name. */
static uint64_t
node_id(const char *name)
{
	uint64_t h = 14695981039346656037u;

	for (const char *p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return h;
}

static struct peer *
peer_find(struct rt_node *n, const char *name)
{
	struct peer *p;

	for (p = n->peers; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static bool
peer_exports(const struct peer *p, const char *name)
{
	size_t at = 0;

	while (at < p->exports_len) {
		if (strcmp(p->exports + at, name) == 0)
			return true;
		at += strlen(p->exports + at) + 1;
	}
	return false;
}

/* Under the lock: some live node (this one included) exports `name`. */
static bool
exported_anywhere(struct rt_node *n, const char *name)
{
	struct export *e;
	struct peer *p;

	for (e = n->exports; e != NULL; e = e->next)
		if (!e->gone && strcmp(e->name, name) == 0)
			return true;
	for (p = n->peers; p != NULL; p = p->next)
		if (peer_exports(p, name))
			return true;
	return false;
}

/* Under the lock: tell the proxy of `pe` to stop with `reason`. */
static void
proxy_down(struct rt_node *n, struct proxy_entry *pe, int reason)
{
	rt_env *env;

	(void)n;
	if (pe->down)
		return;
	pe->down = true;
	if (rt_env_new(pe->ref, pe->kind->ntags, sizeof(int), &env) != 0)
		return; /* stopped already */
	memcpy(rt_env_payload(env), &reason, sizeof(int));
	(void)rt_env_send_nowait(env);
}

/* Under the lock: `name` may have lost its last exporter (`reason`: why
 * its exporter went). */
static void
name_check(struct rt_node *n, const char *name, int reason)
{
	struct proxy_entry *pe;

	if (exported_anywhere(n, name))
		return;
	for (pe = n->proxies; pe != NULL; pe = pe->next)
		if (!pe->down && pe->peer == NULL &&
		    strcmp(pe->name, name) == 0) {
			pending_fail(n, pe,
			    reason == RT_ENODE ? RT_ENODE : RT_ENOACTOR);
			proxy_down(n, pe, reason);
		}
}

/* Under the lock: the actor of ref `id` of `p` stopped for good. */
static void
ref_gone(struct rt_node *n, struct peer *p, uint64_t id, int reason)
{
	struct proxy_entry *pe;

	for (pe = n->proxies; pe != NULL; pe = pe->next)
		if (!pe->down && pe->peer != NULL && pe->id == id &&
		    strcmp(pe->peer, p->name) == 0) {
			pending_fail(n, pe, RT_ENOACTOR);
			proxy_down(n, pe, reason);
		}
}

/* Under the lock: `p` is gone. Asks in flight to a name it exported are
 * answered RT_ENODE: they may have gone to it. */
static void
peer_lost(struct rt_node *n, struct peer *p, const char *why)
{
	struct peer **pp;
	struct proxy_entry *pe;

	for (pp = &n->peers; *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;
	/* Relaxed: frame_body reads it as a hint. */
	__atomic_store_n(&n->peers_gen, n->peers_gen + 1, __ATOMIC_RELAXED);
	STAT_ADD(n, nodes_lost);
	node_log(n, why != NULL ? RT_LOG_WARN : RT_LOG_INFO,
	    "node %s is gone%s%s", p->name, why != NULL ? ": " : "",
	    why != NULL ? why : "");
	for (pe = n->proxies; pe != NULL; pe = pe->next) {
		if (pe->down)
			continue;
		if (pe->peer != NULL && strcmp(pe->peer, p->name) == 0) {
			pending_fail(n, pe, RT_ENODE);
			proxy_down(n, pe, RT_ENODE);
		} else if (pe->peer == NULL && peer_exports(p, pe->name)) {
			pending_fail(n, pe, RT_ENODE);
		}
	}
	for (size_t at = 0; at < p->exports_len;
	    at += strlen(p->exports + at) + 1)
		name_check(n, p->exports + at, RT_ENODE);
	free(p->exports);
	free(p->name);
	free(p);
}

/* Under the lock: the peer `node`, made when it is new (NULL: no memory,
 * or it is this node). Heard from now. */
static struct peer *
peer_seen(struct rt_node *n, const char *node)
{
	struct peer *p = peer_find(n, node);

	if (strcmp(node, n->name) == 0)
		return NULL;
	if (p == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL ||
		    (p->name = strdup(node)) == NULL) {
			free(p);
			return NULL;
		}
		p->id = node_id(node);
		p->next = n->peers;
		n->peers = p;
		STAT_ADD(n, nodes_seen);
	}
	p->last_seen = now_ns();
	return p;
}

static struct peer *
peer_by_id(struct rt_node *n, uint64_t id)
{
	struct peer *p;

	for (p = n->peers; p != NULL; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

/* Under the lock: `node` exports `name` (from a lookup's answer). */
static void
peer_learn(struct rt_node *n, const char *node, const char *name)
{
	struct peer *p = peer_seen(n, node);
	size_t len = strlen(name) + 1;
	char *more;

	if (p == NULL)
		return;
	if (peer_exports(p, name) ||
	    (more = realloc(p->exports, p->exports_len + len)) == NULL)
		return;
	memcpy(more + p->exports_len, name, len);
	p->exports = more;
	p->exports_len += len;
}

/* --- proxies ---------------------------------------------------------------- */

/* The proxy class of a kind: its tags, and one more for the node's own
 * word to it (stop, with a reason). One per kind for the process. */
struct proxy_class {
	struct proxy_class *next;
	const rt_wire_kind *kind;
	rt_actor_class cls;
	const char **names;
};

static pthread_mutex_t classes_lock = PTHREAD_MUTEX_INITIALIZER;
static struct proxy_class *classes;

static void __attribute__((destructor))
classes_free(void)
{
	struct proxy_class *c;

	while ((c = classes) != NULL) {
		classes = c->next;
		free(c->names);
		free(c);
	}
}

/*
 * A proxy gathers the one-way messages it handles while more wait behind
 * them (rt_ctx_more_waiting) in its outbox, and publishes them as one batch
 * frame when none waits or the outbox is full: a burst costs one NATS
 * message, one write and one parse, and a lone message still goes at once.
 */
struct proxy {
	struct rt_node *node;
	struct proxy_entry *pe;
	uint8_t *out; /* FRAME_BATCH's header, then (u32 len, frame)... */
	size_t out_len, out_cap;
	uint32_t out_count;
};

static void proxy_entry_free(struct proxy_entry *pe);
static void outbox_flush(struct proxy *p);

struct proxy_args {
	uint64_t serial;
	struct proxy_entry *pe;
};

static int
proxy_start(void *self, rt_ctx *ctx, const void *args)
{
	struct proxy *p = self;
	struct proxy_args a;

	memcpy(&a, args, sizeof(a));
	p->node = live_find(a.serial);
	if (p->node == NULL)
		return RT_ENODE; /* its node stopped first */
	p->pe = a.pe;
	(void)ctx;
	return 0;
}

static void
proxy_stop(void *self, rt_ctx *ctx, int reason)
{
	struct proxy *p = self;
	struct rt_node *n = p->node;

	(void)ctx;
	(void)reason;
	if (n == NULL)
		return;
	outbox_flush(p);
	free(p->out);
	pthread_mutex_lock(&n->lock);
	pending_fail(n, p->pe, RT_ENODE);
	for (struct proxy_entry **pp = &n->proxies; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == p->pe) {
			*pp = p->pe->next;
			proxy_entry_free(p->pe);
			break;
		}
	pthread_mutex_unlock(&n->lock);
	node_unref(n);
}

/*
 * What a proxy's mailbox holds before its senders wait (plain threads) or
 * are muted (actors): a node that publishes slower than its program sends
 * holds them back, rather than the messages piling up in memory.
 */
#define PROXY_BOUND 8192

/* A batch is published once it holds this much. */
#define OUTBOX_MAX (16u << 10)

/* Each message of the outbox is a dead letter of `cause`. */
static void
outbox_dead(struct proxy *p, rt_dead_cause cause)
{
	const rt_wire_kind *kind = p->pe->kind;
	const uint8_t *at = p->out + BATCH_HEADER;
	struct frame f;

	for (uint32_t i = 0; i < p->out_count; i++) {
		size_t len = frame_get32(at);
		bool named = frame_get_header(at + 4, len, &f) != 0 &&
		    f.tag < kind->ntags;

		dead(p->node, cause, kind->name,
		    named ? kind->msgs[f.tag]->name : NULL, NULL);
		at += 4 + len;
	}
}

/* Publish what the outbox holds: a lone frame as itself, more as a batch. */
static void
outbox_flush(struct proxy *p)
{
	struct rt_node *n = p->node;
	int rc;

	if (p->out_count == 0)
		return;
	if (p->out_count == 1) {
		rc = publish(n, p->pe->subject, p->pe->nr,
		    p->out + BATCH_HEADER + 4, p->out_len - BATCH_HEADER - 4);
	} else {
		/*
		 * Answered, when nobody takes it, on P.d.NODE.nb.COUNT.NAME
		 * rather than .nr.NAME: NATS's "no responders" carries
		 * nothing else, and each message is a dead letter.
		 */
		const char *nr = p->pe->nr;
		size_t d = n->s_direct_len;
		char reply[NAME_CAP * 3 + 64];
		int k = snprintf(reply, sizeof(reply), "%.*snb.%" PRIu32 ".%s",
		    (int)d, nr, p->out_count, nr + d + 3);

		frame_put_header(p->out,
		    &(struct frame){ .type = FRAME_BATCH,
			.tag = p->out_count });
		rc = publish(n, p->pe->subject,
		    k > 0 && (size_t)k < sizeof(reply) ? reply : nr, p->out,
		    p->out_len);
	}
	if (rc != 0)
		outbox_dead(p, publish_cause(rc));
	else
		STAT_ADD_N(n, sent, p->out_count);
	p->out_len = 0;
	p->out_count = 0;
}

/*
 * Add the frame of a one-way `msg` to the outbox, publishing what it held
 * first when it would not fit. 0, or a code when the message cannot be
 * encoded (it is then the caller's dead letter).
 */
static int
outbox_add(struct proxy *p, const struct frame *f, const rt_wire_msg *wm,
    const void *msg)
{
	size_t head = frame_header_len(f->type);
	size_t body = wm->wire_size(msg);
	size_t need, cap;
	uint8_t *grown;
	int rc;

	if (body > OUTBOX_MAX - BATCH_HEADER - 4 - FRAME_HEADER_MAX) {
		/* Alone, after those before it (or it has no wire form:
		 * publish_frame says so). */
		outbox_flush(p);
		rc = publish_frame(p->node, p->pe->subject, p->pe->nr, f, wm,
		    msg);
		if (rc == 0)
			STAT_ADD(p->node, sent);
		return rc;
	}
	need = 4 + head + body;
	if (p->out_len + need > OUTBOX_MAX)
		outbox_flush(p);
	if (p->out_len == 0)
		p->out_len = BATCH_HEADER;
	if (p->out_len + need > p->out_cap) {
		cap = p->out_cap != 0 ? p->out_cap : 1024;
		while (cap < p->out_len + need)
			cap *= 2;
		if ((grown = realloc(p->out, cap)) == NULL)
			return RT_ENOMEM;
		p->out = grown;
		p->out_cap = cap;
	}
	frame_put32(p->out + p->out_len, (uint32_t)(head + body));
	frame_put_header(p->out + p->out_len + 4, f);
	wm->encode(p->out + p->out_len + 4 + head, msg, &p->node->wrefs);
	p->out_len += need;
	p->out_count++;
	return 0;
}

/* Send (or ask) `msg` of tag `tag` to the name of the proxy. */
static int
proxy_dispatch(void *self, rt_ctx *ctx, uint32_t tag, const void *msg)
{
	struct proxy *p = self;
	struct rt_node *n = p->node;
	struct proxy_entry *pe = p->pe;
	const rt_wire_msg *wm;
	rt_reply_token tok = { NULL, 0 };
	struct frame f = { .type = FRAME_MSG };
	char reply[NAME_CAP * 2 + 64];
	rt_env *none;
	int rc;

	if (tag == pe->kind->ntags) {
		int reason;

		memcpy(&reason, msg, sizeof(reason));
		rt_stop(ctx, reason);
		return 0;
	}
	wm = pe->kind->msgs[tag];
	f.tag = tag;
	f.fingerprint = wm->fingerprint;
	if (wm->reply != NULL) {
		rt_request_enter(ctx, msg);
		tok = rt_reply_defer(ctx);
	}
	if (tok.rec != NULL) {
		struct pending *q = malloc(sizeof(*q));

		/* After the messages sent before it. */
		outbox_flush(p);

		if (q == NULL) {
			(void)rt_reply_token_error(tok, RT_ENOMEM);
			goto out;
		}
		pthread_mutex_lock(&n->lock);
		f.type = FRAME_REQ;
		f.corr = ++n->next_corr;
		q->corr = f.corr;
		q->token = tok;
		q->pe = pe;
		q->reply = wm->reply;
		q->next = *pending_slot(n, f.corr);
		*pending_slot(n, f.corr) = q;
		pthread_mutex_unlock(&n->lock);
		snprintf(reply, sizeof(reply), "%s.%" PRIu64, n->s_reply,
		    f.corr);
		/* Counted before it leaves: its answer can be back, and its
		 * asker reading the counters, before this thread goes on. */
		STAT_ADD(n, sent);
		rc = publish_frame(n, pe->subject, reply, &f, wm, msg);
		if (rc != 0) {
			struct pending taken;
			bool mine;

			STAT_ADD_N(n, sent, (uint64_t)-1);
			pthread_mutex_lock(&n->lock);
			mine = pending_take(n, f.corr, &taken);
			pthread_mutex_unlock(&n->lock);
			if (mine)
				(void)rt_reply_token_error(tok, rc);
			dead(n, publish_cause(rc), pe->kind->name, wm->name,
			    msg);
		}
	} else {
		rc = outbox_add(p, &f, wm, msg);
		if (rc != 0)
			dead(n, publish_cause(rc), pe->kind->name, wm->name,
			    msg);
		if (!rt_ctx_more_waiting(ctx))
			outbox_flush(p);
	}
out:
	if (wm->reply != NULL) {
		/* A request asked of us whose answer could not be taken
		 * over (no memory for the token): it fails, rather than
		 * get an empty reply. Sent, not asked: nothing happens. */
		if (tok.rec == NULL)
			(void)rt_reply_error(ctx, RT_ENOMEM);
		(void)rt_request_leave(ctx, tok.rec != NULL ? RT_DEFER : 0, 0,
		    &none);
		if (none != NULL)
			rt_env_discard(none);
	}
	return 0;
}

static void
proxy_print(FILE *f, uint32_t tag, const void *msg)
{
	(void)f;
	(void)tag;
	(void)msg;
}

static const rt_actor_class *
proxy_class(const rt_wire_kind *kind)
{
	struct proxy_class *c;

	pthread_mutex_lock(&classes_lock);
	for (c = classes; c != NULL; c = c->next)
		if (c->kind == kind)
			break;
	if (c == NULL && (c = calloc(1, sizeof(*c))) != NULL) {
		c->names = calloc(kind->ntags + 1, sizeof(*c->names));
		if (c->names == NULL) {
			free(c);
			c = NULL;
		} else {
			for (uint32_t t = 0; t < kind->ntags; t++)
				c->names[t] = kind->msgs[t]->name;
			c->names[kind->ntags] = "node: stop";
			c->kind = kind;
			c->cls.abi = RT_PROTOCOL_ABI;
			c->cls.mailbox_bound = PROXY_BOUND;
			c->cls.overflow = RT_OVERFLOW_BLOCK;
			c->cls.name = kind->name;
			c->cls.state_size = sizeof(struct proxy);
			c->cls.state_align = _Alignof(struct proxy);
			c->cls.ntags = kind->ntags + 1;
			c->cls.tag_names = c->names;
			c->cls.dispatch = proxy_dispatch;
			c->cls.on_start = proxy_start;
			c->cls.on_stop = proxy_stop;
			c->cls.args_size = sizeof(struct proxy_args);
			c->cls.print = kind->cls != NULL ? kind->cls->print :
							   proxy_print;
			c->next = classes;
			classes = c;
		}
	}
	pthread_mutex_unlock(&classes_lock);
	return c != NULL ? &c->cls : NULL;
}

static void
proxy_entry_free(struct proxy_entry *pe)
{
	free(pe->name);
	free(pe->subject);
	free(pe->nr);
	free(pe->peer);
	free(pe);
}

/* Under the lock: spawn the proxy of `pe` (its strings set) and list it;
 * pe is freed on failure. */
static int
proxy_spawn(struct rt_node *n, struct proxy_entry *pe, rt_ref *out)
{
	const rt_actor_class *cls = proxy_class(pe->kind);
	struct proxy_args a;
	rt_env *env;
	int rc = RT_ENOMEM;

	if (cls == NULL || pe->name == NULL || pe->subject == NULL ||
	    pe->nr == NULL)
		goto fail;
	rc = rt_spawn_prepare(n->sys, cls, sizeof(a), &env);
	if (rc != 0)
		goto fail;
	a.serial = n->serial;
	a.pe = pe;
	memcpy(rt_env_payload(env), &a, sizeof(a));
	rc = rt_spawn_commit(env, &pe->ref);
	if (rc != 0)
		goto fail;
	pe->next = n->proxies;
	n->proxies = pe;
	*out = pe->ref;
	return 0;
fail:
	proxy_entry_free(pe);
	return rc;
}

/* Under the lock: the proxy of (name, kind), spawned when there is none
 * that still runs. */
static int
proxy_get(struct rt_node *n, const char *name, const rt_wire_kind *kind,
    rt_ref *out)
{
	struct proxy_entry *pe;

	for (pe = n->proxies; pe != NULL; pe = pe->next)
		if (!pe->down && pe->peer == NULL && pe->kind == kind &&
		    strcmp(pe->name, name) == 0 && rt_actor_alive(pe->ref)) {
			*out = pe->ref;
			return 0;
		}
	pe = calloc(1, sizeof(*pe));
	if (pe == NULL)
		return RT_ENOMEM;
	pe->kind = kind;
	pe->name = strdup(name);
	pe->subject = str_printf("%s%s", n->s_names, name);
	pe->nr = str_printf("%s.%s", n->s_nr, name);
	return proxy_spawn(n, pe, out);
}

/* Under the lock: the direct proxy of ref (id, gen) of node `p`. */
static int
proxy_direct(struct rt_node *n, struct peer *p, uint64_t id, uint64_t gen,
    const rt_wire_kind *kind, rt_ref *out)
{
	struct proxy_entry *pe;

	for (pe = n->proxies; pe != NULL; pe = pe->next)
		if (!pe->down && pe->peer != NULL && pe->id == id &&
		    pe->gen == gen && pe->kind == kind &&
		    strcmp(pe->peer, p->name) == 0 && rt_actor_alive(pe->ref)) {
			*out = pe->ref;
			return 0;
		}
	pe = calloc(1, sizeof(*pe));
	if (pe == NULL)
		return RT_ENOMEM;
	pe->kind = kind;
	pe->peer = strdup(p->name);
	pe->peer_id = p->id;
	pe->id = id;
	pe->gen = gen;
	pe->name = str_printf("%s/%" PRIu64, p->name, id);
	pe->subject = str_printf("%s.d.%s.a.%" PRIu64, n->prefix, p->name, id);
	pe->nr = str_printf("%s.%s.%" PRIu64, n->s_nr, p->name, id);
	if (pe->peer == NULL) {
		proxy_entry_free(pe);
		return RT_ENOMEM;
	}
	return proxy_spawn(n, pe, out);
}

/* --- refs in messages -------------------------------------------------------- */

static struct export **
handed_slot(struct rt_node *n, uint64_t id)
{
	return &n->handed[id % PENDING_BUCKETS];
}

static struct export **
handed_ref_slot(struct rt_node *n, rt_ref ref)
{
	return &n->handed_ref[((uintptr_t)ref.cell >> 6) % PENDING_BUCKETS];
}

/* Under the lock: take a handed-out ref off both chains. */
static void
handed_remove(struct rt_node *n, struct export *e)
{
	struct export **pp;

	for (pp = handed_slot(n, e->id); *pp != e; pp = &(*pp)->next)
		;
	*pp = e->next;
	for (pp = handed_ref_slot(n, e->ref); *pp != e; pp = &(*pp)->by_ref)
		;
	*pp = e->by_ref;
}

static void agent_watch(struct rt_node *n, rt_ref ref);

/*
 * A ref in a message this node sends: this node's id and the id it gives
 * the ref (handed out once per ref, watched by the agent so that the other
 * nodes hear when its actor stops); for one of this node's direct
 * proxies, the ref it stands for.
 */
static void
refs_put(rt_wire_refs *self, uint8_t *dst, rt_ref ref, const rt_wire_kind *kind)
{
	struct rt_node *n = (struct rt_node *)((char *)self -
	    offsetof(struct rt_node, wrefs));
	uint64_t node = n->id, id = 0, gen = ref.gen;
	struct proxy_entry *pe;
	struct export *e;
	bool watch = false;

	pthread_mutex_lock(&n->lock);
	for (pe = n->proxies; pe != NULL; pe = pe->next)
		if (pe->peer != NULL && rt_ref_equal(pe->ref, ref))
			break;
	if (pe != NULL) {
		node = pe->peer_id;
		id = pe->id;
		gen = pe->gen;
	} else {
		for (e = *handed_ref_slot(n, ref); e != NULL; e = e->by_ref)
			if (rt_ref_equal(e->ref, ref))
				break;
		if (e == NULL && (e = calloc(1, sizeof(*e))) != NULL) {
			e->node = n;
			e->id = ++n->next_handed;
			e->ref = ref;
			e->kind = kind;
			e->next = *handed_slot(n, e->id);
			*handed_slot(n, e->id) = e;
			e->by_ref = *handed_ref_slot(n, ref);
			*handed_ref_slot(n, ref) = e;
			watch = true;
		}
		if (e != NULL)
			id = e->id;
		else
			node = 0; /* no memory: the zero ref */
	}
	pthread_mutex_unlock(&n->lock);
	if (watch)
		agent_watch(n, ref);
	frame_put64(dst, node);
	frame_put64(dst + 8, id);
	frame_put64(dst + 16, node != 0 ? gen : 0);
}

/*
 * A ref in a message that came in: one of this node's own (handed out
 * before, of that kind, and still of that incarnation), or a direct proxy
 * of another node's. The zero ref when it names nothing this node can
 * reach (logged).
 */
static rt_ref
refs_get(rt_wire_refs *self, const uint8_t *src, const rt_wire_kind *kind)
{
	struct rt_node *n = (struct rt_node *)((char *)self -
	    offsetof(struct rt_node, wrefs));
	uint64_t node = frame_get64(src), id = frame_get64(src + 8),
		 gen = frame_get64(src + 16);
	rt_ref out = { NULL, 0 };
	struct export *e;
	struct peer *p;

	pthread_mutex_lock(&n->lock);
	if (node == n->id) {
		for (e = *handed_slot(n, id); e != NULL; e = e->next)
			if (e->id == id)
				break;
		if (e != NULL && e->ref.gen == gen &&
		    strcmp(e->kind->name, kind->name) == 0)
			out = e->ref;
	} else if ((p = peer_by_id(n, node)) != NULL) {
		(void)proxy_direct(n, p, id, gen, kind, &out);
	} else {
		node_log(n, RT_LOG_WARN,
		    "a ref to an actor on a node not heard of (%016" PRIx64
		    "): read as the zero ref",
		    node);
	}
	pthread_mutex_unlock(&n->lock);
	return out;
}

/* --- the agent: watches exported actors ------------------------------------ */

struct agent {
	struct rt_node *node;
};

static int
agent_start(void *self, rt_ctx *ctx, const void *args)
{
	struct agent *a = self;
	uint64_t serial;

	(void)ctx;
	memcpy(&serial, args, sizeof(serial));
	a->node = live_find(serial);
	return a->node != NULL ? 0 : RT_ENODE;
}

static void
agent_stop(void *self, rt_ctx *ctx, int reason)
{
	struct agent *a = self;

	(void)ctx;
	(void)reason;
	if (a->node != NULL)
		node_unref(a->node);
}

static void export_down(struct rt_node *n, rt_ref who, int reason);

/* The agent's messages: watch the actor of a ref (an rt_ref), or stop. */
enum { AGENT_WATCH = 0, AGENT_STOP = 1 };

/* The agent watches `ref` from now on: what of it this node exports (its
 * names, its handed-out id) goes when it stops. */
static void
agent_watch(struct rt_node *n, rt_ref ref)
{
	rt_env *env;
	int rc = rt_env_new(n->agent, AGENT_WATCH, sizeof(rt_ref), &env);

	if (rc == 0) {
		memcpy(rt_env_payload(env), &ref, sizeof(ref));
		rc = rt_env_send(env);
	}
	if (rc != 0)
		export_down(n, ref, RT_ENOACTOR);
}

static int
agent_dispatch(void *self, rt_ctx *ctx, uint32_t tag, const void *msg)
{
	struct agent *a = self;
	rt_ref who;

	if (tag == AGENT_STOP) {
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	memcpy(&who, msg, sizeof(who));
	if (rt_monitor(ctx, who) != 0)
		export_down(a->node, who, RT_ENOACTOR);
	return 0;
}

static int
agent_down(void *self, rt_ctx *ctx, rt_ref who, int reason)
{
	struct agent *a = self;

	(void)ctx;
	export_down(a->node, who, reason);
	return 0;
}

static const char *const agent_tags[] = { "watch", "stop" };

static const rt_actor_class agent_class = {
	.abi = RT_PROTOCOL_ABI,
	.name = "rt.node.agent",
	.state_size = sizeof(struct agent),
	.state_align = _Alignof(struct agent),
	.ntags = 2,
	.tag_names = agent_tags,
	.dispatch = agent_dispatch,
	.on_start = agent_start,
	.on_stop = agent_stop,
	.args_size = sizeof(uint64_t),
	.on_down = agent_down,
};

/* A body of names: this node's, then `names` (NUL-separated, len bytes). */
static uint8_t *
names_frame(struct rt_node *n, enum frame_type type, int64_t status,
    const char *names, size_t len, size_t *out)
{
	struct frame f = { .type = (uint8_t)type, .status = status };
	size_t cap = FRAME_HEADER_MAX + 2 + strlen(n->name) + len * 2 + 2;
	uint8_t *buf = malloc(cap), *p;

	if (buf == NULL)
		return NULL;
	p = buf + frame_put_header(buf, &f);
	p += frame_put_name(p, n->name);
	for (size_t at = 0; at < len; at += strlen(names + at) + 1)
		p += frame_put_name(p, names + at);
	*out = (size_t)(p - buf);
	return buf;
}

/* The actor `who` stopped for good (reason): its names are no longer
 * exported here. */
static void
export_down(struct rt_node *n, rt_ref who, int reason)
{
	struct export *e;
	char id[32];

	pthread_mutex_lock(&n->lock);
	/* A ref handed out: the nodes that hold it hear it is gone ("@ID",
	 * which no name can be). */
	for (e = *handed_ref_slot(n, who); e != NULL; e = e->by_ref)
		if (rt_ref_equal(e->ref, who))
			break;
	if (e != NULL) {
		uint8_t *buf;
		size_t len;

		handed_remove(n, e);
		snprintf(id, sizeof(id), "@%" PRIu64, e->id);
		buf = names_frame(n, FRAME_GONE, reason, id, strlen(id) + 1,
		    &len);
		if (buf != NULL) {
			(void)publish(n, n->s_hb, NULL, buf, len);
			free(buf);
		}
		free(e);
	}
	for (e = n->exports; e != NULL; e = e->next) {
		uint8_t *buf;
		size_t len;

		if (e->gone || !rt_ref_equal(e->ref, who))
			continue;
		/* Relaxed: on_export reads it as a hint (there). */
		__atomic_store_n(&e->gone, true, __ATOMIC_RELAXED);
		if (e->sub != NULL)
			(void)natsSubscription_Unsubscribe(e->sub);
		buf = names_frame(n, FRAME_GONE, reason, e->name,
		    strlen(e->name) + 1, &len);
		if (buf != NULL) {
			(void)publish(n, n->s_hb, NULL, buf, len);
			free(buf);
		}
		name_check(n, e->name, reason);
	}
	pthread_mutex_unlock(&n->lock);
}

/* --- what comes in ------------------------------------------------------------ */

struct relay {
	struct rt_node *node;
	uint64_t corr;
	const rt_wire_msg *reply;
	char subject[];
};

/* The answer to a request that came in: publish it back. */
static void
relay_done(void *arg, int status, const void *reply, size_t size)
{
	struct relay *r = arg;
	struct frame f = { .corr = r->corr };
	int rc;

	(void)size;
	if (status == 0) {
		f.type = FRAME_REPLY;
		f.fingerprint = r->reply->fingerprint;
		rc = publish_frame(r->node, r->subject, NULL, &f, r->reply,
		    reply);
	} else {
		f.type = FRAME_ERROR;
		f.status = status;
		rc = publish_frame(r->node, r->subject, NULL, &f, NULL, NULL);
	}
	if (rc != 0)
		dead(r->node, publish_cause(rc), NULL, r->reply->name, reply);
	else
		STAT_ADD(r->node, replies_sent);
	node_unref(r->node);
	free(r);
}

/* Answer a request that came in with an error, at once. */
static void
answer_error(struct rt_node *n, const char *reply, uint64_t corr, int status)
{
	struct frame f = { .type = FRAME_ERROR,
		.corr = corr,
		.status = status };

	if (reply != NULL && publish_frame(n, reply, NULL, &f, NULL, NULL) == 0)
		STAT_ADD(n, replies_sent);
}

/* The sender a delivery thread last made sure its node knows. */
static __thread struct {
	const struct rt_node *node;
	uint64_t serial;
	uint32_t gen;
	char name[NAME_CAP];
} known;

/* The node `sender` is known (a peer, made if new), so that the refs it
 * sends can be read before its heartbeats are heard. Cheap when it is the
 * sender this thread saw last. */
static void
sender_seen(struct rt_node *n, const char *sender)
{
	/* Relaxed: a hint; a sender this thread saw known since the last
	 * loss of a node is known still, or will be at its next beat. */
	uint32_t gen = __atomic_load_n(&n->peers_gen, __ATOMIC_RELAXED);

	if (known.node == n && known.serial == n->serial && known.gen == gen &&
	    strcmp(known.name, sender) == 0)
		return;
	pthread_mutex_lock(&n->lock);
	(void)peer_seen(n, sender);
	pthread_mutex_unlock(&n->lock);
	known.node = n;
	known.serial = n->serial;
	known.gen = gen;
	snprintf(known.name, sizeof(known.name), "%s", sender);
}

/*
 * The body of a frame after its sender's name (FRAME_F_SENDER), which
 * counts as word from that node. False when the name does not decode.
 */
static bool
frame_body(struct rt_node *n, const struct frame *f, const uint8_t **body,
    size_t *len)
{
	const uint8_t *p = *body, *end = *body + *len;
	char sender[NAME_CAP];

	if (!(f->flags & FRAME_F_SENDER))
		return true;
	if (!frame_get_name(&p, end, sender, sizeof(sender)))
		return false;
	sender_seen(n, sender);
	*len -= (size_t)(p - *body);
	*body = p;
	return true;
}

/* The node a message or a request came from, as its reply subject
 * (P.d.NODE....) names it, is known; a subject of another shape names
 * none. */
static void
reply_seen(struct rt_node *n, const char *reply)
{
	size_t plen = strlen(n->prefix), k;
	char sender[NAME_CAP];

	if (reply == NULL || strncmp(reply, n->prefix, plen) != 0 ||
	    strncmp(reply + plen, ".d.", 3) != 0)
		return;
	reply += plen + 3;
	for (k = 0; reply[k] != '\0' && reply[k] != '.'; k++)
		if (k + 1 >= sizeof(sender))
			return;
	memcpy(sender, reply, k);
	sender[k] = '\0';
	if (is_token(sender))
		sender_seen(n, sender);
}

/* A message or request for the local actor `ref` of `kind` (`what`: its
 * name, or its id, for the log). */
static void
deliver(struct rt_node *n, rt_ref ref, const rt_wire_kind *kind,
    const char *what, const struct frame *f, const uint8_t *body, size_t len,
    const char *reply)
{
	const rt_wire_msg *wm = NULL;
	bool request = f->type == FRAME_REQ && reply != NULL;
	uint32_t tag = f->tag;
	ptrdiff_t extra;
	rt_env *env;
	int rc;

	STAT_ADD(n, received);
	reply_seen(n, reply);
	if (!frame_body(n, f, &body, &len)) {
		dead(n, RT_DEAD_MALFORMED, kind->name, NULL, NULL);
		if (request)
			answer_error(n, reply, f->corr, RT_EBADMSG);
		return;
	}
	/* The tag is a hint; the fingerprint decides. */
	if (tag >= kind->ntags ||
	    kind->msgs[tag]->fingerprint != f->fingerprint)
		for (tag = 0; tag < kind->ntags; tag++)
			if (kind->msgs[tag]->fingerprint == f->fingerprint)
				break;
	if (tag < kind->ntags)
		wm = kind->msgs[tag];
	if (wm == NULL) {
		node_log(n, RT_LOG_ERROR,
		    "a message for %s (%s) with fingerprint %016" PRIx64
		    " that this build does not have: the nodes were built "
		    "from different protocols (rtgen --diff)",
		    what, kind->name, f->fingerprint);
		dead(n, RT_DEAD_SCHEMA, kind->name, NULL, NULL);
		if (request)
			answer_error(n, reply, f->corr, RT_EBADMSG);
		return;
	}
	extra = wm->check(body, len);
	if (extra < 0 || (size_t)extra > SIZE_MAX - wm->size) {
		node_log(n, RT_LOG_ERROR,
		    "a %s for %s (%s) that does not decode (%zu bytes)",
		    wm->name, what, kind->name, len);
		dead(n, RT_DEAD_MALFORMED, kind->name, wm->name, NULL);
		if (request)
			answer_error(n, reply, f->corr, RT_EBADMSG);
		return;
	}
	rc = request ?
	    rt_request_new(ref, tag, wm->size + (size_t)extra, &env) :
	    rt_env_new(ref, tag, wm->size + (size_t)extra, &env);
	if (rc != 0) {
		dead(n, RT_DEAD_STOPPED, kind->name, wm->name, NULL);
		if (request)
			answer_error(n, reply, f->corr,
			    rc == RT_ENOMEM ? RT_ENOMEM : RT_ENOACTOR);
		return;
	}
	wm->decode(rt_env_payload(env), body, len, &n->wrefs);
	if (request) {
		size_t sl = strlen(reply) + 1;
		struct relay *r = malloc(sizeof(*r) + sl);

		if (r == NULL) {
			rt_env_discard(env);
			dead(n, RT_DEAD_DROPPED, kind->name, wm->name, NULL);
			answer_error(n, reply, f->corr, RT_ENOMEM);
			return;
		}
		r->node = n;
		r->corr = f->corr;
		r->reply = wm->reply;
		memcpy(r->subject, reply, sl);
		node_ref(n);
		rc = rt_request_relay(env, relay_done, r, true);
		if (rc != 0) {
			node_unref(n);
			free(r);
			answer_error(n, reply, f->corr, rc);
		}
	} else {
		rc = rt_env_send_here(env);
	}
	if (rc != 0)
		dead(n, rc == RT_EFULL ? RT_DEAD_DROPPED : RT_DEAD_STOPPED,
		    kind->name, wm->name, NULL);
	else
		STAT_ADD(n, delivered);
}

/*
 * The parts of a batch frame (FRAME_BATCH), in order. batch_begin: false
 * when the count it announces cannot fit in its bytes (the whole frame is
 * then one that does not decode).
 */
struct batch_iter {
	const uint8_t *at, *end;
	uint32_t left;
};

#define BATCH_PART_MIN (4 + 16)

static bool
batch_begin(struct batch_iter *it, const struct frame *f, const uint8_t *body,
    size_t len)
{
	it->at = body;
	it->end = body + len;
	it->left = f->tag;
	return f->tag >= 1 && f->tag <= len / BATCH_PART_MIN;
}

/*
 * 1: the next message, its header in *f and its body at *body; 0: no part
 * is left; -1: a part that is not a message, or runs past the frame's end
 * (then so does every part after it): a dead letter each.
 */
static int
batch_next(struct batch_iter *it, struct frame *f, const uint8_t **body,
    size_t *len)
{
	size_t n, head;

	if (it->left == 0)
		return 0;
	it->left--;
	if (it->end - it->at < 4 ||
	    (n = frame_get32(it->at)) > (size_t)(it->end - it->at) - 4) {
		it->at = it->end;
		return -1;
	}
	head = frame_get_header(it->at + 4, n, f);
	*body = it->at + 4 + head;
	*len = n - head;
	it->at += 4 + n;
	return head != 0 && f->type == FRAME_MSG ? 1 : -1;
}

/*
 * The messages of a batch frame for the local actor `ref` of `kind` (NULL:
 * it has stopped; kname names its kind, when known, and `what` the actor,
 * for the log), each delivered as if it had come alone.
 */
static void
deliver_batch(struct rt_node *n, rt_ref ref, const rt_wire_kind *kind,
    const char *kname, const char *what, const struct frame *f,
    const uint8_t *body, size_t len, const char *reply)
{
	struct batch_iter it;
	struct frame part;
	const uint8_t *pb;
	size_t plen;
	int k;

	if (!batch_begin(&it, f, body, len)) {
		STAT_ADD(n, received);
		dead(n, RT_DEAD_MALFORMED, kname, NULL, NULL);
		return;
	}
	while ((k = batch_next(&it, &part, &pb, &plen)) != 0) {
		if (k > 0 && kind != NULL) {
			deliver(n, ref, kind, what, &part, pb, plen, reply);
			continue;
		}
		STAT_ADD(n, received);
		dead(n, k < 0 ? RT_DEAD_MALFORMED : RT_DEAD_STOPPED, kname,
		    NULL, NULL);
	}
}

/* A lookup asks who exports the name: this node, of this kind. */
static void
probed(struct rt_node *n, struct export *e, const char *reply)
{
	size_t len, nk = strlen(e->kind->name) + 1;
	uint8_t *buf = names_frame(n, FRAME_PROBED, 0, e->kind->name, nk, &len);

	if (buf == NULL)
		return;
	(void)publish(n, reply, NULL, buf, len);
	free(buf);
}

static void
on_export(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
    void *closure)
{
	struct export *e = closure;
	struct rt_node *n = e->node;
	const uint8_t *data = (const uint8_t *)natsMsg_GetData(msg);
	size_t len = (size_t)natsMsg_GetDataLength(msg);
	const char *reply = natsMsg_GetReply(msg);
	struct frame f;
	size_t head;
	bool gone;

	(void)nc;
	(void)sub;
	/* Relaxed: a hint, read on every message; one that races with the
	 * actor's stop is a dead letter when its envelope is refused. */
	gone = __atomic_load_n(&e->gone, __ATOMIC_RELAXED);
	if ((head = frame_get_header(data, len, &f)) == 0) {
		STAT_ADD(n, received);
		node_log(n, RT_LOG_ERROR,
		    "a frame for %s that does not decode (%zu bytes)", e->name,
		    len);
		dead(n, RT_DEAD_MALFORMED, e->kind->name, NULL, NULL);
	} else if (f.type == FRAME_PROBE) {
		if (!gone && reply != NULL)
			probed(n, e, reply);
	} else if (f.type == FRAME_BATCH) {
		deliver_batch(n, e->ref, gone ? NULL : e->kind, e->kind->name,
		    e->name, &f, data + head, len - head, reply);
	} else if (f.type != FRAME_MSG && f.type != FRAME_REQ) {
		STAT_ADD(n, received);
		dead(n, RT_DEAD_MALFORMED, e->kind->name, NULL, NULL);
	} else if (gone) {
		STAT_ADD(n, received);
		dead(n, RT_DEAD_STOPPED, e->kind->name, NULL, NULL);
		if (f.type == FRAME_REQ)
			answer_error(n, reply, f.corr, RT_ENOACTOR);
	} else {
		deliver(n, e->ref, e->kind, e->name, &f, data + head,
		    len - head, reply);
	}
	natsMsg_Destroy(msg);
}

/* A message or request for the ref this node handed out as `id`. */
static void
on_handed(struct rt_node *n, uint64_t id, const uint8_t *data, size_t len,
    const char *reply)
{
	struct frame f;
	size_t head;
	struct export *e;
	rt_ref ref = { NULL, 0 };
	const rt_wire_kind *kind = NULL;
	char what[32];

	pthread_mutex_lock(&n->lock);
	for (e = *handed_slot(n, id); e != NULL; e = e->next)
		if (e->id == id) {
			ref = e->ref;
			kind = e->kind;
			break;
		}
	pthread_mutex_unlock(&n->lock);
	snprintf(what, sizeof(what), "ref %" PRIu64, id);
	if ((head = frame_get_header(data, len, &f)) != 0 &&
	    f.type == FRAME_BATCH) {
		deliver_batch(n, ref, kind, NULL, what, &f, data + head,
		    len - head, reply);
	} else if (head == 0 || (f.type != FRAME_MSG && f.type != FRAME_REQ)) {
		STAT_ADD(n, received);
		dead(n, RT_DEAD_MALFORMED, NULL, NULL, NULL);
	} else if (kind == NULL) {
		/* Its actor stopped (or the id is none of ours). */
		STAT_ADD(n, received);
		dead(n, RT_DEAD_STOPPED, NULL, NULL, NULL);
		if (f.type == FRAME_REQ)
			answer_error(n, reply, f.corr, RT_ENOACTOR);
	} else {
		deliver(n, ref, kind, what, &f, data + head, len - head, reply);
	}
}

/* An answer to one of this node's asks (subject P.d.NODE.r.ID), or NATS
 * saying nobody took a message (P.d.NODE.nr.NAME). */
static void
on_direct(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
    void *closure)
{
	struct rt_node *n = closure;
	const char *subj = natsMsg_GetSubject(msg) + n->s_direct_len;
	const uint8_t *data = (const uint8_t *)natsMsg_GetData(msg);
	size_t len = (size_t)natsMsg_GetDataLength(msg);
	const uint8_t *body;
	size_t head;
	struct pending p;
	struct frame f;
	ptrdiff_t extra;
	rt_env *env;
	uint64_t corr;
	bool mine;

	(void)nc;
	(void)sub;
	if (strncmp(subj, "nr.", 3) == 0) {
		if (natsMsg_IsNoResponders(msg))
			dead(n, RT_DEAD_NONAME, NULL, subj + 3, NULL);
		goto out;
	}
	if (strncmp(subj, "nb.", 3) == 0) {
		/* A batch of COUNT (outbox_flush), at most what one holds. */
		char *end;
		unsigned long k = strtoul(subj + 3, &end, 10);

		if (*end != '.' || k == 0 || k > OUTBOX_MAX / BATCH_PART_MIN) {
			k = 1;
			end = (char *)subj + 3;
		} else {
			end++;
		}
		if (natsMsg_IsNoResponders(msg))
			while (k-- > 0)
				dead(n, RT_DEAD_NONAME, NULL, end, NULL);
		goto out;
	}
	if (strncmp(subj, "a.", 2) == 0) {
		on_handed(n, strtoull(subj + 2, NULL, 10), data, len,
		    natsMsg_GetReply(msg));
		goto out;
	}
	if (strncmp(subj, "r.", 2) != 0)
		goto out;
	corr = strtoull(subj + 2, NULL, 10);
	pthread_mutex_lock(&n->lock);
	mine = pending_take(n, corr, &p);
	pthread_mutex_unlock(&n->lock);
	if (!mine) {
		/* Answered already: RT_ENODE when its node was thought gone,
		 * or the proxy stopped. */
		if (!natsMsg_IsNoResponders(msg))
			dead(n, RT_DEAD_NODEDOWN, NULL, "a late reply", NULL);
		goto out;
	}
	if (natsMsg_IsNoResponders(msg)) {
		/* Nobody subscribes to where it went: the name's nodes, or
		 * the ref's node, are gone. */
		dead(n, RT_DEAD_NONAME, NULL, NULL, NULL);
		(void)rt_reply_token_error(p.token, RT_ENODE);
		goto out;
	}
	STAT_ADD(n, replies_received);
	head = frame_get_header(data, len, &f);
	body = data + head;
	len -= head;
	if (head == 0 || (f.type != FRAME_REPLY && f.type != FRAME_ERROR) ||
	    !frame_body(n, &f, &body, &len)) {
		dead(n, RT_DEAD_MALFORMED, NULL, p.reply->name, NULL);
		(void)rt_reply_token_error(p.token, RT_EBADMSG);
		goto out;
	}
	if (f.type == FRAME_ERROR) {
		int status = (int)f.status;

		(void)rt_reply_token_error(p.token,
		    status != 0 && status == f.status ? status : RT_EBADMSG);
		goto out;
	}
	if (f.fingerprint != p.reply->fingerprint) {
		node_log(n, RT_LOG_ERROR,
		    "a reply %s with fingerprint %016" PRIx64
		    " where %016" PRIx64 " was expected: the nodes were "
		    "built from different protocols (rtgen --diff)",
		    p.reply->name, f.fingerprint, p.reply->fingerprint);
		dead(n, RT_DEAD_SCHEMA, NULL, p.reply->name, NULL);
		(void)rt_reply_token_error(p.token, RT_EBADMSG);
		goto out;
	}
	extra = p.reply->check(body, len);
	if (extra < 0 || (size_t)extra > SIZE_MAX - p.reply->size) {
		dead(n, RT_DEAD_MALFORMED, NULL, p.reply->name, NULL);
		(void)rt_reply_token_error(p.token, RT_EBADMSG);
		goto out;
	}
	if (rt_reply_token_env(p.token, p.reply->size + (size_t)extra, &env) !=
	    0)
		goto out;
	p.reply->decode(rt_env_payload(env), body, len, &n->wrefs);
	rt_reply_commit(env);
out:
	natsMsg_Destroy(msg);
}

/* Heartbeats, goodbyes and stopped exports of the other nodes. */
static void
on_beat(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	struct rt_node *n = closure;
	const uint8_t *data = (const uint8_t *)natsMsg_GetData(msg);
	const uint8_t *end = data + natsMsg_GetDataLength(msg);
	const uint8_t *p;
	char node[NAME_CAP], name[NAME_CAP];
	struct peer *peer;
	struct frame f;
	size_t head;

	(void)nc;
	(void)sub;
	head = frame_get_header(data, (size_t)(end - data), &f);
	p = data + head;
	if (head == 0 || !frame_get_name(&p, end, node, sizeof(node)) ||
	    strcmp(node, n->name) == 0)
		goto out;
	pthread_mutex_lock(&n->lock);
	peer = peer_find(n, node);
	if (f.type == FRAME_BEAT) {
		size_t cap = (size_t)(end - p), used = 0;
		char *names = malloc(cap + 1);

		if (names == NULL)
			goto unlock;
		while (p < end && frame_get_name(&p, end, name, sizeof(name))) {
			memcpy(names + used, name, strlen(name) + 1);
			used += strlen(name) + 1;
		}
		if ((peer = peer_seen(n, node)) == NULL) {
			free(names);
			goto unlock;
		}
		free(peer->exports);
		peer->exports = names;
		peer->exports_len = used;
	} else if (f.type == FRAME_BYE && peer != NULL) {
		peer_lost(n, peer, NULL);
	} else if (f.type == FRAME_GONE && peer != NULL &&
	    frame_get_name(&p, end, name, sizeof(name)) && name[0] == '@') {
		ref_gone(n, peer, strtoull(name + 1, NULL, 10), (int)f.status);
	} else if (f.type == FRAME_GONE && peer != NULL && name[0] != '\0') {
		size_t at = 0;

		while (at < peer->exports_len &&
		    strcmp(peer->exports + at, name) != 0)
			at += strlen(peer->exports + at) + 1;
		if (at < peer->exports_len) {
			size_t k = strlen(name) + 1;

			memmove(peer->exports + at, peer->exports + at + k,
			    peer->exports_len - at - k);
			peer->exports_len -= k;
		}
		name_check(n, name, (int)f.status);
	}
unlock:
	pthread_mutex_unlock(&n->lock);
out:
	natsMsg_Destroy(msg);
}

/* --- heartbeats ---------------------------------------------------------------- */

static void
beat(struct rt_node *n)
{
	struct export *e;
	size_t len = 0, at = 0, flen;
	char *names;
	uint8_t *buf;

	pthread_mutex_lock(&n->lock);
	for (e = n->exports; e != NULL; e = e->next)
		if (!e->gone)
			len += strlen(e->name) + 1;
	names = malloc(len + 1);
	if (names == NULL) {
		pthread_mutex_unlock(&n->lock);
		return;
	}
	for (e = n->exports; e != NULL; e = e->next)
		if (!e->gone) {
			memcpy(names + at, e->name, strlen(e->name) + 1);
			at += strlen(e->name) + 1;
		}
	pthread_mutex_unlock(&n->lock);
	buf = names_frame(n, FRAME_BEAT, 0, names, len, &flen);
	if (buf != NULL)
		(void)publish(n, n->s_hb, NULL, buf, flen);
	free(buf);
	free(names);
}

static void *
beat_main(void *arg)
{
	struct rt_node *n = arg;

	pthread_mutex_lock(&n->lock);
	while (!n->stopping) {
		int64_t now, limit = (int64_t)n->missed * n->beat_ns;
		struct peer *p, *next;
		struct timespec ts;

		pthread_mutex_unlock(&n->lock);
		beat(n);
		pthread_mutex_lock(&n->lock);
		now = now_ns();
		for (p = n->peers; p != NULL; p = next) {
			next = p->next;
			/* While this node is cut off, the silence is ours. */
			if (n->disconnected)
				p->last_seen = now;
			else if (now - p->last_seen > limit)
				peer_lost(n, p, "its heartbeats stopped");
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += n->beat_ns / 1000000000;
		ts.tv_nsec += n->beat_ns % 1000000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (!n->stopping)
			(void)pthread_cond_timedwait(&n->cond, &n->lock, &ts);
	}
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

/* --- the connection's events ----------------------------------------------------- */

static void
on_disconnected(natsConnection *nc, void *closure)
{
	struct rt_node *n = closure;

	bool stopping;

	(void)nc;
	pthread_mutex_lock(&n->lock);
	n->disconnected = true;
	stopping = n->stopping;
	pthread_mutex_unlock(&n->lock);
	if (!stopping)
		node_log(n, RT_LOG_WARN, "lost the NATS server; reconnecting");
}

static void
on_reconnected(natsConnection *nc, void *closure)
{
	struct rt_node *n = closure;
	struct peer *p;

	(void)nc;
	pthread_mutex_lock(&n->lock);
	n->disconnected = false;
	for (p = n->peers; p != NULL; p = p->next)
		p->last_seen = now_ns();
	pthread_mutex_unlock(&n->lock);
	node_log(n, RT_LOG_INFO, "reconnected to the NATS server");
}

/* The connection is closed for good: every other node is gone from here. */
static void
on_closed(natsConnection *nc, void *closure)
{
	struct rt_node *n = closure;

	(void)nc;
	pthread_mutex_lock(&n->lock);
	n->closed = true;
	pthread_cond_broadcast(&n->cond);
	if (!n->stopping) {
		node_log(n, RT_LOG_ERROR,
		    "the connection to NATS is closed for good");
		while (n->peers != NULL)
			peer_lost(n, n->peers, "this node lost NATS");
		for (struct proxy_entry *pe = n->proxies; pe != NULL;
		    pe = pe->next)
			if (!pe->down) {
				pending_fail(n, pe, RT_ENODE);
				proxy_down(n, pe, RT_ENODE);
			}
	}
	pthread_mutex_unlock(&n->lock);
	node_unref(n);
}

static void
on_error(natsConnection *nc, natsSubscription *sub, natsStatus err,
    void *closure)
{
	struct rt_node *n = closure;

	(void)nc;
	if (err == NATS_SLOW_CONSUMER && sub != NULL) {
		int64_t dropped = 0;

		(void)natsSubscription_GetDropped(sub, &dropped);
		node_log(n, RT_LOG_ERROR,
		    "messages came in faster than they could be delivered: "
		    "NATS dropped %" PRId64 " so far",
		    dropped);
		dead(n, RT_DEAD_BACKLOG, NULL, NULL, NULL);
	} else {
		node_log(n, RT_LOG_ERROR, "NATS: %s", natsStatus_GetText(err));
	}
}

/* A subscription's last callback has run: it lets go of the node. */
static void
sub_complete(void *closure)
{
	node_unref(closure);
}

/* --- export and lookup -------------------------------------------------------- */

static int
node_export(void *node, rt_ref ref, const char *name, const rt_wire_kind *kind)
{
	struct rt_node *n = node;
	struct export *e;
	char *subject;
	natsStatus s = NATS_CONNECTION_CLOSED;

	if (!is_token(name) || kind->cls == NULL)
		return RT_EINVAL;
	if (!rt_actor_alive(ref))
		return RT_ENOACTOR;
	pthread_mutex_lock(&n->lock);
	for (e = n->exports; e != NULL; e = e->next)
		if (!e->gone && strcmp(e->name, name) == 0) {
			pthread_mutex_unlock(&n->lock);
			return RT_EEXIST;
		}
	e = calloc(1, sizeof(*e));
	subject = str_printf("%s%s", n->s_names, name);
	if (e == NULL || subject == NULL || (e->name = strdup(name)) == NULL) {
		pthread_mutex_unlock(&n->lock);
		free(subject);
		free(e);
		return RT_ENOMEM;
	}
	e->node = n;
	e->ref = ref;
	e->kind = kind;
	pthread_rwlock_rdlock(&n->conn_lock);
	if (n->nc != NULL && !n->stopping)
		s = natsConnection_QueueSubscribe(&e->sub, n->nc, subject, "rt",
		    on_export, e);
	if (s == NATS_OK) {
		node_ref(n);
		if (natsSubscription_SetOnCompleteCB(e->sub, sub_complete, n) !=
		    NATS_OK)
			node_unref(n);
	}
	pthread_rwlock_unlock(&n->conn_lock);
	free(subject);
	if (s != NATS_OK) {
		pthread_mutex_unlock(&n->lock);
		free(e->name);
		free(e);
		return status_rc(s);
	}
	e->next = n->exports;
	n->exports = e;
	pthread_mutex_unlock(&n->lock);
	agent_watch(n, ref);
	beat(n);
	return 0;
}

static int
node_lookup(void *node, const char *name, const rt_wire_kind *kind, rt_ref *out)
{
	struct rt_node *n = node;
	struct frame f = { .type = FRAME_PROBE };
	uint8_t probe[FRAME_HEADER_MAX];
	size_t probe_len, head;
	char *subject, who[NAME_CAP], what[NAME_CAP];
	const uint8_t *p, *end;
	natsMsg *reply = NULL;
	natsStatus s = NATS_CONNECTION_CLOSED;
	int rc;

	if (!is_token(name))
		return RT_EINVAL;
	subject = str_printf("%s%s", n->s_names, name);
	if (subject == NULL)
		return RT_ENOMEM;
	probe_len = frame_put_header(probe, &f);
	pthread_rwlock_rdlock(&n->conn_lock);
	if (n->nc != NULL)
		s = natsConnection_Request(&reply, n->nc, subject, probe,
		    (int)probe_len, n->lookup_ms);
	pthread_rwlock_unlock(&n->conn_lock);
	free(subject);
	if (s == NATS_NO_RESPONDERS)
		return RT_ENOENT;
	if (s == NATS_TIMEOUT)
		return RT_ETIMEDOUT;
	if (s != NATS_OK)
		return status_rc(s);
	p = (const uint8_t *)natsMsg_GetData(reply);
	end = p + natsMsg_GetDataLength(reply);
	head = frame_get_header(p, (size_t)(end - p), &f);
	rc = head != 0 && f.type == FRAME_PROBED ? 0 : RT_EBADMSG;
	p += head;
	if (rc == 0 &&
	    (!frame_get_name(&p, end, who, sizeof(who)) ||
		!frame_get_name(&p, end, what, sizeof(what))))
		rc = RT_EBADMSG;
	natsMsg_Destroy(reply);
	if (rc != 0)
		return rc;
	if (strcmp(what, kind->name) != 0)
		return RT_ETYPE;
	pthread_mutex_lock(&n->lock);
	if (n->stopping) {
		rc = RT_ENODE;
	} else {
		peer_learn(n, who, name);
		rc = proxy_get(n, name, kind, out);
	}
	pthread_mutex_unlock(&n->lock);
	return rc;
}

static const rt_remote_ops node_ops = {
	.export_name = node_export,
	.lookup = node_lookup,
};

/* --- start and stop --------------------------------------------------------------- */

static void
node_free(struct rt_node *n)
{
	struct export *e;
	struct peer *p;
	struct proxy_entry *pe;

	for (unsigned b = 0; b < PENDING_BUCKETS; b++)
		while ((e = n->handed[b]) != NULL) {
			n->handed[b] = e->next;
			free(e);
		}
	while ((e = n->exports) != NULL) {
		n->exports = e->next;
		free(e->name);
		free(e);
	}
	while ((p = n->peers) != NULL) {
		n->peers = p->next;
		free(p->exports);
		free(p->name);
		free(p);
	}
	while ((pe = n->proxies) != NULL) {
		n->proxies = pe->next;
		proxy_entry_free(pe);
	}
	pthread_cond_destroy(&n->cond);
	pthread_mutex_destroy(&n->lock);
	pthread_rwlock_destroy(&n->conn_lock);
	free(n->s_names);
	free(n->s_reply);
	free(n->s_nr);
	free(n->s_hb);
	free(n->name);
	free(n->prefix);
	free(n);
}

/*
 * Close the connection and let go of everything of libnats the node holds.
 * Callbacks may still run for a while (each subscription's completion
 * callback says when one has run its last), but they find nc NULL.
 */
static void
conn_close(struct rt_node *n)
{
	natsSubscription **subs;
	size_t nsubs = 0, i;
	struct export *e;

	pthread_mutex_lock(&n->lock);
	for (e = n->exports; e != NULL; e = e->next)
		nsubs++;
	subs = calloc(nsubs + 2, sizeof(*subs));
	nsubs = 0;
	for (e = n->exports; e != NULL; e = e->next) {
		if (subs != NULL)
			subs[nsubs++] = e->sub;
		e->sub = NULL;
	}
	pthread_mutex_unlock(&n->lock);
	pthread_rwlock_wrlock(&n->conn_lock);
	if (n->nc != NULL)
		natsConnection_Close(n->nc);
	for (i = 0; i < nsubs; i++)
		natsSubscription_Destroy(subs[i]);
	natsSubscription_Destroy(n->sub_direct);
	natsSubscription_Destroy(n->sub_hb);
	n->sub_direct = n->sub_hb = NULL;
	natsConnection_Destroy(n->nc);
	n->nc = NULL;
	pthread_rwlock_unlock(&n->conn_lock);
	free(subs);
}

static bool
node_subscribe(struct rt_node *n, natsSubscription **sub, const char *subj,
    natsMsgHandler cb)
{
	if (natsConnection_Subscribe(sub, n->nc, subj, cb, n) != NATS_OK)
		return false;
	node_ref(n);
	if (natsSubscription_SetOnCompleteCB(*sub, sub_complete, n) !=
	    NATS_OK) {
		node_unref(n);
		return false;
	}
	return true;
}

static natsOptions *
node_options(struct rt_node *n, const rt_node_config *cfg)
{
	natsOptions *o = NULL;
	bool ok;

	if (natsOptions_Create(&o) != NATS_OK)
		return NULL;
	ok = natsOptions_SetURL(o, cfg->url) == NATS_OK &&
	    natsOptions_SetName(o, n->name) == NATS_OK &&
	    /* One delivery thread for all of a node's subscriptions, not
	     * one each; order per subscription is kept. */
	    natsOptions_UseGlobalMessageDelivery(o, true) == NATS_OK &&
	    /* A round trip is a few tens of µs; the flusher's batching
	     * would make it up to a millisecond. */
	    natsOptions_SetSendAsap(o, true) == NATS_OK &&
	    /* Notice a silent server in seconds, not minutes. */
	    natsOptions_SetPingInterval(o, 2000) == NATS_OK &&
	    natsOptions_SetMaxPingsOut(o, 2) == NATS_OK &&
	    natsOptions_SetDisconnectedCB(o, on_disconnected, n) == NATS_OK &&
	    natsOptions_SetReconnectedCB(o, on_reconnected, n) == NATS_OK &&
	    natsOptions_SetClosedCB(o, on_closed, n) == NATS_OK &&
	    natsOptions_SetErrorHandler(o, on_error, n) == NATS_OK &&
	    (cfg->max_reconnect == 0 ||
		natsOptions_SetMaxReconnect(o, cfg->max_reconnect) ==
		    NATS_OK) &&
	    (cfg->reconnect_wait <= 0 ||
		natsOptions_SetReconnectWait(o,
		    cfg->reconnect_wait / 1000000) == NATS_OK) &&
	    (cfg->reconnect_buffer <= 0 ||
		natsOptions_SetReconnectBufSize(o, cfg->reconnect_buffer) ==
		    NATS_OK);
	if (!ok) {
		natsOptions_Destroy(o);
		return NULL;
	}
	return o;
}

rt_node *
rt_node_start(rt_system *sys, const rt_node_config *cfg)
{
	struct rt_node *n;
	natsOptions *o;
	natsStatus s;
	struct live *l;
	rt_env *env;
	char *direct;

	if (sys == NULL)
		return NULL;
	if (cfg == NULL || cfg->url == NULL || !is_token(cfg->name) ||
	    (cfg->prefix != NULL && !is_token(cfg->prefix)) ||
	    cfg->heartbeat < 0 || cfg->lookup_timeout < 0) {
		rt_remote_log(sys, RT_LOG_ERROR,
		    "rt_node_start: a node needs a url and a name of "
		    "letters, digits, '-' and '_'");
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	l = malloc(sizeof(*l));
	if (n == NULL || l == NULL) {
		free(n);
		free(l);
		return NULL;
	}
	n->sys = sys;
	n->refs = 1;
	n->beat_ns = cfg->heartbeat > 0 ? cfg->heartbeat : 1000000000;
	n->missed = cfg->missed_beats > 0 ? cfg->missed_beats : 3;
	n->lookup_ms = cfg->lookup_timeout > 0 ?
	    (cfg->lookup_timeout + 999999) / 1000000 :
	    1000;
	n->name = strdup(cfg->name);
	n->prefix = strdup(cfg->prefix != NULL ? cfg->prefix : "rt");
	n->id = node_id(cfg->name);
	n->wrefs.put = refs_put;
	n->wrefs.get = refs_get;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	pthread_rwlock_init(&n->conn_lock, NULL);
	if (n->name == NULL || n->prefix == NULL)
		goto fail;
	n->s_names = str_printf("%s.n.", n->prefix);
	n->s_reply = str_printf("%s.d.%s.r", n->prefix, n->name);
	n->s_nr = str_printf("%s.d.%s.nr", n->prefix, n->name);
	n->s_hb = str_printf("%s.hb", n->prefix);
	direct = str_printf("%s.d.%s.>", n->prefix, n->name);
	if (n->s_names == NULL || n->s_reply == NULL || n->s_nr == NULL ||
	    n->s_hb == NULL || direct == NULL) {
		free(direct);
		goto fail;
	}
	n->s_direct_len = strlen(direct) - 1;
	o = node_options(n, cfg);
	if (o == NULL) {
		free(direct);
		goto fail;
	}
	node_ref(n); /* the closed callback's */
	s = natsConnection_Connect(&n->nc, o);
	natsOptions_Destroy(o);
	if (s != NATS_OK) {
		char line[256];

		snprintf(line, sizeof(line),
		    "rt_node_start: node %s: no NATS server at %s", n->name,
		    cfg->url);
		rt_remote_log(sys, RT_LOG_ERROR, line);
		free(direct);
		n->refs = 1;
		goto fail;
	}
	if (!node_subscribe(n, &n->sub_direct, direct, on_direct) ||
	    !node_subscribe(n, &n->sub_hb, n->s_hb, on_beat)) {
		free(direct);
		goto fail_conn;
	}
	free(direct);
	if (natsConnection_FlushTimeout(n->nc, 2000) != NATS_OK)
		goto fail_conn;
	pthread_mutex_lock(&live_lock);
	n->serial = ++live_serial;
	l->node = n;
	l->next = live_nodes;
	live_nodes = l;
	l = NULL;
	pthread_mutex_unlock(&live_lock);
	if (rt_spawn_prepare(sys, &agent_class, sizeof(uint64_t), &env) != 0)
		goto fail_live;
	memcpy(rt_env_payload(env), &n->serial, sizeof(uint64_t));
	if (rt_spawn_commit(env, &n->agent) != 0)
		goto fail_live;
	if (rt_remote_attach(sys, n, &node_ops) != 0) {
		rt_remote_log(sys, RT_LOG_ERROR,
		    "rt_node_start: this system has a node already");
		goto fail_live;
	}
	if (pthread_create(&n->beat_thread, NULL, beat_main, n) != 0) {
		rt_remote_detach(sys, n);
		goto fail_live;
	}
	n->beating = true;
	return n;
fail_live:
	live_remove(n);
fail_conn:
	conn_close(n);
	free(l);
	node_unref(n);
	return NULL;
fail:
	free(l);
	node_free(n);
	return NULL;
}

int
rt_node_stop(rt_node *n)
{
	struct proxy_entry *pe;
	struct export *e;
	uint8_t *buf;
	rt_env *env;
	size_t len;
	bool last, drained;

	if (n == NULL)
		return 0;
	rt_remote_detach(n->sys, n);
	live_remove(n);
	pthread_mutex_lock(&n->lock);
	n->stopping = true;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
	if (n->beating)
		pthread_join(n->beat_thread, NULL);
	/* Goodbye: the others take this node's names off at once. */
	buf = names_frame(n, FRAME_BYE, 0, NULL, 0, &len);
	if (buf != NULL) {
		(void)publish(n, n->s_hb, NULL, buf, len);
		free(buf);
	}
	pthread_mutex_lock(&n->lock);
	for (e = n->exports; e != NULL; e = e->next)
		__atomic_store_n(&e->gone, true, __ATOMIC_RELAXED); /* a hint */
	pending_fail(n, NULL, RT_ENODE);
	for (pe = n->proxies; pe != NULL; pe = pe->next)
		proxy_down(n, pe, RT_ENODE);
	pthread_mutex_unlock(&n->lock);
	/* The agent stops: what it watches is no longer exported. */
	if (rt_env_new(n->agent, AGENT_STOP, 0, &env) == 0)
		(void)rt_env_send(env);
	/*
	 * Drain: the subscriptions stop, what they had queued is delivered,
	 * what is queued for NATS goes out, and then the connection closes
	 * (on_closed says when). A connection closed without draining can
	 * lose a message libnats was about to deliver.
	 */
	pthread_rwlock_rdlock(&n->conn_lock);
	drained = natsConnection_DrainTimeout(n->nc, 2000) == NATS_OK;
	pthread_rwlock_unlock(&n->conn_lock);
	if (drained) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		pthread_mutex_lock(&n->lock);
		while (!n->closed &&
		    pthread_cond_timedwait(&n->cond, &n->lock, &ts) == 0)
			;
		pthread_mutex_unlock(&n->lock);
	}
	conn_close(n);
	node_unref(n);
	pthread_mutex_lock(&live_lock);
	last = live_nodes == NULL;
	pthread_mutex_unlock(&live_lock);
	/* The process's last node: libnats's own threads and memory go too
	 * (they come back with the next node). */
	if (last)
		(void)nats_CloseAndWait(2000);
	return 0;
}

int
rt_node_stats_get(rt_node *n, rt_node_stats *out)
{
	uint64_t *dst, *src;

	if (n == NULL || out == NULL)
		return RT_EINVAL;
	dst = (uint64_t *)out;
	src = (uint64_t *)&n->stats;
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		/* Relaxed: a snapshot of independent tallies. */
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	return 0;
}

const char *
rt_node_name(const rt_node *n)
{
	return n != NULL ? n->name : NULL;
}
