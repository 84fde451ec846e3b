// SPDX-License-Identifier: GPL-2.0
/*
 * bench/report/compare_report.c - a comparison for people (terminal, Markdown) and
 * for tools (JSON whose "benchmarks" follow Google Benchmark's format).  Its
 * environment diff is compare_env.c's, its plots compare_plot.c's.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/claims/claims.h"
#include "bench/err.h"
#include "bench/measure/gbench_read.h"
#include "bench/report/compare_report.h"
#include "workloads/workload.h"

/* ---- formatting helpers -------------------------------------------------- */

/* v by spec, or "n/a" and "inf": a percent's infinity is signed and has its '%'. */
static const char *format(double v, const char *spec, bool percent, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "n/a");
	else if (isinf(v))
		snprintf(buf, size, "%sinf%s", v < 0 ? "-" : percent ? "+" : "",
			 percent ? "%" : "");
	else
		snprintf(buf, size, spec, v);
	return buf;
}

static const char *num(double v, char *buf, size_t size)
{
	return format(v, "%.4g", false, buf, size);
}

static const char *pct(double v, char *buf, size_t size)
{
	if (fabs(v) < 0.05)
		v = 0;		/* no "-0.0%" */
	return format(v, "%+.1f%%", true, buf, size);
}

/*
 * The row's benchmark with only the parameters that vary between the rows of
 * its workload: "reaim_vunmap/new M=64000" rather than five of them.
 */
static const char *short_name(const struct fl_comparison *c, const struct fl_cmp_row *r,
			      char *buf, size_t size)
{
	const char *p = r->key.params;
	size_t len;

	len = (size_t)snprintf(buf, size, "%s/%s", r->key.workload, r->key.variant);
	if (strcmp(r->key.backend, "shim") && len < size)
		len += (size_t)snprintf(buf + len, size - len, "/%s", r->key.backend);
	while (*p && len < size) {
		size_t l = strcspn(p, ",");
		bool same = true;

		for (size_t i = 0; i < c->nrows && same; i++)
			if (!strcmp(c->rows[i].key.workload, r->key.workload))
				same = fl_params_has(c->rows[i].key.params, p, l);
		if (!same)
			len += (size_t)snprintf(buf + len, size - len, " %.*s", (int)l, p);
		p += l + (p[l] == ',');
	}
	return buf;
}

static const char *floor_text(const struct fl_cmp_row *r, char *buf, size_t size)
{
	switch (r->floor_basis) {
	case FL_FLOOR_LEARNED:
		snprintf(buf, size, "%.1f%% (%d A/A, %ld samples)", r->floor_pct,
			 r->noise.comparisons, r->noise.samples);
		break;
	case FL_FLOOR_PAIRS:
		snprintf(buf, size, "%.1f%% (default: no A/A)", r->floor_pct);
		break;
	case FL_FLOOR_SPREAD:
		snprintf(buf, size, "%.1f%% (no A/A: the sides' own runs)", r->floor_pct);
		break;
	case FL_FLOOR_UNKNOWN:
		snprintf(buf, size, "%.1f%% (no A/A, one run a side: unknown)", r->floor_pct);
		break;
	}
	return buf;
}

static void run_list(FILE *f, const struct fl_cmp_side *s)
{
	for (size_t i = 0; i < s->nruns; i++)
		fprintf(f, "%s%lld", i ? ", " : "", s->runs[i].meta.id);
}

static const char *overall(const struct fl_comparison *c)
{
	if (c->regressions)
		return "REGRESSION";
	if (c->improvements)
		return "improvement, no regression";
	return "no regression";
}

struct counts {
	size_t unsure, within, none, few, learned, tested;
	size_t spread, unknown;		/* floors from the sides' runs; unknown */
	size_t paired, max_pairs;	/* rows judged by pairs of runs; most pairs */
	int max_aa;
};

static struct counts count_rows(const struct fl_comparison *c)
{
	struct counts k = { 0 };

