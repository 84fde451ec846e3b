// SPDX-License-Identifier: GPL-2.0
/*
 * faultline compare A B: is B slower than A, by how much, and how sure are we.
 *
 * A side is stored runs (ids, a label, a kernel release, a commit) or code to
 * run: a git ref, built in its own worktree, or a faultline binary.  Code is
 * run interleaved, in pairs A B or B A, so that a drift of the machine over the
 * minutes of a comparison falls on both sides alike.  Every comparison is
 * stored; with --aa (the same code on both sides) it teaches the noise floors
 * that later verdicts are judged against.
 *
 * Exit: 0 nothing regressed, 1 a regression, 2 an error.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/analysis/compare.h"
#include "bench/claims/claims.h"
#include "bench/cli/cli.h"
#include "bench/cli/options.h"
#include "bench/err.h"
#include "bench/measure/code_side.h"
#include "bench/measure/env.h"
#include "bench/measure/tmp.h"
#include "bench/measure/worktree.h"
#include "bench/report/compare_report.h"
#include "bench/report/noise_floors.h"
#include "bench/store/store.h"
#include "workloads/workload.h"

#define EXIT_REGRESSION	1
#define EXIT_ERROR	2
#define MAX_RUN_ARGS	48
#define MAX_METRICS	16

enum side_kind { SIDE_STORED, SIDE_EXE, SIDE_REF };

struct side {
	struct fl_cmp_side pub;
	enum side_kind kind;
	const char *what;		/* the spec without its prefix */
	char sha[41];
	struct fl_code_side code;	/* a ref or a binary: what runs here */
	char label[256];		/* its runs' label */
	long long *ids;			/* its runs in the results database */
	size_t nids;
};

struct cmp_args {
	const char *db, *repo_arg, *run_args, *make[2], *label, *format;
	const char *md_path, *json_path, *plot_dir, *suite, *host;
	char metric_buf[256];
	const char *metrics[MAX_METRICS + 1];
	long runs, last;
	double max_change;		/* %, 0: no bound */
	bool aa, no_store, keep, noise_floors;
	char *sides[3];			/* A and B as given */
	struct fl_cmp_opts o;
	char repo[PATH_MAX];
};

/* ---- options ------------------------------------------------------------- */

static int opt_metrics(void *value, const char *list)
{
	struct cmp_args *a = value;
	char *save, *tok;
	int n = 0;

	if (strlen(list) >= sizeof(a->metric_buf))
		return fl_fail(EINVAL, "--metric: list too long");
	strcpy(a->metric_buf, list);
	for (tok = strtok_r(a->metric_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_METRICS)
			return fl_fail(EINVAL, "--metric: more than %d metrics", MAX_METRICS);
		a->metrics[n++] = tok;
	}
	if (!n)
		return fl_fail(EINVAL, "--metric: no metric named");
	a->metrics[n] = NULL;
	a->o.metrics = a->metrics;
	return 0;
}

/* --make: both sides' make variables */
static int opt_make(void *value, const char *arg)
{
	const char **make = value;

	make[0] = make[1] = arg;
	return 0;
}

static int opt_format(void *value, const char *arg)
{
	if (strcmp(arg, "table") && strcmp(arg, "markdown") && strcmp(arg, "json"))
		return fl_fail(EINVAL, "--format '%s': table, markdown or json", arg);
	*(const char **)value = arg;
	return 0;
}

static const char *const compare_usage[] = {
	"faultline compare A B [OPTIONS]",
	"faultline compare --noise-floors [--db FILE] [--host NAME]",
	NULL,
};

static const struct fl_cmd_help compare_help = {
	"compare", compare_usage,
	"Compares B against A, benchmark by benchmark and metric by metric, and says\n"
	"whether B regressed.  A and B are each one of:\n"
	"  12 or 12,14,16      stored run ids (run:12 also)\n"
	"  label:TEXT          the stored runs with that label (a bare TEXT too)\n"
	"  kernel:RELEASE      the stored runs on that kernel (a bare RELEASE too)\n"
	"  commit:SHA          the stored runs of that commit (a prefix)\n"
	"  exe:PATH            a faultline binary, run here\n"
	"  REF or ref:REF      a git ref: built in its own git worktree, then run\n"
	"Code sides run in pairs, A B or B A at random; with 8 or more pairs a side\n"
	"they are judged by pair, else each side's samples are pooled.",
	"Exit status: 0 nothing regressed, 1 a regression, 2 an error.",
};

