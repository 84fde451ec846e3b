// SPDX-License-Identifier: GPL-2.0
/* The worker pool of the multi-threaded workloads (see pool.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/err.h"
#include "bench/measure/topology.h"
#include "pool.h"

struct fl_pool {
	pthread_t *tid;
	int n;				/* workers started */
	int first_pu;
	fl_pool_fn fn;
	struct fl_round *acc;		/* one per worker */
	void *arg;
	pthread_mutex_t gate_lock;	/* workers wait here until all exist */
	pthread_cond_t gate;
	int open;
	int aborted;			/* creation failed: no barrier will be met */
	int stop;
	int failed;			/* first worker's negative errno */
	char msg[256];			/* and its message (fl_fail() is per thread) */
	pthread_barrier_t start, done;
};

struct pool_arg {
	struct fl_pool *p;
	int index;
};

static void *pool_main(void *v)
{
	struct pool_arg a = *(struct pool_arg *)v;
	struct fl_pool *p = a.p;

	free(v);
	if (p->first_pu != FL_POOL_UNPINNED)
		fl_topo_pin_self(p->first_pu + a.index);
	pthread_mutex_lock(&p->gate_lock);
	while (!p->open)
		pthread_cond_wait(&p->gate, &p->gate_lock);
	pthread_mutex_unlock(&p->gate_lock);
	if (p->aborted)
		return NULL;
	/*
	 * Always meet the start barrier before looking at stop: a worker that
	 * looked first could miss the stopper, who waits there.
	 */
	for (;;) {
		int err;

		pthread_barrier_wait(&p->start);
		if (__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE))
			break;
		err = p->fn(p->arg, a.index, &p->acc[a.index]);
		if (err) {
			int zero = 0;

			pthread_mutex_lock(&p->gate_lock);
			if (__atomic_compare_exchange_n(&p->failed, &zero, err, false,
							__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				snprintf(p->msg, sizeof(p->msg), "worker %d: %s", a.index,
					 fl_errmsg());
			pthread_mutex_unlock(&p->gate_lock);
		}
		pthread_barrier_wait(&p->done);
	}
	return NULL;
}

static void pool_open(struct fl_pool *p)
{
	pthread_mutex_lock(&p->gate_lock);
	p->open = 1;
	pthread_cond_broadcast(&p->gate);
	pthread_mutex_unlock(&p->gate_lock);
}

int fl_pool_start(struct fl_pool **out, int n, int first_pu, fl_pool_fn fn, void *arg)
{
	struct fl_pool *p = calloc(1, sizeof(*p));
	int err = 0;

	if (!p || !(p->tid = calloc((size_t)n, sizeof(*p->tid))) ||
	    !(p->acc = calloc((size_t)n, sizeof(*p->acc)))) {
		if (p)
			free(p->tid);
		free(p);
		return fl_fail(ENOMEM, "out of memory for %d workers", n);
	}
	p->first_pu = first_pu;
	p->fn = fn;
	p->arg = arg;
	pthread_mutex_init(&p->gate_lock, NULL);
	pthread_cond_init(&p->gate, NULL);
	pthread_barrier_init(&p->start, NULL, (unsigned)n + 1);
	pthread_barrier_init(&p->done, NULL, (unsigned)n + 1);
	for (int i = 0; i < n && !err; i++) {
		struct pool_arg *a = malloc(sizeof(*a));

		if (!a) {
			err = fl_fail(ENOMEM, "out of memory for worker %d", i);
			break;
		}
		*a = (struct pool_arg){ p, i };
		err = pthread_create(&p->tid[i], NULL, pool_main, a);
		if (err) {
			free(a);
			err = fl_fail(err, "cannot start worker %d of %d: %s", i, n, strerror(err));
			break;
		}
		p->n++;
	}
	if (err)
		p->aborted = 1;		/* before the gate opens: workers see it */
	pool_open(p);
	if (err) {
		fl_pool_stop(p);
		return err;
	}
	*out = p;
	return 0;
}

void fl_pool_kick(struct fl_pool *p)
{
	pthread_barrier_wait(&p->start);
}

int fl_pool_wait(struct fl_pool *p, struct fl_round *acc)
{
	int err;

	pthread_barrier_wait(&p->done);
	for (int i = 0; i < p->n; i++) {
		for (int m = 0; acc && m < FL_MAX_METRICS; m++)
			acc->metric[m] += p->acc[i].metric[m];
		p->acc[i] = (struct fl_round){ { 0 } };
	}
	err = __atomic_exchange_n(&p->failed, 0, __ATOMIC_SEQ_CST);
	if (!err)
		return 0;
	/* the worker's message, now in the caller's thread */
	return fl_fail(-err, "%s", p->msg);
}

void fl_pool_stop(struct fl_pool *p)
{
	if (!p)
		return;
	if (!p->aborted) {
		__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
		pthread_barrier_wait(&p->start);
	}
	for (int i = 0; i < p->n; i++)
		pthread_join(p->tid[i], NULL);
	pthread_barrier_destroy(&p->start);
	pthread_barrier_destroy(&p->done);
	pthread_cond_destroy(&p->gate);
	pthread_mutex_destroy(&p->gate_lock);
	free(p->tid);
	free(p->acc);
	free(p);
}
