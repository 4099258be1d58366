/* Providers, services: referral lifecycle by side, authorization, funding. */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"

static struct th_env env;

static int setup(void **state)
{
	(void)state;
	th_open(&env);
	fx_client(&env, "c1", "cm-a", 2, CM_DATE_NONE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	th_close(&env);
	return 0;
}

/* ---- providers --------------------------------------------------------- */

static void test_provider(void **state)
{
	cm_provider *p, *g;
	int32_t st;
	int64_t v;
	(void)state;

	assert_int_equal(cm_provider_new(&p, env.store, "Sunrise Infusion",
					 CM_PROVIDER_HOME_INFUSION_PHARMACY), CM_OK);
	assert_int_equal(cm_provider_set_text(p, CM_PROVIDER_CONTACT, "+1 555 0100"), CM_OK);
	assert_int_equal(cm_provider_set_int(p, CM_PROVIDER_INTAKE, CM_INTAKE_WAITLISTED),
			 CM_OK);
	assert_int_equal(cm_provider_set_network(p, "Acme Health", CM_NETWORK_IN), CM_OK);
	assert_int_equal(cm_provider_set_network(p, "Blue Plan", CM_NETWORK_OUT), CM_OK);
	assert_int_equal(cm_provider_set_network(p, "Blue Plan", CM_NETWORK_IN), CM_OK);
	assert_int_equal(cm_provider_set_network(p, "Acme Health", 0), CM_OK);
	TH_COMMIT1(env.store, "kim", cm_provider_save, p);
	assert_int_equal(cm_provider_revision(p), 1);
	assert_int_equal(cm_provider_get(&g, env.store, cm_provider_id(p)), CM_OK);
	assert_string_equal(cm_provider_text(g, CM_PROVIDER_NAME), "Sunrise Infusion");
	assert_int_equal(cm_provider_get_int(&v, g, CM_PROVIDER_KIND), CM_OK);
	assert_int_equal(v, CM_PROVIDER_HOME_INFUSION_PHARMACY);
	assert_int_equal(cm_provider_get_int(&v, g, CM_PROVIDER_INTAKE), CM_OK);
	assert_int_equal(v, CM_INTAKE_WAITLISTED);
	assert_int_equal(cm_provider_network(&st, g, "Blue Plan"), CM_OK);
	assert_int_equal(st, CM_NETWORK_IN);
	assert_int_equal(cm_provider_network(&st, g, "Acme Health"), CM_ENOTFOUND);
	cm_provider_free(g);
	cm_provider_free(p);
}

static void test_provider_refused(void **state)
{
	cm_provider *p = NULL;
	cm_txn *txn;
	int32_t st = 7;
	int64_t v;
	uint64_t d = cm__store_digest(env.store);
	char big[300];
	(void)state;

	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cm_provider_new(&p, env.store, NULL, 1), CM_EINVAL);
	assert_int_equal(cm_provider_new(&p, env.store, "", 1), CM_EINVAL);
	assert_int_equal(cm_provider_new(&p, env.store, big, 1), CM_ETOOLONG);
	assert_int_equal(cm_provider_new(&p, env.store, "X", 0), CM_ERANGE);
	assert_int_equal(cm_provider_new(&p, env.store, "X", 15), CM_ERANGE);
	assert_int_equal(cm_provider_new(&p, NULL, "X", 1), CM_EINVAL);
	assert_null(p);
	assert_int_equal(cm_provider_new(&p, env.store, "X", CM_PROVIDER_HOUSING), CM_OK);
	assert_int_equal(cm_provider_set_int(p, CM_PROVIDER_INTAKE, 4), CM_ERANGE);
	assert_int_equal(cm_provider_set_int(p, CM_PROVIDER_KIND, 0), CM_ERANGE);
	assert_int_equal(cm_provider_set_int(p, 9, 1), CM_ERANGE);
	assert_int_equal(cm_provider_set_text(p, 9, "x"), CM_ERANGE);
	assert_int_equal(cm_provider_get_int(NULL, p, 1), CM_EINVAL);
	assert_int_equal(cm_provider_get_int(&v, p, 9), CM_ERANGE);
	assert_int_equal(cm_provider_set_network(p, NULL, 1), CM_EINVAL);
	assert_int_equal(cm_provider_set_network(p, "", 1), CM_EINVAL);
	assert_int_equal(cm_provider_set_network(p, big, 1), CM_ETOOLONG);
	assert_int_equal(cm_provider_set_network(p, "Acme", 3), CM_ERANGE);
	assert_int_equal(cm_provider_set_network(p, "Acme", 0), CM_ENOTFOUND);
	assert_int_equal(cm_provider_network(&st, p, NULL), CM_EINVAL);
	assert_int_equal(cm_provider_network(NULL, p, "Acme"), CM_EINVAL);
	assert_int_equal(st, 7);
	/* The name is required at save. */
	assert_int_equal(cm_provider_set_text(p, CM_PROVIDER_NAME, NULL), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_provider_save(txn, p), CM_EINCOMPLETE);
	assert_int_equal(cm_provider_save(txn, NULL), CM_EINVAL);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(d == cm__store_digest(env.store));
	cm_provider_free(p);
	assert_null(cm_provider_id(NULL));
	assert_int_equal(cm_provider_set_text(NULL, 1, "x"), CM_EINVAL);
	assert_int_equal(cm_provider_set_int(NULL, 1, 1), CM_EINVAL);
	assert_int_equal(cm_provider_get(&p, env.store, "none"), CM_ENOTFOUND);
}

