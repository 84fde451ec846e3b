// SPDX-License-Identifier: GPL-2.0
/*
 * signal_cost: the exit work's most common case, a signal delivered on the
 * way back to user mode.  N times a round the thread sends itself SIGUSR1
 * (tgkill()), whose syscall exit finds TIF_SIGPENDING, sets up the frame
 * (do_signal()), runs the empty handler in user mode and comes back through
 * rt_sigreturn(): two syscalls and the signal work, each round trip.  Live
 * only, for kernel A/Bs with and without context tracking, as syscall_cost.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/err.h"
#include "live.h"
#include "workload.h"

static const struct fl_param params[] = {
	{ "N", "signals sent and handled per round", 1024, 1, 1 << 22 },
	{ NULL }
};

enum { SIGNALS };

static const struct fl_metric metrics[] = {
	[SIGNALS] = { "signals_per_s", "signals/s", FL_RATE, 1, true, FL_LIVE },
	{ NULL }
};

static const char *const variants[] = { "live", NULL };

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	handled++;
}

struct signals {
	long n;
	pid_t pid, tid;
	struct sigaction old;
	bool installed;
};

static int setup(struct fl_instance *in)
{
	struct signals *s = in->priv;
	struct sigaction sa = { .sa_handler = on_signal };
	int err = fl_live_check_privilege();

	if (err)
		return err;
	s->n = fl_param(in, "N");
	s->pid = getpid();
	s->tid = gettid();
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, &s->old))
		return fl_fail(errno, "signal_cost: sigaction: %s", strerror(errno));
	s->installed = true;
	return 0;
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct signals *s = in->priv;
	sig_atomic_t before = handled;

	for (long i = 0; i < s->n; i++)
		syscall(SYS_tgkill, s->pid, s->tid, SIGUSR1);
	/* each was delivered on its own syscall's way out */
	if (handled - before != s->n)
		return fl_fail(EPROTO, "signal_cost: %ld signals sent, %ld handled", s->n,
			       (long)(handled - before));
	acc->metric[SIGNALS] += (double)s->n;
	return 0;
}

static void teardown(void *priv)
{
	struct signals *s = priv;

	if (s->installed)
		sigaction(SIGUSR1, &s->old, NULL);
}

const struct fl_workload fl_wl_signal_cost = {
	.name = "signal_cost",
	.help = "a signal to itself, delivered on the syscall's way out: the exit work, for "
		"kernel A/Bs",
	.backends = FL_LIVE,
	.variants = variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct signals),
	.setup = setup,
	.round = round_fn,
	.teardown = teardown,
};
