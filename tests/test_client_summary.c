/* Client summaries and the client directory behind every client look-up:
 * cm_client_get_summary / cm_client_find_summary, and cm_client_get /
 * cm_client_find agreeing with them through commits, identifier moves,
 * long texts, growth, rollback, reload from storage and allocation
 * failures. */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"

static struct th_env env;

static int setup(void **state)
{
	(void)state;
	th_open(&env);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	th_close(&env);
	return 0;
}

/* A committed client with id, family, MRN value (or NULL). */
static void add_client(const char *id, const char *family, const char *mrn)
{
	cm_client *c;
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, id), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, family), CM_OK);
	if (mrn)
		assert_int_equal(cm_client_set_identifier(c, "MRN", mrn), CM_OK);
	TH_COMMIT1(env.store, "tester", cm_client_save, c);
	cm_client_free(c);
}

static int get_sum(cm_client_summary *sm, const char *id)
{
	memset(sm, 0x5a, sizeof(*sm));
	sm->version = CM_CLIENT_SUMMARY_VERSION;
	return cm_client_get_summary(sm, env.store, id);
}

static int find_sum(cm_client_summary *sm, const char *system,
		    const char *value)
{
	memset(sm, 0x5a, sizeof(*sm));
	sm->version = CM_CLIENT_SUMMARY_VERSION;
	return cm_client_find_summary(sm, env.store, system, value);
}

/* The summary says what a handle on the same client says. */
static void assert_matches_handle(const cm_client_summary *sm)
{
	cm_client *c;
	int64_t v;
	const char *t;

	assert_int_equal(cm_client_get(&c, env.store, sm->id), CM_OK);
	assert_string_equal(cm_client_id(c), sm->id);
	assert_int_equal(cm_client_revision(c), sm->revision);
	assert_int_equal(cm_client_status(c), sm->status);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, sm->risk_tier);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_NEXT_FOLLOWUP), CM_OK);
	assert_int_equal(v, sm->next_followup);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_BIRTH_DATE), CM_OK);
	assert_int_equal(v, sm->birth_date);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_GENDER), CM_OK);
	assert_int_equal(v, sm->gender);
	t = cm_client_text(c, CM_CLIENT_FAMILY);
	assert_string_equal(t ? t : "", sm->family);
	t = cm_client_text(c, CM_CLIENT_GIVEN);
	assert_string_equal(t ? t : "", sm->given);
	t = cm_client_text(c, CM_CLIENT_CASE_MANAGER);
	assert_string_equal(t ? t : "", sm->case_manager);
	cm_client_free(c);
}

static void test_fields(void **state)
{
	cm_client_summary sm;
	cm_client *c;
	(void)state;

	/* No client yet: nothing to find (the directory does not exist). */
	assert_int_equal(get_sum(&sm, "p1"), CM_ENOTFOUND);
	assert_int_equal(find_sum(&sm, "MRN", "1"), CM_ENOTFOUND);

	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, "p1"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Dube"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "Sipho"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm-1"), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 3), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, TH_D0 + 5), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_BIRTH_DATE, 1000), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_GENDER, CM_GENDER_MALE), CM_OK);
	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "intake"), CM_OK);
	assert_int_equal(cm_client_set_identifier(c, "MRN", "MRN000000001"), CM_OK);
	/* Saved but not committed: not there yet. */
	{
		cm_txn *t;
		assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		assert_int_equal(get_sum(&sm, "p1"), CM_ENOTFOUND);
		cm_txn_rollback(t);
		assert_int_equal(get_sum(&sm, "p1"), CM_ENOTFOUND);
		assert_int_equal(find_sum(&sm, "MRN", "MRN000000001"), CM_ENOTFOUND);
	}
	TH_COMMIT1(env.store, "tester", cm_client_save, c);

	assert_int_equal(get_sum(&sm, "p1"), CM_OK);
	assert_int_equal(sm.version, CM_CLIENT_SUMMARY_VERSION);
	assert_string_equal(sm.id, "p1");
	assert_string_equal(sm.family, "Dube");
	assert_string_equal(sm.given, "Sipho");
	assert_string_equal(sm.case_manager, "cm-1");
	assert_int_equal(sm.risk_tier, 3);
	assert_int_equal(sm.next_followup, TH_D0 + 5);
	assert_int_equal(sm.birth_date, 1000);
	assert_int_equal(sm.gender, CM_GENDER_MALE);
	assert_int_equal(sm.status, CM_CASE_ACTIVE);
	assert_int_equal(sm.revision, 1);
	assert_matches_handle(&sm);
	assert_int_equal(find_sum(&sm, "MRN", "MRN000000001"), CM_OK);
	assert_string_equal(sm.id, "p1");

	/* A change shows at commit; an unset text reads as "". */
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, NULL), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, TH_D0 + 9), CM_OK);
	assert_int_equal(get_sum(&sm, "p1"), CM_OK);
	assert_int_equal(sm.next_followup, TH_D0 + 5);
	TH_COMMIT1(env.store, "tester", cm_client_save, c);
	assert_int_equal(get_sum(&sm, "p1"), CM_OK);
	assert_int_equal(sm.next_followup, TH_D0 + 9);
	assert_string_equal(sm.given, "");
	assert_int_equal(sm.revision, 2);
	assert_matches_handle(&sm);
	cm_client_free(c);
}

