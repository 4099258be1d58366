/*
 * fuzz_date_time: text into cm_date_parse and cm_time_parse, and the first
 * bytes as numbers into cm_date_format and cm_time_format.
 *
 * Properties: parsing returns CM_OK, CM_EINVAL or CM_EDATE; what parses
 * formats, and the formatted text parses back to the same value (and, for
 * dates, is the input itself); every in-range number formats and parses
 * back; out-of-range numbers are CM_EDATE.
 */
#include "fuzz.h"

static void date_text(const char *text)
{
	int32_t days = 0, again = 0, y, m, d;
	char buf[CM_DATE_BUFSIZE];
	int rc = cm_date_parse(&days, text);

	FZ_CHECK(rc == CM_OK || rc == CM_EINVAL || rc == CM_EDATE);
	if (rc != CM_OK)
		return;
	FZ_CHECK(days >= CM_DATE_MIN && days <= CM_DATE_MAX);
	FZ_CHECK(cm_date_format(buf, sizeof(buf), days) == CM_OK);
	FZ_CHECK(strcmp(buf, text) == 0); /* "YYYY-MM-DD" is canonical */
	FZ_CHECK(cm_date_parse(&again, buf) == CM_OK && again == days);
	FZ_CHECK(cm_date_to_ymd(&y, &m, &d, days) == CM_OK);
	FZ_CHECK(cm_date_from_ymd(&again, y, m, d) == CM_OK && again == days);
}

static void time_text(const char *text)
{
	int64_t t = 0, again = 0;
	int32_t day;
	char buf[CM_TIME_BUFSIZE];
	int rc = cm_time_parse(&t, text);

	FZ_CHECK(rc == CM_OK || rc == CM_EINVAL || rc == CM_EDATE);
	if (rc != CM_OK)
		return;
	FZ_CHECK(t >= CM_TIME_MIN && t <= CM_TIME_MAX);
	FZ_CHECK(cm_time_format(buf, sizeof(buf), t) == CM_OK);
	FZ_CHECK(strlen(buf) == CM_TIME_BUFSIZE - 1);
	FZ_CHECK(cm_time_parse(&again, buf) == CM_OK && again == t);
	FZ_CHECK(cm_time_to_date(&day, t) == CM_OK);
	/* The formatted date part is the instant's UTC date. */
	{
		char dbuf[CM_DATE_BUFSIZE];
		FZ_CHECK(cm_date_format(dbuf, sizeof(dbuf), day) == CM_OK);
		FZ_CHECK(memcmp(dbuf, buf, 10) == 0);
	}
}

static void numbers(const uint8_t *data, size_t size)
{
	int32_t days, again;
	int64_t t, tagain;
	uint64_t u = 0;
	char buf[CM_TIME_BUFSIZE];
	size_t i;
	int rc;

	for (i = 0; i < 8 && i < size; i++)
		u |= (uint64_t)data[i] << (8 * i);
	days = (int32_t)(uint32_t)u;
	rc = cm_date_format(buf, sizeof(buf), days);
	if (days >= CM_DATE_MIN && days <= CM_DATE_MAX) {
		FZ_CHECK(rc == CM_OK);
		FZ_CHECK(cm_date_parse(&again, buf) == CM_OK && again == days);
	} else {
		FZ_CHECK(rc == CM_EDATE);
	}
	/* Both a raw 64-bit value and one folded into the valid range. */
	t = (int64_t)u;
	for (i = 0; i < 2; i++) {
		rc = cm_time_format(buf, sizeof(buf), t);
		if (t >= CM_TIME_MIN && t <= CM_TIME_MAX) {
			FZ_CHECK(rc == CM_OK);
			FZ_CHECK(cm_time_parse(&tagain, buf) == CM_OK && tagain == t);
		} else {
			FZ_CHECK(rc == CM_EDATE);
		}
		t = CM_TIME_MIN + (int64_t)(u % (uint64_t)(CM_TIME_MAX - CM_TIME_MIN + 1));
	}
	/* Too small a buffer is refused, not overrun. */
	FZ_CHECK(cm_time_format(buf, CM_TIME_BUFSIZE - 1, 0) == CM_EINVAL);
	FZ_CHECK(cm_date_format(buf, CM_DATE_BUFSIZE - 1, 0) == CM_EINVAL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	date_text(text);
	time_text(text);
	numbers(data, size);
	free(text);
	return 0;
}
