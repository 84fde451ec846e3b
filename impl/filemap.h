/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impl/filemap.h - a file's page cache, as the fault of a file-backed mapping
 * sees it: pages by offset, found without a lock or added under the
 * mapping's (find_get_page() and add_to_page_cache_lru() in filemap_fault()).
 * Reduced to what shmem gives a fault: every page exists, zeroed, from the
 * first time it is asked for, and stays until the file goes.
 */
#ifndef KM_IMPL_FILEMAP_H
#define KM_IMPL_FILEMAP_H

#include "platform.h"

struct km_file;

/* A file of pages pages; NULL: no memory. */
struct km_file *km_file_create(unsigned long pages);
/* A reference for each mapping; the last put frees the file and its pages. */
struct km_file *km_file_get(struct km_file *f);
void km_file_put(struct km_file *f);
unsigned long km_file_pages(const struct km_file *f);

/* The page at pgoff, added zeroed on first use; 0: beyond the end, or no memory. */
unsigned long km_filemap_get_page(struct km_file *f, unsigned long pgoff);

#endif /* KM_IMPL_FILEMAP_H */
