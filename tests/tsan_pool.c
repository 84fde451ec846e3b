// SPDX-License-Identifier: GPL-2.0
/*
 * The workloads' worker pool (workloads/pool.c), built with ThreadSanitizer:
 * rounds of work meet the caller at the barriers, each worker's accumulator
 * is summed exactly once per round, the first failure is the one reported
 * (with its worker and message), and a pool stopped at once, or one whose
 * workers do nothing, leaves cleanly.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "bench/err.h"
#include "bench/measure/topology.h"
#include "workloads/pool.h"

#define WORKERS	4
#define ROUNDS	200

struct shared {
	long round;		/* written by the caller between rounds only */
	long calls;		/* every worker's calls, atomically */
	long per_worker[WORKERS];	/* each worker's own: no race */
	int fail_at;		/* the round in which worker 2 fails, or -1 */
};

static int work(void *arg, int index, struct fl_round *acc)
{
	struct shared *sh = arg;

	__atomic_fetch_add(&sh->calls, 1, __ATOMIC_RELAXED);
	sh->per_worker[index]++;
	acc->metric[0] += 1;
	acc->metric[1] += (double)sh->round;	/* read while the caller waits */
	if (index == 2 && sh->round == sh->fail_at)
		return fl_fail(EIO, "failed on purpose in round %ld", sh->round);
	return 0;
}

static void test_rounds_and_sums(void **state)
{
	struct shared sh = { .fail_at = -1 };
	struct fl_pool *p;

	assert_int_equal(fl_pool_start(&p, WORKERS, 0, work, &sh), 0);
	for (sh.round = 0; sh.round < ROUNDS; sh.round++) {
		struct fl_round acc = { { 0 } };

		fl_pool_kick(p);
		assert_int_equal(fl_pool_wait(p, &acc), 0);
		assert_true(acc.metric[0] == WORKERS);
		assert_true(acc.metric[1] == (double)(WORKERS * sh.round));
		assert_int_equal(__atomic_load_n(&sh.calls, __ATOMIC_RELAXED),
				 WORKERS * (sh.round + 1));
	}
	fl_pool_stop(p);
	for (int i = 0; i < WORKERS; i++)
		assert_int_equal(sh.per_worker[i], ROUNDS);
}

static void test_failure_is_reported_once(void **state)
{
	struct shared sh = { .fail_at = 5 };
	struct fl_pool *p;
	int err = 0;

	assert_int_equal(fl_pool_start(&p, WORKERS, 0, work, &sh), 0);
	for (sh.round = 0; sh.round < 10; sh.round++) {
		fl_pool_kick(p);
		err = fl_pool_wait(p, NULL);
		if (sh.round == 5) {
			assert_int_equal(err, -EIO);
			assert_non_null(strstr(fl_errmsg(), "worker 2: failed on purpose in round 5"));
		} else {
			assert_int_equal(err, 0);
		}
	}
	fl_pool_stop(p);
}

static int idle(void *arg, int index, struct fl_round *acc)
{
	return 0;
}

static void test_stop_at_once(void **state)
{
	struct fl_pool *p;

	for (int i = 0; i < 20; i++) {
		assert_int_equal(fl_pool_start(&p, WORKERS, 0, idle, NULL), 0);
		fl_pool_stop(p);
	}
	fl_pool_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rounds_and_sums),
		cmocka_unit_test(test_failure_is_reported_once),
		cmocka_unit_test(test_stop_at_once),
	};

	if (fl_topo_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
