// SPDX-License-Identifier: GPL-2.0
/*
 * The engine of the vmalloc-sync workloads (see vmap_jobs.h).
 *
 * Workers are workloads/pool.h's: threads that live for the whole
 * repetition, pinned one per PU, meeting the harness at a barrier before and
 * after each round, so a round is exactly P x jobs jobs and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/err.h"
#include "fork_helper.h"
#include "impl/vmalloc_sync.h"
#include "live.h"
#include "pool.h"
#include "vmap_jobs.h"

const char *const vmap_variants[] = { "old", "new", NULL };

/* ---- one job ------------------------------------------------------------- */

static volatile unsigned long sink;

/* The job's "short syscall-like work" on the shim: a getppid's worth of ALU. */
static void shim_syscall_work(long n)
{
	unsigned long h = 0;

	for (long i = 0; i < n * 64; i++)
		h = h * 31 + (unsigned long)i;
	sink = h;
}

static int shim_job(struct vmap_jobs *j)
{
	const struct vmap_job_mix *m = &j->mix;
	unsigned long size = (unsigned long)m->stack_kib << 10;
	struct km_mm *mm = km_vs_fork(j->k);
	unsigned long stack;

	if (!mm)
		return -ENOMEM;
	stack = km_vs_vmalloc(j->k, size);
	if (!stack) {
		km_vs_exit(j->k, mm);
		return -ENOMEM;
	}
	km_vs_touch(j->k, stack, size);
	shim_syscall_work(m->syscalls);
	km_vs_vfree(j->k, stack);
	km_vs_exit(j->k, mm);
	return 0;
}

/*
 * Only for measuring faultline compare's sensitivity (README, "How sensitive
 * is it here?"): built with -DFL_INJECT_SLOWDOWN_PCT=N (make INJECT=N), each
 * worker of the shim's variant new does N extra, uncounted jobs per 100
 * jobs: N% more of that variant's own work, on any machine, which a loop
 * calibrated on one machine is not.  Never on by default; a build with it
 * must never be mistaken for a measurement.
 *
 * N is data, not code: every build runs the same instructions at the same
 * addresses, and only this number differs.  Code that differed would move
 * the code after it, and the layout alone moved both variants of this
 * workload by up to 2% here (in either direction, as Mytkowicz et al., ASPLOS
 * 2009, found of layouts), on top of the N% or against it.  volatile, so
 * that the compiler cannot fold a 0 away.
 */
#ifndef FL_INJECT_SLOWDOWN_PCT
#define FL_INJECT_SLOWDOWN_PCT 0
#endif
static const volatile long inject_pct = FL_INJECT_SLOWDOWN_PCT;

/* *owed carries the fraction from job to job and round to round. */
static int injected_jobs(struct vmap_jobs *j, long *owed)
{
	long pct = inject_pct;

	if (!j->inject || !pct)
		return 0;
	*owed += pct;
	while (*owed >= 100) {
		int err = shim_job(j);

		if (err)
			return err;
		*owed -= 100;
	}
	return 0;
}

/* ---- workers ------------------------------------------------------------- */

/* A live worker's round: its jobs, forked by its fl-forker. */
static int live_work(struct vmap_jobs *j, int index, struct fl_round *acc)
{
	const struct fl_fork_request rq = {
		.jobs = j->mix.jobs,
		.touch_pages = j->mix.touch_pages,
		.syscalls = j->mix.syscalls,
	};
	int err = fl_fork_helper_run(&j->forker[index], &rq);

	if (!err)
		acc->metric[VMAP_JOBS] += (double)j->mix.jobs;
	return err;
}

/* One worker's round: its jobs, and those the sensitivity study injects. */
static int work(void *arg, int index, struct fl_round *acc)
{
	struct vmap_jobs *j = arg;

	if (j->backend == FL_LIVE)
		return live_work(j, index, acc);
	for (long i = 0; i < j->mix.jobs; i++) {
		int err = shim_job(j);

		if (!err)
			err = injected_jobs(j, &j->owed[index]);
		if (err)
			return fl_fail(-err, "%s job failed: %s", fl_backend_name(j->backend),
				       strerror(-err));
		acc->metric[VMAP_JOBS]++;
	}
	return 0;
}

/* ---- resident processes -------------------------------------------------- */

static int shim_resident(struct vmap_jobs *j, const char *variant)
{
	struct km_vs_config cfg = {
		.variant = strcmp(variant, "old") ? KM_VS_NEW : KM_VS_OLD,
		.levels = 4,
	};
	long m = j->mix.resident;

	unsigned long boot;

	j->k = km_vs_create(&cfg);
	j->inject = cfg.variant == KM_VS_NEW;
	j->resident_mm = calloc((size_t)m + 1, sizeof(*j->resident_mm));
	if (!j->k || !j->resident_mm)
		return fl_fail(ENOMEM, "out of memory for the modelled kernel");
	/*
	 * A running kernel populated the vmalloc range's top-level entry at
	 * boot, long before these processes: do it first, so that the one-off
	 * sync of a new mapping walks no process and is not timed later.
	 */
	boot = km_vs_vmalloc(j->k, PAGE_SIZE);
	if (!boot)
		return fl_fail(ENOMEM, "out of memory for the modelled kernel");
	km_vs_vfree(j->k, boot);
	for (long i = 0; i < m; i++) {
		j->resident_mm[i] = km_vs_fork(j->k);
		if (!j->resident_mm[i])
			return fl_fail(ENOMEM, "out of memory at resident process %ld of %ld",
				       i + 1, m);
	}
	km_vs_get_stats(j->k, &j->before);
	return 0;
}

