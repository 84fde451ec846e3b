// SPDX-License-Identifier: GPL-2.0
/*
 * bench/measure/counters.c - perf event counters for a timed region.
 *
 * Events are named as libpfm4 names them and encoded by it into a
 * perf_event_attr.  They count the calling process and, through inherit, the
 * threads and children it creates later.  The counters run from open to
 * close; start and stop read them and a region is the difference, so neither
 * pays an ioctl and the counts of threads that exited in between are kept
 * (a RESET would not clear those).
 *
 * Kernel mode is asked for first; the kernel refuses it (EACCES) without
 * CAP_PERFMON when perf_event_paranoid > 1, and we then count user mode only
 * and say so in the source (":u").
 *
 * No rdpmc: reading through the mmap page needs the event mapped, and the
 * kernel refuses mmap() of an inherited per-task event (EINVAL in
 * perf_mmap()), while without inherit the workers' threads would be missed.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <perfmon/pfmlib_perf_event.h>

#include "bench/err.h"
#include "bench/measure/clock.h"
#include "bench/measure/counters.h"
#include "bench/measure/env.h"

#define FL_MAX_EVENTS	3
#define FL_N(a)		((int)(sizeof(a) / sizeof((a)[0])))

/* The PMU set: cycles leads the group, task-clock is always last. */
static const char *const fl_pmu_events[] = { "cycles", "instructions", "perf::task-clock" };
static const char *const fl_sw_events[] = { "perf::task-clock" };

struct fl_snap {
	uint64_t val[FL_MAX_EVENTS];
	uint64_t ena[FL_MAX_EVENTS];	/* time enabled, ns */
	uint64_t run[FL_MAX_EVENTS];	/* time on the PMU, ns */
	uint64_t tsc;
};

struct fl_counters {
	const char *const *names;
	int fd[FL_MAX_EVENTS];
	int nr;
	bool grouped;		/* one PERF_FORMAT_GROUP read of fd[0] */
	bool pmu;
	bool user_only;
	bool started;
	struct fl_snap start;
	char source[24];
	char pmu_error[256];
};

static pthread_once_t fl_pfm_once = PTHREAD_ONCE_INIT;
static int fl_pfm_ret;

static void fl_pfm_init(void)
{
	fl_pfm_ret = pfm_initialize();
}

static void fl_close_events(struct fl_counters *c)
{
	int i;

	for (i = 0; i < FL_MAX_EVENTS; i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]);
		c->fd[i] = -1;
	}
}

