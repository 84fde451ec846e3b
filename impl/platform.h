/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impl/platform.h - the only seam between the models in impl/ and the world
 * they run in.
 *
 * The models are written against a small subset of the Linux kernel API, so
 * that the same impl/<model>.c compiles unchanged
 *
 *   - into the kernel module (kmod/): this header then includes the real
 *     kernel headers and every name below is the kernel's own;
 *   - into the userspace shim: impl/user/ provides the same names on top of
 *     pthreads and GCC atomics (the way tools/include does in the kernel tree).
 *
 * The subset, and nothing else, may be used by impl/<model>.c:
 *
 *   types      u8..u64, s64, bool, pgdval as unsigned long
 *   locking    spinlock_t, spin_lock_init/spin_lock/spin_unlock/spin_trylock,
 *              DEFINE_SPINLOCK, struct rw_semaphore, init_rwsem, down_read,
 *              down_read_trylock, up_read, down_write, up_write,
 *              seqcount_t, seqcount_init, read_seqcount_begin,
 *              read_seqcount_retry, raw_read_seqcount, write_seqcount_begin,
 *              write_seqcount_end
 *   deferred   struct srcu_struct, init_srcu_struct, cleanup_srcu_struct,
 *   free       srcu_read_lock, srcu_read_unlock, synchronize_srcu
 *   atomics    atomic_t: _read/_set/_inc/_dec/_add_return/_dec_return;
 *              atomic_long_t: _read/_set/_inc/_add/_sub/_add_return;
 *              READ_ONCE, WRITE_ONCE, smp_load_acquire, smp_store_release,
 *              smp_mb, smp_rmb, smp_wmb, cpu_relax
 *   lists      struct list_head, LIST_HEAD, INIT_LIST_HEAD, list_add,
 *              list_add_tail, list_del, list_del_init, list_empty,
 *              list_for_each_entry, list_for_each_entry_safe, list_first_entry,
 *              container_of
 *   memory     kmalloc, kzalloc, kfree (GFP_KERNEL), get_zeroed_page,
 *              free_page, memcpy, PAGE_SIZE, PAGE_SHIFT, PAGE_MASK, PAGE_ALIGN,
 *              ALIGN
 *   helpers    min, max
 *   cpu        num_online_cpus, raw_smp_processor_id, fls, preemptible
 *              (false while a spinlock is held: a waiter may not sleep)
 *   time       get_cycles, ndelay, udelay, usleep_range
 *   irqs       local_irq_save, local_irq_restore (no-ops in userspace: a
 *              thread there cannot be interrupted by the modelled IRQ)
 *   checks     WARN_ON, WARN_ON_ONCE, BUG_ON
 *
 * Models name their own functions km_<the kernel function they model>
 * (km_sync_global_pgds, ...: "kernel model") so that they never collide with
 * the kernel's, and their API km_vs_, km_spf_, km_rb_.  The harness (bench/,
 * workloads/, kmod/'s control side) names its own fl_: a name says which
 * world it belongs to.  Kernel helpers the models need (min, PAGE_ALIGN) are
 * added to this subset, once, not written again in a model.
 */
#ifndef KM_IMPL_PLATFORM_H
#define KM_IMPL_PLATFORM_H

#ifdef __KERNEL__
#include "../kmod/platform_kernel.h"
#else
#include "user/platform_user.h"
#endif

#include "x86/pgtable.h"

#endif /* KM_IMPL_PLATFORM_H */
