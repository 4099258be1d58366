/*
 * casemgr/assessment.h - needs assessments: instruments, answers, scores,
 * bands, findings and risk tiers.
 *
 * Maps to FHIR QuestionnaireResponse (answers, status) + Observation
 * (scores) + Condition (findings); social-needs domains follow the Gravity
 * Project SDOH categories.
 *
 * An assessment belongs to a client and is made with one instrument,
 * identified by its code. Built-in instruments:
 *
 *   "phq-9"  items "q1".."q9" (0..3, required) and "q10" (difficulty, 0..3,
 *            optional, not scored). Total 0..27; bands "minimal" 0-4,
 *            "mild" 5-9, "moderate" 10-14, "moderately-severe" 15-19,
 *            "severe" 20-27. Any answer above 0 to q9 sets
 *            CM_ASSESSMENT_FLAG_SAFETY whatever the total. Domain
 *            "depression".
 *   "phq-2"  items "q1","q2" (0..3). Total 0..6; "negative" 0-2,
 *            "positive" 3-6. Domain "depression".
 *   "gad-7"  items "q1".."q7" (0..3). Total 0..21; "minimal" 0-4, "mild"
 *            5-9, "moderate" 10-14, "severe" 15-21. Domain "anxiety".
 *   "lace"   LACE readmission index. Items "length-of-stay" (days,
 *            0..3650), "acute" (emergent admission, 0/1), "ed-visits" (ED
 *            visits in the previous 6 months, 0..99), all required, and the
 *            Charlson conditions of the LACE tool, 0/1, optional, with their
 *            weights: "previous-mi" 1, "cerebrovascular" 1, "peripheral-
 *            vascular" 1, "diabetes" 1 (without complications), "chf" 2,
 *            "diabetes-end-organ" 2, "chronic-pulmonary" 2, "mild-liver" 2,
 *            "tumor" 2 (any tumour, including lymphoma or leukaemia),
 *            "dementia" 3, "connective-tissue" 3, "aids" 4, "moderate-
 *            severe-liver" 4, "metastatic-tumor" 6. Components "L" (stay:
 *            <1 day 0, 1 day 1, 2 days 2, 3 days 3, 4-6 days 4, 7-13 days
 *            5, 14+ days 7), "A" (3 if acute), "C" (Charlson score 0..3 as
 *            is, 4+ -> 5), "E" (ED visits 0..3 as counted, 4+ -> 4) and
 *            "charlson" (the raw Charlson score). Total 0..19; bands "low"
 *            0-4, "moderate" 5-9, "high" 10+. Domain "readmission-risk".
 *   "sdoh"   social-needs screen: one item per Gravity domain, answered
 *            with a severity 0 (negative) .. 3 (high): "food-insecurity",
 *            "housing-instability", "transportation-insecurity",
 *            "utility-insecurity", "interpersonal-safety" (required: the
 *            core screen), "homelessness", "inadequate-housing",
 *            "financial-insecurity", "health-literacy",
 *            "social-connection", "caregiver-support", "material-hardship",
 *            "employment-status", "stress", "digital-access" (optional).
 *            Each answered domain is a component; each positive domain a
 *            finding named after it. Total = number of positive domains;
 *            bands "no-needs" 0, "needs" 1-2, "multiple-needs" 3+.
 *
 * Hosts add their own instruments at run time with cm_instrument_new() and
 * cm_store_register_instrument().
 *
 * Scores are computed from the answers whenever they are read, so they are
 * always consistent with the answers (also for in-progress assessments,
 * where unanswered items count as absent).
 *
 * Status: FHIR R4 QuestionnaireResponse.status. Completing checks that every
 * required item is answered; answers can change only while in progress or
 * amended; amending a completed assessment keeps the earlier revision
 * retrievable with cm_assessment_get_revision().
 *
 * Thread-safety: as for casemgr/client.h: a handle is used by one thread at
 * a time; functions taking a cm_store are readers unless they take a txn.
 */
