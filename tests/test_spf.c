// SPDX-License-Identifier: GPL-2.0
/*
 * The mm model of impl/spf.c: mappings, faults and page contents on both
 * variants, the VMA tree against a reference, and every way a speculative
 * fault can give up, each forced deterministically through the test hooks.
 * The concurrent tests are in tsan_spf.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "impl/spf.h"
#include "variant_test.h"

#define KIB		1024UL
#define MIB		(1024UL * KIB)
#define BASE		0x40000000UL	/* 2 MiB aligned, above KM_SPF_MMAP_MIN */

struct env {
	struct km_spf_mm *mm;
	struct km_spf_task t, other;	/* other: a second user, so SPF runs */
};

static struct env *env_new(enum km_spf_variant v, bool two_users)
{
	struct km_spf_config cfg = { .variant = v, .debug = true };
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->mm = km_spf_mm_create(&cfg);
	assert_non_null(e->mm);
	km_spf_task_init(&e->t, e->mm);
	if (two_users)
		km_spf_task_init(&e->other, e->mm);
	return e;
}

static void assert_consistent(struct km_spf_mm *mm)
{
	struct km_spf_check c;

	km_spf_check(mm, &c);
	assert_int_equal(c.tree_errors, 0);
	assert_int_equal(c.ptes_outside, 0);
	assert_int_equal(c.ptes_bad_prot, 0);
	assert_int_equal(c.stale_ptes, 0);
}

static void env_free(struct env *e)
{
	assert_consistent(e->mm);
	km_spf_task_exit(&e->t);
	if (e->other.mm)
		km_spf_task_exit(&e->other);
	km_spf_mm_destroy(e->mm);
	free(e);
}

static unsigned long map(struct env *e, unsigned long addr, unsigned long len,
			 unsigned int prot, unsigned int flags)
{
	long r = km_spf_mmap(e->mm, addr, len, prot, flags);

	assert_true(r > 0);
	if (addr)
		assert_int_equal(r, addr);
	return (unsigned long)r;
}

static int wfault(struct env *e, unsigned long addr)
{
	return km_do_user_addr_fault(&e->t, addr, KM_FAULT_FLAG_WRITE);
}

static int rfault(struct env *e, unsigned long addr)
{
	return km_do_user_addr_fault(&e->t, addr, 0);
}

static long vmas(struct env *e)
{
	struct km_spf_mm_stats s;

	km_spf_get_mm_stats(e->mm, &s);
	return s.map_count;
}

/* ---- both variants ---------------------------------------------------------- */

/* The prestate of the tests run in both (variant_test.h). */
static enum km_spf_variant classic = KM_SPF_CLASSIC;
static enum km_spf_variant speculative = KM_SPF_SPECULATIVE;

static void test_basic(void **state)
{
	struct env *e = env_new(*(enum km_spf_variant *)*state, true);
	unsigned long a = map(e, 0, 16 * PAGE_SIZE, KM_PROT_READ | KM_PROT_WRITE, 0);

	assert_true(a >= KM_SPF_MMAP_MIN);
	for (int i = 0; i < 16; i++) {
		unsigned char *p = km_spf_access(&e->t, a + i * PAGE_SIZE + 7, true);

		assert_non_null(p);
		*p = (unsigned char)(i + 1);
	}
	for (int i = 0; i < 16; i++) {
		unsigned char *p = km_spf_access(&e->t, a + i * PAGE_SIZE + 7, false);
		unsigned long pte = km_spf_follow_pte(e->mm, a + i * PAGE_SIZE);

		assert_int_equal(*p, i + 1);
		assert_true(pte & KM_PTE_PRESENT);
		assert_true(pte & KM_PTE_RW);
	}
	assert_consistent(e->mm);
	assert_int_equal(km_spf_munmap(e->mm, a, 16 * PAGE_SIZE), 0);
	assert_int_equal(km_spf_follow_pte(e->mm, a), 0);
	assert_int_equal(wfault(e, a), KM_VM_FAULT_SIGSEGV);
	assert_null(km_spf_access(&e->t, a, false));
	assert_int_equal(vmas(e), 0);
	env_free(e);
}


