// SPDX-License-Identifier: GPL-2.0
/*
 * impl/vmalloc_sync.c - x86-64 vmalloc <-> process PGD syncing, as in Linux
 * 5.4 before and after "x86/mm: split vmalloc_sync_all()" (seed 002).
 *
 * Modelled, with the kernel file each part follows:
 *   arch/x86/mm/pgtable.c   pgd_alloc/pgd_ctor/pgd_free, pgd_list, pgd_lock
 *   arch/x86/mm/init_64.c   sync_global_pgds(), _l4 and _l5
 *   arch/x86/mm/fault.c     vmalloc_sync_all(), and after the split
 *                           vmalloc_sync_mappings()/vmalloc_sync_unmappings()
 *   mm/vmalloc.c            alloc_vmap_area, vmap/vunmap of the page range,
 *                           free_vmap_area_noflush, lazy_max_pages,
 *                           __purge_vmap_area_lazy and its two callers
 *
 * Page tables are real zeroed pages of 512 entries.  An entry holds the
 * virtual address of the next table (or of the backing page) ORed with the
 * x86 flag bits: only the model ever walks them, never an MMU.  The kernel
 * part of the reference table below the PGD is shared by every process, as
 * on x86-64, so only PGD entries are ever copied into process PGDs.
 */
#include "vmalloc_sync.h"

#define KM_VA_HASH_SIZE		1024
#define KM_CACHELINE		64
#define KM_TABLE_BITS		9	/* 512 entries per table */

struct km_mm {
	unsigned long *pgd;		/* one page of KM_PTRS_PER_PGD entries */
	spinlock_t page_table_lock;
	struct list_head pgd_list;	/* page->lru on pgd_list in the kernel */
};

/* struct vmap_area and the vm_struct hanging off it, in one. */
struct km_vmap_area {
	unsigned long va_start;
	unsigned long va_end;		/* exclusive; the guard page included */
	struct list_head list;		/* busy hash bucket, or the free list */
	struct km_vmap_area *purge_next; /* vmap_purge_list */
	unsigned long *pages;		/* the backing pages, as vm->pages */
	unsigned long nr_pages;
};

struct km_vs_counters {
	atomic_long_t forks, exits;
	atomic_long_t vmallocs, vfrees;
	atomic_long_t purges;
	atomic_long_t syncs;
	atomic_long_t pgds_walked;
	atomic_long_t pgds_set;
};

struct km_vs_kernel {
	struct km_vs_config cfg;
	struct km_pgtable_geometry geom;

	/* swapper_pg_dir and init_mm.page_table_lock; never on pgd_list */
	struct km_mm init_mm;
	spinlock_t pgd_lock;
	struct list_head pgd_list;

	/*
	 * vmap_area_lock guards the busy areas (vmap_area_root, hashed here
	 * by start address), the free areas and the bump pointer.
	 */
	spinlock_t vmap_area_lock;
	struct list_head busy_hash[KM_VA_HASH_SIZE];
	struct list_head free_list;
	unsigned long vmap_bump;	/* lowest address never handed out */

	/* vmap_purge_list is a lock-free llist in the kernel */
	spinlock_t purge_list_lock;
	struct km_vmap_area *purge_list;
	struct rw_semaphore vmap_purge_lock;	/* a mutex in the kernel */
	atomic_long_t vmap_lazy_nr;

	struct km_vs_counters stats;
};

static unsigned long *km_entry_table(unsigned long entry)
{
	return (unsigned long *)(entry & PAGE_MASK);
}

/* Level 0 is the PGD, levels - 1 the PTE table; each level adds 9 bits. */
static unsigned int km_level_index(const struct km_vs_kernel *k, int level,
				   unsigned long addr)
{
	unsigned int shift = k->geom.pgdir_shift - KM_TABLE_BITS * level;

	return (addr >> shift) & (KM_PTRS_PER_TABLE - 1);
}

static int km_pte_level(const struct km_vs_kernel *k)
{
	return k->geom.levels - 1;
}

/* ---- the reference page table (init_mm) --------------------------------- */