#ifndef CASEMGR_ASSESSMENT_H
#define CASEMGR_ASSESSMENT_H

#include "common.h"
#include "store.h"
#include "client.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cm_assessment cm_assessment;
typedef struct cm_instrument cm_instrument;

/** Assessment status: FHIR R4 QuestionnaireResponse.status, exactly. */
enum cm_assessment_status {
	CM_ASSESSMENT_IN_PROGRESS = 1,
	CM_ASSESSMENT_COMPLETED = 2,
	CM_ASSESSMENT_AMENDED = 3,
	CM_ASSESSMENT_ENTERED_IN_ERROR = 4,
	CM_ASSESSMENT_STOPPED = 5
};

/** Severity of a band or finding. */
enum cm_severity {
	CM_SEVERITY_NONE = 0,
	CM_SEVERITY_LOW = 1,
	CM_SEVERITY_MODERATE = 2,
	CM_SEVERITY_HIGH = 3
};

/** Flags of a score (bit mask). */
enum cm_assessment_flag {
	CM_ASSESSMENT_FLAG_SAFETY = 1 /**< e.g. PHQ-9 item 9 above 0 */
};

/** Text fields, for cm_assessment_set_text / cm_assessment_text. */
enum cm_assessment_text_field {
	CM_ASSESSMENT_ASSESSOR = 1, /**< who assessed (id or name), <= 200 */
	CM_ASSESSMENT_NOTE = 2      /**< free text, <= 4000 */
};

/** Integer fields, for cm_assessment_set_int / cm_assessment_get_int. */
enum cm_assessment_int_field {
	CM_ASSESSMENT_TIME = 1 /**< when assessed: instant (default: creation) */
};

/** FHIR code of an assessment status ("completed"), or NULL. Static. */
CM_API const char *cm_assessment_status_code(int32_t status);
/** Parse a QuestionnaireResponse.status code.
 *  @return CM_OK; CM_EINVAL (NULL); CM_ERANGE (unknown code). */
CM_API int cm_assessment_status_parse(int32_t *out_status, const char *code);
/** Name of a severity ("none", "low", "moderate", "high"), or NULL. */
CM_API const char *cm_severity_code(int32_t severity);

/* ---- life cycle of a handle -------------------------------------------- */

/**
 * A new, unsaved assessment of a client with an instrument, status
 * in-progress, time = now (store clock).
 * @param client_id   id of the client (checked at save: the client must be
 *                    committed or staged in the same transaction); copied.
 * @param instrument  code of a built-in or registered instrument; copied.
 * @return CM_OK; CM_EINVAL (NULL, or client_id not 1..64 characters);
 *         CM_ENOTFOUND (unknown instrument); CM_ESTATE (store closed);
 *         CM_ECLOCK; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_assessment_new(cm_assessment **out, cm_store *store,
			     const char *client_id, const char *instrument);

/**
 * Read the committed assessment with this id (its latest revision).
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_ESTATE; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_assessment_get(cm_assessment **out, cm_store *store,
			     const char *id);

/**
 * Read revision `revision` (1 = first committed) of an assessment: every
 * committed revision stays retrievable. The handle can be read; saving it
 * fails with CM_ECONFLICT unless it is the latest revision.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND (no such assessment or revision);
 *         CM_ESTATE; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_assessment_get_revision(cm_assessment **out, cm_store *store,
				      const char *id, int64_t revision);

/** Free a handle (unsaved changes are discarded). NULL is ignored. */
CM_API void cm_assessment_free(cm_assessment *assessment);

/**
 * Stage the handle in txn (see cm_client_save for the rules shared by every
 * record). Validation: the client exists (committed or staged in txn); an
 * assessor is set; a completed or amended assessment answers every
 * required item.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND (no such client; or, for a
 *         completed or amended assessment, its host instrument is not
 *         registered in this store: see cm_assessment_score);
 *         CM_EINCOMPLETE (no assessor, or a required answer missing);
 *         CM_EEXIST; CM_ECONFLICT; CM_ENOMEM. Nothing is staged on failure.
 * Since 0.1.0.
 */
