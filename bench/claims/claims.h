/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/claims/claims.h - a published performance claim, what faultline must run to
 * test it, and how a verdict follows from the stored samples.
 *
 * Adding one: a file bench/claims/<id>.c defining a `const struct fl_claim`
 * and one line in bench/claims/registry.c.
 */
#ifndef FL_CLAIMS_H
#define FL_CLAIMS_H

#include "bench/results.h"

enum fl_verdict_kind {
	FL_REPRODUCED,
	FL_NOT_REPRODUCED,
	FL_INCONCLUSIVE,	/* the noise is larger than the difference */
	FL_NOT_APPLICABLE,	/* the run has no data for it, and why */
};

/*
 * Two verdicts, judged apart (../shared/design.md):
 *   - the magnitude (verdict, reason): does the published number reproduce
 *     here?  Timed, judged on its interval; "not applicable here" where the
 *     published machine is larger than this one;
 *   - the mechanism (mechanism, mechanism_reason): is the work the change
 *     removed present in old and gone in new?  Judged from counts that noise
 *     cannot move, so it must hold on any machine.
 */
struct fl_verdict {
	const char *claim_id;
	double published;
	double measured, lo, hi;	/* NAN when not measured */
	enum fl_verdict_kind verdict;	/* the magnitude */
	char reason[768];
	enum fl_verdict_kind mechanism;
	char mechanism_reason[192];
};

/* One workload's points that the quick suite runs for a claim. */
struct fl_suite_entry {
	const char *workload;
	unsigned backend;		/* one enum fl_backend */
	const char *variants;		/* "old,new" */
	const char *params[8];		/* "M=64,256,1024", "P=2": NULL-ended */
	int repetitions;
	long rounds;			/* per repetition */
};

struct fl_claim {
	const char *id;			/* vmalloc-sync */
	const char *seed;		/* 002_b064568e80b1b3b2.txt */
	const char *statement;
	const char *metric;		/* what measured means, with its unit */
	double published;
	double tolerance;		/* reproduced within published +- tolerance */
	const char *source;
	const struct fl_suite_entry *quick;	/* ended by a NULL workload */
	void (*evaluate)(const struct fl_run *r, struct fl_verdict *v);
	/*
	 * After the quick suite ran, where the claim's answer lies beyond its
	 * points (vmalloc-sync's 80% at a larger M): one more entry to run into
	 * the same run, its parameter specs written into buf; 1 if so, 0 if the
	 * run has what the claim needs (or nothing more could help).  Asked
	 * again after each extension.  NULL: never more.
	 */
	int (*extend)(const struct fl_run *r, struct fl_suite_entry *more, char *buf,
		      size_t size);
	/* Draws the claim's plots into dir; 0 or a negative errno. */
	int (*plot)(const struct fl_run *r, const char *dir);
};

extern const struct fl_claim *const fl_claims[];	/* NULL-ended */

/*
 * The quick suite's second part: while a claim asks for more points
 * (fl_claim.extend), run() runs them into r (0, 1 if it left them out, or a
 * negative errno), and the claims are asked again, at most max times.
 */
int fl_claims_extend(struct fl_run *r, int max,
		     int (*run)(const struct fl_claim *c, const struct fl_suite_entry *e,
				const char *asked, void *arg), void *arg);
const struct fl_claim *fl_claim_find(const char *id);
/* c's verdict on r, from a verdict that says "not measured" until c says more. */
void fl_claim_judge(const struct fl_claim *c, const struct fl_run *r, struct fl_verdict *v);
const char *fl_verdict_name(enum fl_verdict_kind v);
/* Appends to v->reason, as far as it has room. */
void fl_verdict_say(struct fl_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sets the mechanism verdict and says why. */
void fl_verdict_mechanism(struct fl_verdict *v, enum fl_verdict_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
