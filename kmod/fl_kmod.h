/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod/fl_kmod.h - what a workload of the module is, and the run it is
 * driven by (kmod/main.c).
 *
 * A run is one accepted request: a coordinator kernel thread sets the
 * workload up, then for each round wakes P worker threads which each do J
 * jobs, times the round with ktime and get_cycles(), asks the workload what
 * the round added to each metric, and finally tears it down.  P and J are
 * the workload's parameters of those names (1 when it has none).
 */
#ifndef FL_KMOD_H
#define FL_KMOD_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "catalogue.h"
#include "proto.h"

struct fl_kmod_run;

struct fl_kmod_wl {
	const struct fl_kmod_desc *desc;
	/*
	 * How many worker threads a request needs, at most 64; NULL: the
	 * parameter P, or 1.  For workloads whose workers differ in kind.
	 */
	long (*workers)(const struct fl_kmod_req *req);
	/*
	 * The size of the workload's own state: run->priv, zeroed before
	 * setup() and freed after teardown(), which releases only what
	 * setup() acquired.
	 */
	size_t priv_size;
	/*
	 * Each returns 0 or a negative errno after fl_kmod_fail() said why.
	 * setup() runs in the coordinator before any worker exists, and may
	 * be long: it should give up with -EINTR when fl_kmod_stopping().
	 * teardown() follows setup() even when setup() failed half-way.
	 */
	int (*setup)(struct fl_kmod_run *run);
	/* One job of worker w (0 .. P-1), in that worker's thread. */
	int (*job)(struct fl_kmod_run *run, int w);
	/* What the round that just ended added to each metric. */
	void (*round_end)(struct fl_kmod_run *run, long long *metric);
	void (*teardown)(struct fl_kmod_run *run);
};

struct fl_kmod_worker {
	struct fl_kmod_run *run;
	struct task_struct *task;
	int index;
};

struct fl_kmod_run {
	struct kref ref;
	long id;
	struct fl_kmod_req req;
	const struct fl_kmod_wl *wl;
	void *priv;				/* the workload's */

	long nworkers, jobs;
	struct fl_kmod_worker *workers;
	wait_queue_head_t start_wq;
	unsigned long gen;			/* bumped to start a round */
	atomic_t pending;			/* workers still in the round */
	struct completion round_done;
	atomic_t abort;				/* workers: stop taking jobs */

	char *rounds_text;			/* the "round" lines so far */
	size_t rounds_len;
	char *out;				/* the whole result, once finished */
	size_t out_len;
	const char *state;			/* "done", "failed", "stopped" */
	char err[FL_KMOD_ERR_MAX];
	int err_set;				/* first error wins */
	bool finished;				/* out is complete */
	wait_queue_head_t done_wq;
};

/* Records why the run failed (the first reason only); returns -err. */
int fl_kmod_fail(struct fl_kmod_run *run, int err, const char *fmt, ...)
	__printf(3, 4);
/* In the coordinator: has the module been asked to unload? */
bool fl_kmod_stopping(void);
/*
 * The user thread of the request's target=TID, referenced (put_task_struct()
 * it): for a workload that acts on a thread the harness started.  0, or
 * -errno after fl_kmod_fail() said why.
 */
int fl_kmod_find_target(struct fl_kmod_run *run, struct task_struct **out);
/* Sorts a workload's timings, for fl_kmod_percentile(). */
void fl_kmod_sort_u64(u64 *v, long n);
/* The nearest-rank percentile of n sorted values, p in tenths of a percent; 0 if none. */
u64 fl_kmod_percentile(const u64 *sorted, long n, long permille);

extern const struct fl_kmod_wl fl_kmod_wl_reaim_vunmap;
extern const struct fl_kmod_wl fl_kmod_wl_fork_vmap_stack;
extern const struct fl_kmod_wl fl_kmod_wl_vmalloc_sync_model;
extern const struct fl_kmod_wl fl_kmod_wl_spf_model;
extern const struct fl_kmod_wl fl_kmod_wl_nmi_stack_sampling;
extern const struct fl_kmod_wl fl_kmod_wl_notifier_invalidate;

#endif /* FL_KMOD_H */
