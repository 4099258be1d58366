/*
 * Internal: provider and service record layouts (described by the schemas
 * in provider.c and service.c).
 */
#ifndef CM_SERVICE_IMPL_H
#define CM_SERVICE_IMPL_H

#include "casemgr/service.h"
#include "store/store_impl.h"

struct cm__network_entry {
	char *payer;
	int32_t status;
};

struct cm__provider {
	struct cm__rec hdr;
	char *name;
	char *contact;
	int32_t kind;
	int32_t intake;
	struct cm__list network; /* struct cm__network_entry */
};

struct cm__share {
	char *name;
	int64_t amount;
	int32_t party;
};

struct cm__service {
	struct cm__rec hdr;
	char *client_id;
	char *category;
	char *provider_id;
	/* The plan and plan element ids, description and authorization
	 * reference: CM__TEXT_SPARSE, read with cm__field_text. */
	char *sparse;
	int64_t total_cost;
	int32_t priority;
	int32_t status;
	int32_t requested, accepted, scheduled, started, completed;
	int32_t deadline;
	int32_t auth_status;
	int32_t units_requested, units_approved, units_used;
	int32_t auth_from, auth_to;
	/* Funding shares (struct cm__share), a rare list (CM__LIST_RARE):
	 * NULL until one is added; read with cm__service_shares. */
	struct cm__list *rare;
	struct cm__list history; /* struct cm__hist */
};

/* v's funding shares (an empty list if it has none). */
const struct cm__list *cm__service_shares(const struct cm__service *v);
/* Their field, for cm__field_list_mut. */
extern const struct cm__field *const cm__service_shares_field;

extern const struct cm__kind cm__provider_kind;
extern const struct cm__kind cm__service_kind;
extern const struct cm__schema cm__share_schema;

#endif
