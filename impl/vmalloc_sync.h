/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impl/vmalloc_sync.h - a model of x86-64's vmalloc <-> process PGD syncing,
 * before and after "x86/mm: split vmalloc_sync_all()" (seed 002).
 *
 * The modelled kernel has the reference page table (init_mm), every process's
 * PGD page on pgd_list under pgd_lock, a vmap-area allocator that frees
 * lazily and purges past lazy_max_pages(), and sync_global_pgds() over the
 * vmalloc range.  Variant old syncs from the lazy purge, as after commit
 * 3f8fd02b1bf1; variant new syncs only where mappings are created.
 */
#ifndef FL_IMPL_VMALLOC_SYNC_H
#define FL_IMPL_VMALLOC_SYNC_H

#include "platform.h"

enum fl_vs_variant {
	FL_VS_OLD,	/* vmalloc_sync_all() from __purge_vmap_area_lazy() */
	FL_VS_NEW,	/* vmalloc_sync_unmappings(): a no-op on x86-64 */
};

struct fl_vs_config {
	enum fl_vs_variant variant;
	int levels;		/* 4 or 5 */
	/* CPUs lazy_max_pages() scales with; 0: num_online_cpus() */
	unsigned int lazy_cpus;
};

struct fl_vs_stats {
	long forks, exits;
	long vmallocs, vfrees;
	long purges;		/* __purge_vmap_area_lazy() runs */
	long syncs;		/* sync_global_pgds() calls */
	long pgds_walked;	/* pgd_list entries visited by syncs */
	long pgds_set;		/* process PGD entries a sync had to fill */
};

struct fl_vs_kernel;		/* the modelled kernel */
struct fl_mm;			/* one process's mm: its PGD page and lock */

struct fl_vs_kernel *fl_vs_create(const struct fl_vs_config *cfg);
void fl_vs_destroy(struct fl_vs_kernel *k);

/* fork: pgd_alloc() (kernel half cloned, onto pgd_list); NULL on ENOMEM. */
struct fl_mm *fl_vs_fork(struct fl_vs_kernel *k);
/* exit: pgd_free() (off pgd_list), the mm freed. */
void fl_vs_exit(struct fl_vs_kernel *k, struct fl_mm *mm);

/*
 * A thread stack, as with CONFIG_VMAP_STACK: __vmalloc_node_range() of size
 * bytes plus a guard page, mapped in the reference page table.  Returns the
 * modelled kernel virtual address, 0 on failure.
 */
unsigned long fl_vs_vmalloc(struct fl_vs_kernel *k, unsigned long size);
/* Writes to the mapped pages through the model (the job's stack use). */
void fl_vs_touch(struct fl_vs_kernel *k, unsigned long addr, unsigned long size);
/* vfree(): unmapped now, the area freed lazily; may purge (and sync). */
void fl_vs_vfree(struct fl_vs_kernel *k, unsigned long addr);

void fl_vs_get_stats(struct fl_vs_kernel *k, struct fl_vs_stats *out);
unsigned long fl_vs_lazy_max_pages(const struct fl_vs_kernel *k);
/* The length of pgd_list: the live processes.  Takes pgd_lock. */
long fl_vs_nr_pgds(struct fl_vs_kernel *k);

/*
 * The invariant the kernel needs: every process PGD entry in the vmalloc range
 * equals the reference's wherever the reference is populated.  Returns the
 * number of (process, entry) pairs that differ; 0 is correct.  Takes pgd_lock.
 */
long fl_vs_check_pgds(struct fl_vs_kernel *k);

#endif
