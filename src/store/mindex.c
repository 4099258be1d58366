/*
 * Secondary multi-indexes: a text key -> a sorted array of slots. See
 * store_impl.h for the two-step (plan, then add/del) protocol that lets a
 * commit allocate everything before its point of no return.
 */
#include <string.h>

#include "store/store_impl.h"

void cm__mindex_home(struct cm__mindex *ix, const struct cm__table *t,
		     uint8_t home)
{
	ix->home_table = t;
	ix->home = home;
}

static struct cm__bucket *bucket_get(const struct cm__map *m, const char *key)
{
	return cm__map_get(m, key, strlen(key));
}

/* The bucket of key in a slot-homed index, pending slots included (a
 * transaction plans and adds entries for clients it creates), or NULL. */
static struct cm__bucket *home_bucket(const struct cm__mindex *ix,
				      const char *key)
{
	const struct cm__slot *sl = cm__kmap_get(&ix->home_table->ids, key,
						strlen(key));
	return sl ? cm__slot_bucket(sl, ix->home) : NULL;
}

/* home_bucket, remembering the slot in p. */
static struct cm__bucket *home_bucket_memo(const struct cm__mindex *ix,
					   struct cm__mprep *p, const char *key)
{
	const struct cm__slot *sl = p->last;

	if (!sl || strcmp(CM__SLOT_ID(sl), key) != 0) {
		sl = cm__kmap_get(&ix->home_table->ids, key, strlen(key));
		if (!sl)
			return NULL;
		p->last = sl;
	}
	return cm__slot_bucket(sl, ix->home);
}

const struct cm__bucket *cm__mindex_get(const struct cm__mindex *ix,
					const char *key)
{
	if (ix->home_table) {
		const struct cm__slot *sl = cm__kmap_get(&ix->home_table->ids, key,
							strlen(key));
		/* A pending record has no entries for readers. */
		return sl && sl->cur ? cm__slot_bucket(sl, ix->home) : NULL;
	}
	return bucket_get(&ix->map, key);
}

const struct cm__bucket *cm__mindex_get_slot(const struct cm__mindex *ix,
					     const struct cm__slot *sl)
{
	/* The bucket is in front of the slot: no look-up. */
	return cm__slot_bucket(sl, ix->home);
}

/* Free bucket b of an index map, whose key there is key. */
static void bucket_free(cm_store *s, struct cm__bucket *b, const char *key)
{
	if (b->owns_key)
		cm__free(s, (void *)(uintptr_t)key);
	cm__free(s, b->e);
	cm__free(s, b);
}

/* Count one more planned entry in b; remembers b in the prep's touched
 * list the first time so that cm__mindex_reserve can make room and done()
 * can reset pend. */
static int bucket_plan(cm_store *s, struct cm__mprep *p, struct cm__bucket *b)
{
	if (b->pend == 0 && cm__reserve(s, (void **)&p->touched, &p->cap,
					p->ntouched + 1, sizeof(*p->touched)))
		return CM_ENOMEM;
	if ((size_t)b->n + b->pend + 1 > UINT32_MAX / 2)
		return CM_ENOMEM;
	if (b->pend++ == 0)
		p->touched[p->ntouched++] = b;
	return CM_OK;
}

/* A bucket is given its entries as a batch when they are at least this
 * many and it then holds at least BATCH_BUCKET: inserting each would move
 * the entries after it (a loader's commit of many clients of one case
 * manager, or of none, made that quadratic). */
#define BATCH_MIN 64
#define BATCH_BUCKET 1024

int cm__mindex_reserve(cm_store *s, struct cm__mprep *p)
{
	size_t i;

	for (i = 0; i < p->ntouched; i++) {
		struct cm__bucket *b = p->touched[i];
		size_t need = (size_t)b->n + b->pend, ncap;
		struct cm__ient *e;
		if (b->pend >= BATCH_MIN && need >= BATCH_BUCKET) {
			/* Room for the batch, then as much again to merge
			 * it in with. */
			if (cm__reserve(s, (void **)&p->batch, &p->capbatch,
					p->nbatch + 1, sizeof(*p->batch)))
				return CM_ENOMEM;
			need += b->pend;
			if (need > UINT32_MAX / 2)
				return CM_ENOMEM;
			p->batch[p->nbatch++] = b;
			b->batch = 1;
		}
		if (need <= b->cap)
			continue;
		/* A new bucket gets what it takes (a loader's commit brings
		 * all of a client's records at once); a growing one half as
		 * much again, so that adding one entry at a time stays
		 * linear. */
		ncap = b->n ? (size_t)b->cap + b->cap / 2 : need;
		if (ncap < need)
			ncap = need;
		if (ncap > UINT32_MAX / 2)
			ncap = UINT32_MAX / 2;
		e = cm__realloc(s, b->e, ncap * sizeof(*e));
		if (!e)
			return CM_ENOMEM;
		b->e = e;
		b->cap = (uint32_t)ncap;
	}
	return CM_OK;
}

