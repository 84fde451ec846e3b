// SPDX-License-Identifier: GPL-2.0
/*
 * bench/analysis/compare.c - a comparison of two sets of runs, row by row.
 *
 * Each benchmark x metric gets its medians, the change and its interval, and
 * a test (bench/analysis/hypothesis.h); BH keeps the expected share of false
 * discoveries among the flagged rows at alpha, however many rows a suite
 * has.  Significance alone is not a verdict: runs of the same code differ by
 * more than their repetitions suggest (layout, frequency, the neighbours),
 * so a change must also exceed what A/A comparisons on this machine have
 * shown to be noise.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/analysis/compare.h"
#include "bench/analysis/hypothesis.h"
#include "bench/err.h"
#include "workloads/workload.h"

int fl_change_pct(const double *a, const int *ga, size_t na, const double *b, const int *gb,
		  size_t nb, double conf, unsigned iters, uint64_t seed, struct fl_ci *out)
{
	double ma, mb, sign;
	struct fl_ci r;
	int err;

	if (!a || !b || !na || !nb || !out)
		return fl_fail(EINVAL, "change: empty sample (%zu / %zu values)", na, nb);
	ma = fl_median(a, na);
	mb = fl_median(b, nb);
	if (isnan(ma) || isnan(mb))
		return -ENOMEM;
	if (ma == 0) {
		double v = mb == 0 ? 0 : copysign(INFINITY, mb);

		*out = (struct fl_ci){ v, v, v };
		return 0;
	}
	err = fl_ratio_of_medians_by_run(b, gb, nb, a, ga, na, conf, iters, seed, &r);
	if (err)
		return err;
	/* Relative to |median(a)|, so that a negative base keeps the sign of the move. */
	sign = ma < 0 ? -1 : 1;
	out->est = sign * 100 * (r.est - 1);
	out->lo = sign * 100 * ((sign > 0 ? r.lo : r.hi) - 1);
	out->hi = sign * 100 * ((sign > 0 ? r.hi : r.lo) - 1);
	return 0;
}

/* ---- noise floors -------------------------------------------------------- */

void fl_noise_floor(const double *aa_change_pct, size_t n, long samples,
		    struct fl_noise *out)
{
	double *v, med;
	size_t m = 0;

	*out = (struct fl_noise){ .floor_pct = NAN, .sd_pct = NAN, .samples = samples };
	if (!n)
		return;
	v = malloc(n * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		if (isfinite(aa_change_pct[i]))
			v[m++] = aa_change_pct[i];
	if (m) {
		med = fl_median(v, m);
		for (size_t i = 0; i < m; i++)
			v[i] = fabs(v[i] - med);
		/*
		 * The true change of an A/A comparison is 0: a median away from 0
		 * (A always runs first, say) is noise too, and adds to the bound.
		 */
		out->sd_pct = FL_MAD_TO_SD * fl_median(v, m);
		out->floor_pct = fabs(med) + FL_NOISE_Z * out->sd_pct;
		out->comparisons = (int)m;
	}
	free(v);
}

double fl_noise_mde(const struct fl_noise *nf, double min_change)
{
	if (isnan(nf->floor_pct))
		return NAN;
	return fmax(min_change, nf->floor_pct + 0.8416 * nf->sd_pct);
}

/* ---- building rows ------------------------------------------------------- */

bool fl_metric_higher_is_better(const char *workload, const char *metric, const char *unit)
{
	const struct fl_workload *w = fl_workload_find(workload);
	size_t len = unit ? strlen(unit) : 0;
	int i;

	if (w) {
		i = fl_metric_index(w, metric);
		if (i >= 0)
			return w->metrics[i].higher_is_better;
	}
	/* The harness's own counters are costs per round. */
	if (strstr(metric, "_per_round"))
		return false;
	/* A rate ("jobs/min", "ops/s") is better higher, a cost is better lower. */
	return (len >= 4 && !strcmp(unit + len - 4, "/min")) ||
	       (len >= 2 && !strcmp(unit + len - 2, "/s")) ||
	       (len >= 4 && !strcmp(unit + len - 4, "/sec"));
}

struct pool {
	struct fl_bench_key key;
	const char *unit;
	double *v[2];
	int *run[2];		/* each value's run, numbered from 0 over the side's runs */
	size_t n[2], cap[2];
	int runs[2];		/* how many */
	size_t *src[2];		/* each of those runs' index in the side's run array */
	size_t srccap[2];
};

struct pools {
	struct pool *p;
	size_t n, cap;
};

static bool key_is(const struct pool *p, const struct fl_sample *s)
{
	return !strcmp(p->key.metric, s->metric) && !strcmp(p->key.params, s->params) &&
	       !strcmp(p->key.workload, s->workload) && !strcmp(p->key.variant, s->variant) &&
	       !strcmp(p->key.backend, s->backend);
}

static bool metric_wanted(const struct fl_cmp_opts *o, const char *metric)
{
	if (!o->metrics)
		return true;
	for (int i = 0; o->metrics[i]; i++)
		if (!strcmp(o->metrics[i], metric))
			return true;
	return false;
}

/* The pool of s's benchmark x metric; it points into the run's strings. */
static struct pool *pool_of(struct pools *ps, const struct fl_sample *s)
{
	struct pool *p;

