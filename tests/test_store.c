/* The store: options, open/close, clock, transactions, change callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "client/client_impl.h"
#include "store/intern.h"
#include "store/store_impl.h"

static void test_options(void **state)
{
	struct th_env env;
	cm_store_options o;
	cm_store *s = NULL;
	(void)state;

	memset(&env, 0, sizeof(env));
	assert_int_equal(cm_store_options_init(NULL, 1), CM_EINVAL);
	assert_int_equal(cm_store_options_init(&o, 0), CM_EVERSION);
	assert_int_equal(cm_store_options_init(&o, CM_STORE_OPTIONS_VERSION + 1),
			 CM_EVERSION);
	assert_int_equal(cm_store_open(NULL, NULL), CM_EINVAL);

	th_options(&o, &env);
	o.version = 0;
	assert_int_equal(cm_store_open(&s, &o), CM_EVERSION);
	o.version = 99;
	assert_int_equal(cm_store_open(&s, &o), CM_EVERSION);
	th_options(&o, &env);
	o.flags = 1;
	assert_int_equal(cm_store_open(&s, &o), CM_EINVAL);
	th_options(&o, &env);
	o.realloc_fn = NULL; /* allocator given in part */
	assert_int_equal(cm_store_open(&s, &o), CM_EINVAL);
	assert_null(s);
	assert_int_equal(env.alloc.count, 0);

	/* NULL options: libc allocator and system clock. */
	assert_int_equal(cm_store_open(&s, NULL), CM_OK);
	{
		int64_t now = 0;
		assert_int_equal(cm_store_now(&now, s), CM_OK);
		assert_true(now > TH_T0 - 86400 * 365);
	}
	cm_store_close(s);
	/* The static initializer works too. */
	{
		cm_store_options init = CM_STORE_OPTIONS_INIT;
		assert_int_equal(cm_store_open(&s, &init), CM_OK);
		cm_store_close(s);
	}
	cm_store_close(NULL);
}

static void test_open_out_of_memory(void **state)
{
	struct th_env env;
	cm_store_options o;
	cm_store *s = NULL;
	(void)state;

	memset(&env, 0, sizeof(env));
	th_options(&o, &env);
	env.alloc.fail_at = 1;
	assert_int_equal(cm_store_open(&s, &o), CM_ENOMEM);
	assert_null(s);
	assert_int_equal(env.alloc.live, 0);
}

static void test_clock(void **state)
{
	struct th_env env;
	cm_client *c = NULL;
	cm_txn *t = NULL;
	int64_t now;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_store_now(&now, env.store), CM_OK);
	assert_int_equal(now, TH_T0);
	assert_int_equal(cm_store_now(NULL, env.store), CM_EINVAL);
	env.clock.fail = 1;
	assert_int_equal(cm_store_now(&now, env.store), CM_ECLOCK);
	assert_int_equal(cm_client_new(&c, env.store), CM_ECLOCK);
	assert_null(c);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_ECLOCK);
	assert_null(t);
	env.clock.fail = 0;
	env.clock.now = CM_TIME_MAX + 1; /* out of range is a clock failure */
	assert_int_equal(cm_store_now(&now, env.store), CM_ECLOCK);
	/* A transaction can begin again once the clock works: the failed
	 * begin released the writer lock. */
	env.clock.now = TH_T0;
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_txn_time(t), TH_T0);
	assert_string_equal(cm_txn_actor(t), "me");
	cm_txn_rollback(t);
	th_close(&env);
}

static cm_client *make_client(struct th_env *env, const char *family)
{
	cm_client *c;
	assert_int_equal(cm_client_new(&c, env->store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, family), CM_OK);
	return c;
}

static void test_txn_arguments(void **state)
{
	struct th_env env;
	cm_txn *t = NULL, *t2 = NULL;
	char longactor[300];
	(void)state;

	th_open(&env);
	assert_int_equal(cm_txn_begin(NULL, env.store, "me"), CM_EINVAL);
	assert_int_equal(cm_txn_begin(&t, NULL, "me"), CM_EINVAL);
	assert_int_equal(cm_txn_begin(&t, env.store, NULL), CM_EINVAL);
	assert_int_equal(cm_txn_begin(&t, env.store, ""), CM_EINVAL);
	assert_int_equal(cm_txn_begin(&t, env.store, "bad\xff"), CM_EUTF8);
	memset(longactor, 'a', sizeof(longactor) - 1);
	longactor[sizeof(longactor) - 1] = '\0';
	assert_int_equal(cm_txn_begin(&t, env.store, longactor), CM_ETOOLONG);
	assert_null(t);
	assert_int_equal(cm_txn_commit(NULL), CM_EINVAL);
	cm_txn_rollback(NULL);
	assert_int_equal(cm_txn_time(NULL), CM_TIME_NONE);
	assert_null(cm_txn_actor(NULL));

	/* One transaction per thread: a second begin is refused. */
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_txn_begin(&t2, env.store, "me"), CM_EBUSY);
	assert_null(t2);
	assert_int_equal(cm_txn_commit(t), CM_OK); /* empty commit */
	th_close(&env);
}

static void test_rollback_discards(void **state)
{
	struct th_env env;
	cm_client *c, *g = NULL;
	cm_txn *t;
	uint64_t before;
	(void)state;

	th_open(&env);
	before = cm__store_digest(env.store);
	c = make_client(&env, "Okafor");
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_txn_rollback(t);
	assert_int_equal(cm_client_revision(c), 0);
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_ENOTFOUND);
	assert_int_equal(cm__store_digest(env.store), before);
	/* Saving after the rollback works. */
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_client_revision(c), 1);
	cm_client_free(c);
	th_close(&env);
}

/* A new record is staged in its table's id map (pending) until commit:
 * nobody reads it before, the transaction itself builds on it, and a
 * rollback takes it out again. */
static void test_staged_record_invisible(void **state)
{
	struct th_env env;
	cm_client *c, *g = NULL;
	cm_event *e = NULL;
	cm_txn *t;
	uint64_t before;
	char id[64];
	(void)state;

	th_open(&env);
	before = cm__store_digest(env.store);
	c = make_client(&env, "Okafor");
	snprintf(id, sizeof(id), "%s", cm_client_id(c));
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	/* Saved twice: one op, one pending slot. */
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_client_get(&g, env.store, id), CM_ENOTFOUND);
	assert_null(g);
	/* The transaction sees it: an event of the staged client saves. */
	assert_int_equal(cm_event_new(&e, env.store, id, CM_EVENT_CONTACT, TH_T0),
			 CM_OK);
	assert_int_equal(cm_event_save(t, e), CM_OK);
	cm_txn_rollback(t);
	cm_event_free(e);
	assert_int_equal(cm_client_get(&g, env.store, id), CM_ENOTFOUND);
	assert_int_equal(cm__store_digest(env.store), before);
	/* The same id commits in the next transaction, once. */
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_client_get(&g, env.store, id), CM_OK);
	assert_string_equal(cm_client_id(g), id);
	cm_client_free(g);
	cm_client_free(c);
	th_close(&env);
}

