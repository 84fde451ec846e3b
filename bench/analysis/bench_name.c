// SPDX-License-Identifier: GPL-2.0
/* Benchmark names: format, parse, match (see bench_name.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/analysis/bench_name.h"
#include "bench/err.h"

const char *fl_bench_name(const struct fl_bench_key *k, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s/%s/%s", k->workload, k->variant, k->backend, k->params);
	return buf;
}

/* "M=0,P=2": every item NAME=VALUE. */
static int parse_params(char *list, const char *spec, struct fl_bench_pattern *p)
{
	char *save, *tok;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strchr(tok, '=') || tok[0] == '=')
			return fl_fail(EINVAL, "'%s': parameters are NAME=VALUE,NAME=VALUE", spec);
		if (p->nparams == FL_PATTERN_MAX_PARAMS)
			return fl_fail(EINVAL, "'%s': more than %d parameters", spec,
				       FL_PATTERN_MAX_PARAMS);
		p->params[p->nparams++] = tok;
	}
	return 0;
}

int fl_bench_pattern_parse(const char *spec, struct fl_bench_pattern *p)
{
	char *save, *tok;
	int i = 0, err;

	memset(p, 0, sizeof(*p));
	if (!spec[0] || spec[0] == '/' || strlen(spec) >= sizeof(p->buf))
		return fl_fail(EINVAL, "bad benchmark '%.60s': expected "
			       "WORKLOAD[/VARIANT][/BACKEND][/NAME=VALUE,...]", spec);
	strcpy(p->buf, spec);
	for (tok = strtok_r(p->buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save), i++) {
		if (i == 0) {
			p->workload = tok;
		} else if (strchr(tok, '=')) {
			if (p->nparams)
				return fl_fail(EINVAL, "'%s': one list of parameters", spec);
			err = parse_params(tok, spec, p);
			if (err)
				return err;
		} else if (i == 1) {
			p->variant = tok;
		} else if (!p->backend && !p->nparams) {
			p->backend = tok;
		} else {
			return fl_fail(EINVAL, "'%s' has too many parts: expected "
				       "WORKLOAD[/VARIANT][/BACKEND][/NAME=VALUE,...]", spec);
		}
	}
	return 0;
}

bool fl_params_has(const char *params, const char *tok, size_t len)
{
	for (const char *p = params; *p;) {
		size_t l = strcspn(p, ",");

		if (l == len && !strncmp(p, tok, len))
			return true;
		p += l + (p[l] == ',');
	}
	return false;
}

bool fl_bench_pattern_matches(const struct fl_bench_pattern *p, const char *workload,
			      const char *variant, const char *backend, const char *params)
{
	if (strcmp(workload, p->workload) || (p->variant && strcmp(variant, p->variant)) ||
	    (p->backend && strcmp(backend, p->backend)))
		return false;
	for (int i = 0; i < p->nparams; i++)
		if (!fl_params_has(params, p->params[i], strlen(p->params[i])))
			return false;
	return true;
}
