// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_topology.c - bench/measure/topology.c counts and pins within the CPUs
 * the process may use, checked against sched_getaffinity()/sched_getcpu().
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bench/err.h"
#include "bench/measure/topology.h"

static cpu_set_t start_mask;	/* the affinity the tests began with */

static void get_mask(cpu_set_t *set)
{
	CPU_ZERO(set);
	assert_int_equal(sched_getaffinity(0, sizeof(*set), set), 0);
}

/* The n-th CPU of set, counting from 0. */
static int nth_cpu(const cpu_set_t *set, int n)
{
	int cpu;

	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set) && n-- == 0)
			return cpu;
	fail_msg("no CPU %d in the mask", n);
	return -1;
}

/* Pinned to exactly cpu, and running there. */
static void assert_pinned(int cpu)
{
	cpu_set_t now;

	get_mask(&now);
	assert_int_equal(CPU_COUNT(&now), 1);
	assert_true(CPU_ISSET(cpu, &now));
	assert_int_equal(sched_getcpu(), cpu);
}

static int setup(void **state)
{
	CPU_ZERO(&start_mask);
	if (sched_getaffinity(0, sizeof(start_mask), &start_mask))
		return -1;
	return fl_topo_init();
}

static int teardown(void **state)
{
	fl_topo_fini();
	return sched_setaffinity(0, sizeof(start_mask), &start_mask);
}

static void test_npus(void **state)
{
	assert_true(fl_topo_npus() >= 1);
	assert_int_equal(fl_topo_npus(), CPU_COUNT(&start_mask));
}

static void test_describe(void **state)
{
	char buf[256], tiny[8];

	memset(buf, 'x', sizeof(buf));
	fl_topo_describe(buf, sizeof(buf));
	print_message("# %s\n", buf);
	assert_true(strlen(buf) > 0 && strlen(buf) < sizeof(buf));
	assert_non_null(strstr(buf, "package"));
	assert_non_null(strstr(buf, "core"));
	assert_non_null(strstr(buf, "PU"));
	/* Truncated, still a string. */
	fl_topo_describe(tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

static void test_pin_unpin(void **state)
{
	int npus = fl_topo_npus();
	cpu_set_t now;

	assert_int_equal(fl_topo_pin_self(0), 0);
	assert_pinned(nth_cpu(&start_mask, 0));
	assert_int_equal(fl_topo_pin_self(npus - 1), 0);
	assert_pinned(nth_cpu(&start_mask, npus - 1));
	/* Wraps round. */
	assert_int_equal(fl_topo_pin_self(npus + 1), 0);
	assert_pinned(nth_cpu(&start_mask, 1 % npus));

	assert_int_equal(fl_topo_unpin_self(), 0);
	get_mask(&now);
	assert_true(CPU_EQUAL(&now, &start_mask));
}

/* Under a narrower affinity (taskset), that is all there is. */
static void test_restricted(void **state)
{
	int last = nth_cpu(&start_mask, CPU_COUNT(&start_mask) - 1);
	char buf[256];
	cpu_set_t one, now;

	CPU_ZERO(&one);
	CPU_SET(last, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	fl_topo_fini();
	assert_int_equal(fl_topo_init(), 0);

	assert_int_equal(fl_topo_npus(), 1);
	fl_topo_describe(buf, sizeof(buf));
	print_message("# %s\n", buf);
	if (CPU_COUNT(&start_mask) > 1)
		assert_non_null(strstr(buf, ", 1 allowed"));
	assert_int_equal(fl_topo_pin_self(3), 0);
	assert_pinned(last);
	assert_int_equal(fl_topo_unpin_self(), 0);
	get_mask(&now);
	assert_true(CPU_EQUAL(&now, &one));

	/* Back to where the other tests expect to be. */
	assert_int_equal(sched_setaffinity(0, sizeof(start_mask), &start_mask), 0);
	fl_topo_fini();
	assert_int_equal(fl_topo_init(), 0);
	assert_int_equal(fl_topo_npus(), CPU_COUNT(&start_mask));
}

static void test_not_initialised(void **state)
{
	char buf[64];

	fl_topo_fini();
	assert_int_equal(fl_topo_npus(), -EINVAL);
	assert_non_null(strstr(fl_errmsg(), "not initialised"));
	assert_int_equal(fl_topo_pin_self(0), -EINVAL);
	assert_int_equal(fl_topo_unpin_self(), -EINVAL);
	fl_topo_describe(buf, sizeof(buf));
	assert_true(strlen(buf) > 0);
	assert_int_equal(fl_topo_init(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_npus),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_pin_unpin),
		cmocka_unit_test(test_restricted),
		cmocka_unit_test(test_not_initialised),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
