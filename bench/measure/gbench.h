/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/gbench.h - a C API over Google Benchmark, which has none.
 *
 * Repetitions, warm-up, interleaving, aggregates and the JSON file are Google
 * Benchmark's; this only lets C register functions, drive the iteration loop,
 * set counters and receive every repetition through a callback.
 */
#ifndef FL_GBENCH_H
#define FL_GBENCH_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fl_gb_state;		/* a benchmark::State */

typedef void (*fl_gb_fn)(struct fl_gb_state *st, void *arg);

struct fl_gb_opts {
	long iterations;	/* fixed per repetition; 0: Google Benchmark picks */
	int repetitions;
	double min_warmup_time;	/* seconds, before the first repetition */
	bool manual_time;	/* the function reports each iteration's time */
};

/*
 * A rate is handed over as it is (FL_GB_AS_IS): Google Benchmark's own rates
 * are per second and its table would print a per-minute one as "/s".
 */
enum fl_gb_counter {
	FL_GB_AS_IS,		/* the value itself */
	FL_GB_PER_ITERATION,	/* divided by the iterations */
};

int fl_gb_register(const char *name, fl_gb_fn fn, void *arg,
		   const struct fl_gb_opts *o);
void fl_gb_clear(void);

bool fl_gb_keep_running(struct fl_gb_state *st);
void fl_gb_pause(struct fl_gb_state *st);
void fl_gb_resume(struct fl_gb_state *st);
void fl_gb_set_iteration_time(struct fl_gb_state *st, double seconds);
void fl_gb_skip_with_error(struct fl_gb_state *st, const char *msg);
bool fl_gb_error_occurred(struct fl_gb_state *st);
void fl_gb_set_counter(struct fl_gb_state *st, const char *name, double value,
		       enum fl_gb_counter kind);

/* One repetition (aggregate == false), or one of Google Benchmark's aggregates. */
struct fl_gb_run {
	const char *name;
	bool aggregate;
	const char *aggregate_name;	/* "mean", "median", "stddev", "cv" */
	int repetition;
	bool error;
	const char *error_message;
	long iterations;
	double real_seconds;		/* of the whole repetition */
	double cpu_seconds;
	size_t ncounters;
	const char *const *counter_names;
	const double *counter_values;	/* after Google Benchmark's division */
};

typedef void (*fl_gb_report_fn)(const struct fl_gb_run *r, void *arg);

struct fl_gb_run_opts {
	const char *json_path;	/* Google Benchmark's JSON report, or NULL */
	bool interleave;	/* random interleaving of repetitions */
	bool table;		/* Google Benchmark's console table on stdout */
};

/* Runs every registered benchmark; returns how many ran, or -errno. */
int fl_gb_run_all(const struct fl_gb_run_opts *o, fl_gb_report_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif
