// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_cost: what the kernel's entry and exit cost one thread: N getppid()
 * calls a round, the cheapest syscall there is, so that the figure is the
 * entry, the exit work and the return to user mode, and nothing of a
 * syscall's own; with S=1 a syscall number no kernel has (ENOSYS), which
 * skips even that, and the syscall table's lookup.  Live only: it measures the running kernel (in an exact
 * guest, its instructions), for kernel A/Bs such as Debian's 6.1 against
 * 6.12, with and without context tracking (nohz_full).
 *
 * Only for measuring exact mode's sensitivity (ci/exact-sensitivity): built
 * with -DFL_INJECT_SYSCALLS_PER_1000=N (make INJECT_SYSCALLS=N), each round
 * makes N extra, uncounted getppid() per 1000: N per mille more kernel work.
 * Never on by default; data, not code, as the shim's FL_INJECT_SLOWDOWN_PCT
 * (workloads/vmap_jobs.c), so that both builds run the same instructions.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/err.h"
#include "live.h"
#include "workload.h"

static const struct fl_param params[] = {
	{ "N", "syscalls per round", 4096, 1, 1 << 24 },
	{ "S", "0: getppid(), 1: an invalid syscall number (ENOSYS)", 0, 0, 1 },
	{ NULL }
};

enum { SYSCALLS };

static const struct fl_metric metrics[] = {
	[SYSCALLS] = { "syscalls_per_s", "syscalls/s", FL_RATE, 1, true, FL_LIVE },
	{ NULL }
};

static const char *const variants[] = { "live", NULL };

#ifndef FL_INJECT_SYSCALLS_PER_1000
#define FL_INJECT_SYSCALLS_PER_1000 0
#endif
static const volatile long inject_per_1000 = FL_INJECT_SYSCALLS_PER_1000;

/* Past the end of the syscall table: do_syscall_64() answers -ENOSYS. */
#define SYSCALL_NONE	999

struct syscalls {
	long n;
	long nr;		/* the syscall made */
	long owed;		/* injected calls carried from round to round, x1000 */
};

static int setup(struct fl_instance *in)
{
	struct syscalls *s = in->priv;

	s->n = fl_param(in, "N");
	s->nr = fl_param(in, "S") ? SYSCALL_NONE : SYS_getppid;
	return fl_live_check_privilege();
}

/* syscall(), not getppid(): no C library may answer it from a cache. */
static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct syscalls *s = in->priv;
	long extra;

	s->owed += s->n * inject_per_1000;
	extra = s->owed / 1000;
	s->owed -= extra * 1000;
	for (long i = 0; i < s->n + extra; i++)
		syscall(s->nr);
	acc->metric[SYSCALLS] += (double)s->n;
	return 0;
}

const struct fl_workload fl_wl_syscall_cost = {
	.name = "syscall_cost",
	.help = "getppid() (or an invalid syscall) in a loop: the kernel's entry and exit, "
		"for kernel A/Bs",
	.backends = FL_LIVE,
	.variants = variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct syscalls),
	.setup = setup,
	.round = round_fn,
};
