/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/analysis/changepoint.h - change points in a series of results, by E-Divisive
 * means (Matteson and James, "A nonparametric approach for multiple change
 * point analysis of multivariate data", JASA 2014), as MongoDB (Daly et al.,
 * ICPE 2020) and Apache Otava use it on performance histories: the split that
 * maximises the energy distance between the two sides, accepted when a
 * permutation test finds it significant, then each side searched again.
 */
#ifndef FL_CHANGEPOINT_H
#define FL_CHANGEPOINT_H

#include <stddef.h>
#include <stdint.h>

struct fl_cp_opts {
	unsigned permutations;	/* per candidate; 199 */
	double alpha;		/* a candidate is kept when p <= alpha; 0.01 */
	size_t min_size;	/* the fewest points of a segment; 3 */
	uint64_t seed;		/* the permutations' generator: same data, same answer */
};

#define FL_CP_OPTS_DEFAULT { .permutations = 199, .alpha = 0.01, .min_size = 3, \
			     .seed = 0xc4a9e5ULL }

struct fl_changepoint {
	size_t index;		/* the first point after the change */
	double stat;		/* the divergence statistic q-hat of the split */
	double p;		/* permutation p-value */
};

/*
 * The change points of x[0..n), in ascending index order, at most max of them
 * into cp; their number into *ncp.  -EINVAL on a NaN or bad options.
 */
int fl_edivisive(const double *x, size_t n, const struct fl_cp_opts *o,
		 struct fl_changepoint *cp, size_t max, size_t *ncp);

/*
 * q-hat of the best split of x[0..n) into [0, tau) and [tau, n), with both
 * sides at least min_size long; -1 stat (and tau 0) when n < 2 * min_size.
 */
double fl_edivisive_best(const double *x, size_t n, size_t min_size, size_t *tau);

#endif
