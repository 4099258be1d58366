/*
 * casemgr/event.h - monitoring events: what happened to a client, and the
 * client's timeline.
 *
 * Maps to FHIR Encounter / Communication / Observation. A monitoring event
 * records one thing that happened (a contact attempt, a home visit, an
 * emergency department visit, a discharge, ...) with its time, who did it,
 * the outcome, free text and links to the care plan, goal or service it
 * concerns.
 *
 * Events are immutable once committed: setters on a committed event and
 * saving it again fail with CM_ESTATE. A mistake is corrected by recording
 * an amending event (cm_event_set_amends) that names the event it corrects;
 * the timeline shows both, and tells for each event which later event
 * amends it. Rules that look at events (worklists, measures) use the
 * amending event in place of the one it corrects.
 *
 * Thread-safety: as casemgr/client.h (a handle is used by one thread at a
 * time; functions taking a cm_store are readers).
 */
#ifndef CASEMGR_EVENT_H
#define CASEMGR_EVENT_H

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cm_event cm_event;
typedef struct cm_event_iter cm_event_iter;

/** What happened. Values fixed forever. */
enum cm_event_type {
	CM_EVENT_CONTACT_ATTEMPT = 1,     /**< tried to reach the client */
	CM_EVENT_CONTACT = 2,             /**< contact made (see CM_EVENT_MODE) */
	CM_EVENT_APPOINTMENT_KEPT = 3,
	CM_EVENT_APPOINTMENT_MISSED = 4,
	CM_EVENT_ED_VISIT = 5,            /**< emergency department visit */
	CM_EVENT_ADMISSION = 6,           /**< inpatient admission */
	CM_EVENT_DISCHARGE = 7,           /**< see CM_EVENT_DISPOSITION */
	CM_EVENT_MED_RECONCILIATION = 8,
	CM_EVENT_BARRIER_FOUND = 9,
	CM_EVENT_BARRIER_RESOLVED = 10,
	CM_EVENT_GOAL_PROGRESS = 11,
	CM_EVENT_UTILIZATION_REVIEW = 12,
	CM_EVENT_PAYER_COMMUNICATION = 13,
	CM_EVENT_NOTE = 14
};

/** How a contact (or contact attempt) was made; 0 = not recorded. */
enum cm_contact_mode {
	CM_CONTACT_NONE = 0,
	CM_CONTACT_PHONE = 1,
	CM_CONTACT_VISIT = 2,      /**< in person: home or office visit */
	CM_CONTACT_TELEHEALTH = 3
};

/** Text fields, for cm_event_set_text / cm_event_text. Limits in bytes. */
enum cm_event_text_field {
	CM_EVENT_ACTOR = 1,       /**< who did it (user id or name), <= 256 */
	CM_EVENT_OUTCOME = 2,     /**< short outcome, <= 200 */
	CM_EVENT_TEXT = 3,        /**< narrative note, <= 4000 */
	CM_EVENT_PLAN = 4,        /**< linked care plan id, <= 64 (not checked) */
	CM_EVENT_GOAL = 5,        /**< linked plan element id ("g1"), <= 64 */
	CM_EVENT_SERVICE = 6,     /**< linked service id, <= 64 (not checked) */
	CM_EVENT_DISPOSITION = 7  /**< discharge disposition ("home with home
				       health"), <= 200 */
};

/** Integer fields, for cm_event_set_int / cm_event_get_int. */
enum cm_event_int_field {
	CM_EVENT_TIME = 1,  /**< when it happened: an instant (not NONE) */
	CM_EVENT_MODE = 2   /**< enum cm_contact_mode */
};

/** Short code of an event type ("discharge"), or NULL. Static. */
CM_API const char *cm_event_type_code(int32_t type);

/**
 * A new, unsaved event with a generated time-ordered id.
 * @param out        receives the handle; free with cm_event_free.
 * @param client_id  the client it happened to (1..64 bytes); the client
 *                   must exist (committed or saved in the same transaction)
 *                   when the event is saved. Copied.
 * @param type       enum cm_event_type.
 * @param time       when it happened (a valid instant).
 * @return CM_OK; CM_EINVAL (NULL or empty client_id); CM_ETOOLONG;
 *         CM_EUTF8; CM_ERANGE (type); CM_EDATE (time); CM_ESTATE (store
 *         closed); CM_ECLOCK; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_event_new(cm_event **out, cm_store *store,
			const char *client_id, int32_t type, int64_t time);

/**
 * Read the committed event with this id.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_ESTATE; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_event_get(cm_event **out, cm_store *store, const char *id);

/** Free a handle. NULL is ignored. Since 0.1.0. */
CM_API void cm_event_free(cm_event *event);

/**
 * Stage a new event in txn. Checks: the client exists; an amended event
 * (cm_event_set_amends) is committed, belongs to the same client and is not
 * this event.
 * @return CM_OK; CM_EINVAL (NULL, or txn of another store); CM_ESTATE (the
 *         event is already committed: events never change); CM_ENOTFOUND
 *         (client or amended event unknown); CM_EINVAL (amended event of
 *         another client); CM_ENOMEM. Nothing is staged on failure.
 * Since 0.1.0.
 */
