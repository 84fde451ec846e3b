// SPDX-License-Identifier: GPL-2.0
/* Verdicts of the claims on synthetic runs with known answers. */
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/synthetic_run.h"

#include "bench/claims/claims.h"
#include "bench/results.h"

static const long ms[] = { 0, 100000, 200000, 300000, 400000 };

/* PGDs new's purges walk per round (0: the split removed them all). */
static double new_walks;

/* One sample of a workload at params, as the runner stores them. */
static void add_sample(struct fl_run *r, const char *workload, const char *variant,
		       const char *params, const char *metric, int rep, double v)
{
	synthetic_sample(r, workload, variant, "shim", "wall", params, rep, metric, v);
}

static void add_metric(struct fl_run *r, const char *variant, long m, int rep,
		       const char *metric, double v)
{
	char params[64];

	snprintf(params, sizeof(params), "M=%ld,P=2,J=256,T=4,S=8", m);
	add_sample(r, "reaim_vunmap", variant, params, metric, rep, v);
}

/*
 * A repetition's jobs/min, and the model's counts: old syncs 40 times in 256
 * rounds and walks M PGDs each time; new as new_walks says.
 */
static void add(struct fl_run *r, const char *variant, long m, int rep, double v)
{
	bool old = !strcmp(variant, "old");

	add_metric(r, variant, m, rep, "jobs_per_min", v);
	add_metric(r, variant, m, rep, "syncs_per_round", old ? 40.0 / 256 : 0);
	add_metric(r, variant, m, rep, "pgds_walked_per_round",
		   old ? 40.0 * (double)m / 256 : new_walks);
}

/*
 * Jobs/min from a cost per job of base + slope * M µs, with a small
 * deterministic wobble of +-spread across 5 repetitions.
 */
static void add_series_at(struct fl_run *r, const char *variant, const long *at, size_t n,
			  double base_us, double slope_us, double spread)
{
	static const double wobble[] = { 0, 1, -1, 0.5, -0.5 };

	for (size_t i = 0; i < n; i++)
		for (int rep = 0; rep < 5; rep++) {
			double cost = (base_us + slope_us * (double)at[i]) *
				      (1 + spread * wobble[rep]);

			add(r, variant, at[i], rep, 60e6 / cost);
		}
}

static void add_series(struct fl_run *r, const char *variant, double base_us,
		       double slope_us, double spread)
{
	add_series_at(r, variant, ms, sizeof(ms) / sizeof(ms[0]), base_us, slope_us, spread);
}

/* Both verdicts of claim id on run r, as faultline claims computes them. */
static struct fl_verdict judge_claim(const char *id, const struct fl_run *r)
{
	struct fl_verdict v;

	fl_claim_judge(fl_claim_find(id), r, &v);
	return v;
}

/*
 * The verdicts of a run of old and new, each costing base + slope * M µs per
 * job with +-spread, at the points at[] (NULL: ms[]).
 */
static struct fl_verdict pair_verdict(const long *at, size_t n, double old_slope,
				      double new_slope, double spread)
{
	struct fl_run r;
	struct fl_verdict v;

	if (!at) {
		at = ms;
		n = sizeof(ms) / sizeof(ms[0]);
	}
	fl_run_init(&r);
	add_series_at(&r, "old", at, n, 0.7, old_slope, spread);
	add_series_at(&r, "new", at, n, 0.7, new_slope, spread);
	v = judge_claim("vmalloc-sync", &r);
	fl_run_free(&r);
	return v;
}

/* old: 0.7 µs + 12 ns per 1000 processes (as measured here); new flat. */
static void test_reproduced(void **state)
{
	struct fl_verdict v;

	v = pair_verdict(NULL, 0, 12e-6, 0, 0.01);
	assert_int_equal(v.verdict, FL_REPRODUCED);
	/* at M=400000: old costs 0.7 + 4.8 µs, so it keeps 0.7/5.5 of new */
	assert_float_equal(v.measured, 100 * (1 - 0.7 / 5.5), 0.5);
	assert_true(v.lo <= v.measured && v.measured <= v.hi);
	assert_non_null(strstr(v.reason, "M="));
	assert_int_equal(v.mechanism, FL_REPRODUCED);
	assert_non_null(strstr(v.mechanism_reason, "walk 62500 PGDs per round at M=400000"));
}

/*
 * The machine swings by +-30% from one repetition to the next, old and new
 * alike (the wobble is the repetition's).  Resampling each side on its own
 * sees the swing; the ratios of pairs run back to back do not.
 */
