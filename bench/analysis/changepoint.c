// SPDX-License-Identifier: GPL-2.0
/*
 * bench/analysis/changepoint.c - E-Divisive means with a permutation test.
 *
 * For a split of a segment of N points at tau (left [0, tau), right
 * [tau, N)), with alpha = 1 in the energy distance:
 *
 *   E = 2/(tau (N-tau)) B - 2/(tau (tau-1)) L - 2/((N-tau)(N-tau-1)) R
 *   q = tau (N-tau) / N * E
 *
 * where B sums |x_i - x_j| across the split, L and R within each side.  As
 * in MongoDB's and Otava's use, the right side runs to the end of the
 * segment.  Moving tau by one moves one point from R to L, so all the splits
 * of a segment cost O(N^2) together.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bench/analysis/changepoint.h"
#include "bench/analysis/stats.h"
#include "bench/err.h"

static double split_stat(double n, double tau, double b, double l, double r)
{
	double e = 2 * b / (tau * (n - tau)) - 2 * l / (tau * (tau - 1)) -
		   2 * r / ((n - tau) * (n - tau - 1));

	return tau * (n - tau) / n * e;
}

double fl_edivisive_best(const double *x, size_t n, size_t min_size, size_t *tau)
{
	double total = 0, left = 0, right, best = -1;
	size_t i, j, t;

	*tau = 0;
	if (min_size < 2)
		min_size = 2;	/* a side of one point has no within-side distance */
	if (n < 2 * min_size)
		return -1;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			total += fabs(x[i] - x[j]);
	right = total;
	/* t points on the left: move x[t - 1] over from the right. */
	for (t = 1; t + min_size <= n; t++) {
		const double v = x[t - 1];
		double to_left = 0, to_right = 0;

		for (i = 0; i + 1 < t; i++)
			to_left += fabs(v - x[i]);
		for (j = t; j < n; j++)
			to_right += fabs(v - x[j]);
		left += to_left;
		right -= to_right;
		if (t >= min_size) {
			double q = split_stat((double)n, (double)t, total - left - right, left,
					      right);

			if (q > best) {
				best = q;
				*tau = t;
			}
		}
	}
	return best;
}

static void shuffle(double *x, size_t n, uint64_t *state)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = fl_draw_index(state, i);
		double t = x[i - 1];

		x[i - 1] = x[j];
		x[j] = t;
	}
}

/*
 * The share of permutations of the segment whose best split is at least as
 * strong as the one observed, counting the observed order as one of them.
 */
static double permutation_p(const double *x, size_t n, double stat,
			    const struct fl_cp_opts *o, uint64_t *state)
{
	double *y = malloc(n * sizeof(*y));
	unsigned k, ge = 0;
	size_t tau;

	if (!y)
		return NAN;
	memcpy(y, x, n * sizeof(*y));
	for (k = 0; k < o->permutations; k++) {
		shuffle(y, n, state);
		if (fl_edivisive_best(y, n, o->min_size, &tau) >= stat)
			ge++;
	}
	free(y);
	return (ge + 1.0) / (o->permutations + 1.0);
}

struct segment {
	size_t start, end;	/* [start, end) */
	size_t tau;		/* best split, absolute index; 0: none */
	double stat;
};

static void best_of(const double *x, struct segment *s, size_t min_size)
{
	size_t tau;

	s->stat = fl_edivisive_best(x + s->start, s->end - s->start, min_size, &tau);
	s->tau = s->stat > 0 ? s->start + tau : 0;
}

static int check(const double *x, size_t n, const struct fl_cp_opts *o)
{
	if (!o || !o->permutations || !(o->alpha > 0 && o->alpha < 1))
		return fl_fail(EINVAL, "change points: need permutations > 0 and 0 < alpha < 1");
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return fl_fail(EINVAL, "change points: point %zu is not a finite number",
				       i);
	return 0;
}

static int cmp_cp(const void *pa, const void *pb)
{
	const struct fl_changepoint *a = pa, *b = pb;

	return (a->index > b->index) - (a->index < b->index);
}

int fl_edivisive(const double *x, size_t n, const struct fl_cp_opts *o,
		 struct fl_changepoint *cp, size_t max, size_t *ncp)
{
	struct segment *seg;
	uint64_t state;
	size_t nseg = 1;
	int err;

	*ncp = 0;
	err = check(x, n, o);
	if (err || n < 2)
		return err;
	state = o->seed;
	/* Every accepted change point splits one segment in two: at most max + 1. */
	seg = calloc(max + 1, sizeof(*seg));
	if (!seg)
		return fl_fail(ENOMEM, "change points: no memory for %zu segments", max + 1);
	seg[0] = (struct segment){ .start = 0, .end = n };
	best_of(x, &seg[0], o->min_size);

	while (*ncp < max) {
		struct segment *s = NULL;
		double p;

		for (size_t i = 0; i < nseg; i++)
			if (seg[i].tau && (!s || seg[i].stat > s->stat))
				s = &seg[i];
		if (!s)
			break;
		p = permutation_p(x + s->start, s->end - s->start, s->stat, o, &state);
		if (isnan(p)) {
			free(seg);
			return fl_fail(ENOMEM, "change points: no memory to permute");
		}
		if (p > o->alpha)
			break;
		cp[(*ncp)++] = (struct fl_changepoint){ s->tau, s->stat, p };
		seg[nseg] = (struct segment){ .start = s->tau, .end = s->end };
		s->end = s->tau;
		best_of(x, s, o->min_size);
		best_of(x, &seg[nseg], o->min_size);
		nseg++;
	}
	free(seg);
	qsort(cp, *ncp, sizeof(*cp), cmp_cp);
	return 0;
}
