/*
 * Storage callbacks: a host storage kept in memory by this test, with a
 * failure injected at every callback position of a scenario. After each
 * failure the store in memory and the storage must both be exactly as they
 * were before the failing commit, and reopening from the storage must give
 * back exactly the live store.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

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

static int h_load(void *ctx, cm_storage_emit_fn emit, void *ectx)
{
	struct host *h = ctx;
	size_t i;
	for (i = 0; i < h->nrows; i++) {
		int rc;
		if ((int)i == h->corrupt_row) {
			h->rows[i].bytes[h->rows[i].len / 2] ^= 0x10;
			rc = emit(ectx, h->rows[i].bytes, h->rows[i].len);
			h->rows[i].bytes[h->rows[i].len / 2] ^= 0x10;
		} else {
			rc = emit(ectx, h->rows[i].bytes, h->rows[i].len);
		}
		if (rc)
			return rc;
	}
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
	h_close, h_errmsg
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
	memset(&h, 0, sizeof(h));
	h.corrupt_row = -1;
	open_on(&a, &h, &host_table);
	open_on(&b, &h, &host_table);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
