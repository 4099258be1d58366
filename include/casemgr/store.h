/*
 * casemgr/store.h - the store, transactions, the audit trail and change
 * notification.
 *
 * A cm_store holds every record of one organisation's caseload in memory.
 * Nothing in casemgr is global: each store has its own allocator, clock,
 * error message and (later) storage.
 *
 * Threading model (enforced by the store's own locks):
 *  - A store may be shared by any number of threads. Reads (get, find, list,
 *    audit queries) run concurrently with each other and with an open
 *    transaction; they always see the last committed state.
 *  - One transaction is open at a time per store. cm_txn_begin() from a
 *    second thread waits until the first transaction ends; from the thread
 *    that already holds the open transaction it fails with CM_EBUSY.
 *  - Handles (cm_client, iterators, cm_txn) are confined to one thread at a
 *    time: do not use one handle from two threads at once. Handles may be
 *    passed between threads.
 *  - The detailed error message is kept per store (never thread-local, so it
 *    works for FFI callers whose calls hop threads); when several threads
 *    fail at once it belongs to the latest failure. Use cm_store_errmsg_copy
 *    to read it safely while other threads may be failing.
 */
#ifndef CASEMGR_STORE_H
#define CASEMGR_STORE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cm_store cm_store;
typedef struct cm_txn cm_txn;
typedef struct cm_audit_iter cm_audit_iter;

/* ---- options ----------------------------------------------------------- */

/** Allocation callbacks. ctx is the options block's alloc_ctx. realloc_fn
 *  and free_fn receive only pointers obtained from these same callbacks.
 *  malloc_fn/realloc_fn return NULL on failure; the library then fails the
 *  call with CM_ENOMEM and leaves the store unchanged. May be called from any
 *  thread that calls into the library, concurrently: make them thread-safe if
 *  the store is shared between threads. They are called while the store's
 *  internal lock is held: they must not call into casemgr (the library
 *  would deadlock). */
typedef void *(*cm_malloc_fn)(void *ctx, size_t size);
typedef void *(*cm_realloc_fn)(void *ctx, void *ptr, size_t size);
typedef void (*cm_free_fn)(void *ctx, void *ptr);

/** Clock callback: store "now" (seconds since the epoch, UTC) in *out_now and
 *  return 0; a non-zero return fails the calling operation with CM_ECLOCK.
 *  Called from whichever thread begins a transaction or creates a record. */
typedef int (*cm_clock_fn)(void *ctx, int64_t *out_now);

struct cm_storage;

/** The current options version. Version 1: allocator, clock, id seed.
 *  Version 2 adds storage and storage_ctx. */
#define CM_STORE_OPTIONS_VERSION 2

/**
 * Options for cm_store_open(). Set version to CM_STORE_OPTIONS_VERSION (or
 * call cm_store_options_init); every member added later comes after these,
 * in a new version, and the library accepts every older version.
 * A NULL callback selects the default (libc malloc/realloc/free; the system
 * clock). The three allocation callbacks are given all together or not at
 * all.
 */
typedef struct cm_store_options {
	uint32_t version;          /**< CM_STORE_OPTIONS_VERSION (v1) */
	uint32_t flags;            /**< reserved, must be 0 (v1) */
	void *alloc_ctx;           /**< passed to the allocation callbacks (v1) */
	cm_malloc_fn malloc_fn;    /**< (v1) */
	cm_realloc_fn realloc_fn;  /**< (v1) */
	cm_free_fn free_fn;        /**< (v1) */
	void *clock_ctx;           /**< passed to clock_fn (v1) */
	cm_clock_fn clock_fn;      /**< (v1) */
	uint64_t id_seed;          /**< seed for generated ids; 0 = from clock
				        and address (v1) */
	const struct cm_storage *storage; /**< host storage callbacks, or NULL
					       for memory only (v2); see
					       casemgr/storage.h. Must stay
					       valid until the store closes. */
	void *storage_ctx;         /**< passed to every storage callback (v2) */
	char *errbuf;              /**< if not NULL, a failed open writes its
				        message here, NUL-terminated (v2) */
	size_t errbuf_size;        /**< size of errbuf in bytes (v2) */
} cm_store_options;

/** Static initializer: `cm_store_options o = CM_STORE_OPTIONS_INIT;` */
#define CM_STORE_OPTIONS_INIT { CM_STORE_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0 }

/**
 * Initialise an options block to defaults for the given version (for
 * callers, such as FFI bindings, that cannot use the macro).
 * @return CM_OK; CM_EINVAL if opts is NULL; CM_EVERSION if version is 0 or
 *         newer than this library knows.
 * Since 0.1.0.
 */
