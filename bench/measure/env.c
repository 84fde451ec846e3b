// SPDX-License-Identifier: GPL-2.0
/* Where a run happened, recorded on the run so that two runs can be compared. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/measure/env.h"
#include "bench/measure/topology.h"

/* The first line a shell command prints, or "" (never NULL). */
static char *first_line_of(const char *cmd)
{
	char buf[512] = "";
	FILE *f = popen(cmd, "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		pclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

static char *file_line(const char *path, const char *prefix)
{
	char buf[1024];
	FILE *f = fopen(path, "r");
	char *out = NULL;

	if (!f)
		return strdup("");
	while (fgets(buf, sizeof(buf), f)) {
		char *v = buf;

		if (prefix) {
			if (strncmp(buf, prefix, strlen(prefix)))
				continue;
			v = strchr(buf, ':');
			v = v ? v + 1 + strspn(v + 1, " \t") : buf;
		}
		v[strcspn(v, "\n")] = '\0';
		out = strdup(v);
		break;
	}
	fclose(f);
	return out ? out : strdup("");
}

/*
 * The source tree the binary was built from: the nearest directory above it
 * that holds faultline's sources (build/faultline, build/inject5/faultline,
 * a worktree's build); else the directory two levels up.
 */
void fl_source_dir(char *dir, size_t len)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	snprintf(dir, len, ".");
	if (n <= 0)
		return;
	exe[n] = '\0';
	for (int up = 0; up < 4; up++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return;
		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/bench/faultline.c", exe[0] ? exe : "");
		if (up && !access(probe, F_OK)) {
			snprintf(dir, len, "%s", exe[0] ? exe : "/");
			return;
		}
		if (up == 1)
			snprintf(dir, len, "%s", exe[0] ? exe : "/");
	}
}

static void capture_git(struct fl_run_meta *m)
{
	char dir[PATH_MAX], cmd[PATH_MAX + 128];
	char *dirty;

	fl_source_dir(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD 2>/dev/null", dir);
	m->git_commit = first_line_of(cmd);
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse --abbrev-ref HEAD 2>/dev/null", dir);
	m->git_branch = first_line_of(cmd);
	snprintf(cmd, sizeof(cmd),
		 "git -C '%s' status --porcelain --untracked-files=no 2>/dev/null | head -1", dir);
	dirty = first_line_of(cmd);
	m->git_dirty = dirty[0] != '\0';
	free(dirty);
}

/* sha256 of the running kernel's config, wherever the distribution keeps it. */
static char *config_fingerprint(const char *release)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "{ cat /boot/config-%s 2>/dev/null || zcat /proc/config.gz 2>/dev/null; } "
		 "| sha256sum | awk '$1 != \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\" {print $1}'",
		 release);
	return first_line_of(cmd);
}

bool fl_env_exact(void)
{
	const char *v = getenv("FAULTLINE_VIRT");

	return v && !strncmp(v, "tcg-icount", 10);
}

static char *virt_kind(void)
{
	const char *v = getenv("FAULTLINE_VIRT");
	char *flags;
	int hv;

	if (v)
		return strdup(v);
	flags = file_line("/proc/cpuinfo", "flags");
	hv = strstr(flags, " hypervisor") != NULL;
	free(flags);
	return strdup(hv ? "hypervisor" : "");
}

char *fl_now_iso8601(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return strdup(buf);
}

int fl_env_capture(struct fl_run_meta *m)
{
	struct utsname u;
	char topo[256];

	if (uname(&u))
		return fl_fail(errno, "uname: %s", strerror(errno));
	capture_git(m);
	m->host = strdup(u.nodename);
	m->kernel_release = strdup(u.release);
	m->kernel_config_fp = config_fingerprint(u.release);
	m->cmdline = file_line("/proc/cmdline", NULL);
	m->cpu_model = file_line("/proc/cpuinfo", "model name");
	fl_topo_describe(topo, sizeof(topo));
	m->topology = strdup(topo);
	m->virt = virt_kind();
	return 0;
}
