// SPDX-License-Identifier: GPL-2.0
/*
 * workloads/cow_target.c - the writer and faulters of workloads/cow_target.h.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/err.h"
#include "cow_target.h"

#define PAGE	4096UL

static bool stopping(struct cow_target *t)
{
	return __atomic_load_n(&t->stop, __ATOMIC_ACQUIRE);
}

static void *thread_failed(struct cow_target *t, int err)
{
	int none = 0;

	__atomic_compare_exchange_n(&t->err, &none, err, false, __ATOMIC_RELEASE,
				    __ATOMIC_RELAXED);
	return NULL;
}

/* One fork with the child alive while the parent writes: N real copies. */
static int cow_round(struct cow_target *t)
{
	int fds[2], status;
	char c;
	pid_t pid;

	if (pipe(fds))
		return errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return errno;
	}
	if (pid == 0) {
		/* only async-signal-safe calls in the child of a threaded process */
		close(fds[1]);
		while (read(fds[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(fds[0]);
	for (long i = 0; i < t->pages; i++)
		((volatile char *)t->region)[i * PAGE]++;
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return errno;
	return 0;
}

static void *writer(void *arg)
{
	struct cow_target *t = arg;
	int err;

	t->writer_tid = gettid();
	sem_post(&t->ready);
	while (!stopping(t)) {
		err = cow_round(t);
		if (err)
			return thread_failed(t, err);
	}
	return NULL;
}

static void *faulter(void *arg)
{
	struct cow_faulter *f = arg;
	struct cow_target *t = f->t;
	/* the upper half of the region, a page each: never in the writer's range */
	volatile char *page = t->region + COW_TARGET_REGION / 2 + (unsigned long)f->index * PAGE;

	sem_post(&t->ready);
	while (!stopping(t)) {
		if (madvise((void *)page, PAGE, MADV_DONTNEED))
			return thread_failed(t, errno);
		*page = 1;
	}
	return NULL;
}

static int map_region(struct cow_target *t)
{
	unsigned long a;

	/* twice the size, so that a 2 MiB-aligned 2 MiB lies inside */
	t->map = mmap(NULL, 2 * COW_TARGET_REGION, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->map == MAP_FAILED) {
		t->map = NULL;
		return fl_fail(errno, "cow_target: mmap of 4 MiB: %s", strerror(errno));
	}
	a = ((unsigned long)t->map + COW_TARGET_REGION - 1) & ~(COW_TARGET_REGION - 1);
	t->region = (char *)a;
	/* a huge page would make the region one PMD, not a PTE page */
	if (madvise(t->region, COW_TARGET_REGION, MADV_NOHUGEPAGE))
		return fl_fail(errno, "cow_target: MADV_NOHUGEPAGE: %s", strerror(errno));
	memset(t->region, 1, COW_TARGET_REGION);
	return 0;
}

int cow_target_start(struct cow_target *t, long pages, long faulters)
{
	int err;

	sem_init(&t->ready, 0, 0);
	if (pages * PAGE > COW_TARGET_REGION / 2 || faulters > COW_TARGET_MAX_FAULTERS)
		return fl_fail(EINVAL, "cow_target: %ld pages, %ld faulters: at most %lu and %d",
			       pages, faulters, COW_TARGET_REGION / 2 / PAGE,
			       COW_TARGET_MAX_FAULTERS);
	t->pages = pages;
	t->nfaulters = faulters;
	err = map_region(t);
	if (err)
		return err;
	err = pthread_create(&t->writer, NULL, writer, t);
	if (err)
		return fl_fail(err, "cow_target: cannot start the writer: %s", strerror(err));
	t->started = 1;
	for (long i = 0; i < faulters; i++) {
		t->faulter[i].t = t;
		t->faulter[i].index = i;
		err = pthread_create(&t->faulter[i].thread, NULL, faulter, &t->faulter[i]);
		if (err)
			return fl_fail(err, "cow_target: cannot start faulter %ld: %s", i,
				       strerror(err));
		t->started++;
	}
	for (long i = 0; i < t->started; i++)
		while (sem_wait(&t->ready) && errno == EINTR)
			;
	return 0;
}

void cow_target_stop(struct cow_target *t)
{
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	if (t->started)
		pthread_join(t->writer, NULL);
	for (long i = 0; i + 1 < t->started; i++)
		pthread_join(t->faulter[i].thread, NULL);
	t->started = 0;
	if (t->map)
		munmap(t->map, 2 * COW_TARGET_REGION);
	t->map = NULL;
	sem_destroy(&t->ready);
}