/* A packed version holds no pointer into the record it was packed from:
 * an empty list that had storage is zeroed, as is the rare-list pointer
 * of a block whose lists are all empty again; with few fixes to make and
 * with more than packing keeps (a care team of 16, each member with
 * three texts, walked twice). */
static void test_packed_empty_lists_zeroed(void **state)
{
	const struct cm__client *v;
	struct th_env env;
	cm_client *c;
	cm_txn *t;
	char role[16];
	int big, i;
	(void)state;

	th_open(&env);
	for (big = 0; big < 2; big++) {
		c = make_client(&env, "Empty");
		assert_int_equal(cm_client_set_identifier(c, "mrn", "1"), CM_OK);
		assert_int_equal(cm_client_set_identifier(c, "mrn", NULL), CM_OK);
		assert_int_equal(cm_client_add_coverage(c, "payer", "m-1", NULL), CM_OK);
		assert_int_equal(cm_client_remove_coverage(c, 0), CM_OK);
		for (i = 0; big && i < 16; i++) {
			snprintf(role, sizeof(role), "role-%d", i);
			assert_int_equal(cm_client_add_care_team_member(c, role, "A Name",
									"a contact"),
					 CM_OK);
		}
		assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		v = (const struct cm__client *)cm__txn_staged(t, CM_KIND_CLIENT,
							     cm_client_id(c));
		assert_non_null(v);
		assert_int_equal(v->idents.count, 0);
		assert_null(v->idents.items);
		assert_int_equal(v->idents.cap, 0);
		if (big) {
			assert_non_null(v->rare);
			assert_int_equal(v->rare->coverage.count, 0);
			assert_null(v->rare->coverage.items);
			assert_int_equal(v->rare->team.count, 16);
			assert_string_equal(CM__LIST_AT(&v->rare->team,
							struct cm__team_member, 15)->role,
					    "role-15");
		} else {
			assert_null(v->rare);
		}
		assert_int_equal(cm_txn_commit(t), CM_OK);
		cm_client_free(c);
	}
	th_close(&env);
}

/* A save interns the short texts it packs, so the staged version already
 * shares them; a rollback takes back what the transaction added (and only
 * that); a commit keeps it, and later versions share the same copy. */
static void test_commit_interns_new_texts(void **state)
{
	static const char mgr[] = "cm-intern-check";
	const struct cm__client *v;
	struct th_env env;
	cm_client *a, *b;
	cm_txn *t;
	(void)state;

	th_open(&env);
	a = make_client(&env, "Okafor");
	assert_int_equal(cm_client_set_text(a, CM_CLIENT_CASE_MANAGER, mgr), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	v = (const struct cm__client *)cm__txn_staged(t, CM_KIND_CLIENT,
						     cm_client_id(a));
	assert_non_null(v);
	assert_ptr_equal(v->case_manager,
			 cm__intern_find(env.store, mgr, strlen(mgr)));
	cm_txn_rollback(t);
	assert_null(cm__intern_find(env.store, mgr, strlen(mgr)));

	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_non_null(cm__intern_find(env.store, mgr, strlen(mgr)));

	b = make_client(&env, "Ng");
	assert_int_equal(cm_client_set_text(b, CM_CLIENT_CASE_MANAGER, mgr), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, b), CM_OK);
	v = (const struct cm__client *)cm__txn_staged(t, CM_KIND_CLIENT,
						     cm_client_id(b));
	assert_non_null(v);
	assert_ptr_equal(v->case_manager,
			 cm__intern_find(env.store, mgr, strlen(mgr)));
	assert_int_equal(cm_txn_commit(t), CM_OK);

	/* A change of an integer only (a shallow copy of the committed
	 * version): the new version shares the same copy without looking it
	 * up. */
	cm_client_free(b);
	assert_int_equal(cm_client_get(&b, env.store, cm_client_id(a)), CM_OK);
	assert_int_equal(cm_client_set_int(b, CM_CLIENT_RISK_TIER, 3), CM_OK);
	assert_true(((const struct cm__rec *)((const struct cm__handle *)(const void *)b)->rec)
			    ->packed & CM__PACKED_SHALLOW);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, b), CM_OK);
	v = (const struct cm__client *)cm__txn_staged(t, CM_KIND_CLIENT,
						     cm_client_id(b));
	assert_non_null(v);
	assert_false(v->hdr.packed & CM__PACKED_SHALLOW);
	assert_ptr_equal(v->case_manager,
			 cm__intern_find(env.store, mgr, strlen(mgr)));
	assert_int_equal(cm_txn_commit(t), CM_OK);
	cm_client_free(a);
	cm_client_free(b);
	th_close(&env);
}

/* Work that never commits leaves no memory behind: rolled-back saves with
 * ever new short texts (which committed versions share through the
 * store's intern table) do not grow the store. */
static void test_rollbacks_leave_nothing(void **state)
{
	struct th_env env;
	cm_client *c;
	cm_txn *t;
	char manager[32];
	long live;
	int i;
	(void)state;

	th_open(&env);
	c = make_client(&env, "Okafor");
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	live = env.alloc.live;
	for (i = 0; i < 2000; i++) {
		snprintf(manager, sizeof(manager), "manager-%d", i);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, manager),
				 CM_OK);
		assert_int_equal(cm_txn_begin(&t, env.store, manager), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_txn_rollback(t);
	}
	/* The handle keeps its private copy with the last text. */
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, NULL), CM_OK);
	cm_client_free(c);
	c = NULL;
	assert_true(env.alloc.live <= live);
	th_close(&env);
}

/* Many new records staged and rolled back around many committed ones: the
 * id maps grow while records are pending and give every pending id back
 * (their backward-shift deletion keeps each committed id findable). */