CM_API int cm_event_save(cm_txn *txn, cm_event *event);

/**
 * Record an event in one call, without a handle: stage in txn what
 * cm_event_new, cm_event_set_int(CM_EVENT_MODE), cm_event_set_text(
 * CM_EVENT_TEXT) and cm_event_save would, with the same checks and
 * errors. The common case of a monitoring event (a contact with its note)
 * then costs no handle to create and free; set the rarer fields (actor,
 * outcome, links, an amended event) through a handle.
 * @param txn        the open transaction (the store is its store).
 * @param out_id     receives the new event's generated, time-ordered id,
 *                   NUL-terminated; may be NULL. Written only on success.
 * @param out_id_size  bytes at out_id: at least CM_ID_BUFSIZE (ignored
 *                   when out_id is NULL).
 * @param client_id  the client (1..64 bytes), committed or saved in txn.
 *                   Not kept: the staged event names the client itself.
 * @param type       enum cm_event_type.
 * @param time       when it happened (a valid instant).
 * @param mode       enum cm_contact_mode (CM_CONTACT_NONE if not a
 *                   contact).
 * @param note       the narrative note (CM_EVENT_TEXT, <= 4000 bytes of
 *                   UTF-8), or NULL or "" for none. Copied.
 * @return CM_OK; CM_EINVAL (NULL txn, NULL or empty client_id,
 *         out_id_size < CM_ID_BUFSIZE); CM_ETOOLONG; CM_EUTF8; CM_ERANGE
 *         (type, mode); CM_EDATE (time);
 *         CM_ENOTFOUND (no such client); CM_ESTATE (store closed);
 *         CM_ECLOCK; CM_ENOMEM. Nothing is staged on failure.
 * Thread-safety: as cm_event_save (the transaction's thread).
 * Since 0.1.0.
 */
CM_API int cm_event_add(cm_txn *txn, char *out_id, size_t out_id_size,
			const char *client_id, int32_t type, int64_t time,
			int32_t mode, const char *note);

/** The event id. Borrowed. Since 0.1.0. */
CM_API const char *cm_event_id(const cm_event *event);
/** The client id. Borrowed. Since 0.1.0. */
CM_API const char *cm_event_client_id(const cm_event *event);
/** The event type (enum cm_event_type); 0 if event is NULL. Since 0.1.0. */
CM_API int32_t cm_event_type(const cm_event *event);
/** 0 before the event is committed, then 1. Since 0.1.0. */
CM_API int64_t cm_event_revision(const cm_event *event);
/** When it was recorded (commit time); CM_TIME_NONE before. Since 0.1.0. */
CM_API int64_t cm_event_recorded(const cm_event *event);
/** The id of the event this one amends, or NULL. Borrowed. Since 0.1.0. */
CM_API const char *cm_event_amends(const cm_event *event);

/** A text field or NULL (unset, NULL event, unknown field). Borrowed.
 *  Since 0.1.0. */
CM_API const char *cm_event_text(const cm_event *event, int32_t field);

/**
 * An integer field.
 * @return CM_OK; CM_EINVAL (NULL); CM_ERANGE (unknown field). Since 0.1.0.
 */
CM_API int cm_event_get_int(int64_t *out_value, const cm_event *event,
			    int32_t field);

/**
 * Set a text field of an event not yet committed; NULL or "" clears it.
 * @return CM_OK; CM_EINVAL; CM_ERANGE (unknown field); CM_EUTF8;
 *         CM_ETOOLONG; CM_ESTATE (committed); CM_ENOMEM. Since 0.1.0.
 */
CM_API int cm_event_set_text(cm_event *event, int32_t field,
			     const char *value);

/**
 * Set an integer field of an event not yet committed. CM_EVENT_TIME must
 * be a valid instant (CM_TIME_NONE is refused with CM_EDATE); CM_EVENT_MODE
 * an enum cm_contact_mode.
 * @return CM_OK; CM_EINVAL; CM_ERANGE; CM_EDATE; CM_ESTATE; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_event_set_int(cm_event *event, int32_t field, int64_t value);

/**
 * Make this (uncommitted) event an amendment of the committed event
 * event_id: it corrects that event, which stays in the timeline unchanged.
 * NULL removes the link. Checked at save.
 * @return CM_OK; CM_EINVAL (malformed id); CM_ESTATE (committed);
 *         CM_ENOMEM. Since 0.1.0.
 */
CM_API int cm_event_set_amends(cm_event *event, const char *event_id);

/* ---- timeline ---------------------------------------------------------- */

/**
 * A client's timeline: committed events with from <= time < to
 * (CM_TIME_NONE for an open end), ordered by time then id, oldest first or
 * (newest_first = 1) newest first. Amended events and their amendments are
 * both listed. The iterator is a snapshot.
 * @param out  receives the iterator; free with cm_event_iter_free.
 * @return CM_OK; CM_EINVAL (NULL argument, newest_first not 0 or 1);
 *         CM_ENOTFOUND (no such client); CM_ESTATE; CM_ENOMEM.
 * Thread-safety: a reader.
 * Since 0.1.0.
 */