	for (size_t i = ps->n; i-- > 0;)
		if (key_is(&ps->p[i], s))
			return &ps->p[i];
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;

		p = realloc(ps->p, cap * sizeof(*p));
		if (!p)
			return NULL;
		ps->p = p;
		ps->cap = cap;
	}
	p = &ps->p[ps->n++];
	memset(p, 0, sizeof(*p));
	p->key = (struct fl_bench_key){ s->workload, s->variant, s->backend, s->params,
					s->metric };
	p->unit = s->unit;
	return p;
}

/* Adds v, measured by the side's run r (runs come in order). */
static int pool_add(struct pool *p, int side, size_t r, double v)
{
	if (p->n[side] == p->cap[side]) {
		size_t cap = p->cap[side] ? 2 * p->cap[side] : 16;
		double *n = realloc(p->v[side], cap * sizeof(*n));
		int *g;

		if (!n)
			return -ENOMEM;
		p->v[side] = n;
		g = realloc(p->run[side], cap * sizeof(*g));
		if (!g)
			return -ENOMEM;
		p->run[side] = g;
		p->cap[side] = cap;
	}
	if (!p->runs[side] || p->src[side][p->runs[side] - 1] != r) {
		if ((size_t)p->runs[side] == p->srccap[side]) {
			size_t cap = p->srccap[side] ? 2 * p->srccap[side] : 8;
			size_t *s = realloc(p->src[side], cap * sizeof(*s));

			if (!s)
				return -ENOMEM;
			p->src[side] = s;
			p->srccap[side] = cap;
		}
		p->src[side][p->runs[side]++] = r;
	}
	p->run[side][p->n[side]] = p->runs[side] - 1;
	p->v[side][p->n[side]++] = v;
	return 0;
}

static int pool_runs(struct pools *ps, const struct fl_run *runs, size_t nruns, int side,
		     const struct fl_cmp_opts *o)
{
	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < runs[r].nsamples; i++) {
			const struct fl_sample *s = &runs[r].samples[i];
			struct pool *p;

			/* NaN is "not measured", never a sample. */
			if (isnan(s->value) || !metric_wanted(o, s->metric))
				continue;
			p = pool_of(ps, s);
			if (!p || pool_add(p, side, r, s->value))
				return fl_fail(ENOMEM, "compare: out of memory pooling samples");
		}
	}
	return 0;
}

static void pools_free(struct pools *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		for (int side = 0; side < 2; side++) {
			free(ps->p[i].v[side]);
			free(ps->p[i].run[side]);
			free(ps->p[i].src[side]);
		}
	}
	free(ps->p);
}

static int key_dup(struct fl_bench_key *d, const struct fl_bench_key *s)
{
	d->workload = strdup(s->workload);
	d->variant = strdup(s->variant);
	d->backend = strdup(s->backend);
	d->params = strdup(s->params);
	d->metric = strdup(s->metric);
	return d->workload && d->variant && d->backend && d->params && d->metric ? 0 : -ENOMEM;
}

static void key_free(struct fl_bench_key *k)
{
	free(k->workload);
	free(k->variant);
	free(k->backend);
	free(k->params);
	free(k->metric);
}

static bool all_same(const double *a, size_t na, const double *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		if (a[i] != a[0])
			return false;
	for (size_t i = 0; i < nb; i++)
		if (b[i] != a[0])
			return false;
	return true;
}

