/* SPDX-License-Identifier: MIT */
/*
 * A shard's keys: a hash table from byte strings to byte strings, each
 * with an optional expiry time, owned by one actor (so it takes no lock).
 * Keys are hashed with SipHash-1-3 under a key drawn at random when the
 * process starts, as Redis hashes them, so that a client cannot choose
 * keys that all fall into one bucket. The same hash picks a key's shard.
 */
#ifndef KV_TABLE_H
#define KV_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One key and its value, in one allocation. */
struct kv_entry {
	struct kv_entry *next; /* in its bucket */
	uint64_t hash;
	long long expire; /* ms since the epoch; 0: never */
	size_t klen;
	size_t vlen;
	char data[]; /* the key, then the value */
};

struct kv_table {
	struct kv_entry **bucket;
	size_t mask;    /* buckets - 1; buckets is a power of two */
	size_t count;   /* keys */
	size_t expires; /* keys with an expiry time */
	size_t cursor;  /* the next bucket kv_table_sweep looks at */
};

/*
 * kv_hash_init: draw the process's hash key (getrandom, or the clock and
 * the pid where that fails). Call once, before any thread hashes.
 */
void kv_hash_init(void);

/* kv_hash: the hash of the `len` bytes at p. Any thread. */
uint64_t kv_hash(const void *p, size_t len);

/* kv_table_init: an empty table (its buckets come with the first key). */
void kv_table_init(struct kv_table *t);

/* kv_table_free: free every key; t is empty again. */
void kv_table_free(struct kv_table *t);

/* kv_entry_key, kv_entry_value: where an entry's bytes are. */
static inline const char *
kv_entry_key(const struct kv_entry *e)
{
	return e->data;
}

static inline const char *
kv_entry_value(const struct kv_entry *e)
{
	return e->data + e->klen;
}

/*
 * kv_table_get: the entry of `key`, or NULL. A key whose expiry time is
 * `now` (ms since the epoch) or earlier is deleted first, as Redis does
 * on access, and so is not found.
 */
struct kv_entry *kv_table_get(struct kv_table *t, const char *key, size_t klen,
    long long now);

/*
 * kv_table_set: give `key` the value `val` and expiry `expire` (0: none),
 * replacing what it had. Returns 0, or -1 when out of memory (the table
 * is then unchanged).
 */
int kv_table_set(struct kv_table *t, const char *key, size_t klen,
    const char *val, size_t vlen, long long expire);

/* kv_table_del: delete `key`; whether it was there (and not expired). */
bool kv_table_del(struct kv_table *t, const char *key, size_t klen,
    long long now);

/*
 * kv_table_sweep: look at up to `buckets` buckets, from where the last
 * sweep stopped, and delete the keys there that have expired, so that
 * keys nobody reads again do not stay forever. Returns how many it
 * deleted.
 */
size_t kv_table_sweep(struct kv_table *t, long long now, size_t buckets);

#endif
