/* The audit trail: one entry per committed change, queryable. */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "store/store_impl.h"

static void commit_as(struct th_env *env, cm_client *c, const char *actor)
{
	cm_txn *t;
	assert_int_equal(cm_txn_begin(&t, env->store, actor), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
}

static size_t count(cm_audit_iter *it)
{
	size_t n = 0;
	while (cm_audit_iter_next(it) == CM_OK)
		n++;
	return n;
}

/* Advance it to its next entry, which must exist, have this revision
 * and, unless actor is NULL, this actor. */
static void next_entry(cm_audit_iter *it, int64_t revision, const char *actor)
{
	assert_int_equal(cm_audit_iter_next(it), CM_OK);
	assert_true(cm_audit_iter_revision(it) == revision);
	if (actor)
		assert_string_equal(cm_audit_iter_actor(it), actor);
}

/* The number of entries of a query (which must succeed). */
static size_t query_count(cm_store *s, const char *record_id, const char *actor,
			  int64_t from, int64_t to)
{
	cm_audit_iter *it;
	size_t n;

	assert_int_equal(cm_audit_query(&it, s, record_id, actor, from, to), CM_OK);
	n = count(it);
	cm_audit_iter_free(it);
	return n;
}

static void test_audit_trail(void **state)
{
	struct th_env env;
	cm_client *a, *b;
	cm_audit_iter *it;
	cm_txn *t;
	char aid[40];
	(void)state;

	th_open(&env);
	assert_int_equal(cm_client_new(&a, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(a, CM_CLIENT_FAMILY, "Audit"), CM_OK);
	assert_int_equal(cm_client_new(&b, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(b, CM_CLIENT_FAMILY, "Other"), CM_OK);
	strcpy(aid, cm_client_id(a));

	commit_as(&env, a, "alice");                          /* t0: create a */
	env.clock.now = TH_T0 + 100;
	assert_int_equal(cm_client_set_status(a, CM_CASE_ACTIVE, "go"), CM_OK);
	commit_as(&env, a, "bob");                            /* t0+100: status a */
	env.clock.now = TH_T0 + 200;
	assert_int_equal(cm_client_set_text(a, CM_CLIENT_PHONE, "1"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "alice"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);        /* t0+200: update a */
	assert_int_equal(cm_client_save(t, b), CM_OK);        /*         create b */
	assert_int_equal(cm_txn_commit(t), CM_OK);
	/* A rolled-back change leaves no entry. */
	assert_int_equal(cm_txn_begin(&t, env.store, "mallory"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	cm_txn_rollback(t);

	assert_int_equal(cm_audit_query(&it, env.store, NULL, NULL, CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	assert_int_equal(cm_audit_iter_next(it), CM_OK);
	assert_string_equal(cm_audit_iter_actor(it), "alice");
	assert_int_equal(cm_audit_iter_time(it), TH_T0);
	assert_int_equal(cm_audit_iter_action(it), CM_ACTION_CREATE);
	assert_int_equal(cm_audit_iter_kind(it), CM_KIND_CLIENT);
	assert_string_equal(cm_audit_iter_record_id(it), aid);
	assert_int_equal(cm_audit_iter_revision(it), 1);
	assert_int_equal(cm_audit_iter_next(it), CM_OK);
	assert_string_equal(cm_audit_iter_actor(it), "bob");
	assert_int_equal(cm_audit_iter_action(it), CM_ACTION_STATUS);
	assert_int_equal(cm_audit_iter_revision(it), 2);
	assert_int_equal(cm_audit_iter_next(it), CM_OK);
	assert_int_equal(cm_audit_iter_action(it), CM_ACTION_UPDATE);
	assert_int_equal(cm_audit_iter_revision(it), 3);
	assert_int_equal(cm_audit_iter_next(it), CM_OK);
	assert_string_equal(cm_audit_iter_record_id(it), cm_client_id(b));
	assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
	assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
	/* Past the end the getters return neutral values. */
	cm_audit_iter_free(it);

	assert_int_equal(query_count(env.store, aid, NULL, CM_TIME_NONE, CM_TIME_NONE), 3);
	assert_int_equal(query_count(env.store, NULL, "alice", CM_TIME_NONE, CM_TIME_NONE), 3);
	assert_int_equal(query_count(env.store, aid, "alice", CM_TIME_NONE, CM_TIME_NONE), 2);
	/* Time range is half-open: from <= t < to. */
	assert_int_equal(query_count(env.store, NULL, NULL, TH_T0 + 100, TH_T0 + 200), 1);
	assert_int_equal(query_count(env.store, NULL, NULL, TH_T0 + 100, CM_TIME_NONE), 3);
	assert_int_equal(cm_audit_query(&it, env.store, "nobody", NULL, CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
	assert_null(cm_audit_iter_actor(it));
	assert_int_equal(cm_audit_iter_time(it), CM_TIME_NONE);
	assert_int_equal(cm_audit_iter_revision(it), 0);
	assert_null(cm_audit_iter_record_id(it));
	cm_audit_iter_free(it);

	/* Snapshot: a later commit is not in an open query. */
	assert_int_equal(cm_audit_query(&it, env.store, NULL, NULL, CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	commit_as(&env, b, "carol");
	assert_int_equal(count(it), 4);
	cm_audit_iter_free(it);

	assert_int_equal(cm_audit_query(NULL, env.store, NULL, NULL, 0, 0), CM_EINVAL);
	assert_int_equal(cm_audit_query(&it, NULL, NULL, NULL, 0, 0), CM_EINVAL);
	assert_int_equal(cm_audit_iter_next(NULL), CM_EINVAL);
	cm_audit_iter_free(NULL);
	cm_client_free(a);
	cm_client_free(b);
	th_close(&env);
}

/* One entry of a query, for comparing queries. */
struct entry {
	char id[65];
	int64_t revision, time;
	int32_t action, kind;
	const char *actor;
};

/* The entries of a query (which must succeed), into v (at most n). */
static size_t entries(struct entry *v, size_t n, cm_store *s, const char *record_id,
		      const char *actor)
{
	cm_audit_iter *it;
	size_t k = 0;

	assert_int_equal(cm_audit_query(&it, s, record_id, actor, CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	while (cm_audit_iter_next(it) == CM_OK) {
		assert_true(k < n);
		snprintf(v[k].id, sizeof(v[k].id), "%s", cm_audit_iter_record_id(it));
		v[k].revision = cm_audit_iter_revision(it);
		v[k].time = cm_audit_iter_time(it);
		v[k].action = cm_audit_iter_action(it);
		v[k].kind = cm_audit_iter_kind(it);
		v[k].actor = cm_audit_iter_actor(it);
		k++;
	}
	cm_audit_iter_free(it);
	return k;
}

/* The actors of the transactions, in order, into v (at most n). */
static size_t actors(const char **v, size_t n, cm_store *s)
{
	static struct entry e[64];
	size_t k, m = entries(e, 64, s, NULL, NULL);

	assert_true(m <= n);
	for (k = 0; k < m; k++)
		v[k] = e[k].actor;
	return m;
}

/* Transactions of one actor share one copy of its name, committed or
 * reloaded from the journal, short or as long as an actor may be. */
static void test_actor_shared(void **state)
{
	char dir[64], path[96], longname[257], cid[CM__ID_MAX + 1];
	const char *v[8];
	struct th_env env;
	cm_client *c;
	int pass;
	(void)state;

	memset(longname, 'x', 256);
	longname[256] = '\0';
	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Doe"), CM_OK);
	commit_as(&env, c, "alice");
	strcpy(cid, cm_client_id(c));
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Poe"), CM_OK);
	commit_as(&env, c, "bob");
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "Jo"), CM_OK);
	commit_as(&env, c, longname);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Roe"), CM_OK);
	commit_as(&env, c, "alice");
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "Al"), CM_OK);
	commit_as(&env, c, longname);
	cm_client_free(c);
	for (pass = 0; pass < 2; pass++) {
		assert_int_equal(actors(v, 8, env.store), 5);
		assert_string_equal(v[0], "alice");
		assert_string_equal(v[1], "bob");
		assert_string_equal(v[2], longname);
		assert_ptr_equal(v[3], v[0]);
		assert_ptr_equal(v[4], v[2]);
		th_close(&env);
		th_open_journal(&env, path); /* the second pass: reloaded */
	}
	/* More distinct long actors than the intern table's first block
	 * holds: every allocation of a reopen, interning them too, failing
	 * in turn gives CM_ENOMEM and leaks nothing. */
	assert_int_equal(cm_client_get(&c, env.store, cid), CM_OK);
	for (pass = 0; pass < 5; pass++) {
		longname[0] = (char)('a' + pass);
		assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, pass), CM_OK);
		commit_as(&env, c, longname);
	}
	cm_client_free(c);
	{
		uint64_t d = cm__store_digest(env.store);
		cm_store_options o;
		long n;
		int rc = CM_ENOMEM;
		th_close(&env);
		for (n = 1; rc == CM_ENOMEM; n++) {
			memset(&env, 0, sizeof(env));
			env.clock.now = TH_T0;
			th_options(&o, &env);
			env.alloc.fail_at = n;
			rc = cm_store_open_journal(&env.store, path, CM_SYNC_NORMAL, &o);
			if (rc == CM_OK)
				break;
			assert_int_equal(rc, CM_ENOMEM);
			assert_null(env.store);
			assert_int_equal(env.alloc.live, 0);
		}
		assert_true(n > 10);
		env.alloc.fail_at = 0;
		assert_true(cm__store_digest(env.store) == d);
	}
	th_close(&env);
	fx_rmdir(dir);
}

/* A record filter matches the record of every kind with that id (a
 * client may take an id an event already has), combined with the other
 * filters; an id no record has matches nothing. */
static void test_record_filter(void **state)
{
	struct th_env env;
	cm_audit_iter *it;
	cm_client *c;
	char eid[40];
	int kinds = 0;
	(void)state;

	th_open(&env);
	fx_client(&env, "c1", "m1", 1, TH_D0);
	env.clock.now = TH_T0 + 10;
	fx_event(&env, eid, "c1", CM_EVENT_NOTE, TH_T0);
	env.clock.now = TH_T0 + 20;
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, eid), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Same id"), CM_OK);
	commit_as(&env, c, "dana");
	env.clock.now = TH_T0 + 30;
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 2), CM_OK);
	commit_as(&env, c, "erin");

	assert_int_equal(cm_audit_query(&it, env.store, eid, NULL, CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	while (cm_audit_iter_next(it) == CM_OK) {
		assert_string_equal(cm_audit_iter_record_id(it), eid);
		kinds |= 1 << cm_audit_iter_kind(it);
	}
	assert_int_equal(kinds, 1 << CM_KIND_EVENT | 1 << CM_KIND_CLIENT);
	cm_audit_iter_free(it);
	assert_int_equal(query_count(env.store, eid, NULL, CM_TIME_NONE, CM_TIME_NONE), 3);
	/* With an actor, and with a time range. */
	assert_int_equal(cm_audit_query(&it, env.store, eid, "erin", CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	assert_int_equal(cm_audit_iter_next(it), CM_OK);
	assert_int_equal(cm_audit_iter_revision(it), 2);
	assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
	cm_audit_iter_free(it);
	assert_int_equal(query_count(env.store, eid, NULL, TH_T0 + 10, TH_T0 + 30), 2);
	assert_int_equal(query_count(env.store, "c1", "erin", CM_TIME_NONE, CM_TIME_NONE), 0);
	assert_int_equal(query_count(env.store, "c2", NULL, CM_TIME_NONE, CM_TIME_NONE), 0);
	cm_client_free(c);
	th_close(&env);
}

/* A record's history (its entries, which a query finds by scanning the
 * trail's slot references) is exactly the full trail's entries of that
 * id, in order: for records of many entries among many others, with and
 * without an actor. Each allocation of a record query failing in turn:
 * CM_ENOMEM, nothing leaked; reading the iterator allocates nothing. */
static void test_record_query_matches_trail(void **state)
{
	enum { N = 600 };
	static struct entry all[N], one[N];
	struct th_env env;
	const char *ids[] = { "r1", "r2", "r3" };
	const char *who[] = { "ann", "ben" };
	cm_audit_iter *it;
	size_t na, n, k, j, want;
	long live, f;
	int i, r;
	(void)state;

	th_open(&env);
	for (r = 0; r < 3; r++)
		fx_client(&env, ids[r], "m1", 1, TH_D0);
	for (i = 0; i < 150; i++) {
		cm_client *c;
		char other[16];
		env.clock.now = TH_T0 + 10 * i;
		assert_int_equal(cm_client_get(&c, env.store, ids[i % 3]), CM_OK);
		assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, i % 5), CM_OK);
		commit_as(&env, c, who[i % 2]);
		cm_client_free(c);
		snprintf(other, sizeof(other), "o%d", i);
		fx_client(&env, other, "m2", 2, TH_D0);
	}
	na = entries(all, N, env.store, NULL, NULL);
	for (r = 0; r < 3; r++) {
		for (j = 0; j < 3; j++) {
			const char *actor = j == 2 ? NULL : who[j];
			n = entries(one, N, env.store, ids[r], actor);
			for (k = 0, want = 0; k < na; k++) {
				if (strcmp(all[k].id, ids[r]) != 0 ||
				    (actor && strcmp(all[k].actor, actor) != 0))
					continue;
				assert_true(want < n);
				assert_string_equal(one[want].id, all[k].id);
				assert_true(one[want].revision == all[k].revision);
				assert_true(one[want].time == all[k].time);
				assert_int_equal(one[want].action, all[k].action);
				assert_int_equal(one[want].kind, all[k].kind);
				assert_ptr_equal(one[want].actor, all[k].actor);
				want++;
			}
			assert_int_equal(n, want);
			assert_true(n >= (actor ? 25 : 51));
		}
	}
	/* A query copies no entry: it allocates its iterator, and its copy
	 * of the actor if it has one. Each allocation failing in turn:
	 * CM_ENOMEM, nothing leaked. */
	for (j = 0; j < 2; j++) {
		const char *actor = j ? "ben" : NULL;
		for (f = 1;; f++) {
			int rc;
			live = env.alloc.live;
			env.alloc.fail_at = env.alloc.count + f;
			rc = cm_audit_query(&it, env.store, "r2", actor,
					    CM_TIME_NONE, CM_TIME_NONE);
			env.alloc.fail_at = 0;
			if (rc == CM_OK)
				break;
			assert_int_equal(rc, CM_ENOMEM);
			assert_non_null(strstr(cm_store_errmsg(env.store),
					       "audit query"));
			assert_int_equal(env.alloc.live, live);
		}
		assert_int_equal(f, j ? 3 : 2);
		/* Reading it allocates nothing. */
		env.alloc.fail_at = env.alloc.count + 1;
		assert_int_equal(count(it), j ? 25 : 51);
		env.alloc.fail_at = 0;
		cm_audit_iter_free(it);
	}
	th_close(&env);
}

/* A query reads on across the turns it gives waiting commits (every
 * 65,536 entries) and skips whole transactions that fail its filters:
 * one transaction of 70,001 entries at T0 by "bulk", then one entry at
 * T0 + 100 by "ann". */
static void test_long_trail_filters(void **state)
{
	enum { EVENTS = 70000 };
	struct th_env env;
	cm_audit_iter *it;
	cm_client *c;
	cm_txn *t;
	int i;
	(void)state;

	th_open(&env);
	env.clock.now = TH_T0;
	assert_int_equal(cm_txn_begin(&t, env.store, "bulk"), CM_OK);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, "long"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Long"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
	for (i = 0; i < EVENTS; i++)
		assert_int_equal(cm_event_add(t, NULL, 0, "long", CM_EVENT_NOTE,
					      TH_T0 - i, CM_CONTACT_NONE, NULL),
				 CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	env.clock.now = TH_T0 + 100;
	assert_int_equal(cm_client_get(&c, env.store, "long"), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 3), CM_OK);
	commit_as(&env, c, "ann");
	cm_client_free(c);

	assert_int_equal(query_count(env.store, NULL, NULL, CM_TIME_NONE,
				     CM_TIME_NONE), EVENTS + 2);
	assert_int_equal(query_count(env.store, NULL, "bulk", CM_TIME_NONE,
				     CM_TIME_NONE), EVENTS + 1);
	assert_int_equal(query_count(env.store, NULL, NULL, TH_T0 + 1,
				     CM_TIME_NONE), 1);
	assert_int_equal(query_count(env.store, NULL, "nobody", CM_TIME_NONE,
				     CM_TIME_NONE), 0);
	assert_int_equal(query_count(env.store, "long", "ann", CM_TIME_NONE,
				     CM_TIME_NONE), 1);
	assert_int_equal(query_count(env.store, "long", NULL, CM_TIME_NONE,
				     TH_T0 + 1), 1);
	/* The client's two revisions, 70,000 entries apart. */
	assert_int_equal(cm_audit_query(&it, env.store, "long", NULL,
					CM_TIME_NONE, CM_TIME_NONE), CM_OK);
	next_entry(it, 1, "bulk");
	next_entry(it, 2, "ann");
	assert_true(cm_audit_iter_time(it) == TH_T0 + 100);
	assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
	/* At the end, no entry is current. */
	assert_null(cm_audit_iter_record_id(it));
	assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
	cm_audit_iter_free(it);
	th_close(&env);
}

/* A record's query is a snapshot too, read as the iterator goes: a commit
 * of the record after the query, whose entry is the very next one in the
 * trail (right after another record's), is not in it, nor is one made
 * between two cm_audit_iter_next calls, one of them big enough to move
 * the trail's arrays. */
static void test_record_query_snapshot(void **state)
{
	struct th_env env;
	cm_audit_iter *it, *by_ann, *all;
	cm_client *c;
	cm_txn *t;
	int i;
	(void)state;

	th_open(&env);
	fx_client(&env, "r1", "m1", 1, TH_D0);
	fx_client(&env, "r2", "m1", 1, TH_D0);
	assert_int_equal(cm_client_get(&c, env.store, "r1"), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 2), CM_OK);
	commit_as(&env, c, "ann"); /* r1 revision 2 */
	cm_client_free(c);
	assert_int_equal(cm_client_get(&c, env.store, "r2"), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 2), CM_OK);
	commit_as(&env, c, "ann"); /* r2 revision 2: the trail's last entry */
	cm_client_free(c);
	assert_int_equal(cm_client_get(&c, env.store, "r1"), CM_OK);

	assert_int_equal(cm_audit_query(&it, env.store, "r1", NULL, CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	assert_int_equal(cm_audit_query(&by_ann, env.store, "r1", "ann",
					CM_TIME_NONE, CM_TIME_NONE), CM_OK);
	assert_int_equal(cm_audit_query(&all, env.store, NULL, NULL, CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	/* The entry right after the queries' end is r1's, by ann. */
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 3), CM_OK);
	commit_as(&env, c, "ann");
	next_entry(it, 1, NULL);
	/* Many entries, r1's among them: the arrays grow (move). */
	assert_int_equal(cm_txn_begin(&t, env.store, "ann"), CM_OK);
	for (i = 0; i < 100; i++)
		assert_int_equal(cm_event_add(t, NULL, 0, "r2", CM_EVENT_NOTE,
					      TH_T0 - i, CM_CONTACT_NONE, NULL),
				 CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 4), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	next_entry(it, 2, "ann");
	assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
	next_entry(by_ann, 2, NULL);
	assert_int_equal(cm_audit_iter_next(by_ann), CM_ITEROVER);
	assert_int_equal(count(all), 4);
	cm_audit_iter_free(it);
	cm_audit_iter_free(by_ann);
	cm_audit_iter_free(all);
	assert_int_equal(query_count(env.store, "r1", NULL, CM_TIME_NONE,
				     CM_TIME_NONE), 4);
	cm_client_free(c);
	th_close(&env);
}

/* One transaction may hold two entries of one record id: an event, and
 * a client given the event's id in the same transaction. A record query
 * lists both (it reads on in a transaction after a match), and a
 * transaction that fails a filter loses both. */
static void test_record_twice_in_one_txn(void **state)
{
	struct th_env env;
	cm_audit_iter *it;
	cm_client *c;
	cm_txn *t;
	char eid[CM_ID_BUFSIZE];
	(void)state;

	th_open(&env);
	fx_client(&env, "c1", "m1", 1, TH_D0);
	env.clock.now = TH_T0 + 50;
	assert_int_equal(cm_txn_begin(&t, env.store, "fay"), CM_OK);
	assert_int_equal(cm_event_add(t, eid, sizeof(eid), "c1", CM_EVENT_NOTE,
				      TH_T0, CM_CONTACT_NONE, NULL), CM_OK);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, eid), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Twin"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	env.clock.now = TH_T0 + 60;
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 2), CM_OK);
	commit_as(&env, c, "gus");

	assert_int_equal(cm_audit_query(&it, env.store, eid, NULL, CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	next_entry(it, 1, "fay");
	assert_int_equal(cm_audit_iter_kind(it), CM_KIND_EVENT);
	next_entry(it, 1, "fay");
	assert_int_equal(cm_audit_iter_kind(it), CM_KIND_CLIENT);
	next_entry(it, 2, NULL);
	assert_int_equal(cm_audit_iter_kind(it), CM_KIND_CLIENT);
	assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
	cm_audit_iter_free(it);
	assert_int_equal(query_count(env.store, eid, "fay", CM_TIME_NONE,
				     CM_TIME_NONE), 2);
	assert_int_equal(query_count(env.store, eid, NULL, TH_T0 + 50,
				     TH_T0 + 51), 2);
	assert_int_equal(query_count(env.store, eid, "gus", CM_TIME_NONE,
				     CM_TIME_NONE), 1);
	assert_int_equal(query_count(env.store, eid, NULL, TH_T0 + 51,
				     CM_TIME_NONE), 1);
	assert_int_equal(query_count(env.store, NULL, "fay", CM_TIME_NONE,
				     CM_TIME_NONE), 2);
	cm_client_free(c);
	th_close(&env);
}

/* A record committed more often than an audit word holds revisions
 * (CM__AUDIT_REV_MAX): its later entries, with another record's between
 * them, keep their revision, action and actor through queries, a
 * compaction (which writes the transaction logs again from the trail)
 * and reopens. */
static void test_wide_revisions_compacted(void **state)
{
	enum { N = CM__AUDIT_REV_MAX + 4 };
	char dir[64], path[96], cid[CM__ID_MAX + 1], oid[CM__ID_MAX + 1];
	struct th_env env;
	cm_client *c, *o;
	cm_audit_iter *it;
	uint64_t d;
	int64_t rev;
	int pass;
	(void)state;

	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Often"), CM_OK);
	assert_int_equal(cm_client_new(&o, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(o, CM_CLIENT_FAMILY, "Seldom"), CM_OK);
	commit_as(&env, c, "alice");
	strcpy(cid, cm_client_id(c));
	strcpy(oid, cm_client_id(o));
	for (rev = 2; rev <= N; rev++) {
		/* The last two revisions change the status: wide entries
		 * of another action. */
		if (rev >= N - 1)
			assert_int_equal(cm_client_set_status(c, rev == N - 1 ? CM_CASE_ACTIVE
									 : CM_CASE_ONHOLD,
							      "why"), CM_OK);
		else
			assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER,
							   rev % 4), CM_OK);
		commit_as(&env, c, rev & 1 ? "alice" : "bob");
		/* The other record's entries: after the last word and
		 * between two wide entries. */
		if (rev == CM__AUDIT_REV_MAX || rev == N - 1)
			commit_as(&env, o, "carol");
	}
	cm_client_free(c);
	cm_client_free(o);
	for (pass = 0; pass < 3; pass++) {
		if (pass == 1)
			assert_int_equal(cm_store_compact(env.store), CM_OK);
		assert_int_equal(cm_audit_query(&it, env.store, cid, NULL,
						CM_TIME_NONE, CM_TIME_NONE), CM_OK);
		for (rev = 1; rev <= N; rev++) {
			next_entry(it, rev, rev == 1 || rev & 1 ? "alice" : "bob");
			assert_int_equal(cm_audit_iter_action(it),
					 rev == 1 ? CM_ACTION_CREATE
					 : rev >= N - 1 ? CM_ACTION_STATUS
					 : CM_ACTION_UPDATE);
			assert_string_equal(cm_audit_iter_record_id(it), cid);
		}
		assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
		cm_audit_iter_free(it);
		assert_int_equal(cm_audit_query(&it, env.store, NULL, "carol",
						CM_TIME_NONE, CM_TIME_NONE), CM_OK);
		next_entry(it, 1, "carol");
		assert_string_equal(cm_audit_iter_record_id(it), oid);
		assert_int_equal(cm_audit_iter_action(it), CM_ACTION_CREATE);
		next_entry(it, 2, "carol");
		assert_string_equal(cm_audit_iter_record_id(it), oid);
		assert_int_equal(cm_audit_iter_action(it), CM_ACTION_UPDATE);
		assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
		cm_audit_iter_free(it);
		assert_int_equal(query_count(env.store, NULL, NULL, CM_TIME_NONE,
					     CM_TIME_NONE), (size_t)N + 2);
		d = cm__store_digest(env.store);
		th_close(&env);
		th_open_journal(&env, path);
		assert_true(cm__store_digest(env.store) == d);
	}
	th_close(&env);
	fx_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_trail),
		cmocka_unit_test(test_actor_shared),
		cmocka_unit_test(test_record_filter),
		cmocka_unit_test(test_record_query_matches_trail),
		cmocka_unit_test(test_long_trail_filters),
		cmocka_unit_test(test_record_query_snapshot),
		cmocka_unit_test(test_record_twice_in_one_txn),
		cmocka_unit_test(test_wide_revisions_compacted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
