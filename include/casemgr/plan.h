/*
 * casemgr/plan.h - care plans: problems, goals, interventions, approval,
 * revisions, the plan checker and Goal Attainment Scaling.
 *
 * Maps to FHIR CarePlan (status, intent, period, author, activities) and
 * Goal (lifecycleStatus, achievementStatus, target, priority, addresses).
 *
 * A plan belongs to a client. Inside it are elements, each identified by
 * a short id the library generates, unique within the plan and never
 * reused: "p1", "p2", ... for problems, "g3" for goals, "i4" for
 * interventions (one counter per plan, so ids sort in creation order).
 * Services and events refer to elements as (plan id, element id).
 * Elements are never deleted: goals and interventions are withdrawn with
 * their entered-in-error status.
 *
 *  - problem:      a description, optionally linked to a finding of an
 *                  assessment (assessment id + finding domain).
 *  - goal:         description, measure, target value and/or date,
 *                  priority, lifecycle status (validated transitions with
 *                  history), achievement status, progress notes, the
 *                  problems it addresses, optional Goal Attainment Scaling
 *                  level (-2..+2) and weight.
 *  - intervention: what, who is responsible (kind + name/id), due date,
 *                  activity status (validated transitions with history), the
 *                  goals it serves.
 *
 * Every committed change of a plan is a new revision, and every earlier
 * revision stays retrievable with cm_plan_get_revision().
 *
 * Element ids and strings returned by element accessors are borrowed from
 * the handle (see common.h).
 *
 * Thread-safety: as for casemgr/client.h.
 */
#ifndef CASEMGR_PLAN_H
#define CASEMGR_PLAN_H

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cm_plan cm_plan;
typedef struct cm_plan_report cm_plan_report;

/* ---- enumerations ------------------------------------------------------ */

/** Plan status: FHIR R4 CarePlan.status (request-status) minus "unknown". */
enum cm_plan_status {
	CM_PLAN_DRAFT = 1,
	CM_PLAN_ACTIVE = 2,
	CM_PLAN_ON_HOLD = 3,
	CM_PLAN_REVOKED = 4,
	CM_PLAN_COMPLETED = 5,
	CM_PLAN_ENTERED_IN_ERROR = 6
};

/** Plan intent: FHIR R4 CarePlan.intent. */
enum cm_plan_intent {
	CM_PLAN_INTENT_PROPOSAL = 1,
	CM_PLAN_INTENT_PLAN = 2,
	CM_PLAN_INTENT_ORDER = 3,
	CM_PLAN_INTENT_OPTION = 4
};

/** Goal lifecycle: FHIR R4 Goal.lifecycleStatus. */
enum cm_goal_status {
	CM_GOAL_PROPOSED = 1,
	CM_GOAL_PLANNED = 2,
	CM_GOAL_ACCEPTED = 3,
	CM_GOAL_ACTIVE = 4,
	CM_GOAL_ON_HOLD = 5,
	CM_GOAL_COMPLETED = 6,
	CM_GOAL_CANCELLED = 7,
	CM_GOAL_ENTERED_IN_ERROR = 8,
	CM_GOAL_REJECTED = 9
};

/** Goal achievement: FHIR R4 Goal.achievementStatus; 0 = not recorded. */
enum cm_goal_achievement {
	CM_ACHIEVEMENT_NONE = 0,
	CM_ACHIEVEMENT_IN_PROGRESS = 1,
	CM_ACHIEVEMENT_IMPROVING = 2,
	CM_ACHIEVEMENT_WORSENING = 3,
	CM_ACHIEVEMENT_NO_CHANGE = 4,
	CM_ACHIEVEMENT_ACHIEVED = 5,
	CM_ACHIEVEMENT_SUSTAINING = 6,
	CM_ACHIEVEMENT_NOT_ACHIEVED = 7,
	CM_ACHIEVEMENT_NO_PROGRESS = 8,
	CM_ACHIEVEMENT_NOT_ATTAINABLE = 9
};

