// SPDX-License-Identifier: GPL-2.0
/*
 * bench/measure/vm.c - faultline run --vm (see vm.h): a payload for ci/vm, one ci/vm
 * per kernel, then the guests' runs into the host's store.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/measure/env.h"
#include "bench/measure/vm.h"

#define FL_VM_MAX_KERNELS	8
#define FL_VM_DEF_TIMEOUT	900

int fl_vm_quote(const char *s, char *buf, size_t len)
{
	size_t off = 0;

	if (len < 3)
		return -ENOSPC;
	buf[off++] = '\'';
	for (; *s; s++) {
		const char *piece = *s == '\'' ? "'\\''" : NULL;
		size_t n = piece ? 4 : 1;

		if (off + n + 2 > len)
			return -ENOSPC;
		if (piece)
			memcpy(buf + off, piece, n);
		else
			buf[off] = *s;
		off += n;
	}
	buf[off++] = '\'';
	buf[off] = '\0';
	return 0;
}

/* mkdir -p of path's parent directory */
static int fl_vm_mkdirs(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(dir))
		return fl_fail(ENAMETOOLONG, "--vm: path too long: %.80s...", path);
	memcpy(dir, path, strlen(path) + 1);
	p = strrchr(dir, '/');
	if (!p)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return fl_fail(errno, "--vm: cannot create %s: %s", dir, strerror(errno));
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return fl_fail(errno, "--vm: cannot create %s: %s", dir, strerror(errno));
	return 0;
}

/* The guest's script: the run, into /out/results.db (ci/vm brings it back). */
static int fl_vm_payload(const char *path, int argc, char *const *argv)
{
	char q[1024];
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		return fl_fail(errno, "--vm: cannot write %s: %s", path, strerror(errno));
	fprintf(f, "mkdir -p /out\nexec /fl/faultline run");
	for (i = 0; i < argc; i++) {
		if (fl_vm_quote(argv[i], q, sizeof(q))) {
			fclose(f);
			return fl_fail(E2BIG, "--vm: argument %d is too long", i + 1);
		}
		fprintf(f, " %s", q);
	}
	fprintf(f, " --db /out/results.db\n");
	if (fclose(f))
		return fl_fail(EIO, "--vm: cannot write %s", path);
	return 0;
}

/* The first line of ci/vm's stderr that says what went wrong. */
static void fl_vm_reason(const char *log, char *msg, size_t len)
{
	char line[1024];
	FILE *f = fopen(log, "r");

	snprintf(msg, len, "ci/vm failed (see %.900s)", log);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "ci/vm: ", 7))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(msg, len, "%s", line + 7);
		break;
	}
	fclose(f);
}

/* Shows what ci/vm printed besides its error line: a hung guest's console. */
static void fl_vm_show_console(const char *log)
{
	char line[1024];
	FILE *f = fopen(log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "    ", 4))
			fputs(line, stderr);
	fclose(f);
}

static int fl_vm_boot(const struct fl_vm_opts *o, const char *runner, const char *kernel,
		      const char *payload, const char *out, const char *log)
{
	char timeout[16], self[PATH_MAX];
	const char *args[20];
	int n = 0, status, fd;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;

	if (len <= 0)
		return fl_fail(errno, "--vm: which binary is this: %s", strerror(errno));
	self[len] = '\0';

	snprintf(timeout, sizeof(timeout), "%d", o->timeout_s ? o->timeout_s : FL_VM_DEF_TIMEOUT);
	args[n++] = runner;
	/* this very binary goes in the guest: a make INJECT=N build too */
	args[n++] = "--faultline-bin";
	args[n++] = self;
	if (o->module)
		args[n++] = "--module";
	if (o->exact)
		args[n++] = "--exact";
	if (o->append && *o->append) {
		args[n++] = "--append";
		args[n++] = o->append;
	}
	args[n++] = "--timeout";
	args[n++] = timeout;
	args[n++] = "--payload";
	args[n++] = payload;
	args[n++] = "--out";
	args[n++] = out;
	args[n++] = kernel;
	args[n] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fl_fail(errno, "--vm: fork: %s", strerror(errno));
	if (!pid) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0)
			dup2(fd, 2);
		dup2(2, 1);
		execv(runner, (char *const *)args);
		dprintf(2, "ci/vm: cannot run %s: %s\n", runner, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return fl_fail(errno, "--vm: waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	{
		char msg[1024];

		fl_vm_show_console(log);
		fl_vm_reason(log, msg, sizeof(msg));
		return fl_fail(EIO, "--vm %s: %s", kernel, msg);
	}
}

