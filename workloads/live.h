/* SPDX-License-Identifier: GPL-2.0 */
/* workloads/live.h - what every live workload needs of the running kernel. */
#ifndef FL_LIVE_H
#define FL_LIVE_H

/*
 * A live run measures the kernel: its counters must see kernel mode, which
 * perf allows to root, or to anyone with perf_event_paranoid <= 1.  Returns 0,
 * or -EPERM after fl_fail() has said so.
 */
int fl_live_check_privilege(void);

#endif
