/*
 * The worklist: what a case manager should do next, as of a date. Rules are
 * documented in casemgr/query.h; each is a small function over one client's
 * record, events and services.
 */
#include <stdlib.h>
#include <string.h>

#include "core/datetime.h"
#include "event/event_impl.h"
#include "query/query_impl.h"
#include "service/service_impl.h"

#define ALL_KINDS                                                              \
	(CM_WORK_BIT(CM_WORK_CONTACT_DUE) | CM_WORK_BIT(CM_WORK_CONTACT_OVERDUE) | \
	 CM_WORK_BIT(CM_WORK_GOAL_PAST_TARGET) |                               \
	 CM_WORK_BIT(CM_WORK_SERVICE_NO_RESPONSE) |                            \
	 CM_WORK_BIT(CM_WORK_AUTH_EXPIRING) |                                  \
	 CM_WORK_BIT(CM_WORK_PLAN_REVIEW_DUE) |                                \
	 CM_WORK_BIT(CM_WORK_REASSESSMENT_DUE) |                               \
	 CM_WORK_BIT(CM_WORK_DISCHARGE_NO_FOLLOWUP) |                          \
	 CM_WORK_BIT(CM_WORK_MISSED_APPOINTMENT))
#define CONTACT_KINDS \
	(CM_WORK_BIT(CM_WORK_CONTACT_DUE) | CM_WORK_BIT(CM_WORK_CONTACT_OVERDUE))
#define EVENT_KINDS                                  \
	(CM_WORK_BIT(CM_WORK_DISCHARGE_NO_FOLLOWUP) | \
	 CM_WORK_BIT(CM_WORK_MISSED_APPOINTMENT))
#define SERVICE_KINDS                               \
	(CM_WORK_BIT(CM_WORK_SERVICE_NO_RESPONSE) | \
	 CM_WORK_BIT(CM_WORK_AUTH_EXPIRING))

struct wl_item {
	int32_t kind, priority, due, rkind;
	const char *client; /* slot ids: live as long as the store */
	const char *record;
};

struct cm_worklist {
	cm_store *store;
	struct wl_item *items;
	size_t n, cap, total;
	size_t first, end, cur; /* the page, and the current item + 1 */
};

struct wl_ctx {
	cm_store *s;
	cm_worklist *wl;
	int32_t as_of, last; /* last = as_of + horizon */
	int64_t end;         /* the first instant after as_of */
	uint32_t kinds;
	int nomem;
};

static void push(struct wl_ctx *x, int32_t kind, int32_t prio, int64_t due,
		 int32_t rkind, const char *client, const char *record)
{
	cm_worklist *wl = x->wl;
	struct wl_item *it;

	if (!(x->kinds & CM_WORK_BIT(kind)) || x->nomem)
		return;
	if (cm__reserve(x->s, (void **)&wl->items, &wl->cap, wl->n + 1,
			sizeof(*wl->items))) {
		x->nomem = 1;
		return;
	}
	it = &wl->items[wl->n++];
	it->kind = kind;
	it->priority = prio;
	/* Past the calendar's end: keep it orderable. */
	it->due = due > CM_DATE_MAX ? CM_DATE_MAX : (int32_t)due;
	it->rkind = rkind;
	it->client = client;
	it->record = record;
}

/* ---- rules over events ------------------------------------------------- */

static void event_items(struct wl_ctx *x, const struct cm__slot *client)
{
	const struct cm__bucket *b =
		cm__mindex_get(&x->s->events_by_client, client->id);
	uint32_t i;
	int amended = cm__events_amended(b);
	long discharge = -1;

	if (!b)
		return;
	for (i = 0; i < b->n && b->e[i].key < x->end; i++) {
		const struct cm__event *e = CM__EVENT_AT(b, i);
		if (!cm__event_effective(b, i, x->end, amended))
			continue;
		if (e->type == CM_EVENT_DISCHARGE)
			discharge = (long)i;
		if (e->type == CM_EVENT_APPOINTMENT_MISSED &&
		    cm__event_next_of(b, i, x->end, amended, INT64_MAX,
				      CM_EVENT_CONTACT,
				      CM_EVENT_CONTACT_ATTEMPT) < 0)
			push(x, CM_WORK_MISSED_APPOINTMENT, CM_PRIORITY_URGENT,
			     (int64_t)cm__time_day(e->time) + 1, CM_KIND_EVENT,
			     client->id, b->e[i].slot->id);
	}
	if (discharge >= 0 &&
	    cm__event_next_of(b, (uint32_t)discharge, x->end, amended, INT64_MAX,
			      CM_EVENT_CONTACT, CM_EVENT_CONTACT) < 0) {
		int64_t due = (int64_t)cm__time_day(b->e[discharge].key) + 7;
		push(x, CM_WORK_DISCHARGE_NO_FOLLOWUP,
		     due < x->as_of ? CM_PRIORITY_ASAP : CM_PRIORITY_URGENT, due,
		     CM_KIND_EVENT, client->id, b->e[discharge].slot->id);
	}
}

