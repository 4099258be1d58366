/*
 * Assessments: lifecycle (every refused transition), required answers,
 * amendments and kept revisions, bad input (which changes nothing),
 * host-defined instruments, risk-tier policies and writing the tier to the
 * client in the same transaction, and an allocation-failure sweep.
 */
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

/* Commit a client named "Doe"; returns a handle the caller frees. */
static cm_client *make_client(void)
{
	cm_client *c;
	cm_txn *txn;

	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Doe"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "tester"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	return c;
}

static void answer_all(cm_assessment *a, int n, int value)
{
	char item[16];
	int i;
	for (i = 1; i <= n; i++) {
		snprintf(item, sizeof(item), "q%d", i);
		assert_int_equal(cm_assessment_set_answer(a, item, value), CM_OK);
	}
}

static cm_assessment *phq9(cm_client *c, int value)
{
	cm_assessment *a;
	assert_int_equal(cm_assessment_new(&a, env.store, cm_client_id(c), "phq-9"), CM_OK);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "nurse-1"), CM_OK);
	answer_all(a, 9, value);
	return a;
}

static void save_commit(cm_assessment *a)
{
	cm_txn *txn;
	assert_int_equal(cm_txn_begin(&txn, env.store, "nurse-1"), CM_OK);
	assert_int_equal(cm_assessment_save(txn, a), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
}

/* Saving a fails with rc and the store is unchanged. */
static void save_fails(cm_assessment *a, int rc)
{
	uint64_t d = cm__store_digest(env.store);
	cm_txn *txn;
	assert_int_equal(cm_txn_begin(&txn, env.store, "nurse-1"), CM_OK);
	assert_int_equal(cm_assessment_save(txn, a), rc);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm__store_digest(env.store), d);
}

/* ---- codes ------------------------------------------------------------- */

static void test_codes(void **state)
{
	static const char *const codes[] = {
		"in-progress", "completed", "amended", "entered-in-error", "stopped"
	};
	int32_t i, v;
	(void)state;
	for (i = 1; i <= 5; i++) {
		assert_string_equal(cm_assessment_status_code(i), codes[i - 1]);
		assert_int_equal(cm_assessment_status_parse(&v, codes[i - 1]), CM_OK);
		assert_int_equal(v, i);
	}
	assert_null(cm_assessment_status_code(0));
	assert_null(cm_assessment_status_code(6));
	assert_int_equal(cm_assessment_status_parse(&v, "done"), CM_ERANGE);
	assert_int_equal(cm_assessment_status_parse(NULL, "completed"), CM_EINVAL);
	assert_string_equal(cm_severity_code(CM_SEVERITY_HIGH), "high");
	assert_null(cm_severity_code(4));
	assert_string_equal(cm_kind_name(CM_KIND_ASSESSMENT), "assessment");
}

/* ---- lifecycle --------------------------------------------------------- */

static void test_complete_and_amend(void **state)
{
	cm_client *c = make_client();
	cm_assessment *a = phq9(c, 1), *old;
	int32_t total, from, to, v;
	const char *actor, *reason;
	int64_t t;
	char id[64];
	(void)state;
	assert_int_equal(cm_assessment_status(a), CM_ASSESSMENT_IN_PROGRESS);
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "done"), CM_OK);
	save_commit(a);
	assert_int_equal(cm_assessment_revision(a), 1);
	strcpy(id, cm_assessment_id(a));
	assert_int_equal(cm_assessment_status_history_at(&from, &to, &t, &actor, &reason, a, 0), CM_OK);
	assert_int_equal(from, CM_ASSESSMENT_IN_PROGRESS);
	assert_int_equal(to, CM_ASSESSMENT_COMPLETED);
	assert_int_equal(t, TH_T0);
	assert_string_equal(actor, "nurse-1");
	assert_string_equal(reason, "done");

	/* A completed assessment's answers cannot change until amended. */
	assert_int_equal(cm_assessment_set_answer(a, "q1", 3), CM_ESTATE);
	assert_int_equal(cm_assessment_clear_answer(a, "q1"), CM_ESTATE);
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_AMENDED, "q1 misheard"), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q1", 3), CM_OK);
	env.clock.now = TH_T0 + 60;
	save_commit(a);
	assert_int_equal(cm_assessment_revision(a), 2);
	assert_int_equal(cm_assessment_score(&total, NULL, NULL, a), CM_OK);
	assert_int_equal(total, 11);

	/* The earlier version stays retrievable, and scores as it did. */
	assert_int_equal(cm_assessment_get_revision(&old, env.store, id, 1), CM_OK);
	assert_int_equal(cm_assessment_status(old), CM_ASSESSMENT_COMPLETED);
	assert_int_equal(cm_assessment_answer(&v, old, "q1"), CM_OK);
	assert_int_equal(v, 1);
	assert_int_equal(cm_assessment_score(&total, NULL, NULL, old), CM_OK);
	assert_int_equal(total, 9);
	/* An earlier revision cannot be saved over the later one. */
	assert_int_equal(cm_assessment_set_text(old, CM_ASSESSMENT_NOTE, "x"), CM_OK);
	save_fails(old, CM_ECONFLICT);
	cm_assessment_free(old);
	assert_int_equal(cm_assessment_get_revision(&old, env.store, id, 3), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_get_revision(&old, env.store, id, 0), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_get_revision(&old, env.store, "nope", 1), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_get_revision(NULL, env.store, id, 1), CM_EINVAL);
	assert_int_equal(cm_assessment_get_revision(&old, env.store, id, 2), CM_OK);
	assert_int_equal(cm_assessment_revision(old), 2);
	cm_assessment_free(old);

	/* A further amendment is recorded again. */
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_AMENDED, "again"), CM_OK);
	assert_int_equal(cm_assessment_status_history_count(a), 3);
	cm_assessment_free(a);
	cm_client_free(c);
}

