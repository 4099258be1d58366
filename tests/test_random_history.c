/*
 * Random histories: transactions of client saves (integer-only changes,
 * which stage shallow copies, and text changes, with more texts than a
 * pack remembers), events added with and without handles, amendments,
 * long actors and texts, committed or rolled back; then a reopen of the
 * journal must give the same store and timelines. And one transaction of
 * each kind of change, with its Nth allocation failing: nothing changes,
 * and the same transaction then commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "store/intern.h"

static unsigned rnd_state = 12345;
static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static void text(char *buf, size_t max)
{
	size_t n = 1 + rnd((unsigned)max), i;
	for (i = 0; i < n; i++)
		buf[i] = (char)('a' + rnd(4));
	buf[n] = '\0';
}

#define NC 12
static char ids[NC][40];
static char evs[400][40];
static int evw[400]; /* the client (index in ids) of each event */
static int nev, fails;

static void one_round(struct th_env *env)
{
	cm_txn *txn;
	cm_client *c;
	char b1[120], b2[120], b3[120];
	int i, k, commit = rnd(4) != 0;
	char pend[3][40], pe[8][40];
	int pw[3], pew[8], npend = 0, npe = 0;

	assert_int_equal(cm_txn_begin(&txn, env->store,
				      rnd(2) ? "actor-a"
					     : "an-actor-with-a-name-longer-than-"
					       "sixty-four-bytes-xxxxxxxxxxxxxxxx"),
			 CM_OK);
	for (k = 0; k < 3; k++) {
		int w = rnd(NC);
		if (!ids[w][0]) {
			assert_int_equal(cm_client_new(&c, env->store), CM_OK);
		} else {
			assert_int_equal(cm_client_get(&c, env->store, ids[w]), CM_OK);
		}
		/* A shallow change first (ints only), sometimes texts too. */
		cm_client_set_int(c, CM_CLIENT_RISK_TIER, rnd(5));
		if (rnd(2) || !ids[w][0]) {
			text(b1, rnd(2) ? 10 : 100);
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, b1), CM_OK);
			text(b1, rnd(2) ? 6 : 64);
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, b1), CM_OK);
			for (i = rnd(22); i > 0; i--) {
				text(b1, 8);
				text(b2, 20);
				cm_client_set_identifier(c, b1, b2);
			}
			for (i = rnd(4); i > 0; i--) {
				text(b1, rnd(2) ? 5 : 90);
				text(b2, 10);
				text(b3, 5);
				cm_client_add_coverage(c, b1, b2, b3);
			}
			if (rnd(2)) {
				text(b1, 30);
				cm_client_set_text(c, CM_CLIENT_PHONE, b1);
			}
		}
		if (rnd(3) == 0)
			cm_client_set_status(c, rnd(2) ? CM_CASE_ACTIVE : CM_CASE_ONHOLD,
					     rnd(2) ? "why" : NULL);
		if (cm_client_save(txn, c) == CM_OK && !ids[w][0] && commit) {
			strcpy(pend[npend], cm_client_id(c));
			pw[npend++] = w;
		}
		cm_client_free(c);
	}
	for (k = rnd(4); k > 0; k--) {
		int w = rnd(NC);
		char id[CM_ID_BUFSIZE];
		if (!ids[w][0])
			continue;
		text(b1, 40);
		if (rnd(2) && nev) {
			/* Mostly one of the first events, by its own client:
			 * events amended many times, in any time order. */
			int t = rnd(4) ? rnd(nev < 16 ? nev : 16) : rnd(nev);
			cm_event *e;
			if (rnd(4))
				w = evw[t];
			assert_int_equal(cm_event_new(&e, env->store, ids[w], CM_EVENT_NOTE, TH_T0 + rnd(1000)), CM_OK);
			cm_event_set_text(e, CM_EVENT_TEXT, b1);
			cm_event_set_amends(e, evs[t]);
			if (cm_event_save(txn, e) == CM_OK && commit && nev + npe < 400) {
				pew[npe] = w;
				strcpy(pe[npe++], cm_event_id(e));
			}
			cm_event_free(e);
		} else if (cm_event_add(txn, id, sizeof(id), ids[w], CM_EVENT_CONTACT,
					TH_T0 + rnd(1000), rnd(4), rnd(2) ? b1 : NULL) == CM_OK &&
			   commit && nev + npe < 400) {
			pew[npe] = w;
			strcpy(pe[npe++], id);
		}
	}
	if (commit) {
		int rc = cm_txn_commit(txn);
		if (rc == CM_OK) {
			for (i = 0; i < npend; i++)
				if (!ids[pw[i]][0])
					strcpy(ids[pw[i]], pend[i]);
			for (i = 0; i < npe; i++) {
				evw[nev] = pew[i];
				strcpy(evs[nev++], pe[i]);
			}
		} else
			fails++;
	} else
		cm_txn_rollback(txn);
}

/* A hash of every client's timeline with its amendment links; *amended
 * receives how many events were amended. Each link is checked against its
 * definition: the last of the client's events, oldest first (by time,
 * then id), that amends the event. */
