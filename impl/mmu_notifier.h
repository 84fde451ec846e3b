/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impl/mmu_notifier.h - mmu notifier calls under the page-table lock, and
 * outside it: "mm: move all mmu notifier invocations to be done outside the
 * PT lock" (seed 004, v3.17).
 *
 * One page-table page of KM_MN_PTRS entries and its split PT lock, an mm's
 * notifier chain, and a device with a secondary TLB whose invalidation takes
 * D: it posts the request and waits for the completion, sleeping where it may
 * (preemptible()) and spinning where it is called under a spinlock.
 *
 * Three paths that change a PTE of a page the device may have mapped:
 *   - unmap (try_to_unmap_one(): reclaim, migration) of one page;
 *   - COW (do_wp_page()): a copy replaces the page;
 *   - split (of the huge pmd the table stands for): the whole table's range.
 * Old (v3.16): ptep_clear_flush_notify() calls invalidate_page under the PT
 * lock, and pmdp_splitting_flush_notify() brackets the split with
 * invalidate_range_start/end under it too, so the device waits with the lock
 * held.  New (v3.17): invalidate_page after the unlock but before the page is
 * freed, or start before the lock and end after the unlock, with the range
 * kept in mmun_start/mmun_end so that the two always see the same range.
 */
#ifndef KM_IMPL_MMU_NOTIFIER_H
#define KM_IMPL_MMU_NOTIFIER_H

#include "platform.h"

/* One page-table page: 2 MiB of address space under one split PT lock. */
#define KM_MN_PTRS		512
/* The first address of the table's range; any page-aligned value works. */
#define KM_MN_BASE		0x200000UL
#define KM_MN_END		(KM_MN_BASE + KM_MN_PTRS * PAGE_SIZE)
/* invalidate_range_start..end sections a device keeps open at once */
#define KM_MN_MAX_OPEN		16

struct km_mn_page {
	atomic_t _refcount;	/* the PTE's reference is one */
	atomic_t dev_maps;	/* secondary TLB entries that point here */
	unsigned long data;	/* what a read through a translation sees */
};

struct km_mn_mm;
struct km_mmu_notifier;

/* The v3.x callbacks the change is about. */
struct km_mmu_notifier_ops {
	void (*invalidate_page)(struct km_mmu_notifier *mn, struct km_mn_mm *mm,
				unsigned long address);
	void (*invalidate_range_start)(struct km_mmu_notifier *mn, struct km_mn_mm *mm,
				       unsigned long start, unsigned long end);
	void (*invalidate_range_end)(struct km_mmu_notifier *mn, struct km_mn_mm *mm,
				     unsigned long start, unsigned long end);
};

struct km_mmu_notifier {
	struct list_head list;
	const struct km_mmu_notifier_ops *ops;
};

/* What the paths did that the claim is about. */
struct km_mn_stats {
	atomic_long_t pages_freed;
	/* pages freed while a secondary TLB still pointed at them: must stay 0 */
	atomic_long_t early_frees;
};

struct km_mn_mm {
	bool old;				/* v3.16's call sites, else v3.17's */
	spinlock_t ptl;				/* pte_lockptr() of the table */
	struct km_mn_page *pte[KM_MN_PTRS];	/* under ptl; NULL: none */
	struct list_head notifiers;		/* registered before use */
	struct km_mn_stats st;
};

/* The work one call of a path did with the PT lock held. */
struct km_mn_op {
	u64 hold_cycles;	/* from the lock taken to its release */
	u64 wait_cycles;	/* spinning for the lock */
	u64 locked_at;
};

void km_mn_mm_init(struct km_mn_mm *mm, bool old);
/* Frees every page still mapped; the notifiers are the caller's. */
void km_mn_mm_destroy(struct km_mn_mm *mm);
void km_mmu_notifier_register(struct km_mmu_notifier *mn, struct km_mn_mm *mm);

/*
 * A fault on address: maps a new page where there is none (the page
 * allocated before the lock, as do_anonymous_page() does), else only takes
 * the lock (an access-flag fault).  0, or -ENOMEM.
 */
int km_mn_handle_fault(struct km_mn_mm *mm, unsigned long address, struct km_mn_op *op);
/* try_to_unmap_one() of the page at address: its page freed.  -ENOENT: none. */
int km_mn_try_to_unmap_one(struct km_mn_mm *mm, unsigned long address, struct km_mn_op *op);
/* do_wp_page() at address: a copy replaces the page.  -ENOENT, -ENOMEM. */
int km_mn_do_wp_page(struct km_mn_mm *mm, unsigned long address, struct km_mn_op *op);
/* The split of the huge pmd the table stands for: every PTE stays. */
void km_mn_split_huge_pmd(struct km_mn_mm *mm, struct km_mn_op *op);

/*
 * The device: a secondary TLB over the table's range, filled on a miss by a
 * walk under the PT lock (as an ODP page fault does), and a TLB flush that
 * completes delay_ns after it is posted.  No translation is made inside a
 * range between invalidate_range_start and end, nor from a walk that an
 * invalidation overtook (the sequence count, as mmu_interval_read_retry()).
 */
struct km_mn_device {
	struct km_mmu_notifier mn;
	unsigned long delay_ns;
	spinlock_t lock;			/* the TLB and the open ranges */
	unsigned long seq;			/* bumped by every invalidation */
	struct km_mn_page *tlb[KM_MN_PTRS];
	struct { unsigned long start, end; } open[KM_MN_MAX_OPEN];
	int nr_open;
	/* the mechanism's counts */
	atomic_long_t invalidations;		/* flushes posted */
	atomic_long_t waits;			/* flushes waited for (delay_ns > 0) */
	atomic_long_t locked_waits;		/* ... spinning, a spinlock held */
	atomic_long_t locked_wait_cycles;	/* the time those spun */
	atomic_long_t pairing_errors;		/* an end without its start */
	atomic_long_t stale_reads;		/* a read through a freed page's entry */
};

void km_mn_device_init(struct km_mn_device *dev, unsigned long delay_ns);
/*
 * A device access to address through its TLB: the page's data into *data.
 * -EFAULT where the table has no page, -EAGAIN where an invalidation is in
 * the way (the caller retries, as a device's page-fault handler does).
 */
int km_mn_device_read(struct km_mn_device *dev, struct km_mn_mm *mm, unsigned long address,
		      unsigned long *data);
/* Does the device's TLB hold a translation for address? */
bool km_mn_device_mapped(struct km_mn_device *dev, unsigned long address);

#endif /* KM_IMPL_MMU_NOTIFIER_H */
