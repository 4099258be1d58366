/*
 * Internal: the store's intern table, one shared copy of each short text
 * that committed (packed) record versions repeat: transaction actors and
 * reasons in status histories, case-manager and assessor ids, instrument
 * and item codes, provider ids, element ids.
 *
 * A packed version points at the shared copy instead of holding its own
 * (cm__rec_pack, for fields whose schema says CM__TEXT_INTERN). Copies are
 * kept in arena blocks and never freed or moved before the store object
 * itself is destroyed (the last reference gone, not cm_store_close): a
 * committed version may outlive close while a handle holds it.
 *
 * Only the holder of the store's open transaction changes or searches the
 * table (packing happens when a transaction saves and commits); readers
 * never touch it, they only follow pointers from packed versions, which
 * commit publishes under the write lock.
 */
#ifndef CM_STORE_INTERN_H
#define CM_STORE_INTERN_H

#include <stddef.h>

#include "casemgr/store.h"

/* Longest text interned (bytes, without the NUL); a longer one is rarely
 * repeated and is kept in the packed version itself. */
#define CM__INTERN_MAX 64

/* The shared copy of t (len bytes, len <= CM__INTERN_MAX), added if new.
 * NULL if out of memory (the table is unchanged). */
const char *cm__intern(cm_store *s, const char *t, size_t len);
/* The shared copy of t if the table has one, else NULL. Never allocates. */
const char *cm__intern_find(const cm_store *s, const char *t, size_t len);
/* Free the table (at store destruction). */
void cm__intern_free(cm_store *s);

#endif