static void test_refused_transitions(void **state)
{
	/* Every (from, to) pair not in the documented table is refused and
	 * leaves the handle as it was. */
	static const int allowed[6][6] = {
		/* to:   -  ip  co  am  eie st */
		[1] = { 0, 0, 1, 0, 1, 1 },
		[2] = { 0, 0, 0, 1, 1, 0 },
		[3] = { 0, 0, 0, 1, 1, 0 },
		[4] = { 0, 0, 0, 0, 0, 0 },
		[5] = { 0, 0, 0, 0, 1, 0 },
	};
	/* How to reach each status from in-progress. */
	static const int32_t path[6][3] = {
		[1] = { 0 }, [2] = { 2 }, [3] = { 2, 3 }, [4] = { 4 }, [5] = { 5 },
	};
	cm_client *c = make_client();
	int32_t from, to;
	size_t k;
	(void)state;
	for (from = 1; from <= 5; from++) {
		for (to = 1; to <= 5; to++) {
			cm_assessment *a = phq9(c, 0);
			size_t before;
			for (k = 0; k < 3 && path[from][k]; k++)
				assert_int_equal(cm_assessment_set_status(a, path[from][k], "r"), CM_OK);
			before = cm_assessment_status_history_count(a);
			assert_int_equal(cm_assessment_set_status(a, to, "r"),
					 allowed[from][to] ? CM_OK : CM_ETRANSITION);
			if (!allowed[from][to]) {
				assert_int_equal(cm_assessment_status(a), from);
				assert_int_equal(cm_assessment_status_history_count(a), before);
			}
			cm_assessment_free(a);
		}
	}
	cm_client_free(c);
}

static void test_required_answers(void **state)
{
	cm_client *c = make_client();
	cm_assessment *a;
	(void)state;
	assert_int_equal(cm_assessment_new(&a, env.store, cm_client_id(c), "phq-9"), CM_OK);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "nurse-1"), CM_OK);
	answer_all(a, 8, 1);
	/* q9 missing: completing is refused, the status unchanged. */
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "done"), CM_EINCOMPLETE);
	assert_non_null(strstr(cm_store_errmsg(env.store), "'q9'"));
	assert_int_equal(cm_assessment_status(a), CM_ASSESSMENT_IN_PROGRESS);
	assert_int_equal(cm_assessment_status_history_count(a), 0);
	/* The optional difficulty question is not needed. */
	assert_int_equal(cm_assessment_set_answer(a, "q9", 0), CM_OK);
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "done"), CM_OK);
	save_commit(a);
	/* Amending and then removing a required answer: refused at save. */
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_AMENDED, "fix"), CM_OK);
	assert_int_equal(cm_assessment_clear_answer(a, "q2"), CM_OK);
	save_fails(a, CM_EINCOMPLETE);
	assert_int_equal(cm_assessment_clear_answer(a, "q2"), CM_ENOTFOUND);
	cm_assessment_free(a);
	cm_client_free(c);
}

