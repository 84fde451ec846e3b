/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/analysis/stats.h - what Google Benchmark's aggregates do not give: order
 * statistics, bootstrap intervals of ratios, and straight-line fits, computed
 * from the stored samples.  Repetition and per-run aggregates are Google
 * Benchmark's.
 */
#ifndef FL_STATS_H
#define FL_STATS_H

#include <stddef.h>
#include <stdint.h>

/* These return NAN (and set the fl_errmsg()) on empty or invalid input. */
double fl_mean(const double *x, size_t n);
double fl_stddev(const double *x, size_t n);	/* sample (n-1) */
double fl_cv(const double *x, size_t n);	/* stddev / mean */
double fl_median(const double *x, size_t n);
/* Linear interpolation between order statistics (type 7), q in [0,1]. */
double fl_quantile(const double *x, size_t n, double q);
double fl_min(const double *x, size_t n);
double fl_max(const double *x, size_t n);

struct fl_ci {
	double est, lo, hi;
};

/*
 * median(a) / median(b) with a percentile-bootstrap interval at confidence
 * conf (0.95), from iters resamples drawn with a fixed seed so that the same
 * samples always give the same interval.  -EINVAL on empty input.
 */
int fl_ratio_of_medians(const double *a, size_t na, const double *b, size_t nb,
			double conf, unsigned iters, uint64_t seed,
			struct fl_ci *out);

/*
 * The same, for values that come in groups: ga[i] (0, 1, ...) is the run
 * that measured a[i].  A resample then draws whole runs with replacement (a
 * cluster bootstrap), because the repetitions of one run share its luck
 * (memory placement, the machine's speed in that minute) and are not
 * independent: resampled one by one they give an interval as if the runs
 * had all agreed.  A side of one run, or ga NULL, is resampled value by
 * value.
 */
int fl_ratio_of_medians_by_run(const double *a, const int *ga, size_t na,
			       const double *b, const int *gb, size_t nb,
			       double conf, unsigned iters, uint64_t seed,
			       struct fl_ci *out);

/*
 * The median of x with a percentile-bootstrap interval (x resampled value by
 * value, fixed seed): for values that are independent of each other, such as
 * the ratios of pairs of runs.  -EINVAL on empty input.
 */
int fl_median_boot(const double *x, size_t n, double conf, unsigned iters, uint64_t seed,
		   struct fl_ci *out);

/*
 * splitmix64 (Steele, Lea, Flood 2014): small, fast, and enough for
 * resampling and permutations; and an index in [0, n) drawn from it.
 */
uint64_t fl_splitmix64(uint64_t *state);
size_t fl_draw_index(uint64_t *state, size_t n);

/*
 * The median of a resample of x (n values drawn with replacement into buf,
 * which holds n) from the splitmix64 stream at *state: one bootstrap draw,
 * for intervals of statistics this file does not compute.
 */
double fl_resampled_median(const double *x, size_t n, double *buf, uint64_t *state);

/* The p quantile of Student's t with df degrees of freedom: (0.975, 1) = 12.706. */
double fl_t_quantile(double p, double df);

struct fl_fit {
	double slope, intercept, r2;
	double slope_lo, slope_hi;	/* 95% interval (Student t) */
};

/* Least squares y = intercept + slope * x; -EINVAL for n < 3 or constant x. */
int fl_linfit(const double *x, const double *y, size_t n, struct fl_fit *f);

#endif
