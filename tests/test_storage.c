/*
 * Storage callbacks: a host storage kept in memory by this test, with a
 * failure injected at every callback position of a scenario. After each
 * failure the store in memory and the storage must both be exactly as they
 * were before the failing commit, and reopening from the storage must give
 * back exactly the live store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/codec.h"
#include "store/storage_impl.h"

struct row {
	int32_t kind;
	char id[80];
	int64_t rev;
	unsigned char *bytes;
	size_t len;
};

struct host {
	struct row rows[512];
	size_t nrows;
	struct row pending[64];
	size_t npending;
	int in_txn;
	long calls;      /* callbacks made so far */
	long fail_at;    /* fail this callback number (1-based); 0 = never */
	int fail_code;   /* what the failing callback returns */
	int closed;
	int corrupt_row; /* flip a byte of this row when loading (-1: none) */
	int drop_logs;   /* keep records only, not transaction logs */
	int fail_since;  /* load_since fails (returns 1) */
	int dup_logs;    /* emit every transaction log twice */
	long since_calls;
};

static int should_fail(struct host *h)
{
	return ++h->calls == h->fail_at;
}

static void rows_free(struct row *r, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(r[i].bytes);
}

static int h_begin(void *ctx)
{
	struct host *h = ctx;
	if (should_fail(h))
		return h->fail_code;
	assert_false(h->in_txn);
	h->in_txn = 1;
	h->npending = 0;
	return 0;
}

static int64_t max_rev(struct host *h, int32_t kind, const char *id)
{
	int64_t m = 0;
	size_t i;
	for (i = 0; i < h->nrows; i++)
		if (h->rows[i].kind == kind && strcmp(h->rows[i].id, id) == 0 &&
		    h->rows[i].rev > m)
			m = h->rows[i].rev;
	return m;
}

static int h_put(void *ctx, int32_t kind, const char *id, int64_t rev,
		 int64_t prev, const void *bytes, size_t len)
{
	struct host *h = ctx;
	struct row *r;
	if (should_fail(h))
		return h->fail_code;
	assert_true(h->in_txn);
	if (kind != CM_KIND_TXNLOG && max_rev(h, kind, id) != prev)
		return CM_ECONFLICT;
	if (h->drop_logs && kind == CM_KIND_TXNLOG)
		return 0;
	assert_true(h->npending < 64);
	r = &h->pending[h->npending++];
	r->kind = kind;
	strcpy(r->id, id);
	r->rev = rev;
	r->bytes = malloc(len);
	memcpy(r->bytes, bytes, len);
	r->len = len;
	return 0;
}

static int h_commit(void *ctx)
{
	struct host *h = ctx;
	if (should_fail(h))
		return h->fail_code;
	assert_true(h->nrows + h->npending <= 512);
	memcpy(&h->rows[h->nrows], h->pending, h->npending * sizeof(struct row));
	h->nrows += h->npending;
	h->npending = 0;
	h->in_txn = 0;
	return 0;
}

static int h_rollback(void *ctx)
{
	struct host *h = ctx;
	h->calls++; /* counted, never failed: its result is ignored anyway */
	rows_free(h->pending, h->npending);
	h->npending = 0;
	h->in_txn = 0;
	return 0;
}

static int load_from(struct host *h, size_t from, cm_storage_emit_fn emit,
		     void *ectx)
{
	size_t i;
	for (i = from; i < h->nrows; i++) {
		int rc;
		if ((int)i == h->corrupt_row) {
			h->rows[i].bytes[h->rows[i].len / 2] ^= 0x10;
			rc = emit(ectx, h->rows[i].bytes, h->rows[i].len);
			h->rows[i].bytes[h->rows[i].len / 2] ^= 0x10;
		} else {
			rc = emit(ectx, h->rows[i].bytes, h->rows[i].len);
		}
		if (!rc && h->dup_logs && h->rows[i].kind == CM_KIND_TXNLOG)
			rc = emit(ectx, h->rows[i].bytes, h->rows[i].len);
		if (rc)
			return rc;
	}
	return 0;
}

static int h_load(void *ctx, cm_storage_emit_fn emit, void *ectx)
{
	return load_from(ctx, 0, emit, ectx);
}

/* The marker is the number of rows loaded (rows are only appended). */
static int h_load_since(void *ctx, const char *marker, cm_storage_emit_fn emit,
			void *ectx, char *out, size_t out_size)
{
	struct host *h = ctx;
	size_t from = marker ? (size_t)strtoul(marker, NULL, 10) : 0;
	int rc;
	h->since_calls++;
	assert_true(out_size >= CM_STORAGE_MARKER_MAX + 1);
	if (h->fail_since)
		return 1;
	assert_true(from <= h->nrows);
	rc = load_from(h, from, emit, ectx);
	if (rc)
		return rc;
	snprintf(out, out_size, "%zu", h->nrows);
	return 0;
}

static int h_close(void *ctx)
{
	((struct host *)ctx)->closed++;
	return 0;
}

static const char *h_errmsg(void *ctx)
{
	(void)ctx;
	return "disk quota exceeded on /var/lib/ehr";
}

static const cm_storage host_table = {
	CM_STORAGE_VERSION, h_begin, h_put, h_commit, h_rollback, h_load,
	h_close, h_errmsg, NULL
};

/* The same, able to refresh (and loading through load_since at open). */
static const cm_storage shared_table = {
	CM_STORAGE_VERSION, h_begin, h_put, h_commit, h_rollback, h_load,
	h_close, h_errmsg, h_load_since
};

static uint64_t seed = 1000;

static void open_on(struct th_env *env, struct host *h, const cm_storage *t)
{
	cm_store_options o;
	memset(env, 0, sizeof(*env));
	env->clock.now = TH_T0;
	th_options(&o, env);
	o.id_seed = seed++; /* stores sharing a storage: distinct ids */
	o.storage = t;
	o.storage_ctx = h;
	assert_int_equal(cm_store_open(&env->store, &o), CM_OK);
}

/* Two stores, a and b, on one fresh host storage h. */
static void open_two(struct th_env *a, struct th_env *b, struct host *h,
		     const cm_storage *t)
{
	memset(h, 0, sizeof(*h));
	h->corrupt_row = -1;
	open_on(a, h, t);
	open_on(b, h, t);
}

/* Two transactions: create two clients; then change one's status and move
 * an identifier. Returns the number of commits that succeeded. */
