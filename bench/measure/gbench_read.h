/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/gbench_read.h - the repetitions of a Google Benchmark JSON report that
 * faultline wrote, read back.
 *
 * A run keeps Google Benchmark's report; a comparison's JSON names its
 * benchmarks and gives their times as that report did, so that Google
 * Benchmark's own tools (compare.py) pair the two files' entries.  Google
 * Benchmark writes one member per line; this reads that layout, nothing more
 * general, and knows nothing of what the benchmarks are.
 */
#ifndef FL_GBENCH_READ_H
#define FL_GBENCH_READ_H

struct fl_gb_entry {
	char run_name[512];	/* "WORKLOAD/.../iterations:256/repeats:5/process_time/real_time" */
	char time_unit[8];	/* "ms" */
	double real_time, cpu_time;	/* per iteration, in time_unit */
};

typedef void (*fl_gb_entry_fn)(const struct fl_gb_entry *e, void *arg);

/* Calls fn for every repetition (run_type "iteration") in json; how many. */
int fl_gb_read_iterations(const char *json, fl_gb_entry_fn fn, void *arg);

#endif