CM_API int cm_assessment_save(cm_txn *txn, cm_assessment *assessment);

/* ---- reading ----------------------------------------------------------- */

/** The record id. Borrowed. */
CM_API const char *cm_assessment_id(const cm_assessment *assessment);
/** Revision this handle reflects (0: never saved). */
CM_API int64_t cm_assessment_revision(const cm_assessment *assessment);
/** Times of the first and of this revision (CM_TIME_NONE if unsaved). */
CM_API int64_t cm_assessment_created(const cm_assessment *assessment);
CM_API int64_t cm_assessment_updated(const cm_assessment *assessment);
/** Status (enum cm_assessment_status); 0 if NULL. */
CM_API int32_t cm_assessment_status(const cm_assessment *assessment);
/** The client's id. Borrowed. NULL if assessment is NULL. */
CM_API const char *cm_assessment_client_id(const cm_assessment *assessment);
/** The instrument code. Borrowed. NULL if assessment is NULL. */
CM_API const char *cm_assessment_instrument(const cm_assessment *assessment);
/** A text field, or NULL if unset or unknown. Borrowed. */
CM_API const char *cm_assessment_text(const cm_assessment *assessment,
				      int32_t field);
/** An integer field. @return CM_OK; CM_EINVAL; CM_ERANGE (unknown field). */
CM_API int cm_assessment_get_int(int64_t *out_value,
				 const cm_assessment *assessment,
				 int32_t field);

/* ---- changing ---------------------------------------------------------- */

/** Set a text field; NULL or "" clears it.
 *  @return CM_OK; CM_EINVAL; CM_ERANGE; CM_EUTF8; CM_ETOOLONG; CM_ENOMEM. */
CM_API int cm_assessment_set_text(cm_assessment *assessment, int32_t field,
				  const char *value);
/** Set an integer field (the time must be a valid instant).
 *  @return CM_OK; CM_EINVAL; CM_ERANGE; CM_EDATE; CM_ENOMEM. */
CM_API int cm_assessment_set_int(cm_assessment *assessment, int32_t field,
				 int64_t value);

/**
 * Answer an item (replacing an earlier answer).
 * @return CM_OK; CM_EINVAL (NULL); CM_ENOTFOUND (the instrument has no
 *         such item, or is not registered: see cm_assessment_score); CM_ERANGE (value outside the item's range);
 *         CM_ESTATE (the assessment is completed, stopped or entered in
 *         error: amend it first); CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_assessment_set_answer(cm_assessment *assessment,
				    const char *item, int32_t value);

/**
 * Remove the answer to an item.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND (no such item, or not answered,
 *         or the instrument is not registered);
 *         CM_ESTATE (as for cm_assessment_set_answer); CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_assessment_clear_answer(cm_assessment *assessment,
				      const char *item);

/**
 * The answer to an item.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND (not answered, or no such item).
 */
CM_API int cm_assessment_answer(int32_t *out_value,
				const cm_assessment *assessment,
				const char *item);
/** Number of answers, and answer number index (in the order first given).
 *  Outputs may be NULL; the item is borrowed.
 *  @return CM_OK; CM_EINVAL; CM_ERANGE. */
CM_API size_t cm_assessment_answer_count(const cm_assessment *assessment);
CM_API int cm_assessment_answer_at(const char **out_item, int32_t *out_value,
				   const cm_assessment *assessment,
				   size_t index);

