// SPDX-License-Identifier: GPL-2.0
/* faultline run: run workloads, or the suite the claims need, into results.db. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/claims/claims.h"
#include "bench/cli/cli.h"
#include "bench/cli/options.h"
#include "bench/err.h"
#include "bench/measure/env.h"
#include "bench/measure/runner.h"
#include "bench/measure/topology.h"
#include "bench/measure/vm.h"
#include "bench/store/store.h"
#include "workloads/live.h"

struct run_args {
	const char *suite, *variants, *db, *label, *json, *vm, *append, *cpus;
	const char *params[FL_MAX_PARAMS + 1];
	int nparams;
	unsigned backends;		/* enum fl_backend bits */
	bool backend_set;
	char backend_names[32];
	long reps, rounds, warmup;
	bool no_interleave, pairs, exact;
	char *workloads[64];
	int nworkloads;
	struct fl_runner_opts ro;
};

/* "shim,kmod": each once; the names are kept for the run's record. */
static int parse_backends(const char *list, struct run_args *a)
{
	char buf[64], *save, *tok;
	enum fl_backend b;

	if (strlen(list) >= sizeof(buf))
		return fl_fail(EINVAL, "--backend: list too long");
	strcpy(buf, list);
	a->backends = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (fl_backend_parse(tok, &b))
			return fl_fail(EINVAL, "unknown backend '%s' (shim, live or kmod)", tok);
		if (a->backends & b)
			return fl_fail(EINVAL, "--backend: %s given twice", tok);
		a->backends |= b;
	}
	if (!a->backends)
		return fl_fail(EINVAL, "--backend: no backend named");
	snprintf(a->backend_names, sizeof(a->backend_names), "%s", list);
	a->backend_set = true;
	return 0;
}

static int opt_suite(void *value, const char *arg)
{
	if (strcmp(arg, "quick"))
		return fl_fail(EINVAL, "unknown suite '%s' (there is: quick)", arg);
	*(const char **)value = arg;
	return 0;
}

static int opt_backend(void *value, const char *arg)
{
	return parse_backends(arg, value);
}

static int opt_param(void *value, const char *arg)
{
	struct run_args *a = value;

	if (a->nparams == FL_MAX_PARAMS)
		return fl_fail(EINVAL, "too many --param");
	a->params[a->nparams++] = arg;
	return 0;
}

static const char *const run_usage[] = {
	"faultline run [WORKLOAD...] [OPTIONS]",
	"faultline run --suite quick [OPTIONS]",
	NULL,
};

static const struct fl_cmd_help run_help = {
	"run", run_usage,
	"Runs each WORKLOAD (see faultline list) for every combination of the given\n"
	"variants and parameter values, or the quick suite: every point the claims need.\n"
	"The whole run is stored in one transaction, or not at all.",
	NULL,
};

