/* cm_worklist_contacts and the contact index behind it: the same rows as
 * cm_worklist_query's contact kinds through follow-up moves, manager
 * changes, status changes, paging, long ids, rollback, reload and
 * allocation failures; every error path. */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"
#include "query/query_impl.h"

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

#define KINDS (CM_WORK_BIT(CM_WORK_CONTACT_DUE) | CM_WORK_BIT(CM_WORK_CONTACT_OVERDUE))

/* cm_worklist_contacts agrees with cm_worklist_query for these arguments. */
static void check_same(cm_store *s, const char *manager, int32_t as_of,
		       int32_t horizon, size_t offset, size_t limit)
{
	cm_contact_row rows[64];
	cm_worklist *wl;
	size_t n, total, i = 0;

	assert_true(limit <= 64);
	assert_int_equal(cm_worklist_contacts(&n, &total, rows, sizeof(rows[0]),
					      limit, s, manager, as_of, horizon,
					      offset), CM_OK);
	assert_int_equal(cm_worklist_query(&wl, s, manager, as_of, horizon, KINDS,
					   offset, limit), CM_OK);
	assert_int_equal(total, cm_worklist_total(wl));
	if (limit == 0) { /* no room: no rows (for the query, no limit) */
		assert_int_equal(n, 0);
		cm_worklist_free(wl);
		return;
	}
	assert_int_equal(n, cm_worklist_count(wl));
	while (cm_worklist_next(wl) == CM_OK) {
		assert_true(i < n);
		assert_int_equal(rows[i].kind, cm_worklist_kind(wl));
		assert_int_equal(rows[i].priority, cm_worklist_priority(wl));
		assert_int_equal(rows[i].due, cm_worklist_due(wl));
		assert_string_equal(rows[i].client_id, cm_worklist_client_id(wl));
		i++;
	}
	assert_int_equal(i, n);
	cm_worklist_free(wl);
}

/* The contact rows are those the record-reading rules give: a query with
 * one more kind walks the manager's client records instead of the contact
 * index; its contact items, in order, are the rows. */
static void check_rules(cm_store *s, const char *manager, int32_t as_of,
			int32_t horizon)
{
	cm_contact_row rows[64];
	cm_worklist *wl;
	size_t n, total, i = 0;

	assert_int_equal(cm_worklist_contacts(&n, &total, rows, sizeof(rows[0]),
					      64, s, manager, as_of, horizon, 0),
			 CM_OK);
	assert_true(total <= 64);
	assert_int_equal(cm_worklist_query(&wl, s, manager, as_of, horizon,
					   KINDS | CM_WORK_BIT(CM_WORK_REASSESSMENT_DUE),
					   0, 0), CM_OK);
	while (cm_worklist_next(wl) == CM_OK) {
		if (!(KINDS & CM_WORK_BIT(cm_worklist_kind(wl))))
			continue;
		assert_true(i < n);
		assert_int_equal(rows[i].kind, cm_worklist_kind(wl));
		assert_int_equal(rows[i].due, cm_worklist_due(wl));
		assert_string_equal(rows[i].client_id, cm_worklist_client_id(wl));
		i++;
	}
	assert_int_equal(i, n);
	cm_worklist_free(wl);
}

static void check_all(cm_store *s, const char *manager)
{
	check_rules(s, manager, TH_D0, 14);
	check_rules(s, manager, TH_D0 - 5, 366);
	check_same(s, manager, TH_D0, 14, 0, 50);
	check_same(s, manager, TH_D0, 0, 0, 64);
	check_same(s, manager, TH_D0 + 10, 366, 0, 64);
	check_same(s, manager, TH_D0 - 5, 3, 0, 64);
	check_same(s, manager, TH_D0, 30, 2, 3);
	check_same(s, manager, TH_D0, 30, 1000, 3);
	check_same(s, manager, TH_D0, 30, 0, 0);
}

