// SPDX-License-Identifier: GPL-2.0
/*
 * Claim mmu-notifier (seed 004, "mm: move all mmu notifier invocations to be
 * done outside the PT lock"): a device whose TLB flush takes D us (post the
 * request, wait for the interrupt) makes everyone who needs the page-table
 * lock wait D too, while the notifier runs under it; moved outside, it
 * sleeps, and the lock is held as long as it ever was.  No number was
 * published, so the claim is qualitative, at D = 10 us:
 *   - new keeps the PT-lock hold p99 within 20% of its D = 0 value, or within
 *     1% of D: a path whose thread has just slept starts with cold caches,
 *     which costs a sub-microsecond hold a few tens of nanoseconds whatever
 *     D is (README, "Claim mmu-notifier");
 *   - old's grows by at least D;
 *   - faulters in the same page table fault at least twice as fast, new over
 *     old (the measured number: by pairs, with its interval).
 * Where the run has only the module's rows (a real mmu notifier on 6.1 or
 * 6.12), the PT-lock hold is not visible: the device's own wait with the
 * lock held stands in for its growth (locked_wait_ns_p99).
 *
 * The mechanism, from counts: the device's waits made with a spinlock held,
 * per flush: old one each, new none.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/claims/claims.h"
#include "series.h"
#include "workloads/workload.h"

extern const struct fl_claim fl_claim_mmu_notifier;

#define SEED		0x5eed0004u
#define WORKLOAD	"notifier_invalidate"
#define JUDGED_D	10	/* us */

static const struct fl_pair_spec throughput = {
	.workload = WORKLOAD, .metric = "faults_per_s", .param = "D",
	.base = "old", .other = "new", .seed = SEED,
};

static const struct fl_pair_spec hold = {
	.workload = WORKLOAD, .metric = "ptl_hold_us_p99", .param = "D",
	.base = "old", .other = "new", .seed = SEED,
};

/* the module's: ns */
static const char *const locked_wait = "locked_wait_ns_p99";

/* Old's and new's hold p99 at D = 0 and JUDGED_D: 0, or -ENODATA. */
struct holds {
	struct fl_spread old0, old_d, new0, new_d;
};

static void scale(struct fl_spread *s, double by)
{
	s->med *= by;
	s->lo *= by;
	s->hi *= by;
}

/* metric's holds, in us after times us_per_unit */
static int holds_of(const struct fl_run *r, const char *metric, double us_per_unit,
		    struct holds *h)
{
	if (fl_variant_at(r, WORKLOAD, metric, "old", "D", 0, &h->old0) ||
	    fl_variant_at(r, WORKLOAD, metric, "old", "D", JUDGED_D, &h->old_d) ||
	    fl_variant_at(r, WORKLOAD, metric, "new", "D", 0, &h->new0) ||
	    fl_variant_at(r, WORKLOAD, metric, "new", "D", JUDGED_D, &h->new_d))
		return -ENODATA;
	scale(&h->old0, us_per_unit);
	scale(&h->old_d, us_per_unit);
	scale(&h->new0, us_per_unit);
	scale(&h->new_d, us_per_unit);
	return 0;
}

/* new's hold at D stays where it was at 0; old's grows by D, in every repetition */
static bool new_hold_kept(const struct holds *h)
{
	return h->new_d.med - h->new0.med <= fmax(0.2 * h->new0.med, 0.01 * JUDGED_D);
}

static bool old_hold_grew(const struct holds *h)
{
	return h->old_d.lo - h->old0.hi >= JUDGED_D;
}

/* The shim's PT-lock holds, or the module's device waits under the lock. */
static bool judge_holds(const struct fl_run *r, struct fl_verdict *v)
{
	struct holds h;

	if (!holds_of(r, hold.metric, 1, &h)) {
		fl_verdict_say(v, "; PT-lock hold p99, D=0 -> %d us: old %.2f -> %.2f us, new "
			       "%.3f -> %.3f us", JUDGED_D, h.old0.med, h.old_d.med, h.new0.med,
			       h.new_d.med);
	} else if (!holds_of(r, locked_wait, 1e-3, &h)) {
		fl_verdict_say(v, "; the device's wait with the PT lock held, p99, D=0 -> %d us: "
			       "old %.2f -> %.2f us, new %.2f -> %.2f us", JUDGED_D, h.old0.med,
			       h.old_d.med, h.new0.med, h.new_d.med);
	} else {
		fl_verdict_say(v, "; no hold times at D=0 and %d", JUDGED_D);
		return false;
	}
	if (!old_hold_grew(&h))
		fl_verdict_say(v, " (old grew by less than D)");
	if (!new_hold_kept(&h))
		fl_verdict_say(v, " (new grew by more than 20%% and more than 1%% of D)");
	return old_hold_grew(&h) && new_hold_kept(&h);
}