CM_API int cm_store_options_init(cm_store_options *opts, uint32_t version);

/* ---- open and close ---------------------------------------------------- */

/**
 * Open a store: empty and in memory, or, with opts->storage, loaded from
 * the host's storage (every record its load callback feeds back).
 * @param out   receives the store; release it with cm_store_close().
 * @param opts  options, or NULL for all defaults. Copied: need not outlive
 *              the call (but a storage table must outlive the store).
 * @return CM_OK; CM_EINVAL (out NULL, flags not 0, allocation callbacks
 *         given only in part); CM_EVERSION (opts->version unknown, or a
 *         storage table or stored record of an unknown version);
 *         CM_ESTORAGE (the load callback failed); CM_ECORRUPT (a stored
 *         record failed its checksum or decoding, or stored records
 *         contradict each other, e.g. one identifier on two clients);
 *         CM_ENOMEM. Nothing is opened on failure; the detailed message
 *         goes to opts->errbuf when given (there is no store to keep it).
 * Thread-safety: any thread.
 * Since 0.1.0.
 */
CM_API int cm_store_open(cm_store **out, const cm_store_options *opts);

/**
 * Close a store. Handles still alive (clients, iterators, an open
 * transaction) keep what they hold readable until freed, and the store's
 * memory is released when the last of them is freed; anything that needs
 * the store itself (get, find, list, begin, save) then fails with
 * CM_ESTATE, and committing a transaction that was open at close fails
 * with CM_ESTATE and commits nothing. NULL is ignored; closing the same
 * store twice is a caller error.
 * Since 0.1.0.
 */
CM_API void cm_store_close(cm_store *store);

/**
 * The detailed message of the last failure on this store ("" if none).
 * Borrowed: valid until the next failing call on this store from any
 * thread. Never NULL (a NULL store yields a static message).
 * Since 0.1.0.
 */
CM_API const char *cm_store_errmsg(const cm_store *store);

/**
 * Copy the last failure message into buf (truncated to size - 1 bytes at a
 * UTF-8 character boundary, always NUL-terminated when size > 0).
 * Safe while other threads use the store.
 * @return the full length of the message in bytes (excluding the NUL);
 *         CM_EINVAL if store or buf is NULL.
 * Since 0.1.0.
 */
CM_API int cm_store_errmsg_copy(const cm_store *store, char *buf, size_t size);

/**
 * The current time according to the store's clock.
 * @return CM_OK; CM_EINVAL; CM_ECLOCK if the clock callback failed.
 * Since 0.1.0.
 */
CM_API int cm_store_now(int64_t *out_now, cm_store *store);

/* ---- transactions ------------------------------------------------------ */

/**
 * Begin a write transaction. Every save between begin and commit becomes
 * visible together, or not at all.
 * @param out    receives the transaction; it is released by cm_txn_commit
 *               or cm_txn_rollback (exactly one of them, always).
 * @param actor  who makes the change (user id or name, 1..256 bytes UTF-8);
 *               copied. Recorded in the audit trail and status histories.
 * The transaction time is read from the store clock here.
 * @return CM_OK; CM_EINVAL (NULL argument, empty actor); CM_EUTF8;
 *         CM_ETOOLONG; CM_EBUSY (this thread already has a transaction open
 *         on this store); CM_ESTATE (store closed); CM_ECLOCK; CM_ENOMEM.
 * Thread-safety: blocks while another thread holds the store's transaction.
 * Since 0.1.0.
 */
CM_API int cm_txn_begin(cm_txn **out, cm_store *store, const char *actor);

/**
 * Commit: make every staged change durable (when the store has storage)
 * and visible, bump each record's revision, append one audit entry per
 * changed record, update the saved handles' revisions, then call the change
 * callback. Always ends and frees txn.
 * @return CM_OK; CM_EINVAL (txn NULL); CM_ENOMEM; CM_EEXIST (two staged
 *         records claim one identifier); CM_ESTATE (store closed);
 *         CM_ESTORAGE (a storage callback failed; the message carries the
 *         host's); CM_ECONFLICT (storage refused a stale write); any
 *         negative CM_E* code a storage callback returned (e.g.
 *         CM_EPOISONED, CM_EIO). On failure nothing is committed, in memory
 *         or in storage: the store is exactly as before the transaction.
 * Since 0.1.0.
 */
CM_API int cm_txn_commit(cm_txn *txn);

/**
 * Discard every staged change and free txn. NULL is ignored.
 * Since 0.1.0.
 */
CM_API void cm_txn_rollback(cm_txn *txn);

/** The transaction's time (from the store clock at begin). */
CM_API int64_t cm_txn_time(const cm_txn *txn);

