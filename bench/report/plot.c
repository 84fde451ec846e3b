// SPDX-License-Identifier: GPL-2.0
/*
 * bench/report/plot.c - line plots drawn by gnuplot.
 *
 * The script, with the data inline as datablocks, goes to gnuplot on stdin
 * from a memfd (no temporary script file, no pipe to deadlock on while its
 * stderr is read).  gnuplot draws into hidden temporary files next to the
 * targets, which are renamed over <path>.png and <path>.svg only when it
 * succeeded: a failed plot leaves the previous files, never half-written ones.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/report/plot.h"

#define GNUPLOT_MISSING	"gnuplot not found: install gnuplot-nox (make deps)"

/* Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
static const char *const series_color[FL_PLOT_MAX_SERIES] = {
	"#0072b2", "#d55e00", "#009e73", "#cc79a7",
	"#e69f00", "#56b4e9", "#000000", "#f0e442",
};
static const char *const hline_color[FL_PLOT_MAX_HLINES] = {
	"#444444", "#a00000", "#006000", "#000090",
};

struct plot_files {
	char png[PATH_MAX], svg[PATH_MAX];
	char png_tmp[PATH_MAX], svg_tmp[PATH_MAX];
	char dir[PATH_MAX];
};

/* Finds gnuplot on $PATH as execvp() would; 0 or -ENOENT. */
static int find_gnuplot(char *exe, size_t size)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (!path)
		path = "/bin:/usr/bin";
	for (p = path; ; p = end + 1) {
		struct stat st;
		int len;

		end = strchrnul(p, ':');
		/* An empty PATH element means the current directory. */
		if (end == p)
			len = snprintf(exe, size, "gnuplot");
		else
			len = snprintf(exe, size, "%.*s/gnuplot", (int)(end - p), p);
		if (len > 0 && (size_t)len < size && !stat(exe, &st) && S_ISREG(st.st_mode) &&
		    !access(exe, X_OK))
			return 0;
		if (!*end)
			return -ENOENT;
	}
}

bool fl_plot_available(void)
{
	char exe[PATH_MAX];

	return !find_gnuplot(exe, sizeof(exe));
}

/*
 * A gnuplot single-quoted string: no backslash escapes, no `command` or
 * @macro substitution; a quote is written twice.  Control characters would
 * end the command line, so they become spaces.
 */
static void put_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '\'')
			fputs("''", f);
		else if (c < 0x20 || c == 0x7f)
			fputc(' ', f);
		else
			fputc(c, f);
	}
	fputc('\'', f);
}

static void put_title(FILE *f, const char *title)
{
	if (!title) {
		fputs(" notitle", f);
		return;
	}
	fputs(" title ", f);
	put_string(f, title);
}

static bool finite_or_absent(const double *v, size_t i)
{
	return !v || isfinite(v[i]);
}

static int check_series(const struct fl_plot *p, size_t s)
{
	const struct fl_series *sr = &p->series[s];
	const char *name = sr->title ? sr->title : "(untitled)";
	size_t i;

	if (!sr->x || !sr->y || !sr->n)
		return fl_fail(EINVAL, "plot %s: series %zu '%s' has no points", p->path, s, name);
	if (!sr->ylo != !sr->yhi)
		return fl_fail(EINVAL, "plot %s: series '%s' has only one side of its error bars",
			       p->path, name);
	for (i = 0; i < sr->n; i++) {
		if (!isfinite(sr->x[i]) || !isfinite(sr->y[i]) ||
		    !finite_or_absent(sr->ylo, i) || !finite_or_absent(sr->yhi, i))
			return fl_fail(EINVAL, "plot %s: series '%s' point %zu is not finite",
				       p->path, name, i);
		if (p->logx && sr->x[i] <= 0)
			return fl_fail(EINVAL, "plot %s: log x, but series '%s' has x = %g",
				       p->path, name, sr->x[i]);
		if (p->logy && (sr->y[i] <= 0 || (sr->ylo && sr->ylo[i] <= 0)))
			return fl_fail(EINVAL, "plot %s: log y, but series '%s' has y <= 0 at x %g",
				       p->path, name, sr->x[i]);
	}
	return 0;
}

