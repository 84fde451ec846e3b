// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/wl_notifier.c - notifier_invalidate in the kernel: a real mmu
 * notifier on a harness process's mm, and a "device" whose TLB flush is
 * posted to a timer and completes D us later, as an interrupt would.
 * workloads/cow_target.h is the harness side: its writer thread (target=TID)
 * forks and copies on write the N pages at target_addr, the device's range,
 * while F threads of the same process fault in the same page table.
 *
 * Variant old, the driver the seed's change was for: it flushes in the
 * callback the kernel calls from ptep_clear_flush_notify() under the PT
 * lock (invalidate_range in 6.1; arch_invalidate_secondary_tlbs, from the
 * TLB flush, in 6.6 on), so it must spin until the completion.  Variant new:
 * it flushes in invalidate_range_start, before the lock, and sleeps until
 * the completion wakes it (it spins only where start is not blockable);
 * its ends are checked against its starts.  Each registers only its own
 * callbacks.
 * kmod/README.md lists the callbacks and the locks they are called under.
 *
 * A round is T ms of the harness threads' work.  The module counts the
 * device's flushes, those waited for with a spinlock held (!preemptible())
 * and how long, the faults the faulter threads took (their min_flt) and the
 * writer's, and whether every invalidate_range_end named the range of its
 * start.
 */
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/preempt.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/wait.h>

#include "fl_kmod.h"

/* the flushes of a repetition whose locked wait is kept for the p99 */
#define FL_MN_MAX_WAITS		(1L << 16)
/* invalidate_range_start..end sections open at once in the device's range */
#define FL_MN_MAX_OPEN		32

struct fl_mn {
	struct mmu_notifier mn;
	bool old;
	u64 delay_ns;
	unsigned long start, end;		/* the device's range */
	struct task_struct *target;		/* the writer */
	struct mm_struct *mm;
	bool registered;
	wait_queue_head_t wq;			/* a round's sleep, cut short by unload */

	spinlock_t lock;			/* what the callbacks record */
	struct { unsigned long start, end; } open[FL_MN_MAX_OPEN];
	int nr_open;
	u64 *waits_ns;				/* each flush's wait under a lock (0: none) */
	long nr_waits;
	long flushes, locked_waits, pairing_errors;

	/* at the last round's end */
	long flushes_seen, locked_seen;
	unsigned long faults_seen, writer_seen;
};

struct fl_mn_flush {
	struct hrtimer timer;
	struct completion done;
};

/* The device's completion interrupt. */
static enum hrtimer_restart fl_mn_flush_done(struct hrtimer *t)
{
	complete(&container_of(t, struct fl_mn_flush, timer)->done);
	return HRTIMER_NORESTART;
}

static void fl_mn_record(struct fl_mn *s, u64 locked_ns, bool locked)
{
	spin_lock(&s->lock);
	s->flushes++;
	s->locked_waits += locked;
	if (s->nr_waits < FL_MN_MAX_WAITS)
		s->waits_ns[s->nr_waits++] = locked_ns;
	spin_unlock(&s->lock);
}

/*
 * Posts a flush and waits for its completion: asleep where the caller may
 * sleep, else spinning (the PT lock held: the timer interrupt still comes).
 */
static void fl_mn_flush(struct fl_mn *s, bool blockable)
{
	bool locked = !preemptible();
	struct fl_mn_flush f;
	u64 t0;

	if (!s->delay_ns) {
		fl_mn_record(s, 0, false);
		return;
	}
	t0 = ktime_get_ns();
	init_completion(&f.done);
	hrtimer_init_on_stack(&f.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	f.timer.function = fl_mn_flush_done;
	hrtimer_start(&f.timer, ns_to_ktime(s->delay_ns), HRTIMER_MODE_REL_HARD);
	if (blockable && !locked)
		wait_for_completion(&f.done);
	else
		while (!completion_done(&f.done))
			cpu_relax();
	/* the interrupt may still be returning from complete() */
	hrtimer_cancel(&f.timer);
	destroy_hrtimer_on_stack(&f.timer);
	fl_mn_record(s, locked ? ktime_get_ns() - t0 : 0, locked);
}

static bool fl_mn_overlaps(const struct fl_mn *s, unsigned long start, unsigned long end)
{
	return start < s->end && end > s->start;
}

static struct fl_mn *fl_mn_of(struct mmu_notifier *mn)
{
	return container_of(mn, struct fl_mn, mn);
}

static int fl_mn_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct fl_mn *s = fl_mn_of(mn);

	if (!fl_mn_overlaps(s, range->start, range->end))
		return 0;
	spin_lock(&s->lock);
	if (s->nr_open < FL_MN_MAX_OPEN) {
		s->open[s->nr_open].start = range->start;
		s->open[s->nr_open].end = range->end;
		s->nr_open++;
	} else {
		s->pairing_errors++;
	}
	spin_unlock(&s->lock);
	fl_mn_flush(s, mmu_notifier_range_blockable(range));
	return 0;
}

/* The end must name the range its start did. */
static void fl_mn_range_end(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct fl_mn *s = fl_mn_of(mn);
	int i;

	if (!fl_mn_overlaps(s, range->start, range->end))
		return;
	spin_lock(&s->lock);
	for (i = 0; i < s->nr_open; i++) {
		if (s->open[i].start != range->start || s->open[i].end != range->end)
			continue;
		s->open[i] = s->open[--s->nr_open];
		spin_unlock(&s->lock);
		return;
	}
	s->pairing_errors++;
	spin_unlock(&s->lock);
}

