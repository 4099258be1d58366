/*
 * assessment_to_plan - from a needs assessment to an approved care plan.
 *
 *   1. A client is screened with the PHQ-9 and the social-needs screen.
 *   2. The PHQ-9 sets the client's risk tier, in the same transaction.
 *   3. A care plan addresses the findings: problems linked to them, goals,
 *      interventions; the physician approves it and it becomes active.
 *   4. The plan checker reports what is still missing, as of a date.
 *
 * Every call returns CM_OK (0) or a negative CM_E* code; CHECK prints the
 * store's detailed message and stops at the first failure.
 */
#include <stdio.h>

#include "casemgr.h"

#define CHECK(call)                                                            \
	do {                                                                   \
		int rc_ = (call);                                              \
		if (rc_ != CM_OK) {                                            \
			fprintf(stderr, "%s failed: %s (%s)\n", #call,         \
				cm_error_name(rc_), cm_store_errmsg(store));   \
			return 1;                                              \
		}                                                              \
	} while (0)

static int screen(cm_store *store, cm_client *client, char *phq9_id,
		  char *sdoh_id, size_t idsize)
{
	static const int phq9[9] = { 2, 2, 1, 2, 1, 1, 2, 1, 0 };
	char item[4];
	cm_assessment *a, *s;
	cm_txn *txn;
	const char *band;
	int32_t total, tier, i;

	CHECK(cm_assessment_new(&a, store, cm_client_id(client), "phq-9"));
	CHECK(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "nurse-ng"));
	for (i = 0; i < 9; i++) {
		snprintf(item, sizeof(item), "q%d", (int)i + 1);
		CHECK(cm_assessment_set_answer(a, item, phq9[i]));
	}
	CHECK(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "interview done"));
	CHECK(cm_assessment_score(&total, &band, NULL, a));
	CHECK(cm_assessment_risk_tier(&tier, a));
	printf("PHQ-9 total %d (%s) -> risk tier %d\n", (int)total, band, (int)tier);

	CHECK(cm_assessment_new(&s, store, cm_client_id(client), "sdoh"));
	CHECK(cm_assessment_set_text(s, CM_ASSESSMENT_ASSESSOR, "sw-kim"));
	CHECK(cm_assessment_set_answer(s, "food-insecurity", 2));
	CHECK(cm_assessment_set_answer(s, "housing-instability", 0));
	CHECK(cm_assessment_set_answer(s, "transportation-insecurity", 3));
	CHECK(cm_assessment_set_answer(s, "utility-insecurity", 0));
	CHECK(cm_assessment_set_answer(s, "interpersonal-safety", 0));
	CHECK(cm_assessment_set_status(s, CM_ASSESSMENT_COMPLETED, "screen done"));

	/* Both assessments and the client's new tier commit together. */
	CHECK(cm_txn_begin(&txn, store, "nurse-ng"));
	CHECK(cm_assessment_save(txn, a));
	CHECK(cm_assessment_save(txn, s));
	CHECK(cm_assessment_apply_risk_tier(txn, a, client));
	CHECK(cm_txn_commit(txn));
	snprintf(phq9_id, idsize, "%s", cm_assessment_id(a));
	snprintf(sdoh_id, idsize, "%s", cm_assessment_id(s));
	cm_assessment_free(a);
	cm_assessment_free(s);
	return 0;
}

