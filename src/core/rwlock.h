/*
 * Internal: the store's reader-writer lock (rwlock.c).
 *
 * pthread_rwlock_t keeps its readers in one counter, so every read lock and
 * unlock writes one cache line: look-ups from two threads ran slower than
 * from one (the line moved between the cores on every call). Here readers
 * count themselves in one of CM__RW_SLOTS counters, each on its own cache
 * line, chosen per thread (threads take slots in turn), so readers on
 * different cores do not share a line. A writer serialises with other
 * writers on a mutex, announces itself (`writing`), then waits for every
 * slot to drain (a few yields, then asleep on a condition variable that
 * the reader emptying the slot signals); a reader that finds a writer
 * announced steps back and waits on the writers' mutex. Writers therefore
 * go first; readers never wait on each other.
 *
 * Rules, as with pthread_rwlock_t: a thread must not take the lock again
 * while it holds it (read or write); a read lock is released with
 * cm__rw_rdunlock, a write lock with cm__rw_wrunlock, by the thread that
 * took it. Debug builds check the first rule. Unlike glibc's default
 * pthread_rwlock_t, a nested read lock deadlocks when a writer is waiting:
 * nothing the library calls back under the lock (the host's allocator)
 * may call into the same store.
 *
 * Ordering: a reader's increment and a writer's announcement are both
 * sequentially consistent, and each then reads the other's side, so at
 * least one of them sees the other (the reader steps back, or the writer
 * waits for it). Unlocks are release operations, and the loads that
 * observe them acquire, so what a writer did before unlocking is visible
 * to the next reader and the reads of a reader happen before the next
 * writer's changes.
 */
#ifndef CM_RWLOCK_H
#define CM_RWLOCK_H

#include <pthread.h>
#include <stdatomic.h>

#define CM__RW_SLOTS 16

struct cm__rwslot {
	atomic_uint readers;
	char pad[64 - sizeof(atomic_uint)]; /* one cache line per slot */
};

struct cm__rwlock {
	/* Keeps slot 0's counter off the line of whatever precedes the lock
	 * (the store's read-mostly fields). Each later line holds at most
	 * one counter, whatever the lock's alignment. */
	char lead[64];
	struct cm__rwslot slot[CM__RW_SLOTS];
	atomic_int writing;     /* a writer holds, or is taking, the lock */
	/* Keeps `writing`, which every reader loads, off the line of what
	 * writers change (the mutexes below, the store's fields after). */
	char pad[64 - sizeof(atomic_int)];
	pthread_mutex_t writers; /* held by the writer */
	/* A writer waiting for a slot to drain sleeps on drain_cv; the
	 * reader that empties a slot while a writer waits wakes it. */
	pthread_mutex_t drain_mu;
	pthread_cond_t drain_cv;
};

/* 0 or an errno value (as pthread_mutex_init). */
int cm__rw_init(struct cm__rwlock *l);
void cm__rw_destroy(struct cm__rwlock *l);

void cm__rw_rdlock(struct cm__rwlock *l);
void cm__rw_rdunlock(struct cm__rwlock *l);
void cm__rw_wrlock(struct cm__rwlock *l);
void cm__rw_wrunlock(struct cm__rwlock *l);

#endif
