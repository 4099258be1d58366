/*
 * New records' rooms (CM__REC_ROOM): a new record's parts are carved from
 * its handle's allocation, spill to the allocator when it is full, and go
 * with the handle. Texts set many times, list elements replaced and
 * removed, rare lists grown past the room, handles freed before and after
 * commit or rollback: every value reads back and nothing leaks (th_close
 * counts the allocations; the ASan build checks the accesses).
 */
#include <stdio.h>
#include <string.h>

#include "casemgr/assessment.h"
#include "casemgr/plan.h"
#include "casemgr/service.h"
#include "fixtures.h"
#include "harness.h"

static struct th_env env;

static void commit1(int (*save)(cm_txn *, void *), void *h)
{
	cm_txn *t;
	int rc;
	assert_int_equal(cm_txn_begin(&t, env.store, "room"), CM_OK);
	rc = save(t, h);
	if (rc)
		print_error("save: %s\n", cm_store_errmsg(env.store));
	assert_int_equal(rc, CM_OK);
	rc = cm_txn_commit(t);
	if (rc)
		print_error("commit: %s\n", cm_store_errmsg(env.store));
	assert_int_equal(rc, CM_OK);
}
#define COMMIT(save, h) commit1((int (*)(cm_txn *, void *))(save), (h))

/* A text set many times, of growing and shrinking lengths: each set's
 * value reads back, and the handle's allocations are bounded. */
static void test_text_set_many_times(void **state)
{
	char buf[300];
	cm_client *c;
	long live0;
	int i;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	live0 = env.alloc.live;
	for (i = 0; i < 2000; i++) {
		size_t n = (size_t)(i * 37 % 199) + 1;
		memset(buf, 'a' + i % 26, n);
		buf[n] = '\0';
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, buf), CM_OK);
		assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), buf);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_PHONE, i % 3 ? "555" : ""), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_ADDRESS, i % 5 ? buf : NULL), CM_OK);
		/* Spilled parts are freed as they are replaced. */
		assert_true(env.alloc.live - live0 <= 4);
	}
	COMMIT(cm_client_save, c);
	assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), buf);
	cm_client_free(c);
	th_close(&env);
}

/* Texts of every length on new handles, so that some carve ends in the
 * last bytes of the room (a part rounds up to 8): later parts spill, none
 * is placed past the room's end (the ASan build sees the allocation's). */
static void test_room_filled_to_the_end(void **state)
{
	char buf[201];
	cm_client *c;
	size_t n, k;
	(void)state;

	th_open(&env);
	for (n = 1; n <= 200; n++) {
		assert_int_equal(cm_client_new(&c, env.store), CM_OK);
		memset(buf, 'f', n);
		buf[n] = '\0';
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, buf), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, buf), CM_OK);
		for (k = 1; k <= 24; k++) {
			memset(buf, 'a' + (int)k, k);
			buf[k] = '\0';
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_PROGRAM, buf), CM_OK);
			assert_string_equal(cm_client_text(c, CM_CLIENT_PROGRAM), buf);
		}
		assert_int_equal(strlen(cm_client_text(c, CM_CLIENT_FAMILY)), n);
		cm_client_free(c);
	}
	th_close(&env);
}

/* Identifiers, coverage and care team (a rare list) added, replaced and
 * removed far past the room, on a new handle. */
static void test_client_lists(void **state)
{
	char sys[32], val[64];
	const char *s, *v;
	cm_client *c, *g;
	char id[64];
	int i;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	strcpy(id, cm_client_id(c));
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Lists"), CM_OK);
	for (i = 0; i < 40; i++) {
		snprintf(sys, sizeof(sys), "sys%d", i);
		snprintf(val, sizeof(val), "value-%d", i);
		assert_int_equal(cm_client_set_identifier(c, sys, val), CM_OK);
		assert_int_equal(cm_client_add_care_team_member(c, sys, val, "555"), CM_OK);
		assert_int_equal(cm_client_set_status(c, i % 2 ? CM_CASE_ONHOLD : CM_CASE_ACTIVE, val), CM_OK);
	}
	for (i = 0; i < 40; i += 3) {
		snprintf(sys, sizeof(sys), "sys%d", i);
		snprintf(val, sizeof(val), "replaced-%d-with-a-longer-value", i);
		assert_int_equal(cm_client_set_identifier(c, sys, val), CM_OK);
	}
	for (i = 0; i < 40; i += 4) {
		snprintf(sys, sizeof(sys), "sys%d", i);
		assert_int_equal(cm_client_set_identifier(c, sys, NULL), CM_OK);
	}
	while (cm_client_care_team_count(c) > 25)
		assert_int_equal(cm_client_remove_care_team_member(c, 3), CM_OK);
	for (i = 0; i < 40; i++) {
		snprintf(sys, sizeof(sys), "sys%d", i);
		v = cm_client_identifier(c, sys);
		if (i % 4 == 0) {
			assert_null(v);
			continue;
		}
		if (i % 3 == 0)
			snprintf(val, sizeof(val), "replaced-%d-with-a-longer-value", i);
		else
			snprintf(val, sizeof(val), "value-%d", i);
		assert_non_null(v);
		assert_string_equal(v, val);
	}
	assert_int_equal(cm_client_identifier_at(&s, &v, c, 0), CM_OK);
	COMMIT(cm_client_save, c);
	cm_client_free(c);
	assert_int_equal(cm_client_get(&g, env.store, id), CM_OK);
	assert_int_equal(cm_client_identifier_count(g), 30);
	assert_int_equal(cm_client_care_team_count(g), 25);
	assert_string_equal(cm_client_identifier(g, "sys5"), "value-5");
	cm_client_free(g);
	th_close(&env);
}

