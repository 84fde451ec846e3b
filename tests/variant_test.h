/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/variant_test.h - one test body run once per variant (old and new,
 * classic and speculative, 4- and 5-level).  cmocka's prestate hands the
 * test its variant, and the test's name carries the variant's
 * ("test_basic/classic"), so TAP says which one failed; no test is written
 * twice to change one argument.
 */
#ifndef FL_TESTS_VARIANT_TEST_H
#define FL_TESTS_VARIANT_TEST_H

/* f run with *state = &v, a static object of the test file's */
#define FL_VARIANT_TEST(f, v)	{ #f "/" #v, f, NULL, NULL, &v }

#endif
