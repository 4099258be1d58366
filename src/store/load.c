/*
 * Loading a store from storage at open: decode every record the host feeds
 * back, then install them through the same prepare/apply steps a commit
 * uses (so indexes are built by the same code), and rebuild the audit trail
 * from the transaction-log records.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "store/codec.h"
#include "store/intern.h"
#include "store/storage_impl.h"

struct loader {
	cm_store *s;
	struct cm__rec **recs; /* records of every kind but the log */
	size_t n, cap;
	struct cm__txnrec **logs;
	size_t nlogs, caplogs;
	int rc; /* the first failure emit saw */
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Ids made from now on must differ from, and sort after, every stored id
 * the library made: a reopened store with the same id seed, or a clock
 * still in the second of the last commit, would otherwise make a stored
 * record's id again (and transaction logs must sort in commit order).
 * Move the store's id clock past `id` when it is UUID v7 text as made by
 * cm__store_make_id (48-bit milliseconds, version nibble, 12-bit counter);
 * host-supplied ids of another form are left alone. Any thread (the
 * clock only moves forward, by compare-and-swap). */
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
	{
		uint64_t clk = atomic_load_explicit(&s->id_clock,
						    memory_order_relaxed);
		uint64_t seen = ms << 12 | seq;
		while (seen > clk &&
		       !atomic_compare_exchange_weak_explicit(
			       &s->id_clock, &clk, seen, memory_order_relaxed,
			       memory_order_relaxed))
			;
	}
}

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
	id_clock_past(l->s, r->id);
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

/* Sort l->recs by_key. Within a kind they mostly come in that order
 * already (storage feeds them in commit order, and the ids the library
 * makes sort by creation time): they are grouped by kind in one stable
 * pass, and only a kind found out of order is sorted. CM_OK or CM_ENOMEM
 * (message set). */
static int sort_recs(cm_store *s, struct loader *l)
{
	size_t at[CM__KIND_MAX + 1] = { 0 }, i, k;
	struct cm__rec **by_kind;

	if (l->n < 2)
		return CM_OK;
	if (!(by_kind = cm__alloc(s, l->n * sizeof(*by_kind))))
		return cm__err(s, CM_ENOMEM, "out of memory loading records");
	for (i = 0; i < l->n; i++)
		at[l->recs[i]->kind + 1]++;
	for (k = 1; k <= CM__KIND_MAX; k++)
		at[k] += at[k - 1];
	for (i = 0; i < l->n; i++)
		by_kind[at[l->recs[i]->kind]++] = l->recs[i];
	/* at[k] is now the end of kind k. */
	for (k = 0, i = 0; k < CM__KIND_MAX; i = at[k++]) {
		size_t a = i, b = at[k];
		for (i = a + 1; i < b && by_key(&by_kind[i - 1], &by_kind[i]) <= 0; i++)
			;
		if (i < b)
			qsort(by_kind + a, b - a, sizeof(*by_kind), by_key);
	}
	cm__free(s, l->recs);
	l->recs = by_kind;
	l->cap = l->n;
	return CM_OK;
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

	if (e->kind != op->kind)
		return e->kind < op->kind ? -1 : 1;
	return strcmp(e->id, op->rec->id);
}

/* Put the ops (sorted by kind and id) in creation order, so that every
 * table's slots come back in the order they were made: the order of the
 * CREATE entries of the transaction logs (sorted by time). Records no log
 * creates keep key order, after the others. An entry's op is looked for
 * first just after the last one found of its kind (the ids the library
 * makes sort by creation time, so the entries of a kind mostly come in
 * key order), else by binary search. */
