/* SPDX-License-Identifier: MIT */
/*
 * Durations. rt_duration is a signed count of nanoseconds, wide enough for
 * any timeout a program needs (292 years) and cheap to compare. Negative
 * values mean "no deadline" wherever a timeout is taken (RT_FOREVER).
 */
#ifndef RT_TIME_H
#define RT_TIME_H

#include <stdint.h>

typedef int64_t rt_duration;

#define RT_NS(n) ((rt_duration)(n))
#define RT_US(n) ((rt_duration)(n) * 1000)
#define RT_MS(n) ((rt_duration)(n) * 1000000)
#define RT_SEC(n) ((rt_duration)(n) * 1000000000)
#define RT_FOREVER ((rt_duration)-1)

#endif
