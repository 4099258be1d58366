/*
 * The contact index: a covering index for contact worklists. Case manager
 * id ("" for none) -> the active clients with a next follow-up date, by
 * (date, id), each entry 48 bytes holding the date and the client id
 * inline (ids of up to CM__CENT_ID_INLINE bytes, a UUID's 36 among them;
 * longer ones are read from the slot). A manager's contacts due by a date are a prefix of one
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

/* At most this many entries in a chunk (8 KiB): a change moves at most a
 * chunk's entries, however many clients a case manager has. */
#define CHUNK_MAX ((uint32_t)CM__CIX_CHUNK)

_Static_assert(sizeof(struct cm__cent) == 48, "an entry is 48 bytes");

/* A run of a bucket's entries, in order: one allocation. */
struct cm__cchunk {
	uint32_t n, cap;
	struct cm__cent e[];
};

/* A case manager's entries: chunk after chunk, in order. A bucket of one
 * chunk (most: a caseload) holds it in `one`, which c then points to, so
 * that a reader finds it on the bucket's own line. A bucket of several
 * has chunks of room for CHUNK_MAX entries each, none empty. */
struct cm__cbucket {
	struct cm__cchunk **c;
	struct cm__cchunk *one;
	uint32_t nc, capc; /* chunks, and room in c (1 while c is &one) */
	uint32_t n;        /* entries in all */
	uint32_t pend;     /* entries the committing transaction puts in */
	char manager[];    /* the map's key */
};

struct cm__cix {
	/* manager -> its bucket: 8-byte entries (a hash and the bucket's
	 * reference), the key read from the bucket. A cold look-up reads
	 * a line of this compact table and then the bucket's. */
	struct cm__kmap map;
	/* The buckets, carved one after another from blocks that never
	 * move (a bucket lives as long as the index) and named by
	 * reference. */
	struct cm__refdir dir;
	size_t used; /* bytes carved from the last block */
	/* Buckets given room (pend > 0) by the committing transaction. */
	struct cm__cbucket **touched;
	size_t ntouched, captouched;
	/* Chunks of CHUNK_MAX entries for the splits of the committing
	 * transaction (a few kept for the next). */
	struct cm__cchunk **spare;
	size_t nspare, capspare;
	size_t promised; /* spares the committing transaction may take */
	size_t nmulti; /* buckets of several chunks */
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
	return cm__kmap_get(&x->map, m, strlen(m));
}

/* The size of block i of buckets: from 1 KiB (a store with a few case
 * managers), doubling up to a reference block's. */
static size_t block_size(uint32_t i)
{
	return i < 6 ? (size_t)1024 << i : CM__REF_BLOCK;
}

/* A new empty bucket for manager m (n bytes) in the map, which has room
 * for it; NULL if out of memory (nothing changed). */
