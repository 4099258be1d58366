/*
 * The plan checker (gaps in a plan as of a date) and the Goal Attainment
 * Scaling T-score.
 */
#include <math.h>
#include <string.h>

#include "core/datetime.h"
#include "plan/plan_impl.h"

struct issue {
	int32_t kind;
	char eid[CM__EID_MAX + 1];
};

struct cm_plan_report {
	cm_store *store; /* holds a reference */
	struct issue *items;
	size_t n, cap;
};

static int goal_live(const struct cm__goal *g)
{
	return g->status != CM_GOAL_CANCELLED && g->status != CM_GOAL_REJECTED &&
	       g->status != CM_GOAL_COMPLETED &&
	       g->status != CM_GOAL_ENTERED_IN_ERROR;
}

static int intervention_live(const struct cm__intervention *iv)
{
	return iv->status != CM_ACTIVITY_CANCELLED &&
	       iv->status != CM_ACTIVITY_STOPPED &&
	       iv->status != CM_ACTIVITY_COMPLETED &&
	       iv->status != CM_ACTIVITY_ENTERED_IN_ERROR;
}

static int linked(const struct cm__list *refs, const char *id)
{
	uint32_t i;
	for (i = 0; i < refs->count; i++)
		if (strcmp(CM__LIST_AT(refs, struct cm__ref, i)->id, id) == 0)
			return 1;
	return 0;
}

static const struct cm__goal *goal_by_id(const struct cm__plan *p, const char *id)
{
	uint32_t i;
	for (i = 0; i < p->goals.count; i++) {
		const struct cm__goal *g = CM__LIST_AT(&p->goals, struct cm__goal, i);
		if (strcmp(g->eid, id) == 0)
			return g;
	}
	return NULL;
}

/* 1 if some live goal addresses problem `id`. */
static int problem_has_goal(const struct cm__plan *p, const char *id)
{
	uint32_t i;
	for (i = 0; i < p->goals.count; i++) {
		const struct cm__goal *g = CM__LIST_AT(&p->goals, struct cm__goal, i);
		if (goal_live(g) && linked(&cm__goal_rare(g)->problems, id))
			return 1;
	}
	return 0;
}

/* 1 if some live intervention serves goal `id`. */
static int goal_has_intervention(const struct cm__plan *p, const char *id)
{
	uint32_t i;
	for (i = 0; i < cm__plan_rare(p)->interventions.count; i++) {
		const struct cm__intervention *iv =
			CM__LIST_AT(&cm__plan_rare(p)->interventions, struct cm__intervention, i);
		if (intervention_live(iv) && linked(&iv->goals, id))
			return 1;
	}
	return 0;
}

/* 1 if the intervention serves some live goal. */
static int intervention_has_goal(const struct cm__plan *p,
				 const struct cm__intervention *iv)
{
	uint32_t i;
	for (i = 0; i < iv->goals.count; i++) {
		const struct cm__goal *g =
			goal_by_id(p, CM__LIST_AT(&iv->goals, struct cm__ref, i)->id);
		if (g && goal_live(g))
			return 1;
	}
	return 0;
}

static int report_add(struct cm_plan_report *r, int32_t kind, const char *eid)
{
	if (cm__reserve(r->store, (void **)&r->items, &r->cap, r->n + 1,
			sizeof(*r->items)))
		return CM_ENOMEM;
	r->items[r->n].kind = kind;
	strcpy(r->items[r->n].eid, eid);
	r->n++;
	return CM_OK;
}

