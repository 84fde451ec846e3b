// SPDX-License-Identifier: GPL-2.0
/*
 * Claim vmalloc-sync (seed 002, "x86/mm: split vmalloc_sync_all()"): with the
 * full sync in the lazy purge, reaim lost ~80% of its throughput; the cost is
 * one walk of every process PGD per purge, so it grows with the number of
 * processes M, and the split removes it.
 *
 * Verdict: reproduced when, at the largest M of the run, old's loss against
 * new reaches the published 80% (within the tolerance), old's cost per job
 * grows linearly with M and new's grows at most a tenth as fast.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/claims.h"
#include "bench/plot.h"
#include "bench/stats.h"
#include "workloads/workload.h"

extern const struct fl_claim fl_claim_vmalloc_sync;

#define WORKLOAD	"reaim_vunmap"
#define METRIC		"jobs_per_min"
#define MAX_POINTS	32
#define MAX_REPS	1000
#define CONF		0.95
#define BOOT_ITERS	2000
#define BOOT_SEED	0x5eed0002u
/* new's cost may grow with M at most this fraction of old's rate */
#define FLAT_FRACTION	0.10
#define MIN_R2		0.90
/* the largest M of the quick suite (below), where the loss is judged */
#define JUDGED_M	384000

struct point {
	double m;
	double old_med, new_med;
	struct fl_ci ratio;		/* old / new throughput */
	double old_lo, old_hi, new_lo, new_hi;
};

struct series {
	struct point p[MAX_POINTS];
	int n;
	/* µs per job against M */
	struct fl_fit old_fit, new_fit;
	int fit_err;
};

/*
 * µs per job against M, one point per M (the median of the repetitions, so
 * that one disturbed repetition does not tilt the line).
 */
static int fit_cost(const struct series *s, bool old, struct fl_fit *fit)
{
	double x[MAX_POINTS], y[MAX_POINTS];

	for (int i = 0; i < s->n; i++) {
		x[i] = s->p[i].m;
		y[i] = 60e6 / (old ? s->p[i].old_med : s->p[i].new_med);
	}
	return fl_linfit(x, y, (size_t)s->n, fit);
}

/* Points where both variants have samples, by ascending M. */
static int collect(const struct fl_run *r, struct series *s)
{
	const char **sets;
	size_t nsets = fl_run_param_sets(r, WORKLOAD, METRIC, "M", &sets);
	double a[MAX_REPS], b[MAX_REPS];

	s->n = 0;
	for (size_t i = 0; i < nsets && s->n < MAX_POINTS; i++) {
		size_t na = fl_run_values(r, WORKLOAD, "old", sets[i], METRIC, a, MAX_REPS);
		size_t nb = fl_run_values(r, WORKLOAD, "new", sets[i], METRIC, b, MAX_REPS);
		struct point *p = &s->p[s->n];
		long m;

		if (!na || !nb || fl_params_get(sets[i], "M", &m))
			continue;
		p->m = (double)m;
		p->old_med = fl_median(a, na);
		p->new_med = fl_median(b, nb);
		p->old_lo = fl_min(a, na);
		p->old_hi = fl_max(a, na);
		p->new_lo = fl_min(b, nb);
		p->new_hi = fl_max(b, nb);
		fl_ratio_of_medians(a, na, b, nb, CONF, BOOT_ITERS, BOOT_SEED, &p->ratio);
		s->n++;
	}
	free(sets);
	s->fit_err = fit_cost(s, true, &s->old_fit) || fit_cost(s, false, &s->new_fit);
	return s->n;
}

/* The M at which old's loss crosses the published one, between two points. */
static double crossing_m(const struct series *s, double loss)
{
	double target = 1 - loss / 100;

	for (int i = 1; i < s->n; i++) {
		const struct point *a = &s->p[i - 1], *b = &s->p[i];

		if (a->ratio.est > target && b->ratio.est <= target)
			return a->m + (b->m - a->m) * (a->ratio.est - target) /
				      (a->ratio.est - b->ratio.est);
	}
	return NAN;
}