/* 0, 1 after --help, or a negative errno. */
static int parse_args(int argc, char **argv, struct cmp_args *a)
{
	const struct fl_option opts[] = {
		FL_OPT_LONG("runs", &a->runs, 1, 100, "N", "runs per side for code sides (default 3)"),
		FL_OPT_STRING("run-args", &a->run_args, "'ARGS'",
			      "what each run runs (default '--suite quick')"),
		FL_OPT_CALLBACK("make", a->make, "'VARS'", "make variables for building refs",
				opt_make),
		FL_OPT_STRING("make-a", &a->make[0], "'VARS'", "... for building A only"),
		FL_OPT_STRING("make-b", &a->make[1], "'VARS'", "... for building B only"),
		FL_OPT_STRING("repo", &a->repo_arg, "DIR",
			      "the git repository of refs (default: the one here)"),
		FL_OPT_STRING("suite", &a->suite, "NAME",
			      "keep only stored runs of this suite (label:, kernel:, commit:)"),
		FL_OPT_LONG("last", &a->last, 1, 100000, "N",
			    "keep only the newest N stored runs of a selection"),
		FL_OPT_CALLBACK("metric", a, "M[,M]", "compare only these metrics", opt_metrics),
		FL_OPT_DOUBLE("alpha", &a->o.alpha, 1e-6, 0.5, "Q",
			      "false discovery rate for Benjamini-Hochberg (default 0.05)"),
		FL_OPT_DOUBLE("min-change", &a->o.min_change, 0, 1000, "PCT",
			      "never flag less than this (default 1; 0.1 between exact runs)"),
		FL_OPT_DOUBLE("max-change", &a->max_change, 1e-6, 1000, "PCT",
			      "exit 1 if any row's median moved more than this either way "
			      "(an exact A/A bound)"),
		FL_OPT_BOOL("aa", &a->aa,
			    "A and B are the same code: store as A/A, teaching noise floors"),
		FL_OPT_STRING("label", &a->label, "TEXT", "a label for the stored comparison"),
		FL_OPT_BOOL("no-store", &a->no_store, "do not store the comparison"),
		FL_OPT_CALLBACK("format", &a->format, "F",
				"table (default), markdown or json on stdout", opt_format),
		FL_OPT_STRING("markdown", &a->md_path, "FILE",
			      "also write Markdown (for a CI comment) to FILE"),
		FL_OPT_STRING("json", &a->json_path, "FILE",
			      "also write JSON (Google Benchmark's format) to FILE"),
		FL_OPT_STRING("plot", &a->plot_dir, "DIR",
			      "draw the comparison's plots (PNG and SVG) into DIR"),
		FL_OPT_BOOL("keep-worktrees", &a->keep, "leave the worktrees and their builds"),
		FL_OPT_STRING("db", &a->db, "FILE", "results database (default results.db)"),
		FL_OPT_BOOL("noise-floors", &a->noise_floors,
			    "list the noise floors learned here, and what each claim detects"),
		FL_OPT_STRING("host", &a->host, "NAME", "with --noise-floors: that host's"),
		FL_OPT_END(),
	};
	int n, err = fl_parse_options(argc, argv, opts, &compare_help, a->sides, 2, &n);

	if (err || a->noise_floors)
		return err;
	if (n != 2)
		return fl_fail(EINVAL, "compare: name two sides, A and B (see faultline "
			       "compare --help)");
	return 0;
}

/* ---- the sides ----------------------------------------------------------- */

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool is_run_list(const char *s)
{
	return *s && strspn(s, "0123456789,") == strlen(s) && strchr("0123456789", *s);
}

static int push_id(struct side *s, long long id)
{
	long long *p = realloc(s->ids, (s->nids + 1) * sizeof(*p));

	if (!p)
		return fl_fail(ENOMEM, "out of memory");
	s->ids = p;
	s->ids[s->nids++] = id;
	return 0;
}