/* The answers of a are items[0..n) with these values, in this order. */
static void assert_answers(const cm_assessment *a, const char *const *items,
			   const int32_t *values, size_t n)
{
	const char *item;
	int32_t v;
	size_t i;

	assert_int_equal(cm_assessment_answer_count(a), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(cm_assessment_answer_at(&item, &v, a, i), CM_OK);
		assert_string_equal(item, items[i]);
		assert_int_equal(v, values[i]);
		assert_int_equal(cm_assessment_answer(&v, a, items[i]), CM_OK);
		assert_int_equal(v, values[i]);
	}
}

/* Answers given in any order, changed in a copy of a committed version
 * and in a record read back from storage: each item answered once, in
 * the order first answered, scored by its item. */
static void test_answer_order_and_reload(void **state)
{
	static const char *const i1[] = { "q9", "q1", "q10", "q5" };
	static const int32_t v1[] = { 3, 2, 1, 0 };
	static const char *const i2[] = { "q9", "q1", "q10", "q5", "q3" };
	static const int32_t v2[] = { 1, 2, 1, 0, 1 };
	static const char *const i3[] = { "q1", "q10", "q5", "q3", "q2" };
	static const int32_t v3[] = { 0, 1, 0, 1, 3 };
	char dir[256], path[300], id[64];
	cm_client *c;
	cm_assessment *a;
	int32_t total;
	(void)state;

	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	c = make_client();
	assert_int_equal(cm_assessment_new(&a, env.store, cm_client_id(c), "phq-9"), CM_OK);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "nurse-1"), CM_OK);
	strcpy(id, cm_assessment_id(a));
	assert_int_equal(cm_assessment_set_answer(a, "q9", 3), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q1", 1), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q5", 2), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q1", 2), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q10", 1), CM_OK);
	assert_int_equal(cm_assessment_clear_answer(a, "q5"), CM_OK);
	assert_int_equal(cm_assessment_clear_answer(a, "q5"), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_set_answer(a, "q5", 0), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q11", 0), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_set_answer(a, "q", 0), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_set_answer(a, "q1", 4), CM_ERANGE);
	assert_int_equal(cm_assessment_clear_answer(a, "q2"), CM_ENOTFOUND);
	assert_answers(a, i1, v1, 4);
	save_commit(a);

	/* The handle now reads the committed version: a change copies it. */
	assert_int_equal(cm_assessment_set_answer(a, "q3", 1), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q9", 1), CM_OK);
	assert_answers(a, i2, v2, 5);
	save_commit(a);
	cm_assessment_free(a);
	cm_client_free(c);

	/* Read back from the journal: the same answers, changed alike. */
	th_close(&env);
	th_open_journal(&env, path);
	assert_int_equal(cm_assessment_get(&a, env.store, id), CM_OK);
	assert_answers(a, i2, v2, 5);
	assert_int_equal(cm_assessment_set_answer(a, "q1", 0), CM_OK);
	assert_int_equal(cm_assessment_clear_answer(a, "q9"), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q2", 3), CM_OK);
	assert_int_equal(cm_assessment_clear_answer(a, "q9"), CM_ENOTFOUND);
	assert_answers(a, i3, v3, 5);
	/* q10 is not scored. */
	assert_int_equal(cm_assessment_score(&total, NULL, NULL, a), CM_OK);
	assert_int_equal(total, 4);
	save_commit(a);
	cm_assessment_free(a);
	th_close(&env);
	th_open_journal(&env, path);
	assert_int_equal(cm_assessment_get(&a, env.store, id), CM_OK);
	assert_answers(a, i3, v3, 5);
	assert_int_equal(cm_assessment_score(&total, NULL, NULL, a), CM_OK);
	assert_int_equal(total, 4);
	cm_assessment_free(a);
	th_close(&env);
	fx_rmdir(dir);
}

/* ---- bad input --------------------------------------------------------- */

static void test_bad_input(void **state)
{
	cm_client *c = make_client();
	cm_assessment *a = phq9(c, 2), *b;
	int32_t v;
	int64_t t;
	char longtext[4100];
	(void)state;
	assert_int_equal(cm_assessment_new(NULL, env.store, "x", "phq-9"), CM_EINVAL);
	assert_int_equal(cm_assessment_new(&b, NULL, "x", "phq-9"), CM_EINVAL);
	assert_int_equal(cm_assessment_new(&b, env.store, NULL, "phq-9"), CM_EINVAL);
	assert_int_equal(cm_assessment_new(&b, env.store, "", "phq-9"), CM_EINVAL);
	assert_int_equal(cm_assessment_new(&b, env.store, "x", NULL), CM_EINVAL);
	assert_int_equal(cm_assessment_new(&b, env.store, "x", "phq-10"), CM_ENOTFOUND);
	env.clock.fail = 1;
	assert_int_equal(cm_assessment_new(&b, env.store, "x", "phq-9"), CM_ECLOCK);
	env.clock.fail = 0;

	/* Answers: out of range, unknown item, NULLs; the old answer stays. */
	assert_int_equal(cm_assessment_set_answer(a, "q1", 4), CM_ERANGE);
	assert_int_equal(cm_assessment_set_answer(a, "q1", -1), CM_ERANGE);
	assert_int_equal(cm_assessment_set_answer(a, "q11", 1), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_set_answer(a, NULL, 1), CM_EINVAL);
	assert_int_equal(cm_assessment_set_answer(NULL, "q1", 1), CM_EINVAL);
	assert_int_equal(cm_assessment_clear_answer(a, "zz"), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_clear_answer(NULL, "q1"), CM_EINVAL);
	assert_int_equal(cm_assessment_answer(&v, a, "q1"), CM_OK);
	assert_int_equal(v, 2);
	assert_int_equal(cm_assessment_answer(&v, a, "q10"), CM_ENOTFOUND);
	assert_int_equal(cm_assessment_answer(NULL, a, "q1"), CM_EINVAL);
	assert_int_equal(cm_assessment_answer_count(a), 9);
	assert_int_equal(cm_assessment_answer_at(NULL, NULL, a, 9), CM_ERANGE);
	assert_int_equal(cm_assessment_answer_at(NULL, NULL, NULL, 0), CM_EINVAL);

	/* Fields. */
	memset(longtext, 'a', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_NOTE, longtext), CM_ETOOLONG);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_NOTE, "\xff"), CM_EUTF8);
	assert_int_equal(cm_assessment_set_text(a, 99, "x"), CM_ERANGE);
	assert_null(cm_assessment_text(a, CM_ASSESSMENT_NOTE));
	assert_int_equal(cm_assessment_set_int(a, CM_ASSESSMENT_TIME, CM_TIME_MAX + 1), CM_EDATE);
	assert_int_equal(cm_assessment_set_int(a, 7, 0), CM_ERANGE);
	assert_int_equal(cm_assessment_get_int(&t, a, CM_ASSESSMENT_TIME), CM_OK);
	assert_int_equal(t, TH_T0);
	assert_int_equal(cm_assessment_get_int(NULL, a, CM_ASSESSMENT_TIME), CM_EINVAL);

	/* Status: NULL or empty reason, unknown status. */
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, NULL), CM_EINVAL);
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, ""), CM_EINVAL);
	assert_int_equal(cm_assessment_set_status(a, 9, "r"), CM_ERANGE);
	assert_int_equal(cm_assessment_set_status(NULL, 2, "r"), CM_EINVAL);
	assert_int_equal(cm_assessment_status(a), CM_ASSESSMENT_IN_PROGRESS);

	/* Saving: unknown client, no assessor. Nothing is staged. */
	assert_int_equal(cm_assessment_new(&b, env.store, "no-such-client", "gad-7"), CM_OK);
	assert_int_equal(cm_assessment_set_text(b, CM_ASSESSMENT_ASSESSOR, "n"), CM_OK);
	save_fails(b, CM_ENOTFOUND);
	cm_assessment_free(b);
	assert_int_equal(cm_assessment_new(&b, env.store, cm_client_id(c), "gad-7"), CM_OK);
	save_fails(b, CM_EINCOMPLETE);
	assert_int_equal(cm_assessment_save(NULL, b), CM_EINVAL);
	cm_assessment_free(b);

	/* Getters on NULL and on a handle of another kind. */
	assert_null(cm_assessment_id(NULL));
	assert_int_equal(cm_assessment_status(NULL), 0);
	assert_null(cm_assessment_id((const cm_assessment *)(const void *)c));
	assert_int_equal(cm_assessment_score(NULL, NULL, NULL, NULL), CM_EINVAL);
	assert_int_equal(cm_assessment_component_count(NULL), 0);
	assert_int_equal(cm_assessment_finding_count(NULL), 0);
	assert_int_equal(cm_assessment_component_at(NULL, NULL, NULL, 0), CM_EINVAL);
	assert_int_equal(cm_assessment_finding_at(NULL, NULL, a, 5), CM_ERANGE);
	assert_int_equal(cm_assessment_get(&b, env.store, "nope"), CM_ENOTFOUND);
	cm_assessment_free(a);
	cm_client_free(c);
}

