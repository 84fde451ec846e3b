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
 * Everything is anonymous private memory; addresses are those of a 47-bit
 * x86-64 user address space.
 */
#ifndef FL_IMPL_SPF_H
#define FL_IMPL_SPF_H

#include "platform.h"

enum fl_spf_variant {
	FL_SPF_CLASSIC,		/* no speculation: Linux 4.9 */
	FL_SPF_SPECULATIVE,	/* CONFIG_SPECULATIVE_PAGE_FAULT */
};

struct fl_spf_config {
	enum fl_spf_variant variant;
	/*
	 * Debug checks on the writer side (as CONFIG_DEBUG_VM): mmap verifies
	 * that a new range has no PTE left in it.  Off for benchmarks.
	 */
	bool debug;
};

/* mmap/mprotect protection and mmap flags. */
#define FL_PROT_READ		0x1
#define FL_PROT_WRITE		0x2
#define FL_MAP_GROWSDOWN	0x100	/* a stack that grows down */
#define FL_MAP_UFFD_MISSING	0x200	/* registered with userfaultfd, missing mode */

/* vm_flags, with the kernel's meanings. */
#define FL_VM_READ		0x1UL
#define FL_VM_WRITE		0x2UL
#define FL_VM_GROWSDOWN		0x100UL
#define FL_VM_GROWSUP		0x200UL
#define FL_VM_UFFD_MISSING	0x1000UL

/* fault flags */
#define FL_FAULT_FLAG_WRITE		0x01
#define FL_FAULT_FLAG_USER		0x40
#define FL_FAULT_FLAG_SPECULATIVE	0x200

/* vm_fault_t bits */
#define FL_VM_FAULT_OOM		0x0001
#define FL_VM_FAULT_SIGSEGV	0x0040
#define FL_VM_FAULT_RETRY	0x0400

/* A PTE: the page's address and x86 bits. */
#define FL_PTE_PRESENT		0x001UL
#define FL_PTE_RW		0x002UL
#define FL_PTE_USER		0x004UL
#define FL_PTE_ACCESSED		0x020UL
#define FL_PTE_DIRTY		0x040UL
#define FL_PTE_PAGE_MASK	(~(PAGE_SIZE - 1))

#define FL_SPF_TASK_SIZE	((1UL << 47) - PAGE_SIZE)
#define FL_SPF_MMAP_MIN		0x10000000UL

/* Why a speculative fault gave up and went to the classic path. */
enum fl_spf_fail {
	FL_SPF_FAIL_NO_VMA,	/* lookup missed, or the address is in a hole */
	FL_SPF_FAIL_CHANGED,	/* the VMA changed before the PTE was read */
	FL_SPF_FAIL_CHANGED_LATE, /* ... found when about to install the PTE */
	FL_SPF_FAIL_NO_ANON_VMA, /* first fault in the VMA: anon_vma_prepare() */
	FL_SPF_FAIL_NOT_SUPPORTED, /* growing stack, userfaultfd */
	FL_SPF_FAIL_WALK,	/* no PTE table yet, or the PMD changed */
	FL_SPF_FAIL_PTL_BUSY,	/* spin_trylock() of the PTE lock failed */
	FL_SPF_NR_FAIL,
};

/* What one task's faults did; owned by the task, so never contended. */
struct fl_spf_stats {
	long faults;		/* fl_do_user_addr_fault() calls */
	long spf_skipped;	/* not tried: the mm has a single user */
	long spf_tried;
	long spf_done;		/* handled without mmap_sem */
	long spf_fail[FL_SPF_NR_FAIL];
	long classic;		/* handled under mmap_sem */
	long sigsegv;
	long oom;
	long userfaults;	/* handle_userfault() calls (classic path only) */
	long pte_raced;		/* someone else had set the PTE meanwhile */
};

/* Counters of the mm as a whole. */
struct fl_spf_mm_stats {
	long map_count;		/* VMAs */
	long vmas_freed;
	long tables_freed;	/* PTE tables */
	long grace_periods;	/* synchronize_srcu() calls */
	long retired;		/* objects waiting for a grace period */
	long stale_ptes;	/* PTEs found where no VMA was: always a bug */
};

