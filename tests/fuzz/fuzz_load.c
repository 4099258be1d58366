/*
 * fuzz_load: bytes as a stored database, fed to cm_store_open through a
 * cm_storage load callback.
 *
 * Input: one flags byte, then records, each a 16-bit little-endian length
 * and that many bytes (a short last record takes what is left).
 * Flags bit 0: the load callback reports a failure of its own after
 * feeding every record. Bit 1: the host fixes each record's CRC-32C before
 * feeding it, so that mutations reach the decoder and the loader behind
 * the checksum.
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
	int fix_crc;
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
		if (h->fix_crc && len >= 9) {
			uint8_t *copy = malloc(len);
			uint32_t crc = cm_crc32c(0, p, len - 4);
			FZ_CHECK(copy != NULL);
			memcpy(copy, p, len - 4);
			copy[len - 4] = (uint8_t)crc;
			copy[len - 3] = (uint8_t)(crc >> 8);
			copy[len - 2] = (uint8_t)(crc >> 16);
			copy[len - 1] = (uint8_t)(crc >> 24);
			rc = emit(emit_ctx, copy, len);
			free(copy);
		} else {
			rc = emit(emit_ctx, p, len);
		}
		if (rc != 0) {
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
	.version = CM_STORAGE_VERSION,
	.put = h_put,
	.load = h_load,
	.close = h_close,
	.errmsg = h_errmsg,
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
		cm_service_iter *si;
		cm_service *sv;
		cm_event_iter *ei;
		cm_event *ev;
		FZ_CHECK(cm_client_get(&again, s, cm_client_id(c)) == CM_OK);
		FZ_CHECK(cm_client_revision(again) == cm_client_revision(c));
		cm_client_free(again);
		/* The per-client indexes built at load lead to loaded records. */
		FZ_CHECK(cm_service_list(&si, s, cm_client_id(c)) == CM_OK);
		while (cm_service_iter_next(&sv, si) == CM_OK) {
			FZ_CHECK(strcmp(cm_service_client_id(sv), cm_client_id(c)) == 0);
			cm_service_free(sv);
		}
		cm_service_iter_free(si);
		FZ_CHECK(cm_event_timeline(&ei, s, cm_client_id(c), CM_TIME_NONE,
					   CM_TIME_NONE, 0) == CM_OK);
		while (cm_event_iter_next(&ev, ei) == CM_OK) {
			FZ_CHECK(strcmp(cm_event_client_id(ev), cm_client_id(c)) == 0);
			cm_event_free(ev);
		}
		cm_event_iter_free(ei);
		cm_client_free(c);
		n++;
	}
	FZ_CHECK(rc == CM_ITEROVER);
	FZ_CHECK(n == cm_client_iter_count(it));
	cm_client_iter_free(it);

	{
		cm_caseload_iter *cl;
		cm_worklist *wl;
		FZ_CHECK(cm_caseload_list(&cl, s) == CM_OK);
		while (cm_caseload_iter_next(cl) == CM_OK)
			FZ_CHECK(cm_caseload_iter_manager(cl) != NULL);
		cm_caseload_iter_free(cl);
		FZ_CHECK(cm_worklist_query(&wl, s, NULL, 20780, 30, 0, 0, 0) == CM_OK);
		while (cm_worklist_next(wl) == CM_OK)
			FZ_CHECK(cm_worklist_client_id(wl) != NULL);
		cm_worklist_free(wl);
	}

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
	h.fix_crc = (data[0] >> 1) & 1;
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
