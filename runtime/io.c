/* SPDX-License-Identifier: MIT */
/*
 * Readiness of file descriptors, as messages (rt/io.h).
 *
 * Each system that watches anything has one epoll set, made on the first
 * watch, and a thread that waits on it (a test system has no thread: its
 * driving thread collects readiness when it runs out of work). Every
 * watch is EPOLLONESHOT, which is exactly rt_io_watch's promise: the
 * kernel reports a descriptor once and disarms it until the actor arms it
 * again, so nothing but the actor's own pace decides how much readiness
 * it gets. The poller turns each report into an envelope (RTI_ENV_IO)
 * pushed like any message, so it takes its place in the actor's order.
 *
 * What epoll points at for a descriptor is a watch record (struct
 * io_watch): the cell, the incarnation and the descriptor, which never
 * change, and the number of the latest arming. The envelope carries that
 * number; when the actor handles it, a readiness whose watch has since
 * been removed, re-armed or left behind by an earlier incarnation (a
 * supervised child restarts in place, under the same ref) does not match
 * and is dropped. The arming numbers come from the cell's extension and
 * never repeat, restarts included.
 *
 * A record leaves the epoll set when its watch is removed, but a report
 * the poller has already taken from the kernel may still name it, so it
 * is not freed then: it goes on the retired list, and the poller frees it
 * after the next epoll_wait that began after it was retired has been
 * dealt with (a report of a descriptor removed from the set can only come
 * from an epoll_wait that began before the removal). With one poller per
 * system, that is the whole of the reclamation scheme.
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

/* What epoll points at for one watched descriptor. */
struct io_watch {
	rt_cell *cell;  /* immutable: the owner */
	uint64_t gen;   /* immutable: its incarnation */
	int fd;         /* immutable */
	uint32_t seq;   /* atomic: the latest arming (owner writes, the
	                   poller reads) */
	uint32_t kev;   /* atomic: the epoll events of that arming */
	/* Owner only. */
	bool armed;     /* armed and its readiness not yet handled */
	unsigned asked; /* RT_IO_READ and RT_IO_WRITE asked for */
	struct io_watch *retired_next; /* on the retired list */
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

/* A system's epoll set and its poller. */
struct rti_io {
	rt_system *sys;
	int epfd;
	int evfd;       /* wakes the poller to stop */
	pthread_t thread;
	bool running;   /* thread created */
	uint32_t stop;  /* atomic: the poller must exit */
	struct io_watch *retired; /* atomic: Treiber stack, any owner
	                             pushes, the poller takes it whole */
};

/* Reports taken from the kernel at once. */
#define IO_EVENTS 256

/* --- the poller ---------------------------------------------------------- */

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
 * Queue one readiness of `w` to its actor. False when no envelope could
 * be had: the caller arms the descriptor again, so that the kernel
 * reports it again, and tries later.
 */
static bool
ready(rt_system *sys, struct io_watch *w, uint32_t ev)
{
	/* Acquire: pairs with the release before the arming's epoll_ctl
	 * (the kernel orders the two, TSan cannot see that). */
	uint32_t seq = ck_pr_load_32(&w->seq);
	bool counted;
	rt_env *env;
	struct rti_io_msg *m;

	ck_pr_fence_load();
	RT_TSAN_ACQUIRE(w);
	counted = rti_inflight_enter(sys, rti_sched_worker(sys));
	/* An incarnation that has stopped for good: its watches went with
	 * it (this report was taken just before), nothing to say. */
	if (rti_admit(sys, w->cell, w->gen) != 0) {
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
	env->cell = w->cell;
	env->gen = w->gen;
	m = rt_env_payload(env);
	m->fd = w->fd;
	m->events = events_of(ev);
	m->seq = seq;
	rti_sched_push(sys, w->cell, env);
	/* Counted once queued: a count that is seen says the readiness
	 * has its place in the actor's order (the tests rely on it). */
	rti_count(sys, sent, 1);
	rti_inflight_leave(sys, counted);
	return true;
}

/* Free a list of retired watches. */
static void
free_retired(struct io_watch *w)
{
	while (w != NULL) {
		struct io_watch *next = w->retired_next;

		free(w);
		w = next;
	}
}

/* Take the whole retired list (the poller's side). */
static struct io_watch *
take_retired(struct rti_io *io)
{
	struct io_watch *w = ck_pr_fas_ptr(&io->retired, NULL);

	/* Acquire: each owner's writes to its record come before its push
	 * (pairs with the release in retire()). */
	ck_pr_fence_atomic_load();
	RT_TSAN_ACQUIRE(&io->retired);
	return w;
}

/*
 * One turn: wait up to `timeout_ms` for readiness and queue it. Returns
 * how many reports were queued; sets *stop when told to exit.
 */
static unsigned
turn(struct rti_io *io, int timeout_ms, bool *stop)
{
	struct epoll_event ev[IO_EVENTS];
	struct io_watch *old = take_retired(io);
	unsigned queued = 0;
	bool lost = false;
	int i, n;

	n = epoll_wait(io->epfd, ev, IO_EVENTS, timeout_ms);
	for (i = 0; i < n; i++) {
		struct io_watch *w = ev[i].data.ptr;

		if (w == NULL) {
			uint64_t v;

			/* The stop signal. */
			if (read(io->evfd, &v, sizeof(v)) < 0)
				(void)0; /* already read: nothing to do */
			*stop = ck_pr_load_32(&io->stop) != 0;
			continue;
		}
		if (ready(io->sys, w, ev[i].events)) {
			queued++;
			continue;
		}
		/* Out of memory: have the kernel report it again. This may
		 * race with the owner arming it, which asks for at least as
		 * much; either way it stays armed until a report is queued.
		 * A failure means the owner removed the watch meanwhile. */
		{
			struct epoll_event again = {
				.events = ck_pr_load_32(&w->kev),
				.data.ptr = w,
			};

			(void)epoll_ctl(io->epfd, EPOLL_CTL_MOD, w->fd,
			    &again);
			lost = true;
		}
	}
	/* Nothing that epoll_wait returned names these any more. */
	free_retired(old);
	if (lost) {
		/* Give the allocator a moment rather than spin on it. */
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	return queued;
}

static void *
poller_main(void *arg)
{
	struct rti_io *io = arg;
	bool stop = false;

	while (!stop)
		(void)turn(io, -1, &stop);
	return NULL;
}

static void
io_free(struct rti_io *io)
{
	free_retired(take_retired(io));
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
io_new(rt_system *sys, int *rc)
{
	struct rti_io *io = calloc(1, sizeof(*io));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	if (io == NULL) {
		*rc = RT_ENOMEM;
		return NULL;
	}
	io->sys = sys;
	io->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (io->epfd < 0) {
		*rc = code_of(errno);
		free(io);
		return NULL;
	}
	io->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (io->evfd < 0) {
		*rc = code_of(errno);
		close(io->epfd);
		free(io);
		return NULL;
	}
	if (epoll_ctl(io->epfd, EPOLL_CTL_ADD, io->evfd, &ev) != 0) {
		*rc = code_of(errno);
		goto fail;
	}
	if (!sys->manual) {
		if (pthread_create(&io->thread, NULL, poller_main, io) != 0) {
			*rc = RT_ENOMEM;
			goto fail;
		}
		io->running = true;
	}
	return io;
fail:
	close(io->evfd);
	close(io->epfd);
	free(io);
	return NULL;
}

/* The system's epoll set, made on first use. */
static struct rti_io *
io_get(rt_system *sys, int *rc)
{
	/* Acquire: pairs with the release below. */
	struct rti_io *io = ck_pr_load_ptr(&sys->io);

	ck_pr_fence_load();
	if (io != NULL) {
		RT_TSAN_ACQUIRE(&sys->io);
		return io;
	}
	pthread_mutex_lock(&sys->lock);
	io = sys->io;
	if (io == NULL) {
		io = io_new(sys, rc);
		if (io != NULL) {
			/* Release: whoever finds the pointer finds the set
			 * made. */
			RT_TSAN_RELEASE(&sys->io);
			ck_pr_fence_store();
			ck_pr_store_ptr(&sys->io, io);
		}
	}
	pthread_mutex_unlock(&sys->lock);
	return io;
}

unsigned
rti_io_poll(rt_system *sys)
{
	struct rti_io *io = ck_pr_load_ptr(&sys->io);
	bool stop = false;

	/* The driving thread made it, if anyone did: no fence needed. */
	if (io == NULL)
		return 0;
	return turn(io, 0, &stop);
}

void
rti_io_stop(rt_system *sys)
{
	struct rti_io *io = sys->io;
	uint64_t one = 1;

	if (io == NULL)
		return;
	if (io->running) {
		ck_pr_store_32(&io->stop, 1);
		/* The write is what the poller waits for; the flag is read
		 * after the poller reads the eventfd, which orders them. */
		while (write(io->evfd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
		pthread_join(io->thread, NULL);
	}
	io_free(io);
	sys->io = NULL;
}

/* --- an incarnation's descriptors ------------------------------------- */

/* Put `w`, already out of the epoll set, on the list the poller frees. */
static void
retire(struct rti_io *io, struct io_watch *w)
{
	struct io_watch *head = ck_pr_load_ptr(&io->retired);

	do {
		w->retired_next = head;
		/* Release: the record's writes, its link included, before
		 * the poller takes and frees it. */
		RT_TSAN_RELEASE(&io->retired);
		ck_pr_fence_store_atomic();
	} while (!ck_pr_cas_ptr_value(&io->retired, head, w, &head));
}

/* Take `w` out of the epoll set and retire it. */
static void
unregister(rt_system *sys, struct io_watch *w)
{
	struct rti_io *io = sys->io;

	/* It may be gone already (the descriptor was closed): fine. */
	(void)epoll_ctl(io->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	if (sys->manual) {
		/* The driving thread is the poller, and it is not between
		 * an epoll_wait and the end of its reports now. */
		free(w);
		return;
	}
	retire(io, w);
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

int
rt_io_watch(rt_ctx *ctx, int fd, unsigned events)
{
	rt_cell *cell = io_actor(ctx);
	const unsigned all = RT_IO_READ | RT_IO_WRITE | RT_IO_HUP | RT_IO_ERR;
	struct rti_io *io;
	struct rti_ext *x;
	struct io_fd *f;
	struct io_watch *w;
	struct epoll_event ev;
	bool made = false;
	int rc = 0, op;

	if (cell == NULL || fd < 0 || (events & ~all) != 0 ||
	    (events & (RT_IO_READ | RT_IO_WRITE)) == 0)
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
		w = calloc(1, sizeof(*w));
		if (w == NULL) {
			rc = RT_ENOMEM;
			goto fail;
		}
		w->cell = cell;
		w->gen = ctx->gen;
		w->fd = fd;
		made = true;
	}
	w->asked = events & (RT_IO_READ | RT_IO_WRITE);
	w->armed = true;
	ev.events = kevents_of(w->asked);
	ev.data.ptr = w;
	/* Relaxed: published with the arming below. */
	ck_pr_store_32(&w->kev, ev.events);
	/* Release: the record and its arming number before the kernel can
	 * report it (pairs with the acquire in ready()). */
	RT_TSAN_RELEASE(w);
	ck_pr_fence_store();
	ck_pr_store_32(&w->seq, ++x->io_seq);
	op = made ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (epoll_ctl(io->epfd, op, fd, &ev) != 0) {
		int err = errno;

		/* The descriptor was closed and its number reused since it
		 * was first watched: this is a new file to the kernel. */
		if (op == EPOLL_CTL_MOD && err == ENOENT &&
		    epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
			return 0;
		if (op == EPOLL_CTL_MOD && err == ENOENT)
			err = errno;
		rc = code_of(err);
		w->armed = false;
		if (!made) {
			/* Out of the set already: nothing may report it. */
			f->watch = NULL;
			unregister(cell->sys, w);
		}
		goto fail;
	}
	f->watch = w;
	return 0;
fail:
	if (made)
		free(w);
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

	/* Only the latest arming's first report. */
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
	uint32_t i;

	if (t == NULL)
		return;
	/* The system is being freed: no poller runs any more. */
	for (i = 0; i < t->n; i++)
		free(t->at[i].watch);
	free(t->at);
	free(t);
}
