// SPDX-License-Identifier: GPL-2.0
/*
 * A red-black tree for lockless readers (see rbtree.h), after the
 * algorithms of CLRS and the publication rules of lib/rbtree.c.
 */
#include "rbtree.h"

static void rb_set_child(struct km_rb_node **link, struct km_rb_node *n)
{
	smp_store_release(link, n);
}

/* Make parent (or the root) point at new where it pointed at old. */
static void rb_change_child(struct km_rb_node **root, struct km_rb_node *old,
			    struct km_rb_node *new, struct km_rb_node *parent)
{
	if (!parent)
		rb_set_child(root, new);
	else if (parent->rb_left == old)
		rb_set_child(&parent->rb_left, new);
	else
		rb_set_child(&parent->rb_right, new);
}

void km_rb_link_node(struct km_rb_node *node, struct km_rb_node *parent,
		     struct km_rb_node **link)
{
	node->rb_parent = parent;
	node->rb_left = NULL;
	node->rb_right = NULL;
	node->rb_red = true;
	rb_set_child(link, node);
}

/*
 * Rotations detach the moving child before they attach it elsewhere, so that
 * a lockless reader never sees a cycle (lib/rbtree.c makes the same promise).
 */
static void rb_rotate_left(struct km_rb_node **root, struct km_rb_node *x)
{
	struct km_rb_node *y = x->rb_right;
	struct km_rb_node *p = x->rb_parent;

	rb_set_child(&x->rb_right, y->rb_left);
	if (y->rb_left)
		y->rb_left->rb_parent = x;
	y->rb_parent = p;
	rb_change_child(root, x, y, p);
	rb_set_child(&y->rb_left, x);
	x->rb_parent = y;
}

static void rb_rotate_right(struct km_rb_node **root, struct km_rb_node *x)
{
	struct km_rb_node *y = x->rb_left;
	struct km_rb_node *p = x->rb_parent;

	rb_set_child(&x->rb_left, y->rb_right);
	if (y->rb_right)
		y->rb_right->rb_parent = x;
	y->rb_parent = p;
	rb_change_child(root, x, y, p);
	rb_set_child(&y->rb_right, x);
	x->rb_parent = y;
}

/* z was just linked as a red leaf. */
void km_rb_insert_color(struct km_rb_node **root, struct km_rb_node *z)
{
	struct km_rb_node *p, *g, *u;

	while ((p = z->rb_parent) && p->rb_red) {
		g = p->rb_parent;	/* p is red, so not the root */
		u = p == g->rb_left ? g->rb_right : g->rb_left;
		if (u && u->rb_red) {
			p->rb_red = false;
			u->rb_red = false;
			g->rb_red = true;
			z = g;
			continue;
		}
		if (p == g->rb_left) {
			if (z == p->rb_right) {
				rb_rotate_left(root, p);
				p = z;
			}
			rb_rotate_right(root, g);
		} else {
			if (z == p->rb_left) {
				rb_rotate_right(root, p);
				p = z;
			}
			rb_rotate_left(root, g);
		}
		p->rb_red = false;
		g->rb_red = true;
		break;
	}
	(*root)->rb_red = false;
}

/* Put v where u was (v may be NULL). */
static void rb_transplant(struct km_rb_node **root, struct km_rb_node *u,
			  struct km_rb_node *v)
{
	rb_change_child(root, u, v, u->rb_parent);
	if (v)
		v->rb_parent = u->rb_parent;
}

static bool rb_is_black(const struct km_rb_node *n)
{
	return !n || !n->rb_red;
}

/* __rb_erase_color(): x (maybe NULL), child of p, is short of one black. */
static void rb_erase_color(struct km_rb_node **root, struct km_rb_node *x,
			   struct km_rb_node *p)
{
	struct km_rb_node *w;

	while (x != *root && rb_is_black(x)) {
		if (x == p->rb_left) {
			w = p->rb_right;
			if (w->rb_red) {
				w->rb_red = false;
				p->rb_red = true;
				rb_rotate_left(root, p);
				w = p->rb_right;
			}
			if (rb_is_black(w->rb_left) && rb_is_black(w->rb_right)) {
				w->rb_red = true;
				x = p;
				p = x->rb_parent;
				continue;
			}
			if (rb_is_black(w->rb_right)) {
				w->rb_left->rb_red = false;
				w->rb_red = true;
				rb_rotate_right(root, w);
				w = p->rb_right;
			}
			w->rb_red = p->rb_red;
			p->rb_red = false;
			w->rb_right->rb_red = false;
			rb_rotate_left(root, p);
		} else {
			w = p->rb_left;
			if (w->rb_red) {
				w->rb_red = false;
				p->rb_red = true;
				rb_rotate_right(root, p);
				w = p->rb_left;
			}
			if (rb_is_black(w->rb_left) && rb_is_black(w->rb_right)) {
				w->rb_red = true;
				x = p;
				p = x->rb_parent;
				continue;
			}
			if (rb_is_black(w->rb_left)) {
				w->rb_right->rb_red = false;
				w->rb_red = true;
				rb_rotate_left(root, w);
				w = p->rb_left;
			}
			w->rb_red = p->rb_red;
			p->rb_red = false;
			w->rb_left->rb_red = false;
			rb_rotate_right(root, p);
		}
		x = *root;
	}
	if (x)
		x->rb_red = false;
}

void km_rb_erase(struct km_rb_node **root, struct km_rb_node *z)
{
	struct km_rb_node *x, *xp, *y;
	bool black;

	if (!z->rb_left || !z->rb_right) {
		x = z->rb_left ? z->rb_left : z->rb_right;
		xp = z->rb_parent;
		black = !z->rb_red;
		rb_transplant(root, z, x);
	} else {
		y = z->rb_right;
		while (y->rb_left)
			y = y->rb_left;
		black = !y->rb_red;
		x = y->rb_right;
		if (y->rb_parent == z) {
			xp = y;
		} else {
			xp = y->rb_parent;
			rb_transplant(root, y, x);
			rb_set_child(&y->rb_right, z->rb_right);
			y->rb_right->rb_parent = y;
		}
		rb_transplant(root, z, y);
		rb_set_child(&y->rb_left, z->rb_left);
		y->rb_left->rb_parent = y;
		y->rb_red = z->rb_red;
	}
	if (black)
		rb_erase_color(root, x, xp);
}

/* Black height of the subtree at n, or -1 (and errors counted) if broken. */
static int check(struct km_rb_node *n, struct km_rb_node *parent,
		 bool (*before)(const struct km_rb_node *a, const struct km_rb_node *b),
		 long *errors, long *nodes)
{
	int l, r;

	if (!n)
		return 1;
	(*nodes)++;
	if (n->rb_parent != parent)
		(*errors)++;
	if (n->rb_red && parent && parent->rb_red)
		(*errors)++;
	if (before && n->rb_left && !before(n->rb_left, n))
		(*errors)++;
	if (before && n->rb_right && !before(n, n->rb_right))
		(*errors)++;
	l = check(n->rb_left, n, before, errors, nodes);
	r = check(n->rb_right, n, before, errors, nodes);
	if (l < 0 || r < 0 || l != r) {
		(*errors)++;
		return -1;
	}
	return l + !n->rb_red;
}

void km_rb_check(struct km_rb_node *root,
		 bool (*before)(const struct km_rb_node *a, const struct km_rb_node *b),
		 long *errors, long *nodes)
{
	if (root && root->rb_red)
		(*errors)++;
	check(root, NULL, before, errors, nodes);
}
