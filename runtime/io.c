/* SPDX-License-Identifier: MIT */
/*
 * Readiness of file descriptors, as messages (rt/io.h).
 *
 * Each system that watches anything has one epoll set, made on the first
 * watch. Readiness is collected by the workers themselves, as Go's
 * scheduler collects it from its netpoller: a worker out of work polls the
 * set without waiting before it looks elsewhere, a busy one polls it now
 * and then (sched.c), and when every worker has gone idle, one of them
 * parks in epoll_wait instead of on its futex, so that readiness wakes it
 * and an idle system still uses no CPU. A test system's driving thread
 * polls when it runs out of work. The reasons and the figures are in
 * doc/design-notes.md.
 *
 * Every watch is EPOLLONESHOT, which is exactly rt_io_watch's promise: the
 * kernel reports a descriptor once and disarms it until the actor arms it
 * again, so nothing but the actor's own pace decides how much readiness it
 * gets. Whoever polls turns each report into an envelope (RTI_ENV_IO)
 * pushed like any message, so it takes its place in the actor's order.
 *
 * The envelope carries the number of the arming it answers, from a
 * counter in the cell's extension that never goes back; the actor's table
 * (per incarnation) holds each watch's latest number. A readiness whose
 * watch has since been removed, re-armed or left behind by an earlier
 * incarnation (a supervised child restarts in place, under the same ref)
 * does not match and is dropped when handled.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <rt/io.h>

#include "bonds.h"
#include "io.h"
#include "log.h"
#include "pool.h"
#include "rt_atomic.h"
#include "sched.h"
#include "system_int.h"

/*
 * What epoll points at for one watched descriptor: a record from a table
 * that only grows, so that a report naming a record that has since been
 * freed still names valid memory. The report carries the record's index
 * and its tag, the number of the use it was made for; freeing a record
 * bumps its tag, so a late report of an earlier use does not match and
 * is dropped, whoever polls. Any number of threads may poll at once.
 */
struct io_watch {
	/* Read by pollers (atomics), written by the record's owner. */
	uint32_t tag; /* which use of the record this is */
	uint32_t seq; /* the latest arming */
	uint32_t kev; /* that arming's epoll events */
	int32_t fd;
	rt_cell *cell; /* the owner */
	uint64_t gen;  /* its incarnation */
	/* Edge-triggered watches (RT_IO_EDGE): the descriptor stays in the
	 * set, and the readiness the kernel reports is kept here until the
	 * owner waits for it. Whoever clears `want` (a poller with a
	 * report, or the owner arming with readiness already pending)
	 * delivers it. */
	uint32_t want;    /* atomic: RT_IO_* awaited, or 0 */
	uint32_t pending; /* atomic: RT_IO_* seen, not yet delivered */
	/* The owner's only. */
	bool armed;     /* armed and its readiness not yet handled */
	bool edge;      /* in the set edge-triggered, for good */
	unsigned asked; /* RT_IO_READ and RT_IO_WRITE asked for */
	/* The table's (under its lock). */
	uint32_t index;     /* immutable: its place in the table */
	uint32_t next_free; /* 1 + index of the next free record, or 0 */
};

/* One descriptor of an incarnation (owner only). */
struct io_fd {
	int fd;
	bool owned;
	struct io_watch *watch; /* in the epoll set, or NULL */
};

/* An incarnation's descriptors (owner only): few, so a vector. */
struct rti_io_table {
	struct io_fd *at;
	uint32_t n, cap;
};

/* Records come in chunks; at most IO_CHUNKS of them (4M watches). */
#define IO_CHUNK 1024u
#define IO_CHUNKS 4096u

/* The report of the eventfd that wakes a worker parked in epoll_wait. */
#define IO_WAKE UINT64_MAX

/* In a report's low word, beside the record's index: an edge-triggered
 * watch. */
#define IO_EDGE_BIT (1u << 31)

/* A system's epoll set and its watch records. */
struct rti_io {
	int epfd;
	int evfd;             /* wakes the worker parked in epoll_wait */
	uint32_t sleeper;     /* atomic: a worker is parked in epoll_wait */
	pthread_mutex_t lock; /* the free list and the chunks */
	uint32_t free;        /* 1 + index of the first free record, or 0 */
	uint32_t carved;      /* records made */
	struct io_watch *chunk[IO_CHUNKS]; /* atomic: set once each */
};

