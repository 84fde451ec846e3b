// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the x86-64 geometry and the vmalloc <-> PGD sync model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "impl/vmalloc_sync.h"
#include "variant_test.h"
#include "vmalloc_sync_modes.h"

#define STACK_SIZE	(16UL * 1024)
#define STACK_LAZY	(STACK_SIZE / PAGE_SIZE + 1)	/* the guard page counts */

static struct km_vs_kernel *make_kernel(void **state, unsigned int lazy_cpus)
{
	const struct mode *m = *state;
	struct km_vs_config cfg = {
		.variant = m->variant,
		.levels = m->levels,
		.lazy_cpus = lazy_cpus,
	};
	struct km_vs_kernel *k = km_vs_create(&cfg);

	assert_non_null(k);
	return k;
}

static struct km_vs_stats stats_of(struct km_vs_kernel *k)
{
	struct km_vs_stats s;

	km_vs_get_stats(k, &s);
	return s;
}

/* ---- geometry ------------------------------------------------------------ */

/* x86-64's layouts, Documentation/arch/x86/x86_64/mm.rst. */
struct geometry_case {
	int levels, pgdir_shift, ptrs_per_p4d;
	unsigned long vmalloc_start, vmalloc_end, page_offset, top_user;
	int vmalloc_pgd, vmalloc_pgds;	/* its first PGD slot, and how many */
};

static const struct geometry_case geometry_cases[] = {
	/* 32 TiB of vmalloc space in 64 slots of 512 GiB */
	{ 4, 39, 1, 0xffffc90000000000UL, 0xffffe8ffffffffffUL, 0xffff888000000000UL,
	  0x00007fffffffffffUL, 402, 64 },
	/* 12800 TiB in 50 slots of 256 TiB */
	{ 5, 48, 512, 0xffa0000000000000UL, 0xffd1ffffffffffffUL, 0xff11000000000000UL,
	  0x00ffffffffffffffUL, 416, 50 },
};

static void test_geometry(void **state)
{
	for (size_t i = 0; i < sizeof(geometry_cases) / sizeof(geometry_cases[0]); i++) {
		const struct geometry_case *c = &geometry_cases[i];
		struct km_pgtable_geometry g = km_geometry(c->levels);
		unsigned long slot = 1UL << c->pgdir_shift;

		assert_int_equal(g.levels, c->levels);
		assert_int_equal(g.pgdir_shift, c->pgdir_shift);
		assert_true(g.pgdir_size == slot);
		assert_true(g.pgdir_mask == ~(slot - 1));
		assert_int_equal(g.ptrs_per_p4d, c->ptrs_per_p4d);
		assert_true(g.vmalloc_start == c->vmalloc_start);
		assert_true(g.vmalloc_end == c->vmalloc_end);
		assert_true(g.vmalloc_end - g.vmalloc_start + 1 == c->vmalloc_pgds * slot);
		assert_true(g.page_offset == c->page_offset);
		assert_int_equal(km_pgd_index(&g, g.vmalloc_start), c->vmalloc_pgd);
		assert_int_equal(km_pgd_index(&g, g.vmalloc_end),
				 c->vmalloc_pgd + c->vmalloc_pgds - 1);
		assert_int_equal(g.kernel_pgd_boundary, 273);
		assert_int_equal(km_pgd_index(&g, g.page_offset), g.kernel_pgd_boundary);
		assert_int_equal(km_pgd_index(&g, ~0UL), 511);
		assert_int_equal(km_pgd_index(&g, c->top_user), 255);
	}
}

static void test_geometry_rejects_other_levels(void **state)
{
	struct km_vs_config cfg = { .variant = KM_VS_OLD, .levels = 3 };

	(void)state;
	assert_int_equal(km_geometry(3).levels, 0);
	assert_int_equal(km_geometry(0).levels, 0);
	assert_null(km_vs_create(&cfg));
	cfg.levels = 4;
	cfg.variant = (enum km_vs_variant)7;
	assert_null(km_vs_create(&cfg));
}

/* ---- the model ----------------------------------------------------------- */

