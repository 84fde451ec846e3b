// SPDX-License-Identifier: GPL-2.0
/*
 * bench/analysis/stats.c - order statistics, bootstrap intervals of ratios of medians
 * and least-squares lines with Student t intervals.
 *
 * Functions returning a double return NAN on empty or invalid input, after
 * fl_fail(EINVAL, ...); functions returning int return 0 or a negative errno.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/analysis/stats.h"
#include "bench/err.h"

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static double invalid(const char *fn, const char *why)
{
	fl_fail(EINVAL, "%s: %s", fn, why);
	return NAN;
}

double fl_mean(const double *x, size_t n)
{
	double sum = 0;
	size_t i;

	if (!x || !n)
		return invalid("fl_mean", "no samples");
	for (i = 0; i < n; i++)
		sum += x[i];
	return sum / n;
}

/* Two passes: the sum of squared deviations, not E[x^2] - E[x]^2, which cancels. */
double fl_stddev(const double *x, size_t n)
{
	double m, ss = 0;
	size_t i;

	if (!x || n < 2)
		return invalid("fl_stddev", "need at least 2 samples");
	m = fl_mean(x, n);
	for (i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	return sqrt(ss / (n - 1));
}

double fl_cv(const double *x, size_t n)
{
	double m;

	if (!x || n < 2)
		return invalid("fl_cv", "need at least 2 samples");
	m = fl_mean(x, n);
	if (m == 0)
		return invalid("fl_cv", "mean is zero");
	return fl_stddev(x, n) / fabs(m);
}

/* Type 7 on an already sorted array: h = (n - 1) q, interpolate x[h] .. x[h + 1]. */
static double sorted_quantile(const double *s, size_t n, double q)
{
	double h = (n - 1) * q;
	size_t lo = (size_t)floor(h);

	if (lo >= n - 1)
		return s[n - 1];
	/* Equal neighbours are returned as they are: inf - inf would give NaN. */
	if (h == lo || s[lo] == s[lo + 1])
		return s[lo];
	return s[lo] + (h - lo) * (s[lo + 1] - s[lo]);
}

/* The percentile bootstrap's interval at conf from the n resampled statistics r (sorted here). */
static void percentile_interval(double *r, size_t n, double conf, struct fl_ci *out)
{
	double alpha = 1 - conf;

	qsort(r, n, sizeof(*r), cmp_double);
	out->lo = sorted_quantile(r, n, alpha / 2);
	out->hi = sorted_quantile(r, n, 1 - alpha / 2);
}

double fl_quantile(const double *x, size_t n, double q)
{
	double *s, v;

	if (!x || !n)
		return invalid("fl_quantile", "no samples");
	if (!(q >= 0 && q <= 1))
		return invalid("fl_quantile", "q outside [0,1]");
	/* Sort a copy: callers keep their samples in the order they were taken. */
	s = malloc(n * sizeof(*s));
	if (!s) {
		fl_fail(ENOMEM, "fl_quantile: no memory for %zu samples", n);
		return NAN;
	}
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	v = sorted_quantile(s, n, q);
	free(s);
	return v;
}

double fl_median(const double *x, size_t n)
{
	return fl_quantile(x, n, 0.5);
}

/* The smallest (sign 1) or largest (sign -1) of x; who asked names the error. */
static double extreme(const double *x, size_t n, int sign, const char *who)
{
	double m;
	size_t i;

	if (!x || !n)
		return invalid(who, "no samples");
	m = x[0];
	for (i = 1; i < n; i++)
		if (sign * x[i] < sign * m)
			m = x[i];
	return m;
}

double fl_min(const double *x, size_t n)
{
	return extreme(x, n, 1, "fl_min");
}

double fl_max(const double *x, size_t n)
{
	return extreme(x, n, -1, "fl_max");
}

uint64_t fl_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The high half of a 64x64 product: bias below 2^-40 for the n used here. */
size_t fl_draw_index(uint64_t *state, size_t n)
{
	return (size_t)(((unsigned __int128)fl_splitmix64(state) * n) >> 64);
}

double fl_resampled_median(const double *x, size_t n, double *buf, uint64_t *state)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = x[fl_draw_index(state, n)];
	qsort(buf, n, sizeof(*buf), cmp_double);
	return sorted_quantile(buf, n, 0.5);
}

