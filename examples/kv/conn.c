/* SPDX-License-Identifier: MIT */
/*
 * The Conn actor: one client connection. It reads requests (resp.c),
 * answers those that need no key itself, and asks the shard of a key to
 * run a command on it; a command on the keys of several shards is split
 * into one ask per shard, and their answers are put together again.
 *
 * Order. Every command gets the next sequence number and a slot in a ring
 * indexed by it. Answers come back in any order (two shards run at
 * once); each is kept in its slot until every command before it has been
 * answered, and the answers go out in sequence order, as Redis, which
 * runs one command at a time, sends them.
 *
 * Flow control. A client may send requests without reading the answers.
 * The Conn stops reading (does not watch its socket for reading) while
 * it has KV_MAX_INFLIGHT commands in flight or KV_MAX_PENDING bytes of
 * answers its client has not taken, and reads again once they are
 * written: such a client costs a bounded amount of memory, and its
 * requests wait in the kernel's buffers, and then in its own.
 *
 * Writes are gathered: the answers are written when no command is in
 * flight any more (a pipeline's answers go out in one write), or once
 * FLUSH_AT bytes are waiting, whichever comes first.
 *
 * Asks are gathered too. A whole command for one shard is not sent as
 * it is parsed, but added to that shard's batch; once the requests read
 * so far have been run, each shard gets its batch in one message (a
 * Batch, or an Exec for a batch of one), and answers with one message:
 * a pipeline of 16 GETs costs two messages, not 32. A shard runs the
 * messages of one Conn in the order they were sent, so the batches are
 * sent before a split command, whose parts go out at once, and before a
 * batch grows past BATCH_AT bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

/* Answers waiting in the ring, written once this many bytes are ready. */
#define FLUSH_AT (16u << 10)
/* Reads per readiness, so that one busy client shares its worker. */
#define READS_PER_EVENT 4
/* An output buffer grown past this for a large answer is given back. */
#define OUT_KEPT (64u << 10)
#define FIRST_SLOTS 16
/* A shard's batch is sent once it holds this many bytes of commands. */
#define BATCH_AT (64u << 10)

/* One shard's share of a command split between shards. */
struct part {
	rt_corr ask; /* its ask, to find it when it fails */
	bool done;
	struct resp_buf data; /* MGET: its answer, until all are in */
	size_t at;            /* MGET: how much of it has been used */
};

/* The whole commands for one shard not sent yet. */
struct batch {
	struct resp_buf cmds; /* for each, a kv_batch_cmd, then its packed
	                         arguments */
	uint32_t n;           /* how many */
	bool listed;          /* in kv_conn.busy */
};

enum { SLOT_FREE, SLOT_WAIT, SLOT_READY };

struct slot {
	int state;
	enum kv_op op;
	uint32_t nparts; /* shards asked */
	uint32_t left;   /* of them, not answered yet */
	int failed;      /* the status of the first that failed, or 0 */
	int64_t sum;     /* DEL, EXISTS: the counts so far */
	struct part one; /* nparts == 1 */
	struct part *parts;
	uint32_t nkeys;        /* MGET on several shards: */
	uint32_t *key_part;    /* which part has each key's value */
	struct resp_buf reply; /* SLOT_READY: the answer */
};

struct kv_conn {
	int fd;
	const struct kv_server *srv;
	struct resp_parser in;
	struct resp_buf out; /* answers to write, in order */
	size_t sent;         /* bytes of out already written */
	struct slot *slot;   /* the ring, nslot (a power of two) slots */
	uint32_t nslot;
	uint64_t head;  /* the first command not answered in out */
	uint64_t tail;  /* the next command's sequence number */
	size_t held;    /* bytes of answers waiting in the ring */
	unsigned armed; /* what is watched now */
	bool blocked;   /* the last write could not write it all */
	bool drained;   /* the last read emptied the socket (a short
	                   read, or EAGAIN): an edge-triggered watch
	                   then misses nothing */
	bool closing;   /* no more requests: close once answered */
	bool gone;      /* the client is gone: stop at once */
	/* Per shard, its batch; and the shards given commands since the
	 * batches were last sent, nbusy of them. */
	struct batch *batch;
	uint32_t *busy;
	uint32_t nbusy;
	/* Scratch space for splitting a command between shards. */
	struct resp_buf pack;
	uint32_t *part_of;    /* per shard: its part, or NO_PART */
	uint32_t *part_shard; /* per part: its shard */
	uint32_t *key_part;   /* per key: its part */
	uint32_t *order;      /* keys sorted by part */
	uint32_t *first;      /* per part: where its keys start in order */
	size_t nscratch;      /* room in key_part and order */
};

