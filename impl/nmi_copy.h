/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impl/nmi_copy.h - copy_from_user_nmi() before and after "perf/x86: Further
 * optimize copy_from_user_nmi()" (seed 000, e00b12e64be9, v3.13), and the
 * first steps of the page-fault path that the change reordered.
 *
 * Old (v3.5..v3.12): a page at a time, gup_fast the page, kmap it, memcpy at
 * most the rest of the page, kunmap, put_page; a page GUP cannot find ends
 * the copy.  Returns the bytes copied.
 * New: pagefault_disable(), a plain user copy through the MMU, and
 * pagefault_enable(); a missing page is a real fault, which the fault path
 * abandons at once, and the exception fixup ends the copy.  Returns the bytes
 * NOT copied (the convention flipped in 0a196848ca36, just before).
 *
 * Both are written against impl/platform.h: in the shim, GUP walks the
 * shim's page table and the copy faults for real (impl/user/uaccess.c); in
 * the module they are the kernel's get_user_pages_fast_only(),
 * kmap_local_page(), put_page() and raw_copy_from_user().
 */
#ifndef KM_IMPL_NMI_COPY_H
#define KM_IMPL_NMI_COPY_H

#include "platform.h"

/* What the copies and the fault path did: the mechanism's counts. */
struct km_nc_stats {
	unsigned long copies;
	unsigned long pages_pinned;	/* GUP references taken (old only) */
	unsigned long faults;		/* faults the copies took (new only) */
	unsigned long atomic_exits;	/* faults abandoned for the fixup */
	/* the v3.12 fault path's work done inside the NMI, before its exit */
	unsigned long irq_enables;	/* local_irq_enable() */
	unsigned long sw_events;	/* perf_sw_event(PAGE_FAULTS): perf recursing */
};

/* v3.5..v3.12: the bytes copied. */
unsigned long km_copy_from_user_nmi_old(void *to, const void __user *from, unsigned long n,
					struct km_nc_stats *st);
/* v3.13 on: the bytes not copied. */
unsigned long km_copy_from_user_nmi_new(void *to, const void __user *from, unsigned long n,
					struct km_nc_stats *st);

enum km_fault_order {
	/* v3.12: irqs back on, perf_sw_event(), and only then the atomic exit */
	KM_FAULT_ACCOUNT_FIRST,
	/* v3.13: the in_atomic() || !mm exit before any of that */
	KM_FAULT_EXIT_FIRST,
};

/*
 * __do_page_fault()'s first steps for a fault on a user address, up to the
 * exit a fault with page faults disabled takes (bad_area_nosemaphore(), then
 * the exception fixup).  The shim's exception entry calls it; in the module
 * the kernel's own fault path runs instead.
 */
void km_nc_do_page_fault(enum km_fault_order order, unsigned long address,
			 struct km_nc_stats *st);

#endif /* KM_IMPL_NMI_COPY_H */