static int parse_run_list(struct side *s, const char *list)
{
	const char *p = list;

	while (*p) {
		long long id;
		char tok[32];
		size_t l = strcspn(p, ",");
		int err;

		snprintf(tok, sizeof(tok), "%.*s", (int)(l < 31 ? l : 31), p);
		err = fl_cli_parse_run_id(tok, &id);
		if (!err)
			err = push_id(s, id);
		if (err)
			return err;
		p += l + (p[l] == ',');
	}
	return s->nids ? 0 : fl_fail(EINVAL, "%s: no run id", s->pub.name);
}

static int find_stored(struct fl_store *st, struct side *s, enum fl_run_match by,
		       const char *value)
{
	int err;

	free(s->ids);
	err = fl_store_find_runs(st, by, value, &s->ids, &s->nids);
	if (!err && !s->nids)
		return -ENOENT;
	return err;
}

/* The repository refs are resolved in: --repo, or the one the command runs in. */
static int need_repo(struct cmp_args *a)
{
	char here[PATH_MAX];

	if (a->repo[0])
		return 0;
	if (!a->repo_arg && !getcwd(here, sizeof(here)))
		return fl_fail(errno, "getcwd: %s", strerror(errno));
	return fl_git_toplevel(a->repo_arg ? a->repo_arg : here, a->repo, sizeof(a->repo));
}

static int resolve_ref(struct cmp_args *a, struct side *s, const char *ref)
{
	int err = need_repo(a);

	if (!err)
		err = fl_git_resolve(a->repo, ref, s->sha);
	if (!err)
		s->kind = SIDE_REF;
	return err;
}

static int resolve_exe(struct side *s, const char *path)
{
	if (!realpath(path, s->code.exe) || access(s->code.exe, X_OK))
		return fl_fail(ENOENT, "%s: exe:%s is not an executable file", s->pub.name, path);
	s->kind = SIDE_EXE;
	return 0;
}

static int stored_or_fail(int err, struct side *s, const char *what, const char *value,
			  const char *db)
{
	if (err == -ENOENT)
		return fl_fail(ENOENT, "%s: %s holds no run with %s '%s'", s->pub.name, db,
			       what, value);
	return err;
}

/* A bare word: run ids, then a label, then a kernel release, then a git ref. */
static int resolve_bare(struct fl_store *st, struct cmp_args *a, struct side *s)
{
	const char *w = s->pub.spec;
	int err;

	if (is_run_list(w))
		return parse_run_list(s, w);
	err = find_stored(st, s, FL_RUNS_BY_LABEL, w);
	if (err != -ENOENT)
		return err;
	err = find_stored(st, s, FL_RUNS_BY_KERNEL, w);
	if (err != -ENOENT)
		return err;
	err = resolve_ref(a, s, w);
	if (err == -ENOENT)
		return fl_fail(ENOENT, "%s: '%s' is not a run id, a label or kernel of a run in "
			       "%s, nor a git ref in %s", s->pub.name, w, a->db,
			       a->repo[0] ? a->repo : "(no repository here)");
	return err;
}

static int resolve_side(struct fl_store *st, struct cmp_args *a, struct side *s)
{
	const char *sp = s->pub.spec;

	s->kind = SIDE_STORED;
	if (starts(sp, "run:"))
		return parse_run_list(s, sp + 4);
	if (starts(sp, "label:"))
		return stored_or_fail(find_stored(st, s, FL_RUNS_BY_LABEL, sp + 6), s,
				      "label", sp + 6, a->db);
	if (starts(sp, "kernel:"))
		return stored_or_fail(find_stored(st, s, FL_RUNS_BY_KERNEL, sp + 7), s,
				      "kernel", sp + 7, a->db);
	if (starts(sp, "commit:")) {
		if (strlen(sp + 7) < 4)
			return fl_fail(EINVAL, "%s: commit: needs at least 4 hex digits",
				       s->pub.name);
		return stored_or_fail(find_stored(st, s, FL_RUNS_BY_COMMIT, sp + 7), s,
				      "commit", sp + 7, a->db);
	}
	if (starts(sp, "exe:"))
		return resolve_exe(s, sp + 4);
	if (starts(sp, "ref:")) {
		int err = resolve_ref(a, s, sp + 4);

		if (err == -ENOENT)
			return fl_fail(ENOENT, "%s: %s", s->pub.name, fl_errmsg());
		return err;
	}
	return resolve_bare(st, a, s);
}

