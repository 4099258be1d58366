/*
 * casemgr/query.h - follow-up, the case manager's worklist, caseloads and
 * outcome measures.
 *
 * Follow-up: each risk tier has a contact interval in days (a store
 * setting). A client's next follow-up due (CM_CLIENT_NEXT_FOLLOWUP) is set
 * explicitly with cm_client_set_int, or derived from the last completed
 * contact by cm_client_record_contact.
 *
 * Every time-dependent query takes an "as of" calendar date, so results are
 * reproducible. An instant belongs to a date in UTC; "on or before as_of"
 * means before the end of that day.
 *
 * Thread-safety: functions taking a cm_store are readers; functions taking
 * a cm_txn run in that transaction. Iterators are confined to one thread
 * at a time.
 */
#ifndef CASEMGR_QUERY_H
#define CASEMGR_QUERY_H

#include "common.h"
#include "store.h"
#include "client.h"
#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cm_worklist cm_worklist;
typedef struct cm_caseload_iter cm_caseload_iter;

/* ---- follow-up --------------------------------------------------------- */

/**
 * Set the contact interval for a risk tier: a client of that tier should
 * be contacted every `days` days. Defaults: tier 0 (not set) 30, tier 1
 * (low) 90, tier 2 30, tier 3 14, tier 4 (highest) 7.
 * A store setting, not a record: it takes effect at once, is not part of a
 * transaction and is not audited.
 * @return CM_OK; CM_EINVAL (store NULL); CM_ERANGE (tier not 0..4, days not
 *         1..366). Thread-safety: any thread. Since 0.1.0.
 */
CM_API int cm_store_set_contact_interval(cm_store *store, int32_t risk_tier,
					 int32_t days);

/**
 * The contact interval of a risk tier.
 * @return CM_OK; CM_EINVAL; CM_ERANGE (tier not 0..4). Since 0.1.0.
 */
CM_API int cm_store_contact_interval(int32_t *out_days, cm_store *store,
				     int32_t risk_tier);

/**
 * Set the reassessment interval for a risk tier: a client of that tier
 * should be assessed again `days` days after the latest completed (or
 * amended) assessment (see CM_WORK_REASSESSMENT_DUE). Defaults: tier 0
 * (not set) 365, tier 1 (low) 365, tier 2 180, tier 3 90, tier 4
 * (highest) 30 - yearly for low risk, shortening with acuity to monthly.
 * A store setting, not a record: it takes effect at once, is not part of a
 * transaction, is not audited and is not kept by storage.
 * @param store      the store.
 * @param risk_tier  0..4.
 * @param days       1..1096 (three years).
 * @return CM_OK; CM_EINVAL (store NULL); CM_ERANGE (tier not 0..4, days not
 *         1..1096). On failure the setting is unchanged.
 * Thread-safety: any thread. Since 0.1.0.
 */
CM_API int cm_store_set_reassessment_interval(cm_store *store,
					      int32_t risk_tier, int32_t days);

/**
 * The reassessment interval of a risk tier.
 * @param out_days   receives the interval in days.
 * @param store      the store.
 * @param risk_tier  0..4.
 * @return CM_OK; CM_EINVAL (NULL argument); CM_ERANGE (tier not 0..4).
 *         On failure *out_days is unchanged.
 * Thread-safety: any thread. Since 0.1.0.
 */
CM_API int cm_store_reassessment_interval(int32_t *out_days, cm_store *store,
					  int32_t risk_tier);

/**
 * Record a completed contact and move the client's next follow-up: stages
 * the event (type CM_EVENT_CONTACT, for this client, not yet saved) and,
 * unless the store already holds a later committed contact for the client,
 * sets CM_CLIENT_NEXT_FOLLOWUP on the client handle to the contact's date
 * plus the contact interval of the client's risk tier, and stages the
 * client. Both become visible when txn commits.
 * @return CM_OK; CM_EINVAL (NULL, event of another client or store, not a
 *         contact); CM_ESTATE (event already committed, or already
 *         staged in txn: record the contact with a fresh event); CM_EDATE (the due
 *         date would be past 9999-12-31); the errors of cm_event_save and
 *         cm_client_save. On failure nothing is staged and the client
 *         handle is unchanged.
 * Since 0.1.0.
 */
CM_API int cm_client_record_contact(cm_txn *txn, cm_client *client,
				    cm_event *event);

/* ---- worklist ---------------------------------------------------------- */

