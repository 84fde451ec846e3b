/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/spf_jobs.h - the engine behind the spf workloads (ebizzy_like,
 * fault_scaling, kernbench_like, fault_cost): an address space that is
 * either the mm model of impl/spf.c (shim: variants classic and speculative)
 * or this process's own (live).  Their threads run on workloads/pool.h.
 */
#ifndef FL_SPF_JOBS_H
#define FL_SPF_JOBS_H

#include <stdbool.h>

#include "impl/spf.h"
#include "pool.h"
#include "workload.h"

#define SPF_PAGE	4096UL

struct spf_space {
	enum fl_backend backend;
	struct km_spf_mm *mm;		/* shim only */
	struct km_spf_task idle;	/* an extra user of the mm, if asked for */
};

/* One thread's handle on the space: on the shim, a task of the mm. */
struct spf_thread {
	struct spf_space *sp;
	struct km_spf_task task;
	unsigned long rng;
};

/*
 * The space for a configured workload.  extra_user: count one more user of
 * the modelled mm than there are threads, so that a single thread takes the
 * speculative path too (handle_speculative_fault() skips single-user mms).
 */
/* The shim's variants of every spf workload, NULL-ended. */
extern const char *const spf_variants[];

int spf_space_create(struct spf_space **out, const struct fl_instance *in,
		     bool extra_user);
void spf_space_destroy(struct spf_space *sp);

void spf_thread_init(struct spf_thread *t, struct spf_space *sp, unsigned long seed);
void spf_thread_exit(struct spf_thread *t);

/* Anonymous private mappings; live ones never get huge pages. 0: failed. */
unsigned long spf_mmap(struct spf_thread *t, unsigned long len, bool writable);

/*
 * A file of pages pages to map: the model's page cache on the shim, a memfd
 * (shmem, whose faults are file faults: do_fault(), shmem_fault()) live.
 */
struct spf_file {
	struct km_file *km;		/* shim */
	int fd;				/* live; -1: none */
	unsigned long pages;
};

int spf_file_create(struct spf_space *sp, unsigned long pages, struct spf_file *f);
/* Harmless on a file spf_file_create() failed to make. */
void spf_file_destroy(struct spf_file *f);
/* The whole file, writable, MAP_SHARED or MAP_PRIVATE.  0: failed. */
unsigned long spf_mmap_file(struct spf_thread *t, struct spf_file *f, bool shared);
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

/*
 * What every spf workload counts of its faults: their number, the share of
 * them taken speculatively (shim), whether the kernel has per-VMA locks
 * (live).  The workload says in which of its metric slots each goes; a
 * slot of -1 is a count it does not report.
 */
struct spf_fault_slots {
	int faults, spf_share, per_vma_locks;
};

struct spf_fault_tally {
	long faults, spf_done;		/* at the end of the last round */
};

/* Starts counting from now. */
void spf_tally_start(struct spf_fault_tally *t, struct spf_thread *threads, int n);
/* Adds the faults since the last call (or start) to acc's slots. */
void spf_tally_round(struct spf_fault_tally *t, struct spf_thread *threads, int n,
		     enum fl_backend backend, const struct spf_fault_slots *slots,
		     struct fl_round *acc);

/*
 * What the multi-threaded spf workloads set up alike: the space, a thread of
 * the harness's own (main, to map and fill before the rounds) and n threads
 * that work in it, seeded 1..n; and, once started, the pool they run on and
 * the tally of their faults.
 */
struct spf_crew {
	struct spf_space *sp;
	struct spf_thread main;
	struct spf_thread *th;
	long n;
	struct fl_pool *pool;
	struct spf_fault_tally tally;
};

int spf_crew_create(struct spf_crew *c, const struct fl_instance *in, long n);
/* Counts faults from now and starts n workers running work (fl_pool_start()). */
int spf_crew_start(struct spf_crew *c, int first_pu, fl_pool_fn work, void *arg);
/* One round: every worker once, then the round's faults into slots of acc. */
int spf_crew_round(struct spf_crew *c, enum fl_backend backend,
		   const struct spf_fault_slots *slots, struct fl_round *acc);
/* Stops the workers, so that what they used may go; spf_crew_destroy() does too. */
void spf_crew_stop(struct spf_crew *c);
/* Harmless on a crew that spf_crew_create() left half-made. */
void spf_crew_destroy(struct spf_crew *c);

/* ---- live ------------------------------------------------------------------ */

/* The running kernel has per-VMA locks (CONFIG_PER_VMA_LOCK): 1 or 0. */
int spf_live_per_vma_locks(void);

#endif /* FL_SPF_JOBS_H */
