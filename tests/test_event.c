/* Monitoring events: immutability, amendments, the timeline, follow-up. */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"

static struct th_env env;

static int setup(void **state)
{
	(void)state;
	th_open(&env);
	fx_client(&env, "c1", "cm-a", 3, CM_DATE_NONE);
	fx_client(&env, "c2", "cm-a", 1, CM_DATE_NONE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	th_close(&env);
	return 0;
}

static void test_new_and_read(void **state)
{
	cm_event *e, *g;
	cm_txn *txn;
	int64_t v;
	(void)state;

	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT,
				      FX_AT(TH_D0, 10)), CM_OK);
	assert_int_equal(cm_event_set_int(e, CM_EVENT_MODE, CM_CONTACT_TELEHEALTH), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_ACTOR, "nurse.kim"), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_OUTCOME, "reached"), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_PLAN, "plan-1"), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_GOAL, "g1"), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT, "Discussed meds."), CM_OK);
	assert_int_equal(cm_event_revision(e), 0);
	assert_int_equal(cm_event_recorded(e), CM_TIME_NONE);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm_event_revision(e), 1);
	assert_int_equal(cm_event_recorded(e), TH_T0);

	assert_int_equal(cm_event_get(&g, env.store, cm_event_id(e)), CM_OK);
	assert_string_equal(cm_event_client_id(g), "c1");
	assert_int_equal(cm_event_type(g), CM_EVENT_CONTACT);
	assert_string_equal(cm_event_type_code(cm_event_type(g)), "contact");
	assert_string_equal(cm_event_text(g, CM_EVENT_GOAL), "g1");
	/* The note shares the sparse block with the rarely set texts. */
	assert_string_equal(cm_event_text(g, CM_EVENT_TEXT), "Discussed meds.");
	assert_string_equal(cm_event_text(g, CM_EVENT_ACTOR), "nurse.kim");
	assert_null(cm_event_text(g, CM_EVENT_DISPOSITION));
	assert_null(cm_event_amends(g));
	assert_int_equal(cm_event_get_int(&v, g, CM_EVENT_TIME), CM_OK);
	assert_true(v == FX_AT(TH_D0, 10));
	assert_int_equal(cm_event_get_int(&v, g, CM_EVENT_MODE), CM_OK);
	assert_int_equal(v, CM_CONTACT_TELEHEALTH);
	assert_int_equal(cm_event_get_int(&v, g, 99), CM_ERANGE);
	assert_int_equal(cm_event_get_int(NULL, g, CM_EVENT_MODE), CM_EINVAL);
	cm_event_free(g);
	cm_event_free(e);
}

static void test_bad_input(void **state)
{
	cm_event *e = NULL;
	cm_client *c;
	cm_txn *txn;
	uint64_t d = cm__store_digest(env.store);
	char big[80];
	(void)state;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cm_event_new(NULL, env.store, "c1", 1, TH_T0), CM_EINVAL);
	assert_int_equal(cm_event_new(&e, NULL, "c1", 1, TH_T0), CM_EINVAL);
	assert_int_equal(cm_event_new(&e, env.store, NULL, 1, TH_T0), CM_EINVAL);
	assert_int_equal(cm_event_new(&e, env.store, "", 1, TH_T0), CM_EINVAL);
	assert_int_equal(cm_event_new(&e, env.store, big, 1, TH_T0), CM_ETOOLONG);
	assert_int_equal(cm_event_new(&e, env.store, "\xff", 1, TH_T0), CM_EUTF8);
	assert_int_equal(cm_event_new(&e, env.store, "c1", 0, TH_T0), CM_ERANGE);
	assert_int_equal(cm_event_new(&e, env.store, "c1", 15, TH_T0), CM_ERANGE);
	assert_int_equal(cm_event_new(&e, env.store, "c1", 1, CM_TIME_NONE), CM_EDATE);
	assert_int_equal(cm_event_new(&e, env.store, "c1", 1, CM_TIME_MAX + 1), CM_EDATE);
	assert_null(e);
	assert_null(cm_event_type_code(0));

	assert_int_equal(cm_event_new(&e, env.store, "nobody", 1, TH_T0), CM_OK);
	assert_int_equal(cm_event_set_int(e, CM_EVENT_TIME, CM_TIME_NONE), CM_EDATE);
	assert_int_equal(cm_event_set_int(e, CM_EVENT_MODE, 4), CM_ERANGE);
	assert_int_equal(cm_event_set_int(e, 77, 1), CM_ERANGE);
	assert_int_equal(cm_event_set_text(e, 77, "x"), CM_ERANGE);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_OUTCOME, "\xc0\x80"), CM_EUTF8);
	assert_int_equal(cm_event_set_amends(e, ""), CM_EINVAL);
	assert_int_equal(cm_event_set_amends(e, big), CM_EINVAL);
	assert_int_equal(cm_event_set_text(NULL, CM_EVENT_OUTCOME, "x"), CM_EINVAL);
	assert_int_equal(cm_event_set_int(NULL, CM_EVENT_MODE, 1), CM_EINVAL);
	assert_int_equal(cm_event_set_amends(NULL, "x"), CM_EINVAL);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_ENOTFOUND);
	assert_int_equal(cm_event_save(txn, NULL), CM_EINVAL);
	assert_int_equal(cm_event_save(NULL, e), CM_EINVAL);
	/* Another kind's handle is refused, not misread. */
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_event_save(txn, (cm_event *)(void *)c), CM_EINVAL);
	assert_null(cm_event_id((cm_event *)(void *)c));
	cm_client_free(c);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_event_free(e);
	assert_true(d == cm__store_digest(env.store));
	cm_event_free(NULL);
	assert_null(cm_event_id(NULL));
	assert_int_equal(cm_event_type(NULL), 0);
}