static void evaluate(const struct fl_run *r, struct fl_verdict *v)
{
	static struct series s;
	const struct point *last;
	double published_ratio = 1 - v->published / 100;
	double tol = fl_claim_vmalloc_sync.tolerance / 100;
	double new_change, cross;
	bool grows;

	if (collect(r, &s) < 3 || s.fit_err) {
		snprintf(v->reason, sizeof(v->reason),
			 "needs %s old and new at 3 or more M up to M=%d (run make bench)",
			 WORKLOAD, JUDGED_M);
		return;
	}
	last = &s.p[s.n - 1];
	if (last->m < JUDGED_M) {
		snprintf(v->reason, sizeof(v->reason),
			 "the run has %s old and new up to M=%.0f only; the loss is judged at "
			 "M=%d (run make bench)", WORKLOAD, last->m, JUDGED_M);
		return;
	}
	v->measured = 100 * (1 - last->ratio.est);
	v->lo = 100 * (1 - last->ratio.hi);
	v->hi = 100 * (1 - last->ratio.lo);

	grows = s.old_fit.slope_lo > 0 && s.old_fit.r2 >= MIN_R2;
	new_change = s.new_fit.slope * last->m / s.new_fit.intercept;
	cross = crossing_m(&s, v->published);

	/*
	 * new must have lost (nearly) all of old's dependence on M: its
	 * slope at most a tenth of old's.  Judged on the slope's interval,
	 * so that a disturbed repetition or two make it inconclusive, not
	 * wrong.
	 */
	if (!grows || s.new_fit.slope_lo > FLAT_FRACTION * s.old_fit.slope)
		v->verdict = FL_NOT_REPRODUCED;
	else if (s.new_fit.slope_hi > FLAT_FRACTION * s.old_fit.slope)
		v->verdict = FL_INCONCLUSIVE;
	else if (last->ratio.hi <= published_ratio + tol)
		v->verdict = FL_REPRODUCED;
	else if (last->ratio.lo <= published_ratio + tol)
		v->verdict = FL_INCONCLUSIVE;
	else
		v->verdict = FL_NOT_REPRODUCED;

	fl_verdict_say(v, "old loses %.1f%% at M=%.0f ", v->measured, last->m);
	if (isnan(cross))
		fl_verdict_say(v, "(%.0f%% not reached for M up to %.0f)", v->published, last->m);
	else
		fl_verdict_say(v, "(%.0f%% crossed at M~%.0f)", v->published, cross);
	fl_verdict_say(v, "; per 1000 resident processes a job costs old %+.1f ns (r2 %.2f), "
		       "new %+.2f ns (%+.1f%% over the range)", 1e6 * s.old_fit.slope,
		       s.old_fit.r2, 1e6 * s.new_fit.slope, 100 * new_change);
}

static int plot(const struct fl_run *r, const char *dir)
{
	static struct series s;
	static double m[MAX_POINTS], om[MAX_POINTS], olo[MAX_POINTS], ohi[MAX_POINTS];
	static double nm[MAX_POINTS], nlo[MAX_POINTS], nhi[MAX_POINTS];
	static double ratio[MAX_POINTS], rlo[MAX_POINTS], rhi[MAX_POINTS];
	char path1[512], path2[512];
	struct fl_plot p = { 0 };
	int err;

	if (collect(r, &s) < 1)
		return -ENODATA;
	for (int i = 0; i < s.n; i++) {
		m[i] = s.p[i].m;
		om[i] = s.p[i].old_med;
		olo[i] = s.p[i].old_lo;
		ohi[i] = s.p[i].old_hi;
		nm[i] = s.p[i].new_med;
		nlo[i] = s.p[i].new_lo;
		nhi[i] = s.p[i].new_hi;
		ratio[i] = s.p[i].ratio.est;
		rlo[i] = s.p[i].ratio.lo;
		rhi[i] = s.p[i].ratio.hi;
	}
	snprintf(path1, sizeof(path1), "%s/vmalloc-sync", dir);
	p.path = path1;
	p.title = "vmalloc-sync: reaim_vunmap throughput against resident processes";
	p.xlabel = "resident processes M";
	p.ylabel = "jobs/min (median, min..max)";
	p.series[0] = (struct fl_series){ "old: sync in lazy purge", m, om, olo, ohi, (size_t)s.n };
	p.series[1] = (struct fl_series){ "new: vmalloc_sync_unmappings() no-op", m, nm, nlo,
					  nhi, (size_t)s.n };
	p.nseries = 2;
	p.hline[0] = (struct fl_hline){ "published: old at -80% of new (at largest M)",
					0.2 * s.p[s.n - 1].new_med };
	p.nhlines = 1;
	err = fl_plot_write(&p);
	if (err)
		return err;

	snprintf(path2, sizeof(path2), "%s/vmalloc-sync-ratio", dir);
	memset(&p, 0, sizeof(p));
	p.path = path2;
	p.title = "vmalloc-sync: old / new throughput (95% bootstrap interval)";
	p.xlabel = "resident processes M";
	p.ylabel = "old / new jobs/min";
	p.series[0] = (struct fl_series){ "old / new", m, ratio, rlo, rhi, (size_t)s.n };
	p.nseries = 1;
	p.hline[0] = (struct fl_hline){ "published: 0.2 (80% regression)", 0.2 };
	p.hline[1] = (struct fl_hline){ "no change", 1.0 };
	p.nhlines = 2;
	return fl_plot_write(&p);
}

static const struct fl_suite_entry quick[] = {
	/* up to JUDGED_M */
	{ WORKLOAD, FL_SHIM, "old,new",
	  { "M=0,96000,192000,288000,384000", "P=2", "J=256", NULL }, 5, 256 },
	{ NULL }
};

const struct fl_claim fl_claim_vmalloc_sync = {
	.id = "vmalloc-sync",
	.seed = "002_b064568e80b1b3b2.txt",
	.statement = "vmalloc_sync_all() in vunmap's lazy purge costs reaim ~80% of its "
		     "throughput on x86-64; splitting it (no-op for unmappings) recovers it",
	.metric = "reaim_vunmap jobs/min lost by old against new at the largest M (%)",
	.published = 80,
	.tolerance = 10,
	.source = "kernel test robot and Shile Zhang, quoted in \"x86/mm: split vmalloc_sync_all()\" (v5.6)",
	.quick = quick,
	.evaluate = evaluate,
	.plot = plot,
};