/* A read fault maps the zero page read-only; the write then gets its own page. */
static void test_zero_page(void **state)
{
	struct env *e = env_new(*(enum km_spf_variant *)*state, true);
	unsigned long a = map(e, 0, 2 * PAGE_SIZE, KM_PROT_READ | KM_PROT_WRITE, 0);
	unsigned long r0, r1, w;
	unsigned char *p;

	assert_int_equal(rfault(e, a), 0);
	assert_int_equal(rfault(e, a + PAGE_SIZE), 0);
	r0 = km_spf_follow_pte(e->mm, a);
	r1 = km_spf_follow_pte(e->mm, a + PAGE_SIZE);
	assert_true(r0 & KM_PTE_PRESENT);
	assert_false(r0 & KM_PTE_RW);
	/* both read faults share one page: the zero page */
	assert_int_equal(r0 & KM_PTE_PAGE_MASK, r1 & KM_PTE_PAGE_MASK);
	p = km_spf_access(&e->t, a + 100, false);
	assert_int_equal(*p, 0);
	p = km_spf_access(&e->t, a + 100, true);
	assert_non_null(p);
	*p = 0x5a;
	w = km_spf_follow_pte(e->mm, a);
	assert_true(w & KM_PTE_RW);
	assert_int_not_equal(w & KM_PTE_PAGE_MASK, r0 & KM_PTE_PAGE_MASK);
	/* the zero page itself stays zero */
	p = km_spf_access(&e->t, a + PAGE_SIZE + 100, false);
	assert_int_equal(*p, 0);
	env_free(e);
}


