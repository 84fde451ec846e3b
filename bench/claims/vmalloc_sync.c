// SPDX-License-Identifier: GPL-2.0
/*
 * Claim vmalloc-sync (seed 002, "x86/mm: split vmalloc_sync_all()"): with the
 * full sync in the lazy purge, reaim lost ~80% of its throughput; the cost is
 * one walk of every process PGD per purge, so it grows with the number of
 * processes M, and the split removes it.
 *
 * The loss grows with M from a base that is the machine's cost of a job, so
 * the M at which old loses 80% differs from machine to machine: the quick
 * suite runs up to M=384000 and then extends M (extend()) until the loss
 * crosses 80% or the workload's bound on M ends the search.
 *
 * Verdict: reproduced when, at the largest M of the run, old's loss against
 * new reaches the published 80% (within the tolerance), old's cost per job
 * grows linearly with M and new's grows at most a tenth as fast; short of it,
 * inconclusive below the workload's bound on M (the crossing may lie beyond)
 * and not reproduced at the bound.  The reason names the M of the crossing,
 * or, where the run stopped first, the M that old's cost line predicts for it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/claims/claims.h"
#include "bench/err.h"
#include "series.h"
#include "workloads/workload.h"

extern const struct fl_claim fl_claim_vmalloc_sync;

/* old's throughput over new's, against the resident processes M */
static const struct fl_pair_spec jobs = {
	.workload = "reaim_vunmap", .metric = "jobs_per_min", .param = "M",
	.base = "new", .other = "old", .seed = 0x5eed0002u,
};

/* new's cost may grow with M at most this fraction of old's rate */
#define FLAT_FRACTION	0.10
#define MIN_R2		0.90
/* the quick suite's largest M before it extends (below): judged from there on */
#define JUDGED_M	384000
/* extensions step M by at least a quarter */
#define EXTEND_STEP	1.25

/*
 * µs per job against M, one point per M (the median of the repetitions, so
 * that one disturbed repetition does not tilt the line).
 */
static double old_us_per_job(const struct fl_pair_point *p)
{
	return 60e6 / p->other.med;
}

static double new_us_per_job(const struct fl_pair_point *p)
{
	return 60e6 / p->base.med;
}

/* The M at which old's loss crosses the published one, between two points. */
static double crossing_m(const struct fl_pair_series *s, double loss)
{
	double target = 1 - loss / 100;

	for (size_t i = 1; i < s->n; i++) {
		const struct fl_pair_point *a = &s->p[i - 1], *b = &s->p[i];

		if (a->ratio.est > target && b->ratio.est <= target)
			return a->x + (b->x - a->x) * (a->ratio.est - target) /
				      (a->ratio.est - b->ratio.est);
	}
	return NAN;
}

/*
 * Where the run stops short of the published loss: the M at which old's cost
 * line, a + b M µs per job, reaches 1 / (1 - loss) times new's, with an
 * interval from the interval of old's slope (the line is the mechanism's
 * cost: each purge walks M PGDs).  -ERANGE when the lines never meet.
 */
static int predicted_m(const struct fl_fit *old_fit, const struct fl_fit *new_fit,
		       double loss, struct fl_ci *at)
{
	double k = 1 / (1 - loss / 100);
	double num = k * new_fit->intercept - old_fit->intercept;
	double lo_slope = old_fit->slope_lo - k * new_fit->slope;
	double slope = old_fit->slope - k * new_fit->slope;
	double hi_slope = old_fit->slope_hi - k * new_fit->slope;

	if (!(slope > 0) || !(lo_slope > 0) || !(num > 0))
		return -ERANGE;
	*at = (struct fl_ci){ num / slope, num / hi_slope, num / lo_slope };
	return 0;
}

/* The largest M reaim_vunmap takes. */
static double max_m(void)
{
	const struct fl_workload *w = fl_workload_find(jobs.workload);
	int i = w ? fl_param_index(w, jobs.param) : -1;

	return i < 0 ? JUDGED_M : (double)w->params[i].max;
}

