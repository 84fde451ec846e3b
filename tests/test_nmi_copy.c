// SPDX-License-Identifier: GPL-2.0
/*
 * impl/nmi_copy.c on the shim: old and new copy the same bytes wherever a
 * copy starts and ends, each returns its own convention's count across a
 * hole, the fault is real and the fault path takes its steps in its order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "impl/nmi_copy.h"

#define NPAGES	8
#define HOLE	5	/* the page left out of the table, and PROT_NONE */

static unsigned char *region;
static struct page pages[NPAGES];

struct hook_ctx {
	enum km_fault_order order;
	struct km_nc_stats *st;
	unsigned long last_address;
};

static void fault_hook(unsigned long address, void *arg)
{
	struct hook_ctx *h = arg;

	h->last_address = address;
	km_nc_do_page_fault(h->order, address, h->st);
}

static int map_region(void **state)
{
	region = mmap(NULL, NPAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < NPAGES * PAGE_SIZE; i++)
		region[i] = (unsigned char)(i * 7 + i / PAGE_SIZE);
	for (int i = 0; i < NPAGES; i++)
		if (i != HOLE && km_user_map_page((unsigned long)region + i * PAGE_SIZE, &pages[i]))
			return -1;
	return km_user_hole((unsigned long)region + HOLE * PAGE_SIZE);
}

static int unmap_region(void **state)
{
	km_user_unmap_all();
	return munmap(region, NPAGES * PAGE_SIZE);
}

static void assert_refcounts_back(void)
{
	for (int i = 0; i < NPAGES; i++)
		if (i != HOLE)
			assert_int_equal(atomic_read(&pages[i]._refcount), 1);
}

/* Every start in the first pages, every length up to the hole: the same bytes. */
static void test_same_bytes(void **state)
{
	static unsigned char a[HOLE * PAGE_SIZE], b[HOLE * PAGE_SIZE];
	const unsigned long starts[] = { 0, 1, 63, 64, PAGE_SIZE - 1, PAGE_SIZE,
					 PAGE_SIZE + 7, 2 * PAGE_SIZE - 8 };
	const unsigned long lens[] = { 0, 1, 8, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1,
				       2 * PAGE_SIZE + 3, 3 * PAGE_SIZE - 8 };
	struct km_nc_stats st = { 0 };

	for (size_t i = 0; i < sizeof(starts) / sizeof(*starts); i++) {
		for (size_t j = 0; j < sizeof(lens) / sizeof(*lens); j++) {
			const unsigned char *from = region + starts[i];
			unsigned long n = lens[j];

			memset(a, 0xaa, n);
			memset(b, 0x55, n);
			assert_int_equal(km_copy_from_user_nmi_old(a, from, n, &st), n);
			assert_int_equal(km_copy_from_user_nmi_new(b, from, n, &st), 0);
			assert_memory_equal(a, from, n);
			assert_memory_equal(b, from, n);
		}
	}
	assert_int_equal(st.faults, 0);
	assert_refcounts_back();
}

/* Old pins one page per page it copies from. */
static void test_old_pins_per_page(void **state)
{
	static unsigned char buf[3 * PAGE_SIZE];
	struct km_nc_stats st = { 0 };

	km_copy_from_user_nmi_old(buf, region + 100, 2 * PAGE_SIZE, &st);
	assert_int_equal(st.pages_pinned, 3);	/* 100 bytes into page 0, into page 2 */
	km_copy_from_user_nmi_new(buf, region + 100, 2 * PAGE_SIZE, &st);
	assert_int_equal(st.pages_pinned, 3);
	assert_refcounts_back();
}

/*
 * Across the hole: old stops where GUP finds nothing and says how much it
 * copied; new takes a real fault there and says how much it did not.
 */
