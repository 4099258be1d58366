/* Clients: fields, validation, lifecycle, identifiers, lists, conflicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/text.h"
#include "fixtures.h"
#include "harness.h"
#include "store/store_impl.h"

static struct th_env env;

static int setup(void **state)
{
	(void)state;
	th_open(&env);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	th_close(&env);
	return 0;
}

static cm_client *new_client(const char *family, const char *given)
{
	cm_client *c;
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	if (family)
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, family), CM_OK);
	if (given)
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, given), CM_OK);
	return c;
}

static int save1(cm_client *c)
{
	cm_txn *t;
	int rc;
	assert_int_equal(cm_txn_begin(&t, env.store, "tester"), CM_OK);
	rc = cm_client_save(t, c);
	if (rc) {
		cm_txn_rollback(t);
		return rc;
	}
	return cm_txn_commit(t);
}

static void test_new_defaults_and_ids(void **state)
{
	cm_client *a = new_client("A", NULL), *b = new_client("B", NULL);
	int64_t v;
	const char *id = cm_client_id(a);
	size_t i;
	(void)state;

	assert_int_equal(strlen(id), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(id[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", id[i]));
	}
	assert_int_equal(id[14], '7');                   /* UUID version 7 */
	assert_non_null(strchr("89ab", id[19]));         /* RFC 4122 variant */
	assert_true(strcmp(cm_client_id(a), cm_client_id(b)) < 0); /* time-ordered */
	assert_int_equal(cm_client_revision(a), 0);
	assert_int_equal(cm_client_status(a), CM_CASE_PLANNED);
	assert_int_equal(cm_client_created(a), CM_TIME_NONE);
	assert_int_equal(cm_client_get_int(&v, a, CM_CLIENT_BIRTH_DATE), CM_OK);
	assert_int_equal(v, CM_DATE_NONE);
	assert_int_equal(cm_client_get_int(&v, a, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, 0);
	assert_null(cm_client_text(a, CM_CLIENT_EMAIL));
	assert_int_equal(cm_client_status_history_count(a), 0);
	assert_int_equal(cm_client_new(NULL, env.store), CM_EINVAL);
	cm_client_free(a);
	cm_client_free(b);
	cm_client_free(NULL);
}

static void test_text_fields(void **state)
{
	static const struct { int32_t field; size_t max; } f[] = {
		{ CM_CLIENT_FAMILY, 200 }, { CM_CLIENT_GIVEN, 200 },
		{ CM_CLIENT_LANGUAGE, 35 }, { CM_CLIENT_PHONE, 64 },
		{ CM_CLIENT_EMAIL, 254 }, { CM_CLIENT_ADDRESS, 1000 },
		{ CM_CLIENT_PROGRAM, 200 }, { CM_CLIENT_CASE_MANAGER, 64 },
	};
	cm_client *c = new_client(NULL, NULL);
	char buf[1100];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		memset(buf, 'x', f[i].max);
		buf[f[i].max] = '\0';
		assert_int_equal(cm_client_set_text(c, f[i].field, buf), CM_OK);
		assert_string_equal(cm_client_text(c, f[i].field), buf);
		buf[f[i].max] = 'x';
		buf[f[i].max + 1] = '\0';
		assert_int_equal(cm_client_set_text(c, f[i].field, buf), CM_ETOOLONG);
		buf[f[i].max] = '\0';
		assert_string_equal(cm_client_text(c, f[i].field), buf); /* unchanged */
		assert_int_equal(cm_client_set_text(c, f[i].field, "ok\xc0\xaf"), CM_EUTF8);
		assert_string_equal(cm_client_text(c, f[i].field), buf);
		assert_int_equal(cm_client_set_text(c, f[i].field, ""), CM_OK);
		assert_null(cm_client_text(c, f[i].field));
		assert_int_equal(cm_client_set_text(c, f[i].field, "Zoë"), CM_OK);
		assert_int_equal(cm_client_set_text(c, f[i].field, NULL), CM_OK);
		assert_null(cm_client_text(c, f[i].field));
	}
	assert_int_equal(cm_client_set_text(c, 0, "x"), CM_ERANGE);
	assert_int_equal(cm_client_set_text(c, 99, "x"), CM_ERANGE);
	assert_null(cm_client_text(c, 99));
	assert_int_equal(cm_client_set_text(NULL, CM_CLIENT_FAMILY, "x"), CM_EINVAL);
	assert_null(cm_client_text(NULL, CM_CLIENT_FAMILY));
	cm_client_free(c);
}

/* Changing only a committed client's own integer fields copies just the
 * record's head (its texts and lists stay those of the version read, kept
 * alive by the copy): the committed version is untouched until the save
 * commits, a later text change makes a full copy, a failed copy changes
 * nothing, and a handle freed unsaved leaves nothing behind. */
