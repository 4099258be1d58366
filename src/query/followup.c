/*
 * Follow-up: contact intervals by risk tier (a store setting) and recording
 * a contact, which moves the client's next follow-up due date.
 */
#include <string.h>

#include "core/datetime.h"
#include "event/event_impl.h"
#include "query/query_impl.h"

void cm__contact_intervals_default(int32_t out[5])
{
	/* Tier 0 is "not stratified yet": monthly, like a moderate tier. */
	static const int32_t def[5] = { 30, 90, 30, 14, 7 };
	memcpy(out, def, sizeof(def));
}

int32_t cm__contact_interval(cm_store *s, int32_t tier)
{
	int32_t days;

	pthread_mutex_lock(&s->meta);
	days = s->contact_interval[tier >= 0 && tier <= 4 ? tier : 0];
	pthread_mutex_unlock(&s->meta);
	return days;
}

int cm_store_set_contact_interval(cm_store *s, int32_t tier, int32_t days)
{
	if (!s)
		return CM_EINVAL;
	if (tier < 0 || tier > 4)
		return cm__err(s, CM_ERANGE, "%d is not a risk tier (0..4)", (int)tier);
	if (days < 1 || days > 366)
		return cm__err(s, CM_ERANGE,
			       "contact interval %d is outside 1..366 days", (int)days);
	pthread_mutex_lock(&s->meta);
	s->contact_interval[tier] = days;
	pthread_mutex_unlock(&s->meta);
	return CM_OK;
}

int cm_store_contact_interval(int32_t *out, cm_store *s, int32_t tier)
{
	if (!out || !s)
		return cm__err(s, CM_EINVAL, "contact interval: NULL argument");
	if (tier < 0 || tier > 4)
		return cm__err(s, CM_ERANGE, "%d is not a risk tier (0..4)", (int)tier);
	*out = cm__contact_interval(s, tier);
	return CM_OK;
}

/* 1 if the store holds a committed contact of the client after time t. */
static int later_contact(cm_store *s, const char *client_id, int64_t t)
{
	const struct cm__bucket *b;
	uint32_t i;
	int found = 0;

	CM__RDLOCK(s);
	b = cm__mindex_get(&s->events_by_client, client_id);
	/* Newest first: stop at the first event not after t. */
	for (i = b ? b->n : 0;
	     i > 0 && cm__bucket_key(b, i - 1) > t && !found; i--)
		found = CM__EVENT_AT(s, b, i - 1)->type == CM_EVENT_CONTACT;
	CM__UNLOCK(s);
	return found;
}

int cm_client_record_contact(cm_txn *txn, cm_client *client, cm_event *event)
{
	struct cm__handle *ch = cm__handle_of(client, &cm__client_kind);
	struct cm__handle *eh = cm__handle_of(event, &cm__event_kind);
	const struct cm__event *e;
	cm_store *s;
	int32_t old_due;
	int64_t due;
	uint64_t mods;
	size_t n0;
	int rc;

	if (!txn || !ch || !eh)
		return cm__err(txn ? txn->store : NULL, CM_EINVAL,
			       "record contact: NULL argument");
	s = txn->store;
	e = (const struct cm__event *)eh->rec;
	if (ch->store != s || eh->store != s)
		return cm__err(s, CM_EINVAL, "record contact: another store");
	if (e->type != CM_EVENT_CONTACT)
		return cm__err(s, CM_EINVAL, "record contact: the event is a %s, "
			       "not a contact", cm_event_type_code(e->type));
	if (strcmp(e->client_id, ch->rec->id) != 0)
		return cm__err(s, CM_EINVAL,
			       "record contact: the event is of another client");
	if ((rc = cm__handle_check_mutable(eh)))
		return rc;
	/* Staged already, its save would replace that op, which a failure
	 * further on could not restore. */
	if (cm__txn_staged(txn, CM_KIND_EVENT, eh->rec->id))
		return cm__err(s, CM_ESTATE, "record contact: event '%s' is "
			       "already staged in this transaction",
			       eh->rec->id);
	due = (int64_t)cm__time_day(e->time) +
	      cm__contact_interval(s, ((const struct cm__client *)ch->rec)->risk_tier);
	if (!cm__days_valid(due))
		return cm__err(s, CM_EDATE, "record contact: next follow-up "
			       "would be past 9999-12-31");
	n0 = txn->nops;
	if ((rc = cm__txn_save(txn, eh)))
		return rc;
	if (later_contact(s, e->client_id, e->time))
		return CM_OK; /* an older contact, recorded late */
	old_due = ((const struct cm__client *)ch->rec)->next_followup;
	mods = ch->mods;
	rc = cm__handle_set_int(ch, CM_CLIENT_NEXT_FOLLOWUP, due);
	if (rc == CM_OK && (rc = cm__txn_save(txn, ch)) != CM_OK) {
		/* The handle is private now: restoring cannot fail. */
		((struct cm__client *)ch->rec)->next_followup = old_due;
		ch->mods = mods;
	}
	if (rc)
		cm__txn_truncate(txn, n0);
	return rc;
}

/* ---- reassessment intervals -------------------------------------------- */

void cm__reassess_intervals_default(int32_t out[5])
{
	/* Tier 0 (not stratified yet) and tier 1: yearly; then 6 months,
	 * 3 months, monthly. */
	static const int32_t def[5] = { 365, 365, 180, 90, 30 };
	memcpy(out, def, sizeof(def));
}

int32_t cm__reassess_interval(cm_store *s, int32_t tier)
{
	int32_t days;

	pthread_mutex_lock(&s->meta);
	days = s->reassess_interval[tier >= 0 && tier <= 4 ? tier : 0];
	pthread_mutex_unlock(&s->meta);
	return days;
}

int cm_store_set_reassessment_interval(cm_store *s, int32_t tier, int32_t days)
{
	if (!s)
		return CM_EINVAL;
	if (tier < 0 || tier > 4)
		return cm__err(s, CM_ERANGE, "%d is not a risk tier (0..4)", (int)tier);
	if (days < 1 || days > CM__REASSESS_MAX)
		return cm__err(s, CM_ERANGE,
			       "reassessment interval %d is outside 1..%d days",
			       (int)days, CM__REASSESS_MAX);
	pthread_mutex_lock(&s->meta);
	s->reassess_interval[tier] = days;
	pthread_mutex_unlock(&s->meta);
	return CM_OK;
}

int cm_store_reassessment_interval(int32_t *out, cm_store *s, int32_t tier)
{
	if (!out || !s)
		return cm__err(s, CM_EINVAL, "reassessment interval: NULL argument");
	if (tier < 0 || tier > 4)
		return cm__err(s, CM_ERANGE, "%d is not a risk tier (0..4)", (int)tier);
	*out = cm__reassess_interval(s, tier);
	return CM_OK;
}
