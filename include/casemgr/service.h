/*
 * casemgr/service.h - the provider directory, and the services arranged for
 * a client: referral lifecycle, insurer authorization, cost and funding.
 *
 * Maps to FHIR HealthcareService / Organization (providers) and
 * ServiceRequest + Task + Claim (preauthorization) (services).
 *
 * Handles follow casemgr/client.h: a handle is the caller's working copy;
 * setters validate at once and change nothing on failure; *_save stages the
 * record in a transaction; a stale handle fails to save with CM_ECONFLICT.
 *
 * Money is int64_t minor units (cents) from 0 to CM_MONEY_MAX, never
 * floating point.
 *
 * Thread-safety: a handle is used by one thread at a time; functions taking
 * a cm_store are readers.
 */
#ifndef CASEMGR_SERVICE_H
#define CASEMGR_SERVICE_H

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cm_provider cm_provider;
typedef struct cm_service cm_service;
typedef struct cm_service_iter cm_service_iter;

/** Largest amount of money (minor units): 10^15, a quadrillion cents. */
#define CM_MONEY_MAX INT64_C(1000000000000000)

/* ---- providers --------------------------------------------------------- */

/** What a provider does. Values fixed forever. */
enum cm_provider_kind {
	CM_PROVIDER_HOME_HEALTH = 1,
	CM_PROVIDER_HOME_INFUSION_PHARMACY = 2,
	CM_PROVIDER_INPATIENT_REHABILITATION = 3,
	CM_PROVIDER_SKILLED_NURSING = 4,
	CM_PROVIDER_PRIMARY_CARE = 5,
	CM_PROVIDER_SPECIALIST = 6,
	CM_PROVIDER_BEHAVIORAL_HEALTH = 7,
	CM_PROVIDER_TRANSPORTATION = 8,
	CM_PROVIDER_INTERPRETER = 9,
	CM_PROVIDER_DURABLE_MEDICAL_EQUIPMENT = 10,
	CM_PROVIDER_FOOD_ASSISTANCE = 11,
	CM_PROVIDER_HOUSING = 12,
	CM_PROVIDER_COMMUNITY_ORGANISATION = 13,
	CM_PROVIDER_OTHER = 14
};

/** Whether a provider takes new referrals. */
enum cm_intake {
	CM_INTAKE_ACCEPTING = 1,
	CM_INTAKE_WAITLISTED = 2,
	CM_INTAKE_CLOSED = 3
};

/** A provider's network status with one payer. */
enum cm_network {
	CM_NETWORK_IN = 1,
	CM_NETWORK_OUT = 2
};

/** Provider text fields. Limits in bytes. */
enum cm_provider_text_field {
	CM_PROVIDER_NAME = 1,    /**< required, <= 200 */
	CM_PROVIDER_CONTACT = 2  /**< phone, address, fax as text, <= 1000 */
};

/** Provider integer fields. */
enum cm_provider_int_field {
	CM_PROVIDER_KIND = 1,    /**< enum cm_provider_kind */
	CM_PROVIDER_INTAKE = 2   /**< enum cm_intake (new providers: accepting) */
};

/**
 * A new, unsaved provider.
 * @param name  1..200 bytes UTF-8. @param kind  enum cm_provider_kind.
 * @return CM_OK; CM_EINVAL (NULL/empty); CM_EUTF8; CM_ETOOLONG; CM_ERANGE
 *         (kind); CM_ESTATE; CM_ECLOCK; CM_ENOMEM. Since 0.1.0.
 */
CM_API int cm_provider_new(cm_provider **out, cm_store *store,
			   const char *name, int32_t kind);
/** Read a committed provider. @return CM_OK; CM_EINVAL; CM_ENOTFOUND;
 *  CM_ESTATE; CM_ENOMEM. Since 0.1.0. */
CM_API int cm_provider_get(cm_provider **out, cm_store *store, const char *id);
/** Free a handle. NULL is ignored. Since 0.1.0. */
CM_API void cm_provider_free(cm_provider *provider);
/** Stage in txn. @return CM_OK; CM_EINVAL; CM_EINCOMPLETE (no name);
 *  CM_EEXIST; CM_ECONFLICT; CM_ENOMEM. Since 0.1.0. */