/* ---- rules over services ----------------------------------------------- */

static int service_ended(int32_t status)
{
	return status == CM_TASK_REJECTED || status == CM_TASK_CANCELLED ||
	       status == CM_TASK_FAILED || status == CM_TASK_COMPLETED ||
	       status == CM_TASK_ENTERED_IN_ERROR;
}

static void service_items(struct wl_ctx *x, const struct cm__slot *client)
{
	const struct cm__bucket *b =
		cm__mindex_get(&x->s->services_by_client, client->id);
	uint32_t i;

	for (i = 0; b && i < b->n; i++) {
		const struct cm__service *v =
			(const struct cm__service *)b->e[i].slot->cur;
		if ((v->status == CM_TASK_REQUESTED ||
		     v->status == CM_TASK_RECEIVED) &&
		    v->deadline != CM_DATE_NONE && v->deadline <= x->last) {
			int32_t prio = v->priority;
			if (v->deadline < x->as_of && prio < CM_PRIORITY_URGENT)
				prio = CM_PRIORITY_URGENT;
			push(x, CM_WORK_SERVICE_NO_RESPONSE, prio, v->deadline,
			     CM_KIND_SERVICE, client->id, b->e[i].slot->id);
		}
		if (!service_ended(v->status) &&
		    (v->auth_status == CM_AUTH_APPROVED ||
		     v->auth_status == CM_AUTH_PARTIAL) &&
		    v->auth_to != CM_DATE_NONE && v->auth_to >= x->as_of &&
		    v->auth_to <= x->last)
			push(x, CM_WORK_AUTH_EXPIRING, CM_PRIORITY_ROUTINE,
			     v->auth_to, CM_KIND_SERVICE, client->id,
			     b->e[i].slot->id);
	}
}

/* ---- one client -------------------------------------------------------- */

static void client_items(struct wl_ctx *x, const struct cm__slot *slot)
{
	const struct cm__client *c = (const struct cm__client *)slot->cur;

	if (c->status != CM_CASE_ACTIVE)
		return;
	if (c->next_followup != CM_DATE_NONE) {
		if (c->next_followup < x->as_of)
			push(x, CM_WORK_CONTACT_OVERDUE, CM_PRIORITY_URGENT,
			     c->next_followup, CM_KIND_CLIENT, slot->id, slot->id);
		else if (c->next_followup <= x->last)
			push(x, CM_WORK_CONTACT_DUE, CM_PRIORITY_ROUTINE,
			     c->next_followup, CM_KIND_CLIENT, slot->id, slot->id);
	}
	if (x->kinds & EVENT_KINDS)
		event_items(x, slot);
	if (x->kinds & SERVICE_KINDS)
		service_items(x, slot);
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct wl_item *a = pa, *b = pb;
	int c;

	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = strcmp(a->client, b->client)) != 0)
		return c;
	return strcmp(a->record, b->record);
}

static void collect(struct wl_ctx *x, const char *case_manager)
{
	cm_store *s = x->s;
	size_t i;

	if (!case_manager) {
		const struct cm__table *t = &s->tables[CM_KIND_CLIENT];
		for (i = 0; i < t->count && !x->nomem; i++)
			client_items(x, t->slots[i]);
		return;
	} else {
		const struct cm__bucket *b =
			cm__mindex_get(&s->clients_by_cm, case_manager);
		/* The bucket is ordered by next follow-up: when only contacts
		 * are asked for, stop at the first one beyond the horizon. */
		int contacts_only = (x->kinds & ~CONTACT_KINDS) == 0;
		for (i = 0; b && i < b->n && !x->nomem; i++) {
			if (contacts_only && b->e[i].key > x->last)
				break;
			client_items(x, b->e[i].slot);
		}
	}
}

