// SPDX-License-Identifier: GPL-2.0
/*
 * bench/store/store_schema.c - results.db's schema, and the migrations that bring a
 * file of any older version to it.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/err.h"
#include "bench/store/store_internal.h"

/*
 * The current schema (v5).  These texts are shared with the migrations below:
 * a change is a new migration (FL_STORE_SCHEMA_VERSION goes up) whose steps a
 * new file takes too, as comparison_rows' pairs column is, rather than a
 * changed text that the older migrations would have to keep a copy of.
 */
static const char sql_schema_version[] =
	"CREATE TABLE schema_version (version INTEGER NOT NULL)";

/* AUTOINCREMENT: a run id, once printed in a report, never names another run. */
static const char sql_runs[] =
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" label TEXT, suite TEXT, backend TEXT,"
	" git_commit TEXT, git_branch TEXT, git_dirty INTEGER NOT NULL DEFAULT 0,"
	" host TEXT, kernel_release TEXT, kernel_config_fp TEXT, cmdline TEXT,"
	" cpu_model TEXT, topology TEXT, counter_source TEXT, virt TEXT,"
	" started_at TEXT, finished_at TEXT,"
	" gbench_json TEXT)";

/* The unique index also serves "the benchmarks of run N" and the foreign key. */
static const char sql_benchmarks[] =
	"CREATE TABLE benchmarks ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" workload TEXT NOT NULL, variant TEXT NOT NULL,"
	" backend TEXT NOT NULL, params TEXT NOT NULL,"
	" UNIQUE (run_id, workload, variant, backend, params))";

/* value is NULL where the sample is NaN (not measured). */
static const char sql_samples[] =
	"CREATE TABLE samples ("
	" id INTEGER PRIMARY KEY,"
	" benchmark_id INTEGER NOT NULL REFERENCES benchmarks(id) ON DELETE CASCADE,"
	" repetition INTEGER NOT NULL, metric TEXT NOT NULL, unit TEXT NOT NULL,"
	" value REAL,"
	" source TEXT NOT NULL DEFAULT '')";

static const char sql_samples_index[] =
	"CREATE UNIQUE INDEX samples_by_benchmark ON samples (benchmark_id, metric, repetition)";

static const char sql_claims[] =
	"CREATE TABLE claims ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" seed TEXT, statement TEXT, metric TEXT,"
	" published REAL, tolerance REAL, source TEXT)";

static const char sql_verdicts[] =
	"CREATE TABLE verdicts ("
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" claim_id TEXT NOT NULL REFERENCES claims(id),"
	" published REAL, measured REAL, lo REAL, hi REAL,"
	" verdict TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY (run_id, claim_id))";

/* For the foreign key: deleting a claim must not scan every verdict. */
static const char sql_verdicts_index[] =
	"CREATE INDEX verdicts_by_claim ON verdicts (claim_id)";

/*
 * v2: comparisons (faultline compare).  kind 'aa' marks a comparison of the
 * same code on both sides: its rows are what the noise floors are learned
 * from.  host is that of side A's runs, so that floors stay per machine.
 */
static const char sql_comparisons[] =
	"CREATE TABLE comparisons ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" created_at TEXT, label TEXT,"
	" kind TEXT NOT NULL CHECK (kind IN ('aa', 'ab')),"
	" a_spec TEXT, b_spec TEXT, host TEXT, suite TEXT,"
	" alpha REAL, min_change REAL,"
	" nrows INTEGER, regressions INTEGER, improvements INTEGER)";

static const char sql_comparison_runs[] =
	"CREATE TABLE comparison_runs ("
	" comparison_id INTEGER NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,"
	" side TEXT NOT NULL CHECK (side IN ('A', 'B')),"
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" PRIMARY KEY (comparison_id, side, run_id))";

/* For the foreign key to runs. */
static const char sql_comparison_runs_index[] =
	"CREATE INDEX comparison_runs_by_run ON comparison_runs (run_id)";

