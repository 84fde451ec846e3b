// SPDX-License-Identifier: GPL-2.0
/*
 * bench/store.c - results.db on SQLite.
 *
 * Every write is one BEGIN IMMEDIATE ... COMMIT, so a process killed half-way
 * leaves nothing behind: SQLite's write-ahead log simply never sees the commit
 * frame.  BEGIN IMMEDIATE takes the write lock up front, so several processes
 * saving at once queue on the busy timeout instead of failing on a lock
 * upgrade half-way through a run.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "claims.h"
#include "compare.h"
#include "err.h"
#include "store.h"

struct fl_store {
	sqlite3 *db;
	char *path;
	int busy_ms;
};

/*
 * The current schema (v3).  These texts are shared with the migrations below:
 * when one of them changes, the older migrations must keep a copy of the text
 * they used, and FL_STORE_SCHEMA_VERSION goes up.
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
	" verdict TEXT NOT NULL, pairs INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (comparison_id, workload, variant, backend, params, metric))";

/* comparison_rows as v2 created it, without pairs (see migrate_v2_v3). */
static const char sql_comparison_rows_v2[] =
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

static const char *const schema_current[] = {
	sql_schema_version, sql_runs, sql_benchmarks, sql_samples, sql_samples_index,
	sql_claims, sql_verdicts, sql_verdicts_index,
	sql_comparisons, sql_comparison_runs, sql_comparison_runs_index,
	sql_comparison_rows, sql_comparison_rows_index, NULL,
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
	sql_comparison_rows_v2, sql_comparison_rows_index, NULL,
};

/*
 * v2 judged every comparison on the pooled samples; v3 judges runs made in
 * pairs by pair, and says so per row: noise floors learned one way do not
 * hold for the other.
 */
static const char *const migrate_v2_v3[] = {
	"ALTER TABLE comparison_rows ADD COLUMN pairs INTEGER NOT NULL DEFAULT 0", NULL,
};

/* migrations[v] takes a database from version v to v + 1, oldest first. */
static const char *const *const migrations[] = {
	migrate_v0_v1,
	migrate_v1_v2,
	migrate_v2_v3,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == FL_STORE_SCHEMA_VERSION,
	       "one migration per schema version");

/*
 * SQLite's result code as a negative errno, with a message naming the file,
 * what was being done, and SQLite's reason.  Call it before anything else
 * touches the connection: a ROLLBACK would reset sqlite3_errmsg().
 */
static int store_fail(struct fl_store *st, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int store_fail(struct fl_store *st, int rc, const char *fmt, ...)
{
	const char *why = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
	int sys = st->db ? sqlite3_system_errno(st->db) : 0;
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
		return fl_fail(EBUSY, "%s is locked by another process (waited %d ms)",
			       st->path, st->busy_ms);
	case SQLITE_LOCKED:
		return fl_fail(EBUSY, "%s: %s: %s", st->path, what, why);
	case SQLITE_NOTADB:
		return fl_fail(EINVAL, "%s: not a faultline database (not an SQLite file)",
			       st->path);
	case SQLITE_CORRUPT:
		return fl_fail(EIO, "%s: %s: corrupt database (%s)", st->path, what, why);
	case SQLITE_NOMEM:
		return fl_fail(ENOMEM, "%s: %s: out of memory", st->path, what);
	case SQLITE_FULL:
		return fl_fail(ENOSPC, "%s: %s: disk full (%s)", st->path, what, why);
	case SQLITE_READONLY:
		return fl_fail(EROFS, "%s: %s: database is read-only (%s)", st->path, what, why);
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return fl_fail(EINVAL, "%s: %s: %s", st->path, what, why);
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
		if (sys)
			return fl_fail(sys, "%s: %s: %s (%s)", st->path, what, why,
				       strerror(sys));
		break;
	}
	return fl_fail(EIO, "%s: %s: %s", st->path, what, why);
}

static int exec(struct fl_store *st, const char *sql, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(st, rc, "%s", what);
}

/* Undo an open transaction; SQLite may already have rolled it back itself. */
static void rollback(struct fl_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int prepare(struct fl_store *st, const char *sql, sqlite3_stmt **stmt,
		   const char *what)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(st, rc, "%s", what);
}

/* Runs a statement that returns no rows, and makes it ready for the next binds. */
static int step_done(struct fl_store *st, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt), err = 0;

	if (rc != SQLITE_DONE)
		err = store_fail(st, rc, "%s", what);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return err;
}

static void bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, i);
}

/* NaN is "not measured": SQL's NULL, never a number that sorts or averages. */
static void bind_real(sqlite3_stmt *stmt, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_double(stmt, i, v);
}

static double column_real(sqlite3_stmt *stmt, int i)
{
	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(stmt, i);
}

/*
 * Whose file is this: -1 for an empty database (ours to create), else the
 * version in schema_version.  Only reads, so that a file that is not ours is
 * left exactly as it was.
 */
