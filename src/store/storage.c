/*
 * Writing committed transactions to the host's storage callbacks, and the
 * transaction-log record that carries the audit trail through storage.
 */
#include <string.h>

#include "store/codec.h"
#include "store/storage_impl.h"

/* ---- the transaction-log record kind ------------------------------------ */

static const struct cm__field logentry_fields[] = {
	{ "kind", 1, CM__F_I32, 0, 0, offsetof(struct cm__logentry, kind), 0, CM__CHECK_RANGE, 1, CM__KIND_MAX - 1, NULL },
	{ "record id", 2, CM__F_TEXT, 0, 0, offsetof(struct cm__logentry, id), 64, 0, 0, 0, NULL },
	{ "revision", 3, CM__F_I64, 0, 0, offsetof(struct cm__logentry, revision), 0, CM__CHECK_RANGE, 1, INT64_MAX, NULL },
	{ "action", 4, CM__F_I32, 0, 0, offsetof(struct cm__logentry, action), 0, CM__CHECK_RANGE, CM_ACTION_CREATE, CM_ACTION_READ, NULL },
};
static const struct cm__schema logentry_schema = {
	"audit entry", sizeof(struct cm__logentry), logentry_fields, 4
};

static const struct cm__field txnrec_fields[] = {
	{ "actor", 16, CM__F_TEXT, 0, 0, offsetof(struct cm__txnrec, actor), 256, 0, 0, 0, NULL },
	{ "time", 17, CM__F_I64, 0, 0, offsetof(struct cm__txnrec, time), 0, CM__CHECK_TIME, 0, 0, NULL },
	{ "entries", 18, CM__F_LIST, 0, 0, offsetof(struct cm__txnrec, entries), UINT32_MAX, 0, 0, 0, &logentry_schema },
	{ "sequence", 19, CM__F_I64, 0, 0, offsetof(struct cm__txnrec, seq), 0, CM__CHECK_RANGE, 1, INT64_MAX, NULL },
};
static const struct cm__schema txnrec_schema = {
	"transaction log", sizeof(struct cm__txnrec), txnrec_fields, 4
};

static int txnrec_ok(const struct cm__rec *rec)
{
	const struct cm__txnrec *t = (const struct cm__txnrec *)rec;
	uint32_t i;

	if (!t->actor || t->time == CM_TIME_NONE || t->seq < 1 ||
	    t->entries.count == 0)
		return 0;
	for (i = 0; i < t->entries.count; i++)
		if (!CM__LIST_AT(&t->entries, struct cm__logentry, i)->id)
			return 0;
	return 1;
}

const struct cm__kind cm__txnlog_kind = {
	.kind = CM_KIND_TXNLOG,
	.name = "transaction log",
	.schema = &txnrec_schema,
	.check_decoded = txnrec_ok,
};

/* ---- callbacks ---------------------------------------------------------- */

/* A callback's failure as a CM_E* code: the codes a storage can mean
 * (CM_ECONFLICT, CM_EPOISONED, CM_EIO...) pass through; anything else,
 * including the -1 most hosts return for "failed" (which is CM_EINVAL's
 * value, a code the header never promises here), is CM_ESTORAGE. The
 * message carries the host's own. */
static int storage_code(int rc)
{
	switch (rc) {
	case CM_ENOMEM:
	case CM_ECONFLICT:
	case CM_EVERSION:
	case CM_ECORRUPT:
	case CM_ELOCKED:
	case CM_EPOISONED:
	case CM_EIO:
		return rc;
	default:
		return CM_ESTORAGE;
	}
}

int cm__storage_fail(cm_store *s, const char *what, int rc)
{
	const char *host = s->storage->errmsg ? s->storage->errmsg(s->storage_ctx) : NULL;
	int code = storage_code(rc);

	return cm__err(s, code, "storage %s failed: %s", what,
		       host && host[0] ? host : cm_strerror(code));
}

/* Build and encode the transaction-log record of txn into b. */
static int encode_txnlog(cm_txn *txn, const char *logid, struct cm__buf *b)
{
	cm_store *s = txn->store;
	struct cm__txnrec t;
	struct cm__logentry *e;
	size_t i;
	int rc;

	memset(&t, 0, sizeof(t));
	t.hdr.kind = CM_KIND_TXNLOG;
	t.hdr.id = (char *)logid;
	t.hdr.revision = 1;
	t.hdr.created = t.hdr.updated = txn->time;
	t.actor = txn->actor;
	t.time = txn->time;
	t.seq = (int64_t)s->ntxn + 1;
	e = cm__alloc(s, txn->nops * sizeof(*e));
	if (!e)
		return CM_ENOMEM;
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		e[i].kind = op->kind;
		e[i].id = op->rec->id;
		e[i].revision = op->rec->revision;
		e[i].action = op->action;
	}
	t.entries.items = e;
	t.entries.count = t.entries.cap = (uint32_t)txn->nops;
	rc = cm__rec_encode(s, &cm__txnlog_kind, &t.hdr, b);
	cm__free(s, e);
	return rc;
}

