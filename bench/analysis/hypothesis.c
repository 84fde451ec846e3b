// SPDX-License-Identifier: GPL-2.0
/*
 * bench/analysis/hypothesis.c - the tests a comparison rests on (see hypothesis.h).
 *
 * The U test asks whether B's samples tend to lie above or below A's, with no
 * assumption on their distribution (benchmark samples are skewed and
 * multi-modal); the signed-rank test asks the same of pairs of runs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/analysis/hypothesis.h"
#include "bench/analysis/stats.h"
#include "bench/err.h"

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* ---- Mann-Whitney U ------------------------------------------------------ */

struct tagged {
	double v;
	int from_a;
};

static int cmp_tagged(const void *pa, const void *pb)
{
	const struct tagged *a = pa, *b = pb;

	return (a->v > b->v) - (a->v < b->v);
}

/*
 * P(X <= x) and P(X >= x) of a statistic whose null distribution has count[k]
 * ways of taking the value k, 0 <= k <= kmax.
 */
static void null_tails(const double *count, size_t kmax, double x, double *lo, double *hi)
{
	double total = 0, below = 0, above = 0;

	for (size_t k = 0; k <= kmax; k++) {
		total += count[k];
		if (k <= x + 1e-9)
			below += count[k];
		if (k >= x - 1e-9)
			above += count[k];
	}
	*lo = below / total;
	*hi = above / total;
}

/*
 * The exact null distribution of U for sizes (m, n), by the recurrence on the
 * largest observation: it is either an a, above all n b's (U gains n), or a b
 * (U gains nothing).  c[i] holds the counts for i a's and the j b's so far.
 * Returns P(U <= u) and P(U >= u) through lo and hi.
 */
static int exact_tails(size_t m, size_t n, double u, double *lo, double *hi)
{
	size_t umax = m * n, i, j, k;
	double *c;

	c = calloc((m + 1) * (umax + 1), sizeof(*c));
	if (!c)
		return fl_fail(ENOMEM, "U test: no memory for the exact distribution (%zu x %zu)",
			       m, n);
	for (i = 0; i <= m; i++)
		c[i * (umax + 1)] = 1;		/* no b's yet: U = 0 */
	for (j = 1; j <= n; j++) {
		for (i = 1; i <= m; i++) {
			double *row = c + i * (umax + 1), *prev = c + (i - 1) * (umax + 1);

			/* High u first: prev is already at j, row still at j - 1. */
			for (k = i * j + 1; k-- > j;)
				row[k] += prev[k - j];
		}
	}
	null_tails(c + m * (umax + 1), umax, u, lo, hi);
	free(c);
	return 0;
}

/* Ranks with ties at their mid-rank; the rank sum of a and the sum of t^3 - t. */
static int rank_sum(const double *a, size_t na, const double *b, size_t nb,
		    double *ra, double *ties)
{
	size_t n = na + nb, i, j;
	struct tagged *t = malloc(n * sizeof(*t));

	if (!t)
		return fl_fail(ENOMEM, "U test: no memory for %zu samples", n);
	for (i = 0; i < na; i++)
		t[i] = (struct tagged){ a[i], 1 };
	for (i = 0; i < nb; i++)
		t[na + i] = (struct tagged){ b[i], 0 };
	qsort(t, n, sizeof(*t), cmp_tagged);
	*ra = 0;
	*ties = 0;
	for (i = 0; i < n; i = j) {
		double mid, cnt;

		for (j = i + 1; j < n && t[j].v == t[i].v; j++)
			;
		cnt = (double)(j - i);
		mid = (double)(i + 1 + j) / 2;	/* ranks i+1 .. j */
		for (size_t k = i; k < j; k++)
			if (t[k].from_a)
				*ra += mid;
		*ties += cnt * cnt * cnt - cnt;
	}
	free(t);
	return 0;
}

static bool all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

int fl_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		    struct fl_utest *out)
{
	double ra = 0, ties = 0, lo = 1, hi = 1, mu, var, d, n;
	int err;

	if (!a || !b || !na || !nb || !out)
		return fl_fail(EINVAL, "U test: empty sample (%zu / %zu values)", na, nb);
	if (!all_finite(a, na) || !all_finite(b, nb))
		return fl_fail(EINVAL, "U test: a sample is not a finite number");
	err = rank_sum(a, na, b, nb, &ra, &ties);
	if (err)
		return err;
	out->u = ra - (double)na * (na + 1) / 2;
	out->z = 0;
	out->exact = ties == 0 && na * nb <= FL_UTEST_EXACT_MAX;
	if (out->exact) {
		err = exact_tails(na, nb, out->u, &lo, &hi);
		if (err)
			return err;
		out->p = fmin(1, 2 * fmin(lo, hi));
		return 0;
	}
	n = (double)(na + nb);
	mu = (double)na * nb / 2;
	var = (double)na * nb / 12 * ((n + 1) - ties / (n * (n - 1)));
	if (var <= 0) {			/* every value the same */
		out->p = 1;
		return 0;
	}
	d = fmax(0, fabs(out->u - mu) - 0.5);
	out->z = copysign(d / sqrt(var), out->u - mu);
	out->p = fmin(1, erfc(d / sqrt(var) / M_SQRT2));
	return 0;
}

/* ---- Wilcoxon signed-rank ----------------------------------------------- */

static int cmp_abs(const void *pa, const void *pb)
{
	double a = fabs(*(const double *)pa), b = fabs(*(const double *)pb);

	return (a > b) - (a < b);
}

