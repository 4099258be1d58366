/*
 * Outcome measures over a period, as of a date (definitions in
 * casemgr/query.h). Each measure is a per-client function adding to a
 * numerator, a denominator and, where defined, a list of day counts for the
 * median.
 */
#include <stdlib.h>

#include "core/datetime.h"
#include "event/event_impl.h"
#include "plan/plan_impl.h"
#include "query/query_impl.h"
#include "service/service_impl.h"

#define DAY 86400

struct m_ctx {
	cm_store *s;
	int32_t from, to, as_of;
	int64_t end; /* the first instant after as_of */
	int64_t num, den;
	int32_t *days;
	size_t ndays, cap;
	int nomem;
};

static void add_days(struct m_ctx *x, int32_t d)
{
	if (cm__reserve(x->s, (void **)&x->days, &x->cap, x->ndays + 1,
			sizeof(*x->days))) {
		x->nomem = 1;
		return;
	}
	x->days[x->ndays++] = d;
}

static int in_period(const struct m_ctx *x, int32_t d)
{
	return d >= x->from && d <= x->to && d <= x->as_of;
}

/* Discharges in the period whose `window` days ended by as_of; numerator:
 * followed within the window by an event of type `then`. */
static void after_discharge(struct m_ctx *x, const struct cm__slot *client,
			    int32_t window, int32_t then)
{
	const struct cm__bucket *b =
		cm__mindex_get(&x->s->events_by_client, CM__SLOT_ID(client));
	int amended = cm__events_amended(x->s, b);
	uint32_t i;

	for (i = 0; b && i < b->n; i++) {
		int32_t d = cm__time_day(cm__bucket_key(b, i));
		if (CM__EVENT_AT(x->s, b, i)->type != CM_EVENT_DISCHARGE ||
		    !cm__event_effective(x->s, b, i, x->end, amended) ||
		    !in_period(x, d) || (int64_t)d + window > x->as_of)
			continue;
		x->den++;
		if (cm__event_next_of(x->s, b, i, x->end, amended,
				      cm__bucket_key(b, i) + (int64_t)window * DAY,
				      then, then) >= 0)
			x->num++;
	}
}

static void referral_closure(struct m_ctx *x, const struct cm__slot *client)
{
	const struct cm__bucket *b =
		cm__mindex_get(&x->s->services_by_client, CM__SLOT_ID(client));
	uint32_t i;

	for (i = 0; b && i < b->n; i++) {
		const struct cm__service *v =
			(const struct cm__service *)
				cm__bucket_slot(x->s, b, i)->cur;
		int started = v->started != CM_DATE_NONE && v->started <= x->as_of;
		if (v->status == CM_TASK_DRAFT ||
		    v->status == CM_TASK_ENTERED_IN_ERROR ||
		    v->requested == CM_DATE_NONE || !in_period(x, v->requested))
			continue;
		x->den++;
		if (started ||
		    (v->completed != CM_DATE_NONE && v->completed <= x->as_of) ||
		    v->status == CM_TASK_REJECTED)
			x->num++;
		if (started)
			add_days(x, v->started - v->requested);
	}
}

/* The latest (last = 1) or first effective contact at or after `since`,
 * before as_of ends; -1 if none. */
static long contact(const struct m_ctx *x, const struct cm__bucket *b,
		    int64_t since, int last)
{
	int amended = cm__events_amended(x->s, b);
	long found = -1;
	uint32_t i;

	for (i = 0; b && i < b->n && cm__bucket_key(b, i) < x->end; i++) {
		if (cm__bucket_key(b, i) < since ||
		    CM__EVENT_AT(x->s, b, i)->type != CM_EVENT_CONTACT ||
		    !cm__event_effective(x->s, b, i, x->end, amended))
			continue;
		found = (long)i;
		if (!last)
			break;
	}
	return found;
}

static void contact_compliance(struct m_ctx *x, const struct cm__slot *client)
{
	const struct cm__client *c = (const struct cm__client *)client->cur;
	const struct cm__bucket *b;
	long at;

	if (c->status != CM_CASE_ACTIVE)
		return;
	x->den++;
	b = cm__mindex_get(&x->s->events_by_client, CM__SLOT_ID(client));
	at = contact(x, b, CM_TIME_MIN, 1);
	if (at >= 0 && x->as_of - cm__time_day(cm__bucket_key(b, at)) <=
			       cm__contact_interval(x->s, c->risk_tier))
		x->num++;
}

static void first_contact(struct m_ctx *x, const struct cm__slot *client)
{
	const struct cm__client *c = (const struct cm__client *)client->cur;
	const struct cm__bucket *b;
	int64_t enrolled = CM_TIME_NONE;
	uint32_t i;
	long at;

	/* Enrolment: the first time the case was made active. */
	for (i = 0; i < c->history.count && enrolled == CM_TIME_NONE; i++) {
		const struct cm__hist *h = CM__LIST_AT(&c->history, struct cm__hist, i);
		if (h->to == CM_CASE_ACTIVE)
			enrolled = h->time;
	}
	if (enrolled == CM_TIME_NONE || !in_period(x, cm__time_day(enrolled)))
		return;
	x->den++;
	b = cm__mindex_get(&x->s->events_by_client, CM__SLOT_ID(client));
	at = contact(x, b, enrolled, 0);
	if (at < 0)
		return;
	x->num++;
	add_days(x, cm__time_day(cm__bucket_key(b, at)) -
			    cm__time_day(enrolled));
}

