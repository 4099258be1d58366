/*
 * Loading a store back from host storage (cm_storage load), and how host
 * callback failures are reported. Regression tests for bugs the fuzz
 * harness (tests/fuzz/fuzz_load.c) found:
 *   - a store holding an event or a service failed to load (CM_ENOTFOUND:
 *     the loader did not let kinds find the clients loaded alongside);
 *   - a callback returning -1 surfaced as CM_EINVAL instead of the
 *     documented CM_ESTORAGE;
 *   - loading an empty store passed NULL to qsort (undefined behaviour,
 *     reported by UBSan in the asan build);
 *   - wire type 3 (absent text), part of encoding version 1 in
 *     casemgr/storage.h, was refused as an unknown wire type;
 *   - stored records that contradict each other other than by a duplicate
 *     identifier (an event whose client is not stored) failed with
 *     CM_ENOTFOUND instead of the documented CM_ECORRUPT.
 * (Decoder findings are kept as regress-* inputs in tests/fuzz/corpus/.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "event/event_impl.h"
#include "store/codec.h"

/* A memory host: every put kept, load feeds them back. */
struct host {
	struct { unsigned char *p; size_t n; } recs[64];
	size_t nrecs;
	int put_rc;  /* returned by put when non-zero */
	int load_rc; /* returned by load after feeding everything */
	int closes;
};

static int h_put(void *ctx, int32_t kind, const char *id, int64_t rev,
		 int64_t prev, const void *bytes, size_t len)
{
	struct host *h = ctx;
	(void)kind, (void)id, (void)rev, (void)prev;
	if (h->put_rc)
		return h->put_rc;
	assert_true(h->nrecs < 64);
	h->recs[h->nrecs].p = malloc(len);
	memcpy(h->recs[h->nrecs].p, bytes, len);
	h->recs[h->nrecs++].n = len;
	return 0;
}

static int h_load(void *ctx, cm_storage_emit_fn emit, void *emit_ctx)
{
	struct host *h = ctx;
	size_t i;
	int rc;
	for (i = 0; i < h->nrecs; i++)
		if ((rc = emit(emit_ctx, h->recs[i].p, h->recs[i].n)) != 0)
			return rc;
	return h->load_rc;
}

static int h_close(void *ctx)
{
	((struct host *)ctx)->closes++;
	return 0;
}

static const char *h_errmsg(void *ctx)
{
	(void)ctx;
	return "host says no";
}

static const cm_storage table = {
	.version = CM_STORAGE_VERSION,
	.put = h_put,
	.load = h_load,
	.close = h_close,
	.errmsg = h_errmsg,
};

static void host_free(struct host *h)
{
	size_t i;
	for (i = 0; i < h->nrecs; i++)
		free(h->recs[i].p);
}

static int open_on(struct th_env *env, struct host *h, char *err, size_t errsize)
{
	cm_store_options o;

	memset(env, 0, sizeof(*env));
	env->clock.now = TH_T0;
	th_options(&o, env);
	o.storage = &table;
	o.storage_ctx = h;
	o.errbuf = err;
	o.errbuf_size = errsize;
	return cm_store_open(&env->store, &o);
}

/* Live allocations of a store reopened from host storage holding one
 * client with these texts (NULL: unset) and one event of it. */
