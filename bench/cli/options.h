/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/cli/options.h - the subcommands' options as tables, in the manner of
 * perf's parse-options (written here, not taken from it): each command lists
 * its options once, with their argument, help and bounds, and one parser and
 * one usage printer serve them all.
 *
 *	static const struct fl_option opts[] = {
 *		FL_OPT_LONG("reps", &a.reps, 1, 1000, "N", "repetitions (default 5)"),
 *		FL_OPT_STRING("db", &a.db, "FILE", "results database"),
 *		FL_OPT_END(),
 *	};
 *
 * Options may stand anywhere among the positional arguments, as --name VALUE
 * or --name=VALUE; "--" ends them.  --help (or -h) prints the usage.
 */
#ifndef FL_OPTIONS_H
#define FL_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum fl_opt_type {
	FL_OPT_TYPE_END,
	FL_OPT_TYPE_STRING,	/* const char **: the argument itself */
	FL_OPT_TYPE_LONG,	/* long *: a decimal whole number in [min, max] */
	FL_OPT_TYPE_DOUBLE,	/* double *: a number in [min, max] */
	FL_OPT_TYPE_BOOL,	/* bool *: set true, no argument */
	FL_OPT_TYPE_CALLBACK,	/* cb(value, arg): arg NULL when argh is */
};

struct fl_option {
	enum fl_opt_type type;
	const char *name;		/* "reps" for --reps */
	void *value;
	const char *argh;		/* "N", "FILE"; NULL: takes no argument */
	const char *help;		/* NULL: internal, not in the usage */
	double min, max;
	/* FL_OPT_CALLBACK: 0, or a negative errno after fl_fail() */
	int (*cb)(void *value, const char *arg);
};

#define FL_OPT_STRING(n, v, a, h) \
	{ .type = FL_OPT_TYPE_STRING, .name = n, .value = v, .argh = a, .help = h }
#define FL_OPT_LONG(n, v, lo, hi, a, h) \
	{ .type = FL_OPT_TYPE_LONG, .name = n, .value = v, .argh = a, .help = h, \
	  .min = lo, .max = hi }
#define FL_OPT_DOUBLE(n, v, lo, hi, a, h) \
	{ .type = FL_OPT_TYPE_DOUBLE, .name = n, .value = v, .argh = a, .help = h, \
	  .min = lo, .max = hi }
#define FL_OPT_BOOL(n, v, h) \
	{ .type = FL_OPT_TYPE_BOOL, .name = n, .value = v, .help = h }
#define FL_OPT_CALLBACK(n, v, a, h, f) \
	{ .type = FL_OPT_TYPE_CALLBACK, .name = n, .value = v, .argh = a, .help = h, .cb = f }
#define FL_OPT_END() { .type = FL_OPT_TYPE_END }

/* What --help prints: the usage lines, a paragraph about the command, a footer. */
struct fl_cmd_help {
	const char *name;		/* "compare" */
	const char *const *usage;	/* NULL-ended: "faultline compare A B [OPTIONS]" */
	const char *about;		/* or NULL */
	const char *footer;		/* or NULL: "Exit status: ..." */
};

/*
 * Parses argv[1..argc) (argv[0] is the command) against opts, the positional
 * arguments into args (at most max, NULL-ended after them, *nargs of them).
 * Returns 0; 1 when --help was asked for and printed on stdout; or a
 * negative errno after fl_fail() said which option was wrong and how.
 */
int fl_parse_options(int argc, char **argv, const struct fl_option *opts,
		     const struct fl_cmd_help *help, char **args, int max, int *nargs);

/* The usage, the about paragraph, every option with its help, the footer. */
void fl_usage(FILE *f, const struct fl_cmd_help *help, const struct fl_option *opts);

#endif