/**
 * Change the status. Allowed (QuestionnaireResponse):
 *   in-progress -> completed, stopped
 *   completed   -> amended
 *   amended     -> amended (a further amendment)
 *   any except entered-in-error -> entered-in-error
 * Completing or amending requires every required item to be answered.
 * @param reason  why (1..1000 bytes), required.
 * @return CM_OK; CM_EINVAL; CM_ERANGE (unknown status); CM_ETRANSITION;
 *         CM_EINCOMPLETE (a required answer missing; the message names
 *         it); CM_ENOTFOUND (completing or amending, and the instrument is
 *         not registered: see cm_assessment_score); CM_EUTF8;
 *         CM_ETOOLONG; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_assessment_set_status(cm_assessment *assessment, int32_t status,
				    const char *reason);
/** Status history (oldest first); see cm_client_status_history_at. */
CM_API size_t cm_assessment_status_history_count(const cm_assessment *assessment);
CM_API int cm_assessment_status_history_at(int32_t *out_from, int32_t *out_to,
					   int64_t *out_time,
					   const char **out_actor,
					   const char **out_reason,
					   const cm_assessment *assessment,
					   size_t index);

/* ---- results ----------------------------------------------------------- */

/**
 * The score of the current answers. Any output may be NULL.
 * @param out_total  the instrument's total.
 * @param out_band   the band code ("moderate"); borrowed (lives as long as
 *                   the store); NULL if the total is below every band.
 * @param out_flags  CM_ASSESSMENT_FLAG_* bits.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND (the assessment's instrument is a
 *         host instrument not registered in this store: an assessment
 *         stored earlier and read after a reopen, before the host
 *         registered its instruments again; the outputs are unchanged).
 *         The component and finding functions below fail (or count 0) in
 *         the same case.
 * Since 0.1.0.
 */
CM_API int cm_assessment_score(int32_t *out_total, const char **out_band,
			       int32_t *out_flags,
			       const cm_assessment *assessment);

/** Number of score components (per-item scores; LACE: "L", "A", "C",
 *  "E", "charlson"; SDOH: one per answered domain). */
CM_API size_t cm_assessment_component_count(const cm_assessment *assessment);
/** Component number index. Outputs may be NULL; code borrowed.
 *  @return CM_OK; CM_EINVAL; CM_ERANGE; CM_ENOTFOUND (instrument not
 *  registered). */
CM_API int cm_assessment_component_at(const char **out_code,
				      int32_t *out_score,
				      const cm_assessment *assessment,
				      size_t index);

/**
 * Findings: (domain, severity) pairs derived from the score, which care
 * plan problems refer to (with the assessment's id as the source). A band
 * of severity above none gives a finding in the instrument's domain; the
 * safety flag gives a "safety" finding of high severity; an SDOH screen
 * gives one finding per positive domain.
 */
CM_API size_t cm_assessment_finding_count(const cm_assessment *assessment);
/** @return CM_OK; CM_EINVAL; CM_ERANGE; CM_ENOTFOUND (instrument not
 *  registered). Outputs may be NULL; borrowed. */
CM_API int cm_assessment_finding_at(const char **out_domain,
				    int32_t *out_severity,
				    const cm_assessment *assessment,
				    size_t index);

/* ---- risk tier --------------------------------------------------------- */

/**
 * The risk tier (1 lowest .. 4 highest) the assessment maps to under the
 * store's policy: the instrument's thresholds set with
 * cm_store_set_risk_policy() if any, else 1 + the highest finding severity.
 * The safety flag always gives tier 4.
 * @return CM_OK; CM_EINVAL; CM_ESTATE (not completed or amended);
 *         CM_ENOTFOUND (instrument not registered: see
 *         cm_assessment_score).
 * Since 0.1.0.
 */
CM_API int cm_assessment_risk_tier(int32_t *out_tier,
				   const cm_assessment *assessment);

/**
 * Write the assessment's risk tier to its client in txn: sets the client
 * handle's CM_CLIENT_RISK_TIER and stages the client (as cm_client_save).
 * Commit makes both visible together. On failure the client handle and txn
 * are unchanged.
 * @return CM_OK; CM_EINVAL (NULL, other store, or the client is not the
 *         assessment's); CM_ESTATE (not completed or amended);
 *         CM_ENOTFOUND (instrument not registered); the codes of
 *         cm_client_save.
 * Since 0.1.0.
 */
