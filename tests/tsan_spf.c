// SPDX-License-Identifier: GPL-2.0
/*
 * The mm model of impl/spf.c under heavy concurrency, built with
 * ThreadSanitizer: faulting threads hammer an arena while writer threads
 * map (anonymous memory, or a file's pages, private or shared), unmap, split
 * and re-protect it.  Checked throughout, under mmap_sem:
 * no PTE outside a VMA, no writable PTE in a read-only VMA, no PTE left
 * behind in a range being unmapped or remapped (stale), a sound VMA tree.
 * A VMA or PTE table touched after its grace period would be a
 * heap-use-after-free report, which fails the run.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "impl/spf.h"

#define ARENA		0x40000000UL
#define SLOT_PAGES	256		/* 1 MiB: two slots share a PTE table */
#define SLOTS		8		/* 8 MiB: four PTE tables, often freed */
#define FAULTERS	3
#define WRITERS		2
#define FAULTS		40000		/* per faulter */
#define CHECK_EVERY	300		/* writer ops */

struct shared {
	struct km_spf_mm *mm;
	struct km_file *file;		/* SLOTS x SLOT_PAGES pages, a slot each */
	int stop;			/* writers stop when faulters are done */
	int faulters_left;
};

struct writer {
	pthread_t tid;
	struct shared *sh;
	unsigned int seed;
	long ops, checks;
	struct km_spf_check bad;	/* sums of what the checks found */
	int unexpected;			/* a call returned what it must not */
};

struct faulter {
	pthread_t tid;
	struct shared *sh;
	unsigned int seed;
	struct km_spf_task task;
	int unexpected;
};

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void add_check(struct km_spf_check *sum, const struct km_spf_check *c)
{
	sum->tree_errors += c->tree_errors;
	sum->ptes_outside += c->ptes_outside;
	sum->ptes_bad_prot += c->ptes_bad_prot;
	sum->stale_ptes = c->stale_ptes;
}

static void writer_op(struct writer *w)
{
	struct km_spf_mm *mm = w->sh->mm;
	unsigned long slot = ARENA + (rnd(&w->seed) % SLOTS) * SLOT_PAGES * PAGE_SIZE;
	unsigned long part = (1 + rnd(&w->seed) % (SLOT_PAGES - 1)) * PAGE_SIZE;
	unsigned int rw = KM_PROT_READ | (rnd(&w->seed) & 1 ? KM_PROT_WRITE : 0);
	long r;

	switch (rnd(&w->seed) % 10) {
	case 0:
		r = km_spf_mmap(mm, slot, SLOT_PAGES * PAGE_SIZE, rw, 0);
		w->unexpected += r != (long)slot && r != -EEXIST;
		break;
	case 1:
	case 2:
		/* the slot's own pages of the file, privately or shared */
		r = km_spf_mmap_file(mm, slot, SLOT_PAGES * PAGE_SIZE, rw,
				     rnd(&w->seed) & 1 ? KM_MAP_SHARED : 0, w->sh->file,
				     (slot - ARENA) / PAGE_SIZE);
		w->unexpected += r != (long)slot && r != -EEXIST;
		break;
	case 3:
		w->unexpected += km_spf_munmap(mm, slot, SLOT_PAGES * PAGE_SIZE) != 0;
		break;
	case 4:
		w->unexpected += km_spf_munmap(mm, slot + part, PAGE_SIZE) != 0;
		break;
	case 5:
	case 6:
		r = km_spf_mprotect(mm, slot, part, rw);
		w->unexpected += r != 0 && r != -ENOMEM;
		break;
	default:
		w->unexpected += km_spf_madvise_dontneed(mm, slot, part) != 0;
		break;
	}
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct km_spf_check c;

	while (!__atomic_load_n(&w->sh->stop, __ATOMIC_ACQUIRE)) {
		writer_op(w);
		if (++w->ops % CHECK_EVERY)
			continue;
		km_spf_check(w->sh->mm, &c);
		add_check(&w->bad, &c);
		w->checks++;
	}
	return NULL;
}

/*
 * Widen the windows a speculative fault must close: give the CPU away at
 * times between its checks, as an interrupt or a preemption would.
 */
static void widen(struct km_spf_mm *mm, enum km_spf_hook_point at,
		  unsigned long addr, void *arg)
{
	if (at != KM_SPF_HOOK_FALLBACK && (addr >> 12) % 3 == 0)
		sched_yield();
}

