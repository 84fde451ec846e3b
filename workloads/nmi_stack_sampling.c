// SPDX-License-Identifier: GPL-2.0
/*
 * nmi_stack_sampling: perf's user-stack sampling (PERF_SAMPLE_STACK_USER)
 * against a running target, the caller whose cost seed 000 halved.  The
 * target (workloads/stack_target.h) walks a call chain of D frames with
 * canaries in every frame; a sampler interrupts it R times a second and
 * copies S KiB of its stack, from its stack pointer up, with
 * copy_from_user_nmi() old or new (impl/nmi_copy.c).  Each handler run is
 * timed; the repetition reports the distribution's p50, p90, p99, p99.9 and
 * max, and the mechanism's counts.
 *
 * Shim: a timer signal aimed at the target thread stands in for the NMI, on
 * the target's alternate stack.  The timer is a CLOCK_MONOTONIC one, an
 * hrtimer: CPU-time timers fire only on the scheduler tick, too seldom for
 * a high sampling rate.  The target never sleeps, so wall time is its CPU
 * time.  With H=1 the page just above the target's stack is a hole, so a
 * copy longer than the stack in use runs into it (old: GUP finds nothing;
 * new: a real fault, then the fixup).
 *
 * Variants: old and new, and copy_only, the new copy with the v3.12 fault
 * path, which the change reordered because of what it does in an NMI.
 *
 * Kmod (kmod/wl_nmi.c): the same target thread, pinned to its CPU; the
 * module's hrtimer samples it with the kernel's own functions, in hard
 * interrupt context, and takes the place of this file's timer signal.
 *
 * Live (workloads/perf_sampler.c): the running kernel samples the same
 * target with perf_event_open(), PERF_SAMPLE_CALLCHAIN | STACK_USER of S KiB
 * (0: callchain only), and the cost per sample is the target's slowdown:
 * each round runs it with the event off, then on, each for N samples' time.
 * perf_event_max_sample_rate is read before and after, to catch the kernel
 * throttling (and put back after).
 */
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "bench/err.h"
#include "bench/measure/clock.h"
#include "impl/nmi_copy.h"
#include "live.h"
#include "perf_sampler.h"
#include "samples.h"
#include "stack_target.h"
#include "workload.h"

static const char *const variants[] = { "old", "new", "copy_only", NULL };

static const struct fl_param params[] = {
	{ "S", "KiB of stack each sample copies (live: 64 is perf's 65528 bytes)", 16, 0, 64 },
	{ "D", "frames in the target's call chain (~0.5 KiB each)", 24, 1, 200 },
	{ "R", "samples per second", 10000, 10, 100000 },
	{ "N", "samples per round", 32, 1, 100000 },
	{ "H", "1: a hole just above the target's stack", 0, 0, 1 },
	{ NULL }
};

enum {
	P50, P90, P99, P999, MAX, SAMPLES, PINNED, FAULTS, SW_EVENTS, BYTES, CANARY_BREAKS,
	SLOWDOWN, LOST, THROTTLES, RATE_CUT, NMI_CONTEXT,
};

