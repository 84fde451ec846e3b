// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_store.c - bench/results.c and bench/store/store.c: the run in memory,
 * the schema and its upgrade, round trips, and what happens to results.db
 * when a writer dies, competes, waits, or finds a file that is not its own.
 */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bench/analysis/compare.h"
#include "bench/claims/claims.h"
#include "bench/err.h"
#include "bench/results.h"
#include "bench/store/store.h"

struct tmp {
	char dir[64];
	char path[128];		/* dir/results.db */
};

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	strcpy(t->dir, "/tmp/fl_store.XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/results.db", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;

	nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* --- helpers: a second, raw view of the file through SQLite itself --- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 NULL), SQLITE_OK);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static long long raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* The first column of the first row as text, in buf. */
static const char *raw_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *stmt;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(buf, len, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return buf;
}

static long long count_in(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	long long n = raw_int(db, sql);

	sqlite3_close(db);
	return n;
}

/* Every column of every table, and every index, one line each. */
static char *describe_schema(sqlite3 *db)
{
	static const char sql[] =
		"SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk"
		" FROM sqlite_master m, pragma_table_info(m.name) p"
		" WHERE m.type = 'table' ORDER BY m.name, p.cid";
	static const char sql_idx[] =
		"SELECT m.name, i.name, i.\"unique\", group_concat(c.name)"
		" FROM sqlite_master m, pragma_index_list(m.name) i,"
		" pragma_index_info(i.name) c WHERE m.type = 'table'"
		" GROUP BY m.name, i.name ORDER BY m.name, i.name";
	const char *const q[] = { sql, sql_idx };
	size_t len = 0, cap = 8192;
	char *out = calloc(1, cap);
	sqlite3_stmt *stmt;

	for (int k = 0; k < 2; k++) {
		assert_int_equal(sqlite3_prepare_v2(db, q[k], -1, &stmt, NULL), SQLITE_OK);
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(stmt); i++) {
				const char *v = (const char *)sqlite3_column_text(stmt, i);

				len += snprintf(out + len, cap - len, "%s|", v ? v : "NULL");
				assert_true(len < cap);
			}
			len += snprintf(out + len, cap - len, "\n");
		}
		sqlite3_finalize(stmt);
	}
	return out;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/* Opening path must fail with err, say msg, and leave the file's bytes alone. */
