/* Worklist rules over care plans and assessments (goal past target, plan
 * review due, reassessment due), reassessment intervals and the goal
 * attainment measure. */
#include <string.h>

#include "fixtures.h"

#define D TH_D0

static struct th_env env;

/* Ids of the fixture's plans and goals. */
static char p1[40], p2[40], p3[40], p4[40], p5[40], p6[40], p7[40];
static char g_late[16], g_ach[16], g_canc[16], g_today[16], g_sus[16],
	g_lateach[16], g_flip[16], g_old[16], g3[16], g7[16];
static char as_a1[40], as_a2[40], as_u1[40];

static void at(struct th_env *e, int32_t day)
{
	e->clock.now = FX_AT(day, 9);
}

static void commit_plan(struct th_env *e, cm_plan *p)
{
	cm_txn *txn;

	assert_int_equal(cm_txn_begin(&txn, e->store, "kim"), CM_OK);
	assert_int_equal(cm_plan_save(txn, p), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
}

/* A committed plan of a client, in a status reached by the usual path,
 * with a next review date. */
static void make_plan(struct th_env *e, char *id, const char *client,
		      int32_t status, int32_t review)
{
	cm_plan *p;

	assert_int_equal(cm_plan_new(&p, e->store, client), CM_OK);
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_AUTHOR, "kim"), CM_OK);
	assert_int_equal(cm_plan_set_int(p, CM_PLAN_NEXT_REVIEW, review), CM_OK);
	if (status == CM_PLAN_ACTIVE || status == CM_PLAN_ON_HOLD)
		assert_int_equal(cm_plan_set_status(p, CM_PLAN_ACTIVE, "agreed"), CM_OK);
	if (status == CM_PLAN_ON_HOLD)
		assert_int_equal(cm_plan_set_status(p, CM_PLAN_ON_HOLD, "paused"), CM_OK);
	commit_plan(e, p);
	strcpy(id, cm_plan_id(p));
	cm_plan_free(p);
}

/* Add a goal with a target date in a lifecycle status. */
static void add_goal(struct th_env *e, char *eid, const char *plan,
		     int32_t target, int32_t status)
{
	const char *g;
	cm_plan *p;

	assert_int_equal(cm_plan_get(&p, e->store, plan), CM_OK);
	assert_int_equal(cm_plan_add_goal(&g, p, "a goal"), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, g, CM_ELEMENT_TARGET_DATE, target),
			 CM_OK);
	if (status == CM_GOAL_ACTIVE || status == CM_GOAL_COMPLETED)
		assert_int_equal(cm_plan_element_set_status(p, g, CM_GOAL_ACTIVE, "go"),
				 CM_OK);
	if (status != CM_GOAL_PROPOSED && status != CM_GOAL_ACTIVE)
		assert_int_equal(cm_plan_element_set_status(p, g, status, "r"), CM_OK);
	if (eid)
		strcpy(eid, g);
	commit_plan(e, p);
	cm_plan_free(p);
}

/* Withdraw a plan (goals can no longer be added). */
static void withdraw(struct th_env *e, const char *plan)
{
	cm_plan *p;

	assert_int_equal(cm_plan_get(&p, e->store, plan), CM_OK);
	assert_int_equal(cm_plan_set_status(p, CM_PLAN_ENTERED_IN_ERROR,
					    "wrong client"), CM_OK);
	commit_plan(e, p);
	cm_plan_free(p);
}

/* Change a goal's achievement, committed at the clock's time. */
static void achieve(struct th_env *e, const char *plan, const char *goal,
		    int32_t achievement)
{
	cm_plan *p;

	assert_int_equal(cm_plan_get(&p, e->store, plan), CM_OK);
	assert_int_equal(cm_plan_goal_set_achievement(p, goal, achievement, "seen"),
			 CM_OK);
	commit_plan(e, p);
	cm_plan_free(p);
}

