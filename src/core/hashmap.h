/*
 * Internal: a hash map from byte-string keys to pointers, open addressing
 * with linear probing; and a map of values that hold their keys (struct
 * cm__kmap) with backward-shift deletion (no tombstones).
 * The map does not own its keys: callers keep each key alive while it is in
 * the map. Insertion never allocates: reserve first (so a commit can
 * allocate everything up front and then apply without failing).
 */
#ifndef CM_CORE_HASHMAP_H
#define CM_CORE_HASHMAP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "casemgr/store.h"

struct cm__mapent {
	const char *key; /* NULL: empty */
	void *val;
	uint32_t hash;
	uint32_t len;
};

struct cm__map {
	struct cm__mapent *ents;
	size_t cap; /* 0 or a power of two */
	size_t count;
};

uint32_t cm__hash(const void *key, size_t len);

/* The 8 (4) bytes at p, whatever its alignment. */
static inline uint64_t cm__load64(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

static inline uint32_t cm__load32(const void *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}


/* cm__hash, inline: for a look-up whose cost is mostly the hash's. */
static inline uint32_t cm__hash_inline(const void *key, size_t len)
{
	/* Eight bytes at a time, multiply-xorshift mixing (the splitmix64
	 * finaliser): short keys (36-byte ids, identifiers) dominate, and a
	 * byte-at-a-time hash was a tenth of a lookup's instructions. The
	 * last 1..8 bytes are read as one word ending at the key's end,
	 * overlapping bytes already mixed, and a key under 8 bytes as two
	 * overlapping halves (or its first, middle and last byte): no byte
	 * loop. Each length maps its keys one to one; the seed, the length
	 * multiplied out over all 64 bits, keeps keys of different lengths
	 * (whose words now share bytes) apart. Values depend on byte order;
	 * they never leave the process. */
	const unsigned char *p = key;
	uint64_t h = (0x9E3779B97F4A7C15ULL ^ (uint64_t)len) *
		     0xBF58476D1CE4E5B9ULL, w;

	if (len > 8) {
		const unsigned char *last = p + len - 8;
		for (; p < last; p += 8) {
			h = (h ^ cm__load64(p)) * 0xBF58476D1CE4E5B9ULL;
			h ^= h >> 31;
		}
		w = cm__load64(last);
	} else if (len >= 4) {
		w = cm__load32(p) | (uint64_t)cm__load32(p + len - 4) << 32;
	} else if (len) {
		w = (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 |
		    (uint64_t)p[len - 1] << 16;
	} else {
		w = 0;
	}
	h = (h ^ w) * 0x94D049BB133111EBULL;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* Backward-shift deletion in a linear-probing table (struct cm__kmap, and
 * the client directory's tables): after emptying slot i, the member at slot j
 * (home: its hash & mask) moves into i iff its home is not cyclically
 * within (i, j]. */
static inline int cm__probe_moves(size_t home, size_t i, size_t j)
{
	return (j > i && (home <= i || home > j)) ||
	       (j < i && (home <= i && home > j));
}
void *cm__map_get(const struct cm__map *m, const void *key, size_t len);
/* The entry of key (its stored key and value), or NULL. */
const struct cm__mapent *cm__map_entry(const struct cm__map *m,
				       const void *key, size_t len);
/* Ensure `extra` more keys can be put without allocating. CM_OK/CM_ENOMEM. */
int cm__map_reserve(cm_store *s, struct cm__map *m, size_t extra);
/* Insert or replace; the map must have room (see reserve). */
void cm__map_put(struct cm__map *m, const char *key, size_t len, void *val);
void cm__map_free(cm_store *s, struct cm__map *m);

/* 1 if a table of capacity cap (0 or a power of two) holds need entries
 * at most 3/4 full: the load every table here keeps. */
static inline int cm__table_fits(size_t cap, size_t need)
{
	return cap && need <= cap - cap / 4;
}

/*
 * Index tables: 8-byte entries hash << 32 | index + 1 (0: empty), linear
 * probing from hash & (cap - 1), at most 3/4 full; the owner resolves an
 * index to its key (the client directory's cards, the audit trail's
 * transactions) and removes with cm__probe_moves.
 */
/* Room in table *t (capacity *cap: 0 or a power of two) for need entries
 * in all: CM_OK, or CM_ENOMEM with the table unchanged. */
int cm__itab_grow(cm_store *s, uint64_t **t, size_t *cap, size_t need);
static inline int cm__itab_reserve(cm_store *s, uint64_t **t, size_t *cap,
				   size_t need)
{
	if (cm__table_fits(*cap, need))
		return CM_OK;
	return cm__itab_grow(s, t, cap, need);
}
/* Put index idx (hash h) into table t of capacity cap, which has room. */
void cm__itab_put(uint64_t *t, size_t cap, uint32_t h, uint32_t idx);

/*
 * Blocks of memory (at most CM__REF_BLOCK bytes each) whose 8-byte aligned
 * members are named by 32-bit references instead of 8-byte pointers:
 * member at byte o of block b -> (b << 13) | (o / 8 + 1), never 0. Up to
 * CM__REF_BLOCKS_MAX blocks. The owner appends blocks (never moves or
 * drops one while references to it are in use).
 */
#define CM__REF_BLOCK ((size_t)8191 * 8)
#define CM__REF_BLOCKS_MAX ((uint32_t)1 << 19)

struct cm__refdir {
	char **blocks;
	uint32_t n, cap;
};

static inline void *cm__ref_ptr(const struct cm__refdir *d, uint32_t ref)
{
	return d->blocks[ref >> 13] + (size_t)((ref & 0x1fffu) - 1) * 8;
}

static inline uint32_t cm__ref_make(uint32_t block, size_t offset)
{
	return block << 13 | (uint32_t)(offset / 8 + 1);
}

/*
 * The same map for values that hold their own key, NUL-terminated, at
 * key_off bytes from their start, and are named by references into the
 * blocks of `dir` (records' slots, keyed by their id): an entry is 8 bytes
 * (the key's hash and the value's reference) instead of 24, as the key is
 * found from the value. Set key_off and dir before the first use.
 *
 * Concurrency: look-ups may run while one writer puts (cm__kmap_put into
 * a map that has room), with no lock between them. An entry is one 64-bit
 * word, stored with release order and loaded with acquire order, so a
 * reader sees either no entry or the whole one, and with it everything
 * the writer wrote before the put (the value, its key, the block the
 * reference names). Growing (cm__kmap_reserve when it must), removing and
 * freeing move or drop entries: the caller keeps readers out for those.
 */
/* An entry: the value's reference (0: empty) in the high half, the key's
 * hash in the low half. */
typedef _Atomic uint64_t cm__kment;

struct cm__kmap {
	cm__kment *ents;
	size_t cap; /* 0 or a power of two */
	/* Read without the writer's lock only through cm__kmap_count. */
	_Atomic size_t count;
	size_t key_off;
	const struct cm__refdir *dir;
};

/* The number of values in m (relaxed: exact only for the writer). */
size_t cm__kmap_count(const struct cm__kmap *m);
/* The value at place i (below m->cap) of m's table, or NULL: for a walk
 * over every value, in no particular order. */
void *cm__kmap_at(const struct cm__kmap *m, size_t i);
void *cm__kmap_get(const struct cm__kmap *m, const void *key, size_t len);
/* Start loading the line where a look-up of key would begin (a hint: it
 * changes nothing), so that a look-up or put of that key a few hundred
 * instructions later does not wait for memory. */
void cm__kmap_prefetch(const struct cm__kmap *m, const void *key, size_t len);

/* A key, hashed, and where its last look-up (cm__kmap_find) ended: for a
 * put of the key that follows a look-up that missed it, without hashing
 * and probing again (a new record's id: looked up, then entered). */
struct cm__kpos {
	size_t len;   /* the key's */
	uint32_t hash;
	/* Where the look-up ended: the key's entry, or the empty one that
	 * ends its probe run, in a table of capacity cap (0: not looked up),
	 * holding e then. */
	size_t at, cap;
	uint64_t e;
};
/* pos for key (len bytes), not looked up yet. */
void cm__kmap_pos(struct cm__kpos *pos, const void *key, size_t len);
/* cm__kmap_prefetch of pos's key. */
void cm__kmap_prefetch_pos(const struct cm__kmap *m, const struct cm__kpos *pos);
/* cm__kmap_get of key, hashed in pos (cm__kmap_pos), recording in pos
 * where the look-up ended. */
void *cm__kmap_find(const struct cm__kmap *m, const void *key,
		    struct cm__kpos *pos);
/* cm__kmap_put of the value named by ref, whose key was looked up with
 * pos (cm__kmap_find or not), in m, which has room. Between the look-up
 * and the put, m may have grown but no value may have been put into it
 * or removed from it (that could move the key's place). */
void cm__kmap_put_at(struct cm__kmap *m, uint32_t ref,
		     const struct cm__kpos *pos);
/* 1 if `extra` more values can be put without allocating (then
 * cm__kmap_reserve would change nothing): at most 3/4 full, as
 * cm__kmap_reserve keeps it. Inline: checked for every new record. */
static inline int cm__kmap_has_room(const struct cm__kmap *m, size_t extra)
{
	return cm__table_fits(m->cap, atomic_load_explicit(
		&m->count, memory_order_relaxed) + extra);
}
/* Ensure `extra` more values can be put without allocating. CM_OK or
 * CM_ENOMEM. Moves every entry when it grows the table. */
int cm__kmap_reserve(cm_store *s, struct cm__kmap *m, size_t extra);
/* Insert (or replace the value of the same key) the value named by ref,
 * whose key is len bytes long; the map must have room (see reserve). */
void cm__kmap_put(struct cm__kmap *m, uint32_t ref, size_t len);
/* Remove; returns the value (NULL if absent). */
void *cm__kmap_remove(struct cm__kmap *m, const void *key, size_t len);
void cm__kmap_free(cm_store *s, struct cm__kmap *m);

#endif
