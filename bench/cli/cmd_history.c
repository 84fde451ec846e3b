// SPDX-License-Identifier: GPL-2.0
/*
 * faultline history BENCHMARK: one benchmark's median across the stored runs,
 * oldest first, with the commits and kernels they ran on, the change points
 * E-Divisive means finds in that series, and a plot of both.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/analysis/changepoint.h"
#include "bench/analysis/compare.h"
#include "bench/cli/cli.h"
#include "bench/cli/options.h"
#include "bench/err.h"
#include "bench/report/plot.h"
#include "bench/store/store.h"
#include "workloads/workload.h"

#define EXIT_ERROR	2
#define MAX_CP		16
#define MAX_VALUES	100000

struct hist_args {
	const char *db, *spec, *metric, *host, *label, *suite, *plot_dir;
	bool no_plot;
	struct fl_cp_opts cp;
};


struct point {
	long long run;
	struct fl_run meta;		/* meta only */
	size_t n;
	struct fl_ci med;
};

struct series {
	struct fl_bench_key key;	/* points into the store's list */
	const char *unit;
	struct point *p;
	size_t n;
	struct fl_changepoint cp[MAX_CP];
	size_t ncp;
};

/* ---- which benchmark ----------------------------------------------------- */

static bool key_matches(const struct fl_bench_key *k, const struct fl_bench_pattern *pt,
			const char *metric)
{
	return !strcmp(k->metric, metric) &&
	       fl_bench_pattern_matches(pt, k->workload, k->variant, k->backend, k->params);
}

static const char *default_metric(const struct fl_bench_pattern *pt, const struct hist_args *a)
{
	const struct fl_workload *w = fl_workload_find(pt->workload);

	if (a->metric)
		return a->metric;
	return w ? w->metrics[0].name : NULL;
}

static int pick_key(const struct fl_bench_key *keys, size_t n, const struct fl_bench_pattern *pt,
		    const char *metric, const struct hist_args *a, size_t *which)
{
	char list[600] = "", name[256];
	size_t found = 0, len = 0;

	for (size_t i = 0; i < n; i++) {
		if (!key_matches(&keys[i], pt, metric))
			continue;
		if (found++ < 4 && len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						found > 1 ? ", " : "",
						fl_bench_name(&keys[i], name, sizeof(name)));
		*which = i;
	}
	if (found == 1)
		return 0;
	if (!found)
		return fl_fail(ENOENT, "%s holds no benchmark '%s' with metric %s", a->db,
			       a->spec, metric);
	return fl_fail(EINVAL, "'%s' names %zu benchmarks (%s%s): name its parameters too",
		       a->spec, found, list, found > 4 ? ", ..." : "");
}

/* ---- the series ---------------------------------------------------------- */

static bool wanted(const struct hist_args *a, const struct fl_run *r)
{
	return (!a->host || (r->meta.host && !strcmp(r->meta.host, a->host))) &&
	       (!a->label || (r->meta.label && !strcmp(r->meta.label, a->label))) &&
	       (!a->suite || (r->meta.suite && !strcmp(r->meta.suite, a->suite)));
}

/* The values of exactly this benchmark x metric in a run, NaN left out. */
static size_t values_of(const struct fl_run *r, const struct fl_bench_key *k, double *v,
			size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nsamples && n < max; i++) {
		const struct fl_sample *x = &r->samples[i];

		if (!isnan(x->value) && !strcmp(x->metric, k->metric) &&
		    !strcmp(x->params, k->params) && !strcmp(x->variant, k->variant) &&
		    !strcmp(x->backend, k->backend) && !strcmp(x->workload, k->workload))
			v[n++] = x->value;
	}
	return n;
}

