// SPDX-License-Identifier: GPL-2.0
/*
 * The runner: turns a plan into Google Benchmark registrations, one per
 * (workload, variant, backend, params), and turns each repetition Google
 * Benchmark reports back into samples.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/measure/counters.h"
#include "bench/measure/env.h"
#include "bench/measure/gbench.h"
#include "bench/measure/kmod.h"
#include "bench/measure/progress.h"
#include "bench/measure/runner.h"
#include "bench/measure/tmp.h"
#include "kmod/catalogue.h"

void fl_plan_free(struct fl_plan *p)
{
	free(p->items);
	p->items = NULL;
	p->n = p->cap = 0;
}

/* Decimal only: "010" is ten, not eight, and "0x10" is no number. */
static int parse_long(const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	return 0;
}

/* Values of one spec "M=64,256": at most max of them. */
struct param_values {
	int index;
	long v[32];
	int n;
};

static int parse_spec(const struct fl_workload *w, const char *spec,
		      struct param_values *pv)
{
	char buf[256], *rest, *tok;
	const char *eq = strchr(spec, '=');
	const struct fl_param *p;
	size_t len;

	if (!eq || eq == spec)
		return fl_fail(EINVAL, "bad parameter '%s': expected NAME=VALUE[,VALUE...]", spec);
	len = (size_t)(eq - spec);
	if (len >= sizeof(buf) || strlen(eq + 1) >= sizeof(buf))
		return fl_fail(EINVAL, "parameter '%.40s...' is too long", spec);
	memcpy(buf, spec, len);
	buf[len] = '\0';
	pv->index = fl_param_index(w, buf);
	if (pv->index < 0)
		return fl_fail(EINVAL, "workload %s has no parameter '%s' (see faultline list)",
			       w->name, buf);
	p = &w->params[pv->index];
	strcpy(buf, eq + 1);
	pv->n = 0;
	rest = buf;
	while ((tok = strsep(&rest, ","))) {
		long v;

		if (!*tok)
			return fl_fail(EINVAL, "parameter %s: an empty value in '%s'", p->name,
				       eq + 1);
		if (pv->n == (int)(sizeof(pv->v) / sizeof(pv->v[0])))
			return fl_fail(EINVAL, "parameter %s: more than 32 values", p->name);
		if (parse_long(tok, &v))
			return fl_fail(EINVAL, "parameter %s: '%s' is not a whole number",
				       p->name, tok);
		if (v < p->min || v > p->max)
			return fl_fail(ERANGE, "parameter %s=%ld out of range [%ld, %ld] for %s",
				       p->name, v, p->min, p->max, w->name);
		pv->v[pv->n++] = v;
	}
	if (!pv->n)
		return fl_fail(EINVAL, "parameter %s: no value", p->name);
	return 0;
}

static int push_item(struct fl_plan *p, const struct fl_plan_item *it)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct fl_plan_item *n = realloc(p->items, cap * sizeof(*n));

		if (!n)
			return fl_fail(ENOMEM, "out of memory");
		p->items = n;
		p->cap = cap;
	}
	p->items[p->n++] = *it;
	return 0;
}

static void canonical_params(struct fl_plan_item *it)
{
	const struct fl_workload *w = it->in.w;
	size_t off = 0;

	it->params[0] = '\0';
	for (int i = 0; w->params[i].name; i++)
		off += (size_t)snprintf(it->params + off, sizeof(it->params) - off,
					"%s%s=%ld", i ? "," : "", w->params[i].name,
					it->in.param[i]);
	snprintf(it->name, sizeof(it->name), "%s/%s/%s/%s", w->name, it->in.variant,
		 fl_backend_name(it->in.backend), it->params);
}

/* One item per point of the product of pv[0..n), with variant fixed. */
static int add_product(struct fl_plan *p, struct fl_plan_item *it,
		       const struct param_values *pv, int npv, int k)
{
	if (k == npv) {
		canonical_params(it);
		return push_item(p, it);
	}
	for (int i = 0; i < pv[k].n; i++) {
		int err;

		it->in.param[pv[k].index] = pv[k].v[i];
		err = add_product(p, it, pv, npv, k + 1);
		if (err)
			return err;
	}
	return 0;
}