static int read_version(struct fl_store *st, int *version)
{
	static const char sql[] =
		"SELECT count(*), sum(type = 'table' AND name = 'schema_version')"
		" FROM sqlite_master";
	sqlite3_stmt *stmt;
	int rc, objects, has_table, err;

	err = prepare(st, sql, &stmt, "reading the schema");
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

	err = prepare(st, "SELECT version FROM schema_version", &stmt, "reading the version");
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

static int check_version(struct fl_store *st, int version)
{
	if (version <= FL_STORE_SCHEMA_VERSION)
		return 0;
	return fl_fail(ENOTSUP, "%s: schema version %d is newer than this faultline's (%d)",
		       st->path, version, FL_STORE_SCHEMA_VERSION);
}

static int exec_all(struct fl_store *st, const char *const *sql, const char *what)
{
	for (; *sql; sql++) {
		int err = exec(st, *sql, what);

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
	return exec(st, sql, "writing the schema version");
}

/*
 * Create the schema, or upgrade it step by step, in one transaction: an
 * upgrade that fails half-way leaves the old version intact.  The version is
 * read again under the write lock, as another process may have got here first.
 */
static int upgrade(struct fl_store *st)
{
	char what[64];
	int version, err;

	err = exec(st, "BEGIN IMMEDIATE", "creating the schema");
	if (err)
		return err;
	err = read_version(st, &version);
	if (!err)
		err = check_version(st, version);
	if (!err && version < 0) {
		err = exec_all(st, schema_current, "creating the schema");
		if (!err)
			err = set_version(st, true);
	} else if (!err && version < FL_STORE_SCHEMA_VERSION) {
		for (int v = version; v < FL_STORE_SCHEMA_VERSION && !err; v++) {
			snprintf(what, sizeof(what), "upgrading the schema from v%d to v%d",
				 v, v + 1);
			err = exec_all(st, migrations[v], what);
		}
		if (!err)
			err = set_version(st, false);
	}
	if (!err)
		err = exec(st, "COMMIT", "committing the schema");
	if (err)
		rollback(st);
	return err;
}

static int try_wal(struct fl_store *st, int *rc)
{
	sqlite3_stmt *stmt;
	const char *mode;
	int err;

	err = prepare(st, "PRAGMA journal_mode = WAL", &stmt, "turning on WAL");
	if (err)
		return err;
	*rc = sqlite3_step(stmt);
	if (*rc == SQLITE_ROW) {
		mode = (const char *)sqlite3_column_text(stmt, 0);
		if (!mode || strcmp(mode, "wal"))
			err = fl_fail(EIO, "%s: cannot turn on WAL (journal mode stays %s)",
				      st->path, mode ? mode : "unknown");
	}
	sqlite3_finalize(stmt);
	return err;
}

/*
 * Switching a file to WAL needs it to itself for a moment, and SQLite does not
 * wait for that through the busy handler (the switch upgrades the read lock it
 * already holds, which could deadlock).  Only a new file, which other processes
 * are creating too, ever waits here; they wait as long as the busy timeout.
 */
static int set_wal(struct fl_store *st)
{
	const struct timespec nap = { 0, 5 * 1000 * 1000 };
	int rc, err, waited = 0;

	for (;;) {
		err = try_wal(st, &rc);
		if (err || rc == SQLITE_ROW)
			return err;
		if (rc != SQLITE_BUSY || waited >= st->busy_ms)
			return store_fail(st, rc, "turning on WAL");
		nanosleep(&nap, NULL);
		waited += 5;
	}
}

/* Identify the file before changing anything in it, then WAL, then schema. */
static int store_setup(struct fl_store *st)
{
	int version, err;

	if (sqlite3_db_readonly(st->db, "main") == 1)
		return fl_fail(EACCES, "%s: cannot write to it (opened read-only)", st->path);
	err = read_version(st, &version);
	if (!err)
		err = check_version(st, version);
	if (!err)
		err = exec(st, "PRAGMA foreign_keys = ON", "turning on foreign keys");
	if (!err)
		err = set_wal(st);
	if (!err && version < FL_STORE_SCHEMA_VERSION)
		err = upgrade(st);
	return err;
}

/*
 * Why the file cannot be opened for writing.  SQLite's own errno is that of
 * its last try, a read-only open, which says ENOENT where the directory is
 * not writable.
 */
static int open_errno(const char *path)
{
	char *copy = strdup(path);
	int err = 0;

	if (!copy)
		return ENOMEM;
	if (!access(path, F_OK)) {
		if (access(path, R_OK | W_OK))
			err = errno;
	} else if (errno != ENOENT) {
		err = errno;
	} else if (access(dirname(copy), W_OK | X_OK)) {
		err = errno;
	}
	free(copy);
	return err;
}

static struct fl_store *store_alloc(const char *path)
{
	struct fl_store *st = calloc(1, sizeof(*st));

	if (!st || !(st->path = strdup(path))) {
		free(st);
		fl_fail(ENOMEM, "%s: out of memory opening it", path);
		return NULL;
	}
	st->busy_ms = FL_STORE_BUSY_MS;
	return st;
}

int fl_store_open(const char *path, struct fl_store **out)
{
	struct fl_store *st;
	struct stat sb;
	int rc, err;

	*out = NULL;
	if (!path[0])
		return fl_fail(EINVAL, "--db: the file name is empty");
	if (!stat(path, &sb) && S_ISDIR(sb.st_mode))
		return fl_fail(EISDIR, "%s: is a directory, not a results database", path);

	st = store_alloc(path);
	if (!st)
		return -ENOMEM;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		err = open_errno(path);
		if (err)
			err = fl_fail(err, "%s: cannot open: %s", path, strerror(err));
		else
			err = store_fail(st, rc, "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	err = store_setup(st);
	if (err)
		goto fail;
	*out = st;
	return 0;
fail:
	fl_store_close(st);
	return err;
}

/*
 * A WAL database is read through its -shm file, which a reader without write
 * access to the directory cannot create; immutable=1 then reads the file as
 * it is (SQLite's documented way for read-only media).
 */
static int open_read_only(struct fl_store *st)
{
	char uri[PATH_MAX * 3 + 32], *o = uri;
	int rc, version, err;

	rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(st->db, st->busy_ms);
		err = read_version(st, &version);
		if (!err)
			goto opened;
		sqlite3_close(st->db);
		st->db = NULL;
	}
	o += sprintf(o, "file:");
	for (const char *p = st->path; *p && o < uri + sizeof(uri) - 16; p++)
		o += strchr("%?#", *p) ? sprintf(o, "%%%02X", (unsigned char)*p)
				       : sprintf(o, "%c", *p);
	sprintf(o, "?immutable=1");
	rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "cannot open it read-only");
	err = read_version(st, &version);
opened:
	if (!err)
		err = check_version(st, version);
	if (!err && version < 0)
		return fl_fail(ENOENT, "%s: holds no run yet (run make bench)", st->path);
	if (!err && version < FL_STORE_SCHEMA_VERSION)
		return fl_fail(EACCES, "%s: schema v%d is older than this faultline's v%d, and "
			       "only its owner can upgrade it (any faultline run does)",
			       st->path, version, FL_STORE_SCHEMA_VERSION);
	return err;
}

int fl_store_open_existing(const char *path, struct fl_store **out)
{
	struct fl_store *st;
	struct stat sb;
	int err;

	*out = NULL;
	if (!path[0])
		return fl_fail(EINVAL, "--db: the file name is empty");
	if (stat(path, &sb)) {
		if (errno == ENOENT)
			return fl_fail(ENOENT, "%s: no such results database, so no run stored "
				       "(faultline run or make bench makes one)", path);
		return fl_fail(errno, "%s: cannot open: %s", path, strerror(errno));
	}
	if (S_ISDIR(sb.st_mode))
		return fl_fail(EISDIR, "%s: is a directory, not a results database", path);
	if (access(path, R_OK))
		return fl_fail(errno, "%s: cannot read it: %s", path, strerror(errno));
	if (!access(path, W_OK))
		return fl_store_open(path, out);	/* and upgrade its schema */

	st = store_alloc(path);
	if (!st)
		return -ENOMEM;
	err = open_read_only(st);
	if (err) {
		fl_store_close(st);
		return err;
	}
	*out = st;
	return 0;
}

void fl_store_close(struct fl_store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

void fl_store_set_busy_timeout(struct fl_store *st, int ms)
{
	st->busy_ms = ms;
	sqlite3_busy_timeout(st->db, ms);
}

/* The text columns of runs, in the order of sql_run_insert and sql_run_select. */
static const size_t meta_text[] = {
	offsetof(struct fl_run_meta, label),
	offsetof(struct fl_run_meta, suite),
	offsetof(struct fl_run_meta, backend),
	offsetof(struct fl_run_meta, git_commit),
	offsetof(struct fl_run_meta, git_branch),
	offsetof(struct fl_run_meta, host),
	offsetof(struct fl_run_meta, kernel_release),
	offsetof(struct fl_run_meta, kernel_config_fp),
	offsetof(struct fl_run_meta, cmdline),
	offsetof(struct fl_run_meta, cpu_model),
	offsetof(struct fl_run_meta, topology),
	offsetof(struct fl_run_meta, counter_source),
	offsetof(struct fl_run_meta, virt),
	offsetof(struct fl_run_meta, started_at),
	offsetof(struct fl_run_meta, finished_at),
};

#define META_TEXT_COLUMNS						\
	"label, suite, backend, git_commit, git_branch, host, kernel_release,"	\
	" kernel_config_fp, cmdline, cpu_model, topology, counter_source, virt,"	\
	" started_at, finished_at"

#define NMETA_TEXT (sizeof(meta_text) / sizeof(meta_text[0]))

static const char sql_run_insert[] =
	"INSERT INTO runs (" META_TEXT_COLUMNS ", git_dirty, gbench_json)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char sql_run_select[] =
	"SELECT " META_TEXT_COLUMNS ", git_dirty, gbench_json FROM runs WHERE id = ?";

static char **meta_field(struct fl_run_meta *m, size_t i)
{
	return (char **)((char *)m + meta_text[i]);
}

static int insert_run(struct fl_store *st, struct fl_run *r, long long *id)
{
	sqlite3_stmt *stmt;
	size_t i;
	int err;

	err = prepare(st, sql_run_insert, &stmt, "saving a run");
	if (err)
		return err;
	for (i = 0; i < NMETA_TEXT; i++)
		bind_text(stmt, i + 1, *meta_field(&r->meta, i));
	sqlite3_bind_int(stmt, i + 1, r->meta.git_dirty);
	bind_text(stmt, i + 2, r->gbench_json);
	err = step_done(st, stmt, "saving a run");
	sqlite3_finalize(stmt);
	*id = sqlite3_last_insert_rowid(st->db);
	return err;
}

/* Statements of one save, prepared once and reused for every sample. */
struct saver {
	struct fl_store *st;
	long long run_id;
	sqlite3_stmt *find_bench, *add_bench, *add_sample;
	const struct fl_sample *last;	/* the benchmark of bench_id */
	long long bench_id;
};

static bool same_bench(const struct fl_sample *a, const struct fl_sample *b)
{
	return !strcmp(a->workload, b->workload) && !strcmp(a->variant, b->variant) &&
	       !strcmp(a->backend, b->backend) && !strcmp(a->params, b->params);
}

static void bind_bench(sqlite3_stmt *stmt, long long run_id, const struct fl_sample *s)
{
	sqlite3_bind_int64(stmt, 1, run_id);
	bind_text(stmt, 2, s->workload);
	bind_text(stmt, 3, s->variant);
	bind_text(stmt, 4, s->backend);
	bind_text(stmt, 5, s->params);
}

/* The benchmark row of a sample; samples come grouped, so one lookup per group. */
static int bench_fail(struct saver *sv, int rc, const struct fl_sample *s)
{
	return store_fail(sv->st, rc, "saving benchmark %s/%s/%s [%s]",
			  s->workload, s->variant, s->backend, s->params);
}

static int bench_id(struct saver *sv, const struct fl_sample *s)
{
	int rc, err = 0;

	if (sv->last && same_bench(sv->last, s))
		return 0;
	bind_bench(sv->find_bench, sv->run_id, s);
	rc = sqlite3_step(sv->find_bench);
	if (rc == SQLITE_ROW)
		sv->bench_id = sqlite3_column_int64(sv->find_bench, 0);
	else if (rc != SQLITE_DONE)
		err = bench_fail(sv, rc, s);
	sqlite3_reset(sv->find_bench);
	if (rc == SQLITE_DONE) {
		bind_bench(sv->add_bench, sv->run_id, s);
		rc = sqlite3_step(sv->add_bench);
		if (rc == SQLITE_DONE)
			sv->bench_id = sqlite3_last_insert_rowid(sv->st->db);
		else
			err = bench_fail(sv, rc, s);
		sqlite3_reset(sv->add_bench);
	}
	if (!err)
		sv->last = s;
	return err;
}

static int insert_sample(struct saver *sv, const struct fl_sample *s)
{
	sqlite3_stmt *stmt = sv->add_sample;
	int err, rc;

	err = bench_id(sv, s);
	if (err)
		return err;
	sqlite3_bind_int64(stmt, 1, sv->bench_id);
	sqlite3_bind_int(stmt, 2, s->repetition);
	bind_text(stmt, 3, s->metric);
	bind_text(stmt, 4, s->unit);
	bind_real(stmt, 5, s->value);
	bind_text(stmt, 6, s->source);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		err = store_fail(sv->st, rc, "saving sample %s/%s/%s [%s] repetition %d %s",
				 s->workload, s->variant, s->backend, s->params,
				 s->repetition, s->metric);
	sqlite3_reset(stmt);
	return err;
}

static int save_samples(struct fl_store *st, struct fl_run *r, long long run_id)
{
	struct saver sv = { .st = st, .run_id = run_id };
	int err;

	err = prepare(st, "SELECT id FROM benchmarks WHERE run_id = ? AND workload = ?"
		      " AND variant = ? AND backend = ? AND params = ?",
		      &sv.find_bench, "saving a run");
	if (!err)
		err = prepare(st, "INSERT INTO benchmarks"
			      " (run_id, workload, variant, backend, params)"
			      " VALUES (?, ?, ?, ?, ?)", &sv.add_bench, "saving a run");
	if (!err)
		err = prepare(st, "INSERT INTO samples"
			      " (benchmark_id, repetition, metric, unit, value, source)"
			      " VALUES (?, ?, ?, ?, ?, ?)", &sv.add_sample, "saving a run");
	for (size_t i = 0; !err && i < r->nsamples; i++)
		err = insert_sample(&sv, &r->samples[i]);
	sqlite3_finalize(sv.find_bench);
	sqlite3_finalize(sv.add_bench);
	sqlite3_finalize(sv.add_sample);
	return err;
}

int fl_store_save_run(struct fl_store *st, struct fl_run *r)
{
	long long id;
	int err;

	err = exec(st, "BEGIN IMMEDIATE", "saving a run");
	if (err)
		return err;
	err = insert_run(st, r, &id);
	if (!err)
		err = save_samples(st, r, id);
	if (!err)
		err = exec(st, "COMMIT", "committing a run");
	if (err) {
		rollback(st);
		return err;
	}
	r->meta.id = id;
	return 0;
}

int fl_store_latest_run(struct fl_store *st, long long *id)
{
	sqlite3_stmt *stmt;
	int rc, err;

	err = prepare(st, "SELECT max(id) FROM runs", &stmt, "finding the latest run");
	if (err)
		return err;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		err = store_fail(st, rc, "finding the latest run");
	else if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
		err = fl_fail(ENOENT, "%s: holds no run yet", st->path);
	else
		*id = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return err;
}

static char *column_dup(sqlite3_stmt *stmt, int i, int *err)
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*err = -ENOMEM;
	return d;
}

static int load_meta(struct fl_store *st, long long id, struct fl_run *r)
{
	sqlite3_stmt *stmt;
	int rc, err, nomem = 0;
	size_t i;

	err = prepare(st, sql_run_select, &stmt, "loading a run");
	if (err)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		for (i = 0; i < NMETA_TEXT; i++)
			*meta_field(&r->meta, i) = column_dup(stmt, i, &nomem);
		r->meta.git_dirty = sqlite3_column_int(stmt, i);
		r->gbench_json = column_dup(stmt, i + 1, &nomem);
		r->meta.id = id;
	}
	if (rc == SQLITE_DONE)
		err = fl_fail(ENOENT, "%s: no run %lld", st->path, id);
	else if (rc != SQLITE_ROW)
		err = store_fail(st, rc, "loading run %lld", id);
	else if (nomem)
		err = fl_fail(ENOMEM, "%s: out of memory loading run %lld", st->path, id);
	sqlite3_finalize(stmt);
	return err;
}