static void test_hole_counts(void **state)
{
	static unsigned char buf[4 * PAGE_SIZE];
	const unsigned long start = (HOLE - 2) * PAGE_SIZE + 300;
	const unsigned long before_hole = HOLE * PAGE_SIZE - start;
	const unsigned long n = before_hole + 1000;
	struct km_nc_stats st = { 0 };
	struct hook_ctx h = { KM_FAULT_EXIT_FIRST, &st, 0 };

	km_user_set_fault_hook(fault_hook, &h);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(km_copy_from_user_nmi_old(buf, region + start, n, &st), before_hole);
	assert_memory_equal(buf, region + start, before_hole);
	assert_int_equal(st.faults, 0);
	assert_int_equal(st.pages_pinned, 2);	/* pages 3 and 4; GUP finds no 5 */

	memset(buf, 0, sizeof(buf));
	assert_int_equal(km_copy_from_user_nmi_new(buf, region + start, n, &st), n - before_hole);
	assert_memory_equal(buf, region + start, before_hole);
	assert_int_equal(st.faults, 1);
	assert_int_equal(st.atomic_exits, 1);
	assert_int_equal(h.last_address, (unsigned long)region + HOLE * PAGE_SIZE);
	assert_int_equal(st.pages_pinned, 2);
	km_user_set_fault_hook(NULL, NULL);
	assert_refcounts_back();
}

/* A copy that starts in the hole: nothing copied, under each convention. */
static void test_start_in_hole(void **state)
{
	unsigned char buf[64];
	struct km_nc_stats st = { 0 };
	const void *from = region + HOLE * PAGE_SIZE + 8;

	/* cmocka puts its own SIGSEGV handler in for every test */
	km_user_set_fault_hook(NULL, NULL);
	assert_int_equal(km_copy_from_user_nmi_old(buf, from, sizeof(buf), &st), 0);
	assert_int_equal(km_copy_from_user_nmi_new(buf, from, sizeof(buf), &st), sizeof(buf));
	assert_int_equal(st.pages_pinned, 0);
	assert_int_equal(st.faults, 0);		/* no hook: nothing counted */
}

/* Outside the user range: refused before any access. */
static void test_not_user(void **state)
{
	unsigned char buf[16];
	struct km_nc_stats st = { 0 };
	const void *kernel = (const void *)0xffff888000000000UL;

	assert_int_equal(km_copy_from_user_nmi_old(buf, kernel, sizeof(buf), &st), 0);
	assert_int_equal(km_copy_from_user_nmi_new(buf, kernel, sizeof(buf), &st), sizeof(buf));
	assert_int_equal(st.faults, 0);
	assert_int_equal(st.pages_pinned, 0);
}

/*
 * The fault path's order: v3.12 turned irqs on and raised the software event
 * before its atomic exit; v3.13 exits first.  Both exit.
 */
static void test_fault_order(void **state)
{
	unsigned char buf[PAGE_SIZE];
	const void *from = region + HOLE * PAGE_SIZE - 16;
	struct km_nc_stats old = { 0 }, new = { 0 };
	struct hook_ctx h = { KM_FAULT_ACCOUNT_FIRST, &old, 0 };

	km_user_set_fault_hook(fault_hook, &h);
	assert_int_equal(km_copy_from_user_nmi_new(buf, from, sizeof(buf), &old),
			 sizeof(buf) - 16);
	h.order = KM_FAULT_EXIT_FIRST;
	h.st = &new;
	assert_int_equal(km_copy_from_user_nmi_new(buf, from, sizeof(buf), &new),
			 sizeof(buf) - 16);
	km_user_set_fault_hook(NULL, NULL);

	assert_int_equal(old.faults, 1);
	assert_int_equal(old.sw_events, 1);
	assert_int_equal(old.irq_enables, 1);
	assert_int_equal(old.atomic_exits, 1);
	assert_int_equal(new.faults, 1);
	assert_int_equal(new.sw_events, 0);
	assert_int_equal(new.irq_enables, 0);
	assert_int_equal(new.atomic_exits, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes),
		cmocka_unit_test(test_old_pins_per_page),
		cmocka_unit_test(test_hole_counts),
		cmocka_unit_test(test_start_in_hole),
		cmocka_unit_test(test_not_user),
		cmocka_unit_test(test_fault_order),
	};

	return cmocka_run_group_tests(tests, map_region, unmap_region);
}
