/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/store/store_internal.h - what the files of the store share, and nothing
 * outside them sees: the connection and the helpers around SQLite's calls.
 * store.c opens and closes; store_schema.c creates and upgrades the schema;
 * store_runs.c keeps runs, claims and verdicts; store_compare.c keeps
 * comparisons and learns noise floors from them.
 */
#ifndef FL_STORE_INTERNAL_H
#define FL_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>

#include "bench/analysis/bench_name.h"
#include "bench/store/store.h"

struct fl_store {
	sqlite3 *db;
	char *path;
	int busy_ms;
};

/* A failed SQLite call rc as one line naming the file and what was done. */
int store_fail(struct fl_store *st, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int store_exec(struct fl_store *st, const char *sql, const char *what);
/* Undo an open transaction; SQLite may already have rolled it back itself. */
void store_rollback(struct fl_store *st);
/*
 * Ends the transaction that BEGIN opened: COMMIT when err is 0 (what names
 * it if that fails), ROLLBACK otherwise.  Returns the first error.
 */
int store_end(struct fl_store *st, int err, const char *what);
int store_prepare(struct fl_store *st, const char *sql, sqlite3_stmt **stmt,
		  const char *what);
/* Runs a statement that returns no rows, and makes it ready for the next binds. */
int store_step_done(struct fl_store *st, sqlite3_stmt *stmt, const char *what);
void store_bind_text(sqlite3_stmt *stmt, int i, const char *s);
/* NaN is "not measured": SQL's NULL, never a number that sorts or averages. */
void store_bind_real(sqlite3_stmt *stmt, int i, double v);
/* A benchmark key's five columns, from parameter first on. */
void store_bind_key(sqlite3_stmt *stmt, int first, const struct fl_bench_key *k);
/*
 * Binds a row's values from parameter first on, one letter of types a value:
 * t text (const char *), r real (double, NaN binds NULL), d int, l long long,
 * k a benchmark key (const struct fl_bench_key *, five parameters).  One call
 * states a row where twenty lines of numbered binds would.
 */
void store_bind_row(sqlite3_stmt *stmt, int first, const char *types, ...);
double store_column_real(sqlite3_stmt *stmt, int i);
/* strdup of a text column; NULL for NULL, and *err = -ENOMEM when out of memory. */
char *store_column_dup(sqlite3_stmt *stmt, int i, int *err);

/* store_schema.c: -1 for a file with no table (ours to create), else its version. */
int store_read_version(struct fl_store *st, int *version);
/* A version newer than this faultline's is refused. */
int store_check_version(struct fl_store *st, int version);
/* Creates the schema, or upgrades it to the current one, in one transaction. */
int store_upgrade(struct fl_store *st);

#endif
