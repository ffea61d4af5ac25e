/* SPDX-License-Identifier: MIT */
/*
 * Crash reports (report.c): one line per crash through the log hook; and
 * one per message a traced actor handles (rt_trace).
 */
#ifndef RT_RUNTIME_REPORT_H
#define RT_RUNTIME_REPORT_H

#include <stdint.h>
#include <rt/system.h>

#include "cell.h"

/* rti_reason_text: an exit reason in words. */
const char *rti_reason_text(int reason);

/*
 * rti_crash_report: log one crash report for the actor in `cell` (its
 * run-token holder): its path or class, the reason, and the message in
 * hand (`tag` name, local tag and payload; NULL name: none).
 */
void rti_crash_report(rt_system *sys, rt_cell *cell, int reason,
    const char *tag, uint32_t ltag, const void *msg);

/*
 * rti_trace_report: log at RT_LOG_INFO that the traced actor in `cell`
 * (its run-token holder) handled a message (`tag` name, local tag and
 * payload, printed by the class's printer; NULL payload: the name only)
 * with result `rc` (rt_trace).
 */
void rti_trace_report(rt_system *sys, rt_cell *cell, int rc, const char *tag,
    uint32_t ltag, const void *msg);

#endif
