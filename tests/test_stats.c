// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_stats.c - known answers for bench/analysis/stats.c.  The reference numbers
 * for the t quantiles and the noisy fit were computed with mpmath at 30 digits.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bench/analysis/stats.h"

#define N_OF(a)	(sizeof(a) / sizeof((a)[0]))

static void assert_close(double got, double want, double tol)
{
	if (fabs(got - want) > tol)
		fail_msg("got %.15g, want %.15g (tolerance %g)", got, want, tol);
}

/* An interval exactly as computed by hand. */
static void assert_ci(const struct fl_ci *ci, double est, double lo, double hi)
{
	assert_close(ci->est, est, 0);
	assert_close(ci->lo, lo, 0);
	assert_close(ci->hi, hi, 0);
}

static void test_median(void **state)
{
	const double odd[] = { 5, 1, 3 };
	const double even[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	const double one[] = { 42 };

	assert_close(fl_median(odd, N_OF(odd)), 3, 0);
	assert_close(fl_median(even, N_OF(even)), 3.5, 0);	/* (3 + 4) / 2 */
	assert_close(fl_median(one, 1), 42, 0);
	assert_true(isnan(fl_median(even, 0)));
}

static void test_quantile(void **state)
{
	/* sorted: 1 1 2 3 4 5 6 9, h = 7 q */
	const double x[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	double copy[N_OF(x)];

	memcpy(copy, x, sizeof(x));
	assert_close(fl_quantile(x, N_OF(x), 0), 1, 0);
	assert_close(fl_quantile(x, N_OF(x), 1), 9, 0);
	assert_close(fl_quantile(x, N_OF(x), 0.25), 1.75, 1e-15);	/* h 1.75: 1 + .75 */
	assert_close(fl_quantile(x, N_OF(x), 0.9), 6.9, 1e-14);	/* h 6.3: 6 + .3 * 3 */
	assert_close(fl_quantile(x, N_OF(x), 0.5), 3.5, 0);
	/* the caller's order is kept */
	assert_memory_equal(copy, x, sizeof(x));
	assert_true(isnan(fl_quantile(x, N_OF(x), 1.5)));
	assert_true(isnan(fl_quantile(x, N_OF(x), -0.1)));
	assert_true(isnan(fl_quantile(NULL, 0, 0.5)));
}

static void test_moments(void **state)
{
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };	/* mean 5, sum of squares 32 */

	assert_close(fl_mean(x, N_OF(x)), 5, 0);
	assert_close(fl_stddev(x, N_OF(x)), sqrt(32.0 / 7), 1e-15);
	assert_close(fl_cv(x, N_OF(x)), sqrt(32.0 / 7) / 5, 1e-15);
	assert_close(fl_min(x, N_OF(x)), 2, 0);
	assert_close(fl_max(x, N_OF(x)), 9, 0);
	assert_true(isnan(fl_stddev(x, 1)));
	assert_true(isnan(fl_mean(x, 0)));
	assert_true(isnan(fl_min(x, 0)));
	assert_true(isnan(fl_max(NULL, 0)));
}

static void test_t_quantile(void **state)
{
	/* the classic two-sided 95% table */
	assert_close(fl_t_quantile(0.975, 1), 12.706, 5e-4);
	assert_close(fl_t_quantile(0.975, 2), 4.303, 5e-4);
	assert_close(fl_t_quantile(0.975, 5), 2.571, 5e-4);
	assert_close(fl_t_quantile(0.975, 30), 2.042, 5e-4);
	/* and to 1e-9 against mpmath */
	assert_close(fl_t_quantile(0.975, 1), 12.7062047361747, 1e-9);
	assert_close(fl_t_quantile(0.975, 2), 4.30265272974946, 1e-9);
	assert_close(fl_t_quantile(0.975, 3), 3.18244630528371, 1e-9);
	assert_close(fl_t_quantile(0.975, 5), 2.57058183563632, 1e-9);
	assert_close(fl_t_quantile(0.975, 10), 2.22813885198627, 1e-9);
	assert_close(fl_t_quantile(0.975, 30), 2.04227245630124, 1e-9);
	assert_close(fl_t_quantile(0.975, 100), 1.98397151852355, 1e-9);
	assert_close(fl_t_quantile(0.975, 1000), 1.96233908082641, 1e-9);
	assert_close(fl_t_quantile(0.995, 1), 63.6567411628716, 1e-8);
	assert_close(fl_t_quantile(0.995, 5), 4.03214298355523, 1e-9);
	assert_close(fl_t_quantile(0.9, 2), 1.88561808316413, 1e-9);
	assert_close(fl_t_quantile(0.9, 0.5), 10.2703244102345, 1e-8);
	/* symmetric about 0 */
	assert_close(fl_t_quantile(0.025, 5), -2.57058183563632, 1e-9);
	assert_close(fl_t_quantile(0.5, 7), 0, 1e-12);
	assert_true(isnan(fl_t_quantile(1, 5)));
	assert_true(isnan(fl_t_quantile(0.975, 0)));
}

static void test_linfit_exact(void **state)
{
	double x[10], y[10];
	struct fl_fit f;
	size_t i;

	for (i = 0; i < N_OF(x); i++) {
		x[i] = i;
		y[i] = 3 - 0.5 * i;
	}
	assert_int_equal(fl_linfit(x, y, N_OF(x), &f), 0);
	assert_close(f.slope, -0.5, 1e-15);
	assert_close(f.intercept, 3, 1e-15);
	assert_close(f.r2, 1, 1e-15);
	assert_true(f.slope_lo <= f.slope && f.slope <= f.slope_hi);
	assert_true(f.slope_hi - f.slope_lo < 1e-12);

	/* a flat line is an exact fit too */
	for (i = 0; i < N_OF(x); i++)
		y[i] = 7;
	assert_int_equal(fl_linfit(x, y, N_OF(x), &f), 0);
	assert_close(f.slope, 0, 0);
	assert_close(f.intercept, 7, 0);
	assert_close(f.r2, 1, 0);
}

static void test_linfit_noisy(void **state)
{
	const double x[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const double y[] = { 2.9, 5.2, 6.8, 9.4, 10.9, 13.1, 15.2, 16.8 };
	struct fl_fit f;

	assert_int_equal(fl_linfit(x, y, N_OF(x), &f), 0);
	/* mpmath: slope 1.99642857..., t(0.975, 6) = 2.44691185114497 */
	assert_close(f.slope, 1.99642857142857, 1e-12);
	assert_close(f.intercept, 1.05357142857143, 1e-12);
	assert_close(f.r2, 0.997983684236861, 1e-12);
	assert_close(f.slope_lo, 1.90678605740526, 1e-9);
	assert_close(f.slope_hi, 2.08607108545188, 1e-9);
}

static void test_linfit_invalid(void **state)
{
	const double x[] = { 4, 4, 4, 4 };
	const double y[] = { 1, 2, 3, 4 };
	struct fl_fit f;

	assert_int_equal(fl_linfit(y, x, 2, &f), -EINVAL);
	assert_int_equal(fl_linfit(x, y, N_OF(x), &f), -EINVAL);
	assert_int_equal(fl_linfit(NULL, y, 4, &f), -EINVAL);
}

static void test_ratio_constant(void **state)
{
	const double a[] = { 3, 3, 3, 3, 3 };
	const double b[] = { 2, 2, 2 };
	struct fl_ci ci;

	assert_int_equal(fl_ratio_of_medians(a, N_OF(a), b, N_OF(b), 0.95, 500, 1, &ci), 0);
	assert_ci(&ci, 1.5, 1.5, 1.5);
}

/*
 * Four runs a side, each tight around its own level: the runs of a side
 * disagree by +-4%.  Resampled value by value the interval is as narrow as
 * the runs are tight, and leaves 1 out; resampled by run it holds 1.  A
 * side of one run is resampled value by value, as without groups.
 */
static void test_ratio_by_run(void **state)
{
	static const double level_a[] = { 100, 104, 96, 100 }, level_b[] = { 103, 99, 107, 101 };
	double a[40], b[40];
	int ga[40], gb[40], one[40] = { 0 };
	struct fl_ci flat, runs, single;

	for (int i = 0; i < 40; i++) {
		ga[i] = gb[i] = i / 10;
		a[i] = level_a[i / 10] + 0.01 * (i % 10);
		b[i] = level_b[i / 10] + 0.01 * (i % 10);
	}
	assert_int_equal(fl_ratio_of_medians(b, 40, a, 40, 0.95, 2000, 5, &flat), 0);
	assert_int_equal(fl_ratio_of_medians_by_run(b, gb, 40, a, ga, 40, 0.95, 2000, 5, &runs),
			 0);
	assert_close(runs.est, flat.est, 0);
	assert_true(flat.lo > 1);
	assert_true(runs.lo < 1 && runs.hi > 1);
	assert_true(runs.hi - runs.lo > 2 * (flat.hi - flat.lo));
	/* one run a side: the same draws as without groups */
	assert_int_equal(fl_ratio_of_medians_by_run(b, one, 40, a, one, 40, 0.95, 2000, 5,
						    &single), 0);
	assert_close(single.lo, flat.lo, 0);
	assert_close(single.hi, flat.hi, 0);
}

static void test_ratio_invalid(void **state)
{
	const double a[] = { 1, 2, 3 };
	const double zero[] = { 0, 0, 1 };
	struct fl_ci ci;

	assert_int_equal(fl_ratio_of_medians(a, 0, a, 3, 0.95, 100, 1, &ci), -EINVAL);
	assert_int_equal(fl_ratio_of_medians(a, 3, a, 0, 0.95, 100, 1, &ci), -EINVAL);
	assert_int_equal(fl_ratio_of_medians(NULL, 3, a, 3, 0.95, 100, 1, &ci), -EINVAL);
	assert_int_equal(fl_ratio_of_medians(a, 3, a, 3, 1.0, 100, 1, &ci), -EINVAL);
	assert_int_equal(fl_ratio_of_medians(a, 3, a, 3, 0.95, 0, 1, &ci), -EINVAL);
	assert_int_equal(fl_ratio_of_medians(a, 3, zero, 3, 0.95, 100, 1, &ci), -EINVAL);
}

/*
 * With b constant the ratio is the resampled median of a = {1..5}, whose law
 * is exact: P(median = 1) = P(3+ of 5 draws are 1) = 0.0579, P(median <= 2) =
 * 0.3174.  So the 5th percentile is 1 and the 25th is 2 (symmetric above).
 */
static void test_ratio_percentiles(void **state)
{
	const double a[] = { 4, 1, 5, 3, 2 };
	const double b[] = { 1, 1, 1 };
	struct fl_ci ci;

	assert_int_equal(fl_ratio_of_medians(a, N_OF(a), b, N_OF(b), 0.90, 20000, 11, &ci), 0);
	assert_ci(&ci, 3, 1, 5);
	assert_int_equal(fl_ratio_of_medians(a, N_OF(a), b, N_OF(b), 0.50, 20000, 11, &ci), 0);
	assert_ci(&ci, 3, 2, 4);
}

/* Resamples of b whose median is 0 have no finite ratio: the interval opens. */
static void test_ratio_zero_denominator(void **state)
{
	const double a[] = { 1, 1, 1, 1, 1 };
	const double b[] = { 0, 0, 2, 2, 2 };
	struct fl_ci ci;

	assert_int_equal(fl_ratio_of_medians(a, N_OF(a), b, N_OF(b), 0.95, 1000, 3, &ci), 0);
	assert_close(ci.est, 0.5, 0);
	assert_close(ci.lo, 0.5, 0);
	assert_true(isinf(ci.hi) && ci.hi > 0);
}

/* The test's own generator (xorshift64*), independent of the one under test. */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static double uniform01(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((rng_state * 0x2545f4914f6cdd1dULL) >> 11) * 0x1.0p-53;
}

static void test_ratio_deterministic(void **state)
{
	double a[31], b[25], copy[31];
	struct fl_ci c1, c2, c3;
	size_t i;

	for (i = 0; i < N_OF(a); i++)
		a[i] = 10 + uniform01();
	for (i = 0; i < N_OF(b); i++)
		b[i] = 5 + uniform01();
	memcpy(copy, a, sizeof(a));
	assert_int_equal(fl_ratio_of_medians(a, N_OF(a), b, N_OF(b), 0.95, 1000, 7, &c1), 0);
	assert_int_equal(fl_ratio_of_medians(a, N_OF(a), b, N_OF(b), 0.95, 1000, 7, &c2), 0);
	assert_int_equal(fl_ratio_of_medians(a, N_OF(a), b, N_OF(b), 0.95, 1000, 8, &c3), 0);
	assert_memory_equal(&c1, &c2, sizeof(c1));
	assert_true(c1.lo != c3.lo || c1.hi != c3.hi);
	assert_close(c1.est, fl_median(a, N_OF(a)) / fl_median(b, N_OF(b)), 0);
	assert_true(c1.lo < c1.est && c1.est < c1.hi);
	assert_memory_equal(copy, a, sizeof(a));
}

/*
 * a ~ Exp(mean 2): median 2 ln 2; b ~ U(1, 3): median 2; true ratio ln 2.
 * The 95% interval should cover it in roughly 95% of 200 trials.
 */
static void test_ratio_coverage(void **state)
{
	const int trials = 200;
	double a[41], b[41];
	struct fl_ci ci;
	int t, covered = 0;
	size_t i;

	for (t = 0; t < trials; t++) {
		for (i = 0; i < N_OF(a); i++)
			a[i] = -2 * log1p(-uniform01());
		for (i = 0; i < N_OF(b); i++)
			b[i] = 1 + 2 * uniform01();
		assert_int_equal(fl_ratio_of_medians(a, N_OF(a), b, N_OF(b), 0.95, 1000, t, &ci),
				 0);
		assert_true(ci.lo <= ci.est && ci.est <= ci.hi);
		covered += ci.lo <= M_LN2 && M_LN2 <= ci.hi;
	}
	print_message("# coverage %d/%d\n", covered, trials);
	assert_in_range(covered, 180, 198);	/* 0.90 .. 0.99 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_quantile),
		cmocka_unit_test(test_moments),
		cmocka_unit_test(test_t_quantile),
		cmocka_unit_test(test_linfit_exact),
		cmocka_unit_test(test_linfit_noisy),
		cmocka_unit_test(test_linfit_invalid),
		cmocka_unit_test(test_ratio_constant),
		cmocka_unit_test(test_ratio_by_run),
		cmocka_unit_test(test_ratio_invalid),
		cmocka_unit_test(test_ratio_percentiles),
		cmocka_unit_test(test_ratio_zero_denominator),
		cmocka_unit_test(test_ratio_deterministic),
		cmocka_unit_test(test_ratio_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
