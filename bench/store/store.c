// SPDX-License-Identifier: GPL-2.0
/*
 * bench/store/store.c - results.db on SQLite: the connection (see store_internal.h
 * for the other files of the store).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/store/store_internal.h"

int store_fail(struct fl_store *st, int rc, const char *fmt, ...)
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

int store_exec(struct fl_store *st, const char *sql, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(st, rc, "%s", what);
}

/* Undo an open transaction; SQLite may already have rolled it back itself. */
void store_rollback(struct fl_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_end(struct fl_store *st, int err, const char *what)
{
	if (!err)
		err = store_exec(st, "COMMIT", what);
	if (err)
		store_rollback(st);
	return err;
}

int store_prepare(struct fl_store *st, const char *sql, sqlite3_stmt **stmt,
		   const char *what)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(st, rc, "%s", what);
}

/* Runs a statement that returns no rows, and makes it ready for the next binds. */
int store_step_done(struct fl_store *st, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt), err = 0;

	if (rc != SQLITE_DONE)
		err = store_fail(st, rc, "%s", what);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return err;
}

void store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, i);
}

/* NaN is "not measured": SQL's NULL, never a number that sorts or averages. */
void store_bind_real(sqlite3_stmt *stmt, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_double(stmt, i, v);
}

void store_bind_key(sqlite3_stmt *stmt, int first, const struct fl_bench_key *k)
{
	store_bind_text(stmt, first, k->workload);
	store_bind_text(stmt, first + 1, k->variant);
	store_bind_text(stmt, first + 2, k->backend);
	store_bind_text(stmt, first + 3, k->params);
	store_bind_text(stmt, first + 4, k->metric);
}

void store_bind_row(sqlite3_stmt *stmt, int first, const char *types, ...)
{
	int i = first;
	va_list ap;

	va_start(ap, types);
	for (const char *t = types; *t; t++) {
		switch (*t) {
		case 't':
			store_bind_text(stmt, i++, va_arg(ap, const char *));
			break;
		case 'r':
			store_bind_real(stmt, i++, va_arg(ap, double));
			break;
		case 'd':
			sqlite3_bind_int(stmt, i++, va_arg(ap, int));
			break;
		case 'l':
			sqlite3_bind_int64(stmt, i++, va_arg(ap, long long));
			break;
		case 'k':
			store_bind_key(stmt, i, va_arg(ap, const struct fl_bench_key *));
			i += 5;
			break;
		default:
			abort();	/* a caller's typo, not a user's */
		}
	}
	va_end(ap);
}

double store_column_real(sqlite3_stmt *stmt, int i)
{
	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(stmt, i);
}


char *store_column_dup(sqlite3_stmt *stmt, int i, int *err)
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

static int try_wal(struct fl_store *st, int *rc)
{
	sqlite3_stmt *stmt;
	const char *mode;
	int err;

	err = store_prepare(st, "PRAGMA journal_mode = WAL", &stmt, "turning on WAL");
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
	err = store_read_version(st, &version);
	if (!err)
		err = store_check_version(st, version);
	if (!err)
		err = store_exec(st, "PRAGMA foreign_keys = ON", "turning on foreign keys");
	if (!err)
		err = set_wal(st);
	if (!err && version < FL_STORE_SCHEMA_VERSION)
		err = store_upgrade(st);
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
		err = store_read_version(st, &version);
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
	err = store_read_version(st, &version);
opened:
	if (!err)
		err = store_check_version(st, version);
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