static uint64_t tl_hash(cm_store *st, int *amended)
{
	static char tid[400][CM_ID_BUFSIZE], tam[400][CM_ID_BUFSIZE],
		tby[400][CM_ID_BUFSIZE];
	uint64_t h = 1469598103934665603ULL;
	int w, namended = 0;
	for (w = 0; w < NC; w++) {
		cm_event_iter *it;
		cm_event *e;
		int n = 0, i, j;
		if (!ids[w][0])
			continue;
		assert_int_equal(cm_event_timeline(&it, st, ids[w], CM_TIME_NONE, CM_TIME_NONE, 0), CM_OK);
		while (cm_event_iter_next(&e, it) == CM_OK) {
			const char *a = cm_event_iter_amended_by(it);
			const char *p;
			assert_true(n < 400);
			strcpy(tid[n], cm_event_id(e));
			strcpy(tam[n], cm_event_amends(e) ? cm_event_amends(e) : "");
			strcpy(tby[n++], a ? a : "");
			if (a)
				namended++;
			for (p = cm_event_id(e); *p; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			for (p = a ? a : "-"; *p; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			cm_event_free(e);
		}
		cm_event_iter_free(it);
		for (i = 0; i < n; i++) {
			const char *want = "";
			for (j = 0; j < n; j++)
				if (strcmp(tam[j], tid[i]) == 0)
					want = tid[j];
			assert_string_equal(tby[i], want);
		}
	}
	*amended = namended;
	return h;
}

static void test_stress(void **state)
{
	struct th_env env, env2;
	char dir[128], path[200];
	uint64_t d1, d2, t1;
	int r, a1, a2;
	(void)state;

	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	for (r = 0; r < 400; r++)
		one_round(&env);
	/* Every commit went through; the history has events and
	 * amendments to compare. */
	assert_int_equal(fails, 0);
	assert_true(nev > 100);
	d1 = cm__store_digest(env.store);
	t1 = tl_hash(env.store, &a1);
	assert_true(a1 > 0);
	th_close(&env);
	th_open_journal(&env2, path);
	d2 = cm__store_digest(env2.store);
	assert_true(d1 == d2);
	assert_true(t1 == tl_hash(env2.store, &a2));
	assert_int_equal(a1, a2);
	for (r = 0; r < 100; r++)
		one_round(&env2);
	th_close(&env2);
	fx_rmdir(dir);
}

static int attempt(struct th_env *env, const char *amend_of)
{
	cm_txn *txn = NULL;
	cm_client *c = NULL, *n = NULL;
	cm_event *e = NULL;
	int rc;

	if ((rc = cm_client_get(&c, env->store, "c1")) ||
	    (rc = cm_client_new(&n, env->store)) ||
	    (rc = cm_client_set_id(n, "c2")) ||
	    (rc = cm_client_set_text(n, CM_CLIENT_FAMILY, "Two")) ||
	    (rc = cm_client_set_text(n, CM_CLIENT_CASE_MANAGER, "mgr-new-one")) ||
	    (rc = cm_client_set_identifier(n, "MRN", "X2")) ||
	    (rc = cm_client_set_int(c, CM_CLIENT_RISK_TIER, 4)) ||
	    (rc = cm_event_new(&e, env->store, "c1", CM_EVENT_NOTE, TH_T0 + 9)) ||
	    (rc = cm_event_set_amends(e, amend_of)) ||
	    (rc = cm_txn_begin(&txn, env->store, "fresh-actor")) ||
	    (rc = cm_client_save(txn, c)) ||
	    (rc = cm_client_save(txn, n)) ||
	    (rc = cm_event_save(txn, e)) ||
	    (rc = cm_event_add(txn, NULL, 0, "c2", CM_EVENT_CONTACT, TH_T0, 1, "n1")) ||
	    (rc = cm_event_add(txn, NULL, 0, "c1", CM_EVENT_CONTACT, TH_T0 + 1, 1, "n2")))
		goto out;
	rc = cm_txn_commit(txn);
	txn = NULL;
out:
	cm_txn_rollback(txn);
	cm_event_free(e);
	cm_client_free(n);
	cm_client_free(c);
	return rc;
}

static void test_failed_commit_then_retry(void **state)
{
	long n;
	int after;
	(void)state;

	for (after = 0; after <= 1; after++)
	for (n = 1; n < 400; n++) {
		struct th_env env;
		char e1[64];
		uint64_t before;
		int rc, amended = 0, count = 0;
		cm_event_iter *it;
		cm_event *e;
		cm_client *f;

		th_open(&env);
		fx_client(&env, "c1", "cm-a", 2, TH_D0);
		fx_event(&env, e1, "c1", CM_EVENT_CONTACT, TH_T0 - 50);
		before = cm__store_digest(env.store);
		env.alloc.count = 0;
		env.alloc.fail_at = n;
		env.alloc.fail_after = after;
		rc = attempt(&env, e1);
		env.alloc.fail_at = 0;
		env.alloc.fail_after = 0;
		if (rc == CM_OK) {
			th_close(&env);
			break;
		}
		assert_int_equal(rc, CM_ENOMEM);
		assert_true(before == cm__store_digest(env.store));
		assert_int_equal(attempt(&env, e1), CM_OK);
		assert_int_equal(cm_client_find(&f, env.store, "MRN", "X2"), CM_OK);
		cm_client_free(f);
		assert_int_equal(cm_event_timeline(&it, env.store, "c1", CM_TIME_NONE, CM_TIME_NONE, 0), CM_OK);
		while (cm_event_iter_next(&e, it) == CM_OK) {
			count++;
			if (cm_event_iter_amended_by(it))
				amended++;
			cm_event_free(e);
		}
		cm_event_iter_free(it);
		assert_int_equal(count, 3);
		assert_int_equal(amended, 1);
		assert_int_equal(cm_event_timeline(&it, env.store, "c2", CM_TIME_NONE, CM_TIME_NONE, 0), CM_OK);
		assert_int_equal(cm_event_iter_count(it), 1);
		cm_event_iter_free(it);
		th_close(&env);
	}
	assert_true(n < 400); /* the transaction committed in the end */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress),
		cmocka_unit_test(test_failed_commit_then_retry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
