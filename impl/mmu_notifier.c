// SPDX-License-Identifier: GPL-2.0
/*
 * impl/mmu_notifier.c - the mm side of seed 004 (which path calls which
 * notifier, and where the PT lock is), and a device with a secondary TLB
 * whose flush takes time.  See impl/mmu_notifier.h.
 */
#include "mmu_notifier.h"

static unsigned long km_mn_index(unsigned long address)
{
	BUG_ON(address < KM_MN_BASE || address >= KM_MN_END);
	return (address - KM_MN_BASE) >> PAGE_SHIFT;
}

void km_mn_mm_init(struct km_mn_mm *mm, bool old)
{
	memset(mm, 0, sizeof(*mm));
	mm->old = old;
	spin_lock_init(&mm->ptl);
	INIT_LIST_HEAD(&mm->notifiers);
}

void km_mn_mm_destroy(struct km_mn_mm *mm)
{
	int i;

	for (i = 0; i < KM_MN_PTRS; i++) {
		kfree(mm->pte[i]);
		mm->pte[i] = NULL;
	}
}

void km_mmu_notifier_register(struct km_mmu_notifier *mn, struct km_mn_mm *mm)
{
	list_add_tail(&mn->list, &mm->notifiers);
}

/* ---- the notifier chain (include/linux/mmu_notifier.h, v3.16) ---------- */

static void km_mmu_notifier_invalidate_page(struct km_mn_mm *mm, unsigned long address)
{
	struct km_mmu_notifier *mn;

	list_for_each_entry(mn, &mm->notifiers, list)
		if (mn->ops->invalidate_page)
			mn->ops->invalidate_page(mn, mm, address);
}

static void km_mmu_notifier_invalidate_range_start(struct km_mn_mm *mm, unsigned long start,
						   unsigned long end)
{
	struct km_mmu_notifier *mn;

	list_for_each_entry(mn, &mm->notifiers, list)
		if (mn->ops->invalidate_range_start)
			mn->ops->invalidate_range_start(mn, mm, start, end);
}

static void km_mmu_notifier_invalidate_range_end(struct km_mn_mm *mm, unsigned long start,
						 unsigned long end)
{
	struct km_mmu_notifier *mn;

	list_for_each_entry(mn, &mm->notifiers, list)
		if (mn->ops->invalidate_range_end)
			mn->ops->invalidate_range_end(mn, mm, start, end);
}

/* ---- pages and the PT lock ------------------------------------------------ */

/* A new page holds its address: a read through a wrong translation shows. */
static struct km_mn_page *km_mn_alloc_page(unsigned long address)
{
	struct km_mn_page *page = kzalloc(sizeof(*page), GFP_KERNEL);

	if (!page)
		return NULL;
	atomic_set(&page->_refcount, 1);
	WRITE_ONCE(page->data, address);
	return page;
}

static void km_mn_put_page(struct km_mn_mm *mm, struct km_mn_page *page)
{
	if (atomic_dec_return(&page->_refcount))
		return;
	if (atomic_read(&page->dev_maps))
		atomic_long_inc(&mm->st.early_frees);
	atomic_long_inc(&mm->st.pages_freed);
	/*
	 * A secondary TLB entry left pointing here (early_frees counted it)
	 * would now be a use after free: keep the page, poisoned, rather than
	 * let the device read freed memory.
	 */
	if (atomic_read(&page->dev_maps)) {
		WRITE_ONCE(page->data, 0);
		return;
	}
	kfree(page);
}

/* Only a lock found held counts as waited for: an uncontended one costs no spinning. */
static void km_mn_pte_lock(struct km_mn_mm *mm, struct km_mn_op *op)
{
	u64 t0;

	if (spin_trylock(&mm->ptl)) {
		op->locked_at = get_cycles();
		return;
	}
	t0 = get_cycles();
	spin_lock(&mm->ptl);
	op->locked_at = get_cycles();
	op->wait_cycles += op->locked_at - t0;
}

static void km_mn_pte_unlock(struct km_mn_mm *mm, struct km_mn_op *op)
{
	op->hold_cycles += get_cycles() - op->locked_at;
	spin_unlock(&mm->ptl);
}

/* The CPU's TLB has nothing of the model's to flush: only the PTE changes. */
static struct km_mn_page *km_ptep_clear_flush(struct km_mn_mm *mm, unsigned long address)
{
	unsigned long i = km_mn_index(address);
	struct km_mn_page *page = READ_ONCE(mm->pte[i]);

	WRITE_ONCE(mm->pte[i], NULL);
	return page;
}

/* v3.16's macro: the notifier runs with the PT lock still held. */
static struct km_mn_page *km_ptep_clear_flush_notify(struct km_mn_mm *mm, unsigned long address)
{
	struct km_mn_page *page = km_ptep_clear_flush(mm, address);

