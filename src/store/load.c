/*
 * Loading a store from storage at open: decode every record the host feeds
 * back, then install them through the same prepare/apply steps a commit
 * uses (so indexes are built by the same code), and rebuild the audit trail
 * from the transaction-log records.
 */
#include <stdlib.h>
#include <string.h>

#include "store/codec.h"
#include "store/storage_impl.h"

struct loader {
	cm_store *s;
	struct cm__rec **recs; /* records of every kind but the log */
	size_t n, cap;
	struct cm__txnrec **logs;
	size_t nlogs, caplogs;
	int rc; /* the first failure emit saw */
};

static int emit(void *ctx, const void *bytes, size_t len)
{
	struct loader *l = ctx;
	struct cm__rec *r;
	int rc;

	if (l->rc)
		return l->rc;
	rc = cm__rec_decode(l->s, bytes, len, &r);
	if (rc)
		return l->rc = rc;
	if (r->kind == CM_KIND_TXNLOG) {
		if (cm__reserve(l->s, (void **)&l->logs, &l->caplogs, l->nlogs + 1,
				sizeof(*l->logs)))
			goto nomem;
		l->logs[l->nlogs++] = (struct cm__txnrec *)r;
	} else {
		if (cm__reserve(l->s, (void **)&l->recs, &l->cap, l->n + 1,
				sizeof(*l->recs)))
			goto nomem;
		l->recs[l->n++] = r;
	}
	return CM_OK;
nomem:
	cm__rec_release(l->s, r);
	return l->rc = cm__err(l->s, CM_ENOMEM, "out of memory loading records");
}

static int by_key(const void *pa, const void *pb)
{
	const struct cm__rec *a = *(const struct cm__rec *const *)pa;
	const struct cm__rec *b = *(const struct cm__rec *const *)pb;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = strcmp(a->id, b->id)) != 0)
		return c;
	return a->revision < b->revision ? -1 : a->revision > b->revision;
}

/* Commit order: the sequence number (clocks may go backwards); stores
 * sharing one storage may reuse a number, and then time and id decide. */
static int by_commit(const void *pa, const void *pb)
{
	const struct cm__txnrec *a = *(const struct cm__txnrec *const *)pa;
	const struct cm__txnrec *b = *(const struct cm__txnrec *const *)pb;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return strcmp(a->hdr.id, b->hdr.id);
}

static int op_by_key(const void *pkey, const void *pop)
{
	const struct cm__logentry *e = pkey;
	const struct cm__op *op = pop;

	if (e->kind != op->kind->kind)
		return e->kind < op->kind->kind ? -1 : 1;
	return strcmp(e->id, op->rec->id);
}

/* Put the ops (sorted by kind and id) in creation order, so that every
 * table's slots come back in the order they were made: the order of the
 * CREATE entries of the transaction logs (sorted by time). Records no log
 * creates keep key order, after the others. */
static int order_by_creation(cm_store *s, const struct loader *l, cm_txn *txn)
{
	size_t *rank, i, r = 0;
	struct cm__op *sorted;
	uint32_t j;

	rank = cm__alloc(s, (txn->nops ? txn->nops : 1) * sizeof(*rank));
	sorted = cm__alloc(s, (txn->nops ? txn->nops : 1) * sizeof(*sorted));
	if (!rank || !sorted) {
		cm__free(s, rank);
		cm__free(s, sorted);
		return cm__err(s, CM_ENOMEM, "out of memory loading records");
	}
	for (i = 0; i < txn->nops; i++)
		rank[i] = SIZE_MAX;
	for (i = 0; i < l->nlogs; i++) {
		const struct cm__list *en = &l->logs[i]->entries;
		for (j = 0; j < en->count; j++) {
			const struct cm__logentry *e = CM__LIST_AT(en, struct cm__logentry, j);
			const struct cm__op *op;
			if (e->action != CM_ACTION_CREATE)
				continue;
			op = bsearch(e, txn->ops, txn->nops, sizeof(*txn->ops), op_by_key);
			if (op && rank[op - txn->ops] == SIZE_MAX)
				rank[op - txn->ops] = r++;
		}
	}
	for (i = 0; i < txn->nops; i++)
		if (rank[i] == SIZE_MAX)
			rank[i] = r++;
	for (i = 0; i < txn->nops; i++)
		sorted[rank[i]] = txn->ops[i];
	memcpy(txn->ops, sorted, txn->nops * sizeof(*sorted));
	cm__free(s, sorted);
	cm__free(s, rank);
	return CM_OK;
}

