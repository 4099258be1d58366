/*
 * Care plans: the record schema, the plan, goal and activity lifecycles,
 * approval, and the plan-level public API. Elements are in
 * plan_elements.c; the checker and GAS in plan_check.c.
 */
#include <string.h>

#include "core/datetime.h"
#include "plan/plan_impl.h"
#include "store/record_api.h"


/* ---- schema ------------------------------------------------------------ */

#define ETEXT(type, n, tag, pub, m, max) \
	{ n, tag, CM__F_TEXT, CM__PUB_TEXT, pub, offsetof(type, m), max, 0, 0, 0, NULL }
#define EINT(type, n, tag, pub, m, chk, lo, hi) \
	{ n, tag, CM__F_I32, CM__PUB_INT, pub, offsetof(type, m), 0, chk, lo, hi, NULL }
#define EPRIV(type, n, tag, ft, m, max, el) \
	{ n, tag, ft, CM__PUB_NONE, 0, offsetof(type, m), max, 0, 0, 0, el }
/* Texts that packed versions share (see enum cm__ftext). */
#define ESHARED(type, n, tag, pub, m, max, how) \
	{ n, tag, CM__F_TEXT, pub ? CM__PUB_TEXT : CM__PUB_NONE, pub, \
	  offsetof(type, m), max, how, 0, 0, NULL }

/* A rarely set goal text (CM__TEXT_SPARSE), under its tag. */
#define ESPARSE(type, n, tag, pub, max) \
	{ n, tag, CM__F_TEXT, CM__PUB_TEXT, pub, offsetof(type, sparse), max, \
	  CM__TEXT_SPARSE, 0, 0, NULL }
/* A rarely used goal list (CM__LIST_RARE): index i of struct
 * cm__goal_rare. */
#define ERARE(type, n, tag, i, max, el) \
	{ n, tag, CM__F_LIST, CM__PUB_NONE, 0, offsetof(type, rare), max, \
	  CM__LIST_RARE, i, sizeof(struct cm__goal_rare) / sizeof(struct cm__list), el }

static const struct cm__field ref_fields[] = {
	ESHARED(struct cm__ref, "element id", 1, 0, id, CM__EID_MAX, CM__TEXT_INTERN),
};
const struct cm__schema cm__ref_schema = { "link", sizeof(struct cm__ref), ref_fields, 1 };

/* Progress notes share the status history's layout (and so its commit-time
 * fill-in of author and time); the note text is kept in `reason`. */
static const struct cm__field note_fields[] = {
	EPRIV(struct cm__hist, "achievement", 2, CM__F_I32, to, 0, NULL),
	EPRIV(struct cm__hist, "time", 3, CM__F_I64, time, 0, NULL),
	ESHARED(struct cm__hist, "author", 19, 0, actor, 256, CM__TEXT_INTERN),
	EPRIV(struct cm__hist, "note", 5, CM__F_TEXT, reason, 4000, NULL),
};
const struct cm__schema cm__note_schema = { "progress note", sizeof(struct cm__hist), note_fields, 4 };

#define PR struct cm__problem
static const struct cm__field problem_fields[] = {
	ESHARED(PR, "element id", 1, 0, eid, CM__EID_MAX, CM__TEXT_INTERN),
	ETEXT(PR, "description", 2, CM_ELEMENT_DESCRIPTION, description, 1000),
	ETEXT(PR, "finding source", 3, CM_ELEMENT_FINDING_SOURCE, finding_source, CM__ID_MAX),
	ESHARED(PR, "finding domain", 4, CM_ELEMENT_FINDING_DOMAIN, finding_domain, 64, CM__TEXT_INTERN),
};
const struct cm__schema cm__problem_schema = { "problem", sizeof(PR), problem_fields, 4 };

