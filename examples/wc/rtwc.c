/* SPDX-License-Identifier: MIT */
/*
 * rtwc [-j WORKERS] FILE...: print the newline, word and byte counts of each
 * FILE and a total, like wc(1), counting several files at once with a pool
 * of actors (see wc.rtp). Results are printed as files finish, so their
 * order may differ from the command line's; the total comes last. Which
 * worker counted how many files goes to stderr.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wc.rtp.h"

/* Written by the dispatcher's on_stop, read by main after rt_system_wait. */
static unsigned failed_files;

/* --- Counter ------------------------------------------------------------- */

int
wc_Counter_on_start(wc_Counter *self, rt_ctx *ctx, const wc_Counter_args *args)
{
	(void)ctx;
	self->id = args->id;
	self->boss = args->boss;
	return 0;
}

int
wc_Counter_on_Count(wc_Counter *self, rt_ctx *ctx, const wc_Count *msg)
{
	wc_Counted r = { .index = msg->index, .path = msg->path };
	unsigned char buf[65536];
	int in_word = 0;
	size_t n, i;
	FILE *f;

	r.worker = wc_Counter_self(ctx);
	f = fopen(msg->path, "rb");
	if (f == NULL) {
		r.error = errno;
		return wc_Dispatcher_send_Counted(self->boss, &r);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		r.bytes += n;
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n')
				r.lines++;
			/* As wc(1) in the C locale: a word is a run of
			 * printable characters between white space; other
			 * bytes neither start nor end one. */
			if (isspace(buf[i])) {
				in_word = 0;
			} else if (isprint(buf[i]) && !in_word) {
				in_word = 1;
				r.words++;
			}
		}
	}
	if (ferror(f))
		r.error = errno ? errno : EIO;
	fclose(f);
	self->files++;
	return wc_Dispatcher_send_Counted(self->boss, &r);
}

int
wc_Counter_on_Quit(wc_Counter *self, rt_ctx *ctx, const wc_Quit *msg)
{
	(void)self;
	(void)msg;
	rt_stop(ctx, RT_NORMAL);
	return 0;
}

void
wc_Counter_on_stop(wc_Counter *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	(void)reason;
	fprintf(stderr, "rtwc: worker %u counted %u file%s\n", self->id,
	    self->files, self->files == 1 ? "" : "s");
}

/* --- Dispatcher ---------------------------------------------------------- */

/* Hand the next file on the list to `worker`; false when none is left. */
static int
hand_out(wc_Dispatcher *self, wc_Counter_ref worker)
{
	const char *start = self->files + self->cursor;
	const char *end;
	wc_Count job;
	char *path;
	int rc;

	if (*start == '\0')
		return 0;
	end = strchr(start, '\n');
	if (end == NULL)
		end = start + strlen(start);
	self->cursor = (uint64_t)(end - self->files) + (*end == '\n');
	/* The send copies the path, so a temporary copy is enough. */
	path = strndup(start, (size_t)(end - start));
	if (path == NULL)
		return -1;
	job.index = self->next_index++;
	job.path = path;
	rc = wc_Counter_send_Count(worker, &job);
	free(path);
	if (rc != 0)
		return rc;
	self->outstanding++;
	return 1;
}

int
wc_Dispatcher_on_start(wc_Dispatcher *self, rt_ctx *ctx,
    const wc_Dispatcher_args *args)
{
	wc_Counter_args wa;
	unsigned i;

	/* The arguments live only as long as this call: keep a copy. */
	self->files = strdup(args->files);
	if (self->files == NULL)
		return RT_ENOMEM;
	wa.boss = wc_Dispatcher_self(ctx);
	for (i = 0; i < args->workers; i++) {
		wc_Counter_ref w;
		int rc;

		wa.id = i;
		rc = wc_Counter_spawn(rt_ctx_system(ctx), &wa, &w);
		if (rc != 0)
			return rc;
		rc = hand_out(self, w);
		if (rc < 0)
			return rc;
		if (rc == 0)
			wc_Counter_send_Quit(w, NULL);
	}
	if (self->outstanding == 0)
		rt_stop(ctx, RT_NORMAL);
	return 0;
}

int
wc_Dispatcher_on_Counted(wc_Dispatcher *self, rt_ctx *ctx,
    const wc_Counted *msg)
{
	int rc;

	self->outstanding--;
	if (msg->error != 0) {
		fprintf(stderr, "rtwc: %s: %s\n", msg->path,
		    strerror(msg->error));
		self->failures++;
	} else {
		printf("%7llu %7llu %7llu %s\n", (unsigned long long)msg->lines,
		    (unsigned long long)msg->words,
		    (unsigned long long)msg->bytes, msg->path);
		self->lines += msg->lines;
		self->words += msg->words;
		self->bytes += msg->bytes;
	}
	rc = hand_out(self, msg->worker);
	if (rc < 0)
		return rc;
	if (rc == 0)
		wc_Counter_send_Quit(msg->worker, NULL);
	if (self->outstanding == 0) {
		printf("%7llu %7llu %7llu total\n",
		    (unsigned long long)self->lines,
		    (unsigned long long)self->words,
		    (unsigned long long)self->bytes);
		rt_stop(ctx, RT_NORMAL);
	}
	return 0;
}

void
wc_Dispatcher_on_stop(wc_Dispatcher *self, rt_ctx *ctx, int reason)
{
	(void)ctx;
	if (reason != RT_NORMAL)
		fprintf(stderr, "rtwc: dispatcher stopped: %s\n",
		    rt_strerror(reason));
	failed_files = self->failures + (reason != RT_NORMAL);
	free((char *)self->files);
}

/* --- main ---------------------------------------------------------------- */

static void
usage(FILE *to)
{
	fprintf(to, "usage: rtwc [-j WORKERS] FILE...\n");
}

int
main(int argc, char **argv)
{
	unsigned workers = 4;
	wc_Dispatcher_args args;
	size_t len = 1;
	char *list, *p;
	rt_system *sys;
	int i, first = 1, rc;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-j") == 0) {
		char *end;
		long j = strtol(argv[2], &end, 10);

		if (*end != '\0' || j < 1 || j > 1024) {
			fprintf(stderr,
			    "rtwc: -j wants a number from 1 to 1024\n");
			return 2;
		}
		workers = (unsigned)j;
		first = 3;
	}
	if (first >= argc) {
		usage(stderr);
		return 2;
	}
	for (i = first; i < argc; i++) {
		if (strchr(argv[i], '\n') != NULL) {
			fprintf(stderr,
			    "rtwc: file names with newlines are not supported\n");
			return 2;
		}
		len += strlen(argv[i]) + 1;
	}
	list = malloc(len);
	if (list == NULL)
		return 1;
	for (p = list, i = first; i < argc; i++)
		p += sprintf(p, "%s%s", argv[i], i + 1 < argc ? "\n" : "");
	*p = '\0';

	sys = rt_system_new(NULL);
	if (sys == NULL) {
		fprintf(stderr, "rtwc: cannot start the actor system\n");
		free(list);
		return 1;
	}
	args.workers = workers;
	args.files = list;
	rc = wc_Dispatcher_spawn(sys, &args, NULL);
	free(list); /* the spawn copied it */
	if (rc != 0) {
		fprintf(stderr, "rtwc: %s\n", rt_strerror(rc));
		rt_system_free(sys);
		return 1;
	}
	rt_system_wait(sys);
	rt_system_free(sys);
	return failed_files == 0 ? 0 : 1;
}
