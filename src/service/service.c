/*
 * Services: the record schema, the referral (FHIR Task) lifecycle with its
 * two sides, save-time rules and the services-by-client index.
 */
#include <string.h>

#include "service/service_impl.h"

/* A rarely set text, in the sparse block (see enum cm__ftext). */
#define SPTEXT(n, tag, pub, max) \
	{ n, tag, CM__F_TEXT, CM__PUB_TEXT, pub, offsetof(struct cm__service, sparse), max, CM__TEXT_SPARSE, 0, 0, NULL }
/* A text that packed versions share (see enum cm__ftext). */
#define STEXT(n, tag, pub, m, max, how) \
	{ n, tag, CM__F_TEXT, CM__PUB_TEXT, pub, offsetof(struct cm__service, m), max, how, 0, 0, NULL }
#define DATE(n, tag, pub, m) \
	{ n, tag, CM__F_I32, CM__PUB_INT, pub, offsetof(struct cm__service, m), 0, CM__CHECK_DATE, 0, 0, NULL }
#define INT(n, tag, pub, m, lo, hi) \
	{ n, tag, CM__F_I32, CM__PUB_INT, pub, offsetof(struct cm__service, m), 0, CM__CHECK_RANGE, lo, hi, NULL }

#define UNITS_MAX 1000000
#define SHARES_MAX 16

static const struct cm__field share_fields[] = {
	{ "share name", 1, CM__F_TEXT, CM__PUB_NONE, 0,
	  offsetof(struct cm__share, name), 200, CM__TEXT_INTERN, 0, 0, NULL },
	{ "share amount", 2, CM__F_I64, CM__PUB_NONE, 0,
	  offsetof(struct cm__share, amount), 0, 0, 0, 0, NULL },
	{ "share party", 3, CM__F_I32, CM__PUB_NONE, 0,
	  offsetof(struct cm__share, party), 0, 0, 0, 0, NULL },
};
const struct cm__schema cm__share_schema = {
	"funding share", sizeof(struct cm__share), share_fields, 3
};

static const struct cm__field service_fields[] = {
	{ "client id", 61, CM__F_TEXT, CM__PUB_NONE, 0,
	  offsetof(struct cm__service, client_id), 64, CM__TEXT_CLIENT, 0, 0, NULL },
	STEXT("category", 62, CM_SERVICE_CATEGORY, category, 200, CM__TEXT_INTERN),
	STEXT("provider id", 63, CM_SERVICE_PROVIDER, provider_id, 64, CM__TEXT_INTERN),
	SPTEXT("plan id", 64, CM_SERVICE_PLAN, 64),
	SPTEXT("plan element id", 65, CM_SERVICE_PLAN_ELEMENT, 64),
	SPTEXT("description", 66, CM_SERVICE_DESCRIPTION, 4000),
	SPTEXT("authorization reference", 67, CM_SERVICE_AUTH_REFERENCE, 64),
	{ "total cost", 20, CM__F_I64, CM__PUB_INT, CM_SERVICE_TOTAL_COST,
	  offsetof(struct cm__service, total_cost), 0, CM__CHECK_RANGE, 0,
	  CM_MONEY_MAX, NULL },
	INT("priority", 21, CM_SERVICE_PRIORITY, priority, CM_PRIORITY_ROUTINE,
	    CM_PRIORITY_STAT),
	{ "status", 22, CM__F_I32, CM__PUB_NONE, 0,
	  offsetof(struct cm__service, status), 0, 0, 0, 0, NULL },
	DATE("requested date", 23, CM_SERVICE_REQUESTED_DATE, requested),
	DATE("accepted date", 24, CM_SERVICE_ACCEPTED_DATE, accepted),
	DATE("scheduled date", 25, CM_SERVICE_SCHEDULED_DATE, scheduled),
	DATE("started date", 26, CM_SERVICE_STARTED_DATE, started),
	DATE("completed date", 27, CM_SERVICE_COMPLETED_DATE, completed),
	DATE("response deadline", 28, CM_SERVICE_RESPONSE_DEADLINE, deadline),
	INT("authorization status", 29, CM_SERVICE_AUTH_STATUS, auth_status,
	    CM_AUTH_NONE, CM_AUTH_CANCELLED),
	INT("units requested", 30, CM_SERVICE_AUTH_UNITS_REQUESTED,
	    units_requested, 0, UNITS_MAX),
	INT("units approved", 31, CM_SERVICE_AUTH_UNITS_APPROVED,
	    units_approved, 0, UNITS_MAX),
	INT("units used", 32, CM_SERVICE_AUTH_UNITS_USED, units_used, 0, UNITS_MAX),
	DATE("authorization valid from", 33, CM_SERVICE_AUTH_VALID_FROM, auth_from),
	DATE("authorization valid to", 34, CM_SERVICE_AUTH_VALID_TO, auth_to),
	{ "funding shares", 40, CM__F_LIST, CM__PUB_NONE, 0,
	  offsetof(struct cm__service, rare), SHARES_MAX, CM__LIST_RARE, 0, 1,
	  &cm__share_schema },
	{ "status history", 41, CM__F_LIST, CM__PUB_NONE, 0,
	  offsetof(struct cm__service, history), UINT32_MAX, 0, 0, 0,
	  &cm__hist_schema },
};
#define SERVICE_F_SHARES 22
const struct cm__field *const cm__service_shares_field =
	&service_fields[SERVICE_F_SHARES];

