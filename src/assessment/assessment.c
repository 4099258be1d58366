/*
 * Assessments: the record schema, the QuestionnaireResponse lifecycle,
 * answers, and the public assessment API. Scoring lives in scoring.c and
 * lace.c; instruments in instruments.c and registry.c.
 */
#include <string.h>

#include "assessment/assessment_impl.h"
#include "core/text.h"
#include "store/record_api.h"

#define UNANSWERED INT32_MIN

/* ---- schema ------------------------------------------------------------ */

#define A_OFF(m) offsetof(struct cm__assessment, m)

static const struct cm__field answer_fields[] = {
	{ "item", 1, CM__F_TEXT, CM__PUB_NONE, 0, offsetof(struct cm__answer, item), CM__CODE_MAX, CM__TEXT_BORROWED, 0, 0, NULL },
	{ "value", 2, CM__F_I32, CM__PUB_NONE, 0, offsetof(struct cm__answer, value), 0, 0, 0, 0, NULL },
};
static const struct cm__schema answer_schema = {
	"answer", sizeof(struct cm__answer), answer_fields, 2
};

static const struct cm__field assessment_fields[] = {
	{ "client id", 16, CM__F_TEXT, CM__PUB_NONE, 0, A_OFF(client_id), CM__ID_MAX, CM__TEXT_CLIENT, 0, 0, NULL },
	{ "instrument", 17, CM__F_TEXT, CM__PUB_NONE, 0, A_OFF(instrument), CM__CODE_MAX, CM__TEXT_BORROWED, 0, 0, NULL },
	{ "assessor", 18, CM__F_TEXT, CM__PUB_TEXT, CM_ASSESSMENT_ASSESSOR, A_OFF(assessor), 200, CM__TEXT_INTERN, 0, 0, NULL },
	{ "note", 19, CM__F_TEXT, CM__PUB_TEXT, CM_ASSESSMENT_NOTE, A_OFF(note), 4000, 0, 0, 0, NULL },
	{ "time", 20, CM__F_I64, CM__PUB_INT, CM_ASSESSMENT_TIME, A_OFF(time), 0, CM__CHECK_TIME, 0, 0, NULL },
	{ "status", 21, CM__F_I32, CM__PUB_NONE, 0, A_OFF(status), 0, CM__CHECK_RANGE, 1, CM_ASSESSMENT_STOPPED, NULL },
	{ "answers", 40, CM__F_LIST, CM__PUB_NONE, 0, A_OFF(answers), CM__ITEMS_MAX, 0, 0, 0, &answer_schema },
	{ "status history", 41, CM__F_LIST, CM__PUB_NONE, 0, A_OFF(history), UINT32_MAX, 0, 0, 0, &cm__hist_schema },
};
static const struct cm__schema assessment_schema = {
	"assessment", sizeof(struct cm__assessment), assessment_fields,
	sizeof(assessment_fields) / sizeof(assessment_fields[0])
};

/* ---- status ------------------------------------------------------------ */

static const char *const status_codes[] = {
	NULL, "in-progress", "completed", "amended", "entered-in-error", "stopped"
};

static int transition_ok(int32_t from, int32_t to)
{
	if (to == CM_ASSESSMENT_ENTERED_IN_ERROR)
		return from != CM_ASSESSMENT_ENTERED_IN_ERROR;
	switch (from) {
	case CM_ASSESSMENT_IN_PROGRESS:
		return to == CM_ASSESSMENT_COMPLETED || to == CM_ASSESSMENT_STOPPED;
	case CM_ASSESSMENT_COMPLETED:
	case CM_ASSESSMENT_AMENDED:
		/* Each amendment of an amended response is itself recorded. */
		return to == CM_ASSESSMENT_AMENDED;
	default:
		return 0;
	}
}

const char *cm_assessment_status_code(int32_t status)
{
	return cm__code_of(status_codes, CM_ASSESSMENT_STOPPED, status);
}

int cm_assessment_status_parse(int32_t *out, const char *code)
{
	return cm__code_parse(out, status_codes, CM_ASSESSMENT_STOPPED, code);
}

const char *cm_severity_code(int32_t severity)
{
	static const char *const codes[] = { "none", "low", "moderate", "high" };
	return (severity >= 0 && severity <= 3) ? codes[severity] : NULL;
}

/* ---- answers and scores ------------------------------------------------ */

static int scored_status(int32_t st)
{
	return st == CM_ASSESSMENT_COMPLETED || st == CM_ASSESSMENT_AMENDED;
}

