/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/report/compare_report.h - a comparison written out: a terminal table,
 * Markdown for a CI comment, JSON in Google Benchmark's layout, and plots.
 */
#ifndef FL_COMPARE_REPORT_H
#define FL_COMPARE_REPORT_H

#include <stdio.h>

#include "bench/analysis/compare.h"
#include "bench/results.h"

struct fl_cmp_side {
	const char *name;		/* "A" or "B" */
	const char *spec;		/* as given: "main", "42,43", "label:nightly" */
	struct fl_run *runs;
	size_t nruns;
};

#define FL_CMP_MAX_DIFFS	24

struct fl_cmp_report {
	struct fl_cmp_side a, b;
	const struct fl_comparison *c;
	const struct fl_cmp_opts *o;
	const char *kind;		/* "aa" or "ab" */
	long long id;			/* stored comparison, 0 if not stored */
	const char *created_at;
	/* what differs between the sides' environments, loudest first */
	char diffs[FL_CMP_MAX_DIFFS][320];
	size_t ndiffs;
	int exit_code;
};

/* compare_env.c: fills r->diffs from the sides' run metadata. */
void fl_cmp_env_diffs(struct fl_cmp_report *r);
/*
 * The environment's fields as the reports show them: how many, each one's
 * name, and a side's distinct values of field i, ", "-joined (full: not
 * shortened to the field's width).
 */
size_t fl_cmp_env_nfields(void);
const char *fl_cmp_env_field_name(size_t i);
size_t fl_cmp_env_side_values(const struct fl_cmp_side *s, size_t i, char *buf, size_t size,
			      bool full);

void fl_cmp_print_table(FILE *f, const struct fl_cmp_report *r);
void fl_cmp_print_markdown(FILE *f, const struct fl_cmp_report *r);
void fl_cmp_print_json(FILE *f, const struct fl_cmp_report *r);

/*
 * Into dir: per claim, B's change against A with bootstrap intervals and both
 * sides' medians with theirs, against the claim's swept parameter; and each
 * side's own claim plots (scaling curves with the published values) in
 * dir/A and dir/B.  Returns how many plots were drawn, or a negative errno.
 */
int fl_cmp_plot(const struct fl_cmp_report *r, const char *dir);

#endif
