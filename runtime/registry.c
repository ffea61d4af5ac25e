/* SPDX-License-Identifier: MIT */
/*
 * The actor registry: one table per system from names to live actors.
 *
 * Readers. The table is a Concurrency Kit hash set (ck_hs) in SPMC mode:
 * one writer at a time, under `lock`, and any number of readers that take
 * no lock. What a reader may still be looking at (a removed entry, the old
 * array after the table grew) is freed only after a grace period, through
 * ck_epoch: a lookup runs inside an epoch section of its thread's record,
 * and writers defer frees with ck_epoch_call and collect them with
 * ck_epoch_poll, which never blocks. A worker uses its own record (one per
 * worker, made with the registry), so a lookup from a handler writes only
 * to that record's cache line. A thread outside the system borrows a free
 * record for the length of the lookup (ck_epoch_recycle) and hands it back
 * (ck_epoch_unregister); only when every record is lent does it make a new
 * one. So there are never more records than workers plus the greatest
 * number of outside threads that were ever looking up at the same moment,
 * threads that come and go leave nothing behind, and all records are freed
 * with the registry.
 *
 * Names of stopped actors. An entry stays valid only while its actor
 * lives, so a lookup checks the entry's ref against its cell's generation
 * before returning it: an actor that stopped before the lookup is never
 * returned, whatever the table says. The final stop of an actor drops its
 * name (rti_registry_forget), which it knows about through the cell's
 * `named` field: the entry's slot + 1, written only under the lock, read by
 * the stop as a hint after it has published the new generation. A
 * registration racing with the stop publishes `named` and then re-reads the
 * generation, and undoes itself if the actor is gone; the stop issues no
 * fence (it runs for every actor, named or not), so in a rare interleaving
 * both sides can miss each other and the name stays behind its dead actor.
 * Such an entry is harmless: lookups do not return it, registering the
 * name again replaces it, the cell's next stop or registration drops it
 * (a cell holds at most one entry), and the registry frees it at the end.
 *
 * Entries are held twice: in the hash set by name, for lookups, and in
 * `slots` by index, so that a stop finds its cell's entry in O(1) from the
 * 32 bits that fit in the cell.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <ck_epoch.h>
#include <ck_hs.h>
#include <ck_stack.h>
#include <rt/registry.h>

#include "cell.h"
#include "registry_int.h"
#include "sched.h"
#include "system_int.h"
#include "testkit.h"

/* What ck_hs compares: an entry starts with one, a lookup passes a bare
 * one. */
typedef struct rti_reg_key {
	const char *name;
	size_t len;
} rti_reg_key;

typedef struct rti_reg_entry {
	rti_reg_key key;           /* first; immutable, points at text */
	rt_ref ref;                /* immutable */
	const rt_actor_class *cls; /* immutable: the actor's class */
	rti_registry *reg;         /* immutable */
	ck_epoch_entry_t reclaim;  /* lock holders: the deferred free */
	uint32_t slot;             /* lock holders: index in reg->slots */
	char text[];
} rti_reg_entry;

struct rti_registry {
	/*
	 * Read by every lookup. The hash set and the epoch publish their own
	 * changes (ck_pr stores and fences inside ck_hs and ck_epoch).
	 */
	ck_hs_t hs;
	ck_epoch_t epoch;
	ck_epoch_record_t *records; /* immutable: one per worker, then the
	                               writers' (lock holders) */
	unsigned nworkers;          /* immutable */

	/* Lock holders only. */
	pthread_mutex_t lock __attribute__((aligned(RT_CACHELINE)));
	rti_reg_entry **slots; /* every entry in the table */
	uint32_t nslots;
	uint32_t cap;
} __attribute__((aligned(RT_CACHELINE)));

/* Initial capacity of the hash set; it doubles as it fills. */
#define INITIAL_NAMES 64

static ck_epoch_record_t *
writer_record(rti_registry *reg)
{
	return &reg->records[reg->nworkers];
}

/* --- ck_hs's allocator ------------------------------------------------- */

/*
 * ck_hs allocates its arrays through a struct ck_malloc whose functions
 * get no context, and frees an old array with defer = true when readers may
 * still be walking it. Each array therefore carries a header with its
 * registry and the epoch entry its deferred free needs. ck_hs only
 * allocates inside calls made under the registry's lock, so the registry
 * is the one this thread has locked.
 */
static __thread rti_registry *locked_reg;

