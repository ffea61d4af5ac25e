/* SPDX-License-Identifier: MIT */
/*
 * A shard's hash table (table.h): chained buckets, a power of two of
 * them, doubled when there are more keys than buckets and halved when
 * fewer than an eighth are used. A resize rehashes every key at once: a
 * shard is one actor among several, so a pause of one shard for a large
 * resize delays only the commands on its keys.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "table.h"

#define MIN_BUCKETS 16

/* --- SipHash-1-3 ------------------------------------------------------- */

static uint64_t hash_k0, hash_k1;

void
kv_hash_init(void)
{
	uint64_t k[2];
	struct timespec ts;

	if (getrandom(k, sizeof(k), 0) != (ssize_t)sizeof(k)) {
		/* No entropy to be had: the hash still works, and is only
		 * as hard to predict as the start time and the pid. */
		clock_gettime(CLOCK_REALTIME, &ts);
		k[0] = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec;
		k[1] = (uint64_t)getpid() * 0x9e3779b97f4a7c15u ^ k[0];
	}
	hash_k0 = k[0];
	hash_k1 = k[1];
}

static uint64_t
rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t
load_le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define SIPROUND                   \
	do {                       \
		v0 += v1;          \
		v1 = rotl(v1, 13); \
		v1 ^= v0;          \
		v0 = rotl(v0, 32); \
		v2 += v3;          \
		v3 = rotl(v3, 16); \
		v3 ^= v2;          \
		v0 += v3;          \
		v3 = rotl(v3, 21); \
		v3 ^= v0;          \
		v2 += v1;          \
		v1 = rotl(v1, 17); \
		v1 ^= v2;          \
		v2 = rotl(v2, 32); \
	} while (0)

uint64_t
kv_hash(const void *p, size_t len)
{
	const unsigned char *in = p, *end = in + (len & ~(size_t)7);
	uint64_t v0 = 0x736f6d6570736575ULL ^ hash_k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ hash_k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ hash_k0;
	uint64_t v3 = 0x7465646279746573ULL ^ hash_k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i;

	for (; in != end; in += 8) {
		m = load_le64(in);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	for (i = len & 7; i > 0; i--)
		b |= (uint64_t)in[i - 1] << (8 * (i - 1));
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* --- the table ------------------------------------------------------------ */

void
kv_table_init(struct kv_table *t)
{
	memset(t, 0, sizeof(*t));
}

void
kv_table_free(struct kv_table *t)
{
	size_t i;

	if (t->bucket != NULL)
		for (i = 0; i <= t->mask; i++) {
			struct kv_entry *e = t->bucket[i], *next;

			for (; e != NULL; e = next) {
				next = e->next;
				free(e);
			}
		}
	free(t->bucket);
	kv_table_init(t);
}

/* Rehash into `n` buckets; on failure the table stays as it is. */
static int
resize(struct kv_table *t, size_t n)
{
	struct kv_entry **b = calloc(n, sizeof(*b)), *e, *next;
	size_t i;

	if (b == NULL)
		return -1;
	if (t->bucket != NULL)
		for (i = 0; i <= t->mask; i++)
			for (e = t->bucket[i]; e != NULL; e = next) {
				next = e->next;
				e->next = b[e->hash & (n - 1)];
				b[e->hash & (n - 1)] = e;
			}
	free(t->bucket);
	t->bucket = b;
	t->mask = n - 1;
	t->cursor = 0;
	return 0;
}

/* Where the pointer to `key`'s entry is (or would go), and its hash. */
static struct kv_entry **
slot_of(struct kv_table *t, const char *key, size_t klen, uint64_t h)
{
	struct kv_entry **at = &t->bucket[h & t->mask];

	for (; *at != NULL; at = &(*at)->next)
		if ((*at)->hash == h && (*at)->klen == klen &&
		    memcmp((*at)->data, key, klen) == 0)
			break;
	return at;
}

static void
unlink_entry(struct kv_table *t, struct kv_entry **at)
{
	struct kv_entry *e = *at;

	*at = e->next;
	if (e->expire != 0)
		t->expires--;
	t->count--;
	free(e);
	/* Give memory back after many deletes; a failure to shrink only
	 * leaves the table roomy. */
	if (t->mask + 1 > MIN_BUCKETS && t->count < (t->mask + 1) / 8)
		(void)resize(t, (t->mask + 1) / 2);
}

static bool
expired(const struct kv_entry *e, long long now)
{
	return e->expire != 0 && e->expire <= now;
}

struct kv_entry *
kv_table_get(struct kv_table *t, const char *key, size_t klen, long long now)
{
	struct kv_entry **at;

	if (t->count == 0)
		return NULL;
	at = slot_of(t, key, klen, kv_hash(key, klen));
	if (*at == NULL)
		return NULL;
	if (expired(*at, now)) {
		unlink_entry(t, at);
		return NULL;
	}
	return *at;
}

int
kv_table_set(struct kv_table *t, const char *key, size_t klen, const char *val,
    size_t vlen, long long expire)
{
	uint64_t h = kv_hash(key, klen);
	struct kv_entry **at, *e;

	if (klen > SIZE_MAX / 2 - sizeof(*e) - vlen)
		return -1;
	if (t->bucket == NULL && resize(t, MIN_BUCKETS) != 0)
		return -1;
	at = slot_of(t, key, klen, h);
	if (*at != NULL && (*at)->vlen == vlen) {
		/* A value of the same size (an INCR, mostly, or a SET of the
		 * same length): in place, no allocation. */
		e = *at;
		if (vlen > 0)
			memcpy(e->data + klen, val, vlen);
		if (e->expire != 0)
			t->expires--;
		if (expire != 0)
			t->expires++;
		e->expire = expire;
		return 0;
	}
	e = malloc(sizeof(*e) + klen + vlen);
	if (e == NULL)
		return -1;
	e->hash = h;
	e->expire = expire;
	e->klen = klen;
	e->vlen = vlen;
	memcpy(e->data, key, klen);
	if (vlen > 0)
		memcpy(e->data + klen, val, vlen);
	if (*at != NULL) {
		/* Replace the old entry where it stands. */
		e->next = (*at)->next;
		if ((*at)->expire != 0)
			t->expires--;
		free(*at);
		*at = e;
	} else {
		e->next = NULL;
		*at = e;
		t->count++;
		/* More keys than buckets: double them. A failure only
		 * makes the chains longer. */
		if (t->count > t->mask + 1)
			(void)resize(t, (t->mask + 1) * 2);
	}
	if (expire != 0)
		t->expires++;
	return 0;
}

bool
kv_table_del(struct kv_table *t, const char *key, size_t klen, long long now)
{
	struct kv_entry **at;
	bool live;

	if (t->count == 0)
		return false;
	at = slot_of(t, key, klen, kv_hash(key, klen));
	if (*at == NULL)
		return false;
	live = !expired(*at, now);
	unlink_entry(t, at);
	return live;
}

size_t
kv_table_sweep(struct kv_table *t, long long now, size_t buckets)
{
	size_t gone = 0;

	while (buckets-- > 0 && t->expires > 0) {
		struct kv_entry **at = &t->bucket[t->cursor];
		size_t size = t->mask + 1;

		while (*at != NULL) {
			if (expired(*at, now)) {
				unlink_entry(t, at);
				gone++;
				if (t->mask + 1 != size)
					/* It shrank: start the bucket
					 * walk again from the start. */
					return gone;
			} else {
				at = &(*at)->next;
			}
		}
		t->cursor = (t->cursor + 1) & t->mask;
	}
	return gone;
}