#define GO struct cm__goal
static const struct cm__field goal_fields[] = {
	ESHARED(GO, "element id", 1, 0, eid, CM__EID_MAX, CM__TEXT_INTERN),
	ETEXT(GO, "description", 2, CM_ELEMENT_DESCRIPTION, description, 1000),
	ESPARSE(GO, "measure", 3, CM_ELEMENT_MEASURE, 200),
	ESPARSE(GO, "target value", 4, CM_ELEMENT_TARGET_VALUE, 200),
	EINT(GO, "target date", 20, CM_ELEMENT_TARGET_DATE, target_date, CM__CHECK_DATE, 0, 0),
	EINT(GO, "priority", 21, CM_ELEMENT_PRIORITY, priority, CM__CHECK_RANGE, 0, 3),
	EINT(GO, "achievement", 22, CM_ELEMENT_ACHIEVEMENT, achievement, CM__CHECK_RANGE, 0, 9),
	EINT(GO, "GAS level", 23, CM_ELEMENT_GAS_LEVEL, gas_level, CM__CHECK_RANGE, -2, 2),
	EINT(GO, "GAS weight", 24, CM_ELEMENT_GAS_WEIGHT, gas_weight, CM__CHECK_RANGE, 0, 100),
	EPRIV(GO, "status", 25, CM__F_I32, status, 0, NULL),
	ERARE(GO, "problems", 40, 0, CM__LINKS_MAX, &cm__ref_schema),
	ERARE(GO, "notes", 41, 1, UINT32_MAX, &cm__note_schema),
	EPRIV(GO, "status history", 42, CM__F_LIST, history, UINT32_MAX, &cm__hist_schema),
	ERARE(GO, "achievement history", 43, 2, UINT32_MAX, &cm__hist_schema),
};
/* Indexes in goal_fields. */
#define GOAL_F_PROBLEMS 10
#define GOAL_F_NOTES 11
#define GOAL_F_ACHIEVEMENT_HISTORY 13
const struct cm__field *const cm__goal_problems_field = &goal_fields[GOAL_F_PROBLEMS];
const struct cm__field *const cm__goal_notes_field = &goal_fields[GOAL_F_NOTES];

const struct cm__goal_rare *cm__goal_rare(const struct cm__goal *g)
{
	static const struct cm__goal_rare none;
	return g->rare ? g->rare : &none;
}
const struct cm__schema cm__goal_schema = {
	"goal", sizeof(GO), goal_fields, sizeof(goal_fields) / sizeof(goal_fields[0])
};

#define IV struct cm__intervention
static const struct cm__field intervention_fields[] = {
	ESHARED(IV, "element id", 1, 0, eid, CM__EID_MAX, CM__TEXT_INTERN),
	ETEXT(IV, "what", 2, CM_ELEMENT_WHAT, what, 1000),
	ESHARED(IV, "responsible", 3, CM_ELEMENT_RESPONSIBLE, responsible, 200, CM__TEXT_INTERN),
	EINT(IV, "due date", 20, CM_ELEMENT_DUE_DATE, due_date, CM__CHECK_DATE, 0, 0),
	EINT(IV, "responsible kind", 21, CM_ELEMENT_RESPONSIBLE_KIND, responsible_kind, CM__CHECK_RANGE, 1, 4),
	EPRIV(IV, "status", 22, CM__F_I32, status, 0, NULL),
	EPRIV(IV, "goals", 40, CM__F_LIST, goals, CM__LINKS_MAX, &cm__ref_schema),
	EPRIV(IV, "status history", 41, CM__F_LIST, history, UINT32_MAX, &cm__hist_schema),
};
const struct cm__schema cm__intervention_schema = {
	"intervention", sizeof(IV), intervention_fields,
	sizeof(intervention_fields) / sizeof(intervention_fields[0])
};

/* A rarely used plan list (CM__LIST_RARE): index i of struct
 * cm__plan_rare. */
#define PRARE(n, tag, i, el) \
	{ n, tag, CM__F_LIST, CM__PUB_NONE, 0, offsetof(struct cm__plan, rare), \
	  CM__ELEMENTS_MAX, CM__LIST_RARE, i, \
	  sizeof(struct cm__plan_rare) / sizeof(struct cm__list), el }

