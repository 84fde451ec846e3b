// SPDX-License-Identifier: GPL-2.0
/*
 * notifier_invalidate: a device's TLB flush, D us long, waited for under the
 * page-table lock (old) or outside it (new), while F threads fault under
 * that same lock (seed 004; impl/mmu_notifier.h).
 *
 * Shim: one invalidator thread, for T ms a round, unmaps, copies on write
 * and splits, in turn, pages of the device's range (the table's first N
 * pages), after mapping each again for the device to read; F faulter
 * threads fault their own pages of the same table, on other CPUs, until the
 * invalidator's round is over.  Each path's PT-lock hold and its whole
 * latency (the device's wait in it) are kept for the repetition's
 * percentiles; the time spent spinning (faulters for the lock, the device
 * for its flush under the lock) is summed.
 *
 * Kmod (kmod/wl_notifier.c): a real mmu notifier on this process's mm, and
 * the real kernel's invalidations: workloads/cow_target.h's writer forks and
 * copies on write the N pages of its region (the device's range), F threads
 * fault in the same page table, and the module counts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "bench/err.h"
#include "bench/measure/clock.h"
#include "cow_target.h"
#include "impl/mmu_notifier.h"
#include "pool.h"
#include "samples.h"
#include "workload.h"

static const char *const variants[] = { "old", "new", NULL };

static const struct fl_param params[] = {
	{ "D", "us the device takes to flush its TLB", 10, 0, 1000 },
	{ "F", "threads faulting in the same page table", 1, 1, 64 },
	{ "N", "pages the device has mapped (kmod: the writer copies each per fork)", 256, 1,
	  KM_MN_PTRS / 2 },
	{ "T", "ms a round lasts", 5, 1, 1000 },
	{ NULL }
};

enum {
	HOLD_P50, HOLD_P99, HOLD_MAX, OP_P50, OP_P99, FAULTS, OPS, INVALIDATIONS, SPINNING,
	LOCKED_WAITS, LOCKED_WAIT_P99, STALE, EARLY_FREES, PAIRING,
};

static const struct fl_metric metrics[] = {
	/* the invalidating paths' holds of the PT lock */
	[HOLD_P50] = { "ptl_hold_us_p50", "us", FL_SUMMARY, 1, false, FL_SHIM },
	[HOLD_P99] = { "ptl_hold_us_p99", "us", FL_SUMMARY, 1, false, FL_SHIM },
	[HOLD_MAX] = { "ptl_hold_us_max", "us", FL_SUMMARY, 1, false, FL_SHIM },
	/* an unmap, COW or split, start to end: the zap latency */
	[OP_P50] = { "zap_us_p50", "us", FL_SUMMARY, 1, false, FL_SHIM },
	[OP_P99] = { "zap_us_p99", "us", FL_SUMMARY, 1, false, FL_SHIM },
	/* kmod: the page faults of every thread but the writer */
	[FAULTS] = { "faults_per_s", "faults/s", FL_RATE, 1, true, FL_SHIM | FL_KMOD },
	/* kmod: the writer's faults (its copies on write) */
	[OPS] = { "invalidator_ops_per_s", "ops/s", FL_RATE, 1, true, FL_SHIM | FL_KMOD },
	/* flushes of the device's TLB */
	[INVALIDATIONS] = { "invalidations_per_s", "flushes/s", FL_RATE, 1, true,
			    FL_SHIM | FL_KMOD },
	/* CPU time spent spinning: for the PT lock, and the device under it */
	[SPINNING] = { "spinning_cpus", "CPU s/s", FL_RATE, 1, false, FL_SHIM },
	/* the device's waits made with a spinlock held: old one a flush, new none */
	[LOCKED_WAITS] = { "locked_waits_per_s", "waits/s", FL_RATE, 1, false,
			   FL_SHIM | FL_KMOD },
	/* kmod: the p99 over flushes of the time waited with the PT lock held */
	[LOCKED_WAIT_P99] = { "locked_wait_ns_p99", "ns", FL_SUMMARY, 1, false, FL_KMOD },
	/* correctness, all must be 0 */
	[STALE] = { "stale_reads", "reads", FL_SUMMARY, 1, false, FL_SHIM },
	[EARLY_FREES] = { "early_frees", "pages", FL_SUMMARY, 1, false, FL_SHIM },
	[PAIRING] = { "pairing_errors", "ends", FL_SUMMARY, 1, false, FL_SHIM | FL_KMOD },
	{ NULL }
};

