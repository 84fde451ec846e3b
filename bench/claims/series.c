// SPDX-License-Identifier: GPL-2.0
/* The claims' shared toolkit: a variant pair over a swept parameter (series.h). */
#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/err.h"
#include "series.h"

static struct fl_spread spread_of(const double *v, size_t n)
{
	return (struct fl_spread){ fl_median(v, n), fl_min(v, n), fl_max(v, n) };
}

bool fl_params_where(const char *params, const char *where)
{
	const char *eq = where ? strchr(where, '=') : NULL;
	char name[32];
	long v;

	if (!where)
		return true;
	if (!eq || (size_t)(eq - where) >= sizeof(name))
		return false;
	memcpy(name, where, (size_t)(eq - where));
	name[eq - where] = '\0';
	return !fl_params_get(params, name, &v) && v == strtol(eq + 1, NULL, 10);
}

bool fl_run_in_pairs(const struct fl_run *r)
{
	return r->meta.schedule && !strcmp(r->meta.schedule, FL_SCHEDULE_PAIRS);
}

int fl_pair_ratio(const struct fl_run *r, const double *base, size_t nbase,
		  const double *other, size_t nother, uint64_t seed, struct fl_ci *ci,
		  size_t *pairs)
{
	double *q;
	int err;

	*pairs = 0;
	if (!fl_run_in_pairs(r) || nbase != nother || nbase < 2)
		return fl_ratio_of_medians(other, nother, base, nbase, FL_SERIES_CONF,
					   FL_SERIES_BOOT_ITERS, seed, ci);
	q = malloc(nbase * sizeof(*q));
	if (!q)
		return fl_fail(ENOMEM, "out of memory for %zu pairs", nbase);
	for (size_t k = 0; k < nbase; k++) {
		if (!(base[k] > 0)) {
			free(q);
			return -EINVAL;
		}
		q[k] = other[k] / base[k];
	}
	err = fl_median_boot(q, nbase, FL_SERIES_CONF, FL_SERIES_BOOT_ITERS, seed, ci);
	free(q);
	if (!err)
		*pairs = nbase;
	return err;
}

int fl_pair_series_collect(const struct fl_run *r, const struct fl_pair_spec *spec,
			   struct fl_pair_series *s)
{
	const char **sets;
	size_t nsets = fl_run_param_sets(r, spec->workload, spec->metric, spec->param, &sets);
	double *a = malloc((r->nsamples + 1) * sizeof(*a));
	double *b = malloc((r->nsamples + 1) * sizeof(*b));
	int err = 0;

	*s = (struct fl_pair_series){ 0 };
	s->p = calloc(nsets + 1, sizeof(*s->p));
	if (!a || !b || !s->p) {
		err = fl_fail(ENOMEM, "out of memory collecting %s", spec->workload);
		goto out;
	}
	for (size_t i = 0; i < nsets; i++) {
		size_t na = fl_run_values(r, spec->workload, spec->base, sets[i], spec->metric,
					  a, r->nsamples);
		size_t nb = fl_run_values(r, spec->workload, spec->other, sets[i], spec->metric,
					  b, r->nsamples);
		struct fl_pair_point *p = &s->p[s->n];
		long x;

		if (!na || !nb || fl_params_get(sets[i], spec->param, &x) ||
		    !fl_params_where(sets[i], spec->where))
			continue;
		if (s->n && s->p[s->n - 1].x == (double)x)
			continue;
		p->x = (double)x;
		p->params = sets[i];
		p->base = spread_of(a, na);
		p->other = spread_of(b, nb);
		if (fl_pair_ratio(r, a, na, b, nb, spec->seed, &p->ratio, &p->pairs))
			continue;
		s->n++;
	}
out:
	free(sets);
	free(a);
	free(b);
	if (err)
		fl_pair_series_free(s);
	return err;
}

void fl_pair_series_free(struct fl_pair_series *s)
{
	free(s->p);
	*s = (struct fl_pair_series){ 0 };
}

const struct fl_pair_point *fl_pair_series_at(const struct fl_pair_series *s, double x)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].x == x)
			return &s->p[i];
	return NULL;
}

int fl_pair_point_at(const struct fl_run *r, const struct fl_pair_spec *spec, double x,
		     struct fl_pair_point *out)
{
	struct fl_pair_series s;
	const struct fl_pair_point *p;
	int err = fl_pair_series_collect(r, spec, &s);

	if (err)
		return err;
	p = fl_pair_series_at(&s, x);
	if (p)
		*out = *p;
	fl_pair_series_free(&s);
	return p ? 0 : -ENODATA;
}