static void test_staged_client(void **state)
{
	/* The client may be created in the same transaction. */
	cm_client *c;
	cm_assessment *a;
	cm_txn *txn;
	(void)state;
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "Ann"), CM_OK);
	assert_int_equal(cm_assessment_new(&a, env.store, cm_client_id(c), "phq-2"), CM_OK);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "n"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "n"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_assessment_save(txn, a), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm_assessment_revision(a), 1);
	assert_string_equal(cm_assessment_client_id(a), cm_client_id(c));
	assert_string_equal(cm_assessment_instrument(a), "phq-2");
	assert_int_equal(cm_assessment_created(a), TH_T0);
	assert_int_equal(cm_assessment_updated(a), TH_T0);
	cm_assessment_free(a);
	cm_client_free(c);
}

/* ---- host-defined instruments ------------------------------------------ */

static cm_instrument *good_def(const char *code)
{
	cm_instrument *d;
	assert_int_equal(cm_instrument_new(&d, env.store, code, "frailty"), CM_OK);
	assert_int_equal(cm_instrument_add_item(d, "walk", 0, 4, 1), CM_OK);
	assert_int_equal(cm_instrument_add_item(d, "falls", 0, 3, 1), CM_OK);
	assert_int_equal(cm_instrument_add_item(d, "help", 0, 1, 0), CM_OK);
	assert_int_equal(cm_instrument_add_band(d, 0, "robust", 0), CM_OK);
	assert_int_equal(cm_instrument_add_band(d, 3, "pre-frail", 1), CM_OK);
	assert_int_equal(cm_instrument_add_band(d, 6, "frail", 3), CM_OK);
	return d;
}

