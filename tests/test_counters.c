// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_counters.c - bench/measure/counters.c picks the source the machine
 * allows, and its counts follow the work.
 *
 * The work is measured in this thread's CPU time (CLOCK_THREAD_CPUTIME_ID,
 * the kernel's own sum_exec_runtime), not in wall time, so the bounds hold on
 * a loaded machine: task-clock of a region that burnt T ms of CPU is at least
 * about T, and a single thread cannot burn more CPU than wall time passed.
 *
 * Older kernels and stricter settings are played by a stand-in for syscall()
 * that refuses perf_event_open() the way they would.
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <perfmon/pfmlib_perf_event.h>

#include "bench/err.h"
#include "bench/measure/clock.h"
#include "bench/measure/counters.h"

#define MS		1000000.0
#define CAP_SYS_ADMIN	21
#define CAP_PERFMON	38

enum fake_kernel {
	REAL,
	OLD_KERNEL,	/* before 4.13: no PERF_FORMAT_GROUP with inherit */
	PARANOID,	/* perf_event_paranoid 2, unprivileged: no kernel mode */
	LOCKED,		/* perf_event_paranoid 3 (Debian), unprivileged: nothing */
};

static enum fake_kernel fake;

/*
 * Interposes on libc's syscall(), which perf_event_open() calls: the refusals
 * come before the real kernel is asked, anything else goes through.
 */
long syscall(long nr, ...)
{
	static long (*real)(long nr, ...);
	struct perf_event_attr *attr;
	long a[5];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 5; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");

	attr = (struct perf_event_attr *)a[0];
	if (nr == __NR_perf_event_open &&
	    ((fake == OLD_KERNEL && attr->inherit && attr->read_format & PERF_FORMAT_GROUP) ||
	     (fake == PARANOID && !attr->exclude_kernel) || fake == LOCKED)) {
		errno = fake == OLD_KERNEL ? EINVAL : EACCES;
		return -1;
	}
	return real(nr, a[0], a[1], a[2], a[3], a[4]);
}

static int fake_teardown(void **state)
{
	fake = REAL;
	return 0;
}

static double clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Burn ms of this thread's CPU time, mostly in user mode. */
static void spin_cpu_ms(double ms)
{
	double end = clock_ns(CLOCK_THREAD_CPUTIME_ID) + ms * MS;
	volatile uint64_t x = 0;
	int i;

	while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < end)
		for (i = 0; i < 10000; i++)
			x += i;
}

static void *spin_thread(void *arg)
{
	spin_cpu_ms(*(double *)arg);
	return NULL;
}

/* The oracle for "is there a PMU": ask the kernel for cycles directly. */
static bool have_pmu(void)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_CPU_CYCLES;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	fd = perf_event_open(&attr, 0, -1, -1, 0);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Whether the kernel will let us count kernel mode (perf_allow_kernel()). */
static bool may_count_kernel(void)
{
	unsigned long long cap = 0;
	int paranoid = 2;
	char line[128];
	FILE *f;

	f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &paranoid), 1);
	fclose(f);
	f = fopen("/proc/self/status", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		sscanf(line, "CapEff: %llx", &cap);
	fclose(f);
	return paranoid <= 1 || (cap >> CAP_PERFMON & 1) || (cap >> CAP_SYS_ADMIN & 1);
}

static void assert_suffix(const char *source)
{
	bool user_only = strstr(source, ":u") != NULL;

	if (user_only == may_count_kernel())
		fail_msg("source %s, but kernel mode is %sallowed here", source,
			 user_only ? "" : "not ");
}

static void assert_fallback(struct fl_counters *c)
{
	const char *src = fl_counters_source(c);

	if (strcmp(src, "tsc+task-clock") && strcmp(src, "tsc+task-clock:u"))
		fail_msg("source \"%s\", want tsc+task-clock[:u]", src);
	assert_true(strlen(fl_counters_pmu_error(c)) > 0);
}

static void test_source(void **state)
{
	struct fl_counters *c;

	assert_int_equal(fl_counters_open(&c, false), 0);
	print_message("# source %s, PMU: %s\n", fl_counters_source(c),
		      fl_counters_pmu_error(c));
	if (have_pmu()) {
		assert_true(!strncmp(fl_counters_source(c), "pmu", 3));
		assert_string_equal(fl_counters_pmu_error(c), "");
	} else {
		assert_fallback(c);
	}
	assert_suffix(fl_counters_source(c));
	fl_counters_close(c);
}

static void test_force_fallback(void **state)
{
	struct fl_counts n;
	struct fl_counters *c;

	assert_int_equal(fl_counters_open(&c, true), 0);
	assert_fallback(c);
	assert_suffix(fl_counters_source(c));
	assert_int_equal(fl_counters_start(c), 0);
	spin_cpu_ms(5);
	assert_int_equal(fl_counters_stop(c, &n), 0);
	assert_ptr_equal(n.source, fl_counters_source(c));
	assert_true(isnan(n.instructions));
	assert_true(n.cycles > 0);
	assert_true(n.task_clock_ns > 0);
	fl_counters_close(c);
}

