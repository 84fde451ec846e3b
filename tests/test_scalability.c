// SPDX-License-Identifier: GPL-2.0
/*
 * The Universal Scalability Law fit (bench/analysis/scalability.c) on
 * synthetic throughput curves of known parameters.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bench/analysis/scalability.h"
#include "tests/rng.h"

static double usl(double lambda, double sigma, double kappa, double n)
{
	return lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

/* Exact points give back exactly the parameters, and the curve beyond them. */
static void test_recovers_parameters(void **state)
{
	const double n[] = { 1, 2, 4, 8, 16 };
	double x[5];
	struct fl_usl u;

	for (int i = 0; i < 5; i++)
		x[i] = usl(1000, 0.05, 0.002, n[i]);
	assert_int_equal(fl_usl_fit(n, x, 5, &u), 0);
	assert_true(fabs(u.lambda - 1000) < 1e-9);
	assert_true(fabs(u.sigma - 0.05) < 1e-9);
	assert_true(fabs(u.kappa - 0.002) < 1e-9);
	assert_true(fabs(fl_usl_at(&u, 80) - usl(1000, 0.05, 0.002, 80)) < 1e-6);
}

/*
 * Tested where it can be: fitted on T = 1, 2 and 4, it predicts T = 16 of the
 * same curve; fitted on T = 1 and 2 alone (Amdahl), it predicts a curve
 * without coherency cost.
 */
static void test_predicts_beyond_the_fit(void **state)
{
	const double n3[] = { 1, 2, 4 }, n2[] = { 1, 2 };
	double x3[3], x2[2];
	struct fl_usl u;

	for (int i = 0; i < 3; i++)
		x3[i] = usl(500, 0.1, 0.01, n3[i]);
	assert_int_equal(fl_usl_fit(n3, x3, 3, &u), 0);
	assert_true(fabs(fl_usl_at(&u, 16) / usl(500, 0.1, 0.01, 16) - 1) < 1e-9);
	for (int i = 0; i < 2; i++)
		x2[i] = usl(500, 0.2, 0, n2[i]);
	assert_int_equal(fl_usl_fit(n2, x2, 2, &u), 0);
	assert_true(fabs(u.sigma - 0.2) < 1e-12 && u.kappa == 0);
	assert_true(fabs(fl_usl_at(&u, 8) / usl(500, 0.2, 0, 8) - 1) < 1e-12);
}

/* With 1% noise on each of 8 points, the parameters come back close. */
static void test_noise(void **state)
{
	const double n[] = { 1, 2, 3, 4, 6, 8, 12, 16 };
	double x[8];
	struct fl_usl u;

	rng_state = 20261206;
	for (int i = 0; i < 8; i++)
		x[i] = usl(1000, 0.03, 0.001, n[i]) * (i ? normal(1, 0.01) : 1);
	assert_int_equal(fl_usl_fit(n, x, 8, &u), 0);
	assert_true(fabs(u.sigma - 0.03) < 0.01);
	assert_true(fabs(u.kappa - 0.001) < 0.0005);
	assert_true(fabs(fl_usl_at(&u, 32) / usl(1000, 0.03, 0.001, 32) - 1) < 0.1);
}

static void test_bad_input(void **state)
{
	const double n[] = { 2, 4 }, x[] = { 10, 20 }, n1[] = { 1 }, x1[] = { 10 };
	const double nz[] = { 1, 2 }, xz[] = { 10, 0 };
	struct fl_usl u;

	assert_int_equal(fl_usl_fit(n, x, 2, &u), -EINVAL);	/* no N = 1 */
	assert_int_equal(fl_usl_fit(n1, x1, 1, &u), -EINVAL);	/* nothing past it */
	assert_int_equal(fl_usl_fit(nz, xz, 2, &u), -EINVAL);	/* no throughput */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recovers_parameters),
		cmocka_unit_test(test_predicts_beyond_the_fit),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