/** What needs doing. Values fixed forever. */
enum cm_work_kind {
	CM_WORK_CONTACT_DUE = 1,        /**< next follow-up within the horizon */
	CM_WORK_CONTACT_OVERDUE = 2,    /**< next follow-up before as_of */
	CM_WORK_GOAL_PAST_TARGET = 3,   /**< open goal past its target date */
	CM_WORK_SERVICE_NO_RESPONSE = 4,/**< requested/received, deadline due */
	CM_WORK_AUTH_EXPIRING = 5,      /**< authorization ends within horizon */
	CM_WORK_PLAN_REVIEW_DUE = 6,    /**< plan review within the horizon */
	CM_WORK_REASSESSMENT_DUE = 7,   /**< reassessment within the horizon */
	CM_WORK_DISCHARGE_NO_FOLLOWUP = 8, /**< discharge, no contact since */
	CM_WORK_MISSED_APPOINTMENT = 9  /**< missed, not traced since */
};

/** Bit of a kind in the `kinds` mask of cm_worklist_query. */
#define CM_WORK_BIT(kind) (UINT32_C(1) << (kind))

/**
 * Build a worklist as of a date. Only clients whose case is active count.
 * Rules (priority is an enum cm_priority; due is a date):
 *  - CONTACT_OVERDUE: next follow-up < as_of; urgent; due = next follow-up.
 *  - CONTACT_DUE: as_of <= next follow-up <= as_of + horizon; routine.
 *  - DISCHARGE_NO_FOLLOWUP: the client's latest discharge on or before
 *    as_of has no contact (CM_EVENT_CONTACT) after it; due = discharge date
 *    + 7; urgent, asap once past due. Record: the discharge event.
 *  - MISSED_APPOINTMENT: a missed appointment with no contact or contact
 *    attempt after it; due = its date + 1; urgent. Record: that event.
 *  - SERVICE_NO_RESPONSE: a service in requested or received whose
 *    response deadline <= as_of + horizon; the service's priority, at
 *    least urgent once the deadline has passed. Record: the service.
 *  - AUTH_EXPIRING: a service not ended (not rejected, cancelled, failed,
 *    completed, entered-in-error) with an approved or partial authorization
 *    whose valid-to date is in as_of .. as_of + horizon; routine.
 *  - GOAL_PAST_TARGET (since 0.1.0): a goal of an active plan (plans in
 *    draft, on hold, revoked, completed or entered in error give nothing)
 *    whose target date is before as_of, whose lifecycle status is not
 *    completed, cancelled, entered-in-error or rejected and whose
 *    achievement status is neither achieved nor sustaining; urgent; due =
 *    the target date. Record: the plan (CM_KIND_PLAN); the goal's element
 *    id is cm_worklist_element_id. One item per goal.
 *  - PLAN_REVIEW_DUE (since 0.1.0): an active plan whose next review date
 *    (CM_PLAN_NEXT_REVIEW) is on or before as_of + horizon; due = that
 *    date; routine, urgent once before as_of. Record: the plan.
 *  - REASSESSMENT_DUE (since 0.1.0): the client's latest assessment that
 *    is completed or amended and was made (CM_ASSESSMENT_TIME) on or
 *    before as_of, plus the reassessment interval of the client's risk
 *    tier (cm_store_set_reassessment_interval), is on or before as_of +
 *    horizon; due = that date. Record: that assessment
 *    (CM_KIND_ASSESSMENT). A client with no such assessment is due since
 *    enrolment: due = the date the case was first made active (else the
 *    client's creation date); record: the client. Routine, urgent once
 *    the due date is before as_of. At most one item per client.
 * Events and assessments after as_of are ignored; an amended event is
 * replaced by its amendment. Statuses, dates and achievement of plans,
 * goals, services and assessments are their current ones.
 * Items are ordered by priority (stat first), then due date, kind, client
 * id, record id and (goals of one plan) element id, "g2" before "g10";
 * then offset items are skipped and at most limit kept.
 * @param case_manager  only this case manager's clients; NULL: everyone;
 *                      "": clients with no case manager.
 * @param as_of         a valid date.
 * @param horizon_days  0..366.
 * @param kinds         CM_WORK_BIT mask of the kinds wanted; 0: all.
 * @param limit         0: no limit.
 * @return CM_OK; CM_EINVAL (NULL out/store); CM_EDATE (as_of); CM_ERANGE
 *         (horizon, kinds with unknown bits); CM_EUTF8; CM_ETOOLONG;
 *         CM_ESTATE; CM_ENOMEM.
 * Thread-safety: a reader. Since 0.1.0.
 */
CM_API int cm_worklist_query(cm_worklist **out, cm_store *store,
			     const char *case_manager, int32_t as_of,
			     int32_t horizon_days, uint32_t kinds,
			     size_t offset, size_t limit);

/**
 * Advance to the next item (the first call moves to the first item).
 * @return CM_OK; CM_ITEROVER; CM_EINVAL. Since 0.1.0.
 */
