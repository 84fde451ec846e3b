/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/progress.h - what a person sees while a run goes on.
 *
 * One line per benchmark as it finishes: k of n, its name, the time since the
 * run began and an estimate of the time left.  Repetitions of different
 * benchmarks run interleaved, so most benchmarks finish late in a run; a
 * line every PROGRESS_EVERY_S seconds in between (and inside a long
 * repetition, such as a live fork storm) says where the run is.  The estimate
 * counts repetitions done, a repetition in progress by its rounds.
 */
#ifndef FL_PROGRESS_H
#define FL_PROGRESS_H

#include <stdio.h>

#define PROGRESS_EVERY_S	10.0

struct fl_progress {
	FILE *out;		/* NULL: silent */
	size_t nbench, benches_done;
	double reps_total, reps_done;
	double t0, last;	/* seconds, CLOCK_MONOTONIC */
};

void fl_progress_start(struct fl_progress *p, FILE *out, size_t nbench, double reps_total);
/* A round of a repetition of name ended: round of rounds. */
void fl_progress_round(struct fl_progress *p, const char *name, long round, long rounds);
/* A repetition ended (its rounds no longer count as a fraction). */
void fl_progress_repetition(struct fl_progress *p);
/* Every repetition of name has been handed over. */
void fl_progress_benchmark(struct fl_progress *p, const char *name);
/* The run's last line: how long it took. */
void fl_progress_end(struct fl_progress *p);

#endif