/** Goal priority: FHIR goal-priority; 0 = not recorded. */
enum cm_goal_priority {
	CM_PRIORITY_NONE = 0,
	CM_PRIORITY_HIGH = 1,
	CM_PRIORITY_MEDIUM = 2,
	CM_PRIORITY_LOW = 3
};

/** Intervention status: FHIR R4 CarePlan.activity.detail.status minus
 *  "unknown". */
enum cm_activity_status {
	CM_ACTIVITY_NOT_STARTED = 1,
	CM_ACTIVITY_SCHEDULED = 2,
	CM_ACTIVITY_IN_PROGRESS = 3,
	CM_ACTIVITY_ON_HOLD = 4,
	CM_ACTIVITY_COMPLETED = 5,
	CM_ACTIVITY_CANCELLED = 6,
	CM_ACTIVITY_STOPPED = 7,
	CM_ACTIVITY_ENTERED_IN_ERROR = 8
};

/** Who is responsible for an intervention. */
enum cm_responsible {
	CM_RESPONSIBLE_CARE_TEAM = 1, /**< a care team member (name/id required) */
	CM_RESPONSIBLE_PROVIDER = 2,  /**< a service provider (name/id required) */
	CM_RESPONSIBLE_CLIENT = 3,    /**< the client */
	CM_RESPONSIBLE_FAMILY = 4     /**< family or informal carer */
};

/** Element kinds, for cm_plan_element_count / cm_plan_element_id: the
 *  first letter of their element ids. */
enum cm_element_kind {
	CM_ELEMENT_PROBLEM = 112,     /**< 'p' */
	CM_ELEMENT_GOAL = 103,        /**< 'g' */
	CM_ELEMENT_INTERVENTION = 105 /**< 'i' */
};

/** Plan text fields (limits in bytes). */
enum cm_plan_text_field {
	CM_PLAN_TITLE = 1,       /**< <= 200 */
	CM_PLAN_DESCRIPTION = 2, /**< <= 4000 */
	CM_PLAN_AUTHOR = 3       /**< who wrote it (id or name), <= 200; required */
};

/** Plan integer fields. */
enum cm_plan_int_field {
	CM_PLAN_INTENT = 1,       /**< enum cm_plan_intent (default plan) */
	CM_PLAN_PERIOD_START = 2, /**< date or CM_DATE_NONE */
	CM_PLAN_PERIOD_END = 3,   /**< date or CM_DATE_NONE; >= start at save */
	CM_PLAN_NEXT_REVIEW = 4   /**< date or CM_DATE_NONE */
};

/** Element text fields; which apply depends on the element. */
enum cm_element_text_field {
	CM_ELEMENT_DESCRIPTION = 1,     /**< problem, goal (<= 1000) */
	CM_ELEMENT_MEASURE = 2,         /**< goal: what is measured (<= 200) */
	CM_ELEMENT_TARGET_VALUE = 3,    /**< goal: target, e.g. "< 7.0 %" (<= 200) */
	CM_ELEMENT_FINDING_SOURCE = 4,  /**< problem: assessment id (<= 64) */
	CM_ELEMENT_FINDING_DOMAIN = 5,  /**< problem: finding domain (<= 64) */
	CM_ELEMENT_WHAT = 6,            /**< intervention (<= 1000) */
	CM_ELEMENT_RESPONSIBLE = 7      /**< intervention: name or id (<= 200) */
};

/** Element integer fields. */
enum cm_element_int_field {
	CM_ELEMENT_TARGET_DATE = 1,      /**< goal: date or CM_DATE_NONE */
	CM_ELEMENT_PRIORITY = 2,         /**< goal: enum cm_goal_priority */
	CM_ELEMENT_ACHIEVEMENT = 3,      /**< goal: enum cm_goal_achievement;
					      read-only here, changed with
					      cm_plan_goal_set_achievement */
	CM_ELEMENT_GAS_LEVEL = 4,        /**< goal: GAS level -2..+2 */
	CM_ELEMENT_GAS_WEIGHT = 5,       /**< goal: GAS weight 0..100 (0: not scaled) */
	CM_ELEMENT_DUE_DATE = 6,         /**< intervention: date or CM_DATE_NONE */
	CM_ELEMENT_RESPONSIBLE_KIND = 7  /**< intervention: enum cm_responsible */
};