#define PL struct cm__plan
const struct cm__field cm__plan_fields[] = {
	ESHARED(PL, "client id", 16, 0, client_id, CM__ID_MAX, CM__TEXT_CLIENT),
	ETEXT(PL, "title", 17, CM_PLAN_TITLE, title, 200),
	ETEXT(PL, "description", 18, CM_PLAN_DESCRIPTION, description, 4000),
	ESHARED(PL, "author", 19, CM_PLAN_AUTHOR, author, 200, CM__TEXT_INTERN),
	ESHARED(PL, "approved by", 27, 0, approved_by, 200, CM__TEXT_INTERN),
	EPRIV(PL, "approved at", 20, CM__F_I64, approved_at, 0, NULL),
	EINT(PL, "intent", 21, CM_PLAN_INTENT, intent, CM__CHECK_RANGE, 1, 4),
	EINT(PL, "period start", 22, CM_PLAN_PERIOD_START, period_start, CM__CHECK_DATE, 0, 0),
	EINT(PL, "period end", 23, CM_PLAN_PERIOD_END, period_end, CM__CHECK_DATE, 0, 0),
	EINT(PL, "next review", 24, CM_PLAN_NEXT_REVIEW, next_review, CM__CHECK_DATE, 0, 0),
	EPRIV(PL, "status", 25, CM__F_I32, status, 0, NULL), /* range: lifecycle_ok */
	EPRIV(PL, "next element", 26, CM__F_I32, next_eid, 0, NULL),
	PRARE("problems", 40, 0, &cm__problem_schema),
	EPRIV(PL, "goals", 41, CM__F_LIST, goals, CM__ELEMENTS_MAX, &cm__goal_schema),
	PRARE("interventions", 42, 1, &cm__intervention_schema),
	EPRIV(PL, "status history", 43, CM__F_LIST, history, UINT32_MAX, &cm__hist_schema),
};
static const struct cm__schema plan_schema = {
	"plan", sizeof(PL), cm__plan_fields,
	sizeof(cm__plan_fields) / sizeof(cm__plan_fields[0])
};

const struct cm__plan_rare *cm__plan_rare(const struct cm__plan *p)
{
	static const struct cm__plan_rare none;
	return p->rare ? p->rare : &none;
}

/* ---- lifecycles -------------------------------------------------------- */

static const char *const plan_codes[] = {
	NULL, "draft", "active", "on-hold", "revoked", "completed",
	"entered-in-error"
};

static int plan_ok(int32_t from, int32_t to)
{
	if (to == CM_PLAN_ENTERED_IN_ERROR)
		return from != CM_PLAN_ENTERED_IN_ERROR;
	switch (from) {
	case CM_PLAN_DRAFT:
		return to == CM_PLAN_ACTIVE || to == CM_PLAN_REVOKED;
	case CM_PLAN_ACTIVE:
		return to == CM_PLAN_ON_HOLD || to == CM_PLAN_COMPLETED ||
		       to == CM_PLAN_REVOKED;
	case CM_PLAN_ON_HOLD:
		return to == CM_PLAN_ACTIVE || to == CM_PLAN_COMPLETED ||
		       to == CM_PLAN_REVOKED;
	default:
		return 0;
	}
}

static const char *const goal_codes[] = {
	NULL, "proposed", "planned", "accepted", "active", "on-hold",
	"completed", "cancelled", "entered-in-error", "rejected"
};

static int goal_ok(int32_t from, int32_t to)
{
	if (to == CM_GOAL_ENTERED_IN_ERROR)
		return from != CM_GOAL_ENTERED_IN_ERROR;
	switch (from) {
	case CM_GOAL_PROPOSED:
		return to == CM_GOAL_PLANNED || to == CM_GOAL_ACCEPTED ||
		       to == CM_GOAL_ACTIVE || to == CM_GOAL_REJECTED ||
		       to == CM_GOAL_CANCELLED;
	case CM_GOAL_PLANNED:
		return to == CM_GOAL_ACCEPTED || to == CM_GOAL_ACTIVE ||
		       to == CM_GOAL_ON_HOLD || to == CM_GOAL_CANCELLED;
	case CM_GOAL_ACCEPTED:
		return to == CM_GOAL_ACTIVE || to == CM_GOAL_ON_HOLD ||
		       to == CM_GOAL_CANCELLED;
	case CM_GOAL_ACTIVE:
		return to == CM_GOAL_ON_HOLD || to == CM_GOAL_COMPLETED ||
		       to == CM_GOAL_CANCELLED;
	case CM_GOAL_ON_HOLD:
		return to == CM_GOAL_ACTIVE || to == CM_GOAL_CANCELLED;
	case CM_GOAL_COMPLETED:
		return to == CM_GOAL_ACTIVE;
	default:
		return 0;
	}
}

static const char *const activity_codes[] = {
	NULL, "not-started", "scheduled", "in-progress", "on-hold",
	"completed", "cancelled", "stopped", "entered-in-error"
};

