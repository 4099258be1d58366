/* Worklists, caseloads and reassignment. */
#include <string.h>

#include "fixtures.h"

static struct th_env env;

/* The kinds over clients, events and services: the suite's fixture has no
 * plans or assessments (test_worklist_plans.c covers those kinds). */
#define CORE_KINDS                                                        \
	(CM_WORK_BIT(CM_WORK_CONTACT_DUE) | CM_WORK_BIT(CM_WORK_CONTACT_OVERDUE) | \
	 CM_WORK_BIT(CM_WORK_SERVICE_NO_RESPONSE) |                          \
	 CM_WORK_BIT(CM_WORK_AUTH_EXPIRING) |                                \
	 CM_WORK_BIT(CM_WORK_DISCHARGE_NO_FOLLOWUP) |                        \
	 CM_WORK_BIT(CM_WORK_MISSED_APPOINTMENT))

static void set_status(struct th_env *e, const char *id, int32_t status)
{
	cm_client *c;
	cm_txn *txn;

	assert_int_equal(cm_client_get(&c, e->store, id), CM_OK);
	assert_int_equal(cm_client_set_status(c, status, "test"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, e->store, "kim"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_client_free(c);
}

/* A service of a client in a status reached by the usual path. */
static void add_service(struct th_env *e, const char *client, int32_t status,
			int32_t deadline, int32_t auth_to)
{
	cm_service *v;
	cm_txn *txn;

	assert_int_equal(cm_service_new(&v, e->store, client, "home health"), CM_OK);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, CM_TASK_REQUESTED,
					       "sent"), CM_OK);
	if (status == CM_TASK_IN_PROGRESS) {
		assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER,
						       CM_TASK_ACCEPTED, "ok"), CM_OK);
		assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER,
						       CM_TASK_IN_PROGRESS, "go"), CM_OK);
	}
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_RESPONSE_DEADLINE, deadline), CM_OK);
	if (auth_to != CM_DATE_NONE) {
		assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_STATUS,
						    CM_AUTH_APPROVED), CM_OK);
		assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_VALID_TO, auth_to), CM_OK);
	}
	assert_int_equal(cm_txn_begin(&txn, e->store, "kim"), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_service_free(v);
}

static void build(struct th_env *e)
{
	char missed[40];
	cm_event *am;
	cm_txn *txn;

	fx_client(e, "a1", "cm-a", 2, TH_D0 - 3);
	fx_client(e, "a2", "cm-a", 1, TH_D0 + 5);
	fx_client(e, "a3", "cm-a", 1, TH_D0 + 30);
	fx_client(e, "a4", "cm-a", 1, TH_D0 + 1);
	set_status(e, "a4", CM_CASE_FINISHED);
	fx_client(e, "b1", "cm-b", 4, TH_D0 + 20);
	fx_client(e, "u1", NULL, 0, TH_D0);
	/* a2: discharged 10 days ago, no contact since. */
	fx_event(e, NULL, "a2", CM_EVENT_DISCHARGE, FX_AT(TH_D0 - 10, 9));
	/* b1: discharged, then contacted: nothing to do. */
	fx_event(e, NULL, "b1", CM_EVENT_DISCHARGE, FX_AT(TH_D0 - 2, 9));
	fx_event(e, NULL, "b1", CM_EVENT_CONTACT, FX_AT(TH_D0 - 1, 9));
	/* a3: a missed appointment yesterday, not traced; and one that was
	 * recorded by mistake and amended. */
	fx_event(e, NULL, "a3", CM_EVENT_APPOINTMENT_MISSED, FX_AT(TH_D0 - 1, 9));
	fx_event(e, missed, "a3", CM_EVENT_APPOINTMENT_MISSED, FX_AT(TH_D0 - 4, 9));
	assert_int_equal(cm_event_new(&am, e->store, "a3", CM_EVENT_APPOINTMENT_KEPT,
				      FX_AT(TH_D0 - 4, 9)), CM_OK);
	assert_int_equal(cm_event_set_amends(am, missed), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, e->store, "kim"), CM_OK);
	assert_int_equal(cm_event_save(txn, am), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_event_free(am);
	/* b1: a referral unanswered past its deadline, and an authorization
	 * running out in 10 days. */
	add_service(e, "b1", CM_TASK_REQUESTED, TH_D0 - 1, CM_DATE_NONE);
	add_service(e, "b1", CM_TASK_IN_PROGRESS, CM_DATE_NONE, TH_D0 + 10);
}

