/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impl/rbtree.h - a red-black tree that readers may walk without a lock, as
 * the SPF series walked mm->mm_rb (lib/rbtree.c's contract for RCU readers).
 *
 * Writers serialise among themselves (mmap_sem for write, in the mm model).
 * Child links are published with release stores, and rotations detach a
 * node before they attach it elsewhere, so a reader that races a rebalance
 * may miss a node but never loops or reaches a node not yet initialised; it
 * loads child links with acquire (km_rb_child()) and bounds its depth
 * (KM_RB_MAX_DEPTH).  Whether it missed something is the user's business
 * (a sequence count around the writers, in the mm model).
 *
 * The tree is intrusive, as the kernel's: embed a struct km_rb_node, order
 * by what the node is embedded in.  Prefixed km_ so that it never meets
 * <linux/rbtree.h> in the module build.
 */
#ifndef KM_IMPL_RBTREE_H
#define KM_IMPL_RBTREE_H

#include "platform.h"

/* Deeper than any red-black tree of 2^31 nodes: a reader that gets here is lost. */
#define KM_RB_MAX_DEPTH		64

struct km_rb_node {
	struct km_rb_node *rb_left;	/* published with smp_store_release() */
	struct km_rb_node *rb_right;
	struct km_rb_node *rb_parent;	/* writers only */
	bool rb_red;			/* writers only */
};

/* A child link as a lockless reader loads it. */
static inline struct km_rb_node *km_rb_child(struct km_rb_node *const *link)
{
	return smp_load_acquire(link);
}

/*
 * rb_link_node_rcu(): node becomes a red leaf under parent at *link (a child
 * link of parent, or the root); the release store publishes its
 * initialisation with it.  Then km_rb_insert_color().
 */
void km_rb_link_node(struct km_rb_node *node, struct km_rb_node *parent,
		     struct km_rb_node **link);
/* rb_insert_color(): rebalances after km_rb_link_node(). */
void km_rb_insert_color(struct km_rb_node **root, struct km_rb_node *z);
/* rb_erase(); z's own links are left alone for readers standing on it. */
void km_rb_erase(struct km_rb_node **root, struct km_rb_node *z);

/*
 * Checks the tree under root: parent links, no red node under a red one,
 * the same black height on every path, and, if before is given, the order
 * (a left child before its parent, the parent before its right child).
 * Each broken rule adds to *errors; *nodes counts the nodes.
 */
void km_rb_check(struct km_rb_node *root,
		 bool (*before)(const struct km_rb_node *a, const struct km_rb_node *b),
		 long *errors, long *nodes);

#endif /* KM_IMPL_RBTREE_H */
