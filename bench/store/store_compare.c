// SPDX-License-Identifier: GPL-2.0
/*
 * bench/store/store_compare.c - comparisons in results.db, and the noise floors
 * their A/A comparisons teach.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/analysis/compare.h"
#include "bench/err.h"
#include "bench/store/store_internal.h"

static int insert_comparison(struct fl_store *st, const struct fl_cmp_record *rec,
			     const struct fl_comparison *c, long long *id)
{
	static const char sql[] =
		"INSERT INTO comparisons (created_at, label, kind, a_spec, b_spec, host, suite,"
		" alpha, min_change, nrows, regressions, improvements)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *stmt;
	int err;

	err = store_prepare(st, sql, &stmt, "saving a comparison");
	if (err)
		return err;
	store_bind_row(stmt, 1, "tttttttrrlll", rec->created_at, rec->label, rec->kind,
		       rec->a_spec, rec->b_spec, rec->host, rec->suite, rec->alpha,
		       rec->min_change, (long long)c->nrows, (long long)c->regressions,
		       (long long)c->improvements);
	err = store_step_done(st, stmt, "saving a comparison");
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
	err = store_prepare(st, "INSERT OR IGNORE INTO comparison_runs (comparison_id, side, run_id)"
		      " VALUES (?, ?, ?)", &stmt, "saving a comparison");
	for (int side = 0; !err && side < 2; side++) {
		const long long *runs = side ? rec->b_runs : rec->a_runs;
		size_t n = side ? rec->nb_runs : rec->na_runs;

		for (size_t i = 0; !err && i < n; i++) {
			store_bind_row(stmt, 1, "ltl", id, side ? "B" : "A", runs[i]);
			err = store_step_done(st, stmt, "saving the runs of a comparison");
		}
	}
	sqlite3_finalize(stmt);
	return err;
}

static int insert_comparison_row(struct fl_store *st, sqlite3_stmt *stmt, long long id,
				 const struct fl_cmp_row *r)
{
	store_bind_row(stmt, 1, "lktdllrrrrrrrrrrrrrdltl", id, &r->key, r->unit,
		       (int)r->higher_is_better, (long long)r->na, (long long)r->nb,
		       r->med_a.est, r->med_a.lo, r->med_a.hi, r->med_b.est, r->med_b.lo,
		       r->med_b.hi, r->change.est, r->change.lo, r->change.hi, r->u.u, r->u.p,
		       r->q, r->floor_pct, r->noise.comparisons, (long long)r->noise.samples,
		       fl_cmp_verdict_name(r->verdict), (long long)r->pairs);
	return store_step_done(st, stmt, "saving a comparison row");
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

	err = store_exec(st, "BEGIN IMMEDIATE", "saving a comparison");
	if (err)
		return err;
	err = insert_comparison(st, rec, c, id);
	if (!err)
		err = insert_comparison_runs(st, *id, rec);
	if (!err)
		err = store_prepare(st, sql, &stmt, "saving a comparison");
	for (size_t i = 0; !err && i < c->nrows; i++)
		err = insert_comparison_row(st, stmt, *id, &c->rows[i]);
	sqlite3_finalize(stmt);
	return store_end(st, err, "committing a comparison");
}

/* What A/A comparisons on host have seen of one benchmark x metric. */
static int noise_of(struct fl_store *st, sqlite3_stmt *stmt, const char *host,
		    struct fl_cmp_row *r)
{
	double *v = NULL;
	size_t n = 0, cap = 0;
	long samples = 0;
	int rc, err = 0;

	/* A floor holds for changes measured as its A/A comparisons' were. */
	store_bind_row(stmt, 1, "tkd", host, &r->key, (int)(r->pairs > 0));
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
		v[n++] = store_column_real(stmt, 0);
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

	err = store_exec(st, "BEGIN", "reading noise floors");
	if (!err)
		err = store_prepare(st, sql, &stmt, "reading noise floors");
	if (err) {
		store_rollback(st);
		return err;
	}
	for (size_t i = 0; !err && i < c->nrows; i++)
		err = noise_of(st, stmt, host, &c->rows[i]);
	sqlite3_finalize(stmt);
	return store_end(st, err, "reading noise floors");
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
	g->key.workload = store_column_dup(stmt, 0, &nomem);
	g->key.variant = store_column_dup(stmt, 1, &nomem);
	g->key.backend = store_column_dup(stmt, 2, &nomem);
	g->key.params = store_column_dup(stmt, 3, &nomem);
	g->key.metric = store_column_dup(stmt, 4, &nomem);
	g->unit = store_column_dup(stmt, 5, &nomem);
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

	err = store_prepare(st, sql, &stmt, "reading noise floors");
	if (err)
		return err;
	store_bind_row(stmt, 1, "td", host, (int)paired);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!same_key_row(&g, stmt)) {
			group_emit(&g, fn, arg);
			err = group_start(&g, stmt);
		}
		if (!err)
			err = group_add(&g, store_column_real(stmt, 6), sqlite3_column_int64(stmt, 7));
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