static void assert_refused(const char *path, int err, const char *msg)
{
	struct fl_store *st = (void *)1;
	size_t before_len, after_len;
	char *before = slurp(path, &before_len), *after;

	fl_clear_error();
	assert_int_equal(fl_store_open(path, &st), err);
	assert_null(st);
	if (!strstr(fl_errmsg(), msg))
		fail_msg("message \"%s\" lacks \"%s\"", fl_errmsg(), msg);
	assert_null(strchr(fl_errmsg(), '\n'));
	after = slurp(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

static struct fl_store *open_ok(const char *path)
{
	struct fl_store *st = NULL;

	if (fl_store_open(path, &st))
		fail_msg("fl_store_open: %s", fl_errmsg());
	assert_non_null(st);
	return st;
}

static void save_ok(struct fl_store *st, struct fl_run *r)
{
	if (fl_store_save_run(st, r))
		fail_msg("fl_store_save_run: %s", fl_errmsg());
}

static void add(struct fl_run *r, const char *workload, const char *variant,
		const char *params, int rep, const char *metric, double value)
{
	struct fl_sample s = {
		.workload = (char *)workload,
		.variant = (char *)variant,
		.backend = "shim",
		.params = (char *)params,
		.repetition = rep,
		.metric = (char *)metric,
		.unit = "ns",
		.value = value,
		.source = "tsc",
	};

	assert_int_equal(fl_run_add(r, &s), 0);
}

/* A small run whose every field says which run it is. */
static void make_run(struct fl_run *r, const char *label, int nsamples)
{
	fl_run_init(r);
	r->meta.label = strdup(label);
	r->meta.suite = strdup("quick");
	r->meta.backend = strdup("shim");
	for (int i = 0; i < nsamples; i++)
		add(r, "fork-storm", i % 2 ? "new" : "old", "M=64", i / 2, "jobs_per_min",
		    1000.0 + i);
}

/* --- bench/results.c --- */

static void test_run_add_copies(void **state)
{
	char workload[] = "fork-storm", params[] = "M=64";
	struct fl_sample s = {
		.workload = workload, .variant = "old", .backend = "shim",
		.params = params, .repetition = 3, .metric = "cycles", .unit = NULL,
		.value = 2.5, .source = "tsc",
	};
	struct fl_run r;

	fl_run_init(&r);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(fl_run_add(&r, &s), 0);
	strcpy(workload, "XXXXXXXXXX");
	strcpy(params, "P=1");
	assert_int_equal(r.nsamples, 1000);
	assert_true(r.cap >= 1000);
	assert_string_equal(r.samples[999].workload, "fork-storm");
	assert_string_equal(r.samples[0].params, "M=64");
	assert_string_equal(r.samples[0].unit, "");	/* NULL is kept as "" */
	assert_int_equal(r.samples[0].repetition, 3);
	fl_run_free(&r);
	assert_int_equal(r.nsamples, 0);
	assert_null(r.samples);
}

static void test_run_values(void **state)
{
	struct fl_run r;
	double v[8];

	fl_run_init(&r);
	/* Repetitions arrive out of order for new/M=64. */
	add(&r, "w", "new", "M=64", 2, "t", 12);
	add(&r, "w", "old", "M=64", 0, "t", 1);
	add(&r, "w", "new", "M=64", 0, "t", 10);
	add(&r, "w", "new", "M=64", 1, "t", 11);
	add(&r, "w", "new", "M=64", 0, "other", 99);
	add(&r, "w", "new", "M=256", 0, "t", 20);
	add(&r, "x", "new", "M=64", 0, "t", 30);

	assert_int_equal(fl_run_values(&r, "w", "new", "M=64", "t", v, 8), 3);
	assert_true(v[0] == 10 && v[1] == 11 && v[2] == 12);
	/* At most max, still the first repetitions. */
	assert_int_equal(fl_run_values(&r, "w", "new", "M=64", "t", v, 2), 2);
	assert_true(v[0] == 10 && v[1] == 11);
	/* NULL variant and params match any: old rep 0, new rep 0, new M=256 rep 0, ... */
	assert_int_equal(fl_run_values(&r, "w", NULL, NULL, "t", v, 8), 5);
	assert_true(v[0] == 1 && v[1] == 10 && v[2] == 20 && v[3] == 11 && v[4] == 12);
	assert_int_equal(fl_run_values(&r, "w", "old", NULL, "t", v, 8), 1);
	assert_true(v[0] == 1);
	assert_int_equal(fl_run_values(&r, "nope", NULL, NULL, "t", v, 8), 0);
	fl_run_free(&r);
}

static void test_params_get(void **state)
{
	long v = -1;

	assert_int_equal(fl_params_get("M=64,P=2", "M", &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(fl_params_get("M=64,P=2", "P", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(fl_params_get("MM=5,M=7", "M", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(fl_params_get("M=64,P=2", "Q", &v), -ENOENT);
	assert_int_equal(fl_params_get("", "M", &v), -ENOENT);
	assert_int_equal(fl_params_get("M=64", "", &v), -ENOENT);
	assert_int_equal(fl_params_get("M=6x,P=2", "M", &v), -EINVAL);
	assert_non_null(strstr(fl_errmsg(), "M is not a number"));
	assert_int_equal(fl_params_get("M=,P=2", "M", &v), -EINVAL);
}

static void test_param_sets(void **state)
{
	const char **set;
	struct fl_run r;

	fl_run_init(&r);
	add(&r, "w", "old", "M=1024,P=2", 0, "t", 1);
	add(&r, "w", "new", "M=1024,P=2", 0, "t", 1);
	add(&r, "w", "old", "M=64,P=2", 0, "t", 1);
	add(&r, "w", "old", "P=2", 0, "t", 1);			/* no M: last */
	add(&r, "w", "old", "M=256,P=2", 0, "t", 1);
	add(&r, "w", "old", "M=256,P=2", 1, "t", 1);
	add(&r, "w", "old", "M=8,P=2", 0, "other", 1);		/* another metric */
	add(&r, "x", "old", "M=4,P=2", 0, "t", 1);		/* another workload */

	assert_int_equal(fl_run_param_sets(&r, "w", "t", "M", &set), 4);
	assert_string_equal(set[0], "M=64,P=2");
	assert_string_equal(set[1], "M=256,P=2");
	assert_string_equal(set[2], "M=1024,P=2");
	assert_string_equal(set[3], "P=2");
	free(set);

	assert_int_equal(fl_run_param_sets(&r, "w", "t", NULL, &set), 4);
	assert_string_equal(set[0], "M=1024,P=2");
	assert_string_equal(set[1], "M=64,P=2");
	assert_string_equal(set[2], "P=2");
	assert_string_equal(set[3], "M=256,P=2");
	free(set);

	set = (void *)1;
	assert_int_equal(fl_run_param_sets(&r, "w", "nope", "M", &set), 0);
	assert_null(set);
	fl_run_free(&r);

	/* No params at all is the one params string "". */
	fl_run_init(&r);
	add(&r, "w", "old", NULL, 0, "t", 1);
	add(&r, "w", "new", "", 0, "t", 1);
	assert_int_equal(fl_run_param_sets(&r, "w", "t", "M", &set), 1);
	assert_string_equal(set[0], "");
	free(set);
	fl_run_free(&r);
}

/* --- bench/store/store.c: schema --- */

static void test_schema_created(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st;
	char buf[64];
	sqlite3 *db;
	long long id;

	st = open_ok(t->path);
	assert_int_equal(fl_store_latest_run(st, &id), -ENOENT);
	fl_store_close(st);

	db = raw_open(t->path);
	assert_int_equal(raw_int(db, "SELECT version FROM schema_version"),
			 FL_STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM schema_version"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
				 " AND name IN ('runs', 'benchmarks', 'samples', 'claims',"
				 " 'verdicts', 'schema_version')"), 6);
	assert_string_equal(raw_text(db, "PRAGMA journal_mode", buf, sizeof(buf)), "wal");
	sqlite3_close(db);

	/* A second open finds it as it is. */
	st = open_ok(t->path);
	fl_store_close(st);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM schema_version"), 1);
}

/* The layout of v0, as a file written by an older faultline would have it. */
static void make_v0(const char *path, bool with_claims_table)
{
	sqlite3 *db = raw_open(path);

	raw_exec(db,
		 "CREATE TABLE schema_version (version INTEGER NOT NULL);"
		 "INSERT INTO schema_version VALUES (0);"
		 "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT,"
		 " label TEXT, suite TEXT, backend TEXT,"
		 " git_commit TEXT, git_branch TEXT, git_dirty INTEGER NOT NULL DEFAULT 0,"
		 " host TEXT, kernel_release TEXT, kernel_config_fp TEXT, cmdline TEXT,"
		 " cpu_model TEXT, topology TEXT, counter_source TEXT, virt TEXT,"
		 " started_at TEXT, finished_at TEXT);"
		 "CREATE TABLE benchmarks (id INTEGER PRIMARY KEY,"
		 " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
		 " workload TEXT NOT NULL, variant TEXT NOT NULL,"
		 " backend TEXT NOT NULL, params TEXT NOT NULL,"
		 " UNIQUE (run_id, workload, variant, backend, params));"
		 "CREATE TABLE samples (id INTEGER PRIMARY KEY,"
		 " benchmark_id INTEGER NOT NULL REFERENCES benchmarks(id) ON DELETE CASCADE,"
		 " repetition INTEGER NOT NULL, metric TEXT NOT NULL, unit TEXT NOT NULL,"
		 " value REAL);"
		 "CREATE UNIQUE INDEX samples_by_benchmark"
		 " ON samples (benchmark_id, metric, repetition);"
		 "INSERT INTO runs (label, suite, backend, git_commit, host)"
		 " VALUES ('old-run', 'quick', 'shim', 'abc123', 'box');"
		 "INSERT INTO benchmarks (run_id, workload, variant, backend, params)"
		 " VALUES (1, 'fork-storm', 'old', 'shim', 'M=64');"
		 "INSERT INTO samples (benchmark_id, repetition, metric, unit, value)"
		 " VALUES (1, 0, 'jobs_per_min', 'jobs/min', 123.5),"
		 " (1, 1, 'jobs_per_min', 'jobs/min', NULL);");
	if (with_claims_table)
		raw_exec(db, "CREATE TABLE claims (id TEXT)");
	sqlite3_close(db);
}

static void test_upgrade_from_v0(void **state)
{
	struct tmp *t = *state;
	char fresh[160], *a, *b;
	struct fl_store *st;
	struct fl_run r;
	sqlite3 *db;

	make_v0(t->path, false);
	st = open_ok(t->path);

	fl_run_init(&r);
	assert_int_equal(fl_store_load_run(st, 1, &r), 0);
	assert_string_equal(r.meta.label, "old-run");
	assert_string_equal(r.meta.git_commit, "abc123");
	assert_null(r.meta.virt);
	assert_null(r.meta.schedule);
	assert_null(r.gbench_json);
	assert_int_equal(r.nsamples, 2);
	assert_string_equal(r.samples[0].params, "M=64");
	assert_true(r.samples[0].value == 123.5);
	assert_true(isnan(r.samples[1].value));
	assert_string_equal(r.samples[1].source, "");
	fl_run_free(&r);

	/* And it takes new runs. */
	make_run(&r, "new-run", 4);
	save_ok(st, &r);
	assert_int_equal(r.meta.id, 2);
	fl_run_free(&r);
	fl_store_close(st);

	/* Same tables, columns and indexes as a file created new. */
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", t->dir);
	st = open_ok(fresh);
	fl_store_close(st);
	db = raw_open(t->path);
	assert_int_equal(raw_int(db, "SELECT version FROM schema_version"),
			 FL_STORE_SCHEMA_VERSION);
	a = describe_schema(db);
	sqlite3_close(db);
	db = raw_open(fresh);
	b = describe_schema(db);
	sqlite3_close(db);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "samples|6|source|TEXT|1|''|0|"));
	assert_non_null(strstr(a, "comparison_rows|26|pairs|INTEGER|1|0|0|"));
	free(a);
	free(b);
}

static void test_failed_upgrade_changes_nothing(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = NULL;

	/* A v0 file the v1 migration cannot apply to: a claims table is in the way. */
	make_v0(t->path, true);
	fl_clear_error();
	assert_int_equal(fl_store_open(t->path, &st), -EIO);
	assert_null(st);
	assert_non_null(strstr(fl_errmsg(), "upgrading the schema from v0 to v1"));
	assert_int_equal(count_in(t->path, "SELECT version FROM schema_version"), 0);
	/* The first step of the migration was rolled back with the rest. */
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM pragma_table_info('runs')"
				  " WHERE name = 'gbench_json'"), 0);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM samples"), 2);
}

static void test_newer_version_refused(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = open_ok(t->path);
	sqlite3 *db;

	fl_store_close(st);
	db = raw_open(t->path);
	raw_exec(db, "UPDATE schema_version SET version = 99");
	sqlite3_close(db);
	assert_refused(t->path, -ENOTSUP, "schema version 99 is newer than this faultline's");
	assert_int_equal(count_in(t->path, "SELECT version FROM schema_version"), 99);
}

static void test_foreign_files_refused(void **state)
{
	struct tmp *t = *state;
	char buf[16];
	sqlite3 *db;

	/* An SQLite file of somebody else's: untouched, and still in its own journal mode. */
	db = raw_open(t->path);
	raw_exec(db, "CREATE TABLE photos (id INTEGER); INSERT INTO photos VALUES (1);");
	sqlite3_close(db);
	assert_refused(t->path, -EINVAL, "results.db: not a faultline database");
	db = raw_open(t->path);
	assert_string_equal(raw_text(db, "PRAGMA journal_mode", buf, sizeof(buf)), "delete");
	sqlite3_close(db);

	/* Not SQLite at all. */
	write_file(t->path, "hello, this is a text file, not a database\n"
		   "with a few lines of text in it, long enough to have a header\n"
		   "of one hundred bytes that SQLite would read before giving up\n", 180);
	assert_refused(t->path, -EINVAL, "results.db: not a faultline database");
}

static void test_corrupt_file_refused(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = open_ok(t->path);
	struct fl_run r;
	size_t len;
	char *buf;

	make_run(&r, "r", 10);
	save_ok(st, &r);
	fl_run_free(&r);
	fl_store_close(st);

	/* Keep SQLite's 100-byte header, scribble over the schema page after it. */
	buf = slurp(t->path, &len);
	assert_true(len >= 4096);
	for (size_t i = 100; i < 4096; i++)
		buf[i] = (char)(i * 7 + 3);
	write_file(t->path, buf, len);
	free(buf);
	assert_refused(t->path, -EIO, "corrupt database");
}

static void test_bad_paths(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = (void *)1;
	char path[160];

	fl_clear_error();
	assert_int_equal(fl_store_open(t->dir, &st), -EISDIR);
	assert_null(st);
	assert_non_null(strstr(fl_errmsg(), "is a directory"));

	snprintf(path, sizeof(path), "%s/no/such/dir/results.db", t->dir);
	fl_clear_error();
	assert_int_equal(fl_store_open(path, &st), -ENOENT);
	assert_null(st);
	assert_non_null(strstr(fl_errmsg(), path));
	assert_null(strchr(fl_errmsg(), '\n'));
}

/* Root may write anywhere: the check runs as nobody, in a child. */
static int unwritable_child(const struct tmp *t, const char *newpath)
{
	struct fl_store *st;

	if (getuid() == 0 && setuid(65534))
		return 10;
	if (fl_store_open(t->path, &st) != -EACCES || !strstr(fl_errmsg(), "read-only"))
		return 11;
	if (fl_store_open(newpath, &st) != -EACCES || !strstr(fl_errmsg(), "Permission denied"))
		return 12;
	return 0;
}

static void test_unwritable(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = open_ok(t->path);
	char newpath[160];
	size_t len_a, len_b;
	char *a, *b;
	int status;
	pid_t pid;

	fl_store_close(st);
	snprintf(newpath, sizeof(newpath), "%s/new.db", t->dir);
	assert_int_equal(chmod(t->dir, 0755), 0);
	assert_int_equal(chmod(t->path, 0644), 0);
	a = slurp(t->path, &len_a);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unwritable_child(t, newpath));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	b = slurp(t->path, &len_b);
	assert_int_equal(len_a, len_b);
	assert_memory_equal(a, b, len_a);
	assert_int_equal(access(newpath, F_OK), -1);
	free(a);
	free(b);
}

/* --- bench/store/store.c: runs --- */

static void assert_same_text(const char *want, const char *got)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(want, got);
}

static void test_round_trip(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = open_ok(t->path);
	struct fl_run r, l;

	fl_run_init(&r);
	r.meta = (struct fl_run_meta){
		.label = strdup("label"), .suite = strdup("quick"), .backend = strdup("kmod"),
		.git_commit = strdup("0123abcd"), .git_branch = strdup("main"), .git_dirty = 1,
		.host = strdup("box"), .kernel_release = strdup("6.18.0"),
		.kernel_config_fp = strdup("sha256:ff"), .cmdline = strdup("ro quiet"),
		.cpu_model = strdup("Xeon"), .topology = strdup("2 cores"),
		.counter_source = strdup("tsc+task-clock"), .virt = strdup("tcg"),
		.schedule = strdup(FL_SCHEDULE_PAIRS),
		.started_at = strdup("2024-01-01T00:00:00Z"), .finished_at = NULL,
	};
	r.gbench_json = strdup("{\"benchmarks\": []}");
	/* Benchmarks interleaved, so one is looked up again after another. */
	add(&r, "fork-storm", "old", "M=64", 0, "jobs_per_min", 1.5);
	add(&r, "fork-storm", "new", "M=64", 0, "jobs_per_min", 2.5);
	add(&r, "fork-storm", "old", "M=64", 1, "jobs_per_min", NAN);
	add(&r, "fork-storm", "old", "M=64", 1, "cycles", INFINITY);
	add(&r, "nmi-copy", "new", "", 0, "cycles_p999", -3e-300);
	r.samples[4].source = (free(r.samples[4].source), strdup("task-clock"));

	save_ok(st, &r);
	assert_true(r.meta.id > 0);

	fl_run_init(&l);
	assert_int_equal(fl_store_load_run(st, r.meta.id, &l), 0);
	assert_int_equal(l.meta.id, r.meta.id);
	assert_int_equal(l.meta.git_dirty, 1);
	assert_same_text(r.meta.label, l.meta.label);
	assert_same_text(r.meta.suite, l.meta.suite);
	assert_same_text(r.meta.backend, l.meta.backend);
	assert_same_text(r.meta.git_commit, l.meta.git_commit);
	assert_same_text(r.meta.git_branch, l.meta.git_branch);
	assert_same_text(r.meta.host, l.meta.host);
	assert_same_text(r.meta.kernel_release, l.meta.kernel_release);
	assert_same_text(r.meta.kernel_config_fp, l.meta.kernel_config_fp);
	assert_same_text(r.meta.cmdline, l.meta.cmdline);
	assert_same_text(r.meta.cpu_model, l.meta.cpu_model);
	assert_same_text(r.meta.topology, l.meta.topology);
	assert_same_text(r.meta.counter_source, l.meta.counter_source);
	assert_same_text(r.meta.virt, l.meta.virt);
	assert_same_text(r.meta.schedule, l.meta.schedule);
	assert_same_text(r.meta.started_at, l.meta.started_at);
	assert_same_text(r.meta.finished_at, l.meta.finished_at);
	assert_null(l.meta.finished_at);
	assert_string_equal(l.gbench_json, r.gbench_json);
	assert_int_equal(l.nsamples, r.nsamples);
	for (size_t i = 0; i < r.nsamples; i++) {
		struct fl_sample *a = &r.samples[i], *b = &l.samples[i];

		assert_string_equal(a->workload, b->workload);
		assert_string_equal(a->variant, b->variant);
		assert_string_equal(a->backend, b->backend);
		assert_string_equal(a->params, b->params);
		assert_int_equal(a->repetition, b->repetition);
		assert_string_equal(a->metric, b->metric);
		assert_string_equal(a->unit, b->unit);
		assert_string_equal(a->source, b->source);
		if (isnan(a->value))
			assert_true(isnan(b->value));
		else
			assert_memory_equal(&a->value, &b->value, sizeof(double));
	}
	fl_store_close(st);

	/* NaN is stored as SQL NULL; three benchmarks, not five. */
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM samples WHERE value IS NULL"), 1);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM benchmarks"), 3);
	fl_run_free(&r);
	fl_run_free(&l);
}

