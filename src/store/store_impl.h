/*
 * Internal: the store, records, handles and transactions.
 *
 * Records are described by a schema (a table of typed fields), so that
 * cloning, freeing, digesting (and later encoding) is written once for every
 * record kind. A committed record version is immutable and reference-
 * counted: readers take a reference under the read lock and then read it
 * without any lock; a commit publishes new versions by swapping a slot's
 * pointer under the write lock.
 *
 * Handles (cm_client, ...) wrap a record version. Reading shares the
 * committed version (copy-on-write): the first setter call clones it.
 */
#ifndef CM_STORE_IMPL_H
#define CM_STORE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "casemgr/common.h"
#include "casemgr/store.h"
#include "casemgr/storage.h"
#include "core/core.h"
#include "core/hashmap.h"
#include "core/rwlock.h"
#include "store/intern.h"

/* ---- schemas ----------------------------------------------------------- */

enum cm__ftype {
	CM__F_TEXT = 1, /* char *, NULL = unset */
	CM__F_I32 = 2,  /* int32_t */
	CM__F_I64 = 3,  /* int64_t */
	CM__F_LIST = 4  /* struct cm__list of elements described by `elem` */
};

/* Public accessor class of a field: which public enum its `pub` belongs to. */
enum cm__fclass { CM__PUB_NONE = 0, CM__PUB_TEXT = 1, CM__PUB_INT = 2 };

/* How an integer field is validated by the generic setter. */
/* CM__CHECK_RANGE with min == max == 0 means any value of the type. */
enum cm__fcheck { CM__CHECK_RANGE = 0, CM__CHECK_DATE = 1, CM__CHECK_TIME = 2 };

/* How a text field is kept (in the `check` member of a text field). */
enum cm__ftext {
	CM__TEXT_OWN = 0,    /* a char * of its own */
	/* A packed version points at the store's shared copy (intern.h)
	 * when the text is at most CM__INTERN_MAX bytes: for values many
	 * records repeat (actors, codes, staff ids). */
	CM__TEXT_INTERN = 1,
	/* The id of a client: a packed version points at the client slot's
	 * id (slots live as long as the store). */
	CM__TEXT_CLIENT = 2,
	/* A rarely set text, kept with the object's other sparse texts in
	 * one block (NULL when none is set) at `offset`, under its tag
	 * (1..255): entries <tag byte><text>NUL, ended by a 0 byte. Read and
	 * set it only with cm__field_text / cm__field_set_text. */
	CM__TEXT_SPARSE = 3,
	/* A text the object never owns: a copy that lives as long as the
	 * store (an instrument's code; a decoded record's is the intern
	 * table's, intern.h), at most CM__INTERN_MAX bytes. Set by its kind's
	 * code, never by a text setter; clearing leaves it, and copies and
	 * packed versions point at it too. */
	CM__TEXT_BORROWED = 4
};

/* How a list field is kept (in the `check` member of a list field). */
enum cm__flist {
	CM__LIST_OWN = 0, /* a struct cm__list at `offset` */
	/* A rarely used list, kept with the object's other rare lists in
	 * one block behind one pointer at `offset` (every rare list field of
	 * a schema has the same offset): an array of struct cm__list, one
	 * per rare list field in schema order; NULL while none was used
	 * (a packed version: while all are empty). The field's `min` is its
	 * index in that array, `maxval` the array's length. Read it with
	 * cm__field_list, change it through cm__field_list_mut. */
	CM__LIST_RARE = 1
};

struct cm__schema;
struct cm__op;
struct cm__intern;

struct cm__field {
	const char *name;              /* for messages and digests */
	/* Stable encoding tag, unique per schema, never reused. Record-level
	 * fields use 16 and up (1..15 are the record header's); list
	 * elements use 1 and up. */
	uint16_t tag;
	uint8_t type;                  /* enum cm__ftype */
	uint8_t pub_class;             /* enum cm__fclass */
	int32_t pub;                   /* public field enum value */
	size_t offset;
	size_t max;                    /* text: max bytes; list: max elements */
	uint8_t check;                 /* ints: enum cm__fcheck; text:
					  enum cm__ftext */
	int64_t min, maxval;           /* ints with CM__CHECK_RANGE */
	const struct cm__schema *elem; /* lists */
};

struct cm__schema {
	const char *name;
	size_t size;
	const struct cm__field *fields;
	size_t nfields;
};

struct cm__list {
	void *items;
	uint32_t count;
	uint32_t cap;
};

/* ---- records ----------------------------------------------------------- */

/* The header every record kind's struct begins with. */
#define CM__PACKED 1u
/* (2u was CM__PACKED_OWN: every short text is interned as it is packed.) */
/* A handle's private copy of a packed version's head only: its own
 * scalar fields, its texts and lists still those of that version, which
 * it holds a reference to (released with it). Set by a change of a
 * record's own integer field; any other change makes a full copy. */
#define CM__PACKED_SHALLOW 4u
/* A packed version of at most CM__PACK_SLAB_MAX bytes carved from the
 * store's slabs (cm__pack_alloc) instead of allocated on its own: no
 * allocator header, 8-byte instead of 16-byte rounding. A replaced one's
 * block waits in its size's free list for the next version of that size
 * (a record changed in place mostly keeps its size). Its size in 8-byte
 * units is the high byte of `packed` (CM__PACK_UNITS). */
#define CM__PACKED_SLAB 8u
#define CM__PACK_UNITS(r) ((size_t)((r)->packed >> 8))
/* A packed version whose client (its record-level CM__TEXT_CLIENT field)
 * points at the client slot's id: commit finds that slot without a
 * look-up (cm__op_client). */
#define CM__PACKED_CLIENT 16u
/* Largest packed version carved from the slabs. */
#define CM__PACK_SLAB_MAX ((size_t)512)
/* A new record made by cm__handle_create for a kind with room (struct
 * cm__kind.room): it lives in its handle's allocation, after a struct
 * cm__room and before the room's bytes, from which its parts (its id,
 * texts, list arrays and rare blocks) are carved instead of allocated one
 * by one. Every part of it is allocated with cm__part_alloc (or _dup) of
 * it, which is how its release knows whether it has any to free. Never
 * packed, never shared: its handle's own copy, whose memory goes with the
 * handle. */
#define CM__REC_ROOM 32u

struct cm__rec {
	atomic_int refs;
	int16_t kind;
	/* CM__PACKED: a committed version packed in one block
	 * with its strings and lists (cm__rec_pack); its id is borrowed from
	 * its slot. Never changed in place: a handle's first change clones
	 * it. */
	uint16_t packed;
	int64_t revision; /* of the committed version this was read/derived from */
	int64_t created;
	int64_t updated;
	char *id;
};

/* One status change, kept in a record's history list. */
struct cm__hist {
	int32_t from;
	int32_t to;
	int64_t time;  /* CM_TIME_NONE until committed */
	char *actor;   /* NULL until committed */
	char *reason;
};

extern const struct cm__schema cm__hist_schema;

