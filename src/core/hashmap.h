/*
 * Internal: a hash map from byte-string keys to pointers, open addressing
 * with linear probing and backward-shift deletion (no tombstones).
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

/* Backward-shift deletion in a linear-probing table (this map, and the
 * client directory's tables): after emptying slot i, the member at slot j
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
/* Remove; returns the value (NULL if absent) and the stored key pointer. */
void *cm__map_remove(struct cm__map *m, const void *key, size_t len,
		     const char **out_key);
void cm__map_free(cm_store *s, struct cm__map *m);

#endif
