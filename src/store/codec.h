/*
 * Internal: the record encoding (see casemgr/storage.h for the format).
 */
#ifndef CM_STORE_CODEC_H
#define CM_STORE_CODEC_H

#include "casemgr/storage.h"
#include "store/store_impl.h"

struct cm__buf {
	unsigned char *data;
	size_t len, cap;
};

int cm__buf_put(cm_store *s, struct cm__buf *b, const void *p, size_t n);
void cm__buf_free(cm_store *s, struct cm__buf *b);

/* Append the encoding of r to b. CM_OK or CM_ENOMEM (b unchanged). */
int cm__rec_encode(cm_store *s, const struct cm__kind *k,
		   const struct cm__rec *r, struct cm__buf *b);

/* Decode one record (refs = 1). CM_ECORRUPT / CM_EVERSION / CM_ENOMEM with
 * the store's message naming the record. */
int cm__rec_decode(cm_store *s, const void *bytes, size_t len,
		   struct cm__rec **out);

#endif