/* Count a region that burns ms of CPU in this thread; check what must hold. */
static void measure_spin(struct fl_counters *c, double ms, struct fl_counts *n)
{
	double t0, wall;

	t0 = clock_ns(CLOCK_MONOTONIC);
	assert_int_equal(fl_counters_start(c), 0);
	spin_cpu_ms(ms);
	assert_int_equal(fl_counters_stop(c, n), 0);
	wall = clock_ns(CLOCK_MONOTONIC) - t0;
	print_message("# %s: %.0f ms of CPU: task-clock %.2f ms, cycles %.3g, "
		      "instructions %.3g, wall %.2f ms\n", n->source, ms, n->task_clock_ns / MS,
		      n->cycles, n->instructions, wall / MS);

	assert_true(n->cycles > 0);
	/* Both are the kernel's account of this thread's runtime. */
	assert_true(n->task_clock_ns >= 0.9 * ms * MS);
	/* One thread cannot run longer than the wall time around it. */
	assert_true(n->task_clock_ns <= wall + 0.1 * MS);
	if (!strncmp(n->source, "pmu", 3)) {
		assert_true(n->instructions > 0);
		return;
	}
	assert_true(isnan(n->instructions));
	/* TSC cycles are wall time: no less than the CPU time, no more than wall. */
	assert_true(n->cycles / fl_tsc_hz() >= 0.9 * ms / 1e3);
	assert_true(n->cycles / fl_tsc_hz() <= 1.01 * wall / 1e9);
}

static void test_counts_follow_work(void **state)
{
	struct fl_counts one, four;
	struct fl_counters *c;

	assert_int_equal(fl_counters_open(&c, false), 0);
	measure_spin(c, 20, &one);
	measure_spin(c, 80, &four);
	assert_true(four.task_clock_ns > one.task_clock_ns);
	assert_true(four.cycles > one.cycles);
	if (!strncmp(one.source, "pmu", 3))
		assert_true(four.instructions > one.instructions);
	fl_counters_close(c);
}

static void test_repeat(void **state)
{
	struct fl_counters *c;
	struct fl_counts n;
	int i;

	assert_int_equal(fl_counters_open(&c, true), 0);
	for (i = 0; i < 5; i++)
		measure_spin(c, 5, &n);
	/* A stop must follow a start. */
	assert_int_equal(fl_counters_stop(c, &n), -EINVAL);
	assert_non_null(strstr(fl_errmsg(), "without start"));
	fl_counters_close(c);
}

/* A thread and a child process created after open are counted too. */
static void test_inherit(void **state)
{
	double ms = 40, wall, t0;
	struct fl_counters *c;
	struct fl_counts n;
	pthread_t thread;
	int status;
	pid_t pid;

	assert_int_equal(fl_counters_open(&c, false), 0);

	t0 = clock_ns(CLOCK_MONOTONIC);
	assert_int_equal(fl_counters_start(c), 0);
	assert_int_equal(pthread_create(&thread, NULL, spin_thread, &ms), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(fl_counters_stop(c, &n), 0);
	wall = clock_ns(CLOCK_MONOTONIC) - t0;
	print_message("# thread burnt %.0f ms: task-clock %.2f ms\n", ms, n.task_clock_ns / MS);
	/* This thread only waited in join: the count is the new thread's. */
	assert_true(n.task_clock_ns >= 0.9 * ms * MS);
	assert_true(n.task_clock_ns <= 2 * wall);

	assert_int_equal(fl_counters_start(c), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		spin_cpu_ms(ms);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(fl_counters_stop(c, &n), 0);
	assert_true(WIFEXITED(status));
	print_message("# child burnt %.0f ms: task-clock %.2f ms\n", ms, n.task_clock_ns / MS);
	assert_true(n.task_clock_ns >= 0.9 * ms * MS);
	fl_counters_close(c);
}

/* Separate events, each read on its own, count as the group did. */
static void test_old_kernel(void **state)
{
	struct fl_counters *c;
	struct fl_counts n;
	pthread_t thread;
	double ms = 20;

	fake = OLD_KERNEL;
	assert_int_equal(fl_counters_open(&c, false), 0);
	if (have_pmu())
		assert_true(!strncmp(fl_counters_source(c), "pmu", 3));
	else
		assert_fallback(c);
	assert_suffix(fl_counters_source(c));
	measure_spin(c, 10, &n);
	assert_int_equal(fl_counters_start(c), 0);
	assert_int_equal(pthread_create(&thread, NULL, spin_thread, &ms), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(fl_counters_stop(c, &n), 0);
	assert_true(n.task_clock_ns >= 0.9 * ms * MS);
	fl_counters_close(c);
}

/* Without the right to count kernel mode, count user mode and say so. */
static void test_user_only(void **state)
{
	struct fl_counters *c;
	struct fl_counts n;

	fake = PARANOID;
	assert_int_equal(fl_counters_open(&c, false), 0);
	assert_string_equal(fl_counters_source(c), have_pmu() ? "pmu:u" : "tsc+task-clock:u");
	measure_spin(c, 10, &n);
	assert_string_equal(n.source, fl_counters_source(c));
	fl_counters_close(c);
}

/* Nothing to count with: one error that says why, and no object. */
static void test_no_source(void **state)
{
	static int poison;
	struct fl_counters *c = (struct fl_counters *)&poison;

	fake = LOCKED;
	assert_int_equal(fl_counters_open(&c, false), -EACCES);
	assert_null(c);
	print_message("# %s\n", fl_errmsg());
	assert_non_null(strstr(fl_errmsg(), "perf::task-clock: Permission denied"));
	assert_non_null(strstr(fl_errmsg(), "perf_event_paranoid="));
	assert_null(strchr(fl_errmsg(), '\n'));
}

static void test_tsc_hz(void **state)
{
	double hz = fl_tsc_hz();

	print_message("# TSC %.6f GHz\n", hz / 1e9);
	assert_true(hz > 1e8 && hz < 1e10);
	assert_true(fl_tsc_hz() == hz);		/* measured once */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_force_fallback),
		cmocka_unit_test(test_counts_follow_work),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_inherit),
		cmocka_unit_test_teardown(test_old_kernel, fake_teardown),
		cmocka_unit_test_teardown(test_user_only, fake_teardown),
		cmocka_unit_test_teardown(test_no_source, fake_teardown),
		cmocka_unit_test(test_tsc_hz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