static int activity_ok(int32_t from, int32_t to)
{
	if (to == CM_ACTIVITY_ENTERED_IN_ERROR)
		return from != CM_ACTIVITY_ENTERED_IN_ERROR;
	switch (from) {
	case CM_ACTIVITY_NOT_STARTED:
		return to == CM_ACTIVITY_SCHEDULED || to == CM_ACTIVITY_IN_PROGRESS ||
		       to == CM_ACTIVITY_CANCELLED;
	case CM_ACTIVITY_SCHEDULED:
		return to == CM_ACTIVITY_IN_PROGRESS || to == CM_ACTIVITY_ON_HOLD ||
		       to == CM_ACTIVITY_CANCELLED;
	case CM_ACTIVITY_IN_PROGRESS:
		return to == CM_ACTIVITY_ON_HOLD || to == CM_ACTIVITY_COMPLETED ||
		       to == CM_ACTIVITY_STOPPED;
	case CM_ACTIVITY_ON_HOLD:
		return to == CM_ACTIVITY_IN_PROGRESS || to == CM_ACTIVITY_STOPPED ||
		       to == CM_ACTIVITY_CANCELLED;
	default:
		return 0;
	}
}

/* [0] names the initial "not recorded" in messages; it is not a FHIR code
 * and cm_goal_achievement_code(0) is NULL. */
static const char *const achievement_codes[] = {
	"none", "in-progress", "improving", "worsening", "no-change",
	"achieved", "sustaining", "not-achieved", "no-progress",
	"not-attainable"
};

/* FHIR gives achievementStatus no lifecycle: any change is allowed, but
 * every change is recorded, with its reason. */
static int achievement_ok(int32_t from, int32_t to)
{
	return from != to;
}

const struct cm__lifecycle cm__achievement_lifecycle = {
	"goal achievement", offsetof(struct cm__goal, achievement), 0,
	CM_ACHIEVEMENT_NOT_ATTAINABLE, achievement_codes, achievement_ok,
	&goal_fields[GOAL_F_ACHIEVEMENT_HISTORY]
};

const struct cm__lifecycle cm__goal_lifecycle = {
	"goal", offsetof(struct cm__goal, status),
	offsetof(struct cm__goal, history), CM_GOAL_REJECTED, goal_codes, goal_ok,
	NULL
};

const struct cm__lifecycle cm__activity_lifecycle = {
	"intervention", offsetof(struct cm__intervention, status),
	offsetof(struct cm__intervention, history), CM_ACTIVITY_ENTERED_IN_ERROR,
	activity_codes, activity_ok, NULL
};

const char *cm_plan_status_code(int32_t v)
{
	return cm__code_of(plan_codes, CM_PLAN_ENTERED_IN_ERROR, v);
}

const char *cm_goal_status_code(int32_t v)
{
	return cm__code_of(goal_codes, CM_GOAL_REJECTED, v);
}

const char *cm_activity_status_code(int32_t v)
{
	return cm__code_of(activity_codes, CM_ACTIVITY_ENTERED_IN_ERROR, v);
}

const char *cm_plan_intent_code(int32_t v)
{
	static const char *const codes[] = { NULL, "proposal", "plan", "order", "option" };
	return cm__code_of(codes, CM_PLAN_INTENT_OPTION, v);
}

const char *cm_goal_achievement_code(int32_t v)
{
	return cm__code_of(achievement_codes, CM_ACHIEVEMENT_NOT_ATTAINABLE, v);
}

int cm_plan_status_parse(int32_t *out, const char *code)
{
	return cm__code_parse(out, plan_codes, CM_PLAN_ENTERED_IN_ERROR, code);
}

int cm_goal_status_parse(int32_t *out, const char *code)
{
	return cm__code_parse(out, goal_codes, CM_GOAL_REJECTED, code);
}

int cm_activity_status_parse(int32_t *out, const char *code)
{
	return cm__code_parse(out, activity_codes, CM_ACTIVITY_ENTERED_IN_ERROR, code);
}

/* ---- kind hooks -------------------------------------------------------- */

static int32_t approval_required(cm_store *s)
{
	int32_t required;

	pthread_mutex_lock(&s->meta);
	required = s->plan_approval_required;
	pthread_mutex_unlock(&s->meta);
	return required;
}

static int approval_missing(cm_store *s, const char *id)
{
	return cm__err(s, CM_EINCOMPLETE,
		       "plan '%s' needs a recorded approval before it becomes "
		       "active", id);
}

/* 1 if the committed plan is active: the policy is checked when a plan
 * becomes active, not for every later save of an active plan. */
