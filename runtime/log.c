/* SPDX-License-Identifier: MIT */
/*
 * rti_log: format one line and hand it to the system's log hook. Lines are
 * formatted into a stack buffer so that logging never allocates, and written
 * to stderr with a single call so lines from different workers do not mix.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "system_int.h"

bool
rti_logs(const rt_system *sys, rt_log_level level)
{
	return sys == NULL || (int)level <= (int)sys->cfg.log_level;
}

/* A line already known to be logged at `level`. */
static void
emit(rt_system *sys, rt_log_level level, const char *line)
{
	if (sys != NULL && sys->cfg.log != NULL) {
		sys->cfg.log(sys->cfg.log_user, level, line);
		return;
	}
	fprintf(stderr, "rt: %s\n", line);
}

void
rti_log(rt_system *sys, rt_log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!rti_logs(sys, level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(sys, level, line);
}

void
rti_log_line(rt_system *sys, rt_log_level level, const char *line)
{
	if (rti_logs(sys, level))
		emit(sys, level, line);
}
