// SPDX-License-Identifier: GPL-2.0
/*
 * fault_scaling: T threads fault their own regions (each page written once,
 * then the region MADV_DONTNEED'd to be faulted again) while W other threads
 * mmap and munmap unrelated read-only regions as fast as they can.  Faults
 * and writers share nothing but mmap_sem (with per-VMA locks, nothing at
 * all), so faults/s against T shows what the lock costs.
 *
 * The writers' mappings are read-only so that they never merge with the
 * faulters' writable VMA: unrelated in the kernel's eyes too.
 */
#include <errno.h>
#include <stdlib.h>

#include "bench/err.h"
#include "pool.h"
#include "spf_jobs.h"

struct scaling {
	struct spf_crew crew;		/* T faulters, then W writers */
	struct fl_pool *faulters, *writers;
	long t, w, pages, wpages;
	unsigned long *region;		/* one per faulter */
	int stop;
	struct spf_fault_tally tally;
};

static const struct fl_param params[] = {
	{ "T", "faulting threads", 2, 1, 1024 },
	{ "W", "threads doing mmap/munmap of unrelated regions", 1, 0, 1024 },
	{ "P", "pages each faulter faults per round", 2048, 1, 1 << 20 },
	{ "G", "pages a writer maps at a time", 16, 1, 1 << 20 },
	{ NULL }
};

enum { FAULTS, WRITER_OPS, SPF_SHARE, PER_VMA_LOCKS };

static const struct fl_metric metrics[] = {
	[FAULTS] = { "faults_per_s", "faults/s", FL_RATE, 1, true, FL_ALL_BACKENDS },
	[WRITER_OPS] = { "writer_ops_per_s", "mmap+munmap/s", FL_RATE, 1, true,
			 FL_ALL_BACKENDS },
	/* shim: speculative faults / faults */
	[SPF_SHARE] = { "spf_share", "fraction", FL_PER_ROUND, 1, true, FL_SHIM },
	/* live: the running kernel has per-VMA locks (1) or not (0) */
	[PER_VMA_LOCKS] = { "per_vma_locks", "bool", FL_PER_ROUND, 1, true, FL_LIVE },
	{ NULL }
};

static const struct spf_fault_slots fault_slots = { FAULTS, SPF_SHARE, PER_VMA_LOCKS };

static int touch_region(struct spf_thread *t, unsigned long addr, long pages)
{
	for (long i = 0; i < pages; i++) {
		volatile char *p = spf_page(t, addr + (unsigned long)i * SPF_PAGE, true);

		if (!p)
			return -EFAULT;
		*p = 1;
	}
	return spf_dontneed(t, addr, (unsigned long)pages * SPF_PAGE);
}

static int fault_work(void *arg, int index, struct fl_round *acc)
{
	struct scaling *s = arg;

	return touch_region(&s->crew.th[index], s->region[index], s->pages);
}

static int writer_work(void *arg, int index, struct fl_round *acc)
{
	struct scaling *s = arg;
	struct spf_thread *t = &s->crew.th[s->t + index];
	unsigned long len = (unsigned long)s->wpages * SPF_PAGE;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		unsigned long a = spf_mmap(t, len, false);
		int err;

		if (!a)
			return -ENOMEM;
		err = spf_munmap(t, a, len);
		if (err)
			return err;
		acc->metric[WRITER_OPS]++;
	}
	return 0;
}

static void release(void *priv)
{
	struct scaling *s = priv;

	fl_pool_stop(s->faulters);
	fl_pool_stop(s->writers);
	for (long i = 0; s->region && i < s->t && s->region[i]; i++)
		spf_munmap(&s->crew.main, s->region[i], (unsigned long)s->pages * SPF_PAGE);
	spf_crew_destroy(&s->crew);
	free(s->region);
}

static int setup(struct fl_instance *in)
{
	struct scaling *s = in->priv;
	int err;

	s->t = fl_param(in, "T");
	s->w = fl_param(in, "W");
	s->pages = fl_param(in, "P");
	s->wpages = fl_param(in, "G");
	err = spf_crew_create(&s->crew, in, s->t + s->w);
	if (err)
		return err;
	s->region = calloc((size_t)s->t, sizeof(*s->region));
	if (!s->region)
		return fl_fail(ENOMEM, "fault_scaling: out of memory");
	/* faulted once: the steady state has its anon_vma and page tables */
	for (long i = 0; i < s->t; i++) {
		s->region[i] = spf_mmap(&s->crew.main, (unsigned long)s->pages * SPF_PAGE, true);
		if (!s->region[i])
			return -ENOMEM;
		err = touch_region(&s->crew.main, s->region[i], s->pages);
		if (err)
			return err;
	}
	spf_tally_start(&s->tally, s->crew.th, (int)s->t);
	err = fl_pool_start(&s->faulters, (int)s->t, 0, fault_work, s);
	if (!err && s->w)
		err = fl_pool_start(&s->writers, (int)s->w, (int)s->t, writer_work, s);
	return err;
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct scaling *s = in->priv;
	int err, werr = 0;

	if (s->writers)
		fl_pool_kick(s->writers);
	fl_pool_kick(s->faulters);
	err = fl_pool_wait(s->faulters, acc);
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	if (s->writers)
		werr = fl_pool_wait(s->writers, acc);
	__atomic_store_n(&s->stop, 0, __ATOMIC_RELEASE);
	if (err || werr)
		return err ? err : werr;
	spf_tally_round(&s->tally, s->crew.th, (int)s->t, in->backend, &fault_slots, acc);
	return 0;
}

const struct fl_workload fl_wl_fault_scaling = {
	.name = "fault_scaling",
	.help = "T threads fault their own regions while W threads mmap/munmap others",
	.backends = FL_SHIM | FL_LIVE,
	.variants = spf_variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct scaling),
	.setup = setup,
	.round = round_fn,
	.teardown = release,
};
