// SPDX-License-Identifier: GPL-2.0
/*
 * Claim entry's verdicts (bench/claims/entry.c) on synthetic runs with known
 * answers: (a) new's extra cost against 1% with context tracking off, (b)
 * user_exit+user_enter against rcu_irq_enter+exit with it on, both needed,
 * and the two extra branches that make the mechanism.
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

#define REPS	9

struct shape {
	double old_off, new_off;	/* cycles per round trip, context tracking off */
	double ct_pair, rcu_pair;	/* cycles per pair, on */
	double noise;			/* +-: each repetition's, each side alone */
	double extra_branches;		/* new over old, off */
};

static void add(struct fl_run *r, const char *variant, int c, int rep, const char *metric,
		double v)
{
	char params[64];

	snprintf(params, sizeof(params), "C=%d,W=64,F=0,N=4096", c);
	synthetic_sample(r, "irq_round_trip", variant, "shim", "tsc", params, rep, metric, v);
}

static struct fl_verdict judge(const struct shape *sh, bool with_pairs)
{
	struct fl_verdict v;
	struct fl_run r;

	fl_run_init(&r);
	r.meta.schedule = strdup(FL_SCHEDULE_PAIRS);
	for (int rep = 0; rep < REPS; rep++) {
		double swing = 1 + 0.3 * sin(rep * 1.7);
		double own = sh->noise * (rep % 2 ? 1 : -1) * (rep % 3 ? 1 : 0.5);

		add(&r, "old", 0, rep, "cycles_per_op", sh->old_off * swing * (1 - own));
		add(&r, "new", 0, rep, "cycles_per_op", sh->new_off * swing * (1 + own));
		add(&r, "old", 1, rep, "cycles_per_op", 2 * sh->old_off * swing);
		add(&r, "new", 1, rep, "cycles_per_op", 2.2 * sh->old_off * swing);
		add(&r, "old", 0, rep, "branches_per_op", 4);
		add(&r, "new", 0, rep, "branches_per_op", 4 + sh->extra_branches);
		if (!with_pairs)
			continue;
		add(&r, "ct_pair", 1, rep, "cycles_per_op", sh->ct_pair * swing);
		add(&r, "rcu_pair", 1, rep, "cycles_per_op", sh->rcu_pair * swing);
	}
	fl_claim_judge(fl_claim_find("entry"), &r, &v);
	fl_run_free(&r);
	return v;
}

static const struct shape as_claimed = {
	.old_off = 200, .new_off = 200.5, .ct_pair = 60, .rcu_pair = 40, .extra_branches = 2,
};

/* A quarter of a percent, and the pair costs 1.5 times: reproduced. */
static void test_as_claimed_is_reproduced(void **state)
{
	struct fl_verdict v = judge(&as_claimed, true);

	assert_int_equal(v.verdict, FL_REPRODUCED);
	assert_float_equal(v.measured, 0.25, 1e-9);
	assert_non_null(strstr(v.reason, "by 9 pairs"));
	assert_non_null(strstr(v.reason, "ratio 1.50"));
	assert_int_equal(v.mechanism, FL_REPRODUCED);
	assert_non_null(strstr(v.mechanism_reason, "old 4, new 6 (+2)"));
}

/* New adding 3% is more than a pair of branches. */
static void test_three_percent_not_reproduced(void **state)
{
	struct shape sh = as_claimed;

	sh.new_off = 206;
	assert_int_equal(judge(&sh, true).verdict, FL_NOT_REPRODUCED);
}

/* user_exit+user_enter cheaper than the RCU pair: (b) fails, so the claim does. */
static void test_cheaper_tracking_not_reproduced(void **state)
{
	struct shape sh = as_claimed;

	sh.ct_pair = 30;
	assert_int_equal(judge(&sh, true).verdict, FL_NOT_REPRODUCED);
}

/* Each side's own +-3%: the interval of (a) straddles 1%. */
static void test_noise_inconclusive(void **state)
{
	struct shape sh = as_claimed;
	struct fl_verdict v;

	sh.noise = 0.03;
	v = judge(&sh, true);
	assert_int_equal(v.verdict, FL_INCONCLUSIVE);
	assert_true(v.lo < 1 && v.hi > 1);
}

/* Without the pairs: not applicable, and what to run. */
static void test_missing_pairs_not_applicable(void **state)
{
	struct fl_verdict v = judge(&as_claimed, false);

	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	assert_true(isnan(v.measured));
	assert_non_null(strstr(v.reason, "needs irq_round_trip"));
}

/* Three extra branches is not the pair the claim names. */
static void test_other_branch_count_mechanism(void **state)
{
	struct shape sh = as_claimed;

	sh.extra_branches = 3;
	assert_int_equal(judge(&sh, true).mechanism, FL_NOT_REPRODUCED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_claimed_is_reproduced),
		cmocka_unit_test(test_three_percent_not_reproduced),
		cmocka_unit_test(test_cheaper_tracking_not_reproduced),
		cmocka_unit_test(test_noise_inconclusive),
		cmocka_unit_test(test_missing_pairs_not_applicable),
		cmocka_unit_test(test_other_branch_count_mechanism),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
