// SPDX-License-Identifier: GPL-2.0
/* The claims faultline tests: one line each. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bench/claims/claims.h"

extern const struct fl_claim fl_claim_vmalloc_sync;
extern const struct fl_claim fl_claim_spf;
extern const struct fl_claim fl_claim_nmi_copy;
extern const struct fl_claim fl_claim_mmu_notifier;
extern const struct fl_claim fl_claim_entry;

const struct fl_claim *const fl_claims[] = {
	&fl_claim_vmalloc_sync,
	&fl_claim_spf,
	&fl_claim_nmi_copy,
	&fl_claim_mmu_notifier,
	&fl_claim_entry,
	NULL,
};

const struct fl_claim *fl_claim_find(const char *id)
{
	for (int i = 0; fl_claims[i]; i++)
		if (!strcmp(fl_claims[i]->id, id))
			return fl_claims[i];
	return NULL;
}

void fl_claim_judge(const struct fl_claim *c, const struct fl_run *r, struct fl_verdict *v)
{
	*v = (struct fl_verdict){
		.claim_id = c->id, .published = c->published,
		.measured = NAN, .lo = NAN, .hi = NAN,
		.verdict = FL_NOT_APPLICABLE, .mechanism = FL_NOT_APPLICABLE,
	};
	c->evaluate(r, v);
}

int fl_claims_extend(struct fl_run *r, int max,
		     int (*run)(const struct fl_claim *c, const struct fl_suite_entry *e,
				const char *asked, void *arg), void *arg)
{
	for (int n = 0; n < max; n++) {
		int ran = 0;

		for (int i = 0; fl_claims[i]; i++) {
			const struct fl_claim *c = fl_claims[i];
			struct fl_suite_entry e;
			char buf[64];
			int err;

			if (!c->extend || !c->extend(r, &e, buf, sizeof(buf)))
				continue;
			err = run(c, &e, buf, arg);
			if (err < 0)
				return err;
			ran += !err;
		}
		if (!ran)
			return 0;
	}
	return 0;
}

const char *fl_verdict_name(enum fl_verdict_kind v)
{
	switch (v) {
	case FL_REPRODUCED:
		return "reproduced";
	case FL_NOT_REPRODUCED:
		return "not reproduced";
	case FL_INCONCLUSIVE:
		return "inconclusive";
	case FL_NOT_APPLICABLE:
		return "not applicable here";
	}
	return "?";
}

void fl_verdict_say(struct fl_verdict *v, const char *fmt, ...)
{
	size_t len = strlen(v->reason);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->reason + len, sizeof(v->reason) - len, fmt, ap);
	va_end(ap);
}

void fl_verdict_mechanism(struct fl_verdict *v, enum fl_verdict_kind k, const char *fmt, ...)
{
	va_list ap;

	v->mechanism = k;
	va_start(ap, fmt);
	vsnprintf(v->mechanism_reason, sizeof(v->mechanism_reason), fmt, ap);
	va_end(ap);
}
