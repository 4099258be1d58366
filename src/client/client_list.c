/* Listing clients: filtered, name-ordered snapshots. */
#include <stdlib.h>
#include <string.h>

#include "client/client_dir.h"
#include "client/client_impl.h"
#include "core/text.h"

struct cm_client_iter {
	cm_store *store;
	struct cm__rec **recs; /* each holds a reference */
	size_t n, pos;
};

/* A listed client: its version and the sort key of its family name
 * (cm__fold_key). */
struct listed {
	unsigned char key[16];
	const struct cm__client *rec;
};

static int by_name(const void *pa, const void *pb)
{
	const struct listed *x = pa, *y = pb;
	const struct cm__client *a = x->rec, *b = y->rec;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	if (c == 0)
		c = cm__fold_cmp(a->family ? a->family : "", b->family ? b->family : "");
	if (c == 0)
		c = cm__fold_cmp(a->given ? a->given : "", b->given ? b->given : "");
	if (c == 0)
		c = strcmp(a->hdr.id, b->hdr.id);
	return c;
}

/* 1 if a client of this status, family and given name is listed. */
static int matches(int32_t cstatus, const char *family, const char *given,
		   int32_t status, const char *prefix)
{
	if (status && cstatus != status)
		return 0;
	if (prefix && prefix[0] && !(family && cm__fold_has_prefix(family, prefix)) &&
	    !(given && cm__fold_has_prefix(given, prefix)))
		return 0;
	return 1;
}

static void add(struct listed *l, const struct cm__client *c, const char *family)
{
	cm__fold_key(l->key, sizeof(l->key), family ? family : "");
	l->rec = c;
	cm__rec_retain((struct cm__rec *)(uintptr_t)&c->hdr);
}

/* The clients listed, into l (room for all): a case manager's from its
 * bucket of the clients-by-case-manager index ("" holds the unassigned),
 * else every client's from the client directory's cards, in one pass over
 * them (their status and names are on the card, not a record read a
 * client). Their number. Caller holds the lock. */
static size_t collect(cm_store *s, struct listed *l, int32_t status,
		      const char *cm, const char *prefix)
{
	const struct cm__cdir *d = s->client_dir;
	const struct cm__bucket *b;
	size_t i, n = 0;

	if (cm) {
		b = cm__mindex_get(&s->clients_by_cm, cm);
		for (i = 0; b && i < b->n; i++) {
			const struct cm__client *c = (const struct cm__client *)
				cm__bucket_slot(s, b, (uint32_t)i)->cur;
			if (matches(c->status, c->family, c->given, status, prefix))
				add(&l[n++], c, c->family);
		}
		return n;
	}
	for (i = 0; d && i < d->ncards; i++) {
		const struct cm__card *cd = &d->cards[i];
		const char *family = cm__card_text(cd, CM__CARD_FAMILY);
		if (matches(cd->status, family, cm__card_text(cd, CM__CARD_GIVEN),
			    status, prefix))
			add(&l[n++], cd->rec, family);
	}
	return n;
}

int cm_client_list(cm_client_iter **out, cm_store *s, int32_t status,
		   const char *case_manager, const char *name_prefix)
{
	const struct cm__bucket *b;
	struct listed *l;
	cm_client_iter *it;
	size_t i, n, total;
	int rc;

	if (!out || !s)
		return cm__err(s, CM_EINVAL, "client list: NULL argument");
	if (status < 0 || status > CM_CASE_ENTERED_IN_ERROR)
		return cm__err(s, CM_ERANGE, "client list: %d is not a case status",
			       (int)status);
	if ((rc = cm__check_text(s, case_manager, 64, "case manager", 1)) ||
	    (rc = cm__check_text(s, name_prefix, 200, "name prefix", 1)))
		return rc;
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	it = cm__zalloc(s, sizeof(*it));
	if (!it)
		return cm__err(s, CM_ENOMEM, "out of memory for a client list");
	CM__RDLOCK(s);
	b = case_manager ? cm__mindex_get(&s->clients_by_cm, case_manager) : NULL;
	total = case_manager ? (b ? b->n : 0)
			     : s->client_dir ? s->client_dir->ncards : 0;
	l = cm__alloc(s, (total ? total : 1) * sizeof(*l));
	it->recs = cm__alloc(s, (total ? total : 1) * sizeof(*it->recs));
	if (!l || !it->recs) {
		CM__UNLOCK(s);
		cm__free(s, l);
		cm__free(s, it->recs);
		cm__free(s, it);
		return cm__err(s, CM_ENOMEM, "out of memory for a client list");
	}
	n = collect(s, l, status, case_manager, name_prefix);
	CM__UNLOCK(s);
	/* Sorted outside the lock: the versions are immutable, each held. */
	if (n)
		qsort(l, n, sizeof(*l), by_name);
	for (i = 0; i < n; i++)
		it->recs[i] = (struct cm__rec *)(uintptr_t)&l[i].rec->hdr;
	cm__free(s, l);
	it->n = n;
	it->store = s;
	cm__store_ref(s);
	*out = it;
	return CM_OK;
}

int cm_client_iter_next(cm_client **out, cm_client_iter *it)
{
	struct cm__handle *h;
	int rc;

	if (!out || !it)
		return CM_EINVAL;
	if (it->pos >= it->n)
		return CM_ITEROVER;
	rc = cm__handle_new(&h, it->store, &cm__client_kind, it->recs[it->pos], 0);
	if (rc)
		return rc;
	/* The handle takes over the iterator's reference. */
	it->recs[it->pos++] = NULL;
	*out = (cm_client *)(void *)h;
	return CM_OK;
}

size_t cm_client_iter_count(const cm_client_iter *it)
{
	return it ? it->n : 0;
}

void cm_client_iter_free(cm_client_iter *it)
{
	cm_store *s;
	size_t i;

	if (!it)
		return;
	s = it->store;
	for (i = it->pos; i < it->n; i++)
		cm__rec_release(s, it->recs[i]);
	cm__free(s, it->recs);
	cm__free(s, it);
	cm__store_unref(s);
}