static void test_rollback_many_pending(void **state)
{
	enum { NCOMMITTED = 600, NPENDING = 1500 };
	struct th_env env;
	char (*ids)[64] = malloc(NCOMMITTED * sizeof(*ids));
	cm_client *c;
	cm_txn *t;
	uint64_t before;
	int i;
	(void)state;

	assert_non_null(ids);
	th_open(&env);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	for (i = 0; i < NCOMMITTED; i++) {
		c = make_client(&env, "Committed");
		snprintf(ids[i], sizeof(ids[i]), "%s", cm_client_id(c));
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	before = cm__store_digest(env.store);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
		for (i = 0; i < NPENDING; i++) {
			c = make_client(&env, "Pending");
			assert_int_equal(cm_client_save(t, c), CM_OK);
			cm_client_free(c);
		}
		cm_txn_rollback(t);
		assert_true(cm__store_digest(env.store) == before);
		for (i = 0; i < NCOMMITTED; i++) {
			assert_int_equal(cm_client_get(&c, env.store, ids[i]), CM_OK);
			cm_client_free(c);
		}
	}
	free(ids);
	th_close(&env);
}

/* A finished transaction is kept for the next one: beginning it allocates
 * nothing, it starts empty with its own actor (up to the longest one),
 * and one that grew large gives its arrays back. */
static void test_txn_reused(void **state)
{
	struct th_env env;
	char actor[257];
	cm_client *c;
	cm_txn *t;
	long count;
	int i;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_txn_begin(&t, env.store, "first"), CM_OK);
	c = make_client(&env, "Kept");
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
	assert_int_equal(cm_txn_commit(t), CM_OK);

	count = env.alloc.count;
	memset(actor, 'x', 256);
	actor[256] = '\0';
	assert_int_equal(cm_txn_begin(&t, env.store, actor), CM_OK);
	assert_int_equal(env.alloc.count, count);
	assert_string_equal(cm_txn_actor(t), actor);
	cm_txn_rollback(t);
	assert_int_equal(cm_txn_begin(&t, env.store, "short"), CM_OK);
	assert_string_equal(cm_txn_actor(t), "short");
	/* Nothing of the earlier transactions: committing stages nothing. */
	assert_int_equal(cm_txn_commit(t), CM_OK);

	/* More ops than a kept transaction keeps room for. */
	assert_int_equal(cm_txn_begin(&t, env.store, "bulk"), CM_OK);
	for (i = 0; i < 3 * CM__TXN_SPARE_OPS; i++) {
		c = make_client(&env, "Bulk");
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_non_null(env.store->spare_txn);
	assert_null(env.store->spare_txn->ops);
	assert_int_equal(env.store->spare_txn->opcap, 0);
	assert_true(env.store->spare_txn->heldcap <= CM__TXN_SPARE_OPS);
	assert_int_equal(cm_txn_begin(&t, env.store, "after"), CM_OK);
	c = make_client(&env, "After");
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	/* A small one keeps its arrays for the next. */
	assert_non_null(env.store->spare_txn->ops);
	assert_true(env.store->spare_txn->opcap <= CM__TXN_SPARE_OPS);
	th_close(&env);
}

/* Slots are named by references into the store's slabs (the id maps'
 * entries): the array of slabs grows while a transaction saves. A save
 * that cannot get its slab or the array's growth fails with CM_ENOMEM
 * and leaves the transaction as it was; every id stays findable. */
static void test_slab_directory_grows(void **state)
{
	struct th_env env;
	char (*ids)[64];
	cm_client *c;
	cm_txn *t;
	size_t n = 0, nops, cap, i;
	long f;
	int rc;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	/* Fill the slabs the directory has room for. */
	while (env.store->slabs.dir.n < env.store->slabs.dir.cap || env.store->slabs.dir.n == 0) {
		c = make_client(&env, "Slab");
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
		n++;
	}
	/* Save until a save needs a new slab, and so a larger directory. */
	cap = env.store->slabs.dir.cap;
	ids = malloc(16 * sizeof(*ids));
	assert_non_null(ids);
	for (;;) {
		c = make_client(&env, "Grow");
		snprintf(ids[0], sizeof(ids[0]), "%s", cm_client_id(c));
		nops = t->nops;
		/* Each of its allocations fails once, in turn. */
		for (f = 1;; f++) {
			env.alloc.fail_at = env.alloc.count + f;
			env.alloc.fail_after = 0;
			rc = cm_client_save(t, c);
			env.alloc.fail_at = 0;
			if (rc == CM_OK)
				break;
			assert_int_equal(rc, CM_ENOMEM);
			assert_int_equal(t->nops, nops);
			assert_true(env.store->slabs.dir.cap == cap ||
				    env.store->slabs.dir.cap == cap * 2);
		}
		cm_client_free(c);
		n++;
		if (env.store->slabs.dir.cap != cap)
			break;
	}
	assert_int_equal(env.store->slabs.dir.cap, cap * 2);
	/* And a few more in the new slab. */
	for (i = 1; i < 16; i++) {
		c = make_client(&env, "After");
		snprintf(ids[i], sizeof(ids[i]), "%s", cm_client_id(c));
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
		n++;
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	for (i = 0; i < 16; i++) {
		assert_int_equal(cm_client_get(&c, env.store, ids[i]), CM_OK);
		assert_string_equal(cm_client_id(c), ids[i]);
		cm_client_free(c);
	}
	assert_int_equal(env.store->tables[CM_KIND_CLIENT].count, n);
	free(ids);
	th_close(&env);
}

/* A transaction keeps the handles it staged apart from its ops (in op
 * order; a freed handle's entry goes when the entries after it have gone).
 * Two handles on one record: the later save takes the op and its handle;
 * a record saved again after its handle was freed gets a new entry in
 * place, also when that needs memory (CM_ENOMEM: nothing changes). After
 * commit, the handles the caller kept read the committed revision. */
static void test_staged_handles(void **state)
{
	enum { N = 17 };
	struct th_env env;
	char ids[N][64], fam[32];
	cm_client *c, *h[N], *x1, *x2, *y2;
	cm_txn *t;
	size_t nops, nheld;
	long f;
	int i, rc;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	for (i = 0; i < N; i++) {
		c = make_client(&env, "Before");
		snprintf(ids[i], sizeof(ids[i]), "%s", cm_client_id(c));
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);

	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	/* Record 0 through two handles: x2's save replaces x1's. */
	assert_int_equal(cm_client_get(&x1, env.store, ids[0]), CM_OK);
	assert_int_equal(cm_client_get(&x2, env.store, ids[0]), CM_OK);
	assert_int_equal(cm_client_set_text(x1, CM_CLIENT_FAMILY, "X1"), CM_OK);
	assert_int_equal(cm_client_set_text(x2, CM_CLIENT_FAMILY, "X2"), CM_OK);
	assert_int_equal(cm_client_save(t, x1), CM_OK);
	assert_int_equal(cm_client_save(t, x2), CM_OK);
	assert_int_equal(t->nheld, 1);
	/* Record 1 saved and its handle freed: its entry goes. */
	assert_int_equal(cm_client_get(&c, env.store, ids[1]), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Y1"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
	assert_int_equal(t->nheld, 1);
	/* Records 2.. kept, filling the entries' room. */
	for (i = 2; i < N; i++) {
		assert_int_equal(cm_client_get(&h[i], env.store, ids[i]), CM_OK);
		snprintf(fam, sizeof(fam), "Kept%d", i);
		assert_int_equal(cm_client_set_text(h[i], CM_CLIENT_FAMILY, fam), CM_OK);
		assert_int_equal(cm_client_save(t, h[i]), CM_OK);
	}
	/* Record 1 again, through a new handle: an entry between 0's and
	 * 2's. Each allocation it makes fails once, in turn. */
	assert_int_equal(cm_client_get(&y2, env.store, ids[1]), CM_OK);
	assert_int_equal(cm_client_set_text(y2, CM_CLIENT_FAMILY, "Y2"), CM_OK);
	nops = t->nops;
	nheld = t->nheld;
	assert_int_equal(t->heldcap, nheld); /* the new entry needs room */
	for (f = 1;; f++) {
		env.alloc.fail_at = env.alloc.count + f;
		env.alloc.fail_after = 0;
		rc = cm_client_save(t, y2);
		env.alloc.fail_at = 0;
		if (rc == CM_OK)
			break;
		assert_int_equal(rc, CM_ENOMEM);
		assert_int_equal(t->nops, nops);
		assert_int_equal(t->nheld, nheld);
	}
	assert_true(env.alloc.failures > 0);
	assert_int_equal(t->nops, nops);
	assert_int_equal(t->nheld, nheld + 1);
	for (i = 0; i < (int)t->nheld; i++) {
		assert_int_equal(t->held[i].op, (size_t)i);
		if (t->held[i].h)
			assert_int_equal(t->held[i].h->held, i);
	}
	/* Freed in the middle: the entry stays, empty. */
	cm_client_free(h[5]);
	h[5] = NULL;
	assert_int_equal(t->nheld, nheld + 1);
	assert_null(t->held[5].h);
	assert_int_equal(cm_txn_commit(t), CM_OK);

	/* The handles kept read the committed revision; x1, replaced, does
	 * not (its changes were not what committed). */
	assert_int_equal(cm_client_revision(x2), 2);
	assert_int_equal(cm_client_revision(y2), 2);
	assert_int_equal(cm_client_revision(x1), 1);
	for (i = 2; i < N; i++)
		if (h[i])
			assert_int_equal(cm_client_revision(h[i]), 2);
	assert_int_equal(cm_client_get(&c, env.store, ids[0]), CM_OK);
	assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), "X2");
	cm_client_free(c);
	assert_int_equal(cm_client_get(&c, env.store, ids[1]), CM_OK);
	assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), "Y2");
	cm_client_free(c);
	assert_int_equal(cm_client_get(&c, env.store, ids[5]), CM_OK);
	assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), "Kept5");
	cm_client_free(c);
	cm_client_free(x1);
	cm_client_free(x2);
	cm_client_free(y2);
	for (i = 2; i < N; i++)
		cm_client_free(h[i]);
	th_close(&env);
}