static void test_mprotect(void **state)
{
	struct env *e = env_new(*(enum km_spf_variant *)*state, true);
	unsigned long a = map(e, 0, 8 * PAGE_SIZE, KM_PROT_READ | KM_PROT_WRITE, 0);
	unsigned long before, after;
	unsigned char *p;

	p = km_spf_access(&e->t, a + 3 * PAGE_SIZE, true);
	*p = 9;
	before = km_spf_follow_pte(e->mm, a + 3 * PAGE_SIZE);
	/* the middle goes read-only: two splits */
	assert_int_equal(km_spf_mprotect(e->mm, a + 2 * PAGE_SIZE, 4 * PAGE_SIZE,
					 KM_PROT_READ), 0);
	assert_int_equal(vmas(e), 3);
	assert_false(km_spf_follow_pte(e->mm, a + 3 * PAGE_SIZE) & KM_PTE_RW);
	assert_int_equal(wfault(e, a + 3 * PAGE_SIZE), KM_VM_FAULT_SIGSEGV);
	assert_int_equal(wfault(e, a + 7 * PAGE_SIZE), 0);
	p = km_spf_access(&e->t, a + 3 * PAGE_SIZE, false);
	assert_int_equal(*p, 9);
	/* writable again: the write fault reuses the page, contents kept */
	assert_int_equal(km_spf_mprotect(e->mm, a, 8 * PAGE_SIZE,
					 KM_PROT_READ | KM_PROT_WRITE), 0);
	p = km_spf_access(&e->t, a + 3 * PAGE_SIZE, true);
	assert_int_equal(*p, 9);
	after = km_spf_follow_pte(e->mm, a + 3 * PAGE_SIZE);
	assert_int_equal(after & KM_PTE_PAGE_MASK, before & KM_PTE_PAGE_MASK);
	assert_true(after & KM_PTE_RW);
	/* a hole is ENOMEM, as mprotect(2) */
	assert_int_equal(km_spf_munmap(e->mm, a + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(km_spf_mprotect(e->mm, a, 8 * PAGE_SIZE, KM_PROT_READ), -ENOMEM);
	env_free(e);
}


/* Adjacent compatible mappings merge; munmap in the middle splits. */
static void test_merge_and_split(void **state)
{
	struct env *e = env_new(KM_SPF_SPECULATIVE, true);
	unsigned int rw = KM_PROT_READ | KM_PROT_WRITE;

	map(e, BASE, 4 * PAGE_SIZE, rw, 0);
	map(e, BASE + 8 * PAGE_SIZE, 4 * PAGE_SIZE, rw, 0);
	assert_int_equal(vmas(e), 2);
	map(e, BASE + 4 * PAGE_SIZE, 4 * PAGE_SIZE, rw, 0);	/* fills the hole */
	assert_int_equal(vmas(e), 1);
	map(e, BASE + 12 * PAGE_SIZE, 4 * PAGE_SIZE, KM_PROT_READ, 0);
	assert_int_equal(vmas(e), 2);				/* flags differ */
	assert_int_equal(km_spf_mmap(e->mm, BASE + PAGE_SIZE, PAGE_SIZE, rw, 0), -EEXIST);
	assert_int_equal(km_spf_munmap(e->mm, BASE + 2 * PAGE_SIZE, 3 * PAGE_SIZE), 0);
	assert_int_equal(vmas(e), 3);
	assert_int_equal(wfault(e, BASE + 3 * PAGE_SIZE), KM_VM_FAULT_SIGSEGV);
	assert_int_equal(wfault(e, BASE + 5 * PAGE_SIZE), 0);
	assert_int_equal(wfault(e, BASE + PAGE_SIZE), 0);
	env_free(e);
}

/* ---- the tree against a reference: random mmap/munmap/mprotect ------------------ */

#define REF_PAGES	2048	/* 8 MiB: four PTE tables, so tables come and go */

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void test_random_against_reference(void **state)
{
	struct env *e = env_new(KM_SPF_SPECULATIVE, true);
	static signed char ref[REF_PAGES];	/* -1 unmapped, 0 ro, 1 rw */
	unsigned int seed = 42;

	memset(ref, -1, sizeof(ref));
	for (int op = 0; op < 4000; op++) {
		unsigned long first = rnd(&seed) % REF_PAGES;
		unsigned long n = 1 + rnd(&seed) % 64;
		unsigned long addr = BASE + first * PAGE_SIZE;
		unsigned int kind = rnd(&seed) % 4;
		bool any = false, all = true;

		if (first + n > REF_PAGES)
			n = REF_PAGES - first;
		for (unsigned long i = first; i < first + n; i++) {
			any |= ref[i] >= 0;
			all &= ref[i] >= 0;
		}
		if (kind == 0) {
			long r = km_spf_mmap(e->mm, addr, n * PAGE_SIZE,
					     KM_PROT_READ | KM_PROT_WRITE, 0);

			assert_int_equal(r, any ? -EEXIST : (long)addr);
			if (!any)
				memset(ref + first, 1, n);
		} else if (kind == 1) {
			assert_int_equal(km_spf_munmap(e->mm, addr, n * PAGE_SIZE), 0);
			memset(ref + first, -1, n);
		} else if (kind == 2) {
			int w = rnd(&seed) & 1;

			assert_int_equal(km_spf_mprotect(e->mm, addr, n * PAGE_SIZE,
					 KM_PROT_READ | (w ? KM_PROT_WRITE : 0)),
					 all ? 0 : -ENOMEM);
			if (all)
				memset(ref + first, w, n);
		} else {
			for (unsigned long i = first; i < first + n; i++) {
				int r = wfault(e, BASE + i * PAGE_SIZE);

				assert_int_equal(r, ref[i] == 1 ? 0 : KM_VM_FAULT_SIGSEGV);
			}
		}
		if (op % 200 == 0)
			assert_consistent(e->mm);
	}
	for (unsigned long i = 0; i < REF_PAGES; i++) {
		int r = rfault(e, BASE + i * PAGE_SIZE);

		assert_int_equal(r, ref[i] >= 0 ? 0 : KM_VM_FAULT_SIGSEGV);
	}
	assert_true(e->t.st.spf_done > 0);
	env_free(e);
}

/* ---- both paths leave the same memory ------------------------------------------- */

#define SCRIPT_PAGES	600

/* A fixed script of maps, writes, reads, protections and unmaps. */
static void run_script(struct env *e, unsigned char *out, unsigned long *ptes)
{
	unsigned int seed = 7;
	unsigned long a = map(e, BASE, SCRIPT_PAGES * PAGE_SIZE,
			      KM_PROT_READ | KM_PROT_WRITE, 0);

	for (int op = 0; op < 3000; op++) {
		unsigned long pg = rnd(&seed) % SCRIPT_PAGES;
		unsigned long addr = a + pg * PAGE_SIZE + rnd(&seed) % PAGE_SIZE;
		unsigned int kind = rnd(&seed) % 16;
		unsigned char *p;

		if (kind < 9) {
			p = km_spf_access(&e->t, addr, true);
			if (p)
				*p = (unsigned char)op;
		} else if (kind < 13) {
			p = km_spf_access(&e->t, addr, false);
			if (p)
				out[0] ^= *p;
		} else if (kind == 13) {
			km_spf_mprotect(e->mm, a + pg * PAGE_SIZE, 8 * PAGE_SIZE,
					KM_PROT_READ | (op & 1 ? KM_PROT_WRITE : 0));
		} else if (kind == 14) {
			km_spf_madvise_dontneed(e->mm, a + pg * PAGE_SIZE, 4 * PAGE_SIZE);
		} else {
			km_spf_munmap(e->mm, a + pg * PAGE_SIZE, 2 * PAGE_SIZE);
			km_spf_mmap(e->mm, a + pg * PAGE_SIZE, 2 * PAGE_SIZE,
				    KM_PROT_READ | KM_PROT_WRITE, 0);
		}
	}
	for (unsigned long i = 0; i < SCRIPT_PAGES; i++) {
		unsigned long pte = km_spf_follow_pte(e->mm, a + i * PAGE_SIZE);

		ptes[i] = pte & (KM_PTE_PRESENT | KM_PTE_RW);
		if (pte & KM_PTE_PRESENT)
			memcpy(out + 1 + i * PAGE_SIZE, (void *)(pte & KM_PTE_PAGE_MASK),
			       PAGE_SIZE);
	}
}

static void test_identical_contents(void **state)
{
	size_t size = 1 + SCRIPT_PAGES * PAGE_SIZE;
	unsigned char *mem[2] = { calloc(1, size), calloc(1, size) };
	unsigned long *ptes[2] = { calloc(SCRIPT_PAGES, sizeof(long)),
				   calloc(SCRIPT_PAGES, sizeof(long)) };
	struct env *c = env_new(KM_SPF_CLASSIC, true);
	struct env *s = env_new(KM_SPF_SPECULATIVE, true);
	long present = 0;

	run_script(c, mem[0], ptes[0]);
	run_script(s, mem[1], ptes[1]);
	assert_memory_equal(ptes[0], ptes[1], SCRIPT_PAGES * sizeof(long));
	assert_memory_equal(mem[0], mem[1], size);
	for (int i = 0; i < SCRIPT_PAGES; i++)
		present += ptes[0][i] != 0;
	assert_true(present > SCRIPT_PAGES / 4);
	/* the speculative run really went the other way, mostly */
	assert_int_equal(c->t.st.spf_tried, 0);
	assert_true(s->t.st.spf_done > s->t.st.classic);
	env_free(c);
	env_free(s);
	for (int i = 0; i < 2; i++) {
		free(mem[i]);
		free(ptes[i]);
	}
}

/* ---- each way the speculative path gives up -------------------------------------- */

static struct env *spf_env_with_page(unsigned long *a)
{
	struct env *e = env_new(KM_SPF_SPECULATIVE, true);

	*a = map(e, BASE, 64 * PAGE_SIZE, KM_PROT_READ | KM_PROT_WRITE, 0);
	/* the first fault is classic: it gives the VMA its anon_vma */
	assert_int_equal(wfault(e, *a), 0);
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_NO_ANON_VMA], 1);
	assert_int_equal(e->t.st.classic, 1);
	return e;
}

