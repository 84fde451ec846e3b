// SPDX-License-Identifier: GPL-2.0
/*
 * Claim nmi-copy (seed 000, "perf/x86: Further optimize copy_from_user_nmi()"):
 * with the copy done by the MMU instead of a gup_fast per page, Don Zickus's
 * worst-case NMI path shrank from ~300K to ~150K cycles, a ratio of 0.5.
 *
 * Measured: nmi_stack_sampling's handler cycles, new over old, at the largest
 * copy (S = 64 KiB, perf's most), in the tail: p99.9 judged, max reported
 * beside it.  By pairs where the run ran in pairs.
 *
 * Verdict (the magnitude): reproduced when the p99.9 ratio's interval lies at
 * or below 0.65 (the published 0.5 with a tolerance of 0.15), not reproduced
 * when it lies above, inconclusive when it straddles.  A tail is what a
 * noisy machine disturbs most: a run whose tail is the machine's (an
 * interrupt, the vCPU descheduled) gets a wide interval and so an
 * inconclusive verdict, not a wrong one.  The mechanism, from counts: old
 * pins at least one page per page it copies, new pins none.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/claims/claims.h"
#include "bench/err.h"
#include "series.h"
#include "workloads/workload.h"

extern const struct fl_claim fl_claim_nmi_copy;

#define SEED		0x5eed0000u
#define WORKLOAD	"nmi_stack_sampling"
/* the copy the claim is judged at: perf's largest user-stack dump */
#define JUDGED_S	64
#define PAGE_BYTES	4096.0

/* new over old, against the KiB copied, with every copied page present */
static const struct fl_pair_spec tail = {
	.workload = WORKLOAD, .metric = "handler_cycles_p999", .param = "S",
	.base = "old", .other = "new", .seed = SEED, .where = "H=0",
};

static const struct fl_pair_spec worst = {
	.workload = WORKLOAD, .metric = "handler_cycles_max", .param = "S",
	.base = "old", .other = "new", .seed = SEED, .where = "H=0",
};

static const struct fl_pair_spec median = {
	.workload = WORKLOAD, .metric = "handler_cycles_p50", .param = "S",
	.base = "old", .other = "new", .seed = SEED, .where = "H=0",
};

/* The published worst cases, in cycles: old, new. */
static const double published_cycles[] = { 300e3, 150e3 };

/* One spec's ratio at S = JUDGED_S: 0, or -ENODATA. */
static int ratio_at_judged(const struct fl_run *r, const struct fl_pair_spec *spec,
			   struct fl_pair_point *out)
{
	return fl_pair_point_at(r, spec, JUDGED_S, out);
}

/* The judged rows' first sample: who measured them, with which counter. */
static const struct fl_sample *judged_row(const struct fl_run *r)
{
	for (size_t i = 0; i < r->nsamples; i++)
		if (!strcmp(r->samples[i].workload, WORKLOAD) &&
		    !strcmp(r->samples[i].metric, tail.metric))
			return &r->samples[i];
	return NULL;
}

/*
 * In an exact guest the clock counts instructions, and a rep-string copy
 * counts one per iteration: rep movsb one per byte, rep movsq one per eight.
 * Old's memcpy is inlined as rep movsq; new's user copy is rep movsb where
 * the CPU has ERMS or FSRM.  Only with both cleared (clearcpuid=erms,fsrm)
 * do the two copy the same way, so that the count differs by the work the
 * change removed.  The shim's copy is always rep movsb: never comparable.
 */
static const char *not_comparable(const struct fl_run *r, const struct fl_sample *s)
{
	const char *cmdline = r->meta.cmdline ? r->meta.cmdline : "";
	const char *clear = strstr(cmdline, "clearcpuid=");

	if (strcmp(s->source, "icount"))
		return NULL;
	if (!strcmp(s->backend, "shim"))
		return "in an exact guest the shim's copies count different instructions per "
		       "byte (rep movsb against memcpy); judge the shim on bare metal or a VM";
	if (!clear || !strstr(clear, "erms") || !strstr(clear, "fsrm"))
		return "in an exact guest a rep movsb byte counts as an instruction: boot with "
		       "--append clearcpuid=erms,fsrm so that old and new both copy with rep "
		       "movsq (README, \"Claim nmi-copy\")";
	return NULL;
}