/* Could this side be code that compare runs and stores: exe:, ref: or a bare word? */
static bool may_be_code(const char *sp)
{
	static const char *const stored[] = { "run:", "label:", "kernel:", "commit:" };

	for (size_t i = 0; i < sizeof(stored) / sizeof(stored[0]); i++)
		if (starts(sp, stored[i]))
			return false;
	return !is_run_list(sp);
}

/*
 * Only a comparison that runs code may make a new results database; one of
 * stored runs needs the file to exist, so that a mistyped --db is an error
 * and not a new, empty file.
 */
static int open_store(const struct cmp_args *a, const struct side *sd, struct fl_store **st)
{
	if (a->noise_floors)
		return fl_store_open_existing(a->db, st);
	for (int i = 0; i < 2; i++)
		if (!sd[i].pub.spec[0])
			return fl_fail(EINVAL, "compare: side %s is empty: name stored runs, a "
				       "label, a kernel, a commit, exe:PATH or a git ref",
				       sd[i].pub.name);
	if (may_be_code(sd[0].pub.spec) || may_be_code(sd[1].pub.spec))
		return fl_store_open(a->db, st);
	return fl_store_open_existing(a->db, st);
}

/* ---- running code sides -------------------------------------------------- */

static int build_side(struct cmp_args *a, struct side *s, const struct side *other, const char *tmp,
		      int which)
{
	/* The same commit with the same make variables is built once. */
	if (other && other->kind == SIDE_REF && other->code.exe[0] &&
	    !strcmp(other->sha, s->sha) &&
	    !strcmp(a->make[0] ? a->make[0] : "", a->make[1] ? a->make[1] : "")) {
		strcpy(s->code.exe, other->code.exe);
		s->code.dir = other->code.dir;
		return 0;
	}
	return fl_code_side_build(&s->code, a->repo, s->sha, a->make[which], tmp, "compare");
}

static int split_args(const char *args, char *buf, size_t size, char **argv, int max)
{
	char *save, *tok;
	int n = 0;

	if (strlen(args) >= size)
		return fl_fail(EINVAL, "--run-args: too long");
	strcpy(buf, args);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return fl_fail(EINVAL, "--run-args: more than %d words", max);
		argv[n++] = tok;
	}
	argv[n] = NULL;
	return n;
}

static bool runs_code(const struct side *s)
{
	return s->kind != SIDE_STORED;
}

/* The code sides' runs, in pairs in random order (bench/measure/code_side.h). */
static int run_interleaved(struct fl_store *st, const struct cmp_args *a, struct side *sd,
			   const char *tmp)
{
	struct fl_code_side *code[2];
	char buf[1024], *args[MAX_RUN_ARGS + 1];
	int n = 0, err;

	err = split_args(a->run_args, buf, sizeof(buf), args, MAX_RUN_ARGS);
	if (err < 0)
		return err;
	for (int i = 0; i < 2; i++)
		if (runs_code(&sd[i]))
			code[n++] = &sd[i].code;
	err = fl_code_sides_run(st, code, n, (int)a->runs, args, tmp, "compare");
	for (int i = 0; i < 2 && !err; i++) {
		if (!runs_code(&sd[i]))
			continue;
		sd[i].ids = sd[i].code.ids;
		sd[i].nids = sd[i].code.nids;
		sd[i].code.ids = NULL;
	}
	return err;
}

/* ---- loading and checking ------------------------------------------------ */

/* --suite narrows a stored selection; runs named by id are never dropped. */
static bool filtered_out(const struct cmp_args *a, const struct side *s,
			 const struct fl_run *r)
{
	return s->kind == SIDE_STORED && a->suite && strcmp(r->meta.suite ? r->meta.suite : "",
							    a->suite);
}

/* Frees the oldest runs of a side beyond the newest n. */
static void keep_last(struct side *s, size_t n)
{
	size_t drop = s->pub.nruns - n;

	for (size_t i = 0; i < drop; i++)
		fl_run_free(&s->pub.runs[i]);
	memmove(s->pub.runs, s->pub.runs + drop, n * sizeof(*s->pub.runs));
	s->pub.nruns = n;
}