static void test_long_texts(void **state)
{
	char id[65], fam[201], giv[201], mgr[65];
	cm_client_summary sm;
	cm_client *c;
	(void)state;

	memset(id, 'i', 64);
	id[64] = '\0';
	memset(fam, 'F', 200);
	fam[200] = '\0';
	memset(giv, 'G', 200);
	giv[200] = '\0';
	memset(mgr, 'M', 64);
	mgr[64] = '\0';
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, id), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, fam), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, giv), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, mgr), CM_OK);
	TH_COMMIT1(env.store, "tester", cm_client_save, c);
	assert_int_equal(get_sum(&sm, id), CM_OK);
	assert_string_equal(sm.id, id);
	assert_string_equal(sm.family, fam);
	assert_string_equal(sm.given, giv);
	assert_string_equal(sm.case_manager, mgr);
	assert_matches_handle(&sm);
	/* A short family name after a long id: inline again; the given
	 * name still too long for what is left. */
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Short"), CM_OK);
	giv[40] = '\0';
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, giv), CM_OK);
	TH_COMMIT1(env.store, "tester", cm_client_save, c);
	assert_int_equal(get_sum(&sm, id), CM_OK);
	assert_string_equal(sm.family, "Short");
	assert_string_equal(sm.given, giv);
	assert_string_equal(sm.case_manager, mgr);
	assert_matches_handle(&sm);
	cm_client_free(c);
}

static void test_identifiers(void **state)
{
	char longsys[200], longval[129];
	cm_client_summary sm;
	cm_client *a, *b;
	cm_txn *t;
	(void)state;

	memset(longsys, 's', sizeof(longsys) - 1);
	longsys[sizeof(longsys) - 1] = '\0';
	memset(longval, 'v', 128);
	longval[128] = '\0';
	add_client("a", "Alpha", "MRN-A");
	add_client("b", "Beta", NULL);
	assert_int_equal(cm_client_get(&a, env.store, "a"), CM_OK);
	assert_int_equal(cm_client_get(&b, env.store, "b"), CM_OK);
	/* A long key (kept outside the directory's entry) and a second
	 * system. */
	assert_int_equal(cm_client_set_identifier(a, longsys, longval), CM_OK);
	assert_int_equal(cm_client_set_identifier(a, "payer", "P1"), CM_OK);
	TH_COMMIT1(env.store, "tester", cm_client_save, a);
	assert_int_equal(find_sum(&sm, longsys, longval), CM_OK);
	assert_string_equal(sm.id, "a");
	assert_int_equal(find_sum(&sm, "payer", "P1"), CM_OK);
	assert_string_equal(sm.id, "a");
	assert_int_equal(find_sum(&sm, longsys, "v"), CM_ENOTFOUND);
	/* Move MRN-A and the long key from a to b in one transaction. */
	assert_int_equal(cm_client_set_identifier(a, "MRN", NULL), CM_OK);
	assert_int_equal(cm_client_set_identifier(a, longsys, NULL), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, "MRN", "MRN-A"), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, longsys, longval), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	assert_int_equal(cm_client_save(t, b), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(find_sum(&sm, "MRN", "MRN-A"), CM_OK);
	assert_string_equal(sm.id, "b");
	assert_string_equal(sm.family, "Beta");
	assert_int_equal(find_sum(&sm, longsys, longval), CM_OK);
	assert_string_equal(sm.id, "b");
	assert_int_equal(find_sum(&sm, "payer", "P1"), CM_OK);
	assert_string_equal(sm.id, "a");
	{
		cm_client *g = NULL;
		assert_int_equal(cm_client_find(&g, env.store, "MRN", "MRN-A"), CM_OK);
		assert_string_equal(cm_client_id(g), "b");
		cm_client_free(g);
		g = NULL;
		assert_int_equal(cm_client_find(&g, env.store, "payer", "P2"),
				 CM_ENOTFOUND);
		assert_null(g);
	}
	/* Removed: gone. */
	assert_int_equal(cm_client_set_identifier(a, "payer", NULL), CM_OK);
	TH_COMMIT1(env.store, "tester", cm_client_save, a);
	assert_int_equal(find_sum(&sm, "payer", "P1"), CM_ENOTFOUND);
	cm_client_free(a);
	cm_client_free(b);
}