static void test_lazy_max_pages(void **state)
{
	struct km_vs_kernel *k;
	const unsigned int cpus[] = { 1, 2, 3, 4, 64 };
	const unsigned long pages[] = { 8192, 16384, 16384, 24576, 7 * 8192UL };

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		k = make_kernel(state, cpus[i]);
		assert_int_equal(km_vs_lazy_max_pages(k), pages[i]);
		km_vs_destroy(k);
	}
	k = make_kernel(state, 0);
	assert_int_equal(km_vs_lazy_max_pages(k),
			 fls(num_online_cpus()) * 8192UL);
	km_vs_destroy(k);
}

/*
 * The first vmalloc creates the reference PGD entry: a process forked before
 * gets it from the sync, one forked after from pgd_alloc()'s clone.
 */
static void test_fork_before_and_after_new_pgd_entry(void **state)
{
	struct km_vs_kernel *k = make_kernel(state, 1);
	struct km_mm *before = km_vs_fork(k);
	struct km_mm *after;
	unsigned long a, b;
	struct km_vs_stats s;

	assert_non_null(before);
	assert_int_equal(stats_of(k).syncs, 0);
	assert_int_equal(km_vs_check_pgds(k), 0);

	a = km_vs_vmalloc(k, STACK_SIZE);
	assert_true(a >= km_geometry(((struct mode *)*state)->levels).vmalloc_start);
	s = stats_of(k);
	assert_int_equal(s.syncs, 1);
	assert_int_equal(s.pgds_walked, 1);
	assert_int_equal(s.pgds_set, 1);
	assert_int_equal(km_vs_check_pgds(k), 0);

	after = km_vs_fork(k);
	assert_non_null(after);
	assert_int_equal(km_vs_check_pgds(k), 0);

	/* Same PGD slot: no new entry, no sync, nothing to set. */
	b = km_vs_vmalloc(k, STACK_SIZE);
	assert_true(b != 0 && b != a);
	s = stats_of(k);
	assert_int_equal(s.syncs, 1);
	assert_int_equal(s.pgds_set, 1);
	assert_int_equal(km_vs_check_pgds(k), 0);

	km_vs_vfree(k, a);
	km_vs_vfree(k, b);
	km_vs_exit(k, before);
	km_vs_exit(k, after);
	assert_int_equal(km_vs_nr_pgds(k), 0);
	km_vs_destroy(k);
}

/*
 * The purge runs on the vfree that takes vmap_lazy_nr past lazy_max_pages(),
 * not one earlier; it syncs in OLD only.  With 28 KiB areas (8 lazy pages)
 * the count lands exactly on lazy_max_pages() one free before the purge.
 */
static void check_purge_at_threshold(void **state, unsigned long size)
{
	const struct mode *m = *state;
	struct km_vs_kernel *k = make_kernel(state, 1);
	unsigned long lazy = size / PAGE_SIZE + 1;
	unsigned long lazy_max = km_vs_lazy_max_pages(k);
	unsigned long n = lazy_max / lazy + 1;	/* the first count > max */
	unsigned long *addr = calloc(n, sizeof(*addr));
	struct km_mm *mm = km_vs_fork(k);
	struct km_vs_stats s;

	assert_non_null(addr);
	assert_true((n - 1) * lazy <= lazy_max && n * lazy > lazy_max);
	for (unsigned long i = 0; i < n; i++) {
		addr[i] = km_vs_vmalloc(k, size);
		assert_true(addr[i] != 0);
		km_vs_touch(k, addr[i], size);
	}
	assert_int_equal(stats_of(k).syncs, 1);	/* the first mapping */

	for (unsigned long i = 0; i + 1 < n; i++)
		km_vs_vfree(k, addr[i]);
	s = stats_of(k);
	assert_int_equal(s.purges, 0);
	assert_int_equal(s.syncs, 1);

	km_vs_vfree(k, addr[n - 1]);
	s = stats_of(k);
	assert_int_equal(s.purges, 1);
	assert_int_equal(s.syncs, m->variant == KM_VS_OLD ? 2 : 1);
	assert_int_equal(s.pgds_walked, m->variant == KM_VS_OLD ? 2 : 1);
	assert_int_equal(s.pgds_set, 1);
	assert_int_equal(s.vfrees, n);
	assert_int_equal(km_vs_check_pgds(k), 0);

	/* The count restarted: as many frees again purge exactly once more. */
	for (unsigned long i = 0; i < n; i++)
		addr[i] = km_vs_vmalloc(k, size);
	for (unsigned long i = 0; i + 1 < n; i++)
		km_vs_vfree(k, addr[i]);
	assert_int_equal(stats_of(k).purges, 1);
	km_vs_vfree(k, addr[n - 1]);
	assert_int_equal(stats_of(k).purges, 2);
	assert_int_equal(stats_of(k).syncs, m->variant == KM_VS_OLD ? 3 : 1);

	km_vs_exit(k, mm);
	free(addr);
	km_vs_destroy(k);
}

