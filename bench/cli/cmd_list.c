// SPDX-License-Identifier: GPL-2.0
/* faultline list: what can be run, with what, and what it reports. */
#include <stdio.h>
#include <string.h>

#include "bench/claims/claims.h"
#include "bench/cli/cli.h"
#include "bench/err.h"
#include "kmod/catalogue.h"
#include "workloads/workload.h"

#define LIST_COLUMNS	80

/*
 * Prints text at column col, words wrapped before LIST_COLUMNS, each further
 * line indented to column indent; ends the line.
 */
static void wrapped(int col, int indent, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, " ");

		if (col > indent && col + 1 + (int)len > LIST_COLUMNS) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (p != text) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)len, p);
		col += (int)len;
		p += len;
		p += strspn(p, " ");
	}
	putchar('\n');
}

static void list_backends(const struct fl_workload *w)
{
	const char *sep = "";

	for (unsigned b = FL_SHIM; b <= FL_LIVE; b <<= 1) {
		if (!(w->backends & b))
			continue;
		printf("%s%s", sep, fl_backend_name(b));
		sep = ",";
	}
}

static const struct fl_kmod_desc *kmod_desc(const char *name)
{
	for (int i = 0; fl_kmod_catalogue[i]; i++)
		if (!strcmp(fl_kmod_catalogue[i]->name, name))
			return fl_kmod_catalogue[i];
	return NULL;
}

/* "; kmod [0..65536]" where the module bounds a parameter more narrowly. */
static void kmod_bounds(const struct fl_workload *w, const struct fl_param *p, char *buf,
			size_t len)
{
	const struct fl_kmod_desc *d = w->backends & FL_KMOD ? kmod_desc(w->name) : NULL;
	int i = d ? fl_kmod_param_index(d, p->name) : -1;

	buf[0] = '\0';
	if (i >= 0 && (d->params[i].min != p->min || d->params[i].max != p->max))
		snprintf(buf, len, "; kmod [%ld..%ld]", d->params[i].min, d->params[i].max);
}

static void list_workload(const struct fl_workload *w)
{
	printf("%s\n  ", w->name);
	wrapped(2, 2, w->help);
	printf("  backends: ");
	list_backends(w);
	printf("   variants:");
	for (int i = 0; w->variants && w->variants[i]; i++)
		printf(" %s", w->variants[i]);
	printf(" (live: live)\n");
	for (int i = 0; w->params[i].name; i++) {
		const struct fl_param *p = &w->params[i];
		char text[512], kmod[64];
		int col = printf("  --param %s=N   ", p->name);

		kmod_bounds(w, p, kmod, sizeof(kmod));
		snprintf(text, sizeof(text), "%s [%ld..%ld, default %ld%s]", p->help, p->min,
			 p->max, p->def, kmod);
		wrapped(col, col, text);
	}
	for (int i = 0; w->metrics[i].name; i++) {
		const struct fl_metric *m = &w->metrics[i];
		const char *sep = "; ";

		printf("  metric %s (%s", m->name, m->unit);
		for (unsigned b = FL_SHIM; b <= FL_LIVE && (w->backends & ~m->backends); b <<= 1) {
			if (!(m->backends & b & w->backends))
				continue;
			printf("%s%s", sep, fl_backend_name(b));
			sep = ",";
		}
		printf("%s)\n", sep[0] == ',' ? " only" : "");
	}
}

static void list_kmod_only(const struct fl_kmod_desc *d)
{
	printf("%s (module only)\n  variants:", d->name);
	for (int i = 0; d->variants[i]; i++)
		printf(" %s", d->variants[i]);
	printf("\n");
	for (int i = 0; d->params[i].name; i++)
		printf("  %s=N   [%ld..%ld, default %ld]\n", d->params[i].name, d->params[i].min,
		       d->params[i].max, d->params[i].def);
	printf("  metrics:");
	for (int i = 0; d->metrics[i]; i++)
		printf(" %s", d->metrics[i]);
	printf("\n\n");
}

int cmd_list(int argc, char **argv)
{
	static const char *const usage[] = { "faultline list", NULL };
	static const struct fl_cmd_help help = {
		"list", usage,
		"The workloads, their backends, variants, parameters and metrics, the\n"
		"module's own workloads, then the claims.",
		NULL,
	};
	static const struct fl_option opts[] = { FL_OPT_END() };
	int n, status;

	if (fl_cli_options(argc, argv, opts, &help, NULL, 0, &n, &status))
		return status;
	printf("workloads:\n\n");
	for (int i = 0; fl_workloads[i]; i++) {
		list_workload(fl_workloads[i]);
		printf("\n");
	}
	printf("module-only workloads (--backend kmod does not run them; make vm-test does, "
	       "in a guest):\n\n");
	for (int i = 0; fl_kmod_catalogue[i]; i++)
		if (!fl_workload_find(fl_kmod_catalogue[i]->name))
			list_kmod_only(fl_kmod_catalogue[i]);
	printf("claims:\n\n");
	for (int i = 0; fl_claims[i]; i++) {
		const struct fl_claim *c = fl_claims[i];
		char text[1024];

		wrapped(printf("%-14s ", c->id), 15, c->statement);
		printf("  ");
		wrapped(2, 2, c->metric);
		snprintf(text, sizeof(text), "seed %s; published %g (%s)", c->seed, c->published,
			 c->source);
		printf("  ");
		wrapped(2, 4, text);
		printf("\n");
	}
	return 0;
}