/* A committed PHQ-2 of a client made on day `day`, in a status. */
static void assess(struct th_env *e, char *id, const char *client,
		   int32_t day, int32_t status)
{
	cm_assessment *a;
	cm_txn *txn;

	assert_int_equal(cm_assessment_new(&a, e->store, client, "phq-2"), CM_OK);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "kim"), CM_OK);
	assert_int_equal(cm_assessment_set_int(a, CM_ASSESSMENT_TIME, FX_AT(day, 10)),
			 CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q1", 1), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q2", 0), CM_OK);
	if (status != CM_ASSESSMENT_IN_PROGRESS && status != CM_ASSESSMENT_STOPPED)
		assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "done"),
				 CM_OK);
	if (status != CM_ASSESSMENT_IN_PROGRESS && status != CM_ASSESSMENT_COMPLETED)
		assert_int_equal(cm_assessment_set_status(a, status, "r"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, e->store, "kim"), CM_OK);
	assert_int_equal(cm_assessment_save(txn, a), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	if (id)
		strcpy(id, cm_assessment_id(a));
	cm_assessment_free(a);
}

static void finish(struct th_env *e, const char *id)
{
	cm_client *c;
	cm_txn *txn;

	assert_int_equal(cm_client_get(&c, e->store, id), CM_OK);
	assert_int_equal(cm_client_set_status(c, CM_CASE_FINISHED, "done"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, e->store, "kim"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_client_free(c);
}

static void build(struct th_env *e)
{
	/* Enrolled 400 days ago; no next follow-up, so no contact items. */
	at(e, D - 400);
	fx_client(e, "a1", "cm-a", 2, CM_DATE_NONE);
	fx_client(e, "a2", "cm-a", 4, CM_DATE_NONE);
	fx_client(e, "a3", "cm-a", 1, CM_DATE_NONE);
	fx_client(e, "b1", "cm-b", 3, CM_DATE_NONE);
	fx_client(e, "u1", NULL, 0, CM_DATE_NONE);

	at(e, D - 60);
	make_plan(e, p1, "a1", CM_PLAN_ACTIVE, D + 7);
	add_goal(e, g_late, p1, D - 5, CM_GOAL_ACTIVE);
	add_goal(e, g_ach, p1, D - 20, CM_GOAL_ACTIVE);
	add_goal(e, g_canc, p1, D - 20, CM_GOAL_CANCELLED);
	add_goal(e, g_today, p1, D, CM_GOAL_ACTIVE);
	add_goal(e, g_sus, p1, D - 3, CM_GOAL_ACTIVE);
	add_goal(e, g_lateach, p1, D - 40, CM_GOAL_ACTIVE);
	add_goal(e, g_flip, p1, D - 50, CM_GOAL_ACTIVE);
	add_goal(e, g_old, p1, D - 90, CM_GOAL_ACTIVE);
	add_goal(e, NULL, p1, D - 10, CM_GOAL_REJECTED);
	add_goal(e, NULL, p1, D - 10, CM_GOAL_ENTERED_IN_ERROR);
	add_goal(e, NULL, p1, CM_DATE_NONE, CM_GOAL_ACTIVE);
	achieve(e, p1, g_old, CM_ACHIEVEMENT_ACHIEVED);
	/* On hold, withdrawn, draft: no worklist items. */
	make_plan(e, p2, "a1", CM_PLAN_ON_HOLD, D - 30);
	add_goal(e, NULL, p2, D - 10, CM_GOAL_ACTIVE);
	make_plan(e, p3, "a2", CM_PLAN_ACTIVE, D - 2);
	add_goal(e, g3, p3, D - 30, CM_GOAL_ACTIVE);
	achieve(e, p3, g3, CM_ACHIEVEMENT_IN_PROGRESS);
	make_plan(e, p4, "a2", CM_PLAN_DRAFT, D - 1);
	add_goal(e, NULL, p4, D - 10, CM_GOAL_ACTIVE);
	withdraw(e, p4);
	make_plan(e, p5, "a2", CM_PLAN_DRAFT, D - 1);
	add_goal(e, NULL, p5, D - 10, CM_GOAL_ACTIVE);
	/* a3's case is finished below: no items, but its goals count in the
	 * measure. */
	make_plan(e, p6, "a3", CM_PLAN_ACTIVE, D - 1);
	add_goal(e, NULL, p6, D - 10, CM_GOAL_ACTIVE);
	make_plan(e, p7, "b1", CM_PLAN_ACTIVE, D + 30);
	add_goal(e, g7, p7, D - 15, CM_GOAL_ACTIVE);
	achieve(e, p7, g7, CM_ACHIEVEMENT_ACHIEVED);
	finish(e, "a3");

	/* Achievement history, for "as of". */
	at(e, D - 30);
	achieve(e, p1, g_flip, CM_ACHIEVEMENT_ACHIEVED);
	at(e, D - 25);
	achieve(e, p1, g_ach, CM_ACHIEVEMENT_ACHIEVED);
	at(e, D - 10);
	achieve(e, p1, g_lateach, CM_ACHIEVEMENT_ACHIEVED);
	at(e, D - 8);
	achieve(e, p1, g_sus, CM_ACHIEVEMENT_ACHIEVED);
	at(e, D - 6);
	achieve(e, p1, g_flip, CM_ACHIEVEMENT_NOT_ACHIEVED);
	at(e, D - 4);
	achieve(e, p1, g_sus, CM_ACHIEVEMENT_SUSTAINING);

	/* Assessments. a1 (tier 2, 180 days): completed 170 days ago; the
	 * later ones are not completed. */
	assess(e, as_a1, "a1", D - 170, CM_ASSESSMENT_COMPLETED);
	assess(e, NULL, "a1", D - 5, CM_ASSESSMENT_IN_PROGRESS);
	assess(e, NULL, "a1", D - 1, CM_ASSESSMENT_STOPPED);
	/* a2 (tier 4, 30 days): the latest on or before as_of is amended. */
	assess(e, NULL, "a2", D - 100, CM_ASSESSMENT_COMPLETED);
	assess(e, as_a2, "a2", D - 40, CM_ASSESSMENT_AMENDED);
	assess(e, NULL, "a2", D + 3, CM_ASSESSMENT_COMPLETED);
	/* b1: only an assessment entered in error: due since enrolment. */
	assess(e, NULL, "b1", D - 10, CM_ASSESSMENT_ENTERED_IN_ERROR);
	/* u1 (tier 0, 365 days). */
	assess(e, as_u1, "u1", D - 300, CM_ASSESSMENT_COMPLETED);
	env.clock.now = TH_T0;
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
	const char *record; /* NULL: not checked */
	const char *element;
};

static void expect(cm_worklist *wl, const struct want *w, size_t n)
{
	size_t i;

	assert_int_equal(cm_worklist_count(wl), n);
	assert_null(cm_worklist_element_id(wl));
	for (i = 0; i < n; i++) {
		assert_int_equal(cm_worklist_next(wl), CM_OK);
		assert_int_equal(cm_worklist_kind(wl), w[i].kind);
		assert_int_equal(cm_worklist_priority(wl), w[i].prio);
		assert_int_equal(cm_worklist_due(wl), w[i].due);
		assert_string_equal(cm_worklist_client_id(wl), w[i].client);
		if (w[i].record)
			assert_string_equal(cm_worklist_record_id(wl), w[i].record);
		switch (w[i].kind) {
		case CM_WORK_GOAL_PAST_TARGET:
			assert_int_equal(cm_worklist_record_kind(wl), CM_KIND_PLAN);
			assert_non_null(cm_worklist_element_id(wl));
			assert_string_equal(cm_worklist_element_id(wl), w[i].element);
			break;
		case CM_WORK_PLAN_REVIEW_DUE:
			assert_int_equal(cm_worklist_record_kind(wl), CM_KIND_PLAN);
			assert_null(cm_worklist_element_id(wl));
			break;
		default:
			assert_int_equal(cm_worklist_record_kind(wl),
					 strcmp(cm_worklist_record_id(wl), w[i].client) == 0
						 ? CM_KIND_CLIENT : CM_KIND_ASSESSMENT);
			assert_null(cm_worklist_element_id(wl));
			break;
		}
	}
	assert_int_equal(cm_worklist_next(wl), CM_ITEROVER);
	assert_null(cm_worklist_element_id(wl));
}

#define U CM_PRIORITY_URGENT
#define R CM_PRIORITY_ROUTINE
#define GOAL CM_WORK_GOAL_PAST_TARGET
#define REVIEW CM_WORK_PLAN_REVIEW_DUE
#define REASSESS CM_WORK_REASSESSMENT_DUE

static void test_rules(void **state)
{
	const struct want w[] = {
		{ GOAL, U, D - 50, "a1", p1, g_flip },
		{ GOAL, U, D - 30, "a2", p3, g3 },
		{ REASSESS, U, D - 10, "a2", as_a2, NULL },
		{ GOAL, U, D - 5, "a1", p1, g_late },
		{ REVIEW, U, D - 2, "a2", p3, NULL },
		{ REVIEW, R, D + 7, "a1", p1, NULL },
		{ REASSESS, R, D + 10, "a1", as_a1, NULL },
	};
	cm_worklist *wl;
	(void)state;

	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", D, 14, 0, 0, 0), CM_OK);
	assert_int_equal(cm_worklist_total(wl), 7);
	expect(wl, w, 7);
	cm_worklist_free(wl);
	assert_null(cm_worklist_element_id(NULL));
}

static void test_filters_and_paging(void **state)
{
	const struct want b[] = { { REASSESS, U, D - 400, "b1", "b1", NULL } };
	const struct want u[] = { { REASSESS, R, D + 65, "u1", as_u1, NULL } };
	const struct want page[] = {
		{ REASSESS, U, D - 10, "a2", as_a2, NULL },
		{ GOAL, U, D - 5, "a1", p1, g_late },
		{ REVIEW, U, D - 2, "a2", p3, NULL },
	};
	const struct want mask[] = {
		{ REASSESS, U, D - 10, "a2", as_a2, NULL },
		{ REVIEW, U, D - 2, "a2", p3, NULL },
		{ REVIEW, R, D + 7, "a1", p1, NULL },
		{ REASSESS, R, D + 10, "a1", as_a1, NULL },
	};
	cm_worklist *wl;
	(void)state;

	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-b", D, 14, 0, 0, 0), CM_OK);
	expect(wl, b, 1);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, "", D, 14, 0, 0, 0), CM_OK);
	expect(wl, NULL, 0);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, "", D, 65, 0, 0, 0), CM_OK);
	expect(wl, u, 1);
	cm_worklist_free(wl);
	assert_int_equal(cm_worklist_query(&wl, env.store, NULL, D, 14, 0, 0, 0), CM_OK);
	assert_int_equal(cm_worklist_total(wl), 8);
	cm_worklist_free(wl);
	/* Paging across kinds. */
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", D, 14, 0, 2, 3), CM_OK);
	assert_int_equal(cm_worklist_total(wl), 7);
	expect(wl, page, 3);
	cm_worklist_free(wl);
	/* A kind mask. */
	assert_int_equal(cm_worklist_query(&wl, env.store, "cm-a", D, 14,
					   CM_WORK_BIT(REVIEW) | CM_WORK_BIT(REASSESS),
					   0, 0), CM_OK);
	expect(wl, mask, 4);
	cm_worklist_free(wl);
	/* Contacts only: none of the new kinds. */
	assert_int_equal(cm_worklist_query(&wl, env.store, NULL, D, 366,
					   CM_WORK_BIT(CM_WORK_CONTACT_DUE), 0, 0), CM_OK);
	assert_int_equal(cm_worklist_total(wl), 0);
	cm_worklist_free(wl);
}

