// SPDX-License-Identifier: GPL-2.0
/*
 * The vmalloc <-> PGD sync model under concurrency (built with
 * -fsanitize=thread): workers fork, exit, vmalloc, touch and vfree at once,
 * with lazy_max_pages() at its lowest so that purges (and in OLD their syncs)
 * run all the time, racing with pgd_alloc()/pgd_free() on pgd_lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "impl/vmalloc_sync.h"
#include "variant_test.h"
#include "vmalloc_sync_modes.h"

/*
 * No more workers than the machine's 2 CPUs: the user backend's ticket lock
 * convoys when a waiter is preempted (a run takes minutes instead of a
 * second), which a kernel spinlock, preemption off, never does.
 */
#define WORKERS		2
#define STEPS		20000
#define SLOTS		8
#define STACK_SIZE	(16UL * 1024)
#define PREFORKED	4

struct worker {
	pthread_t thread;
	struct km_vs_kernel *k;
	unsigned int seed;
	bool check;		/* check the invariant while running */
	struct km_mm *mm[SLOTS];
	unsigned long area[SLOTS];
	long live;		/* processes of this worker still alive */
	long bad;		/* invariant violations seen while running */
};

static void step(struct worker *w)
{
	unsigned int slot, op;

	w->seed = w->seed * 1103515245 + 12345;
	slot = (w->seed >> 8) % SLOTS;
	op = (w->seed >> 16) % 8;
	if (op == 0 && !w->mm[slot]) {
		w->mm[slot] = km_vs_fork(w->k);
		w->live += w->mm[slot] != NULL;
	} else if (op == 1 && w->mm[slot]) {
		km_vs_exit(w->k, w->mm[slot]);
		w->mm[slot] = NULL;
		w->live--;
	} else if (op < 5 && !w->area[slot]) {
		w->area[slot] = km_vs_vmalloc(w->k, STACK_SIZE);
		if (w->area[slot])
			km_vs_touch(w->k, w->area[slot], STACK_SIZE);
	} else if (op < 7 && w->area[slot]) {
		km_vs_vfree(w->k, w->area[slot]);
		w->area[slot] = 0;
	} else if (op == 7 && w->check) {
		w->bad += km_vs_check_pgds(w->k);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int i;

	/* Cold runs: forks race with the mapping that creates the PGD entry. */
	for (i = 0; !w->check && i < SLOTS / 2; i++) {
		w->mm[i] = km_vs_fork(w->k);
		w->live += w->mm[i] != NULL;
		w->area[i] = km_vs_vmalloc(w->k, STACK_SIZE);
	}
	for (i = 0; i < STEPS; i++)
		step(w);
	/* Leave the processes alive, free the areas: the purges go on. */
	for (i = 0; i < SLOTS; i++) {
		km_vs_vfree(w->k, w->area[i]);
		w->area[i] = 0;
	}
	return NULL;
}

/*
 * warm: one vmalloc before the workers start, so the reference PGD entry
 * exists and every check while running must see no difference.  Cold: a few
 * processes exist before and more are forked while the first mapping
 * creates the entry and syncs it; only the end is checked.
 */
static void run(enum km_vs_variant variant, int levels, bool warm)
{
	struct km_vs_config cfg = { .variant = variant, .levels = levels, .lazy_cpus = 1 };
	struct km_vs_kernel *k = km_vs_create(&cfg);
	struct km_mm *early[PREFORKED];
	struct worker w[WORKERS] = { 0 };
	struct km_vs_stats s;
	long live = 0, bad = 0;
	int i, j;

	assert_non_null(k);
	for (i = 0; i < PREFORKED; i++)
		early[i] = km_vs_fork(k);
	if (warm)
		km_vs_vfree(k, km_vs_vmalloc(k, STACK_SIZE));
	for (i = 0; i < WORKERS; i++) {
		w[i].k = k;
		w[i].seed = 1000 * (i + 1) + levels + 10 * variant;
		w[i].check = warm;
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < WORKERS; i++) {
		pthread_join(w[i].thread, NULL);
		live += w[i].live;
		bad += w[i].bad;
	}

	km_vs_get_stats(k, &s);
	assert_int_equal(bad, 0);
	assert_int_equal(km_vs_nr_pgds(k), live + PREFORKED);
	/* The sync of the new entry reached the processes forked before it. */
	assert_true(s.pgds_set >= PREFORKED);
	assert_int_equal(s.forks - s.exits, live + PREFORKED);
	assert_int_equal(s.vmallocs, s.vfrees);
	assert_int_equal(km_vs_check_pgds(k), 0);
	/* 16 KiB + guard is 5 lazy pages: thousands of frees purge often. */
	assert_true(s.purges >= s.vfrees * 5 / (long)km_vs_lazy_max_pages(k) / 2);
	assert_true(s.purges > 0);
	/* One sync for the one PGD entry ever created, plus one per purge in OLD. */
	assert_int_equal(s.syncs, variant == KM_VS_OLD ? s.purges + 1 : 1);

	for (i = 0; i < WORKERS; i++)
		for (j = 0; j < SLOTS; j++)
			km_vs_exit(k, w[i].mm[j]);
	for (i = 0; i < PREFORKED; i++)
		km_vs_exit(k, early[i]);
	assert_int_equal(km_vs_nr_pgds(k), 0);
	km_vs_destroy(k);
}

/* Each paging mode and variant (vmalloc_sync_modes.h), warm then cold. */
static void test_run(void **state)
{
	const struct mode *m = *state;

	run(m->variant, m->levels, true);
	run(m->variant, m->levels, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FL_VARIANT_TEST(test_run, old4),
		FL_VARIANT_TEST(test_run, new4),
		FL_VARIANT_TEST(test_run, old5),
		FL_VARIANT_TEST(test_run, new5),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
