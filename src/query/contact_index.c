/*
 * The contact index: a covering index for contact worklists. Case manager
 * id ("" for none) -> the active clients with a next follow-up date, by
 * (date, id), each entry one 64-byte line holding the date and the client
 * id inline (ids of up to CIX_ID_INLINE bytes; longer ones are read from
 * the slot). A manager's contacts due by a date are a prefix of one
 * bucket, read without touching a slot or a record (the clients-by-case-
 * manager index needs the slot of every row for its id: a cache miss per
 * row).
 *
 * Kept with the clients-by-case-manager index by the client kind's hooks:
 * cm__cix_prepare (under the write lock, before the point of no return)
 * creates missing buckets (empty, so harmless if the commit then fails)
 * and makes room; cm__cix_apply moves entries and cannot fail;
 * cm__cix_done resets the room counts.
 */
#include <string.h>

#include "query/query_impl.h"

struct cm__cbucket {
	struct cm__cent *e;
	uint32_t n, cap, pend;
	char manager[]; /* the map's key */
};

struct cm__cix {
	struct cm__map map; /* manager -> struct cm__cbucket * */
	/* Buckets given room (pend > 0) by the committing transaction. */
	struct cm__cbucket **touched;
	size_t ntouched, captouched;
};

/* Listed: active with a next follow-up date. */
static int listed(const struct cm__client *c)
{
	return c && c->status == CM_CASE_ACTIVE &&
	       c->next_followup != CM_DATE_NONE;
}

static const char *manager_of(const struct cm__client *c)
{
	return c->case_manager ? c->case_manager : "";
}

static struct cm__cbucket *bucket_get(const struct cm__cix *x, const char *m)
{
	return cm__map_get(&x->map, m, strlen(m));
}

const char *cm__cent_id(const struct cm__cent *e)
{
	return e->len <= CM__CENT_ID_INLINE ? e->id : CM__SLOT_ID(e->slot);
}

/* The op's old version if its entry goes or moves, else NULL; *add says
 * whether the new version gets an entry (again). */
static const struct cm__client *change_of(const struct cm__op *op, int *add)
{
	const struct cm__client *c = (const struct cm__client *)op->rec;
	const struct cm__client *old =
		cm__op_slot(op) ? (const struct cm__client *)cm__op_slot(op)->cur : NULL;
	int same = listed(old) && listed(c) &&
		   old->next_followup == c->next_followup &&
		   strcmp(manager_of(old), manager_of(c)) == 0;

	*add = listed(c) && !same;
	return listed(old) && !same ? old : NULL;
}

/* 1 if op moves its client's entry within one bucket (listed before and
 * after, under the same case manager, with another date): the bucket's
 * size does not change. */
static int moves(const struct cm__op *op, const struct cm__client *old, int add)
{
	return old && add &&
	       strcmp(manager_of(old),
		      manager_of((const struct cm__client *)op->rec)) == 0;
}

/* 1 if op adds an entry to a bucket (a move is done with the removals). */
static int add_of(const struct cm__op *op)
{
	int add;
	const struct cm__client *old = change_of(op, &add);

	return add && !moves(op, old, add);
}

int cm__cix_prepare(cm_store *s, cm_txn *txn)
{
	struct cm__cix *x = s->contact_index;
	size_t i;

	if (!x) {
		if (!(x = cm__zalloc(s, sizeof(*x))))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
		s->contact_index = x;
	}
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		struct cm__cbucket *b;
		const char *m;
		size_t cap;
		if (op->kind != CM_KIND_CLIENT || !add_of(op))
			continue;
		m = manager_of((const struct cm__client *)op->rec);
		if (!(b = bucket_get(x, m))) {
			size_t n = strlen(m);
			if (cm__map_reserve(s, &x->map, 1) ||
			    !(b = cm__zalloc(s, sizeof(*b) + n + 1)))
				return cm__err(s, CM_ENOMEM, "out of memory at commit");
			memcpy(b->manager, m, n + 1);
			cm__map_put(&x->map, b->manager, n, b);
		}
		cap = b->cap;
		if ((b->pend == 0 &&
		     cm__reserve(s, (void **)&x->touched, &x->captouched,
				 x->ntouched + 1, sizeof(*x->touched))) ||
		    cm__reserve(s, (void **)&b->e, &cap, (size_t)b->n + b->pend + 1,
				sizeof(*b->e)))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
		b->cap = (uint32_t)cap;
		if (b->pend++ == 0)
			x->touched[x->ntouched++] = b;
	}
	return CM_OK;
}

void cm__cix_done(cm_store *s)
{
	struct cm__cix *x = s->contact_index;
	size_t i;

	for (i = 0; x && i < x->ntouched; i++)
		x->touched[i]->pend = 0;
	if (x)
		x->ntouched = 0;
}