static void test_int_change_of_committed(void **state)
{
	cm_client *c, *g, *r;
	const char *sys, *val;
	int64_t v;
	long live;
	(void)state;

	c = new_client("Osei", "Ama");
	assert_int_equal(cm_client_set_identifier(c, "MRN", "M-77"), CM_OK);
	assert_int_equal(cm_client_add_coverage(c, "Medicaid", "Q1", NULL), CM_OK);
	assert_int_equal(save1(c), CM_OK);

	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_OK);
	env.alloc.fail_at = env.alloc.count + 1;
	assert_int_equal(cm_client_set_int(g, CM_CLIENT_RISK_TIER, 3), CM_ENOMEM);
	env.alloc.fail_at = 0;
	assert_int_equal(cm_client_get_int(&v, g, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, 0);

	assert_int_equal(cm_client_set_int(g, CM_CLIENT_RISK_TIER, 3), CM_OK);
	assert_int_equal(cm_client_set_int(g, CM_CLIENT_NEXT_FOLLOWUP, 20100), CM_OK);
	assert_string_equal(cm_client_text(g, CM_CLIENT_FAMILY), "Osei");
	assert_int_equal(cm_client_identifier_at(&sys, &val, g, 0), CM_OK);
	assert_string_equal(val, "M-77");
	assert_int_equal(cm_client_get(&r, env.store, cm_client_id(c)), CM_OK);
	assert_int_equal(cm_client_get_int(&v, r, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, 0); /* the committed version is untouched */
	cm_client_free(r);

	assert_int_equal(save1(g), CM_OK);
	assert_int_equal(cm_client_get(&r, env.store, cm_client_id(c)), CM_OK);
	assert_int_equal(cm_client_get_int(&v, r, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, 3);
	assert_int_equal(cm_client_get_int(&v, r, CM_CLIENT_NEXT_FOLLOWUP), CM_OK);
	assert_int_equal(v, 20100);
	assert_string_equal(cm_client_text(r, CM_CLIENT_GIVEN), "Ama");
	assert_int_equal(cm_client_coverage_count(r), 1);
	cm_client_free(r);

	/* An integer change, then a text change: both saved. */
	assert_int_equal(cm_client_set_int(g, CM_CLIENT_RISK_TIER, 4), CM_OK);
	assert_int_equal(cm_client_set_text(g, CM_CLIENT_GIVEN, "Akosua"), CM_OK);
	assert_int_equal(save1(g), CM_OK);
	assert_int_equal(cm_client_get(&r, env.store, cm_client_id(c)), CM_OK);
	assert_int_equal(cm_client_get_int(&v, r, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, 4);
	assert_string_equal(cm_client_text(r, CM_CLIENT_GIVEN), "Akosua");
	assert_string_equal(cm_client_text(r, CM_CLIENT_FAMILY), "Osei");
	cm_client_free(r);
	cm_client_free(g);

	/* Changed and freed unsaved: nothing left behind. */
	live = env.alloc.live;
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_OK);
	assert_int_equal(cm_client_set_int(g, CM_CLIENT_RISK_TIER, 1), CM_OK);
	cm_client_free(g);
	assert_int_equal(env.alloc.live, live);
	cm_client_free(c);
}

static void test_int_fields(void **state)
{
	cm_client *c = new_client("Int", NULL);
	int32_t d;
	int64_t v;
	(void)state;

	assert_int_equal(cm_date_from_ymd(&d, 1948, 2, 29), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_BIRTH_DATE, d), CM_OK);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_BIRTH_DATE), CM_OK);
	assert_int_equal(v, d);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_BIRTH_DATE, CM_DATE_MAX + 1), CM_EDATE);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_BIRTH_DATE, INT64_MAX), CM_EDATE);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, CM_DATE_MIN - 1), CM_EDATE);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_BIRTH_DATE), CM_OK);
	assert_int_equal(v, d); /* unchanged */
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_BIRTH_DATE, CM_DATE_NONE), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_GENDER, CM_GENDER_FEMALE), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_GENDER, 5), CM_ERANGE);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_GENDER, -1), CM_ERANGE);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_INTERPRETER, 1), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_INTERPRETER, 2), CM_ERANGE);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 4), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 5), CM_ERANGE);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_RISK_TIER), CM_OK);
	assert_int_equal(v, 4);
	assert_int_equal(cm_client_set_int(c, 77, 1), CM_ERANGE);
	assert_int_equal(cm_client_get_int(&v, c, 77), CM_ERANGE);
	assert_int_equal(cm_client_get_int(NULL, c, CM_CLIENT_GENDER), CM_EINVAL);
	assert_int_equal(cm_client_get_int(&v, NULL, CM_CLIENT_GENDER), CM_EINVAL);
	assert_int_equal(cm_client_set_int(NULL, CM_CLIENT_GENDER, 1), CM_EINVAL);
	assert_string_equal(cm_gender_code(CM_GENDER_FEMALE), "female");
	assert_null(cm_gender_code(CM_GENDER_NONE));
	assert_null(cm_gender_code(5));
	cm_client_free(c);
}

static void test_host_ids(void **state)
{
	cm_client *a = new_client("Host", NULL), *b = new_client("Other", NULL);
	char longid[70];
	uint64_t before;
	int c;
	(void)state;

	assert_int_equal(cm_client_set_id(a, "patient-42.a"), CM_OK);
	assert_string_equal(cm_client_id(a), "patient-42.a");
	assert_int_equal(cm_client_set_id(a, ""), CM_EINVAL);
	assert_int_equal(cm_client_set_id(a, "has space"), CM_EINVAL);
	assert_int_equal(cm_client_set_id(a, "slash/no"), CM_EINVAL);
	assert_int_equal(cm_client_set_id(a, NULL), CM_EINVAL);
	memset(longid, 'a', 65);
	longid[65] = '\0';
	assert_int_equal(cm_client_set_id(a, longid), CM_EINVAL);
	/* Too long is what an over-long id with a bad byte hears. */
	longid[3] = ' ';
	assert_int_equal(cm_client_set_id(a, longid), CM_EINVAL);
	assert_non_null(strstr(cm_store_errmsg(env.store), "1 to 64"));
	longid[3] = 'a';
	/* Every byte, between two good ones: only A-Z a-z 0-9 - . pass. */
	for (c = 1; c < 256; c++) {
		char id[4] = { 'x', (char)c, 'y', '\0' };
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '.';
		assert_int_equal(cm_client_set_id(b, id), ok ? CM_OK : CM_EINVAL);
	}
	longid[64] = '\0';
	assert_int_equal(cm_client_set_id(b, longid), CM_OK);
	assert_string_equal(cm_client_id(a), "patient-42.a");
	assert_int_equal(save1(a), CM_OK);
	assert_int_equal(cm_client_set_id(a, "renamed"), CM_ESTATE);
	/* A second new client with a taken id is refused at save. */
	assert_int_equal(cm_client_set_id(b, "patient-42.a"), CM_OK);
	before = cm__store_digest(env.store);
	assert_int_equal(save1(b), CM_EEXIST);
	assert_int_equal(cm__store_digest(env.store), before);
	assert_int_equal(cm_client_set_id(NULL, "x"), CM_EINVAL);
	cm_client_free(a);
	cm_client_free(b);
}

