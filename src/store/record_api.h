/*
 * Internal: the public functions every record kind has, generated once.
 *
 * Each record kind exports the same handle API under its own prefix (the
 * ABI wants one real exported symbol per operation, with the kind's own
 * opaque type), and every one of those functions is a thin check-and-call
 * into the generic handle code of record.c. Writing them out per kind
 * repeated ~150 lines per kind; this macro writes them from one place.
 *
 * CM__RECORD_API(P, T, K) defines, for prefix P (e.g. cm_plan), public
 * type T (cm_plan) and kind K (cm__plan_kind):
 *   static P##__handle / P##__chandle   the handle behind a T, or NULL if
 *                                       it is not a handle of kind K
 *   P##_get, _free, _save, _id, _revision, _created, _updated, _status,
 *   _text, _get_int, _set_text, _set_int, _status_history_count,
 *   _status_history_at
 * CM__RECORD_REVISIONS_API(P, T, K) adds P##_get_revision for kinds that
 * keep their revisions.
 * Their prototypes and documentation are in the public headers.
 */
#ifndef CM_RECORD_API_H
#define CM_RECORD_API_H

#include "store/store_impl.h"

#define CM__RECORD_API(P, T, K)                                                \
	static struct cm__handle *P##__handle(T *x)                            \
	{                                                                      \
		struct cm__handle *h = (struct cm__handle *)(void *)x;         \
		return (h && h->kind == &K) ? h : NULL;                        \
	}                                                                      \
	static const struct cm__handle *P##__chandle(const T *x)               \
	{                                                                      \
		const struct cm__handle *h =                                   \
			(const struct cm__handle *)(const void *)x;            \
		return (h && h->kind == &K) ? h : NULL;                        \
	}                                                                      \
	int P##_get(T **out, cm_store *s, const char *id)                      \
	{                                                                      \
		return cm__handle_get((struct cm__handle **)(void *)out, s,    \
				      &K, id);                                 \
	}                                                                      \
	void P##_free(T *x) { cm__handle_free(P##__handle(x)); }            \
	int P##_save(cm_txn *txn, T *x)                                        \
	{                                                                      \
		return cm__handle_save(txn, P##__handle(x), &K);               \
	}                                                                      \
	const char *P##_id(const T *x)                                         \
	{                                                                      \
		const struct cm__handle *h = P##__chandle(x);                  \
		return h ? h->rec->id : NULL;                                  \
	}                                                                      \
	int64_t P##_revision(const T *x)                                       \
	{                                                                      \
		const struct cm__handle *h = P##__chandle(x);                  \
		return h ? h->rec->revision : 0;                               \
	}                                                                      \
	int64_t P##_created(const T *x)                                        \
	{                                                                      \
		const struct cm__handle *h = P##__chandle(x);                  \
		return h ? h->rec->created : CM_TIME_NONE;                     \
	}                                                                      \
	int64_t P##_updated(const T *x)                                        \
	{                                                                      \
		const struct cm__handle *h = P##__chandle(x);                  \
		return h ? h->rec->updated : CM_TIME_NONE;                     \
	}                                                                      \
	int32_t P##_status(const T *x)                                         \
	{                                                                      \
		const struct cm__handle *h = P##__chandle(x);                  \
		return h ? cm__handle_status(h) : 0;                           \
	}                                                                      \
	const char *P##_text(const T *x, int32_t field)                        \
	{                                                                      \
		const struct cm__handle *h = P##__chandle(x);                  \
		return h ? cm__handle_text(h, field) : NULL;                   \
	}                                                                      \
	int P##_get_int(int64_t *out, const T *x, int32_t field)               \
	{                                                                      \
		const struct cm__handle *h = P##__chandle(x);                  \
		if (!out || !h)                                                \
			return cm__err(h ? h->store : NULL, CM_EINVAL,         \
				       "%s get int: NULL argument", K.name);   \
		return cm__handle_get_int(out, h, field);                      \
	}                                                                      \
	int P##_set_text(T *x, int32_t field, const char *value)               \
	{                                                                      \
		struct cm__handle *h = P##__handle(x);                         \
		return h ? cm__handle_set_text(h, field, value) : CM_EINVAL;   \
	}                                                                      \
	int P##_set_int(T *x, int32_t field, int64_t value)                    \
	{                                                                      \
		struct cm__handle *h = P##__handle(x);                         \
		return h ? cm__handle_set_int(h, field, value) : CM_EINVAL;    \
	}                                                                      \
	size_t P##_status_history_count(const T *x)                            \
	{                                                                      \
		const struct cm__handle *h = P##__chandle(x);                  \
		return h ? cm__handle_history_count(h) : 0;                    \
	}                                                                      \
	int P##_status_history_at(int32_t *from, int32_t *to, int64_t *time,   \
				  const char **actor, const char **reason,     \
				  const T *x, size_t index)                    \
	{                                                                      \
		const struct cm__handle *h = P##__chandle(x);                  \
		return h ? cm__handle_history_at(from, to, time, actor,        \
						 reason, h, index)             \
			 : CM_EINVAL;                                          \
	}

#define CM__RECORD_REVISIONS_API(P, T, K)                                      \
	int P##_get_revision(T **out, cm_store *s, const char *id,             \
			     int64_t revision)                                 \
	{                                                                      \
		return cm__handle_get_revision((struct cm__handle **)(void *)out, \
					       s, &K, id, revision);           \
	}

#endif