static void test_latest_and_unknown_run(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = open_ok(t->path);
	struct fl_run a, b, l;
	long long id;

	make_run(&a, "a", 6);
	make_run(&b, "b", 2);
	save_ok(st, &a);
	save_ok(st, &b);
	assert_true(b.meta.id > a.meta.id);
	assert_int_equal(fl_store_latest_run(st, &id), 0);
	assert_int_equal(id, b.meta.id);

	fl_run_init(&l);
	assert_int_equal(fl_store_load_run(st, a.meta.id, &l), 0);
	assert_string_equal(l.meta.label, "a");
	assert_int_equal(l.nsamples, 6);
	fl_run_free(&l);

	assert_int_equal(fl_store_load_run(st, b.meta.id + 100, &l), -ENOENT);
	assert_non_null(strstr(fl_errmsg(), "no run"));
	assert_int_equal(l.nsamples, 0);
	assert_null(l.meta.label);
	fl_store_close(st);
	fl_run_free(&a);
	fl_run_free(&b);
}

/* A run that fails on its last sample leaves no run, benchmark or sample behind. */
static void test_failed_save_leaves_nothing(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = open_ok(t->path);
	struct fl_run ok, bad;
	long long id;

	make_run(&ok, "ok", 4);
	save_ok(st, &ok);

	make_run(&bad, "bad", 1000);
	add(&bad, "fork-storm", "new", "M=64", 0, "jobs_per_min", 1);	/* a duplicate */
	fl_clear_error();
	assert_int_equal(fl_store_save_run(st, &bad), -EINVAL);
	assert_int_equal(bad.meta.id, 0);
	assert_non_null(strstr(fl_errmsg(), "repetition 0 jobs_per_min"));
	assert_int_equal(fl_store_latest_run(st, &id), 0);
	assert_int_equal(id, ok.meta.id);
	fl_store_close(st);

	assert_int_equal(count_in(t->path, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM benchmarks"), 2);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM samples"), 4);
	fl_run_free(&ok);
	fl_run_free(&bad);
}

