// SPDX-License-Identifier: GPL-2.0
/*
 * irq_gaps: what an interrupt from user mode costs the thread it hits,
 * measured the way osnoise does: the thread spins reading the TSC for T ms a
 * round, and any step between two reads longer than G cycles is time the CPU
 * spent elsewhere: an interrupt's entry, handler and exit (the timer tick,
 * mostly), or another task.  Metrics: the gaps a second and their median
 * and p99 length.  Live only, for kernel A/Bs: on a nohz_full CPU with one
 * task the tick stops, so the gaps thin out, and each one that remains pays
 * context tracking's user_exit()/user_enter().  In an exact guest the TSC
 * counts instructions: a gap is the interrupt's instructions.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "bench/err.h"
#include "bench/measure/clock.h"
#include "live.h"
#include "samples.h"
#include "workload.h"

static const struct fl_param params[] = {
	{ "T", "ms the thread spins a round", 20, 1, 10000 },
	{ "G", "TSC cycles a step must exceed to count as a gap", 1000, 50, 1000000 },
	{ NULL }
};

enum { GAPS, GAP_P50, GAP_P99 };

static const struct fl_metric metrics[] = {
	[GAPS] = { "gaps_per_s", "gaps/s", FL_RATE, 1, false, FL_LIVE },
	[GAP_P50] = { "gap_cycles_p50", "TSC cycles", FL_SUMMARY, 1, false, FL_LIVE },
	[GAP_P99] = { "gap_cycles_p99", "TSC cycles", FL_SUMMARY, 1, false, FL_LIVE },
	{ NULL }
};

static const char *const variants[] = { "live", NULL };

struct gaps {
	uint64_t spin, threshold;
	struct fl_samples gap;	/* every gap of the repetition, in TSC cycles */
};

static int setup(struct fl_instance *in)
{
	struct gaps *s = in->priv;

	s->spin = (uint64_t)(fl_tsc_hz() * (double)fl_param(in, "T") / 1000);
	s->threshold = (uint64_t)fl_param(in, "G");
	return fl_live_check_privilege();
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct gaps *s = in->priv;
	uint64_t start = fl_clock_begin(), last = start, now;
	size_t before = s->gap.n;
	int err;

	do {
		now = fl_clock_end();
		if (now - last > s->threshold) {
			err = fl_samples_add(&s->gap, now - last);
			if (err)
				return err;
		}
		last = now;
	} while (now - start < s->spin);
	acc->metric[GAPS] += (double)(s->gap.n - before);
	return 0;
}

static void finish(struct fl_instance *in, struct fl_round *acc)
{
	struct gaps *s = in->priv;

	if (!s->gap.n)
		return;		/* no interrupt at all: the lengths stay 0 */
	fl_samples_sort(&s->gap);
	acc->metric[GAP_P50] = fl_samples_percentile(&s->gap, 50);
	acc->metric[GAP_P99] = fl_samples_percentile(&s->gap, 99);
}

static void teardown(void *priv)
{
	struct gaps *s = priv;

	fl_samples_free(&s->gap);
}

const struct fl_workload fl_wl_irq_gaps = {
	.name = "irq_gaps",
	.help = "a thread spins on the TSC; the gaps are interrupts from user mode (osnoise's way)",
	.backends = FL_LIVE,
	.variants = variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct gaps),
	.setup = setup,
	.round = round_fn,
	.finish = finish,
	.teardown = teardown,
};
