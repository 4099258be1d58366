/*
 * Calendar dates and instants: public API and the internal helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "casemgr/common.h"
#include "core/datetime.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- known day numbers ------------------------------------------------- */

struct ymd_case {
	int32_t y, m, d;
	int32_t days;
	const char *text;
};

static const struct ymd_case known[] = {
	{ 1970, 1, 1, 0, "1970-01-01" },
	{ 1970, 1, 2, 1, "1970-01-02" },
	{ 1969, 12, 31, -1, "1969-12-31" },
	{ 2000, 1, 1, 10957, "2000-01-01" },
	{ 2000, 2, 29, 11016, "2000-02-29" },
	{ 2000, 3, 1, 11017, "2000-03-01" },
	{ 1900, 2, 28, -25509, "1900-02-28" },
	{ 1900, 3, 1, -25508, "1900-03-01" },
	{ 2024, 2, 29, 19782, "2024-02-29" },
	{ 2026, 11, 23, 20780, "2026-11-23" },
	{ 1600, 3, 1, -135080, "1600-03-01" },
	{ 1, 1, 1, CM_DATE_MIN, "0001-01-01" },
	{ 9999, 12, 31, CM_DATE_MAX, "9999-12-31" },
};

static void test_known_days(void **state)
{
	size_t i;
	int32_t days, y, m, d;
	char buf[CM_DATE_BUFSIZE];

	(void)state;
	for (i = 0; i < ARRAY_LEN(known); i++) {
		const struct ymd_case *c = &known[i];

		assert_int_equal(cm__days_from_civil(c->y, c->m, c->d),
				 c->days);
		assert_int_equal(cm_date_from_ymd(&days, c->y, c->m, c->d),
				 CM_OK);
		assert_int_equal(days, c->days);
		assert_int_equal(cm_date_to_ymd(&y, &m, &d, c->days), CM_OK);
		assert_int_equal(y, c->y);
		assert_int_equal(m, c->m);
		assert_int_equal(d, c->d);
		assert_int_equal(cm_date_format(buf, sizeof(buf), c->days),
				 CM_OK);
		assert_string_equal(buf, c->text);
		assert_int_equal(cm_date_parse(&days, c->text), CM_OK);
		assert_int_equal(days, c->days);
	}
}

/* The header's CM_TIME_* constants agree with the CM_DATE_* ones. */
static void test_limits_consistent(void **state)
{
	(void)state;
	assert_true((int64_t)CM_DATE_MIN * 86400 == CM_TIME_MIN);
	assert_true((int64_t)CM_DATE_MAX * 86400 + 86399 == CM_TIME_MAX);
	assert_int_equal(strlen("9999-12-31") + 1, CM_DATE_BUFSIZE);
	assert_int_equal(strlen("9999-12-31T23:59:59Z") + 1, CM_TIME_BUFSIZE);
}

/* ---- exhaustive round trips -------------------------------------------- */