int fl_pair_series_fit(const struct fl_pair_series *s, double (*fx)(double x),
		       double (*fy)(const struct fl_pair_point *p), struct fl_fit *fit)
{
	double *x = malloc((s->n + 1) * sizeof(*x)), *y = malloc((s->n + 1) * sizeof(*y));
	int err;

	if (!x || !y) {
		free(x);
		free(y);
		return fl_fail(ENOMEM, "out of memory fitting %zu points", s->n);
	}
	for (size_t i = 0; i < s->n; i++) {
		x[i] = fx ? fx(s->p[i].x) : s->p[i].x;
		y[i] = fy(&s->p[i]);
	}
	err = fl_linfit(x, y, s->n, fit);
	free(x);
	free(y);
	return err;
}

int fl_variant_at(const struct fl_run *r, const char *workload, const char *metric,
		  const char *variant, const char *param, double x, struct fl_spread *out)
{
	const char **sets;
	size_t nsets = fl_run_param_sets(r, workload, metric, param, &sets);
	double *v = malloc((r->nsamples + 1) * sizeof(*v));
	int err = -ENODATA;

	for (size_t i = 0; v && i < nsets && err; i++) {
		size_t n = fl_run_values(r, workload, variant, sets[i], metric, v, r->nsamples);
		long px;

		if (!n || fl_params_get(sets[i], param, &px) || (double)px != x)
			continue;
		*out = spread_of(v, n);
		err = 0;
	}
	free(sets);
	free(v);
	return err;
}

size_t fl_variant_values(const struct fl_run *r, const char *workload, const char *variant,
			 const char *params, const char *metric, double **out)
{
	size_t n;

	*out = malloc((r->nsamples + 1) * sizeof(**out));
	if (!*out)
		return 0;
	n = fl_run_values(r, workload, variant, params, metric, *out, r->nsamples);
	if (!n) {
		free(*out);
		*out = NULL;
	}
	return n;
}

int fl_pair_plot_arrays(const struct fl_pair_series *s, struct fl_pair_plot *pp)
{
	double **cols[] = { &pp->x, &pp->base, &pp->base_lo, &pp->base_hi, &pp->other,
			    &pp->other_lo, &pp->other_hi, &pp->ratio, &pp->ratio_lo,
			    &pp->ratio_hi };
	size_t ncols = sizeof(cols) / sizeof(cols[0]);

	*pp = (struct fl_pair_plot){ .n = s->n };
	for (size_t c = 0; c < ncols; c++) {
		*cols[c] = malloc((s->n + 1) * sizeof(double));
		if (!*cols[c]) {
			fl_pair_plot_free(pp);
			return fl_fail(ENOMEM, "out of memory for a plot of %zu points", s->n);
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct fl_pair_point *p = &s->p[i];

		pp->x[i] = p->x;
		pp->base[i] = p->base.med;
		pp->base_lo[i] = p->base.lo;
		pp->base_hi[i] = p->base.hi;
		pp->other[i] = p->other.med;
		pp->other_lo[i] = p->other.lo;
		pp->other_hi[i] = p->other.hi;
		pp->ratio[i] = p->ratio.est;
		pp->ratio_lo[i] = p->ratio.lo;
		pp->ratio_hi[i] = p->ratio.hi;
	}
	return 0;
}

void fl_pair_plot_free(struct fl_pair_plot *pp)
{
	free(pp->x);
	free(pp->base);
	free(pp->base_lo);
	free(pp->base_hi);
	free(pp->other);
	free(pp->other_lo);
	free(pp->other_hi);
	free(pp->ratio);
	free(pp->ratio_lo);
	free(pp->ratio_hi);
	*pp = (struct fl_pair_plot){ 0 };
}

struct fl_series fl_pair_plot_base(const struct fl_pair_plot *pp, const char *label)
{
	return (struct fl_series){ label, pp->x, pp->base, pp->base_lo, pp->base_hi, pp->n };
}

struct fl_series fl_pair_plot_other(const struct fl_pair_plot *pp, const char *label)
{
	return (struct fl_series){ label, pp->x, pp->other, pp->other_lo, pp->other_hi, pp->n };
}

struct fl_series fl_pair_plot_ratio(const struct fl_pair_plot *pp, const char *label)
{
	return (struct fl_series){ label, pp->x, pp->ratio, pp->ratio_lo, pp->ratio_hi, pp->n };
}

int fl_variant_spread(const struct fl_run *r, const char *workload, const char *variant,
		      const char *params, const char *metric, struct fl_spread *out)
{
	double *v;
	size_t n = fl_variant_values(r, workload, variant, params, metric, &v);

	if (!n)
		return -ENODATA;
	*out = spread_of(v, n);
	free(v);
	return 0;
}