static int scenario(struct th_env *env)
{
	cm_client *a, *b;
	cm_txn *t;
	int ok = 0;

	assert_int_equal(cm_client_new(&a, env->store), CM_OK);
	assert_int_equal(cm_client_set_text(a, CM_CLIENT_FAMILY, "Storage"), CM_OK);
	assert_int_equal(cm_client_set_identifier(a, "MRN", "S1"), CM_OK);
	assert_int_equal(cm_client_add_care_team_member(a, "PCP", "Dr. B", NULL), CM_OK);
	assert_int_equal(cm_client_new(&b, env->store), CM_OK);
	assert_int_equal(cm_client_set_text(b, CM_CLIENT_GIVEN, "Other"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env->store, "writer"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	assert_int_equal(cm_client_save(t, b), CM_OK);
	if (cm_txn_commit(t) != CM_OK)
		goto out;
	ok++;
	env->clock.now += 60;
	assert_int_equal(cm_client_set_status(a, CM_CASE_ACTIVE, "enrolled"), CM_OK);
	assert_int_equal(cm_client_set_identifier(a, "MRN", NULL), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, "MRN", "S1"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env->store, "writer"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	assert_int_equal(cm_client_save(t, b), CM_OK);
	if (cm_txn_commit(t) != CM_OK)
		goto out;
	ok++;
out:
	cm_client_free(a);
	cm_client_free(b);
	return ok;
}

static uint64_t reopened_digest(struct host *h)
{
	struct th_env env;
	uint64_t d;
	open_on(&env, h, &host_table);
	d = cm__store_digest(env.store);
	th_close(&env);
	return d;
}

static void test_round_trip(void **state)
{
	struct host h;
	struct th_env env;
	cm_client *c;
	uint64_t live;
	(void)state;

	memset(&h, 0, sizeof(h));
	h.corrupt_row = -1;
	open_on(&env, &h, &host_table);
	assert_int_equal(scenario(&env), 2);
	live = cm__store_digest(env.store);
	/* 2 + 2 records and one transaction log per commit. */
	assert_int_equal(h.nrows, 6);
	th_close(&env);
	assert_int_equal(h.closed, 1);
	assert_int_equal(reopened_digest(&h), live);

	/* What came back reads like what went in, and works on. */
	open_on(&env, &h, &host_table);
	assert_int_equal(cm_client_find(&c, env.store, "MRN", "S1"), CM_OK);
	assert_string_equal(cm_client_text(c, CM_CLIENT_GIVEN), "Other");
	assert_int_equal(cm_client_revision(c), 2);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_PHONE, "555"), CM_OK);
	{
		cm_txn *t;
		assert_int_equal(cm_txn_begin(&t, env.store, "again"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		assert_int_equal(cm_txn_commit(t), CM_OK);
	}
	assert_int_equal(cm_client_revision(c), 3);
	cm_client_free(c);
	live = cm__store_digest(env.store);
	th_close(&env);
	assert_int_equal(reopened_digest(&h), live);
	rows_free(h.rows, h.nrows);
}

/* Fail every callback position, with a plain failure and with each code a
 * host may pass through. */
static void sweep_failures(int code, int expect)
{
	long n;
	int done = 0;

	for (n = 1; !done; n++) {
		struct host h;
		struct th_env env;
		uint64_t before_live;
		size_t rows_before;
		int ok;

		memset(&h, 0, sizeof(h));
		h.corrupt_row = -1;
		h.fail_code = code;
		open_on(&env, &h, &host_table);
		h.fail_at = n;
		before_live = cm__store_digest(env.store);
		rows_before = h.nrows;
		ok = scenario(&env);
		if (ok == 2) {
			done = 1;
		} else {
			/* The failing commit changed nothing anywhere: memory
			 * holds exactly the commits storage holds. */
			assert_int_equal(h.in_txn, 0);
			assert_int_equal(h.npending, 0);
			assert_int_equal(h.nrows, ok == 0 ? rows_before : (size_t)3);
			assert_int_equal(cm_error_name(expect) != NULL, 1);
			assert_non_null(strstr(cm_store_errmsg(env.store),
					       expect == CM_ESTORAGE
						       ? "disk quota exceeded" : ""));
			if (ok == 0)
				assert_int_equal(cm__store_digest(env.store), before_live);
		}
		h.fail_at = 0;
		{
			uint64_t live = cm__store_digest(env.store);
			th_close(&env);
			assert_int_equal(reopened_digest(&h), live);
		}
		rows_free(h.rows, h.nrows);
		assert_true(n < 100);
	}
	print_message("  failed each of %ld callback positions\n", n - 2);
}

static void test_fail_each_callback(void **state)
{
	(void)state;
	sweep_failures(-1, CM_ESTORAGE);
	sweep_failures(CM_EIO, CM_EIO);
	sweep_failures(CM_EPOISONED, CM_EPOISONED);
}

static void test_failure_codes_and_messages(void **state)
{
	struct host h;
	struct th_env env;
	cm_client *c;
	cm_txn *t;
	(void)state;

	memset(&h, 0, sizeof(h));
	h.corrupt_row = -1;
	h.fail_code = 7; /* not a CM_E* code: a storage failure */
	open_on(&env, &h, &host_table);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Msg"), CM_OK);
	h.fail_at = h.calls + 2; /* the first put */
	assert_int_equal(cm_txn_begin(&t, env.store, "w"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_ESTORAGE);
	assert_non_null(strstr(cm_store_errmsg(env.store), "put"));
	assert_non_null(strstr(cm_store_errmsg(env.store), "disk quota exceeded"));
	assert_int_equal(cm_client_revision(c), 0);
	/* The same record commits once storage works again. */
	assert_int_equal(cm_txn_begin(&t, env.store, "w"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	cm_client_free(c);
	th_close(&env);
	rows_free(h.rows, h.nrows);
}

static void test_stale_write_refused(void **state)
{
	struct host h;
	struct th_env a, b;
	cm_client *ca, *cb;
	cm_txn *t;
	uint64_t before;
	char id[40];
	(void)state;

	/* Two stores share one host storage (as two processes would share a
	 * database): the second writes from a stale read and is refused. */
	memset(&h, 0, sizeof(h));
	h.corrupt_row = -1;
	open_on(&a, &h, &host_table);
	assert_int_equal(cm_client_new(&ca, a.store), CM_OK);
	assert_int_equal(cm_client_set_text(ca, CM_CLIENT_FAMILY, "Shared"), CM_OK);
	strcpy(id, cm_client_id(ca));
	assert_int_equal(cm_txn_begin(&t, a.store, "a"), CM_OK);
	assert_int_equal(cm_client_save(t, ca), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	open_on(&b, &h, &host_table);
	assert_int_equal(cm_client_get(&cb, b.store, id), CM_OK);

	assert_int_equal(cm_client_set_text(ca, CM_CLIENT_GIVEN, "First"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, a.store, "a"), CM_OK);
	assert_int_equal(cm_client_save(t, ca), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);

	assert_int_equal(cm_client_set_text(cb, CM_CLIENT_GIVEN, "Second"), CM_OK);
	before = cm__store_digest(b.store);
	assert_int_equal(cm_txn_begin(&t, b.store, "b"), CM_OK);
	assert_int_equal(cm_client_save(t, cb), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_ECONFLICT);
	assert_int_equal(cm__store_digest(b.store), before);
	assert_int_equal(h.nrows, 4);
	cm_client_free(ca);
	cm_client_free(cb);
	th_close(&a);
	th_close(&b);
	rows_free(h.rows, h.nrows);
}

static void test_open_refusals(void **state)
{
	struct host h;
	struct th_env env;
	cm_storage bad = host_table, ro = host_table;
	cm_store_options o;
	cm_store *s = NULL;
	char msg[256];
	cm_client *c;
	cm_txn *t;
	size_t i;
	(void)state;

	memset(&h, 0, sizeof(h));
	h.corrupt_row = -1;
	open_on(&env, &h, &host_table);
	assert_int_equal(scenario(&env), 2);
	th_close(&env);

	/* A record failing its checksum: refused, named, nothing opened. */
	for (i = 0; i < h.nrows; i++) {
		memset(&env, 0, sizeof(env));
		env.clock.now = TH_T0;
		th_options(&o, &env);
		o.storage = &host_table;
		o.storage_ctx = &h;
		o.errbuf = msg;
		o.errbuf_size = sizeof(msg);
		msg[0] = '\0';
		h.corrupt_row = (int)i;
		assert_int_equal(cm_store_open(&s, &o), CM_ECORRUPT);
		assert_null(s);
		assert_non_null(strstr(msg, "stored"));
		assert_int_equal(env.alloc.live, 0);
	}
	h.corrupt_row = -1;

	/* An unknown table version. */
	bad.version = 99;
	th_options(&o, &env);
	o.storage = &bad;
	o.storage_ctx = &h;
	assert_int_equal(cm_store_open(&s, &o), CM_EVERSION);

	/* A load failure carries the host's message. */
	bad = host_table;
	h.fail_at = 0;
	{
		struct host h2;
		memset(&h2, 0, sizeof(h2));
		h2.corrupt_row = -1;
		th_options(&o, &env);
		o.storage = &bad;
		o.storage_ctx = &h2;
		o.errbuf = msg;
		o.errbuf_size = sizeof(msg);
		bad.load = NULL; /* nothing stored: opens empty */
		assert_int_equal(cm_store_open(&s, &o), CM_OK);
		cm_store_close(s);
	}

	/* Read-only storage: commits with changes are refused. */
	ro.put = NULL;
	open_on(&env, &h, &ro);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "RO"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "w"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_EUNSUPPORTED);
	cm_client_free(c);
	th_close(&env);
	rows_free(h.rows, h.nrows);
}

static int failing_load(void *ctx, cm_storage_emit_fn emit, void *ectx)
{
	(void)ctx;
	(void)emit;
	(void)ectx;
	return 1; /* not a CM_E* code: a storage failure */
}

static void test_load_failure(void **state)
{
	struct host h;
	struct th_env env;
	cm_storage t = host_table;
	cm_store_options o;
	cm_store *s = NULL;
	char msg[256] = "";
	(void)state;

	memset(&h, 0, sizeof(h));
	memset(&env, 0, sizeof(env));
	t.load = failing_load;
	th_options(&o, &env);
	o.storage = &t;
	o.storage_ctx = &h;
	o.errbuf = msg;
	o.errbuf_size = sizeof(msg);
	assert_int_equal(cm_store_open(&s, &o), CM_ESTORAGE);
	assert_null(s);
	assert_non_null(strstr(msg, "disk quota exceeded"));
	assert_int_equal(h.closed, 1); /* the table was accepted: closed */
	assert_int_equal(env.alloc.live, 0);
}

static void test_load_contradiction(void **state)
{
	struct host h;
	struct th_env a, b, env;
	cm_store_options o;
	cm_store *s = NULL;
	cm_client *c;
	cm_txn *t;
	char msg[256] = "";
	(void)state;

	/* Two stores opened on one storage before either commits each
	 * enrol a different client with the same MRN. Neither could see the
	 * other's; storage (which checks revisions, not identifiers) takes
	 * both. The stored state contradicts itself, and opening it is
	 * refused rather than silently picking one. */
	open_two(&a, &b, &h, &host_table);
	assert_int_equal(cm_client_new(&c, a.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "One"), CM_OK);
	assert_int_equal(cm_client_set_identifier(c, "MRN", "DUP-1"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, a.store, "a"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	cm_client_free(c);
	assert_int_equal(cm_client_new(&c, b.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Two"), CM_OK);
	assert_int_equal(cm_client_set_identifier(c, "MRN", "DUP-1"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, b.store, "b"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	cm_client_free(c);
	th_close(&a);
	th_close(&b);

	memset(&env, 0, sizeof(env));
	th_options(&o, &env);
	o.storage = &host_table;
	o.storage_ctx = &h;
	o.errbuf = msg;
	o.errbuf_size = sizeof(msg);
	assert_int_equal(cm_store_open(&s, &o), CM_ECORRUPT);
	assert_null(s);
	assert_non_null(strstr(msg, "DUP-1"));
	assert_int_equal(env.alloc.live, 0);
	rows_free(h.rows, h.nrows);
}

static void test_alloc_sweep_with_storage(void **state)
{
	long n;
	int done = 0;
	(void)state;

	/* Open-with-load and commit-with-storage under failing allocation:
	 * CM_ENOMEM, nothing half-written, no leak. */
	for (n = 1; !done; n++) {
		struct host h;
		struct th_env env;
		cm_store_options o;
		cm_store *s = NULL;
		int rc;

		memset(&h, 0, sizeof(h));
		h.corrupt_row = -1;
		open_on(&env, &h, &host_table);
		assert_int_equal(scenario(&env), 2);
		th_close(&env);

		memset(&env, 0, sizeof(env));
		env.clock.now = TH_T0;
		th_options(&o, &env);
		o.id_seed = seed++;
		o.storage = &host_table;
		o.storage_ctx = &h;
		env.alloc.fail_at = n;
		rc = cm_store_open(&s, &o);
		if (rc == CM_OK) {
			cm_client *c;
			cm_txn *t;
			uint64_t before = cm__store_digest(s);
			size_t rows = h.nrows;
			env.store = s;
			rc = cm_client_new(&c, s);
			if (rc == CM_OK) {
				rc = cm_client_set_text(c, CM_CLIENT_FAMILY, "More");
				if (rc == CM_OK)
					rc = cm_txn_begin(&t, s, "w");
				if (rc == CM_OK) {
					rc = cm_client_save(t, c);
					if (rc == CM_OK)
						rc = cm_txn_commit(t);
					else
						cm_txn_rollback(t);
				}
				cm_client_free(c);
			}
			if (rc == CM_OK) {
				done = env.alloc.failures == 0;
			} else {
				assert_int_equal(rc, CM_ENOMEM);
				assert_int_equal(cm__store_digest(s), before);
				assert_int_equal(h.nrows, rows);
			}
			env.alloc.fail_at = 0;
			th_close(&env);
		} else {
			assert_int_equal(rc, CM_ENOMEM);
			assert_int_equal(env.alloc.live, 0);
		}
		rows_free(h.rows, h.nrows);
		assert_true(n < 100000);
	}
	print_message("  swept %ld allocation points\n", n - 1);
}

/* ---- refresh ------------------------------------------------------------ */

static size_t audit_count(cm_store *s, const char *id)
{
	cm_audit_iter *it;
	size_t n = 0;
	assert_int_equal(cm_audit_query(&it, s, id, NULL, CM_TIME_NONE, CM_TIME_NONE), CM_OK);
	while (cm_audit_iter_next(it) == CM_OK)
		n++;
	cm_audit_iter_free(it);
	return n;
}

struct changes {
	int n, creates, updates;
};

static int count_change(void *ctx, int32_t kind, const char *id,
			int64_t rev, int32_t action)
{
	struct changes *c = ctx;
	(void)kind;
	(void)id;
	(void)rev;
	c->n++;
	c->creates += action == CM_ACTION_CREATE;
	c->updates += action == CM_ACTION_UPDATE;
	return 0;
}

static void commit_client(cm_store *s, cm_client *c, const char *actor)
{
	cm_txn *t;
	assert_int_equal(cm_txn_begin(&t, s, actor), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
}

static void test_refresh(void **state)
{
	struct host h;
	struct th_env a, b;
	cm_client *ca, *cb, *f;
	cm_txn *t;
	struct changes ch = { 0, 0, 0 };
	size_t changed = 99;
	uint64_t before;
	char id[40];
	(void)state;

	open_two(&a, &b, &h, &shared_table);
	assert_int_equal(h.since_calls, 2); /* open went through load_since */
	assert_int_equal(cm_store_set_change_callback(b.store, count_change, &ch), CM_OK);

	/* A commits a client; B takes it in, with its index and audit. */
	assert_int_equal(cm_client_new(&ca, a.store), CM_OK);
	assert_int_equal(cm_client_set_text(ca, CM_CLIENT_FAMILY, "Shared"), CM_OK);
	assert_int_equal(cm_client_set_identifier(ca, "MRN", "R1"), CM_OK);
	strcpy(id, cm_client_id(ca));
	commit_client(a.store, ca, "alice");
	assert_int_equal(cm_client_find(&f, b.store, "MRN", "R1"), CM_ENOTFOUND);
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(ch.n, 1);
	assert_int_equal(ch.creates, 1);
	assert_int_equal(cm_client_find(&f, b.store, "MRN", "R1"), CM_OK);
	assert_string_equal(cm_client_id(f), id);
	assert_string_equal(cm_client_text(f, CM_CLIENT_FAMILY), "Shared");
	cm_client_free(f);
	assert_int_equal(audit_count(b.store, id), 1);
	assert_int_equal(cm__store_digest(b.store), cm__store_digest(a.store));

	/* B reads it; A changes it (moving the identifier); B refreshes. */
	assert_int_equal(cm_client_get(&cb, b.store, id), CM_OK);
	assert_int_equal(cm_client_set_identifier(ca, "MRN", "R2"), CM_OK);
	assert_int_equal(cm_client_set_status(ca, CM_CASE_ACTIVE, "enrolled"), CM_OK);
	commit_client(a.store, ca, "alice");
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(ch.updates, 1);
	assert_int_equal(cm_client_find(&f, b.store, "MRN", "R1"), CM_ENOTFOUND);
	assert_int_equal(cm_client_find(&f, b.store, "MRN", "R2"), CM_OK);
	assert_int_equal(cm_client_revision(f), 2);
	assert_int_equal(cm_client_status(f), CM_CASE_ACTIVE);
	cm_client_free(f);
	assert_int_equal(audit_count(b.store, id), 2);
	assert_int_equal(cm__store_digest(b.store), cm__store_digest(a.store));

	/* B's handle read before keeps its revision: its save is stale. */
	assert_int_equal(cm_client_revision(cb), 1);
	assert_int_equal(cm_client_set_text(cb, CM_CLIENT_GIVEN, "Stale"), CM_OK);
	before = cm__store_digest(b.store);
	assert_int_equal(cm_txn_begin(&t, b.store, "bob"), CM_OK);
	assert_int_equal(cm_client_save(t, cb), CM_ECONFLICT);
	/* A refresh with the transaction open on this thread. */
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_EBUSY);
	cm_txn_rollback(t);
	cm_client_free(cb);
	assert_int_equal(cm__store_digest(b.store), before);

	/* Nothing new: nothing changes. */
	changed = 99;
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(cm__store_digest(b.store), before);
	assert_int_equal(cm_store_refresh(NULL, b.store), CM_OK);
	assert_int_equal(ch.n, 2);

	/* B writes; its own records come back to it and change nothing;
	 * A takes them in. */
	assert_int_equal(cm_client_get(&cb, b.store, id), CM_OK);
	assert_int_equal(cm_client_set_text(cb, CM_CLIENT_GIVEN, "Fresh"), CM_OK);
	commit_client(b.store, cb, "bob");
	cm_client_free(cb);
	before = cm__store_digest(b.store);
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(cm__store_digest(b.store), before);
	assert_int_equal(cm_store_refresh(&changed, a.store), CM_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(cm__store_digest(a.store), before);
	assert_int_equal(audit_count(a.store, id), 3);
	/* A's stale handle (revision 2) is refused now. */
	assert_int_equal(cm_client_set_text(ca, CM_CLIENT_PHONE, "555"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, a.store, "alice"), CM_OK);
	assert_int_equal(cm_client_save(t, ca), CM_ECONFLICT);
	cm_txn_rollback(t);
	cm_client_free(ca);

	/* Reopening gives what the refreshed stores hold. */
	assert_int_equal(reopened_digest(&h), before);
	th_close(&a);
	th_close(&b);
	rows_free(h.rows, h.nrows);
}

static void test_refresh_failures(void **state)
{
	struct host h;
	struct th_env a, b, c;
	cm_storage v1 = shared_table;
	cm_client *ca;
	size_t changed = 99, rows;
	uint64_t before;
	char msg[256];
	(void)state;

	open_two(&a, &b, &h, &shared_table);
	assert_int_equal(cm_client_new(&ca, a.store), CM_OK);
	assert_int_equal(cm_client_set_text(ca, CM_CLIENT_FAMILY, "Fail"), CM_OK);
	assert_int_equal(cm_client_set_identifier(ca, "MRN", "F1"), CM_OK);
	commit_client(a.store, ca, "alice");
	cm_client_free(ca);
	before = cm__store_digest(b.store);
	rows = h.nrows;

	/* Each new row corrupt in turn: refused, nothing changes. */
	for (h.corrupt_row = 0; (size_t)h.corrupt_row < rows; h.corrupt_row++) {
		assert_int_equal(cm_store_refresh(&changed, b.store), CM_ECORRUPT);
		assert_int_equal(changed, 99);
		assert_int_equal(cm__store_digest(b.store), before);
	}
	h.corrupt_row = -1;

	/* The host fails: its message, nothing changes. */
	h.fail_since = 1;
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_ESTORAGE);
	cm_store_errmsg_copy(b.store, msg, sizeof(msg));
	assert_non_null(strstr(msg, "disk quota exceeded"));
	assert_int_equal(cm__store_digest(b.store), before);
	h.fail_since = 0;

	/* The marker did not move: everything comes in now. */
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(cm__store_digest(b.store), cm__store_digest(a.store));

	/* A version-1 table (no load_since member) and no storage at all. */
	v1.version = 1;
	v1.load_since = NULL;
	open_on(&c, &h, &v1);
	assert_int_equal(cm__store_digest(c.store), cm__store_digest(a.store));
	assert_int_equal(cm_store_refresh(&changed, c.store), CM_EUNSUPPORTED);
	th_close(&c);
	open_on(&c, &h, &host_table);
	assert_int_equal(cm_store_refresh(&changed, c.store), CM_EUNSUPPORTED);
	th_close(&c);
	th_open(&c);
	assert_int_equal(cm_store_refresh(&changed, c.store), CM_EUNSUPPORTED);
	th_close(&c);
	assert_int_equal(cm_store_refresh(&changed, NULL), CM_EINVAL);

	th_close(&a);
	th_close(&b);
	rows_free(h.rows, h.nrows);
}

/* Commit *out (a new plan for client_id when NULL) with title. */
static void commit_plan(cm_store *s, const char *client_id, cm_plan **out,
			const char *title)
{
	cm_txn *t;
	cm_plan *pl = *out;
	if (!pl) {
		assert_int_equal(cm_plan_new(&pl, s, client_id), CM_OK);
		assert_int_equal(cm_plan_set_text(pl, CM_PLAN_AUTHOR, "cm-ann"), CM_OK);
	}
	assert_int_equal(cm_plan_set_text(pl, CM_PLAN_TITLE, title), CM_OK);
	assert_int_equal(cm_txn_begin(&t, s, "cm-ann"), CM_OK);
	assert_int_equal(cm_plan_save(t, pl), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	*out = pl;
}

static void assert_plan_title(cm_store *s, const char *id, int64_t rev,
			      const char *title)
{
	cm_plan *pl;
	assert_int_equal(cm_plan_get_revision(&pl, s, id, rev), CM_OK);
	assert_int_equal(cm_plan_revision(pl), rev);
	assert_string_equal(cm_plan_text(pl, CM_PLAN_TITLE), title);
	cm_plan_free(pl);
}

static void test_refresh_kept_revisions(void **state)
{
	struct host h;
	struct th_env a, b;
	cm_client *c;
	cm_plan *p1 = NULL, *p2 = NULL, *stale;
	cm_txn *t;
	size_t changed = 0;
	char id1[40], id2[40], cid[40];
	(void)state;

	/* Plans keep every revision: B, holding revision 1 of one plan,
	 * takes in revisions 2..4 of it and a new plan at revision 2, and
	 * can read every revision of both. */
	memset(&h, 0, sizeof(h));
	h.corrupt_row = -1;
	open_on(&a, &h, &shared_table);
	assert_int_equal(cm_client_new(&c, a.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Planned"), CM_OK);
	strcpy(cid, cm_client_id(c));
	commit_client(a.store, c, "alice");
	cm_client_free(c);
	commit_plan(a.store, cid, &p1, "one");
	strcpy(id1, cm_plan_id(p1));
	open_on(&b, &h, &shared_table);
	assert_int_equal(cm_plan_get(&stale, b.store, id1), CM_OK);
	commit_plan(a.store, cid, &p1, "two");
	commit_plan(a.store, cid, &p1, "three");
	commit_plan(a.store, cid, &p1, "four");
	commit_plan(a.store, cid, &p2, "other one");
	strcpy(id2, cm_plan_id(p2));
	commit_plan(a.store, cid, &p2, "other two");
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 2);
	assert_plan_title(b.store, id1, 1, "one");
	assert_plan_title(b.store, id1, 2, "two");
	assert_plan_title(b.store, id1, 3, "three");
	assert_plan_title(b.store, id1, 4, "four");
	assert_plan_title(b.store, id2, 1, "other one");
	assert_plan_title(b.store, id2, 2, "other two");
	assert_int_equal(cm__store_digest(b.store), cm__store_digest(a.store));
	/* B's stale plan handle is refused; a fresh one commits on. */
	assert_int_equal(cm_plan_set_text(stale, CM_PLAN_TITLE, "stale"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, b.store, "bob"), CM_OK);
	assert_int_equal(cm_plan_save(t, stale), CM_ECONFLICT);
	cm_txn_rollback(t);
	cm_plan_free(stale);
	assert_int_equal(cm_plan_get(&stale, b.store, id1), CM_OK);
	commit_plan(b.store, cid, &stale, "five");
	assert_plan_title(b.store, id1, 4, "four");
	assert_plan_title(b.store, id1, 5, "five");
	cm_plan_free(stale);
	assert_int_equal(cm_store_refresh(&changed, a.store), CM_OK);
	assert_int_equal(changed, 1);
	assert_plan_title(a.store, id1, 5, "five");
	assert_int_equal(cm__store_digest(b.store), cm__store_digest(a.store));
	assert_int_equal(reopened_digest(&h), cm__store_digest(a.store));
	cm_plan_free(p1);
	cm_plan_free(p2);
	th_close(&a);
	th_close(&b);
	rows_free(h.rows, h.nrows);
}

static void test_refresh_alloc_sweep(void **state)
{
	long n;
	int done = 0;
	(void)state;

	/* B holds one client; A then creates two more and changes all three:
	 * B's refresh both inserts and replaces. Every allocation of it
	 * fails in turn: CM_ENOMEM, B unchanged, no leak, and a refresh
	 * afterwards takes everything in. */
	for (n = 1; !done; n++) {
		struct host h;
		struct th_env a, b;
		cm_client *x;
		cm_plan *pl;
		uint64_t before;
		size_t changed = 99;
		int rc;

		memset(&h, 0, sizeof(h));
		h.corrupt_row = -1;
		open_on(&a, &h, &shared_table);
		assert_int_equal(cm_client_new(&x, a.store), CM_OK);
		assert_int_equal(cm_client_set_text(x, CM_CLIENT_FAMILY, "X"), CM_OK);
		assert_int_equal(cm_client_set_identifier(x, "MRN", "X1"), CM_OK);
		commit_client(a.store, x, "alice");
		pl = NULL;
		commit_plan(a.store, cm_client_id(x), &pl, "one");
		open_on(&b, &h, &shared_table);
		assert_int_equal(scenario(&a), 2);
		assert_int_equal(cm_client_set_status(x, CM_CASE_ACTIVE, "go"), CM_OK);
		commit_client(a.store, x, "alice");
		commit_plan(a.store, NULL, &pl, "two");
		commit_plan(a.store, NULL, &pl, "three");
		cm_client_free(x);
		cm_plan_free(pl);

		before = cm__store_digest(b.store);
		b.alloc.fail_at = b.alloc.count + n;
		rc = cm_store_refresh(&changed, b.store);
		b.alloc.fail_at = 0;
		if (rc == CM_OK) {
			assert_int_equal(changed, 4);
			done = b.alloc.failures == 0;
		} else {
			assert_int_equal(rc, CM_ENOMEM);
			assert_int_equal(changed, 99);
			assert_int_equal(cm__store_digest(b.store), before);
			assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
			assert_int_equal(changed, 4);
		}
		assert_int_equal(cm__store_digest(b.store), cm__store_digest(a.store));
		th_close(&a);
		th_close(&b);
		rows_free(h.rows, h.nrows);
		assert_true(n < 100000);
	}
	print_message("  swept %ld allocation points\n", n - 1);
}

static void test_ids_after_reopen(void **state)
{
	struct host h;
	struct th_env env;
	cm_store_options o;
	cm_client *c;
	cm_txn *t;
	char first[40];
	int round;
	(void)state;

	/* Same id seed, same clock, reopened: new ids must not repeat a
	 * stored one, and sort after it (found by fuzz_load). The host keeps
	 * records only, so no stored log id moves the id clock. */
	memset(&h, 0, sizeof(h));
	h.corrupt_row = -1;
	h.drop_logs = 1;
	for (round = 0; round < 2; round++) {
		memset(&env, 0, sizeof(env));
		env.clock.now = TH_T0;
		th_options(&o, &env);
		o.id_seed = 4242;
		o.storage = &host_table;
		o.storage_ctx = &h;
		assert_int_equal(cm_store_open(&env.store, &o), CM_OK);
		assert_int_equal(cm_client_new(&c, env.store), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Again"), CM_OK);
		if (round == 0)
			strcpy(first, cm_client_id(c));
		else
			assert_true(strcmp(cm_client_id(c), first) > 0);
		assert_int_equal(cm_txn_begin(&t, env.store, "w"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		assert_int_equal(cm_txn_commit(t), CM_OK);
		cm_client_free(c);
		th_close(&env);
	}
	rows_free(h.rows, h.nrows);
}

/* Two stores on one shared table, and a client "Shared" committed by
 * alice on a: its id into cid. */
static void open_two_shared(struct th_env *a, struct th_env *b, struct host *h,
			    char cid[40])
{
	cm_client *c;

	open_two(a, b, h, &shared_table);
	assert_int_equal(cm_client_new(&c, a->store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Shared"), CM_OK);
	strcpy(cid, cm_client_id(c));
	commit_client(a->store, c, "alice");
	cm_client_free(c);
}

/* An amending event that refresh takes in from another store is known to
 * the amended event's timeline (its client's bucket is marked). */
static void test_refresh_amend(void **state)
{
	struct host h;
	struct th_env a, b;
	cm_event *e;
	cm_event_iter *it;
	cm_txn *t;
	size_t changed;
	char cid[40], e1[CM_ID_BUFSIZE], e2[40];
	int amended = 0;
	(void)state;

	open_two_shared(&a, &b, &h, cid);
	assert_int_equal(cm_txn_begin(&t, a.store, "alice"), CM_OK);
	assert_int_equal(cm_event_add(t, e1, sizeof(e1), cid, CM_EVENT_CONTACT, TH_T0, 1, "hi"), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	/* A amends it; B refreshes: its bucket must know. */
	assert_int_equal(cm_event_new(&e, a.store, cid, CM_EVENT_NOTE, TH_T0 + 5), CM_OK);
	assert_int_equal(cm_event_set_amends(e, e1), CM_OK);
	assert_int_equal(cm_txn_begin(&t, a.store, "alice"), CM_OK);
	assert_int_equal(cm_event_save(t, e), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	strcpy(e2, cm_event_id(e));
	cm_event_free(e);
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(cm_event_timeline(&it, b.store, cid, CM_TIME_NONE, CM_TIME_NONE, 0), CM_OK);
	while (cm_event_iter_next(&e, it) == CM_OK) {
		const char *ab = cm_event_iter_amended_by(it);
		if (ab && strcmp(ab, e2) == 0)
			amended++;
		cm_event_free(e);
	}
	cm_event_iter_free(it);
	assert_int_equal(amended, 1);
	th_close(&b);
	th_close(&a);
	rows_free(h.rows, h.nrows);
}

/* The amended_by link of event id on store s ("" if none). */
static void amended_by_on(char *out, cm_store *s, const char *cid, const char *id)
{
	cm_event_iter *it;
	cm_event *e;

	out[0] = '\0';
	assert_int_equal(cm_event_timeline(&it, s, cid, CM_TIME_NONE, CM_TIME_NONE, 0), CM_OK);
	while (cm_event_iter_next(&e, it) == CM_OK) {
		const char *ab = cm_event_iter_amended_by(it);
		if (strcmp(cm_event_id(e), id) == 0 && ab)
			strcpy(out, ab);
		cm_event_free(e);
	}
	cm_event_iter_free(it);
}

/* Commit on s an event of client cid at time t amending `amends` (NULL:
 * none); its id into id. */
static void commit_amendment(cm_store *s, const char *cid, int64_t t,
			     const char *amends, char *id)
{
	cm_event *e;
	cm_txn *txn;

	assert_int_equal(cm_event_new(&e, s, cid, CM_EVENT_NOTE, t), CM_OK);
	if (amends)
		assert_int_equal(cm_event_set_amends(e, amends), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, s, "alice"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	strcpy(id, cm_event_id(e));
	cm_event_free(e);
}

/* On both stores, event x of client cid has `want` as its latest
 * amendment. */
static void latest_on_both(cm_store *a, cm_store *b, const char *cid,
			   const char *x, const char *want)
{
	char by[CM_ID_BUFSIZE];

	amended_by_on(by, a, cid, x);
	assert_string_equal(by, want);
	amended_by_on(by, b, cid, x);
	assert_string_equal(by, want);
}

/* Storage may hold anything, in any order: a refresh can bring an
 * amendment before the event it amends. Once that event is there, its
 * latest amendment is the last of its client's events (by time, then id)
 * amending it, whichever refresh brought each. */
static void test_refresh_amendment_first(void **state)
{
	struct host h;
	struct th_env a, b;
	size_t changed, keep, i;
	char cid[40], x[CM_ID_BUFSIZE], a1[CM_ID_BUFSIZE], a2[CM_ID_BUFSIZE];
	char by[CM_ID_BUFSIZE];
	struct row tmp[2];
	(void)state;

	open_two_shared(&a, &b, &h, cid);
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	keep = h.nrows;
	/* X, then A1 (later) amending it: two rows each (the event, its
	 * transaction's log), stored the other way round. */
	commit_amendment(a.store, cid, TH_T0, NULL, x);
	commit_amendment(a.store, cid, TH_T0 + 10, x, a1);
	assert_int_equal(h.nrows, keep + 4);
	memcpy(tmp, &h.rows[keep], sizeof(tmp));
	memmove(&h.rows[keep], &h.rows[keep + 2], sizeof(tmp));
	memcpy(&h.rows[keep + 2], tmp, sizeof(tmp));
	for (i = keep; i < keep + 4; i += 2)
		assert_int_equal(h.rows[i].kind, CM_KIND_EVENT);
	assert_string_equal(h.rows[keep].id, a1);
	/* B takes in A1 alone, then X. */
	h.nrows = keep + 2;
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 1);
	h.nrows = keep + 4;
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 1);
	latest_on_both(a.store, b.store, cid, x, a1);
	/* A2, earlier than A1, amends X too: A1 stays the latest. */
	commit_amendment(a.store, cid, TH_T0 + 5, x, a2);
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 1);
	latest_on_both(a.store, b.store, cid, x, a1);
	/* B reopened from the same storage agrees. */
	th_close(&b);
	open_on(&b, &h, &shared_table);
	amended_by_on(by, b.store, cid, x);
	assert_string_equal(by, a1);
	th_close(&b);
	th_close(&a);
	rows_free(h.rows, h.nrows);
}

/* A refresh takes each transaction into the audit trail once: the
 * store's own transactions come back to it from storage, a storage may
 * emit a log twice, and many transactions come at once (each log is
 * looked up by its id, not searched for). */
static void test_refresh_known_logs(void **state)
{
	struct host h;
	struct th_env a, b;
	cm_txn *t;
	size_t changed;
	uint64_t da;
	char cid[40];
	int i;
	(void)state;

	open_two_shared(&a, &b, &h, cid);
	h.dup_logs = 1;
	for (i = 0; i < 60; i++) {
		assert_int_equal(cm_txn_begin(&t, a.store, i % 2 ? "alice" : "ann"), CM_OK);
		assert_int_equal(cm_event_add(t, NULL, 0, cid, CM_EVENT_CONTACT,
					      TH_T0 + i, 1, "call"), CM_OK);
		assert_int_equal(cm_txn_commit(t), CM_OK);
	}
	da = cm__store_digest(a.store);
	assert_int_equal(audit_count(a.store, NULL), 61);
	/* B takes in A's 61 transactions, each log twice in the batch. */
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 61);
	assert_int_equal(audit_count(b.store, NULL), 61);
	assert_int_equal(cm__store_digest(b.store), da);
	/* A reads its own 61 back (twice each): nothing changes. */
	assert_int_equal(cm_store_refresh(&changed, a.store), CM_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(cm__store_digest(a.store), da);
	/* B commits; both refresh; the logs of both stay once each. */
	assert_int_equal(cm_txn_begin(&t, b.store, "bob"), CM_OK);
	assert_int_equal(cm_event_add(t, NULL, 0, cid, CM_EVENT_NOTE, TH_T0 + 99, 1,
				      "note"), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_store_refresh(&changed, b.store), CM_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(cm_store_refresh(&changed, a.store), CM_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(audit_count(a.store, NULL), 62);
	assert_int_equal(cm__store_digest(a.store), cm__store_digest(b.store));
	/* Opened from it, logs twice each too: each is in the trail once. */
	assert_int_equal(reopened_digest(&h), cm__store_digest(a.store));
	h.dup_logs = 0;
	assert_int_equal(reopened_digest(&h), cm__store_digest(a.store));
	th_close(&a);
	th_close(&b);
	rows_free(h.rows, h.nrows);
}

/* ---- revisions beyond an audit word ------------------------------------ */

/* Restamp what h holds of client id as its revision rev: its record's row
 * and every log entry naming it (storage may hold any revision). */
static void restamp(cm_store *s, struct host *h, const char *id, int64_t rev)
{
	size_t i;
	uint32_t j;

	for (i = 0; i < h->nrows; i++) {
		struct row *w = &h->rows[i];
		struct cm__buf b = { 0 };
		struct cm__rec *r;
		int hit = 0;
		assert_int_equal(cm__rec_decode(s, w->bytes, w->len, &r), CM_OK);
		if (w->kind == CM_KIND_TXNLOG) {
			struct cm__txnrec *t = (struct cm__txnrec *)(void *)r;
			for (j = 0; j < t->entries.count; j++) {
				struct cm__logentry *e = CM__LIST_AT(&t->entries,
								      struct cm__logentry, j);
				if (strcmp(e->id, id) == 0) {
					e->revision = rev;
					hit = 1;
				}
			}
		} else if (w->kind == CM_KIND_CLIENT && strcmp(w->id, id) == 0) {
			r->revision = rev;
			w->rev = rev;
			hit = 1;
		}
		if (hit) {
			assert_int_equal(cm__rec_encode(s, cm__kind_get(r->kind), r, &b),
					 CM_OK);
			free(w->bytes);
			w->bytes = malloc(b.len);
			memcpy(w->bytes, b.data, b.len);
			w->len = b.len;
			cm__buf_free(s, &b);
		}
		cm__rec_release(s, r);
	}
}

/* The audit entries of record id on s are these revisions, the first a
 * create and the others updates. */
static void assert_revisions(cm_store *s, const char *id, const int64_t *revs,
			     size_t n)
{
	cm_audit_iter *it;
	size_t i;

	assert_int_equal(cm_audit_query(&it, s, id, NULL, CM_TIME_NONE, CM_TIME_NONE),
			 CM_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(cm_audit_iter_next(it), CM_OK);
		assert_true(cm_audit_iter_revision(it) == revs[i]);
		assert_int_equal(cm_audit_iter_action(it),
				 i ? CM_ACTION_UPDATE : CM_ACTION_CREATE);
		assert_string_equal(cm_audit_iter_record_id(it), id);
	}
	assert_int_equal(cm_audit_iter_next(it), CM_ITEROVER);
	cm_audit_iter_free(it);
}

/* Change client id on s and commit it, with every allocation of the
 * commit failing in turn first: CM_ENOMEM and nothing changed, until it
 * succeeds. */
static void update_swept(struct th_env *env, const char *id, const char *family)
{
	cm_client *c;
	cm_txn *t;
	long n;
	int rc;

	assert_int_equal(cm_client_get(&c, env->store, id), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, family), CM_OK);
	for (n = 1;; n++) {
		uint64_t before = cm__store_digest(env->store);
		assert_int_equal(cm_txn_begin(&t, env->store, "bob"), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		env->alloc.fail_at = env->alloc.count + n;
		rc = cm_txn_commit(t);
		env->alloc.fail_at = 0;
		if (rc == CM_OK)
			break;
		assert_int_equal(rc, CM_ENOMEM);
		assert_int_equal(cm__store_digest(env->store), before);
		assert_true(n < 1000);
	}
	cm_client_free(c);
}

/* An audit entry keeps any revision storage or commits give it: the
 * largest an audit word holds (CM__AUDIT_REV_MAX), the next, and far
 * beyond, whether loaded at open, committed or taken in by a refresh. */
/* A record stored at the last revision there can be (only storage written
 * by hand holds one): changing it is refused with CM_ERANGE, changing
 * nothing, instead of overflowing its revision at commit. */
static void test_last_revision(void **state)
{
	struct host h;
	struct th_env a, b;
	cm_client *x;
	cm_txn *t;
	char xid[40];
	uint64_t before;
	(void)state;

	memset(&h, 0, sizeof(h));
	h.corrupt_row = -1;
	open_on(&a, &h, &shared_table);
	assert_int_equal(cm_client_new(&x, a.store), CM_OK);
	assert_int_equal(cm_client_set_text(x, CM_CLIENT_FAMILY, "Last"), CM_OK);
	strcpy(xid, cm_client_id(x));
	TH_COMMIT1(a.store, "alice", cm_client_save, x);
	cm_client_free(x);
	restamp(a.store, &h, xid, INT64_MAX);

	open_on(&b, &h, &shared_table);
	before = cm__store_digest(b.store);
	assert_int_equal(cm_client_get(&x, b.store, xid), CM_OK);
	assert_int_equal(cm_client_revision(x), INT64_MAX);
	assert_int_equal(cm_client_set_text(x, CM_CLIENT_FAMILY, "Next"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, b.store, "bob"), CM_OK);
	assert_int_equal(cm_client_save(t, x), CM_ERANGE);
	assert_non_null(strstr(cm_store_errmsg(b.store), "last revision"));
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm__store_digest(b.store), before);
	cm_client_free(x);
	th_close(&a);
	th_close(&b);
	rows_free(h.rows, h.nrows);
}

static void test_audit_wide_revisions(void **state)
{
	/* y's commits outgrow the room its load took (8 wide entries). */
	enum { YN = 12 };
	const int64_t r1 = CM__AUDIT_REV_MAX - 1, r2 = INT64_C(1) << 40;
	const int64_t xrevs[] = { r1, r1 + 1, r1 + 2 }, xa[] = { 1, r1 + 1, r1 + 2 };
	int64_t yrevs[YN], ya[YN];
	struct host h;
	struct th_env a, b, c;
	cm_client *x, *y;
	cm_txn *t;
	size_t changed, k;
	char xid[40], yid[40];
	(void)state;

	for (k = 0; k < YN; k++)
		yrevs[k] = ya[k] = r2 + (int64_t)k;
	ya[0] = 1;

	memset(&h, 0, sizeof(h));
	h.corrupt_row = -1;
	open_on(&a, &h, &shared_table);
	assert_int_equal(cm_client_new(&x, a.store), CM_OK);
	assert_int_equal(cm_client_set_text(x, CM_CLIENT_FAMILY, "Narrow"), CM_OK);
	assert_int_equal(cm_client_new(&y, a.store), CM_OK);
	assert_int_equal(cm_client_set_text(y, CM_CLIENT_FAMILY, "Wide"), CM_OK);
	strcpy(xid, cm_client_id(x));
	strcpy(yid, cm_client_id(y));
	assert_int_equal(cm_txn_begin(&t, a.store, "alice"), CM_OK);
	assert_int_equal(cm_client_save(t, x), CM_OK);
	assert_int_equal(cm_client_save(t, y), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	cm_client_free(x);
	cm_client_free(y);
	restamp(a.store, &h, xid, r1);
	restamp(a.store, &h, yid, r2);

	/* Loaded at open: x's entry fits a word, y's does not. */
	open_on(&b, &h, &shared_table);
	assert_revisions(b.store, xid, xrevs, 1);
	assert_revisions(b.store, yid, yrevs, 1);
	/* Committed: x to the largest revision a word holds and past it. */
	update_swept(&b, xid, "Narrow 2");
	update_swept(&b, xid, "Narrow 3");
	for (k = 1; k < YN; k++)
		update_swept(&b, yid, k & 1 ? "Wide" : "Wide again");
	assert_revisions(b.store, xid, xrevs, 3);
	assert_revisions(b.store, yid, yrevs, YN);

	/* Taken in by a refresh, after A's own entries of revision 1. */
	assert_int_equal(cm_store_refresh(&changed, a.store), CM_OK);
	assert_int_equal(changed, 2);
	assert_revisions(a.store, xid, xa, 3);
	assert_revisions(a.store, yid, ya, YN);

	/* Reopened, the trail is B's, entry for entry. */
	open_on(&c, &h, &host_table);
	assert_revisions(c.store, xid, xrevs, 3);
	assert_revisions(c.store, yid, yrevs, YN);
	assert_int_equal(cm__store_digest(c.store), cm__store_digest(b.store));
	th_close(&a);
	th_close(&b);
	th_close(&c);
	rows_free(h.rows, h.nrows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_fail_each_callback),
		cmocka_unit_test(test_failure_codes_and_messages),
		cmocka_unit_test(test_stale_write_refused),
		cmocka_unit_test(test_open_refusals),
		cmocka_unit_test(test_load_failure),
		cmocka_unit_test(test_load_contradiction),
		cmocka_unit_test(test_alloc_sweep_with_storage),
		cmocka_unit_test(test_ids_after_reopen),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_refresh_failures),
		cmocka_unit_test(test_refresh_kept_revisions),
		cmocka_unit_test(test_refresh_alloc_sweep),
		cmocka_unit_test(test_refresh_amend),
		cmocka_unit_test(test_refresh_amendment_first),
		cmocka_unit_test(test_refresh_known_logs),
		cmocka_unit_test(test_audit_wide_revisions),
		cmocka_unit_test(test_last_revision),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