	km_mmu_notifier_invalidate_page(mm, address);
	return page;
}

/* ---- the paths ------------------------------------------------------------ */

int km_mn_handle_fault(struct km_mn_mm *mm, unsigned long address, struct km_mn_op *op)
{
	unsigned long i = km_mn_index(address);
	struct km_mn_page *new = NULL;

	if (!READ_ONCE(mm->pte[i])) {
		new = km_mn_alloc_page(address & PAGE_MASK);
		if (!new)
			return -ENOMEM;
	}
	km_mn_pte_lock(mm, op);
	if (new && !READ_ONCE(mm->pte[i])) {
		WRITE_ONCE(mm->pte[i], new);
		new = NULL;
	}
	km_mn_pte_unlock(mm, op);
	if (new)	/* someone else mapped it first */
		km_mn_put_page(mm, new);
	return 0;
}

int km_mn_try_to_unmap_one(struct km_mn_mm *mm, unsigned long address, struct km_mn_op *op)
{
	struct km_mn_page *page;

	km_mn_pte_lock(mm, op);
	if (!READ_ONCE(mm->pte[km_mn_index(address)])) {
		km_mn_pte_unlock(mm, op);
		return -ENOENT;
	}
	if (mm->old)
		page = km_ptep_clear_flush_notify(mm, address);
	else
		page = km_ptep_clear_flush(mm, address);
	km_mn_pte_unlock(mm, op);
	/* must invalidate_page _before_ freeing the page */
	if (!mm->old)
		km_mmu_notifier_invalidate_page(mm, address);
	km_mn_put_page(mm, page);
	return 0;
}

int km_mn_do_wp_page(struct km_mn_mm *mm, unsigned long address, struct km_mn_op *op)
{
	unsigned long i = km_mn_index(address);
	struct km_mn_page *old_page, *new_page;

	new_page = km_mn_alloc_page(0);
	if (!new_page)
		return -ENOMEM;
	km_mn_pte_lock(mm, op);
	old_page = READ_ONCE(mm->pte[i]);
	if (!old_page) {
		km_mn_pte_unlock(mm, op);
		km_mn_put_page(mm, new_page);
		return -ENOENT;
	}
	WRITE_ONCE(new_page->data, READ_ONCE(old_page->data));	/* cow_user_page() */
	if (mm->old)
		km_ptep_clear_flush_notify(mm, address);
	else
		km_ptep_clear_flush(mm, address);
	WRITE_ONCE(mm->pte[i], new_page);
	km_mn_pte_unlock(mm, op);
	/* cow happened, notify before releasing old_page */
	if (!mm->old)
		km_mmu_notifier_invalidate_page(mm, address);
	km_mn_put_page(mm, old_page);
	return 0;
}

void km_mn_split_huge_pmd(struct km_mn_mm *mm, struct km_mn_op *op)
{
	const unsigned long mmun_start = KM_MN_BASE;	/* For mmu_notifiers */
	const unsigned long mmun_end = KM_MN_END;	/* For mmu_notifiers */

	if (mm->old) {
		/* pmdp_splitting_flush_notify(), under the page table lock */
		km_mn_pte_lock(mm, op);
		km_mmu_notifier_invalidate_range_start(mm, mmun_start, mmun_end);
		km_mmu_notifier_invalidate_range_end(mm, mmun_start, mmun_end);
		km_mn_pte_unlock(mm, op);
		return;
	}
	km_mmu_notifier_invalidate_range_start(mm, mmun_start, mmun_end);
	km_mn_pte_lock(mm, op);
	/* pmdp_splitting_flush(): nothing of the model's to flush */
	km_mn_pte_unlock(mm, op);
	km_mmu_notifier_invalidate_range_end(mm, mmun_start, mmun_end);
}

/* ---- the device ----------------------------------------------------------- */

/*
 * Waits for a posted flush: sleeps until the completion where it may, and
 * spins where its caller holds a spinlock, as a driver must.
 */
static void km_mn_device_wait(struct km_mn_device *dev)
{
	u64 t0;

	if (!dev->delay_ns)
		return;
	atomic_long_inc(&dev->waits);
	if (preemptible()) {
		usleep_range(max(dev->delay_ns / 1000, 1UL), max(dev->delay_ns / 1000, 1UL));
		return;
	}
	t0 = get_cycles();
	ndelay(dev->delay_ns);
	atomic_long_inc(&dev->locked_waits);
	atomic_long_add((long)(get_cycles() - t0), &dev->locked_wait_cycles);
}

/* Posts a flush of [start, end), waits for it, then drops the entries. */
static void km_mn_device_flush(struct km_mn_device *dev, unsigned long start, unsigned long end)
{
	unsigned long i;

	atomic_long_inc(&dev->invalidations);
	spin_lock(&dev->lock);
	dev->seq++;
	spin_unlock(&dev->lock);
	km_mn_device_wait(dev);
	spin_lock(&dev->lock);
	for (i = km_mn_index(start); i <= km_mn_index(end - 1); i++) {
		if (!dev->tlb[i])
			continue;
		atomic_dec(&dev->tlb[i]->dev_maps);
		dev->tlb[i] = NULL;
	}
	spin_unlock(&dev->lock);
}

