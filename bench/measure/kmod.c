// SPDX-License-Identifier: GPL-2.0
/*
 * bench/measure/kmod.c - requests to the module's control file and its answers (see
 * bench/measure/kmod.h and kmod/proto.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/err.h"
#include "bench/measure/kmod.h"
#include "kmod/catalogue.h"

const char *fl_kmod_control_path(void)
{
	const char *p = getenv("FL_KMOD_CONTROL");

	return p && *p ? p : FL_KMOD_CONTROL;
}

static int fl_kmod_open_fail(const char *path, int err)
{
	if (err == ENOENT)
		return fl_fail(ENOENT, "kmod: %s missing: load faultline.ko (make kmod, then "
			       "insmod build/kmod/$(uname -r)/faultline.ko, with debugfs mounted)",
			       path);
	if (err == EACCES || err == EPERM)
		return fl_fail(err, "kmod: %s: the kmod backend needs root", path);
	return fl_fail(err, "kmod: cannot open %s: %s", path, strerror(err));
}

int fl_kmod_available(void)
{
	const char *path = fl_kmod_control_path();
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return fl_kmod_open_fail(path, errno);
	close(fd);
	return 0;
}

/* Appends to the request in buf; false when it does not fit. */
static bool __attribute__((format(printf, 4, 5)))
fl_kmod_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off)
		return false;
	*off += (size_t)n;
	return true;
}

int fl_kmod_format(const struct fl_instance *in, long rounds, char *buf, size_t len)
{
	const struct fl_workload *w = in->w;
	size_t off = 0;
	int i;

	if (rounds < 1 || rounds > FL_KMOD_MAX_ROUNDS)
		return fl_fail(EINVAL, "kmod: %ld rounds per request (1 to %d)", rounds,
			       FL_KMOD_MAX_ROUNDS);
	if (!fl_kmod_append(buf, len, &off, "workload=%s variant=%s rounds=%ld", w->name,
			    in->variant, rounds))
		goto full;
	for (i = 0; w->params[i].name; i++)
		if (!fl_kmod_append(buf, len, &off, " %s=%ld", w->params[i].name, in->param[i]))
			goto full;
	if (w->kmod_target && !fl_kmod_append(buf, len, &off, " target=%ld", in->target_tid))
		goto full;
	if (w->kmod_target && in->target_addr &&
	    !fl_kmod_append(buf, len, &off, " target_addr=%lu", in->target_addr))
		goto full;
	if (off + 2 > len || off + 1 > FL_KMOD_REQ_MAX)
		goto full;
	buf[off++] = '\n';
	buf[off] = '\0';
	return (int)off;
full:
	return fl_fail(ENOSPC, "kmod: the request for %s does not fit in %d bytes", w->name,
		       FL_KMOD_REQ_MAX);
}