static void judge(const struct fl_run *r, struct fl_verdict *v)
{
	const struct fl_sample *row = judged_row(r);
	const char *why;

	double limit = v->published + fl_claim_nmi_copy.tolerance;
	struct fl_pair_point t, w, m;

	if (ratio_at_judged(r, &tail, &t)) {
		snprintf(v->reason, sizeof(v->reason), "needs %s old and new at S=%d, H=0 "
			 "(run make bench)", WORKLOAD, JUDGED_S);
		return;
	}
	v->measured = t.ratio.est;
	v->lo = t.ratio.lo;
	v->hi = t.ratio.hi;
	why = not_comparable(r, row);
	if (why)
		v->verdict = FL_NOT_APPLICABLE;
	else if (t.ratio.hi <= limit)
		v->verdict = FL_REPRODUCED;
	else if (t.ratio.lo > limit)
		v->verdict = FL_NOT_REPRODUCED;
	else
		v->verdict = FL_INCONCLUSIVE;
	if (why)
		fl_verdict_say(v, "%s; ", why);
	fl_verdict_say(v, "%s backend, %s clock", row->backend, row->source);
	if (t.pairs)
		fl_verdict_say(v, ", by %zu pairs", t.pairs);
	fl_verdict_say(v, ": at S=%d KiB the p99.9 handler takes new %.0f, old %.0f TSC cycles, "
		       "new / old %.2f [%.2f, %.2f] (reproduced at %.2f or less)", JUDGED_S,
		       t.other.med, t.base.med, t.ratio.est, t.ratio.lo, t.ratio.hi, limit);
	if (!ratio_at_judged(r, &worst, &w))
		fl_verdict_say(v, "; the max: new %.0f, old %.0f, %.2f [%.2f, %.2f]",
			       w.other.med, w.base.med, w.ratio.est, w.ratio.lo, w.ratio.hi);
	if (!ratio_at_judged(r, &median, &m))
		fl_verdict_say(v, "; the median: %.2f [%.2f, %.2f]", m.ratio.est, m.ratio.lo,
			       m.ratio.hi);
	if (v->verdict == FL_INCONCLUSIVE)
		fl_verdict_say(v, "; the tail's interval is wide: the machine's interruptions "
			       "land in it (the module in an exact guest measures without them: "
			       "README, \"Claim nmi-copy\")");
}

/*
 * The mechanism: old pins a page for every page it copies from, at least
 * bytes / 4096 of them a sample; new pins none.
 */
static void judge_mechanism(const struct fl_run *r, struct fl_verdict *v)
{
	struct fl_spread old_pins, new_pins, old_bytes;

	if (fl_variant_at(r, WORKLOAD, "pages_pinned_per_sample", "old", "S", JUDGED_S,
			  &old_pins) ||
	    fl_variant_at(r, WORKLOAD, "pages_pinned_per_sample", "new", "S", JUDGED_S,
			  &new_pins) ||
	    fl_variant_at(r, WORKLOAD, "bytes_per_sample", "old", "S", JUDGED_S, &old_bytes)) {
		fl_verdict_mechanism(v, FL_NOT_APPLICABLE, "needs %s's pin counts (shim) at S=%d",
				     WORKLOAD, JUDGED_S);
		return;
	}
	if (old_pins.lo >= old_bytes.hi / PAGE_BYTES && new_pins.hi == 0)
		fl_verdict_mechanism(v, FL_REPRODUCED, "at S=%d old pins %.1f pages a sample "
				     "for %.0f bytes copied; new pins none", JUDGED_S,
				     old_pins.med, old_bytes.med);
	else
		fl_verdict_mechanism(v, FL_NOT_REPRODUCED, "at S=%d old pins %.1f pages a "
				     "sample for %.0f bytes, new %.1f", JUDGED_S, old_pins.med,
				     old_bytes.med, new_pins.med);
}

/*
 * The running kernel's own sampling, where the run has it: what a sample
 * costs the target (no old and new: this kernel has only the new copy).
 */