static int add_point(struct fl_store *st, const struct hist_args *a, struct series *s,
		     long long id, double *v)
{
	struct point *p = &s->p[s->n];
	struct fl_run r;
	int err;

	fl_run_init(&r);
	err = fl_store_load_run(st, id, &r);
	if (err)
		return err;
	p->n = wanted(a, &r) ? values_of(&r, &s->key, v, MAX_VALUES) : 0;
	for (size_t i = 0; i < r.nsamples && !s->unit; i++)
		if (!strcmp(r.samples[i].metric, s->key.metric))
			s->unit = strdup(r.samples[i].unit);
	if (p->n)
		err = fl_median_ci(v, p->n, 0.95, &p->med, NULL);
	fl_run_free(&r);
	if (err || !p->n)
		return err;
	/* The samples are not needed any more: keep the meta only. */
	fl_run_init(&p->meta);
	err = fl_store_load_meta(st, id, &p->meta);
	p->run = id;
	s->n += !err;
	return err;
}

static int load_series(struct fl_store *st, const struct hist_args *a, struct series *s)
{
	long long *ids;
	size_t n;
	double *v;
	int err;

	err = fl_store_runs_with(st, &s->key, &ids, &n);
	if (err)
		return err;
	s->p = calloc(n + 1, sizeof(*s->p));
	v = malloc(MAX_VALUES * sizeof(*v));
	if (!s->p || !v)
		err = fl_fail(ENOMEM, "out of memory for %zu runs", n);
	for (size_t i = 0; !err && i < n; i++)
		err = add_point(st, a, s, ids[i], v);
	free(v);
	free(ids);
	if (!err && !s->n)
		err = fl_fail(ENOENT, "no stored run of that benchmark passes the filters");
	return err;
}

static int find_changes(const struct hist_args *a, struct series *s)
{
	double *m = malloc((s->n + 1) * sizeof(*m));
	int err;

	if (!m)
		return fl_fail(ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n; i++)
		m[i] = s->p[i].med.est;
	err = fl_edivisive(m, s->n, &a->cp, s->cp, MAX_CP, &s->ncp);
	free(m);
	return err;
}

/* The level of points [from, to): the median of their medians. */
static double level(const struct series *s, size_t from, size_t to)
{
	double v[4096];
	size_t n = 0;

	for (size_t i = from; i < to && n < 4096; i++)
		v[n++] = s->p[i].med.est;
	return fl_median(v, n);
}

static size_t seg_end(const struct series *s, size_t k)
{
	return k < s->ncp ? s->cp[k].index : s->n;
}

static size_t seg_start(const struct series *s, size_t k)
{
	return k ? s->cp[k - 1].index : 0;
}

/* ---- output -------------------------------------------------------------- */

static const char *str(const char *s)
{
	return s && *s ? s : "-";
}

static void print_point(const struct point *p, size_t i)
{
	const struct fl_run_meta *m = &p->meta.meta;

	printf("%4zu %6lld  %-20s  %-10.10s%s %-22s %-16.16s %5zu  %10.4g [%.4g, %.4g]\n",
	       i + 1, p->run, str(m->started_at), str(m->git_commit), m->git_dirty ? "+" : " ",
	       str(m->kernel_release), str(m->label), p->n, p->med.est, p->med.lo, p->med.hi);
}

static void print_change(const struct series *s, size_t k)
{
	double before = level(s, seg_start(s, k), s->cp[k].index);
	double after = level(s, s->cp[k].index, seg_end(s, k + 1));

	printf("     ---- change point: %.4g -> %.4g (%+.1f%%), p = %.3g ----\n", before,
	       after, 100 * (after / before - 1), s->cp[k].p);
}

