/* Services: the public handle API over the generic record code. */
#include <string.h>

#include "service/service_impl.h"

#define H(v) cm__handle_of(v, &cm__service_kind)
#define REC(v) ((const struct cm__service *)cm__handle_rec(v, &cm__service_kind))

int cm_service_new(cm_service **out, cm_store *s, const char *client_id,
		   const char *category)
{
	struct cm__handle *h;
	struct cm__service *v;
	size_t nid, ncat;
	int rc;

	if (!out || !s || !client_id || !client_id[0] || !category ||
	    !category[0])
		return cm__err(s, CM_EINVAL, "service new: NULL or empty argument");
	if ((rc = cm__check_text_len(s, client_id, 64, "client id", 0, &nid)) ||
	    (rc = cm__check_text_len(s, category, 200, "category", 0, &ncat)))
		return rc;
	if ((rc = cm__handle_create(&h, s, &cm__service_kind)))
		return rc;
	v = (struct cm__service *)h->rec;
	v->status = CM_TASK_DRAFT;
	v->priority = CM_PRIORITY_ROUTINE;
	v->requested = v->accepted = v->scheduled = CM_DATE_NONE;
	v->started = v->completed = v->deadline = CM_DATE_NONE;
	v->auth_from = v->auth_to = CM_DATE_NONE;
	if (!(v->client_id = cm__part_dup(s, &v->hdr, client_id, nid)) ||
	    !(v->category = cm__part_dup(s, &v->hdr, category, ncat))) {
		cm__handle_release(h);
		return cm__err(s, CM_ENOMEM, "out of memory for a service");
	}
	*out = (cm_service *)(void *)h;
	return CM_OK;
}

int cm_service_get(cm_service **out, cm_store *s, const char *id)
{
	return cm__handle_get((struct cm__handle **)(void *)out, s,
			      &cm__service_kind, id);
}

void cm_service_free(cm_service *v)
{
	cm__handle_free(H(v));
}

int cm_service_save(cm_txn *txn, cm_service *v)
{
	if (!txn || !H(v))
		return cm__err(txn ? txn->store : NULL, CM_EINVAL,
			       "service save: NULL argument");
	return cm__txn_save(txn, H(v));
}

const char *cm_service_id(const cm_service *v)
{
	const struct cm__service *r = REC(v);
	return r ? r->hdr.id : NULL;
}

const char *cm_service_client_id(const cm_service *v)
{
	const struct cm__service *r = REC(v);
	return r ? r->client_id : NULL;
}

int64_t cm_service_revision(const cm_service *v)
{
	const struct cm__service *r = REC(v);
	return r ? r->hdr.revision : 0;
}

int32_t cm_service_status(const cm_service *v)
{
	const struct cm__service *r = REC(v);
	return r ? r->status : 0;
}

const char *cm_service_text(const cm_service *v, int32_t field)
{
	return H(v) ? cm__handle_text(H(v), field) : NULL;
}

int cm_service_set_text(cm_service *v, int32_t field, const char *value)
{
	return H(v) ? cm__handle_set_text(H(v), field, value) : CM_EINVAL;
}

int cm_service_get_int(int64_t *out, const cm_service *v, int32_t field)
{
	if (!out || !H(v))
		return cm__err(H(v) ? H(v)->store : NULL, CM_EINVAL,
			       "service get int: NULL argument");
	return cm__handle_get_int(out, H(v), field);
}

int cm_service_set_int(cm_service *v, int32_t field, int64_t value)
{
	return H(v) ? cm__handle_set_int(H(v), field, value) : CM_EINVAL;
}

int cm_service_set_status(cm_service *v, int32_t side, int32_t status,
			  const char *reason)
{
	struct cm__handle *h = H(v);

	if (!h)
		return CM_EINVAL;
	if (side != CM_SIDE_REQUESTER && side != CM_SIDE_PROVIDER)
		return cm__err(h->store, CM_EINVAL, "%d is not a side", (int)side);
	if (status < 1 || status > CM_TASK_ENTERED_IN_ERROR)
		return cm__err(h->store, CM_ERANGE, "%d is not a task status",
			       (int)status);
	/* The requester and the provider each own their statuses: a
	 * provider cannot cancel a referral, nor a requester accept it. */
	if (cm_task_status_side(status) != side)
		return cm__err(h->store, CM_ETRANSITION,
			       "only the %s sets a service to %s",
			       side == CM_SIDE_REQUESTER ? "provider" : "requester",
			       cm_task_status_code(status));
	return cm__handle_set_status(h, status, reason);
}

size_t cm_service_status_history_count(const cm_service *v)
{
	return H(v) ? cm__handle_history_count(H(v)) : 0;
}

int cm_service_status_history_at(int32_t *from, int32_t *to, int64_t *time,
				 const char **actor, const char **reason,
				 const cm_service *v, size_t index)
{
	return H(v) ? cm__handle_history_at(from, to, time, actor, reason, H(v),
					    index)
		    : CM_EINVAL;
}

/* ---- listing ----------------------------------------------------------- */

struct cm_service_iter {
	struct cm__snap sn;
};

int cm_service_list(cm_service_iter **out, cm_store *s, const char *client_id)
{
	cm_service_iter *it;
	int rc;

	if (!out || !s || !client_id)
		return cm__err(s, CM_EINVAL, "service list: NULL argument");
	if (!(it = cm__zalloc(s, sizeof(*it))))
		return cm__err(s, CM_ENOMEM, "out of memory for a service list");
	rc = cm__snap_bucket(&it->sn, s, &cm__service_kind,
			     &s->services_by_client, client_id);
	if (rc) {
		cm__free(s, it);
		return rc;
	}
	*out = it;
	return CM_OK;
}

int cm_service_iter_next(cm_service **out, cm_service_iter *it)
{
	if (!out || !it)
		return CM_EINVAL;
	return cm__snap_next((struct cm__handle **)(void *)out, &it->sn);
}

size_t cm_service_iter_count(const cm_service_iter *it)
{
	return it ? it->sn.n : 0;
}

void cm_service_iter_free(cm_service_iter *it)
{
	struct cm__snap sn;

	if (!it)
		return;
	sn = it->sn;
	cm__free(sn.store, it);
	cm__snap_clear(&sn); /* drops the store reference: last */
}