static void test_spf_fast_path(void **state)
{
	unsigned long a;
	struct env *e = spf_env_with_page(&a);

	for (int i = 1; i < 64; i++)
		assert_int_equal(wfault(e, a + i * PAGE_SIZE), 0);
	assert_int_equal(e->t.st.spf_done, 63);
	assert_int_equal(e->t.st.classic, 1);
	env_free(e);
}

static void test_spf_single_user_skips(void **state)
{
	struct env *e = env_new(KM_SPF_SPECULATIVE, false);
	unsigned long a = map(e, 0, 4 * PAGE_SIZE, KM_PROT_READ | KM_PROT_WRITE, 0);

	for (int i = 0; i < 4; i++)
		assert_int_equal(wfault(e, a + i * PAGE_SIZE), 0);
	assert_int_equal(e->t.st.spf_skipped, 4);
	assert_int_equal(e->t.st.spf_tried, 0);
	assert_int_equal(e->t.st.classic, 4);
	env_free(e);
}

static void test_spf_excludes_stack_and_userfault(void **state)
{
	struct env *e = env_new(KM_SPF_SPECULATIVE, true);
	unsigned int rw = KM_PROT_READ | KM_PROT_WRITE;
	unsigned long s = map(e, BASE, 4 * PAGE_SIZE, rw, KM_MAP_GROWSDOWN);
	unsigned long u = map(e, BASE + MIB, 4 * PAGE_SIZE, rw, KM_MAP_UFFD_MISSING);

	for (int i = 0; i < 4; i++) {
		assert_int_equal(wfault(e, s + i * PAGE_SIZE), 0);
		assert_int_equal(wfault(e, u + i * PAGE_SIZE), 0);
	}
	/* the first of each is no-anon_vma, the other three not-supported */
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_NOT_SUPPORTED], 6);
	assert_int_equal(e->t.st.classic, 8);
	assert_int_equal(e->t.st.userfaults, 4);
	assert_int_equal(e->t.st.spf_done, 0);
	env_free(e);
}