static int setup(void **state)
{
	(void)state;
	th_open(&env);
	build(&env);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	th_close(&env);
	return 0;
}

struct want {
	int32_t kind, prio, due;
	const char *client;
};

static void expect(cm_worklist *wl, const struct want *w, size_t n)
{
	size_t i;

	assert_int_equal(cm_worklist_count(wl), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(cm_worklist_next(wl), CM_OK);
		assert_int_equal(cm_worklist_kind(wl), w[i].kind);
		assert_int_equal(cm_worklist_priority(wl), w[i].prio);
		assert_int_equal(cm_worklist_due(wl), w[i].due);
		assert_string_equal(cm_worklist_client_id(wl), w[i].client);
		assert_non_null(cm_worklist_record_id(wl));
	}
	assert_int_equal(cm_worklist_next(wl), CM_ITEROVER);
}

static void test_manager_worklist(void **state)
{
	static const struct want w[] = {
		{ CM_WORK_DISCHARGE_NO_FOLLOWUP, CM_PRIORITY_ASAP, TH_D0 - 3, "a2" },
		{ CM_WORK_CONTACT_OVERDUE, CM_PRIORITY_URGENT, TH_D0 - 3, "a1" },
		{ CM_WORK_MISSED_APPOINTMENT, CM_PRIORITY_URGENT, TH_D0, "a3" },
		{ CM_WORK_CONTACT_DUE, CM_PRIORITY_ROUTINE, TH_D0 + 5, "a2" },
	};
	cm_worklist *wl;
	(void)state;

	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0, 14, CORE_KINDS, 0, 0),
			 CM_OK);
	assert_int_equal(cm_worklist_kind(wl), 0);
	assert_null(cm_worklist_client_id(wl));
	assert_int_equal(cm_worklist_total(wl), 4);
	expect(wl, w, 4);
	cm_worklist_free(wl);

	/* Paging. */
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0, 14, CORE_KINDS, 1, 2),
			 CM_OK);
	assert_int_equal(cm_worklist_total(wl), 4);
	expect(wl, w + 1, 2);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0, 14, CORE_KINDS, 9, 2),
			 CM_OK);
	expect(wl, w, 0);
	cm_worklist_free(wl);

	/* Only contacts (the caseload benchmark's worklist). */
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0, 14,
					   CM_WORK_BIT(CM_WORK_CONTACT_DUE) |
					   CM_WORK_BIT(CM_WORK_CONTACT_OVERDUE),
					   0, 0), CM_OK);
	assert_int_equal(cm_worklist_next(wl), CM_OK);
	assert_string_equal(cm_worklist_client_id(wl), "a1");
	assert_int_equal(cm_worklist_record_kind(wl), CM_KIND_CLIENT);
	assert_int_equal(cm_worklist_next(wl), CM_OK);
	assert_string_equal(cm_worklist_client_id(wl), "a2");
	assert_int_equal(cm_worklist_next(wl), CM_ITEROVER);
	cm_worklist_free(wl);

	/* A later horizon brings a3's contact in. */
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0, 30,
					   CM_WORK_BIT(CM_WORK_CONTACT_DUE), 0, 0), CM_OK);
	assert_int_equal(cm_worklist_count(wl), 2);
	cm_worklist_free(wl);
}