static void test_claims_and_verdicts(void **state)
{
	static const struct fl_claim c1 = {
		.id = "vmalloc-sync", .seed = "002_b064568e80b1b3b2.txt",
		.statement = "flat", .metric = "ratio", .published = 0.8, .tolerance = 0.1,
		.source = "lkml",
	}, c2 = {
		.id = "spf", .seed = "001_34ab5040f1c8bea8.txt", .statement = "faster",
		.metric = "ratio", .published = 2.007, .tolerance = NAN, .source = "lkml",
	}, c2b = {
		.id = "spf", .seed = "001_34ab5040f1c8bea8.txt", .statement = "faster still",
		.metric = "ratio", .published = 2.0, .tolerance = 0.2, .source = "lkml",
	};
	const struct fl_claim *const both[] = { &c1, &c2, NULL };
	const struct fl_claim *const only_spf[] = { &c2b, NULL };
	const struct fl_claim *const none[] = { NULL };
	struct tmp *t = *state;
	struct fl_store *st = open_ok(t->path);
	struct fl_verdict v[2] = {
		{ .claim_id = "vmalloc-sync", .published = 0.8, .measured = 0.79, .lo = 0.7,
		  .hi = 0.9, .verdict = FL_REPRODUCED, .reason = "" },
		{ .claim_id = "spf", .published = 2.007, .measured = NAN, .lo = NAN, .hi = NAN,
		  .verdict = FL_NOT_APPLICABLE, .reason = "no module support" },
	};
	struct fl_verdict unknown = { .claim_id = "nope", .verdict = FL_INCONCLUSIVE };
	struct fl_run r;
	char buf[64];
	sqlite3 *db;

	make_run(&r, "r", 2);
	save_ok(st, &r);
	assert_int_equal(fl_store_save_claims(st, both), 0);
	assert_int_equal(fl_store_save_verdicts(st, r.meta.id, v, 2), 0);

	db = raw_open(t->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM claims"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM claims WHERE id = 'spf'"
				 " AND tolerance IS NULL"), 1);
	assert_string_equal(raw_text(db, "SELECT verdict FROM verdicts WHERE claim_id = 'spf'",
				     buf, sizeof(buf)), "not applicable here");
	assert_string_equal(raw_text(db, "SELECT reason FROM verdicts WHERE claim_id = 'spf'",
				     buf, sizeof(buf)), "no module support");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM verdicts WHERE claim_id = 'spf'"
				 " AND measured IS NULL AND lo IS NULL AND hi IS NULL"), 1);
	assert_string_equal(raw_text(db, "SELECT verdict FROM verdicts"
				     " WHERE claim_id = 'vmalloc-sync'", buf, sizeof(buf)),
			    "reproduced");
	sqlite3_close(db);

	/* Saving again replaces the run's verdicts. */
	assert_int_equal(fl_store_save_verdicts(st, r.meta.id, &v[1], 1), 0);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM verdicts"), 1);

	/* All or nothing: an unknown claim fails and the verdict saved before stays. */
	struct fl_verdict mixed[2] = { v[0], unknown };
	fl_clear_error();
	assert_int_equal(fl_store_save_verdicts(st, r.meta.id, mixed, 2), -EINVAL);
	assert_non_null(strstr(fl_errmsg(), "claim nope"));
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM verdicts"
				  " WHERE claim_id = 'spf'"), 1);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM verdicts"), 1);

	assert_int_equal(fl_store_save_verdicts(st, r.meta.id + 1, v, 2), -ENOENT);

	/* A claim no longer registered goes, unless verdicts still refer to it. */
	assert_int_equal(fl_store_save_claims(st, only_spf), 0);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM claims"), 1);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM claims WHERE id = 'spf'"
				  " AND statement = 'faster still' AND tolerance = 0.2"), 1);
	assert_int_equal(fl_store_save_claims(st, none), 0);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM claims"), 1);
	fl_store_close(st);
	fl_run_free(&r);
}

