// SPDX-License-Identifier: GPL-2.0
/* The subcommands' option tables (bench/cli/options.c): what they take and refuse. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bench/cli/options.h"
#include "bench/err.h"

static const char *const usage[] = { "faultline try [OPTIONS] ARG...", NULL };
static const struct fl_cmd_help help = { "try", usage, "about", "footer" };

struct vals {
	const char *s;
	long n;
	double d;
	bool b;
	int calls;
};

static int count(void *value, const char *arg)
{
	struct vals *v = value;

	v->calls++;
	return strcmp(arg, "bad") ? 0 : fl_fail(EINVAL, "--cb: bad");
}

static int parse(struct vals *v, char **args, int *n, int argc, char **argv)
{
	const struct fl_option opts[] = {
		FL_OPT_STRING("str", &v->s, "S", "a string"),
		FL_OPT_LONG("num", &v->n, 1, 10, "N", "a number"),
		FL_OPT_DOUBLE("dbl", &v->d, 0, 1, "D", "a fraction"),
		FL_OPT_BOOL("flag", &v->b, "a flag"),
		FL_OPT_CALLBACK("cb", v, "X", "called", count),
		FL_OPT_STRING("hidden", &v->s, "S", NULL),
		FL_OPT_END(),
	};

	return fl_parse_options(argc, argv, opts, &help, args, 2, n);
}

static void test_takes(void **state)
{
	char *argv[] = { "try", "a", "--str", "x", "--num=7", "--dbl", "0.5", "--flag", "--cb",
			 "y", "--", "--b", NULL };
	struct vals v = { 0 };
	char *args[3];
	int n;

	assert_int_equal(parse(&v, args, &n, 12, argv), 0);
	assert_string_equal(v.s, "x");
	assert_int_equal(v.n, 7);
	assert_true(v.d == 0.5);
	assert_true(v.b);
	assert_int_equal(v.calls, 1);
	assert_int_equal(n, 2);
	assert_string_equal(args[0], "a");
	assert_string_equal(args[1], "--b");	/* after "--", an argument */
}

static void expect(int argc, char **argv, int err, const char *msg)
{
	struct vals v = { 0 };
	char *args[3];
	int n;

	assert_int_equal(parse(&v, args, &n, argc, argv), err);
	assert_non_null(strstr(fl_errmsg(), msg));
}

static void test_refuses(void **state)
{
	char *unknown[] = { "try", "--nope" }, *missing[] = { "try", "--num" };
	char *range[] = { "try", "--num", "11" }, *octal[] = { "try", "--num", "0x1" };
	char *notnum[] = { "try", "--dbl", "x" }, *flagarg[] = { "try", "--flag=1" };
	char *many[] = { "try", "a", "b", "c" }, *cb[] = { "try", "--cb", "bad" };
	char *single[] = { "try", "-x" };

	expect(2, unknown, -EINVAL, "try: unknown or incomplete option '--nope'");
	expect(2, missing, -EINVAL, "unknown or incomplete option '--num'");
	expect(3, range, -ERANGE, "--num 11 out of range [1, 10]");
	expect(3, octal, -EINVAL, "--num: '0x1' is not a whole number");
	expect(3, notnum, -EINVAL, "--dbl: 'x' is not a number");
	expect(2, flagarg, -EINVAL, "unknown or incomplete option '--flag=1'");
	expect(4, many, -EINVAL, "try: unexpected argument 'c'");
	expect(3, cb, -EINVAL, "--cb: bad");
	expect(2, single, -EINVAL, "unknown or incomplete option '-x'");
}

static void test_usage(void **state)
{
	char buf[2048] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	const struct fl_option opts[] = {
		FL_OPT_LONG("num", NULL, 1, 10, "N", "a number"),
		FL_OPT_STRING("hidden", NULL, "S", NULL),
		FL_OPT_BOOL("long", NULL, "a help that runs on past the eightieth column of "
			    "a terminal, so it wraps at a word and goes on under itself"),
		FL_OPT_END(),
	};

	fl_usage(f, &help, opts);
	fclose(f);
	assert_non_null(strstr(buf, "usage: faultline try [OPTIONS] ARG...\n\nabout\n"));
	assert_non_null(strstr(buf, "  --num N "));
	/* wrapped within 80 columns, the rest under the help's first column */
	assert_non_null(strstr(buf, "  --long               a help that runs on past the eightieth "
				    "column of a\n                       terminal, so it wraps"));
	assert_null(strstr(buf, "hidden"));
	assert_non_null(strstr(buf, "\nfooter\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_takes),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