/* 0, 1 after --help, or a negative errno. */
static int parse_args(int argc, char **argv, struct run_args *a)
{
	const struct fl_option opts[] = {
		FL_OPT_CALLBACK("suite", &a->suite, "quick",
				"the claims' quick suite (what make bench runs)", opt_suite),
		FL_OPT_CALLBACK("backend", a, "B[,B]",
				"shim (default), live, kmod, or several side by side", opt_backend),
		FL_OPT_STRING("variant", &a->variants, "V[,V]",
			      "variants to run (default: all of the backend's)"),
		FL_OPT_CALLBACK("param", a, "N=V[,V...]",
				"a parameter's values; repeat for others", opt_param),
		FL_OPT_LONG("reps", &a->reps, 1, 1000, "N", "repetitions (default 5)"),
		FL_OPT_LONG("rounds", &a->rounds, 1, 100000000, "N",
			    "rounds per repetition (default: the workload's)"),
		FL_OPT_LONG("warmup", &a->warmup, 0, 60, "SECONDS",
			    "warm-up before each benchmark (default 0)"),
		FL_OPT_STRING("db", &a->db, "FILE", "results database (default results.db)"),
		FL_OPT_STRING("label", &a->label, "TEXT", "a label for the run"),
		FL_OPT_STRING("json", &a->json, "FILE", "also keep Google Benchmark's JSON report"),
		FL_OPT_BOOL("no-pmu", &a->ro.no_pmu, "skip hardware counters (TSC + task-clock)"),
		FL_OPT_BOOL("no-interleave", &a->no_interleave,
			    "run repetitions in order, not randomly interleaved"),
		FL_OPT_BOOL("pairs", &a->pairs,
			    "variants of each point back to back, repetition by repetition "
			    "(the quick suite's default)"),
		FL_OPT_BOOL("quiet", &a->ro.quiet, "print nothing while it runs"),
		FL_OPT_BOOL("verbose", &a->ro.verbose,
			    "Google Benchmark's table instead of progress lines"),
		FL_OPT_STRING("vm", &a->vm, "K[,K...]",
			      "run inside each guest kernel under qemu (ci/vm): 6.1, 6.12 or a "
			      "release; results stored here, tagged"),
		FL_OPT_STRING("append", &a->append, "TEXT",
			      "with --vm: more kernel command line (nohz_full=1)"),
		FL_OPT_STRING("cpus", &a->cpus, "LIST",
			      "run on these CPUs only, as taskset -c (with --vm: the guest's; "
			      "nohz_full=1 and --cpus 1 put the run on a nohz_full CPU)"),
		FL_OPT_BOOL("exact", &a->exact,
			    "with --vm: exact guests, whose clock counts instructions "
			    "(README, \"Exact mode\")"),
		FL_OPT_END(),
	};
	int err = fl_parse_options(argc, argv, opts, &run_help, a->workloads, 63,
				   &a->nworkloads);

	if (err)
		return err;
	a->ro.warmup = (double)a->warmup;
	/*
	 * In an exact guest nothing drifts, and random interleaving would only
	 * make two boots run their benchmarks in different orders, on
	 * differently used memory: in order, unless pairs were asked for.
	 */
	a->ro.interleave = !a->no_interleave && !fl_env_exact();
	/* the claims judge their ratios by pair: the quick suite runs in pairs */
	a->ro.pairs = a->pairs || (a->suite && !a->no_interleave);
	if (a->pairs && a->no_interleave)
		return fl_fail(EINVAL, "run: --pairs and --no-interleave are two orders; "
			       "give one");
	if (a->append && !a->vm)
		return fl_fail(EINVAL, "run: --append goes with --vm");
	if (a->exact && !a->vm)
		return fl_fail(EINVAL, "run: --exact goes with --vm (it is how a guest is booted)");
	return fl_cli_check_writable("--json", a->json);
}

static int add_entry(struct fl_plan *p, const struct fl_workload *w,
		     const struct fl_suite_entry *e, const struct run_args *a)
{
	if (!w)
		return fl_fail(EINVAL, "the quick suite needs unknown workload %s", e->workload);
	return fl_plan_add(p, w, e->backend, e->variants, e->params,
			   a->reps ? (int)a->reps : e->repetitions,
			   a->rounds ? a->rounds : e->rounds);
}

static int plan_suite(struct fl_plan *p, const struct run_args *a)
{
	for (int i = 0; fl_claims[i]; i++) {
		for (const struct fl_suite_entry *e = fl_claims[i]->quick; e && e->workload; e++) {
			const struct fl_workload *w = fl_workload_find(e->workload);
			int err;

			if (!w)
				return fl_fail(EINVAL, "claim %s needs unknown workload %s",
					       fl_claims[i]->id, e->workload);
			if (a->backend_set && !(e->backend & a->backends))
				continue;
			/*
			 * Unasked for, the live points are left out, not failed,
			 * where they cannot count the kernel: make bench works
			 * for anyone, and says what it left out.
			 */
			if (e->backend == FL_LIVE && !a->backend_set &&
			    fl_live_check_privilege()) {
				fprintf(stderr, "faultline: quick suite without %s on the live "
					"backend: %s\n", e->workload, fl_errmsg());
				continue;
			}
			err = add_entry(p, w, e, a);
			if (err)
				return err;
		}
	}
	return p->n ? 0 : fl_fail(EINVAL, "the quick suite has nothing for that backend");
}

