/* SPDX-License-Identifier: MIT */
/*
 * The rtgen driver: the command line, then for every input file read,
 * parse, check and generate in memory (the files are loaded by the loader
 * of imports, so that a file both given and imported by another is read
 * once and its errors reported once); only when all inputs are clean are
 * the outputs written, each to a temporary file in the output directory,
 * and then renamed into place. A broken input therefore never leaves an
 * output file behind, new or half-written. `--diff` loads two files the
 * same way and compares them instead (diff.h).
 */
#include "rtgen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ast.h"
#include "deps.h"
#include "diff.h"
#include "emit_c.h"
#include "emit_dot.h"
#include "loader.h"

/* What rtgen makes of its inputs: C files, or text on stdout instead. */
enum mode {
	MODE_C,
	MODE_DOT,  /* --dot: a Graphviz picture of each input */
	MODE_DEPS, /* -M: the make rule of each input */
	MODE_DIFF, /* --diff: what changed from one version to another */
};

/* The option that chose each mode but MODE_C. */
static const char *const mode_option[] = { "", "--dot", "-M", "--diff" };

/* What the command line asks of every input. */
struct options {
	bool lines;          /* --no-lines clears it */
	bool werror;         /* -Werror */
	const char **search; /* -I DIR..., in order */
	size_t nsearch;
	loader *loader; /* the imported files of the whole run */
	enum mode mode;
};

struct output {
	char *path; /* DIR/x.rtp.h */
	char *tmp;  /* where it is written first */
	emit_buf text;
	const char *input;
};

static void
usage(FILE *f)
{
	fputs(
	    "Usage: rtgen [-o DIR] [-I DIR]... [-Werror] [--no-lines] "
	    "[--dot | -M]\n             FILE.rtp...\n"
	    "       rtgen --diff [-I DIR]... [-Werror] OLD.rtp NEW.rtp\n"
	    "Compile rt protocol files: for each FILE.rtp, write FILE.rtp.h "
	    "and FILE.rtp.c.\n\n"
	    "  -o DIR       write the generated files into DIR (default: the "
	    "current\n"
	    "               directory)\n"
	    "  -I DIR       look for included and imported files in DIR too "
	    "(after the\n"
	    "               directory of the file that names them)\n"
	    "  -Werror      make warnings errors (no output is written)\n"
	    "  --no-lines   leave out the #line directives that point into "
	    "the .rtp\n"
	    "  --dot        write a Graphviz picture of each protocol to "
	    "stdout instead\n"
	    "               (supervision trees, actors, topics, asks and "
	    "refs)\n"
	    "  -M           write make dependencies of the generated files to "
	    "stdout\n"
	    "               instead, like cc -M\n"
	    "  --diff       compare two versions of a protocol instead: one "
	    "line per\n"
	    "               change, saying whether it breaks the wire between "
	    "nodes\n"
	    "               built from them (breaks, compatible or local)\n"
	    "  --help       show this help and exit\n"
	    "  --version    show the version and exit\n\n"
	    "Exit status: 0 success, 1 errors in the input, 2 usage "
	    "error.\n"
	    "With --diff: 0 nothing breaks the wire, 1 a change breaks it, "
	    "2 errors in\n"
	    "an input or a usage error.\n",
	    f);
}

