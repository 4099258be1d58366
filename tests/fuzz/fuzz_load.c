/*
 * fuzz_load: bytes as a stored database, fed to cm_store_open through a
 * cm_storage load callback.
 *
 * Input: one flags byte, then records, each a 16-bit little-endian length
 * and that many bytes (a short last record takes what is left).
 * Flags bit 0: the load callback reports a failure of its own after
 * feeding every record.
 *
 * Properties: never a crash or leak; open returns CM_OK or one of its
 * documented codes (CM_ECORRUPT, CM_EVERSION, CM_ESTORAGE, CM_ENOMEM) with
 * a message in errbuf; a load failure the host reports comes back as
 * CM_ESTORAGE (unless a record failed first); the storage's close callback
 * runs exactly once, whether open failed or not. A store that opened is
 * consistent: every listed client and the audit trail can be read, and a
 * new transaction commits through the storage.
 */
#include "fuzz.h"

struct host {
	const uint8_t *data;
	size_t size;
	int fail_load;
	int closes;
	int puts;
};

static int h_load(void *ctx, cm_storage_emit_fn emit, void *emit_ctx)
{
	struct host *h = ctx;
	const uint8_t *p = h->data, *end = h->data + h->size;
	int rc;

	while (p < end) {
		size_t len;
		if (end - p < 2) {
			len = (size_t)(end - p);
		} else {
			len = (size_t)p[0] | (size_t)p[1] << 8;
			p += 2;
			if (len > (size_t)(end - p))
				len = (size_t)(end - p);
		}
		if ((rc = emit(emit_ctx, p, len)) != 0) {
			FZ_CHECK(rc < 0);
			return rc;
		}
		p += len;
	}
	return h->fail_load ? -1 : 0;
}

static int h_put(void *ctx, int32_t kind, const char *id, int64_t revision,
		 int64_t prev, const void *bytes, size_t len)
{
	struct host *h = ctx;
	FZ_CHECK(id && bytes && len >= 9 && revision == prev + 1);
	FZ_CHECK(kind > 0);
	h->puts++;
	return 0;
}

static int h_close(void *ctx)
{
	((struct host *)ctx)->closes++;
	return 0;
}

static const char *h_errmsg(void *ctx)
{
	(void)ctx;
	return "fuzz host: load failed";
}

static const cm_storage table = {
	CM_STORAGE_VERSION, NULL, h_put, NULL, NULL, h_load, h_close, h_errmsg
};

static void exercise(cm_store *s, struct host *h)
{
	cm_client_iter *it;
	cm_client *c;
	cm_audit_iter *ai;
	cm_txn *txn;
	size_t n = 0;
	int rc;

	FZ_CHECK(cm_client_list(&it, s, 0, NULL, NULL) == CM_OK);
	while ((rc = cm_client_iter_next(&c, it)) == CM_OK) {
		cm_client *again;
		FZ_CHECK(cm_client_get(&again, s, cm_client_id(c)) == CM_OK);
		FZ_CHECK(cm_client_revision(again) == cm_client_revision(c));
		cm_client_free(again);
		cm_client_free(c);
		n++;
	}
	FZ_CHECK(rc == CM_ITEROVER);
	FZ_CHECK(n == cm_client_iter_count(it));
	cm_client_iter_free(it);

	FZ_CHECK(cm_audit_query(&ai, s, NULL, NULL, CM_TIME_NONE, CM_TIME_NONE) == CM_OK);
	while (cm_audit_iter_next(ai) == CM_OK)
		FZ_CHECK(cm_audit_iter_record_id(ai) != NULL);
	cm_audit_iter_free(ai);

	/* A write after the load: the indexes built at load must accept it. */
	FZ_CHECK(cm_txn_begin(&txn, s, "fuzz") == CM_OK);
	FZ_CHECK(cm_client_new(&c, s) == CM_OK);
	FZ_CHECK(cm_client_set_text(c, CM_CLIENT_FAMILY, "Fuzz") == CM_OK);
	FZ_CHECK(cm_client_set_text(c, CM_CLIENT_GIVEN, "Load") == CM_OK);
	FZ_CHECK(cm_client_save(txn, c) == CM_OK);
	rc = cm_txn_commit(txn);
	if (rc != CM_OK)
		fprintf(stderr, "commit after load: %s\n", cm_store_errmsg(s));
	FZ_CHECK(rc == CM_OK);
	FZ_CHECK(h->puts >= 2); /* the client and the transaction log */
	cm_client_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host h = { 0 };
	cm_store_options o;
	cm_store *s = NULL;
	char err[256] = "";
	int rc;

	if (size == 0)
		return 0;
	h.fail_load = data[0] & 1;
	h.data = data + 1;
	h.size = size - 1;
	fz_options(&o);
	o.storage = &table;
	o.storage_ctx = &h;
	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	rc = cm_store_open(&s, &o);
	if (rc != CM_OK) {
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "open: %s: %s\n", cm_error_name(rc), err);
		FZ_CHECK(rc == CM_ECORRUPT || rc == CM_EVERSION ||
			 rc == CM_ESTORAGE || rc == CM_ENOMEM);
		FZ_CHECK(err[0] != '\0');
		FZ_CHECK(h.closes == 1);
		return 0;
	}
	FZ_CHECK(!h.fail_load);
	exercise(s, &h);
	cm_store_close(s);
	FZ_CHECK(h.closes == 1);
	return 0;
}
