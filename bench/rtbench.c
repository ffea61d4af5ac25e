/* SPDX-License-Identifier: MIT */
/*
 * rtbench: rt's canonical workloads (BENCHMARKS.md), one line of results per
 * workload on stdout and nothing else:
 *
 *   rtbench [--workers N] [WORKLOAD [key=value...]]...
 *
 * With no workload, all run at their default sizes. Each workload checks its
 * own result and rtbench exits 1 if one is wrong, so a figure never comes
 * from a run that did not do the work. Time is measured with the monotonic
 * clock around the workload, after the system has started.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.rtp.h"

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- pingpong ------------------------------------------------------------ */

/* Hits counted by both players, added up in on_stop (read after wait). */
static uint64_t pingpong_hits;

int
bench_Player_on_Serve(bench_Player *self, rt_ctx *ctx, const bench_Serve *msg)
{
	bench_Ball ball = { .left = msg->rounds * 2 };

	(void)ctx;
	self->peer = msg->peer;
	/* rounds 0: only learn the peer; the other player serves. */
	return ball.left == 0 ? 0 : bench_Player_send_Ball(self->peer, &ball);
}

int
bench_Player_on_Ball(bench_Player *self, rt_ctx *ctx, const bench_Ball *msg)
{
	bench_Ball next = { .left = msg->left - 1 };

	self->hits++;
	if (next.left == 0) {
		rt_stop(ctx, RT_NORMAL);
		return bench_Player_send_Quit(self->peer, NULL);
	}
	return bench_Player_send_Ball(self->peer, &next);
}

int
bench_Player_on_Quit(bench_Player *self, rt_ctx *ctx, const bench_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

void
bench_Player_on_stop(bench_Player *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	(void)reason;
	pingpong_hits += self->hits;
}

typedef struct param {
	const char *key;
	uint64_t value;
} param;

static int
run_pingpong(rt_system *sys, const param *p, unsigned workers)
{
	uint64_t n = p[0].value;
	bench_Player_ref a, b;
	bench_Serve serve;
	double t0, t1;

	pingpong_hits = 0;
	if (bench_Player_spawn(sys, NULL, &a) != 0 ||
	    bench_Player_spawn(sys, NULL, &b) != 0)
		return 1;
	/* b learns its peer first; a's ball reaches b after that, since main
	 * sent b's Serve before a's. */
	t0 = now_sec();
	serve.peer = a;
	serve.rounds = 0;
	if (bench_Player_send_Serve(b, &serve) != 0)
		return 1;
	serve.peer = b;
	serve.rounds = n;
	if (bench_Player_send_Serve(a, &serve) != 0)
		return 1;
	rt_system_wait(sys);
	t1 = now_sec();
	if (pingpong_hits != 2 * n) {
		fprintf(stderr, "pingpong: %llu hits, want %llu\n",
		    (unsigned long long)pingpong_hits,
		    (unsigned long long)(2 * n));
		return 1;
	}
	printf("pingpong msgs=%llu seconds=%.3f ns_per_msg=%.1f workers=%u\n",
	    (unsigned long long)(2 * n), t1 - t0, (t1 - t0) * 1e9 / (2.0 * n),
	    workers);
	return 0;
}

/* --- driver -------------------------------------------------------------- */

#define MAX_PARAMS 4

typedef struct workload {
	const char *name;
	int (*run)(rt_system *sys, const param *p, unsigned workers);
	param defaults[MAX_PARAMS];
} workload;

static const workload workloads[] = {
	{ "pingpong", run_pingpong, { { "n", 1000000 } } },
};
#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

static const workload *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NWORKLOADS; i++)
		if (strcmp(workloads[i].name, name) == 0)
			return &workloads[i];
	return NULL;
}

static int
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: rtbench [--workers N] [WORKLOAD [key=value...]]...\n"
			"workloads:");
	for (i = 0; i < NWORKLOADS; i++)
		fprintf(stderr, " %s", workloads[i].name);
	fprintf(stderr, "\n");
	return 2;
}

static int
run_one(const workload *w, const param *p, unsigned workers)
{
	rt_config cfg;
	rt_system *sys;
	int rc;

	rt_config_init(&cfg);
	cfg.workers = workers;
	sys = rt_system_new(&cfg);
	if (sys == NULL) {
		fprintf(stderr, "rtbench: cannot start a system\n");
		return 1;
	}
	rc = w->run(sys, p, rt_system_workers(sys));
	rt_system_free(sys);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned workers = 0;
	int i = 1, failed = 0, ran = 0;

	if (i + 1 < argc && strcmp(argv[i], "--workers") == 0) {
		workers = (unsigned)strtoul(argv[i + 1], NULL, 10);
		if (workers == 0 || workers > RT_MAX_WORKERS)
			return usage();
		i += 2;
	}
	while (i < argc) {
		const workload *w = find(argv[i]);
		param p[MAX_PARAMS];

		if (w == NULL)
			return usage();
		memcpy(p, w->defaults, sizeof(p));
		for (i++; i < argc && strchr(argv[i], '=') != NULL; i++) {
			size_t k, len = strcspn(argv[i], "=");

			for (k = 0; k < MAX_PARAMS && p[k].key != NULL; k++)
				if (strlen(p[k].key) == len &&
				    strncmp(p[k].key, argv[i], len) == 0)
					break;
			if (k == MAX_PARAMS || p[k].key == NULL)
				return usage();
			p[k].value = strtoull(argv[i] + len + 1, NULL, 10);
			if (p[k].value == 0)
				return usage();
		}
		failed |= run_one(w, p, workers);
		ran = 1;
	}
	if (!ran) {
		size_t k;

		for (k = 0; k < NWORKLOADS; k++)
			failed |= run_one(&workloads[k], workloads[k].defaults,
			    workers);
	}
	return failed ? 1 : 0;
}
