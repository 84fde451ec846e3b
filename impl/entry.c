// SPDX-License-Identifier: GPL-2.0
/*
 * impl/entry.c - an interrupt from user mode through the v4.2 assembly exit
 * (retint_user) and the v4.3 C one (prepare_exit_to_usermode), with context
 * tracking and RCU's dynticks as they cost.  See impl/entry.h.
 */
#include "entry.h"

/* rcu's dynticks_nesting outside an EQS: DYNTICK_TASK_EXIT_IDLE's part */
#define KM_DYNTICK_TASK		(1L << 30)

/* Every conditional branch of the modelled paths goes through here, and is counted. */
static bool km_branch(struct km_entry_cpu *cpu, bool cond)
{
	cpu->st.branches++;
	return cond;
}

/* ---- RCU (kernel/rcu/tree.c, v4.2) --------------------------------------- */

/* rcu_dynticks_eqs_enter()/exit(): a fully ordered increment of dynticks */
static void km_rcu_dynticks_bump(struct km_entry_cpu *cpu)
{
	atomic_add_return(1, &cpu->dynticks);
	cpu->st.atomics++;
	cpu->st.eqs_transitions++;
}

/* rcu_user_exit(): out of the EQS a nohz_full CPU keeps in user mode */
static void km_rcu_user_exit(struct km_entry_cpu *cpu)
{
	cpu->dynticks_nesting = KM_DYNTICK_TASK;
	km_rcu_dynticks_bump(cpu);
}

static void km_rcu_user_enter(struct km_entry_cpu *cpu)
{
	cpu->dynticks_nesting = 0;
	km_rcu_dynticks_bump(cpu);
}

/* Out of the EQS if the interrupt came from one, else only the nesting. */
static void km_rcu_irq_enter(struct km_entry_cpu *cpu)
{
	long oldval = cpu->dynticks_nesting++;

	if (km_branch(cpu, oldval))
		return;
	km_rcu_dynticks_bump(cpu);
}

static void km_rcu_irq_exit(struct km_entry_cpu *cpu)
{
	if (km_branch(cpu, --cpu->dynticks_nesting))
		return;
	km_rcu_dynticks_bump(cpu);
}

/* ---- context tracking (kernel/context_tracking.c, v4.2) ----------------- */

/* vtime_user_exit(): the user time since the last stamp, settled */
static void km_vtime_user_exit(struct km_entry_cpu *cpu)
{
	u64 now = get_cycles();

	cpu->vtime_user += now - cpu->vtime_stamp;
	cpu->vtime_stamp = now;
}

static void km_vtime_user_enter(struct km_entry_cpu *cpu)
{
	cpu->vtime_stamp = get_cycles();
}

/* context_tracking_exit(CONTEXT_USER), behind its static key */
static void km_user_exit(struct km_entry_cpu *cpu)
{
	if (!km_branch(cpu, cpu->ct_enabled))
		return;
	if (!km_branch(cpu, cpu->ct_state == KM_CONTEXT_USER))
		return;
	km_rcu_user_exit(cpu);
	km_vtime_user_exit(cpu);
	WRITE_ONCE(cpu->ct_state, KM_CONTEXT_KERNEL);
	cpu->st.ct_transitions++;
}

/* context_tracking_enter(CONTEXT_USER) */
static void km_user_enter(struct km_entry_cpu *cpu)
{
	if (!km_branch(cpu, cpu->ct_enabled))
		return;
	if (!km_branch(cpu, cpu->ct_state != KM_CONTEXT_USER))
		return;
	km_vtime_user_enter(cpu);
	km_rcu_user_enter(cpu);
	WRITE_ONCE(cpu->ct_state, KM_CONTEXT_USER);
	cpu->st.ct_transitions++;
}

/* ---- the interrupt and the exit work, the same in both ------------------- */

static void km_handle_irq(struct km_entry_cpu *cpu)
{
	unsigned long i;

	cpu->irqs_handled++;
	/* the handler's own work, opaque to the compiler */
	for (i = 0; i < cpu->handler_work; i++)
		WRITE_ONCE(cpu->handler_sink, READ_ONCE(cpu->handler_sink) + i);
}

/* irq_enter(), the handler, irq_exit() with its softirq check */
static void km_do_IRQ(struct km_entry_cpu *cpu)
{
	km_rcu_irq_enter(cpu);
	km_handle_irq(cpu);
	km_rcu_irq_exit(cpu);
	if (km_branch(cpu, cpu->softirq_pending))
		cpu->softirq_pending = 0;	/* invoke_softirq(): none is raised here */
}

static void km_clear_flag(struct km_entry_cpu *cpu, unsigned long flag)
{
	WRITE_ONCE(cpu->ti_flags, READ_ONCE(cpu->ti_flags) & ~flag);
}

static void km_schedule(struct km_entry_cpu *cpu)
{
	km_clear_flag(cpu, KM_TIF_NEED_RESCHED);
	cpu->st.schedules++;
}