	for (size_t i = 0; i < c->nrows; i++) {
		const struct fl_cmp_row *r = &c->rows[i];

		k.unsure += r->verdict == FL_CMP_INCONCLUSIVE;
		k.within += r->verdict == FL_CMP_WITHIN_NOISE;
		k.none += r->verdict == FL_CMP_NO_CHANGE;
		k.few += r->verdict == FL_CMP_TOO_FEW;
		k.learned += r->floor_basis == FL_FLOOR_LEARNED;
		k.spread += r->floor_basis == FL_FLOOR_SPREAD;
		k.unknown += r->floor_basis == FL_FLOOR_UNKNOWN;
		k.tested += !isnan(r->q);
		if (r->noise.comparisons > k.max_aa)
			k.max_aa = r->noise.comparisons;
		k.paired += r->pairs > 0;
		if (r->pairs > k.max_pairs)
			k.max_pairs = r->pairs;
	}
	return k;
}

/* How the change and p of the rows were found, one sentence. */
/* Where the rows' floors came from, and how to learn them where none was. */
static const char *floors_text(const struct counts *k, size_t nrows,
			       const struct fl_cmp_opts *o, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "noise floors: %zu of %zu rows from A/A "
				      "comparisons on this host (up to %d each)", k->learned,
				      nrows, k->max_aa);

	if (k->spread && len < size)
		len += (size_t)snprintf(buf + len, size - len, ", %zu from the spread of each "
					"side's own runs", k->spread);
	if (k->unknown && len < size)
		len += (size_t)snprintf(buf + len, size - len, ", %zu unknown (one run a side: "
					"flagged only beyond %.0f%%)", k->unknown,
					fmax(o->min_change, o->unknown_floor));
	if (k->learned + k->spread + k->unknown < nrows && len < size)
		len += (size_t)snprintf(buf + len, size - len, ", the rest by pair at the "
					"%.1f%% minimum", o->min_change);
	if (k->learned < nrows && len < size)
		snprintf(buf + len, size - len, "; learn them here: faultline compare A A --aa, "
			 "10 times (ci/compare-branches --calibrate 10)");
	return buf;
}

static const char *method_text(const struct counts *k, size_t nrows, char *buf, size_t size)
{
	if (!k->paired) {
		snprintf(buf, size, "change: ratio of the sides' medians, its interval a bootstrap "
			 "over runs; p: Mann-Whitney U");
		return buf;
	}
	snprintf(buf, size, "change: the median of the ratios of up to %zu pairs of runs made "
		 "side by side, its interval a bootstrap over pairs; p: Wilcoxon signed-rank "
		 "(%zu of %zu rows; the rest pooled, Mann-Whitney U)", k->max_pairs, k->paired,
		 nrows);
	return buf;
}

/* ---- terminal ------------------------------------------------------------ */

static void table_env(FILE *f, const struct fl_cmp_report *r)
{
	char a[2048], b[2048];

	fprintf(f, "\n  %-16s %-40s %s\n", "", "A", "B");
	for (size_t i = 0; i < fl_cmp_env_nfields(); i++) {
		fl_cmp_env_side_values(&r->a, i, a, sizeof(a), false);
		fl_cmp_env_side_values(&r->b, i, b, sizeof(b), false);
		fprintf(f, "  %-16s %-40s %s\n", fl_cmp_env_field_name(i), a, b);
	}
	if (r->ndiffs)
		fputc('\n', f);
	for (size_t i = 0; i < r->ndiffs; i++)
		fprintf(f, "!!! %s\n", r->diffs[i]);
	if (r->ndiffs)
		fprintf(f, "!!! the sides differ in more than the code: read every change below "
			   "with that in mind\n");
}

static const char *verdict_word(enum fl_cmp_verdict v)
{
	return v == FL_CMP_REGRESSION ? "REGRESSION" : fl_cmp_verdict_name(v);
}