/*
 * p4d_alloc()/pud_alloc()/pmd_alloc()/pte_alloc_kernel() (5.4 mm/memory.c):
 * the table below *entry, allocated outside the lock and installed under
 * init_mm.page_table_lock unless another CPU got there first.  *created says
 * whether this call installed it.
 */
static unsigned long *km_table_alloc(struct km_vs_kernel *k, unsigned long *entry,
				     bool *created)
{
	unsigned long e = smp_load_acquire(entry);
	unsigned long new;

	if (e)
		return km_entry_table(e);
	new = get_zeroed_page(GFP_KERNEL);
	if (!new)
		return NULL;

	spin_lock(&k->init_mm.page_table_lock);
	e = READ_ONCE(*entry);
	if (!e) {
		e = new | KM_KERNPG_TABLE;
		/*
		 * The kernel orders the zeroing before the entry with
		 * smp_wmb() and lets lockless walkers rely on the address
		 * dependency; release/acquire says the same to TSan.
		 */
		smp_store_release(entry, e);
		new = 0;
		*created = true;
	}
	spin_unlock(&k->init_mm.page_table_lock);

	if (new)
		free_page(new);
	return km_entry_table(e);
}

/*
 * vmap_page_range_noflush() (5.4 mm/vmalloc.c) for one page: the walk down
 * the reference table, filling the missing levels, then set_pte_at().
 * *pgd_modified is set when a PGD entry of the reference was created: the
 * p4d entry on 4-level (folded into the PGD), the PGD entry on 5-level.
 */
static int km_vmap_page(struct km_vs_kernel *k, unsigned long addr,
			unsigned long page, bool *pgd_modified)
{
	unsigned long *table = k->init_mm.pgd;
	unsigned long *pte;
	bool created;
	int level;

	for (level = 0; level < km_pte_level(k); level++) {
		created = false;
		table = km_table_alloc(k, &table[km_level_index(k, level, addr)],
				       &created);
		if (!table)
			return -ENOMEM;
		if (level == 0 && created)
			*pgd_modified = true;
	}
	pte = &table[km_level_index(k, level, addr)];
	if (WARN_ON(READ_ONCE(*pte)))
		return -EBUSY;
	smp_store_release(pte, page | KM_PAGE_KERNEL);
	return 0;
}

/* The PTE of addr in the reference table; NULL if a level is missing. */
static unsigned long *km_lookup_pte(const struct km_vs_kernel *k, unsigned long addr)
{
	unsigned long *table = k->init_mm.pgd;
	unsigned long e;
	int level;

	for (level = 0; level < km_pte_level(k); level++) {
		e = smp_load_acquire(&table[km_level_index(k, level, addr)]);
		if (!e)
			return NULL;
		table = km_entry_table(e);
	}
	return &table[km_level_index(k, level, addr)];
}

/*
 * vunmap_page_range() (5.4 mm/vmalloc.c): clear the PTEs.  The tables above
 * them stay, as on x86-64, so no PGD entry ever goes away.
 */
static void km_vunmap_page_range(struct km_vs_kernel *k, unsigned long start,
				 unsigned long end)
{
	unsigned long addr;
	unsigned long *pte;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		pte = km_lookup_pte(k, addr);
		if (pte)
			WRITE_ONCE(*pte, 0);
	}
}

/* ---- process PGDs ------------------------------------------------------- */

/* pgd_ctor() (5.4 arch/x86/mm/pgtable.c): clone the kernel half, list it */
static void km_pgd_ctor(struct km_vs_kernel *k, struct km_mm *mm)
{
	unsigned int i;

	for (i = k->geom.kernel_pgd_boundary; i < KM_PTRS_PER_PGD; i++)
		WRITE_ONCE(mm->pgd[i], READ_ONCE(k->init_mm.pgd[i]));
	list_add(&mm->pgd_list, &k->pgd_list);
}

/*
 * pgd_alloc() (5.4 arch/x86/mm/pgtable.c).  The clone and the list add are
 * one step under pgd_lock: a sync either finds this PGD on the list or ran
 * before the clone, which then copies what the sync saw.
 */