static void test_lazy_purge_at_threshold(void **state)
{
	check_purge_at_threshold(state, STACK_SIZE);
	check_purge_at_threshold(state, 7 * PAGE_SIZE);
}

/* A vfreed area is not reused before the purge, and is reused after it. */
static void test_area_reused_only_after_purge(void **state)
{
	struct km_vs_kernel *k = make_kernel(state, 1);
	unsigned long n = km_vs_lazy_max_pages(k) / STACK_LAZY + 1;
	unsigned long first, again, i;

	first = km_vs_vmalloc(k, STACK_SIZE);
	km_vs_vfree(k, first);
	again = km_vs_vmalloc(k, STACK_SIZE);
	assert_true(again != first);
	km_vs_vfree(k, again);

	/* n frees in all cross the threshold: purge, and first is free. */
	for (i = 2; i < n; i++)
		km_vs_vfree(k, km_vs_vmalloc(k, STACK_SIZE));
	assert_int_equal(stats_of(k).purges, 1);

	for (i = 0; i < n; i++) {
		unsigned long a = km_vs_vmalloc(k, STACK_SIZE);

		if (a == first)
			break;
	}
	assert_true(i < n);
	km_vs_destroy(k);
}

/* Every sync visits each live process once per populated PGD slot. */
static void test_pgds_walked_per_sync(void **state)
{
	const struct mode *m = *state;
	struct km_vs_kernel *k = make_kernel(state, 1);
	unsigned long n = km_vs_lazy_max_pages(k) / STACK_LAZY + 1;
	struct km_mm *mm[40];
	struct km_vs_stats s;
	unsigned long a;
	int i;

	for (i = 0; i < 10; i++)
		mm[i] = km_vs_fork(k);
	a = km_vs_vmalloc(k, STACK_SIZE);	/* sync over 10 processes */
	s = stats_of(k);
	assert_int_equal(s.pgds_walked, 10);
	assert_int_equal(s.pgds_set, 10);

	for (i = 10; i < 40; i++)
		mm[i] = km_vs_fork(k);
	for (i = 0; i < 40; i += 4)
		km_vs_exit(k, mm[i]);
	assert_int_equal(km_vs_nr_pgds(k), 30);

	km_vs_vfree(k, a);
	for (unsigned long j = 1; j < n; j++)
		km_vs_vfree(k, km_vs_vmalloc(k, STACK_SIZE));
	s = stats_of(k);
	assert_int_equal(s.purges, 1);
	if (m->variant == KM_VS_OLD) {
		assert_int_equal(s.syncs, 2);
		assert_int_equal(s.pgds_walked, 10 + 30);
	} else {
		assert_int_equal(s.syncs, 1);
		assert_int_equal(s.pgds_walked, 10);
	}
	assert_int_equal(s.pgds_set, 10);	/* the later forks cloned it */
	assert_int_equal(km_vs_check_pgds(k), 0);

	for (i = 0; i < 40; i++) {
		if (i % 4)
			km_vs_exit(k, mm[i]);
	}
	s = stats_of(k);
	assert_int_equal(s.forks, 40);
	assert_int_equal(s.exits, 40);
	assert_int_equal(km_vs_nr_pgds(k), 0);
	km_vs_destroy(k);
}

/* Area i, with its guard page, overlaps no other live area. */
static void assert_no_overlap(const unsigned long *area, const unsigned long *len,
			      int n, int i)
{
	unsigned long end_i = area[i] + len[i] + PAGE_SIZE;

	for (int j = 0; j < n; j++) {
		if (j == i || !area[j])
			continue;
		assert_true(end_i <= area[j] || area[j] + len[j] + PAGE_SIZE <= area[i]);
	}
}