static const struct fl_metric metrics[] = {
	[P50] = { "handler_cycles_p50", "TSC cycles", FL_SUMMARY, 1, false, FL_SHIM | FL_KMOD },
	[P90] = { "handler_cycles_p90", "TSC cycles", FL_SUMMARY, 1, false, FL_SHIM | FL_KMOD },
	[P99] = { "handler_cycles_p99", "TSC cycles", FL_SUMMARY, 1, false, FL_SHIM | FL_KMOD },
	[P999] = { "handler_cycles_p999", "TSC cycles", FL_SUMMARY, 1, false, FL_SHIM | FL_KMOD },
	[MAX] = { "handler_cycles_max", "TSC cycles", FL_SUMMARY, 1, false, FL_SHIM | FL_KMOD },
	/* the handler runs the quantiles are of */
	[SAMPLES] = { "samples", "samples", FL_SUMMARY, 1, true, FL_ALL_BACKENDS },
	/* kmod: rounded to a whole number */
	[PINNED] = { "pages_pinned_per_sample", "pages/sample", FL_SUMMARY, 1, false,
		     FL_SHIM | FL_KMOD },
	[FAULTS] = { "faults_per_sample", "faults/sample", FL_SUMMARY, 1, false,
		     FL_SHIM | FL_KMOD },
	/* copy_only: perf's software event raised inside the NMI */
	[SW_EVENTS] = { "sw_events_per_sample", "events/sample", FL_SUMMARY, 1, false,
			FL_SHIM },
	[BYTES] = { "bytes_per_sample", "bytes/sample", FL_SUMMARY, 1, true, FL_ALL_BACKENDS },
	/* the sampler must never write to its target: always 0 */
	[CANARY_BREAKS] = { "canary_breaks", "frames/round", FL_PER_ROUND, 1, false,
			    FL_SHIM | FL_LIVE },
	/* live: the target's time lost per sample, the median over the rounds */
	[SLOWDOWN] = { "slowdown_ns_per_sample", "ns/sample", FL_SUMMARY, 1, false, FL_LIVE },
	[LOST] = { "lost_samples", "samples", FL_SUMMARY, 1, false, FL_LIVE },
	[THROTTLES] = { "throttles", "throttles", FL_SUMMARY, 1, false, FL_LIVE },
	/* how far the kernel lowered perf_event_max_sample_rate meanwhile */
	[RATE_CUT] = { "max_sample_rate_cut", "Hz", FL_SUMMARY, 1, false, FL_LIVE },
	/* kmod: 1, the samples ran in NMIs (a PMU); 0, in an hrtimer's hard interrupt */
	[NMI_CONTEXT] = { "nmi_context", "bool", FL_SUMMARY, 1, true, FL_KMOD },
	{ NULL }
};

struct sampling {
	const char *variant;
	enum km_fault_order order;
	unsigned long copy_bytes;
	long rate, per_round;
	struct stack_target target;
	timer_t timer;			/* the shim's "NMI", aimed at the target */
	bool timer_made;
	/* the sampler: written only in the handler while a round is armed */
	unsigned char *dump;		/* the sample's stack copy: perf's ring buffer */
	struct fl_samples cycles;	/* every handler run of the repetition */
	size_t n;			/* the samples taken */
	long round_left;
	unsigned long bytes;
	struct km_nc_stats st;
	sem_t round_done;
	/* live */
	struct perf_sampler *perf;
	long max_rate_before;
	double *slowdown;		/* per round, ns per sample */
	long rounds, lost, throttles;
};

/* The one sampling whose handler the signal runs: signals carry no argument. */
static struct sampling *sampled;

/* ---- the sampler --------------------------------------------------------- */

static void on_fault(unsigned long address, void *arg)
{
	struct sampling *s = arg;

	km_nc_do_page_fault(s->order, address, &s->st);
}

static void handler(int sig, siginfo_t *si, void *ctx);

/*
 * In the target's thread, before it walks: the fault path its copies take
 * in the shim, and the timer aimed at it.
 */
static void target_start(struct stack_target *t, void *arg)
{
	struct sampling *s = arg;
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGRTMIN };

	km_user_set_fault_hook(on_fault, s);
	sev._sigev_un._tid = t->tid;	/* sigev_notify_thread_id: not in glibc 2.36 */
	if (!timer_create(CLOCK_MONOTONIC, &sev, &s->timer))
		s->timer_made = true;
}

/* Each caller handles its variant's convention: the bytes copied. */
static unsigned long copy_stack(struct sampling *s, unsigned long sp)
{
	const void __user *from = (const void __user *)sp;

	if (!strcmp(s->variant, "old"))
		return km_copy_from_user_nmi_old(s->dump, from, s->copy_bytes, &s->st);
	return s->copy_bytes - km_copy_from_user_nmi_new(s->dump, from, s->copy_bytes, &s->st);
}

static void arm(struct sampling *s, bool on)
{
	long ns = 1000000000L / s->rate;
	struct itimerspec its = { { 0, on ? ns : 0 }, { 0, on ? ns : 0 } };

	timer_settime(s->timer, 0, &its, NULL);
}