/* The answers as values by item index (UNANSWERED where none). */
static void answer_values(int32_t *v, const struct cm__instrument *in,
			  const struct cm__assessment *a)
{
	uint32_t i;

	for (i = 0; i < CM__ITEMS_MAX; i++)
		v[i] = UNANSWERED;
	for (i = 0; i < a->answers.count; i++) {
		const struct cm__answer *e =
			CM__LIST_AT(&a->answers, struct cm__answer, i);
		int at = e->at ? e->at - 1 : cm__instrument_item(in, e->item, 0);
		if (at >= 0)
			v[at] = e->value;
	}
}

/* CM_OK, or CM_EINCOMPLETE naming the first unanswered required item. */
static int check_required(cm_store *s, const struct cm__instrument *in,
			  const struct cm__assessment *a)
{
	int32_t v[CM__ITEMS_MAX];
	size_t i;

	answer_values(v, in, a);
	for (i = 0; i < in->nitems; i++)
		if (in->items[i].required && v[i] == UNANSWERED)
			return cm__err(s, CM_EINCOMPLETE,
				       "assessment '%s': required item '%s' of %s "
				       "is not answered", a->hdr.id, in->items[i].code,
				       in->code);
	return CM_OK;
}

/* a's instrument: the one cm_assessment_new found, which copies carry, or
 * looked up by its code (a record read back from storage). CM_OK, or
 * CM_ENOTFOUND if it is a host instrument not registered (again) in this
 * store: a stored assessment read before the host registered it after
 * opening the store. */
static int instrument_of(const struct cm__instrument **out, cm_store *s,
			 const struct cm__assessment *a)
{
	*out = a->in ? a->in : cm__instrument_find(s, a->instrument);
	if (*out)
		return CM_OK;
	return cm__err(s, CM_ENOTFOUND,
		       "assessment '%s': instrument '%s' is not registered in "
		       "this store (register it after opening the store)",
		       a->hdr.id, a->instrument);
}

static int validate(cm_txn *txn, const struct cm__rec *rec)
{
	const struct cm__assessment *a = (const struct cm__assessment *)rec;
	cm_store *s = txn->store;
	const struct cm__instrument *in;
	int rc;

	if (!cm__txn_has(txn, CM_KIND_CLIENT, a->client_id))
		return cm__err(s, CM_ENOTFOUND,
			       "assessment '%s': no client '%s'", rec->id,
			       a->client_id);
	if (!a->assessor)
		return cm__err(s, CM_EINCOMPLETE,
			       "assessment '%s' needs an assessor", rec->id);
	if (!scored_status(a->status))
		return CM_OK;
	if ((rc = instrument_of(&in, s, a)))
		return rc;
	return check_required(s, in, a);
}

/* ---- the assessments-by-client index (store/byclient.c) ---------------- */

static int index_prepare(cm_store *s, cm_txn *txn)
{
	return cm__byclient_prepare(s, txn, CM_KIND_ASSESSMENT,
				    &s->assessments_by_client,
				    offsetof(struct cm__assessment, client_id));
}

static void index_apply(cm_store *s, cm_txn *txn)
{
	cm__byclient_apply(s, txn, CM_KIND_ASSESSMENT, &s->assessments_by_client,
			   offsetof(struct cm__assessment, client_id));
}

static void index_discard(cm_store *s, cm_txn *txn)
{
	cm__byclient_discard(s, txn, CM_KIND_ASSESSMENT);
}

/* A decoded assessment has what save requires and scoring dereferences:
 * client, instrument, assessor, and an item for every answer. */
static int check_decoded(const struct cm__rec *rec)
{
	const struct cm__assessment *a = (const struct cm__assessment *)rec;
	uint32_t i;

	if (!a->client_id || !a->instrument || !a->assessor)
		return 0;
	for (i = 0; i < a->answers.count; i++)
		if (!CM__LIST_AT(&a->answers, struct cm__answer, i)->item)
			return 0;
	return 1;
}

const struct cm__kind cm__assessment_kind = {
	.kind = CM_KIND_ASSESSMENT,
	.name = "assessment",
	.schema = &assessment_schema,
	.status_off = offsetof(struct cm__assessment, status),
	.history_off = offsetof(struct cm__assessment, history),
	.status_max = CM_ASSESSMENT_STOPPED,
	.status_codes = status_codes,
	.transition_ok = transition_ok,
	.check_decoded = check_decoded,
	.keep_revisions = 1,
	.validate = validate,
	.index_prepare = index_prepare,
	.index_apply = index_apply,
	.index_discard = index_discard,
	/* Its id, client, answers, assessor. */
	.room = 256,
};

/* ---- handles ----------------------------------------------------------- */