static void test_status_transitions(void **state)
{
	/* allowed[from][to] per the header's table. */
	static const int allowed[8][8] = {
		{ 0 },
		/* planned */ { 0, 0, 1, 1, 0, 0, 1, 1 },
		/* waitlist */ { 0, 1, 0, 1, 0, 0, 1, 1 },
		/* active */ { 0, 0, 0, 0, 1, 1, 0, 1 },
		/* onhold */ { 0, 0, 0, 1, 0, 1, 1, 1 },
		/* finished */ { 0, 0, 0, 1, 0, 0, 0, 1 },
		/* cancelled */ { 0, 0, 0, 0, 0, 0, 0, 1 },
		/* e-i-e */ { 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	/* A path reaching each status from planned. */
	static const int32_t path[8][3] = {
		{ 0 }, { 0 }, { CM_CASE_WAITLIST }, { CM_CASE_ACTIVE },
		{ CM_CASE_ACTIVE, CM_CASE_ONHOLD }, { CM_CASE_ACTIVE, CM_CASE_FINISHED },
		{ CM_CASE_CANCELLED }, { CM_CASE_ENTERED_IN_ERROR },
	};
	int32_t from, to;
	int i;
	(void)state;

	for (from = 1; from <= 7; from++) {
		for (to = 1; to <= 7; to++) {
			cm_client *c = new_client("Status", NULL);
			size_t n;
			for (i = 0; i < 3 && path[from][i]; i++)
				assert_int_equal(cm_client_set_status(c, path[from][i], "setup"), CM_OK);
			assert_int_equal(cm_client_status(c), from);
			n = cm_client_status_history_count(c);
			if (allowed[from][to]) {
				assert_int_equal(cm_client_set_status(c, to, "because"), CM_OK);
				assert_int_equal(cm_client_status(c), to);
				assert_int_equal(cm_client_status_history_count(c), n + 1);
			} else {
				assert_int_equal(cm_client_set_status(c, to, "because"), CM_ETRANSITION);
				assert_int_equal(cm_client_status(c), from);
				assert_int_equal(cm_client_status_history_count(c), n);
				assert_non_null(strstr(cm_store_errmsg(env.store),
						       cm_case_status_code(to)));
			}
			cm_client_free(c);
		}
	}
}

static void test_status_history(void **state)
{
	cm_client *c = new_client("History", NULL);
	int32_t from, to, st;
	int64_t time;
	const char *actor, *reason;
	char longr[1002];
	(void)state;

	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, NULL), CM_EINVAL);
	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, ""), CM_EINVAL);
	assert_int_equal(cm_client_set_status(c, 0, "r"), CM_ERANGE);
	assert_int_equal(cm_client_set_status(c, 8, "r"), CM_ERANGE);
	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "\xed\xa0\x80"), CM_EUTF8);
	memset(longr, 'r', 1001);
	longr[1001] = '\0';
	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, longr), CM_ETOOLONG);
	assert_int_equal(cm_client_set_status(NULL, CM_CASE_ACTIVE, "r"), CM_EINVAL);
	assert_int_equal(cm_client_status_history_count(c), 0);

	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "referral accepted"), CM_OK);
	assert_int_equal(cm_client_status_history_at(&from, &to, &time, &actor, &reason, c, 0), CM_OK);
	assert_int_equal(from, CM_CASE_PLANNED);
	assert_int_equal(to, CM_CASE_ACTIVE);
	assert_int_equal(time, CM_TIME_NONE); /* not committed yet */
	assert_null(actor);
	assert_string_equal(reason, "referral accepted");
	env.clock.now = TH_T0 + 60;
	assert_int_equal(save1(c), CM_OK);
	assert_int_equal(cm_client_status_history_at(NULL, NULL, &time, &actor, NULL, c, 0), CM_OK);
	assert_int_equal(time, TH_T0 + 60);
	assert_string_equal(actor, "tester");
	assert_int_equal(cm_client_status_history_at(NULL, NULL, NULL, NULL, NULL, c, 1), CM_ERANGE);
	assert_int_equal(cm_client_status_history_at(NULL, NULL, NULL, NULL, NULL, NULL, 0), CM_EINVAL);
	assert_int_equal(cm_client_status_history_count(NULL), 0);
	assert_int_equal(cm_client_status(NULL), 0);

	assert_string_equal(cm_case_status_code(CM_CASE_ENTERED_IN_ERROR), "entered-in-error");
	assert_null(cm_case_status_code(0));
	assert_null(cm_case_status_code(8));
	assert_int_equal(cm_case_status_parse(&st, "onhold"), CM_OK);
	assert_int_equal(st, CM_CASE_ONHOLD);
	assert_int_equal(cm_case_status_parse(&st, "on-hold"), CM_ERANGE);
	assert_int_equal(cm_case_status_parse(NULL, "active"), CM_EINVAL);
	assert_int_equal(cm_case_status_parse(&st, NULL), CM_EINVAL);
	cm_client_free(c);
}

static void test_identifiers(void **state)
{
	cm_client *c = new_client("Ident", NULL), *g;
	const char *sys, *val;
	char longv[130];
	(void)state;

	assert_int_equal(cm_client_set_identifier(c, "MRN", "MRN000000001"), CM_OK);
	assert_int_equal(cm_client_set_identifier(c, "urn:payer:acme", "M-77"), CM_OK);
	assert_int_equal(cm_client_identifier_count(c), 2);
	assert_string_equal(cm_client_identifier(c, "MRN"), "MRN000000001");
	assert_int_equal(cm_client_set_identifier(c, "MRN", "MRN000000002"), CM_OK);
	assert_int_equal(cm_client_identifier_count(c), 2);
	assert_int_equal(cm_client_identifier_at(&sys, &val, c, 0), CM_OK);
	assert_string_equal(sys, "MRN");
	assert_string_equal(val, "MRN000000002");
	assert_int_equal(cm_client_identifier_at(&sys, &val, c, 2), CM_ERANGE);
	assert_int_equal(cm_client_identifier_at(&sys, &val, NULL, 0), CM_EINVAL);
	assert_null(cm_client_identifier(c, "none"));
	assert_null(cm_client_identifier(c, NULL));

	/* Bad input, each refused with nothing changed. */
	assert_int_equal(cm_client_set_identifier(c, NULL, "x"), CM_EINVAL);
	assert_int_equal(cm_client_set_identifier(c, "", "x"), CM_EINVAL);
	assert_int_equal(cm_client_set_identifier(c, "MRN", ""), CM_EINVAL);
	assert_int_equal(cm_client_set_identifier(c, "MRN", "tab\there"), CM_EINVAL);
	assert_int_equal(cm_client_set_identifier(c, "MRN", "\xff"), CM_EUTF8);
	memset(longv, '9', 129);
	longv[129] = '\0';
	assert_int_equal(cm_client_set_identifier(c, "MRN", longv), CM_ETOOLONG);
	assert_int_equal(cm_client_set_identifier(c, "nosuch", NULL), CM_ENOTFOUND);
	assert_int_equal(cm_client_set_identifier(NULL, "MRN", "1"), CM_EINVAL);
	assert_string_equal(cm_client_identifier(c, "MRN"), "MRN000000002");
	assert_int_equal(cm_client_identifier_count(c), 2);

	assert_int_equal(save1(c), CM_OK);
	assert_int_equal(cm_client_find(&g, env.store, "MRN", "MRN000000002"), CM_OK);
	assert_string_equal(cm_client_id(g), cm_client_id(c));
	cm_client_free(g);
	assert_int_equal(cm_client_find(&g, env.store, "MRN", "MRN000000001"), CM_ENOTFOUND);
	assert_int_equal(cm_client_find(&g, env.store, "mrn", "MRN000000002"), CM_ENOTFOUND);
	assert_int_equal(cm_client_find(&g, env.store, "MRN", longv), CM_ENOTFOUND);
	assert_int_equal(cm_client_find(&g, env.store, NULL, "x"), CM_EINVAL);
	assert_int_equal(cm_client_find(NULL, env.store, "MRN", "x"), CM_EINVAL);

	/* Removing an identifier frees it in the index. */
	assert_int_equal(cm_client_set_identifier(c, "MRN", NULL), CM_OK);
	assert_int_equal(cm_client_identifier_count(c), 1);
	assert_int_equal(save1(c), CM_OK);
	assert_int_equal(cm_client_find(&g, env.store, "MRN", "MRN000000002"), CM_ENOTFOUND);
	assert_int_equal(cm_client_find(&g, env.store, "urn:payer:acme", "M-77"), CM_OK);
	cm_client_free(g);
	cm_client_free(c);
}

