// SPDX-License-Identifier: GPL-2.0
/* workloads/samples.c - see workloads/samples.h. */
#include <errno.h>
#include <stdlib.h>

#include "bench/err.h"
#include "samples.h"

int fl_samples_reserve(struct fl_samples *s, size_t extra)
{
	size_t cap = s->cap ? s->cap : 4096;
	uint64_t *v;

	if (s->n + extra <= s->cap)
		return 0;
	while (cap < s->n + extra)
		cap *= 2;
	v = realloc(s->v, cap * sizeof(*v));
	if (!v)
		return fl_fail(ENOMEM, "out of memory for %zu samples", cap);
	s->v = v;
	s->cap = cap;
	return 0;
}

int fl_samples_add(struct fl_samples *s, uint64_t v)
{
	int err = fl_samples_reserve(s, 1);

	if (err)
		return err;
	s->v[s->n++] = v;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void fl_samples_sort(struct fl_samples *s)
{
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
}

double fl_samples_percentile(const struct fl_samples *s, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)s->n + 0.999999);

	return (double)s->v[rank ? rank - 1 : 0];
}

void fl_samples_free(struct fl_samples *s)
{
	free(s->v);
	*s = (struct fl_samples){ 0 };
}
