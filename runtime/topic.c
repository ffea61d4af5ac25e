/* SPDX-License-Identifier: MIT */
/*
 * Topics (rt/topic.h). Each system keeps, per topic, an immutable array of
 * its subscribers; subscribing or unsubscribing builds a new array under
 * the system's topic lock and swaps it in. A publish takes a reference to
 * the current array under that lock (a few instructions), then walks it
 * without any lock, so a publisher blocked on a full mailbox holds up no
 * one.
 *
 * A publish copies the message once, into a body envelope that nobody's
 * mailbox links: each subscriber gets a node, a small envelope whose
 * payload points at the body, and the body counts the nodes still holding
 * it (pool.h frees it with the last one). A small message with nothing
 * outside its struct (rt_publish_copy) is copied into each node instead:
 * a copy of a few words costs less than the count, whose line the
 * subscribers' workers would pass between them. Nodes are ordinary
 * messages to the rest of the runtime: bounds, muting, dead letters and
 * counters apply to them one by one.
 */
#include <stdlib.h>
#include <string.h>

#include "deadletter.h"
#include "pool.h"
#include "system_int.h"
#include "topic_int.h"

struct rti_sub {
	rt_ref ref;
	uint32_t tag;
};

/* An immutable set of subscribers, shared by publishes in progress. */
struct rti_subs {
	uint32_t refs; /* atomic: the table's one, plus each publish's */
	uint32_t n;
	struct rti_sub sub[];
};

struct rti_topic_entry {
	const rt_topic *topic; /* NULL: free slot */
	struct rti_subs *subs; /* NULL: none */
};

/* After the payload of a body: what rt_publish needs. */
struct rti_pub {
	rt_system *sys;
	const rt_topic *topic;
};

static struct rti_pub *
pub_of(rt_env *env)
{
	return rti_env_trailer(env, sizeof(struct rti_pub));
}

int
rti_topics_init(rti_topics *t)
{
	memset(t, 0, sizeof(*t));
	return pthread_mutex_init(&t->lock, NULL) == 0 ? 0 : RT_ENOMEM;
}

static void
subs_unref(struct rti_subs *s)
{
	if (s == NULL)
		return;
	/* Release our reads of the array before its free; the last one
	 * acquires everyone's. */
	RT_TSAN_RELEASE(&s->refs);
	ck_pr_fence_release();
	if (ck_pr_faa_32(&s->refs, (uint32_t)-1) == 1) {
		ck_pr_fence_atomic_load();
		RT_TSAN_ACQUIRE(&s->refs);
		free(s);
	}
}

void
rti_topics_destroy(rti_topics *t)
{
	size_t i;

	for (i = 0; i < t->size; i++)
		subs_unref(t->slot[i].subs);
	free(t->slot);
	pthread_mutex_destroy(&t->lock);
}

/* --- the table (under the lock) ---------------------------------------------- */

static size_t
hash_ptr(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return (size_t)h;
}

static struct rti_topic_entry *
entry_find(rti_topics *t, const rt_topic *topic)
{
	size_t i;

	if (t->size == 0)
		return NULL;
	for (i = hash_ptr(topic) & (t->size - 1);; i = (i + 1) & (t->size - 1))
		if (t->slot[i].topic == topic || t->slot[i].topic == NULL)
			return &t->slot[i];
}

/* The entry of `topic`, made if need be; NULL for lack of memory. */
static struct rti_topic_entry *
entry_get(rti_topics *t, const rt_topic *topic)
{
	struct rti_topic_entry *e = entry_find(t, topic);

	if (e != NULL && e->topic == topic)
		return e;
	if ((t->used + 1) * 2 > t->size) {
		size_t size = t->size ? t->size * 2 : 8, i;
		struct rti_topic_entry *old = t->slot, *slot;

		slot = calloc(size, sizeof(*slot));
		if (slot == NULL)
			return NULL;
		t->slot = slot;
		t->size = size;
		for (i = 0; i < size / 2 && old != NULL; i++)
			if (old[i].topic != NULL)
				*entry_find(t, old[i].topic) = old[i];
		free(old);
	}
	e = entry_find(t, topic);
	e->topic = topic;
	e->subs = NULL;
	t->used++;
	return e;
}

/*
 * A copy of `old` with `add` added (add NULL: nothing) and every
 * subscriber matching `drop` left out (NULL: none), and every subscriber
 * whose actor has stopped left out too. NULL for lack of memory; *out
 * NULL when nobody is left.
 */
static int
subs_rebuild(const struct rti_subs *old, const struct rti_sub *add,
    const rt_ref *drop, struct rti_subs **out)
{
	uint32_t n = old != NULL ? old->n : 0, i, k = 0;
	struct rti_subs *s;

	*out = NULL;
	s = malloc(sizeof(*s) + (n + 1) * sizeof(s->sub[0]));
	if (s == NULL)
		return RT_ENOMEM;
	for (i = 0; i < n; i++) {
		const struct rti_sub *x = &old->sub[i];

		if ((drop != NULL && rt_ref_equal(x->ref, *drop)) ||
		    !rt_actor_alive(x->ref))
			continue;
		s->sub[k++] = *x;
	}
	if (add != NULL)
		s->sub[k++] = *add;
	if (k == 0) {
		free(s);
		return 0;
	}
	s->n = k;
	s->refs = 1;
	*out = s;
	return 0;
}

