// SPDX-License-Identifier: GPL-2.0
/*
 * The control file's protocol: the module's request parser (kmod/proto.c,
 * which the harness links too) and the harness's side (bench/measure/kmod.c), each
 * against the other's output.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/err.h"
#include "bench/measure/kmod.h"
#include "kmod/catalogue.h"
#include "kmod/proto.h"
#include "workloads/workload.h"

/* ---- a module-side table and the matching harness workload --------------- */

static const char *const variants[] = { "old", "new", NULL };

static const struct fl_kmod_param kparams[] = {
	{ "M", 0, 0, 65536 },
	{ "P", 2, 1, 64 },
	{ "J", 64, 1, 100000 },
	{ "lazy", 0, 0, 1 << 20 },
	{ NULL }
};

static const char *const kmetrics[] = { "jobs_per_min", "syncs_per_round", NULL };

static const struct fl_kmod_desc kdesc = {
	.name = "fork_vmap_stack",
	.variants = variants,
	.params = kparams,
	.metrics = kmetrics,
};

static const struct fl_kmod_param kparams2[] = { { "N", 1, 1, 10 }, { NULL } };
static const char *const kmetrics2[] = { "x", NULL };
static const char *const variants2[] = { "live", NULL };

static const struct fl_kmod_desc kdesc2 = {
	.name = "other",
	.variants = variants2,
	.params = kparams2,
	.metrics = kmetrics2,
};

static const struct fl_kmod_desc *const table[] = { &kdesc, &kdesc2, NULL };

static const struct fl_param hparams[] = {
	{ "M", "resident", 0, 0, 1000000 },
	{ "P", "workers", 2, 1, 256 },
	{ "J", "jobs", 64, 1, 100000 },
	{ NULL }
};

static const struct fl_metric hmetrics[] = {
	{ "jobs_per_min", "jobs/min", FL_RATE, 60, true, FL_ALL_BACKENDS },
	{ "syncs_per_round", "syncs/round", FL_PER_ROUND, 1, false, FL_ALL_BACKENDS },
	{ NULL }
};

static const struct fl_workload hw = {
	.name = "fork_vmap_stack",
	.backends = FL_KMOD,
	.variants = variants,
	.params = hparams,
	.metrics = hmetrics,
};

static char err[FL_KMOD_ERR_MAX];

/* cmocka 1.1 has no assert_double_equal */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static int parse(const char *s, struct fl_kmod_req *req)
{
	err[0] = '\0';
	return fl_kmod_parse_request(s, strlen(s), table, req, err, sizeof(err));
}

/* Rejected, and the reason says what. */
static void expect_reject(const char *s, const char *why)
{
	struct fl_kmod_req req;

	if (parse(s, &req) != -EINVAL || !strstr(err, why))
		fail_msg("'%s': expected a rejection containing '%s', got '%s'", s, why, err);
}

/* ---- the module's parser -------------------------------------------------- */

static void test_request_defaults(void **state)
{
	struct fl_kmod_req req;
	char buf[FL_KMOD_REQ_MAX];

	assert_int_equal(parse("workload=fork_vmap_stack variant=new\n", &req), 0);
	assert_ptr_equal(req.desc, &kdesc);
	assert_int_equal(req.variant, 1);
	assert_int_equal(req.rounds, 1);
	assert_int_equal(req.max_ms, FL_KMOD_DEF_MS);
	assert_int_equal(fl_kmod_param(&req, "P"), 2);
	assert_int_equal(fl_kmod_param(&req, "J"), 64);
	fl_kmod_format_request(&req, buf, sizeof(buf));
	assert_string_equal(buf, "workload=fork_vmap_stack variant=new rounds=1 max_ms=60000 "
			    "M=0 P=2 J=64 lazy=0");
}

static void test_request_values_any_order(void **state)
{
	struct fl_kmod_req req;

	assert_int_equal(parse("\tM=1024  rounds=7 variant=old\t workload=fork_vmap_stack "
			       "J=3 max_ms=250", &req), 0);
	assert_int_equal(req.variant, 0);
	assert_int_equal(req.rounds, 7);
	assert_int_equal(req.max_ms, 250);
	assert_int_equal(fl_kmod_param(&req, "M"), 1024);
	assert_int_equal(fl_kmod_param(&req, "J"), 3);
}