/* A handle freed while its transaction holds it (before commit, before
 * rollback), and after commit: nothing leaks, the commit has its values. */
static void test_free_while_staged(void **state)
{
	cm_client *c, *g;
	cm_txn *t;
	char id[64], buf[400], mrn[8];
	int pass;
	(void)state;

	memset(buf, 'x', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	th_open(&env);
	for (pass = 0; pass < 4; pass++) {
		assert_int_equal(cm_client_new(&c, env.store), CM_OK);
		strcpy(id, cm_client_id(c));
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Staged"), CM_OK);
		/* pass 1, 3: spill */
		if (pass & 1)
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_ADDRESS, buf), CM_OK);
		snprintf(mrn, sizeof(mrn), "%d", pass);
		assert_int_equal(cm_client_set_identifier(c, "mrn", mrn), CM_OK);
		assert_int_equal(cm_txn_begin(&t, env.store, "room"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		if (pass < 2)
			cm_client_free(c);
		/* changed after save: the handle keeps its record past commit */
		else
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "G"), CM_OK);
		if (pass == 1) {
			cm_txn_rollback(t);
			assert_int_equal(cm_client_get(&g, env.store, id), CM_ENOTFOUND);
			continue;
		}
		assert_int_equal(cm_txn_commit(t), CM_OK);
		if (pass >= 2) {
			assert_string_equal(cm_client_text(c, CM_CLIENT_GIVEN), "G");
			assert_int_equal(cm_client_revision(c), 1);
			COMMIT(cm_client_save, c);
			cm_client_free(c);
		}
		assert_int_equal(cm_client_get(&g, env.store, id), CM_OK);
		assert_string_equal(cm_client_text(g, CM_CLIENT_FAMILY), "Staged");
		assert_string_equal(cm_client_identifier(g, "mrn"), mrn);
		cm_client_free(g);
	}
	th_close(&env);
}

/* A plan with many problems, goals, interventions, links, notes and
 * status changes (rare lists past the room), saved, changed again after
 * commit, freed. */
