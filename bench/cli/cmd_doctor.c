// SPDX-License-Identifier: GPL-2.0
/*
 * faultline doctor: what this machine offers the harness, and what the harness
 * costs on it.  The cost of a timed region's clock reads is stored as a run
 * (suite "doctor") so that it is kept with the results it bounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bench/analysis/stats.h"
#include "bench/cli/cli.h"
#include "bench/err.h"
#include "bench/measure/clock.h"
#include "bench/measure/counters.h"
#include "bench/measure/env.h"
#include "bench/measure/topology.h"
#include "bench/report/plot.h"

#define SAMPLES		100000
#define REPS		5
#define BUDGET_CYCLES	50

/* An empty timed region, as every sample pays it. */
static double region_cost(void)
{
	static double d[SAMPLES];

	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = fl_clock_begin();
		uint64_t t1 = fl_clock_end();

		d[i] = (double)(t1 - t0);
	}
	return fl_median(d, SAMPLES);
}

/* Back-to-back bare rdtsc, and rdtscp, for comparison. */
static double rdtsc_cost(void)
{
	static double d[SAMPLES];

	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = __rdtsc();
		uint64_t t1 = __rdtsc();

		d[i] = (double)(t1 - t0);
	}
	return fl_median(d, SAMPLES);
}

static double rdtscp_cost(void)
{
	static double d[SAMPLES];
	unsigned aux;

	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = __rdtscp(&aux);
		uint64_t t1 = __rdtscp(&aux);

		d[i] = (double)(t1 - t0);
	}
	return fl_median(d, SAMPLES);
}

static int add(struct fl_run *r, const char *variant, int rep, double v)
{
	struct fl_sample s = {
		.workload = "clock_read", .variant = (char *)variant, .backend = "shim",
		.params = "", .repetition = rep, .metric = "cycles_per_read_pair",
		.unit = "TSC cycles", .value = v, .source = "tsc",
	};

	return fl_run_add(r, &s);
}

static int measure_clock(struct fl_run *r)
{
	static const struct {
		const char *variant;
		double (*fn)(void);
	} kinds[] = {
		{ "region", region_cost }, { "rdtsc", rdtsc_cost }, { "rdtscp", rdtscp_cost },
	};
	double med[3], v[REPS];

	for (int k = 0; k < 3; k++) {
		for (int rep = 0; rep < REPS; rep++) {
			v[rep] = kinds[k].fn();
			if (add(r, kinds[k].variant, rep, v[rep]))
				return fl_fail(ENOMEM, "out of memory");
		}
		med[k] = fl_median(v, REPS);
	}
	printf("clock      timed region (lfence;rdtsc .. rdtsc): %.0f TSC cycles, median of %d x %d"
	       " (budget %d: %s)\n", med[0], REPS, SAMPLES, BUDGET_CYCLES,
	       med[0] <= BUDGET_CYCLES ? "ok" : "OVER");
	printf("           bare rdtsc %.0f, rdtscp %.0f; TSC %.3f GHz\n", med[1], med[2],
	       fl_tsc_hz() / 1e9);
	return 0;
}

static void report_machine(bool no_pmu)
{
	struct fl_counters *c;
	char topo[256];
	FILE *f;
	int paranoid = -99;

	fl_topo_describe(topo, sizeof(topo));
	printf("topology   %s\n", topo);
	f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f) {
		if (fscanf(f, "%d", &paranoid) != 1)
			paranoid = -99;
		fclose(f);
	}
	printf("privilege  %s, perf_event_paranoid=%d\n", geteuid() ? "not root" : "root",
	       paranoid);
	if (fl_counters_open(&c, no_pmu)) {
		printf("counters   unavailable: %s\n", fl_errmsg());
	} else {
		const char *why = fl_counters_pmu_error(c);

		printf("counters   %s%s%s%s\n", fl_counters_source(c), why[0] ? " (PMU not used: " : "",
		       why, why[0] ? ")" : "");
		fl_counters_close(c);
	}
	printf("gnuplot    %s\n", fl_plot_available() ? "found" : "missing (make deps)");
	printf("modules    %s\n", access("/proc/modules", F_OK) ? "not supported by this kernel"
							     : "supported");
}

int cmd_doctor(int argc, char **argv)
{
	static const char *const usage[] = { "faultline doctor [--db FILE] [--no-pmu]", NULL };
	static const struct fl_cmd_help help = {
		"doctor", usage,
		"Reports counters, topology, privileges and gnuplot, measures the cost of a\n"
		"timed region's clock reads and stores it.",
		NULL,
	};
	const char *db = FL_DEFAULT_DB;
	struct fl_store *st = NULL;
	bool no_pmu = false;
	const struct fl_option opts[] = {
		FL_OPT_STRING("db", &db, "FILE", "results database (default results.db)"),
		FL_OPT_BOOL("no-pmu", &no_pmu, "skip the hardware counters"),
		FL_OPT_END(),
	};
	struct fl_run r;
	int n, err, status;

	if (fl_cli_options(argc, argv, opts, &help, NULL, 0, &n, &status))
		return status;
	fl_run_init(&r);
	err = fl_store_open(db, &st);
	if (!err)
		err = fl_topo_init();
	if (!err) {
		report_machine(no_pmu);
		fl_env_capture(&r.meta);
		r.meta.label = strdup("");
		r.meta.suite = strdup("doctor");
		r.meta.backend = strdup("shim");
		r.meta.counter_source = strdup("tsc");
		r.meta.started_at = fl_now_iso8601();
		err = measure_clock(&r);
		r.meta.finished_at = fl_now_iso8601();
	}
	if (!err)
		err = fl_store_save_run(st, &r);
	if (!err)
		printf("faultline: doctor run %lld stored in %s\n", r.meta.id, db);
	else
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
	fl_store_close(st);
	fl_run_free(&r);
	return err ? 1 : 0;
}
