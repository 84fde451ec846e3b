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
 * What is not modelled: file mappings, swap, THP, fork and COW of shared
 * pages, stack expansion (VM_GROWSDOWN only matters for the exclusion),
 * VMA merging in mprotect(), freeing of PUD and PMD tables before the mm
 * dies, the vmacache, RSS counters.
 */
#include "rbtree.h"
#include "spf.h"

#define FL_PMD_SIZE		(1UL << FL_PMD_SHIFT)
#define FL_PMD_MASK		(~(FL_PMD_SIZE - 1))
/* The end of the 47-bit user half: free_pgtables()' ceiling above the last VMA. */
#define FL_SPF_ADDR_END		(1UL << 47)
/* Retired objects that make a writer wait for a grace period and free them. */
#define FL_SPF_RETIRE_BATCH	64

struct fl_anon_vma {
	atomic_t refcount;		/* one per VMA pointing here */
};

struct fl_vma {
	struct fl_rb_node vm_rb;	/* first: container_of() is free */
	/*
	 * Read without mmap_sem by the speculative path (READ_ONCE), so
	 * written with WRITE_ONCE inside a vm_sequence write section.
	 */
	unsigned long vm_start, vm_end;
	unsigned long vm_flags;
	struct fl_anon_vma *anon_vma;
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
struct fl_pte_table {
	unsigned long pte[FL_PTRS_PER_PTE];
	spinlock_t ptl;			/* the split PTE lock */
	struct list_head retire;	/* mm->retired_tables */
};

struct fl_spf_mm {
	bool spf;			/* the speculative variant */
	bool debug;
	struct rw_semaphore mmap_sem;
	struct fl_rb_node *mm_rb;	/* the VMA tree's root */
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
	fl_spf_hook_fn hook;
	void *hook_arg;
};

/* What one fault carries through the handlers: struct vm_fault. */
struct fl_vm_fault {
	struct fl_spf_mm *mm;
	struct fl_spf_stats *st;
	struct fl_vma *vma;
	unsigned long address;
	unsigned int flags;
	unsigned int sequence;		/* vma->vm_sequence when it began */
	unsigned long vma_flags;	/* cached: the VMA may change under us */
	unsigned long *pmd;
	unsigned long orig_pmd;
	struct fl_pte_table *table;
	unsigned long *pte;
	unsigned long orig_pte;
	spinlock_t *ptl;
	enum fl_spf_fail fail;		/* why pte_map_lock() failed */
};

/* ---- page-table geometry --------------------------------------------------- */

static unsigned int fl_pgd_idx(unsigned long addr)
{
	return (addr >> FL_PGDIR_SHIFT_4L) & (FL_PTRS_PER_PGD - 1);
}

static unsigned int fl_pud_idx(unsigned long addr)
{
	return (addr >> FL_PUD_SHIFT) & (FL_PTRS_PER_PUD - 1);
}

static unsigned int fl_pmd_idx(unsigned long addr)
{
	return (addr >> FL_PMD_SHIFT) & (FL_PTRS_PER_PMD - 1);
}

static unsigned int fl_pte_idx(unsigned long addr)
{
	return (addr >> FL_PAGE_SHIFT) & (FL_PTRS_PER_PTE - 1);
}

/* ---- the VMA tree ---------------------------------------------------------- */

static struct fl_vma *rb_vma(struct fl_rb_node *n)
{
	return container_of(n, struct fl_vma, vm_rb);
}

/*
 * find_vma(): the first VMA ending above addr.  Safe without mmap_sem (the
 * loads are acquires, the depth bounded) but then only a hint: a rebalance
 * may hide the right VMA, a writer may be moving the one returned.
 */
static struct fl_vma *fl_rb_find(struct fl_spf_mm *mm, unsigned long addr)
{
	struct fl_rb_node *n = fl_rb_child(&mm->mm_rb);
	struct fl_vma *found = NULL;

	for (int depth = 0; n && depth < FL_RB_MAX_DEPTH; depth++) {
		struct fl_vma *vma = rb_vma(n);

		if (READ_ONCE(vma->vm_end) > addr) {
			found = vma;
			if (READ_ONCE(vma->vm_start) <= addr)
				break;
			n = fl_rb_child(&n->rb_left);
		} else {
			n = fl_rb_child(&n->rb_right);
		}
	}
	return found;
}

/* find_vma() (4.9 mm/mmap.c); mmap_sem held. */
static struct fl_vma *fl_find_vma(struct fl_spf_mm *mm, unsigned long addr)
{
	return fl_rb_find(mm, addr);
}

/*
 * find_vma_srcu() (the SPF series, mm/mmap.c): the lookup retried once if
 * the tree changed shape meanwhile.  A writer inside the tree (mm_seq odd)
 * is not waited for: the caller falls back instead.
 */
static struct fl_vma *fl_find_vma_srcu(struct fl_spf_mm *mm, unsigned long addr)
{
	for (int tries = 0; tries < 2; tries++) {
		unsigned int seq = raw_read_seqcount(&mm->mm_seq);
		struct fl_vma *vma;

		if (seq & 1)
			return NULL;
		vma = fl_rb_find(mm, addr);
		if (!read_seqcount_retry(&mm->mm_seq, seq))
			return vma;
	}
	return NULL;
}

static void fl_mm_seq_begin(struct fl_spf_mm *mm)
{
	if (mm->spf)
		write_seqcount_begin(&mm->mm_seq);
}

static void fl_mm_seq_end(struct fl_spf_mm *mm)
{
	if (mm->spf)
		write_seqcount_end(&mm->mm_seq);
}

/* vm_write_begin()/vm_write_end() of the SPF series: no-ops without it. */
static void fl_vm_write_begin(struct fl_spf_mm *mm, struct fl_vma *vma)
{
	if (mm->spf)
		write_seqcount_begin(&vma->vm_sequence);
}

static void fl_vm_write_end(struct fl_spf_mm *mm, struct fl_vma *vma)
{
	if (mm->spf)
		write_seqcount_end(&vma->vm_sequence);
}

/* __vma_link(): into the list after prev (NULL: first) and into the tree. */
static void fl_vma_link(struct fl_spf_mm *mm, struct fl_vma *vma,
			struct fl_vma *prev)
{
	struct fl_rb_node **link = &mm->mm_rb, *parent = NULL;