/* Swap in a new set (under the lock); the old one goes with its last user. */
static void
subs_swap(struct rti_topic_entry *e, struct rti_subs *s)
{
	struct rti_subs *old = e->subs;

	/* Publishes take their reference under the lock too, so a plain
	 * store is enough here; readers reach the array only through it. */
	e->subs = s;
	subs_unref(old);
}

static bool
subscribed(const struct rti_subs *s, rt_ref ref)
{
	uint32_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (rt_ref_equal(s->sub[i].ref, ref))
			return true;
	return false;
}

/* --- subscribing ------------------------------------------------------------------ */

int
rt_subscribe(const rt_topic *topic, rt_ref ref, uint32_t tag)
{
	struct rti_topic_entry *e;
	struct rti_sub add = { ref, tag };
	struct rti_subs *s;
	rt_system *sys;
	int rc;

	if (topic == NULL || ref.cell == NULL)
		return RT_EINVAL;
	if (!rt_actor_alive(ref))
		return RT_ENOACTOR;
	sys = ref.cell->sys;
	if (ck_pr_load_32(&sys->stopping))
		return RT_ESHUTDOWN;
	pthread_mutex_lock(&sys->topics->lock);
	e = entry_get(sys->topics, topic);
	if (e == NULL) {
		rc = RT_ENOMEM;
	} else if (subscribed(e->subs, ref)) {
		rc = RT_EEXIST;
	} else {
		rc = subs_rebuild(e->subs, &add, NULL, &s);
		if (rc == 0)
			subs_swap(e, s);
	}
	pthread_mutex_unlock(&sys->topics->lock);
	return rc;
}

int
rt_unsubscribe(const rt_topic *topic, rt_ref ref)
{
	struct rti_topic_entry *e;
	struct rti_subs *s;
	rt_system *sys;
	int rc = RT_ENOENT;

	if (topic == NULL || ref.cell == NULL)
		return RT_EINVAL;
	sys = ref.cell->sys;
	pthread_mutex_lock(&sys->topics->lock);
	e = entry_find(sys->topics, topic);
	if (e != NULL && e->topic == topic && subscribed(e->subs, ref)) {
		rc = subs_rebuild(e->subs, NULL, &ref, &s);
		if (rc == 0)
			subs_swap(e, s);
	}
	pthread_mutex_unlock(&sys->topics->lock);
	return rc;
}

/* Drop the subscribers that have stopped (seen by a publish). */
static void
sweep(rt_system *sys, const rt_topic *topic)
{
	struct rti_topic_entry *e;
	struct rti_subs *s;

	pthread_mutex_lock(&sys->topics->lock);
	e = entry_find(sys->topics, topic);
	if (e != NULL && e->topic == topic &&
	    subs_rebuild(e->subs, NULL, NULL, &s) == 0)
		subs_swap(e, s);
	pthread_mutex_unlock(&sys->topics->lock);
}

void
rti_env_unshare(rt_env *node)
{
	rt_env *body = *(rt_env **)rt_env_payload(node);

	/* Release: our reads of the body before its free (the last holder's
	 * acquire). */
	RT_TSAN_RELEASE(&body->u.refs);
	ck_pr_fence_release();
	if (ck_pr_faa_64(&body->u.refs, (uint64_t)-1) == 1) {
		ck_pr_fence_atomic_load();
		RT_TSAN_ACQUIRE(&body->u.refs);
		rti_block_free_class(body, body->pool);
	}
}

/* --- publishing --------------------------------------------------------------------- */

int
rt_publish_new(rt_system *sys, const rt_topic *topic, size_t size, rt_env **out)
{
	struct rti_pub *pub;
	rt_env *env;

	if (sys == NULL || topic == NULL || out == NULL)
		return RT_EINVAL;
	/* Relaxed: rt_publish checks again. */
	if (ck_pr_load_32(&sys->stopping))
		return RT_ESHUTDOWN;
	if (size > SIZE_MAX / 2)
		return RT_ENOMEM;
	env = rti_env_alloc_sys(sys,
	    rti_trailer_room(size, sizeof(struct rti_pub)));
	if (env == NULL)
		return RT_ENOMEM;
	env->kind = RTI_ENV_MSG;
	env->flags = RTI_ENV_PUBLISH;
	pub = pub_of(env);
	pub->sys = sys;
	pub->topic = topic;
	*out = env;
	return 0;
}

/* The subscribers of `topic` in `sys`, with a reference for the caller
 * (subs_unref), or NULL when it has none. */
