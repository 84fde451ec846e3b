// SPDX-License-Identifier: GPL-2.0
/*
 * faultline bisect BENCHMARK GOOD BAD: the first commit between GOOD and BAD
 * at which the benchmark moved from GOOD's level to BAD's.
 *
 * GOOD and BAD are built in worktrees of their own, measured interleaved,
 * and must differ beyond the noise floor.  Then `git bisect run` drives this
 * binary's step mode in a third worktree: build the commit, run it
 * interleaved with GOOD and BAD again (GOOD, step, BAD, GOOD, ...: whatever
 * state the machine is in falls on all three), and answer good (0) when the
 * interval of the step's median lies on GOOD's side of the midpoint between
 * the two levels, bad (1) on BAD's side, or skip (125) when it straddles the
 * midpoint twice: too noisy to tell.  A commit that does not build, or
 * cannot run the benchmark, is skipped too.  The user's checkout is never
 * touched; every run is stored.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/analysis/bench_name.h"
#include "bench/analysis/compare.h"
#include "bench/cli/cli.h"
#include "bench/cli/options.h"
#include "bench/err.h"
#include "bench/measure/code_side.h"
#include "bench/measure/tmp.h"
#include "bench/measure/worktree.h"
#include "bench/store/store.h"
#include "workloads/workload.h"

#define EXIT_FOUND	0
#define EXIT_UNSURE	1
#define EXIT_ERROR	2
/* what git bisect run understands */
#define STEP_GOOD	0
#define STEP_BAD	1
#define STEP_SKIP	125
#define STEP_ABORT	128

struct bisect_args {
	const char *db, *spec, *good, *bad, *metric, *make, *repo_arg, *rounds;
	const char *good_dir, *bad_dir, *tmp;	/* step mode: GOOD's and BAD's builds */
	long runs, reps;
	bool step, keep;
	double min_change;
	char repo[PATH_MAX];
	char dbpath[PATH_MAX];
	struct fl_bench_pattern b;
};

/* ---- the benchmark ------------------------------------------------------- */

/* A pattern that names one benchmark's variant; its backend by the variant if not given. */
static int parse_spec(const char *spec, struct fl_bench_pattern *b)
{
	int err = fl_bench_pattern_parse(spec, b);

	if (err)
		return err;
	if (!b->variant)
		return fl_fail(EINVAL, "bisect: '%s': name WORKLOAD/VARIANT at least", spec);
	if (!b->backend)
		b->backend = strcmp(b->variant, "live") ? "shim" : "live";
	return 0;
}

static bool sample_is(const struct fl_sample *s, const struct fl_bench_pattern *b,
		      const char *metric)
{
	return !isnan(s->value) && !strcmp(s->metric, metric) &&
	       fl_bench_pattern_matches(b, s->workload, s->variant, s->backend, s->params);
}

/* The benchmark's samples in the stored runs ids, into a malloc'd *v. */
static int gather(struct fl_store *st, const long long *ids, size_t nids,
		  const struct bisect_args *a, double **v, size_t *n)
{
	size_t cap = 0;
	int err = 0;

	*v = NULL;
	*n = 0;
	for (size_t i = 0; i < nids && !err; i++) {
		struct fl_run r;

		fl_run_init(&r);
		err = fl_store_load_run(st, ids[i], &r);
		for (size_t k = 0; !err && k < r.nsamples; k++) {
			if (!sample_is(&r.samples[k], &a->b, a->metric))
				continue;
			if (*n == cap) {
				double *p = realloc(*v, (cap = cap ? 2 * cap : 64) * sizeof(**v));

				if (!p) {
					err = fl_fail(ENOMEM, "out of memory");
					break;
				}
				*v = p;
			}
			(*v)[(*n)++] = r.samples[k].value;
		}
		fl_run_free(&r);
	}
	if (!err && !*n)
		err = fl_fail(ENODATA, "the runs hold no sample of %s %s", a->spec, a->metric);
	return err;
}

/* ---- running commits ------------------------------------------------------ */