static int km_pgd_alloc(struct km_vs_kernel *k, struct km_mm *mm)
{
	mm->pgd = (unsigned long *)get_zeroed_page(GFP_KERNEL);
	if (!mm->pgd)
		return -ENOMEM;
	spin_lock(&k->pgd_lock);
	km_pgd_ctor(k, mm);
	spin_unlock(&k->pgd_lock);
	return 0;
}

/* pgd_free() (5.4 arch/x86/mm/pgtable.c): pgd_dtor() unlists it first. */
static void km_pgd_free(struct km_vs_kernel *k, struct km_mm *mm)
{
	spin_lock(&k->pgd_lock);
	list_del(&mm->pgd_list);
	spin_unlock(&k->pgd_lock);
	free_page((unsigned long)mm->pgd);
}

struct km_mm *km_vs_fork(struct km_vs_kernel *k)
{
	struct km_mm *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (!mm)
		return NULL;
	spin_lock_init(&mm->page_table_lock);
	if (km_pgd_alloc(k, mm)) {
		kfree(mm);
		return NULL;
	}
	atomic_long_inc(&k->stats.forks);
	return mm;
}

void km_vs_exit(struct km_vs_kernel *k, struct km_mm *mm)
{
	if (!mm)
		return;
	km_pgd_free(k, mm);
	kfree(mm);
	atomic_long_inc(&k->stats.exits);
}

/* ---- sync_global_pgds() ------------------------------------------------- */

/*
 * The body of sync_global_pgds_l4/_l5() (5.4 arch/x86/mm/init_64.c) for one
 * PGDIR_SIZE slot whose reference entry is set: every PGD on pgd_list is
 * read (the memory traffic the regression is about) under pgd_lock and its
 * mm's page_table_lock, and filled where empty.
 */
static void km_sync_global_pgd_slot(struct km_vs_kernel *k, unsigned long addr)
{
	unsigned int i = km_pgd_index(&k->geom, addr);
	unsigned long *pgd_ref = &k->init_mm.pgd[i];
	long walked = 0, set = 0;
	struct km_mm *mm;

	spin_lock(&k->pgd_lock);
	list_for_each_entry(mm, &k->pgd_list, pgd_list) {
		unsigned long ref = READ_ONCE(*pgd_ref);
		unsigned long *pgd = &mm->pgd[i];
		unsigned long e;

		spin_lock(&mm->page_table_lock);
		e = READ_ONCE(*pgd);
		if (e) {
			BUG_ON(km_entry_table(e) != km_entry_table(ref));
		} else {
			WRITE_ONCE(*pgd, ref);
			set++;
		}
		spin_unlock(&mm->page_table_lock);
		walked++;
	}
	spin_unlock(&k->pgd_lock);

	atomic_long_add(walked, &k->stats.pgds_walked);
	atomic_long_add(set, &k->stats.pgds_set);
}

/* ALIGN(addr + 1, PGDIR_SIZE): the start of the next PGD slot. */
static unsigned long km_next_pgd_slot(const struct km_vs_kernel *k, unsigned long addr)
{
	return (addr + k->geom.pgdir_size) & k->geom.pgdir_mask;
}

/* sync_global_pgds_l4() (5.4 arch/x86/mm/init_64.c): p4d is the PGD entry */
static void km_sync_global_pgds_l4(struct km_vs_kernel *k, unsigned long start,
				   unsigned long end)
{
	unsigned long addr;

	for (addr = start; addr <= end; addr = km_next_pgd_slot(k, addr)) {
		if (!READ_ONCE(k->init_mm.pgd[km_pgd_index(&k->geom, addr)]))
			continue;
		km_sync_global_pgd_slot(k, addr);
	}
}

/* sync_global_pgds_l5() (5.4 arch/x86/mm/init_64.c) */
static void km_sync_global_pgds_l5(struct km_vs_kernel *k, unsigned long start,
				   unsigned long end)
{
	unsigned long addr;

	for (addr = start; addr <= end; addr = km_next_pgd_slot(k, addr)) {
		/* the step wraps past the top of the address space */
		if (addr < start)
			break;
		if (!READ_ONCE(k->init_mm.pgd[km_pgd_index(&k->geom, addr)]))
			continue;
		km_sync_global_pgd_slot(k, addr);
	}
}

