/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod/catalogue.h - the module's workloads as the control file knows them
 * (kmod/proto.h): one table, the one source of their names, variants,
 * parameter bounds and metrics, read by the module (kmod/main.c) and by the
 * harness (bench/measure/kmod.c, faultline list).  Two of them, reaim_vunmap and
 * fork_vmap_stack, are also harness workloads (workloads/), whose wider
 * bounds the module narrows, and nmi_stack_sampling and notifier_invalidate,
 * whose target threads the harness starts; vmalloc_sync_model and spf_model are the module's only.
 */
#ifndef FL_KMOD_CATALOGUE_H
#define FL_KMOD_CATALOGUE_H

#include "proto.h"

/* kmod/wl_vmap.c: resident processes, workers, pages per job (P x T within 64 MiB) */
#define FL_VMAP_MAX_M		65536
#define FL_VMAP_MAX_P		64
#define FL_VMAP_MAX_T		256

/* kmod/wl_spf_model.c: P x T pages are faulted in at once, at most 128 MiB */
#define FL_SPF_MODEL_MAX_T	16
#define FL_SPF_MODEL_MAX_W	16
#define FL_SPF_MODEL_MAX_P	2048

extern const struct fl_kmod_desc fl_kmod_desc_reaim_vunmap;
extern const struct fl_kmod_desc fl_kmod_desc_fork_vmap_stack;
extern const struct fl_kmod_desc fl_kmod_desc_vmalloc_sync_model;
extern const struct fl_kmod_desc fl_kmod_desc_spf_model;
extern const struct fl_kmod_desc fl_kmod_desc_nmi_stack_sampling;
extern const struct fl_kmod_desc fl_kmod_desc_notifier_invalidate;

/* All of them, NULL-ended, as the control file's parser takes them. */
extern const struct fl_kmod_desc *const fl_kmod_catalogue[];

#endif
