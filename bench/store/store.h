/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/store/store.h - results.db, on SQLite.
 *
 * Tables (schema_version, runs, benchmarks, samples, claims, verdicts) as in
 * ../shared/design.md.  The schema is created on first use and upgraded in
 * place from any older version.  WAL, a busy timeout, and one transaction per
 * run: a run killed half-way leaves no trace.  Every failure returns a
 * negative errno after fl_fail() has said what is wrong with which file.
 */
#ifndef FL_STORE_H
#define FL_STORE_H

#include "bench/results.h"

#define FL_STORE_SCHEMA_VERSION	5
#define FL_STORE_BUSY_MS	5000

struct fl_store;
struct fl_verdict;
struct fl_claim;

/* Opens path, creating the file and its schema, or upgrading it. */
int fl_store_open(const char *path, struct fl_store **out);
/*
 * For the commands that only read: the file must exist and hold the schema;
 * it is never created, and a file the user cannot write is opened read-only.
 */
int fl_store_open_existing(const char *path, struct fl_store **out);
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

/* ---- for faultline compare, history and bisect ---- */

struct fl_bench_key;
struct fl_comparison;
struct fl_noise;

enum fl_run_match {
	FL_RUNS_BY_LABEL,	/* runs.label equal */
	FL_RUNS_BY_KERNEL,	/* runs.kernel_release equal */
	FL_RUNS_BY_COMMIT,	/* runs.git_commit starts with it */
};

/* The ids of the matching runs, oldest first, into a malloc'd *ids (maybe none). */
int fl_store_find_runs(struct fl_store *st, enum fl_run_match by, const char *value,
		       long long **ids, size_t *n);
/* The runs holding samples of benchmark x metric k, oldest first. */
int fl_store_runs_with(struct fl_store *st, const struct fl_bench_key *k,
		       long long **ids, size_t *n);
/* Every benchmark x metric that has samples, sorted; free with fl_store_free_keys. */
int fl_store_list_benchmarks(struct fl_store *st, struct fl_bench_key **keys, size_t *n);
void fl_store_free_keys(struct fl_bench_key *keys, size_t n);
/* A run's meta and Google Benchmark JSON, without its samples. */
int fl_store_load_meta(struct fl_store *st, long long id, struct fl_run *r);

/* What a stored comparison is about; its rows come from struct fl_comparison. */
struct fl_cmp_record {
	const char *created_at, *label;
	const char *kind;		/* "aa": same code both sides, teaches noise floors */
	const char *a_spec, *b_spec;	/* as given on the command line */
	const char *host, *suite;
	const long long *a_runs, *b_runs;
	size_t na_runs, nb_runs;
	double alpha, min_change;
};

/* The comparison, its runs and rows, in one transaction; its id into *id. */
int fl_store_save_comparison(struct fl_store *st, const struct fl_cmp_record *rec,
			     const struct fl_comparison *c, long long *id);
/* Each row's noise floor from the A/A comparisons stored for host. */
int fl_store_fill_noise(struct fl_store *st, const char *host, struct fl_comparison *c);

typedef void (*fl_store_floor_fn)(const struct fl_bench_key *k, const char *unit,
				  const struct fl_noise *nf, void *arg);
/*
 * Calls fn for every benchmark x metric with A/A comparisons on host, sorted:
 * those judged by pairs of runs (paired), or those of pooled samples.
 */
int fl_store_noise_floors(struct fl_store *st, const char *host, bool paired,
			  fl_store_floor_fn fn, void *arg);

#endif