static int was_active(cm_store *s, const char *id)
{
	const struct cm__slot *slot = cm__slot_find(s, CM_KIND_PLAN, id);
	return slot && ((const struct cm__plan *)slot->cur)->status == CM_PLAN_ACTIVE;
}

static int validate(cm_txn *txn, const struct cm__rec *rec)
{
	const struct cm__plan *p = (const struct cm__plan *)rec;
	cm_store *s = txn->store;

	if (!cm__txn_has(txn, CM_KIND_CLIENT, p->client_id))
		return cm__err(s, CM_ENOTFOUND, "plan '%s': no client '%s'",
			       rec->id, p->client_id);
	if (!p->author)
		return cm__err(s, CM_EINCOMPLETE, "plan '%s' needs an author", rec->id);
	if (p->period_start != CM_DATE_NONE && p->period_end != CM_DATE_NONE &&
	    p->period_end < p->period_start)
		return cm__err(s, CM_EDATE, "plan '%s': the period ends before it starts",
			       rec->id);
	if (p->status == CM_PLAN_ACTIVE && !p->approved_by &&
	    approval_required(s) && !was_active(s, rec->id))
		return approval_missing(s, rec->id);
	return CM_OK;
}

/* Goals and interventions keep pending history entries and notes until
 * commit, like the record's own status history. */
static int prepare_op(cm_txn *txn, struct cm__op *op)
{
	struct cm__plan *p = (struct cm__plan *)op->rec;
	uint32_t i;

	for (i = 0; i < p->goals.count; i++) {
		struct cm__goal *g = CM__LIST_AT(&p->goals, struct cm__goal, i);
		if (cm__hist_fill(txn, &g->history) ||
		    (g->rare && (cm__hist_fill(txn, &g->rare->notes) ||
				 cm__hist_fill(txn, &g->rare->achievement_history))))
			return CM_ENOMEM;
	}
	for (i = 0; p->rare && i < p->rare->interventions.count; i++) {
		struct cm__intervention *iv =
			CM__LIST_AT(&p->rare->interventions, struct cm__intervention, i);
		if (cm__hist_fill(txn, &iv->history))
			return CM_ENOMEM;
	}
	return CM_OK;
}

/* ---- the plans-by-client index (store/byclient.c) ---------------------- */

static int index_prepare(cm_store *s, cm_txn *txn)
{
	return cm__byclient_prepare(s, txn, CM_KIND_PLAN, &s->plans_by_client,
				    offsetof(struct cm__plan, client_id));
}

static void index_apply(cm_store *s, cm_txn *txn)
{
	cm__byclient_apply(s, txn, CM_KIND_PLAN, &s->plans_by_client,
			   offsetof(struct cm__plan, client_id));
}

static void index_discard(cm_store *s, cm_txn *txn)
{
	cm__byclient_discard(s, txn, CM_KIND_PLAN);
}

/* A decoded plan names its client and author, as save requires. */
static int check_decoded(const struct cm__rec *rec)
{
	const struct cm__plan *p = (const struct cm__plan *)rec;
	return p->client_id && p->author;
}

const struct cm__kind cm__plan_kind = {
	.kind = CM_KIND_PLAN,
	.name = "plan",
	.schema = &plan_schema,
	.status_off = offsetof(struct cm__plan, status),
	.history_off = offsetof(struct cm__plan, history),
	.status_max = CM_PLAN_ENTERED_IN_ERROR,
	.status_codes = plan_codes,
	.transition_ok = plan_ok,
	.check_decoded = check_decoded,
	.keep_revisions = 1,
	.validate = validate,
	.prepare_op = prepare_op,
	.index_prepare = index_prepare,
	.index_apply = index_apply,
	.index_discard = index_discard,
	/* Its id, client, author, a few goals with a status change each (the
	 * handle's allocation then stays within what allocators keep
	 * per-thread caches of, about 1 KiB). */
	.room = 768,
};

/* ---- handles ----------------------------------------------------------- */

CM__RECORD_API(cm_plan, cm_plan, cm__plan_kind)
CM__RECORD_REVISIONS_API(cm_plan, cm_plan, cm__plan_kind)

/* For plan_elements.c and plan_check.c. */
struct cm__handle *cm__plan_handle(cm_plan *p)
{
	return cm_plan__handle(p);
}

const struct cm__handle *cm__plan_chandle(const cm_plan *p)
{
	return cm_plan__chandle(p);
}

