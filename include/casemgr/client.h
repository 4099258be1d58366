/*
 * casemgr/client.h - the person served: identity, contact, coverage, care
 * team, case manager, risk tier and case status.
 *
 * Maps to FHIR Patient + EpisodeOfCare + CareTeam + Coverage.
 *
 * A cm_client handle is the caller's own working copy of a client record:
 * reading it never touches the store, and changes made through the setters
 * stay in the handle until cm_client_save() stages them in a transaction and
 * cm_txn_commit() makes them visible. Every handle remembers the revision it
 * was read at; saving a handle whose record has since been committed by
 * someone else fails with CM_ECONFLICT (optimistic concurrency): get the
 * record again and redo the change.
 *
 * Setters validate immediately and change nothing on failure. All setters
 * report failures through the handle's store (cm_store_errmsg).
 *
 * Thread-safety: a handle is used by one thread at a time. Functions that
 * take a cm_store are readers (see casemgr/store.h) unless they take a
 * cm_txn.
 */
#ifndef CASEMGR_CLIENT_H
#define CASEMGR_CLIENT_H

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cm_client cm_client;
typedef struct cm_client_iter cm_client_iter;

/* ---- enumerations ------------------------------------------------------ */

/** Case status: FHIR R4 EpisodeOfCare.status, exactly. */
enum cm_case_status {
	CM_CASE_PLANNED = 1,
	CM_CASE_WAITLIST = 2,
	CM_CASE_ACTIVE = 3,
	CM_CASE_ONHOLD = 4,
	CM_CASE_FINISHED = 5,
	CM_CASE_CANCELLED = 6,
	CM_CASE_ENTERED_IN_ERROR = 7
};

/** Administrative gender: FHIR R4 AdministrativeGender; 0 = not recorded. */
enum cm_gender {
	CM_GENDER_NONE = 0,
	CM_GENDER_MALE = 1,
	CM_GENDER_FEMALE = 2,
	CM_GENDER_OTHER = 3,
	CM_GENDER_UNKNOWN = 4
};

/** Text fields, for cm_client_set_text / cm_client_text. Limits in bytes. */
enum cm_client_text_field {
	CM_CLIENT_FAMILY = 1,       /**< family name, <= 200 */
	CM_CLIENT_GIVEN = 2,        /**< given name(s), <= 200 */
	CM_CLIENT_LANGUAGE = 3,     /**< preferred language, BCP 47 tag, <= 35 */
	CM_CLIENT_PHONE = 4,        /**< <= 64 */
	CM_CLIENT_EMAIL = 5,        /**< <= 254 */
	CM_CLIENT_ADDRESS = 6,      /**< postal address as text, <= 1000 */
	CM_CLIENT_PROGRAM = 7,      /**< program or setting, <= 200 */
	CM_CLIENT_CASE_MANAGER = 8  /**< id of the assigned case manager, <= 64 */
};

/** Integer fields, for cm_client_set_int / cm_client_get_int. */
enum cm_client_int_field {
	CM_CLIENT_BIRTH_DATE = 1,    /**< calendar date or CM_DATE_NONE */
	CM_CLIENT_GENDER = 2,        /**< enum cm_gender */
	CM_CLIENT_INTERPRETER = 3,   /**< interpreter needed: 0 or 1 */
	CM_CLIENT_RISK_TIER = 4,     /**< 1 (low) .. 4 (highest); 0 = not set */
	CM_CLIENT_NEXT_FOLLOWUP = 5  /**< calendar date or CM_DATE_NONE */
};

/** FHIR code of a case status ("active"), or NULL if out of range. Static. */
CM_API const char *cm_case_status_code(int32_t status);
/** Parse a FHIR EpisodeOfCare.status code.
 *  @return CM_OK; CM_EINVAL (NULL); CM_ERANGE (unknown code). */
CM_API int cm_case_status_parse(int32_t *out_status, const char *code);
/** FHIR code of a gender ("female"), or NULL for 0 / out of range. Static. */
CM_API const char *cm_gender_code(int32_t gender);

/* ---- life cycle of a handle -------------------------------------------- */

