/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/analysis/bench_name.h - a benchmark's name: WORKLOAD/VARIANT/BACKEND/PARAMS,
 * with PARAMS its canonical NAME=VALUE,NAME=VALUE list
 * ("reaim_vunmap/new/shim/M=0,P=2,J=256,T=4,S=8").  The one place that
 * formats it, parses the shorter patterns the commands take
 * (WORKLOAD[/VARIANT][/BACKEND][/NAME=VALUE,...], any part but the workload
 * left out) and matches them against stored benchmarks.
 */
#ifndef FL_BENCH_NAME_H
#define FL_BENCH_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* A stored benchmark and one of its metrics. */
struct fl_bench_key {
	char *workload, *variant, *backend, *params, *metric;
};

#define FL_PATTERN_MAX_PARAMS	16

struct fl_bench_pattern {
	char buf[512];
	const char *workload;
	const char *variant, *backend;		/* NULL: any */
	const char *params[FL_PATTERN_MAX_PARAMS];	/* each "NAME=VALUE" */
	int nparams;
};

/* "workload/variant/backend/params" into buf. */
const char *fl_bench_name(const struct fl_bench_key *k, char *buf, size_t size);

/* Parses a pattern; 0, or -EINVAL after fl_fail() has said what is wrong. */
int fl_bench_pattern_parse(const char *spec, struct fl_bench_pattern *p);

/* Whether the benchmark is one the pattern names (every parameter it gives). */
bool fl_bench_pattern_matches(const struct fl_bench_pattern *p, const char *workload,
			      const char *variant, const char *backend, const char *params);

/* Whether the canonical params hold the NAME=VALUE token tok (len bytes of it). */
bool fl_params_has(const char *params, const char *tok, size_t len);

#endif