#define NO_PART UINT32_MAX

static bool
paused(const struct kv_conn *c)
{
	return c->tail - c->head >= KV_MAX_INFLIGHT ||
	    c->out.len - c->sent + c->held >= KV_MAX_PENDING;
}

static struct slot *
slot_at(struct kv_conn *c, uint64_t seq)
{
	return &c->slot[seq & (c->nslot - 1)];
}

static void
slot_clear(struct kv_conn *c, struct slot *s)
{
	uint32_t i;

	c->held -= s->reply.len;
	resp_buf_free(&s->reply);
	resp_buf_free(&s->one.data);
	if (s->parts != NULL)
		for (i = 0; i < s->nparts; i++)
			resp_buf_free(&s->parts[i].data);
	free(s->parts);
	free(s->key_part);
	memset(s, 0, sizeof(*s));
}

/* A new slot at the tail, the ring grown if it is full. */
static struct slot *
slot_new(struct kv_conn *c)
{
	struct slot *s;

	if (c->tail - c->head == c->nslot) {
		uint32_t n = c->nslot == 0 ? FIRST_SLOTS : c->nslot * 2;
		struct slot *ring = calloc(n, sizeof(*ring));
		uint64_t seq;

		if (ring == NULL)
			return NULL;
		for (seq = c->head; seq != c->tail; seq++)
			ring[seq & (n - 1)] = *slot_at(c, seq);
		free(c->slot);
		c->slot = ring;
		c->nslot = n;
	}
	s = slot_at(c, c->tail++);
	memset(s, 0, sizeof(*s));
	return s;
}

/* Move the answers that are next in order from the ring to `out`. */
static int
advance(struct kv_conn *c)
{
	while (c->head != c->tail) {
		struct slot *s = slot_at(c, c->head);

		if (s->state != SLOT_READY)
			break;
		if (resp_add_raw(&c->out, s->reply.data, s->reply.len) != 0)
			return RT_ENOMEM;
		slot_clear(c, s);
		c->head++;
	}
	return 0;
}

/*
 * Where a command answered at once writes its answer: straight to `out`
 * when nothing is in flight before it, else to a slot of its own, in line.
 * NULL when out of memory.
 */
static struct resp_buf *
answer_buf(struct kv_conn *c, struct slot **s)
{
	*s = NULL;
	if (c->head == c->tail)
		return &c->out;
	*s = slot_new(c);
	return *s != NULL ? &(*s)->reply : NULL;
}

static void
answer_done(struct kv_conn *c, struct slot *s)
{
	if (s != NULL) {
		s->state = SLOT_READY;
		c->held += s->reply.len;
	}
}

/* --- writing -------------------------------------------------------------- */

/* Write what `out` holds, as far as the socket takes it. */
static int
flush(struct kv_conn *c)
{
	c->blocked = false;
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->sent,
		    c->out.len - c->sent, MSG_NOSIGNAL);

		if (n > 0) {
			c->sent += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->blocked = true;
			return 0;
		} else {
			c->gone = true; /* EPIPE, ECONNRESET: nobody to tell */
			return 0;
		}
	}
	c->out.len = c->sent = 0;
	if (c->out.cap > OUT_KEPT)
		resp_buf_free(&c->out);
	return 0;
}

/* --- commands ------------------------------------------------------------- */

static int
ask(struct kv_conn *c, rt_ctx *ctx, uint32_t shard, uint64_t seq, uint32_t part,
    enum kv_op op, uint32_t argc, struct part *p)
{
	rt_corr id = kv_Shard_ask_Exec(ctx, c->srv->shard[shard],
	    (&(kv_Exec){ .seq = seq,
		.part = part,
		.op = (uint8_t)op,
		.argc = argc,
		.args = { .data = c->pack.data, .len = c->pack.len } }),
	    RT_FOREVER);

