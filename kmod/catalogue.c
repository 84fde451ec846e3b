// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/catalogue.c - what the module's workloads are called and take: their
 * variants, parameters with bounds, and metrics.  Data only, compiled into
 * the module and into the harness alike (see catalogue.h), so that the
 * harness rejects what the module would reject, with the same words.
 */
#include "catalogue.h"

static const char *const fl_old_new[] = { "old", "new", NULL };

/* ---- reaim_vunmap and fork_vmap_stack (kmod/wl_vmap.c) ---------------------- */

static const struct fl_kmod_param fl_reaim_params[] = {
	{ "M", 0, 0, FL_VMAP_MAX_M },
	{ "P", 2, 1, FL_VMAP_MAX_P },
	{ "J", 64, 1, 100000 },
	{ "T", 4, 0, FL_VMAP_MAX_T },
	{ "S", 8, 0, 100000 },
	/* the purge threshold in pages; 0: lazy_max_pages() (tests lower it) */
	{ "lazy", 0, 0, 1 << 20 },
	{ NULL }
};

static const char *const fl_reaim_metrics[] = {
	"jobs_per_min", "syncs_per_round", "pgds_walked_per_round", NULL
};

const struct fl_kmod_desc fl_kmod_desc_reaim_vunmap = {
	.name = "reaim_vunmap",
	.variants = fl_old_new,
	.params = fl_reaim_params,
	.metrics = fl_reaim_metrics,
};

static const struct fl_kmod_param fl_fork_params[] = {
	{ "M", 0, 0, FL_VMAP_MAX_M },
	{ "P", 2, 1, FL_VMAP_MAX_P },
	{ "J", 64, 1, 100000 },
	{ "lazy", 0, 0, 1 << 20 },
	{ NULL }
};

static const char *const fl_fork_metrics[] = {
	"forks_per_min", "syncs_per_round", "pgds_walked_per_round", NULL
};

const struct fl_kmod_desc fl_kmod_desc_fork_vmap_stack = {
	.name = "fork_vmap_stack",
	.variants = fl_old_new,
	.params = fl_fork_params,
	.metrics = fl_fork_metrics,
};

/* ---- vmalloc_sync_model (kmod/wl_model.c): impl/vmalloc_sync.c in the kernel ---- */

static const struct fl_kmod_param fl_model_params[] = {
	{ "M", 16, 0, 65536 },
	{ "P", 2, 1, 64 },
	{ "J", 64, 1, 100000 },
	{ "L", 4, 4, 5 },
	{ NULL }
};

static const char *const fl_model_metrics[] = {
	"jobs_per_min", "syncs_per_round", "pgds_walked_per_round", "bad_pgds", NULL
};

const struct fl_kmod_desc fl_kmod_desc_vmalloc_sync_model = {
	.name = "vmalloc_sync_model",
	.variants = fl_old_new,
	.params = fl_model_params,
	.metrics = fl_model_metrics,
};

/* ---- spf_model (kmod/wl_spf_model.c): impl/spf.c in the kernel ---------------- */

static const struct fl_kmod_param fl_spf_model_params[] = {
	{ "T", 2, 1, FL_SPF_MODEL_MAX_T },
	{ "W", 1, 0, FL_SPF_MODEL_MAX_W },
	{ "P", 2048, 1, FL_SPF_MODEL_MAX_P },
	{ "G", 16, 1, 512 },
	{ "debug", 0, 0, 1 },	/* mmap checks its range has no PTE left */
	{ NULL }
};

/*
 * Per round: faults taken by the faulters, writer cycles, faults done
 * without mmap_sem, speculative tries that ended in VM_FAULT_RETRY and the
 * classic path, the speculative share in millionths, grace periods waited
 * for, and the consistency check (must be 0).
 */
static const char *const fl_spf_model_metrics[] = {
	"faults_per_s", "writer_ops_per_s", "spf_done", "spf_fallbacks", "spf_share_ppm",
	"grace_periods", "check_errors", NULL
};

static const char *const fl_spf_model_variants[] = { "classic", "speculative", NULL };

const struct fl_kmod_desc fl_kmod_desc_spf_model = {
	.name = "spf_model",
	.variants = fl_spf_model_variants,
	.params = fl_spf_model_params,
	.metrics = fl_spf_model_metrics,
};

/* ---- nmi_stack_sampling (kmod/wl_nmi.c): a harness thread's stack, sampled ---- */

/*
 * The harness workload's parameters, the same bounds: D and H shape the
 * target thread the harness starts; target is that thread (0: none, refused).
 */
static const struct fl_kmod_param fl_nmi_params[] = {
	{ "S", 16, 1, 64 },
	{ "D", 24, 1, 200 },
	{ "R", 10000, 10, 100000 },
	{ "N", 32, 1, 100000 },
	{ "H", 0, 0, 1 },
	{ "target", 0, 0, 4194304 },
	{ NULL }
};

/* The repetition so far at each round: the harness keeps the last. */
static const char *const fl_nmi_metrics[] = {
	"handler_cycles_p50", "handler_cycles_p90", "handler_cycles_p99",
	"handler_cycles_p999", "handler_cycles_max", "samples", "pages_pinned_per_sample",
	"faults_per_sample", "bytes_per_sample", "nmi_context", NULL
};

const struct fl_kmod_desc fl_kmod_desc_nmi_stack_sampling = {
	.name = "nmi_stack_sampling",
	.variants = fl_old_new,
	.params = fl_nmi_params,
	.metrics = fl_nmi_metrics,
};

/* ---- notifier_invalidate (kmod/wl_notifier.c): a real mmu notifier ----------- */

/*
 * The harness workload's parameters, the same bounds: F and N shape the
 * threads the harness starts (workloads/cow_target.h); target is its writer,
 * target_addr the first of the N pages it copies on write (the device's
 * range).  0: none, refused.
 */
static const struct fl_kmod_param fl_notifier_params[] = {
	{ "D", 10, 0, 1000 },
	{ "F", 1, 1, 64 },
	{ "N", 256, 1, 256 },
	{ "T", 5, 1, 1000 },
	{ "target", 0, 0, 4194304 },
	{ "target_addr", 0, 0, 0x7fffffffffffL },
	{ NULL }
};

/*
 * Per round: the faulters' faults, the writer's, the device's flushes and
 * those waited for under a spinlock; the repetition so far: the p99 of the
 * flushes' waits under a lock (ns) and ends without their start.
 */
static const char *const fl_notifier_metrics[] = {
	"faults_per_s", "invalidator_ops_per_s", "invalidations_per_s", "locked_waits_per_s",
	"locked_wait_ns_p99", "pairing_errors", NULL
};

const struct fl_kmod_desc fl_kmod_desc_notifier_invalidate = {
	.name = "notifier_invalidate",
	.variants = fl_old_new,
	.params = fl_notifier_params,
	.metrics = fl_notifier_metrics,
};

const struct fl_kmod_desc *const fl_kmod_catalogue[] = {
	&fl_kmod_desc_reaim_vunmap,
	&fl_kmod_desc_fork_vmap_stack,
	&fl_kmod_desc_vmalloc_sync_model,
	&fl_kmod_desc_spf_model,
	&fl_kmod_desc_nmi_stack_sampling,
	&fl_kmod_desc_notifier_invalidate,
	NULL,
};