/* Per-kind behaviour. */
struct cm__kind {
	int32_t kind;
	const char *name;
	const struct cm__schema *schema;
	size_t status_off;  /* offset of int32_t status, 0 if none */
	size_t history_off; /* offset of struct cm__list of cm__hist */
	int32_t status_max; /* valid statuses are 1..status_max */
	const char *const *status_codes; /* [status] -> FHIR code */
	/* Set the defaults of a fresh record (zeroed, header set). */
	void (*init)(struct cm__rec *rec);
	/* 1 if from -> to is allowed. */
	int (*transition_ok)(int32_t from, int32_t to);
	/* Optional: 1 if a decoded record keeps the kind's invariants
	 * (beyond what the schema checks). */
	int (*check_decoded)(const struct cm__rec *rec);
	/* Keep every earlier revision retrievable (plans, assessments). */
	int keep_revisions;
	/* At save: kind rules and unique-key checks against the committed
	 * state and txn's staged ops. */
	int (*validate)(cm_txn *txn, const struct cm__rec *rec);
	/* At commit, per op, after the generic fill-in (revision, times,
	 * record status history): fill in what the kind keeps pending, e.g.
	 * sub-element histories (use cm__hist_fill). Optional; may fail. */
	int (*prepare_op)(cm_txn *txn, struct cm__op *op);
	/* At commit, before the point of no return: check the kind's unique
	 * keys across all of txn's ops and allocate what apply needs, keeping
	 * it in txn->index_prep[kind]. May fail (nothing changed). */
	int (*index_prepare)(cm_store *s, cm_txn *txn);
	/* At commit, under the write lock: move the kind's index entries from
	 * each op's old version to its new one. Must not fail. */
	void (*index_apply)(cm_store *s, cm_txn *txn);
	/* Free what index_prepare allocated and apply did not consume. */
	void (*index_discard)(cm_store *s, cm_txn *txn);
	/* Committed records never change (monitoring events): setters on a
	 * committed one and saving it again fail with CM_ESTATE. */
	int immutable;
	/* Buckets of slot-homed indexes (cm__mindex home) that every slot
	 * of this kind carries in front of it (clients: their events,
	 * services, plans and assessments). At most CM__SLOT_BUCKETS_MAX. */
	uint8_t slot_buckets;
	/* Bytes of room a new record's handle carries for the record's parts
	 * (CM__REC_ROOM): its id and what a new record of the kind commonly
	 * gets set. 0: none (the record and its id allocated apart). */
	uint16_t room;
};

#define CM__KIND_MAX 16

/* A record's place in its table; lives as long as the store. One
 * allocation with its id: kid holds the kind as one byte then the id.
 * A slot joins its table's id map when its record is first staged (cur
 * NULL: pending, invisible to readers, see cm__slot_find) and its table's
 * creation-ordered array when that record commits. Kinds that keep every
 * earlier revision get a struct cm__revs in front of the slot, in the
 * same allocation (cm__slot_revs). */
struct cm__slot {
	struct cm__rec *cur; /* NULL while pending */
	/* Index + 1 of the op staging this record in the open transaction,
	 * 0 if none. Read and written only by the transaction's holder. */
	uint32_t staged;
	/* Its reference in the store's slabs (hashmap.h: struct cm__refdir),
	 * which names it in 4 bytes in its table's id map. It costs no room:
	 * a slot's size (cm__slot_new) already counted 16 bytes before kid. */
	uint32_t ref;
	char kid[];
};

#define CM__SLOT_ID(sl) ((const char *)(sl)->kid + 1)

/* The slot whose CM__SLOT_ID id is (that very pointer, not a copy). */
static inline struct cm__slot *cm__slot_of_id(const char *id)
{
	return (struct cm__slot *)(uintptr_t)(id - 1 -
					      offsetof(struct cm__slot, kid));
}

/* The slot a packed version, or a shallow copy of one, borrows its id
 * from: the record's own slot, found without a look-up (the committed
 * slot of a version read from the store; slots live as long as the
 * store). NULL for any other record (a handle's full copy, a new one). */
static inline struct cm__slot *cm__rec_slot(const struct cm__rec *r)
{
	if (!(r->packed & (CM__PACKED | CM__PACKED_SHALLOW)))
		return NULL;
	return cm__slot_of_id(r->id);
}

/* Earlier revisions, oldest first: v[i] has revision i + 1. */
struct cm__revs {
	struct cm__rec **v;
	uint32_t n, cap;
};

/* A new, empty slot for record (kind, id), or NULL. Freed with
 * cm__slot_free. Layout of the allocation: the kind's index buckets
 * (slot_buckets of them), its struct cm__revs if it keeps revisions, the
 * slot. */
struct cm__slot *cm__slot_new(cm_store *s, int32_t kind, const char *id);
/* cm__slot_new of an id whose length (n bytes) the caller knows. */
struct cm__slot *cm__slot_new_len(cm_store *s, int32_t kind, const char *id,
				  size_t n);
/* Free a slot (with its kept-revision array and its buckets' entries;
 * not the records). */
void cm__slot_free(cm_store *s, struct cm__slot *sl);
/* A block of `size` bytes (at most CM__PACK_SLAB_MAX; rounded up to 8)
 * from the store's slabs, for a packed version, or NULL if out of memory.
 * For the holder of the store's transaction. */
void *cm__pack_alloc(cm_store *s, size_t size);
/* Give back a block of cm__pack_alloc of that size. Any thread. */
void cm__pack_release(cm_store *s, void *p, size_t size);
/* The kept revisions of a slot whose kind keeps them, else NULL (inline,
 * after the kinds). */
static inline struct cm__revs *cm__slot_revs(const struct cm__slot *sl);
/* Room for `need` kept revisions in the slot's cm__revs. CM_OK or
 * CM_ENOMEM. */
int cm__slot_reserve_revs(cm_store *s, struct cm__slot *sl, size_t need);

struct cm__table {
	struct cm__kmap ids;     /* id -> struct cm__slot *, pending ones too */
	/* The committed slots in creation order, as their references (4
	 * bytes instead of a pointer's 8): read with cm__table_slot. */
	uint32_t *slots;
	size_t count, cap;
};

/* Slot i (below t->count) of table t. Caller holds the lock. */
static inline struct cm__slot *cm__table_slot(const struct cm__table *t,
					      size_t i)
{
	return (struct cm__slot *)cm__ref_ptr(t->ids.dir, t->slots[i]);
}

/* ---- secondary multi-indexes (mindex.c) -------------------------------- */

/*
 * A text key -> a sorted array of record slots (events by client, services by
 * client, clients by case manager). Entries sort by (key, slot id), key being
 * an index-specific number (a time, a date). Commit uses it in two steps:
 * cm__mindex_plan (phase 1) counts every entry the transaction adds and
 * cm__mindex_reserve then allocates all it needs (in a cm__mprep);
 * cm__mindex_add / _del (apply) only move entries and cannot fail;
 * cm__mprep_done releases the rest.
 */
/* 12 bytes, 4-byte aligned (an entry per indexed record): the key in two
 * halves and the slot as its reference. Read with cm__ient_key and
 * cm__ient_slot. */
struct cm__ient {
	uint32_t key_lo, key_hi;
	uint32_t ref;
};