/* What every run of a bisection runs: the benchmark alone; NULL-ended. */
static void bench_args(const struct bisect_args *a, char *reps, size_t len, char **argv)
{
	int n = 0;

	snprintf(reps, len, "%ld", a->reps);
	argv[n++] = (char *)a->b.workload;
	argv[n++] = "--variant";
	argv[n++] = (char *)a->b.variant;
	argv[n++] = "--backend";
	argv[n++] = (char *)a->b.backend;
	for (int i = 0; i < a->b.nparams; i++) {
		argv[n++] = "--param";
		argv[n++] = (char *)a->b.params[i];
	}
	argv[n++] = "--reps";
	argv[n++] = reps;
	if (a->rounds) {
		argv[n++] = "--rounds";
		argv[n++] = (char *)a->rounds;
	}
	argv[n] = NULL;
}

/* a->runs runs of each side, in an order drawn at random each time. */
static int run_sides(struct fl_store *st, const struct bisect_args *a,
		     struct fl_code_side *const *sides, int n, const char *tmp)
{
	char reps[16], *args[12 + 2 * FL_PATTERN_MAX_PARAMS];

	bench_args(a, reps, sizeof(reps), args);
	return fl_code_sides_run(st, sides, n, (int)a->runs, args, tmp, "bisect");
}

/* ---- step mode (run by git bisect run) ------------------------------------ */

/*
 * One measured commit and, interleaved with it, GOOD and BAD again: the
 * machine's state when the step runs (right after a build, say) falls on all
 * three alike, so the step is placed against levels of the same minutes.
 */
struct trio {
	struct fl_code_side side[3];	/* good, step, bad */
	char label[64];
};

struct levels {
	double good, bad, mid;
	struct fl_ci step;
};

static int measure_trio(struct fl_store *st, const struct bisect_args *a, struct trio *t)
{
	struct fl_code_side *sides[3] = { &t->side[0], &t->side[1], &t->side[2] };

	return run_sides(st, a, sides, 3, a->tmp);
}

static int levels_of(struct fl_store *st, const struct bisect_args *a, const struct trio *t,
		     struct levels *lv)
{
	double *v[3] = { NULL, NULL, NULL };
	size_t n[3];
	int err = 0;

	for (int k = 0; k < 3 && !err; k++)
		err = gather(st, t->side[k].ids, t->side[k].nids, a, &v[k], &n[k]);
	if (!err) {
		lv->good = fl_median(v[0], n[0]);
		lv->bad = fl_median(v[2], n[2]);
		lv->mid = (lv->good + lv->bad) / 2;
		err = fl_median_ci(v[1], n[1], 0.95, &lv->step, NULL);
	}
	for (int k = 0; k < 3; k++)
		free(v[k]);
	return err;
}

/* Which side of the midpoint the interval of the step's median lies on, if one. */
static int decide(const struct levels *lv)
{
	bool bad_above = lv->bad > lv->good;
	const struct fl_ci *ci = &lv->step;

	if (bad_above ? ci->lo > lv->mid : ci->hi < lv->mid)
		return STEP_BAD;
	if (bad_above ? ci->hi < lv->mid : ci->lo > lv->mid)
		return STEP_GOOD;
	return STEP_SKIP;
}

static const char *step_name(int v)
{
	return v == STEP_GOOD ? "good" : v == STEP_BAD ? "bad" : "skip (too noisy)";
}

static void free_trio(struct trio *t)
{
	for (int k = 0; k < 3; k++)
		fl_code_side_free(&t->side[k], true);	/* the worktrees are not ours */
}

