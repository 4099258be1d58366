/*
 * By-client indexes over record kinds whose client never changes (plans,
 * assessments): the kind's index hooks call these. An entry is the record's
 * slot with key 0, so a client's bucket lists its records by id (creation
 * order for generated ids); everything else is read from the slot's
 * current version.
 */
#include "store/store_impl.h"

static const char *client_of(const struct cm__rec *rec, size_t client_off)
{
	/* client_off is an offsetof() into the record's struct: aligned. */
	return *(char *const *)(const void *)((const char *)rec + client_off);
}

void cm__byclient_discard(cm_store *s, cm_txn *txn, int32_t kind)
{
	struct cm__mprep *p = txn->index_prep[kind];

	if (!p)
		return;
	cm__mprep_done(s, p);
	cm__txn_prep_end(txn, kind);
}

int cm__byclient_prepare(cm_store *s, cm_txn *txn, int32_t kind,
			 struct cm__mindex *ix, size_t client_off)
{
	struct cm__mprep *p = cm__txn_prep_new(txn, kind, sizeof(*p));
	size_t i;

	if (!p)
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__slot *client;
		const char *cid;
		if (op->kind != kind || cm__op_slot(op))
			continue;
		cid = client_of(op->rec, client_off);
		client = cm__op_client(txn, op, cid);
		if (!client)
			return cm__err(s, CM_ENOTFOUND, "%s: no client '%s'",
				       cm__kind_of(op->kind)->name, cid);
		/* Borrow the client slot's id as a new bucket's key. */
		if (cm__mindex_plan(s, ix, p, cid, CM__SLOT_ID(client)))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
	}
	if (cm__mindex_reserve(s, p))
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
	return CM_OK;
}

void cm__byclient_apply(cm_store *s, cm_txn *txn, int32_t kind,
			struct cm__mindex *ix, size_t client_off)
{
	struct cm__mprep *p = txn->index_prep[kind];
	size_t i;

	(void)s;
	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		if (op->kind == kind && !cm__op_slot(op))
			cm__mindex_add_client(ix, p, op,
					      client_of(op->rec, client_off), 0);
	}
	cm__mindex_settle(ix, p);
}
