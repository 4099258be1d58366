/*
 * The worklist: what a case manager should do next, as of a date. Rules are
 * documented in casemgr/query.h; each is a small function over one client's
 * record, events and services.
 */
#include <stdlib.h>
#include <string.h>

#include "assessment/assessment_impl.h"
#include "core/datetime.h"
#include "event/event_impl.h"
#include "plan/plan_impl.h"
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
#define PLAN_KINDS                                \
	(CM_WORK_BIT(CM_WORK_GOAL_PAST_TARGET) | \
	 CM_WORK_BIT(CM_WORK_PLAN_REVIEW_DUE))
#define ASSESS_KINDS CM_WORK_BIT(CM_WORK_REASSESSMENT_DUE)

struct wl_item {
	int32_t kind, priority, due, rkind;
	const char *client; /* slot ids: live as long as the store */
	const char *record;
	/* GOAL_PAST_TARGET only (unset otherwise): the goal's element id,
	 * copied, as the plan version holding it may be replaced. */
	char element[CM__EID_MAX + 1];
	/* Contact items read from the contact index: the client id copied
	 * from the index entry (client and record are NULL then), so that
	 * reading the rows touches no slot. */
	char cid[CM__CENT_ID_INLINE + 1];
};

/* Items kept in the worklist's own allocation: a caseload's worklist fits. */
#define WL_INLINE 24

struct cm_worklist {
	cm_store *store;
	struct wl_item *items; /* inline, or allocated when it grew */
	size_t n, cap, total;
	size_t first, end, cur; /* the page, and the current item + 1 */
	struct wl_item inline_items[WL_INLINE];
};

struct wl_ctx {
	cm_store *s;
	cm_worklist *wl;
	int32_t as_of, last; /* last = as_of + horizon */
	int64_t end;         /* the first instant after as_of */
	uint32_t kinds;
	int nomem;
	int sorted; /* items were collected in worklist order */
};