static void judge(const struct fl_run *r, struct fl_verdict *v)
{
	struct fl_pair_point point, *p = &point;
	bool holds_ok;

	if (fl_pair_point_at(r, &throughput, JUDGED_D, p)) {
		snprintf(v->reason, sizeof(v->reason), "needs %s old and new at D=0 and D=%d "
			 "(run make bench)", WORKLOAD, JUDGED_D);
		return;
	}
	v->measured = p->ratio.est;
	v->lo = p->ratio.lo;
	v->hi = p->ratio.hi;
	fl_verdict_say(v, "faulters' faults/s at D=%d us: new %.3g, old %.3g, new / old %.3g "
		       "[%.3g, %.3g]", JUDGED_D, p->other.med, p->base.med, p->ratio.est,
		       p->ratio.lo, p->ratio.hi);
	if (p->pairs)
		fl_verdict_say(v, " by %zu pairs", p->pairs);
	fl_verdict_say(v, " (reproduced at %.0f or more)", v->published);
	holds_ok = judge_holds(r, v);
	if (!holds_ok || p->ratio.hi < v->published)
		v->verdict = FL_NOT_REPRODUCED;
	else if (p->ratio.lo >= v->published)
		v->verdict = FL_REPRODUCED;
	else
		v->verdict = FL_INCONCLUSIVE;
}

/* Device waits under a spinlock in old (one a flush, in the shim), none in new, at D. */
static void judge_mechanism(const struct fl_run *r, struct fl_verdict *v)
{
	struct fl_spread o, n, of, nf;

	if (fl_variant_at(r, WORKLOAD, "locked_waits_per_s", "old", "D", JUDGED_D, &o) ||
	    fl_variant_at(r, WORKLOAD, "locked_waits_per_s", "new", "D", JUDGED_D, &n) ||
	    fl_variant_at(r, WORKLOAD, "invalidations_per_s", "old", "D", JUDGED_D, &of) ||
	    fl_variant_at(r, WORKLOAD, "invalidations_per_s", "new", "D", JUDGED_D, &nf) ||
	    !(of.med > 0) || !(nf.med > 0)) {
		fl_verdict_mechanism(v, FL_NOT_APPLICABLE, "needs %s's locked waits and flushes "
				     "at D=%d", WORKLOAD, JUDGED_D);
		return;
	}
	fl_verdict_mechanism(v, o.lo > 0 && n.hi == 0 ? FL_REPRODUCED : FL_NOT_REPRODUCED,
			     "device waits with the PT lock held, per flush, at D=%d us: "
			     "old %.2f, new %.2f", JUDGED_D, o.med / of.med, n.med / nf.med);
}

static void evaluate(const struct fl_run *r, struct fl_verdict *v)
{
	judge(r, v);
	judge_mechanism(r, v);
}

/* ---- plots --------------------------------------------------------------- */

/*
 * metric against D for old and new, D > 0 on a log axis, D = 0 as a
 * horizontal line of each; 0, or -ENODATA.
 */
static int plot_against_d(const struct fl_run *r, const struct fl_pair_spec *spec,
			  const char *dir, const char *name, const char *title,
			  const char *ylabel)
{
	struct fl_pair_series s;
	struct fl_pair_plot pp;
	struct fl_plot p = { 0 };
	char path[512];
	int err = fl_pair_series_collect(r, spec, &s);

	if (err)
		return err;
	/* the series is by ascending D: D = 0 first */
	if (s.n < 2 || s.p[0].x != 0) {
		fl_pair_series_free(&s);
		return -ENODATA;
	}
	s.p++;
	s.n--;
	err = fl_pair_plot_arrays(&s, &pp);
	s.p--;
	s.n++;
	if (!err) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		p.path = path;
		p.title = title;
		p.xlabel = "D, the device's TLB flush, us";
		p.ylabel = ylabel;
		p.logx = p.logy = true;
		p.series[0] = fl_pair_plot_base(&pp, "old: notifier under the PT lock");
		p.series[1] = fl_pair_plot_other(&pp, "new: outside it");
		p.nseries = 2;
		p.hline[0] = (struct fl_hline){ "old at D=0", s.p[0].base.med };
		p.hline[1] = (struct fl_hline){ "new at D=0", s.p[0].other.med };
		p.nhlines = 2;
		err = fl_plot_write(&p);
		fl_pair_plot_free(&pp);
	}
	fl_pair_series_free(&s);
	return err;
}

static int plot(const struct fl_run *r, const char *dir)
{
	int err = plot_against_d(r, &hold, dir, "mmu-notifier-hold",
				 "mmu-notifier: PT-lock hold p99 of unmap, COW and split (shim; "
				 "median, min..max of repetitions)", "PT-lock hold p99, us");

	if (!err)
		err = plot_against_d(r, &throughput, dir, "mmu-notifier-faults",
				     "mmu-notifier: page faults in the same page table (shim; "
				     "median, min..max)", "faulters' faults/s");
	return err;
}

static const struct fl_suite_entry quick[] = {
	{ WORKLOAD, FL_SHIM, "old,new", { "D=0,1,10,100", "F=1", NULL }, 5, 32 },
	{ NULL }
};

const struct fl_claim fl_claim_mmu_notifier = {
	.id = "mmu-notifier",
	.seed = "004_217aa8be2046b0cd.txt",
	.statement = "mmu notifiers called outside the PT lock (invalidate_page after the "
		     "unlock, or invalidate_range_start/end around it) let a device sleep "
		     "through its TLB flush instead of holding the lock: the hold no longer "
		     "grows with the device, and faults in the same table go on",
	.metric = "notifier_invalidate faulters' faults/s, new / old at D=10 us (none "
		  "published; the bar is 2, with the holds)",
	.published = 2,
	.tolerance = 0,
	.source = "Haggai Eran, Sagi Grimberg (v3.17); the bar: issue \"Claim mmu-notifier\"",
	.quick = quick,
	.evaluate = evaluate,
	.plot = plot,
};
