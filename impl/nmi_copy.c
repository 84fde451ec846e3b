// SPDX-License-Identifier: GPL-2.0
/*
 * copy_from_user_nmi(), old and new, and the fault path's order (see
 * nmi_copy.h).  Written from the algorithm of arch/x86/lib/usercopy.c and
 * arch/x86/mm/fault.c as they were around v3.12 and v3.13.
 */
#include "nmi_copy.h"

/*
 * Old: each page pinned, mapped, copied from and released in turn, so that
 * no access can fault.  The pin is the cost the change removed: a page-table
 * walk and two atomic operations on the page's refcount, per page copied.
 */
unsigned long km_copy_from_user_nmi_old(void *to, const void __user *from, unsigned long n,
					struct km_nc_stats *st)
{
	unsigned long addr = (unsigned long)from;
	unsigned long len = 0;

	st->copies++;
	if (!__access_ok(from, n))
		return 0;
	while (len < n) {
		unsigned long offset = addr & ~PAGE_MASK;
		unsigned long size = min(PAGE_SIZE - offset, n - len);
		struct page *page;
		void *map;

		if (get_user_pages_fast_only(addr, 1, 0, &page) != 1)
			break;
		st->pages_pinned++;
		map = kmap_local_page(page);
		memcpy((char *)to + len, (char *)map + offset, size);
		kunmap_local(map);
		put_page(page);
		len += size;
		addr += size;
	}
	return len;
}

/*
 * New: the MMU translates, and a missing page is the fault path's business.
 * Faults are counted by km_nc_do_page_fault(), which the copy enters.
 */
unsigned long km_copy_from_user_nmi_new(void *to, const void __user *from, unsigned long n,
					struct km_nc_stats *st)
{
	unsigned long left;

	st->copies++;
	if (!__access_ok(from, n))
		return n;
	/* the NMI may have come while another mm was loaded (a kthread's lazy TLB) */
	if (!nmi_uaccess_okay())
		return n;
	pagefault_disable();
	left = raw_copy_from_user(to, from, n);
	pagefault_enable();
	return left;
}

/*
 * The interrupted context had interrupts on (the sampler interrupts user
 * mode), so v3.12 turned them back on, inside the NMI, and raised the
 * software page-fault event, which perf's recursion guard then has to catch,
 * before it looked at in_atomic().
 */
void km_nc_do_page_fault(enum km_fault_order order, unsigned long address,
			 struct km_nc_stats *st)
{
	st->faults++;
	if (order == KM_FAULT_ACCOUNT_FIRST) {
		st->irq_enables++;
		st->sw_events++;
	}
	/* the fault came from a copy with page faults disabled: in_atomic() */
	if (pagefault_disabled()) {
		st->atomic_exits++;
		return;
	}
	/* any other fault would be handled here; the models take none */
	WARN_ON_ONCE(1);
}
