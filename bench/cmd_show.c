// SPDX-License-Identifier: GPL-2.0
/* faultline show: a stored run's benchmarks, one line per metric. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "stats.h"

#define MAX_REPS	1000

static bool same_benchmark(const struct fl_sample *a, const struct fl_sample *b)
{
	return !strcmp(a->workload, b->workload) && !strcmp(a->variant, b->variant) &&
	       !strcmp(a->backend, b->backend) && !strcmp(a->params, b->params) &&
	       !strcmp(a->metric, b->metric);
}

/* Whether an earlier sample already stood for this benchmark and metric. */
static bool seen(const struct fl_run *r, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_benchmark(&r->samples[j], &r->samples[i]))
			return true;
	return false;
}

static int show(const struct fl_run *r, void *arg)
{
	const char *metric = arg;
	static double v[MAX_REPS];

	printf("run %lld  %s  suite %s  kernel %s  counters %s\n", r->meta.id,
	       r->meta.started_at, r->meta.suite, r->meta.kernel_release,
	       r->meta.counter_source);
	printf("%-48s %-22s %4s %12s %12s %12s %7s\n", "benchmark", "metric", "n", "median",
	       "min", "max", "cv");
	for (size_t i = 0; i < r->nsamples; i++) {
		const struct fl_sample *s = &r->samples[i];
		char name[256];
		size_t n = 0;
		double cv;

		if (seen(r, i) || (metric && strcmp(metric, s->metric)))
			continue;
		for (size_t j = i; j < r->nsamples && n < MAX_REPS; j++)
			if (same_benchmark(s, &r->samples[j]))
				v[n++] = r->samples[j].value;
		snprintf(name, sizeof(name), "%s/%s/%s/%s", s->workload, s->variant, s->backend,
			 s->params);
		cv = n > 1 ? 100 * fl_cv(v, n) : NAN;
		printf("%-48s %-22s %4zu %12.4g %12.4g %12.4g ", name, s->metric, n,
		       fl_median(v, n), fl_min(v, n), fl_max(v, n));
		if (isfinite(cv))
			printf("%6.1f%%\n", cv);
		else
			printf("%7s\n", "-");
	}
	return 0;
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, 0, 'd' },
		{ "run", required_argument, 0, 'r' },
		{ "metric", required_argument, 0, 'm' },
		{ "help", no_argument, 0, 'h' },
		{ 0 }
	};
	struct fl_cli_run_opts ro = { .db = FL_DEFAULT_DB };
	const char *metric = NULL;
	int c, err = 0;

	optind = 1;
	opterr = 0;
	while (err >= 0 && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		err = fl_cli_run_option(c, optarg, &ro);
		if (err)
			continue;
		switch (c) {
		case 'm':
			metric = optarg;
			break;
		case 'h':
			printf("usage: faultline show [--db FILE] [--run ID] [--metric NAME]\n\n"
			       "The newest run's (or run ID's) benchmarks: per metric the number\n"
			       "of repetitions, median, min, max and coefficient of variation.\n");
			return 0;
		default:
			err = fl_fail(EINVAL, "show: unknown or incomplete option '%s'",
				      argv[optind - 1]);
		}
	}
	if (err >= 0 && optind < argc)
		err = fl_fail(EINVAL, "show: unexpected argument '%s'", argv[optind]);
	if (err < 0) {
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
		return 1;
	}
	return fl_cli_with_run(&ro, show, (void *)metric);
}
