/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/vmalloc_sync_modes.h - the vmalloc-sync model's four runs, each a
 * variant and a paging mode: the prestates of its unit and TSan tests
 * (variant_test.h).
 */
#ifndef FL_TESTS_VMALLOC_SYNC_MODES_H
#define FL_TESTS_VMALLOC_SYNC_MODES_H

#include "impl/vmalloc_sync.h"

struct mode {
	enum km_vs_variant variant;
	int levels;
};

static struct mode old4 = { KM_VS_OLD, 4 };
static struct mode new4 = { KM_VS_NEW, 4 };
static struct mode old5 = { KM_VS_OLD, 5 };
static struct mode new5 = { KM_VS_NEW, 5 };

#endif
