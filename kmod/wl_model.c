// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/wl_model.c - vmalloc_sync_model: impl/vmalloc_sync.c, unchanged, on
 * the kernel backend.  The same jobs as the shim's reaim_vunmap (fork, a
 * 16 KiB stack vmalloc'd, touched and vfree'd, exit) run by P kernel threads
 * against the modelled kernel, whose pgd_lock, vmap_area_lock and purge
 * lock are now real kernel locks.  After each round, with the workers idle,
 * the model's invariant is checked: bad_pgds must stay 0.
 */
#include <linux/slab.h>

#include "fl_kmod.h"
#include "../impl/vmalloc_sync.h"

#define FL_MODEL_STACK	(16UL << 10)

struct fl_model {
	struct km_vs_kernel *k;
	struct km_mm **resident;
	long nresident;
	struct km_vs_stats before;
};

static int fl_model_job(struct fl_kmod_run *run, int w)
{
	struct fl_model *m = run->priv;
	struct km_mm *mm = km_vs_fork(m->k);
	unsigned long stack;

	if (!mm)
		return fl_kmod_fail(run, ENOMEM, "model fork: out of memory");
	stack = km_vs_vmalloc(m->k, FL_MODEL_STACK);
	if (!stack) {
		km_vs_exit(m->k, mm);
		return fl_kmod_fail(run, ENOMEM, "model vmalloc: out of memory or space");
	}
	km_vs_touch(m->k, stack, FL_MODEL_STACK);
	km_vs_vfree(m->k, stack);
	km_vs_exit(m->k, mm);
	return 0;
}

static void fl_model_round_end(struct fl_kmod_run *run, long long *metric)
{
	struct fl_model *m = run->priv;
	struct km_vs_stats now;

	km_vs_get_stats(m->k, &now);
	metric[0] = (long long)run->nworkers * run->jobs;
	metric[1] = now.syncs - m->before.syncs;
	metric[2] = now.pgds_walked - m->before.pgds_walked;
	metric[3] = km_vs_check_pgds(m->k);
	m->before = now;
}

static int fl_model_setup(struct fl_kmod_run *run)
{
	struct km_vs_config cfg = {
		.variant = run->req.variant == 0 ? KM_VS_OLD : KM_VS_NEW,
		.levels = fl_kmod_param(&run->req, "L"),
	};
	long n = fl_kmod_param(&run->req, "M");
	struct fl_model *m = run->priv;
	long i;

	m->k = km_vs_create(&cfg);
	m->resident = kvcalloc(n + 1, sizeof(*m->resident), GFP_KERNEL);
	if (!m->k || !m->resident)
		return fl_kmod_fail(run, ENOMEM, "out of memory for the modelled kernel");
	for (i = 0; i < n; i++, m->nresident++) {
		if (fl_kmod_stopping())
			return fl_kmod_fail(run, EINTR, "stopped at resident %ld: unloading", i);
		m->resident[i] = km_vs_fork(m->k);
		if (!m->resident[i])
			return fl_kmod_fail(run, ENOMEM, "out of memory at resident %ld of %ld",
					    i + 1, n);
		cond_resched();
	}
	km_vs_get_stats(m->k, &m->before);
	return 0;
}

static void fl_model_teardown(struct fl_kmod_run *run)
{
	struct fl_model *m = run->priv;
	long i;

	for (i = 0; m->k && i < m->nresident; i++)
		km_vs_exit(m->k, m->resident[i]);
	km_vs_destroy(m->k);
	kvfree(m->resident);
}


const struct fl_kmod_wl fl_kmod_wl_vmalloc_sync_model = {
	.desc = &fl_kmod_desc_vmalloc_sync_model,
	.priv_size = sizeof(struct fl_model),
	.setup = fl_model_setup,
	.job = fl_model_job,
	.round_end = fl_model_round_end,
	.teardown = fl_model_teardown,
};
