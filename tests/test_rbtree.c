// SPDX-License-Identifier: GPL-2.0
/*
 * impl/rbtree.c on its own: random inserts and erases keep a sound tree
 * (parent links, colours, black heights, order) that holds exactly the keys
 * inserted and not erased, and a lockless-style walk finds each of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "impl/rbtree.h"
#include "tests/rng.h"

#define KEYS	2000

struct item {
	struct km_rb_node rb;
	long key;
	bool in;
};

static struct item *item_of(const struct km_rb_node *n)
{
	return container_of(n, struct item, rb);
}

static bool before(const struct km_rb_node *a, const struct km_rb_node *b)
{
	return item_of(a)->key < item_of(b)->key;
}

static void insert(struct km_rb_node **root, struct item *it)
{
	struct km_rb_node **link = root, *parent = NULL;

	while (*link) {
		parent = *link;
		link = it->key < item_of(parent)->key ? &parent->rb_left : &parent->rb_right;
	}
	km_rb_link_node(&it->rb, parent, link);
	km_rb_insert_color(root, &it->rb);
	it->in = true;
}

static struct item *find(struct km_rb_node **root, long key)
{
	struct km_rb_node *n = km_rb_child(root);

	for (int depth = 0; n && depth < KM_RB_MAX_DEPTH; depth++) {
		if (item_of(n)->key == key)
			return item_of(n);
		n = km_rb_child(key < item_of(n)->key ? &n->rb_left : &n->rb_right);
	}
	return NULL;
}

static void check(struct km_rb_node *root, long want)
{
	long errors = 0, nodes = 0;

	km_rb_check(root, before, &errors, &nodes);
	assert_int_equal(errors, 0);
	assert_int_equal(nodes, want);
}

static void test_random_inserts_and_erases(void **state)
{
	static struct item it[KEYS];
	struct km_rb_node *root = NULL;
	long in = 0;

	rng_state = 20261206;
	for (int i = 0; i < KEYS; i++)
		it[i] = (struct item){ .key = 7L * i };	/* distinct keys */
	for (int step = 0; step < 20 * KEYS; step++) {
		struct item *x = &it[(int)(uniform() * KEYS)];

		if (x->in) {
			km_rb_erase(&root, &x->rb);
			x->in = false;
			in--;
		} else {
			insert(&root, x);
			in++;
		}
		if (step % 97 == 0)
			check(root, in);
	}
	check(root, in);
	for (int i = 0; i < KEYS; i++)
		assert_true((find(&root, it[i].key) == &it[i]) == it[i].in);
}

/* A broken tree is seen: a red child of a red node, then keys out of order. */
static void test_check_finds_faults(void **state)
{
	struct item a = { .key = 1 }, b = { .key = 2 }, c = { .key = 3 };
	struct km_rb_node *root = NULL;
	long errors = 0, nodes = 0;

	insert(&root, &b);
	insert(&root, &a);
	insert(&root, &c);
	check(root, 3);
	a.rb.rb_red = true;
	b.rb.rb_red = true;
	km_rb_check(root, before, &errors, &nodes);
	assert_true(errors > 0);
	b.rb.rb_red = false;
	a.key = 5;
	errors = 0;
	km_rb_check(root, before, &errors, &nodes);
	assert_true(errors > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_inserts_and_erases),
		cmocka_unit_test(test_check_finds_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
