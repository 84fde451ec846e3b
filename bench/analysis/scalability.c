// SPDX-License-Identifier: GPL-2.0
/* The Universal Scalability Law, fitted by Gunther's linearisation (scalability.h). */
#include <errno.h>
#include <math.h>

#include "bench/analysis/scalability.h"
#include "bench/err.h"

int fl_usl_fit(const double *n, const double *x, size_t k, struct fl_usl *u)
{
	double lambda = NAN, sxx = 0, sxz = 0, szz = 0, sxy = 0, szy = 0, det;
	size_t past_one = 0;

	for (size_t i = 0; i < k; i++) {
		if (!(n[i] >= 1) || !(x[i] > 0) || !isfinite(x[i]))
			return fl_fail(EINVAL, "scalability: point %zu (N=%g, X=%g) is not a "
				       "concurrency of 1 or more with a positive throughput",
				       i, n[i], x[i]);
		if (n[i] == 1)
			lambda = x[i];
		else
			past_one++;
	}
	if (isnan(lambda) || !past_one)
		return fl_fail(EINVAL, "scalability: needs N = 1 and at least one N above it");
	/* y = sigma a + kappa b, a = N - 1, b = N (N - 1): normal equations */
	for (size_t i = 0; i < k; i++) {
		double a = n[i] - 1, b = n[i] * (n[i] - 1), y = n[i] * lambda / x[i] - 1;

		sxx += a * a;
		sxz += a * b;
		szz += b * b;
		sxy += a * y;
		szy += b * y;
	}
	det = sxx * szz - sxz * sxz;
	*u = (struct fl_usl){ .lambda = lambda };
	if (past_one < 2 || fabs(det) < 1e-12 * sxx * szz) {
		u->sigma = sxy / sxx;		/* Amdahl: kappa = 0 */
		return 0;
	}
	u->sigma = (sxy * szz - szy * sxz) / det;
	u->kappa = (szy * sxx - sxy * sxz) / det;
	return 0;
}

double fl_usl_at(const struct fl_usl *u, double n)
{
	return u->lambda * n / (1 + u->sigma * (n - 1) + u->kappa * n * (n - 1));
}