static void test_provider_network_limit(void **state)
{
	cm_provider *p;
	char payer[16];
	int i;
	(void)state;

	assert_int_equal(cm_provider_new(&p, env.store, "Big", CM_PROVIDER_OTHER), CM_OK);
	for (i = 0; i < 64; i++) {
		snprintf(payer, sizeof(payer), "payer-%d", i);
		assert_int_equal(cm_provider_set_network(p, payer, CM_NETWORK_IN), CM_OK);
	}
	assert_int_equal(cm_provider_set_network(p, "one more", CM_NETWORK_IN), CM_ERANGE);
	assert_int_equal(cm_provider_set_network(p, "payer-3", CM_NETWORK_OUT), CM_OK);
	cm_provider_free(p);
}

/* ---- referral lifecycle ------------------------------------------------ */

static void test_lifecycle(void **state)
{
	cm_service *v, *g;
	cm_service_iter *it;
	int32_t from, to;
	const char *actor, *reason;
	int64_t t;
	(void)state;

	assert_int_equal(cm_service_new(&v, env.store, "c1", "home infusion"), CM_OK);
	assert_int_equal(cm_service_status(v), CM_TASK_DRAFT);
	assert_int_equal(cm_service_set_text(v, CM_SERVICE_PLAN, "plan-1"), CM_OK);
	assert_int_equal(cm_service_set_text(v, CM_SERVICE_PLAN_ELEMENT, "i2"), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_PRIORITY, CM_PRIORITY_URGENT), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_REQUESTED_DATE, TH_D0), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_RESPONSE_DEADLINE, TH_D0 + 2), CM_OK);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, CM_TASK_REQUESTED,
					       "referral sent"), CM_OK);
	TH_COMMIT1(env.store, "kim", cm_service_save, v);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER, CM_TASK_RECEIVED,
					       "fax received"), CM_OK);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER, CM_TASK_ACCEPTED,
					       "we can start Monday"), CM_OK);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER, CM_TASK_IN_PROGRESS,
					       "first visit"), CM_OK);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER, CM_TASK_COMPLETED,
					       "course done"), CM_OK);
	TH_COMMIT1(env.store, "kim", cm_service_save, v);
	assert_int_equal(cm_service_get(&g, env.store, cm_service_id(v)), CM_OK);
	assert_int_equal(cm_service_status(g), CM_TASK_COMPLETED);
	assert_string_equal(cm_task_status_code(cm_service_status(g)), "completed");
	assert_string_equal(cm_service_client_id(g), "c1");
	assert_int_equal(cm_service_revision(g), 2);
	assert_int_equal(cm_service_status_history_count(g), 5);
	assert_int_equal(cm_service_status_history_at(&from, &to, &t, &actor, &reason,
						      g, 1), CM_OK);
	assert_int_equal(from, CM_TASK_REQUESTED);
	assert_int_equal(to, CM_TASK_RECEIVED);
	assert_string_equal(actor, "kim");
	assert_string_equal(reason, "fax received");
	assert_int_equal(cm_service_status_history_at(NULL, NULL, NULL, NULL, NULL, g, 5),
			 CM_ERANGE);
	cm_service_free(g);

	assert_int_equal(cm_service_list(&it, env.store, "c1"), CM_OK);
	assert_int_equal(cm_service_iter_count(it), 1);
	assert_int_equal(cm_service_iter_next(&g, it), CM_OK);
	assert_string_equal(cm_service_id(g), cm_service_id(v));
	cm_service_free(g);
	assert_int_equal(cm_service_iter_next(&g, it), CM_ITEROVER);
	cm_service_iter_free(it);
	assert_int_equal(cm_service_list(&it, env.store, "nobody"), CM_ENOTFOUND);
	assert_int_equal(cm_service_list(NULL, env.store, "c1"), CM_EINVAL);
	assert_int_equal(cm_service_iter_next(NULL, NULL), CM_EINVAL);
	cm_service_iter_free(NULL);
	cm_service_free(v);
}

