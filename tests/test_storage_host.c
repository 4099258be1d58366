/*
 * Host storage callbacks seen from the host's side (casemgr/storage.h): a
 * store on an empty storage, a round trip through put and load, a refused
 * write passed through as CM_ECONFLICT, a corrupt stored record refused at
 * open. The storage here is a plain array of records in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct memrec {
	int32_t kind;
	char id[80];
	int64_t revision;
	unsigned char *bytes;
	size_t len;
};

struct memstore {
	struct memrec recs[64];
	size_t n, committed;    /* rows; rows made durable by commit */
	int begins, commits, rollbacks, closes;
	int refuse_put;         /* put returns this when not 0 */
};

static int ms_begin(void *ctx)
{
	struct memstore *m = ctx;

	m->begins++;
	m->n = m->committed;
	return 0;
}

static int ms_put(void *ctx, int32_t kind, const char *id, int64_t revision,
		  int64_t prev_revision, const void *bytes, size_t len)
{
	struct memstore *m = ctx;
	struct memrec *r;

	(void)prev_revision;
	if (m->refuse_put)
		return m->refuse_put;
	assert_true(m->n < 64);
	r = &m->recs[m->n++];
	r->kind = kind;
	strncpy(r->id, id, sizeof(r->id) - 1);
	r->id[sizeof(r->id) - 1] = '\0';
	r->revision = revision;
	r->bytes = malloc(len);
	assert_non_null(r->bytes);
	memcpy(r->bytes, bytes, len);
	r->len = len;
	return 0;
}

static int ms_commit(void *ctx)
{
	struct memstore *m = ctx;

	m->commits++;
	m->committed = m->n;
	return 0;
}

static int ms_rollback(void *ctx)
{
	struct memstore *m = ctx;

	m->rollbacks++;
	while (m->n > m->committed)
		free(m->recs[--m->n].bytes);
	return 0;
}

static int ms_load(void *ctx, cm_storage_emit_fn emit, void *emit_ctx)
{
	struct memstore *m = ctx;
	size_t i;
	int rc;

	for (i = 0; i < m->committed; i++)
		if ((rc = emit(emit_ctx, m->recs[i].bytes, m->recs[i].len)) != 0)
			return rc;
	return 0;
}

static int ms_close(void *ctx)
{
	((struct memstore *)ctx)->closes++;
	return 0;
}

static const char *ms_errmsg(void *ctx)
{
	(void)ctx;
	return "the host says no";
}

static const cm_storage memstorage = {
	CM_STORAGE_VERSION, ms_begin, ms_put, ms_commit, ms_rollback, ms_load,
	ms_close, ms_errmsg,
};

static void ms_free(struct memstore *m)
{
	while (m->n)
		free(m->recs[--m->n].bytes);
}

static int open_on(cm_store **s, struct memstore *m, char *err, size_t size)
{
	cm_store_options o = CM_STORE_OPTIONS_INIT;

	o.storage = &memstorage;
	o.storage_ctx = m;
	o.errbuf = err;
	o.errbuf_size = size;
	return cm_store_open(s, &o);
}