static void test_plan_grows_past_room(void **state)
{
	const char *gid[12], *pid[12], *iid[12], *id;
	char text[64], pidbuf[64];
	cm_plan *p, *g;
	int i, k;
	(void)state;

	th_open(&env);
	fx_client(&env, "c1", "cm1", 1, 0);
	assert_int_equal(cm_plan_new(&p, env.store, "c1"), CM_OK);
	strcpy(pidbuf, cm_plan_id(p));
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_AUTHOR, "author-1"), CM_OK);
	for (i = 0; i < 12; i++) {
		snprintf(text, sizeof(text), "problem %d", i);
		assert_int_equal(cm_plan_add_problem(&id, p, text, NULL, NULL), CM_OK);
		pid[i] = id;
		snprintf(text, sizeof(text), "goal %d", i);
		assert_int_equal(cm_plan_add_goal(&id, p, text), CM_OK);
		gid[i] = id;
		snprintf(text, sizeof(text), "intervention %d", i);
		assert_int_equal(cm_plan_add_intervention(&id, p, text, CM_RESPONSIBLE_CLIENT, NULL), CM_OK);
		iid[i] = id;
	}
	for (i = 0; i < 12; i++) {
		/* element ids may move as the plan grows: read them again */
		pid[i] = cm_plan_element_id(p, CM_ELEMENT_PROBLEM, (size_t)i);
		gid[i] = cm_plan_element_id(p, CM_ELEMENT_GOAL, (size_t)i);
		iid[i] = cm_plan_element_id(p, CM_ELEMENT_INTERVENTION, (size_t)i);
		assert_non_null(gid[i]);
	}
	for (i = 0; i < 12; i++) {
		for (k = 0; k < 3; k++) {
			snprintf(text, sizeof(text), "note %d.%d", i, k);
			assert_int_equal(cm_plan_goal_add_note(p, cm_plan_element_id(p, CM_ELEMENT_GOAL, (size_t)i), text), CM_OK);
		}
		assert_int_equal(cm_plan_link(p, cm_plan_element_id(p, CM_ELEMENT_GOAL, (size_t)i),
					      cm_plan_element_id(p, CM_ELEMENT_PROBLEM, (size_t)i)), CM_OK);
		assert_int_equal(cm_plan_link(p, cm_plan_element_id(p, CM_ELEMENT_INTERVENTION, (size_t)i),
					      cm_plan_element_id(p, CM_ELEMENT_GOAL, (size_t)i)), CM_OK);
		assert_int_equal(cm_plan_element_set_status(p, cm_plan_element_id(p, CM_ELEMENT_GOAL, (size_t)i),
							    CM_GOAL_ACCEPTED, "agreed"), CM_OK);
		assert_int_equal(cm_plan_element_set_text(p, cm_plan_element_id(p, CM_ELEMENT_GOAL, (size_t)i),
							  CM_ELEMENT_MEASURE, "a1c"), CM_OK);
		assert_int_equal(cm_plan_element_set_text(p, cm_plan_element_id(p, CM_ELEMENT_GOAL, (size_t)i),
							  CM_ELEMENT_MEASURE, "a1c again"), CM_OK);
	}
	for (i = 0; i < 12; i++) {
		const char *g_id = cm_plan_element_id(p, CM_ELEMENT_GOAL, (size_t)i);
		const char *t;
		assert_int_equal(cm_plan_goal_note_count(p, g_id), 3);
		assert_int_equal(cm_plan_goal_note_at(NULL, NULL, &t, NULL, p, g_id, 2), CM_OK);
		snprintf(text, sizeof(text), "note %d.2", i);
		assert_string_equal(t, text);
		assert_string_equal(cm_plan_element_text(p, g_id, CM_ELEMENT_MEASURE), "a1c again");
		assert_int_equal(cm_plan_link_count(p, g_id), 1);
	}
	(void)pid; (void)iid;
	COMMIT(cm_plan_save, p);
	assert_int_equal(cm_plan_goal_add_note(p, cm_plan_element_id(p, CM_ELEMENT_GOAL, 0), "after"), CM_OK);
	COMMIT(cm_plan_save, p);
	cm_plan_free(p);
	assert_int_equal(cm_plan_get(&g, env.store, pidbuf), CM_OK);
	assert_int_equal(cm_plan_goal_note_count(g, cm_plan_element_id(g, CM_ELEMENT_GOAL, 0)), 4);
	assert_int_equal(cm_plan_goal_note_count(g, cm_plan_element_id(g, CM_ELEMENT_GOAL, 11)), 3);
	cm_plan_free(g);
	th_close(&env);
}

/* A host instrument registered after open: answers borrow its item
 * codes, the assessment its code; they read back after commit, after
 * more instruments are registered, and after a reopen from the journal
 * (then borrowing the store's shared copies). */
static void register_host(const char *code, int nitems)
{
	cm_instrument *d;
	char item[16];
	int i;

	assert_int_equal(cm_instrument_new(&d, env.store, code, "mood"), CM_OK);
	for (i = 0; i < nitems; i++) {
		snprintf(item, sizeof(item), "item-%d", i);
		assert_int_equal(cm_instrument_add_item(d, item, 0, 3, i == 0), CM_OK);
	}
	assert_int_equal(cm_instrument_add_band(d, 0, "low", CM_SEVERITY_NONE), CM_OK);
	assert_int_equal(cm_instrument_add_band(d, 10, "high", CM_SEVERITY_HIGH), CM_OK);
	assert_int_equal(cm_store_register_instrument(env.store, d), CM_OK);
	cm_instrument_free(d);
}

static void check_answers(const cm_assessment *a, int n, int shift)
{
	const char *item;
	char want[16];
	int32_t v;
	int i;

	assert_int_equal(cm_assessment_answer_count(a), (size_t)n);
	for (i = 0; i < n; i++) {
		assert_int_equal(cm_assessment_answer_at(&item, &v, a, (size_t)i), CM_OK);
		assert_int_equal(strncmp(item, "item-", 5), 0);
		snprintf(want, sizeof(want), "item-%d", i);
		assert_int_equal(cm_assessment_answer(&v, a, want), CM_OK);
		assert_int_equal(v, (i + shift) % 4);
	}
}

