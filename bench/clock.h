/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/clock.h - the clock read around a timed region.
 *
 * lfence before rdtsc keeps earlier instructions from drifting into the
 * region; rdtscp would order too but costs about twice as much here (48
 * cycles against 26), and the reads are what every sample pays.
 */
#ifndef FL_CLOCK_H
#define FL_CLOCK_H

#include <stdint.h>

static inline uint64_t fl_clock_begin(void)
{
	__builtin_ia32_lfence();
	return __builtin_ia32_rdtsc();
}

static inline uint64_t fl_clock_end(void)
{
	__builtin_ia32_lfence();
	return __builtin_ia32_rdtsc();
}

/* TSC ticks per second, measured once against CLOCK_MONOTONIC. */
double fl_tsc_hz(void);

#endif