static int is_leap_ref(int32_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Walk every day from 0001-01-01 to 9999-12-31 with an independent
 * calendar counter, checking both directions and the text form.
 */
static void test_every_day_round_trip(void **state)
{
	static const int32_t mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int32_t y = 1, m = 1, d = 1, days, oy, om, od, back;
	char buf[CM_DATE_BUFSIZE], want[CM_DATE_BUFSIZE];
	int64_t count = 0;

	(void)state;
	for (days = CM_DATE_MIN; days <= CM_DATE_MAX; days++) {
		assert_int_equal(cm_date_to_ymd(&oy, &om, &od, days), CM_OK);
		if (oy != y || om != m || od != d)
			fail_msg("day %d: got %d-%d-%d, want %d-%d-%d",
				 (int)days, (int)oy, (int)om, (int)od,
				 (int)y, (int)m, (int)d);
		assert_int_equal(cm_date_from_ymd(&back, y, m, d), CM_OK);
		assert_int_equal(back, days);

		assert_int_equal(cm_date_format(buf, sizeof(buf), days), CM_OK);
		want[0] = (char)('0' + y / 1000);
		want[1] = (char)('0' + y / 100 % 10);
		want[2] = (char)('0' + y / 10 % 10);
		want[3] = (char)('0' + y % 10);
		want[4] = '-';
		want[5] = (char)('0' + m / 10);
		want[6] = (char)('0' + m % 10);
		want[7] = '-';
		want[8] = (char)('0' + d / 10);
		want[9] = (char)('0' + d % 10);
		want[10] = '\0';
		if (strcmp(buf, want) != 0)
			fail_msg("day %d formatted as %s, want %s",
				 (int)days, buf, want);
		back = 0;
		assert_int_equal(cm_date_parse(&back, buf), CM_OK);
		assert_int_equal(back, days);
		count++;

		/* advance the reference calendar */
		if (d < mdays[m - 1] + (m == 2 && is_leap_ref(y))) {
			d++;
		} else if (m < 12) {
			m++;
			d = 1;
		} else {
			y++;
			m = 1;
			d = 1;
		}
	}
	assert_int_equal(y, 10000);
	/* 400 years are 146097 days; 9999 years are 24 cycles + 399 years. */
	assert_true(count == (int64_t)CM_DATE_MAX - CM_DATE_MIN + 1);
	assert_true(count == 3652059);
}

/* Hinnant's algorithms are exact far outside the public range too. */
static void test_civil_beyond_range(void **state)
{
	static const int32_t probes[] = {
		-3000000, -800000, CM_DATE_MIN - 1, CM_DATE_MAX + 1, 3000000,
		-719528, /* 0000-01-01 */
	};
	size_t i;
	int32_t y, m, d;

	(void)state;
	for (i = 0; i < ARRAY_LEN(probes); i++) {
		cm__civil_from_days(probes[i], &y, &m, &d);
		assert_int_equal(cm__days_from_civil(y, m, d), probes[i]);
	}
	cm__civil_from_days(-719528, &y, &m, &d);
	assert_int_equal(y, 0);
	assert_int_equal(m, 1);
	assert_int_equal(d, 1);
	cm__civil_from_days(CM_DATE_MAX + 1, &y, &m, &d);
	assert_int_equal(y, 10000);
	assert_int_equal(m, 1);
	assert_int_equal(d, 1);
}

/* ---- validity ---------------------------------------------------------- */

static void test_leap_years(void **state)
{
	static const struct {
		int32_t y;
		int leap;
	} cases[] = {
		{ 1900, 0 }, { 2000, 1 }, { 2024, 1 }, { 2026, 0 },
		{ 2100, 0 }, { 2400, 1 }, { 1, 0 }, { 4, 1 }, { 100, 0 },
		{ 400, 1 }, { 9996, 1 }, { 9999, 0 },
	};
	size_t i;
	int32_t days = 42;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int32_t y = cases[i].y;

		assert_int_equal(cm__date_valid(y, 2, 29), cases[i].leap);
		assert_int_equal(cm__date_valid(y, 2, 28), 1);
		assert_int_equal(cm__date_valid(y, 2, 30), 0);
		assert_int_equal(cm_date_from_ymd(&days, y, 2, 29),
				 cases[i].leap ? CM_OK : CM_EDATE);
		/* Feb 28 to Mar 1 is one or two days. */
		assert_int_equal(cm__days_from_civil(y, 3, 1) -
					 cm__days_from_civil(y, 2, 28),
				 1 + cases[i].leap);
	}
}

static void test_month_lengths(void **state)
{
	static const int32_t len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int32_t m;

	(void)state;
	for (m = 1; m <= 12; m++) {
		assert_int_equal(cm__date_valid(2026, m, len[m - 1]), 1);
		assert_int_equal(cm__date_valid(2026, m, len[m - 1] + 1), 0);
		assert_int_equal(cm__date_valid(2026, m, 0), 0);
		assert_int_equal(cm__date_valid(2026, m, 1), 1);
	}
}

