/* Error codes, their fixed texts, and the store's detailed message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/text.h"
#include "store/store_impl.h"

struct cm__errinfo {
	int code;
	const char *name;
	const char *text;
};

static const struct cm__errinfo errors[] = {
	{ CM_OK, "CM_OK", "success" },
	{ CM_EINVAL, "CM_EINVAL", "invalid argument" },
	{ CM_ENOMEM, "CM_ENOMEM", "out of memory" },
	{ CM_ENOTFOUND, "CM_ENOTFOUND", "not found" },
	{ CM_EEXIST, "CM_EEXIST", "already exists" },
	{ CM_ECONFLICT, "CM_ECONFLICT", "record changed since it was read" },
	{ CM_ETRANSITION, "CM_ETRANSITION", "status transition not allowed" },
	{ CM_EUTF8, "CM_EUTF8", "invalid UTF-8 text" },
	{ CM_ETOOLONG, "CM_ETOOLONG", "text too long" },
	{ CM_EDATE, "CM_EDATE", "invalid date or time" },
	{ CM_ERANGE, "CM_ERANGE", "value out of range" },
	{ CM_ESTATE, "CM_ESTATE", "operation not valid in the current state" },
	{ CM_EVERSION, "CM_EVERSION", "unsupported version" },
	{ CM_ESTORAGE, "CM_ESTORAGE", "storage failure" },
	{ CM_ECORRUPT, "CM_ECORRUPT", "stored data is corrupt" },
	{ CM_EBUSY, "CM_EBUSY", "resource busy" },
	{ CM_ELOCKED, "CM_ELOCKED", "locked by another process" },
	{ CM_EPOISONED, "CM_EPOISONED", "store refuses writes after a durability failure" },
	{ CM_EINCOMPLETE, "CM_EINCOMPLETE", "required data missing" },
	{ CM_EIO, "CM_EIO", "input/output error" },
	{ CM_EUNSUPPORTED, "CM_EUNSUPPORTED", "operation not supported" },
	{ CM_ECLOCK, "CM_ECLOCK", "clock failure" },
	{ CM_ITEROVER, "CM_ITEROVER", "no more items" },
};

static const struct cm__errinfo *find(int code)
{
	size_t i;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return &errors[i];
	return NULL;
}

const char *cm_strerror(int code)
{
	const struct cm__errinfo *e = find(code);
	return e ? e->text : "unknown error";
}

const char *cm_error_name(int code)
{
	const struct cm__errinfo *e = find(code);
	return e ? e->name : NULL;
}

int cm__err(const cm_store *cs, int code, const char *fmt, ...)
{
	/* The message lives on the store (not thread-local): FFI callers whose
	 * calls hop threads still find it. The store is logically const for
	 * readers; the message buffer is its one mutable corner. */
	cm_store *s = (cm_store *)cs;
	va_list ap;

	if (!s)
		return code;
	pthread_mutex_lock(&s->err_mutex);
	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&s->err_mutex);
	return code;
}

int cm__check_row_size(const cm_store *s, size_t row_size, size_t first,
		       size_t align, const char *what)
{
	if (row_size < first)
		return cm__err(s, CM_EVERSION,
			       "%s: row size %zu is smaller than %zu", what,
			       row_size, first);
	if (row_size % align != 0)
		return cm__err(s, CM_EINVAL,
			       "%s: row size %zu is not a multiple of %zu", what,
			       row_size, align);
	return CM_OK;
}

int cm__check_text_len(const cm_store *s, const char *text, size_t max,
		       const char *what, int allow_null, size_t *len)
{
	size_t n;

	*len = 0;
	if (!text) {
		if (allow_null)
			return CM_OK;
		return cm__err(s, CM_EINVAL, "%s: NULL text", what);
	}
	n = strnlen(text, max + 1);
	if (n > max)
		return cm__err(s, CM_ETOOLONG, "%s: longer than %zu bytes", what, max);
	if (!cm__utf8_valid(text, n))
		return cm__err(s, CM_EUTF8, "%s: not valid UTF-8", what);
	*len = n;
	return CM_OK;
}

int cm__check_text(const cm_store *s, const char *text, size_t max,
		   const char *what, int allow_null)
{
	size_t n;

	return cm__check_text_len(s, text, max, what, allow_null, &n);
}
