/* cm_event_timeline_rows: the same rows as the cm_event_timeline iterator
 * (ids, order, time, type, mode, note prefix and length, amendment links)
 * across time bounds, both orders, paging, ties, amendments, long
 * multi-byte notes, a larger row layout and a reload; every error path
 * writes nothing and changes nothing. */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"

static struct th_env env;

static int setup(void **state)
{
	(void)state;
	th_open(&env);
	fx_client(&env, "c1", "m1", 1, TH_D0);
	fx_client(&env, "c2", "m1", 1, TH_D0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	th_close(&env);
	return 0;
}

#define MAXR 64

/* The note prefix a row holds for note (NULL: none): what the header
 * promises, computed independently (the longest whole-character prefix
 * of at most 127 bytes). */
static size_t prefix_len(const char *note)
{
	size_t n = note ? strlen(note) : 0, cut = 0, i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)note[i];
		size_t w = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (i + w > 127)
			break;
		i += w;
		cut = i;
	}
	return cut;
}

/* Events of cid with from <= time < to, counted from the whole timeline. */
static size_t count_in(cm_store *s, const char *cid, int64_t from, int64_t to)
{
	cm_event_iter *it;
	cm_event *e;
	size_t n = 0;
	int64_t t;

	assert_int_equal(cm_event_timeline(&it, s, cid, CM_TIME_NONE, CM_TIME_NONE,
					   0), CM_OK);
	while (cm_event_iter_next(&e, it) == CM_OK) {
		assert_int_equal(cm_event_get_int(&t, e, CM_EVENT_TIME), CM_OK);
		n += (from == CM_TIME_NONE || t >= from) &&
		     (to == CM_TIME_NONE || t < to);
		cm_event_free(e);
	}
	cm_event_iter_free(it);
	return n;
}

/* Rows for these arguments agree with the iterator's page. */
static void check_same(cm_store *s, const char *cid, int64_t from, int64_t to,
		       int32_t newest_first, size_t offset, size_t max)
{
	cm_event_row rows[MAXR];
	cm_event_iter *it;
	cm_event *e;
	size_t n = 99, total = 99, i = 0, pos = 0;

	assert_true(max <= MAXR);
	memset(rows, 0x5a, sizeof(rows));
	assert_int_equal(cm_event_timeline_rows(&n, &total, max ? rows : NULL,
						sizeof(rows[0]), max, s, cid, from,
						to, newest_first, offset), CM_OK);
	assert_int_equal(cm_event_timeline(&it, s, cid, from, to, newest_first),
			 CM_OK);
	assert_int_equal(total, cm_event_iter_count(it));
	while (cm_event_iter_next(&e, it) == CM_OK) {
		if (pos++ >= offset && i < max) {
			const cm_event_row *r = &rows[i++];
			const char *note = cm_event_text(e, CM_EVENT_TEXT);
			const char *amends = cm_event_amends(e);
			const char *by = cm_event_iter_amended_by(it);
			int64_t v;
			size_t cut = prefix_len(note);
			assert_string_equal(r->id, cm_event_id(e));
			assert_int_equal(cm_event_get_int(&v, e, CM_EVENT_TIME), CM_OK);
			assert_true(r->time == v);
			assert_int_equal(r->type, cm_event_type(e));
			assert_int_equal(cm_event_get_int(&v, e, CM_EVENT_MODE), CM_OK);
			assert_int_equal(r->mode, v);
			assert_int_equal(r->text_len, note ? strlen(note) : 0);
			assert_int_equal(strlen(r->text), cut);
			assert_true(cut == 0 || memcmp(r->text, note, cut) == 0);
			assert_string_equal(r->amends, amends ? amends : "");
			assert_string_equal(r->amended_by, by ? by : "");
		}
		cm_event_free(e);
	}
	cm_event_iter_free(it);
	assert_int_equal(n, i);
	/* Independently of the shared span: the bounds and the order. */
	assert_int_equal(total, count_in(s, cid, from, to));
	for (i = 0; i < n; i++) {
		assert_true(from == CM_TIME_NONE || rows[i].time >= from);
		assert_true(to == CM_TIME_NONE || rows[i].time < to);
		if (i > 0) {
			const cm_event_row *a = &rows[i - 1], *b = &rows[i];
			int later = b->time > a->time ||
				    (b->time == a->time && strcmp(b->id, a->id) > 0);
			assert_int_equal(later, !newest_first);
		}
	}
	/* Rows past the page are untouched. */
	for (; i < MAXR; i++)
		assert_int_equal((unsigned char)rows[i].id[0], 0x5a);
}