static inline int64_t cm__ient_key(const struct cm__ient *e)
{
	return (int64_t)((uint64_t)e->key_hi << 32 | e->key_lo);
}

/* 24 bytes: every client slot carries four (slot-homed indexes). The key
 * of a bucket in an index map is that map entry's key. */
struct cm__bucket {
	struct cm__ient *e;
	uint32_t n, cap;
	uint32_t pend;       /* entries planned by the committing txn */
	uint8_t owns_key;    /* its map key is its own copy (else a slot's
				id, which lives as long as the store) */
	uint8_t live;        /* in the index map (not only in a prep) */
	/* The events index: some event here amends another (set as it is
	 * added; events never leave), so that rules and timelines skip the
	 * search for amendments in the buckets, the most, that have none. */
	uint8_t amended;
	/* 1 while a commit adds many entries to it (in its prep's
	 * batches, struct cm__mprep), else 0. */
	uint8_t batch;
};

struct cm__mindex {
	struct cm__map map;  /* key -> struct cm__bucket * */
	size_t total;        /* entries, over all buckets */
	/* Slot-homed (home_table != NULL): keys are the ids of the records
	 * of home_table, and a key's bucket is bucket `home` in front of
	 * its slot (no map, no bucket allocation; a pending slot's bucket
	 * reads as absent). */
	const struct cm__table *home_table;
	uint8_t home;
	/* The store's slabs, which its entries' references point into. */
	const struct cm__refdir *dir;
};

/* Make ix slot-homed on table t's records, using their bucket `home`. */
void cm__mindex_home(struct cm__mindex *ix, const struct cm__table *t,
		     uint8_t home);
/* Bucket i in front of slot sl (its kind has more than i of them; inline,
 * after the kinds). */
static inline struct cm__bucket *cm__slot_bucket(const struct cm__slot *sl,
						 unsigned i);

struct cm__mprep {
	struct cm__map fresh;          /* key -> new bucket, not yet live */
	struct cm__bucket **touched;   /* buckets with pend > 0 */
	size_t ntouched, cap;
	/* Buckets given many entries (batch 1): they are appended, then
	 * sorted and merged in once (cm__mindex_settle), instead of each
	 * moving the entries after it. */
	struct cm__bucket **batch;
	size_t nbatch, capbatch;
	/* Slot-homed: the home slot found last (consecutive entries mostly
	 * share their client), or NULL. Slots outlive the commit. */
	const struct cm__slot *last;
};

/* Plan one more entry under key. borrow: a string living as long as the
 * store to use as the key of a new bucket (NULL: copy key); in a
 * slot-homed index, CM__SLOT_ID of key's record's slot, which is then not
 * looked up again (NULL: looked up). */
int cm__mindex_plan(cm_store *s, struct cm__mindex *ix, struct cm__mprep *p,
		    const char *key, const char *borrow);
/* After the last cm__mindex_plan of a prep: make room in every planned
 * bucket for its planned entries (new buckets exactly). CM_OK or
 * CM_ENOMEM (buckets grown so far keep their room: nothing else
 * changes). */
int cm__mindex_reserve(cm_store *s, struct cm__mprep *p);
/* Add an entry planned with cm__mindex_plan (each planned entry once);
 * its bucket. Cannot fail. Until cm__mindex_settle, a bucket given many
 * entries by the commit holds the added ones unsorted at its end (its
 * last pend entries then): call cm__mindex_del, and read the index, only
 * before the first add or after settling. */
struct cm__bucket *cm__mindex_add(struct cm__mindex *ix, struct cm__mprep *p,
		    const char *key, int64_t k, struct cm__slot *slot);
/* cm__mindex_add in a slot-homed index, to the bucket of home (the slot
 * of the entry's key record, committed or pending). Cannot fail. */
struct cm__bucket *cm__mindex_add_home(struct cm__mindex *ix,
				       const struct cm__slot *home, int64_t k,
				       struct cm__slot *slot);
/* After the adds of a commit: every bucket in order again. Cannot fail. */
void cm__mindex_settle_batches(struct cm__mindex *ix, struct cm__mprep *p);
static inline void cm__mindex_settle(struct cm__mindex *ix, struct cm__mprep *p)
{
	if (p->nbatch)
		cm__mindex_settle_batches(ix, p);
}
/* Remove an entry if present. Cannot fail. */
void cm__mindex_del(struct cm__mindex *ix, const char *key, int64_t k,
		    struct cm__slot *slot);
/* The bucket of key, or NULL. Caller holds the lock. */
const struct cm__bucket *cm__mindex_get(const struct cm__mindex *ix,
					const char *key);
/* cm__mindex_get of the id of sl, without looking it up again: ix is
 * slot-homed and sl is a committed slot of its home table. Caller holds
 * the lock. */
const struct cm__bucket *cm__mindex_get_slot(const struct cm__mindex *ix,
					     const struct cm__slot *sl);
/* Free what a prep holds that the index did not take; reset the plan. */
void cm__mprep_done(cm_store *s, struct cm__mprep *p);
void cm__mindex_free(cm_store *s, struct cm__mindex *ix);

/* A by-client index over the records of one kind whose client never
 * changes (byclient.c): index hooks for that kind. Only new records are
 * added, with key 0, so a bucket lists a client's records by id. The
 * client id is the text field at client_off of the kind's record. */
int cm__byclient_prepare(cm_store *s, cm_txn *txn, int32_t kind,
			 struct cm__mindex *ix, size_t client_off);
void cm__byclient_apply(cm_store *s, cm_txn *txn, int32_t kind,
			struct cm__mindex *ix, size_t client_off);
void cm__byclient_discard(cm_store *s, cm_txn *txn, int32_t kind);

/* ---- audit ------------------------------------------------------------- */

struct cm__txnlog {
	/* The store's shared copy (intern.h: kept for the life of the
	 * store), one per distinct actor, not one per transaction. */
	const char *actor;
	int64_t time;
	char *id;   /* of its transaction-log record in storage, or NULL */
	size_t end; /* its entries are store->audit[previous end, end) */
};


/* ---- the store --------------------------------------------------------- */

/* Slabs: blocks of SLAB_BYTES (store.c), the last one carved. */
struct cm__slabs {
	struct cm__refdir dir;
	size_t used; /* bytes of the last block handed out */
	uint32_t max; /* most blocks (references name at most
			 CM__REF_BLOCKS_MAX) */
};

/* Longest record id (the FHIR id rule). */
#define CM__ID_MAX 64
/* Most buckets in front of a slot (struct cm__kind.slot_buckets). */
#define CM__SLOT_BUCKETS_MAX 4
/* Slot sizes, in 8-byte units: the largest slot has the most buckets, a
 * struct cm__revs, the kind byte and the longest id (cm__slot_new). */
#define CM__SLOT_CLASSES                                                    \
	((CM__SLOT_BUCKETS_MAX * sizeof(struct cm__bucket) +                 \
	  sizeof(struct cm__revs) + sizeof(struct cm__slot) + CM__ID_MAX + 2 + \
	  7) / 8)

struct cm_store {
	atomic_int refs;   /* 1 while open + 1 per live handle or iterator */
	atomic_int closed;

