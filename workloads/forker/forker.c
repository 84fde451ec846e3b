// SPDX-License-Identifier: GPL-2.0
/*
 * fl-forker: the small process the live fork workloads fork from.
 *
 * A fork copies the parent's mm: its VMAs, page tables and the pages it maps.
 * faultline itself has some 70 VMAs and 9 MB resident (Google Benchmark,
 * SQLite, hwloc, libpfm, the C++ runtime), so a fork of faultline costs
 * more than the fork/exit/wait loop a kernel engineer would write to measure
 * a fork.  This program is linked statically and does nothing else: its
 * forks cost what a small process's fork costs.
 *
 * It reads requests from stdin and answers each on stdout, one after the
 * other (workloads/fork_helper.h is the other side):
 *   request: struct fl_fork_request; answer: an int, 0 or an errno.
 * For each of the request's jobs it forks a child that touches pages and
 * makes getppid() calls, then exits, and waits for it.  EOF on stdin ends it.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workloads/fork_helper.h"

static void child(const struct fl_fork_request *rq)
{
	size_t len = (size_t)rq->touch_pages * 4096;
	char *p = len ? mmap(NULL, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;

	if (p == MAP_FAILED)
		_exit(1);
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	for (long i = 0; i < rq->syscalls; i++)
		syscall(SYS_getppid);
	_exit(0);
}

static int job(const struct fl_fork_request *rq)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (!pid)
		child(rq);
	if (waitpid(pid, &status, 0) != pid)
		return errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : ECHILD;
}

/* All of a buffer, through short reads and writes; 0 at EOF before any of it. */
static ssize_t full(int fd, void *buf, size_t len, int writing)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = writing ? write(fd, (char *)buf + done, len - done)
				    : read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int main(void)
{
	struct fl_fork_request rq;

	while (full(0, &rq, sizeof(rq), 0) == (ssize_t)sizeof(rq)) {
		int err = 0;

		for (long i = 0; i < rq.jobs && !err; i++)
			err = job(&rq);
		if (full(1, &err, sizeof(err), 1) != (ssize_t)sizeof(err))
			return 1;
	}
	return 0;
}
