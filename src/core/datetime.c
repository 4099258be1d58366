/*
 * Calendar dates and instants.
 *
 * Dates are days since 1970-01-01 in the proleptic Gregorian calendar,
 * converted with Howard Hinnant's days_from_civil / civil_from_days
 * (http://howardhinnant.github.io/date_algorithms.html). All arithmetic is
 * done in int64_t and no libc time function is used: timegm, strptime and
 * friends depend on the locale, the TZ variable or are not portable.
 */
#include "casemgr/common.h"
#include "core/datetime.h"

#define SECS_PER_DAY 86400

int32_t cm__days_from_civil(int32_t y, int32_t m, int32_t d)
{
	/* Shift the year to start in March so that the leap day is last. */
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;                             /* [0, 399] */
	int64_t mp = ((int64_t)m + 9) % 12;                       /* Mar = 0 */
	int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;        /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;      /* [0, 146096] */

	return (int32_t)(era * 146097 + doe - 719468);
}

void cm__civil_from_days(int32_t days, int32_t *y, int32_t *m, int32_t *d)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                           /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);    /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                         /* Mar = 0 */
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;                /* [1, 31] */
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;                   /* [1, 12] */

	*y = (int32_t)(yoe + era * 400 + (mm <= 2));
	*m = (int32_t)mm;
	*d = (int32_t)dd;
}

static int is_leap(int32_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The single place where a calendar date is judged possible. */
int cm__date_valid(int32_t y, int32_t m, int32_t d)
{
	static const int8_t mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

int cm__days_valid(int64_t days)
{
	return days >= CM_DATE_MIN && days <= CM_DATE_MAX;
}

int cm__time_valid(int64_t t)
{
	return t >= CM_TIME_MIN && t <= CM_TIME_MAX;
}

int32_t cm__time_day(int64_t t)
{
	/* C division truncates toward zero; instants before 1970 need floor. */
	int64_t q = t / SECS_PER_DAY;

	if (t % SECS_PER_DAY < 0)
		q--;
	return (int32_t)q;
}

/* ---- public: dates ----------------------------------------------------- */

int cm_date_from_ymd(int32_t *out_days, int32_t year, int32_t month,
		     int32_t day)
{
	if (!out_days)
		return CM_EINVAL;
	if (!cm__date_valid(year, month, day))
		return CM_EDATE;
	*out_days = cm__days_from_civil(year, month, day);
	return CM_OK;
}

int cm_date_to_ymd(int32_t *out_year, int32_t *out_month, int32_t *out_day,
		   int32_t days)
{
	if (!out_year || !out_month || !out_day)
		return CM_EINVAL;
	if (!cm__days_valid(days))
		return CM_EDATE;
	cm__civil_from_days(days, out_year, out_month, out_day);
	return CM_OK;
}

/*
 * Read exactly n ASCII digits. Digits are tested by value, not isdigit(),
 * which is locale dependent; signs and spaces are therefore refused.
 */
static int read_digits(const char *s, int n, int32_t *out)
{
	int32_t v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Write v as exactly n zero-padded digits (v is known to fit). */
static char *put_digits(char *p, int32_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* "YYYY-MM-DD" at s: syntax only, values are checked by the caller. */
static int scan_ymd(const char *s, int32_t *y, int32_t *m, int32_t *d)
{
	return read_digits(s, 4, y) && s[4] == '-' &&
	       read_digits(s + 5, 2, m) && s[7] == '-' &&
	       read_digits(s + 8, 2, d);
}

int cm_date_parse(int32_t *out_days, const char *text)
{
	int32_t y, m, d;

	if (!out_days || !text)
		return CM_EINVAL;
	/* scan_ymd stops at the first bad character, so a short string's
	 * NUL is never read past. */
	if (!scan_ymd(text, &y, &m, &d) || text[10] != '\0')
		return CM_EINVAL;
	return cm_date_from_ymd(out_days, y, m, d);
}

static char *put_ymd(char *p, int32_t days)
{
	int32_t y, m, d;

	cm__civil_from_days(days, &y, &m, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	return put_digits(p, d, 2);
}

int cm_date_format(char *buf, size_t size, int32_t days)
{
	char *p;

	if (!buf || size < CM_DATE_BUFSIZE)
		return CM_EINVAL;
	if (!cm__days_valid(days))
		return CM_EDATE;
	p = put_ymd(buf, days);
	*p = '\0';
	return CM_OK;
}

/* ---- public: instants -------------------------------------------------- */

int cm_time_parse(int64_t *out_seconds, const char *text)
{
	int32_t y, mo, d, hh, mi, ss, zh = 0, zm = 0;
	int zsign = 0;
	const char *p;
	int64_t t;

	if (!out_seconds || !text)
		return CM_EINVAL;

	/* Syntax first: malformed text is CM_EINVAL whatever its values. */
	if (!scan_ymd(text, &y, &mo, &d))
		return CM_EINVAL;
	p = text + 10;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return CM_EINVAL;
	p++;
	if (!read_digits(p, 2, &hh) || p[2] != ':' ||
	    !read_digits(p + 3, 2, &mi) || p[5] != ':' ||
	    !read_digits(p + 6, 2, &ss))
		return CM_EINVAL;
	p += 8;
	if (*p == '.') {
		/* At least one digit; the fraction is dropped, not rounded. */
		p++;
		if (*p < '0' || *p > '9')
			return CM_EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		zsign = *p == '-' ? -1 : 1;
		p++;
		if (!read_digits(p, 2, &zh) || p[2] != ':' ||
		    !read_digits(p + 3, 2, &zm))
			return CM_EINVAL;
		p += 5;
	} else {
		return CM_EINVAL;       /* a zone is required */
	}
	if (*p != '\0')
		return CM_EINVAL;

	/* Then values. */
	if (!cm__date_valid(y, mo, d) || hh > 23 || mi > 59 || ss > 59 ||
	    zh > 23 || zm > 59)
		return CM_EDATE;
	t = (int64_t)cm__days_from_civil(y, mo, d) * SECS_PER_DAY +
	    hh * 3600 + mi * 60 + ss;
	/* Local time = UTC + offset, so UTC = local - offset. */
	t -= (int64_t)zsign * (zh * 3600 + zm * 60);
	if (!cm__time_valid(t))
		return CM_EDATE;
	*out_seconds = t;
	return CM_OK;
}

int cm_time_format(char *buf, size_t size, int64_t seconds)
{
	int32_t days, sod;
	char *p;

	if (!buf || size < CM_TIME_BUFSIZE)
		return CM_EINVAL;
	if (!cm__time_valid(seconds))
		return CM_EDATE;
	days = cm__time_day(seconds);
	sod = (int32_t)(seconds - (int64_t)days * SECS_PER_DAY);
	p = put_ymd(buf, days);
	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sod % 60, 2);
	*p++ = 'Z';
	*p = '\0';
	return CM_OK;
}

int cm_time_to_date(int32_t *out_days, int64_t seconds)
{
	if (!out_days)
		return CM_EINVAL;
	if (!cm__time_valid(seconds))
		return CM_EDATE;
	*out_days = cm__time_day(seconds);
	return CM_OK;
}