CM_API int cm_provider_save(cm_txn *txn, cm_provider *provider);
/** The id. Borrowed. Since 0.1.0. */
CM_API const char *cm_provider_id(const cm_provider *provider);
/** Committed revision (0: never saved). Since 0.1.0. */
CM_API int64_t cm_provider_revision(const cm_provider *provider);
/** A text field or NULL. Borrowed. Since 0.1.0. */
CM_API const char *cm_provider_text(const cm_provider *provider, int32_t field);
/** Set a text field (NULL/"" clears; the name cannot be cleared at save).
 *  @return CM_OK; CM_EINVAL; CM_ERANGE; CM_EUTF8; CM_ETOOLONG; CM_ENOMEM.
 *  Since 0.1.0. */
CM_API int cm_provider_set_text(cm_provider *provider, int32_t field,
				const char *value);
/** An integer field. @return CM_OK; CM_EINVAL; CM_ERANGE. Since 0.1.0. */
CM_API int cm_provider_get_int(int64_t *out_value, const cm_provider *provider,
			       int32_t field);
/** Set an integer field. @return CM_OK; CM_EINVAL; CM_ERANGE; CM_ENOMEM.
 *  Since 0.1.0. */
CM_API int cm_provider_set_int(cm_provider *provider, int32_t field,
			       int64_t value);

/**
 * Set the provider's network status with a payer (1..200 bytes), replacing
 * an earlier one; status 0 removes the payer's entry. At most 64 payers.
 * @return CM_OK; CM_EINVAL (NULL/empty payer); CM_EUTF8; CM_ETOOLONG;
 *         CM_ERANGE (status, or too many payers); CM_ENOTFOUND (removing a
 *         payer not listed); CM_ENOMEM. Since 0.1.0.
 */
CM_API int cm_provider_set_network(cm_provider *provider, const char *payer,
				   int32_t status);
/**
 * The network status with a payer.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND (payer not listed: the host's
 *         default applies). Since 0.1.0.
 */
CM_API int cm_provider_network(int32_t *out_status,
			       const cm_provider *provider, const char *payer);

/* ---- services ---------------------------------------------------------- */

/** Request priority: FHIR request-priority, in rising urgency. */
enum cm_priority {
	CM_PRIORITY_ROUTINE = 1,
	CM_PRIORITY_URGENT = 2,
	CM_PRIORITY_ASAP = 3,
	CM_PRIORITY_STAT = 4
};

/** Referral status: FHIR R4 Task.status, exactly. */
enum cm_task_status {
	CM_TASK_DRAFT = 1,
	CM_TASK_REQUESTED = 2,
	CM_TASK_RECEIVED = 3,
	CM_TASK_ACCEPTED = 4,
	CM_TASK_REJECTED = 5,
	CM_TASK_READY = 6,
	CM_TASK_CANCELLED = 7,
	CM_TASK_IN_PROGRESS = 8,
	CM_TASK_ON_HOLD = 9,
	CM_TASK_FAILED = 10,
	CM_TASK_COMPLETED = 11,
	CM_TASK_ENTERED_IN_ERROR = 12
};

/** Who changes a referral's status. */
enum cm_side {
	CM_SIDE_REQUESTER = 1, /**< the case manager's side */
	CM_SIDE_PROVIDER = 2   /**< the provider's side */
};

/** Insurer authorization status; 0 = none requested. */
enum cm_auth_status {
	CM_AUTH_NONE = 0,
	CM_AUTH_REQUESTED = 1,
	CM_AUTH_APPROVED = 2,
	CM_AUTH_PARTIAL = 3,   /**< approved in part (fewer units) */
	CM_AUTH_DENIED = 4,
	CM_AUTH_PENDED = 5,    /**< pending more information */
	CM_AUTH_CANCELLED = 6
};

/** Who pays a share of a service's cost. */
enum cm_party {
	CM_PARTY_PAYER = 1,    /**< an insurer */
	CM_PARTY_PROVIDER = 2, /**< the provider (a discount or write-off) */
	CM_PARTY_CLIENT = 3,   /**< the client (name optional) */
	CM_PARTY_OTHER = 4     /**< another named party (agency, charity) */
};

/** Result of cm_service_funding_check. */
enum cm_funding {
	CM_FUNDING_FUNDED = 1, /**< shares add up to the total cost */
	CM_FUNDING_SHORT = 2,  /**< shares are less than the total */
	CM_FUNDING_OVER = 3    /**< shares exceed the total */
};

/** Service text fields. Limits in bytes. */
enum cm_service_text_field {
	CM_SERVICE_CATEGORY = 1,       /**< required, <= 200 ("home infusion") */
	CM_SERVICE_PROVIDER = 2,       /**< provider id, <= 64; must exist at save */
	CM_SERVICE_PLAN = 3,           /**< care plan id, <= 64 (not checked) */
	CM_SERVICE_PLAN_ELEMENT = 4,   /**< goal or intervention id ("g1"), <= 64 */
	CM_SERVICE_DESCRIPTION = 5,    /**< <= 4000 */
	CM_SERVICE_AUTH_REFERENCE = 6  /**< insurer's reference number, <= 64 */
};

