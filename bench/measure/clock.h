/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/clock.h - the clock read around a timed region.
 *
 * One fence per region.  The start stamp is the kernel's rdtsc_ordered(),
 * lfence then rdtsc, so nothing issued before the region is charged to it.
 * The end stamp is a bare rdtsc, which may be taken while the region's last
 * few instructions are still in flight: an error bounded by the out-of-order
 * window, the same for old and new, and small against the regions measured
 * (thousands of cycles).  Fencing both ends costs two TSC steps here (52
 * cycles: the TSC advances in steps of 26 on this machine), one fence costs
 * one (26); faultline doctor measures and stores which.
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
	/* a compiler barrier keeps the region's code above the read */
	__asm__ __volatile__("" ::: "memory");
	return __builtin_ia32_rdtsc();
}

/* TSC ticks per second, measured once against CLOCK_MONOTONIC. */
double fl_tsc_hz(void);

#endif