const struct cm__list *cm__service_shares(const struct cm__service *v)
{
	return cm__field_list(cm__service_shares_field, v);
}
static const struct cm__schema service_schema = {
	"service", sizeof(struct cm__service), service_fields,
	sizeof(service_fields) / sizeof(service_fields[0])
};

/* ---- lifecycle --------------------------------------------------------- */

static const char *const status_codes[] = {
	NULL, "draft", "requested", "received", "accepted", "rejected",
	"ready", "cancelled", "in-progress", "on-hold", "failed", "completed",
	"entered-in-error"
};

const char *cm_task_status_code(int32_t status)
{
	return (status >= 1 && status <= CM_TASK_ENTERED_IN_ERROR)
		       ? status_codes[status] : NULL;
}

int32_t cm_task_status_side(int32_t status)
{
	switch (status) {
	case CM_TASK_DRAFT:
	case CM_TASK_REQUESTED:
	case CM_TASK_CANCELLED:
	case CM_TASK_ENTERED_IN_ERROR:
		return CM_SIDE_REQUESTER;
	default:
		return (status >= 1 && status <= CM_TASK_ENTERED_IN_ERROR)
			       ? CM_SIDE_PROVIDER : 0;
	}
}

/* Bit sets of the statuses reachable from each status (see service.h). */
#define B(s) (1u << (s))
static const uint32_t next_ok[] = {
	0,
	/* draft */ B(CM_TASK_REQUESTED) | B(CM_TASK_CANCELLED),
	/* requested */ B(CM_TASK_RECEIVED) | B(CM_TASK_ACCEPTED) |
		B(CM_TASK_REJECTED) | B(CM_TASK_CANCELLED),
	/* received */ B(CM_TASK_ACCEPTED) | B(CM_TASK_REJECTED) |
		B(CM_TASK_CANCELLED),
	/* accepted */ B(CM_TASK_READY) | B(CM_TASK_IN_PROGRESS) |
		B(CM_TASK_ON_HOLD) | B(CM_TASK_CANCELLED),
	/* rejected */ 0,
	/* ready */ B(CM_TASK_IN_PROGRESS) | B(CM_TASK_COMPLETED) |
		B(CM_TASK_FAILED) | B(CM_TASK_CANCELLED),
	/* cancelled */ 0,
	/* in-progress */ B(CM_TASK_ON_HOLD) | B(CM_TASK_COMPLETED) |
		B(CM_TASK_FAILED) | B(CM_TASK_CANCELLED),
	/* on-hold */ B(CM_TASK_IN_PROGRESS) | B(CM_TASK_FAILED) |
		B(CM_TASK_CANCELLED),
	/* failed */ 0,
	/* completed */ 0,
	/* entered-in-error */ 0,
};

static int transition_ok(int32_t from, int32_t to)
{
	if (to == CM_TASK_ENTERED_IN_ERROR)
		return from != CM_TASK_ENTERED_IN_ERROR;
	return (next_ok[from] & B(to)) != 0;
}

/* ---- rules ------------------------------------------------------------- */