	c->pack.len = 0;
	p->ask = id;
	return id < 0 ? (int)id : 0;
}

static int fail_ask(struct kv_conn *c, rt_corr id, int status);

/*
 * Send a shard its batch: as an Exec when it holds one command (which
 * then costs what it cost before there were batches), else as a Batch.
 * Each command's slot keeps the ask, to be found if the ask fails.
 */
static int
send_batch(struct kv_conn *c, rt_ctx *ctx, uint32_t shard)
{
	struct resp_buf *b = &c->batch[shard].cmds;
	struct kv_batch_cmd cmd;
	const char *p, *end;
	rt_corr id;

	memcpy(&cmd, b->data, sizeof(cmd));
	if (c->batch[shard].n == 1)
		id = kv_Shard_ask_Exec(ctx, c->srv->shard[shard],
		    (&(kv_Exec){ .seq = cmd.seq,
			.op = (uint8_t)cmd.op,
			.argc = cmd.argc,
			.args = { .data = b->data + sizeof(cmd),
			    .len = cmd.len } }),
		    RT_FOREVER);
	else
		id = kv_Shard_ask_Batch(ctx, c->srv->shard[shard],
		    (&(kv_Batch){ .cmds = { .data = b->data, .len = b->len } }),
		    RT_FOREVER);
	for (p = b->data, end = p + b->len; p != end;
	    p += sizeof(cmd) + cmd.len) {
		memcpy(&cmd, p, sizeof(cmd));
		slot_at(c, cmd.seq)->one.ask = id;
	}
	b->len = 0;
	if (b->cap > OUT_KEPT)
		resp_buf_free(b);
	c->batch[shard].n = 0;
	/* Not sent: each of its commands answers why. */
	return id < 0 ? fail_ask(c, id, (int)id) : 0;
}

/* Send every batch, in the order their shards were first added to. */
static int
send_batches(struct kv_conn *c, rt_ctx *ctx)
{
	struct batch *b;
	uint32_t i;
	int rc;

	for (i = 0; i < c->nbusy; i++) {
		b = &c->batch[c->busy[i]];
		b->listed = false;
		/* Empty when sent already, having grown to BATCH_AT. */
		if (b->n > 0 && (rc = send_batch(c, ctx, c->busy[i])) != 0)
			return rc;
	}
	c->nbusy = 0;
	return 0;
}

/* Add a whole command (argv[1] on) to the batch of its shard. */
static int
add_to_batch(struct kv_conn *c, rt_ctx *ctx, uint32_t shard, uint64_t seq,
    enum kv_op op, const struct resp_request *req)
{
	struct kv_batch_cmd cmd = { .seq = seq,
		.op = op,
		.argc = (uint32_t)(req->argc - 1) };
	struct resp_buf *b;
	size_t at, i;

	if (c->batch == NULL) {
		c->batch = calloc(c->srv->nshards, sizeof(*c->batch));
		c->busy = malloc(c->srv->nshards * sizeof(*c->busy));
		if (c->batch == NULL || c->busy == NULL)
			return RT_ENOMEM;
	}
	b = &c->batch[shard].cmds;
	at = b->len;
	if (resp_buf_reserve(b, sizeof(cmd)) != 0)
		return RT_ENOMEM;
	b->len += sizeof(cmd);
	for (i = 1; i < req->argc; i++)
		if (kv_pack(b, req->argv[i].p, req->argv[i].len) != 0)
			return RT_ENOMEM;
	cmd.len = b->len - at - sizeof(cmd);
	memcpy(b->data + at, &cmd, sizeof(cmd));
	c->batch[shard].n++;
	if (!c->batch[shard].listed) {
		c->batch[shard].listed = true;
		c->busy[c->nbusy++] = shard;
	}
	return b->len >= BATCH_AT ? send_batch(c, ctx, shard) : 0;
}