static void test_sides_and_transitions(void **state)
{
	cm_service *v;
	uint64_t d;
	(void)state;

	assert_int_equal(cm_service_new(&v, env.store, "c1", "transport"), CM_OK);
	d = cm__store_digest(env.store);
	/* The provider cannot send or cancel; the requester cannot accept. */
	assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER, CM_TASK_REQUESTED, "x"),
			 CM_ETRANSITION);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER, CM_TASK_CANCELLED, "x"),
			 CM_ETRANSITION);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, CM_TASK_ACCEPTED, "x"),
			 CM_ETRANSITION);
	/* Not allowed from draft. */
	assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER, CM_TASK_ACCEPTED, "x"),
			 CM_ETRANSITION);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, CM_TASK_DRAFT, "x"),
			 CM_ETRANSITION);
	assert_int_equal(cm_service_set_status(v, 0, CM_TASK_REQUESTED, "x"), CM_EINVAL);
	assert_int_equal(cm_service_set_status(v, 3, CM_TASK_REQUESTED, "x"), CM_EINVAL);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, 0, "x"), CM_ERANGE);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, 13, "x"), CM_ERANGE);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, CM_TASK_REQUESTED, ""),
			 CM_EINVAL);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, CM_TASK_REQUESTED, NULL),
			 CM_EINVAL);
	assert_int_equal(cm_service_set_status(NULL, CM_SIDE_REQUESTER, CM_TASK_REQUESTED, "x"),
			 CM_EINVAL);
	assert_int_equal(cm_service_status(v), CM_TASK_DRAFT);
	assert_int_equal(cm_service_status_history_count(v), 0);
	/* Requested -> rejected by the provider; then nothing but
	 * entered-in-error. */
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, CM_TASK_REQUESTED, "x"),
			 CM_OK);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER, CM_TASK_REJECTED,
					       "no capacity"), CM_OK);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER, CM_TASK_ACCEPTED, "x"),
			 CM_ETRANSITION);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER, CM_TASK_CANCELLED, "x"),
			 CM_ETRANSITION);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER,
					       CM_TASK_ENTERED_IN_ERROR, "wrong client"), CM_OK);
	assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER,
					       CM_TASK_ENTERED_IN_ERROR, "again"), CM_ETRANSITION);
	assert_int_equal(cm_service_status_history_count(v), 3);
	assert_true(d == cm__store_digest(env.store));
	assert_int_equal(cm_task_status_side(CM_TASK_ON_HOLD), CM_SIDE_PROVIDER);
	assert_int_equal(cm_task_status_side(CM_TASK_CANCELLED), CM_SIDE_REQUESTER);
	assert_int_equal(cm_task_status_side(99), 0);
	assert_null(cm_task_status_code(0));
	cm_service_free(v);
}

