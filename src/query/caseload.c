/* Caseloads per case manager, and reassigning a caseload in one txn. */
#include <stdlib.h>
#include <string.h>

#include "query/query_impl.h"

int cm__case_open(int32_t status)
{
	return status == CM_CASE_PLANNED || status == CM_CASE_WAITLIST ||
	       status == CM_CASE_ACTIVE || status == CM_CASE_ONHOLD;
}

struct caseload_row {
	const char *manager; /* a bucket key: lives as long as the store */
	int64_t clients, load;
};

struct cm_caseload_iter {
	cm_store *store;
	struct caseload_row *rows;
	size_t n, pos;
};

static int by_manager(const void *a, const void *b)
{
	return strcmp(((const struct caseload_row *)a)->manager,
		      ((const struct caseload_row *)b)->manager);
}

int cm_caseload_list(cm_caseload_iter **out, cm_store *s)
{
	const struct cm__map *m;
	cm_caseload_iter *it;
	size_t i;
	int rc;

	if (!out || !s)
		return cm__err(s, CM_EINVAL, "caseload list: NULL argument");
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	if (!(it = cm__zalloc(s, sizeof(*it))))
		return cm__err(s, CM_ENOMEM, "out of memory for caseloads");
	CM__RDLOCK(s);
	m = &s->clients_by_cm.map;
	it->rows = cm__alloc(s, (m->count ? m->count : 1) * sizeof(*it->rows));
	if (!it->rows) {
		CM__UNLOCK(s);
		cm__free(s, it);
		return cm__err(s, CM_ENOMEM, "out of memory for caseloads");
	}
	for (i = 0; i < m->cap; i++) {
		const struct cm__bucket *b = m->ents[i].val;
		struct caseload_row row = { NULL, 0, 0 };
		uint32_t j;
		if (!m->ents[i].key)
			continue;
		row.manager = m->ents[i].key;
		for (j = 0; j < b->n; j++) {
			const struct cm__client *c = (const struct cm__client *)
				cm__bucket_slot(s, b, j)->cur;
			if (!cm__case_open(c->status))
				continue;
			row.clients++;
			row.load += c->risk_tier ? c->risk_tier : 1;
		}
		if (row.clients)
			it->rows[it->n++] = row;
	}
	CM__UNLOCK(s);
	if (it->n)
		qsort(it->rows, it->n, sizeof(*it->rows), by_manager);
	it->store = s;
	it->pos = 0;
	cm__store_ref(s);
	*out = it;
	return CM_OK;
}

int cm_caseload_iter_next(cm_caseload_iter *it)
{
	if (!it)
		return CM_EINVAL;
	if (it->pos >= it->n)
		return CM_ITEROVER;
	it->pos++;
	return CM_OK;
}

static const struct caseload_row *row(const cm_caseload_iter *it)
{
	return (it && it->pos > 0) ? &it->rows[it->pos - 1] : NULL;
}

const char *cm_caseload_iter_manager(const cm_caseload_iter *it)
{
	return row(it) ? row(it)->manager : NULL;
}

int64_t cm_caseload_iter_clients(const cm_caseload_iter *it)
{
	return row(it) ? row(it)->clients : 0;
}

int64_t cm_caseload_iter_load(const cm_caseload_iter *it)
{
	return row(it) ? row(it)->load : 0;
}

void cm_caseload_iter_free(cm_caseload_iter *it)
{
	cm_store *s;

	if (!it)
		return;
	s = it->store;
	cm__free(s, it->rows);
	cm__free(s, it);
	cm__store_unref(s);
}

/* ---- reassignment ------------------------------------------------------ */

/* Stage one client with its case manager changed. */
static int move_one(cm_txn *txn, struct cm__slot *slot, const char *to)
{
	struct cm__handle *h;
	int rc;

	cm__rec_retain(slot->cur);
	if ((rc = cm__handle_new(&h, txn->store, &cm__client_kind, slot->cur, 0))) {
		cm__rec_release(txn->store, slot->cur);
		return rc;
	}
	rc = cm__handle_set_text(h, CM_CLIENT_CASE_MANAGER, to);
	if (rc == CM_OK)
		rc = cm__txn_save(txn, h);
	cm__handle_free(h); /* the txn keeps its own reference */
	return rc;
}

int cm_caseload_reassign(size_t *out_moved, cm_txn *txn, const char *from,
			 const char *to)
{
	const struct cm__bucket *b;
	cm_store *s;
	size_t n0, moved = 0;
	uint32_t i;
	int rc;

	if (!txn || !from || !to)
		return cm__err(txn ? txn->store : NULL, CM_EINVAL,
			       "reassign: NULL argument");
	s = txn->store;
	if ((rc = cm__check_text(s, from, 64, "case manager", 0)) ||
	    (rc = cm__check_text(s, to, 64, "case manager", 0)))
		return rc;
	if (strcmp(from, to) == 0)
		return cm__err(s, CM_EINVAL, "reassign: from and to are the same");
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	/* Only the transaction's holder changes the index: no lock needed. */
	b = cm__mindex_get(&s->clients_by_cm, from);
	for (i = 0; b && i < b->n; i++) {
		const char *id = CM__SLOT_ID(cm__bucket_slot(s, b, i));
		if (cm__txn_staged(txn, CM_KIND_CLIENT, id))
			return cm__err(s, CM_ESTATE,
				       "reassign: client '%s' is already staged in "
				       "this transaction", id);
	}
	n0 = txn->nops;
	for (i = 0; b && i < b->n; i++) {
		struct cm__slot *slot = cm__bucket_slot(s, b, i);
		if (!cm__case_open(((const struct cm__client *)slot->cur)->status))
			continue;
		if ((rc = move_one(txn, slot, to)) != CM_OK) {
			cm__txn_truncate(txn, n0);
			return rc;
		}
		moved++;
	}
	if (out_moved)
		*out_moved = moved;
	return CM_OK;
}
