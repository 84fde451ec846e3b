// SPDX-License-Identifier: GPL-2.0
/*
 * The engine of the spf workloads (see spf_jobs.h): one address space API
 * over the mm model and over the running kernel, and a worker pool.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/topology.h"
#include "live.h"
#include "spf_jobs.h"

/* ---- the address space ----------------------------------------------------- */

static int thp_was_disabled = -1;

/*
 * Live mappings must fault 4 KiB at a time, as the shim's do.  Turning THP
 * off for the process once is better than madvise() per mapping: that would
 * take mmap_lock for write on every mmap and double the writers.
 */
static int live_no_thp(void)
{
	int was = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);

	if (was < 0)
		return fl_fail(errno, "prctl(PR_GET_THP_DISABLE): %s", strerror(errno));
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		return fl_fail(errno, "prctl(PR_SET_THP_DISABLE): %s", strerror(errno));
	thp_was_disabled = was;
	return 0;
}

int spf_space_create(struct spf_space **out, const struct fl_instance *in,
		     bool extra_user)
{
	struct fl_spf_config cfg = { .variant = FL_SPF_CLASSIC };
	struct spf_space *sp;
	int err;

	if (in->backend == FL_LIVE) {
		err = fl_live_check_privilege();
		if (!err)
			err = live_no_thp();
		if (err)
			return err;
	} else if (in->backend != FL_SHIM) {
		return fl_fail(EINVAL, "%s: no %s backend", in->w->name,
			       fl_backend_name(in->backend));
	}
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return fl_fail(ENOMEM, "out of memory");
	sp->backend = in->backend;
	if (in->backend == FL_SHIM) {
		if (!strcmp(in->variant, "speculative"))
			cfg.variant = FL_SPF_SPECULATIVE;
		else if (strcmp(in->variant, "classic")) {
			free(sp);
			return fl_fail(EINVAL, "%s: unknown variant '%s'", in->w->name,
				       in->variant);
		}
		sp->mm = fl_spf_mm_create(&cfg);
		if (!sp->mm) {
			free(sp);
			return fl_fail(ENOMEM, "out of memory for the modelled mm");
		}
		if (extra_user)
			fl_spf_task_init(&sp->idle, sp->mm);
	}
	*out = sp;
	return 0;
}

void spf_space_destroy(struct spf_space *sp)
{
	if (!sp)
		return;
	if (sp->idle.mm)
		fl_spf_task_exit(&sp->idle);
	fl_spf_mm_destroy(sp->mm);
	if (sp->backend == FL_LIVE && thp_was_disabled >= 0) {
		prctl(PR_SET_THP_DISABLE, thp_was_disabled, 0, 0, 0);
		thp_was_disabled = -1;
	}
	free(sp);
}

void spf_thread_init(struct spf_thread *t, struct spf_space *sp, unsigned long seed)
{
	*t = (struct spf_thread){ .sp = sp, .rng = seed * 2654435761UL + 1 };
	if (sp->mm)
		fl_spf_task_init(&t->task, sp->mm);
}

void spf_thread_exit(struct spf_thread *t)
{
	if (t->task.mm)
		fl_spf_task_exit(&t->task);
}

unsigned long spf_rand(struct spf_thread *t)
{
	/* xorshift64 */
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return t->rng;
}

unsigned long spf_mmap(struct spf_thread *t, unsigned long len, bool writable)
{
	void *p;
	long r;

	if (t->sp->mm) {
		r = fl_spf_mmap(t->sp->mm, 0, len,
				FL_PROT_READ | (writable ? FL_PROT_WRITE : 0), 0);
		if (r < 0) {
			fl_fail((int)-r, "model mmap of %lu bytes: %s", len, strerror((int)-r));
			return 0;
		}
		return (unsigned long)r;
	}
	p = mmap(NULL, len, PROT_READ | (writable ? PROT_WRITE : 0),
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fl_fail(errno, "mmap of %lu bytes: %s", len, strerror(errno));
		return 0;
	}
	return (unsigned long)p;
}

static int live_result(int r, const char *what, unsigned long addr, unsigned long len)
{
	if (!r)
		return 0;
	return fl_fail(errno, "%s(%#lx, %lu): %s", what, addr, len, strerror(errno));
}

