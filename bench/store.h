/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/store.h - results.db, on SQLite.
 *
 * Tables (schema_version, runs, benchmarks, samples, claims, verdicts) as in
 * ../shared/design.md.  The schema is created on first use and upgraded in
 * place from any older version.  WAL, a busy timeout, and one transaction per
 * run: a run killed half-way leaves no trace.  Every failure returns a
 * negative errno after fl_fail() has said what is wrong with which file.
 */
#ifndef FL_STORE_H
#define FL_STORE_H

#include "results.h"

#define FL_STORE_SCHEMA_VERSION	1
#define FL_STORE_BUSY_MS	5000

struct fl_store;
struct fl_verdict;
struct fl_claim;

int fl_store_open(const char *path, struct fl_store **out);
void fl_store_close(struct fl_store *st);
/* For tests: wait this long for a lock before failing (default above). */
void fl_store_set_busy_timeout(struct fl_store *st, int ms);

/* The whole run, meta and samples, in one transaction; sets r->meta.id. */
int fl_store_save_run(struct fl_store *st, struct fl_run *r);
/* -ENOENT when the database holds no run. */
int fl_store_latest_run(struct fl_store *st, long long *id);
/* Fills an initialised run; -ENOENT for an unknown id. */
int fl_store_load_run(struct fl_store *st, long long id, struct fl_run *r);

/* Replaces the claims table's rows with the registered claims. */
int fl_store_save_claims(struct fl_store *st, const struct fl_claim *const *claims);
/* Replaces the verdicts of run id, in one transaction. */
int fl_store_save_verdicts(struct fl_store *st, long long id,
			   const struct fl_verdict *v, size_t n);

#endif