	list_add(&vma->vm_list, prev ? &prev->vm_list : &mm->mmap);
	while (*link) {
		parent = *link;
		if (vma->vm_start < rb_vma(parent)->vm_start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	fl_mm_seq_begin(mm);
	/* The release publishes the VMA's initialisation with the link. */
	fl_rb_link_node(&vma->vm_rb, parent, link);
	fl_rb_insert_color(&mm->mm_rb, &vma->vm_rb);
	fl_mm_seq_end(mm);
	mm->map_count++;
}

/* __vma_unlink() + vma_rb_erase(): the caller has begun a write section. */
static void fl_vma_unlink(struct fl_spf_mm *mm, struct fl_vma *vma)
{
	fl_mm_seq_begin(mm);
	fl_rb_erase(&mm->mm_rb, &vma->vm_rb);
	fl_mm_seq_end(mm);
	list_del(&vma->vm_list);
	vma->vm_dead = true;
	mm->map_count--;
}

static struct fl_vma *fl_vma_next(struct fl_spf_mm *mm, struct fl_vma *vma)
{
	if (vma->vm_list.next == &mm->mmap)
		return NULL;
	return list_entry(vma->vm_list.next, struct fl_vma, vm_list);
}

static struct fl_vma *fl_vma_prev(struct fl_spf_mm *mm, struct fl_vma *vma)
{
	if (vma->vm_list.prev == &mm->mmap)
		return NULL;
	return list_entry(vma->vm_list.prev, struct fl_vma, vm_list);
}

/* The last VMA of the mm, NULL if there is none. */
static struct fl_vma *fl_vma_last(struct fl_spf_mm *mm)
{
	if (list_empty(&mm->mmap))
		return NULL;
	return list_entry(mm->mmap.prev, struct fl_vma, vm_list);
}

/* ---- freeing after a grace period ------------------------------------------ */

static void fl_anon_vma_put(struct fl_anon_vma *av)
{
	if (av && atomic_dec_return(&av->refcount) == 0)
		kfree(av);
}

static struct fl_anon_vma *fl_anon_vma_get(struct fl_anon_vma *av)
{
	if (av)
		atomic_inc(&av->refcount);
	return av;
}

static void fl_vma_free(struct fl_spf_mm *mm, struct fl_vma *vma)
{
	fl_anon_vma_put(vma->anon_vma);
	kfree(vma);
	atomic_long_inc(&mm->vmas_freed);
}

static void fl_pte_table_free(struct fl_spf_mm *mm, struct fl_pte_table *t)
{
	kfree(t);
	atomic_long_inc(&mm->tables_freed);
}

/*
 * remove_vma(): with SPF the VMA may still be in a speculative fault's hands,
 * so it waits for a grace period (the seed's call_srcu(&vma_srcu, ...)).
 */
static void fl_remove_vma(struct fl_spf_mm *mm, struct fl_vma *vma)
{
	if (!mm->spf) {
		fl_vma_free(mm, vma);
		return;
	}
	spin_lock(&mm->retire_lock);
	list_add_tail(&vma->vm_retire, &mm->retired_vmas);
	mm->nr_retired++;
	spin_unlock(&mm->retire_lock);
}

/* pte_free(): a speculative walk may hold the table, as gup_fast may (RCU table free). */
static void fl_pte_free(struct fl_spf_mm *mm, struct fl_pte_table *t)
{
	if (!mm->spf) {
		fl_pte_table_free(mm, t);
		return;
	}
	spin_lock(&mm->retire_lock);
	list_add_tail(&t->retire, &mm->retired_tables);
	mm->nr_retired++;
	spin_unlock(&mm->retire_lock);
}

static void fl_list_move_all(struct list_head *from, struct list_head *to)
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
static void fl_spf_reclaim(struct fl_spf_mm *mm, bool force)
{
	struct fl_vma *vma, *vn;
	struct fl_pte_table *t, *tn;
	LIST_HEAD(vmas);
	LIST_HEAD(tables);

	spin_lock(&mm->retire_lock);
	if (!mm->nr_retired || (!force && mm->nr_retired < FL_SPF_RETIRE_BATCH)) {
		spin_unlock(&mm->retire_lock);
		return;
	}
	fl_list_move_all(&mm->retired_vmas, &vmas);
	fl_list_move_all(&mm->retired_tables, &tables);
	mm->nr_retired = 0;
	spin_unlock(&mm->retire_lock);

	synchronize_srcu(&mm->vma_srcu);
	atomic_long_inc(&mm->grace_periods);
	list_for_each_entry_safe(vma, vn, &vmas, vm_retire)
		fl_vma_free(mm, vma);
	list_for_each_entry_safe(t, tn, &tables, retire)
		fl_pte_table_free(mm, t);
}

/* ---- the page table -------------------------------------------------------- */

/*
 * The PMD entry of addr, NULL if an upper level is missing.  PUD and PMD
 * tables live as long as the mm, so this is safe without any lock.
 */
static unsigned long *fl_pmd_lookup(struct fl_spf_mm *mm, unsigned long addr)
{
	unsigned long pgdv = smp_load_acquire(&mm->pgd[fl_pgd_idx(addr)]);
	unsigned long pudv;

	if (!pgdv)
		return NULL;
	pudv = smp_load_acquire(&((unsigned long *)pgdv)[fl_pud_idx(addr)]);
	if (!pudv)
		return NULL;
	return &((unsigned long *)pudv)[fl_pmd_idx(addr)];
}

/* __pud_alloc()/__pmd_alloc() (4.9 mm/memory.c): the table under *entry. */
static unsigned long *fl_table_alloc(struct fl_spf_mm *mm, unsigned long *entry)
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
static struct fl_pte_table *fl_pte_alloc(struct fl_spf_mm *mm, unsigned long *pmd)
{
	unsigned long v = smp_load_acquire(pmd);
	struct fl_pte_table *new;

	if (v)
		return (struct fl_pte_table *)v;
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
	return (struct fl_pte_table *)v;
}

/*
 * set_pte_at(): the release orders the page's zeroing before the PTE, as the
 * barrier in __SetPageUptodate() does.  PTE lock held.
 */
static void fl_set_pte(unsigned long *ptep, unsigned long pte)
{
	smp_store_release(ptep, pte);
}

static bool fl_pte_is_zero_page(struct fl_spf_mm *mm, unsigned long pte)
{
	return (pte & FL_PTE_PAGE_MASK) == mm->zero_page;
}

/*
 * zap_pte_range() over [start, end): clear the PTEs and free the pages.  The
 * kernel frees the pages after the TLB flush, batched by mmu_gather; here
 * there is no TLB, so they go at once, under the PTE lock.
 */
static void fl_zap_range(struct fl_spf_mm *mm, unsigned long start,
			 unsigned long end)
{
	unsigned long addr, next;

	for (addr = start; addr < end; addr = next) {
		unsigned long *pmd = fl_pmd_lookup(mm, addr);
		struct fl_pte_table *t;

		next = min((addr & FL_PMD_MASK) + FL_PMD_SIZE, end);
		if (!pmd)
			continue;
		t = (struct fl_pte_table *)smp_load_acquire(pmd);
		if (!t)
			continue;
		spin_lock(&t->ptl);
		for (unsigned long a = addr; a < next; a += PAGE_SIZE) {
			unsigned long *ptep = &t->pte[fl_pte_idx(a)];
			unsigned long pte = *ptep;

			if (!pte)
				continue;
			WRITE_ONCE(*ptep, 0);
			if (!fl_pte_is_zero_page(mm, pte))
				free_page(pte & FL_PTE_PAGE_MASK);
		}
		spin_unlock(&t->ptl);
	}
}

/*
 * A PTE table about to be freed must be empty: a PTE left there was
 * installed after its range was unmapped.  Counted, and its page freed.
 */
static void fl_check_table_empty(struct fl_spf_mm *mm, struct fl_pte_table *t)
{
	spin_lock(&t->ptl);
	for (int i = 0; i < FL_PTRS_PER_PTE; i++) {
		unsigned long pte = t->pte[i];

		if (!pte)
			continue;
		atomic_long_inc(&mm->stale_ptes);
		WRITE_ONCE(t->pte[i], 0);
		if (!fl_pte_is_zero_page(mm, pte))
			free_page(pte & FL_PTE_PAGE_MASK);
	}
	spin_unlock(&t->ptl);
}

/*
 * free_pgtables() for [start, end), simplified to PTE tables: a table goes
 * when its whole 2 MiB lies between floor and ceiling, the ends of the
 * neighbouring VMAs.  mmap_sem held for write.
 */
static void fl_free_pgtables(struct fl_spf_mm *mm, unsigned long start,
			     unsigned long end, unsigned long floor,
			     unsigned long ceiling)
{
	for (unsigned long s = start & FL_PMD_MASK; s < end; s += FL_PMD_SIZE) {
		unsigned long *pmd;
		struct fl_pte_table *t;

		if (s < floor || s + FL_PMD_SIZE > ceiling)
			continue;
		pmd = fl_pmd_lookup(mm, s);
		if (!pmd || !*pmd)
			continue;
		spin_lock(&mm->page_table_lock);
		t = (struct fl_pte_table *)*pmd;
		WRITE_ONCE(*pmd, 0);		/* pmd_clear() */
		spin_unlock(&mm->page_table_lock);
		fl_check_table_empty(mm, t);
		fl_pte_free(mm, t);
	}
}

/* change_protection() when write is taken away: PTEs lose _PAGE_RW. */
static void fl_wrprotect_range(struct fl_spf_mm *mm, unsigned long start,
			       unsigned long end)
{
	unsigned long addr, next;

	for (addr = start; addr < end; addr = next) {
		unsigned long *pmd = fl_pmd_lookup(mm, addr);
		struct fl_pte_table *t;

		next = min((addr & FL_PMD_MASK) + FL_PMD_SIZE, end);
		if (!pmd)
			continue;
		t = (struct fl_pte_table *)smp_load_acquire(pmd);
		if (!t)
			continue;
		spin_lock(&t->ptl);
		for (unsigned long a = addr; a < next; a += PAGE_SIZE) {
			unsigned long *ptep = &t->pte[fl_pte_idx(a)];

			if (*ptep & FL_PTE_RW)
				WRITE_ONCE(*ptep, *ptep & ~FL_PTE_RW);
		}
		spin_unlock(&t->ptl);
	}
}

/* Present PTEs in [start, end); for the debug check of a new mapping. */
static long fl_count_ptes(struct fl_spf_mm *mm, unsigned long start,
			  unsigned long end)
{
	unsigned long addr, next;
	long n = 0;

	for (addr = start; addr < end; addr = next) {
		unsigned long *pmd = fl_pmd_lookup(mm, addr);
		struct fl_pte_table *t;

		next = min((addr & FL_PMD_MASK) + FL_PMD_SIZE, end);
		if (!pmd)
			continue;
		t = (struct fl_pte_table *)smp_load_acquire(pmd);
		if (!t)
			continue;
		spin_lock(&t->ptl);
		for (unsigned long a = addr; a < next; a += PAGE_SIZE)
			n += t->pte[fl_pte_idx(a)] != 0;
		spin_unlock(&t->ptl);
	}
	return n;
}

/* ---- the fault: shared by both paths ---------------------------------------- */

static bool fl_access_error(unsigned long vm_flags, unsigned int flags)
{
	if (flags & FL_FAULT_FLAG_WRITE)
		return !(vm_flags & FL_VM_WRITE);
	return !(vm_flags & (FL_VM_READ | FL_VM_WRITE));
}

static void fl_spf_hook(struct fl_vm_fault *vmf, enum fl_spf_hook_point at)
{
	if (unlikely(vmf->mm->hook))
		vmf->mm->hook(vmf->mm, at, vmf->address, vmf->mm->hook_arg);
}

/* vma_has_changed() (the SPF series): a dead VMA's count stays odd. */
static bool fl_vma_has_changed(struct fl_vm_fault *vmf)
{
	return read_seqcount_retry(&vmf->vma->vm_sequence, vmf->sequence);
}

/*
 * pte_map_lock() of the SPF series, speculative case.  Spinning on the PTE
 * lock with interrupts off could deadlock against a CPU that holds it while
 * waiting for our TLB-flush IPI, so it is only try-locked; the VMA is
 * validated again under the lock, and only then may the PTE be written.
 */
static bool fl_pte_map_lock_speculative(struct fl_vm_fault *vmf)
{
	unsigned long irqflags;
	bool locked = false;

	local_irq_save(irqflags);
	if (fl_vma_has_changed(vmf)) {
		vmf->fail = FL_SPF_FAIL_CHANGED_LATE;
		goto out;
	}
	if (READ_ONCE(*vmf->pmd) != vmf->orig_pmd) {
		vmf->fail = FL_SPF_FAIL_WALK;
		goto out;
	}
	fl_spf_hook(vmf, FL_SPF_HOOK_LOCKING);
	if (!spin_trylock(&vmf->table->ptl)) {
		vmf->fail = FL_SPF_FAIL_PTL_BUSY;
		goto out;
	}
	if (fl_vma_has_changed(vmf)) {
		spin_unlock(&vmf->table->ptl);
		vmf->fail = FL_SPF_FAIL_CHANGED_LATE;
		goto out;
	}
	vmf->ptl = &vmf->table->ptl;
	locked = true;
out:
	local_irq_restore(irqflags);
	return locked;
}

/* pte_map_lock() / pte_spinlock(): false only for a speculative fault. */
static bool fl_pte_map_lock(struct fl_vm_fault *vmf)
{
	if (vmf->flags & FL_FAULT_FLAG_SPECULATIVE)
		return fl_pte_map_lock_speculative(vmf);
	vmf->ptl = &vmf->table->ptl;
	spin_lock(vmf->ptl);
	return true;
}

static void fl_pte_unlock(struct fl_vm_fault *vmf)
{
	spin_unlock(vmf->ptl);
}

/* anon_vma_prepare() (4.9 mm/rmap.c), reduced to allocating the anon_vma. */
static int fl_anon_vma_prepare(struct fl_spf_mm *mm, struct fl_vma *vma)
{
	struct fl_anon_vma *av;

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

/* do_anonymous_page() (4.9 mm/memory.c, with the SPF series' pte_map_lock()). */
static int fl_do_anonymous_page(struct fl_vm_fault *vmf)
{
	unsigned long page = 0, entry;

	if (!(vmf->flags & FL_FAULT_FLAG_SPECULATIVE)) {
		if (fl_anon_vma_prepare(vmf->mm, vmf->vma))
			return FL_VM_FAULT_OOM;
		/*
		 * handle_userfault() would drop mmap_sem and wait for the
		 * monitor; modelled as a monitor that resolves with a zero page.
		 */
		if (vmf->vma_flags & FL_VM_UFFD_MISSING)
			vmf->st->userfaults++;
	}
	if (!(vmf->flags & FL_FAULT_FLAG_WRITE)) {
		entry = vmf->mm->zero_page | FL_PTE_PRESENT | FL_PTE_USER;
	} else {
		page = get_zeroed_page(GFP_KERNEL);
		if (!page)
			return FL_VM_FAULT_OOM;
		entry = page | FL_PTE_PRESENT | FL_PTE_USER | FL_PTE_RW |
			FL_PTE_ACCESSED | FL_PTE_DIRTY;
	}
	if (!fl_pte_map_lock(vmf)) {
		if (page)
			free_page(page);
		return FL_VM_FAULT_RETRY;
	}
	if (READ_ONCE(*vmf->pte)) {
		fl_pte_unlock(vmf);
		if (page)
			free_page(page);
		vmf->st->pte_raced++;
		return 0;
	}
	fl_set_pte(vmf->pte, entry);
	fl_pte_unlock(vmf);
	return 0;
}

/*
 * do_wp_page() for private anonymous memory, PTE lock held: the zero page is
 * copied (wp_page_copy()), a page of our own made writable (wp_page_reuse()).
 */
static int fl_do_wp_page(struct fl_vm_fault *vmf)
{
	unsigned long page;

	if (!fl_pte_is_zero_page(vmf->mm, vmf->orig_pte)) {
		fl_set_pte(vmf->pte, vmf->orig_pte | FL_PTE_RW | FL_PTE_ACCESSED |
			   FL_PTE_DIRTY);
		fl_pte_unlock(vmf);
		return 0;
	}
	fl_pte_unlock(vmf);
	page = get_zeroed_page(GFP_KERNEL);	/* a copy of the zero page */
	if (!page)
		return FL_VM_FAULT_OOM;
	if (!fl_pte_map_lock(vmf)) {
		free_page(page);
		return FL_VM_FAULT_RETRY;
	}
	if (READ_ONCE(*vmf->pte) != vmf->orig_pte) {
		fl_pte_unlock(vmf);
		free_page(page);
		vmf->st->pte_raced++;
		return 0;
	}
	fl_set_pte(vmf->pte, page | FL_PTE_PRESENT | FL_PTE_USER | FL_PTE_RW |
		   FL_PTE_ACCESSED | FL_PTE_DIRTY);
	fl_pte_unlock(vmf);
	return 0;
}

/* handle_pte_fault() (4.9 mm/memory.c); vmf->pte and orig_pte are set. */
static int fl_handle_pte_fault(struct fl_vm_fault *vmf)
{
	bool write = vmf->flags & FL_FAULT_FLAG_WRITE;
	unsigned long entry = vmf->orig_pte;

	if (!entry)
		return fl_do_anonymous_page(vmf);
	if (!fl_pte_map_lock(vmf))
		return FL_VM_FAULT_RETRY;
	if (READ_ONCE(*vmf->pte) != entry) {
		fl_pte_unlock(vmf);
		vmf->st->pte_raced++;
		return 0;
	}
	if (write && !(entry & FL_PTE_RW))
		return fl_do_wp_page(vmf);
	/* Spurious: another thread got here first; as the MMU would, mark it. */
	entry |= FL_PTE_ACCESSED | (write ? FL_PTE_DIRTY : 0);
	if (entry != vmf->orig_pte)
		fl_set_pte(vmf->pte, entry);
	fl_pte_unlock(vmf);
	vmf->st->pte_raced++;
	return 0;
}

/* __handle_mm_fault() (4.9 mm/memory.c): allocate the walk, then handle the PTE. */
static int fl_handle_mm_fault(struct fl_vm_fault *vmf)
{
	struct fl_spf_mm *mm = vmf->mm;
	unsigned long addr = vmf->address;
	unsigned long *pud, *pmd;

	pud = fl_table_alloc(mm, &mm->pgd[fl_pgd_idx(addr)]);
	if (!pud)
		return FL_VM_FAULT_OOM;
	pmd = fl_table_alloc(mm, &pud[fl_pud_idx(addr)]);
	if (!pmd)
		return FL_VM_FAULT_OOM;
	vmf->pmd = &pmd[fl_pmd_idx(addr)];
	vmf->table = fl_pte_alloc(mm, vmf->pmd);
	if (!vmf->table)
		return FL_VM_FAULT_OOM;
	vmf->pte = &vmf->table->pte[fl_pte_idx(addr)];
	vmf->orig_pte = smp_load_acquire(vmf->pte);
	return fl_handle_pte_fault(vmf);
}

/* The classic fault: the body of 4.9's __do_page_fault() under mmap_sem. */
static int fl_do_classic_fault(struct fl_spf_task *t, unsigned long addr,
			       unsigned int flags)
{
	struct fl_spf_mm *mm = t->mm;
	struct fl_vm_fault vmf = {
		.mm = mm, .st = &t->st, .address = addr, .flags = flags,
	};
	struct fl_vma *vma;
	int ret;

	down_read(&mm->mmap_sem);
	vma = fl_find_vma(mm, addr);
	if (!vma || vma->vm_start > addr || fl_access_error(vma->vm_flags, flags)) {
		ret = FL_VM_FAULT_SIGSEGV;
		goto out;
	}
	vmf.vma = vma;
	vmf.vma_flags = vma->vm_flags;
	ret = fl_handle_mm_fault(&vmf);
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
static int fl_spf_walk_and_handle(struct fl_vm_fault *vmf)
{
	unsigned long irqflags;
	unsigned long *pmd;

	local_irq_save(irqflags);
	pmd = fl_pmd_lookup(vmf->mm, vmf->address);
	vmf->orig_pmd = pmd ? smp_load_acquire(pmd) : 0;
	local_irq_restore(irqflags);
	if (!vmf->orig_pmd) {
		vmf->fail = FL_SPF_FAIL_WALK;
		return FL_VM_FAULT_RETRY;
	}
	vmf->pmd = pmd;
	vmf->table = (struct fl_pte_table *)vmf->orig_pmd;
	fl_spf_hook(vmf, FL_SPF_HOOK_WALKED);
	/* Re-validate after the bounds were checked and the walk made. */
	if (fl_vma_has_changed(vmf)) {
		vmf->fail = FL_SPF_FAIL_CHANGED;
		return FL_VM_FAULT_RETRY;
	}
	vmf->pte = &vmf->table->pte[fl_pte_idx(vmf->address)];
	vmf->orig_pte = smp_load_acquire(vmf->pte);
	return fl_handle_pte_fault(vmf);
}

/* The seed's checks on the VMA: RETRY with vmf->fail set, SIGSEGV, or 0. */
static int fl_spf_check_vma(struct fl_vm_fault *vmf)
{
	struct fl_vma *vma = vmf->vma;
	unsigned long start, end;

	if (!READ_ONCE(vma->anon_vma)) {
		vmf->fail = FL_SPF_FAIL_NO_ANON_VMA;
		return FL_VM_FAULT_RETRY;
	}
	vmf->vma_flags = READ_ONCE(vma->vm_flags);
	if (vmf->vma_flags & (FL_VM_UFFD_MISSING | FL_VM_GROWSDOWN | FL_VM_GROWSUP)) {
		vmf->fail = FL_SPF_FAIL_NOT_SUPPORTED;
		return FL_VM_FAULT_RETRY;
	}
	start = READ_ONCE(vma->vm_start);
	end = READ_ONCE(vma->vm_end);
	if (vmf->address < start || end <= vmf->address) {
		vmf->fail = vmf->address < start ? FL_SPF_FAIL_NO_VMA : FL_SPF_FAIL_CHANGED;
		return FL_VM_FAULT_RETRY;
	}
	if (fl_access_error(vmf->vma_flags, vmf->flags)) {
		/* Only final if what was read is still the VMA. */
		if (!fl_vma_has_changed(vmf))
			return FL_VM_FAULT_SIGSEGV;
		vmf->fail = FL_SPF_FAIL_CHANGED;
		return FL_VM_FAULT_RETRY;
	}
	return 0;
}

/* __handle_speculative_fault() (the SPF series, mm/memory.c). */
static int fl_handle_speculative_fault(struct fl_spf_task *t, unsigned long addr,
				       unsigned int flags)
{
	struct fl_spf_mm *mm = t->mm;
	struct fl_vm_fault vmf = {
		.mm = mm, .st = &t->st, .address = addr,
		.flags = flags | FL_FAULT_FLAG_SPECULATIVE,
	};
	int idx, ret;

	/* Only a multithreaded user task gains anything (handle_speculative_fault()). */
	if (!(flags & FL_FAULT_FLAG_USER) || atomic_read(&mm->mm_users) == 1) {
		t->st.spf_skipped++;
		return FL_VM_FAULT_RETRY;
	}
	t->st.spf_tried++;
	idx = srcu_read_lock(&mm->vma_srcu);
	vmf.vma = fl_find_vma_srcu(mm, addr);
	if (!vmf.vma) {
		vmf.fail = FL_SPF_FAIL_NO_VMA;
		ret = FL_VM_FAULT_RETRY;
		goto out;
	}
	vmf.sequence = raw_read_seqcount(&vmf.vma->vm_sequence);
	if (vmf.sequence & 1) {
		vmf.fail = FL_SPF_FAIL_CHANGED;
		ret = FL_VM_FAULT_RETRY;
		goto out;
	}
	ret = fl_spf_check_vma(&vmf);
	if (!ret)
		ret = fl_spf_walk_and_handle(&vmf);
out:
	srcu_read_unlock(&mm->vma_srcu, idx);
	if (ret & FL_VM_FAULT_RETRY)
		t->st.spf_fail[vmf.fail]++;
	else if (!ret)
		t->st.spf_done++;
	return ret;
}

int fl_do_user_addr_fault(struct fl_spf_task *t, unsigned long addr,
			  unsigned int flags)
{
	struct fl_spf_mm *mm = t->mm;
	int ret;

	t->st.faults++;
	flags |= FL_FAULT_FLAG_USER;
	if (addr >= FL_SPF_TASK_SIZE) {
		t->st.sigsegv++;
		return FL_VM_FAULT_SIGSEGV;
	}
	ret = FL_VM_FAULT_RETRY;
	if (mm->spf) {
		ret = fl_handle_speculative_fault(t, addr, flags);
		if ((ret & FL_VM_FAULT_RETRY) && unlikely(mm->hook))
			mm->hook(mm, FL_SPF_HOOK_FALLBACK, addr, mm->hook_arg);
	}
	if (ret & FL_VM_FAULT_RETRY)
		ret = fl_do_classic_fault(t, addr, flags);
	if (ret & FL_VM_FAULT_SIGSEGV)
		t->st.sigsegv++;
	if (ret & FL_VM_FAULT_OOM)
		t->st.oom++;
	return ret;
}

/* The MMU's walk: the PTE of addr, or 0.  No lock: see fl_spf_access(). */
static unsigned long fl_hw_walk(struct fl_spf_mm *mm, unsigned long addr)
{
	unsigned long *pmd = fl_pmd_lookup(mm, addr);
	struct fl_pte_table *t;

	if (!pmd)
		return 0;
	t = (struct fl_pte_table *)smp_load_acquire(pmd);
	if (!t)
		return 0;
	return smp_load_acquire(&t->pte[fl_pte_idx(addr)]);
}

void *fl_spf_access(struct fl_spf_task *t, unsigned long addr, bool write)
{
	unsigned long need = FL_PTE_PRESENT | (write ? FL_PTE_RW : 0);

	/* A fault that raced a writer may leave nothing behind: try again. */
	for (int tries = 0; tries < 8; tries++) {
		unsigned long pte = addr < FL_SPF_TASK_SIZE ? fl_hw_walk(t->mm, addr) : 0;

		if ((pte & need) == need)
			return (void *)((pte & FL_PTE_PAGE_MASK) | (addr & ~FL_PTE_PAGE_MASK));
		if (fl_do_user_addr_fault(t, addr, write ? FL_FAULT_FLAG_WRITE : 0))
			return NULL;
	}
	return NULL;
}

/* ---- mmap, munmap, mprotect, madvise ------------------------------------------ */

static struct fl_vma *fl_vma_alloc(unsigned long start, unsigned long end,
				   unsigned long vm_flags)
{
	struct fl_vma *vma = kzalloc(sizeof(*vma), GFP_KERNEL);

	if (!vma)
		return NULL;
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_flags = vm_flags;
	seqcount_init(&vma->vm_sequence);
	return vma;
}

/* is_mergeable_vma() + is_mergeable_anon_vma(), for anonymous memory. */
static bool fl_can_merge(struct fl_vma *vma, unsigned long vm_flags)
{
	return vma->vm_flags == vm_flags &&
	       !(vm_flags & (FL_VM_GROWSDOWN | FL_VM_GROWSUP | FL_VM_UFFD_MISSING));
}

/*
 * vma_merge() for a new anonymous range [addr, end) between prev and next:
 * extend a neighbour instead of adding a VMA.  True if merged.
 */
static bool fl_vma_merge(struct fl_spf_mm *mm, struct fl_vma *prev,
			 struct fl_vma *next, unsigned long addr,
			 unsigned long end, unsigned long vm_flags)
{
	bool with_prev = prev && prev->vm_end == addr && fl_can_merge(prev, vm_flags);
	bool with_next = next && next->vm_start == end && fl_can_merge(next, vm_flags);

	if (with_prev && with_next && prev->anon_vma && next->anon_vma &&
	    prev->anon_vma != next->anon_vma)
		with_next = false;
	if (with_prev) {
		fl_vm_write_begin(mm, prev);
		if (with_next) {
			fl_vm_write_begin(mm, next);	/* and never ended: next dies */
			if (!prev->anon_vma)
				smp_store_release(&prev->anon_vma,
						  fl_anon_vma_get(next->anon_vma));
			WRITE_ONCE(prev->vm_end, next->vm_end);
			fl_vma_unlink(mm, next);
			fl_remove_vma(mm, next);
		} else {
			WRITE_ONCE(prev->vm_end, end);
		}
		fl_vm_write_end(mm, prev);
		return true;
	}
	if (with_next) {
		/* The tree's order holds: nothing lies between prev and next. */
		fl_vm_write_begin(mm, next);
		WRITE_ONCE(next->vm_start, addr);
		fl_vm_write_end(mm, next);
		return true;
	}
	return false;
}

/* get_unmapped_area(), bottom-up first fit (the legacy layout). */
static unsigned long fl_get_unmapped_area(struct fl_spf_mm *mm, unsigned long len)
{
	unsigned long addr = FL_SPF_MMAP_MIN;
	struct fl_vma *vma;

	list_for_each_entry(vma, &mm->mmap, vm_list) {
		if (vma->vm_end <= addr)
			continue;
		if (addr + len <= vma->vm_start)
			break;
		addr = vma->vm_end;
	}
	return addr + len <= FL_SPF_TASK_SIZE ? addr : 0;
}

/* mmap_region() (4.9 mm/mmap.c) for a free range; mmap_sem held for write. */
static int fl_mmap_region(struct fl_spf_mm *mm, unsigned long addr,
			  unsigned long end, unsigned long vm_flags)
{
	struct fl_vma *next = fl_find_vma(mm, addr);
	struct fl_vma *prev = next ? fl_vma_prev(mm, next) : fl_vma_last(mm);
	struct fl_vma *vma;

	if (mm->debug) {
		long n = fl_count_ptes(mm, addr, end);

		if (n)
			atomic_long_add(n, &mm->stale_ptes);
	}
	if (fl_vma_merge(mm, prev, next, addr, end, vm_flags))
		return 0;
	vma = fl_vma_alloc(addr, end, vm_flags);
	if (!vma)
		return -ENOMEM;
	fl_vma_link(mm, vma, prev);
	return 0;
}

static bool fl_range_ok(unsigned long addr, unsigned long len)
{
	return len && !(addr & ~PAGE_MASK) && len <= FL_SPF_TASK_SIZE &&
	       addr <= FL_SPF_TASK_SIZE - len;
}

long fl_spf_mmap(struct fl_spf_mm *mm, unsigned long addr, unsigned long len,
		 unsigned int prot, unsigned int flags)
{
	unsigned long vm_flags = FL_VM_READ;
	struct fl_vma *vma;
	int err;

	len = PAGE_ALIGN(len);
	if (!(prot & FL_PROT_READ) || (addr && !fl_range_ok(addr, len)) || !len)
		return -EINVAL;
	if (prot & FL_PROT_WRITE)
		vm_flags |= FL_VM_WRITE;
	if (flags & FL_MAP_GROWSDOWN)
		vm_flags |= FL_VM_GROWSDOWN;
	if (flags & FL_MAP_UFFD_MISSING)
		vm_flags |= FL_VM_UFFD_MISSING;

	down_write(&mm->mmap_sem);
	if (addr) {
		vma = fl_find_vma(mm, addr);
		err = vma && vma->vm_start < addr + len ? -EEXIST : 0;
	} else {
		addr = fl_get_unmapped_area(mm, len);
		err = addr ? 0 : -ENOMEM;
	}
	if (!err)
		err = fl_mmap_region(mm, addr, addr + len, vm_flags);
	up_write(&mm->mmap_sem);
	fl_spf_reclaim(mm, false);
	return err ? err : (long)addr;
}

/*
 * __split_vma() (4.9 mm/mmap.c): vma keeps [vm_start, addr), a new VMA takes
 * [addr, vm_end) and is returned (NULL: ENOMEM).
 */
static struct fl_vma *fl_split_vma(struct fl_spf_mm *mm, struct fl_vma *vma,
				   unsigned long addr)
{
	struct fl_vma *new = fl_vma_alloc(addr, vma->vm_end, vma->vm_flags);

	if (!new)
		return NULL;
	new->anon_vma = fl_anon_vma_get(vma->anon_vma);
	fl_vm_write_begin(mm, vma);
	WRITE_ONCE(vma->vm_end, addr);
	fl_vma_link(mm, new, vma);
	fl_vm_write_end(mm, vma);
	return new;
}

/*
 * The VMAs covering [start, end), split so that they fit exactly; *first is
 * the first of them, NULL if none.  mmap_sem held for write.
 */
static int fl_split_range(struct fl_spf_mm *mm, unsigned long start,
			  unsigned long end, struct fl_vma **first)
{
	struct fl_vma *vma = fl_find_vma(mm, start), *last;

	*first = NULL;
	if (!vma || vma->vm_start >= end)
		return 0;
	if (vma->vm_start < start) {
		vma = fl_split_vma(mm, vma, start);
		if (!vma)
			return -ENOMEM;
	}
	last = fl_find_vma(mm, end - 1);
	if (last && last->vm_start < end && last->vm_end > end &&
	    !fl_split_vma(mm, last, end))
		return -ENOMEM;
	*first = vma;
	return 0;
}

/* do_munmap() (4.9 mm/mmap.c); mmap_sem held for write. */
static int fl_do_munmap(struct fl_spf_mm *mm, unsigned long start,
			unsigned long end)
{
	struct fl_vma *vma, *prev, *next, *n;
	unsigned long floor, ceiling;
	LIST_HEAD(detached);
	int err;

	err = fl_split_range(mm, start, end, &vma);
	if (err || !vma)
		return err;
	prev = fl_vma_prev(mm, vma);
	/* detach_vmas_to_be_unmapped(): each VMA dies inside a write section. */
	while (vma && vma->vm_start < end) {
		next = fl_vma_next(mm, vma);
		fl_vm_write_begin(mm, vma);
		fl_vma_unlink(mm, vma);
		list_add_tail(&vma->vm_list, &detached);
		vma = next;
	}
	next = vma;
	floor = prev ? prev->vm_end : 0;
	ceiling = next ? next->vm_start : FL_SPF_ADDR_END;
	/* unmap_region() */
	fl_zap_range(mm, start, end);
	fl_free_pgtables(mm, start, end, floor, ceiling);
	list_for_each_entry_safe(vma, n, &detached, vm_list) {
		list_del(&vma->vm_list);
		fl_remove_vma(mm, vma);
	}
	return 0;
}

int fl_spf_munmap(struct fl_spf_mm *mm, unsigned long addr, unsigned long len)
{
	int err;

	len = PAGE_ALIGN(len);
	if (!fl_range_ok(addr, len))
		return -EINVAL;
	down_write(&mm->mmap_sem);
	err = fl_do_munmap(mm, addr, addr + len);
	up_write(&mm->mmap_sem);
	fl_spf_reclaim(mm, false);
	return err;
}

/* Is [start, end) covered by VMAs without a hole?  mmap_sem held. */
static bool fl_range_mapped(struct fl_spf_mm *mm, unsigned long start,
			    unsigned long end)
{
	struct fl_vma *vma = fl_find_vma(mm, start);
	unsigned long addr = start;

	while (vma && vma->vm_start <= addr && addr < end) {
		addr = vma->vm_end;
		vma = fl_vma_next(mm, vma);
	}
	return addr >= end;
}

/* mprotect_fixup() over a mapped range, without the re-merge (4.9 mm/mprotect.c). */
static int fl_do_mprotect(struct fl_spf_mm *mm, unsigned long start,
			  unsigned long end, unsigned long prot_flags)
{
	struct fl_vma *vma;
	int err;

	if (!fl_range_mapped(mm, start, end))
		return -ENOMEM;
	err = fl_split_range(mm, start, end, &vma);
	if (err)
		return err;
	for (; vma && vma->vm_start < end; vma = fl_vma_next(mm, vma)) {
		unsigned long newflags = (vma->vm_flags & ~(FL_VM_READ | FL_VM_WRITE)) |
					 prot_flags;

		if (newflags == vma->vm_flags)
			continue;
		fl_vm_write_begin(mm, vma);
		WRITE_ONCE(vma->vm_flags, newflags);
		if (!(newflags & FL_VM_WRITE))
			fl_wrprotect_range(mm, vma->vm_start, vma->vm_end);
		fl_vm_write_end(mm, vma);
	}
	return 0;
}

int fl_spf_mprotect(struct fl_spf_mm *mm, unsigned long addr, unsigned long len,
		    unsigned int prot)
{
	unsigned long prot_flags = FL_VM_READ;
	int err;

	len = PAGE_ALIGN(len);
	if (!fl_range_ok(addr, len) || !(prot & FL_PROT_READ))
		return -EINVAL;
	if (prot & FL_PROT_WRITE)
		prot_flags |= FL_VM_WRITE;
	down_write(&mm->mmap_sem);
	err = fl_do_mprotect(mm, addr, addr + len, prot_flags);
	up_write(&mm->mmap_sem);
	return err;
}

/* madvise_dontneed() (4.9 mm/madvise.c): zap under mmap_sem for read. */
int fl_spf_madvise_dontneed(struct fl_spf_mm *mm, unsigned long addr,
			    unsigned long len)
{
	unsigned long end;
	struct fl_vma *vma;

	len = PAGE_ALIGN(len);
	if (!fl_range_ok(addr, len))
		return -EINVAL;
	end = addr + len;
	down_read(&mm->mmap_sem);
	for (vma = fl_find_vma(mm, addr); vma && vma->vm_start < end;
	     vma = fl_vma_next(mm, vma))
		fl_zap_range(mm, max(addr, vma->vm_start), min(end, vma->vm_end));
	up_read(&mm->mmap_sem);
	return 0;
}

/* ---- the mm ---------------------------------------------------------------------- */

struct fl_spf_mm *fl_spf_mm_create(const struct fl_spf_config *cfg)
{
	struct fl_spf_mm *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (!mm)
		return NULL;
	mm->spf = cfg->variant == FL_SPF_SPECULATIVE;
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
static void fl_free_pte_table(struct fl_spf_mm *mm, struct fl_pte_table *t)
{
	for (int i = 0; i < FL_PTRS_PER_PTE; i++)
		if (t->pte[i] && !fl_pte_is_zero_page(mm, t->pte[i]))
			free_page(t->pte[i] & FL_PTE_PAGE_MASK);
	kfree(t);
}

/* free_pgd_range() of the whole address space, data pages included. */
static void fl_free_page_table(struct fl_spf_mm *mm)
{
	for (int i = 0; i < FL_PTRS_PER_PGD; i++) {
		unsigned long *pud = (unsigned long *)mm->pgd[i];

		for (int j = 0; pud && j < FL_PTRS_PER_PUD; j++) {
			unsigned long *pmd = (unsigned long *)pud[j];

			for (int k = 0; pmd && k < FL_PTRS_PER_PMD; k++)
				if (pmd[k])
					fl_free_pte_table(mm, (struct fl_pte_table *)pmd[k]);
			free_page((unsigned long)pmd);
		}
		free_page((unsigned long)pud);
	}
	free_page((unsigned long)mm->pgd);
}

void fl_spf_mm_destroy(struct fl_spf_mm *mm)
{
	struct fl_vma *vma, *n;

	if (!mm)
		return;
	fl_spf_reclaim(mm, true);
	list_for_each_entry_safe(vma, n, &mm->mmap, vm_list)
		fl_vma_free(mm, vma);
	fl_free_page_table(mm);
	free_page(mm->zero_page);
	cleanup_srcu_struct(&mm->vma_srcu);
	kfree(mm);
}

enum fl_spf_variant fl_spf_variant(const struct fl_spf_mm *mm)
{
	return mm->spf ? FL_SPF_SPECULATIVE : FL_SPF_CLASSIC;
}

void fl_spf_task_init(struct fl_spf_task *t, struct fl_spf_mm *mm)
{
	*t = (struct fl_spf_task){ .mm = mm };
	atomic_inc(&mm->mm_users);
}

void fl_spf_task_exit(struct fl_spf_task *t)
{
	atomic_dec(&t->mm->mm_users);
	t->mm = NULL;
}

unsigned long fl_spf_follow_pte(struct fl_spf_mm *mm, unsigned long addr)
{
	unsigned long pte;

	if (addr >= FL_SPF_TASK_SIZE)
		return 0;
	down_read(&mm->mmap_sem);
	pte = fl_hw_walk(mm, addr);
	up_read(&mm->mmap_sem);
	return pte;
}

/* ---- checks and counters ------------------------------------------------------- */

/* The VMA tree's order: a ends where b starts, or before. */
static bool vma_before(const struct fl_rb_node *a, const struct fl_rb_node *b)
{
	const struct fl_vma *va = container_of(a, struct fl_vma, vm_rb);
	const struct fl_vma *vb = container_of(b, struct fl_vma, vm_rb);

	return va->vm_end <= vb->vm_start;
}

static void fl_check_tree(struct fl_spf_mm *mm, struct fl_spf_check *c)
{
	struct fl_vma *vma, *prev = NULL;
	long nodes = 0;

	fl_rb_check(mm->mm_rb, vma_before, &c->tree_errors, &nodes);
	list_for_each_entry(vma, &mm->mmap, vm_list) {
		if (vma->vm_start >= vma->vm_end || vma->vm_dead ||
		    (prev && prev->vm_end > vma->vm_start) ||
		    fl_find_vma(mm, vma->vm_start) != vma)
			c->tree_errors++;
		c->vmas++;
		prev = vma;
	}
	if (nodes != c->vmas || c->vmas != mm->map_count)
		c->tree_errors++;
}

/* Every present PTE of table t, which maps from base, against the VMAs. */
static void fl_check_pte_table(struct fl_spf_mm *mm, struct fl_pte_table *t,
			       unsigned long base, struct fl_spf_check *c)
{
	for (unsigned long i = 0; i < FL_PTRS_PER_PTE; i++) {
		unsigned long addr = base + (i << FL_PAGE_SHIFT);
		/* speculative faults may be installing */
		unsigned long pte = READ_ONCE(t->pte[i]);
		struct fl_vma *vma;

		if (!pte)
			continue;
		c->ptes++;
		vma = fl_find_vma(mm, addr);
		if (!vma || vma->vm_start > addr)
			c->ptes_outside++;
		else if ((pte & FL_PTE_RW) && !(vma->vm_flags & FL_VM_WRITE))
			c->ptes_bad_prot++;
	}
}

static void fl_check_ptes(struct fl_spf_mm *mm, struct fl_spf_check *c)
{
	for (unsigned long i = 0; i < FL_PTRS_PER_PGD; i++) {
		unsigned long *pud = (unsigned long *)mm->pgd[i];

		for (unsigned long j = 0; pud && j < FL_PTRS_PER_PUD; j++) {
			unsigned long *pmd = (unsigned long *)pud[j];

			for (unsigned long k = 0; pmd && k < FL_PTRS_PER_PMD; k++) {
				unsigned long base = (i << FL_PGDIR_SHIFT_4L) |
						     (j << FL_PUD_SHIFT) | (k << FL_PMD_SHIFT);

				if (pmd[k])
					fl_check_pte_table(mm, (struct fl_pte_table *)pmd[k],
							   base, c);
			}
		}
	}
}

void fl_spf_check(struct fl_spf_mm *mm, struct fl_spf_check *out)
{
	*out = (struct fl_spf_check){ 0 };
	down_write(&mm->mmap_sem);
	fl_check_tree(mm, out);
	fl_check_ptes(mm, out);
	up_write(&mm->mmap_sem);
	out->stale_ptes = atomic_long_read(&mm->stale_ptes);
}

void fl_spf_get_mm_stats(struct fl_spf_mm *mm, struct fl_spf_mm_stats *out)
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

void fl_spf_stats_add(struct fl_spf_stats *to, const struct fl_spf_stats *from)
{
	to->faults += from->faults;
	to->spf_skipped += from->spf_skipped;
	to->spf_tried += from->spf_tried;
	to->spf_done += from->spf_done;
	for (int i = 0; i < FL_SPF_NR_FAIL; i++)
		to->spf_fail[i] += from->spf_fail[i];
	to->classic += from->classic;
	to->sigsegv += from->sigsegv;
	to->oom += from->oom;
	to->userfaults += from->userfaults;
	to->pte_raced += from->pte_raced;
}

const char *fl_spf_fail_name(enum fl_spf_fail why)
{
	static const char *const names[FL_SPF_NR_FAIL] = {
		[FL_SPF_FAIL_NO_VMA] = "no_vma",
		[FL_SPF_FAIL_CHANGED] = "vma_changed",
		[FL_SPF_FAIL_CHANGED_LATE] = "vma_changed_late",
		[FL_SPF_FAIL_NO_ANON_VMA] = "no_anon_vma",
		[FL_SPF_FAIL_NOT_SUPPORTED] = "not_supported",
		[FL_SPF_FAIL_WALK] = "walk",
		[FL_SPF_FAIL_PTL_BUSY] = "ptl_busy",
	};

	return (unsigned int)why < FL_SPF_NR_FAIL ? names[why] : "?";
}

void fl_spf_set_hook(struct fl_spf_mm *mm, fl_spf_hook_fn fn, void *arg)
{
	mm->hook_arg = arg;
	mm->hook = fn;
}

spinlock_t *fl_spf_pte_lockptr(struct fl_spf_mm *mm, unsigned long addr)
{
	unsigned long *pmd;
	struct fl_pte_table *t;

	if (addr >= FL_SPF_TASK_SIZE)
		return NULL;
	pmd = fl_pmd_lookup(mm, addr);
	t = pmd ? (struct fl_pte_table *)smp_load_acquire(pmd) : NULL;
	return t ? &t->ptl : NULL;
}
