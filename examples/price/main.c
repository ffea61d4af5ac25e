/* SPDX-License-Identifier: MIT */
/*
 * rtprice: a price service across nodes (see price.rtp), one program in
 * two roles, against a NATS server:
 *
 *   rtprice serve NODE [URL]          run a desk, exported as "prices",
 *                                     until SIGINT or SIGTERM
 *   rtprice ask NODE [URL] SYMBOL...  ask "prices" for each symbol, tell
 *                                     it that the first one moved, and
 *                                     ask again
 *
 * URL defaults to nats://127.0.0.1:4222. With two desks serving, the
 * answers come from both:
 *
 *   $ rtprice ask client AAPL MSFT ACME
 *   AAPL    123.45  (desk a, its answer 1)
 *   MSFT    ...
 */
#define _POSIX_C_SOURCE 200809L /* sigwait, pthread_sigmask */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rt/node.h>

#include "price.rtp.h"

static const char *desk_name; /* this node's name, for the answers */

static uint64_t
hash(const char *symbol)
{
	uint64_t h = 1469598103934665603u;

	for (const char *p = symbol; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return h;
}

/* A made-up price: the same for a symbol on every desk, but for the
 * last move this desk was told of. */
static int64_t
cents(const price_Desk *self, const char *symbol)
{
	uint64_t h = hash(symbol);

	return 1000 + (int64_t)(h % 99000) +
	    (h == self->moved_symbol ? self->moved : 0);
}

int
price_Desk_on_Quote(price_Desk *self, rt_ctx *ctx, const price_Quote *req,
    price_Price *reply)
{
	(void)ctx;
	if (req->symbol == NULL || req->symbol[0] == '\0')
		return rt_reply_error(ctx, RT_EINVAL);
	self->answered++;
	reply->symbol = req->symbol;
	reply->cents = cents(self, req->symbol);
	reply->desk = desk_name;
	reply->answered = self->answered;
	return 0;
}

int
price_Desk_on_Move(price_Desk *self, rt_ctx *ctx, const price_Move *msg)
{
	(void)ctx;
	if (msg->symbol == NULL)
		return 0; /* nothing moved */
	self->moved_symbol = hash(msg->symbol);
	self->moved = msg->cents;
	return 0;
}

static rt_node *
start(rt_system *sys, const char *name, const char *url)
{
	rt_node_config cfg = { .url = url, .name = name };

	desk_name = name;
	return rt_node_start(sys, &cfg);
}

static int
serve(rt_system *sys, rt_node *node)
{
	price_Service_ref svc;
	sigset_t set;
	int sig, rc;

	(void)node;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if ((rc = price_Service_start(sys, &svc)) != 0 ||
	    (rc = price_Desk_export(price_Service_desk(svc), "prices")) != 0) {
		fprintf(stderr, "rtprice: %s\n", rt_strerror(rc));
		return 1;
	}
	printf("desk %s serving \"prices\"\n", desk_name);
	fflush(stdout);
	sigwait(&set, &sig);
	return 0;
}

static int
ask(rt_system *sys, char **symbols, int n)
{
	price_Desk_ref desk;
	price_Price p;
	int rc, i;

	if ((rc = price_Desk_lookup(sys, "prices", &desk)) != 0) {
		fprintf(stderr, "rtprice: no desk serves \"prices\": %s\n",
		    rt_strerror(rc));
		return 1;
	}
	for (int round = 0; round < 2; round++) {
		for (i = 0; i < n; i++) {
			rc = price_Desk_call_Quote(sys, desk,
			    &(price_Quote){ symbols[i] }, &p, RT_SEC(2));
			if (rc != 0) {
				fprintf(stderr, "rtprice: %s: %s\n", symbols[i],
				    rt_strerror(rc));
				return 1;
			}
			printf(
			    "%-6s %7lld.%02lld  (desk %s, its answer %llu)\n",
			    p.symbol, (long long)(p.cents / 100),
			    (long long)(p.cents % 100), p.desk,
			    (unsigned long long)p.answered);
		}
		/* One desk hears of it: the next answers differ by desk. */
		if (round == 0 &&
		    price_Desk_send_Move(desk,
			&(price_Move){ symbols[0], 100 }) == 0)
			printf("-- %s moved up 1.00 on one desk\n", symbols[0]);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *url = "nats://127.0.0.1:4222";
	rt_system *sys;
	rt_node *node;
	int first = 3, rc;

	if (argc < 3 ||
	    (strcmp(argv[1], "serve") != 0 && strcmp(argv[1], "ask") != 0)) {
		fprintf(stderr,
		    "usage: rtprice serve NODE [URL]\n"
		    "       rtprice ask NODE [URL] SYMBOL...\n");
		return 2;
	}
	if (argc > 3 && strncmp(argv[3], "nats://", 7) == 0)
		url = argv[first++];
	if (strcmp(argv[1], "ask") == 0 && first >= argc) {
		fprintf(stderr, "rtprice: ask which symbols?\n");
		return 2;
	}
	sys = rt_system_new(NULL);
	if (sys == NULL)
		return 1;
	node = start(sys, argv[2], url);
	if (node == NULL) {
		rt_system_free(sys);
		return 1;
	}
	rc = strcmp(argv[1], "serve") == 0 ?
	    serve(sys, node) :
	    ask(sys, argv + first, argc - first);
	rt_node_stop(node);
	rt_system_shutdown(sys, RT_SEC(5));
	rt_system_free(sys);
	return rc;
}