CM__RECORD_API(cm_assessment, cm_assessment, cm__assessment_kind)
CM__RECORD_REVISIONS_API(cm_assessment, cm_assessment, cm__assessment_kind)

#define H cm_assessment__handle
#define CH cm_assessment__chandle

static const struct cm__assessment *REC(const cm_assessment *a)
{
	const struct cm__handle *h = CH(a);
	return h ? (const struct cm__assessment *)h->rec : NULL;
}

/* The handle's store for messages (NULL-safe: cm__err accepts NULL). */
static cm_store *STORE(const cm_assessment *a)
{
	const struct cm__handle *h = CH(a);
	return h ? h->store : NULL;
}

int cm_assessment_new(cm_assessment **out, cm_store *s, const char *client_id,
		      const char *instrument)
{
	const struct cm__instrument *in;
	struct cm__handle *h;
	struct cm__assessment *a;
	int64_t now;
	int rc;

	if (!out || !s || !instrument)
		return cm__err(s, CM_EINVAL, "assessment new: NULL argument");
	if ((rc = cm__store_usable(s)) || (rc = cm__ref_id_check(s, client_id, "client id")))
		return rc;
	if (!(in = cm__instrument_find(s, instrument)))
		return cm__err(s, CM_ENOTFOUND, "no instrument '%.64s'", instrument);
	/* The time is read before the id is made, which reads it again. */
	if ((rc = cm__store_clock(s, &now)) ||
	    (rc = cm__handle_create(&h, s, &cm__assessment_kind)))
		return rc;
	a = (struct cm__assessment *)h->rec;
	a->status = CM_ASSESSMENT_IN_PROGRESS;
	a->in = in;
	a->time = now;
	/* Instruments live as long as the store: the record borrows its
	 * code (CM__TEXT_BORROWED), as its answers their items'. */
	a->instrument = (char *)(uintptr_t)in->code;
	if (!(a->client_id = cm__part_dup(s, &a->hdr, client_id,
					  strlen(client_id)))) {
		cm__handle_release(h);
		return cm__err(s, CM_ENOMEM, "out of memory for an assessment");
	}
	*out = (cm_assessment *)(void *)h;
	return CM_OK;
}

const char *cm_assessment_client_id(const cm_assessment *a)
{
	const struct cm__assessment *r = REC(a);
	return r ? r->client_id : NULL;
}

const char *cm_assessment_instrument(const cm_assessment *a)
{
	const struct cm__assessment *r = REC(a);
	return r ? r->instrument : NULL;
}

/* ---- answers ----------------------------------------------------------- */

/* The answer to item (by text), or -1. */
static long find_answer(const struct cm__assessment *a, const char *item)
{
	uint32_t i;
	for (i = 0; i < a->answers.count; i++)
		if (strcmp(CM__LIST_AT(&a->answers, struct cm__answer, i)->item,
			   item) == 0)
			return (long)i;
	return -1;
}

/* The answer to item `at` of a's instrument in, or -1: by index, or by
 * text for an answer read back from storage. */
static long find_answer_at(const struct cm__assessment *a,
			   const struct cm__instrument *in, int at)
{
	uint32_t i;

	for (i = 0; i < a->answers.count; i++) {
		const struct cm__answer *e =
			CM__LIST_AT(&a->answers, struct cm__answer, i);
		if (e->at ? e->at == at + 1
			  : strcmp(e->item, in->items[at].code) == 0)
			return (long)i;
	}
	return -1;
}

/* The instrument item an answer change is about (*out its index in
 * *out_in, a's instrument), after checking that the assessment accepts
 * changes to its answers. */
static int answer_item(int *out, const struct cm__instrument **out_in,
		       struct cm__handle *h, const char *item)
{
	const struct cm__assessment *a = (const struct cm__assessment *)h->rec;
	const struct cm__instrument *in;
	size_t next = 0;
	int at, rc;

	if (!item)
		return cm__err(h->store, CM_EINVAL, "answer: NULL item");
	if (a->status != CM_ASSESSMENT_IN_PROGRESS &&
	    a->status != CM_ASSESSMENT_AMENDED)
		return cm__err(h->store, CM_ESTATE,
			       "the answers of a %s assessment cannot change%s",
			       status_codes[a->status],
			       a->status == CM_ASSESSMENT_COMPLETED
				       ? " (amend it first)" : "");
	if ((rc = instrument_of(&in, h->store, a)))
		return rc;
	/* Answers mostly come in the instrument's order: the item after the
	 * last one answered is compared first. */
	if (a->answers.count)
		next = (size_t)CM__LIST_AT(&a->answers, struct cm__answer,
					   a->answers.count - 1)->at;
	if ((at = cm__instrument_item(in, item, next)) < 0)
		return cm__err(h->store, CM_ENOTFOUND, "%s has no item '%.64s'",
			       in->code, item);
	*out = at;
	*out_in = in;
	return CM_OK;
}