/* Reports taken from the kernel at once. */
#define IO_EVENTS 256

/* --- the records --------------------------------------------------------- */

static struct io_watch *
record_at(struct rti_io *io, uint32_t index)
{
	/* Acquire: pairs with the release that published the chunk. */
	struct io_watch *c = index / IO_CHUNK < IO_CHUNKS ?
	    ck_pr_load_ptr(&io->chunk[index / IO_CHUNK]) :
	    NULL;

	ck_pr_fence_load();
	return c != NULL ? &c[index % IO_CHUNK] : NULL;
}

/* A record for a new watch, or NULL. */
static struct io_watch *
record_new(struct rti_io *io)
{
	struct io_watch *w = NULL;

	pthread_mutex_lock(&io->lock);
	if (io->free != 0) {
		w = record_at(io, io->free - 1);
		io->free = w->next_free;
	} else if (io->carved / IO_CHUNK < IO_CHUNKS) {
		uint32_t c = io->carved / IO_CHUNK;

		if (io->carved % IO_CHUNK == 0) {
			struct io_watch *chunk = calloc(IO_CHUNK,
			    sizeof(*chunk));
			uint32_t i;

			if (chunk == NULL)
				goto out;
			for (i = 0; i < IO_CHUNK; i++)
				chunk[i].index = c * IO_CHUNK + i;
			/* Release: pollers find the chunk made. */
			RT_TSAN_RELEASE(&io->chunk[c]);
			ck_pr_fence_store();
			ck_pr_store_ptr(&io->chunk[c], chunk);
		}
		w = &io->chunk[c][io->carved % IO_CHUNK];
		io->carved++;
	}
out:
	pthread_mutex_unlock(&io->lock);
	return w;
}

/* The record `w`, out of the epoll set, is free again. */
static void
record_free(struct rti_io *io, struct io_watch *w)
{
	/* Every report of this use is stale from now on. Relaxed: a poller
	 * reads the tag again after the fields (see decode()). */
	ck_pr_store_32(&w->tag, ck_pr_load_32(&w->tag) + 1);
	pthread_mutex_lock(&io->lock);
	w->next_free = io->free;
	io->free = w->index + 1;
	pthread_mutex_unlock(&io->lock);
}

/* What a report says, read from its record. */
struct report {
	rt_cell *cell;
	uint64_t gen;
	int fd;
	uint32_t seq;
	bool edge;
	struct io_watch *w;
};

/* What epoll reports for record `w`. */
static uint64_t
report_data(struct io_watch *w, bool edge)
{
	return (uint64_t)ck_pr_load_32(&w->tag) << 32 |
	    (edge ? IO_EDGE_BIT : 0) | w->index;
}

/*
 * Read the record a report names. False when the report is stale: the
 * record has been freed (and maybe reused) since it was armed. The tag
 * is read before and after the fields, as a sequence lock is.
 */
static bool
decode(struct rti_io *io, uint64_t data, struct report *r)
{
	uint32_t tag = (uint32_t)(data >> 32);
	struct io_watch *w = record_at(io, (uint32_t)data & ~IO_EDGE_BIT);

	if (w == NULL || ck_pr_load_32(&w->tag) != tag)
		return false;
	/* Acquire: the fields written before the arming (pairs with the
	 * release in rt_io_watch; the kernel orders the two, but TSan
	 * cannot see that). */
	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(w);
	r->cell = ck_pr_load_ptr(&w->cell);
	r->gen = ck_pr_load_64(&w->gen);
	r->fd = (int)ck_pr_load_32((uint32_t *)&w->fd);
	r->seq = ck_pr_load_32(&w->seq);
	r->edge = ((uint32_t)data & IO_EDGE_BIT) != 0;
	r->w = w;
	ck_pr_fence_load();
	return ck_pr_load_32(&w->tag) == tag;
}

/* --- collecting readiness ------------------------------------------------ */

