// SPDX-License-Identifier: GPL-2.0
/*
 * bench/report/compare_env.c - what differs between the environments of a
 * comparison's two sides (and between the runs of one side), loudest first:
 * a different kernel or counter source matters more than a different label.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report/compare_report.h"

struct env_field {
	const char *name;
	size_t off;
	bool loud;		/* a difference here is reported, loudly */
	int width;		/* printed this long at most; 0: all */
};

static const struct env_field env_fields[] = {
	{ "kernel", offsetof(struct fl_run_meta, kernel_release), true, 0 },
	{ "kernel config", offsetof(struct fl_run_meta, kernel_config_fp), true, 16 },
	{ "counter source", offsetof(struct fl_run_meta, counter_source), true, 0 },
	{ "topology", offsetof(struct fl_run_meta, topology), true, 0 },
	{ "host", offsetof(struct fl_run_meta, host), true, 0 },
	{ "cpu", offsetof(struct fl_run_meta, cpu_model), true, 0 },
	{ "virtualisation", offsetof(struct fl_run_meta, virt), true, 0 },
	{ "kernel cmdline", offsetof(struct fl_run_meta, cmdline), true, 60 },
	{ "suite", offsetof(struct fl_run_meta, suite), true, 0 },
	{ "backend asked", offsetof(struct fl_run_meta, backend), true, 0 },
	{ "commit", offsetof(struct fl_run_meta, git_commit), false, 12 },
	{ "branch", offsetof(struct fl_run_meta, git_branch), false, 0 },
	{ "label", offsetof(struct fl_run_meta, label), false, 0 },
};

#define NFIELDS (sizeof(env_fields) / sizeof(env_fields[0]))

static const char *field_of(const struct fl_run *r, const struct env_field *f)
{
	const char *v = *(char *const *)((const char *)&r->meta + f->off);

	return v && *v ? v : "(none)";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The distinct values of a field over a side's runs, sorted, ", "-joined;
 * shortened to the field's width unless full (for comparing them).
 */
static size_t side_values(const struct fl_cmp_side *s, const struct env_field *f,
			  char *buf, size_t size, bool full)
{
	const char *v[64];
	size_t n = 0, len = 0, i, j;

	for (i = 0; i < s->nruns && n < 64; i++) {
		const char *x = field_of(&s->runs[i], f);

		for (j = 0; j < n && strcmp(v[j], x); j++)
			;
		if (j == n)
			v[n++] = x;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		int w = f->width && !full ? f->width : (int)strlen(v[i]);

		/* a commit also says whether its tree was dirty */
		len += (size_t)snprintf(buf + len, size - len, "%s%.*s", i ? ", " : "", w, v[i]);
	}
	if (f->off == offsetof(struct fl_run_meta, git_commit) && len < size) {
		for (i = 0; i < s->nruns; i++) {
			if (s->runs[i].meta.git_dirty) {
				snprintf(buf + len, size - len, " (dirty tree)");
				break;
			}
		}
	}
	return n;
}

static void add_diff(struct fl_cmp_report *r, const char *fmt, const char *name,
		     const char *a, const char *b)
{
	char up[64];
	size_t i;

	if (r->ndiffs == FL_CMP_MAX_DIFFS)
		return;
	for (i = 0; name[i] && i + 1 < sizeof(up); i++)
		up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
	up[i] = '\0';
	snprintf(r->diffs[r->ndiffs++], sizeof(r->diffs[0]), fmt, up, a, b);
}

void fl_cmp_env_diffs(struct fl_cmp_report *r)
{
	char a[2048], b[2048];

	r->ndiffs = 0;
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct env_field *f = &env_fields[i];
		size_t na, nb;

		if (!f->loud)
			continue;
		na = side_values(&r->a, f, a, sizeof(a), true);
		nb = side_values(&r->b, f, b, sizeof(b), true);
		if (strcmp(a, b))
			add_diff(r, "DIFFERENT %s: A %s | B %s", f->name, a, b);
		if (na > 1)
			add_diff(r, "%s VARIES WITHIN A: %s%s", f->name, a, "");
		if (nb > 1)
			add_diff(r, "%s VARIES WITHIN B: %s%s", f->name, b, "");
	}
}

size_t fl_cmp_env_nfields(void)
{
	return NFIELDS;
}

const char *fl_cmp_env_field_name(size_t i)
{
	return env_fields[i].name;
}

size_t fl_cmp_env_side_values(const struct fl_cmp_side *s, size_t i, char *buf, size_t size,
			      bool full)
{
	return side_values(s, &env_fields[i], buf, size, full);
}