/* Identifier i of the collision search: system "A" or "B" (by i's parity),
 * value "v<i>"; its key ("system\0value") in key, its length returned. */
static size_t search_key(char key[32], char sys[2], char val[16], uint32_t i)
{
	sys[0] = (char)('A' + (i & 1));
	sys[1] = '\0';
	snprintf(val, 16, "v%u", (unsigned)i);
	memcpy(key, sys, 2);
	memcpy(key + 2, val, strlen(val));
	return 2 + strlen(val);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Two identifiers of different systems whose keys share the identifier
 * table's 32-bit hash (a birthday search: 400,000 keys hold about 18
 * colliding pairs). */
static void colliding_identifiers(char sys[2][2], char val[2][16])
{
	enum { N = 400000 };
	uint64_t *h = malloc(N * sizeof(*h));
	char key[32], s[2], v[16];
	uint32_t i;

	assert_non_null(h);
	for (i = 0; i < N; i++)
		h[i] = (uint64_t)cm__hash(key, search_key(key, s, v, i)) << 32 | i;
	qsort(h, N, sizeof(*h), cmp_u64);
	for (i = 1; i < N; i++) {
		uint32_t a = (uint32_t)h[i - 1], b = (uint32_t)h[i];
		if (h[i] >> 32 != h[i - 1] >> 32 || (a & 1) == (b & 1))
			continue;
		search_key(key, sys[0], val[0], a);
		search_key(key, sys[1], val[1], b);
		free(h);
		return;
	}
	free(h);
	fail_msg("no colliding pair of identifier keys found");
}

/* The found client of identifier (sys, val) is c (NULL: none is). */
static void assert_holder(const char *sys, const char *val, const cm_client *c)
{
	cm_client *g = NULL;
	cm_client_summary sm;
	int rc = cm_client_find(&g, env.store, sys, val);

	sm.version = CM_CLIENT_SUMMARY_VERSION;

	if (!c) {
		assert_int_equal(rc, CM_ENOTFOUND);
		assert_int_equal(cm_client_find_summary(&sm, env.store, sys, val),
				 CM_ENOTFOUND);
		return;
	}
	assert_int_equal(rc, CM_OK);
	assert_string_equal(cm_client_id(g), cm_client_id(c));
	cm_client_free(g);
	assert_int_equal(cm_client_find_summary(&sm, env.store, sys, val), CM_OK);
	assert_string_equal(sm.id, cm_client_id(c));
}

/* The identifier table keeps only a key's hash and its holder's card:
 * keys sharing a hash (on two clients or on one), a client's later
 * identifiers, and keys too long to be inline on the card are all found
 * by their key, and go when their holder gives them up. */
static void test_identifier_table(void **state)
{
	char sys[2][2], val[2][16], longsys[257], longval[129];
	cm_client *a = new_client("Uno", NULL), *b = new_client("Dos", NULL);
	cm_client *c = new_client("Tres", NULL), *d;
	(void)state;

	colliding_identifiers(sys, val);
	/* Two clients whose keys collide. */
	assert_int_equal(cm_client_set_identifier(a, sys[0], val[0]), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, sys[1], val[1]), CM_OK);
	assert_int_equal(save1(a), CM_OK);
	assert_int_equal(save1(b), CM_OK);
	assert_holder(sys[0], val[0], a);
	assert_holder(sys[1], val[1], b);
	assert_holder(sys[1], val[0], NULL);
	assert_int_equal(cm__cdir_ident_count(env.store), 2);
	/* The second gives its up (its entry is the later in the probe
	 * run): the first's stays; then the first's goes too. */
	assert_int_equal(cm_client_set_identifier(b, sys[1], NULL), CM_OK);
	assert_int_equal(save1(b), CM_OK);
	assert_holder(sys[1], val[1], NULL);
	assert_holder(sys[0], val[0], a);
	assert_int_equal(cm__cdir_ident_count(env.store), 1);
	assert_int_equal(cm_client_set_identifier(a, sys[0], NULL), CM_OK);
	assert_int_equal(save1(a), CM_OK);
	assert_holder(sys[0], val[0], NULL);
	assert_int_equal(cm__cdir_ident_count(env.store), 0);

	/* One client holding both: either goes alone. */
	assert_int_equal(cm_client_set_identifier(c, sys[0], val[0]), CM_OK);
	assert_int_equal(cm_client_set_identifier(c, sys[1], val[1]), CM_OK);
	assert_int_equal(save1(c), CM_OK);
	assert_holder(sys[0], val[0], c);
	assert_holder(sys[1], val[1], c);
	assert_int_equal(cm_client_set_identifier(c, sys[0], NULL), CM_OK);
	assert_int_equal(save1(c), CM_OK);
	assert_holder(sys[0], val[0], NULL);
	assert_holder(sys[1], val[1], c);
	assert_int_equal(cm__cdir_ident_count(env.store), 1);
	/* ... and another client then takes the one given up. */
	assert_int_equal(cm_client_set_identifier(a, sys[0], val[0]), CM_OK);
	assert_int_equal(save1(a), CM_OK);
	assert_holder(sys[0], val[0], a);
	assert_holder(sys[1], val[1], c);

	/* A first identifier too long for the card, then others. */
	memset(longsys, 's', 256);
	longsys[256] = '\0';
	memset(longval, 'v', 128);
	longval[128] = '\0';
	d = new_client("Cuatro", "Long");
	assert_int_equal(cm_client_set_identifier(d, longsys, longval), CM_OK);
	assert_int_equal(cm_client_set_identifier(d, "MRN", "d-2"), CM_OK);
	assert_int_equal(cm_client_set_identifier(d, "X", "d-3"), CM_OK);
	assert_int_equal(save1(d), CM_OK);
	assert_holder(longsys, longval, d);
	assert_holder("MRN", "d-2", d);
	assert_holder("X", "d-3", d);
	longval[127] = 'w';
	assert_holder(longsys, longval, NULL);
	longval[127] = 'v';
	assert_holder("MRN", "d-3", NULL);
	/* The long one goes: the card's first identifier is now MRN. */
	assert_int_equal(cm_client_set_identifier(d, longsys, NULL), CM_OK);
	assert_int_equal(save1(d), CM_OK);
	assert_holder(longsys, longval, NULL);
	assert_holder("MRN", "d-2", d);
	assert_holder("X", "d-3", d);
	assert_int_equal(cm__cdir_ident_count(env.store), 4);
	cm_client_free(a);
	cm_client_free(b);
	cm_client_free(c);
	cm_client_free(d);
}

