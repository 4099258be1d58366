/*
 * Transactions: stage saves, then commit all-or-nothing.
 *
 * Commit runs in three phases:
 *  1. prepare: fill in revisions, times and actors, allocate every slot,
 *     index entry and audit entry the change needs, and check unique keys.
 *     Anything may fail here; a failure discards the preparation and the
 *     store is untouched.
 *  2. (storage callbacks, when configured, come here.)
 *  3. apply, under the write lock: swap pointers and link index entries
 *     that were allocated in phase 1. Nothing here can fail.
 */
#include <assert.h>
#include <string.h>

#include "store/intern.h"
#include "store/store_impl.h"

/* Ops [from, nops) end without committing (or have committed): clear
 * their slots' staged marks, and take the pending slots of their new
 * records out of the id maps (one write lock for all) and free them. Their
 * records are released first: a staged version may borrow a pending
 * client slot's id. */
static void unstage(cm_store *s, cm_txn *txn, size_t from)
{
	size_t i;
	int pending = 0;

	for (i = from; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		if (!op->fresh)
			op->sl->staged = 0;
		pending |= op->fresh;
	}
	if (!pending)
		return;
	txn->memo = NULL; /* it may be one of the slots freed below */
	CM__WRLOCK(s);
	for (i = from; i < txn->nops; i++) {
		const struct cm__slot *sl = cm__op_new_slot(&txn->ops[i]);
		if (sl)
			cm__kmap_remove(&s->tables[txn->ops[i].kind].ids,
					CM__SLOT_ID(sl), strlen(CM__SLOT_ID(sl)));
	}
	CM__WRUNLOCK(s);
	for (i = from; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		if (op->fresh) {
			cm__slot_free(s, op->sl);
			op->sl = NULL;
			op->fresh = 0;
		}
	}
}

/* Drop the entries at the end of txn->held whose handle was freed. */
static void held_trim(cm_txn *txn)
{
	while (txn->nheld && !txn->held[txn->nheld - 1].h)
		txn->nheld--;
}

/* The position of op's entry in txn->held (sorted by op), or where it
 * would go (*found 0: its handle was freed, and the entries after it
 * with it, before later ops added theirs). */
static size_t held_find(const cm_txn *txn, size_t op, int *found)
{
	size_t lo = 0, hi = txn->nheld;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (txn->held[mid].op < op)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < txn->nheld && txn->held[lo].op == op;
	return lo;
}

int cm__txn_unhold(cm_txn *txn, struct cm__handle *h)
{
	struct cm__held *e;

	if (h->held >= txn->nheld || (e = &txn->held[h->held])->h != h)
		return 0;
	e->h = NULL;
	h->txn = NULL;
	held_trim(txn);
	return 1;
}

/* Release what ops [from, nops) hold: records and handles. */
static void release_ops(cm_store *s, cm_txn *txn, size_t from)
{
	size_t i;

	for (i = from; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		cm__rec_release(s, op->rec);
		op->rec = NULL;
	}
	/* Their handles' entries are the last ones. */
	while (txn->nheld && txn->held[txn->nheld - 1].op >= from) {
		struct cm__handle *h = txn->held[--txn->nheld].h;
		if (h) {
			h->txn = NULL;
			cm__handle_release(h);
		}
	}
	held_trim(txn);
}

static void txn_free(cm_txn *txn)
{
	cm_store *s = txn->store;

	release_ops(s, txn, 0);
	unstage(s, txn, 0);
	/* Nothing points at what it interned any more (its versions are
	 * released). */
	if (!txn->committed)
		cm__intern_undo(s, &txn->intern_mark);
	/* The next transaction reuses this one with its arrays, unless they
	 * grew large (a bulk load's). */
	if (txn->opcap > CM__TXN_SPARE_OPS) {
		cm__free(s, txn->ops);
		txn->ops = NULL;
		txn->opcap = 0;
	}
	if (txn->heldcap > CM__TXN_SPARE_OPS) {
		cm__free(s, txn->held);
		txn->held = NULL;
		txn->heldcap = 0;
	}
	pthread_mutex_lock(&s->meta);
	s->txn_active = 0;
	pthread_mutex_unlock(&s->meta);
	s->spare_txn = txn;
	pthread_mutex_unlock(&s->txn_mutex);
	cm__store_unref(s);
}