static void test_from_ymd_rejects(void **state)
{
	static const int32_t bad[][3] = {
		{ 2026, 2, 29 }, { 2026, 2, 30 }, { 2026, 13, 1 },
		{ 2026, 0, 1 }, { 2026, 1, 0 }, { 2026, 1, 32 },
		{ 2026, 4, 31 }, { 0, 1, 1 }, { 10000, 1, 1 }, { -1, 1, 1 },
		{ 1900, 2, 29 }, { 2026, -1, 1 }, { 2026, 1, -1 },
		{ INT32_MIN, 1, 1 }, { INT32_MAX, 12, 31 },
		{ 2026, INT32_MAX, 1 }, { 2026, 1, INT32_MAX },
	};
	size_t i;
	int32_t days = 12345;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		assert_int_equal(cm_date_from_ymd(&days, bad[i][0], bad[i][1],
						  bad[i][2]),
				 CM_EDATE);
		assert_int_equal(days, 12345);  /* untouched on failure */
	}
	assert_int_equal(cm_date_from_ymd(NULL, 2026, 1, 1), CM_EINVAL);
	assert_int_equal(cm_date_from_ymd(NULL, 2026, 2, 30), CM_EINVAL);
}

static void test_to_ymd_rejects(void **state)
{
	static const int32_t bad[] = {
		CM_DATE_MIN - 1, CM_DATE_MAX + 1, CM_DATE_NONE, INT32_MAX,
	};
	size_t i;
	int32_t y = 7, m = 7, d = 7;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		assert_int_equal(cm_date_to_ymd(&y, &m, &d, bad[i]), CM_EDATE);
		assert_int_equal(y, 7);
		assert_int_equal(m, 7);
		assert_int_equal(d, 7);
	}
	assert_int_equal(cm_date_to_ymd(NULL, &m, &d, 0), CM_EINVAL);
	assert_int_equal(cm_date_to_ymd(&y, NULL, &d, 0), CM_EINVAL);
	assert_int_equal(cm_date_to_ymd(&y, &m, NULL, 0), CM_EINVAL);
	assert_int_equal(y, 7);
	assert_int_equal(d, 7);
}

static void test_range_helpers(void **state)
{
	(void)state;
	assert_int_equal(cm__days_valid(CM_DATE_MIN), 1);
	assert_int_equal(cm__days_valid(CM_DATE_MAX), 1);
	assert_int_equal(cm__days_valid(0), 1);
	assert_int_equal(cm__days_valid((int64_t)CM_DATE_MIN - 1), 0);
	assert_int_equal(cm__days_valid((int64_t)CM_DATE_MAX + 1), 0);
	assert_int_equal(cm__days_valid(CM_DATE_NONE), 0);
	assert_int_equal(cm__days_valid(INT64_MAX), 0);
	assert_int_equal(cm__time_valid(CM_TIME_MIN), 1);
	assert_int_equal(cm__time_valid(CM_TIME_MAX), 1);
	assert_int_equal(cm__time_valid(CM_TIME_MIN - 1), 0);
	assert_int_equal(cm__time_valid(CM_TIME_MAX + 1), 0);
	assert_int_equal(cm__time_valid(CM_TIME_NONE), 0);
	assert_int_equal(cm__time_valid(INT64_MAX), 0);
}

/* ---- date text --------------------------------------------------------- */

struct parse_case {
	const char *text;
	int rc;
};

