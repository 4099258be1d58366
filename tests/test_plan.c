/*
 * Care plans: lifecycles (every refused transition of plans, goals and
 * interventions), approval policy, revisions, elements and links, progress
 * notes, the plan checker, the GAS T-score, bad input (which changes
 * nothing) and an allocation-failure sweep.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "store/store_impl.h"

static struct th_env env;
static cm_client *client;

static int setup(void **state)
{
	cm_txn *txn;
	(void)state;
	th_open(&env);
	assert_int_equal(cm_client_new(&client, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(client, CM_CLIENT_FAMILY, "Doe"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "tester"), CM_OK);
	assert_int_equal(cm_client_save(txn, client), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cm_client_free(client);
	th_close(&env);
	return 0;
}

static cm_plan *new_plan(void)
{
	cm_plan *p;
	assert_int_equal(cm_plan_new(&p, env.store, cm_client_id(client)), CM_OK);
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_AUTHOR, "cm-1"), CM_OK);
	return p;
}

static int save(cm_plan *p)
{
	cm_txn *txn;
	int rc;
	assert_int_equal(cm_txn_begin(&txn, env.store, "cm-1"), CM_OK);
	rc = cm_plan_save(txn, p);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	return rc;
}

/* The save fails with rc and the store is unchanged. */
static void save_fails(cm_plan *p, int rc)
{
	uint64_t d = cm__store_digest(env.store);
	assert_int_equal(save(p), rc);
	assert_int_equal(cm__store_digest(env.store), d);
}

/* ---- codes ------------------------------------------------------------- */

static void test_codes(void **state)
{
	int32_t v;
	(void)state;
	assert_string_equal(cm_plan_status_code(CM_PLAN_ON_HOLD), "on-hold");
	assert_string_equal(cm_plan_status_code(CM_PLAN_ENTERED_IN_ERROR), "entered-in-error");
	assert_null(cm_plan_status_code(7));
	assert_string_equal(cm_plan_intent_code(CM_PLAN_INTENT_ORDER), "order");
	assert_null(cm_plan_intent_code(0));
	assert_string_equal(cm_goal_status_code(CM_GOAL_REJECTED), "rejected");
	assert_null(cm_goal_status_code(10));
	assert_string_equal(cm_goal_achievement_code(CM_ACHIEVEMENT_NOT_ATTAINABLE), "not-attainable");
	assert_null(cm_goal_achievement_code(0));
	assert_string_equal(cm_activity_status_code(CM_ACTIVITY_NOT_STARTED), "not-started");
	assert_null(cm_activity_status_code(9));
	assert_int_equal(cm_plan_status_parse(&v, "revoked"), CM_OK);
	assert_int_equal(v, CM_PLAN_REVOKED);
	assert_int_equal(cm_goal_status_parse(&v, "on-hold"), CM_OK);
	assert_int_equal(v, CM_GOAL_ON_HOLD);
	assert_int_equal(cm_activity_status_parse(&v, "stopped"), CM_OK);
	assert_int_equal(v, CM_ACTIVITY_STOPPED);
	assert_int_equal(cm_plan_status_parse(&v, "unknown"), CM_ERANGE);
	assert_int_equal(cm_goal_status_parse(NULL, "active"), CM_EINVAL);
	assert_int_equal(cm_activity_status_parse(&v, NULL), CM_EINVAL);
	assert_string_equal(cm_kind_name(CM_KIND_PLAN), "plan");
}

/* ---- the plan record --------------------------------------------------- */

static void test_create_and_revisions(void **state)
{
	cm_plan *p = new_plan(), *old;
	int64_t v;
	char id[64];
	(void)state;
	assert_int_equal(cm_plan_status(p), CM_PLAN_DRAFT);
	assert_int_equal(cm_plan_get_int(&v, p, CM_PLAN_INTENT), CM_OK);
	assert_int_equal(v, CM_PLAN_INTENT_PLAN);
	assert_int_equal(cm_plan_set_int(p, CM_PLAN_PERIOD_START, TH_D0), CM_OK);
	assert_int_equal(cm_plan_set_int(p, CM_PLAN_NEXT_REVIEW, TH_D0 + 90), CM_OK);
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_TITLE, "Plan of care"), CM_OK);
	assert_int_equal(save(p), CM_OK);
	strcpy(id, cm_plan_id(p));
	assert_int_equal(cm_plan_revision(p), 1);
	assert_string_equal(cm_plan_client_id(p), cm_client_id(client));

	/* Every committed change is a revision; earlier ones stay, with the
	 * elements they had. */
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_TITLE, "Revised"), CM_OK);
	assert_int_equal(cm_plan_add_goal(NULL, p, "walk daily"), CM_OK);
	env.clock.now += 3600;
	assert_int_equal(save(p), CM_OK);
	assert_int_equal(cm_plan_revision(p), 2);
	assert_int_equal(cm_plan_updated(p), TH_T0 + 3600);
	assert_int_equal(cm_plan_created(p), TH_T0);
	assert_int_equal(cm_plan_get_revision(&old, env.store, id, 1), CM_OK);
	assert_string_equal(cm_plan_text(old, CM_PLAN_TITLE), "Plan of care");
	assert_int_equal(cm_plan_element_count(old, CM_ELEMENT_GOAL), 0);
	save_fails(old, CM_ECONFLICT);
	cm_plan_free(old);
	assert_int_equal(cm_plan_get(&old, env.store, id), CM_OK);
	assert_string_equal(cm_plan_text(old, CM_PLAN_TITLE), "Revised");
	assert_string_equal(cm_plan_element_text(old, "g1", CM_ELEMENT_DESCRIPTION), "walk daily");
	cm_plan_free(old);
	assert_int_equal(cm_plan_get_revision(&old, env.store, id, 3), CM_ENOTFOUND);
	assert_int_equal(cm_plan_get(&old, env.store, "nope"), CM_ENOTFOUND);
	cm_plan_free(p);
}

static void test_plan_bad_input(void **state)
{
	cm_plan *p;
	int64_t v;
	(void)state;
	assert_int_equal(cm_plan_new(NULL, env.store, "x"), CM_EINVAL);
	assert_int_equal(cm_plan_new(&p, NULL, "x"), CM_EINVAL);
	assert_int_equal(cm_plan_new(&p, env.store, NULL), CM_EINVAL);
	assert_int_equal(cm_plan_new(&p, env.store, ""), CM_EINVAL);

	/* No author; unknown client; period ends before it starts. */
	assert_int_equal(cm_plan_new(&p, env.store, cm_client_id(client)), CM_OK);
	save_fails(p, CM_EINCOMPLETE);
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_AUTHOR, "cm"), CM_OK);
	assert_int_equal(cm_plan_set_int(p, CM_PLAN_PERIOD_START, TH_D0), CM_OK);
	assert_int_equal(cm_plan_set_int(p, CM_PLAN_PERIOD_END, TH_D0 - 1), CM_OK);
	save_fails(p, CM_EDATE);
	assert_int_equal(cm_plan_set_int(p, CM_PLAN_PERIOD_END, TH_D0), CM_OK);
	assert_int_equal(cm_plan_set_int(p, CM_PLAN_INTENT, 5), CM_ERANGE);
	assert_int_equal(cm_plan_set_int(p, CM_PLAN_NEXT_REVIEW, CM_DATE_MAX + 1), CM_EDATE);
	assert_int_equal(cm_plan_set_int(p, 99, 1), CM_ERANGE);
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_TITLE, "\xc0\xaf"), CM_EUTF8);
	assert_int_equal(cm_plan_set_text(p, 99, "x"), CM_ERANGE);
	assert_int_equal(cm_plan_get_int(&v, p, CM_PLAN_INTENT), CM_OK);
	assert_int_equal(v, CM_PLAN_INTENT_PLAN);
	assert_int_equal(cm_plan_get_int(NULL, p, CM_PLAN_INTENT), CM_EINVAL);
	assert_int_equal(cm_plan_save(NULL, p), CM_EINVAL);
	assert_null(cm_plan_text(p, CM_PLAN_TITLE));
	cm_plan_free(p);
	assert_int_equal(cm_plan_new(&p, env.store, "no-client"), CM_OK);
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_AUTHOR, "cm"), CM_OK);
	save_fails(p, CM_ENOTFOUND);
	cm_plan_free(p);

	/* NULL and foreign handles. */
	assert_null(cm_plan_id(NULL));
	assert_int_equal(cm_plan_status(NULL), 0);
	assert_null(cm_plan_id((const cm_plan *)(const void *)client));
	assert_int_equal(cm_plan_set_status((cm_plan *)(void *)client, 2, "r"), CM_EINVAL);
	cm_plan_free(NULL);
}