static int validate(cm_txn *txn, const struct cm__rec *rec)
{
	const struct cm__service *v = (const struct cm__service *)rec;
	cm_store *s = txn->store;

	if (!v->category)
		return cm__err(s, CM_EINCOMPLETE, "service '%s' needs a category",
			       rec->id);
	/* Committed or staged in txn. The client through the transaction's
	 * memo (a loader's services follow their client), the provider
	 * without it: the memo keeps the client, which packing the service
	 * (its CM__TEXT_CLIENT field) looks up next. */
	if (!cm__txn_has(txn, CM_KIND_CLIENT, v->client_id))
		return cm__err(s, CM_ENOTFOUND, "service: no client with id '%s'",
			       v->client_id);
	if (v->provider_id &&
	    !cm__slot_lookup(s, CM_KIND_PROVIDER, v->provider_id))
		return cm__err(s, CM_ENOTFOUND, "service: no provider with id '%s'",
			       v->provider_id);
	if (v->units_requested && v->units_approved > v->units_requested)
		return cm__err(s, CM_ERANGE,
			       "service: %d units approved but %d requested",
			       (int)v->units_approved, (int)v->units_requested);
	if ((v->auth_status == CM_AUTH_APPROVED ||
	     v->auth_status == CM_AUTH_PARTIAL) &&
	    v->units_used > v->units_approved)
		return cm__err(s, CM_ERANGE,
			       "service: %d units used but %d approved",
			       (int)v->units_used, (int)v->units_approved);
	if (v->auth_from != CM_DATE_NONE && v->auth_to != CM_DATE_NONE &&
	    v->auth_from > v->auth_to)
		return cm__err(s, CM_EDATE,
			       "service: authorization ends before it starts");
	return CM_OK;
}

/* ---- the services-by-client index -------------------------------------- */

static void index_discard(cm_store *s, cm_txn *txn)
{
	cm__byclient_discard(s, txn, CM_KIND_SERVICE);
}

static int index_prepare(cm_store *s, cm_txn *txn)
{
	struct cm__mprep *p = cm__txn_prep_new(txn, CM_KIND_SERVICE, sizeof(*p));
	size_t i;

	if (!p)
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__service *v = (const struct cm__service *)op->rec;
		const struct cm__slot *client;
		/* The client of a service never changes: only new ones. */
		if (op->kind != CM_KIND_SERVICE || cm__op_slot(op))
			continue;
		client = cm__op_client(txn, op, v->client_id);
		if (!client)
			return cm__err(s, CM_ENOTFOUND, "service: no client '%s'",
				       v->client_id);
		if (cm__mindex_plan(s, &s->services_by_client, p, v->client_id,
				    CM__SLOT_ID(client)))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
	}
	if (cm__mindex_reserve(s, p))
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
	return CM_OK;
}

static void index_apply(cm_store *s, cm_txn *txn)
{
	struct cm__mprep *p = txn->index_prep[CM_KIND_SERVICE];
	size_t i;

	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		const struct cm__service *v = (const struct cm__service *)op->rec;
		/* Key 0: entries then sort by id, i.e. creation order. */
		if (op->kind == CM_KIND_SERVICE && !cm__op_slot(op))
			cm__mindex_add_client(&s->services_by_client, p, op,
					      v->client_id, 0);
	}
	cm__mindex_settle(&s->services_by_client, p);
}

/* A decoded service names its client and category (the per-client index
 * and save rely on them), and each cost share but the client's its
 * party's name (as cm_service_add_share requires). */
static int check_decoded(const struct cm__rec *rec)
{
	const struct cm__service *v = (const struct cm__service *)rec;
	uint32_t i;

	if (!v->client_id || !v->category)
		return 0;
	for (i = 0; i < cm__service_shares(v)->count; i++) {
		const struct cm__share *e =
			CM__LIST_AT(cm__service_shares(v), struct cm__share, i);
		if (!e->name && e->party != CM_PARTY_CLIENT)
			return 0;
	}
	return 1;
}

const struct cm__kind cm__service_kind = {
	.kind = CM_KIND_SERVICE,
	.name = "service",
	.schema = &service_schema,
	.status_off = offsetof(struct cm__service, status),
	.history_off = offsetof(struct cm__service, history),
	.status_max = CM_TASK_ENTERED_IN_ERROR,
	.status_codes = status_codes,
	.transition_ok = transition_ok,
	.check_decoded = check_decoded,
	.validate = validate,
	.index_prepare = index_prepare,
	.index_apply = index_apply,
	.index_discard = index_discard,
	/* Its id, client, category, provider, a status change. */
	.room = 320,
};
