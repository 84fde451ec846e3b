// SPDX-License-Identifier: GPL-2.0
/* The userspace backend: the parts of impl/platform.h that are not inline. */
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "platform_user.h"

void fl_user_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "BUG at %s:%d: %s\n", file, line, cond);
	abort();
}

void fl_user_warn(const char *file, int line, const char *cond)
{
	fprintf(stderr, "WARNING at %s:%d: %s\n", file, line, cond);
}

void init_rwsem(struct rw_semaphore *sem)
{
	pthread_rwlockattr_t attr;

	/*
	 * The kernel's rwsem queues new readers behind a waiting writer; glibc
	 * does the same only with this (non-default) kind.
	 */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&sem->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
}

void fl_destroy_rwsem(struct rw_semaphore *sem)
{
	pthread_rwlock_destroy(&sem->lock);
}

unsigned long get_zeroed_page(int gfp)
{
	void *p;

	(void)gfp;
	if (posix_memalign(&p, PAGE_SIZE, PAGE_SIZE))
		return 0;
	memset(p, 0, PAGE_SIZE);
	return (unsigned long)p;
}

void free_page(unsigned long addr)
{
	free((void *)addr);
}

unsigned int num_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

int raw_smp_processor_id(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : cpu;
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

/* A busy wait, as the kernel's: the caller keeps its CPU. */
void ndelay(unsigned long ns)
{
	u64 end = now_ns() + ns;

	while (now_ns() < end)
		cpu_relax();
}

void udelay(unsigned long us)
{
	ndelay(us * 1000);
}

/* A real sleep: the caller gives up its CPU. */
void usleep_range(unsigned long min_us, unsigned long max_us)
{
	struct timespec ts = {
		.tv_sec = min_us / 1000000,
		.tv_nsec = (long)(min_us % 1000000) * 1000,
	};

	(void)max_us;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
