// SPDX-License-Identifier: GPL-2.0
/*
 * bench/store/store_runs.c - runs (their meta and samples), claims and verdicts in
 * results.db, and the look-ups of runs and benchmarks compare and history
 * make.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/analysis/compare.h"
#include "bench/claims/claims.h"
#include "bench/err.h"
#include "bench/store/store_internal.h"

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
	offsetof(struct fl_run_meta, schedule),
};

#define META_TEXT_COLUMNS						\
	"label, suite, backend, git_commit, git_branch, host, kernel_release,"	\
	" kernel_config_fp, cmdline, cpu_model, topology, counter_source, virt,"	\
	" started_at, finished_at, schedule"

#define NMETA_TEXT (sizeof(meta_text) / sizeof(meta_text[0]))

static const char sql_run_insert[] =
	"INSERT INTO runs (" META_TEXT_COLUMNS ", git_dirty, gbench_json)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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

	err = store_prepare(st, sql_run_insert, &stmt, "saving a run");
	if (err)
		return err;
	for (i = 0; i < NMETA_TEXT; i++)
		store_bind_text(stmt, i + 1, *meta_field(&r->meta, i));
	sqlite3_bind_int(stmt, i + 1, r->meta.git_dirty);
	store_bind_text(stmt, i + 2, r->gbench_json);
	err = store_step_done(st, stmt, "saving a run");
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
	store_bind_row(stmt, 1, "ltttt", run_id, s->workload, s->variant, s->backend,
		       s->params);
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
	store_bind_row(stmt, 1, "ldttrt", sv->bench_id, s->repetition, s->metric, s->unit,
		       s->value, s->source);
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

	err = store_prepare(st, "SELECT id FROM benchmarks WHERE run_id = ? AND workload = ?"
		      " AND variant = ? AND backend = ? AND params = ?",
		      &sv.find_bench, "saving a run");
	if (!err)
		err = store_prepare(st, "INSERT INTO benchmarks"
			      " (run_id, workload, variant, backend, params)"
			      " VALUES (?, ?, ?, ?, ?)", &sv.add_bench, "saving a run");
	if (!err)
		err = store_prepare(st, "INSERT INTO samples"
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
	long long id = 0;
	int err;

	err = store_exec(st, "BEGIN IMMEDIATE", "saving a run");
	if (err)
		return err;
	err = insert_run(st, r, &id);
	if (!err)
		err = save_samples(st, r, id);
	err = store_end(st, err, "committing a run");
	if (!err)
		r->meta.id = id;
	return err;
}

int fl_store_latest_run(struct fl_store *st, long long *id)
{
	sqlite3_stmt *stmt;
	int rc, err;

	err = store_prepare(st, "SELECT max(id) FROM runs", &stmt, "finding the latest run");
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

static int load_meta(struct fl_store *st, long long id, struct fl_run *r)
{
	sqlite3_stmt *stmt;
	int rc, err, nomem = 0;
	size_t i;

	err = store_prepare(st, sql_run_select, &stmt, "loading a run");
	if (err)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		for (i = 0; i < NMETA_TEXT; i++)
			*meta_field(&r->meta, i) = store_column_dup(stmt, i, &nomem);
		r->meta.git_dirty = sqlite3_column_int(stmt, i);
		r->gbench_json = store_column_dup(stmt, i + 1, &nomem);
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

	err = store_prepare(st, sql, &stmt, "loading a run");
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
			.value = store_column_real(stmt, 7),
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

	err = store_exec(st, "BEGIN", "loading a run");
	if (err)
		return err;
	err = load_meta(st, id, r);
	if (!err)
		err = load_samples(st, id, r);
	err = store_end(st, err, "loading a run");
	if (err)
		fl_run_free(r);
	return err;
}

static int insert_claim(struct fl_store *st, sqlite3_stmt *stmt, const struct fl_claim *c)
{
	char what[128];

	store_bind_row(stmt, 1, "ttttrrt", c->id, c->seed, c->statement, c->metric,
		       c->published, c->tolerance, c->source);
	snprintf(what, sizeof(what), "saving claim %s", c->id ? c->id : "(no id)");
	return store_step_done(st, stmt, what);
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

	err = store_exec(st, "BEGIN IMMEDIATE", "saving the claims");
	if (!err)
		err = store_exec(st, "DELETE FROM claims WHERE id NOT IN"
			   " (SELECT claim_id FROM verdicts)", "saving the claims");
	if (!err)
		err = store_prepare(st, sql, &stmt, "saving the claims");
	for (; !err && *claims; claims++)
		err = insert_claim(st, stmt, *claims);
	sqlite3_finalize(stmt);
	return store_end(st, err, "committing the claims");
}

static int run_exists(struct fl_store *st, long long id)
{
	sqlite3_stmt *stmt;
	int rc, err;

	err = store_prepare(st, "SELECT 1 FROM runs WHERE id = ?", &stmt, "saving verdicts");
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

	store_bind_row(stmt, 1, "ltrrrrtttt", id, v->claim_id, v->published, v->measured,
		       v->lo, v->hi, fl_verdict_name(v->verdict), v->reason,
		       fl_verdict_name(v->mechanism), v->mechanism_reason);
	/* A foreign key failure here means the claims were not saved first. */
	snprintf(what, sizeof(what), "saving the verdict of claim %s for run %lld",
		 v->claim_id ? v->claim_id : "(no id)", id);
	return store_step_done(st, stmt, what);
}

int fl_store_save_verdicts(struct fl_store *st, long long id,
			   const struct fl_verdict *v, size_t n)
{
	static const char sql[] =
		"INSERT INTO verdicts (run_id, claim_id, published, measured, lo, hi,"
		" verdict, reason, mechanism, mechanism_reason)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *del = NULL, *add = NULL;
	int err;

	err = store_exec(st, "BEGIN IMMEDIATE", "saving verdicts");
	if (!err)
		err = run_exists(st, id);
	if (!err)
		err = store_prepare(st, "DELETE FROM verdicts WHERE run_id = ?", &del,
			      "saving verdicts");
	if (!err) {
		sqlite3_bind_int64(del, 1, id);
		err = store_step_done(st, del, "replacing the verdicts");
	}
	if (!err)
		err = store_prepare(st, sql, &add, "saving verdicts");
	for (size_t i = 0; !err && i < n; i++)
		err = insert_verdict(st, add, id, &v[i]);
	sqlite3_finalize(del);
	sqlite3_finalize(add);
	return store_end(st, err, "committing the verdicts");
}

/* ---- finding runs and benchmarks (compare, history) ----------------------- */

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
	err = store_prepare(st, sql[by], &stmt, "finding runs");
	if (err)
		return err;
	store_bind_text(stmt, 1, value);
	return collect_ids(st, stmt, ids, n, "finding runs");
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
	err = store_prepare(st, sql, &stmt, "finding the runs of a benchmark");
	if (err)
		return err;
	store_bind_key(stmt, 1, k);
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
	k->workload = store_column_dup(stmt, 0, &nomem);
	k->variant = store_column_dup(stmt, 1, &nomem);
	k->backend = store_column_dup(stmt, 2, &nomem);
	k->params = store_column_dup(stmt, 3, &nomem);
	k->metric = store_column_dup(stmt, 4, &nomem);
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
	err = store_prepare(st, sql, &stmt, "listing the benchmarks");
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
