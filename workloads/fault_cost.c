// SPDX-License-Identifier: GPL-2.0
/*
 * fault_cost: what one anonymous minor fault costs a single thread: write
 * the first byte of each of P pages, then MADV_DONTNEED them so that the
 * next round faults again.  On the shim, classic and speculative (the mm is
 * given a second, idle user so that the speculative path is taken); live,
 * the running kernel's own fault, so one run shows how far the model is from
 * the real thing.  A fault's share of the zap is counted on both sides.
 */
#include <errno.h>
#include <stdlib.h>

#include "bench/err.h"
#include "spf_jobs.h"

struct cost {
	struct spf_space *sp;
	struct spf_thread t;
	unsigned long region;
	long pages;
	struct spf_fault_tally tally;
};

static const struct fl_param params[] = {
	{ "P", "pages faulted per round", 1024, 1, 1 << 20 },
	{ NULL }
};

enum { FAULTS };

static const struct fl_metric metrics[] = {
	[FAULTS] = { "faults_per_s", "faults/s", FL_RATE, 1, true, FL_ALL_BACKENDS },
	{ NULL }
};

static const struct spf_fault_slots fault_slots = { FAULTS, -1, -1 };

static int touch(struct cost *c)
{
	for (long i = 0; i < c->pages; i++) {
		volatile char *p = spf_page(&c->t, c->region + (unsigned long)i * SPF_PAGE,
					    true);

		if (!p)
			return -EFAULT;
		*p = 1;
	}
	return spf_dontneed(&c->t, c->region, (unsigned long)c->pages * SPF_PAGE);
}

static void release(void *priv)
{
	struct cost *c = priv;

	if (c->region)
		spf_munmap(&c->t, c->region, (unsigned long)c->pages * SPF_PAGE);
	if (c->t.sp)
		spf_thread_exit(&c->t);
	spf_space_destroy(c->sp);
}

static int setup(struct fl_instance *in)
{
	struct cost *c = in->priv;
	int err;

	c->pages = fl_param(in, "P");
	err = spf_space_create(&c->sp, in, true);
	if (err)
		return err;
	spf_thread_init(&c->t, c->sp, 1);
	c->region = spf_mmap(&c->t, (unsigned long)c->pages * SPF_PAGE, true);
	/* once untimed: the anon_vma and the page tables exist from then on */
	err = c->region ? touch(c) : -ENOMEM;
	if (err)
		return err;
	spf_tally_start(&c->tally, &c->t, 1);
	return 0;
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct cost *c = in->priv;
	int err = touch(c);

	if (err)
		return err;
	spf_tally_round(&c->tally, &c->t, 1, in->backend, &fault_slots, acc);
	return 0;
}

const struct fl_workload fl_wl_fault_cost = {
	.name = "fault_cost",
	.help = "single-threaded anonymous minor faults: the model's cost against the kernel's",
	.backends = FL_SHIM | FL_LIVE,
	.variants = spf_variants,
	.params = params,
	.metrics = metrics,
	.rounds = 16,
	.priv_size = sizeof(struct cost),
	.setup = setup,
	.round = round_fn,
	.teardown = release,
};
