/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod/proto.h - the protocol of the module's control file, shared by the
 * module (kmod/main.c) and the harness (bench/measure/kmod.c).  kmod/proto.c
 * compiles in both, so that the cmocka tests exercise the module's parser.
 *
 * A request is one line written to the control file:
 *
 *	workload=NAME variant=V [rounds=N] [max_ms=N] [PARAM=N ...]
 *
 * at most FL_KMOD_REQ_MAX bytes, at most FL_KMOD_MAX_TOKENS key=value
 * tokens separated by blanks, every key known, none twice, every number
 * decimal and within its bounds.  A rejected write fails with EINVAL (EBUSY
 * while another run is in progress) and a read of the same open file says
 * why.  An accepted write starts the run in a kernel thread; a read of the
 * same open file waits for it to end and returns:
 *
 *	faultline-kmod 1
 *	run ID STATE                     done, failed or stopped
 *	request CANONICAL-REQUEST
 *	round I ns=N cycles=N METRIC=N ...   one line per round
 *	error TEXT                       when failed or stopped
 *	end
 *
 * A read of an open file that wrote nothing lists what the module offers:
 *
 *	faultline-kmod 1
 *	idle
 *	workload NAME variants=V,V params=NAME:DEF:MIN:MAX,... metrics=M,M
 *	end
 *
 * and after a rejected write: "rejected" instead of "idle", then "error TEXT".
 * Metric values are integers: what one round adds to the harness metric of
 * that name (jobs done, syncs, ...); the harness divides by ns or rounds.
 */
#ifndef FL_KMOD_PROTO_H
#define FL_KMOD_PROTO_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#endif

#define FL_KMOD_PROTO_VERSION	1
#define FL_KMOD_CONTROL		"/sys/kernel/debug/faultline/control"

#define FL_KMOD_REQ_MAX		512	/* bytes of one request */
#define FL_KMOD_MAX_TOKENS	16
#define FL_KMOD_KEY_MAX		31
#define FL_KMOD_VAL_MAX		20	/* "-" and 19 digits */
#define FL_KMOD_MAX_PARAMS	8
#define FL_KMOD_MAX_METRICS	12
#define FL_KMOD_MAX_ROUNDS	256
#define FL_KMOD_DEF_MS		60000	/* a run is stopped past max_ms */
#define FL_KMOD_MAX_MS		600000
#define FL_KMOD_ERR_MAX		192	/* bytes of an error text */
/* the result of a run: header, request, rounds, error, end */
#define FL_KMOD_OUT_MAX		(1024 + FL_KMOD_MAX_ROUNDS * 256)

struct fl_kmod_param {
	const char *name;
	long def, min, max;
};

/* What a workload of the module is called and takes. */
struct fl_kmod_desc {
	const char *name;
	const char *const *variants;		/* NULL-ended */
	const struct fl_kmod_param *params;	/* ended by a NULL name */
	const char *const *metrics;		/* NULL-ended */
};

struct fl_kmod_req {
	const struct fl_kmod_desc *desc;
	int variant;				/* index in desc->variants */
	long rounds;
	long max_ms;
	long param[FL_KMOD_MAX_PARAMS];		/* in desc->params order */
};

/*
 * Parses and validates one request against a NULL-ended table of
 * workloads.  Returns 0, or -EINVAL with a one-line reason in err.
 */
int fl_kmod_parse_request(const char *buf, size_t len,
			  const struct fl_kmod_desc *const *table,
			  struct fl_kmod_req *req, char *err, size_t errlen);

/* The canonical request line, without newline; returns its length. */
int fl_kmod_format_request(const struct fl_kmod_req *req, char *buf, size_t len);

/* The "workload ..." catalogue line of d, with newline; returns its length. */
int fl_kmod_format_desc(const struct fl_kmod_desc *d, char *buf, size_t len);

/* A "round ..." line with newline; metric[] in d->metrics order. */
int fl_kmod_format_round(const struct fl_kmod_desc *d, long i, unsigned long long ns,
			 unsigned long long cycles, const long long *metric,
			 char *buf, size_t len);

/* Index of a parameter or metric of d by name, or -1. */
int fl_kmod_param_index(const struct fl_kmod_desc *d, const char *name);
int fl_kmod_nparams(const struct fl_kmod_desc *d);
int fl_kmod_nmetrics(const struct fl_kmod_desc *d);

/* The value of the parameter called name; it must exist. */
long fl_kmod_param(const struct fl_kmod_req *req, const char *name);

#endif /* FL_KMOD_PROTO_H */