/* A PTE table the speculative walk would need is not there yet. */
static void test_spf_walk_needs_table(void **state)
{
	struct env *e = env_new(KM_SPF_SPECULATIVE, true);
	unsigned long a = map(e, BASE, 4 * MIB, KM_PROT_READ | KM_PROT_WRITE, 0);

	assert_int_equal(wfault(e, a), 0);			/* anon_vma, table 1 */
	assert_int_equal(wfault(e, a + 2 * MIB), 0);		/* no table 2 */
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_WALK], 1);
	assert_int_equal(wfault(e, a + 2 * MIB + PAGE_SIZE), 0);
	assert_int_equal(e->t.st.spf_done, 1);
	env_free(e);
}

/* A write fault on a read-only VMA is refused without mmap_sem. */
static void test_spf_access_error(void **state)
{
	unsigned long a;
	struct env *e = spf_env_with_page(&a);

	assert_int_equal(km_spf_mprotect(e->mm, a, 64 * PAGE_SIZE, KM_PROT_READ), 0);
	assert_int_equal(wfault(e, a + PAGE_SIZE), KM_VM_FAULT_SIGSEGV);
	assert_int_equal(e->t.st.classic, 1);
	assert_int_equal(e->t.st.sigsegv, 1);
	assert_int_equal(rfault(e, a + PAGE_SIZE), 0);
	assert_int_equal(e->t.st.spf_done, 1);
	env_free(e);
}

struct hook_ctl {
	enum km_spf_hook_point at;
	int fired;
	int action;		/* what to do when it fires */
	unsigned long a, len;
	spinlock_t *held;
};

enum { DO_MPROTECT_RO, DO_MPROTECT_RW, DO_MUNMAP, DO_TAKE_PTL };

static void hook(struct km_spf_mm *mm, enum km_spf_hook_point at,
		 unsigned long addr, void *arg)
{
	struct hook_ctl *h = arg;

	if (at == KM_SPF_HOOK_FALLBACK && h->held) {
		spin_unlock(h->held);
		h->held = NULL;
		return;
	}
	if (at != h->at || h->fired++)
		return;
	switch (h->action) {
	case DO_MPROTECT_RO:
		assert_int_equal(km_spf_mprotect(mm, h->a, h->len, KM_PROT_READ), 0);
		break;
	case DO_MPROTECT_RW:
		assert_int_equal(km_spf_mprotect(mm, h->a, h->len,
						 KM_PROT_READ | KM_PROT_WRITE), 0);
		break;
	case DO_MUNMAP:
		assert_int_equal(km_spf_munmap(mm, h->a, h->len), 0);
		break;
	case DO_TAKE_PTL:
		h->held = km_spf_pte_lockptr(mm, addr);
		assert_non_null(h->held);
		spin_lock(h->held);
		break;
	}
}