static void set_client(cm_store *s, const char *id, const char *manager,
		       int32_t due, int32_t status)
{
	cm_client *c;
	cm_txn *t;
	assert_int_equal(cm_client_get(&c, s, id), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, manager), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, due), CM_OK);
	if (status != cm_client_status(c))
		assert_int_equal(cm_client_set_status(c, status, "test"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, s, "tester"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	cm_client_free(c);
}

static void test_same_as_query(void **state)
{
	char id[80];
	int i;
	(void)state;

	/* Nothing yet: no index, no bucket. */
	check_all(env.store, "m1");
	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "c%02d", i);
		fx_client(&env, id, i % 3 ? "m1" : "m2", 1 + i % 4,
			  i % 7 == 6 ? CM_DATE_NONE : TH_D0 - 10 + (i * 7) % 40);
	}
	/* Ties on the date, ordered by id; a 64-character id (not inline). */
	memset(id, 'z', 64);
	id[64] = '\0';
	fx_client(&env, id, "m1", 2, TH_D0 + 3);
	fx_client(&env, "a-tie", "m1", 2, TH_D0 + 3);
	/* The longest inline id (39 bytes) and the shortest kept in the
	 * slot (40), tied on the date with the others. */
	{
		char edge[41];
		memset(edge, 'y', 40);
		edge[39] = '\0';
		fx_client(&env, edge, "m1", 2, TH_D0 + 3);
		edge[39] = 'y';
		edge[40] = '\0';
		fx_client(&env, edge, "m1", 2, TH_D0 + 3);
	}
	fx_client(&env, "u1", NULL, 2, TH_D0 + 1);
	check_all(env.store, "m1");
	check_all(env.store, "m2");
	check_all(env.store, "");
	check_all(env.store, "nobody");
	/* Moves: a later date, another manager, closed, reopened, no date. */
	set_client(env.store, "c01", "m1", TH_D0 + 50, CM_CASE_ACTIVE);
	set_client(env.store, "c02", "m2", TH_D0 + 2, CM_CASE_ACTIVE);
	set_client(env.store, "c04", "m1", TH_D0 + 2, CM_CASE_ONHOLD);
	set_client(env.store, "c05", "m3", TH_D0 + 2, CM_CASE_ACTIVE);
	set_client(env.store, "c04", "m1", TH_D0 + 1, CM_CASE_ACTIVE);
	set_client(env.store, "c07", "m1", CM_DATE_NONE, CM_CASE_ACTIVE);
	set_client(env.store, id, "m1", TH_D0 - 1, CM_CASE_ACTIVE);
	{
		/* A change that keeps the entry (the name only). */
		cm_client *c;
		cm_txn *t;
		assert_int_equal(cm_client_get(&c, env.store, "c08"), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Renamed"), CM_OK);
		assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		/* Rolled back: nothing moves. */
		assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP,
						   TH_D0 + 100), CM_OK);
		cm_txn_rollback(t);
		assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		assert_int_equal(cm_txn_commit(t), CM_OK);
		cm_client_free(c);
	}
	check_all(env.store, "m1");
	check_all(env.store, "m2");
	check_all(env.store, "m3");
	check_all(env.store, "");
}

static void test_counts_only_and_big_pages(void **state)
{
	size_t n = 99, total = 99;
	char id[16];
	int i;
	(void)state;

	/* A bucket longer than the page: the rest is counted by search. */
	for (i = 0; i < 150; i++) {
		snprintf(id, sizeof(id), "b%03d", i);
		fx_client(&env, id, "big", 1, TH_D0 - 20 + i % 60);
	}
	assert_int_equal(cm_worklist_contacts(&n, &total, NULL, sizeof(cm_contact_row),
					      0, env.store, "big", TH_D0, 14, 0), CM_OK);
	assert_int_equal(n, 0);
	check_same(env.store, "big", TH_D0, 14, 0, 10);
	check_same(env.store, "big", TH_D0, 14, 30, 64);
	check_same(env.store, "big", TH_D0, 14, 100, 64);
	check_same(env.store, "big", TH_D0 + 100, 0, 60, 64);
	{
		cm_worklist *wl;
		assert_int_equal(cm_worklist_query(&wl, env.store, "big", TH_D0, 14,
						   KINDS, 0, 0), CM_OK);
		assert_int_equal(total, cm_worklist_total(wl));
		cm_worklist_free(wl);
	}
	/* A larger row (a later header's): rows at its stride; total NULL. */
	{
		struct { cm_contact_row r; char more[24]; } big[3];
		memset(big, 0x5a, sizeof(big));
		assert_int_equal(cm_worklist_contacts(&n, NULL, &big[0].r, sizeof(big[0]),
						      3, env.store, "big", TH_D0, 14,
						      0), CM_OK);
		assert_int_equal(n, 3);
		/* Due 20 days ago: b000, b060, b120 (by id). */
		assert_string_equal(big[2].r.client_id, "b120");
		assert_int_equal((unsigned char)big[2].more[0], 0x5a);
	}
}