static int name_width(const struct fl_comparison *c)
{
	char name[512];
	int w = 9;

	for (size_t i = 0; i < c->nrows; i++) {
		int l = (int)strlen(short_name(c, &c->rows[i], name, sizeof(name)));

		if (l > w)
			w = l;
	}
	return w;
}

static void table_row(FILE *f, const struct fl_comparison *c, const struct fl_cmp_row *r,
		      int w)
{
	char name[512], m[6][32], ch[3][32], fl[96], q[32];

	snprintf(q, sizeof(q), isnan(r->q) ? "n/a" : "%.2g", r->q);
	fprintf(f, "%-15s %-*s %-24s %4zu %4zu  %10s [%s, %s]  %10s [%s, %s]  "
		"%7s [%s, %s]  %-7s %s\n", verdict_word(r->verdict), w, short_name(c, r, name, sizeof(name)), r->key.metric,
		r->na, r->nb,
		num(r->med_a.est, m[0], 32), num(r->med_a.lo, m[1], 32), num(r->med_a.hi, m[2], 32),
		num(r->med_b.est, m[3], 32), num(r->med_b.lo, m[4], 32), num(r->med_b.hi, m[5], 32),
		pct(r->change.est, ch[0], 32), pct(r->change.lo, ch[1], 32),
		pct(r->change.hi, ch[2], 32), q, floor_text(r, fl, sizeof(fl)));
}

void fl_cmp_print_table(FILE *f, const struct fl_cmp_report *r)
{
	const struct fl_comparison *c = r->c;
	struct counts k = count_rows(c);
	int w = name_width(c);
	char how[256], fl[512];

	fprintf(f, "faultline compare: A = %s  vs  B = %s", r->a.spec, r->b.spec);
	if (r->id)
		fprintf(f, "   (comparison %lld, %s)", r->id, !strcmp(r->kind, "aa") ?
			"A/A: teaches noise floors" : "A/B");
	fprintf(f, "\n  A: runs ");
	run_list(f, &r->a);
	fprintf(f, "\n  B: runs ");
	run_list(f, &r->b);
	fputc('\n', f);
	table_env(f, r);

	fprintf(f, "\n%-15s %-*s %-24s %4s %4s  %-32s %-32s %-23s %-7s %s\n", "verdict", w,
		"benchmark", "metric", "nA", "nB", "A median [95% CI]", "B median [95% CI]",
		"change [95% CI]", "BH q", "noise floor");
	for (size_t i = 0; i < c->nrows; i++)
		table_row(f, c, &c->rows[i], w);

	fprintf(f, "\n%s: %zu of %zu rows regressed, %zu improved (BH q < %g over the %zu rows "
		   "that vary, and beyond the noise floor); %zu inconclusive (too noisy to rule "
		   "out a regression past the floor); %zu significant within noise; %zu no "
		   "change; %zu too few samples\n", overall(c), c->regressions, c->nrows,
		c->improvements, r->o->alpha, k.tested, k.unsure, k.within, k.none, k.few);
	fprintf(f, "%s\n", floors_text(&k, c->nrows, r->o, fl, sizeof(fl)));
	fprintf(f, "%s\n", method_text(&k, c->nrows, how, sizeof(how)));
	if (c->only_a || c->only_b)
		fprintf(f, "not compared: %zu benchmark x metric only in A, %zu only in B\n",
			c->only_a, c->only_b);
}

/* ---- Markdown ------------------------------------------------------------ */

static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '`' || *s == '<' || *s == '>')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

static const char *md_mark(enum fl_cmp_verdict v)
{
	switch (v) {
	case FL_CMP_REGRESSION:
		return ":red_circle: **regression**";
	case FL_CMP_IMPROVEMENT:
		return ":green_circle: improvement";
	case FL_CMP_INCONCLUSIVE:
		return ":grey_question: inconclusive (too noisy)";
	case FL_CMP_WITHIN_NOISE:
		return ":white_circle: within noise";
	case FL_CMP_NO_CHANGE:
		return "no change";
	case FL_CMP_TOO_FEW:
		return ":grey_question: too few samples";
	}
	return "?";
}

