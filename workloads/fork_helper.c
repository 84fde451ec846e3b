// SPDX-License-Identifier: GPL-2.0
/* The harness's side of fl-forker (fork_helper.h). */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/err.h"
#include "fork_helper.h"

extern char **environ;

/* fl-forker beside the running binary: build/fl-forker, or /fl/fl-forker in a guest. */
static int helper_path(char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return fl_fail(ENOENT, "cannot find the running binary: %s", strerror(errno));
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, size, "%s/fl-forker", exe);
	if (access(path, X_OK))
		return fl_fail(ENOENT, "%s not found: the live fork workloads fork from it "
			       "(make builds it)", path);
	return 0;
}

int fl_fork_helper_start(struct fl_fork_helper *h)
{
	char path[PATH_MAX + 16], *argv[] = { "fl-forker", NULL };
	posix_spawn_file_actions_t fa;
	int sv[2], err;

	h->pid = 0;
	h->sock = -1;
	err = helper_path(path, sizeof(path));
	if (err)
		return err;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return fl_fail(errno, "socket for fl-forker: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	err = posix_spawn(&h->pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	h->sock = sv[0];
	if (err) {
		h->pid = 0;
		fl_fork_helper_stop(h);
		return fl_fail(err, "starting %s: %s", path, strerror(err));
	}
	return 0;
}

/* MSG_NOSIGNAL: a helper that died is an error here, not a SIGPIPE. */
int fl_fork_helper_run(struct fl_fork_helper *h, const struct fl_fork_request *rq)
{
	int answer;

	if (send(h->sock, rq, sizeof(*rq), MSG_NOSIGNAL) != (ssize_t)sizeof(*rq))
		return fl_fail(EPIPE, "fl-forker took no request: %s", strerror(errno));
	if (recv(h->sock, &answer, sizeof(answer), MSG_WAITALL) != (ssize_t)sizeof(answer))
		return fl_fail(EPIPE, "fl-forker gave no answer (did it die?)");
	if (answer)
		return fl_fail(answer, "fl-forker: a fork job failed: %s", strerror(answer));
	return 0;
}

void fl_fork_helper_stop(struct fl_fork_helper *h)
{
	if (h->sock >= 0)
		close(h->sock);	/* EOF: it exits */
	if (h->pid > 0)
		waitpid(h->pid, NULL, 0);
	h->pid = 0;
	h->sock = -1;
}