/* Make room in the scratch arrays for a command of n keys. */
static int
scratch(struct kv_conn *c, size_t n)
{
	uint32_t *k, *o;

	if (c->part_of == NULL) {
		size_t i, ns = c->srv->nshards;

		c->part_of = malloc(ns * sizeof(*c->part_of));
		c->part_shard = malloc(ns * sizeof(*c->part_shard));
		c->first = malloc((ns + 1) * sizeof(*c->first));
		if (c->part_of == NULL || c->part_shard == NULL ||
		    c->first == NULL)
			return RT_ENOMEM;
		for (i = 0; i < ns; i++)
			c->part_of[i] = NO_PART;
	}
	if (n <= c->nscratch)
		return 0;
	k = realloc(c->key_part, n * sizeof(*k));
	if (k == NULL)
		return RT_ENOMEM;
	c->key_part = k;
	o = realloc(c->order, n * sizeof(*o));
	if (o == NULL)
		return RT_ENOMEM;
	c->order = o;
	c->nscratch = n;
	return 0;
}

/* A command's answer can never be had: answer with why, in its place. */
static void
fail_part(struct slot *s, int status)
{
	if (s->failed == 0)
		s->failed = status;
}

static int part_failed_at_once(struct kv_conn *c, struct slot *s);

/*
 * A command on keys, sent to their shards: `step` arguments per key (1,
 * or 2 for MSET's key and value), from argv[1]. A command whose keys are
 * all on one shard is asked in one piece, and the shard's answer is the
 * command's; else one part per shard, gathered by part_done.
 */
static int
run_keys(struct kv_conn *c, rt_ctx *ctx, const struct kv_command *cmd,
    const struct resp_request *req, size_t step)
{
	const struct resp_arg *a = req->argv + 1;
	size_t nkeys = (req->argc - 1) / step, i, j;
	uint32_t nparts = 1, shard0 = 0, p, m, argc;
	uint64_t seq = c->tail;
	struct slot *s;
	int rc;

	if (cmd->kind == KV_KEY)
		nkeys = 1; /* the key, then its value and options */
	if (nkeys > 1) {
		if ((rc = scratch(c, nkeys)) != 0)
			return rc;
		nparts = 0;
		for (i = 0; i < nkeys; i++) {
			uint32_t sh = kv_shard_of(c->srv, a[i * step].p,
			    a[i * step].len);

			if (c->part_of[sh] == NO_PART) {
				c->part_shard[nparts] = sh;
				c->part_of[sh] = nparts++;
			}
			c->key_part[i] = c->part_of[sh];
		}
		/* Back to "no part" for the next command. */
		for (p = 0; p < nparts; p++)
			c->part_of[c->part_shard[p]] = NO_PART;
		shard0 = c->part_shard[0];
	} else {
		shard0 = kv_shard_of(c->srv, a[0].p, a[0].len);
	}
	if ((s = slot_new(c)) == NULL)
		return RT_ENOMEM;
	s->state = SLOT_WAIT;
	s->op = cmd->op;
	if (nparts == 1) {
		/* The whole command to one shard, whose answer is its: in
		 * the shard's batch. */
		s->nparts = s->left = 1;
		return add_to_batch(c, ctx, shard0, seq, cmd->op, req);
	}

	/* Split: the commands batched before it go first, for the shards
	 * to run them before its parts. */
	if ((rc = send_batches(c, ctx)) != 0)
		return rc;
	/* Then sort the keys by part (a counting sort, which keeps their
	 * order within a part), then ask each part's shard for its keys. */
	s->parts = calloc(nparts, sizeof(*s->parts));
	if (s->parts == NULL)
		return RT_ENOMEM;
	s->nparts = s->left = nparts;
	if (cmd->op == KV_OP_MGET) {
		/* Which part has each key's value, for the gathering. */
		s->key_part = malloc(nkeys * sizeof(*s->key_part));
		if (s->key_part == NULL)
			return RT_ENOMEM;
		memcpy(s->key_part, c->key_part, nkeys * sizeof(*s->key_part));
		s->nkeys = (uint32_t)nkeys;
	}
	for (p = 0; p <= nparts; p++)
		c->first[p] = 0;
	for (i = 0; i < nkeys; i++)
		c->first[c->key_part[i] + 1]++;
	for (p = 0; p < nparts; p++)
		c->first[p + 1] += c->first[p];
	for (i = 0; i < nkeys; i++)
		c->order[c->first[c->key_part[i]]++] = (uint32_t)i;
	/* first[p] is now where part p's keys end in `order`. */
	for (p = 0, j = 0; p < nparts; p++) {
		for (argc = 0; j < c->first[p]; j++) {
			const struct resp_arg *k = &a[c->order[j] * step];

			for (m = 0; m < step; m++, argc++)
				if (kv_pack(&c->pack, k[m].p, k[m].len) != 0)
					return RT_ENOMEM;
		}
		if (ask(c, ctx, c->part_shard[p], seq, p, cmd->op, argc,
			&s->parts[p]) != 0) {
			s->parts[p].done = true;
			s->left--;
			fail_part(s, (int)s->parts[p].ask);
		}
	}
	return s->left == 0 ? part_failed_at_once(c, s) : 0;
}