/* sync_global_pgds() (5.4 arch/x86/mm/init_64.c) */
static void km_sync_global_pgds(struct km_vs_kernel *k, unsigned long start,
				unsigned long end)
{
	atomic_long_inc(&k->stats.syncs);
	if (k->geom.levels == 5)
		km_sync_global_pgds_l5(k, start, end);
	else
		km_sync_global_pgds_l4(k, start, end);
}

/* vmalloc_sync_all() before, vmalloc_sync_mappings() after (x86-64 fault.c) */
static void km_vmalloc_sync_mappings(struct km_vs_kernel *k)
{
	km_sync_global_pgds(k, k->geom.vmalloc_start & k->geom.pgdir_mask,
			    k->geom.vmalloc_end);
}

/* vmalloc_sync_unmappings() (after the split, x86-64 fault.c): no work. */
static void km_vmalloc_sync_unmappings(void)
{
	/* Unmapping never allocates or frees p4d/pud pages on x86-64. */
}

/* ---- vmap areas and the lazy purge -------------------------------------- */

static struct list_head *km_busy_bucket(struct km_vs_kernel *k, unsigned long addr)
{
	return &k->busy_hash[(addr >> PAGE_SHIFT) % KM_VA_HASH_SIZE];
}

/* lazy_max_pages() (5.4 mm/vmalloc.c): 32 MiB per bit of the CPU count */
unsigned long km_vs_lazy_max_pages(const struct km_vs_kernel *k)
{
	unsigned int cpus = k->cfg.lazy_cpus ? k->cfg.lazy_cpus : num_online_cpus();

	return fls(cpus) * (32UL * 1024 * 1024 / PAGE_SIZE);
}

/*
 * __purge_vmap_area_lazy() (5.4 mm/vmalloc.c), vmap_purge_lock held.  The
 * sync at its top is the call 3f8fd02b1bf1 added: vmalloc_sync_all() walks
 * every process PGD on x86-64; after the split it is a no-op there.
 */
static bool km___purge_vmap_area_lazy(struct km_vs_kernel *k)
{
	struct km_vmap_area *va, *next;
	unsigned long nr;

	spin_lock(&k->purge_list_lock);
	va = k->purge_list;
	k->purge_list = NULL;
	spin_unlock(&k->purge_list_lock);
	if (!va)
		return false;

	atomic_long_inc(&k->stats.purges);
	if (k->cfg.variant == KM_VS_OLD)
		km_vmalloc_sync_mappings(k);	/* vmalloc_sync_all() */
	else
		km_vmalloc_sync_unmappings();

	/* flush_tlb_kernel_range() here: the model has no TLB. */

	spin_lock(&k->vmap_area_lock);
	for (; va; va = next) {
		next = va->purge_next;
		nr = (va->va_end - va->va_start) >> PAGE_SHIFT;
		/* merge_or_add_vmap_area(), without the merge */
		list_add(&va->list, &k->free_list);
		atomic_long_sub(nr, &k->vmap_lazy_nr);
	}
	spin_unlock(&k->vmap_area_lock);
	return true;
}

/* try_purge_vmap_area_lazy() (5.4 mm/vmalloc.c): skip if one is running */
static void km_try_purge_vmap_area_lazy(struct km_vs_kernel *k)
{
	if (!down_write_trylock(&k->vmap_purge_lock))
		return;
	km___purge_vmap_area_lazy(k);
	up_write(&k->vmap_purge_lock);
}

/* purge_vmap_area_lazy() (5.4 mm/vmalloc.c): wait for a running purge */
static void km_purge_vmap_area_lazy(struct km_vs_kernel *k)
{
	down_write(&k->vmap_purge_lock);
	km___purge_vmap_area_lazy(k);
	up_write(&k->vmap_purge_lock);
}