static void say_live(const struct fl_run *r, struct fl_verdict *v)
{
	struct fl_spread none, most, cut;

	if (fl_variant_at(r, WORKLOAD, "slowdown_ns_per_sample", "live", "S", 0, &none) ||
	    fl_variant_at(r, WORKLOAD, "slowdown_ns_per_sample", "live", "S", JUDGED_S, &most))
		return;
	fl_verdict_say(v, "; this kernel's perf sampling costs the target %.1f us a sample "
		       "with the callchain only, %.1f us with %d KiB of stack", none.med / 1e3,
		       most.med / 1e3, JUDGED_S);
	if (!fl_variant_at(r, WORKLOAD, "max_sample_rate_cut", "live", "S", JUDGED_S, &cut) &&
	    cut.hi > 0)
		fl_verdict_say(v, " (and it cut perf_event_max_sample_rate by up to %.0f Hz)",
			       cut.hi);
}

static void evaluate(const struct fl_run *r, struct fl_verdict *v)
{
	judge(r, v);
	if (v->verdict != FL_NOT_APPLICABLE || !isnan(v->measured))
		say_live(r, v);
	judge_mechanism(r, v);
}

/* ---- plots --------------------------------------------------------------- */

/*
 * The tail of the handler's distribution at S = JUDGED_S, as 1 - CDF on log
 * axes: each stored quantile (median over the repetitions) at the fraction
 * of samples slower than it.
 */
static const char *const quantile_metric[] = {
	"handler_cycles_p50", "handler_cycles_p90", "handler_cycles_p99",
	"handler_cycles_p999", "handler_cycles_max",
};
static const double slower[] = { 0.5, 0.1, 0.01, 0.001, 0 };
#define NQUANTILES	(sizeof(slower) / sizeof(*slower))

/* A variant's quantiles at JUDGED_S; how many it has. */
static size_t tail_of(const struct fl_run *r, const char *variant, double *x, double *y)
{
	struct fl_spread samples;
	size_t n = 0;

	if (fl_variant_at(r, WORKLOAD, "samples", variant, "S", JUDGED_S, &samples) ||
	    !(samples.med > 0))
		return 0;
	for (size_t i = 0; i < NQUANTILES; i++) {
		struct fl_spread q;

		if (fl_variant_at(r, WORKLOAD, quantile_metric[i], variant, "S", JUDGED_S, &q))
			continue;
		x[n] = q.med;
		/* the max: the one sample slowest of all */
		y[n++] = slower[i] > 0 ? slower[i] : 1 / samples.med;
	}
	return n;
}

static int plot_tail(const struct fl_run *r, const char *dir)
{
	double ox[NQUANTILES], oy[NQUANTILES], nx[NQUANTILES], ny[NQUANTILES], py[2];
	struct fl_plot p = { 0 };
	char path[512];
	size_t no = tail_of(r, "old", ox, oy), nn = tail_of(r, "new", nx, ny);

	if (!no || !nn)
		return -ENODATA;
	/* the published worst cases: each the slowest sample, as old's max here */
	py[0] = py[1] = oy[no - 1];
	snprintf(path, sizeof(path), "%s/nmi-copy-tail", dir);
	p.path = path;
	p.title = "nmi-copy: handler cycles at S=64 KiB, 1 - CDF (median of repetitions)";
	p.xlabel = "handler TSC cycles";
	p.ylabel = "fraction of samples slower";
	p.logx = p.logy = true;
	p.series[0] = (struct fl_series){ "old: gup_fast per page", ox, oy, NULL, NULL, no };
	p.series[1] = (struct fl_series){ "new: copy through the MMU", nx, ny, NULL, NULL, nn };
	p.series[2] = (struct fl_series){ "published worst case: old ~300K, new ~150K",
					  published_cycles, py, NULL, NULL, 2 };
	p.nseries = 3;
	return fl_plot_write(&p);
}

