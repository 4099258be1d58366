/*
 * discharge.c - a hospital discharge, start to finish, on the in-memory
 * store.
 *
 * Maria Lopez, 78, is admitted with cellulitis on top of heart failure. The
 * hospital case manager scores her readmission risk (LACE), which sets her
 * risk tier; writes a care plan the physician approves; arranges home IV
 * antibiotics costing $5,000, split between four parties; records the
 * discharge; sees the follow-up call appear on her worklist; makes the call;
 * and checks the outcome measures a month later.
 *
 * The story runs on a simulated clock (the store asks the host for "now"),
 * so the output is the same on every run.
 */
#include <stdio.h>
#include <stdlib.h>

#include <casemgr.h>

static int64_t now_s; /* the simulated clock */

static int clock_cb(void *ctx, int64_t *out)
{
	(void)ctx;
	*out = now_s;
	return 0;
}

static cm_store *store;

#define CHECK(call)                                                           \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != CM_OK) {                                           \
			fprintf(stderr, "line %d: %s failed: %s (%s)\n",      \
				__LINE__, #call, cm_error_name(rc_),          \
				cm_store_errmsg(store));                      \
			exit(1);                                              \
		}                                                             \
	} while (0)

static int32_t day0;

/* Move the clock to 10:00 UTC on day d of the story. */
static void set_day(int d)
{
	now_s = ((int64_t)day0 + d) * 86400 + 10 * 3600;
}

static const char *date_str(int32_t days)
{
	static char buf[4][CM_DATE_BUFSIZE];
	static int n;
	char *b = buf[n++ % 4];
	if (days == CM_DATE_NONE || cm_date_format(b, CM_DATE_BUFSIZE, days) != CM_OK)
		return "-";
	return b;
}

static void dollars(char *buf, size_t n, int64_t cents)
{
	snprintf(buf, n, "$%lld.%02lld", (long long)(cents / 100),
		 (long long)(cents % 100));
}

static void show_worklist(const char *when, int32_t as_of)
{
	static const char *kinds[] = { "", "contact due", "contact overdue",
		"goal past target", "service with no response",
		"authorization expiring", "plan review due", "reassessment due",
		"discharge with no follow-up", "missed appointment" };
	cm_worklist *wl;
	cm_client *c;

	CHECK(cm_worklist_query(&wl, store, "cm-jordan", as_of, 7, 0, 0, 20));
	printf("\nWorklist of cm-jordan as of %s (%s): %zu item(s)\n",
	       date_str(as_of), when, cm_worklist_total(wl));
	while (cm_worklist_next(wl) == CM_OK) {
		int32_t k = cm_worklist_kind(wl);
		CHECK(cm_client_get(&c, store, cm_worklist_client_id(wl)));
		printf("  [priority %d] due %s  %-28s %s %s\n",
		       (int)cm_worklist_priority(wl), date_str(cm_worklist_due(wl)),
		       k > 0 && k <= 9 ? kinds[k] : "?",
		       cm_client_text(c, CM_CLIENT_GIVEN),
		       cm_client_text(c, CM_CLIENT_FAMILY));
		cm_client_free(c);
	}
	cm_worklist_free(wl);
}

