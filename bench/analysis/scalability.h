/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/analysis/scalability.h - Gunther's Universal Scalability Law, for
 * predicting a claim's figure on a machine larger than this one:
 *
 *	X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))
 *
 * with sigma the contention (serialisation) and kappa the coherency
 * (crosstalk) cost.  A prediction from it is a model's extrapolation, to be
 * shown as such beside a verdict, never as one.
 *
 * The fit is Gunther's own: with C(N) = X(N) / X(1), the deviation from
 * linear scaling N / C(N) - 1 = sigma x + kappa x (x + 1), x = N - 1, is
 * linear in sigma and kappa, so least squares needs no iteration.
 */
#ifndef FL_SCALABILITY_H
#define FL_SCALABILITY_H

#include <stddef.h>

struct fl_usl {
	double lambda;		/* X(1): throughput of one */
	double sigma, kappa;
};

/*
 * Fits the USL to throughputs x[i] at concurrency n[i], i < k; one n[i] must
 * be 1 (it gives lambda) and at least one other must exceed it.  With one
 * point past N = 1, kappa is taken as 0 (Amdahl's law).  0, or -EINVAL
 * after fl_fail().
 */
int fl_usl_fit(const double *n, const double *x, size_t k, struct fl_usl *u);

/* The model's throughput at concurrency n. */
double fl_usl_at(const struct fl_usl *u, double n);

#endif
