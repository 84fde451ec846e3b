// SPDX-License-Identifier: GPL-2.0
/*
 * A model of an mm and its page fault, classic (Linux 4.9) and speculative
 * (the SPF series of seed 001).  See spf.h.
 *
 * The VMA tree.  VMAs live in a red-black tree keyed by address, as in the
 * kernel the seed patched (mm->mm_rb), next to an address-ordered list for
 * the writers' walks (vm_next/vm_prev there).  The rbtree is kept rather
 * than something simpler because it is what the published numbers were
 * measured with, and because its lockless-lookup contract is the one the
 * seed had to live with: child links are published with release stores and
 * rotations detach before they attach, so a reader that races a rebalance
 * may miss a node but never loops or reaches freed memory; mm_seq tells it
 * that the tree moved under it.  A missed or stale lookup is always caught
 * later by the VMA's own sequence count, so mm_seq only saves fallbacks.
 *
 * Locks, outermost first: mmap_sem; page_table_lock (populating and
 * clearing upper page-table entries, anon_vma_prepare()); a PTE table's ptl;
 * retire_lock (the lists of objects waiting for a grace period).
 *
 * File mappings are modelled as far as their faults go (impl/filemap.h: a
 * page cache that always has the page).  Not modelled: readahead,
 * writeback, page_mkwrite(), truncation, swap, THP, fork and COW of shared
 * pages, stack expansion (VM_GROWSDOWN only matters for the exclusion), VMA
 * merging in mprotect(), freeing of PUD and PMD tables before the mm dies,
 * the vmacache, RSS counters.
 */
#include "rbtree.h"
#include "spf.h"

#define KM_PMD_SIZE		(1UL << KM_PMD_SHIFT)
#define KM_PMD_MASK		(~(KM_PMD_SIZE - 1))
/* The end of the 47-bit user half: free_pgtables()' ceiling above the last VMA. */
#define KM_SPF_ADDR_END		(1UL << 47)
/* Retired objects that make a writer wait for a grace period and free them. */
#define KM_SPF_RETIRE_BATCH	64

struct km_anon_vma {
	atomic_t refcount;		/* one per VMA pointing here */
};

struct km_vma {
	struct km_rb_node vm_rb;	/* first: container_of() is free */
	/*
	 * Read without mmap_sem by the speculative path (READ_ONCE), so
	 * written with WRITE_ONCE inside a vm_sequence write section.
	 */
	unsigned long vm_start, vm_end;
	unsigned long vm_flags;
	struct km_anon_vma *anon_vma;
	struct km_file *vm_file;	/* NULL: anonymous; fixed for the VMA's life */
	unsigned long vm_pgoff;		/* vm_start's page in vm_file */
	/*
	 * Odd while a writer changes the VMA; a detached VMA stays odd, so
	 * that every speculative check on it fails (RB_EMPTY_NODE() in the
	 * seed).
	 */
	seqcount_t vm_sequence;
	bool vm_dead;			/* detached (mmap_sem held) */
	struct list_head vm_list;	/* mm->mmap, by address (mmap_sem) */
	struct list_head vm_retire;	/* mm->retired_vmas */
};

/* A PTE table and what the kernel keeps in its struct page. */
struct km_pte_table {
	unsigned long pte[KM_PTRS_PER_PTE];
	spinlock_t ptl;			/* the split PTE lock */
	struct list_head retire;	/* mm->retired_tables */
};

struct km_spf_mm {
	bool spf;			/* the speculative variant */
	bool debug;
	struct rw_semaphore mmap_sem;
	struct km_rb_node *mm_rb;	/* the VMA tree's root */
	seqcount_t mm_seq;		/* odd while the tree's shape changes */
	struct list_head mmap;		/* VMAs by address */
	long map_count;
	unsigned long *pgd;
	spinlock_t page_table_lock;
	unsigned long zero_page;	/* ZERO_PAGE(0): read faults map it */
	atomic_t mm_users;
	struct srcu_struct vma_srcu;	/* a global vma_srcu in the seed */
	spinlock_t retire_lock;
	struct list_head retired_vmas;
	struct list_head retired_tables;
	long nr_retired;
	atomic_long_t vmas_freed, tables_freed, grace_periods, stale_ptes;
	km_spf_hook_fn hook;
	void *hook_arg;
};

/* What one fault carries through the handlers: struct vm_fault. */
struct km_vm_fault {
	struct km_spf_mm *mm;
	struct km_spf_stats *st;
	struct km_vma *vma;
	unsigned long address;
	unsigned int flags;
	unsigned int sequence;		/* vma->vm_sequence when it began */
	unsigned long vma_flags;	/* cached: the VMA may change under us */
	unsigned long *pmd;
	unsigned long orig_pmd;
	struct km_pte_table *table;
	unsigned long *pte;
	unsigned long orig_pte;
	spinlock_t *ptl;
	enum km_spf_fail fail;		/* why pte_map_lock() failed */
};

/* ---- page-table geometry --------------------------------------------------- */

static unsigned int km_pgd_idx(unsigned long addr)
{
	return (addr >> KM_PGDIR_SHIFT_4L) & (KM_PTRS_PER_PGD - 1);
}

static unsigned int km_pud_idx(unsigned long addr)
{
	return (addr >> KM_PUD_SHIFT) & (KM_PTRS_PER_PUD - 1);
}

static unsigned int km_pmd_idx(unsigned long addr)
{
	return (addr >> KM_PMD_SHIFT) & (KM_PTRS_PER_PMD - 1);
}

static unsigned int km_pte_idx(unsigned long addr)
{
	return (addr >> KM_PAGE_SHIFT) & (KM_PTRS_PER_PTE - 1);
}

/* ---- the VMA tree ---------------------------------------------------------- */

static struct km_vma *rb_vma(struct km_rb_node *n)
{
	return container_of(n, struct km_vma, vm_rb);
}

/*
 * find_vma(): the first VMA ending above addr.  Safe without mmap_sem (the
 * loads are acquires, the depth bounded) but then only a hint: a rebalance
 * may hide the right VMA, a writer may be moving the one returned.
 */
static struct km_vma *km_rb_find(struct km_spf_mm *mm, unsigned long addr)
{
	struct km_rb_node *n = km_rb_child(&mm->mm_rb);
	struct km_vma *found = NULL;

	for (int depth = 0; n && depth < KM_RB_MAX_DEPTH; depth++) {
		struct km_vma *vma = rb_vma(n);

		if (READ_ONCE(vma->vm_end) > addr) {
			found = vma;
			if (READ_ONCE(vma->vm_start) <= addr)
				break;
			n = km_rb_child(&n->rb_left);
		} else {
			n = km_rb_child(&n->rb_right);
		}
	}
	return found;
}

/* find_vma() (4.9 mm/mmap.c); mmap_sem held. */
static struct km_vma *km_find_vma(struct km_spf_mm *mm, unsigned long addr)
{
	return km_rb_find(mm, addr);
}

/*
 * find_vma_srcu() (the SPF series, mm/mmap.c): the lookup retried once if
 * the tree changed shape meanwhile.  A writer inside the tree (mm_seq odd)
 * is not waited for: the caller falls back instead.
 */
static struct km_vma *km_find_vma_srcu(struct km_spf_mm *mm, unsigned long addr)
{
	for (int tries = 0; tries < 2; tries++) {
		unsigned int seq = raw_read_seqcount(&mm->mm_seq);
		struct km_vma *vma;

		if (seq & 1)
			return NULL;
		vma = km_rb_find(mm, addr);
		if (!read_seqcount_retry(&mm->mm_seq, seq))
			return vma;
	}
	return NULL;
}

static void km_mm_seq_begin(struct km_spf_mm *mm)
{
	if (mm->spf)
		write_seqcount_begin(&mm->mm_seq);
}

