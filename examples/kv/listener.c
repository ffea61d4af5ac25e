/* SPDX-License-Identifier: MIT */
/*
 * The Listener actor: it watches the listening socket, accepts what is
 * pending, and starts a Conn in the Conns pool for each connection.
 *
 * The socket is main's, not the Listener's: a Listener that crashes is
 * restarted by its supervisor and watches the same socket again, and the
 * connections that arrive meanwhile wait in the kernel's backlog. When
 * accepting fails for want of descriptors (or memory), the Listener stops
 * watching and tries again RETRY_AFTER later: watching again at once would
 * wake it for the same connection, in a loop, until a descriptor is free.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "server.h"

#define ACCEPTS_PER_EVENT 64
#define RETRY_AFTER RT_MS(100)

/* Accept what is pending (a bounded number at a time), then watch again. */
static int
accept_some(kv_Listener *self, rt_ctx *ctx)
{
	int i, fd, rc;

	for (i = 0; i < ACCEPTS_PER_EVENT; i++) {
		rc = rt_net_accept(self->fd, &fd);
		if (rc == RT_EAGAIN)
			break;
		if (rc != 0) {
			/* RT_EMFILE or RT_ENOMEM, most likely: the pending
			 * connections wait in the backlog. */
			if (!self->waiting)
				fprintf(stderr,
				    "rtkv: cannot accept a "
				    "connection (%s); trying again every "
				    "%d ms\n",
				    rt_strerror(rc),
				    (int)(RETRY_AFTER / RT_MS(1)));
			self->waiting = true;
			return kv_Listener_send_Retry_after(
			    kv_Listener_self(ctx), NULL, RETRY_AFTER, NULL);
		}
		rc = kv_Conns_start_child(self->conns,
		    (&(kv_Conn_args){ .fd = fd, .server = self->server }),
		    NULL);
		if (rc != 0)
			/* No Conn to own it (the pool is shutting down, or
			 * out of memory): the client sees it closed. */
			close(fd);
	}
	if (self->waiting)
		fprintf(stderr, "rtkv: accepting connections again\n");
	self->waiting = false;
	return rt_io_watch(ctx, self->fd, RT_IO_READ);
}

int
kv_Listener_on_start(kv_Listener *self, rt_ctx *ctx,
    const kv_Listener_args *args)
{
	self->fd = args->fd;
	self->conns = args->conns;
	self->server = args->server;
	return rt_io_watch(ctx, self->fd, RT_IO_READ);
}

int
kv_Listener_on_io(kv_Listener *self, rt_ctx *ctx, int fd, unsigned events)
{
	(void)fd;
	(void)events;
	return accept_some(self, ctx);
}

int
kv_Listener_on_Retry(kv_Listener *self, rt_ctx *ctx, const kv_Retry *msg)
{
	(void)msg;
	return accept_some(self, ctx);
}