static void test_identifier_uniqueness(void **state)
{
	cm_client *a = new_client("Uno", NULL), *b = new_client("Dos", NULL);
	cm_client *c = new_client("Tres", NULL), *g;
	cm_txn *t;
	uint64_t before;
	(void)state;

	assert_int_equal(cm_client_set_identifier(a, "MRN", "1"), CM_OK);
	assert_int_equal(save1(a), CM_OK);
	/* Taken by a committed client: refused at save. */
	assert_int_equal(cm_client_set_identifier(b, "MRN", "1"), CM_OK);
	before = cm__store_digest(env.store);
	assert_int_equal(save1(b), CM_EEXIST);
	assert_non_null(strstr(cm_store_errmsg(env.store), cm_client_id(a)));
	assert_int_equal(cm__store_digest(env.store), before);

	/* The same identifier in another system is fine. */
	assert_int_equal(cm_client_set_identifier(b, "MRN", NULL), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, "SSN", "1"), CM_OK);
	assert_int_equal(save1(b), CM_OK);

	/* Claimed twice within one transaction: refused at commit, nothing
	 * committed. */
	assert_int_equal(cm_client_set_identifier(c, "SSN", "2"), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, "SSN", "2"), CM_OK);
	before = cm__store_digest(env.store);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_client_save(t, b), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_EEXIST);
	assert_int_equal(cm__store_digest(env.store), before);
	assert_int_equal(cm_client_revision(b), 1);
	assert_int_equal(cm_client_revision(c), 0);

	/* Moving an identifier between two clients in one transaction is
	 * allowed when the giver is saved first; the other order is refused
	 * at save, changing nothing. */
	assert_int_equal(cm_client_set_identifier(a, "MRN", NULL), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, "SSN", "1"), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, "MRN", "1"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	assert_int_equal(cm_client_save(t, b), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_client_find(&g, env.store, "MRN", "1"), CM_OK);
	assert_string_equal(cm_client_id(g), cm_client_id(b));
	cm_client_free(g);

	assert_int_equal(cm_client_set_identifier(a, "MRN", "1"), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, "MRN", NULL), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_EEXIST); /* taker first */
	assert_int_equal(cm_client_save(t, b), CM_OK); /* gives it up first */
	assert_int_equal(cm_client_save(t, a), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_client_find(&g, env.store, "MRN", "1"), CM_OK);
	assert_string_equal(cm_client_id(g), cm_client_id(a));
	cm_client_free(g);

	/* The holder gives it up, another takes it, then the holder claims
	 * it again: that save passes (its committed version holds it), and
	 * the commit refuses the double claim, changing nothing. */
	assert_int_equal(cm_client_set_identifier(a, "MRN", NULL), CM_OK);
	assert_int_equal(cm_client_set_identifier(b, "MRN", "1"), CM_OK);
	before = cm__store_digest(env.store);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	assert_int_equal(cm_client_save(t, b), CM_OK);
	assert_int_equal(cm_client_set_identifier(a, "MRN", "1"), CM_OK);
	assert_int_equal(cm_client_save(t, a), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_EEXIST);
	assert_int_equal(cm__store_digest(env.store), before);
	assert_int_equal(cm_client_find(&g, env.store, "MRN", "1"), CM_OK);
	assert_string_equal(cm_client_id(g), cm_client_id(a));
	cm_client_free(g);
	cm_client_free(a);
	cm_client_free(b);
	cm_client_free(c);
}