static long live_after_reopen(const char *given, const char *phone,
			      const char *email, const char *address)
{
	struct host h;
	struct th_env env;
	cm_client *c;
	cm_event *e;
	cm_txn *t;
	char err[256];
	long live;

	memset(&h, 0, sizeof(h));
	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, "client-1"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Okafor"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, given), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_PHONE, phone), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_EMAIL, email), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_ADDRESS, address), CM_OK);
	assert_int_equal(cm_event_new(&e, env.store, "client-1", CM_EVENT_CONTACT,
				      TH_T0), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT, given ? "a longer note"
							       : "note"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_event_save(t, e), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	cm_client_free(c);
	cm_event_free(e);
	th_close(&env);

	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	live = env.alloc.live;
	th_close(&env);
	host_free(&h);
	return live;
}

/* Loaded records are packed as committed ones are (one block each, the
 * event's client id borrowed from the client's slot once loaded): the
 * allocations a reopened store holds do not depend on how many texts its
 * records carry. */
static void test_load_packs_records(void **state)
{
	(void)state;
	assert_int_equal(live_after_reopen(NULL, NULL, NULL, NULL),
			 live_after_reopen("Ada", "555-0100", "ada@example.org",
					   "1 Main St"));
}

/* A client with an event and a service: every kind that indexes records
 * by their client, loaded in one go. */
static void test_load_event_and_service(void **state)
{
	struct th_env env;
	struct host h;
	cm_client *c;
	cm_event *e;
	cm_service *sv;
	cm_event_iter *it;
	cm_txn *txn;
	char err[256] = "", cid[80];
	uint64_t digest;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Ng"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "t"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	strcpy(cid, cm_client_id(c));
	assert_int_equal(cm_event_new(&e, env.store, cid, CM_EVENT_NOTE, TH_T0), CM_OK);
	assert_int_equal(cm_service_new(&sv, env.store, cid, "home infusion"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "t"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_OK);
	assert_int_equal(cm_service_save(txn, sv), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_event_free(e);
	cm_service_free(sv);
	cm_client_free(c);
	digest = cm__store_digest(env.store);
	th_close(&env);
	assert_int_equal(h.closes, 1);

	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	assert_true(cm__store_digest(env.store) == digest);
	assert_int_equal(cm_event_timeline(&it, env.store, cid, CM_TIME_NONE,
					   CM_TIME_NONE, 0), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 1);
	cm_event_iter_free(it);
	th_close(&env);
	host_free(&h);
}

/* The layouts of committed versions (texts shared with the store's intern
 * table or the client's slot, rarely set texts kept together in one sparse
 * block) are in memory only: records encode to exactly the bytes they did
 * before (the hashes below were taken from the previous layout), read
 * back the same from memory and from storage, and setting, replacing and
 * clearing sparse texts in any order keeps the others. */
static void test_load_layouts_keep_encoding(void **state)
{
	/* FNV-1a of each stored record, as the previous in-memory layout wrote them
	 * (fixed clock and id seed). */
	static const uint32_t golden[] = {
		0x85cfb662u, 0xba2bd361u, 0xa63cc7cfu, 0x47a18fd4u,
		0x22375c6du, 0xe32bd87eu, 0x988d96f4u
	};
	struct th_env env;
	struct host h;
	cm_store_options o;
	cm_client *c;
	cm_event *e, *e2;
	cm_service *sv;
	cm_txn *txn;
	char err[256] = "", eid[80];
	uint64_t digest;
	size_t i;

	(void)state;
	memset(&h, 0, sizeof(h));
	memset(&env, 0, sizeof(env));
	env.clock.now = TH_T0;
	th_options(&o, &env);
	o.storage = &table;
	o.storage_ctx = &h;
	o.id_seed = 7;
	assert_int_equal(cm_store_open(&env.store, &o), CM_OK);

	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, "client-1"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Ng"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_PROGRAM, "chf"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_PHONE, "555-0100"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_EMAIL, "ng@example.org"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_PHONE, "555-0199"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_EMAIL, ""), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_LANGUAGE, "es"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm-7"), CM_OK);
	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "intake"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "loader"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);

	assert_int_equal(cm_event_new(&e, env.store, "client-1", CM_EVENT_NOTE, TH_T0), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_DISPOSITION, "home"), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_ACTOR, "rn-2"), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT, "called"), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_GOAL, "g1"), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_OUTCOME, "reached"), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_DISPOSITION, NULL), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_OK);
	assert_int_equal(cm_service_new(&sv, env.store, "client-1", "transport"), CM_OK);
	assert_int_equal(cm_service_set_text(sv, CM_SERVICE_DESCRIPTION, "rides"), CM_OK);
	assert_int_equal(cm_service_set_text(sv, CM_SERVICE_AUTH_REFERENCE, "A-1"), CM_OK);
	assert_int_equal(cm_service_save(txn, sv), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	strcpy(eid, cm_event_id(e));

	/* Committed versions read the same. */
	assert_string_equal(cm_client_text(c, CM_CLIENT_PHONE), "555-0199");
	assert_null(cm_client_text(c, CM_CLIENT_EMAIL));
	assert_string_equal(cm_client_text(c, CM_CLIENT_LANGUAGE), "es");
	assert_string_equal(cm_client_text(c, CM_CLIENT_PROGRAM), "chf");
	assert_null(cm_client_text(c, CM_CLIENT_ADDRESS));
	assert_string_equal(cm_client_text(c, CM_CLIENT_CASE_MANAGER), "cm-7");
	assert_string_equal(cm_event_client_id(e), "client-1");
	assert_string_equal(cm_event_text(e, CM_EVENT_ACTOR), "rn-2");
	assert_string_equal(cm_event_text(e, CM_EVENT_OUTCOME), "reached");
	assert_string_equal(cm_event_text(e, CM_EVENT_GOAL), "g1");
	assert_string_equal(cm_event_text(e, CM_EVENT_TEXT), "called");
	assert_null(cm_event_text(e, CM_EVENT_DISPOSITION));
	assert_null(cm_event_text(e, CM_EVENT_PLAN));
	assert_null(cm_event_amends(e));
	assert_string_equal(cm_service_text(sv, CM_SERVICE_DESCRIPTION), "rides");
	assert_null(cm_service_text(sv, CM_SERVICE_PLAN));

	/* A second revision clears one sparse text and changes another; an
	 * amending event carries the amended id in its sparse block. */
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_PROGRAM, NULL), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_ADDRESS, "1 Main St"), CM_OK);
	assert_int_equal(cm_event_new(&e2, env.store, "client-1", CM_EVENT_NOTE, TH_T0), CM_OK);
	assert_int_equal(cm_event_set_amends(e2, eid), CM_OK);
	assert_int_equal(cm_event_set_text(e2, CM_EVENT_PLAN, "p-9"), CM_OK);
	assert_int_equal(cm_event_set_amends(e2, NULL), CM_OK);
	assert_null(cm_event_amends(e2));
	assert_int_equal(cm_event_set_amends(e2, eid), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "loader"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_event_save(txn, e2), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_null(cm_client_text(c, CM_CLIENT_PROGRAM));
	assert_string_equal(cm_client_text(c, CM_CLIENT_ADDRESS), "1 Main St");
	assert_string_equal(cm_client_text(c, CM_CLIENT_LANGUAGE), "es");
	assert_string_equal(cm_event_amends(e2), eid);
	assert_string_equal(cm_event_text(e2, CM_EVENT_PLAN), "p-9");
	cm_event_free(e);
	cm_event_free(e2);
	cm_service_free(sv);
	cm_client_free(c);

	/* The same bytes as the previous layout wrote. */
	for (i = 0; i < h.nrecs; i++) {
		/* FNV-1a: a record's CRC-32C over its own checksum is a
		 * constant. */
		uint32_t hash = 2166136261u;
		size_t j;
		for (j = 0; j < h.recs[i].n; j++)
			hash = (hash ^ h.recs[i].p[j]) * 16777619u;
		assert_true(i < sizeof(golden) / sizeof(golden[0]));
		assert_int_equal(hash, golden[i]);
	}
	assert_int_equal(h.nrecs, sizeof(golden) / sizeof(golden[0]));
	digest = cm__store_digest(env.store);
	th_close(&env);

	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	assert_true(cm__store_digest(env.store) == digest);
	assert_int_equal(cm_event_get(&e2, env.store, eid), CM_OK);
	assert_string_equal(cm_event_text(e2, CM_EVENT_OUTCOME), "reached");
	assert_null(cm_event_text(e2, CM_EVENT_DISPOSITION));
	cm_event_free(e2);
	{
		/* The loaded amendment is known to the client's timeline. */
		cm_event_row rows[4];
		size_t n, k, seen = 0;
		assert_int_equal(cm_event_timeline_rows(&n, NULL, rows, sizeof(rows[0]),
							4, env.store, "client-1",
							CM_TIME_NONE, CM_TIME_NONE, 0, 0),
				 CM_OK);
		assert_true(n <= 4);
		for (k = 0; k < n && k < 4; k++)
			if (strcmp(rows[k].id, eid) == 0) {
				assert_true(rows[k].amended_by[0] != '\0');
				seen++;
			}
		assert_int_equal(seen, 1);
	}
	th_close(&env);
	host_free(&h);
}

