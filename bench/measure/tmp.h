/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/tmp.h - the temporary files and directories of a faultline process.
 *
 * Named $TMPDIR/faultline-WHAT-PID-XXXXXX, so that what a process left behind
 * can be told apart from what a live one still uses.  They are removed when
 * the process is done with them, when it is stopped by SIGINT, SIGTERM or
 * SIGHUP, and, after SIGKILL, by the next faultline that starts (the sweep).
 */
#ifndef FL_TMP_H
#define FL_TMP_H

#include <stdbool.h>
#include <stddef.h>

/* Makes one (a directory when dir) into path; 0 or a negative errno (fl_fail). */
int fl_tmp_make(char *path, size_t len, const char *what, bool dir);
/* Removes it (a directory with all it holds) and forgets it. */
void fl_tmp_remove(const char *path);
/* Forgets it: it stays (compare --keep). */
void fl_tmp_keep(const char *path);

/*
 * At start: removes what faultline processes that no longer run left behind,
 * and removes this process's own on SIGINT, SIGTERM and SIGHUP before dying
 * of the signal.
 */
void fl_tmp_init(void);

#endif