static void test_host_instrument_answers(void **state)
{
	char dir[256], path[300], id[64], code[32];
	cm_assessment *a, *b;
	int i;
	(void)state;

	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	fx_client(&env, "c1", "cm1", 1, 0);
	register_host("host-a", 40);
	assert_int_equal(cm_assessment_new(&a, env.store, "c1", "host-a"), CM_OK);
	strcpy(id, cm_assessment_id(a));
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "nurse-1"), CM_OK);
	for (i = 0; i < 40; i++)
		assert_int_equal(cm_assessment_set_answer(a, (snprintf(code, sizeof(code), "item-%d", i), code), i % 4), CM_OK);
	for (i = 0; i < 40; i += 5)
		assert_int_equal(cm_assessment_clear_answer(a, (snprintf(code, sizeof(code), "item-%d", i), code)), CM_OK);
	for (i = 0; i < 40; i += 5)
		assert_int_equal(cm_assessment_set_answer(a, (snprintf(code, sizeof(code), "item-%d", i), code), i % 4), CM_OK);
	/* more instruments: the registry grows */
	for (i = 0; i < 20; i++) {
		snprintf(code, sizeof(code), "more-%d", i);
		register_host(code, 3);
	}
	assert_string_equal(cm_assessment_instrument(a), "host-a");
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "done"), CM_OK);
	COMMIT(cm_assessment_save, a);
	/* amended from the committed version */
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_AMENDED, "fix"), CM_OK);
	for (i = 0; i < 40; i++)
		assert_int_equal(cm_assessment_set_answer(a, (snprintf(code, sizeof(code), "item-%d", i), code), (i + 1) % 4), CM_OK);
	COMMIT(cm_assessment_save, a);
	cm_assessment_free(a);
	assert_int_equal(cm_assessment_get(&b, env.store, id), CM_OK);
	assert_string_equal(cm_assessment_instrument(b), "host-a");
	cm_assessment_free(b);
	th_close(&env);

	/* Reopened: the instrument is registered again after the load. */
	th_open_journal(&env, path);
	register_host("host-a", 40);
	assert_int_equal(cm_assessment_get(&b, env.store, id), CM_OK);
	assert_string_equal(cm_assessment_instrument(b), "host-a");
	assert_int_equal(cm_assessment_set_status(b, CM_ASSESSMENT_AMENDED, "again"), CM_OK);
	for (i = 0; i < 40; i += 2)
		assert_int_equal(cm_assessment_set_answer(b, (snprintf(code, sizeof(code), "item-%d", i), code), (i + 2) % 4), CM_OK);
	for (i = 1; i < 40; i += 2)
		assert_int_equal(cm_assessment_set_answer(b, (snprintf(code, sizeof(code), "item-%d", i), code), (i + 2) % 4), CM_OK);
	check_answers(b, 40, 2);
	COMMIT(cm_assessment_save, b);
	check_answers(b, 40, 2);
	cm_assessment_free(b);
	th_close(&env);
	fx_rmdir(dir);
}

/* A stored assessment whose host instrument is not registered (yet) after
 * a reopen: what needs the instrument (scores, answers, completing,
 * saving a completed one) fails with CM_ENOTFOUND and changes nothing;
 * once the host registers it again, everything works. */
