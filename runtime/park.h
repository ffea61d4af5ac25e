/* SPDX-License-Identifier: MIT */
/*
 * Parking idle threads on a futex word, without a syscall when nobody sleeps.
 */
#ifndef RT_RUNTIME_PARK_H
#define RT_RUNTIME_PARK_H

#include <stdint.h>

/*
 * rti_futex_wait: sleep while *word == expected, until rti_futex_wake on the
 * same word, a signal, or `timeout_ns` (negative: no limit) has passed. May
 * return spuriously; callers re-check their condition.
 */
void rti_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns);

/* rti_futex_wake: wake up to `n` threads sleeping on `word`. */
void rti_futex_wake(uint32_t *word, int n);

#endif
