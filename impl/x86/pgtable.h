/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impl/x86/pgtable.h - x86-64 page-table geometry, 4- and 5-level paging,
 * with the values of arch/x86/include/asm/pgtable_64_types.h and
 * page_64_types.h (Linux 5.4 .. 6.x; without KASLR or KMSAN).
 *
 * The kernel's own headers define PGDIR_SHIFT, VMALLOC_START, ... and in the
 * kernel those follow the running machine; the models need both geometries
 * side by side, so every name here carries a KM_ prefix.  Included from
 * impl/platform.h after the backend header: no libc, no kernel header.
 */
#ifndef KM_IMPL_X86_PGTABLE_H
#define KM_IMPL_X86_PGTABLE_H

/* Every level is one 4 KiB page of 512 eight-byte entries. */
#define KM_PTRS_PER_TABLE	512
#define KM_PTRS_PER_PGD		KM_PTRS_PER_TABLE
#define KM_PTRS_PER_PUD		KM_PTRS_PER_TABLE
#define KM_PTRS_PER_PMD		KM_PTRS_PER_TABLE
#define KM_PTRS_PER_PTE		KM_PTRS_PER_TABLE
#define KM_PTRS_PER_P4D_4L	1	/* the p4d level is folded into the pgd */
#define KM_PTRS_PER_P4D_5L	512

#define KM_PAGE_SHIFT		12
#define KM_PMD_SHIFT		21
#define KM_PUD_SHIFT		30
#define KM_P4D_SHIFT		39
#define KM_PGDIR_SHIFT_4L	39
#define KM_PGDIR_SHIFT_5L	48

#define KM_PGDIR_SIZE_4L	(1UL << KM_PGDIR_SHIFT_4L)	/* 512 GiB */
#define KM_PGDIR_SIZE_5L	(1UL << KM_PGDIR_SHIFT_5L)	/* 256 TiB */
#define KM_PGDIR_MASK_4L	(~(KM_PGDIR_SIZE_4L - 1))
#define KM_PGDIR_MASK_5L	(~(KM_PGDIR_SIZE_5L - 1))

/* The direct map: __PAGE_OFFSET_BASE_L4/_L5. */
#define KM_PAGE_OFFSET_4L	0xffff888000000000UL
#define KM_PAGE_OFFSET_5L	0xff11000000000000UL

/* __VMALLOC_BASE_L4/_L5 and VMALLOC_SIZE_TB_L4/_L5. */
#define KM_VMALLOC_START_4L	0xffffc90000000000UL
#define KM_VMALLOC_START_5L	0xffa0000000000000UL
#define KM_VMALLOC_SIZE_TB_4L	32UL
#define KM_VMALLOC_SIZE_TB_5L	12800UL
#define KM_VMALLOC_END_4L	(KM_VMALLOC_START_4L + (KM_VMALLOC_SIZE_TB_4L << 40) - 1)
#define KM_VMALLOC_END_5L	(KM_VMALLOC_START_5L + (KM_VMALLOC_SIZE_TB_5L << 40) - 1)

/*
 * KERNEL_PGD_BOUNDARY is pgd_index(PAGE_OFFSET): 273 in both modes, so
 * pgd_alloc() clones entries 273..511 from the reference page table.
 */
#define KM_KERNEL_PGD_BOUNDARY_4L \
	((KM_PAGE_OFFSET_4L >> KM_PGDIR_SHIFT_4L) & (KM_PTRS_PER_PGD - 1))
#define KM_KERNEL_PGD_BOUNDARY_5L \
	((KM_PAGE_OFFSET_5L >> KM_PGDIR_SHIFT_5L) & (KM_PTRS_PER_PGD - 1))

/* _KERNPG_TABLE: present, writable, accessed, dirty. */
#define KM_KERNPG_TABLE		0x63UL
/* __PAGE_KERNEL's low bits: the above plus global. */
#define KM_PAGE_KERNEL		0x163UL

struct km_pgtable_geometry {
	int levels;			/* 4 or 5; 0: not a valid geometry */
	unsigned int pgdir_shift;
	unsigned long pgdir_size;
	unsigned long pgdir_mask;
	unsigned int ptrs_per_p4d;
	unsigned int kernel_pgd_boundary;
	unsigned long vmalloc_start;
	unsigned long vmalloc_end;	/* inclusive, as VMALLOC_END */
	unsigned long page_offset;
};

/* The geometry of 4- or 5-level paging; .levels == 0 for any other value. */
static inline struct km_pgtable_geometry km_geometry(int levels)
{
	/* In the field order of struct km_pgtable_geometry. */
	static const struct km_pgtable_geometry g[] = {
		{ 4, KM_PGDIR_SHIFT_4L, KM_PGDIR_SIZE_4L, KM_PGDIR_MASK_4L, KM_PTRS_PER_P4D_4L,
		  KM_KERNEL_PGD_BOUNDARY_4L, KM_VMALLOC_START_4L, KM_VMALLOC_END_4L,
		  KM_PAGE_OFFSET_4L },
		{ 5, KM_PGDIR_SHIFT_5L, KM_PGDIR_SIZE_5L, KM_PGDIR_MASK_5L, KM_PTRS_PER_P4D_5L,
		  KM_KERNEL_PGD_BOUNDARY_5L, KM_VMALLOC_START_5L, KM_VMALLOC_END_5L,
		  KM_PAGE_OFFSET_5L },
	};

	if (levels != 4 && levels != 5)
		return (struct km_pgtable_geometry){ .levels = 0 };
	return g[levels - 4];
}

/* pgd_index(): the slot of addr in a PGD page. */
static inline unsigned int km_pgd_index(const struct km_pgtable_geometry *g,
					unsigned long addr)
{
	return (addr >> g->pgdir_shift) & (KM_PTRS_PER_PGD - 1);
}

#endif /* KM_IMPL_X86_PGTABLE_H */