/*
 * A stored A/A comparison with one row of change_pct, judged by pairs of runs
 * (pairs > 0) or pooled.
 */
static void save_aa(struct fl_store *st, long long run_a, long long run_b, double change_pct,
		    size_t pairs)
{
	struct fl_cmp_row row = {
		.key = { "reaim_vunmap", "new", "shim", "M=0", "jobs_per_min" },
		.unit = "jobs/min", .higher_is_better = true, .na = 24, .nb = 24,
		.change = { change_pct, change_pct - 1, change_pct + 1 }, .pairs = pairs,
		.q = NAN, .floor_pct = NAN, .verdict = FL_CMP_NO_CHANGE,
	};
	struct fl_comparison c = { .rows = &row, .nrows = 1 };
	struct fl_cmp_record rec = {
		.created_at = "2026-11-21T00:00:00Z", .kind = "aa", .host = "box",
		.suite = "quick", .a_runs = &run_a, .b_runs = &run_b, .na_runs = 1, .nb_runs = 1,
		.alpha = 0.05, .min_change = 1,
	};
	long long id;

	assert_int_equal(fl_store_save_comparison(st, &rec, &c, &id), 0);
}

static void count_floor(const struct fl_bench_key *k, const char *unit,
			const struct fl_noise *nf, void *arg)
{
	double *floor = arg;

	(void)k;
	(void)unit;
	*floor = nf->floor_pct;
}