/** Service integer fields. Dates are calendar dates or CM_DATE_NONE. */
enum cm_service_int_field {
	CM_SERVICE_PRIORITY = 1,           /**< enum cm_priority (default routine) */
	CM_SERVICE_REQUESTED_DATE = 2,
	CM_SERVICE_ACCEPTED_DATE = 3,
	CM_SERVICE_SCHEDULED_DATE = 4,
	CM_SERVICE_STARTED_DATE = 5,
	CM_SERVICE_COMPLETED_DATE = 6,
	CM_SERVICE_RESPONSE_DEADLINE = 7,  /**< provider should answer by */
	CM_SERVICE_AUTH_STATUS = 8,        /**< enum cm_auth_status */
	CM_SERVICE_AUTH_UNITS_REQUESTED = 9,  /**< 0..1000000 */
	CM_SERVICE_AUTH_UNITS_APPROVED = 10,  /**< 0..1000000 */
	CM_SERVICE_AUTH_UNITS_USED = 11,      /**< 0..1000000 */
	CM_SERVICE_AUTH_VALID_FROM = 12,
	CM_SERVICE_AUTH_VALID_TO = 13,
	CM_SERVICE_TOTAL_COST = 14         /**< minor units, 0..CM_MONEY_MAX */
};

/** FHIR code of a task status ("in-progress"), or NULL. Static. */
CM_API const char *cm_task_status_code(int32_t status);
/** The side that may set a status (enum cm_side), or 0 if out of range. */
CM_API int32_t cm_task_status_side(int32_t status);

/**
 * A new, unsaved service for a client, in status CM_TASK_DRAFT, priority
 * routine, no dates, no authorization, cost 0.
 * @param client_id  1..64 bytes; the client must exist at save.
 * @param category   1..200 bytes UTF-8.
 * @return CM_OK; CM_EINVAL; CM_EUTF8; CM_ETOOLONG; CM_ESTATE; CM_ECLOCK;
 *         CM_ENOMEM. Since 0.1.0.
 */
CM_API int cm_service_new(cm_service **out, cm_store *store,
			  const char *client_id, const char *category);
/** Read a committed service. @return CM_OK; CM_EINVAL; CM_ENOTFOUND;
 *  CM_ESTATE; CM_ENOMEM. Since 0.1.0. */
CM_API int cm_service_get(cm_service **out, cm_store *store, const char *id);
/** Free a handle. NULL is ignored. Since 0.1.0. */
CM_API void cm_service_free(cm_service *service);

/**
 * Stage in txn. Checks: the client exists; the provider, if set, exists
 * (committed or staged in txn); authorization: units approved <= units
 * requested when units were requested, units used <= units approved when
 * approved or partial, valid from <= valid to.
 * @return CM_OK; CM_EINVAL; CM_EINCOMPLETE (no category); CM_ENOTFOUND
 *         (client or provider); CM_ERANGE (units); CM_EDATE (valid period);
 *         CM_EEXIST; CM_ECONFLICT; CM_ENOMEM. Nothing is staged on failure.
 * Since 0.1.0.
 */
CM_API int cm_service_save(cm_txn *txn, cm_service *service);

/** The id / client id. Borrowed. Since 0.1.0. */
CM_API const char *cm_service_id(const cm_service *service);
CM_API const char *cm_service_client_id(const cm_service *service);
/** Committed revision (0: never saved). Since 0.1.0. */
CM_API int64_t cm_service_revision(const cm_service *service);
/** Referral status (enum cm_task_status); 0 if NULL. Since 0.1.0. */
CM_API int32_t cm_service_status(const cm_service *service);
/** A text field or NULL. Borrowed. Since 0.1.0. */
CM_API const char *cm_service_text(const cm_service *service, int32_t field);
/** Set a text field (NULL/"" clears). @return CM_OK; CM_EINVAL; CM_ERANGE;
 *  CM_EUTF8; CM_ETOOLONG; CM_ENOMEM. Since 0.1.0. */
CM_API int cm_service_set_text(cm_service *service, int32_t field,
			       const char *value);
/** An integer field. @return CM_OK; CM_EINVAL; CM_ERANGE. Since 0.1.0. */
CM_API int cm_service_get_int(int64_t *out_value, const cm_service *service,
			      int32_t field);
