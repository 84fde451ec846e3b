// SPDX-License-Identifier: GPL-2.0
/*
 * Claim entry (seed 003, Andy Lutomirski on "x86/asm/entry/64: Migrate error
 * and IRQ exit work to C and remove old assembly code", v4.3): with the exit
 * work in C, entered in a known context-tracking state, an interrupt from
 * user mode
 *   (a) with context tracking off pays only "an unnecessary pair of branches"
 *       (rcu_irq_enter()/rcu_irq_exit() now find RCU awake, and the static
 *       key tests of user_exit()/user_enter()): under 1% of the round trip;
 *   (b) with context tracking on pays user_exit() + user_enter(), which cost
 *       more than the rcu_irq_enter() + rcu_irq_exit() that did the same job
 *       (take RCU out of its extended quiescent state and back) before.
 *
 * Measured, in the model (irq_round_trip, by pairs): (a) new / old cycles per
 * round trip at C=0, as the percentage new adds, reproduced when its interval
 * lies under 1; (b) ct_pair / rcu_pair cycles at C=1, reproduced when its
 * interval lies above 1.  Both must hold.  The mechanism, from counts: new
 * executes exactly two more branches than old at C=0.
 *
 * Where the run also has the live paths (syscall_cost, fault_cost,
 * signal_cost, irq_gaps), their round trips on this kernel are reported; the
 * kernels' context-tracking A/B (nohz_full on against off) is ci/bench-exact's,
 * across runs (README, "Claim entry").
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/claims/claims.h"
#include "series.h"
#include "workloads/workload.h"

extern const struct fl_claim fl_claim_entry;

#define SEED		0x5eed0003u
#define WORKLOAD	"irq_round_trip"

static const struct fl_pair_spec round_trip = {
	.workload = WORKLOAD, .metric = "cycles_per_op", .param = "C",
	.base = "old", .other = "new", .seed = SEED, .where = "F=0",
};

static const struct fl_pair_spec pairs = {
	.workload = WORKLOAD, .metric = "cycles_per_op", .param = "C",
	.base = "rcu_pair", .other = "ct_pair", .seed = SEED, .where = "F=0",
};

static enum fl_verdict_kind both(enum fl_verdict_kind a, enum fl_verdict_kind b)
{
	if (a == FL_NOT_REPRODUCED || b == FL_NOT_REPRODUCED)
		return FL_NOT_REPRODUCED;
	if (a == FL_REPRODUCED && b == FL_REPRODUCED)
		return FL_REPRODUCED;
	return FL_INCONCLUSIVE;
}

static void judge(const struct fl_run *r, struct fl_verdict *v)
{
	struct fl_pair_point off, on, pair;
	enum fl_verdict_kind a, b;

	if (fl_pair_point_at(r, &round_trip, 0, &off) || fl_pair_point_at(r, &pairs, 1, &pair)) {
		snprintf(v->reason, sizeof(v->reason), "needs %s old and new at C=0 and ct_pair "
			 "and rcu_pair at C=1, F=0 (run make bench)", WORKLOAD);
		return;
	}
	v->measured = (off.ratio.est - 1) * 100;
	v->lo = (off.ratio.lo - 1) * 100;
	v->hi = (off.ratio.hi - 1) * 100;
	a = v->hi < v->published ? FL_REPRODUCED :
	    v->lo >= v->published ? FL_NOT_REPRODUCED : FL_INCONCLUSIVE;
	b = pair.ratio.lo > 1 ? FL_REPRODUCED :
	    pair.ratio.hi <= 1 ? FL_NOT_REPRODUCED : FL_INCONCLUSIVE;
	v->verdict = both(a, b);
	fl_verdict_say(v, "(a) context tracking off, an IRQ from user mode: old %.1f, new %.1f "
		       "TSC cycles, new adds %+.2f%% [%+.2f, %+.2f] (reproduced under %.0f%%)",
		       off.base.med, off.other.med, v->measured, v->lo, v->hi, v->published);
	if (off.pairs)
		fl_verdict_say(v, " by %zu pairs", off.pairs);
	fl_verdict_say(v, ": %s", fl_verdict_name(a));
	fl_verdict_say(v, "; (b) context tracking on: user_exit+user_enter %.1f, "
		       "rcu_irq_enter+rcu_irq_exit %.1f cycles, ratio %.2f [%.2f, %.2f]: %s",
		       pair.other.med, pair.base.med, pair.ratio.est, pair.ratio.lo,
		       pair.ratio.hi, fl_verdict_name(b));
	if (!fl_pair_point_at(r, &round_trip, 1, &on))
		fl_verdict_say(v, "; the whole round trip with it on: old %.1f, new %.1f cycles "
			       "(%.2fx)", on.base.med, on.other.med, on.ratio.est);
}

/* The mechanism: two more branches, exactly, with context tracking off. */
static void judge_mechanism(const struct fl_run *r, struct fl_verdict *v)
{
	struct fl_spread o, n;
	double extra;

	if (fl_variant_at(r, WORKLOAD, "branches_per_op", "old", "C", 0, &o) ||
	    fl_variant_at(r, WORKLOAD, "branches_per_op", "new", "C", 0, &n)) {
		fl_verdict_mechanism(v, FL_NOT_APPLICABLE, "needs %s's branch counts at C=0",
				     WORKLOAD);
		return;
	}
	extra = n.med - o.med;
	fl_verdict_mechanism(v, extra == 2 && n.lo == n.hi && o.lo == o.hi ? FL_REPRODUCED :
			     FL_NOT_REPRODUCED, "context tracking off, branches per IRQ from "
			     "user mode: old %.0f, new %.0f (%+.0f)", o.med, n.med, extra);
}

