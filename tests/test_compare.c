// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_compare.c - the statistics of bench/analysis/compare.c on data with known
 * answers: the U and signed-rank tests against their definitions and
 * against brute-force enumerations, BH by hand and on a simulated mix of nulls and signals, the
 * coverage of the intervals, noise floors, and verdicts on synthetic runs.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench/analysis/compare.h"
#include "bench/results.h"
#include "tests/rng.h"

#define N_OF(a)	(sizeof(a) / sizeof((a)[0]))

static void assert_close(double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("got %.15g, want %.15g (tolerance %g)", got, want, tol);
}

/* ---- U test -------------------------------------------------------------- */

static void test_utest_separated(void **state)
{
	const double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
	struct fl_utest u;

	/* U = 0: the most extreme of C(10, 5) = 252 orders, either way: p = 2/252. */
	assert_int_equal(fl_mann_whitney(a, 5, b, 5, &u), 0);
	assert_true(u.exact);
	assert_close(u.u, 0, 0);
	assert_close(u.p, 2.0 / 252, 1e-15);
	assert_int_equal(fl_mann_whitney(b, 5, a, 5, &u), 0);
	assert_close(u.u, 25, 0);
	assert_close(u.p, 2.0 / 252, 1e-15);
}

/* U of a against b counted pair by pair. */
static double u_by_pairs(const double *a, size_t na, const double *b, size_t nb)
{
	double u = 0;

	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			u += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
	return u;
}

/*
 * The exact p against the permutation distribution enumerated by brute
 * force: every way of choosing which 6 of the 13 pooled values are a's.
 */
static void test_utest_exact_by_enumeration(void **state)
{
	const double a[] = { 3.1, 0.4, 7.7, 2.2, 5.9, 6.4 };
	const double b[] = { 8.8, 4.5, 9.9, 1.3, 10.4, 11.6, 6.9 };
	double pooled[13], ua, sa[6], sb[7];
	unsigned total = 0, le = 0, ge = 0;
	struct fl_utest u;

	memcpy(pooled, a, sizeof(a));
	memcpy(pooled + 6, b, sizeof(b));
	ua = u_by_pairs(a, 6, b, 7);
	for (unsigned mask = 0; mask < 1u << 13; mask++) {
		size_t na = 0, nb = 0;
		double v;

		if (__builtin_popcount(mask) != 6)
			continue;
		for (int i = 0; i < 13; i++) {
			if (mask & (1u << i))
				sa[na++] = pooled[i];
			else
				sb[nb++] = pooled[i];
		}
		v = u_by_pairs(sa, 6, sb, 7);
		total++;
		le += v <= ua;
		ge += v >= ua;
	}
	assert_int_equal(total, 1716);
	assert_int_equal(fl_mann_whitney(a, 6, b, 7, &u), 0);
	assert_true(u.exact);
	assert_close(u.u, ua, 0);
	assert_close(u.p, fmin(1, 2.0 * (le < ge ? le : ge) / total), 1e-12);
}

static void test_utest_ties_normal(void **state)
{
	/*
	 * Pooled: 1(a) 2(a) 2(a) 2(b) 3(b) 3(b) 4(b); the 2s share rank 3,
	 * the 3s rank 5.5.  R_a = 1 + 3 + 3 = 7, U = 7 - 6 = 1.  mu = 6;
	 * ties: (27 - 3) + (8 - 2) = 30; var = 12/12 (8 - 30/42) = 7.2857142857;
	 * z = (5 - 0.5) / sqrt(var) = 1.66715679; p = erfc(z / sqrt 2).
	 */
	const double a[] = { 1, 2, 2 }, b[] = { 2, 3, 3, 4 };
	struct fl_utest u;

	assert_int_equal(fl_mann_whitney(a, 3, b, 4, &u), 0);
	assert_false(u.exact);
	assert_close(u.u, 1, 0);
	assert_close(u.u, u_by_pairs(a, 3, b, 4), 0);
	assert_close(u.z, -1.667156790678634, 1e-12);
	assert_close(u.p, 0.09548323209754739, 1e-12);
}

static void test_utest_all_equal_and_bad(void **state)
{
	const double a[] = { 4, 4, 4 }, b[] = { 4, 4 }, nan[] = { 1, NAN };
	struct fl_utest u;

	assert_int_equal(fl_mann_whitney(a, 3, b, 2, &u), 0);
	assert_close(u.p, 1, 0);
	assert_int_equal(fl_mann_whitney(a, 0, b, 2, &u), -EINVAL);
	assert_int_equal(fl_mann_whitney(a, 3, nan, 2, &u), -EINVAL);
}

/* Large samples: the normal approximation, and a shift it must see. */
static void test_utest_large(void **state)
{
	double a[200], b[200];
	struct fl_utest u;

	rng_state = 11;
	for (int i = 0; i < 200; i++) {
		a[i] = normal(100, 5);
		b[i] = normal(102, 5);
	}
	assert_int_equal(fl_mann_whitney(a, 200, b, 200, &u), 0);
	assert_false(u.exact);		/* 200 x 200 is past the exact limit */
	assert_close(u.u, u_by_pairs(a, 200, b, 200), 1e-9);
	assert_true(u.p < 0.01);
}

