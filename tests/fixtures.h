/*
 * Fixtures shared by the service, event, worklist and measures suites:
 * building clients, and the allocation-failure sweep.
 */
#ifndef CM_TEST_FIXTURES_H
#define CM_TEST_FIXTURES_H

#include "harness.h"
#include "store/store_impl.h"

/* Commit an active client (tier, case manager or NULL, next follow-up or
 * CM_DATE_NONE) with the given id; asserts success. */
void fx_client(struct th_env *env, const char *id, const char *manager,
	       int32_t tier, int32_t next_followup);

/* Commit an event of a client at time t; returns its id in buf (>= 40). */
void fx_event(struct th_env *env, char *buf, const char *client_id,
	      int32_t type, int64_t t);

/* A fresh directory under $TMPDIR (or /tmp) into buf (>= 64); asserts. */
void fx_tmpdir(char *buf, size_t size);
/* Remove a directory and the files directly in it; asserts. */
void fx_rmdir(const char *dir);

/* Midnight UTC of day d, plus h hours. */
#define FX_AT(d, h) ((int64_t)(d) * 86400 + (int64_t)(h) * 3600)

/* Run a fallible call inside a sweep scenario: on failure it must be
 * CM_ENOMEM and must not have changed the committed state; then jump to
 * the scenario's `fail` label with rc set. */
#define FX_TRY(env, rc, call)                                               \
	do {                                                                \
		uint64_t fx_d_ = cm__store_digest((env)->store);            \
		(rc) = (call);                                              \
		if ((rc) != CM_OK) {                                        \
			assert_int_equal((rc), CM_ENOMEM);                  \
			assert_true(fx_d_ == cm__store_digest((env)->store)); \
			goto fail;                                          \
		}                                                           \
	} while (0)

/* A sweep scenario: setup (runs with no failures) then run (returns CM_OK
 * or the CM_ENOMEM of the failed step, having cleaned up). */
struct fx_scenario {
	void (*setup)(struct th_env *env);
	int (*run)(struct th_env *env);
};

/* For N = 1.. until run succeeds, once with fail_at = N and once with
 * fail_after as well: open a store, set up, fail the Nth allocation of
 * run, close and check for leaks. Returns the number of runs. */
long fx_sweep(const struct fx_scenario *sc);

#endif
