/* SPDX-License-Identifier: GPL-2.0 */
/* bench/cli/cli.h - the faultline subcommands, one file each. */
#ifndef FL_CLI_H
#define FL_CLI_H

#include "bench/cli/options.h"
#include "bench/results.h"
#include "bench/store/store.h"

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_claims(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_bisect(int argc, char **argv);

#define FL_DEFAULT_DB	"results.db"

/*
 * Opens db and loads run id (or, for id 0, the newest) into r, which the
 * caller frees; the store stays open in *st for the caller to close.
 */
int fl_cli_load_run(const char *db, long long id, struct fl_store **st,
		    struct fl_run *r);
/* An option's whole-number value s in [min, max] into *v ("--reps 12"). */
int fl_cli_parse_long(const char *opt, const char *s, long min, long max, long *v);
/*
 * An output file given as option opt can be written (it, or its directory
 * where it does not exist yet): checked before the work whose result it
 * holds, so that nothing is run or stored for a report that cannot be kept.
 */
int fl_cli_check_writable(const char *opt, const char *path);
/* Parses a run id: a positive whole number. */
int fl_cli_parse_run_id(const char *s, long long *id);
/* What every command that reads one stored run is told: --db and --run. */
struct fl_cli_run_opts {
	const char *db;
	long long id;		/* 0: the newest */
};

/*
 * fl_parse_options() for a command whose errors exit 1: 0 to go on; else the
 * command's exit status is in *exit_status: 0 after --help, 1 after an error
 * (said on stderr).
 */
int fl_cli_options(int argc, char **argv, const struct fl_option *opts,
		   const struct fl_cmd_help *help, char **args, int max, int *nargs,
		   int *exit_status);

/* The option callback of --run ID (bench/cli/options.h): into a long long. */
int fl_cli_opt_run_id(void *value, const char *arg);
/* --db and --run of struct fl_cli_run_opts o, as two option-table entries. */
#define FL_CLI_RUN_OPTIONS(o)								\
	FL_OPT_STRING("db", &(o).db, "FILE", "results database (default results.db)"),	\
	FL_OPT_CALLBACK("run", &(o).id, "ID", "the run (default: the newest)",		\
			fl_cli_opt_run_id)
/*
 * Loads the run, calls fn on it, says any error on one line; returns the
 * command's exit status.
 */
int fl_cli_with_run(const struct fl_cli_run_opts *o,
		    int (*fn)(const struct fl_run *r, void *arg), void *arg);

/*
 * The samples claims are judged and drawn on.  The kmod backend's share the
 * shim's variant names, so a workload's kmod samples count only where the
 * run has no shim samples of it: beside the shim they check the module; on
 * their own (nmi_stack_sampling in an exact guest, the kernel's own
 * functions) they are what the run measured.  The view borrows r's meta:
 * free it with fl_cli_claims_view_free(), before r.
 */
int fl_cli_claims_view(const struct fl_run *r, struct fl_run *view);
void fl_cli_claims_view_free(struct fl_run *view);
/* A verdict for every registered claim, from the run's samples. */
size_t fl_cli_evaluate(const struct fl_run *r, struct fl_verdict *v, size_t max);

#endif