static void test_service_refused(void **state)
{
	cm_service *v = NULL;
	cm_txn *txn;
	int64_t x;
	uint64_t d = cm__store_digest(env.store);
	(void)state;

	assert_int_equal(cm_service_new(&v, env.store, NULL, "x"), CM_EINVAL);
	assert_int_equal(cm_service_new(&v, env.store, "c1", ""), CM_EINVAL);
	assert_int_equal(cm_service_new(&v, env.store, "c1", NULL), CM_EINVAL);
	assert_int_equal(cm_service_new(&v, env.store, "c1", "\xed\xa0\x80"), CM_EUTF8);
	assert_int_equal(cm_service_new(NULL, env.store, "c1", "x"), CM_EINVAL);
	assert_null(v);
	assert_int_equal(cm_service_new(&v, env.store, "nobody", "x"), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_PRIORITY, 5), CM_ERANGE);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_REQUESTED_DATE, CM_DATE_MAX + 1),
			 CM_EDATE);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_STATUS, 7), CM_ERANGE);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_UNITS_USED, -1), CM_ERANGE);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_TOTAL_COST, -1), CM_ERANGE);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_TOTAL_COST, CM_MONEY_MAX + 1),
			 CM_ERANGE);
	assert_int_equal(cm_service_set_int(v, 99, 1), CM_ERANGE);
	assert_int_equal(cm_service_get_int(&x, v, 99), CM_ERANGE);
	assert_int_equal(cm_service_get_int(NULL, v, 1), CM_EINVAL);
	assert_int_equal(cm_service_set_text(v, 99, "x"), CM_ERANGE);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	/* Unknown client, then unknown provider. */
	assert_int_equal(cm_service_save(txn, v), CM_ENOTFOUND);
	cm_service_free(v);
	assert_int_equal(cm_service_new(&v, env.store, "c1", "x"), CM_OK);
	assert_int_equal(cm_service_set_text(v, CM_SERVICE_PROVIDER, "no-such"), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_ENOTFOUND);
	assert_int_equal(cm_service_set_text(v, CM_SERVICE_PROVIDER, NULL), CM_OK);
	/* Authorization rules. */
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_UNITS_REQUESTED, 10), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_UNITS_APPROVED, 12), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_ERANGE);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_UNITS_APPROVED, 6), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_STATUS, CM_AUTH_PARTIAL), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_UNITS_USED, 7), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_ERANGE);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_UNITS_USED, 6), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_VALID_FROM, TH_D0), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_VALID_TO, TH_D0 - 1), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_EDATE);
	assert_int_equal(cm_service_set_text(v, CM_SERVICE_CATEGORY, NULL), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_EINCOMPLETE);
	assert_int_equal(cm_service_save(NULL, v), CM_EINVAL);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(d == cm__store_digest(env.store));
	cm_service_free(v);
	assert_int_equal(cm_service_set_text(NULL, 1, "x"), CM_EINVAL);
	assert_int_equal(cm_service_set_int(NULL, 1, 1), CM_EINVAL);
	assert_int_equal(cm_service_status(NULL), 0);
	assert_null(cm_service_text(NULL, 1));
}