static struct cm__cbucket *bucket_new(cm_store *s, struct cm__cix *x,
				      const char *m, size_t n)
{
	size_t size = (sizeof(struct cm__cbucket) + n + 1 + 7) & ~(size_t)7;
	struct cm__refdir *d = &x->dir;
	struct cm__cbucket *b;
	uint32_t ref;

	if (!d->n || block_size(d->n - 1) - x->used < size) {
		char *blk;
		if (d->n == d->cap) {
			size_t cap = d->cap;
			if (d->n == CM__REF_BLOCKS_MAX ||
			    cm__reserve(s, (void **)&d->blocks, &cap, d->n + 1,
					sizeof(*d->blocks)))
				return NULL;
			d->cap = cap > CM__REF_BLOCKS_MAX ? CM__REF_BLOCKS_MAX
							   : (uint32_t)cap;
		}
		if (!(blk = cm__alloc(s, block_size(d->n))))
			return NULL;
		d->blocks[d->n++] = blk;
		x->used = 0;
	}
	b = (struct cm__cbucket *)(void *)(d->blocks[d->n - 1] + x->used);
	ref = cm__ref_make(d->n - 1, x->used);
	x->used += size;
	memset(b, 0, sizeof(*b));
	memcpy(b->manager, m, n + 1);
	cm__kmap_put(&x->map, ref, n);
	return b;
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

/* The bucket an op puts its client's entry into and that may need room
 * for it, or NULL. A move within a bucket of one chunk stays in that
 * chunk, and so needs none: moves count only while some bucket has
 * several chunks. */
static const char *puts_into(const struct cm__cix *x, const struct cm__op *op)
{
	const struct cm__client *old;
	int add;

	if (op->kind != CM_KIND_CLIENT)
		return NULL;
	old = change_of(op, &add);
	if (!add || (!x->nmulti && moves(op, old, add)))
		return NULL;
	return manager_of((const struct cm__client *)op->rec);
}

static struct cm__cchunk *chunk_new(cm_store *s, uint32_t cap)
{
	struct cm__cchunk *ch = cm__alloc(s, sizeof(*ch) + cap * sizeof(ch->e[0]));

	if (ch) {
		ch->n = 0;
		ch->cap = cap;
	}
	return ch;
}

/* Room for b's pending entries: its one chunk grown, or (when they may
 * split chunks) chunk pointers in c and spare chunks for the splits. */
static int bucket_room(cm_store *s, struct cm__cix *x, struct cm__cbucket *b)
{
	size_t need = (size_t)b->n + b->pend, splits, cap;

	if (b->nc == 0) {
		for (cap = 4; cap < need && cap < CHUNK_MAX; cap *= 2)
			;
		if (!(b->one = chunk_new(s, (uint32_t)cap)))
			return CM_ENOMEM;
		b->c = &b->one;
		b->nc = b->capc = 1;
	} else if (b->nc == 1 && b->c[0]->cap < CHUNK_MAX && need > b->c[0]->cap) {
		struct cm__cchunk *ch;
		for (cap = b->c[0]->cap; cap < need && cap < CHUNK_MAX; cap *= 2)
			;
		ch = cm__realloc(s, b->c[0], sizeof(*ch) + cap * sizeof(ch->e[0]));
		if (!ch)
			return CM_ENOMEM;
		ch->cap = (uint32_t)cap;
		b->c[0] = ch;
	}
	if (b->nc == 1 && need <= b->c[0]->cap)
		return CM_OK; /* no chunk can fill up */
	/* A chunk splits when full; the halves need CHUNK_MAX / 2 - 1 more
	 * entries each before they can split again. */
	splits = b->nc + b->pend / (CHUNK_MAX / 2 - 1) + 1;
	if (splits > b->pend)
		splits = b->pend;
	if (b->nc + splits > b->capc) {
		size_t capc = b->capc;
		struct cm__cchunk **c = b->c == &b->one ? NULL : b->c;
		if (cm__reserve(s, (void **)&c, &capc, b->nc + splits, sizeof(*c)))
			return CM_ENOMEM;
		if (b->c == &b->one)
			c[0] = b->one;
		b->c = c;
		b->capc = capc > UINT32_MAX ? UINT32_MAX : (uint32_t)capc;
	}
	/* Those kept from earlier commits count. */
	if (cm__reserve(s, (void **)&x->spare, &x->capspare, x->promised + splits,
			sizeof(*x->spare)))
		return CM_ENOMEM;
	while (x->nspare < x->promised + splits) {
		struct cm__cchunk *ch = chunk_new(s, CHUNK_MAX);
		if (!ch)
			return CM_ENOMEM;
		x->spare[x->nspare++] = ch;
	}
	x->promised += splits;
	return CM_OK;
}

int cm__cix_prepare(cm_store *s, cm_txn *txn)
{
	struct cm__cix *x = s->contact_index;
	size_t i;

	if (!x) {
		if (!(x = cm__zalloc(s, sizeof(*x))))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
		x->map.key_off = offsetof(struct cm__cbucket, manager);
		x->map.dir = &x->dir;
		s->contact_index = x;
	}
	for (i = 0; i < txn->nops; i++) {
		const char *m = puts_into(x, &txn->ops[i]);
		struct cm__cbucket *b;
		if (!m)
			continue;
		if (!(b = bucket_get(x, m)) &&
		    (cm__kmap_reserve(s, &x->map, 1) ||
		     !(b = bucket_new(s, x, m, strlen(m)))))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
		if (b->pend == 0 &&
		    cm__reserve(s, (void **)&x->touched, &x->captouched,
				x->ntouched + 1, sizeof(*x->touched)))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
		if (b->pend++ == 0)
			x->touched[x->ntouched++] = b;
	}
	for (i = 0; i < x->ntouched; i++)
		if (bucket_room(s, x, x->touched[i]))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
	return CM_OK;
}

void cm__cix_done(cm_store *s)
{
	struct cm__cix *x = s->contact_index;
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->ntouched; i++)
		x->touched[i]->pend = 0;
	x->ntouched = 0;
	x->promised = 0;
	while (x->nspare > 2)
		cm__free(s, x->spare[--x->nspare]);
}