/**
 * A new, unsaved client with a generated time-ordered id, status
 * CM_CASE_PLANNED and revision 0.
 * @param out  receives the handle; free with cm_client_free.
 * @return CM_OK; CM_EINVAL; CM_ESTATE (store closed); CM_ECLOCK; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_client_new(cm_client **out, cm_store *store);

/**
 * Read the committed client with this id.
 * @param out  receives a new handle; free with cm_client_free.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_ESTATE; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_client_get(cm_client **out, cm_store *store, const char *id);

/**
 * Read the committed client holding identifier (system, value), e.g.
 * ("MRN", "MRN000123456").
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_ESTATE; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_client_find(cm_client **out, cm_store *store,
			  const char *system, const char *value);

/** Free a handle (unsaved changes are discarded). NULL is ignored. */
CM_API void cm_client_free(cm_client *client);

/* ---- summaries: the commonly read fields, without a handle ------------- */

/** The current cm_client_summary version. Version 1: every member below. */
#define CM_CLIENT_SUMMARY_VERSION 1

/**
 * A copy of a committed client's commonly read fields, filled in by
 * cm_client_get_summary / cm_client_find_summary. The caller owns it (on
 * its stack, typically) and sets `version` before the call; members added
 * later come after these, in a new version, and the library fills in only
 * the members of the version the caller asked for. Texts are copied,
 * NUL-terminated ("" when unset), so the summary stays valid whatever
 * happens to the store afterwards.
 */
typedef struct cm_client_summary {
	uint32_t version;      /**< in: CM_CLIENT_SUMMARY_VERSION (v1) */
	int32_t status;        /**< enum cm_case_status (v1) */
	int32_t risk_tier;     /**< CM_CLIENT_RISK_TIER, 0..4 (v1) */
	int32_t next_followup; /**< CM_CLIENT_NEXT_FOLLOWUP (v1) */
	int32_t birth_date;    /**< CM_CLIENT_BIRTH_DATE (v1) */
	int32_t gender;        /**< CM_CLIENT_GENDER (v1) */
	int64_t revision;      /**< the committed revision, >= 1 (v1) */
	char id[65];           /**< the client id (v1) */
	char family[201];      /**< CM_CLIENT_FAMILY (v1) */
	char given[201];       /**< CM_CLIENT_GIVEN (v1) */
	char case_manager[65]; /**< CM_CLIENT_CASE_MANAGER (v1) */
} cm_client_summary;

/**
 * Copy the commonly read fields of the committed client with this id into
 * a caller's summary: the fast read for look-ups that need no handle (one
 * index probe and one cache line per client; no allocation).
 * @param out    the caller's summary, out->version set to 1 ..
 *               CM_CLIENT_SUMMARY_VERSION; filled in on success, unchanged
 *               on failure.
 * @param store  the store.
 * @param id     the client id.
 * @return CM_OK; CM_EINVAL (NULL argument); CM_EVERSION (out->version 0
 *         or newer than this library knows); CM_ENOTFOUND (no committed
 *         client with that id); CM_ESTATE (store closed).
 * Thread-safety: a reader. Since 0.1.0.
 */
CM_API int cm_client_get_summary(cm_client_summary *out, cm_store *store,
				 const char *id);

/**
 * As cm_client_get_summary, for the committed client holding identifier
 * (system, value), e.g. ("MRN", "MRN000123456").
 * @param out    the caller's summary, out->version set as for
 *               cm_client_get_summary; unchanged on failure.
 * @param store  the store.
 * @param system the identifier's system.
 * @param value  the identifier's value.
 * @return CM_OK; CM_EINVAL (NULL argument); CM_EVERSION; CM_ENOTFOUND (no
 *         client holds it, or system or value is longer than an identifier
 *         can be); CM_ESTATE. On failure *out is unchanged.
 * Thread-safety: a reader. Since 0.1.0.
 */
CM_API int cm_client_find_summary(cm_client_summary *out, cm_store *store,
				  const char *system, const char *value);

/**
 * Stage the handle's current state in txn. On commit the record becomes
 * visible at revision + 1 and the handle's revision is updated; on rollback
 * nothing changes. Saving the same handle again in the same transaction
 * replaces what was staged. The handle must stay alive until the
 * transaction ends (the transaction keeps a reference; freeing the handle
 * earlier is allowed and simply skips the revision update).
 * Validation: family or given name required; identifiers unique per system
 * across the store. An identifier may move from one client to another in
 * one transaction: save the client giving it up first. Two records staged
 * in one transaction claiming the same identifier are refused at commit
 * (cm_txn_commit returns CM_EEXIST and commits nothing).
 * @return CM_OK; CM_EINVAL (NULL, or txn of another store); CM_EINCOMPLETE
 *         (no name); CM_EEXIST (id of a new client taken, or an identifier
 *         held by another client); CM_ECONFLICT (record committed at a newer
 *         revision than the handle's); CM_ERANGE (the record is stored at
 *         revision INT64_MAX, the last there can be: only storage written
 *         by hand holds one; this applies to every kind's save);
 *         CM_ESTATE (store closed); CM_ENOMEM.
 *         Nothing is staged on failure.
 * Since 0.1.0.
 */