/* A command answered by the Conn itself, in line with those in flight. */
static int
run_here(struct kv_conn *c, const struct kv_command *cmd,
    const struct resp_request *req)
{
	struct resp_buf *b;
	struct slot *s;
	int rc;

	if ((b = answer_buf(c, &s)) == NULL)
		return RT_ENOMEM;
	if (cmd == NULL)
		rc = kv_reply_unknown(b, req);
	else if (cmd->kind == KV_QUIT)
		rc = resp_add_simple(b, "OK");
	else if (kv_wrong_arity(cmd, req->argc) ||
	    (cmd->kind == KV_PAIRS && req->argc % 2 == 0) ||
	    (cmd->kind == KV_PING && req->argc > 2))
		rc = kv_reply_arity(b, cmd->name);
	else if (cmd->kind == KV_PING && req->argc == 1)
		rc = resp_add_simple(b, "PONG");
	else if (cmd->kind == KV_PING || cmd->kind == KV_ECHO)
		rc = resp_add_bulk(b, req->argv[1].p, req->argv[1].len);
	else
		rc = kv_reply_config(b, req, c->srv);
	answer_done(c, s);
	return rc != 0 ? RT_ENOMEM : 0;
}

static int
run(struct kv_conn *c, rt_ctx *ctx, const struct resp_request *req)
{
	const struct kv_command *cmd = kv_command_find(req->argv[0].p,
	    req->argv[0].len);

	if (cmd != NULL && cmd->kind == KV_SECURITY) {
		c->closing = true; /* unanswered */
		return 0;
	}
	if (cmd != NULL && cmd->kind == KV_QUIT)
		c->closing = true; /* once its +OK is written */
	if (cmd == NULL || cmd->kind < KV_KEY ||
	    kv_wrong_arity(cmd, req->argc) ||
	    (cmd->kind == KV_PAIRS && req->argc % 2 == 0))
		return run_here(c, cmd, req);
	return run_keys(c, ctx, cmd, req, cmd->kind == KV_PAIRS ? 2 : 1);
}

/* Run the requests read so far, while the connection may take more. */
static int
parse_input(struct kv_conn *c, rt_ctx *ctx)
{
	struct resp_request req;
	struct resp_buf *b;
	struct slot *s;
	int rc;

	while (!c->closing && !paused(c)) {
		switch (resp_parser_next(&c->in, &req)) {
		case RESP_MORE:
			return 0;
		case RESP_REQUEST:
			if ((rc = run(c, ctx, &req)) != 0)
				return rc;
			break;
		case RESP_EPROTO:
			/* Answer, as Redis does, then close. */
			c->closing = true;
			if ((b = answer_buf(c, &s)) == NULL)
				return RT_ENOMEM;
			rc = resp_add_error(b, resp_parser_error(&c->in),
			    strlen(resp_parser_error(&c->in)));
			answer_done(c, s);
			return rc != 0 ? RT_ENOMEM : 0;
		case RESP_ETOOBIG:
			c->closing = true;
			return 0;
		default:
			return RT_ENOMEM;
		}
	}
	return 0;
}

/* Run the requests read so far, then send the shards their batches. */
static int
run_input(struct kv_conn *c, rt_ctx *ctx)
{
	int rc = parse_input(c, ctx);

	return rc != 0 ? rc : send_batches(c, ctx);
}