/*
 * __alloc_vmap_area() (5.4 mm/vmalloc.c), vmap_area_lock held.  The kernel
 * takes the lowest fit from an augmented rb-tree; here the first fit on the
 * free list, else fresh space from the bump pointer.  A free area used up is
 * handed back in *spent for the caller to free outside the lock.  0: no room.
 */
static unsigned long km___alloc_vmap_area(struct km_vs_kernel *k, unsigned long size,
					  struct km_vmap_area **spent)
{
	struct km_vmap_area *f;
	unsigned long addr;

	list_for_each_entry(f, &k->free_list, list) {
		if (f->va_end - f->va_start < size)
			continue;
		addr = f->va_start;
		f->va_start += size;
		if (f->va_start == f->va_end) {
			list_del(&f->list);
			*spent = f;
		}
		return addr;
	}
	if (k->geom.vmalloc_end + 1 - k->vmap_bump < size)
		return 0;
	addr = k->vmap_bump;
	k->vmap_bump += size;
	return addr;
}

/* alloc_vmap_area() (5.4 mm/vmalloc.c): on overflow, purge once and retry */
static struct km_vmap_area *km_alloc_vmap_area(struct km_vs_kernel *k,
					       unsigned long size)
{
	struct km_vmap_area *va, *spent;
	bool purged = false;
	unsigned long addr;

	va = kzalloc(sizeof(*va), GFP_KERNEL);
	if (!va)
		return NULL;
retry:
	spent = NULL;
	spin_lock(&k->vmap_area_lock);
	addr = km___alloc_vmap_area(k, size, &spent);
	if (addr) {
		va->va_start = addr;
		va->va_end = addr + size;
		list_add(&va->list, km_busy_bucket(k, addr));
	}
	spin_unlock(&k->vmap_area_lock);
	kfree(spent);

	if (addr)
		return va;
	if (!purged) {
		km_purge_vmap_area_lazy(k);
		purged = true;
		goto retry;
	}
	kfree(va);
	return NULL;
}

/* find_vmap_area() (5.4 mm/vmalloc.c), by start address */
static struct km_vmap_area *km_find_vmap_area(struct km_vs_kernel *k,
					      unsigned long addr)
{
	struct list_head *bucket = km_busy_bucket(k, addr);
	struct km_vmap_area *va, *found = NULL;

	spin_lock(&k->vmap_area_lock);
	list_for_each_entry(va, bucket, list) {
		if (va->va_start == addr) {
			found = va;
			break;
		}
	}
	spin_unlock(&k->vmap_area_lock);
	return found;
}

/*
 * free_vmap_area_noflush() (5.4 mm/vmalloc.c): off the busy tree, counted
 * into vmap_lazy_nr, onto the purge list; past lazy_max_pages(), purge.  The
 * area may be freed by any purge from the moment it is on the list.
 */
static void km_free_vmap_area_noflush(struct km_vs_kernel *k, struct km_vmap_area *va)
{
	unsigned long nr = (va->va_end - va->va_start) >> PAGE_SHIFT;
	unsigned long nr_lazy;

	spin_lock(&k->vmap_area_lock);
	list_del(&va->list);
	spin_unlock(&k->vmap_area_lock);

	nr_lazy = atomic_long_add_return(nr, &k->vmap_lazy_nr);

	spin_lock(&k->purge_list_lock);
	va->purge_next = k->purge_list;
	k->purge_list = va;
	spin_unlock(&k->purge_list_lock);

	if (nr_lazy > km_vs_lazy_max_pages(k))
		km_try_purge_vmap_area_lazy(k);
}

/*
 * __vunmap() (5.4 mm/vmalloc.c): remove_vm_area() unmaps the range now and
 * frees the area lazily (free_unmap_vmap_area()), then the pages go back.
 */
static void km___vunmap(struct km_vs_kernel *k, struct km_vmap_area *va)
{
	unsigned long *pages = va->pages;
	unsigned long nr = va->nr_pages;
	unsigned long i;

	va->pages = NULL;
	va->nr_pages = 0;
	km_vunmap_page_range(k, va->va_start, va->va_end);
	km_free_vmap_area_noflush(k, va);

	for (i = 0; i < nr; i++)
		free_page(pages[i]);
	kfree(pages);
}