static void judge(const struct fl_pair_series *s, struct fl_verdict *v)
{
	const struct fl_pair_point *last;
	double published_ratio = 1 - v->published / 100;
	double tol = fl_claim_vmalloc_sync.tolerance / 100;
	struct fl_fit old_fit, new_fit;
	double new_change, cross;
	struct fl_ci at;
	bool grows;

	if (s->n < 3 || fl_pair_series_fit(s, NULL, old_us_per_job, &old_fit) ||
	    fl_pair_series_fit(s, NULL, new_us_per_job, &new_fit)) {
		snprintf(v->reason, sizeof(v->reason),
			 "needs %s old and new at 3 or more M up to M=%d (run make bench)",
			 jobs.workload, JUDGED_M);
		return;
	}
	last = &s->p[s->n - 1];
	if (last->x < JUDGED_M) {
		snprintf(v->reason, sizeof(v->reason),
			 "the run has %s old and new up to M=%.0f only; the loss is judged at "
			 "M=%d (run make bench)", jobs.workload, last->x, JUDGED_M);
		return;
	}
	v->measured = 100 * (1 - last->ratio.est);
	v->lo = 100 * (1 - last->ratio.hi);
	v->hi = 100 * (1 - last->ratio.lo);

	grows = old_fit.slope_lo > 0 && old_fit.r2 >= MIN_R2;
	new_change = new_fit.slope * last->x / new_fit.intercept;
	cross = crossing_m(s, v->published);

	/*
	 * new must have lost (nearly) all of old's dependence on M: its
	 * slope at most a tenth of old's.  Judged on the slope's interval,
	 * so that a disturbed repetition or two make it inconclusive, not
	 * wrong.
	 */
	if (!grows || new_fit.slope_lo > FLAT_FRACTION * old_fit.slope)
		v->verdict = FL_NOT_REPRODUCED;
	else if (new_fit.slope_hi > FLAT_FRACTION * old_fit.slope)
		v->verdict = FL_INCONCLUSIVE;
	else if (last->ratio.hi <= published_ratio + tol)
		v->verdict = FL_REPRODUCED;
	else if (last->ratio.lo <= published_ratio + tol)
		v->verdict = FL_INCONCLUSIVE;
	else if (last->x < max_m())
		v->verdict = FL_INCONCLUSIVE;	/* the crossing may lie beyond: extend() */
	else
		v->verdict = FL_NOT_REPRODUCED;	/* not within what the workload takes */

	if (last->pairs)
		fl_verdict_say(v, "by %zu pairs: ", last->pairs);
	fl_verdict_say(v, "old loses %.1f%% at M=%.0f ", v->measured, last->x);
	if (isnan(cross) && predicted_m(&old_fit, &new_fit, v->published, &at))
		fl_verdict_say(v, "(%.0f%% not reached for M up to %.0f%s)", v->published, last->x,
			       last->x >= max_m() ? ", the workload's bound" : "");
	else if (isnan(cross))
		fl_verdict_say(v, "(%.0f%% not reached for M up to %.0f%s; old's cost line reaches "
			       "it at M~%.0f [%.0f, %.0f])", v->published, last->x,
			       last->x >= max_m() ? ", the workload's bound" : "", at.est, at.lo,
			       at.hi);
	else
		fl_verdict_say(v, "(%.0f%% crossed at M~%.0f)", v->published, cross);
	fl_verdict_say(v, "; per 1000 resident processes a job costs old %+.1f ns (r2 %.2f), "
		       "new %+.2f ns (%+.1f%% over the range)", 1e6 * old_fit.slope,
		       old_fit.r2, 1e6 * new_fit.slope, 100 * new_change);
}

/*
 * The mechanism, from the model's counts: old's purges walk PGDs, more of
 * them the more processes are resident; new syncs nothing and walks nothing
 * (it syncs only when a mapping creates a top-level entry, which the
 * workload does once, before it is timed).  Judged where old purged at all:
 * a short run may free too few stacks to reach lazy_max_pages().
 */
static void judge_mechanism(const struct fl_run *r, const struct fl_pair_series *s,
			    struct fl_verdict *v)
{
	struct fl_spread old_walk, old_sync, new_walk, new_sync;
	double first = NAN, last = NAN, last_m = 0;
	int points = 0, counted = 0, broken = 0;
	const char *wl = jobs.workload;

	for (size_t i = 0; i < s->n; i++) {
		double m = s->p[i].x;

		if (m <= 0 ||
		    fl_variant_at(r, wl, "pgds_walked_per_round", "old", "M", m, &old_walk) ||
		    fl_variant_at(r, wl, "syncs_per_round", "old", "M", m, &old_sync) ||
		    fl_variant_at(r, wl, "pgds_walked_per_round", "new", "M", m, &new_walk) ||
		    fl_variant_at(r, wl, "syncs_per_round", "new", "M", m, &new_sync))
			continue;
		counted++;
		if (!(old_sync.lo > 0))
			continue;	/* no purge in some repetition: nothing to see */
		broken += !(old_walk.lo > 0) || new_walk.hi != 0 || new_sync.hi != 0;
		if (!points++)
			first = old_walk.med;
		last = old_walk.med;
		last_m = m;
	}
	if (!counted)
		fl_verdict_mechanism(v, FL_NOT_APPLICABLE, "needs %s's PGD and sync counts "
				     "(shim) at some M > 0", wl);
	else if (!points)
		fl_verdict_mechanism(v, FL_NOT_APPLICABLE, "old made no lazy purge in every "
				     "repetition: too few jobs to reach lazy_max_pages() (run "
				     "make bench)");
	else if (broken || (points > 1 && !(last > first)))
		fl_verdict_mechanism(v, FL_NOT_REPRODUCED, "at %d of %d M > 0, old's purges "
				     "walked no PGD or new synced or walked some; old's walks %s "
				     "with M", broken, points, last > first ? "grow" : "do not grow");
	else
		fl_verdict_mechanism(v, FL_REPRODUCED, "old's purges walk %.0f PGDs per round at "
				     "M=%.0f, more as M grows; new walks and syncs none, at every "
				     "M (%d)", last, last_m, points);
}