/* Under the null the p-values are (nearly) uniform: about 5% below 0.05. */
static void test_utest_null_rate(void **state)
{
	double a[12], b[12];
	int below = 0;

	rng_state = 12;
	for (int t = 0; t < 2000; t++) {
		struct fl_utest u;

		for (int i = 0; i < 12; i++) {
			a[i] = normal(50, 3);
			b[i] = normal(50, 3);
		}
		assert_int_equal(fl_mann_whitney(a, 12, b, 12, &u), 0);
		below += u.p < 0.05;
	}
	/* Binomial(2000, <= 0.05): sd about 10. */
	assert_in_range(below, 60, 120);
}

/* ---- Wilcoxon signed-rank ----------------------------------------------- */

/* W+ of d, the ranks of |d| summed over the positive d: no ties in the callers. */
static double wplus_by_definition(const double *d, size_t n)
{
	double w = 0;

	for (size_t i = 0; i < n; i++) {
		size_t rank = 1;

		for (size_t j = 0; j < n; j++)
			rank += fabs(d[j]) < fabs(d[i]);
		if (d[i] > 0)
			w += (double)rank;
	}
	return w;
}

/*
 * The exact p against the null distribution enumerated by brute force: every
 * one of the 2^n ways of giving the |d| signs, on random differences.
 */
static void test_signed_rank_exact_by_enumeration(void **state)
{
	rng_state = 61;
	for (int series = 0; series < 20; series++) {
		size_t n = 5 + (size_t)series % 9;
		double d[13], flip[13], w;
		unsigned le = 0, ge = 0, total = 1u << n;
		struct fl_utest u;

		for (size_t i = 0; i < n; i++)
			d[i] = normal(0.3, 1);
		w = wplus_by_definition(d, n);
		for (unsigned mask = 0; mask < total; mask++) {
			double v;

			for (size_t i = 0; i < n; i++)
				flip[i] = mask & (1u << i) ? fabs(d[i]) : -fabs(d[i]);
			v = wplus_by_definition(flip, n);
			le += v <= w;
			ge += v >= w;
		}
		assert_int_equal(fl_signed_rank(d, n, &u), 0);
		assert_true(u.exact);
		assert_close(u.u, w, 0);
		assert_close(u.p, fmin(1, 2.0 * (le < ge ? le : ge) / total), 1e-12);
	}
}

