/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/synthetic_run.h - the claims' tests build runs with known answers,
 * one sample at a time, as the runner stores them.  Include after cmocka.h.
 */
#ifndef FL_TESTS_SYNTHETIC_RUN_H
#define FL_TESTS_SYNTHETIC_RUN_H

#include "bench/results.h"

static inline void synthetic_sample(struct fl_run *r, const char *workload, const char *variant,
				    const char *backend, const char *source, const char *params,
				    int rep, const char *metric, double v)
{
	struct fl_sample s = {
		.workload = (char *)workload, .variant = (char *)variant,
		.backend = (char *)backend, .params = (char *)params, .repetition = rep,
		.metric = (char *)metric, .unit = "x", .value = v, .source = (char *)source,
	};

	assert_int_equal(fl_run_add(r, &s), 0);
}

#endif