CM_API int cm_event_timeline(cm_event_iter **out, cm_store *store,
			     const char *client_id, int64_t from, int64_t to,
			     int32_t newest_first);

/**
 * Next event, as a new handle the caller frees.
 * @return CM_OK; CM_ITEROVER (no more; *out untouched); CM_EINVAL;
 *         CM_ENOMEM (the iterator does not advance). Since 0.1.0.
 */
CM_API int cm_event_iter_next(cm_event **out, cm_event_iter *it);

/**
 * The id of the latest event (in the snapshot) that amends the event last
 * returned by cm_event_iter_next, or NULL if it was not amended. Borrowed
 * until the iterator is freed. Since 0.1.0.
 */
CM_API const char *cm_event_iter_amended_by(const cm_event_iter *it);

/** Number of events in the timeline (all of it). Since 0.1.0. */
CM_API size_t cm_event_iter_count(const cm_event_iter *it);

/** Free a timeline. NULL is ignored. Since 0.1.0. */
CM_API void cm_event_iter_free(cm_event_iter *it);

/**
 * One row of a timeline (cm_event_timeline_rows). The layout is fixed; a
 * later layout would come with a later row size, and the library accepts
 * every row size it knows (see row_size).
 *
 * The note (CM_EVENT_TEXT, up to 4000 bytes) comes as a prefix: `text`
 * holds its first bytes, at most sizeof(text) - 1 = 127 of them, cut
 * before a character that would not fit whole (so the prefix is valid
 * UTF-8, possibly shorter than 127 bytes when longer than the note's
 * first characters allow), and NUL-terminated. `text_len` is the note's
 * full length in bytes: when text_len > strlen(text), the note was cut,
 * and cm_event_get(id) reads all of it. Keeping rows fixed-size means a
 * timeline page costs no allocation; 127 bytes hold a typical contact
 * note whole.
 */
typedef struct cm_event_row {
	int64_t time;          /**< when it happened (CM_EVENT_TIME) */
	size_t text_len;       /**< the note's full length in bytes; 0 if none */
	int32_t type;          /**< enum cm_event_type */
	int32_t mode;          /**< enum cm_contact_mode (CM_EVENT_MODE) */
	char id[65];           /**< the event id, NUL-terminated */
	char amends[65];       /**< the id of the event this one amends
				    (cm_event_amends), or "" */
	char amended_by[65];   /**< the id of the latest event amending this
				    one (cm_event_iter_amended_by), or "" */
	char text[128];        /**< the note's first bytes (see above), or "" */
} cm_event_row;

/**
 * A client's timeline written into the caller's array: the events that
 * cm_event_timeline(store, client_id, from, to, newest_first) lists, in the
 * same order (time then id; newest first when newest_first is 1), the same
 * amendment links (amended_by as cm_event_iter_amended_by gives it),
 * skipping `offset` of them and writing at most max_rows. No iterator, no
 * handles, no allocation: for the page of an EHR's timeline view. Unlike
 * the handle path, the rows are copies: nothing to free, and nothing
 * borrowed.
 * @param out_count     receives the number of rows written (<= max_rows).
 * @param out_total     receives the number of events in the timeline
 *                      before paging (cm_event_iter_count); may be NULL.
 * @param rows          the caller's array of max_rows rows (may be NULL
 *                      when max_rows is 0, to count only).
 * @param row_size      sizeof(cm_event_row) of the caller's header (a
 *                      later, larger row layout passes its own size); a
 *                      multiple of the row's alignment, as any sizeof is.
 *                      Rows are written row_size bytes apart; the bytes
 *                      of a larger row past this library's layout, and
 *                      those of each char array past its NUL, are left
 *                      as they were.
 * @param max_rows      room in rows; 0 means no rows (count only).
 * @param store         the store.
 * @param client_id     the client (as for cm_event_timeline).
 * @param from, to      events with from <= time < to (CM_TIME_NONE for an
 *                      open end).
 * @param newest_first  0 (oldest first) or 1 (newest first).
 * @param offset        rows to skip first (past the end: no rows).
 * @return CM_OK; CM_EINVAL (NULL out_count, store or client_id, NULL rows
 *         with max_rows > 0, newest_first not 0 or 1, row_size not a
 *         multiple of the row's alignment); CM_EVERSION (row_size smaller
 *         than this library's first row layout); CM_ENOTFOUND (no such
 *         client: as cm_event_timeline, also for an id no client can have,
 *         such as invalid UTF-8 or longer than 64 bytes); CM_ESTATE (store
 *         closed). On failure nothing is written: not *out_count, not
 *         *out_total, not rows.
 * Thread-safety: a reader (rows are read under the store's read lock, so
 * a page is one consistent snapshot). Since 0.1.0.
 */
CM_API int cm_event_timeline_rows(size_t *out_count, size_t *out_total,
				  cm_event_row *rows, size_t row_size,
				  size_t max_rows, cm_store *store,
				  const char *client_id, int64_t from,
				  int64_t to, int32_t newest_first,
				  size_t offset);

#ifdef __cplusplus
}
#endif

#endif /* CASEMGR_EVENT_H */
