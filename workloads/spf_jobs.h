/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/spf_jobs.h - the engine behind the spf workloads (ebizzy_like,
 * fault_scaling, kernbench_like, fault_cost): an address space that is
 * either the mm model of impl/spf.c (shim: variants classic and speculative)
 * or this process's own (live), and a pool of worker threads that meet the
 * harness at barriers, so that a round is a fixed amount of work.
 */
#ifndef FL_SPF_JOBS_H
#define FL_SPF_JOBS_H

#include <stdbool.h>

#include "impl/spf.h"
#include "workload.h"

#define SPF_PAGE	4096UL

struct spf_space {
	enum fl_backend backend;
	struct fl_spf_mm *mm;		/* shim only */
	struct fl_spf_task idle;	/* an extra user of the mm, if asked for */
};

/* One thread's handle on the space: on the shim, a task of the mm. */
struct spf_thread {
	struct spf_space *sp;
	struct fl_spf_task task;
	unsigned long rng;
};

/*
 * The space for a configured workload.  extra_user: count one more user of
 * the modelled mm than there are threads, so that a single thread takes the
 * speculative path too (handle_speculative_fault() skips single-user mms).
 */
int spf_space_create(struct spf_space **out, const struct fl_instance *in,
		     bool extra_user);
void spf_space_destroy(struct spf_space *sp);

void spf_thread_init(struct spf_thread *t, struct spf_space *sp, unsigned long seed);
void spf_thread_exit(struct spf_thread *t);

/* Anonymous private mappings; live ones never get huge pages. 0: failed. */
unsigned long spf_mmap(struct spf_thread *t, unsigned long len, bool writable);
int spf_munmap(struct spf_thread *t, unsigned long addr, unsigned long len);
int spf_mprotect(struct spf_thread *t, unsigned long addr, unsigned long len,
		 bool writable);
int spf_dontneed(struct spf_thread *t, unsigned long addr, unsigned long len);
/*
 * Where the page holding addr can be read or written, faulting it in on the
 * shim (the live kernel faults on the access itself).  NULL: the fault failed.
 */
void *spf_page(struct spf_thread *t, unsigned long addr, bool write);
unsigned long spf_rand(struct spf_thread *t);

/* Minor faults so far: the threads' counts on the shim, getrusage() live. */
long spf_faults(struct spf_thread *threads, int n);
/* Speculative faults so far, shim only. */
long spf_spf_done(struct spf_thread *threads, int n);

/* ---- worker pool ---------------------------------------------------------- */

struct spf_pool;

/* A worker's share of one round: 0 or a negative errno (after fl_fail()). */
typedef int (*spf_work_fn)(void *arg, int index);

/* n workers, pinned from PU first_pu on (wrapping round). */
int spf_pool_start(struct spf_pool **out, int n, int first_pu, spf_work_fn fn,
		   void *arg);
/* Let every worker run fn once; spf_pool_wait() waits for all of them. */
void spf_pool_kick(struct spf_pool *p);
int spf_pool_wait(struct spf_pool *p);
void spf_pool_stop(struct spf_pool *p);

/* ---- live ------------------------------------------------------------------ */

/* The running kernel has per-VMA locks (CONFIG_PER_VMA_LOCK): 1 or 0. */
int spf_live_per_vma_locks(void);

#endif /* FL_SPF_JOBS_H */
