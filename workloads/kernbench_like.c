// SPDX-License-Identifier: GPL-2.0
/*
 * kernbench_like: the control that must not change.  kernbench is many
 * single-threaded compiler processes: each maps its heap, faults it in,
 * works on it, makes part of it read-only and exits.  Here one thread runs J
 * such jobs per round in one mm.  With a single user the speculative path
 * is never tried (handle_speculative_fault() checks mm_users), so all the
 * speculative variant may cost is on the writer side: the sequence counts
 * and the deferred freeing.  Seed 001 published kernbench within +-0.5%.
 */
#include <errno.h>
#include <stdlib.h>

#include "bench/err.h"
#include "spf_jobs.h"

struct kernbench {
	struct spf_space *sp;
	struct spf_thread t;
	long jobs, pages, passes;
	unsigned long sink;
	struct spf_fault_tally tally;
};

static const struct fl_param params[] = {
	{ "J", "jobs per round", 16, 1, 1000000 },
	{ "H", "heap pages per job", 64, 2, 1 << 20 },
	{ "C", "passes of work over the heap", 4, 0, 1000 },
	{ NULL }
};

enum { JOBS, FAULTS };

static const struct fl_metric metrics[] = {
	[JOBS] = { "jobs_per_s", "jobs/s", FL_RATE, 1, true, FL_ALL_BACKENDS },
	[FAULTS] = { "faults_per_s", "faults/s", FL_RATE, 1, true, FL_ALL_BACKENDS },
	{ NULL }
};

static const struct spf_fault_slots fault_slots = { FAULTS, -1, -1 };

/* The compiler's work: read the heap a few times. */
static int work(struct kernbench *k, unsigned long heap, unsigned long len)
{
	unsigned long h = k->sink;

	for (long pass = 0; pass < k->passes; pass++) {
		for (unsigned long off = 0; off < len; off += SPF_PAGE) {
			const unsigned long *p = spf_page(&k->t, heap + off, false);

			if (!p)
				return -EFAULT;
			for (int i = 0; i < 64; i++)
				h = h * 31 + p[i * 8];
		}
	}
	k->sink = h;
	return 0;
}

static int job(struct kernbench *k)
{
	unsigned long len = (unsigned long)k->pages * SPF_PAGE;
	unsigned long heap = spf_mmap(&k->t, len, true);
	int err = 0;

	if (!heap)
		return -ENOMEM;
	for (unsigned long off = 0; off < len && !err; off += SPF_PAGE) {
		unsigned long *p = spf_page(&k->t, heap + off, true);

		if (!p)
			err = -EFAULT;
		else
			p[0] = off;
	}
	if (!err)
		err = work(k, heap, len);
	/* RELRO-like: the first half goes read-only before the end */
	if (!err)
		err = spf_mprotect(&k->t, heap, len / 2, false);
	if (!err)
		return spf_munmap(&k->t, heap, len);
	spf_munmap(&k->t, heap, len);
	return err;
}

static void release(void *priv)
{
	struct kernbench *k = priv;

	if (k->t.sp)
		spf_thread_exit(&k->t);
	spf_space_destroy(k->sp);
}

static int setup(struct fl_instance *in)
{
	struct kernbench *k = in->priv;
	int err;

	k->jobs = fl_param(in, "J");
	k->pages = fl_param(in, "H");
	k->passes = fl_param(in, "C");
	err = spf_space_create(&k->sp, in, false);
	if (err)
		return err;
	spf_thread_init(&k->t, k->sp, 1);
	spf_tally_start(&k->tally, &k->t, 1);
	return 0;
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct kernbench *k = in->priv;

	for (long i = 0; i < k->jobs; i++) {
		int err = job(k);

		if (err)
			return err;
	}
	acc->metric[JOBS] += (double)k->jobs;
	spf_tally_round(&k->tally, &k->t, 1, in->backend, &fault_slots, acc);
	return 0;
}

const struct fl_workload fl_wl_kernbench_like = {
	.name = "kernbench_like",
	.help = "single-threaded fault-heavy jobs: the control seed 001 must not change",
	.backends = FL_SHIM | FL_LIVE,
	.variants = spf_variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct kernbench),
	.setup = setup,
	.round = round_fn,
	.teardown = release,
};
