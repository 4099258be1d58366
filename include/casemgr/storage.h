/*
 * casemgr/storage.h - durability through host callbacks, and the library's
 * own crash-safe file journal.
 *
 * The store always serves reads from memory; storage only makes writes
 * durable. A host plugs in its own persistence (its database) by filling a
 * cm_storage table and passing it in cm_store_options (version 2). Each
 * committed transaction reaches storage as
 *
 *     begin, put, put, ..., commit
 *
 * between the store's in-memory preparation and its in-memory apply: if any
 * callback fails, the library calls rollback (when begin succeeded), the
 * in-memory state is left exactly as it was, and cm_txn_commit returns
 * CM_ESTORAGE (or CM_ECONFLICT, see put) with the host's message. Each
 * record is encoded just before its put (a bulk load never holds its
 * whole encoding), so the library running out of memory part-way also
 * ends with rollback, and cm_txn_commit returns CM_ENOMEM.
 *
 * Records cross the boundary as opaque bytes in the documented casemgr
 * record encoding (see "Record encoding" below): a host may keep them as
 * blobs, keyed by (kind, id, revision), and may read fields through the
 * handles (e.g. cm_client_get after commit) to keep its own columns.
 *
 * Callbacks: every one takes the host's ctx first and returns 0 on success
 * or any non-zero value on failure. A NULL slot means "not supported":
 * begin/commit/rollback NULL are no-ops; put NULL makes the storage
 * read-only (every commit with changes fails with CM_EUNSUPPORTED); load
 * NULL means "nothing stored"; load_since NULL means the store cannot
 * refresh (cm_store_refresh fails with CM_EUNSUPPORTED); errmsg NULL means
 * no detail. Callbacks run on the thread that calls cm_store_open (load or
 * load_since), cm_store_refresh (load_since), cm_txn_commit (begin, put,
 * commit, rollback), or that drops the store's last reference (close);
 * never two at once for one store. They must not call back into the same store.
 *
 * The table is append-only: each version adds members at its end. The
 * library reads only the members of the version a table declares, so a
 * table written for version 1 keeps working unchanged.
 */
#ifndef CASEMGR_STORAGE_H
#define CASEMGR_STORAGE_H

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Kind number of the transaction-log records that carry the audit trail
 *  through storage (one per committed transaction; id is its sequence
 *  number in decimal). Hosts store them like any other record. */
#define CM_KIND_TXNLOG 15

/**
 * Given to the load callback: call it once per stored record (every
 * revision the host kept, in any order), passing the bytes exactly as put
 * received them; they need only stay valid during the call (the library
 * copies what it keeps). Returns 0 to go on, or a negative CM_E* code (e.g.
 * CM_ECORRUPT for a record that fails its checksum): the load callback
 * should then stop and return that value.
 */
typedef int (*cm_storage_emit_fn)(void *emit_ctx, const void *bytes,
				  size_t len);

/** The current version of the storage table. Version 2 adds load_since. */
#define CM_STORAGE_VERSION 2

/** Longest refresh marker (see load_since), in bytes, without the NUL. */
#define CM_STORAGE_MARKER_MAX 64

typedef struct cm_storage {
	uint32_t version; /**< CM_STORAGE_VERSION (v1) */

	/** A transaction's changes begin. (v1) */
	int (*begin)(void *ctx);

	/**
	 * Store one record revision. prev_revision is the revision this one
	 * replaces (0 for a new record): a host shared by several processes
	 * should refuse the write when its stored revision is not
	 * prev_revision, returning CM_ECONFLICT; any other non-zero return
	 * is a storage failure. bytes are valid during the call only. (v1)
	 */
	int (*put)(void *ctx, int32_t kind, const char *id, int64_t revision,
		   int64_t prev_revision, const void *bytes, size_t len);

	/** Make everything put since begin durable, atomically. (v1) */
	int (*commit)(void *ctx);

	/** Discard everything put since begin. Its result is ignored: the
	 *  transaction has failed already. (v1) */
	int (*rollback)(void *ctx);

	/** Feed every stored record to emit (see cm_storage_emit_fn); called
	 *  once, from cm_store_open. (v1) */
	int (*load)(void *ctx, cm_storage_emit_fn emit, void *emit_ctx);

	/** The store is gone: called once, when it has been closed and its
	 *  last handle, iterator or transaction freed (on the thread that
	 *  freed it). Also called when cm_store_open fails after the table
	 *  was accepted. (v1) */
	int (*close)(void *ctx);

	/** The host's message for its last failure, or NULL. Borrowed: read
	 *  right after the failing call. (v1) */
	const char *(*errmsg)(void *ctx);

	/**
	 * Feed every record stored after marker to emit (like load), then
	 * write the marker of what was fed: host-defined NUL-terminated text
	 * of at most CM_STORAGE_MARKER_MAX bytes (e.g. a monotonically
	 * increasing row id or database sequence), into out_marker
	 * (out_marker_size bytes, CM_STORAGE_MARKER_MAX + 1; it holds the
	 * old marker on entry, so leaving it alone keeps the old one).
	 * marker NULL or "": every stored record. Records fed again (a
	 * marker that is not exact) are harmless: revisions the store holds
	 * already are ignored. When set, cm_store_open calls it (marker NULL)
	 * instead of load, so that the store knows its first marker;
	 * cm_store_refresh calls it with the store's last marker. (v2)
	 */
	int (*load_since)(void *ctx, const char *marker, cm_storage_emit_fn emit,
			  void *emit_ctx, char *out_marker,
			  size_t out_marker_size);
} cm_storage;