/* A goal's achievement status at the end of as_of, from its achievement
 * history (committed entries are in time order). */
static int32_t achievement_as_of(const struct m_ctx *x, const struct cm__goal *g)
{
	const struct cm__list *ah = &cm__goal_rare(g)->achievement_history;
	int32_t v = CM_ACHIEVEMENT_NONE;
	uint32_t i;

	for (i = 0; i < ah->count; i++) {
		const struct cm__hist *h = CM__LIST_AT(ah, struct cm__hist, i);
		if (h->time == CM_TIME_NONE || h->time >= x->end)
			break;
		v = h->to;
	}
	return v;
}

static void goal_attainment(struct m_ctx *x, const struct cm__slot *client)
{
	const struct cm__bucket *b =
		cm__mindex_get(&x->s->plans_by_client, CM__SLOT_ID(client));
	uint32_t i, j;

	for (i = 0; b && i < b->n; i++) {
		const struct cm__plan *p =
			(const struct cm__plan *)
				cm__bucket_slot(x->s, b, i)->cur;
		/* Never in effect, or withdrawn. */
		if (p->status == CM_PLAN_DRAFT ||
		    p->status == CM_PLAN_ENTERED_IN_ERROR)
			continue;
		for (j = 0; j < p->goals.count; j++) {
			const struct cm__goal *g =
				CM__LIST_AT(&p->goals, struct cm__goal, j);
			int32_t v;
			if (g->status == CM_GOAL_ENTERED_IN_ERROR ||
			    g->status == CM_GOAL_REJECTED ||
			    g->target_date == CM_DATE_NONE ||
			    !in_period(x, g->target_date))
				continue;
			x->den++;
			v = achievement_as_of(x, g);
			if (v == CM_ACHIEVEMENT_ACHIEVED ||
			    v == CM_ACHIEVEMENT_SUSTAINING)
				x->num++;
		}
	}
}

static void measure_client(struct m_ctx *x, int32_t measure,
			   const struct cm__slot *client)
{
	switch (measure) {
	case CM_MEASURE_READMISSION_30D:
		after_discharge(x, client, 30, CM_EVENT_ADMISSION);
		break;
	case CM_MEASURE_FOLLOWUP_7D:
		after_discharge(x, client, 7, CM_EVENT_CONTACT);
		break;
	case CM_MEASURE_GOAL_ATTAINMENT:
		goal_attainment(x, client);
		break;
	case CM_MEASURE_REFERRAL_CLOSURE:
		referral_closure(x, client);
		break;
	case CM_MEASURE_CONTACT_COMPLIANCE:
		contact_compliance(x, client);
		break;
	default:
		first_contact(x, client);
		break;
	}
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return x < y ? -1 : x > y;
}

int cm_measure_compute(int64_t *out_num, int64_t *out_den, int32_t *out_median,
		       cm_store *s, int32_t measure, int32_t from, int32_t to,
		       int32_t as_of, const char *case_manager)
{
	struct m_ctx x = { 0 };
	size_t i;
	int rc;

	if (!out_num || !out_den || !s)
		return cm__err(s, CM_EINVAL, "measure: NULL argument");
	if (measure < CM_MEASURE_READMISSION_30D ||
	    measure > CM_MEASURE_DAYS_TO_FIRST_CONTACT)
		return cm__err(s, CM_ERANGE, "%d is not a measure", (int)measure);
	if (!cm__days_valid(from) || !cm__days_valid(to) ||
	    !cm__days_valid(as_of) || from > to)
		return cm__err(s, CM_EDATE, "measure: invalid period or as-of date");
	if ((rc = cm__check_text(s, case_manager, 64, "case manager", 1)))
		return rc;
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	x.s = s;
	x.from = from;
	x.to = to;
	x.as_of = as_of;
	x.end = ((int64_t)as_of + 1) * DAY;
	CM__RDLOCK(s);
	if (!case_manager) {
		const struct cm__table *t = &s->tables[CM_KIND_CLIENT];
		for (i = 0; i < t->count && !x.nomem; i++)
			measure_client(&x, measure, cm__table_slot(t, i));
	} else {
		const struct cm__bucket *b =
			cm__mindex_get(&s->clients_by_cm, case_manager);
		for (i = 0; b && i < b->n && !x.nomem; i++)
			measure_client(&x, measure, cm__bucket_slot(s, b, i));
	}
	CM__UNLOCK(s);
	if (x.nomem) {
		cm__free(s, x.days);
		return cm__err(s, CM_ENOMEM, "out of memory computing a measure");
	}
	*out_num = x.num;
	*out_den = x.den;
	if (out_median) {
		*out_median = CM_DATE_NONE;
		if (x.ndays) {
			qsort(x.days, x.ndays, sizeof(*x.days), cmp_i32);
			*out_median = x.ndays % 2
				? x.days[x.ndays / 2]
				: (int32_t)(((int64_t)x.days[x.ndays / 2 - 1] +
					     x.days[x.ndays / 2]) / 2);
		}
	}
	cm__free(s, x.days);
	return CM_OK;
}
