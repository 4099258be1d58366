/*
 * The store's reader-writer lock: readers count themselves in per-thread
 * slots on separate cache lines (see rwlock.h).
 */
#include <assert.h>
#include <sched.h>
#include <string.h>

#include "core/rwlock.h"

/* The calling thread's slot + 1 (0: not chosen yet); threads take slots
 * in turn, so that up to CM__RW_SLOTS threads have a line each. */
static _Thread_local unsigned my_slot;
static atomic_uint next_slot;

#ifndef NDEBUG
/* The locks this thread holds (debug builds check the no-nesting rule; a
 * host callback may use another store while a lock is held). */
#define HELD_MAX 8
static _Thread_local const struct cm__rwlock *held[HELD_MAX];

static void held_add(const struct cm__rwlock *l)
{
	unsigned i, fre = HELD_MAX;

	for (i = 0; i < HELD_MAX; i++) {
		assert(held[i] != l && "a store's lock taken twice by one thread");
		if (!held[i] && fre == HELD_MAX)
			fre = i;
	}
	if (fre < HELD_MAX)
		held[fre] = l;
}

static void held_drop(const struct cm__rwlock *l)
{
	unsigned i;

	for (i = 0; i < HELD_MAX; i++)
		if (held[i] == l)
			held[i] = NULL;
}
#define HELD_ADD(l) held_add(l)
#define HELD_DROP(l) held_drop(l)
#else
#define HELD_ADD(l) ((void)0)
#define HELD_DROP(l) ((void)0)
#endif

static unsigned slot_of_thread(void)
{
	if (!my_slot)
		my_slot = atomic_fetch_add_explicit(&next_slot, 1,
						    memory_order_relaxed) %
				  CM__RW_SLOTS + 1;
	return my_slot - 1;
}

int cm__rw_init(struct cm__rwlock *l)
{
	unsigned i;

	memset(l->slot, 0, sizeof(l->slot));
	for (i = 0; i < CM__RW_SLOTS; i++)
		atomic_init(&l->slot[i].readers, 0);
	atomic_init(&l->writing, 0);
	return pthread_mutex_init(&l->writers, NULL);
}

void cm__rw_destroy(struct cm__rwlock *l)
{
	pthread_mutex_destroy(&l->writers);
}

void cm__rw_rdlock(struct cm__rwlock *l)
{
	atomic_uint *n = &l->slot[slot_of_thread()].readers;

	HELD_ADD(l);
	for (;;) {
		atomic_fetch_add_explicit(n, 1, memory_order_seq_cst);
		if (!atomic_load_explicit(&l->writing, memory_order_seq_cst))
			return;
		/* A writer is in or coming: step back, wait for it. */
		atomic_fetch_sub_explicit(n, 1, memory_order_release);
		pthread_mutex_lock(&l->writers);
		pthread_mutex_unlock(&l->writers);
	}
}

void cm__rw_rdunlock(struct cm__rwlock *l)
{
	HELD_DROP(l);
	atomic_fetch_sub_explicit(&l->slot[slot_of_thread()].readers, 1,
				  memory_order_release);
}

void cm__rw_wrlock(struct cm__rwlock *l)
{
	unsigned i;

	HELD_ADD(l);
	pthread_mutex_lock(&l->writers);
	atomic_store_explicit(&l->writing, 1, memory_order_seq_cst);
	/* Readers hold the lock for the length of one call: wait. */
	for (i = 0; i < CM__RW_SLOTS; i++)
		while (atomic_load_explicit(&l->slot[i].readers,
					    memory_order_seq_cst))
			sched_yield();
}

void cm__rw_wrunlock(struct cm__rwlock *l)
{
	HELD_DROP(l);
	atomic_store_explicit(&l->writing, 0, memory_order_release);
	pthread_mutex_unlock(&l->writers);
}