static int check_plot(const struct fl_plot *p)
{
	size_t i;
	int err;

	if (!p || !p->path || !*p->path)
		return fl_fail(EINVAL, "plot: no output path");
	if (!p->nseries || p->nseries > FL_PLOT_MAX_SERIES || p->nhlines > FL_PLOT_MAX_HLINES)
		return fl_fail(EINVAL, "plot %s: %zu series (1..%d) and %zu lines (0..%d)",
			       p->path, p->nseries, FL_PLOT_MAX_SERIES, p->nhlines,
			       FL_PLOT_MAX_HLINES);
	for (i = 0; i < p->nseries; i++) {
		err = check_series(p, i);
		if (err)
			return err;
	}
	for (i = 0; i < p->nhlines; i++) {
		const struct fl_hline *h = &p->hline[i];

		if (!isfinite(h->y) || (p->logy && h->y <= 0))
			return fl_fail(EINVAL, "plot %s: hline '%s': y = %g cannot be drawn",
				       p->path, h->title ? h->title : "", h->y);
	}
	return 0;
}

/* Base 2 ticks (1 2 4 8 ...) suit thread and process counts unless they span too far. */
static int log_base(const struct fl_plot *p, bool y)
{
	double lo = INFINITY, hi = 0;
	size_t s, i;

	for (s = 0; s < p->nseries; s++) {
		const struct fl_series *sr = &p->series[s];

		for (i = 0; i < sr->n; i++) {
			double v = y ? sr->y[i] : sr->x[i];

			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
	}
	/*
	 * powers of two suit counts and sizes; fractions, and rates in the
	 * millions (67108864), read better in tens
	 */
	return hi / lo <= 1024 && lo >= 1 && hi <= 65536 ? 2 : 10;
}

static void put_terminals_and_axes(FILE *f, const struct fl_plot *p, const char *png)
{
	size_t i;

	fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
	      "\tset terminal pngcairo size 1000,600 font 'Sans,12' noenhanced "
	      "background '#ffffff'\n"
	      "} else {\n"
	      "\tset terminal png size 1000,600 noenhanced\n"
	      "}\n", f);
	fputs("set output ", f);
	put_string(f, png);
	fputc('\n', f);
	if (p->title) {
		fputs("set title font ',14'\nset title ", f);
		put_string(f, p->title);
		fputc('\n', f);
	}
	fputs("set xlabel ", f);
	put_string(f, p->xlabel);
	fputs("\nset ylabel ", f);
	put_string(f, p->ylabel);
	/* The key goes under the plot, where it can never hide a point. */
	fputs("\nset grid back xtics ytics lt 1 lc rgb '#dadada' lw 1\n"
	      "set border 3 lw 1.5\nset tics out nomirror\n"
	      "set key below center horizontal Left reverse samplen 3 spacing 1.2 width 2\n"
	      "set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05\n"
	      "set format x '%g'\nset format y '%g'\nset bars 1.5\n", f);
	if (p->logx)
		fprintf(f, "set logscale x %d\n", log_base(p, false));
	if (p->logy)
		fprintf(f, "set logscale y %d\n", log_base(p, true));
	else
		fputs("set mytics 2\n", f);
	if (!p->logx)
		fputs("set mxtics 2\n", f);
	for (i = 0; i < p->nseries; i++)
		fprintf(f, "set style line %zu lc rgb '%s' lw 2.5 pt %zu ps 1.5\n",
			i + 1, series_color[i], 5 + (2 * i) % 10);
	for (i = 0; i < p->nhlines; i++)
		fprintf(f, "set style line %zu lc rgb '%s' lw 2.5 dt %zu\n",
			i + 101, hline_color[i], i + 2);
}

static void put_data(FILE *f, const struct fl_plot *p)
{
	size_t s, i;

	for (s = 0; s < p->nseries; s++) {
		const struct fl_series *sr = &p->series[s];

		fprintf(f, "$d%zu << EOD\n", s);
		for (i = 0; i < sr->n; i++) {
			fprintf(f, "%.17g %.17g", sr->x[i], sr->y[i]);
			if (sr->ylo)
				fprintf(f, " %.17g %.17g", sr->ylo[i], sr->yhi[i]);
			fputc('\n', f);
		}
		fputs("EOD\n", f);
	}
}

static void put_plot(FILE *f, const struct fl_plot *p)
{
	size_t i;

	fputs("plot ", f);
	for (i = 0; i < p->nseries; i++) {
		if (p->series[i].ylo)
			fprintf(f, "$d%zu using 1:2:3:4 with yerrorlines ls %zu", i, i + 1);
		else
			fprintf(f, "$d%zu using 1:2 with linespoints ls %zu", i, i + 1);
		put_title(f, p->series[i].title);
		fputs(i + 1 < p->nseries || p->nhlines ? ", \\\n\t" : "\n", f);
	}
	/* Constant functions, not arrows: they get an entry in the key. */
	for (i = 0; i < p->nhlines; i++) {
		fprintf(f, "%.17g with lines ls %zu", p->hline[i].y, i + 101);
		put_title(f, p->hline[i].title);
		fputs(i + 1 < p->nhlines ? ", \\\n\t" : "\n", f);
	}
}