static void test_plan_transitions(void **state)
{
	static const int allowed[7][7] = {
		/*        -  dr ac oh rv co eie */
		[1] = { 0, 0, 1, 0, 1, 0, 1 },
		[2] = { 0, 0, 0, 1, 1, 1, 1 },
		[3] = { 0, 0, 1, 0, 1, 1, 1 },
		[4] = { 0, 0, 0, 0, 0, 0, 1 },
		[5] = { 0, 0, 0, 0, 0, 0, 1 },
		[6] = { 0 },
	};
	static const int32_t path[7][2] = {
		[1] = { 0 }, [2] = { 2 }, [3] = { 2, 3 }, [4] = { 4 },
		[5] = { 2, 5 }, [6] = { 6 },
	};
	int32_t from, to, f, t;
	size_t k;
	const char *actor, *reason;
	int64_t time;
	(void)state;
	for (from = 1; from <= 6; from++)
		for (to = 1; to <= 6; to++) {
			cm_plan *p = new_plan();
			size_t before;
			for (k = 0; k < 2 && path[from][k]; k++)
				assert_int_equal(cm_plan_set_status(p, path[from][k], "r"), CM_OK);
			before = cm_plan_status_history_count(p);
			assert_int_equal(cm_plan_set_status(p, to, "why"),
					 allowed[from][to] ? CM_OK : CM_ETRANSITION);
			if (!allowed[from][to]) {
				assert_int_equal(cm_plan_status(p), from);
				assert_int_equal(cm_plan_status_history_count(p), before);
			}
			cm_plan_free(p);
		}
	{
		cm_plan *p = new_plan();
		assert_int_equal(cm_plan_set_status(p, CM_PLAN_ACTIVE, "agreed"), CM_OK);
		assert_int_equal(save(p), CM_OK);
		assert_int_equal(cm_plan_status_history_at(&f, &t, &time, &actor, &reason, p, 0), CM_OK);
		assert_int_equal(f, CM_PLAN_DRAFT);
		assert_int_equal(t, CM_PLAN_ACTIVE);
		assert_int_equal(time, TH_T0);
		assert_string_equal(actor, "cm-1");
		assert_string_equal(reason, "agreed");
		assert_int_equal(cm_plan_status_history_at(NULL, NULL, NULL, NULL, NULL, p, 1), CM_ERANGE);
		assert_int_equal(cm_plan_set_status(p, 0, "r"), CM_ERANGE);
		assert_int_equal(cm_plan_set_status(p, CM_PLAN_ON_HOLD, ""), CM_EINVAL);
		cm_plan_free(p);
	}
}

static void test_approval(void **state)
{
	cm_plan *p = new_plan();
	const char *who;
	int64_t when;
	(void)state;
	assert_int_equal(cm_store_set_plan_approval_required(env.store, 2), CM_EINVAL);
	assert_int_equal(cm_store_set_plan_approval_required(NULL, 1), CM_EINVAL);
	assert_int_equal(cm_store_set_plan_approval_required(env.store, 1), CM_OK);
	assert_int_equal(cm_plan_approval(&who, &when, p), CM_ENOTFOUND);
	assert_int_equal(cm_plan_set_status(p, CM_PLAN_ACTIVE, "start"), CM_EINCOMPLETE);
	assert_int_equal(cm_plan_status(p), CM_PLAN_DRAFT);
	assert_int_equal(cm_plan_status_history_count(p), 0);
	/* Bad approvals change nothing. */
	assert_int_equal(cm_plan_approve(p, NULL, TH_T0), CM_EINVAL);
	assert_int_equal(cm_plan_approve(p, "", TH_T0), CM_EINVAL);
	assert_int_equal(cm_plan_approve(p, "Dr \xff", TH_T0), CM_EUTF8);
	assert_int_equal(cm_plan_approve(p, "Dr A", CM_TIME_MAX + 1), CM_EDATE);
	assert_int_equal(cm_plan_approve(NULL, "Dr A", TH_T0), CM_EINVAL);
	assert_int_equal(cm_plan_approval(NULL, NULL, p), CM_ENOTFOUND);
	assert_int_equal(cm_plan_approve(p, "Dr A", TH_T0 - 60), CM_OK);
	assert_int_equal(cm_plan_approval(&who, &when, p), CM_OK);
	assert_string_equal(who, "Dr A");
	assert_int_equal(when, TH_T0 - 60);
	assert_int_equal(cm_plan_set_status(p, CM_PLAN_ACTIVE, "start"), CM_OK);
	assert_int_equal(save(p), CM_OK);
	/* Later saves of the active plan are not affected. */
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_TITLE, "t"), CM_OK);
	assert_int_equal(save(p), CM_OK);
	cm_plan_free(p);

	/* Activated while the policy was off, saved after it was turned on:
	 * refused at save. */
	assert_int_equal(cm_store_set_plan_approval_required(env.store, 0), CM_OK);
	p = new_plan();
	assert_int_equal(cm_plan_set_status(p, CM_PLAN_ACTIVE, "start"), CM_OK);
	assert_int_equal(cm_store_set_plan_approval_required(env.store, 1), CM_OK);
	save_fails(p, CM_EINCOMPLETE);
	cm_plan_free(p);

	/* Without the policy no approval is needed; a revoked plan cannot
	 * be approved. */
	assert_int_equal(cm_store_set_plan_approval_required(env.store, 0), CM_OK);
	p = new_plan();
	assert_int_equal(cm_plan_set_status(p, CM_PLAN_ACTIVE, "start"), CM_OK);
	assert_int_equal(cm_plan_set_status(p, CM_PLAN_REVOKED, "moved"), CM_OK);
	assert_int_equal(cm_plan_approve(p, "Dr A", TH_T0), CM_ESTATE);
	assert_int_equal(cm_plan_approval(NULL, NULL, NULL), CM_EINVAL);
	cm_plan_free(p);
}

/* ---- elements ---------------------------------------------------------- */

static char assessment_id[64];

static void commit_assessment(void)
{
	cm_assessment *a;
	cm_txn *txn;
	assert_int_equal(cm_assessment_new(&a, env.store, cm_client_id(client), "sdoh"), CM_OK);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "sw-1"), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "food-insecurity", 2), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "sw-1"), CM_OK);
	assert_int_equal(cm_assessment_save(txn, a), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	strcpy(assessment_id, cm_assessment_id(a));
	cm_assessment_free(a);
}

