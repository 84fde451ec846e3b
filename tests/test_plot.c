// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_plot.c - bench/report/plot.c against the installed gnuplot, a PATH
 * without gnuplot, a gnuplot that fails, and directories it cannot write.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench/err.h"
#include "bench/report/plot.h"

static char dir[64];
static char saved_path[4096];

static const double xs[] = { 1, 2, 4, 8, 16 };
static const double old_y[] = { 100, 180, 300, 420, 500 };
static const double new_y[] = { 100, 195, 380, 700, 1150 };
static const double new_lo[] = { 95, 185, 360, 650, 1080 };
static const double new_hi[] = { 104, 206, 400, 760, 1230 };

static void example(struct fl_plot *p, const char *path)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	p->title = "spf: ebizzy-like records/s vs threads (old vs new)";
	p->xlabel = "threads";
	p->ylabel = "records/s";
	p->logx = true;
	p->series[0] = (struct fl_series){ "old (mmap_sem)", xs, old_y, NULL, NULL, 5 };
	p->series[1] = (struct fl_series){ "new (speculative)", xs, new_y, new_lo, new_hi, 5 };
	p->nseries = 2;
	p->hline[0] = (struct fl_hline){ "published: +100.7%", 1003.5 };
	p->nhlines = 1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	const char *path = getenv("PATH");

	snprintf(saved_path, sizeof(saved_path), "%s", path ? path : "/usr/bin:/bin");
	snprintf(dir, sizeof(dir), "/tmp/faultline-test-plot.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	setenv("PATH", saved_path, 1);
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void in_dir(char *out, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", dir, name);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* Files in dir whose names start with prefix, hidden ones included. */
static int count_files(const char *sub, const char *prefix)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	in_dir(path, sub);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strstr(de->d_name, prefix))
			n++;
	}
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	long size = file_size(path);
	char *buf;
	FILE *f;

	assert_true(size > 0);
	buf = calloc(1, size + 1);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, size, f), size);
	fclose(f);
	return buf;
}