static int load_samples(struct fl_store *st, long long id, struct fl_run *r)
{
	static const char sql[] =
		"SELECT b.workload, b.variant, b.backend, b.params,"
		" s.repetition, s.metric, s.unit, s.value, s.source"
		" FROM benchmarks b JOIN samples s ON s.benchmark_id = b.id"
		" WHERE b.run_id = ? ORDER BY s.id";
	sqlite3_stmt *stmt;
	int rc, err;

	err = prepare(st, sql, &stmt, "loading a run");
	if (err)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct fl_sample s = {
			.workload = (char *)sqlite3_column_text(stmt, 0),
			.variant = (char *)sqlite3_column_text(stmt, 1),
			.backend = (char *)sqlite3_column_text(stmt, 2),
			.params = (char *)sqlite3_column_text(stmt, 3),
			.repetition = sqlite3_column_int(stmt, 4),
			.metric = (char *)sqlite3_column_text(stmt, 5),
			.unit = (char *)sqlite3_column_text(stmt, 6),
			.value = column_real(stmt, 7),
			.source = (char *)sqlite3_column_text(stmt, 8),
		};

		err = fl_run_add(r, &s);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(st, rc, "loading the samples of run %lld", id);
	sqlite3_finalize(stmt);
	return err;
}

/* One read transaction: the meta and samples of one consistent snapshot. */
int fl_store_load_run(struct fl_store *st, long long id, struct fl_run *r)
{
	int err;

	err = exec(st, "BEGIN", "loading a run");
	if (err)
		return err;
	err = load_meta(st, id, r);
	if (!err)
		err = load_samples(st, id, r);
	if (!err)
		err = exec(st, "COMMIT", "loading a run");
	if (err) {
		rollback(st);
		fl_run_free(r);
	}
	return err;
}