static int step(struct fl_store *st, const struct bisect_args *a)
{
	char log[PATH_MAX + 64];
	static const char *const name[3] = { "good", "step", "bad" };
	struct fl_worktree wt = { 0 };
	struct levels lv = { 0 };
	struct trio t = { 0 };
	int verdict = STEP_SKIP;

	if (!getcwd(wt.path, sizeof(wt.path)) || fl_git_resolve(wt.path, "HEAD", wt.sha)) {
		fprintf(stderr, "faultline bisect: %s\n", fl_errmsg());
		return STEP_ABORT;
	}
	snprintf(log, sizeof(log), "%s/build-%.12s.log", a->tmp, wt.sha);
	if (fl_worktree_build(&wt, a->make, log)) {
		printf("faultline bisect: %.12s: skip (does not build: %s)\n", wt.sha, fl_errmsg());
		return STEP_SKIP;
	}
	snprintf(t.label, sizeof(t.label), "bisect:%.12s", wt.sha);
	t.side[0].dir = a->good_dir;
	t.side[1].dir = wt.path;
	t.side[2].dir = a->bad_dir;
	for (int k = 0; k < 3; k++) {
		snprintf(t.side[k].exe, sizeof(t.side[k].exe), "%s/build/faultline", t.side[k].dir);
		t.side[k].name = name[k];
		t.side[k].desc = k == 1 ? t.label + 7 : name[k];
		t.side[k].label = k == 1 ? t.label : k ? "bisect:bad" : "bisect:good";
	}
	/* Straddling the midpoint once may be bad luck: measure as much again. */
	for (int round = 0; round < 2 && verdict == STEP_SKIP; round++) {
		if (measure_trio(st, a, &t) || levels_of(st, a, &t, &lv)) {
			printf("faultline bisect: %.12s: skip (cannot run it: %s)\n", wt.sha,
			       fl_errmsg());
			free_trio(&t);
			return STEP_SKIP;
		}
		verdict = decide(&lv);
	}
	printf("faultline bisect: %.12s: median %.4g [%.4g, %.4g]; GOOD %.4g, BAD %.4g "
	       "(measured alongside), midpoint %.4g: %s\n", wt.sha, lv.step.est, lv.step.lo,
	       lv.step.hi, lv.good, lv.bad, lv.mid, step_name(verdict));
	fflush(stdout);
	free_trio(&t);
	return verdict;
}

/* ---- the whole bisection ------------------------------------------------- */

struct refs {
	struct fl_code_side good, bad;
	struct fl_worktree walk;
	char label[2][64];
	char tmp[PATH_MAX / 2];	/* room for the names made in it */
};

/* GOOD and BAD, in an order drawn at random each time, then whether they differ. */
static int measure_refs(struct fl_store *st, struct bisect_args *a, struct refs *rf)
{
	struct fl_code_side *sides[2] = { &rf->good, &rf->bad };

	return run_sides(st, a, sides, 2, rf->tmp);
}

static int load_runs(struct fl_store *st, const long long *ids, size_t n, struct fl_run **out)
{
	*out = calloc(n + 1, sizeof(**out));
	if (!*out)
		return fl_fail(ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int err;

		fl_run_init(&(*out)[i]);
		err = fl_store_load_run(st, ids[i], &(*out)[i]);
		if (err)
			return err;
	}
	return 0;
}

static void free_runs(struct fl_run *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		fl_run_free(&r[i]);
	free(r);
}

/* The row of this benchmark x metric in GOOD -> BAD must be a change. */
static int check_differ(struct fl_store *st, const struct bisect_args *a, struct refs *rf)
{
	const char *metrics[] = { a->metric, NULL };
	struct fl_cmp_opts o = FL_CMP_OPTS_DEFAULT;
	struct fl_run *g = NULL, *b = NULL;
	struct fl_comparison c = { 0 };
	const struct fl_cmp_row *row = NULL;
	int err;

	o.metrics = metrics;
	o.min_change = a->min_change;
	err = load_runs(st, rf->good.ids, rf->good.nids, &g);
	if (!err)
		err = load_runs(st, rf->bad.ids, rf->bad.nids, &b);
	if (!err)
		err = fl_compare_build(g, rf->good.nids, b, rf->bad.nids, &o, &c);
	if (!err)
		err = fl_store_fill_noise(st, g[0].meta.host, &c);
	if (!err) {
		fl_compare_judge(&c, &o);
		for (size_t i = 0; i < c.nrows && !row; i++) {
			const struct fl_cmp_row *r = &c.rows[i];
			struct fl_sample s = { .workload = r->key.workload,
					       .variant = r->key.variant, .backend = r->key.backend,
					       .params = r->key.params, .metric = r->key.metric };

			if (sample_is(&s, &a->b, a->metric))
				row = r;
		}
		if (!row)
			err = fl_fail(ENODATA, "GOOD and BAD share no sample of %s %s", a->spec,
				      a->metric);
	}
	if (!err) {
		printf("faultline bisect: GOOD %.4g, BAD %.4g: %+.1f%% [%+.1f, %+.1f], q %.2g, "
		       "noise floor %.1f%%: %s\n", row->med_a.est, row->med_b.est,
		       row->change.est, row->change.lo, row->change.hi, row->q, row->floor_pct,
		       fl_cmp_verdict_name(row->verdict));
		if (row->verdict != FL_CMP_REGRESSION && row->verdict != FL_CMP_IMPROVEMENT)
			err = fl_fail(EINVAL, "GOOD and BAD do not differ in %s %s beyond the "
				      "noise (%s): nothing to bisect", a->spec, a->metric,
				      fl_cmp_verdict_name(row->verdict));
	}
	fl_compare_free(&c);
	free_runs(g, rf->good.nids);
	free_runs(b, rf->bad.nids);
	return err;
}

