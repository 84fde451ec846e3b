/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/topology.h - the machine's topology and the pinning of workers, by
 * hwloc.
 */
#ifndef FL_TOPOLOGY_H
#define FL_TOPOLOGY_H

#include <stddef.h>

int fl_topo_init(void);
void fl_topo_fini(void);
/*
 * Narrow the run to the PUs of list ("1", "0-1,3": OS numbers, as taskset
 * -c takes them), which must be PUs it may run on: the whole process is
 * bound there, and workers are pinned inside.  After fl_topo_init().
 */
int fl_topo_restrict(const char *list);
/* Processing units the process may run on. */
int fl_topo_npus(void);
/* "1 package, 2 cores, 2 PUs, L3 32MiB" written into buf. */
void fl_topo_describe(char *buf, size_t len);
/*
 * Pin the calling thread to the index-th allowed PU, wrapping round; workers
 * count from 0 and the harness's own thread keeps the last PU.
 */
int fl_topo_pin_self(int index);
/* Undo: the calling thread may run anywhere it was allowed to. */
int fl_topo_unpin_self(void);

#endif