static int plan(cm_store *store, cm_client *client, const char *phq9_id,
		const char *sdoh_id)
{
	cm_plan *p;
	cm_plan_report *report;
	cm_txn *txn;
	int32_t today, issue;
	int64_t now;
	const char *id;
	size_t i;

	CHECK(cm_store_now(&now, store));
	CHECK(cm_time_to_date(&today, now));
	CHECK(cm_plan_new(&p, store, cm_client_id(client)));
	CHECK(cm_plan_set_text(p, CM_PLAN_AUTHOR, "cm-lee"));
	CHECK(cm_plan_set_text(p, CM_PLAN_TITLE, "Depression and access to food"));
	CHECK(cm_plan_set_int(p, CM_PLAN_PERIOD_START, today));
	CHECK(cm_plan_set_int(p, CM_PLAN_NEXT_REVIEW, today + 30));

	CHECK(cm_plan_add_problem(NULL, p, "Moderate depression", phq9_id, "depression"));
	CHECK(cm_plan_add_problem(NULL, p, "Food insecurity", sdoh_id, "food-insecurity"));
	CHECK(cm_plan_add_problem(NULL, p, "No transport to appointments", sdoh_id,
				  "transportation-insecurity"));
	CHECK(cm_plan_add_goal(NULL, p, "PHQ-9 below 10"));
	CHECK(cm_plan_element_set_int(p, "g4", CM_ELEMENT_TARGET_DATE, today + 84));
	CHECK(cm_plan_link(p, "g4", "p1"));
	CHECK(cm_plan_add_goal(NULL, p, "Three meals a day"));
	CHECK(cm_plan_link(p, "g5", "p2"));
	CHECK(cm_plan_add_intervention(NULL, p, "Refer to behavioural health",
				       CM_RESPONSIBLE_CARE_TEAM, "cm-lee"));
	CHECK(cm_plan_link(p, "i6", "g4"));
	CHECK(cm_plan_add_intervention(NULL, p, "Enrol with the food bank",
				       CM_RESPONSIBLE_PROVIDER, "City Food Bank"));
	CHECK(cm_plan_link(p, "i7", "g5"));

	/* Home health: the physician approves the plan of care. */
	CHECK(cm_store_set_plan_approval_required(store, 1));
	if (cm_plan_set_status(p, CM_PLAN_ACTIVE, "start") != CM_EINCOMPLETE)
		return 1;
	printf("activation refused: %s\n", cm_store_errmsg(store));
	CHECK(cm_plan_approve(p, "Dr. Osei", now));
	CHECK(cm_plan_set_status(p, CM_PLAN_ACTIVE, "approved by physician"));
	CHECK(cm_txn_begin(&txn, store, "cm-lee"));
	CHECK(cm_plan_save(txn, p));
	CHECK(cm_txn_commit(txn));
	printf("plan %s is %s at revision %lld\n", cm_plan_id(p),
	       cm_plan_status_code(cm_plan_status(p)), (long long)cm_plan_revision(p));

	CHECK(cm_plan_check(&report, p, today + 31));
	for (i = 0; i < cm_plan_report_count(report); i++) {
		CHECK(cm_plan_report_at(&issue, &id, report, i));
		printf("check: issue %d on '%s'\n", (int)issue, id);
	}
	cm_plan_report_free(report);
	cm_plan_free(p);
	return 0;
}

int main(void)
{
	cm_store *store = NULL;
	cm_client *client;
	cm_txn *txn;
	char phq9_id[64], sdoh_id[64];
	int64_t tier;

	if (cm_store_open(&store, NULL) != CM_OK)
		return 1;
	CHECK(cm_client_new(&client, store));
	CHECK(cm_client_set_text(client, CM_CLIENT_FAMILY, "Rivera"));
	CHECK(cm_client_set_text(client, CM_CLIENT_GIVEN, "Ana"));
	CHECK(cm_txn_begin(&txn, store, "intake"));
	CHECK(cm_client_save(txn, client));
	CHECK(cm_txn_commit(txn));

	if (screen(store, client, phq9_id, sdoh_id, sizeof(phq9_id)) ||
	    plan(store, client, phq9_id, sdoh_id))
		return 1;
	CHECK(cm_client_get_int(&tier, client, CM_CLIENT_RISK_TIER));
	printf("client risk tier: %lld\n", (long long)tier);
	cm_client_free(client);
	cm_store_close(store);
	return 0;
}