	void *alloc_ctx;
	cm_malloc_fn malloc_fn;
	cm_realloc_fn realloc_fn;
	cm_free_fn free_fn;
	void *clock_ctx;
	cm_clock_fn clock_fn;

	struct cm__rwlock lock;   /* tables, indexes, audit */
	pthread_mutex_t txn_mutex; /* held by the open transaction */
	/* The last finished transaction, for the next cm_txn_begin to
	 * reuse (with its arrays); NULL if none. Under txn_mutex. */
	struct cm_txn *spare_txn;
	/* The transaction's owner, the change callback, and the settings
	 * (contact and reassessment intervals, the approval policy, the
	 * instrument registry). */
	pthread_mutex_t meta;
	pthread_mutex_t err_mutex;
	int txn_active;
	pthread_t txn_owner;

	/* The id generator (format_id in store.c), without a lock: the
	 * random state, advanced by atomic adds (splitmix64), and the
	 * milliseconds and counter of the last id made, ms << 12 | counter,
	 * advanced by compare-and-swap. */
	_Atomic uint64_t rng;
	_Atomic uint64_t id_clock;

	cm_change_fn change_fn;
	void *change_ctx;

	const struct cm_storage *storage; /* NULL: memory only; else
					     &storage_copy */
	const struct cm_storage *storage_id; /* the table the host gave */
	struct cm_storage storage_copy; /* its members of its version; the
					   later ones NULL */
	void *storage_ctx;
	/* The marker of what was loaded from storage (load_since). Changed
	 * only by the holder of txn_mutex (or at open). */
	char marker[CM_STORAGE_MARKER_MAX + 1];
	int loading; /* set while cm_store_open loads from storage */

	struct cm__table tables[CM__KIND_MAX];
	/* Cards of the committed clients for look-ups (client/client_dir.h);
	 * NULL until the first client commits. */
	struct cm__cdir *client_dir;
	/* Contact worklists' covering index (query/contact_index.c); NULL
	 * until the first client commits. */
	struct cm__cix *contact_index;
	/* case manager id ("" = none) -> clients, by next follow-up date */
	struct cm__mindex clients_by_cm;
	/* client id -> events by time; client id -> services by creation */
	struct cm__mindex events_by_client;
	struct cm__mindex services_by_client;
	/* client id -> plans, assessments (key 0: by record id); see
	 * byclient.c */
	struct cm__mindex plans_by_client;
	struct cm__mindex assessments_by_client;
	/* Amended event id (its slot's, living as long as the store) -> the
	 * slot of the latest event amending it (the last in its client's
	 * events by time, then id); kept by the events' index hooks. */
	struct cm__map amended_by;
	/* Ids that stored events amend while no event has them (storage can
	 * hold anything, in any order: a refresh may bring an amendment
	 * before the event it amends) -> non-NULL until that event comes,
	 * NULL after; keys borrowed from the amending events' records. */
	struct cm__map amend_waiting;
	/* Days between contacts by risk tier 0..4 (store setting, under meta). */
	int32_t contact_interval[5];
	/* Days between assessments by risk tier 0..4 (store setting, under
	 * meta). */
	int32_t reassess_interval[5];

	/* Assessment and plan configuration (src/assessment/registry.c):
	 * host-defined instruments and risk-tier policies, and whether a
	 * plan needs an approval to become active. Guarded by `meta`. */
	struct cm__assess_cfg *assess_cfg;
	int32_t plan_approval_required;

	/* Shared copies of repeated texts (intern.h); NULL until first used. */
	struct cm__intern *intern;

	/* Slots (cm__slot_new) are carved from slabs that live as long as
	 * the store: no allocator header or rounding per record. A freed
	 * slot (a staged record that did not commit) waits in the free list
	 * of its size (in 8-byte units) for the next slot of that size.
	 * Changed only by the transaction's holder (or at open and close);
	 * readers resolve slot references through slabs.dir.blocks under
	 * the read lock, so that array grows under the write lock. */
	struct cm__slabs slabs;
	void *slot_free[CM__SLOT_CLASSES];
	/* The slabs of cm__pack_alloc, apart from the slots' so that the
	 * packed versions take none of the blocks slot references can
	 * name. */
	struct cm__slabs pack_slabs;
	/* Released blocks of cm__pack_alloc, by size in 8-byte units. Any
	 * thread may release the last reference to a version (a reader's
	 * handle), so these lists are guarded by pack_mutex; carving them
	 * is the transaction holder's alone, like slots. pack_live counts
	 * the blocks handed out (none are left when the store is freed). */
	void *pack_free[CM__PACK_SLAB_MAX / 8];
	size_t pack_live;
	pthread_mutex_t pack_mutex;

	struct cm__txnlog *txnlog;
	size_t ntxn, txncap;
	/* The transactions with a log id, by that id (for cm_store_refresh):
	 * an index table (core/hashmap.h) of txnlog indexes, with room for
	 * every transaction once the store has storage with load_since
	 * (cm__audit_reserve); empty (capacity 0) otherwise. */
	uint64_t *txnix;
	size_t txnixcap;
	/* The audit entries, in commit order, as two arrays (6 bytes an
	 * entry; a query for one record scans the 4-byte slot references
	 * alone): entry i's record's slot reference (slots live as long as
	 * the store; its kind and id: cm__audit_slot), and the revision it
	 * committed with its enum cm_action in one word (cm__audit_word).
	 * An entry no word holds (revision above CM__AUDIT_REV_MAX) has the
	 * word 0 and its revision and action in audit_wide, by entry index
	 * (ascending). Read them with cm__audit_get. Its transaction is the
	 * txnlog whose entries include i. */
	uint32_t *audit_slot;
	uint16_t *audit_word;
	struct cm__audit_wide *audit_wide;
	size_t naudit, slotcap, wordcap, nwide, widecap;

	char errmsg[512];
};

/* The slot of index entry e (caller holds the lock, or the transaction). */
static inline struct cm__slot *cm__ient_slot(const cm_store *s,
					     const struct cm__ient *e)
{
	return (struct cm__slot *)cm__ref_ptr(&s->slabs.dir, e->ref);
}

/* Entry i of bucket b: its slot (caller holds the lock) and its key. */
static inline struct cm__slot *cm__bucket_slot(const cm_store *s,
					       const struct cm__bucket *b,
					       uint32_t i)
{
	return cm__ient_slot(s, &b->e[i]);
}

static inline int64_t cm__bucket_key(const struct cm__bucket *b, uint32_t i)
{
	return cm__ient_key(&b->e[i]);
}

/* The slot of audit entry i (caller holds the lock, or the transaction). */
static inline const struct cm__slot *cm__audit_slot(const cm_store *s, size_t i)
{
	return (const struct cm__slot *)cm__ref_ptr(&s->slabs.dir, s->audit_slot[i]);
}

/* An audit entry's revision and enum cm_action. */
struct cm__audit_ent {
	int64_t revision;
	uint8_t action;
};

/* An entry of audit_wide: entry `at`'s revision and action. */
struct cm__audit_wide {
	size_t at;
	struct cm__audit_ent e;
};