typedef union map_hdr {
	struct {
		ck_epoch_entry_t reclaim;
		rti_registry *reg;
	} h;
	max_align_t align; /* what follows is aligned as malloc's blocks */
} map_hdr;

static void *
hs_malloc(size_t size)
{
	map_hdr *hdr = malloc(sizeof(*hdr) + size);

	if (hdr == NULL)
		return NULL;
	hdr->h.reg = locked_reg;
	return hdr + 1;
}

static void
map_reclaim(ck_epoch_entry_t *e)
{
	map_hdr *hdr = (map_hdr *)((char *)e - offsetof(map_hdr, h.reclaim));

	/* Every reader that walked this array ended its section before the
	 * grace period that lets us free it (pairs with the release before
	 * ck_epoch_end in rt_whereis). */
	RT_TSAN_ACQUIRE(&hdr->h.reg->epoch);
	free(hdr);
}

static void
hs_free(void *p, size_t size, bool defer)
{
	map_hdr *hdr = (map_hdr *)p - 1;

	(void)size;
	if (!defer) {
		free(hdr);
		return;
	}
	ck_epoch_call(writer_record(hdr->h.reg), &hdr->h.reclaim, map_reclaim);
}

static struct ck_malloc hs_allocator = {
	.malloc = hs_malloc,
	.realloc = NULL, /* ck_hs never reallocates */
	.free = hs_free,
};

/* --- hashing ------------------------------------------------------------ */

static unsigned long
name_hash(const char *s, size_t len, unsigned long seed)
{
	uint64_t h = 0xcbf29ce484222325u ^ seed;
	size_t i;

	/* FNV-1a, then a finalizer: ck_hs takes the slot from the low bits
	 * and the probe stride from the high ones, and FNV mixes neither
	 * well enough on its own. */
	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return (unsigned long)h;
}

static unsigned long
hs_hash(const void *object, unsigned long seed)
{
	const rti_reg_key *k = object;

	return name_hash(k->name, k->len, seed);
}

static bool
hs_compare(const void *stored, const void *key)
{
	const rti_reg_key *a = stored, *b = key;

	/* `stored` was published by a writer (pairs with the release in
	 * publish()); readers reach it without a lock. */
	RT_TSAN_ACQUIRE(stored);
	return a->len == b->len && memcmp(a->name, b->name, a->len) == 0;
}

static unsigned long
key_hash(rti_registry *reg, const rti_reg_key *key)
{
	return name_hash(key->name, key->len, reg->hs.seed);
}

/* A usable name: 1 to RT_NAME_MAX bytes. Fills *key. */
static bool
name_ok(const char *name, rti_reg_key *key)
{
	size_t len;

	if (name == NULL)
		return false;
	len = strnlen(name, RT_NAME_MAX + 1);
	if (len == 0 || len > RT_NAME_MAX)
		return false;
	key->name = name;
	key->len = len;
	return true;
}

/* --- life of the registry ----------------------------------------------- */

rti_registry *
rti_registry_new(unsigned nworkers)
{
	rti_registry *reg;
	unsigned i;
	bool ok;

	reg = aligned_alloc(RT_CACHELINE, sizeof(*reg));
	if (reg == NULL)
		return NULL;
	memset(reg, 0, sizeof(*reg));
	reg->nworkers = nworkers;
	/* The record type is cache-line aligned, so its size is a multiple
	 * of the line, as aligned_alloc wants. */
	reg->records = aligned_alloc(CK_MD_CACHELINE,
	    sizeof(ck_epoch_record_t) * (nworkers + 1));
	if (reg->records == NULL)
		goto fail_reg;
	memset(reg->records, 0, sizeof(ck_epoch_record_t) * (nworkers + 1));
	if (pthread_mutex_init(&reg->lock, NULL) != 0)
		goto fail_records;
	ck_epoch_init(&reg->epoch);
	/* Before the workers exist: thread creation orders this before
	 * their first use of their records. */
	for (i = 0; i <= nworkers; i++)
		ck_epoch_register(&reg->epoch, &reg->records[i], NULL);
	locked_reg = reg;
	ok = ck_hs_init(&reg->hs,
	    CK_HS_MODE_OBJECT | CK_HS_MODE_SPMC | CK_HS_MODE_DELETE, hs_hash,
	    hs_compare, &hs_allocator, INITIAL_NAMES,
	    (unsigned long)(uintptr_t)reg);
	locked_reg = NULL;
	if (!ok)
		goto fail_lock;
	return reg;

fail_lock:
	pthread_mutex_destroy(&reg->lock);
fail_records:
	free(reg->records);
fail_reg:
	free(reg);
	return NULL;
}