/* The median of the values that the side's run r measured; NaN: none. */
static double run_median(const struct pool *p, int side, size_t r, double *buf)
{
	size_t m = 0;
	int d;

	for (d = 0; d < p->runs[side] && p->src[side][d] != r; d++)
		;
	for (size_t i = 0; d < p->runs[side] && i < p->n[side]; i++)
		if (p->run[side][i] == d)
			buf[m++] = p->v[side][i];
	return m ? fl_median(buf, m) : NAN;
}

/*
 * The range of the medians of the side's runs, % of their median: how much
 * runs of the same code differ here.  NaN with fewer than two runs.
 */
static double runs_spread_pct(const struct pool *p, int side, double *buf)
{
	double *med = malloc(((size_t)p->runs[side] + 1) * sizeof(*med));
	double lo, hi, mid;
	size_t m = 0;

	if (!med || p->runs[side] < 2) {
		free(med);
		return NAN;
	}
	for (int d = 0; d < p->runs[side]; d++) {
		double v = run_median(p, side, p->src[side][d], buf);

		if (!isnan(v))
			med[m++] = v;
	}
	mid = m >= 2 ? fl_median(med, m) : NAN;
	lo = fl_min(med, m);
	hi = fl_max(med, m);
	free(med);
	if (isnan(mid))
		return NAN;
	if (mid == 0)
		return hi == lo ? 0 : INFINITY;
	return 100 * (hi - lo) / fabs(mid);
}

/* The larger of the two sides' runs_spread_pct(); NaN unless both have 2 runs. */
static double sides_spread_pct(const struct pool *p)
{
	size_t n = p->n[0] > p->n[1] ? p->n[0] : p->n[1];
	double *buf = malloc((n + 1) * sizeof(*buf));
	double a, b;

	if (!buf)
		return NAN;
	a = runs_spread_pct(p, 0, buf);
	b = runs_spread_pct(p, 1, buf);
	free(buf);
	return isnan(a) || isnan(b) ? NAN : fmax(a, b);
}

/*
 * median(B's run k) / median(A's run k) for each of the npairs pairs that
 * measured this benchmark on both sides, into ratio; how many.  A pair whose
 * A median is not above 0 has no ratio and is left out.
 */
static size_t pair_ratios(const struct pool *p, size_t npairs, double *ratio, double *buf)
{
	size_t m = 0;

	for (size_t k = 0; k < npairs; k++) {
		double ma = run_median(p, 0, k, buf), mb = run_median(p, 1, k, buf);

		if (ma > 0 && !isnan(mb))
			ratio[m++] = mb / ma;
	}
	return m;
}

/* The change and its test from the pairs' ratios; r->pairs stays 0 if too few. */
static int paired_stats(struct fl_cmp_row *r, const struct pool *p, size_t npairs,
			const struct fl_cmp_opts *o)
{
	size_t nbuf = r->na > r->nb ? r->na : r->nb, m;
	double *ratio = malloc((npairs + 1) * sizeof(*ratio));
	double *buf = malloc((nbuf + 1) * sizeof(*buf));
	int err = 0;

	if (!ratio || !buf) {
		free(ratio);
		free(buf);
		return fl_fail(ENOMEM, "compare: out of memory for %zu pairs", npairs);
	}
	m = pair_ratios(p, npairs, ratio, buf);
	if (m >= FL_CMP_MIN_PAIRS) {
		err = fl_median_boot(ratio, m, o->conf, o->iters, o->seed, &r->change);
		r->change.est = 100 * (r->change.est - 1);
		r->change.lo = 100 * (r->change.lo - 1);
		r->change.hi = 100 * (r->change.hi - 1);
		for (size_t k = 0; k < m; k++)
			ratio[k] = log(ratio[k]);
		if (!err)
			err = fl_signed_rank(ratio, m, &r->u);
		if (!err)
			r->pairs = m;
	}
	free(ratio);
	free(buf);
	return err;
}