static void test_services_and_unassigned(void **state)
{
	static const struct want wb[] = {
		{ CM_WORK_SERVICE_NO_RESPONSE, CM_PRIORITY_URGENT, TH_D0 - 1, "b1" },
		{ CM_WORK_AUTH_EXPIRING, CM_PRIORITY_ROUTINE, TH_D0 + 10, "b1" },
	};
	static const struct want wu[] = {
		{ CM_WORK_CONTACT_DUE, CM_PRIORITY_ROUTINE, TH_D0, "u1" },
	};
	cm_worklist *wl;
	(void)state;

	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-b", TH_D0, 14, CORE_KINDS, 0, 0),
			 CM_OK);
	expect(wl, wb, 2);
	cm_worklist_free(wl);
	/* Nine days on, the authorization is out of the 0-day horizon... */
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-b", TH_D0, 0,
					   CM_WORK_BIT(CM_WORK_AUTH_EXPIRING), 0, 0), CM_OK);
	assert_int_equal(cm_worklist_count(wl), 0);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, "", TH_D0, 14, CORE_KINDS, 0, 0), CM_OK);
	expect(wl, wu, 1);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, NULL, TH_D0, 14, CORE_KINDS, 0, 0), CM_OK);
	assert_int_equal(cm_worklist_count(wl), 4 + 2 + 1);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, "nobody", TH_D0, 14, CORE_KINDS, 0, 0),
			 CM_OK);
	assert_int_equal(cm_worklist_count(wl), 0);
	cm_worklist_free(wl);
}

static void test_as_of(void **state)
{
	cm_worklist *wl;
	cm_client *c;
	cm_event *e;
	cm_txn *txn;
	(void)state;

	/* A contact with a2 tomorrow closes the discharge gap from then on. */
	assert_int_equal(cm_client_get(&c, env.store, "a2"), CM_OK);
	assert_int_equal(cm_event_new(&e, env.store, "a2", CM_EVENT_CONTACT,
				      FX_AT(TH_D0 + 1, 10)), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_event_free(e);
	cm_client_free(c);
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0, 0,
					   CM_WORK_BIT(CM_WORK_DISCHARGE_NO_FOLLOWUP),
					   0, 0), CM_OK);
	assert_int_equal(cm_worklist_count(wl), 1);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0 + 1, 0,
					   CM_WORK_BIT(CM_WORK_DISCHARGE_NO_FOLLOWUP),
					   0, 0), CM_OK);
	assert_int_equal(cm_worklist_count(wl), 0);
	cm_worklist_free(wl);
	/* A contact attempt traces a missed appointment. */
	fx_event(&env, NULL, "a3", CM_EVENT_CONTACT_ATTEMPT, FX_AT(TH_D0, 8));
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0, 0,
					   CM_WORK_BIT(CM_WORK_MISSED_APPOINTMENT),
					   0, 0), CM_OK);
	assert_int_equal(cm_worklist_count(wl), 0);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0 - 1, 0,
					   CM_WORK_BIT(CM_WORK_MISSED_APPOINTMENT),
					   0, 0), CM_OK);
	assert_int_equal(cm_worklist_count(wl), 1);
	cm_worklist_free(wl);
}