/** Problems found by the plan checker. */
enum cm_plan_issue {
	CM_ISSUE_PROBLEM_WITHOUT_GOAL = 1,
	CM_ISSUE_GOAL_WITHOUT_INTERVENTION = 2,
	CM_ISSUE_INTERVENTION_WITHOUT_GOAL = 3,
	CM_ISSUE_GOAL_PAST_TARGET = 4,
	CM_ISSUE_PLAN_PAST_REVIEW = 5
};

/** FHIR codes of the enumerations ("on-hold"), or NULL if out of range.
 *  Static strings. */
CM_API const char *cm_plan_status_code(int32_t status);
CM_API const char *cm_plan_intent_code(int32_t intent);
CM_API const char *cm_goal_status_code(int32_t status);
CM_API const char *cm_goal_achievement_code(int32_t achievement);
CM_API const char *cm_activity_status_code(int32_t status);
/** Parse FHIR codes. @return CM_OK; CM_EINVAL (NULL); CM_ERANGE (unknown). */
CM_API int cm_plan_status_parse(int32_t *out_status, const char *code);
CM_API int cm_goal_status_parse(int32_t *out_status, const char *code);
CM_API int cm_activity_status_parse(int32_t *out_status, const char *code);

/* ---- store policy ------------------------------------------------------ */

/**
 * Require (1) or not (0, the default) a recorded approval before a plan
 * can become active (home health: the physician approves the plan of care).
 * @return CM_OK; CM_EINVAL (store NULL, or required not 0/1).
 * Thread-safety: any thread; applies to later status changes.
 * Since 0.1.0.
 */
CM_API int cm_store_set_plan_approval_required(cm_store *store,
					       int32_t required);

/* ---- life cycle of a handle -------------------------------------------- */

/**
 * A new, unsaved plan for a client: status draft, intent plan.
 * @param client_id  checked at save (committed or staged in the same txn).
 * @return CM_OK; CM_EINVAL (NULL, client_id not 1..64 characters);
 *         CM_ESTATE; CM_ECLOCK; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_new(cm_plan **out, cm_store *store, const char *client_id);

/** Read the latest committed revision of a plan.
 *  @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_ESTATE; CM_ENOMEM.
 *  Since 0.1.0. */
CM_API int cm_plan_get(cm_plan **out, cm_store *store, const char *id);

/** Read revision `revision` (1 = first) of a plan; earlier revisions can be
 *  read but not saved (CM_ECONFLICT).
 *  @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_ESTATE; CM_ENOMEM.
 *  Since 0.1.0. */
CM_API int cm_plan_get_revision(cm_plan **out, cm_store *store,
				const char *id, int64_t revision);

/** Free a handle. NULL is ignored. */
CM_API void cm_plan_free(cm_plan *plan);

/**
 * Stage the plan in txn (rules as cm_client_save). Validation: the client
 * exists; an author is set; the period ends no earlier than it starts; a
 * plan becoming active has an approval when the store requires one.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND (no such client);
 *         CM_EINCOMPLETE (no author, or approval missing); CM_EDATE (period
 *         end before start);
 *         CM_EEXIST; CM_ECONFLICT; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_save(cm_txn *txn, cm_plan *plan);

/* ---- the plan ---------------------------------------------------------- */

/** The plan's id, and its client's id. Borrowed; NULL if plan is NULL.
 *  Since 0.1.0. */
CM_API const char *cm_plan_id(const cm_plan *plan);
CM_API const char *cm_plan_client_id(const cm_plan *plan);
/** Revision this handle reflects (0: never saved). Since 0.1.0. */
CM_API int64_t cm_plan_revision(const cm_plan *plan);
/** Times of the first and of this revision (CM_TIME_NONE if unsaved).
 *  Since 0.1.0. */
CM_API int64_t cm_plan_created(const cm_plan *plan);
CM_API int64_t cm_plan_updated(const cm_plan *plan);
/** Status (enum cm_plan_status); 0 if NULL. */
CM_API int32_t cm_plan_status(const cm_plan *plan);
/** A text field, or NULL. Borrowed. */
CM_API const char *cm_plan_text(const cm_plan *plan, int32_t field);
/** @return CM_OK; CM_EINVAL; CM_ERANGE (unknown field). */
CM_API int cm_plan_get_int(int64_t *out_value, const cm_plan *plan,
			   int32_t field);