static void make_subdir(const char *name)
{
	char path[PATH_MAX];

	in_dir(path, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void test_two_series(void **state)
{
	static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	char base[PATH_MAX], png[PATH_MAX], svg[PATH_MAX];
	struct fl_plot p;
	char *text;

	make_subdir("ok");
	in_dir(base, "ok/spf");
	in_dir(png, "ok/spf.png");
	in_dir(svg, "ok/spf.svg");
	example(&p, base);
	assert_true(fl_plot_available());
	assert_int_equal(fl_plot_write(&p), 0);

	text = slurp(png);
	assert_memory_equal(text, png_sig, sizeof(png_sig));
	free(text);
	assert_true(file_size(png) > 10000);

	text = slurp(svg);
	assert_non_null(strstr(text, "<svg"));
	assert_non_null(strstr(text, "old (mmap_sem)"));
	assert_non_null(strstr(text, "new (speculative)"));
	assert_non_null(strstr(text, "published: +100.7%"));
	free(text);
	/* the two targets and no temporary leftovers */
	assert_int_equal(count_files("ok", ""), 2);
}

/* Labels are data: quotes, backquotes, macros and newlines must not run anything. */
static void test_hostile_labels(void **state)
{
	char base[PATH_MAX], svg[PATH_MAX], pwned[PATH_MAX], title[PATH_MAX * 2];
	struct fl_plot p;
	char *text;

	make_subdir("quote");
	in_dir(base, "quote/it's");
	in_dir(svg, "quote/it's.svg");
	in_dir(pwned, "quote/pwned");
	snprintf(title, sizeof(title), "a'b\"c `touch %s` @GPVAL_VERSION \\", pwned);
	example(&p, base);
	p.title = title;
	p.xlabel = "x'\nsystem 'touch pwned'";
	p.series[0].title = "\"; system(\"touch pwned\") #";
	assert_int_equal(fl_plot_write(&p), 0);
	assert_int_equal(access(pwned, F_OK), -1);
	text = slurp(svg);
	assert_non_null(strstr(text, "@GPVAL_VERSION"));
	assert_non_null(strstr(text, "`touch "));
	free(text);
}

static void test_no_gnuplot(void **state)
{
	char base[PATH_MAX];
	struct fl_plot p;

	make_subdir("nognuplot");
	in_dir(base, "nognuplot/spf");
	example(&p, base);
	setenv("PATH", "/nonexistent:/also-not-here", 1);
	assert_false(fl_plot_available());
	assert_int_equal(fl_plot_write(&p), -ENOENT);
	setenv("PATH", saved_path, 1);
	assert_non_null(strstr(fl_errmsg(), "gnuplot not found: install gnuplot-nox"));
	assert_int_equal(count_files("nognuplot", ""), 0);
}

/* A fake gnuplot that writes some garbage wherever it can, then fails. */
static void fake_gnuplot(const char *bindir)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/gnuplot", bindir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n"
	      "for f in \"$(dirname \"$0\")\"/../fail/.*; do echo junk > \"$f\"; done\n"
	      "echo '         plot $d0 using 1:2' >&2\n"
	      "echo '\"/dev/stdin\" line 42: fake failure' >&2\n"
	      "exit 1\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

/* A failing gnuplot gives -EIO with its message and keeps the previous plot. */
static void test_gnuplot_fails(void **state)
{
	char base[PATH_MAX], png[PATH_MAX], bindir[PATH_MAX];
	struct fl_plot p;
	char *before, *after;
	long size;

	make_subdir("fail");
	make_subdir("bin");
	in_dir(base, "fail/spf");
	in_dir(png, "fail/spf.png");
	in_dir(bindir, "bin");
	example(&p, base);
	assert_int_equal(fl_plot_write(&p), 0);
	size = file_size(png);
	before = slurp(png);

	fake_gnuplot(bindir);
	setenv("PATH", bindir, 1);
	assert_int_equal(fl_plot_write(&p), -EIO);
	setenv("PATH", saved_path, 1);
	assert_non_null(strstr(fl_errmsg(), "line 42: fake failure"));
	assert_null(strstr(fl_errmsg(), "/dev/stdin"));

	assert_int_equal(file_size(png), size);
	after = slurp(png);
	assert_memory_equal(before, after, size);
	free(before);
	free(after);
	assert_int_equal(count_files("fail", ""), 2);
}

static void test_unwritable(void **state)
{
	char base[PATH_MAX], file[PATH_MAX];
	struct fl_plot p;
	FILE *f;

	in_dir(base, "missing/spf");
	example(&p, base);
	assert_int_equal(fl_plot_write(&p), -ENOENT);
	assert_non_null(strstr(fl_errmsg(), "does not exist"));
	assert_non_null(strstr(fl_errmsg(), "missing"));

	/* a regular file where the directory should be: fails even for root */
	in_dir(file, "plainfile");
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	in_dir(base, "plainfile/spf");
	example(&p, base);
	assert_int_equal(fl_plot_write(&p), -ENOTDIR);
	assert_non_null(strstr(fl_errmsg(), "cannot create a file in"));

	/* permissions only stop non-root users */
	if (geteuid()) {
		make_subdir("ro");
		in_dir(file, "ro");
		assert_int_equal(chmod(file, 0555), 0);
		in_dir(base, "ro/spf");
		example(&p, base);
		assert_int_equal(fl_plot_write(&p), -EACCES);
		assert_int_equal(count_files("ro", ""), 0);
		chmod(file, 0755);
	}
}

/* Run with stdin closed (cron, some CI runners): our fds must not land on 0..2. */
static void test_closed_stdin(void **state)
{
	char base[PATH_MAX], png[PATH_MAX];
	struct fl_plot p;
	int saved, err;

	make_subdir("nostdin");
	in_dir(base, "nostdin/spf");
	in_dir(png, "nostdin/spf.png");
	example(&p, base);
	saved = dup(0);
	assert_true(saved > 2);
	close(0);
	err = fl_plot_write(&p);
	dup2(saved, 0);
	close(saved);
	assert_int_equal(err, 0);
	assert_true(file_size(png) > 10000);
}

static void test_invalid(void **state)
{
	static const double zero_x[] = { 0, 1, 2 };
	char base[PATH_MAX];
	struct fl_plot p;

	make_subdir("invalid");
	in_dir(base, "invalid/spf");
	example(&p, base);
	p.nseries = 0;
	assert_int_equal(fl_plot_write(&p), -EINVAL);

	example(&p, base);
	p.series[0].x = zero_x;
	p.series[0].n = 3;
	assert_int_equal(fl_plot_write(&p), -EINVAL);	/* log x with x = 0 */
	assert_non_null(strstr(fl_errmsg(), "log x"));

	example(&p, base);
	p.series[1].yhi = NULL;
	assert_int_equal(fl_plot_write(&p), -EINVAL);
	assert_int_equal(count_files("invalid", ""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_series),
		cmocka_unit_test(test_hostile_labels),
		cmocka_unit_test(test_no_gnuplot),
		cmocka_unit_test(test_gnuplot_fails),
		cmocka_unit_test(test_unwritable),
		cmocka_unit_test(test_closed_stdin),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
