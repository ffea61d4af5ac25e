/* SPDX-License-Identifier: MIT */
/*
 * Crash reports: one line per crash through the log hook, naming the
 * actor by its path in its tree (or its class and ref), the reason, and
 * the message in hand as the class's generated printer shows it. The last
 * few are also kept for the observer (crashlog.c). And, the same way, the
 * lines of rt_trace: each message a traced actor handles, with its result.
 */
#include <stdio.h>
#include <string.h>

#include "bonds.h"
#include "cell.h"
#include "crashlog.h"
#include "log.h"
#include "probes.h"
#include "report.h"
#include "system_int.h"

const char *
rti_reason_text(int reason)
{
	return reason < 0 ? rt_strerror(reason) : "handler error";
}

static const char *
name_of(rt_cell *cell, char *buf, size_t len)
{
	struct rti_ext *x = cell->ext;

	if (x != NULL && x->path != NULL)
		return x->path;
	snprintf(buf, len, "%s <%p:%llu>", cell->cls->name, (void *)cell,
	    (unsigned long long)cell->live_gen);
	return buf;
}

/* A report's longest line; a longer one ends in "...". */
#define REPORT_MAX 1024

/*
 * A report is written into a line on the stack through a FILE, for the
 * generated printers: no buffer to allocate and grow (open_memstream's
 * cost most of a restart). line_end closes it and marks a cut line.
 */
static void
line_end(FILE *f, char *line, size_t size)
{
	fclose(f);
	line[size - 1] = 0;
	if (strlen(line) == size - 1)
		memcpy(line + size - 4, "...", 3);
}

void
rti_crash_report(rt_system *sys, rt_cell *cell, int reason, const char *tag,
    uint32_t ltag, const void *msg)
{
	const rt_actor_class *cls = cell->cls;
	struct rti_ext *x = cell->ext;
	char buf[128], line[REPORT_MAX];
	const char *who;
	FILE *f;

	if (RTI_PROBE_ON(crash))
		rti_probe_crash(cell, reason, tag);
	if (!rti_logs(sys, RT_LOG_ERROR))
		return;
	who = name_of(cell, buf, sizeof(buf));
	f = fmemopen(line, sizeof(line), "w");
	if (f == NULL) {
		rti_log(sys, RT_LOG_ERROR, "crash: %s: %s (%d)", who,
		    rti_reason_text(reason), reason);
		return;
	}
	fprintf(f, "crash: %s (%s) %s: %s (%d)", who, cls->name,
	    (cell->flags & RTI_CELL_STARTED) ? "crashed" : "failed to start",
	    rti_reason_text(reason), reason);
	if (tag != NULL) {
		fprintf(f, " while handling %s", tag);
		if (msg != NULL && cls->print != NULL) {
			fputc(' ', f);
			cls->print(f, ltag, msg);
		}
	}
	if (x != NULL && !rt_ref_is_null(x->parent))
		fprintf(f, "; restarts so far: %u", x->restarts);
	line_end(f, line, sizeof(line));
	rti_log_line(sys, RT_LOG_ERROR, line);
	/* Kept for the observer's page (after the hook: a report reaches
	 * the log first). */
	rti_crashlog_put(sys, line);
}

void
rti_trace_report(rt_system *sys, rt_cell *cell, int rc, const char *tag,
    uint32_t ltag, const void *msg)
{
	const rt_actor_class *cls = cell->cls;
	char buf[128], line[REPORT_MAX];
	const char *who;
	FILE *f;

	if (!rti_logs(sys, RT_LOG_INFO))
		return;
	who = name_of(cell, buf, sizeof(buf));
	f = fmemopen(line, sizeof(line), "w");
	if (f == NULL) {
		rti_log(sys, RT_LOG_INFO, "trace: %s handled %s -> %d", who,
		    tag, rc);
		return;
	}
	fprintf(f, "trace: %s (%s) handled ", who, cls->name);
	/* The message as its class prints it, or its name. */
	if (msg != NULL && cls->print != NULL)
		cls->print(f, ltag, msg);
	else
		fputs(tag, f);
	if (rc == 0)
		fputs(" -> 0", f);
	else
		fprintf(f, " -> %d (%s)", rc, rti_reason_text(rc));
	line_end(f, line, sizeof(line));
	rti_log_line(sys, RT_LOG_INFO, line);
}
