/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/worktree.h - what compare and bisect need of git, make and child
 * processes: resolve a ref, build it in its own `git worktree` (the user's
 * checkout is never touched), run a faultline binary, and bring its runs into
 * the results database.
 */
#ifndef FL_WORKTREE_H
#define FL_WORKTREE_H

#include <limits.h>
#include <stddef.h>

struct fl_store;

/*
 * Runs argv[0] (searched on $PATH) in dir (NULL: here) with stdin from
 * /dev/null and stdout and stderr to out_fd and err_fd (-1: as ours).
 * Returns its exit status, 128 + the signal that killed it, or a negative
 * errno when it could not be started.
 */
int fl_spawn(const char *dir, char *const argv[], int out_fd, int err_fd);

/* The top of the git work tree holding dir. */
int fl_git_toplevel(const char *dir, char *out, size_t size);
/* The full commit id ref names in repo; -ENOENT when it names no commit. */
int fl_git_resolve(const char *repo, const char *ref, char sha[41]);
/* "abc1234 subject" of a commit, for messages. */
int fl_git_describe(const char *repo, const char *sha, char *out, size_t size);

struct fl_worktree {
	char repo[PATH_MAX];
	char path[PATH_MAX];	/* "" until added */
	char sha[41];
	char exe[PATH_MAX + 32];	/* path/build/faultline once built */
};

/* git worktree add --detach path sha. */
int fl_worktree_add(struct fl_worktree *wt, const char *repo, const char *sha,
		    const char *path);
/*
 * make build/faultline in the worktree with the extra make variables in
 * make_vars ("INJECT=5 V=1", split at spaces; NULL for none).  The build's
 * output goes to log; a failure names it and quotes its last error line.
 */
int fl_worktree_build(struct fl_worktree *wt, const char *make_vars, const char *log);
/* git worktree remove --force; harmless on one never added. */
void fl_worktree_remove(struct fl_worktree *wt);

/*
 * Copies every run of the database at from into st (new ids there), oldest
 * first, appending their new ids to *ids (a malloc'd array of *n).
 */
int fl_import_runs(struct fl_store *st, const char *from, long long **ids, size_t *n);

/* rm -rf of a directory this process made (mkdtemp); best effort. */
void fl_remove_tree(const char *dir);

#endif
