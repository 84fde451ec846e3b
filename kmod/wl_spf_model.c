// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/wl_spf_model.c - spf_model: impl/spf.c, unchanged, on the kernel
 * backend, driven as the shim's fault_scaling drives it.  Its mmap_sem,
 * page-table locks and SRCU are now the kernel's own.
 *
 * T faulting threads each own a region of P writable pages: a job writes
 * every page once, each write a fault, then MADV_DONTNEED's the region so
 * that the next round faults it again.  W writer threads meanwhile map G
 * read-only pages elsewhere, mprotect() the first half writable, write one
 * page there and unmap it all, over and over until the faulters are done:
 * VMA splits, tree changes, a page and maybe a PTE table freed (after a
 * grace period when speculative), all away from the faulters' VMA, which
 * read-only mappings never merge with (as in fault_scaling).
 *
 * After each round, with every thread idle, km_spf_check() looks at the
 * model's tree and page table: check_errors must stay 0.
 */
#include <linux/sched.h>
#include <linux/slab.h>

#include "fl_kmod.h"
#include "../impl/spf.h"

struct fl_spf_totals {
	long faults, spf_done, fallbacks, writer_ops, grace_periods;
};

struct fl_spf_model {
	struct km_spf_mm *mm;
	long t, w, pages, wpages;
	/* T faulters, W writers, then the thread that set the regions up */
	struct km_spf_task *tasks;
	long ntasks;			/* initialised */
	unsigned long *region;		/* one per faulter */
	long *writer_ops;		/* per writer, written by it only */
	atomic_t faulters_left;		/* in this round; writers stop at 0 */
	struct fl_spf_totals before;
};

/* Writes every page of [addr, addr + pages pages) as task t, then drops them. */
static int fl_spf_model_touch(struct fl_kmod_run *run, struct km_spf_task *t,
			      unsigned long addr, long pages)
{
	long i;
	int err;

	for (i = 0; i < pages; i++) {
		unsigned long a = addr + i * PAGE_SIZE;
		volatile char *p = km_spf_access(t, a, true);

		if (!p)
			return fl_kmod_fail(run, EFAULT, "model write fault at %#lx failed", a);
		*p = 1;
		cond_resched();
	}
	err = km_spf_madvise_dontneed(t->mm, addr, pages * PAGE_SIZE);
	if (err)
		return fl_kmod_fail(run, -err, "model madvise(%#lx, %ld pages): %d", addr,
				    pages, err);
	return 0;
}

/* One writer cycle: mmap, mprotect half, one write fault, munmap. */
static int fl_spf_model_write_cycle(struct fl_kmod_run *run, struct km_spf_task *t,
				    long wpages)
{
	unsigned long len = wpages * PAGE_SIZE;
	unsigned long half = (wpages + 1) / 2 * PAGE_SIZE;
	volatile char *p;
	long addr;
	int err;

	addr = km_spf_mmap(t->mm, 0, len, KM_PROT_READ, 0);
	if (addr < 0)
		return fl_kmod_fail(run, -addr, "model mmap of %ld pages: %ld", wpages, addr);
	err = km_spf_mprotect(t->mm, addr, half, KM_PROT_READ | KM_PROT_WRITE);
	if (err)
		return fl_kmod_fail(run, -err, "model mprotect(%#lx): %d", addr, err);
	p = km_spf_access(t, addr, true);
	if (!p)
		return fl_kmod_fail(run, EFAULT, "model write fault at %#lx failed", addr);
	*p = 1;
	err = km_spf_munmap(t->mm, addr, len);
	if (err)
		return fl_kmod_fail(run, -err, "model munmap(%#lx): %d", addr, err);
	return 0;
}

/*
 * A writer's job is the whole round: it cycles until the last faulter is
 * done, or the run is stopped.  The run has J = 1 job per worker.
 */
static int fl_spf_model_writer(struct fl_kmod_run *run, struct fl_spf_model *m, long i)
{
	int err;

	while (atomic_read(&m->faulters_left) > 0 && !atomic_read(&run->abort)) {
		err = fl_spf_model_write_cycle(run, &m->tasks[m->t + i], m->wpages);
		if (err)
			return err;
		m->writer_ops[i]++;
		cond_resched();
	}
	return 0;
}

static int fl_spf_model_job(struct fl_kmod_run *run, int w)
{
	struct fl_spf_model *m = run->priv;
	int err;

	if (w >= m->t)
		return fl_spf_model_writer(run, m, w - m->t);
	err = fl_spf_model_touch(run, &m->tasks[w], m->region[w], m->pages);
	if (!err)
		atomic_dec(&m->faulters_left);
	return err;
}

static void fl_spf_model_totals(struct fl_spf_model *m, struct fl_spf_totals *tot)
{
	struct km_spf_mm_stats ms;
	long i, f;

	*tot = (struct fl_spf_totals){ 0 };
	for (i = 0; i < m->t; i++) {
		const struct km_spf_stats *st = &m->tasks[i].st;

		tot->faults += st->faults;
		tot->spf_done += st->spf_done;
		for (f = 0; f < KM_SPF_NR_FAIL; f++)
			tot->fallbacks += st->spf_fail[f];
	}
	for (i = 0; i < m->w; i++)
		tot->writer_ops += m->writer_ops[i];
	km_spf_get_mm_stats(m->mm, &ms);
	tot->grace_periods = ms.grace_periods;
}