static void test_request_bounds(void **state)
{
	struct fl_kmod_req req;

	assert_int_equal(parse("workload=fork_vmap_stack variant=old M=0 P=64 J=100000 "
			       "rounds=256 max_ms=600000", &req), 0);
	assert_int_equal(parse("workload=fork_vmap_stack variant=old M=65536 P=1 J=1 "
			       "rounds=1 max_ms=1", &req), 0);
	expect_reject("workload=fork_vmap_stack variant=old M=65537",
		      "M=65537 out of range [0, 65536]");
	expect_reject("workload=fork_vmap_stack variant=old M=-1", "M=-1 out of range");
	expect_reject("workload=fork_vmap_stack variant=old P=0", "P=0 out of range [1, 64]");
	expect_reject("workload=fork_vmap_stack variant=old rounds=0", "rounds=0 out of range");
	expect_reject("workload=fork_vmap_stack variant=old rounds=257", "rounds=257 out of range");
	expect_reject("workload=fork_vmap_stack variant=old max_ms=600001", "max_ms=600001");
	expect_reject("workload=fork_vmap_stack variant=old max_ms=0", "max_ms=0");
	expect_reject("workload=fork_vmap_stack variant=old J=9999999999999999",
		      "not a decimal number");
	expect_reject("workload=fork_vmap_stack variant=old J=999999999999999",
		      "J=999999999999999 out of range");
}

static void test_request_numbers(void **state)
{
	expect_reject("workload=fork_vmap_stack variant=old M=0x10", "not a decimal");
	expect_reject("workload=fork_vmap_stack variant=old M=1e3", "not a decimal");
	expect_reject("workload=fork_vmap_stack variant=old M=+5", "has a '+'");
	expect_reject("workload=fork_vmap_stack variant=old M=-", "not a decimal");
	expect_reject("workload=fork_vmap_stack variant=old M=1-2", "not a decimal");
	expect_reject("workload=fork_vmap_stack variant=old M=", "a value of 0 bytes");
	expect_reject("workload=fork_vmap_stack variant=old M=1.5", "has a '.'");
}

static void test_request_keys(void **state)
{
	expect_reject("workload=fork_vmap_stack variant=old bogus=1",
		      "unknown key 'bogus' (workload fork_vmap_stack takes: M P J lazy)");
	expect_reject("workload=fork_vmap_stack variant=old N=1", "unknown key 'N'");
	expect_reject("variant=old M=1", "no workload= given");
	expect_reject("workload=nope variant=old", "unknown workload 'nope'");
	expect_reject("workload=fork_vmap_stack", "no variant= given");
	expect_reject("workload=fork_vmap_stack variant=live", "has no variant 'live'");
	expect_reject("workload=fork_vmap_stack variant=old M=1 M=2", "key 'M' given twice");
	expect_reject("workload=fork_vmap_stack workload=other variant=old", "given twice");
	expect_reject("workload=fork_vmap_stack variant=old 9M=1", "is not a name");
	expect_reject("workload=fork_vmap_stack variant=old =1", "a key of 0 bytes");
	expect_reject("workload=fork_vmap_stack variant=old M", "is not key=value");
	expect_reject("workload=fork_vmap_stack variant=old M=1=2", "has a '='");
	expect_reject("workload=fork_vmap_stack variant=old "
		      "abcdefghijabcdefghijabcdefghijabc=1", "a key of 33 bytes");
	expect_reject("workload=fork_vmap_stack variant=old M=000000000000000000001",
		      "a value of 21 bytes");
}

