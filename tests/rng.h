/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/rng.h - synthetic data for the statistics tests: a seeded splitmix64
 * (set rng_state before each series, so every run draws the same numbers),
 * uniform deviates in (0, 1), and normal ones by Box-Muller.
 */
#ifndef FL_TESTS_RNG_H
#define FL_TESTS_RNG_H

#include <math.h>
#include <stdint.h>

#include "bench/analysis/stats.h"

static uint64_t rng_state;

static inline double uniform(void)
{
	uint64_t z = fl_splitmix64(&rng_state);

	return ((z >> 11) + 0.5) / 9007199254740992.0;
}

static inline double normal(double mean, double sd)
{
	return mean + sd * sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

#endif
