/* SPDX-License-Identifier: MIT */
/*
 * Files and runs for the tests that drive rtgen whole (test_rtgen,
 * test_rtgen_tools): rtgen_main with captured output, reading and writing
 * files, fresh temporary directories (under $TMPDIR, else /tmp).
 */
#ifndef RT_TESTS_RTGEN_IO_H
#define RT_TESTS_RTGEN_IO_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtgen.h"

/* Run rtgen_main with args (NULL-terminated) in directory `cwd` (NULL: the
 * current one); capture stdout and stderr (the caller frees both). */
static inline int
run_in(const char *cwd, const char *const *args, char **out, char **err)
{
	char *argv[32], here[4096];
	size_t outlen = 0, errlen = 0;
	FILE *fo, *fe;
	int argc = 0, status;

	argv[argc++] = (char *)"rtgen";
	while (*args != NULL && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	if (getcwd(here, sizeof(here)) == NULL)
		return -1;
	if (cwd != NULL && chdir(cwd) != 0)
		return -1;
	fo = open_memstream(out, &outlen);
	fe = open_memstream(err, &errlen);
	status = rtgen_main(argc, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	if (chdir(here) != 0)
		return -1;
	return status;
}

/* A whole file, NUL-terminated, or NULL; its length in *len (may be NULL). */
static inline char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static inline void
spit(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return;
	fwrite(text, 1, len, f);
	fclose(f);
}

/* A fresh temporary directory (caller frees the name, removes it). */
static inline char *
tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char path[4096], *dir;

	snprintf(path, sizeof(path), "%s/rtgen-test.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	dir = strdup(path);
	if (dir != NULL && mkdtemp(dir) == NULL) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Entries of a directory but . and .., or -1. */
static inline int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static inline void
rmtree(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* RTGEN_UPDATE_GOLDEN=1: rewrite golden files instead of comparing. */
static inline bool
updating(void)
{
	const char *u = getenv("RTGEN_UPDATE_GOLDEN");

	return u != NULL && *u == '1';
}

#endif
