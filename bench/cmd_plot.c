// SPDX-License-Identifier: GPL-2.0
/* faultline plot: each claim's plots for a stored run, by gnuplot. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "claims.h"
#include "cli.h"
#include "err.h"
#include "plot.h"

static void plot_usage(FILE *f)
{
	fprintf(f,
"usage: faultline plot [--db FILE] [--run ID] [--out DIR]\n\n"
"Draws, for the newest run (or run ID), every claim's plots as PNG and SVG\n"
"into DIR (default plots/).\n");
}

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

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, 0, 'd' },
		{ "run", required_argument, 0, 'r' },
		{ "out", required_argument, 0, 'o' },
		{ "help", no_argument, 0, 'h' },
		{ 0 }
	};
	const char *db = FL_DEFAULT_DB, *dir = "plots";
	struct fl_store *st = NULL;
	long long id = 0;
	struct fl_run r;
	int c, err = 0;

	fl_run_init(&r);
	optind = 1;
	opterr = 0;
	while (!err && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'r':
			err = fl_cli_parse_run_id(optarg, &id);
			break;
		case 'o':
			dir = optarg;
			break;
		case 'h':
			plot_usage(stdout);
			return 0;
		default:
			err = fl_fail(EINVAL, "plot: unknown or incomplete option '%s'",
				      argv[optind - 1]);
		}
	}
	if (!err && optind < argc)
		err = fl_fail(EINVAL, "plot: unexpected argument '%s'", argv[optind]);
	if (!err && !fl_plot_available())
		err = fl_fail(ENOENT, "gnuplot not found: install gnuplot-nox (make deps)");
	if (!err)
		err = fl_cli_load_run(db, id, &st, &r);
	if (!err)
		err = make_dir(dir);
	if (!err)
		err = draw(&r, dir);
	if (err)
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
	fl_store_close(st);
	fl_run_free(&r);
	return err ? 1 : 0;
}