static int model_result(int r, const char *what, unsigned long addr, unsigned long len)
{
	if (!r)
		return 0;
	return fl_fail(-r, "model %s(%#lx, %lu): %s", what, addr, len, strerror(-r));
}

int spf_munmap(struct spf_thread *t, unsigned long addr, unsigned long len)
{
	if (t->sp->mm)
		return model_result(fl_spf_munmap(t->sp->mm, addr, len), "munmap", addr, len);
	return live_result(munmap((void *)addr, len), "munmap", addr, len);
}

int spf_mprotect(struct spf_thread *t, unsigned long addr, unsigned long len,
		 bool writable)
{
	if (t->sp->mm)
		return model_result(fl_spf_mprotect(t->sp->mm, addr, len, FL_PROT_READ |
				    (writable ? FL_PROT_WRITE : 0)), "mprotect", addr, len);
	return live_result(mprotect((void *)addr, len,
				    PROT_READ | (writable ? PROT_WRITE : 0)),
			   "mprotect", addr, len);
}

int spf_dontneed(struct spf_thread *t, unsigned long addr, unsigned long len)
{
	if (t->sp->mm)
		return model_result(fl_spf_madvise_dontneed(t->sp->mm, addr, len),
				    "madvise", addr, len);
	return live_result(madvise((void *)addr, len, MADV_DONTNEED), "madvise", addr, len);
}

void *spf_page(struct spf_thread *t, unsigned long addr, bool write)
{
	void *p;

	if (!t->sp->mm)
		return (void *)addr;
	p = fl_spf_access(&t->task, addr, write);
	if (!p)
		fl_fail(EFAULT, "model %s fault at %#lx failed", write ? "write" : "read", addr);
	return p;
}