static void test_signed_rank_by_hand(void **state)
{
	const double up[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	/* ranks of |d|: 0.5 -> 1, 1 -> 2, 1.5 -> 3, 2 and 2 -> 4.5, 3 -> 6 */
	const double tied[] = { 1.5, -0.5, 2, 2, -1, 3 };
	const double zeros[] = { 0, 1, 0, 2, 3 }, none[] = { 0, 0, 0 }, bad[] = { 1, NAN };
	double var = 6 * 7 * 13 / 24.0 - (8 - 2) / 48.0;
	struct fl_utest u;

	/* all 10 positive: W+ = 55, the one most extreme of 2^10 either way */
	assert_int_equal(fl_signed_rank(up, 10, &u), 0);
	assert_close(u.u, 55, 0);
	assert_close(u.p, 2.0 / 1024, 1e-15);
	/* ties: normal with the tie and continuity corrections */
	assert_int_equal(fl_signed_rank(tied, 6, &u), 0);
	assert_false(u.exact);
	assert_close(u.u, 18, 0);
	assert_close(u.z, (18 - 10.5 - 0.5) / sqrt(var), 1e-12);
	assert_close(u.p, erfc((18 - 10.5 - 0.5) / sqrt(var) / M_SQRT2), 1e-12);
	/* zeros are dropped: 1, 2, 3 all positive, 2 x 1/8 */
	assert_int_equal(fl_signed_rank(zeros, 5, &u), 0);
	assert_close(u.u, 6, 0);
	assert_close(u.p, 0.25, 1e-15);
	assert_int_equal(fl_signed_rank(none, 3, &u), 0);
	assert_close(u.p, 1, 0);
	assert_int_equal(fl_signed_rank(bad, 2, &u), -EINVAL);
	assert_int_equal(fl_signed_rank(up, 0, &u), -EINVAL);
}

/* Under the null, p < 0.05 about 5% of the time (exact, so at most 5%). */
static void test_signed_rank_null_rate(void **state)
{
	int hits = 0;

	rng_state = 62;
	for (int series = 0; series < 2000; series++) {
		double d[24];
		struct fl_utest u;

		for (int i = 0; i < 24; i++)
			d[i] = normal(0, 1);
		assert_int_equal(fl_signed_rank(d, 24, &u), 0);
		hits += u.p < 0.05;
	}
	assert_in_range(hits, 60, 110);
}

/* ---- Benjamini-Hochberg -------------------------------------------------- */

static void test_bh_by_hand(void **state)
{
	/* sorted 0.005 0.01 0.03 0.04: p m / rank = 0.02 0.02 0.04 0.04 */
	const double p1[] = { 0.01, 0.04, 0.03, 0.005 };
	const double q1[] = { 0.02, 0.04, 0.04, 0.02 };
	/* raw 0.12 0.0615 0.5: the first is lowered to the second's (monotone) */
	const double p2[] = { 0.04, 0.041, 0.5 };
	const double q2[] = { 0.0615, 0.0615, 0.5 };
	/* NaN rows take no part: m = 2 */
	const double p3[] = { NAN, 0.02, 0.9 };
	double q[4];

	assert_int_equal(fl_bh_adjust(p1, 4, q), 0);
	for (int i = 0; i < 4; i++)
		assert_close(q[i], q1[i], 1e-15);
	assert_int_equal(fl_bh_adjust(p2, 3, q), 0);
	for (int i = 0; i < 3; i++)
		assert_close(q[i], q2[i], 1e-15);
	assert_int_equal(fl_bh_adjust(p3, 3, q), 0);
	assert_true(isnan(q[0]));
	assert_close(q[1], 0.04, 1e-15);
	assert_close(q[2], 0.9, 1e-15);
}

/*
 * 900 true nulls (uniform p) and 100 real effects (tiny p): at q < 0.05 the
 * share of false discoveries stays near or below 0.05 * 900/1000, and the
 * effects are all found.
 */
static void test_bh_controls_fdr(void **state)
{
	static double p[1000], q[1000];
	int false_disc = 0, true_disc = 0;

	rng_state = 13;
	for (int i = 0; i < 1000; i++)
		p[i] = i < 900 ? uniform() : uniform() * 1e-5;
	assert_int_equal(fl_bh_adjust(p, 1000, q), 0);
	for (int i = 0; i < 1000; i++) {
		if (q[i] < 0.05) {
			false_disc += i < 900;
			true_disc += i >= 900;
		}
	}
	assert_int_equal(true_disc, 100);
	assert_true((double)false_disc / (false_disc + true_disc) < 0.1);
}

/* ---- intervals ----------------------------------------------------------- */

static void test_median_ci_order_statistics(void **state)
{
	const double x10[] = { 10, 1, 9, 2, 8, 3, 7, 4, 6, 5 };
	const double x5[] = { 5, 3, 1, 4, 2 };
	struct fl_ci ci;
	double cov;

	/* n = 10: P(B <= 1) = 11/1024 <= 0.025 < P(B <= 2): [x(2), x(9)] */
	assert_int_equal(fl_median_ci(x10, 10, 0.95, &ci, &cov), 0);
	assert_close(ci.est, 5.5, 0);
	assert_close(ci.lo, 2, 0);
	assert_close(ci.hi, 9, 0);
	assert_close(cov, 1 - 22.0 / 1024, 1e-15);
	/* n = 5 cannot reach 95%: [min, max], covering 1 - 2/32 */
	assert_int_equal(fl_median_ci(x5, 5, 0.95, &ci, &cov), 0);
	assert_close(ci.lo, 1, 0);
	assert_close(ci.hi, 5, 0);
	assert_close(cov, 0.9375, 1e-15);
	assert_int_equal(fl_median_ci(x5, 0, 0.95, &ci, &cov), -EINVAL);
}

/* Its coverage, simulated: the true median (100) is inside >= 95% of the time. */
static void test_median_ci_coverage(void **state)
{
	double x[40];
	int hit = 0;

	rng_state = 14;
	for (int t = 0; t < 1000; t++) {
		struct fl_ci ci;

		for (int i = 0; i < 40; i++)
			x[i] = normal(100, 10);
		assert_int_equal(fl_median_ci(x, 40, 0.95, &ci, NULL), 0);
		hit += ci.lo <= 100 && 100 <= ci.hi;
	}
	assert_in_range(hit, 940, 1000);
}

/*
 * The bootstrap interval of the change: B's median is 5% above A's.  Over 300
 * simulated comparisons the interval holds the true 5% about 95% of the time.
 */
static void test_change_bootstrap_coverage(void **state)
{
	double a[31], b[31];
	int hit = 0;

	rng_state = 15;
	for (int t = 0; t < 300; t++) {
		struct fl_ci ci;

		for (int i = 0; i < 31; i++) {
			a[i] = normal(100, 4);
			b[i] = normal(105, 4.2);
		}
		assert_int_equal(fl_change_pct(a, NULL, 31, b, NULL, 31, 0.95, 1000, t + 1, &ci), 0);
		assert_true(ci.lo <= ci.est && ci.est <= ci.hi);
		hit += ci.lo <= 5 && 5 <= ci.hi;
	}
	assert_in_range(hit, 270, 297);
}

static void test_change_pct_edges(void **state)
{
	const double a[] = { 100, 100, 100 }, b[] = { 110, 110, 110 };
	const double z[] = { 0, 0, 0 }, neg[] = { -100, -100 }, negb[] = { -90, -90 };
	struct fl_ci ci;

	assert_int_equal(fl_change_pct(a, NULL, 3, b, NULL, 3, 0.95, 200, 1, &ci), 0);
	assert_close(ci.est, 10, 1e-12);
	assert_close(ci.lo, 10, 1e-12);
	assert_close(ci.hi, 10, 1e-12);
	assert_int_equal(fl_change_pct(z, NULL, 3, z, NULL, 3, 0.95, 200, 1, &ci), 0);
	assert_close(ci.est, 0, 0);
	assert_int_equal(fl_change_pct(z, NULL, 3, b, NULL, 3, 0.95, 200, 1, &ci), 0);
	assert_true(isinf(ci.est) && ci.est > 0);
	/* -100 -> -90 is a move up by 10% of |A| */
	assert_int_equal(fl_change_pct(neg, NULL, 2, negb, NULL, 2, 0.95, 200, 1, &ci), 0);
	assert_close(ci.est, 10, 1e-12);
	assert_int_equal(fl_change_pct(a, NULL, 0, b, NULL, 3, 0.95, 200, 1, &ci), -EINVAL);
}

/* ---- noise floors -------------------------------------------------------- */

static void test_noise_floor(void **state)
{
	/*
	 * +0.5 +1.5 ... +9.5 and -1 -2 ... -10: the median is (-1 + 0.5) / 2 =
	 * -0.25; the distances from it are k + 0.75, k = 0..9, twice each, whose
	 * median is (4.75 + 5.75) / 2 = 5.25.
	 */
	double c[20], tight[20];
	struct fl_noise nf, nt;

	for (int i = 0; i < 20; i++)
		c[i] = (i % 2 ? -0.5 : 0.5) * (i + 1);
	fl_noise_floor(c, 20, 400, &nf);
	assert_int_equal(nf.comparisons, 20);
	assert_int_equal(nf.samples, 400);
	assert_close(nf.sd_pct, 1.4826 * 5.25, 1e-12);
	assert_close(nf.floor_pct, 0.25 + 2.576 * 1.4826 * 5.25, 1e-12);
	assert_close(fl_noise_mde(&nf, 1), nf.floor_pct + 0.8416 * nf.sd_pct, 1e-12);

	/*
	 * Nineteen A/A changes within +-1% and one of -40% (a disturbed machine):
	 * the floor stays near 2%, where a 95th percentile would be near 40%.
	 */
	for (int i = 0; i < 20; i++)
		tight[i] = (i % 2 ? -1.0 : 1.0) * (i % 5) / 4;
	tight[7] = -40;
	fl_noise_floor(tight, 20, 400, &nt);
	assert_in_range((long)(100 * nt.floor_pct), 100, 250);

	/* Infinite changes (a median of zero) teach nothing. */
	c[3] = INFINITY;
	c[4] = NAN;
	fl_noise_floor(c, 20, 400, &nf);
	assert_int_equal(nf.comparisons, 18);
	fl_noise_floor(c, 0, 0, &nf);
	assert_true(isnan(nf.floor_pct));
	assert_true(isnan(fl_noise_mde(&nf, 1)));
	assert_int_equal(nf.comparisons, 0);
}

static void test_direction(void **state)
{
	assert_true(fl_metric_higher_is_better("reaim_vunmap", "jobs_per_min", "jobs/min"));
	assert_false(fl_metric_higher_is_better("reaim_vunmap", "syncs_per_round",
						"syncs/round"));
	assert_false(fl_metric_higher_is_better("reaim_vunmap", "cycles_per_round",
						"cycles/round"));
	assert_true(fl_metric_higher_is_better("nosuch", "ops", "ops/s"));
	assert_false(fl_metric_higher_is_better("nosuch", "latency", "ns"));
}

/* ---- comparisons of synthetic runs --------------------------------------- */

static void add(struct fl_run *r, const char *variant, const char *metric, const char *unit,
		int rep, double v)
{
	struct fl_sample s = {
		.workload = "reaim_vunmap", .variant = (char *)variant, .backend = "shim",
		.params = "M=0,P=2", .repetition = rep, .metric = (char *)metric,
		.unit = (char *)unit, .value = v, .source = "wall",
	};

	assert_int_equal(fl_run_add(r, &s), 0);
}

/*
 * Two runs a side.  "new" gets 10% slower in B (throughput down, cost up),
 * "old" does not change, syncs are constant; one metric exists in A only.
 */
static void make_sides(struct fl_run a[2], struct fl_run b[2], double slow)
{
	rng_state = 16;
	for (int k = 0; k < 2; k++) {
		fl_run_init(&a[k]);
		fl_run_init(&b[k]);
		for (int rep = 0; rep < 10; rep++) {
			add(&a[k], "new", "jobs_per_min", "jobs/min", rep, normal(1000, 10));
			add(&b[k], "new", "jobs_per_min", "jobs/min", rep,
			    normal(1000 / slow, 10));
			add(&a[k], "new", "task_clock_ns_per_round", "ns/round", rep,
			    normal(500, 5));
			add(&b[k], "new", "task_clock_ns_per_round", "ns/round", rep,
			    normal(500 * slow, 5));
			add(&a[k], "old", "jobs_per_min", "jobs/min", rep, normal(800, 8));
			add(&b[k], "old", "jobs_per_min", "jobs/min", rep, normal(800, 8));
			add(&a[k], "old", "syncs_per_round", "syncs/round", rep, 0.25);
			add(&b[k], "old", "syncs_per_round", "syncs/round", rep, 0.25);
			add(&a[k], "old", "gone", "x/round", rep, NAN);
			add(&a[k], "old", "only_a", "x/round", rep, 1);
		}
	}
}

static void free_sides(struct fl_run a[2], struct fl_run b[2])
{
	for (int k = 0; k < 2; k++) {
		fl_run_free(&a[k]);
		fl_run_free(&b[k]);
	}
}

static const struct fl_cmp_row *row_of(const struct fl_comparison *c, const char *variant,
				       const char *metric)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].key.variant, variant) &&
		    !strcmp(c->rows[i].key.metric, metric))
			return &c->rows[i];
	fail_msg("no row %s %s", variant, metric);
	return NULL;
}

