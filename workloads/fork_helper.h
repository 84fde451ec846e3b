/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/fork_helper.h - the live fork workloads' jobs, run by fl-forker
 * (workloads/forker/forker.c), a small static process beside faultline, so
 * that each fork copies a small mm, not faultline's.
 */
#ifndef FL_FORK_HELPER_H
#define FL_FORK_HELPER_H

#include <sys/types.h>

/* One request: jobs forks, each child touching pages and making syscalls. */
struct fl_fork_request {
	long jobs, touch_pages, syscalls;
};

struct fl_fork_helper {
	pid_t pid;
	int sock;		/* a stream socket: its stdin and stdout are the other end */
};

/*
 * Starts fl-forker from beside the running binary; 0, or a negative errno
 * after fl_fail() (it names the file where it is missing).
 */
int fl_fork_helper_start(struct fl_fork_helper *h);
/* Has it run rq's jobs; 0, or a negative errno after fl_fail(). */
int fl_fork_helper_run(struct fl_fork_helper *h, const struct fl_fork_request *rq);
/* Ends it and waits for it; harmless on one never started. */
void fl_fork_helper_stop(struct fl_fork_helper *h);

#endif
