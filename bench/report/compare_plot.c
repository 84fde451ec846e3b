// SPDX-License-Identifier: GPL-2.0
/*
 * bench/report/compare_plot.c - a comparison's plots: per claim, B's change against
 * A over the claim's swept parameter, both sides' medians, and each side's
 * own claim plots.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/claims/claims.h"
#include "bench/err.h"
#include "bench/report/compare_report.h"
#include "bench/report/plot.h"
#include "workloads/workload.h"

/* ---- plots --------------------------------------------------------------- */

#define MAX_PTS		32
#define MAX_VARIANTS	4

struct curve {
	const char *variant;
	double x[MAX_PTS], y[MAX_PTS], lo[MAX_PTS], hi[MAX_PTS];
	double ma[MAX_PTS], malo[MAX_PTS], mahi[MAX_PTS];
	double mb[MAX_PTS], mblo[MAX_PTS], mbhi[MAX_PTS];
	size_t n;
};

struct claim_plot {
	const struct fl_claim *claim;
	const struct fl_suite_entry *e;
	const struct fl_workload *w;
	char param_name[16];		/* the swept parameter: "M" */
	struct curve cv[MAX_VARIANTS];
	size_t ncv;
	double floor;			/* the largest noise floor among the points */
};

/* The parameter a suite entry sweeps: the first with several values. */
static bool swept_param(const struct fl_suite_entry *e, char *name, size_t size)
{
	for (int i = 0; i < 8 && e->params[i]; i++) {
		const char *eq = strchr(e->params[i], '=');

		if (eq && strchr(eq, ',') && (size_t)(eq - e->params[i]) < size) {
			snprintf(name, size, "%.*s", (int)(eq - e->params[i]), e->params[i]);
			return true;
		}
	}
	return false;
}

static void sort_curve(struct curve *cv)
{
	/* insertion sort by x: a handful of points */
	for (size_t i = 1; i < cv->n; i++) {
		for (size_t j = i; j > 0 && cv->x[j - 1] > cv->x[j]; j--) {
			double *arr[] = { cv->x, cv->y, cv->lo, cv->hi, cv->ma, cv->malo,
					  cv->mahi, cv->mb, cv->mblo, cv->mbhi };

			for (size_t k = 0; k < sizeof(arr) / sizeof(arr[0]); k++) {
				double t = arr[k][j];

				arr[k][j] = arr[k][j - 1];
				arr[k][j - 1] = t;
			}
		}
	}
}

static struct curve *curve_of(struct claim_plot *cp, const char *variant)
{
	for (size_t i = 0; i < cp->ncv; i++)
		if (!strcmp(cp->cv[i].variant, variant))
			return &cp->cv[i];
	if (cp->ncv == MAX_VARIANTS)
		return NULL;
	cp->cv[cp->ncv] = (struct curve){ .variant = variant };
	return &cp->cv[cp->ncv++];
}

static void add_point(struct claim_plot *cp, const struct fl_cmp_row *r)
{
	struct curve *cv = curve_of(cp, r->key.variant);
	long x;

	if (!cv || cv->n == MAX_PTS || !isfinite(r->change.est) ||
	    fl_params_get(r->key.params, cp->param_name, &x))
		return;
	cv->x[cv->n] = (double)x;
	cv->y[cv->n] = r->change.est;
	cv->lo[cv->n] = r->change.lo;
	cv->hi[cv->n] = r->change.hi;
	cv->ma[cv->n] = r->med_a.est;
	cv->malo[cv->n] = r->med_a.lo;
	cv->mahi[cv->n] = r->med_a.hi;
	cv->mb[cv->n] = r->med_b.est;
	cv->mblo[cv->n] = r->med_b.lo;
	cv->mbhi[cv->n] = r->med_b.hi;
	cv->n++;
	if (r->floor_pct > cp->floor)
		cp->floor = r->floor_pct;
}

static bool collect_claim(const struct fl_cmp_report *r, struct claim_plot *cp)
{
	const struct fl_comparison *c = r->c;
	const char *metric = cp->w->metrics[0].name;
	const char *backend = fl_backend_name(cp->e->backend);

	cp->ncv = 0;
	cp->floor = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct fl_cmp_row *row = &c->rows[i];

		if (!strcmp(row->key.workload, cp->w->name) && !strcmp(row->key.metric, metric) &&
		    !strcmp(row->key.backend, backend))
			add_point(cp, row);
	}
	for (size_t i = 0; i < cp->ncv; i++)
		sort_curve(&cp->cv[i]);
	return cp->ncv > 0;
}

static const char *param_help(const struct fl_workload *w, const char *name)
{
	int i = fl_param_index(w, name);

	return i >= 0 ? w->params[i].help : name;
}