static void md_header(FILE *f)
{
	fprintf(f, "| verdict | benchmark | metric | A median [95%% CI] | B median [95%% CI] "
		   "| change [95%% CI] | BH q | noise floor |\n"
		   "|---|---|---|---:|---:|---:|---:|---|\n");
}

static void md_row(FILE *f, const struct fl_comparison *c, const struct fl_cmp_row *r)
{
	char name[512], m[6][32], ch[3][32], fl[96];
	bool bold = r->verdict == FL_CMP_REGRESSION || r->verdict == FL_CMP_IMPROVEMENT;

	fprintf(f, "| %s | ", md_mark(r->verdict));
	md_text(f, short_name(c, r, name, sizeof(name)));
	fprintf(f, " | %s | %s [%s, %s] (n=%zu) | %s [%s, %s] (n=%zu) | %s%s%s [%s, %s] | ",
		r->key.metric,
		num(r->med_a.est, m[0], 32), num(r->med_a.lo, m[1], 32), num(r->med_a.hi, m[2], 32),
		r->na,
		num(r->med_b.est, m[3], 32), num(r->med_b.lo, m[4], 32), num(r->med_b.hi, m[5], 32),
		r->nb, bold ? "**" : "", pct(r->change.est, ch[0], 32), bold ? "**" : "",
		pct(r->change.lo, ch[1], 32), pct(r->change.hi, ch[2], 32));
	if (isnan(r->q))
		fprintf(f, "n/a");
	else
		fprintf(f, "%.2g", r->q);
	fprintf(f, " | %s |\n", floor_text(r, fl, sizeof(fl)));
}

static void md_env(FILE *f, const struct fl_cmp_report *r)
{
	char a[2048], b[2048];

	fprintf(f, "<details><summary>Environment</summary>\n\n| | A | B |\n|---|---|---|\n");
	for (size_t i = 0; i < fl_cmp_env_nfields(); i++) {
		fl_cmp_env_side_values(&r->a, i, a, sizeof(a), true);
		fl_cmp_env_side_values(&r->b, i, b, sizeof(b), true);
		fprintf(f, "| %s | ", fl_cmp_env_field_name(i));
		md_text(f, a);
		fprintf(f, " | ");
		md_text(f, b);
		fprintf(f, " |\n");
	}
	fprintf(f, "\n</details>\n\n");
}

void fl_cmp_print_markdown(FILE *f, const struct fl_cmp_report *r)
{
	const struct fl_comparison *c = r->c;
	struct counts k = count_rows(c);
	size_t quiet = 0, i;
	char how[256], fl[512];

	fprintf(f, "## faultline compare: %s\n\n", c->regressions ?
		":red_circle: **regression**" : c->improvements ?
		":green_circle: no regression (improvements)" : ":white_check_mark: no regression");
	fprintf(f, "**A** `");
	md_text(f, r->a.spec);
	fprintf(f, "` (runs ");
	run_list(f, &r->a);
	fprintf(f, ") against **B** `");
	md_text(f, r->b.spec);
	fprintf(f, "` (runs ");
	run_list(f, &r->b);
	fprintf(f, ")");
	if (r->id)
		fprintf(f, ", stored as comparison %lld", r->id);
	fprintf(f, ".  %zu of %zu rows regressed, %zu improved.\n\n", c->regressions,
		c->nrows, c->improvements);
	if (r->ndiffs) {
		fprintf(f, "> [!WARNING]\n> The two sides ran in different environments:\n");
		for (i = 0; i < r->ndiffs; i++) {
			fprintf(f, "> - **");
			md_text(f, r->diffs[i]);
			fprintf(f, "**\n");
		}
		fputc('\n', f);
	}

	for (i = 0; i < c->nrows; i++)
		quiet += c->rows[i].verdict == FL_CMP_NO_CHANGE;
	if (quiet < c->nrows) {
		md_header(f);
		for (i = 0; i < c->nrows; i++)
			if (c->rows[i].verdict != FL_CMP_NO_CHANGE)
				md_row(f, c, &c->rows[i]);
		fputc('\n', f);
	}
	if (quiet) {
		fprintf(f, "<details><summary>%zu rows without a significant change</summary>\n\n",
			quiet);
		md_header(f);
		for (i = 0; i < c->nrows; i++)
			if (c->rows[i].verdict == FL_CMP_NO_CHANGE)
				md_row(f, c, &c->rows[i]);
		fprintf(f, "\n</details>\n\n");
	}
	md_env(f, r);
	fprintf(f, "<sub>%s; Benjamini-Hochberg across the %zu rows that vary (q < %g), "
		   "%g%% intervals; a row is flagged only beyond its noise floor, the bound 99%% "
		   "of the A/A comparisons' changes on this host stay within. %s.</sub>\n",
		method_text(&k, c->nrows, how, sizeof(how)), k.tested, r->o->alpha,
		100 * r->o->conf, floors_text(&k, c->nrows, r->o, fl, sizeof(fl)));
}