static int git_in(const char *dir, char *const *args, int out_fd)
{
	char *argv[64] = { "git", "-C", (char *)dir };
	int n = 3;

	for (; *args && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return fl_spawn(NULL, argv, out_fd, out_fd);
}

static int self_exe(char *out, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);

	if (n <= 0)
		return fl_fail(errno, "cannot find this faultline binary: %s", strerror(errno));
	out[n] = '\0';
	return 0;
}

/* Copies git's log to stdout; whether it named the first bad commit, or gave up on skips. */
static int read_log(const char *path, bool *found, bool *skipped, char *last, size_t size)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool newline = true;

	*found = *skipped = false;
	last[0] = '\0';
	if (!f)
		return fl_fail(errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		fputs(line, stdout);
		newline = strchr(line, '\n') != NULL;
		line[strcspn(line, "\n")] = '\0';
		*found |= strstr(line, "is the first bad commit") != NULL;
		*skipped |= strstr(line, "only 'skip'ped commits left") != NULL;
		if (line[0])
			snprintf(last, size, "%s", line);
	}
	/* git ends some messages without a newline */
	if (!newline)
		putchar('\n');
	fclose(f);
	return 0;
}

static int open_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return fl_fail(errno, "%s: %s", path, strerror(errno));
	return fd;
}

/* git bisect run <this binary> bisect --step ...; the answer is in refs/bisect/bad. */
static int walk(struct bisect_args *a, struct refs *rf, int *exit_code)
{
	char exe[PATH_MAX], runs[16], reps[16], path[PATH_MAX];
	char log[PATH_MAX], first[41], desc[256], last[1024];
	char *start[] = { "bisect", "start", rf->bad.wt.sha, rf->good.wt.sha, "--", NULL };
	char *run[40] = { "bisect", "run", exe, "bisect", "--step", "--db", a->dbpath,
			  "--tmp", rf->tmp, "--metric", (char *)a->metric,
			  "--good-dir", rf->good.wt.path, "--bad-dir", rf->bad.wt.path,
			  "--runs", runs, "--reps", reps };
	char *reset[] = { "bisect", "reset", NULL };
	bool found, skipped;
	int n = 19, rc, fd, err;

	err = self_exe(exe, sizeof(exe));
	if (err)
		return err;
	snprintf(runs, sizeof(runs), "%ld", a->runs);
	snprintf(reps, sizeof(reps), "%ld", a->reps);
	if (a->rounds) {
		run[n++] = "--rounds";
		run[n++] = (char *)a->rounds;
	}
	if (a->make) {
		run[n++] = "--make";
		run[n++] = (char *)a->make;
	}
	run[n++] = (char *)a->spec;
	run[n] = NULL;

	snprintf(path, sizeof(path), "%s/walk", rf->tmp);
	snprintf(log, sizeof(log), "%s/bisect.log", rf->tmp);
	err = fl_worktree_add(&rf->walk, a->repo, rf->bad.wt.sha, path);
	if (err)
		return err;
	fd = open_log(log);
	if (fd < 0)
		return fd;
	rc = git_in(path, start, fd);
	if (!rc)
		rc = git_in(path, run, fd);
	close(fd);
	err = read_log(log, &found, &skipped, last, sizeof(last));
	if (!err && found)
		err = fl_git_resolve(path, "refs/bisect/bad", first);
	git_in(path, reset, -1);
	if (err)
		return err;
	if (found) {
		fl_git_describe(a->repo, first, desc, sizeof(desc));
		printf("faultline bisect: first commit with BAD's %s: %s\n", a->metric, desc);
		*exit_code = EXIT_FOUND;
		return 0;
	}
	if (skipped) {
		printf("faultline bisect: no single first commit: commits were skipped as too "
		       "noisy or unbuildable (more --runs may decide them)\n");
		*exit_code = EXIT_UNSURE;
		return 0;
	}
	return fl_fail(EIO, "git bisect run failed (exit %d): %s", rc, last);
}