static void shim_release(struct vmap_jobs *j)
{
	if (!j->k)
		return;
	for (long i = 0; i < j->mix.resident && j->resident_mm[i]; i++)
		km_vs_exit(j->k, j->resident_mm[i]);
	free(j->resident_mm);
	km_vs_destroy(j->k);
	j->k = NULL;
}

static int live_resident(struct vmap_jobs *j)
{
	struct rlimit rl;
	long m = j->mix.resident;

	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)(m + j->mix.workers + 16) > rl.rlim_cur)
		return fl_fail(EAGAIN, "M=%ld resident processes exceed RLIMIT_NPROC (%llu)",
			       m, (unsigned long long)rl.rlim_cur);
	j->resident_pid = calloc((size_t)m + 1, sizeof(pid_t));
	if (!j->resident_pid || pipe(j->hold))
		return fl_fail(ENOMEM, "cannot prepare %ld resident processes", m);
	for (long i = 0; i < m; i++) {
		char c;
		pid_t pid = fork();

		if (pid < 0)
			return fl_fail(errno, "fork of resident process %ld of %ld: %s",
				       i + 1, m, strerror(errno));
		if (!pid) {
			close(j->hold[1]);
			while (read(j->hold[0], &c, 1) < 0)
				;
			_exit(0);
		}
		j->resident_pid[i] = pid;
	}
	return 0;
}

/* One fl-forker per worker, started before the workers' threads. */
static int live_forkers(struct vmap_jobs *j)
{
	j->forker = calloc((size_t)j->mix.workers, sizeof(*j->forker));
	if (!j->forker)
		return fl_fail(ENOMEM, "out of memory for %ld workers", j->mix.workers);
	for (long i = 0; i < j->mix.workers; i++)
		j->forker[i].sock = -1;
	for (long i = 0; i < j->mix.workers; i++) {
		int err = fl_fork_helper_start(&j->forker[i]);

		if (err)
			return err;
	}
	return 0;
}

static void live_release(struct vmap_jobs *j)
{
	for (long i = 0; j->forker && i < j->mix.workers; i++)
		fl_fork_helper_stop(&j->forker[i]);
	free(j->forker);
	j->forker = NULL;
	if (!j->resident_pid)
		return;
	close(j->hold[0]);
	close(j->hold[1]);	/* EOF: every resident process exits */
	for (long i = 0; i < j->mix.resident && j->resident_pid[i]; i++)
		waitpid(j->resident_pid[i], NULL, 0);
	free(j->resident_pid);
	j->resident_pid = NULL;
}

/* ---- the workload interface ---------------------------------------------- */

void vmap_jobs_teardown(void *priv)
{
	struct vmap_jobs *j = priv;

	fl_pool_stop(j->pool);
	shim_release(j);
	live_release(j);
	free(j->owed);
}

/* A parameter the workload may not have (fork_vmap_stack has no T or S): 0. */
static long param_or_0(const struct fl_instance *in, const char *name)
{
	return fl_param_index(in->w, name) < 0 ? 0 : fl_param(in, name);
}

int vmap_jobs_setup(struct fl_instance *in)
{
	const struct vmap_job_mix mix = {
		.resident = fl_param(in, "M"),
		.workers = fl_param(in, "P"),
		.jobs = fl_param(in, "J"),
		.stack_kib = 16,
		.touch_pages = param_or_0(in, "T"),
		.syscalls = param_or_0(in, "S"),
	};
	struct vmap_jobs *j = in->priv;
	int err;

	if (in->backend == FL_LIVE) {
		err = fl_live_check_privilege();
		if (err)
			return err;
	}
	j->mix = mix;
	j->backend = in->backend;
	j->hold[0] = j->hold[1] = -1;
	if (in->backend == FL_LIVE) {
		err = live_resident(j);
		if (!err)
			err = live_forkers(j);
	} else
		err = shim_resident(j, in->variant);
	j->owed = calloc((size_t)mix.workers, sizeof(*j->owed));
	if (!err && !j->owed)
		err = fl_fail(ENOMEM, "out of memory for %ld workers", mix.workers);
	if (!err)
		err = fl_pool_start(&j->pool, (int)mix.workers, 0, work, j);
	return err;
}

int vmap_jobs_round(struct fl_instance *in, struct fl_round *acc)
{
	struct vmap_jobs *j = in->priv;
	struct km_vs_stats now;
	int err;

	fl_pool_kick(j->pool);
	err = fl_pool_wait(j->pool, acc);
	if (err || !j->k)
		return err;
	km_vs_get_stats(j->k, &now);
	acc->metric[VMAP_SYNCS] += (double)(now.syncs - j->before.syncs);
	acc->metric[VMAP_PGDS_WALKED] += (double)(now.pgds_walked - j->before.pgds_walked);
	j->before = now;
	return 0;
}