/* Many texts interned by transactions that roll back, around many that
 * committed: the rollbacks free every arena block they added and leave
 * the committed texts findable at the same copies (the table deletes by
 * backward shift); a commit that fails takes its texts back too. */
static void test_rollback_takes_back_interned(void **state)
{
	enum { NKEPT = 300, NGONE = 3000 };
	static const char *kept[NKEPT];
	struct th_env env;
	char mgr[80];
	cm_client *c;
	cm_txn *t;
	long live;
	int i, round;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	for (i = 0; i < NKEPT; i++) {
		c = make_client(&env, "Kept");
		snprintf(mgr, sizeof(mgr), "kept-manager-%d", i);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, mgr), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	for (i = 0; i < NKEPT; i++) {
		snprintf(mgr, sizeof(mgr), "kept-manager-%d", i);
		assert_non_null(kept[i] = cm__intern_find(env.store, mgr, strlen(mgr)));
	}
	for (round = 0; round < 3; round++) {
		assert_int_equal(cm_txn_begin(&t, env.store, "someone-new"), CM_OK);
		for (i = 0; i < NGONE; i++) {
			c = make_client(&env, "Gone");
			/* Long enough to need several arena blocks. */
			snprintf(mgr, sizeof(mgr),
				 "a-manager-whose-id-is-rather-long-%d-%d", round, i);
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, mgr),
					 CM_OK);
			assert_int_equal(cm_client_save(t, c), CM_OK);
			cm_client_free(c);
		}
		snprintf(mgr, sizeof(mgr), "a-manager-whose-id-is-rather-long-%d-7", round);
		assert_non_null(cm__intern_find(env.store, mgr, strlen(mgr)));
		if (round < 2) {
			cm_txn_rollback(t);
		} else {
			/* Every allocation from the commit's first fails. */
			env.alloc.fail_at = env.alloc.count + 1;
			env.alloc.fail_after = 1;
			assert_int_equal(cm_txn_commit(t), CM_ENOMEM);
			env.alloc.fail_at = 0;
		}
		assert_null(cm__intern_find(env.store, mgr, strlen(mgr)));
		assert_null(cm__intern_find(env.store, "someone-new", 11));
		for (i = 0; i < NKEPT; i++) {
			snprintf(mgr, sizeof(mgr), "kept-manager-%d", i);
			assert_ptr_equal(cm__intern_find(env.store, mgr, strlen(mgr)),
					 kept[i]);
		}
		/* The first round leaves slabs for slots (kept for reuse)
		 * and a larger table; the arena blocks go every time. */
		if (round == 0)
			live = env.alloc.live;
		assert_int_equal(env.alloc.live, live);
	}
	th_close(&env);
}

static void test_several_records_one_txn(void **state)
{
	struct th_env env;
	cm_client *a, *b, *g;
	cm_txn *t;
	(void)state;

	th_open(&env);
	a = make_client(&env, "Ahn");
	b = make_client(&env, "Baptiste");
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	assert_int_equal(cm_client_save(t, b), CM_OK);
	/* Saved again in the same txn: replaces what was staged. */
	assert_int_equal(cm_client_set_text(a, CM_CLIENT_GIVEN, "Min"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	/* Not yet visible to readers. */
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(a)), CM_ENOTFOUND);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(a)), CM_OK);
	assert_string_equal(cm_client_text(g, CM_CLIENT_GIVEN), "Min");
	assert_int_equal(cm_client_revision(g), 1);
	cm_client_free(g);
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(b)), CM_OK);
	cm_client_free(g);
	cm_client_free(a);
	cm_client_free(b);
	th_close(&env);
}

