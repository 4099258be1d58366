/*
 * Internal: the client record layout (described to the generic record code
 * by the schema in client.c).
 */
#ifndef CM_CLIENT_IMPL_H
#define CM_CLIENT_IMPL_H

#include "casemgr/client.h"
#include "store/store_impl.h"

struct cm__ident {
	char *system;
	char *value;
};

struct cm__coverage {
	char *payer;
	char *member_id;
	char *plan;
};

struct cm__team_member {
	char *role;
	char *name;
	char *contact;
};

/* A client's rarely used lists (CM__LIST_RARE, in this order). */
struct cm__client_rare {
	struct cm__list coverage; /* struct cm__coverage */
	struct cm__list team;     /* struct cm__team_member */
};

struct cm__client {
	struct cm__rec hdr;
	char *family;
	char *given;
	char *case_manager;
	/* The optional contact and program texts (language, phone, email,
	 * address, program): CM__TEXT_SPARSE, read with cm__field_text. */
	char *sparse;
	int32_t birth_date;
	int32_t gender;
	int32_t interpreter;
	int32_t risk_tier;
	int32_t next_followup;
	int32_t status;
	struct cm__list idents;   /* struct cm__ident */
	/* Coverage and care team: NULL until one is used; read with
	 * cm__field_list. */
	struct cm__client_rare *rare;
	struct cm__list history;  /* struct cm__hist */
};

extern const struct cm__kind cm__client_kind;

#endif