/*
 * __vmalloc_area_node() (5.4 mm/vmalloc.c): zeroed pages (a thread stack is
 * THREADINFO_GFP, __GFP_ZERO), mapped into the reference table.  A new
 * reference PGD entry is pushed to every process at once, as
 * arch_sync_kernel_mappings() does from 5.8; 5.4 fixed the PGDs up lazily
 * from vmalloc_fault() instead, which the model has no place for.
 */
static int km_vmalloc_area_node(struct km_vs_kernel *k, struct km_vmap_area *va,
				unsigned long nr)
{
	bool pgd_modified = false;
	unsigned long i;
	int err = 0;

	va->pages = kmalloc(nr * sizeof(*va->pages), GFP_KERNEL);
	if (!va->pages)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		va->pages[i] = get_zeroed_page(GFP_KERNEL);
		if (!va->pages[i])
			return -ENOMEM;
		va->nr_pages++;
	}
	for (i = 0; i < nr && !err; i++)
		err = km_vmap_page(k, va->va_start + i * PAGE_SIZE, va->pages[i],
				   &pgd_modified);
	if (pgd_modified)
		km_vmalloc_sync_mappings(k);
	return err;
}

/* __vmalloc_node_range() (5.4 mm/vmalloc.c) with the guard page */
unsigned long km_vs_vmalloc(struct km_vs_kernel *k, unsigned long size)
{
	unsigned long range = k->geom.vmalloc_end - k->geom.vmalloc_start;
	struct km_vmap_area *va;

	if (!size || size >= range)
		return 0;
	size = PAGE_ALIGN(size);
	va = km_alloc_vmap_area(k, size + PAGE_SIZE);
	if (!va)
		return 0;
	if (km_vmalloc_area_node(k, va, size >> PAGE_SHIFT)) {
		km___vunmap(k, va);
		return 0;
	}
	atomic_long_inc(&k->stats.vmallocs);
	return va->va_start;
}

/* vfree() (5.4 mm/vmalloc.c) */
void km_vs_vfree(struct km_vs_kernel *k, unsigned long addr)
{
	struct km_vmap_area *va;

	if (!addr)
		return;
	va = km_find_vmap_area(k, addr);
	/* "Trying to vfree() nonexistent vm area" */
	if (WARN_ON(!va))
		return;
	atomic_long_inc(&k->stats.vfrees);
	km___vunmap(k, va);
}

/* The job's stack use: one store per cache line, through the page tables. */
void km_vs_touch(struct km_vs_kernel *k, unsigned long addr, unsigned long size)
{
	unsigned long end = addr + size;
	unsigned long page, off, stop;
	unsigned long *pte, e;
	char *p;

	for (page = addr & PAGE_MASK; page < end; page += PAGE_SIZE) {
		pte = km_lookup_pte(k, page);
		e = pte ? smp_load_acquire(pte) : 0;
		if (WARN_ON_ONCE(!e))
			return;
		p = (char *)km_entry_table(e);
		off = page < addr ? (addr - page) & ~7UL : 0;
		stop = end - page < PAGE_SIZE ? end - page : PAGE_SIZE;
		for (; off < stop; off += KM_CACHELINE)
			*(unsigned long *)(p + off) = page + off;
	}
}

/* ---- the kernel --------------------------------------------------------- */

struct km_vs_kernel *km_vs_create(const struct km_vs_config *cfg)
{
	struct km_pgtable_geometry geom = km_geometry(cfg->levels);
	struct km_vs_kernel *k;
	int i;