/* The VMA is made read-only after the walk: the write must not be installed. */
static void test_spf_changed_after_walk(void **state)
{
	unsigned long a;
	struct env *e = spf_env_with_page(&a);
	struct hook_ctl h = { .at = KM_SPF_HOOK_WALKED, .action = DO_MPROTECT_RO,
			      .a = a, .len = 64 * PAGE_SIZE };

	km_spf_set_hook(e->mm, hook, &h);
	assert_int_equal(wfault(e, a + PAGE_SIZE), KM_VM_FAULT_SIGSEGV);
	assert_int_equal(h.fired, 1);
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_CHANGED], 1);
	assert_int_equal(km_spf_follow_pte(e->mm, a + PAGE_SIZE), 0);
	km_spf_set_hook(e->mm, NULL, NULL);
	env_free(e);
}

/* A change found under the PTE lock, just before the PTE would be set. */
static void test_spf_changed_at_install(void **state)
{
	unsigned long a;
	struct env *e = spf_env_with_page(&a);
	struct hook_ctl h = { .at = KM_SPF_HOOK_LOCKING, .action = DO_MPROTECT_RO,
			      .a = a, .len = 64 * PAGE_SIZE };

	km_spf_set_hook(e->mm, hook, &h);
	assert_int_equal(wfault(e, a + PAGE_SIZE), KM_VM_FAULT_SIGSEGV);
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_CHANGED_LATE], 1);
	assert_int_equal(km_spf_follow_pte(e->mm, a + PAGE_SIZE), 0);
	/* and a benign change: the fallback installs the page */
	h.fired = 0;
	h.action = DO_MPROTECT_RW;
	assert_int_equal(rfault(e, a + 2 * PAGE_SIZE), 0);
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_CHANGED_LATE], 2);
	assert_true(km_spf_follow_pte(e->mm, a + 2 * PAGE_SIZE) & KM_PTE_PRESENT);
	km_spf_set_hook(e->mm, NULL, NULL);
	env_free(e);
}

/* The PTE lock is busy: trylock fails, the classic path waits for it. */
static void test_spf_ptl_busy(void **state)
{
	unsigned long a;
	struct env *e = spf_env_with_page(&a);
	struct hook_ctl h = { .at = KM_SPF_HOOK_LOCKING, .action = DO_TAKE_PTL };

	km_spf_set_hook(e->mm, hook, &h);
	assert_int_equal(wfault(e, a + PAGE_SIZE), 0);
	assert_null(h.held);
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_PTL_BUSY], 1);
	assert_int_equal(e->t.st.classic, 2);
	assert_true(km_spf_follow_pte(e->mm, a + PAGE_SIZE) & KM_PTE_RW);
	km_spf_set_hook(e->mm, NULL, NULL);
	env_free(e);
}

/*
 * The whole VMA is unmapped while the fault is under way: nothing may be
 * installed, the VMA must wait for the grace period, and the fallback finds
 * no VMA.
 */
static void test_spf_unmapped_under_fault(void **state)
{
	unsigned long a;
	struct env *e = spf_env_with_page(&a);
	struct hook_ctl h = { .at = KM_SPF_HOOK_WALKED, .action = DO_MUNMAP,
			      .a = a, .len = 64 * PAGE_SIZE };
	struct km_spf_mm_stats ms;

	km_spf_set_hook(e->mm, hook, &h);
	assert_int_equal(wfault(e, a + 5 * PAGE_SIZE), KM_VM_FAULT_SIGSEGV);
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_CHANGED], 1);
	assert_int_equal(km_spf_follow_pte(e->mm, a + 5 * PAGE_SIZE), 0);
	km_spf_get_mm_stats(e->mm, &ms);
	assert_int_equal(ms.vmas_freed, 0);	/* retired, not freed */
	assert_int_equal(ms.retired, 2);	/* the VMA and its PTE table */
	km_spf_set_hook(e->mm, NULL, NULL);
	env_free(e);
}

