/* Open-addressing hash map; see hashmap.h. */
#include <assert.h>
#include <string.h>

#include "core/core.h"
#include "core/hashmap.h"

uint32_t cm__hash(const void *key, size_t len)
{
	return cm__hash_inline(key, len);
}

static size_t find_slot(const struct cm__map *m, const void *key, size_t len,
			uint32_t h)
{
	size_t mask = m->cap - 1, i = h & mask;

	while (m->ents[i].key) {
		const struct cm__mapent *e = &m->ents[i];
		if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

void *cm__map_get(const struct cm__map *m, const void *key, size_t len)
{
	size_t i;

	if (m->count == 0)
		return NULL;
	i = find_slot(m, key, len, cm__hash(key, len));
	return m->ents[i].key ? m->ents[i].val : NULL;
}

const struct cm__mapent *cm__map_entry(const struct cm__map *m,
				       const void *key, size_t len)
{
	size_t i;

	if (m->count == 0)
		return NULL;
	i = find_slot(m, key, len, cm__hash(key, len));
	return m->ents[i].key ? &m->ents[i] : NULL;
}

/* The capacity a table of `count` entries of esz bytes needs for `extra`
 * more at a load factor of at most 3/4: cap itself if it has room, else
 * the next power of two that does (from 16), or 0 if that overflows. */
static size_t table_cap(size_t cap, size_t count, size_t extra, size_t esz)
{
	size_t need = count + extra, ncap;

	if (cm__table_fits(cap, need))
		return cap;
	ncap = cap ? cap : 16;
	while (!cm__table_fits(ncap, need)) {
		if (ncap > SIZE_MAX / 2 / esz)
			return 0;
		ncap *= 2;
	}
	return ncap;
}

void cm__itab_put(uint64_t *t, size_t cap, uint32_t h, uint32_t idx)
{
	size_t mask = cap - 1, i = h & mask;

	while (t[i])
		i = (i + 1) & mask;
	t[i] = (uint64_t)h << 32 | ((uint64_t)idx + 1);
}

int cm__itab_grow(cm_store *s, uint64_t **t, size_t *cap, size_t need)
{
	size_t ncap = table_cap(*cap, need, 0, sizeof(**t)), i;
	uint64_t *n;

	if (ncap == *cap)
		return CM_OK;
	if (!ncap || !(n = cm__zalloc(s, ncap * sizeof(*n))))
		return CM_ENOMEM;
	for (i = 0; i < *cap; i++)
		if ((*t)[i])
			cm__itab_put(n, ncap, (uint32_t)((*t)[i] >> 32),
				     (uint32_t)(*t)[i] - 1);
	cm__free(s, *t);
	*t = n;
	*cap = ncap;
	return CM_OK;
}

static void put_hashed(struct cm__map *m, const char *key, size_t len,
		       uint32_t h, void *val)
{
	size_t i = find_slot(m, key, len, h);

	if (!m->ents[i].key) {
		m->ents[i].key = key;
		m->ents[i].hash = h;
		m->ents[i].len = (uint32_t)len;
		m->count++;
	}
	m->ents[i].val = val;
}

int cm__map_reserve(cm_store *s, struct cm__map *m, size_t extra)
{
	size_t ncap = table_cap(m->cap, m->count, extra, sizeof(struct cm__mapent));
	struct cm__mapent *ne;
	size_t i;

	if (ncap == m->cap)
		return CM_OK;
	if (!ncap)
		return CM_ENOMEM;
	ne = cm__zalloc(s, ncap * sizeof(*ne));
	if (!ne)
		return CM_ENOMEM;
	{
		struct cm__map nm = { ne, ncap, 0 };
		for (i = 0; i < m->cap; i++)
			if (m->ents[i].key)
				put_hashed(&nm, m->ents[i].key, m->ents[i].len,
					   m->ents[i].hash, m->ents[i].val);
		cm__free(s, m->ents);
		*m = nm;
	}
	return CM_OK;
}

void cm__map_put(struct cm__map *m, const char *key, size_t len, void *val)
{
	put_hashed(m, key, len, cm__hash(key, len), val);
}

void cm__map_free(cm_store *s, struct cm__map *m)
{
	cm__free(s, m->ents);
	m->ents = NULL;
	m->cap = m->count = 0;
}

/* ---- maps of values holding their keys --------------------------------- */

#define KENT(hash, ref) ((uint64_t)(ref) << 32 | (uint32_t)(hash))
#define KREF(e) ((uint32_t)((e) >> 32))
#define KHASH(e) ((uint32_t)(e))

/* Entry i, as a reader may load it while the writer puts (hashmap.h). */
static uint64_t kload(const struct cm__kmap *m, size_t i)
{
	return atomic_load_explicit(&m->ents[i], memory_order_acquire);
}

static void *kval(const struct cm__kmap *m, uint64_t e)
{
	return cm__ref_ptr(m->dir, KREF(e));
}

/* The key of entry e equals the len bytes at key (which holds no NUL):
 * the stored key is NUL-terminated and its length is not kept, so it is
 * compared up to its terminator (strncmp reads no further). */
static int kmatch(const struct cm__kmap *m, uint64_t e, const void *key,
		  size_t len)
{
	const char *k = (const char *)kval(m, e) + m->key_off;

	return strncmp(k, key, len) == 0 && k[len] == '\0';
}

/* kfind from place i, whose entry has key's hash. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static size_t kfind_from(const struct cm__kmap *m, const void *key,
			 size_t len, uint32_t h, size_t i, uint64_t *out)
{
	size_t mask = m->cap - 1;
	uint64_t e;

	while (KREF(e = kload(m, i))) {
		if (KHASH(e) == h && kmatch(m, e, key, len))
			break;
		i = (i + 1) & mask;
	}
	*out = e;
	return i;
}

/* The index of key's entry, or of the empty entry that ends its probe
 * run; *out the entry there. Up to the first entry with key's hash
 * (mostly the key's, or none: a new id), a loop without calls; from
 * there, kfind_from. */
static size_t kfind(const struct cm__kmap *m, const void *key, size_t len,
		    uint32_t h, uint64_t *out)
{
	/* The table, read once: it moves only while readers are kept out. */
	const cm__kment *ents = m->ents;
	size_t mask = m->cap - 1, i = h & mask;
	uint64_t e;

	while (KREF(e = atomic_load_explicit(&ents[i], memory_order_acquire))) {
		if (KHASH(e) == h)
			return kfind_from(m, key, len, h, i, out);
		i = (i + 1) & mask;
	}
	*out = e;
	return i;
}

size_t cm__kmap_count(const struct cm__kmap *m)
{
	return atomic_load_explicit(&m->count, memory_order_relaxed);
}

void *cm__kmap_at(const struct cm__kmap *m, size_t i)
{
	uint64_t e = kload(m, i);

	return KREF(e) ? kval(m, e) : NULL;
}

void *cm__kmap_get(const struct cm__kmap *m, const void *key, size_t len)
{
	uint64_t e;

	/* (cap, not count: a writer may be putting the first entry.) */
	if (m->cap == 0)
		return NULL;
	kfind(m, key, len, cm__hash(key, len), &e);
	return KREF(e) ? kval(m, e) : NULL;
}

void cm__kmap_prefetch(const struct cm__kmap *m, const void *key, size_t len)
{
	if (m->cap)
		__builtin_prefetch(&m->ents[cm__hash(key, len) & (m->cap - 1)]);
}

void cm__kmap_pos(struct cm__kpos *pos, const void *key, size_t len)
{
	pos->len = len;
	pos->hash = cm__hash(key, len);
	pos->cap = 0;
}

void cm__kmap_prefetch_pos(const struct cm__kmap *m, const struct cm__kpos *pos)
{
	if (m->cap)
		__builtin_prefetch(&m->ents[pos->hash & (m->cap - 1)]);
}

void *cm__kmap_find(const struct cm__kmap *m, const void *key,
		    struct cm__kpos *pos)
{
	if (m->cap == 0) {
		pos->cap = 0;
		return NULL;
	}
	pos->at = kfind(m, key, pos->len, pos->hash, &pos->e);
	pos->cap = m->cap;
	return KREF(pos->e) ? kval(m, pos->e) : NULL;
}

int cm__kmap_reserve(cm_store *s, struct cm__kmap *m, size_t extra)
{
	size_t ncap = table_cap(m->cap, cm__kmap_count(m), extra,
				sizeof(cm__kment));
	size_t ocap = m->cap, mask = ncap - 1, s0, t, i, j;
	cm__kment *old = m->ents, *ne;

	if (ncap == ocap)
		return CM_OK;
	if (!ncap || !(ne = cm__alloc(s, ncap * sizeof(*ne))))
		return CM_ENOMEM;
	if (!ocap)
		memset(ne, 0, ncap * sizeof(*ne));
	/* The old entries go over in table order, starting just after an
	 * empty place s0 (a table is at most 3/4 full), so that no probe
	 * run is cut. An entry's new home is its old home plus a multiple k
	 * of ocap, and it lands no later, counted from s0 + 1 + k * ocap,
	 * than it stood in the old table counted from s0 + 1: only entries
	 * before it in the old table can stand in its way (by induction).
	 * So no probe reaches a place whose counterpart in the old table
	 * (the same place modulo ocap) comes after the entry's: the new
	 * table is zeroed counterpart by counterpart, just ahead, in the
	 * same pass over it instead of a pass of its own. Readers are kept
	 * out (the caller): relaxed order. */
	for (s0 = 0; ocap && KREF(atomic_load_explicit(&old[s0],
						       memory_order_relaxed));)
		s0++;
	for (t = 1; t <= ocap; t++) {
		size_t p = (s0 + t) & (ocap - 1);
		uint64_t e = atomic_load_explicit(&old[p], memory_order_relaxed);
		atomic_store_explicit(&ne[p], 0, memory_order_relaxed);
		atomic_store_explicit(&ne[p + ocap], 0, memory_order_relaxed);
		for (j = p + 2 * ocap; j < ncap; j += ocap) /* (grown more) */
			atomic_store_explicit(&ne[j], 0, memory_order_relaxed);
		if (!KREF(e))
			continue;
		for (i = KHASH(e) & mask;
		     KREF(atomic_load_explicit(&ne[i], memory_order_relaxed));)
			i = (i + 1) & mask;
		atomic_store_explicit(&ne[i], e, memory_order_relaxed);
	}
	m->ents = ne;
	m->cap = ncap;
	cm__free(s, old);
	return CM_OK;
}

/* Put the value named by ref, whose key (len bytes) hashes to h, at place
 * i, which held e: the key's entry (e names a value) or the empty entry
 * ending its probe run. */
static void kput_at(struct cm__kmap *m, uint32_t ref, uint32_t h, size_t i,
		    uint64_t e)
{
	/* One store publishes the whole entry (hashmap.h). */
	atomic_store_explicit(&m->ents[i], KENT(h, ref), memory_order_release);
	if (!KREF(e))
		atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
}

void cm__kmap_put(struct cm__kmap *m, uint32_t ref, size_t len)
{
	const char *key = (const char *)cm__ref_ptr(m->dir, ref) + m->key_off;
	uint32_t h = cm__hash(key, len);
	uint64_t e;
	size_t i = kfind(m, key, len, h, &e);

	kput_at(m, ref, h, i, e);
}

void cm__kmap_put_at(struct cm__kmap *m, uint32_t ref,
		     const struct cm__kpos *pos)
{
	const char *key;
	uint64_t e;
	size_t i;

	/* The place found is still the key's unless the table grew (which
	 * moves every entry): puts and removals in between are ruled out. */
	if (pos->cap == m->cap) {
		assert(kfind(m, (const char *)cm__ref_ptr(m->dir, ref) +
				 m->key_off, pos->len, pos->hash, &e) == pos->at &&
		       e == pos->e);
		kput_at(m, ref, pos->hash, pos->at, pos->e);
		return;
	}
	key = (const char *)cm__ref_ptr(m->dir, ref) + m->key_off;
	i = kfind(m, key, pos->len, pos->hash, &e);
	kput_at(m, ref, pos->hash, i, e);
}

void *cm__kmap_remove(struct cm__kmap *m, const void *key, size_t len)
{
	size_t mask, i, j;
	uint64_t e;
	void *val;

	if (m->cap == 0)
		return NULL;
	mask = m->cap - 1;
	i = kfind(m, key, len, cm__hash(key, len), &e);
	if (!KREF(e))
		return NULL;
	val = kval(m, e);
	/* Backward-shift: pull later members of the probe run into the gap.
	 * (Readers are kept out: plain order will do.) */
	j = i;
	for (;;) {
		size_t home;
		e = atomic_load_explicit(&m->ents[(j = (j + 1) & mask)],
					 memory_order_relaxed);
		if (!KREF(e))
			break;
		home = KHASH(e) & mask;
		if (cm__probe_moves(home, i, j)) {
			atomic_store_explicit(&m->ents[i], e, memory_order_relaxed);
			i = j;
		}
	}
	atomic_store_explicit(&m->ents[i], 0, memory_order_relaxed);
	atomic_fetch_sub_explicit(&m->count, 1, memory_order_relaxed);
	return val;
}

void cm__kmap_free(cm_store *s, struct cm__kmap *m)
{
	cm__free(s, m->ents);
	m->ents = NULL;
	m->cap = 0;
	atomic_store_explicit(&m->count, 0, memory_order_relaxed);
}
