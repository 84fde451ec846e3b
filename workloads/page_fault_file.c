// SPDX-License-Identifier: GPL-2.0
/*
 * page_fault_file: will-it-scale's page_fault2 (S=0) and page_fault3 (S=1)
 * in threads mode.  Each of T threads has a file of its own, P pages long;
 * a round maps it (MAP_PRIVATE, or MAP_SHARED), writes a byte to each page
 * and unmaps it.  Each write is a file-backed fault: a private one copies the
 * file's page (do_cow_fault()), a shared one dirties it (do_shared_fault()).
 *
 * The cost side of seed 001: the speculative path gives up on these faults
 * (the seed does not call vm_ops->fault() without mmap_sem) and the classic
 * one takes them after it, and every mmap and munmap pays for the VMA
 * sequence counts and SRCU freeing.  LKP measured page_fault2 and
 * page_fault3 -17% to -19% per thread at 192 CPUs with the series.
 *
 * On the shim the files are the model's page cache; live, memfds (shmem):
 * file faults all the same, without a disk.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "bench/err.h"
#include "spf_jobs.h"

struct file_faults {
	struct spf_crew crew;
	long t;
	bool shared;
	struct spf_file *file;		/* one per thread */
};

static const struct fl_param params[] = {
	{ "T", "threads, each faulting a file of its own", 2, 1, 1024 },
	{ "P", "pages of each file (will-it-scale: 32768, 128 MiB)", 1024, 1, 1 << 16 },
	{ "S", "0: MAP_PRIVATE (page_fault2), 1: MAP_SHARED (page_fault3)", 0, 0, 1 },
	{ NULL }
};

enum { FAULTS, SPF_SHARE, PER_VMA_LOCKS };

static const struct fl_metric metrics[] = {
	[FAULTS] = { "faults_per_s", "faults/s", FL_RATE, 1, true, FL_ALL_BACKENDS },
	/* shim: speculative faults / faults (none: they all fall back) */
	[SPF_SHARE] = { "spf_share", "fraction", FL_PER_ROUND, 1, true, FL_SHIM },
	/* live: the running kernel has per-VMA locks (1) or not (0) */
	[PER_VMA_LOCKS] = { "per_vma_locks", "bool", FL_PER_ROUND, 1, true, FL_LIVE },
	{ NULL }
};

static const struct spf_fault_slots fault_slots = { FAULTS, SPF_SHARE, PER_VMA_LOCKS };

/* One testcase() iteration: map the file, write every page, unmap. */
static int map_write_unmap(struct spf_thread *t, struct spf_file *f, bool shared)
{
	unsigned long addr = spf_mmap_file(t, f, shared);
	int err = 0;

	if (!addr)
		return -ENOMEM;
	for (unsigned long i = 0; i < f->pages && !err; i++) {
		volatile char *p = spf_page(t, addr + i * SPF_PAGE, true);

		if (p)
			*p = 0;
		else
			err = -EFAULT;
	}
	if (err) {
		spf_munmap(t, addr, f->pages * SPF_PAGE);
		return err;
	}
	return spf_munmap(t, addr, f->pages * SPF_PAGE);
}

static int work(void *arg, int index, struct fl_round *acc)
{
	struct file_faults *ff = arg;

	return map_write_unmap(&ff->crew.th[index], &ff->file[index], ff->shared);
}

static void release(void *priv)
{
	struct file_faults *ff = priv;

	spf_crew_stop(&ff->crew);
	for (long i = 0; ff->file && i < ff->t; i++)
		spf_file_destroy(&ff->file[i]);
	spf_crew_destroy(&ff->crew);
	free(ff->file);
}

static int setup(struct fl_instance *in)
{
	struct file_faults *ff = in->priv;
	long pages = fl_param(in, "P");
	int err;

	ff->t = fl_param(in, "T");
	ff->shared = fl_param(in, "S");
	err = spf_crew_create(&ff->crew, in, ff->t);
	if (err)
		return err;
	ff->file = calloc((size_t)ff->t, sizeof(*ff->file));
	if (!ff->file)
		return fl_fail(ENOMEM, "page_fault_file: out of memory");
	for (long i = 0; i < ff->t; i++)
		ff->file[i].fd = -1;
	/* once, untimed: the files' pages are in their page cache from then on */
	for (long i = 0; i < ff->t && !err; i++) {
		err = spf_file_create(ff->crew.sp, (unsigned long)pages, &ff->file[i]);
		if (!err)
			err = map_write_unmap(&ff->crew.main, &ff->file[i], ff->shared);
	}
	if (err)
		return err;
	return spf_crew_start(&ff->crew, 0, work, ff);
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct file_faults *ff = in->priv;

	return spf_crew_round(&ff->crew, in->backend, &fault_slots, acc);
}

const struct fl_workload fl_wl_page_fault_file = {
	.name = "page_fault_file",
	.help = "will-it-scale page_fault2/3: T threads map a file, write each page, unmap",
	.backends = FL_SHIM | FL_LIVE,
	.variants = spf_variants,
	.params = params,
	.metrics = metrics,
	.rounds = 16,
	.priv_size = sizeof(struct file_faults),
	.setup = setup,
	.round = round_fn,
	.teardown = release,
};