/* cm_event_add stages what the handle path would, in one call. */
static void test_add(void **state)
{
	char id[CM_ID_BUFSIZE], id2[CM_ID_BUFSIZE];
	cm_event *e, *g;
	cm_event_iter *it;
	cm_client *c;
	cm_txn *txn;
	int64_t v;
	(void)state;

	/* The same event through a handle, for comparison. */
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT,
				      FX_AT(TH_D0, 10)), CM_OK);
	assert_int_equal(cm_event_set_int(e, CM_EVENT_MODE, CM_CONTACT_PHONE), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT, "Called; doing well."), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_OK);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", CM_EVENT_CONTACT,
				      FX_AT(TH_D0, 11), CM_CONTACT_PHONE,
				      "Called; doing well."), CM_OK);
	/* No note, no id wanted, and a client saved in the same txn. */
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "New"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_event_add(txn, NULL, 0, cm_client_id(c), CM_EVENT_NOTE,
				      FX_AT(TH_D0, 12), CM_CONTACT_NONE, ""), CM_OK);
	/* Staged, not committed: not readable yet. */
	assert_int_equal(cm_event_get(&g, env.store, id), CM_ENOTFOUND);
	assert_int_equal(cm_txn_commit(txn), CM_OK);

	assert_int_equal(strlen(id), 36);
	assert_true(strcmp(cm_event_id(e), id) < 0); /* time-ordered */
	assert_int_equal(cm_event_get(&g, env.store, id), CM_OK);
	assert_string_equal(cm_event_client_id(g), "c1");
	assert_int_equal(cm_event_type(g), CM_EVENT_CONTACT);
	assert_int_equal(cm_event_revision(g), 1);
	assert_int_equal(cm_event_recorded(g), cm_event_recorded(e));
	assert_string_equal(cm_event_text(g, CM_EVENT_TEXT),
			    cm_event_text(e, CM_EVENT_TEXT));
	assert_null(cm_event_text(g, CM_EVENT_ACTOR));
	assert_null(cm_event_amends(g));
	assert_int_equal(cm_event_get_int(&v, g, CM_EVENT_MODE), CM_OK);
	assert_int_equal(v, CM_CONTACT_PHONE);
	assert_int_equal(cm_event_get_int(&v, g, CM_EVENT_TIME), CM_OK);
	assert_true(v == FX_AT(TH_D0, 11));
	cm_event_free(g);

	/* Both are in the client's timeline, in time order. */
	assert_int_equal(cm_event_timeline(&it, env.store, "c1", CM_TIME_NONE,
					   CM_TIME_NONE, 0), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 2);
	assert_int_equal(cm_event_iter_next(&g, it), CM_OK);
	assert_string_equal(cm_event_id(g), cm_event_id(e));
	cm_event_free(g);
	assert_int_equal(cm_event_iter_next(&g, it), CM_OK);
	assert_string_equal(cm_event_id(g), id);
	cm_event_free(g);
	cm_event_iter_free(it);
	assert_int_equal(cm_event_timeline(&it, env.store, cm_client_id(c),
					   CM_TIME_NONE, CM_TIME_NONE, 0), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 1);
	assert_int_equal(cm_event_iter_next(&g, it), CM_OK);
	assert_null(cm_event_text(g, CM_EVENT_TEXT));
	assert_int_equal(cm_event_get_int(&v, g, CM_EVENT_MODE), CM_OK);
	assert_int_equal(v, CM_CONTACT_NONE);
	cm_event_free(g);
	cm_event_iter_free(it);

	/* Two adds in one transaction get two ids. */
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c2", CM_EVENT_NOTE, TH_T0, 0, "a"), CM_OK);
	assert_int_equal(cm_event_add(txn, id2, sizeof(id2), "c2", CM_EVENT_NOTE, TH_T0, 0, "b"), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(strcmp(id, id2) < 0);
	cm_client_free(c);
	cm_event_free(e);
}