static void print_series(const struct hist_args *a, const struct series *s)
{
	char name[256];
	size_t k = 0;

	printf("history of %s %s (%s) in %s: %zu runs\n",
	       fl_bench_name(&s->key, name, sizeof(name)), s->key.metric, str(s->unit), a->db,
	       s->n);
	printf("%4s %6s  %-20s  %-11s  %-22s %-16s %5s  %s\n", "#", "run", "started", "commit",
	       "kernel", "label", "n", "median [95% CI]");
	for (size_t i = 0; i < s->n; i++) {
		if (k < s->ncp && s->cp[k].index == i)
			print_change(s, k++);
		print_point(&s->p[i], i);
	}
	if (!s->ncp) {
		printf("no change point (E-Divisive means, p <= %g, %u permutations)\n",
		       a->cp.alpha, a->cp.permutations);
		return;
	}
	printf("%zu change point%s (E-Divisive means, p <= %g, %u permutations):\n", s->ncp,
	       s->ncp > 1 ? "s" : "", a->cp.alpha, a->cp.permutations);
	for (k = 0; k < s->ncp; k++) {
		const struct fl_run_meta *m = &s->p[s->cp[k].index].meta.meta;

		printf("  from run %lld (commit %.12s, kernel %s, %s)\n",
		       s->p[s->cp[k].index].run, str(m->git_commit), str(m->kernel_release),
		       str(m->started_at));
	}
}

/* The plot: medians with their intervals, and each segment's level as a line. */
static int plot_series(const struct hist_args *a, const struct series *s)
{
	static double x[8][2], y[8][2];
	char path[1024], title[512], ylabel[200], names[8][128], key[256];
	struct fl_plot p = { 0 };
	double *px, *py, *plo, *phi;
	size_t nseg = s->ncp + 1, k, i;
	int err;

	if (mkdir(a->plot_dir, 0755) && errno != EEXIST)
		return fl_fail(errno, "cannot create %s: %s", a->plot_dir, strerror(errno));
	px = calloc(4 * (s->n + 1), sizeof(double));
	if (!px)
		return fl_fail(ENOMEM, "out of memory");
	py = px + s->n + 1;
	plo = py + s->n + 1;
	phi = plo + s->n + 1;
	for (i = 0; i < s->n; i++) {
		px[i] = (double)(i + 1);
		py[i] = s->p[i].med.est;
		plo[i] = s->p[i].med.lo;
		phi[i] = s->p[i].med.hi;
	}
	fl_bench_name(&s->key, key, sizeof(key));
	for (i = 0; key[i]; i++)
		if (key[i] == '/' || key[i] == ',' || key[i] == '=')
			key[i] = '-';
	snprintf(path, sizeof(path), "%s/history-%s-%s", a->plot_dir, key, s->key.metric);
	snprintf(title, sizeof(title), "history: %s/%s/%s %s  (%zu change point%s)",
		 s->key.workload, s->key.variant, s->key.params, s->key.metric, s->ncp,
		 s->ncp == 1 ? "" : "s");
	snprintf(ylabel, sizeof(ylabel), "%s per run (median, 95%% CI)", str(s->unit));
	p.path = path;
	p.title = title;
	p.xlabel = "stored run, oldest first (numbered as in faultline history)";
	p.ylabel = ylabel;
	p.series[p.nseries++] = (struct fl_series){ "median of a run", px, py, plo, phi, s->n };
	/* at most 7 levels fit beside the medians */
	for (k = 0; k < nseg && k < FL_PLOT_MAX_SERIES - 1; k++) {
		size_t from = seg_start(s, k), to = seg_end(s, k);
		double lv = level(s, from, to), prev = k ? level(s, seg_start(s, k - 1), from) : 0;

		x[k][0] = (double)from + 1;
		x[k][1] = (double)to;
		y[k][0] = y[k][1] = lv;
		if (k)
			snprintf(names[k], sizeof(names[k]), "level, runs %zu-%zu: %.4g (%+.1f%%)",
				 from + 1, to, lv, 100 * (lv / prev - 1));
		else
			snprintf(names[k], sizeof(names[k]), "level, runs %zu-%zu: %.4g", from + 1,
				 to, lv);
		p.series[p.nseries++] = (struct fl_series){ names[k], x[k], y[k], NULL, NULL,
							    2 };
	}
	err = fl_plot_write(&p);
	free(px);
	if (!err)
		printf("plot: %s.png, %s.svg\n", path, path);
	return err;
}

/* ---- the command --------------------------------------------------------- */