static void test_pairs_cancel_the_machines_swings(void **state)
{
	struct fl_verdict apart, paired;
	struct fl_run r;

	fl_run_init(&r);
	add_series(&r, "old", 0.7, 12e-6, 0.3);
	add_series(&r, "new", 0.7, 0, 0.3);
	apart = judge_claim("vmalloc-sync", &r);
	r.meta.schedule = strdup(FL_SCHEDULE_PAIRS);
	paired = judge_claim("vmalloc-sync", &r);
	fl_run_free(&r);

	assert_true(apart.hi - apart.lo > 10);
	assert_null(strstr(apart.reason, "pairs"));
	assert_int_equal(paired.verdict, FL_REPRODUCED);
	assert_float_equal(paired.measured, 100 * (1 - 0.7 / 5.5), 0.01);
	assert_float_equal(paired.hi - paired.lo, 0, 1e-4);
	assert_non_null(strstr(paired.reason, "by 5 pairs"));
}

/*
 * A slower machine: a job costs 2 µs at M=0 (0.7 here), so old's 12 ns per
 * 1000 processes reach 80% only at 5 * 2 = 2 + 0.012 M / 1000: M = 666667.
 * The quick suite's M up to 384000 are not enough; extend() asks for the M
 * the cost line predicts, rounded up, until the loss crosses 80%, and never
 * beyond the workload's bound.
 */