static bool
own_record(rti_registry *reg, ck_epoch_record_t *rec)
{
	uintptr_t p = (uintptr_t)rec, first = (uintptr_t)reg->records;

	return p >= first && p <= (uintptr_t)writer_record(reg);
}

void
rti_registry_free(rti_registry *reg)
{
	ck_stack_entry_t *c, *next;
	uint32_t i;

	if (reg == NULL)
		return;
	for (i = 0; i < reg->nslots; i++)
		free(reg->slots[i]);
	free(reg->slots);
	ck_hs_destroy(&reg->hs);
	/* Nobody reads any more: what waited for a grace period goes now. */
	ck_epoch_reclaim(writer_record(reg));
	/* The records lent to threads outside the system. */
	for (c = CK_STACK_FIRST(&reg->epoch.records); c != NULL; c = next) {
		ck_epoch_record_t *rec = (ck_epoch_record_t *)((char *)c -
		    offsetof(ck_epoch_record_t, record_next));

		next = CK_STACK_NEXT(c);
		if (!own_record(reg, rec))
			free(rec);
	}
	free(reg->records);
	pthread_mutex_destroy(&reg->lock);
	free(reg);
}

/* --- writers ------------------------------------------------------------ */

static void
writer_lock(rti_registry *reg)
{
	pthread_mutex_lock(&reg->lock);
	locked_reg = reg;
}

static void
writer_unlock(rti_registry *reg)
{
	ck_epoch_record_t *w = writer_record(reg);

	/*
	 * Free what no reader can still hold. ck_epoch_poll never waits:
	 * what a reader may still be looking at stays on the list for a
	 * later write, or for rti_registry_free.
	 */
	if (w->n_pending != 0)
		ck_epoch_poll(w);
	locked_reg = NULL;
	pthread_mutex_unlock(&reg->lock);
}

static void
entry_reclaim(ck_epoch_entry_t *e)
{
	rti_reg_entry *entry = (rti_reg_entry *)((char *)e -
	    offsetof(rti_reg_entry, reclaim));

	/* As in map_reclaim: readers of the entry are done. */
	RT_TSAN_ACQUIRE(&entry->reg->epoch);
	free(entry);
}

/* Whether the incarnation an entry names is still alive. */
static bool
entry_alive(const rti_reg_entry *e)
{
	return rti_cell_gen(e->ref.cell) == e->ref.gen;
}

static bool
ref_alive(rt_ref ref)
{
	return (ref.gen & 1) != 0 && rti_cell_gen(ref.cell) == ref.gen;
}

/* Make room for one more slot. Lock held. */
static bool
slots_reserve(rti_registry *reg)
{
	rti_reg_entry **p;
	uint32_t cap;

	if (reg->nslots < reg->cap)
		return true;
	if (reg->cap > UINT32_MAX / 2)
		return false;
	cap = reg->cap != 0 ? reg->cap * 2 : 16;
	p = realloc(reg->slots, sizeof(*p) * cap);
	if (p == NULL)
		return false;
	reg->slots = p;
	reg->cap = cap;
	return true;
}

/*
 * Take `e` out of the table and free it once no reader can see it. Lock
 * held. The `named` stores are relaxed: the final stop reads `named` only
 * as a hint and reads it again under the lock.
 */
static void
drop(rti_registry *reg, rti_reg_entry *e)
{
	rti_reg_entry *last;

	ck_hs_remove(&reg->hs, key_hash(reg, &e->key), &e->key);
	last = reg->slots[--reg->nslots];
	if (last != e) {
		reg->slots[e->slot] = last;
		last->slot = e->slot;
		ck_pr_store_32(&last->ref.cell->named, last->slot + 1);
	}
	ck_pr_store_32(&e->ref.cell->named, 0);
	ck_epoch_call(writer_record(reg), &e->reclaim, entry_reclaim);
}

/* Put `e` in the table. Lock held, room reserved, name not there. */
static bool
publish(rti_registry *reg, rti_reg_entry *e, unsigned long hash)
{
	/* Its fields before the pointer readers find (pairs with the
	 * acquire in hs_compare; ck_hs fences the store itself). */
	RT_TSAN_RELEASE(e);
	if (!ck_hs_put(&reg->hs, hash, &e->key))
		return false;
	e->slot = reg->nslots;
	reg->slots[reg->nslots++] = e;
	ck_pr_store_32(&e->ref.cell->named, e->slot + 1);
	return true;
}