/* The "NMI": one sample of the target's user stack, timed. */
static void handler(int sig, siginfo_t *si, void *ctx)
{
	struct sampling *s = sampled;
	ucontext_t *uc = ctx;
	unsigned long sp = (unsigned long)uc->uc_mcontext.gregs[REG_RSP];
	u64 t0, t1;
	unsigned long copied;

	if (!s || __atomic_load_n(&s->round_left, __ATOMIC_ACQUIRE) <= 0)
		return;
	t0 = fl_clock_begin();
	copied = copy_stack(s, sp);
	t1 = fl_clock_end();
	/* shim_round() made the room: no allocation in a signal handler */
	if (s->cycles.n < s->cycles.cap)
		s->cycles.v[s->cycles.n++] = t1 - t0;
	s->n++;
	s->bytes += copied;
	if (__atomic_sub_fetch(&s->round_left, 1, __ATOMIC_RELEASE) == 0) {
		arm(s, false);
		sem_post(&s->round_done);
	}
}

/* ---- live: the kernel's own sampling --------------------------------------- */

static int live_setup(struct fl_instance *in, struct sampling *s)
{
	int err = fl_live_check_privilege();

	if (err)
		return err;
	s->max_rate_before = perf_max_sample_rate();
	return perf_sampler_open(&s->perf, s->target.tid, s->copy_bytes, s->rate);
}

/* Each phase lasts N samples' time, and at least 10 ms. */
static int live_round(struct sampling *s, struct fl_round *acc)
{
	long phase_ms = s->per_round * 1000 / s->rate;
	unsigned long broken = stack_target_breaks(&s->target);
	struct perf_sampler_round r;
	int err = perf_sampler_round(s->perf, &s->target.progress, phase_ms > 10 ? phase_ms : 10,
				     &r);

	if (err)
		return err;
	s->n += (size_t)r.samples;
	s->bytes += (unsigned long)r.stack_bytes;
	s->lost += r.lost;
	s->throttles += r.throttled;
	if (r.samples > 0) {
		double *d = realloc(s->slowdown, (size_t)(s->rounds + 1) * sizeof(*d));

		if (!d)
			return fl_fail(ENOMEM, "nmi_stack_sampling: out of memory");
		s->slowdown = d;
		s->slowdown[s->rounds++] = r.slowdown_ns / (double)r.samples;
	}
	acc->metric[CANARY_BREAKS] +=
		(double)(stack_target_breaks(&s->target) - broken);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void live_finish(struct sampling *s, struct fl_round *acc)
{
	long after = perf_max_sample_rate();

	acc->metric[SAMPLES] = (double)s->n;
	acc->metric[BYTES] = s->n ? (double)s->bytes / (double)s->n : 0;
	acc->metric[LOST] = (double)s->lost;
	acc->metric[THROTTLES] = (double)s->throttles;
	acc->metric[RATE_CUT] = s->max_rate_before > after && after > 0 ?
				(double)(s->max_rate_before - after) : 0;
	if (s->rounds) {
		qsort(s->slowdown, (size_t)s->rounds, sizeof(*s->slowdown), cmp_double);
		acc->metric[SLOWDOWN] = s->slowdown[s->rounds / 2];
	}
}

/*
 * The kernel lowers perf_event_max_sample_rate when samples take too long;
 * a benchmark leaves the machine as it found it.
 */
static void restore_max_sample_rate(long before)
{
	FILE *f;

	if (before <= 0 || perf_max_sample_rate() >= before)
		return;
	f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "w");
	if (f) {
		fprintf(f, "%ld\n", before);
		fclose(f);
	}
}

/* ---- the workload interface ---------------------------------------------- */

static int start_target(struct sampling *s, long depth, bool hole)
{
	struct sigaction sa = { .sa_sigaction = handler };
	int err;

	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN, &sa, NULL))
		return fl_fail(-errno, "nmi_stack_sampling: sigaction: %s", strerror(errno));
	err = stack_target_start(&s->target, depth, hole, target_start, s);
	if (!err && !s->timer_made)
		err = fl_fail(ENOTSUP, "nmi_stack_sampling: no timer for the target");
	return err;
}