static const char *const live_variants[] = { "live", NULL };

/* The module's variants are its catalogue's: it may offer fewer than the shim. */
static const char *const *variants_of(const struct fl_workload *w, enum fl_backend b)
{
	if (b == FL_LIVE)
		return live_variants;
	for (int i = 0; b == FL_KMOD && fl_kmod_catalogue[i]; i++)
		if (!strcmp(fl_kmod_catalogue[i]->name, w->name))
			return fl_kmod_catalogue[i]->variants;
	return w->variants;
}

static const char *find_variant(const char *const *vs, const char *name)
{
	for (int i = 0; vs && vs[i]; i++)
		if (!strcmp(vs[i], name))
			return vs[i];
	return NULL;
}

int fl_plan_add(struct fl_plan *p, const struct fl_workload *w,
		enum fl_backend backend, const char *variants,
		const char *const *param_specs, int repetitions, long rounds)
{
	const char *const *vs = variants_of(w, backend);
	struct param_values pv[FL_MAX_PARAMS];
	struct fl_plan_item it;
	char buf[128], *save, *tok;
	int npv = 0, err;

	if (!(w->backends & backend))
		return fl_fail(EINVAL, "workload %s has no %s backend", w->name,
			       fl_backend_name(backend));
	if (repetitions < 1 || repetitions > 1000)
		return fl_fail(ERANGE, "repetitions %d out of range [1, 1000]", repetitions);
	if (rounds < 1 || rounds > 100000000)
		return fl_fail(ERANGE, "rounds %ld out of range [1, 100000000]", rounds);
	for (int i = 0; param_specs && param_specs[i]; i++) {
		if (npv == FL_MAX_PARAMS)
			return fl_fail(EINVAL, "too many parameters");
		err = parse_spec(w, param_specs[i], &pv[npv]);
		if (err)
			return err;
		for (int j = 0; j < npv; j++)
			if (pv[j].index == pv[npv].index)
				return fl_fail(EINVAL, "parameter %s given twice",
					       w->params[pv[npv].index].name);
		npv++;
	}

	memset(&it, 0, sizeof(it));
	it.in.w = w;
	it.in.backend = backend;
	it.repetitions = repetitions;
	it.rounds = rounds;
	for (int i = 0; w->params[i].name; i++)
		it.in.param[i] = w->params[i].def;

	if (!variants) {
		for (int i = 0; vs[i]; i++) {
			it.in.variant = vs[i];
			err = add_product(p, &it, pv, npv, 0);
			if (err)
				return err;
		}
		return 0;
	}
	if (strlen(variants) >= sizeof(buf))
		return fl_fail(EINVAL, "variant list too long");
	strcpy(buf, variants);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		it.in.variant = find_variant(vs, tok);
		if (!it.in.variant)
			return fl_fail(EINVAL, "workload %s has no variant '%s' on the %s backend",
				       w->name, tok, fl_backend_name(backend));
		err = add_product(p, &it, pv, npv, 0);
		if (err)
			return err;
	}
	return 0;
}

int fl_plan_check(const struct fl_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		int err;

		if (p->items[i].in.backend != FL_KMOD)
			continue;
		if (p->items[i].rounds > FL_KMOD_MAX_ROUNDS)
			return fl_fail(ERANGE, "the kmod backend runs at most %d rounds per "
				       "repetition (asked %ld)", FL_KMOD_MAX_ROUNDS,
				       p->items[i].rounds);
		err = fl_kmod_check(&p->items[i].in, p->items[i].rounds);
		if (err)
			return err;
	}
	return 0;
}

/* ---- running ------------------------------------------------------------- */

struct runner {
	bool pairs;
	struct fl_counters *counters;
	struct fl_run *out;
	struct fl_plan *plan;
	struct fl_progress progress;
	int failed;
	char failure[384];
};

