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
 *
 * A transaction's saves add the texts they pack (so that what a single
 * transaction loads shares them from the start), and a transaction that
 * does not commit takes back what it added (cm__intern_undo): rolled-back
 * work leaves nothing in the table. (What ops a multi-record helper drops
 * again added, cm__txn_truncate, stays if the transaction commits: cache
 * entries no record points at.)
 */
#ifndef CM_STORE_INTERN_H
#define CM_STORE_INTERN_H

#include <stddef.h>

#include "casemgr/store.h"

/* Longest text interned (bytes, without the NUL); a longer one is rarely
 * repeated and is kept in the packed version itself. */
#define CM__INTERN_MAX 64

/* The shared copy of t (len bytes, len <= CM__INTERN_MAX, or a
 * transaction's actor: at most 256), added if new. NULL if out of memory
 * (the table is unchanged). */
const char *cm__intern(cm_store *s, const char *t, size_t len);
/* The shared copy of t if the table has one, else NULL. Never allocates. */
const char *cm__intern_find(const cm_store *s, const char *t, size_t len);
/* A point in the table's history: what was added after it can be taken
 * back. */
struct cm__intern_mark {
	const void *block; /* the newest arena block, or NULL */
	size_t used;       /* its bytes in use */
};

void cm__intern_mark(const cm_store *s, struct cm__intern_mark *m);
/* Take every text added since mark m out of the table and free its copy
 * (nothing may point at them any more). Never fails. */
void cm__intern_undo(cm_store *s, const struct cm__intern_mark *m);
/* Free the table (at store destruction). */
void cm__intern_free(cm_store *s);

#endif