static void test_errors(void **state)
{
	cm_contact_row rows[2], before[2];
	size_t n = 7, total = 7;
	char longm[80];
	(void)state;

	fx_client(&env, "c1", "m1", 1, TH_D0);
	memset(rows, 0x5a, sizeof(rows));
	memcpy(before, rows, sizeof(rows));
	memset(longm, 'm', sizeof(longm) - 1);
	longm[sizeof(longm) - 1] = '\0';
#define CALL(out, r, size, max, s, m, d, h) \
	cm_worklist_contacts(out, &total, r, size, max, s, m, d, h, 0)
	assert_int_equal(CALL(NULL, rows, sizeof(rows[0]), 2, env.store, "m1", TH_D0, 14), CM_EINVAL);
	assert_int_equal(CALL(&n, NULL, sizeof(rows[0]), 2, env.store, "m1", TH_D0, 14), CM_EINVAL);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, NULL, "m1", TH_D0, 14), CM_EINVAL);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, NULL, TH_D0, 14), CM_EINVAL);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]) - 1, 2, env.store, "m1", TH_D0, 14), CM_EVERSION);
	assert_non_null(strstr(cm_store_errmsg(env.store), "row size"));
	/* A size rows could not be written at without misalignment. */
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]) + 1, 2, env.store, "m1", TH_D0, 14), CM_EINVAL);
	assert_non_null(strstr(cm_store_errmsg(env.store), "not a multiple"));
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "m1", -1000000, 14), CM_EDATE);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "m1", TH_D0, -1), CM_ERANGE);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "m1", TH_D0, 367), CM_ERANGE);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, longm, TH_D0, 14), CM_ETOOLONG);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "m\xff", TH_D0, 14), CM_EUTF8);
	assert_int_equal(n, 7);
	assert_int_equal(total, 7);
	assert_int_equal(memcmp(rows, before, sizeof(rows)), 0);
	{
		cm_client *c;
		assert_int_equal(cm_client_get(&c, env.store, "c1"), CM_OK);
		cm_store_close(env.store);
		assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "m1", TH_D0, 14), CM_ESTATE);
		assert_int_equal(memcmp(rows, before, sizeof(rows)), 0);
		cm_client_free(c);
		assert_int_equal(env.alloc.live, 0);
		th_open(&env);
	}
#undef CALL
}

/* Commits that move entries, under allocation failure: a failed commit
 * leaves the worklist as it was. */
static void sweep_setup(struct th_env *e)
{
	fx_client(e, "k1", "m1", 1, TH_D0 + 1);
	fx_client(e, "k2", "m1", 1, TH_D0 + 2);
}

static int sweep_run(struct th_env *e)
{
	cm_contact_row rows[8];
	size_t n;
	cm_txn *t;
	int i, rc;

	if ((rc = cm_txn_begin(&t, e->store, "tester")) != CM_OK)
		return rc;
	for (i = 0; i < 6; i++) {
		char id[16];
		cm_client *c = NULL;
		snprintf(id, sizeof(id), "n%d", i);
		rc = cm_client_new(&c, e->store);
		if (rc == CM_OK && (rc = cm_client_set_id(c, id)) == CM_OK &&
		    (rc = cm_client_set_text(c, CM_CLIENT_FAMILY, id)) == CM_OK &&
		    (rc = cm_client_set_text(c, CM_CLIENT_CASE_MANAGER,
					     i % 2 ? "m1" : "m-new")) == CM_OK &&
		    (rc = cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, TH_D0 + i)) == CM_OK &&
		    (rc = cm_client_set_status(c, CM_CASE_ACTIVE, "intake")) == CM_OK)
			rc = cm_client_save(t, c);
		cm_client_free(c);
		if (rc) {
			cm_txn_rollback(t);
			return rc;
		}
	}
	rc = cm_txn_commit(t);
	assert_int_equal(cm_worklist_contacts(&n, NULL, rows, sizeof(rows[0]), 8,
					      e->store, "m1", TH_D0, 14, 0), CM_OK);
	assert_int_equal(n, rc ? 2 : 5);
	return rc;
}

static void test_alloc_failures(void **state)
{
	static const struct fx_scenario sc = { sweep_setup, sweep_run };
	(void)state;
	assert_true(fx_sweep(&sc) > 10);
}

/* Reopened from storage: the index is built by the load. */
static void test_reload(void **state)
{
	char dir[64], path[96];
	cm_contact_row rows[4];
	size_t n;
	(void)state;

	th_close(&env);
	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	fx_client(&env, "r1", "m1", 1, TH_D0 + 1);
	fx_client(&env, "r0", "m1", 1, TH_D0 + 1);
	th_close(&env);
	th_open_journal(&env, path);
	assert_int_equal(cm_worklist_contacts(&n, NULL, rows, sizeof(rows[0]), 4,
					      env.store, "m1", TH_D0, 14, 0), CM_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].client_id, "r0");
	assert_string_equal(rows[1].client_id, "r1");
	check_all(env.store, "m1");
	th_close(&env);
	fx_rmdir(dir);
	th_open(&env);
}

