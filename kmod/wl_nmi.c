// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/wl_nmi.c - nmi_stack_sampling in the kernel: copy_from_user_nmi()'s
 * two versions with the real functions, in interrupt context, against a
 * real thread's user stack.  workloads/nmi_stack_sampling.c is the harness
 * side: it starts the target thread (a deep call chain with canaries, its
 * stack laid out by D and H) and names it in the request as target=TID.
 *
 * Where the CPU has a PMU, a cycles counter on the target overflows R times
 * a second and its handler runs in real NMI context, as perf's own sampling
 * does.  Without one (TCG, most VMs: all of this project's machines, so that
 * path is untested here) an hrtimer fires R times a second, in hard
 * interrupt context, on the CPU the target is pinned to, as perf's cpu-clock
 * event does.  When either interrupts the target in user mode it copies S KiB
 * from the target's user
 * stack pointer up: variant old with impl/nmi_copy.c's v3.12 loop, here over
 * the real get_user_pages_fast_only(), kmap_local_page() and put_page();
 * variant new with the kernel's own copy_from_user_nmi().  Each copy is
 * timed (in an exact guest the TSC counts instructions, so a copy costs the
 * same every time).  A round is N samples.
 */
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/irq_regs.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "fl_kmod.h"
#include "nmi_copy.h"

/* every handler run of a repetition is kept: rounds x N of them at most */
#define FL_NMI_MAX_SAMPLES	(1L << 20)

struct fl_nmi {
	bool old;
	unsigned long copy_bytes;
	long per_round;
	ktime_t period;
	struct task_struct *target;
	struct perf_event *pmu;		/* the NMI source, where there is a PMU */
	struct hrtimer timer;		/* else this */
	bool timer_started;
	struct irq_work wake;		/* an NMI may not wake a task itself */
	void *dump;			/* the sample: perf's ring buffer */
	/* written by the timer while a round is open, read between rounds */
	u64 *cycles;
	long n, cap;
	long round_left;
	unsigned long bytes, short_copies;
	struct km_nc_stats st;
	wait_queue_head_t round_wq;
};

/* One sample: S bytes from sp up, timed as the harness times a region. */
static void fl_nmi_sample(struct fl_nmi *s, unsigned long sp)
{
	const void __user *from = (const void __user *)sp;
	unsigned long copied;
	u64 t0, t1;

	t0 = rdtsc_ordered();
	if (s->old)
		copied = km_copy_from_user_nmi_old(s->dump, from, s->copy_bytes, &s->st);
	else
		copied = s->copy_bytes - copy_from_user_nmi(s->dump, from, s->copy_bytes);
	t1 = rdtsc();
	if (s->n < s->cap)
		s->cycles[s->n++] = t1 - t0;
	s->bytes += copied;
	s->short_copies += copied < s->copy_bytes;
}

static void fl_nmi_wake(struct irq_work *w)
{
	struct fl_nmi *s = container_of(w, struct fl_nmi, wake);

	wake_up(&s->round_wq);
}

/* An interrupt (NMI or timer) with these regs: a sample if it caught the target in user mode. */
static void fl_nmi_interrupt(struct fl_nmi *s, struct pt_regs *regs)
{
	if (READ_ONCE(s->round_left) <= 0)
		return;
	if (current != s->target || !regs || !user_mode(regs))
		return;
	fl_nmi_sample(s, regs->sp);
	if (--s->round_left == 0)
		irq_work_queue(&s->wake);
}

static enum hrtimer_restart fl_nmi_tick(struct hrtimer *t)
{
	struct fl_nmi *s = container_of(t, struct fl_nmi, timer);

	hrtimer_forward_now(t, s->period);
	fl_nmi_interrupt(s, get_irq_regs());
	return HRTIMER_RESTART;
}

static void fl_nmi_overflow(struct perf_event *event, struct perf_sample_data *data,
			    struct pt_regs *regs)
{
	fl_nmi_interrupt(event->overflow_handler_context, regs);
}

/*
 * A cycles counter on the target, overflowing about R times a second of its
 * user time; NULL where the CPU has no PMU (or the counter cannot be had).
 */
static struct perf_event *fl_nmi_pmu(struct fl_nmi *s, long rate)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.size = sizeof(attr),
		.sample_period = (u64)tsc_khz * 1000 / rate,
		.pinned = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	struct perf_event *e;

	if (!attr.sample_period)
		return NULL;
	e = perf_event_create_kernel_counter(&attr, -1, s->target, fl_nmi_overflow, s);
	return IS_ERR(e) ? NULL : e;
}

/* On the target's CPU, so that the timer is pinned there. */
static void fl_nmi_start_timer(void *arg)
{
	struct fl_nmi *s = arg;

	hrtimer_start(&s->timer, s->period, HRTIMER_MODE_REL_PINNED_HARD);
}