static int load_side(struct fl_store *st, const struct cmp_args *a, struct side *s)
{
	s->pub.runs = calloc(s->nids + 1, sizeof(*s->pub.runs));
	if (!s->pub.runs)
		return fl_fail(ENOMEM, "out of memory");
	for (size_t i = 0; i < s->nids; i++) {
		struct fl_run *r = &s->pub.runs[s->pub.nruns];
		int err;

		fl_run_init(r);
		err = fl_store_load_run(st, s->ids[i], r);
		if (err == -ENOENT)
			return fl_fail(ENOENT, "%s: %s has no run %lld", s->pub.name, a->db,
				       s->ids[i]);
		if (err)
			return err;
		if (filtered_out(a, s, r)) {
			fl_run_free(r);
			continue;
		}
		s->pub.nruns++;
	}
	if (!s->pub.nruns)
		return fl_fail(ENOENT, "%s: no run of suite '%s' in %s", s->pub.name, a->suite,
			       a->db);
	/* the newest --last of what --suite kept (ids are in age order) */
	if (a->last && s->kind == SIDE_STORED && s->pub.nruns > (size_t)a->last)
		keep_last(s, (size_t)a->last);
	return 0;
}

static const char *suite_of(const struct fl_run *r)
{
	return r->meta.suite ? r->meta.suite : "";
}

/*
 * A/A teaches every later verdict: the code must be the same.  Clean trees at
 * different commits are not; a dirty tree's commit does not say what was
 * built, so it is taken on trust.
 */
static int check_same_code(const struct side *sd)
{
	const struct fl_run *ref = &sd[0].pub.runs[0];

	for (int i = 0; i < 2; i++) {
		for (size_t k = 0; k < sd[i].pub.nruns; k++) {
			const struct fl_run *r = &sd[i].pub.runs[k];

			if (r->meta.git_dirty || ref->meta.git_dirty)
				return 0;
			if (strcmp(r->meta.git_commit ? r->meta.git_commit : "",
				   ref->meta.git_commit ? ref->meta.git_commit : ""))
				return fl_fail(EINVAL, "--aa: run %lld is at commit %.12s, "
					       "run %lld at %.12s: not the same code",
					       ref->meta.id, ref->meta.git_commit, r->meta.id,
					       r->meta.git_commit);
		}
	}
	return 0;
}

static int check_sides(const struct cmp_args *a, const struct side *sd)
{
	const struct fl_run *ref = &sd[0].pub.runs[0];

	for (int i = 0; i < 2; i++) {
		for (size_t k = 0; k < sd[i].pub.nruns; k++) {
			const struct fl_run *r = &sd[i].pub.runs[k];

			if (strcmp(suite_of(r), suite_of(ref)))
				return fl_fail(EINVAL, "runs of different suites: run %lld (A) "
					       "is '%s', run %lld (%s) is '%s'; compare like "
					       "with like",
					       ref->meta.id, suite_of(ref), r->meta.id,
					       sd[i].pub.name, suite_of(r));
			for (size_t j = 0; i == 1 && j < sd[0].pub.nruns; j++)
				if (sd[0].pub.runs[j].meta.id == r->meta.id)
					return fl_fail(EINVAL, "run %lld is on both sides",
						       r->meta.id);
		}
	}
	return a->aa ? check_same_code(sd) : 0;
}

/* ---- the report ---------------------------------------------------------- */

static int write_file(const char *path, void (*fn)(FILE *, const struct fl_cmp_report *),
		      const struct fl_cmp_report *r)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return fl_fail(errno, "%s: %s", path, strerror(errno));
	fn(f, r);
	if (fclose(f))
		return fl_fail(EIO, "%s: write failed", path);
	return 0;
}

static int report(const struct cmp_args *a, struct fl_cmp_report *r)
{
	int err = 0, drawn;

	fl_cmp_env_diffs(r);
	if (!strcmp(a->format, "markdown"))
		fl_cmp_print_markdown(stdout, r);
	else if (!strcmp(a->format, "json"))
		fl_cmp_print_json(stdout, r);
	else
		fl_cmp_print_table(stdout, r);
	fflush(stdout);
	if (a->md_path)
		err = write_file(a->md_path, fl_cmp_print_markdown, r);
	if (!err && a->json_path)
		err = write_file(a->json_path, fl_cmp_print_json, r);
	if (!err && a->plot_dir) {
		drawn = fl_cmp_plot(r, a->plot_dir);
		if (drawn < 0)
			return drawn;
		fprintf(stderr, "faultline compare: %d plots in %s/\n", drawn, a->plot_dir);
	}
	return err;
}