/* The largest revision an audit word holds: 14 bits, the 2 others the
 * action (CM_ACTION_CREATE..CM_ACTION_READ). A record revised more often
 * is rare; its later entries take an audit_wide entry each. */
#define CM__AUDIT_REV_MAX ((INT64_C(1) << 14) - 1)

/* The audit word of (revision, action): (revision << 2 | action - 1), or
 * 0 if no word holds them (the entry is wide). */
static inline uint16_t cm__audit_word(int64_t revision, uint8_t action)
{
	if (revision < 1 || revision > CM__AUDIT_REV_MAX ||
	    action < CM_ACTION_CREATE || action > CM_ACTION_READ)
		return 0;
	return (uint16_t)(revision << 2 | (action - CM_ACTION_CREATE));
}

/* Wide audit entry i's revision and action (audit.c). */
struct cm__audit_ent cm__audit_wide_get(const cm_store *s, size_t i);
/* Record wide audit entry i, in room cm__audit_reserve made (audit.c). */
void cm__audit_wide_put(cm_store *s, size_t i, int64_t revision,
			uint8_t action);

/* Audit entry i's revision and action (caller holds the lock, or the
 * transaction): the one way to read them. */
static inline struct cm__audit_ent cm__audit_get(const cm_store *s, size_t i)
{
	uint16_t w = s->audit_word[i];
	struct cm__audit_ent e;

	if (!w)
		return cm__audit_wide_get(s, i);
	e.revision = w >> 2;
	e.action = (uint8_t)((w & 3) + CM_ACTION_CREATE);
	return e;
}

/* Fill in audit entry i (reserved: with room in audit_wide for it if
 * cm__audit_word(revision, action) is 0). */
static inline void cm__audit_set(cm_store *s, size_t i, const struct cm__slot *sl,
				 int64_t revision, uint8_t action)
{
	uint16_t w = cm__audit_word(revision, action);

	s->audit_slot[i] = sl->ref;
	s->audit_word[i] = w;
	if (!w)
		cm__audit_wide_put(s, i, revision, action);
}

struct cm__assess_cfg;
/* Free the assessment configuration (at store destruction). */
void cm__assess_cfg_free(cm_store *s);
struct cm__cdir;
/* Free the client directory (at store destruction; client_dir.c). */
void cm__cdir_free(cm_store *s);
/* The number of client identifiers, for the store digest (client_dir.c). */
size_t cm__cdir_ident_count(const cm_store *s);
/* Free the contact index (at store destruction; contact_index.c). */
void cm__cix_free(cm_store *s);
/* h extended with the client directory's cards and the contact index's
 * entries (cm__store_digest). */
uint64_t cm__cdir_digest(const cm_store *s, uint64_t h);
uint64_t cm__cix_digest(const cm_store *s, uint64_t h);

void cm__store_ref(cm_store *s);
void cm__store_unref(cm_store *s);
/* CM_OK, or CM_ESTATE with a message if the store is closed. */
int cm__store_usable(const cm_store *s);
int cm__store_clock(cm_store *s, int64_t *out_now);
/* A new time-ordered id (UUID version 7 text), at the clock's now or at
 * a given time. */
int cm__store_new_id(cm_store *s, char **out_id);
int cm__store_make_id(cm_store *s, int64_t now, char **out_id);
/* As cm__store_new_id, into buf (36 characters and a NUL). */
#define CM__UUID_BUF 37
int cm__store_new_id_into(cm_store *s, char buf[CM__UUID_BUF]);
/* The kinds, indexed by kind (store.c); NULL where there is none. */
extern const struct cm__kind *const cm__kinds[CM__KIND_MAX];
/* Kind `kind`'s behaviour, or NULL. */
static inline const struct cm__kind *cm__kind_get(int32_t kind)
{
	return kind >= 0 && kind < CM__KIND_MAX ? cm__kinds[kind] : NULL;
}
/* The behaviour of the kind of a record, op or slot (always a kind). */
static inline const struct cm__kind *cm__kind_of(int32_t kind)
{
	return cm__kinds[kind];
}
/* Bytes in front of a slot of kind k (NULL: none): its buckets, then its
 * kept revisions (cm__slot_new). */
static inline size_t cm__slot_prefix(const struct cm__kind *k)
{
	if (!k)
		return 0;
	return k->slot_buckets * sizeof(struct cm__bucket) +
	       (k->keep_revisions ? sizeof(struct cm__revs) : 0);
}

static inline struct cm__revs *cm__slot_revs(const struct cm__slot *sl)
{
	const struct cm__kind *k = cm__kind_get(sl->kid[0]);

	if (!k || !k->keep_revisions)
		return NULL;
	return (struct cm__revs *)(void *)((char *)(uintptr_t)sl -
					   sizeof(struct cm__revs));
}

static inline struct cm__bucket *cm__slot_bucket(const struct cm__slot *sl,
						 unsigned i)
{
	char *base = (char *)(uintptr_t)sl -
		     cm__slot_prefix(cm__kind_get(sl->kid[0]));

	return (struct cm__bucket *)(void *)base + i;
}
/* The default days between contacts for risk tiers 0..4 (query/followup.c). */
void cm__contact_intervals_default(int32_t out[5]);
/* The default days between assessments for risk tiers 0..4 (ditto). */
void cm__reassess_intervals_default(int32_t out[5]);
/* The slot of a committed record, or NULL. Caller holds the lock. */
struct cm__slot *cm__slot_find(const cm_store *s, int32_t kind, const char *id);
/* The slot of a committed record or of a new one staged in the open
 * transaction (pending), or NULL. For the transaction's holder. */
struct cm__slot *cm__slot_lookup(const cm_store *s, int32_t kind,
				 const char *id);
/* cm__slot_lookup for a writer that has likely just read the record: a
 * committed client is found through its client-directory card (a probe of
 * a compact table; the card and the version it names are then warm) and
 * the version's id, instead of the id map (two misses). Readers that have
 * not touched the client keep to cm__slot_lookup / cm__slot_find. */
struct cm__slot *cm__slot_lookup_warm(const cm_store *s, int32_t kind,
				      const char *id);
/* cm__slot_lookup_warm for a writer that may enter the id next: with pos
 * (NULL: none), id's hash (cm__kmap_pos), which then tells where the
 * look-up of the id map ended (cm__kmap_find: not looked up if the client
 * directory had it), for cm__kmap_put_at. */
struct cm__slot *cm__slot_probe(const cm_store *s, int32_t kind,
				const char *id, struct cm__kpos *pos);
/* The slot (kind, id) has or will have when txn commits: the committed one,
 * or the new slot prepared for a record created in txn. Phase 1 only. */
struct cm__slot *cm__txn_slot(const cm_txn *txn, int32_t kind, const char *id);
/* Digest of the whole committed state (records, indexes, audit): tests use
 * it to prove that a failed call changed nothing. */
uint64_t cm__store_digest(cm_store *s);

/* ---- generic record operations (record.c) ------------------------------ */

/* A fresh record with the kind's defaults (and no id), or NULL. */
struct cm__rec *cm__rec_new(cm_store *s, const struct cm__kind *k);