static int setup(struct fl_instance *in)
{
	struct sampling *s = in->priv;
	int err;

	if (sampled)
		return fl_fail(EBUSY, "nmi_stack_sampling: one sampled target at a time");
	s->variant = in->variant;
	s->order = strcmp(in->variant, "new") ? KM_FAULT_ACCOUNT_FIRST : KM_FAULT_EXIT_FIRST;
	s->copy_bytes = (unsigned long)fl_param(in, "S") << 10;
	s->rate = fl_param(in, "R");
	s->per_round = fl_param(in, "N");
	sem_init(&s->round_done, 0, 0);
	s->dump = malloc(s->copy_bytes + 1);
	if (!s->dump)
		return fl_fail(ENOMEM, "nmi_stack_sampling: out of memory");
	sampled = s;
	err = start_target(s, fl_param(in, "D"), fl_param(in, "H"));
	in->target_tid = s->target.tid;
	if (err || in->backend != FL_LIVE)
		return err;
	return live_setup(in, s);
}

/*
 * Until the handler has taken the round's N samples: in twice their time and
 * a second, or the target has stopped taking signals.
 */
static int wait_round(struct sampling *s)
{
	long ms = 2 * s->per_round * 1000 / s->rate + 1000;
	struct timespec until;
	int err;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000 + (until.tv_nsec + (ms % 1000) * 1000000L) / 1000000000L;
	until.tv_nsec = (until.tv_nsec + (ms % 1000) * 1000000L) % 1000000000L;
	do
		err = sem_timedwait(&s->round_done, &until) ? errno : 0;
	while (err == EINTR);
	if (!err)
		return 0;
	arm(s, false);
	return fl_fail(err, "nmi_stack_sampling: %ld of %ld samples in %ld ms",
		       s->per_round - __atomic_load_n(&s->round_left, __ATOMIC_ACQUIRE),
		       s->per_round, ms);
}

static int shim_round(struct sampling *s, struct fl_round *acc)
{
	unsigned long broken = stack_target_breaks(&s->target);
	int err;

	/* room for the round's samples before the handler may write them */
	err = fl_samples_reserve(&s->cycles, (size_t)s->per_round);
	if (err)
		return err;
	__atomic_store_n(&s->round_left, s->per_round, __ATOMIC_RELEASE);
	arm(s, true);
	err = wait_round(s);
	if (err)
		return err;
	acc->metric[CANARY_BREAKS] +=
		(double)(stack_target_breaks(&s->target) - broken);
	return 0;
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct sampling *s = in->priv;

	return in->backend == FL_LIVE ? live_round(s, acc) : shim_round(s, acc);
}

static void finish(struct fl_instance *in, struct fl_round *acc)
{
	struct sampling *s = in->priv;
	double n = (double)s->n;

	if (in->backend == FL_LIVE) {
		live_finish(s, acc);
		return;
	}
	if (!s->cycles.n)
		return;
	fl_samples_sort(&s->cycles);
	acc->metric[P50] = fl_samples_percentile(&s->cycles, 50);
	acc->metric[P90] = fl_samples_percentile(&s->cycles, 90);
	acc->metric[P99] = fl_samples_percentile(&s->cycles, 99);
	acc->metric[P999] = fl_samples_percentile(&s->cycles, 99.9);
	acc->metric[MAX] = fl_samples_percentile(&s->cycles, 100);
	acc->metric[SAMPLES] = n;
	acc->metric[PINNED] = (double)s->st.pages_pinned / n;
	acc->metric[FAULTS] = (double)s->st.faults / n;
	acc->metric[SW_EVENTS] = (double)s->st.sw_events / n;
	acc->metric[BYTES] = (double)s->bytes / n;
}

static void teardown(void *priv)
{
	struct sampling *s = priv;

	if (s->timer_made)
		timer_delete(s->timer);
	stack_target_stop(&s->target);
	if (sampled == s)
		sampled = NULL;
	perf_sampler_close(s->perf);
	restore_max_sample_rate(s->max_rate_before);
	fl_samples_free(&s->cycles);
	free(s->dump);
	free(s->slowdown);
	sem_destroy(&s->round_done);
}

const struct fl_workload fl_wl_nmi_stack_sampling = {
	.name = "nmi_stack_sampling",
	.help = "an 'NMI' copies S KiB of a target's stack: copy_from_user_nmi old/new, perf",
	.backends = FL_ALL_BACKENDS,
	.kmod_target = true,
	.variants = variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct sampling),
	.setup = setup,
	.round = round_fn,
	.finish = finish,
	.teardown = teardown,
};