/* A mixed, deterministic history of fork/vmalloc/touch/vfree/exit. */
static void test_mixed_sequence_keeps_invariant(void **state)
{
	struct km_vs_kernel *k = make_kernel(state, 1);
	struct km_mm *mm[64] = { NULL };
	unsigned long area[64] = { 0 };
	unsigned long len[64] = { 0 };
	long live = 0, forks = 0, exits = 0, vmallocs = 0, vfrees = 0;
	unsigned int rnd = 12345;
	struct km_vs_stats s;

	for (int step = 0; step < 40000; step++) {
		unsigned int slot, op;

		rnd = rnd * 1103515245 + 12345;
		slot = (rnd >> 8) % 64;
		op = (rnd >> 20) % 4;
		if (op == 0 && !mm[slot]) {
			mm[slot] = km_vs_fork(k);
			assert_non_null(mm[slot]);
			live++;
			forks++;
		} else if (op == 1 && mm[slot]) {
			km_vs_exit(k, mm[slot]);
			mm[slot] = NULL;
			live--;
			exits++;
		} else if (op == 2 && !area[slot]) {
			/* 1 to 8 pages: the free list must split and fit */
			unsigned long size = (1 + (rnd >> 12) % 8) * PAGE_SIZE - 100;

			area[slot] = km_vs_vmalloc(k, size);
			len[slot] = size;
			assert_true(area[slot] != 0);
			assert_no_overlap(area, len, 64, slot);
			km_vs_touch(k, area[slot], size);
			vmallocs++;
		} else if (op == 3 && area[slot]) {
			km_vs_vfree(k, area[slot]);
			area[slot] = 0;
			vfrees++;
		}
		if (step % 1000 == 0)
			assert_int_equal(km_vs_check_pgds(k), 0);
	}
	s = stats_of(k);
	assert_int_equal(s.forks, forks);
	assert_int_equal(s.exits, exits);
	assert_int_equal(s.vmallocs, vmallocs);
	assert_int_equal(s.vfrees, vfrees);
	assert_true(s.purges > 0);
	assert_int_equal(km_vs_nr_pgds(k), live);
	assert_int_equal(km_vs_check_pgds(k), 0);
	km_vs_destroy(k);	/* frees the live areas and processes too */
}

/*
 * vfree(0) does nothing; vfree of an unknown address changes nothing (and
 * prints the model's WARNING on stderr, as the kernel would).
 */
static void test_vfree_of_nothing(void **state)
{
	struct km_vs_kernel *k = make_kernel(state, 1);
	unsigned long a = km_vs_vmalloc(k, STACK_SIZE);

	km_vs_vfree(k, 0);
	km_vs_vfree(k, a + PAGE_SIZE);
	assert_int_equal(stats_of(k).vfrees, 0);
	assert_int_equal(km_vs_vmalloc(k, 0), 0);
	km_vs_vfree(k, a);
	assert_int_equal(stats_of(k).vfrees, 1);
	km_vs_destroy(k);
}

/* Two kernels side by side share nothing. */
static void test_kernels_are_independent(void **state)
{
	struct km_vs_kernel *k1 = make_kernel(state, 1);
	struct km_vs_kernel *k2 = make_kernel(state, 1);
	struct km_mm *mm = km_vs_fork(k1);

	km_vs_vmalloc(k1, STACK_SIZE);
	assert_int_equal(km_vs_nr_pgds(k1), 1);
	assert_int_equal(km_vs_nr_pgds(k2), 0);
	assert_int_equal(stats_of(k2).vmallocs, 0);
	assert_int_equal(stats_of(k2).syncs, 0);
	km_vs_exit(k1, mm);
	km_vs_destroy(k1);
	km_vs_destroy(k2);
}

#define MODEL_TESTS(m)						\
	FL_VARIANT_TEST(test_lazy_max_pages, m),				\
	FL_VARIANT_TEST(test_fork_before_and_after_new_pgd_entry, m),	\
	FL_VARIANT_TEST(test_lazy_purge_at_threshold, m),			\
	FL_VARIANT_TEST(test_area_reused_only_after_purge, m),		\
	FL_VARIANT_TEST(test_pgds_walked_per_sync, m),			\
	FL_VARIANT_TEST(test_mixed_sequence_keeps_invariant, m),		\
	FL_VARIANT_TEST(test_vfree_of_nothing, m),				\
	FL_VARIANT_TEST(test_kernels_are_independent, m)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_geometry_rejects_other_levels),
		MODEL_TESTS(old4),
		MODEL_TESTS(new4),
		MODEL_TESTS(old5),
		MODEL_TESTS(new5),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
