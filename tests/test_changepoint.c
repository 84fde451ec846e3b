// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_changepoint.c - E-Divisive means on series with known steps:
 * the statistic by hand, one step, two steps, no step, and bad input.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bench/analysis/changepoint.h"
#include "tests/rng.h"

#define N_OF(a)	(sizeof(a) / sizeof((a)[0]))

static void fill(double *x, size_t from, size_t to, double mean, double sd)
{
	for (size_t i = from; i < to; i++)
		x[i] = normal(mean, sd);
}

/* A level held up to (not including) index end. */
struct level {
	size_t end;
	double mean;
};

/*
 * A series of len points at the given levels, each with noise sd, drawn from
 * seed; returns the changes the default options find there, at most max.
 */
static size_t find_steps(double *x, size_t len, const struct level *lv, size_t nlv,
			 double sd, unsigned seed, struct fl_changepoint *cp, size_t max)
{
	const struct fl_cp_opts o = FL_CP_OPTS_DEFAULT;
	size_t from = 0, n;

	rng_state = seed;
	for (size_t i = 0; i < nlv; from = lv[i++].end)
		fill(x, from, lv[i].end, lv[i].mean, sd);
	assert_int_equal(from, len);
	assert_int_equal(fl_edivisive(x, len, &o, cp, max, &n), 0);
	return n;
}

static void test_statistic_by_hand(void **state)
{
	/*
	 * tau = 3: B = 9 (nine pairs 0-1), L = R = 0: E = 2 * 9 / 9 = 2,
	 * q = 3 * 3 / 6 * 2 = 3.  tau = 2: B = 6, L = 0, R = 3 (three 0-1
	 * pairs): E = 12/8 - 6/12 = 1, q = 8/6.  The best split is at 3.
	 */
	const double x[] = { 0, 0, 0, 1, 1, 1 };
	size_t tau;

	assert_true(fabs(fl_edivisive_best(x, N_OF(x), 2, &tau) - 3) < 1e-12);
	assert_int_equal(tau, 3);
	/* Too short for two sides of min_size. */
	assert_true(fl_edivisive_best(x, N_OF(x), 4, &tau) < 0);
	assert_int_equal(tau, 0);
}

static void test_one_step(void **state)
{
	const struct level lv[] = { { 30, 100 }, { 60, 110 } };
	struct fl_changepoint cp[8];
	double x[60];

	assert_int_equal(find_steps(x, N_OF(x), lv, N_OF(lv), 1, 1, cp, N_OF(cp)), 1);
	assert_int_equal(cp[0].index, 30);
	/* Nothing of 199 permutations comes close: the smallest p there is. */
	assert_true(fabs(cp[0].p - 1.0 / 200) < 1e-12);
}

/* A small step (2 sd) in a longer, noisier series is still found, near its place. */
static void test_small_step(void **state)
{
	const struct level lv[] = { { 50, 100 }, { 80, 104 } };
	const struct fl_cp_opts o = FL_CP_OPTS_DEFAULT;
	struct fl_changepoint cp[8];
	double x[80];

	assert_int_equal(find_steps(x, N_OF(x), lv, N_OF(lv), 2, 7, cp, N_OF(cp)), 1);
	assert_true(cp[0].index >= 48 && cp[0].index <= 52);
	assert_true(cp[0].p <= o.alpha);
}

static void test_two_steps(void **state)
{
	const struct level lv[] = { { 25, 100 }, { 50, 110 }, { 75, 95 } };
	struct fl_changepoint cp[8];
	double x[75];

	assert_int_equal(find_steps(x, N_OF(x), lv, N_OF(lv), 1, 2, cp, N_OF(cp)), 2);
	/* In ascending order, whichever was found first. */
	assert_int_equal(cp[0].index, 25);
	assert_int_equal(cp[1].index, 50);
	/* max bounds the answer */
	assert_int_equal(find_steps(x, N_OF(x), lv, N_OF(lv), 1, 2, cp, 1), 1);
}

