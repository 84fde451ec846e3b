/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impl/spf.h - a model of an mm (VMAs, mmap_sem, a 4-level page table with
 * split PTE locks, anonymous pages) and of its page fault, before and after
 * "mm: provide speculative fault infrastructure" (seed 001, the SPF series
 * as ported to Android 4.9).
 *
 * Variant classic is the fault of Linux 4.9: down_read(mmap_sem), find_vma(),
 * walk or allocate the page table, install the PTE under its lock, up_read().
 *
 * Variant speculative first tries the fault without mmap_sem: VMAs are freed
 * only after an SRCU grace period, looked up locklessly in the VMA tree, and
 * carry a sequence count that every writer (mmap, munmap, mprotect, splits
 * and merges) bumps; the page table is walked as gup_fast() does; the PTE
 * lock is only try-locked and the sequence validated under it before the PTE
 * is installed.  Any change, and the cases the seed excludes (no anon_vma
 * yet, growing stacks, userfaultfd), end in VM_FAULT_RETRY and the classic
 * path.
 *
 * Memory is anonymous and private, or a file's (impl/filemap.h), private or
 * shared: the cost side of the series.  Its speculative path gives up on a
 * file-backed VMA, as the seed does rather than call vm_ops->fault(), which
 * may drop mmap_sem: before its walk where the VMA has no anon_vma yet (a
 * shared mapping never has one), or at do_fault() after it.  Addresses are
 * those of a 47-bit x86-64 user address space.
 */
#ifndef KM_IMPL_SPF_H
#define KM_IMPL_SPF_H

#include "filemap.h"
#include "platform.h"

enum km_spf_variant {
	KM_SPF_CLASSIC,		/* no speculation: Linux 4.9 */
	KM_SPF_SPECULATIVE,	/* CONFIG_SPECULATIVE_PAGE_FAULT */
};

struct km_spf_config {
	enum km_spf_variant variant;
	/*
	 * Debug checks on the writer side (as CONFIG_DEBUG_VM): mmap verifies
	 * that a new range has no PTE left in it.  Off for benchmarks.
	 */
	bool debug;
};

/* mmap/mprotect protection and mmap flags. */
#define KM_PROT_READ		0x1
#define KM_PROT_WRITE		0x2
#define KM_MAP_GROWSDOWN	0x100	/* a stack that grows down */
#define KM_MAP_UFFD_MISSING	0x200	/* registered with userfaultfd, missing mode */
#define KM_MAP_SHARED		0x400	/* a file mapping's writes go to the file */

/* vm_flags, with the kernel's meanings. */
#define KM_VM_READ		0x1UL
#define KM_VM_WRITE		0x2UL
#define KM_VM_SHARED		0x8UL
#define KM_VM_GROWSDOWN		0x100UL
#define KM_VM_GROWSUP		0x200UL
#define KM_VM_UFFD_MISSING	0x1000UL

/* fault flags */
#define KM_FAULT_FLAG_WRITE		0x01
#define KM_FAULT_FLAG_USER		0x40
#define KM_FAULT_FLAG_SPECULATIVE	0x200

/* vm_fault_t bits */
#define KM_VM_FAULT_OOM		0x0001
#define KM_VM_FAULT_SIGBUS	0x0002
#define KM_VM_FAULT_SIGSEGV	0x0040
#define KM_VM_FAULT_RETRY	0x0400

/* A PTE: the page's address and x86 bits. */
#define KM_PTE_PRESENT		0x001UL
#define KM_PTE_RW		0x002UL
#define KM_PTE_USER		0x004UL
#define KM_PTE_ACCESSED		0x020UL
#define KM_PTE_DIRTY		0x040UL
/*
 * A software bit (_PAGE_SOFTW1) standing for !PageAnon(page), which the model
 * has no struct page to ask: the page is the file's, in its page cache, and
 * unmapping it does not free it.
 */
#define KM_PTE_PAGECACHE	0x200UL
#define KM_PTE_PAGE_MASK	(~(PAGE_SIZE - 1))

#define KM_SPF_TASK_SIZE	((1UL << 47) - PAGE_SIZE)
#define KM_SPF_MMAP_MIN		0x10000000UL

/* Why a speculative fault gave up and went to the classic path. */
enum km_spf_fail {
	KM_SPF_FAIL_NO_VMA,	/* lookup missed, or the address is in a hole */
	KM_SPF_FAIL_CHANGED,	/* the VMA changed before the PTE was read */
	KM_SPF_FAIL_CHANGED_LATE, /* ... found when about to install the PTE */
	KM_SPF_FAIL_NO_ANON_VMA, /* first fault in the VMA: anon_vma_prepare() */
	KM_SPF_FAIL_NOT_SUPPORTED, /* growing stack, userfaultfd */
	KM_SPF_FAIL_WALK,	/* no PTE table yet, or the PMD changed */
	KM_SPF_FAIL_PTL_BUSY,	/* spin_trylock() of the PTE lock failed */
	KM_SPF_FAIL_FILE,	/* do_fault(): vm_ops->fault() may drop mmap_sem */
	KM_SPF_NR_FAIL,
};

/* What one task's faults did; owned by the task, so never contended. */
struct km_spf_stats {
	long faults;		/* km_do_user_addr_fault() calls */
	long spf_skipped;	/* not tried: the mm has a single user */
	long spf_tried;
	long spf_done;		/* handled without mmap_sem */
	long spf_fail[KM_SPF_NR_FAIL];
	long classic;		/* handled under mmap_sem */
	long sigsegv;
	long sigbus;		/* a file mapping beyond the file's end */
	long oom;
	long userfaults;	/* handle_userfault() calls (classic path only) */
	long pte_raced;		/* someone else had set the PTE meanwhile */
};