CM_API int cm_worklist_next(cm_worklist *wl);
/** Current item's kind (enum cm_work_kind); 0 if none. Since 0.1.0. */
CM_API int32_t cm_worklist_kind(const cm_worklist *wl);
/** Current item's priority (enum cm_priority); 0 if none. Since 0.1.0. */
CM_API int32_t cm_worklist_priority(const cm_worklist *wl);
/** Current item's due date; CM_DATE_NONE if none. Since 0.1.0. */
CM_API int32_t cm_worklist_due(const cm_worklist *wl);
/** Current item's client id. Borrowed until the worklist is freed. */
CM_API const char *cm_worklist_client_id(const cm_worklist *wl);
/** Current item's record kind (enum cm_kind: the client for contacts and
 *  for a client never assessed, the plan for goals and plan reviews, the
 *  assessment for reassessments, the event or service otherwise); 0 if
 *  none. Since 0.1.0. */
CM_API int32_t cm_worklist_record_kind(const cm_worklist *wl);
/** Current item's record id. Borrowed until the worklist is freed. */
CM_API const char *cm_worklist_record_id(const cm_worklist *wl);
/**
 * Current item's plan element id: the goal's (e.g. "g3") for a
 * CM_WORK_GOAL_PAST_TARGET item, whose record is the plan.
 * @param wl  a worklist, or NULL.
 * @return the element id, borrowed until the worklist is freed (it stays
 *         valid when the plan changes); NULL for other kinds, before the
 *         first cm_worklist_next, after the end, or if wl is NULL.
 * Thread-safety: as the worklist (one thread at a time). Since 0.1.0.
 */
CM_API const char *cm_worklist_element_id(const cm_worklist *wl);
/** Items in this page. Since 0.1.0. */
CM_API size_t cm_worklist_count(const cm_worklist *wl);
/** Items before paging (for "page 2 of 7"). Since 0.1.0. */
CM_API size_t cm_worklist_total(const cm_worklist *wl);
/** Free a worklist. NULL is ignored. Since 0.1.0. */
CM_API void cm_worklist_free(cm_worklist *wl);

/**
 * One row of a contact worklist (cm_worklist_contacts). The layout is
 * fixed; a later layout would come with a later row size, and the library
 * accepts every row size it knows (see row_size).
 */
typedef struct cm_contact_row {
	int32_t kind;         /**< CM_WORK_CONTACT_DUE or _OVERDUE */
	int32_t priority;     /**< CM_PRIORITY_ROUTINE, or _URGENT if overdue */
	int32_t due;          /**< the client's next follow-up date */
	char client_id[65];   /**< the client's id, NUL-terminated */
} cm_contact_row;

/**
 * A case manager's contact worklist, written into the caller's array: the
 * rows that cm_worklist_query(case_manager, as_of, horizon_days,
 * CM_WORK_BIT(CM_WORK_CONTACT_DUE) | CM_WORK_BIT(CM_WORK_CONTACT_OVERDUE),
 * offset, max_rows) gives, in the same order (overdue rows, urgent,
 * before due ones; within each by due date, then client id), without a
 * worklist object: no allocation, and the rows come from a covering index
 * (no record is read). For the page of an EHR's "who to call" list.
 * Unlike cm_worklist_query's limit, max_rows 0 means no rows (count only),
 * not "no limit".
 * @param out_count     receives the number of rows written (<= max_rows).
 * @param out_total     receives the number of rows before paging; may be
 *                      NULL.
 * @param rows          the caller's array of max_rows rows (may be NULL
 *                      when max_rows is 0, to count only).
 * @param row_size      sizeof(cm_contact_row) of the caller's header (a
 *                      later, larger row layout passes its own size); a
 *                      multiple of the row's alignment, as any sizeof is.
 * @param max_rows      room in rows.
 * @param store         the store.
 * @param case_manager  the case manager's id ("" for clients with none).
 * @param as_of         a valid date.
 * @param horizon_days  0..366.
 * @param offset        rows to skip first.
 * @return CM_OK; CM_EINVAL (NULL out_count, store or case_manager, NULL
 *         rows with max_rows > 0, row_size not a multiple of the row's
 *         alignment); CM_EVERSION (row_size smaller than
 *         this library's first row layout); CM_EDATE (as_of); CM_ERANGE
 *         (horizon); CM_EUTF8, CM_ETOOLONG (case_manager); CM_ESTATE
 *         (store closed). On failure nothing is written.
 * Thread-safety: a reader. Since 0.1.0.
 */
CM_API int cm_worklist_contacts(size_t *out_count, size_t *out_total,
				cm_contact_row *rows, size_t row_size,
				size_t max_rows, cm_store *store,
				const char *case_manager, int32_t as_of,
				int32_t horizon_days, size_t offset);