static void test_elements(void **state)
{
	cm_plan *p = new_plan();
	const char *pid, *gid, *iid, *s;
	char prob[16], goal[16], iv[16];
	int64_t v;
	int32_t st;
	(void)state;
	commit_assessment();
	assert_int_equal(cm_plan_add_problem(&pid, p, "Not enough food", assessment_id,
					     "food-insecurity"), CM_OK);
	strcpy(prob, pid);
	assert_string_equal(prob, "p1");
	assert_int_equal(cm_plan_add_goal(&gid, p, "Reliable food supply"), CM_OK);
	strcpy(goal, gid);
	assert_string_equal(goal, "g2");
	assert_int_equal(cm_plan_add_intervention(&iid, p, "Refer to food bank",
						  CM_RESPONSIBLE_CARE_TEAM, "sw-1"), CM_OK);
	strcpy(iv, iid);
	assert_string_equal(iv, "i3");
	assert_int_equal(cm_plan_element_count(p, CM_ELEMENT_PROBLEM), 1);
	assert_int_equal(cm_plan_element_count(p, CM_ELEMENT_GOAL), 1);
	assert_int_equal(cm_plan_element_count(p, CM_ELEMENT_INTERVENTION), 1);
	assert_int_equal(cm_plan_element_count(p, 'x'), 0);
	assert_string_equal(cm_plan_element_id(p, CM_ELEMENT_GOAL, 0), "g2");
	assert_null(cm_plan_element_id(p, CM_ELEMENT_GOAL, 1));
	assert_string_equal(cm_plan_element_text(p, prob, CM_ELEMENT_FINDING_DOMAIN), "food-insecurity");
	assert_string_equal(cm_plan_element_text(p, prob, CM_ELEMENT_FINDING_SOURCE), assessment_id);

	/* Goal fields. */
	assert_int_equal(cm_plan_element_set_text(p, goal, CM_ELEMENT_MEASURE, "meals per day"), CM_OK);
	assert_int_equal(cm_plan_element_set_text(p, goal, CM_ELEMENT_TARGET_VALUE, ">= 3"), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, goal, CM_ELEMENT_TARGET_DATE, TH_D0 + 30), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, goal, CM_ELEMENT_PRIORITY, CM_PRIORITY_HIGH), CM_OK);
	assert_int_equal(cm_plan_goal_set_achievement(p, goal, CM_ACHIEVEMENT_IN_PROGRESS, "started"), CM_OK);
	/* Only through its own setter, which keeps the history. */
	assert_int_equal(cm_plan_element_set_int(p, goal, CM_ELEMENT_ACHIEVEMENT, CM_ACHIEVEMENT_ACHIEVED), CM_EINVAL);
	assert_int_equal(cm_plan_element_get_int(&v, p, goal, CM_ELEMENT_TARGET_DATE), CM_OK);
	assert_int_equal(v, TH_D0 + 30);
	assert_string_equal(cm_plan_element_text(p, goal, CM_ELEMENT_MEASURE), "meals per day");
	/* Intervention fields. */
	assert_int_equal(cm_plan_element_set_int(p, iv, CM_ELEMENT_DUE_DATE, TH_D0 + 7), CM_OK);
	assert_int_equal(cm_plan_element_get_int(&v, p, iv, CM_ELEMENT_RESPONSIBLE_KIND), CM_OK);
	assert_int_equal(v, CM_RESPONSIBLE_CARE_TEAM);
	assert_string_equal(cm_plan_element_text(p, iv, CM_ELEMENT_RESPONSIBLE), "sw-1");

	/* Links. */
	assert_int_equal(cm_plan_link(p, goal, prob), CM_OK);
	assert_int_equal(cm_plan_link(p, goal, prob), CM_OK); /* no-op */
	assert_int_equal(cm_plan_link(p, iv, goal), CM_OK);
	assert_int_equal(cm_plan_link_count(p, goal), 1);
	assert_string_equal(cm_plan_link_at(p, goal, 0), prob);
	assert_string_equal(cm_plan_link_at(p, iv, 0), goal);
	assert_null(cm_plan_link_at(p, iv, 1));
	assert_int_equal(cm_plan_link_count(p, prob), 0);

	/* Statuses and notes, filled in at commit. */
	assert_int_equal(cm_plan_element_set_status(p, goal, CM_GOAL_ACTIVE, "agreed"), CM_OK);
	assert_int_equal(cm_plan_element_set_status(p, iv, CM_ACTIVITY_SCHEDULED, "booked"), CM_OK);
	assert_int_equal(cm_plan_goal_add_note(p, goal, "Visited food bank once"), CM_OK);
	assert_int_equal(cm_plan_goal_note_at(&v, &s, NULL, NULL, p, goal, 0), CM_OK);
	assert_int_equal(v, CM_TIME_NONE);
	assert_null(s);
	env.clock.now = TH_T0 + 120;
	assert_int_equal(save(p), CM_OK);
	{
		int32_t f, t, ach;
		int64_t time;
		const char *actor, *reason, *text;
		assert_int_equal(cm_plan_element_history_count(p, goal), 1);
		assert_int_equal(cm_plan_element_history_at(&f, &t, &time, &actor, &reason, p, goal, 0), CM_OK);
		assert_int_equal(f, CM_GOAL_PROPOSED);
		assert_int_equal(t, CM_GOAL_ACTIVE);
		assert_int_equal(time, TH_T0 + 120);
		assert_string_equal(actor, "cm-1");
		assert_string_equal(reason, "agreed");
		assert_int_equal(cm_plan_element_history_at(&f, &t, &time, &actor, &reason, p, iv, 0), CM_OK);
		assert_int_equal(t, CM_ACTIVITY_SCHEDULED);
		assert_string_equal(actor, "cm-1");
		assert_int_equal(cm_plan_goal_note_count(p, goal), 1);
		assert_int_equal(cm_plan_goal_note_at(&time, &actor, &text, &ach, p, goal, 0), CM_OK);
		assert_int_equal(time, TH_T0 + 120);
		assert_string_equal(actor, "cm-1");
		assert_string_equal(text, "Visited food bank once");
		assert_int_equal(ach, CM_ACHIEVEMENT_IN_PROGRESS);
		assert_int_equal(cm_plan_goal_note_at(NULL, NULL, NULL, NULL, p, goal, 1), CM_ERANGE);
		assert_int_equal(cm_plan_goal_achievement_history_count(p, goal), 1);
		assert_int_equal(cm_plan_goal_achievement_history_at(&f, &t, &time, &actor, &reason, p, goal, 0), CM_OK);
		assert_int_equal(f, CM_ACHIEVEMENT_NONE);
		assert_int_equal(t, CM_ACHIEVEMENT_IN_PROGRESS);
		assert_int_equal(time, TH_T0 + 120);
		assert_string_equal(actor, "cm-1");
		assert_string_equal(reason, "started");
	}
	/* Achievement: refused changes leave the goal as it was. */
	assert_int_equal(cm_plan_goal_set_achievement(p, goal, CM_ACHIEVEMENT_IN_PROGRESS, "again"), CM_ETRANSITION);
	assert_int_equal(cm_plan_goal_set_achievement(p, goal, CM_ACHIEVEMENT_NONE, "unset"), CM_ERANGE);
	assert_int_equal(cm_plan_goal_set_achievement(p, goal, 10, "r"), CM_ERANGE);
	assert_int_equal(cm_plan_goal_set_achievement(p, goal, CM_ACHIEVEMENT_IMPROVING, ""), CM_EINVAL);
	assert_int_equal(cm_plan_goal_set_achievement(p, iv, CM_ACHIEVEMENT_IMPROVING, "r"), CM_EINVAL);
	assert_int_equal(cm_plan_goal_set_achievement(p, "g99", CM_ACHIEVEMENT_IMPROVING, "r"), CM_ENOTFOUND);
	assert_int_equal(cm_plan_goal_set_achievement(NULL, goal, CM_ACHIEVEMENT_IMPROVING, "r"), CM_EINVAL);
	assert_int_equal(cm_plan_goal_achievement_history_count(p, goal), 1);
	assert_int_equal(cm_plan_goal_achievement_history_count(p, iv), 0);
	assert_int_equal(cm_plan_goal_achievement_history_at(NULL, NULL, NULL, NULL, NULL, p, goal, 1), CM_ERANGE);
	assert_int_equal(cm_plan_goal_achievement_history_at(NULL, NULL, NULL, NULL, NULL, p, iv, 0), CM_EINVAL);
	assert_int_equal(cm_plan_element_get_int(&v, p, goal, CM_ELEMENT_ACHIEVEMENT), CM_OK);
	assert_int_equal(v, CM_ACHIEVEMENT_IN_PROGRESS);
	assert_int_equal(cm_plan_goal_set_achievement(p, goal, CM_ACHIEVEMENT_IMPROVING, "3 meals most days"), CM_OK);
	assert_int_equal(cm_plan_element_status(&st, p, goal), CM_OK);
	assert_int_equal(st, CM_GOAL_ACTIVE);
	assert_int_equal(cm_plan_element_status(&st, p, prob), CM_EINVAL);
	cm_plan_free(p);
}