static void test_host_instrument(void **state)
{
	cm_client *c = make_client();
	cm_instrument *d = good_def("frail-5");
	cm_assessment *a;
	int32_t total, tier;
	const char *band;
	(void)state;
	assert_int_equal(cm_store_register_instrument(env.store, d), CM_OK);
	/* Registered twice, or over a built-in: refused. */
	assert_int_equal(cm_store_register_instrument(env.store, d), CM_EEXIST);
	cm_instrument_free(d);
	d = good_def("phq-9");
	assert_int_equal(cm_store_register_instrument(env.store, d), CM_EEXIST);
	cm_instrument_free(d);
	/* A definition made for another store. */
	{
		struct th_env other;
		cm_store *mine = env.store;
		memcpy(&other, &env, sizeof(other));
		th_open(&other);
		env.store = other.store;
		d = good_def("other");
		env.store = mine;
		assert_int_equal(cm_store_register_instrument(env.store, d), CM_EINVAL);
		cm_instrument_free(d);
		th_close(&other);
	}

	assert_int_equal(cm_assessment_new(&a, env.store, cm_client_id(c), "frail-5"), CM_OK);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "n"), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "walk", 4), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "walk", 5), CM_ERANGE);
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "r"), CM_EINCOMPLETE);
	assert_int_equal(cm_assessment_set_answer(a, "falls", 3), CM_OK);
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "r"), CM_OK);
	assert_int_equal(cm_assessment_score(&total, &band, NULL, a), CM_OK);
	assert_int_equal(total, 7);
	assert_string_equal(band, "frail");
	assert_int_equal(cm_assessment_risk_tier(&tier, a), CM_OK);
	assert_int_equal(tier, 4);
	save_commit(a);
	cm_assessment_free(a);
	cm_client_free(c);
}