static int insert_claim(struct fl_store *st, sqlite3_stmt *stmt, const struct fl_claim *c)
{
	char what[128];

	bind_text(stmt, 1, c->id);
	bind_text(stmt, 2, c->seed);
	bind_text(stmt, 3, c->statement);
	bind_text(stmt, 4, c->metric);
	bind_real(stmt, 5, c->published);
	bind_real(stmt, 6, c->tolerance);
	bind_text(stmt, 7, c->source);
	snprintf(what, sizeof(what), "saving claim %s", c->id ? c->id : "(no id)");
	return step_done(st, stmt, what);
}

/*
 * The registered claims replace the table's rows, but a claim that verdicts
 * of older runs still refer to stays: those verdicts keep their claim.
 */
int fl_store_save_claims(struct fl_store *st, const struct fl_claim *const *claims)
{
	static const char sql[] =
		"INSERT INTO claims (id, seed, statement, metric, published, tolerance, source)"
		" VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
		" seed = excluded.seed, statement = excluded.statement,"
		" metric = excluded.metric, published = excluded.published,"
		" tolerance = excluded.tolerance, source = excluded.source";
	sqlite3_stmt *stmt = NULL;
	int err;

	err = exec(st, "BEGIN IMMEDIATE", "saving the claims");
	if (!err)
		err = exec(st, "DELETE FROM claims WHERE id NOT IN"
			   " (SELECT claim_id FROM verdicts)", "saving the claims");
	if (!err)
		err = prepare(st, sql, &stmt, "saving the claims");
	for (; !err && *claims; claims++)
		err = insert_claim(st, stmt, *claims);
	sqlite3_finalize(stmt);
	if (!err)
		err = exec(st, "COMMIT", "committing the claims");
	if (err)
		rollback(st);
	return err;
}