static struct rti_subs *
subs_take(rt_system *sys, const rt_topic *topic)
{
	struct rti_topic_entry *e;
	struct rti_subs *subs = NULL;

	pthread_mutex_lock(&sys->topics->lock);
	e = entry_find(sys->topics, topic);
	if (e != NULL && e->topic == topic && e->subs != NULL) {
		subs = e->subs;
		/* Under the lock: the array cannot be swapped out and freed
		 * between our load and our reference. */
		ck_pr_inc_32(&subs->refs);
	}
	pthread_mutex_unlock(&sys->topics->lock);
	return subs;
}

/* What one publish hands each subscriber: a node pointing at `body`, or,
 * with body NULL, a copy of the `size` bytes at `msg`. */
struct delivery {
	rt_env *body;
	const void *msg;
	size_t size;
	uint32_t made; /* nodes made */
	uint32_t failed;
	bool stale; /* a subscriber had stopped for good */
};

static void
deliver(rt_system *sys, const struct rti_subs *subs, struct delivery *d)
{
	uint32_t i;

	for (i = 0; i < subs->n; i++) {
		const struct rti_sub *s = &subs->sub[i];
		rt_env *node;
		int rc;

		/* A subscriber that stopped for good is none: it leaves.
		 * (One that stops after this look gets a dead letter.) */
		if (rti_cell_gen(s->ref.cell) != s->ref.gen) {
			d->stale = true;
			continue;
		}
		/* rt_env_new's work, without what was checked before. */
		node = rti_env_alloc_sys(sys,
		    d->body != NULL ? sizeof(rt_env *) : d->size);
		if (node == NULL) {
			d->failed++;
			continue;
		}
		d->made++;
		node->kind = RTI_ENV_MSG;
		node->cell = s->ref.cell;
		node->gen = s->ref.gen;
		node->v.tag = s->tag;
		if (d->body != NULL) {
			node->flags = RTI_ENV_SHARED;
			*(rt_env **)rt_env_payload(node) = d->body;
		} else if (d->msg != NULL) {
			memcpy(rt_env_payload(node), d->msg, d->size);
		} else {
			memset(rt_env_payload(node), 0, d->size);
		}
		/* Publishing the body (or the copy) to the node's receiver:
		 * its fill is ordered by the push's release in the send. */
		rc = rt_env_send_opts(node, NULL);
		if (rc == RT_ENOACTOR)
			d->stale = true;
		else if (rc != 0)
			d->failed++;
	}
}

int
rt_publish(rt_env *body)
{
	struct rti_subs *subs;
	const rt_topic *topic;
	rt_system *sys;
	struct delivery d = { .body = body };

	if (body == NULL)
		return RT_EINVAL;
	if (!(body->flags & RTI_ENV_PUBLISH) || body->kind != RTI_ENV_MSG) {
		rt_env_discard(body);
		return RT_EINVAL;
	}
	sys = pub_of(body)->sys;
	topic = pub_of(body)->topic;
	if (ck_pr_load_32(&sys->stopping)) {
		rti_env_free(body);
		return RT_ESHUTDOWN;
	}
	if ((subs = subs_take(sys, topic)) == NULL) {
		rti_env_free(body);
		return 0;
	}
	/* One reference per node, and ours until the loop is done. Set
	 * before the first node is queued: its handler may run at once. */
	ck_pr_store_64(&body->u.refs, (uint64_t)subs->n + 1);
	deliver(sys, subs, &d);
	/* Give back the references of nodes never made, and ours (release,
	 * as any holder's; the last one acquires). */
	RT_TSAN_RELEASE(&body->u.refs);
	ck_pr_fence_release();
	if (ck_pr_faa_64(&body->u.refs,
		(uint64_t)-(int64_t)(subs->n - d.made + 1)) ==
	    (uint64_t)(subs->n - d.made + 1)) {
		ck_pr_fence_atomic_load();
		RT_TSAN_ACQUIRE(&body->u.refs);
		rti_block_free_class(body, body->pool);
	}
	subs_unref(subs);
	if (d.stale)
		sweep(sys, topic);
	return (int)d.failed;
}

int
rt_publish_copy(rt_system *sys, const rt_topic *topic, const void *msg,
    size_t size)
{
	struct delivery d = { .msg = msg, .size = size };
	struct rti_subs *subs;
	rt_env *body;
	int r;

	if (sys == NULL || topic == NULL)
		return RT_EINVAL;
	if (size > RT_PUBLISH_COPY_MAX) {
		/* Worth sharing: one body, as rt_publish_new and
		 * rt_publish. */
		if ((r = rt_publish_new(sys, topic, size, &body)) != 0)
			return r;
		if (msg != NULL)
			memcpy(rt_env_payload(body), msg, size);
		else
			memset(rt_env_payload(body), 0, size);
		return rt_publish(body);
	}
	/* Relaxed: a send to a subscriber checks again. */
	if (ck_pr_load_32(&sys->stopping))
		return RT_ESHUTDOWN;
	if ((subs = subs_take(sys, topic)) == NULL)
		return 0;
	deliver(sys, subs, &d);
	subs_unref(subs);
	if (d.stale)
		sweep(sys, topic);
	return (int)d.failed;
}