/* What fl_spf_check() found; every field but the counts is 0 when correct. */
struct fl_spf_check {
	long vmas;
	long ptes;		/* present PTEs */
	long tree_errors;	/* order, overlap, colour, black height, links */
	long ptes_outside;	/* present PTEs no VMA covers */
	long ptes_bad_prot;	/* writable PTEs in VMAs without VM_WRITE */
	long stale_ptes;	/* as fl_spf_mm_stats */
};

struct fl_spf_mm;

/* One thread using the mm: mm_users counts these. */
struct fl_spf_task {
	struct fl_spf_mm *mm;
	struct fl_spf_stats st;
};

/* Test hooks: where a speculative fault stands when the hook runs. */
enum fl_spf_hook_point {
	FL_SPF_HOOK_WALKED,	/* page table walked, before handle_pte_fault() */
	FL_SPF_HOOK_LOCKING,	/* about to spin_trylock() the PTE lock */
	FL_SPF_HOOK_FALLBACK,	/* gave up, about to take mmap_sem */
};

typedef void (*fl_spf_hook_fn)(struct fl_spf_mm *mm, enum fl_spf_hook_point at,
			       unsigned long addr, void *arg);

struct fl_spf_mm *fl_spf_mm_create(const struct fl_spf_config *cfg);
/* No task may use the mm any more. */
void fl_spf_mm_destroy(struct fl_spf_mm *mm);
enum fl_spf_variant fl_spf_variant(const struct fl_spf_mm *mm);

void fl_spf_task_init(struct fl_spf_task *t, struct fl_spf_mm *mm);
void fl_spf_task_exit(struct fl_spf_task *t);

/*
 * mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags): addr 0 lets the
 * mm choose (first fit from FL_SPF_MMAP_MIN), otherwise the range must be
 * free (MAP_FIXED_NOREPLACE).  prot must include FL_PROT_READ.  Returns the
 * address, or a negative errno.
 */
long fl_spf_mmap(struct fl_spf_mm *mm, unsigned long addr, unsigned long len,
		 unsigned int prot, unsigned int flags);
int fl_spf_munmap(struct fl_spf_mm *mm, unsigned long addr, unsigned long len);
/* prot is FL_PROT_READ, with or without FL_PROT_WRITE. */
int fl_spf_mprotect(struct fl_spf_mm *mm, unsigned long addr, unsigned long len,
		    unsigned int prot);
/* madvise(MADV_DONTNEED): the pages go, the VMAs and page tables stay. */
int fl_spf_madvise_dontneed(struct fl_spf_mm *mm, unsigned long addr,
			    unsigned long len);

/*
 * The fault, as arch/x86/mm/fault.c enters the mm: speculative first when
 * the variant has it, then classic.  flags: FL_FAULT_FLAG_WRITE or 0.
 * Returns 0 or FL_VM_FAULT_SIGSEGV / FL_VM_FAULT_OOM.
 */
int fl_do_user_addr_fault(struct fl_spf_task *t, unsigned long addr,
			  unsigned int flags);

/*
 * A user access, as the MMU makes it: walk the page table, fault if the PTE
 * does not allow the access, and return where the byte at addr lives (NULL:
 * SIGSEGV or OOM).  The pointer is good up to the end of the page, until the
 * page is unmapped: the caller must not race a munmap, mprotect or
 * MADV_DONTNEED of the same page (a real program would see garbage there, the
 * model would use freed memory).
 */
void *fl_spf_access(struct fl_spf_task *t, unsigned long addr, bool write);

/* The PTE that maps addr now (0: none); takes mmap_sem for read. */
unsigned long fl_spf_follow_pte(struct fl_spf_mm *mm, unsigned long addr);

/* Consistency of the tree, the list and the page table; takes mmap_sem for write. */
void fl_spf_check(struct fl_spf_mm *mm, struct fl_spf_check *out);
void fl_spf_get_mm_stats(struct fl_spf_mm *mm, struct fl_spf_mm_stats *out);
void fl_spf_stats_add(struct fl_spf_stats *to, const struct fl_spf_stats *from);
const char *fl_spf_fail_name(enum fl_spf_fail why);

/* For tests only: called from the speculative path at each hook point. */
void fl_spf_set_hook(struct fl_spf_mm *mm, fl_spf_hook_fn fn, void *arg);
/* For tests only: the PTE lock of addr's table, NULL without one. */
spinlock_t *fl_spf_pte_lockptr(struct fl_spf_mm *mm, unsigned long addr);

#endif /* FL_IMPL_SPF_H */