static int fl_nmi_setup(struct fl_kmod_run *run)
{
	struct fl_nmi *s = run->priv;
	long total;
	int err;

	init_waitqueue_head(&s->round_wq);
	s->old = run->req.variant == 0;
	s->copy_bytes = fl_kmod_param(&run->req, "S") << 10;
	s->per_round = fl_kmod_param(&run->req, "N");
	s->period = ns_to_ktime(NSEC_PER_SEC / fl_kmod_param(&run->req, "R"));
	total = run->req.rounds * s->per_round;
	if (total > FL_NMI_MAX_SAMPLES)
		return fl_kmod_fail(run, E2BIG, "rounds x N = %ld samples, at most %ld", total,
				    FL_NMI_MAX_SAMPLES);
	s->cap = total;
	s->cycles = kvmalloc_array(total, sizeof(*s->cycles), GFP_KERNEL);
	s->dump = kvmalloc(s->copy_bytes, GFP_KERNEL);
	if (!s->cycles || !s->dump)
		return fl_kmod_fail(run, ENOMEM, "out of memory for %ld samples", total);
	err = fl_kmod_find_target(run, &s->target);
	if (err)
		return err;
	init_irq_work(&s->wake, fl_nmi_wake);
	s->pmu = fl_nmi_pmu(s, fl_kmod_param(&run->req, "R"));
	if (s->pmu)
		return 0;
	hrtimer_init(&s->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	s->timer.function = fl_nmi_tick;
	s->timer_started = true;
	/* the harness pinned the target: the timer goes where it runs */
	return smp_call_function_single(task_cpu(s->target), fl_nmi_start_timer, s, 1);
}

static bool fl_nmi_round_over(struct fl_nmi *s)
{
	return READ_ONCE(s->round_left) <= 0 || kthread_should_stop();
}

/*
 * One job a round: open the round, wait until the timer has taken N
 * samples.  A round that has not got them in twice its time, and a second,
 * has lost its target (it sleeps, or runs elsewhere).
 */
static int fl_nmi_job(struct fl_kmod_run *run, int w)
{
	struct fl_nmi *s = run->priv;
	u64 ns = 2 * (u64)s->per_round * (u64)ktime_to_ns(s->period) + NSEC_PER_SEC;
	long left, taken;

	WRITE_ONCE(s->round_left, s->per_round);
	left = wait_event_interruptible_timeout(s->round_wq, fl_nmi_round_over(s),
						nsecs_to_jiffies(ns));
	taken = s->per_round - READ_ONCE(s->round_left);
	if (taken >= s->per_round)
		return 0;
	WRITE_ONCE(s->round_left, 0);
	if (left != 0)
		return fl_kmod_fail(run, EINTR, "stopped waiting for samples");
	return fl_kmod_fail(run, ETIMEDOUT, "%ld of %ld samples in %llu ms: is the target "
			    "running, in user mode, on CPU %d?", taken, s->per_round,
			    ns / NSEC_PER_MSEC, task_cpu(s->target));
}

static long long fl_nmi_per_sample(unsigned long total, long n)
{
	return n ? (total + n / 2) / n : 0;
}

/*
 * The repetition so far, in the order of the catalogue's metrics: the
 * harness keeps the last round's (FL_SUMMARY).  The per-sample counts are
 * rounded to whole numbers.
 */
static void fl_nmi_round_end(struct fl_kmod_run *run, long long *metric)
{
	struct fl_nmi *s = run->priv;

	if (!s->n)
		return;
	fl_kmod_sort_u64(s->cycles, s->n);
	metric[0] = fl_kmod_percentile(s->cycles, s->n, 500);
	metric[1] = fl_kmod_percentile(s->cycles, s->n, 900);
	metric[2] = fl_kmod_percentile(s->cycles, s->n, 990);
	metric[3] = fl_kmod_percentile(s->cycles, s->n, 999);
	metric[4] = s->cycles[s->n - 1];
	metric[5] = s->n;
	metric[6] = fl_nmi_per_sample(s->st.pages_pinned, s->n);
	/* new's short copies ended in a fault; old's where GUP found no page */
	metric[7] = s->old ? 0 : fl_nmi_per_sample(s->short_copies, s->n);
	metric[8] = fl_nmi_per_sample(s->bytes, s->n);
	metric[9] = s->pmu != NULL;
}

static void fl_nmi_teardown(struct fl_kmod_run *run)
{
	struct fl_nmi *s = run->priv;

	if (s->pmu)
		perf_event_release_kernel(s->pmu);
	if (s->timer_started)
		hrtimer_cancel(&s->timer);
	irq_work_sync(&s->wake);
	if (s->target)
		put_task_struct(s->target);
	kvfree(s->cycles);
	kvfree(s->dump);
}

const struct fl_kmod_wl fl_kmod_wl_nmi_stack_sampling = {
	.desc = &fl_kmod_desc_nmi_stack_sampling,
	.priv_size = sizeof(struct fl_nmi),
	.setup = fl_nmi_setup,
	.job = fl_nmi_job,
	.round_end = fl_nmi_round_end,
	.teardown = fl_nmi_teardown,
};
