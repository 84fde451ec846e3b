/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/vmap_jobs.h - the engine behind the vmalloc-sync workloads: P
 * workers running fork/exit jobs while M other processes stay resident,
 * either in the model of impl/vmalloc_sync.c (shim: variants old and new) or
 * for real on the running kernel (live).
 *
 * A job is a process's life: fork (a PGD, and with CONFIG_VMAP_STACK a
 * vmalloc'd kernel stack), some use of its pages and a few syscalls, exit
 * (the stack vfree'd lazily, the PGD freed).
 */
#ifndef FL_VMAP_JOBS_H
#define FL_VMAP_JOBS_H

#include <sys/types.h>

#include "impl/vmalloc_sync.h"
#include "workload.h"

struct fl_fork_helper;
struct fl_pool;

struct vmap_job_mix {
	long resident;		/* M: processes alive throughout */
	long workers;		/* P */
	long jobs;		/* per worker per round */
	long stack_kib;		/* THREAD_SIZE: 16 KiB on x86-64 */
	long touch_pages;	/* user pages a job writes */
	long syscalls;		/* short syscalls (getppid) a job makes */
};

/* The metric slots the engine fills: its workloads' metrics[] are indexed by them. */
enum vmap_metric {
	VMAP_JOBS,		/* a rate: jobs (forks) */
	VMAP_SYNCS,		/* shim and kmod: sync_global_pgds() calls */
	VMAP_PGDS_WALKED,	/* shim and kmod: PGDs those walked */
};

/*
 * The engine's state, in->priv: here only so that its workloads can say its
 * size (fl_workload.priv_size); nothing but vmap_jobs.c looks inside.
 */
struct vmap_jobs {
	struct vmap_job_mix mix;
	enum fl_backend backend;
	/* shim */
	struct km_vs_kernel *k;
	struct km_mm **resident_mm;
	struct km_vs_stats before;
	/* live */
	pid_t *resident_pid;
	int hold[2];			/* resident processes block reading this */
	struct fl_fork_helper *forker;	/* per worker: the small process it forks from */
	struct fl_pool *pool;
	long *owed;			/* per worker: see injected_jobs() */
	bool inject;			/* shim variant new: see injected_jobs() */
};

/* The shim's and the module's variants of both workloads, NULL-ended. */
extern const char *const vmap_variants[];

/*
 * Set up / run one round / tear down, for either backend; in->priv is ours.
 * The mix comes from the workload's parameters M, P, J and, where it has
 * them, T and S (else 0); stacks are 16 KiB.
 */
int vmap_jobs_setup(struct fl_instance *in);
/* Adds the round's counts to acc's enum vmap_metric slots. */
int vmap_jobs_round(struct fl_instance *in, struct fl_round *acc);
void vmap_jobs_teardown(void *priv);

#endif