static void test_unregistered_instrument(void **state)
{
	char dir[256], path[300], id[64];
	cm_assessment *a, *b;
	cm_client *c;
	cm_txn *t;
	int32_t total = -1, tier = -1, v = -1;
	uint64_t before;
	(void)state;

	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	fx_client(&env, "c1", "cm1", 1, 0);
	register_host("host-b", 4);
	assert_int_equal(cm_assessment_new(&a, env.store, "c1", "host-b"), CM_OK);
	strcpy(id, cm_assessment_id(a));
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "nurse-1"), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "item-0", 2), CM_OK);
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "done"), CM_OK);
	COMMIT(cm_assessment_save, a);
	cm_assessment_free(a);
	th_close(&env);

	th_open_journal(&env, path);
	before = cm__store_digest(env.store);
	assert_int_equal(cm_assessment_get(&b, env.store, id), CM_OK);
	/* Reading what is stored needs no instrument. */
	assert_int_equal(cm_assessment_answer(&v, b, "item-0"), CM_OK);
	assert_int_equal(v, 2);
	assert_int_equal(cm_assessment_score(&total, NULL, NULL, b), CM_ENOTFOUND);
	assert_non_null(strstr(cm_store_errmsg(env.store), "host-b"));
	assert_int_equal(total, -1);
	assert_int_equal(cm_assessment_component_count(b), 0);
	assert_int_equal(cm_assessment_finding_count(b), 0);
	assert_int_equal(cm_assessment_component_at(NULL, NULL, b, 0), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_finding_at(NULL, NULL, b, 0), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_risk_tier(&tier, b), CM_ENOTFOUND);
	assert_int_equal(tier, -1);
	assert_int_equal(cm_client_get(&c, env.store, "c1"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	assert_int_equal(cm_assessment_apply_risk_tier(t, b, c), CM_ENOTFOUND);
	/* Amending needs the instrument to check the required answers. */
	assert_int_equal(cm_assessment_set_status(b, CM_ASSESSMENT_AMENDED, "fix"), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_status(b), CM_ASSESSMENT_COMPLETED);
	/* Saving a changed completed assessment checks them too. */
	assert_int_equal(cm_assessment_set_text(b, CM_ASSESSMENT_ASSESSOR, "nurse-2"), CM_OK);
	assert_int_equal(cm_assessment_save(t, b), CM_ENOTFOUND);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm__store_digest(env.store), before);

	/* Registered again: it all works. */
	register_host("host-b", 4);
	assert_int_equal(cm_assessment_score(&total, NULL, NULL, b), CM_OK);
	assert_int_equal(total, 2);
	assert_int_equal(cm_assessment_set_status(b, CM_ASSESSMENT_AMENDED, "fix"), CM_OK);
	assert_int_equal(cm_assessment_set_answer(b, "item-1", 3), CM_OK);
	COMMIT(cm_assessment_save, b);
	assert_int_equal(cm_assessment_score(&total, NULL, NULL, b), CM_OK);
	assert_int_equal(total, 5);
	cm_client_free(c);
	cm_assessment_free(b);
	th_close(&env);
	fx_rmdir(dir);
}

/* A committed version read back and changed (copy on write), services and
 * providers grown past their rooms. */
static void test_service_provider(void **state)
{
	cm_service *v, *w;
	cm_provider *pv, *pw;
	char name[64], vid[64], pid[64];
	int32_t st;
	int i;
	(void)state;

	th_open(&env);
	fx_client(&env, "c1", "cm1", 1, 0);
	assert_int_equal(cm_provider_new(&pv, env.store, "Provider", CM_PROVIDER_OTHER), CM_OK);
	strcpy(pid, cm_provider_id(pv));
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "payer-%d", i);
		assert_int_equal(cm_provider_set_network(pv, name, CM_NETWORK_IN), CM_OK);
	}
	for (i = 0; i < 30; i += 3) {
		snprintf(name, sizeof(name), "payer-%d", i);
		assert_int_equal(cm_provider_set_network(pv, name, 0), CM_OK);
	}
	COMMIT(cm_provider_save, pv);
	cm_provider_free(pv);
	assert_int_equal(cm_provider_get(&pw, env.store, pid), CM_OK);
	assert_int_equal(cm_provider_network(&st, pw, "payer-4"), CM_OK);
	assert_int_equal(cm_provider_set_network(pw, "payer-4", CM_NETWORK_OUT), CM_OK);
	assert_int_equal(cm_provider_set_network(pw, "payer-3", CM_NETWORK_IN), CM_OK);
	COMMIT(cm_provider_save, pw);
	cm_provider_free(pw);

	assert_int_equal(cm_service_new(&v, env.store, "c1", "home-care"), CM_OK);
	strcpy(vid, cm_service_id(v));
	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "party-name-%d", i);
		assert_int_equal(cm_service_add_share(v, 1, name, 1), CM_OK);
	}
	for (i = 0; i < 8; i++)
		assert_int_equal(cm_service_remove_share(v, 2), CM_OK);
	COMMIT(cm_service_save, v);
	cm_service_free(v);
	assert_int_equal(cm_service_get(&w, env.store, vid), CM_OK);
	assert_int_equal(cm_service_add_share(w, 2, "late", 1), CM_OK);
	assert_int_equal(cm_service_remove_share(w, 0), CM_OK);
	COMMIT(cm_service_save, w);
	cm_service_free(w);
	th_close(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_set_many_times),
		cmocka_unit_test(test_room_filled_to_the_end),
		cmocka_unit_test(test_client_lists),
		cmocka_unit_test(test_free_while_staged),
		cmocka_unit_test(test_plan_grows_past_room),
		cmocka_unit_test(test_host_instrument_answers),
		cmocka_unit_test(test_unregistered_instrument),
		cmocka_unit_test(test_service_provider),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
