// SPDX-License-Identifier: GPL-2.0
/*
 * The mmu notifier model under concurrency (built with -fsanitize=thread):
 * one thread unmaps, copies on write and splits the device's pages while
 * another faults them back and reads them through the device, old and new,
 * with a device flush that takes time.  After it all: no read through a stale
 * translation, no page freed while mapped by the device, every end paired
 * with its start and no range left open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "impl/mmu_notifier.h"

/* two threads for the machine's two CPUs (see tsan_vmalloc_sync.c) */
#define STEPS		20000
#define PAGES		8
#define ADDR(i)		(KM_MN_BASE + (unsigned long)(i) * PAGE_SIZE)

struct shared {
	struct km_mn_mm mm;
	struct km_mn_device dev;
	bool done;
};

static unsigned int next(unsigned int *seed)
{
	*seed = *seed * 1103515245 + 12345;
	return *seed >> 8;
}

static void *invalidator(void *arg)
{
	struct shared *s = arg;
	struct km_mn_op op = { 0 };
	unsigned int seed = 1, r;
	int i;

	for (i = 0; i < STEPS; i++) {
		r = next(&seed);
		switch (r % 4) {
		case 0:
			km_mn_try_to_unmap_one(&s->mm, ADDR(r / 4 % PAGES), &op);
			break;
		case 1:
			km_mn_do_wp_page(&s->mm, ADDR(r / 4 % PAGES), &op);
			break;
		case 2:
			if (r / 4 % 16 == 0)	/* splits are rarer */
				km_mn_split_huge_pmd(&s->mm, &op);
			break;
		default:
			assert_int_equal(km_mn_handle_fault(&s->mm, ADDR(r / 4 % PAGES), &op), 0);
		}
	}
	__atomic_store_n(&s->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Faults pages back in and reads them through the device, until the other is done. */
static void *device_user(void *arg)
{
	struct shared *s = arg;
	struct km_mn_op op = { 0 };
	unsigned int seed = 2;
	unsigned long data;
	long reads = 0;
	int i, err;

	while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
		i = next(&seed) % PAGES;
		assert_int_equal(km_mn_handle_fault(&s->mm, ADDR(i), &op), 0);
		err = km_mn_device_read(&s->dev, &s->mm, ADDR(i), &data);
		assert_true(err == 0 || err == -EFAULT || err == -EAGAIN);
		reads += err == 0;
	}
	return (void *)reads;
}

static void run(bool old, unsigned long delay_ns)
{
	struct shared *s = calloc(1, sizeof(*s));
	pthread_t a, b;
	void *reads;

	assert_non_null(s);
	km_mn_mm_init(&s->mm, old);
	km_mn_device_init(&s->dev, delay_ns);
	km_mmu_notifier_register(&s->dev.mn, &s->mm);
	assert_int_equal(pthread_create(&a, NULL, invalidator, s), 0);
	assert_int_equal(pthread_create(&b, NULL, device_user, s), 0);
	pthread_join(a, NULL);
	pthread_join(b, &reads);
	assert_true((long)reads > 0);
	assert_true(atomic_long_read(&s->dev.invalidations) > 0);
	assert_int_equal(atomic_long_read(&s->dev.stale_reads), 0);
	assert_int_equal(atomic_long_read(&s->mm.st.early_frees), 0);
	assert_int_equal(atomic_long_read(&s->dev.pairing_errors), 0);
	assert_int_equal(s->dev.nr_open, 0);
	km_mn_mm_destroy(&s->mm);
	free(s);
}

static void test_old(void **state) { run(true, 0); }
static void test_new(void **state) { run(false, 0); }
/* a flush that takes a microsecond: old spins it under the lock, new sleeps */
static void test_old_slow_device(void **state) { run(true, 1000); }
static void test_new_slow_device(void **state) { run(false, 1000); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old),
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_old_slow_device),
		cmocka_unit_test(test_new_slow_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