static void test_no_step(void **state)
{
	const struct level lv[] = { { 60, 100 } };
	const struct fl_cp_opts o = FL_CP_OPTS_DEFAULT;
	struct fl_changepoint cp[8];
	double x[60], flat[20];
	size_t n;

	assert_int_equal(find_steps(x, N_OF(x), lv, N_OF(lv), 1, 3, cp, N_OF(cp)), 0);

	for (size_t i = 0; i < N_OF(flat); i++)
		flat[i] = 42;
	assert_int_equal(fl_edivisive(flat, N_OF(flat), &o, cp, N_OF(cp), &n), 0);
	assert_int_equal(n, 0);

	/* Too short to split at all. */
	assert_int_equal(fl_edivisive(x, 5, &o, cp, N_OF(cp), &n), 0);
	assert_int_equal(n, 0);
}

/* One wild point is not a change of level. */
static void test_outlier_is_not_a_step(void **state)
{
	const struct level lv[] = { { 40, 100 } };
	const struct fl_cp_opts o = FL_CP_OPTS_DEFAULT;
	struct fl_changepoint cp[8];
	double x[40];
	size_t n;

	assert_int_equal(find_steps(x, N_OF(x), lv, N_OF(lv), 1, 4, cp, N_OF(cp)), 0);
	x[20] = 200;
	assert_int_equal(fl_edivisive(x, N_OF(x), &o, cp, N_OF(cp), &n), 0);
	assert_int_equal(n, 0);
}

/*
 * The method's error rates on 100 series each: pure noise rarely shows a
 * change (alpha is 0.01 per test), a 1.5 sd step a third of the way from the
 * end is nearly always found, and near its place.
 */
static void test_error_rates(void **state)
{
	const struct fl_cp_opts o = FL_CP_OPTS_DEFAULT;
	struct fl_changepoint cp[8];
	int false_alarms = 0, found = 0, placed = 0;
	double x[60];
	size_t n;

	for (int t = 0; t < 100; t++) {
		rng_state = 1000 + t;
		fill(x, 0, 60, 100, 1);
		assert_int_equal(fl_edivisive(x, N_OF(x), &o, cp, N_OF(cp), &n), 0);
		false_alarms += n > 0;
		for (size_t i = 40; i < 60; i++)
			x[i] += 1.5;
		assert_int_equal(fl_edivisive(x, N_OF(x), &o, cp, N_OF(cp), &n), 0);
		found += n > 0;
		placed += n == 1 && cp[0].index >= 38 && cp[0].index <= 42;
	}
	assert_in_range(false_alarms, 0, 3);
	assert_in_range(found, 90, 100);
	assert_in_range(placed, 70, 100);
}

static void test_deterministic(void **state)
{
	const struct level lv[] = { { 20, 100 }, { 40, 103 } };
	struct fl_changepoint a[8], b[8];
	double x[40];
	size_t na, nb;

	na = find_steps(x, N_OF(x), lv, N_OF(lv), 3, 5, a, N_OF(a));
	nb = find_steps(x, N_OF(x), lv, N_OF(lv), 3, 5, b, N_OF(b));
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(a[i].index, b[i].index);
		assert_true(a[i].p == b[i].p);
	}
}

static void test_bad_input(void **state)
{
	struct fl_cp_opts o = FL_CP_OPTS_DEFAULT;
	struct fl_changepoint cp[4];
	double x[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	size_t n = 99;

	x[4] = NAN;
	assert_int_equal(fl_edivisive(x, N_OF(x), &o, cp, N_OF(cp), &n), -EINVAL);
	assert_int_equal(n, 0);
	x[4] = 5;
	o.permutations = 0;
	assert_int_equal(fl_edivisive(x, N_OF(x), &o, cp, N_OF(cp), &n), -EINVAL);
	o.permutations = 99;
	o.alpha = 1.5;
	assert_int_equal(fl_edivisive(x, N_OF(x), &o, cp, N_OF(cp), &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statistic_by_hand),
		cmocka_unit_test(test_one_step),
		cmocka_unit_test(test_small_step),
		cmocka_unit_test(test_two_steps),
		cmocka_unit_test(test_no_step),
		cmocka_unit_test(test_outlier_is_not_a_step),
		cmocka_unit_test(test_error_rates),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
