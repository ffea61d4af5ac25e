/* SPDX-License-Identifier: MIT */
/*
 * rtkv: a key-value server that speaks the Redis protocol, built of rt
 * actors (kv.rtp says which, and how they are supervised).
 *
 * main reads the command line, opens the listening socket, starts the
 * supervision tree, fills its pools (the shards, then the listener),
 * starts the observer if --observer asks for it, and waits. SIGINT or
 * SIGTERM shut the system down in order (the listener, the connections,
 * the shards) and rtkv exits 0; a tree that gives up (too many crashes)
 * ends it with status 1, for whatever supervises the process to start it
 * again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "server.h"

#define DEFAULT_PORT 7379
#define DEFAULT_BIND "127.0.0.1"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rtkv [--port N] [--bind ADDR] [--shards N] "
	    "[--workers N] [--observer ADDR]\n"
	    "\n"
	    "A key-value server speaking the Redis protocol (RESP2), built "
	    "of rt actors.\n"
	    "\n"
	    "  --port N         listen on TCP port N (default %d; 0: a free "
	    "port, printed)\n"
	    "  --bind ADDR      listen on address ADDR (default %s)\n"
	    "  --shards N       keep the keys in N shards, an actor each, "
	    "1 to %d\n"
	    "                   (default: one per CPU)\n"
	    "  --workers N      run the actors on N worker threads, 1 to %d\n"
	    "                   (default: one per CPU)\n"
	    "  --observer ADDR  serve a live page of the actors, /metrics and "
	    "/api/tree\n"
	    "                   over HTTP on ADDR, HOST:PORT (e.g. "
	    "127.0.0.1:9373)\n"
	    "  -h, --help       print this and exit\n"
	    "\n"
	    "Commands: PING ECHO SET GET DEL EXISTS INCR MSET MGET, CONFIG "
	    "GET, QUIT.\n"
	    "Limits: an argument of at most %u MB (a longer one is refused "
	    "at its length);\n"
	    "a request of at most %u arguments and %u MB in all. A "
	    "connection stops\n"
	    "reading while %d of its commands are in flight or %u MB of "
	    "replies wait for\n"
	    "its client to read them.\n"
	    "Keys are kept in memory only: a shard that crashes is restarted "
	    "empty.\n",
	    DEFAULT_PORT, DEFAULT_BIND, KV_MAX_SHARDS, RT_MAX_WORKERS,
	    RESP_MAX_BULK >> 20, RESP_MAX_ARGS, RESP_MAX_REQUEST >> 20,
	    KV_MAX_INFLIGHT, KV_MAX_PENDING >> 20);
}

/* A whole decimal number in [lo, hi], or -1. */
static long
number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	return v;
}

/* The thread that waits for SIGINT and SIGTERM, blocked everywhere else. */
struct signals {
	rt_system *sys;
	sigset_t set;
	atomic_int sig; /* the signal that came, or 0 */
};

static void *
wait_signal(void *arg)
{
	struct signals *s = arg;
	int sig = 0;

	while (sigwait(&s->set, &sig) != 0)
		continue;
	atomic_store(&s->sig, sig);
	/* Stop the tree in order: the listener first, so that nothing new
	 * comes in, then the connections, then the shards. */
	(void)rt_system_shutdown(s->sys, RT_SEC(5));
	return NULL;
}

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "rtkv: %s: %s\n", what, rt_strerror(rc));
	return 1;
}