int main(void)
{
	cm_store_options opts;
	cm_client *maria;
	cm_assessment *lace;
	cm_plan *plan;
	cm_provider *pharmacy, *agency;
	cm_service *iv;
	cm_event *ev;
	cm_event_iter *timeline;
	cm_txn *txn;
	const char *id, *band;
	/* Element ids are borrowed from the plan until its next change:
	 * keep copies. */
	char goal_home[16], goal_readmit[16], prob[16], iv_step[16], call_step[16];
	int32_t total, tier, state;
	int64_t diff, v, num, den;
	char money[32], when[CM_TIME_BUFSIZE];
	char maria_id[40], plan_id[40], iv_id[40];

	CHECK(cm_date_parse(&day0, "2026-11-02"));
	set_day(0);
	cm_store_options_init(&opts, CM_STORE_OPTIONS_VERSION);
	opts.clock_fn = clock_cb;
	CHECK(cm_store_open(&store, &opts));
	/* Home health: the plan of care needs the physician's approval. */
	CHECK(cm_store_set_plan_approval_required(store, 1));

	/* ---- day 0: admission ------------------------------------------- */
	CHECK(cm_client_new(&maria, store));
	CHECK(cm_client_set_text(maria, CM_CLIENT_FAMILY, "Lopez"));
	CHECK(cm_client_set_text(maria, CM_CLIENT_GIVEN, "Maria"));
	CHECK(cm_client_set_int(maria, CM_CLIENT_BIRTH_DATE, day0 - 78 * 365 - 20));
	CHECK(cm_client_set_text(maria, CM_CLIENT_LANGUAGE, "es"));
	CHECK(cm_client_set_int(maria, CM_CLIENT_INTERPRETER, 1));
	CHECK(cm_client_set_identifier(maria, "MRN", "MRN004417"));
	CHECK(cm_client_add_coverage(maria, "Acme Health", "AH-55821", "Medicare Advantage"));
	CHECK(cm_client_add_care_team_member(maria, "attending physician", "Dr. Osei", NULL));
	CHECK(cm_client_add_care_team_member(maria, "daughter", "Lucia Lopez", "555-0142"));
	CHECK(cm_client_set_text(maria, CM_CLIENT_CASE_MANAGER, "cm-jordan"));
	CHECK(cm_client_set_status(maria, CM_CASE_ACTIVE, "referred for discharge planning"));
	CHECK(cm_txn_begin(&txn, store, "jordan.lee"));
	CHECK(cm_client_save(txn, maria));
	/* An event with just a type and a note: one call, no handle. */
	CHECK(cm_event_add(txn, NULL, 0, cm_client_id(maria), CM_EVENT_ADMISSION, now_s,
			   CM_CONTACT_NONE, "Admitted via ED: cellulitis, heart failure"));
	CHECK(cm_txn_commit(txn));
	snprintf(maria_id, sizeof(maria_id), "%s", cm_client_id(maria));
	printf("Day 0  %s: %s %s admitted (MRN %s), case manager cm-jordan\n",
	       date_str(day0), cm_client_text(maria, CM_CLIENT_GIVEN),
	       cm_client_text(maria, CM_CLIENT_FAMILY),
	       cm_client_identifier(maria, "MRN"));

	/* ---- day 4: readmission risk (LACE) -> risk tier ------------------ */
	set_day(4);
	CHECK(cm_assessment_new(&lace, store, maria_id, "lace"));
	CHECK(cm_assessment_set_text(lace, CM_ASSESSMENT_ASSESSOR, "jordan.lee"));
	CHECK(cm_assessment_set_answer(lace, "length-of-stay", 5)); /* L = 4 */
	CHECK(cm_assessment_set_answer(lace, "acute", 1));          /* A = 3 */
	CHECK(cm_assessment_set_answer(lace, "chf", 1));            /* Charlson 2 */
	CHECK(cm_assessment_set_answer(lace, "diabetes", 1));       /* Charlson 1 */
	CHECK(cm_assessment_set_answer(lace, "ed-visits", 2));      /* E = 2 */
	CHECK(cm_assessment_set_status(lace, CM_ASSESSMENT_COMPLETED, "chart review"));
	CHECK(cm_assessment_score(&total, &band, NULL, lace));
	CHECK(cm_assessment_risk_tier(&tier, lace));
	CHECK(cm_txn_begin(&txn, store, "jordan.lee"));
	CHECK(cm_assessment_save(txn, lace));
	CHECK(cm_assessment_apply_risk_tier(txn, lace, maria)); /* same txn */
	CHECK(cm_txn_commit(txn));
	CHECK(cm_client_get_int(&v, maria, CM_CLIENT_RISK_TIER));
	printf("Day 4  LACE %d (%s readmission risk) -> risk tier %lld\n",
	       (int)total, band, (long long)v);

	/* ---- day 4: the care plan, approved by the physician -------------- */
	CHECK(cm_plan_new(&plan, store, maria_id));
	CHECK(cm_plan_set_text(plan, CM_PLAN_TITLE, "Transition home on IV antibiotics"));
	CHECK(cm_plan_set_text(plan, CM_PLAN_AUTHOR, "jordan.lee"));
	CHECK(cm_plan_set_int(plan, CM_PLAN_NEXT_REVIEW, day0 + 19));
	CHECK(cm_plan_add_problem(&id, plan, "High readmission risk after discharge",
				  cm_assessment_id(lace), "readmission-risk"));
	snprintf(prob, sizeof(prob), "%s", id);
	CHECK(cm_plan_add_goal(&id, plan, "Completes 14-day IV antibiotic course at home"));
	snprintf(goal_home, sizeof(goal_home), "%s", id);
	CHECK(cm_plan_element_set_int(plan, goal_home, CM_ELEMENT_TARGET_DATE, day0 + 19));
	CHECK(cm_plan_link(plan, goal_home, prob));
	CHECK(cm_plan_add_goal(&id, plan, "No readmission within 30 days"));
	snprintf(goal_readmit, sizeof(goal_readmit), "%s", id);
	CHECK(cm_plan_element_set_int(plan, goal_readmit, CM_ELEMENT_TARGET_DATE, day0 + 35));
	CHECK(cm_plan_link(plan, goal_readmit, prob));
	CHECK(cm_plan_add_intervention(&id, plan, "Home infusion and nursing visits",
				       CM_RESPONSIBLE_PROVIDER, "Sunrise Infusion"));
	snprintf(iv_step, sizeof(iv_step), "%s", id);
	CHECK(cm_plan_link(plan, iv_step, goal_home));
	CHECK(cm_plan_add_intervention(&id, plan, "Follow-up call within 72 hours",
				       CM_RESPONSIBLE_CARE_TEAM, "jordan.lee"));
	snprintf(call_step, sizeof(call_step), "%s", id);
	CHECK(cm_plan_link(plan, call_step, goal_readmit));
	if (cm_plan_set_status(plan, CM_PLAN_ACTIVE, "ready") == CM_EINCOMPLETE)
		printf("Day 4  plan cannot become active yet: %s\n", cm_store_errmsg(store));
	CHECK(cm_plan_approve(plan, "Dr. Osei", now_s));
	CHECK(cm_plan_set_status(plan, CM_PLAN_ACTIVE, "approved by Dr. Osei"));
	CHECK(cm_txn_begin(&txn, store, "jordan.lee"));
	CHECK(cm_plan_save(txn, plan));
	CHECK(cm_txn_commit(txn));
	snprintf(plan_id, sizeof(plan_id), "%s", cm_plan_id(plan));
	printf("Day 4  care plan \"%s\": %zu goals, %zu interventions, %s\n",
	       cm_plan_text(plan, CM_PLAN_TITLE),
	       cm_plan_element_count(plan, CM_ELEMENT_GOAL),
	       cm_plan_element_count(plan, CM_ELEMENT_INTERVENTION),
	       cm_plan_status_code(cm_plan_status(plan)));

	/* ---- day 4: home IV antibiotics, $5,000, four payers -------------- */
	CHECK(cm_provider_new(&pharmacy, store, "Sunrise Infusion", CM_PROVIDER_HOME_INFUSION_PHARMACY));
	CHECK(cm_provider_set_network(pharmacy, "Acme Health", CM_NETWORK_OUT));
	CHECK(cm_provider_new(&agency, store, "CareFirst Home Health", CM_PROVIDER_HOME_HEALTH));
	CHECK(cm_provider_set_network(agency, "Acme Health", CM_NETWORK_IN));
	CHECK(cm_service_new(&iv, store, maria_id, "home infusion"));
	CHECK(cm_service_set_text(iv, CM_SERVICE_PROVIDER, cm_provider_id(pharmacy)));
	CHECK(cm_service_set_text(iv, CM_SERVICE_PLAN, plan_id));
	CHECK(cm_service_set_text(iv, CM_SERVICE_PLAN_ELEMENT, iv_step));
	CHECK(cm_service_set_text(iv, CM_SERVICE_DESCRIPTION, "Cefazolin IV q8h x 14 days, pump, supplies"));
	CHECK(cm_service_set_int(iv, CM_SERVICE_PRIORITY, CM_PRIORITY_URGENT));
	CHECK(cm_service_set_int(iv, CM_SERVICE_TOTAL_COST, 500000));
	CHECK(cm_service_set_int(iv, CM_SERVICE_REQUESTED_DATE, day0 + 4));
	CHECK(cm_service_set_int(iv, CM_SERVICE_RESPONSE_DEADLINE, day0 + 5));
	CHECK(cm_service_add_share(iv, CM_PARTY_CLIENT, NULL, 100000));
	CHECK(cm_service_add_share(iv, CM_PARTY_PROVIDER, "Sunrise Infusion discount", 100000));
	CHECK(cm_service_add_share(iv, CM_PARTY_OTHER, "CareFirst Home Health (pumps)", 50000));
	CHECK(cm_service_funding_check(&state, &diff, iv));
	dollars(money, sizeof(money), diff);
	printf("Day 4  home IV antibiotics $5000.00: funding %s by %s before the insurer\n",
	       state == CM_FUNDING_SHORT ? "short" : "?", money);
	CHECK(cm_service_add_share(iv, CM_PARTY_PAYER, "Acme Health (outside benefit)", 250000));
	CHECK(cm_service_funding_check(&state, &diff, iv));
	printf("Day 4  insurer adds $2500.00: funding %s\n",
	       state == CM_FUNDING_FUNDED ? "complete" : "NOT complete");
	CHECK(cm_service_set_int(iv, CM_SERVICE_AUTH_STATUS, CM_AUTH_APPROVED));
	CHECK(cm_service_set_int(iv, CM_SERVICE_AUTH_UNITS_APPROVED, 42));
	CHECK(cm_service_set_text(iv, CM_SERVICE_AUTH_REFERENCE, "PA-2026-118842"));
	CHECK(cm_service_set_status(iv, CM_SIDE_REQUESTER, CM_TASK_REQUESTED, "referral sent"));
	CHECK(cm_txn_begin(&txn, store, "jordan.lee"));
	CHECK(cm_provider_save(txn, pharmacy));
	CHECK(cm_provider_save(txn, agency));
	CHECK(cm_service_save(txn, iv));
	CHECK(cm_txn_commit(txn));
	snprintf(iv_id, sizeof(iv_id), "%s", cm_service_id(iv));
	/* The pharmacy, not the case manager, accepts the referral. */
	if (cm_service_set_status(iv, CM_SIDE_REQUESTER, CM_TASK_ACCEPTED, "ok") == CM_ETRANSITION)
		printf("Day 4  the case manager cannot accept for the pharmacy: %s\n",
		       cm_store_errmsg(store));
	CHECK(cm_service_set_status(iv, CM_SIDE_PROVIDER, CM_TASK_ACCEPTED, "first dose tomorrow 08:00"));
	CHECK(cm_service_set_int(iv, CM_SERVICE_ACCEPTED_DATE, day0 + 4));
	CHECK(cm_txn_begin(&txn, store, "sunrise.intake"));
	CHECK(cm_service_save(txn, iv));
	CHECK(cm_txn_commit(txn));
	printf("Day 4  referral %s by Sunrise Infusion\n",
	       cm_task_status_code(cm_service_status(iv)));

	/* ---- day 5: discharge ------------------------------------------- */
	set_day(5);
	CHECK(cm_event_new(&ev, store, maria_id, CM_EVENT_DISCHARGE, now_s));
	CHECK(cm_event_set_text(ev, CM_EVENT_DISPOSITION, "home with home health"));
	CHECK(cm_txn_begin(&txn, store, "jordan.lee"));
	CHECK(cm_event_save(txn, ev));
	CHECK(cm_txn_commit(txn));
	cm_event_free(ev);
	printf("Day 5  %s: discharged home with home health\n", date_str(day0 + 5));

	show_worklist("before the follow-up call", day0 + 6);

	/* ---- day 6: the follow-up call ------------------------------------ */
	set_day(6);
	CHECK(cm_event_new(&ev, store, maria_id, CM_EVENT_CONTACT, now_s));
	CHECK(cm_event_set_int(ev, CM_EVENT_MODE, CM_CONTACT_PHONE));
	CHECK(cm_event_set_text(ev, CM_EVENT_OUTCOME, "reached; interpreter used"));
	CHECK(cm_event_set_text(ev, CM_EVENT_TEXT,
				"First two doses given by the nurse; no fever; "
				"knows whom to call."));
	CHECK(cm_event_set_text(ev, CM_EVENT_PLAN, plan_id));
	CHECK(cm_event_set_text(ev, CM_EVENT_GOAL, goal_readmit));
	CHECK(cm_txn_begin(&txn, store, "jordan.lee"));
	CHECK(cm_client_record_contact(txn, maria, ev)); /* and next follow-up */
	CHECK(cm_txn_commit(txn));
	cm_event_free(ev);
	CHECK(cm_client_get_int(&v, maria, CM_CLIENT_NEXT_FOLLOWUP));
	printf("\nDay 6  follow-up call made; next follow-up due %s\n", date_str((int32_t)v));

	show_worklist("after the follow-up call", day0 + 6);

	/* ---- the timeline ------------------------------------------------ */
	printf("\nTimeline of %s %s (newest first):\n",
	       cm_client_text(maria, CM_CLIENT_GIVEN), cm_client_text(maria, CM_CLIENT_FAMILY));
	CHECK(cm_event_timeline(&timeline, store, maria_id, CM_TIME_NONE, CM_TIME_NONE, 1));
	while (cm_event_iter_next(&ev, timeline) == CM_OK) {
		const char *detail = cm_event_text(ev, CM_EVENT_OUTCOME);
		if (!detail)
			detail = cm_event_text(ev, CM_EVENT_DISPOSITION);
		if (!detail)
			detail = cm_event_text(ev, CM_EVENT_TEXT);
		CHECK(cm_event_get_int(&v, ev, CM_EVENT_TIME));
		cm_time_format(when, sizeof(when), v);
		printf("  %s  %-10s %s\n", when, cm_event_type_code(cm_event_type(ev)),
		       detail ? detail : "");
		cm_event_free(ev);
	}
	cm_event_iter_free(timeline);

	/* ---- a month later: outcome measures ------------------------------ */
	set_day(40);
	CHECK(cm_measure_compute(&num, &den, NULL, store, CM_MEASURE_FOLLOWUP_7D,
				 day0, day0 + 30, day0 + 40, NULL));
	printf("\nMeasures for November, as of %s:\n", date_str(day0 + 40));
	printf("  7-day follow-up after discharge: %lld of %lld discharges\n",
	       (long long)num, (long long)den);
	CHECK(cm_measure_compute(&num, &den, NULL, store, CM_MEASURE_READMISSION_30D,
				 day0, day0 + 30, day0 + 40, NULL));
	printf("  30-day readmissions:             %lld of %lld discharges\n",
	       (long long)num, (long long)den);

	cm_service_free(iv);
	cm_provider_free(pharmacy);
	cm_provider_free(agency);
	cm_plan_free(plan);
	cm_assessment_free(lace);
	cm_client_free(maria);
	cm_store_close(store);
	return 0;
}