struct seen {
	int calls;
	int32_t kind[4];
	int64_t rev[4];
	int32_t action[4];
	char id[4][40];
	int begin_rc;
	cm_store *store;
};

static int on_change(void *ctx, int32_t kind, const char *id, int64_t rev,
		     int32_t action)
{
	struct seen *s = ctx;
	cm_txn *t = NULL;
	if (s->calls < 4) {
		s->kind[s->calls] = kind;
		s->rev[s->calls] = rev;
		s->action[s->calls] = action;
		strncpy(s->id[s->calls], id, 39);
		s->id[s->calls][39] = '\0';
	}
	s->calls++;
	/* Must not begin a transaction from inside: refused, no deadlock. */
	s->begin_rc = cm_txn_begin(&t, s->store, "cb");
	return 0;
}

static void test_change_callback(void **state)
{
	struct th_env env;
	struct seen seen;
	cm_client *c;
	cm_txn *t;
	(void)state;

	th_open(&env);
	memset(&seen, 0, sizeof(seen));
	seen.store = env.store;
	assert_int_equal(cm_store_set_change_callback(NULL, on_change, &seen), CM_EINVAL);
	assert_int_equal(cm_store_set_change_callback(env.store, on_change, &seen), CM_OK);
	c = make_client(&env, "Cruz");
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(seen.calls, 0); /* not before commit */
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.kind[0], CM_KIND_CLIENT);
	assert_int_equal(seen.rev[0], 1);
	assert_int_equal(seen.action[0], CM_ACTION_CREATE);
	assert_string_equal(seen.id[0], cm_client_id(c));
	assert_int_equal(seen.begin_rc, CM_EBUSY);

	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "enrolled"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.action[1], CM_ACTION_STATUS);
	assert_int_equal(seen.rev[1], 2);

	/* Rolled back: no call. Removed: no call. */
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_txn_rollback(t);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(cm_store_set_change_callback(env.store, NULL, NULL), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "Luz"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(seen.calls, 2);
	cm_client_free(c);
	th_close(&env);
}

static void test_close_with_live_handles(void **state)
{
	struct th_env env;
	cm_client *c, *g = NULL;
	cm_client_iter *it;
	cm_txn *t;
	(void)state;

	th_open(&env);
	c = make_client(&env, "Dube");
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_client_list(&it, env.store, 0, NULL, NULL), CM_OK);
	cm_store_close(env.store);
	/* The handle and the listing stay readable... */
	assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), "Dube");
	assert_int_equal(cm_client_iter_next(&g, it), CM_OK);
	assert_string_equal(cm_client_text(g, CM_CLIENT_FAMILY), "Dube");
	/* ...but the store itself is gone for new work. */
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "Sipho"), CM_OK);
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_ESTATE);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_ESTATE);
	cm_client_free(g);
	cm_client_iter_free(it);
	assert_true(env.alloc.live > 0);
	cm_client_free(c); /* the last reference frees the store */
	assert_int_equal(env.alloc.live, 0);
}

static void test_commit_after_close(void **state)
{
	struct th_env env;
	cm_client *c;
	cm_txn *t;
	(void)state;

	th_open(&env);
	c = make_client(&env, "Eze");
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_store_close(env.store);
	assert_int_equal(cm_txn_commit(t), CM_ESTATE);
	assert_int_equal(cm_client_revision(c), 0);
	cm_client_free(c);
	assert_int_equal(env.alloc.live, 0);
}

static void test_two_stores_independent(void **state)
{
	struct th_env a, b;
	cm_client *c, *g = NULL;
	cm_txn *t;
	(void)state;

	th_open(&a);
	th_open(&b);
	c = make_client(&a, "Fofanah");
	/* A handle of store a cannot be saved in a txn of store b. */
	assert_int_equal(cm_txn_begin(&t, b.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_EINVAL);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_txn_begin(&t, a.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_client_get(&g, b.store, cm_client_id(c)), CM_ENOTFOUND);
	assert_string_equal(cm_store_errmsg(a.store), "");
	cm_client_free(c);
	th_close(&a);
	th_close(&b);
}

static void test_kind_and_action_names(void **state)
{
	(void)state;
	assert_string_equal(cm_kind_name(CM_KIND_CLIENT), "client");
	assert_null(cm_kind_name(0));
	assert_null(cm_kind_name(999));
	assert_string_equal(cm_action_name(CM_ACTION_CREATE), "create");
	assert_string_equal(cm_action_name(CM_ACTION_UPDATE), "update");
	assert_string_equal(cm_action_name(CM_ACTION_STATUS), "status");
	assert_string_equal(cm_action_name(CM_ACTION_READ), "read");
	assert_null(cm_action_name(0));
}

/* A store holds at most CM__REF_BLOCKS_MAX slabs of record slots (32 GiB):
 * a save that needs one more fails with CM_ENOMEM and stages nothing; what
 * was staged before commits. Tested with the limit lowered to the slab
 * directory's first capacity. */
static void test_slot_limit(void **state)
{
	struct th_env env;
	cm_client *c;
	cm_txn *t;
	size_t n = 0, nops;
	int rc;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	c = make_client(&env, "First");
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
	n++;
	env.store->slabs.max = (uint32_t)env.store->slabs.dir.cap;
	for (;;) {
		c = make_client(&env, "Full");
		nops = t->nops;
		if ((rc = cm_client_save(t, c)) != CM_OK)
			break;
		cm_client_free(c);
		assert_true(++n < 1000000);
	}
	assert_int_equal(rc, CM_ENOMEM);
	assert_non_null(strstr(cm_store_errmsg(env.store), "out of memory"));
	assert_int_equal(t->nops, nops);
	assert_int_equal(env.store->slabs.dir.n, env.store->slabs.max);
	cm_client_free(c);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(env.store->tables[CM_KIND_CLIENT].count, n);
	th_close(&env);
}

/* ---- many entries into one index bucket in one commit ----------------- */

/* b is in index order: by key, then id; n entries. */
static void bucket_in_order(cm_store *s, const struct cm__bucket *b, uint32_t n)
{
	uint32_t i;

	assert_non_null(b);
	assert_int_equal(b->n, n);
	assert_int_equal(b->batch, 0);
	for (i = 1; i < b->n; i++) {
		int64_t ka = cm__ient_key(&b->e[i - 1]), kb = cm__ient_key(&b->e[i]);
		assert_true(ka < kb ||
			    (ka == kb && strcmp(CM__SLOT_ID(cm__bucket_slot(s, b, i - 1)),
						CM__SLOT_ID(cm__bucket_slot(s, b, i))) < 0));
	}
}

/* A client "<prefix><n>" of manager m (NULL: none), in txn t. */
static int batch_client(cm_txn *t, cm_store *s, const char *prefix, unsigned n,
			const char *m)
{
	cm_client *c = NULL;
	char id[32];
	int rc;

	snprintf(id, sizeof(id), "%s%05u", prefix, n);
	if ((rc = cm_client_new(&c, s)) == CM_OK &&
	    (rc = cm_client_set_id(c, id)) == CM_OK &&
	    (rc = cm_client_set_text(c, CM_CLIENT_FAMILY, "F")) == CM_OK &&
	    (rc = cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, m)) == CM_OK)
		rc = cm_client_save(t, c);
	cm_client_free(c);
	return rc;
}