static int run_exists(struct fl_store *st, long long id)
{
	sqlite3_stmt *stmt;
	int rc, err;

	err = prepare(st, "SELECT 1 FROM runs WHERE id = ?", &stmt, "saving verdicts");
	if (err)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		err = fl_fail(ENOENT, "%s: no run %lld to save verdicts for", st->path, id);
	else if (rc != SQLITE_ROW)
		err = store_fail(st, rc, "saving the verdicts of run %lld", id);
	sqlite3_finalize(stmt);
	return err;
}

static int insert_verdict(struct fl_store *st, sqlite3_stmt *stmt, long long id,
			  const struct fl_verdict *v)
{
	char what[128];

	sqlite3_bind_int64(stmt, 1, id);
	bind_text(stmt, 2, v->claim_id);
	bind_real(stmt, 3, v->published);
	bind_real(stmt, 4, v->measured);
	bind_real(stmt, 5, v->lo);
	bind_real(stmt, 6, v->hi);
	bind_text(stmt, 7, fl_verdict_name(v->verdict));
	bind_text(stmt, 8, v->reason);
	/* A foreign key failure here means the claims were not saved first. */
	snprintf(what, sizeof(what), "saving the verdict of claim %s for run %lld",
		 v->claim_id ? v->claim_id : "(no id)", id);
	return step_done(st, stmt, what);
}

