// SPDX-License-Identifier: GPL-2.0
/* faultline show: a stored run's benchmarks, one line per metric. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/analysis/stats.h"
#include "bench/cli/cli.h"
#include "bench/err.h"

/* One row: a benchmark x metric, and its repetitions' values. */
struct row {
	const struct fl_sample *s;	/* the first of its samples */
	char name[256];
	double *v;
	size_t n;
};

static bool same_row(const struct fl_sample *a, const struct fl_sample *b)
{
	return !strcmp(a->workload, b->workload) && !strcmp(a->variant, b->variant) &&
	       !strcmp(a->backend, b->backend) && !strcmp(a->params, b->params) &&
	       !strcmp(a->metric, b->metric);
}

/* By benchmark name, numbers in order (M=64 before M=128), then metric. */
static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = strverscmp(a->name, b->name);

	return c ? c : strcmp(a->s->metric, b->s->metric);
}

/* The rows of r, sorted; metric NULL for all.  Frees nothing of r. */
static int collect(const struct fl_run *r, const char *metric, struct row **out, size_t *nout)
{
	struct row *rows = calloc(r->nsamples + 1, sizeof(*rows));
	size_t n = 0;

	if (!rows)
		return fl_fail(ENOMEM, "out of memory");
	for (size_t i = 0; i < r->nsamples; i++) {
		const struct fl_sample *s = &r->samples[i];
		size_t k = 0;

		if (metric && strcmp(metric, s->metric))
			continue;
		while (k < n && !same_row(rows[k].s, s))
			k++;
		if (k == n) {
			rows[n].s = s;
			rows[n].v = calloc(r->nsamples, sizeof(double));
			if (!rows[n].v) {
				*out = rows;
				*nout = n;
				return fl_fail(ENOMEM, "out of memory");
			}
			snprintf(rows[n].name, sizeof(rows[n].name), "%s/%s/%s/%s", s->workload,
				 s->variant, s->backend, s->params);
			n++;
		}
		rows[k].v[rows[k].n++] = s->value;
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	*out = rows;
	*nout = n;
	return 0;
}

static int width_of(const struct row *rows, size_t n, const char *head, int which)
{
	int w = (int)strlen(head);

	for (size_t i = 0; i < n; i++) {
		const char *t = which == 0 ? rows[i].name :
				which == 1 ? rows[i].s->metric : rows[i].s->unit;

		if ((int)strlen(t) > w)
			w = (int)strlen(t);
	}
	return w;
}

/*
 * Six significant digits: two runs a fraction of a percent apart still show
 * different numbers.
 */
static int show(const struct fl_run *r, void *arg)
{
	const char *metric = arg;
	struct row *rows = NULL;
	size_t n = 0;
	int wn, wm, wu, err;

	err = collect(r, metric, &rows, &n);
	if (!err && !n)
		err = metric ? fl_fail(ENOENT, "run %lld has no metric '%s' (faultline show "
				       "lists them)", r->meta.id, metric)
			     : fl_fail(ENOENT, "run %lld has no samples", r->meta.id);
	if (err)
		goto out;
	wn = width_of(rows, n, "benchmark", 0);
	wm = width_of(rows, n, "metric", 1);
	wu = width_of(rows, n, "unit", 2);
	printf("run %lld  %s  suite %s  order %s  kernel %s  counters %s\n", r->meta.id,
	       r->meta.started_at, r->meta.suite,
	       r->meta.schedule ? r->meta.schedule : "not recorded", r->meta.kernel_release,
	       r->meta.counter_source);
	printf("%-*s  %-*s  %-*s %4s %12s %12s %12s %7s\n", wn, "benchmark", wm, "metric",
	       wu, "unit", "n", "median", "min", "max", "cv");
	for (size_t i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		double cv = w->n > 1 ? 100 * fl_cv(w->v, w->n) : NAN;

		printf("%-*s  %-*s  %-*s %4zu %12.6g %12.6g %12.6g ", wn, w->name, wm,
		       w->s->metric, wu, w->s->unit, w->n, fl_median(w->v, w->n),
		       fl_min(w->v, w->n), fl_max(w->v, w->n));
		if (isfinite(cv))
			printf("%6.1f%%\n", cv);
		else
			printf("%7s\n", "-");
	}
out:
	for (size_t i = 0; i < n; i++)
		free(rows[i].v);
	free(rows);
	return err;
}

int cmd_show(int argc, char **argv)
{
	static const char *const usage[] = { "faultline show [--db FILE] [--run ID] "
					     "[--metric NAME]", NULL };
	static const struct fl_cmd_help help = {
		"show", usage,
		"The newest run's (or run ID's) benchmarks, sorted: per metric its unit, the\n"
		"number of repetitions, median, min, max and coefficient of variation.",
		NULL,
	};
	struct fl_cli_run_opts ro = { .db = FL_DEFAULT_DB };
	const char *metric = NULL;
	const struct fl_option opts[] = {
		FL_CLI_RUN_OPTIONS(ro),
		FL_OPT_STRING("metric", &metric, "NAME", "that metric only"),
		FL_OPT_END(),
	};
	int n, status;

	if (fl_cli_options(argc, argv, opts, &help, NULL, 0, &n, &status))
		return status;
	return fl_cli_with_run(&ro, show, (void *)metric);
}
