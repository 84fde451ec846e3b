// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/wl_vmap.c - reaim_vunmap and fork_vmap_stack in the kernel, with the
 * real things the shim models (workloads/vmap_jobs.c is the harness side).
 *
 * A job is a process's life as the kernel sees it: a PGD page whose kernel
 * half is cloned from the running page table (pgd_alloc), a THREAD_SIZE
 * stack from the real vmalloc() (alloc_thread_stack_node with VMAP_STACK),
 * written; for reaim_vunmap also T pages touched and S getppid() bodies;
 * then vfree() of the stack (the kernel frees the area lazily) and the PGD
 * freed (pgd_free).  The M resident processes are PGD pages of the module's
 * own, on its own list, cloned the same way.
 *
 * The kernel's own lazy purge no longer syncs (this is 6.x): variant old
 * puts the removed work back.  Every lazy_max_pages() of vfree'd stack and
 * guard pages it runs a sync_global_pgds() walk over the real vmalloc range
 * as 3f8fd02b1bf1 made __purge_vmap_area_lazy() do: under a spinlock of the
 * module's own, for each PGD slot the reference has, every PGD on the
 * module's list (filled where empty, as the kernel did) and the real PGD
 * page of every live process (read only, never written).  Variant new does
 * what vmalloc_sync_unmappings() does on x86-64: nothing.  Parameter lazy
 * lowers the purge threshold, so that a small run syncs too.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>
#include <asm/tlbflush.h>

#include "fl_kmod.h"

struct fl_vmap_pgd {
	pgd_t *pgd;
	struct list_head list;
};

struct fl_vmap {
	bool old;
	long touch_pages, syscalls;
	spinlock_t pgd_lock;		/* the module's own pgd_lock */
	struct list_head pgd_list;	/* residents and the jobs' PGDs */
	struct fl_vmap_pgd *resident;
	long nresident;
	void **scratch;			/* per worker: T pages it touches */
	long nscratch;
	struct mutex purge_lock;	/* vmap_purge_lock */
	atomic_long_t lazy_nr;		/* vmap_lazy_nr: pages freed, not purged */
	unsigned long lazy_max;
	atomic_long_t syncs, walked, stale, set;
	long last_syncs, last_walked;
};


/*
 * The page table the CPU runs on.  Its kernel half is the reference's
 * (init_mm is not exported): on x86-64 every PGD shares the kernel part, and
 * since 5.8 the vmalloc range's PGD entries exist from boot.  Preemption
 * must be off so that CR3 stays put.
 */
static pgd_t *fl_vmap_ref_pgd(void)
{
	return (pgd_t *)__va(read_cr3_pa());
}

/* pgd_alloc() (6.1 arch/x86/mm/pgtable.c): pgd_ctor clones the kernel half */
static int fl_vmap_pgd_alloc(struct fl_vmap *v, struct fl_vmap_pgd *p)
{
	pgd_t *ref;

	p->pgd = (pgd_t *)get_zeroed_page(GFP_KERNEL);
	if (!p->pgd)
		return -ENOMEM;
	spin_lock(&v->pgd_lock);
	ref = fl_vmap_ref_pgd();
	memcpy(p->pgd + KERNEL_PGD_BOUNDARY, ref + KERNEL_PGD_BOUNDARY,
	       KERNEL_PGD_PTRS * sizeof(pgd_t));
	list_add(&p->list, &v->pgd_list);
	spin_unlock(&v->pgd_lock);
	return 0;
}

/* pgd_free() (6.1 arch/x86/mm/pgtable.c): off the list, then freed */
static void fl_vmap_pgd_free(struct fl_vmap *v, struct fl_vmap_pgd *p)
{
	if (!p->pgd)
		return;
	spin_lock(&v->pgd_lock);
	list_del(&p->list);
	spin_unlock(&v->pgd_lock);
	free_page((unsigned long)p->pgd);
	p->pgd = NULL;
}

/*
 * One PGD slot of sync_global_pgds_l4() (5.4 arch/x86/mm/init_64.c), pgd_lock
 * held: the module's PGDs get the reference entry where they have none; the
 * live processes' PGDs are read, and an entry that differs is only counted.
 * task_lock() keeps p->mm, and so its PGD page, from going away.
 */
