/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/report/plot.h - line plots with error bars, drawn by gnuplot into PNG and SVG.
 */
#ifndef FL_PLOT_H
#define FL_PLOT_H

#include <stdbool.h>
#include <stddef.h>

struct fl_series {
	const char *title;
	const double *x, *y;
	const double *ylo, *yhi;	/* error bars, or NULL */
	size_t n;
};

struct fl_hline {
	const char *title;
	double y;
};

#define FL_PLOT_MAX_SERIES	8
#define FL_PLOT_MAX_HLINES	4

struct fl_plot {
	const char *path;		/* without extension: plots/vmalloc-sync */
	const char *title, *xlabel, *ylabel;
	bool logx, logy;
	struct fl_series series[FL_PLOT_MAX_SERIES];
	size_t nseries;
	struct fl_hline hline[FL_PLOT_MAX_HLINES];
	size_t nhlines;
};

/* 0, or -ENOENT when gnuplot is not installed, -EIO when it fails. */
int fl_plot_write(const struct fl_plot *p);
/* Whether gnuplot can be run at all. */
bool fl_plot_available(void);

#endif
