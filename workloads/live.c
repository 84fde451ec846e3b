// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "bench/err.h"
#include "live.h"

static int perf_event_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int level = 2;		/* the kernel's default */

	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = 2;
		fclose(f);
	}
	return level;
}

int fl_live_check_privilege(void)
{
	int level;

	if (geteuid() == 0)
		return 0;
	level = perf_event_paranoid();
	if (level <= 1)
		return 0;
	return fl_fail(EPERM, "the live backend counts kernel time: run as root or set "
		       "kernel.perf_event_paranoid <= 1 (it is %d)", level);
}
