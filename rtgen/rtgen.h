/* SPDX-License-Identifier: MIT */
/*
 * The rtgen driver as a library function, so that the tests can run the
 * whole compiler in-process with their own streams. main.c only calls it.
 */
#ifndef RT_RTGEN_H
#define RT_RTGEN_H

#include <stdio.h>
#include <rt/version.h>

/* rtgen is versioned with the runtime it generates code for. */
#define RTGEN_VERSION RT_VERSION_STRING

/*
 * rtgen_main: run rtgen with the command line argv[0..argc) (argv[0] is
 * the program name), writing --help and --version to `out` and diagnostics
 * to `err`. For each FILE.rtp it writes DIR/FILE.rtp.h and DIR/FILE.rtp.c,
 * but only when every input is free of errors; outputs are written to
 * temporary files and renamed, so none is ever left half-written. Returns
 * the exit status: 0 success, 1 errors in the input (or a file that cannot
 * be read or written), 2 a usage error.
 */
int rtgen_main(int argc, char **argv, FILE *out, FILE *err);

#endif