static void *faulter_main(void *arg)
{
	struct faulter *f = arg;

	for (int i = 0; i < FAULTS; i++) {
		unsigned long addr = ARENA + rnd(&f->seed) % (SLOTS * SLOT_PAGES * PAGE_SIZE);
		unsigned int flags = rnd(&f->seed) & 1 ? KM_FAULT_FLAG_WRITE : 0;
		int r = km_do_user_addr_fault(&f->task, addr, flags);

		f->unexpected += r != 0 && r != KM_VM_FAULT_SIGSEGV;
	}
	if (__atomic_sub_fetch(&f->sh->faulters_left, 1, __ATOMIC_ACQ_REL) == 0)
		__atomic_store_n(&f->sh->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void hammer(enum km_spf_variant v)
{
	struct km_spf_config cfg = { .variant = v, .debug = true };
	struct shared sh = { .faulters_left = FAULTERS };
	struct writer w[WRITERS] = { 0 };
	struct faulter f[FAULTERS] = { 0 };
	struct km_spf_stats all = { 0 };
	struct km_spf_mm_stats ms;
	struct km_spf_check c;
	long fallbacks = 0;

	sh.mm = km_spf_mm_create(&cfg);
	assert_non_null(sh.mm);
	sh.file = km_file_create(SLOTS * SLOT_PAGES);
	assert_non_null(sh.file);
	km_spf_set_hook(sh.mm, widen, NULL);
	for (int i = 0; i < FAULTERS; i++) {
		f[i].sh = &sh;
		f[i].seed = 100 + i;
		km_spf_task_init(&f[i].task, sh.mm);
	}
	for (int i = 0; i < WRITERS; i++) {
		w[i].sh = &sh;
		w[i].seed = 200 + i;
		assert_int_equal(pthread_create(&w[i].tid, NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < FAULTERS; i++)
		assert_int_equal(pthread_create(&f[i].tid, NULL, faulter_main, &f[i]), 0);
	for (int i = 0; i < FAULTERS; i++)
		pthread_join(f[i].tid, NULL);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(w[i].tid, NULL);

	for (int i = 0; i < WRITERS; i++) {
		assert_int_equal(w[i].unexpected, 0);
		assert_true(w[i].checks > 0);
		assert_int_equal(w[i].bad.tree_errors, 0);
		assert_int_equal(w[i].bad.ptes_outside, 0);
		assert_int_equal(w[i].bad.ptes_bad_prot, 0);
		assert_int_equal(w[i].bad.stale_ptes, 0);
	}
	for (int i = 0; i < FAULTERS; i++) {
		assert_int_equal(f[i].unexpected, 0);
		km_spf_stats_add(&all, &f[i].task.st);
		km_spf_task_exit(&f[i].task);
	}
	km_spf_check(sh.mm, &c);
	assert_int_equal(c.tree_errors, 0);
	assert_int_equal(c.ptes_outside, 0);
	assert_int_equal(c.ptes_bad_prot, 0);
	assert_int_equal(c.stale_ptes, 0);
	km_spf_get_mm_stats(sh.mm, &ms);
	assert_true(ms.vmas_freed > 0);

	assert_int_equal(all.faults, FAULTERS * FAULTS);
	for (int i = 0; i < KM_SPF_NR_FAIL; i++)
		fallbacks += all.spf_fail[i];
	assert_int_equal(all.sigbus + all.oom, 0);
	if (v == KM_SPF_SPECULATIVE) {
		assert_int_equal(all.spf_tried, all.faults);
		assert_true(all.spf_fail[KM_SPF_FAIL_FILE] > 0);
		assert_true(all.spf_done > 0);
		assert_true(all.spf_fail[KM_SPF_FAIL_NO_ANON_VMA] > 0);
		assert_true(ms.grace_periods > 0);
		/* every fault went one way or the other, and fallbacks ended classic */
		assert_true(all.spf_done + fallbacks <= all.faults);
		assert_true(all.classic <= fallbacks);
	} else {
		assert_int_equal(all.spf_tried, 0);
		assert_int_equal(ms.grace_periods, 0);
	}
	print_message("%s: %ld faults, %ld speculative, %ld classic, %ld sigsegv; "
		      "fallbacks: changed %ld, late %ld, no_anon_vma %ld, walk %ld, "
		      "ptl %ld, no_vma %ld, file %ld; %ld grace periods\n",
		      v == KM_SPF_SPECULATIVE ? "speculative" : "classic",
		      all.faults, all.spf_done, all.classic, all.sigsegv,
		      all.spf_fail[KM_SPF_FAIL_CHANGED],
		      all.spf_fail[KM_SPF_FAIL_CHANGED_LATE],
		      all.spf_fail[KM_SPF_FAIL_NO_ANON_VMA],
		      all.spf_fail[KM_SPF_FAIL_WALK],
		      all.spf_fail[KM_SPF_FAIL_PTL_BUSY],
		      all.spf_fail[KM_SPF_FAIL_NO_VMA], all.spf_fail[KM_SPF_FAIL_FILE],
		      ms.grace_periods);
	km_spf_mm_destroy(sh.mm);
	km_file_put(sh.file);
}

static void test_hammer_speculative(void **state)
{
	hammer(KM_SPF_SPECULATIVE);
}

static void test_hammer_classic(void **state)
{
	hammer(KM_SPF_CLASSIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hammer_speculative),
		cmocka_unit_test(test_hammer_classic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