static size_t count_kind(const char *manager, int32_t as_of, int32_t horizon,
			 int32_t kind, int32_t *prio, int32_t *due)
{
	cm_worklist *wl;
	size_t n;

	assert_int_equal(cm_worklist_query(&wl, env.store, manager, as_of, horizon,
					   CM_WORK_BIT(kind), 0, 0), CM_OK);
	n = cm_worklist_count(wl);
	if (n && cm_worklist_next(wl) == CM_OK) {
		if (prio)
			*prio = cm_worklist_priority(wl);
		if (due)
			*due = cm_worklist_due(wl);
	}
	cm_worklist_free(wl);
	return n;
}

static void test_as_of(void **state)
{
	int32_t prio = 0, due = 0;
	(void)state;

	/* Goals: strictly before as_of. */
	assert_int_equal(count_kind("cm-a", D, 0, GOAL, NULL, NULL), 3);
	assert_int_equal(count_kind("cm-a", D + 1, 0, GOAL, NULL, NULL), 4);
	/* Plan review: on or before as_of + horizon; urgent once past. */
	assert_int_equal(count_kind("cm-b", D, 29, REVIEW, NULL, NULL), 0);
	assert_int_equal(count_kind("cm-b", D, 30, REVIEW, &prio, &due), 1);
	assert_int_equal(prio, R);
	assert_int_equal(due, D + 30);
	assert_int_equal(count_kind("cm-b", D + 30, 0, REVIEW, &prio, NULL), 1);
	assert_int_equal(prio, R);
	assert_int_equal(count_kind("cm-b", D + 31, 0, REVIEW, &prio, NULL), 1);
	assert_int_equal(prio, U);
	/* Reassessment of a1: due D + 10 (a2's is D + 33 from D + 3 on). */
	assert_int_equal(count_kind("cm-a", D + 9, 0, REASSESS, NULL, NULL), 0);
	assert_int_equal(count_kind("cm-a", D + 10, 0, REASSESS, &prio, &due), 1);
	assert_int_equal(prio, R);
	assert_int_equal(due, D + 10);
	assert_int_equal(count_kind("cm-a", D + 11, 0, REASSESS, &prio, NULL), 1);
	assert_int_equal(prio, U);
	/* a2: the assessment of D + 3 counts from that day on. */
	assert_int_equal(count_kind("cm-a", D + 2, 0, REASSESS, &prio, &due), 1);
	assert_int_equal(due, D - 10);
	assert_int_equal(prio, U);
	assert_int_equal(count_kind("cm-a", D + 3, 0, REASSESS, NULL, NULL), 0);
	assert_int_equal(count_kind("cm-a", D + 3, 29, REASSESS, NULL, NULL), 1);
	assert_int_equal(count_kind("cm-a", D + 3, 30, REASSESS, &prio, &due), 2);
	assert_int_equal(due, D + 10);
	assert_int_equal(prio, R);
	/* Before any of a1's assessments: due since enrolment. */
	assert_int_equal(count_kind("cm-a", D - 171, 0, REASSESS, &prio, &due), 2);
	assert_int_equal(due, D - 400);
}

