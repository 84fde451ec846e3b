// SPDX-License-Identifier: GPL-2.0
/* Building and running code sides for compare and bisect (see code_side.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/measure/code_side.h"

#define MAX_ARGS	64

int fl_code_side_build(struct fl_code_side *s, const char *repo, const char *sha,
		       const char *make_vars, const char *tmp, const char *who)
{
	char path[PATH_MAX], log[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/%s", tmp, s->name);
	snprintf(log, sizeof(log), "/tmp/faultline-build-%.12s.log", sha);
	fprintf(stderr, "faultline %s: building %s (%.12s) in %s\n", who, s->desc, sha, path);
	err = fl_worktree_add(&s->wt, repo, sha, path);
	if (!err)
		err = fl_worktree_build(&s->wt, make_vars, log);
	if (err)
		return err;
	snprintf(s->exe, sizeof(s->exe), "%s", s->wt.exe);
	s->dir = s->wt.path;
	return 0;
}

static int run_once(const struct fl_code_side *s, char *const *args, int k, int total,
		    const char *who)
{
	char *argv[MAX_ARGS + 8];
	int n = 0, rc;

	argv[n++] = (char *)s->exe;
	argv[n++] = "run";
	for (int i = 0; args[i]; i++) {
		if (n == MAX_ARGS)
			return fl_fail(EINVAL, "%s: more than %d arguments for run", who, MAX_ARGS);
		argv[n++] = args[i];
	}
	argv[n++] = "--db";
	argv[n++] = (char *)s->db;
	argv[n++] = "--label";
	argv[n++] = (char *)s->label;
	argv[n++] = "--quiet";
	argv[n] = NULL;
	fprintf(stderr, "faultline %s: run %d of %d: %s (%s)\n", who, k, total, s->name,
		s->desc);
	/* the runs' chatter goes to stderr: stdout is the caller's report */
	rc = fl_spawn(s->dir, argv, 2, 2);
	if (rc < 0)
		return rc;
	if (rc)
		return fl_fail(EIO, "%s (%s): faultline run failed (exit %d)", s->name, s->desc,
			       rc);
	return 0;
}

int fl_code_sides_run(struct fl_store *st, struct fl_code_side *const *sides, int n,
		      int runs, char *const *args, const char *tmp, const char *who)
{
	struct fl_code_side *order[8];
	int total = runs * n, k = 0, err = 0;
	struct timespec now;
	unsigned int seed;

	if (n < 1 || n > 8)
		return fl_fail(EINVAL, "%s: %d sides to run", who, n);
	clock_gettime(CLOCK_REALTIME, &now);
	seed = (unsigned int)(now.tv_nsec ^ now.tv_sec ^ getpid());
	for (int i = 0; i < n; i++)
		snprintf(sides[i]->db, sizeof(sides[i]->db), "%s/%s.db", tmp, sides[i]->name);
	for (int r = 0; r < runs && !err; r++) {
		for (int i = 0; i < n; i++)
			order[i] = sides[i];
		for (int i = n - 1; i > 0; i--) {	/* Fisher-Yates */
			int j = (int)(rand_r(&seed) % (unsigned int)(i + 1));
			struct fl_code_side *t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (int i = 0; i < n && !err; i++)
			err = run_once(order[i], args, ++k, total, who);
	}
	for (int i = 0; i < n && !err; i++) {
		err = fl_import_runs(st, sides[i]->db, &sides[i]->ids, &sides[i]->nids);
		unlink(sides[i]->db);
	}
	return err;
}

void fl_code_side_free(struct fl_code_side *s, bool keep)
{
	free(s->ids);
	s->ids = NULL;
	s->nids = 0;
	if (!keep)
		fl_worktree_remove(&s->wt);
}
