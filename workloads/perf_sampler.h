/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/perf_sampler.h - the running kernel's own user-stack sampling,
 * as `perf record --call-graph dwarf` asks for it: a sampling event on one
 * thread with PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_STACK_USER, whose every
 * sample copies the thread's user stack in the kernel with
 * copy_from_user_nmi() (perf_output_sample_ustack()).
 *
 * Its cost is what the sampled thread loses: a round runs the thread once
 * with the event off and once, as long, with it on, and charges the
 * difference in the thread's progress to the samples taken.
 */
#ifndef FL_PERF_SAMPLER_H
#define FL_PERF_SAMPLER_H

#include <stdbool.h>
#include <sys/types.h>

struct perf_sampler;

/* What one round saw. */
struct perf_sampler_round {
	long samples;
	double stack_bytes;		/* copied, over all samples */
	double slowdown_ns;		/* the thread's time lost to them */
	long lost, throttled;		/* PERF_RECORD_LOST records' count, THROTTLEs */
};

/*
 * A sampler of thread tid: `cycles` where the machine has a PMU, else
 * `cpu-clock`, rate samples a second, stack_bytes of user stack each (0:
 * callchain only).  0, or a negative errno after fl_fail() said why.
 */
int perf_sampler_open(struct perf_sampler **ps, pid_t tid, unsigned long stack_bytes,
		      long rate);
/* The event's name: "cycles" or "cpu-clock". */
const char *perf_sampler_event(const struct perf_sampler *ps);
/*
 * One round: phase_ms with the event off, then phase_ms on, while
 * *progress counts the thread's work.
 */
int perf_sampler_round(struct perf_sampler *ps, const unsigned long *progress, long phase_ms,
		       struct perf_sampler_round *out);
void perf_sampler_close(struct perf_sampler *ps);

/* kernel.perf_event_max_sample_rate: the kernel lowers it when samples take too long. */
long perf_max_sample_rate(void);

#endif