/* The room of a new record (CM__REC_ROOM), just in front of it: its bytes
 * from `at`, the first `used` carved, the last carve at offset `last`;
 * `spilled` once a part did not fit and came from the allocator (until
 * then, releasing the record has nothing to free). */
struct cm__room {
	char *at;
	uint32_t used, cap;
	uint32_t last;
	uint8_t spilled;
};

/* The parts of a record that is not packed (its id, texts, list arrays,
 * rare blocks), r being that record (NULL: a record without room, as all
 * but a handle's new ones are): carved from r's room while it has space
 * (8-byte aligned), else from the store's allocator. NULL if out of
 * memory. A part taken from a handle's record before cm__handle_mut is
 * right for the record that returns: a record with room is its handle's
 * own (returned as it is), any other one gives allocator memory. */
void *cm__part_alloc(cm_store *s, struct cm__rec *r, size_t n);
/* A part holding a copy of the len bytes at p and a NUL. */
char *cm__part_dup(cm_store *s, struct cm__rec *r, const void *p, size_t len);
/* Give back part p of r (NULL: nothing): to the allocator if it came
 * from there; its room's bytes are taken again only if it was the last
 * carve (the rest go with the handle). */
void cm__part_free(cm_store *s, struct cm__rec *r, void *p);
int cm__rec_clone(cm_store *s, const struct cm__kind *k, struct cm__rec **out,
		  const struct cm__rec *src);
/* A copy of src in one allocation (struct, strings, lists), with the id
 * borrowed from `id` (which must outlive it), and texts its schema marks
 * CM__TEXT_INTERN / CM__TEXT_CLIENT pointing at the store's shared copy
 * or the client slot's id (txn: where clients staged with it are found,
 * or NULL). Only the holder of the store's transaction packs. */
int cm__rec_pack(cm_store *s, const struct cm__kind *k, struct cm__rec **out,
		 const struct cm__rec *src, const char *id, const cm_txn *txn);
void cm__rec_retain(struct cm__rec *r);
void cm__rec_release(cm_store *s, struct cm__rec *r);
uint64_t cm__rec_digest(const struct cm__kind *k, const struct cm__rec *r,
			uint64_t h);
uint64_t cm__digest_bytes(uint64_t h, const void *p, size_t n);

/* The text of field f (CM__F_TEXT, any storage) of obj, or NULL. */
const char *cm__field_text(const struct cm__field *f, const void *obj);
/* Set text field f of obj (not packed), a record without room or one of
 * its list elements, to a copy of the len bytes at v (v NULL: unset). The
 * caller has validated v. CM_OK or CM_ENOMEM (obj unchanged). */
int cm__field_set_text(cm_store *s, const struct cm__field *f, void *obj,
		       const char *v, size_t len);

/* List field f of obj (any storage): for a rare list without its block,
 * an empty list. Read only. */
const struct cm__list *cm__field_list(const struct cm__field *f,
				      const void *obj);
/* List field f of obj (not packed: record r or one of its list elements,
 * r as for cm__part_alloc) for changing: a rare list's block is made (all
 * lists empty) if obj has none. NULL if out of memory (obj unchanged). */
struct cm__list *cm__field_list_mut(cm_store *s, struct cm__rec *r,
				    const struct cm__field *f, void *obj);

/* Append a zeroed element to list l of record r (as for cm__part_alloc;
 * at most max elements). */
int cm__list_push(cm_store *s, struct cm__rec *r, struct cm__list *l,
		  const struct cm__schema *el, size_t max, void **out_elem);
/* Remove element index of list l of record r (freeing its fields),
 * shifting the rest. */
void cm__list_remove(cm_store *s, struct cm__rec *r, struct cm__list *l,
		     const struct cm__schema *el, size_t index);
#define CM__LIST_AT(l, type, i) (&((type *)(l)->items)[i])

/* ---- handles ----------------------------------------------------------- */

struct cm__handle {
	cm_store *store;
	const struct cm__kind *kind;
	struct cm__rec *rec; /* shared committed version, or private copy */
	uint64_t mods;       /* successful changes, to tell if changed since save */
	/* The transaction that staged it and holds a reference, and the
	 * index of that reference's entry in txn->held (so that the
	 * caller's free can hand it back at once), or NULL. */
	cm_txn *txn;
	atomic_int refs;     /* the caller's + one per txn that staged it */
	uint32_t held;
	uint64_t saved_mods; /* mods when txn staged it */
	int owned;           /* rec is this handle's private copy */
};

int cm__handle_new(struct cm__handle **out, cm_store *s,
		   const struct cm__kind *k, struct cm__rec *rec, int owned);
void cm__handle_release(struct cm__handle *h);
/* The caller's release (the public *_free): as cm__handle_release, and if a
 * transaction still holds the handle, drop its record now, since nobody can
 * read it any more (so that a staged record is not kept twice). */
void cm__handle_free(struct cm__handle *h);
/* The handle's record, made private (cloned if shared) for changing.
 * NULL on allocation failure (message set). */
struct cm__rec *cm__handle_mut(struct cm__handle *h);
/* Read the committed record `id` of kind k into a new handle. */
int cm__handle_get(struct cm__handle **out, cm_store *s,
		   const struct cm__kind *k, const char *id);

/* A list element a generic accessor works on (NULL: the record itself). */
struct cm__elem {
	const struct cm__field *list;    /* the record's list field */
	const struct cm__schema *schema; /* the elements' schema */
	size_t index;
};

/* A status lifecycle: the record's (from its kind) or a list element's
 * (goals, interventions), with the status and history at these offsets of
 * the object. */
struct cm__lifecycle {
	const char *name;
	size_t status_off;
	size_t history_off;
	int32_t status_max;
	const char *const *codes;
	int (*transition_ok)(int32_t from, int32_t to);
	/* The history list's field if it is a rare list (CM__LIST_RARE;
	 * then history_off is unused), else NULL. */
	const struct cm__field *history_field;
};

/* Generic accessors driven by the schema's public field numbers, on the
 * record or on one element of one of its lists. */
const char *cm__obj_text(const struct cm__handle *h, const struct cm__elem *e,
			 int32_t field);
int cm__obj_set_text(struct cm__handle *h, const struct cm__elem *e,
		     int32_t field, const char *v);
int cm__obj_get_int(int64_t *out, const struct cm__handle *h,
		    const struct cm__elem *e, int32_t field);
int cm__obj_set_int(struct cm__handle *h, const struct cm__elem *e,
		    int32_t field, int64_t v);
int32_t cm__obj_status(const struct cm__handle *h, const struct cm__elem *e,
		       const struct cm__lifecycle *lc);
/* Validated transition with a reason, appended to the object's history as
 * a pending entry (filled in at commit). */
int cm__obj_set_status(struct cm__handle *h, const struct cm__elem *e,
		       const struct cm__lifecycle *lc, int32_t to,
		       const char *reason);
int cm__obj_history_at(int32_t *from, int32_t *to, int64_t *time,
		       const char **actor, const char **reason,
		       const struct cm__handle *h, const struct cm__elem *e,
		       size_t history_off, size_t index);
/* Entry index of history list l (of h's record). */
int cm__hist_at(int32_t *from, int32_t *to, int64_t *time, const char **actor,
		const char **reason, const struct cm__handle *h,
		const struct cm__list *l, size_t index);