int cm_worklist_query(cm_worklist **out, cm_store *s, const char *case_manager,
		      int32_t as_of, int32_t horizon_days, uint32_t kinds,
		      size_t offset, size_t limit)
{
	struct wl_ctx x;
	cm_worklist *wl;
	int rc;

	if (!out || !s)
		return cm__err(s, CM_EINVAL, "worklist: NULL argument");
	if (!cm__days_valid(as_of))
		return cm__err(s, CM_EDATE, "worklist: as_of is not a valid date");
	if (horizon_days < 0 || horizon_days > 366)
		return cm__err(s, CM_ERANGE, "worklist: horizon %d is outside 0..366",
			       (int)horizon_days);
	if (kinds & ~(uint32_t)ALL_KINDS)
		return cm__err(s, CM_ERANGE, "worklist: unknown kinds in mask 0x%x",
			       (unsigned)kinds);
	if ((rc = cm__check_text(s, case_manager, 64, "case manager", 1)))
		return rc;
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	if (!(wl = cm__zalloc(s, sizeof(*wl))))
		return cm__err(s, CM_ENOMEM, "out of memory for a worklist");
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.wl = wl;
	x.as_of = as_of;
	x.last = as_of + horizon_days;
	x.end = ((int64_t)as_of + 1) * 86400;
	x.kinds = kinds ? kinds : (uint32_t)ALL_KINDS;
	CM__RDLOCK(s);
	collect(&x, case_manager);
	CM__UNLOCK(s);
	if (x.nomem) {
		cm__free(s, wl->items);
		cm__free(s, wl);
		return cm__err(s, CM_ENOMEM, "out of memory for a worklist");
	}
	if (wl->n > 1) /* items is NULL when empty: qsort(NULL, 0) is undefined */
		qsort(wl->items, wl->n, sizeof(*wl->items), item_cmp);
	wl->total = wl->n;
	wl->first = offset < wl->n ? offset : wl->n;
	wl->end = (limit && limit < wl->n - wl->first) ? wl->first + limit : wl->n;
	wl->cur = 0;
	wl->store = s;
	cm__store_ref(s);
	*out = wl;
	return CM_OK;
}

int cm_worklist_next(cm_worklist *wl)
{
	size_t next;

	if (!wl)
		return CM_EINVAL;
	next = wl->cur ? wl->cur : wl->first;
	if (next >= wl->end)
		return CM_ITEROVER;
	wl->cur = next + 1;
	return CM_OK;
}

static const struct wl_item *item(const cm_worklist *wl)
{
	return (wl && wl->cur) ? &wl->items[wl->cur - 1] : NULL;
}

int32_t cm_worklist_kind(const cm_worklist *wl)
{
	return item(wl) ? item(wl)->kind : 0;
}

int32_t cm_worklist_priority(const cm_worklist *wl)
{
	return item(wl) ? item(wl)->priority : 0;
}

int32_t cm_worklist_due(const cm_worklist *wl)
{
	return item(wl) ? item(wl)->due : CM_DATE_NONE;
}

const char *cm_worklist_client_id(const cm_worklist *wl)
{
	return item(wl) ? item(wl)->client : NULL;
}

int32_t cm_worklist_record_kind(const cm_worklist *wl)
{
	return item(wl) ? item(wl)->rkind : 0;
}

const char *cm_worklist_record_id(const cm_worklist *wl)
{
	return item(wl) ? item(wl)->record : NULL;
}

size_t cm_worklist_count(const cm_worklist *wl)
{
	return wl ? wl->end - wl->first : 0;
}

size_t cm_worklist_total(const cm_worklist *wl)
{
	return wl ? wl->total : 0;
}

void cm_worklist_free(cm_worklist *wl)
{
	cm_store *s;

	if (!wl)
		return;
	s = wl->store;
	cm__free(s, wl->items);
	cm__free(s, wl);
	cm__store_unref(s);
}
