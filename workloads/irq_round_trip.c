// SPDX-License-Identifier: GPL-2.0
/*
 * irq_round_trip: an interrupt from user mode, in and out, through the v4.2
 * assembly exit (old) and the v4.3 C one (new), context tracking off (C=0)
 * or on (C=1, a nohz_full CPU); impl/entry.h.  A round is N round trips on
 * one modelled CPU, timed as a whole, with the work flags F set before each
 * (0: the common case, nothing to do on the way out).
 *
 * Two more variants time the pairs claim entry's (b) compares, N of each a
 * round, on a CPU in user mode with context tracking as C says:
 *   ct_pair   user_exit() + user_enter(): what new pays per IRQ with C=1;
 *   rcu_pair  rcu_irq_enter() + rcu_irq_exit() from RCU's EQS: what old paid.
 */
#include <errno.h>
#include <string.h>

#include "bench/err.h"
#include "bench/measure/clock.h"
#include "impl/entry.h"
#include "workload.h"

static const char *const variants[] = { "old", "new", "ct_pair", "rcu_pair", NULL };

static const struct fl_param params[] = {
	{ "C", "1: context tracking on (nohz_full), 0: off", 0, 0, 1 },
	{ "W", "units of work the interrupt's handler does", 64, 0, 100000 },
	{ "F", "work flags set before each interrupt (bits: sig, resched, notify, uprobe, urn)",
	  0, 0, KM_TIF_WORK_MASK },
	{ "N", "round trips (or pairs) per round", 4096, 1, 1 << 22 },
	{ NULL }
};

enum { CYCLES, BRANCHES, ATOMICS, CT_TRANSITIONS, EQS_TRANSITIONS };

static const struct fl_metric metrics[] = {
	/* one round trip, or one pair */
	[CYCLES] = { "cycles_per_op", "TSC cycles/op", FL_PER_ROUND, 1, false, FL_SHIM },
	[BRANCHES] = { "branches_per_op", "branches/op", FL_PER_ROUND, 1, false, FL_SHIM },
	/* fully ordered read-modify-writes (RCU's dynticks) */
	[ATOMICS] = { "atomics_per_op", "atomics/op", FL_PER_ROUND, 1, false, FL_SHIM },
	[CT_TRANSITIONS] = { "ct_transitions_per_op", "transitions/op", FL_PER_ROUND, 1, false,
			     FL_SHIM },
	[EQS_TRANSITIONS] = { "eqs_transitions_per_op", "transitions/op", FL_PER_ROUND, 1,
			      false, FL_SHIM },
	{ NULL }
};

struct round_trip {
	struct km_entry_cpu cpu;
	void (*op)(struct km_entry_cpu *cpu);
	unsigned long flags;
	long n;
	bool ct;
};

static int setup(struct fl_instance *in)
{
	struct round_trip *s = in->priv;

	s->ct = fl_param(in, "C");
	s->flags = (unsigned long)fl_param(in, "F");
	s->n = fl_param(in, "N");
	if (!strcmp(in->variant, "old"))
		s->op = km_irq_from_user_old;
	else if (!strcmp(in->variant, "new"))
		s->op = km_irq_from_user_new;
	else if (!strcmp(in->variant, "ct_pair"))
		s->op = km_user_exit_enter;
	else
		s->op = km_rcu_irq_enter_exit;
	if (!s->ct && !strcmp(in->variant, "ct_pair"))
		return fl_fail(EINVAL, "irq_round_trip: ct_pair needs C=1 (context tracking on)");
	km_entry_cpu_init(&s->cpu, s->ct, (unsigned long)fl_param(in, "W"));
	return 0;
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct round_trip *s = in->priv;
	struct km_entry_stats before = s->cpu.st;
	double n = (double)s->n;
	u64 t0, t1;

	t0 = fl_clock_begin();
	for (long i = 0; i < s->n; i++) {
		s->cpu.ti_flags = s->flags;
		s->op(&s->cpu);
	}
	t1 = fl_clock_end();
	if (!km_entry_cpu_in_user(&s->cpu))
		return fl_fail(EPROTO, "irq_round_trip: %s left the CPU out of user mode",
			       in->variant);
	acc->metric[CYCLES] += (double)(t1 - t0) / n;
	acc->metric[BRANCHES] += (double)(s->cpu.st.branches - before.branches) / n;
	acc->metric[ATOMICS] += (double)(s->cpu.st.atomics - before.atomics) / n;
	acc->metric[CT_TRANSITIONS] +=
		(double)(s->cpu.st.ct_transitions - before.ct_transitions) / n;
	acc->metric[EQS_TRANSITIONS] +=
		(double)(s->cpu.st.eqs_transitions - before.eqs_transitions) / n;
	return 0;
}

const struct fl_workload fl_wl_irq_round_trip = {
	.name = "irq_round_trip",
	.help = "an interrupt from user mode and back: the v4.2 asm exit (old) or v4.3's C "
		"(new), context tracking off or on",
	.backends = FL_SHIM,
	.variants = variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct round_trip),
	.setup = setup,
	.round = round_fn,
};