/* Nothing stored: an empty store, closed once. */
static void test_load_empty(void **state)
{
	struct th_env env;
	struct host h;
	cm_client_iter *it;
	char err[64] = "";

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	assert_int_equal(cm_client_list(&it, env.store, 0, NULL, NULL), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 0);
	cm_client_iter_free(it);
	th_close(&env);
	assert_int_equal(h.closes, 1);
}

/* Encoding version 1 as documented: wire type 3 is absent text (for a
 * known text field: NULL; for an unknown tag: skipped), and unknown tags of
 * the other types are skipped. A record a newer encoder wrote that way
 * must load. */
static void test_load_absent_and_unknown_tags(void **state)
{
	static const unsigned char extra[] = {
		0x9B, 0x01,       /* tag 19 (client phone), type 3: absent */
		0xA3, 0x06,       /* tag 100, type 3 */
		0xA8, 0x06, 0x0A, /* tag 101, type 0: 5 */
		0xB1, 0x06, 0x02, 'h', 'i', /* tag 102, type 1: "hi" */
	};
	struct th_env env;
	struct host h;
	cm_client *c;
	cm_txn *txn;
	char err[256] = "", cid[80];
	unsigned char *rec, *patched;
	size_t n;
	uint32_t crc;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Ng"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "t"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	strcpy(cid, cm_client_id(c));
	cm_client_free(c);
	th_close(&env);

	/* The client's record (the first put): ... key 0, CRC. Insert the
	 * extra fields before the final key 0 and recompute the CRC. */
	assert_true(h.nrecs >= 1 && h.recs[0].p[3] == CM_KIND_CLIENT);
	rec = h.recs[0].p;
	n = h.recs[0].n;
	assert_int_equal(rec[n - 5], 0);
	patched = malloc(n + sizeof(extra));
	memcpy(patched, rec, n - 5);
	memcpy(patched + n - 5, extra, sizeof(extra));
	patched[n - 5 + sizeof(extra)] = 0;
	crc = cm_crc32c(0, patched, n - 4 + sizeof(extra));
	patched[n - 4 + sizeof(extra)] = (unsigned char)crc;
	patched[n - 3 + sizeof(extra)] = (unsigned char)(crc >> 8);
	patched[n - 2 + sizeof(extra)] = (unsigned char)(crc >> 16);
	patched[n - 1 + sizeof(extra)] = (unsigned char)(crc >> 24);
	free(rec);
	h.recs[0].p = patched;
	h.recs[0].n = n + sizeof(extra);

	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	assert_int_equal(cm_client_get(&c, env.store, cid), CM_OK);
	assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), "Ng");
	assert_null(cm_client_text(c, CM_CLIENT_PHONE));
	cm_client_free(c);
	th_close(&env);
	host_free(&h);
}