static unsigned
events_of(uint32_t ev)
{
	unsigned e = 0;

	if (ev & EPOLLIN)
		e |= RT_IO_READ;
	if (ev & EPOLLOUT)
		e |= RT_IO_WRITE;
	if (ev & (EPOLLHUP | EPOLLRDHUP))
		e |= RT_IO_HUP;
	if (ev & EPOLLERR)
		e |= RT_IO_ERR;
	return e;
}

static uint32_t
kevents_of(unsigned asked)
{
	uint32_t ev = EPOLLONESHOT;

	if (asked & RT_IO_READ)
		ev |= EPOLLIN | EPOLLRDHUP;
	if (asked & RT_IO_WRITE)
		ev |= EPOLLOUT;
	return ev;
}

/*
 * Queue readiness `events` of the arming `seq` to the actor of `r`. False
 * when no envelope could be had: the caller has the kernel report it
 * again, and tries later.
 */
static bool
queue_io(rt_system *sys, const struct report *r, unsigned events, uint32_t seq)
{
	rti_worker *self = rti_sched_worker(sys);
	bool counted = rti_inflight_enter(sys, self);
	struct rti_io_msg *m;
	rt_env *env;

	/* An incarnation that has stopped for good: its watches went with
	 * it (this report was taken just before), nothing to say. */
	if (rti_admit(sys, r->cell, r->gen) != 0) {
		rti_inflight_leave(sys, counted);
		return true;
	}
	env = rti_env_alloc_sys(sys, sizeof(*m));
	if (env == NULL) {
		rti_inflight_leave(sys, counted);
		return false;
	}
	env->kind = RTI_ENV_IO;
	env->flags = RTI_ENV_ODD;
	env->cell = r->cell;
	env->gen = r->gen;
	m = rt_env_payload(env);
	m->fd = r->fd;
	m->events = events;
	m->seq = seq;
	rti_sched_push(sys, r->cell, env);
	/* Counted once queued: a count that is seen says the readiness
	 * has its place in the actor's order (the tests rely on it). */
	rti_count_w(sys, self, sent, 1);
	rti_inflight_leave(sys, counted);
	return true;
}

/*
 * An edge-triggered watch: deliver what is pending of `want`, if the owner
 * still waits for it (whoever clears `want` delivers). Returns 1 when an
 * envelope was queued, 0 when there was nothing to do, -1 when none could
 * be had (the readiness is kept for the next try).
 */
static int
edge_fire(rt_system *sys, const struct report *r, uint32_t want)
{
	struct io_watch *w = r->w;
	uint32_t deliver = want | RT_IO_HUP | RT_IO_ERR, p, seq;

	/* The two sides (a report adding to pending then reading want, an
	 * arming setting want then reading pending) each order their RMW
	 * before their load (ck_pr_fence_atomic_load), so at least one sees
	 * the other's write: a Dekker pair. The CAS on want decides which
	 * of them delivers. */
	if ((ck_pr_load_32(&w->pending) & deliver) == 0 ||
	    !ck_pr_cas_32(&w->want, want, 0))
		return 0;
	/* The arming this answers: the owner stores its number before it
	 * sets want, which the CAS has just read, so a report decoded
	 * before a new arming still carries the new number. */
	ck_pr_fence_atomic_load();
	seq = ck_pr_load_32(&w->seq);
	do
		p = ck_pr_load_32(&w->pending);
	while (!ck_pr_cas_32(&w->pending, p, p & ~deliver));
	if (queue_io(sys, r, p & deliver, seq))
		return 1;
	/* No envelope: as it was, for the next report or arming. */
	ck_pr_or_32(&w->pending, p & deliver);
	/* Release: pending before want, for whoever tries next. */
	ck_pr_fence_store();
	ck_pr_store_32(&w->want, want);
	return -1;
}