/** NULL or "" clears. @return CM_OK; CM_EINVAL; CM_ERANGE; CM_EUTF8;
 *  CM_ETOOLONG; CM_ENOMEM. */
CM_API int cm_plan_set_text(cm_plan *plan, int32_t field, const char *value);
/** @return CM_OK; CM_EINVAL; CM_ERANGE; CM_EDATE; CM_ENOMEM. */
CM_API int cm_plan_set_int(cm_plan *plan, int32_t field, int64_t value);

/**
 * Change the plan status. Allowed:
 *   draft   -> active, revoked
 *   active  -> on-hold, completed, revoked
 *   on-hold -> active, completed, revoked
 *   any except entered-in-error -> entered-in-error
 * Becoming active needs a recorded approval when the store requires one
 * (checked here, and again at save for a plan that was not active).
 * @return CM_OK; CM_EINVAL (NULL, empty reason); CM_ERANGE;
 *         CM_ETRANSITION; CM_EINCOMPLETE (approval required but missing);
 *         CM_EUTF8; CM_ETOOLONG; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_set_status(cm_plan *plan, int32_t status,
			      const char *reason);
/** Status history (oldest first); see cm_client_status_history_at.
 *  Since 0.1.0. */
CM_API size_t cm_plan_status_history_count(const cm_plan *plan);
CM_API int cm_plan_status_history_at(int32_t *out_from, int32_t *out_to,
				     int64_t *out_time, const char **out_actor,
				     const char **out_reason,
				     const cm_plan *plan, size_t index);

/**
 * Record the plan's approval: who (1..200 bytes) and when (an instant).
 * Replaces an earlier approval.
 * @return CM_OK; CM_EINVAL; CM_EUTF8; CM_ETOOLONG; CM_EDATE; CM_ESTATE (the
 *         plan is revoked, completed or entered in error); CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_approve(cm_plan *plan, const char *approver, int64_t time);

/** The recorded approval. Outputs may be NULL; approver borrowed.
 *  @return CM_OK; CM_EINVAL; CM_ENOTFOUND (not approved). */
CM_API int cm_plan_approval(const char **out_approver, int64_t *out_time,
			    const cm_plan *plan);

/* ---- elements ---------------------------------------------------------- */

/**
 * Add a problem, optionally linked to a finding of an assessment.
 * @param out_id       receives the new element id (borrowed); may be NULL.
 * @param description  required, <= 1000 bytes.
 * @param assessment_id, finding_domain  both NULL, or both given: the
 *                     assessment must be committed and have that finding.
 * @return CM_OK; CM_EINVAL; CM_EUTF8; CM_ETOOLONG; CM_ENOTFOUND (no such
 *         assessment or finding); CM_ERANGE (more than 256 elements of
 *         a kind); CM_ESTATE; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_add_problem(const char **out_id, cm_plan *plan,
			       const char *description,
			       const char *assessment_id,
			       const char *finding_domain);

/**
 * Add a goal (lifecycle proposed). description required, <= 1000 bytes.
 * @return as cm_plan_add_problem.
 * Since 0.1.0.
 */
CM_API int cm_plan_add_goal(const char **out_id, cm_plan *plan,
			    const char *description);

/**
 * Add an intervention (status not-started).
 * @param what         required, <= 1000 bytes.
 * @param kind         enum cm_responsible.
 * @param responsible  name or id, <= 200 bytes; required for care team and
 *                     provider, optional (NULL) otherwise.
 * @return as cm_plan_add_problem; CM_ERANGE also for an unknown kind.
 * Since 0.1.0.
 */
CM_API int cm_plan_add_intervention(const char **out_id, cm_plan *plan,
				    const char *what, int32_t kind,
				    const char *responsible);

/** Number of elements of a kind (enum cm_element_kind); 0 for an unknown
 *  kind. */