/* Handler cycles against the KiB copied: median and p99.9, old and new. */
static int plot_cost(const struct fl_run *r, const char *dir)
{
	struct fl_pair_series t, m;
	struct fl_pair_plot tp, mp;
	struct fl_plot p = { 0 };
	char path[512];
	int err = fl_pair_series_collect(r, &tail, &t);

	if (err)
		return err;
	err = fl_pair_series_collect(r, &median, &m);
	if (!err && (!t.n || !m.n))
		err = -ENODATA;
	if (!err)
		err = fl_pair_plot_arrays(&t, &tp);
	if (!err && (err = fl_pair_plot_arrays(&m, &mp)))
		fl_pair_plot_free(&tp);
	if (!err) {
		snprintf(path, sizeof(path), "%s/nmi-copy-cost", dir);
		p.path = path;
		p.title = "nmi-copy: handler cycles against the stack copied (shim; median, "
			  "min..max of repetitions)";
		p.xlabel = "user stack copied per sample, KiB";
		p.ylabel = "handler TSC cycles";
		p.logx = p.logy = true;
		p.series[0] = fl_pair_plot_base(&tp, "old, p99.9");
		p.series[1] = fl_pair_plot_other(&tp, "new, p99.9");
		p.series[2] = fl_pair_plot_base(&mp, "old, median");
		p.series[3] = fl_pair_plot_other(&mp, "new, median");
		p.nseries = 4;
		err = fl_plot_write(&p);
		fl_pair_plot_free(&tp);
		fl_pair_plot_free(&mp);
	}
	fl_pair_series_free(&t);
	fl_pair_series_free(&m);
	return err;
}

/* The running kernel's cost per sample against the stack it copies. */
static int plot_live(const struct fl_run *r, const char *dir)
{
	static const double sizes[] = { 0, 8, 16, 32, 64 };
	enum { NSIZES = sizeof(sizes) / sizeof(*sizes) };
	double x[NSIZES], y[NSIZES], lo[NSIZES], hi[NSIZES];
	struct fl_plot p = { 0 };
	char path[512];
	size_t n = 0;

	for (size_t i = 0; i < NSIZES; i++) {
		struct fl_spread c;

		if (fl_variant_at(r, WORKLOAD, "slowdown_ns_per_sample", "live", "S", sizes[i], &c))
			continue;
		x[n] = sizes[i];
		y[n] = c.med / 1e3;
		lo[n] = c.lo / 1e3;
		hi[n++] = c.hi / 1e3;
	}
	if (!n)
		return 0;	/* no live rows: nothing to draw, nothing wrong */
	snprintf(path, sizeof(path), "%s/nmi-copy-live", dir);
	p.path = path;
	p.title = "nmi-copy: the time a sample costs its target (this kernel's perf; "
		  "median, min..max)";
	p.xlabel = "user stack copied per sample, KiB (0: callchain only)";
	p.ylabel = "microseconds per sample";
	p.series[0] = (struct fl_series){ "live: perf_event_open, CALLCHAIN | STACK_USER",
					  x, y, lo, hi, n };
	p.nseries = 1;
	return fl_plot_write(&p);
}

static int plot(const struct fl_run *r, const char *dir)
{
	int err = plot_cost(r, dir);

	if (!err)
		err = plot_tail(r, dir);
	return err ? err : plot_live(r, dir);
}

static const struct fl_suite_entry quick[] = {
	/* the magnitude: every page present */
	{ "nmi_stack_sampling", FL_SHIM, "old,new", { "S=8,16,32,64", "H=0", NULL }, 7, 64 },
	/* the fault path: the copy runs into a hole above the stack */
	{ "nmi_stack_sampling", FL_SHIM, "old,new,copy_only", { "S=64", "H=1", NULL }, 3, 64 },
	/* this kernel's own sampling (root only): callchain alone, and perf's most */
	{ "nmi_stack_sampling", FL_LIVE, "live", { "S=0,64", "R=1000", NULL }, 3, 8 },
	{ NULL }
};

const struct fl_claim fl_claim_nmi_copy = {
	.id = "nmi-copy",
	.seed = "000_f0b498f3ec67faf8.txt",
	.statement = "copy_from_user_nmi() as a plain copy with page faults disabled, instead "
		     "of gup_fast + kmap + memcpy + put_page per page, halves the worst-case "
		     "NMI path (~300K -> ~150K cycles)",
	.metric = "nmi_stack_sampling handler cycles, p99.9, new / old at S=64 KiB",
	.published = 0.5,
	.tolerance = 0.15,
	.source = "Don Zickus, quoted in \"perf/x86: Further optimize copy_from_user_nmi()\" (v3.13)",
	.quick = quick,
	.evaluate = evaluate,
	.plot = plot,
};