unsigned
rti_io_poll(rt_system *sys, int timeout_ms, bool *woken)
{
	/* Acquire: pairs with the release in io_get. */
	struct rti_io *io = ck_pr_load_ptr(&sys->io);
	struct epoll_event ev[IO_EVENTS];
	unsigned queued = 0;
	bool lost = false;
	int i, n;

	ck_pr_fence_load();
	if (io == NULL)
		return 0;
	RT_TSAN_ACQUIRE(&sys->io);
	n = epoll_wait(io->epfd, ev, IO_EVENTS, timeout_ms);
	for (i = 0; i < n; i++) {
		struct report r;

		if (ev[i].data.u64 == IO_WAKE) {
			uint64_t v;

			/* Only the parked worker takes the wake-up; others
			 * leave it for it. */
			if (woken != NULL) {
				if (read(io->evfd, &v, sizeof(v)) < 0)
					(void)0; /* taken already */
				*woken = true;
			}
			continue;
		}
		if (!decode(io, ev[i].data.u64, &r))
			continue;
		if (r.edge) {
			int fired;

			/* Kept until the owner waits for it. The RMW before
			 * the load of want (see edge_fire). */
			ck_pr_or_32(&r.w->pending, events_of(ev[i].events));
			ck_pr_fence_atomic_load();
			fired = edge_fire(sys, &r, ck_pr_load_32(&r.w->want));
			if (fired >= 0) {
				queued += (unsigned)fired;
				continue;
			}
		} else if (queue_io(sys, &r, events_of(ev[i].events), r.seq)) {
			queued++;
			continue;
		}
		/* Out of memory: have the kernel report it again. This may
		 * race with the owner arming it, which asks for at least as
		 * much; either way it stays armed until a report is queued.
		 * A failure means the owner removed the watch meanwhile. */
		{
			/* Relaxed: the owner's latest registration or the
			 * one before; either reports again. */
			struct epoll_event again = {
				.events = ck_pr_load_32(&r.w->kev),
				.data.u64 = ev[i].data.u64,
			};

			(void)epoll_ctl(io->epfd, EPOLL_CTL_MOD, r.fd, &again);
			lost = true;
		}
	}
	if (lost && timeout_ms != 0) {
		/* Give the allocator a moment rather than spin on it. */
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	return queued;
}

bool
rti_io_park_begin(rt_system *sys)
{
	/* Relaxed: a set made by another worker a moment ago is found on
	 * the next park. */
	struct rti_io *io = ck_pr_load_ptr(&sys->io);

	/* One worker at a time parks in epoll_wait (the others on their
	 * futexes): it is woken by readiness or by rti_io_wake. */
	return io != NULL && ck_pr_cas_32(&io->sleeper, 0, 1);
}

void
rti_io_park_end(rt_system *sys)
{
	struct rti_io *io = sys->io;

	/* Release: the place is free for the next worker that parks (its
	 * CAS is the acquire). */
	ck_pr_fence_store();
	ck_pr_store_32(&io->sleeper, 0);
}

void
rti_io_wake(rt_system *sys)
{
	/* Relaxed: a worker parked in epoll_wait made or found the set, and
	 * the CAS on its `parked` that brought us here orders that. */
	struct rti_io *io = ck_pr_load_ptr(&sys->io);
	uint64_t one = 1;

	if (io == NULL)
		return;
	/* A full eventfd (2^64 - 2) cannot happen: the parked worker
	 * empties it each time it wakes. */
	while (write(io->evfd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void
io_free(struct rti_io *io)
{
	uint32_t c;

	for (c = 0; c < IO_CHUNKS && io->chunk[c] != NULL; c++)
		free(io->chunk[c]);
	pthread_mutex_destroy(&io->lock);
	close(io->epfd);
	close(io->evfd);
	free(io);
}

static int
code_of(int err)
{
	switch (err) {
	case EBADF:
		return RT_EBADF;
	case EEXIST:
		return RT_EEXIST;
	case EMFILE:
	case ENFILE:
		return RT_EMFILE;
	case ENOMEM:
	case ENOSPC: /* max_user_watches */
		return RT_ENOMEM;
	default: /* EPERM: a regular file or a directory */
		return RT_EINVAL;
	}
}

static struct rti_io *
io_new(int *rc)
{
	struct rti_io *io = calloc(1, sizeof(*io));
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = IO_WAKE };

	if (io == NULL) {
		*rc = RT_ENOMEM;
		return NULL;
	}
	if (pthread_mutex_init(&io->lock, NULL) != 0) {
		*rc = RT_ENOMEM;
		free(io);
		return NULL;
	}
	io->epfd = epoll_create1(EPOLL_CLOEXEC);
	io->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (io->epfd < 0 || io->evfd < 0 ||
	    epoll_ctl(io->epfd, EPOLL_CTL_ADD, io->evfd, &ev) != 0) {
		*rc = code_of(errno);
		if (io->epfd >= 0)
			close(io->epfd);
		if (io->evfd >= 0)
			close(io->evfd);
		pthread_mutex_destroy(&io->lock);
		free(io);
		return NULL;
	}
	return io;
}

/* The system's epoll set, made on first use. */
static struct rti_io *
io_get(rt_system *sys, int *rc)
{
	/* Acquire: pairs with the release below. */
	struct rti_io *io = ck_pr_load_ptr(&sys->io);
	bool made = false;

	ck_pr_fence_load();
	if (io != NULL) {
		RT_TSAN_ACQUIRE(&sys->io);
		return io;
	}
	pthread_mutex_lock(&sys->lock);
	io = sys->io;
	if (io == NULL) {
		io = io_new(rc);
		if (io != NULL) {
			/* Release: whoever finds the pointer finds the set
			 * made. */
			RT_TSAN_RELEASE(&sys->io);
			ck_pr_fence_store();
			ck_pr_store_ptr(&sys->io, io);
			made = true;
		}
	}
	pthread_mutex_unlock(&sys->lock);
	/* The workers may all be parked on their futexes, where readiness
	 * cannot reach them: one wakes, and parks in epoll_wait. */
	if (made && !sys->manual)
		rti_sched_kick(sys);
	return io;
}

void
rti_io_stop(rt_system *sys)
{
	struct rti_io *io = sys->io;

	if (io == NULL)
		return;
	io_free(io);
	sys->io = NULL;
}

/* --- an incarnation's descriptors ------------------------------------- */

/* Take `w` out of the epoll set and free it. */
static void
unregister(rt_system *sys, struct io_watch *w)
{
	struct rti_io *io = sys->io;

	/* It may be gone already (the descriptor was closed): fine. */
	(void)epoll_ctl(io->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	record_free(io, w);
}

static struct io_fd *
fd_find(struct rti_io_table *t, int fd)
{
	uint32_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (t->at[i].fd == fd)
			return &t->at[i];
	return NULL;
}

static struct io_fd *
fd_add(struct rti_ext *x, int fd)
{
	struct rti_io_table *t = x->io;

	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			return NULL;
		x->io = t;
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 4;
		struct io_fd *at = realloc(t->at, cap * sizeof(*at));

		if (at == NULL)
			return NULL;
		t->at = at;
		t->cap = cap;
	}
	t->at[t->n] = (struct io_fd){ .fd = fd };
	return &t->at[t->n++];
}

static void
fd_remove(struct rti_io_table *t, struct io_fd *f)
{
	*f = t->at[--t->n];
}

/* The running actor of `ctx` if it may use descriptors, else NULL. */
static rt_cell *
io_actor(rt_ctx *ctx)
{
	rt_cell *cell = ctx != NULL ? ctx->cell : NULL;

	if (cell == NULL || cell->cls == NULL || cell->cls->on_io == NULL)
		return NULL;
	return cell;
}

/* Put `w` in the set as `ev` says: a new record, or one to change. */
static int
io_register(struct rti_io *io, struct io_watch *w, int fd, bool made,
    struct epoll_event *ev)
{
	/* Relaxed: published with the arming (a release) or the kernel. */
	ck_pr_store_32(&w->kev, ev->events);
	if (epoll_ctl(io->epfd, made ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, ev) ==
	    0)
		return 0;
	/* The descriptor was closed and its number reused since it was
	 * first watched: this is a new file to the kernel. */
	if (!made && errno == ENOENT &&
	    epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, ev) == 0)
		return 0;
	return code_of(errno);
}

/* No envelope for a readiness pending at an arming: the watch stays in
 * the set, unarmed, its readiness kept for the caller's next try. */
static int
edge_unarm(struct io_watch *w)
{
	ck_pr_store_32(&w->want, 0);
	w->armed = false;
	return RT_ENOMEM;
}

/*
 * An edge-triggered arming (RT_IO_EDGE) of `w`, in the set already or
 * put there now. No system call once it is there: what the kernel has
 * reported since the last delivery is delivered at once.
 */
static int
watch_edge(rt_ctx *ctx, struct rti_io *io, struct rti_ext *x,
    struct io_watch *w, bool made, unsigned mask)
{
	struct report r = { ctx->cell, ctx->gen, w->fd, 0, true, w };
	uint32_t want;
	int rc;

	if (w->armed && w->edge) {
		/* Armed already: change what it waits for. A report taken
		 * meanwhile is on its way, with this arming's number. The
		 * CAS decides against a poller's (edge_fire). */
		want = ck_pr_load_32(&w->want);
		w->asked = mask;
		if (want == 0 || !ck_pr_cas_32(&w->want, want, mask))
			return 0;
		return edge_fire(ctx->sys, &r, mask) < 0 ? edge_unarm(w) : 0;
	}
	if (!w->edge) {
		struct epoll_event ev = {
			.events = EPOLLET | EPOLLIN | EPOLLOUT | EPOLLRDHUP,
			.data.u64 = report_data(w, true),
		};

		/* Readiness of a one-shot past is not kept: the kernel
		 * looks again as the descriptor goes in (or changes).
		 * Released with the fence below, before the kernel can
		 * report anything for the new registration. */
		ck_pr_store_32(&w->want, 0);
		ck_pr_store_32(&w->pending, 0);
		RT_TSAN_RELEASE(w);
		ck_pr_fence_store();
		if ((rc = io_register(io, w, w->fd, made, &ev)) != 0)
			return rc;
		w->edge = true;
	}
	w->asked = mask;
	w->armed = true;
	/* Before want is set: see edge_fire. Released by the exchange on
	 * want (a locked instruction; fenced for other models). */
	ck_pr_store_32(&w->seq, ++x->io_seq);
	ck_pr_fence_store_atomic();
	/* Then wait for it, and look at what is pending already (see
	 * edge_fire for the order). */
	ck_pr_fas_32(&w->want, mask);
	ck_pr_fence_atomic_load();
	return edge_fire(ctx->sys, &r, mask) < 0 ? edge_unarm(w) : 0;
}

int
rt_io_watch(rt_ctx *ctx, int fd, unsigned events)
{
	rt_cell *cell = io_actor(ctx);
	const unsigned all = RT_IO_READ | RT_IO_WRITE | RT_IO_HUP | RT_IO_ERR |
	    RT_IO_EDGE;
	unsigned mask = events & (RT_IO_READ | RT_IO_WRITE);
	struct rti_io *io;
	struct rti_ext *x;
	struct io_fd *f;
	struct io_watch *w;
	struct epoll_event ev;
	bool made = false;
	int rc = 0;

	if (cell == NULL || fd < 0 || (events & ~all) != 0 || mask == 0)
		return RT_EINVAL;
	io = io_get(cell->sys, &rc);
	if (io == NULL)
		return rc;
	x = rti_ext_get(cell);
	if (x == NULL)
		return RT_ENOMEM;
	f = fd_find(x->io, fd);
	if (f == NULL) {
		f = fd_add(x, fd);
		if (f == NULL)
			return RT_ENOMEM;
	}
	w = f->watch;
	if (w == NULL) {
		w = record_new(io);
		if (w == NULL) {
			rc = RT_ENOMEM;
			goto fail;
		}
		/* Relaxed: published with the arming below. */
		ck_pr_store_ptr(&w->cell, cell);
		ck_pr_store_64(&w->gen, ctx->gen);
		ck_pr_store_32((uint32_t *)&w->fd, (uint32_t)fd);
		w->edge = false;
		w->armed = false;
		made = true;
	}
	if (events & RT_IO_EDGE) {
		rc = watch_edge(ctx, io, x, w, made, mask);
	} else {
		/* One-shot: the kernel looks at the descriptor's level as
		 * it arms it, and reports once. Reports of an edge past
		 * then only add to pending (want 0: nobody delivers);
		 * released with the fence below. */
		ck_pr_store_32(&w->want, 0);
		w->edge = false;
		w->asked = mask;
		w->armed = true;
		ev.events = kevents_of(mask);
		ev.data.u64 = report_data(w, false);
		/* Release: the record and its arming number before the
		 * kernel can report it (pairs with the acquire in
		 * decode()). */
		RT_TSAN_RELEASE(w);
		ck_pr_fence_store();
		ck_pr_store_32(&w->seq, ++x->io_seq);
		rc = io_register(io, w, fd, made, &ev);
	}
	if (rc == 0 || w->edge) {
		/* In the set (an edge watch that could not deliver what
		 * was pending stays there, unarmed). */
		f->watch = w;
		return rc;
	}
	w->armed = false;
	if (!made) {
		/* Out of the set already: nothing may report it. */
		f->watch = NULL;
		unregister(cell->sys, w);
	}
fail:
	if (made)
		record_free(io, w);
	if (!f->owned && f->watch == NULL)
		fd_remove(x->io, f);
	return rc;
}

int
rt_io_unwatch(rt_ctx *ctx, int fd)
{
	rt_cell *cell = io_actor(ctx);
	struct io_fd *f;
	struct rti_io_table *t;

	if (cell == NULL || fd < 0)
		return RT_EINVAL;
	t = cell->ext != NULL ? cell->ext->io : NULL;
	f = fd_find(t, fd);
	if (f == NULL || f->watch == NULL)
		return RT_ENOENT;
	unregister(cell->sys, f->watch);
	f->watch = NULL;
	if (!f->owned)
		fd_remove(t, f);
	return 0;
}

int
rt_io_own(rt_ctx *ctx, int fd)
{
	rt_cell *cell = io_actor(ctx);
	struct rti_ext *x;
	struct io_fd *f;

	if (cell == NULL || fd < 0)
		return RT_EINVAL;
	if (fcntl(fd, F_GETFD) < 0)
		return RT_EBADF;
	x = rti_ext_get(cell);
	if (x == NULL)
		return RT_ENOMEM;
	f = fd_find(x->io, fd);
	if (f == NULL)
		f = fd_add(x, fd);
	if (f == NULL)
		return RT_ENOMEM;
	f->owned = true;
	return 0;
}

int
rt_io_close(rt_ctx *ctx, int fd)
{
	rt_cell *cell = io_actor(ctx);
	struct rti_io_table *t;
	struct io_fd *f;

	if (cell == NULL || fd < 0)
		return RT_EINVAL;
	t = cell->ext != NULL ? cell->ext->io : NULL;
	f = fd_find(t, fd);
	if (f != NULL) {
		if (f->watch != NULL)
			unregister(cell->sys, f->watch);
		fd_remove(t, f);
	}
	/* EINTR still closed it (Linux); only EBADF says it was not
	 * open. */
	if (close(fd) != 0 && errno == EBADF)
		return RT_EBADF;
	return 0;
}

int
rti_io_deliver(rt_cell *cell, rt_ctx *ctx, rt_env *env)
{
	const struct rti_io_msg *m = rt_env_payload(env);
	struct rti_io_table *t = cell->ext != NULL ? cell->ext->io : NULL;
	struct io_fd *f = fd_find(t, m->fd);
	struct io_watch *w = f != NULL ? f->watch : NULL;

	/* Only the latest arming's first report. The owner wrote seq: a
	 * plain read would do, the atomic is for the pollers' sake. */
	if (w == NULL || !w->armed || ck_pr_load_32(&w->seq) != m->seq)
		return 0;
	w->armed = false;
	return cell->cls->on_io(cell->state, ctx, m->fd,
	    m->events & (w->asked | RT_IO_HUP | RT_IO_ERR));
}

void
rti_io_exit(rt_cell *cell)
{
	struct rti_ext *x = cell->ext;
	struct rti_io_table *t = x != NULL ? x->io : NULL;
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		struct io_fd *f = &t->at[i];

		if (f->watch != NULL)
			unregister(cell->sys, f->watch);
		if (f->owned && close(f->fd) != 0 && errno == EBADF)
			rti_log(cell->sys, RT_LOG_WARN,
			    "%s: owned descriptor %d was closed already",
			    cell->cls != NULL ? cell->cls->name : "actor",
			    f->fd);
	}
	free(t->at);
	free(t);
	x->io = NULL;
}

void
rti_io_table_free(struct rti_io_table *t)
{
	/* Its records are the epoll set's, freed with it. */
	if (t == NULL)
		return;
	free(t->at);
	free(t);
}
