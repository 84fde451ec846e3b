// SPDX-License-Identifier: GPL-2.0
/* faultline plot: each claim's plots for a stored run, by gnuplot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/claims/claims.h"
#include "bench/cli/cli.h"
#include "bench/err.h"
#include "bench/report/plot.h"

static int make_dir(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		return fl_fail(errno, "cannot create %s: %s", dir, strerror(errno));
	return 0;
}

static int draw(const struct fl_run *r, const char *dir)
{
	int drawn = 0, err;

	for (int i = 0; fl_claims[i]; i++) {
		if (!fl_claims[i]->plot)
			continue;
		err = fl_claims[i]->plot(r, dir);
		if (err == -ENODATA)
			continue;	/* the run has nothing of this claim */
		if (err)
			return err;
		drawn++;
	}
	if (!drawn)
		return fl_fail(ENODATA, "run %lld has no data any claim plots", r->meta.id);
	printf("faultline: plots of run %lld in %s/\n", r->meta.id, dir);
	return 0;
}

static int plot_into(const struct fl_run *r, void *arg)
{
	const char *dir = arg;
	struct fl_run view;
	int err = make_dir(dir);

	if (!err)
		err = fl_cli_claims_view(r, &view);
	if (err)
		return err;
	err = draw(&view, dir);
	fl_cli_claims_view_free(&view);
	return err;
}

int cmd_plot(int argc, char **argv)
{
	static const char *const usage[] = { "faultline plot [--db FILE] [--run ID] [--out DIR]",
					     NULL };
	static const struct fl_cmd_help help = {
		"plot", usage,
		"Draws, for the newest run (or run ID), every claim's plots as PNG and SVG\n"
		"into DIR (default plots/).",
		NULL,
	};
	struct fl_cli_run_opts ro = { .db = FL_DEFAULT_DB };
	const char *dir = "plots";
	const struct fl_option opts[] = {
		FL_CLI_RUN_OPTIONS(ro),
		FL_OPT_STRING("out", &dir, "DIR", "where the plots go (default plots)"),
		FL_OPT_END(),
	};
	int n, status;

	if (fl_cli_options(argc, argv, opts, &help, NULL, 0, &n, &status))
		return status;
	if (!fl_plot_available()) {
		fprintf(stderr, "faultline: gnuplot not found: install gnuplot-nox (make deps)\n");
		return 1;
	}
	return fl_cli_with_run(&ro, plot_into, (void *)dir);
}