/* --- answers from the shards ---------------------------------------------- */

/* The size of one RESP bulk (or nil) at p, of our own shards' making. */
static size_t
bulk_size(const char *p, size_t avail)
{
	long long n = 0;
	size_t i = 1;

	if (avail < 5 || p[1] == '-')
		return avail < 5 ? avail : 5; /* "$-1\r\n" */
	while (i < avail && p[i] != '\r')
		n = n * 10 + (p[i++] - '0');
	return i + 2 + (size_t)n + 2;
}

/* Skip the array header ("*N\r\n") of an MGET part's answer. */
static size_t
skip_header(const struct resp_buf *b)
{
	const char *cr = memchr(b->data, '\r', b->len);

	return cr != NULL ? (size_t)(cr - b->data) + 2 : b->len;
}

/* Every part of a split command is in: make its answer. */
static int
gather(struct slot *s)
{
	struct resp_buf *b = &s->reply;
	uint32_t i;

	if (s->failed != 0)
		return 0;
	switch (s->op) {
	case KV_OP_DEL:
	case KV_OP_EXISTS:
		return resp_add_int(b, s->sum);
	case KV_OP_MSET:
		return resp_add_simple(b, "OK");
	case KV_OP_MGET:
		if (resp_add_array(b, s->nkeys) != 0)
			return -1;
		for (i = 0; i < s->nparts; i++)
			s->parts[i].at = skip_header(&s->parts[i].data);
		for (i = 0; i < s->nkeys; i++) {
			struct part *p = &s->parts[s->key_part[i]];
			size_t n = bulk_size(p->data.data + p->at,
			    p->data.len - p->at);

			if (resp_add_raw(b, p->data.data + p->at, n) != 0)
				return -1;
			p->at += n;
		}
		return 0;
	default:
		return -1;
	}
}

/* The answer to a command that failed: what went wrong, in one line. */
static int
failure(struct resp_buf *b, int status)
{
	b->len = 0;
	if (status == RT_ENOMEM)
		return resp_add_errorf(b, "out of memory");
	if (status == RT_ENOACTOR)
		/* It crashed on this command (or has stopped for good,
		 * and rtkv is ending). */
		return resp_add_errorf(b,
		    "shard failure: a shard crashed "
		    "running this command, and restarts empty");
	return resp_add_errorf(b, "shard failure: %s", rt_strerror(status));
}

/* Every part of a command failed before it was even asked. */
static int
part_failed_at_once(struct kv_conn *c, struct slot *s)
{
	if (failure(&s->reply, s->failed) != 0)
		return RT_ENOMEM;
	s->state = SLOT_READY;
	c->held += s->reply.len;
	return advance(c);
}

/* One shard's answer, `len` bytes at `data`, and its count `n` (none
 * when status says why there is none). */
static int
part_done(struct kv_conn *c, uint64_t seq, struct slot *s, struct part *p,
    int status, const void *data, size_t len, int64_t n)
{
	if (p->done)
		return 0;
	p->done = true;
	s->left--;
	if (status != 0) {
		fail_part(s, status);
	} else if (s->nparts == 1) {
		if (seq == c->head && s->left == 0) {
			/* Next in line: straight out, no copy kept. */
			if (resp_add_raw(&c->out, data, len) != 0)
				return RT_ENOMEM;
			slot_clear(c, s);
			c->head++;
			return advance(c);
		}
		if (resp_add_raw(&s->reply, data, len) != 0)
			return RT_ENOMEM;
	} else if (s->op == KV_OP_MGET) {
		if (resp_add_raw(&p->data, data, len) != 0)
			return RT_ENOMEM;
	} else {
		s->sum += n;
	}
	if (s->left > 0)
		return 0;
	if (s->nparts > 1 && gather(s) != 0)
		return RT_ENOMEM;
	if (s->failed != 0 && failure(&s->reply, s->failed) != 0)
		return RT_ENOMEM;
	s->state = SLOT_READY;
	c->held += s->reply.len;
	return advance(c);
}

/*
 * An ask that has no answer (status says why): its commands, one or a
 * batch of them, or the part of a split one, answer with the failure.
 */
