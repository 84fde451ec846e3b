/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/samples.h - every timing of a repetition a workload keeps, for
 * the percentiles its finish() reports (FL_SUMMARY): a growing array of
 * uint64_t, sorted once at the end, read by nearest rank (a value some run
 * really took).
 */
#ifndef FL_WORKLOAD_SAMPLES_H
#define FL_WORKLOAD_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

struct fl_samples {
	uint64_t *v;
	size_t n, cap;
};

/* Room for extra more without a reallocation (as where adding may not allocate). */
int fl_samples_reserve(struct fl_samples *s, size_t extra);
/* 0, or -ENOMEM after fl_fail() said so. */
int fl_samples_add(struct fl_samples *s, uint64_t v);
void fl_samples_sort(struct fl_samples *s);
/* The nearest-rank p-th percentile (0 < p <= 100) of the sorted samples; n > 0. */
double fl_samples_percentile(const struct fl_samples *s, double p);
void fl_samples_free(struct fl_samples *s);

#endif