static void test_bad_definitions(void **state)
{
	cm_instrument *d;
	int i;
	char code[8];
	(void)state;
	assert_int_equal(cm_instrument_new(&d, env.store, "Bad Code", "x"), CM_EINVAL);
	assert_int_equal(cm_instrument_new(&d, env.store, "", "x"), CM_EINVAL);
	assert_int_equal(cm_instrument_new(&d, env.store, "ok", NULL), CM_EINVAL);
	assert_int_equal(cm_instrument_new(NULL, env.store, "ok", "x"), CM_EINVAL);
	assert_int_equal(cm_instrument_new(&d, NULL, "ok", "x"), CM_EINVAL);
	assert_int_equal(cm_store_register_instrument(env.store, NULL), CM_EINVAL);

	/* No items; no bands. */
	assert_int_equal(cm_instrument_new(&d, env.store, "t1", "x"), CM_OK);
	assert_int_equal(cm_store_register_instrument(env.store, d), CM_EINVAL);
	assert_non_null(strstr(cm_store_errmsg(env.store), "no items"));
	assert_int_equal(cm_instrument_add_item(d, "a", 0, 3, 1), CM_OK);
	assert_int_equal(cm_store_register_instrument(env.store, d), CM_EINVAL);
	assert_non_null(strstr(cm_store_errmsg(env.store), "no bands"));
	cm_instrument_free(d);

#define REFUSED(build, text)                                                   \
	do {                                                                   \
		assert_int_equal(cm_instrument_new(&d, env.store, "t2", "x"), CM_OK); \
		build;                                                         \
		assert_int_equal(cm_store_register_instrument(env.store, d), CM_EINVAL); \
		assert_non_null(strstr(cm_store_errmsg(env.store), text));     \
		cm_instrument_free(d);                                         \
	} while (0)
	REFUSED((cm_instrument_add_item(d, "a", 3, 1, 1),
		 cm_instrument_add_band(d, 0, "b", 0)), "range");
	REFUSED((cm_instrument_add_item(d, "a", 0, 2000000, 1),
		 cm_instrument_add_band(d, 0, "b", 0)), "range");
	REFUSED((cm_instrument_add_item(d, "a", 0, 1, 1),
		 cm_instrument_add_item(d, "a", 0, 1, 1),
		 cm_instrument_add_band(d, 0, "b", 0)), "defined twice");
	REFUSED((cm_instrument_add_item(d, "A b", 0, 1, 1),
		 cm_instrument_add_band(d, 0, "b", 0)), "item code");
	REFUSED((cm_instrument_add_item(d, "a", 0, 1, 2),
		 cm_instrument_add_band(d, 0, "b", 0)), "required");
	REFUSED((cm_instrument_add_item(d, "a", 0, 3, 1),
		 cm_instrument_add_band(d, 0, "b", 0),
		 cm_instrument_add_band(d, 0, "c", 1)), "must start above");
	REFUSED((cm_instrument_add_item(d, "a", 0, 3, 1),
		 cm_instrument_add_band(d, 0, "b", 0),
		 cm_instrument_add_band(d, 2, "b", 1)), "defined twice");
	REFUSED((cm_instrument_add_item(d, "a", 0, 3, 1),
		 cm_instrument_add_band(d, 0, "b", 4)), "severity");
	REFUSED((cm_instrument_add_item(d, "a", 1, 3, 1),
		 cm_instrument_add_band(d, 2, "b", 0)), "first band");
	REFUSED((cm_instrument_add_item(d, "a", 0, 3, 1),
		 cm_instrument_add_band(d, 0, "", 0)), "band code");
#undef REFUSED

	/* Builder limits and NULLs. */
	assert_int_equal(cm_instrument_new(&d, env.store, "t3", "x"), CM_OK);
	for (i = 0; i < 64; i++) {
		snprintf(code, sizeof(code), "i%d", i);
		assert_int_equal(cm_instrument_add_item(d, code, 0, 1, 0), CM_OK);
	}
	assert_int_equal(cm_instrument_add_item(d, "more", 0, 1, 0), CM_ERANGE);
	for (i = 0; i < 16; i++) {
		snprintf(code, sizeof(code), "b%d", i);
		assert_int_equal(cm_instrument_add_band(d, i, code, 0), CM_OK);
	}
	assert_int_equal(cm_instrument_add_band(d, 99, "more", 0), CM_ERANGE);
	assert_int_equal(cm_instrument_add_item(d, NULL, 0, 1, 0), CM_EINVAL);
	assert_int_equal(cm_instrument_add_band(d, 0, NULL, 0), CM_EINVAL);
	assert_int_equal(cm_instrument_add_item(NULL, "x", 0, 1, 0), CM_EINVAL);
	assert_int_equal(cm_instrument_add_band(NULL, 0, "x", 0), CM_EINVAL);
	assert_int_equal(cm_store_register_instrument(env.store, d), CM_OK);
	cm_instrument_free(d);
	cm_instrument_free(NULL);
}

