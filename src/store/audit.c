/* The audit trail: one entry per committed record change. */
#include <assert.h>
#include <string.h>

#include "store/store_impl.h"

int cm__audit_reserve(cm_store *s, size_t nentries, size_t nwide, size_t ntxns)
{
	if (cm__reserve(s, (void **)&s->audit_slot, &s->slotcap,
			s->naudit + nentries, sizeof(*s->audit_slot)) ||
	    cm__reserve(s, (void **)&s->audit_word, &s->wordcap,
			s->naudit + nentries, sizeof(*s->audit_word)))
		return CM_ENOMEM;
	if (cm__audit_reserve_wide(s, nwide))
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

int cm__audit_reserve_wide(cm_store *s, size_t nwide)
{
	return cm__reserve(s, (void **)&s->audit_wide, &s->widecap,
			   s->nwide + nwide, sizeof(*s->audit_wide));
}

int cm__audit_reserve_ops(cm_store *s, const struct cm__op *ops, size_t nops)
{
	size_t i, nwide = 0;

	/* A new record's entry is its revision 1: only a later revision
	 * can be wide, so a commit of new records reads no version here. */
	for (i = 0; i < nops; i++)
		if (!ops[i].fresh &&
		    !cm__audit_word(ops[i].rec->revision, ops[i].action))
			nwide++;
	return cm__audit_reserve(s, nops, nwide, 1);
}

/* The index in audit_wide of the first entry at or after entry i. */
static size_t wide_find(const cm_store *s, size_t i)
{
	size_t lo = 0, hi = s->nwide;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->audit_wide[mid].at < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct cm__audit_ent cm__audit_wide_get(const cm_store *s, size_t i)
{
	static const struct cm__audit_ent none = { 0, 0 };
	size_t k = wide_find(s, i);

	/* Always found: cm__audit_set recorded it. */
	assert(k < s->nwide && s->audit_wide[k].at == i);
	return k < s->nwide ? s->audit_wide[k].e : none;
}

void cm__audit_wide_put(cm_store *s, size_t i, int64_t revision, uint8_t action)
{
	struct cm__audit_wide *w;

	/* Entries are written in index order from the trail's end: any at i
	 * or after are left from writes that never joined the trail (a load
	 * that failed), and give way, so that the indexes stay ascending. */
	while (s->nwide && s->audit_wide[s->nwide - 1].at >= i)
		s->nwide--;
	assert(s->nwide < s->widecap);
	w = &s->audit_wide[s->nwide++];
	w->at = i;
	w->e.revision = revision;
	w->e.action = action;
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
	size_t i, at = s->naudit;

	for (i = 0; i < nops; i++)
		cm__audit_set(s, at + i, ops[i].sl, ops[i].sl->cur->revision,
			      ops[i].action);
	s->naudit = at + nops;
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
	cm__free(s, s->audit_word);
	cm__free(s, s->audit_wide);
}

/* ---- queries ----------------------------------------------------------- */

/*
 * A query copies nothing: the trail is append-only (an entry, once
 * appended, never changes; slots live as long as the store), so an
 * iterator that stops at the trail's end as of the query reads the same
 * entries whenever it reads them. Each cm_audit_iter_next reads on under
 * the read lock, letting a waiting commit in after every AUDIT_STEP
 * entries: a commit waits for at most that many (tens of microseconds),
 * not for a scan of the whole trail (milliseconds at a million clients),
 * and a query costs no memory per entry. The arrays a commit may move
 * (growing them) are read through the store, never kept across a turn.
 */
#define AUDIT_STEP ((size_t)1 << 16)

/* An entry as the iterator's current one. */
struct audit_item {
	const char *id;
	int64_t revision;
	uint32_t txn; /* index into store->txnlog */
	uint8_t action;
	uint8_t kind;
};

/* A query's filters on the transaction. */
struct audit_filter {
	char *actor;       /* NULL: any (the iterator's copy) */
	const char *hit;   /* the store's copy of actor, once one matched */
	int64_t from, to;
};

struct cm_audit_iter {
	cm_store *store;
	struct audit_filter f;
	/* Only the entries of the record whose slots these are (one per
	 * kind at most), if nrefs; every entry otherwise. */
	uint32_t refs[CM__KIND_MAX];
	size_t nrefs;
	size_t end;  /* the trail's length at the query: entries [0, end) */
	size_t pos;  /* the next entry to read */
	size_t ti;   /* the transaction of entry pos (or an earlier one) */
	struct audit_item item; /* the current entry, if has_item */
	int has_item;
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
	struct cm__audit_ent e = cm__audit_get(s, i);

	x->id = CM__SLOT_ID(sl);
	x->revision = e.revision;
	x->txn = (uint32_t)ti;
	x->action = e.action;
	x->kind = (uint8_t)sl->kid[0];
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

int cm_audit_query(cm_audit_iter **out, cm_store *s, const char *record_id,
		   const char *actor, int64_t from, int64_t to)
{
	cm_audit_iter *it;
	int32_t k;
	int rc;

	if (!out || !s)
		return cm__err(s, CM_EINVAL, "audit query: NULL argument");
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	it = cm__zalloc(s, sizeof(*it));
	if (!it || (actor && !(it->f.actor = cm__strdup(s, actor)))) {
		cm__free(s, it);
		return cm__err(s, CM_ENOMEM, "out of memory for an audit query");
	}
	it->f.from = from;
	it->f.to = to;
	CM__RDLOCK(s);
	/* The record's slots, one per kind at most: entries then match on
	 * their 4-byte slot reference, not on their slot's id. */
	for (k = 1; record_id && k < CM__KIND_MAX; k++) {
		const struct cm__slot *sl = cm__slot_find(s, k, record_id);
		if (sl)
			it->refs[it->nrefs++] = sl->ref;
	}
	/* A record no table has: no entry. */
	it->end = record_id && !it->nrefs ? 0 : s->naudit;
	CM__UNLOCK(s);
	it->store = s;
	cm__store_ref(s);
	*out = it;
	return CM_OK;
}

/* The next entry of it from it->pos on, as its current one: 1, or 0 at
 * its end. Caller holds the read lock; turns it after every AUDIT_STEP
 * entries read. */
static int read_on(cm_store *s, cm_audit_iter *it)
{
	size_t work = 0, i, lim;

	while (it->pos < it->end) {
		if (work >= AUDIT_STEP) {
			CM__UNLOCK(s);
			CM__RDLOCK(s);
			work = 0;
		}
		lim = it->end - it->pos > AUDIT_STEP - work
			      ? it->pos + (AUDIT_STEP - work)
			      : it->end;
		i = it->nrefs ? next_of(s, it->pos, lim, it->refs, it->nrefs)
			      : it->pos;
		work += i - it->pos + 1;
		if (i >= lim) {
			it->pos = lim;
			continue;
		}
		while (s->txnlog[it->ti].end <= i)
			it->ti++;
		if (!txn_passes(&it->f, &s->txnlog[it->ti])) {
			/* Every query skips the rest of the entry's
			 * transaction: it fails the filters as a whole. */
			it->pos = s->txnlog[it->ti].end;
			continue;
		}
		item_set(s, &it->item, i, it->ti);
		it->pos = i + 1;
		return 1;
	}
	return 0;
}

int cm_audit_iter_next(cm_audit_iter *it)
{
	if (!it)
		return CM_EINVAL;
	CM__RDLOCK(it->store);
	it->has_item = read_on(it->store, it);
	CM__UNLOCK(it->store);
	return it->has_item ? CM_OK : CM_ITEROVER;
}

static const struct audit_item *cur(const cm_audit_iter *it)
{
	return it && it->has_item ? &it->item : NULL;
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
	cm__free(s, it->f.actor);
	cm__free(s, it);
	cm__store_unref(s);
}
