/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/code_side.h - code that compare and bisect run here: a git ref built
 * in a worktree of its own (the user's checkout is never touched), or a
 * faultline binary, run in pairs (or trios) whose order is drawn at random
 * each time, its runs brought into the results database.
 *
 * Random order: drift over the minutes of a comparison falls on every side
 * alike, and so does a machine whose speed swings with a period near two
 * runs' length, which a fixed A B A B (or GOOD always before BAD) would turn
 * into a steady difference between the sides.
 */
#ifndef FL_CODE_SIDE_H
#define FL_CODE_SIDE_H

#include <limits.h>
#include <stddef.h>

#include "bench/measure/worktree.h"

struct fl_store;

struct fl_code_side {
	const char *name;		/* "A", "good": in messages and file names */
	const char *desc;		/* what it is: "main", "exe:build/faultline" */
	const char *label;		/* the stored runs' label */
	char exe[PATH_MAX + 32];
	const char *dir;		/* where its runs start; NULL: here */
	struct fl_worktree wt;		/* when built from a ref */
	char db[PATH_MAX + 16];		/* its runs land here first */
	long long *ids;			/* then in the results database, these */
	size_t nids;
};

/*
 * Builds commit sha of repo in tmp/NAME with make_vars (NULL: none), the log
 * in /tmp/faultline-build-SHA.log; who ("compare") prefixes the message.
 */
int fl_code_side_build(struct fl_code_side *s, const char *repo, const char *sha,
		       const char *make_vars, const char *tmp, const char *who);

/*
 * Runs each of the n sides runs times, as `EXE run ARGS --db DB --label
 * LABEL --quiet` with ARGS the NULL-ended args, one run of every side per
 * round in an order drawn at random, saying "WHO: run k of total: NAME
 * (DESC)" before each; then imports every side's runs into st (s->ids).
 * The runs' own output goes to stderr.  Their databases are made in tmp.
 */
int fl_code_sides_run(struct fl_store *st, struct fl_code_side *const *sides, int n,
		      int runs, char *const *args, const char *tmp, const char *who);

/* Frees the ids; removes the worktree unless keep. */
void fl_code_side_free(struct fl_code_side *s, bool keep);

#endif