/* Install the current revisions through prepare/apply; keep the earlier
 * ones of kinds that keep revisions. recs is sorted by kind, id, rev. */
static int install(cm_store *s, struct loader *l)
{
	cm_txn txn;
	int prepared[CM__KIND_MAX] = { 0 };
	size_t i, j;
	int32_t kk;
	int rc = CM_OK;

	memset(&txn, 0, sizeof(txn));
	txn.store = s;
	txn.ops = cm__zalloc(s, (l->n ? l->n : 1) * sizeof(*txn.ops));
	if (!txn.ops)
		return cm__err(s, CM_ENOMEM, "out of memory loading records");
	for (i = 0; i < l->n; i = j) {
		struct cm__op *op = &txn.ops[txn.nops++];
		for (j = i + 1; j < l->n && l->recs[j]->kind == l->recs[i]->kind &&
				strcmp(l->recs[j]->id, l->recs[i]->id) == 0; j++)
			if (l->recs[j]->revision == l->recs[j - 1]->revision) {
				rc = cm__err(s, CM_ECORRUPT,
					     "stored record '%s' has revision %lld twice",
					     l->recs[j]->id, (long long)l->recs[j]->revision);
				goto out;
			}
		op->kind = cm__kind_get(l->recs[i]->kind);
		op->rec = l->recs[j - 1]; /* the newest */
		op->action = CM_ACTION_CREATE;
		op->new_slot = cm__slot_new(s, op->rec->kind, op->rec->id);
		if (!op->new_slot ||
		    (op->kind->keep_revisions && j - i > 1 &&
		     cm__slot_reserve_revs(s, op->new_slot,
					   (size_t)op->rec->revision - 1))) {
			rc = cm__err(s, CM_ENOMEM, "out of memory loading records");
			goto out;
		}
	}
	rc = order_by_creation(s, l, &txn);
	if (rc == CM_OK)
		rc = cm__txn_install(&txn, prepared);
	if (rc != CM_OK && rc != CM_ENOMEM && rc != CM_ECORRUPT) {
		/* A kind refused what is stored (an identifier on two clients,
		 * an event of a client that is not stored): corrupt storage.
		 * Copy the message first: it is the buffer cm__err writes. */
		char why[sizeof(s->errmsg)];
		cm_store_errmsg_copy(s, why, sizeof(why));
		rc = cm__err(s, CM_ECORRUPT, "stored records contradict each other: %s",
			     why);
	}
out:
	for (kk = 1; kk < CM__KIND_MAX; kk++) {
		const struct cm__kind *k = cm__kind_get(kk);
		if (prepared[kk] && k->index_discard)
			k->index_discard(s, &txn);
	}
	/* Earlier revisions: into the slot (kept) or released. */
	for (i = 0, j = 0; i < l->n; i++) {
		struct cm__rec *r = l->recs[i];
		const struct cm__kind *k = cm__kind_get(r->kind);
		struct cm__slot *sl;
		if (rc == CM_OK && (sl = cm__slot_find(s, r->kind, r->id)) &&
		    sl->cur != r && k->keep_revisions &&
		    (size_t)r->revision <= sl->caprevs) {
			/* revs[i] is revision i + 1; gaps stay NULL. */
			while (sl->nrevs < (size_t)r->revision - 1)
				sl->revs[sl->nrevs++] = NULL;
			sl->revs[r->revision - 1] = r;
			if (sl->nrevs < (size_t)r->revision)
				sl->nrevs = (uint32_t)r->revision;
			continue;
		}
		if (rc == CM_OK && sl && sl->cur == r)
			continue; /* installed */
		cm__rec_release(s, r);
	}
	for (i = 0; i < txn.nops; i++) {
		if (txn.ops[i].new_slot) {
			cm__free(s, txn.ops[i].new_slot->revs);
			cm__free(s, txn.ops[i].new_slot);
		}
	}
	cm__free(s, txn.ops);
	l->n = 0;
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Ids made from now on must sort after the stored transaction-log ids of
 * the same millisecond (the audit trail loads in (time, id) order, and a
 * reopened store may commit within the second of the last commit): move
 * the store's id clock past log id `id` (UUID v7 text as made by
 * cm__store_make_id: 48-bit milliseconds, version nibble, 12-bit counter). */
