/* SPDX-License-Identifier: GPL-2.0 */
/* bench/env.h - where a run happened: git, host, kernel, CPU, topology. */
#ifndef FL_ENV_H
#define FL_ENV_H

#include "results.h"

/* Fills everything but id, label, suite, backend and counter_source. */
int fl_env_capture(struct fl_run_meta *m);
/* "2026-11-21T17:18:00Z" into a malloc'd string. */
char *fl_now_iso8601(void);

#endif