static void push(struct wl_ctx *x, int32_t kind, int32_t prio, int64_t due,
		 int32_t rkind, const char *client, const char *record)
{
	cm_worklist *wl = x->wl;
	struct wl_item *it;

	if (!(x->kinds & CM_WORK_BIT(kind)) || x->nomem)
		return;
	if (wl->n == wl->cap) {
		struct wl_item *grown = NULL;
		size_t cap = 0;
		if (cm__reserve(x->s, (void **)&grown, &cap, wl->cap * 2,
				sizeof(*wl->items))) {
			x->nomem = 1;
			return;
		}
		memcpy(grown, wl->items, wl->n * sizeof(*wl->items));
		if (wl->items != wl->inline_items)
			cm__free(x->s, wl->items);
		wl->items = grown;
		wl->cap = cap;
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
		cm__mindex_get(&x->s->events_by_client, CM__SLOT_ID(client));
	uint32_t i;
	int amended = cm__events_amended(x->s, b);
	long discharge = -1;

	if (!b)
		return;
	for (i = 0; i < b->n && cm__bucket_key(b, i) < x->end; i++) {
		const struct cm__event *e = CM__EVENT_AT(x->s, b, i);
		if (!cm__event_effective(x->s, b, i, x->end, amended))
			continue;
		if (e->type == CM_EVENT_DISCHARGE)
			discharge = (long)i;
		if (e->type == CM_EVENT_APPOINTMENT_MISSED &&
		    cm__event_next_of(x->s, b, i, x->end, amended, INT64_MAX,
				      CM_EVENT_CONTACT,
				      CM_EVENT_CONTACT_ATTEMPT) < 0)
			push(x, CM_WORK_MISSED_APPOINTMENT, CM_PRIORITY_URGENT,
			     (int64_t)cm__time_day(e->time) + 1, CM_KIND_EVENT,
			     CM__SLOT_ID(client),
			     CM__SLOT_ID(cm__bucket_slot(x->s, b, i)));
	}
	if (discharge >= 0 &&
	    cm__event_next_of(x->s, b, (uint32_t)discharge, x->end, amended,
			      INT64_MAX, CM_EVENT_CONTACT, CM_EVENT_CONTACT) < 0) {
		uint32_t d = (uint32_t)discharge;
		int64_t due = (int64_t)cm__time_day(cm__bucket_key(b, d)) + 7;
		push(x, CM_WORK_DISCHARGE_NO_FOLLOWUP,
		     due < x->as_of ? CM_PRIORITY_ASAP : CM_PRIORITY_URGENT, due,
		     CM_KIND_EVENT, CM__SLOT_ID(client),
		     CM__SLOT_ID(cm__bucket_slot(x->s, b, d)));
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
		cm__mindex_get(&x->s->services_by_client, CM__SLOT_ID(client));
	uint32_t i;

	for (i = 0; b && i < b->n; i++) {
		const struct cm__service *v =
			(const struct cm__service *)
				cm__bucket_slot(x->s, b, i)->cur;
		if ((v->status == CM_TASK_REQUESTED ||
		     v->status == CM_TASK_RECEIVED) &&
		    v->deadline != CM_DATE_NONE && v->deadline <= x->last) {
			int32_t prio = v->priority;
			if (v->deadline < x->as_of && prio < CM_PRIORITY_URGENT)
				prio = CM_PRIORITY_URGENT;
			push(x, CM_WORK_SERVICE_NO_RESPONSE, prio, v->deadline,
			     CM_KIND_SERVICE, CM__SLOT_ID(client),
			     CM__SLOT_ID(cm__bucket_slot(x->s, b, i)));
		}
		if (!service_ended(v->status) &&
		    (v->auth_status == CM_AUTH_APPROVED ||
		     v->auth_status == CM_AUTH_PARTIAL) &&
		    v->auth_to != CM_DATE_NONE && v->auth_to >= x->as_of &&
		    v->auth_to <= x->last)
			push(x, CM_WORK_AUTH_EXPIRING, CM_PRIORITY_ROUTINE,
			     v->auth_to, CM_KIND_SERVICE, CM__SLOT_ID(client),
			     CM__SLOT_ID(cm__bucket_slot(x->s, b, i)));
	}
}

/* ---- rules over care plans -------------------------------------------- */

/* Achieved, or achieved and being sustained. */
static int achieved(int32_t achievement)
{
	return achievement == CM_ACHIEVEMENT_ACHIEVED ||
	       achievement == CM_ACHIEVEMENT_SUSTAINING;
}

static int goal_closed(int32_t status)
{
	return status == CM_GOAL_COMPLETED || status == CM_GOAL_CANCELLED ||
	       status == CM_GOAL_ENTERED_IN_ERROR || status == CM_GOAL_REJECTED;
}

static void plan_items(struct wl_ctx *x, const struct cm__slot *client)
{
	const struct cm__bucket *b =
		cm__mindex_get(&x->s->plans_by_client, CM__SLOT_ID(client));
	uint32_t i, j;

	for (i = 0; b && i < b->n && !x->nomem; i++) {
		const struct cm__plan *p =
			(const struct cm__plan *)
				cm__bucket_slot(x->s, b, i)->cur;
		const char *pid = CM__SLOT_ID(cm__bucket_slot(x->s, b, i));
		if (p->status != CM_PLAN_ACTIVE)
			continue;
		if (p->next_review != CM_DATE_NONE && p->next_review <= x->last)
			push(x, CM_WORK_PLAN_REVIEW_DUE,
			     p->next_review < x->as_of ? CM_PRIORITY_URGENT
						       : CM_PRIORITY_ROUTINE,
			     p->next_review, CM_KIND_PLAN, CM__SLOT_ID(client), pid);
		if (!(x->kinds & CM_WORK_BIT(CM_WORK_GOAL_PAST_TARGET)))
			continue;
		for (j = 0; j < p->goals.count && !x->nomem; j++) {
			const struct cm__goal *g =
				CM__LIST_AT(&p->goals, struct cm__goal, j);
			size_t n = x->wl->n;
			if (g->target_date == CM_DATE_NONE ||
			    g->target_date >= x->as_of || goal_closed(g->status) ||
			    achieved(g->achievement))
				continue;
			push(x, CM_WORK_GOAL_PAST_TARGET, CM_PRIORITY_URGENT,
			     g->target_date, CM_KIND_PLAN, CM__SLOT_ID(client), pid);
			if (x->wl->n > n) {
				/* Element ids are at most CM__EID_MAX bytes. */
				char *dst = x->wl->items[n].element;
				strncpy(dst, g->eid, CM__EID_MAX);
				dst[CM__EID_MAX] = '\0';
			}
		}
	}
}

/* ---- rules over assessments -------------------------------------------- */

/* The day the case was first made active (else the client's creation). */
static int32_t enrolled_day(const struct cm__client *c)
{
	uint32_t i;

	for (i = 0; i < c->history.count; i++) {
		const struct cm__hist *h =
			CM__LIST_AT(&c->history, struct cm__hist, i);
		if (h->to == CM_CASE_ACTIVE && h->time != CM_TIME_NONE)
			return cm__time_day(h->time);
	}
	return cm__time_day(c->hdr.created);
}

static void assessment_items(struct wl_ctx *x, const struct cm__slot *client)
{
	const struct cm__client *c = (const struct cm__client *)client->cur;
	const struct cm__bucket *b =
		cm__mindex_get(&x->s->assessments_by_client, CM__SLOT_ID(client));
	const struct cm__slot *last = NULL;
	int64_t last_time = 0, due;
	uint32_t i;

	for (i = 0; b && i < b->n; i++) {
		const struct cm__assessment *a =
			(const struct cm__assessment *)
				cm__bucket_slot(x->s, b, i)->cur;
		if ((a->status != CM_ASSESSMENT_COMPLETED &&
		     a->status != CM_ASSESSMENT_AMENDED) || a->time >= x->end)
			continue;
		/* Latest by time; ties by id (the bucket's order). */
		if (!last || a->time >= last_time) {
			last = cm__bucket_slot(x->s, b, i);
			last_time = a->time;
		}
	}
	if (last)
		due = (int64_t)cm__time_day(last_time) +
		      cm__reassess_interval(x->s, c->risk_tier);
	else
		due = enrolled_day(c);
	if (due > x->last)
		return;
	push(x, CM_WORK_REASSESSMENT_DUE,
	     due < x->as_of ? CM_PRIORITY_URGENT : CM_PRIORITY_ROUTINE, due,
	     last ? CM_KIND_ASSESSMENT : CM_KIND_CLIENT, CM__SLOT_ID(client),
	     last ? CM__SLOT_ID(last) : CM__SLOT_ID(client));
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
			     c->next_followup, CM_KIND_CLIENT, CM__SLOT_ID(slot), CM__SLOT_ID(slot));
		else if (c->next_followup <= x->last)
			push(x, CM_WORK_CONTACT_DUE, CM_PRIORITY_ROUTINE,
			     c->next_followup, CM_KIND_CLIENT, CM__SLOT_ID(slot), CM__SLOT_ID(slot));
	}
	if (x->kinds & EVENT_KINDS)
		event_items(x, slot);
	if (x->kinds & SERVICE_KINDS)
		service_items(x, slot);
	if (x->kinds & PLAN_KINDS)
		plan_items(x, slot);
	if (x->kinds & ASSESS_KINDS)
		assessment_items(x, slot);
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
	if ((c = strcmp(a->record, b->record)) != 0 ||
	    a->kind != CM_WORK_GOAL_PAST_TARGET)
		return c;
	/* Goals of one plan: by element id, "g2" before "g10". */
	if (strlen(a->element) != strlen(b->element))
		return strlen(a->element) < strlen(b->element) ? -1 : 1;
	return strcmp(a->element, b->element);
}