static void put_script(FILE *f, const struct fl_plot *p, const struct plot_files *pf)
{
	put_terminals_and_axes(f, p, pf->png_tmp);
	put_data(f, p);
	put_plot(f, p);
	fputs("set terminal svg size 1000,600 font 'Sans,12' noenhanced dynamic "
	      "background '#ffffff'\nset output ", f);
	put_string(f, pf->svg_tmp);
	fputs("\nreplot\nunset output\n", f);
}

static int set_names(const struct fl_plot *p, struct plot_files *pf)
{
	const char *slash = strrchr(p->path, '/');
	size_t n = sizeof(pf->png);

	if (slash && !slash[1])
		return fl_fail(EINVAL, "plot %s: the path names a directory, not a file", p->path);
	if ((size_t)snprintf(pf->png, n, "%s.png", p->path) >= n ||
	    (size_t)snprintf(pf->svg, n, "%s.svg", p->path) >= n)
		return fl_fail(ENAMETOOLONG, "plot %s: path too long", p->path);
	/* Only for messages: "plots", "/" or ".". */
	if (!slash)
		strcpy(pf->dir, ".");
	else if (slash == p->path)
		strcpy(pf->dir, "/");
	else
		snprintf(pf->dir, n, "%.*s", (int)(slash - p->path), p->path);
	return 0;
}

/*
 * Creates an empty hidden file next to target, O_EXCL so that two plotters
 * never share one; the mode follows the umask like the final file would.
 */
static int create_tmp(const struct plot_files *pf, const char *target, char *tmp, size_t size)
{
	static unsigned long counter;
	const char *slash = strrchr(target, '/');
	int dirlen = slash ? (int)(slash - target + 1) : 0;
	int fd, tries;

	for (tries = 0; tries < 100; tries++) {
		unsigned long id = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);

		if ((size_t)snprintf(tmp, size, "%.*s.%s.%d.%lu", dirlen, target,
				     target + dirlen, (int)getpid(), id) >= size)
			return fl_fail(ENAMETOOLONG, "plot %s: path too long", target);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	if (errno == ENOENT)
		return fl_fail(ENOENT, "plot %s: directory %s does not exist", target, pf->dir);
	return fl_fail(errno, "plot %s: cannot create a file in %s: %s", target, pf->dir,
		       strerror(errno));
}

/* The line that says what went wrong: '"/dev/stdin" line 12: msg' -> 'line 12: msg'. */
static void gnuplot_error(char *out, size_t size, char *text)
{
	char *line, *save, *first = NULL, *at;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		at = strstr(line, "\" line ");
		if (at) {
			snprintf(out, size, "%s", at + 2);
			return;
		}
		if (!first && strspn(line, " \t^") < strlen(line))
			first = line;
	}
	snprintf(out, size, "%s", first ? first : "");
}

/* Reads the child's stderr to EOF, keeping the first size - 1 bytes. */
static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	char sink[512];

	for (;;) {
		ssize_t r;

		if (len < size - 1)
			r = read(fd, buf + len, size - 1 - len);
		else
			r = read(fd, sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (len < size - 1)
			len += r;
	}
	buf[len] = '\0';
}

/*
 * Moves a close-on-exec fd above 0..2: when the caller runs with stdio closed,
 * our fds would land there and the child's dup2() onto 0..2 would be a no-op
 * that keeps close-on-exec, or would clobber another of them.
 */
