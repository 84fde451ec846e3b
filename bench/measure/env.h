/* SPDX-License-Identifier: GPL-2.0 */
/* bench/measure/env.h - where a run happened: git, host, kernel, CPU, topology. */
#ifndef FL_ENV_H
#define FL_ENV_H

#include "bench/results.h"

/* Fills everything but id, label, suite, backend and counter_source. */
int fl_env_capture(struct fl_run_meta *m);
/* The source tree this binary was built from (for git and ci/), or ".". */
void fl_source_dir(char *dir, size_t len);
/* "2026-11-21T17:18:00Z" into a malloc'd string. */
char *fl_now_iso8601(void);

#endif