/**
 * Take in the changes other stores (other processes) made to this store's
 * storage since it was opened or last refreshed: call the storage's
 * load_since with the store's last marker, decode what it feeds, and apply
 * every record newer than the store's own revision (a new id is inserted;
 * the same id at a higher revision replaces the current one; an equal or
 * older revision is ignored), appending the transaction-log records not
 * yet in the audit trail to it, in commit order. Everything is applied as
 * one change under the writer lock, through the same index code as a
 * commit: readers see the store before or after, never half-way. On any
 * failure nothing changes (the marker neither). The change callback fires
 * once per record taken in (CM_ACTION_CREATE for a new one, else
 * CM_ACTION_UPDATE). Handles read earlier keep the revision they read: a
 * save of one that was replaced fails with CM_ECONFLICT.
 *
 * @param out_changed  receives the number of records taken in (0 when
 *                     nothing was new); may be NULL. Set only on success.
 * @param store        the store; its storage table must be version 2 or
 *                     later with load_since set.
 * @return CM_OK; CM_EINVAL (store NULL); CM_ESTATE (store closed);
 *         CM_EBUSY (this thread has a transaction open on the store);
 *         CM_EUNSUPPORTED (no storage, or no load_since);
 *         CM_ESTORAGE (load_since failed, or wrote no valid marker; the
 *         message carries the host's) or a negative CM_E* code it
 *         returned; CM_ECORRUPT (a record that does not decode, or that
 *         contradicts the store); CM_ENOMEM. The store is unchanged on
 *         failure.
 * Thread-safety: any thread; waits for the open transaction of another
 * thread, like cm_txn_begin, and excludes commits while it runs. Readers
 * go on meanwhile (they wait only while the change is applied).
 * Since 0.1.0.
 */
CM_API int cm_store_refresh(size_t *out_changed, cm_store *store);

/* ---- record encoding ---------------------------------------------------- */

/*
 * Record encoding, version 1 (stable; later versions stay readable):
 *
 *   byte 0      'C'            byte 1  'R'
 *   byte 2      encoding version (1)
 *   byte 3      record kind
 *   fields      a sequence of (key, value): key = varint(tag << 3 | type),
 *               type 0 = signed varint (zigzag), 1 = length-prefixed bytes
 *               (varint length, then UTF-8 text), 2 = list (varint count,
 *               then each element's fields followed by key 0), 3 = absent
 *               text (no value). Key 0 ends the record.
 *               The header fields come first: tag 1 id, 2 revision,
 *               3 created, 4 updated; the kind's fields follow with tags
 *               from 16 up. Unknown tags are skipped, so newer encoders'
 *               records stay readable; missing tags take their defaults.
 *   last 4      CRC-32C (Castagnoli) of everything before, little-endian.
 *
 * Records that fail the checksum, do not parse, or hold values the API
 * would refuse (invalid UTF-8, overlong text, impossible dates, unknown
 * statuses, a monitoring event at a revision other than 1: events never
 * change once committed) are refused with CM_ECORRUPT naming the record.
 */

/** CRC-32C (Castagnoli, reflected, as in iSCSI and ext4) of len bytes,
 *  continuing from crc (start with 0). Since 0.1.0. */
CM_API uint32_t cm_crc32c(uint32_t crc, const void *bytes, size_t len);

/* ---- the file journal ---------------------------------------------------- */

/** Journal durability modes (cf. SQLite's synchronous setting). */
enum cm_journal_sync {
	CM_SYNC_FULL = 0,  /**< fdatasync at every commit (default) */
	CM_SYNC_NORMAL = 1 /**< no fsync at commit (but for a transaction of
			        more than 1 MiB, written in pieces): a crash
			        may lose the last commits, but never corrupts
			        or reorders */
};