static int above_stdio(int fd)
{
	int moved;

	if (fd < 0 || fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return moved;
}

static int script_fd(const struct fl_plot *p, const struct plot_files *pf)
{
	int fd = above_stdio(memfd_create("faultline-plot", MFD_CLOEXEC));
	int wfd;
	FILE *f;

	if (fd < 0)
		return fl_fail(errno, "plot %s: memfd_create: %s", p->path, strerror(errno));
	/* A second fd for stdio, so that fclose() leaves ours open. */
	wfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	f = wfd < 0 ? NULL : fdopen(wfd, "w");
	if (!f) {
		if (wfd >= 0)
			close(wfd);
		close(fd);
		return fl_fail(ENOMEM, "plot %s: cannot write the gnuplot script", p->path);
	}
	put_script(f, p, pf);
	if (fclose(f) || lseek(fd, 0, SEEK_SET)) {
		close(fd);
		return fl_fail(EIO, "plot %s: cannot write the gnuplot script", p->path);
	}
	return fd;
}

/* Runs gnuplot -d (no init files) on the script; 0 or -EIO with its error line. */
static int run_gnuplot(const char *exe, const struct fl_plot *p, int script)
{
	char *const argv[] = { "gnuplot", "-d", "/dev/stdin", NULL };
	char errtext[4096], line[300];
	int errpipe[2], devnull, status;
	pid_t pid;

	devnull = above_stdio(open("/dev/null", O_WRONLY | O_CLOEXEC));
	if (devnull < 0 || pipe2(errpipe, O_CLOEXEC)) {
		int e = errno;

		if (devnull >= 0)
			close(devnull);
		return fl_fail(e, "plot %s: cannot set up gnuplot: %s", p->path, strerror(e));
	}
	errpipe[0] = above_stdio(errpipe[0]);
	errpipe[1] = above_stdio(errpipe[1]);
	if (errpipe[0] < 0 || errpipe[1] < 0) {
		close(devnull);
		if (errpipe[0] >= 0)
			close(errpipe[0]);
		if (errpipe[1] >= 0)
			close(errpipe[1]);
		return fl_fail(EMFILE, "plot %s: out of file descriptors", p->path);
	}
	pid = fork();
	if (pid == 0) {
		/* Only async-signal-safe calls between fork and exec. */
		dup2(script, 0);
		dup2(devnull, 1);
		dup2(errpipe[1], 2);
		execv(exe, argv);
		_exit(127);
	}
	if (pid < 0) {
		int e = errno;

		close(devnull);
		close(errpipe[0]);
		close(errpipe[1]);
		return fl_fail(e, "plot %s: fork: %s", p->path, strerror(e));
	}
	close(devnull);
	close(errpipe[1]);
	read_all(errpipe[0], errtext, sizeof(errtext));
	close(errpipe[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return fl_fail(EIO, "plot %s: waitpid: %s", p->path, strerror(errno));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	gnuplot_error(line, sizeof(line), errtext);
	if (WIFSIGNALED(status))
		return fl_fail(EIO, "plot %s: gnuplot killed by signal %d", p->path,
			       WTERMSIG(status));
	if (WEXITSTATUS(status) == 127 && !line[0])
		return fl_fail(EIO, "plot %s: cannot execute %s", p->path, exe);
	return fl_fail(EIO, "plot %s: gnuplot failed (exit %d): %s", p->path,
		       WEXITSTATUS(status), line[0] ? line : "no message");
}

static bool non_empty(const char *file)
{
	struct stat st;

	return !stat(file, &st) && st.st_size > 0;
}

static int draw(const char *exe, const struct fl_plot *p, struct plot_files *pf)
{
	int script, err;

	script = script_fd(p, pf);
	if (script < 0)
		return script;
	err = run_gnuplot(exe, p, script);
	close(script);
	if (err)
		return err;
	if (!non_empty(pf->png_tmp) || !non_empty(pf->svg_tmp))
		return fl_fail(EIO, "plot %s: gnuplot succeeded but wrote an empty file", p->path);
	if (rename(pf->png_tmp, pf->png))
		return fl_fail(errno, "plot %s: rename to %s: %s", p->path, pf->png,
			       strerror(errno));
	if (rename(pf->svg_tmp, pf->svg))
		return fl_fail(errno, "plot %s: rename to %s: %s", p->path, pf->svg,
			       strerror(errno));
	return 0;
}

int fl_plot_write(const struct fl_plot *p)
{
	struct plot_files pf;
	char exe[PATH_MAX];
	int err;

	err = check_plot(p);
	if (err)
		return err;
	if (find_gnuplot(exe, sizeof(exe)))
		return fl_fail(ENOENT, GNUPLOT_MISSING);
	err = set_names(p, &pf);
	if (err)
		return err;
	err = create_tmp(&pf, pf.png, pf.png_tmp, sizeof(pf.png_tmp));
	if (err)
		return err;
	err = create_tmp(&pf, pf.svg, pf.svg_tmp, sizeof(pf.svg_tmp));
	if (err) {
		unlink(pf.png_tmp);
		return err;
	}
	err = draw(exe, p, &pf);
	if (err) {
		unlink(pf.png_tmp);
		unlink(pf.svg_tmp);
	}
	return err;
}
