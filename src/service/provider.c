/* The provider directory: schema, rules and public API. */
#include <string.h>

#include "core/text.h"
#include "service/service_impl.h"

#define NETWORK_MAX 64

static const struct cm__field network_fields[] = {
	{ "payer", 1, CM__F_TEXT, CM__PUB_NONE, 0,
	  offsetof(struct cm__network_entry, payer), 200, CM__TEXT_INTERN, 0, 0, NULL },
	{ "network status", 2, CM__F_I32, CM__PUB_NONE, 0,
	  offsetof(struct cm__network_entry, status), 0, 0, 0, 0, NULL },
};
static const struct cm__schema network_schema = {
	"network entry", sizeof(struct cm__network_entry), network_fields, 2
};

static const struct cm__field provider_fields[] = {
	{ "name", 61, CM__F_TEXT, CM__PUB_TEXT, CM_PROVIDER_NAME,
	  offsetof(struct cm__provider, name), 200, 0, 0, 0, NULL },
	{ "contact", 62, CM__F_TEXT, CM__PUB_TEXT, CM_PROVIDER_CONTACT,
	  offsetof(struct cm__provider, contact), 1000, 0, 0, 0, NULL },
	{ "provider kind", 20, CM__F_I32, CM__PUB_INT, CM_PROVIDER_KIND,
	  offsetof(struct cm__provider, kind), 0, CM__CHECK_RANGE,
	  CM_PROVIDER_HOME_HEALTH, CM_PROVIDER_OTHER, NULL },
	{ "intake", 21, CM__F_I32, CM__PUB_INT, CM_PROVIDER_INTAKE,
	  offsetof(struct cm__provider, intake), 0, CM__CHECK_RANGE,
	  CM_INTAKE_ACCEPTING, CM_INTAKE_CLOSED, NULL },
	{ "network", 40, CM__F_LIST, CM__PUB_NONE, 0,
	  offsetof(struct cm__provider, network), NETWORK_MAX, 0, 0, 0,
	  &network_schema },
};
static const struct cm__schema provider_schema = {
	"provider", sizeof(struct cm__provider), provider_fields,
	sizeof(provider_fields) / sizeof(provider_fields[0])
};

static int validate(cm_txn *txn, const struct cm__rec *rec)
{
	if (!((const struct cm__provider *)rec)->name)
		return cm__err(txn->store, CM_EINCOMPLETE,
			       "provider '%s' needs a name", rec->id);
	return CM_OK;
}

/* A decoded provider has a name, and a payer for each network entry. */
static int check_decoded(const struct cm__rec *rec)
{
	const struct cm__provider *p = (const struct cm__provider *)rec;
	uint32_t i;

	if (!p->name)
		return 0;
	for (i = 0; i < p->network.count; i++)
		if (!CM__LIST_AT(&p->network, struct cm__network_entry, i)->payer)
			return 0;
	return 1;
}

const struct cm__kind cm__provider_kind = {
	.kind = CM_KIND_PROVIDER,
	.name = "provider",
	.schema = &provider_schema,
	.check_decoded = check_decoded,
	.validate = validate,
	/* Its id, name, contact, a network entry. */
	.room = 256,
};

#define H(p) cm__handle_of(p, &cm__provider_kind)
#define REC(p) ((const struct cm__provider *)cm__handle_rec(p, &cm__provider_kind))

int cm_provider_new(cm_provider **out, cm_store *s, const char *name,
		    int32_t kind)
{
	struct cm__handle *h;
	struct cm__provider *p;
	int rc;

	if (!out || !s || !name || !name[0])
		return cm__err(s, CM_EINVAL, "provider new: NULL or empty argument");
	if ((rc = cm__check_text(s, name, 200, "provider name", 0)))
		return rc;
	if (kind < CM_PROVIDER_HOME_HEALTH || kind > CM_PROVIDER_OTHER)
		return cm__err(s, CM_ERANGE, "%d is not a provider kind", (int)kind);
	if ((rc = cm__handle_create(&h, s, &cm__provider_kind)))
		return rc;
	p = (struct cm__provider *)h->rec;
	p->kind = kind;
	p->intake = CM_INTAKE_ACCEPTING;
	if (!(p->name = cm__part_dup(s, &p->hdr, name, strlen(name)))) {
		cm__handle_release(h);
		return cm__err(s, CM_ENOMEM, "out of memory for a provider");
	}
	*out = (cm_provider *)(void *)h;
	return CM_OK;
}

