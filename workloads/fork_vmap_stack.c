// SPDX-License-Identifier: GPL-2.0
/*
 * fork_vmap_stack: a fork/exit storm and nothing else, so that each job is
 * the PGD and the vmalloc'd stack only, while M processes stay resident.
 */
#include "vmap_jobs.h"

static const struct fl_param params[] = {
	{ "M", "resident processes", 0, 0, 1000000 },
	{ "P", "workers forking", 2, 1, 256 },
	{ "J", "forks per worker per round", 64, 1, 100000 },
	{ NULL }
};

static const struct fl_metric metrics[] = {
	[VMAP_JOBS] = { "forks_per_min", "forks/min", FL_RATE, 60, true, FL_ALL_BACKENDS },
	[VMAP_SYNCS] = { "syncs_per_round", "syncs/round", FL_PER_ROUND, 1, false,
			 FL_SHIM | FL_KMOD },
	[VMAP_PGDS_WALKED] = { "pgds_walked_per_round", "PGDs/round", FL_PER_ROUND, 1, false,
			       FL_SHIM | FL_KMOD },
	{ NULL }
};

const struct fl_workload fl_wl_fork_vmap_stack = {
	.name = "fork_vmap_stack",
	.help = "fork/exit storm with vmalloc'd stacks; M resident processes",
	.backends = FL_SHIM | FL_KMOD | FL_LIVE,
	.variants = vmap_variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct vmap_jobs),
	.setup = vmap_jobs_setup,
	.round = vmap_jobs_round,
	.teardown = vmap_jobs_teardown,
};
