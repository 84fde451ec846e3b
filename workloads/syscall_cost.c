// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_cost: what the kernel's entry and exit cost one thread: N getppid()
 * calls a round, the cheapest syscall there is, so that the figure is the
 * entry, the exit work and the return to user mode, and nothing of a
 * syscall's own.  Live only: it measures the running kernel (in an exact
 * guest, its instructions), for kernel A/Bs such as Debian's 6.1 against
 * 6.12, with and without context tracking (nohz_full).
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "live.h"
#include "workload.h"

static const struct fl_param params[] = {
	{ "N", "getppid() calls per round", 4096, 1, 1 << 24 },
	{ NULL }
};

enum { SYSCALLS };

static const struct fl_metric metrics[] = {
	[SYSCALLS] = { "syscalls_per_s", "syscalls/s", FL_RATE, 1, true, FL_LIVE },
	{ NULL }
};

static const char *const variants[] = { "live", NULL };

static int setup(struct fl_instance *in)
{
	in->priv = (void *)(long)fl_param(in, "N");
	return fl_live_check_privilege();
}

/* syscall(), not getppid(): no C library may answer it from a cache. */
static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	long n = (long)in->priv;

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	acc->metric[SYSCALLS] += (double)n;
	return 0;
}

/* Nothing is held between rounds. */
static void teardown(void *priv)
{
}

const struct fl_workload fl_wl_syscall_cost = {
	.name = "syscall_cost",
	.help = "getppid() in a loop: the kernel's entry and exit, for kernel A/Bs",
	.backends = FL_LIVE,
	.variants = variants,
	.params = params,
	.metrics = metrics,
	.rounds = 64,
	.setup = setup,
	.round = round_fn,
	.teardown = teardown,
};