/* ---- risk tier --------------------------------------------------------- */

static void test_risk_tier(void **state)
{
	cm_client *c = make_client();
	cm_assessment *a = phq9(c, 1); /* total 9: mild, severity low */
	cm_client *stale;
	cm_txn *txn;
	int32_t tier;
	int64_t v;
	uint64_t d;
	(void)state;
	/* Only a completed or amended assessment has a tier. */
	assert_int_equal(cm_assessment_risk_tier(&tier, a), CM_ESTATE);
	assert_int_equal(cm_assessment_set_answer(a, "q9", 0), CM_OK);
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "r"), CM_OK);
	/* Default policy: 1 + the highest finding severity. */
	assert_int_equal(cm_assessment_risk_tier(&tier, a), CM_OK);
	assert_int_equal(tier, 2);
	/* A store policy for PHQ-9 totals. */
	assert_int_equal(cm_store_set_risk_policy(env.store, "phq-9", 5, 10, 20), CM_OK);
	assert_int_equal(cm_assessment_risk_tier(&tier, a), CM_OK);
	assert_int_equal(tier, 2);
	assert_int_equal(cm_store_set_risk_policy(env.store, "phq-9", 2, 4, 8), CM_OK);
	assert_int_equal(cm_assessment_risk_tier(&tier, a), CM_OK);
	assert_int_equal(tier, 4);
	assert_int_equal(cm_store_set_risk_policy(env.store, "phq-9", 5, 5, 8), CM_EINVAL);
	assert_int_equal(cm_store_set_risk_policy(env.store, "nope", 1, 2, 3), CM_ENOTFOUND);
	assert_int_equal(cm_store_set_risk_policy(NULL, "phq-9", 1, 2, 3), CM_EINVAL);
	assert_int_equal(cm_store_set_risk_policy(env.store, NULL, 1, 2, 3), CM_EINVAL);
	assert_int_equal(cm_store_set_risk_policy(env.store, "phq-9", 10, 15, 20), CM_OK);
	assert_int_equal(cm_assessment_risk_tier(&tier, a), CM_OK);
	assert_int_equal(tier, 1);
	assert_int_equal(cm_assessment_risk_tier(NULL, a), CM_EINVAL);
	save_commit(a);

	/* Written to the client in the same transaction. */
	assert_int_equal(cm_txn_begin(&txn, env.store, "nurse-1"), CM_OK);
	assert_int_equal(cm_assessment_apply_risk_tier(txn, a, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, 1);
	assert_int_equal(cm_client_revision(c), 2);

	/* Safety flag: tier 4 whatever the policy. */
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_AMENDED, "q9"), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q9", 1), CM_OK);
	assert_int_equal(cm_assessment_risk_tier(&tier, a), CM_OK);
	assert_int_equal(tier, 4);
	assert_int_equal(cm_txn_begin(&txn, env.store, "nurse-1"), CM_OK);
	assert_int_equal(cm_assessment_save(txn, a), CM_OK);
	assert_int_equal(cm_assessment_apply_risk_tier(txn, a, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, 4);

	/* Failures leave the client handle and the store unchanged. */
	assert_int_equal(cm_client_get(&stale, env.store, cm_client_id(c)), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "Jo"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "x"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	d = cm__store_digest(env.store);
	assert_int_equal(cm_txn_begin(&txn, env.store, "x"), CM_OK);
	assert_int_equal(cm_client_set_int(stale, CM_CLIENT_RISK_TIER, 2), CM_OK);
	assert_int_equal(cm_assessment_apply_risk_tier(txn, a, stale), CM_ECONFLICT);
	assert_int_equal(cm_client_get_int(&v, stale, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, 2);
	assert_int_equal(cm_assessment_apply_risk_tier(NULL, a, c), CM_EINVAL);
	assert_int_equal(cm_assessment_apply_risk_tier(txn, NULL, c), CM_EINVAL);
	assert_int_equal(cm_assessment_apply_risk_tier(txn, a, NULL), CM_EINVAL);
	cm_txn_commit(txn);
	assert_int_equal(cm__store_digest(env.store), d);
	cm_client_free(stale);

	/* Another client: refused. */
	{
		cm_client *other = make_client();
		assert_int_equal(cm_txn_begin(&txn, env.store, "x"), CM_OK);
		assert_int_equal(cm_assessment_apply_risk_tier(txn, a, other), CM_EINVAL);
		cm_txn_rollback(txn);
		cm_client_free(other);
	}
	cm_assessment_free(a);
	cm_client_free(c);
}

static void test_in_progress_tier_refused(void **state)
{
	cm_client *c = make_client();
	cm_assessment *a = phq9(c, 0);
	cm_txn *txn;
	uint64_t d = cm__store_digest(env.store);
	(void)state;
	assert_int_equal(cm_txn_begin(&txn, env.store, "x"), CM_OK);
	assert_int_equal(cm_assessment_apply_risk_tier(txn, a, c), CM_ESTATE);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm__store_digest(env.store), d);
	cm_assessment_free(a);
	cm_client_free(c);
}

/* ---- allocation-failure sweep ------------------------------------------ */

/* Client + PHQ-9 completed + tier applied, in one transaction; then an
 * amendment in a second. Returns the first failure. */
static int scenario(struct th_env *e, uint64_t *digest_before_fail)
{
	cm_store *s = e->store;
	cm_client *c = NULL;
	cm_assessment *a = NULL;
	cm_txn *txn = NULL;
	char item[4];
	int i, rc;

	*digest_before_fail = cm__store_digest(s);
	if ((rc = cm_client_new(&c, s)) ||
	    (rc = cm_client_set_text(c, CM_CLIENT_FAMILY, "Doe")) ||
	    (rc = cm_assessment_new(&a, s, cm_client_id(c), "phq-9")) ||
	    (rc = cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "n")))
		goto out;
	for (i = 1; i <= 9; i++) {
		snprintf(item, sizeof(item), "q%d", i);
		if ((rc = cm_assessment_set_answer(a, item, 2)))
			goto out;
	}
	if ((rc = cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "done")) ||
	    (rc = cm_txn_begin(&txn, s, "nurse")) ||
	    (rc = cm_client_save(txn, c)) || (rc = cm_assessment_save(txn, a)) ||
	    (rc = cm_assessment_apply_risk_tier(txn, a, c)))
		goto out;
	rc = cm_txn_commit(txn);
	txn = NULL;
	if (rc)
		goto out;
	*digest_before_fail = cm__store_digest(s);
	if ((rc = cm_assessment_set_status(a, CM_ASSESSMENT_AMENDED, "fix")) ||
	    (rc = cm_assessment_set_answer(a, "q1", 0)) ||
	    (rc = cm_txn_begin(&txn, s, "nurse")) || (rc = cm_assessment_save(txn, a)))
		goto out;
	rc = cm_txn_commit(txn);
	txn = NULL;