struct invalidate {
	struct km_mn_mm mm;
	struct km_mn_device dev;
	struct fl_pool *invalidator, *faulters;
	long nr_pages, round_ms;
	double tsc_hz;
	int stop;
	unsigned long next;		/* the invalidator's next path and page */
	struct fl_samples hold, latency;	/* cycles, one per path run */
	struct cow_target cow;		/* kmod */
};

static unsigned long device_page(const struct invalidate *s, unsigned long k)
{
	return KM_MN_BASE + (k % (unsigned long)s->nr_pages) * PAGE_SIZE;
}

static int record(struct invalidate *s, u64 hold, u64 latency)
{
	int err = fl_samples_add(&s->hold, hold);

	return err ? err : fl_samples_add(&s->latency, latency);
}

/* Maps the page and has the device read it: a translation to invalidate. */
static int map_for_device(struct invalidate *s, unsigned long addr, struct km_mn_op *op)
{
	unsigned long data;
	int err, tries;

	err = km_mn_handle_fault(&s->mm, addr, op);
	if (err)
		return fl_fail(-err, "notifier_invalidate: fault: out of memory");
	/* only this thread invalidates the device's range: a retry is rare */
	for (tries = 0; tries < 1000; tries++) {
		err = km_mn_device_read(&s->dev, &s->mm, addr, &data);
		if (err != -EAGAIN)
			break;
	}
	if (err)
		return fl_fail(-err, "notifier_invalidate: the device cannot read %#lx", addr);
	return 0;
}

/* One unmap, COW or split, timed, after the page is mapped for the device. */
static int invalidate_one(struct invalidate *s, u64 *waited)
{
	unsigned long k = s->next++, addr = device_page(s, k);
	struct km_mn_op op = { 0 };
	u64 t0, t1;
	int err;

	err = map_for_device(s, addr, &op);
	if (err)
		return err;
	*waited += op.wait_cycles;
	op = (struct km_mn_op){ 0 };
	t0 = fl_clock_begin();
	switch (k % 3) {
	case 0:
		err = km_mn_try_to_unmap_one(&s->mm, addr, &op);
		break;
	case 1:
		err = km_mn_do_wp_page(&s->mm, addr, &op);
		break;
	default:
		km_mn_split_huge_pmd(&s->mm, &op);
	}
	t1 = fl_clock_end();
	if (err)
		return fl_fail(-err, "notifier_invalidate: path %lu at %#lx failed", k % 3, addr);
	*waited += op.wait_cycles;
	return record(s, op.hold_cycles, t1 - t0);
}

static int invalidator_work(void *arg, int index, struct fl_round *acc)
{
	struct invalidate *s = arg;
	u64 end = fl_clock_begin() + (u64)(s->tsc_hz * (double)s->round_ms / 1000);
	long flushes = atomic_long_read(&s->dev.invalidations);
	long spun = atomic_long_read(&s->dev.locked_wait_cycles);
	long locked = atomic_long_read(&s->dev.locked_waits);
	u64 waited = 0;
	int err;

	/* the device's completion wakes a sleeper at once, not 50 us later */
	prctl(PR_SET_TIMERSLACK, 1UL);
	do {
		err = invalidate_one(s, &waited);
		if (err)
			return err;
		acc->metric[OPS]++;
	} while (fl_clock_end() < end);
	acc->metric[INVALIDATIONS] += (double)(atomic_long_read(&s->dev.invalidations) - flushes);
	acc->metric[LOCKED_WAITS] += (double)(atomic_long_read(&s->dev.locked_waits) - locked);
	spun = atomic_long_read(&s->dev.locked_wait_cycles) - spun;
	acc->metric[SPINNING] += ((double)spun + (double)waited) / s->tsc_hz;
	return 0;
}