static void test_element_bad_input(void **state)
{
	cm_plan *p = new_plan();
	const char *id;
	char goal[16], prob[16], iv[16];
	int64_t v;
	uint64_t d;
	char big[1100];
	(void)state;
	commit_assessment();
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cm_plan_add_problem(&id, p, NULL, NULL, NULL), CM_EINVAL);
	assert_int_equal(cm_plan_add_problem(&id, p, "", NULL, NULL), CM_EINVAL);
	assert_int_equal(cm_plan_add_problem(&id, p, big, NULL, NULL), CM_ETOOLONG);
	assert_int_equal(cm_plan_add_problem(&id, p, "x", assessment_id, NULL), CM_EINVAL);
	assert_int_equal(cm_plan_add_problem(&id, p, "x", NULL, "food-insecurity"), CM_EINVAL);
	assert_int_equal(cm_plan_add_problem(&id, p, "x", "no-such", "food-insecurity"), CM_ENOTFOUND);
	assert_int_equal(cm_plan_add_problem(&id, p, "x", assessment_id, "homelessness"), CM_ENOTFOUND);
	assert_int_equal(cm_plan_add_goal(&id, p, NULL), CM_EINVAL);
	assert_int_equal(cm_plan_add_goal(&id, p, "\xff"), CM_EUTF8);
	assert_int_equal(cm_plan_add_intervention(&id, p, "x", 0, "a"), CM_ERANGE);
	assert_int_equal(cm_plan_add_intervention(&id, p, "x", 5, "a"), CM_ERANGE);
	assert_int_equal(cm_plan_add_intervention(&id, p, "x", CM_RESPONSIBLE_PROVIDER, NULL), CM_EINVAL);
	assert_int_equal(cm_plan_add_intervention(&id, p, NULL, CM_RESPONSIBLE_CLIENT, NULL), CM_EINVAL);
	assert_int_equal(cm_plan_add_goal(NULL, NULL, "x"), CM_EINVAL);
	/* Nothing was added, and no element id was used up. */
	assert_int_equal(cm_plan_element_count(p, CM_ELEMENT_PROBLEM) + cm_plan_element_count(p, CM_ELEMENT_GOAL) +
			 cm_plan_element_count(p, CM_ELEMENT_INTERVENTION), 0);
	assert_int_equal(cm_plan_add_problem(&id, p, "x", NULL, NULL), CM_OK);
	strcpy(prob, id);
	assert_string_equal(prob, "p1");
	assert_int_equal(cm_plan_add_goal(&id, p, "g"), CM_OK);
	strcpy(goal, id);
	assert_int_equal(cm_plan_add_intervention(NULL, p, "i", CM_RESPONSIBLE_CLIENT, NULL), CM_OK);
	strcpy(iv, cm_plan_element_id(p, CM_ELEMENT_INTERVENTION, 0));

	/* Fields that do not belong to the element, or bad values. */
	assert_int_equal(cm_plan_element_set_text(p, prob, CM_ELEMENT_MEASURE, "x"), CM_ERANGE);
	assert_int_equal(cm_plan_element_set_int(p, prob, CM_ELEMENT_PRIORITY, 1), CM_ERANGE);
	assert_int_equal(cm_plan_element_set_int(p, goal, CM_ELEMENT_PRIORITY, 4), CM_ERANGE);
	assert_int_equal(cm_plan_element_set_int(p, goal, CM_ELEMENT_GAS_LEVEL, 3), CM_ERANGE);
	assert_int_equal(cm_plan_element_set_int(p, goal, CM_ELEMENT_GAS_WEIGHT, -1), CM_ERANGE);
	assert_int_equal(cm_plan_element_set_int(p, goal, CM_ELEMENT_TARGET_DATE, CM_DATE_MIN - 1), CM_EDATE);
	assert_int_equal(cm_plan_element_set_int(p, iv, CM_ELEMENT_RESPONSIBLE_KIND, 9), CM_ERANGE);
	assert_int_equal(cm_plan_element_set_text(p, "g99", CM_ELEMENT_MEASURE, "x"), CM_ENOTFOUND);
	assert_int_equal(cm_plan_element_set_text(p, NULL, CM_ELEMENT_MEASURE, "x"), CM_EINVAL);
	assert_int_equal(cm_plan_element_get_int(&v, p, "", CM_ELEMENT_PRIORITY), CM_ENOTFOUND);
	assert_int_equal(cm_plan_element_get_int(NULL, p, goal, CM_ELEMENT_PRIORITY), CM_EINVAL);
	assert_null(cm_plan_element_text(p, "zz", CM_ELEMENT_DESCRIPTION));
	assert_int_equal(cm_plan_element_get_int(&v, p, goal, CM_ELEMENT_PRIORITY), CM_OK);
	assert_int_equal(v, CM_PRIORITY_NONE);

	/* Links in the wrong direction or between the wrong kinds. */
	assert_int_equal(cm_plan_link(p, prob, goal), CM_EINVAL);
	assert_int_equal(cm_plan_link(p, goal, iv), CM_EINVAL);
	assert_int_equal(cm_plan_link(p, iv, prob), CM_EINVAL);
	assert_int_equal(cm_plan_link(p, goal, goal), CM_EINVAL);
	assert_int_equal(cm_plan_link(p, goal, "p9"), CM_ENOTFOUND);
	assert_int_equal(cm_plan_link(NULL, goal, prob), CM_EINVAL);
	assert_int_equal(cm_plan_link_count(p, goal), 0);

	/* Statuses and notes. */
	assert_int_equal(cm_plan_element_set_status(p, prob, 1, "r"), CM_EINVAL);
	assert_int_equal(cm_plan_element_set_status(p, goal, 10, "r"), CM_ERANGE);
	assert_int_equal(cm_plan_element_set_status(p, goal, CM_GOAL_ACTIVE, NULL), CM_EINVAL);
	assert_int_equal(cm_plan_element_set_status(p, "i99", 1, "r"), CM_ENOTFOUND);
	assert_int_equal(cm_plan_element_history_count(p, prob), 0);
	assert_int_equal(cm_plan_element_history_at(NULL, NULL, NULL, NULL, NULL, p, goal, 0), CM_ERANGE);
	assert_int_equal(cm_plan_goal_add_note(p, iv, "x"), CM_EINVAL);
	assert_int_equal(cm_plan_goal_add_note(p, goal, ""), CM_EINVAL);
	assert_int_equal(cm_plan_goal_add_note(p, "g77", "x"), CM_ENOTFOUND);
	assert_int_equal(cm_plan_goal_note_count(p, iv), 0);

	/* A saved plan: failing element calls leave the handle unstaged and
	 * the store unchanged. */
	assert_int_equal(save(p), CM_OK);
	d = cm__store_digest(env.store);
	assert_int_equal(cm_plan_link(p, iv, prob), CM_EINVAL);
	assert_int_equal(cm_plan_element_set_status(p, goal, CM_GOAL_COMPLETED, "r"), CM_ETRANSITION);
	assert_int_equal(cm_plan_goal_add_note(p, goal, NULL), CM_EINVAL);
	assert_int_equal(cm__store_digest(env.store), d);
	assert_int_equal(cm_plan_link_count(p, iv), 0);
	assert_int_equal(cm_plan_goal_note_count(p, goal), 0);

	/* A completed plan takes no new elements. */
	assert_int_equal(cm_plan_set_status(p, CM_PLAN_ACTIVE, "r"), CM_OK);
	assert_int_equal(cm_plan_set_status(p, CM_PLAN_COMPLETED, "r"), CM_OK);
	assert_int_equal(cm_plan_add_goal(&id, p, "late"), CM_ESTATE);
	cm_plan_free(p);
}

