/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/runner.h - a plan of configured workloads, run through Google
 * Benchmark into a struct fl_run.
 */
#ifndef FL_RUNNER_H
#define FL_RUNNER_H

#include <stdbool.h>

#include "bench/results.h"
#include "workloads/workload.h"

struct fl_plan_item {
	struct fl_instance in;
	int repetitions;
	long rounds;		/* per repetition: Google Benchmark iterations */
	char params[128];	/* canonical "M=64,P=2" */
	char name[192];		/* workload/variant/backend/params */
	struct fl_run *out;	/* where its samples go, while running */
	int reported;		/* repetitions handed over, while running */
};

struct fl_plan {
	struct fl_plan_item *items;
	size_t n, cap;
};

void fl_plan_free(struct fl_plan *p);

/*
 * Adds the cartesian product of variants ("old,new"; NULL: all the workload
 * has for the backend) and parameter specs ("M=64,256,1024", NULL-ended; a
 * parameter not named takes its default).  Validates everything: unknown
 * names, values out of range, a backend the workload lacks.
 */
int fl_plan_add(struct fl_plan *p, const struct fl_workload *w,
		enum fl_backend backend, const char *variants,
		const char *const *param_specs, int repetitions, long rounds);

/*
 * What the backends would refuse of the plan (the module's bounds), before
 * anything runs or is opened: callers check a plan with it before running it.
 */
int fl_plan_check(const struct fl_plan *p);

struct fl_runner_opts {
	bool no_pmu;		/* skip the hardware counters */
	bool quiet;		/* nothing on the console while it runs */
	bool verbose;		/* Google Benchmark's console table, not progress lines */
	bool interleave;	/* random interleaving of repetitions */
	bool pairs;		/* variants of a point back to back (wins over interleave) */
	double warmup;		/* seconds of warm-up per benchmark */
	const char *json_path;	/* keep Google Benchmark's JSON here too */
};

/* FL_SCHEDULE_* of a run made with these options. */
const char *fl_runner_schedule(const struct fl_runner_opts *o);

/*
 * Runs the plan; samples and the counter source go into out (whose meta the
 * caller fills).  Fails if any benchmark failed, naming it.
 */
int fl_runner_run(struct fl_plan *p, const struct fl_runner_opts *o,
		  struct fl_run *out);

#endif