void cm__txn_spare_free(cm_store *s)
{
	cm_txn *txn = s->spare_txn;

	if (!txn)
		return;
	cm__txn_prep_free(txn);
	cm__free(s, txn->ops);
	cm__free(s, txn->held);
	cm__free(s, txn);
	s->spare_txn = NULL;
}

void *cm__txn_prep_new(cm_txn *txn, int32_t kind, size_t size)
{
	void *p = txn->prep_spare[kind];

	if (p) {
		txn->prep_spare[kind] = NULL;
		memset(p, 0, size);
	} else if (!(p = cm__zalloc(txn->store, size))) {
		return NULL;
	}
	txn->index_prep[kind] = p;
	return p;
}

void cm__txn_prep_end(cm_txn *txn, int32_t kind)
{
	txn->prep_spare[kind] = txn->index_prep[kind];
	txn->index_prep[kind] = NULL;
}

void cm__txn_prep_free(cm_txn *txn)
{
	int k;

	for (k = 0; k < CM__KIND_MAX; k++) {
		cm__free(txn->store, txn->prep_spare[k]);
		txn->prep_spare[k] = NULL;
	}
}

int cm__txn_held_here(cm_store *s)
{
	int held;

	pthread_mutex_lock(&s->meta);
	held = s->txn_active && pthread_equal(s->txn_owner, pthread_self());
	pthread_mutex_unlock(&s->meta);
	return held;
}

int cm_txn_begin(cm_txn **out, cm_store *s, const char *actor)
{
	cm_txn *txn;
	int rc;

	if (!out || !s)
		return cm__err(s, CM_EINVAL, "txn begin: NULL argument");
	if (!actor || !actor[0])
		return cm__err(s, CM_EINVAL, "txn begin: an actor is required");
	rc = cm__check_text(s, actor, 256, "actor", 0);
	if (rc)
		return rc;
	rc = cm__store_usable(s);
	if (rc)
		return rc;
	if (cm__txn_held_here(s))
		return cm__err(s, CM_EBUSY,
			       "this thread already has a transaction open");

	pthread_mutex_lock(&s->txn_mutex);
	txn = s->spare_txn;
	if (!txn && !(txn = cm__zalloc(s, sizeof(*txn)))) {
		pthread_mutex_unlock(&s->txn_mutex);
		return cm__err(s, CM_ENOMEM, "out of memory beginning a transaction");
	}
	s->spare_txn = NULL;
	{
		/* A spare keeps its arrays; the rest starts afresh. */
		struct cm__op *ops = txn->ops;
		struct cm__held *held = txn->held;
		size_t opcap = txn->opcap, heldcap = txn->heldcap;
		void *prep[CM__KIND_MAX];
		memcpy(prep, txn->prep_spare, sizeof(prep));
		memset(txn, 0, sizeof(*txn));
		txn->ops = ops;
		txn->opcap = opcap;
		txn->held = held;
		txn->heldcap = heldcap;
		memcpy(txn->prep_spare, prep, sizeof(prep));
	}
	/* At most 256 bytes (checked above). */
	memcpy(txn->actor, actor, strlen(actor) + 1);
	txn->store = s;

	pthread_mutex_lock(&s->meta);
	s->txn_active = 1;
	s->txn_owner = pthread_self();
	pthread_mutex_unlock(&s->meta);
	cm__store_ref(s);
	cm__intern_mark(s, &txn->intern_mark); /* the table is ours now */

	rc = cm__store_clock(s, &txn->time);
	if (rc) {
		txn_free(txn);
		return rc;
	}
	*out = txn;
	return CM_OK;
}

void cm_txn_rollback(cm_txn *txn)
{
	if (txn)
		txn_free(txn);
}

int64_t cm_txn_time(const cm_txn *txn)
{
	return txn ? txn->time : CM_TIME_NONE;
}

const char *cm_txn_actor(const cm_txn *txn)
{
	return txn ? txn->actor : NULL;
}

/* ---- staging ----------------------------------------------------------- */

/* cm__slot_probe (pos: NULL, or id hashed), remembering the slot found
 * in txn->memo. */
static struct cm__slot *txn_probe(const cm_txn *txn, int32_t kind,
				  const char *id, struct cm__kpos *pos)
{
	/* The memo is the holder's scratch: txn itself is never const. */
	cm_txn *t = (cm_txn *)(uintptr_t)txn;
	struct cm__slot *sl = t->memo;

	if (sl && sl->kid[0] == (char)kind &&
	    (CM__SLOT_ID(sl) == id || strcmp(CM__SLOT_ID(sl), id) == 0))
		return sl;
	sl = cm__slot_probe(txn->store, kind, id, pos);
	if (sl)
		t->memo = sl;
	return sl;
}