static int judge_and_store(struct fl_store *st, const struct cmp_args *a, struct side *sd,
			   struct fl_comparison *c, struct fl_cmp_report *r)
{
	const struct fl_run *ra = &sd[0].pub.runs[0];
	struct fl_cmp_opts o = a->o;
	struct fl_cmp_record rec;
	long long *ids[2];
	int err;

	/* Both sides ran here, in pairs (run_interleaved): judge them by pair. */
	o.paired = runs_code(&sd[0]) && runs_code(&sd[1]);
	err = fl_compare_build(sd[0].pub.runs, sd[0].pub.nruns, sd[1].pub.runs,
			       sd[1].pub.nruns, &o, c);
	if (err == -ENODATA)
		return fl_fail(ENODATA, "A and B share no benchmark%s: nothing to compare",
			       a->o.metrics ? " with that metric" : "");
	if (!err)
		err = fl_store_fill_noise(st, ra->meta.host, c);
	if (err)
		return err;
	fl_compare_judge(c, &a->o);
	fl_compare_sort(c);
	if (a->no_store)
		return 0;
	rec = (struct fl_cmp_record){
		.created_at = r->created_at, .label = a->label, .kind = r->kind,
		.a_spec = sd[0].pub.spec, .b_spec = sd[1].pub.spec, .host = ra->meta.host,
		.suite = ra->meta.suite, .alpha = a->o.alpha, .min_change = a->o.min_change,
	};
	for (int i = 0; i < 2; i++) {
		ids[i] = calloc(sd[i].pub.nruns + 1, sizeof(long long));
		if (!ids[i])
			return fl_fail(ENOMEM, "out of memory");
		for (size_t k = 0; k < sd[i].pub.nruns; k++)
			ids[i][k] = sd[i].pub.runs[k].meta.id;
	}
	rec.a_runs = ids[0];
	rec.na_runs = sd[0].pub.nruns;
	rec.b_runs = ids[1];
	rec.nb_runs = sd[1].pub.nruns;
	err = fl_store_save_comparison(st, &rec, c, &r->id);
	free(ids[0]);
	free(ids[1]);
	return err;
}

/* ---- the command --------------------------------------------------------- */

static void free_side(struct side *s, bool keep)
{
	for (size_t i = 0; i < s->pub.nruns; i++)
		fl_run_free(&s->pub.runs[i]);
	free(s->pub.runs);
	free(s->ids);
	fl_code_side_free(&s->code, keep);
}

static int prepare_code(struct fl_store *st, struct cmp_args *a, struct side *sd,
			char *tmp)
{
	int err = 0;

	if (!runs_code(&sd[0]) && !runs_code(&sd[1]))
		return 0;
	err = fl_tmp_make(tmp, PATH_MAX, "compare", true);
	for (int i = 0; i < 2; i++) {
		snprintf(sd[i].label, sizeof(sd[i].label), "compare:%s", sd[i].pub.spec);
		sd[i].code.name = sd[i].pub.name;
		sd[i].code.desc = sd[i].pub.spec;
		sd[i].code.label = sd[i].label;
	}
	for (int i = 0; i < 2 && !err; i++)
		if (sd[i].kind == SIDE_REF)
			err = build_side(a, &sd[i], i ? &sd[0] : NULL, tmp, i);
	if (!err)
		err = run_interleaved(st, a, sd, tmp);
	return err;
}

/*
 * --max-change: rows whose median moved more than bound % either way, each
 * said on stderr.  Exact guests repeat a kernel path to the instruction, so
 * two boots of one kernel must agree within a bound far below any noise
 * floor; statistics on a handful of identical values say nothing more.
 */