static int bisect(struct fl_store *st, struct bisect_args *a, struct refs *rf, int *exit_code)
{
	char here[PATH_MAX], gsha[41], bsha[41];
	int err;

	if (!a->repo_arg && !getcwd(here, sizeof(here)))
		return fl_fail(errno, "getcwd: %s", strerror(errno));
	err = fl_git_toplevel(a->repo_arg ? a->repo_arg : here, a->repo, sizeof(a->repo));
	if (!err)
		err = fl_git_resolve(a->repo, a->good, gsha);
	if (!err)
		err = fl_git_resolve(a->repo, a->bad, bsha);
	if (!err && !strcmp(gsha, bsha))
		err = fl_fail(EINVAL, "GOOD and BAD are the same commit %.12s", gsha);
	if (err)
		return err;
	err = fl_tmp_make(rf->tmp, sizeof(rf->tmp), "bisect", true);
	if (err)
		return err;
	snprintf(rf->label[0], sizeof(rf->label[0]), "bisect:good:%.12s", gsha);
	snprintf(rf->label[1], sizeof(rf->label[1]), "bisect:bad:%.12s", bsha);
	rf->good = (struct fl_code_side){ .name = "good", .desc = a->good, .label = rf->label[0] };
	rf->bad = (struct fl_code_side){ .name = "bad", .desc = a->bad, .label = rf->label[1] };
	err = fl_code_side_build(&rf->good, a->repo, gsha, a->make, rf->tmp, "bisect");
	if (!err)
		err = fl_code_side_build(&rf->bad, a->repo, bsha, a->make, rf->tmp, "bisect");
	if (!err)
		err = measure_refs(st, a, rf);
	if (!err)
		err = check_differ(st, a, rf);
	if (!err)
		err = walk(a, rf, exit_code);
	return err;
}

/* ---- options ------------------------------------------------------------- */

