/* Open-addressing hash map; see hashmap.h. */
#include <string.h>

#include "core/core.h"
#include "core/hashmap.h"

uint32_t cm__hash(const void *key, size_t len)
{
	/* Eight bytes at a time, multiply-xorshift mixing (the splitmix64
	 * finaliser): short keys (36-byte ids, identifiers) dominate, and a
	 * byte-at-a-time hash was a tenth of a lookup's instructions. Values
	 * depend on byte order; they never leave the process. */
	const unsigned char *p = key;
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)len, w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
		h ^= h >> 31;
		p += 8;
		len -= 8;
	}
	w = 0;
	if (len)
		memcpy(&w, p, len);
	h = (h ^ w) * 0x94D049BB133111EBULL;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
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

	if (cap && need <= cap - cap / 4)
		return cap;
	ncap = cap ? cap : 16;
	while (need > ncap - ncap / 4) {
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

static void *kval(const struct cm__kmap *m, const struct cm__kment *e)
{
	return cm__ref_ptr(m->dir, e->ref);
}

/* The key of entry e equals the len bytes at key (which holds no NUL):
 * the stored key is NUL-terminated and its length is not kept, so it is
 * compared up to its terminator (strncmp reads no further). */
static int kmatch(const struct cm__kmap *m, const struct cm__kment *e,
		  const void *key, size_t len)
{
	const char *k = (const char *)kval(m, e) + m->key_off;

	return strncmp(k, key, len) == 0 && k[len] == '\0';
}

static size_t kfind(const struct cm__kmap *m, const void *key, size_t len,
		    uint32_t h)
{
	size_t mask = m->cap - 1, i = h & mask;

	while (m->ents[i].ref) {
		const struct cm__kment *e = &m->ents[i];
		if (e->hash == h && kmatch(m, e, key, len))
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

void *cm__kmap_get(const struct cm__kmap *m, const void *key, size_t len)
{
	size_t i;

	if (m->count == 0)
		return NULL;
	i = kfind(m, key, len, cm__hash(key, len));
	return m->ents[i].ref ? kval(m, &m->ents[i]) : NULL;
}

void cm__kmap_prefetch(const struct cm__kmap *m, const void *key, size_t len)
{
	if (m->cap)
		__builtin_prefetch(&m->ents[cm__hash(key, len) & (m->cap - 1)]);
}

/* Put an entry into a table that does not have its key. */
static void kput_new(struct cm__kmap *m, uint32_t ref, uint32_t h)
{
	size_t mask = m->cap - 1, i = h & mask;

	while (m->ents[i].ref)
		i = (i + 1) & mask;
	m->ents[i].hash = h;
	m->ents[i].ref = ref;
	m->count++;
}

int cm__kmap_reserve(cm_store *s, struct cm__kmap *m, size_t extra)
{
	size_t ncap = table_cap(m->cap, m->count, extra, sizeof(struct cm__kment));
	struct cm__kment *ne;
	size_t i;

	if (ncap == m->cap)
		return CM_OK;
	if (!ncap)
		return CM_ENOMEM;
	ne = cm__zalloc(s, ncap * sizeof(*ne));
	if (!ne)
		return CM_ENOMEM;
	{
		struct cm__kmap nm = { ne, ncap, 0, m->key_off, m->dir };
		for (i = 0; i < m->cap; i++)
			if (m->ents[i].ref)
				kput_new(&nm, m->ents[i].ref, m->ents[i].hash);
		cm__free(s, m->ents);
		*m = nm;
	}
	return CM_OK;
}

void cm__kmap_put(struct cm__kmap *m, uint32_t ref, size_t len)
{
	const char *key = (const char *)cm__ref_ptr(m->dir, ref) + m->key_off;
	uint32_t h = cm__hash(key, len);
	size_t i = kfind(m, key, len, h);

	if (!m->ents[i].ref) {
		m->ents[i].hash = h;
		m->count++;
	}
	m->ents[i].ref = ref;
}

void *cm__kmap_remove(struct cm__kmap *m, const void *key, size_t len)
{
	size_t mask, i, j;
	void *val;

	if (m->count == 0)
		return NULL;
	mask = m->cap - 1;
	i = kfind(m, key, len, cm__hash(key, len));
	if (!m->ents[i].ref)
		return NULL;
	val = kval(m, &m->ents[i]);
	/* Backward-shift: pull later members of the probe run into the gap. */
	j = i;
	for (;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!m->ents[j].ref)
			break;
		home = m->ents[j].hash & mask;
		if (cm__probe_moves(home, i, j)) {
			m->ents[i] = m->ents[j];
			i = j;
		}
	}
	m->ents[i].ref = 0;
	m->count--;
	return val;
}

void cm__kmap_free(cm_store *s, struct cm__kmap *m)
{
	cm__free(s, m->ents);
	m->ents = NULL;
	m->cap = m->count = 0;
}