int cm__mindex_plan(cm_store *s, struct cm__mindex *ix, struct cm__mprep *p,
		    const char *key, const char *borrow)
{
	struct cm__bucket *b;

	if (ix->home_table) {
		/* The caller checked that key's record is there. Found as a
		 * writer finds it (a client through its card), then
		 * remembered for the add. */
		const struct cm__slot *sl = p->last;
		if (borrow)
			sl = cm__slot_of_id(borrow);
		else if (!sl || strcmp(CM__SLOT_ID(sl), key) != 0)
			sl = cm__slot_lookup_warm(
				s, (int32_t)(ix->home_table - s->tables), key);
		if (!sl)
			return CM_ENOTFOUND;
		p->last = sl;
		return bucket_plan(s, p, cm__slot_bucket(sl, ix->home));
	}
	b = bucket_get(&ix->map, key);
	if (!b)
		b = bucket_get(&p->fresh, key);
	if (!b) {
		const char *k = borrow;
		b = cm__zalloc(s, sizeof(*b));
		if (!b)
			return CM_ENOMEM;
		if (!borrow) {
			k = cm__strdup(s, key);
			b->owns_key = 1;
		}
		/* The index map must take every fresh bucket at apply. */
		if (!k || cm__map_reserve(s, &p->fresh, 1) ||
		    cm__map_reserve(s, &ix->map, p->fresh.count + 1)) {
			bucket_free(s, b, k);
			return CM_ENOMEM;
		}
		cm__map_put(&p->fresh, k, strlen(k), b);
	}
	return bucket_plan(s, p, b);
}

/* Order of entries: by key, then slot id. Entry e against (k, slot). */
static int ient_order(const struct cm__mindex *ix, const struct cm__ient *e,
		      int64_t k, const struct cm__slot *slot)
{
	int64_t ek = cm__ient_key(e);

	if (ek != k)
		return ek < k ? -1 : 1;
	if (e->ref == slot->ref)
		return 0;
	return strcmp(CM__SLOT_ID((const struct cm__slot *)
				  cm__ref_ptr(ix->dir, e->ref)),
		      CM__SLOT_ID(slot));
}

/* Position of (k, slot) in b of ix: where it is, or where it would go. */
static uint32_t bucket_find(const struct cm__mindex *ix,
			    const struct cm__bucket *b, int64_t k,
			    const struct cm__slot *slot, int *found)
{
	uint32_t lo = 0, hi = b->n;

	*found = 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = ient_order(ix, &b->e[mid], k, slot);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Add the planned entry (k, slot) to bucket b of ix. */
static struct cm__bucket *add_to(struct cm__mindex *ix, struct cm__bucket *b,
				 int64_t k, struct cm__slot *slot)
{
	uint32_t at;
	int found;

	/* At the end when it sorts after the last entry (by-client records
	 * with key 0 come in id order), or in a batch, which
	 * cm__mindex_settle sorts in. */
	at = b->n;
	if (!b->batch && at && ient_order(ix, &b->e[at - 1], k, slot) >= 0) {
		at = bucket_find(ix, b, k, slot, &found);
		memmove(&b->e[at + 1], &b->e[at], (b->n - at) * sizeof(*b->e));
	}
	b->e[at].key_lo = (uint32_t)(uint64_t)k;
	b->e[at].key_hi = (uint32_t)((uint64_t)k >> 32);
	b->e[at].ref = slot->ref;
	b->n++;
	ix->total++;
	return b;
}

struct cm__bucket *cm__mindex_add(struct cm__mindex *ix, struct cm__mprep *p,
				  const char *key, int64_t k,
				  struct cm__slot *slot)
{
	struct cm__bucket *b = ix->home_table ? home_bucket_memo(ix, p, key)
					      : bucket_get(&ix->map, key);

	if (!b) {
		/* A fresh bucket moves to the index map with its key. */
		const struct cm__mapent *fe = cm__map_entry(&p->fresh, key,
							    strlen(key));
		b = fe->val;
		b->live = 1;
		cm__map_put(&ix->map, fe->key, fe->len, b);
	}
	return add_to(ix, b, k, slot);
}

struct cm__bucket *cm__mindex_add_home(struct cm__mindex *ix,
				       const struct cm__slot *home, int64_t k,
				       struct cm__slot *slot)
{
	return add_to(ix, cm__slot_bucket(home, ix->home), k, slot);
}

/* ient_order of two entries. */
static int ient_cmp(const struct cm__mindex *ix, const struct cm__ient *a,
		    const struct cm__ient *b)
{
	return ient_order(ix, a, cm__ient_key(b),
			  (const struct cm__slot *)cm__ref_ptr(ix->dir, b->ref));
}

/* Heapsort e[0..n) in place (no allocation: apply cannot fail). */
static void ient_sort(const struct cm__mindex *ix, struct cm__ient *e, size_t n)
{
	size_t start = n / 2, end = n;

	while (end > 1) {
		size_t root, child;
		struct cm__ient t;
		if (start > 0) {
			start--;
		} else {
			end--;
			t = e[0];
			e[0] = e[end];
			e[end] = t;
		}
		for (root = start; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && ient_cmp(ix, &e[child], &e[child + 1]) < 0)
				child++;
			if (ient_cmp(ix, &e[root], &e[child]) >= 0)
				break;
			t = e[root];
			e[root] = e[child];
			e[child] = t;
		}
	}
}