/* 0, 1 after --help, or a negative errno. */
static int parse_args(int argc, char **argv, struct bisect_args *a)
{
	static const char *const usage[] = { "faultline bisect BENCHMARK GOOD BAD [OPTIONS]",
					     NULL };
	static const struct fl_cmd_help help = {
		"bisect", usage,
		"Finds the first commit after GOOD at which BENCHMARK took BAD's level.\n"
		"BENCHMARK is WORKLOAD/VARIANT[/BACKEND][/NAME=VALUE,...] (one value each; the\n"
		"other parameters keep their defaults), e.g. reaim_vunmap/new/M=64000.\n"
		"GOOD and BAD are git refs; each commit is built in a git worktree of its own,\n"
		"and run alongside GOOD and BAD, in an order drawn at random each round.",
		"Exit status: 0 found, 1 bisection ended without one commit (too noisy: skips),\n"
		"2 an error (GOOD and BAD that do not differ are one).",
	};
	const struct fl_option opts[] = {
		FL_OPT_STRING("metric", &a->metric, "M", "the metric (default: the workload's first)"),
		FL_OPT_LONG("runs", &a->runs, 1, 1000, "N",
			    "runs per commit, each step's and GOOD's and BAD's (default 3)"),
		FL_OPT_LONG("reps", &a->reps, 1, 1000, "N", "repetitions per run (default 5)"),
		FL_OPT_STRING("rounds", &a->rounds, "N",
			      "rounds per repetition (default: the workload's)"),
		FL_OPT_STRING("make", &a->make, "'VARS'", "make variables for every build"),
		FL_OPT_STRING("repo", &a->repo_arg, "DIR",
			      "the git repository (default: the one here)"),
		FL_OPT_DOUBLE("min-change", &a->min_change, 0, 1000, "PCT",
			      "GOOD and BAD must differ by more (default 1; or the noise floor)"),
		FL_OPT_BOOL("keep-worktrees", &a->keep, "leave the worktrees in place"),
		FL_OPT_STRING("db", &a->db, "FILE", "results database (default results.db)"),
		/* what git bisect run calls each step with; not for people */
		FL_OPT_BOOL("step", &a->step, NULL),
		FL_OPT_STRING("tmp", &a->tmp, "DIR", NULL),
		FL_OPT_STRING("good-dir", &a->good_dir, "DIR", NULL),
		FL_OPT_STRING("bad-dir", &a->bad_dir, "DIR", NULL),
		FL_OPT_END(),
	};
	char *args[4];
	int n, err = fl_parse_options(argc, argv, opts, &help, args, 3, &n);

	if (err)
		return err;
	if (a->step) {
		if (n != 1 || !a->tmp || !a->good_dir || !a->bad_dir || !a->metric)
			return fl_fail(EINVAL, "bisect --step: internal use by git bisect run");
		a->spec = args[0];
		return parse_spec(a->spec, &a->b);
	}
	if (n != 3)
		return fl_fail(EINVAL, "bisect: BENCHMARK GOOD BAD (see faultline bisect --help)");
	a->spec = args[0];
	a->good = args[1];
	a->bad = args[2];
	return parse_spec(a->spec, &a->b);
}

static int default_metric(struct bisect_args *a)
{
	const struct fl_workload *w = fl_workload_find(a->b.workload);

	if (a->metric)
		return 0;
	if (!w)
		return fl_fail(EINVAL, "bisect: workload '%s' is not known here: name --metric",
			       a->b.workload);
	a->metric = w->metrics[0].name;
	return 0;
}

static void free_refs(struct refs *rf, bool keep)
{
	fl_code_side_free(&rf->good, keep);
	fl_code_side_free(&rf->bad, keep);
	if (!keep) {
		fl_worktree_remove(&rf->walk);
		if (rf->tmp[0])
			fl_tmp_remove(rf->tmp);
	} else if (rf->tmp[0]) {
		fl_tmp_keep(rf->tmp);
		fprintf(stderr, "faultline bisect: worktrees kept in %s\n", rf->tmp);
	}
}

int cmd_bisect(int argc, char **argv)
{
	struct bisect_args a = { .db = FL_DEFAULT_DB, .runs = 3, .reps = 5, .min_change = 1 };
	struct fl_store *st = NULL;
	struct refs rf = { 0 };
	int err, exit_code = EXIT_ERROR;

	err = parse_args(argc, argv, &a);
	if (err > 0)
		return 0;
	if (!err)
		err = default_metric(&a);
	/* The steps run in another directory: they need the database's full path. */
	if (!err && !realpath(a.db, a.dbpath)) {
		if (errno != ENOENT || a.db[0] == '/' || !getcwd(a.dbpath, sizeof(a.dbpath) - 256))
			snprintf(a.dbpath, sizeof(a.dbpath), "%s", a.db);
		else
			snprintf(a.dbpath + strlen(a.dbpath), 256, "/%s", a.db);
	}
	if (!err)
		err = fl_store_open(a.dbpath, &st);
	if (!err && a.step) {
		exit_code = step(st, &a);
		fl_store_close(st);
		return exit_code;
	}
	if (!err)
		err = bisect(st, &a, &rf, &exit_code);
	if (err) {
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
		exit_code = a.step ? STEP_ABORT : EXIT_ERROR;
	}
	free_refs(&rf, a.keep);
	fl_store_close(st);
	return exit_code;
}
