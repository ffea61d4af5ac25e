/* SPDX-License-Identifier: MIT */
/*
 * What the parts of rtkv share: the server's fixed settings and shard
 * table, the commands and their table (command.c), the packing of a
 * command's arguments into an Exec, and the limits of a connection.
 */
#ifndef KV_SERVER_H
#define KV_SERVER_H

#include <stdint.h>
#include <string.h>

#include "kv.rtp.h"
#include "resp.h"
#include "table.h"

/*
 * A connection stops reading requests while it has this many commands in
 * flight, or this many bytes of replies not yet written, and reads again
 * once its client has taken its replies: a client that sends without
 * reading costs a bounded amount of memory.
 */
#define KV_MAX_INFLIGHT 256
#define KV_MAX_PENDING (1u << 20)

#define KV_MAX_SHARDS 1024

/*
 * The server: set up by main before the first connection, and only read
 * afterwards, by every Conn, from any thread. A Shard keeps its ref
 * through restarts, so the table never changes.
 */
struct kv_server {
	const char *bind; /* the address listened on, for CONFIG GET */
	uint16_t port;    /* the port, likewise */
	uint32_t nshards;
	kv_Shard_ref shard[];
};

/* kv_shard_of: the index of the shard that owns `key`. */
static inline uint32_t
kv_shard_of(const struct kv_server *srv, const char *key, size_t len)
{
	/* The high half of the hash, scaled: the shard table uses the low
	 * bits, so the keys of one shard still spread over its buckets. */
	return (uint32_t)(((kv_hash(key, len) >> 32) * srv->nshards) >> 32);
}

/* The commands a shard runs (kv_Exec.op). */
enum kv_op {
	KV_OP_GET,
	KV_OP_SET,
	KV_OP_INCR,
	KV_OP_DEL,
	KV_OP_EXISTS,
	KV_OP_MGET,
	KV_OP_MSET,
};

/* How a Conn runs a command. */
enum kv_kind {
	KV_PING, /* answered by the Conn */
	KV_ECHO,
	KV_CONFIG,
	KV_QUIT,     /* +OK, then close */
	KV_SECURITY, /* an HTTP request ("POST", "Host:"): close unanswered */
	KV_KEY,      /* its first argument is a key: sent to its shard */
	KV_KEYS,     /* every argument is a key: split by shard */
	KV_PAIRS,    /* key value pairs: split by shard */
};

struct kv_command {
	const char *name; /* lower case, as Redis names it in errors */
	int arity;        /* Redis's: N exactly, -N at least N (the name
	                     counts) */
	enum kv_kind kind;
	enum kv_op op; /* KV_KEY, KV_KEYS, KV_PAIRS */
};

/*
 * kv_command_find: the command named by the `len` bytes at `name`, in any
 * case, or NULL. QUIT is found whatever follows it, as Redis 7.0 finds it.
 */
const struct kv_command *kv_command_find(const char *name, size_t len);

/*
 * kv_reply_unknown: Redis's answer to a command it does not have:
 * "-ERR unknown command 'foo', with args beginning with: 'a' 'b' ".
 * Returns 0, or -1 when out of memory (as every kv_reply_*).
 */
int kv_reply_unknown(struct resp_buf *b, const struct resp_request *req);

/* kv_reply_arity: "-ERR wrong number of arguments for 'NAME' command". */
int kv_reply_arity(struct resp_buf *b, const char *name);

/* kv_reply_config: the answer to a CONFIG command (GET only). */
int kv_reply_config(struct resp_buf *b, const struct resp_request *req,
    const struct kv_server *srv);

/* kv_wrong_arity: whether argc arguments are wrong for cmd (its arity). */
static inline int
kv_wrong_arity(const struct kv_command *cmd, size_t argc)
{
	return cmd->arity > 0 ? argc != (size_t)cmd->arity :
				argc < (size_t)-cmd->arity;
}

/* --- a command's arguments in an Exec: each as its length, then its bytes */

/* kv_pack: append one argument to b. Returns 0 or -1 (out of memory). */
static inline int
kv_pack(struct resp_buf *b, const char *p, size_t len)
{
	uint32_t n = (uint32_t)len; /* an argument is at most RESP_MAX_BULK */

	if (resp_buf_reserve(b, sizeof(n) + len) != 0)
		return -1;
	memcpy(b->data + b->len, &n, sizeof(n));
	if (len > 0)
		memcpy(b->data + b->len + sizeof(n), p, len);
	b->len += sizeof(n) + len;
	return 0;
}

struct kv_unpack {
	const char *p;
	const char *end;
};

/* kv_unpack_next: the next argument packed, into *a; false at the end. */
static inline bool
kv_unpack_next(struct kv_unpack *u, struct resp_arg *a)
{
	uint32_t n;

	if ((size_t)(u->end - u->p) < sizeof(n))
		return false;
	memcpy(&n, u->p, sizeof(n));
	if ((size_t)(u->end - u->p) - sizeof(n) < n)
		return false;
	a->p = u->p + sizeof(n);
	a->len = n;
	u->p += sizeof(n) + n;
	return true;
}

/*
 * --- several commands for one shard in one message (kv.rtp's Batch) ---
 *
 * Batch.cmds holds, for each command, a kv_batch_cmd and then `len` bytes
 * of its arguments, packed as above; Ran.ends holds a kv_batch_end per
 * command, in the same order. Both are copied in and out with memcpy:
 * the bytes of a message need not be aligned.
 */
struct kv_batch_cmd {
	uint64_t seq;
	uint64_t len; /* of its packed arguments, which follow */
	uint32_t op;  /* enum kv_op */
	uint32_t argc;
};

struct kv_batch_end {
	uint64_t seq;
	uint64_t end; /* where its answer ends in Ran.data */
};

#endif
