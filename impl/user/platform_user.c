// SPDX-License-Identifier: GPL-2.0
/* The userspace backend: the parts of impl/platform.h that are not inline. */
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "platform_user.h"

__thread int km_preempt_count;

void km_user_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "BUG at %s:%d: %s\n", file, line, cond);
	abort();
}

void km_user_warn(const char *file, int line, const char *cond)
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

void km_destroy_rwsem(struct rw_semaphore *sem)
{
	pthread_rwlock_destroy(&sem->lock);
}

/*
 * Pages come from a pool that keeps what is freed, as the kernel's free lists
 * do: handing pages back to libc would make the next repetition pay page
 * faults for memory the modelled kernel already had.  A small per-thread
 * cache in front of one locked list plays the part of the per-CPU lists.
 */
#define PCP_HIGH	64
#define PCP_BATCH	32

struct free_page_node {
	struct free_page_node *next;
};

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static struct free_page_node *zone_free;

struct pcp {
	struct free_page_node *head;
	int count;
};

static __thread struct pcp pcp;
static pthread_key_t pcp_key;
static pthread_once_t pcp_once = PTHREAD_ONCE_INIT;

static void pcp_drain(void *unused)
{
	struct free_page_node *n;

	(void)unused;
	pthread_mutex_lock(&zone_lock);
	while ((n = pcp.head)) {
		pcp.head = n->next;
		n->next = zone_free;
		zone_free = n;
	}
	pcp.count = 0;
	pthread_mutex_unlock(&zone_lock);
}

static void pcp_init(void)
{
	pthread_key_create(&pcp_key, pcp_drain);
}

/* Refill the thread's cache with up to PCP_BATCH pages from the zone. */
static void pcp_refill(void)
{
	pthread_once(&pcp_once, pcp_init);
	pthread_setspecific(pcp_key, &pcp);	/* so that thread exit drains */
	pthread_mutex_lock(&zone_lock);
	while (zone_free && pcp.count < PCP_BATCH) {
		struct free_page_node *n = zone_free;

		zone_free = n->next;
		n->next = pcp.head;
		pcp.head = n;
		pcp.count++;
	}
	pthread_mutex_unlock(&zone_lock);
}

unsigned long get_zeroed_page(int gfp)
{
	struct free_page_node *n;
	void *p;

	(void)gfp;
	if (!pcp.head)
		pcp_refill();
	n = pcp.head;
	if (n) {
		pcp.head = n->next;
		pcp.count--;
		p = n;
	} else if (posix_memalign(&p, PAGE_SIZE, PAGE_SIZE)) {
		return 0;
	}
	memset(p, 0, PAGE_SIZE);
	return (unsigned long)p;
}

void free_page(unsigned long addr)
{
	struct free_page_node *n = (struct free_page_node *)addr;

	if (!addr)
		return;
	n->next = pcp.head;
	pcp.head = n;
	if (++pcp.count > PCP_HIGH)
		pcp_drain(NULL);
}

static unsigned int online_cpus;
static pthread_once_t online_once = PTHREAD_ONCE_INIT;

static void read_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	online_cpus = n > 0 ? (unsigned int)n : 1;
}

/*
 * Read once: glibc's sysconf() reads sysfs on every call, and the models ask
 * on hot paths (lazy_max_pages()), where the kernel's answer costs a load.
 */
unsigned int num_online_cpus(void)
{
	pthread_once(&online_once, read_online_cpus);
	return online_cpus;
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
