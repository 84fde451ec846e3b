// SPDX-License-Identifier: GPL-2.0
/* faultline claims: published against measured, and the verdict, for a run. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "cli.h"
#include "err.h"

static void claims_usage(FILE *f)
{
	fprintf(f,
"usage: faultline claims [--db FILE] [--run ID] [--format text|tsv]\n\n"
"For the newest run (or run ID), each claim: what was published, what this run\n"
"measured (with its 95%% interval), and the verdict, computed from the stored\n"
"samples.  tsv prints id, published, measured and verdict, tab-separated.\n");
}

static void print_num(double v)
{
	if (isnan(v))
		printf("-");
	else
		printf("%.4g", v);
}

static void print_tsv(const struct fl_verdict *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		printf("%s\t", v[i].claim_id);
		print_num(v[i].published);
		printf("\t");
		print_num(v[i].measured);
		printf("\t%s\n", fl_verdict_name(v[i].verdict));
	}
}

static void print_text(const struct fl_run *r, const struct fl_verdict *v, size_t n)
{
	printf("run %lld  %s  %s  kernel %s  counters %s\n\n", r->meta.id, r->meta.started_at,
	       r->meta.backend, r->meta.kernel_release, r->meta.counter_source);
	for (size_t i = 0; i < n; i++) {
		const struct fl_claim *c = fl_claim_find(v[i].claim_id);
		char measured[64] = "-";

		if (!isnan(v[i].measured))
			snprintf(measured, sizeof(measured), "%.4g [%.4g, %.4g]",
				 v[i].measured, v[i].lo, v[i].hi);
		printf("%-14s %s\n", c->id, c->metric);
		printf("  published %-10.4g measured %-28s %s\n", c->published, measured,
		       fl_verdict_name(v[i].verdict));
		if (v[i].reason[0])
			printf("  %s\n", v[i].reason);
	}
}

static int claims_of(const struct fl_run *r, void *arg)
{
	const char *format = arg;
	struct fl_verdict v[32];
	size_t n = fl_cli_evaluate(r, v, 32);

	if (!strcmp(format, "tsv"))
		print_tsv(v, n);
	else
		print_text(r, v, n);
	return 0;
}

int cmd_claims(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, 0, 'd' },
		{ "run", required_argument, 0, 'r' },
		{ "format", required_argument, 0, 'f' },
		{ "help", no_argument, 0, 'h' },
		{ 0 }
	};
	struct fl_cli_run_opts ro = { .db = FL_DEFAULT_DB };
	const char *format = "text";
	int c, err = 0;

	optind = 1;
	opterr = 0;
	while (err >= 0 && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		err = fl_cli_run_option(c, optarg, &ro);
		if (err)
			continue;
		switch (c) {
		case 'f':
			format = optarg;
			if (strcmp(format, "text") && strcmp(format, "tsv"))
				err = fl_fail(EINVAL, "unknown format '%s' (text or tsv)", format);
			break;
		case 'h':
			claims_usage(stdout);
			return 0;
		default:
			err = fl_fail(EINVAL, "claims: unknown or incomplete option '%s'",
				      argv[optind - 1]);
		}
	}
	if (err >= 0 && optind < argc)
		err = fl_fail(EINVAL, "claims: unexpected argument '%s'", argv[optind]);
	if (err < 0) {
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
		return 1;
	}
	return fl_cli_with_run(&ro, claims_of, (void *)format);
}