static void test_date_parse_rejects(void **state)
{
	static const struct parse_case cases[] = {
		/* impossible values: right shape */
		{ "2026-02-29", CM_EDATE },
		{ "2026-02-30", CM_EDATE },
		{ "2026-13-01", CM_EDATE },
		{ "2026-00-10", CM_EDATE },
		{ "2026-01-00", CM_EDATE },
		{ "2026-01-32", CM_EDATE },
		{ "2026-06-31", CM_EDATE },
		{ "0000-01-01", CM_EDATE },
		{ "1900-02-29", CM_EDATE },
		{ "2026-99-99", CM_EDATE },
		/* malformed */
		{ "", CM_EINVAL },
		{ "2026", CM_EINVAL },
		{ "2026-01", CM_EINVAL },
		{ "2026-01-0", CM_EINVAL },
		{ "2026-1-05", CM_EINVAL },
		{ "26-01-05", CM_EINVAL },
		{ "02026-01-05", CM_EINVAL },
		{ "2026-01-05 ", CM_EINVAL },
		{ " 2026-01-05", CM_EINVAL },
		{ "2026-01-05x", CM_EINVAL },
		{ "2026-01-05T00:00:00Z", CM_EINVAL },
		{ "2026/01/05", CM_EINVAL },
		{ "2026-01/05", CM_EINVAL },
		{ "20260105", CM_EINVAL },
		{ "+026-01-05", CM_EINVAL },
		{ "-026-01-05", CM_EINVAL },
		{ "2026-+1-05", CM_EINVAL },
		{ "2026--1-05", CM_EINVAL },
		{ "2026- 1-05", CM_EINVAL },
		{ "2026-01- 5", CM_EINVAL },
		{ "2026-01-5 ", CM_EINVAL },
		{ "2O26-01-05", CM_EINVAL },
		{ "2026-0a-05", CM_EINVAL },
		{ "\xef\xbc\x92""026-01-05", CM_EINVAL },  /* fullwidth 2 */
	};
	size_t i;
	int32_t days = 4242;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int rc = cm_date_parse(&days, cases[i].text);

		if (rc != cases[i].rc)
			fail_msg("\"%s\": got %d, want %d", cases[i].text, rc,
				 cases[i].rc);
		assert_int_equal(days, 4242);
	}
	/* An embedded NUL ends the text: what follows is not looked at. */
	assert_int_equal(cm_date_parse(&days, "2026-01-05\0garbage"), CM_OK);
	assert_int_equal(days, 20458);
	assert_int_equal(cm_date_parse(NULL, "2026-01-05"), CM_EINVAL);
	assert_int_equal(cm_date_parse(&days, NULL), CM_EINVAL);
}

static void test_date_format_args(void **state)
{
	char buf[32];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(cm_date_format(NULL, 64, 0), CM_EINVAL);
	assert_int_equal(cm_date_format(buf, 0, 0), CM_EINVAL);
	assert_int_equal(cm_date_format(buf, CM_DATE_BUFSIZE - 1, 0),
			 CM_EINVAL);
	assert_int_equal(buf[0], 'x');  /* nothing written on failure */
	assert_int_equal(cm_date_format(buf, sizeof(buf), CM_DATE_NONE),
			 CM_EDATE);
	assert_int_equal(cm_date_format(buf, sizeof(buf), CM_DATE_MIN - 1),
			 CM_EDATE);
	assert_int_equal(cm_date_format(buf, sizeof(buf), CM_DATE_MAX + 1),
			 CM_EDATE);
	assert_int_equal(buf[0], 'x');
	/* Exactly CM_DATE_BUFSIZE is enough, and nothing past it is written. */
	assert_int_equal(cm_date_format(buf, CM_DATE_BUFSIZE, 20780), CM_OK);
	assert_string_equal(buf, "2026-11-23");
	assert_int_equal(buf[CM_DATE_BUFSIZE], 'x');
}

/* ---- instants ---------------------------------------------------------- */

struct time_case {
	const char *text;
	int64_t t;
};