/* Commit a client and one note event of it in env's store; the event's
 * id into eid. */
static void commit_client_and_event(struct th_env *env, char *eid, size_t n)
{
	cm_client *c;
	cm_event *e;
	cm_txn *txn;

	assert_int_equal(cm_client_new(&c, env->store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Ng"), CM_OK);
	assert_int_equal(cm_event_new(&e, env->store, cm_client_id(c), CM_EVENT_NOTE, TH_T0), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env->store, "t"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	snprintf(eid, n, "%s", cm_event_id(e));
	cm_event_free(e);
	cm_client_free(c);
}

/* An event whose client is not stored: the storage is corrupt. */
static void test_load_event_without_client(void **state)
{
	struct th_env env;
	struct host h;
	char err[256] = "", eid[80];
	size_t i;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	commit_client_and_event(&env, eid, sizeof(eid));
	th_close(&env);

	/* Lose the client's record. */
	for (i = 0; i < h.nrecs && h.recs[i].p[3] != CM_KIND_CLIENT; i++)
		;
	assert_true(i < h.nrecs);
	free(h.recs[i].p);
	h.recs[i] = h.recs[--h.nrecs];
	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_ECORRUPT);
	assert_non_null(strstr(err, "no client"));
	assert_int_equal(env.alloc.live, 0);
	assert_int_equal(h.closes, 2);
	host_free(&h);
}

/* A transaction log naming a record that storage lacks (here the first
 * client created, while the second is stored): the storage is corrupt,
 * and the open fails naming the record, holding nothing. */
static void test_load_log_names_missing_record(void **state)
{
	struct th_env env;
	struct host h;
	char err[256] = "";
	size_t i;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	fx_client(&env, "first", NULL, 0, CM_DATE_NONE);
	fx_client(&env, "second", NULL, 0, CM_DATE_NONE);
	th_close(&env);
	/* Lose the first client's record (the first client record put). */
	for (i = 0; i < h.nrecs && h.recs[i].p[3] != CM_KIND_CLIENT; i++)
		;
	assert_true(i < h.nrecs);
	free(h.recs[i].p);
	memmove(&h.recs[i], &h.recs[i + 1], (h.nrecs - i - 1) * sizeof(h.recs[0]));
	h.nrecs--;
	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_ECORRUPT);
	assert_non_null(strstr(err, "names client 'first', which is not stored"));
	assert_int_equal(env.alloc.live, 0);
	host_free(&h);
}

/* A monitoring event never changes once committed: storage holding a
 * second revision of one is corrupt (refresh would otherwise replace the
 * committed event), and opening it fails, holding nothing. */
static void test_load_event_revised(void **state)
{
	struct th_env env;
	struct host h;
	struct cm__slot *sl;
	struct cm__rec *r2;
	struct cm__buf b = { 0 };
	char err[256] = "", eid[80];

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
	commit_client_and_event(&env, eid, sizeof(eid));

	/* The event's encoding again, as its revision 2. */
	sl = cm__slot_find(env.store, CM_KIND_EVENT, eid);
	assert_non_null(sl);
	assert_int_equal(cm__rec_clone(env.store, &cm__event_kind, &r2, sl->cur), CM_OK);
	r2->revision = 2;
	assert_int_equal(cm__rec_encode(env.store, &cm__event_kind, r2, &b), CM_OK);
	cm__rec_release(env.store, r2);
	assert_true(h.nrecs < 64);
	h.recs[h.nrecs].p = malloc(b.len);
	memcpy(h.recs[h.nrecs].p, b.data, b.len);
	h.recs[h.nrecs++].n = b.len;
	cm__buf_free(env.store, &b);
	th_close(&env);

	assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_ECORRUPT);
	assert_non_null(strstr(err, "never changes"));
	assert_non_null(strstr(err, eid));
	assert_null(env.store);
	assert_int_equal(env.alloc.live, 0);
	host_free(&h);
}

