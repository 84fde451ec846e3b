/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/pool.h - the worker pool every multi-threaded workload runs on.
 *
 * n threads that live for a whole repetition, pinned one per PU by hwloc
 * (from PU first_pu on, wrapping round; FL_POOL_UNPINNED: free to move, as
 * the threads of the program a workload imitates may be), meet the harness
 * at a barrier before and after each round: a round is exactly one call of
 * the work function per worker, and nothing else.  Each worker has an accumulator of its own for
 * the round's counts, summed by fl_pool_wait().  The first worker to fail
 * names itself and its error, which fl_pool_wait() then says in the caller's
 * thread.
 */
#ifndef FL_POOL_H
#define FL_POOL_H

#include "workload.h"

struct fl_pool;

/*
 * A worker's share of one round: 0 or a negative errno (after fl_fail()).
 * acc is the worker's own: add this round's counts to it.
 */
typedef int (*fl_pool_fn)(void *arg, int index, struct fl_round *acc);

#define FL_POOL_UNPINNED	(-1)

int fl_pool_start(struct fl_pool **out, int n, int first_pu, fl_pool_fn fn, void *arg);
/* Lets every worker run fn once; fl_pool_wait() waits for all of them. */
void fl_pool_kick(struct fl_pool *p);
/*
 * Waits for the round; adds the workers' accumulators into acc (unless NULL)
 * and clears them.  0, or the first failed worker's error.
 */
int fl_pool_wait(struct fl_pool *p, struct fl_round *acc);
/* Stops and joins the workers; p may be NULL. */
void fl_pool_stop(struct fl_pool *p);

#endif