/* ---- deferred freeing -------------------------------------------------------------- */

/* ---- file mappings (the cost side) ----------------------------------------- */

static unsigned long map_file(struct env *e, struct km_file *f, unsigned long pages,
			      unsigned int flags, unsigned long pgoff)
{
	long r = km_spf_mmap_file(e->mm, 0, pages * PAGE_SIZE, KM_PROT_READ | KM_PROT_WRITE,
				  flags, f, pgoff);

	assert_true(r > 0);
	return (unsigned long)r;
}

/*
 * Private: a read maps the file's own page, read-only; a write copies it
 * (COW), so the file keeps its contents and another mapping of the file
 * sees none of it.  Shared: the write is the file's.  Unmapping frees the
 * copies and leaves the file's pages, which the file frees last.
 */
static void test_file(void **state)
{
	struct env *e = env_new(*(enum km_spf_variant *)*state, true);
	struct km_file *f = km_file_create(8);
	unsigned long priv, shared, pte, cache;
	unsigned char *p;

	assert_non_null(f);
	shared = map_file(e, f, 8, KM_MAP_SHARED, 0);
	priv = map_file(e, f, 4, 0, 4);		/* the file's pages 4..7 */
	p = km_spf_access(&e->t, shared + 5 * PAGE_SIZE, true);
	assert_non_null(p);
	*p = 42;
	cache = km_spf_follow_pte(e->mm, shared + 5 * PAGE_SIZE);
	assert_true((cache & KM_PTE_PAGECACHE) && (cache & KM_PTE_RW));

	/* the private mapping reads the file's page 5, read-only */
	p = km_spf_access(&e->t, priv + PAGE_SIZE, false);
	assert_non_null(p);
	assert_int_equal(*p, 42);
	pte = km_spf_follow_pte(e->mm, priv + PAGE_SIZE);
	assert_true((pte & KM_PTE_PAGECACHE) && !(pte & KM_PTE_RW));
	assert_true((pte & KM_PTE_PAGE_MASK) == (cache & KM_PTE_PAGE_MASK));

	/* its write copies: the copy is its own, the file unchanged */
	p = km_spf_access(&e->t, priv + PAGE_SIZE, true);
	assert_int_equal(*p, 42);
	*p = 7;
	pte = km_spf_follow_pte(e->mm, priv + PAGE_SIZE);
	assert_true(!(pte & KM_PTE_PAGECACHE) && (pte & KM_PTE_RW));
	assert_true((pte & KM_PTE_PAGE_MASK) != (cache & KM_PTE_PAGE_MASK));
	assert_int_equal(*(unsigned char *)km_spf_access(&e->t, shared + 5 * PAGE_SIZE, false),
			 42);
	/* a first write to a private page copies at once (do_cow_fault()) */
	p = km_spf_access(&e->t, priv + 2 * PAGE_SIZE, true);
	*p = 9;
	assert_false(km_spf_follow_pte(e->mm, priv + 2 * PAGE_SIZE) & KM_PTE_PAGECACHE);
	assert_int_equal(*(unsigned char *)km_spf_access(&e->t, shared + 6 * PAGE_SIZE, false),
			 0);

	assert_consistent(e->mm);
	assert_int_equal(km_spf_munmap(e->mm, priv, 4 * PAGE_SIZE), 0);
	assert_int_equal(km_spf_munmap(e->mm, shared, 8 * PAGE_SIZE), 0);
	/* the file's page outlives every mapping of it */
	shared = map_file(e, f, 8, KM_MAP_SHARED, 0);
	assert_int_equal(*(unsigned char *)km_spf_access(&e->t, shared + 5 * PAGE_SIZE, false),
			 42);
	km_file_put(f);		/* the mapping holds it now */
	assert_int_equal(e->t.st.sigsegv + e->t.st.sigbus + e->t.st.oom, 0);
	env_free(e);
}