/* Every refusal of cm_event_add changes nothing: not the store, not the
 * transaction (which then commits nothing), not out_id. */
static void test_add_bad_input(void **state)
{
	uint64_t d = cm__store_digest(env.store);
	char id[CM_ID_BUFSIZE] = "untouched";
	char big[80], note[4002];
	cm_event_iter *it;
	cm_txn *txn;
	(void)state;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0'; /* 4001 bytes */
	assert_int_equal(cm_event_add(NULL, id, sizeof(id), "c1", 1, TH_T0, 0, NULL), CM_EINVAL);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), NULL, 1, TH_T0, 0, NULL), CM_EINVAL);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "", 1, TH_T0, 0, NULL), CM_EINVAL);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), big, 1, TH_T0, 0, NULL), CM_ETOOLONG);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "\xff", 1, TH_T0, 0, NULL), CM_EUTF8);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", 0, TH_T0, 0, NULL), CM_ERANGE);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", 15, TH_T0, 0, NULL), CM_ERANGE);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", 1, CM_TIME_NONE, 0, NULL), CM_EDATE);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", 1, CM_TIME_MAX + 1, 0, NULL), CM_EDATE);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", 1, TH_T0, -1, NULL), CM_ERANGE);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", 1, TH_T0, 4, NULL), CM_ERANGE);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", 1, TH_T0, 0, note), CM_ETOOLONG);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", 1, TH_T0, 0, "\xc0\x80"), CM_EUTF8);
	assert_int_equal(cm_event_add(txn, id, CM_ID_BUFSIZE - 1, "c1", 1, TH_T0, 0, NULL),
			 CM_EINVAL);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "nobody", 1, TH_T0, 0, "x"), CM_ENOTFOUND);
	assert_string_equal(id, "untouched");
	/* The longest note is accepted. */
	note[4000] = '\0';
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "c1", 1, TH_T0, 0, note), CM_OK);
	cm_txn_rollback(txn);
	assert_true(d == cm__store_digest(env.store));
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_event_add(txn, id, sizeof(id), "nobody", 1, TH_T0, 0, "x"), CM_ENOTFOUND);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(d == cm__store_digest(env.store));
	assert_int_equal(cm_event_timeline(&it, env.store, "c1", CM_TIME_NONE,
					   CM_TIME_NONE, 0), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 0);
	cm_event_iter_free(it);
}

/* The refusals of cm_event_add for its client id, code and message, with
 * the client found or not (a found client's id is not checked as text):
 * ids of 64 bytes (a client's, and one unknown), 65 bytes whose first 64
 * are a client's, invalid UTF-8 that fits, a client saved in the same
 * transaction and one saved in a transaction rolled back. A client found
 * does not spare the other arguments their checks. Refusals change
 * nothing; the event names the client itself, not the caller's string. */