/*
 * A new entry for `ref` under `key`, or NULL: *rc says why. The class is
 * read between two looks at the generation, so it is the class of that
 * incarnation and not of a later one in the same cell.
 */
static rti_reg_entry *
entry_new(rti_registry *reg, rt_ref ref, const rti_reg_key *key, int *rc)
{
	rti_reg_entry *e;
	const rt_actor_class *cls;

	if (!ref_alive(ref)) {
		*rc = RT_ENOACTOR;
		return NULL;
	}
	/* Set at spawn, before the generation was published. */
	cls = ck_pr_load_ptr(&ref.cell->kind);
	if (!ref_alive(ref)) {
		*rc = RT_ENOACTOR;
		return NULL;
	}
	e = malloc(sizeof(*e) + key->len + 1);
	if (e == NULL) {
		*rc = RT_ENOMEM;
		return NULL;
	}
	memcpy(e->text, key->name, key->len);
	e->text[key->len] = '\0';
	e->key.name = e->text;
	e->key.len = key->len;
	e->ref = ref;
	e->cls = cls;
	e->reg = reg;
	e->slot = 0;
	return e;
}

int
rt_register(rt_ref ref, const char *name)
{
	rti_reg_entry *e, *old;
	rti_registry *reg;
	rt_system *sys;
	rti_reg_key key;
	unsigned long hash;
	uint32_t named;
	int rc = 0;

	if (ref.cell == NULL || !name_ok(name, &key))
		return RT_EINVAL;
	sys = ref.cell->sys;
	reg = sys->registry;
	/* Relaxed: shutdown stops every actor anyway, and their final
	 * stops drop their names; this only refuses new ones early (and
	 * tells the caller the system is going, not just the actor). */
	if (ck_pr_load_32(&sys->stopping))
		return RT_ESHUTDOWN;
	e = entry_new(reg, ref, &key, &rc);
	if (e == NULL)
		return rc;
	hash = key_hash(reg, &key);
	writer_lock(reg);
	/* Under the lock nothing is freed or moved: no epoch section. */
	old = ck_hs_get(&reg->hs, hash, &key);
	if (old != NULL && entry_alive(old)) {
		/* The name is this actor's already: a supervised child
		 * restarted in place keeps its ref, and with it its name,
		 * so the new incarnation's on_start may claim it again. */
		rc = rt_ref_equal(old->ref, ref) ? 0 : RT_EEXIST;
		goto out;
	}
	named = ck_pr_load_32(&ref.cell->named);
	if (named != 0) {
		rti_reg_entry *mine = reg->slots[named - 1];

		/* The cell's entry is this actor's name, or one left behind
		 * by an earlier actor in the cell. */
		if (entry_alive(mine)) {
			rc = RT_EEXIST;
			goto out;
		}
		if (mine == old)
			old = NULL;
		drop(reg, mine);
	}
	/* A name left behind by an actor that has stopped is free. */
	if (old != NULL)
		drop(reg, old);
	if (!slots_reserve(reg) || !publish(reg, e, hash)) {
		rc = RT_ENOMEM;
		goto out;
	}
	/*
	 * `named` is published; now look at the generation again (full
	 * fence: the store before the load). If the actor stopped in the
	 * meantime, its stop may have read `named` too early: take the
	 * name back ourselves. Should both sides miss each other, lookups
	 * still refuse the name (see the top of the file).
	 */
	ck_pr_fence_store_load();
	if (!entry_alive(e)) {
		drop(reg, e);
		rc = RT_ENOACTOR;
	}
	e = NULL; /* the table's now, or its deferred free's */
out:
	writer_unlock(reg);
	free(e);
	return rc;
}

int
rt_unregister(rt_system *sys, const char *name)
{
	rti_registry *reg;
	rti_reg_entry *e;
	rti_reg_key key;
	int rc = 0;

	if (sys == NULL || !name_ok(name, &key))
		return RT_EINVAL;
	reg = sys->registry;
	writer_lock(reg);
	e = ck_hs_get(&reg->hs, key_hash(reg, &key), &key);
	if (e == NULL || !entry_alive(e))
		rc = RT_ENOENT;
	if (e != NULL)
		drop(reg, e);
	writer_unlock(reg);
	return rc;
}

