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

#include <stddef.h>
#include <stdint.h>

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
/* Ensure `extra` more keys can be put without allocating. CM_OK/CM_ENOMEM. */
int cm__map_reserve(cm_store *s, struct cm__map *m, size_t extra);
/* Insert or replace; the map must have room (see reserve). */
void cm__map_put(struct cm__map *m, const char *key, size_t len, void *val);
void cm__map_free(cm_store *s, struct cm__map *m);

/*
 * The same map for values that hold their own key, NUL-terminated, at
 * key_off bytes from their start (records' slots, keyed by their id): an
 * entry is 16 bytes instead of 24, as the key is found from the value.
 * Set key_off before the first use.
 */
struct cm__kment {
	void *val; /* NULL: empty */
	uint32_t hash;
	uint32_t len;
};

struct cm__kmap {
	struct cm__kment *ents;
	size_t cap; /* 0 or a power of two */
	size_t count;
	size_t key_off;
};

void *cm__kmap_get(const struct cm__kmap *m, const void *key, size_t len);
/* Ensure `extra` more values can be put without allocating. CM_OK or
 * CM_ENOMEM. */
int cm__kmap_reserve(cm_store *s, struct cm__kmap *m, size_t extra);
/* Insert (or replace the value of the same key) val, whose key is len
 * bytes long; the map must have room (see reserve). */
void cm__kmap_put(struct cm__kmap *m, void *val, size_t len);
/* Remove; returns the value (NULL if absent). */
void *cm__kmap_remove(struct cm__kmap *m, const void *key, size_t len);
void cm__kmap_free(cm_store *s, struct cm__kmap *m);

#endif
