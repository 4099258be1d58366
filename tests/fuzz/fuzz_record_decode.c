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

static void one(const uint8_t *data, size_t size);

/* Each input twice: as it is, and (when its checksum is wrong) with the
 * CRC-32C fixed, so that mutations reach the decoder behind the checksum. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;
	uint32_t crc;

	one(data, size);
	if (size < 9)
		return 0;
	crc = cm_crc32c(0, data, size - 4);
	if (data[size - 4] == (uint8_t)crc && data[size - 3] == (uint8_t)(crc >> 8) &&
	    data[size - 2] == (uint8_t)(crc >> 16) && data[size - 1] == (uint8_t)(crc >> 24))
		return 0;
	if (!(fixed = malloc(size)))
		return 0;
	memcpy(fixed, data, size - 4);
	fixed[size - 4] = (uint8_t)crc;
	fixed[size - 3] = (uint8_t)(crc >> 8);
	fixed[size - 2] = (uint8_t)(crc >> 16);
	fixed[size - 1] = (uint8_t)(crc >> 24);
	one(fixed, size);
	free(fixed);
	return 0;
}

static void one(const uint8_t *data, size_t size)
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
		return;
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
}