CM_API int cm_assessment_apply_risk_tier(cm_txn *txn,
					 const cm_assessment *assessment,
					 cm_client *client);

/**
 * Set the store's risk-tier policy for an instrument: tier 1 below
 * tier2_min, 2 from tier2_min, 3 from tier3_min, 4 from tier4_min (totals).
 * Replaces an earlier policy for the same instrument.
 * @return CM_OK; CM_EINVAL (NULL, or thresholds not strictly ascending);
 *         CM_ENOTFOUND (unknown instrument); CM_ENOMEM.
 * Thread-safety: any thread; applies to later calls.
 * Since 0.1.0.
 */
CM_API int cm_store_set_risk_policy(cm_store *store, const char *instrument,
				    int32_t tier2_min, int32_t tier3_min,
				    int32_t tier4_min);

/* ---- instruments ------------------------------------------------------- */

/**
 * Describe item number index of an instrument. Outputs may be NULL; the
 * code is borrowed (lives as long as the store).
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND (unknown instrument); CM_ERANGE
 *         (index past the last item).
 * Since 0.1.0.
 */
CM_API int cm_instrument_item_at(const char **out_code, int32_t *out_min,
				 int32_t *out_max, int32_t *out_required,
				 cm_store *store, const char *instrument,
				 size_t index);

/**
 * Begin the definition of a host instrument (sum scoring). Nothing is
 * checked against the store until cm_store_register_instrument().
 * @param code    instrument code, 1..64 bytes of [a-z0-9-]; copied.
 * @param domain  finding domain of its bands, 1..64 bytes; copied.
 * @return CM_OK; CM_EINVAL (NULL or malformed code/domain); CM_EUTF8;
 *         CM_ETOOLONG; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_instrument_new(cm_instrument **out, cm_store *store,
			     const char *code, const char *domain);

/**
 * Add an item: answers range over min..max; required items must be
 * answered to complete. At most 64 items.
 * @return CM_OK; CM_EINVAL (NULL); CM_EUTF8; CM_ETOOLONG; CM_ERANGE (too
 *         many items); CM_ENOMEM.
 */
CM_API int cm_instrument_add_item(cm_instrument *def, const char *code,
				  int32_t min, int32_t max, int32_t required);

/**
 * Add a band: totals from min_score up to the next band's min_score get
 * this band code and severity (CM_SEVERITY_*). At most 16 bands.
 * @return CM_OK; CM_EINVAL; CM_EUTF8; CM_ETOOLONG; CM_ERANGE (too many);
 *         CM_ENOMEM.
 */
CM_API int cm_instrument_add_band(cm_instrument *def, int32_t min_score,
				  const char *code, int32_t severity);

/** Free a definition (registered or not). NULL is ignored. */
CM_API void cm_instrument_free(cm_instrument *def);

/**
 * Validate a definition and register it on the store (a copy: def may be
 * freed afterwards). The definition is refused, with a message saying
 * why, unless: it has 1..64 items with distinct codes of [a-z0-9-] and
 * min <= max, values within +/-1000000; it has 1..16 bands with distinct
 * codes, strictly ascending min_score, severities 0..3, and the first band
 * starting at or below the lowest possible total; its code is not taken by
 * a built-in or registered instrument.
 * @return CM_OK; CM_EINVAL (a bad definition); CM_EEXIST (code taken);
 *         CM_ESTATE (store closed); CM_ENOMEM.
 * Thread-safety: any thread.
 * Since 0.1.0.
 */
CM_API int cm_store_register_instrument(cm_store *store,
					const cm_instrument *def);

#ifdef __cplusplus
}
#endif

#endif /* CASEMGR_ASSESSMENT_H */
