/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/workload.h - what a workload is.
 *
 * A workload drives one mechanism (impl/, or the running kernel) and counts
 * what it did.  It knows nothing of how it is repeated, timed, stored or
 * plotted: the harness calls setup() once per measured repetition, round()
 * as many times as it wants inside the timed region, then teardown().
 *
 * Adding one: a file workloads/<name>.c defining a `const struct fl_workload`
 * and one line in workloads/registry.c.
 */
#ifndef FL_WORKLOAD_H
#define FL_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>

enum fl_backend {
	FL_SHIM = 1 << 0,	/* impl/ on pthreads, old and new variants */
	FL_KMOD = 1 << 1,	/* impl/ inside kmod/, old and new variants */
	FL_LIVE = 1 << 2,	/* the running kernel's own paths, variant "live" */
};

#define FL_ALL_BACKENDS	(FL_SHIM | FL_KMOD | FL_LIVE)

#define FL_MAX_PARAMS	8
#define FL_MAX_METRICS	16

struct fl_param {
	const char *name;	/* short, as on the command line: "M" */
	const char *help;
	long def, min, max;
};

enum fl_metric_kind {
	/* events per second of wall-clock time, times scale */
	FL_RATE,
	/* the sum of what each round reported, divided by the rounds */
	FL_PER_ROUND,
	/*
	 * the repetition's one value, as finish() computed it from all its
	 * rounds (a percentile, a count per sample), times scale
	 */
	FL_SUMMARY,
};

struct fl_metric {
	const char *name;	/* "jobs_per_min" */
	const char *unit;	/* "jobs/min" */
	enum fl_metric_kind kind;
	double scale;		/* 60 turns a per-second rate into per-minute */
	bool higher_is_better;
	/*
	 * The backends that measure it.  Elsewhere it is not stored at all,
	 * rather than stored as a 0 that reads like a count.
	 */
	unsigned backends;
};

struct fl_workload;

/* One configured workload: what the harness sets up and measures. */
struct fl_instance {
	const struct fl_workload *w;
	enum fl_backend backend;
	const char *variant;		/* "old", "new" or "live" */
	long param[FL_MAX_PARAMS];	/* in the order of w->params */
	void *priv;			/* the workload's own state */
	/* kmod: the thread of ours that setup() started for the module to act on */
	long target_tid;
	/* ... and the memory of ours it acts on, where it needs one (0: none) */
	unsigned long target_addr;
};

/* What one round adds to each metric, in the order of w->metrics. */
struct fl_round {
	double metric[FL_MAX_METRICS];
};

struct fl_workload {
	const char *name;
	const char *help;
	unsigned backends;			/* FL_SHIM | FL_LIVE ... */
	/*
	 * kmod: the module acts on a thread of ours (samples its stack), so
	 * setup() runs for the kmod backend too and sets in->target_tid, which
	 * the request carries as target=TID (and target_addr=A where setup()
	 * set one); round() does not run.
	 */
	bool kmod_target;
	const char *const *variants;		/* shim/kmod variants, NULL-ended */
	const struct fl_param *params;		/* ended by a NULL name */
	const struct fl_metric *metrics;	/* ended by a NULL name */
	long rounds;				/* a repetition's rounds; 0: 64 */
	/*
	 * The size of the workload's own state: the harness hands setup() a
	 * zeroed in->priv of this size and frees it after teardown(), so no
	 * workload allocates, or forgets to free, its own.
	 */
	size_t priv_size;
	/*
	 * Return 0, or a negative errno after fl_fail() has said why.
	 * setup() may refuse a configuration (too large, needs root).
	 */
	int (*setup)(struct fl_instance *in);
	int (*round)(struct fl_instance *in, struct fl_round *acc);
	/*
	 * After the last round, untimed: sets acc's FL_SUMMARY slots.  NULL
	 * when the workload has none.
	 */
	void (*finish)(struct fl_instance *in, struct fl_round *acc);
	/*
	 * Releases what setup() acquired, also when setup() failed halfway:
	 * the harness calls it either way.  It does not free priv itself;
	 * NULL when there is nothing else to release.
	 */
	void (*teardown)(void *priv);
};

/* workloads/registry.c */
extern const struct fl_workload *const fl_workloads[];
const struct fl_workload *fl_workload_find(const char *name);
int fl_param_index(const struct fl_workload *w, const char *name);
int fl_metric_index(const struct fl_workload *w, const char *name);
bool fl_metric_measured(const struct fl_metric *m, enum fl_backend b);
int fl_nparams(const struct fl_workload *w);
int fl_nmetrics(const struct fl_workload *w);
bool fl_has_variant(const struct fl_workload *w, const char *variant);
const char *fl_backend_name(enum fl_backend b);
int fl_backend_parse(const char *s, enum fl_backend *b);

/* A repetition's rounds when the command line does not say. */
long fl_workload_rounds(const struct fl_workload *w);
/*
 * The harness's side of setup() and teardown(): in->priv allocated, and
 * torn down and freed again if setup() fails.
 */
int fl_instance_setup(struct fl_instance *in);
void fl_instance_teardown(struct fl_instance *in);

/* The value of the parameter called name: it must exist. */
long fl_param(const struct fl_instance *in, const char *name);

#endif /* FL_WORKLOAD_H */