static struct runner *current;

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * The workload's metrics, those its backend measures: rates over seconds, the
 * repetition's timed rounds (per second, times the metric's scale), the rest
 * per round.
 */
static void set_metrics(struct fl_gb_state *st, const struct fl_instance *in,
			const struct fl_round *acc, double seconds)
{
	for (int i = 0; in->w->metrics[i].name; i++) {
		const struct fl_metric *m = &in->w->metrics[i];
		double v = acc->metric[i] * m->scale;

		if (!fl_metric_measured(m, in->backend))
			continue;
		if (m->kind == FL_RATE)
			fl_gb_set_counter(st, m->name, seconds > 0 ? v / seconds : 0, FL_GB_AS_IS);
		else if (m->kind == FL_SUMMARY)
			fl_gb_set_counter(st, m->name, v, FL_GB_AS_IS);
		else
			fl_gb_set_counter(st, m->name, v, FL_GB_PER_ITERATION);
	}
}

static void set_counters(struct fl_gb_state *st, const struct fl_instance *in,
			 const struct fl_round *acc, const struct fl_counts *c, double seconds)
{
	set_metrics(st, in, acc, seconds);
	fl_gb_set_counter(st, "cycles_per_round", c->cycles, FL_GB_PER_ITERATION);
	fl_gb_set_counter(st, "task_clock_ns_per_round", c->task_clock_ns,
			  FL_GB_PER_ITERATION);
	if (!isnan(c->instructions))
		fl_gb_set_counter(st, "instructions_per_round", c->instructions,
				  FL_GB_PER_ITERATION);
}

static void fail_benchmark(struct fl_gb_state *st, struct fl_plan_item *it)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: %s", it->name, fl_errmsg());
	fl_gb_skip_with_error(st, msg);
}

/* The module's metrics: sums over the rounds, an FL_SUMMARY one its last round's. */
static const struct fl_round *rep_metrics(const struct fl_instance *in,
					  struct fl_kmod_rep *rep)
{
	for (int i = 0; in->w->metrics[i].name; i++)
		if (in->w->metrics[i].kind == FL_SUMMARY)
			rep->total.metric[i] = rep->last.metric[i];
	return &rep->total;
}

/* The module's timed rounds, summed: what Google Benchmark was handed. */
static double rep_seconds(const struct fl_kmod_rep *rep, long rounds)
{
	double s = 0;

	for (long i = 0; i < rounds; i++)
		s += rep->round_seconds[i];
	return s;
}

/* One repetition in the module, with the thread it acts on where it needs one. */
static int kmod_repetition(const struct fl_plan_item *it, struct fl_kmod_rep *rep)
{
	struct fl_instance in = it->in;
	int err;

	if (!in.w->kmod_target)
		return fl_kmod_repetition(&in, it->rounds, rep);
	err = fl_instance_setup(&in);
	if (err)
		return err;
	err = fl_kmod_repetition(&in, it->rounds, rep);
	fl_instance_teardown(&in);
	return err;
}

/*
 * The module runs a whole repetition on a kernel thread and times each round
 * itself: Google Benchmark is handed those times (manual time), not the
 * wall clock of writing the request and waiting for the answer.
 */
static void bench_kmod(struct fl_gb_state *st, struct fl_plan_item *it)
{
	struct fl_kmod_rep rep;
	long i = 0;

	if (kmod_repetition(it, &rep)) {
		fail_benchmark(st, it);
		while (fl_gb_keep_running(st))
			;
		return;
	}
	while (fl_gb_keep_running(st))
		fl_gb_set_iteration_time(st, rep.round_seconds[i++]);
	set_metrics(st, &it->in, rep_metrics(&it->in, &rep), rep_seconds(&rep, i));
	fl_gb_set_counter(st, "cycles_per_round", rep.cycles, FL_GB_PER_ITERATION);
	fl_progress_repetition(&current->progress);
}

