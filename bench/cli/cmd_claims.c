// SPDX-License-Identifier: GPL-2.0
/* faultline claims: published against measured, and the verdict, for a run. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/claims/claims.h"
#include "bench/cli/cli.h"
#include "bench/err.h"

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
		printf("\t%s\t%s\t", fl_verdict_name(v[i].verdict),
		       fl_verdict_name(v[i].mechanism));
		print_num(v[i].lo);
		printf("\t");
		print_num(v[i].hi);
		printf("\n");
	}
}

/* A reason, one of its "; "-separated parts a line, so that a person can read it. */
static void print_reason(const char *s)
{
	while (*s) {
		const char *end = strstr(s, "; ");
		int len = end ? (int)(end - s) : (int)strlen(s);

		printf("  %.*s\n", len, s);
		s += len + (end ? 2 : 0);
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
		printf("  published %-10.4g measured %-28s magnitude: %s\n", c->published,
		       measured, fl_verdict_name(v[i].verdict));
		print_reason(v[i].reason);
		printf("  mechanism: %s", fl_verdict_name(v[i].mechanism));
		printf("%s%s\n", v[i].mechanism_reason[0] ? ": " : "", v[i].mechanism_reason);
	}
}

struct claims_args {
	const char *format;
	long pairs;		/* 0: every repetition */
};

/*
 * r's first `pairs` repetitions of every benchmark, meta borrowed: how a
 * verdict would have come out with fewer pairs (README, "How many pairs").
 */
static int first_repetitions(const struct fl_run *r, long pairs, struct fl_run *out)
{
	fl_run_init(out);
	out->meta = r->meta;
	for (size_t i = 0; i < r->nsamples; i++) {
		if (r->samples[i].repetition >= pairs)
			continue;
		if (fl_run_add(out, &r->samples[i]))
			return fl_fail(ENOMEM, "out of memory");
	}
	return 0;
}

static int claims_of(const struct fl_run *r, void *arg)
{
	const struct claims_args *a = arg;
	const char *format = a->format;
	struct fl_verdict v[32];
	struct fl_run first;
	size_t n;

	if (a->pairs) {
		int err = first_repetitions(r, a->pairs, &first);

		if (!err)
			n = fl_cli_evaluate(&first, v, 32);
		memset(&first.meta, 0, sizeof(first.meta));	/* borrowed */
		fl_run_free(&first);
		if (err)
			return err;
	} else {
		n = fl_cli_evaluate(r, v, 32);
	}

	if (!strcmp(format, "tsv"))
		print_tsv(v, n);
	else
		print_text(r, v, n);
	return 0;
}

static int opt_format(void *value, const char *arg)
{
	if (strcmp(arg, "text") && strcmp(arg, "tsv"))
		return fl_fail(EINVAL, "unknown format '%s' (text or tsv)", arg);
	*(const char **)value = arg;
	return 0;
}

int cmd_claims(int argc, char **argv)
{
	static const char *const usage[] = { "faultline claims [--db FILE] [--run ID] "
					     "[--format text|tsv] [--pairs N]", NULL };
	static const struct fl_cmd_help help = {
		"claims", usage,
		"For the newest run (or run ID), each claim: what was published, what this run\n"
		"measured (with its 95% interval), and two verdicts computed from the stored\n"
		"samples: the magnitude (does the published number reproduce here) and the\n"
		"mechanism (is the work the change removed present in old and gone in new,\n"
		"from counts noise cannot move).  tsv prints id, published, measured, the\n"
		"magnitude's verdict and the mechanism's, and the interval's low and high,\n"
		"tab-separated.  --pairs N judges on the first N repetitions (pairs) only.",
		NULL,
	};
	struct fl_cli_run_opts ro = { .db = FL_DEFAULT_DB };
	struct claims_args a = { .format = "text" };
	const struct fl_option opts[] = {
		FL_CLI_RUN_OPTIONS(ro),
		FL_OPT_CALLBACK("format", &a.format, "F", "text (default) or tsv", opt_format),
		FL_OPT_LONG("pairs", &a.pairs, 2, 1000, "N",
			    "judge on the first N repetitions (pairs) of each benchmark"),
		FL_OPT_END(),
	};
	int n, status;

	if (fl_cli_options(argc, argv, opts, &help, NULL, 0, &n, &status))
		return status;
	return fl_cli_with_run(&ro, claims_of, &a);
}
