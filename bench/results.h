/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/results.h - one run in memory: where it ran, and its samples (one per
 * benchmark, repetition and metric).  A run is collected here completely and
 * only then handed to the store, in one transaction.
 */
#ifndef FL_RESULTS_H
#define FL_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

struct fl_run_meta {
	long long id;			/* set by the store */
	char *label;
	char *suite;			/* "quick", or "custom" */
	char *backend;			/* what was asked: shim, kmod, live */
	char *git_commit;
	char *git_branch;
	int git_dirty;
	char *host;
	char *kernel_release;
	char *kernel_config_fp;		/* sha256 of the kernel's config, or "" */
	char *cmdline;			/* /proc/cmdline */
	char *cpu_model;
	char *topology;			/* hwloc summary */
	char *counter_source;		/* "pmu" or "tsc+task-clock" */
	char *virt;			/* "", "tcg", "kvm" */
	char *schedule;			/* how repetitions were ordered: FL_SCHEDULE_* */
	char *started_at;		/* ISO 8601, UTC */
	char *finished_at;
};

/*
 * The orders a run's repetitions ran in.  Only in pairs does repetition k of
 * one variant stand next to repetition k of the others, so that their ratio
 * cancels the machine's swings; a run stored before schedules were recorded
 * has "".
 */
#define FL_SCHEDULE_PAIRS	"pairs"
#define FL_SCHEDULE_RANDOM	"interleaved"
#define FL_SCHEDULE_IN_ORDER	"in order"

struct fl_sample {
	char *workload;
	char *variant;			/* old, new, live */
	char *backend;			/* shim, kmod, live */
	char *params;			/* canonical: "M=64,P=2" in declared order */
	int repetition;
	char *metric;
	char *unit;
	double value;
	char *source;			/* who measured it: "wall", "tsc", "pmu", "task-clock" */
};

struct fl_run {
	struct fl_run_meta meta;
	struct fl_sample *samples;
	size_t nsamples, cap;
	char *gbench_json;		/* Google Benchmark's JSON of the run, or NULL */
};

void fl_run_init(struct fl_run *r);
void fl_run_free(struct fl_run *r);
/* Copies every string. Returns 0 or -ENOMEM. */
int fl_run_add(struct fl_run *r, const struct fl_sample *s);

/*
 * The values of one metric for one (workload, variant, params), in repetition
 * order; returns how many were found (at most max).  NULL variant or params
 * match any.
 */
size_t fl_run_values(const struct fl_run *r, const char *workload,
		     const char *variant, const char *params,
		     const char *metric, double *out, size_t max);

/* Parse name=value out of canonical params; 0, or -ENOENT. */
int fl_params_get(const char *params, const char *name, long *value);

/*
 * The distinct params strings for which a workload has samples of this
 * metric, ordered by the value of parameter sort_by (ascending).  Returns how
 * many; *out is a malloc'd array of pointers into r (free only the array).
 */
size_t fl_run_param_sets(const struct fl_run *r, const char *workload,
			 const char *metric, const char *sort_by,
			 const char ***out);

#endif
