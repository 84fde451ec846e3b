// SPDX-License-Identifier: GPL-2.0
/*
 * bench/report/noise_floors.c - faultline compare --noise-floors: what the A/A
 * comparisons stored for a host have taught, per claim, with the smallest
 * change each benchmark can detect (see noise_floors.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/analysis/compare.h"
#include "bench/claims/claims.h"
#include "bench/err.h"
#include "bench/report/noise_floors.h"
#include "workloads/workload.h"

struct floor_entry {
	struct fl_bench_key key;
	char *unit;
	struct fl_noise nf;
	bool claimed;
};

struct floor_list {
	struct floor_entry *e;
	size_t n, cap;
	double min_change;
};

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

static void floor_add(const struct fl_bench_key *k, const char *unit,
		      const struct fl_noise *nf, void *arg)
{
	struct floor_list *l = arg;
	struct floor_entry *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;

		e = realloc(l->e, cap * sizeof(*e));
		if (!e)
			return;
		l->e = e;
		l->cap = cap;
	}
	e = &l->e[l->n++];
	e->key = (struct fl_bench_key){ dup0(k->workload), dup0(k->variant), dup0(k->backend),
					 dup0(k->params), dup0(k->metric) };
	e->unit = dup0(unit);
	e->nf = *nf;
	e->claimed = false;
}

static bool in_list(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, ",");

		if (l == len && !strncmp(p, name, len))
			return true;
		p += l + (p[l] == ',');
	}
	return false;
}

static bool of_claim(const struct fl_claim *cl, const struct fl_bench_key *k)
{
	for (const struct fl_suite_entry *e = cl->quick; e && e->workload; e++)
		if (!strcmp(e->workload, k->workload) &&
		    !strcmp(fl_backend_name(e->backend), k->backend) &&
		    (in_list(e->variants, k->variant) || !strcmp(k->variant, "live")))
			return true;
	return false;
}

static void floor_row(const struct floor_entry *e, double min_change)
{
	char name[512];

	printf("  %-52s %-24s %7.2f%% %7.2f%% %5d %7ld %9.2f%%\n",
	       fl_bench_name(&e->key, name, sizeof(name)), e->key.metric, e->nf.floor_pct,
	       e->nf.sd_pct, e->nf.comparisons, e->nf.samples, fl_noise_mde(&e->nf, min_change));
}

/* Per metric of a claim: the best and worst smallest-detectable change. */
static void claim_summary(const struct floor_list *l, const struct fl_claim *cl)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct floor_entry *e = &l->e[i];
		double lo = INFINITY, hi = -INFINITY;
		bool first = true;

		if (!of_claim(cl, &e->key))
			continue;
		for (size_t j = 0; j < i && first; j++)
			first = !(of_claim(cl, &l->e[j].key) &&
				  !strcmp(l->e[j].key.metric, e->key.metric));
		if (!first)
			continue;
		for (size_t j = i; j < l->n; j++) {
			double m;

			if (!of_claim(cl, &l->e[j].key) ||
			    strcmp(l->e[j].key.metric, e->key.metric))
				continue;
			m = fl_noise_mde(&l->e[j].nf, l->min_change);
			lo = fmin(lo, m);
			hi = fmax(hi, m);
		}
		printf("  %-24s smallest detectable change %.2f%% .. %.2f%% across its "
		       "benchmarks\n", e->key.metric, lo, hi);
	}
}

static void print_floors(struct floor_list *l, const char *what)
{
	printf("\n%s\n", what);
	for (int i = 0; fl_claims[i]; i++) {
		size_t shown = 0;

		for (size_t k = 0; k < l->n; k++) {
			if (!of_claim(fl_claims[i], &l->e[k].key))
				continue;
			if (!shown++) {
				printf("\nclaim %s\n", fl_claims[i]->id);
				printf("  %-52s %-24s %8s %8s %5s %7s %10s\n", "benchmark",
				       "metric", "floor", "sd", "A/A", "samples", "detectable");
			}
			l->e[k].claimed = true;
			floor_row(&l->e[k], l->min_change);
		}
		if (shown)
			claim_summary(l, fl_claims[i]);
	}
	for (size_t k = 0, head = 0; k < l->n; k++) {
		if (l->e[k].claimed)
			continue;
		if (!head++)
			printf("\nbenchmarks of no claim\n");
		floor_row(&l->e[k], l->min_change);
	}
}

static void free_floors(struct floor_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct fl_bench_key *k = &l->e[i].key;

		free(k->workload);
		free(k->variant);
		free(k->backend);
		free(k->params);
		free(k->metric);
		free(l->e[i].unit);
	}
	free(l->e);
}

int fl_print_noise_floors(struct fl_store *st, const char *db, const char *host_arg,
			  double min_change)
{
	static const char *const what[2] = {
		"comparisons of stored runs (samples pooled)",
		"comparisons that run both sides here (judged by pairs of runs)",
	};
	struct floor_list l[2] = { { .min_change = min_change }, { .min_change = min_change } };
	char host[256];
	int err = 0;

	if (host_arg)
		snprintf(host, sizeof(host), "%s", host_arg);
	else if (gethostname(host, sizeof(host)))
		return fl_fail(errno, "gethostname: %s", strerror(errno));
	host[sizeof(host) - 1] = '\0';
	for (int paired = 1; paired >= 0 && !err; paired--)
		err = fl_store_noise_floors(st, host, paired, floor_add, &l[paired]);
	if (!err && !l[0].n && !l[1].n)
		err = fl_fail(ENOENT, "%s holds no A/A comparison on host %s (run "
			      "faultline compare --aa, or ci/compare-branches --calibrate N)",
			      db, host);
	if (!err) {
		printf("noise floors learned on %s from A/A comparisons (sd: 1.4826 x the median "
		       "absolute deviation\nof their changes; floor: |median| + 2.576 sd; "
		       "detectable: floor + 0.84 sd, the change flagged\n4 times in 5 at the A/A "
		       "comparisons' size)\n", host);
		for (int paired = 1; paired >= 0; paired--)
			if (l[paired].n)
				print_floors(&l[paired], what[paired]);
	}
	free_floors(&l[0]);
	free_floors(&l[1]);
	return err;
}
