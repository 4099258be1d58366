/*
 * Test harness shared by the suites: a counting allocator that can fail the
 * Nth allocation (once, or from then on), a settable clock, and helpers to
 * open a store on them.
 */
#ifndef CM_TEST_HARNESS_H
#define CM_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "casemgr.h"

/* Internal, reached through the static library: a digest of the whole
 * committed state, to prove that a failed call changed nothing. */
uint64_t cm__store_digest(cm_store *s);

struct th_alloc {
	long live;        /* allocations not yet freed */
	long count;       /* allocations attempted so far */
	long fail_at;     /* fail the allocation with this number (1-based); 0 = never */
	int fail_after;   /* 1: also fail every allocation after fail_at */
	long failures;    /* how many allocations were refused */
	size_t largest;   /* the largest size asked for (malloc or realloc) */
};

struct th_clock {
	int64_t now;
	int fail;
};

struct th_env {
	struct th_alloc alloc;
	struct th_clock clock;
	cm_store *store;
};

/* Open env->store on the counting allocator and the settable clock
 * (starting at 2026-11-23T09:00:00Z). Asserts success. */
void th_open(struct th_env *env);
/* As th_open, on the file journal at path (CM_SYNC_NORMAL): a reopen reads
 * back what earlier stores committed there. */
void th_open_journal(struct th_env *env, const char *path);
/* Close env->store and assert that no allocation is left. */
void th_close(struct th_env *env);
/* Fill opts with the harness allocator and clock. */
void th_options(cm_store_options *opts, struct th_env *env);

/*
 * Allocation-failure sweep. For N = 1, 2, ... until the scenario succeeds:
 * open(env) (th_open plus any fixture), make the Nth allocation after that
 * fail (once, or every one from then on when fail_after is 1), run the
 * scenario, and assert that it failed with CM_ENOMEM and left the store's
 * digest as the scenario recorded it in *before just ahead of the failing
 * step; then close(env), which must assert that nothing leaked.
 * Returns the number of runs.
 */
typedef int (*th_scenario_fn)(struct th_env *env, uint64_t *before);
long th_alloc_sweep(struct th_env *env, void (*open)(struct th_env *),
		    void (*close)(struct th_env *), th_scenario_fn scenario,
		    int fail_after);

/* 2026-11-23T09:00:00Z and its date. */
/* Stage one record with its kind's save function (cm_client_save, ...)
 * in a transaction of its own by `actor`, and commit it, asserting each
 * step succeeds. */
#define TH_COMMIT1(store, actor, save, h)                                   \
	do {                                                                \
		cm_txn *th_txn_;                                            \
		assert_int_equal(cm_txn_begin(&th_txn_, (store), (actor)), CM_OK); \
		assert_int_equal(save(th_txn_, (h)), CM_OK);                \
		assert_int_equal(cm_txn_commit(th_txn_), CM_OK);            \
	} while (0)

#define TH_T0 INT64_C(1795424400)
#define TH_D0 20780

#endif