/* More case managers than the first blocks of buckets hold (1 KiB, then
 * 2, 4 and 8), names of 1 to 64 bytes, ids either side of the inline
 * limit: each manager's rows, before and after a reload. */
/* Case manager i's name: "%03d" then 'm's, 3 to 64 bytes in all. */
static void manager_name(char m[80], int i)
{
	snprintf(m, 80, "%03d", i);
	memset(m + 3, 'm', 80 - 3);
	m[1 + (i * 7) % 64 > 3 ? 1 + (i * 7) % 64 : 3] = '\0';
}

static void many_managers_check(cm_store *s, int n)
{
	char m[80];
	int i;

	for (i = 0; i < n; i++) {
		manager_name(m, i);
		check_same(s, m, TH_D0, 14, 0, 64);
	}
	check_same(s, "nobody", TH_D0, 14, 0, 64);
}

static void test_many_managers(void **state)
{
	const int n = 300;
	char dir[64], path[96], m[80], id[80];
	uint64_t d;
	int i;
	(void)state;

	th_close(&env);
	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	for (i = 0; i < n; i++) {
		manager_name(m, i);
		snprintf(id, sizeof(id), "%03d", i);
		memset(id + 3, 'x', sizeof(id) - 3);
		id[39] = '\0';
		fx_client(&env, id, m, 1, TH_D0 + i % 5);
		id[39] = 'x';
		id[40] = '\0';
		fx_client(&env, id, m, 1, TH_D0 + i % 3);
	}
	many_managers_check(env.store, n);
	d = cm__store_digest(env.store);
	th_close(&env);
	th_open_journal(&env, path);
	assert_true(cm__store_digest(env.store) == d);
	many_managers_check(env.store, n);
	th_close(&env);
	fx_rmdir(dir);
	th_open(&env);
}

/* ---- one case manager with many clients ------------------------------- */

/* The test's own account of a bucket's clients, against which the index
 * is checked: no index, no worklist code. */
#define BIG 1200
struct big_model {
	char id[BIG][8];
	int32_t due[BIG];
	int in[BIG]; /* active under "team" with a date */
};

static uint32_t big_rand(uint32_t *r)
{
	*r = *r * 1103515245u + 12345u;
	return *r >> 8;
}

static int big_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct big_model *m = ctx;
	int a = *(const int *)pa, b = *(const int *)pb;
	if (m->due[a] != m->due[b])
		return m->due[a] < m->due[b] ? -1 : 1;
	return strcmp(m->id[a], m->id[b]);
}

/* Every page of the bucket's worklist (due by as_of + horizon), and its
 * total, are what the model says. */
static void big_check(const struct big_model *m, int32_t as_of, int32_t horizon)
{
	static int order[BIG];
	cm_contact_row rows[64];
	size_t n, total, want = 0, off;
	int i, k;

	for (i = 0; i < BIG; i++)
		if (m->in[i] && m->due[i] <= as_of + horizon)
			order[want++] = i;
	/* Insertion sort: no qsort_r in C99. */
	for (i = 1; i < (int)want; i++) {
		int v = order[i];
		for (k = i; k > 0 && big_cmp(&order[k - 1], &v, (void *)m) > 0; k--)
			order[k] = order[k - 1];
		order[k] = v;
	}
	for (off = 0; off <= want; off += 64 - off % 7) {
		assert_int_equal(cm_worklist_contacts(&n, &total, rows, sizeof(rows[0]),
						      64, env.store, "team", as_of,
						      horizon, off), CM_OK);
		assert_int_equal(total, want);
		assert_int_equal(n, want - off < 64 ? want - off : 64);
		for (k = 0; k < (int)n; k++) {
			assert_string_equal(rows[k].client_id, m->id[order[off + k]]);
			assert_int_equal(rows[k].due, m->due[order[off + k]]);
			assert_int_equal(rows[k].kind, rows[k].due < as_of
					 ? CM_WORK_CONTACT_OVERDUE : CM_WORK_CONTACT_DUE);
		}
	}
	/* The page without the total stops early; the same rows. */
	assert_int_equal(cm_worklist_contacts(&n, NULL, rows, sizeof(rows[0]), 5,
					      env.store, "team", as_of, horizon, 0), CM_OK);
	assert_int_equal(n, want < 5 ? want : 5);
	for (k = 0; k < (int)n; k++)
		assert_string_equal(rows[k].client_id, m->id[order[k]]);
	check_same(env.store, "team", as_of, horizon, want / 2, 64);
}