long spf_faults(struct spf_thread *threads, int n)
{
	struct rusage ru;
	long sum = 0;

	if (n && threads[0].sp->mm) {
		for (int i = 0; i < n; i++)
			sum += threads[i].task.st.faults;
		return sum;
	}
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

long spf_spf_done(struct spf_thread *threads, int n)
{
	long sum = 0;

	for (int i = 0; i < n; i++)
		sum += threads[i].task.st.spf_done;
	return sum;
}

/* ---- worker pool ------------------------------------------------------------ */

struct spf_pool {
	pthread_t *tid;
	int n;				/* workers started */
	int first_pu;
	spf_work_fn fn;
	void *arg;
	pthread_mutex_t gate_lock;	/* workers wait here until all exist */
	pthread_cond_t gate;
	int open;
	int aborted;			/* creation failed: no barrier will be met */
	int stop;
	int failed;			/* first worker's negative errno */
	char msg[256];			/* and its message (fl_fail() is per thread) */
	pthread_barrier_t start, done;
};

struct spf_pool_arg {
	struct spf_pool *p;
	int index;
};

static void *pool_main(void *v)
{
	struct spf_pool_arg a = *(struct spf_pool_arg *)v;
	struct spf_pool *p = a.p;

	free(v);
	fl_topo_pin_self(p->first_pu + a.index);
	pthread_mutex_lock(&p->gate_lock);
	while (!p->open)
		pthread_cond_wait(&p->gate, &p->gate_lock);
	pthread_mutex_unlock(&p->gate_lock);
	if (p->aborted)
		return NULL;
	/*
	 * Always meet the start barrier before looking at stop: a worker that
	 * looked first could miss the stopper, who waits there.
	 */
	for (;;) {
		int err;

		pthread_barrier_wait(&p->start);
		if (__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE))
			break;
		err = p->fn(p->arg, a.index);
		if (err) {
			int zero = 0;

			pthread_mutex_lock(&p->gate_lock);
			if (__atomic_compare_exchange_n(&p->failed, &zero, err, false,
							__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				snprintf(p->msg, sizeof(p->msg), "worker %d: %s", a.index,
					 fl_errmsg());
			pthread_mutex_unlock(&p->gate_lock);
		}
		pthread_barrier_wait(&p->done);
	}
	return NULL;
}

static void pool_open(struct spf_pool *p)
{
	pthread_mutex_lock(&p->gate_lock);
	p->open = 1;
	pthread_cond_broadcast(&p->gate);
	pthread_mutex_unlock(&p->gate_lock);
}

int spf_pool_start(struct spf_pool **out, int n, int first_pu, spf_work_fn fn,
		   void *arg)
{
	struct spf_pool *p = calloc(1, sizeof(*p));
	int err = 0;

	if (!p || !(p->tid = calloc((size_t)n, sizeof(*p->tid)))) {
		free(p);
		return fl_fail(ENOMEM, "out of memory for %d workers", n);
	}
	p->first_pu = first_pu;
	p->fn = fn;
	p->arg = arg;
	pthread_mutex_init(&p->gate_lock, NULL);
	pthread_cond_init(&p->gate, NULL);
	pthread_barrier_init(&p->start, NULL, (unsigned)n + 1);
	pthread_barrier_init(&p->done, NULL, (unsigned)n + 1);
	for (int i = 0; i < n && !err; i++) {
		struct spf_pool_arg *a = malloc(sizeof(*a));

		if (!a) {
			err = fl_fail(ENOMEM, "out of memory for worker %d", i);
			break;
		}
		*a = (struct spf_pool_arg){ p, i };
		err = pthread_create(&p->tid[i], NULL, pool_main, a);
		if (err) {
			free(a);
			err = fl_fail(err, "cannot start worker %d of %d: %s", i, n, strerror(err));
			break;
		}
		p->n++;
	}
	if (err)
		p->aborted = 1;		/* before the gate opens: workers see it */
	pool_open(p);
	if (err) {
		spf_pool_stop(p);
		return err;
	}
	*out = p;
	return 0;
}

void spf_pool_kick(struct spf_pool *p)
{
	pthread_barrier_wait(&p->start);
}

int spf_pool_wait(struct spf_pool *p)
{
	int err;

	pthread_barrier_wait(&p->done);
	err = __atomic_exchange_n(&p->failed, 0, __ATOMIC_SEQ_CST);
	if (!err)
		return 0;
	/* the worker's message, now in the caller's thread */
	return fl_fail(-err, "%s", p->msg);
}

void spf_pool_stop(struct spf_pool *p)
{
	if (!p)
		return;
	if (!p->aborted) {
		__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
		pthread_barrier_wait(&p->start);
	}
	for (int i = 0; i < p->n; i++)
		pthread_join(p->tid[i], NULL);
	pthread_barrier_destroy(&p->start);
	pthread_barrier_destroy(&p->done);
	pthread_cond_destroy(&p->gate);
	pthread_mutex_destroy(&p->gate_lock);
	free(p->tid);
	free(p);
}

/* ---- live ------------------------------------------------------------------- */

/* 1 or 0 from a kernel config, read by cmd ("gzip -dc ...") or from path; -1: none. */
static int config_per_vma_lock(const char *path, bool gz)
{
	char line[256];
	int found = 0;
	FILE *f;

	if (access(path, R_OK))
		return -1;
	if (gz) {
		snprintf(line, sizeof(line), "gzip -dc '%s' 2>/dev/null", path);
		f = popen(line, "r");
	} else {
		f = fopen(path, "r");
	}
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "CONFIG_PER_VMA_LOCK=y\n"))
			found = 1;
	if (gz ? pclose(f) : fclose(f))
		return found ? 1 : -1;
	return found;
}

/*
 * From the kernel's config when it can be read (/boot, /proc/config.gz);
 * otherwise from the release: x86-64 has had per-VMA locks, default on,
 * since 6.4.
 */
int spf_live_per_vma_locks(void)
{
	static int cached = -1;
	struct utsname u;
	char path[300];
	int major = 0, minor = 0;

	if (cached >= 0)
		return cached;
	if (uname(&u))
		return 0;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	cached = config_per_vma_lock(path, false);
	if (cached < 0)
		cached = config_per_vma_lock("/proc/config.gz", true);
	if (cached < 0) {
		sscanf(u.release, "%d.%d", &major, &minor);
		cached = major > 6 || (major == 6 && minor >= 4);
	}
	return cached;
}

