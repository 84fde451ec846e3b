/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/analysis/hypothesis.h - distribution-free tests and intervals: Mann-Whitney U,
 * Wilcoxon's signed-rank test, Benjamini-Hochberg, and the median's
 * interval between order statistics.  What Google Benchmark does not give.
 */
#ifndef FL_HYPOTHESIS_H
#define FL_HYPOTHESIS_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/analysis/stats.h"

struct fl_utest {
	double u;		/* U of a: pairs (a_i, b_j) with a_i > b_j, ties count 1/2;
				   for the signed-rank test, W+ */
	double z;		/* normal approximation; 0 when exact */
	double p;		/* two-sided */
	bool exact;		/* from the exact distribution (no ties, small samples) */
};

/*
 * Mann-Whitney U (Wilcoxon rank-sum), two-sided.  Exact when there are no
 * ties and na * nb <= FL_UTEST_EXACT_MAX, else the normal approximation with
 * the tie correction and a continuity correction.  -EINVAL on empty input.
 */
#define FL_UTEST_EXACT_MAX	2500
int fl_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		    struct fl_utest *out);

/*
 * Wilcoxon signed-rank, two-sided: whether the differences d[0..n) lie
 * symmetrically about 0 (for pairs of runs, d is the log of each pair's
 * ratio).  Zeros are dropped (Wilcoxon's convention); ties of |d| take their
 * mid-rank.  Exact when there are no ties and at most FL_SRANK_EXACT_MAX
 * differences are left, else the normal approximation with the tie and
 * continuity corrections.  All zero: p = 1.  -EINVAL on empty or NaN input.
 */
#define FL_SRANK_EXACT_MAX	50
int fl_signed_rank(const double *d, size_t n, struct fl_utest *out);

/* Benjamini-Hochberg adjusted p-values (q) of p[0..n); NaN p gives NaN q. */
int fl_bh_adjust(const double *p, size_t n, double *q);

/*
 * The median of x with a distribution-free interval between two order
 * statistics (binomial, p = 1/2), at least conf where n allows it; the
 * coverage it reaches goes to *coverage (NULL to ignore).  Where n is too
 * small for conf (n < 9 at 95%) it is [min, max], which covers 1 - 2^(1-n).
 */
int fl_median_ci(const double *x, size_t n, double conf, struct fl_ci *out,
		 double *coverage);

#endif