int fl_store_save_verdicts(struct fl_store *st, long long id,
			   const struct fl_verdict *v, size_t n)
{
	static const char sql[] =
		"INSERT INTO verdicts (run_id, claim_id, published, measured, lo, hi,"
		" verdict, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *del = NULL, *add = NULL;
	int err;

	err = exec(st, "BEGIN IMMEDIATE", "saving verdicts");
	if (!err)
		err = run_exists(st, id);
	if (!err)
		err = prepare(st, "DELETE FROM verdicts WHERE run_id = ?", &del,
			      "saving verdicts");
	if (!err) {
		sqlite3_bind_int64(del, 1, id);
		err = step_done(st, del, "replacing the verdicts");
	}
	if (!err)
		err = prepare(st, sql, &add, "saving verdicts");
	for (size_t i = 0; !err && i < n; i++)
		err = insert_verdict(st, add, id, &v[i]);
	sqlite3_finalize(del);
	sqlite3_finalize(add);
	if (!err)
		err = exec(st, "COMMIT", "committing the verdicts");
	if (err)
		rollback(st);
	return err;
}

/* ---- comparisons: finding runs, saving comparisons, noise floors ---------- */

static int push_id(long long **ids, size_t *n, size_t *cap, long long id)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		long long *p = realloc(*ids, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*ids = p;
		*cap = c;
	}
	(*ids)[(*n)++] = id;
	return 0;
}

/* The first column of every row, as ids, into a malloc'd array. */
static int collect_ids(struct fl_store *st, sqlite3_stmt *stmt, long long **ids, size_t *n,
		       const char *what)
{
	size_t cap = 0;
	int rc, err = 0;

	*ids = NULL;
	*n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (push_id(ids, n, &cap, sqlite3_column_int64(stmt, 0))) {
			err = fl_fail(ENOMEM, "%s: out of memory %s", st->path, what);
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(st, rc, "%s", what);
	sqlite3_finalize(stmt);
	if (err) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return err;
}

int fl_store_find_runs(struct fl_store *st, enum fl_run_match by, const char *value,
		       long long **ids, size_t *n)
{
	static const char *const sql[] = {
		[FL_RUNS_BY_LABEL] = "SELECT id FROM runs WHERE label = ?1 ORDER BY id",
		[FL_RUNS_BY_KERNEL] = "SELECT id FROM runs WHERE kernel_release = ?1 ORDER BY id",
		/* a prefix, without LIKE's wildcards */
		[FL_RUNS_BY_COMMIT] = "SELECT id FROM runs"
				      " WHERE substr(git_commit, 1, length(?1)) = ?1 ORDER BY id",
	};
	sqlite3_stmt *stmt;
	int err;

	*ids = NULL;
	*n = 0;
	err = prepare(st, sql[by], &stmt, "finding runs");
	if (err)
		return err;
	bind_text(stmt, 1, value);
	return collect_ids(st, stmt, ids, n, "finding runs");
}

static void bind_key(sqlite3_stmt *stmt, int first, const struct fl_bench_key *k)
{
	bind_text(stmt, first, k->workload);
	bind_text(stmt, first + 1, k->variant);
	bind_text(stmt, first + 2, k->backend);
	bind_text(stmt, first + 3, k->params);
	bind_text(stmt, first + 4, k->metric);
}

int fl_store_runs_with(struct fl_store *st, const struct fl_bench_key *k,
		       long long **ids, size_t *n)
{
	static const char sql[] =
		"SELECT DISTINCT b.run_id FROM benchmarks b"
		" JOIN samples s ON s.benchmark_id = b.id"
		" WHERE b.workload = ? AND b.variant = ? AND b.backend = ? AND b.params = ?"
		" AND s.metric = ? AND s.value IS NOT NULL ORDER BY b.run_id";
	sqlite3_stmt *stmt;
	int err;

	*ids = NULL;
	*n = 0;
	err = prepare(st, sql, &stmt, "finding the runs of a benchmark");
	if (err)
		return err;
	bind_key(stmt, 1, k);
	return collect_ids(st, stmt, ids, n, "finding the runs of a benchmark");
}

void fl_store_free_keys(struct fl_bench_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(keys[i].workload);
		free(keys[i].variant);
		free(keys[i].backend);
		free(keys[i].params);
		free(keys[i].metric);
	}
	free(keys);
}

static int push_key(struct fl_bench_key **keys, size_t *n, size_t *cap, sqlite3_stmt *stmt)
{
	struct fl_bench_key *k;
	int nomem = 0;

	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;

		k = realloc(*keys, c * sizeof(*k));
		if (!k)
			return -ENOMEM;
		*keys = k;
		*cap = c;
	}
	k = &(*keys)[(*n)++];
	k->workload = column_dup(stmt, 0, &nomem);
	k->variant = column_dup(stmt, 1, &nomem);
	k->backend = column_dup(stmt, 2, &nomem);
	k->params = column_dup(stmt, 3, &nomem);
	k->metric = column_dup(stmt, 4, &nomem);
	return nomem;
}