void
rti_registry_forget(rti_registry *reg, rt_cell *cell)
{
	uint32_t named;

	writer_lock(reg);
	/* Under the lock, `named` is exact. */
	named = ck_pr_load_32(&cell->named);
	if (named != 0) {
		rti_reg_entry *e = reg->slots[named - 1];

		if (!entry_alive(e))
			drop(reg, e);
	}
	writer_unlock(reg);
}

/* --- readers ------------------------------------------------------------ */

/*
 * The epoch record for a lookup on this thread: the worker's own, or one
 * lent to a thread outside the system (*lent set), or NULL when none can
 * be had (out of memory).
 */
static ck_epoch_record_t *
reader_record(rti_registry *reg, rt_system *sys, bool *lent)
{
	rti_worker *w = rti_sched_worker(sys);
	ck_epoch_record_t *rec;

	*lent = w == NULL;
	if (w != NULL)
		return &reg->records[w->index];
	rec = ck_epoch_recycle(&reg->epoch, NULL);
	if (rec != NULL) {
		/* The last borrower is done with it (pairs with the release
		 * in reader_done; ck_epoch_recycle's atomic swap of the
		 * record's state is the real hand-over). */
		RT_TSAN_ACQUIRE(rec);
		return rec;
	}
	rec = aligned_alloc(CK_MD_CACHELINE, sizeof(*rec));
	if (rec == NULL)
		return NULL;
	memset(rec, 0, sizeof(*rec));
	ck_epoch_register(&reg->epoch, rec, NULL);
	return rec;
}

static void
reader_done(ck_epoch_record_t *rec, bool lent)
{
	if (!lent)
		return;
	RT_TSAN_RELEASE(rec);
	ck_epoch_unregister(rec);
}

int
rt_whereis(rt_system *sys, const char *name, rt_ref *out)
{
	return rt_whereis_class(sys, name, NULL, out);
}

int
rt_whereis_class(rt_system *sys, const char *name, const rt_actor_class *cls,
    rt_ref *out)
{
	const rt_actor_class *kind = NULL;
	ck_epoch_record_t *rec;
	rti_registry *reg;
	rti_reg_entry *e;
	rti_reg_key key;
	unsigned long hash;
	rt_ref ref = { NULL, 0 };
	bool lent;

	if (sys == NULL || out == NULL || !name_ok(name, &key))
		return RT_EINVAL;
	reg = sys->registry;
	hash = key_hash(reg, &key);
	rec = reader_record(reg, sys, &lent);
	if (rec == NULL) {
		/* No record: read as a writer would, under the lock. */
		writer_lock(reg);
		e = ck_hs_get(&reg->hs, hash, &key);
		if (e != NULL) {
			ref = e->ref;
			kind = e->cls;
		}
		writer_unlock(reg);
	} else {
		ck_epoch_begin(rec, NULL);
		e = ck_hs_get(&reg->hs, hash, &key);
		if (e != NULL) {
			RT_TSAN_ACQUIRE(e);
			ref = e->ref;
			kind = e->cls;
		}
		/* Our reads of the table are done before the section ends
		 * (pairs with the acquires in the reclaim callbacks). */
		RT_TSAN_RELEASE(&reg->epoch);
		ck_epoch_end(rec, NULL);
		reader_done(rec, lent);
	}
	/* A name whose actor has stopped is no name. */
	if (e == NULL || !ref_alive(ref))
		return RT_ENOENT;
	/* A test probe of the kind passes as one (and as no other kind). */
	if (cls != NULL && kind != cls && rti_test_probe_of(kind) != cls)
		return RT_ETYPE;
	*out = ref;
	return 0;
}

/* --- for rt_system_dump ---------------------------------------------------- */

int
rti_registry_name(rti_registry *reg, rt_ref ref, char **out)
{
	uint32_t named;
	int rc = 0;

	*out = NULL;
	/* Relaxed: a hint; the lock makes it exact. Most actors have no
	 * name, and their dump takes no lock. */
	if (ck_pr_load_32(&ref.cell->named) == 0)
		return 0;
	writer_lock(reg);
	named = ck_pr_load_32(&ref.cell->named);
	if (named != 0) {
		rti_reg_entry *e = reg->slots[named - 1];

		if (rt_ref_equal(e->ref, ref) &&
		    (*out = strdup(e->key.name)) == NULL)
			rc = RT_ENOMEM;
	}
	writer_unlock(reg);
	return rc;
}