static void test_authorization(void **state)
{
	cm_service *v, *g;
	cm_provider *p;
	cm_txn *txn;
	int64_t x;
	(void)state;

	assert_int_equal(cm_provider_new(&p, env.store, "Home Care Co",
					 CM_PROVIDER_HOME_HEALTH), CM_OK);
	assert_int_equal(cm_service_new(&v, env.store, "c1", "skilled nursing visits"), CM_OK);
	assert_int_equal(cm_service_set_text(v, CM_SERVICE_PROVIDER, cm_provider_id(p)), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_STATUS, CM_AUTH_PARTIAL), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_UNITS_REQUESTED, 12), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_UNITS_APPROVED, 8), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_UNITS_USED, 3), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_VALID_FROM, TH_D0), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_AUTH_VALID_TO, TH_D0 + 30), CM_OK);
	assert_int_equal(cm_service_set_text(v, CM_SERVICE_AUTH_REFERENCE, "PA-2026-0042"),
			 CM_OK);
	/* The provider is saved in the same transaction: accepted. */
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_ENOTFOUND);
	assert_int_equal(cm_provider_save(txn, p), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm_service_get(&g, env.store, cm_service_id(v)), CM_OK);
	assert_int_equal(cm_service_get_int(&x, g, CM_SERVICE_AUTH_UNITS_APPROVED), CM_OK);
	assert_int_equal(x, 8);
	assert_int_equal(cm_service_get_int(&x, g, CM_SERVICE_AUTH_VALID_TO), CM_OK);
	assert_int_equal(x, TH_D0 + 30);
	assert_string_equal(cm_service_text(g, CM_SERVICE_AUTH_REFERENCE), "PA-2026-0042");
	assert_string_equal(cm_service_text(g, CM_SERVICE_PROVIDER), cm_provider_id(p));
	cm_service_free(g);
	cm_service_free(v);
	cm_provider_free(p);
}

/* ---- funding ----------------------------------------------------------- */

/* The hospital case manager arranges home IV antibiotics costing $5,000:
 * the patient pays $1,000, the pharmacy takes $1,000 off, the home health
 * agency pays $500 for the pumps, the insurer pays $2,500 outside the
 * covered benefit. */
static void test_home_iv_antibiotics(void **state)
{
	cm_service *v, *g;
	int32_t funded, party;
	int64_t diff, amount;
	const char *name;
	(void)state;

	assert_int_equal(cm_service_new(&v, env.store, "c1", "home IV antibiotics"), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_TOTAL_COST, 500000), CM_OK);
	assert_int_equal(cm_service_funding_check(&funded, &diff, v), CM_OK);
	assert_int_equal(funded, CM_FUNDING_SHORT);
	assert_int_equal(diff, 500000);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_CLIENT, NULL, 100000), CM_OK);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_PROVIDER, "Sunrise Infusion Pharmacy",
					      100000), CM_OK);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_OTHER, "Home Care Co (pumps)",
					      50000), CM_OK);
	assert_int_equal(cm_service_funding_check(&funded, &diff, v), CM_OK);
	assert_int_equal(funded, CM_FUNDING_SHORT);
	assert_int_equal(diff, 250000);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_PAYER,
					      "Acme Health (outside benefit)", 250000), CM_OK);
	assert_int_equal(cm_service_funding_check(&funded, &diff, v), CM_OK);
	assert_int_equal(funded, CM_FUNDING_FUNDED);
	assert_int_equal(diff, 0);
	TH_COMMIT1(env.store, "kim", cm_service_save, v);

	assert_int_equal(cm_service_get(&g, env.store, cm_service_id(v)), CM_OK);
	assert_int_equal(cm_service_share_count(g), 4);
	assert_int_equal(cm_service_share_at(&party, &name, &amount, g, 0), CM_OK);
	assert_int_equal(party, CM_PARTY_CLIENT);
	assert_null(name);
	assert_int_equal(amount, 100000);
	assert_int_equal(cm_service_share_at(&party, &name, &amount, g, 3), CM_OK);
	assert_int_equal(party, CM_PARTY_PAYER);
	assert_string_equal(name, "Acme Health (outside benefit)");
	assert_int_equal(amount, 250000);
	assert_int_equal(cm_service_funding_check(&funded, NULL, g), CM_OK);
	assert_int_equal(funded, CM_FUNDING_FUNDED);
	/* One more share: over-funded by $100. */
	assert_int_equal(cm_service_add_share(g, CM_PARTY_OTHER, "Charity", 10000), CM_OK);
	assert_int_equal(cm_service_funding_check(&funded, &diff, g), CM_OK);
	assert_int_equal(funded, CM_FUNDING_OVER);
	assert_int_equal(diff, -10000);
	assert_int_equal(cm_service_remove_share(g, 4), CM_OK);
	assert_int_equal(cm_service_funding_check(&funded, &diff, g), CM_OK);
	assert_int_equal(funded, CM_FUNDING_FUNDED);
	cm_service_free(g);
	cm_service_free(v);
}