/* Read revision `revision` (current or kept) of a committed record. */
int cm__handle_get_revision(struct cm__handle **out, cm_store *s,
			    const struct cm__kind *k, const char *id,
			    int64_t revision);

/* Stage h (a handle of kind k, or NULL) in txn: the public *_save. */
int cm__handle_save(cm_txn *txn, struct cm__handle *h, const struct cm__kind *k);

/* Check the id of a referenced record (1..CM__ID_MAX bytes); its existence
 * is checked at save with cm__txn_has. */
int cm__ref_id_check(const cm_store *s, const char *id, const char *what);

/* FHIR code of v in codes[1..max] (NULL if out of range), and back:
 * CM_OK, CM_EINVAL (NULL) or CM_ERANGE (unknown code). */
const char *cm__code_of(const char *const *codes, int32_t max, int32_t v);
int cm__code_parse(int32_t *out, const char *const *codes, int32_t max,
		   const char *code);

/* Record-level shorthands (e == NULL). */
/* A new, unsaved record of kind k with the kind's defaults and a
 * generated id, in a new handle that owns it: for a kind with room, in
 * the handle's allocation (CM__REC_ROOM). */
int cm__handle_create(struct cm__handle **out, cm_store *s,
		      const struct cm__kind *k);
/* p as a handle of kind k, or NULL (NULL p, or a handle of another kind:
 * FFI callers can pass anything). */
struct cm__handle *cm__handle_of(const void *p, const struct cm__kind *k);
/* The record of handle p of kind k, or NULL (see cm__handle_of). */
const struct cm__rec *cm__handle_rec(const void *p, const struct cm__kind *k);
/* CM_OK if the record may still change; CM_ESTATE (message) if the kind is
 * immutable once committed (events) and this one is. */
int cm__handle_check_mutable(const struct cm__handle *h);

/* Generic accessors driven by the schema's public field numbers. */
const char *cm__handle_text(const struct cm__handle *h, int32_t field);
int cm__handle_set_text(struct cm__handle *h, int32_t field, const char *v);
int cm__handle_get_int(int64_t *out, const struct cm__handle *h, int32_t field);
int cm__handle_set_int(struct cm__handle *h, int32_t field, int64_t v);
int cm__handle_set_id(struct cm__handle *h, const char *id);
int cm__handle_set_status(struct cm__handle *h, int32_t status,
			  const char *reason);
int32_t cm__handle_status(const struct cm__handle *h);
size_t cm__handle_history_count(const struct cm__handle *h);
int cm__handle_history_at(int32_t *from, int32_t *to, int64_t *time,
			  const char **actor, const char **reason,
			  const struct cm__handle *h, size_t index);

/* ---- snapshots (snapshot.c): listing iterators over committed records -- */

struct cm__snap {
	cm_store *store;
	const struct cm__kind *kind;
	struct cm__rec **recs; /* each holds a reference until handed out */
	size_t n, pos;
};

/* Snapshot the bucket `owner_id` of ix (records of kind k), after checking
 * that the owning client exists (CM_ENOTFOUND). Takes a store reference. */
int cm__snap_bucket(struct cm__snap *sn, cm_store *s, const struct cm__kind *k,
		    const struct cm__mindex *ix, const char *owner_id);
/* Next record as a new handle; CM_ITEROVER at the end. */
int cm__snap_next(struct cm__handle **out, struct cm__snap *sn);
/* Release what is left and the store reference. */
void cm__snap_clear(struct cm__snap *sn);

/* ---- transactions (txn.c) ---------------------------------------------- */

/* One staged record: 24 bytes, as a transaction loading a million records
 * holds a million of them until commit. The handle a save staged is not
 * kept here but in cm_txn.held: a loader frees each handle right after
 * its save, so most ops would keep an empty pointer. */
struct cm__op {
	struct cm__rec *rec;       /* the new version, private to the op */
	/* The record's slot: its committed one, or (fresh) the pending slot
	 * of a new record, until apply makes it the committed one. Read it
	 * with cm__op_slot / cm__op_new_slot. */
	struct cm__slot *sl;
	uint8_t kind;              /* enum cm_kind */
	uint8_t action;            /* enum cm_action, set at commit */
	uint8_t fresh;             /* sl is a new record's pending slot */
};

/* The committed slot op replaces a version of, or NULL for a new record. */
static inline struct cm__slot *cm__op_slot(const struct cm__op *op)
{
	return op->fresh ? NULL : op->sl;
}

/* The pending slot of the new record op creates, or NULL. */
static inline struct cm__slot *cm__op_new_slot(const struct cm__op *op)
{
	return op->fresh ? op->sl : NULL;
}

/* The client slot (committed, or pending in txn) of the record op
 * stages, whose client id is client_id (its CM__TEXT_CLIENT field):
 * without a look-up when the packed version points at the slot's id.
 * NULL if there is no such client. Phase 1 and apply. */
static inline struct cm__slot *cm__op_client(const cm_txn *txn,
					     const struct cm__op *op,
					     const char *client_id)
{
	if (op->rec->packed & CM__PACKED_CLIENT)
		return cm__slot_of_id(client_id);
	return cm__txn_slot(txn, CM_KIND_CLIENT, client_id);
}

/* Apply: add op's new record (its slot, key k) to ix, a by-client index
 * homed on the clients' slots, under its client client_id (as
 * cm__op_client). Cannot fail. */
static inline struct cm__bucket *cm__mindex_add_client(struct cm__mindex *ix,
						       struct cm__mprep *p,
						       const struct cm__op *op,
						       const char *client_id,
						       int64_t k)
{
	if (op->rec->packed & CM__PACKED_CLIENT)
		return cm__mindex_add_home(ix, cm__slot_of_id(client_id), k,
					   cm__op_new_slot(op));
	return cm__mindex_add(ix, p, client_id, k, cm__op_new_slot(op));
}

/* A handle a transaction holds a reference to, and the index of the op
 * that staged it (NULL handle: its caller has freed it). */
struct cm__held {
	struct cm__handle *h;
	size_t op;
};

/* A finished transaction whose arrays hold at most this many entries is
 * kept for the next one to reuse (cm_store.spare_txn). */
#define CM__TXN_SPARE_OPS 64

struct cm_txn {
	cm_store *store;
	char actor[257]; /* at most 256 bytes (cm_txn_begin checks) */
	int64_t time;
	struct cm__op *ops;
	size_t nops, opcap;
	/* The staged handles, in the order of their ops (at most one entry
	 * per op); entries whose handle was freed stay (NULL) until every
	 * entry after them is gone too, so the array stays as long as the
	 * handles the caller keeps (a loader keeps none). */
	struct cm__held *held;
	size_t nheld, heldcap;
	/* At commit: the store's shared copy of the actor (intern.h), which
	 * the audit trail and the status histories of the committed
	 * versions borrow. */
	const char *commit_actor;
	void *index_prep[CM__KIND_MAX]; /* kind-private prepared data */
	/* A kind's prepared data block after its commit, kept for its next
	 * one (cm__txn_prep_new / _end); kept with the spare transaction. */
	void *prep_spare[CM__KIND_MAX];
	/* The slot cm__txn_slot / cm__txn_has found last (a loader saves a
	 * client's records together: their checks, packing and index plans
	 * look the same client up again and again), or NULL. Cleared when
	 * pending slots are freed. */
	struct cm__slot *memo;
	/* The intern table when the transaction began: unless it commits,
	 * what its saves and commit added is taken back (intern.h). */
	struct cm__intern_mark intern_mark;
	int committed;
	/* Set when an event staged may amend another: the events' checks
	 * found one it amends, or the ops came from storage
	 * (cm__txn_install). Until then the events' index hooks read no
	 * event's texts for amendments (cm_event_add stages none). */
	uint8_t events_amend;
};