static void test_element_limits(void **state)
{
	cm_plan *p = new_plan();
	const char *g, *pr;
	char goal[16], num[16];
	int i;
	(void)state;
	assert_int_equal(cm_plan_add_goal(&g, p, "g"), CM_OK);
	strcpy(goal, g);
	for (i = 0; i < 255; i++)
		assert_int_equal(cm_plan_add_goal(NULL, p, "more"), CM_OK);
	assert_int_equal(cm_plan_add_goal(NULL, p, "one too many"), CM_ERANGE);
	for (i = 0; i < 64; i++) {
		assert_int_equal(cm_plan_add_problem(&pr, p, "p", NULL, NULL), CM_OK);
		strcpy(num, pr);
		assert_int_equal(cm_plan_link(p, goal, num), CM_OK);
	}
	assert_int_equal(cm_plan_add_problem(&pr, p, "p", NULL, NULL), CM_OK);
	strcpy(num, pr);
	assert_int_equal(cm_plan_link(p, goal, num), CM_ERANGE);
	cm_plan_free(p);
}

static void test_goal_transitions(void **state)
{
	/* proposed planned accepted active on-hold completed cancelled eie rejected */
	static const int allowed[10][10] = {
		[1] = { 0, 0, 1, 1, 1, 0, 0, 1, 1, 1 },
		[2] = { 0, 0, 0, 1, 1, 1, 0, 1, 1, 0 },
		[3] = { 0, 0, 0, 0, 1, 1, 0, 1, 1, 0 },
		[4] = { 0, 0, 0, 0, 0, 1, 1, 1, 1, 0 },
		[5] = { 0, 0, 0, 0, 1, 0, 0, 1, 1, 0 },
		[6] = { 0, 0, 0, 0, 1, 0, 0, 0, 1, 0 },
		[7] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 },
		[8] = { 0 },
		[9] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 },
	};
	static const int32_t path[10][3] = {
		[1] = { 0 }, [2] = { 2 }, [3] = { 3 }, [4] = { 4 }, [5] = { 4, 5 },
		[6] = { 4, 6 }, [7] = { 7 }, [8] = { 8 }, [9] = { 9 },
	};
	int32_t from, to, st;
	size_t k;
	(void)state;
	for (from = 1; from <= 9; from++)
		for (to = 1; to <= 9; to++) {
			cm_plan *p = new_plan();
			const char *g;
			size_t before;
			char goal[16];
			assert_int_equal(cm_plan_add_goal(&g, p, "goal"), CM_OK);
			strcpy(goal, g);
			for (k = 0; k < 3 && path[from][k]; k++)
				assert_int_equal(cm_plan_element_set_status(p, goal, path[from][k], "r"), CM_OK);
			before = cm_plan_element_history_count(p, goal);
			assert_int_equal(cm_plan_element_set_status(p, goal, to, "r"),
					 allowed[from][to] ? CM_OK : CM_ETRANSITION);
			if (!allowed[from][to]) {
				assert_int_equal(cm_plan_element_status(&st, p, goal), CM_OK);
				assert_int_equal(st, from);
				assert_int_equal(cm_plan_element_history_count(p, goal), before);
			}
			cm_plan_free(p);
		}
}

