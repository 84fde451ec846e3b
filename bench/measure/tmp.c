// SPDX-License-Identifier: GPL-2.0
/* Temporary files and directories, removed even when a run is stopped: see tmp.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/measure/tmp.h"
#include "bench/measure/worktree.h"

#define MAX_TMP		8

/* Read by the signal handler: a slot is in use while path[0] is set. */
static struct {
	char path[PATH_MAX];
	bool dir;
} tmps[MAX_TMP];

static const char *tmpdir(void)
{
	const char *d = getenv("TMPDIR");

	return d && d[0] == '/' ? d : "/tmp";
}

int fl_tmp_make(char *path, size_t len, const char *what, bool dir)
{
	int slot, fd;

	for (slot = 0; slot < MAX_TMP && tmps[slot].path[0]; slot++)
		;
	if (slot == MAX_TMP)
		return fl_fail(EMFILE, "more than %d temporary files at once", MAX_TMP);
	if ((size_t)snprintf(path, len, "%s/faultline-%s-%ld-XXXXXX", tmpdir(), what,
			     (long)getpid()) >= len)
		return fl_fail(ENAMETOOLONG, "temporary file name too long");
	fd = dir ? (mkdtemp(path) ? 0 : -1) : mkstemp(path);
	if (fd < 0) {
		int err = fl_fail(errno, "cannot create a temporary %s %s: %s",
				  dir ? "directory" : "file", path, strerror(errno));

		path[0] = '\0';
		return err;
	}
	if (!dir)
		close(fd);
	tmps[slot].dir = dir;
	snprintf(tmps[slot].path, sizeof(tmps[slot].path), "%s", path);
	return 0;
}

static int slot_of(const char *path)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (tmps[i].path[0] && !strcmp(tmps[i].path, path))
			return i;
	return -1;
}

void fl_tmp_keep(const char *path)
{
	int i = slot_of(path);

	if (i >= 0)
		tmps[i].path[0] = '\0';
}

void fl_tmp_remove(const char *path)
{
	int i = slot_of(path);

	if (i >= 0 && tmps[i].dir)
		fl_remove_tree(path);
	else if (i >= 0)
		unlink(path);
	if (i >= 0)
		tmps[i].path[0] = '\0';
}

/*
 * Only async-signal-safe calls: unlink, and rm -rf by fork and exec for a
 * directory (nftw is not safe here).
 */
static void on_signal(int sig)
{
	for (int i = 0; i < MAX_TMP; i++) {
		pid_t pid;

		if (!tmps[i].path[0])
			continue;
		if (!tmps[i].dir) {
			unlink(tmps[i].path);
			continue;
		}
		pid = fork();
		if (pid == 0) {
			char *argv[] = { "rm", "-rf", "--", tmps[i].path, NULL };

			execv("/bin/rm", argv);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* "gbench-1234-Ab3dEf" -> 1234, for the kinds this file makes; 0 otherwise. */
static long owner_pid(const char *name)
{
	static const char *const kinds[] = { "gbench-", "compare-", "bisect-" };
	char *end;
	long pid;

	if (strncmp(name, "faultline-", 10))
		return 0;
	name += 10;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t len = strlen(kinds[k]);

		if (strncmp(name, kinds[k], len))
			continue;
		pid = strtol(name + len, &end, 10);
		return pid > 0 && *end == '-' ? pid : 0;
	}
	return 0;
}

static void sweep(void)
{
	DIR *d = opendir(tmpdir());
	char path[PATH_MAX];
	struct dirent *e;
	struct stat sb;

	if (!d)
		return;
	while ((e = readdir(d))) {
		long pid = owner_pid(e->d_name);

		/* EPERM: another user's process, alive */
		if (!pid || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir(), e->d_name);
		if (lstat(path, &sb))
			continue;
		if (S_ISDIR(sb.st_mode))
			fl_remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
}

/* For a library that exits the process itself (Google Benchmark on a bad file name). */
static void at_exit(void)
{
	for (int i = 0; i < MAX_TMP; i++)
		if (tmps[i].path[0])
			fl_tmp_remove(tmps[i].path);
}

void fl_tmp_init(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };

	sweep();
	atexit(at_exit);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* a signal ignored from the start (nohup, a background job) stays so */
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}
