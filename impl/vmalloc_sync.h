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
#ifndef KM_IMPL_VMALLOC_SYNC_H
#define KM_IMPL_VMALLOC_SYNC_H

#include "platform.h"

enum km_vs_variant {
	KM_VS_OLD,	/* vmalloc_sync_all() from __purge_vmap_area_lazy() */
	KM_VS_NEW,	/* vmalloc_sync_unmappings(): a no-op on x86-64 */
};

struct km_vs_config {
	enum km_vs_variant variant;
	int levels;		/* 4 or 5 */
	/* CPUs lazy_max_pages() scales with; 0: num_online_cpus() */
	unsigned int lazy_cpus;
};

struct km_vs_stats {
	long forks, exits;
	long vmallocs, vfrees;
	long purges;		/* __purge_vmap_area_lazy() runs */
	long syncs;		/* sync_global_pgds() calls */
	long pgds_walked;	/* pgd_list entries visited by syncs */
	long pgds_set;		/* process PGD entries a sync had to fill */
};

struct km_vs_kernel;		/* the modelled kernel */
struct km_mm;			/* one process's mm: its PGD page and lock */

struct km_vs_kernel *km_vs_create(const struct km_vs_config *cfg);
void km_vs_destroy(struct km_vs_kernel *k);

/* fork: pgd_alloc() (kernel half cloned, onto pgd_list); NULL on ENOMEM. */
struct km_mm *km_vs_fork(struct km_vs_kernel *k);
/* exit: pgd_free() (off pgd_list), the mm freed. */
void km_vs_exit(struct km_vs_kernel *k, struct km_mm *mm);

/*
 * A thread stack, as with CONFIG_VMAP_STACK: __vmalloc_node_range() of size
 * bytes plus a guard page, mapped in the reference page table.  Returns the
 * modelled kernel virtual address, 0 on failure.
 */
unsigned long km_vs_vmalloc(struct km_vs_kernel *k, unsigned long size);
/* Writes to the mapped pages through the model (the job's stack use). */
void km_vs_touch(struct km_vs_kernel *k, unsigned long addr, unsigned long size);
/* vfree(): unmapped now, the area freed lazily; may purge (and sync). */
void km_vs_vfree(struct km_vs_kernel *k, unsigned long addr);

void km_vs_get_stats(struct km_vs_kernel *k, struct km_vs_stats *out);
unsigned long km_vs_lazy_max_pages(const struct km_vs_kernel *k);
/* The length of pgd_list: the live processes.  Takes pgd_lock. */
long km_vs_nr_pgds(struct km_vs_kernel *k);

/*
 * The invariant the kernel needs: every process PGD entry in the vmalloc range
 * equals the reference's wherever the reference is populated.  Returns the
 * number of (process, entry) pairs that differ; 0 is correct.  Takes pgd_lock.
 */
long km_vs_check_pgds(struct km_vs_kernel *k);

#endif