/* cm__slot_lookup, remembering the slot found in txn->memo. */
static struct cm__slot *txn_lookup(const cm_txn *txn, int32_t kind,
				   const char *id)
{
	return txn_probe(txn, kind, id, NULL);
}

static struct cm__op *staged_op(const cm_txn *txn, int32_t kind, const char *id)
{
	const struct cm__slot *sl = txn_lookup(txn, kind, id);

	return sl && sl->staged ? &txn->ops[sl->staged - 1] : NULL;
}

const struct cm__rec *cm__txn_staged(const cm_txn *txn, int32_t kind,
				     const char *id)
{
	const struct cm__op *op = staged_op(txn, kind, id);
	return op ? op->rec : NULL;
}

int cm__txn_has(const cm_txn *txn, int32_t kind, const char *id)
{
	/* Committed, or pending: a new record staged in txn. */
	return txn_lookup(txn, kind, id) != NULL;
}

/* Stage rec, a record of kind k, in txn: for handle h, which the
 * transaction then holds (and brings up to date at commit), or for no
 * handle (h NULL: only a record new to the store and to txn). at: rec's
 * id hashed (cm__kmap_pos), or NULL. checked: as for cm__txn_stage. */
static int stage(cm_txn *txn, const struct cm__kind *k,
		 const struct cm__rec *rec, struct cm__handle *h,
		 struct cm__kpos *at, int checked)
{
	cm_store *s = txn->store;
	struct cm__slot *slot, *any;
	struct cm__op *op;
	struct cm__rec *copy;
	struct cm__slot *fresh = NULL;
	struct cm__kpos own;
	const char *idsrc;
	int rc;

