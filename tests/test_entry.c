// SPDX-License-Identifier: GPL-2.0
/*
 * impl/entry.c: old and new exit paths do the same work for every
 * combination of work flags, with context tracking off and on, and leave the
 * CPU in user mode in the right state (context tracking's and RCU's); the
 * counts that claim entry stands on: with context tracking off new runs
 * exactly two more branches, with it on it trades old's two EQS transitions
 * in rcu_irq_enter()/exit() for user_exit()/user_enter()'s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "impl/entry.h"

static void irq_with(struct km_entry_cpu *cpu, bool old, bool ct, unsigned long flags)
{
	km_entry_cpu_init(cpu, ct, 8);
	cpu->ti_flags = flags;
	if (old)
		km_irq_from_user_old(cpu);
	else
		km_irq_from_user_new(cpu);
}

static unsigned long set(unsigned long flags, unsigned long flag)
{
	return (flags & flag) ? 1 : 0;
}

/* All 32 combinations of work flags, context tracking off and on. */
static void test_same_work_for_every_flag_combination(void **state)
{
	for (int ct = 0; ct <= 1; ct++) {
		for (unsigned long f = 0; f <= KM_TIF_WORK_MASK; f++) {
			struct km_entry_cpu o, n;

			irq_with(&o, true, ct, f);
			irq_with(&n, false, ct, f);
			assert_int_equal(o.irqs_handled, 1);
			assert_int_equal(n.irqs_handled, 1);
			assert_int_equal(n.st.schedules, set(f, KM_TIF_NEED_RESCHED));
			assert_int_equal(n.st.signals, set(f, KM_TIF_SIGPENDING));
			assert_int_equal(n.st.notify_resumes, set(f, KM_TIF_NOTIFY_RESUME));
			assert_int_equal(n.st.uprobes, set(f, KM_TIF_UPROBE));
			assert_int_equal(n.st.user_return_notifiers,
					 set(f, KM_TIF_USER_RETURN_NOTIFY));
			assert_int_equal(o.st.schedules, n.st.schedules);
			assert_int_equal(o.st.signals, n.st.signals);
			assert_int_equal(o.st.notify_resumes, n.st.notify_resumes);
			assert_int_equal(o.st.uprobes, n.st.uprobes);
			assert_int_equal(o.st.user_return_notifiers, n.st.user_return_notifiers);
			/* back in user mode, context tracking and RCU agreeing */
			assert_true(km_entry_cpu_in_user(&o));
			assert_true(km_entry_cpu_in_user(&n));
		}
	}
}

/* Context tracking off: new's cost over old is the pair of branches, nothing else. */
static void test_ct_off_costs_a_pair_of_branches(void **state)
{
	for (unsigned long f = 0; f <= KM_TIF_WORK_MASK; f++) {
		struct km_entry_cpu o, n;

		irq_with(&o, true, false, f);
		irq_with(&n, false, false, f);
		assert_int_equal(o.st.atomics, 0);
		assert_int_equal(n.st.atomics, 0);
		assert_int_equal(n.st.ct_transitions, 0);
		if (f == 0)	/* the common case: no work on the way out */
			assert_int_equal(n.st.branches, o.st.branches + 2);
	}
}

/*
 * Context tracking on, no work: old leaves RCU's EQS in rcu_irq_enter() and
 * goes back in rcu_irq_exit(); new does it in user_exit()/user_enter(), and
 * its rcu_irq_enter()/exit() find RCU already out: two transitions each way.
 */
static void test_ct_on_moves_the_eqs_transitions(void **state)
{
	struct km_entry_cpu o, n;

	irq_with(&o, true, true, 0);
	irq_with(&n, false, true, 0);
	assert_int_equal(o.st.eqs_transitions, 2);
	assert_int_equal(o.st.ct_transitions, 0);
	assert_int_equal(n.st.eqs_transitions, 2);
	assert_int_equal(n.st.ct_transitions, 2);
	assert_int_equal(o.st.atomics, n.st.atomics);
}

/*
 * Old with work and context tracking on: the CPU is still in CONTEXT_USER in
 * the middle of the exit (the unknown state), so each piece of work exits
 * and re-enters user context around itself.
 */
static void test_old_work_tracks_around_each_piece(void **state)
{
	struct km_entry_cpu o, n;
	unsigned long f = KM_TIF_NEED_RESCHED | KM_TIF_SIGPENDING;

	irq_with(&o, true, true, f);
	irq_with(&n, false, true, f);
	assert_int_equal(o.st.ct_transitions, 4);	/* schedule_user(), do_notify_resume() */
	assert_int_equal(n.st.ct_transitions, 2);	/* once in, once out */
}

/* The pairs claim (b) compares: each is one EQS exit and one entry. */
static void test_pairs_balance(void **state)
{
	struct km_entry_cpu c;

	km_entry_cpu_init(&c, true, 0);
	km_user_exit_enter(&c);
	assert_true(km_entry_cpu_in_user(&c));
	assert_int_equal(c.st.eqs_transitions, 2);
	assert_int_equal(c.st.ct_transitions, 2);
	km_entry_cpu_init(&c, true, 0);
	km_rcu_irq_enter_exit(&c);
	assert_true(km_entry_cpu_in_user(&c));
	assert_int_equal(c.st.eqs_transitions, 2);
	assert_int_equal(c.st.ct_transitions, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_work_for_every_flag_combination),
		cmocka_unit_test(test_ct_off_costs_a_pair_of_branches),
		cmocka_unit_test(test_ct_on_moves_the_eqs_transitions),
		cmocka_unit_test(test_old_work_tracks_around_each_piece),
		cmocka_unit_test(test_pairs_balance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
