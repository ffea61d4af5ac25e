/* SPDX-License-Identifier: MIT */
/*
 * The Shard actor: it owns the keys whose hash falls to it, in a table of
 * its own (table.c), and runs the commands on them that Conns ask it to
 * run (kv.rtp's Exec), answering in RESP as redis-server 7.0 answers.
 * Keys with an expiry time are deleted when they are next touched after
 * it, as Redis does, and by a sweep every SWEEP_EVERY while the shard has
 * any, so that keys nobody touches again are not kept for ever.
 *
 * A shard holds everything in memory: when it crashes, its supervisor
 * starts it again, empty. Running out of memory is not a crash: the
 * command is answered with an error, and the keys stay.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

#define SWEEP_EVERY RT_MS(100)
#define SWEEP_BUCKETS 1024
/* A reply buffer grown past this for a large value is given back. */
#define OUT_KEPT (64u << 10)

struct kv_shard {
	struct kv_table table;
	struct resp_buf out;  /* the reply being written */
	size_t start;         /* where the command's own answer starts in
	                         out (after those before it in a Batch) */
	struct resp_buf ends; /* a Batch's kv_batch_ends */
	rt_timer sweep;
	bool sweeping;
};

/* Redis's expiry times are wall-clock milliseconds (EXAT and PXAT). */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char not_integer[] = "value is not an integer or out of range";

/* An error reply; -1 only when even that cannot be written. */
static int
error(struct resp_buf *b, const char *msg)
{
	return resp_add_error(b, msg, strlen(msg));
}

/* --- SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] ------ */

enum {
	SET_NX = 1 << 0,
	SET_XX = 1 << 1,
	SET_GET = 1 << 2,
	SET_KEEPTTL = 1 << 3,
	SET_EX = 1 << 4,
	SET_PX = 1 << 5,
	SET_EXAT = 1 << 6,
	SET_PXAT = 1 << 7,
};