/* A live path's round trip on this run's kernel, in ns, from its rate. */
struct live_path {
	const char *workload, *metric, *param, *what;
	double x;
};

static const struct live_path live_paths[] = {
	{ "syscall_cost", "syscalls_per_s", "S", "getppid()", 0 },
	{ "syscall_cost", "syscalls_per_s", "S", "an invalid syscall", 1 },
	{ "fault_cost", "faults_per_s", "P", "a minor fault", 1024 },
	{ "signal_cost", "signals_per_s", "N", "a signal delivered", 1024 },
};

#define NPATHS	(sizeof(live_paths) / sizeof(*live_paths))

static int live_ns(const struct fl_run *r, const struct live_path *p, struct fl_spread *ns)
{
	struct fl_spread rate;

	if (fl_variant_at(r, p->workload, p->metric, "live", p->param, p->x, &rate) ||
	    !(rate.lo > 0))
		return -ENODATA;
	*ns = (struct fl_spread){ 1e9 / rate.med, 1e9 / rate.hi, 1e9 / rate.lo };
	return 0;
}

static void say_live(const struct fl_run *r, struct fl_verdict *v)
{
	struct fl_spread ns, gap;
	bool any = false;

	for (size_t i = 0; i < NPATHS; i++) {
		if (live_ns(r, &live_paths[i], &ns))
			continue;
		fl_verdict_say(v, "%s%s %.0f ns", any ? ", " : "; this kernel's round trips: ",
			       live_paths[i].what, ns.med);
		any = true;
	}
	if (!fl_variant_at(r, "irq_gaps", "gap_cycles_p50", "live", "G", 1000, &gap) &&
	    gap.med > 0)
		fl_verdict_say(v, "%san IRQ from user mode %.0f TSC cycles (median gap)",
			       any ? ", " : "; this kernel's round trips: ", gap.med);
}

static void evaluate(const struct fl_run *r, struct fl_verdict *v)
{
	judge(r, v);
	say_live(r, v);
	judge_mechanism(r, v);
}

/* ---- plots --------------------------------------------------------------- */