/* Host callbacks that fail with -1 (or any value that is not a storage
 * code) are CM_ESTORAGE with the host's message; storage codes pass. */
static void test_callback_failure_codes(void **state)
{
	static const struct { int host_rc, want; } rows[] = {
		{ -1, CM_ESTORAGE },        /* CM_EINVAL's value */
		{ 1, CM_ESTORAGE },
		{ -3, CM_ESTORAGE },        /* CM_ENOTFOUND's value */
		{ -1000, CM_ESTORAGE },
		{ CM_ECONFLICT, CM_ECONFLICT },
		{ CM_EIO, CM_EIO },
		{ CM_ECORRUPT, CM_ECORRUPT },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct th_env env;
		struct host h;
		cm_client *c;
		cm_txn *txn;
		char err[256] = "";

		/* At load. */
		memset(&h, 0, sizeof(h));
		h.load_rc = rows[i].host_rc;
		assert_int_equal(open_on(&env, &h, err, sizeof(err)), rows[i].want);
		assert_non_null(strstr(err, "host says no"));
		assert_int_equal(h.closes, 1);
		assert_int_equal(env.alloc.live, 0);

		/* At commit. */
		memset(&h, 0, sizeof(h));
		assert_int_equal(open_on(&env, &h, err, sizeof(err)), CM_OK);
		h.put_rc = rows[i].host_rc;
		assert_int_equal(cm_client_new(&c, env.store), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Ng"), CM_OK);
		assert_int_equal(cm_txn_begin(&txn, env.store, "t"), CM_OK);
		assert_int_equal(cm_client_save(txn, c), CM_OK);
		assert_int_equal(cm_txn_commit(txn), rows[i].want);
		assert_non_null(strstr(cm_store_errmsg(env.store), "host says no"));
		cm_client_free(c);
		th_close(&env);
		host_free(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_empty),
		cmocka_unit_test(test_load_event_and_service),
		cmocka_unit_test(test_load_packs_records),
		cmocka_unit_test(test_load_layouts_keep_encoding),
		cmocka_unit_test(test_load_absent_and_unknown_tags),
		cmocka_unit_test(test_load_event_without_client),
		cmocka_unit_test(test_load_log_names_missing_record),
		cmocka_unit_test(test_load_event_revised),
		cmocka_unit_test(test_callback_failure_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
