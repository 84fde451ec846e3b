// SPDX-License-Identifier: GPL-2.0
/* Progress lines of a run: see progress.h. */
#include <stdio.h>
#include <time.h>

#include "bench/measure/progress.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* "42 s", "3 min 05 s" */
static const char *duration(char *buf, size_t len, double s)
{
	long t = (long)(s + 0.5);

	if (t < 60)
		snprintf(buf, len, "%ld s", t);
	else
		snprintf(buf, len, "%ld min %02ld s", t / 60, t % 60);
	return buf;
}

/* "about 40 s left", or "-" before anything was done. */
static const char *left(const struct fl_progress *p, double done, double elapsed,
			char *buf, size_t len)
{
	char d[32];

	if (done <= 0 || p->reps_total <= 0) {
		snprintf(buf, len, "time left unknown yet");
		return buf;
	}
	if (done > p->reps_total)
		done = p->reps_total;
	snprintf(buf, len, "about %s left",
		 duration(d, sizeof(d), elapsed * (p->reps_total - done) / done));
	return buf;
}

static void line(struct fl_progress *p, double done, const char *what, const char *name)
{
	double t = now_s(), elapsed = t - p->t0;
	char e[32], l[48];
	int w = snprintf(NULL, 0, "%zu", p->nbench);

	fprintf(p->out, "faultline: [%*zu/%zu] %7s, %-22s %s %s\n", w, p->benches_done,
		p->nbench, duration(e, sizeof(e), elapsed), left(p, done, elapsed, l, sizeof(l)),
		what, name);
	fflush(p->out);
	p->last = t;
}

void fl_progress_start(struct fl_progress *p, FILE *out, size_t nbench, double reps_total)
{
	*p = (struct fl_progress){ .out = out, .nbench = nbench, .reps_total = reps_total };
	p->t0 = p->last = now_s();
}

void fl_progress_round(struct fl_progress *p, const char *name, long round, long rounds)
{
	char what[64];
	double done;

	if (!p->out || now_s() - p->last < PROGRESS_EVERY_S)
		return;
	done = p->reps_done + (rounds > 0 ? (double)round / (double)rounds : 0);
	snprintf(what, sizeof(what), "running (round %ld of %ld)", round, rounds);
	line(p, done, what, name);
}

void fl_progress_repetition(struct fl_progress *p)
{
	p->reps_done += 1;
}

void fl_progress_benchmark(struct fl_progress *p, const char *name)
{
	p->benches_done++;
	if (p->out)
		line(p, p->reps_done, "done", name);
}

void fl_progress_end(struct fl_progress *p)
{
	char e[32];

	if (p->out)
		fprintf(p->out, "faultline: %zu benchmark%s in %s\n", p->benches_done,
			p->benches_done == 1 ? "" : "s", duration(e, sizeof(e), now_s() - p->t0));
}
