/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/counters.h - what a repetition cost the CPU, counted by perf events
 * whose encodings come from libpfm4.
 *
 * The chain, first that works wins, and the winner is recorded on every row:
 *   "pmu"             cycles + instructions (libpfm4 "cycles", "instructions")
 *   "tsc+task-clock"  TSC cycles of the region + perf::task-clock
 * Kernel mode is counted too when allowed (root, or perf_event_paranoid <= 1);
 * otherwise user mode only, and the source says ":u".
 */
#ifndef FL_COUNTERS_H
#define FL_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

struct fl_counters;

struct fl_counts {
	double cycles;		/* PMU cycles, or TSC cycles of the region */
	double instructions;	/* NAN without a PMU */
	double task_clock_ns;	/* CPU time of this process and its threads */
	const char *source;	/* as fl_counters_source() */
};

/*
 * Opens the counters for this process and the threads and children it
 * creates later.  force_fallback skips the PMU (for tests, and --no-pmu).
 */
int fl_counters_open(struct fl_counters **out, bool force_fallback);
void fl_counters_close(struct fl_counters *c);
int fl_counters_start(struct fl_counters *c);
int fl_counters_stop(struct fl_counters *c, struct fl_counts *out);
/* "pmu", "pmu:u", "tsc+task-clock", "tsc+task-clock:u" */
const char *fl_counters_source(const struct fl_counters *c);
/* Why the PMU was not used ("cycles: No such file or directory"), or "". */
const char *fl_counters_pmu_error(const struct fl_counters *c);

#endif
