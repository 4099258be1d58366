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
/* Keys of the clients-by-case-manager index: active clients first, by next
 * follow-up date (no date after every date), then every other client. A
 * key below CM__BYCM_NODATE is an active client's next follow-up date. */
#define CM__BYCM_NODATE (INT64_C(1) << 32)
#define CM__BYCM_INACTIVE (INT64_C(1) << 40)
int cm__bycm_prepare(cm_store *s, cm_txn *txn, struct cm__mprep *p);
void cm__bycm_apply(cm_store *s, cm_txn *txn, struct cm__mprep *p);

/* Days between contacts for a risk tier (0..4), read under the meta lock. */
int32_t cm__contact_interval(cm_store *s, int32_t tier);

/* Days between assessments for a risk tier (0..4), read under the meta
 * lock; at most CM__REASSESS_MAX (3 years). */
#define CM__REASSESS_MAX 1096
int32_t cm__reassess_interval(cm_store *s, int32_t tier);

/* 1 if the case is open (planned, waitlist, active, on hold). */
int cm__case_open(int32_t status);

#endif
