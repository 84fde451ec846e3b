// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's side of a workload's life (workloads/registry.c): the state
 * it allocates, the teardown it owes a setup that failed halfway, and the
 * default rounds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "bench/err.h"
#include "workloads/workload.h"

struct probe {
	long acquired;		/* what setup took, for teardown to give back */
	char tail[4096];	/* so that a short allocation shows under ASan */
};

static int teardowns;
static long released;

static int probe_setup(struct fl_instance *in)
{
	struct probe *p = in->priv;

	/* the harness hands over zeroed state of priv_size */
	for (size_t i = 0; i < sizeof(p->tail); i++)
		if (p->tail[i])
			return fl_fail(EINVAL, "priv not zeroed");
	p->acquired = 42;
	memset(p->tail, 1, sizeof(p->tail));
	return strcmp(in->variant, "fail") ? 0 : fl_fail(EIO, "probe: told to fail");
}

static int probe_round(struct fl_instance *in, struct fl_round *acc)
{
	return 0;
}

static void probe_teardown(void *priv)
{
	struct probe *p = priv;

	teardowns++;
	released += p->acquired;
}

static const struct fl_param no_params[] = { { NULL } };
static const struct fl_metric no_metrics[] = { { NULL } };

static const struct fl_workload probe = {
	.name = "probe",
	.backends = FL_SHIM,
	.params = no_params,
	.metrics = no_metrics,
	.priv_size = sizeof(struct probe),
	.setup = probe_setup,
	.round = probe_round,
	.teardown = probe_teardown,
};

static void test_setup_then_teardown(void **state)
{
	struct fl_instance in = { .w = &probe, .backend = FL_SHIM, .variant = "old" };

	teardowns = 0;
	released = 0;
	assert_int_equal(fl_instance_setup(&in), 0);
	assert_non_null(in.priv);
	assert_int_equal(teardowns, 0);
	fl_instance_teardown(&in);
	assert_null(in.priv);
	assert_int_equal(teardowns, 1);
	assert_int_equal(released, 42);
}

static void test_failed_setup_is_torn_down(void **state)
{
	struct fl_instance in = { .w = &probe, .backend = FL_SHIM, .variant = "fail" };

	teardowns = 0;
	released = 0;
	assert_int_equal(fl_instance_setup(&in), -EIO);
	assert_string_equal(fl_errmsg(), "probe: told to fail");
	assert_null(in.priv);
	/* what the half-done setup took is given back, once */
	assert_int_equal(teardowns, 1);
	assert_int_equal(released, 42);
}

static void test_rounds_default(void **state)
{
	struct fl_workload w = probe;

	assert_int_equal(fl_workload_rounds(&w), 64);
	w.rounds = 16;
	assert_int_equal(fl_workload_rounds(&w), 16);
}

/* A workload with more metrics than a round has slots writes past them. */
static void test_registered_fit(void **state)
{
	for (int i = 0; fl_workloads[i]; i++) {
		const struct fl_workload *w = fl_workloads[i];

		assert_in_range(fl_nmetrics(w), 1, FL_MAX_METRICS);
		assert_in_range(fl_nparams(w), 0, FL_MAX_PARAMS);
		assert_non_null(w->setup);
		assert_non_null(w->round);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_then_teardown),
		cmocka_unit_test(test_failed_setup_is_torn_down),
		cmocka_unit_test(test_rounds_default),
		cmocka_unit_test(test_registered_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