/* Order of entries: by date, then id. */
static int cent_cmp(const struct cm__cent *e, int32_t due, const char *id)
{
	if (e->due != due)
		return e->due < due ? -1 : 1;
	return strcmp(cm__cent_id(e), id);
}

/* Where (due, id) is in b, or would go. */
static uint32_t cent_find(const struct cm__cbucket *b, int32_t due,
			  const char *id)
{
	uint32_t lo = 0, hi = b->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cent_cmp(&b->e[mid], due, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void cm__cix_apply(cm_store *s, cm_txn *txn)
{
	struct cm__cix *x = s->contact_index;
	size_t i;
	int add;

	/* Moves and removals first: a bucket never holds more than it has
	 * room for. */
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__client *old;
		const char *id;
		struct cm__cbucket *b;
		struct cm__cent e;
		uint32_t at, to;
		if (op->kind != CM_KIND_CLIENT ||
		    !(old = change_of(op, &add)))
			continue;
		b = bucket_get(x, manager_of(old));
		id = CM__SLOT_ID(cm__op_slot(op));
		at = cent_find(b, old->next_followup, id);
		if (!moves(op, old, add)) {
			memmove(&b->e[at], &b->e[at + 1],
				(b->n - at - 1) * sizeof(*b->e));
			b->n--;
			continue;
		}
		/* Where the new date goes among the others (the entry itself
		 * still counted at `at`), then one shift of those between. */
		e = b->e[at];
		e.due = ((const struct cm__client *)op->rec)->next_followup;
		to = cent_find(b, e.due, id);
		if (to > at) {
			to--;
			memmove(&b->e[at], &b->e[at + 1], (to - at) * sizeof(*b->e));
		} else {
			memmove(&b->e[to + 1], &b->e[to], (at - to) * sizeof(*b->e));
		}
		b->e[to] = e;
	}
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__client *c = (const struct cm__client *)op->rec;
		const struct cm__slot *slot = op->sl;
		struct cm__cbucket *b;
		struct cm__cent *e;
		size_t len;
		uint32_t at;
		if (op->kind != CM_KIND_CLIENT || !add_of(op))
			continue;
		b = bucket_get(x, manager_of(c));
		at = cent_find(b, c->next_followup, CM__SLOT_ID(slot));
		memmove(&b->e[at + 1], &b->e[at], (b->n - at) * sizeof(*b->e));
		b->n++;
		e = &b->e[at];
		len = strlen(CM__SLOT_ID(slot));
		e->due = c->next_followup;
		e->len = (uint32_t)len;
		e->slot = slot;
		/* Zero-padded: readers copy the whole inline buffer. */
		memset(e->id, 0, sizeof(e->id));
		if (len <= CM__CENT_ID_INLINE)
			memcpy(e->id, CM__SLOT_ID(slot), len);
	}
}

uint64_t cm__cix_digest(const cm_store *s, uint64_t h)
{
	const struct cm__cix *x = s->contact_index;
	uint64_t sum = 0;
	size_t i, n = 0;
	uint32_t j;

	/* Independent of the map's layout: a sum over the entries. */
	for (i = 0; x && i < x->map.cap; i++) {
		const struct cm__cbucket *b = x->map.ents[i].val;
		if (!x->map.ents[i].key)
			continue;
		for (j = 0; j < b->n; j++) {
			const char *id = cm__cent_id(&b->e[j]);
			uint64_t e = cm__digest_bytes(0, b->manager, strlen(b->manager));
			e = cm__digest_bytes(e, &b->e[j].due, sizeof(b->e[j].due));
			sum += cm__digest_bytes(e, id, strlen(id));
			n++;
		}
	}
	h = cm__digest_bytes(h, &n, sizeof(n));
	return cm__digest_bytes(h, &sum, sizeof(sum));
}

const struct cm__cent *cm__cix_get(const cm_store *s, const char *manager,
				   uint32_t *out_n)
{
	const struct cm__cbucket *b =
		s->contact_index ? bucket_get(s->contact_index, manager) : NULL;

	*out_n = b ? b->n : 0;
	return b ? b->e : NULL;
}

void cm__cix_free(cm_store *s)
{
	struct cm__cix *x = s->contact_index;
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->map.cap; i++) {
		struct cm__cbucket *b = x->map.ents[i].val;
		if (!x->map.ents[i].key)
			continue;
		cm__free(s, b->e);
		cm__free(s, b);
	}
	cm__map_free(s, &x->map);
	cm__free(s, x->touched);
	cm__free(s, x);
	s->contact_index = NULL;
}