int cm_assessment_set_answer(cm_assessment *ah, const char *item, int32_t value)
{
	struct cm__handle *h = H(ah);
	const struct cm__instrument *in;
	const struct cm__item *it;
	struct cm__assessment *a;
	struct cm__answer *e;
	long found;
	int rc, at;

	if (!h)
		return CM_EINVAL;
	if ((rc = answer_item(&at, &in, h, item)))
		return rc;
	it = &in->items[at];
	if (value < it->min || value > it->max)
		return cm__err(h->store, CM_ERANGE, "item '%s': %d is outside %d..%d",
			       it->code, (int)value, (int)it->min, (int)it->max);
	found = find_answer_at((const struct cm__assessment *)h->rec, in, at);
	if (!(a = (struct cm__assessment *)cm__handle_mut(h)) ||
	    (found < 0 && cm__list_push(h->store, &a->hdr, &a->answers,
					&answer_schema, CM__ITEMS_MAX,
					(void **)&e)))
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	if (found < 0) {
		/* The instrument's (CM__TEXT_BORROWED). */
		e->item = (char *)(uintptr_t)it->code;
	} else {
		e = CM__LIST_AT(&a->answers, struct cm__answer, found);
	}
	e->value = value;
	e->at = at + 1;
	h->mods++;
	return CM_OK;
}

int cm_assessment_clear_answer(cm_assessment *ah, const char *item)
{
	struct cm__handle *h = H(ah);
	const struct cm__instrument *in;
	struct cm__assessment *a;
	long found;
	int rc, at;

	if (!h)
		return CM_EINVAL;
	if ((rc = answer_item(&at, &in, h, item)))
		return rc;
	if ((found = find_answer_at((const struct cm__assessment *)h->rec, in,
				    at)) < 0)
		return cm__err(h->store, CM_ENOTFOUND, "item '%s' is not answered",
			       in->items[at].code);
	if (!(a = (struct cm__assessment *)cm__handle_mut(h)))
		return CM_ENOMEM;
	cm__list_remove(h->store, &a->hdr, &a->answers, &answer_schema,
			(size_t)found);
	h->mods++;
	return CM_OK;
}

int cm_assessment_answer(int32_t *out, const cm_assessment *ah, const char *item)
{
	const struct cm__assessment *a = REC(ah);
	long at;

	if (!out || !a || !item)
		return CM_EINVAL;
	if ((at = find_answer(a, item)) < 0)
		return cm__err(STORE(ah), CM_ENOTFOUND,
			       "item '%.64s' is not answered", item);
	*out = CM__LIST_AT(&a->answers, struct cm__answer, at)->value;
	return CM_OK;
}

size_t cm_assessment_answer_count(const cm_assessment *ah)
{
	const struct cm__assessment *a = REC(ah);
	return a ? a->answers.count : 0;
}

int cm_assessment_answer_at(const char **out_item, int32_t *out_value,
			    const cm_assessment *ah, size_t index)
{
	const struct cm__assessment *a = REC(ah);
	const struct cm__answer *e;

	if (!a)
		return CM_EINVAL;
	if (index >= a->answers.count)
		return cm__err(STORE(ah), CM_ERANGE, "no answer %zu", index);
	e = CM__LIST_AT(&a->answers, struct cm__answer, index);
	if (out_item)
		*out_item = e->item;
	if (out_value)
		*out_value = e->value;
	return CM_OK;
}

/* ---- status ------------------------------------------------------------ */

int cm_assessment_set_status(cm_assessment *ah, int32_t status,
			     const char *reason)
{
	struct cm__handle *h = H(ah);
	const struct cm__assessment *a;
	int rc;

	if (!h)
		return CM_EINVAL;
	a = (const struct cm__assessment *)h->rec;
	/* The transition is checked first so that an impossible one is
	 * reported as such even when answers are also missing. */
	if (scored_status(status) && transition_ok(a->status, status)) {
		const struct cm__instrument *in;
		if ((rc = instrument_of(&in, h->store, a)) ||
		    (rc = check_required(h->store, in, a)))
			return rc;
	}
	return cm__handle_set_status(h, status, reason);
}

/* ---- results ----------------------------------------------------------- */

/* Score the handle's answers with its instrument (*out_in). CM_OK;
 * CM_EINVAL if ah is not an assessment handle; CM_ENOTFOUND (instrument_of). */
