/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/stack_target.h - a thread to sample: it walks a call chain of
 * D frames, over and over, with canaries in every frame that it checks on
 * the way back up, on a stack of its own with 64 KiB mapped above it (as
 * the next mapping up would be), pinned to the CPU it started on.  What
 * samples its stack, by signal, by the module's timer or by perf, must
 * never change it: a canary that breaks says so.
 *
 * The stack and what lies above it are mapped in the shim's page table
 * (impl/user/uaccess.c), so that the models' GUP walks them; with hole, the
 * first page above the stack is PROT_NONE and out of the table, so that a
 * copy longer than the stack in use runs into a real fault.
 */
#ifndef FL_STACK_TARGET_H
#define FL_STACK_TARGET_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <sys/types.h>

#include "impl/platform.h"

#define STACK_TARGET_STACK	(128UL << 10)
#define STACK_TARGET_ABOVE	(64UL << 10)

struct stack_target {
	long depth;
	unsigned char *map;		/* the stack, then what lies above */
	struct page *pages;
	void *altstack;			/* signals run here, as an NMI on its IST stack */
	pthread_t thread;
	pid_t tid;
	bool started;
	int stop;
	sem_t ready;
	/* run in the thread before it starts walking: per-thread setup */
	void (*on_start)(struct stack_target *t, void *arg);
	void *arg;
	unsigned long canary_breaks;	/* frames found changed */
	unsigned long progress;		/* walks down the chain */
};

/* 0, or a negative errno after fl_fail() said why; stop it either way (also unstarted). */
int stack_target_start(struct stack_target *t, long depth, bool hole,
		       void (*on_start)(struct stack_target *t, void *arg), void *arg);
void stack_target_stop(struct stack_target *t);

static inline unsigned long stack_target_breaks(struct stack_target *t)
{
	return __atomic_load_n(&t->canary_breaks, __ATOMIC_RELAXED);
}

#endif