int fl_kmod_check(const struct fl_instance *in, long rounds)
{
	char buf[FL_KMOD_REQ_MAX + 2], why[FL_KMOD_ERR_MAX];
	struct fl_kmod_req req;
	int n = fl_kmod_format(in, rounds, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (fl_kmod_parse_request(buf, (size_t)n, fl_kmod_catalogue, &req, why, sizeof(why)))
		return fl_fail(EINVAL, "kmod: %s", why);
	return 0;
}

/* The rest of line, up to its newline, into a bounded copy. */
static void fl_kmod_copy_line(char *dst, size_t len, const char *src)
{
	size_t n = strcspn(src, "\n");

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The text after "error " in the answer, or "". */
static void fl_kmod_error_line(const char *text, char *msg, size_t len)
{
	const char *p = strstr(text, "\nerror ");

	msg[0] = '\0';
	if (p)
		fl_kmod_copy_line(msg, len, p + 7);
}

static int fl_kmod_number(const char *tok, const char *name, double *v)
{
	size_t n = strlen(name);
	char *end;

	if (strncmp(tok, name, n) || tok[n] != '=')
		return -ENOENT;
	errno = 0;
	*v = (double)strtoll(tok + n + 1, &end, 10);
	if (errno || end == tok + n + 1)
		return -EINVAL;
	return 0;
}

/*
 * "round I ns=N cycles=N METRIC=N ...": every metric of w that the module
 * measures must be there.
 */
static int fl_kmod_parse_round(const struct fl_workload *w, char *line,
			       struct fl_kmod_rep *out)
{
	bool seen[FL_MAX_METRICS] = { false };
	double ns = -1, cycles = 0, v;
	char *save, *tok;
	long idx;
	int i;

	tok = strtok_r(line, " ", &save);	/* "round" */
	tok = strtok_r(NULL, " ", &save);
	if (!tok || sscanf(tok, "%ld", &idx) != 1 || idx != out->rounds)
		return fl_fail(EPROTO, "kmod: round %ld expected, got '%s'", out->rounds,
			       tok ? tok : "");
	if (out->rounds >= FL_KMOD_MAX_ROUNDS)
		return fl_fail(EPROTO, "kmod: more than %d rounds", FL_KMOD_MAX_ROUNDS);
	while ((tok = strtok_r(NULL, " ", &save))) {
		if (!fl_kmod_number(tok, "ns", &v)) {
			ns = v;
			continue;
		}
		if (!fl_kmod_number(tok, "cycles", &v)) {
			cycles = v;
			continue;
		}
		for (i = 0; w->metrics[i].name; i++) {
			if (!fl_kmod_number(tok, w->metrics[i].name, &v)) {
				out->total.metric[i] += v;
				out->last.metric[i] = v;
				seen[i] = true;
			}
		}
	}
	if (ns < 0)
		return fl_fail(EPROTO, "kmod: round %ld has no ns=", idx);
	for (i = 0; w->metrics[i].name; i++)
		if (!seen[i] && fl_metric_measured(&w->metrics[i], FL_KMOD))
			return fl_fail(EPROTO, "kmod: the module reported no %s for %s round %ld",
				       w->metrics[i].name, w->name, idx);
	out->round_seconds[out->rounds++] = ns / 1e9;
	out->seconds += ns / 1e9;
	out->cycles += cycles;
	return 0;
}

/* "run ID STATE": only a done run has results. */
static int fl_kmod_parse_run(const char *line, const char *text, struct fl_kmod_rep *out)
{
	char state[16], msg[FL_KMOD_ERR_MAX + 1];

	if (sscanf(line, "run %ld %15s", &out->run_id, state) != 2)
		return fl_fail(EPROTO, "kmod: bad run line '%.60s'", line);
	if (!strcmp(state, "done"))
		return 0;
	fl_kmod_error_line(text, msg, sizeof(msg));
	return fl_fail(EIO, "kmod: run %ld %s: %s", out->run_id, state,
		       msg[0] ? msg : "no reason given");
}

int fl_kmod_parse(const struct fl_workload *w, const char *text, struct fl_kmod_rep *out)
{
	char line[1024], msg[FL_KMOD_ERR_MAX + 1];
	bool have_run = false, ended = false;
	const char *p = text;
	int version, err;

	memset(out, 0, sizeof(*out));
	if (sscanf(text, "faultline-kmod %d", &version) != 1)
		return fl_fail(EPROTO, "kmod: the control file did not answer in its format");
	if (version != FL_KMOD_PROTO_VERSION)
		return fl_fail(EPROTO, "kmod: module speaks protocol %d, faultline %d: rebuild it",
			       version, FL_KMOD_PROTO_VERSION);
	while ((p = strchr(p, '\n')) && *++p) {
		fl_kmod_copy_line(line, sizeof(line), p);
		if (!strcmp(line, "rejected")) {
			fl_kmod_error_line(text, msg, sizeof(msg));
			return fl_fail(EINVAL, "kmod: request rejected: %s", msg);
		}
		if (!strncmp(line, "run ", 4)) {
			err = fl_kmod_parse_run(line, text, out);
			if (err)
				return err;
			have_run = true;
		} else if (!strncmp(line, "round ", 6)) {
			err = fl_kmod_parse_round(w, line, out);
			if (err)
				return err;
		} else if (!strcmp(line, "end")) {
			ended = true;
			break;
		}
	}
	if (!have_run || !ended)
		return fl_fail(EPROTO, "kmod: the module's answer is incomplete");
	return 0;
}

/* What a rejected write's file says, as the error message. */
static int fl_kmod_rejected(int fd, int err, const char *path)
{
	char text[1024], msg[FL_KMOD_ERR_MAX + 1];
	ssize_t n = read(fd, text, sizeof(text) - 1);

	if (n <= 0)
		return fl_fail(err, "kmod: write to %s: %s", path, strerror(err));
	text[n] = '\0';
	fl_kmod_error_line(text, msg, sizeof(msg));
	if (err == EBUSY)
		return fl_fail(EBUSY, "kmod: the module is busy: %s", msg);
	return fl_fail(err, "kmod: request rejected: %s", msg[0] ? msg : strerror(err));
}

/* Reads the whole answer (the read blocks until the run is over). */
static int fl_kmod_read_all(int fd, char **text, const char *path)
{
	size_t cap = FL_KMOD_OUT_MAX + 1, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		return fl_fail(ENOMEM, "kmod: out of memory");
	for (;;) {
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return fl_fail(errno, "kmod: read of %s: %s", path, strerror(errno));
		}
		len += (size_t)n;
		if (n == 0 || len == cap - 1)
			break;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

int fl_kmod_repetition(const struct fl_instance *in, long rounds, struct fl_kmod_rep *out)
{
	const char *path = fl_kmod_control_path();
	char req[FL_KMOD_REQ_MAX + 1];
	char *text = NULL;
	int len, fd, err;

	len = fl_kmod_format(in, rounds, req, sizeof(req));
	if (len < 0)
		return len;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fl_kmod_open_fail(path, errno);
	if (write(fd, req, (size_t)len) != len) {
		err = fl_kmod_rejected(fd, errno, path);
		close(fd);
		return err;
	}
	err = fl_kmod_read_all(fd, &text, path);
	close(fd);
	if (err)
		return err;
	err = fl_kmod_parse(in->w, text, out);
	free(text);
	if (!err && out->rounds != rounds)
		err = fl_fail(EPROTO, "kmod: asked for %ld rounds, the module ran %ld", rounds,
			      out->rounds);
	return err;
}

int fl_kmod_round(const struct fl_instance *in, struct fl_round *acc, double *seconds)
{
	struct fl_kmod_rep rep;
	int err, i;

	err = fl_kmod_repetition(in, 1, &rep);
	if (err)
		return err;
	for (i = 0; i < FL_MAX_METRICS; i++)
		acc->metric[i] += rep.total.metric[i];
	*seconds = rep.seconds;
	return 0;
}

int fl_kmod_samples(const struct fl_instance *in, const char *params, int repetition,
		    const struct fl_kmod_rep *rep, struct fl_run *out)
{
	const struct fl_workload *w = in->w;
	struct fl_sample s;
	double v;
	int i;

	if (rep->rounds < 1 || rep->seconds <= 0)
		return fl_fail(EINVAL, "kmod: %s repetition %d has no timed rounds", w->name,
			       repetition);
	for (i = 0; w->metrics[i].name; i++) {
		const struct fl_metric *m = &w->metrics[i];

		if (!fl_metric_measured(m, FL_KMOD))
			continue;
		if (m->kind == FL_RATE)
			v = rep->total.metric[i] / rep->seconds * m->scale;
		else if (m->kind == FL_SUMMARY)	/* the repetition's so far, at its end */
			v = rep->last.metric[i] * m->scale;
		else
			v = rep->total.metric[i] / (double)rep->rounds * m->scale;
		s = (struct fl_sample){
			.workload = (char *)w->name,
			.variant = (char *)in->variant,
			.backend = "kmod",
			.params = (char *)params,
			.repetition = repetition,
			.metric = (char *)m->name,
			.unit = (char *)m->unit,
			.value = v,
			.source = "ktime",
		};
		if (fl_run_add(out, &s))
			return fl_fail(ENOMEM, "kmod: out of memory for samples");
	}
	return 0;
}
