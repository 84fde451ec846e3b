/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/claims/series.h - what every claim does with a run: two variants of
 * one workload's metric over a swept parameter (old and new against M,
 * classic and speculative against T), point by point, with medians, ranges,
 * their ratio and its bootstrap interval, a straight-line fit through any
 * function of the points, and the arrays a plot of them needs.
 *
 * Everything is allocated per call and freed by its _free(): a claim keeps
 * no state between runs.
 */
#ifndef FL_CLAIMS_SERIES_H
#define FL_CLAIMS_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/analysis/stats.h"
#include "bench/report/plot.h"
#include "bench/results.h"

/* The ratios' intervals: 95%, 2000 resamples (the claim gives the seed). */
#define FL_SERIES_CONF		0.95
#define FL_SERIES_BOOT_ITERS	2000

/* One variant at one point: the median of its repetitions and their range. */
struct fl_spread {
	double med, lo, hi;
};

struct fl_pair_point {
	double x;			/* the swept parameter's value */
	const char *params;		/* its parameter set, in the run's strings */
	struct fl_spread base, other;
	/*
	 * other / base with its bootstrap interval: in a run made in pairs,
	 * the median of the pairs' ratios (pairs of them); otherwise the
	 * ratio of the medians (pairs 0).
	 */
	struct fl_ci ratio;
	size_t pairs;
};

/* What to collect: "other" against "base" of workload's metric over param. */
struct fl_pair_spec {
	const char *workload, *metric, *param;
	const char *base, *other;	/* variants */
	uint64_t seed;			/* of the ratios' bootstrap */
	/* NULL, or "name=value": only the parameter sets with that value */
	const char *where;
};

/* Whether params has where's "name=value" (NULL where: any params has). */
bool fl_params_where(const char *params, const char *where);

struct fl_pair_series {
	struct fl_pair_point *p;	/* by ascending x */
	size_t n;
};

/*
 * The points where both variants have samples, one per value of the swept
 * parameter (where several parameter sets share a value, the first counts).
 * 0 or a negative errno; an empty series is no error.
 */
int fl_pair_series_collect(const struct fl_run *r, const struct fl_pair_spec *spec,
			   struct fl_pair_series *s);
void fl_pair_series_free(struct fl_pair_series *s);
/* Whether the run's variants ran back to back, repetition by repetition. */
bool fl_run_in_pairs(const struct fl_run *r);

/*
 * other / base at one point: by pairs where the run ran in pairs and both
 * sides have the same repetitions (*pairs set to their count), else the ratio
 * of the medians (*pairs 0).
 */
int fl_pair_ratio(const struct fl_run *r, const double *base, size_t nbase,
		  const double *other, size_t nother, uint64_t seed, struct fl_ci *ci,
		  size_t *pairs);

/* The point at x, or NULL. */
const struct fl_pair_point *fl_pair_series_at(const struct fl_pair_series *s, double x);
/* spec's point at x, collected and copied out: 0, or -ENODATA (or -errno). */
int fl_pair_point_at(const struct fl_run *r, const struct fl_pair_spec *spec, double x,
		     struct fl_pair_point *out);

/* Least squares of fy(point) against fx(x) over the points (fx NULL: x itself). */
int fl_pair_series_fit(const struct fl_pair_series *s, double (*fx)(double x),
		       double (*fy)(const struct fl_pair_point *p), struct fl_fit *fit);

/*
 * One variant of workload's metric at param == x (other parameters may be
 * anything; the first set that has it counts); 0, or -ENODATA.
 */
int fl_variant_at(const struct fl_run *r, const char *workload, const char *metric,
		  const char *variant, const char *param, double x, struct fl_spread *out);

/*
 * A variant's metric at the parameter set params (NULL: any): its values into
 * a malloc'd *out; how many (0: none, *out NULL).
 */
size_t fl_variant_values(const struct fl_run *r, const char *workload, const char *variant,
			 const char *params, const char *metric, double **out);

/* A variant's metric at the parameter set params: 0, or -ENODATA. */
int fl_variant_spread(const struct fl_run *r, const char *workload, const char *variant,
		      const char *params, const char *metric, struct fl_spread *out);

/* The arrays of a plot of the series; free with fl_pair_plot_free(). */
struct fl_pair_plot {
	double *x;
	double *base, *base_lo, *base_hi;
	double *other, *other_lo, *other_hi;
	double *ratio, *ratio_lo, *ratio_hi;
	size_t n;
};

int fl_pair_plot_arrays(const struct fl_pair_series *s, struct fl_pair_plot *pp);
void fl_pair_plot_free(struct fl_pair_plot *pp);
/* Plot series of the base variant, the other one, and their ratio. */
struct fl_series fl_pair_plot_base(const struct fl_pair_plot *pp, const char *label);
struct fl_series fl_pair_plot_other(const struct fl_pair_plot *pp, const char *label);
struct fl_series fl_pair_plot_ratio(const struct fl_pair_plot *pp, const char *label);

#endif