static void test_activity_transitions(void **state)
{
	/* not-started scheduled in-progress on-hold completed cancelled stopped eie */
	static const int allowed[9][9] = {
		[1] = { 0, 0, 1, 1, 0, 0, 1, 0, 1 },
		[2] = { 0, 0, 0, 1, 1, 0, 1, 0, 1 },
		[3] = { 0, 0, 0, 0, 1, 1, 0, 1, 1 },
		[4] = { 0, 0, 0, 1, 0, 0, 1, 1, 1 },
		[5] = { 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		[6] = { 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		[7] = { 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		[8] = { 0 },
	};
	static const int32_t path[9][2] = {
		[1] = { 0 }, [2] = { 2 }, [3] = { 3 }, [4] = { 3, 4 }, [5] = { 3, 5 },
		[6] = { 6 }, [7] = { 3, 7 }, [8] = { 8 },
	};
	int32_t from, to, st;
	size_t k;
	(void)state;
	for (from = 1; from <= 8; from++)
		for (to = 1; to <= 8; to++) {
			cm_plan *p = new_plan();
			const char *i;
			size_t before;
			char iv[16];
			assert_int_equal(cm_plan_add_intervention(&i, p, "do", CM_RESPONSIBLE_FAMILY, NULL), CM_OK);
			strcpy(iv, i);
			for (k = 0; k < 2 && path[from][k]; k++)
				assert_int_equal(cm_plan_element_set_status(p, iv, path[from][k], "r"), CM_OK);
			before = cm_plan_element_history_count(p, iv);
			assert_int_equal(cm_plan_element_set_status(p, iv, to, "r"),
					 allowed[from][to] ? CM_OK : CM_ETRANSITION);
			if (!allowed[from][to]) {
				assert_int_equal(cm_plan_element_status(&st, p, iv), CM_OK);
				assert_int_equal(st, from);
				assert_int_equal(cm_plan_element_history_count(p, iv), before);
			}
			cm_plan_free(p);
		}
}

/* ---- checker ----------------------------------------------------------- */

static void expect_issues(cm_plan *p, int32_t as_of, const int32_t *kinds,
			  const char *const *ids, size_t n)
{
	cm_plan_report *r;
	int32_t kind;
	const char *id;
	size_t i;

	assert_int_equal(cm_plan_check(&r, p, as_of), CM_OK);
	assert_int_equal(cm_plan_report_count(r), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(cm_plan_report_at(&kind, &id, r, i), CM_OK);
		assert_int_equal(kind, kinds[i]);
		assert_string_equal(id, ids[i]);
	}
	assert_int_equal(cm_plan_report_at(&kind, &id, r, n), CM_ERANGE);
	cm_plan_report_free(r);
}

static void test_checker(void **state)
{
	cm_plan *p = new_plan();
	cm_plan_report *r;
	(void)state;
	/* p1 (no goal), g2 (addresses p1 later), g3 (no intervention),
	 * i4 (serves nothing), g5 cancelled. */
	assert_int_equal(cm_plan_add_problem(NULL, p, "prob", NULL, NULL), CM_OK);
	assert_int_equal(cm_plan_add_goal(NULL, p, "goal a"), CM_OK);
	assert_int_equal(cm_plan_add_goal(NULL, p, "goal b"), CM_OK);
	assert_int_equal(cm_plan_add_intervention(NULL, p, "do", CM_RESPONSIBLE_CLIENT, NULL), CM_OK);
	assert_int_equal(cm_plan_add_goal(NULL, p, "goal c"), CM_OK);
	assert_int_equal(cm_plan_element_set_status(p, "g5", CM_GOAL_CANCELLED, "dropped"), CM_OK);
	assert_int_equal(cm_plan_set_int(p, CM_PLAN_NEXT_REVIEW, TH_D0 + 30), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g3", CM_ELEMENT_TARGET_DATE, TH_D0 + 10), CM_OK);
	{
		static const int32_t k[] = {
			CM_ISSUE_PROBLEM_WITHOUT_GOAL, CM_ISSUE_GOAL_WITHOUT_INTERVENTION,
			CM_ISSUE_GOAL_WITHOUT_INTERVENTION, CM_ISSUE_INTERVENTION_WITHOUT_GOAL,
		};
		static const char *const ids[] = { "p1", "g2", "g3", "i4" };
		expect_issues(p, TH_D0, k, ids, 4);
	}
	/* Wire it up: only the dates remain, as time passes. */
	assert_int_equal(cm_plan_link(p, "g2", "p1"), CM_OK);
	assert_int_equal(cm_plan_link(p, "i4", "g2"), CM_OK);
	assert_int_equal(cm_plan_link(p, "i4", "g3"), CM_OK);
	expect_issues(p, TH_D0, NULL, NULL, 0);
	expect_issues(p, TH_D0 + 10, NULL, NULL, 0);
	{
		static const int32_t k[] = { CM_ISSUE_GOAL_PAST_TARGET };
		static const char *const ids[] = { "g3" };
		expect_issues(p, TH_D0 + 11, k, ids, 1);
	}
	{
		static const int32_t k[] = { CM_ISSUE_PLAN_PAST_REVIEW, CM_ISSUE_GOAL_PAST_TARGET };
		static const char *const ids[] = { "", "g3" };
		expect_issues(p, TH_D0 + 31, k, ids, 2);
	}
	/* An achieved goal is not overdue; a cancelled goal does not count
	 * as addressing its problem. */
	assert_int_equal(cm_plan_goal_set_achievement(p, "g3", CM_ACHIEVEMENT_ACHIEVED, "done"), CM_OK);
	assert_int_equal(cm_plan_element_set_status(p, "g2", CM_GOAL_CANCELLED, "r"), CM_OK);
	{
		static const int32_t k[] = { CM_ISSUE_PROBLEM_WITHOUT_GOAL };
		static const char *const ids[] = { "p1" };
		expect_issues(p, TH_D0 + 11, k, ids, 1);
	}
	/* An intervention stopped no longer serves its goal. */
	assert_int_equal(cm_plan_element_set_status(p, "i4", CM_ACTIVITY_IN_PROGRESS, "r"), CM_OK);
	assert_int_equal(cm_plan_element_set_status(p, "i4", CM_ACTIVITY_STOPPED, "r"), CM_OK);
	{
		static const int32_t k[] = { CM_ISSUE_PROBLEM_WITHOUT_GOAL,
					     CM_ISSUE_GOAL_WITHOUT_INTERVENTION };
		static const char *const ids[] = { "p1", "g3" };
		expect_issues(p, TH_D0, k, ids, 2);
	}
	assert_int_equal(cm_plan_check(&r, p, CM_DATE_NONE), CM_EDATE);
	assert_int_equal(cm_plan_check(NULL, p, TH_D0), CM_EINVAL);
	assert_int_equal(cm_plan_check(&r, NULL, TH_D0), CM_EINVAL);
	assert_int_equal(cm_plan_report_count(NULL), 0);
	assert_int_equal(cm_plan_report_at(NULL, NULL, NULL, 0), CM_EINVAL);
	cm_plan_report_free(NULL);
	cm_plan_free(p);
}

/* ---- GAS --------------------------------------------------------------- */

static void test_gas(void **state)
{
	cm_plan *p = new_plan();
	int32_t t;
	(void)state;
	assert_int_equal(cm_plan_gas_tscore(&t, p), CM_EINCOMPLETE);
	assert_int_equal(cm_plan_add_goal(NULL, p, "a"), CM_OK);
	assert_int_equal(cm_plan_add_goal(NULL, p, "b"), CM_OK);
	assert_int_equal(cm_plan_add_goal(NULL, p, "c"), CM_OK);
	assert_int_equal(cm_plan_gas_tscore(&t, p), CM_EINCOMPLETE);
	assert_int_equal(cm_plan_element_set_int(p, "g1", CM_ELEMENT_GAS_WEIGHT, 1), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g2", CM_ELEMENT_GAS_WEIGHT, 1), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g3", CM_ELEMENT_GAS_WEIGHT, 1), CM_OK);
	/* All at the expected level: 50. */
	assert_int_equal(cm_plan_gas_tscore(&t, p), CM_OK);
	assert_int_equal(t, 5000);
	/* +1, +1, 0 with equal weights: 50 + 10*2/sqrt(0.7*3 + 0.3*9). */
	assert_int_equal(cm_plan_element_set_int(p, "g1", CM_ELEMENT_GAS_LEVEL, 1), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g2", CM_ELEMENT_GAS_LEVEL, 1), CM_OK);
	assert_int_equal(cm_plan_gas_tscore(&t, p), CM_OK);
	assert_int_equal(t, 5913); /* 59.1287 */
	/* All at -2, equal weights: 50 + 10*(-6)/sqrt(2.1 + 2.7) = 22.614. */
	assert_int_equal(cm_plan_element_set_int(p, "g1", CM_ELEMENT_GAS_LEVEL, -2), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g2", CM_ELEMENT_GAS_LEVEL, -2), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g3", CM_ELEMENT_GAS_LEVEL, -2), CM_OK);
	assert_int_equal(cm_plan_gas_tscore(&t, p), CM_OK);
	assert_int_equal(t, 2261); /* 22.6139 */
	/* Weights: g1 weight 3 at +2, g2 weight 1 at -1, g3 unscaled:
	 * 50 + 10*5/sqrt(0.7*10 + 0.3*16) = 64.5556. */
	assert_int_equal(cm_plan_element_set_int(p, "g1", CM_ELEMENT_GAS_WEIGHT, 3), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g1", CM_ELEMENT_GAS_LEVEL, 2), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g2", CM_ELEMENT_GAS_LEVEL, -1), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g3", CM_ELEMENT_GAS_WEIGHT, 0), CM_OK);
	assert_int_equal(cm_plan_gas_tscore(&t, p), CM_OK);
	assert_int_equal(t, 6456); /* 64.5556 */
	/* Entered-in-error goals are left out. */
	assert_int_equal(cm_plan_element_set_status(p, "g2", CM_GOAL_ENTERED_IN_ERROR, "dup"), CM_OK);
	assert_int_equal(cm_plan_gas_tscore(&t, p), CM_OK);
	assert_int_equal(t, 7000); /* 50 + 60 / sqrt(0.7*9 + 0.3*9) */
	assert_int_equal(cm_plan_gas_tscore(NULL, p), CM_EINVAL);
	assert_int_equal(cm_plan_gas_tscore(&t, NULL), CM_EINVAL);
	cm_plan_free(p);
}

/* ---- rarely used goal members: out of line, read back from storage ---- */

/* Append to buf everything the public API reads of goal gid. */
static void dump_goal(char *buf, size_t size, const cm_plan *p, const char *gid)
{
	static const int32_t texts[] = { CM_ELEMENT_DESCRIPTION, CM_ELEMENT_MEASURE,
					 CM_ELEMENT_TARGET_VALUE };
	static const int32_t ints[] = { CM_ELEMENT_TARGET_DATE, CM_ELEMENT_PRIORITY,
					CM_ELEMENT_ACHIEVEMENT, CM_ELEMENT_GAS_LEVEL,
					CM_ELEMENT_GAS_WEIGHT };
	size_t n = strlen(buf), i;
	int32_t from, to, st;
	int64_t v, time;
	const char *actor, *reason;

#define PUT(...) (n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__), \
		  assert_true(n < size))
	PUT("[%s]", gid);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *t = cm_plan_element_text(p, gid, texts[i]);
		PUT(" t%d=%s", (int)texts[i], t ? t : "(none)");
	}
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		assert_int_equal(cm_plan_element_get_int(&v, p, gid, ints[i]), CM_OK);
		PUT(" i%d=%lld", (int)ints[i], (long long)v);
	}
	assert_int_equal(cm_plan_element_status(&st, p, gid), CM_OK);
	PUT(" status=%d links:", (int)st);
	for (i = 0; i < cm_plan_link_count(p, gid); i++)
		PUT(" %s", cm_plan_link_at(p, gid, i));
	assert_null(cm_plan_link_at(p, gid, i));
	PUT(" history:");
	for (i = 0; i < cm_plan_element_history_count(p, gid); i++) {
		assert_int_equal(cm_plan_element_history_at(&from, &to, &time, &actor,
							    &reason, p, gid, i), CM_OK);
		PUT(" %d>%d@%lld/%s/%s", (int)from, (int)to, (long long)time, actor, reason);
	}
	PUT(" notes:");
	for (i = 0; i < cm_plan_goal_note_count(p, gid); i++) {
		assert_int_equal(cm_plan_goal_note_at(&time, &actor, &reason, &to, p,
						      gid, i), CM_OK);
		PUT(" %d@%lld/%s/%s", (int)to, (long long)time, actor, reason);
	}
	assert_int_equal(cm_plan_goal_note_at(&time, &actor, &reason, &to, p, gid, i),
			 CM_ERANGE);
	PUT(" achievement:");
	for (i = 0; i < cm_plan_goal_achievement_history_count(p, gid); i++) {
		assert_int_equal(cm_plan_goal_achievement_history_at(
					 &from, &to, &time, &actor, &reason, p, gid, i),
				 CM_OK);
		PUT(" %d>%d@%lld/%s/%s", (int)from, (int)to, (long long)time, actor, reason);
	}
	assert_int_equal(cm_plan_goal_achievement_history_at(&from, &to, &time, &actor,
							     &reason, p, gid, i),
			 CM_ERANGE);
	PUT("\n");
#undef PUT
}