static int beyond_bound(const struct fl_comparison *c, double bound)
{
	char name[256];
	int n = 0;

	for (size_t i = 0; i < c->nrows; i++) {
		const struct fl_cmp_row *r = &c->rows[i];
		double pct = 100 * (r->med_b.est / r->med_a.est - 1);

		if (!(fabs(pct) > bound))
			continue;
		fprintf(stderr, "faultline compare: %s %s moved %+.3f%%, beyond the bound of "
			"%g%%\n", fl_bench_name(&r->key, name, sizeof(name)), r->key.metric,
			pct, bound);
		n++;
	}
	return n;
}

/* Every run of both sides counted instructions in an exact guest. */
static bool all_exact(const struct side *sd)
{
	for (int i = 0; i < 2; i++)
		for (size_t k = 0; k < sd[i].pub.nruns; k++) {
			const char *src = sd[i].pub.runs[k].meta.counter_source;

			if (!src || strcmp(src, FL_SOURCE_ICOUNT))
				return false;
		}
	return true;
}

static int compare(struct fl_store *st, struct cmp_args *a, struct side *sd, char *tmp,
		   int *exit_code)
{
	struct fl_comparison c = { 0 };
	struct fl_cmp_report r = { 0 };
	char *now = fl_now_iso8601();
	int err = 0;

	for (int i = 0; i < 2 && !err; i++)
		err = resolve_side(st, a, &sd[i]);
	if (!err)
		err = prepare_code(st, a, sd, tmp);
	for (int i = 0; i < 2 && !err; i++)
		err = load_side(st, a, &sd[i]);
	if (!err)
		err = check_sides(a, sd);
	if (!err && all_exact(sd))
		a->o.unknown_floor = FL_CMP_EXACT_UNKNOWN_FLOOR;
	if (!err && isnan(a->o.min_change))
		a->o.min_change = all_exact(sd) ? FL_CMP_EXACT_MIN_CHANGE : FL_CMP_MIN_CHANGE;
	r = (struct fl_cmp_report){ .a = sd[0].pub, .b = sd[1].pub, .c = &c, .o = &a->o,
				    .kind = a->aa ? "aa" : "ab", .created_at = now };
	if (!err)
		err = judge_and_store(st, a, sd, &c, &r);
	if (!err) {
		r.exit_code = c.regressions ? EXIT_REGRESSION : 0;
		err = report(a, &r);
	}
	if (!err && a->max_change && beyond_bound(&c, a->max_change))
		r.exit_code = EXIT_REGRESSION;
	if (!err)
		*exit_code = r.exit_code;
	fl_compare_free(&c);
	free(now);
	return err;
}

int cmd_compare(int argc, char **argv)
{
	struct cmp_args a = {
		.db = FL_DEFAULT_DB, .run_args = "--suite quick", .format = "table", .runs = 3,
		.o = FL_CMP_OPTS_DEFAULT,
	};
	struct side sd[2] = { { .pub.name = "A" }, { .pub.name = "B" } };
	char tmp[PATH_MAX] = "";
	struct fl_store *st = NULL;
	int err, exit_code = 0;

	a.o.min_change = NAN;	/* unless given: by the runs' counter source */
	err = parse_args(argc, argv, &a);
	if (err > 0)
		return 0;
	if (!err && !a.noise_floors) {
		sd[0].pub.spec = a.sides[0];
		sd[1].pub.spec = a.sides[1];
	}
	/* the reports are written after the comparison is stored: checked first */
	if (!err)
		err = fl_cli_check_writable("--markdown", a.md_path);
	if (!err)
		err = fl_cli_check_writable("--json", a.json_path);
	if (!err)
		err = open_store(&a, sd, &st);
	if (!err && a.noise_floors)
		err = fl_print_noise_floors(st, a.db, a.host,
					    !isnan(a.o.min_change) ? a.o.min_change :
					    a.host && strstr(a.host, "tcg-icount") ?
					    FL_CMP_EXACT_MIN_CHANGE : FL_CMP_MIN_CHANGE);
	else if (!err)
		err = compare(st, &a, sd, tmp, &exit_code);
	if (err)
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
	for (int i = 0; i < 2; i++)
		free_side(&sd[i], a.keep);
	if (!a.keep && tmp[0]) {
		fl_tmp_remove(tmp);
	} else if (tmp[0]) {
		fl_tmp_keep(tmp);
		fprintf(stderr, "faultline compare: worktrees kept in %s\n", tmp);
	}
	fl_store_close(st);
	return err ? EXIT_ERROR : exit_code;
}
