/* Cost and funding: shares by party that must add up to the total cost. */
#include <string.h>

#include "service/service_impl.h"

#define SHARES_MAX 16
#define H(v) cm__handle_of(v, &cm__service_kind)
#define REC(v) ((const struct cm__service *)cm__handle_rec(v, &cm__service_kind))

int cm_service_add_share(cm_service *v, int32_t party, const char *name,
			 int64_t amount)
{
	struct cm__handle *h = H(v);
	struct cm__service *r;
	struct cm__list *l;
	struct cm__share *e;
	char *copy = NULL;
	int rc;

	if (!h)
		return CM_EINVAL;
	if (party < CM_PARTY_PAYER || party > CM_PARTY_OTHER)
		return cm__err(h->store, CM_ERANGE, "%d is not a party", (int)party);
	if (party != CM_PARTY_CLIENT && (!name || !name[0]))
		return cm__err(h->store, CM_EINVAL, "a %s share needs a name",
			       party == CM_PARTY_PAYER ? "payer"
			       : party == CM_PARTY_PROVIDER ? "provider" : "party");
	if ((rc = cm__check_text(h->store, name, 200, "share name", 1)))
		return rc;
	if (amount < 0 || amount > CM_MONEY_MAX)
		return cm__err(h->store, CM_ERANGE,
			       "share amount %lld is outside 0..%lld",
			       (long long)amount, (long long)CM_MONEY_MAX);
	if (cm__service_shares((const struct cm__service *)h->rec)->count >= SHARES_MAX)
		return cm__err(h->store, CM_ERANGE, "at most %d funding shares",
			       SHARES_MAX);
	if (name && name[0] &&
	    !(copy = cm__part_dup(h->store, h->rec, name, strlen(name))))
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	if (!(r = (struct cm__service *)cm__handle_mut(h)) ||
	    !(l = cm__field_list_mut(h->store, &r->hdr, cm__service_shares_field,
				     r)) ||
	    cm__list_push(h->store, &r->hdr, l, &cm__share_schema, SHARES_MAX,
			  (void **)&e)) {
		cm__part_free(h->store, h->rec, copy);
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	}
	e->party = party;
	e->name = copy;
	e->amount = amount;
	h->mods++;
	return CM_OK;
}

int cm_service_remove_share(cm_service *v, size_t index)
{
	struct cm__handle *h = H(v);
	struct cm__service *r;

	if (!h)
		return CM_EINVAL;
	if (index >= cm__service_shares((const struct cm__service *)h->rec)->count)
		return cm__err(h->store, CM_ERANGE, "no funding share %zu", index);
	if (!(r = (struct cm__service *)cm__handle_mut(h)))
		return CM_ENOMEM;
	/* A list with a share has its block: this cannot fail. */
	cm__list_remove(h->store, &r->hdr,
			cm__field_list_mut(h->store, &r->hdr,
					   cm__service_shares_field, r),
			&cm__share_schema, index);
	h->mods++;
	return CM_OK;
}

size_t cm_service_share_count(const cm_service *v)
{
	const struct cm__service *r = REC(v);
	return r ? cm__service_shares(r)->count : 0;
}

int cm_service_share_at(int32_t *party, const char **name, int64_t *amount,
			const cm_service *v, size_t index)
{
	const struct cm__handle *h = H(v);
	const struct cm__service *r;
	const struct cm__share *e;

	if (!h)
		return CM_EINVAL;
	r = (const struct cm__service *)h->rec;
	if (index >= cm__service_shares(r)->count)
		return cm__err(h->store, CM_ERANGE, "no funding share %zu", index);
	e = CM__LIST_AT(cm__service_shares(r), const struct cm__share, index);
	if (party)
		*party = e->party;
	if (name)
		*name = e->name;
	if (amount)
		*amount = e->amount;
	return CM_OK;
}

int cm_service_funding_check(int32_t *out_state, int64_t *out_diff,
			     const cm_service *v)
{
	const struct cm__handle *h = H(v);
	const struct cm__service *r;
	int64_t sum = 0, diff;
	uint32_t i;

	if (!out_state || !h)
		return cm__err(h ? h->store : NULL, CM_EINVAL,
			       "funding check: NULL argument");
	r = (const struct cm__service *)h->rec;
	/* At most 16 shares of at most 10^15: the sum cannot overflow. */
	for (i = 0; i < cm__service_shares(r)->count; i++)
		sum += CM__LIST_AT(cm__service_shares(r), const struct cm__share, i)->amount;
	diff = r->total_cost - sum;
	*out_state = diff == 0 ? CM_FUNDING_FUNDED
		     : diff > 0 ? CM_FUNDING_SHORT : CM_FUNDING_OVER;
	if (out_diff)
		*out_diff = diff;
	return CM_OK;
}