/* A floor learned from paired A/A comparisons judges paired rows only. */
static void test_noise_floors_by_pairing(void **state)
{
	struct tmp *t = *state;
	struct fl_cmp_row row = {
		.key = { "reaim_vunmap", "new", "shim", "M=0", "jobs_per_min" },
	};
	struct fl_comparison c = { .rows = &row, .nrows = 1 };
	struct fl_store *st = open_ok(t->path);
	double floor = NAN;
	struct fl_run r;

	make_run(&r, "a", 2);
	save_ok(st, &r);
	fl_run_free(&r);
	make_run(&r, "b", 2);
	save_ok(st, &r);
	fl_run_free(&r);
	save_aa(st, 1, 2, -1.0, 24);
	save_aa(st, 1, 2, 10.0, 0);

	row.pairs = 24;
	assert_int_equal(fl_store_fill_noise(st, "box", &c), 0);
	assert_true(row.noise.floor_pct == 1.0);
	assert_int_equal(row.noise.comparisons, 1);
	row.pairs = 0;
	assert_int_equal(fl_store_fill_noise(st, "box", &c), 0);
	assert_true(row.noise.floor_pct == 10.0);

	assert_int_equal(fl_store_noise_floors(st, "box", true, count_floor, &floor), 0);
	assert_true(floor == 1.0);
	assert_int_equal(fl_store_noise_floors(st, "box", false, count_floor, &floor), 0);
	assert_true(floor == 10.0);
	fl_store_close(st);
	assert_int_equal(count_in(t->path, "SELECT sum(pairs) FROM comparison_rows"), 24);
}