/* Counters of the mm as a whole. */
struct km_spf_mm_stats {
	long map_count;		/* VMAs */
	long vmas_freed;
	long tables_freed;	/* PTE tables */
	long grace_periods;	/* synchronize_srcu() calls */
	long retired;		/* objects waiting for a grace period */
	long stale_ptes;	/* PTEs found where no VMA was: always a bug */
};

/* What km_spf_check() found; every field but the counts is 0 when correct. */
struct km_spf_check {
	long vmas;
	long ptes;		/* present PTEs */
	long tree_errors;	/* order, overlap, colour, black height, links */
	long ptes_outside;	/* present PTEs no VMA covers */
	long ptes_bad_prot;	/* writable PTEs in VMAs without VM_WRITE */
	long stale_ptes;	/* as km_spf_mm_stats */
};

struct km_spf_mm;

/* One thread using the mm: mm_users counts these. */
struct km_spf_task {
	struct km_spf_mm *mm;
	struct km_spf_stats st;
};

/* Test hooks: where a speculative fault stands when the hook runs. */
enum km_spf_hook_point {
	KM_SPF_HOOK_WALKED,	/* page table walked, before handle_pte_fault() */
	KM_SPF_HOOK_LOCKING,	/* about to spin_trylock() the PTE lock */
	KM_SPF_HOOK_FALLBACK,	/* gave up, about to take mmap_sem */
};

typedef void (*km_spf_hook_fn)(struct km_spf_mm *mm, enum km_spf_hook_point at,
			       unsigned long addr, void *arg);

struct km_spf_mm *km_spf_mm_create(const struct km_spf_config *cfg);
/* No task may use the mm any more. */
void km_spf_mm_destroy(struct km_spf_mm *mm);
enum km_spf_variant km_spf_variant(const struct km_spf_mm *mm);

void km_spf_task_init(struct km_spf_task *t, struct km_spf_mm *mm);
void km_spf_task_exit(struct km_spf_task *t);

/*
 * mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags): addr 0 lets the
 * mm choose (first fit from KM_SPF_MMAP_MIN), otherwise the range must be
 * free (MAP_FIXED_NOREPLACE).  prot must include KM_PROT_READ.  Returns the
 * address, or a negative errno.
 */
long km_spf_mmap(struct km_spf_mm *mm, unsigned long addr, unsigned long len,
		 unsigned int prot, unsigned int flags);
/*
 * mmap(addr, len, prot, MAP_PRIVATE or, with KM_MAP_SHARED, MAP_SHARED, file,
 * pgoff pages in), addr as km_spf_mmap()'s: the mapping takes a reference on
 * the file.  Returns the address, or a negative errno.
 */
long km_spf_mmap_file(struct km_spf_mm *mm, unsigned long addr, unsigned long len,
		      unsigned int prot, unsigned int flags, struct km_file *file,
		      unsigned long pgoff);
int km_spf_munmap(struct km_spf_mm *mm, unsigned long addr, unsigned long len);
/* prot is KM_PROT_READ, with or without KM_PROT_WRITE. */
int km_spf_mprotect(struct km_spf_mm *mm, unsigned long addr, unsigned long len,
		    unsigned int prot);
/* madvise(MADV_DONTNEED): the pages go, the VMAs and page tables stay. */
int km_spf_madvise_dontneed(struct km_spf_mm *mm, unsigned long addr,
			    unsigned long len);

/*
 * The fault, as arch/x86/mm/fault.c enters the mm: speculative first when
 * the variant has it, then classic.  flags: KM_FAULT_FLAG_WRITE or 0.
 * Returns 0 or KM_VM_FAULT_SIGSEGV / KM_VM_FAULT_SIGBUS / KM_VM_FAULT_OOM.
 */
int km_do_user_addr_fault(struct km_spf_task *t, unsigned long addr,
			  unsigned int flags);

/*
 * A user access, as the MMU makes it: walk the page table, fault if the PTE
 * does not allow the access, and return where the byte at addr lives (NULL:
 * SIGSEGV or OOM).  The pointer is good up to the end of the page, until the
 * page is unmapped: the caller must not race a munmap, mprotect or
 * MADV_DONTNEED of the same page (a real program would see garbage there, the
 * model would use freed memory).
 */
void *km_spf_access(struct km_spf_task *t, unsigned long addr, bool write);

/* The PTE that maps addr now (0: none); takes mmap_sem for read. */
unsigned long km_spf_follow_pte(struct km_spf_mm *mm, unsigned long addr);

/* Consistency of the tree, the list and the page table; takes mmap_sem for write. */
void km_spf_check(struct km_spf_mm *mm, struct km_spf_check *out);
void km_spf_get_mm_stats(struct km_spf_mm *mm, struct km_spf_mm_stats *out);
void km_spf_stats_add(struct km_spf_stats *to, const struct km_spf_stats *from);
const char *km_spf_fail_name(enum km_spf_fail why);

/* For tests only: called from the speculative path at each hook point. */
void km_spf_set_hook(struct km_spf_mm *mm, km_spf_hook_fn fn, void *arg);
/* For tests only: the PTE lock of addr's table, NULL without one. */
spinlock_t *km_spf_pte_lockptr(struct km_spf_mm *mm, unsigned long addr);

#endif /* KM_IMPL_SPF_H */