static int
fail_ask(struct kv_conn *c, rt_corr id, int status)
{
	uint64_t seq;
	struct slot *s;
	uint32_t i;
	int rc;

	/* No answer to say which command: find the ask. Answering one may
	 * move head past it, and clear the slots it passes (SLOT_FREE). */
	for (seq = c->head; seq != c->tail; seq++) {
		s = slot_at(c, seq);
		if (s->state != SLOT_WAIT)
			continue;
		if (s->nparts == 1) {
			if (s->one.ask == id && !s->one.done &&
			    (rc = part_done(c, seq, s, &s->one, status, NULL, 0,
				 0)) != 0)
				return rc;
			continue; /* a batch has more */
		}
		for (i = 0; s->parts != NULL && i < s->nparts; i++)
			if (s->parts[i].ask == id)
				return part_done(c, seq, s, &s->parts[i],
				    status, NULL, 0, 0);
	}
	return 0;
}

/* --- watching the socket -------------------------------------------------- */

/*
 * After every handler: write what should be written, stop once closing
 * is done, and watch for what the connection now waits for.
 */
static int
settle(kv_Conn *self, rt_ctx *ctx)
{
	struct kv_conn *c = self->c;
	unsigned want = 0;
	int rc;

	/* Requests read before the connection paused, whose turn it may be
	 * now: no readiness will come for them, they are read already. */
	if (!c->gone && (rc = run_input(c, ctx)) != 0)
		return rc;
	if (!c->gone && c->sent < c->out.len &&
	    (c->head == c->tail || c->out.len - c->sent >= FLUSH_AT ||
		c->closing || paused(c)))
		if ((rc = flush(c)) != 0)
			return rc;
	if (c->gone ||
	    (c->closing && c->head == c->tail && c->sent == c->out.len)) {
		rt_stop(ctx, RT_NORMAL);
		return 0;
	}
	if (!c->closing && !paused(c))
		want |= RT_IO_READ;
	if (c->blocked)
		want |= RT_IO_WRITE;
	if (want == c->armed)
		return 0;
	c->armed = want;
	if (want == 0) {
		rc = rt_io_unwatch(ctx, c->fd);
		return rc == RT_ENOENT ? 0 : rc;
	}
	/* What was there has been read (and a blocked write wrote until
	 * EAGAIN): only what comes next matters, which an edge-triggered
	 * watch reports without a system call per request. */
	if (!(want & RT_IO_READ) || c->drained)
		want |= RT_IO_EDGE;
	return rt_io_watch(ctx, c->fd, want);
}

/* Read what the socket has, a few times at most, running the requests. */
static int
read_input(struct kv_conn *c, rt_ctx *ctx)
{
	int i, rc;

	c->drained = false;
	for (i = 0; i < READS_PER_EVENT && !c->closing && !paused(c); i++) {
		size_t room;
		ssize_t n;
		char *at;

		if (resp_parser_space(&c->in, &at, &room) != 0)
			return RT_ENOMEM;
		n = recv(c->fd, at, room, 0);
		if (n > 0) {
			resp_parser_wrote(&c->in, (size_t)n);
			if ((rc = run_input(c, ctx)) != 0)
				return rc;
			if ((size_t)n < room) {
				/* The socket was empty as it was read. */
				c->drained = true;
				break;
			}
		} else if (n == 0) {
			/* The client has no more to say; it may still be
			 * reading, so what is in flight is answered. */
			c->closing = true;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->drained = true;
			break;
		} else {
			c->gone = true;
			break;
		}
	}
	return 0;
}

/* --- the actor ------------------------------------------------------------ */

