/*
 * Internal: the transaction-log record (the audit trail's form in storage)
 * and helpers shared by storage writing, loading and the file journal.
 */
#ifndef CM_STORE_STORAGE_IMPL_H
#define CM_STORE_STORAGE_IMPL_H

#include "casemgr/storage.h"
#include "store/store_impl.h"

struct cm__logentry {
	int32_t kind;
	char *id;
	int64_t revision;
	int32_t action;
};

struct cm__txnrec {
	struct cm__rec hdr;
	char *actor;
	int64_t time;
	int64_t seq; /* commit order: the store's sequence number */
	struct cm__list entries; /* struct cm__logentry */
};

extern const struct cm__kind cm__txnlog_kind;

/* Turn a storage callback's failure into a CM_E* code with a message. */
int cm__storage_fail(cm_store *s, const char *what, int rc);

#endif
