// SPDX-License-Identifier: GPL-2.0
/* The subcommands' option tables: one parser, one usage printer (see options.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/options.h"
#include "bench/err.h"

static const struct fl_option *find(const struct fl_option *opts, const char *name, size_t len)
{
	for (; opts->type != FL_OPT_TYPE_END; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	return NULL;
}

static int take_double(const struct fl_option *o, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v))
		return fl_fail(EINVAL, "--%s: '%s' is not a number", o->name, arg);
	if (v < o->min || v > o->max)
		return fl_fail(ERANGE, "--%s %s out of range [%g, %g]", o->name, arg, o->min,
			       o->max);
	*(double *)o->value = v;
	return 0;
}

static int take(const struct fl_option *o, const char *arg)
{
	char opt[64];

	snprintf(opt, sizeof(opt), "--%s", o->name);
	switch (o->type) {
	case FL_OPT_TYPE_STRING:
		*(const char **)o->value = arg;
		return 0;
	case FL_OPT_TYPE_LONG:
		return fl_cli_parse_long(opt, arg, (long)o->min, (long)o->max, o->value);
	case FL_OPT_TYPE_DOUBLE:
		return take_double(o, arg);
	case FL_OPT_TYPE_BOOL:
		*(bool *)o->value = true;
		return 0;
	case FL_OPT_TYPE_CALLBACK:
		return o->cb(o->value, arg);
	case FL_OPT_TYPE_END:
		break;
	}
	return fl_fail(EINVAL, "%s: not an option", opt);
}

static int unknown(const struct fl_cmd_help *help, const char *word)
{
	return fl_fail(EINVAL, "%s: unknown or incomplete option '%s' (see faultline %s --help)",
		       help->name, word, help->name);
}

int fl_parse_options(int argc, char **argv, const struct fl_option *opts,
		     const struct fl_cmd_help *help, char **args, int max, int *nargs)
{
	bool options = true;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *arg = NULL, *eq;
		const struct fl_option *o;
		int err;

		if (options && (!strcmp(w, "--help") || !strcmp(w, "-h"))) {
			fl_usage(stdout, help, opts);
			return 1;
		}
		if (options && !strcmp(w, "--")) {
			options = false;
			continue;
		}
		if (!options || w[0] != '-' || !w[1]) {
			if (n == max)
				return fl_fail(EINVAL, "%s: unexpected argument '%s' (see faultline "
					       "%s --help)", help->name, w, help->name);
			args[n++] = argv[i];
			continue;
		}
		if (w[1] != '-')
			return unknown(help, w);
		eq = strchr(w + 2, '=');
		o = find(opts, w + 2, eq ? (size_t)(eq - w - 2) : strlen(w + 2));
		if (!o || (eq && !o->argh))
			return unknown(help, w);
		if (o->argh) {
			if (eq)
				arg = eq + 1;
			else if (i + 1 < argc)
				arg = argv[++i];
			else
				return unknown(help, w);
		}
		err = take(o, arg);
		if (err)
			return err;
	}
	if (n < max)
		args[n] = NULL;
	*nargs = n;
	return 0;
}

/*
 * An option's help after its 23-column left part, wrapped at words so that
 * no line passes 80 columns; continued lines start under the help's first.
 */
static void print_help_wrapped(FILE *f, const char *s)
{
	const int indent = 23, width = 80;
	int col = indent;

	while (*s) {
		int len = (int)strcspn(s, " ");

		if (col > indent && col + 1 + len > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", len, s);
		col += len;
		s += len;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}

void fl_usage(FILE *f, const struct fl_cmd_help *help, const struct fl_option *opts)
{
	for (int i = 0; help->usage[i]; i++)
		fprintf(f, "%s %s\n", i ? "      " : "usage:", help->usage[i]);
	if (help->about)
		fprintf(f, "\n%s\n", help->about);
	if (opts->type != FL_OPT_TYPE_END)
		fputc('\n', f);
	for (; opts->type != FL_OPT_TYPE_END; opts++) {
		char left[64];

		if (!opts->help)
			continue;	/* internal */
		snprintf(left, sizeof(left), "--%s%s%s", opts->name, opts->argh ? " " : "",
			 opts->argh ? opts->argh : "");
		fprintf(f, "  %-20s ", left);
		print_help_wrapped(f, opts->help);
	}
	if (help->footer)
		fprintf(f, "\n%s\n", help->footer);
}