CM_API int cm_client_save(cm_txn *txn, cm_client *client);

/* ---- reading ----------------------------------------------------------- */

/** The record id. Borrowed (see common.h). Never NULL for a valid handle. */
CM_API const char *cm_client_id(const cm_client *client);
/** Revision of the committed record this handle reflects (0: never saved). */
CM_API int64_t cm_client_revision(const cm_client *client);
/** Times of the first and latest committed revision (CM_TIME_NONE if none). */
CM_API int64_t cm_client_created(const cm_client *client);
CM_API int64_t cm_client_updated(const cm_client *client);
/** Case status (enum cm_case_status); 0 if client is NULL. */
CM_API int32_t cm_client_status(const cm_client *client);

/** A text field, or NULL if unset, client is NULL or field is unknown.
 *  Borrowed. */
CM_API const char *cm_client_text(const cm_client *client, int32_t field);

/**
 * An integer field.
 * @return CM_OK; CM_EINVAL (NULL); CM_ERANGE (unknown field).
 */
CM_API int cm_client_get_int(int64_t *out_value, const cm_client *client,
			     int32_t field);

/* ---- changing ---------------------------------------------------------- */

/**
 * Set the id of a client that has never been saved (host-supplied ids):
 * 1..64 characters of [A-Za-z0-9.-] (the FHIR id rule).
 * @return CM_OK; CM_EINVAL (NULL or not of that form); CM_ESTATE (the client
 *         has been saved before); CM_ENOMEM.
 */
CM_API int cm_client_set_id(cm_client *client, const char *id);

/**
 * Set a text field; NULL or "" clears it.
 * @return CM_OK; CM_EINVAL (client NULL); CM_ERANGE (unknown field);
 *         CM_EUTF8; CM_ETOOLONG; CM_ENOMEM.
 */
CM_API int cm_client_set_text(cm_client *client, int32_t field,
			      const char *value);

/**
 * Set an integer field. Dates must be valid dates or CM_DATE_NONE; gender
 * an enum cm_gender value; interpreter 0 or 1; risk tier 0..4.
 * @return CM_OK; CM_EINVAL; CM_ERANGE (unknown field or value out of range);
 *         CM_EDATE (invalid date); CM_ENOMEM.
 */
CM_API int cm_client_set_int(cm_client *client, int32_t field, int64_t value);

/**
 * Change the case status. The transition must be allowed:
 *   planned   -> waitlist, active, cancelled
 *   waitlist  -> planned, active, cancelled
 *   active    -> onhold, finished
 *   onhold    -> active, finished, cancelled
 *   finished  -> active (case reopened)
 *   any status except entered-in-error -> entered-in-error
 * and nothing leaves entered-in-error or cancelled (except into
 * entered-in-error). The change is appended to the status history with the
 * reason; actor and time are those of the transaction that saves it.
 * @param reason  why (1..1000 bytes UTF-8), required.
 * @return CM_OK; CM_EINVAL (NULL or empty reason); CM_ERANGE (unknown
 *         status); CM_ETRANSITION (not allowed, including to the same
 *         status); CM_EUTF8; CM_ETOOLONG; CM_ENOMEM.
 */
CM_API int cm_client_set_status(cm_client *client, int32_t status,
				const char *reason);

/** Number of entries in the status history (oldest first). */
CM_API size_t cm_client_status_history_count(const cm_client *client);

/**
 * One status history entry. Any output pointer may be NULL. Strings are
 * borrowed. For a change not yet committed, time is CM_TIME_NONE and actor
 * NULL.
 * @return CM_OK; CM_EINVAL (client NULL); CM_ERANGE (index out of range).
 */
CM_API int cm_client_status_history_at(int32_t *out_from, int32_t *out_to,
				       int64_t *out_time,
				       const char **out_actor,
				       const char **out_reason,
				       const cm_client *client, size_t index);

/* ---- identifiers (MRN, payer member id, ...) --------------------------- */