static int fl_vm_set(char **field, const char *value)
{
	char *s = strdup(value ? value : "");

	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

/* The guest's run, with the host's git fields. */
static int fl_vm_load(const char *kernel, const char *db, const struct fl_run_meta *host,
		      struct fl_run *r)
{
	struct fl_store *gs;
	long long id;
	int err;

	if (access(db, R_OK))
		return fl_fail(ENOENT, "--vm %s: the guest brought back no results (%s)", kernel,
			       db);
	err = fl_store_open(db, &gs);
	if (err)
		return err;
	err = fl_store_latest_run(gs, &id);
	if (!err)
		err = fl_store_load_run(gs, id, r);
	fl_store_close(gs);
	if (err)
		return fl_fail(-err, "--vm %s: the guest's results are unreadable: %s", kernel,
			       fl_errmsg());
	if (host && (fl_vm_set(&r->meta.git_commit, host->git_commit) ||
		     fl_vm_set(&r->meta.git_branch, host->git_branch)))
		return fl_fail(ENOMEM, "out of memory");
	if (host)
		r->meta.git_dirty = host->git_dirty;
	return 0;
}

static int fl_vm_split(const char *kernels, char list[][128], int *n)
{
	const char *p = kernels;
	size_t len;

	*n = 0;
	while (p && *p) {
		len = strcspn(p, ",");
		if (!len || len >= 128)
			return fl_fail(EINVAL, "--vm: bad kernel list '%s'", kernels);
		if (*n == FL_VM_MAX_KERNELS)
			return fl_fail(E2BIG, "--vm: at most %d kernels", FL_VM_MAX_KERNELS);
		memcpy(list[*n], p, len);
		list[(*n)++][len] = '\0';
		p += len;
		if (*p == ',')
			p++;
	}
	if (!*n)
		return fl_fail(EINVAL, "--vm: no kernel given");
	return 0;
}

int fl_vm_run(const struct fl_vm_opts *o, int argc, char *const *argv,
	      const struct fl_run_meta *host, struct fl_store *st,
	      long long *ids, int max_ids)
{
	char kernels[FL_VM_MAX_KERNELS][128], repo[PATH_MAX], runner[PATH_MAX + 16];
	char out[PATH_MAX + 256], file[PATH_MAX + 300], log[PATH_MAX + 300];
	struct fl_run runs[FL_VM_MAX_KERNELS];
	int nk, i, err;

	err = fl_vm_split(o->kernels, kernels, &nk);
	if (err)
		return err;
	fl_source_dir(repo, sizeof(repo));
	if (o->runner)
		snprintf(runner, sizeof(runner), "%s", o->runner);
	else if (getenv("FL_VM_RUNNER"))
		snprintf(runner, sizeof(runner), "%s", getenv("FL_VM_RUNNER"));
	else
		snprintf(runner, sizeof(runner), "%s/ci/vm", repo);
	if (access(runner, X_OK))
		return fl_fail(ENOENT, "--vm: the guest runner %s is missing", runner);

	for (i = 0; i < nk; i++)
		fl_run_init(&runs[i]);
	for (i = 0; i < nk && !err; i++) {
		if (o->out_dir)
			snprintf(out, sizeof(out), "%s/%s", o->out_dir, kernels[i]);
		else
			snprintf(out, sizeof(out), "%s/build/vm/%s", repo, kernels[i]);
		snprintf(file, sizeof(file), "%s.payload", out);
		snprintf(log, sizeof(log), "%s.log", out);
		err = fl_vm_mkdirs(out);
		if (!err)
			err = fl_vm_payload(file, argc, argv);
		if (!err)
			err = fl_vm_boot(o, runner, kernels[i], file, out, log);
		snprintf(file, sizeof(file), "%s/files/results.db", out);
		if (!err)
			err = fl_vm_load(kernels[i], file, host, &runs[i]);
	}
	/* every guest succeeded: only now does the host's store change */
	for (i = 0; i < nk && !err; i++) {
		err = fl_store_save_run(st, &runs[i]);
		if (!err && ids && i < max_ids)
			ids[i] = runs[i].meta.id;
	}
	for (i = 0; i < nk; i++)
		fl_run_free(&runs[i]);
	return err;
}
