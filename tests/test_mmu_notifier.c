// SPDX-License-Identifier: GPL-2.0
/*
 * impl/mmu_notifier.c on the shim: after every path, old and new, the device
 * never reads through a stale translation and no page is freed while the
 * device still maps it; old waits for the device with the PT lock held and
 * new never does; start and end name the same range; no translation is made
 * inside a range being invalidated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "impl/mmu_notifier.h"

#define ADDR(i)		(KM_MN_BASE + (unsigned long)(i) * PAGE_SIZE)

enum path { UNMAP, COW, SPLIT };

struct world {
	struct km_mn_mm mm;
	struct km_mn_device dev;
	struct km_mn_op op;
};

static void world_init(struct world *w, bool old, unsigned long delay_ns)
{
	km_mn_mm_init(&w->mm, old);
	km_mn_device_init(&w->dev, delay_ns);
	km_mmu_notifier_register(&w->dev.mn, &w->mm);
	w->op = (struct km_mn_op){ 0 };
}

/* Maps page i and has the device read it, so that it holds a translation. */
static void map_and_read(struct world *w, int i)
{
	unsigned long data = 0;

	assert_int_equal(km_mn_handle_fault(&w->mm, ADDR(i), &w->op), 0);
	assert_int_equal(km_mn_device_read(&w->dev, &w->mm, ADDR(i), &data), 0);
	assert_int_equal(data, ADDR(i));
	assert_true(km_mn_device_mapped(&w->dev, ADDR(i)));
}

static void run_path(struct world *w, enum path p, int i)
{
	switch (p) {
	case UNMAP:
		assert_int_equal(km_mn_try_to_unmap_one(&w->mm, ADDR(i), &w->op), 0);
		break;
	case COW:
		assert_int_equal(km_mn_do_wp_page(&w->mm, ADDR(i), &w->op), 0);
		break;
	case SPLIT:
		km_mn_split_huge_pmd(&w->mm, &w->op);
		break;
	}
}

/* Every path drops the translation before it returns, and frees no page early. */
static void test_no_stale_translation(void **state)
{
	enum path p;
	int old;

	for (old = 0; old <= 1; old++) {
		for (p = UNMAP; p <= SPLIT; p++) {
			struct world w;
			unsigned long data = 0;

			world_init(&w, old, 0);
			map_and_read(&w, 3);
			map_and_read(&w, 4);
			run_path(&w, p, 3);
			assert_false(km_mn_device_mapped(&w.dev, ADDR(3)));
			if (p == UNMAP) {
				assert_int_equal(km_mn_device_read(&w.dev, &w.mm, ADDR(3), &data),
						 -EFAULT);
				assert_int_equal(atomic_long_read(&w.mm.st.pages_freed), 1);
			} else {
				/* the copy, or the same page, read afresh */
				assert_int_equal(km_mn_device_read(&w.dev, &w.mm, ADDR(3), &data), 0);
				assert_int_equal(data, ADDR(3));
			}
			/* only a split's range covers the neighbour */
			assert_int_equal(km_mn_device_mapped(&w.dev, ADDR(4)), p != SPLIT);
			assert_int_equal(atomic_long_read(&w.dev.stale_reads), 0);
			assert_int_equal(atomic_long_read(&w.mm.st.early_frees), 0);
			assert_int_equal(atomic_long_read(&w.dev.pairing_errors), 0);
			assert_int_equal(w.dev.nr_open, 0);
			km_mn_mm_destroy(&w.mm);
		}
	}
}

/* A COW frees the old page, after its invalidation, and maps its copy. */
static void test_cow_frees_old_page_after(void **state)
{
	int old;

	for (old = 0; old <= 1; old++) {
		struct world w;
		struct km_mn_page *before;

		world_init(&w, old, 0);
		map_and_read(&w, 7);
		before = w.mm.pte[7];
		run_path(&w, COW, 7);
		assert_ptr_not_equal(w.mm.pte[7], before);
		assert_int_equal(atomic_long_read(&w.mm.st.pages_freed), 1);
		assert_int_equal(atomic_long_read(&w.mm.st.early_frees), 0);
		km_mn_mm_destroy(&w.mm);
	}
}

