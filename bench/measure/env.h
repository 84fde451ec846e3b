/* SPDX-License-Identifier: GPL-2.0 */
/* bench/measure/env.h - where a run happened: git, host, kernel, CPU, topology. */
#ifndef FL_ENV_H
#define FL_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/results.h"

/* Fills everything but id, label, suite, backend and counter_source. */
int fl_env_capture(struct fl_run_meta *m);
/* The source tree this binary was built from (for git and ci/), or ".". */
void fl_source_dir(char *dir, size_t len);
/*
 * Exact mode: this faultline runs in a guest ci/vm --exact booted, whose
 * clock advances with the instructions it executes (FAULTLINE_VIRT
 * "tcg-icount:..."), so that every time it reads is a count of work.
 */
bool fl_env_exact(void);
/* What measured every row of an exact run: "icount". */
#define FL_SOURCE_ICOUNT	"icount"

/* "2026-11-21T17:18:00Z" into a malloc'd string. */
char *fl_now_iso8601(void);

#endif
