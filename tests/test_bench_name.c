// SPDX-License-Identifier: GPL-2.0
/* Benchmark names (bench/analysis/bench_name.c): format, parse and match. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "bench/analysis/bench_name.h"
#include "bench/err.h"

static const char *const canon = "M=0,P=2,J=256,T=4,S=8";

static void test_format(void **state)
{
	struct fl_bench_key k = { "reaim_vunmap", "new", "shim", "M=0,P=2", "jobs_per_min" };
	char buf[64];

	assert_string_equal(fl_bench_name(&k, buf, sizeof(buf)), "reaim_vunmap/new/shim/M=0,P=2");
}

static void test_parse_and_match(void **state)
{
	struct fl_bench_pattern p;

	assert_int_equal(fl_bench_pattern_parse("reaim_vunmap", &p), 0);
	assert_true(fl_bench_pattern_matches(&p, "reaim_vunmap", "old", "kmod", canon));
	assert_false(fl_bench_pattern_matches(&p, "fork_vmap_stack", "old", "shim", canon));

	assert_int_equal(fl_bench_pattern_parse("reaim_vunmap/new/M=0,J=256", &p), 0);
	assert_string_equal(p.variant, "new");
	assert_null(p.backend);
	assert_int_equal(p.nparams, 2);
	assert_true(fl_bench_pattern_matches(&p, "reaim_vunmap", "new", "shim", canon));
	assert_false(fl_bench_pattern_matches(&p, "reaim_vunmap", "old", "shim", canon));
	/* a value is a whole token: M=0 is not M=0 of M=00 nor of M=096000 */
	assert_false(fl_bench_pattern_matches(&p, "reaim_vunmap", "new", "shim",
					      "M=096000,P=2,J=256,T=4,S=8"));

	assert_int_equal(fl_bench_pattern_parse("ebizzy_like/live/live/T=2", &p), 0);
	assert_string_equal(p.backend, "live");
	assert_true(fl_bench_pattern_matches(&p, "ebizzy_like", "live", "live",
					      "T=2,C=10,K=256,R=32"));
	assert_false(fl_bench_pattern_matches(&p, "ebizzy_like", "live", "live",
					      "T=1,C=10,K=256,R=32"));
}

static void test_bad_patterns(void **state)
{
	struct fl_bench_pattern p;

	assert_int_equal(fl_bench_pattern_parse("", &p), -EINVAL);
	assert_int_equal(fl_bench_pattern_parse("/new", &p), -EINVAL);
	assert_int_equal(fl_bench_pattern_parse("reaim_vunmap/new/M=0,2", &p), -EINVAL);
	assert_non_null(strstr(fl_errmsg(), "NAME=VALUE"));
	assert_int_equal(fl_bench_pattern_parse("reaim_vunmap/new/shim/M=0/x", &p), -EINVAL);
	assert_non_null(strstr(fl_errmsg(), "too many parts"));
	assert_int_equal(fl_bench_pattern_parse("reaim_vunmap/M=0/P=2", &p), -EINVAL);
}

static void test_params_has(void **state)
{
	assert_true(fl_params_has(canon, "P=2", 3));
	assert_true(fl_params_has(canon, "S=8", 3));
	assert_false(fl_params_has(canon, "P=25", 4));
	assert_false(fl_params_has(canon, "M=0,P", 5));
	assert_false(fl_params_has("", "M=0", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_and_match),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_params_has),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