#define H cm_plan__handle
#define CH cm_plan__chandle

static const struct cm__plan *REC(const cm_plan *p)
{
	const struct cm__handle *h = CH(p);
	return h ? (const struct cm__plan *)h->rec : NULL;
}

int cm_store_set_plan_approval_required(cm_store *s, int32_t required)
{
	if (!s || (required != 0 && required != 1))
		return cm__err(s, CM_EINVAL,
			       "plan approval required: must be 0 or 1");
	pthread_mutex_lock(&s->meta);
	s->plan_approval_required = required;
	pthread_mutex_unlock(&s->meta);
	return CM_OK;
}

int cm_plan_new(cm_plan **out, cm_store *s, const char *client_id)
{
	struct cm__handle *h;
	struct cm__plan *p;
	int rc;

	if (!out || !s)
		return cm__err(s, CM_EINVAL, "plan new: NULL argument");
	if ((rc = cm__store_usable(s)) || (rc = cm__ref_id_check(s, client_id, "client id")))
		return rc;
	if ((rc = cm__handle_create(&h, s, &cm__plan_kind)))
		return rc;
	p = (struct cm__plan *)h->rec;
	p->status = CM_PLAN_DRAFT;
	p->intent = CM_PLAN_INTENT_PLAN;
	p->period_start = p->period_end = p->next_review = CM_DATE_NONE;
	p->approved_at = CM_TIME_NONE;
	p->next_eid = 1;
	if (!(p->client_id = cm__part_dup(s, &p->hdr, client_id,
					  strlen(client_id)))) {
		cm__handle_release(h);
		return cm__err(s, CM_ENOMEM, "out of memory for a plan");
	}
	*out = (cm_plan *)(void *)h;
	return CM_OK;
}

const char *cm_plan_client_id(const cm_plan *p)
{
	const struct cm__plan *r = REC(p);
	return r ? r->client_id : NULL;
}

int cm_plan_set_status(cm_plan *p, int32_t status, const char *reason)
{
	struct cm__handle *h = H(p);
	const struct cm__plan *r;

	if (!h)
		return CM_EINVAL;
	r = (const struct cm__plan *)h->rec;
	if (status == CM_PLAN_ACTIVE && !r->approved_by &&
	    plan_ok(r->status, status) && approval_required(h->store))
		return approval_missing(h->store, r->hdr.id);
	return cm__handle_set_status(h, status, reason);
}

int cm_plan_approve(cm_plan *p, const char *approver, int64_t time)
{
	struct cm__handle *h = H(p);
	struct cm__plan *r;
	char *copy;
	int rc;

	if (!h || !approver || !approver[0])
		return cm__err(h ? h->store : NULL, CM_EINVAL,
			       "plan approve: an approver is required");
	if ((rc = cm__check_text(h->store, approver, 200, "approver", 0)))
		return rc;
	if (!cm__time_valid(time))
		return cm__err(h->store, CM_EDATE, "approval time %lld is not valid",
			       (long long)time);
	r = (struct cm__plan *)h->rec;
	if (r->status != CM_PLAN_DRAFT && r->status != CM_PLAN_ACTIVE &&
	    r->status != CM_PLAN_ON_HOLD)
		return cm__err(h->store, CM_ESTATE, "a %s plan cannot be approved",
			       plan_codes[r->status]);
	if (!(copy = cm__part_dup(h->store, h->rec, approver, strlen(approver))))
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	if (!(r = (struct cm__plan *)cm__handle_mut(h))) {
		cm__part_free(h->store, h->rec, copy);
		return CM_ENOMEM;
	}
	cm__part_free(h->store, &r->hdr, r->approved_by);
	r->approved_by = copy;
	r->approved_at = time;
	h->mods++;
	return CM_OK;
}

int cm_plan_approval(const char **out_approver, int64_t *out_time,
		     const cm_plan *p)
{
	const struct cm__handle *h = CH(p);
	const struct cm__plan *r = h ? (const struct cm__plan *)h->rec : NULL;

	if (!r)
		return CM_EINVAL;
	if (!r->approved_by)
		return cm__err(h->store, CM_ENOTFOUND, "plan '%s' is not approved",
			       r->hdr.id);
	if (out_approver)
		*out_approver = r->approved_by;
	if (out_time)
		*out_time = r->approved_at;
	return CM_OK;
}