static int batch_reassign(cm_txn *t, cm_store *s, const char *prefix,
			  unsigned n, const char *m)
{
	cm_client *c = NULL;
	char id[32];
	int rc;

	snprintf(id, sizeof(id), "%s%05u", prefix, n);
	if ((rc = cm_client_get(&c, s, id)) == CM_OK &&
	    (rc = cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, m)) == CM_OK)
		rc = cm_client_save(t, c);
	cm_client_free(c);
	return rc;
}

/* Commit finds the client of a new event, service, plan or assessment
 * through its packed version, which points at the client slot's id: for a
 * committed client and for one staged in the same transaction. */
static void test_op_client_slot(void **state)
{
	struct th_env env;
	cm_txn *t;
	cm_client *c;
	cm_service *v;
	cm_plan *p;
	cm_assessment *a;
	cm_event_iter *it;
	cm_event *ev;
	cm_service_iter *si;
	size_t i, seen = 0;
	(void)state;

	th_open(&env);
	fx_client(&env, "c1", "m1", 2, TH_D0);
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, "c2"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Two"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
	assert_int_equal(cm_event_add(t, NULL, 0, "c1", CM_EVENT_CONTACT,
				      TH_T0, CM_CONTACT_PHONE, "one"), CM_OK);
	assert_int_equal(cm_event_add(t, NULL, 0, "c2", CM_EVENT_CONTACT,
				      TH_T0, CM_CONTACT_PHONE, "two"), CM_OK);
	assert_int_equal(cm_service_new(&v, env.store, "c2", "referral"), CM_OK);
	assert_int_equal(cm_service_save(t, v), CM_OK);
	cm_service_free(v);
	assert_int_equal(cm_plan_new(&p, env.store, "c1"), CM_OK);
	assert_int_equal(cm_plan_set_text(p, CM_PLAN_AUTHOR, "cm-1"), CM_OK);
	assert_int_equal(cm_plan_save(t, p), CM_OK);
	cm_plan_free(p);
	assert_int_equal(cm_assessment_new(&a, env.store, "c2", "phq-9"), CM_OK);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "nurse-1"), CM_OK);
	assert_int_equal(cm_assessment_save(t, a), CM_OK);
	cm_assessment_free(a);
	for (i = 0; i < t->nops; i++) {
		const struct cm__op *op = &t->ops[i];
		const char *cid;
		if (op->kind == CM_KIND_CLIENT)
			continue;
		/* Every kind here keeps its client id first after the
		 * header. */
		cid = *(const char *const *)(const void *)(op->rec + 1);
		assert_true(op->rec->packed & CM__PACKED_CLIENT);
		assert_ptr_equal(cm__op_client(t, op, cid),
				 cm__txn_slot(t, CM_KIND_CLIENT, cid));
		assert_non_null(cm__op_client(t, op, cid));
		seen++;
	}
	assert_int_equal(seen, 5);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	/* The by-client indexes took them. */
	assert_int_equal(cm_event_timeline(&it, env.store, "c2", CM_TIME_NONE,
					   CM_TIME_NONE, 1), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 1);
	assert_int_equal(cm_event_iter_next(&ev, it), CM_OK);
	assert_string_equal(cm_event_text(ev, CM_EVENT_TEXT), "two");
	cm_event_free(ev);
	cm_event_iter_free(it);
	assert_int_equal(cm_service_list(&si, env.store, "c2"), CM_OK);
	assert_int_equal(cm_service_iter_count(si), 1);
	cm_service_iter_free(si);
	th_close(&env);
}

/* A commit that adds many entries to one bucket appends them and sorts
 * them in at the end (instead of moving the bucket's entries for each):
 * clients by case manager, with removals in the same commit, events of
 * one client out of time order with an amendment among them, services
 * of one client; every bucket in order after, and reassigning every
 * client finds its entry. */