/**
 * Set the client's identifier in a system (e.g. "MRN"), replacing any
 * earlier value in that system; a NULL value removes it. system <= 256
 * bytes, value 1..128 bytes, both UTF-8 without control characters.
 * Uniqueness across clients is checked at save.
 * @return CM_OK; CM_EINVAL (NULL client or system, control characters,
 *         empty text); CM_EUTF8; CM_ETOOLONG; CM_ENOTFOUND (removing a
 *         system the client has no identifier in); CM_ENOMEM.
 */
CM_API int cm_client_set_identifier(cm_client *client, const char *system,
				    const char *value);

/** The client's identifier in system, or NULL. Borrowed. */
CM_API const char *cm_client_identifier(const cm_client *client,
					const char *system);

/** Number of identifiers. */
CM_API size_t cm_client_identifier_count(const cm_client *client);

/** Identifier number index (in the order added). Outputs may be NULL.
 *  @return CM_OK; CM_EINVAL; CM_ERANGE. */
CM_API int cm_client_identifier_at(const char **out_system,
				   const char **out_value,
				   const cm_client *client, size_t index);

/* ---- coverage ---------------------------------------------------------- */

/**
 * Add a coverage: payer (required, <= 200), member id (<= 128) and plan
 * (<= 200), the latter two optional (NULL). Listed in the order added
 * (primary first).
 * @return CM_OK; CM_EINVAL; CM_EUTF8; CM_ETOOLONG; CM_ERANGE (more than 16
 *         coverages); CM_ENOMEM.
 */
CM_API int cm_client_add_coverage(cm_client *client, const char *payer,
				  const char *member_id, const char *plan);
/** Remove coverage number index. @return CM_OK; CM_EINVAL; CM_ERANGE; CM_ENOMEM. */
CM_API int cm_client_remove_coverage(cm_client *client, size_t index);
CM_API size_t cm_client_coverage_count(const cm_client *client);
/** @return CM_OK; CM_EINVAL; CM_ERANGE. Outputs may be NULL; borrowed. */
CM_API int cm_client_coverage_at(const char **out_payer,
				 const char **out_member_id,
				 const char **out_plan,
				 const cm_client *client, size_t index);

/* ---- care team --------------------------------------------------------- */

/**
 * Add a care team member: role (required, <= 200, e.g. "primary care
 * physician"), name (required, <= 200), contact (optional, <= 1000).
 * @return CM_OK; CM_EINVAL; CM_EUTF8; CM_ETOOLONG; CM_ERANGE (more than 64
 *         members); CM_ENOMEM.
 */
CM_API int cm_client_add_care_team_member(cm_client *client, const char *role,
					  const char *name,
					  const char *contact);
/** Remove member number index. @return CM_OK; CM_EINVAL; CM_ERANGE; CM_ENOMEM. */
CM_API int cm_client_remove_care_team_member(cm_client *client, size_t index);
CM_API size_t cm_client_care_team_count(const cm_client *client);
/** @return CM_OK; CM_EINVAL; CM_ERANGE. Outputs may be NULL; borrowed. */
CM_API int cm_client_care_team_at(const char **out_role, const char **out_name,
				  const char **out_contact,
				  const cm_client *client, size_t index);

/* ---- listing ----------------------------------------------------------- */

/**
 * List committed clients, ordered by family name, given name, then id
 * (names compared case-insensitively).
 * @param status        only this case status (0: any).
 * @param case_manager  only clients of this case manager (NULL: any;
 *                      "": only clients with no case manager).
 * @param name_prefix   only clients whose family or given name starts with
 *                      this text, compared case-insensitively (ASCII and the
 *                      Latin, Greek and Cyrillic letters of the BMP); NULL
 *                      or "": any.
 * The iterator is a snapshot of the committed state at this call.
 * @return CM_OK; CM_EINVAL; CM_EUTF8; CM_ERANGE (unknown status);
 *         CM_ESTATE; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_client_list(cm_client_iter **out, cm_store *store,
			  int32_t status, const char *case_manager,
			  const char *name_prefix);

/**
 * Next client of the listing, as a new handle the caller frees.
 * @return CM_OK; CM_ITEROVER (no more; *out untouched); CM_EINVAL;
 *         CM_ENOMEM.
 */
CM_API int cm_client_iter_next(cm_client **out, cm_client_iter *it);

/** Number of clients in the listing (all of it, not what remains). */
CM_API size_t cm_client_iter_count(const cm_client_iter *it);

/** Free a listing. NULL is ignored. */
CM_API void cm_client_iter_free(cm_client_iter *it);

#ifdef __cplusplus
}
#endif

#endif /* CASEMGR_CLIENT_H */