static void test_reassessment_intervals(void **state)
{
	static const int32_t def[5] = { 365, 365, 180, 90, 30 };
	int32_t days = 7, t, due = 0;
	(void)state;

	for (t = 0; t <= 4; t++) {
		assert_int_equal(cm_store_reassessment_interval(&days, env.store, t), CM_OK);
		assert_int_equal(days, def[t]);
	}
	days = 7;
	assert_int_equal(cm_store_reassessment_interval(NULL, env.store, 1), CM_EINVAL);
	assert_int_equal(cm_store_reassessment_interval(&days, NULL, 1), CM_EINVAL);
	assert_int_equal(cm_store_reassessment_interval(&days, env.store, -1), CM_ERANGE);
	assert_int_equal(cm_store_reassessment_interval(&days, env.store, 5), CM_ERANGE);
	assert_int_equal(days, 7);
	assert_int_equal(cm_store_set_reassessment_interval(NULL, 1, 10), CM_EINVAL);
	assert_int_equal(cm_store_set_reassessment_interval(env.store, 5, 10), CM_ERANGE);
	assert_int_equal(cm_store_set_reassessment_interval(env.store, -1, 10), CM_ERANGE);
	assert_int_equal(cm_store_set_reassessment_interval(env.store, 2, 0), CM_ERANGE);
	assert_int_equal(cm_store_set_reassessment_interval(env.store, 2, 1097), CM_ERANGE);
	assert_int_equal(cm_store_reassessment_interval(&days, env.store, 2), CM_OK);
	assert_int_equal(days, 180);
	/* a1 is tier 2: 200 days moves its due date to D + 30. */
	assert_int_equal(cm_store_set_reassessment_interval(env.store, 2, 200), CM_OK);
	assert_int_equal(cm_store_set_reassessment_interval(env.store, 4, 1096), CM_OK);
	assert_int_equal(cm_store_set_reassessment_interval(env.store, 4, 1), CM_OK);
	assert_int_equal(count_kind("cm-a", D, 29, REASSESS, NULL, NULL), 1); /* a2 */
	assert_int_equal(count_kind("cm-a", D, 30, REASSESS, NULL, NULL), 2);
	/* a2 is tier 4: 1 day after D - 40. */
	assert_int_equal(count_kind("cm-a", D - 40, 0, REASSESS, NULL, NULL), 0);
	assert_int_equal(count_kind("cm-a", D - 39, 0, REASSESS, NULL, &due), 1);
	assert_int_equal(due, D - 39);
}