static void test_add_client_ids(void **state)
{
	char id[CM_ID_BUFSIZE] = "untouched", id2[CM_ID_BUFSIZE];
	char c64[65], other[65], c65[66], bad[65], mine[65], staged[40];
	char note[4002], msg[120];
	cm_client *c;
	cm_event *g;
	cm_txn *txn;
	uint64_t d;
	(void)state;

	memset(c64, 'k', 64);
	c64[64] = '\0';
	fx_client(&env, c64, "cm-a", 1, CM_DATE_NONE);
	memcpy(other, c64, sizeof(c64));
	other[63] = 'j';
	memcpy(c65, c64, 64);
	c65[64] = 'k';
	c65[65] = '\0';
	memset(bad, '\xff', 64);
	bad[64] = '\0';
	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0'; /* 4001 bytes */
	d = cm__store_digest(env.store);

#define REFUSED(cid, type, time, mode, nt, code, message)                    \
	do {                                                                  \
		assert_int_equal(cm_event_add(txn, id, sizeof(id), cid, type, \
					      time, mode, nt), code);         \
		assert_string_equal(cm_store_errmsg(env.store), message);     \
		assert_string_equal(id, "untouched");                        \
	} while (0)

	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	REFUSED(NULL, 1, TH_T0, 0, NULL, CM_EINVAL, "event add: NULL or empty argument");
	REFUSED("", 1, TH_T0, 0, NULL, CM_EINVAL, "event add: NULL or empty argument");
	snprintf(msg, sizeof(msg), "event: no client with id '%s'", other);
	REFUSED(other, 1, TH_T0, 0, NULL, CM_ENOTFOUND, msg);
	REFUSED(c65, 1, TH_T0, 0, NULL, CM_ETOOLONG, "client id: longer than 64 bytes");
	REFUSED(bad, 1, TH_T0, 0, NULL, CM_EUTF8, "client id: not valid UTF-8");
	REFUSED("c1\xff", 1, TH_T0, 0, NULL, CM_EUTF8, "client id: not valid UTF-8");
	/* Its id's check first, then the others, in order. */
	REFUSED(bad, 0, CM_TIME_NONE, 9, note, CM_EUTF8, "client id: not valid UTF-8");
	REFUSED("nobody", 1, TH_T0, 0, note, CM_ETOOLONG, "text: longer than 4000 bytes");
	/* Found: the other checks still made. */
	REFUSED(c64, 0, TH_T0, 0, NULL, CM_ERANGE, "0 is not an event type");
	REFUSED(c64, 1, CM_TIME_NONE, 0, NULL, CM_EDATE,
		"event time -9223372036854775808 is not valid");
	REFUSED(c64, 1, TH_T0, 4, NULL, CM_ERANGE, "4 is not a contact mode");
	REFUSED(c64, 1, TH_T0, 0, note, CM_ETOOLONG, "text: longer than 4000 bytes");
	REFUSED(c64, 1, TH_T0, 0, "\xc0\x80", CM_EUTF8, "text: not valid UTF-8");

	/* A client saved in this transaction, then rolled back with it. */
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Staged"), CM_OK);
	snprintf(staged, sizeof(staged), "%s", cm_client_id(c));
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	cm_client_free(c);
	REFUSED(staged, 15, TH_T0, 0, NULL, CM_ERANGE, "15 is not an event type");
	assert_int_equal(cm_event_add(txn, id, sizeof(id), staged, CM_EVENT_NOTE,
				      TH_T0, 0, "staged"), CM_OK);
	cm_txn_rollback(txn);
	assert_true(d == cm__store_digest(env.store));
	assert_int_equal(cm_event_get(&g, env.store, id), CM_ENOTFOUND);
	strcpy(id, "untouched");
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	snprintf(msg, sizeof(msg), "event: no client with id '%s'", staged);
	REFUSED(staged, 1, TH_T0, 0, "x", CM_ENOTFOUND, msg);
#undef REFUSED
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(d == cm__store_digest(env.store));

	/* The event keeps its client's id, not the caller's buffer, for a
	 * client committed or saved in the same transaction. */
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	memcpy(mine, c64, sizeof(c64));
	assert_int_equal(cm_event_add(txn, id, sizeof(id), mine, CM_EVENT_NOTE,
				      TH_T0, 0, NULL), CM_OK);
	memset(mine, 'z', 64);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Same"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	snprintf(mine, sizeof(mine), "%s", cm_client_id(c));
	assert_int_equal(cm_event_add(txn, id2, sizeof(id2), mine,
				      CM_EVENT_NOTE, TH_T0, 0, NULL), CM_OK);
	memset(mine, 'z', 36);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm_event_get(&g, env.store, id), CM_OK);
	assert_string_equal(cm_event_client_id(g), c64);
	cm_event_free(g);
	assert_int_equal(cm_event_get(&g, env.store, id2), CM_OK);
	assert_string_equal(cm_event_client_id(g), cm_client_id(c));
	cm_event_free(g);
	cm_client_free(c);
}

static void test_immutable(void **state)
{
	cm_event *e;
	cm_txn *txn;
	char id[40];
	uint64_t d;
	(void)state;

	fx_event(&env, id, "c1", CM_EVENT_NOTE, FX_AT(TH_D0, 8));
	d = cm__store_digest(env.store);
	assert_int_equal(cm_event_get(&e, env.store, id), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT, "edited"), CM_ESTATE);
	assert_int_equal(cm_event_set_int(e, CM_EVENT_TIME, TH_T0), CM_ESTATE);
	assert_int_equal(cm_event_set_amends(e, NULL), CM_ESTATE);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_ESTATE);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(d == cm__store_digest(env.store));
	cm_event_free(e);
	assert_int_equal(cm_event_get(&e, env.store, "nope"), CM_ENOTFOUND);
}