/* Every combination of bounds, order and paging for one client. */
static void check_all(cm_store *s, const char *cid, int64_t t1, int64_t t2)
{
	static const size_t offsets[] = { 0, 1, 2, 5, 1000, (size_t)-1 };
	static const size_t maxes[] = { 0, 1, 3, MAXR };
	const int64_t bounds[][2] = {
		{ CM_TIME_NONE, CM_TIME_NONE }, { t1, CM_TIME_NONE },
		{ CM_TIME_NONE, t2 }, { t1, t2 }, { t2, t1 }, { t1, t1 },
		{ t1 + 1, t2 + 1 },
	};
	size_t b, o, m;
	int32_t nf;

	for (nf = 0; nf <= 1; nf++)
		for (b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
			for (o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
				for (m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++)
					check_same(s, cid, bounds[b][0], bounds[b][1],
						   nf, offsets[o], maxes[m]);
}

/* Commit an event with a mode and a note; its id into buf (>= 40). */
static void add_event(char *buf, const char *cid, int32_t type, int64_t t,
		      int32_t mode, const char *note, const char *amends)
{
	cm_event *e;
	cm_txn *txn;

	assert_int_equal(cm_event_new(&e, env.store, cid, type, t), CM_OK);
	assert_int_equal(cm_event_set_int(e, CM_EVENT_MODE, mode), CM_OK);
	assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT, note), CM_OK);
	assert_int_equal(cm_event_set_amends(e, amends), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env.store, "tester"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	if (buf)
		strcpy(buf, cm_event_id(e));
	cm_event_free(e);
}

static void test_same_as_iterator(void **state)
{
	char note[600], id[40], wrong[40];
	int i;
	(void)state;

	/* No events yet: an empty timeline. */
	check_all(env.store, "c1", FX_AT(TH_D0, 0), FX_AT(TH_D0, 5));
	for (i = 0; i < 20; i++) {
		/* Notes of every length around the prefix's 127 bytes. */
		memset(note, 'a' + i % 26, sizeof(note));
		note[i < 10 ? 120 + i : 60 * i % 500] = '\0';
		add_event(NULL, "c1", 1 + i % CM_EVENT_NOTE, FX_AT(TH_D0, i % 7),
			  i % 4, i % 5 == 4 ? NULL : note, NULL);
	}
	/* Ties on time (ordered by id) and events of another client. */
	add_event(wrong, "c1", CM_EVENT_APPOINTMENT_MISSED, FX_AT(TH_D0, 3),
		  CM_CONTACT_NONE, "missed", NULL);
	add_event(NULL, "c2", CM_EVENT_NOTE, FX_AT(TH_D0, 3), CM_CONTACT_NONE,
		  "other client", NULL);
	check_all(env.store, "c1", FX_AT(TH_D0, 2), FX_AT(TH_D0, 5));
	/* Amendments: rows carry both links, as the iterator does; a second
	 * amendment is the latest. */
	add_event(id, "c1", CM_EVENT_APPOINTMENT_KEPT, FX_AT(TH_D0, 3),
		  CM_CONTACT_VISIT, "kept after all", wrong);
	add_event(NULL, "c1", CM_EVENT_APPOINTMENT_KEPT, FX_AT(TH_D0, 8),
		  CM_CONTACT_PHONE, "kept, by phone", wrong);
	check_all(env.store, "c1", FX_AT(TH_D0, 2), FX_AT(TH_D0, 5));
	check_all(env.store, "c2", FX_AT(TH_D0, 2), FX_AT(TH_D0, 5));
	{
		cm_event_row r[40];
		size_t n, j, seen = 0;
		assert_int_equal(cm_event_timeline_rows(&n, NULL, r, sizeof(r[0]), 40,
							env.store, "c1", CM_TIME_NONE,
							CM_TIME_NONE, 0, 0), CM_OK);
		assert_int_equal(n, 23);
		for (j = 0; j < n; j++) {
			if (strcmp(r[j].id, wrong) == 0) {
				assert_string_not_equal(r[j].amended_by, "");
				assert_string_not_equal(r[j].amended_by, id);
				seen++;
			} else if (strcmp(r[j].id, id) == 0) {
				assert_string_equal(r[j].amends, wrong);
				assert_string_equal(r[j].amended_by, "");
				seen++;
			}
		}
		assert_int_equal(seen, 2);
	}
}

/* A long note of multi-byte characters is cut between characters. */
static void test_utf8_prefix(void **state)
{
	static const char *const chars[] = { "\xc3\xa9", "\xe2\x82\xac",
					     "\xf0\x9f\x98\x80" };
	static const size_t cuts[] = { 126, 126, 124 };
	cm_event_row r[4];
	char note[1000];
	size_t n, c, i;
	(void)state;

	for (c = 0; c < 3; c++) {
		size_t w = strlen(chars[c]);
		note[0] = '\0';
		for (i = 0; (i + 1) * w < 400; i++)
			strcat(note, chars[c]);
		add_event(NULL, "c1", CM_EVENT_NOTE, FX_AT(TH_D0, c), 0, note, NULL);
	}
	/* 127 ASCII bytes fit whole; a 128th is cut. */
	memset(note, 'x', 128);
	note[127] = '\0';
	add_event(NULL, "c1", CM_EVENT_NOTE, FX_AT(TH_D0, 3), 0, note, NULL);
	assert_int_equal(cm_event_timeline_rows(&n, NULL, r, sizeof(r[0]), 4,
						env.store, "c1", CM_TIME_NONE,
						CM_TIME_NONE, 0, 0), CM_OK);
	assert_int_equal(n, 4);
	for (c = 0; c < 3; c++) {
		size_t w = strlen(chars[c]);
		assert_int_equal(strlen(r[c].text), cuts[c]);
		assert_int_equal(r[c].text_len, (399 / w) * w);
		assert_int_equal(cm_utf8_check(r[c].text, 127), CM_OK);
		assert_int_equal(memcmp(r[c].text, chars[c], w), 0);
	}
	assert_int_equal(strlen(r[3].text), 127);
	assert_int_equal(r[3].text_len, 127);
	check_all(env.store, "c1", FX_AT(TH_D0, 1), FX_AT(TH_D0, 3));
}

/* A later header's larger row: rows at its stride, its tail untouched;
 * count only with no rows. */
static void test_row_size_and_count(void **state)
{
	struct { cm_event_row r; char more[24]; } big[3];
	size_t n = 99, total = 99;
	int i;
	(void)state;

	for (i = 0; i < 5; i++)
		fx_event(&env, NULL, "c1", CM_EVENT_CONTACT, FX_AT(TH_D0, i));
	memset(big, 0x5a, sizeof(big));
	assert_int_equal(cm_event_timeline_rows(&n, &total, &big[0].r, sizeof(big[0]),
						3, env.store, "c1", CM_TIME_NONE,
						CM_TIME_NONE, 1, 1), CM_OK);
	assert_int_equal(n, 3);
	assert_int_equal(total, 5);
	for (i = 0; i < 3; i++) {
		assert_true(big[i].r.time == FX_AT(TH_D0, 3 - i));
		assert_int_equal((unsigned char)big[i].more[0], 0x5a);
		assert_int_equal((unsigned char)big[i].more[23], 0x5a);
	}
	assert_int_equal(cm_event_timeline_rows(&n, &total, NULL, sizeof(cm_event_row),
						0, env.store, "c1", FX_AT(TH_D0, 1),
						CM_TIME_NONE, 0, 0), CM_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 4);
}

static void test_errors(void **state)
{
	cm_event_row rows[2], before[2];
	size_t n = 7, total = 7;
	uint64_t d;
	char longid[80];
	(void)state;

	fx_event(&env, NULL, "c1", CM_EVENT_NOTE, TH_T0);
	memset(rows, 0x5a, sizeof(rows));
	memcpy(before, rows, sizeof(rows));
	memset(longid, 'c', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	d = cm__store_digest(env.store);
#define CALL(out, r, size, max, s, cid, nf) \
	cm_event_timeline_rows(out, &total, r, size, max, s, cid, CM_TIME_NONE, \
			       CM_TIME_NONE, nf, 0)
	assert_int_equal(CALL(NULL, rows, sizeof(rows[0]), 2, env.store, "c1", 0), CM_EINVAL);
	assert_int_equal(CALL(&n, NULL, sizeof(rows[0]), 2, env.store, "c1", 0), CM_EINVAL);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, NULL, "c1", 0), CM_EINVAL);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, NULL, 0), CM_EINVAL);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "c1", 2), CM_EINVAL);
	assert_non_null(strstr(cm_store_errmsg(env.store), "newest_first"));
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "c1", -1), CM_EINVAL);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]) - 8, 2, env.store, "c1", 0), CM_EVERSION);
	assert_non_null(strstr(cm_store_errmsg(env.store), "row size"));
	assert_int_equal(CALL(&n, rows, 0, 2, env.store, "c1", 0), CM_EVERSION);
	/* A size rows could not be written at without misalignment. */
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]) + 1, 2, env.store, "c1", 0), CM_EINVAL);
	assert_non_null(strstr(cm_store_errmsg(env.store), "not a multiple"));
	/* Ids no client has, or can have. */
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "zz", 0), CM_ENOTFOUND);
	assert_non_null(strstr(cm_store_errmsg(env.store), "no client"));
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "", 0), CM_ENOTFOUND);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, longid, 0), CM_ENOTFOUND);
	assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "c\xff", 0), CM_ENOTFOUND);
	assert_int_equal(n, 7);
	assert_int_equal(total, 7);
	assert_int_equal(memcmp(rows, before, sizeof(rows)), 0);
	assert_true(d == cm__store_digest(env.store));
	{
		cm_client *c;
		assert_int_equal(cm_client_get(&c, env.store, "c1"), CM_OK);
		cm_store_close(env.store);
		assert_int_equal(CALL(&n, rows, sizeof(rows[0]), 2, env.store, "c1", 0), CM_ESTATE);
		assert_int_equal(n, 7);
		assert_int_equal(total, 7);
		assert_int_equal(memcmp(rows, before, sizeof(rows)), 0);
		cm_client_free(c);
		assert_int_equal(env.alloc.live, 0);
		th_open(&env);
	}