static void test_funding_refused(void **state)
{
	cm_service *v;
	int32_t funded = 9;
	int i;
	char big[300];
	(void)state;

	memset(big, 'n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cm_service_new(&v, env.store, "c1", "x"), CM_OK);
	assert_int_equal(cm_service_add_share(v, 0, "x", 1), CM_ERANGE);
	assert_int_equal(cm_service_add_share(v, 5, "x", 1), CM_ERANGE);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_PAYER, NULL, 1), CM_EINVAL);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_OTHER, "", 1), CM_EINVAL);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_PAYER, big, 1), CM_ETOOLONG);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_PAYER, "\xff", 1), CM_EUTF8);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_PAYER, "x", -1), CM_ERANGE);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_PAYER, "x", CM_MONEY_MAX + 1),
			 CM_ERANGE);
	assert_int_equal(cm_service_add_share(NULL, CM_PARTY_PAYER, "x", 1), CM_EINVAL);
	assert_int_equal(cm_service_share_count(v), 0);
	assert_int_equal(cm_service_remove_share(v, 0), CM_ERANGE);
	assert_int_equal(cm_service_remove_share(NULL, 0), CM_EINVAL);
	assert_int_equal(cm_service_share_at(NULL, NULL, NULL, v, 0), CM_ERANGE);
	assert_int_equal(cm_service_share_at(NULL, NULL, NULL, NULL, 0), CM_EINVAL);
	assert_int_equal(cm_service_funding_check(NULL, NULL, v), CM_EINVAL);
	assert_int_equal(cm_service_funding_check(&funded, NULL, NULL), CM_EINVAL);
	assert_int_equal(funded, 9);
	for (i = 0; i < 16; i++)
		assert_int_equal(cm_service_add_share(v, CM_PARTY_CLIENT, NULL,
						      CM_MONEY_MAX), CM_OK);
	assert_int_equal(cm_service_add_share(v, CM_PARTY_CLIENT, NULL, 1), CM_ERANGE);
	/* 16 x 10^15 does not overflow. */
	assert_int_equal(cm_service_funding_check(&funded, NULL, v), CM_OK);
	assert_int_equal(funded, CM_FUNDING_OVER);
	cm_service_free(v);
}

/* ---- allocation-failure sweep ------------------------------------------ */

static void sweep_setup(struct th_env *e)
{
	fx_client(e, "c1", "cm-a", 2, CM_DATE_NONE);
}

static int sweep_run(struct th_env *e)
{
	cm_provider *p = NULL;
	cm_service *v = NULL, *g = NULL;
	cm_service_iter *it = NULL;
	cm_txn *txn = NULL;
	int32_t funded;
	int rc;

	FX_TRY(e, rc, cm_provider_new(&p, e->store, "Sunrise",
				      CM_PROVIDER_HOME_INFUSION_PHARMACY));
	FX_TRY(e, rc, cm_provider_set_network(p, "Acme", CM_NETWORK_IN));
	FX_TRY(e, rc, cm_service_new(&v, e->store, "c1", "home IV antibiotics"));
	FX_TRY(e, rc, cm_service_set_text(v, CM_SERVICE_PROVIDER, cm_provider_id(p)));
	FX_TRY(e, rc, cm_service_set_int(v, CM_SERVICE_TOTAL_COST, 500000));
	FX_TRY(e, rc, cm_service_add_share(v, CM_PARTY_CLIENT, NULL, 100000));
	FX_TRY(e, rc, cm_service_add_share(v, CM_PARTY_PROVIDER, "Sunrise", 100000));
	FX_TRY(e, rc, cm_service_add_share(v, CM_PARTY_OTHER, "Home Care Co", 50000));
	FX_TRY(e, rc, cm_service_add_share(v, CM_PARTY_PAYER, "Acme", 250000));
	FX_TRY(e, rc, cm_service_set_status(v, CM_SIDE_REQUESTER, CM_TASK_REQUESTED, "sent"));
	FX_TRY(e, rc, cm_txn_begin(&txn, e->store, "kim"));
	FX_TRY(e, rc, cm_provider_save(txn, p));
	FX_TRY(e, rc, cm_service_save(txn, v));
	rc = cm_txn_commit(txn);
	txn = NULL;
	if (rc) {
		assert_int_equal(rc, CM_ENOMEM);
		goto fail;
	}
	FX_TRY(e, rc, cm_service_list(&it, e->store, "c1"));
	FX_TRY(e, rc, cm_service_iter_next(&g, it));
	FX_TRY(e, rc, cm_service_set_status(g, CM_SIDE_PROVIDER, CM_TASK_ACCEPTED, "ok"));
	assert_int_equal(cm_service_funding_check(&funded, NULL, g), CM_OK);
	assert_int_equal(funded, CM_FUNDING_FUNDED);
fail:
	cm_service_iter_free(it);
	cm_txn_rollback(txn);
	cm_service_free(g);
	cm_service_free(v);
	cm_provider_free(p);
	return rc;
}

