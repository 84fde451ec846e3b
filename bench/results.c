// SPDX-License-Identifier: GPL-2.0
/*
 * bench/results.c - one run in memory.  The run owns every string it points
 * to, meta included: fl_run_free() frees them all.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/err.h"
#include "bench/results.h"

void fl_run_init(struct fl_run *r)
{
	memset(r, 0, sizeof(*r));
}

static void sample_free(struct fl_sample *s)
{
	free(s->workload);
	free(s->variant);
	free(s->backend);
	free(s->params);
	free(s->metric);
	free(s->unit);
	free(s->source);
}

static void meta_free(struct fl_run_meta *m)
{
	free(m->label);
	free(m->suite);
	free(m->backend);
	free(m->git_commit);
	free(m->git_branch);
	free(m->host);
	free(m->kernel_release);
	free(m->kernel_config_fp);
	free(m->cmdline);
	free(m->cpu_model);
	free(m->topology);
	free(m->counter_source);
	free(m->virt);
	free(m->schedule);
	free(m->started_at);
	free(m->finished_at);
}

void fl_run_free(struct fl_run *r)
{
	for (size_t i = 0; i < r->nsamples; i++)
		sample_free(&r->samples[i]);
	free(r->samples);
	meta_free(&r->meta);
	free(r->gbench_json);
	fl_run_init(r);
}

/* A sample's strings are never NULL: a missing one is kept as "". */
static int dup_field(char **dst, const char *src)
{
	*dst = strdup(src ? src : "");
	return *dst ? 0 : -1;
}

static int grow(struct fl_run *r)
{
	size_t cap = r->cap ? 2 * r->cap : 64;
	struct fl_sample *s;

	s = realloc(r->samples, cap * sizeof(*s));
	if (!s)
		return -1;
	r->samples = s;
	r->cap = cap;
	return 0;
}

int fl_run_add(struct fl_run *r, const struct fl_sample *s)
{
	struct fl_sample c = {
		.repetition = s->repetition,
		.value = s->value,
	};

	if (r->nsamples == r->cap && grow(r))
		goto nomem;
	if (dup_field(&c.workload, s->workload) || dup_field(&c.variant, s->variant) ||
	    dup_field(&c.backend, s->backend) || dup_field(&c.params, s->params) ||
	    dup_field(&c.metric, s->metric) || dup_field(&c.unit, s->unit) ||
	    dup_field(&c.source, s->source)) {
		sample_free(&c);
		goto nomem;
	}
	r->samples[r->nsamples++] = c;
	return 0;
nomem:
	return fl_fail(ENOMEM, "out of memory adding sample %zu (%s %s)", r->nsamples,
		       s->workload ? s->workload : "?", s->metric ? s->metric : "?");
}

/* NULL in a filter matches anything. */
static bool field_match(const char *want, const char *have)
{
	return !want || !strcmp(want, have);
}

static bool value_match(const struct fl_sample *s, const char *workload,
			const char *variant, const char *params, const char *metric)
{
	return field_match(workload, s->workload) && field_match(variant, s->variant) &&
	       field_match(params, s->params) && field_match(metric, s->metric);
}

/* Order of two samples of a run: by repetition, then by position. */
static bool sample_before(const struct fl_run *r, size_t a, size_t b)
{
	int ra = r->samples[a].repetition, rb = r->samples[b].repetition;

	return ra < rb || (ra == rb && a < b);
}

size_t fl_run_values(const struct fl_run *r, const char *workload,
		     const char *variant, const char *params,
		     const char *metric, double *out, size_t max)
{
	size_t n = 0, last = SIZE_MAX, i;
	bool sorted = true;

	/* Runners add repetitions in order: copy them straight when they are. */
	for (i = 0; i < r->nsamples && n < max; i++) {
		if (!value_match(&r->samples[i], workload, variant, params, metric))
			continue;
		if (last != SIZE_MAX && !sample_before(r, last, i)) {
			sorted = false;
			break;
		}
		out[n++] = r->samples[i].value;
		last = i;
	}
	if (sorted)
		return n;

	/* Otherwise pick the next one in (repetition, position) order each time. */
	last = SIZE_MAX;
	for (n = 0; n < max; n++) {
		size_t best = SIZE_MAX;

		for (i = 0; i < r->nsamples; i++) {
			if (!value_match(&r->samples[i], workload, variant, params, metric))
				continue;
			if (last != SIZE_MAX && !sample_before(r, last, i))
				continue;
			if (best == SIZE_MAX || sample_before(r, i, best))
				best = i;
		}
		if (best == SIZE_MAX)
			break;
		out[n] = r->samples[best].value;
		last = best;
	}
	return n;
}

/* Like fl_params_get(), without a message: a missing name is no error to sorting. */
static int params_find(const char *params, const char *name, long *value)
{
	size_t len = strlen(name);
	const char *p = params;

	while (*p) {
		const char *end = strchr(p, ',');

		if (!end)
			end = p + strlen(p);

		if (!strncmp(p, name, len) && p[len] == '=') {
			const char *v = p + len + 1;
			char *e;

			errno = 0;
			*value = strtol(v, &e, 10);
			if (e == v || e != end || errno)
				return -EINVAL;
			return 0;
		}
		p = *end ? end + 1 : end;
	}
	return -ENOENT;
}

int fl_params_get(const char *params, const char *name, long *value)
{
	int err;

	if (!params)
		params = "";
	err = params_find(params, name, value);
	if (err == -EINVAL)
		return fl_fail(EINVAL, "params \"%s\": %s is not a number", params, name);
	if (err)
		return fl_fail(ENOENT, "params \"%s\" have no %s", params, name);
	return 0;
}

/* A params string's sort key; those without one sort after all others. */
static bool param_key(const char *params, const char *sort_by, long *key)
{
	return !params_find(params, sort_by, key);
}

static bool key_before(bool has_a, long a, bool has_b, long b)
{
	if (has_a != has_b)
		return has_a;
	return has_a && a < b;
}

/* Stable insertion sort: equal keys keep the order they were first seen in. */
static void sort_params(const char **set, size_t n, const char *sort_by)
{
	for (size_t i = 1; i < n; i++) {
		const char *cur = set[i];
		long kc = 0, kp = 0;
		bool hc = param_key(cur, sort_by, &kc);
		size_t j = i;

		while (j > 0) {
			bool hp = param_key(set[j - 1], sort_by, &kp);

			if (!key_before(hc, kc, hp, kp))
				break;
			set[j] = set[j - 1];
			j--;
		}
		set[j] = cur;
	}
}

size_t fl_run_param_sets(const struct fl_run *r, const char *workload,
			 const char *metric, const char *sort_by,
			 const char ***out)
{
	const char **set;
	size_t n = 0;

	*out = NULL;
	if (!r->nsamples)
		return 0;
	set = malloc(r->nsamples * sizeof(*set));
	if (!set) {
		fl_fail(ENOMEM, "out of memory listing the params of %s",
			workload ? workload : "all workloads");
		return 0;
	}
	for (size_t i = 0; i < r->nsamples; i++) {
		const struct fl_sample *s = &r->samples[i];
		size_t j;

		if (!field_match(workload, s->workload) || !field_match(metric, s->metric))
			continue;
		for (j = 0; j < n; j++)
			if (!strcmp(set[j], s->params))
				break;
		if (j == n)
			set[n++] = s->params;
	}
	if (!n) {
		free(set);
		return 0;
	}
	if (sort_by)
		sort_params(set, n, sort_by);
	*out = set;
	return n;
}
