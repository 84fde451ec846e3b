// SPDX-License-Identifier: GPL-2.0
/*
 * The running kernel's user-stack sampling of one thread (see
 * perf_sampler.h): perf_event_open(), its ring buffer drained by hand, and
 * the thread's progress with the event off and on.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/measure/clock.h"
#include "perf_sampler.h"

/*
 * perf_copy_attr() refuses a sample_stack_user of USHRT_MAX or more (a
 * sample's size is a u16): perf record's largest dump is 65528 bytes.
 */
#define MAX_STACK_DUMP	65528UL
/* the ring holds a phase's samples twice over, within these bounds (pages) */
#define RING_MIN_PAGES	64UL
#define RING_MAX_PAGES	4096UL
#define PHASE_MS_SIZED	50

struct perf_sampler {
	int fd;
	const char *event;
	struct perf_event_mmap_page *meta;
	unsigned char *data;
	size_t data_size, map_size;
	bool stack;
};

long perf_max_sample_rate(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "r");
	long rate = -1;

	if (f) {
		if (fscanf(f, "%ld", &rate) != 1)
			rate = -1;
		fclose(f);
	}
	return rate;
}

static int open_event(struct perf_event_attr *attr, pid_t tid)
{
	return (int)syscall(SYS_perf_event_open, attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* cycles where the PMU has them, else cpu-clock: each at rate samples a second. */
static int open_sampler(struct perf_sampler *ps, pid_t tid, unsigned long stack, long rate)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.sample_period = (unsigned long long)(fl_tsc_hz() / (double)rate),
		.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_CALLCHAIN,
		.disabled = 1,
		.exclude_hv = 1,
		.exclude_callchain_kernel = 1,
	};

	if (stack) {
		attr.sample_type |= PERF_SAMPLE_STACK_USER;
		attr.sample_stack_user = (unsigned int)stack;
	}
	ps->event = "cycles";
	ps->fd = open_event(&attr, tid);
	if (ps->fd >= 0)
		return 0;
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.sample_period = (unsigned long long)(1e9 / (double)rate);
	ps->event = "cpu-clock";
	ps->fd = open_event(&attr, tid);
	if (ps->fd >= 0)
		return 0;
	return fl_fail(-errno, "perf_event_open(cpu-clock, stack %lu bytes) on thread %d: %s",
		       stack, (int)tid, strerror(errno));
}

static size_t ring_pages(unsigned long stack, long rate)
{
	double bytes = 2.0 * (double)rate * PHASE_MS_SIZED / 1000 * (double)(stack + 1024);
	size_t pages = RING_MIN_PAGES;

	while (pages < RING_MAX_PAGES && (double)(pages * 4096) < bytes)
		pages *= 2;
	return pages;
}

int perf_sampler_open(struct perf_sampler **out, pid_t tid, unsigned long stack_bytes,
		      long rate)
{
	struct perf_sampler *ps = calloc(1, sizeof(*ps));
	unsigned long stack = stack_bytes < MAX_STACK_DUMP ? stack_bytes : MAX_STACK_DUMP;
	long page = sysconf(_SC_PAGESIZE);
	void *map;
	int err;

	if (!ps)
		return fl_fail(ENOMEM, "out of memory");
	ps->stack = stack != 0;
	err = open_sampler(ps, tid, stack & ~7UL, rate);
	if (err) {
		free(ps);
		return err;
	}
	ps->data_size = ring_pages(stack, rate) * (size_t)page;
	ps->map_size = ps->data_size + (size_t)page;
	map = mmap(NULL, ps->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, ps->fd, 0);
	if (map == MAP_FAILED) {
		err = fl_fail(-errno, "mmap of perf's %zu KiB ring: %s (kernel.perf_event_mlock_kb?)",
			      ps->map_size >> 10, strerror(errno));
		close(ps->fd);
		free(ps);
		return err;
	}
	ps->meta = map;
	ps->data = (unsigned char *)map + page;
	*out = ps;
	return 0;
}

const char *perf_sampler_event(const struct perf_sampler *ps)
{
	return ps->event;
}

/* 8 bytes of the ring at offset off, which may wrap. */
static uint64_t ring_u64(const struct perf_sampler *ps, uint64_t off)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = ps->data[(off + (uint64_t)i) % ps->data_size];
	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
	       (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 |
	       (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
}

/*
 * Everything the ring holds: samples (a stack sample ends with dyn_size, the
 * bytes the kernel really copied), lost records, throttling.
 */
static void drain(struct perf_sampler *ps, struct perf_sampler_round *out)
{
	uint64_t head = __atomic_load_n(&ps->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = ps->meta->data_tail;

	while (tail < head) {
		uint64_t h = ring_u64(ps, tail);	/* type u32, misc u16, size u16 */
		uint32_t type = (uint32_t)h;
		uint16_t size = (uint16_t)(h >> 48);

		if (size < 8)
			break;		/* a torn record: give up on the rest */
		if (type == PERF_RECORD_SAMPLE) {
			out->samples++;
			if (ps->stack)
				out->stack_bytes += (double)ring_u64(ps, tail + size - 8);
		} else if (type == PERF_RECORD_LOST) {
			out->lost += (long)ring_u64(ps, tail + 16);
		} else if (type == PERF_RECORD_THROTTLE) {
			out->throttled++;
		}
		tail += size;
	}
	__atomic_store_n(&ps->meta->data_tail, head, __ATOMIC_RELEASE);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The thread's progress and the time over one phase of phase_ms. */
static void phase(const unsigned long *progress, long phase_ms, double *work, double *ns)
{
	struct timespec d = { phase_ms / 1000, (phase_ms % 1000) * 1000000L };
	unsigned long p0 = __atomic_load_n(progress, __ATOMIC_RELAXED);
	double t0 = now_ns();

	while (nanosleep(&d, &d) && errno == EINTR)
		;
	*ns = now_ns() - t0;
	*work = (double)(__atomic_load_n(progress, __ATOMIC_RELAXED) - p0);
}

int perf_sampler_round(struct perf_sampler *ps, const unsigned long *progress, long phase_ms,
		       struct perf_sampler_round *out)
{
	double off_work, off_ns, on_work, on_ns;

	memset(out, 0, sizeof(*out));
	drain(ps, out);
	memset(out, 0, sizeof(*out));
	phase(progress, phase_ms, &off_work, &off_ns);
	if (ioctl(ps->fd, PERF_EVENT_IOC_ENABLE, 0))
		return fl_fail(-errno, "perf: cannot enable the sampler: %s", strerror(errno));
	phase(progress, phase_ms, &on_work, &on_ns);
	ioctl(ps->fd, PERF_EVENT_IOC_DISABLE, 0);
	drain(ps, out);
	if (!(off_work > 0) || !(on_work > 0))
		return fl_fail(EAGAIN, "perf: the sampled thread made no progress in %ld ms",
			       phase_ms);
	/* the time on, less what the work done would have taken off */
	out->slowdown_ns = on_ns - on_work * off_ns / off_work;
	return 0;
}

void perf_sampler_close(struct perf_sampler *ps)
{
	if (!ps)
		return;
	munmap(ps->meta, ps->map_size);
	close(ps->fd);
	free(ps);
}
