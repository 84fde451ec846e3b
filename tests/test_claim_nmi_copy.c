// SPDX-License-Identifier: GPL-2.0
/*
 * Claim nmi-copy's verdicts (bench/claims/nmi_copy.c) on synthetic runs with
 * known answers: the tail's ratio against 0.65, the interval a noisy tail
 * gets, and the pins that make the mechanism.
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

#define REPS	7

static const long sizes[] = { 8, 16, 32, 64 };

struct shape {
	double old_p999, new_p999;	/* at 64 KiB; the other sizes scale down */
	double noise;			/* +-: each repetition's tail, both variants */
	double new_pins;		/* pages new pins a sample (0: none) */
	const char *backend, *source;	/* NULL: shim, tsc */
	const char *cmdline;		/* the (guest) kernel's */
};

static const struct shape *shape;

static void add(struct fl_run *r, const char *variant, long s, int rep, const char *metric,
		double v)
{
	char params[64];

	snprintf(params, sizeof(params), "S=%ld,D=24,R=10000,N=32,H=0", s);
	synthetic_sample(r, "nmi_stack_sampling", variant,
			 shape->backend ? shape->backend : "shim",
			 shape->source ? shape->source : "tsc", params, rep, metric, v);
}

/*
 * Old and new at each size: the tail scaled by the size, times a swing that
 * repetition rep shares between the two (the machine's), or, with noise,
 * one that each side draws alone.
 */
static void make_run(struct fl_run *r, const struct shape *sh, bool pairs)
{
	fl_run_init(r);
	shape = sh;
	if (pairs)
		r->meta.schedule = strdup(FL_SCHEDULE_PAIRS);
	if (sh->cmdline)
		r->meta.cmdline = strdup(sh->cmdline);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		double scale = (double)sizes[i] / 64;
		double bytes = (double)(sizes[i] << 10);

		for (int rep = 0; rep < REPS; rep++) {
			double swing = 1 + 0.3 * sin(rep * 1.7);
			double own = sh->noise * (rep % 2 ? 1 : -1) * (rep % 3 ? 1 : 0.5);

			add(r, "old", sizes[i], rep, "handler_cycles_p999",
			    sh->old_p999 * scale * swing * (1 + own));
			add(r, "new", sizes[i], rep, "handler_cycles_p999",
			    sh->new_p999 * scale * swing * (1 - own));
			add(r, "old", sizes[i], rep, "handler_cycles_p50", 4000 * scale);
			add(r, "new", sizes[i], rep, "handler_cycles_p50", 3000 * scale);
			add(r, "old", sizes[i], rep, "pages_pinned_per_sample", bytes / 4096 + 1);
			add(r, "new", sizes[i], rep, "pages_pinned_per_sample", sh->new_pins);
			add(r, "old", sizes[i], rep, "bytes_per_sample", bytes);
			add(r, "new", sizes[i], rep, "bytes_per_sample", bytes);
		}
	}
}

static struct fl_verdict judge(const struct shape *sh, bool pairs)
{
	struct fl_verdict v;
	struct fl_run r;

	make_run(&r, sh, pairs);
	fl_claim_judge(fl_claim_find("nmi-copy"), &r, &v);
	fl_run_free(&r);
	return v;
}

/* Halved, as published: by pairs the machine's swing cancels. */
static void test_halved_is_reproduced(void **state)
{
	struct shape sh = { .old_p999 = 20000, .new_p999 = 10000 };
	struct fl_verdict v = judge(&sh, true);

	assert_int_equal(v.verdict, FL_REPRODUCED);
	assert_float_equal(v.measured, 0.5, 1e-9);
	assert_float_equal(v.hi - v.lo, 0, 1e-9);
	assert_non_null(strstr(v.reason, "by 7 pairs"));
	assert_int_equal(v.mechanism, FL_REPRODUCED);
	assert_non_null(strstr(v.mechanism_reason, "old pins 17.0 pages"));
}

/* At 0.8 the tail did not shrink enough: not reproduced. */
static void test_too_little_is_not_reproduced(void **state)
{
	struct shape sh = { .old_p999 = 20000, .new_p999 = 16000 };
	struct fl_verdict v = judge(&sh, true);

	assert_int_equal(v.verdict, FL_NOT_REPRODUCED);
	assert_float_equal(v.measured, 0.8, 1e-9);
}

/* A tail that each side draws on its own, +-60%: the interval straddles 0.65. */
static void test_noisy_tail_is_inconclusive(void **state)
{
	struct shape sh = { .old_p999 = 20000, .new_p999 = 11000, .noise = 0.6, .new_pins = 0 };
	struct fl_verdict v = judge(&sh, true);

	assert_int_equal(v.verdict, FL_INCONCLUSIVE);
	assert_true(v.lo <= 0.65 && v.hi > 0.65);
	assert_non_null(strstr(v.reason, "interval is wide"));
}

/* Unpaired, the shared swing is noise: resampled apart, a wider interval. */
static void test_pairs_narrow_the_interval(void **state)
{
	struct shape sh = { .old_p999 = 20000, .new_p999 = 10000 };
	struct fl_verdict apart = judge(&sh, false), paired = judge(&sh, true);

	assert_true(apart.hi - apart.lo > paired.hi - paired.lo + 0.1);
	assert_null(strstr(apart.reason, "pairs"));
}

/* New pinning pages would mean the GUP loop is still there. */
static void test_new_still_pins(void **state)
{
	struct shape sh = { .old_p999 = 20000, .new_p999 = 10000, .new_pins = 16 };
	struct fl_verdict v = judge(&sh, true);

	assert_int_equal(v.mechanism, FL_NOT_REPRODUCED);
}

/*
 * In an exact guest the instruction count is judged only where old and new
 * copy alike: the module, with ERMS and FSRM cleared.
 */
static void test_exact_needs_alike_copies(void **state)
{
	struct shape sh = { .old_p999 = 17183, .new_p999 = 8256, .backend = "kmod",
			    .source = "icount", .cmdline = "console=ttyS0 quiet" };
	struct fl_verdict v = judge(&sh, true);

	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	assert_non_null(strstr(v.reason, "clearcpuid=erms,fsrm"));
	sh.cmdline = "console=ttyS0 clearcpuid=erms,fsrm quiet";
	v = judge(&sh, true);
	assert_int_equal(v.verdict, FL_REPRODUCED);
	assert_non_null(strstr(v.reason, "kmod backend, icount clock"));
	sh.backend = "shim";
	v = judge(&sh, true);
	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	assert_non_null(strstr(v.reason, "shim's copies"));
}

static void test_no_data(void **state)
{
	struct fl_verdict v;
	struct fl_run r;

	fl_run_init(&r);
	fl_claim_judge(fl_claim_find("nmi-copy"), &r, &v);
	fl_run_free(&r);
	assert_int_equal(v.verdict, FL_NOT_APPLICABLE);
	assert_int_equal(v.mechanism, FL_NOT_APPLICABLE);
	assert_true(isnan(v.measured));
	assert_non_null(strstr(v.reason, "needs nmi_stack_sampling"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halved_is_reproduced),
		cmocka_unit_test(test_too_little_is_not_reproduced),
		cmocka_unit_test(test_noisy_tail_is_inconclusive),
		cmocka_unit_test(test_pairs_narrow_the_interval),
		cmocka_unit_test(test_new_still_pins),
		cmocka_unit_test(test_exact_needs_alike_copies),
		cmocka_unit_test(test_no_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