static void dump_plan(char *buf, size_t size, cm_store *s, const char *id)
{
	cm_plan *p;
	size_t i;

	buf[0] = '\0';
	assert_int_equal(cm_plan_get(&p, s, id), CM_OK);
	for (i = 0; i < cm_plan_element_count(p, CM_ELEMENT_GOAL); i++)
		dump_goal(buf, size, p, cm_plan_element_id(p, CM_ELEMENT_GOAL, i));
	/* Problems and interventions (out of line in the plan too). */
	for (i = 0; i < cm_plan_element_count(p, CM_ELEMENT_PROBLEM); i++) {
		const char *e = cm_plan_element_id(p, CM_ELEMENT_PROBLEM, i);
		size_t n = strlen(buf);
		snprintf(buf + n, size - n, "[%s] %s\n", e,
			 cm_plan_element_text(p, e, CM_ELEMENT_DESCRIPTION));
	}
	for (i = 0; i < cm_plan_element_count(p, CM_ELEMENT_INTERVENTION); i++) {
		const char *e = cm_plan_element_id(p, CM_ELEMENT_INTERVENTION, i);
		size_t n = strlen(buf), k;
		int32_t st;
		assert_int_equal(cm_plan_element_status(&st, p, e), CM_OK);
		n += (size_t)snprintf(buf + n, size - n, "[%s] %s/%s status=%d history=%zu links:",
				      e, cm_plan_element_text(p, e, CM_ELEMENT_WHAT),
				      cm_plan_element_text(p, e, CM_ELEMENT_RESPONSIBLE), (int)st,
				      cm_plan_element_history_count(p, e));
		for (k = 0; k < cm_plan_link_count(p, e); k++)
			n += (size_t)snprintf(buf + n, size - n, " %s", cm_plan_link_at(p, e, k));
		snprintf(buf + n, size - n, "\n");
	}
	assert_true(strlen(buf) + 1 < size);
	cm_plan_free(p);
}