/*
 * P(W+ <= w) and P(W+ >= w) for m differences without ties: each rank 1..m
 * is in W+ or not, all 2^m ways alike under the null; c[k] counts the ways
 * the ranks so far sum to k.
 */
static int srank_exact_tails(size_t m, double w, double *lo, double *hi)
{
	size_t smax = m * (m + 1) / 2, r, k;
	double *c = calloc(smax + 1, sizeof(*c));

	if (!c)
		return fl_fail(ENOMEM, "signed-rank test: no memory for %zu differences", m);
	c[0] = 1;
	for (r = 1; r <= m; r++)
		for (k = r * (r + 1) / 2 + 1; k-- > r;)
			c[k] += c[k - r];
	null_tails(c, smax, w, lo, hi);
	free(c);
	return 0;
}

int fl_signed_rank(const double *d, size_t n, struct fl_utest *out)
{
	double *s, wplus = 0, ties = 0, mu, var, dev, lo = 1, hi = 1;
	size_t m = 0, i, j;
	int err = 0;

	if (!d || !n || !out)
		return fl_fail(EINVAL, "signed-rank test: no differences");
	s = malloc(n * sizeof(*s));
	if (!s)
		return fl_fail(ENOMEM, "signed-rank test: no memory for %zu differences", n);
	for (i = 0; i < n; i++) {
		if (isnan(d[i])) {
			free(s);
			return fl_fail(EINVAL, "signed-rank test: a difference is not a number");
		}
		if (d[i] != 0)
			s[m++] = d[i];
	}
	qsort(s, m, sizeof(*s), cmp_abs);
	for (i = 0; i < m; i = j) {
		double cnt;

		for (j = i + 1; j < m && fabs(s[j]) == fabs(s[i]); j++)
			;
		cnt = (double)(j - i);
		for (size_t k = i; k < j; k++)
			if (s[k] > 0)
				wplus += (double)(i + 1 + j) / 2;	/* ranks i+1 .. j */
		ties += cnt * cnt * cnt - cnt;
	}
	free(s);
	*out = (struct fl_utest){ .u = wplus, .p = 1 };
	if (!m)
		return 0;
	out->exact = ties == 0 && m <= FL_SRANK_EXACT_MAX;
	if (out->exact) {
		err = srank_exact_tails(m, wplus, &lo, &hi);
		if (!err)
			out->p = fmin(1, 2 * fmin(lo, hi));
		return err;
	}
	mu = (double)m * (m + 1) / 4;
	var = (double)m * (m + 1) * (2 * m + 1) / 24 - ties / 48;
	if (var <= 0)
		return 0;
	dev = fmax(0, fabs(wplus - mu) - 0.5);
	out->z = copysign(dev / sqrt(var), wplus - mu);
	out->p = fmin(1, erfc(dev / sqrt(var) / M_SQRT2));
	return 0;
}

/* ---- Benjamini-Hochberg -------------------------------------------------- */

struct indexed {
	double p;
	size_t i;
};

static int cmp_indexed(const void *pa, const void *pb)
{
	const struct indexed *a = pa, *b = pb;

	if (a->p != b->p)
		return (a->p > b->p) - (a->p < b->p);
	return (a->i > b->i) - (a->i < b->i);
}

int fl_bh_adjust(const double *p, size_t n, double *q)
{
	struct indexed *s;
	size_t m = 0, i;
	double run = 1;

	if (!n)
		return 0;
	if (!p || !q)
		return fl_fail(EINVAL, "BH: no p-values");
	s = malloc(n * sizeof(*s));
	if (!s)
		return fl_fail(ENOMEM, "BH: no memory for %zu p-values", n);
	for (i = 0; i < n; i++) {
		q[i] = NAN;
		if (!isnan(p[i]))
			s[m++] = (struct indexed){ p[i], i };
	}
	qsort(s, m, sizeof(*s), cmp_indexed);
	/* q_(k) = min over j >= k of p_(j) m / j, from the largest down. */
	for (i = m; i-- > 0;) {
		double v = s[i].p * (double)m / (double)(i + 1);

		run = fmin(run, v);
		q[s[i].i] = run;
	}
	free(s);
	return 0;
}

/* ---- intervals ----------------------------------------------------------- */

static double log_binom_pmf_half(size_t n, size_t k)
{
	return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) - n * M_LN2;
}

int fl_median_ci(const double *x, size_t n, double conf, struct fl_ci *out,
		 double *coverage)
{
	double half = (1 - conf) / 2, cum;
	double *s;
	size_t k;

	if (!x || !n || !out)
		return fl_fail(EINVAL, "median interval: no samples");
	if (!(conf > 0 && conf < 1))
		return fl_fail(EINVAL, "median interval: conf %g not in (0,1)", conf);
	s = malloc(n * sizeof(*s));
	if (!s)
		return fl_fail(ENOMEM, "median interval: no memory for %zu samples", n);
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);

	/* k: the largest with P(B <= k - 1) <= half, B ~ Binomial(n, 1/2); at least 1. */
	cum = exp(log_binom_pmf_half(n, 0));
	for (k = 1; k < (n + 1) / 2; k++) {
		double next = cum + exp(log_binom_pmf_half(n, k));

		if (next > half)
			break;
		cum = next;
	}
	out->est = fl_median(x, n);
	out->lo = s[k - 1];
	out->hi = s[n - k];
	if (coverage)
		*coverage = fmax(0, 1 - 2 * cum);
	free(s);
	return 0;
}