out:
	cm_txn_rollback(txn);
	cm_assessment_free(a);
	cm_client_free(c);
	return rc;
}

/* Define an instrument, register it, give it a risk policy. */
static int register_scenario(struct th_env *e, uint64_t *before)
{
	cm_instrument *d = NULL;
	int rc;

	*before = cm__store_digest(e->store);
	if ((rc = cm_instrument_new(&d, e->store, "t", "x")) == CM_OK &&
	    (rc = cm_instrument_add_item(d, "a", 0, 1, 1)) == CM_OK &&
	    (rc = cm_instrument_add_band(d, 0, "b", 0)) == CM_OK) {
		/* The registry is not part of the digest: check directly
		 * that a failed registration registered nothing. */
		if ((rc = cm_store_register_instrument(e->store, d)) != CM_OK)
			assert_int_equal(cm_instrument_item_at(NULL, NULL, NULL, NULL,
							       e->store, "t", 0),
					 CM_ENOTFOUND);
		else
			rc = cm_store_set_risk_policy(e->store, "t", 1, 2, 3);
	}
	cm_instrument_free(d);
	return rc;
}

static void test_alloc_sweep(void **state)
{
	(void)state;
	assert_true(th_alloc_sweep(&env, th_open, th_close, scenario, 0) > 10);
	assert_true(th_alloc_sweep(&env, th_open, th_close, scenario, 1) > 10);
	assert_true(th_alloc_sweep(&env, th_open, th_close, register_scenario, 0) > 2);
	assert_true(th_alloc_sweep(&env, th_open, th_close, register_scenario, 1) > 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete_and_amend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required_answers, setup, teardown),
		cmocka_unit_test(test_answer_order_and_reload),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_instrument, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_definitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_risk_tier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_progress_tier_refused, setup, teardown),
		cmocka_unit_test(test_alloc_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
