// SPDX-License-Identifier: GPL-2.0
/*
 * bench/measure/worktree.c - git worktrees, builds and child faultline processes for
 * compare and bisect.  Commands run from argv arrays, never through a shell,
 * so refs and paths need no quoting.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/measure/worktree.h"
#include "bench/results.h"
#include "bench/store/store.h"

/* The child's side of fl_spawn: only async-signal-safe calls until exec. */
static void child(const char *dir, char *const argv[], int out_fd, int err_fd, int null_fd)
{
	if (dir && chdir(dir))
		_exit(127);
	dup2(null_fd, 0);
	if (out_fd >= 0)
		dup2(out_fd, 1);
	if (err_fd >= 0)
		dup2(err_fd, 2);
	execvp(argv[0], argv);
	_exit(127);
}

static int wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fl_fail(errno, "waiting for a child: %s", strerror(errno));
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int fl_spawn(const char *dir, char *const argv[], int out_fd, int err_fd)
{
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid;

	if (null_fd < 0)
		return fl_fail(errno, "/dev/null: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		child(dir, argv, out_fd, err_fd, null_fd);
	close(null_fd);
	if (pid < 0)
		return fl_fail(errno, "cannot start %s: %s", argv[0], strerror(errno));
	return wait_for(pid);
}

/* Runs argv, keeping the start of its stdout (and stderr with merge) in buf. */
static int capture(const char *dir, char *const argv[], char *buf, size_t size, bool merge)
{
	int pfd[2], null_fd, status;
	size_t len = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return fl_fail(errno, "pipe: %s", strerror(errno));
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		child(dir, argv, pfd[1], merge ? pfd[1] : null_fd, null_fd);
	close(pfd[1]);
	if (null_fd >= 0)
		close(null_fd);
	if (pid < 0) {
		close(pfd[0]);
		return fl_fail(errno, "cannot start %s: %s", argv[0], strerror(errno));
	}
	for (;;) {
		char sink[256];
		ssize_t r = len + 1 < size ? read(pfd[0], buf + len, size - 1 - len) :
					     read(pfd[0], sink, sizeof(sink));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (len + 1 < size)
			len += (size_t)r;
	}
	close(pfd[0]);
	buf[len] = '\0';
	status = wait_for(pid);
	return status;
}

static void first_line(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

int fl_git_toplevel(const char *dir, char *out, size_t size)
{
	char *const argv[] = { "git", "-C", (char *)dir, "rev-parse", "--show-toplevel", NULL };
	int rc = capture(NULL, argv, out, size, false);

	if (rc < 0)
		return rc;
	first_line(out);
	if (rc == 127)
		return fl_fail(ENOENT, "git not found: install git to compare or bisect refs");
	if (rc || !out[0])
		return fl_fail(ENOENT, "%s is not inside a git work tree", dir);
	return 0;
}

int fl_git_resolve(const char *repo, const char *ref, char sha[41])
{
	char spec[512], out[128];
	char *const argv[] = { "git", "-C", (char *)repo, "rev-parse", "--verify", "--quiet",
			       spec, NULL };
	int rc;

	sha[0] = '\0';
	/* A ref that starts with '-' would be read as an option. */
	if (!ref[0] || ref[0] == '-' || strlen(ref) > sizeof(spec) - 16)
		return fl_fail(ENOENT, "'%s' is not a git ref", ref);
	snprintf(spec, sizeof(spec), "%s^{commit}", ref);
	rc = capture(NULL, argv, out, sizeof(out), false);
	if (rc < 0)
		return rc;
	first_line(out);
	if (rc == 127)
		return fl_fail(ENOENT, "git not found: install git to compare or bisect refs");
	if (rc || strlen(out) != 40)
		return fl_fail(ENOENT, "'%s' names no commit in %s", ref, repo);
	memcpy(sha, out, 41);
	return 0;
}

int fl_git_describe(const char *repo, const char *sha, char *out, size_t size)
{
	char *const argv[] = { "git", "-C", (char *)repo, "log", "-1", "--format=%h %s",
			       (char *)sha, "--", NULL };
	int rc = capture(NULL, argv, out, size, false);

	first_line(out);
	if (rc) {
		snprintf(out, size, "%.12s", sha);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

int fl_worktree_add(struct fl_worktree *wt, const char *repo, const char *sha,
		    const char *path)
{
	char out[1024];
	char *const argv[] = { "git", "-C", (char *)repo, "worktree", "add", "--detach",
			       "--quiet", (char *)path, (char *)sha, NULL };
	int rc;

	memset(wt, 0, sizeof(*wt));
	snprintf(wt->repo, sizeof(wt->repo), "%s", repo);
	snprintf(wt->sha, sizeof(wt->sha), "%s", sha);
	rc = capture(NULL, argv, out, sizeof(out), true);
	if (rc < 0)
		return rc;
	first_line(out);
	if (rc)
		return fl_fail(EIO, "git worktree add %s %.12s failed: %s", path, sha, out);
	snprintf(wt->path, sizeof(wt->path), "%s", path);
	return 0;
}

/* The last line of the log that says "error", or its last line. */
static void last_error(const char *log, char *out, size_t size)
{
	FILE *f = fopen(log, "r");
	char line[512];

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		first_line(line);
		if (!line[0] || strstr(line, "Entering directory") ||
		    strstr(line, "Leaving directory"))
			continue;
		if (strcasestr(line, "error") || !out[0] || !strcasestr(out, "error"))
			snprintf(out, size, "%s", line);
	}
	fclose(f);
}

/*
 * A make started by `make compare` would inherit the outer make's command
 * line variables (BASE=, HEAD=, BUILD=...) through MAKEFLAGS: the worktree
 * is built as if make were typed there.
 */
static void clean_make_env(void)
{
	unsetenv("MAKEFLAGS");
	unsetenv("MFLAGS");
	unsetenv("MAKELEVEL");
	unsetenv("MAKEOVERRIDES");
}

int fl_worktree_build(struct fl_worktree *wt, const char *make_vars, const char *log)
{
	char jobs[32], vars[1024], why[512], *argv[40], *save, *tok;
	int fd, rc, n = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	snprintf(jobs, sizeof(jobs), "-j%ld", cpus > 0 ? cpus : 1);
	snprintf(vars, sizeof(vars), "%s", make_vars ? make_vars : "");
	argv[n++] = "make";
	argv[n++] = "-C";
	argv[n++] = wt->path;
	argv[n++] = jobs;
	argv[n++] = "build/faultline";
	for (tok = strtok_r(vars, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == 38 || !strchr(tok, '='))
			return fl_fail(EINVAL, "make variables '%s': expected NAME=VALUE ...",
				       make_vars);
		argv[n++] = tok;
	}
	argv[n] = NULL;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fl_fail(errno, "%s: %s", log, strerror(errno));
	clean_make_env();
	rc = fl_spawn(NULL, argv, fd, fd);
	close(fd);
	if (rc < 0)
		return rc;
	if (rc) {
		last_error(log, why, sizeof(why));
		return fl_fail(EIO, "building %.12s failed (make exit %d, log %s): %s", wt->sha,
			       rc, log, why);
	}
	snprintf(wt->exe, sizeof(wt->exe), "%s/build/faultline", wt->path);
	return 0;
}

void fl_worktree_remove(struct fl_worktree *wt)
{
	char out[256];
	char *const argv[] = { "git", "-C", wt->repo, "worktree", "remove", "--force",
			       wt->path, NULL };
	char *const prune[] = { "git", "-C", wt->repo, "worktree", "prune", NULL };

	if (!wt->path[0])
		return;
	if (capture(NULL, argv, out, sizeof(out), true)) {
		fl_remove_tree(wt->path);
		capture(NULL, prune, out, sizeof(out), true);
	}
	wt->path[0] = '\0';
}

static int push(long long **ids, size_t *n, long long id)
{
	long long *p = realloc(*ids, (*n + 1) * sizeof(*p));

	if (!p)
		return fl_fail(ENOMEM, "out of memory importing runs");
	*ids = p;
	p[(*n)++] = id;
	return 0;
}

int fl_import_runs(struct fl_store *st, const char *from, long long **ids, size_t *n)
{
	struct fl_store *src;
	long long last, id;
	int err;

	if (access(from, F_OK))
		return fl_fail(ENOENT, "%s: no runs to import (the run stored nothing)", from);
	err = fl_store_open(from, &src);
	if (err)
		return err;
	err = fl_store_latest_run(src, &last);
	for (id = 1; !err && id <= last; id++) {
		struct fl_run r;

		fl_run_init(&r);
		err = fl_store_load_run(src, id, &r);
		if (err == -ENOENT) {
			err = 0;
			continue;
		}
		if (!err)
			err = fl_store_save_run(st, &r);
		if (!err)
			err = push(ids, n, r.meta.id);
		fl_run_free(&r);
	}
	fl_store_close(src);
	return err;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void fl_remove_tree(const char *dir)
{
	if (dir && dir[0] && strcmp(dir, "/"))
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