static int run_checks(struct cm_plan_report *r, const struct cm__plan *p,
		      int32_t as_of)
{
	uint32_t i;
	int rc = CM_OK;

	if ((p->status == CM_PLAN_DRAFT || p->status == CM_PLAN_ACTIVE ||
	     p->status == CM_PLAN_ON_HOLD) &&
	    p->next_review != CM_DATE_NONE && p->next_review < as_of)
		rc = report_add(r, CM_ISSUE_PLAN_PAST_REVIEW, "");
	for (i = 0; rc == CM_OK && i < cm__plan_rare(p)->problems.count; i++) {
		const struct cm__problem *pr =
			CM__LIST_AT(&cm__plan_rare(p)->problems, struct cm__problem, i);
		if (!problem_has_goal(p, pr->eid))
			rc = report_add(r, CM_ISSUE_PROBLEM_WITHOUT_GOAL, pr->eid);
	}
	for (i = 0; rc == CM_OK && i < p->goals.count; i++) {
		const struct cm__goal *g = CM__LIST_AT(&p->goals, struct cm__goal, i);
		if (goal_live(g) && !goal_has_intervention(p, g->eid))
			rc = report_add(r, CM_ISSUE_GOAL_WITHOUT_INTERVENTION, g->eid);
	}
	for (i = 0; rc == CM_OK && i < cm__plan_rare(p)->interventions.count; i++) {
		const struct cm__intervention *iv =
			CM__LIST_AT(&cm__plan_rare(p)->interventions, struct cm__intervention, i);
		if (intervention_live(iv) && !intervention_has_goal(p, iv))
			rc = report_add(r, CM_ISSUE_INTERVENTION_WITHOUT_GOAL, iv->eid);
	}
	for (i = 0; rc == CM_OK && i < p->goals.count; i++) {
		const struct cm__goal *g = CM__LIST_AT(&p->goals, struct cm__goal, i);
		if (goal_live(g) && g->target_date != CM_DATE_NONE &&
		    g->target_date < as_of &&
		    g->achievement != CM_ACHIEVEMENT_ACHIEVED)
			rc = report_add(r, CM_ISSUE_GOAL_PAST_TARGET, g->eid);
	}
	return rc;
}

int cm_plan_check(cm_plan_report **out, const cm_plan *plan, int32_t as_of)
{
	const struct cm__handle *h = cm__plan_chandle(plan);
	struct cm_plan_report *r;

	if (!out || !h)
		return cm__err(h ? h->store : NULL, CM_EINVAL,
			       "plan check: NULL argument");
	if (!cm__days_valid(as_of))
		return cm__err(h->store, CM_EDATE, "plan check: %d is not a date",
			       (int)as_of);
	if (!(r = cm__zalloc(h->store, sizeof(*r))))
		return cm__err(h->store, CM_ENOMEM, "out of memory for a plan report");
	r->store = h->store;
	cm__store_ref(r->store);
	if (run_checks(r, (const struct cm__plan *)h->rec, as_of)) {
		cm_plan_report_free(r);
		return cm__err(h->store, CM_ENOMEM, "out of memory for a plan report");
	}
	*out = r;
	return CM_OK;
}

size_t cm_plan_report_count(const cm_plan_report *r)
{
	return r ? r->n : 0;
}

int cm_plan_report_at(int32_t *out_issue, const char **out_eid,
		      const cm_plan_report *r, size_t index)
{
	if (!r)
		return CM_EINVAL;
	if (index >= r->n)
		return CM_ERANGE;
	if (out_issue)
		*out_issue = r->items[index].kind;
	if (out_eid)
		*out_eid = r->items[index].eid;
	return CM_OK;
}

void cm_plan_report_free(cm_plan_report *r)
{
	cm_store *s;

	if (!r)
		return;
	s = r->store;
	cm__free(s, r->items);
	cm__free(s, r);
	cm__store_unref(s);
}

/* ---- Goal Attainment Scaling ------------------------------------------- */

/* Kiresuk & Sherman (1968), with the customary inter-goal correlation
 * rho = 0.3. */
#define GAS_RHO 0.3

int cm_plan_gas_tscore(int32_t *out_t_x100, const cm_plan *plan)
{
	const struct cm__handle *h = cm__plan_chandle(plan);
	const struct cm__plan *p;
	double swx = 0, sw2 = 0, sw = 0;
	uint32_t i;

	if (!out_t_x100 || !h)
		return cm__err(h ? h->store : NULL, CM_EINVAL,
			       "GAS T-score: NULL argument");
	p = (const struct cm__plan *)h->rec;
	for (i = 0; i < p->goals.count; i++) {
		const struct cm__goal *g = CM__LIST_AT(&p->goals, struct cm__goal, i);
		if (g->gas_weight <= 0 || g->status == CM_GOAL_ENTERED_IN_ERROR)
			continue;
		swx += (double)g->gas_weight * g->gas_level;
		sw2 += (double)g->gas_weight * g->gas_weight;
		sw += g->gas_weight;
	}
	if (sw == 0)
		return cm__err(h->store, CM_EINCOMPLETE,
			       "no goal of plan '%s' has a GAS weight", p->hdr.id);
	/* |T - 50| <= 10 * 2 * sum(w) / sqrt(...) stays far inside int32. */
	*out_t_x100 = (int32_t)lround(
		100.0 * (50.0 + 10.0 * swx /
				    sqrt((1.0 - GAS_RHO) * sw2 + GAS_RHO * sw * sw)));
	return CM_OK;
}
