/*
 * Internal: the query layer's hooks into record kinds (the clients-by-case-
 * manager index kept by the client kind's commit hooks) and helpers shared
 * by worklists, caseloads and measures.
 */
#ifndef CM_QUERY_IMPL_H
#define CM_QUERY_IMPL_H

#include "casemgr/query.h"
#include "client/client_impl.h"
#include "store/store_impl.h"

/* Clients by case manager: called from the client kind's index hooks. */
int cm__bycm_prepare(cm_store *s, cm_txn *txn, struct cm__mprep *p);
void cm__bycm_apply(cm_store *s, cm_txn *txn, struct cm__mprep *p);

/* The contact index (contact_index.c): case manager -> active clients with
 * a next follow-up date, by (date, id), the id inline: a covering index
 * for contact worklists. Kept with the clients-by-case-manager index.
 * An entry is 48 bytes, four to three cache lines: a worklist reads a
 * run of them. */
#define CM__CENT_ID_INLINE 39
struct cm__cent {
	int32_t due;
	uint32_t ref; /* the client's slot, as its reference in the slabs */
	/* The id, zero-padded, when it has at most CM__CENT_ID_INLINE
	 * bytes; else "" (ids are never empty): read it from the slot. */
	char id[CM__CENT_ID_INLINE + 1];
};
/* The most entries a bucket keeps in one chunk (contact_index.c). */
#define CM__CIX_CHUNK 128
int cm__cix_prepare(cm_store *s, cm_txn *txn);
void cm__cix_apply(cm_store *s, cm_txn *txn);
/* After the commit (applied or not): forget the room counts. */
void cm__cix_done(cm_store *s);
/* A case manager's entries, in order (NULL if none): chunk after chunk,
 * read with cm__cix_chunk. Caller holds the lock. */
struct cm__cbucket;
const struct cm__cbucket *cm__cix_get(const cm_store *s, const char *manager);
/* Chunk k of b and its number of entries (NULL, 0 past the last chunk, or
 * for b NULL). */
const struct cm__cent *cm__cix_chunk(const struct cm__cbucket *b, uint32_t k,
				     uint32_t *out_n);
/* The client id of an entry of s's contact index. */
static inline const char *cm__cent_id(const cm_store *s,
				      const struct cm__cent *e)
{
	return e->id[0] ? e->id
			: CM__SLOT_ID((const struct cm__slot *)cm__ref_ptr(
				  &s->slabs.dir, e->ref));
}

/* Days between contacts for a risk tier (0..4), read under the meta lock. */
int32_t cm__contact_interval(cm_store *s, int32_t tier);

/* Days between assessments for a risk tier (0..4), read under the meta
 * lock; at most CM__REASSESS_MAX (3 years). */
#define CM__REASSESS_MAX 1096
int32_t cm__reassess_interval(cm_store *s, int32_t tier);

/* 1 if the case is open (planned, waitlist, active, on hold). */
int cm__case_open(int32_t status);

#endif