static bool
is(const struct resp_arg *a, const char *word)
{
	size_t i;

	for (i = 0; i < a->len; i++) {
		int c = (unsigned char)a->p[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (word[i] == '\0' || c != word[i])
			return false;
	}
	return word[a->len] == '\0';
}

/*
 * SET's options, read as Redis 7.0 reads them: each may come more than
 * once, but NX excludes XX, and the expiry options exclude each other
 * (an EX after an EX is the last one's) and KEEPTTL.
 */
static int
set_options(struct kv_unpack *u, int *flags, struct resp_arg *expire)
{
	const int ttl_flags = SET_KEEPTTL | SET_EX | SET_PX | SET_EXAT |
	    SET_PXAT;
	struct resp_arg opt, next = { NULL, 0 };

	while (kv_unpack_next(u, &opt)) {
		struct kv_unpack peek = *u;
		bool has_next = kv_unpack_next(&peek, &next);
		int ttl = *flags & ttl_flags, want;

		if (is(&opt, "nx") && !(*flags & SET_XX))
			want = SET_NX;
		else if (is(&opt, "xx") && !(*flags & SET_NX))
			want = SET_XX;
		else if (is(&opt, "get"))
			want = SET_GET;
		else if (is(&opt, "keepttl"))
			want = SET_KEEPTTL;
		else if (is(&opt, "ex"))
			want = SET_EX;
		else if (is(&opt, "px"))
			want = SET_PX;
		else if (is(&opt, "exat"))
			want = SET_EXAT;
		else if (is(&opt, "pxat"))
			want = SET_PXAT;
		else
			return -1;
		if (want & ttl_flags) {
			/* Another kind of expiry before this one. */
			if (ttl & ~want)
				return -1;
			if (want != SET_KEEPTTL) {
				if (!has_next)
					return -1;
				*expire = next; /* the last one counts */
				*u = peek;
			}
		}
		*flags |= want;
	}
	return 0;
}

/* The expiry time an option asks for, in ms since the epoch, or 0 after
 * answering why it cannot be had. */
static long long
expiry(struct resp_buf *b, int flags, const struct resp_arg *arg, int *rc)
{
	long long ms, now;

	if (!resp_string2ll(arg->p, arg->len, &ms)) {
		*rc = error(b, not_integer);
		return 0;
	}
	if (ms <= 0 || ((flags & (SET_EX | SET_EXAT)) && ms > LLONG_MAX / 1000))
		goto invalid;
	if (flags & (SET_EX | SET_EXAT))
		ms *= 1000;
	if (flags & (SET_EX | SET_PX)) {
		now = now_ms();
		if (ms > LLONG_MAX - now)
			goto invalid; /* Redis's sum wraps, and is refused */
		ms += now;
	}
	return ms;
invalid:
	*rc = error(b, "invalid expire time in 'set' command");
	return 0;
}

static int
run_set(struct kv_shard *s, struct kv_unpack *u, long long now)
{
	struct resp_buf *b = &s->out;
	struct resp_arg key, val, exp = { NULL, 0 };
	struct kv_entry *e;
	long long expire = 0;
	int flags = 0, rc = 0;

	if (!kv_unpack_next(u, &key) || !kv_unpack_next(u, &val))
		return -1;
	if (set_options(u, &flags, &exp) != 0)
		return error(b, "syntax error");
	if (flags & (SET_EX | SET_PX | SET_EXAT | SET_PXAT)) {
		expire = expiry(b, flags, &exp, &rc);
		if (expire == 0)
			return rc;
	}
	e = kv_table_get(&s->table, key.p, key.len, now);
	if (flags & SET_GET) {
		rc = e != NULL ? resp_add_bulk(b, kv_entry_value(e), e->vlen) :
				 resp_add_nil(b);
		if (rc != 0)
			return rc;
	}
	if (((flags & SET_NX) && e != NULL) || ((flags & SET_XX) && e == NULL))
		return (flags & SET_GET) ? 0 : resp_add_nil(b);
	if ((flags & SET_KEEPTTL) && e != NULL)
		expire = e->expire;
	if (kv_table_set(&s->table, key.p, key.len, val.p, val.len, expire) !=
	    0) {
		b->len = s->start; /* without GET's answer */
		return error(b, "out of memory");
	}
	return (flags & SET_GET) ? 0 : resp_add_simple(b, "OK");
}

/* --- the other commands --------------------------------------------------- */

static int
run_incr(struct kv_shard *s, struct kv_unpack *u, long long now)
{
	struct resp_buf *b = &s->out;
	struct resp_arg key;
	struct kv_entry *e;
	long long v = 0, expire = 0;
	char text[24];
	size_t n;

	if (!kv_unpack_next(u, &key))
		return -1;
	e = kv_table_get(&s->table, key.p, key.len, now);
	if (e != NULL) {
		if (!resp_string2ll(kv_entry_value(e), e->vlen, &v))
			return error(b, not_integer);
		expire = e->expire; /* INCR keeps a key's time to live */
	}
	if (v == LLONG_MAX)
		return error(b, "increment or decrement would overflow");
	v++;
	n = resp_ll2string(text, v);
	if (kv_table_set(&s->table, key.p, key.len, text, n, expire) != 0)
		return error(b, "out of memory");
	return resp_add_int(b, v);
}

/* DEL and EXISTS: how many of the keys were there (a key given twice is
 * counted twice by EXISTS, as by Redis). */
static int
run_count(struct kv_shard *s, struct kv_unpack *u, bool del, long long now,
    int64_t *n)
{
	struct resp_arg key;

	*n = 0;
	while (kv_unpack_next(u, &key))
		*n += del ?
		    kv_table_del(&s->table, key.p, key.len, now) :
		    kv_table_get(&s->table, key.p, key.len, now) != NULL;
	return resp_add_int(&s->out, *n);
}

static int
run_mget(struct kv_shard *s, struct kv_unpack *u, uint32_t argc, long long now)
{
	struct resp_buf *b = &s->out;
	struct resp_arg key;
	struct kv_entry *e;

	if (resp_add_array(b, argc) != 0)
		return -1;
	while (kv_unpack_next(u, &key)) {
		e = kv_table_get(&s->table, key.p, key.len, now);
		if ((e != NULL ? resp_add_bulk(b, kv_entry_value(e), e->vlen) :
				 resp_add_nil(b)) != 0)
			return -1;
	}
	return 0;
}

static int
run_mset(struct kv_shard *s, struct kv_unpack *u)
{
	struct resp_arg key, val;

	while (kv_unpack_next(u, &key) && kv_unpack_next(u, &val))
		if (kv_table_set(&s->table, key.p, key.len, val.p, val.len,
			0) != 0)
			return error(&s->out, "out of memory");
	return resp_add_simple(&s->out, "OK");
}

/* --- the actor ------------------------------------------------------------ */

int
kv_Shard_on_start(kv_Shard *self, rt_ctx *ctx, const kv_Shard_args *args)
{
	(void)ctx;
	(void)args;
	self->s = calloc(1, sizeof(*self->s));
	if (self->s == NULL)
		return RT_ENOMEM;
	kv_table_init(&self->s->table);
	return 0;
}

void
kv_Shard_on_stop(kv_Shard *self, rt_ctx *ctx, int reason)
{
	struct kv_shard *s = self->s;

	(void)ctx;
	(void)reason;
	if (s == NULL)
		return;
	/* The sweep must not reach the next incarnation, which keeps this
	 * one's ref and mailbox and would get a second timer. */
	if (s->sweeping)
		(void)rt_timer_cancel(s->sweep);
	kv_table_free(&s->table);
	resp_buf_free(&s->out);
	resp_buf_free(&s->ends);
	free(s);
	self->s = NULL;
}

/*
 * Run one command, appending its answer to s->out. Returns 0, RT_ENOMEM
 * when there is no memory even for its answer, or, for a command no Conn
 * sends (a bug), a status to crash with.
 */
static int
exec(struct kv_shard *s, uint8_t op, uint32_t argc, struct kv_unpack *u,
    long long now, int64_t *n)
{
	int rc;

	s->start = s->out.len;
	*n = 0;
	switch (op) {
	case KV_OP_GET: {
		struct resp_arg key;
		struct kv_entry *e;

		if (!kv_unpack_next(u, &key))
			return RT_EINVAL;
#ifdef KV_TEST_CRASH
		/* tests/example_kv.sh's rtkv only: a crash, to watch the
		 * shard restart, empty, and the rest go on. */
		if (key.len == 10 && memcmp(key.p, "rtkv:crash", 10) == 0)
			return RT_EIO;
#endif
		e = kv_table_get(&s->table, key.p, key.len, now);
		rc = e != NULL ?
		    resp_add_bulk(&s->out, kv_entry_value(e), e->vlen) :
		    resp_add_nil(&s->out);
		break;
	}
	case KV_OP_SET:
		rc = run_set(s, u, now);
		break;
	case KV_OP_INCR:
		rc = run_incr(s, u, now);
		break;
	case KV_OP_DEL:
	case KV_OP_EXISTS:
		rc = run_count(s, u, op == KV_OP_DEL, now, n);
		break;
	case KV_OP_MGET:
		rc = run_mget(s, u, argc, now);
		break;
	case KV_OP_MSET:
		rc = run_mset(s, u);
		break;
	default:
		/* Not a command a Conn sends: a bug, so crash. */
		return RT_EINVAL;
	}
	return rc != 0 ? RT_ENOMEM : 0;
}

/* Before a message's commands: the last reply was copied when sent. */
static void
begin(struct kv_shard *s)
{
	s->out.len = 0;
	if (s->out.cap > OUT_KEPT)
		resp_buf_free(&s->out);
	s->ends.len = 0;
	if (s->ends.cap > OUT_KEPT)
		resp_buf_free(&s->ends);
}

/* After a message's commands: sweep while there are keys to expire. */
static void
sweep_later(struct kv_shard *s, rt_ctx *ctx)
{
	if (s->table.expires > 0 && !s->sweeping) {
		/* Best effort: without a sweep, expired keys still go
		 * when they are next touched. */
		if (kv_Shard_send_Sweep_every(kv_Shard_self(ctx), NULL,
			SWEEP_EVERY, &s->sweep) == 0)
			s->sweeping = true;
	}
}

int
kv_Shard_on_Exec(kv_Shard *self, rt_ctx *ctx, const kv_Exec *req,
    kv_Done *reply)
{
	struct kv_shard *s = self->s;
	struct kv_unpack u = { req->args.data,
		(const char *)req->args.data + req->args.len };
	int64_t n;
	int rc;

	begin(s);
	rc = exec(s, req->op, req->argc, &u, now_ms(), &n);
	if (rc == RT_ENOMEM)
		/* No memory even for the reply: the asker is told, and the
		 * shard and its keys go on. */
		return rt_reply_error(ctx, RT_ENOMEM);
	if (rc != 0)
		return rc;
	sweep_later(s, ctx);
	reply->seq = req->seq;
	reply->part = req->part;
	reply->n = n;
	reply->data = (rt_bytes){ s->out.data, s->out.len };
	return 0;
}

/*
 * The commands of a Batch, in order, their answers one after the other,
 * with where each ends: the Conn cuts them apart without reading them.
 * A command that crashes the shard takes the whole batch with it (the
 * Conn answers each of its commands with the failure), as a command that
 * cannot have its answer does.
 */
int
kv_Shard_on_Batch(kv_Shard *self, rt_ctx *ctx, const kv_Batch *req,
    kv_Ran *reply)
{
	struct kv_shard *s = self->s;
	const char *p = req->cmds.data, *end = p + req->cmds.len;
	long long now = now_ms();
	struct kv_batch_cmd cmd;
	struct kv_batch_end e;
	struct kv_unpack u;
	int64_t n;
	int rc;

	begin(s);
	while (p != end) {
		if ((size_t)(end - p) < sizeof(cmd))
			return RT_EINVAL; /* not a Conn's: a bug, so crash */
		memcpy(&cmd, p, sizeof(cmd));
		p += sizeof(cmd);
		if ((size_t)(end - p) < cmd.len)
			return RT_EINVAL;
		u = (struct kv_unpack){ p, p + cmd.len };
		p += cmd.len;
		rc = exec(s, (uint8_t)cmd.op, cmd.argc, &u, now, &n);
		if (rc == RT_ENOMEM ||
		    (rc == 0 && resp_buf_reserve(&s->ends, sizeof(e)) != 0))
			return rt_reply_error(ctx, RT_ENOMEM);
		if (rc != 0)
			return rc;
		e = (struct kv_batch_end){ cmd.seq, s->out.len };
		memcpy(s->ends.data + s->ends.len, &e, sizeof(e));
		s->ends.len += sizeof(e);
	}
	sweep_later(s, ctx);
	reply->ends = (rt_bytes){ s->ends.data, s->ends.len };
	reply->data = (rt_bytes){ s->out.data, s->out.len };
	return 0;
}

int
kv_Shard_on_Sweep(kv_Shard *self, rt_ctx *ctx, const kv_Sweep *msg)
{
	struct kv_shard *s = self->s;

	(void)ctx;
	(void)msg;
	(void)kv_table_sweep(&s->table, now_ms(), SWEEP_BUCKETS);
	if (s->table.expires == 0 && s->sweeping) {
		(void)rt_timer_cancel(s->sweep);
		s->sweeping = false;
	}
	return 0;
}