/* ---- caseloads --------------------------------------------------------- */

/**
 * Caseloads: one row per case manager ("" for clients with no case
 * manager) with at least one open case (planned, waitlist, active or on
 * hold), ordered by case manager id. The acuity-weighted load sums, over
 * open cases, the risk tier (an unset tier counts 1). Snapshot.
 * @return CM_OK; CM_EINVAL; CM_ESTATE; CM_ENOMEM. Since 0.1.0.
 */
CM_API int cm_caseload_list(cm_caseload_iter **out, cm_store *store);
/** Advance. @return CM_OK; CM_ITEROVER; CM_EINVAL. Since 0.1.0. */
CM_API int cm_caseload_iter_next(cm_caseload_iter *it);
/** Current row's case manager id ("" for unassigned). Borrowed. */
CM_API const char *cm_caseload_iter_manager(const cm_caseload_iter *it);
/** Current row's open cases. Since 0.1.0. */
CM_API int64_t cm_caseload_iter_clients(const cm_caseload_iter *it);
/** Current row's acuity-weighted load. Since 0.1.0. */
CM_API int64_t cm_caseload_iter_load(const cm_caseload_iter *it);
/** Free. NULL is ignored. Since 0.1.0. */
CM_API void cm_caseload_iter_free(cm_caseload_iter *it);

/**
 * Reassign every open case of one case manager to another, in txn (all
 * or nothing).
 * @param out_moved  receives the number of clients moved; may be NULL.
 * @param from       the current case manager ("" for unassigned).
 * @param to         the new case manager, 1..64 bytes ("" unassigns).
 * @return CM_OK; CM_EINVAL (NULL, from equals to); CM_EUTF8; CM_ETOOLONG;
 *         CM_ESTATE (one of the clients is already staged in txn: save it
 *         separately); CM_ENOMEM. On failure nothing is staged.
 * Since 0.1.0.
 */
CM_API int cm_caseload_reassign(size_t *out_moved, cm_txn *txn,
				const char *from, const char *to);

/* ---- outcome measures -------------------------------------------------- */

/** Measures. */
enum cm_measure {
	/** Discharges in the period (whose 30 days ended by as_of); numerator:
	 *  followed by an admission within 30 days. */
	CM_MEASURE_READMISSION_30D = 1,
	/** Discharges in the period (whose 7 days ended by as_of); numerator:
	 *  followed by a contact within 7 days. */
	CM_MEASURE_FOLLOWUP_7D = 2,
	/** Goals whose target date is in the period and on or before as_of,
	 *  of plans not in draft or entered in error (active, on-hold,
	 *  revoked, completed), excluding goals entered in error or
	 *  rejected; numerator: achievement status achieved or sustaining
	 *  at the end of as_of, read from the goal's achievement history
	 *  (the latest change on or before as_of; a goal completed without
	 *  being marked achieved does not count). Plan and goal statuses are
	 *  the current ones. No median. Since 0.1.0. */
	CM_MEASURE_GOAL_ATTAINMENT = 3,
	/** Services requested in the period (not draft or entered-in-error);
	 *  numerator: loop closed by as_of (started or completed date on or
	 *  before as_of, or rejected). Median: days from request to start. */
	CM_MEASURE_REFERRAL_CLOSURE = 4,
	/** Active clients; numerator: last contact on or before as_of within
	 *  the contact interval of the client's tier. Period not used. */
	CM_MEASURE_CONTACT_COMPLIANCE = 5,
	/** Clients enrolled (first made active) in the period; numerator: with
	 *  a contact on or before as_of. Median: days to that first contact. */
	CM_MEASURE_DAYS_TO_FIRST_CONTACT = 6
};

/**
 * Compute an outcome measure over the period from..to (dates, inclusive)
 * as of a date, for one case manager's clients, those with none ("") or
 * all (NULL).
 * @param out_numerator, out_denominator  receive the counts.
 * @param out_median_days  receives the median in days where the measure
 *        defines one (rounded down), else CM_DATE_NONE; may be NULL.
 * @return CM_OK; CM_EINVAL; CM_EDATE (from, to or as_of invalid, from >
 *         to); CM_ERANGE (unknown measure); CM_EUTF8; CM_ETOOLONG;
 *         CM_ESTATE; CM_ENOMEM.
 * Thread-safety: a reader. Since 0.1.0.
 */
CM_API int cm_measure_compute(int64_t *out_numerator, int64_t *out_denominator,
			      int32_t *out_median_days, cm_store *store,
			      int32_t measure, int32_t from, int32_t to,
			      int32_t as_of, const char *case_manager);

#ifdef __cplusplus
}
#endif

#endif /* CASEMGR_QUERY_H */
