// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace backend's user memory (see platform_user.h): the page table
 * that GUP walks, and the copy through the MMU with its exception fixup.
 *
 * Why a real fault: the change under test (seed 000) replaced a walk of the
 * page table by a copy that lets the MMU find a missing page and relies on
 * the fault path to abandon it.  A flag that the copy checked would model
 * neither the fault's cost nor the order of the fault path's first steps.
 */
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "platform_user.h"

#define PTE_PRESENT	1UL
#define LEVEL_SHIFT(l)	(PAGE_SHIFT + 9 * (l))	/* l = 3: the PGD's 39 */

__thread int km_pagefault_disabled;

static unsigned long *pgd;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static __thread km_user_fault_hook_t fault_hook;
static __thread void *fault_hook_arg;

static void exception_entry(int sig, siginfo_t *si, void *ctx);

static void set_exception_entry(void)
{
	struct sigaction sa = { .sa_sigaction = exception_entry };

	/* SA_ONSTACK: a fault inside a handler that runs on an alternate stack */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

/*
 * Installed by whatever makes a fault possible (a map, a hole, a hook), not
 * by the copy: that runs in signal handlers, where pthread_once may not.
 */
static void install_exception_entry(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, set_exception_entry);
}

static unsigned long table_index(unsigned long addr, int level)
{
	return (addr >> LEVEL_SHIFT(level)) & 511;
}

/* The PTE slot for addr, making the tables above it: under table_lock. */
static unsigned long *pte_slot(unsigned long addr)
{
	unsigned long *table;

	if (!pgd)
		WRITE_ONCE(pgd, calloc(512, sizeof(*pgd)));
	table = pgd;
	for (int level = 3; table && level > 0; level--) {
		unsigned long *e = &table[table_index(addr, level)];

		if (!(READ_ONCE(*e) & PTE_PRESENT)) {
			unsigned long *next = calloc(512, sizeof(*next));

			if (!next)
				return NULL;
			WRITE_ONCE(*e, (unsigned long)next | PTE_PRESENT);
		}
		table = (unsigned long *)(READ_ONCE(*e) & ~PTE_PRESENT);
	}
	return table ? &table[table_index(addr, 0)] : NULL;
}

int km_user_map_page(unsigned long addr, struct page *page)
{
	unsigned long *pte;

	if (addr & ~PAGE_MASK)
		return -EINVAL;
	install_exception_entry();
	pthread_mutex_lock(&table_lock);
	pte = pte_slot(addr);
	if (pte) {
		page->virtual = (void *)addr;
		atomic_set(&page->_refcount, 1);
		WRITE_ONCE(*pte, (unsigned long)page | PTE_PRESENT);
	}
	pthread_mutex_unlock(&table_lock);
	return pte ? 0 : -ENOMEM;
}

int km_user_hole(unsigned long addr)
{
	unsigned long *pte;

	if (addr & ~PAGE_MASK)
		return -EINVAL;
	install_exception_entry();
	if (mprotect((void *)addr, PAGE_SIZE, PROT_NONE))
		return -errno;
	pthread_mutex_lock(&table_lock);
	pte = pte_slot(addr);
	if (pte)
		WRITE_ONCE(*pte, 0);
	pthread_mutex_unlock(&table_lock);
	return pte ? 0 : -ENOMEM;
}

static void free_level(unsigned long *table, int level)
{
	for (int i = 0; level > 0 && i < 512; i++)
		if (table[i] & PTE_PRESENT)
			free_level((unsigned long *)(table[i] & ~PTE_PRESENT), level - 1);
	free(table);
}

void km_user_unmap_all(void)
{
	pthread_mutex_lock(&table_lock);
	if (pgd)
		free_level(pgd, 3);
	WRITE_ONCE(pgd, NULL);
	pthread_mutex_unlock(&table_lock);
}

/* ---- GUP ----------------------------------------------------------------- */

/* The page a walk of the table finds at addr, as gup_pgd_range() down to the PTE. */
static unsigned long walk(unsigned long addr)
{
	unsigned long e = (unsigned long)READ_ONCE(pgd) | PTE_PRESENT;

	for (int level = 3; level >= 0; level--) {
		if (!(e & PTE_PRESENT) || e == PTE_PRESENT)
			return 0;
		e = READ_ONCE(((unsigned long *)(e & ~PTE_PRESENT))[table_index(addr, level)]);
	}
	return e;
}

/* try_grab_page(): a reference, unless the page is already on its way out. */
static bool try_get_page(struct page *page)
{
	int c = atomic_read(&page->_refcount);

	do {
		if (c <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&page->_refcount.counter, &c, c + 1, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	return true;
}

/*
 * gup_fast: no locks, interrupts off (nothing to turn off here), a page
 * pinned only if its PTE is the same after the pin as before.
 */
int get_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
			     struct page **pages)
{
	int nr = 0;

	if (!pgd)
		return 0;
	for (; nr < nr_pages; nr++, start += PAGE_SIZE) {
		unsigned long pte = walk(start);
		struct page *page = (struct page *)(pte & ~PTE_PRESENT);

		if (!(pte & PTE_PRESENT) || !try_get_page(page))
			break;
		if (walk(start) != pte) {
			put_page(page);
			break;
		}
		pages[nr] = page;
	}
	return nr;
}

void put_page(struct page *page)
{
	/* the table holds a reference: a pin is never the last */
	BUG_ON(atomic_dec_return(&page->_refcount) <= 0);
}

/* ---- the copy and its fixup ---------------------------------------------- */

/*
 * The exception table's one entry: the rep movsb at km_copy_insn, fixed up
 * to resume at km_copy_fixup.  Its own asm function, so that no inlining or
 * cloning can give the labels a second copy.
 */
extern const char km_copy_insn[], km_copy_fixup[];

__asm__(".text\n"
	".globl km_rep_movsb\n"
	".type km_rep_movsb, @function\n"
	"km_rep_movsb:\n"
	"	movq %rdx, %rcx\n"
	"km_copy_insn:\n"
	"	rep movsb\n"
	"km_copy_fixup:\n"
	"	movq %rcx, %rax\n"
	"	ret\n"
	".size km_rep_movsb, .-km_rep_movsb\n");

/* rdi = to, rsi = from, rdx = n; returns the bytes not copied. */
unsigned long km_rep_movsb(void *to, const void *from, unsigned long n);

static void exception_entry(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *rip = &uc->uc_mcontext.gregs[REG_RIP];

	if (*rip != (greg_t)km_copy_insn) {
		/* not ours: die of it, as without this handler */
		signal(SIGSEGV, SIG_DFL);
		return;
	}
	if (fault_hook)
		fault_hook((unsigned long)si->si_addr, fault_hook_arg);
	*rip = (greg_t)km_copy_fixup;
}

unsigned long raw_copy_from_user(void *to, const void __user *from, unsigned long n)
{
	return km_rep_movsb(to, from, n);
}

void km_user_set_fault_hook(km_user_fault_hook_t hook, void *arg)
{
	/* again, not once: a test harness may have put its own handler in */
	set_exception_entry();
	fault_hook = hook;
	fault_hook_arg = arg;
}
