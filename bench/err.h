/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One error message per thread: the function that fails says why with
 * fl_fail() and returns its negative errno; the CLI prints the message on one
 * line and exits non-zero.
 */
#ifndef FL_ERR_H
#define FL_ERR_H

/* Format the message, keep it, return -err (err is a positive errno). */
int fl_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *fl_errmsg(void);
void fl_clear_error(void);

#endif
