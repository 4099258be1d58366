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
	int rc;

	memset(l->slot, 0, sizeof(l->slot));
	for (i = 0; i < CM__RW_SLOTS; i++)
		atomic_init(&l->slot[i].readers, 0);
	atomic_init(&l->writing, 0);
	if ((rc = pthread_mutex_init(&l->writers, NULL)) != 0)
		return rc;
	if ((rc = pthread_mutex_init(&l->drain_mu, NULL)) != 0) {
		pthread_mutex_destroy(&l->writers);
		return rc;
	}
	if ((rc = pthread_cond_init(&l->drain_cv, NULL)) != 0) {
		pthread_mutex_destroy(&l->drain_mu);
		pthread_mutex_destroy(&l->writers);
		return rc;
	}
	return 0;
}

void cm__rw_destroy(struct cm__rwlock *l)
{
	pthread_mutex_destroy(&l->writers);
	pthread_mutex_destroy(&l->drain_mu);
	pthread_cond_destroy(&l->drain_cv);
}

/* A reader leaving slot n: the last one out wakes a waiting writer. */
static void leave(struct cm__rwlock *l, atomic_uint *n)
{
	if (atomic_fetch_sub_explicit(n, 1, memory_order_seq_cst) == 1 &&
	    atomic_load_explicit(&l->writing, memory_order_seq_cst)) {
		pthread_mutex_lock(&l->drain_mu);
		pthread_cond_broadcast(&l->drain_cv);
		pthread_mutex_unlock(&l->drain_mu);
	}
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
		leave(l, n);
		pthread_mutex_lock(&l->writers);
		pthread_mutex_unlock(&l->writers);
	}
}

void cm__rw_rdunlock(struct cm__rwlock *l)
{
	HELD_DROP(l);
	leave(l, &l->slot[slot_of_thread()].readers);
}

/* Wait until slot n has no reader: a few yields, then asleep until the
 * slot's last reader leaves (it checks `writing` after its decrement, and
 * signals under drain_mu, so the wake-up cannot fall between our check
 * and our wait). */
static void drain(struct cm__rwlock *l, atomic_uint *n)
{
	int spins = 0;

	while (atomic_load_explicit(n, memory_order_seq_cst) && spins++ < 64)
		sched_yield();
	pthread_mutex_lock(&l->drain_mu);
	while (atomic_load_explicit(n, memory_order_seq_cst))
		pthread_cond_wait(&l->drain_cv, &l->drain_mu);
	pthread_mutex_unlock(&l->drain_mu);
}

void cm__rw_wrlock(struct cm__rwlock *l)
{
	unsigned i;

	HELD_ADD(l);
	pthread_mutex_lock(&l->writers);
	atomic_store_explicit(&l->writing, 1, memory_order_seq_cst);
	/* Readers hold the lock for the length of one call. A slot seen
	 * empty once stays so: a reader arriving later sees `writing`. */
	for (i = 0; i < CM__RW_SLOTS; i++)
		if (atomic_load_explicit(&l->slot[i].readers, memory_order_seq_cst))
			drain(l, &l->slot[i].readers);
}

void cm__rw_wrunlock(struct cm__rwlock *l)
{
	HELD_DROP(l);
	atomic_store_explicit(&l->writing, 0, memory_order_release);
	pthread_mutex_unlock(&l->writers);
}