	rc = cm__store_usable(s);
	if (rc)
		return rc;
	if (k->immutable && rec->revision != 0)
		return cm__err(s, CM_ESTATE,
			       "%s '%s' is already committed and cannot change",
			       k->name, rec->id);
	/* Only the transaction's holder changes the tables, so the committed
	 * state read here without the lock cannot move under us. A version
	 * read from the store leads to its slot; the kind's checks that
	 * follow look the record up again (the memo). */
	if ((any = cm__rec_slot(rec)) != NULL) {
		txn->memo = any;
	} else {
		/* A new record's id goes where this look-up ends (the put
		 * below: no other put or removal in between). */
		if (!at) {
			cm__kmap_pos(&own, rec->id, strlen(rec->id));
			at = &own;
		}
		any = txn_probe(txn, k->kind, rec->id, at);
	}
	slot = any && any->cur ? any : NULL;
	if (rec->revision == 0 && slot)
		return cm__err(s, CM_EEXIST, "a %s with id '%s' already exists",
			       k->name, rec->id);
	if (rec->revision != 0 && !slot)
		return cm__err(s, CM_ENOTFOUND, "no %s with id '%s' in this store",
			       k->name, rec->id);
	if (slot && slot->cur->revision != rec->revision)
		return cm__err(s, CM_ECONFLICT,
			       "%s '%s' was read at revision %lld but is now at "
			       "revision %lld",
			       k->name, rec->id, (long long)rec->revision,
			       (long long)slot->cur->revision);
	/* Only storage written by hand can hold the last revision: its next
	 * (commit: revision + 1) would overflow. */
	if (slot && slot->cur->revision == INT64_MAX)
		return cm__err(s, CM_ERANGE,
			       "%s '%s' is at the last revision there can be",
			       k->name, rec->id);
	op = any && any->staged ? &txn->ops[any->staged - 1] : NULL;
	if (op && !h)
		return cm__err(s, CM_EEXIST, "a %s with id '%s' is already staged",
			       k->name, rec->id);
	/* (A caller that made the kind's checks itself says so: checked.) */
	assert(!checked || k->validate(txn, rec) == CM_OK);
	rc = checked ? CM_OK : k->validate(txn, rec);
	if (rc)
		return rc;
	/* A new record gets its slot now, pending in its table until
	 * commit: its id is the staged version's, hashed above (a version
	 * with a slot of its own is a committed record's, or a pending one
	 * staged in txn: op). */
	assert(op || slot || at);
	if (!op && !slot &&
	    !(fresh = cm__slot_new_len(s, k->kind, rec->id, at->len)))
		return cm__err(s, CM_ENOMEM, "out of memory staging a %s", k->name);
	/* Stage a packed copy (one allocation): it becomes the committed
	 * version as it is, with what commit fills in. */
	if (slot)
		idsrc = CM__SLOT_ID(slot);
	else if (op)
		idsrc = CM__SLOT_ID(op->sl);
	else
		idsrc = CM__SLOT_ID(fresh);
	if (cm__rec_pack(s, k, &copy, rec, idsrc, txn) != CM_OK) {
		cm__slot_free(s, fresh);
		return cm__err(s, CM_ENOMEM, "out of memory staging a %s", k->name);
	}
	if (op) {
		/* Saved again in this transaction: replace what was staged
		 * (and the op's handle). Its entry in held may be gone with
		 * its handle: then h's goes in at its place. */
		size_t idx = (size_t)(op - txn->ops), pos, j;
		int found;
		pos = held_find(txn, idx, &found);
		if (!found &&
		    cm__reserve(s, (void **)&txn->held, &txn->heldcap,
				txn->nheld + 1, sizeof(*txn->held))) {
			cm__rec_release(s, copy);
			return cm__err(s, CM_ENOMEM, "out of memory staging a %s",
				       k->name);
		}
		cm__rec_release(s, op->rec);
		op->rec = copy;
		atomic_fetch_add(&h->refs, 1);
		if (!found) {
			memmove(&txn->held[pos + 1], &txn->held[pos],
				(txn->nheld - pos) * sizeof(*txn->held));
			for (j = pos + 1; j <= txn->nheld; j++)
				if (txn->held[j].h && txn->held[j].h->held == j - 1)
					txn->held[j].h->held = (uint32_t)j;
			txn->nheld++;
		} else if (txn->held[pos].h) {
			txn->held[pos].h->txn = NULL;
			cm__handle_release(txn->held[pos].h);
		}
		txn->held[pos].h = h;
		txn->held[pos].op = idx;
		h->saved_mods = h->mods;
		h->txn = txn;
		h->held = (uint32_t)pos;
		return CM_OK;
	}
	/* (Room is checked here first: most saves find it.) */
	if (txn->nops >= UINT32_MAX - 1 ||
	    (txn->nops == txn->opcap &&
	     cm__reserve(s, (void **)&txn->ops, &txn->opcap,
			 txn->nops + 1, sizeof(*txn->ops))) ||
	    (h && txn->nheld == txn->heldcap &&
	     cm__reserve(s, (void **)&txn->held, &txn->heldcap,
			 txn->nheld + 1, sizeof(*txn->held))))
		rc = CM_ENOMEM;
	if (rc == CM_OK && fresh) {
		/* Pending in the id map: readers skip it (cur is NULL). Only
		 * growing the map moves entries under readers, so only that
		 * takes the write lock; the put itself is published to them
		 * atomically (hashmap.h). */
		struct cm__kmap *ids = &s->tables[k->kind].ids;
		if (!cm__kmap_has_room(ids, 1)) {
			CM__WRLOCK(s);
			rc = cm__kmap_reserve(s, ids, 1);
			CM__WRUNLOCK(s);
		}
		if (rc == CM_OK && at)
			cm__kmap_put_at(ids, fresh->ref, at);
		else if (rc == CM_OK)
			cm__kmap_put(ids, fresh->ref, strlen(CM__SLOT_ID(fresh)));
	}
	if (rc != CM_OK) {
		cm__slot_free(s, fresh);
		cm__rec_release(s, copy);
		return cm__err(s, CM_ENOMEM, "out of memory staging a %s", k->name);
	}
	op = &txn->ops[txn->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = (uint8_t)k->kind;
	op->rec = copy;
	op->sl = slot ? slot : fresh;
	op->fresh = fresh != NULL;
	(slot ? slot : fresh)->staged = (uint32_t)txn->nops;
	if (!h)
		return CM_OK;
	txn->held[txn->nheld].h = h;
	txn->held[txn->nheld].op = txn->nops - 1;
	h->saved_mods = h->mods;
	atomic_fetch_add(&h->refs, 1);
	h->txn = txn;
	h->held = (uint32_t)txn->nheld++;
	return CM_OK;
}

int cm__txn_save(cm_txn *txn, struct cm__handle *h)
{
	if (h->store != txn->store)
		return cm__err(txn->store, CM_EINVAL,
			       "the %s belongs to another store", h->kind->name);
	return stage(txn, h->kind, h->rec, h, NULL, 0);
}

int cm__txn_stage(cm_txn *txn, const struct cm__kind *k,
		  const struct cm__rec *rec, struct cm__kpos *pos, int checked)
{
	return stage(txn, k, rec, NULL, pos, checked);
}

void cm__txn_truncate(cm_txn *txn, size_t nops)
{
	cm_store *s = txn->store;

	if (txn->nops <= nops)
		return;
	release_ops(s, txn, nops);
	unstage(s, txn, nops);
	txn->nops = nops;
}

struct cm__slot *cm__txn_slot(const cm_txn *txn, int32_t kind, const char *id)
{
	/* Committed, or pending: a slot in the id map without a current
	 * version belongs to a record staged in txn (the only open one). */
	return txn_lookup(txn, kind, id);
}

/* ---- commit ------------------------------------------------------------ */

static struct cm__list *rec_history(const struct cm__kind *k, struct cm__rec *r)
{
	return (struct cm__list *)(void *)((char *)r + k->history_off);
}

static int32_t rec_status(const struct cm__kind *k, const struct cm__rec *r)
{
	return *(const int32_t *)(const void *)((const char *)r + k->status_off);
}

int cm__hist_fill(cm_txn *txn, struct cm__list *hl)
{
	size_t i;

	for (i = 0; i < hl->count; i++) {
		struct cm__hist *e = CM__LIST_AT(hl, struct cm__hist, i);
		if (e->actor)
			continue;
		/* Borrowed: the store's shared copy, kept for the life of
		 * the store (the entry is in a packed version, which frees
		 * only its own block). */
		e->actor = (char *)(uintptr_t)txn->commit_actor;
		e->time = txn->time;
	}
	return CM_OK;
}

struct cm__rec *cm__slot_revision(const struct cm__slot *slot, int64_t rev)
{
	const struct cm__revs *rv;

