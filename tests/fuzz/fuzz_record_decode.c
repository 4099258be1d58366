/*
 * fuzz_record_decode: arbitrary bytes into the record decoder.
 *
 * Properties: decoding never crashes or leaks; a refusal is CM_ECORRUPT or
 * CM_EVERSION with a message; a record that decodes re-encodes to bytes
 * that decode to the same record (equal cm__rec_digest), and that second
 * encoding is a fixed point (encode(decode(encode(r))) == encode(r)).
 */
#include "fuzz.h"
#include "store/codec.h"

static cm_store *store(void)
{
	static cm_store *s;
	if (!s) {
		cm_store_options o;
		fz_options(&o);
		FZ_CHECK(cm_store_open(&s, &o) == CM_OK);
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cm_store *s = store();
	struct cm__rec *r = NULL, *r2 = NULL;
	struct cm__buf b1 = { 0 }, b2 = { 0 };
	const struct cm__kind *k;
	int rc;

	rc = cm__rec_decode(s, data, size, &r);
	if (rc != CM_OK) {
		FZ_CHECK(rc == CM_ECORRUPT || rc == CM_EVERSION);
		FZ_CHECK(cm_store_errmsg(s)[0] != '\0');
		return 0;
	}
	k = cm__kind_get(r->kind);
	FZ_CHECK(k != NULL);
	FZ_CHECK(cm__rec_encode(s, k, r, &b1) == CM_OK);
	rc = cm__rec_decode(s, b1.data, b1.len, &r2);
	if (rc != CM_OK)
		fprintf(stderr, "re-encoded record refused: %s\n", cm_store_errmsg(s));
	FZ_CHECK(rc == CM_OK);
	FZ_CHECK(cm__rec_digest(k, r, 0) == cm__rec_digest(k, r2, 0));
	FZ_CHECK(cm__rec_encode(s, k, r2, &b2) == CM_OK);
	FZ_CHECK(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
	cm__buf_free(s, &b1);
	cm__buf_free(s, &b2);
	cm__rec_release(s, r);
	cm__rec_release(s, r2);
	return 0;
}