static void test_worklist_errors(void **state)
{
	cm_worklist *wl = NULL;
	char big[80];
	(void)state;

	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cm_worklist_query(NULL, env.store, NULL, TH_D0, 0, 0, 0, 0), CM_EINVAL);
	assert_int_equal(cm_worklist_query(&wl, NULL, NULL, TH_D0, 0, 0, 0, 0), CM_EINVAL);
	assert_int_equal(cm_worklist_query(&wl, env.store, NULL, CM_DATE_NONE, 0, 0, 0, 0),
			 CM_EDATE);
	assert_int_equal(cm_worklist_query(&wl, env.store, NULL, TH_D0, -1, 0, 0, 0), CM_ERANGE);
	assert_int_equal(cm_worklist_query(&wl, env.store, NULL, TH_D0, 367, 0, 0, 0), CM_ERANGE);
	assert_int_equal(cm_worklist_query(&wl, env.store, NULL, TH_D0, 0, 1u, 0, 0), CM_ERANGE);
	assert_int_equal(cm_worklist_query(&wl, env.store, NULL, TH_D0, 0, 1u << 10, 0, 0),
			 CM_ERANGE);
	assert_int_equal(cm_worklist_query(&wl, env.store, big, TH_D0, 0, 0, 0, 0), CM_ETOOLONG);
	assert_int_equal(cm_worklist_query(&wl, env.store, "\xff", TH_D0, 0, 0, 0, 0), CM_EUTF8);
	assert_null(wl);
	assert_int_equal(cm_worklist_next(NULL), CM_EINVAL);
	assert_int_equal(cm_worklist_count(NULL), 0);
	assert_int_equal(cm_worklist_total(NULL), 0);
	assert_int_equal(cm_worklist_due(NULL), CM_DATE_NONE);
	cm_worklist_free(NULL);
	/* Reserved kinds may be asked for; they produce nothing yet. */
	assert_int_equal(cm_worklist_query(&wl, env.store, NULL, TH_D0, 0,
					   CM_WORK_BIT(CM_WORK_GOAL_PAST_TARGET), 0, 0), CM_OK);
	assert_int_equal(cm_worklist_count(wl), 0);
	cm_worklist_free(wl);
}

/* ---- caseloads --------------------------------------------------------- */

struct row {
	const char *manager;
	int64_t clients, load;
};

static void expect_caseloads(const struct row *r, size_t n)
{
	cm_caseload_iter *it;
	size_t i;

	assert_int_equal(cm_caseload_list(&it, env.store), CM_OK);
	assert_null(cm_caseload_iter_manager(it));
	for (i = 0; i < n; i++) {
		assert_int_equal(cm_caseload_iter_next(it), CM_OK);
		assert_string_equal(cm_caseload_iter_manager(it), r[i].manager);
		assert_int_equal(cm_caseload_iter_clients(it), r[i].clients);
		assert_int_equal(cm_caseload_iter_load(it), r[i].load);
	}
	assert_int_equal(cm_caseload_iter_next(it), CM_ITEROVER);
	cm_caseload_iter_free(it);
}

static void test_caseloads_and_reassign(void **state)
{
	static const struct row before[] = {
		{ "", 1, 1 }, { "cm-a", 3, 4 }, { "cm-b", 1, 4 },
	};
	static const struct row after[] = {
		{ "", 1, 1 }, { "cm-b", 1, 4 }, { "cm-c", 3, 4 },
	};
	cm_worklist *wl;
	cm_txn *txn;
	size_t moved = 99;
	(void)state;

	expect_caseloads(before, 3);
	assert_int_equal(cm_txn_begin(&txn, env.store, "supervisor"), CM_OK);
	assert_int_equal(cm_caseload_reassign(&moved, txn, "cm-a", "cm-c"), CM_OK);
	assert_int_equal(moved, 3);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	expect_caseloads(after, 3);
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-c", TH_D0, 14, CORE_KINDS, 0, 0),
			 CM_OK);
	assert_int_equal(cm_worklist_count(wl), 4);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", TH_D0, 14, CORE_KINDS, 0, 0),
			 CM_OK);
	assert_int_equal(cm_worklist_count(wl), 0);
	cm_worklist_free(wl);
	/* Unassign. */
	assert_int_equal(cm_txn_begin(&txn, env.store, "supervisor"), CM_OK);
	assert_int_equal(cm_caseload_reassign(NULL, txn, "cm-b", ""), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm_worklist_query(&wl, env.store, "", TH_D0, 14, CORE_KINDS, 0, 0), CM_OK);
	assert_int_equal(cm_worklist_count(wl), 3);
	cm_worklist_free(wl);
}