/* --- bench/store/store.c: other processes --- */

static void test_locked_database(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = open_ok(t->path);
	struct fl_run r;
	char want[256];
	sqlite3 *other;
	long long id;

	fl_store_set_busy_timeout(st, 50);
	other = raw_open(t->path);
	raw_exec(other, "BEGIN EXCLUSIVE");

	make_run(&r, "r", 10);
	fl_clear_error();
	assert_int_equal(fl_store_save_run(st, &r), -EBUSY);
	snprintf(want, sizeof(want), "%s is locked by another process (waited 50 ms)", t->path);
	assert_string_equal(fl_errmsg(), want);
	assert_int_equal(r.meta.id, 0);

	/* Once the other side lets go, the same store saves the run. */
	raw_exec(other, "ROLLBACK");
	sqlite3_close(other);
	save_ok(st, &r);
	assert_int_equal(fl_store_latest_run(st, &id), 0);
	assert_int_equal(id, r.meta.id);
	fl_store_close(st);
	fl_run_free(&r);
	assert_int_equal(count_in(t->path, "SELECT count(*) FROM runs"), 1);
}

static off_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? -1 : sb.st_size;
}

#define KILL_SAMPLES	500000
#define KILL_WAL_BYTES	(1 << 20)

/*
 * A writer SIGKILLed in the middle of its transaction.  SQLite spills a large
 * transaction's pages into the WAL long before it commits, so a WAL that has
 * grown by megabytes while the run is still being saved says the child is
 * inside the transaction: that is when the parent kills it.
 */
