/*
 * Allocation-failure sweep: run each scenario failing its 1st, 2nd, ...
 * allocation (once, and from then on) until it completes. Every call either
 * succeeds or returns CM_ENOMEM with the committed state unchanged, and
 * closing the store afterwards leaves no allocation behind.
 */
#include <string.h>

#include "harness.h"

/* Run one call: OK, or CM_ENOMEM leaving the digest unchanged (then the
 * scenario stops: return 1). Any other result fails the test. */
#define STEP(env, call)                                                        \
	do {                                                                   \
		uint64_t d0_ = cm__store_digest((env)->store);                 \
		int rc_ = (call);                                              \
		if (rc_ == CM_ENOMEM) {                                        \
			assert_int_equal(cm__store_digest((env)->store), d0_); \
			goto out;                                              \
		}                                                              \
		assert_int_equal(rc_, CM_OK);                                  \
	} while (0)

struct objs {
	cm_client *c[3];
	cm_txn *t;
	cm_client_iter *it;
	cm_audit_iter *ai;
};

static void objs_free(struct objs *o)
{
	int i;
	cm_txn_rollback(o->t);
	for (i = 0; i < 3; i++)
		cm_client_free(o->c[i]);
	cm_client_iter_free(o->it);
	cm_audit_iter_free(o->ai);
	memset(o, 0, sizeof(*o));
}

/* Create a fully populated client. */
static int scenario_create(struct th_env *env, struct objs *o, int setup)
{
	cm_txn *t;
	if (setup)
		return 0; /* starts from an empty store */
	STEP(env, cm_client_new(&o->c[0], env->store));
	STEP(env, cm_client_set_text(o->c[0], CM_CLIENT_FAMILY, "Sweep"));
	STEP(env, cm_client_set_text(o->c[0], CM_CLIENT_GIVEN, "Ana"));
	STEP(env, cm_client_set_int(o->c[0], CM_CLIENT_RISK_TIER, 3));
	STEP(env, cm_client_set_identifier(o->c[0], "MRN", "MRN1"));
	STEP(env, cm_client_set_identifier(o->c[0], "member", "M1"));
	STEP(env, cm_client_add_coverage(o->c[0], "Medicaid", "M1", "HMO"));
	STEP(env, cm_client_add_care_team_member(o->c[0], "PCP", "Dr. A", "555"));
	STEP(env, cm_client_set_status(o->c[0], CM_CASE_ACTIVE, "enrolled"));
	STEP(env, cm_txn_begin(&o->t, env->store, "sweeper"));
	STEP(env, cm_client_save(o->t, o->c[0]));
	t = o->t;
	o->t = NULL; /* commit always ends the txn */
	STEP(env, cm_txn_commit(t));
	return 0;
out:
	return 1;
}

/* Starting from two committed clients: move an identifier from one to the
 * other, change status and lists, in one transaction; then read. */
static int scenario_update(struct th_env *env, struct objs *o, int setup)
{
	cm_txn *t;
	if (setup) {
		cm_txn *st;
		const char *mrn[2] = { "A", "B" };
		int i;
		for (i = 0; i < 2; i++) {
			assert_int_equal(cm_client_new(&o->c[i], env->store), CM_OK);
			assert_int_equal(cm_client_set_text(o->c[i], CM_CLIENT_FAMILY, mrn[i]), CM_OK);
			assert_int_equal(cm_client_set_identifier(o->c[i], "MRN", mrn[i]), CM_OK);
			assert_int_equal(cm_client_add_coverage(o->c[i], "P", NULL, NULL), CM_OK);
			assert_int_equal(cm_txn_begin(&st, env->store, "setup"), CM_OK);
			assert_int_equal(cm_client_save(st, o->c[i]), CM_OK);
			assert_int_equal(cm_txn_commit(st), CM_OK);
		}
		return 0;
	}
	STEP(env, cm_client_get(&o->c[2], env->store, cm_client_id(o->c[0])));
	STEP(env, cm_client_set_identifier(o->c[2], "MRN", NULL));
	STEP(env, cm_client_set_identifier(o->c[1], "MRN", "A"));
	STEP(env, cm_client_remove_coverage(o->c[1], 0));
	STEP(env, cm_client_set_status(o->c[1], CM_CASE_WAITLIST, "no slot"));
	STEP(env, cm_client_set_text(o->c[2], CM_CLIENT_PROGRAM, "transitions"));
	STEP(env, cm_txn_begin(&o->t, env->store, "sweeper"));
	STEP(env, cm_client_save(o->t, o->c[2])); /* gives "A" up first */
	STEP(env, cm_client_save(o->t, o->c[1]));
	t = o->t;
	o->t = NULL;
	STEP(env, cm_txn_commit(t));
	cm_client_free(o->c[0]);
	o->c[0] = NULL;
	STEP(env, cm_client_find(&o->c[0], env->store, "MRN", "A"));
	assert_string_equal(cm_client_id(o->c[0]), cm_client_id(o->c[1]));
	STEP(env, cm_client_list(&o->it, env->store, 0, NULL, "a"));
	cm_client_free(o->c[2]);
	o->c[2] = NULL;
	STEP(env, cm_client_iter_next(&o->c[2], o->it));
	STEP(env, cm_audit_query(&o->ai, env->store, NULL, "sweeper",
				 CM_TIME_NONE, CM_TIME_NONE));
	assert_int_equal(cm_audit_iter_next(o->ai), CM_OK);
	return 0;
out:
	return 1;
}

typedef int (*scenario_fn)(struct th_env *, struct objs *, int);

static void sweep(scenario_fn fn, int fail_after)
{
	long n;
	int done = 0;

	for (n = 1; !done; n++) {
		struct th_env env;
		struct objs o;
		int stopped;

		memset(&o, 0, sizeof(o));
		th_open(&env);
		fn(&env, &o, 1);
		env.alloc.fail_at = env.alloc.count + n;
		env.alloc.fail_after = fail_after;
		stopped = fn(&env, &o, 0);
		if (!stopped && env.alloc.failures == 0)
			done = 1;
		/* A run that saw failures but did not stop means the library
		 * recovered internally; that is allowed only if the outcome
		 * is right, which the scenario's assertions checked. */
		env.alloc.fail_at = 0;
		objs_free(&o);
		th_close(&env);
		assert_true(n < 100000);
	}
	print_message("  swept %ld allocation points\n", n - 1);
}

static void test_sweep_create_once(void **state)
{
	(void)state;
	sweep(scenario_create, 0);
}

static void test_sweep_create_persistent(void **state)
{
	(void)state;
	sweep(scenario_create, 1);
}

static void test_sweep_update_once(void **state)
{
	(void)state;
	sweep(scenario_update, 0);
}

static void test_sweep_update_persistent(void **state)
{
	(void)state;
	sweep(scenario_update, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_create_once),
		cmocka_unit_test(test_sweep_create_persistent),
		cmocka_unit_test(test_sweep_update_once),
		cmocka_unit_test(test_sweep_update_persistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