#undef CALL
}

/* Rows allocate nothing. */
static void test_no_allocation(void **state)
{
	cm_event_row rows[4];
	size_t n;
	long count;
	(void)state;

	fx_event(&env, NULL, "c1", CM_EVENT_NOTE, TH_T0);
	count = env.alloc.count;
	assert_int_equal(cm_event_timeline_rows(&n, NULL, rows, sizeof(rows[0]), 4,
						env.store, "c1", CM_TIME_NONE,
						CM_TIME_NONE, 1, 0), CM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(env.alloc.count, count);
}

/* Close the suite's store and open one on a new journal dir/j, with
 * client c1 (manager m1) committed. */
static void open_on_journal(char dir[64], char path[96])
{
	th_close(&env);
	fx_tmpdir(dir, 64);
	snprintf(path, 96, "%s/j", dir);
	th_open_journal(&env, path);
	fx_client(&env, "c1", "m1", 1, TH_D0);
}

/* Reopened from storage: the rows come from the index the load built. */
static void test_reload(void **state)
{
	char dir[64], path[96], wrong[40];
	(void)state;

	open_on_journal(dir, path);
	add_event(wrong, "c1", CM_EVENT_CONTACT, FX_AT(TH_D0, 2), CM_CONTACT_PHONE,
		  "first", NULL);
	add_event(NULL, "c1", CM_EVENT_CONTACT_ATTEMPT, FX_AT(TH_D0, 2),
		  CM_CONTACT_PHONE, "only an attempt", wrong);
	add_event(NULL, "c1", CM_EVENT_NOTE, FX_AT(TH_D0, 1), 0, NULL, NULL);
	th_close(&env);
	th_open_journal(&env, path);
	check_all(env.store, "c1", FX_AT(TH_D0, 1), FX_AT(TH_D0, 2));
	th_close(&env);
	fx_rmdir(dir);
	th_open(&env);
}

/* The amended_by of c1's event id in its timeline rows into by ("" if
 * none). */
static void amended_by_of(char by[65], const char *id)
{
	cm_event_row r[16];
	size_t n, j;

	assert_int_equal(cm_event_timeline_rows(&n, NULL, r, sizeof(r[0]), 16,
						env.store, "c1", CM_TIME_NONE,
						CM_TIME_NONE, 0, 0), CM_OK);
	for (j = 0; j < n; j++) {
		if (strcmp(r[j].id, id) == 0) {
			strcpy(by, r[j].amended_by);
			return;
		}
	}
	fail_msg("event %s not in the timeline", id);
}

/* An event's amendment is the latest of its amendments in the client's
 * timeline (by time, then id), whatever the order they were committed
 * in; amendments amend too; and a reload from the journal gives the
 * same. */
static void test_amendment_order(void **state)
{
	char dir[64], path[96], wrong[40], late[40], early[40], fix[40];
	char by[65];
	int pass;
	(void)state;

	open_on_journal(dir, path);
	add_event(wrong, "c1", CM_EVENT_APPOINTMENT_MISSED, FX_AT(TH_D0, 3),
		  CM_CONTACT_NONE, "missed", NULL);
	add_event(late, "c1", CM_EVENT_APPOINTMENT_KEPT, FX_AT(TH_D0, 8),
		  CM_CONTACT_VISIT, "kept", wrong);
	/* Committed after, but earlier in the timeline: not the latest. */
	add_event(early, "c1", CM_EVENT_APPOINTMENT_KEPT, FX_AT(TH_D0, 5),
		  CM_CONTACT_PHONE, "kept, by phone", wrong);
	add_event(fix, "c1", CM_EVENT_NOTE, FX_AT(TH_D0, 9), CM_CONTACT_NONE,
		  "corrects the visit", late);
	for (pass = 0; pass < 2; pass++) {
		amended_by_of(by, wrong);
		assert_string_equal(by, late);
		amended_by_of(by, late);
		assert_string_equal(by, fix);
		amended_by_of(by, early);
		assert_string_equal(by, "");
		amended_by_of(by, fix);
		assert_string_equal(by, "");
		th_close(&env);
		th_open_journal(&env, path);
	}
	/* A later amendment takes over; at the same time, the one with the
	 * greater id (made later: ids sort by creation) does. */
	add_event(late, "c1", CM_EVENT_APPOINTMENT_KEPT, FX_AT(TH_D0, 10),
		  CM_CONTACT_VISIT, "kept, confirmed", wrong);
	amended_by_of(by, wrong);
	assert_string_equal(by, late);
	add_event(early, "c1", CM_EVENT_APPOINTMENT_KEPT, FX_AT(TH_D0, 10),
		  CM_CONTACT_VISIT, "kept, confirmed again", wrong);
	assert_true(strcmp(early, late) > 0);
	amended_by_of(by, wrong);
	assert_string_equal(by, early);
	th_close(&env);
	fx_rmdir(dir);
	th_open(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_iterator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_utf8_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_size_and_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_allocation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_amendment_order, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