int cm_provider_get(cm_provider **out, cm_store *s, const char *id)
{
	return cm__handle_get((struct cm__handle **)(void *)out, s,
			      &cm__provider_kind, id);
}

void cm_provider_free(cm_provider *p)
{
	cm__handle_free(H(p));
}

int cm_provider_save(cm_txn *txn, cm_provider *p)
{
	if (!txn || !H(p))
		return cm__err(txn ? txn->store : NULL, CM_EINVAL,
			       "provider save: NULL argument");
	return cm__txn_save(txn, H(p));
}

const char *cm_provider_id(const cm_provider *p)
{
	const struct cm__provider *r = REC(p);
	return r ? r->hdr.id : NULL;
}

int64_t cm_provider_revision(const cm_provider *p)
{
	const struct cm__provider *r = REC(p);
	return r ? r->hdr.revision : 0;
}

const char *cm_provider_text(const cm_provider *p, int32_t field)
{
	return H(p) ? cm__handle_text(H(p), field) : NULL;
}

int cm_provider_set_text(cm_provider *p, int32_t field, const char *value)
{
	return H(p) ? cm__handle_set_text(H(p), field, value) : CM_EINVAL;
}

int cm_provider_get_int(int64_t *out, const cm_provider *p, int32_t field)
{
	if (!out || !H(p))
		return cm__err(H(p) ? H(p)->store : NULL, CM_EINVAL,
			       "provider get int: NULL argument");
	return cm__handle_get_int(out, H(p), field);
}

int cm_provider_set_int(cm_provider *p, int32_t field, int64_t value)
{
	return H(p) ? cm__handle_set_int(H(p), field, value) : CM_EINVAL;
}

static long find_payer(const struct cm__provider *p, const char *payer)
{
	uint32_t i;

	for (i = 0; i < p->network.count; i++)
		if (strcmp(CM__LIST_AT(&p->network, struct cm__network_entry, i)->payer,
			   payer) == 0)
			return (long)i;
	return -1;
}

int cm_provider_set_network(cm_provider *pv, const char *payer, int32_t status)
{
	struct cm__handle *h = H(pv);
	struct cm__provider *p;
	struct cm__network_entry *e;
	char *copy;
	long at;
	int rc;

	if (!h || !payer || !payer[0])
		return cm__err(h ? h->store : NULL, CM_EINVAL,
			       "provider network: NULL or empty payer");
	if ((rc = cm__check_text(h->store, payer, 200, "payer", 0)))
		return rc;
	if (status < 0 || status > CM_NETWORK_OUT)
		return cm__err(h->store, CM_ERANGE, "%d is not a network status",
			       (int)status);
	at = find_payer((const struct cm__provider *)h->rec, payer);
	if (status == 0 && at < 0)
		return cm__err(h->store, CM_ENOTFOUND,
			       "provider has no network entry for '%s'", payer);
	if (at < 0 && ((const struct cm__provider *)h->rec)->network.count >=
			      NETWORK_MAX)
		return cm__err(h->store, CM_ERANGE, "at most %d payers",
			       NETWORK_MAX);
	if (!(copy = at < 0 ? cm__part_dup(h->store, h->rec, payer,
					   strlen(payer)) : NULL) && at < 0)
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	if (!(p = (struct cm__provider *)cm__handle_mut(h))) {
		cm__part_free(h->store, h->rec, copy);
		return CM_ENOMEM;
	}
	if (status == 0) {
		cm__list_remove(h->store, &p->hdr, &p->network, &network_schema,
				(size_t)at);
	} else if (at >= 0) {
		CM__LIST_AT(&p->network, struct cm__network_entry, at)->status = status;
	} else {
		if (cm__list_push(h->store, &p->hdr, &p->network, &network_schema,
				  NETWORK_MAX, (void **)&e)) {
			cm__part_free(h->store, &p->hdr, copy);
			return cm__err(h->store, CM_ENOMEM, "out of memory");
		}
		e->payer = copy;
		e->status = status;
	}
	h->mods++;
	return CM_OK;
}

int cm_provider_network(int32_t *out, const cm_provider *pv, const char *payer)
{
	const struct cm__provider *p = REC(pv);
	long at;

	if (!out || !p || !payer)
		return cm__err(p ? H(pv)->store : NULL, CM_EINVAL,
			       "provider network: NULL argument");
	at = find_payer(p, payer);
	if (at < 0)
		return cm__err(H(pv)->store, CM_ENOTFOUND,
			       "provider has no network entry for '%.64s'", payer);
	*out = CM__LIST_AT(&p->network, struct cm__network_entry, at)->status;
	return CM_OK;
}