/*
 * comparison_rows as v2 created it.  v3's pairs column is added to it by the
 * same ALTER TABLE in a new file and in an upgraded one, so that the two are
 * the same to the letter.
 */
static const char sql_comparison_rows[] =
	"CREATE TABLE comparison_rows ("
	" comparison_id INTEGER NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,"
	" workload TEXT NOT NULL, variant TEXT NOT NULL, backend TEXT NOT NULL,"
	" params TEXT NOT NULL, metric TEXT NOT NULL, unit TEXT,"
	" higher_is_better INTEGER NOT NULL,"
	" n_a INTEGER NOT NULL, n_b INTEGER NOT NULL,"
	" median_a REAL, median_a_lo REAL, median_a_hi REAL,"
	" median_b REAL, median_b_lo REAL, median_b_hi REAL,"
	" change_pct REAL, change_lo REAL, change_hi REAL,"
	" u REAL, p_value REAL, q_value REAL,"
	" floor_pct REAL, floor_comparisons INTEGER, floor_samples INTEGER,"
	" verdict TEXT NOT NULL,"
	" PRIMARY KEY (comparison_id, workload, variant, backend, params, metric))";

/* The noise floor of a benchmark looks up its rows across comparisons. */
static const char sql_comparison_rows_index[] =
	"CREATE INDEX comparison_rows_by_benchmark"
	" ON comparison_rows (workload, variant, backend, params, metric)";

/*
 * v4: a claim has two verdicts (bench/claims/claims.h); the magnitude stays in
 * verdict and reason, the mechanism's is added.
 */
static const char sql_verdicts_mechanism[] =
	"ALTER TABLE verdicts ADD COLUMN mechanism TEXT NOT NULL DEFAULT ''";
static const char sql_verdicts_mechanism_reason[] =
	"ALTER TABLE verdicts ADD COLUMN mechanism_reason TEXT NOT NULL DEFAULT ''";

/* v5: the order a run's repetitions ran in (FL_SCHEDULE_*); NULL before. */
static const char sql_runs_schedule[] =
	"ALTER TABLE runs ADD COLUMN schedule TEXT";

static const char sql_comparison_rows_pairs[] =
	"ALTER TABLE comparison_rows ADD COLUMN pairs INTEGER NOT NULL DEFAULT 0";

static const char *const schema_current[] = {
	sql_schema_version, sql_runs, sql_benchmarks, sql_samples, sql_samples_index,
	sql_claims, sql_verdicts, sql_verdicts_index,
	sql_comparisons, sql_comparison_runs, sql_comparison_runs_index,
	sql_comparison_rows, sql_comparison_rows_index, sql_comparison_rows_pairs,
	sql_verdicts_mechanism, sql_verdicts_mechanism_reason, sql_runs_schedule, NULL,
};

/*
 * v0 (before claims were stored): runs without gbench_json, samples without
 * source, no claims or verdicts.  The new columns go last, where a fresh v1
 * table has them, so that an upgraded file and a new one look the same.
 */
static const char *const migrate_v0_v1[] = {
	"ALTER TABLE runs ADD COLUMN gbench_json TEXT",
	"ALTER TABLE samples ADD COLUMN source TEXT NOT NULL DEFAULT ''",
	sql_claims, sql_verdicts, sql_verdicts_index, NULL,
};

static const char *const migrate_v1_v2[] = {
	sql_comparisons, sql_comparison_runs, sql_comparison_runs_index,
	sql_comparison_rows, sql_comparison_rows_index, NULL,
};

/*
 * v2 judged every comparison on the pooled samples; v3 judges runs made in
 * pairs by pair, and says so per row: noise floors learned one way do not
 * hold for the other.
 */
static const char *const migrate_v2_v3[] = {
	sql_comparison_rows_pairs, NULL,
};

static const char *const migrate_v3_v4[] = {
	sql_verdicts_mechanism, sql_verdicts_mechanism_reason, NULL,
};

static const char *const migrate_v4_v5[] = {
	sql_runs_schedule, NULL,
};