/* The secondary-TLB callback: under the PT lock from ptep_clear_flush_notify() and the like. */
static void fl_mn_invalidate_tlbs(struct mmu_notifier *mn, struct mm_struct *mm,
				  unsigned long start, unsigned long end)
{
	struct fl_mn *s = fl_mn_of(mn);

	if (fl_mn_overlaps(s, start, end))
		fl_mn_flush(s, false);
}

/*
 * Old's device only has the secondary-TLB callback, new's only start and
 * end: 6.6 on refuses a notifier with both (mmu_notifier_register() says
 * -EINVAL), since the one is for devices that share the CPU's page tables.
 */
static const struct mmu_notifier_ops fl_mn_old_ops = {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	.arch_invalidate_secondary_tlbs = fl_mn_invalidate_tlbs,
#else
	.invalidate_range = fl_mn_invalidate_tlbs,
#endif
};

static const struct mmu_notifier_ops fl_mn_new_ops = {
	.invalidate_range_start = fl_mn_range_start,
	.invalidate_range_end = fl_mn_range_end,
};

/* The faults of the writer, and of every other thread of its process. */
static void fl_mn_faults(struct fl_mn *s, unsigned long *others, unsigned long *writer)
{
	struct task_struct *t;

	*others = 0;
	*writer = 0;
	rcu_read_lock();
	for_each_thread(s->target, t) {
		if (t == s->target)
			*writer = READ_ONCE(t->min_flt);
		else
			*others += READ_ONCE(t->min_flt);
	}
	rcu_read_unlock();
}

static int fl_mn_setup(struct fl_kmod_run *run)
{
	struct fl_mn *s = run->priv;
	unsigned long addr = fl_kmod_param(&run->req, "target_addr");
	int err;

	spin_lock_init(&s->lock);
	init_waitqueue_head(&s->wq);
	s->old = run->req.variant == 0;
	s->delay_ns = fl_kmod_param(&run->req, "D") * NSEC_PER_USEC;
	s->start = addr;
	s->end = addr + fl_kmod_param(&run->req, "N") * PAGE_SIZE;
	if (!addr || !PAGE_ALIGNED(addr))
		return fl_kmod_fail(run, EINVAL, "target_addr=%lu: the device's range must be "
				    "a page of the target's", addr);
	s->waits_ns = kvmalloc_array(FL_MN_MAX_WAITS, sizeof(*s->waits_ns), GFP_KERNEL);
	if (!s->waits_ns)
		return fl_kmod_fail(run, ENOMEM, "out of memory");
	err = fl_kmod_find_target(run, &s->target);
	if (err)
		return err;
	s->mm = get_task_mm(s->target);
	if (!s->mm)
		return fl_kmod_fail(run, ESRCH, "target=%d: it has no mm (exiting)",
				    s->target->pid);
	s->mn.ops = s->old ? &fl_mn_old_ops : &fl_mn_new_ops;
	err = mmu_notifier_register(&s->mn, s->mm);
	if (err)
		return fl_kmod_fail(run, -err, "mmu_notifier_register() failed: %d", err);
	s->registered = true;
	fl_mn_faults(s, &s->faults_seen, &s->writer_seen);
	return 0;
}

/* One job a round: T ms of the harness's threads at work. */
static int fl_mn_job(struct fl_kmod_run *run, int w)
{
	struct fl_mn *s = run->priv;
	long ms = fl_kmod_param(&run->req, "T");

	if (wait_event_interruptible_timeout(s->wq, kthread_should_stop(),
					     msecs_to_jiffies(ms)) != 0)
		return fl_kmod_fail(run, EINTR, "stopped during a round");
	return 0;
}

/*
 * In the order of the catalogue's metrics: the round's faults, the writer's
 * faults, flushes and locked waits; the repetition so far's p99 locked wait
 * (ns) and pairing errors.
 */
static void fl_mn_round_end(struct fl_kmod_run *run, long long *metric)
{
	struct fl_mn *s = run->priv;
	unsigned long faults, writer;

	fl_mn_faults(s, &faults, &writer);
	metric[0] = faults - s->faults_seen;
	metric[1] = writer - s->writer_seen;
	s->faults_seen = faults;
	s->writer_seen = writer;
	spin_lock(&s->lock);
	metric[2] = s->flushes - s->flushes_seen;
	metric[3] = s->locked_waits - s->locked_seen;
	s->flushes_seen = s->flushes;
	s->locked_seen = s->locked_waits;
	fl_kmod_sort_u64(s->waits_ns, s->nr_waits);
	metric[4] = fl_kmod_percentile(s->waits_ns, s->nr_waits, 990);
	metric[5] = s->pairing_errors;
	spin_unlock(&s->lock);
}

static void fl_mn_teardown(struct fl_kmod_run *run)
{
	struct fl_mn *s = run->priv;

	/* waits for every callback still running */
	if (s->registered)
		mmu_notifier_unregister(&s->mn, s->mm);
	if (s->mm)
		mmput(s->mm);
	if (s->target)
		put_task_struct(s->target);
	kvfree(s->waits_ns);
}

const struct fl_kmod_wl fl_kmod_wl_notifier_invalidate = {
	.desc = &fl_kmod_desc_notifier_invalidate,
	.priv_size = sizeof(struct fl_mn),
	.setup = fl_mn_setup,
	.job = fl_mn_job,
	.round_end = fl_mn_round_end,
	.teardown = fl_mn_teardown,
};