static void test_killed_writer_leaves_no_run(void **state)
{
	struct tmp *t = *state;
	struct fl_store *st = open_ok(t->path);
	struct timespec nap = { 0, 200000 };
	char wal[160], buf[64];
	struct fl_run r;
	long long id, first;
	int status, polls;
	sqlite3 *db;
	pid_t pid;

	make_run(&r, "before", 8);
	save_ok(st, &r);
	first = r.meta.id;
	fl_run_free(&r);
	fl_store_close(st);
	snprintf(wal, sizeof(wal), "%s-wal", t->path);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fl_store *cs;
		struct fl_run big;

		fl_run_init(&big);
		big.meta.label = strdup("killed");
		for (int i = 0; i < KILL_SAMPLES; i++) {
			struct fl_sample s = {
				.workload = "w", .variant = "old", .backend = "shim",
				.params = "M=64", .repetition = i, .metric = "t", .unit = "ns",
				.value = i, .source = "tsc",
			};

			if (fl_run_add(&big, &s))
				_exit(2);
		}
		if (fl_store_open(t->path, &cs))
			_exit(3);
		fl_store_save_run(cs, &big);
		_exit(4);	/* too late: the parent should have killed us */
	}

	for (polls = 0; polls < 300000; polls++) {
		if (file_size(wal) >= KILL_WAL_BYTES)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("the writer ended on its own (status %#x)", status);
		nanosleep(&nap, NULL);
	}
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(polls < 300000);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	db = raw_open(t->path);
	assert_string_equal(raw_text(db, "PRAGMA integrity_check", buf, sizeof(buf)), "ok");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM benchmarks"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM samples"), 8);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(db);

	st = open_ok(t->path);
	assert_int_equal(fl_store_latest_run(st, &id), 0);
	assert_int_equal(id, first);
	make_run(&r, "after", 4);
	save_ok(st, &r);
	fl_run_free(&r);
	fl_store_close(st);
}

#define WRITERS		4
#define WRITER_RUNS	5
#define WRITER_SAMPLES	300

static int writer(const char *path, int w)
{
	struct fl_store *st;

	if (fl_store_open(path, &st)) {
		fprintf(stderr, "writer %d: %s\n", w, fl_errmsg());
		return 1;
	}
	for (int k = 0; k < WRITER_RUNS; k++) {
		struct fl_run r;
		char label[32];

		snprintf(label, sizeof(label), "w%d.%d", w, k);
		fl_run_init(&r);
		r.meta.label = strdup(label);
		for (int i = 0; i < WRITER_SAMPLES; i++) {
			struct fl_sample s = {
				.workload = "w", .variant = i % 2 ? "new" : "old",
				.backend = "shim", .params = "P=2", .repetition = i / 2,
				.metric = "t", .unit = "ns", .value = w * 1000000 + k * 1000 + i,
				.source = "tsc",
			};

			if (fl_run_add(&r, &s))
				return 1;
		}
		if (fl_store_save_run(st, &r)) {
			fprintf(stderr, "writer %d: %s\n", w, fl_errmsg());
			return 1;
		}
		fl_run_free(&r);
	}
	fl_store_close(st);
	return 0;
}

/* Several processes create the file and save runs at once: all of them succeed. */
static void test_concurrent_writers(void **state)
{
	struct tmp *t = *state;
	int status[WRITERS];
	pid_t pid[WRITERS];
	struct fl_store *st;
	char buf[64];
	sqlite3 *db;

	for (int w = 0; w < WRITERS; w++) {
		pid[w] = fork();
		assert_true(pid[w] >= 0);
		if (pid[w] == 0)
			_exit(writer(t->path, w));
	}
	/* Reap them all before judging, so none outlives the test's directory. */
	for (int w = 0; w < WRITERS; w++)
		assert_int_equal(waitpid(pid[w], &status[w], 0), pid[w]);
	for (int w = 0; w < WRITERS; w++) {
		assert_true(WIFEXITED(status[w]));
		assert_int_equal(WEXITSTATUS(status[w]), 0);
	}

	db = raw_open(t->path);
	assert_string_equal(raw_text(db, "PRAGMA integrity_check", buf, sizeof(buf)), "ok");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM runs"), WRITERS * WRITER_RUNS);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM schema_version"), 1);
	sqlite3_close(db);

	/* Every run whole, and holding its own samples. */
	st = open_ok(t->path);
	for (long long id = 1; id <= WRITERS * WRITER_RUNS; id++) {
		struct fl_run r;
		int w, k;

		fl_run_init(&r);
		assert_int_equal(fl_store_load_run(st, id, &r), 0);
		assert_int_equal(sscanf(r.meta.label, "w%d.%d", &w, &k), 2);
		assert_int_equal(r.nsamples, WRITER_SAMPLES);
		for (int i = 0; i < WRITER_SAMPLES; i++) {
			assert_true(r.samples[i].value == w * 1000000 + k * 1000 + i);
			assert_int_equal(r.samples[i].repetition, i / 2);
		}
		fl_run_free(&r);
	}
	fl_store_close(st);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_add_copies),
		cmocka_unit_test(test_run_values),
		cmocka_unit_test(test_params_get),
		cmocka_unit_test(test_param_sets),
		T(test_schema_created),
		T(test_upgrade_from_v0),
		T(test_failed_upgrade_changes_nothing),
		T(test_newer_version_refused),
		T(test_foreign_files_refused),
		T(test_corrupt_file_refused),
		T(test_bad_paths),
		T(test_unwritable),
		T(test_round_trip),
		T(test_latest_and_unknown_run),
		T(test_failed_save_leaves_nothing),
		T(test_claims_and_verdicts),
		T(test_noise_floors_by_pairing),
		T(test_locked_database),
		T(test_killed_writer_leaves_no_run),
		T(test_concurrent_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
