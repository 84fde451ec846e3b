// SPDX-License-Identifier: GPL-2.0
/*
 * bench/measure/clock.c - the TSC frequency, measured once against CLOCK_MONOTONIC.
 *
 * The TSC is read on both sides of each clock_gettime() and the tightest of a
 * few brackets is kept, so a preemption between the two reads cannot skew an
 * endpoint; over a 25 ms window a 1 us bracket is an error of 40 ppm.
 */
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "bench/measure/clock.h"

#define FL_TSC_WINDOW_NS	25000000L
#define FL_TSC_TRIES		16

struct fl_tsc_point {
	uint64_t tsc;		/* middle of the bracket */
	int64_t ns;		/* CLOCK_MONOTONIC */
};

static pthread_once_t fl_tsc_once = PTHREAD_ONCE_INIT;
static double fl_tsc_hz_value;

static int64_t fl_ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Pair a TSC value with CLOCK_MONOTONIC, from the tightest of a few tries. */
static struct fl_tsc_point fl_tsc_point(void)
{
	struct fl_tsc_point best = { 0, 0 };
	uint64_t best_width = UINT64_MAX;
	int i;

	for (i = 0; i < FL_TSC_TRIES; i++) {
		struct timespec ts;
		uint64_t a, b;

		a = fl_clock_begin();
		clock_gettime(CLOCK_MONOTONIC, &ts);
		b = fl_clock_end();
		if (b - a >= best_width)
			continue;
		best_width = b - a;
		best.tsc = a + (b - a) / 2;
		best.ns = fl_ts_ns(&ts);
	}
	return best;
}

static void fl_tsc_measure(void)
{
	struct timespec window = { 0, FL_TSC_WINDOW_NS };
	struct fl_tsc_point p0, p1;

	p0 = fl_tsc_point();
	/* Sleeping is fine: the TSC is invariant on every CPU we target. */
	while (nanosleep(&window, &window))
		;
	p1 = fl_tsc_point();
	fl_tsc_hz_value = (double)(p1.tsc - p0.tsc) * 1e9 / (double)(p1.ns - p0.ns);
}

double fl_tsc_hz(void)
{
	pthread_once(&fl_tsc_once, fl_tsc_measure);
	return fl_tsc_hz_value;
}