static void id_clock_past(cm_store *s, const char *id)
{
	static const int8_t pos[15] = { 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 15, 16, 17 };
	uint64_t ms = 0;
	uint32_t seq = 0;
	int i, v;

	if (strlen(id) != 36 || id[14] != '7')
		return;
	for (i = 0; i < 15; i++) {
		if ((v = hexval(id[pos[i]])) < 0)
			return;
		if (i < 12)
			ms = ms << 4 | (uint64_t)v;
		else
			seq = seq << 4 | (uint32_t)v;
	}
	if ((int64_t)ms > s->id_ms || ((int64_t)ms == s->id_ms && seq > s->id_seq)) {
		s->id_ms = (int64_t)ms;
		s->id_seq = seq;
	}
}

/* Rebuild the audit trail from the transaction logs, oldest first. */
static int install_logs(cm_store *s, struct loader *l)
{
	size_t i, need = 0;
	uint32_t j;

	for (i = 0; i < l->nlogs; i++)
		need += l->logs[i]->entries.count;
	if (cm__reserve(s, (void **)&s->audit, &s->auditcap, need, sizeof(*s->audit)) ||
	    cm__reserve(s, (void **)&s->txnlog, &s->txncap, l->nlogs, sizeof(*s->txnlog)))
		return cm__err(s, CM_ENOMEM, "out of memory loading the audit trail");
	for (i = 0; i < l->nlogs; i++) {
		struct cm__txnrec *t = l->logs[i];
		for (j = 0; j < t->entries.count; j++) {
			const struct cm__logentry *e = CM__LIST_AT(&t->entries, struct cm__logentry, j);
			const struct cm__slot *sl = cm__slot_find(s, e->kind, e->id);
			if (!sl)
				return cm__err(s, CM_ECORRUPT,
					       "transaction log '%s' names %s '%s', "
					       "which is not stored", t->hdr.id,
					       cm_kind_name(e->kind) ? cm_kind_name(e->kind) : "record",
					       e->id);
		}
	}
	for (i = 0; i < l->nlogs; i++) {
		struct cm__txnrec *t = l->logs[i];
		for (j = 0; j < t->entries.count; j++) {
			const struct cm__logentry *e = CM__LIST_AT(&t->entries, struct cm__logentry, j);
			struct cm__audit *a = &s->audit[s->naudit++];
			a->txn = (uint32_t)s->ntxn;
			a->action = e->action;
			a->kind = e->kind;
			a->revision = e->revision;
			a->id = cm__slot_find(s, e->kind, e->id)->id;
		}
		id_clock_past(s, t->hdr.id);
		/* Move the strings over instead of copying them. */
		s->txnlog[s->ntxn].actor = t->actor;
		s->txnlog[s->ntxn].time = t->time;
		s->txnlog[s->ntxn].id = t->hdr.id;
		t->actor = NULL;
		t->hdr.id = NULL;
		s->ntxn++;
	}
	return CM_OK;
}

int cm__store_load(cm_store *s)
{
	struct loader l;
	size_t i;
	int rc;

	if (!s->storage->load)
		return CM_OK;
	memset(&l, 0, sizeof(l));
	l.s = s;
	rc = s->storage->load(s->storage_ctx, emit, &l);
	if (l.rc)
		rc = l.rc; /* emit's own code and message */
	else if (rc)
		rc = cm__storage_fail(s, "load", rc);
	if (rc == CM_OK) {
		if (l.n) /* recs is NULL when storage is empty */
			qsort(l.recs, l.n, sizeof(*l.recs), by_key);
		/* Commit order first: creation order is read from it. */
		if (l.nlogs)
			qsort(l.logs, l.nlogs, sizeof(*l.logs), by_commit);
		rc = install(s, &l);
	}
	if (rc == CM_OK)
		rc = install_logs(s, &l);
	for (i = 0; i < l.n; i++)
		cm__rec_release(s, l.recs[i]);
	for (i = 0; i < l.nlogs; i++)
		cm__rec_release(s, &l.logs[i]->hdr);
	cm__free(s, l.recs);
	cm__free(s, l.logs);
	return rc;
}