/**
 * Open (creating if absent) the journal file at path and a store on it:
 * every record in the journal is loaded, and every commit is appended and
 * (with CM_SYNC_FULL) made durable before cm_txn_commit returns.
 *
 * The journal is append-only: each transaction is framed with its length
 * and a CRC-32C seeded with a random per-file salt. Format version 1
 * (little-endian): a 32-byte header (magic 89 'C' 'M' 'J' 0D 0A 1A 0A,
 * u32 format version, u32 0, u64 salt, u32 0, u32 CRC-32C of the 28 bytes
 * before it), then one frame per committed transaction: u32 payload
 * length, u32 CRC-32C of (salt, the length field, payload), and the payload:
 * each record as u32 length and its bytes in the record encoding below.
 * A transaction's records are one frame, so at most 4 GiB - 1 bytes: a
 * larger commit fails with CM_ESTORAGE ("a transaction is limited to ...")
 * and changes nothing (split such a load into several transactions).
 * With CM_SYNC_FULL the file is extended ahead of its frames with zeros
 * (by an eighth of its size, at least 64 KiB, at most 64 MiB), so that a
 * commit's sync need not also record a new file size: zero bytes after
 * the last frame are that space, not damage.
 *
 * On open, a torn or corrupt tail (the last, incomplete transaction of a
 * crash) is cut off and the cut bytes are copied to "<path>.torn-<n>" (the
 * first free n from 1); damage followed by any valid transaction is
 * refused with CM_ECORRUPT, never skipped. A tail of zeros is kept for
 * the next commits (CM_SYNC_FULL) or cut off without a copy
 * (CM_SYNC_NORMAL); the copy of a torn tail leaves out the zeros after
 * the torn transaction when its length field accounts for every byte
 * that is not zero. An open with CM_SYNC_FULL fdatasyncs what it
 * found (an earlier CM_SYNC_NORMAL session may have left it unsynced)
 * before its first commit. The file is created with mode 0600. Opening
 * reads it 1 MiB at a time (a whole record when one is longer), never
 * whole: beyond the store it loads, it takes no memory that grows with
 * the file.
 *
 * The file is locked (flock) while the store lives, i.e. until it is closed
 * and its last handle freed: a second open, from this process or another,
 * gets CM_ELOCKED. After a failed write or fsync
 * the failing commit returns CM_EIO, its frame is truncated away (best
 * effort: after a crash the outcome of that one commit is undetermined),
 * and the store is poisoned: every later commit and compaction fails with
 * CM_EPOISONED. Close and reopen the store to recover.
 *
 * @param out       receives the store; close with cm_store_close.
 * @param path      file path (UTF-8 as the OS takes it).
 * @param sync      enum cm_journal_sync.
 * @param opts      other options (allocator, clock, errbuf), or NULL; its
 *                  storage and storage_ctx members must be unset. The
 *                  journal allocates through its allocator too.
 * @return CM_OK; CM_EINVAL (out or path NULL or empty, storage members
 *         set); CM_ERANGE (sync); CM_EIO (open, read, write, sync; the
 *         message names the path and the OS error; or the file changed
 *         under the open, by a program that ignores its lock); CM_ELOCKED;
 *         CM_ECORRUPT; CM_EVERSION (options, or a journal of a newer
 *         format); CM_ENOMEM. Nothing is opened on failure; the message
 *         goes to opts->errbuf when given.
 * Thread-safety: any thread.
 * Since 0.1.0.
 */
CM_API int cm_store_open_journal(cm_store **out, const char *path,
				 int32_t sync, const cm_store_options *opts);

/**
 * Rewrite the journal with only the live records (current revisions, kept
 * revisions and the transaction log), as one frame (several when they
 * exceed a frame's 4 GiB) in a new file with a fresh salt, written as the
 * records are read (it takes no memory that grows with the store), then
 * switch to it atomically: write "<path>.compact", lock
 * it, fsync it, rename it over the journal, fsync the directory; commits
 * then append to the new file. Readers continue meanwhile; writers wait.
 * A failure before the rename leaves the journal as it was (CM_EIO, not
 * poisoned); a failed directory fsync after it poisons the store.
 * @return CM_OK; CM_EINVAL (store NULL or not opened on a journal);
 *         CM_EBUSY (this thread has a transaction open); CM_ESTATE (store
 *         closed); CM_EIO; CM_EPOISONED; CM_ENOMEM.
 * Thread-safety: any thread.
 * Since 0.1.0.
 */
CM_API int cm_store_compact(cm_store *store);

#ifdef __cplusplus
}
#endif

#endif /* CASEMGR_STORAGE_H */