static void fl_vmap_sync_slot(struct fl_vmap *v, unsigned long idx, pgd_t ref)
{
	struct task_struct *p;
	struct fl_vmap_pgd *q;
	long walked = 0, stale = 0, set = 0;

	list_for_each_entry(q, &v->pgd_list, list) {
		if (!pgd_val(READ_ONCE(q->pgd[idx]))) {
			WRITE_ONCE(q->pgd[idx], ref);
			set++;
		}
		walked++;
	}
	rcu_read_lock();
	for_each_process(p) {
		task_lock(p);
		if (p->mm) {
			if (pgd_val(READ_ONCE(p->mm->pgd[idx])) != pgd_val(ref))
				stale++;
			walked++;
		}
		task_unlock(p);
	}
	rcu_read_unlock();
	atomic_long_add(walked, &v->walked);
	atomic_long_add(stale, &v->stale);
	atomic_long_add(set, &v->set);
}

/* sync_global_pgds() over the vmalloc range, as vmalloc_sync_all() called it */
static void fl_vmap_sync_global_pgds(struct fl_vmap *v)
{
	unsigned long start = VMALLOC_START & PGDIR_MASK;
	unsigned long addr;
	pgd_t ref;

	atomic_long_inc(&v->syncs);
	for (addr = start; addr >= start && addr <= VMALLOC_END;
	     addr = ALIGN(addr + 1, PGDIR_SIZE)) {
		spin_lock(&v->pgd_lock);
		ref = READ_ONCE(fl_vmap_ref_pgd()[pgd_index(addr)]);
		/* the raw value: pgd_none() is always false with 4 levels */
		if (pgd_val(ref))
			fl_vmap_sync_slot(v, pgd_index(addr), ref);
		spin_unlock(&v->pgd_lock);
		cond_resched();
	}
}

/*
 * free_vmap_area_noflush() (5.4 mm/vmalloc.c) after the real vfree(): count
 * the lazily freed pages; past lazy_max_pages() one caller purges (the
 * kernel's try_purge_vmap_area_lazy) and, in variant old, syncs.
 */
static void fl_vmap_lazy_free(struct fl_vmap *v, unsigned long nr)
{
	if (atomic_long_add_return(nr, &v->lazy_nr) <= v->lazy_max)
		return;
	if (!mutex_trylock(&v->purge_lock))
		return;
	atomic_long_set(&v->lazy_nr, 0);
	if (v->old)
		fl_vmap_sync_global_pgds(v);
	mutex_unlock(&v->purge_lock);
}

/* getppid()'s body (6.1 kernel/sys.c) */
static pid_t fl_vmap_getppid(void)
{
	pid_t pid;

	rcu_read_lock();
	pid = task_tgid_vnr(rcu_dereference(current->real_parent));
	rcu_read_unlock();
	return pid;
}

static int fl_vmap_job(struct fl_kmod_run *run, int w)
{
	struct fl_vmap *v = run->priv;
	struct fl_vmap_pgd pgd = { 0 };
	unsigned long off;
	char *stack;
	long i;
	int err;

	err = fl_vmap_pgd_alloc(v, &pgd);
	if (err)
		return fl_kmod_fail(run, ENOMEM, "out of memory for a job's PGD");
	stack = vmalloc(THREAD_SIZE);
	if (!stack) {
		fl_vmap_pgd_free(v, &pgd);
		return fl_kmod_fail(run, ENOMEM, "vmalloc(%lu) of a job's stack failed",
				    THREAD_SIZE);
	}
	for (off = 0; off < THREAD_SIZE; off += PAGE_SIZE)
		WRITE_ONCE(stack[THREAD_SIZE - 1 - off], 1);
	for (i = 0; i < v->touch_pages; i++)
		WRITE_ONCE(*(char *)v->scratch[w * v->touch_pages + i], (char)i);
	for (i = 0; i < v->syscalls; i++)
		(void)fl_vmap_getppid();
	vfree(stack);
	/* the area and its guard page, as the kernel counts them */
	fl_vmap_lazy_free(v, THREAD_SIZE / PAGE_SIZE + 1);
	fl_vmap_pgd_free(v, &pgd);
	return 0;
}