/** The transaction's actor. Borrowed: valid until the txn ends. */
CM_API const char *cm_txn_actor(const cm_txn *txn);

/* ---- record kinds and audit actions ------------------------------------ */

enum cm_kind {
	CM_KIND_CLIENT = 1,
	CM_KIND_ASSESSMENT = 2, /**< casemgr/assessment.h */
	CM_KIND_PLAN = 3,       /**< casemgr/plan.h */
	CM_KIND_PROVIDER = 4,   /**< provider directory entry (casemgr/service.h) */
	CM_KIND_SERVICE = 5,    /**< service arranged for a client (casemgr/service.h) */
	CM_KIND_EVENT = 6       /**< monitoring event (casemgr/event.h) */
	/* 15 is the transaction log (casemgr/storage.h) */
};

/** Short lowercase name of a record kind ("client", "assessment", "plan"),
 *  or NULL if unknown. */
CM_API const char *cm_kind_name(int32_t kind);

enum cm_action {
	CM_ACTION_CREATE = 1, /**< first revision of a record */
	CM_ACTION_UPDATE = 2, /**< a later revision */
	CM_ACTION_STATUS = 3, /**< a later revision that changed the status */
	CM_ACTION_READ = 4    /**< reserved: audited read of a sensitive record */
};

/** Short lowercase name of an audit action ("create"), or NULL. */
CM_API const char *cm_action_name(int32_t action);

/* ---- change notification ----------------------------------------------- */

/**
 * Called once per changed record after a transaction has committed, on the
 * committing thread, after the new state is visible to readers. The callback
 * may read the store but must not begin a transaction on it (that fails with
 * CM_EBUSY). Its return value is reserved: return 0.
 * id is borrowed for the duration of the call.
 */
typedef int (*cm_change_fn)(void *ctx, int32_t kind, const char *id,
			    int64_t revision, int32_t action);

/**
 * Register (or with fn NULL, remove) the change callback. One per store;
 * a new registration replaces the old.
 * @return CM_OK; CM_EINVAL if store is NULL.
 * Thread-safety: any thread; takes effect for the next commit.
 * Since 0.1.0.
 */
CM_API int cm_store_set_change_callback(cm_store *store, cm_change_fn fn,
					void *ctx);

/* ---- audit trail ------------------------------------------------------- */

/**
 * Query the audit trail: every committed change, oldest first, filtered.
 * @param out        receives the iterator; free with cm_audit_iter_free.
 * @param record_id  only this record (NULL: any).
 * @param actor      only this actor (NULL: any).
 * @param from, to   only entries with from <= time < to (CM_TIME_NONE for
 *                   an open end).
 * The iterator is a snapshot: later commits do not appear in it. It holds
 * no copy of the entries (the trail is append-only): the query allocates
 * the iterator and its copy of `actor`, and each cm_audit_iter_next reads
 * on under the store's read lock, letting a waiting commit in after every
 * 65,536 entries it passes over, so that neither the query nor a long
 * scan for one record's few entries holds commits (and the readers
 * queued behind them) off.
 * @return CM_OK; CM_EINVAL; CM_ENOMEM; CM_ESTATE (store closed).
 * Thread-safety: a reader; runs concurrently with other readers and a txn.
 * One iterator is used by one thread at a time.
 * Since 0.1.0.
 */
CM_API int cm_audit_query(cm_audit_iter **out, cm_store *store,
			  const char *record_id, const char *actor,
			  int64_t from, int64_t to);

/**
 * Advance to the next entry. Allocates nothing.
 * @return CM_OK (an entry is current); CM_ITEROVER (no more); CM_EINVAL.
 * Thread-safety: a reader (see cm_audit_query).
 */
CM_API int cm_audit_iter_next(cm_audit_iter *it);

/** Fields of the current entry (after cm_audit_iter_next returned CM_OK).
 *  Strings are borrowed until the iterator is freed. */
CM_API int64_t cm_audit_iter_time(const cm_audit_iter *it);
CM_API const char *cm_audit_iter_actor(const cm_audit_iter *it);
CM_API int32_t cm_audit_iter_action(const cm_audit_iter *it);
CM_API int32_t cm_audit_iter_kind(const cm_audit_iter *it);
CM_API const char *cm_audit_iter_record_id(const cm_audit_iter *it);
CM_API int64_t cm_audit_iter_revision(const cm_audit_iter *it);

/** Free an audit iterator. NULL is ignored. */
CM_API void cm_audit_iter_free(cm_audit_iter *it);

#ifdef __cplusplus
}
#endif

#endif /* CASEMGR_STORE_H */