static void test_amend_and_timeline(void **state)
{
	cm_event *e, *a;
	cm_event_iter *it;
	cm_txn *txn;
	char wrong[40], other[40], later[40];
	const char *ids[3];
	int i;
	(void)state;

	fx_event(&env, wrong, "c1", CM_EVENT_APPOINTMENT_MISSED, FX_AT(TH_D0 - 3, 9));
	fx_event(&env, later, "c1", CM_EVENT_NOTE, FX_AT(TH_D0 - 1, 9));
	fx_event(&env, other, "c2", CM_EVENT_NOTE, FX_AT(TH_D0 - 2, 9));

	/* The appointment was in fact kept: amend. */
	assert_int_equal(cm_event_new(&a, env.store, "c1", CM_EVENT_APPOINTMENT_KEPT,
				      FX_AT(TH_D0 - 3, 9)), CM_OK);
	assert_int_equal(cm_event_set_amends(a, wrong), CM_OK);
	assert_string_equal(cm_event_amends(a), wrong);

	/* Refused amendments change nothing. */
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_NOTE, TH_T0), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_event_set_amends(e, "unknown-event"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_ENOTFOUND);
	assert_int_equal(cm_event_set_amends(e, other), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_EINVAL);
	assert_int_equal(cm_event_set_amends(e, cm_event_id(e)), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_EINVAL);
	assert_int_equal(cm_event_save(txn, a), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_event_free(e);

	assert_int_equal(cm_event_timeline(&it, env.store, "c1", CM_TIME_NONE,
					   CM_TIME_NONE, 1), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 3);
	assert_null(cm_event_iter_amended_by(it));
	for (i = 0; i < 3; i++) {
		assert_int_equal(cm_event_iter_next(&e, it), CM_OK);
		ids[i] = cm_event_iter_amended_by(it);
		if (i == 0)
			assert_string_equal(cm_event_id(e), later);
		cm_event_free(e);
	}
	assert_int_equal(cm_event_iter_next(&e, it), CM_ITEROVER);
	/* Same time: the amendment (newer id) comes first newest-first. */
	assert_null(ids[0]);
	assert_null(ids[1]);
	assert_string_equal(ids[2], cm_event_id(a));
	cm_event_iter_free(it);

	/* Oldest first, and a time range. */
	assert_int_equal(cm_event_timeline(&it, env.store, "c1", FX_AT(TH_D0 - 2, 0),
					   CM_TIME_NONE, 0), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 1);
	cm_event_iter_free(it);
	assert_int_equal(cm_event_timeline(&it, env.store, "c1", CM_TIME_NONE,
					   FX_AT(TH_D0 - 2, 0), 0), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 2);
	assert_int_equal(cm_event_iter_next(&e, it), CM_OK);
	assert_int_equal(cm_event_type(e), CM_EVENT_APPOINTMENT_MISSED);
	cm_event_free(e);
	cm_event_iter_free(it); /* frees what was not handed out */
	cm_event_free(a);
}

static void test_timeline_errors(void **state)
{
	cm_event_iter *it = NULL;
	cm_event *e;
	(void)state;

	assert_int_equal(cm_event_timeline(NULL, env.store, "c1", 0, 0, 0), CM_EINVAL);
	assert_int_equal(cm_event_timeline(&it, NULL, "c1", 0, 0, 0), CM_EINVAL);
	assert_int_equal(cm_event_timeline(&it, env.store, NULL, 0, 0, 0), CM_EINVAL);
	assert_int_equal(cm_event_timeline(&it, env.store, "c1", 0, 0, 2), CM_EINVAL);
	assert_int_equal(cm_event_timeline(&it, env.store, "zz", CM_TIME_NONE,
					   CM_TIME_NONE, 0), CM_ENOTFOUND);
	assert_null(it);
	/* A client with no events: an empty timeline. */
	assert_int_equal(cm_event_timeline(&it, env.store, "c2", CM_TIME_NONE,
					   CM_TIME_NONE, 0), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 0);
	assert_int_equal(cm_event_iter_next(&e, it), CM_ITEROVER);
	assert_int_equal(cm_event_iter_next(NULL, it), CM_EINVAL);
	cm_event_iter_free(it);
	cm_event_iter_free(NULL);
	assert_int_equal(cm_event_iter_count(NULL), 0);
}

/* Iterators keep the store alive after close; freeing the last one frees it. */
static void test_outlives_store(void **state)
{
	struct th_env e;
	cm_event_iter *it;
	cm_service_iter *sit;
	cm_worklist *wl;
	cm_caseload_iter *cl;
	cm_event *ev;
	(void)state;

	th_open(&e);
	fx_client(&e, "c1", "cm-a", 1, TH_D0);
	fx_event(&e, NULL, "c1", CM_EVENT_NOTE, TH_T0);
	assert_int_equal(cm_event_timeline(&it, e.store, "c1", CM_TIME_NONE,
					   CM_TIME_NONE, 0), CM_OK);
	assert_int_equal(cm_service_list(&sit, e.store, "c1"), CM_OK);
	assert_int_equal(cm_worklist_query(&wl, e.store, NULL, TH_D0, 0, 0, 0, 0), CM_OK);
	assert_int_equal(cm_caseload_list(&cl, e.store), CM_OK);
	cm_store_close(e.store);
	assert_int_equal(cm_worklist_next(wl), CM_OK);
	assert_string_equal(cm_worklist_client_id(wl), "c1");
	cm_worklist_free(wl);
	assert_int_equal(cm_caseload_iter_next(cl), CM_OK);
	assert_string_equal(cm_caseload_iter_manager(cl), "cm-a");
	cm_caseload_iter_free(cl);
	cm_service_iter_free(sit);
	assert_int_equal(cm_event_iter_next(&ev, it), CM_OK);
	cm_event_iter_free(it);
	assert_int_equal(cm_event_type(ev), CM_EVENT_NOTE);
	cm_event_free(ev); /* the last reference: the store goes */
	assert_int_equal(e.alloc.live, 0);
}