static void test_alloc_sweep(void **state)
{
	static const struct fx_scenario sc = { sweep_setup, sweep_run };
	(void)state;
	assert_true(fx_sweep(&sc) > 20);
}

/* Funding shares live out of line (none until one is added): services
 * with shares, without, and with all removed again round-trip through the
 * journal. */
static void test_shares_reload(void **state)
{
	char dir[64], path[96], id[3][CM__ID_MAX + 1];
	static const size_t nshares[3] = { 2, 0, 0 };
	cm_service *v;
	const char *name;
	int32_t party, funded;
	int64_t amount;
	int i, pass;
	(void)state;

	th_close(&env);
	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	fx_client(&env, "c1", "cm-a", 2, CM_DATE_NONE);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cm_service_new(&v, env.store, "c1", "rides"), CM_OK);
		strcpy(id[i], cm_service_id(v));
		assert_int_equal(cm_service_set_int(v, CM_SERVICE_TOTAL_COST, 300), CM_OK);
		if (i != 1) {
			assert_int_equal(cm_service_add_share(v, CM_PARTY_PAYER, "Medicaid", 200),
					 CM_OK);
			assert_int_equal(cm_service_add_share(v, CM_PARTY_CLIENT, NULL, 100),
					 CM_OK);
		}
		if (i == 2) {
			TH_COMMIT1(env.store, "kim", cm_service_save, v);
			assert_int_equal(cm_service_remove_share(v, 1), CM_OK);
			assert_int_equal(cm_service_remove_share(v, 0), CM_OK);
		}
		TH_COMMIT1(env.store, "kim", cm_service_save, v);
		cm_service_free(v);
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < 3; i++) {
			assert_int_equal(cm_service_get(&v, env.store, id[i]), CM_OK);
			assert_int_equal(cm_service_share_count(v), nshares[i]);
			assert_int_equal(cm_service_funding_check(&funded, NULL, v), CM_OK);
			assert_int_equal(funded, nshares[i] ? CM_FUNDING_FUNDED : CM_FUNDING_SHORT);
			if (nshares[i]) {
				assert_int_equal(cm_service_share_at(&party, &name, &amount, v, 0),
						 CM_OK);
				assert_int_equal(party, CM_PARTY_PAYER);
				assert_string_equal(name, "Medicaid");
				assert_int_equal(amount, 200);
				assert_int_equal(cm_service_share_at(&party, &name, &amount, v, 1),
						 CM_OK);
				assert_int_equal(party, CM_PARTY_CLIENT);
				assert_null(name);
			}
			assert_int_equal(cm_service_share_at(&party, &name, &amount, v,
							     nshares[i]), CM_ERANGE);
			cm_service_free(v);
		}
		th_close(&env);
		th_open_journal(&env, path); /* the second pass: reloaded */
	}
	th_close(&env);
	fx_rmdir(dir);
	th_open(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_provider, setup, teardown),
		cmocka_unit_test_setup_teardown(test_provider_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_provider_network_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sides_and_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_authorization, setup, teardown),
		cmocka_unit_test_setup_teardown(test_home_iv_antibiotics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_funding_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shares_reload, setup, teardown),
		cmocka_unit_test(test_alloc_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