/* Give every pending entry (actor NULL) of a status history the txn's
 * actor and time. CM_OK or CM_ENOMEM. */
int cm__hist_fill(cm_txn *txn, struct cm__list *hist);
/* Revision rev (1-based) of a committed record: the current one or a kept
 * earlier one. Caller holds the lock. NULL if there is no such revision. */
struct cm__rec *cm__slot_revision(const struct cm__slot *slot, int64_t rev);

/* 1 if the calling thread holds s's open transaction (waiting for the
 * transaction mutex would then deadlock). */
int cm__txn_held_here(cm_store *s);
/* Stage a handle's state in txn (the generic part of every *_save). */
int cm__txn_save(cm_txn *txn, struct cm__handle *h);
/* Stage rec, a new record of kind k that no handle holds (its id new to
 * the store and to txn; CM_EEXIST otherwise), with the checks of a save.
 * txn keeps a packed copy: rec stays the caller's. pos: rec's id hashed
 * (cm__kmap_pos), or NULL. checked: the caller has established what k's
 * checks of rec (validate) would (asserted in debug builds), which are
 * then not made again. */
int cm__txn_stage(cm_txn *txn, const struct cm__kind *k,
		  const struct cm__rec *rec, struct cm__kpos *pos, int checked);
/* Phases 1 (shared part) and 3 of a commit without storage or audit, for
 * loading and refreshing: ops are new records with new_slot prepared, or
 * replace the current version of op->slot. prepared[kind] is set for each
 * kind whose index_prepare ran (the caller discards). Under the write
 * lock, prepare_more(ctx) (may fail: nothing applied) runs after the
 * shared preparation and apply_more(ctx) (must not fail) after apply;
 * either may be NULL. After success, op->rec holds the replaced version
 * of a kind that keeps none (the caller releases it), else NULL. */
int cm__txn_install(cm_txn *txn, int *prepared,
		    int (*prepare_more)(void *ctx), void (*apply_more)(void *ctx),
		    void *ctx);
/* Free what the index_prepare of each kind marked in prepared[] (by
 * cm__txn_install or a commit) allocated and apply did not consume. */
/* Free the store's spare transaction (at close). */
void cm__txn_spare_free(cm_store *s);
/* A kind's index_prepare: its zeroed block of `size` bytes (the same size
 * every time for a kind), now txn->index_prep[kind]; NULL if out of
 * memory. Its index_discard, after freeing what the block points to, ends
 * with cm__txn_prep_end, which keeps the block for the next commit. */
void *cm__txn_prep_new(cm_txn *txn, int32_t kind, size_t size);
void cm__txn_prep_end(cm_txn *txn, int32_t kind);
/* Free the blocks cm__txn_prep_end kept (a transaction not kept). */
void cm__txn_prep_free(cm_txn *txn);
void cm__txn_discard(cm_txn *txn, const int *prepared);
/* 1 if record (kind, id) is committed or staged in txn. */
int cm__txn_has(const cm_txn *txn, int32_t kind, const char *id);
/* The caller frees staged handle h (h->txn is txn): txn lets go of it
 * (h->txn becomes NULL) and returns 1, so that the caller releases txn's
 * reference; 0 if txn's entry for it went to another handle. */
int cm__txn_unhold(cm_txn *txn, struct cm__handle *h);
/* Drop the ops staged after the first nops (the undo of a multi-record
 * helper that failed part-way; only ops it appended, never replaced). */
void cm__txn_truncate(cm_txn *txn, size_t nops);
/* The staged version of (kind, id) in txn, or NULL. */
const struct cm__rec *cm__txn_staged(const cm_txn *txn, int32_t kind,
				     const char *id);

/* ---- audit (audit.c) --------------------------------------------------- */

/* Room for nentries more audit entries, nwide of them wide (their
 * cm__audit_word is 0), in ntxns more transactions. CM_OK or CM_ENOMEM
 * (only capacity changed). */
int cm__audit_reserve(cm_store *s, size_t nentries, size_t nwide, size_t ntxns);
/* Room for nwide more wide audit entries: CM_OK or CM_ENOMEM. */
int cm__audit_reserve_wide(cm_store *s, size_t nwide);
/* cm__audit_reserve for the entries of a commit's ops (prepared: their
 * revisions and actions set), in one transaction. */
int cm__audit_reserve_ops(cm_store *s, const struct cm__op *ops, size_t nops);
/* Append a transaction's entries; takes ownership of logid; actor is the
 * store's shared copy (cm__intern). */
void cm__audit_append(cm_store *s, const char *actor, int64_t time, char *logid,
		      const struct cm__op *ops, size_t nops);
/* Append the transaction whose entries end at the trail's end (the last
 * naudit - previous end entries), reserved with cm__audit_reserve; takes
 * ownership of logid (may be NULL: a store without storage). */
void cm__audit_txn_push(cm_store *s, const char *actor, int64_t time,
			char *logid);
/* 1 if the trail has a transaction whose log id is id: one probe. */
int cm__audit_txn_known(const cm_store *s, const char *id);
void cm__audit_free(cm_store *s);

/* ---- storage (storage.c, load.c) --------------------------------------- */

/* Write txn's prepared ops (and its transaction-log record) to storage
 * between begin and commit; on any failure roll storage back. */
int cm__storage_write(cm_txn *txn, char **out_logid);
/* Load everything from storage into the fresh store s. */
int cm__store_load(cm_store *s);
/* Take in what storage holds beyond s->marker (cm_store_refresh; the
 * caller holds txn_mutex). */
int cm__store_refresh(cm_store *s, size_t *out_changed);
/* Call fn with the encoding of every live record: kept and current
 * revisions, then the transaction-log records. Under the read lock. */
int cm__store_foreach_encoded(cm_store *s,
			      int (*fn)(void *ctx, const void *bytes, size_t len),
			      void *ctx);

/* ---- locking ----------------------------------------------------------- */

/* The store's lock (core/rwlock.h): readers hold it for one call; the
 * open transaction's holder takes it to write. CM__UNLOCK releases a read
 * lock, CM__WRUNLOCK a write lock. */
#define CM__RDLOCK(s) cm__rw_rdlock(&(s)->lock)
#define CM__UNLOCK(s) cm__rw_rdunlock(&(s)->lock)
#define CM__WRLOCK(s) cm__rw_wrlock(&(s)->lock)
#define CM__WRUNLOCK(s) cm__rw_wrunlock(&(s)->lock)

#endif