/* Committed events stay in the store for good, so their versions are
 * carved from the store's slabs (up to a size; longer ones are allocated
 * on their own): versions staged and rolled back are given back and used
 * again, and both kinds read back intact. */
static void test_versions_in_slabs(void **state)
{
	enum { N = 600 };
	static char longnote[2001];
	static char ids[N][64];
	char note[64];
	cm_event *e;
	cm_txn *txn;
	long live = 0;
	int round, i;
	(void)state;

	memset(longnote, 'x', sizeof(longnote) - 1);
	for (round = 0; round < 3; round++) {
		assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
		for (i = 0; i < N; i++) {
			snprintf(note, sizeof(note), "note %d of round %d", i, round);
			assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_NOTE,
						      FX_AT(TH_D0, i % 24)), CM_OK);
			assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT,
							   i % 10 ? note : longnote), CM_OK);
			snprintf(ids[i], sizeof(ids[i]), "%s", cm_event_id(e));
			assert_int_equal(cm_event_save(txn, e), CM_OK);
			cm_event_free(e);
		}
		if (round < 2) {
			cm_txn_rollback(txn);
			/* The second round reuses the first one's blocks. */
			if (round == 0)
				live = env.alloc.live;
			assert_int_equal(env.alloc.live, live);
			continue;
		}
		assert_int_equal(cm_txn_commit(txn), CM_OK);
	}
	for (i = 0; i < N; i++) {
		assert_int_equal(cm_event_get(&e, env.store, ids[i]), CM_OK);
		snprintf(note, sizeof(note), "note %d of round 2", i);
		assert_string_equal(cm_event_text(e, CM_EVENT_TEXT),
				    i % 10 ? note : longnote);
		assert_string_equal(cm_event_client_id(e), "c1");
		cm_event_free(e);
	}
}

/* Index entries keep their key (an event's time) in two 32-bit halves:
 * times far before 1970 and after 2106 (negative, and beyond 32 bits)
 * still sort a timeline, between from and to. */
static void test_timeline_extreme_times(void **state)
{
	static const int64_t times[] = {
		INT64_C(4294967301), CM_TIME_MIN, -1, CM_TIME_MAX, 0,
		INT64_C(-4294967296), 1, INT64_C(4294967295)
	};
	enum { N = sizeof(times) / sizeof(times[0]) };
	int64_t sorted[N], v;
	cm_event_iter *it;
	cm_event *e;
	size_t i, j;
	(void)state;

	for (i = 0; i < N; i++)
		fx_event(&env, NULL, "c2", CM_EVENT_NOTE, times[i]);
	memcpy(sorted, times, sizeof(sorted));
	for (i = 1; i < N; i++) /* insertion sort */
		for (j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			v = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = v;
		}
	assert_int_equal(cm_event_timeline(&it, env.store, "c2", CM_TIME_NONE,
					   CM_TIME_NONE, 0), CM_OK);
	for (i = 0; i < N; i++) {
		assert_int_equal(cm_event_iter_next(&e, it), CM_OK);
		assert_int_equal(cm_event_get_int(&v, e, CM_EVENT_TIME), CM_OK);
		assert_true(v == sorted[i]);
		cm_event_free(e);
	}
	cm_event_iter_free(it);
	/* From -1 (inclusive) to 2^32 - 1 (exclusive): -1, 0, 1. */
	assert_int_equal(cm_event_timeline(&it, env.store, "c2", -1,
					   INT64_C(4294967295), 1), CM_OK);
	assert_int_equal(cm_event_iter_count(it), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cm_event_iter_next(&e, it), CM_OK);
		assert_int_equal(cm_event_get_int(&v, e, CM_EVENT_TIME), CM_OK);
		assert_true(v == 1 - (int64_t)i);
		cm_event_free(e);
	}
	cm_event_iter_free(it);
}

/* ---- follow-up --------------------------------------------------------- */

static int32_t due_of(const char *id)
{
	cm_client *c;
	int64_t v;

	assert_int_equal(cm_client_get(&c, env.store, id), CM_OK);
	assert_int_equal(cm_client_get_int(&v, c, CM_CLIENT_NEXT_FOLLOWUP), CM_OK);
	cm_client_free(c);
	return (int32_t)v;
}