static char *
join(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *p = ast_xmalloc(la + lb + lc + 1);

	memcpy(p, a, la);
	memcpy(p + la, b, lb);
	memcpy(p + la + lb, c, lc + 1);
	return p;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Parse, check and generate one file; 0 and two outputs, or 1. */
static int
compile(const char *path, const char *dir, const struct options *o,
    struct output *h, struct output *c)
{
	const char *base = base_name(path);
	const ast_unit *unit = loader_load(o->loader, path);
	emit_c_opts opts;

	if (unit == NULL)
		return 1;
	if (o->mode != MODE_C) {
		/* Text for stdout, written once every input is clean. */
		h->input = path;
		if (o->mode == MODE_DOT)
			emit_dot(unit, path, &h->text);
		else
			deps_emit(unit, path, dir, &h->text);
	} else {
		h->input = c->input = path;
		h->path = join(dir, base, ".h");
		c->path = join(dir, base, ".c");
		opts.src_path = path;
		opts.h_name = base_name(h->path);
		opts.c_name = base_name(c->path);
		opts.lines = o->lines;
		emit_c(unit, &opts, &h->text, &c->text);
	}
	return 0;
}

/*
 * --diff OLD NEW: load both (errors are reported as usual, and are status
 * 2, as 1 means that a change breaks the wire) and write the changes.
 */
static int
diff(char **files, size_t nfiles, struct options *o, FILE *out, FILE *err)
{
	const ast_unit *older, *newer;
	emit_buf text = { 0 };
	int status = 2;

	if (nfiles != 2) {
		fputs("rtgen: --diff compares two files, OLD.rtp and NEW.rtp\n"
		      "Try 'rtgen --help' for more information.\n",
		    err);
		return 2;
	}
	o->loader = loader_new(err, o->werror, o->search, o->nsearch);
	loader_add_root(o->loader, files[0]);
	loader_add_root(o->loader, files[1]);
	older = loader_load(o->loader, files[0]);
	newer = loader_load(o->loader, files[1]);
	if (older != NULL && newer != NULL) {
		status = diff_units(older, files[0], newer, files[1], &text);
		if (text.len > 0)
			fwrite(text.data, 1, text.len, out);
	}
	emit_buf_free(&text);
	loader_free(o->loader);
	o->loader = NULL;
	return status;
}

/* Write o->text to a new temporary file beside o->path; 0 or -1. */
static int
write_tmp(struct output *o, FILE *err)
{
	size_t done = 0;
	int fd;

	o->tmp = ast_xmalloc(strlen(o->path) + 32);
	sprintf(o->tmp, "%s.tmp%ld", o->path, (long)getpid());
	fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0666);
	if (fd < 0) {
		fprintf(err, "%s: error: cannot create '%s': %s\n", o->input,
		    o->tmp, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	while (done < o->text.len) {
		ssize_t n = write(fd, o->text.data + done, o->text.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(err, "%s: error: cannot write '%s': %s\n",
			    o->input, o->tmp,
			    n < 0 ? strerror(errno) : "short write");
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	if (close(fd) != 0) {
		fprintf(err, "%s: error: cannot write '%s': %s\n", o->input,
		    o->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

/* Write every output, all or (as far as the file system lets us) none. */
static int
write_all(struct output *outs, size_t n, FILE *err)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(outs[i].path, outs[j].path) == 0) {
				fprintf(err,
				    "rtgen: error: '%s' and '%s' "
				    "would both write '%s'\n",
				    outs[j].input, outs[i].input, outs[i].path);
				return 1;
			}
	for (i = 0; i < n; i++)
		if (write_tmp(&outs[i], err) != 0)
			goto fail;
	for (i = 0; i < n; i++) {
		if (rename(outs[i].tmp, outs[i].path) != 0) {
			fprintf(err,
			    "%s: error: cannot rename '%s' to '%s': "
			    "%s\n",
			    outs[i].input, outs[i].tmp, outs[i].path,
			    strerror(errno));
			goto fail;
		}
		free(outs[i].tmp);
		outs[i].tmp = NULL;
	}
	return 0;
fail:
	for (i = 0; i < n; i++)
		if (outs[i].tmp != NULL)
			unlink(outs[i].tmp);
	return 1;
}

int
rtgen_main(int argc, char **argv, FILE *out, FILE *err)
{
	const char *dir = NULL;
	char **files, *dirslash;
	struct output *outs;
	size_t nfiles = 0, i;
	struct options o = { .lines = true };
	bool options = true;
	int status = 0;

	files = ast_xmalloc(((size_t)(argc > 0 ? argc : 1)) * sizeof(*files));
	o.search = ast_xmalloc(((size_t)(argc > 0 ? argc : 1)) *
	    sizeof(*o.search));
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];

		if (!options || a[0] != '-' || a[1] == '\0') {
			files[nfiles++] = argv[i];
		} else if (strcmp(a, "--") == 0) {
			options = false;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(out);
			free(files);
			free(o.search);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			fputs("rtgen " RTGEN_VERSION "\n", out);
			free(files);
			free(o.search);
			return 0;
		} else if (strcmp(a, "--no-lines") == 0) {
			o.lines = false;
		} else if (strcmp(a, "-Werror") == 0) {
			o.werror = true;
		} else if (strcmp(a, "--dot") == 0 || strcmp(a, "-M") == 0 ||
		    strcmp(a, "--diff") == 0) {
			enum mode m = MODE_DIFF;

			if (strcmp(a, "-M") == 0)
				m = MODE_DEPS;
			else if (strcmp(a, "--dot") == 0)
				m = MODE_DOT;
			if (o.mode != MODE_C && o.mode != m) {
				fprintf(err,
				    "rtgen: options '%s' and '%s' cannot "
				    "be combined\nTry 'rtgen --help' for more "
				    "information.\n",
				    mode_option[o.mode], a);
				free(files);
				free(o.search);
				return 2;
			}
			o.mode = m;
		} else if (strcmp(a, "-o") == 0) {
			if (i + 1 == (size_t)argc) {
				fputs("rtgen: option '-o' needs a directory\n"
				      "Try 'rtgen --help' for more "
				      "information.\n",
				    err);
				free(files);
				free(o.search);
				return 2;
			}
			dir = argv[++i];
		} else if (strncmp(a, "-o", 2) == 0) {
			dir = a + 2;
		} else if (strcmp(a, "-I") == 0) {
			if (i + 1 == (size_t)argc) {
				fputs("rtgen: option '-I' needs a directory\n"
				      "Try 'rtgen --help' for more "
				      "information.\n",
				    err);
				free(files);
				free(o.search);
				return 2;
			}
			o.search[o.nsearch++] = argv[++i];
		} else if (strncmp(a, "-I", 2) == 0 && a[2] != '\0') {
			o.search[o.nsearch++] = a + 2;
		} else {
			fprintf(err,
			    "rtgen: unknown option '%s'\nTry 'rtgen "
			    "--help' for more information.\n",
			    a);
			free(files);
			free(o.search);
			return 2;
		}
	}
	if (nfiles == 0) {
		fputs("rtgen: no input files\nUsage: rtgen [-o DIR] "
		      "[-I DIR]... [-Werror] [--no-lines] [--dot | -M] "
		      "FILE.rtp...\n",
		    err);
		free(files);
		free(o.search);
		return 2;
	}
	if (o.mode == MODE_DIFF) {
		status = diff(files, nfiles, &o, out, err);
		free(files);
		free(o.search);
		return status;
	}
	if (dir == NULL || *dir == '\0')
		dirslash = ast_xstrdup("");
	else
		dirslash = join(dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
		    "");
	outs = ast_xmalloc(2 * nfiles * sizeof(*outs));
	o.loader = loader_new(err, o.werror, o.search, o.nsearch);
	for (i = 0; i < nfiles; i++)
		loader_add_root(o.loader, files[i]);
	for (i = 0; i < nfiles; i++)
		if (compile(files[i], dirslash, &o, &outs[2 * i],
			&outs[2 * i + 1]) != 0)
			status = 1;
	if (status == 0 && o.mode != MODE_C)
		for (i = 0; i < nfiles; i++)
			fwrite(outs[2 * i].text.data, 1, outs[2 * i].text.len,
			    out);
	else if (status == 0)
		status = write_all(outs, 2 * nfiles, err);
	for (i = 0; i < 2 * nfiles; i++) {
		free(outs[i].path);
		free(outs[i].tmp);
		emit_buf_free(&outs[i].text);
	}
	free(outs);
	loader_free(o.loader);
	free(dirslash);
	free(files);
	free(o.search);
	return status;
}