static void test_coverage_and_team(void **state)
{
	cm_client *c = new_client("Lists", NULL);
	const char *a, *b, *d;
	int i;
	char name[16];
	(void)state;

	assert_int_equal(cm_client_add_coverage(c, "Medicare", "1EG4-TE5-MK73", "Part A"), CM_OK);
	assert_int_equal(cm_client_add_coverage(c, "Medigap", NULL, NULL), CM_OK);
	assert_int_equal(cm_client_add_coverage(c, NULL, "x", "y"), CM_EINVAL);
	assert_int_equal(cm_client_add_coverage(c, "", "x", "y"), CM_EINVAL);
	assert_int_equal(cm_client_add_coverage(c, "P", "\xc3", NULL), CM_EUTF8);
	assert_int_equal(cm_client_coverage_count(c), 2);
	assert_int_equal(cm_client_coverage_at(&a, &b, &d, c, 0), CM_OK);
	assert_string_equal(a, "Medicare");
	assert_string_equal(b, "1EG4-TE5-MK73");
	assert_string_equal(d, "Part A");
	assert_int_equal(cm_client_coverage_at(&a, &b, &d, c, 1), CM_OK);
	assert_null(b);
	assert_null(d);
	assert_int_equal(cm_client_coverage_at(&a, &b, &d, c, 2), CM_ERANGE);
	assert_int_equal(cm_client_remove_coverage(c, 0), CM_OK);
	assert_int_equal(cm_client_coverage_at(&a, NULL, NULL, c, 0), CM_OK);
	assert_string_equal(a, "Medigap");
	assert_int_equal(cm_client_remove_coverage(c, 1), CM_ERANGE);
	for (i = 1; i < 16; i++)
		assert_int_equal(cm_client_add_coverage(c, "Payer", NULL, NULL), CM_OK);
	assert_int_equal(cm_client_add_coverage(c, "One too many", NULL, NULL), CM_ERANGE);
	assert_int_equal(cm_client_coverage_count(c), 16);

	assert_int_equal(cm_client_add_care_team_member(c, "primary care physician",
							"Dr. Osei", "555-0100"), CM_OK);
	assert_int_equal(cm_client_add_care_team_member(c, "daughter", "Mei", NULL), CM_OK);
	assert_int_equal(cm_client_add_care_team_member(c, "role", NULL, NULL), CM_EINVAL);
	assert_int_equal(cm_client_add_care_team_member(c, NULL, "name", NULL), CM_EINVAL);
	assert_int_equal(cm_client_care_team_count(c), 2);
	assert_int_equal(cm_client_care_team_at(&a, &b, &d, c, 1), CM_OK);
	assert_string_equal(a, "daughter");
	assert_string_equal(b, "Mei");
	assert_null(d);
	assert_int_equal(cm_client_remove_care_team_member(c, 0), CM_OK);
	assert_int_equal(cm_client_care_team_count(c), 1);
	for (i = 1; i < 64; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		assert_int_equal(cm_client_add_care_team_member(c, "aide", name, NULL), CM_OK);
	}
	assert_int_equal(cm_client_add_care_team_member(c, "aide", "x", NULL), CM_ERANGE);
	assert_int_equal(cm_client_care_team_at(&a, &b, &d, NULL, 0), CM_EINVAL);
	assert_int_equal(cm_client_remove_care_team_member(NULL, 0), CM_EINVAL);
	assert_int_equal(cm_client_care_team_count(NULL), 0);
	assert_int_equal(cm_client_coverage_count(NULL), 0);

	/* Lists survive a save and a fresh read. */
	assert_int_equal(save1(c), CM_OK);
	{
		cm_client *g;
		assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_OK);
		assert_int_equal(cm_client_care_team_count(g), 64);
		assert_int_equal(cm_client_coverage_count(g), 16);
		cm_client_free(g);
	}
	cm_client_free(c);
}

static void test_save_rules(void **state)
{
	cm_client *c = new_client(NULL, NULL), *g;
	cm_txn *t;
	uint64_t before = cm__store_digest(env.store);
	(void)state;

	assert_int_equal(save1(c), CM_EINCOMPLETE);
	assert_int_equal(cm__store_digest(env.store), before);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "Madonna"), CM_OK);
	assert_int_equal(save1(c), CM_OK);
	assert_int_equal(cm_client_created(c), TH_T0);
	assert_int_equal(cm_client_updated(c), TH_T0);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, NULL), CM_EINVAL);
	assert_int_equal(cm_client_save(NULL, c), CM_EINVAL);
	cm_txn_rollback(t);

	/* Optimistic concurrency: a stale handle is refused. */
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Ciccone"), CM_OK);
	env.clock.now = TH_T0 + 3600;
	assert_int_equal(save1(c), CM_OK);
	assert_int_equal(cm_client_revision(c), 2);
	assert_int_equal(cm_client_updated(c), TH_T0 + 3600);
	assert_int_equal(cm_client_created(c), TH_T0);
	assert_int_equal(cm_client_set_text(g, CM_CLIENT_FAMILY, "Other"), CM_OK);
	before = cm__store_digest(env.store);
	assert_int_equal(save1(g), CM_ECONFLICT);
	assert_int_equal(cm__store_digest(env.store), before);
	cm_client_free(g);
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_OK);
	assert_string_equal(cm_client_text(g, CM_CLIENT_FAMILY), "Ciccone");
	cm_client_free(g);

	/* A handle changed after save but before commit keeps its change,
	 * now on top of the committed revision. */
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_PHONE, "555-0101"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_PHONE, "555-0199"), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_client_revision(c), 3);
	assert_string_equal(cm_client_text(c, CM_CLIENT_PHONE), "555-0199");
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_OK);
	assert_string_equal(cm_client_text(g, CM_CLIENT_PHONE), "555-0101");
	cm_client_free(g);
	assert_int_equal(save1(c), CM_OK);
	assert_int_equal(cm_client_revision(c), 4);

	/* A handle freed before commit: the commit still succeeds. */
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_OK);
	assert_int_equal(cm_client_set_text(g, CM_CLIENT_EMAIL, "m@example.org"), CM_OK);
	assert_int_equal(cm_txn_begin(&t, env.store, "me"), CM_OK);
	assert_int_equal(cm_client_save(t, g), CM_OK);
	cm_client_free(g);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	assert_int_equal(cm_client_get(&g, env.store, cm_client_id(c)), CM_OK);
	assert_string_equal(cm_client_text(g, CM_CLIENT_EMAIL), "m@example.org");
	assert_int_equal(cm_client_revision(g), 5);
	cm_client_free(g);
	cm_client_free(c);
}

static void test_get_errors(void **state)
{
	cm_client *g = NULL;
	(void)state;
	assert_int_equal(cm_client_get(&g, env.store, "missing"), CM_ENOTFOUND);
	assert_int_equal(cm_client_get(NULL, env.store, "x"), CM_EINVAL);
	assert_int_equal(cm_client_get(&g, NULL, "x"), CM_EINVAL);
	assert_int_equal(cm_client_get(&g, env.store, NULL), CM_EINVAL);
	assert_null(g);
}