static struct km_mn_device *km_mn_to_device(struct km_mmu_notifier *mn)
{
	return container_of(mn, struct km_mn_device, mn);
}

static void km_mn_device_invalidate_page(struct km_mmu_notifier *mn, struct km_mn_mm *mm,
					 unsigned long address)
{
	address &= PAGE_MASK;
	km_mn_device_flush(km_mn_to_device(mn), address, address + PAGE_SIZE);
}

static void km_mn_device_range_start(struct km_mmu_notifier *mn, struct km_mn_mm *mm,
				     unsigned long start, unsigned long end)
{
	struct km_mn_device *dev = km_mn_to_device(mn);

	spin_lock(&dev->lock);
	if (WARN_ON(dev->nr_open == KM_MN_MAX_OPEN)) {
		atomic_long_inc(&dev->pairing_errors);
	} else {
		dev->open[dev->nr_open].start = start;
		dev->open[dev->nr_open].end = end;
		dev->nr_open++;
	}
	spin_unlock(&dev->lock);
	km_mn_device_flush(dev, start, end);
}

/* The end must name the very range its start did. */
static void km_mn_device_range_end(struct km_mmu_notifier *mn, struct km_mn_mm *mm,
				   unsigned long start, unsigned long end)
{
	struct km_mn_device *dev = km_mn_to_device(mn);
	int i;

	spin_lock(&dev->lock);
	for (i = 0; i < dev->nr_open; i++) {
		if (dev->open[i].start != start || dev->open[i].end != end)
			continue;
		dev->open[i] = dev->open[--dev->nr_open];
		spin_unlock(&dev->lock);
		return;
	}
	spin_unlock(&dev->lock);
	atomic_long_inc(&dev->pairing_errors);
}

static const struct km_mmu_notifier_ops km_mn_device_ops = {
	.invalidate_page = km_mn_device_invalidate_page,
	.invalidate_range_start = km_mn_device_range_start,
	.invalidate_range_end = km_mn_device_range_end,
};

void km_mn_device_init(struct km_mn_device *dev, unsigned long delay_ns)
{
	memset(dev, 0, sizeof(*dev));
	dev->mn.ops = &km_mn_device_ops;
	dev->delay_ns = delay_ns;
	spin_lock_init(&dev->lock);
}

/* Under dev->lock: is address inside a range being invalidated? */
static bool km_mn_device_blocked(struct km_mn_device *dev, unsigned long address)
{
	int i;

	for (i = 0; i < dev->nr_open; i++)
		if (address >= dev->open[i].start && address < dev->open[i].end)
			return true;
	return false;
}

/* Under dev->lock: the data through the entry, and whether it was stale. */
static unsigned long km_mn_device_load(struct km_mn_device *dev, struct km_mn_page *page,
				       unsigned long address)
{
	unsigned long data = READ_ONCE(page->data);

	if (data != (address & PAGE_MASK))
		atomic_long_inc(&dev->stale_reads);
	return data;
}

int km_mn_device_read(struct km_mn_device *dev, struct km_mn_mm *mm, unsigned long address,
		      unsigned long *data)
{
	unsigned long i = km_mn_index(address), seq;
	struct km_mn_page *page;

	spin_lock(&dev->lock);
	if (dev->tlb[i]) {
		*data = km_mn_device_load(dev, dev->tlb[i], address);
		spin_unlock(&dev->lock);
		return 0;
	}
	if (km_mn_device_blocked(dev, address)) {
		spin_unlock(&dev->lock);
		return -EAGAIN;
	}
	seq = dev->seq;
	spin_unlock(&dev->lock);

	/* the miss: walk the table, as the device's page-fault handler does */
	spin_lock(&mm->ptl);
	page = READ_ONCE(mm->pte[i]);
	spin_unlock(&mm->ptl);
	if (!page)
		return -EFAULT;

	spin_lock(&dev->lock);
	if (dev->seq != seq || km_mn_device_blocked(dev, address)) {
		spin_unlock(&dev->lock);
		return -EAGAIN;
	}
	dev->tlb[i] = page;
	atomic_inc(&page->dev_maps);
	*data = km_mn_device_load(dev, page, address);
	spin_unlock(&dev->lock);
	return 0;
}

bool km_mn_device_mapped(struct km_mn_device *dev, unsigned long address)
{
	bool mapped;

	spin_lock(&dev->lock);
	mapped = dev->tlb[km_mn_index(address)] != NULL;
	spin_unlock(&dev->lock);
	return mapped;
}