static void add_client(cm_store *s, const char *family, const char *mrn,
		       char *id_out, size_t size)
{
	cm_client *c;
	cm_txn *t;

	assert_int_equal(cm_client_new(&c, s), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, family), CM_OK);
	assert_int_equal(cm_client_set_identifier(c, "MRN", mrn), CM_OK);
	assert_int_equal(cm_txn_begin(&t, s, "tester"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	if (id_out)
		strncpy(id_out, cm_client_id(c), size - 1);
	cm_client_free(c);
}

/* An empty storage (the first open of a new database) opens an empty
 * store; under UBSan this also checks that nothing sorts a NULL array. */
static void test_empty_storage(void **state)
{
	struct memstore m;
	cm_store *s;
	cm_client *c;
	char err[128] = "";
	(void)state;

	memset(&m, 0, sizeof(m));
	assert_int_equal(open_on(&s, &m, err, sizeof(err)), CM_OK);
	assert_int_equal(cm_client_find(&c, s, "MRN", "MRN1"), CM_ENOTFOUND);
	cm_store_close(s);
	assert_int_equal(m.closes, 1);
}

/* Everything put and committed comes back through load. */
static void test_round_trip(void **state)
{
	struct memstore m;
	cm_store *s;
	cm_client *c;
	char err[128] = "", id[80] = "";
	(void)state;

	memset(&m, 0, sizeof(m));
	assert_int_equal(open_on(&s, &m, err, sizeof(err)), CM_OK);
	add_client(s, "Rivera", "MRN1", id, sizeof(id));
	assert_int_equal(m.begins, 1);
	assert_int_equal(m.commits, 1);
	assert_int_equal(m.committed, 2); /* the client and the transaction log */
	assert_int_equal(m.recs[0].kind, CM_KIND_CLIENT);
	assert_string_equal(m.recs[0].id, id);
	assert_int_equal(m.recs[1].kind, CM_KIND_TXNLOG);
	cm_store_close(s);

	assert_int_equal(open_on(&s, &m, err, sizeof(err)), CM_OK);
	assert_int_equal(cm_client_find(&c, s, "MRN", "MRN1"), CM_OK);
	assert_string_equal(cm_client_id(c), id);
	assert_int_equal(cm_client_revision(c), 1);
	assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), "Rivera");
	cm_client_free(c);
	cm_store_close(s);
	assert_int_equal(m.closes, 2);
	ms_free(&m);
}

/* A put refused with CM_ECONFLICT: the commit fails with that code and the
 * host's message, storage is rolled back, memory is unchanged. */
static void test_refused_put(void **state)
{
	struct memstore m;
	cm_store *s;
	cm_client *c;
	cm_txn *t;
	char err[128] = "";
	(void)state;

	memset(&m, 0, sizeof(m));
	assert_int_equal(open_on(&s, &m, err, sizeof(err)), CM_OK);
	m.refuse_put = CM_ECONFLICT;
	assert_int_equal(cm_client_new(&c, s), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Okafor"), CM_OK);
	assert_int_equal(cm_client_set_identifier(c, "MRN", "MRN2"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, s, "tester"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_ECONFLICT);
	assert_non_null(strstr(cm_store_errmsg(s), "the host says no"));
	assert_int_equal(m.rollbacks, 1);
	assert_int_equal(m.commits, 0);
	assert_int_equal(cm_client_revision(c), 0);
	cm_client_free(c);
	assert_int_equal(cm_client_find(&c, s, "MRN", "MRN2"), CM_ENOTFOUND);

	m.refuse_put = 1; /* any other failure: CM_ESTORAGE */
	assert_int_equal(cm_client_new(&c, s), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Okafor"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, s, "tester"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_ESTORAGE);
	cm_client_free(c);
	cm_store_close(s);
	ms_free(&m);
}

/* A stored record whose bytes were damaged is refused at open with
 * CM_ECORRUPT and a message in errbuf; the close callback still runs. */
static void test_corrupt_record(void **state)
{
	struct memstore m;
	cm_store *s = NULL;
	char err[256] = "";
	(void)state;

	memset(&m, 0, sizeof(m));
	assert_int_equal(open_on(&s, &m, err, sizeof(err)), CM_OK);
	add_client(s, "Rivera", "MRN1", NULL, 0);
	cm_store_close(s);
	s = NULL;
	m.recs[0].bytes[m.recs[0].len / 2] ^= 0x40;
	assert_int_equal(open_on(&s, &m, err, sizeof(err)), CM_ECORRUPT);
	assert_null(s);
	assert_true(err[0] != '\0');
	assert_int_equal(m.closes, 2);
	ms_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_storage),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused_put),
		cmocka_unit_test(test_corrupt_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