/* The model's round trip, old and new, context tracking off (0) and on (1). */
static int plot_model(const struct fl_run *r, const char *dir)
{
	struct fl_pair_series s;
	struct fl_pair_plot pp;
	struct fl_plot p = { 0 };
	char path[512];
	int err = fl_pair_series_collect(r, &round_trip, &s);

	if (err)
		return err;
	if (!s.n) {
		fl_pair_series_free(&s);
		return -ENODATA;
	}
	err = fl_pair_plot_arrays(&s, &pp);
	if (!err) {
		snprintf(path, sizeof(path), "%s/entry-model", dir);
		p.path = path;
		p.title = "entry: an IRQ from user mode and back, in the model (median, min..max "
			  "of repetitions)";
		p.xlabel = "context tracking (0: off, 1: on, as on a nohz_full CPU)";
		p.ylabel = "TSC cycles per round trip";
		p.series[0] = fl_pair_plot_base(&pp, "old: v4.2, retint_user in asm");
		p.series[1] = fl_pair_plot_other(&pp, "new: v4.3, prepare_exit_to_usermode in C");
		p.nseries = 2;
		err = fl_plot_write(&p);
		fl_pair_plot_free(&pp);
	}
	fl_pair_series_free(&s);
	return err;
}

/* This run's kernel: each path's round trip, with the published getpid points. */
static int plot_live(const struct fl_run *r, const char *dir)
{
	double x[NPATHS], y[NPATHS], lo[NPATHS], hi[NPATHS];
	struct fl_plot p = { 0 };
	char path[512];
	size_t n = 0;

	for (size_t i = 0; i < NPATHS; i++) {
		struct fl_spread ns;

		if (live_ns(r, &live_paths[i], &ns))
			continue;
		x[n] = (double)(i + 1);
		y[n] = ns.med;
		lo[n] = ns.lo;
		hi[n++] = ns.hi;
	}
	if (!n)
		return 0;	/* no live rows: nothing to draw, nothing wrong */
	snprintf(path, sizeof(path), "%s/entry-live", dir);
	p.path = path;
	p.title = "entry: this kernel's round trips (live; median, min..max)";
	p.xlabel = "path: 1 getppid(), 2 an invalid syscall, 3 a minor fault, 4 a signal";
	p.ylabel = "ns per round trip";
	p.logy = true;
	p.series[0] = (struct fl_series){ "live", x, y, lo, hi, n };
	p.nseries = 1;
	p.hline[0] = (struct fl_hline){ "published getpid, context tracking forced: ~360 ns",
					360 };
	p.hline[1] = (struct fl_hline){ "... and with opportunistic SYSRET: ~280 ns", 280 };
	p.nhlines = 2;
	return fl_plot_write(&p);
}

static int plot(const struct fl_run *r, const char *dir)
{
	int err = plot_model(r, dir);

	return err ? err : plot_live(r, dir);
}

static const struct fl_suite_entry quick[] = {
	{ WORKLOAD, FL_SHIM, "old,new", { "C=0,1", "F=0", NULL }, 21, 64 },
	{ WORKLOAD, FL_SHIM, "ct_pair,rcu_pair", { "C=1", "F=0", NULL }, 9, 64 },
	/* this kernel's paths (root only) */
	{ "syscall_cost", FL_LIVE, "live", { "S=0,1", NULL }, 5, 16 },
	{ "signal_cost", FL_LIVE, "live", { "N=1024", NULL }, 5, 16 },
	{ "irq_gaps", FL_LIVE, "live", { "T=20", "G=1000", NULL }, 3, 8 },
	{ NULL }
};

const struct fl_claim fl_claim_entry = {
	.id = "entry",
	.seed = "003_bc5ba6f32ae058cc.txt",
	.statement = "IRQ exit work in C, entered in a known context-tracking state, costs an "
		     "IRQ from user mode only a pair of branches with context tracking off; "
		     "with it on, user_exit()+user_enter() cost more than the "
		     "rcu_irq_enter()+rcu_irq_exit() they replace",
	.metric = "irq_round_trip cycles new adds over old, context tracking off (%); and "
		  "user_exit+user_enter over rcu_irq_enter+exit, on",
	.published = 1,
	.tolerance = 0,
	.source = "Andy Lutomirski, LKML 2015-08-19 (seed 003): \"an unnecessary pair of "
		  "branches\"; the bar 1%: issue \"Claim entry\"",
	.quick = quick,
	.evaluate = evaluate,
	.plot = plot,
};