static void km_mm_seq_end(struct km_spf_mm *mm)
{
	if (mm->spf)
		write_seqcount_end(&mm->mm_seq);
}

/* vm_write_begin()/vm_write_end() of the SPF series: no-ops without it. */
static void km_vm_write_begin(struct km_spf_mm *mm, struct km_vma *vma)
{
	if (mm->spf)
		write_seqcount_begin(&vma->vm_sequence);
}

static void km_vm_write_end(struct km_spf_mm *mm, struct km_vma *vma)
{
	if (mm->spf)
		write_seqcount_end(&vma->vm_sequence);
}

/* __vma_link(): into the list after prev (NULL: first) and into the tree. */
static void km_vma_link(struct km_spf_mm *mm, struct km_vma *vma,
			struct km_vma *prev)
{
	struct km_rb_node **link = &mm->mm_rb, *parent = NULL;

	list_add(&vma->vm_list, prev ? &prev->vm_list : &mm->mmap);
	while (*link) {
		parent = *link;
		if (vma->vm_start < rb_vma(parent)->vm_start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	km_mm_seq_begin(mm);
	/* The release publishes the VMA's initialisation with the link. */
	km_rb_link_node(&vma->vm_rb, parent, link);
	km_rb_insert_color(&mm->mm_rb, &vma->vm_rb);
	km_mm_seq_end(mm);
	mm->map_count++;
}

/* __vma_unlink() + vma_rb_erase(): the caller has begun a write section. */
static void km_vma_unlink(struct km_spf_mm *mm, struct km_vma *vma)
{
	km_mm_seq_begin(mm);
	km_rb_erase(&mm->mm_rb, &vma->vm_rb);
	km_mm_seq_end(mm);
	list_del(&vma->vm_list);
	vma->vm_dead = true;
	mm->map_count--;
}

static struct km_vma *km_vma_next(struct km_spf_mm *mm, struct km_vma *vma)
{
	if (vma->vm_list.next == &mm->mmap)
		return NULL;
	return list_entry(vma->vm_list.next, struct km_vma, vm_list);
}

static struct km_vma *km_vma_prev(struct km_spf_mm *mm, struct km_vma *vma)
{
	if (vma->vm_list.prev == &mm->mmap)
		return NULL;
	return list_entry(vma->vm_list.prev, struct km_vma, vm_list);
}

/* The last VMA of the mm, NULL if there is none. */
static struct km_vma *km_vma_last(struct km_spf_mm *mm)
{
	if (list_empty(&mm->mmap))
		return NULL;
	return list_entry(mm->mmap.prev, struct km_vma, vm_list);
}

/* ---- freeing after a grace period ------------------------------------------ */

static void km_anon_vma_put(struct km_anon_vma *av)
{
	if (av && atomic_dec_return(&av->refcount) == 0)
		kfree(av);
}

static struct km_anon_vma *km_anon_vma_get(struct km_anon_vma *av)
{
	if (av)
		atomic_inc(&av->refcount);
	return av;
}

static void km_vma_free(struct km_spf_mm *mm, struct km_vma *vma)
{
	km_anon_vma_put(vma->anon_vma);
	km_file_put(vma->vm_file);
	kfree(vma);
	atomic_long_inc(&mm->vmas_freed);
}

static void km_pte_table_free(struct km_spf_mm *mm, struct km_pte_table *t)
{
	kfree(t);
	atomic_long_inc(&mm->tables_freed);
}

/* Onto one of the lists of what waits for a grace period before it is freed. */
static void km_retire(struct km_spf_mm *mm, struct list_head *entry, struct list_head *list)
{
	spin_lock(&mm->retire_lock);
	list_add_tail(entry, list);
	mm->nr_retired++;
	spin_unlock(&mm->retire_lock);
}

/*
 * remove_vma(): with SPF the VMA may still be in a speculative fault's hands,
 * so it waits for a grace period (the seed's call_srcu(&vma_srcu, ...)).
 */
static void km_remove_vma(struct km_spf_mm *mm, struct km_vma *vma)
{
	if (mm->spf)
		km_retire(mm, &vma->vm_retire, &mm->retired_vmas);
	else
		km_vma_free(mm, vma);
}

/* pte_free(): a speculative walk may hold the table, as gup_fast may (RCU table free). */
static void km_pte_free(struct km_spf_mm *mm, struct km_pte_table *t)
{
	if (mm->spf)
		km_retire(mm, &t->retire, &mm->retired_tables);
	else
		km_pte_table_free(mm, t);
}

static void km_list_move_all(struct list_head *from, struct list_head *to)
{
	while (!list_empty(from)) {
		struct list_head *e = from->next;

		list_del(e);
		list_add_tail(e, to);
	}
}

/*
 * The deferred frees, batched: the writer that fills a batch waits for one
 * grace period, after dropping mmap_sem, and frees the batch.  call_srcu()
 * does the same work from a callback.  force: whatever is there.
 */
static void km_spf_reclaim(struct km_spf_mm *mm, bool force)
{
	struct km_vma *vma, *vn;
	struct km_pte_table *t, *tn;
	LIST_HEAD(vmas);
	LIST_HEAD(tables);

	spin_lock(&mm->retire_lock);
	if (!mm->nr_retired || (!force && mm->nr_retired < KM_SPF_RETIRE_BATCH)) {
		spin_unlock(&mm->retire_lock);
		return;
	}
	km_list_move_all(&mm->retired_vmas, &vmas);
	km_list_move_all(&mm->retired_tables, &tables);
	mm->nr_retired = 0;
	spin_unlock(&mm->retire_lock);

	synchronize_srcu(&mm->vma_srcu);
	atomic_long_inc(&mm->grace_periods);
	list_for_each_entry_safe(vma, vn, &vmas, vm_retire)
		km_vma_free(mm, vma);
	list_for_each_entry_safe(t, tn, &tables, retire)
		km_pte_table_free(mm, t);
}

/* ---- the page table -------------------------------------------------------- */

/*
 * The PMD entry of addr, NULL if an upper level is missing.  PUD and PMD
 * tables live as long as the mm, so this is safe without any lock.
 */
static unsigned long *km_pmd_lookup(struct km_spf_mm *mm, unsigned long addr)
{
	unsigned long pgdv = smp_load_acquire(&mm->pgd[km_pgd_idx(addr)]);
	unsigned long pudv;

	if (!pgdv)
		return NULL;
	pudv = smp_load_acquire(&((unsigned long *)pgdv)[km_pud_idx(addr)]);
	if (!pudv)
		return NULL;
	return &((unsigned long *)pudv)[km_pmd_idx(addr)];
}

/* __pud_alloc()/__pmd_alloc() (4.9 mm/memory.c): the table under *entry. */
static unsigned long *km_table_alloc(struct km_spf_mm *mm, unsigned long *entry)
{
	unsigned long v = smp_load_acquire(entry);
	unsigned long new;

	if (v)
		return (unsigned long *)v;
	new = get_zeroed_page(GFP_KERNEL);
	if (!new)
		return NULL;
	spin_lock(&mm->page_table_lock);
	v = *entry;
	if (!v) {
		smp_store_release(entry, new);
		v = new;
		new = 0;
	}
	spin_unlock(&mm->page_table_lock);
	if (new)
		free_page(new);		/* another thread populated it first */
	return (unsigned long *)v;
}

/* __pte_alloc() (4.9 mm/memory.c): the PTE table under *pmd. */
static struct km_pte_table *km_pte_alloc(struct km_spf_mm *mm, unsigned long *pmd)
{
	unsigned long v = smp_load_acquire(pmd);
	struct km_pte_table *new;

	if (v)
		return (struct km_pte_table *)v;
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return NULL;
	spin_lock_init(&new->ptl);
	spin_lock(&mm->page_table_lock);
	v = *pmd;
	if (!v) {
		smp_store_release(pmd, (unsigned long)new);	/* pmd_populate() */
		v = (unsigned long)new;
		new = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	kfree(new);
	return (struct km_pte_table *)v;
}

/*
 * set_pte_at(): the release orders the page's zeroing before the PTE, as the
 * barrier in __SetPageUptodate() does.  PTE lock held.
 */
static void km_set_pte(unsigned long *ptep, unsigned long pte)
{
	smp_store_release(ptep, pte);
}

static bool km_pte_is_zero_page(struct km_spf_mm *mm, unsigned long pte)
{
	return (pte & KM_PTE_PAGE_MASK) == mm->zero_page;
}

/*
 * Calls fn on each PTE slot of [start, end) whose table exists, under that
 * table's lock, and sums what it returns: the one walk that zapping,
 * write-protecting and counting share, as walk_page_range() serves the kernel.
 */
static long km_walk_ptes(struct km_spf_mm *mm, unsigned long start, unsigned long end,
			 long (*fn)(struct km_spf_mm *mm, unsigned long *ptep))
{
	unsigned long addr, next;
	long sum = 0;

	for (addr = start; addr < end; addr = next) {
		unsigned long *pmd = km_pmd_lookup(mm, addr);
		struct km_pte_table *t;

		next = min((addr & KM_PMD_MASK) + KM_PMD_SIZE, end);
		if (!pmd)
			continue;
		t = (struct km_pte_table *)smp_load_acquire(pmd);
		if (!t)
			continue;
		spin_lock(&t->ptl);
		for (unsigned long a = addr; a < next; a += PAGE_SIZE)
			sum += fn(mm, &t->pte[km_pte_idx(a)]);
		spin_unlock(&t->ptl);
	}
	return sum;
}

/*
 * zap_pte_range(): clear a PTE and free its page.  The kernel frees the pages
 * after the TLB flush, batched by mmu_gather; here there is no TLB, so they
 * go at once, under the PTE lock.
 */
static long km_zap_pte(struct km_spf_mm *mm, unsigned long *ptep)
{
	unsigned long pte = *ptep;

	if (!pte)
		return 0;
	WRITE_ONCE(*ptep, 0);
	if (!km_pte_is_zero_page(mm, pte) && !(pte & KM_PTE_PAGECACHE))
		free_page(pte & KM_PTE_PAGE_MASK);
	return 1;
}

static void km_zap_range(struct km_spf_mm *mm, unsigned long start,
			 unsigned long end)
{
	km_walk_ptes(mm, start, end, km_zap_pte);
}

/*
 * A PTE table about to be freed must be empty: a PTE left there was
 * installed after its range was unmapped.  Counted, and its page freed.
 */
static void km_check_table_empty(struct km_spf_mm *mm, struct km_pte_table *t)
{
	long stale = 0;

	spin_lock(&t->ptl);
	for (int i = 0; i < KM_PTRS_PER_PTE; i++)
		stale += km_zap_pte(mm, &t->pte[i]);
	spin_unlock(&t->ptl);
	atomic_long_add(stale, &mm->stale_ptes);
}

/*
 * free_pgtables() for [start, end), simplified to PTE tables: a table goes
 * when its whole 2 MiB lies between floor and ceiling, the ends of the
 * neighbouring VMAs.  mmap_sem held for write.
 */
static void km_free_pgtables(struct km_spf_mm *mm, unsigned long start,
			     unsigned long end, unsigned long floor,
			     unsigned long ceiling)
{
	for (unsigned long s = start & KM_PMD_MASK; s < end; s += KM_PMD_SIZE) {
		unsigned long *pmd;
		struct km_pte_table *t;

		if (s < floor || s + KM_PMD_SIZE > ceiling)
			continue;
		pmd = km_pmd_lookup(mm, s);
		if (!pmd || !*pmd)
			continue;
		spin_lock(&mm->page_table_lock);
		t = (struct km_pte_table *)*pmd;
		WRITE_ONCE(*pmd, 0);		/* pmd_clear() */
		spin_unlock(&mm->page_table_lock);
		km_check_table_empty(mm, t);
		km_pte_free(mm, t);
	}
}

/* change_protection() when write is taken away: PTEs lose _PAGE_RW. */
static long km_wrprotect_pte(struct km_spf_mm *mm, unsigned long *ptep)
{
	if (*ptep & KM_PTE_RW)
		WRITE_ONCE(*ptep, *ptep & ~KM_PTE_RW);
	return 0;
}

static long km_pte_present(struct km_spf_mm *mm, unsigned long *ptep)
{
	return *ptep != 0;
}

/* Present PTEs in [start, end); for the debug check of a new mapping. */
static long km_count_ptes(struct km_spf_mm *mm, unsigned long start,
			  unsigned long end)
{
	return km_walk_ptes(mm, start, end, km_pte_present);
}

/* ---- the fault: shared by both paths ---------------------------------------- */

static bool km_access_error(unsigned long vm_flags, unsigned int flags)
{
	if (flags & KM_FAULT_FLAG_WRITE)
		return !(vm_flags & KM_VM_WRITE);
	return !(vm_flags & (KM_VM_READ | KM_VM_WRITE));
}

static void km_spf_hook(struct km_vm_fault *vmf, enum km_spf_hook_point at)
{
	if (unlikely(vmf->mm->hook))
		vmf->mm->hook(vmf->mm, at, vmf->address, vmf->mm->hook_arg);
}

/* vma_has_changed() (the SPF series): a dead VMA's count stays odd. */
static bool km_vma_has_changed(struct km_vm_fault *vmf)
{
	return read_seqcount_retry(&vmf->vma->vm_sequence, vmf->sequence);
}

/*
 * pte_map_lock() of the SPF series, speculative case.  Spinning on the PTE
 * lock with interrupts off could deadlock against a CPU that holds it while
 * waiting for our TLB-flush IPI, so it is only try-locked; the VMA is
 * validated again under the lock, and only then may the PTE be written.
 */
static bool km_pte_map_lock_speculative(struct km_vm_fault *vmf)
{
	unsigned long irqflags;
	bool locked = false;

	local_irq_save(irqflags);
	if (km_vma_has_changed(vmf)) {
		vmf->fail = KM_SPF_FAIL_CHANGED_LATE;
		goto out;
	}
	if (READ_ONCE(*vmf->pmd) != vmf->orig_pmd) {
		vmf->fail = KM_SPF_FAIL_WALK;
		goto out;
	}
	km_spf_hook(vmf, KM_SPF_HOOK_LOCKING);
	if (!spin_trylock(&vmf->table->ptl)) {
		vmf->fail = KM_SPF_FAIL_PTL_BUSY;
		goto out;
	}
	if (km_vma_has_changed(vmf)) {
		spin_unlock(&vmf->table->ptl);
		vmf->fail = KM_SPF_FAIL_CHANGED_LATE;
		goto out;
	}
	vmf->ptl = &vmf->table->ptl;
	locked = true;
out:
	local_irq_restore(irqflags);
	return locked;
}

/* pte_map_lock() / pte_spinlock(): false only for a speculative fault. */
static bool km_pte_map_lock(struct km_vm_fault *vmf)
{
	if (vmf->flags & KM_FAULT_FLAG_SPECULATIVE)
		return km_pte_map_lock_speculative(vmf);
	vmf->ptl = &vmf->table->ptl;
	spin_lock(vmf->ptl);
	return true;
}

static void km_pte_unlock(struct km_vm_fault *vmf)
{
	spin_unlock(vmf->ptl);
}

/* anon_vma_prepare() (4.9 mm/rmap.c), reduced to allocating the anon_vma. */
static int km_anon_vma_prepare(struct km_spf_mm *mm, struct km_vma *vma)
{
	struct km_anon_vma *av;

	if (likely(smp_load_acquire(&vma->anon_vma)))
		return 0;
	av = kzalloc(sizeof(*av), GFP_KERNEL);
	if (!av)
		return -ENOMEM;
	atomic_set(&av->refcount, 1);
	spin_lock(&mm->page_table_lock);
	if (!vma->anon_vma) {
		smp_store_release(&vma->anon_vma, av);
		av = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	kfree(av);
	return 0;
}

/*
 * The end of a fault on a PTE that mapped nothing, its lock held: entry goes
 * in if the PTE is still none; if another fault got there first, our page
 * (0: none) goes back and the race is counted.  Unlocks either way, as
 * finish_fault() does.
 */
static int km_finish_fault(struct km_vm_fault *vmf, unsigned long entry, unsigned long page)
{
	if (READ_ONCE(*vmf->pte)) {
		km_pte_unlock(vmf);
		if (page)
			free_page(page);
		vmf->st->pte_raced++;
		return 0;
	}
	km_set_pte(vmf->pte, entry);
	km_pte_unlock(vmf);
	return 0;
}

/* do_anonymous_page() (4.9 mm/memory.c, with the SPF series' pte_map_lock()). */
static int km_do_anonymous_page(struct km_vm_fault *vmf)
{
	unsigned long page = 0, entry;

	if (!(vmf->flags & KM_FAULT_FLAG_SPECULATIVE)) {
		if (km_anon_vma_prepare(vmf->mm, vmf->vma))
			return KM_VM_FAULT_OOM;
		/*
		 * handle_userfault() would drop mmap_sem and wait for the
		 * monitor; modelled as a monitor that resolves with a zero page.
		 */
		if (vmf->vma_flags & KM_VM_UFFD_MISSING)
			vmf->st->userfaults++;
	}
	if (!(vmf->flags & KM_FAULT_FLAG_WRITE)) {
		entry = vmf->mm->zero_page | KM_PTE_PRESENT | KM_PTE_USER;
	} else {
		page = get_zeroed_page(GFP_KERNEL);
		if (!page)
			return KM_VM_FAULT_OOM;
		entry = page | KM_PTE_PRESENT | KM_PTE_USER | KM_PTE_RW |
			KM_PTE_ACCESSED | KM_PTE_DIRTY;
	}
	if (!km_pte_map_lock(vmf)) {
		if (page)
			free_page(page);
		return KM_VM_FAULT_RETRY;
	}
	return km_finish_fault(vmf, entry, page);
}

/* A private copy of src (the zero page, or a file's page): wp_page_copy()'s. */
static unsigned long km_copy_page(struct km_spf_mm *mm, unsigned long src)
{
	unsigned long page = get_zeroed_page(GFP_KERNEL);

	if (page && src != mm->zero_page)
		memcpy((void *)page, (void *)src, PAGE_SIZE);
	return page;
}

/*
 * do_wp_page(), PTE lock held: a page of our own, or a shared mapping's file
 * page, is made writable (wp_page_reuse(), wp_page_shared()); the zero page
 * and a private mapping's file page are copied (wp_page_copy()).
 */
static int km_do_wp_page(struct km_vm_fault *vmf)
{
	unsigned long orig = vmf->orig_pte, page;
	bool file = orig & KM_PTE_PAGECACHE;

	if (!km_pte_is_zero_page(vmf->mm, orig) &&
	    (!file || (vmf->vma_flags & KM_VM_SHARED))) {
		km_set_pte(vmf->pte, orig | KM_PTE_RW | KM_PTE_ACCESSED | KM_PTE_DIRTY);
		km_pte_unlock(vmf);
		return 0;
	}
	km_pte_unlock(vmf);
	page = km_copy_page(vmf->mm, orig & KM_PTE_PAGE_MASK);
	if (!page)
		return KM_VM_FAULT_OOM;
	if (!km_pte_map_lock(vmf)) {
		free_page(page);
		return KM_VM_FAULT_RETRY;
	}
	if (READ_ONCE(*vmf->pte) != vmf->orig_pte) {
		km_pte_unlock(vmf);
		free_page(page);
		vmf->st->pte_raced++;
		return 0;
	}
	km_set_pte(vmf->pte, page | KM_PTE_PRESENT | KM_PTE_USER | KM_PTE_RW |
		   KM_PTE_ACCESSED | KM_PTE_DIRTY);
	km_pte_unlock(vmf);
	return 0;
}

/*
 * do_fault() (4.9 mm/memory.c) for a PTE that maps nothing yet: the file's
 * page from its cache, read-only for a read (do_read_fault()), copied into a
 * page of our own for a private write (do_cow_fault()), writable for a
 * shared one (do_shared_fault()).  Never on the speculative path: the seed
 * gives up there, since vm_ops->fault() may drop mmap_sem.
 */
static int km_do_fault(struct km_vm_fault *vmf)
{
	struct km_vma *vma = vmf->vma;
	bool write = vmf->flags & KM_FAULT_FLAG_WRITE;
	unsigned long pgoff, page, cow = 0, entry;

	if (vmf->flags & KM_FAULT_FLAG_SPECULATIVE) {
		vmf->fail = KM_SPF_FAIL_FILE;
		return KM_VM_FAULT_RETRY;
	}
	pgoff = vma->vm_pgoff + ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	page = km_filemap_get_page(vma->vm_file, pgoff);
	if (!page)
		return pgoff < km_file_pages(vma->vm_file) ? KM_VM_FAULT_OOM
							   : KM_VM_FAULT_SIGBUS;
	entry = page | KM_PTE_PRESENT | KM_PTE_USER | KM_PTE_ACCESSED | KM_PTE_PAGECACHE;
	if (write && (vmf->vma_flags & KM_VM_SHARED)) {
		entry |= KM_PTE_RW | KM_PTE_DIRTY;
	} else if (write) {
		if (km_anon_vma_prepare(vmf->mm, vma))
			return KM_VM_FAULT_OOM;
		cow = km_copy_page(vmf->mm, page);
		if (!cow)
			return KM_VM_FAULT_OOM;
		entry = cow | KM_PTE_PRESENT | KM_PTE_USER | KM_PTE_RW | KM_PTE_ACCESSED |
			KM_PTE_DIRTY;
	}
	km_pte_map_lock(vmf);	/* classic: it always takes the lock */
	return km_finish_fault(vmf, entry, cow);
}

/* handle_pte_fault() (4.9 mm/memory.c); vmf->pte and orig_pte are set. */
static int km_handle_pte_fault(struct km_vm_fault *vmf)
{
	bool write = vmf->flags & KM_FAULT_FLAG_WRITE;
	unsigned long entry = vmf->orig_pte;

	if (!entry)
		return vmf->vma->vm_file ? km_do_fault(vmf) : km_do_anonymous_page(vmf);
	if (!km_pte_map_lock(vmf))
		return KM_VM_FAULT_RETRY;
	if (READ_ONCE(*vmf->pte) != entry) {
		km_pte_unlock(vmf);
		vmf->st->pte_raced++;
		return 0;
	}
	if (write && !(entry & KM_PTE_RW))
		return km_do_wp_page(vmf);
	/* Spurious: another thread got here first; as the MMU would, mark it. */
	entry |= KM_PTE_ACCESSED | (write ? KM_PTE_DIRTY : 0);
	if (entry != vmf->orig_pte)
		km_set_pte(vmf->pte, entry);
	km_pte_unlock(vmf);
	vmf->st->pte_raced++;
	return 0;
}

/* __handle_mm_fault() (4.9 mm/memory.c): allocate the walk, then handle the PTE. */
static int km_handle_mm_fault(struct km_vm_fault *vmf)
{
	struct km_spf_mm *mm = vmf->mm;
	unsigned long addr = vmf->address;
	unsigned long *pud, *pmd;

	pud = km_table_alloc(mm, &mm->pgd[km_pgd_idx(addr)]);
	if (!pud)
		return KM_VM_FAULT_OOM;
	pmd = km_table_alloc(mm, &pud[km_pud_idx(addr)]);
	if (!pmd)
		return KM_VM_FAULT_OOM;
	vmf->pmd = &pmd[km_pmd_idx(addr)];
	vmf->table = km_pte_alloc(mm, vmf->pmd);
	if (!vmf->table)
		return KM_VM_FAULT_OOM;
	vmf->pte = &vmf->table->pte[km_pte_idx(addr)];
	vmf->orig_pte = smp_load_acquire(vmf->pte);
	return km_handle_pte_fault(vmf);
}

/* The classic fault: the body of 4.9's __do_page_fault() under mmap_sem. */
static int km_do_classic_fault(struct km_spf_task *t, unsigned long addr,
			       unsigned int flags)
{
	struct km_spf_mm *mm = t->mm;
	struct km_vm_fault vmf = {
		.mm = mm, .st = &t->st, .address = addr, .flags = flags,
	};
	struct km_vma *vma;
	int ret;

	down_read(&mm->mmap_sem);
	vma = km_find_vma(mm, addr);
	if (!vma || vma->vm_start > addr || km_access_error(vma->vm_flags, flags)) {
		ret = KM_VM_FAULT_SIGSEGV;
		goto out;
	}
	vmf.vma = vma;
	vmf.vma_flags = vma->vm_flags;
	ret = km_handle_mm_fault(&vmf);
out:
	up_read(&mm->mmap_sem);
	if (!ret)
		t->st.classic++;
	return ret;
}

/* ---- the speculative fault ---------------------------------------------------- */

/*
 * The speculative part of __handle_speculative_fault(): the VMA found and
 * checked, now the gup_fast()-style walk (interrupts off in the kernel; here
 * the SRCU read side keeps retired PTE tables alive, as RCU table freeing
 * does for gup_fast) and the PTE handled with pte_map_lock().
 */
static int km_spf_walk_and_handle(struct km_vm_fault *vmf)
{
	unsigned long irqflags;
	unsigned long *pmd;

	local_irq_save(irqflags);
	pmd = km_pmd_lookup(vmf->mm, vmf->address);
	vmf->orig_pmd = pmd ? smp_load_acquire(pmd) : 0;
	local_irq_restore(irqflags);
	if (!vmf->orig_pmd) {
		vmf->fail = KM_SPF_FAIL_WALK;
		return KM_VM_FAULT_RETRY;
	}
	vmf->pmd = pmd;
	vmf->table = (struct km_pte_table *)vmf->orig_pmd;
	km_spf_hook(vmf, KM_SPF_HOOK_WALKED);
	/* Re-validate after the bounds were checked and the walk made. */
	if (km_vma_has_changed(vmf)) {
		vmf->fail = KM_SPF_FAIL_CHANGED;
		return KM_VM_FAULT_RETRY;
	}
	vmf->pte = &vmf->table->pte[km_pte_idx(vmf->address)];
	vmf->orig_pte = smp_load_acquire(vmf->pte);
	return km_handle_pte_fault(vmf);
}

/* The seed's checks on the VMA: RETRY with vmf->fail set, SIGSEGV, or 0. */
static int km_spf_check_vma(struct km_vm_fault *vmf)
{
	struct km_vma *vma = vmf->vma;
	unsigned long start, end;

	if (!READ_ONCE(vma->anon_vma)) {
		vmf->fail = KM_SPF_FAIL_NO_ANON_VMA;
		return KM_VM_FAULT_RETRY;
	}
	vmf->vma_flags = READ_ONCE(vma->vm_flags);
	if (vmf->vma_flags & (KM_VM_UFFD_MISSING | KM_VM_GROWSDOWN | KM_VM_GROWSUP)) {
		vmf->fail = KM_SPF_FAIL_NOT_SUPPORTED;
		return KM_VM_FAULT_RETRY;
	}
	start = READ_ONCE(vma->vm_start);
	end = READ_ONCE(vma->vm_end);
	if (vmf->address < start || end <= vmf->address) {
		vmf->fail = vmf->address < start ? KM_SPF_FAIL_NO_VMA : KM_SPF_FAIL_CHANGED;
		return KM_VM_FAULT_RETRY;
	}
	if (km_access_error(vmf->vma_flags, vmf->flags)) {
		/* Only final if what was read is still the VMA. */
		if (!km_vma_has_changed(vmf))
			return KM_VM_FAULT_SIGSEGV;
		vmf->fail = KM_SPF_FAIL_CHANGED;
		return KM_VM_FAULT_RETRY;
	}
	return 0;
}

/* __handle_speculative_fault() (the SPF series, mm/memory.c). */
static int km_handle_speculative_fault(struct km_spf_task *t, unsigned long addr,
				       unsigned int flags)
{
	struct km_spf_mm *mm = t->mm;
	struct km_vm_fault vmf = {
		.mm = mm, .st = &t->st, .address = addr,
		.flags = flags | KM_FAULT_FLAG_SPECULATIVE,
	};
	int idx, ret;

	/* Only a multithreaded user task gains anything (handle_speculative_fault()). */
	if (!(flags & KM_FAULT_FLAG_USER) || atomic_read(&mm->mm_users) == 1) {
		t->st.spf_skipped++;
		return KM_VM_FAULT_RETRY;
	}
	t->st.spf_tried++;
	idx = srcu_read_lock(&mm->vma_srcu);
	vmf.vma = km_find_vma_srcu(mm, addr);
	if (!vmf.vma) {
		vmf.fail = KM_SPF_FAIL_NO_VMA;
		ret = KM_VM_FAULT_RETRY;
		goto out;
	}
	vmf.sequence = raw_read_seqcount(&vmf.vma->vm_sequence);
	if (vmf.sequence & 1) {
		vmf.fail = KM_SPF_FAIL_CHANGED;
		ret = KM_VM_FAULT_RETRY;
		goto out;
	}
	ret = km_spf_check_vma(&vmf);
	if (!ret)
		ret = km_spf_walk_and_handle(&vmf);
out:
	srcu_read_unlock(&mm->vma_srcu, idx);
	if (ret & KM_VM_FAULT_RETRY)
		t->st.spf_fail[vmf.fail]++;
	else if (!ret)
		t->st.spf_done++;
	return ret;
}

int km_do_user_addr_fault(struct km_spf_task *t, unsigned long addr,
			  unsigned int flags)
{
	struct km_spf_mm *mm = t->mm;
	int ret;

	t->st.faults++;
	flags |= KM_FAULT_FLAG_USER;
	if (addr >= KM_SPF_TASK_SIZE) {
		t->st.sigsegv++;
		return KM_VM_FAULT_SIGSEGV;
	}
	ret = KM_VM_FAULT_RETRY;
	if (mm->spf) {
		ret = km_handle_speculative_fault(t, addr, flags);
		if ((ret & KM_VM_FAULT_RETRY) && unlikely(mm->hook))
			mm->hook(mm, KM_SPF_HOOK_FALLBACK, addr, mm->hook_arg);
	}
	if (ret & KM_VM_FAULT_RETRY)
		ret = km_do_classic_fault(t, addr, flags);
	if (ret & KM_VM_FAULT_SIGSEGV)
		t->st.sigsegv++;
	if (ret & KM_VM_FAULT_SIGBUS)
		t->st.sigbus++;
	if (ret & KM_VM_FAULT_OOM)
		t->st.oom++;
	return ret;
}

/* The MMU's walk: the PTE of addr, or 0.  No lock: see km_spf_access(). */
static unsigned long km_hw_walk(struct km_spf_mm *mm, unsigned long addr)
{
	unsigned long *pmd = km_pmd_lookup(mm, addr);
	struct km_pte_table *t;

	if (!pmd)
		return 0;
	t = (struct km_pte_table *)smp_load_acquire(pmd);
	if (!t)
		return 0;
	return smp_load_acquire(&t->pte[km_pte_idx(addr)]);
}

void *km_spf_access(struct km_spf_task *t, unsigned long addr, bool write)
{
	unsigned long need = KM_PTE_PRESENT | (write ? KM_PTE_RW : 0);

	/* A fault that raced a writer may leave nothing behind: try again. */
	for (int tries = 0; tries < 8; tries++) {
		unsigned long pte = addr < KM_SPF_TASK_SIZE ? km_hw_walk(t->mm, addr) : 0;

		if ((pte & need) == need)
			return (void *)((pte & KM_PTE_PAGE_MASK) | (addr & ~KM_PTE_PAGE_MASK));
		if (km_do_user_addr_fault(t, addr, write ? KM_FAULT_FLAG_WRITE : 0))
			return NULL;
	}
	return NULL;
}

/* ---- mmap, munmap, mprotect, madvise ------------------------------------------ */

static struct km_vma *km_vma_alloc(unsigned long start, unsigned long end,
				   unsigned long vm_flags)
{
	struct km_vma *vma = kzalloc(sizeof(*vma), GFP_KERNEL);

	if (!vma)
		return NULL;
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_flags = vm_flags;
	seqcount_init(&vma->vm_sequence);
	return vma;
}

/*
 * is_mergeable_vma() + is_mergeable_anon_vma(), for anonymous memory: file
 * mappings are left apart (the kernel would merge adjacent pgoffs).
 */
static bool km_can_merge(struct km_vma *vma, unsigned long vm_flags)
{
	return vma->vm_flags == vm_flags && !vma->vm_file &&
	       !(vm_flags & (KM_VM_GROWSDOWN | KM_VM_GROWSUP | KM_VM_UFFD_MISSING));
}

/*
 * vma_merge() for a new anonymous range [addr, end) between prev and next:
 * extend a neighbour instead of adding a VMA.  True if merged.
 */
static bool km_vma_merge(struct km_spf_mm *mm, struct km_vma *prev,
			 struct km_vma *next, unsigned long addr,
			 unsigned long end, unsigned long vm_flags)
{
	bool with_prev = prev && prev->vm_end == addr && km_can_merge(prev, vm_flags);
	bool with_next = next && next->vm_start == end && km_can_merge(next, vm_flags);

	if (with_prev && with_next && prev->anon_vma && next->anon_vma &&
	    prev->anon_vma != next->anon_vma)
		with_next = false;
	if (with_prev) {
		km_vm_write_begin(mm, prev);
		if (with_next) {
			km_vm_write_begin(mm, next);	/* and never ended: next dies */
			if (!prev->anon_vma)
				smp_store_release(&prev->anon_vma,
						  km_anon_vma_get(next->anon_vma));
			WRITE_ONCE(prev->vm_end, next->vm_end);
			km_vma_unlink(mm, next);
			km_remove_vma(mm, next);
		} else {
			WRITE_ONCE(prev->vm_end, end);
		}
		km_vm_write_end(mm, prev);
		return true;
	}
	if (with_next) {
		/* The tree's order holds: nothing lies between prev and next. */
		km_vm_write_begin(mm, next);
		WRITE_ONCE(next->vm_start, addr);
		km_vm_write_end(mm, next);
		return true;
	}
	return false;
}

/* get_unmapped_area(), bottom-up first fit (the legacy layout). */
static unsigned long km_get_unmapped_area(struct km_spf_mm *mm, unsigned long len)
{
	unsigned long addr = KM_SPF_MMAP_MIN;
	struct km_vma *vma;

	list_for_each_entry(vma, &mm->mmap, vm_list) {
		if (vma->vm_end <= addr)
			continue;
		if (addr + len <= vma->vm_start)
			break;
		addr = vma->vm_end;
	}
	return addr + len <= KM_SPF_TASK_SIZE ? addr : 0;
}

/*
 * mmap_region() (4.9 mm/mmap.c) for a free range, anonymous or of file from
 * page pgoff; mmap_sem held for write.
 */
static int km_mmap_region(struct km_spf_mm *mm, unsigned long addr, unsigned long end,
			  unsigned long vm_flags, struct km_file *file, unsigned long pgoff)
{
	struct km_vma *next = km_find_vma(mm, addr);
	struct km_vma *prev = next ? km_vma_prev(mm, next) : km_vma_last(mm);
	struct km_vma *vma;

	if (mm->debug) {
		long n = km_count_ptes(mm, addr, end);

		if (n)
			atomic_long_add(n, &mm->stale_ptes);
	}
	if (!file && km_vma_merge(mm, prev, next, addr, end, vm_flags))
		return 0;
	vma = km_vma_alloc(addr, end, vm_flags);
	if (!vma)
		return -ENOMEM;
	vma->vm_file = km_file_get(file);
	vma->vm_pgoff = pgoff;
	km_vma_link(mm, vma, prev);
	return 0;
}

static bool km_range_ok(unsigned long addr, unsigned long len)
{
	return len && !(addr & ~PAGE_MASK) && len <= KM_SPF_TASK_SIZE &&
	       addr <= KM_SPF_TASK_SIZE - len;
}

/* do_mmap() (4.9 mm/mmap.c): anonymous where file is NULL. */
static long km_do_mmap(struct km_spf_mm *mm, unsigned long addr, unsigned long len,
		       unsigned int prot, unsigned int flags, struct km_file *file,
		       unsigned long pgoff)
{
	unsigned long vm_flags = KM_VM_READ;
	struct km_vma *vma;
	int err;

	len = PAGE_ALIGN(len);
	if (!(prot & KM_PROT_READ) || (addr && !km_range_ok(addr, len)) || !len)
		return -EINVAL;
	if ((flags & KM_MAP_SHARED) && !file)
		return -EINVAL;		/* shared anonymous memory is not modelled */
	if (prot & KM_PROT_WRITE)
		vm_flags |= KM_VM_WRITE;
	if (flags & KM_MAP_SHARED)
		vm_flags |= KM_VM_SHARED;
	if (flags & KM_MAP_GROWSDOWN)
		vm_flags |= KM_VM_GROWSDOWN;
	if (flags & KM_MAP_UFFD_MISSING)
		vm_flags |= KM_VM_UFFD_MISSING;

	down_write(&mm->mmap_sem);
	if (addr) {
		vma = km_find_vma(mm, addr);
		err = vma && vma->vm_start < addr + len ? -EEXIST : 0;
	} else {
		addr = km_get_unmapped_area(mm, len);
		err = addr ? 0 : -ENOMEM;
	}
	if (!err)
		err = km_mmap_region(mm, addr, addr + len, vm_flags, file, pgoff);
	up_write(&mm->mmap_sem);
	km_spf_reclaim(mm, false);
	return err ? err : (long)addr;
}

long km_spf_mmap(struct km_spf_mm *mm, unsigned long addr, unsigned long len,
		 unsigned int prot, unsigned int flags)
{
	return km_do_mmap(mm, addr, len, prot, flags, NULL, 0);
}

long km_spf_mmap_file(struct km_spf_mm *mm, unsigned long addr, unsigned long len,
		      unsigned int prot, unsigned int flags, struct km_file *file,
		      unsigned long pgoff)
{
	if (!file)
		return -EBADF;
	return km_do_mmap(mm, addr, len, prot, flags, file, pgoff);
}

/*
 * __split_vma() (4.9 mm/mmap.c): vma keeps [vm_start, addr), a new VMA takes
 * [addr, vm_end) and is returned (NULL: ENOMEM).
 */
static struct km_vma *km_split_vma(struct km_spf_mm *mm, struct km_vma *vma,
				   unsigned long addr)
{
	struct km_vma *new = km_vma_alloc(addr, vma->vm_end, vma->vm_flags);

	if (!new)
		return NULL;
	new->anon_vma = km_anon_vma_get(vma->anon_vma);
	new->vm_file = km_file_get(vma->vm_file);
	new->vm_pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	km_vm_write_begin(mm, vma);
	WRITE_ONCE(vma->vm_end, addr);
	km_vma_link(mm, new, vma);
	km_vm_write_end(mm, vma);
	return new;
}

/*
 * The VMAs covering [start, end), split so that they fit exactly; *first is
 * the first of them, NULL if none.  mmap_sem held for write.
 */
static int km_split_range(struct km_spf_mm *mm, unsigned long start,
			  unsigned long end, struct km_vma **first)
{
	struct km_vma *vma = km_find_vma(mm, start), *last;

	*first = NULL;
	if (!vma || vma->vm_start >= end)
		return 0;
	if (vma->vm_start < start) {
		vma = km_split_vma(mm, vma, start);
		if (!vma)
			return -ENOMEM;
	}
	last = km_find_vma(mm, end - 1);
	if (last && last->vm_start < end && last->vm_end > end &&
	    !km_split_vma(mm, last, end))
		return -ENOMEM;
	*first = vma;
	return 0;
}

/* do_munmap() (4.9 mm/mmap.c); mmap_sem held for write. */
static int km_do_munmap(struct km_spf_mm *mm, unsigned long start,
			unsigned long end)
{
	struct km_vma *vma, *prev, *next, *n;
	unsigned long floor, ceiling;
	LIST_HEAD(detached);
	int err;

	err = km_split_range(mm, start, end, &vma);
	if (err || !vma)
		return err;
	prev = km_vma_prev(mm, vma);
	/* detach_vmas_to_be_unmapped(): each VMA dies inside a write section. */
	while (vma && vma->vm_start < end) {
		next = km_vma_next(mm, vma);
		km_vm_write_begin(mm, vma);
		km_vma_unlink(mm, vma);
		list_add_tail(&vma->vm_list, &detached);
		vma = next;
	}
	next = vma;
	floor = prev ? prev->vm_end : 0;
	ceiling = next ? next->vm_start : KM_SPF_ADDR_END;
	/* unmap_region() */
	km_zap_range(mm, start, end);
	km_free_pgtables(mm, start, end, floor, ceiling);
	list_for_each_entry_safe(vma, n, &detached, vm_list) {
		list_del(&vma->vm_list);
		km_remove_vma(mm, vma);
	}
	return 0;
}

int km_spf_munmap(struct km_spf_mm *mm, unsigned long addr, unsigned long len)
{
	int err;

	len = PAGE_ALIGN(len);
	if (!km_range_ok(addr, len))
		return -EINVAL;
	down_write(&mm->mmap_sem);
	err = km_do_munmap(mm, addr, addr + len);
	up_write(&mm->mmap_sem);
	km_spf_reclaim(mm, false);
	return err;
}

/* Is [start, end) covered by VMAs without a hole?  mmap_sem held. */
static bool km_range_mapped(struct km_spf_mm *mm, unsigned long start,
			    unsigned long end)
{
	struct km_vma *vma = km_find_vma(mm, start);
	unsigned long addr = start;

	while (vma && vma->vm_start <= addr && addr < end) {
		addr = vma->vm_end;
		vma = km_vma_next(mm, vma);
	}
	return addr >= end;
}

/* mprotect_fixup() over a mapped range, without the re-merge (4.9 mm/mprotect.c). */
static int km_do_mprotect(struct km_spf_mm *mm, unsigned long start,
			  unsigned long end, unsigned long prot_flags)
{
	struct km_vma *vma;
	int err;

	if (!km_range_mapped(mm, start, end))
		return -ENOMEM;
	err = km_split_range(mm, start, end, &vma);
	if (err)
		return err;
	for (; vma && vma->vm_start < end; vma = km_vma_next(mm, vma)) {
		unsigned long newflags = (vma->vm_flags & ~(KM_VM_READ | KM_VM_WRITE)) |
					 prot_flags;

		if (newflags == vma->vm_flags)
			continue;
		km_vm_write_begin(mm, vma);
		WRITE_ONCE(vma->vm_flags, newflags);
		if (!(newflags & KM_VM_WRITE))
			km_walk_ptes(mm, vma->vm_start, vma->vm_end, km_wrprotect_pte);
		km_vm_write_end(mm, vma);
	}
	return 0;
}

int km_spf_mprotect(struct km_spf_mm *mm, unsigned long addr, unsigned long len,
		    unsigned int prot)
{
	unsigned long prot_flags = KM_VM_READ;
	int err;

	len = PAGE_ALIGN(len);
	if (!km_range_ok(addr, len) || !(prot & KM_PROT_READ))
		return -EINVAL;
	if (prot & KM_PROT_WRITE)
		prot_flags |= KM_VM_WRITE;
	down_write(&mm->mmap_sem);
	err = km_do_mprotect(mm, addr, addr + len, prot_flags);
	up_write(&mm->mmap_sem);
	return err;
}

/* madvise_dontneed() (4.9 mm/madvise.c): zap under mmap_sem for read. */
int km_spf_madvise_dontneed(struct km_spf_mm *mm, unsigned long addr,
			    unsigned long len)
{
	unsigned long end;
	struct km_vma *vma;

	len = PAGE_ALIGN(len);
	if (!km_range_ok(addr, len))
		return -EINVAL;
	end = addr + len;
	down_read(&mm->mmap_sem);
	for (vma = km_find_vma(mm, addr); vma && vma->vm_start < end;
	     vma = km_vma_next(mm, vma))
		km_zap_range(mm, max(addr, vma->vm_start), min(end, vma->vm_end));
	up_read(&mm->mmap_sem);
	return 0;
}

/* ---- the mm ---------------------------------------------------------------------- */

struct km_spf_mm *km_spf_mm_create(const struct km_spf_config *cfg)
{
	struct km_spf_mm *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (!mm)
		return NULL;
	mm->spf = cfg->variant == KM_SPF_SPECULATIVE;
	mm->debug = cfg->debug;
	mm->pgd = (unsigned long *)get_zeroed_page(GFP_KERNEL);
	mm->zero_page = get_zeroed_page(GFP_KERNEL);
	if (!mm->pgd || !mm->zero_page || init_srcu_struct(&mm->vma_srcu)) {
		free_page((unsigned long)mm->pgd);
		free_page(mm->zero_page);
		kfree(mm);
		return NULL;
	}
	init_rwsem(&mm->mmap_sem);
	seqcount_init(&mm->mm_seq);
	INIT_LIST_HEAD(&mm->mmap);
	spin_lock_init(&mm->page_table_lock);
	spin_lock_init(&mm->retire_lock);
	INIT_LIST_HEAD(&mm->retired_vmas);
	INIT_LIST_HEAD(&mm->retired_tables);
	return mm;
}

/* A PTE table and the pages it maps, when the mm dies. */
static void km_free_pte_table(struct km_spf_mm *mm, struct km_pte_table *t)
{
	for (int i = 0; i < KM_PTRS_PER_PTE; i++)
		km_zap_pte(mm, &t->pte[i]);
	kfree(t);
}

/* free_pgd_range() of the whole address space, data pages included. */
static void km_free_page_table(struct km_spf_mm *mm)
{
	for (int i = 0; i < KM_PTRS_PER_PGD; i++) {
		unsigned long *pud = (unsigned long *)mm->pgd[i];

		for (int j = 0; pud && j < KM_PTRS_PER_PUD; j++) {
			unsigned long *pmd = (unsigned long *)pud[j];

			for (int k = 0; pmd && k < KM_PTRS_PER_PMD; k++)
				if (pmd[k])
					km_free_pte_table(mm, (struct km_pte_table *)pmd[k]);
			free_page((unsigned long)pmd);
		}
		free_page((unsigned long)pud);
	}
	free_page((unsigned long)mm->pgd);
}

void km_spf_mm_destroy(struct km_spf_mm *mm)
{
	struct km_vma *vma, *n;

	if (!mm)
		return;
	km_spf_reclaim(mm, true);
	list_for_each_entry_safe(vma, n, &mm->mmap, vm_list)
		km_vma_free(mm, vma);
	km_free_page_table(mm);
	free_page(mm->zero_page);
	cleanup_srcu_struct(&mm->vma_srcu);
	kfree(mm);
}

enum km_spf_variant km_spf_variant(const struct km_spf_mm *mm)
{
	return mm->spf ? KM_SPF_SPECULATIVE : KM_SPF_CLASSIC;
}

void km_spf_task_init(struct km_spf_task *t, struct km_spf_mm *mm)
{
	*t = (struct km_spf_task){ .mm = mm };
	atomic_inc(&mm->mm_users);
}

void km_spf_task_exit(struct km_spf_task *t)
{
	atomic_dec(&t->mm->mm_users);
	t->mm = NULL;
}

unsigned long km_spf_follow_pte(struct km_spf_mm *mm, unsigned long addr)
{
	unsigned long pte;

	if (addr >= KM_SPF_TASK_SIZE)
		return 0;
	down_read(&mm->mmap_sem);
	pte = km_hw_walk(mm, addr);
	up_read(&mm->mmap_sem);
	return pte;
}

/* ---- checks and counters ------------------------------------------------------- */

/* The VMA tree's order: a ends where b starts, or before. */
static bool vma_before(const struct km_rb_node *a, const struct km_rb_node *b)
{
	const struct km_vma *va = container_of(a, struct km_vma, vm_rb);
	const struct km_vma *vb = container_of(b, struct km_vma, vm_rb);

	return va->vm_end <= vb->vm_start;
}

static void km_check_tree(struct km_spf_mm *mm, struct km_spf_check *c)
{
	struct km_vma *vma, *prev = NULL;
	long nodes = 0;

	km_rb_check(mm->mm_rb, vma_before, &c->tree_errors, &nodes);
	list_for_each_entry(vma, &mm->mmap, vm_list) {
		if (vma->vm_start >= vma->vm_end || vma->vm_dead ||
		    (prev && prev->vm_end > vma->vm_start) ||
		    km_find_vma(mm, vma->vm_start) != vma)
			c->tree_errors++;
		c->vmas++;
		prev = vma;
	}
	if (nodes != c->vmas || c->vmas != mm->map_count)
		c->tree_errors++;
}

/* Every present PTE of table t, which maps from base, against the VMAs. */
static void km_check_pte_table(struct km_spf_mm *mm, struct km_pte_table *t,
			       unsigned long base, struct km_spf_check *c)
{
	for (unsigned long i = 0; i < KM_PTRS_PER_PTE; i++) {
		unsigned long addr = base + (i << KM_PAGE_SHIFT);
		/* speculative faults may be installing */
		unsigned long pte = READ_ONCE(t->pte[i]);
		struct km_vma *vma;

		if (!pte)
			continue;
		c->ptes++;
		vma = km_find_vma(mm, addr);
		if (!vma || vma->vm_start > addr)
			c->ptes_outside++;
		else if ((pte & KM_PTE_RW) && !(vma->vm_flags & KM_VM_WRITE))
			c->ptes_bad_prot++;
	}
}

static void km_check_ptes(struct km_spf_mm *mm, struct km_spf_check *c)
{
	for (unsigned long i = 0; i < KM_PTRS_PER_PGD; i++) {
		unsigned long *pud = (unsigned long *)mm->pgd[i];

		for (unsigned long j = 0; pud && j < KM_PTRS_PER_PUD; j++) {
			unsigned long *pmd = (unsigned long *)pud[j];

			for (unsigned long k = 0; pmd && k < KM_PTRS_PER_PMD; k++) {
				unsigned long base = (i << KM_PGDIR_SHIFT_4L) |
						     (j << KM_PUD_SHIFT) | (k << KM_PMD_SHIFT);

				if (pmd[k])
					km_check_pte_table(mm, (struct km_pte_table *)pmd[k],
							   base, c);
			}
		}
	}
}

void km_spf_check(struct km_spf_mm *mm, struct km_spf_check *out)
{
	*out = (struct km_spf_check){ 0 };
	down_write(&mm->mmap_sem);
	km_check_tree(mm, out);
	km_check_ptes(mm, out);
	up_write(&mm->mmap_sem);
	out->stale_ptes = atomic_long_read(&mm->stale_ptes);
}

void km_spf_get_mm_stats(struct km_spf_mm *mm, struct km_spf_mm_stats *out)
{
	down_read(&mm->mmap_sem);
	out->map_count = mm->map_count;
	up_read(&mm->mmap_sem);
	spin_lock(&mm->retire_lock);
	out->retired = mm->nr_retired;
	spin_unlock(&mm->retire_lock);
	out->vmas_freed = atomic_long_read(&mm->vmas_freed);
	out->tables_freed = atomic_long_read(&mm->tables_freed);
	out->grace_periods = atomic_long_read(&mm->grace_periods);
	out->stale_ptes = atomic_long_read(&mm->stale_ptes);
}

void km_spf_stats_add(struct km_spf_stats *to, const struct km_spf_stats *from)
{
	to->faults += from->faults;
	to->spf_skipped += from->spf_skipped;
	to->spf_tried += from->spf_tried;
	to->spf_done += from->spf_done;
	for (int i = 0; i < KM_SPF_NR_FAIL; i++)
		to->spf_fail[i] += from->spf_fail[i];
	to->classic += from->classic;
	to->sigsegv += from->sigsegv;
	to->oom += from->oom;
	to->userfaults += from->userfaults;
	to->pte_raced += from->pte_raced;
}

const char *km_spf_fail_name(enum km_spf_fail why)
{
	static const char *const names[KM_SPF_NR_FAIL] = {
		[KM_SPF_FAIL_NO_VMA] = "no_vma",
		[KM_SPF_FAIL_CHANGED] = "vma_changed",
		[KM_SPF_FAIL_CHANGED_LATE] = "vma_changed_late",
		[KM_SPF_FAIL_NO_ANON_VMA] = "no_anon_vma",
		[KM_SPF_FAIL_NOT_SUPPORTED] = "not_supported",
		[KM_SPF_FAIL_WALK] = "walk",
		[KM_SPF_FAIL_PTL_BUSY] = "ptl_busy",
		[KM_SPF_FAIL_FILE] = "file_backed",
	};

	return (unsigned int)why < KM_SPF_NR_FAIL ? names[why] : "?";
}

void km_spf_set_hook(struct km_spf_mm *mm, km_spf_hook_fn fn, void *arg)
{
	mm->hook_arg = arg;
	mm->hook = fn;
}

spinlock_t *km_spf_pte_lockptr(struct km_spf_mm *mm, unsigned long addr)
{
	unsigned long *pmd;
	struct km_pte_table *t;

	if (addr >= KM_SPF_TASK_SIZE)
		return NULL;
	pmd = km_pmd_lookup(mm, addr);
	t = pmd ? (struct km_pte_table *)smp_load_acquire(pmd) : NULL;
	return t ? &t->ptl : NULL;
}