static void test_reassign_refused(void **state)
{
	cm_client *c;
	cm_txn *txn;
	size_t moved = 99;
	uint64_t d = cm__store_digest(env.store);
	(void)state;

	assert_int_equal(cm_caseload_list(NULL, env.store), CM_EINVAL);
	assert_int_equal(cm_caseload_iter_next(NULL), CM_EINVAL);
	cm_caseload_iter_free(NULL);
	assert_int_equal(cm_txn_begin(&txn, env.store, "supervisor"), CM_OK);
	assert_int_equal(cm_caseload_reassign(&moved, NULL, "cm-a", "x"), CM_EINVAL);
	assert_int_equal(cm_caseload_reassign(&moved, txn, NULL, "x"), CM_EINVAL);
	assert_int_equal(cm_caseload_reassign(&moved, txn, "cm-a", NULL), CM_EINVAL);
	assert_int_equal(cm_caseload_reassign(&moved, txn, "cm-a", "cm-a"), CM_EINVAL);
	assert_int_equal(cm_caseload_reassign(&moved, txn, "cm-a", "\xff"), CM_EUTF8);
	/* A client already staged: refused, nothing staged. */
	assert_int_equal(cm_client_get(&c, env.store, "a2"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_PHONE, "555"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_caseload_reassign(&moved, txn, "cm-a", "cm-c"), CM_ESTATE);
	assert_int_equal(moved, 99);
	cm_txn_rollback(txn);
	cm_client_free(c);
	assert_true(d == cm__store_digest(env.store));
	/* Nobody to move: fine, 0. */
	assert_int_equal(cm_txn_begin(&txn, env.store, "supervisor"), CM_OK);
	assert_int_equal(cm_caseload_reassign(&moved, txn, "nobody", "cm-c"), CM_OK);
	assert_int_equal(moved, 0);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
}

/* ---- allocation-failure sweep ------------------------------------------ */

static int sweep_run(struct th_env *e)
{
	cm_worklist *wl = NULL, *all = NULL;
	cm_caseload_iter *it = NULL;
	cm_txn *txn = NULL;
	size_t moved;
	int rc;

	FX_TRY(e, rc, cm_worklist_query(&wl, e->store, "cm-a", TH_D0, 14, CORE_KINDS, 0, 0));
	assert_int_equal(cm_worklist_count(wl), 4);
	FX_TRY(e, rc, cm_worklist_query(&all, e->store, NULL, TH_D0, 14, CORE_KINDS, 0, 0));
	assert_int_equal(cm_worklist_count(all), 7);
	FX_TRY(e, rc, cm_caseload_list(&it, e->store));
	FX_TRY(e, rc, cm_txn_begin(&txn, e->store, "supervisor"));
	FX_TRY(e, rc, cm_caseload_reassign(&moved, txn, "cm-a", "cm-new"));
	rc = cm_txn_commit(txn);
	txn = NULL;
	if (rc) {
		assert_int_equal(rc, CM_ENOMEM);
		goto fail;
	}
	cm_worklist_free(wl);
	wl = NULL;
	FX_TRY(e, rc, cm_worklist_query(&wl, e->store, "cm-new", TH_D0, 14, CORE_KINDS, 0, 0));
	assert_int_equal(cm_worklist_count(wl), 4);
fail:
	cm_caseload_iter_free(it);
	cm_txn_rollback(txn);
	cm_worklist_free(wl);
	cm_worklist_free(all);
	return rc;
}

static void test_alloc_sweep(void **state)
{
	static const struct fx_scenario sc = { build, sweep_run };
	(void)state;
	assert_true(fx_sweep(&sc) > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manager_worklist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_services_and_unassigned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_of, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worklist_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caseloads_and_reassign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassign_refused, setup, teardown),
		cmocka_unit_test(test_alloc_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