/* Change client i in txn t (a handle read from the store). */
static void big_change(cm_txn *t, struct big_model *m, int i, const char *manager,
		       int32_t due, int32_t status)
{
	cm_client *c;
	assert_int_equal(cm_client_get(&c, env.store, m->id[i]), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, manager), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, due), CM_OK);
	if (status != cm_client_status(c))
		assert_int_equal(cm_client_set_status(c, status, "test"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
	m->due[i] = due;
	m->in[i] = strcmp(manager, "team") == 0 && status == CM_CASE_ACTIVE;
}

/* A bucket of many more entries than a chunk holds: loaded in one
 * transaction and one by one; follow-ups moved (within a chunk, across
 * chunks, to the ends); clients closed until chunks merge, reopened,
 * reassigned away and back; batches mixing all of it. */
static void test_big_bucket(void **state)
{
	static struct big_model m;
	uint32_t r = 7;
	cm_txn *t;
	int i, round;
	(void)state;

	memset(&m, 0, sizeof(m));
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	for (i = 0; i < BIG; i++) {
		cm_client *c;
		if (i == BIG / 2) { /* the rest one by one */
			assert_int_equal(cm_txn_commit(t), CM_OK);
			big_check(&m, TH_D0, 14);
			assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		}
		snprintf(m.id[i], sizeof(m.id[i]), "t%04d", (i * 7919) % 10000);
		m.due[i] = TH_D0 - 30 + (int32_t)(big_rand(&r) % 90);
		m.in[i] = 1;
		assert_int_equal(cm_client_new(&c, env.store), CM_OK);
		assert_int_equal(cm_client_set_id(c, m.id[i]), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "F"), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "team"), CM_OK);
		assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, m.due[i]), CM_OK);
		assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "intake"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
		if (i > BIG / 2) {
			assert_int_equal(cm_txn_commit(t), CM_OK);
			assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		}
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	big_check(&m, TH_D0, 14);
	big_check(&m, TH_D0 + 100, 366);
	/* Single moves: small, large, to the very first and last places. */
	for (i = 0; i < 300; i++) {
		int k = (int)(big_rand(&r) % BIG);
		int32_t due = i % 50 == 0 ? TH_D0 - 400 : i % 50 == 1 ? TH_D0 + 300
			      : m.due[k] + (int32_t)(big_rand(&r) % 41) - 20;
		assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		big_change(t, &m, k, "team", due, CM_CASE_ACTIVE);
		assert_int_equal(cm_txn_commit(t), CM_OK);
	}
	big_check(&m, TH_D0, 14);
	big_check(&m, TH_D0 + 400, 366);
	/* Close most of them (chunks empty out and merge), in batches of
	 * mixed changes, then bring them back. */
	for (round = 0; round < 6; round++) {
		assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		for (i = round; i < BIG; i += 6) {
			int32_t due = m.due[i] + (int32_t)(big_rand(&r) % 11) - 5;
			if (i % 10 == 9)
				big_change(t, &m, i, "team", due, CM_CASE_ACTIVE);
			else if (i % 10 == 8)
				big_change(t, &m, i, "other", due, CM_CASE_ACTIVE);
			else
				big_change(t, &m, i, "team", due, CM_CASE_ONHOLD);
		}
		assert_int_equal(cm_txn_commit(t), CM_OK);
		big_check(&m, TH_D0, 14);
	}
	big_check(&m, TH_D0 + 400, 366);
	for (round = 0; round < 3; round++) {
		assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		for (i = round; i < BIG; i += 3)
			big_change(t, &m, i, "team",
				   TH_D0 - 30 + (int32_t)(big_rand(&r) % 90),
				   CM_CASE_ACTIVE);
		assert_int_equal(cm_txn_commit(t), CM_OK);
		big_check(&m, TH_D0, 14);
	}
	big_check(&m, TH_D0 + 400, 366);
	/* What a reload builds is what the commits kept. */
	{
		uint64_t d = cm__store_digest(env.store);
		assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
		for (i = 0; i < BIG; i += 2)
			big_change(t, &m, i, "team", m.due[i] + 1, CM_CASE_ACTIVE);
		cm_txn_rollback(t);
		for (i = 0; i < BIG; i += 2)
			m.due[i]--; /* rolled back */
		assert_int_equal(cm__store_digest(env.store), d);
		big_check(&m, TH_D0, 14);
	}
}