/* How often the claims may ask for more points after the quick suite. */
#define MAX_EXTENSIONS	4

struct run_more_args {
	const struct run_args *a;
	struct fl_run *r;
};

/* The claims' further points, run once into extra and moved into r. */
static int run_more(struct fl_plan *more, const struct run_args *a, struct fl_run *r)
{
	struct fl_runner_opts ro = a->ro;
	struct fl_run extra;
	int err;

	ro.json_path = NULL;	/* --json keeps the quick suite's report */
	fl_run_init(&extra);
	err = fl_plan_check(more);
	if (!err)
		err = fl_runner_run(more, &ro, &extra);
	for (size_t i = 0; !err && i < extra.nsamples; i++)
		err = fl_run_add(r, &extra.samples[i]);
	fl_run_free(&extra);
	return err == -ENOMEM ? fl_fail(ENOMEM, "out of memory adding points") : err;
}

/*
 * One entry a claim asks for after the quick suite (fl_claims_extend()):
 * vmalloc-sync's 80% at a larger M than this machine reached.  1 when the
 * backends asked for leave it out.
 */
static int run_asked(const struct fl_claim *c, const struct fl_suite_entry *e,
		     const char *asked, void *arg)
{
	struct run_more_args *m = arg;
	struct fl_plan more = { 0 };
	int err;

	if (m->a->backend_set && !(e->backend & m->a->backends))
		return 1;
	if (!m->a->ro.quiet)
		fprintf(stderr, "faultline: %s needs more: %s at %s\n", c->id, e->workload,
			asked);
	err = add_entry(&more, fl_workload_find(e->workload), e, m->a);
	if (!err)
		err = run_more(&more, m->a, m->r);
	fl_plan_free(&more);
	return err;
}

static int plan_workloads(struct fl_plan *p, const struct run_args *a)
{
	if (!a->nworkloads)
		return fl_fail(EINVAL, "run: name a workload or --suite quick (see faultline list)");
	for (int i = 0; i < a->nworkloads; i++) {
		const struct fl_workload *w = fl_workload_find(a->workloads[i]);
		int err;

		if (!w)
			return fl_fail(EINVAL, "unknown workload '%s' (see faultline list)",
				       a->workloads[i]);
		for (unsigned b = FL_SHIM; b <= FL_LIVE; b <<= 1) {
			if (!(a->backends & b))
				continue;
			err = fl_plan_add(p, w, b, a->variants, a->params, a->reps ? (int)a->reps : 5,
					  a->rounds ? a->rounds : fl_workload_rounds(w));
			if (err)
				return err;
		}
	}
	return 0;
}

static int build_plan(struct fl_plan *p, struct run_args *a)
{
	int err;

	if (!a->suite) {
		err = plan_workloads(p, a);
		return err ? err : fl_plan_check(p);
	}
	if (a->nworkloads)
		return fl_fail(EINVAL, "run: --suite takes no workload names");
	if (a->variants || a->nparams)
		return fl_fail(EINVAL, "run: --suite fixes variants and parameters");
	err = plan_suite(p, a);
	return err ? err : fl_plan_check(p);
}

static void fill_meta(struct fl_run_meta *m, const struct run_args *a)
{
	fl_env_capture(m);
	m->label = strdup(a->label ? a->label : "");
	m->suite = strdup(a->suite ? a->suite : "custom");
	m->backend = strdup(a->backend_names);
	m->schedule = strdup(fl_runner_schedule(&a->ro));
}

static int store_run(struct fl_store *st, struct fl_run *r)
{
	struct fl_verdict v[32];
	struct fl_run stored;
	size_t n;
	int err;

	err = fl_store_save_run(st, r);
	if (err)
		return err;
	/*
	 * The run is safe.  Verdicts are derived data: computed from the
	 * samples as stored, and again by faultline claims whenever asked.
	 */
	fl_run_init(&stored);
	err = fl_store_load_run(st, r->meta.id, &stored);
	if (!err) {
		n = fl_cli_evaluate(&stored, v, 32);
		err = fl_store_save_claims(st, fl_claims);
		if (!err)
			err = fl_store_save_verdicts(st, r->meta.id, v, n);
	}
	fl_run_free(&stored);
	return err;
}