static void test_list(void **state)
{
	static const struct { const char *family, *given, *cm; int32_t status; } p[] = {
		{ "Élan", "Zoé", "cm1", CM_CASE_ACTIVE },
		{ "elliot", "Ann", "cm1", CM_CASE_ACTIVE },
		{ "Ng", "Eleanor", "cm2", CM_CASE_PLANNED },
		{ "Папа", "Ёж", NULL, CM_CASE_ACTIVE },
		{ "Zhou", "Li", NULL, CM_CASE_PLANNED },
	};
	cm_client_iter *it;
	cm_client *c;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		c = new_client(p[i].family, p[i].given);
		if (p[i].cm)
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, p[i].cm), CM_OK);
		if (p[i].status != CM_CASE_PLANNED)
			assert_int_equal(cm_client_set_status(c, p[i].status, "enrolled"), CM_OK);
		assert_int_equal(save1(c), CM_OK);
		cm_client_free(c);
	}
	/* All, ordered by folded family name: elliot < Élan? 'e' (0x65) vs
	 * 'é' (U+00E9): plain code point order after folding. */
	assert_int_equal(cm_client_list(&it, env.store, 0, NULL, NULL), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 5);
	{
		static const char *order[] = { "elliot", "Ng", "Zhou", "Élan", "Папа" };
		for (i = 0; i < 5; i++) {
			assert_int_equal(cm_client_iter_next(&c, it), CM_OK);
			assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), order[i]);
			cm_client_free(c);
		}
	}
	assert_int_equal(cm_client_iter_next(&c, it), CM_ITEROVER);
	cm_client_iter_free(it);

	/* Case-insensitive prefix on family or given name. */
	assert_int_equal(cm_client_list(&it, env.store, 0, NULL, "EL"), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 2); /* elliot, Eleanor */
	cm_client_iter_free(it);
	assert_int_equal(cm_client_list(&it, env.store, 0, NULL, "éL"), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 1);
	cm_client_iter_free(it);
	assert_int_equal(cm_client_list(&it, env.store, 0, NULL, "па"), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 1);
	cm_client_iter_free(it);
	/* Filters: status, case manager, unassigned. */
	assert_int_equal(cm_client_list(&it, env.store, CM_CASE_ACTIVE, NULL, NULL), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 3);
	cm_client_iter_free(it);
	assert_int_equal(cm_client_list(&it, env.store, CM_CASE_ACTIVE, "cm1", NULL), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 2);
	cm_client_iter_free(it);
	assert_int_equal(cm_client_list(&it, env.store, 0, "", NULL), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 2);
	cm_client_iter_free(it);
	assert_int_equal(cm_client_list(&it, env.store, 0, "cm9", NULL), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 0);
	cm_client_iter_free(it);
	assert_int_equal(cm_client_list(&it, env.store, 0, "cm2", "el"), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 1); /* Eleanor */
	cm_client_iter_free(it);
	/* Reassigned: the client leaves one manager's list for the other's,
	 * in name order there. */
	assert_int_equal(cm_client_list(&it, env.store, 0, "cm1", NULL), CM_OK);
	assert_int_equal(cm_client_iter_next(&c, it), CM_OK);
	cm_client_iter_free(it);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm2"), CM_OK);
	assert_int_equal(save1(c), CM_OK);
	assert_int_equal(cm_client_list(&it, env.store, 0, "cm1", NULL), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 1);
	cm_client_iter_free(it);
	assert_int_equal(cm_client_list(&it, env.store, 0, "cm2", NULL), CM_OK);
	assert_int_equal(cm_client_iter_count(it), 2);
	{
		cm_client *g;
		assert_int_equal(cm_client_iter_next(&g, it), CM_OK);
		assert_string_equal(cm_client_id(g), cm_client_id(c));
		cm_client_free(g);
	}
	cm_client_iter_free(it);
	/* Back, so that the listings below see the first assignment. */
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm1"), CM_OK);
	assert_int_equal(save1(c), CM_OK);
	cm_client_free(c);
	/* Bad arguments. */
	assert_int_equal(cm_client_list(&it, env.store, 8, NULL, NULL), CM_ERANGE);
	assert_int_equal(cm_client_list(&it, env.store, -1, NULL, NULL), CM_ERANGE);
	assert_int_equal(cm_client_list(&it, env.store, 0, NULL, "\xfe"), CM_EUTF8);
	assert_int_equal(cm_client_list(NULL, env.store, 0, NULL, NULL), CM_EINVAL);
	assert_int_equal(cm_client_iter_next(NULL, NULL), CM_EINVAL);
	assert_int_equal(cm_client_iter_count(NULL), 0);
	cm_client_iter_free(NULL);

	/* A listing is a snapshot: a later commit does not change it. */
	assert_int_equal(cm_client_list(&it, env.store, 0, NULL, NULL), CM_OK);
	c = new_client("Aardvark", NULL);
	assert_int_equal(save1(c), CM_OK);
	cm_client_free(c);
	assert_int_equal(cm_client_iter_count(it), 5);
	assert_int_equal(cm_client_iter_next(&c, it), CM_OK);
	assert_string_equal(cm_client_text(c, CM_CLIENT_FAMILY), "elliot");
	cm_client_free(c);
	cm_client_iter_free(it); /* freed part-way: no leak */
}

/* Coverage and care team live out of line (one block, none until used):
 * clients with both, one, none, and with all removed again round-trip
 * through the journal. */
static void test_coverage_and_team_reload(void **state)
{
	char dir[64], path[96], id[4][CM__ID_MAX + 1];
	static const size_t ncov[4] = { 2, 0, 1, 0 }, nteam[4] = { 1, 1, 0, 0 };
	const char *a, *b, *d;
	cm_client *c;
	int i, pass;
	(void)state;

	th_close(&env);
	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/j", dir);
	th_open_journal(&env, path);
	for (i = 0; i < 4; i++) {
		c = new_client("Lists", NULL);
		strcpy(id[i], cm_client_id(c));
		if (i == 0 || i == 2)
			assert_int_equal(cm_client_add_coverage(c, "Medicare", "1EG", "Part A"), CM_OK);
		if (i == 0)
			assert_int_equal(cm_client_add_coverage(c, "Medigap", NULL, NULL), CM_OK);
		if (i <= 1)
			assert_int_equal(cm_client_add_care_team_member(c, "daughter", "Mei", NULL), CM_OK);
		if (i == 3) {
			/* Used, committed, then emptied again. */
			assert_int_equal(cm_client_add_care_team_member(c, "son", "Li", "555"), CM_OK);
			TH_COMMIT1(env.store, "tester", cm_client_save, c);
			assert_int_equal(cm_client_remove_care_team_member(c, 0), CM_OK);
		}
		TH_COMMIT1(env.store, "tester", cm_client_save, c);
		cm_client_free(c);
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < 4; i++) {
			assert_int_equal(cm_client_get(&c, env.store, id[i]), CM_OK);
			assert_int_equal(cm_client_coverage_count(c), ncov[i]);
			assert_int_equal(cm_client_care_team_count(c), nteam[i]);
			if (ncov[i]) {
				assert_int_equal(cm_client_coverage_at(&a, &b, &d, c, 0), CM_OK);
				assert_string_equal(a, "Medicare");
				assert_string_equal(b, "1EG");
				assert_string_equal(d, "Part A");
			}
			if (nteam[i]) {
				assert_int_equal(cm_client_care_team_at(&a, &b, &d, c, 0), CM_OK);
				assert_string_equal(a, "daughter");
				assert_string_equal(b, "Mei");
				assert_null(d);
			}
			assert_int_equal(cm_client_care_team_at(&a, &b, &d, c, nteam[i]), CM_ERANGE);
			cm_client_free(c);
		}
		th_close(&env);
		th_open_journal(&env, path); /* the second pass: reloaded */
	}
	th_close(&env);
	fx_rmdir(dir);
	th_open(&env);
}