/*
 * Old waits for the device with the PT lock held on every path (spinning);
 * new never does (it sleeps).  One wait per invalidation either way.
 */
static void test_where_the_device_waits(void **state)
{
	enum path p;
	int old;

	for (old = 0; old <= 1; old++) {
		struct world w;

		world_init(&w, old, 2000);
		for (p = UNMAP; p <= SPLIT; p++) {
			map_and_read(&w, 1);
			run_path(&w, p, 1);
		}
		assert_int_equal(atomic_long_read(&w.dev.invalidations), 3);
		assert_int_equal(atomic_long_read(&w.dev.waits), 3);
		assert_int_equal(atomic_long_read(&w.dev.locked_waits), old ? 3 : 0);
		assert_true(preemptible());
		km_mn_mm_destroy(&w.mm);
	}
}

/* The shim's spinlock turns preemption off, as the kernel's does. */
static void test_spinlock_not_preemptible(void **state)
{
	spinlock_t l;

	spin_lock_init(&l);
	assert_true(preemptible());
	spin_lock(&l);
	assert_false(preemptible());
	spin_unlock(&l);
	assert_true(preemptible());
	assert_true(spin_trylock(&l));
	assert_false(preemptible());
	assert_false(spin_trylock(&l));
	spin_unlock(&l);
	assert_true(preemptible());
}

/* A second notifier, after the device in the chain, that tries to read. */
struct probe {
	struct km_mmu_notifier mn;
	struct km_mn_device *dev;
	int starts, read_err;
};

static void probe_start(struct km_mmu_notifier *mn, struct km_mn_mm *mm, unsigned long start,
			unsigned long end)
{
	struct probe *p = container_of(mn, struct probe, mn);
	unsigned long data;

	p->starts++;
	p->read_err = km_mn_device_read(p->dev, mm, start, &data);
}

static const struct km_mmu_notifier_ops probe_ops = {
	.invalidate_range_start = probe_start,
};

/* Between start and end the device makes no translation in the range. */
static void test_no_translation_inside_open_range(void **state)
{
	int old;

	for (old = 0; old <= 1; old++) {
		struct world w;
		struct probe p = { .mn.ops = &probe_ops };

		world_init(&w, old, 0);
		p.dev = &w.dev;
		km_mmu_notifier_register(&p.mn, &w.mm);
		assert_int_equal(km_mn_handle_fault(&w.mm, KM_MN_BASE, &w.op), 0);
		km_mn_split_huge_pmd(&w.mm, &w.op);
		assert_int_equal(p.starts, 1);
		assert_int_equal(p.read_err, -EAGAIN);
		assert_false(km_mn_device_mapped(&w.dev, KM_MN_BASE));
		assert_int_equal(w.dev.nr_open, 0);
		km_mn_mm_destroy(&w.mm);
	}
}

/* An end that names another range than its start is counted. */
static void test_unpaired_end_counted(void **state)
{
	struct world w;

	world_init(&w, false, 0);
	w.dev.mn.ops->invalidate_range_start(&w.dev.mn, &w.mm, ADDR(0), ADDR(2));
	w.dev.mn.ops->invalidate_range_end(&w.dev.mn, &w.mm, ADDR(0), ADDR(3));
	assert_int_equal(atomic_long_read(&w.dev.pairing_errors), 1);
	assert_int_equal(w.dev.nr_open, 1);
	w.dev.mn.ops->invalidate_range_end(&w.dev.mn, &w.mm, ADDR(0), ADDR(2));
	assert_int_equal(atomic_long_read(&w.dev.pairing_errors), 1);
	assert_int_equal(w.dev.nr_open, 0);
	km_mn_mm_destroy(&w.mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_stale_translation),
		cmocka_unit_test(test_cow_frees_old_page_after),
		cmocka_unit_test(test_where_the_device_waits),
		cmocka_unit_test(test_spinlock_not_preemptible),
		cmocka_unit_test(test_no_translation_inside_open_range),
		cmocka_unit_test(test_unpaired_end_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