	if (rev == slot->cur->revision)
		return slot->cur;
	rv = cm__slot_revs(slot);
	if (rv && rev >= 1 && (size_t)rev <= rv->n)
		return rv->v[rev - 1];
	return NULL;
}

/* 1 if a status history has an entry waiting for the txn's actor. */
static int hist_pending(const struct cm__list *hl)
{
	size_t i;

	for (i = 0; i < hl->count; i++)
		if (!CM__LIST_AT(hl, struct cm__hist, i)->actor)
			return 1;
	return 0;
}

/* Phase 1 for one op: revision, times, actors. */
static int prepare_op(cm_txn *txn, struct cm__op *op)
{
	const struct cm__kind *k = cm__kind_get(op->kind);
	struct cm__rec *r = op->rec;
	const struct cm__rec *old = op->fresh ? NULL : op->sl->cur;

	r->revision = old ? old->revision + 1 : 1;
	r->created = old ? old->created : txn->time;
	r->updated = txn->time;
	if (!old)
		op->action = CM_ACTION_CREATE;
	else if (k->status_off && rec_status(k, r) != rec_status(k, old))
		op->action = CM_ACTION_STATUS;
	else
		op->action = CM_ACTION_UPDATE;
	/* Histories: the packed version is the op's alone until apply, so
	 * its pending entries are filled in place (nothing to allocate). */
	/* Its texts are interned already: the save that packed it interned
	 * the short ones, and the actor filled in is the interned one. */
	if (k->history_off && hist_pending(rec_history(k, r)))
		cm__hist_fill(txn, rec_history(k, r));
	if (k->prepare_op)
		return k->prepare_op(txn, op);
	return CM_OK;
}

/* Phase 1 for shared structures (under the write lock: they may move). */
static int prepare_shared(cm_txn *txn, int *prepared)
{
	cm_store *s = txn->store;
	size_t per_kind[CM__KIND_MAX] = { 0 };
	unsigned present = 0;
	size_t i;
	int32_t kk;
	int rc;

	for (i = 0; i < txn->nops; i++) {
		present |= 1u << txn->ops[i].kind;
		if (txn->ops[i].fresh)
			per_kind[txn->ops[i].kind]++;
	}
	for (kk = 1; kk < CM__KIND_MAX; kk++) {
		struct cm__table *t = &s->tables[kk];
		if (!per_kind[kk])
			continue;
		if (cm__reserve(s, (void **)&t->slots, &t->cap,
				t->count + per_kind[kk], sizeof(*t->slots)))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
	}
	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		const struct cm__revs *rv = op->fresh ? NULL : cm__slot_revs(op->sl);
		if (rv && cm__slot_reserve_revs(s, op->sl, (size_t)rv->n + 1))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
	}
	if (cm__audit_reserve_ops(s, txn->ops, txn->nops))
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
	for (kk = 1; kk < CM__KIND_MAX; kk++) {
		const struct cm__kind *k = cm__kind_get(kk);
		/* A kind's indexes change only with its own records: a
		 * kind with no op in txn has nothing to prepare or apply. */
		if (!k || !k->index_prepare || !(present & (1u << kk)))
			continue;
		/* Marked before the call: a failed prepare may have
		 * allocated part of its data, which discard frees. */
		prepared[kk] = 1;
		rc = k->index_prepare(s, txn);
		if (rc)
			return rc;
	}
	return CM_OK;
}

