/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/analysis/compare.h - the statistics of comparing two sets of runs, A (the
 * base) and B (the change): per benchmark and metric, the medians with their
 * intervals, the change of B against A with a bootstrap interval, a test
 * (bench/analysis/hypothesis.h), Benjamini-Hochberg across all rows, and a verdict
 * against the benchmark's noise floor, which A/A comparisons stored earlier
 * on the same machine teach.
 */
#ifndef FL_COMPARE_H
#define FL_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/analysis/bench_name.h"
#include "bench/analysis/hypothesis.h"
#include "bench/analysis/stats.h"
#include "bench/results.h"

/*
 * 100 * (median(b) / median(a) - 1) with a percentile bootstrap interval
 * (fixed seed) that resamples whole runs where a side has several: ga[i] is
 * the run of a[i] (0, 1, ...; NULL: resample value by value; see
 * fl_ratio_of_medians_by_run).  Both medians zero: 0 [0, 0].  median(a)
 * zero alone: +-inf.
 */
int fl_change_pct(const double *a, const int *ga, size_t na, const double *b, const int *gb,
		  size_t nb, double conf, unsigned iters, uint64_t seed, struct fl_ci *out);

/* ---- noise floors -------------------------------------------------------- */

struct fl_noise {
	double floor_pct;	/* NaN: nothing learned */
	double sd_pct;		/* the A/A changes' spread: 1.4826 MAD */
	int comparisons;	/* A/A comparisons it rests on */
	long samples;		/* their samples, both sides */
};

/*
 * The noise floor of a benchmark, from the changes its A/A comparisons (the
 * same code on both sides) showed on this host: the bound that 99% of them
 * stay within, |median| + 2.576 sd, with sd estimated from the median absolute
 * deviation.  99%, not 95%: the rows of an A/A comparison must be flagged at
 * most 1% of the time, and a 95% floor lets 5% of them past it, leaving the
 * U test alone to stop them, which it does not reliably do: the repetitions
 * of one process share that process's luck (memory placement, neighbours),
 * so they are not the independent samples the test assumes.  Robust on purpose: a machine that is disturbed during one A/A
 * comparison (a neighbour, a frequency drop) shows a change of tens of
 * percent there, and a plain percentile would carry that into every later
 * verdict.  Changes that are not finite numbers are left out.
 */
#define FL_MAD_TO_SD		1.4826	/* MAD to standard deviation, for normal data */
#define FL_NOISE_Z		2.576
void fl_noise_floor(const double *aa_change_pct, size_t n, long samples,
		    struct fl_noise *out);

/*
 * The smallest true change a comparison of the A/A comparisons' size flags
 * 4 times in 5: it must clear the floor, and the estimate scatters by sd
 * around it (z 0.8416 for 80% power); never below min_change.  NaN when
 * nothing was learned.
 */
double fl_noise_mde(const struct fl_noise *nf, double min_change);

/* ---- a comparison -------------------------------------------------------- */

enum fl_cmp_verdict {
	FL_CMP_REGRESSION,	/* B worse, significant and beyond the floor */
	FL_CMP_IMPROVEMENT,	/* B better, significant and beyond the floor */
	FL_CMP_INCONCLUSIVE,	/* not significant, but a regression past the floor
				   is inside the change's interval: too noisy */
	FL_CMP_WITHIN_NOISE,	/* significant, but no larger than the floor */
	FL_CMP_NO_CHANGE,	/* not significant, and no regression past the floor
				   inside the interval */
	FL_CMP_TOO_FEW,		/* fewer than FL_CMP_MIN_SAMPLES on a side */
};

#define FL_CMP_MIN_SAMPLES	3
/*
 * Fewer pairs of runs than this are pooled instead: with 7 pairs the
 * signed-rank test cannot go below p = 2 / 2^7 = 0.016, which
 * Benjamini-Hochberg over a suite's rows would rarely let pass.
 */
#define FL_CMP_MIN_PAIRS	8


/*
 * What a row's floor rests on.  Without A/A comparisons on this host, pooled
 * rows are judged against how much each side's own runs differ; a side of one
 * run tells nothing of that, and its rows get a conservative default
 * (fl_cmp_opts.unknown_floor, FL_CMP_UNKNOWN_FLOOR by default), so that a first
 * comparison does not fail on noise.
 */
enum fl_cmp_floor {
	FL_FLOOR_LEARNED,	/* A/A comparisons stored for this host */
	FL_FLOOR_PAIRS,		/* none; judged by pair, whose test and interval
				   already cancel the machine's swings: min_change */
	FL_FLOOR_SPREAD,	/* none; the sides' own runs (spread_pct) */
	FL_FLOOR_UNKNOWN,	/* none, and a side of one run: the default */
};