/*
 * A resample whose b median is zero has no finite ratio: count it as an
 * infinity so that the interval opens instead of the run failing.
 */
static double ratio(double num, double den)
{
	if (den != 0)
		return num / den;
	return num < 0 ? -INFINITY : INFINITY;
}

/* How many runs the groups name: one more than the largest; 0 for none. */
static int count_runs(const int *g, size_t n)
{
	int k = 0;

	for (size_t i = 0; g && i < n; i++)
		if (g[i] + 1 > k)
			k = g[i] + 1;
	return k;
}

/* The median of k runs drawn with replacement, all their values pooled. */
static double resampled_runs_median(const double *x, const int *g, size_t n, int k,
				    double *buf, uint64_t *state)
{
	size_t m = 0;

	for (int d = 0; d < k; d++) {
		int run = (int)fl_draw_index(state, (size_t)k);

		for (size_t i = 0; i < n; i++)
			if (g[i] == run)
				buf[m++] = x[i];
	}
	/* a run without values (filtered out) can be drawn k times over */
	if (!m)
		return NAN;
	qsort(buf, m, sizeof(*buf), cmp_double);
	return sorted_quantile(buf, m, 0.5);
}

/* One side's resampled median: by run when it has two or more, else by value. */
static double resampled_side(const double *x, const int *g, size_t n, int k, double *buf,
			     uint64_t *state)
{
	if (k >= 2)
		return resampled_runs_median(x, g, n, k, buf, state);
	return fl_resampled_median(x, n, buf, state);
}

int fl_ratio_of_medians_by_run(const double *a, const int *ga, size_t na,
			       const double *b, const int *gb, size_t nb,
			       double conf, unsigned iters, uint64_t seed,
			       struct fl_ci *out)
{
	double *buf, *r, mb;
	uint64_t state = seed;
	int ka, kb;
	size_t cap;
	unsigned i, kept = 0;

	if (!a || !b || !na || !nb || !out)
		return fl_fail(EINVAL, "ratio of medians: empty sample (%zu / %zu values)",
			       a ? na : 0, b ? nb : 0);
	if (!(conf > 0 && conf < 1) || !iters)
		return fl_fail(EINVAL, "ratio of medians: conf %g must be in (0,1), iters %u > 0",
			       conf, iters);
	mb = fl_median(b, nb);
	if (isnan(mb))
		return -ENOMEM;
	if (mb == 0)
		return fl_fail(EINVAL, "ratio of medians: median of the denominator is 0");

	ka = count_runs(ga, na);
	kb = count_runs(gb, nb);
	/* k runs drawn, each at most all n values: k x n holds any resample */
	cap = na * (size_t)(ka > 1 ? ka : 1);
	if (nb * (size_t)(kb > 1 ? kb : 1) > cap)
		cap = nb * (size_t)(kb > 1 ? kb : 1);
	buf = malloc(cap * sizeof(*buf));
	r = malloc((size_t)iters * sizeof(*r));
	if (!buf || !r) {
		free(buf);
		free(r);
		return fl_fail(ENOMEM, "ratio of medians: no memory for %u resamples", iters);
	}
	/* a and b are resampled independently: they are separate runs. */
	for (i = 0; i < iters; i++) {
		double ma = resampled_side(a, ga, na, ka, buf, &state);
		double mbr = resampled_side(b, gb, nb, kb, buf, &state);

		if (!isnan(ma) && !isnan(mbr))
			r[kept++] = ratio(ma, mbr);
	}
	if (!kept) {
		free(buf);
		free(r);
		return fl_fail(EINVAL, "ratio of medians: no resample had values on both sides");
	}
	percentile_interval(r, kept, conf, out);
	out->est = fl_median(a, na) / mb;
	free(buf);
	free(r);
	return 0;
}

int fl_ratio_of_medians(const double *a, size_t na, const double *b, size_t nb,
			double conf, unsigned iters, uint64_t seed,
			struct fl_ci *out)
{
	return fl_ratio_of_medians_by_run(a, NULL, na, b, NULL, nb, conf, iters, seed, out);
}