/* Order of entries: by date, then id. */
static int cent_cmp(const cm_store *s, const struct cm__cent *e, int32_t due,
		    const char *id)
{
	if (e->due != due)
		return e->due < due ? -1 : 1;
	return strcmp(cm__cent_id(s, e), id);
}

/* Where (due, id) is in b, or would go: chunk *k, entry *i of it. */
static void cent_find(const cm_store *s, const struct cm__cbucket *b,
		      int32_t due, const char *id, uint32_t *k, uint32_t *i)
{
	const struct cm__cchunk *ch;
	uint32_t lo = 0, hi = b->nc;

	/* The first chunk whose last entry is not before (due, id) (with
	 * one chunk, that one: its last line is not read for nothing). */
	while (b->nc > 1 && lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		ch = b->c[mid];
		if (cent_cmp(s, &ch->e[ch->n - 1], due, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == b->nc) { /* after every entry */
		*k = b->nc - 1;
		*i = b->c[*k]->n;
		return;
	}
	ch = b->c[lo];
	*k = lo;
	for (lo = 0, hi = ch->n; lo < hi;) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cent_cmp(s, &ch->e[mid], due, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*i = lo;
}

/* Put e at entry i of chunk k, splitting the chunk (with a spare) when it
 * is full. */
static void cent_insert(struct cm__cix *x, struct cm__cbucket *b, uint32_t k,
			uint32_t i, const struct cm__cent *e)
{
	struct cm__cchunk *ch = b->c[k];

	if (ch->n == ch->cap) {
		/* Full, so CHUNK_MAX (bucket_room): the upper half moves to
		 * a spare chunk after it. */
		struct cm__cchunk *up = x->spare[--x->nspare];
		uint32_t h = ch->n / 2;
		up->n = ch->n - h;
		memcpy(up->e, &ch->e[h], up->n * sizeof(ch->e[0]));
		ch->n = h;
		memmove(&b->c[k + 2], &b->c[k + 1], (b->nc - k - 1) * sizeof(*b->c));
		b->c[k + 1] = up;
		x->nmulti += ++b->nc == 2;
		if (i > h) {
			ch = up;
			i -= h;
		}
	}
	memmove(&ch->e[i + 1], &ch->e[i], (ch->n - i) * sizeof(ch->e[0]));
	ch->e[i] = *e;
	ch->n++;
	b->n++;
}

/* Take out entry i of chunk k. A chunk left empty goes (unless it is the
 * bucket's only one); one that holds, with its next neighbour (or its
 * previous, for the last), at most CHUNK_MAX / 2 entries takes the
 * neighbour's in: a bucket's chunks stay well filled. */
static void cent_remove(cm_store *s, struct cm__cix *x, struct cm__cbucket *b,
			uint32_t k, uint32_t i)
{
	struct cm__cchunk *ch = b->c[k];
	uint32_t j;

	memmove(&ch->e[i], &ch->e[i + 1], (ch->n - i - 1) * sizeof(ch->e[0]));
	ch->n--;
	b->n--;
	if (b->nc < 2)
		return;
	if (ch->n) {
		uint32_t lo = k + 1 < b->nc ? k : k - 1;
		struct cm__cchunk *a = b->c[lo], *z = b->c[lo + 1];
		if (a->n + z->n > CHUNK_MAX / 2)
			return;
		memcpy(&a->e[a->n], z->e, z->n * sizeof(z->e[0]));
		a->n += z->n;
		ch = z;
		k = lo + 1;
	}
	/* Chunk k (ch) is empty now, or merged into the one before it. */
	cm__free(s, ch);
	for (j = k; j + 1 < b->nc; j++)
		b->c[j] = b->c[j + 1];
	x->nmulti -= --b->nc == 1;
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
		uint32_t k, at, k2, to;
		if (op->kind != CM_KIND_CLIENT ||
		    !(old = change_of(op, &add)))
			continue;
		b = bucket_get(x, manager_of(old));
		id = CM__SLOT_ID(cm__op_slot(op));
		cent_find(s, b, old->next_followup, id, &k, &at);
		if (!moves(op, old, add)) {
			cent_remove(s, x, b, k, at);
			continue;
		}
		e = b->c[k]->e[at];
		e.due = ((const struct cm__client *)op->rec)->next_followup;
		/* Where the new date goes (the entry itself still counted at
		 * `at`). Within its chunk: one shift of the entries between;
		 * else out of one chunk and into another. */
		cent_find(s, b, e.due, id, &k2, &to);
		if (k2 == k) {
			struct cm__cchunk *ch = b->c[k];
			if (to > at) {
				to--;
				memmove(&ch->e[at], &ch->e[at + 1], (to - at) * sizeof(e));
			} else {
				memmove(&ch->e[to + 1], &ch->e[to], (at - to) * sizeof(e));
			}
			ch->e[to] = e;
			continue;
		}
		cent_remove(s, x, b, k, at);
		cent_find(s, b, e.due, id, &k, &at);
		cent_insert(x, b, k, at, &e);
	}
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__client *c = (const struct cm__client *)op->rec;
		const struct cm__slot *slot = op->sl;
		const struct cm__client *old;
		struct cm__cbucket *b;
		struct cm__cent e;
		uint32_t k, at;
		if (op->kind != CM_KIND_CLIENT)
			continue;
		old = change_of(op, &add);
		if (!add || moves(op, old, add))
			continue;
		b = bucket_get(x, manager_of(c));
		e.due = c->next_followup;
		e.ref = slot->ref;
		/* Zero-padded: readers copy the whole inline buffer. */
		memset(e.id, 0, sizeof(e.id));
		if (strlen(CM__SLOT_ID(slot)) <= CM__CENT_ID_INLINE)
			strcpy(e.id, CM__SLOT_ID(slot));
		cent_find(s, b, e.due, CM__SLOT_ID(slot), &k, &at);
		cent_insert(x, b, k, at, &e);
	}
}

uint64_t cm__cix_digest(const cm_store *s, uint64_t h)
{
	const struct cm__cix *x = s->contact_index;
	uint64_t sum = 0;
	size_t i, n = 0;
	uint32_t k, j;

	/* Independent of the map's layout and of the chunks: a sum over the
	 * entries. */
	for (i = 0; x && i < x->map.cap; i++) {
		const struct cm__cbucket *b;
		if (!(b = cm__kmap_at(&x->map, i)))
			continue;
		for (k = 0; k < b->nc; k++) {
			const struct cm__cchunk *ch = b->c[k];
			for (j = 0; j < ch->n; j++) {
				const char *id = cm__cent_id(s, &ch->e[j]);
				uint64_t e = cm__digest_bytes(0, b->manager,
							      strlen(b->manager));
				e = cm__digest_bytes(e, &ch->e[j].due, sizeof(ch->e[j].due));
				sum += cm__digest_bytes(e, id, strlen(id));
				n++;
			}
		}
	}
	h = cm__digest_bytes(h, &n, sizeof(n));
	return cm__digest_bytes(h, &sum, sizeof(sum));
}

const struct cm__cbucket *cm__cix_get(const cm_store *s, const char *manager)
{
	const struct cm__cbucket *b =
		s->contact_index ? bucket_get(s->contact_index, manager) : NULL;

	return b && b->n ? b : NULL;
}

const struct cm__cent *cm__cix_chunk(const struct cm__cbucket *b, uint32_t k,
				     uint32_t *out_n)
{
	if (!b || k >= b->nc) {
		*out_n = 0;
		return NULL;
	}
	*out_n = b->c[k]->n;
	return b->c[k]->e;
}

void cm__cix_free(cm_store *s)
{
	struct cm__cix *x = s->contact_index;
	size_t i;
	uint32_t k;

	if (!x)
		return;
	for (i = 0; i < x->map.cap; i++) {
		struct cm__cbucket *b;
		if (!(b = cm__kmap_at(&x->map, i)))
			continue;
		for (k = 0; k < b->nc; k++)
			cm__free(s, b->c[k]);
		if (b->c != &b->one)
			cm__free(s, b->c);
	}
	for (k = 0; k < x->dir.n; k++)
		cm__free(s, x->dir.blocks[k]);
	cm__free(s, x->dir.blocks);
	while (x->nspare)
		cm__free(s, x->spare[--x->nspare]);
	cm__free(s, x->spare);
	cm__kmap_free(s, &x->map);
	cm__free(s, x->touched);
	cm__free(s, x);
	s->contact_index = NULL;
}