/* 0, 1 after --help, or a negative errno. */
static int parse_args(int argc, char **argv, struct hist_args *a)
{
	static const char *const usage[] = { "faultline history BENCHMARK [OPTIONS]", NULL };
	static const struct fl_cmd_help help = {
		"history", usage,
		"BENCHMARK is WORKLOAD[/VARIANT][/BACKEND][/NAME=VALUE,...], enough of it to\n"
		"name one stored benchmark: reaim_vunmap/new/M=64000.  Prints its median in\n"
		"every stored run that has it, oldest first, with commit and kernel, marks the\n"
		"change points E-Divisive means finds (a permutation test decides), and plots\n"
		"the series with the levels between change points.",
		"Exit status: 0, or 2 on an error.",
	};
	long permutations = a->cp.permutations;
	const struct fl_option opts[] = {
		FL_OPT_STRING("metric", &a->metric, "M", "the metric (default: the workload's first)"),
		FL_OPT_STRING("host", &a->host, "H", "only runs on host H"),
		FL_OPT_STRING("label", &a->label, "TEXT", "only runs with this label"),
		FL_OPT_STRING("suite", &a->suite, "NAME", "only runs of this suite"),
		FL_OPT_DOUBLE("alpha", &a->cp.alpha, 1e-6, 0.999999, "P",
			      "significance of a change point (default 0.01)"),
		FL_OPT_LONG("permutations", &permutations, 19, 100000, "N",
			    "per candidate change point (default 199)"),
		FL_OPT_STRING("plot", &a->plot_dir, "DIR", "where the plot goes (default plots)"),
		FL_OPT_BOOL("no-plot", &a->no_plot, "no plot"),
		FL_OPT_STRING("db", &a->db, "FILE", "results database (default results.db)"),
		FL_OPT_END(),
	};
	char *args[2];
	int n, err = fl_parse_options(argc, argv, opts, &help, args, 1, &n);

	if (err)
		return err;
	if (n != 1)
		return fl_fail(EINVAL, "history: name one benchmark (see faultline history "
			       "--help)");
	a->cp.permutations = (unsigned int)permutations;
	a->spec = args[0];
	return 0;
}

static int history(struct fl_store *st, struct hist_args *a, struct series *s)
{
	struct fl_bench_key *keys = NULL;
	struct fl_bench_pattern pt;
	const char *metric;
	size_t nkeys = 0, which = 0;
	int err;

	err = fl_bench_pattern_parse(a->spec, &pt);
	if (err)
		return err;
	metric = default_metric(&pt, a);
	if (!metric)
		return fl_fail(EINVAL, "history: workload '%s' is not known here: name --metric",
			       pt.workload);
	err = fl_store_list_benchmarks(st, &keys, &nkeys);
	if (!err && !nkeys)
		err = fl_fail(ENOENT, "%s holds no run yet", a->db);
	if (!err)
		err = pick_key(keys, nkeys, &pt, metric, a, &which);
	if (!err) {
		s->key = keys[which];
		err = load_series(st, a, s);
	}
	if (!err)
		err = find_changes(a, s);
	if (!err)
		print_series(a, s);
	if (!err && !a->no_plot && fl_plot_available())
		err = plot_series(a, s);
	else if (!err && !a->no_plot)
		fprintf(stderr, "faultline history: no plot: gnuplot not found (make deps)\n");
	s->key = (struct fl_bench_key){ 0 };
	fl_store_free_keys(keys, nkeys);
	return err;
}

int cmd_history(int argc, char **argv)
{
	struct hist_args a = { .db = FL_DEFAULT_DB, .plot_dir = "plots",
			       .cp = FL_CP_OPTS_DEFAULT };
	struct fl_store *st = NULL;
	struct series s = { 0 };
	int err;

	err = parse_args(argc, argv, &a);
	if (err > 0)
		return 0;
	if (!err)
		err = fl_store_open_existing(a.db, &st);
	if (!err)
		err = history(st, &a, &s);
	if (err)
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
	for (size_t i = 0; i < s.n; i++)
		fl_run_free(&s.p[i].meta);
	free(s.p);
	free((char *)s.unit);
	fl_store_close(st);
	return err ? EXIT_ERROR : 0;
}