static void test_contact_interval(void **state)
{
	int32_t days;
	(void)state;

	assert_int_equal(cm_store_contact_interval(&days, env.store, 0), CM_OK);
	assert_int_equal(days, 30);
	assert_int_equal(cm_store_contact_interval(&days, env.store, 1), CM_OK);
	assert_int_equal(days, 90);
	assert_int_equal(cm_store_contact_interval(&days, env.store, 4), CM_OK);
	assert_int_equal(days, 7);
	assert_int_equal(cm_store_set_contact_interval(env.store, 3, 10), CM_OK);
	assert_int_equal(cm_store_contact_interval(&days, env.store, 3), CM_OK);
	assert_int_equal(days, 10);
	assert_int_equal(cm_store_set_contact_interval(env.store, 5, 10), CM_ERANGE);
	assert_int_equal(cm_store_set_contact_interval(env.store, -1, 10), CM_ERANGE);
	assert_int_equal(cm_store_set_contact_interval(env.store, 3, 0), CM_ERANGE);
	assert_int_equal(cm_store_set_contact_interval(env.store, 3, 367), CM_ERANGE);
	assert_int_equal(cm_store_set_contact_interval(NULL, 3, 7), CM_EINVAL);
	assert_int_equal(cm_store_contact_interval(&days, env.store, 3), CM_OK);
	assert_int_equal(days, 10);
	assert_int_equal(cm_store_contact_interval(NULL, env.store, 3), CM_EINVAL);
	assert_int_equal(cm_store_contact_interval(&days, NULL, 3), CM_EINVAL);
	assert_int_equal(cm_store_contact_interval(&days, env.store, 9), CM_ERANGE);
}

static void test_record_contact(void **state)
{
	cm_client *c;
	cm_event *e;
	cm_txn *txn;
	(void)state;

	/* c1 is tier 3: every 14 days. */
	assert_int_equal(cm_client_get(&c, env.store, "c1"), CM_OK);
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT,
				      FX_AT(TH_D0, 11)), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(due_of("c1"), TH_D0 + 14);
	cm_event_free(e);

	/* An older contact recorded late does not move the date back. */
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT,
				      FX_AT(TH_D0 - 5, 11)), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(due_of("c1"), TH_D0 + 14);
	cm_event_free(e);

	/* The interval follows the store setting. */
	assert_int_equal(cm_store_set_contact_interval(env.store, 3, 21), CM_OK);
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT,
				      FX_AT(TH_D0 + 1, 11)), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(due_of("c1"), TH_D0 + 22);
	cm_event_free(e);
	cm_client_free(c);
}

static void test_record_contact_refused(void **state)
{
	cm_client *c, *c2, *stale;
	cm_event *e, *note, *e2;
	cm_txn *txn;
	uint64_t d;
	int64_t v;
	(void)state;

	assert_int_equal(cm_client_get(&c, env.store, "c1"), CM_OK);
	assert_int_equal(cm_client_get(&stale, env.store, "c1"), CM_OK);
	assert_int_equal(cm_client_get(&c2, env.store, "c2"), CM_OK);
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT, TH_T0), CM_OK);
	assert_int_equal(cm_event_new(&note, env.store, "c1", CM_EVENT_NOTE, TH_T0), CM_OK);
	assert_int_equal(cm_event_new(&e2, env.store, "c2", CM_EVENT_CONTACT, TH_T0), CM_OK);
	d = cm__store_digest(env.store);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(NULL, c, e), CM_EINVAL);
	assert_int_equal(cm_client_record_contact(txn, NULL, e), CM_EINVAL);
	assert_int_equal(cm_client_record_contact(txn, c, NULL), CM_EINVAL);
	assert_int_equal(cm_client_record_contact(txn, c, note), CM_EINVAL);
	assert_int_equal(cm_client_record_contact(txn, c, e2), CM_EINVAL);
	assert_int_equal(cm_client_record_contact(txn, c2, e), CM_EINVAL);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(d == cm__store_digest(env.store));

	/* A stale client handle: the event is not left staged either. */
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	d = cm__store_digest(env.store);
	cm_event_free(e);
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT,
				      TH_T0 + 3600), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, stale, e), CM_ECONFLICT);
	assert_int_equal(cm_client_get_int(&v, stale, CM_CLIENT_NEXT_FOLLOWUP), CM_OK);
	assert_int_equal(v, CM_DATE_NONE);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(d == cm__store_digest(env.store));
	/* A due date past the calendar's end. */
	cm_event_free(e);
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT,
				      CM_TIME_MAX), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_EDATE);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(d == cm__store_digest(env.store));
	cm_event_free(e);
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT,
				      TH_T0 + 3600), CM_OK);
	/* Already committed events cannot be recorded again. */
	fx_event(&env, NULL, "c1", CM_EVENT_NOTE, TH_T0);
	cm_event_free(note);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_ESTATE);
	cm_txn_rollback(txn);
	cm_event_free(e);

	/* An event already staged in the transaction is refused (its save
	 * would replace the staged version): what was staged stays. */
	assert_int_equal(cm_event_new(&e, env.store, "c1", CM_EVENT_CONTACT,
				      TH_T0 + 7200), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT, "first"), CM_OK);
	v = due_of("c1");
	assert_int_equal(cm_txn_begin(&txn, env.store, "kim"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT, "second"), CM_OK);
	assert_int_equal(cm_client_record_contact(txn, c, e), CM_ESTATE);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(due_of("c1"), v);
	{
		cm_event *g;
		assert_int_equal(cm_event_get(&g, env.store, cm_event_id(e)), CM_OK);
		assert_string_equal(cm_event_text(g, CM_EVENT_TEXT), "first");
		cm_event_free(g);
	}
	cm_event_free(e);
	cm_event_free(e2);
	cm_client_free(c);
	cm_client_free(c2);
	cm_client_free(stale);
}