static int result(struct cm__result *res, const struct cm__instrument **out_in,
		  const cm_assessment *ah)
{
	const struct cm__handle *h = CH(ah);
	const struct cm__assessment *a;
	int32_t v[CM__ITEMS_MAX];
	int rc;

	if (!h)
		return CM_EINVAL;
	a = (const struct cm__assessment *)h->rec;
	if ((rc = instrument_of(out_in, h->store, a)))
		return rc;
	answer_values(v, *out_in, a);
	cm__score(res, *out_in, v);
	return CM_OK;
}

int cm_assessment_score(int32_t *out_total, const char **out_band,
			int32_t *out_flags, const cm_assessment *ah)
{
	struct cm__result r;
	const struct cm__instrument *in;
	int rc = result(&r, &in, ah);

	if (rc)
		return rc;
	if (out_total)
		*out_total = r.total;
	if (out_band)
		*out_band = r.band >= 0 ? in->bands[r.band].code : NULL;
	if (out_flags)
		*out_flags = r.flags;
	return CM_OK;
}

size_t cm_assessment_component_count(const cm_assessment *ah)
{
	struct cm__result r;
	const struct cm__instrument *in;
	return result(&r, &in, ah) ? 0 : r.ncomp;
}

/* Entry index of a result list (components or findings). */
static int pair_at(const char **out_code, int32_t *out_value,
		   const cm_assessment *ah, size_t index, int findings)
{
	struct cm__result r;
	const struct cm__instrument *in;
	const struct cm__pair *list;
	size_t n;
	int rc;

	if ((rc = result(&r, &in, ah)))
		return rc;
	list = findings ? r.find : r.comp;
	n = findings ? r.nfind : r.ncomp;
	if (index >= n)
		return cm__err(STORE(ah), CM_ERANGE, "no %s %zu",
			       findings ? "finding" : "component", index);
	if (out_code)
		*out_code = list[index].code;
	if (out_value)
		*out_value = list[index].value;
	return CM_OK;
}

int cm_assessment_component_at(const char **out_code, int32_t *out_score,
			       const cm_assessment *ah, size_t index)
{
	return pair_at(out_code, out_score, ah, index, 0);
}

size_t cm_assessment_finding_count(const cm_assessment *ah)
{
	struct cm__result r;
	const struct cm__instrument *in;
	return result(&r, &in, ah) ? 0 : r.nfind;
}

int cm_assessment_finding_at(const char **out_domain, int32_t *out_severity,
			     const cm_assessment *ah, size_t index)
{
	return pair_at(out_domain, out_severity, ah, index, 1);
}

/* ---- risk tier --------------------------------------------------------- */

int cm_assessment_risk_tier(int32_t *out_tier, const cm_assessment *ah)
{
	struct cm__result r;
	const struct cm__instrument *in;
	const struct cm__handle *h = CH(ah);
	int rc;

	if (!out_tier || !h)
		return cm__err(h ? h->store : NULL, CM_EINVAL,
			       "risk tier: NULL argument");
	if (!scored_status(((const struct cm__assessment *)h->rec)->status))
		return cm__err(h->store, CM_ESTATE,
			       "only a completed or amended assessment has a risk tier");
	if ((rc = result(&r, &in, ah)))
		return rc;
	*out_tier = cm__risk_tier(h->store, in, &r);
	return CM_OK;
}

int cm_assessment_apply_risk_tier(cm_txn *txn, const cm_assessment *ah,
				  cm_client *client)
{
	const struct cm__handle *h = CH(ah);
	int64_t old;
	int32_t tier;
	int rc;

	if (!txn || !h || !client)
		return cm__err(txn ? txn->store : h ? h->store : NULL, CM_EINVAL,
			       "apply risk tier: NULL argument");
	if (h->store != txn->store)
		return cm__err(txn->store, CM_EINVAL,
			       "the assessment belongs to another store");
	if (!cm_client_id(client) ||
	    strcmp(cm_client_id(client),
		   ((const struct cm__assessment *)h->rec)->client_id) != 0)
		return cm__err(txn->store, CM_EINVAL,
			       "the client is not the assessment's client");
	if ((rc = cm_assessment_risk_tier(&tier, ah)) ||
	    (rc = cm_client_get_int(&old, client, CM_CLIENT_RISK_TIER)) ||
	    (rc = cm_client_set_int(client, CM_CLIENT_RISK_TIER, tier)))
		return rc;
	if ((rc = cm_client_save(txn, client)) != CM_OK)
		/* The handle is now private, so restoring cannot fail. */
		cm_client_set_int(client, CM_CLIENT_RISK_TIER, old);
	return rc;
}
