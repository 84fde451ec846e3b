// SPDX-License-Identifier: GPL-2.0
/* A file's page cache, reduced to what a fault needs (see filemap.h). */
#include "filemap.h"

struct km_file {
	atomic_t refcount;
	unsigned long npages;
	spinlock_t lock;		/* the mapping's i_pages lock: additions */
	unsigned long *pages;		/* by pgoff; 0: not in the cache yet */
};

struct km_file *km_file_create(unsigned long pages)
{
	struct km_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->pages = kzalloc(pages * sizeof(*f->pages), GFP_KERNEL);
	if (!f->pages) {
		kfree(f);
		return NULL;
	}
	atomic_set(&f->refcount, 1);
	f->npages = pages;
	spin_lock_init(&f->lock);
	return f;
}

struct km_file *km_file_get(struct km_file *f)
{
	if (f)
		atomic_inc(&f->refcount);
	return f;
}

void km_file_put(struct km_file *f)
{
	if (!f || atomic_dec_return(&f->refcount))
		return;
	for (unsigned long i = 0; i < f->npages; i++)
		if (f->pages[i])
			free_page(f->pages[i]);
	kfree(f->pages);
	kfree(f);
}

unsigned long km_file_pages(const struct km_file *f)
{
	return f->npages;
}

/*
 * find_get_page() without a lock (the page cache is RCU-walked), and on a
 * miss a new page added under the lock, unless another fault added one
 * first: that one is used and ours freed, as add_to_page_cache_lru()'s
 * -EEXIST makes filemap_fault() retry the lookup.
 */
unsigned long km_filemap_get_page(struct km_file *f, unsigned long pgoff)
{
	unsigned long page, new;

	if (pgoff >= f->npages)
		return 0;
	page = smp_load_acquire(&f->pages[pgoff]);
	if (page)
		return page;
	new = get_zeroed_page(GFP_KERNEL);
	if (!new)
		return 0;
	spin_lock(&f->lock);
	page = f->pages[pgoff];
	if (!page) {
		smp_store_release(&f->pages[pgoff], new);
		page = new;
		new = 0;
	}
	spin_unlock(&f->lock);
	if (new)
		free_page(new);
	return page;
}
