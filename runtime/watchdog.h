/* SPDX-License-Identifier: MIT */
/*
 * The watchdog of stuck handlers (rt_config.watchdog), in watchdog.c.
 */
#ifndef RT_RUNTIME_WATCHDOG_H
#define RT_RUNTIME_WATCHDOG_H

#include <rt/system.h>

/* rti_watchdog_start: start the system's watchdog thread if its config
 * asks for one (and it is not a test system). 0 or RT_ENOMEM. */
int rti_watchdog_start(rt_system *sys);

/* rti_watchdog_stop: stop and join it; harmless without one. Called by
 * one thread only (shutdown, under its lock, or free). */
void rti_watchdog_stop(rt_system *sys);

#endif