/* migrations[v] takes a database from version v to v + 1, oldest first. */
static const char *const *const migrations[] = {
	migrate_v0_v1,
	migrate_v1_v2,
	migrate_v2_v3,
	migrate_v3_v4,
	migrate_v4_v5,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == FL_STORE_SCHEMA_VERSION,
	       "one migration per schema version");

/*
 * SQLite's result code as a negative errno, with a message naming the file,
 * what was being done, and SQLite's reason.  Call it before anything else
 * touches the connection: a ROLLBACK would reset sqlite3_errmsg().
 */

/*
 * Whose file is this: -1 for an empty database (ours to create), else the
 * version in schema_version.  Only reads, so that a file that is not ours is
 * left exactly as it was.
 */
int store_read_version(struct fl_store *st, int *version)
{
	static const char sql[] =
		"SELECT count(*), sum(type = 'table' AND name = 'schema_version')"
		" FROM sqlite_master";
	sqlite3_stmt *stmt;
	int rc, objects, has_table, err;

	err = store_prepare(st, sql, &stmt, "reading the schema");
	if (err)
		return err;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err = store_fail(st, rc, "reading the schema");
		sqlite3_finalize(stmt);
		return err;
	}
	objects = sqlite3_column_int(stmt, 0);
	has_table = sqlite3_column_int(stmt, 1);
	sqlite3_finalize(stmt);

	*version = -1;
	if (!objects)
		return 0;
	if (!has_table)
		return fl_fail(EINVAL, "%s: not a faultline database (no schema_version table)",
			       st->path);

	err = store_prepare(st, "SELECT version FROM schema_version", &stmt, "reading the version");
	if (err)
		return err;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_INTEGER)
		*version = sqlite3_column_int(stmt, 0);
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(st, rc, "reading the version");
	else if (rc == SQLITE_ROW || *version < 0)
		err = fl_fail(EINVAL,
			      "%s: not a faultline database (schema_version is not one number)",
			      st->path);
	sqlite3_finalize(stmt);
	return err;
}

int store_check_version(struct fl_store *st, int version)
{
	if (version <= FL_STORE_SCHEMA_VERSION)
		return 0;
	return fl_fail(ENOTSUP, "%s: schema version %d is newer than this faultline's (%d)",
		       st->path, version, FL_STORE_SCHEMA_VERSION);
}

static int store_exec_all(struct fl_store *st, const char *const *sql, const char *what)
{
	for (; *sql; sql++) {
		int err = store_exec(st, *sql, what);

		if (err)
			return err;
	}
	return 0;
}

static int set_version(struct fl_store *st, bool fresh)
{
	char sql[80];

	if (fresh)
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d)",
			 FL_STORE_SCHEMA_VERSION);
	else
		snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d",
			 FL_STORE_SCHEMA_VERSION);
	return store_exec(st, sql, "writing the schema version");
}

/*
 * Create the schema, or upgrade it step by step, in one transaction: an
 * upgrade that fails half-way leaves the old version intact.  The version is
 * read again under the write lock, as another process may have got here first.
 */
int store_upgrade(struct fl_store *st)
{
	char what[64];
	int version, err;

	err = store_exec(st, "BEGIN IMMEDIATE", "creating the schema");
	if (err)
		return err;
	err = store_read_version(st, &version);
	if (!err)
		err = store_check_version(st, version);
	if (!err && version < 0) {
		err = store_exec_all(st, schema_current, "creating the schema");
		if (!err)
			err = set_version(st, true);
	} else if (!err && version < FL_STORE_SCHEMA_VERSION) {
		for (int v = version; v < FL_STORE_SCHEMA_VERSION && !err; v++) {
			snprintf(what, sizeof(what), "upgrading the schema from v%d to v%d",
				 v, v + 1);
			err = store_exec_all(st, migrations[v], what);
		}
		if (!err)
			err = set_version(st, false);
	}
	return store_end(st, err, "committing the schema");
}
