/* Listing clients: filtered, name-ordered snapshots. */
#include <stdlib.h>
#include <string.h>

#include "client/client_impl.h"
#include "core/text.h"

struct cm_client_iter {
	cm_store *store;
	struct cm__rec **recs; /* each holds a reference */
	size_t n, pos;
};

static int by_name(const void *pa, const void *pb)
{
	const struct cm__client *a = *(const struct cm__client *const *)pa;
	const struct cm__client *b = *(const struct cm__client *const *)pb;
	int c = cm__fold_cmp(a->family ? a->family : "", b->family ? b->family : "");

	if (c == 0)
		c = cm__fold_cmp(a->given ? a->given : "", b->given ? b->given : "");
	if (c == 0)
		c = strcmp(a->hdr.id, b->hdr.id);
	return c;
}

static int matches(const struct cm__client *c, int32_t status,
		   const char *cm, const char *prefix)
{
	if (status && c->status != status)
		return 0;
	if (cm) {
		if (!cm[0] ? c->case_manager != NULL
			   : (!c->case_manager || strcmp(c->case_manager, cm) != 0))
			return 0;
	}
	if (prefix && prefix[0] &&
	    !(c->family && cm__fold_has_prefix(c->family, prefix)) &&
	    !(c->given && cm__fold_has_prefix(c->given, prefix)))
		return 0;
	return 1;
}

int cm_client_list(cm_client_iter **out, cm_store *s, int32_t status,
		   const char *case_manager, const char *name_prefix)
{
	const struct cm__table *t;
	const struct cm__bucket *b;
	cm_client_iter *it;
	size_t i, n = 0, total;
	int rc;

	if (!out || !s)
		return cm__err(s, CM_EINVAL, "client list: NULL argument");
	if (status < 0 || status > CM_CASE_ENTERED_IN_ERROR)
		return cm__err(s, CM_ERANGE, "client list: %d is not a case status",
			       (int)status);
	if ((rc = cm__check_text(s, case_manager, 64, "case manager", 1)) ||
	    (rc = cm__check_text(s, name_prefix, 200, "name prefix", 1)))
		return rc;
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	it = cm__zalloc(s, sizeof(*it));
	if (!it)
		return cm__err(s, CM_ENOMEM, "out of memory for a client list");
	CM__RDLOCK(s);
	t = &s->tables[CM_KIND_CLIENT];
	/* A manager's clients, of every status, are a bucket of the
	 * clients-by-case-manager index ("" holds the unassigned): read
	 * those, not every client. */
	b = case_manager ? cm__mindex_get(&s->clients_by_cm, case_manager) : NULL;
	total = case_manager ? (b ? b->n : 0) : t->count;
	it->recs = cm__alloc(s, (total ? total : 1) * sizeof(*it->recs));
	if (!it->recs) {
		CM__UNLOCK(s);
		cm__free(s, it);
		return cm__err(s, CM_ENOMEM, "out of memory for a client list");
	}
	for (i = 0; i < total; i++) {
		struct cm__rec *r = (b ? cm__bucket_slot(s, b, (uint32_t)i)
				       : cm__table_slot(t, i))->cur;
		if (!matches((const struct cm__client *)r, status, case_manager,
			     name_prefix))
			continue;
		cm__rec_retain(r);
		it->recs[n++] = r;
	}
	CM__UNLOCK(s);
	if (n)
		qsort(it->recs, n, sizeof(*it->recs), by_name);
	it->n = n;
	it->store = s;
	cm__store_ref(s);
	*out = it;
	return CM_OK;
}

int cm_client_iter_next(cm_client **out, cm_client_iter *it)
{
	struct cm__handle *h;
	int rc;

	if (!out || !it)
		return CM_EINVAL;
	if (it->pos >= it->n)
		return CM_ITEROVER;
	rc = cm__handle_new(&h, it->store, &cm__client_kind, it->recs[it->pos], 0);
	if (rc)
		return rc;
	/* The handle takes over the iterator's reference. */
	it->recs[it->pos++] = NULL;
	*out = (cm_client *)(void *)h;
	return CM_OK;
}

size_t cm_client_iter_count(const cm_client_iter *it)
{
	return it ? it->n : 0;
}

void cm_client_iter_free(cm_client_iter *it)
{
	cm_store *s;
	size_t i;

	if (!it)
		return;
	s = it->store;
	for (i = it->pos; i < it->n; i++)
		cm__rec_release(s, it->recs[i]);
	cm__free(s, it->recs);
	cm__free(s, it);
	cm__store_unref(s);
}
