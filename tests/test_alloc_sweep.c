/*
 * Allocation-failure sweep: run each scenario failing its 1st, 2nd, ...
 * allocation (once, and from then on) until it completes. Every call either
 * succeeds or returns CM_ENOMEM with the committed state unchanged, and
 * closing the store afterwards leaves no allocation behind.
 */
#include <string.h>

#include "casemgr/assessment.h"
#include "casemgr/plan.h"
#include "casemgr/service.h"
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
	cm_assessment *a;
	cm_plan *p;
	cm_service *v;
};

static void objs_free(struct objs *o)
{
	int i;
	cm_txn_rollback(o->t);
	for (i = 0; i < 3; i++)
		cm_client_free(o->c[i]);
	cm_client_iter_free(o->it);
	cm_audit_iter_free(o->ai);
	cm_assessment_free(o->a);
	cm_plan_free(o->p);
	cm_service_free(o->v);
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

/* The records of a loader (tests/bench/cw1.c's load): a client, its
 * assessment, its plan with goals, two services, saved and freed one by
 * one in one transaction. big: texts and lists beyond what a new record's
 * room holds, so that its parts spill to the allocator, and texts set
 * twice. */
static char provider_id[65];

static int load(struct th_env *env, struct objs *o, int setup, int big)
{
	static const char *const items[8] = { "d1", "d2", "d3", "d4",
					      "d5", "d6", "d7", "d8" };
	char longtext[201], id[40];
	const char *gid;
	cm_txn *t;
	int k;

	memset(longtext, 'x', 200);
	longtext[200] = '\0';
	if (setup) {
		cm_instrument *def = NULL;
		cm_provider *pv = NULL;
		assert_int_equal(cm_instrument_new(&def, env->store, "sweep-needs",
						   "needs"), CM_OK);
		for (k = 0; k < 8; k++)
			assert_int_equal(cm_instrument_add_item(def, items[k], 0, 4, 1),
					 CM_OK);
		assert_int_equal(cm_instrument_add_band(def, 0, "low", 1), CM_OK);
		assert_int_equal(cm_store_register_instrument(env->store, def), CM_OK);
		cm_instrument_free(def);
		assert_int_equal(cm_provider_new(&pv, env->store, "Home care",
						 CM_PROVIDER_OTHER), CM_OK);
		strcpy(provider_id, cm_provider_id(pv));
		TH_COMMIT1(env->store, "setup", cm_provider_save, pv);
		cm_provider_free(pv);
		return 0;
	}
	STEP(env, cm_txn_begin(&o->t, env->store, "loader"));
	STEP(env, cm_client_new(&o->c[0], env->store));
	STEP(env, cm_client_set_id(o->c[0], "0c2e3d5a-1b2c-4d5e-8f90-000000000001"));
	strcpy(id, cm_client_id(o->c[0]));
	STEP(env, cm_client_set_identifier(o->c[0], "MRN", "MRN000000001"));
	STEP(env, cm_client_set_text(o->c[0], CM_CLIENT_FAMILY, big ? longtext : "Sweep"));
	STEP(env, cm_client_set_text(o->c[0], CM_CLIENT_GIVEN, big ? longtext : "Ana"));
	STEP(env, cm_client_set_text(o->c[0], CM_CLIENT_CASE_MANAGER, "cm-000001"));
	STEP(env, cm_client_set_int(o->c[0], CM_CLIENT_RISK_TIER, 2));
	STEP(env, cm_client_set_status(o->c[0], CM_CASE_ACTIVE, "intake"));
	if (big) {
		STEP(env, cm_client_set_text(o->c[0], CM_CLIENT_FAMILY, "Sweep"));
		STEP(env, cm_client_set_identifier(o->c[0], longtext, "M1"));
		STEP(env, cm_client_set_identifier(o->c[0], "MRN", "MRN000000002"));
		STEP(env, cm_client_add_coverage(o->c[0], longtext, "M1", "HMO"));
		STEP(env, cm_client_set_status(o->c[0], CM_CASE_FINISHED, longtext));
	}
	STEP(env, cm_client_save(o->t, o->c[0]));
	cm_client_free(o->c[0]);
	o->c[0] = NULL;

	STEP(env, cm_assessment_new(&o->a, env->store, id, "sweep-needs"));
	for (k = 0; k < 8; k++)
		STEP(env, cm_assessment_set_answer(o->a, items[k], k % 5));
	STEP(env, cm_assessment_set_text(o->a, CM_ASSESSMENT_ASSESSOR, "cm-000001"));
	if (big) {
		STEP(env, cm_assessment_set_text(o->a, CM_ASSESSMENT_NOTE, longtext));
		STEP(env, cm_assessment_clear_answer(o->a, "d3"));
		STEP(env, cm_assessment_set_answer(o->a, "d3", 4));
	}
	STEP(env, cm_assessment_save(o->t, o->a));
	cm_assessment_free(o->a);
	o->a = NULL;

	STEP(env, cm_plan_new(&o->p, env->store, id));
	STEP(env, cm_plan_set_text(o->p, CM_PLAN_AUTHOR, "cm-000001"));
	for (k = 0; k < (big ? 6 : 3); k++) {
		STEP(env, cm_plan_add_goal(&gid, o->p, big ? longtext : "visit weekly"));
		STEP(env, cm_plan_element_set_int(o->p, gid, CM_ELEMENT_TARGET_DATE,
						  TH_D0 + 30));
		STEP(env, cm_plan_element_set_status(o->p, gid, CM_GOAL_ACTIVE, "start"));
		if (big)
			STEP(env, cm_plan_goal_add_note(o->p, gid, longtext));
	}
	STEP(env, cm_plan_save(o->t, o->p));
	cm_plan_free(o->p);
	o->p = NULL;

	for (k = 0; k < 2; k++) {
		STEP(env, cm_service_new(&o->v, env->store, id, big ? longtext : "referral"));
		STEP(env, cm_service_set_text(o->v, CM_SERVICE_PROVIDER, provider_id));
		STEP(env, cm_service_set_int(o->v, CM_SERVICE_TOTAL_COST, 12345));
		STEP(env, cm_service_set_status(o->v, CM_SIDE_REQUESTER,
						CM_TASK_REQUESTED, "sent"));
		if (big)
			STEP(env, cm_service_add_share(o->v, CM_PARTY_PAYER, longtext,
						       12345));
		STEP(env, cm_service_save(o->t, o->v));
		cm_service_free(o->v);
		o->v = NULL;
	}
	t = o->t;
	o->t = NULL; /* commit always ends the txn */
	STEP(env, cm_txn_commit(t));
	return 0;
out:
	return 1;
}

static int scenario_load(struct th_env *env, struct objs *o, int setup)
{
	return load(env, o, setup, 0);
}

static int scenario_load_big(struct th_env *env, struct objs *o, int setup)
{
	return load(env, o, setup, 1);
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

static void test_sweep_load_once(void **state)
{
	(void)state;
	sweep(scenario_load, 0);
	sweep(scenario_load_big, 0);
}

static void test_sweep_load_persistent(void **state)
{
	(void)state;
	sweep(scenario_load, 1);
	sweep(scenario_load_big, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_create_once),
		cmocka_unit_test(test_sweep_create_persistent),
		cmocka_unit_test(test_sweep_update_once),
		cmocka_unit_test(test_sweep_update_persistent),
		cmocka_unit_test(test_sweep_load_once),
		cmocka_unit_test(test_sweep_load_persistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