/*
 * The default floor where nothing says what noise is here: above the largest
 * change that single runs of the quick suite could tell from noise on this
 * 2-vCPU machine in study s11 (vmalloc-sync jobs/min, 15.9-71%; spf
 * records/s, 15.8-54%; README, "How sensitive is it here?"), and above the
 * 1.6x swing of its speed from one second to the next.
 */
#define FL_CMP_UNKNOWN_FLOOR	75.0
/*
 * The same between exact runs: twice the bound two exact boots of one kernel
 * must keep (ci/exact-aa, 0.5%), since nothing there drifts with time.
 */
#define FL_CMP_EXACT_UNKNOWN_FLOOR	1.0

struct fl_cmp_row {
	struct fl_bench_key key;
	char *unit;
	bool higher_is_better;
	size_t na, nb;
	struct fl_ci med_a, med_b;	/* median and its interval */
	struct fl_ci change;		/* % change of B against A */
	size_t pairs;			/* pairs of runs the change and test rest on;
					   0: both sides' samples pooled */
	struct fl_utest u;		/* U test, or signed-rank test of the pairs */
	bool constant;			/* one value in every sample of both sides */
	double q;			/* BH-adjusted p; NaN when not tested */
	struct fl_noise noise;
	double spread_pct;		/* NaN, or with 2 or more runs a side: the
					   larger side's range of its runs' medians,
					   % of their median */
	double floor_pct;		/* what the verdict used */
	enum fl_cmp_floor floor_basis;	/* and what it rests on */
	enum fl_cmp_verdict verdict;
};

struct fl_cmp_opts {
	double alpha;		/* false discovery rate, 0.05 */
	double conf;		/* intervals, 0.95 */
	double min_change;	/* %, the least floor */
	double unknown_floor;	/* %, the floor where none is learned and a side
				   has one run (FL_FLOOR_UNKNOWN) */
	unsigned iters;		/* bootstrap resamples */
	uint64_t seed;
	const char *const *metrics;	/* only these (NULL-ended), or NULL for all */
	bool paired;		/* run k of A and run k of B ran side by side */
};

/*
 * The least floor: 1% of time on a machine whose speed drifts, 0.1% of work
 * counted in exact guests (both sides' runs instruction-counted), whose A/A
 * changes are a fraction of that.
 */
#define FL_CMP_MIN_CHANGE		1.0
#define FL_CMP_EXACT_MIN_CHANGE		0.1

#define FL_CMP_OPTS_DEFAULT { .alpha = 0.05, .conf = 0.95, .min_change = FL_CMP_MIN_CHANGE, \
			      .unknown_floor = FL_CMP_UNKNOWN_FLOOR, \
			      .iters = 2000, .seed = 0xfa017c0ULL }

struct fl_comparison {
	struct fl_cmp_row *rows;
	size_t nrows;
	size_t only_a, only_b;		/* benchmark x metric on one side only */
	size_t regressions, improvements;
};

/* Whether more of this metric is better: the workload says, else its unit. */
bool fl_metric_higher_is_better(const char *workload, const char *metric,
				const char *unit);

/*
 * Rows for every benchmark x metric found on both sides.  The medians pool the
 * samples of all the runs of a side.  The change and its test do too, unless
 * o->paired: then run k of A and run k of B are a pair, measured one after
 * the other, and the change is the median of the pairs' ratios of medians
 * (its interval a bootstrap over pairs), tested by the signed-rank test on
 * their logarithms.  A pair shares the machine's state of its seconds, which
 * on a shared machine swings by more than a change worth finding, and the
 * ratio cancels it; pooled, the swing stays in both sides' spread.  A row
 * with fewer than FL_CMP_MIN_PAIRS usable pairs is pooled.  -EINVAL when
 * o->paired and the sides have different numbers of runs; -ENODATA when the
 * sides share no benchmark x metric.
 */
int fl_compare_build(const struct fl_run *a, size_t na, const struct fl_run *b,
		     size_t nb, const struct fl_cmp_opts *o, struct fl_comparison *c);

/*
 * BH over the rows that can show a change, then each row's verdict against
 * row->noise.  A constant row (a count that never varies) can never be
 * significant: like a row with too few samples it takes no part in BH
 * (Tarone 1990), which would only make the others' q larger.
 */
void fl_compare_judge(struct fl_comparison *c, const struct fl_cmp_opts *o);

/* Regressions first, worst first; then improvements; then the rest by q. */
void fl_compare_sort(struct fl_comparison *c);

void fl_compare_free(struct fl_comparison *c);

const char *fl_cmp_verdict_name(enum fl_cmp_verdict v);
/* The change in the bad direction, in %: > 0 means B is worse. */
double fl_cmp_worse_pct(const struct fl_cmp_row *r);
/* "reaim_vunmap/new/shim/M=0,P=2" (no metric) into buf. */

#endif