static int row_stats(struct fl_cmp_row *r, const struct pool *p, const struct fl_cmp_opts *o,
		     size_t npairs)
{
	const double *a = p->v[0], *b = p->v[1];
	int err;

	r->na = p->n[0];
	r->nb = p->n[1];
	r->constant = all_same(a, r->na, b, r->nb);
	r->q = NAN;
	r->floor_pct = NAN;
	r->spread_pct = sides_spread_pct(p);
	r->noise = (struct fl_noise){ .floor_pct = NAN, .sd_pct = NAN };
	r->higher_is_better = fl_metric_higher_is_better(p->key.workload, p->key.metric,
							 p->unit);
	err = fl_median_ci(a, r->na, o->conf, &r->med_a, NULL);
	if (!err)
		err = fl_median_ci(b, r->nb, o->conf, &r->med_b, NULL);
	if (!err && npairs && !r->constant)
		err = paired_stats(r, p, npairs, o);
	if (!err && !r->pairs)
		err = fl_change_pct(a, p->run[0], r->na, b, p->run[1], r->nb, o->conf, o->iters,
				    o->seed, &r->change);
	if (!err && !r->pairs)
		err = fl_mann_whitney(a, r->na, b, r->nb, &r->u);
	return err;
}

static int add_row(struct fl_comparison *c, const struct pool *p, const struct fl_cmp_opts *o,
		   size_t npairs)
{
	struct fl_cmp_row *r = &c->rows[c->nrows];
	int err;

	memset(r, 0, sizeof(*r));
	if (key_dup(&r->key, &p->key) || !(r->unit = strdup(p->unit ? p->unit : ""))) {
		key_free(&r->key);
		free(r->unit);
		return fl_fail(ENOMEM, "compare: out of memory");
	}
	c->nrows++;
	err = row_stats(r, p, o, npairs);
	if (err) {
		char name[256];

		return fl_fail(-err, "compare %s %s: %s",
			       fl_bench_name(&p->key, name, sizeof(name)), p->key.metric,
			       fl_errmsg());
	}
	return 0;
}

int fl_compare_build(const struct fl_run *a, size_t na, const struct fl_run *b,
		     size_t nb, const struct fl_cmp_opts *o, struct fl_comparison *c)
{
	struct pools ps = { 0 };
	int err;

	memset(c, 0, sizeof(*c));
	if (o->paired && na != nb)
		return fl_fail(EINVAL, "compare: %zu runs of A and %zu of B cannot be paired",
			       na, nb);
	err = pool_runs(&ps, a, na, 0, o);
	if (!err)
		err = pool_runs(&ps, b, nb, 1, o);
	if (!err && ps.n) {
		c->rows = calloc(ps.n, sizeof(*c->rows));
		if (!c->rows)
			err = fl_fail(ENOMEM, "compare: out of memory for %zu rows", ps.n);
	}
	for (size_t i = 0; !err && i < ps.n; i++) {
		const struct pool *p = &ps.p[i];

		if (!p->n[1])
			c->only_a++;
		else if (!p->n[0])
			c->only_b++;
		else
			err = add_row(c, p, o, o->paired ? na : 0);
	}
	pools_free(&ps);
	if (!err && !c->nrows)
		err = fl_fail(ENODATA, "the two sides share no benchmark%s",
			      o->metrics ? " with that metric" : "");
	if (err)
		fl_compare_free(c);
	return err;
}

/* ---- verdicts ------------------------------------------------------------ */

double fl_cmp_worse_pct(const struct fl_cmp_row *r)
{
	return r->higher_is_better ? -r->change.est : r->change.est;
}

/* The worst change the interval allows, in the bad direction, in %. */
static double worse_bound(const struct fl_cmp_row *r)
{
	return r->higher_is_better ? -r->change.lo : r->change.hi;
}

/* The floor and its basis: see enum fl_cmp_floor. */
static double row_floor(struct fl_cmp_row *r, const struct fl_cmp_opts *o)
{
	if (!isnan(r->noise.floor_pct)) {
		r->floor_basis = FL_FLOOR_LEARNED;
		return fmax(o->min_change, r->noise.floor_pct);
	}
	if (r->pairs) {
		r->floor_basis = FL_FLOOR_PAIRS;
		return o->min_change;
	}
	if (!isnan(r->spread_pct)) {
		r->floor_basis = FL_FLOOR_SPREAD;
		return fmax(o->min_change, r->spread_pct);
	}
	r->floor_basis = FL_FLOOR_UNKNOWN;
	return fmax(o->min_change, o->unknown_floor);
}

static enum fl_cmp_verdict judge_row(struct fl_cmp_row *r, const struct fl_cmp_opts *o)
{
	double floor = row_floor(r, o);

