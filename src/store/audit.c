/* The audit trail: one entry per committed record change. */
#include <string.h>

#include "store/store_impl.h"

int cm__audit_reserve(cm_store *s, size_t nentries, size_t ntxns)
{
	if (cm__reserve(s, (void **)&s->audit_slot, &s->slotcap,
			s->naudit + nentries, sizeof(*s->audit_slot)) ||
	    cm__reserve(s, (void **)&s->audit_rev, &s->revcap,
			s->naudit + nentries, sizeof(*s->audit_rev)) ||
	    cm__reserve(s, (void **)&s->audit_action, &s->actioncap,
			s->naudit + nentries, sizeof(*s->audit_action)))
		return CM_ENOMEM;
	if (cm__reserve(s, (void **)&s->txnlog, &s->txncap, s->ntxn + ntxns,
			sizeof(*s->txnlog)))
		return CM_ENOMEM;
	/* Only cm_store_refresh looks logs up by id: only a storage with
	 * load_since needs them indexed. */
	if (s->storage && s->storage->load_since &&
	    cm__itab_reserve(s, &s->txnix, &s->txnixcap, s->ntxn + ntxns))
		return CM_ENOMEM;
	return CM_OK;
}

void cm__audit_txn_push(cm_store *s, const char *actor, int64_t time,
			char *logid)
{
	struct cm__txnlog *t = &s->txnlog[s->ntxn];

	t->actor = actor;
	t->time = time;
	t->id = logid;
	t->end = s->naudit;
	if (logid && s->txnixcap)
		cm__itab_put(s->txnix, s->txnixcap, cm__hash(logid, strlen(logid)),
			     (uint32_t)s->ntxn);
	s->ntxn++;
}

int cm__audit_txn_known(const cm_store *s, const char *id)
{
	size_t n = strlen(id), mask = s->txnixcap - 1, i;
	uint32_t h;

	if (!s->txnixcap)
		return 0;
	h = cm__hash(id, n);
	for (i = h & mask; s->txnix[i]; i = (i + 1) & mask) {
		uint64_t e = s->txnix[i];
		if ((uint32_t)(e >> 32) == h &&
		    strcmp(s->txnlog[(uint32_t)e - 1].id, id) == 0)
			return 1;
	}
	return 0;
}

void cm__audit_append(cm_store *s, const char *actor, int64_t time, char *logid,
		      const struct cm__op *ops, size_t nops)
{
	size_t i;

	for (i = 0; i < nops; i++, s->naudit++)
		cm__audit_set(s, s->naudit, ops[i].sl, ops[i].sl->cur->revision,
			      ops[i].action);
	cm__audit_txn_push(s, actor, time, logid);
}

void cm__audit_free(cm_store *s)
{
	size_t i;

	for (i = 0; i < s->ntxn; i++)
		cm__free(s, s->txnlog[i].id);
	cm__free(s, s->txnlog);
	cm__free(s, s->txnix);
	cm__free(s, s->audit_slot);
	cm__free(s, s->audit_rev);
	cm__free(s, s->audit_action);
}

/* ---- queries ----------------------------------------------------------- */

/* An audit entry as a query's snapshot keeps it. */
struct audit_item {
	const char *id;
	int64_t revision;
	uint32_t txn; /* index into store->txnlog */
	uint8_t action;
	uint8_t kind;
};

struct cm_audit_iter {
	cm_store *store;
	struct audit_item *items;
	size_t n, pos;
};

/* A query's filters on the transaction. */
struct audit_filter {
	const char *actor; /* NULL: any */
	const char *hit;   /* the store's copy of actor, once one matched */
	int64_t from, to;
};

/* 1 if transaction t passes the filters. */
static int txn_passes(struct audit_filter *f, const struct cm__txnlog *t)
{
	if ((f->from != CM_TIME_NONE && t->time < f->from) ||
	    (f->to != CM_TIME_NONE && t->time >= f->to))
		return 0;
	if (f->actor && t->actor != f->hit) {
		if (strcmp(t->actor, f->actor) != 0)
			return 0;
		f->hit = t->actor;
	}
	return 1;
}

static void item_set(const cm_store *s, struct audit_item *x, size_t i, size_t ti)
{
	const struct cm__slot *sl = cm__audit_slot(s, i);

	x->id = CM__SLOT_ID(sl);
	x->revision = s->audit_rev[i];
	x->txn = (uint32_t)ti;
	x->action = s->audit_action[i];
	x->kind = (uint8_t)sl->kid[0];
}

/* Entries a query reads between two turns of the read lock: a commit
 * waiting for the lock waits for at most this many (tens of
 * microseconds), not for a scan of the whole trail (milliseconds at a
 * million clients). A query reads the trail as it was when it began:
 * entries, once appended, never change, and the arrays a commit may move
 * (growing them) are read again through the store after every turn. */
#define AUDIT_STEP ((size_t)1 << 16)

/* Let a waiting writer in. The caller holds the read lock and keeps no
 * pointer into the store's audit arrays across the call. */
static void audit_turn(cm_store *s)
{
	CM__UNLOCK(s);
	CM__RDLOCK(s);
}

/* The first entry from i on, before lim, whose slot is one of
 * refs[0..n) (n >= 1), or lim: a scan of the slot references alone, 4
 * bytes an entry. */
static size_t next_of(const cm_store *s, size_t i, size_t lim,
		      const uint32_t *refs, size_t n)
{
	const uint32_t *a = s->audit_slot;
	size_t k;

	if (n == 1) {
		uint32_t r = refs[0];
		while (i < lim && a[i] != r)
			i++;
		return i;
	}
	for (; i < lim; i++)
		for (k = 0; k < n; k++)
			if (a[i] == refs[k])
				return i;
	return lim;
}