/* ---- JSON ---------------------------------------------------------------- */

static void js_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* JSON has no NaN or infinity: null. */
static void js_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.17g", v);
	else
		fputs("null", f);
}

static void js_side(FILE *f, const struct fl_cmp_side *s)
{
	char v[2048];

	fprintf(f, "{\"spec\": ");
	js_str(f, s->spec);
	fprintf(f, ", \"runs\": [");
	run_list(f, s);
	fprintf(f, "]");
	for (size_t i = 0; i < fl_cmp_env_nfields(); i++) {
		fl_cmp_env_side_values(s, i, v, sizeof(v), true);
		fprintf(f, ", ");
		js_str(f, fl_cmp_env_field_name(i));
		fprintf(f, ": ");
		js_str(f, v);
	}
	fprintf(f, "}");
}

static void js_context(FILE *f, const struct fl_cmp_report *r)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	fprintf(f, "  \"context\": {\n    \"date\": ");
	js_str(f, r->created_at);
	fprintf(f, ",\n    \"host_name\": ");
	js_str(f, !r->a.nruns ? "" : r->a.runs[0].meta.host && r->a.runs[0].meta.host[0] ?
		  r->a.runs[0].meta.host : "(none)");
	fprintf(f, ",\n    \"executable\": \"faultline compare\",\n    \"num_cpus\": %ld,\n"
		   "    \"library_build_type\": \"release\",\n    \"faultline_compare\": {\n"
		   "      \"comparison_id\": %lld, \"kind\": \"%s\", \"alpha\": %g, "
		   "\"min_change_pct\": %g, \"exit_code\": %d,\n"
		   "      \"rows\": %zu, \"regressions\": %zu, \"improvements\": %zu,\n"
		   "      \"a\": ", cpus, r->id, r->kind, r->o->alpha, r->o->min_change,
		r->exit_code, r->c->nrows, r->c->regressions, r->c->improvements);
	js_side(f, &r->a);
	fprintf(f, ",\n      \"b\": ");
	js_side(f, &r->b);
	fprintf(f, ",\n      \"differences\": [");
	for (size_t i = 0; i < r->ndiffs; i++) {
		fprintf(f, "%s", i ? ", " : "");
		js_str(f, r->diffs[i]);
	}
	fprintf(f, "]\n    }\n  },\n");
}

static bool same_bench(const struct fl_cmp_row *a, const struct fl_cmp_row *b)
{
	return !strcmp(a->key.workload, b->key.workload) &&
	       !strcmp(a->key.variant, b->key.variant) &&
	       !strcmp(a->key.backend, b->key.backend) && !strcmp(a->key.params, b->key.params);
}

/* The worst row of a benchmark names it in the entry's label. */
static const struct fl_cmp_row *worst_of(const struct fl_comparison *c, size_t first)
{
	const struct fl_cmp_row *w = &c->rows[first];

	for (size_t i = first + 1; i < c->nrows; i++)
		if (same_bench(&c->rows[i], w) && c->rows[i].verdict < w->verdict)
			w = &c->rows[i];
	return w;
}

