// SPDX-License-Identifier: GPL-2.0
/*
 * A userspace SRCU: readers count themselves into one of two epoch halves,
 * synchronize_srcu() flips the half and waits for the old one to drain, twice,
 * as classic SRCU does (kernel/rcu/srcutiny.c and the pre-4.12 srcu.c), so
 * that a reader which sampled the index just before a flip is waited for too.
 */
#include "platform_user.h"

static unsigned slot_of_thread(void)
{
	static __thread unsigned slot = ~0u;
	static unsigned next;

	if (slot == ~0u)
		slot = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % KM_SRCU_SLOTS;
	return slot;
}

int init_srcu_struct(struct srcu_struct *sp)
{
	memset(sp->slot, 0, sizeof(sp->slot));
	sp->idx = 0;
	return pthread_mutex_init(&sp->gp_lock, NULL) ? -ENOMEM : 0;
}

void cleanup_srcu_struct(struct srcu_struct *sp)
{
	pthread_mutex_destroy(&sp->gp_lock);
}

int srcu_read_lock(struct srcu_struct *sp)
{
	int idx = __atomic_load_n(&sp->idx, __ATOMIC_RELAXED) & 1;

	__atomic_add_fetch(&sp->slot[slot_of_thread()].cnt[idx], 1,
			   __ATOMIC_SEQ_CST);
	return idx;
}

void srcu_read_unlock(struct srcu_struct *sp, int idx)
{
	/* The slot may differ from the lock's: only the sum matters. */
	__atomic_sub_fetch(&sp->slot[slot_of_thread()].cnt[idx], 1,
			   __ATOMIC_SEQ_CST);
}

static long readers(struct srcu_struct *sp, int idx)
{
	long sum = 0;

	for (int i = 0; i < KM_SRCU_SLOTS; i++)
		sum += __atomic_load_n(&sp->slot[i].cnt[idx], __ATOMIC_SEQ_CST);
	return sum;
}

static void flip_and_wait(struct srcu_struct *sp)
{
	int old = __atomic_fetch_add(&sp->idx, 1, __ATOMIC_SEQ_CST) & 1;

	while (readers(sp, old))
		sched_yield();
}

void synchronize_srcu(struct srcu_struct *sp)
{
	pthread_mutex_lock(&sp->gp_lock);
	flip_and_wait(sp);
	flip_and_wait(sp);
	pthread_mutex_unlock(&sp->gp_lock);
}
