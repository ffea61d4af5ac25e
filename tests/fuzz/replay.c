/* SPDX-License-Identifier: MIT */
/*
 * A main() for the fuzz target without libFuzzer: `replay FILE|DIR...`
 * runs LLVMFuzzerTestOneInput on each file (a directory: on each file in
 * it, in name order), so the corpus is replayed by every build, sanitized
 * or not, with nothing but the C compiler. Exit status 0 when every input
 * ran (the target aborts on a broken promise, and the sanitizers stop the
 * program on a bug), 1 when a file cannot be read, 2 on a usage error.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, len = 0, got;
	uint8_t *buf, *exact;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	buf = malloc(cap);
	for (;;) {
		if (buf == NULL)
			abort();
		got = fread(buf + len, 1, cap - len, f);
		if (got == 0)
			break;
		len += got;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: cannot read\n", path);
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	/* Exactly `len` bytes, so that ASan sees any read past the input. */
	exact = malloc(len > 0 ? len : 1);
	if (exact == NULL)
		abort();
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int status = 0;

	if (d == NULL) {
		perror(dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap == 0 ? 64 : 2 * cap;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				abort();
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (names[n] == NULL)
			abort();
		sprintf(names[n], "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    run_file(names[i]) != 0)
			status = 1;
		free(names[i]);
	}
	free(names);
	return status;
}

int
main(int argc, char **argv)
{
	int i, status = 0;

	if (argc < 2) {
		fputs("usage: replay FILE|DIR...\n", stderr);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			status |= run_dir(argv[i]);
		else
			status |= run_file(argv[i]);
	}
	return status;
}