	r->floor_pct = floor;
	if (r->na < FL_CMP_MIN_SAMPLES || r->nb < FL_CMP_MIN_SAMPLES)
		return FL_CMP_TOO_FEW;
	/*
	 * Significant: the test says so, and the change's interval leaves 0
	 * out.  Pooled, the U test counts the repetitions of a run as
	 * independent samples; when the runs of a side disagree, only the
	 * interval, whose bootstrap draws whole runs, sees it.  Not significant is "no
	 * change" only when the interval rules out a regression past the floor
	 * too; else the samples are too noisy to say.
	 */
	if (!(r->q < o->alpha) || !(r->change.lo > 0 || r->change.hi < 0))
		return worse_bound(r) > floor ? FL_CMP_INCONCLUSIVE : FL_CMP_NO_CHANGE;
	/* NaN (a median of zero against one that is not) counts as beyond any floor. */
	if (!(fabs(r->change.est) <= floor))
		return fl_cmp_worse_pct(r) > 0 ? FL_CMP_REGRESSION : FL_CMP_IMPROVEMENT;
	return FL_CMP_WITHIN_NOISE;
}

void fl_compare_judge(struct fl_comparison *c, const struct fl_cmp_opts *o)
{
	double *p = malloc((c->nrows + 1) * sizeof(*p));
	double *q = malloc((c->nrows + 1) * sizeof(*q));
	size_t i;

	c->regressions = c->improvements = 0;
	for (i = 0; p && q && i < c->nrows; i++) {
		const struct fl_cmp_row *r = &c->rows[i];
		bool enough = r->na >= FL_CMP_MIN_SAMPLES && r->nb >= FL_CMP_MIN_SAMPLES;

		p[i] = enough && !r->constant ? r->u.p : NAN;
	}
	if (p && q && !fl_bh_adjust(p, c->nrows, q)) {
		for (i = 0; i < c->nrows; i++)
			c->rows[i].q = q[i];
	}
	for (i = 0; i < c->nrows; i++) {
		struct fl_cmp_row *r = &c->rows[i];

		/* Without memory for BH, nothing is judged significant. */
		r->verdict = judge_row(r, o);
		c->regressions += r->verdict == FL_CMP_REGRESSION;
		c->improvements += r->verdict == FL_CMP_IMPROVEMENT;
	}
	free(p);
	free(q);
}

static double order_key(const struct fl_cmp_row *r)
{
	switch (r->verdict) {
	case FL_CMP_REGRESSION:
		return -fl_cmp_worse_pct(r);
	case FL_CMP_IMPROVEMENT:
		return -fabs(r->change.est);
	default:
		return isnan(r->q) ? INFINITY : r->q;
	}
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct fl_cmp_row *a = pa, *b = pb;
	double ka, kb;
	int c;

	if (a->verdict != b->verdict)
		return (int)a->verdict - (int)b->verdict;
	ka = order_key(a);
	kb = order_key(b);
	if (ka != kb && !(isnan(ka) && isnan(kb)))
		return isnan(ka) ? 1 : isnan(kb) ? -1 : (ka > kb) - (ka < kb);
	c = strcmp(a->key.workload, b->key.workload);
	if (!c)
		c = strcmp(a->key.variant, b->key.variant);
	if (!c)
		c = strcmp(a->key.params, b->key.params);
	if (!c)
		c = strcmp(a->key.backend, b->key.backend);
	return c ? c : strcmp(a->key.metric, b->key.metric);
}

void fl_compare_sort(struct fl_comparison *c)
{
	if (c->nrows)
		qsort(c->rows, c->nrows, sizeof(*c->rows), cmp_rows);
}

void fl_compare_free(struct fl_comparison *c)
{
	for (size_t i = 0; i < c->nrows; i++) {
		key_free(&c->rows[i].key);
		free(c->rows[i].unit);
	}
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

const char *fl_cmp_verdict_name(enum fl_cmp_verdict v)
{
	switch (v) {
	case FL_CMP_REGRESSION:
		return "regression";
	case FL_CMP_IMPROVEMENT:
		return "improvement";
	case FL_CMP_INCONCLUSIVE:
		return "inconclusive";
	case FL_CMP_WITHIN_NOISE:
		return "within noise";
	case FL_CMP_NO_CHANGE:
		return "no change";
	case FL_CMP_TOO_FEW:
		return "too few samples";
	}
	return "?";
}
