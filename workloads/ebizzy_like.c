// SPDX-License-Identifier: GPL-2.0
/*
 * ebizzy_like: ebizzy -m (every allocation an mmap) with T threads.  A record
 * maps a fresh chunk-sized region and, with touch=1 (ebizzy -T, what seed 001
 * ran: ebizzy -mTt), writes one byte to each of its pages, a page fault each,
 * then unmaps it.  With touch=0 (ebizzy without -T) it picks one of C source
 * chunks, copies it into the region (a fault per page), binary-searches the
 * copy for a random key and unmaps it.  The faults take mmap_sem for read
 * while the other threads' mmap and munmap take it for write: the contention
 * the speculative fault takes away.  Seed 001 published +100.7% records/s
 * (ebizzy -mTt 16, 16-CPU x86 VM) and +84% (80-CPU Power8).
 *
 * As in ebizzy, a main thread made the chunks and stays (it waits for the
 * workers), so the modelled mm has T + 1 users and even T = 1 speculates;
 * and as ebizzy's, the threads are not pinned: they move where the
 * scheduler puts them.  ebizzy's chunks are 512 KiB (-s takes bytes).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bench/err.h"
#include "spf_jobs.h"

typedef unsigned long record_t;		/* ebizzy's record_t is a size_t */

struct ebizzy {
	struct spf_crew crew;		/* T threads */
	long threads, chunks, records;
	bool touch;
	unsigned long chunk_len;
	unsigned long *chunk;
};

static const struct fl_param params[] = {
	{ "T", "worker threads (ebizzy -t)", 2, 1, 1024 },
	{ "C", "source chunks (ebizzy -n)", 10, 1, 1024 },
	{ "K", "chunk size in KiB (ebizzy -s K*1024)", 512, 4, 65536 },
	{ "R", "records per thread per round", 32, 1, 1000000 },
	{ "touch", "1: only touch the region's pages (ebizzy -T); 0: copy and search",
	  1, 0, 1 },
	{ NULL }
};

enum { RECORDS, FAULTS, SPF_SHARE, PER_VMA_LOCKS };

static const struct fl_metric metrics[] = {
	[RECORDS] = { "records_per_s", "records/s", FL_RATE, 1, true, FL_ALL_BACKENDS },
	[FAULTS] = { "faults_per_s", "faults/s", FL_RATE, 1, true, FL_ALL_BACKENDS },
	/* shim: speculative faults / faults */
	[SPF_SHARE] = { "spf_share", "fraction", FL_PER_ROUND, 1, true, FL_SHIM },
	/* live: the running kernel has per-VMA locks (1) or not (0) */
	[PER_VMA_LOCKS] = { "per_vma_locks", "bool", FL_PER_ROUND, 1, true, FL_LIVE },
	{ NULL }
};

static const struct spf_fault_slots fault_slots = { FAULTS, SPF_SHARE, PER_VMA_LOCKS };

/* ebizzy's memory, sorted record values, so that the search can find the key. */
static int fill_chunk(struct ebizzy *e, unsigned long addr)
{
	unsigned long per_page = SPF_PAGE / sizeof(record_t);

	for (unsigned long off = 0; off < e->chunk_len; off += SPF_PAGE) {
		record_t *p = spf_page(&e->crew.main, addr + off, true);

		if (!p)
			return -EFAULT;
		for (unsigned long i = 0; i < per_page; i++)
			p[i] = off / sizeof(record_t) + i;
	}
	return 0;
}

static int copy_chunk(struct spf_thread *t, unsigned long dst, unsigned long src,
		      unsigned long len)
{
	for (unsigned long off = 0; off < len; off += SPF_PAGE) {
		void *d = spf_page(t, dst + off, true);
		void *s = spf_page(t, src + off, false);

		if (!d || !s)
			return -EFAULT;
		memcpy(d, s, SPF_PAGE);
	}
	return 0;
}

