/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workloads/cow_target.h - threads of ours that make the running kernel
 * invalidate, for a module's mmu notifier to see (kmod/wl_notifier.c).
 *
 * One 2 MiB region, 2 MiB aligned and kept out of THP, so that all of it
 * is one page-table page under one split PT lock.  A writer thread forks a
 * child that waits on a pipe, writes one byte to each of the region's first
 * N pages (N copy-on-write faults: wp_page_copy() in the kernel), lets the
 * child go and reaps it, over and over.  F faulter threads each drop and
 * fault back a page of their own in the region's upper half
 * (MADV_DONTNEED, then a write), so that every fault they take wants the
 * same PT lock as the writer's copies.  The module is told the writer's tid
 * and the first N pages: the range its "device" has mapped.
 */
#ifndef FL_COW_TARGET_H
#define FL_COW_TARGET_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <sys/types.h>

#define COW_TARGET_REGION	(2UL << 20)
#define COW_TARGET_MAX_FAULTERS	64

struct cow_target;

struct cow_faulter {
	struct cow_target *t;
	long index;
	pthread_t thread;
};

struct cow_target {
	void *map;			/* what mmap gave: the region lies inside */
	char *region;
	long pages, nfaulters;
	pthread_t writer;
	struct cow_faulter faulter[COW_TARGET_MAX_FAULTERS];
	long started;			/* threads to join */
	pid_t writer_tid;
	sem_t ready;
	int stop;
	int err;			/* the first errno a thread met */
};

/* 0, or a negative errno after fl_fail() said why; stop it either way. */
int cow_target_start(struct cow_target *t, long pages, long faulters);
void cow_target_stop(struct cow_target *t);

#endif