static void test_request_bytes(void **state)
{
	struct fl_kmod_req req;
	char big[FL_KMOD_REQ_MAX + 2];
	const char nul[] = "workload=fork_vmap_stack\0 variant=old";

	expect_reject("", "empty request");
	expect_reject("\n", "empty request");
	expect_reject("   \t ", "empty request");
	expect_reject("workload=fork_vmap_stack variant=old\n\n", "more than one line");
	expect_reject("workload=fork_vmap_stack\nvariant=old", "more than one line");
	expect_reject("workload=fork_vmap_stack variant=old\r\n", "byte 36 is 0x0d");
	expect_reject("workload=fork_vmap_stack variant=old M=\x01", "0x01");
	expect_reject("workload=fork_vmap_stack variant=\xc3\xa9", "not printable ASCII");
	assert_int_equal(fl_kmod_parse_request(nul, sizeof(nul) - 1, table, &req, err,
					       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "byte 24 is 0x00"));

	memset(big, ' ', sizeof(big));
	memcpy(big, "workload=fork_vmap_stack variant=old", 36);
	assert_int_equal(fl_kmod_parse_request(big, FL_KMOD_REQ_MAX, table, &req, err,
					       sizeof(err)), 0);
	assert_int_equal(fl_kmod_parse_request(big, FL_KMOD_REQ_MAX + 1, table, &req, err,
					       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than 512"));
}

static void test_request_tokens(void **state)
{
	char s[FL_KMOD_REQ_MAX];
	int i, off;

	off = sprintf(s, "workload=other variant=live");
	for (i = 0; i < FL_KMOD_MAX_TOKENS - 2; i++)
		off += sprintf(s + off, " N=1");
	/* 16 tokens: the count is fine, the duplicate is not */
	expect_reject(s, "key 'N' given twice");
	sprintf(s + off, " N=1");
	expect_reject(s, "more than 16 key=value tokens");
}

/* Garbage in: always a clean rejection, whose reason is printable and short. */
static void test_request_random(void **state)
{
	static const char alphabet[] = "workload=fork_vmap_stack variant=old new M P J 0123456789"
				       "-=\t\n \x01\xff";
	struct fl_kmod_req req;
	char s[FL_KMOD_REQ_MAX + 8];
	unsigned int seed = 12345;
	int i, j, len, ret, accepted = 0;

	for (i = 0; i < 20000; i++) {
		len = rand_r(&seed) % (int)sizeof(s);
		for (j = 0; j < len; j++)
			s[j] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		if (i % 3 == 0 && len > 40)
			memcpy(s, "workload=fork_vmap_stack variant=old ", 37);
		err[0] = '\0';
		ret = fl_kmod_parse_request(s, (size_t)len, table, &req, err, sizeof(err));
		if (ret == 0) {
			accepted++;
			assert_ptr_equal(req.desc, &kdesc);
			assert_in_range(req.rounds, 1, FL_KMOD_MAX_ROUNDS);
			assert_in_range(fl_kmod_param(&req, "M"), 0, 65536);
			continue;
		}
		assert_int_equal(ret, -EINVAL);
		assert_true(err[0] != '\0');
		for (j = 0; err[j]; j++)
			assert_true(err[j] >= 0x20 && err[j] < 0x7f);
	}
	assert_true(accepted < 20000);
}

static void test_desc_line(void **state)
{
	char buf[512];

	fl_kmod_format_desc(&kdesc, buf, sizeof(buf));
	assert_string_equal(buf, "workload fork_vmap_stack variants=old,new "
			    "params=M:0:0:65536,P:2:1:64,J:64:1:100000,lazy:0:0:1048576 "
			    "metrics=jobs_per_min,syncs_per_round\n");
	/* a buffer too small is cut, never overrun */
	memset(buf, 'x', sizeof(buf));
	fl_kmod_format_desc(&kdesc, buf, 20);
	assert_int_equal(strlen(buf), 19);
	assert_int_equal(buf[20], 'x');
}

/* ---- the harness's side --------------------------------------------------- */

static struct fl_instance instance(const char *variant, long m, long p, long j)
{
	struct fl_instance in = { .w = &hw, .backend = FL_KMOD, .variant = variant };

	in.param[0] = m;
	in.param[1] = p;
	in.param[2] = j;
	return in;
}

/* What the harness writes, the module accepts with the same values. */
static void test_format_roundtrip(void **state)
{
	struct fl_instance in = instance("old", 4096, 2, 500);
	struct fl_kmod_req req;
	char buf[FL_KMOD_REQ_MAX + 1];
	int len;

	len = fl_kmod_format(&in, 12, buf, sizeof(buf));
	assert_string_equal(buf,
			    "workload=fork_vmap_stack variant=old rounds=12 M=4096 P=2 J=500\n");
	assert_int_equal(len, (int)strlen(buf));
	assert_int_equal(fl_kmod_parse_request(buf, (size_t)len, table, &req, err, sizeof(err)), 0);
	assert_int_equal(req.rounds, 12);
	assert_int_equal(fl_kmod_param(&req, "M"), 4096);
	assert_int_equal(fl_kmod_param(&req, "J"), 500);

	/* values the harness allows but the module does not: the module says so */
	in = instance("old", 1000000, 2, 5);
	len = fl_kmod_format(&in, 1, buf, sizeof(buf));
	assert_int_equal(fl_kmod_parse_request(buf, (size_t)len, table, &req, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "M=1000000 out of range"));

	assert_true(fl_kmod_format(&in, 0, buf, sizeof(buf)) < 0);
	assert_true(fl_kmod_format(&in, FL_KMOD_MAX_ROUNDS + 1, buf, sizeof(buf)) < 0);
	assert_int_equal(fl_kmod_format(&in, 1, buf, 20), -ENOSPC);
	assert_non_null(strstr(fl_errmsg(), "does not fit"));
}

/* The module's answer, built with the module's own formatter. */
static char *answer(const char *state, int rounds, const char *error)
{
	static char text[8192];
	long long metric[2];
	size_t off;
	int r;

	off = (size_t)sprintf(text, "faultline-kmod 1\nrun 7 %s\nrequest workload=fork_vmap_stack "
			      "variant=old rounds=%d max_ms=60000 M=0 P=2 J=64 lazy=0\n",
			      state, rounds);
	for (r = 0; r < rounds; r++) {
		metric[0] = 128;
		metric[1] = r;
		off += (size_t)fl_kmod_format_round(&kdesc, r, 250000000ULL, 1000000ULL, metric,
						    text + off, sizeof(text) - off);
	}
	if (error)
		off += (size_t)sprintf(text + off, "error %s\n", error);
	sprintf(text + off, "end\n");
	return text;
}

static void test_parse_answer(void **state)
{
	struct fl_instance in = instance("old", 0, 2, 64);
	struct fl_kmod_rep rep;
	struct fl_run run;

	assert_int_equal(fl_kmod_parse(&hw, answer("done", 4, NULL), &rep), 0);
	assert_int_equal(rep.run_id, 7);
	assert_int_equal(rep.rounds, 4);
	assert_near(rep.seconds, 1.0, 1e-9);
	assert_near(rep.round_seconds[3], 0.25, 1e-12);
	assert_near(rep.cycles, 4e6, 1e-3);
	assert_near(rep.total.metric[0], 512, 1e-9);
	assert_near(rep.total.metric[1], 0 + 1 + 2 + 3, 1e-9);

	fl_run_init(&run);
	assert_int_equal(fl_kmod_samples(&in, "M=0,P=2,J=64", 3, &rep, &run), 0);
	assert_int_equal(run.nsamples, 2);
	assert_string_equal(run.samples[0].backend, "kmod");
	assert_string_equal(run.samples[0].source, "ktime");
	assert_string_equal(run.samples[0].metric, "jobs_per_min");
	assert_int_equal(run.samples[0].repetition, 3);
	/* 512 jobs in 1 s of kernel time: 30720 a minute */
	assert_near(run.samples[0].value, 30720, 1e-6);
	assert_string_equal(run.samples[1].unit, "syncs/round");
	assert_near(run.samples[1].value, 1.5, 1e-12);
	fl_run_free(&run);
}

static void test_parse_errors(void **state)
{
	struct fl_kmod_rep rep;
	char text[512];

	assert_int_equal(fl_kmod_parse(&hw, answer("failed", 1, "worker 0 job 3 failed (-12)"),
				       &rep), -EIO);
	assert_string_equal(fl_errmsg(), "kmod: run 7 failed: worker 0 job 3 failed (-12)");
	assert_int_equal(fl_kmod_parse(&hw, answer("stopped", 0,
				       "stopped in round 0: module unloading"), &rep), -EIO);
	assert_non_null(strstr(fl_errmsg(), "run 7 stopped: stopped in round 0"));

	assert_int_equal(fl_kmod_parse(&hw, "faultline-kmod 1\nrejected\nerror unknown key 'Q' "
				       "(workload x takes: M)\nend\n", &rep), -EINVAL);
	assert_string_equal(fl_errmsg(), "kmod: request rejected: unknown key 'Q' "
			    "(workload x takes: M)");

	assert_int_equal(fl_kmod_parse(&hw, "faultline-kmod 2\nrun 1 done\nend\n", &rep),
			 -EPROTO);
	assert_non_null(strstr(fl_errmsg(), "protocol 2"));
	assert_int_equal(fl_kmod_parse(&hw, "hello\n", &rep), -EPROTO);
	assert_int_equal(fl_kmod_parse(&hw, "faultline-kmod 1\nrun 1 done\n", &rep), -EPROTO);
	assert_non_null(strstr(fl_errmsg(), "incomplete"));

	sprintf(text, "faultline-kmod 1\nrun 1 done\nround 0 ns=5 cycles=1 jobs_per_min=1\nend\n");
	assert_int_equal(fl_kmod_parse(&hw, text, &rep), -EPROTO);
	assert_string_equal(fl_errmsg(), "kmod: the module reported no syncs_per_round for "
			    "fork_vmap_stack round 0");
	sprintf(text, "faultline-kmod 1\nrun 1 done\nround 1 ns=5 cycles=1 jobs_per_min=1 "
		"syncs_per_round=0\nend\n");
	assert_int_equal(fl_kmod_parse(&hw, text, &rep), -EPROTO);
	sprintf(text, "faultline-kmod 1\nrun 1 done\nround 0 cycles=1 jobs_per_min=1 "
		"syncs_per_round=0\nend\n");
	assert_int_equal(fl_kmod_parse(&hw, text, &rep), -EPROTO);
	assert_non_null(strstr(fl_errmsg(), "no ns="));
}

static void test_no_module(void **state)
{
	struct fl_instance in = instance("old", 0, 2, 64);
	struct fl_kmod_rep rep;

	setenv("FL_KMOD_CONTROL", "/nonexistent/faultline/control", 1);
	assert_int_equal(fl_kmod_available(), -ENOENT);
	assert_non_null(strstr(fl_errmsg(), "load faultline.ko"));
	assert_int_equal(fl_kmod_repetition(&in, 1, &rep), -ENOENT);
	unsetenv("FL_KMOD_CONTROL");
	assert_string_equal(fl_kmod_control_path(), FL_KMOD_CONTROL);
}

/*
 * One source of the module's bounds: every harness workload with a kmod
 * backend is in the module's catalogue, with the same parameter names, and
 * the module takes its request at the defaults; a value past the module's
 * bound is refused by the harness with the module's own message.
 */
/* The module's metric m of d, by name: its index, or -1. */
static int desc_metric_index(const struct fl_kmod_desc *d, const char *m)
{
	for (int i = 0; d->metrics[i]; i++)
		if (!strcmp(d->metrics[i], m))
			return i;
	return -1;
}

/*
 * Every harness workload with a kmod backend is in the catalogue, with every
 * parameter (bounds at most as wide: one past the module's is refused with
 * the module's words) and every metric it says the module measures.
 */
static void test_catalogue_matches_workloads(void **state)
{
	for (int i = 0; fl_workloads[i]; i++) {
		const struct fl_workload *w = fl_workloads[i];
		struct fl_instance in = { .w = w, .backend = FL_KMOD, .variant = "old" };
		const struct fl_kmod_desc *d = NULL;
		char want[128];

		if (!(w->backends & FL_KMOD))
			continue;
		for (int k = 0; fl_kmod_catalogue[k] && !d; k++)
			if (!strcmp(fl_kmod_catalogue[k]->name, w->name))
				d = fl_kmod_catalogue[k];
		assert_non_null(d);
		for (int p = 0; w->params[p].name; p++) {
			assert_true(fl_kmod_param_index(d, w->params[p].name) >= 0);
			in.param[p] = w->params[p].def;
		}
		for (int m = 0; w->metrics[m].name; m++)
			assert_int_equal(desc_metric_index(d, w->metrics[m].name) >= 0,
					 fl_metric_measured(&w->metrics[m], FL_KMOD));
		assert_int_equal(fl_kmod_check(&in, 4), 0);
		for (int p = 0; w->params[p].name; p++) {
			const struct fl_kmod_param *kp =
				&d->params[fl_kmod_param_index(d, w->params[p].name)];
			long def = in.param[p];

			assert_true(kp->min >= w->params[p].min && kp->max <= w->params[p].max);
			if (kp->max == w->params[p].max)
				continue;
			in.param[p] = kp->max + 1;
			assert_int_equal(fl_kmod_check(&in, 4), -EINVAL);
			snprintf(want, sizeof(want), "kmod: %s=%ld out of range [%ld, %ld]",
				 kp->name, kp->max + 1, kp->min, kp->max);
			assert_string_equal(fl_errmsg(), want);
			in.param[p] = def;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_defaults),
		cmocka_unit_test(test_request_values_any_order),
		cmocka_unit_test(test_request_bounds),
		cmocka_unit_test(test_request_numbers),
		cmocka_unit_test(test_request_keys),
		cmocka_unit_test(test_request_bytes),
		cmocka_unit_test(test_request_tokens),
		cmocka_unit_test(test_request_random),
		cmocka_unit_test(test_desc_line),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_parse_answer),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_no_module),
		cmocka_unit_test(test_catalogue_matches_workloads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
