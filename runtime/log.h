/* SPDX-License-Identifier: MIT */
/*
 * Runtime messages (crash reports and the like) go through the log hook of
 * rt_config, or to stderr when there is none.
 */
#ifndef RT_RUNTIME_LOG_H
#define RT_RUNTIME_LOG_H

#include <stdbool.h>
#include <rt/system.h>

/* Whether lines of `level` are logged (rt_config.log_level). */
bool rti_logs(const rt_system *sys, rt_log_level level);

void rti_log(rt_system *sys, rt_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* rti_log_line: hand a line already formatted to the hook (or stderr). */
void rti_log_line(rt_system *sys, rt_log_level level, const char *line);

#endif