/* The work do_notify_resume() and exit_to_usermode_loop() both do, for flags. */
static void km_notify_resume_work(struct km_entry_cpu *cpu, unsigned long flags)
{
	if (km_branch(cpu, flags & KM_TIF_UPROBE)) {
		km_clear_flag(cpu, KM_TIF_UPROBE);
		cpu->st.uprobes++;
	}
	if (km_branch(cpu, flags & KM_TIF_SIGPENDING)) {
		km_clear_flag(cpu, KM_TIF_SIGPENDING);	/* do_signal(): delivered */
		cpu->st.signals++;
	}
	if (km_branch(cpu, flags & KM_TIF_NOTIFY_RESUME)) {
		km_clear_flag(cpu, KM_TIF_NOTIFY_RESUME);
		cpu->st.notify_resumes++;
	}
	if (km_branch(cpu, flags & KM_TIF_USER_RETURN_NOTIFY)) {
		km_clear_flag(cpu, KM_TIF_USER_RETURN_NOTIFY);
		cpu->st.user_return_notifiers++;
	}
}

/* ---- old: v4.2's retint_user ----------------------------------------------- */

/* schedule_user(): exception_enter(), schedule(), exception_exit() */
static void km_schedule_user(struct km_entry_cpu *cpu)
{
	enum km_ct_state prev = KM_CONTEXT_KERNEL;

	if (km_branch(cpu, cpu->ct_enabled))
		prev = cpu->ct_state;
	if (km_branch(cpu, prev != KM_CONTEXT_KERNEL))
		km_user_exit(cpu);
	km_schedule(cpu);
	if (km_branch(cpu, prev != KM_CONTEXT_KERNEL))
		km_user_enter(cpu);
}

/* do_notify_resume(): entered in whatever state, so it makes its own */
static void km_do_notify_resume(struct km_entry_cpu *cpu, unsigned long flags)
{
	km_user_exit(cpu);
	km_notify_resume_work(cpu, flags);
	km_user_enter(cpu);
}

/* The asm loop: the flags reread at each turn, one kind of work a turn. */
static void km_retint_user(struct km_entry_cpu *cpu)
{
	for (;;) {
		unsigned long flags = READ_ONCE(cpu->ti_flags);

		if (!km_branch(cpu, flags & KM_TIF_WORK_MASK))
			return;
		if (km_branch(cpu, flags & KM_TIF_NEED_RESCHED))
			km_schedule_user(cpu);
		else
			km_do_notify_resume(cpu, flags);
	}
}

void km_irq_from_user_old(struct km_entry_cpu *cpu)
{
	km_do_IRQ(cpu);
	km_retint_user(cpu);
}

/* ---- new: v4.3's C exit -------------------------------------------------- */

static void km_exit_to_usermode_loop(struct km_entry_cpu *cpu, unsigned long cached_flags)
{
	for (;;) {
		if (km_branch(cpu, cached_flags & KM_TIF_NEED_RESCHED))
			km_schedule(cpu);
		km_notify_resume_work(cpu, cached_flags);
		cached_flags = READ_ONCE(cpu->ti_flags);
		if (!km_branch(cpu, cached_flags & KM_TIF_WORK_MASK))
			return;
	}
}

static void km_prepare_exit_to_usermode(struct km_entry_cpu *cpu)
{
	unsigned long cached_flags = READ_ONCE(cpu->ti_flags);

	if (km_branch(cpu, cached_flags & KM_TIF_WORK_MASK))
		km_exit_to_usermode_loop(cpu, cached_flags);
	km_user_enter(cpu);
}

void km_irq_from_user_new(struct km_entry_cpu *cpu)
{
	km_user_exit(cpu);	/* enter_from_user_mode() */
	km_do_IRQ(cpu);
	km_prepare_exit_to_usermode(cpu);
}

/* ---- the pairs, on their own --------------------------------------------- */

void km_user_exit_enter(struct km_entry_cpu *cpu)
{
	km_user_exit(cpu);
	km_user_enter(cpu);
}

void km_rcu_irq_enter_exit(struct km_entry_cpu *cpu)
{
	km_rcu_irq_enter(cpu);
	km_rcu_irq_exit(cpu);
}

void km_entry_cpu_init(struct km_entry_cpu *cpu, bool ct_enabled, unsigned long handler_work)
{
	memset(cpu, 0, sizeof(*cpu));
	cpu->ct_enabled = ct_enabled;
	cpu->handler_work = handler_work;
	cpu->vtime_stamp = get_cycles();
	if (ct_enabled) {
		/* in user mode on a nohz_full CPU: RCU in its EQS */
		cpu->ct_state = KM_CONTEXT_USER;
		atomic_set(&cpu->dynticks, 2);
		cpu->dynticks_nesting = 0;
	} else {
		cpu->ct_state = KM_CONTEXT_KERNEL;	/* never tracked */
		atomic_set(&cpu->dynticks, 1);
		cpu->dynticks_nesting = KM_DYNTICK_TASK;
	}
}

bool km_entry_cpu_in_user(const struct km_entry_cpu *cpu)
{
	bool eqs = !(atomic_read(&cpu->dynticks) & 1);

	if (READ_ONCE(cpu->ti_flags) & KM_TIF_WORK_MASK)
		return false;
	if (!cpu->ct_enabled)
		return !eqs && cpu->dynticks_nesting == KM_DYNTICK_TASK;
	return cpu->ct_state == KM_CONTEXT_USER && eqs && cpu->dynticks_nesting == 0;
}