/*
 * What km_spf_check() finds wrong, and any PTE at all: every pass and
 * every writer cycle drops the pages it faulted, so an idle mm has none.
 */
static long fl_spf_model_errors(struct fl_spf_model *m)
{
	struct km_spf_check c;

	km_spf_check(m->mm, &c);
	return c.tree_errors + c.ptes_outside + c.ptes_bad_prot + c.stale_ptes + c.ptes;
}

static void fl_spf_model_round_end(struct fl_kmod_run *run, long long *metric)
{
	struct fl_spf_model *m = run->priv;
	struct fl_spf_totals now;
	long faults, spf_done;

	fl_spf_model_totals(m, &now);
	faults = now.faults - m->before.faults;
	spf_done = now.spf_done - m->before.spf_done;
	metric[0] = faults;
	metric[1] = now.writer_ops - m->before.writer_ops;
	metric[2] = spf_done;
	metric[3] = now.fallbacks - m->before.fallbacks;
	metric[4] = faults ? spf_done * 1000000 / faults : 0;
	metric[5] = now.grace_periods - m->before.grace_periods;
	metric[6] = fl_spf_model_errors(m);
	m->before = now;
	/* the workers are idle until the next round starts */
	atomic_set(&m->faulters_left, m->t);
}

/* The faulters' regions, written once: the steady state has its anon_vma and tables. */
static int fl_spf_model_map_regions(struct fl_kmod_run *run, struct fl_spf_model *m)
{
	struct km_spf_task *self = &m->tasks[m->t + m->w];
	long i, addr;
	int err;

	for (i = 0; i < m->t; i++) {
		if (fl_kmod_stopping())
			return fl_kmod_fail(run, EINTR, "stopped at region %ld: unloading", i);
		addr = km_spf_mmap(m->mm, 0, m->pages * PAGE_SIZE,
				   KM_PROT_READ | KM_PROT_WRITE, 0);
		if (addr < 0)
			return fl_kmod_fail(run, -addr, "model mmap of region %ld: %ld", i, addr);
		m->region[i] = addr;
		err = fl_spf_model_touch(run, self, addr, m->pages);
		if (err)
			return err;
	}
	return 0;
}

static int fl_spf_model_setup(struct fl_kmod_run *run)
{
	struct km_spf_config cfg = {
		.variant = run->req.variant == 0 ? KM_SPF_CLASSIC : KM_SPF_SPECULATIVE,
		.debug = fl_kmod_param(&run->req, "debug"),
	};
	struct fl_spf_model *m = run->priv;
	int err;

	m->t = fl_kmod_param(&run->req, "T");
	m->w = fl_kmod_param(&run->req, "W");
	m->pages = fl_kmod_param(&run->req, "P");
	m->wpages = fl_kmod_param(&run->req, "G");
	m->mm = km_spf_mm_create(&cfg);
	m->tasks = kcalloc(m->t + m->w + 1, sizeof(*m->tasks), GFP_KERNEL);
	m->region = kcalloc(m->t, sizeof(*m->region), GFP_KERNEL);
	m->writer_ops = kcalloc(m->w + 1, sizeof(*m->writer_ops), GFP_KERNEL);
	if (!m->mm || !m->tasks || !m->region || !m->writer_ops)
		return fl_kmod_fail(run, ENOMEM, "out of memory for the modelled mm");
	/* every thread is a user of the mm, as in the shim: never a single one */
	for (; m->ntasks < m->t + m->w + 1; m->ntasks++)
		km_spf_task_init(&m->tasks[m->ntasks], m->mm);
	err = fl_spf_model_map_regions(run, m);
	if (err)
		return err;
	atomic_set(&m->faulters_left, m->t);
	fl_spf_model_totals(m, &m->before);
	return 0;
}

static void fl_spf_model_teardown(struct fl_kmod_run *run)
{
	struct fl_spf_model *m = run->priv;
	long i;

	for (i = 0; i < m->ntasks; i++)
		km_spf_task_exit(&m->tasks[i]);
	/* the regions, their pages and tables, and what waits for a grace period */
	km_spf_mm_destroy(m->mm);
	kfree(m->writer_ops);
	kfree(m->region);
	kfree(m->tasks);
}

/* T faulters and W writers: the harness's fault_scaling has the same names. */
static long fl_spf_model_workers(const struct fl_kmod_req *req)
{
	return fl_kmod_param(req, "T") + fl_kmod_param(req, "W");
}


const struct fl_kmod_wl fl_kmod_wl_spf_model = {
	.desc = &fl_kmod_desc_spf_model,
	.priv_size = sizeof(struct fl_spf_model),
	.workers = fl_spf_model_workers,
	.setup = fl_spf_model_setup,
	.job = fl_spf_model_job,
	.round_end = fl_spf_model_round_end,
	.teardown = fl_spf_model_teardown,
};