/* bsearch() over the copy, a page lookup per probe. */
static int search(struct spf_thread *t, unsigned long base, unsigned long n,
		  record_t key)
{
	unsigned long lo = 0, hi = n;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		unsigned long addr = base + mid * sizeof(record_t);
		char *page = spf_page(t, addr & ~(SPF_PAGE - 1), false);
		record_t v;

		if (!page)
			return -EFAULT;
		v = *(record_t *)(page + (addr & (SPF_PAGE - 1)));
		if (v == key)
			return 0;
		if (v < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return fl_fail(EIO, "ebizzy_like: key %lu not found in a %lu-record copy: "
		       "the copy is corrupt", key, n);
}

/* ebizzy's touch_mem(): a byte written to each page, a write fault each. */
static int touch(struct spf_thread *t, unsigned long addr, unsigned long len)
{
	for (unsigned long off = 0; off < len; off += SPF_PAGE) {
		unsigned char *p = spf_page(t, addr + off, true);

		if (!p)
			return -EFAULT;
		*p = 0xff;
	}
	return 0;
}

/* search_mem()'s loop body: one record. */
static int record(struct ebizzy *e, struct spf_thread *t)
{
	unsigned long src = e->chunk[spf_rand(t) % e->chunks];
	unsigned long nrec = e->chunk_len / sizeof(record_t);
	unsigned long copy = spf_mmap(t, e->chunk_len, true);
	int err;

	if (!copy)
		return -ENOMEM;
	if (e->touch) {
		err = touch(t, copy, e->chunk_len);
	} else {
		err = copy_chunk(t, copy, src, e->chunk_len);
		if (!err)
			err = search(t, copy, nrec, spf_rand(t) % nrec);
	}
	if (!err)
		err = spf_munmap(t, copy, e->chunk_len);
	else
		spf_munmap(t, copy, e->chunk_len);
	return err;
}

static int work(void *arg, int index, struct fl_round *acc)
{
	struct ebizzy *e = arg;

	for (long r = 0; r < e->records; r++) {
		int err = record(e, &e->crew.th[index]);

		if (err)
			return err;
		acc->metric[RECORDS]++;
	}
	return 0;
}

static void release(void *priv)
{
	struct ebizzy *e = priv;

	spf_crew_stop(&e->crew);
	for (long i = 0; e->chunk && i < e->chunks && e->chunk[i]; i++)
		spf_munmap(&e->crew.main, e->chunk[i], e->chunk_len);
	spf_crew_destroy(&e->crew);
	free(e->chunk);
}

static int setup(struct fl_instance *in)
{
	struct ebizzy *e = in->priv;
	int err;

	e->threads = fl_param(in, "T");
	e->chunks = fl_param(in, "C");
	e->records = fl_param(in, "R");
	e->touch = fl_param(in, "touch");
	e->chunk_len = (unsigned long)fl_param(in, "K") << 10;
	err = spf_crew_create(&e->crew, in, e->threads);
	if (err)
		return err;
	e->chunk = calloc((size_t)e->chunks, sizeof(*e->chunk));
	if (!e->chunk)
		return fl_fail(ENOMEM, "ebizzy_like: out of memory");
	for (long i = 0; i < e->chunks; i++) {
		e->chunk[i] = spf_mmap(&e->crew.main, e->chunk_len, true);
		if (!e->chunk[i])
			return -ENOMEM;
		err = fill_chunk(e, e->chunk[i]);
		if (err)
			return err;
	}
	return spf_crew_start(&e->crew, FL_POOL_UNPINNED, work, e);
}

static int round_fn(struct fl_instance *in, struct fl_round *acc)
{
	struct ebizzy *e = in->priv;

	return spf_crew_round(&e->crew, in->backend, &fault_slots, acc);
}

const struct fl_workload fl_wl_ebizzy_like = {
	.name = "ebizzy_like",
	.help = "ebizzy -m[T]: T threads map regions, touch (or copy and search), unmap",
	.backends = FL_SHIM | FL_LIVE,
	.variants = spf_variants,
	.params = params,
	.metrics = metrics,
	.priv_size = sizeof(struct ebizzy),
	.setup = setup,
	.round = round_fn,
	.teardown = release,
};
