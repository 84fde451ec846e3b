/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace backend of impl/platform.h: the kernel API subset listed
 * there, on pthreads and GCC __atomic builtins.  Atomic builtins rather than
 * volatile accesses so that ThreadSanitizer sees every lock-free access the
 * models make.
 */
#ifndef KM_IMPL_USER_PLATFORM_H
#define KM_IMPL_USER_PLATFORM_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define GFP_KERNEL	0

/* include/linux/align.h, mm.h: a is a power of two */
#define ALIGN(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define PAGE_ALIGN(x)	ALIGN(x, PAGE_SIZE)

/* include/linux/minmax.h, less its type check: each argument evaluated once */
#define min(a, b) ({ __typeof__(a) _min_a = (a); __typeof__(b) _min_b = (b); \
		     _min_a < _min_b ? _min_a : _min_b; })
#define max(a, b) ({ __typeof__(a) _max_a = (a); __typeof__(b) _max_b = (b); \
		     _max_a > _max_b ? _max_a : _max_b; })

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

/* ---- checks -------------------------------------------------------------- */

void km_user_bug(const char *file, int line, const char *cond);
void km_user_warn(const char *file, int line, const char *cond);

#define BUG_ON(c) \
	do { if (unlikely(c)) km_user_bug(__FILE__, __LINE__, #c); } while (0)
#define WARN_ON(c) \
	({ bool __w = !!(c); if (unlikely(__w)) km_user_warn(__FILE__, __LINE__, #c); __w; })
#define WARN_ON_ONCE(c)	WARN_ON(c)

/* ---- atomics ------------------------------------------------------------- */

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define cpu_relax()		__builtin_ia32_pause()
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)

/* Only what impl/ uses: add one from the kernel's atomic_t API when a model needs it. */
typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline int atomic_add_return(int i, atomic_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline void atomic_inc(atomic_t *v) { atomic_add_return(1, v); }
static inline void atomic_dec(atomic_t *v) { atomic_add_return(-1, v); }
static inline int atomic_dec_return(atomic_t *v) { return atomic_add_return(-1, v); }

static inline long atomic_long_read(const atomic_long_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_long_set(atomic_long_t *v, long i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline long atomic_long_add_return(long i, atomic_long_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline void atomic_long_add(long i, atomic_long_t *v) { atomic_long_add_return(i, v); }
static inline void atomic_long_sub(long i, atomic_long_t *v) { atomic_long_add_return(-i, v); }
static inline void atomic_long_inc(atomic_long_t *v) { atomic_long_add_return(1, v); }

/* ---- spinlock: a ticket lock, fair like the kernel's qspinlock ----------- */

typedef struct {
	u32 next;
	u32 owner;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(x)	{ 0, 0 }
#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

static inline void spin_lock_init(spinlock_t *l)
{
	__atomic_store_n(&l->next, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELEASE);
}

/*
 * A kernel spinlock is held with preemption off; a thread here can be
 * preempted holding one, or queued for one, and the waiters behind it would
 * spin away their whole time slice.  So a waiter that has spun for much
 * longer than any modelled critical section gives its CPU up.
 */
#define KM_SPIN_BEFORE_YIELD	4096

/*
 * The thread's preempt_count(): a kernel spinlock is held with preemption
 * off, and code that may have to wait asks preemptible() whether it may
 * sleep or must spin (a device driver's mmu notifier does).
 */
extern __thread int km_preempt_count;

static inline void preempt_disable(void)
{
	km_preempt_count++;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* barrier() */
}

static inline void preempt_enable(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	km_preempt_count--;
}

static inline bool preemptible(void)
{
	return km_preempt_count == 0;
}

static inline void spin_lock(spinlock_t *l)
{
	u32 me;
	unsigned int spins = 0;

	preempt_disable();
	me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me) {
		cpu_relax();
		if (++spins % KM_SPIN_BEFORE_YIELD == 0)
			sched_yield();
	}
}

static inline bool spin_trylock(spinlock_t *l)
{
	/* Acquire: pairs with the release in spin_unlock() of the last holder. */
	u32 owner = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
	u32 next = owner;

	preempt_disable();
	if (__atomic_compare_exchange_n(&l->next, &next, owner + 1, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return true;
	preempt_enable();
	return false;
}

static inline void spin_unlock(spinlock_t *l)
{
	u32 owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);

	__atomic_store_n(&l->owner, owner + 1, __ATOMIC_RELEASE);
	preempt_enable();
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

/* ---- rw_semaphore: writer preference, as the kernel's rwsem -------------- */

struct rw_semaphore {
	pthread_rwlock_t lock;
};

void init_rwsem(struct rw_semaphore *sem);
void km_destroy_rwsem(struct rw_semaphore *sem);

static inline void down_read(struct rw_semaphore *s) { pthread_rwlock_rdlock(&s->lock); }
static inline int down_read_trylock(struct rw_semaphore *s) { return pthread_rwlock_tryrdlock(&s->lock) == 0; }
static inline void up_read(struct rw_semaphore *s) { pthread_rwlock_unlock(&s->lock); }
static inline void down_write(struct rw_semaphore *s) { pthread_rwlock_wrlock(&s->lock); }
static inline int down_write_trylock(struct rw_semaphore *s) { return pthread_rwlock_trywrlock(&s->lock) == 0; }
static inline void up_write(struct rw_semaphore *s) { pthread_rwlock_unlock(&s->lock); }

/* ---- seqcount ------------------------------------------------------------ */

typedef struct { unsigned sequence; } seqcount_t;

static inline void seqcount_init(seqcount_t *s)
{
	__atomic_store_n(&s->sequence, 0, __ATOMIC_RELAXED);
}

static inline unsigned raw_read_seqcount(const seqcount_t *s)
{
	return __atomic_load_n(&s->sequence, __ATOMIC_ACQUIRE);
}

static inline unsigned read_seqcount_begin(const seqcount_t *s)
{
	unsigned seq;

	while ((seq = raw_read_seqcount(s)) & 1)
		cpu_relax();
	return seq;
}

static inline int read_seqcount_retry(const seqcount_t *s, unsigned start)
{
	smp_rmb();
	return __atomic_load_n(&s->sequence, __ATOMIC_RELAXED) != start;
}

static inline void write_seqcount_begin(seqcount_t *s)
{
	__atomic_add_fetch(&s->sequence, 1, __ATOMIC_RELAXED);
	smp_wmb();
}

static inline void write_seqcount_end(seqcount_t *s)
{
	smp_wmb();
	__atomic_add_fetch(&s->sequence, 1, __ATOMIC_RELEASE);
}

/* ---- SRCU-like deferred free (impl/user/srcu.c) -------------------------- */

#define KM_SRCU_SLOTS	64

struct srcu_struct {
	/* readers per epoch half, spread over slots to keep the counters cold */
	struct { long cnt[2]; char pad[48]; } slot[KM_SRCU_SLOTS];
	unsigned idx;
	pthread_mutex_t gp_lock;
};

int init_srcu_struct(struct srcu_struct *sp);
void cleanup_srcu_struct(struct srcu_struct *sp);
int srcu_read_lock(struct srcu_struct *sp);
void srcu_read_unlock(struct srcu_struct *sp, int idx);
void synchronize_srcu(struct srcu_struct *sp);

/* ---- lists --------------------------------------------------------------- */

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
#define LIST_HEAD(name)		struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void list_add(struct list_head *n, struct list_head *h)
{
	__list_add(n, h, h->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	__list_add(n, h->prev, h);
}

static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = NULL;
	e->prev = NULL;
}

static inline void list_del_init(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	INIT_LIST_HEAD(e);
}

static inline int list_empty(const struct list_head *h)
{
	return h->next == h;
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) \
	list_entry((ptr)->next, type, member)
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_first_entry(head, __typeof__(*pos), member),	\
	     n = list_next_entry(pos, member);				\
	     &pos->member != (head);					\
	     pos = n, n = list_next_entry(n, member))

/* ---- memory -------------------------------------------------------------- */

static inline void *kmalloc(size_t size, int gfp)
{
	(void)gfp;
	return malloc(size);
}

static inline void *kzalloc(size_t size, int gfp)
{
	(void)gfp;
	return calloc(1, size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

unsigned long get_zeroed_page(int gfp);
void free_page(unsigned long addr);

/* ---- user memory: the shim's current->mm --------------------------------- */

/*
 * The shim's user address space is the process's own memory seen through a
 * four-level page table of the shim's, so that GUP walks a table and a copy
 * goes through the real MMU, and the two agree: km_user_map_page() enters a
 * real, readable page at its own address; km_user_hole() makes a page
 * PROT_NONE and leaves it out of the table, so that a walk finds nothing
 * exactly where a copy takes a real fault.
 */
#define __user

struct page {
	atomic_t _refcount;	/* the table's reference is one */
	void *virtual;		/* kmap: the page's own address */
};

int km_user_map_page(unsigned long addr, struct page *page);
int km_user_hole(unsigned long addr);
/* Empties the table (the pages stay the caller's). */
void km_user_unmap_all(void);

int get_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags,
			     struct page **pages);
void put_page(struct page *page);

static inline void *kmap_local_page(struct page *page)
{
	return page->virtual;
}

static inline void kunmap_local(const void *addr)
{
}

#define TASK_SIZE_MAX	((1UL << 47) - PAGE_SIZE)

static inline bool __access_ok(const void __user *ptr, unsigned long size)
{
	unsigned long a = (unsigned long)ptr;

	return size <= TASK_SIZE_MAX && a <= TASK_SIZE_MAX - size;
}

/* One address space in the shim: the loaded mm is always current's. */
static inline bool nmi_uaccess_okay(void)
{
	return true;
}

/* The thread's pagefault_disable() depth, as current->pagefault_disabled. */
extern __thread int km_pagefault_disabled;

static inline void pagefault_disable(void)
{
	km_pagefault_disabled++;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* barrier() */
}

static inline void pagefault_enable(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	km_pagefault_disabled--;
}

static inline bool pagefault_disabled(void)
{
	return km_pagefault_disabled != 0;
}

/*
 * A copy through the MMU that may fault, as copy_user_generic's rep movsb:
 * the bytes not copied.  A fault on the copy instruction goes to the shim's
 * exception entry (a SIGSEGV handler), which calls the fault hook, the
 * model's do_page_fault, then takes the exception-table fixup: it resumes
 * after the instruction, with the count the CPU left in %rcx.  The entry
 * is installed by the first km_user_map_page(), km_user_hole() or hook.
 */
unsigned long raw_copy_from_user(void *to, const void __user *from, unsigned long n);

/*
 * The shim's do_page_fault for faults on raw_copy_from_user(): what it
 * models of the fault path before the fixup.  One per thread; NULL: none.
 * Setting it also puts the exception entry (back) in place.
 */
typedef void (*km_user_fault_hook_t)(unsigned long address, void *arg);
void km_user_set_fault_hook(km_user_fault_hook_t hook, void *arg);

/* ---- cpu, time, irqs ----------------------------------------------------- */

unsigned int num_online_cpus(void);
int raw_smp_processor_id(void);

static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline u64 get_cycles(void)
{
	return __builtin_ia32_rdtsc();
}

void ndelay(unsigned long ns);
void udelay(unsigned long us);
void usleep_range(unsigned long min_us, unsigned long max_us);

#define local_irq_save(flags)		do { (flags) = 0; } while (0)
#define local_irq_restore(flags)	do { (void)(flags); } while (0)

#endif /* KM_IMPL_USER_PLATFORM_H */
