/*
 * casemgr/common.h - version, error codes, dates and times, limits.
 *
 * Everything in casemgr hangs off a cm_store (see casemgr/store.h); this
 * header holds what every other header needs.
 *
 * Conventions used throughout the API (read these once):
 *
 *  - A fallible function returns int: 0 (CM_OK) on success, a negative CM_E*
 *    code on failure. Outputs come back through out-parameters, which come
 *    first in the argument list. On failure, out-parameters are left
 *    untouched unless the function says otherwise, and nothing in the store
 *    changes.
 *  - Text crossing the boundary is UTF-8, NUL-terminated. Invalid UTF-8
 *    (RFC 3629: overlong forms, surrogates, code points above U+10FFFF,
 *    truncated sequences) is refused with CM_EUTF8; text longer than a
 *    field's documented limit (in bytes, excluding the NUL) with CM_ETOOLONG.
 *  - Ownership is in the name: what *_new / *_get / *_open / *_find hands
 *    out, the caller releases with the matching *_free / *_close. Strings
 *    returned as `const char *` are borrowed: they stay valid until the next
 *    change to the handle that owns them, or until that handle is freed.
 *    The caller never calls free() on library memory.
 *  - Calendar dates are int32_t days since 1970-01-01 (proleptic Gregorian,
 *    years 0001..9999); CM_DATE_NONE means "no date". Instants are int64_t
 *    seconds since 1970-01-01T00:00:00Z (UTC, no leap seconds);
 *    CM_TIME_NONE means "no time".
 *  - Enumerations are plain int32_t at the boundary; their values are fixed
 *    forever and never renumbered.
 *
 * Thread-safety: every function in this header is thread-safe (stateless).
 */
#ifndef CASEMGR_COMMON_H
#define CASEMGR_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- export macro ------------------------------------------------------ */

#if defined(_WIN32) && defined(CM_BUILDING_DLL)
#define CM_API __declspec(dllexport)
#elif defined(_WIN32) && defined(CM_SHARED)
#define CM_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CM_API __attribute__((visibility("default")))
#else
#define CM_API
#endif

/* ---- version ----------------------------------------------------------- */

#define CASEMGR_VERSION_MAJOR 0
#define CASEMGR_VERSION_MINOR 1
#define CASEMGR_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH of the headers you compiled against. */
#define CASEMGR_VERSION_NUMBER                                                 \
	(CASEMGR_VERSION_MAJOR * 10000 + CASEMGR_VERSION_MINOR * 100 +         \
	 CASEMGR_VERSION_PATCH)
#define CASEMGR_VERSION_STRING "0.1.0"

/**
 * The version of the library actually loaded, as CASEMGR_VERSION_NUMBER.
 * Compare with the macro to detect a header/library mismatch.
 * Since 0.1.0.
 */
CM_API int32_t cm_version(void);

/**
 * The version of the library actually loaded, as "MAJOR.MINOR.PATCH".
 * Static string; never freed. Since 0.1.0.
 */
CM_API const char *cm_version_string(void);

/* ---- error codes ------------------------------------------------------- */

/*
 * Every fallible function returns one of these. Values are fixed forever;
 * new codes are only ever added with new values. There is no "count"
 * sentinel: do not size arrays by these values.
 */
enum cm_error {
	CM_OK = 0,
	CM_EINVAL = -1,       /**< an argument is NULL, empty or malformed */
	CM_ENOMEM = -2,       /**< an allocation failed; nothing changed */
	CM_ENOTFOUND = -3,    /**< no record with that id or identifier */
	CM_EEXIST = -4,       /**< id or identifier already taken */
	CM_ECONFLICT = -5,    /**< the record changed since this handle was read */
	CM_ETRANSITION = -6,  /**< status change not allowed from current status */
	CM_EUTF8 = -7,        /**< text is not valid UTF-8 */
	CM_ETOOLONG = -8,     /**< text longer than the field allows */
	CM_EDATE = -9,        /**< impossible or out-of-range date or time */
	CM_ERANGE = -10,      /**< a number or enumeration value out of range */
	CM_ESTATE = -11,      /**< call not valid in the current state */
	CM_EVERSION = -12,    /**< unknown options / table version */
	CM_ESTORAGE = -13,    /**< the storage callbacks reported a failure */
	CM_ECORRUPT = -14,    /**< stored data failed its checksum or decoding */
	CM_EBUSY = -15,       /**< resource held (e.g. this thread's open txn) */
	CM_ELOCKED = -16,     /**< held by another process (file lock) */
	CM_EPOISONED = -17,   /**< an earlier durability failure: writes refused */
	CM_EINCOMPLETE = -18, /**< a required field or answer is missing */
	CM_EIO = -19,         /**< an operating-system I/O call failed */
	CM_EUNSUPPORTED = -20,/**< the operation is not supported here */
	CM_ECLOCK = -21,      /**< the clock callback failed */

	CM_ITEROVER = -30     /**< an iterator has no more items (not an error) */
};

