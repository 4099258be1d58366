/*
 * Internal: allocation through the store's allocator, error reporting,
 * growable arrays. Every library allocation goes through these so that a
 * host allocator (and the tests' failing allocator) sees all of them.
 */
#ifndef CM_CORE_CORE_H
#define CM_CORE_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "casemgr/common.h"
#include "casemgr/store.h"

#if defined(__GNUC__)
#define CM__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CM__PRINTF(f, a)
#endif

/* The default allocator (libc), as allocation callbacks. */
void *cm__libc_malloc(void *ctx, size_t n);
void *cm__libc_realloc(void *ctx, void *p, size_t n);
void cm__libc_free(void *ctx, void *p);

void *cm__alloc(cm_store *s, size_t size);
void *cm__zalloc(cm_store *s, size_t size);
void *cm__realloc(cm_store *s, void *ptr, size_t size);
void cm__free(cm_store *s, void *ptr);
/* Copy of a NUL-terminated string, or NULL on allocation failure. */
char *cm__strdup(cm_store *s, const char *str);
/* Copy of len bytes plus a NUL. */
char *cm__memdup0(cm_store *s, const void *p, size_t len);

/*
 * Make room for `need` elements of `elem` bytes in *arr (capacity *cap),
 * growing geometrically. Returns CM_OK or CM_ENOMEM (array untouched).
 */
int cm__reserve(cm_store *s, void **arr, size_t *cap, size_t need, size_t elem);
/* The same on an explicit allocator, for code that runs before the store
 * exists (the file journal reads its file before opening the store). */
int cm__reserve_with(cm_realloc_fn realloc_fn, void *ctx, void **arr,
		     size_t *cap, size_t need, size_t elem);

/* Record a detailed message on the store and return code. */
int cm__err(const cm_store *s, int code, const char *fmt, ...) CM__PRINTF(3, 4);

/* Validate the row size a caller passes with an array of rows (rows are
 * written row_size bytes apart): CM_EVERSION if smaller than `first` (the
 * library's first row layout), CM_EINVAL if not a multiple of `align`
 * (each row must stay aligned); the message names `what`. */
int cm__check_row_size(const cm_store *s, size_t row_size, size_t first,
		       size_t align, const char *what);

/* Validate text for a field: UTF-8 and at most max bytes. Sets the message
 * (naming `what`) and returns the code on failure. NULL is allowed iff
 * allow_null. */
int cm__check_text(const cm_store *s, const char *text, size_t max,
		   const char *what, int allow_null);

/* cm__check_text that also gives the text's length in *len (0 for NULL
 * or on failure): a caller that copies the text then scans it once. */
int cm__check_text_len(const cm_store *s, const char *text, size_t max,
		       const char *what, int allow_null, size_t *len);

#endif
