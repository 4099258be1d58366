/* Listing iterators: a snapshot of committed records handed out as handles. */
#include "store/store_impl.h"

int cm__snap_bucket(struct cm__snap *sn, cm_store *s, const struct cm__kind *k,
		    const struct cm__mindex *ix, const char *owner_id)
{
	const struct cm__bucket *b;
	uint32_t i;
	int rc;

	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	CM__RDLOCK(s);
	if (!cm__slot_find(s, CM_KIND_CLIENT, owner_id)) {
		CM__UNLOCK(s);
		return cm__err(s, CM_ENOTFOUND, "no client with id '%.64s'",
			       owner_id);
	}
	b = cm__mindex_get(ix, owner_id);
	sn->recs = cm__alloc(s, (b && b->n ? b->n : 1) * sizeof(*sn->recs));
	if (!sn->recs) {
		CM__UNLOCK(s);
		return cm__err(s, CM_ENOMEM, "out of memory for a %s list",
			       k->name);
	}
	for (i = 0; b && i < b->n; i++) {
		sn->recs[i] = cm__bucket_slot(s, b, i)->cur;
		cm__rec_retain(sn->recs[i]);
	}
	/* Counted under the lock: a commit may add to b once it is released. */
	sn->n = b ? b->n : 0;
	CM__UNLOCK(s);
	sn->pos = 0;
	sn->kind = k;
	sn->store = s;
	cm__store_ref(s);
	return CM_OK;
}

int cm__snap_next(struct cm__handle **out, struct cm__snap *sn)
{
	int rc;

	if (sn->pos >= sn->n)
		return CM_ITEROVER;
	rc = cm__handle_new(out, sn->store, sn->kind, sn->recs[sn->pos], 0);
	if (rc)
		return rc;
	/* The handle takes over the snapshot's reference. */
	sn->recs[sn->pos++] = NULL;
	return CM_OK;
}

void cm__snap_clear(struct cm__snap *sn)
{
	cm_store *s = sn->store;
	size_t i;

	for (i = sn->pos; i < sn->n; i++)
		cm__rec_release(s, sn->recs[i]);
	cm__free(s, sn->recs);
	sn->recs = NULL;
	cm__store_unref(s);
}