	if (!geom.levels)
		return NULL;
	if (cfg->variant != KM_VS_OLD && cfg->variant != KM_VS_NEW)
		return NULL;
	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return NULL;
	k->init_mm.pgd = (unsigned long *)get_zeroed_page(GFP_KERNEL);
	if (!k->init_mm.pgd) {
		kfree(k);
		return NULL;
	}
	k->cfg = *cfg;
	k->geom = geom;
	spin_lock_init(&k->init_mm.page_table_lock);
	spin_lock_init(&k->pgd_lock);
	INIT_LIST_HEAD(&k->pgd_list);
	spin_lock_init(&k->vmap_area_lock);
	for (i = 0; i < KM_VA_HASH_SIZE; i++)
		INIT_LIST_HEAD(&k->busy_hash[i]);
	INIT_LIST_HEAD(&k->free_list);
	k->vmap_bump = geom.vmalloc_start;
	spin_lock_init(&k->purge_list_lock);
	init_rwsem(&k->vmap_purge_lock);
	return k;
}

/* Frees a table and every table below it; backing pages belong to areas. */
static void km_free_table(struct km_vs_kernel *k, unsigned long *table, int level)
{
	int i;

	if (level < km_pte_level(k)) {
		for (i = 0; i < KM_PTRS_PER_TABLE; i++) {
			if (table[i])
				km_free_table(k, km_entry_table(table[i]), level + 1);
		}
	}
	free_page((unsigned long)table);
}

void km_vs_destroy(struct km_vs_kernel *k)
{
	struct km_vmap_area *va, *vn;
	struct km_mm *mm, *mn;
	unsigned long j;
	int i;

	if (!k)
		return;
	list_for_each_entry_safe(mm, mn, &k->pgd_list, pgd_list) {
		list_del(&mm->pgd_list);
		free_page((unsigned long)mm->pgd);
		kfree(mm);
	}
	for (i = 0; i < KM_VA_HASH_SIZE; i++) {
		list_for_each_entry_safe(va, vn, &k->busy_hash[i], list) {
			for (j = 0; j < va->nr_pages; j++)
				free_page(va->pages[j]);
			kfree(va->pages);
			kfree(va);
		}
	}
	list_for_each_entry_safe(va, vn, &k->free_list, list)
		kfree(va);
	for (va = k->purge_list; va; va = vn) {
		vn = va->purge_next;
		kfree(va);
	}
	km_free_table(k, k->init_mm.pgd, 0);
	kfree(k);
}

void km_vs_get_stats(struct km_vs_kernel *k, struct km_vs_stats *out)
{
	out->forks = atomic_long_read(&k->stats.forks);
	out->exits = atomic_long_read(&k->stats.exits);
	out->vmallocs = atomic_long_read(&k->stats.vmallocs);
	out->vfrees = atomic_long_read(&k->stats.vfrees);
	out->purges = atomic_long_read(&k->stats.purges);
	out->syncs = atomic_long_read(&k->stats.syncs);
	out->pgds_walked = atomic_long_read(&k->stats.pgds_walked);
	out->pgds_set = atomic_long_read(&k->stats.pgds_set);
}

long km_vs_nr_pgds(struct km_vs_kernel *k)
{
	struct km_mm *mm;
	long n = 0;

	spin_lock(&k->pgd_lock);
	list_for_each_entry(mm, &k->pgd_list, pgd_list)
		n++;
	spin_unlock(&k->pgd_lock);
	return n;
}

/* The invariant of vmalloc_sync.h, over every PGD slot of the vmalloc range. */
long km_vs_check_pgds(struct km_vs_kernel *k)
{
	unsigned long start = k->geom.vmalloc_start & k->geom.pgdir_mask;
	unsigned long addr, ref;
	struct km_mm *mm;
	unsigned int i;
	long bad = 0;

	spin_lock(&k->pgd_lock);
	for (addr = start; addr <= k->geom.vmalloc_end && addr >= start;
	     addr = km_next_pgd_slot(k, addr)) {
		i = km_pgd_index(&k->geom, addr);
		ref = READ_ONCE(k->init_mm.pgd[i]);
		if (!ref)
			continue;
		list_for_each_entry(mm, &k->pgd_list, pgd_list) {
			if (READ_ONCE(mm->pgd[i]) != ref)
				bad++;
		}
	}
	spin_unlock(&k->pgd_lock);
	return bad;
}