/*
 * One Google Benchmark aggregate entry ("median") per benchmark, for side B:
 * the name the runner registered with Google Benchmark, each metric's median
 * as a user counter, and beside it A's median and the comparison's numbers
 * as more counters.  real_time and cpu_time are B's median task-clock per
 * round (an iteration is a round), when the runs measured it.
 */
/* B's repetitions of one benchmark, as its runs' Google Benchmark reports have them. */
struct gb_times {
	char prefix[520];		/* "NAME/": the run names Google Benchmark made of it */
	char run_name[512], unit[8];
	double *real, *cpu;
	size_t n, cap;
};

static void take_times(const struct fl_gb_entry *e, void *arg)
{
	struct gb_times *t = arg;

	if (strncmp(e->run_name, t->prefix, strlen(t->prefix)) ||
	    (t->n && strcmp(e->time_unit, t->unit)))
		return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		double *r = realloc(t->real, cap * sizeof(*r)), *c;

		if (!r)
			return;
		t->real = r;
		c = realloc(t->cpu, cap * sizeof(*c));
		if (!c)
			return;
		t->cpu = c;
		t->cap = cap;
	}
	if (!t->n) {
		snprintf(t->run_name, sizeof(t->run_name), "%s", e->run_name);
		snprintf(t->unit, sizeof(t->unit), "%s", e->time_unit);
	}
	t->real[t->n] = e->real_time;
	t->cpu[t->n++] = e->cpu_time;
}

/*
 * An entry of B's medians in Google Benchmark's layout.  Named and timed as
 * B's runs' own reports have it (NAME/iterations:N/repeats:N/..._median, the
 * median wall and process CPU time per round), so that Google Benchmark's
 * compare.py pairs it with a run's report; runs without a report (made by
 * hand) give the plain name and B's task clock per round.
 */
static void js_entry(FILE *f, const struct fl_cmp_report *rep, size_t first, int family)
{
	const struct fl_comparison *c = rep->c;
	const struct fl_cmp_row *r0 = &c->rows[first], *w = worst_of(c, first);
	struct gb_times t = { 0 };
	double real = 0, cpu = 0;
	size_t reps = 0, i;
	char name[512], agg[530], ch[32];

	fl_bench_name(&r0->key, name, sizeof(name));
	for (i = first; i < c->nrows; i++) {
		if (!same_bench(&c->rows[i], r0))
			continue;
		if (c->rows[i].nb > reps)
			reps = c->rows[i].nb;
		if (!strcmp(c->rows[i].key.metric, "task_clock_ns_per_round"))
			real = cpu = c->rows[i].med_b.est;
	}
	snprintf(t.prefix, sizeof(t.prefix), "%s/", name);
	for (i = 0; i < rep->b.nruns; i++)
		fl_gb_read_iterations(rep->b.runs[i].gbench_json, take_times, &t);
	if (t.n) {
		real = fl_median(t.real, t.n);
		cpu = fl_median(t.cpu, t.n);
		reps = t.n;
	}
	fprintf(f, "    {\n      \"name\": ");
	if (t.n)
		snprintf(agg, sizeof(agg), "%s_median", t.run_name);
	js_str(f, t.n ? agg : name);
	fprintf(f, ",\n      \"family_index\": %d,\n      \"per_family_instance_index\": 0,\n"
		   "      \"run_name\": ", family);
	js_str(f, t.n ? t.run_name : name);
	fprintf(f, ",\n      \"run_type\": \"aggregate\",\n      \"repetitions\": %zu,\n"
		   "      \"threads\": 1,\n      \"aggregate_name\": \"median\",\n"
		   "      \"aggregate_unit\": \"time\",\n      \"iterations\": %zu,\n"
		   "      \"real_time\": ", reps, reps);
	js_num(f, real);
	fprintf(f, ",\n      \"cpu_time\": ");
	js_num(f, cpu);
	fprintf(f, ",\n      \"time_unit\": \"%s\"", t.n ? t.unit : "ns");
	free(t.real);
	free(t.cpu);
	for (i = first; i < c->nrows; i++) {
		const struct fl_cmp_row *r = &c->rows[i];
		const char *m = r->key.metric;

		if (!same_bench(r, r0))
			continue;
		fprintf(f, ",\n      \"%s\": ", m);
		js_num(f, r->med_b.est);
		fprintf(f, ",\n      \"%s_base\": ", m);
		js_num(f, r->med_a.est);
		fprintf(f, ",\n      \"%s_change_pct\": ", m);
		js_num(f, r->change.est);
		fprintf(f, ",\n      \"%s_q\": ", m);
		js_num(f, r->q);
	}
	snprintf(name, sizeof(name), "%s: %s %s", fl_cmp_verdict_name(w->verdict),
		 w->key.metric, pct(w->change.est, ch, sizeof(ch)));
	fprintf(f, ",\n      \"label\": ");
	js_str(f, name);
	fprintf(f, "\n    }");
}