/** Set an integer field. @return CM_OK; CM_EINVAL; CM_ERANGE (unknown field,
 *  value out of range); CM_EDATE; CM_ENOMEM. Since 0.1.0. */
CM_API int cm_service_set_int(cm_service *service, int32_t field,
			      int64_t value);

/**
 * Change the referral status, as one side. Each side sets only its own
 * statuses: the requester draft, requested, cancelled and entered-in-error;
 * the provider received, accepted, rejected, ready, in-progress, on-hold,
 * failed and completed. Transitions (FHIR Task state machine):
 *   draft       -> requested, cancelled
 *   requested   -> received, accepted, rejected, cancelled
 *   received    -> accepted, rejected, cancelled
 *   accepted    -> ready, in-progress, on-hold, cancelled
 *   ready       -> in-progress, completed, failed, cancelled
 *   in-progress -> on-hold, completed, failed, cancelled
 *   on-hold     -> in-progress, failed, cancelled
 *   any status but entered-in-error -> entered-in-error
 * The change goes into the status history with the reason.
 * @param side    enum cm_side.  @param reason  1..1000 bytes, required.
 * @return CM_OK; CM_EINVAL (NULL, empty reason, side unknown); CM_ERANGE
 *         (status unknown); CM_ETRANSITION (the other side's status, or a
 *         transition not allowed); CM_EUTF8; CM_ETOOLONG; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_service_set_status(cm_service *service, int32_t side,
				 int32_t status, const char *reason);
/** Number of status history entries. Since 0.1.0. */
CM_API size_t cm_service_status_history_count(const cm_service *service);
/** One status history entry, as cm_client_status_history_at. Since 0.1.0. */
CM_API int cm_service_status_history_at(int32_t *out_from, int32_t *out_to,
					int64_t *out_time,
					const char **out_actor,
					const char **out_reason,
					const cm_service *service, size_t index);

/* ---- funding ----------------------------------------------------------- */

/**
 * Add a funding share: who pays how much of the total cost. At most 16.
 * @param party   enum cm_party.
 * @param name    the payer, provider or party (1..200 bytes); required
 *                except for CM_PARTY_CLIENT (NULL allowed).
 * @param amount  minor units, 0..CM_MONEY_MAX.
 * @return CM_OK; CM_EINVAL (NULL, name missing); CM_ERANGE (party, amount,
 *         more than 16 shares); CM_EUTF8; CM_ETOOLONG; CM_ENOMEM.
 * Since 0.1.0.
 */
CM_API int cm_service_add_share(cm_service *service, int32_t party,
				const char *name, int64_t amount);
/** Remove share index. @return CM_OK; CM_EINVAL; CM_ERANGE; CM_ENOMEM. */
CM_API int cm_service_remove_share(cm_service *service, size_t index);
/** Number of shares. Since 0.1.0. */
CM_API size_t cm_service_share_count(const cm_service *service);
/** Share index; outputs may be NULL; name borrowed (NULL if none).
 *  @return CM_OK; CM_EINVAL; CM_ERANGE. Since 0.1.0. */
CM_API int cm_service_share_at(int32_t *out_party, const char **out_name,
			       int64_t *out_amount, const cm_service *service,
			       size_t index);

/**
 * Check that the shares add up to the total cost: the service counts as
 * funded only then.
 * @param out_state  enum cm_funding.
 * @param out_diff   total cost minus the sum of shares (positive: short,
 *                   negative: over, 0: funded). May be NULL.
 * @return CM_OK; CM_EINVAL. Since 0.1.0.
 */
CM_API int cm_service_funding_check(int32_t *out_state, int64_t *out_diff,
				    const cm_service *service);

/* ---- listing ----------------------------------------------------------- */

/**
 * A client's committed services, in the order created. Snapshot.
 * @return CM_OK; CM_EINVAL; CM_ENOTFOUND (no such client); CM_ESTATE;
 *         CM_ENOMEM. Thread-safety: a reader. Since 0.1.0.
 */
CM_API int cm_service_list(cm_service_iter **out, cm_store *store,
			   const char *client_id);
/** Next service as a new handle. @return CM_OK; CM_ITEROVER; CM_EINVAL;
 *  CM_ENOMEM. Since 0.1.0. */
CM_API int cm_service_iter_next(cm_service **out, cm_service_iter *it);
/** Number of services listed. Since 0.1.0. */
CM_API size_t cm_service_iter_count(const cm_service_iter *it);
/** Free a listing. NULL is ignored. Since 0.1.0. */
CM_API void cm_service_iter_free(cm_service_iter *it);

#ifdef __cplusplus
}
#endif

#endif /* CASEMGR_SERVICE_H */