/* Client i of "team" due on `due`, in txn t. */
static void team_client(cm_txn *t, cm_store *s, const char *id, int32_t due)
{
	cm_client *c;
	assert_int_equal(cm_client_new(&c, s), CM_OK);
	assert_int_equal(cm_client_set_id(c, id), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "F"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "team"), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, due), CM_OK);
	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "intake"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
}

/* Clients "<prefix><k>" (k in width digits) due D0 + step * k for k in
 * 0..n-1 on "team", in one transaction. */
static void team_load(cm_store *s, char prefix, int width, int n, int32_t step)
{
	cm_txn *t;
	char id[16];
	int k;

	assert_int_equal(cm_txn_begin(&t, s, "tester"), CM_OK);
	for (k = 0; k < n; k++) {
		snprintf(id, sizeof(id), "%c%0*d", prefix, width, k);
		team_client(t, s, id, TH_D0 + step * k);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
}

/* The bucket's rows are due D0 + 2k, ids "a<k>", with one more, "new",
 * at place p. */
static void split_check(cm_store *s, int p, int n)
{
	cm_contact_row rows[64];
	size_t got, off = 0;
	int k = 0;

	while ((int)off < n + 1) {
		assert_int_equal(cm_worklist_contacts(&got, NULL, rows, sizeof(rows[0]),
						      64, s, "team", TH_D0, 366, off),
				 CM_OK);
		assert_true(got > 0);
		for (size_t j = 0; j < got; j++, off++) {
			char want[16];
			if ((int)off == p) {
				assert_string_equal(rows[j].client_id, "new");
				continue;
			}
			snprintf(want, sizeof(want), "a%03d", k);
			assert_string_equal(rows[j].client_id, want);
			assert_int_equal(rows[j].due, TH_D0 + 2 * k);
			k++;
		}
	}
	assert_int_equal(k, n);
}

/* A full chunk splits wherever the new entry goes: first, last, either
 * side of the middle, every place. Then moves only, many into one
 * place, in one transaction: they split chunks too. */
static void test_big_bucket_splits(void **state)
{
	struct th_env e;
	cm_txn *t;
	char id[16];
	int p, k;
	(void)state;

	for (p = 0; p <= CM__CIX_CHUNK; p++) {
		th_open(&e);
		team_load(e.store, 'a', 3, CM__CIX_CHUNK, 2);
		assert_int_equal(cm_txn_begin(&t, e.store, "tester"), CM_OK);
		team_client(t, e.store, "new", TH_D0 + 2 * p - 1);
		assert_int_equal(cm_txn_commit(t), CM_OK);
		split_check(e.store, p, CM__CIX_CHUNK);
		th_close(&e);
	}

	/* Ten chunks' worth of clients; half of them moved to one date in
	 * one transaction. */
	th_open(&e);
	assert_int_equal(cm_txn_begin(&t, e.store, "tester"), CM_OK);
	for (k = 0; k < 10 * CM__CIX_CHUNK; k++) {
		snprintf(id, sizeof(id), "b%04d", k);
		team_client(t, e.store, id, TH_D0 + k % 97);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_txn_begin(&t, e.store, "tester"), CM_OK);
	for (k = 0; k < 10 * CM__CIX_CHUNK; k += 2) {
		cm_client *c;
		snprintf(id, sizeof(id), "b%04d", k);
		assert_int_equal(cm_client_get(&c, e.store, id), CM_OK);
		assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, TH_D0 + 50), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	{
		cm_contact_row rows[64], prev;
		size_t got, total, off, at50 = 0;
		prev.due = INT32_MIN;
		prev.client_id[0] = '\0';
		assert_int_equal(cm_worklist_contacts(&got, &total, rows, sizeof(rows[0]),
						      0, e.store, "team", TH_D0, 366, 0), CM_OK);
		assert_int_equal(total, 10 * CM__CIX_CHUNK);
		for (off = 0; off < total; off += got) {
			assert_int_equal(cm_worklist_contacts(&got, NULL, rows, sizeof(rows[0]),
							      64, e.store, "team", TH_D0,
							      366, off), CM_OK);
			for (k = 0; k < (int)got; k++) {
				assert_true(rows[k].due > prev.due ||
					    (rows[k].due == prev.due &&
					     strcmp(rows[k].client_id, prev.client_id) > 0));
				at50 += rows[k].due == TH_D0 + 50;
				prev = rows[k];
			}
		}
		/* The even ones, and the odd ones due then already. */
		assert_int_equal(at50, 5 * CM__CIX_CHUNK + 6);
	}
	th_close(&e);
}

/* The rows of "team" are the clients "a<k>" due D0 + 2k for k in
 * from..n-1, in order. */
static void first_check(cm_store *s, int from, int n)
{
	cm_contact_row rows[64];
	size_t got, total, off = 0;
	int k = from;

	assert_int_equal(cm_worklist_contacts(&got, &total, NULL, sizeof(rows[0]), 0,
					      s, "team", TH_D0 + 2 * n, 366, 0), CM_OK);
	assert_int_equal(total, (size_t)(n - from));
	while (off < total) {
		assert_int_equal(cm_worklist_contacts(&got, NULL, rows, sizeof(rows[0]),
						      64, s, "team", TH_D0 + 2 * n,
						      366, off), CM_OK);
		assert_true(got > 0);
		for (size_t j = 0; j < got; j++, off++, k++) {
			char want[16];
			snprintf(want, sizeof(want), "a%03d", k);
			assert_string_equal(rows[j].client_id, want);
			assert_int_equal(rows[j].due, TH_D0 + 2 * k);
		}
	}
	assert_int_equal(k, n);
}

/* A bucket's first chunk emptied while the next holds more than it could
 * take in: clients leave in due order, one transaction each, until the
 * bucket is empty; then they all come back in one. */
static void test_big_bucket_first_chunk_empties(void **state)
{
	const int n = 3 * CM__CIX_CHUNK;
	struct th_env e;
	cm_txn *t;
	char id[16];
	int k;
	(void)state;

	th_open(&e);
	team_load(e.store, 'a', 3, n, 2);
	first_check(e.store, 0, n);
	for (k = 0; k < n; k++) {
		cm_client *c;
		snprintf(id, sizeof(id), "a%03d", k);
		assert_int_equal(cm_client_get(&c, e.store, id), CM_OK);
		assert_int_equal(cm_client_set_status(c, CM_CASE_ONHOLD, "away"), CM_OK);
		assert_int_equal(cm_txn_begin(&t, e.store, "tester"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		assert_int_equal(cm_txn_commit(t), CM_OK);
		cm_client_free(c);
		first_check(e.store, k + 1, n);
	}
	/* Back in, in one transaction, into the bucket's own chunk. */
	assert_int_equal(cm_txn_begin(&t, e.store, "tester"), CM_OK);
	for (k = 0; k < n; k++) {
		cm_client *c;
		snprintf(id, sizeof(id), "a%03d", k);
		assert_int_equal(cm_client_get(&c, e.store, id), CM_OK);
		assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "back"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	first_check(e.store, 0, n);
	th_close(&e);
}

/* Every chunk of a bucket full, then one transaction putting an entry
 * into each: as many splits as chunks, more than the number of entries
 * put in accounts for. Clients due D0 + 10k, in order, make chunks of 64
 * and a last one of 128; the others are filled up with clients due
 * D0 + 10k + 5 and one due just before their first; then each chunk gets
 * a client due 7 days after its first. */
#define FULL_CHUNKS 8
static void test_big_bucket_full_chunks(void **state)
{
	const int half = CM__CIX_CHUNK / 2, n = half * (FULL_CHUNKS + 1);
	const int32_t as_of = TH_D0 + 10 * n;
	const size_t want = (size_t)n + (size_t)(FULL_CHUNKS - 1) * (size_t)half +
			    FULL_CHUNKS;
	cm_contact_row rows[64], prev;
	size_t got, total, off;
	struct th_env e;
	cm_txn *t;
	char id[16];
	int k, c;
	(void)state;

	th_open(&e);
	team_load(e.store, 'f', 4, n, 10);
	assert_int_equal(cm_txn_begin(&t, e.store, "tester"), CM_OK);
	for (c = 0; c < FULL_CHUNKS - 1; c++) {
		for (k = c * half; k < (c + 1) * half - 1; k++) {
			snprintf(id, sizeof(id), "g%04d", k);
			team_client(t, e.store, id, TH_D0 + 10 * k + 5);
		}
		snprintf(id, sizeof(id), "h%04d", c);
		team_client(t, e.store, id, TH_D0 + 10 * c * half - 5);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_txn_begin(&t, e.store, "tester"), CM_OK);
	for (c = 0; c < FULL_CHUNKS; c++) {
		snprintf(id, sizeof(id), "i%04d", c);
		team_client(t, e.store, id, TH_D0 + 10 * c * half + 7);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_worklist_contacts(&got, &total, NULL, sizeof(rows[0]), 0,
					      e.store, "team", as_of, 0, 0), CM_OK);
	assert_int_equal(total, want);
	/* Every row, in order: no two clients share a date. */
	prev.due = INT32_MIN;
	for (off = 0; off < want; off += got) {
		assert_int_equal(cm_worklist_contacts(&got, NULL, rows, sizeof(rows[0]), 64,
						      e.store, "team", as_of, 0, off),
				 CM_OK);
		assert_true(got > 0);
		for (k = 0; k < (int)got; k++) {
			assert_true(rows[k].due > prev.due);
			prev = rows[k];
		}
	}
	check_same(e.store, "team", as_of, 0, want / 2, 64);
	th_close(&e);
}

/* Under allocation failure, commits into a bucket of several chunks: a
 * failed one leaves the bucket as it was. */
static void big_sweep_setup(struct th_env *e)
{
	cm_txn *t;
	int i;

	assert_int_equal(cm_txn_begin(&t, e->store, "tester"), CM_OK);
	for (i = 0; i < 300; i++) {
		cm_client *c;
		char id[16];
		snprintf(id, sizeof(id), "s%03d", i);
		assert_int_equal(cm_client_new(&c, e->store), CM_OK);
		assert_int_equal(cm_client_set_id(c, id), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "F"), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "team"), CM_OK);
		assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, TH_D0 + i % 20), CM_OK);
		assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "intake"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
}

static int big_sweep_run(struct th_env *e)
{
	cm_contact_row rows[64], prev;
	uint64_t before = cm__store_digest(e->store);
	size_t n, total, off;
	cm_txn *t;
	int i, rc;

	memset(&prev, 0, sizeof(prev));
	prev.due = INT32_MIN;
	if ((rc = cm_txn_begin(&t, e->store, "tester")) != CM_OK)
		return rc;
	for (i = 0; i < 200 && rc == CM_OK; i++) {
		cm_client *c = NULL;
		char id[16];
		if (i % 2) { /* a new client */
			snprintf(id, sizeof(id), "n%03d", i);
			if ((rc = cm_client_new(&c, e->store)) == CM_OK &&
			    (rc = cm_client_set_id(c, id)) == CM_OK &&
			    (rc = cm_client_set_text(c, CM_CLIENT_FAMILY, "F")) == CM_OK &&
			    (rc = cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "team")) == CM_OK &&
			    (rc = cm_client_set_status(c, CM_CASE_ACTIVE, "intake")) == CM_OK)
				rc = cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, TH_D0 + i % 30);
		} else { /* a follow-up moved */
			snprintf(id, sizeof(id), "s%03d", (i * 37) % 300);
			if ((rc = cm_client_get(&c, e->store, id)) == CM_OK)
				rc = cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, TH_D0 - i % 25);
		}
		if (rc == CM_OK)
			rc = cm_client_save(t, c);
		cm_client_free(c);
	}
	if (rc != CM_OK) {
		cm_txn_rollback(t);
		return rc;
	}
	rc = cm_txn_commit(t);
	/* A failed commit changed nothing: no entry moved either. */
	if (rc != CM_OK)
		assert_true(cm__store_digest(e->store) == before);
	assert_int_equal(cm_worklist_contacts(&n, &total, NULL, sizeof(cm_contact_row),
					      0, e->store, "team", TH_D0 + 30, 366, 0), CM_OK);
	assert_int_equal(total, rc ? 300 : 400);
	/* In order, page after page (no allocation: the sweep goes on). */
	for (off = 0; off < total; off += n) {
		assert_int_equal(cm_worklist_contacts(&n, NULL, rows, sizeof(rows[0]),
						      64, e->store, "team", TH_D0 + 30,
						      366, off), CM_OK);
		assert_true(n > 0);
		for (i = 0; i < (int)n; i++) {
			assert_true(rows[i].due > prev.due ||
				    (rows[i].due == prev.due &&
				     strcmp(rows[i].client_id, prev.client_id) > 0));
			prev = rows[i];
		}
	}
	return rc;
}

static void test_big_bucket_alloc_failures(void **state)
{
	static const struct fx_scenario sc = { big_sweep_setup, big_sweep_run };
	(void)state;
	assert_true(fx_sweep(&sc) > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_only_and_big_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_managers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_bucket, setup, teardown),
		cmocka_unit_test(test_big_bucket_splits),
		cmocka_unit_test(test_big_bucket_first_chunk_empties),
		cmocka_unit_test(test_big_bucket_full_chunks),
		cmocka_unit_test(test_big_bucket_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