static void js_ci(FILE *f, const char *name, const struct fl_ci *ci)
{
	fprintf(f, ", \"%s\": ", name);
	js_num(f, ci->est);
	fprintf(f, ", \"%s_lo\": ", name);
	js_num(f, ci->lo);
	fprintf(f, ", \"%s_hi\": ", name);
	js_num(f, ci->hi);
}

static void js_row(FILE *f, const struct fl_cmp_row *r)
{
	char name[512];

	fprintf(f, "    {\"benchmark\": ");
	js_str(f, fl_bench_name(&r->key, name, sizeof(name)));
	fprintf(f, ", \"metric\": ");
	js_str(f, r->key.metric);
	fprintf(f, ", \"unit\": ");
	js_str(f, r->unit);
	fprintf(f, ", \"higher_is_better\": %s, \"verdict\": ", r->higher_is_better ?
		"true" : "false");
	js_str(f, fl_cmp_verdict_name(r->verdict));
	fprintf(f, ", \"n_a\": %zu, \"n_b\": %zu", r->na, r->nb);
	js_ci(f, "median_a", &r->med_a);
	js_ci(f, "median_b", &r->med_b);
	js_ci(f, "change_pct", &r->change);
	fprintf(f, ", \"u\": ");
	js_num(f, r->u.u);
	fprintf(f, ", \"p\": ");
	js_num(f, r->u.p);
	fprintf(f, ", \"p_exact\": %s, \"test\": \"%s\", \"pairs\": %zu, \"q\": ",
		r->u.exact ? "true" : "false", r->pairs ? "signed-rank" : "mann-whitney",
		r->pairs);
	js_num(f, r->q);
	fprintf(f, ", \"noise_floor_pct\": ");
	js_num(f, r->floor_pct);
	fprintf(f, ", \"noise_floor_aa_comparisons\": %d, \"noise_floor_samples\": %ld}",
		r->noise.comparisons, r->noise.samples);
}

void fl_cmp_print_json(FILE *f, const struct fl_cmp_report *r)
{
	const struct fl_comparison *c = r->c;
	int family = 0;

	fprintf(f, "{\n");
	js_context(f, r);
	fprintf(f, "  \"benchmarks\": [\n");
	for (size_t i = 0; i < c->nrows; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = same_bench(&c->rows[j], &c->rows[i]);
		if (seen)
			continue;
		fprintf(f, "%s", family ? ",\n" : "");
		js_entry(f, r, i, family++);
	}
	fprintf(f, "\n  ],\n  \"faultline_rows\": [\n");
	for (size_t i = 0; i < c->nrows; i++) {
		fprintf(f, "%s", i ? ",\n" : "");
		js_row(f, &c->rows[i]);
	}
	fprintf(f, "\n  ]\n}\n");
}