/* ---- allocation-failure sweep ------------------------------------------ */

/* The id of the setup's event, which the swept transaction amends. */
static char sweep_amended[40];

static void sweep_setup(struct th_env *e)
{
	fx_client(e, "c1", "cm-a", 2, TH_D0);
	fx_event(e, sweep_amended, "c1", CM_EVENT_DISCHARGE, FX_AT(TH_D0 - 2, 9));
}

static int sweep_run(struct th_env *e)
{
	cm_client *c = NULL, *n = NULL;
	cm_event *ev = NULL, *a = NULL, *x = NULL, *am = NULL;
	cm_event_iter *it = NULL;
	cm_txn *txn = NULL;
	int rc, i;

	FX_TRY(e, rc, cm_client_get(&c, e->store, "c1"));
	FX_TRY(e, rc, cm_client_new(&n, e->store));
	FX_TRY(e, rc, cm_client_set_text(n, CM_CLIENT_FAMILY, "New"));
	FX_TRY(e, rc, cm_event_new(&ev, e->store, "c1", CM_EVENT_CONTACT, TH_T0));
	FX_TRY(e, rc, cm_event_set_text(ev, CM_EVENT_TEXT, "called"));
	FX_TRY(e, rc, cm_event_new(&a, e->store, cm_client_id(n), CM_EVENT_NOTE, TH_T0));
	FX_TRY(e, rc, cm_txn_begin(&txn, e->store, "kim"));
	FX_TRY(e, rc, cm_client_save(txn, n));
	FX_TRY(e, rc, cm_event_save(txn, a));
	FX_TRY(e, rc, cm_client_record_contact(txn, c, ev));
	FX_TRY(e, rc, cm_event_add(txn, NULL, 0, "c1", CM_EVENT_NOTE, TH_T0 - 60,
				   CM_CONTACT_NONE, "added"));
	FX_TRY(e, rc, cm_event_new(&am, e->store, "c1", CM_EVENT_DISCHARGE,
				   FX_AT(TH_D0 - 1, 9)));
	FX_TRY(e, rc, cm_event_set_amends(am, sweep_amended));
	FX_TRY(e, rc, cm_event_save(txn, am));
	rc = cm_txn_commit(txn);
	txn = NULL;
	if (rc) {
		assert_int_equal(rc, CM_ENOMEM);
		goto fail;
	}
	FX_TRY(e, rc, cm_event_timeline(&it, e->store, "c1", CM_TIME_NONE,
					CM_TIME_NONE, 1));
	assert_int_equal(cm_event_iter_count(it), 4);
	FX_TRY(e, rc, cm_event_iter_next(&x, it));
	assert_int_equal(cm_event_type(x), CM_EVENT_CONTACT);
	/* The oldest, last: the amended discharge. */
	for (i = 0; i < 3; i++) {
		cm_event_free(x);
		x = NULL;
		FX_TRY(e, rc, cm_event_iter_next(&x, it));
	}
	assert_string_equal(cm_event_id(x), sweep_amended);
	assert_string_equal(cm_event_iter_amended_by(it), cm_event_id(am));
fail:
	cm_event_iter_free(it);
	cm_txn_rollback(txn);
	cm_event_free(x);
	cm_event_free(am);
	cm_event_free(a);
	cm_event_free(ev);
	cm_client_free(n);
	cm_client_free(c);
	return rc;
}

static void test_alloc_sweep(void **state)
{
	static const struct fx_scenario sc = { sweep_setup, sweep_run };
	(void)state;
	assert_true(fx_sweep(&sc) > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_client_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_immutable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_amend_and_timeline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeline_errors, setup, teardown),
		cmocka_unit_test(test_outlives_store),
		cmocka_unit_test_setup_teardown(test_versions_in_slabs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeline_extreme_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contact_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_contact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_contact_refused, setup, teardown),
		cmocka_unit_test(test_alloc_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