/* The run's own arguments, less those that only the host understands. */
static int guest_args(int argc, char **argv, char **out)
{
	static const char *const host_only[] = { "--vm", "--append", "--db" };
	int n = 0;

	for (int i = 1; i < argc; i++) {
		bool skip = !strcmp(argv[i], "--exact");	/* a flag: no value */

		for (size_t k = 0; k < sizeof(host_only) / sizeof(host_only[0]); k++) {
			size_t len = strlen(host_only[k]);

			if (!strcmp(argv[i], host_only[k])) {
				skip = true;
				i++;	/* and its value */
			} else if (!strncmp(argv[i], host_only[k], len) && argv[i][len] == '=') {
				skip = true;
			}
		}
		if (!skip)
			out[n++] = argv[i];
	}
	out[n] = NULL;
	return n;
}

static int count_commas(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

static int run_in_guests(int argc, char **argv, const struct run_args *a, struct fl_store *st)
{
	struct fl_vm_opts o = {
		.kernels = a->vm,
		.append = a->append,
		.module = a->backends & FL_KMOD,
		.exact = a->exact,
	};
	struct fl_run_meta host = { 0 };
	long long ids[8];
	char **gargv = calloc((size_t)argc + 1, sizeof(*gargv));
	int n, err;

	if (!gargv)
		return fl_fail(ENOMEM, "out of memory");
	n = guest_args(argc, argv, gargv);
	fl_env_capture(&host);
	err = fl_vm_run(&o, n, gargv, &host, st, ids, 8);
	for (int i = 0, kernels = 1 + count_commas(a->vm); !err && i < kernels && i < 8; i++)
		printf("faultline: guest run %lld stored in %s\n", ids[i], a->db);
	/* QEMU's icount cannot bring up a second x86 vCPU (README, "Exact mode") */
	if (!err && a->exact)
		printf("faultline: exact guests have one vCPU (topology 1 PU): a workload's threads "
		       "share it, so the runs measure their work, not their parallelism\n");
	free(gargv);
	return err;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {
		.db = FL_DEFAULT_DB,
		.backends = FL_SHIM,
		.backend_names = "shim",
		.ro = { .interleave = true },
	};
	struct fl_plan plan = { 0 };
	struct fl_store *st = NULL;
	struct fl_run r;
	int err;

	fl_run_init(&r);
	err = parse_args(argc, argv, &a);
	if (err > 0)
		return 0;
	if (!err)
		err = build_plan(&plan, &a);
	/* the CPUs to run on, checked before anything is written (a guest checks its own) */
	if (!err && !a.vm)
		err = fl_topo_init();
	if (!err && !a.vm && a.cpus)
		err = fl_topo_restrict(a.cpus);
	/* Open the database first: a run that cannot be stored is not started. */
	if (!err)
		err = fl_store_open(a.db, &st);
	if (!err && a.vm) {
		err = run_in_guests(argc, argv, &a, st);
		fl_store_close(st);
		fl_plan_free(&plan);
		if (err)
			fprintf(stderr, "faultline: %s\n", fl_errmsg());
		return err ? 1 : 0;
	}
	if (!err) {
		a.ro.json_path = a.json;
		fill_meta(&r.meta, &a);
		r.meta.started_at = fl_now_iso8601();
		err = fl_runner_run(&plan, &a.ro, &r);
		if (!err && a.suite)
			err = fl_claims_extend(&r, MAX_EXTENSIONS, run_asked,
					       &(struct run_more_args){ &a, &r });
		r.meta.finished_at = fl_now_iso8601();
	}
	if (!err)
		err = store_run(st, &r);
	if (!err)
		printf("faultline: run %lld stored in %s (%zu samples, counters: %s)\n",
		       r.meta.id, a.db, r.nsamples, r.meta.counter_source);
	else
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
	fl_store_close(st);
	fl_plan_free(&plan);
	fl_run_free(&r);
	return err ? 1 : 0;
}