/*
 * The speculative path gives up on file-backed faults and the classic one
 * takes them: a shared mapping never has an anon_vma, so it stops at that
 * check; a private one has one after its first copy, walks, and stops at
 * do_fault().  Faults that find the PTE (a write to a page read before) are
 * do_wp_page()'s, which it may take.
 */
static void test_spf_gives_up_on_file_faults(void **state)
{
	struct env *e = env_new(KM_SPF_SPECULATIVE, true);
	struct km_file *f = km_file_create(64);
	unsigned long shared, priv;

	shared = map_file(e, f, 32, KM_MAP_SHARED, 0);
	priv = map_file(e, f, 32, 0, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(wfault(e, shared + i * PAGE_SIZE), 0);
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_NO_ANON_VMA], 32);
	assert_int_equal(e->t.st.classic, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(wfault(e, priv + i * PAGE_SIZE), 0);
	/* the first made the anon_vma; the rest walked and gave up at do_fault() */
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_NO_ANON_VMA], 33);
	assert_int_equal(e->t.st.spf_fail[KM_SPF_FAIL_FILE], 31);
	assert_int_equal(e->t.st.spf_done, 0);
	assert_int_equal(e->t.st.classic, 64);
	/* beyond the file's end: SIGBUS, not a page */
	assert_int_equal(km_spf_munmap(e->mm, priv, 32 * PAGE_SIZE), 0);
	priv = map_file(e, f, 32, 0, 48);	/* pages 48..79 of a 64-page file */
	assert_int_equal(wfault(e, priv + 15 * PAGE_SIZE), 0);
	assert_int_equal(wfault(e, priv + 16 * PAGE_SIZE), KM_VM_FAULT_SIGBUS);
	assert_int_equal(e->t.st.sigbus, 1);
	km_file_put(f);
	env_free(e);
}

static void test_vmas_freed_after_grace_period(void **state)
{
	struct env *c = env_new(KM_SPF_CLASSIC, true);
	struct env *s = env_new(KM_SPF_SPECULATIVE, true);
	struct km_spf_mm_stats cs, ss;

	for (int i = 0; i < 200; i++) {
		unsigned long a = map(c, 0, PAGE_SIZE, KM_PROT_READ, 0);
		unsigned long b = map(s, 0, PAGE_SIZE, KM_PROT_READ, 0);

		assert_int_equal(km_spf_munmap(c->mm, a, PAGE_SIZE), 0);
		assert_int_equal(km_spf_munmap(s->mm, b, PAGE_SIZE), 0);
	}
	km_spf_get_mm_stats(c->mm, &cs);
	km_spf_get_mm_stats(s->mm, &ss);
	assert_int_equal(cs.vmas_freed, 200);
	assert_int_equal(cs.grace_periods, 0);
	assert_int_equal(ss.grace_periods, 200 / 64);
	assert_int_equal(ss.vmas_freed + ss.retired, 200);
	assert_true(ss.retired > 0);
	env_free(c);
	env_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FL_VARIANT_TEST(test_basic, classic),
		FL_VARIANT_TEST(test_basic, speculative),
		FL_VARIANT_TEST(test_zero_page, classic),
		FL_VARIANT_TEST(test_zero_page, speculative),
		FL_VARIANT_TEST(test_mprotect, classic),
		FL_VARIANT_TEST(test_mprotect, speculative),
		cmocka_unit_test(test_merge_and_split),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_identical_contents),
		cmocka_unit_test(test_spf_fast_path),
		cmocka_unit_test(test_spf_single_user_skips),
		cmocka_unit_test(test_spf_excludes_stack_and_userfault),
		cmocka_unit_test(test_spf_walk_needs_table),
		cmocka_unit_test(test_spf_access_error),
		cmocka_unit_test(test_spf_changed_after_walk),
		cmocka_unit_test(test_spf_changed_at_install),
		cmocka_unit_test(test_spf_ptl_busy),
		cmocka_unit_test(test_spf_unmapped_under_fault),
		cmocka_unit_test(test_vmas_freed_after_grace_period),
		FL_VARIANT_TEST(test_file, classic),
		FL_VARIANT_TEST(test_file, speculative),
		cmocka_unit_test(test_spf_gives_up_on_file_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