/* Hundreds of clients (the tables grow, probe runs form), then half of
 * the identifiers removed and re-added under other values. */
static void test_many(void **state)
{
	enum { N = 600 };
	char id[32], mrn[32];
	cm_client_summary sm;
	cm_txn *t;
	int i;
	(void)state;

	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	for (i = 0; i < N; i++) {
		cm_client *c;
		snprintf(id, sizeof(id), "c%d", i);
		snprintf(mrn, sizeof(mrn), "M%d", i);
		assert_int_equal(cm_client_new(&c, env.store), CM_OK);
		assert_int_equal(cm_client_set_id(c, id), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, id), CM_OK);
		assert_int_equal(cm_client_set_identifier(c, "MRN", mrn), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
		if (i % 100 == 99) {
			assert_int_equal(cm_txn_commit(t), CM_OK);
			assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		}
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	for (i = 0; i < N; i += 2) {
		cm_client *c;
		snprintf(id, sizeof(id), "c%d", i);
		snprintf(mrn, sizeof(mrn), "X%d", i);
		assert_int_equal(cm_client_get(&c, env.store, id), CM_OK);
		assert_int_equal(cm_client_set_identifier(c, "MRN", mrn), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	for (i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		snprintf(mrn, sizeof(mrn), "%c%d", i % 2 ? 'M' : 'X', i);
		assert_int_equal(get_sum(&sm, id), CM_OK);
		assert_string_equal(sm.family, id);
		assert_int_equal(find_sum(&sm, "MRN", mrn), CM_OK);
		assert_string_equal(sm.id, id);
		snprintf(mrn, sizeof(mrn), "%c%d", i % 2 ? 'X' : 'M', i);
		assert_int_equal(find_sum(&sm, "MRN", mrn), CM_ENOTFOUND);
	}
	assert_int_equal(get_sum(&sm, "c600"), CM_ENOTFOUND);
}

static void test_errors(void **state)
{
	char longsys[300], longval[200];
	cm_client_summary sm, before;
	cm_client *c;
	(void)state;

	add_client("p1", "Dube", "MRN1");
	memset(&sm, 0x5a, sizeof(sm));
	sm.version = CM_CLIENT_SUMMARY_VERSION;
	before = sm;
	assert_int_equal(cm_client_get_summary(NULL, env.store, "p1"), CM_EINVAL);
	assert_int_equal(cm_client_get_summary(&sm, NULL, "p1"), CM_EINVAL);
	assert_int_equal(cm_client_get_summary(&sm, env.store, NULL), CM_EINVAL);
	assert_int_equal(cm_client_get_summary(&sm, env.store, "p2"), CM_ENOTFOUND);
	assert_non_null(strstr(cm_store_errmsg(env.store), "p2"));
	assert_int_equal(cm_client_find_summary(NULL, env.store, "MRN", "MRN1"), CM_EINVAL);
	assert_int_equal(cm_client_find_summary(&sm, NULL, "MRN", "MRN1"), CM_EINVAL);
	assert_int_equal(cm_client_find_summary(&sm, env.store, NULL, "MRN1"), CM_EINVAL);
	assert_int_equal(cm_client_find_summary(&sm, env.store, "MRN", NULL), CM_EINVAL);
	assert_int_equal(cm_client_find_summary(&sm, env.store, "MRN", "MRN2"), CM_ENOTFOUND);
	assert_int_equal(cm_client_find_summary(&sm, env.store, "mrn", "MRN1"), CM_ENOTFOUND);
	memset(longsys, 's', sizeof(longsys) - 1);
	longsys[sizeof(longsys) - 1] = '\0';
	memset(longval, 'v', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = '\0';
	assert_int_equal(cm_client_find_summary(&sm, env.store, longsys, "MRN1"), CM_ENOTFOUND);
	assert_int_equal(cm_client_find_summary(&sm, env.store, "MRN", longval), CM_ENOTFOUND);
	assert_int_equal(memcmp(&sm, &before, sizeof(sm)), 0);
	/* Versions: 0 and newer than known are refused, sm unchanged. */
	sm.version = 0;
	assert_int_equal(cm_client_get_summary(&sm, env.store, "p1"), CM_EVERSION);
	assert_int_equal(cm_client_find_summary(&sm, env.store, "MRN", "MRN1"), CM_EVERSION);
	sm.version = CM_CLIENT_SUMMARY_VERSION + 1;
	assert_int_equal(cm_client_get_summary(&sm, env.store, "p1"), CM_EVERSION);
	assert_non_null(strstr(cm_store_errmsg(env.store), "version"));
	sm.version = CM_CLIENT_SUMMARY_VERSION;
	assert_int_equal(memcmp(&sm, &before, sizeof(sm)), 0);
	/* The handle look-ups refuse the same bad input. */
	assert_int_equal(cm_client_find(&c, env.store, longsys, "MRN1"), CM_ENOTFOUND);
	assert_int_equal(cm_client_find(NULL, env.store, "MRN", "MRN1"), CM_EINVAL);
	/* A closed store. */
	assert_int_equal(cm_client_get(&c, env.store, "p1"), CM_OK);
	cm_store_close(env.store);
	assert_int_equal(cm_client_get_summary(&sm, env.store, "p1"), CM_ESTATE);
	assert_int_equal(cm_client_find_summary(&sm, env.store, "MRN", "MRN1"), CM_ESTATE);
	{
		cm_client *g = NULL;
		assert_int_equal(cm_client_find(&g, env.store, "MRN", "MRN1"), CM_ESTATE);
		assert_null(g);
	}
	assert_int_equal(memcmp(&sm, &before, sizeof(sm)), 0);
	cm_client_free(c); /* the last reference frees the store */
	assert_int_equal(env.alloc.live, 0);
	th_open(&env); /* for teardown */
}

/* Commits of new clients with identifiers under allocation failure: the
 * directory's room is made before the point of no return, so a failed
 * commit leaves every look-up as it was. */
static int sweep_scenario(struct th_env *e, uint64_t *before)
{
	cm_client_summary sm;
	cm_txn *t;
	int i, rc;

	*before = cm__store_digest(e->store);
	if ((rc = cm_txn_begin(&t, e->store, "tester")) != CM_OK)
		return rc;
	for (i = 0; i < 20; i++) {
		char id[16], mrn[16];
		cm_client *c = NULL;
		snprintf(id, sizeof(id), "s%d", i);
		snprintf(mrn, sizeof(mrn), "MRN-%d", i);
		rc = cm_client_new(&c, e->store);
		if (rc == CM_OK && (rc = cm_client_set_id(c, id)) == CM_OK &&
		    (rc = cm_client_set_text(c, CM_CLIENT_FAMILY, id)) == CM_OK &&
		    (rc = cm_client_set_identifier(c, "MRN", mrn)) == CM_OK)
			rc = cm_client_save(t, c);
		cm_client_free(c);
		if (rc) {
			cm_txn_rollback(t);
			return rc;
		}
	}
	rc = cm_txn_commit(t);
	sm.version = CM_CLIENT_SUMMARY_VERSION;
	if (rc) {
		assert_int_equal(cm_client_get_summary(&sm, e->store, "s0"), CM_ENOTFOUND);
		assert_int_equal(cm_client_find_summary(&sm, e->store, "MRN", "MRN-0"),
				 CM_ENOTFOUND);
		return rc;
	}
	for (i = 0; i < 20; i++) {
		char mrn[16];
		snprintf(mrn, sizeof(mrn), "MRN-%d", i);
		assert_int_equal(cm_client_find_summary(&sm, e->store, "MRN", mrn), CM_OK);
	}
	return CM_OK;
}

static void test_alloc_failures(void **state)
{
	(void)state;
	th_close(&env);
	assert_true(th_alloc_sweep(&env, th_open, th_close, sweep_scenario, 0) > 10);
	assert_true(th_alloc_sweep(&env, th_open, th_close, sweep_scenario, 1) > 10);
	th_open(&env);
}

/* Reopened from storage: the directory is built by the load. */
static void test_reload(void **state)
{
	char dir[64], path[96];
	cm_client_summary sm;
	(void)state;

	th_close(&env);
	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	add_client("r1", "Reload", "MRN-R1");
	th_close(&env);
	th_open_journal(&env, path);
	assert_int_equal(find_sum(&sm, "MRN", "MRN-R1"), CM_OK);
	assert_string_equal(sm.id, "r1");
	assert_string_equal(sm.family, "Reload");
	assert_int_equal(sm.revision, 1);
	assert_matches_handle(&sm);
	th_close(&env);
	fx_rmdir(dir);
	th_open(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_texts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identifiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
