// SPDX-License-Identifier: GPL-2.0
/* What the subcommands share: finding a stored run, judging its claims. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench/claims/claims.h"
#include "bench/cli/cli.h"
#include "bench/err.h"

int fl_cli_parse_long(const char *opt, const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return fl_fail(EINVAL, "%s: '%s' is not a whole number", opt, s);
	if (*v < min || *v > max)
		return fl_fail(ERANGE, "%s %ld out of range [%ld, %ld]", opt, *v, min, max);
	return 0;
}

int fl_cli_check_writable(const char *opt, const char *path)
{
	char dir[PATH_MAX];
	const char *slash;

	if (!path)
		return 0;
	if (!path[0])
		return fl_fail(EINVAL, "%s: the file name is empty", opt);
	if (!access(path, F_OK))
		return access(path, W_OK) ?
			fl_fail(errno, "%s %s: cannot write to it: %s", opt, path, strerror(errno)) : 0;
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1,
		 slash ? path : ".");
	if (access(dir, W_OK | X_OK))
		return fl_fail(errno, "%s %s: cannot create it in %s: %s", opt, path, dir,
			       strerror(errno));
	return 0;
}

int fl_cli_parse_run_id(const char *s, long long *id)
{
	char *end;

	errno = 0;
	*id = strtoll(s, &end, 10);
	if (errno || end == s || *end || *id < 1)
		return fl_fail(EINVAL, "bad run id '%s': expected a positive whole number", s);
	return 0;
}

int fl_cli_load_run(const char *db, long long id, struct fl_store **st, struct fl_run *r)
{
	int err = fl_store_open_existing(db, st);

	if (err)
		return err;
	if (!id) {
		err = fl_store_latest_run(*st, &id);
		if (err == -ENOENT)
			return fl_fail(ENOENT, "%s holds no run yet (run make bench)", db);
		if (err)
			return err;
	}
	err = fl_store_load_run(*st, id, r);
	if (err == -ENOENT)
		return fl_fail(ENOENT, "%s has no run %lld", db, id);
	return err;
}

/* Whether r has samples of workload from the shim. */
static bool has_shim_rows(const struct fl_run *r, const char *workload)
{
	for (size_t i = 0; i < r->nsamples; i++)
		if (!strcmp(r->samples[i].backend, "shim") &&
		    !strcmp(r->samples[i].workload, workload))
			return true;
	return false;
}

int fl_cli_claims_view(const struct fl_run *r, struct fl_run *view)
{
	fl_run_init(view);
	view->meta = r->meta;		/* borrowed: see fl_cli_claims_view_free() */
	for (size_t i = 0; i < r->nsamples; i++) {
		if (!strcmp(r->samples[i].backend, "kmod") &&
		    has_shim_rows(r, r->samples[i].workload))
			continue;
		if (fl_run_add(view, &r->samples[i])) {
			fl_cli_claims_view_free(view);
			return fl_fail(ENOMEM, "out of memory");
		}
	}
	return 0;
}

void fl_cli_claims_view_free(struct fl_run *view)
{
	memset(&view->meta, 0, sizeof(view->meta));
	fl_run_free(view);
}

size_t fl_cli_evaluate(const struct fl_run *r, struct fl_verdict *v, size_t max)
{
	struct fl_run view;
	size_t n = 0;

	if (fl_cli_claims_view(r, &view))
		return 0;

	for (int i = 0; fl_claims[i] && n < max; i++, n++)
		fl_claim_judge(fl_claims[i], &view, &v[n]);
	fl_cli_claims_view_free(&view);
	return n;
}

int fl_cli_options(int argc, char **argv, const struct fl_option *opts,
		   const struct fl_cmd_help *help, char **args, int max, int *nargs,
		   int *exit_status)
{
	int err = fl_parse_options(argc, argv, opts, help, args, max, nargs);

	*exit_status = err < 0;
	if (err < 0)
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
	return err;
}

int fl_cli_opt_run_id(void *value, const char *arg)
{
	return fl_cli_parse_run_id(arg, value);
}

int fl_cli_with_run(const struct fl_cli_run_opts *o,
		    int (*fn)(const struct fl_run *r, void *arg), void *arg)
{
	struct fl_store *st = NULL;
	struct fl_run r;
	int err;

	fl_run_init(&r);
	err = fl_cli_load_run(o->db, o->id, &st, &r);
	if (!err)
		err = fn(&r, arg);
	if (err)
		fprintf(stderr, "faultline: %s\n", fl_errmsg());
	fl_store_close(st);
	fl_run_free(&r);
	return err ? 1 : 0;
}