int
kv_Conn_on_start(kv_Conn *self, rt_ctx *ctx, const kv_Conn_args *args)
{
	struct kv_conn *c;
	int rc;

	/* First of all, the socket dies with us, whatever happens next
	 * (on_stop is not called after a failed start: nothing may be left
	 * to free then). */
	if ((rc = rt_io_own(ctx, args->fd)) != 0) {
		close(args->fd);
		return rc;
	}
	if ((rc = rt_io_watch(ctx, args->fd, RT_IO_READ)) != 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return RT_ENOMEM;
	c->fd = args->fd;
	c->srv = args->server;
	c->armed = RT_IO_READ;
	resp_parser_init(&c->in);
	self->c = c;
	return 0;
}

void
kv_Conn_on_stop(kv_Conn *self, rt_ctx *ctx, int reason)
{
	struct kv_conn *c = self->c;
	uint64_t seq;
	uint32_t i;

	(void)ctx;
	(void)reason;
	if (c == NULL)
		return;
	/* The answers still on their way will find us gone: dead letters,
	 * which the runtime frees. */
	for (seq = c->head; seq != c->tail; seq++)
		slot_clear(c, slot_at(c, seq));
	free(c->slot);
	resp_parser_free(&c->in);
	resp_buf_free(&c->out);
	resp_buf_free(&c->pack);
	for (i = 0; c->batch != NULL && i < c->srv->nshards; i++)
		resp_buf_free(&c->batch[i].cmds);
	free(c->batch);
	free(c->busy);
	free(c->part_of);
	free(c->part_shard);
	free(c->first);
	free(c->key_part);
	free(c->order);
	free(c);
	self->c = NULL;
}

int
kv_Conn_on_io(kv_Conn *self, rt_ctx *ctx, int fd, unsigned events)
{
	struct kv_conn *c = self->c;
	int rc;

	unsigned asked = c->armed;

	(void)fd;
	c->armed = 0; /* a watch reports once */
	/* Without a read asked for, a hang-up is the kernel's EPOLLHUP:
	 * both ways are shut, nothing can be written any more. */
	if ((events & RT_IO_ERR) ||
	    ((events & RT_IO_HUP) && !(asked & RT_IO_READ))) {
		c->gone = true;
	} else {
		if (events & (RT_IO_READ | RT_IO_HUP))
			if ((rc = read_input(c, ctx)) != 0)
				return rc;
		if ((events & RT_IO_WRITE) && (rc = flush(c)) != 0)
			return rc;
	}
	return settle(self, ctx);
}

int
kv_Conn_on_Exec_reply(kv_Conn *self, rt_ctx *ctx, rt_corr id, int status,
    const kv_Done *reply)
{
	struct kv_conn *c = self->c;
	uint64_t seq;
	struct slot *s;
	int rc;

	if (status == 0) {
		seq = reply->seq;
		s = slot_at(c, seq);
		if (seq - c->head >= c->tail - c->head ||
		    s->state != SLOT_WAIT || reply->part >= s->nparts)
			return RT_EINVAL; /* not ours: a bug, so crash */
		rc = part_done(c, seq, s,
		    s->nparts == 1 ? &s->one : &s->parts[reply->part], 0,
		    reply->data.data, reply->data.len, reply->n);
	} else {
		rc = fail_ask(c, id, status);
	}
	if (rc != 0)
		return rc;
	return settle(self, ctx);
}

/* A batch's answers: each command's is cut from `data` where it ends. */
int
kv_Conn_on_Batch_reply(kv_Conn *self, rt_ctx *ctx, rt_corr id, int status,
    const kv_Ran *reply)
{
	struct kv_conn *c = self->c;
	const char *p, *end, *data;
	struct kv_batch_end e;
	uint64_t at = 0;
	struct slot *s;
	int rc = 0;

	if (status != 0) {
		rc = fail_ask(c, id, status);
	} else {
		data = reply->data.data;
		p = reply->ends.data;
		end = p + reply->ends.len;
		for (; rc == 0 && (size_t)(end - p) >= sizeof(e);
		    p += sizeof(e)) {
			memcpy(&e, p, sizeof(e));
			s = slot_at(c, e.seq);
			if (e.seq - c->head >= c->tail - c->head ||
			    s->state != SLOT_WAIT || s->nparts != 1 ||
			    s->one.ask != id || e.end < at ||
			    e.end > reply->data.len)
				return RT_EINVAL; /* not ours: a bug */
			rc = part_done(c, e.seq, s, &s->one, 0, data + at,
			    (size_t)(e.end - at), 0);
			at = e.end;
		}
	}
	if (rc != 0)
		return rc;
	return settle(self, ctx);
}