/* ---- goal attainment ---------------------------------------------------- */

static void attain(const char *manager, int32_t from, int32_t to, int32_t as_of,
		   int64_t num, int64_t den)
{
	int64_t n = -1, d = -1;
	int32_t m = 0;

	assert_int_equal(cm_measure_compute(&n, &d, &m, env.store,
					    CM_MEASURE_GOAL_ATTAINMENT, from, to, as_of,
					    manager), CM_OK);
	assert_int_equal(n, num);
	assert_int_equal(d, den);
	assert_int_equal(m, CM_DATE_NONE);
}

static void test_goal_attainment(void **state)
{
	(void)state;
	/* Worked example, period D - 60 .. D as of D. Denominator: p1's
	 * g_late, g_ach, g_canc (cancelled counts), g_today (target = as_of),
	 * g_sus, g_lateach, g_flip (7; not g_old, outside the period, nor
	 * the rejected, entered-in-error or undated goals); p2's (on hold);
	 * p3's; p6's (finished case); p7's: 11. p4 (entered in error) and p5
	 * (draft) are ignored. Numerator: g_ach, g_sus (sustaining),
	 * g_lateach, p7's: 4 (g_flip was achieved, then not, on D - 6). */
	attain(NULL, D - 60, D, D, 4, 11);
	attain("cm-a", D - 60, D, D, 3, 10);
	attain("cm-b", D - 60, D, D, 1, 1);
	attain("", D - 60, D, D, 0, 0);
	/* As of D - 7: targets on or before it (8); g_flip still achieved. */
	attain(NULL, D - 60, D, D - 7, 4, 8);
	/* g_lateach was achieved on D - 10: counted as of that day, not the
	 * day before. */
	attain(NULL, D - 60, D, D - 10, 4, 8);
	attain(NULL, D - 60, D, D - 11, 3, 6);
	/* A narrower period. */
	attain(NULL, D - 20, D - 3, D, 3, 7);
	attain(NULL, D - 19, D - 4, D, 1, 4);
	/* Period in the future of as_of: nothing. */
	attain(NULL, D + 1, D + 100, D, 0, 0);
}

