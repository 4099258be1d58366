/*
 * Internal: calendar arithmetic shared by the public date/time functions.
 */
#ifndef CM_CORE_DATETIME_H
#define CM_CORE_DATETIME_H

#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (no validation). */
int32_t cm__days_from_civil(int32_t y, int32_t m, int32_t d);
/* Inverse of cm__days_from_civil. */
void cm__civil_from_days(int32_t days, int32_t *y, int32_t *m, int32_t *d);
/* 1 if y-m-d is a valid date in years 1..9999. */
int cm__date_valid(int32_t y, int32_t m, int32_t d);
/* 1 if days is within CM_DATE_MIN..CM_DATE_MAX. */
int cm__days_valid(int64_t days);
/* 1 if t is within CM_TIME_MIN..CM_TIME_MAX. */
int cm__time_valid(int64_t t);
/* Floor division of an instant into its day. */
int32_t cm__time_day(int64_t t);

#endif