static void test_index_batches(void **state)
{
	struct th_env env;
	cm_txn *t;
	cm_event_iter *it;
	cm_event *ev;
	char first[CM_ID_BUFSIZE];
	int64_t last;
	unsigned i;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	for (i = 0; i < 2400; i++)
		assert_int_equal(batch_client(t, env.store, "k", (i * 7919) % 100000,
					      i % 2 ? "m1" : NULL), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	bucket_in_order(env.store, cm__mindex_get(&env.store->clients_by_cm, ""), 1200);
	bucket_in_order(env.store, cm__mindex_get(&env.store->clients_by_cm, "m1"), 1200);

	/* 125 from "" to m1 and 125 from m1 to "" (removals first), and
	 * 300 new ones under "". */
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	for (i = 0; i < 250; i++)
		assert_int_equal(batch_reassign(t, env.store, "k", (i * 7919) % 100000,
						i % 2 ? "" : "m1"), CM_OK);
	for (i = 0; i < 300; i++)
		assert_int_equal(batch_client(t, env.store, "n", (i * 7919) % 100000, NULL),
				 CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	bucket_in_order(env.store, cm__mindex_get(&env.store->clients_by_cm, ""),
			1200 - 125 + 125 + 300);
	bucket_in_order(env.store, cm__mindex_get(&env.store->clients_by_cm, "m1"),
			1200 - 125 + 125);
	/* Every entry is where a reassignment finds it. */
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	for (i = 0; i < 2400; i++)
		assert_int_equal(batch_reassign(t, env.store, "k", (i * 7919) % 100000,
						"m2"), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	bucket_in_order(env.store, cm__mindex_get(&env.store->clients_by_cm, ""), 300);
	bucket_in_order(env.store, cm__mindex_get(&env.store->clients_by_cm, "m1"), 0);
	bucket_in_order(env.store, cm__mindex_get(&env.store->clients_by_cm, "m2"), 2400);

	/* 1,500 events of one client out of time order, and one amending
	 * an earlier event: a timeline newest first, the amendment known. */
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	assert_int_equal(cm_event_add(t, first, sizeof(first), "k00000", CM_EVENT_NOTE,
				      TH_T0 - 100000, CM_CONTACT_NONE, "first"), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	for (i = 0; i < 1500; i++)
		assert_int_equal(cm_event_add(t, NULL, 0, "k00000", CM_EVENT_NOTE,
					      TH_T0 - (int64_t)((i * 7919) % 5000) * 10,
					      CM_CONTACT_NONE, "n"), CM_OK);
	assert_int_equal(cm_event_new(&ev, env.store, "k00000", CM_EVENT_NOTE, TH_T0), CM_OK);
	assert_int_equal(cm_event_set_amends(ev, first), CM_OK);
	assert_int_equal(cm_event_save(t, ev), CM_OK);
	cm_event_free(ev);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	bucket_in_order(env.store,
			cm__mindex_get(&env.store->events_by_client, "k00000"), 1502);
	assert_int_equal(cm_event_timeline(&it, env.store, "k00000", CM_TIME_NONE,
					   CM_TIME_NONE, 1), CM_OK);
	last = INT64_MAX;
	i = 0;
	while (cm_event_iter_next(&ev, it) == CM_OK) {
		int64_t when;
		assert_int_equal(cm_event_get_int(&when, ev, CM_EVENT_TIME), CM_OK);
		assert_true(when <= last);
		last = when;
		if (strcmp(cm_event_id(ev), first) == 0)
			assert_non_null(cm_event_iter_amended_by(it));
		cm_event_free(ev);
		i++;
	}
	cm_event_iter_free(it);
	assert_int_equal(i, 1502);

	/* 1,100 services of one client in one commit. */
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	for (i = 0; i < 1100; i++) {
		cm_service *v;
		assert_int_equal(cm_service_new(&v, env.store, "k07919", "referral"), CM_OK);
		assert_int_equal(cm_service_save(t, v), CM_OK);
		cm_service_free(v);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	bucket_in_order(env.store,
			cm__mindex_get(&env.store->services_by_client, "k07919"), 1100);
	th_close(&env);
}

/* The same under allocation failure: a failed commit leaves no bucket
 * marked for a batch, and the next commit into it is in order. */
static void batch_sweep_setup(struct th_env *e)
{
	cm_txn *t;
	unsigned i;

	assert_int_equal(cm_txn_begin(&t, e->store, "tester"), CM_OK);
	for (i = 0; i < 1000; i++)
		assert_int_equal(batch_client(t, e->store, "k", (i * 7919) % 100000, NULL),
				 CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
}

static int batch_sweep_run(struct th_env *e)
{
	const struct cm__bucket *b;
	cm_txn *t;
	unsigned i;
	int rc, rc2;

	if ((rc = cm_txn_begin(&t, e->store, "tester")) != CM_OK)
		return rc;
	for (i = 0; i < 100 && rc == CM_OK; i++)
		rc = batch_client(t, e->store, "n", (i * 7919) % 100000, NULL);
	if (rc == CM_OK)
		rc = cm_txn_commit(t);
	else
		cm_txn_rollback(t);
	e->alloc.fail_at = 0;
	b = cm__mindex_get(&e->store->clients_by_cm, "");
	bucket_in_order(e->store, b, rc == CM_OK ? 1100 : 1000);
	/* A few more, one commit: the usual path, in order. */
	assert_int_equal(cm_txn_begin(&t, e->store, "tester"), CM_OK);
	for (i = 0; i < 3; i++)
		assert_int_equal(batch_client(t, e->store, "z", i, NULL), CM_OK);
	rc2 = cm_txn_commit(t);
	assert_int_equal(rc2, CM_OK);
	bucket_in_order(e->store, b, rc == CM_OK ? 1103 : 1003);
	return rc;
}

static void test_index_batch_alloc_failures(void **state)
{
	static const struct fx_scenario sc = { batch_sweep_setup, batch_sweep_run };
	(void)state;
	assert_true(fx_sweep(&sc) > 10);
}

/* More than 255 buckets given many entries by one commit (a load installs
 * a whole store in one): every one is a batch, none falls back to moving
 * its later entries for each insert. A batch takes room for as many
 * entries again to merge in with: each new bucket of 1,024 has it. */
static void test_index_batches_many(void **state)
{
	struct th_env env;
	cm_txn *t;
	char m[16];
	unsigned i;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	for (i = 0; i < 260 * 1024; i++) {
		snprintf(m, sizeof(m), "t%03u", i % 260);
		assert_int_equal(batch_client(t, env.store, "k", (i * 7919) % (260 * 1024), m),
				 CM_OK);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);
	for (i = 0; i < 260; i++) {
		const struct cm__bucket *b;
		snprintf(m, sizeof(m), "t%03u", i);
		b = cm__mindex_get(&env.store->clients_by_cm, m);
		bucket_in_order(env.store, b, 1024);
		assert_true(b->cap >= 2 * 1024);
	}
	th_close(&env);
}

/* An id map through puts, removals and growth (by 2 and by more, at the
 * most load it keeps, with long probe runs that wrap around the table's
 * end): every key is found after each growth, and no other. Growth moves
 * the entries in one pass over the new table (cm__kmap_reserve). */
static void test_kmap_growth(void **state)
{
	enum { NB = 4, PER = 8190, N = NB * PER };
	static char block[NB][PER * 8];
	static unsigned char in[N];
	char *blocks[NB];
	struct cm__refdir d = { blocks, NB, NB };
	struct cm__kmap m;
	struct th_env env;
	uint64_t r = 7;
	size_t i, n = 0, step;
	(void)state;

	th_open(&env);
	memset(&m, 0, sizeof(m));
	memset(in, 0, sizeof(in));
	m.dir = &d;
	for (i = 0; i < NB; i++)
		blocks[i] = block[i];
	for (i = 0; i < N; i++) /* short keys */
		snprintf(block[i / PER] + i % PER * 8, 8, "%zx", i * 40503 % 65521);
	for (step = 0; step < 400000; step++) {
		const char *k;
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		i = (size_t)(r >> 33) % N;
		k = block[i / PER] + i % PER * 8;
		if ((r >> 29) % 5 && !in[i]) {
			assert_int_equal(cm__kmap_reserve(env.store, &m, 1), CM_OK);
			cm__kmap_put(&m, cm__ref_make((uint32_t)(i / PER), i % PER * 8),
				     strlen(k));
			in[i] = 1;
			n++;
		} else if (in[i]) {
			assert_ptr_equal(cm__kmap_remove(&m, k, strlen(k)), k);
			in[i] = 0;
			n--;
		}
		if (step % 100000 == 99999) /* grown by more than twice */
			assert_int_equal(cm__kmap_reserve(env.store, &m, 3 * m.cap),
					 CM_OK);
		if (step % 20000 == 0 || step % 100000 == 99999) {
			size_t j;
			assert_int_equal(cm__kmap_count(&m), n);
			for (j = 0; j < N; j++) {
				const char *kj = block[j / PER] + j % PER * 8;
				assert_ptr_equal(cm__kmap_get(&m, kj, strlen(kj)),
						 in[j] ? kj : NULL);
			}
		}
	}
	cm__kmap_free(env.store, &m);
	th_close(&env);
}

/* ---- a put at the place its look-up found ------------------------------ */

/* Values of the key maps below: KM_STRIDE bytes each, their key first,
 * NUL-terminated, in one block of a reference directory. */
#define KM_VALS 1500
#define KM_WRAPS 8
#define KM_STRIDE 32
#define KM_OPS 20000

/* A put at the place a look-up that missed its key recorded
 * (cm__kmap_find, then cm__kmap_put_at: staging a new record) leaves the
 * map as a put that probes again (cm__kmap_put) does: after the table grew
 * in between (the room staging reserves after its look-up), in probe runs
 * that wrap past the table's end, and after removals (backward shifts)
 * before the look-up. Two maps take the same random puts and removals, one
 * each way: their tables must stay the same word for word. */
static void test_kmap_put_at(void **state)
{
	struct th_env env;
	struct cm__refdir dir;
	struct cm__kmap a, b;
	static unsigned char in[KM_VALS];
	char *blocks[1];
	unsigned seed = 7, wraps = 0, grew = 0, w = 0, i, n;
	(void)state;

	th_open(&env);
	assert_true((KM_VALS + KM_WRAPS) * KM_STRIDE <= CM__REF_BLOCK);
	blocks[0] = calloc(1, CM__REF_BLOCK);
	assert_non_null(blocks[0]);
	dir.blocks = blocks;
	dir.n = dir.cap = 1;
	memset(&a, 0, sizeof(a));
	a.dir = &dir;
	memset(&b, 0, sizeof(b));
	b.dir = &dir;
	for (i = 0; i < KM_VALS; i++)
		snprintf(blocks[0] + i * KM_STRIDE, KM_STRIDE, "key-%u", i * 7919);
	memset(in, 0, sizeof(in));
	/* Random puts and removals, then (n >= KM_OPS) puts of keys whose
	 * place is the table's last: all but the first wrap. */
	for (n = 0; n < KM_OPS + KM_WRAPS; n++) {
		char *key;
		size_t len;
		if (n < KM_OPS) {
			i = (unsigned)rand_r(&seed) % KM_VALS;
			key = blocks[0] + i * KM_STRIDE;
		} else {
			if (n == KM_OPS) {
				/* (No growth from here on.) */
				assert_int_equal(cm__kmap_reserve(env.store, &a, KM_WRAPS), CM_OK);
				assert_int_equal(cm__kmap_reserve(env.store, &b, KM_WRAPS), CM_OK);
			}
			key = blocks[0] + (KM_VALS + n - KM_OPS) * KM_STRIDE;
			do
				snprintf(key, KM_STRIDE, "wrap-%u", w++);
			while ((cm__hash(key, strlen(key)) & (a.cap - 1)) != a.cap - 1);
		}
		len = strlen(key);
		if (n >= KM_OPS || !in[i]) {
			uint32_t ref = cm__ref_make(0, (size_t)(key - blocks[0]));
			struct cm__kpos pos;
			size_t cap = a.cap;
			cm__kmap_pos(&pos, key, len);
			assert_null(cm__kmap_find(&a, key, &pos));
			wraps += pos.cap && pos.at < (pos.hash & (pos.cap - 1));
			assert_int_equal(cm__kmap_reserve(env.store, &a, 1), CM_OK);
			grew += a.cap != cap;
			cm__kmap_put_at(&a, ref, &pos);
			assert_int_equal(cm__kmap_reserve(env.store, &b, 1), CM_OK);
			cm__kmap_put(&b, ref, len);
		} else {
			assert_ptr_equal(cm__kmap_remove(&a, key, len), key);
			assert_ptr_equal(cm__kmap_remove(&b, key, len), key);
		}
		if (n < KM_OPS)
			in[i] = !in[i];
		assert_int_equal(a.cap, b.cap);
		assert_int_equal(cm__kmap_count(&a), cm__kmap_count(&b));
		assert_memory_equal(a.ents, b.ents, a.cap * sizeof(*a.ents));
	}
	for (i = 0; i < KM_VALS + KM_WRAPS; i++) {
		char *key = blocks[0] + i * KM_STRIDE;
		assert_ptr_equal(cm__kmap_get(&a, key, strlen(key)),
				 i >= KM_VALS || in[i] ? key : NULL);
	}
	/* The cases above came up: growth between look-up and put (from
	 * an empty map to 1,024 places at least), wrapped runs. */
	assert_true(grew >= 7);
	assert_true(wraps >= KM_WRAPS - 1);
	cm__kmap_free(env.store, &a);
	cm__kmap_free(env.store, &b);
	free(blocks[0]);
	th_close(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_open_out_of_memory),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_txn_arguments),
		cmocka_unit_test(test_rollback_discards),
		cmocka_unit_test(test_staged_record_invisible),
		cmocka_unit_test(test_rollbacks_leave_nothing),
		cmocka_unit_test(test_rollback_many_pending),
		cmocka_unit_test(test_slab_directory_grows),
		cmocka_unit_test(test_staged_handles),
		cmocka_unit_test(test_rollback_takes_back_interned),
		cmocka_unit_test(test_several_records_one_txn),
		cmocka_unit_test(test_change_callback),
		cmocka_unit_test(test_close_with_live_handles),
		cmocka_unit_test(test_commit_after_close),
		cmocka_unit_test(test_two_stores_independent),
		cmocka_unit_test(test_kind_and_action_names),
		cmocka_unit_test(test_commit_interns_new_texts),
		cmocka_unit_test(test_packed_empty_lists_zeroed),
		cmocka_unit_test(test_slot_limit),
		cmocka_unit_test(test_txn_reused),
		cmocka_unit_test(test_op_client_slot),
		cmocka_unit_test(test_index_batches),
		cmocka_unit_test(test_index_batch_alloc_failures),
		cmocka_unit_test(test_index_batches_many),
		cmocka_unit_test(test_kmap_growth),
		cmocka_unit_test(test_kmap_put_at),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