static void test_compare_verdicts(void **state)
{
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run a[2], b[2];
	struct fl_comparison c;
	const struct fl_cmp_row *r;

	make_sides(a, b, 1.10);
	assert_int_equal(fl_compare_build(a, 2, b, 2, &o, &c), 0);
	/* jobs and task clock of new, jobs and syncs of old; "gone" is all NaN */
	assert_int_equal(c.nrows, 4);
	assert_int_equal(c.only_a, 1);
	assert_int_equal(c.only_b, 0);
	fl_compare_judge(&c, &o);
	fl_compare_sort(&c);

	r = row_of(&c, "new", "task_clock_ns_per_round");
	assert_int_equal(r->na, 20);
	assert_int_equal(r->nb, 20);
	assert_close(r->change.est, 10, 1.5);
	assert_true(r->q < 0.001);
	assert_int_equal(r->verdict, FL_CMP_REGRESSION);
	r = row_of(&c, "new", "jobs_per_min");
	assert_true(r->higher_is_better);
	assert_close(r->change.est, -9.1, 1.5);
	assert_int_equal(r->verdict, FL_CMP_REGRESSION);
	r = row_of(&c, "old", "syncs_per_round");
	assert_close(r->change.est, 0, 0);
	assert_close(r->u.p, 1, 0);
	assert_true(r->constant);
	assert_true(isnan(r->q));	/* not tested */
	assert_int_equal(r->verdict, FL_CMP_NO_CHANGE);
	/* old is the same distribution: no change, or too noisy to tell, never flagged */
	r = row_of(&c, "old", "jobs_per_min");
	assert_true(r->verdict == FL_CMP_NO_CHANGE || r->verdict == FL_CMP_INCONCLUSIVE);
	assert_int_equal(c.regressions, 2);
	assert_int_equal(c.improvements, 0);
	/* regressions first, the worse first (task clock +10% before jobs -9%) */
	assert_int_equal(c.rows[0].verdict, FL_CMP_REGRESSION);
	assert_string_equal(c.rows[0].key.metric, "task_clock_ns_per_round");
	assert_int_equal(c.rows[1].verdict, FL_CMP_REGRESSION);

	/* A learned floor of 15% makes the same change noise. */
	for (size_t i = 0; i < c.nrows; i++)
		c.rows[i].noise = (struct fl_noise){ .floor_pct = 15, .sd_pct = 7,
						      .comparisons = 10, .samples = 400 };
	fl_compare_judge(&c, &o);
	assert_int_equal(c.regressions, 0);
	assert_int_equal(row_of(&c, "new", "jobs_per_min")->verdict, FL_CMP_WITHIN_NOISE);
	assert_close(row_of(&c, "new", "jobs_per_min")->floor_pct, 15, 0);
	fl_compare_free(&c);

	/* The other way round it is an improvement. */
	assert_int_equal(fl_compare_build(b, 2, a, 2, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_int_equal(c.regressions, 0);
	assert_int_equal(c.improvements, 2);
	fl_compare_free(&c);
	free_sides(a, b);
}

/* runs[k] of side: 5 repetitions of task clock around level[k] (+-0.4%). */
static void runs_at(struct fl_run *runs, const double *level, int n)
{
	static const double wobble[] = { 0, 0.004, -0.004, 0.002, -0.002 };

	for (int k = 0; k < n; k++) {
		fl_run_init(&runs[k]);
		for (int rep = 0; rep < 5; rep++)
			add(&runs[k], "new", "task_clock_ns_per_round", "ns/round", rep,
			    level[k] * (1 + wobble[rep]));
	}
}

/*
 * Without A/A comparisons on this host: two runs a side are judged against
 * how much each side's own runs differ; one run a side tells nothing of
 * that, and only a change past the unknown floor is flagged.
 */
static void test_compare_floor_without_aa(void **state)
{
	const double base[] = { 100, 101 }, slow[] = { 120, 121 }, spread[] = { 100, 130 };
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run a[2], b[2], w[2];
	struct fl_comparison c;

	runs_at(a, base, 2);
	runs_at(b, slow, 2);
	runs_at(w, spread, 2);

	/* one run a side, +20%: judged against the 75% default, not flagged */
	assert_int_equal(fl_compare_build(a, 1, b, 1, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_int_equal(c.rows[0].floor_basis, FL_FLOOR_UNKNOWN);
	assert_close(c.rows[0].floor_pct, FL_CMP_UNKNOWN_FLOOR, 0);
	assert_int_equal(c.rows[0].verdict, FL_CMP_WITHIN_NOISE);
	assert_int_equal(c.regressions, 0);
	fl_compare_free(&c);

	/* two runs a side that agree within 1%: +20% is a regression */
	assert_int_equal(fl_compare_build(a, 2, b, 2, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_int_equal(c.rows[0].floor_basis, FL_FLOOR_SPREAD);
	assert_close(c.rows[0].spread_pct, 1.0, 0.01);
	assert_close(c.rows[0].floor_pct, 1.0, 0.01);
	assert_int_equal(c.rows[0].verdict, FL_CMP_REGRESSION);
	fl_compare_free(&c);

	/* but when A's own runs differ by 30%, +20% is no regression */
	assert_int_equal(fl_compare_build(w, 2, b, 2, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_int_equal(c.rows[0].floor_basis, FL_FLOOR_SPREAD);
	assert_close(c.rows[0].floor_pct, 100.0 * 30 / 115, 0.01);
	assert_int_equal(c.regressions, 0);
	fl_compare_free(&c);

	/* a learned floor wins over both */
	assert_int_equal(fl_compare_build(a, 1, b, 1, &o, &c), 0);
	c.rows[0].noise = (struct fl_noise){ .floor_pct = 5, .sd_pct = 1, .comparisons = 3 };
	fl_compare_judge(&c, &o);
	assert_int_equal(c.rows[0].floor_basis, FL_FLOOR_LEARNED);
	assert_int_equal(c.rows[0].verdict, FL_CMP_REGRESSION);
	fl_compare_free(&c);
	for (int k = 0; k < 2; k++) {
		fl_run_free(&a[k]);
		fl_run_free(&b[k]);
		fl_run_free(&w[k]);
	}
}

/*
 * "No change" needs the interval to rule out a regression past the floor;
 * a wide one that does not is inconclusive, whatever the estimate.
 */
static void test_compare_inconclusive(void **state)
{
	const double a[] = { 100, 101, 102, 103, 104 };
	const double wide[] = { 60, 99, 102, 104, 160 };
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run ra, rb, rc;
	struct fl_comparison c;

	/* one run a side: the judging of a row is under test, not the unknown floor */
	o.unknown_floor = o.min_change;

	fl_run_init(&ra);
	fl_run_init(&rb);
	fl_run_init(&rc);
	for (int rep = 0; rep < 5; rep++) {
		add(&ra, "new", "task_clock_ns_per_round", "ns/round", rep, a[rep]);
		add(&rb, "new", "task_clock_ns_per_round", "ns/round", rep, wide[rep]);
	}
	/* the same distribution, tight: 100 +- 0.2%, 20 samples */
	for (int rep = 0; rep < 20; rep++)
		add(&rc, "new", "task_clock_ns_per_round", "ns/round", rep, 101.8 + rep % 5 * 0.1);
	assert_int_equal(fl_compare_build(&ra, 1, &rb, 1, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_true(c.rows[0].u.p > 0.05);
	assert_true(c.rows[0].change.hi > 1);
	assert_int_equal(c.rows[0].verdict, FL_CMP_INCONCLUSIVE);
	assert_int_equal(c.regressions, 0);
	fl_compare_free(&c);
	/* the same tight samples on both sides: the interval rules a regression out */
	assert_int_equal(fl_compare_build(&rc, 1, &rc, 1, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_true(c.rows[0].change.hi < 1);
	assert_int_equal(c.rows[0].verdict, FL_CMP_NO_CHANGE);
	fl_compare_free(&c);
	fl_run_free(&ra);
	fl_run_free(&rb);
	fl_run_free(&rc);
}

/*
 * Four runs a side, tight within a run, the runs +-5% apart, B's a little
 * faster on the whole: the U test, counting 40 repetitions a side as
 * independent, calls it significant; the interval, drawing whole runs, holds
 * 0, so it is not flagged.  The same levels with every run agreeing are.
 */
static void test_compare_runs_disagree(void **state)
{
	static const double level_a[] = { 100, 105, 95, 100 }, level_b[] = { 92, 97, 88, 99 };
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run ra[4], rb[4];
	struct fl_comparison c;

	for (int k = 0; k < 4; k++) {
		fl_run_init(&ra[k]);
		fl_run_init(&rb[k]);
		for (int rep = 0; rep < 10; rep++) {
			add(&ra[k], "new", "task_clock_ns_per_round", "ns/round", rep,
			    level_a[k] + 0.01 * rep);
			add(&rb[k], "new", "task_clock_ns_per_round", "ns/round", rep,
			    level_b[k] + 0.01 * rep);
		}
	}
	assert_int_equal(fl_compare_build(ra, 4, rb, 4, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_true(c.rows[0].q < 0.05);
	assert_true(c.rows[0].change.lo < 0 && c.rows[0].change.hi > 0);
	assert_int_not_equal(c.rows[0].verdict, FL_CMP_IMPROVEMENT);
	assert_int_equal(c.improvements, 0);
	fl_compare_free(&c);
	/* the runs of B agree: each 6% under A's median */
	for (int k = 0; k < 4; k++) {
		fl_run_free(&rb[k]);
		fl_run_init(&rb[k]);
		for (int rep = 0; rep < 10; rep++)
			add(&rb[k], "new", "task_clock_ns_per_round", "ns/round", rep,
			    94 + 0.3 * k + 0.01 * rep);
	}
	for (int k = 0; k < 4; k++) {
		fl_run_free(&ra[k]);
		fl_run_init(&ra[k]);
		for (int rep = 0; rep < 10; rep++)
			add(&ra[k], "new", "task_clock_ns_per_round", "ns/round", rep,
			    100 + 0.3 * k + 0.01 * rep);
	}
	assert_int_equal(fl_compare_build(ra, 4, rb, 4, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_true(c.rows[0].change.hi < 0);
	assert_int_equal(c.rows[0].verdict, FL_CMP_IMPROVEMENT);
	fl_compare_free(&c);
	for (int k = 0; k < 4; k++) {
		fl_run_free(&ra[k]);
		fl_run_free(&rb[k]);
	}
}

/*
 * Runs in pairs on a machine whose speed swings from pair to pair by far more
 * than the change: pair k runs at speed f_k on both sides.  Judged by pair,
 * a 5% slowdown is found with a tight interval and A/A finds nothing; pooled,
 * the swing hides the 5%.
 */
static void make_pairs(struct fl_run *a, struct fl_run *b, int n, double slow)
{
	rng_state = 63;
	for (int k = 0; k < n; k++) {
		double f = 1 + 0.25 * (uniform() - 0.5);

		fl_run_init(&a[k]);
		fl_run_init(&b[k]);
		for (int rep = 0; rep < 3; rep++) {
			add(&a[k], "new", "task_clock_ns_per_round", "ns/round", rep,
			    500 * f * normal(1, 0.01));
			add(&b[k], "new", "task_clock_ns_per_round", "ns/round", rep,
			    500 * f * slow * normal(1, 0.01));
		}
	}
}

static void free_pairs(struct fl_run *a, struct fl_run *b, int n)
{
	for (int k = 0; k < n; k++) {
		fl_run_free(&a[k]);
		fl_run_free(&b[k]);
	}
}

static void test_compare_paired(void **state)
{
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run a[24], b[24];
	struct fl_comparison c;
	const struct fl_cmp_row *r;

	make_pairs(a, b, 24, 1.05);
	o.paired = true;
	assert_int_equal(fl_compare_build(a, 24, b, 24, &o, &c), 0);
	fl_compare_judge(&c, &o);
	r = &c.rows[0];
	assert_int_equal(r->pairs, 24);
	assert_true(r->u.exact);
	assert_close(r->u.u, 300, 0);		/* every pair slower: W+ = 24 x 25 / 2 */
	assert_true(r->change.lo > 3.5 && r->change.hi < 6.5);
	assert_close(r->change.est, 5, 1);
	assert_int_equal(r->verdict, FL_CMP_REGRESSION);
	fl_compare_free(&c);

	/* the same runs pooled: the swing of +-12% swamps the 5% */
	o.paired = false;
	assert_int_equal(fl_compare_build(a, 24, b, 24, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_int_equal(c.rows[0].pairs, 0);
	assert_true(c.rows[0].change.hi - c.rows[0].change.lo > 5);
	assert_int_not_equal(c.rows[0].verdict, FL_CMP_REGRESSION);
	fl_compare_free(&c);
	free_pairs(a, b, 24);

	/* A/A in pairs */
	make_pairs(a, b, 24, 1);
	o.paired = true;
	assert_int_equal(fl_compare_build(a, 24, b, 24, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_true(c.rows[0].change.lo < 0 && c.rows[0].change.hi > 0);
	assert_true(c.rows[0].change.hi - c.rows[0].change.lo < 2);
	assert_int_equal(c.regressions + c.improvements, 0);
	fl_compare_free(&c);
	free_pairs(a, b, 24);
}

/* Too few pairs are pooled; sides of different sizes cannot be paired. */
static void test_compare_paired_edges(void **state)
{
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run a[24], b[24];
	struct fl_comparison c;

	o.paired = true;
	make_pairs(a, b, FL_CMP_MIN_PAIRS, 1.05);
	assert_int_equal(fl_compare_build(a, FL_CMP_MIN_PAIRS, b, FL_CMP_MIN_PAIRS, &o, &c), 0);
	assert_int_equal(c.rows[0].pairs, FL_CMP_MIN_PAIRS);
	fl_compare_free(&c);
	assert_int_equal(fl_compare_build(a, FL_CMP_MIN_PAIRS - 1, b, FL_CMP_MIN_PAIRS - 1, &o,
					  &c), 0);
	assert_int_equal(c.rows[0].pairs, 0);
	fl_compare_free(&c);
	assert_int_equal(fl_compare_build(a, FL_CMP_MIN_PAIRS, b, FL_CMP_MIN_PAIRS - 1, &o, &c),
			 -EINVAL);
	free_pairs(a, b, FL_CMP_MIN_PAIRS);
}

/* A/A: the same distribution on both sides flags nothing. */
static void test_compare_aa(void **state)
{
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run a[2], b[2];
	struct fl_comparison c;

	make_sides(a, b, 1.0);
	assert_int_equal(fl_compare_build(a, 2, b, 2, &o, &c), 0);
	fl_compare_judge(&c, &o);
	assert_int_equal(c.regressions, 0);
	assert_int_equal(c.improvements, 0);
	fl_compare_free(&c);
	free_sides(a, b);
}

/*
 * BH counts only the rows that can show a change: one row at p = 0.01 beside
 * four constant counts keeps q = 0.01 (m = 1), not 0.05 (m = 5).
 */
static void test_compare_constant_rows_not_tested(void **state)
{
	const double av[] = { 10, 11, 12, 13, 14 }, bv[] = { 15, 16, 17, 18, 19 };
	static const char *const counts[] = { "c1", "c2", "c3", "c4" };
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run a, b;
	struct fl_comparison c;
	const struct fl_cmp_row *r;

	/* one run a side: BH is under test, not the unknown floor */
	o.unknown_floor = o.min_change;
	fl_run_init(&a);
	fl_run_init(&b);
	for (int rep = 0; rep < 5; rep++) {
		add(&a, "new", "task_clock_ns_per_round", "ns/round", rep, av[rep]);
		add(&b, "new", "task_clock_ns_per_round", "ns/round", rep, bv[rep]);
		for (int k = 0; k < 4; k++) {
			add(&a, "new", counts[k], "x/round", rep, 7);
			add(&b, "new", counts[k], "x/round", rep, 7);
		}
	}
	assert_int_equal(fl_compare_build(&a, 1, &b, 1, &o, &c), 0);
	assert_int_equal(c.nrows, 5);
	fl_compare_judge(&c, &o);
	r = row_of(&c, "new", "task_clock_ns_per_round");
	assert_close(r->u.p, 2.0 / 252, 1e-15);
	assert_close(r->q, 2.0 / 252, 1e-15);
	assert_int_equal(r->verdict, FL_CMP_REGRESSION);
	assert_true(isnan(row_of(&c, "new", "c1")->q));
	fl_compare_free(&c);
	fl_run_free(&a);
	fl_run_free(&b);
}

static void test_compare_metric_filter_and_too_few(void **state)
{
	const char *const only[] = { "jobs_per_min", NULL };
	const char *const none[] = { "nosuch", NULL };
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run a, b;
	struct fl_comparison c;

	fl_run_init(&a);
	fl_run_init(&b);
	add(&a, "new", "jobs_per_min", "jobs/min", 0, 10);
	add(&a, "new", "jobs_per_min", "jobs/min", 1, 11);
	add(&b, "new", "jobs_per_min", "jobs/min", 0, 20);
	add(&b, "new", "jobs_per_min", "jobs/min", 1, 21);
	add(&a, "new", "syncs_per_round", "syncs/round", 0, 1);
	add(&b, "new", "syncs_per_round", "syncs/round", 0, 1);
	o.metrics = only;
	assert_int_equal(fl_compare_build(&a, 1, &b, 1, &o, &c), 0);
	assert_int_equal(c.nrows, 1);
	fl_compare_judge(&c, &o);
	/* Two samples a side can never be significant: say so, do not judge. */
	assert_int_equal(c.rows[0].verdict, FL_CMP_TOO_FEW);
	assert_int_equal(c.regressions, 0);
	fl_compare_free(&c);

	o.metrics = none;
	assert_int_equal(fl_compare_build(&a, 1, &b, 1, &o, &c), -ENODATA);
	fl_run_free(&a);
	fl_run_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utest_separated),
		cmocka_unit_test(test_utest_exact_by_enumeration),
		cmocka_unit_test(test_utest_ties_normal),
		cmocka_unit_test(test_utest_all_equal_and_bad),
		cmocka_unit_test(test_utest_large),
		cmocka_unit_test(test_utest_null_rate),
		cmocka_unit_test(test_signed_rank_exact_by_enumeration),
		cmocka_unit_test(test_signed_rank_by_hand),
		cmocka_unit_test(test_signed_rank_null_rate),
		cmocka_unit_test(test_bh_by_hand),
		cmocka_unit_test(test_bh_controls_fdr),
		cmocka_unit_test(test_median_ci_order_statistics),
		cmocka_unit_test(test_median_ci_coverage),
		cmocka_unit_test(test_change_bootstrap_coverage),
		cmocka_unit_test(test_change_pct_edges),
		cmocka_unit_test(test_noise_floor),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_compare_verdicts),
		cmocka_unit_test(test_compare_aa),
		cmocka_unit_test(test_compare_inconclusive),
		cmocka_unit_test(test_compare_runs_disagree),
		cmocka_unit_test(test_compare_paired),
		cmocka_unit_test(test_compare_paired_edges),
		cmocka_unit_test(test_compare_constant_rows_not_tested),
		cmocka_unit_test(test_compare_floor_without_aa),
		cmocka_unit_test(test_compare_metric_filter_and_too_few),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
