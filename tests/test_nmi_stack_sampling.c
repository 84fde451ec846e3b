// SPDX-License-Identifier: GPL-2.0
/*
 * Workload nmi_stack_sampling, run through the harness's own calls for a few
 * rounds: the canaries of the target's frames hold under every variant (the
 * sampler only reads), every sample copies what its variant and the hole
 * allow, and the counts are the mechanism's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "workloads/workload.h"

#define ROUNDS	4

static double metric(const struct fl_instance *in, const struct fl_round *acc,
		     const char *name)
{
	int i = fl_metric_index(in->w, name);

	assert_true(i >= 0);
	return acc->metric[i];
}

/* ROUNDS rounds of variant at S KiB, with or without the hole; the metrics. */
static void sample(const char *variant, long s_kib, long hole, struct fl_instance *in,
		   struct fl_round *acc)
{
	const struct fl_workload *w = fl_workload_find("nmi_stack_sampling");

	assert_non_null(w);
	*in = (struct fl_instance){ .w = w, .backend = FL_SHIM, .variant = variant };
	for (int i = 0; w->params[i].name; i++)
		in->param[i] = w->params[i].def;
	in->param[fl_param_index(w, "S")] = s_kib;
	in->param[fl_param_index(w, "H")] = hole;
	memset(acc, 0, sizeof(*acc));
	assert_int_equal(fl_instance_setup(in), 0);
	for (int r = 0; r < ROUNDS; r++)
		assert_int_equal(w->round(in, acc), 0);
	w->finish(in, acc);
	fl_instance_teardown(in);
}

static void test_canaries_hold_and_copies_are_whole(void **state)
{
	static const char *const variants[] = { "old", "new", "copy_only" };
	struct fl_instance in;
	struct fl_round acc;

	for (int v = 0; v < 3; v++) {
		sample(variants[v], 64, 0, &in, &acc);
		assert_int_equal(metric(&in, &acc, "canary_breaks"), 0);
		assert_int_equal(metric(&in, &acc, "samples"), ROUNDS * fl_param(&in, "N"));
		assert_int_equal(metric(&in, &acc, "bytes_per_sample"), 64 << 10);
		assert_int_equal(metric(&in, &acc, "faults_per_sample"), 0);
		assert_true(metric(&in, &acc, "handler_cycles_p50") > 0);
		assert_true(metric(&in, &acc, "handler_cycles_p50") <=
			    metric(&in, &acc, "handler_cycles_p999"));
		assert_true(metric(&in, &acc, "handler_cycles_p999") <=
			    metric(&in, &acc, "handler_cycles_max"));
	}
}

/* 64 KiB from the stack pointer: 16 pages, or 17 when it starts mid-page. */
static void test_old_pins_new_does_not(void **state)
{
	struct fl_instance in;
	struct fl_round acc;

	sample("old", 64, 0, &in, &acc);
	assert_in_range(metric(&in, &acc, "pages_pinned_per_sample"), 16, 17);
	sample("new", 64, 0, &in, &acc);
	assert_int_equal(metric(&in, &acc, "pages_pinned_per_sample"), 0);
}

/*
 * With the hole, 64 KiB runs off the stack's top: each copy stops there,
 * old without a fault, new and copy_only with one; only copy_only, with the
 * v3.12 fault path, raises perf's software event inside the "NMI".
 */
static void test_hole(void **state)
{
	struct fl_instance in;
	struct fl_round acc;

	sample("old", 64, 1, &in, &acc);
	assert_true(metric(&in, &acc, "bytes_per_sample") < 64 << 10);
	assert_int_equal(metric(&in, &acc, "faults_per_sample"), 0);
	sample("new", 64, 1, &in, &acc);
	assert_true(metric(&in, &acc, "bytes_per_sample") < 64 << 10);
	assert_int_equal(metric(&in, &acc, "faults_per_sample"), 1);
	assert_int_equal(metric(&in, &acc, "sw_events_per_sample"), 0);
	assert_int_equal(metric(&in, &acc, "canary_breaks"), 0);
	sample("copy_only", 64, 1, &in, &acc);
	assert_int_equal(metric(&in, &acc, "faults_per_sample"), 1);
	assert_int_equal(metric(&in, &acc, "sw_events_per_sample"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canaries_hold_and_copies_are_whole),
		cmocka_unit_test(test_old_pins_new_does_not),
		cmocka_unit_test(test_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
