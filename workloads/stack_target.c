// SPDX-License-Identifier: GPL-2.0
/* The thread nmi_stack_sampling samples (see stack_target.h). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/err.h"
#include "stack_target.h"

#define FRAME_WORDS	60		/* a frame's canaries: 480 bytes */
#define CANARY		0x6e6d6963616e6172UL
#define ALTSTACK_BYTES	(4 * SIGSTKSZ)

static unsigned long canary(long depth, int i)
{
	return CANARY ^ ((unsigned long)depth << 32) ^ (unsigned long)i;
}

/*
 * A frame of canaries, then the rest of the chain, then the canaries
 * checked: a sampler that wrote to the stack it copies would show here.
 */
static __attribute__((noinline)) void chain(struct stack_target *t, long depth)
{
	volatile unsigned long frame[FRAME_WORDS];
	unsigned long broken = 0;

	for (int i = 0; i < FRAME_WORDS; i++)
		frame[i] = canary(depth, i);
	if (depth > 1)
		chain(t, depth - 1);
	else
		for (volatile int spin = 0; spin < 2000; spin++)
			;
	for (int i = 0; i < FRAME_WORDS; i++)
		broken += frame[i] != canary(depth, i);
	if (broken)
		__atomic_add_fetch(&t->canary_breaks, 1, __ATOMIC_RELAXED);
}

/* Where it starts, it stays: the module's timer is pinned to its CPU. */
static void pin_to_current_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *walk(void *arg)
{
	struct stack_target *t = arg;
	stack_t ss = { .ss_sp = t->altstack, .ss_size = ALTSTACK_BYTES };

	sigaltstack(&ss, NULL);
	t->tid = gettid();
	pin_to_current_cpu();
	if (t->on_start)
		t->on_start(t, t->arg);
	sem_post(&t->ready);
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		chain(t, t->depth);
		__atomic_store_n(&t->progress, t->progress + 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Present pages, in the shim's table too; with hole, the page above the stack is not. */
static int map_stack(struct stack_target *t, bool hole)
{
	unsigned long len = STACK_TARGET_STACK + STACK_TARGET_ABOVE;
	unsigned long hole_at;

	t->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->map == MAP_FAILED) {
		t->map = NULL;
		return fl_fail(ENOMEM, "stack target: no memory for its stack");
	}
	memset(t->map, 0, len);
	t->pages = calloc(len / PAGE_SIZE, sizeof(*t->pages));
	if (!t->pages)
		return fl_fail(ENOMEM, "stack target: out of memory");
	hole_at = hole ? (unsigned long)t->map + STACK_TARGET_STACK : 0;
	for (unsigned long i = 0; i < len / PAGE_SIZE; i++) {
		unsigned long addr = (unsigned long)t->map + i * PAGE_SIZE;
		int err = addr == hole_at ? km_user_hole(addr) : km_user_map_page(addr, &t->pages[i]);

		if (err)
			return fl_fail(err, "stack target: cannot map its stack");
	}
	return 0;
}

int stack_target_start(struct stack_target *t, long depth, bool hole,
		       void (*on_start)(struct stack_target *t, void *arg), void *arg)
{
	pthread_attr_t attr;
	int err;

	t->depth = depth;
	t->on_start = on_start;
	t->arg = arg;
	sem_init(&t->ready, 0, 0);
	t->altstack = malloc(ALTSTACK_BYTES);
	if (!t->altstack)
		return fl_fail(ENOMEM, "stack target: out of memory");
	err = map_stack(t, hole);
	if (err)
		return err;
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, t->map, STACK_TARGET_STACK);
	err = pthread_create(&t->thread, &attr, walk, t);
	pthread_attr_destroy(&attr);
	if (err)
		return fl_fail(-err, "stack target: cannot start its thread: %s", strerror(err));
	t->started = true;
	while (sem_wait(&t->ready) && errno == EINTR)
		;
	return 0;
}

void stack_target_stop(struct stack_target *t)
{
	if (!t->altstack)
		return;		/* never started: nothing of it to undo */
	if (t->started) {
		__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
		pthread_join(t->thread, NULL);
		t->started = false;
	}
	km_user_unmap_all();
	if (t->map)
		munmap(t->map, STACK_TARGET_STACK + STACK_TARGET_ABOVE);
	t->map = NULL;
	free(t->pages);
	t->pages = NULL;
	free(t->altstack);
	t->altstack = NULL;
	sem_destroy(&t->ready);
}