void cm__mindex_settle_batches(struct cm__mindex *ix, struct cm__mprep *p)
{
	size_t i;

	for (i = 0; i < p->nbatch; i++) {
		struct cm__bucket *b = p->batch[i];
		struct cm__ient *e = b->e, *add;
		size_t k, w, j;

		b->batch = 0;
		/* The added entries are the last pend: every planned entry
		 * is added, after the removals (were one not, the run would
		 * take in sorted entries too, which changes nothing). Sorted,
		 * they go past the end (the room cm__mindex_reserve took);
		 * then both runs merge from the back into place. */
		k = b->pend < b->n ? b->pend : b->n;
		j = b->n - k;
		ient_sort(ix, &e[j], k);
		add = &e[b->n];
		memcpy(add, &e[j], k * sizeof(*e));
		for (w = b->n; k > 0;) {
			if (j > 0 && ient_cmp(ix, &e[j - 1], &add[k - 1]) > 0)
				e[--w] = e[--j];
			else
				e[--w] = add[--k];
		}
	}
	p->nbatch = 0;
}

void cm__mindex_del(struct cm__mindex *ix, const char *key, int64_t k,
		    struct cm__slot *slot)
{
	struct cm__bucket *b = ix->home_table ? home_bucket(ix, key)
					      : bucket_get(&ix->map, key);
	uint32_t at;
	int found;

	if (!b)
		return;
	at = bucket_find(ix, b, k, slot, &found);
	if (!found)
		return;
	memmove(&b->e[at], &b->e[at + 1], (b->n - at - 1) * sizeof(*b->e));
	b->n--;
	ix->total--;
}

void cm__mprep_done(cm_store *s, struct cm__mprep *p)
{
	size_t i;

	for (i = 0; i < p->ntouched; i++)
		p->touched[i]->pend = 0;
	if (p->batch) {
		for (i = 0; i < p->nbatch; i++)
			p->batch[i]->batch = 0;
		cm__free(s, p->batch);
	}
	for (i = 0; i < p->fresh.cap; i++) {
		struct cm__bucket *b = p->fresh.ents[i].val;
		if (p->fresh.ents[i].key && !b->live)
			bucket_free(s, b, p->fresh.ents[i].key);
	}
	cm__map_free(s, &p->fresh);
	cm__free(s, p->touched);
	memset(p, 0, sizeof(*p));
}

void cm__mindex_free(cm_store *s, struct cm__mindex *ix)
{
	size_t i;

	/* A slot-homed index's buckets go with their slots (cm__slot_free);
	 * its map stays empty. */
	for (i = 0; i < ix->map.cap; i++)
		if (ix->map.ents[i].key)
			bucket_free(s, ix->map.ents[i].val, ix->map.ents[i].key);
	cm__map_free(s, &ix->map);
	ix->total = 0;
}