static void bench_one(struct fl_gb_state *st, void *arg)
{
	struct fl_plan_item *it = arg;
	struct fl_instance in = it->in;
	struct fl_round acc = { { 0 } };
	struct fl_counts c;
	double t0, seconds;
	long round = 0;

	if (in.backend == FL_KMOD) {
		bench_kmod(st, it);
		return;
	}
	if (fl_instance_setup(&in)) {
		fail_benchmark(st, it);
		while (fl_gb_keep_running(st))
			;
		return;
	}
	fl_counters_start(current->counters);
	t0 = monotonic_s();
	while (fl_gb_keep_running(st)) {
		if (in.w->round(&in, &acc)) {
			fail_benchmark(st, it);
			break;
		}
		fl_progress_round(&current->progress, it->name, ++round, it->rounds);
	}
	seconds = monotonic_s() - t0;
	fl_counters_stop(current->counters, &c);
	if (in.w->finish)
		in.w->finish(&in, &acc);
	fl_instance_teardown(&in);
	set_counters(st, &in, &acc, &c, seconds);
	fl_progress_repetition(&current->progress);
}

static struct fl_plan_item *item_named(const struct fl_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strncmp(name, p->items[i].name, strlen(p->items[i].name)) &&
		    (name[strlen(p->items[i].name)] == '\0' ||
		     name[strlen(p->items[i].name)] == '/'))
			return &p->items[i];
	return NULL;
}

/* A metric's unit, and who measured it. */
static const char *metric_unit(const struct fl_instance *in, const char *name,
			       const char **source)
{
	bool kmod = in->backend == FL_KMOD;
	int i = fl_metric_index(in->w, name);

	if (i >= 0) {
		/* an exact guest's wall clock and ktime count instructions too */
		*source = fl_env_exact() ? FL_SOURCE_ICOUNT : kmod ? "ktime" : "wall";
		return in->w->metrics[i].unit;
	}
	*source = fl_env_exact() ? FL_SOURCE_ICOUNT
		  : kmod ? "get_cycles" : fl_counters_source(current->counters);
	if (!strcmp(name, "cycles_per_round"))
		return "cycles/round";
	if (!strcmp(name, "instructions_per_round"))
		return "instructions/round";
	return "ns/round";
}

static void take_repetition(const struct fl_gb_run *r, void *arg)
{
	struct fl_plan_item *it;
	(void)arg;

	if (r->aggregate)
		return;
	it = item_named(current->plan, r->name);
	if (!it)
		return;
	if (r->error) {
		if (!current->failed++)
			snprintf(current->failure, sizeof(current->failure), "%s",
				 r->error_message);
		return;
	}
	for (size_t i = 0; i < r->ncounters; i++) {
		struct fl_sample s = {
			.workload = (char *)it->in.w->name,
			.variant = (char *)it->in.variant,
			.backend = (char *)fl_backend_name(it->in.backend),
			.params = (char *)it->params,
			/* in pairs, an item's repetitions run one at a time, in order */
			.repetition = current->pairs ? it->reported
				      : r->repetition < 0 ? 0 : r->repetition,
			.metric = (char *)r->counter_names[i],
			.value = r->counter_values[i],
		};
		const char *source;

		s.unit = (char *)metric_unit(&it->in, s.metric, &source);
		s.source = (char *)source;
		if (fl_run_add(current->out, &s) && !current->failed++)
			snprintf(current->failure, sizeof(current->failure), "out of memory");
	}
	if (++it->reported == it->repetitions)
		fl_progress_benchmark(&current->progress, it->name);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

const char *fl_runner_schedule(const struct fl_runner_opts *o)
{
	if (o->pairs)
		return FL_SCHEDULE_PAIRS;
	return o->interleave ? FL_SCHEDULE_RANDOM : FL_SCHEDULE_IN_ORDER;
}

static void register_item(struct fl_plan_item *it, const struct fl_runner_opts *o,
			  int repetitions)
{
	struct fl_gb_opts gopts = {
		.iterations = it->rounds,
		.repetitions = repetitions,
		.min_warmup_time = o->warmup,
		.manual_time = it->in.backend == FL_KMOD,
	};

	fl_gb_register(it->name, bench_one, it, &gopts);
}

/* One point: the same workload, backend and parameters, whatever the variant. */
static bool same_point(const struct fl_plan_item *a, const struct fl_plan_item *b)
{
	return a->in.w == b->in.w && a->in.backend == b->in.backend &&
	       !strcmp(a->params, b->params);
}

static bool point_seen_before(const struct fl_plan *p, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_point(&p->items[j], &p->items[i]))
			return true;
	return false;
}

