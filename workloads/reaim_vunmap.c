// SPDX-License-Identifier: GPL-2.0
/*
 * reaim_vunmap: a reaim-like job mix under CONFIG_VMAP_STACK.  Each job is a
 * short-lived process: fork (a PGD and a vmalloc'd 16 KiB kernel stack), a few
 * pages touched, a few syscalls, exit (the stack vfree'd lazily).  M processes
 * stay resident the whole time, so every sync_global_pgds() walks M PGDs:
 * the cost seed 002 removed from the lazy purge.
 */
#include "vmap_jobs.h"

static const struct fl_param params[] = {
	{ "M", "resident processes", 0, 0, 1000000 },
	{ "P", "workers running jobs", 2, 1, 256 },
	{ "J", "jobs per worker per round", 64, 1, 100000 },
	{ "T", "pages a job touches", 4, 0, 1024 },
	{ "S", "syscalls a job makes", 8, 0, 100000 },
	{ NULL }
};

static const struct fl_metric metrics[] = {
	[VMAP_JOBS] = { "jobs_per_min", "jobs/min", FL_RATE, 60, true, FL_ALL_BACKENDS },
	[VMAP_SYNCS] = { "syncs_per_round", "syncs/round", FL_PER_ROUND, 1, false,
			 FL_SHIM | FL_KMOD },
	[VMAP_PGDS_WALKED] = { "pgds_walked_per_round", "PGDs/round", FL_PER_ROUND, 1, false,
			       FL_SHIM | FL_KMOD },
	{ NULL }
};

const struct fl_workload fl_wl_reaim_vunmap = {
	.name = "reaim_vunmap",
	.help = "reaim-like fork/exit job mix with vmalloc'd stacks; M resident processes",
	.backends = FL_SHIM | FL_KMOD | FL_LIVE,
	.variants = vmap_variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct vmap_jobs),
	.setup = vmap_jobs_setup,
	.round = vmap_jobs_round,
	.teardown = vmap_jobs_teardown,
};