/* ---- list order against its definition -------------------------------- */

struct model_client {
	char id[16];
	const char *family, *given, *manager;
	int32_t status;
};

static const struct model_client *model_v;

/* The list's order as documented: family, given (case-insensitively),
 * then id. */
static int model_cmp(const void *pa, const void *pb)
{
	const struct model_client *a = &model_v[*(const int *)pa];
	const struct model_client *b = &model_v[*(const int *)pb];
	int c = cm__fold_cmp(a->family ? a->family : "", b->family ? b->family : "");

	if (c == 0)
		c = cm__fold_cmp(a->given ? a->given : "", b->given ? b->given : "");
	return c ? c : strcmp(a->id, b->id);
}

/* Lists (all, by status, by prefix, by case manager) of clients whose
 * names share long prefixes, differ only in case or past 16 bytes, are
 * Greek, Cyrillic, accented, CJK or beyond the BMP, too long for the client
 * directory's card, or (given names) unset: the same clients in the same
 * order as the model's. */
static void test_list_order_model(void **state)
{
	enum { N = 400 };
	static struct model_client v[N];
	static char longname[N][220];
	static const char *const fam[] = {
		"Smith", "smith", "SMITH", "Smithers", "Abernathy-Wellington-Aa",
		"abernathy-wellington-AB", "Abernathy-Wellington-a", "Élise", "élise",
		"Ωmega", "ωMEGA", "Петров", "петрова", "Zoë", "zoe",
		"Ångström", "Ab", "中村", "𝔄rne", "𝔄RNE"
	};
	static const char *const giv[] = { "Ann", "ann", "Bob", NULL, "Ælfred",
					   "Ιωάννης", "Борис" };
	static const char *const mgr[] = { NULL, "cm1", "cm2" };
	static const char *const prefixes[] = { "sm", "ABERNATHY-WELLINGTON-A", "é",
						"ω", "пет", "ann", "z", "x" };
	int order[N], i, k, q;
	(void)state;

	model_v = v;
	for (i = 0; i < N; i++) {
		cm_client *c;
		snprintf(v[i].id, sizeof(v[i].id), "m%03d", (i * 37) % N);
		if (i % 23 == 0) {
			/* Longer than a card holds (its texts come from the
			 * record). */
			memset(longname[i], 'q', 200);
			longname[i][200] = '\0';
			longname[i][i % 200] = 'r';
			v[i].family = longname[i];
		} else {
			v[i].family = fam[i % (sizeof(fam) / sizeof(fam[0]))];
		}
		v[i].given = giv[(i / 3) % (sizeof(giv) / sizeof(giv[0]))];
		v[i].manager = mgr[i % 3];
		v[i].status = i % 4 ? CM_CASE_ACTIVE : CM_CASE_PLANNED;
		assert_int_equal(cm_client_new(&c, env.store), CM_OK);
		assert_int_equal(cm_client_set_id(c, v[i].id), CM_OK);
		if (v[i].family)
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, v[i].family), CM_OK);
		if (v[i].given)
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, v[i].given), CM_OK);
		if (v[i].manager)
			assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER,
							    v[i].manager), CM_OK);
		if (v[i].status == CM_CASE_ACTIVE)
			assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "in"), CM_OK);
		if (save1(c) != CM_OK)
			fail_msg("client %d: %s", i, cm_store_errmsg(env.store));
		cm_client_free(c);
	}
	for (q = 0; q < 14; q++) {
		int32_t status = q == 1 ? CM_CASE_ACTIVE : q == 2 ? CM_CASE_PLANNED : 0;
		const char *m = q == 3 ? "cm1" : q == 4 ? "" : q == 5 ? "cm2" : NULL;
		const char *prefix = q >= 6 ? prefixes[q - 6] : NULL;
		cm_client_iter *it;
		cm_client *c;
		int n = 0;
		for (i = 0; i < N; i++) {
			if ((status && v[i].status != status) ||
			    (m && strcmp(v[i].manager ? v[i].manager : "", m) != 0) ||
			    (prefix && !(v[i].family && cm__fold_has_prefix(v[i].family, prefix)) &&
			     !(v[i].given && cm__fold_has_prefix(v[i].given, prefix))))
				continue;
			order[n++] = i;
		}
		qsort(order, (size_t)n, sizeof(order[0]), model_cmp);
		assert_int_equal(cm_client_list(&it, env.store, status, m, prefix), CM_OK);
		assert_int_equal(cm_client_iter_count(it), n);
		for (k = 0; k < n; k++) {
			assert_int_equal(cm_client_iter_next(&c, it), CM_OK);
			if (strcmp(cm_client_id(c), v[order[k]].id) != 0)
				fail_msg("query %d row %d: %s, not %s", q, k, cm_client_id(c),
					 v[order[k]].id);
			cm_client_free(c);
		}
		assert_int_equal(cm_client_iter_next(&c, it), CM_ITEROVER);
		cm_client_iter_free(it);
		assert_true(q == 13 || n > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_defaults_and_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int_change_of_committed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identifiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identifier_uniqueness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identifier_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coverage_and_team, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coverage_and_team_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_order_model, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