static void commit_plan(cm_store *s, cm_plan *p)
{
	cm_txn *txn;
	assert_int_equal(cm_txn_begin(&txn, s, "cm-1"), CM_OK);
	assert_int_equal(cm_plan_save(txn, p), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
}

/* A goal with every rarely used member set (measure, target value, links,
 * notes, achievement history) next to plain goals: saved, committed,
 * reloaded from the journal, changed again (a plain goal getting its
 * first note and link) and reloaded: each reads back identically. */
static void test_goal_rare_members_round_trip(void **state)
{
	char dir[64], path[96], before[4096], after[4096], plan_id[CM__ID_MAX + 1];
	char plain_id[CM__ID_MAX + 1], plain_before[1024], plain_after[1024];
	struct th_env e;
	cm_client *c;
	cm_plan *p;
	cm_txn *txn;
	const char *id;
	(void)state;

	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&e, path);
	assert_int_equal(cm_client_new(&c, e.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Doe"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, e.store, "tester"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);

	assert_int_equal(cm_plan_new(&p, e.store, cm_client_id(c)), CM_OK);
	strcpy(plan_id, cm_plan_id(p));
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_AUTHOR, "cm-1"), CM_OK);
	assert_int_equal(cm_plan_add_problem(&id, p, "falls", NULL, NULL), CM_OK);
	assert_int_equal(cm_plan_add_problem(&id, p, "isolation", NULL, NULL), CM_OK);
	assert_int_equal(cm_plan_add_goal(&id, p, "no falls"), CM_OK);      /* g3 */
	assert_int_equal(cm_plan_add_goal(&id, p, "plain goal"), CM_OK);    /* g4 */
	assert_int_equal(cm_plan_add_goal(&id, p, "measured only"), CM_OK); /* g5 */
	assert_int_equal(cm_plan_element_set_text(p, "g3", CM_ELEMENT_MEASURE, "falls/month"), CM_OK);
	assert_int_equal(cm_plan_element_set_text(p, "g3", CM_ELEMENT_TARGET_VALUE, "0"), CM_OK);
	assert_int_equal(cm_plan_element_set_text(p, "g5", CM_ELEMENT_TARGET_VALUE, "< 7.0 %"), CM_OK);
	assert_int_equal(cm_plan_element_set_int(p, "g3", CM_ELEMENT_GAS_WEIGHT, 3), CM_OK);
	assert_int_equal(cm_plan_link(p, "g3", "p1"), CM_OK);
	assert_int_equal(cm_plan_link(p, "g3", "p2"), CM_OK);
	assert_int_equal(cm_plan_element_set_status(p, "g3", CM_GOAL_ACTIVE, "agreed"), CM_OK);
	assert_int_equal(cm_plan_element_set_status(p, "g4", CM_GOAL_ACTIVE, "agreed"), CM_OK);
	assert_int_equal(cm_plan_goal_add_note(p, "g3", "first week fine"), CM_OK);
	assert_int_equal(cm_plan_goal_set_achievement(p, "g3", CM_ACHIEVEMENT_IN_PROGRESS,
						      "started"), CM_OK);
	assert_int_equal(cm_plan_goal_set_achievement(p, "g3", CM_ACHIEVEMENT_IMPROVING,
						      "better"), CM_OK);
	assert_int_equal(cm_plan_goal_add_note(p, "g3", "second week better"), CM_OK);
	assert_int_equal(cm_plan_add_intervention(&id, p, "PT", CM_RESPONSIBLE_PROVIDER,
						  "PT Inc"), CM_OK); /* i6 */
	assert_int_equal(cm_plan_link(p, "i6", "g3"), CM_OK);
	assert_int_equal(cm_plan_element_set_status(p, "i6", CM_ACTIVITY_SCHEDULED, "booked"),
			 CM_OK);
	commit_plan(e.store, p);
	cm_plan_free(p);
	/* A plan of goals alone: no problems, no interventions. */
	assert_int_equal(cm_plan_new(&p, e.store, cm_client_id(c)), CM_OK);
	strcpy(plain_id, cm_plan_id(p));
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_AUTHOR, "cm-1"), CM_OK);
	assert_int_equal(cm_plan_add_goal(&id, p, "walk daily"), CM_OK);
	commit_plan(e.store, p);
	cm_plan_free(p);
	dump_plan(plain_before, sizeof(plain_before), e.store, plain_id);
	assert_null(strstr(plain_before, "[p"));
	assert_null(strstr(plain_before, "[i"));
	dump_plan(before, sizeof(before), e.store, plan_id);
	assert_non_null(strstr(before, "[p1] falls\n[p2] isolation\n"));
	assert_non_null(strstr(before, "[i6] PT/PT Inc status=2 history=1 links: g3\n"));
	assert_non_null(strstr(before, "[g3] t1=no falls t2=falls/month t3=0 "));
	assert_non_null(strstr(before, " links: p1 p2 "));
	assert_non_null(strstr(before, "/cm-1/second week better achievement: 0>"));
	assert_non_null(strstr(before, "[g4] t1=plain goal t2=(none) t3=(none) "));
	assert_non_null(strstr(before, "[g5] t1=measured only t2=(none) t3=< 7.0 % "));
	cm_client_free(c);
	th_close(&e);

	th_open_journal(&e, path);
	dump_plan(after, sizeof(after), e.store, plan_id);
	assert_string_equal(after, before);
	dump_plan(plain_after, sizeof(plain_after), e.store, plain_id);
	assert_string_equal(plain_after, plain_before);
	/* A plain goal's first note and link; g3 loses nothing. */
	assert_int_equal(cm_plan_get(&p, e.store, plan_id), CM_OK);
	assert_int_equal(cm_plan_goal_add_note(p, "g4", "now started"), CM_OK);
	assert_int_equal(cm_plan_link(p, "g5", "p2"), CM_OK);
	assert_int_equal(cm_plan_goal_set_achievement(p, "g3", CM_ACHIEVEMENT_ACHIEVED,
						      "done"), CM_OK);
	commit_plan(e.store, p);
	cm_plan_free(p);
	dump_plan(before, sizeof(before), e.store, plan_id);
	assert_non_null(strstr(before, "/cm-1/now started achievement:\n"));
	assert_non_null(strstr(before, "[g5] t1=measured only t2=(none) t3=< 7.0 % "));
	th_close(&e);

	th_open_journal(&e, path);
	dump_plan(after, sizeof(after), e.store, plan_id);
	assert_string_equal(after, before);
	th_close(&e);
	fx_rmdir(dir);
}

/* ---- allocation-failure sweep ------------------------------------------ */

static int scenario(struct th_env *e, uint64_t *before)
{
	cm_store *s = e->store;
	const char *client_id = cm_client_id(client);
	cm_plan *p = NULL;
	cm_plan_report *r = NULL;
	cm_txn *txn = NULL;
	const char *id;
	int32_t t;
	int rc;

	*before = cm__store_digest(s);
	if ((rc = cm_plan_new(&p, s, client_id)) ||
	    (rc = cm_plan_set_text(p, CM_PLAN_AUTHOR, "cm")) ||
	    (rc = cm_plan_set_int(p, CM_PLAN_NEXT_REVIEW, TH_D0 + 30)) ||
	    (rc = cm_plan_add_problem(&id, p, "falls", NULL, NULL)) ||
	    (rc = cm_plan_add_goal(&id, p, "no falls")) ||
	    (rc = cm_plan_add_intervention(&id, p, "PT", CM_RESPONSIBLE_PROVIDER, "PT Inc")) ||
	    (rc = cm_plan_link(p, "g2", "p1")) || (rc = cm_plan_link(p, "i3", "g2")) ||
	    (rc = cm_plan_element_set_status(p, "g2", CM_GOAL_ACTIVE, "agreed")) ||
	    (rc = cm_plan_element_set_int(p, "g2", CM_ELEMENT_GAS_WEIGHT, 2)) ||
	    (rc = cm_plan_goal_add_note(p, "g2", "first week fine")) ||
	    (rc = cm_plan_goal_set_achievement(p, "g2", CM_ACHIEVEMENT_IN_PROGRESS, "started")) ||
	    (rc = cm_plan_approve(p, "Dr A", TH_T0)) ||
	    (rc = cm_plan_set_status(p, CM_PLAN_ACTIVE, "approved")) ||
	    (rc = cm_txn_begin(&txn, s, "cm")) || (rc = cm_plan_save(txn, p)))
		goto out;
	rc = cm_txn_commit(txn);
	txn = NULL;
	if (rc)
		goto out;
	*before = cm__store_digest(s);
	if ((rc = cm_plan_element_set_status(p, "i3", CM_ACTIVITY_SCHEDULED, "booked")) ||
	    (rc = cm_plan_element_set_text(p, "g2", CM_ELEMENT_MEASURE, "falls/month")) ||
	    (rc = cm_plan_check(&r, p, TH_D0 + 40)) || (rc = cm_plan_gas_tscore(&t, p)) ||
	    (rc = cm_txn_begin(&txn, s, "cm")) || (rc = cm_plan_save(txn, p)))
		goto out;
	rc = cm_txn_commit(txn);
	txn = NULL;
out:
	cm_plan_report_free(r);
	cm_txn_rollback(txn);
	cm_plan_free(p);
	return rc;
}

/* The fixture of every test, with the approval policy on. */
static void open_fixture(struct th_env *e)
{
	assert_ptr_equal(e, &env);
	assert_int_equal(setup(NULL), 0);
	assert_int_equal(cm_store_set_plan_approval_required(env.store, 1), CM_OK);
}

static void close_fixture(struct th_env *e)
{
	assert_ptr_equal(e, &env);
	assert_int_equal(teardown(NULL), 0);
}

static void test_alloc_sweep(void **state)
{
	(void)state;
	long n0 = th_alloc_sweep(&env, open_fixture, close_fixture, scenario, 0);
	long n1 = th_alloc_sweep(&env, open_fixture, close_fixture, scenario, 1);
	/* The scenario makes 54 allocations (commit fills status
	 * histories in place, without copies; it prepares the indexes of
	 * plans only; the second transaction reuses the first's; the new
	 * plan's id, texts and lists are carved from its handle's room). */
	assert_true(n0 > 50);
	assert_true(n1 > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_and_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_approval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_element_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_element_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_goal_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activity_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gas, setup, teardown),
		cmocka_unit_test(test_goal_rare_members_round_trip),
		cmocka_unit_test(test_alloc_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
