/* Outcome measures: numerators, denominators, medians, as of a date. */
#include <string.h>

#include "fixtures.h"

static struct th_env env;

static void service(struct th_env *e, const char *client, int32_t requested,
		    int32_t started, int32_t status)
{
	cm_service *v;
	cm_txn *txn;

	assert_int_equal(cm_service_new(&v, e->store, client, "referral"), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_REQUESTED_DATE, requested), CM_OK);
	assert_int_equal(cm_service_set_int(v, CM_SERVICE_STARTED_DATE, started), CM_OK);
	if (status != CM_TASK_DRAFT)
		assert_int_equal(cm_service_set_status(v, CM_SIDE_REQUESTER,
						       CM_TASK_REQUESTED, "sent"), CM_OK);
	if (status == CM_TASK_REJECTED)
		assert_int_equal(cm_service_set_status(v, CM_SIDE_PROVIDER,
						       CM_TASK_REJECTED, "full"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, e->store, "kim"), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_service_free(v);
}

static void build(struct th_env *e)
{
	/* Enrolment (made active) happens at the clock's time. */
	e->clock.now = FX_AT(TH_D0 - 60, 9);
	fx_client(e, "m1", "cm-a", 2, CM_DATE_NONE);
	fx_client(e, "m2", "cm-a", 1, CM_DATE_NONE);
	e->clock.now = FX_AT(TH_D0 - 10, 9);
	fx_client(e, "m3", "cm-b", 4, CM_DATE_NONE);
	e->clock.now = TH_T0;
	/* m1: discharged, contacted within 7 days, readmitted within 30. */
	fx_event(e, NULL, "m1", CM_EVENT_DISCHARGE, FX_AT(TH_D0 - 50, 9));
	fx_event(e, NULL, "m1", CM_EVENT_CONTACT, FX_AT(TH_D0 - 45, 9));
	fx_event(e, NULL, "m1", CM_EVENT_ADMISSION, FX_AT(TH_D0 - 40, 9));
	/* m2: discharged, contacted only 10 days later, not readmitted. */
	fx_event(e, NULL, "m2", CM_EVENT_DISCHARGE, FX_AT(TH_D0 - 40, 9));
	fx_event(e, NULL, "m2", CM_EVENT_CONTACT, FX_AT(TH_D0 - 30, 9));
	/* m3: discharged 5 days ago: no window has closed yet. */
	fx_event(e, NULL, "m3", CM_EVENT_DISCHARGE, FX_AT(TH_D0 - 5, 9));
	/* Referrals. */
	service(e, "m1", TH_D0 - 20, TH_D0 - 10, CM_TASK_REQUESTED);
	service(e, "m2", TH_D0 - 15, CM_DATE_NONE, CM_TASK_REJECTED);
	service(e, "m2", TH_D0 - 30, TH_D0 - 26, CM_TASK_REQUESTED);
	service(e, "m3", TH_D0 - 10, CM_DATE_NONE, CM_TASK_REQUESTED);
	service(e, "m3", TH_D0 - 10, CM_DATE_NONE, CM_TASK_DRAFT);
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

static void check(int32_t measure, const char *cm, int32_t as_of, int64_t num,
		  int64_t den, int32_t median)
{
	int64_t n = -1, d = -1;
	int32_t m = 0;

	assert_int_equal(cm_measure_compute(&n, &d, &m, env.store, measure,
					    TH_D0 - 60, TH_D0, as_of, cm), CM_OK);
	assert_int_equal(n, num);
	assert_int_equal(d, den);
	assert_int_equal(m, median);
}

static void test_transitions_of_care(void **state)
{
	(void)state;
	check(CM_MEASURE_READMISSION_30D, NULL, TH_D0, 1, 2, CM_DATE_NONE);
	check(CM_MEASURE_READMISSION_30D, "cm-b", TH_D0, 0, 0, CM_DATE_NONE);
	check(CM_MEASURE_FOLLOWUP_7D, NULL, TH_D0, 1, 2, CM_DATE_NONE);
	check(CM_MEASURE_FOLLOWUP_7D, "cm-a", TH_D0, 1, 2, CM_DATE_NONE);
	/* As of an earlier date, m2's 30-day window had not closed yet. */
	check(CM_MEASURE_READMISSION_30D, NULL, TH_D0 - 15, 1, 1, CM_DATE_NONE);
	/* And as of the day m1 was discharged + 7, m2 was not discharged. */
	check(CM_MEASURE_FOLLOWUP_7D, NULL, TH_D0 - 43, 1, 1, CM_DATE_NONE);
}

static void test_referrals(void **state)
{
	(void)state;
	/* Closed: m1 (started), m2 rejected, m2 (started); open: m3. Days
	 * to service 10 and 4: median 7. */
	check(CM_MEASURE_REFERRAL_CLOSURE, NULL, TH_D0, 3, 4, 7);
	check(CM_MEASURE_REFERRAL_CLOSURE, "cm-a", TH_D0, 3, 3, 7);
	check(CM_MEASURE_REFERRAL_CLOSURE, "cm-b", TH_D0, 0, 1, CM_DATE_NONE);
	/* As of D0-12, m1's service had not started yet. */
	check(CM_MEASURE_REFERRAL_CLOSURE, "cm-a", TH_D0 - 12, 2, 3, 4);
}

static void test_contact_measures(void **state)
{
	cm_client *c;
	cm_event *e;
	cm_txn *txn;
	(void)state;

	/* m1 (every 30 days) last contact 45 days ago: no; m2 (every 90)
	 * 30 days ago: yes; m3 (every 7): never. */
	check(CM_MEASURE_CONTACT_COMPLIANCE, NULL, TH_D0, 1, 3, CM_DATE_NONE);
	/* Enrolled in the period: all three; first contacts after 15 and 30
	 * days (median 22, rounded down); m3 not contacted yet. */
	check(CM_MEASURE_DAYS_TO_FIRST_CONTACT, NULL, TH_D0, 2, 3, 22);
	assert_int_equal(cm_client_get(&c, env.store, "m3"), CM_OK);
	assert_int_equal(cm_event_new(&e, env.store, "m3", CM_EVENT_CONTACT,
				      FX_AT(TH_D0 - 1, 9)), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_event_free(e);
	cm_client_free(c);
	check(CM_MEASURE_CONTACT_COMPLIANCE, NULL, TH_D0, 2, 3, CM_DATE_NONE);
	check(CM_MEASURE_DAYS_TO_FIRST_CONTACT, NULL, TH_D0, 3, 3, 15);
	check(CM_MEASURE_DAYS_TO_FIRST_CONTACT, "cm-b", TH_D0, 1, 1, 9);
	/* Not as of the day before. */
	check(CM_MEASURE_DAYS_TO_FIRST_CONTACT, "cm-b", TH_D0 - 2, 0, 1, CM_DATE_NONE);
}

static void test_measure_errors(void **state)
{
	int64_t n = 5, d = 5;
	int32_t m = 5;
	char big[80];
	(void)state;

	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cm_measure_compute(NULL, &d, &m, env.store, 1, 0, 1, 1, NULL), CM_EINVAL);
	assert_int_equal(cm_measure_compute(&n, NULL, &m, env.store, 1, 0, 1, 1, NULL), CM_EINVAL);
	assert_int_equal(cm_measure_compute(&n, &d, &m, NULL, 1, 0, 1, 1, NULL), CM_EINVAL);
	assert_int_equal(cm_measure_compute(&n, &d, &m, env.store, 0, 0, 1, 1, NULL), CM_ERANGE);
	assert_int_equal(cm_measure_compute(&n, &d, &m, env.store, 7, 0, 1, 1, NULL), CM_ERANGE);
	/* Goal attainment is computed now (test_worklist_plans.c): no plans
	 * here, 0 of 0, no median. */
	assert_int_equal(cm_measure_compute(&n, &d, &m, env.store,
					    CM_MEASURE_GOAL_ATTAINMENT, 0, 1, 1, NULL),
			 CM_OK);
	assert_int_equal(n, 0);
	assert_int_equal(d, 0);
	assert_int_equal(m, CM_DATE_NONE);
	n = d = m = 5;
	assert_int_equal(cm_measure_compute(&n, &d, &m, env.store, 1, 2, 1, 1, NULL), CM_EDATE);
	assert_int_equal(cm_measure_compute(&n, &d, &m, env.store, 1, CM_DATE_NONE, 1, 1,
					    NULL), CM_EDATE);
	assert_int_equal(cm_measure_compute(&n, &d, &m, env.store, 1, 0, 1, CM_DATE_MAX + 1,
					    NULL), CM_EDATE);
	assert_int_equal(cm_measure_compute(&n, &d, &m, env.store, 1, 0, 1, 1, big),
			 CM_ETOOLONG);
	assert_int_equal(n, 5);
	assert_int_equal(d, 5);
	assert_int_equal(m, 5);
	/* The median is optional. */
	assert_int_equal(cm_measure_compute(&n, &d, NULL, env.store,
					    CM_MEASURE_REFERRAL_CLOSURE, TH_D0 - 60, TH_D0,
					    TH_D0, NULL), CM_OK);
	assert_int_equal(n, 3);
}

static int sweep_run(struct th_env *e)
{
	int64_t n, d;
	int32_t m;
	int rc;

	FX_TRY(e, rc, cm_measure_compute(&n, &d, &m, e->store,
					 CM_MEASURE_REFERRAL_CLOSURE, TH_D0 - 60,
					 TH_D0, TH_D0, NULL));
	assert_int_equal(m, 7);
	FX_TRY(e, rc, cm_measure_compute(&n, &d, &m, e->store,
					 CM_MEASURE_DAYS_TO_FIRST_CONTACT, TH_D0 - 60,
					 TH_D0, TH_D0, "cm-a"));
	assert_int_equal(m, 22);
fail:
	return rc;
}

static void test_alloc_sweep(void **state)
{
	static const struct fx_scenario sc = { build, sweep_run };
	(void)state;
	assert_true(fx_sweep(&sc) >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transitions_of_care, setup, teardown),
		cmocka_unit_test_setup_teardown(test_referrals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contact_measures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_measure_errors, setup, teardown),
		cmocka_unit_test(test_alloc_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