static void test_time_parse_ok(void **state)
{
	static const struct time_case cases[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01T00:00:01Z", 1 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2026-11-23T09:00:00Z", 1795424400 },
		{ "2026-11-23T10:00:00+01:00", 1795424400 },
		{ "2026-11-23T04:00:00-05:00", 1795424400 },
		{ "2026-11-23T14:30:00+05:30", 1795424400 },
		{ "2026-11-24T08:58:00+23:59", 1795424400 - 60 },
		{ "2026-11-22T09:02:00-23:59", 1795424400 + 60 },
		{ "2026-11-23T09:00:00-00:00", 1795424400 },
		{ "2026-11-23T09:00:00+00:00", 1795424400 },
		{ "2026-11-23t09:00:00z", 1795424400 },
		{ "2026-11-23 09:00:00Z", 1795424400 },
		{ "2026-11-23T09:00:00.999999999Z", 1795424400 },
		{ "2026-11-23T09:00:00.5+01:00", 1795424400 - 3600 },
		{ "2026-11-23T09:00:00.0z", 1795424400 },
		{ "2000-02-29T12:00:00Z", 951825600 },
		{ "2038-01-19T03:14:08Z", 2147483648LL },
		{ "0001-01-01T00:00:00Z", CM_TIME_MIN },
		{ "0001-01-01T01:00:00+01:00", CM_TIME_MIN },
		{ "0001-01-01T00:00:00-01:00", CM_TIME_MIN + 3600 },
		{ "9999-12-31T23:59:59Z", CM_TIME_MAX },
		{ "9999-12-31T22:59:59-01:00", CM_TIME_MAX },
		{ "9999-12-31T23:59:59+01:00", CM_TIME_MAX - 3600 },
		{ "1900-01-01T00:00:00Z", -2208988800LL },
	};
	size_t i;
	int64_t t;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		t = 12345;
		assert_int_equal(cm_time_parse(&t, cases[i].text), CM_OK);
		if (t != cases[i].t)
			fail_msg("\"%s\": got %lld, want %lld", cases[i].text,
				 (long long)t, (long long)cases[i].t);
	}
}

static void test_time_parse_rejects(void **state)
{
	static const struct parse_case cases[] = {
		/* impossible values */
		{ "2026-11-23T24:00:00Z", CM_EDATE },
		{ "2026-11-23T23:60:00Z", CM_EDATE },
		{ "2026-11-23T23:59:60Z", CM_EDATE },
		{ "2026-11-23T23:59:61Z", CM_EDATE },
		{ "2026-11-23T99:99:99Z", CM_EDATE },
		{ "2026-02-29T10:00:00Z", CM_EDATE },
		{ "2026-02-30T10:00:00Z", CM_EDATE },
		{ "2026-13-01T10:00:00Z", CM_EDATE },
		{ "2026-01-00T10:00:00Z", CM_EDATE },
		{ "0000-12-31T23:00:00-02:00", CM_EDATE },
		{ "2026-11-23T10:00:00+24:00", CM_EDATE },
		{ "2026-11-23T10:00:00-24:00", CM_EDATE },
		{ "2026-11-23T10:00:00+23:60", CM_EDATE },
		{ "2026-11-23T10:00:00+99:99", CM_EDATE },
		/* in range locally, out of range in UTC */
		{ "0001-01-01T00:00:00+00:01", CM_EDATE },
		{ "0001-01-01T00:59:59+01:00", CM_EDATE },
		{ "9999-12-31T23:59:59-00:01", CM_EDATE },
		{ "9999-12-31T23:00:00-01:00", CM_EDATE },
		/* malformed */
		{ "", CM_EINVAL },
		{ "2026-11-23", CM_EINVAL },
		{ "2026-11-23T", CM_EINVAL },
		{ "2026-11-23T10:00", CM_EINVAL },
		{ "2026-11-23T10:00Z", CM_EINVAL },
		{ "2026-11-23T10:00:00", CM_EINVAL },          /* no zone */
		{ "2026-02-30T10:00:00", CM_EINVAL },          /* no zone wins */
		{ "2026-11-23T10:00:00.5", CM_EINVAL },
		{ "2026-11-23T10:00:00.Z", CM_EINVAL },
		{ "2026-11-23T10:00:00,5Z", CM_EINVAL },
		{ "2026-11-23T10:00:00ZZ", CM_EINVAL },
		{ "2026-11-23T10:00:00Z ", CM_EINVAL },
		{ " 2026-11-23T10:00:00Z", CM_EINVAL },
		{ "2026-11-23T10:00:00Zgarbage", CM_EINVAL },
		{ "2026-11-23T10:00:00+01:00x", CM_EINVAL },
		{ "2026-11-23T10:00:00+01", CM_EINVAL },
		{ "2026-11-23T10:00:00+0100", CM_EINVAL },
		{ "2026-11-23T10:00:00+1:00", CM_EINVAL },
		{ "2026-11-23T10:00:00+01:0", CM_EINVAL },
		{ "2026-11-23T10:00:00+01:", CM_EINVAL },
		{ "2026-11-23T10:00:00+", CM_EINVAL },
		{ "2026-11-23T10:00:00+ 1:00", CM_EINVAL },
		{ "2026-11-23T10:00:00++1:00", CM_EINVAL },
		{ "2026-11-23T10:00:00UTC", CM_EINVAL },
		{ "2026-11-23T10:00:00 Z", CM_EINVAL },
		{ "2026-11-23X10:00:00Z", CM_EINVAL },
		{ "2026-11-23  10:00:00Z", CM_EINVAL },
		{ "2026-11-23T1:00:00Z", CM_EINVAL },
		{ "2026-11-23T 1:00:00Z", CM_EINVAL },
		{ "2026-11-23T-1:00:00Z", CM_EINVAL },
		{ "2026-11-23T10:+0:00Z", CM_EINVAL },
		{ "2026-11-23T10:00:-0Z", CM_EINVAL },
		{ "2026-11-23T10-00-00Z", CM_EINVAL },
		{ "2026-11-23T10:00:00.-1Z", CM_EINVAL },
		{ "2026-11-23T10:00:00.1 Z", CM_EINVAL },
		{ "2026-1-23T10:00:00Z", CM_EINVAL },
		{ "+2026-11-23T10:00:00Z", CM_EINVAL },
		{ "20261123T100000Z", CM_EINVAL },
	};
	size_t i;
	int64_t t = 777;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int rc = cm_time_parse(&t, cases[i].text);

		if (rc != cases[i].rc)
			fail_msg("\"%s\": got %d, want %d", cases[i].text, rc,
				 cases[i].rc);
		assert_true(t == 777);
	}
	assert_int_equal(cm_time_parse(NULL, "2026-11-23T10:00:00Z"),
			 CM_EINVAL);
	assert_int_equal(cm_time_parse(&t, NULL), CM_EINVAL);
	assert_true(t == 777);
}