int fl_median_boot(const double *x, size_t n, double conf, unsigned iters, uint64_t seed,
		   struct fl_ci *out)
{
	double *buf, *m;
	uint64_t state = seed;
	unsigned i;

	if (!x || !n || !out)
		return fl_fail(EINVAL, "median interval: no values");
	if (!(conf > 0 && conf < 1) || !iters)
		return fl_fail(EINVAL, "median interval: conf %g must be in (0,1), iters %u > 0",
			       conf, iters);
	buf = malloc(n * sizeof(*buf));
	m = malloc((size_t)iters * sizeof(*m));
	if (!buf || !m) {
		free(buf);
		free(m);
		return fl_fail(ENOMEM, "median interval: no memory for %u resamples", iters);
	}
	for (i = 0; i < iters; i++)
		m[i] = fl_resampled_median(x, n, buf, &state);
	percentile_interval(m, iters, conf, out);
	out->est = fl_median(x, n);
	free(buf);
	free(m);
	return 0;
}

/*
 * Continued fraction of the regularized incomplete beta function I_x(a, b),
 * evaluated with the modified Lentz method; converges fast for
 * x < (a + 1) / (a + b + 2), the caller uses the symmetry otherwise.
 */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d, f;
	int m;

	d = 1 - (a + b) * x / (a + 1);
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	f = d;
	for (m = 1; m <= 1000; m++) {
		double num, delta;

		/* even step: d_2m = m (b - m) x / ((a + 2m - 1)(a + 2m)) */
		num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		d = 1 + num * d;
		c = 1 + num / c;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		if (fabs(c) < tiny)
			c = tiny;
		f *= d * c;
		/* odd step: d_2m+1 = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) */
		num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		d = 1 + num * d;
		c = 1 + num / c;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		if (fabs(c) < tiny)
			c = tiny;
		delta = d * c;
		f *= delta;
		if (fabs(delta - 1) < 1e-15)
			break;
	}
	return f;
}

static double inc_beta(double a, double b, double x)
{
	double lfront;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lfront) * beta_cf(a, b, x) / a;
	return 1 - exp(lfront) * beta_cf(b, a, 1 - x) / b;
}

/* P(T > t) for t >= 0 with df degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2) / 2. */
static double t_upper_tail(double t, double df)
{
	return 0.5 * inc_beta(df / 2, 0.5, df / (df + t * t));
}

double fl_t_quantile(double p, double df)
{
	double lo = 0, hi = 1, tail;
	int i;

	if (!(p > 0 && p < 1) || !(df > 0))
		return invalid("fl_t_quantile", "need 0 < p < 1 and df > 0");
	if (p < 0.5)
		return -fl_t_quantile(1 - p, df);
	tail = 1 - p;
	/* The tail falls monotonically in t: bracket, then bisect to the last bit. */
	while (t_upper_tail(hi, df) > tail && hi < 1e300)
		hi *= 2;
	for (i = 0; i < 2000 && hi - lo > 1e-13 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (t_upper_tail(mid, df) > tail)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

int fl_linfit(const double *x, const double *y, size_t n, struct fl_fit *f)
{
	double mx, my, sxx = 0, sxy = 0, syy = 0, sse = 0, se, half;
	size_t i;

	if (!x || !y || !f || n < 3)
		return fl_fail(EINVAL, "linear fit: need at least 3 points, got %zu",
			       x && y ? n : 0);
	mx = fl_mean(x, n);
	my = fl_mean(y, n);
	for (i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (sxx == 0)
		return fl_fail(EINVAL, "linear fit: all %zu x values are %g", n, x[0]);

	f->slope = sxy / sxx;
	f->intercept = my - f->slope * mx;
	/* Residuals summed directly: syy - slope * sxy cancels on near-exact lines. */
	for (i = 0; i < n; i++) {
		double e = y[i] - (f->intercept + f->slope * x[i]);

		sse += e * e;
	}
	/* A constant y is fitted exactly by a flat line. */
	f->r2 = syy > 0 ? 1 - sse / syy : 1;
	se = sqrt(sse / (n - 2) / sxx);
	half = fl_t_quantile(0.975, n - 2) * se;
	f->slope_lo = f->slope - half;
	f->slope_hi = f->slope + half;
	return 0;
}