static void evaluate(const struct fl_run *r, struct fl_verdict *v)
{
	struct fl_pair_series s;

	if (fl_pair_series_collect(r, &jobs, &s)) {
		snprintf(v->reason, sizeof(v->reason), "%s", fl_errmsg());
		return;
	}
	judge(&s, v);
	judge_mechanism(r, &s, v);
	fl_pair_series_free(&s);
}

static int plot_series(const struct fl_pair_series *s, const char *dir)
{
	struct fl_pair_plot pp;
	struct fl_plot p = { 0 };
	char path[512];
	int err = fl_pair_plot_arrays(s, &pp);

	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/vmalloc-sync", dir);
	p.path = path;
	p.title = "vmalloc-sync: reaim_vunmap throughput against resident processes";
	p.xlabel = "resident processes M";
	p.ylabel = "jobs/min (median, min..max)";
	p.series[0] = fl_pair_plot_other(&pp, "old: sync in lazy purge");
	p.series[1] = fl_pair_plot_base(&pp, "new: vmalloc_sync_unmappings() no-op");
	p.nseries = 2;
	p.hline[0] = (struct fl_hline){ "published: old at -80% of new (at largest M)",
					0.2 * s->p[s->n - 1].base.med };
	p.nhlines = 1;
	err = fl_plot_write(&p);
	if (!err) {
		snprintf(path, sizeof(path), "%s/vmalloc-sync-ratio", dir);
		memset(&p, 0, sizeof(p));
		p.path = path;
		p.title = "vmalloc-sync: old / new throughput (95% bootstrap interval)";
		p.xlabel = "resident processes M";
		p.ylabel = "old / new jobs/min";
		p.series[0] = fl_pair_plot_ratio(&pp, "old / new");
		p.nseries = 1;
		p.hline[0] = (struct fl_hline){ "published: 0.2 (80% regression)", 0.2 };
		p.hline[1] = (struct fl_hline){ "no change", 1.0 };
		p.nhlines = 2;
		err = fl_plot_write(&p);
	}
	fl_pair_plot_free(&pp);
	return err;
}

static int plot(const struct fl_run *r, const char *dir)
{
	struct fl_pair_series s;
	int err = fl_pair_series_collect(r, &jobs, &s);

	if (!err && !s.n)
		err = -ENODATA;
	if (!err)
		err = plot_series(&s, dir);
	fl_pair_series_free(&s);
	return err;
}

static const struct fl_suite_entry quick[] = {
	/* up to JUDGED_M */
	{ "reaim_vunmap", FL_SHIM, "old,new",
	  { "M=0,96000,192000,288000,384000", "P=2", "J=256", NULL }, 5, 256 },
	{ NULL }
};

/*
 * Short of 80% at the run's largest M, and below the bound: one more M, where
 * old's cost line predicts the crossing (the upper end of its interval, so
 * that one step usually passes it), at least a quarter beyond the last M and
 * at most the bound.
 */
static int extend(const struct fl_run *r, struct fl_suite_entry *more, char *buf, size_t size)
{
	double published_ratio = 1 - fl_claim_vmalloc_sync.published / 100;
	struct fl_fit old_fit, new_fit;
	struct fl_pair_series s;
	double last, next;
	struct fl_ci at;
	int want = 0;

	if (fl_pair_series_collect(r, &jobs, &s))
		return 0;
	if (s.n < 3 || fl_pair_series_fit(&s, NULL, old_us_per_job, &old_fit) ||
	    fl_pair_series_fit(&s, NULL, new_us_per_job, &new_fit))
		goto out;
	last = s.p[s.n - 1].x;
	if (last < JUDGED_M || last >= max_m() || s.p[s.n - 1].ratio.est <= published_ratio)
		goto out;
	if (!(old_fit.slope_lo > 0))
		goto out;	/* old's cost does not grow with M: more M cannot help */
	next = EXTEND_STEP * last;
	if (!predicted_m(&old_fit, &new_fit, fl_claim_vmalloc_sync.published, &at) &&
	    at.hi > next)
		next = at.hi;
	next = fmin(1000 * ceil(next / 1000), max_m());
	*more = quick[0];
	snprintf(buf, size, "M=%.0f", next);
	more->params[0] = buf;
	want = 1;
out:
	fl_pair_series_free(&s);
	return want;
}

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
	.extend = extend,
	.plot = plot,
};