static void collect(struct wl_ctx *x, const char *case_manager)
{
	cm_store *s = x->s;
	size_t i;

	if (!case_manager) {
		const struct cm__table *t = &s->tables[CM_KIND_CLIENT];
		for (i = 0; i < t->count && !x->nomem; i++)
			client_items(x, cm__table_slot(t, i));
		return;
	} else if ((x->kinds & ~CONTACT_KINDS) == 0) {
		/* Only contacts: the contact index lists the manager's active
		 * clients by next follow-up then id, which is worklist order;
		 * its entries are all that is needed. */
		const struct cm__cbucket *b = cm__cix_get(s, case_manager);
		const struct cm__cent *e;
		uint32_t n, j, k;
		for (k = 0; (e = cm__cix_chunk(b, k, &n)) != NULL; k++) {
			for (j = 0; j < n && e[j].due <= x->last && !x->nomem; j++) {
				/* A long id is the slot's (it lives as long as
				 * the store); a short one is copied from the
				 * entry. */
				const char *id = e[j].id[0] ? NULL
						 : cm__cent_id(s, &e[j]);
				size_t at = x->wl->n;
				if (e[j].due < x->as_of)
					push(x, CM_WORK_CONTACT_OVERDUE, CM_PRIORITY_URGENT,
					     e[j].due, CM_KIND_CLIENT, id, id);
				else
					push(x, CM_WORK_CONTACT_DUE, CM_PRIORITY_ROUTINE,
					     e[j].due, CM_KIND_CLIENT, id, id);
				if (!id && x->wl->n > at)
					memcpy(x->wl->items[at].cid, e[j].id, sizeof(e[j].id));
			}
			if (j < n)
				break;
		}
		x->sorted = 1;
	} else {
		const struct cm__bucket *b =
			cm__mindex_get(&s->clients_by_cm, case_manager);
		for (i = 0; b && i < b->n && !x->nomem; i++)
			client_items(x, cm__bucket_slot(x->s, b, i));
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
	if (!(wl = cm__alloc(s, sizeof(*wl))))
		return cm__err(s, CM_ENOMEM, "out of memory for a worklist");
	wl->items = wl->inline_items;
	wl->n = 0;
	wl->cap = WL_INLINE;
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
		if (wl->items != wl->inline_items)
			cm__free(s, wl->items);
		cm__free(s, wl);
		return cm__err(s, CM_ENOMEM, "out of memory for a worklist");
	}
	if (wl->n > 1 && !x.sorted) /* items is NULL when empty */
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

/* First layout of cm_contact_row: every later one starts with it. */
#define CONTACT_ROW_V1 sizeof(cm_contact_row)

_Static_assert(sizeof(((struct cm__cent *)0)->id) <=
		       sizeof(((cm_contact_row *)0)->client_id),
	       "a contact row holds an entry's inline id");

/* The entries of e[0..n) due by `last`: a prefix. */
static uint32_t due_by(const struct cm__cent *e, uint32_t n, int32_t last)
{
	uint32_t lo = 0, hi = n;

	if (n && e[n - 1].due <= last)
		return n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (e[mid].due <= last)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void contact_row(const cm_store *s, cm_contact_row *r,
			const struct cm__cent *e, int32_t as_of)
{
	int overdue = e->due < as_of;

	r->kind = overdue ? CM_WORK_CONTACT_OVERDUE : CM_WORK_CONTACT_DUE;
	r->priority = overdue ? CM_PRIORITY_URGENT : CM_PRIORITY_ROUTINE;
	r->due = e->due;
	if (e->id[0]) {
		/* One fixed-size copy of the zero-padded inline id. */
		memcpy(r->client_id, e->id, sizeof(e->id));
	} else {
		/* At most CM__ID_MAX bytes: client_id holds it. */
		strcpy(r->client_id, cm__cent_id(s, e));
	}
}

int cm_worklist_contacts(size_t *out_count, size_t *out_total,
			 cm_contact_row *rows, size_t row_size, size_t max_rows,
			 cm_store *s, const char *case_manager, int32_t as_of,
			 int32_t horizon_days, size_t offset)
{
	const struct cm__cbucket *b;
	const struct cm__cent *e;
	int32_t last = as_of + horizon_days;
	size_t pos = 0, got = 0, want;
	uint32_t n, m, j, k;
	int rc;

	if (!out_count || !s || !case_manager || (!rows && max_rows))
		return cm__err(s, CM_EINVAL, "contact worklist: NULL argument");
	if ((rc = cm__check_row_size(s, row_size, CONTACT_ROW_V1,
				     _Alignof(cm_contact_row), "contact worklist")))
		return rc;
	if (!cm__days_valid(as_of))
		return cm__err(s, CM_EDATE,
			       "contact worklist: as_of is not a valid date");
	if (horizon_days < 0 || horizon_days > 366)
		return cm__err(s, CM_ERANGE,
			       "contact worklist: horizon %d is outside 0..366",
			       (int)horizon_days);
	if (strnlen(case_manager, 65) > 64)
		return cm__check_text(s, case_manager, 64, "case manager", 1);
	if ((rc = cm__store_usable(s)))
		return rc;
	CM__RDLOCK(s);
	b = cm__cix_get(s, case_manager);
	/* A case manager with entries equals a stored, checked id: only an
	 * unknown one needs its text checked (bad UTF-8 is an error, not an
	 * empty list). */
	if (!b) {
		CM__UNLOCK(s);
		if ((rc = cm__check_text(s, case_manager, 64, "case manager", 1)))
			return rc;
		CM__RDLOCK(s);
		b = cm__cix_get(s, case_manager);
	}
	/* The rows are the entries due by `last`: a prefix of the bucket,
	 * chunk after chunk. A chunk's entries before the page are all due
	 * when the last of them is (one line read), else binary-searched;
	 * the page's part is scanned in order (those lines are read anyway,
	 * and the hardware prefetches them); only a total asked for past
	 * the page binary-searches the rest. */
	want = offset + max_rows < offset ? SIZE_MAX : offset + max_rows;
	for (k = 0; (e = cm__cix_chunk(b, k, &n)) != NULL; k++) {
		size_t reach = want > pos ? want - pos : 0;
		uint32_t skip = offset <= pos ? 0
				: offset - pos < n ? (uint32_t)(offset - pos) : n;
		if (skip && e[skip - 1].due > last) {
			m = due_by(e, skip, last); /* the rows end before the page */
		} else {
			for (m = skip; m < n && m < reach && e[m].due <= last; m++)
				;
			if (out_total && m < n && m == reach && e[m].due <= last)
				m += due_by(e + m, n - m, last);
		}
		for (j = skip; j < m && got < max_rows; j++, got++)
			contact_row(s, (cm_contact_row *)(void *)((char *)rows + got * row_size),
				    &e[j], as_of);
		pos += m;
		if (m < n || (got == max_rows && !out_total))
			break;
	}
	CM__UNLOCK(s);
	*out_count = got;
	if (out_total)
		*out_total = pos;
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
	const struct wl_item *it = item(wl);
	return it ? (it->client ? it->client : it->cid) : NULL;
}

int32_t cm_worklist_record_kind(const cm_worklist *wl)
{
	return item(wl) ? item(wl)->rkind : 0;
}

const char *cm_worklist_record_id(const cm_worklist *wl)
{
	const struct wl_item *it = item(wl);
	return it ? (it->record ? it->record : it->cid) : NULL;
}

const char *cm_worklist_element_id(const cm_worklist *wl)
{
	const struct wl_item *it = item(wl);

	return (it && it->kind == CM_WORK_GOAL_PAST_TARGET) ? it->element : NULL;
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
	if (wl->items != wl->inline_items)
		cm__free(s, wl->items);
	cm__free(s, wl);
	cm__store_unref(s);
}