static void test_time_format(void **state)
{
	static const struct time_case cases[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "1969-12-31T00:00:00Z", -86400 },
		{ "1969-12-30T23:59:59Z", -86401 },
		{ "2026-11-23T09:00:00Z", 1795424400 },
		{ "2038-01-19T03:14:08Z", 2147483648LL },
		{ "0001-01-01T00:00:00Z", CM_TIME_MIN },
		{ "9999-12-31T23:59:59Z", CM_TIME_MAX },
		{ "1900-01-01T00:00:00Z", -2208988800LL },
	};
	char buf[CM_TIME_BUFSIZE + 4];
	size_t i;
	int64_t t;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(cm_time_format(buf, CM_TIME_BUFSIZE,
						cases[i].t),
				 CM_OK);
		assert_string_equal(buf, cases[i].text);
		assert_int_equal(cm_time_parse(&t, buf), CM_OK);
		assert_true(t == cases[i].t);
	}

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(cm_time_format(NULL, 64, 0), CM_EINVAL);
	assert_int_equal(cm_time_format(buf, 0, 0), CM_EINVAL);
	assert_int_equal(cm_time_format(buf, CM_TIME_BUFSIZE - 1, 0),
			 CM_EINVAL);
	assert_int_equal(cm_time_format(buf, sizeof(buf), CM_TIME_NONE),
			 CM_EDATE);
	assert_int_equal(cm_time_format(buf, sizeof(buf), CM_TIME_MIN - 1),
			 CM_EDATE);
	assert_int_equal(cm_time_format(buf, sizeof(buf), CM_TIME_MAX + 1),
			 CM_EDATE);
	assert_int_equal(cm_time_format(buf, sizeof(buf), INT64_MAX),
			 CM_EDATE);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(cm_time_format(buf, CM_TIME_BUFSIZE, 0), CM_OK);
	assert_int_equal(buf[CM_TIME_BUFSIZE], 'x');
}