CM_API size_t cm_plan_element_count(const cm_plan *plan, int32_t kind);
/** Id of element number index of a kind (creation order), or NULL. */
CM_API const char *cm_plan_element_id(const cm_plan *plan, int32_t kind,
				      size_t index);

/** Read or change an element's fields (see the field enums for which
 *  apply to which element).
 *  @return CM_OK; CM_EINVAL (NULL); CM_ENOTFOUND (no such element);
 *          CM_ERANGE (field not of that element, value out of range);
 *          CM_EDATE; CM_EUTF8; CM_ETOOLONG; CM_ENOMEM. */
CM_API const char *cm_plan_element_text(const cm_plan *plan,
					const char *element_id, int32_t field);
CM_API int cm_plan_element_set_text(cm_plan *plan, const char *element_id,
				    int32_t field, const char *value);
CM_API int cm_plan_element_get_int(int64_t *out_value, const cm_plan *plan,
				   const char *element_id, int32_t field);
CM_API int cm_plan_element_set_int(cm_plan *plan, const char *element_id,
				   int32_t field, int64_t value);

/**
 * Change a goal's lifecycle status or an intervention's activity status,
 * with a reason, appended to the element's history. Allowed for goals:
 *   proposed -> planned, accepted, active, rejected, cancelled
 *   planned  -> accepted, active, on-hold, cancelled
 *   accepted -> active, on-hold, cancelled
 *   active   -> on-hold, completed, cancelled
 *   on-hold  -> active, cancelled
 *   completed -> active (reopened)
 * for interventions:
 *   not-started -> scheduled, in-progress, cancelled
 *   scheduled   -> in-progress, on-hold, cancelled
 *   in-progress -> on-hold, completed, stopped
 *   on-hold     -> in-progress, stopped, cancelled
 * and for both, any status except entered-in-error -> entered-in-error.
 * @return CM_OK; CM_EINVAL (NULL, empty reason, or a problem's id);
 *         CM_ENOTFOUND; CM_ERANGE; CM_ETRANSITION; CM_EUTF8; CM_ETOOLONG;
 *         CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_element_set_status(cm_plan *plan, const char *element_id,
				      int32_t status, const char *reason);
/** Current status of a goal (enum cm_goal_status) or intervention (enum
 *  cm_activity_status).
 *  @return CM_OK; CM_EINVAL (NULL, or a problem); CM_ENOTFOUND.
 *  Since 0.1.0. */
CM_API int cm_plan_element_status(int32_t *out_status, const cm_plan *plan,
				  const char *element_id);
/** Status history of a goal or intervention (0 for anything else), oldest
 *  first; entries as for cm_client_status_history_at. Since 0.1.0. */
CM_API size_t cm_plan_element_history_count(const cm_plan *plan,
					    const char *element_id);
/** @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_ERANGE. */
CM_API int cm_plan_element_history_at(int32_t *out_from, int32_t *out_to,
				      int64_t *out_time,
				      const char **out_actor,
				      const char **out_reason,
				      const cm_plan *plan,
				      const char *element_id, size_t index);

/**
 * Link a goal to a problem it addresses (from = goal, to = problem) or an
 * intervention to a goal it serves (from = intervention, to = goal).
 * Linking twice is a no-op.
 * @return CM_OK; CM_EINVAL (NULL, or not one of those two pairs);
 *         CM_ENOTFOUND; CM_ERANGE (more than 64 links); CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_link(cm_plan *plan, const char *from_id, const char *to_id);
/** Number of elements a goal (problems) or intervention (goals) is linked
 *  to; 0 for a problem or an unknown id. Since 0.1.0. */
CM_API size_t cm_plan_link_count(const cm_plan *plan, const char *element_id);
/** The element linked at index, or NULL. Borrowed. Since 0.1.0. */
CM_API const char *cm_plan_link_at(const cm_plan *plan,
				   const char *element_id, size_t index);