static int order_by_creation(cm_store *s, const struct loader *l, cm_txn *txn)
{
	size_t *rank, i, r = 0, next[CM__KIND_MAX] = { 0 };
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
			const struct cm__op *op = NULL;
			size_t o = next[e->kind];
			if (e->action != CM_ACTION_CREATE)
				continue;
			if (o < txn->nops && op_by_key(e, &txn->ops[o]) == 0)
				op = &txn->ops[o];
			else
				op = bsearch(e, txn->ops, txn->nops, sizeof(*txn->ops), op_by_key);
			if (!op)
				continue;
			o = (size_t)(op - txn->ops);
			next[e->kind] = o + 1;
			if (rank[o] == SIZE_MAX)
				rank[o] = r++;
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

/* Pack l->recs[i..j) (the revisions of one record) in place, as commit
 * packs what it installs (one block each, shared texts interned), their
 * id borrowed from the record's slot sl. CM_OK or CM_ENOMEM (message). */
static int pack_group(cm_store *s, struct loader *l, size_t i, size_t j,
		      const struct cm__slot *sl)
{
	for (; i < j; i++) {
		struct cm__rec *r = l->recs[i], *p;
		if (cm__rec_pack(s, cm__kind_get(r->kind), &p, r, CM__SLOT_ID(sl),
				 NULL) != CM_OK)
			return cm__err(s, CM_ENOMEM, "out of memory loading records");
		cm__rec_release(s, r);
		l->recs[i] = p;
	}
	return CM_OK;
}

/* The end *out_j of the stored versions of one record from l->recs[i] on
 * (recs is sorted by kind, id, revision). CM_ECORRUPT if a revision comes
 * twice, or if a record of a kind that never changes once committed
 * (monitoring events) has any version but revision 1. */
static int group_end(cm_store *s, const struct loader *l, size_t i,
		     size_t *out_j)
{
	const struct cm__rec *r = l->recs[i];
	const struct cm__kind *k = cm__kind_get(r->kind);
	size_t j;

	for (j = i + 1; j < l->n && l->recs[j]->kind == r->kind &&
			strcmp(l->recs[j]->id, r->id) == 0; j++)
		if (l->recs[j]->revision == l->recs[j - 1]->revision)
			return cm__err(s, CM_ECORRUPT,
				       "stored record '%s' has revision %lld twice",
				       r->id, (long long)l->recs[j]->revision);
	if (k->immutable && (j - i > 1 || r->revision != 1))
		return cm__err(s, CM_ECORRUPT,
			       "stored %s '%s' has revision %lld: a committed %s "
			       "never changes", k->name, r->id,
			       (long long)l->recs[j - 1]->revision, k->name);
	*out_j = j;
	return CM_OK;
}

/* Install the current revisions through prepare/apply; keep the earlier
 * ones of kinds that keep revisions. recs is sorted by kind, id, rev. */
static int install(cm_store *s, struct loader *l)
{
	cm_txn txn;
	int prepared[CM__KIND_MAX] = { 0 };
	size_t i, j;
	/* newest[i / 8] bit i % 8: recs[i] is its record's newest version. */
	uint8_t *newest = cm__zalloc(s, l->n / 8 + 1);
	int rc = CM_OK;

	memset(&txn, 0, sizeof(txn));
	txn.store = s;
	txn.ops = cm__zalloc(s, (l->n ? l->n : 1) * sizeof(*txn.ops));
	if (!txn.ops || !newest) {
		cm__free(s, txn.ops);
		cm__free(s, newest);
		return cm__err(s, CM_ENOMEM, "out of memory loading records");
	}
	for (i = 0; i < l->n; i = j) {
		struct cm__op *op = &txn.ops[txn.nops++];
		if ((rc = group_end(s, l, i, &j)) != CM_OK)
			goto out;
		newest[(j - 1) / 8] |= (uint8_t)(1u << (j - 1) % 8);
		op->kind = (uint8_t)l->recs[i]->kind;
		op->action = CM_ACTION_CREATE;
		op->sl = cm__slot_new(s, l->recs[i]->kind, l->recs[i]->id);
		op->fresh = op->sl != NULL;
		if (!op->sl ||
		    (cm__kind_of(op->kind)->keep_revisions && j - i > 1 &&
		     cm__slot_reserve_revs(s, op->sl,
					   (size_t)l->recs[j - 1]->revision - 1))) {
			rc = cm__err(s, CM_ENOMEM, "out of memory loading records");
			goto out;
		}
		if ((rc = pack_group(s, l, i, j, op->sl)) != CM_OK)
			goto out;
		op->rec = l->recs[j - 1]; /* the newest */
	}
	rc = order_by_creation(s, l, &txn);
	if (rc == CM_OK)
		rc = cm__txn_install(&txn, prepared, NULL, NULL, NULL);
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
	cm__txn_discard(&txn, prepared);
	cm__txn_prep_free(&txn);
	/* Earlier revisions: into the slot (kept) or released. Installed, a
	 * record's newest version (the last of its group) is its slot's. */
	for (i = 0; i < l->n; i++) {
		struct cm__rec *r = l->recs[i];
		const struct cm__kind *k = cm__kind_get(r->kind);
		struct cm__slot *sl;
		struct cm__revs *rv;
		if (rc == CM_OK && (newest[i / 8] >> i % 8 & 1)) {
			assert(cm__slot_find(s, r->kind, r->id)->cur == r);
			continue; /* installed */
		}
		if (rc == CM_OK && k->keep_revisions &&
		    (sl = cm__slot_find(s, r->kind, r->id)) &&
		    (rv = cm__slot_revs(sl)) != NULL &&
		    (size_t)r->revision <= rv->cap) {
			/* v[i] is revision i + 1; gaps stay NULL. */
			while (rv->n < (size_t)r->revision - 1)
				rv->v[rv->n++] = NULL;
			rv->v[r->revision - 1] = r;
			if (rv->n < (size_t)r->revision)
				rv->n = (uint32_t)r->revision;
			continue;
		}
		cm__rec_release(s, r);
	}
	for (i = 0; i < txn.nops; i++) {
		if (txn.ops[i].fresh) /* not installed */
			cm__slot_free(s, txn.ops[i].sl);
	}
	cm__free(s, txn.ops);
	cm__free(s, newest);
	l->n = 0;
	return rc;
}

/* Add the actor of transaction log t to the store's intern table, so that
 * append_log finds it: CM_OK or CM_ENOMEM (message set). */
static int intern_actor(cm_store *s, const struct cm__txnrec *t)
{
	if (!cm__intern(s, t->actor, strlen(t->actor)))
		return cm__err(s, CM_ENOMEM, "out of memory loading the audit trail");
	return CM_OK;
}

/* The entries of transaction log t that are wide in the audit trail
 * (cm__audit_word 0): room for them is reserved apart. */
static size_t log_wide(const struct cm__txnrec *t)
{
	size_t n = 0;
	uint32_t j;

	for (j = 0; j < t->entries.count; j++) {
		const struct cm__logentry *e = CM__LIST_AT(&t->entries, struct cm__logentry, j);
		n += !cm__audit_word(e->revision, (uint8_t)e->action);
	}
	return n;
}

/* Write the audit entry of each entry of transaction log t at
 * entries at, at + 1, ... (reserved, at or past naudit: not yet in the
 * trail; its wide ones too).
 * Every record t names must be installed, else CM_ECORRUPT (message).
 * At open, next (else NULL) is per kind the number of records whose
 * CREATE entry was met so far: the tables hold the records in the order
 * of those entries (order_by_creation), so a CREATE entry's record is
 * mostly the next one of its table, found without a look-up. */
static int log_entries(cm_store *s, const struct cm__txnrec *t, size_t at,
		       size_t *next)
{
	uint32_t j;

	for (j = 0; j < t->entries.count; j++, at++) {
		const struct cm__logentry *e = CM__LIST_AT(&t->entries, struct cm__logentry, j);
		const struct cm__table *tb = &s->tables[e->kind];
		const struct cm__slot *sl = NULL;
		if (next && e->action == CM_ACTION_CREATE && next[e->kind] < tb->count &&
		    strcmp(CM__SLOT_ID(cm__table_slot(tb, next[e->kind])), e->id) == 0)
			sl = cm__table_slot(tb, next[e->kind]++);
		if (!sl)
			sl = cm__slot_find(s, e->kind, e->id);
		if (!sl)
			return cm__err(s, CM_ECORRUPT,
				       "transaction log '%s' names %s '%s', "
				       "which is not stored", t->hdr.id,
				       cm_kind_name(e->kind) ? cm_kind_name(e->kind) : "record",
				       e->id);
		cm__audit_set(s, at, sl, e->revision, (uint8_t)e->action);
	}
	return CM_OK;
}

/* Append transaction log t to the audit trail. Room was reserved, its
 * actor interned (intern_actor) and its entries written (log_entries at
 * naudit). Its id moves over instead of being copied; its actor is the
 * store's shared copy. */
static void append_log(cm_store *s, struct cm__txnrec *t)
{
	s->naudit += t->entries.count;
	/* Interned by intern_actor: found without allocating. */
	cm__audit_txn_push(s, cm__intern_find(s, t->actor, strlen(t->actor)),
			   t->time, t->hdr.id);
	t->hdr.id = NULL;
}

/* 1 if log i of l (sorted by commit: by_commit) is the one before it
 * again: a storage that holds or emits a log twice brings its copies one
 * after the other. Before any of them is appended (append_log takes the
 * id). */
static int log_again(const struct loader *l, size_t i)
{
	return i > 0 && strcmp(l->logs[i - 1]->hdr.id, l->logs[i]->hdr.id) == 0;
}

/* Rebuild the audit trail from the transaction logs, oldest first, each
 * once. */
static int install_logs(cm_store *s, struct loader *l)
{
	const char *prev;
	size_t i, need = 0, at, next[CM__KIND_MAX] = { 0 };

	for (i = 0; i < l->nlogs; i++)
		need += log_again(l, i) ? 0 : l->logs[i]->entries.count;
	if (cm__audit_reserve(s, need, 0, l->nlogs))
		return cm__err(s, CM_ENOMEM, "out of memory loading the audit trail");
	for (i = 0, at = s->naudit; i < l->nlogs; i++) {
		struct cm__txnrec *t = l->logs[i];
		if (log_again(l, i))
			continue;
		if (intern_actor(s, t))
			return CM_ENOMEM;
		/* The wide entries' room log by log: a pass over entries
		 * log_entries reads next, not over every log first. */
		if (cm__audit_reserve_wide(s, log_wide(t)))
			return cm__err(s, CM_ENOMEM,
				       "out of memory loading the audit trail");
		if (log_entries(s, t, at, next) != CM_OK)
			return CM_ECORRUPT;
		at += t->entries.count;
	}
	/* append_log moves each id into the trail: compare with that. */
	for (i = 0, prev = NULL; i < l->nlogs; i++) {
		struct cm__txnrec *t = l->logs[i];
		if (prev && strcmp(prev, t->hdr.id) == 0)
			continue;
		prev = t->hdr.id;
		append_log(s, t);
	}
	return CM_OK;
}

/* Have storage feed l: everything (marker NULL: with load) or what came
 * after marker (with load_since, writing the new marker to out_marker,
 * CM_STORAGE_MARKER_MAX + 1 bytes, which holds the old one on entry). */
static int feed(cm_store *s, struct loader *l, const char *marker,
		char *out_marker)
{
	const cm_storage *st = s->storage;
	int rc;

	if (marker)
		rc = st->load_since(s->storage_ctx, marker[0] ? marker : NULL,
				    emit, l, out_marker, CM_STORAGE_MARKER_MAX + 1);
	else
		rc = st->load(s->storage_ctx, emit, l);
	if (l->rc)
		return l->rc; /* emit's own code and message */
	if (rc)
		return cm__storage_fail(s, marker ? "load_since" : "load", rc);
	if (marker && !memchr(out_marker, '\0', CM_STORAGE_MARKER_MAX + 1))
		return cm__err(s, CM_ESTORAGE,
			       "storage load_since failed: its marker is longer "
			       "than %d bytes", CM_STORAGE_MARKER_MAX);
	return CM_OK;
}

int cm__store_load(cm_store *s)
{
	struct loader l;
	size_t i;
	int rc;

	if (!s->storage->load && !s->storage->load_since)
		return CM_OK;
	memset(&l, 0, sizeof(l));
	l.s = s;
	rc = feed(s, &l, s->storage->load_since ? "" : NULL, s->marker);
	if (rc == CM_OK)
		rc = sort_recs(s, &l);
	if (rc == CM_OK) {
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

/* ---- refresh: what other stores committed since the marker ------------- */

struct refresh {
	cm_store *s;
	struct loader *l;
	cm_txn *txn;
	int64_t *prev;  /* per op: the revision the store had (0: new) */
	char *take;     /* per log: not in the audit trail yet */
	size_t ntxn0;   /* s->ntxn before */
};

static int same_record(const void *pkey, const void *pelem)
{
	const struct cm__rec *a = pkey;
	const struct cm__rec *b = *(const struct cm__rec *const *)pelem;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* 1 if the audit trail has log i of this batch, or the batch has it
 * before i. */
static int log_known(const struct refresh *r, size_t i)
{
	return cm__audit_txn_known(r->s, r->l->logs[i]->hdr.id) ||
	       log_again(r->l, i);
}

/* Under the write lock, after the commit's shared preparation: room for
 * the kept revisions and the audit entries, and every new log checked. */
static int refresh_prepare(void *ctx)
{
	struct refresh *r = ctx;
	cm_store *s = r->s;
	size_t i, need = 0, nwide = 0, nlogs = 0;
	uint32_t j;

	for (i = 0; i < r->txn->nops; i++) {
		struct cm__op *op = &r->txn->ops[i];
		struct cm__slot *sl = op->sl;
		if (cm__kind_of(op->kind)->keep_revisions && op->rec->revision > 1 &&
		    cm__slot_reserve_revs(s, sl, (size_t)op->rec->revision - 1))
			return cm__err(s, CM_ENOMEM, "out of memory refreshing");
	}
	for (i = 0; i < r->l->nlogs; i++) {
		const struct cm__txnrec *t = r->l->logs[i];
		if (log_known(r, i))
			continue;
		for (j = 0; j < t->entries.count; j++) {
			const struct cm__logentry *e = CM__LIST_AT(&t->entries, struct cm__logentry, j);
			if (!cm__txn_slot(r->txn, e->kind, e->id))
				return cm__err(s, CM_ECORRUPT,
					       "transaction log '%s' names %s '%s', "
					       "which is not stored", t->hdr.id,
					       cm_kind_name(e->kind) ? cm_kind_name(e->kind) : "record",
					       e->id);
		}
		if (intern_actor(s, t))
			return CM_ENOMEM;
		r->take[i] = 1;
		need += t->entries.count;
		nwide += log_wide(t);
		nlogs++;
	}
	if (cm__audit_reserve(s, need, nwide, nlogs))
		return cm__err(s, CM_ENOMEM, "out of memory refreshing");
	return CM_OK;
}

/* Under the write lock, after apply: kept revisions in place, the new
 * logs appended to the audit trail. Cannot fail. */
static void refresh_apply(void *ctx)
{
	struct refresh *r = ctx;
	cm_store *s = r->s;
	struct loader *l = r->l;
	size_t i, k;

	for (i = 0; i < r->txn->nops; i++) {
		struct cm__op *op = &r->txn->ops[i];
		struct cm__slot *sl = op->sl;
		struct cm__revs *rv = cm__slot_revs(sl);
		struct cm__rec **first;
		int64_t newest = sl->cur->revision;

		if (!rv)
			continue;
		/* The op's records (sorted by revision) in l. */
		first = bsearch(sl->cur, l->recs, l->n, sizeof(*l->recs), same_record);
		while (first > l->recs && same_record(sl->cur, first - 1) == 0)
			first--;
		{
			/* apply pushed the replaced version last: put it at
			 * its revision, with the versions in between. */
			if (r->prev[i]) {
				struct cm__rec *old = rv->v[--rv->n];
				while (rv->n < (size_t)old->revision - 1)
					rv->v[rv->n++] = NULL;
				rv->v[rv->n++] = old;
			}
			for (k = (size_t)(first - l->recs); k < l->n &&
			     same_record(sl->cur, &l->recs[k]) == 0; k++) {
				struct cm__rec *v = l->recs[k];
				if (v->revision <= r->prev[i] || v->revision >= newest)
					continue;
				while (rv->n < (size_t)v->revision - 1)
					rv->v[rv->n++] = NULL;
				rv->v[rv->n++] = v;
			}
			while (rv->n < (size_t)newest - 1)
				rv->v[rv->n++] = NULL;
		}
	}
	for (i = 0; i < l->nlogs; i++) {
		if (!r->take[i])
			continue;
		/* refresh_prepare found every record the log names. */
		int ok = log_entries(s, l->logs[i], s->naudit, NULL) == CM_OK;
		assert(ok);
		(void)ok;
		append_log(s, l->logs[i]);
	}
}

/* Install what l holds that is newer than the store's. */
static int take_in(cm_store *s, struct loader *l, cm_txn *txn)
{
	int prepared[CM__KIND_MAX] = { 0 };
	struct refresh r;
	size_t i, j;
	int rc = CM_OK;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.l = l;
	r.txn = txn;
	r.ntxn0 = s->ntxn;
	txn->ops = cm__zalloc(s, (l->n ? l->n : 1) * sizeof(*txn->ops));
	r.prev = cm__zalloc(s, (l->n ? l->n : 1) * sizeof(*r.prev));
	r.take = cm__zalloc(s, l->nlogs ? l->nlogs : 1);
	if (!txn->ops || !r.prev || !r.take) {
		rc = cm__err(s, CM_ENOMEM, "out of memory refreshing");
		goto out;
	}
	/* Only the holder of the transaction mutex changes the tables: they
	 * are read here without the lock. */
	for (i = 0; i < l->n; i = j) {
		struct cm__rec *newest;
		struct cm__slot *sl;
		struct cm__op *op;
		if ((rc = group_end(s, l, i, &j)) != CM_OK)
			goto out;
		newest = l->recs[j - 1];
		sl = cm__slot_find(s, newest->kind, newest->id);
		if (sl && newest->revision <= sl->cur->revision)
			continue; /* what the store has, or older */
		op = &txn->ops[txn->nops++];
		op->kind = (uint8_t)newest->kind;
		op->sl = sl;
		op->fresh = 0;
		op->action = sl ? CM_ACTION_UPDATE : CM_ACTION_CREATE;
		if (!sl) {
			if (!(op->sl = cm__slot_new(s, newest->kind, newest->id))) {
				rc = cm__err(s, CM_ENOMEM, "out of memory refreshing");
				goto out;
			}
			op->fresh = 1;
		}
		if ((rc = pack_group(s, l, i, j, op->sl)) != CM_OK)
			goto out;
		op->rec = l->recs[j - 1];
	}
	/* New records join their tables in creation order. */
	rc = order_by_creation(s, l, txn);
	if (rc)
		goto out;
	for (i = 0; i < txn->nops; i++)
		r.prev[i] = txn->ops[i].fresh ? 0 : txn->ops[i].sl->cur->revision;
	rc = cm__txn_install(txn, prepared, refresh_prepare, refresh_apply, &r);
	if (rc == CM_EEXIST) {
		char why[sizeof(s->errmsg)];
		cm_store_errmsg_copy(s, why, sizeof(why));
		rc = cm__err(s, CM_ECORRUPT, "stored records contradict the store: %s",
			     why);
	}
out:
	cm__txn_discard(txn, prepared);
	cm__txn_prep_free(txn);
	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		if (rc == CM_OK) {
			/* The replaced version (kinds keeping none). */
			cm__rec_release(s, op->rec);
		} else if (op->fresh) {
			cm__slot_free(s, op->sl);
		}
		op->rec = NULL;
		if (op->fresh)
			op->sl = NULL;
		op->fresh = 0;
	}
	cm__free(s, r.prev);
	cm__free(s, r.take);
	return rc;
}

int cm_store_refresh(size_t *out_changed, cm_store *s)
{
	struct loader l;
	cm_txn txn;
	char marker[CM_STORAGE_MARKER_MAX + 1];
	cm_change_fn fn;
	void *fn_ctx;
	size_t i;
	int rc;

	if (!s)
		return CM_EINVAL;
	rc = cm__store_usable(s);
	if (rc)
		return rc;
	if (!s->storage || !s->storage->load_since)
		return cm__err(s, CM_EUNSUPPORTED,
			       "store refresh: the storage has no load_since");
	if (cm__txn_held_here(s))
		return cm__err(s, CM_EBUSY,
			       "this thread has a transaction open");

	pthread_mutex_lock(&s->txn_mutex);
	pthread_mutex_lock(&s->meta);
	s->txn_active = 1;
	s->txn_owner = pthread_self();
	pthread_mutex_unlock(&s->meta);
	cm__store_ref(s); /* as a transaction does: a close meanwhile waits */

	memset(&l, 0, sizeof(l));
	memset(&txn, 0, sizeof(txn));
	l.s = s;
	txn.store = s;
	memcpy(marker, s->marker, sizeof(marker));
	rc = feed(s, &l, s->marker, marker);
	if (rc == CM_OK)
		rc = sort_recs(s, &l);
	if (rc == CM_OK) {
		if (l.nlogs)
			qsort(l.logs, l.nlogs, sizeof(*l.logs), by_commit);
		rc = take_in(s, &l, &txn);
	}
	if (rc == CM_OK) {
		memcpy(s->marker, marker, sizeof(marker));
		pthread_mutex_lock(&s->meta);
		fn = s->change_fn;
		fn_ctx = s->change_ctx;
		pthread_mutex_unlock(&s->meta);
		for (i = 0; fn && i < txn.nops; i++) {
			const struct cm__slot *sl = txn.ops[i].sl;
			fn(fn_ctx, sl->cur->kind, CM__SLOT_ID(sl), sl->cur->revision,
			   txn.ops[i].action);
		}
		if (out_changed)
			*out_changed = txn.nops;
	}
	/* Release what the store did not take in. */
	for (i = 0; i < l.n; i++) {
		struct cm__rec *r = l.recs[i];
		const struct cm__slot *sl = rc == CM_OK ?
			cm__slot_find(s, r->kind, r->id) : NULL;
		const struct cm__revs *rv = sl ? cm__slot_revs(sl) : NULL;
		if (sl && (sl->cur == r ||
			   (rv && (size_t)r->revision <= rv->n &&
			    rv->v[r->revision - 1] == r)))
			continue;
		cm__rec_release(s, r);
	}
	for (i = 0; i < l.nlogs; i++)
		cm__rec_release(s, &l.logs[i]->hdr);
	cm__free(s, l.recs);
	cm__free(s, l.logs);
	cm__free(s, txn.ops);

	pthread_mutex_lock(&s->meta);
	s->txn_active = 0;
	pthread_mutex_unlock(&s->meta);
	pthread_mutex_unlock(&s->txn_mutex);
	cm__store_unref(s);
	return rc;
}