/*
 * Every second of two whole days around the epoch, and instants across
 * the whole range (stride 5 days 01:00:07, so the time of day drifts),
 * survive format -> parse; a +02:30 rendering of the same instant parses
 * to the same value.
 */
static void test_time_round_trip(void **state)
{
	char buf[CM_TIME_BUFSIZE], zoned[40];
	int64_t t, back;

	(void)state;
	for (t = -86400; t < 86400; t++) {
		assert_int_equal(cm_time_format(buf, sizeof(buf), t), CM_OK);
		assert_int_equal(cm_time_parse(&back, buf), CM_OK);
		assert_true(back == t);
	}
	for (t = CM_TIME_MIN; t <= CM_TIME_MAX; t += 86400 * 5 + 3607) {
		assert_int_equal(cm_time_format(buf, sizeof(buf), t), CM_OK);
		assert_int_equal(cm_time_parse(&back, buf), CM_OK);
		assert_true(back == t);
		/* 02:30 ahead: same instant written as local time. */
		if (t + 9000 <= CM_TIME_MAX) {
			assert_int_equal(cm_time_format(zoned, sizeof(zoned),
							t + 9000),
					 CM_OK);
			memcpy(zoned + 19, "+02:30", 7);
			assert_int_equal(cm_time_parse(&back, zoned), CM_OK);
			assert_true(back == t);
		}
	}
}

static void test_time_to_date(void **state)
{
	static const struct {
		int64_t t;
		int32_t days;
	} cases[] = {
		{ 0, 0 },
		{ 86399, 0 },
		{ 86400, 1 },
		{ -1, -1 },
		{ -86399, -1 },
		{ -86400, -1 },
		{ -86401, -2 },
		{ 1795424400, 20780 },
		{ CM_TIME_MIN, CM_DATE_MIN },
		{ CM_TIME_MIN + 86399, CM_DATE_MIN },
		{ CM_TIME_MAX, CM_DATE_MAX },
		{ CM_TIME_MAX - 86399, CM_DATE_MAX },
		{ CM_TIME_MAX - 86400, CM_DATE_MAX - 1 },
	};
	size_t i;
	int32_t days, y, m, d;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		days = 99;
		assert_int_equal(cm_time_to_date(&days, cases[i].t), CM_OK);
		assert_int_equal(days, cases[i].days);
		assert_int_equal(cm__time_day(cases[i].t), cases[i].days);
	}
	/* -1 is the last second of 1969-12-31. */
	assert_int_equal(cm_time_to_date(&days, -1), CM_OK);
	assert_int_equal(cm_date_to_ymd(&y, &m, &d, days), CM_OK);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);

	days = 99;
	assert_int_equal(cm_time_to_date(&days, CM_TIME_MIN - 1), CM_EDATE);
	assert_int_equal(cm_time_to_date(&days, CM_TIME_MAX + 1), CM_EDATE);
	assert_int_equal(cm_time_to_date(&days, CM_TIME_NONE), CM_EDATE);
	assert_int_equal(cm_time_to_date(&days, INT64_MAX), CM_EDATE);
	assert_int_equal(days, 99);
	assert_int_equal(cm_time_to_date(NULL, 0), CM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_days),
		cmocka_unit_test(test_limits_consistent),
		cmocka_unit_test(test_every_day_round_trip),
		cmocka_unit_test(test_civil_beyond_range),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_month_lengths),
		cmocka_unit_test(test_from_ymd_rejects),
		cmocka_unit_test(test_to_ymd_rejects),
		cmocka_unit_test(test_range_helpers),
		cmocka_unit_test(test_date_parse_rejects),
		cmocka_unit_test(test_date_format_args),
		cmocka_unit_test(test_time_parse_ok),
		cmocka_unit_test(test_time_parse_rejects),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_time_round_trip),
		cmocka_unit_test(test_time_to_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