/* ---- allocation-failure sweep ------------------------------------------ */

static void sweep_setup(struct th_env *e)
{
	at(e, D - 40);
	fx_client(e, "s1", "cm-s", 4, CM_DATE_NONE);
}

static int sweep_run(struct th_env *e)
{
	cm_plan *p = NULL, *np = NULL;
	cm_assessment *a = NULL, *na = NULL;
	cm_client *c = NULL;
	cm_worklist *wl = NULL;
	cm_txn *txn = NULL;
	const char *g = NULL;
	int64_t n, d;
	uint64_t before;
	int rc;

	FX_TRY(e, rc, cm_plan_new(&p, e->store, "s1"));
	FX_TRY(e, rc, cm_plan_set_text(p, CM_PLAN_AUTHOR, "kim"));
	FX_TRY(e, rc, cm_plan_set_int(p, CM_PLAN_NEXT_REVIEW, D + 1));
	FX_TRY(e, rc, cm_plan_set_status(p, CM_PLAN_ACTIVE, "agreed"));
	FX_TRY(e, rc, cm_plan_add_goal(&g, p, "walk"));
	FX_TRY(e, rc, cm_plan_element_set_int(p, g, CM_ELEMENT_TARGET_DATE, D - 1));
	FX_TRY(e, rc, cm_plan_element_set_status(p, g, CM_GOAL_ACTIVE, "go"));
	FX_TRY(e, rc, cm_assessment_new(&a, e->store, "s1", "phq-2"));
	FX_TRY(e, rc, cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "kim"));
	FX_TRY(e, rc, cm_assessment_set_int(a, CM_ASSESSMENT_TIME, FX_AT(D - 40, 10)));
	FX_TRY(e, rc, cm_assessment_set_answer(a, "q1", 1));
	FX_TRY(e, rc, cm_assessment_set_answer(a, "q2", 1));
	FX_TRY(e, rc, cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "done"));
	/* A client created in the same transaction as its plan and
	 * assessment. */
	FX_TRY(e, rc, cm_client_new(&c, e->store));
	FX_TRY(e, rc, cm_client_set_id(c, "n1"));
	FX_TRY(e, rc, cm_client_set_text(c, CM_CLIENT_FAMILY, "New"));
	FX_TRY(e, rc, cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm-s"));
	FX_TRY(e, rc, cm_client_set_status(c, CM_CASE_ACTIVE, "enrolled"));
	FX_TRY(e, rc, cm_plan_new(&np, e->store, "n1"));
	FX_TRY(e, rc, cm_plan_set_text(np, CM_PLAN_AUTHOR, "kim"));
	FX_TRY(e, rc, cm_plan_set_int(np, CM_PLAN_NEXT_REVIEW, D - 3));
	FX_TRY(e, rc, cm_plan_set_status(np, CM_PLAN_ACTIVE, "agreed"));
	FX_TRY(e, rc, cm_assessment_new(&na, e->store, "n1", "phq-2"));
	FX_TRY(e, rc, cm_assessment_set_text(na, CM_ASSESSMENT_ASSESSOR, "kim"));
	FX_TRY(e, rc, cm_txn_begin(&txn, e->store, "kim"));
	FX_TRY(e, rc, cm_client_save(txn, c));
	FX_TRY(e, rc, cm_plan_save(txn, p));
	FX_TRY(e, rc, cm_plan_save(txn, np));
	FX_TRY(e, rc, cm_assessment_save(txn, a));
	FX_TRY(e, rc, cm_assessment_save(txn, na));
	before = cm__store_digest(e->store);
	rc = cm_txn_commit(txn);
	txn = NULL;
	if (rc) {
		assert_int_equal(rc, CM_ENOMEM);
		assert_true(before == cm__store_digest(e->store));
		goto fail;
	}
	/* n1 (enrolled D - 40, not assessed: its assessment is in
	 * progress): reassessment due D - 40, review D - 3; s1 (tier 4):
	 * reassessment D - 10, goal D - 1, review D + 1. */
	FX_TRY(e, rc, cm_worklist_query(&wl, e->store, "cm-s", D, 14, 0, 0, 0));
	assert_int_equal(cm_worklist_count(wl), 5);
	assert_int_equal(cm_worklist_next(wl), CM_OK);
	assert_int_equal(cm_worklist_kind(wl), CM_WORK_REASSESSMENT_DUE);
	assert_string_equal(cm_worklist_client_id(wl), "n1");
	assert_int_equal(cm_worklist_record_kind(wl), CM_KIND_CLIENT);
	assert_int_equal(cm_worklist_due(wl), D - 40);
	assert_int_equal(cm_worklist_next(wl), CM_OK);
	assert_int_equal(cm_worklist_kind(wl), CM_WORK_REASSESSMENT_DUE);
	assert_string_equal(cm_worklist_client_id(wl), "s1");
	assert_int_equal(cm_worklist_record_kind(wl), CM_KIND_ASSESSMENT);
	assert_int_equal(cm_worklist_next(wl), CM_OK);
	assert_int_equal(cm_worklist_kind(wl), CM_WORK_PLAN_REVIEW_DUE);
	assert_string_equal(cm_worklist_client_id(wl), "n1");
	assert_int_equal(cm_worklist_next(wl), CM_OK);
	assert_int_equal(cm_worklist_kind(wl), CM_WORK_GOAL_PAST_TARGET);
	assert_string_equal(cm_worklist_element_id(wl), "g1");
	FX_TRY(e, rc, cm_measure_compute(&n, &d, NULL, e->store,
					 CM_MEASURE_GOAL_ATTAINMENT, D - 30, D, D,
					 "cm-s"));
	assert_int_equal(n, 0);
	assert_int_equal(d, 1);
fail:
	cm_txn_rollback(txn);
	cm_worklist_free(wl);
	cm_plan_free(p);
	cm_plan_free(np);
	cm_assessment_free(a);
	cm_assessment_free(na);
	cm_client_free(c);
	return rc;
}

static void test_alloc_sweep(void **state)
{
	static const struct fx_scenario sc = { sweep_setup, sweep_run };
	(void)state;
	assert_true(fx_sweep(&sc) > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_and_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_of, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassessment_intervals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_goal_attainment, setup, teardown),
		cmocka_unit_test(test_alloc_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
