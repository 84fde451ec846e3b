// SPDX-License-Identifier: GPL-2.0
/*
 * Claim mmu-notifier's verdicts (bench/claims/mmu_notifier.c) on synthetic
 * runs with known answers: the faulters' ratio against 2, the holds (new's
 * kept, old's grown by D), the module's rows without holds, and the device
 * waits under the lock that make the mechanism.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/synthetic_run.h"

#include "bench/claims/claims.h"
#include "bench/results.h"

#define REPS	5

static const long delays[] = { 0, 1, 10, 100 };

struct shape {
	double old_faults, new_faults;	/* faults/s at D > 0; at D = 0 both are new's */
	double noise;			/* +-: each repetition's faults, each side alone */
	double new_hold_per_d;		/* us of new's hold p99 per us of D (0: kept) */
	double new_locked_waits;	/* per flush at D > 0 */
	bool kmod;			/* the module's rows: no holds, device waits */
};

static const struct shape *shape;

static void add(struct fl_run *r, const char *variant, long d, int rep, const char *metric,
		double v)
{
	char params[64];

	snprintf(params, sizeof(params), "D=%ld,F=1,N=256,T=5", d);
	synthetic_sample(r, "notifier_invalidate", variant, shape->kmod ? "kmod" : "shim",
			 shape->kmod ? "ktime" : "tsc", params, rep, metric, v);
}

static void add_point(struct fl_run *r, long d, int rep)
{
	double swing = 1 + 0.3 * sin(rep * 1.7);
	double own = shape->noise * (rep % 2 ? 1 : -1);
	double old_faults = d ? shape->old_faults : shape->new_faults;

	add(r, "old", d, rep, "faults_per_s", old_faults * swing * (1 + own));
	add(r, "new", d, rep, "faults_per_s", shape->new_faults * swing * (1 - own));
	/* 1000 flushes a second, each waited for under the lock in old */
	add(r, "old", d, rep, "invalidations_per_s", 1000);
	add(r, "new", d, rep, "invalidations_per_s", 1000);
	add(r, "old", d, rep, "locked_waits_per_s", d ? 1000 : 0);
	add(r, "new", d, rep, "locked_waits_per_s", d ? 1000 * shape->new_locked_waits : 0);
	if (shape->kmod) {
		add(r, "old", d, rep, "locked_wait_ns_p99", d * 1020);
		add(r, "new", d, rep, "locked_wait_ns_p99", shape->new_hold_per_d * d * 1000);
		return;
	}
	/* old holds the lock through the flush; new's hold is a cold-cache 0.12 -> 0.19 */
	add(r, "old", d, rep, "ptl_hold_us_p99", 0.4 + d * 1.3 + 0.01 * rep);
	add(r, "new", d, rep, "ptl_hold_us_p99",
	    (d ? 0.19 : 0.12) + shape->new_hold_per_d * d + 0.005 * rep);
}

static struct fl_verdict judge(const struct shape *sh, bool pairs, const long *only, size_t n)
{
	struct fl_verdict v;
	struct fl_run r;

	shape = sh;
	fl_run_init(&r);
	if (pairs)
		r.meta.schedule = strdup(FL_SCHEDULE_PAIRS);
	for (size_t i = 0; i < n; i++)
		for (int rep = 0; rep < REPS; rep++)
			add_point(&r, only[i], rep);
	fl_claim_judge(fl_claim_find("mmu-notifier"), &r, &v);
	fl_run_free(&r);
	return v;
}

#define ALL	delays, sizeof(delays) / sizeof(*delays)

/* What the shim measured: new 45 times old's faults, holds kept and grown. */
static void test_shim_reproduced(void **state)
{
	struct shape sh = { .old_faults = 6.6e5, .new_faults = 2.97e7 };
	struct fl_verdict v = judge(&sh, true, ALL);

	assert_int_equal(v.verdict, FL_REPRODUCED);
	assert_float_equal(v.measured, 2.97e7 / 6.6e5, 1e-6);
	assert_non_null(strstr(v.reason, "by 5 pairs"));
	assert_non_null(strstr(v.reason, "PT-lock hold p99"));
	assert_int_equal(v.mechanism, FL_REPRODUCED);
	assert_non_null(strstr(v.mechanism_reason, "old 1.00, new 0.00"));
}

/* Faulters only 1.5 times as fast: not reproduced. */
static void test_small_gain_not_reproduced(void **state)
{
	struct shape sh = { .old_faults = 2e7, .new_faults = 3e7 };
	struct fl_verdict v = judge(&sh, true, ALL);

	assert_int_equal(v.verdict, FL_NOT_REPRODUCED);
	assert_float_equal(v.measured, 1.5, 1e-9);
}

/* Each side's own +-50%: the ratio's interval straddles 2. */
static void test_noisy_ratio_inconclusive(void **state)
{
	struct shape sh = { .old_faults = 1e7, .new_faults = 2.1e7, .noise = 0.5 };
	struct fl_verdict v = judge(&sh, true, ALL);

	assert_int_equal(v.verdict, FL_INCONCLUSIVE);
	assert_true(v.lo < 2 && v.hi > 2);
}

/* A new whose hold still grows with D holds the lock through the flush. */
static void test_new_hold_growing_not_reproduced(void **state)
{
	struct shape sh = { .old_faults = 6.6e5, .new_faults = 2.97e7, .new_hold_per_d = 1 };
	struct fl_verdict v = judge(&sh, true, ALL);

	assert_int_equal(v.verdict, FL_NOT_REPRODUCED);
	assert_non_null(strstr(v.reason, "new grew by more than 20%"));
}

/* The module's rows: the device's wait under the lock stands in for the hold. */
static void test_kmod_rows(void **state)
{
	struct shape sh = { .old_faults = 4e4, .new_faults = 2e5, .kmod = true };
	struct fl_verdict v = judge(&sh, true, ALL);

	assert_int_equal(v.verdict, FL_REPRODUCED);
	assert_non_null(strstr(v.reason, "the device's wait with the PT lock held"));
	assert_int_equal(v.mechanism, FL_REPRODUCED);
}

/* A device that still waits under the lock in new: the mechanism is not there. */
static void test_new_locked_waits_mechanism(void **state)
{
	struct shape sh = { .old_faults = 6.6e5, .new_faults = 2.97e7, .new_locked_waits = 1 };
	struct fl_verdict v = judge(&sh, true, ALL);

	assert_int_equal(v.mechanism, FL_NOT_REPRODUCED);
}

/* Without D = 10: not applicable, and what to run. */
static void test_missing_point_not_applicable(void **state)
{
	static const long some[] = { 0, 100 };
	struct shape sh = { .old_faults = 6.6e5, .new_faults = 2.97e7 };
	struct fl_verdict v = judge(&sh, true, some, 2);

	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	assert_true(isnan(v.measured));
	assert_non_null(strstr(v.reason, "needs notifier_invalidate"));
	assert_int_equal(v.mechanism, FL_NOT_APPLICABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shim_reproduced),
		cmocka_unit_test(test_small_gain_not_reproduced),
		cmocka_unit_test(test_noisy_ratio_inconclusive),
		cmocka_unit_test(test_new_hold_growing_not_reproduced),
		cmocka_unit_test(test_kmod_rows),
		cmocka_unit_test(test_new_locked_waits_mechanism),
		cmocka_unit_test(test_missing_point_not_applicable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
