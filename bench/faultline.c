// SPDX-License-Identifier: GPL-2.0
/*
 * faultline: reproduce, and then guard, the performance claims of Linux
 * mm/entry changes; the claims it has today are those bench/claims/registry.c
 * registers (faultline --help lists them).
 */
#include <stdio.h>
#include <string.h>

#include "bench/claims/claims.h"
#include "bench/cli/cli.h"
#include "bench/measure/tmp.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "list",   cmd_list,   "the workloads, their parameters and metrics, and the claims" },
	{ "run",    cmd_run,    "run workloads or a suite and store the run in results.db" },
	{ "claims", cmd_claims, "each claim: published, measured, verdict, for a stored run" },
	{ "show",   cmd_show,   "a stored run's benchmarks: median, min, max, cv per metric" },
	{ "plot",   cmd_plot,   "draw a stored run's plots with gnuplot" },
	{ "doctor", cmd_doctor, "what this machine offers: counters, clock cost, topology" },
	{ "compare", cmd_compare, "is B slower than A: runs, labels, git refs or kernels" },
	{ "history", cmd_history, "a benchmark across stored runs, with its change points" },
	{ "bisect", cmd_bisect, "find the commit that changed a benchmark (git bisect run)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline COMMAND [OPTIONS]   (faultline COMMAND --help)\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nclaims:");
	for (int i = 0; fl_claims[i]; i++)
		fprintf(f, " %s", fl_claims[i]->id);
	fprintf(f, " (faultline list says more)\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	fl_tmp_init();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "faultline: unknown command '%s' (see faultline --help)\n", argv[1]);
	return 2;
}