int fl_store_list_benchmarks(struct fl_store *st, struct fl_bench_key **keys, size_t *n)
{
	static const char sql[] =
		"SELECT DISTINCT b.workload, b.variant, b.backend, b.params, s.metric"
		" FROM benchmarks b JOIN samples s ON s.benchmark_id = b.id"
		" ORDER BY 1, 2, 3, 4, 5";
	sqlite3_stmt *stmt;
	size_t cap = 0;
	int rc, err;

	*keys = NULL;
	*n = 0;
	err = prepare(st, sql, &stmt, "listing the benchmarks");
	if (err)
		return err;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (push_key(keys, n, &cap, stmt)) {
			err = fl_fail(ENOMEM, "%s: out of memory listing the benchmarks",
				      st->path);
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(st, rc, "listing the benchmarks");
	sqlite3_finalize(stmt);
	if (err) {
		fl_store_free_keys(*keys, *n);
		*keys = NULL;
		*n = 0;
	}
	return err;
}

int fl_store_load_meta(struct fl_store *st, long long id, struct fl_run *r)
{
	int err = load_meta(st, id, r);

	if (err)
		fl_run_free(r);
	return err;
}

static int insert_comparison(struct fl_store *st, const struct fl_cmp_record *rec,
			     const struct fl_comparison *c, long long *id)
{
	static const char sql[] =
		"INSERT INTO comparisons (created_at, label, kind, a_spec, b_spec, host, suite,"
		" alpha, min_change, nrows, regressions, improvements)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *stmt;
	int err;

	err = prepare(st, sql, &stmt, "saving a comparison");
	if (err)
		return err;
	bind_text(stmt, 1, rec->created_at);
	bind_text(stmt, 2, rec->label);
	bind_text(stmt, 3, rec->kind);
	bind_text(stmt, 4, rec->a_spec);
	bind_text(stmt, 5, rec->b_spec);
	bind_text(stmt, 6, rec->host);
	bind_text(stmt, 7, rec->suite);
	bind_real(stmt, 8, rec->alpha);
	bind_real(stmt, 9, rec->min_change);
	sqlite3_bind_int64(stmt, 10, (sqlite3_int64)c->nrows);
	sqlite3_bind_int64(stmt, 11, (sqlite3_int64)c->regressions);
	sqlite3_bind_int64(stmt, 12, (sqlite3_int64)c->improvements);
	err = step_done(st, stmt, "saving a comparison");
	sqlite3_finalize(stmt);
	*id = sqlite3_last_insert_rowid(st->db);
	return err;
}

static int insert_comparison_runs(struct fl_store *st, long long id,
				  const struct fl_cmp_record *rec)
{
	sqlite3_stmt *stmt;
	int err;

	/* OR IGNORE: a run named twice on one side is one run. */
	err = prepare(st, "INSERT OR IGNORE INTO comparison_runs (comparison_id, side, run_id)"
		      " VALUES (?, ?, ?)", &stmt, "saving a comparison");
	for (int side = 0; !err && side < 2; side++) {
		const long long *runs = side ? rec->b_runs : rec->a_runs;
		size_t n = side ? rec->nb_runs : rec->na_runs;

		for (size_t i = 0; !err && i < n; i++) {
			sqlite3_bind_int64(stmt, 1, id);
			bind_text(stmt, 2, side ? "B" : "A");
			sqlite3_bind_int64(stmt, 3, runs[i]);
			err = step_done(st, stmt, "saving the runs of a comparison");
		}
	}
	sqlite3_finalize(stmt);
	return err;
}

static int insert_comparison_row(struct fl_store *st, sqlite3_stmt *stmt, long long id,
				 const struct fl_cmp_row *r)
{
	sqlite3_bind_int64(stmt, 1, id);
	bind_key(stmt, 2, &r->key);
	bind_text(stmt, 7, r->unit);
	sqlite3_bind_int(stmt, 8, r->higher_is_better);
	sqlite3_bind_int64(stmt, 9, (sqlite3_int64)r->na);
	sqlite3_bind_int64(stmt, 10, (sqlite3_int64)r->nb);
	bind_real(stmt, 11, r->med_a.est);
	bind_real(stmt, 12, r->med_a.lo);
	bind_real(stmt, 13, r->med_a.hi);
	bind_real(stmt, 14, r->med_b.est);
	bind_real(stmt, 15, r->med_b.lo);
	bind_real(stmt, 16, r->med_b.hi);
	bind_real(stmt, 17, r->change.est);
	bind_real(stmt, 18, r->change.lo);
	bind_real(stmt, 19, r->change.hi);
	bind_real(stmt, 20, r->u.u);
	bind_real(stmt, 21, r->u.p);
	bind_real(stmt, 22, r->q);
	bind_real(stmt, 23, r->floor_pct);
	sqlite3_bind_int(stmt, 24, r->noise.comparisons);
	sqlite3_bind_int64(stmt, 25, r->noise.samples);
	bind_text(stmt, 26, fl_cmp_verdict_name(r->verdict));
	sqlite3_bind_int64(stmt, 27, (sqlite3_int64)r->pairs);
	return step_done(st, stmt, "saving a comparison row");
}

int fl_store_save_comparison(struct fl_store *st, const struct fl_cmp_record *rec,
			     const struct fl_comparison *c, long long *id)
{
	static const char sql[] =
		"INSERT INTO comparison_rows (comparison_id, workload, variant, backend, params,"
		" metric, unit, higher_is_better, n_a, n_b, median_a, median_a_lo, median_a_hi,"
		" median_b, median_b_lo, median_b_hi, change_pct, change_lo, change_hi,"
		" u, p_value, q_value, floor_pct, floor_comparisons, floor_samples, verdict,"
		" pairs)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?)";
	sqlite3_stmt *stmt = NULL;
	int err;

	err = exec(st, "BEGIN IMMEDIATE", "saving a comparison");
	if (err)
		return err;
	err = insert_comparison(st, rec, c, id);
	if (!err)
		err = insert_comparison_runs(st, *id, rec);
	if (!err)
		err = prepare(st, sql, &stmt, "saving a comparison");
	for (size_t i = 0; !err && i < c->nrows; i++)
		err = insert_comparison_row(st, stmt, *id, &c->rows[i]);
	sqlite3_finalize(stmt);
	if (!err)
		err = exec(st, "COMMIT", "committing a comparison");
	if (err)
		rollback(st);
	return err;
}

/* What A/A comparisons on host have seen of one benchmark x metric. */
static int noise_of(struct fl_store *st, sqlite3_stmt *stmt, const char *host,
		    struct fl_cmp_row *r)
{
	double *v = NULL;
	size_t n = 0, cap = 0;
	long samples = 0;
	int rc, err = 0;

	bind_text(stmt, 1, host);
	bind_key(stmt, 2, &r->key);
	/* A floor holds for changes measured as its A/A comparisons' were. */
	sqlite3_bind_int(stmt, 7, r->pairs > 0);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			double *p = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!p) {
				err = fl_fail(ENOMEM, "%s: out of memory reading noise floors",
					      st->path);
				break;
			}
			v = p;
		}
		v[n++] = column_real(stmt, 0);
		samples += sqlite3_column_int64(stmt, 1);
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(st, rc, "reading noise floors");
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (!err)
		fl_noise_floor(v, n, samples, &r->noise);
	free(v);
	return err;
}

