/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/kmod.h - the harness side of the kernel module's control file (the
 * protocol is kmod/proto.h): a configured workload becomes one request, the
 * module's answer becomes per-round sums and then fl_sample rows tagged
 * backend "kmod".
 *
 * The module times each round itself (ktime, in the kernel thread that
 * drives it), so a runner uses those seconds, not its own wall clock, which
 * would also count the write, the thread start and the setup:
 *
 *	struct fl_kmod_rep rep;
 *	err = fl_kmod_repetition(in, rounds, &rep);	// the whole repetition
 *	... rep.total.metric[i] for FL_PER_ROUND, rep.seconds for FL_RATE,
 *	    or rep.round_seconds[r] to SetIterationTime() round by round;
 *	err = fl_kmod_samples(in, params, repetition, &rep, run);
 */
#ifndef FL_BENCH_KMOD_H
#define FL_BENCH_KMOD_H

#include <stddef.h>

#include "bench/results.h"
#include "kmod/proto.h"
#include "workloads/workload.h"

struct fl_kmod_rep {
	long run_id;			/* the module's number for the run */
	long rounds;
	double seconds;			/* kernel-timed, all rounds */
	double cycles;			/* get_cycles() over all rounds */
	double round_seconds[FL_KMOD_MAX_ROUNDS];
	struct fl_round total;		/* each metric summed over the rounds */
	/* the last round's values: an FL_SUMMARY metric's is the repetition's */
	struct fl_round last;
};

/* The control file: $FL_KMOD_CONTROL if set, else FL_KMOD_CONTROL. */
const char *fl_kmod_control_path(void);

/* 0 when the control file can be opened for a run; else -errno, and why. */
int fl_kmod_available(void);

/*
 * The request line (with its newline) for an instance: workload, variant,
 * rounds and every parameter of the workload.  Returns its length, or
 * -ENOSPC / -EINVAL after fl_fail().
 */
int fl_kmod_format(const struct fl_instance *in, long rounds, char *buf, size_t len);
/*
 * Whether the module would take the request for in: the module's own parser
 * against its own catalogue (kmod/catalogue.c), so that the harness rejects
 * what the module would, with the same message, before any guest boots.
 */
int fl_kmod_check(const struct fl_instance *in, long rounds);

/*
 * Parses the module's answer for workload w.  A rejected, failed or stopped
 * run is an error whose message carries the module's "error" line.
 */
int fl_kmod_parse(const struct fl_workload *w, const char *text, struct fl_kmod_rep *out);

/* One request of rounds rounds (1 .. FL_KMOD_MAX_ROUNDS): write, wait, parse. */
int fl_kmod_repetition(const struct fl_instance *in, long rounds, struct fl_kmod_rep *out);

/* One round: adds to acc what it did, *seconds is how long the kernel took. */
int fl_kmod_round(const struct fl_instance *in, struct fl_round *acc, double *seconds);

/*
 * One sample per metric of the workload, for repetition rep: FL_RATE is
 * total / seconds x scale, FL_PER_ROUND total / rounds; backend "kmod",
 * source "ktime".
 */
int fl_kmod_samples(const struct fl_instance *in, const char *params, int repetition,
		    const struct fl_kmod_rep *rep, struct fl_run *out);

#endif