/* Variants of one point: a workload has two (old/new) or one (live). */
#define MAX_VARIANTS_A_POINT	16

/*
 * In pairs: for each repetition k, point by point, the variants' k-th
 * repetitions back to back, starting from a variant drawn at random (A B or
 * B A), each registered as a benchmark of one repetition.  Google Benchmark
 * runs them in this order, so a pair's ratio sees one state of the machine:
 * the method compare's pairs use, inside one run.
 */
static void register_pairs(struct fl_plan *p, const struct fl_runner_opts *o)
{
	uint64_t rng = (uint64_t)(monotonic_s() * 1e9) | 1;
	int reps = 0;

	for (size_t i = 0; i < p->n; i++)
		reps = p->items[i].repetitions > reps ? p->items[i].repetitions : reps;
	for (int k = 0; k < reps; k++) {
		for (size_t i = 0; i < p->n; i++) {
			size_t group[MAX_VARIANTS_A_POINT], n = 0, first;

			if (point_seen_before(p, i))
				continue;
			for (size_t j = i; j < p->n && n < MAX_VARIANTS_A_POINT; j++)
				if (same_point(&p->items[i], &p->items[j]))
					group[n++] = j;
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			first = (size_t)(rng % n);
			for (size_t j = 0; j < n; j++) {
				struct fl_plan_item *it = &p->items[group[(first + j) % n]];

				if (k < it->repetitions)
					register_item(it, o, 1);
			}
		}
	}
}

int fl_runner_run(struct fl_plan *p, const struct fl_runner_opts *o, struct fl_run *out)
{
	struct fl_gb_run_opts go = { .interleave = o->interleave && !o->pairs,
				     .table = o->verbose && !o->quiet };
	struct runner r = { .out = out, .plan = p, .pairs = o->pairs };
	double reps = 0;
	char json[PATH_MAX];
	int err, ran;

	if (!p->n)
		return fl_fail(EINVAL, "nothing to run");
	/* the plan was checked (fl_plan_check); is there a module to take it? */
	for (size_t i = 0; i < p->n; i++) {
		if (p->items[i].in.backend != FL_KMOD)
			continue;
		err = fl_kmod_available();
		if (err)
			return err;
	}
	err = fl_counters_open(&r.counters, o->no_pmu);
	if (err)
		return err;
	err = fl_tmp_make(json, sizeof(json), "gbench", false);
	if (err) {
		fl_counters_close(r.counters);
		return err;
	}
	go.json_path = o->json_path ? o->json_path : json;

	fl_gb_clear();
	for (size_t i = 0; i < p->n; i++) {
		p->items[i].reported = 0;
		reps += p->items[i].repetitions;
	}
	fl_progress_start(&r.progress, o->quiet || o->verbose ? NULL : stderr, p->n, reps);
	if (o->pairs)
		register_pairs(p, o);
	for (size_t i = 0; !o->pairs && i < p->n; i++)
		register_item(&p->items[i], o, p->items[i].repetitions);
	current = &r;
	ran = fl_gb_run_all(&go, take_repetition, NULL);
	current = NULL;
	fl_gb_clear();
	if (!r.failed)	/* a failure is said once, by the caller */
		fl_progress_end(&r.progress);

	free(out->meta.counter_source);
	out->meta.counter_source = strdup(fl_counters_source(r.counters));
	fl_counters_close(r.counters);
	out->gbench_json = read_file(go.json_path);
	fl_tmp_remove(json);

	if (r.failed)
		return fl_fail(EIO, "%s", r.failure);
	if (ran <= 0)
		return fl_fail(EIO, "Google Benchmark ran nothing");
	return 0;
}