static int fl_open_event(struct fl_counters *c, int i, bool kernel)
{
	const char *name = c->names[i];
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	int group_fd = c->grouped && i > 0 ? c->fd[0] : -1;
	int ret, fd;

	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(name, PFM_PLM3 | (kernel ? PFM_PLM0 : 0),
					PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret != PFM_SUCCESS)
		return fl_fail(ret == PFM_ERR_NOTFOUND ? ENOENT : EINVAL, "%s: libpfm4: %s",
			       name, pfm_strerror(ret));

	attr.size = sizeof(attr);
	attr.inherit = 1;
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	if (c->grouped)
		attr.read_format |= PERF_FORMAT_GROUP;
	/* A leader starts disabled so its group starts as one. */
	attr.disabled = group_fd < 0;

	fd = perf_event_open(&attr, 0, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return fl_fail(errno, "%s: %s", name, strerror(errno));
	c->fd[i] = fd;
	return 0;
}

static int fl_open_all(struct fl_counters *c, bool kernel)
{
	int i, ret;

	for (i = 0; i < c->nr; i++) {
		ret = fl_open_event(c, i, kernel);
		if (ret) {
			fl_close_events(c);
			return ret;
		}
	}
	return 0;
}

/* Open the set as a group, or one by one where groups cannot inherit. */
static int fl_open_set(struct fl_counters *c, bool kernel)
{
	int ret;

	c->grouped = true;
	ret = fl_open_all(c, kernel);
	if (ret != -EINVAL)
		return ret;
	/* Before Linux 4.13, PERF_FORMAT_GROUP with inherit was EINVAL. */
	c->grouped = false;
	return fl_open_all(c, kernel);
}

static int fl_use_events(struct fl_counters *c, const char *const *names, int nr)
{
	int ret;

	c->names = names;
	c->nr = nr;
	c->user_only = false;
	ret = fl_open_set(c, true);
	if (ret != -EACCES && ret != -EPERM)
		return ret;
	c->user_only = true;
	return fl_open_set(c, false);
}

static int fl_enable(struct fl_counters *c)
{
	int i;

	for (i = 0; i < c->nr; i++) {
		if (c->grouped && i > 0)
			break;
		if (ioctl(c->fd[i], PERF_EVENT_IOC_ENABLE, c->grouped ? PERF_IOC_FLAG_GROUP : 0))
			return fl_fail(errno, "enable %s: %s", c->names[i], strerror(errno));
	}
	return 0;
}

/* The sysctl as text, for the message that says why nothing could count. */
static void fl_paranoid(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");

	snprintf(buf, len, "?");
	if (!f)
		return;
	if (!fgets(buf, len, f))
		snprintf(buf, len, "?");
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Even task-clock was refused: say why in one line, with the PMU's reason. */
static int fl_no_source(struct fl_counters *c, int ret)
{
	char paranoid[16], why[128];

	snprintf(why, sizeof(why), "%s", fl_errmsg());
	fl_paranoid(paranoid, sizeof(paranoid));
	return fl_fail(-ret, "counters: %s (kernel.perf_event_paranoid=%s; task-clock needs "
		       "<= 2, or CAP_PERFMON); PMU: %s", why, paranoid, c->pmu_error);
}

int fl_counters_open(struct fl_counters **out, bool force_fallback)
{
	struct fl_counters *c;
	int ret;

	*out = NULL;
	pthread_once(&fl_pfm_once, fl_pfm_init);
	if (fl_pfm_ret != PFM_SUCCESS)
		return fl_fail(EINVAL, "libpfm4: pfm_initialize: %s", pfm_strerror(fl_pfm_ret));

	c = calloc(1, sizeof(*c));
	if (!c)
		return fl_fail(ENOMEM, "counters: out of memory");
	memset(c->fd, -1, sizeof(c->fd));

	if (force_fallback)
		snprintf(c->pmu_error, sizeof(c->pmu_error), "not tried (fallback forced)");
	else if (fl_use_events(c, fl_pmu_events, FL_N(fl_pmu_events)))
		snprintf(c->pmu_error, sizeof(c->pmu_error), "%s", fl_errmsg());
	else
		c->pmu = true;

	if (!c->pmu) {
		ret = fl_use_events(c, fl_sw_events, FL_N(fl_sw_events));
		if (ret) {
			ret = fl_no_source(c, ret);
			free(c);
			return ret;
		}
	}

	ret = fl_enable(c);
	if (ret) {
		fl_counters_close(c);
		return ret;
	}
	/* in an exact guest, TSC and task-clock both run on the instruction count */
	snprintf(c->source, sizeof(c->source), "%s%s",
		 fl_env_exact() ? FL_SOURCE_ICOUNT : c->pmu ? "pmu" : "tsc+task-clock",
		 c->user_only ? ":u" : "");
	*out = c;
	return 0;
}

void fl_counters_close(struct fl_counters *c)
{
	if (!c)
		return;
	fl_close_events(c);
	free(c);
}

static int fl_read_group(struct fl_counters *c, struct fl_snap *s)
{
	/* nr, time_enabled, time_running, then one value per member */
	uint64_t buf[3 + FL_MAX_EVENTS];
	size_t want = (3 + c->nr) * sizeof(uint64_t);
	ssize_t n;
	int i;

	n = read(c->fd[0], buf, sizeof(buf));
	if (n < 0)
		return fl_fail(errno, "read %s group: %s", c->names[0], strerror(errno));
	if ((size_t)n != want || buf[0] != (uint64_t)c->nr)
		return fl_fail(EIO, "read %s group: %zd bytes, %llu events, expected %zu bytes",
			       c->names[0], n, (unsigned long long)buf[0], want);
	for (i = 0; i < c->nr; i++) {
		s->val[i] = buf[3 + i];
		s->ena[i] = buf[1];
		s->run[i] = buf[2];
	}
	return 0;
}

static int fl_read_each(struct fl_counters *c, struct fl_snap *s)
{
	uint64_t buf[3];	/* value, time_enabled, time_running */
	ssize_t n;
	int i;

	for (i = 0; i < c->nr; i++) {
		n = read(c->fd[i], buf, sizeof(buf));
		if (n < 0)
			return fl_fail(errno, "read %s: %s", c->names[i], strerror(errno));
		if (n != sizeof(buf))
			return fl_fail(EIO, "read %s: %zd bytes, expected %zu", c->names[i], n,
				       sizeof(buf));
		s->val[i] = buf[0];
		s->ena[i] = buf[1];
		s->run[i] = buf[2];
	}
	return 0;
}

static int fl_read(struct fl_counters *c, struct fl_snap *s)
{
	return c->grouped ? fl_read_group(c, s) : fl_read_each(c, s);
}

/* The region's count of event i, scaled up if it was multiplexed. */
static double fl_delta(const struct fl_snap *a, const struct fl_snap *b, int i)
{
	uint64_t val = b->val[i] - a->val[i];
	uint64_t ena = b->ena[i] - a->ena[i];
	uint64_t run = b->run[i] - a->run[i];

	if (run == ena)
		return (double)val;
	/* Enabled but never scheduled: the count is unknown, not zero. */
	if (run == 0)
		return NAN;
	return (double)val * ((double)ena / (double)run);
}

int fl_counters_start(struct fl_counters *c)
{
	int ret;

	ret = fl_read(c, &c->start);
	if (ret)
		return ret;
	c->start.tsc = fl_clock_begin();
	c->started = true;
	return 0;
}

int fl_counters_stop(struct fl_counters *c, struct fl_counts *out)
{
	struct fl_snap end;
	int ret;

	end.tsc = fl_clock_end();
	if (!c->started)
		return fl_fail(EINVAL, "counters: stop without start");
	ret = fl_read(c, &end);
	if (ret)
		return ret;
	c->started = false;

	out->task_clock_ns = fl_delta(&c->start, &end, c->nr - 1);
	out->source = c->source;
	if (c->pmu) {
		out->cycles = fl_delta(&c->start, &end, 0);
		out->instructions = fl_delta(&c->start, &end, 1);
	} else {
		out->cycles = (double)(end.tsc - c->start.tsc);
		out->instructions = NAN;
	}
	return 0;
}

const char *fl_counters_source(const struct fl_counters *c)
{
	return c->source;
}

const char *fl_counters_pmu_error(const struct fl_counters *c)
{
	return c->pmu_error;
}