static void fl_vmap_round_end(struct fl_kmod_run *run, long long *metric)
{
	struct fl_vmap *v = run->priv;
	long syncs = atomic_long_read(&v->syncs);
	long walked = atomic_long_read(&v->walked);

	metric[0] = (long long)run->nworkers * run->jobs;
	metric[1] = syncs - v->last_syncs;
	metric[2] = walked - v->last_walked;
	v->last_syncs = syncs;
	v->last_walked = walked;
}

/* lazy_max_pages() (6.1 mm/vmalloc.c): 32 MiB per bit of the CPU count */
static unsigned long fl_vmap_lazy_max_pages(void)
{
	return fls(num_online_cpus()) * (32UL * 1024 * 1024 / PAGE_SIZE);
}

static int fl_vmap_setup(struct fl_kmod_run *run)
{
	struct fl_vmap *v = run->priv;
	long m = fl_kmod_param(&run->req, "M");
	long i;

	v->old = run->req.variant == 0;
	if (fl_kmod_param_index(run->req.desc, "T") >= 0) {
		v->touch_pages = fl_kmod_param(&run->req, "T");
		v->syscalls = fl_kmod_param(&run->req, "S");
	}
	spin_lock_init(&v->pgd_lock);
	INIT_LIST_HEAD(&v->pgd_list);
	mutex_init(&v->purge_lock);
	v->lazy_max = fl_kmod_param(&run->req, "lazy");
	if (!v->lazy_max)
		v->lazy_max = fl_vmap_lazy_max_pages();

	v->nscratch = run->nworkers * v->touch_pages;
	v->scratch = kvcalloc(v->nscratch + 1, sizeof(*v->scratch), GFP_KERNEL);
	v->resident = kvcalloc(m + 1, sizeof(*v->resident), GFP_KERNEL);
	if (!v->scratch || !v->resident)
		return fl_kmod_fail(run, ENOMEM, "out of memory for M=%ld", m);
	for (i = 0; i < v->nscratch; i++) {
		v->scratch[i] = (void *)get_zeroed_page(GFP_KERNEL);
		if (!v->scratch[i])
			return fl_kmod_fail(run, ENOMEM, "out of memory for %ld touched pages",
					    v->nscratch);
	}
	for (i = 0; i < m; i++, v->nresident++) {
		if (fl_kmod_stopping())
			return fl_kmod_fail(run, EINTR, "stopped at resident %ld: unloading", i);
		if (fl_vmap_pgd_alloc(v, &v->resident[i]))
			return fl_kmod_fail(run, ENOMEM, "out of memory at resident %ld of %ld",
					    i + 1, m);
		cond_resched();
	}
	return 0;
}

static void fl_vmap_teardown(struct fl_kmod_run *run)
{
	struct fl_vmap *v = run->priv;
	long i;

	for (i = 0; v->resident && i < v->nresident; i++)
		fl_vmap_pgd_free(v, &v->resident[i]);
	for (i = 0; v->scratch && i < v->nscratch; i++)
		free_page((unsigned long)v->scratch[i]);
	WARN_ON(!list_empty(&v->pgd_list));
	kvfree(v->resident);
	kvfree(v->scratch);
}


const struct fl_kmod_wl fl_kmod_wl_reaim_vunmap = {
	.desc = &fl_kmod_desc_reaim_vunmap,
	.priv_size = sizeof(struct fl_vmap),
	.setup = fl_vmap_setup,
	.job = fl_vmap_job,
	.round_end = fl_vmap_round_end,
	.teardown = fl_vmap_teardown,
};


const struct fl_kmod_wl fl_kmod_wl_fork_vmap_stack = {
	.desc = &fl_kmod_desc_fork_vmap_stack,
	.priv_size = sizeof(struct fl_vmap),
	.setup = fl_vmap_setup,
	.job = fl_vmap_job,
	.round_end = fl_vmap_round_end,
	.teardown = fl_vmap_teardown,
};
