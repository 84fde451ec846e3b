/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod/platform_kernel.h - the kernel backend of impl/platform.h.
 *
 * Inside the module every name of the platform subset is the kernel's own:
 * real spinlocks, rwsems, seqcounts, SRCU, atomics, lists, the page
 * allocator, get_cycles().  This header only pulls in the kernel headers
 * that declare them and maps the few names the userspace backend adds.
 */
#ifndef FL_KMOD_PLATFORM_KERNEL_H
#define FL_KMOD_PLATFORM_KERNEL_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/irqflags.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/timex.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <asm/barrier.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

/*
 * The models' seqcount write sections are those of the SPF series'
 * vm_write_begin(), which used the raw form: readers never spin on an odd
 * count (they fall back), sections nest (two VMAs in a merge), and a dead
 * VMA's section never ends, so the writer goes on to sleep inside it.  The
 * plain kernel form wants preemption off and has lockdep track a section
 * as a held lock; none of that fits.  The raw form is the same count and
 * barriers, as the userspace backend's.
 */
#undef write_seqcount_begin
#undef write_seqcount_end
#define write_seqcount_begin(s)	raw_write_seqcount_begin(s)
#define write_seqcount_end(s)	raw_write_seqcount_end(s)

/*
 * The kernel's nmi_uaccess_okay() is not exported to modules.  In the module
 * variant new is the kernel's own copy_from_user_nmi(), which makes the
 * check; impl/nmi_copy.c's copy of it is built but not called there, and
 * this stand-in (is the mm loaded the one current owns?) keeps it linkable.
 */
#undef nmi_uaccess_okay
#define nmi_uaccess_okay()	(current->active_mm == current->mm)

/* A kernel rwsem needs no teardown; the pthreads one does. */
static inline void km_destroy_rwsem(struct rw_semaphore *sem)
{
}

#endif /* FL_KMOD_PLATFORM_KERNEL_H */