/* Phase 3, after prepare_shared set `prepared`. actor NULL: loading from
 * storage, no audit entries. */
static void apply(cm_txn *txn, const int *prepared, const char *actor,
		  char *logid)
{
	cm_store *s = txn->store;
	size_t i;
	int32_t kk;

	for (kk = 1; kk < CM__KIND_MAX; kk++) {
		const struct cm__kind *k = cm__kind_get(kk);
		if (prepared[kk] && k->index_apply)
			k->index_apply(s, txn);
	}
	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		struct cm__rec *old = NULL;
		struct cm__revs *rv;
		if (op->fresh) {
			/* In the id map since it was staged. */
			struct cm__table *t = &s->tables[op->kind];
			op->fresh = 0;
			t->slots[t->count++] = op->sl->ref;
		} else if ((rv = cm__slot_revs(op->sl)) != NULL) {
			/* Its kind keeps revisions: the slot keeps the
			 * reference. */
			rv->v[rv->n++] = op->sl->cur;
		} else {
			old = op->sl->cur;
		}
		op->sl->cur = op->rec;
		/* The slot now holds the op's reference; keep old alive in
		 * op->rec's place until after the lock is released. */
		op->rec = old;
	}
	if (actor)
		cm__audit_append(s, actor, txn->time, logid, txn->ops, txn->nops);
}

/* How many id-map puts ahead cm__txn_install asks for a put's line. */
#define INSTALL_AHEAD 8

int cm__txn_install(cm_txn *txn, int *prepared,
		    int (*prepare_more)(void *ctx), void (*apply_more)(void *ctx),
		    void *ctx)
{
	cm_store *s = txn->store;
	size_t i;
	int rc = CM_OK;

	size_t per_kind[CM__KIND_MAX] = { 0 };
	int32_t kk;

	/* Storage can hold events amending others. */
	txn->events_amend = 1;
	/* Stage the ops, so that a kind's checks find the records loaded
	 * with it (cm__txn_slot: the client of a service or an event): new
	 * records pending in their tables' id maps, as for a save. */
	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		if (op->fresh)
			per_kind[op->kind]++;
		op->sl->staged = (uint32_t)(i + 1);
	}
	CM__WRLOCK(s);
	for (kk = 1; kk < CM__KIND_MAX && rc == CM_OK; kk++)
		if (per_kind[kk] &&
		    cm__kmap_reserve(s, &s->tables[kk].ids, per_kind[kk]))
			rc = cm__err(s, CM_ENOMEM, "out of memory loading records");
	/* Random places in big tables: each put's line is asked for
	 * INSTALL_AHEAD puts before it, so that the loads overlap. */
	for (i = 0; rc == CM_OK && i < txn->nops; i++) {
		struct cm__slot *sl = cm__op_new_slot(&txn->ops[i]);
		const struct cm__op *ahead = i + INSTALL_AHEAD < txn->nops
					     ? &txn->ops[i + INSTALL_AHEAD] : NULL;
		if (ahead && ahead->fresh)
			cm__kmap_prefetch(&s->tables[ahead->kind].ids,
					  CM__SLOT_ID(ahead->sl),
					  strlen(CM__SLOT_ID(ahead->sl)));
		if (sl)
			cm__kmap_put(&s->tables[txn->ops[i].kind].ids, sl->ref,
				     strlen(CM__SLOT_ID(sl)));
	}
	if (rc == CM_OK)
		rc = prepare_shared(txn, prepared);
	if (rc == CM_OK && prepare_more)
		rc = prepare_more(ctx);
	if (rc == CM_OK) {
		apply(txn, prepared, NULL, NULL);
		if (apply_more)
			apply_more(ctx);
	}
	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		struct cm__slot *sl = op->sl;
		sl->staged = 0;
		/* Not installed: out of the map again (the caller frees it). */
		if (op->fresh)
			cm__kmap_remove(&s->tables[op->kind].ids, CM__SLOT_ID(sl),
					strlen(CM__SLOT_ID(sl)));
	}
	CM__WRUNLOCK(s);
	return rc;
}