int fl_store_fill_noise(struct fl_store *st, const char *host, struct fl_comparison *c)
{
	static const char sql[] =
		"SELECT r.change_pct, r.n_a + r.n_b FROM comparison_rows r"
		" JOIN comparisons c ON c.id = r.comparison_id"
		" WHERE c.kind = 'aa' AND c.host = ? AND r.workload = ? AND r.variant = ?"
		" AND r.backend = ? AND r.params = ? AND r.metric = ? AND (r.pairs > 0) = ?";
	sqlite3_stmt *stmt;
	int err;

	err = exec(st, "BEGIN", "reading noise floors");
	if (!err)
		err = prepare(st, sql, &stmt, "reading noise floors");
	if (err) {
		rollback(st);
		return err;
	}
	for (size_t i = 0; !err && i < c->nrows; i++)
		err = noise_of(st, stmt, host, &c->rows[i]);
	sqlite3_finalize(stmt);
	if (!err)
		err = exec(st, "COMMIT", "reading noise floors");
	if (err)
		rollback(st);
	return err;
}

struct floor_group {
	struct fl_bench_key key;
	char *unit;
	double *v;
	size_t n, cap;
	long samples;
};

static bool same_key_row(const struct floor_group *g, sqlite3_stmt *stmt)
{
	const char *f[5] = { g->key.workload, g->key.variant, g->key.backend, g->key.params,
			     g->key.metric };

	for (int i = 0; i < 5; i++)
		if (!f[i] || strcmp(f[i], (const char *)sqlite3_column_text(stmt, i)))
			return false;
	return true;
}

static void group_reset(struct floor_group *g)
{
	free(g->key.workload);
	free(g->key.variant);
	free(g->key.backend);
	free(g->key.params);
	free(g->key.metric);
	free(g->unit);
	g->key = (struct fl_bench_key){ 0 };
	g->unit = NULL;
	g->n = 0;
	g->samples = 0;
}

static int group_start(struct floor_group *g, sqlite3_stmt *stmt)
{
	int nomem = 0;

	group_reset(g);
	g->key.workload = column_dup(stmt, 0, &nomem);
	g->key.variant = column_dup(stmt, 1, &nomem);
	g->key.backend = column_dup(stmt, 2, &nomem);
	g->key.params = column_dup(stmt, 3, &nomem);
	g->key.metric = column_dup(stmt, 4, &nomem);
	g->unit = column_dup(stmt, 5, &nomem);
	return nomem;
}

static int group_add(struct floor_group *g, double v, long samples)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		double *p = realloc(g->v, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		g->v = p;
		g->cap = cap;
	}
	g->v[g->n++] = v;
	g->samples += samples;
	return 0;
}

static void group_emit(struct floor_group *g, fl_store_floor_fn fn, void *arg)
{
	struct fl_noise nf;

	if (!g->n)
		return;
	fl_noise_floor(g->v, g->n, g->samples, &nf);
	fn(&g->key, g->unit, &nf, arg);
}

int fl_store_noise_floors(struct fl_store *st, const char *host, bool paired,
			  fl_store_floor_fn fn, void *arg)
{
	static const char sql[] =
		"SELECT r.workload, r.variant, r.backend, r.params, r.metric, r.unit,"
		" r.change_pct, r.n_a + r.n_b FROM comparison_rows r"
		" JOIN comparisons c ON c.id = r.comparison_id"
		" WHERE c.kind = 'aa' AND c.host = ? AND (r.pairs > 0) = ?"
		" ORDER BY r.workload, r.variant, r.backend, r.params, r.metric";
	struct floor_group g = { 0 };
	sqlite3_stmt *stmt;
	int rc, err;

	err = prepare(st, sql, &stmt, "reading noise floors");
	if (err)
		return err;
	bind_text(stmt, 1, host);
	sqlite3_bind_int(stmt, 2, paired);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!same_key_row(&g, stmt)) {
			group_emit(&g, fn, arg);
			err = group_start(&g, stmt);
		}
		if (!err)
			err = group_add(&g, column_real(stmt, 6), sqlite3_column_int64(stmt, 7));
		if (err) {
			err = fl_fail(ENOMEM, "%s: out of memory reading noise floors", st->path);
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(st, rc, "reading noise floors");
	if (!err)
		group_emit(&g, fn, arg);
	sqlite3_finalize(stmt);
	group_reset(&g);
	free(g.v);
	return err;
}