int cm__storage_write(cm_txn *txn, char **out_logid)
{
	cm_store *s = txn->store;
	const cm_storage *st = s->storage;
	struct cm__buf b = { NULL, 0, 0 };
	char *logid = NULL;
	size_t i;
	int rc, began = 0;

	if (!st->put)
		return cm__err(s, CM_EUNSUPPORTED, "the storage is read-only");
	if (cm__store_make_id(s, txn->time, &logid))
		goto nomem;
	if (st->begin && (rc = st->begin(s->storage_ctx)) != 0) {
		rc = cm__storage_fail(s, "begin", rc);
		goto out;
	}
	began = 1;
	/* Each record is encoded as it is put, in one buffer: a transaction
	 * (a bulk load) never holds its whole encoding. An allocation that
	 * fails part-way rolls the host back, as a failed put does. */
	for (i = 0; i <= txn->nops; i++) {
		const struct cm__op *op = i < txn->nops ? &txn->ops[i] : NULL;
		b.len = 0;
		if (op ? cm__rec_encode(s, cm__kind_get(op->kind), op->rec, &b)
		       : encode_txnlog(txn, logid, &b))
			goto nomem;
		rc = st->put(s->storage_ctx, op ? op->kind : CM_KIND_TXNLOG,
			     op ? op->rec->id : logid, op ? op->rec->revision : 1,
			     op && cm__op_slot(op) ? cm__op_slot(op)->cur->revision : 0,
			     b.data, b.len);
		if (rc) {
			rc = cm__storage_fail(s, "put", rc);
			goto out;
		}
	}
	if (st->commit && (rc = st->commit(s->storage_ctx)) != 0) {
		rc = cm__storage_fail(s, "commit", rc);
		goto out;
	}
	began = 0;
	*out_logid = logid;
	logid = NULL;
	rc = CM_OK;
	goto out;
nomem:
	rc = cm__err(s, CM_ENOMEM, "out of memory at commit");
out:
	if (began && st->rollback)
		st->rollback(s->storage_ctx);
	cm__free(s, logid);
	cm__buf_free(s, &b);
	return rc;
}

/* ---- every live record, encoded (for compaction) ------------------------ */

int cm__store_foreach_encoded(cm_store *s,
			      int (*fn)(void *ctx, const void *bytes, size_t len),
			      void *ctx)
{
	struct cm__buf b = { NULL, 0, 0 };
	struct cm__txnrec t;
	size_t k, i, j, a = 0;
	int rc = CM_OK;

	for (k = 1; k < CM__KIND_MAX && rc == CM_OK; k++) {
		const struct cm__kind *kd = cm__kind_get((int32_t)k);
		const struct cm__table *tb = &s->tables[k];
		for (i = 0; i < tb->count && rc == CM_OK; i++) {
			const struct cm__slot *sl = cm__table_slot(tb, i);
			const struct cm__revs *rv = cm__slot_revs(sl);
			uint32_t nrevs = rv ? rv->n : 0;
			for (j = 0; j <= nrevs && rc == CM_OK; j++) {
				const struct cm__rec *r = j < nrevs ? rv->v[j] : sl->cur;
				b.len = 0;
				if (!r)
					continue;
				if (cm__rec_encode(s, kd, r, &b))
					rc = CM_ENOMEM;
				else
					rc = fn(ctx, b.data, b.len);
			}
		}
	}
	/* Transaction logs, rebuilt from the audit trail. */
	for (i = 0; i < s->ntxn && rc == CM_OK; i++) {
		struct cm__logentry *e;
		size_t first = a, n;
		a = s->txnlog[i].end;
		n = a - first;
		if (!s->txnlog[i].id || n == 0)
			continue;
		e = cm__alloc(s, n * sizeof(*e));
		if (!e) {
			rc = CM_ENOMEM;
			break;
		}
		for (j = 0; j < n; j++) {
			const struct cm__slot *sl = cm__audit_slot(s, first + j);
			struct cm__audit_ent ae = cm__audit_get(s, first + j);
			e[j].kind = (unsigned char)sl->kid[0];
			e[j].id = (char *)(uintptr_t)CM__SLOT_ID(sl);
			e[j].revision = ae.revision;
			e[j].action = ae.action;
		}
		memset(&t, 0, sizeof(t));
		t.hdr.kind = CM_KIND_TXNLOG;
		t.hdr.id = s->txnlog[i].id;
		t.hdr.revision = 1;
		t.hdr.created = t.hdr.updated = s->txnlog[i].time;
		t.actor = (char *)(uintptr_t)s->txnlog[i].actor; /* only encoded */
		t.time = s->txnlog[i].time;
		t.seq = (int64_t)i + 1;
		t.entries.items = e;
		t.entries.count = t.entries.cap = (uint32_t)n;
		b.len = 0;
		rc = cm__rec_encode(s, &cm__txnlog_kind, &t.hdr, &b) ? CM_ENOMEM
			: fn(ctx, b.data, b.len);
		cm__free(s, e);
	}
	cm__buf_free(s, &b);
	if (rc == CM_ENOMEM)
		cm__err(s, CM_ENOMEM, "out of memory encoding records");
	return rc;
}