/* Faults its own page of the same table until the invalidator's round ends. */
static int faulter_work(void *arg, int index, struct fl_round *acc)
{
	struct invalidate *s = arg;
	unsigned long addr = KM_MN_BASE + (KM_MN_PTRS / 2 + index) * PAGE_SIZE;
	struct km_mn_op op = { 0 };
	long n = 0;
	int err;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		err = km_mn_handle_fault(&s->mm, addr, &op);
		if (err)
			return fl_fail(-err, "notifier_invalidate: fault: out of memory");
		n++;
	}
	acc->metric[FAULTS] += (double)n;
	acc->metric[SPINNING] += (double)op.wait_cycles / s->tsc_hz;
	return 0;
}

static int setup_kmod(struct fl_instance *in, struct invalidate *s)
{
	int err = cow_target_start(&s->cow, fl_param(in, "N"), fl_param(in, "F"));

	if (err)
		return err;
	in->target_tid = s->cow.writer_tid;
	in->target_addr = (unsigned long)s->cow.region;
	return 0;
}

static int setup(struct fl_instance *in)
{
	struct invalidate *s = in->priv;
	long f = fl_param(in, "F");
	int err;

	if (in->backend == FL_KMOD)
		return setup_kmod(in, s);
	s->nr_pages = fl_param(in, "N");
	s->round_ms = fl_param(in, "T");
	s->tsc_hz = fl_tsc_hz();
	km_mn_mm_init(&s->mm, !strcmp(in->variant, "old"));
	km_mn_device_init(&s->dev, (unsigned long)fl_param(in, "D") * 1000);
	km_mmu_notifier_register(&s->dev.mn, &s->mm);
	/* the invalidator on the first PU, the faulters on the others */
	err = fl_pool_start(&s->invalidator, 1, 0, invalidator_work, s);
	if (!err)
		err = fl_pool_start(&s->faulters, (int)f, 1, faulter_work, s);
	return err;
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct invalidate *s = in->priv;
	int err, ferr;

	fl_pool_kick(s->faulters);
	fl_pool_kick(s->invalidator);
	err = fl_pool_wait(s->invalidator, acc);
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	ferr = fl_pool_wait(s->faulters, acc);
	__atomic_store_n(&s->stop, 0, __ATOMIC_RELEASE);
	return err ? err : ferr;
}

/* The nearest-rank percentile of sorted cycle counts, in us. */
static double percentile_us(const struct invalidate *s, const struct fl_samples *v, double p)
{
	return fl_samples_percentile(v, p) / s->tsc_hz * 1e6;
}

static void finish(struct fl_instance *in, struct fl_round *acc)
{
	struct invalidate *s = in->priv;

	if (in->backend != FL_SHIM || !s->hold.n)
		return;
	fl_samples_sort(&s->hold);
	fl_samples_sort(&s->latency);
	acc->metric[HOLD_P50] = percentile_us(s, &s->hold, 50);
	acc->metric[HOLD_P99] = percentile_us(s, &s->hold, 99);
	acc->metric[HOLD_MAX] = percentile_us(s, &s->hold, 100);
	acc->metric[OP_P50] = percentile_us(s, &s->latency, 50);
	acc->metric[OP_P99] = percentile_us(s, &s->latency, 99);
	acc->metric[STALE] = (double)atomic_long_read(&s->dev.stale_reads);
	acc->metric[EARLY_FREES] = (double)atomic_long_read(&s->mm.st.early_frees);
	acc->metric[PAIRING] = (double)atomic_long_read(&s->dev.pairing_errors);
}

static void teardown(void *priv)
{
	struct invalidate *s = priv;

	cow_target_stop(&s->cow);
	fl_pool_stop(s->invalidator);
	fl_pool_stop(s->faulters);
	km_mn_mm_destroy(&s->mm);
	fl_samples_free(&s->hold);
	fl_samples_free(&s->latency);
}

const struct fl_workload fl_wl_notifier_invalidate = {
	.name = "notifier_invalidate",
	.help = "a device's D us TLB flush under the PT lock (old) or outside it (new), "
		"F threads faulting",
	.backends = FL_SHIM | FL_KMOD,
	.kmod_target = true,
	.variants = variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct invalidate),
	.setup = setup,
	.round = round_fn,
	.finish = finish,
	.teardown = teardown,
};
