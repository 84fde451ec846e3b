// SPDX-License-Identifier: GPL-2.0
/*
 * The engine of the spf workloads (see spf_jobs.h): one address space API
 * over the mm model and over the running kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench/err.h"
#include "live.h"
#include "spf_jobs.h"

const char *const spf_variants[] = { "classic", "speculative", NULL };

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
	struct km_spf_config cfg = { .variant = KM_SPF_CLASSIC };
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
			cfg.variant = KM_SPF_SPECULATIVE;
		else if (strcmp(in->variant, "classic")) {
			free(sp);
			return fl_fail(EINVAL, "%s: unknown variant '%s'", in->w->name,
				       in->variant);
		}
		sp->mm = km_spf_mm_create(&cfg);
		if (!sp->mm) {
			free(sp);
			return fl_fail(ENOMEM, "out of memory for the modelled mm");
		}
		if (extra_user)
			km_spf_task_init(&sp->idle, sp->mm);
	}
	*out = sp;
	return 0;
}

void spf_space_destroy(struct spf_space *sp)
{
	if (!sp)
		return;
	if (sp->idle.mm)
		km_spf_task_exit(&sp->idle);
	km_spf_mm_destroy(sp->mm);
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
		km_spf_task_init(&t->task, sp->mm);
}

void spf_thread_exit(struct spf_thread *t)
{
	if (t->task.mm)
		km_spf_task_exit(&t->task);
}

int spf_crew_create(struct spf_crew *c, const struct fl_instance *in, long n)
{
	int err = spf_space_create(&c->sp, in, false);

	if (err)
		return err;
	spf_thread_init(&c->main, c->sp, 0);
	c->th = calloc((size_t)n + 1, sizeof(*c->th));
	if (!c->th)
		return fl_fail(ENOMEM, "%s: out of memory for %ld threads", in->w->name, n);
	for (c->n = 0; c->n < n; c->n++)
		spf_thread_init(&c->th[c->n], c->sp, (unsigned long)c->n + 1);
	return 0;
}

int spf_crew_start(struct spf_crew *c, int first_pu, fl_pool_fn work, void *arg)
{
	spf_tally_start(&c->tally, c->th, (int)c->n);
	return fl_pool_start(&c->pool, (int)c->n, first_pu, work, arg);
}

int spf_crew_round(struct spf_crew *c, enum fl_backend backend,
		   const struct spf_fault_slots *slots, struct fl_round *acc)
{
	int err;

	fl_pool_kick(c->pool);
	err = fl_pool_wait(c->pool, acc);
	if (!err)
		spf_tally_round(&c->tally, c->th, (int)c->n, backend, slots, acc);
	return err;
}

void spf_crew_stop(struct spf_crew *c)
{
	fl_pool_stop(c->pool);
	c->pool = NULL;
}

void spf_crew_destroy(struct spf_crew *c)
{
	spf_crew_stop(c);
	for (long i = 0; c->th && i < c->n; i++)
		spf_thread_exit(&c->th[i]);
	if (c->main.sp)
		spf_thread_exit(&c->main);
	spf_space_destroy(c->sp);
	free(c->th);
	*c = (struct spf_crew){ 0 };
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
		r = km_spf_mmap(t->sp->mm, 0, len,
				KM_PROT_READ | (writable ? KM_PROT_WRITE : 0), 0);
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

int spf_file_create(struct spf_space *sp, unsigned long pages, struct spf_file *f)
{
	*f = (struct spf_file){ .fd = -1, .pages = pages };
	if (sp->mm) {
		f->km = km_file_create(pages);
		return f->km ? 0 : fl_fail(ENOMEM, "out of memory for a %lu-page file", pages);
	}
	f->fd = memfd_create("faultline", MFD_CLOEXEC);
	if (f->fd < 0)
		return fl_fail(errno, "memfd_create: %s", strerror(errno));
	if (ftruncate(f->fd, (off_t)(pages * SPF_PAGE))) {
		int err = errno;

		spf_file_destroy(f);
		return fl_fail(err, "ftruncate of a %lu-page file: %s", pages, strerror(err));
	}
	return 0;
}

void spf_file_destroy(struct spf_file *f)
{
	km_file_put(f->km);
	if (f->fd >= 0)
		close(f->fd);
	*f = (struct spf_file){ .fd = -1 };
}

unsigned long spf_mmap_file(struct spf_thread *t, struct spf_file *f, bool shared)
{
	unsigned long len = f->pages * SPF_PAGE;
	void *p;
	long r;

	if (t->sp->mm) {
		r = km_spf_mmap_file(t->sp->mm, 0, len, KM_PROT_READ | KM_PROT_WRITE,
				     shared ? KM_MAP_SHARED : 0, f->km, 0);
		if (r < 0) {
			fl_fail((int)-r, "model mmap of a file: %s", strerror((int)-r));
			return 0;
		}
		return (unsigned long)r;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE,
		 f->fd, 0);
	if (p == MAP_FAILED) {
		fl_fail(errno, "mmap of a file: %s", strerror(errno));
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
		return model_result(km_spf_munmap(t->sp->mm, addr, len), "munmap", addr, len);
	return live_result(munmap((void *)addr, len), "munmap", addr, len);
}

int spf_mprotect(struct spf_thread *t, unsigned long addr, unsigned long len,
		 bool writable)
{
	if (t->sp->mm)
		return model_result(km_spf_mprotect(t->sp->mm, addr, len, KM_PROT_READ |
				    (writable ? KM_PROT_WRITE : 0)), "mprotect", addr, len);
	return live_result(mprotect((void *)addr, len,
				    PROT_READ | (writable ? PROT_WRITE : 0)),
			   "mprotect", addr, len);
}

int spf_dontneed(struct spf_thread *t, unsigned long addr, unsigned long len)
{
	if (t->sp->mm)
		return model_result(km_spf_madvise_dontneed(t->sp->mm, addr, len),
				    "madvise", addr, len);
	return live_result(madvise((void *)addr, len, MADV_DONTNEED), "madvise", addr, len);
}

void *spf_page(struct spf_thread *t, unsigned long addr, bool write)
{
	void *p;

	if (!t->sp->mm)
		return (void *)addr;
	p = km_spf_access(&t->task, addr, write);
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

void spf_tally_start(struct spf_fault_tally *t, struct spf_thread *threads, int n)
{
	t->faults = spf_faults(threads, n);
	t->spf_done = spf_spf_done(threads, n);
}

void spf_tally_round(struct spf_fault_tally *t, struct spf_thread *threads, int n,
		     enum fl_backend backend, const struct spf_fault_slots *slots,
		     struct fl_round *acc)
{
	long faults = spf_faults(threads, n), spf_done = spf_spf_done(threads, n);

	if (slots->faults >= 0)
		acc->metric[slots->faults] += (double)(faults - t->faults);
	if (slots->spf_share >= 0 && faults > t->faults)
		acc->metric[slots->spf_share] += (double)(spf_done - t->spf_done) /
						 (double)(faults - t->faults);
	if (slots->per_vma_locks >= 0 && backend == FL_LIVE)
		acc->metric[slots->per_vma_locks] += spf_live_per_vma_locks();
	t->faults = faults;
	t->spf_done = spf_done;
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