static int plot_change(const struct fl_cmp_report *r, struct claim_plot *cp, const char *dir)
{
	char path[1024], title[512], xlabel[160], ylabel[160], fl[2][64];
	struct fl_plot p = { 0 };

	snprintf(path, sizeof(path), "%s/compare-%s-%s", dir, cp->claim->id, cp->w->name);
	snprintf(title, sizeof(title), "%s: %s, B (%s) against A (%s)", cp->claim->id,
		 cp->w->metrics[0].name, r->b.spec, r->a.spec);
	snprintf(xlabel, sizeof(xlabel), "%s %s", param_help(cp->w, cp->param_name),
		 cp->param_name);
	snprintf(ylabel, sizeof(ylabel), "change of the median %s (%%), 95%% bootstrap CI",
		 cp->w->metrics[0].name);
	p.path = path;
	p.title = title;
	p.xlabel = xlabel;
	p.ylabel = ylabel;
	for (size_t i = 0; i < cp->ncv; i++)
		p.series[p.nseries++] = (struct fl_series){ cp->cv[i].variant, cp->cv[i].x,
			cp->cv[i].y, cp->cv[i].lo, cp->cv[i].hi, cp->cv[i].n };
	snprintf(fl[0], sizeof(fl[0]), "noise floor +%.1f%% (largest here)", cp->floor);
	snprintf(fl[1], sizeof(fl[1]), "noise floor -%.1f%%", cp->floor);
	p.hline[p.nhlines++] = (struct fl_hline){ "no change", 0 };
	p.hline[p.nhlines++] = (struct fl_hline){ fl[0], cp->floor };
	p.hline[p.nhlines++] = (struct fl_hline){ fl[1], -cp->floor };
	return fl_plot_write(&p);
}

static int plot_medians(const struct fl_cmp_report *r, struct claim_plot *cp, const char *dir)
{
	char path[1024], title[512], xlabel[160], ylabel[160], names[2 * MAX_VARIANTS][96];
	struct fl_plot p = { 0 };

	snprintf(path, sizeof(path), "%s/compare-%s-%s-medians", dir, cp->claim->id,
		 cp->w->name);
	snprintf(title, sizeof(title), "%s: %s of A (%s) and B (%s)", cp->claim->id,
		 cp->w->metrics[0].name, r->a.spec, r->b.spec);
	snprintf(xlabel, sizeof(xlabel), "%s %s", param_help(cp->w, cp->param_name),
		 cp->param_name);
	snprintf(ylabel, sizeof(ylabel), "%s (median, 95%% CI)", cp->w->metrics[0].unit);
	p.path = path;
	p.title = title;
	p.xlabel = xlabel;
	p.ylabel = ylabel;
	for (size_t i = 0; i < cp->ncv; i++) {
		struct curve *cv = &cp->cv[i];

		snprintf(names[2 * i], sizeof(names[0]), "A %s", cv->variant);
		snprintf(names[2 * i + 1], sizeof(names[0]), "B %s", cv->variant);
		p.series[p.nseries++] = (struct fl_series){ names[2 * i], cv->x, cv->ma,
							    cv->malo, cv->mahi, cv->n };
		p.series[p.nseries++] = (struct fl_series){ names[2 * i + 1], cv->x, cv->mb,
							    cv->mblo, cv->mbhi, cv->n };
	}
	return fl_plot_write(&p);
}

static int make_dir(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		return fl_fail(errno, "cannot create %s: %s", dir, strerror(errno));
	return 0;
}

/* The side's runs as one, for the claims' own plots (they read one run). */
static int merged(const struct fl_cmp_side *s, struct fl_run *m)
{
	fl_run_init(m);
	for (size_t i = 0; i < s->nruns; i++)
		for (size_t j = 0; j < s->runs[i].nsamples; j++)
			if (fl_run_add(m, &s->runs[i].samples[j]))
				return fl_fail(ENOMEM, "out of memory merging the runs of %s",
					       s->name);
	m->meta.id = s->nruns ? s->runs[0].meta.id : 0;
	return 0;
}

static int plot_side(const struct fl_cmp_side *s, const char *dir, int *drawn)
{
	char sub[1024];
	struct fl_run m;
	int err;

	snprintf(sub, sizeof(sub), "%s/%s", dir, s->name);
	err = make_dir(sub);
	if (!err)
		err = merged(s, &m);
	for (int i = 0; !err && fl_claims[i]; i++) {
		if (!fl_claims[i]->plot)
			continue;
		err = fl_claims[i]->plot(&m, sub);
		if (err == -ENODATA)
			err = 0;
		else if (!err)
			(*drawn)++;
	}
	fl_run_free(&m);
	return err;
}

int fl_cmp_plot(const struct fl_cmp_report *r, const char *dir)
{
	static struct claim_plot cp;
	int drawn = 0, err;

	err = make_dir(dir);
	for (int i = 0; !err && fl_claims[i]; i++) {
		for (const struct fl_suite_entry *e = fl_claims[i]->quick; !err && e &&
		     e->workload; e++) {
			cp = (struct claim_plot){ .claim = fl_claims[i], .e = e,
						  .w = fl_workload_find(e->workload) };
			if (!cp.w || !swept_param(e, cp.param_name, sizeof(cp.param_name)) ||
			    !collect_claim(r, &cp))
				continue;
			err = plot_change(r, &cp, dir);
			if (!err)
				err = plot_medians(r, &cp, dir);
			drawn += err ? 0 : 2;
		}
	}
	if (!err)
		err = plot_side(&r->a, dir, &drawn);
	if (!err)
		err = plot_side(&r->b, dir, &drawn);
	return err ? err : drawn;
}