/**
 * Add a progress note to a goal; its author and time are those of the
 * transaction that saves it; it records the goal's achievement status.
 * @param text  1..4000 bytes.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_EUTF8; CM_ETOOLONG; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_goal_add_note(cm_plan *plan, const char *goal_id,
				 const char *text);
/** Number of progress notes of a goal (0 if not a goal). Since 0.1.0. */
CM_API size_t cm_plan_goal_note_count(const cm_plan *plan, const char *goal_id);
/** Note number index (oldest first), with the achievement status the goal
 *  had when the note was added. Outputs may be NULL; strings borrowed; time CM_TIME_NONE and author
 *  NULL until committed. @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_ERANGE. */
CM_API int cm_plan_goal_note_at(int64_t *out_time, const char **out_author,
				const char **out_text,
				int32_t *out_achievement, const cm_plan *plan,
				const char *goal_id, size_t index);

/**
 * Change a goal's achievement status (enum cm_goal_achievement, 1..9) with
 * a reason; the change is appended to the goal's achievement history
 * (actor and time from the transaction that saves it). Any change is
 * allowed (FHIR gives achievementStatus no lifecycle) except to the same
 * value or back to "not recorded".
 * @return CM_OK; CM_EINVAL (NULL, empty reason, not a goal); CM_ENOTFOUND;
 *         CM_ERANGE (unknown value); CM_ETRANSITION (same value);
 *         CM_EUTF8; CM_ETOOLONG; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_goal_set_achievement(cm_plan *plan, const char *goal_id,
					int32_t achievement, const char *reason);
/** Number of achievement changes of a goal (0 if not a goal). */
CM_API size_t cm_plan_goal_achievement_history_count(const cm_plan *plan,
						     const char *goal_id);
/** As cm_plan_element_history_at, for the achievement history.
 *  @return CM_OK; CM_EINVAL; CM_ENOTFOUND; CM_ERANGE. */
CM_API int cm_plan_goal_achievement_history_at(int32_t *out_from,
					       int32_t *out_to,
					       int64_t *out_time,
					       const char **out_actor,
					       const char **out_reason,
					       const cm_plan *plan,
					       const char *goal_id,
					       size_t index);

/* ---- checking and outcomes --------------------------------------------- */

/**
 * Check a plan as of a date. Reports, in this order: the plan past its
 * next review date (next review < as_of, while draft, active or on hold);
 * problems no live goal addresses; live goals no live intervention serves;
 * live interventions serving no live goal; live goals past their target
 * date (target < as_of) and not achieved. "Live" excludes goals cancelled,
 * rejected, completed or entered in error and interventions cancelled,
 * stopped, completed or entered in error.
 * @param out  receives the report; free with cm_plan_report_free.
 * @return CM_OK; CM_EINVAL; CM_EDATE (as_of not a date); CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_plan_check(cm_plan_report **out, const cm_plan *plan,
			 int32_t as_of);
/** Number of issues in a report (0 for NULL). */
CM_API size_t cm_plan_report_count(const cm_plan_report *report);
/** Issue number index: its kind (enum cm_plan_issue) and the element id
 *  ("" for the plan itself). Borrowed until the report is freed.
 *  @return CM_OK; CM_EINVAL; CM_ERANGE. */
CM_API int cm_plan_report_at(int32_t *out_issue, const char **out_element_id,
			     const cm_plan_report *report, size_t index);
/** Free a report (it may outlive the plan and the store). NULL is ignored. */
CM_API void cm_plan_report_free(cm_plan_report *report);

/**
 * Kiresuk-Sherman Goal Attainment Scaling T-score over the plan's goals
 * with a GAS weight above 0 (entered-in-error goals excluded):
 *   T = 50 + 10 * sum(w*x) / sqrt((1 - rho) * sum(w^2) + rho * (sum w)^2)
 * with rho = 0.3 and x the goal's level (-2..+2). All goals at 0 give 50.
 * @param out_t_x100  receives T in hundredths, rounded to the nearest
 *                    (59.13 -> 5913): fixed point, as every number at the
 *                    boundary is an integer.
 * @return CM_OK; CM_EINVAL; CM_EINCOMPLETE (no goal is scaled).
 * Since 0.1.0.
 */
CM_API int cm_plan_gas_tscore(int32_t *out_t_x100, const cm_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* CASEMGR_PLAN_H */
