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

static const char *kkey(const struct cm__kmap *m, const struct cm__kment *e)
{
	return (const char *)e->val + m->key_off;
}

static size_t kfind(const struct cm__kmap *m, const void *key, size_t len,
		    uint32_t h)
{
	size_t mask = m->cap - 1, i = h & mask;

	while (m->ents[i].val) {
		const struct cm__kment *e = &m->ents[i];
		if (e->hash == h && e->len == len &&
		    memcmp(kkey(m, e), key, len) == 0)
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
	return m->ents[i].val;
}

static void kput_hashed(struct cm__kmap *m, void *val, size_t len, uint32_t h)
{
	size_t i = kfind(m, (const char *)val + m->key_off, len, h);

	if (!m->ents[i].val) {
		m->ents[i].hash = h;
		m->ents[i].len = (uint32_t)len;
		m->count++;
	}
	m->ents[i].val = val;
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
		struct cm__kmap nm = { ne, ncap, 0, m->key_off };
		for (i = 0; i < m->cap; i++)
			if (m->ents[i].val)
				kput_hashed(&nm, m->ents[i].val, m->ents[i].len,
					    m->ents[i].hash);
		cm__free(s, m->ents);
		*m = nm;
	}
	return CM_OK;
}

void cm__kmap_put(struct cm__kmap *m, void *val, size_t len)
{
	kput_hashed(m, val, len, cm__hash((const char *)val + m->key_off, len));
}

void *cm__kmap_remove(struct cm__kmap *m, const void *key, size_t len)
{
	size_t mask, i, j;
	void *val;

	if (m->count == 0)
		return NULL;
	mask = m->cap - 1;
	i = kfind(m, key, len, cm__hash(key, len));
	if (!(val = m->ents[i].val))
		return NULL;
	/* Backward-shift: pull later members of the probe run into the gap. */
	j = i;
	for (;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!m->ents[j].val)
			break;
		home = m->ents[j].hash & mask;
		if (cm__probe_moves(home, i, j)) {
			m->ents[i] = m->ents[j];
			i = j;
		}
	}
	m->ents[i].val = NULL;
	m->count--;
	return val;
}

void cm__kmap_free(cm_store *s, struct cm__kmap *m)
{
	cm__free(s, m->ents);
	m->ents = NULL;
	m->cap = m->count = 0;
}