/* The entries of the records whose slots are refs[0..n), passing f, into
 * it (grown as they come: a record has few). CM_OK or CM_ENOMEM. */
static int query_records(cm_store *s, cm_audit_iter *it, const uint32_t *refs,
			 size_t n, struct audit_filter *f)
{
	size_t end = s->naudit, i = 0, ti = 0, cap = 0, lim;

	for (; i < end; i = lim) {
		if (i)
			audit_turn(s);
		lim = end - i > AUDIT_STEP ? i + AUDIT_STEP : end;
		for (i = next_of(s, i, lim, refs, n); i < lim;
		     i = next_of(s, i + 1, lim, refs, n)) {
			while (s->txnlog[ti].end <= i)
				ti++;
			if (!txn_passes(f, &s->txnlog[ti]))
				continue;
			if (cm__reserve(s, (void **)&it->items, &cap, it->n + 1,
					sizeof(*it->items)))
				return CM_ENOMEM;
			item_set(s, &it->items[it->n++], i, ti);
		}
	}
	return CM_OK;
}

/* Every entry of the transactions passing f, into it: counted, then
 * copied, so that the snapshot is one allocation. CM_OK or CM_ENOMEM. */
static int query_all(cm_store *s, cm_audit_iter *it, struct audit_filter *f)
{
	size_t i, ti, n = 0, start, ntxn = s->ntxn, work = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (ti = 0, start = 0; ti < ntxn; start = s->txnlog[ti].end, ti++) {
			work += 1 + (s->txnlog[ti].end - start);
			if (work >= AUDIT_STEP) {
				audit_turn(s);
				work = 0;
			}
			if (!txn_passes(f, &s->txnlog[ti]))
				continue;
			for (i = start; i < s->txnlog[ti].end; i++, n++)
				if (pass == 1)
					item_set(s, &it->items[n], i, ti);
		}
		if (pass == 0) {
			if (!(it->items = cm__alloc(s, (n ? n : 1) * sizeof(*it->items))))
				return CM_ENOMEM;
			it->n = n;
			n = 0;
		}
	}
	return CM_OK;
}

int cm_audit_query(cm_audit_iter **out, cm_store *s, const char *record_id,
		   const char *actor, int64_t from, int64_t to)
{
	struct audit_filter f = { actor, NULL, from, to };
	cm_audit_iter *it;
	uint32_t refs[CM__KIND_MAX];
	size_t nrefs = 0;
	int32_t k;
	int rc;

	if (!out || !s)
		return cm__err(s, CM_EINVAL, "audit query: NULL argument");
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	it = cm__zalloc(s, sizeof(*it));
	if (!it)
		return cm__err(s, CM_ENOMEM, "out of memory for an audit query");
	CM__RDLOCK(s);
	/* The record's slots, one per kind at most: entries then match on
	 * their 4-byte slot reference, not on their slot's id. */
	for (k = 1; record_id && k < CM__KIND_MAX; k++) {
		const struct cm__slot *sl = cm__slot_find(s, k, record_id);
		if (sl)
			refs[nrefs++] = sl->ref;
	}
	if (!record_id)
		rc = query_all(s, it, &f);
	else if (nrefs)
		rc = query_records(s, it, refs, nrefs, &f);
	CM__UNLOCK(s);
	if (rc != CM_OK) {
		cm__free(s, it->items);
		cm__free(s, it);
		return cm__err(s, CM_ENOMEM, "out of memory for an audit query");
	}
	it->store = s;
	it->pos = 0;
	cm__store_ref(s);
	*out = it;
	return CM_OK;
}

int cm_audit_iter_next(cm_audit_iter *it)
{
	if (!it)
		return CM_EINVAL;
	if (it->pos >= it->n)
		return CM_ITEROVER;
	it->pos++;
	return CM_OK;
}

static const struct audit_item *cur(const cm_audit_iter *it)
{
	return (it && it->pos > 0 && it->pos <= it->n) ? &it->items[it->pos - 1]
						       : NULL;
}

/* The txnlog array may move while we read (a commit may grow it), so
 * entries are read under the read lock. */
static struct cm__txnlog txnlog_of(const cm_audit_iter *it)
{
	struct cm__txnlog t = { NULL, CM_TIME_NONE, NULL, 0 };
	const struct audit_item *a = cur(it);

	if (!a)
		return t;
	CM__RDLOCK(it->store);
	t = it->store->txnlog[a->txn];
	CM__UNLOCK(it->store);
	return t;
}

int64_t cm_audit_iter_time(const cm_audit_iter *it)
{
	return txnlog_of(it).time;
}

const char *cm_audit_iter_actor(const cm_audit_iter *it)
{
	return txnlog_of(it).actor;
}

int32_t cm_audit_iter_action(const cm_audit_iter *it)
{
	const struct audit_item *a = cur(it);
	return a ? a->action : 0;
}

int32_t cm_audit_iter_kind(const cm_audit_iter *it)
{
	const struct audit_item *a = cur(it);
	return a ? a->kind : 0;
}

const char *cm_audit_iter_record_id(const cm_audit_iter *it)
{
	const struct audit_item *a = cur(it);
	return a ? a->id : NULL;
}

int64_t cm_audit_iter_revision(const cm_audit_iter *it)
{
	const struct audit_item *a = cur(it);
	return a ? a->revision : 0;
}

void cm_audit_iter_free(cm_audit_iter *it)
{
	cm_store *s;

	if (!it)
		return;
	s = it->store;
	cm__free(s, it->items);
	cm__free(s, it);
	cm__store_unref(s);
}