static void test_extends_m_to_the_crossing(void **state)
{
	static const long quick_ms[] = { 0, 96000, 192000, 288000, 384000 };
	const struct fl_claim *c = fl_claim_find("vmalloc-sync");
	struct fl_suite_entry more;
	struct fl_verdict v;
	char buf[64];
	struct fl_run r;
	long m;

	fl_run_init(&r);
	add_series_at(&r, "old", quick_ms, 5, 2, 12e-6, 0);
	add_series_at(&r, "new", quick_ms, 5, 2, 0, 0);
	v = judge_claim("vmalloc-sync", &r);
	assert_int_equal(v.verdict, FL_INCONCLUSIVE);
	assert_non_null(strstr(v.reason, "old's cost line reaches it at M~666667"));

	assert_int_equal(c->extend(&r, &more, buf, sizeof(buf)), 1);
	assert_string_equal(more.workload, "reaim_vunmap");
	assert_string_equal(more.params[0], buf);
	assert_int_equal(sscanf(buf, "M=%ld", &m), 1);
	assert_int_equal(m, 667000);	/* no noise: the interval is the estimate */
	assert_string_equal(more.params[1], "P=2");

	/* Run there: 80.0% exactly is crossed, and nothing more is asked. */
	add_series_at(&r, "old", &m, 1, 2, 12e-6, 0);
	add_series_at(&r, "new", &m, 1, 2, 0, 0);
	assert_int_equal(c->extend(&r, &more, buf, sizeof(buf)), 0);
	v = judge_claim("vmalloc-sync", &r);
	assert_int_equal(v.verdict, FL_REPRODUCED);
	assert_non_null(strstr(v.reason, "at M=667000 (80% crossed at M~"));
	fl_run_free(&r);

	/* A machine slower still: the bound (M=1000000) ends the search. */
	fl_run_init(&r);
	add_series_at(&r, "old", quick_ms, 5, 6, 12e-6, 0);
	add_series_at(&r, "new", quick_ms, 5, 6, 0, 0);
	assert_int_equal(c->extend(&r, &more, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "M=1000000");
	m = 1000000;
	add_series_at(&r, "old", &m, 1, 6, 12e-6, 0);
	add_series_at(&r, "new", &m, 1, 6, 0, 0);
	assert_int_equal(c->extend(&r, &more, buf, sizeof(buf)), 0);
	v = judge_claim("vmalloc-sync", &r);
	assert_int_equal(v.verdict, FL_NOT_REPRODUCED);
	assert_non_null(strstr(v.reason, "not reached for M up to 1000000, the workload's "
				       "bound; old's cost line reaches it at M~2000000"));
	fl_run_free(&r);

	/* old's cost does not grow with M (no purge in a short run): no more M */
	fl_run_init(&r);
	add_series_at(&r, "old", quick_ms, 5, 2, 0, 0.01);
	add_series_at(&r, "new", quick_ms, 5, 2, 0, 0.01);
	assert_int_equal(c->extend(&r, &more, buf, sizeof(buf)), 0);
	fl_run_free(&r);
}

/*
 * A machine whose old cost grows more slowly past M=384000 (2 µs + 12 ns per
 * 1000 processes up to there, 6 ns beyond): the line fitted to the quick
 * suite's points predicts the crossing too early, so the suite must extend
 * more than once, each time with what the last point taught, until the loss
 * crosses 80% (at M~949333) within the bound.
 */
static double bending_cost_us(long m)
{
	if (m <= 384000)
		return 2 + 12e-6 * (double)m;
	return 2 + 12e-6 * 384000 + 6e-6 * (double)(m - 384000);
}

struct bending {
	struct fl_run *r;
	int calls;
};

/* What the runner would: the asked M measured, into the same run. */
static int run_bending(const struct fl_claim *c, const struct fl_suite_entry *e,
		       const char *asked, void *arg)
{
	struct bending *b = arg;
	long m;

	assert_string_equal(c->id, "vmalloc-sync");
	assert_string_equal(e->workload, "reaim_vunmap");
	assert_int_equal(sscanf(asked, "M=%ld", &m), 1);
	assert_true(m > 384000 && m <= 1000000);
	for (int rep = 0; rep < 5; rep++) {
		add(b->r, "old", m, rep, 60e6 / bending_cost_us(m));
		add(b->r, "new", m, rep, 60e6 / 2);
	}
	b->calls++;
	return 0;
}

static void test_extends_more_than_once(void **state)
{
	static const long quick_ms[] = { 0, 96000, 192000, 288000, 384000 };
	struct fl_verdict v;
	struct fl_run r;
	struct bending b = { &r, 0 };

	fl_run_init(&r);
	for (size_t i = 0; i < 5; i++)
		for (int rep = 0; rep < 5; rep++) {
			add(&r, "old", quick_ms[i], rep, 60e6 / bending_cost_us(quick_ms[i]));
			add(&r, "new", quick_ms[i], rep, 60e6 / 2);
		}
	assert_int_equal(fl_claims_extend(&r, 4, run_bending, &b), 0);
	assert_true(b.calls >= 2);
	v = judge_claim("vmalloc-sync", &r);
	assert_int_equal(v.verdict, FL_REPRODUCED);
	assert_non_null(strstr(v.reason, "80% crossed at M~"));
	fl_run_free(&r);
}

/* new's purges still walk PGDs: the work the split removed is not gone. */
static void test_mechanism_new_still_walks(void **state)
{
	struct fl_verdict v;

	new_walks = 3;
	v = pair_verdict(NULL, 0, 12e-6, 0, 0.01);
	new_walks = 0;
	assert_int_equal(v.mechanism, FL_NOT_REPRODUCED);
}

/* The same growth but too small to reach 80%: measured, not reproduced. */
static void test_too_small(void **state)
{
	struct fl_verdict v;

	v = pair_verdict(NULL, 0, 1e-6, 0, 0.01);
	/* short of 80%, and M could go on: the crossing may lie beyond */
	assert_int_equal(v.verdict, FL_INCONCLUSIVE);
	assert_float_equal(v.measured, 100 * (1 - 0.7 / 1.1), 0.5);
	/* says what is true of the crossing, never "nan" */
	assert_non_null(strstr(v.reason, "80% not reached for M up to 400000"));
	/* 0.7 + 1e-6 M µs reaches 5 x 0.7 at M = 2.8e6 */
	assert_non_null(strstr(v.reason, "old's cost line reaches it at M~2800000"));
	assert_null(strstr(v.reason, "nan"));
}

/* A run that stops short of the claim's M is not judged at its own largest M. */
static void test_lacks_the_claims_points(void **state)
{
	static const long small[] = { 0, 1000, 2000 };
	struct fl_verdict v;

	v = pair_verdict(small, 3, 12e-6, 0, 0.01);
	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	assert_true(isnan(v.measured));
	assert_non_null(strstr(v.reason, "up to M=2000 only"));
	assert_non_null(strstr(v.reason, "judged at M=384000"));
	/* the mechanism does not need the claim's largest M */
	assert_int_equal(v.mechanism, FL_REPRODUCED);
}

/* new grows as much as old: the split bought nothing. */
static void test_new_not_flat(void **state)
{
	struct fl_verdict v;

	v = pair_verdict(NULL, 0, 12e-6, 6e-6, 0.01);
	assert_int_equal(v.verdict, FL_NOT_REPRODUCED);
}

/* The loss straddles the published one: the noise decides nothing. */
static void test_noise_is_inconclusive(void **state)
{
	struct fl_verdict v;

	/* at M=400000 old keeps 0.7/2.9 = 24% of new: 76% lost, with +-60% noise */
	v = pair_verdict(NULL, 0, 5.5e-6, 0, 0.6);
	assert_int_equal(v.verdict, FL_INCONCLUSIVE);
}

static void test_no_data(void **state)
{
	struct fl_run r;
	struct fl_verdict v;

	fl_run_init(&r);
	v = judge_claim("vmalloc-sync", &r);
	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	assert_true(isnan(v.measured));
	assert_non_null(strstr(v.reason, "reaim_vunmap"));
	/* one variant only is no better */
	add_series(&r, "old", 0.7, 12e-6, 0.01);
	v = judge_claim("vmalloc-sync", &r);
	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	fl_run_free(&r);
}

/* ---- spf ------------------------------------------------------------------ */

/*
 * A run on ncpu CPUs (16, the published machine, unless a test says
 * otherwise): ebizzy_like records/s at T=1, ncpu and twice that, speculative
 * gaining gain[T] over classic with +-spread across 9 repetitions, and taking
 * share of its faults speculatively (classic none); kernbench_like's CPU per
 * job, speculative cpu times classic's.  Those are ebizzy -T's records
 * (touch=1); copy and search (touch=0) gains a different +30% at ncpu, which
 * the claim reports beside them and must not judge.
 */
static int spf_ncpu = 16;
static double spf_share_of_speculative = 0.98;

static void spf_run(struct fl_run *r, const double gain[3], double spread, double cpu,
		    bool with_2ncpu)
{
	static const double wobble[] = { 0, 1, -1, 0.5, -0.5, 0.25, -0.25, 0.75, -0.75 };
	static char params[3][64], searched[64], files[2][64], topology[64];
	const int t[3] = { 1, spf_ncpu, 2 * spf_ncpu };

	fl_run_init(r);
	snprintf(topology, sizeof(topology), "1 package, %d cores, %d PUs", spf_ncpu, spf_ncpu);
	r->meta.topology = topology;
	for (int i = 0; i < (with_2ncpu ? 3 : 2); i++) {
		snprintf(params[i], sizeof(params[i]), "T=%d,C=10,K=512,R=32,touch=1", t[i]);
		for (int rep = 0; rep < 9; rep++) {
			double w = 1 + spread * wobble[rep];

			add_sample(r, "ebizzy_like", "classic", params[i], "records_per_s", rep,
				1000 * w);
			add_sample(r, "ebizzy_like", "speculative", params[i], "records_per_s", rep,
				1000 * gain[i] / w);
			add_sample(r, "ebizzy_like", "classic", params[i], "spf_share", rep, 0);
			add_sample(r, "ebizzy_like", "speculative", params[i], "spf_share", rep,
				spf_share_of_speculative);
		}
	}
	snprintf(searched, sizeof(searched), "T=%d,C=10,K=512,R=32,touch=0", spf_ncpu);
	snprintf(files[0], sizeof(files[0]), "T=%d,P=1024,S=0", spf_ncpu);
	snprintf(files[1], sizeof(files[1]), "T=%d,P=1024,S=1", spf_ncpu);
	for (int rep = 0; rep < 9; rep++) {
		/* the cost side: private file faults -10%, shared -20% */
		add_sample(r, "page_fault_file", "classic", files[0], "faults_per_s", rep, 1000);
		add_sample(r, "page_fault_file", "speculative", files[0], "faults_per_s", rep, 900);
		add_sample(r, "page_fault_file", "classic", files[1], "faults_per_s", rep, 1000);
		add_sample(r, "page_fault_file", "speculative", files[1], "faults_per_s", rep, 800);
	}
	for (int rep = 0; rep < 9; rep++) {
		add_sample(r, "ebizzy_like", "classic", searched, "records_per_s", rep, 500);
		add_sample(r, "ebizzy_like", "speculative", searched, "records_per_s", rep, 650);
		add_sample(r, "ebizzy_like", "classic", searched, "spf_share", rep, 0);
		add_sample(r, "ebizzy_like", "speculative", searched, "spf_share", rep, 0.1);
	}
	for (int rep = 0; rep < 9; rep++) {
		double w = 1 + 0.002 * wobble[rep];

		add_sample(r, "kernbench_like", "classic", "J=16,H=64,C=4",
			"task_clock_ns_per_round", rep, 1e6 * w);
		add_sample(r, "kernbench_like", "speculative", "J=16,H=64,C=4",
			"task_clock_ns_per_round", rep, 1e6 * cpu / w);
	}
}

static void free_spf_run(struct fl_run *r)
{
	r->meta.topology = NULL;	/* not ours to free */
	fl_run_free(r);
}

/* The verdicts of an spf_run() (its reasons are copied: the run is freed). */
static struct fl_verdict spf_verdict(const double gain[3], double spread, double cpu,
				     bool with_2ncpu)
{
	struct fl_run r;
	struct fl_verdict v;

	spf_run(&r, gain, spread, cpu, with_2ncpu);
	v = judge_claim("spf", &r);
	free_spf_run(&r);
	return v;
}

/* +100% at T = CPUs, still gaining at twice that, the control flat. */
static void test_spf_reproduced(void **state)
{
	const double gain[] = { 1.0, 2.0, 1.8 };
	struct fl_verdict v;

	v = spf_verdict(gain, 0.02, 1.0, true);
	assert_int_equal(v.verdict, FL_REPRODUCED);
	assert_float_equal(v.measured, 100, 1);
	assert_true(v.lo <= v.measured && v.measured <= v.hi);
	assert_non_null(strstr(v.reason, "T=16 +100%"));
	assert_non_null(strstr(v.reason, "copy-and-search (ebizzy without -T) T=16 +30% [+30,+30]"));
	assert_non_null(strstr(v.reason, "cost side, file faults at T=16: private (page_fault2) "
				       "-10% [-10,-10], shared (page_fault3) -20% [-20,-20]"));
	assert_null(strstr(v.reason, "nan"));
	/* judged on ebizzy -T's faults (98% speculative), not copy and search's 10% */
	assert_int_equal(v.mechanism, FL_REPRODUCED);
}

/* +10%, tightly measured: outside the published band. */
static void test_spf_gain_too_small(void **state)
{
	const double gain[] = { 1.0, 1.1, 1.1 };
	struct fl_verdict v;

	v = spf_verdict(gain, 0.02, 1.0, true);
	assert_int_equal(v.verdict, FL_NOT_REPRODUCED);
	assert_float_equal(v.measured, 10, 1);
}

/* The gain is there, but kernbench pays 10% more CPU per job. */
static void test_spf_control_moves(void **state)
{
	const double gain[] = { 1.0, 2.0, 1.8 };
	struct fl_verdict v;

	v = spf_verdict(gain, 0.02, 1.1, true);
	assert_int_equal(v.verdict, FL_NOT_REPRODUCED);
	assert_non_null(strstr(v.reason, "kernbench CPU/job"));
}

/*
 * +60% in the median, in the band, but repetitions +-60% apart leave an
 * interval that holds no gain at all: the noise decides nothing.
 */
static void test_spf_noise_is_inconclusive(void **state)
{
	const double gain[] = { 1.0, 1.6, 1.6 };
	struct fl_verdict v;

	v = spf_verdict(gain, 0.6, 1.0, true);
	assert_true(v.lo <= 0);
	assert_int_equal(v.verdict, FL_INCONCLUSIVE);
}

/* Without T = 2 x CPUs the claim is not judged, and says what it needs. */
static void test_spf_lacks_points(void **state)
{
	const double gain[] = { 1.0, 2.0, 1.8 };
	struct fl_verdict v;

	v = spf_verdict(gain, 0.02, 1.0, false);
	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	assert_true(isnan(v.measured));
	assert_non_null(strstr(v.reason, "at T=16 and T=32"));
}

/*
 * On 2 CPUs the published figure (16 and 80 CPUs) is not this machine's to
 * judge: the magnitude is not applicable, with the USL's prediction beside
 * it; the mechanism is judged all the same.
 */
/* Records/s at n threads by the USL, lambda 1000. */
static double usl(double n, double sigma, double kappa)
{
	return 1000 * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

/*
 * Where the machine has the CPUs to test it (16 here), the USL is fitted to
 * the points below them and checked against the point at them: on curves
 * that are the USL's own, the prediction is what was measured.  Two CPUs
 * leave it nothing to test, and it says nothing.
 */
static void spf_usl_run(struct fl_run *r, int ncpu)
{
	static const int t[] = { 1, 2, 4, 8, 16, 32 };
	static char topology[64];
	char params[64];

	fl_run_init(r);
	snprintf(topology, sizeof(topology), "1 package, %d cores, %d PUs", ncpu, ncpu);
	r->meta.topology = topology;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(params, sizeof(params), "T=%d,C=10,K=512,R=32,touch=1", t[i]);
		for (int rep = 0; rep < 9; rep++) {
			add_sample(r, "ebizzy_like", "classic", params, "records_per_s", rep,
				   usl(t[i], 0.2, 0.005));
			add_sample(r, "ebizzy_like", "speculative", params, "records_per_s", rep,
				   usl(t[i], 0.02, 0.0005));
			add_sample(r, "ebizzy_like", "classic", params, "spf_share", rep, 0);
			add_sample(r, "ebizzy_like", "speculative", params, "spf_share", rep, 0.9);
		}
	}
	for (int rep = 0; rep < 9; rep++) {
		add_sample(r, "kernbench_like", "classic", "J=16,H=64,C=4",
			   "task_clock_ns_per_round", rep, 1e6);
		add_sample(r, "kernbench_like", "speculative", "J=16,H=64,C=4",
			   "task_clock_ns_per_round", rep, 1e6);
	}
}

static void test_spf_usl_checked_where_it_can_be(void **state)
{
	double gain = 100 * (usl(16, 0.02, 0.0005) / usl(16, 0.2, 0.005) - 1);
	struct fl_verdict v;
	char want[128];
	struct fl_run r;

	spf_usl_run(&r, 16);
	v = judge_claim("spf", &r);
	free_spf_run(&r);
	snprintf(want, sizeof(want), "USL check: fitted to T<16, it predicts %+.0f%% [%+.0f,%+.0f] "
		 "at T=16, measured %+.0f%%", gain, gain, gain, gain);
	assert_non_null(strstr(v.reason, want));

	spf_usl_run(&r, 2);
	v = judge_claim("spf", &r);
	free_spf_run(&r);
	assert_null(strstr(v.reason, "USL check"));
	assert_non_null(strstr(v.reason, "USL prediction at T=16"));
}

static void test_spf_needs_the_published_machine(void **state)
{
	const double gain[] = { 1.0, 2.0, 1.8 };
	struct fl_verdict v;

	spf_ncpu = 2;
	v = spf_verdict(gain, 0.02, 1.0, true);
	spf_ncpu = 16;
	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	assert_float_equal(v.measured, 100, 1);
	assert_non_null(strstr(v.reason, "needs 16 CPUs (this run had 2)"));
	assert_non_null(strstr(v.reason, "USL prediction at T=16: "));
	assert_int_equal(v.mechanism, FL_REPRODUCED);
}

/* The speculative path taken for a minority of faults: its work is not gone. */
static void test_spf_mechanism_not_taken(void **state)
{
	const double gain[] = { 1.0, 2.0, 1.8 };
	struct fl_verdict v;

	spf_share_of_speculative = 0.2;
	v = spf_verdict(gain, 0.02, 1.0, true);
	spf_share_of_speculative = 0.98;
	assert_int_equal(v.mechanism, FL_NOT_REPRODUCED);
	assert_non_null(strstr(v.mechanism_reason, "speculative took 20.0%"));
}

static void test_verdict_names(void **state)
{
	assert_string_equal(fl_verdict_name(FL_REPRODUCED), "reproduced");
	assert_string_equal(fl_verdict_name(FL_NOT_REPRODUCED), "not reproduced");
	assert_string_equal(fl_verdict_name(FL_INCONCLUSIVE), "inconclusive");
	assert_string_equal(fl_verdict_name(FL_NOT_APPLICABLE), "not applicable here");
	assert_null(fl_claim_find("no-such-claim"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reproduced),
		cmocka_unit_test(test_pairs_cancel_the_machines_swings),
		cmocka_unit_test(test_extends_m_to_the_crossing),
		cmocka_unit_test(test_extends_more_than_once),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_mechanism_new_still_walks),
		cmocka_unit_test(test_lacks_the_claims_points),
		cmocka_unit_test(test_new_not_flat),
		cmocka_unit_test(test_noise_is_inconclusive),
		cmocka_unit_test(test_no_data),
		cmocka_unit_test(test_spf_reproduced),
		cmocka_unit_test(test_spf_gain_too_small),
		cmocka_unit_test(test_spf_control_moves),
		cmocka_unit_test(test_spf_noise_is_inconclusive),
		cmocka_unit_test(test_spf_lacks_points),
		cmocka_unit_test(test_spf_needs_the_published_machine),
		cmocka_unit_test(test_spf_usl_checked_where_it_can_be),
		cmocka_unit_test(test_spf_mechanism_not_taken),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
