/*
 * Internal: the client directory, a covering read index of the committed
 * clients (client_dir.c).
 *
 * A look-up through the table maps (id -> slot -> record) costs three
 * dependent cache misses. The directory keeps, per client, one
 * 128-byte card aligned to a cache line, in a dense array: the current
 * version, the fields a summary read returns (status, risk tier, dates,
 * revision) and the id, family and given names and case manager inline
 * when they fit. Two small open-addressing tables of 8-byte entries (a
 * key's 32-bit hash and a card number) find a card by id and by
 * identifier; the key is checked on the card, which holds the id and the
 * client's first identifier inline (the record's identifier list is read
 * only for a client's other identifiers, or a key too long for its
 * card). A look-up is then a probe in a table that stays in cache plus
 * one card: one miss, where the map path had three.
 *
 * The identifier table is the store's one identifier index: look-ups
 * (cm_client_find) and the uniqueness checks at save and commit
 * (client.c) both go through cm__cdir_find.
 *
 * An identifier entry is the hash of its key and the card of its holder,
 * nothing else: the same holder's keys of one hash have equal entries, so
 * removing any one of them leaves the same table.
 *
 * Kept by the client kind's index hooks: cm__cdir_prepare (phase 1, under
 * the write lock: may fail, changes nothing visible) reserves all that
 * apply needs; the apply functions (under the write lock) cannot fail.
 * Readers hold the read lock while they read a card.
 */
#ifndef CM_CLIENT_DIR_H
#define CM_CLIENT_DIR_H

#include "client/client_impl.h"

/* Texts a card holds, in this order. */
enum { CM__CARD_ID, CM__CARD_FAMILY, CM__CARD_GIVEN, CM__CARD_MANAGER,
       CM__CARD_NTEXT };

/* len[] value of a text that did not fit: read it from the record. */
#define CM__CARD_FAR 0xff
#define CM__CARD_TEXT 86

struct cm__card {
	const struct cm__client *rec; /* the current version */
	int64_t revision;
	int32_t status, risk_tier, next_followup, birth_date, gender;
	/* Per text: 0 unset (NULL), CM__CARD_FAR, else its length + 1, the
	 * text being inline in text[] after the earlier inline ones. The id
	 * (at most CM__ID_MAX bytes) always fits. */
	uint8_t len[CM__CARD_NTEXT];
	/* The key ("system\0value") of the client's first identifier: 0
	 * if it has none, CM__CARD_FAR if it did not fit, else its length
	 * + 1, inline at the end of text[] (after the texts). */
	uint8_t ilen;
	uint8_t nident; /* identifiers the client has, at most 255 */
	char text[CM__CARD_TEXT];
};

struct cm__cdir {
	void *raw;              /* the cards' allocation */
	struct cm__card *cards; /* raw, aligned to 64 bytes */
	size_t ncards, capcards;
	uint64_t *byid;         /* hash << 32 | card + 1; 0: empty */
	size_t idcap;           /* 0 or a power of two; count is ncards */
	uint64_t *byident;      /* hash << 32 | card + 1; 0: empty */
	size_t ixcap, ixcount;
};

/* Phase 1: room for every new client of txn and `new_idents` more
 * identifiers. CM_OK or CM_ENOMEM (message set). */
int cm__cdir_prepare(cm_store *s, cm_txn *txn, size_t new_idents);
/* Apply: every client op's card now describes op->rec (new clients get a
 * card). Before the identifier changes. */
void cm__cdir_apply_cards(cm_store *s, cm_txn *txn);
/* Apply, after cm__cdir_apply_cards: an identifier key ("system\0value",
 * n bytes) goes or comes, committed client client_id (its card) being
 * its holder. A put's key must be free in the table, which keeps no
 * copy of it; a del names the key's holder before this transaction (its
 * card may no longer hold the key). Removals first, then puts. */
void cm__cdir_ident_del(cm_store *s, const char *key, size_t n,
			const char *client_id);
void cm__cdir_ident_put(cm_store *s, const char *key, size_t n,
			const char *client_id);

/* The card of committed client id / of identifier key, or NULL. Caller
 * holds the lock, or is the open transaction's holder (the only writer). */
const struct cm__card *cm__cdir_get(const cm_store *s, const char *id);
const struct cm__card *cm__cdir_find(const cm_store *s, const char *key,
				     size_t n);
/* The slot of committed client id (its card's version leads to it), or
 * NULL. Same locking as cm__cdir_get. */
struct cm__slot *cm__cdir_slot(const cm_store *s, const char *id);
/* Text i of a card (CM__CARD_*): inline, or read from the record. */
const char *cm__card_text(const struct cm__card *cd, int i);
/* Copy every text of a card ("" if unset) into dst[i] of size cap[i]
 * (i = CM__CARD_*), NUL-terminated (cap is the field's limit + 1, so the
 * text fits; it is cut short otherwise). One pass over the card. */
void cm__card_copy(char *const dst[CM__CARD_NTEXT],
		   const size_t cap[CM__CARD_NTEXT], const struct cm__card *cd);

void cm__cdir_free(cm_store *s);

#endif