/**
 * A fixed, static English text for an error code ("unknown error" for a code
 * this library does not know). Never NULL, never freed. For the detailed
 * message of the last failure on a store see cm_store_errmsg().
 * Since 0.1.0.
 */
CM_API const char *cm_strerror(int code);

/**
 * The symbolic name of an error code, e.g. "CM_ENOTFOUND" (or NULL for an
 * unknown code). Static string. Useful for bindings that map codes to
 * exception classes. Since 0.1.0.
 */
CM_API const char *cm_error_name(int code);

/* ---- dates and times --------------------------------------------------- */

/** "No date" marker for int32_t calendar dates. */
#define CM_DATE_NONE INT32_MIN
/** "No time" marker for int64_t instants. */
#define CM_TIME_NONE INT64_MIN
/** Smallest and largest valid calendar date: 0001-01-01 and 9999-12-31. */
#define CM_DATE_MIN (-719162)
#define CM_DATE_MAX 2932896
/** Smallest and largest valid instant: 0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z. */
#define CM_TIME_MIN (-62135596800LL)
#define CM_TIME_MAX 253402300799LL
/** Buffer sizes (including the NUL) for cm_date_format / cm_time_format. */
#define CM_DATE_BUFSIZE 11
#define CM_TIME_BUFSIZE 21
/** Buffer size (including the NUL) that holds any record id: ids are at
 *  most 64 bytes. Since 0.1.0. */
#define CM_ID_BUFSIZE 65

/**
 * Build a calendar date from year, month (1-12) and day (1-31).
 * @param out_days  receives days since 1970-01-01.
 * @return CM_OK; CM_EINVAL if out_days is NULL; CM_EDATE for an impossible
 *         date (month 13, 2026-02-29, 2026-02-30, year outside 1..9999).
 * Since 0.1.0.
 */
CM_API int cm_date_from_ymd(int32_t *out_days, int32_t year, int32_t month,
			    int32_t day);

/**
 * Split a calendar date into year, month and day.
 * @return CM_OK; CM_EINVAL if an output is NULL; CM_EDATE if days is outside
 *         CM_DATE_MIN..CM_DATE_MAX (including CM_DATE_NONE).
 * Since 0.1.0.
 */
CM_API int cm_date_to_ymd(int32_t *out_year, int32_t *out_month,
			  int32_t *out_day, int32_t days);

/**
 * Parse an ISO-8601 calendar date, exactly "YYYY-MM-DD".
 * @return CM_OK; CM_EINVAL for NULL arguments or text not of that form;
 *         CM_EDATE for an impossible date ("2026-02-30", "2026-13-01").
 * Since 0.1.0.
 */
CM_API int cm_date_parse(int32_t *out_days, const char *text);

/**
 * Format a calendar date as "YYYY-MM-DD" into buf (at least CM_DATE_BUFSIZE
 * bytes).
 * @return CM_OK; CM_EINVAL if buf is NULL or size < CM_DATE_BUFSIZE;
 *         CM_EDATE if days is not a valid date.
 * Since 0.1.0.
 */
CM_API int cm_date_format(char *buf, size_t size, int32_t days);

/**
 * Parse an ISO-8601 / RFC 3339 instant: "YYYY-MM-DDThh:mm:ss" followed by an
 * optional fraction ".d..." (ignored: instants have one-second resolution)
 * and a zone, "Z" or "+hh:mm" / "-hh:mm". A lowercase 't' or 'z' and a space
 * in place of 'T' are accepted. A zone is required.
 * @return CM_OK; CM_EINVAL for NULL or malformed text; CM_EDATE for an
 *         impossible date or time (hour 24, minute 60, second 61, zone
 *         beyond +/-23:59) or one outside CM_TIME_MIN..CM_TIME_MAX after
 *         applying the offset. Second 60 (leap second) is refused.
 * Since 0.1.0.
 */
CM_API int cm_time_parse(int64_t *out_seconds, const char *text);

/**
 * Format an instant as "YYYY-MM-DDThh:mm:ssZ" (UTC) into buf (at least
 * CM_TIME_BUFSIZE bytes).
 * @return CM_OK; CM_EINVAL if buf is NULL or too small; CM_EDATE if the
 *         instant is outside CM_TIME_MIN..CM_TIME_MAX.
 * Since 0.1.0.
 */
CM_API int cm_time_format(char *buf, size_t size, int64_t seconds);

/**
 * The calendar date (UTC) on which an instant falls.
 * @return CM_OK; CM_EINVAL if out_days is NULL; CM_EDATE if the instant is
 *         out of range.
 * Since 0.1.0.
 */
CM_API int cm_time_to_date(int32_t *out_days, int64_t seconds);

/* ---- text validation --------------------------------------------------- */

/**
 * Check that text is valid UTF-8 (RFC 3629) of at most max_bytes bytes.
 * @return CM_OK; CM_EINVAL if text is NULL; CM_EUTF8 if invalid;
 *         CM_ETOOLONG if longer than max_bytes.
 * Since 0.1.0.
 */
CM_API int cm_utf8_check(const char *text, size_t max_bytes);

#ifdef __cplusplus
}
#endif

#endif /* CASEMGR_COMMON_H */