void cm__txn_discard(cm_txn *txn, const int *prepared)
{
	int32_t kk;

	for (kk = 1; kk < CM__KIND_MAX; kk++) {
		const struct cm__kind *k = cm__kind_get(kk);
		if (prepared[kk] && k->index_discard)
			k->index_discard(txn->store, txn);
	}
}

/* After commit: bring a still-held handle up to the committed version. */
static void update_handle(cm_store *s, cm_txn *txn, const struct cm__held *e)
{
	struct cm__handle *h = e->h;
	struct cm__rec *committed;

	if (!h || atomic_load(&h->refs) <= 1)
		return; /* the caller has freed it */
	committed = txn->ops[e->op].sl->cur;
	if (h->mods == h->saved_mods) {
		cm__rec_retain(committed);
		cm__rec_release(s, h->rec);
		h->rec = committed;
		h->owned = 0;
		return;
	}
	/* Changed since it was saved: keep the changes, on top of the new
	 * revision. */
	h->rec->revision = committed->revision;
	h->rec->created = committed->created;
	h->rec->updated = committed->updated;
}

int cm_txn_commit(cm_txn *txn)
{
	cm_store *s;
	char *logid = NULL;
	int prepared[CM__KIND_MAX] = { 0 };
	size_t i;
	int rc = CM_OK;
	cm_change_fn fn;
	void *fn_ctx;

	if (!txn)
		return CM_EINVAL;
	s = txn->store;
	if ((rc = cm__store_usable(s)) != CM_OK) {
		txn_free(txn);
		return rc;
	}
	/* One copy per distinct actor, not per transaction (taken back if
	 * the commit fails, with what the transaction interned). */
	if (txn->nops && !(txn->commit_actor = cm__intern(s, txn->actor,
							  strlen(txn->actor))))
		rc = cm__err(s, CM_ENOMEM, "out of memory at commit");
	for (i = 0; i < txn->nops && rc == CM_OK; i++)
		if (prepare_op(txn, &txn->ops[i]))
			rc = cm__err(s, CM_ENOMEM, "out of memory at commit");
	if (rc == CM_OK && txn->nops && !s->storage) {
		/* In memory only: nothing to wait for between the phases. */
		CM__WRLOCK(s);
		rc = prepare_shared(txn, prepared);
		if (rc == CM_OK)
			apply(txn, prepared, txn->commit_actor, NULL);
		CM__WRUNLOCK(s);
	} else if (rc == CM_OK && txn->nops) {
		CM__WRLOCK(s);
		rc = prepare_shared(txn, prepared);
		CM__WRUNLOCK(s);
		/* Phase 2, outside the lock: readers go on during storage I/O.
		 * What phase 1 reserved is invisible to them. */
		if (rc == CM_OK)
			rc = cm__storage_write(txn, &logid);
		if (rc == CM_OK) {
			CM__WRLOCK(s);
			apply(txn, prepared, txn->commit_actor, logid);
			CM__WRUNLOCK(s);
		}
	}
	cm__txn_discard(txn, prepared);
	if (rc != CM_OK) {
		txn_free(txn);
		return rc;
	}
	pthread_mutex_lock(&s->meta);
	fn = s->change_fn;
	fn_ctx = s->change_ctx;
	pthread_mutex_unlock(&s->meta);
	for (i = 0; i < txn->nheld; i++)
		update_handle(s, txn, &txn->held[i]);
	for (i = 0; fn && i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		fn(fn_ctx, op->kind, CM__SLOT_ID(op->sl), op->sl->cur->revision,
		   op->action);
	}
	/* op->rec now holds the replaced versions: txn_free releases them. */
	txn->committed = 1;
	txn_free(txn);
	return CM_OK;
}