/* Start the tree and fill it; main's part of the work. */
static int
serve(rt_system *sys, struct kv_server *srv, int lfd)
{
	kv_Server_ref server;
	kv_Shards_ref shards;
	uint32_t i;
	int rc;

	if ((rc = kv_Server_start(sys, &server)) != 0)
		return fail("starting the server", rc);
	shards = kv_Server_shards(server);
	for (i = 0; i < srv->nshards; i++)
		if ((rc = kv_Shards_start_child(shards,
			 (&(kv_Shard_args){ .index = i }), &srv->shard[i])) !=
		    0)
			return fail("starting a shard", rc);
	/* The shard table is complete, and never changes again: the
	 * listener hands it to every connection. */
	if ((rc = kv_Front_start_child(kv_Server_front(server),
		 (&(kv_Listener_args){ .fd = lfd,
		     .conns = kv_Server_conns(server),
		     .server = srv }),
		 NULL)) != 0)
		return fail("starting the listener", rc);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "shards", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "observer", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bind = DEFAULT_BIND, *observe = NULL;
	long port = DEFAULT_PORT, nshards = sysconf(_SC_NPROCESSORS_ONLN);
	long workers = 0; /* the runtime's default: one per CPU */
	rt_config cfg;
	struct signals sg = { 0 };
	struct kv_server *srv;
	rt_observer *obs = NULL;
	struct rlimit rl;
	uint16_t bound;
	pthread_t waiter;
	rt_system *sys;
	int opt, lfd, rc, status;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if ((port = number(optarg, 0, 65535)) < 0) {
				fprintf(stderr,
				    "rtkv: --port: not a port "
				    "number: %s\n",
				    optarg);
				return 2;
			}
			break;
		case 'b':
			bind = optarg;
			break;
		case 's':
			if ((nshards = number(optarg, 1, KV_MAX_SHARDS)) < 0) {
				fprintf(stderr,
				    "rtkv: --shards: not a number "
				    "from 1 to %d: %s\n",
				    KV_MAX_SHARDS, optarg);
				return 2;
			}
			break;
		case 'w':
			if ((workers = number(optarg, 1, RT_MAX_WORKERS)) < 0) {
				fprintf(stderr,
				    "rtkv: --workers: not a number "
				    "from 1 to %d: %s\n",
				    RT_MAX_WORKERS, optarg);
				return 2;
			}
			break;
		case 'o':
			observe = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rtkv: unexpected argument: %s\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	if (nshards < 1)
		nshards = 1;
	if (nshards > KV_MAX_SHARDS)
		nshards = KV_MAX_SHARDS;

	kv_hash_init();
	/* A descriptor per client: take as many as we may, as Redis does
	 * (the soft limit is often 1024, the hard one much higher). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* SIGINT and SIGTERM are for the waiting thread alone: block them
	 * before any thread starts, so that every thread inherits the
	 * mask. A client gone while we write is an EPIPE, not a signal. */
	sigemptyset(&sg.set);
	sigaddset(&sg.set, SIGINT);
	sigaddset(&sg.set, SIGTERM);
	if ((errno = pthread_sigmask(SIG_BLOCK, &sg.set, NULL)) != 0 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		perror("rtkv: signals");
		return 1;
	}

	if ((rc = rt_net_listen_tcp(bind, (uint16_t)port, -1, &lfd, &bound)) !=
	    0) {
		fprintf(stderr, "rtkv: cannot listen on %s port %ld: %s\n",
		    bind, port, rt_strerror(rc));
		return 1;
	}
	srv = calloc(1, sizeof(*srv) + (size_t)nshards * sizeof(srv->shard[0]));
	if (srv == NULL) {
		close(lfd);
		return fail("starting", RT_ENOMEM);
	}
	srv->bind = bind;
	srv->port = bound;
	srv->nshards = (uint32_t)nshards;
	rt_config_init(&cfg);
	cfg.workers = (unsigned)workers;
	if ((sys = rt_system_new(&cfg)) == NULL) {
		close(lfd);
		free(srv);
		return fail("starting the actor system", RT_ENOMEM);
	}
	sg.sys = sys;
	if ((rc = pthread_create(&waiter, NULL, wait_signal, &sg)) != 0) {
		errno = rc;
		perror("rtkv: a thread for signals");
		rt_system_free(sys);
		close(lfd);
		free(srv);
		return 1;
	}

	status = serve(sys, srv, lfd);
	if (status == 0 && observe != NULL &&
	    (obs = rt_observer_start(sys, observe)) == NULL) {
		/* Why went to the log (stderr). */
		(void)rt_system_shutdown(sys, RT_SEC(5));
		status = 1;
	}
	if (obs != NULL)
		/* The address parsed: its host is before its last colon. */
		printf("rtkv: observer on http://%.*s:%u/\n",
		    (int)(strrchr(observe, ':') - observe), observe,
		    (unsigned)rt_observer_port(obs));
	if (status == 0) {
		printf("rtkv: listening on %s port %u, %ld shards, %u "
		       "workers, pid %ld\n",
		    bind, (unsigned)bound, nshards, rt_system_workers(sys),
		    (long)getpid());
		fflush(stdout);
		/* Until a signal has shut the system down, or the tree has
		 * given up. */
		(void)rt_system_wait(sys);
		if (atomic_load(&sg.sig) == 0) {
			fprintf(stderr,
			    "rtkv: the server's supervision tree "
			    "gave up\n");
			status = 1;
		}
	}
	/* Wake the waiting thread if no signal did. */
	if (atomic_load(&sg.sig) == 0)
		pthread_kill(waiter, SIGTERM);
	pthread_join(waiter, NULL);
	/* Before the system it reads is freed. */
	rt_observer_stop(obs);
	rt_system_free(sys);
	close(lfd);
	free(srv);
	if (status == 0)
		printf("rtkv: stopped\n");
	return status;
}
