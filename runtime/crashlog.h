/* SPDX-License-Identifier: MIT */
/*
 * The last crash reports of a system (crashlog.c), kept for the observer's
 * /api/crashes: a small ring of the lines rti_crash_report formats.
 */
#ifndef RT_RUNTIME_CRASHLOG_H
#define RT_RUNTIME_CRASHLOG_H

#include <stdio.h>
#include <rt/system.h>

/* How many reports are kept: the newest, the others are forgotten. */
#define RTI_CRASHLOG_KEEP 32

/*
 * rti_crashlog_put: keep a copy of crash report `line`, forgetting the
 * oldest kept when there are RTI_CRASHLOG_KEEP. Any thread; takes the
 * ring's lock for an instant. Nothing is kept for lack of memory.
 */
void rti_crashlog_put(rt_system *sys, const char *line);

/*
 * rti_crashlog_write_json: write the kept reports to `out`, oldest first,
 * as {"total": N, "crashes": [{"seq": S, "time_ms": T, "line": "..."}]}
 * (total: reports ever kept; seq: the report's number, from 1; time_ms:
 * when it was kept, in milliseconds since the Unix epoch). Copies them
 * under the lock, writes after. Returns 0 or RT_ENOMEM (write errors are
 * left in the stream).
 */
int rti_crashlog_write_json(rt_system *sys, FILE *out);

/* rti_crashlog_free: at rt_system_free. */
void rti_crashlog_free(rt_system *sys);

#endif
