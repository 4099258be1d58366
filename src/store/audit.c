/* The audit trail: one entry per committed record change. */
#include <string.h>

#include "store/store_impl.h"

int cm__audit_reserve(cm_store *s, size_t nentries, size_t ntxns)
{
	if (cm__reserve(s, (void **)&s->audit, &s->auditcap,
			s->naudit + nentries, sizeof(*s->audit)) ||
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

	for (i = 0; i < nops; i++) {
		s->audit_action[s->naudit] = ops[i].action;
		cm__audit_set(&s->audit[s->naudit], ops[i].sl,
			      ops[i].sl->cur->revision);
		s->naudit++;
	}
	cm__audit_txn_push(s, actor, time, logid);
}

void cm__audit_free(cm_store *s)
{
	size_t i;

	for (i = 0; i < s->ntxn; i++)
		cm__free(s, s->txnlog[i].id);
	cm__free(s, s->txnlog);
	cm__free(s, s->txnix);
	cm__free(s, s->audit);
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

/* 1 if ref is one of refs[0..n). */
static int ref_in(const uint32_t *refs, size_t n, uint32_t ref)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (refs[i] == ref)
			return 1;
	return 0;
}

int cm_audit_query(cm_audit_iter **out, cm_store *s, const char *record_id,
		   const char *actor, int64_t from, int64_t to)
{
	cm_audit_iter *it;
	uint32_t refs[CM__KIND_MAX];
	size_t i, n = 0, nrefs = 0, ti;
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
	 * their 4-byte slot reference, read in order, not on their slot's
	 * id. Filters on the transaction are checked once per transaction. */
	for (k = 1; record_id && k < CM__KIND_MAX; k++) {
		const struct cm__slot *sl = cm__slot_find(s, k, record_id);
		if (sl)
			refs[nrefs++] = sl->ref;
	}
	/* Two passes: count, then copy, so the snapshot is one allocation. */
	for (int pass = 0; pass < 2; pass++) {
		const char *hit = NULL; /* the actor's copy, once one matched */
		size_t start = 0;
		for (ti = 0; ti < s->ntxn && !(record_id && !nrefs);
		     start = s->txnlog[ti].end, ti++) {
			const struct cm__txnlog *t = &s->txnlog[ti];
			if ((from != CM_TIME_NONE && t->time < from) ||
			    (to != CM_TIME_NONE && t->time >= to))
				continue;
			if (actor && t->actor != hit) {
				if (strcmp(t->actor, actor) != 0)
					continue;
				hit = t->actor;
			}
			for (i = start; i < t->end; i++) {
				const struct cm__audit *a = &s->audit[i];
				const struct cm__slot *sl;
				if (record_id && !ref_in(refs, nrefs, a->slot))
					continue;
				if (pass == 1) {
					struct audit_item *x = &it->items[n];
					sl = cm__audit_slot(s, a);
					x->id = CM__SLOT_ID(sl);
					x->revision = cm__audit_revision(a);
					x->txn = (uint32_t)ti;
					x->action = s->audit_action[i];
					x->kind = (uint8_t)sl->kid[0];
				}
				n++;
			}
		}
		if (pass == 0) {
			it->items = cm__alloc(s, (n ? n : 1) * sizeof(*it->items));
			if (!it->items) {
				CM__UNLOCK(s);
				cm__free(s, it);
				return cm__err(s, CM_ENOMEM,
					       "out of memory for an audit query");
			}
			it->n = n;
			n = 0;
		}
	}
	CM__UNLOCK(s);
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
