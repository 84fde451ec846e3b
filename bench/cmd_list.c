// SPDX-License-Identifier: GPL-2.0
/* faultline list: what can be run, with what, and what it reports. */
#include <stdio.h>
#include <string.h>

#include "claims.h"
#include "cli.h"
#include "workloads/workload.h"

static void list_backends(const struct fl_workload *w)
{
	const char *sep = "";

	for (unsigned b = FL_SHIM; b <= FL_LIVE; b <<= 1) {
		if (!(w->backends & b))
			continue;
		printf("%s%s", sep, fl_backend_name(b));
		sep = ",";
	}
}

static void list_workload(const struct fl_workload *w)
{
	printf("%s\n  %s\n  backends: ", w->name, w->help);
	list_backends(w);
	printf("   variants:");
	for (int i = 0; w->variants && w->variants[i]; i++)
		printf(" %s", w->variants[i]);
	printf(" (live: live)\n");
	for (int i = 0; w->params[i].name; i++)
		printf("  --param %s=N   %s [%ld..%ld, default %ld]\n", w->params[i].name,
		       w->params[i].help, w->params[i].min, w->params[i].max, w->params[i].def);
	for (int i = 0; w->metrics[i].name; i++)
		printf("  metric %s (%s)\n", w->metrics[i].name, w->metrics[i].unit);
}

int cmd_list(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: faultline list\n\nThe workloads, their backends, variants, "
		       "parameters and metrics, then the claims.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "faultline: list: unexpected argument '%s'\n", argv[1]);
		return 1;
	}
	printf("workloads:\n\n");
	for (int i = 0; fl_workloads[i]; i++) {
		list_workload(fl_workloads[i]);
		printf("\n");
	}
	printf("claims:\n\n");
	for (int i = 0; fl_claims[i]; i++)
		printf("%-14s %s\n  %s\n  seed %s; published %g (%s)\n\n", fl_claims[i]->id,
		       fl_claims[i]->statement, fl_claims[i]->metric, fl_claims[i]->seed,
		       fl_claims[i]->published, fl_claims[i]->source);
	return 0;
}
