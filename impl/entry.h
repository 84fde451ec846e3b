/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impl/entry.h - an interrupt from user mode, in and out, before and after
 * "x86/asm/entry/64: Migrate error and IRQ exit work to C and remove old
 * assembly code" (v4.3; seed 003, Andy Lutomirski's reply).
 *
 * Old (v4.2): the IRQ comes in in an unknown context-tracking state; do_IRQ()
 * brackets the handler with irq_enter()/irq_exit(), whose rcu_irq_enter()
 * and rcu_irq_exit() take RCU out of, and back into, its extended quiescent
 * state (EQS) when the CPU was in user mode with context tracking on; then
 * the retint_user maze rereads the work flags and calls SCHEDULE_USER
 * (schedule_user()) or do_notify_resume(), each of which must user_exit()
 * and user_enter() around itself.
 * New (v4.3): enter_from_user_mode() (user_exit()) first, in a known
 * CONTEXT_KERNEL; the same do_IRQ(), whose rcu_irq_enter()/rcu_irq_exit()
 * now find RCU already out of its EQS (the "unnecessary pair of branches");
 * then prepare_exit_to_usermode(): the cached work flags, a loop in C over
 * them, and user_enter().
 *
 * Context tracking is modelled as the kernel's: a static key (here a bool:
 * the same one test and branch) per CPU, the CONTEXT_USER/KERNEL state, and
 * RCU's dynticks counter, which every EQS entry and exit bumps with a fully
 * ordered atomic (atomic_add_return()), as rcu_dynticks_eqs_enter()/exit()
 * do.  user_exit() also settles the user time (vtime_user_exit(), a clock
 * read), as VIRT_CPU_ACCOUNTING_GEN does on a nohz_full CPU.
 *
 * Every conditional branch the modelled paths execute is counted, so that a
 * difference in work is a count, not only a time.
 */
#ifndef KM_IMPL_ENTRY_H
#define KM_IMPL_ENTRY_H

#include "platform.h"

/* The work flags the exit path loops over (arch/x86 thread_info.h) */
#define KM_TIF_SIGPENDING	(1UL << 0)
#define KM_TIF_NEED_RESCHED	(1UL << 1)
#define KM_TIF_NOTIFY_RESUME	(1UL << 2)
#define KM_TIF_UPROBE		(1UL << 3)
#define KM_TIF_USER_RETURN_NOTIFY (1UL << 4)
#define KM_TIF_WORK_MASK	((1UL << 5) - 1)

enum km_ct_state { KM_CONTEXT_KERNEL, KM_CONTEXT_USER };

/* What the paths did: the mechanism's counts. */
struct km_entry_stats {
	unsigned long branches;		/* conditional branches executed */
	unsigned long atomics;		/* fully ordered read-modify-writes */
	unsigned long ct_transitions;	/* user_exit() + user_enter() that changed state */
	unsigned long eqs_transitions;	/* RCU EQS entries and exits */
	/* the exit work, by kind */
	unsigned long schedules, signals, notify_resumes, uprobes, user_return_notifiers;
};

/* One CPU and the task on it. */
struct km_entry_cpu {
	bool ct_enabled;		/* context tracking on this CPU (nohz_full) */
	enum km_ct_state ct_state;
	atomic_t dynticks;		/* even: in an EQS */
	long dynticks_nesting;		/* RCU: 0 in the EQS, else the task's and interrupts' */
	unsigned long ti_flags;		/* current's work flags */
	u64 vtime_user, vtime_stamp;	/* the user time settled at user_exit() */
	unsigned long softirq_pending;
	unsigned long irqs_handled;
	unsigned long handler_work;	/* units of work the handler does */
	unsigned long handler_sink;
	struct km_entry_stats st;
};

/*
 * A CPU running a task in user mode: context tracking as asked, RCU in its
 * EQS where context tracking is on (a nohz_full CPU in user mode is), none
 * of the work flags set.
 */
void km_entry_cpu_init(struct km_entry_cpu *cpu, bool ct_enabled, unsigned long handler_work);

/* An interrupt that hits user mode, all the way back to user mode. */
void km_irq_from_user_old(struct km_entry_cpu *cpu);
void km_irq_from_user_new(struct km_entry_cpu *cpu);

/* The pairs claim (b) compares, on their own: user_exit() + user_enter(), ... */
void km_user_exit_enter(struct km_entry_cpu *cpu);
/* ... and rcu_irq_enter() + rcu_irq_exit() as old's IRQ from user paid them. */
void km_rcu_irq_enter_exit(struct km_entry_cpu *cpu);

/* Whether the CPU is back as km_entry_cpu_init() left it: user mode, right state. */
bool km_entry_cpu_in_user(const struct km_entry_cpu *cpu);

#endif /* KM_IMPL_ENTRY_H */
